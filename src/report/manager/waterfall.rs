//! The manager page's money waterfall, B − A: which figures make up the net benefit and which
//! are shown beside it. Computed here from what a paired comparison already holds (the
//! per-day and per-group summaries) and the two scenarios' prices, so `compare` stays as it is.
//!
//! Three kinds of item, never mixed:
//! - **cash**: money that changes hands in the simulated plan — the training program's cost,
//!   the rota, customers kept. They add up to the net, which for a program over weeks is the
//!   last point of the cumulative cash flow (the series NPV and payback come from, see
//!   [`crate::money`]), undiscounted;
//! - **capacity freed**: agent time the simulation measures as no longer needed (shorter
//!   handling, repeat contacts avoided) valued at agent cost. The rota is fixed in both
//!   scenarios, so this is not cash unless the rota is cut (the hard saving); it is shown,
//!   not added, so nothing is counted twice with the rota or with customers kept;
//! - **upside**: the spend premium (stated intention), shown, not added;
//! - without a program, the one-off training investment is shown beside the per-run figures,
//!   never added to them (one-off and per-run money are different units).

use crate::compare::Comparison;
use crate::experiment::{Paired, Scope};
use crate::scenario::Scenario;

/// Whether a figure comes out of the simulation or rests on an assumed price or behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Simulated quantities (hours, contacts) at the scenario's agent costs.
    Measured,
    /// Rests on an assumption: customer value, intent becoming loss, the program's prices.
    Assumed,
}

/// How an item enters the waterfall (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Cash in the simulated plan: adds up to the net.
    Cash,
    /// Agent time freed, valued at agent cost: shown, not added.
    Capacity,
    /// Stated-intention revenue: shown, not added.
    Upside,
    /// A one-off payment beside per-run figures: shown, not added.
    OneOff,
}

/// One bar: B − A, positive when B gains.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable identifier (`training_cost`, `time_off_phones`, …), for tests and anchors.
    pub key: &'static str,
    /// Human label.
    pub label: &'static str,
    /// B − A in currency; positive = B is better off.
    pub value: f64,
    /// Measured or assumed.
    pub basis: Basis,
    /// Added to the net or shown beside it.
    pub role: Role,
    /// How the figure is made, in a sentence (shown under the chart).
    pub detail: String,
}

/// The waterfall of one comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// In display order: cash items first, then the ones shown beside the net.
    pub items: Vec<Item>,
    /// Σ of the cash items.
    pub net: f64,
    /// Days the run covers (a program's days, else the horizon's days).
    pub days: u32,
    /// Both scenarios run a program over days: figures are totals over the program.
    pub program: bool,
    /// The trainee-day price is below the agents' pay for the same hours (the rota saving
    /// exceeds it): worth a warning, since the training then looks almost free in cash.
    pub trainee_price_below_pay: bool,
}

/// Mean of `metric` in `scope` (0 when undefined: no contacts, or no such metric).
fn mean(scope: Option<&Scope>, metric: &str) -> f64 {
    scope
        .and_then(|s| s.get(metric))
        .and_then(|m| m.estimate)
        .map_or(0.0, |e| e.mean)
}

/// Whether anyone of either scenario's program is in class on `day`.
pub fn class_day(a: &Scenario, b: &Scenario, day: u32) -> bool {
    [a, b].iter().any(|s| {
        s.program
            .as_ref()
            .is_some_and(|p| p.cohorts.iter().any(|c| c.in_class(day)))
    })
}

/// Per day of `s`'s run: whether any group schedules anyone in it (closed days are not).
pub fn open_days(s: &Scenario) -> Vec<bool> {
    let sim = &s.simulation;
    let mut open = vec![false; run_days(s) as usize];
    for k in 0..sim.intervals {
        let d = crate::model::program::day_of(s.calendar.as_ref(), k as f64 * sim.interval);
        if s.agent_groups.iter().any(|g| g.staffing[k] > 0) {
            if let Some(o) = open.get_mut(d as usize) {
                *o = true;
            }
        }
    }
    open
}

