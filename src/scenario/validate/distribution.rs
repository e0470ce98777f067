//! Building validated distributions from `{ distribution = "...", ... }` tables. The same
//! table shape describes durations (parameters are duration strings) and plain quantities
//! (issue difficulty on [0, 1], decision amounts in currency: parameters are numbers).

use super::checks::{describe, num, number, quote, Ctx, MAX_NUMBER};
use crate::model::Dist;
use crate::scenario::duration::{format_duration, parse_duration};
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::RawDistribution;

/// What the distribution's parameters are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Duration strings such as "4m"; sampled values are seconds.
    Seconds,
    /// Plain non-negative numbers (currency amounts).
    Number,
    /// Plain numbers on [0, 1] (difficulty); `beta` allowed.
    Fraction,
}

const DURATIONS: &str = "exponential {mean}, lognormal {mean, sd}, gamma {mean, sd}, \
     weibull {shape, scale}, uniform {min, max}, constant {value}, empirical {values}";
const FRACTIONS: &str = "beta {mean, sd}, uniform {min, max}, constant {value}, empirical {values}";

/// Smallest Weibull shape: below it the tail is so heavy that a single draw can overflow to
/// infinity ((−ln u)^(1/k) with k = 0.1 stays below 1e17).
const MIN_WEIBULL_SHAPE: f64 = 0.1;

