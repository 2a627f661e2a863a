//! The `chrono-dates` rule: which models are ISO 8601 dates and times.
//!
//! Spotnana writes a date as an object with one string, `{"iso8601":
//! "2017-07-21"}`, checked by a pattern. The rule tags each component schema
//! of that shape with `x-spotnana-chrono` and the kind its example reads as,
//! and `build.rs` (`build/dates.rs`) gives the model conversions from and to
//! that `chrono` type.

use serde_json::Value;

use super::report::Report;
use crate::contract::CHRONO_KEY;

/// What an example reads as: `date` (`2017-07-21`), `date-time-local`
/// (`2017-07-21T17:32`, seconds optional), `date-time-offset` (the same
/// with `Z` or `+05:30`) or `time` (`17:32`, seconds optional).
pub fn kind(example: &str) -> Option<&'static str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let date = |s: &str| {
        let parts: Vec<&str> = s.split('-').collect();
        parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| digits(p))
    };
    let time = |s: &str| {
        let parts: Vec<&str> = s.split(':').collect();
        (2..=3).contains(&parts.len()) && parts.iter().all(|p| p.len() == 2 && digits(p))
    };
    if date(example) {
        return Some("date");
    }
    if time(example) {
        return Some("time");
    }
    let (day, clock) = example.split_once('T')?;
    if !date(day) {
        return None;
    }
    if time(clock) {
        return Some("date-time-local");
    }
    let (clock, _offset) = match clock.strip_suffix('Z') {
        Some(clock) => (clock, "Z"),
        None => {
            let at = clock.rfind(['+', '-'])?;
            let offset = &clock[at + 1..];
            let (hours, minutes) = offset.split_once(':')?;
            if !(hours.len() == 2 && minutes.len() == 2 && digits(hours) && digits(minutes)) {
                return None;
            }
            (&clock[..at], offset)
        }
    };
    time(clock).then_some("date-time-offset")
}

/// Tags every component schema that is an object of one required string
/// property `iso8601` whose example reads as a date or time.
pub fn tag(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "chrono-dates",
        "An object schema whose one property is a required string `iso8601` (Spotnana's dates and times, \
         `{\"iso8601\": \"2017-07-21\"}`), tagged `x-spotnana-chrono` with the kind its example reads as: `date`, \
         `date-time-local`, `date-time-offset` or `time`. `build.rs` gives each such model `From` the matching \
         `chrono` type and `to_chrono()` back, and says the format in its docs. A schema without an example, or \
         whose example reads as none of them, is left alone.",
    );
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else { return };
    for (name, schema) in schemas.iter_mut() {
        let Some(obj) = schema.as_object_mut() else { continue };
        let properties = obj.get("properties").and_then(Value::as_object);
        let Some(iso) = properties.filter(|p| p.len() == 1).and_then(|p| p.get("iso8601")) else { continue };
        let required = obj.get("required").and_then(Value::as_array).is_some_and(|r| r.len() == 1 && r[0] == "iso8601");
        let string = iso.get("type").and_then(Value::as_str) == Some("string");
        let Some(example) = iso.get("example").and_then(Value::as_str).filter(|_| required && string) else { continue };
        let example = example.to_string();
        let Some(kind) = kind(&example) else { continue };
        obj.insert(CHRONO_KEY.into(), Value::String(kind.into()));
        log.changes.push(format!("{name}: {kind} (example {example:?})"));
    }
}

#[cfg(test)]
mod tests {
    use super::kind;

    #[test]
    fn examples_read_as_their_kind() {
        assert_eq!(kind("2017-07-21"), Some("date"));
        assert_eq!(kind("17:32"), Some("time"));
        assert_eq!(kind("17:32:05"), Some("time"));
        assert_eq!(kind("2017-07-21T17:32"), Some("date-time-local"));
        assert_eq!(kind("2017-07-21T17:32:05"), Some("date-time-local"));
        assert_eq!(kind("2017-07-21T17:32Z"), Some("date-time-offset"));
        assert_eq!(kind("2017-07-21T17:32:05+05:30"), Some("date-time-offset"));
        assert_eq!(kind("2017-07-21T17:32-08:00"), Some("date-time-offset"));
    }

    #[test]
    fn anything_else_reads_as_nothing() {
        for example in [
            "",
            "2017-7-21",
            "21/07/2017",
            "2017-07-21 17:32",
            "2017-07-21T17",
            "P1D",
            "17h32",
            "2017-07-21T17:32+0530",
            "2017-07-21T17:32:05.123Z",
        ] {
            assert_eq!(kind(example), None, "{example}");
        }
    }
}