/// Days a run of `s` covers (whole days, at least 1).
pub fn run_days(s: &Scenario) -> u32 {
    crate::model::program::days_in(s.calendar.as_ref(), s.simulation.horizon).max(1)
}

/// Talk time of every group, valued at its hourly cost, and the contacts handled.
fn handling(p_groups: &[Scope], s: &Scenario) -> (f64, f64) {
    let mut cost = 0.0;
    let mut handled = 0.0;
    for (scope, g) in p_groups.iter().zip(&s.agent_groups) {
        let n = mean(Some(scope), "handled");
        cost += n * mean(Some(scope), "aht_s") / 3600.0 * g.hourly_cost;
        handled += n;
    }
    (cost, handled)
}

/// The waterfall of `c` (the comparison of `p`, scenarios `a` and `b`).
pub fn waterfall(c: &Comparison, p: &Paired, a: &Scenario, b: &Scenario) -> Waterfall {
    let program = !p.a.days.is_empty() && p.a.days.len() == p.b.days.len();
    let diff = |m: &str| mean(Some(&p.b.overall), m) - mean(Some(&p.a.overall), m);
    let mut items = Vec::new();
    let mut trainee_price_below_pay = false;
    let days = if program {
        p.a.days.len() as u32
    } else {
        run_days(a)
    };
    if program {
        let (mut prog, mut rota_class, mut rota_other, mut risk) = (0.0, 0.0, 0.0, 0.0);
        for (d, (da, db)) in p.a.days.iter().zip(&p.b.days).enumerate() {
            let dd = |m: &str| mean(Some(db), m) - mean(Some(da), m);
            prog += dd("program_cost");
            risk += dd("revenue_at_risk");
            if class_day(a, b, d as u32) {
                rota_class += dd("staffing_cost");
            } else {
                rota_other += dd("staffing_cost");
            }
        }
        let priced = |s: &Scenario| {
            s.program.as_ref().map_or((0.0, 0.0), |p| {
                p.cohorts.iter().fold((0.0, 0.0), |(t, r), c| {
                    (
                        t + f64::from(c.agents * c.days) * c.cost_per_trainee_day,
                        r + c.trainer_cost,
                    )
                })
            })
        };
        let ((ta, ra), (tb, rb)) = (priced(a), priced(b));
        items.push(Item {
            key: "training_cost",
            label: "Training cost (trainee-days + trainers)",
            value: -prog,
            basis: Basis::Assumed,
            role: Role::Cash,
            detail: format!(
                "the program's trainee-days ({}) and trainers ({}), B − A, booked on their days \
                 at the scenario's prices",
                super::money(tb - ta),
                super::money(rb - ra)
            ),
        });
        // Trainees in class are off the rota: the trainee-day price pays them, so B's rota
        // is smaller by their hours at agent cost. Nobody backfills them, so what their
        // absence costs in service is inside "customers retained" (and the SL chart).
        let hours = trainee_hours(b) - trainee_hours(a);
        trainee_price_below_pay = -rota_class > (tb - ta) + 0.5 && tb > ta;
        items.push(Item {
            key: "time_off_phones",
            label: "Time off phones (trainees off the rota)",
            value: -rota_class,
            basis: Basis::Measured,
            role: Role::Cash,
            detail: format!(
                "{} trainee agent-hours in class valued at agent cost: B's rota is that \
                 much smaller on class days because the trainee-day price pays them; they are \
                 not backfilled, so the service lost while they are away shows in customers \
                 retained",
                super::money(hours)
            ),
        });
        items.push(Item {
            key: "staffing_cost",
            label: "Staffing cost, other days",
            value: -rota_other,
            basis: Basis::Measured,
            role: Role::Cash,
            detail: "rota cost on days nobody is in class (same plan; differences are the \
                     simulated staffed time)"
                .into(),
        });
        items.push(Item {
            key: "customers_retained",
            label: "Customers retained",
            value: -risk,
            basis: Basis::Assumed,
            role: Role::Cash,
            detail: "revenue at risk avoided: fewer customers intending to leave (simulated) × \
                     customer value (assumed), intent taken as loss 1:1"
                .into(),
        });
    } else {
        items.push(Item {
            key: "staffing_cost",
            label: "Staffing cost saved",
            value: -c.money.staffing_cost_change,
            basis: Basis::Measured,
            role: Role::Cash,
            detail: "the planned rota's cost (agents and supervisors × hourly cost), B − A".into(),
        });
        if let Some(r) = c.money.revenue_at_risk_change {
            items.push(Item {
                key: "customers_retained",
                label: "Customers retained",
                value: -r.mean,
                basis: Basis::Assumed,
                role: Role::Cash,
                detail: "revenue at risk avoided: fewer customers intending to leave \
                         (simulated) × customer value (assumed), intent taken as loss 1:1"
                    .into(),
            });
        }
    }
    let net = items.iter().map(|i| i.value).sum();
    // Capacity freed: talk time at each group's hourly cost. The repeat contacts' share is
    // taken out of "handling saved" so the two bars never count the same hours twice.
    let (cost_a, handled_a) = handling(&p.a.agent_groups, a);
    let (cost_b, _) = handling(&p.b.agent_groups, b);
    let per_contact = if handled_a > 0.0 {
        cost_a / handled_a
    } else {
        0.0
    };
    let repeats = |s: &Scope| mean(Some(s), "offered") * mean(Some(s), "repeat_contact_rate");
    let fewer_repeats = repeats(&p.a.overall) - repeats(&p.b.overall);
    let repeat_value = fewer_repeats * per_contact;
    items.push(Item {
        key: "handling_saved",
        label: "Handling saved (repeats excluded)",
        value: (cost_a - cost_b) - repeat_value,
        basis: Basis::Measured,
        role: Role::Capacity,
        detail: format!(
            "change in agents' talk time (simulated, after-call work not counted) × each \
             group's cost per agent-hour, less the repeat contacts' share: {} handled \
             agent-time in all",
            super::money(cost_a - cost_b)
        ),
    });
    items.push(Item {
        key: "repeat_contacts_avoided",
        label: "Repeat contacts avoided",
        value: repeat_value,
        basis: Basis::Measured,
        role: Role::Capacity,
        detail: format!(
            "{} {} repeat contacts (simulated) × {:.2} to handle one (A's talk time per \
             contact at agent cost)",
            super::money(fewer_repeats.abs()),
            if fewer_repeats >= 0.0 {
                "fewer"
            } else {
                "more"
            },
            per_contact
        ),
    });
    let upside_defined = |s: &Scope| {
        s.get("revenue_upside")
            .is_some_and(|m| m.estimate.is_some())
    };
    if upside_defined(&p.a.overall) || upside_defined(&p.b.overall) {
        items.push(Item {
            key: "upside",
            label: "Upside (spend premium)",
            value: diff("revenue_upside"),
            basis: Basis::Assumed,
            role: Role::Upside,
            detail: "extra spend of very satisfied customers (AmEx 2011 stated intention)".into(),
        });
    }
    if !program && c.money.training_investment_change != 0.0 {
        items.push(Item {
            key: "training_cost",
            label: "Training investment (one-off)",
            value: -c.money.training_investment_change,
            basis: Basis::Assumed,
            role: Role::OneOff,
            detail: "training cost per agent × peak headcount, paid once: not a per-run figure"
                .into(),
        });
    }
    Waterfall {
        items,
        net,
        days,
        program,
        trainee_price_below_pay,
    }
}

