//! The manifest of a module as text a reviewer reads: every list, measure and incentive with its criterion,
//! period, basis and citation, in the user's language (Chinese by default).

use std::fmt::Write;
use xince_abi::manifest::{Basis, Citation, Manifest};
use xince_abi::signature::SignatureBlock;
use xince_lang::Lang;

struct Out {
    lang: Lang,
    text: String,
}

impl Out {
    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.text, "{}{}", "  ".repeat(indent), text);
    }
    /// `label: value`, with the label translated.
    fn field(&mut self, indent: usize, zh: &str, en: &str, value: &str) {
        let sep = self.t("：", ": ");
        let label = self.t(zh, en).to_string();
        self.line(indent, &format!("{label}{sep}{value}"));
    }
    fn list_field(&mut self, indent: usize, zh: &str, en: &str, values: &[String]) {
        let joined = join(self.lang, values);
        self.field(indent, zh, en, &joined);
    }
    fn heading(&mut self, zh: &str, en: &str, count: usize) {
        let label = self.t(zh, en).to_string();
        self.text.push('\n');
        self.line(0, &format!("{label} ({count})"));
    }
}

/// `a、b、c` in Chinese, `a, b, c` in English; `（无）` / `(none)` when empty.
pub fn join(lang: Lang, values: &[String]) -> String {
    if values.is_empty() {
        return match lang {
            Lang::Zh => "（无）".to_string(),
            Lang::En => "(none)".to_string(),
        };
    }
    values.join(match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    })
}

/// `巫山信用办发〔2022〕3号 第5条`.
pub fn citation_text(c: &Citation) -> String {
    if c.article.is_empty() { c.document.clone() } else { format!("{} {}", c.document, c.article) }
}

/// `《社会信用体系建设法》 国办发〔2020〕49号 第3条 [规范性文件，未核实]`.
pub fn basis_text(lang: Lang, b: &Basis) -> String {
    let mut s = b.name.clone();
    if !b.document.is_empty() && b.document != b.name {
        s.push(' ');
        s.push_str(&b.document);
    }
    if let Some(a) = &b.article {
        s.push(' ');
        s.push_str(a);
    }
    let unverified = match lang {
        Lang::Zh => "，未核实",
        Lang::En => ", unverified",
    };
    let _ = write!(s, " [{}{}]", b.rank, if b.verified { "" } else { unverified });
    s
}

fn bases(lang: Lang, basis: &[Basis]) -> Vec<String> {
    basis.iter().map(|b| basis_text(lang, b)).collect()
}

