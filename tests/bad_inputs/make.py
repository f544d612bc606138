#!/usr/bin/env python3
"""Writes the bad-input catalogue: tests/bad_inputs/{sources,requests}/* and expected.tsv.

Each case is written by hand below with the defect it carries, the code it must get and where: for sources a
`‸` marks the start of the span the diagnostic must point at (removed from the file; line:column computed
from it), for requests the JSON path, for modules a recipe applied to the freshly built seed module and a text
the error must name (a byte offset, a section or an export). `tests/bad_inputs.rs` runs every case through the
real binary. Rerun this script after editing a case: python3 tests/bad_inputs/make.py
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

LIST = """名单 测试名单 {
  类别: 黑名单
  出处: 第1条
  依据: 国办发〔2020〕49号
  纳入: %s
  期限: 3年
  移出: 期满
}
"""


def lst(cond):
    return LIST % cond


SOURCES = [
    # lexing
    ("unexpected-char", lst("记录.类型 == ‸$行政处罚"), "E0101"),
    ("unterminated-string", "名单 甲 {\n  救济: ‸\"行政复议\n}\n", "E0102"),
    ("unterminated-comment", "名单 甲 {\n  类别: 黑名单\n}\n‸/* 没有结束\n", "E0103"),
    ("impossible-date", "政策 甲 {\n  生效: ‸2023-02-30\n}\n", "E0104"),
    ("bad-duration-unit", lst("记录.类型 == 行政处罚").replace("期限: 3年", "期限: ‸3周"), "E0105"),
    ("huge-duration", lst("记录.类型 == 行政处罚").replace("期限: 3年", "期限: ‸99999999999年"), "E0105"),
    ("malformed-number", lst("记录.金额 > ‸1.2.3"), "E0106"),
    ("invalid-utf8", b"\xe5\x90\x8d\xe5\x8d\x95 \xff\xfe {\n}\n", "E0107", "1:4"),
    ("invalid-utf8-line3", "名单 甲 {\n  类别: 黑名单\n  出处: ".encode() + b"\xc3\x28\n}\n", "E0107", "3:7"),
    ("truncated-utf8", "名单 甲 {\n  说明: \"".encode() + "信".encode()[:2], "E0107", "2:8"),
    # found by the mutation campaign: the lexer's per-byte recursion overflowed on long multi-byte tokens
    ("long-comment-of-and-chain", "‸// " + " 且 ".join(["记录.金额 > 1"] * 6300) + "\n", "E0310"),
    ("long-string-of-and", "名单 ‸甲 {\n  类别: 黑名单\n  说明: \"" + "且" * 60000 + "\"\n}\n", "E0404"),
    ("long-name", "名单 ‸" + "甲" * 60000 + " {\n  类别: 黑名单\n}\n", "E0404"),
    # parsing
    ("expected-item", "‸你好 世界\n", "E0201"),
    ("item-without-name", "名单 ‸{\n  类别: 黑名单\n}\n", "E0202"),
    ("missing-brace", "名单 甲 ‸类别: 黑名单\n", "E0203"),
    ("unclosed-block", "名单 甲 ‸{\n  类别: 黑名单\n", "E0204"),
    ("clause-without-value", "名单 甲 {\n  ‸类别:\n}\n", "E0205"),
    ("expected-clause-name", "名单 甲 {\n  ‸== 1\n}\n", "E0206"),
    ("expected-value", lst("‸== 1"), "E0207"),
    ("trailing-tokens", lst("记录.金额 > 1 ‸2"), "E0208"),
    # the bracket is reported where its closing one is missing: the end of the line
    ("unclosed-bracket", lst("记录.领域 属于 [食品药品, 生态环境‸"), "E0209"),
    ("unclosed-paren", lst("(记录.金额 > 1‸"), "E0209"),
    ("single-equals", lst("记录.类型 ‸= 行政处罚"), "E0210"),
    ("quantifier-without-record", "激励 甲 {\n  条件: 存在 ‸3\n}\n", "E0211"),
    ("incomplete-path", lst("记录‸. 类型 == 行政处罚"), "E0212"),
    ("deep-brackets", lst("(" * 101 + "1" + ")" * 101).replace("纳入: " + "(" * 100, "纳入: " + "(" * 100 + "‸", 1), "E0213"),
    ("long-and-chain", lst(" 且 ".join(["记录.金额 > 1"] * 100) + " ‸且 记录.金额 > 1"), "E0213"),
    ("long-or-chain-6300", lst(" 或 ".join(["记录.金额 > 1"] * 100) + " ‸或 " + " 或 ".join(["记录.金额 > 1"] * 6200)), "E0213"),
    ("deep-not", lst("非 " * 100 + "‸非 记录.金额 > 1"), "E0213"),
    ("unmatched-close-brace", "名单 甲 {\n  类别: 黑名单\n}\n‸}\n", "E0214"),
    # files
    ("empty-file", "‸", "E0310"),
    ("comment-only", "‸// 只有注释\n/* 还有 */\n", "E0310"),
    ("cr-only", "‸\r\r\r", "E0310"),
    ("blank-lines-only", "‸\n\n   \n\t\n", "E0310"),
    # names and duplicates
    ("unknown-list", "措施 甲 {\n  类别: 惩戒\n  依据: 国办发〔2020〕49号\n  适用: 在 ‸不存在的名单\n  出处: 第1条\n}\n", "E0301"),
    ("duplicate-list", lst("记录.金额 > 1") + lst("记录.金额 > 2").replace("名单 测试名单", "名单 ‸测试名单", 1), "E0302"),
    ("second-objection", "异议 {\n  时限: 5工作日\n  出处: 第1条\n}\n‸异议 {\n  时限: 10工作日\n  出处: 第2条\n}\n", "E0302"),
    ("second-grading", "分级 甲 {\n  档: A 当 主体.类型 == 法人\n  出处: 第1条\n}\n‸分级 乙 {\n  档: B 当 主体.类型 == 法人\n  出处: 第2条\n}\n", "E0302"),
    ("not-a-vocab-value", lst("记录.类型 == ‸行政处分"), "E0303"),
    ("unknown-upper", "政策 甲 {\n  上级: ‸不存在/的/政策\n}\n", "E0304"),
    # types and clauses
    ("type-mismatch", lst("记录.金额 > ‸行政处罚"), "E0401"),
    ("unknown-clause", "名单 甲 {\n  ‸类型: 黑名单\n}\n", "E0403"),
    ("misspelt-clause", lst("记录.金额 > 1").replace("  期限: 3年", "  ‸期现: 3年"), "E0403"),
    ("missing-required", "名单 ‸甲 {\n  类别: 黑名单\n}\n", "E0404"),
    ("multi-value-with-and", "通报 甲 {\n  条件: 主体.行业 == 国有企业\n  对象: ‸\"县税务局\" 且 \"县财政局\", \"县商务局\"\n  出处: 第1条\n}\n", "E0405"),
    ("multi-value-with-or", "通报 甲 {\n  条件: 主体.行业 == 国有企业\n  对象: \"县审计局\", ‸\"县税务局\" 或 \"县财政局\"\n  出处: 第1条\n}\n", "E0405"),
    ("remedy-comparison", lst("记录.金额 > 1").replace("  移出: 期满", "  移出: 期满\n  救济: ‸\"行政复议\" == \"行政诉讼\""), "E0405"),
    ("two-document-numbers", "依据 甲 {\n  文号: \"甲〔2020〕1号\", ‸\"乙〔2020〕2号\"\n}\n", "E0405"),
    ("implementer-condition", "措施 甲 {\n  类别: 惩戒\n  依据: 国办发〔2020〕49号\n  适用: 在 测试名单\n  实施: ‸非 \"区财政局\"\n  出处: 第1条\n}\n" + lst("记录.金额 > 1"), "E0405"),
    ("grading-level-shape", "分级 甲 {\n  档: ‸A\n  出处: 第1条\n}\n", "E0405"),
]

SEED_REQUEST = json.loads((HERE.parent.parent / "examples/requests/梁平区-食品企业.json").read_text(encoding="utf-8"))


N_RECORDS = len(SEED_REQUEST["subject"]["records"])


def req(edit):
    r = json.loads(json.dumps(SEED_REQUEST))
    edit(r)
    text = json.dumps(r, ensure_ascii=False, indent=1)
    return text if len(text) < 100_000 else json.dumps(r, ensure_ascii=False, separators=(",", ":"))


def set_path(obj, path, value):
    *head, last = path
    for k in head:
        obj = obj[k]
    if value is DELETE:
        del obj[last]
    else:
        obj[last] = value


DELETE = object()


def edit(path, value):
    return lambda r: set_path(r, path, value)


def seq(*edits):
    def f(r):
        for e in edits:
            e(r)
    return f


REQUESTS = [
    # (name, text or bytes, code, JSON path the error must name)
    ("not-json", "{\"as_of\": ", "E_REQ_JSON", "$"),
    ("empty", "", "E_REQ_JSON", "$"),
    ("array", "[]", "E_REQ_SHAPE", "$"),
    ("invalid-utf8", b"{\"as_of\": \"2024-05-01\xff\"}", "E_REQ_JSON", None),
    ("trailing-garbage", req(lambda r: None) + " x", "E_REQ_JSON", "$"),
    ("missing-as-of", req(edit(["as_of"], DELETE)), "E_REQ_SHAPE", "as_of"),
    ("as-of-number", req(edit(["as_of"], 20240501)), "E_REQ_SHAPE", "as_of"),
    ("as-of-impossible", req(edit(["as_of"], "2024-02-30")), "E_REQ_DATE", "as_of"),
    ("as-of-format", req(edit(["as_of"], "2024/05/01")), "E_REQ_DATE", "as_of"),
    ("unknown-key", req(edit(["colour"], "red")), "E_REQ_SHAPE", "colour"),
    ("unknown-subject-key", req(edit(["subject", "age"], 3)), "E_REQ_SHAPE", "subject.age"),
    ("missing-subject", req(edit(["subject"], DELETE)), "E_REQ_SHAPE", "subject"),
    ("missing-kind", req(edit(["subject", "kind"], DELETE)), "E_REQ_SHAPE", "subject.kind"),
    ("unknown-kind", req(edit(["subject", "kind"], "外星人")), "E_REQ_VOCAB", "subject.kind"),
    ("unknown-sector", req(edit(["subject", "sector"], "黑帮")), "E_REQ_VOCAB", "subject.sector"),
    ("unknown-scenario", req(edit(["scenario"], "买彩票")), "E_REQ_VOCAB", "scenario"),
    ("records-object", req(edit(["subject", "records"], {})), "E_REQ_SHAPE", "subject.records"),
    ("record-type-unknown", req(edit(["subject", "records", 0, "type"], "行政处分")), "E_REQ_VOCAB", "subject.records[0].type"),
    ("record-domain-unknown", req(edit(["subject", "records", 0, "domain"], "烹饪")), "E_REQ_VOCAB", "subject.records[0].domain"),
    ("record-severity-unknown", req(edit(["subject", "records", 0, "severity"], "特重")), "E_REQ_VOCAB", "subject.records[0].severity"),
    ("record-date-impossible", req(edit(["subject", "records", 0, "date"], "2023-13-01")), "E_REQ_DATE", "subject.records[0].date"),
    ("record-date-missing", req(edit(["subject", "records", 0, "date"], DELETE)), "E_REQ_MISSING", "subject.records[0].date"),
    ("record-flag-unknown", req(edit(["subject", "records", 0, "flags"], ["不知道"])), "E_REQ_VOCAB", "subject.records[0].flags[0]"),
    ("record-amount-string", req(edit(["subject", "records", 0, "amount"], "很多")), "E_REQ_SHAPE", "subject.records[0].amount"),
    ("duplicate-record-id", req(lambda r: r["subject"]["records"].append(dict(r["subject"]["records"][0]))), "E_REQ_DUPLICATE_ID", f"subject.records[{N_RECORDS}].id"),
    ("objection-of-unknown", req(lambda r: r["subject"]["records"].append({"id": "o1", "type": "异议", "of": "nope", "filed": "2024-01-01"})), "E_REQ_UNKNOWN_OF", f"subject.records[{N_RECORDS}].of"),
    ("objection-without-filed", req(lambda r: r["subject"]["records"].append({"id": "o1", "type": "异议", "of": r["subject"]["records"][0]["id"]})), "E_REQ_MISSING", f"subject.records[{N_RECORDS}].filed"),
    ("of-on-primary", req(edit(["subject", "records", 0, "of"], "x")), "E_REQ_MISPLACED", "subject.records[0].of"),
    ("related-role-unknown", req(lambda r: r["subject"].setdefault("related", []).append({"role": "邻居", "id": "1"})), "E_REQ_VOCAB",
     f"subject.related[{len(SEED_REQUEST['subject'].get('related', []))}].role"),
    ("too-many-records", req(lambda r: r["subject"].__setitem__("records", [{"id": f"r{i}", "type": "荣誉", "date": "2020-01-01"} for i in range(101)])), "E_REQ_TOO_LARGE", "subject.records"),  # the test runs eval with --max-records 100
    ("too-many-related", req(lambda r: r["subject"].__setitem__("related", [{"role": "法定代表人", "id": str(i)} for i in range(1001)])), "E_REQ_TOO_LARGE", "subject.related"),
]

# Module recipes, applied by tests/bad_inputs.rs to the seed module built from policies/重庆市/梁平区/政策.xince:
# (name, recipe, code, text the error must contain to locate the fault).
MODULES = [
    ("empty-file", "truncate:0", "E_LOAD_INVALID_WASM", "bad-inputs"),
    ("not-wasm", "replace:0:7f454c46", "E_LOAD_INVALID_WASM", "bad-inputs"),
    ("wrong-version", "replace:4:02000000", "E_LOAD_INVALID_WASM", "2"),
    ("truncated-header", "truncate:6", "E_LOAD_INVALID_WASM", "bad-inputs"),
    ("truncated-middle", "truncate:half", "E_LOAD_INVALID_WASM", "offset"),
    ("truncated-before-digest", "truncate:digest", "E_LOAD_NO_DIGEST", "xince.digest"),
    ("flip-code-byte", "flip:code", "E_LOAD_DIGEST_MISMATCH", "offset"),
    ("flip-data-byte", "flip:data", "E_LOAD_DIGEST_MISMATCH", "offset"),
    ("flip-manifest-byte", "flip:manifest", "E_LOAD_DIGEST_MISMATCH", "offset"),
    ("manifest-severity-reversed", "manifest:reverse-severity", "E_LOAD_DIGEST_MISMATCH", "offset"),
    ("manifest-reversed-resealed", "manifest:reverse-severity,reseal", "OK", ""),
    ("digest-uppercase", "digest:uppercase", "E_LOAD_BAD_DIGEST", "offset"),
    ("digest-garbage", "digest:garbage", "E_LOAD_BAD_DIGEST", "offset"),
    ("digest-duplicated", "append:xince.digest", "E_LOAD_BAD_DIGEST", "offset"),
    ("section-after-digest", "append:extra", "E_LOAD_BAD_DIGEST", "offset"),
    ("digest-removed", "strip-digest", "E_LOAD_NO_DIGEST", "xince.digest"),
    ("manifest-removed-resealed", "strip-manifest,reseal", "E_LOAD_NO_MANIFEST", "xince.manifest"),
    ("manifest-not-json-resealed", "manifest:garbage,reseal", "E_LOAD_BAD_MANIFEST", "line"),
    ("manifest-abi-2-resealed", "manifest:abi2,reseal", "E_LOAD_MANIFEST_ABI", "2"),
    ("manifest-trigger-list-out-of-range", "manifest:trigger99,reseal", "E_LOAD_BAD_MANIFEST", "trigger_list"),
    ("appended-garbage", "append-bytes:deadbeef", "E_LOAD_INVALID_WASM", "offset"),
    ("memory-max-64mib", "wat:memory 1 1024", "E_LOAD_MEMORY", "16777216"),
    ("memory-initial-60mib", "wat:memory 960 960", "E_LOAD_MEMORY", "bytes"),
    ("memory-no-maximum", "wat:memory 1", "E_LOAD_MEMORY", "maximum"),
    ("import-clock", "wat:import", "E_LOAD_IMPORT", "env.now"),
    ("missing-evaluate", "wat:no-evaluate", "E_LOAD_MISSING_EXPORT", "xince_evaluate"),
    ("too-many-functions", "wat:functions 1001", "E_LOAD_TOO_MANY_FUNCTIONS", "1000"),
    ("too-large", "pad:9000000", "E_LOAD_TOO_LARGE", "bytes"),
    ("signature-wrong-place", "append:xince.signature,append:extra2", "E_LOAD_BAD_DIGEST", "offset"),
]


def location(marked):
    i = marked.index("‸")
    before = marked[:i]
    line = before.count("\n") + 1
    col = len(before.rsplit("\n", 1)[-1]) + 1
    return marked.replace("‸", "", 1), f"{line}:{col}"


def main():
    rows = []
    src_dir = HERE / "sources"
    req_dir = HERE / "requests"
    for d in (src_dir, req_dir):
        d.mkdir(exist_ok=True)
        for f in d.iterdir():
            f.unlink()
    for case in SOURCES:
        name, text, code = case[:3]
        if isinstance(text, bytes):
            data, loc = text, case[3]
        elif "‸" in text:
            body, loc = location(text)
            data = body.encode()
        else:
            data, loc = text.encode(), case[3] if len(case) > 3 else None
        (src_dir / f"{name}.xince").write_bytes(data)
        rows.append(("source", f"sources/{name}.xince", code, loc or "-"))
    for name, text, code, path in REQUESTS:
        data = text if isinstance(text, bytes) else text.encode()
        (req_dir / f"{name}.json").write_bytes(data)
        rows.append(("request", f"requests/{name}.json", code, path or "-"))
    for name, recipe, code, where in MODULES:
        rows.append(("module", f"{name}|{recipe}", code, where or "-"))
    with open(HERE / "expected.tsv", "w", encoding="utf-8") as f:
        f.write("# kind\tcase\tcode\tlocation (source line:col, request JSON path, module: text the error names)\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{len(rows)} cases: {len(SOURCES)} sources, {len(REQUESTS)} requests, {len(MODULES)} modules")


if __name__ == "__main__":
    main()
