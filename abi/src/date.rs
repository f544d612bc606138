//! Civil dates as day numbers (days since 1970-01-01, proleptic Gregorian), the representation used in
//! every encoding and in generated code. Conversions follow Howard Hinnant's public-domain algorithms.

use std::fmt;

/// Days since 1970-01-01.
pub type DayNumber = i32;

/// The "no date" sentinel in encodings: later than every real date, so `date <= as_of` is false for it.
pub const NO_DATE: DayNumber = i32::MAX;

/// A calendar date (year, month 1-12, day 1-31), validated on construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form YYYY-MM-DD.
    Format,
    /// Well-formed but impossible (2023-02-30, month 13, …).
    Impossible,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Format => f.write_str("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD"),
            DateError::Impossible => f.write_str("不存在的日期 / impossible date"),
        }
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl CivilDate {
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || !(1..=9999).contains(&year) {
            return Err(DateError::Impossible);
        }
        Ok(CivilDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (ASCII digits; full-width digits are the lexer's business, not the wire's).
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DateError::Format);
        }
        let num = |range: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = text.get(range).ok_or(DateError::Format)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            part.parse::<u32>().map_err(|_| DateError::Format)
        };
        let year = num(0..4)? as i32;
        CivilDate::new(year, num(5..7)?, num(8..10)?)
    }

    pub fn to_days(self) -> DayNumber {
        let y = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i32;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + self.day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    pub fn from_days(days: DayNumber) -> Self {
        let z = days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        CivilDate { year: if m <= 2 { y + 1 } else { y }, month: m, day: d }
    }

    /// ISO weekday, Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        (self.to_days() + 3).rem_euclid(7) as u32 + 1
    }

    /// Adds whole months with the 民法典 第二百零二条 rule: the corresponding day of the final month, or that
    /// month's last day when it has no such day (2024-01-31 + 1个月 = 2024-02-29).
    pub fn add_months(self, months: i32) -> Self {
        let total = self.year * 12 + (self.month as i32 - 1) + months;
        let year = total.div_euclid(12);
        let month = (total.rem_euclid(12) + 1) as u32;
        let day = self.day.min(days_in_month(year, month));
        CivilDate { year, month, day }
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Formats a day number as `YYYY-MM-DD`, or `None` for [`NO_DATE`].
pub fn format_day(days: DayNumber) -> Option<String> {
    (days != NO_DATE).then(|| CivilDate::from_days(days).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_1900_to_2100() {
        let start = CivilDate::new(1900, 1, 1).unwrap().to_days();
        let end = CivilDate::new(2100, 12, 31).unwrap().to_days();
        let mut expected = CivilDate::new(1900, 1, 1).unwrap();
        for d in start..=end {
            let c = CivilDate::from_days(d);
            assert_eq!(c, expected);
            assert_eq!(c.to_days(), d);
            expected = if c.day < days_in_month(c.year, c.month) {
                CivilDate { day: c.day + 1, ..c }
            } else if c.month < 12 {
                CivilDate { month: c.month + 1, day: 1, ..c }
            } else {
                CivilDate { year: c.year + 1, month: 1, day: 1 }
            };
        }
    }

    #[test]
    fn epoch_and_weekday() {
        assert_eq!(CivilDate::parse("1970-01-01").unwrap().to_days(), 0);
        assert_eq!(CivilDate::parse("2024-05-01").unwrap().weekday(), 3); // a Wednesday
    }

    #[test]
    fn month_end_rule() {
        let d = CivilDate::parse("2024-01-31").unwrap();
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(CivilDate::parse("2024-02-29").unwrap().add_months(12).to_string(), "2025-02-28");
    }

    #[test]
    fn rejects_bad_dates() {
        assert_eq!(CivilDate::parse("2023-02-29"), Err(DateError::Impossible));
        assert_eq!(CivilDate::parse("2023-13-01"), Err(DateError::Impossible));
        assert_eq!(CivilDate::parse("2023/01/01"), Err(DateError::Format));
        assert_eq!(CivilDate::parse("２０２３-01-01"), Err(DateError::Format));
    }
}
