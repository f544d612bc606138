//! The national working-day calendar (工作日), 2017-01-01 – 2026-12-31.
//!
//! A date is a working day when it is a 调休 working weekend day, or a Monday–Friday outside every public
//! holiday range. The data is keyed by date, not by notice year: the 元旦 holidays of 2019 and 2023 start in
//! the previous December. Source for every year: the 国务院办公厅 annual 部分节假日安排 notices, as collected in
//! `/work/shared/facts/README.md` §6 (2020 includes the COVID extension of 春节 to 02-02).
//!
//! Periods follow 《民法典》第二百零一条 (开始的当日不计入) and 第二百零二条 (month-end rule). Outside the data the
//! calendar never guesses: it returns [`CalendarError::OutOfRange`], unless the caller explicitly chose
//! [`Fallback::WeekdaysOnly`].

use std::fmt;
use std::sync::OnceLock;
use xince_abi::date::{CivilDate, DayNumber};

type Ymd = (i32, u32, u32);

/// One year's 放假安排 as published.
struct YearNotice {
    /// Holiday ranges, inclusive (may start in the previous December).
    holidays: &'static [(Ymd, Ymd)],
    /// Weekend days that are working days (调休).
    workdays: &'static [Ymd],
}

/// First covered day.
pub const FIRST: Ymd = (2017, 1, 1);
/// Last covered day.
pub const LAST: Ymd = (2026, 12, 31);

