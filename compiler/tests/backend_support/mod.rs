//! Shared helpers for the back-end tests: hand-built IR programs, inputs, and a wasmi runner.
#![allow(dead_code)]
// Test-only helpers: a failed setup step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use xince_abi::date::{CivilDate, DayNumber, NO_DATE};
use xince_abi::error::EvalErrorCode;
use xince_abi::input::{Input, InputRecord};
use xince_abi::layout::NO_CODE;
use xince_abi::manifest::*;
use xince_abi::output::RawOutput;
use xince_compiler::interp::{self, EvalError};
use xince_compiler::ir::*;

pub fn day(text: &str) -> DayNumber {
    CivilDate::parse(text).unwrap().to_days()
}

pub fn d(amount: i32, unit: Unit) -> Duration {
    Duration { amount, unit }
}

// Vocabulary codes used by the hand-built programs.
pub const PENALTY: i32 = 0; // 记录类型: 行政处罚
pub const HONOUR: i32 = 1; // 荣誉
pub const JUDGMENT: i32 = 2; // 失信被执行人
pub const FOOD: i32 = 0; // 领域
pub const ENV: i32 = 1;
pub const SAFETY: i32 = 2;
pub const MINOR: i32 = 0; // 严重程度: 轻微
pub const ORDINARY: i32 = 1; // 一般
pub const SERIOUS: i32 = 2; // 严重
pub const PROCUREMENT: i32 = 0; // 场景: 政府采购
pub const BIDDING: i32 = 1; // 招标投标
pub const APPROVAL: i32 = 2; // 行政审批
pub const FLAG_REFUSED: u64 = 1; // 标志: 拒不履行
pub const FLAG_REPEAT: u64 = 2; // 屡犯
pub const COND_DUTIES: u64 = 1; // 修复条件: 履行义务
pub const COND_PLEDGE: u64 = 2; // 信用承诺

fn cite() -> Citation {
    Citation { document: "测试〔2024〕1号".into(), article: "第1条".into() }
}

/// A manifest whose shape matches the program (names are placeholders: the back-end only counts them).
pub fn manifest_for(p: &Program) -> Manifest {
    let mut vocab = BTreeMap::new();
    for name in vocab_names::ALL {
        vocab.insert(name.to_string(), vec![format!("{name}0"), format!("{name}1"), format!("{name}2")]);
    }
    Manifest {
        abi_version: xince_abi::ABI_VERSION,
        compiler_version: "test".into(),
        source_hash: "sha256:00".into(),
        policy: PolicyInfo {
            id: "测试/政策".into(),
            name: "测试政策".into(),
            jurisdiction: "测试".into(),
            issuer: "测试机关".into(),
            document: "测试〔2024〕1号".into(),
            version: "1".into(),
            effective_from: "2017-01-01".into(),
            effective_until: None,
            level: "县".into(),
            extends: vec![],
            supersedes: None,
            version_rule: "从旧兼从轻".into(),
        },
        vocab,
        lists: (0..p.lists.len())
            .map(|i| ListInfo {
                name: format!("名单{i}"),
                category: "黑名单".into(),
                citation: cite(),
                basis: vec![],
                criterion: String::new(),
                period: String::new(),
                repair_conditions: vec![],
                exits: vec![],
                remedies: vec![],
                precedence_over: vec![],
            })
            .collect(),
        measures: (0..p.measures.len())
            .map(|i| MeasureInfo {
                name: format!("措施{i}"),
                kind: "惩戒".into(),
                mandatory: true,
                basis: vec![],
                implementer: vec![],
                scenarios: vec![],
                targets: vec![],
                trigger: String::new(),
                trigger_list: match p.measures[i].trigger {
                    Trigger::List(l) => Some(l),
                    Trigger::Condition(_) => None,
                },
                citation: cite(),
                refines: None,
                description: None,
            })
            .collect(),
        incentives: (0..p.incentives.len())
            .map(|i| IncentiveInfo {
                name: format!("激励{i}"),
                benefits: vec![],
                scenarios: vec![],
                clauses: vec![String::new(); p.incentives[i].clauses.len()],
                basis: vec![],
                implementer: vec![],
                citation: cite(),
            })
            .collect(),
        notifications: (0..p.notifications.len())
            .map(|i| NotificationInfo {
                name: format!("通报{i}"),
                recipients: vec![],
                condition: String::new(),
                citation: cite(),
            })
            .collect(),
        grading: p.grading.as_ref().map(|g| GradingInfo {
            name: "分级".into(),
            levels: (0..g.levels.len())
                .map(|i| GradeLevel { name: format!("等级{i}"), condition: String::new(), supervision: None })
                .collect(),
            citation: cite(),
        }),
        objection: None,
        // One per program regime: an answer's regime index must name one of them.
        regimes: (0..p.regimes.len())
            .map(|i| RegimeInfo {
                name: format!("制度{i}"),
                document: String::new(),
                effective_from: String::new(),
                effective_until: None,
                periods: BTreeMap::new(),
                verified: true,
            })
            .collect(),
        unverified: vec![],
    }
}

