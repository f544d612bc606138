//! Test fixtures: small manifests and modules built in code. Documents and articles are labelled 测试 so no
//! fixture can be mistaken for a real legal basis.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use xince_abi::manifest::*;
use xince_abi::sections::{WASM_HEADER, encode_custom_section};

pub fn citation(article: &str) -> Citation {
    Citation { document: "测试文号〔2024〕1号".into(), article: article.into() }
}

pub fn basis(name: &str, verified: bool) -> Basis {
    Basis {
        name: name.into(), document: format!("{name}文号"), article: None, rank: "规范性文件".into(), verified
    }
}

pub fn manifest_v1() -> Manifest {
    Manifest {
        abi_version: xince_abi::ABI_VERSION,
        compiler_version: "xince 0.1.0".into(),
        source_hash: "sha256:1111".into(),
        policy: PolicyInfo {
            id: "测试省/测试县/信用方案".into(),
            name: "测试县信用方案".into(),
            jurisdiction: "测试省/测试县".into(),
            issuer: "测试县信用办".into(),
            document: "测试文号〔2024〕1号".into(),
            version: "2024.1".into(),
            effective_from: "2024-01-01".into(),
            effective_until: None,
            level: "县".into(),
            extends: vec![],
            supersedes: None,
            version_rule: "从旧兼从轻".into(),
        },
        vocab: Default::default(),
        lists: vec![
            ListInfo {
                name: "严重失信主体名单".into(),
                category: "黑名单".into(),
                citation: citation("第5条"),
                basis: vec![basis("测试依据甲", true)],
                criterion: "记录.类型 == 行政处罚 且 记录.严重程度 == 严重".into(),
                period: "3年".into(),
                repair_conditions: vec!["履行义务".into(), "信用承诺".into()],
                exits: vec!["期满".into(), "修复".into()],
                remedies: vec!["行政复议".into()],
                precedence_over: vec!["诚信红名单".into()],
            },
            ListInfo {
                name: "诚信红名单".into(),
                category: "红名单".into(),
                citation: citation("第4条"),
                basis: vec![basis("测试依据甲", true)],
                criterion: "无 记录(记录.严重程度 属于 [一般, 严重]) 近 3年".into(),
                period: "1年".into(),
                repair_conditions: vec![],
                exits: vec!["期满".into()],
                remedies: vec![],
                precedence_over: vec![],
            },
        ],
        measures: vec![MeasureInfo {
            name: "限制参加政府采购".into(),
            kind: "惩戒".into(),
            mandatory: false,
            basis: vec![basis("测试依据乙", false)],
            implementer: vec!["测试县财政局".into()],
            scenarios: vec!["政府采购".into()],
            targets: vec!["主体".into()],
            trigger: "在 严重失信主体名单".into(),
            trigger_list: Some(0),
            citation: citation("第6条"),
            refines: None,
            description: None,
        }],
        incentives: vec![IncentiveInfo {
            name: "绿色通道".into(),
            benefits: vec!["容缺受理".into()],
            scenarios: vec!["行政审批".into()],
            clauses: vec!["在 诚信红名单".into()],
            basis: vec![],
            implementer: vec!["测试县政务服务中心".into()],
            citation: citation("第8条"),
        }],
        notifications: vec![],
        grading: None,
        objection: Some(ObjectionInfo {
            deadline: Some("5工作日".into()),
            suspends_measures: true,
            citation: citation("第11条"),
        }),
        regimes: vec![],
        unverified: vec!["测试依据乙".into()],
    }
}

/// v2: the black list's period shortens and gains a training condition, the procurement measure becomes
/// mandatory with a second basis and a related-person target, the red list is removed, a watch list added.
pub fn manifest_v2() -> Manifest {
    let mut m = manifest_v1();
    m.policy.version = "2024.2".into();
    m.policy.document = "测试文号〔2024〕9号".into();
    m.source_hash = "sha256:2222".into();
    let black = &mut m.lists[0];
    black.period = "2年".into();
    black.repair_conditions.push("接受培训".into());
    black.precedence_over.clear();
    m.lists.remove(1);
    m.lists.push(ListInfo {
        name: "重点关注名单".into(),
        category: "重点关注名单".into(),
        citation: citation("第7条"),
        basis: vec![basis("测试依据甲", true)],
        criterion: "计数 记录(记录.严重程度 == 一般) 近 1年 >= 2".into(),
        period: "1年".into(),
        repair_conditions: vec!["信用承诺".into()],
        exits: vec!["期满".into(), "修复".into()],
        remedies: vec!["行政复议".into()],
        precedence_over: vec![],
    });
    let measure = &mut m.measures[0];
    measure.mandatory = true;
    measure.basis.push(basis("测试依据丙", true));
    measure.targets.push("法定代表人".into());
    measure.citation = citation("第6条第2款");
    m.incentives[0].clauses = vec!["无 记录(记录.严重程度 属于 [一般, 严重]) 近 3年".into()];
    m
}

/// A module with one empty type section and the manifest section.
pub fn module_with_manifest_json(json: &[u8]) -> Vec<u8> {
    let mut m = WASM_HEADER.to_vec();
    m.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
    m.extend_from_slice(&encode_custom_section(xince_abi::MANIFEST_SECTION, json));
    m
}

pub fn module_with(manifest: &Manifest) -> Vec<u8> {
    module_with_manifest_json(&serde_json::to_vec(manifest).unwrap())
}