const NOTICES: &[YearNotice] = &[
    // 2017 — 国务院办公厅 2017年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2017, 1, 1), (2017, 1, 2)),
            ((2017, 1, 27), (2017, 2, 2)),
            ((2017, 4, 2), (2017, 4, 4)),
            ((2017, 5, 1), (2017, 5, 1)),
            ((2017, 5, 28), (2017, 5, 30)),
            ((2017, 10, 1), (2017, 10, 8)),
        ],
        workdays: &[(2017, 1, 22), (2017, 2, 4), (2017, 4, 1), (2017, 5, 27), (2017, 9, 30)],
    },
    // 2018 — 国务院办公厅 2018年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2018, 1, 1), (2018, 1, 1)),
            ((2018, 2, 15), (2018, 2, 21)),
            ((2018, 4, 5), (2018, 4, 7)),
            ((2018, 4, 29), (2018, 5, 1)),
            ((2018, 6, 18), (2018, 6, 18)),
            ((2018, 9, 24), (2018, 9, 24)),
            ((2018, 10, 1), (2018, 10, 7)),
        ],
        workdays: &[(2018, 2, 11), (2018, 2, 24), (2018, 4, 8), (2018, 4, 28), (2018, 9, 29), (2018, 9, 30)],
    },
    // 2019 — 国务院办公厅 2019年部分节假日安排 (facts §6); 元旦 starts 2018-12-30, 调休 2018-12-29.
    YearNotice {
        holidays: &[
            ((2018, 12, 30), (2019, 1, 1)),
            ((2019, 2, 4), (2019, 2, 10)),
            ((2019, 4, 5), (2019, 4, 5)),
            ((2019, 5, 1), (2019, 5, 4)),
            ((2019, 6, 7), (2019, 6, 7)),
            ((2019, 9, 13), (2019, 9, 13)),
            ((2019, 10, 1), (2019, 10, 7)),
        ],
        workdays: &[
            (2018, 12, 29),
            (2019, 2, 2),
            (2019, 2, 3),
            (2019, 4, 28),
            (2019, 5, 5),
            (2019, 9, 29),
            (2019, 10, 12),
        ],
    },
    // 2020 — 国务院办公厅 2020年部分节假日安排, with the 国务院办公厅 COVID extension of 春节 to 02-02
    // (facts §6).
    YearNotice {
        holidays: &[
            ((2020, 1, 1), (2020, 1, 1)),
            ((2020, 1, 24), (2020, 2, 2)),
            ((2020, 4, 4), (2020, 4, 6)),
            ((2020, 5, 1), (2020, 5, 5)),
            ((2020, 6, 25), (2020, 6, 27)),
            ((2020, 10, 1), (2020, 10, 8)),
        ],
        workdays: &[(2020, 1, 19), (2020, 4, 26), (2020, 5, 9), (2020, 6, 28), (2020, 9, 27), (2020, 10, 10)],
    },
    // 2021 — 国务院办公厅 2021年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2021, 1, 1), (2021, 1, 3)),
            ((2021, 2, 11), (2021, 2, 17)),
            ((2021, 4, 3), (2021, 4, 5)),
            ((2021, 5, 1), (2021, 5, 5)),
            ((2021, 6, 12), (2021, 6, 14)),
            ((2021, 9, 19), (2021, 9, 21)),
            ((2021, 10, 1), (2021, 10, 7)),
        ],
        workdays: &[
            (2021, 2, 7),
            (2021, 2, 20),
            (2021, 4, 25),
            (2021, 5, 8),
            (2021, 9, 18),
            (2021, 9, 26),
            (2021, 10, 9),
        ],
    },
    // 2022 — 国务院办公厅 2022年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2022, 1, 1), (2022, 1, 3)),
            ((2022, 1, 31), (2022, 2, 6)),
            ((2022, 4, 3), (2022, 4, 5)),
            ((2022, 4, 30), (2022, 5, 4)),
            ((2022, 6, 3), (2022, 6, 5)),
            ((2022, 9, 10), (2022, 9, 12)),
            ((2022, 10, 1), (2022, 10, 7)),
        ],
        workdays: &[
            (2022, 1, 29),
            (2022, 1, 30),
            (2022, 4, 2),
            (2022, 4, 24),
            (2022, 5, 7),
            (2022, 10, 8),
            (2022, 10, 9),
        ],
    },
    // 2023 — 国务院办公厅 2023年部分节假日安排 (facts §6); 元旦 starts 2022-12-31.
    YearNotice {
        holidays: &[
            ((2022, 12, 31), (2023, 1, 2)),
            ((2023, 1, 21), (2023, 1, 27)),
            ((2023, 4, 5), (2023, 4, 5)),
            ((2023, 4, 29), (2023, 5, 3)),
            ((2023, 6, 22), (2023, 6, 24)),
            ((2023, 9, 29), (2023, 10, 6)),
        ],
        workdays: &[
            (2023, 1, 28),
            (2023, 1, 29),
            (2023, 4, 23),
            (2023, 5, 6),
            (2023, 6, 25),
            (2023, 10, 7),
            (2023, 10, 8),
        ],
    },
    // 2024 — 国务院办公厅 2024年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2024, 1, 1), (2024, 1, 1)),
            ((2024, 2, 10), (2024, 2, 17)),
            ((2024, 4, 4), (2024, 4, 6)),
            ((2024, 5, 1), (2024, 5, 5)),
            ((2024, 6, 10), (2024, 6, 10)),
            ((2024, 9, 15), (2024, 9, 17)),
            ((2024, 10, 1), (2024, 10, 7)),
        ],
        workdays: &[
            (2024, 2, 4),
            (2024, 2, 18),
            (2024, 4, 7),
            (2024, 4, 28),
            (2024, 5, 11),
            (2024, 9, 14),
            (2024, 9, 29),
            (2024, 10, 12),
        ],
    },
    // 2025 — 国务院办公厅 2025年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2025, 1, 1), (2025, 1, 1)),
            ((2025, 1, 28), (2025, 2, 4)),
            ((2025, 4, 4), (2025, 4, 6)),
            ((2025, 5, 1), (2025, 5, 5)),
            ((2025, 5, 31), (2025, 6, 2)),
            ((2025, 10, 1), (2025, 10, 8)),
        ],
        workdays: &[(2025, 1, 26), (2025, 2, 8), (2025, 4, 27), (2025, 9, 28), (2025, 10, 11)],
    },
    // 2026 — 国务院办公厅 2026年部分节假日安排 (facts §6).
    YearNotice {
        holidays: &[
            ((2026, 1, 1), (2026, 1, 3)),
            ((2026, 2, 15), (2026, 2, 23)),
            ((2026, 4, 4), (2026, 4, 6)),
            ((2026, 5, 1), (2026, 5, 5)),
            ((2026, 6, 19), (2026, 6, 21)),
            ((2026, 9, 25), (2026, 9, 27)),
            ((2026, 10, 1), (2026, 10, 7)),
        ],
        workdays: &[(2026, 1, 4), (2026, 2, 14), (2026, 2, 28), (2026, 5, 9), (2026, 9, 20), (2026, 10, 10)],
    },
];

