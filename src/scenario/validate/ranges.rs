//! Collects and checks every assumption a scenario gives as a `{ low, mode, high }` range
//! (docs/scenarios.md, "Assumptions as ranges"). The section builders take each key's mode,
//! checked like a plain number; here the range itself is checked (finite, ≥ 0, low ≤ mode ≤
//! high, and the key's own ceiling at `high`: a probability ≤ 1, attrition < 1 a year) and
//! listed by key path for the money re-scoring.

use super::checks::{num, Ctx};
use crate::model::assumptions::{Assumption, Ranged, Ranges, RawAssumption};
use crate::model::experience::NpsCalibration;
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::RawScenario;

/// The most a key allows at the top of its range.
#[derive(Clone, Copy)]
enum Ceiling {
    /// Currency and rates: the usual ceiling on numbers.
    Amount,
    /// A share or probability: at most 1.
    Share,
    /// Attrition: below 1 a year (1 would mean everyone leaves).
    BelowOne,
}

/// Every ranged assumption of `raw`, checked.
pub(super) fn ranges(cx: &Ctx, raw: &RawScenario) -> Result<Ranges, ScenarioError> {
    let mut out = Ranges::default();
    let mut add = |key: String,
                   a: &Option<RawAssumption>,
                   ceiling: Ceiling,
                   simulated: bool|
     -> Result<(), ScenarioError> {
        let Some(raw) = a else { return Ok(()) };
        if !raw.is_table() {
            return Ok(());
        }
        let range = Assumption::from_raw(*raw).map_err(|m| cx.err(&key, m))?;
        let top_ok = match ceiling {
            Ceiling::Amount => range.high <= 1e12,
            Ceiling::Share => range.high <= 1.0,
            Ceiling::BelowOne => range.high < 1.0,
        };
        if !top_ok {
            let allowed = match ceiling {
                Ceiling::Amount => "at most 1e12",
                Ceiling::Share => "a share: at most 1",
                Ceiling::BelowOne => {
                    "below 1 (the share leaving per year; 1 would mean everyone leaves)"
                }
            };
            return Err(cx.err(
                &key,
                format!("high {} is too large: allowed {allowed}", num(range.high)),
            ));
        }
        if range.is_range() {
            out.entries.push(Ranged {
                key,
                range,
                simulated,
            });
        }
        Ok(())
    };
    if let Some(c) = &raw.customers {
        add(
            "customers.customer_value".into(),
            &c.customer_value,
            Ceiling::Amount,
            false,
        )?;
    }
    if let Some(e) = &raw.experience {
        if let Some(l) = &e.loyalty {
            for (i, d) in l.defection.iter().flatten().enumerate() {
                add(
                    format!("experience.loyalty.defection[{i}]"),
                    &Some(*d),
                    Ceiling::Share,
                    false,
                )?;
            }
            for (i, t) in l.tell_share.iter().flatten().enumerate() {
                add(
                    format!("experience.loyalty.tell_share[{i}]"),
                    &Some(*t),
                    Ceiling::Share,
                    false,
                )?;
            }
            let key = "experience.loyalty.nps_passives";
            add(key.into(), &l.nps_passives, Ceiling::Share, false)?;
            if let Some(a) = l.nps_passives.filter(|a| a.is_table()) {
                // Every passives' share in the range must admit an NPS curve: check both ends
                // with the file's anchors (or the defaults).
                let base = NpsCalibration::default();
                let anchor = |v: &Option<Vec<f64>>, d: (f64, f64)| match v.as_deref() {
                    Some([p, n]) => (*p, *n),
                    _ => d,
                };
                let a = Assumption::from_raw(a).map_err(|m| cx.err(key, m))?;
                for end in [a.low, a.high] {
                    let c = NpsCalibration {
                        high: anchor(&l.nps_high, base.high),
                        low: anchor(&l.nps_low, base.low),
                        passives: end,
                    };
                    c.check().map_err(|m| {
                        cx.err(
                            key,
                            format!("no NPS curve fits at the range's end {}: {m}", num(end)),
                        )
                    })?;
                }
            }
        }
        if let Some(p) = &e.spend_premium {
            let path = "experience.spend_premium";
            add(format!("{path}.share"), &p.share, Ceiling::Share, false)?;
            add(
                format!("{path}.premium"),
                &p.premium,
                Ceiling::Amount,
                false,
            )?;
        }
    }
    if let Some(p) = &raw.program {
        add(
            "program.discount_rate".into(),
            &p.discount_rate,
            Ceiling::Amount,
            false,
        )?;
        for (i, c) in p.cohorts.iter().enumerate() {
            let at = |k: &str| format!("program.cohorts[{i}].{k}");
            add(
                at("cost_per_trainee_day"),
                &c.cost_per_trainee_day,
                Ceiling::Amount,
                false,
            )?;
            add(at("trainer_cost"), &c.trainer_cost, Ceiling::Amount, false)?;
        }
        for (i, a) in p.attrition.iter().enumerate() {
            let at = |k: &str| format!("program.attrition[{i}].{k}");
            add(
                at("annual_rate"),
                &Some(a.annual_rate),
                Ceiling::BelowOne,
                true,
            )?;
            add(
                at("new_hire_proficiency"),
                &a.new_hire_proficiency,
                Ceiling::Share,
                true,
            )?;
        }
    }
    Ok(out)
}