/// Renders `manifest` (and the signature block, if the module carries one) for reading.
pub fn render(manifest: &Manifest, signature: Option<&SignatureBlock>, lang: Lang) -> String {
    let mut o = Out { lang, text: String::new() };
    let p = &manifest.policy;
    let none = o.t("（无）", "(none)").to_string();
    o.field(0, "政策", "policy", &format!("{} ({})", p.name, p.id));
    o.field(1, "辖区", "jurisdiction", &p.jurisdiction);
    o.field(1, "层级", "level", &p.level);
    o.field(1, "制定机关", "issuer", &p.issuer);
    o.field(1, "文号", "document", &p.document);
    o.field(1, "版本", "version", &p.version);
    let until = p.effective_until.clone().unwrap_or_else(|| o.t("长期", "open-ended").to_string());
    o.field(1, "有效期", "in force", &format!("{} — {until}", p.effective_from));
    o.field(1, "版本规则", "version rule", &p.version_rule);
    o.list_field(1, "上级政策", "extends", &p.extends);
    o.field(1, "替代", "supersedes", p.supersedes.as_deref().unwrap_or(&none));
    o.field(1, "源文件哈希", "source hash", &manifest.source_hash);
    o.field(1, "编译器版本", "compiler version", &manifest.compiler_version);
    o.field(1, "ABI 版本", "ABI version", &manifest.abi_version.to_string());
    match signature {
        Some(s) => {
            let note = o.t("（未验证，请用 xince verify）", " (not verified; use xince verify)").to_string();
            o.field(1, "签名", "signature", &format!("{} {} {}{note}", s.algorithm, s.key_id, s.issuer));
        }
        None => {
            let unsigned = o.t("未签名", "unsigned").to_string();
            o.field(1, "签名", "signature", &unsigned);
        }
    }

    o.heading("名单", "Lists", manifest.lists.len());
    for l in &manifest.lists {
        o.line(1, &format!("{} [{}]", l.name, l.category));
        o.field(2, "纳入条件", "criterion", &l.criterion);
        o.field(2, "期限", "period", &l.period);
        o.list_field(2, "修复条件", "repair conditions", &l.repair_conditions);
        o.list_field(2, "移出方式", "exits", &l.exits);
        o.list_field(2, "救济", "remedies", &l.remedies);
        o.list_field(2, "优先于", "precedence over", &l.precedence_over);
        o.list_field(2, "依据", "basis", &bases(lang, &l.basis));
        o.field(2, "出处", "citation", &citation_text(&l.citation));
    }

    o.heading("措施", "Measures", manifest.measures.len());
    for m in &manifest.measures {
        let nature = if m.mandatory { o.t("强制", "mandatory") } else { o.t("推荐", "recommended") }.to_string();
        o.line(1, &format!("{} [{}，{nature}]", m.name, m.kind));
        o.field(2, "适用", "trigger", &m.trigger);
        o.list_field(2, "实施单位", "implementer", &m.implementer);
        o.list_field(2, "场景", "scenarios", &m.scenarios);
        o.list_field(2, "对象", "targets", &m.targets);
        o.list_field(2, "依据", "basis", &bases(lang, &m.basis));
        if let Some(r) = &m.refines {
            o.field(2, "细化", "refines", r);
        }
        if let Some(d) = &m.description {
            o.field(2, "说明", "description", d);
        }
        o.field(2, "出处", "citation", &citation_text(&m.citation));
    }

    o.heading("激励", "Incentives", manifest.incentives.len());
    for i in &manifest.incentives {
        o.line(1, &i.name);
        for (n, c) in i.clauses.iter().enumerate() {
            o.field(2, &format!("条件{}", n + 1), &format!("condition {}", n + 1), c);
        }
        o.list_field(2, "内容", "benefits", &i.benefits);
        o.list_field(2, "场景", "scenarios", &i.scenarios);
        o.list_field(2, "实施单位", "implementer", &i.implementer);
        o.list_field(2, "依据", "basis", &bases(lang, &i.basis));
        o.field(2, "出处", "citation", &citation_text(&i.citation));
    }

    o.heading("通报", "Notifications", manifest.notifications.len());
    for n in &manifest.notifications {
        o.line(1, &n.name);
        o.field(2, "条件", "condition", &n.condition);
        o.list_field(2, "对象", "recipients", &n.recipients);
        o.field(2, "出处", "citation", &citation_text(&n.citation));
    }

    if let Some(g) = &manifest.grading {
        o.heading("分级", "Grading", g.levels.len());
        o.line(1, &format!("{} ({})", g.name, citation_text(&g.citation)));
        for level in &g.levels {
            let sup = level
                .supervision
                .as_deref()
                .map(|s| format!("；{} {s}", o.t("抽查", "inspection")))
                .unwrap_or_default();
            let when = o.t("当", "when").to_string();
            o.line(2, &format!("{} {when} {}{sup}", level.name, level.condition));
        }
    }

    if let Some(obj) = &manifest.objection {
        o.text.push('\n');
        o.line(0, o.t("异议", "Objection"));
        o.field(1, "处理时限", "deadline", obj.deadline.as_deref().unwrap_or(&none));
        let suspends = if obj.suspends_measures { o.t("是", "yes") } else { o.t("否", "no") }.to_string();
        o.field(1, "异议期间暂停措施", "suspends measures", &suspends);
        o.field(1, "出处", "citation", &citation_text(&obj.citation));
    }

    o.heading("信用修复制度", "Repair regimes", manifest.regimes.len());
    for r in &manifest.regimes {
        let until = r.effective_until.clone().unwrap_or_else(|| o.t("长期", "open-ended").to_string());
        let unverified = if r.verified { "" } else { o.t(" [未核实]", " [unverified]") };
        o.line(1, &format!("{} {} ({} — {until}){unverified}", r.name, r.document, r.effective_from));
        for (severity, pair) in &r.periods {
            let to = o.t("至", "to");
            let period = match &pair.minimum {
                Some(min) => format!("{min} {to} {}", pair.maximum),
                None => pair.maximum.clone(),
            };
            o.line(2, &format!("{severity}: {period}"));
        }
    }

    o.heading("未核实的事实", "Unverified facts", manifest.unverified.len());
    for u in &manifest.unverified {
        o.line(1, u);
    }
    o.text
}