/// A synthetic working-day calendar 2017-01-01..=2026-12-31: Monday–Friday, except 2024-10-01..=2024-10-07
/// (a holiday week) and with Saturday 2024-10-12 worked.
pub fn calendar() -> WorkdayCalendar {
    let first = day("2017-01-01");
    let last = day("2026-12-31");
    let count = (last - first + 1) as u32;
    let mut bits = vec![0u8; (count as usize).div_ceil(8)];
    for i in 0..count {
        let dn = first + i as i32;
        let c = CivilDate::from_days(dn);
        let mut working = c.weekday() <= 5;
        if (day("2024-10-01")..=day("2024-10-07")).contains(&dn) {
            working = false;
        }
        if dn == day("2024-10-12") {
            working = true;
        }
        if working {
            bits[(i / 8) as usize] |= 1 << (i % 8);
        }
    }
    WorkdayCalendar { first_day: first, day_count: count, bits }
}

pub fn blank_program() -> Program {
    let mut p = Program {
        manifest: manifest_for(&empty()),
        effective_from: day("2017-01-01"),
        effective_until: NO_DATE,
        version_rule: VersionRule::OldUnlessLenient,
        regimes: vec![],
        lists: vec![],
        measures: vec![],
        incentives: vec![],
        notifications: vec![],
        grading: None,
        objection: None,
        calendar: calendar(),
    };
    p.manifest = manifest_for(&p);
    p
}

fn empty() -> Program {
    Program {
        manifest: Manifest {
            abi_version: xince_abi::ABI_VERSION,
            compiler_version: String::new(),
            source_hash: String::new(),
            policy: PolicyInfo {
                id: String::new(),
                name: String::new(),
                jurisdiction: String::new(),
                issuer: String::new(),
                document: String::new(),
                version: String::new(),
                effective_from: String::new(),
                effective_until: None,
                level: String::new(),
                extends: vec![],
                supersedes: None,
                version_rule: String::new(),
            },
            vocab: BTreeMap::new(),
            lists: vec![],
            measures: vec![],
            incentives: vec![],
            notifications: vec![],
            grading: None,
            objection: None,
            regimes: vec![],
            unverified: vec![],
        },
        effective_from: 0,
        effective_until: NO_DATE,
        version_rule: VersionRule::Old,
        regimes: vec![],
        lists: vec![],
        measures: vec![],
        incentives: vec![],
        notifications: vec![],
        grading: None,
        objection: None,
        calendar: WorkdayCalendar { first_day: 0, day_count: 0, bits: vec![] },
    }
}

/// Fixes the manifest's shape after a program was edited.
pub fn finish(mut p: Program) -> Program {
    p.manifest = manifest_for(&p);
    p
}

pub fn rec_field(f: RecordField) -> Box<Expr> {
    Box::new(Expr::Record(f))
}
pub fn eq(a: Expr, b: Expr) -> Expr {
    Expr::Cmp(CmpOp::Eq, Box::new(a), Box::new(b))
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    Expr::Cmp(op, Box::new(a), Box::new(b))
}

