//! The shipped xince sources parse cleanly and declare what the ABI and the docs promise.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test helpers fail loudly

use xince_abi::manifest::vocab_names;
use xince_lang::ast::{ExprKind, Item, ItemKind, SourceFile};
use xince_stdlib::{SOURCES, source, sources_for_use};

fn parse_all() -> Vec<(&'static str, SourceFile)> {
    SOURCES
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let parsed = xince_lang::parse(i as u32, s.text);
            let errors: Vec<_> =
                parsed.diagnostics.iter().map(|d| format!("{} {}: {}", s.path, d.code, d.message.zh)).collect();
            assert!(errors.is_empty(), "{errors:#?}");
            (s.path, parsed.file)
        })
        .collect()
}

fn items(kind: ItemKind) -> Vec<Item> {
    parse_all().into_iter().flat_map(|(_, f)| f.items).filter(|i| i.kind == kind).collect()
}

fn name(item: &Item) -> String {
    item.name.as_ref().map(|n| n.text()).unwrap_or_default()
}

fn clause<'a>(item: &'a Item, key: &str) -> Option<&'a xince_lang::ast::Clause> {
    item.clauses.iter().find(|c| c.key.text == key)
}

fn words(item: &Item, key: &str) -> Vec<String> {
    clause(item, key)
        .map(|c| {
            c.values
                .iter()
                .map(|v| match &v.kind {
                    ExprKind::Path(p) => p.text(),
                    other => panic!("{}: unexpected value {other:?}", name(item)),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_file_declares_its_module() {
    for (i, (path, file)) in parse_all().iter().enumerate() {
        let first = &file.items[0];
        assert_eq!(first.kind, ItemKind::Module, "{path}");
        assert_eq!(name(first), SOURCES[i].module, "{path}");
        assert_eq!(source(path), Some(SOURCES[i].text));
    }
    assert_eq!(source("标准库/不存在.xince"), None);
}

#[test]
fn use_paths_select_modules() {
    assert_eq!(sources_for_use("标准库").map(|v| v.len()), Some(SOURCES.len()));
    let one = sources_for_use("标准库.修复").unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].path, "标准库/修复.xince");
    assert!(sources_for_use("标准").is_none());
    assert!(sources_for_use("标准库.修").is_none());
}

#[test]
fn vocabularies_are_exactly_the_abi_ones_without_duplicates() {
    let vocabs = items(ItemKind::Vocab);
    let names: Vec<String> = vocabs.iter().map(name).collect();
    assert_eq!(names, vocab_names::ALL.to_vec());
    for v in &vocabs {
        let values = words(v, "取值");
        assert!(!values.is_empty(), "{}", name(v));
        let mut seen = std::collections::HashSet::new();
        for value in &values {
            assert!(seen.insert(value), "{}: duplicate {value}", name(v));
        }
    }
    let flags = vocabs.iter().find(|v| name(v) == vocab_names::FLAG).unwrap();
    assert!(words(flags, "取值").len() <= 64, "flags are a u64 bit set");
    let records = vocabs.iter().find(|v| name(v) == vocab_names::RECORD_TYPE).unwrap();
    let record_types = words(records, "取值");
    assert!(record_types.contains(&vocab_names::OBJECTION_RECORD.to_string()));
    assert!(record_types.contains(&vocab_names::REPAIR_RECORD.to_string()));
}

#[test]
fn regime_versions_follow_each_other_by_date() {
    let regimes = items(ItemKind::Regime);
    let national: Vec<_> = regimes.iter().filter(|r| name(r) == "国家信用修复制度").collect();
    let dates: Vec<(String, Option<String>)> = national
        .iter()
        .map(|r| {
            let date = |k| {
                clause(r, k).map(|c| match &c.values[0].kind {
                    ExprKind::Date { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
                    other => panic!("{other:?}"),
                })
            };
            (date("生效").unwrap(), date("失效"))
        })
        .collect();
    assert_eq!(
        dates,
        vec![
            ("2019-01-01".to_string(), Some("2023-04-30".to_string())),
            ("2023-05-01".to_string(), Some("2026-03-31".to_string())),
            ("2026-04-01".to_string(), None),
        ]
    );
    // only 36号令 has a 轻微 tier; only 527号 has a non-repairable class
    let has = |k| national.iter().map(|r| clause(r, k).is_some()).collect::<Vec<_>>();
    assert_eq!(has("轻微"), vec![false, false, true]);
    assert_eq!(has("一般"), vec![true, true, true]);
    assert_eq!(has("严重"), vec![true, true, true]);
    assert_eq!(has("不可修复"), vec![true, false, false]);
}

#[test]
fn bases_referenced_exist_and_unverified_facts_stay_unverified() {
    let bases = items(ItemKind::Basis);
    let verified = |n: &str| {
        let b = bases.iter().find(|b| name(b) == n).unwrap_or_else(|| panic!("no basis {n}"));
        match &clause(b, "核实").unwrap().values[0].kind {
            ExprKind::Bool(v) => *v,
            ExprKind::Path(p) => p.text() == "是",
            other => panic!("{other:?}"),
        }
    };
    for n in ["总局令第44号", "全国失信惩戒措施基础清单2021", "失信被执行人名单规定", "国办发〔2025〕22号第五部分"]
    {
        assert!(!verified(n), "{n} is unverified in the facts");
    }
    for n in ["最高法限制高消费规定第三条", "国办发〔2020〕49号", "发展改革委令第36号", "民法典第二百零二条"]
    {
        assert!(verified(n), "{n} is verified in the facts");
    }
    for item in items(ItemKind::List).iter().chain(items(ItemKind::Measure).iter()) {
        for key in ["依据", "出处"] {
            let refs = words(item, key);
            assert!(!refs.is_empty(), "{} has no {key}", name(item));
            for r in refs {
                assert!(bases.iter().any(|b| name(b) == r), "{}: {key} {r} is not a 依据", name(item));
            }
        }
        assert!(clause(item, if item.kind == ItemKind::List { "纳入" } else { "适用" }).is_some(), "{}", name(item));
    }
}

#[test]
fn the_nine_high_consumption_restrictions_target_the_responsible_persons() {
    let measures = items(ItemKind::Measure);
    let high: Vec<_> = measures.iter().filter(|m| words(m, "依据") == ["最高法限制高消费规定第三条"]).collect();
    assert_eq!(high.len(), 9);
    for m in high {
        assert_eq!(words(m, "对象"), ["主体", "法定代表人", "主要负责人", "实际控制人", "直接责任人员"]);
        assert_eq!(words(m, "场景"), ["高消费"]);
    }
}
