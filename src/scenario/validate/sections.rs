//! Building the customer-experience sections: `[supervisors]`, `[customers]` and
//! `[experience]`. Absent sections give the defaults that leave the plain queueing model
//! unchanged; see docs/model.md for each default's source.

use super::checks::{finite, non_negative, num, probability, Ctx};
use super::distribution::{build_dist, Unit};
use crate::model::assumptions::Assumption;
use crate::model::{CustomerBehaviour, Dist, ExperienceParams, Supervisors};
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::{RawCustomers, RawDistribution, RawExperience, RawSupervisors};

fn duration_or(
    cx: &Ctx,
    path: &str,
    raw: &Option<RawDistribution>,
    default: Dist,
) -> Result<Dist, ScenarioError> {
    match raw {
        Some(d) => build_dist(cx, path, d, Unit::Seconds),
        None => Ok(default),
    }
}

/// `[supervisors]`, or the defaults (one supervisor, 2-minute consults, no cost).
pub fn supervisors(cx: &Ctx, raw: &Option<RawSupervisors>) -> Result<Supervisors, ScenarioError> {
    let default_consult = Dist::Exponential { mean: 120.0 };
    let Some(r) = raw else {
        return Ok(Supervisors {
            count: 1,
            consult_time: default_consult,
            hourly_cost: 0.0,
        });
    };
    let count = r.count.unwrap_or(1);
    if !(0..=100_000).contains(&count) {
        return Err(cx.err(
            "supervisors.count",
            format!("must be a whole number from 0 to 100000, got {count}"),
        ));
    }
    Ok(Supervisors {
        count: count as u32,
        consult_time: duration_or(
            cx,
            "supervisors.consult_time",
            &r.consult_time,
            default_consult,
        )?,
        hourly_cost: non_negative(cx, "supervisors.hourly_cost", r.hourly_cost.unwrap_or(0.0))?,
    })
}

/// `[customers]`, or the plain model (nobody calls back or redials).
pub fn customers(cx: &Ctx, raw: &Option<RawCustomers>) -> Result<CustomerBehaviour, ScenarioError> {
    let Some(r) = raw else {
        return Ok(CustomerBehaviour::plain());
    };
    let max_contacts = r.max_contacts.unwrap_or(5);
    if !(1..=1000).contains(&max_contacts) {
        return Err(cx.err(
            "customers.max_contacts",
            format!("must be a whole number from 1 to 1000, got {max_contacts}"),
        ));
    }
    let value_range = match r.customer_value {
        None => Assumption::point(0.0),
        Some(raw) => {
            let a = Assumption::from_raw(raw).map_err(|m| cx.err("customers.customer_value", m))?;
            // The usual ceiling on numbers, checked on the range's top.
            non_negative(cx, "customers.customer_value", a.high)?;
            a
        }
    };
    Ok(CustomerBehaviour {
        callback_probability: probability(
            cx,
            "customers.callback_probability",
            r.callback_probability.unwrap_or(0.9),
        )?,
        callback_delay: duration_or(
            cx,
            "customers.callback_delay",
            &r.callback_delay,
            Dist::Exponential { mean: 7200.0 },
        )?,
        redial_probability: probability(
            cx,
            "customers.redial_probability",
            r.redial_probability.unwrap_or(0.5),
        )?,
        redial_delay: duration_or(
            cx,
            "customers.redial_delay",
            &r.redial_delay,
            Dist::Exponential { mean: 300.0 },
        )?,
        max_contacts: max_contacts as u32,
        customer_value: value_range.mode,
        customer_value_range: value_range,
    })
}

/// `[experience]`, or the cited defaults of docs/model.md.
pub fn experience(
    cx: &Ctx,
    raw: &Option<RawExperience>,
) -> Result<ExperienceParams, ScenarioError> {
    let mut e = ExperienceParams::default();
    let Some(r) = raw else {
        return Ok(e);
    };
    if let Some(f) = r.novice_handle_factor {
        if !(f > 0.0 && f <= 100.0) {
            return Err(cx.err(
                "experience.novice_handle_factor",
                format!("must be a number above 0 and at most 100 (1 = training does not change handle time), got {}", num(f)),
            ));
        }
        e.novice_handle_factor = f;
    }
    if let Some(x) = r.resolution_intercept {
        e.resolution_intercept = finite(cx, "experience.resolution_intercept", x)?;
    }
    if let Some(x) = r.resolution_slope {
        e.resolution_slope = non_negative(cx, "experience.resolution_slope", x)?;
    }
    if let Some(x) = r.holds_novice {
        e.holds_novice = non_negative(cx, "experience.holds_novice", x)?;
    }
    if let Some(x) = r.holds_difficulty {
        e.holds_difficulty = non_negative(cx, "experience.holds_difficulty", x)?;
    }
    e.hold_time = duration_or(
        cx,
        "experience.hold_time",
        &r.hold_time,
        e.hold_time.clone(),
    )?;
    super::loyalty::satisfaction_and_loyalty(cx, r, &mut e)?;
    Ok(e)
}
