#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Differential testing: the reference interpreter, the wasm module called once per subject, and the wasm
//! module called in batches must give the same raw answer (or the same error) for every subject.
//!
//! - `random_policies_agree_on_random_subjects`: a generator of random well-typed policies (lists with
//!   fixed or regime periods, minimum publication, repair and exits, precedence, irreparable flags; measures
//!   on lists or conditions with scenarios and targets; incentives with quantified and counted clauses;
//!   notifications; gradings; objections with and without suspension; the three version rules) × subjects from
//!   the synthetic population generator. A fast subset runs in `cargo test`.
//! - `a_million_comparisons` (`#[ignore]`): the same at scale, at least 1,000,000 subject comparisons
//!   (`cargo test --test differential -- --ignored --nocapture`); its run is reported in docs/reliability.md.
//! - `seed_policies_agree_on_a_population`: the five seed policies × generated subjects (the agreement test
//!   that used to live only in `benches/`).

use xince_testkit::population;

use std::sync::OnceLock;
use xince_abi::decode::encode_request;
use xince_abi::input::Input;
use xince_compiler::ir::Program;
use xince_runtime::{Policy, Runtime, RuntimeConfig};

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(RuntimeConfig { deadline: None, ..RuntimeConfig::default() }).unwrap())
}

/// splitmix64: deterministic, integer-only.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn some<'a>(&mut self, items: &[&'a str]) -> Vec<&'a str> {
        let mut out: Vec<&str> = items.iter().copied().filter(|_| self.chance(40)).collect();
        if out.is_empty() {
            out.push(self.pick(items));
        }
        out
    }
}

const TYPES: &[&str] =
    &["行政处罚", "荣誉", "信用承诺", "司法判决", "失信被执行人", "欠税", "欠薪", "行政许可", "信用评价"];
const DOMAINS: &[&str] = &["食品药品", "生态环境", "安全生产", "税务", "劳动用工", "工程质量"];
const SEVERITIES: &[&str] = &["轻微", "一般", "严重"];
const FLAGS: &[&str] = &["拒不履行", "违诺", "特定严重失信"];
const SECTORS: &[&str] = &["机关事业单位", "国有企业", "民营企业", "社会组织"];
const KINDS: &[&str] = &["法人", "自然人", "个体工商户", "非法人组织"];
const SCENARIOS: &[&str] = &["政府采购", "招标投标", "行政审批", "财政资金"];
const DURATIONS: &[&str] = &["3个月", "6个月", "1年", "2年", "3年", "5年", "30日", "10工作日"];
const BASES: &[&str] = &["国办发〔2020〕49号", "国发〔2016〕33号"];

/// A record condition (inside `记录(…)` or a list's `纳入`), at most `depth` operators deep.
fn record_condition(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.chance(35) {
        return match rng.below(7) {
            0 | 1 => format!("记录.类型 == {}", rng.pick(TYPES)),
            2 => format!("记录.严重程度 属于 [{}]", rng.some(SEVERITIES).join(", ")),
            3 => format!("记录.严重程度 {} {}", rng.pick(&["==", "!="]), rng.pick(SEVERITIES)),
            4 => format!("记录.领域 属于 [{}]", rng.some(DOMAINS).join(", ")),
            5 => format!("记录.领域 {} {}", rng.pick(&["==", "!="]), rng.pick(DOMAINS)),
            _ => format!("记录.标志 包含 [{}]", rng.pick(FLAGS)),
        };
    }
    match rng.below(4) {
        0 => format!("{} 且 {}", record_condition(rng, depth - 1), record_condition(rng, depth - 1)),
        1 => format!("({} 或 {})", record_condition(rng, depth - 1), record_condition(rng, depth - 1)),
        2 => format!("非 ({})", record_condition(rng, depth - 1)),
        _ => format!("记录.类型 == {} 且 {}", rng.pick(TYPES), record_condition(rng, depth - 1)),
    }
}

/// A subject-level condition over lists and quantifiers.
fn subject_condition(rng: &mut Rng, lists: &[String], depth: u32) -> String {
    if depth == 0 || rng.chance(40) {
        return match rng.below(7) {
            0 | 1 if !lists.is_empty() => format!("在 {}", lists[rng.below(lists.len())]),
            2 => format!("存在 记录({})", record_condition(rng, 2)),
            3 => format!("无 记录({}) 近 {}", record_condition(rng, 1), rng.pick(&["1年", "3年", "6个月"])),
            4 => format!("计数 记录({}) >= {}", record_condition(rng, 1), 1 + rng.below(3)),
            5 => format!("主体.行业 属于 [{}]", rng.some(SECTORS).join(", ")),
            _ => format!("主体.类型 == {}", rng.pick(KINDS)),
        };
    }
    match rng.below(3) {
        0 => format!("{} 且 {}", subject_condition(rng, lists, depth - 1), subject_condition(rng, lists, depth - 1)),
        1 => format!("({} 或 {})", subject_condition(rng, lists, depth - 1), subject_condition(rng, lists, depth - 1)),
        _ => format!("非 {}", subject_condition(rng, lists, depth - 1)),
    }
}

