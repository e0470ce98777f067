//! Assumptions as ranges: a money or behaviour parameter without a measured source is a number
//! or a triangular range `{ low = …, mode = …, high = … }`. The simulation runs at the mode
//! (so a scenario's results do not change when a range is added); money figures are then
//! re-scored for many draws of the ranges — cheap, because the figures are linear in the
//! assumptions given the simulated tallies — to give each an *assumption interval* beside the
//! simulation CI, and each assumption is swung low → high (others at mode) for the sensitivity
//! (tornado) table.
//!
//! Draws come from their own stream (`Purpose::AssumptionDraws`, number 15), so they never
//! disturb the simulation's streams and are reproducible from the scenario's seed.

use crate::rng::{Purpose, StreamKey};
use rand::RngExt;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// An assumption: a triangular range (low ≤ mode ≤ high); a plain number has all three equal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assumption {
    /// Lowest plausible value.
    pub low: f64,
    /// Most likely value: the one the simulation uses.
    pub mode: f64,
    /// Highest plausible value.
    pub high: f64,
}

/// The scenario text of an assumption: a number or `{ low, mode, high }`.
// Deserialised by hand rather than as an untagged enum: an untagged enum accepts unknown keys
// in the range table and can only say "a number or a range" whatever went wrong.
#[derive(Debug, Clone, Copy)]
pub enum RawAssumption {
    /// A single value.
    Number(f64),
    /// A triangular range.
    Range {
        /// Lowest plausible value.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Highest plausible value.
        high: f64,
    },
}

impl RawAssumption {
    /// The value the simulation uses: the number, or the range's mode. The builders check it
    /// as they check a plain number; [`Assumption::from_raw`] checks the range itself.
    pub fn mode(&self) -> f64 {
        match *self {
            RawAssumption::Number(x) => x,
            RawAssumption::Range { mode, .. } => mode,
        }
    }

    /// Given as a `{ low, mode, high }` table (even of zero width).
    pub fn is_table(&self) -> bool {
        matches!(self, RawAssumption::Range { .. })
    }
}

/// What an assumption may look like, repeated when a value of the wrong kind stands there.
const ASSUMPTION_EXPECTING: &str = "a number or a range { low = …, mode = …, high = … }";

/// The keys of a range table, in the order they are written.
const RANGE_KEYS: [&str; 3] = ["low", "mode", "high"];

