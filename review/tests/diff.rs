mod common;

use common::*;
use xince_lang::Lang;
use xince_review::diff::{self, ItemChange, Section, ValueChange};

#[test]
fn identical_versions_have_no_changes() {
    let d = diff::diff_manifests(&manifest_v1(), &manifest_v1());
    assert!(d.is_empty());
    assert!(diff::render_text(&d, Lang::Zh).contains("规则无变化"));
}

#[test]
fn typed_diff_reports_each_change_with_old_and_new() {
    let d = diff::diff_manifests(&manifest_v1(), &manifest_v2());
    assert_eq!(d.counts(Section::List), (1, 1, 1));
    assert_eq!(d.counts(Section::Measure), (0, 0, 1));
    assert_eq!(d.counts(Section::Incentive), (0, 0, 1));
    assert_eq!(d.counts(Section::Objection), (0, 0, 0));

    let measure = d.items.iter().find(|i| i.name == "限制参加政府采购").unwrap();
    let ItemChange::Changed { fields } = &measure.change else { panic!("measure should be changed") };
    let mandatory = fields.iter().find(|f| f.key == "mandatory").unwrap();
    assert_eq!(mandatory.change, ValueChange::Text { old: Some("推荐".into()), new: Some("强制".into()) });
    let basis = fields.iter().find(|f| f.key == "basis").unwrap();
    assert_eq!(
        basis.change,
        ValueChange::Set {
            added: vec!["测试依据丙 测试依据丙文号 [规范性文件]".into()], removed: vec![]
        }
    );
    let targets = fields.iter().find(|f| f.key == "targets").unwrap();
    assert_eq!(targets.change, ValueChange::Set { added: vec!["法定代表人".into()], removed: vec![] });

    let black = d.items.iter().find(|i| i.name == "严重失信主体名单").unwrap();
    let ItemChange::Changed { fields } = &black.change else { panic!("black list should be changed") };
    let keys: Vec<_> = fields.iter().map(|f| f.key).collect();
    assert_eq!(keys, vec!["period", "repair_conditions", "precedence_over"]);

    let header_keys: Vec<_> = d.header.iter().map(|f| f.key).collect();
    assert_eq!(header_keys, vec!["document", "version", "source_hash"]);
}

#[test]
fn text_rendering() {
    let d = diff::diff_manifests(&manifest_v1(), &manifest_v2());
    insta::assert_snapshot!("diff_text_zh", diff::render_text(&d, Lang::Zh));
    insta::assert_snapshot!("diff_text_en", diff::render_text(&d, Lang::En));
}

#[test]
fn markdown_rendering() {
    let d = diff::diff_manifests(&manifest_v1(), &manifest_v2());
    insta::assert_snapshot!("diff_markdown", diff::render_markdown(&d, Lang::Zh));
}

#[test]
fn json_rendering() {
    let d = diff::diff_manifests(&manifest_v1(), &manifest_v2());
    insta::assert_json_snapshot!("diff_json", d);
}

#[test]
fn inspect_rendering() {
    let text = xince_review::inspect::render(&manifest_v1(), None, Lang::Zh);
    insta::assert_snapshot!("inspect_zh", text);
}