fn day_of((y, m, d): Ymd) -> DayNumber {
    CivilDate { year: y, month: m, day: d }.to_days()
}

/// First and last covered day numbers.
pub fn covered_range() -> (DayNumber, DayNumber) {
    (day_of(FIRST), day_of(LAST))
}

fn is_weekday(day: DayNumber) -> bool {
    CivilDate::from_days(day).weekday() <= 5
}

/// The bitmap, built once from the notices (bit set = working day, LSB-first).
fn bitmap() -> &'static [u8] {
    static BITS: OnceLock<Vec<u8>> = OnceLock::new();
    BITS.get_or_init(|| {
        let (first, last) = covered_range();
        let count = (last - first + 1) as usize;
        let mut work: Vec<bool> = (first..=last).map(is_weekday).collect();
        let mut set = |day: DayNumber, value: bool| {
            if let Some(slot) = usize::try_from(day - first).ok().and_then(|i| work.get_mut(i)) {
                *slot = value;
            }
        };
        for notice in NOTICES {
            for &(start, end) in notice.holidays {
                for day in day_of(start)..=day_of(end) {
                    set(day, false);
                }
            }
        }
        // 调休 days last: they override nothing in the data (tests check they never fall in a holiday range).
        for notice in NOTICES {
            for &day in notice.workdays {
                set(day_of(day), true);
            }
        }
        let mut bits = vec![0u8; count.div_ceil(8)];
        for (i, _) in work.iter().enumerate().filter(|(_, w)| **w) {
            if let Some(byte) = bits.get_mut(i / 8) {
                *byte |= 1 << (i % 8);
            }
        }
        bits
    })
}

/// The calendar as one bit per day from 2017-01-01 (LSB-first within each byte; bit set = working day),
/// for embedding in compiled modules.
pub fn workday_bits() -> (DayNumber, u32, Vec<u8>) {
    let (first, last) = covered_range();
    (first, (last - first + 1) as u32, bitmap().to_vec())
}

/// Why a calendar question has no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarError {
    /// The day is outside the calendar data and the caller did not choose the weekdays-only fallback.
    OutOfRange { day: DayNumber },
    /// The result is not a representable date.
    Overflow,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::OutOfRange { day } => {
                let d = CivilDate::from_days(*day);
                let (first, last) = (CivilDate::from_days(covered_range().0), CivilDate::from_days(covered_range().1));
                write!(
                    f,
                    "{d} 超出国家工作日日历数据范围（{first} 至 {last}）/ {d} is outside the working-day calendar data ({first} to {last})"
                )
            }
            CalendarError::Overflow => f.write_str("日期超出可表示范围 / date out of representable range"),
        }
    }
}

impl std::error::Error for CalendarError {}

/// What to do for a day outside the calendar data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// Refuse: [`CalendarError::OutOfRange`] (the default, and what compiled modules do).
    Error,
    /// Treat Monday–Friday as working days outside the data. Only when the caller asks for it explicitly.
    WeekdaysOnly,
}

/// Period units (期间单位).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// 日
    Day,
    /// 个月
    Month,
    /// 年
    Year,
    /// 工作日
    WorkDay,
}

/// A period such as `3年`, `6个月`, `30日`, `7工作日`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: i32,
    pub unit: Unit,
}

/// Why a period text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationParseError {
    pub text: String,
}

impl fmt::Display for DurationParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "无法识别的期间「{}」，应为如 30日、6个月、3年、7工作日 / unrecognised period `{}` (e.g. 30日, 6个月, 3年, 7工作日)",
            self.text, self.text
        )
    }
}

impl std::error::Error for DurationParseError {}

impl Duration {
    pub const fn new(amount: i32, unit: Unit) -> Self {
        Duration { amount, unit }
    }

