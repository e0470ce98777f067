//! The leaves of validation: where an error is addressed ([`Ctx`]) and the range checks every
//! section shares. Bounds are generous for any real contact center, and tight enough that no
//! accepted value overflows later: every count, sum and product the engine or the reports
//! form from validated values stays finite and fits its integer type.

pub(crate) use crate::scenario::error::quote;
use crate::scenario::error::ScenarioError;

/// Largest plain number accepted anywhere (costs, authority, weights, decision amounts,
/// learning curves). Products of such a number with any accepted duration, rate or count stay
/// far below `f64::MAX`.
pub const MAX_NUMBER: f64 = 1e12;

/// Largest arrival rate, calls per hour (per call type; volumes are held to the same rate).
/// Ten million calls an hour is a hundred times the busiest real centers, and still a bound
/// that keeps expected counts finite.
pub const MAX_ARRIVAL_RATE: f64 = 1e7;

/// Largest number of intervals (horizon / interval).
pub const MAX_INTERVALS: usize = 1_000_000;

/// Largest headcount of one interval, over all groups together, so headcount sums fit `u32`.
pub const MAX_AGENTS: i64 = 1_000_000;

/// Largest `simulation.replications`.
pub const MAX_REPLICATIONS: i64 = 10_000_000;

/// Largest number of per-interval values the validated scenario holds:
/// (call types + agent groups) × intervals. Each is 4–8 bytes, so this caps what validation
/// alone allocates at a few hundred megabytes, before any memory budget of the run applies.
pub const MAX_INTERVAL_CELLS: usize = 20_000_000;

/// Where an error is reported: the file (or label) being read.
pub struct Ctx<'a> {
    /// The path or label of the text, first in every message.
    pub file: &'a str,
}

impl Ctx<'_> {
    /// An [`ScenarioError::Invalid`] at key path `path`.
    pub fn err(&self, path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A number as a message shows it: plain when of everyday size, else in exponent form, so
/// `1e308` is not printed with 309 digits.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A probability in [0, 1] (NaN is refused: it is not in the range).
pub fn probability(cx: &Ctx, path: &str, p: f64) -> Result<f64, ScenarioError> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(cx.err(
            path,
            format!("must be a probability from 0 to 1, got {}", num(p)),
        ))
    }
}

/// A number from 0 to [`MAX_NUMBER`].
pub fn non_negative(cx: &Ctx, path: &str, x: f64) -> Result<f64, ScenarioError> {
    if (0.0..=MAX_NUMBER).contains(&x) {
        Ok(x)
    } else {
        Err(cx.err(
            path,
            format!("must be a number from 0 to {MAX_NUMBER:e}, got {}", num(x)),
        ))
    }
}

/// A number from −[`MAX_NUMBER`] to [`MAX_NUMBER`].
pub fn finite(cx: &Ctx, path: &str, x: f64) -> Result<f64, ScenarioError> {
    if (-MAX_NUMBER..=MAX_NUMBER).contains(&x) {
        Ok(x)
    } else {
        Err(cx.err(
            path,
            format!(
                "must be a number from -{MAX_NUMBER:e} to {MAX_NUMBER:e}, got {}",
                num(x)
            ),
        ))
    }
}

/// A number from 0 to [`MAX_NUMBER`] given as a TOML integer or float.
pub fn number(cx: &Ctx, path: &str, v: &toml::Value) -> Result<f64, ScenarioError> {
    let x = match v {
        toml::Value::Float(f) => *f,
        toml::Value::Integer(i) => *i as f64,
        other => {
            return Err(cx.err(
                path,
                format!("expected a number, found {}", describe(other)),
            ));
        }
    };
    non_negative(cx, path, x)
}

/// A TOML value as a user would name it in a message: `the string "3m"`, `the number 4`,
/// `a table`.
pub fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string {}", quote(s)),
        toml::Value::Integer(i) => format!("the number {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("the boolean {b}"),
        toml::Value::Datetime(d) => format!("the date/time {d}"),
        toml::Value::Array(_) => "an array".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_refuse_non_finite_and_absurd_values() {
        let cx = Ctx { file: "f.toml" };
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
            assert!(non_negative(&cx, "k", bad).is_err(), "{bad}");
            assert!(probability(&cx, "k", bad).is_err(), "{bad}");
        }
        assert!(finite(&cx, "k", f64::NEG_INFINITY).is_err());
        assert_eq!(finite(&cx, "k", -2.5).unwrap(), -2.5);
        assert_eq!(non_negative(&cx, "k", 0.0).unwrap(), 0.0);
    }
}