/// The distribution described by table `d` at key path `path`, its parameters read in `unit`.
pub fn build_dist(
    cx: &Ctx,
    path: &str,
    d: &RawDistribution,
    unit: Unit,
) -> Result<Dist, ScenarioError> {
    let given: [(&str, bool); 8] = [
        ("mean", d.mean.is_some()),
        ("sd", d.sd.is_some()),
        ("shape", d.shape.is_some()),
        ("scale", d.scale.is_some()),
        ("min", d.min.is_some()),
        ("max", d.max.is_some()),
        ("value", d.value.is_some()),
        ("values", d.values.is_some()),
    ];
    let kind = d.distribution.as_str();
    let allowed = if unit == Unit::Fraction {
        FRACTIONS
    } else {
        DURATIONS
    };
    let wanted: &[&str] = match (kind, unit) {
        ("beta", Unit::Fraction) => &["mean", "sd"],
        ("exponential", Unit::Seconds | Unit::Number) => &["mean"],
        ("lognormal" | "gamma", Unit::Seconds | Unit::Number) => &["mean", "sd"],
        ("weibull", Unit::Seconds | Unit::Number) => &["shape", "scale"],
        ("uniform", _) => &["min", "max"],
        ("constant", _) => &["value"],
        ("empirical", _) => &["values"],
        (other, _) => {
            return Err(cx.err(
                format!("{path}.distribution"),
                format!(
                    "unknown or unsuitable distribution {} here; allowed: {allowed}",
                    quote(other)
                ),
            ))
        }
    };
    for (key, present) in given {
        if present && !wanted.contains(&key) {
            return Err(cx.err(
                format!("{path}.{key}"),
                format!(
                    "{kind} does not take `{key}`; it takes {}",
                    wanted.join(", ")
                ),
            ));
        }
    }
    for key in wanted {
        if !given.iter().any(|(k, p)| k == key && *p) {
            return Err(cx.err(
                format!("{path}.{key}"),
                format!("missing: {kind} needs {}", wanted.join(" and ")),
            ));
        }
    }
    let read = |key: &str, v: &Option<toml::Value>| -> Result<f64, ScenarioError> {
        match v {
            Some(v) => quantity(cx, &format!("{path}.{key}"), v, unit),
            None => Ok(0.0),
        }
    };
    let positive = |key: &str, v: f64| {
        if v > 0.0 {
            Ok(v)
        } else {
            Err(cx.err(format!("{path}.{key}"), "must be greater than 0"))
        }
    };
    let invalid = |what: &str| {
        cx.err(
            format!("{path}.sd"),
            format!("mean and sd give no valid {what}"),
        )
    };
    Ok(match kind {
        "exponential" => Dist::Exponential {
            mean: positive("mean", read("mean", &d.mean)?)?,
        },
        "lognormal" => Dist::lognormal(
            positive("mean", read("mean", &d.mean)?)?,
            read("sd", &d.sd)?,
        )
        .ok_or_else(|| invalid("lognormal"))?,
        "gamma" => Dist::gamma(
            positive("mean", read("mean", &d.mean)?)?,
            read("sd", &d.sd)?,
        )
        .ok_or_else(|| invalid("gamma"))?,
        "beta" => {
            let mean = read("mean", &d.mean)?;
            Dist::beta(mean, read("sd", &d.sd)?).ok_or_else(|| {
                cx.err(
                    format!("{path}.sd"),
                    "a beta distribution needs sd² < mean·(1 − mean) with 0 < mean < 1",
                )
            })?
        }
        "weibull" => {
            let at = format!("{path}.shape");
            // Any number outside the shape's own range (NaN too) gets that range, not the
            // general 0 … 1e12 of `number`, which would send a user below the real minimum.
            let given = d.shape.as_ref().and_then(|v| match v {
                toml::Value::Float(f) => Some(*f),
                toml::Value::Integer(i) => Some(*i as f64),
                _ => None,
            });
            let shape = match (given, &d.shape) {
                (Some(x), _) if !(MIN_WEIBULL_SHAPE..=MAX_NUMBER).contains(&x) => {
                    return Err(cx.err(
                        at,
                        format!("must be a number from {MIN_WEIBULL_SHAPE} to {MAX_NUMBER:e} (smaller shapes give draws too large to represent), got {}", num(x)),
                    ));
                }
                (_, Some(v)) => number(cx, &at, v)?,
                (_, None) => positive("shape", 0.0)?,
            };
            let scale = positive("scale", read("scale", &d.scale)?)?;
            Dist::weibull(shape, scale).ok_or_else(|| {
                cx.err(
                    format!("{path}.shape"),
                    "shape and scale give no valid weibull",
                )
            })?
        }
        "uniform" => {
            let (min, max) = (read("min", &d.min)?, read("max", &d.max)?);
            if min > max {
                let show = |x: f64| match unit {
                    // Short spans would round to "0s" in the duration form.
                    Unit::Seconds if x >= 1.0 => format_duration(x),
                    Unit::Seconds => format!("{}s", num(x)),
                    _ => num(x),
                };
                return Err(cx.err(
                    format!("{path}.max"),
                    format!(
                        "must not be less than `min`, got max {} below min {}",
                        show(max),
                        show(min)
                    ),
                ));
            }
            Dist::Uniform { min, max }
        }
        "constant" => Dist::Constant(read("value", &d.value)?),
        _ => {
            let values = d
                .values
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, v)| quantity(cx, &format!("{path}.values[{i}]"), v, unit))
                .collect::<Result<Vec<f64>, _>>()?;
            if values.is_empty() {
                return Err(cx.err(format!("{path}.values"), "must list at least one value"));
            }
            Dist::Empirical(values)
        }
    })
}

/// One parameter value in the distribution's unit.
fn quantity(cx: &Ctx, path: &str, v: &toml::Value, unit: Unit) -> Result<f64, ScenarioError> {
    match unit {
        Unit::Seconds => match v {
            toml::Value::String(s) => parse_duration(s).map_err(|m| cx.err(path, m)),
            other => Err(cx.err(
                path,
                format!(
                    "expected a duration string like \"4m\" (units s, m, h, d), found {}",
                    describe(other)
                ),
            )),
        },
        Unit::Number => number(cx, path, v),
        Unit::Fraction => {
            let x = number(cx, path, v)?;
            if x > 1.0 {
                return Err(cx.err(path, format!("must be between 0 and 1, got {}", num(x))));
            }
            Ok(x)
        }
    }
}