    /// Reads `30日`/`30天`, `6个月`/`6月`, `3年`, `7工作日`/`7个工作日` (ASCII digits, optional spaces).
    pub fn parse(text: &str) -> Result<Self, DurationParseError> {
        let err = || DurationParseError { text: text.to_string() };
        let t = text.trim();
        let digits_end = t.char_indices().find(|(_, c)| !c.is_ascii_digit()).map_or(t.len(), |(i, _)| i);
        let (num, rest) = t.split_at(digits_end);
        let amount: i32 = num.parse().map_err(|_| err())?;
        let unit = match rest.trim() {
            "日" | "天" => Unit::Day,
            "个月" | "月" => Unit::Month,
            "年" => Unit::Year,
            "工作日" | "个工作日" => Unit::WorkDay,
            _ => return Err(err()),
        };
        Ok(Duration { amount, unit })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Day => "日",
            Unit::Month => "个月",
            Unit::Year => "年",
            Unit::WorkDay => "工作日",
        };
        write!(f, "{}{unit}", self.amount)
    }
}

/// The national calendar with a chosen behaviour outside its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub fallback: Fallback,
}

impl Calendar {
    /// Strict: outside the data is an error.
    pub const NATIONAL: Calendar = Calendar { fallback: Fallback::Error };
    /// Weekdays-only outside the data (the caller's explicit choice).
    pub const WEEKDAYS_FALLBACK: Calendar = Calendar { fallback: Fallback::WeekdaysOnly };

    /// Whether `day` is a working day.
    pub fn is_workday(self, day: DayNumber) -> Result<bool, CalendarError> {
        let (first, last) = covered_range();
        if day < first || day > last {
            return match self.fallback {
                Fallback::Error => Err(CalendarError::OutOfRange { day }),
                Fallback::WeekdaysOnly => Ok(is_weekday(day)),
            };
        }
        let i = (day - first) as usize;
        Ok(bitmap().get(i / 8).is_some_and(|byte| byte & (1 << (i % 8)) != 0))
    }

