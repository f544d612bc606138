//! `xince date`: working-day arithmetic on the national calendar (2017–2026), for drafters checking deadlines.

use crate::ui::Ui;
use anyhow::{Context, anyhow};
use std::process::ExitCode;
use xince_abi::date::{CivilDate, DayNumber};
use xince_lang::Lang;
use xince_stdlib::calendar::{Calendar, Duration};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DateCommand,
    /// 日历数据（2017—2026）以外按周一至周五计算，而不是报错 / outside the calendar data (2017-2026), count
    /// Monday-Friday as working days instead of failing
    #[arg(long, global = true)]
    weekdays_only: bool,
}

#[derive(clap::Subcommand)]
enum DateCommand {
    /// 起算日加期间（开始的当日不计入），如 `2024-02-08 7工作日` / add a period to a date (start day not counted)
    Add {
        /// 起算日 YYYY-MM-DD / start date
        from: String,
        /// 期间：30日、6个月、3年、7工作日 / period
        period: String,
    },
    /// 两日之间的工作日数（不含起日，含止日）/ working days after FROM up to and including TO
    Workdays { from: String, to: String },
    /// 是否工作日 / whether a date is a working day
    IsWorkday { date: String },
}

fn parse_date(text: &str, ui: &Ui) -> anyhow::Result<DayNumber> {
    let date = CivilDate::parse(text.trim())
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("{}「{text}」", ui.t("日期", "date")))?;
    Ok(date.to_days())
}

/// `2024-02-23（2024年2月23日，星期五）` or `2024-02-23 (Friday)`.
pub fn describe_day(day: DayNumber, ui: &Ui) -> String {
    let d = CivilDate::from_days(day);
    let idx = (d.weekday() - 1) as usize;
    match ui.lang {
        Lang::Zh => {
            let names = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];
            format!("{d}（{}年{}月{}日，{}）", d.year, d.month, d.day, names.get(idx).unwrap_or(&""))
        }
        Lang::En => {
            let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
            format!("{d} ({})", names.get(idx).unwrap_or(&""))
        }
    }
}

fn calendar_error(err: xince_stdlib::calendar::CalendarError, ui: &Ui) -> anyhow::Error {
    anyhow!(
        "{err}\n{}",
        ui.t(
            "提示：如确需按周一至周五推算，请加 --weekdays-only",
            "hint: pass --weekdays-only to count Monday-Friday outside the data"
        )
    )
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let calendar = if args.weekdays_only { Calendar::WEEKDAYS_FALLBACK } else { Calendar::NATIONAL };
    match args.command {
        DateCommand::Add { from, period } => {
            let from = parse_date(&from, ui)?;
            let duration = Duration::parse(&period).map_err(|e| anyhow!("{e}"))?;
            let day = calendar.add(from, duration).map_err(|e| calendar_error(e, ui))?;
            println!("{}", describe_day(day, ui));
        }
        DateCommand::Workdays { from, to } => {
            let (from, to) = (parse_date(&from, ui)?, parse_date(&to, ui)?);
            let count = calendar.workdays_between(from, to).map_err(|e| calendar_error(e, ui))?;
            println!("{count}");
        }
        DateCommand::IsWorkday { date } => {
            let day = parse_date(&date, ui)?;
            let work = calendar.is_workday(day).map_err(|e| calendar_error(e, ui))?;
            let answer = match (work, ui.lang) {
                (true, Lang::Zh) => "工作日",
                (false, Lang::Zh) => "非工作日",
                (true, Lang::En) => "working day",
                (false, Lang::En) => "not a working day",
            };
            println!("{}: {answer}", describe_day(day, ui));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_days_with_weekday() {
        let day = CivilDate::parse("2024-02-23").unwrap().to_days();
        assert_eq!(describe_day(day, &Ui { lang: Lang::Zh }), "2024-02-23（2024年2月23日，星期五）");
        assert_eq!(describe_day(day, &Ui { lang: Lang::En }), "2024-02-23 (Friday)");
    }
}
