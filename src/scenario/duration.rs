//! Duration strings with a unit (`"20s"`, `"4m"`, `"1.5h"`, `"5d"`), the only way a scenario
//! writes a time span. Parsed during deserialisation so a bad value is reported with its key path.

use super::error::quote;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// A non-negative, finite time span in seconds, written in a scenario as a string with a unit.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Duration(pub f64);

/// Longest duration accepted: 100 years (36,500 days) in seconds. Far beyond any horizon or
/// handle time, and small enough that sums and products of durations stay finite.
pub const MAX_DURATION_S: f64 = 36_500.0 * 86_400.0;

/// Shortest non-zero duration accepted: a microsecond. Anything shorter is a slip (`"1e-300s"`)
/// and would only print as "0s".
pub const MIN_DURATION_S: f64 = 1e-6;

/// What a duration may look like; repeated in every duration error so the fix is obvious.
pub const DURATION_HELP: &str =
    "expected a duration like \"20s\", \"4m\", \"1.5h\" or \"5d\" (units s, m, h, d; no negatives)";

impl Duration {
    /// Seconds.
    pub fn secs(self) -> f64 {
        self.0
    }
}

/// Parses `"<number><unit>"` with unit `s`, `m`, `h` or `d` (also `ms`, `min`, `sec`, `hr`).
/// Whitespace around the whole string and between number and unit is accepted. The result is
/// at most [`MAX_DURATION_S`] seconds.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let got = quote(text);
    // The unit is the letters at the end, so an exponent's `e` ("1e3s") stays in the number.
    let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    if split == t.len() {
        return Err(format!("{DURATION_HELP}, got {got} (no unit)"));
    }
    let (num, unit) = t.split_at(split);
    let factor = match unit.trim() {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" | "hr" => 3600.0,
        "d" => 86_400.0,
        _ => return Err(format!("{DURATION_HELP}, got {got}")),
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{DURATION_HELP}, got {got}"))?;
    if value.is_nan() || value < 0.0 {
        return Err(format!("{DURATION_HELP}, got {got}"));
    }
    let secs = value * factor;
    if secs > MAX_DURATION_S || (secs > 0.0 && secs < MIN_DURATION_S) {
        return Err(format!(
            "out of range: durations are 0 or from 0.001ms to 36500d (100 years), got {got}"
        ));
    }
    Ok(secs)
}

/// Formats seconds back into the shortest exact unit, for summaries and messages.
pub fn format_duration(secs: f64) -> String {
    for (unit, factor) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)] {
        let v = secs / factor;
        if v >= 1.0 && (v * 100.0).fract().abs() < 1e-9 {
            return format!("{}{unit}", trim_float(v));
        }
    }
    format!("{}s", trim_float(secs))
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(DURATION_HELP)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map(Duration).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "{DURATION_HELP}, got the bare number {v}"
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "{DURATION_HELP}, got the bare number {v}"
                )))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "{DURATION_HELP}, got the bare number {v}"
                )))
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("20s"), Ok(20.0));
        assert_eq!(parse_duration("4m"), Ok(240.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration("5d"), Ok(432_000.0));
        assert_eq!(parse_duration(" 30 min "), Ok(1800.0));
        assert_eq!(parse_duration("0s"), Ok(0.0));
        assert_eq!(parse_duration("36500d"), Ok(MAX_DURATION_S));
    }

    #[test]
    fn rejects_bad_strings() {
        for bad in [
            "4",
            "4 minutes",
            "-3m",
            "m",
            "",
            "1e400s",
            "NaNs",
            "3 weeks",
            "1e307d",
            "36501d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        for out_of_range in ["1e300h", "1e-300s", "1e400s", "0.0001ms"] {
            let m = parse_duration(out_of_range).unwrap_err();
            assert!(m.starts_with("out of range"), "{out_of_range}: {m}");
        }
        assert_eq!(parse_duration("1e3s"), Ok(1000.0));
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_duration(1800.0), "30m");
        assert_eq!(format_duration(5400.0), "1.5h");
        assert_eq!(format_duration(20.0), "20s");
        assert_eq!(format_duration(86_400.0), "1d");
    }
}