/// Two national repair regimes split on 2021-12-31 → 2022-01-01: the old one 3年 for serious (min 1年),
/// the new one 3年 for serious with a shorter 6个月 minimum, and 1年 (min 3个月) for ordinary against the old 2年.
pub fn regimes() -> Vec<Regime> {
    vec![
        Regime {
            effective_from: day("2017-01-01"),
            effective_until: day("2021-12-31"),
            periods: vec![
                (SERIOUS, Some(d(1, Unit::Year)), d(3, Unit::Year)),
                (ORDINARY, Some(d(6, Unit::Month)), d(2, Unit::Year)),
            ],
            default_severity: ORDINARY,
        },
        Regime {
            effective_from: day("2022-01-01"),
            effective_until: NO_DATE,
            periods: vec![
                (SERIOUS, Some(d(6, Unit::Month)), d(3, Unit::Year)),
                (ORDINARY, Some(d(3, Unit::Month)), d(1, Unit::Year)),
                (MINOR, None, d(3, Unit::Month)),
            ],
            default_severity: ORDINARY,
        },
    ]
}

/// A program that exercises every IR construct: black list on national regimes with repair, a watch list with a
/// fixed working-day period and `OnList`, a red list overridden by the black list, measures by list and by
/// condition with scenarios, incentives, notifications, grading and objections.
pub fn rich_program(rule: VersionRule) -> Program {
    let mut p = blank_program();
    p.version_rule = rule;
    p.regimes = regimes();
    let penalty = eq(Expr::Record(RecordField::Type), Expr::Code(PENALTY));
    p.lists = vec![
        // 0 black list: serious penalties in food/env, or any refused-to-comply judgment
        List {
            criterion: Expr::Or(vec![
                Expr::And(vec![
                    penalty.clone(),
                    eq(Expr::Record(RecordField::Severity), Expr::Code(SERIOUS)),
                    Expr::InSet(rec_field(RecordField::Domain), vec![FOOD, ENV]),
                ]),
                Expr::And(vec![
                    eq(Expr::Record(RecordField::Type), Expr::Code(JUDGMENT)),
                    Expr::RecordHasFlags(FLAG_REFUSED),
                ]),
            ]),
            period: Period::Regime(vec![0, 1]),
            repair_conditions: COND_DUTIES | COND_PLEDGE,
            exit_on_repair: true,
            non_repairable: Some(Expr::RecordHasFlags(FLAG_REPEAT)),
            precedence_over: vec![2],
        },
        // 1 watch list: ordinary penalties with amount >= 10000, fixed 1年 with 20工作日 minimum,
        // only when not already on the black list
        List {
            criterion: Expr::And(vec![
                penalty.clone(),
                cmp(CmpOp::Ge, Expr::Record(RecordField::Amount), Expr::Num(10000.0)),
                Expr::Not(Box::new(Expr::OnList(0))),
            ]),
            period: Period::Fixed { minimum: Some(d(20, Unit::WorkDay)), maximum: d(1, Unit::Year) },
            repair_conditions: COND_PLEDGE,
            exit_on_repair: true,
            non_repairable: None,
            precedence_over: vec![],
        },
        // 2 red list: honours within 3 years; no repair exit
        List {
            criterion: Expr::And(vec![
                eq(Expr::Record(RecordField::Type), Expr::Code(HONOUR)),
                cmp(
                    CmpOp::Ge,
                    Expr::Record(RecordField::Date),
                    Expr::AddDuration(Box::new(Expr::AsOf), d(-3, Unit::Year)),
                ),
            ]),
            period: Period::Fixed { minimum: None, maximum: d(36, Unit::Month) },
            repair_conditions: 0,
            exit_on_repair: false,
            non_repairable: None,
            precedence_over: vec![],
        },
    ];
    p.measures = vec![
        Measure { trigger: Trigger::List(0), scenarios: vec![] },
        Measure { trigger: Trigger::List(0), scenarios: vec![PROCUREMENT, BIDDING] },
        Measure { trigger: Trigger::List(1), scenarios: vec![] },
        Measure { trigger: Trigger::List(2), scenarios: vec![APPROVAL] },
        Measure {
            trigger: Trigger::Condition(cmp(
                CmpOp::Ge,
                Expr::Count { condition: Box::new(penalty.clone()), within: Some(d(2, Unit::Year)) },
                Expr::Int(2),
            )),
            scenarios: vec![PROCUREMENT],
        },
    ];
    p.incentives = vec![
        Incentive {
            clauses: vec![
                Expr::Not(Box::new(Expr::Exists {
                    condition: Box::new(penalty.clone()),
                    within: Some(d(3, Unit::Year)),
                })),
                Expr::OnList(2),
                Expr::InSet(Box::new(Expr::Subject(SubjectField::Kind)), vec![0, 3]),
            ],
        },
        Incentive { clauses: vec![] },
    ];
    p.notifications = vec![
        Notification {
            condition: Expr::And(vec![Expr::OnList(0), eq(Expr::Subject(SubjectField::Sector), Expr::Code(1))]),
        },
        Notification {
            condition: Expr::Or(vec![Expr::HasRole(0b101), cmp(CmpOp::Ne, Expr::Scenario, Expr::Code(BIDDING))]),
        },
    ];
    p.grading = Some(Grading {
        levels: vec![
            Expr::OnList(0),
            cmp(CmpOp::Gt, Expr::Count { condition: Box::new(penalty.clone()), within: None }, Expr::Int(0)),
            Expr::Bool(true),
        ],
    });
    p.objection = Some(ObjectionRule { deadline: Some(d(5, Unit::WorkDay)), suspends: true });
    finish(p)
}