/// A random policy source (self-contained: the stdlib only).
pub fn random_policy(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed);
    let rule = rng.pick(&["从旧兼从轻", "从旧", "从新"]);
    let mut s = format!(
        "政策 随机政策 {{\n  编号: 测试/随机/p{seed}\n  名称: \"随机政策{seed}\"\n  辖区: \"测试市/随机区\"\n  机关: \"随机区信用办\"\n  \
         文号: \"随机〔2024〕{seed}号\"\n  版本: \"1\"\n  层级: 县\n  生效: 2016-01-01\n  失效: 2030-12-31\n  版本规则: {rule}\n}}\n\n引用 标准库\n\n"
    );
    let mut article = 1;
    let mut cite = || {
        article += 1;
        format!("第{article}条")
    };
    let n_lists = 1 + rng.below(4);
    let mut lists = Vec::new();
    let mut reds = Vec::new();
    // Red lists first, so every other list can name them all in `优先于` (a subject on a red and a black list
    // needs a precedence between them).
    let mut categories: Vec<&str> =
        (0..n_lists).map(|_| rng.pick(&["黑名单", "黑名单", "红名单", "重点关注名单"])).collect();
    categories.sort_by_key(|c| *c != "红名单");
    for (i, category) in categories.into_iter().enumerate() {
        let name = format!("名单{i}");
        let criterion = if category == "红名单" {
            format!(
                "记录.类型 == 荣誉{}",
                if rng.chance(30) { format!(" 且 {}", record_condition(&mut rng, 1)) } else { String::new() }
            )
        } else {
            format!(
                "记录.类型 == {} 且 {}",
                rng.pick(&["行政处罚", "司法判决", "失信被执行人", "欠税"]),
                record_condition(&mut rng, 2)
            )
        };
        let regime = category == "黑名单" && rng.chance(40);
        s += &format!(
            "名单 {name} {{\n  类别: {category}\n  出处: {}\n  依据: {}\n  纳入: {criterion}\n",
            cite(),
            rng.pick(BASES)
        );
        s += &format!("  期限: {}\n", if regime { "国家信用修复制度" } else { rng.pick(DURATIONS) });
        let repair = category != "红名单" && rng.chance(60);
        if repair && !regime && rng.chance(50) {
            s += &format!("  最短公示: {}\n", rng.pick(&["1个月", "3个月"]));
        }
        if repair {
            s += &format!("  修复条件: {}\n", rng.some(&["履行义务", "信用承诺"]).join(", "));
        }
        let mut exits = vec!["期满"];
        if repair {
            exits.push("修复");
        }
        if category != "红名单" && rng.chance(60) {
            exits.push("异议成立");
        }
        s += &format!("  移出: {}\n  救济: \"行政复议\"\n", exits.join(", "));
        if repair && rng.chance(30) {
            s += "  不可修复: 记录.标志 包含 [特定严重失信]\n";
        }
        if category != "红名单" && !reds.is_empty() {
            s += &format!("  优先于: {}\n", reds.join(", "));
        }
        s += "}\n\n";
        if category == "红名单" {
            reds.push(name.clone());
        }
        lists.push(name);
    }
    for j in 0..rng.below(4) {
        let trigger = if rng.chance(75) {
            format!("在 {}", lists[rng.below(lists.len())])
        } else {
            format!("存在 记录({})", record_condition(&mut rng, 2))
        };
        s += &format!(
            "措施 措施{j} {{\n  类别: 惩戒\n  性质: {}\n  依据: {}\n  实施: \"区财政局\"\n",
            rng.pick(&["强制", "推荐"]),
            rng.pick(BASES)
        );
        if rng.chance(60) {
            s += &format!("  场景: {}\n", rng.some(SCENARIOS).join(", "));
        }
        s += &format!(
            "  对象: {}\n  适用: {trigger}\n  出处: {}\n}}\n\n",
            rng.some(&["主体", "法定代表人", "主要负责人"]).join(", "),
            cite()
        );
    }
    for k in 0..rng.below(3) {
        s += &format!("激励 激励{k} {{\n");
        for _ in 0..1 + rng.below(3) {
            s += &format!("  条件: {}\n", subject_condition(&mut rng, &lists, 2));
        }
        s += &format!(
            "  内容: \"绿色通道\"\n  场景: {}\n  依据: 国发〔2016〕33号\n  出处: {}\n}}\n\n",
            rng.pick(SCENARIOS),
            cite()
        );
    }
    if rng.chance(50) {
        s += &format!(
            "通报 通报0 {{\n  条件: {}\n  对象: \"上级主管部门\"\n  出处: {}\n}}\n\n",
            subject_condition(&mut rng, &lists, 2),
            cite()
        );
    }
    if rng.chance(50) {
        s += "分级 监管分级 {\n";
        for level in ["D", "C", "A"] {
            if rng.chance(70) {
                s += &format!("  档: {level} 当 {}\n", subject_condition(&mut rng, &lists, 1));
            }
        }
        s += &format!("  档: B 当 真\n  出处: {}\n}}\n\n", cite());
    }
    if rng.chance(60) {
        s += &format!(
            "异议 {{\n  时限: {}\n  暂停: {}\n  出处: {}\n}}\n",
            rng.pick(&["5工作日", "10工作日", "15日"]),
            rng.pick(&["是", "否"]),
            cite()
        );
    }
    s
}