impl<'de> Deserialize<'de> for RawAssumption {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AssumptionVisitor;
        impl<'de> Visitor<'de> for AssumptionVisitor {
            type Value = RawAssumption;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(ASSUMPTION_EXPECTING)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawAssumption, E> {
                Ok(RawAssumption::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawAssumption, E> {
                Ok(RawAssumption::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawAssumption, E> {
                Ok(RawAssumption::Number(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAssumption, A::Error> {
                let mut ends: [Option<f64>; 3] = [None; 3];
                while let Some(key) = map.next_key::<String>()? {
                    let Some(i) = RANGE_KEYS.iter().position(|k| *k == key) else {
                        return Err(de::Error::unknown_field(&key, &RANGE_KEYS));
                    };
                    ends[i] = Some(map.next_value()?);
                }
                match ends {
                    [Some(low), Some(mode), Some(high)] => {
                        Ok(RawAssumption::Range { low, mode, high })
                    }
                    _ => {
                        let missing: Vec<String> = RANGE_KEYS
                            .iter()
                            .zip(ends)
                            .filter(|(_, v)| v.is_none())
                            .map(|(k, _)| format!("`{k}`"))
                            .collect();
                        Err(de::Error::custom(format!(
                            "a range needs all of `low`, `mode` and `high`; missing {}",
                            missing.join(" and ")
                        )))
                    }
                }
            }
        }
        deserializer.deserialize_any(AssumptionVisitor)
    }
}

/// One assumption of a scenario given as a range, by its key path.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranged {
    /// The key path, e.g. `experience.loyalty.defection[2]` or
    /// `program.cohorts[0].cost_per_trainee_day`.
    pub key: String,
    /// The range (the simulation runs at its mode).
    pub range: Assumption,
    /// The assumption changes the simulation itself (attrition, new-hire proficiency), so
    /// money cannot be re-scored for it: it is re-simulated (docs/model.md).
    pub simulated: bool,
}

/// Every assumption a scenario gives as a range, in file order (point values are not listed:
/// they live in the model as plain numbers).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranges {
    /// The ranged assumptions.
    pub entries: Vec<Ranged>,
}

impl Ranges {
    /// The range given for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Assumption> {
        self.entries.iter().find(|e| e.key == key).map(|e| e.range)
    }

    /// `key`'s value at uniform draw `u` (`None`: the mode), or `point` when the scenario
    /// gives no range for it.
    pub fn value(&self, key: &str, u: Option<f64>, point: f64) -> f64 {
        match (self.get(key), u) {
            (Some(a), Some(u)) => a.quantile(u),
            (Some(a), None) => a.mode,
            (None, _) => point,
        }
    }

    /// True when no assumption is a range.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One row of uniform draws over a list of assumption keys: `None` means "at the mode" (so
/// a sensitivity swing keeps the others at each scenario's own mode), `Some(u)` the
/// u-quantile of each scenario's range for that key (a common draw for both scenarios of a
/// comparison: the same assumption about the same customers).
pub type DrawRow = Vec<Option<f64>>;

/// The 2.5% and 97.5% points of `score` over the draw rows (`None` when no draw gives a
/// finite number): the assumption interval of a figure.
pub fn interval_u(
    rows: &[DrawRow],
    score: impl Fn(&[Option<f64>]) -> Option<f64>,
) -> Option<(f64, f64)> {
    let mut values: Vec<f64> = rows
        .iter()
        .filter_map(|u| score(u).filter(|x| x.is_finite()))
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

/// The draw rows for `n` re-scorings over `k` keys, from the seeded assumption stream (the
/// same numbers as [`uniform_draws`]).
pub fn draw_rows(seed: u64, n: usize, k: usize) -> Vec<DrawRow> {
    uniform_draws(seed, n, k)
        .into_iter()
        .map(|r| r.into_iter().map(Some).collect())
        .collect()
}

/// The sensitivity table over keys: each key swung from its low (u = 0) to its high (u = 1)
/// with every other key at its mode, widest swing first (tornado order). A swing with an
/// undefined end (e.g. no payback there) sorts first: the figure appears or disappears over
/// that range, the widest change of all.
pub fn sensitivity_u(
    keys: &[String],
    score: impl Fn(&[Option<f64>]) -> Option<f64>,
) -> Vec<SwingU> {
    let mut swings: Vec<SwingU> = (0..keys.len())
        .map(|i| {
            let at = |u: f64| {
                let mut row: DrawRow = vec![None; keys.len()];
                row[i] = Some(u);
                score(&row).filter(|x| x.is_finite())
            };
            SwingU {
                key: keys[i].clone(),
                at_low: at(0.0),
                at_high: at(1.0),
            }
        })
        .collect();
    let width = |s: &SwingU| match (s.at_low, s.at_high) {
        (Some(a), Some(b)) => (b - a).abs(),
        _ => f64::INFINITY,
    };
    swings.sort_by(|a, b| width(b).total_cmp(&width(a)));
    swings
}

/// One swing of the sensitivity table over keys; an end is `None` when the figure is not
/// defined there (e.g. the program never pays back at that end).
#[derive(Debug, Clone, PartialEq)]
pub struct SwingU {
    /// The assumption's key path.
    pub key: String,
    /// The figure with the assumption at its low, others at mode.
    pub at_low: Option<f64>,
    /// The figure with the assumption at its high, others at mode.
    pub at_high: Option<f64>,
}

impl SwingU {
    /// The swing as a [`Swing`] when both ends are defined.
    pub fn defined(&self) -> Option<Swing> {
        Some(Swing {
            key: self.key.clone(),
            at_low: self.at_low?,
            at_high: self.at_high?,
        })
    }
}

impl Assumption {
    /// A point value (no range).
    pub fn point(x: f64) -> Assumption {
        Assumption {
            low: x,
            mode: x,
            high: x,
        }
    }

    /// Checks a raw assumption: finite, not negative, low ≤ mode ≤ high. The error says what
    /// is wrong and what is allowed (the caller adds the file and key path).
    pub fn from_raw(raw: RawAssumption) -> Result<Assumption, String> {
        let a = match raw {
            RawAssumption::Number(x) => Assumption::point(x),
            RawAssumption::Range { low, mode, high } => Assumption { low, mode, high },
        };
        for (what, v) in [("low", a.low), ("mode", a.mode), ("high", a.high)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!(
                    "{what} must be a finite number ≥ 0, got {v} (allowed: a number or {{ low, mode, high }} with 0 ≤ low ≤ mode ≤ high)"
                ));
            }
        }
        if a.low > a.high {
            return Err(format!(
                "low {} is above high {} (allowed: 0 ≤ low ≤ mode ≤ high)",
                a.low, a.high
            ));
        }
        if !(a.low..=a.high).contains(&a.mode) {
            return Err(format!(
                "mode {} is outside [low {}, high {}] (allowed: 0 ≤ low ≤ mode ≤ high)",
                a.mode, a.low, a.high
            ));
        }
        Ok(a)
    }

    /// A range, not a single value.
    pub fn is_range(&self) -> bool {
        self.low < self.high
    }

    /// The triangular distribution's CDF at `x` (a point value: 0 below it, 1 from it; the
    /// mode's position for `x` at the point, so a point maps to itself and back).
    pub fn cdf(&self, x: f64) -> f64 {
        let (a, c, b) = (self.low, self.mode, self.high);
        if b <= a {
            return 0.5;
        }
        if x <= a {
            0.0
        } else if x >= b {
            1.0
        } else if x <= c {
            (x - a) * (x - a) / ((b - a) * (c - a))
        } else {
            1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
        }
    }

    /// The triangular distribution's quantile at `u` in [0, 1] (inverse CDF), so one uniform
    /// draw maps to the same relative position in every scenario's range.
    pub fn quantile(&self, u: f64) -> f64 {
        let (a, c, b) = (self.low, self.mode, self.high);
        if b <= a {
            return c;
        }
        let f = (c - a) / (b - a);
        if u < f {
            a + (u * (b - a) * (c - a)).sqrt()
        } else {
            b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
        }
    }
}

/// One swing of the sensitivity table: a figure at the assumption's low and high (others at
/// mode).
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The assumption's key path (e.g. `customers.customer_value`).
    pub key: String,
    /// The figure with the assumption at its low.
    pub at_low: f64,
    /// The figure with the assumption at its high.
    pub at_high: f64,
}

impl Swing {
    /// How far the figure moves over the range.
    pub fn width(&self) -> f64 {
        (self.at_high - self.at_low).abs()
    }
}

/// The uniform draws for `n` re-scorings of `k` assumptions: row `d` holds one u per
/// assumption, from the seeded assumption stream.
pub fn uniform_draws(seed: u64, n: usize, k: usize) -> Vec<Vec<f64>> {
    let key = StreamKey {
        seed,
        point: 0,
        replication: 0,
    };
    let mut s = key.stream(Purpose::AssumptionDraws, 0);
    (0..n)
        .map(|_| (0..k).map(|_| s.random::<f64>()).collect())
        .collect()
}

/// The 2.5% and 97.5% points of `score` over the draws (`None` when no draw gives a number):
/// the assumption interval of a figure. `score` receives one value per assumption.
pub fn interval(
    assumptions: &[Assumption],
    draws: &[Vec<f64>],
    score: impl Fn(&[f64]) -> Option<f64>,
) -> Option<(f64, f64)> {
    let mut values: Vec<f64> = draws
        .iter()
        .filter_map(|u| {
            let v: Vec<f64> = assumptions
                .iter()
                .zip(u)
                .map(|(a, &u)| a.quantile(u))
                .collect();
            score(&v).filter(|x| x.is_finite())
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

/// The sensitivity table: each ranged assumption swung low → high with the others at mode,
/// widest swing first (tornado order).
pub fn sensitivity(
    keys: &[String],
    assumptions: &[Assumption],
    score: impl Fn(&[f64]) -> Option<f64>,
) -> Vec<Swing> {
    let modes: Vec<f64> = assumptions.iter().map(|a| a.mode).collect();
    let mut swings: Vec<Swing> = assumptions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_range())
        .filter_map(|(i, a)| {
            let at = |x: f64| {
                let mut v = modes.clone();
                v[i] = x;
                score(&v)
            };
            Some(Swing {
                key: keys[i].clone(),
                at_low: at(a.low)?,
                at_high: at(a.high)?,
            })
        })
        .collect();
    swings.sort_by(|a, b| b.width().total_cmp(&a.width()));
    swings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(low: f64, mode: f64, high: f64) -> RawAssumption {
        RawAssumption::Range { low, mode, high }
    }

    #[test]
    fn bad_ranges_are_refused_with_what_is_allowed() {
        let e = Assumption::from_raw(range(5.0, 4.0, 3.0)).unwrap_err();
        assert!(e.contains("low 5 is above high 3"), "{e}");
        let e = Assumption::from_raw(range(1.0, 4.0, 3.0)).unwrap_err();
        assert!(e.contains("mode 4 is outside"), "{e}");
        let e = Assumption::from_raw(RawAssumption::Number(-1.0)).unwrap_err();
        assert!(e.contains("≥ 0"), "{e}");
        assert!(Assumption::from_raw(range(1.0, 1.0, 3.0)).is_ok());
    }

    #[test]
    fn triangular_quantiles_hit_the_ends_and_the_mode() {
        let a = Assumption {
            low: 100.0,
            mode: 200.0,
            high: 400.0,
        };
        assert_eq!(a.quantile(0.0), 100.0);
        assert_eq!(a.quantile(1.0), 400.0);
        // F(mode) = (c − a)/(b − a) = 1/3.
        assert!((a.quantile(1.0 / 3.0) - 200.0).abs() < 1e-9);
        // The sample mean of a triangular is (a + b + c)/3.
        let draws = uniform_draws(7, 20_000, 1);
        let mean = draws.iter().map(|u| a.quantile(u[0])).sum::<f64>() / 20_000.0;
        assert!((mean - 700.0 / 3.0).abs() < 2.0, "{mean}");
        assert_eq!(Assumption::point(3.0).quantile(0.7), 3.0);
        for x in [120.0, 200.0, 333.0] {
            assert!(
                (a.quantile(a.cdf(x)) - x).abs() < 1e-9,
                "cdf inverts quantile"
            );
        }
    }

    /// Keyed draws: `None` is each range's mode, u maps through the quantile; the tornado
    /// swings u = 0 → 1 with the rest at mode and keeps undefined ends.
    #[test]
    fn keyed_draws_and_swings() {
        let mut r = Ranges::default();
        r.entries.push(Ranged {
            key: "v".into(),
            range: Assumption {
                low: 1.0,
                mode: 2.0,
                high: 4.0,
            },
            simulated: false,
        });
        assert_eq!(r.value("v", None, 9.0), 2.0);
        assert_eq!(r.value("v", Some(1.0), 9.0), 4.0);
        assert_eq!(r.value("w", Some(0.3), 9.0), 9.0, "no range: the point");
        let keys: Vec<String> = ["v", "w"].map(String::from).to_vec();
        let score = |row: &[Option<f64>]| {
            let v = r.value("v", row[0], 0.0);
            let w = row[1].map_or(1.0, |u| 10.0 * u);
            (w > 0.0).then_some(v * w)
        };
        let t = sensitivity_u(&keys, score);
        assert_eq!(t[0].key, "w", "an undefined end sorts first");
        assert_eq!((t[0].at_low, t[0].at_high), (None, Some(20.0)));
        assert_eq!(t[1].defined().unwrap().width(), 3.0);
        let rows = draw_rows(3, 400, 2);
        assert_eq!(rows, draw_rows(3, 400, 2));
        let (lo, hi) = interval_u(&rows, |row| Some(r.value("v", row[0], 0.0))).unwrap();
        assert!(
            (1.0..1.6).contains(&lo) && (3.3..=4.0).contains(&hi),
            "{lo} {hi}"
        );
    }

    #[test]
    fn interval_and_tornado_order() {
        let asm = [
            Assumption {
                low: 0.0,
                mode: 1.0,
                high: 2.0,
            },
            Assumption {
                low: 9.0,
                mode: 10.0,
                high: 11.0,
            },
            Assumption::point(5.0),
        ];
        let keys: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let score = |v: &[f64]| Some(100.0 * v[0] + v[1] + v[2]);
        let draws = uniform_draws(1, 500, 3);
        let (lo, hi) = interval(&asm, &draws, score).unwrap();
        assert!(lo < 115.0 && hi > 115.0 && lo >= 14.0 && hi <= 216.0);
        assert_eq!(draws, uniform_draws(1, 500, 3), "reproducible");
        let t = sensitivity(&keys, &asm, score);
        assert_eq!(t.len(), 2, "point values do not swing");
        assert_eq!(t[0].key, "a");
        assert_eq!((t[0].at_low, t[0].at_high), (15.0, 215.0));
    }
}
