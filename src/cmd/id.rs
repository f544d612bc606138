//! `xince id check CODE`: verifies a 统一社会信用代码 or 居民身份证号码 and shows its structure.

use crate::ui::Ui;
use std::process::ExitCode;
use xince_lang::Lang;
use xince_stdlib::ids::{self, Identifier, Sex};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: IdCommand,
}

#[derive(clap::Subcommand)]
enum IdCommand {
    /// 校验统一社会信用代码或居民身份证号码（自动识别），无效时退出码为 1 / check a credit code or resident ID
    /// number (detected automatically); exit 1 when invalid
    Check { code: String },
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let IdCommand::Check { code } = args.command;
    match ids::check_any(&code) {
        Ok(id) => {
            print!("{}", describe(&id, ui));
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            let message = match ui.lang {
                Lang::Zh => err.message_zh(),
                Lang::En => err.message_en(),
            };
            println!("{}{message}", ui.t("无效：", "invalid: "));
            Ok(ExitCode::from(1))
        }
    }
}

/// The decoded structure, one field a line.
pub fn describe(id: &Identifier, ui: &Ui) -> String {
    let unlisted = ui.t("未列明", "not listed");
    let mut out = String::new();
    let colon = ui.t("：", ": ");
    let mut line = |zh: &str, en: &str, value: String| out.push_str(&format!("  {}{colon}{value}\n", ui.t(zh, en)));
    let header = match id {
        Identifier::CreditCode(c) => {
            line(
                "登记管理部门码",
                "registration authority",
                format!("{} {}", c.department, c.department_name.unwrap_or(unlisted)),
            );
            line(
                "机构类别码",
                "organisation category",
                format!("{} {}", c.category, c.category_name.unwrap_or(unlisted)),
            );
            line("行政区划码", "administrative division", c.region.clone());
            line("主体标识码", "entity identifier", c.body.clone());
            line("校验码", "check character", c.check.to_string());
            format!(
                "{}{} {}\n",
                ui.t("有效：", "valid: "),
                ui.t("统一社会信用代码", "unified social credit code"),
                c.code
            )
        }
        Identifier::ResidentId(r) => {
            line("地址码", "address code", r.region.clone());
            line("出生日期", "birth date", r.birth_date.to_string());
            line("顺序码", "sequence", r.sequence.clone());
            let sex = match r.sex {
                Sex::Male => ui.t("男", "male"),
                Sex::Female => ui.t("女", "female"),
            };
            line("性别", "sex", sex.to_string());
            line("校验码", "check character", r.check.to_string());
            format!(
                "{}{} {}\n",
                ui.t("有效：", "valid: "),
                ui.t("居民身份证号码", "resident identity card number"),
                r.code
            )
        }
    };
    format!("{header}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_a_credit_code_in_both_languages() {
        let id = ids::check_any("91110000600037341L").unwrap();
        let zh = describe(&id, &Ui { lang: Lang::Zh });
        assert!(zh.starts_with("有效：统一社会信用代码 91110000600037341L\n"), "{zh}");
        assert!(zh.contains("  机构类别码：1 企业\n"), "{zh}");
        let en = describe(&id, &Ui { lang: Lang::En });
        assert!(en.contains("  registration authority: 9 工商（市场监管）\n"), "{en}");
    }
}