struct Compiled {
    program: Program,
    policy: Policy,
}

fn compile(name: &str, sources: &[(String, String)]) -> Result<Compiled, String> {
    let mut compiler = xince_compiler::Compiler::new();
    for (path, text) in sources {
        compiler.set_file(path.clone(), text.clone());
    }
    let program = compiler.program(name).map_err(|d| compiler.render(&d, xince_lang::Lang::En, false))?;
    let wasm = xince_compiler::codegen::emit(&program).map_err(|e| e.to_string())?;
    let policy = runtime().load(&wasm).map_err(|e| e.to_string())?;
    Ok(Compiled { program, policy })
}

/// Compares the three engines on `subjects`; returns the number of subjects compared.
fn compare(c: &Compiled, subjects: &[xince_abi::request::Request], label: &str) -> usize {
    let manifest = c.policy.manifest();
    let inputs: Vec<Input> =
        subjects.iter().filter_map(|r| encode_request(manifest, r).ok().map(|e| e.input)).collect();
    let mut evaluator = c.policy.evaluator();
    let mut single = xince_abi::output::RawOutput::default();
    let mut answers = Vec::new();
    for (n, chunk) in inputs.chunks(97).enumerate() {
        evaluator.evaluate_raw_batch(chunk, &mut answers).unwrap_or_else(|e| panic!("{label}: batch call failed: {e}"));
        for (k, input) in chunk.iter().enumerate() {
            let at = 97 * n + k;
            let want = xince_compiler::interp::evaluate(&c.program, input).map_err(|e| e.name().to_string());
            let got = evaluator
                .evaluate_raw_into(input, &mut single)
                .map(|()| single.clone())
                .map_err(|e| e.code().to_string());
            assert_eq!(got, want, "{label}: subject {at}: wasm single call and interpreter disagree");
            let batched = answers[k].clone().map_err(|e| e.code().to_string());
            assert_eq!(batched, want, "{label}: subject {at}: wasm batch and interpreter disagree");
        }
    }
    inputs.len()
}

fn subjects(seed: u64, count: u64, as_of: &str) -> Vec<xince_abi::request::Request> {
    population::Population::new(seed, as_of).unwrap().iter(count).collect()
}

/// Runs `policies` random policies × `per_policy` subjects; returns (compiled, rejected, comparisons).
fn run_random(first_seed: u64, policies: u64, per_policy: u64) -> (usize, usize, usize) {
    let (mut compiled, mut rejected, mut compared) = (0, 0, 0);
    let dates = ["2019-03-15", "2021-07-01", "2023-12-31", "2025-06-30"];
    for seed in first_seed..first_seed + policies {
        let source = random_policy(seed);
        let c = match compile("random.xince", &[("random.xince".to_string(), source.clone())]) {
            Ok(c) => c,
            Err(e) => {
                rejected += 1;
                eprintln!("policy {seed} rejected:\n{e}\n{source}");
                continue;
            }
        };
        compiled += 1;
        let people = subjects(seed, per_policy, dates[seed as usize % dates.len()]);
        compared += compare(&c, &people, &format!("random policy {seed}"));
    }
    (compiled, rejected, compared)
}

#[test]
fn random_policies_agree_on_random_subjects() {
    let (compiled, rejected, compared) = run_random(1, 24, 150);
    eprintln!("{compiled} random policies compiled ({rejected} rejected), {compared} subjects compared");
    // The generator must mostly produce valid policies, or it tests little.
    assert!(compiled >= 20, "only {compiled} of 24 generated policies compiled");
    assert!(compared >= 2500);
}

#[test]
#[ignore = "a million comparisons: cargo test --test differential -- --ignored --nocapture"]
fn a_million_comparisons() {
    let started = std::time::Instant::now();
    let (compiled, rejected, compared) = run_random(1000, 250, 4200);
    eprintln!(
        "{compiled} random policies ({rejected} rejected), {compared} subjects × 2 engines compared with the \
         interpreter in {:.1?}",
        started.elapsed()
    );
    assert!(compared >= 1_000_000, "only {compared} comparisons");
}

#[test]
fn seed_policies_agree_on_a_population() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    let mut stack = vec![root.join("policies")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "tests") {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "xince") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                sources.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    sources.sort();
    let policies: Vec<String> =
        sources.iter().filter(|(p, _)| p.ends_with("政策.xince")).map(|(p, _)| p.clone()).collect();
    assert_eq!(policies.len(), 5, "the five seed policies: {policies:?}");
    let mut total = 0;
    for (i, name) in policies.iter().enumerate() {
        let c = compile(name, &sources).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (j, as_of) in ["2022-01-01", "2025-06-30"].iter().enumerate() {
            total += compare(&c, &subjects(11 + (i * 2 + j) as u64, 1500, as_of), name);
        }
    }
    assert!(total >= 14_000, "{total} comparisons");
}
