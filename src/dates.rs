//! Spotnana's dates and times as `chrono` values: the conversions
//! `build/dates.rs` gives the models the `chrono-dates` rule tags
//! (`DateModel`, `DateTimeLocal`, `DateTimeOffset`, `TimeLocal`).
//!
//! Spotnana writes them in ISO 8601, to the minute or the second: a date
//! `2017-07-21`, a local date and time `2017-07-21T17:32`, one with its
//! offset `2017-07-21T17:32Z` or `2017-07-21T17:32:05+05:30`, a time `17:32`.
//! Written values carry seconds and drop any fraction of one.

use chrono::format::ParseError;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// A `chrono` type Spotnana carries as an ISO 8601 string.
pub(crate) trait Iso8601: Sized {
    /// The value as Spotnana's pattern takes it.
    fn write(&self) -> String;
    /// Reads what Spotnana's pattern allows: minutes, or seconds.
    fn read(text: &str) -> Result<Self, ParseError>;
}

impl Iso8601 for NaiveDate {
    fn write(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }

    fn read(text: &str) -> Result<Self, ParseError> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
    }
}

impl Iso8601 for NaiveDateTime {
    fn write(&self) -> String {
        self.format("%Y-%m-%dT%H:%M:%S").to_string()
    }

    fn read(text: &str) -> Result<Self, ParseError> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
    }
}

impl Iso8601 for DateTime<FixedOffset> {
    fn write(&self) -> String {
        self.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    fn read(text: &str) -> Result<Self, ParseError> {
        let text = match text.strip_suffix('Z') {
            Some(clock) => format!("{clock}+00:00"),
            None => text.to_string(),
        };
        DateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%:z")
            .or_else(|_| DateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M%:z"))
    }
}

impl Iso8601 for NaiveTime {
    fn write(&self) -> String {
        self.format("%H:%M:%S").to_string()
    }

    fn read(text: &str) -> Result<Self, ParseError> {
        NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

    use super::Iso8601;

    #[test]
    fn each_kind_reads_minutes_and_seconds_and_writes_seconds() {
        let date = NaiveDate::read("2017-07-21").expect("a date");
        assert_eq!(date, NaiveDate::from_ymd_opt(2017, 7, 21).expect("valid"));
        assert_eq!(date.write(), "2017-07-21");

        let local = NaiveDateTime::read("2017-07-21T17:32").expect("to the minute");
        assert_eq!(local.write(), "2017-07-21T17:32:00");
        assert_eq!(NaiveDateTime::read("2017-07-21T17:32:05").expect("to the second").second(), 5);

        let utc = DateTime::<FixedOffset>::read("2017-07-21T17:32Z").expect("Z");
        assert_eq!(utc.offset().local_minus_utc(), 0);
        assert_eq!(utc.write(), "2017-07-21T17:32:00+00:00");
        let india = DateTime::<FixedOffset>::read("2017-07-21T17:32:05+05:30").expect("an offset");
        assert_eq!(india.offset().local_minus_utc(), 5 * 3600 + 30 * 60);
        assert_eq!(DateTime::<FixedOffset>::read(&india.write()).expect("round trip"), india);

        assert_eq!(NaiveTime::read("17:32").expect("a time").write(), "17:32:00");
    }

    #[test]
    fn what_the_pattern_allows_but_chrono_cannot_hold_is_an_error() {
        assert!(NaiveTime::read("24:00").is_err(), "the pattern allows hour 24");
        assert!(NaiveDate::read("2017-02-30").is_err());
        assert!(DateTime::<FixedOffset>::read("2017-07-21T17:32").is_err(), "no offset");
    }

    #[test]
    fn a_fraction_of_a_second_is_dropped_when_written() {
        let at =
            NaiveDateTime::read("2017-07-21T17:32:05").expect("valid").with_nanosecond(250_000_000).expect("valid");
        assert_eq!(at.write(), "2017-07-21T17:32:05");
    }
}