/// Agent-hours `s`'s trainees spend in class: each class day, the cohort's agents × the
/// hours their group is scheduled that day (what leaves the rota).
fn trainee_hours(s: &Scenario) -> f64 {
    let Some(program) = &s.program else {
        return 0.0;
    };
    let sim = &s.simulation;
    let clock = s.calendar.as_ref();
    let mut hours = 0.0;
    for k in 0..sim.intervals {
        let day = crate::model::program::day_of(clock, k as f64 * sim.interval);
        for c in program.cohorts.iter().filter(|c| c.in_class(day)) {
            // Open intervals only: the group schedules nobody when it is closed.
            if s.agent_groups[c.group].staffing[k] > 0 {
                hours += f64::from(c.agents) * sim.interval_len(k) / 3600.0;
            }
        }
    }
    hours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_days_and_run_days() {
        let s = Scenario::from_toml_str(
            r#"
            [simulation]
            horizon = "3d"
            interval = "1h"
            [[call_types]]
            name = "c"
            arrival_rate = 10.0
            handle_time = { distribution = "exponential", mean = "3m" }
            [[agent_groups]]
            name = "g"
            skills = ["c"]
            agents = 3
            "#,
            "t.toml",
            "t",
        )
        .expect("valid");
        assert_eq!(run_days(&s), 3);
        assert!(!class_day(&s, &s, 0));
        assert_eq!(trainee_hours(&s), 0.0);
    }

    /// A 3-day pair, B with one trainee in class on day 1: the program's booked cost, the
    /// trainee's hours off the rota and the cash items adding up to the day-by-day cash flow.
    #[test]
    fn a_small_program_pair_adds_up() {
        let scenario = |cohort: &str| {
            Scenario::from_toml_str(
                &format!(
                    r#"
                    [simulation]
                    horizon = "3d"
                    interval = "1h"
                    replications = 2
                    [program]
                    discount_rate = 0.0
                    {cohort}
                    [[call_types]]
                    name = "c"
                    arrival_rate = 20.0
                    handle_time = {{ distribution = "exponential", mean = "5m" }}
                    [[agent_groups]]
                    name = "g"
                    skills = ["c"]
                    agents = 4
                    hourly_cost = 10.0
                    "#
                ),
                "t.toml",
                "t",
            )
            .expect("valid")
        };
        let a = scenario("");
        let b = scenario(
            r#"[[program.cohorts]]
            group = "g"
            agents = 1
            start_day = 1
            days = 1
            proficiency_after_class = 0.8
            proficiency = 0.9
            learning_calls = 0.0
            cost_per_trainee_day = 100.0
            trainer_cost = 50.0"#,
        );
        let p = crate::experiment::run_paired(&a, &b, Default::default()).expect("runs");
        let c = crate::compare::compare(&p);
        let w = waterfall(&c, &p, &a, &b);
        assert!(w.program && w.days == 3);
        let item = |k: &str| w.items.iter().find(|i| i.key == k).expect(k).value;
        assert_eq!(item("training_cost"), -150.0);
        // One agent off the rota for day 1's 24 hours at 10 an hour.
        assert_eq!(trainee_hours(&b), 24.0);
        assert!((item("time_off_phones") - 240.0).abs() < 1e-6, "{w:?}");
        assert!(w.trainee_price_below_pay);
        let cash: f64 = w
            .items
            .iter()
            .filter(|i| i.role == Role::Cash)
            .map(|i| i.value)
            .sum();
        assert_eq!(cash, w.net);
        let flow = super::super::charts::cash_flow_from_days(&p);
        assert_eq!(flow.len(), 3);
        assert!(
            (flow[2].mean - w.net).abs() < 1e-6,
            "{} vs {}",
            flow[2].mean,
            w.net
        );
        // At a 0% discount rate the NPV is the undiscounted total of the same series.
        let npv = c.money.program.expect("program money").npv.mean;
        assert!(
            (npv - w.net).abs() < 1e-6,
            "undiscounted: NPV {npv} = net {}",
            w.net
        );
        assert_eq!(open_days(&a), vec![true; 3]);
        assert_eq!(
            (0..3).map(|d| class_day(&a, &b, d)).collect::<Vec<_>>(),
            [false, true, false]
        );
    }
}
