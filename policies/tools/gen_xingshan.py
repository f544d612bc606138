"""Writes policies/湖北省/宜昌市/兴山县/tests/*.json. Working days from the national calendar (facts §6);
`N工作日` = the N-th working day after the start day."""
import os, sys
sys.path.insert(0, os.path.dirname(__file__))
from gen_common import *
D = os.path.join(os.path.dirname(__file__), "..", "湖北省", "宜昌市", "兴山县", "tests")
def co(records, **kw):
    kw.setdefault("name","某矿业有限公司"); kw.setdefault("sid","91420526MA4XXXXXX3"); return corp(records, **kw)
def ev(grade, domain=None, id="g1", date="2024-03-01"):
    r={"id":id,"type":"信用评价","date":date,"grade":grade}
    if domain: r["domain"]=domain
    return r
P = pen(severity="一般", domain="生态环境", date="2024-04-10")
cases = [
("penalty_gets_repair_reminder",
 "第12条“两书同达”：企业受行政处罚 → 随决定书送达信用修复提醒函（通报规则触发）。",
 {"as_of":"2024-06-01","subject":co([P])},
 {"notifications":["信用修复提醒函"]}),
("no_penalty_no_reminder",
 "无行政处罚 → 不触发提醒函；无信用评价 → 分级“未评价”。",
 {"as_of":"2024-06-01","subject":co([])},
 {"notifications":[],"grade":"未评价"}),
("natural_person_no_reminder",
 "第12条只针对向企业送达的处罚决定；自然人受处罚不触发。",
 {"as_of":"2024-06-01","subject":person([P], sid="420526199001011234")},
 {"notifications":[]}),
("tax_a_incentive",
 "第15条：税务领域信用评价 A 级（A级纳税人）→ 守信激励；分级第10条取“A类”。",
 {"as_of":"2024-06-01","subject":co([ev("A", domain="税务")])},
 {"incentives":{"A级纳税人守信激励":True},"grade":"A类"}),
("tax_b_no_incentive",
 "纳税信用 B 级 → 不是 A级纳税人，无激励；分级“B类”。",
 {"as_of":"2024-06-01","subject":co([ev("B", domain="税务")])},
 {"incentives":{"A级纳税人守信激励":False},"grade":"B类"}),
("non_tax_a_no_incentive",
 "A 级但非税务领域的评价 → 第15条不适用；分级仍为“A类”。",
 {"as_of":"2024-06-01","subject":co([ev("A", domain="交通运输")])},
 {"incentives":{"A级纳税人守信激励":False},"grade":"A类"}),
("worst_grade_wins",
 "第10条分级按序取第一个满足的档，最差在前：同时有 A 与 D 评价 → “D类”。",
 {"as_of":"2024-06-01","subject":co([ev("A", id="g1"), ev("D", id="g2", date="2024-04-01")])},
 {"grade":"D类"}),
("grade_c",
 "信用评价 C → “C类”。",
 {"as_of":"2024-06-01","subject":co([ev("C")])},
 {"grade":"C类"}),
("future_evaluation_ignored",
 "评价日期 2024-07-01 晚于评估日 2024-06-01，不计入 → “未评价”。",
 {"as_of":"2024-06-01","subject":co([ev("D", date="2024-07-01")])},
 {"grade":"未评价"}),
("before_policy_in_force",
 "本要点 2024-05-07 印发；评估日 2024-05-06 → E_NOT_YET_IN_FORCE。",
 {"as_of":"2024-05-06","subject":co([])},
 {"error":"E_NOT_YET_IN_FORCE"}),
("objection_due_over_labour_day",
 "第3条异议 5 个工作日：2024-04-28（周日，调休上班）提出；其后工作日 04-29①、04-30②，05-01—05-05 放假，05-06③、05-07④、05-08⑤ → 期限 2024-05-08；评估日 2024-05-08 仍 pending。",
 {"as_of":"2024-05-08","subject":co([P, objection(filed="2024-04-28")])},
 {"objections":{"r1":{"due":"2024-05-08","status":"pending"}}}),
("objection_overdue",
 "同上，评估日 2024-05-09 晚于期限 2024-05-08 且未办结 → overdue。",
 {"as_of":"2024-05-09","subject":co([P, objection(filed="2024-04-28")])},
 {"objections":{"r1":{"due":"2024-05-08","status":"overdue"}}}),
("objection_due_over_mid_autumn",
 "2024-09-13（周五）提出：09-14（周六调休上班）①，09-15—09-17 中秋放假，09-18②、09-19③、09-20④，09-21/22 周末，09-23⑤ → 期限 2024-09-23。",
 {"as_of":"2024-09-20","subject":co([P, objection(filed="2024-09-13")])},
 {"objections":{"r1":{"due":"2024-09-23","status":"pending"}}}),
("objection_due_over_dragon_boat",
 "2024-06-05（周三）提出：06-06①、06-07②，06-08/09 周末，06-10 端午，06-11③、06-12④、06-13⑤ → 期限 2024-06-13；06-12 已办结 → resolved。",
 {"as_of":"2024-06-20","subject":co([P, objection(filed="2024-06-05", resolved="2024-06-12", upheld=False)])},
 {"objections":{"r1":{"due":"2024-06-13","status":"resolved"}}}),
("objection_due_2026_national_day",
 "2026-09-30 提出：10-01—10-07 国庆，10-08①、10-09②、10-10（周六调休上班）③，10-11 周日，10-12④、10-13⑤ → 期限 2026-10-13；评估日 2026-10-14 → overdue。",
 {"as_of":"2026-10-14","subject":co([P, objection(filed="2026-09-30")])},
 {"objections":{"r1":{"due":"2026-10-13","status":"overdue"}}}),
("objection_due_leaves_calendar",
 "2026-12-28 提出：12-29①、12-30②、12-31③，第④日落在 2027 年，超出国家工作日日历（2017—2026）→ E_CALENDAR_RANGE，而不是猜测。",
 {"as_of":"2026-12-30","subject":co([P, objection(filed="2026-12-28")])},
 {"error":"E_CALENDAR_RANGE"}),
]
write(D, cases)
