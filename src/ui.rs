//! Message language selection and error printing for the CLI.

use xince_lang::Lang;

pub struct Ui {
    pub lang: Lang,
}

impl Ui {
    /// `--lang` wins, then `XINCE_LANG`, then `LANG`/`LC_ALL` starting with `en`; Chinese otherwise.
    pub fn new(flag: Option<&str>) -> Self {
        let pick = |s: &str| if s.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh };
        let lang = match flag {
            Some(f) => pick(f),
            None => match std::env::var("XINCE_LANG") {
                Ok(v) => pick(&v),
                Err(_) => match std::env::var("LC_ALL").or_else(|_| std::env::var("LANG")) {
                    Ok(v) if v.to_ascii_lowercase().starts_with("en") => Lang::En,
                    _ => Lang::Zh,
                },
            },
        };
        Ui { lang }
    }

    /// Picks the message for the user's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn error(&self, err: &anyhow::Error) {
        eprintln!("{}: {err:#}", self.t("错误", "error"));
    }
}