    /// The `n`-th working day after `from` (开始的当日不计入); `n = 0` gives `from`; negative `n` counts back.
    pub fn add_workdays(self, from: DayNumber, n: i32) -> Result<DayNumber, CalendarError> {
        let step = if n < 0 { -1 } else { 1 };
        let mut day = from;
        let mut left = n.unsigned_abs();
        while left > 0 {
            day = day.checked_add(step).ok_or(CalendarError::Overflow)?;
            if self.is_workday(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// `from + duration`: 日 adds days, 个月/年 use the 民法典 第二百零二条 month-end rule, 工作日 counts working
    /// days after `from`.
    pub fn add(self, from: DayNumber, duration: Duration) -> Result<DayNumber, CalendarError> {
        let months = |m: i32| -> Result<DayNumber, CalendarError> {
            let date = CivilDate::from_days(from).add_months(m);
            if !(1..=9999).contains(&date.year) {
                return Err(CalendarError::Overflow);
            }
            Ok(date.to_days())
        };
        match duration.unit {
            Unit::Day => from.checked_add(duration.amount).ok_or(CalendarError::Overflow),
            Unit::Month => months(duration.amount),
            Unit::Year => months(duration.amount.checked_mul(12).ok_or(CalendarError::Overflow)?),
            Unit::WorkDay => self.add_workdays(from, duration.amount),
        }
    }

    /// Working days in `(from, to]` (the start day not counted), so that
    /// `workdays_between(d, add_workdays(d, n)) == n`; negative when `to < from`.
    pub fn workdays_between(self, from: DayNumber, to: DayNumber) -> Result<i32, CalendarError> {
        let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0i32;
        for day in (lo + 1)..=hi {
            if self.is_workday(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }
}

/// Whether `day` is a working day (strict: outside the data is an error).
pub fn is_workday(day: DayNumber) -> Result<bool, CalendarError> {
    Calendar::NATIONAL.is_workday(day)
}

/// The `n`-th working day after `from` (strict).
pub fn add_workdays(from: DayNumber, n: i32) -> Result<DayNumber, CalendarError> {
    Calendar::NATIONAL.add_workdays(from, n)
}

/// `from + duration` (strict for 工作日).
pub fn add(from: DayNumber, duration: Duration) -> Result<DayNumber, CalendarError> {
    Calendar::NATIONAL.add(from, duration)
}

/// Working days in `(from, to]` (strict).
pub fn workdays_between(from: DayNumber, to: DayNumber) -> Result<i32, CalendarError> {
    Calendar::NATIONAL.workdays_between(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> DayNumber {
        CivilDate::parse(text).unwrap().to_days()
    }
    fn s(day: DayNumber) -> String {
        CivilDate::from_days(day).to_string()
    }
    fn work(text: &str) -> bool {
        is_workday(d(text)).unwrap()
    }

    /// Facts §6, typed again independently of `NOTICES`: (holiday ranges, 调休 days) per year.
    /// (holiday ranges, 调休 days) of one year.
    type Year = (&'static [(&'static str, &'static str)], &'static [&'static str]);
    const FACTS: &[Year] = &[
        (
            &[
                ("2017-01-01", "2017-01-02"),
                ("2017-01-27", "2017-02-02"),
                ("2017-04-02", "2017-04-04"),
                ("2017-05-01", "2017-05-01"),
                ("2017-05-28", "2017-05-30"),
                ("2017-10-01", "2017-10-08"),
            ],
            &["2017-01-22", "2017-02-04", "2017-04-01", "2017-05-27", "2017-09-30"],
        ),
        (
            &[
                ("2018-01-01", "2018-01-01"),
                ("2018-02-15", "2018-02-21"),
                ("2018-04-05", "2018-04-07"),
                ("2018-04-29", "2018-05-01"),
                ("2018-06-18", "2018-06-18"),
                ("2018-09-24", "2018-09-24"),
                ("2018-10-01", "2018-10-07"),
            ],
            &["2018-02-11", "2018-02-24", "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30"],
        ),
        (
            &[
                ("2018-12-30", "2019-01-01"),
                ("2019-02-04", "2019-02-10"),
                ("2019-04-05", "2019-04-05"),
                ("2019-05-01", "2019-05-04"),
                ("2019-06-07", "2019-06-07"),
                ("2019-09-13", "2019-09-13"),
                ("2019-10-01", "2019-10-07"),
            ],
            &["2018-12-29", "2019-02-02", "2019-02-03", "2019-04-28", "2019-05-05", "2019-09-29", "2019-10-12"],
        ),
        (
            &[
                ("2020-01-01", "2020-01-01"),
                ("2020-01-24", "2020-02-02"),
                ("2020-04-04", "2020-04-06"),
                ("2020-05-01", "2020-05-05"),
                ("2020-06-25", "2020-06-27"),
                ("2020-10-01", "2020-10-08"),
            ],
            &["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"],
        ),
        (
            &[
                ("2021-01-01", "2021-01-03"),
                ("2021-02-11", "2021-02-17"),
                ("2021-04-03", "2021-04-05"),
                ("2021-05-01", "2021-05-05"),
                ("2021-06-12", "2021-06-14"),
                ("2021-09-19", "2021-09-21"),
                ("2021-10-01", "2021-10-07"),
            ],
            &["2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09"],
        ),
        (
            &[
                ("2022-01-01", "2022-01-03"),
                ("2022-01-31", "2022-02-06"),
                ("2022-04-03", "2022-04-05"),
                ("2022-04-30", "2022-05-04"),
                ("2022-06-03", "2022-06-05"),
                ("2022-09-10", "2022-09-12"),
                ("2022-10-01", "2022-10-07"),
            ],
            &["2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09"],
        ),
        (
            &[
                ("2022-12-31", "2023-01-02"),
                ("2023-01-21", "2023-01-27"),
                ("2023-04-05", "2023-04-05"),
                ("2023-04-29", "2023-05-03"),
                ("2023-06-22", "2023-06-24"),
                ("2023-09-29", "2023-10-06"),
            ],
            &["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"],
        ),
        (
            &[
                ("2024-01-01", "2024-01-01"),
                ("2024-02-10", "2024-02-17"),
                ("2024-04-04", "2024-04-06"),
                ("2024-05-01", "2024-05-05"),
                ("2024-06-10", "2024-06-10"),
                ("2024-09-15", "2024-09-17"),
                ("2024-10-01", "2024-10-07"),
            ],
            &[
                "2024-02-04",
                "2024-02-18",
                "2024-04-07",
                "2024-04-28",
                "2024-05-11",
                "2024-09-14",
                "2024-09-29",
                "2024-10-12",
            ],
        ),
        (
            &[
                ("2025-01-01", "2025-01-01"),
                ("2025-01-28", "2025-02-04"),
                ("2025-04-04", "2025-04-06"),
                ("2025-05-01", "2025-05-05"),
                ("2025-05-31", "2025-06-02"),
                ("2025-10-01", "2025-10-08"),
            ],
            &["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
        ),
        (
            &[
                ("2026-01-01", "2026-01-03"),
                ("2026-02-15", "2026-02-23"),
                ("2026-04-04", "2026-04-06"),
                ("2026-05-01", "2026-05-05"),
                ("2026-06-19", "2026-06-21"),
                ("2026-09-25", "2026-09-27"),
                ("2026-10-01", "2026-10-07"),
            ],
            &["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
        ),
    ];

    #[test]
    fn every_holiday_day_is_not_a_workday_and_every_adjusted_day_is() {
        let mut holidays = 0;
        for (ranges, adjusted) in FACTS {
            for (start, end) in *ranges {
                for day in d(start)..=d(end) {
                    assert!(!is_workday(day).unwrap(), "{} should be a holiday", s(day));
                    holidays += 1;
                }
                // the days around each range are as the weekday or an adjustment says
            }
            for day in *adjusted {
                assert!(work(day), "{day} is a 调休 working day");
                assert!(CivilDate::parse(day).unwrap().weekday() >= 6, "{day} should be a weekend day");
            }
        }
        assert!(holidays > 200, "expected a full decade of holidays, saw {holidays}");
    }

    #[test]
    fn every_other_day_is_a_workday_exactly_when_monday_to_friday() {
        let mut special = std::collections::HashSet::new();
        for (ranges, adjusted) in FACTS {
            for (start, end) in *ranges {
                special.extend(d(start)..=d(end));
            }
            special.extend(adjusted.iter().map(|a| d(a)));
        }
        let (first, last) = covered_range();
        for day in first..=last {
            if !special.contains(&day) {
                assert_eq!(is_workday(day).unwrap(), is_weekday(day), "{}", s(day));
            }
        }
    }

    #[test]
    fn spot_checks() {
        assert!(work("2024-05-06")); // Monday after 劳动节
        assert!(!work("2024-05-04")); // Saturday in 劳动节
        assert!(!work("2024-06-08")); // ordinary Saturday
        assert!(work("2024-06-11")); // Tuesday
        assert!(!work("2021-03-07")); // ordinary Sunday
        assert!(work("2019-03-08")); // Friday
        assert!(work("2024-02-18")); // Sunday 调休 after 春节
    }

    #[test]
    fn cross_year_new_year() {
        assert!(work("2018-12-29")); // Saturday 调休 for 2019 元旦
        assert!(!work("2018-12-30"));
        assert!(!work("2018-12-31")); // Monday, holiday
        assert!(!work("2019-01-01"));
        assert!(work("2019-01-02"));
        assert!(!work("2022-12-31"));
        assert!(!work("2023-01-02")); // Monday, holiday
        assert!(work("2023-01-03"));
    }

    #[test]
    fn covid_extension_2020() {
        // 01-31 (Friday) and 02-01..02-02 lie inside the extended 春节 range.
        assert!(!work("2020-01-31"));
        assert!(!work("2020-02-01"));
        assert!(!work("2020-02-02"));
        assert!(work("2020-02-03"));
        assert_eq!(s(add_workdays(d("2020-01-23"), 1).unwrap()), "2020-02-03");
    }

    #[test]
    fn month_end_arithmetic() {
        let month = Duration::new(1, Unit::Month);
        let year = Duration::new(1, Unit::Year);
        assert_eq!(s(add(d("2024-01-31"), month).unwrap()), "2024-02-29");
        assert_eq!(s(add(d("2023-01-31"), month).unwrap()), "2023-02-28");
        assert_eq!(s(add(d("2024-02-29"), year).unwrap()), "2025-02-28");
        assert_eq!(s(add(d("2024-03-15"), Duration::new(3, Unit::Year)).unwrap()), "2027-03-15");
        assert_eq!(s(add(d("2024-03-15"), Duration::new(30, Unit::Day)).unwrap()), "2024-04-14");
    }

    #[test]
    fn workdays_across_spring_festival() {
        // 2024 春节 02-10..02-17, 调休 02-04 (Sun) and 02-18 (Sun).
        let from = d("2024-02-08"); // Thursday
        assert_eq!(s(add_workdays(from, 1).unwrap()), "2024-02-09");
        assert_eq!(s(add_workdays(from, 2).unwrap()), "2024-02-18");
        assert_eq!(s(add_workdays(from, 7).unwrap()), "2024-02-23");
        assert_eq!(s(add(from, Duration::new(7, Unit::WorkDay)).unwrap()), "2024-02-23");
        assert_eq!(workdays_between(from, d("2024-02-23")).unwrap(), 7);
        assert_eq!(workdays_between(d("2024-02-23"), from).unwrap(), -7);
        assert_eq!(s(add_workdays(d("2024-02-23"), -7).unwrap()), "2024-02-08");
        assert_eq!(add_workdays(from, 0).unwrap(), from);
    }

    #[test]
    fn out_of_range_is_an_error_naming_the_range() {
        let err = is_workday(d("2027-01-04")).unwrap_err();
        assert_eq!(err, CalendarError::OutOfRange { day: d("2027-01-04") });
        let text = err.to_string();
        assert!(text.contains("2017-01-01") && text.contains("2026-12-31"), "{text}");
        assert!(is_workday(d("2016-12-30")).is_err());
        assert!(add_workdays(d("2026-12-30"), 3).is_err());
        assert!(workdays_between(d("2026-12-01"), d("2027-01-10")).is_err());
    }

    #[test]
    fn weekdays_only_fallback_is_explicit() {
        let cal = Calendar::WEEKDAYS_FALLBACK;
        assert_eq!(cal.is_workday(d("2027-01-04")), Ok(true)); // Monday
        assert_eq!(cal.is_workday(d("2027-01-09")), Ok(false)); // Saturday
        assert_eq!(s(cal.add_workdays(d("2026-12-30"), 3).unwrap()), "2027-01-04");
        // inside the data the fallback changes nothing
        assert_eq!(cal.is_workday(d("2024-10-01")), Ok(false));
    }

    #[test]
    fn bits_match_is_workday() {
        let (first, count, bits) = workday_bits();
        assert_eq!(s(first), "2017-01-01");
        assert_eq!(count, 3652);
        assert_eq!(bits.len(), 457);
        for i in 0..count as i32 {
            let bit = bits[(i / 8) as usize] & (1 << (i % 8)) != 0;
            assert_eq!(bit, is_workday(first + i).unwrap());
        }
        // 2017-01-01 (Sunday, 元旦) is bit 0 = 0; 2017-01-03 (Tuesday) is bit 2 = 1.
        assert_eq!(bits[0] & 0b101, 0b100);
    }

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(Duration::parse("7工作日"), Ok(Duration::new(7, Unit::WorkDay)));
        assert_eq!(Duration::parse("7个工作日"), Ok(Duration::new(7, Unit::WorkDay)));
        assert_eq!(Duration::parse("6个月"), Ok(Duration::new(6, Unit::Month)));
        assert_eq!(Duration::parse("3年"), Ok(Duration::new(3, Unit::Year)));
        assert_eq!(Duration::parse("30天"), Ok(Duration::new(30, Unit::Day)));
        assert!(Duration::parse("三年").is_err());
        assert!(Duration::parse("7周").is_err());
        assert_eq!(Duration::new(7, Unit::WorkDay).to_string(), "7工作日");
    }
}