pub fn record(record_type: i32, severity: i32, date: &str) -> InputRecord {
    InputRecord {
        record_type,
        domain: FOOD,
        severity,
        grade: NO_CODE,
        date: day(date),
        objection_filed: NO_DATE,
        objection_resolved: NO_DATE,
        objection_upheld: false,
        repair_date: NO_DATE,
        procedure: NO_CODE,
        amount: f64::NAN,
        flags: 0,
        repair_conditions: 0,
    }
}

pub fn input(as_of: &str, records: Vec<InputRecord>) -> Input {
    Input { as_of: day(as_of), scenario: NO_CODE, subject_kind: 0, subject_sector: NO_CODE, related_roles: 0, records }
}

/// A compiled module instantiated in wasmi.
pub struct Wasm {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
    memory: wasmi::Memory,
    manifest: Manifest,
}

/// What the module answered: the output, or the error code with the header's record detail.
#[derive(Debug, PartialEq)]
pub enum Answer {
    Ok(RawOutput),
    Err { code: i32, record: i32 },
}

impl Wasm {
    pub fn new(program: &Program) -> Wasm {
        let bytes = xince_compiler::codegen::emit(program).unwrap();
        Wasm::from_bytes(&bytes, program.manifest.clone())
    }

    pub fn from_bytes(bytes: &[u8], manifest: Manifest) -> Wasm {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, bytes).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        Wasm { store, instance, memory, manifest }
    }

    fn call1(&mut self, name: &str, a: i32) -> i32 {
        let f = self.instance.get_typed_func::<i32, i32>(&self.store, name).unwrap();
        f.call(&mut self.store, a).unwrap()
    }
    /// `xince_evaluate(ptr, len) -> (status, output ptr, output len)`.
    fn evaluate(&mut self, ptr: i32, len: i32) -> (i32, i32, i32) {
        let f = self.instance.get_typed_func::<(i32, i32), (i32, i32, i32)>(&self.store, "xince_evaluate").unwrap();
        f.call(&mut self.store, (ptr, len)).unwrap()
    }

    pub fn abi_version(&self) -> i32 {
        self.instance.get_global(&self.store, "xince_abi_version").unwrap().get(&self.store).i32().unwrap()
    }

    /// Writes raw bytes through `xince_alloc` and evaluates them.
    pub fn run_bytes(&mut self, bytes: &[u8], records: usize) -> Answer {
        let ptr = self.call1("xince_alloc", bytes.len() as i32);
        assert!(ptr > 0, "alloc failed");
        self.memory.write(&mut self.store, ptr as usize, bytes).unwrap();
        let (code, out_ptr, out_len) = self.evaluate(ptr, bytes.len() as i32);
        let (out_ptr, out_len) = (out_ptr as usize, out_len as usize);
        let out = self.memory.data(&self.store)[out_ptr..out_ptr + out_len].to_vec();
        if code != 0 {
            assert_eq!(out.len(), 32, "error output is a bare header");
            let record = i32::from_le_bytes(out[28..32].try_into().unwrap());
            return Answer::Err { code, record };
        }
        let raw = RawOutput::from_bytes(&out, &self.manifest.output_shape(), records).unwrap();
        assert_eq!(raw.to_bytes(), out, "module output is byte-identical to RawOutput::to_bytes");
        Answer::Ok(raw)
    }

    pub fn run(&mut self, input: &Input) -> Answer {
        self.run_bytes(&input.to_bytes(), input.records.len())
    }

    /// `xince_evaluate_batch` on raw bytes: the batch status, and the answers' region.
    pub fn run_batch_bytes(&mut self, bytes: &[u8], count: i32) -> (i32, Vec<u8>) {
        let ptr = self.call1("xince_alloc", bytes.len() as i32);
        assert!(ptr > 0, "alloc failed");
        self.memory.write(&mut self.store, ptr as usize, bytes).unwrap();
        let f = self
            .instance
            .get_typed_func::<(i32, i32, i32), (i32, i32, i32)>(&self.store, "xince_evaluate_batch")
            .unwrap();
        let (status, out_ptr, out_len) = f.call(&mut self.store, (ptr, bytes.len() as i32, count)).unwrap();
        (status, self.memory.data(&self.store)[out_ptr as usize..(out_ptr + out_len) as usize].to_vec())
    }

    /// Evaluates `inputs` in one `xince_evaluate_batch` call and splits the answers (ABI §2.1).
    pub fn run_batch(&mut self, inputs: &[Input]) -> Vec<Answer> {
        let bytes: Vec<u8> = inputs.iter().flat_map(Input::to_bytes).collect();
        let (status, out) = self.run_batch_bytes(&bytes, inputs.len() as i32);
        assert_eq!(status, 0, "batch refused");
        let word = |at: usize| i32::from_le_bytes(out[at..at + 4].try_into().unwrap());
        let mut at = 0;
        let mut answers = Vec::new();
        for input in inputs {
            let (code, size) = (word(at), word(at + 4) as usize);
            let answer = &out[at + 8..at + 8 + size];
            answers.push(if code == 0 {
                let raw = RawOutput::from_bytes(answer, &self.manifest.output_shape(), input.records.len()).unwrap();
                assert_eq!(raw.to_bytes(), answer, "batch answer is byte-identical to RawOutput::to_bytes");
                Answer::Ok(raw)
            } else {
                assert_eq!(size, 32, "error answer is a bare header");
                Answer::Err { code, record: word(at + 8 + 28) }
            });
            at = (at + 8 + size).div_ceil(8) * 8;
        }
        assert_eq!(at, out.len(), "nothing after the last answer");
        answers
    }

    /// The status of evaluating `len` bytes at `ptr` (whatever they hold).
    pub fn evaluate_raw(&mut self, ptr: i32, len: i32) -> i32 {
        self.evaluate(ptr, len).0
    }
    pub fn alloc(&mut self, len: i32) -> i32 {
        self.call1("xince_alloc", len)
    }
}

pub fn interp_answer(program: &Program, input: &Input) -> Answer {
    match interp::evaluate_detailed(program, input) {
        Ok(out) => Answer::Ok(out),
        Err(EvalError { code, record }) => Answer::Err { code: code as i32, record: record.map_or(-1, |r| r as i32) },
    }
}

/// Runs both engines and asserts they agree; returns the interpreter's answer.
pub fn both(program: &Program, wasm: &mut Wasm, input: &Input) -> Result<RawOutput, EvalErrorCode> {
    let expected = interp_answer(program, input);
    let actual = wasm.run(input);
    assert_eq!(actual, expected, "wasm and interpreter disagree on {input:?}");
    interp::evaluate(program, input)
}
