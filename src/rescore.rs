//! Re-scoring money figures for draws of the assumption ranges, from the simulated tallies.
//!
//! The simulation runs every assumption at its mode. Given what it tallied — journeys per SQM
//! outcome class, expected customers lost, Σ top-box probability, staffing cost, per day when
//! the scenario runs a program — each money figure is a simple function of the assumptions:
//!
//! - customers lost = Σ_k defection_k · journeys_k (churn by journey outcome, the default;
//!   with `churn_by_csat` the defection figures do not enter);
//! - revenue at risk = customers lost × customer value;
//! - revenue upside = Σ top-box × share × premium × spend;
//! - a cohort's cost on a day = trainer cost on its first day + trainees × cost per trainee-day
//!   on each class day;
//! - NPV discounts the daily cash flow at the discount rate.
//!
//! Every re-scored figure is *anchored* on the simulated one: it is the simulated value plus
//! the change the draw makes (e.g. `risk + (lost′·value′ − lost·value)`), so a draw at the
//! modes (or a range of zero width) gives the simulated figure exactly, bit for bit.
//!
//! Assumptions that change the simulation itself (attrition, new-hire proficiency) cannot be
//! re-scored this way; see [`crate::compare`] for how they are propagated.

use crate::model::assumptions::Ranges;
use crate::scenario::Scenario;

/// The money-relevant assumption values of one scenario at one draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Revenue lost with a churned customer.
    pub value: f64,
    /// Defection after first-contact resolution, resolution after repeat, no resolution.
    pub defection: [f64; 3],
    /// Share × premium of the spend premium (0 when it is off).
    pub premium: f64,
    /// Spend per customer of the spend premium (0 when it is off).
    pub spend: f64,
    /// Per cohort: (cost per trainee-day, trainer cost).
    pub cohorts: Vec<(f64, f64)>,
    /// Discount rate per year.
    pub discount_rate: f64,
}

/// The keys that can be re-scored (every ranged assumption that does not change the
/// simulation), over all `scenarios`, in first-seen order.
pub fn rescored_keys(scenarios: &[&Scenario]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for s in scenarios {
        for e in s.assumptions.entries.iter().filter(|e| !e.simulated) {
            if !keys.contains(&e.key) {
                keys.push(e.key.clone());
            }
        }
    }
    keys
}

/// The keys that change the simulation, over all `scenarios`, in first-seen order.
pub fn simulated_keys(scenarios: &[&Scenario]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for s in scenarios {
        for e in s.assumptions.entries.iter().filter(|e| e.simulated) {
            if !keys.contains(&e.key) {
                keys.push(e.key.clone());
            }
        }
    }
    keys
}

impl Params {
    /// `s`'s values with key `keys[i]` at draw `row[i]` (`None`: the mode; a key the
    /// scenario gives as a number keeps it).
    pub fn at(s: &Scenario, keys: &[String], row: &[Option<f64>]) -> Params {
        let r: &Ranges = &s.assumptions;
        let u = |key: &str| keys.iter().position(|k| k == key).and_then(|i| row[i]);
        let v = |key: String, point: f64| r.value(&key, u(&key), point);
        let mut defection = s.experience.loyalty.defection;
        for (i, d) in defection.iter_mut().enumerate() {
            *d = v(format!("experience.loyalty.defection[{i}]"), *d);
        }
        let (premium, spend) = s.experience.spend_premium.map_or((0.0, 0.0), |p| {
            (
                v("experience.spend_premium.share".into(), p.share)
                    * v("experience.spend_premium.premium".into(), p.premium),
                p.spend,
            )
        });
        let (cohorts, discount_rate) = match &s.program {
            Some(p) => (
                p.cohorts
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let at = |k: &str| format!("program.cohorts[{i}].{k}");
                        (
                            v(at("cost_per_trainee_day"), c.cost_per_trainee_day),
                            v(at("trainer_cost"), c.trainer_cost),
                        )
                    })
                    .collect(),
                v("program.discount_rate".into(), p.discount_rate),
            ),
            None => (Vec::new(), 0.0),
        };
        Params {
            value: v(
                "customers.customer_value".into(),
                s.customers.customer_value,
            ),
            defection,
            premium,
            spend,
            cohorts,
            discount_rate,
        }
    }

    /// The program's one-off cost on `day` with these cohort costs (the same terms, in the
    /// same order, as [`crate::model::program::Cohort::cost_on`]).
    pub fn program_cost(&self, s: &Scenario, day: u32) -> f64 {
        let Some(p) = &s.program else { return 0.0 };
        p.cohorts
            .iter()
            .zip(&self.cohorts)
            .map(|(c, &(per_day, trainer))| {
                let mut cost = 0.0;
                if day == c.start_day {
                    cost += trainer;
                }
                if c.in_class(day) {
                    cost += f64::from(c.agents) * per_day;
                }
                cost
            })
            .sum()
    }
}

/// What one scope (the whole run, or one day) of one replication tallied, as far as money
/// needs it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Journeys per SQM outcome class (first-contact resolved, after repeat, unresolved).
    pub journeys: [f64; 3],
    /// Expected customers lost.
    pub lost: f64,
    /// Revenue at risk (customers lost × value, as simulated).
    pub risk: f64,
    /// Σ top-box probability over journeys.
    pub top_box: f64,
    /// Revenue upside as simulated (0 when the premium is off).
    pub upside: f64,
    /// Staffing cost (measured: hours staffed × hourly cost).
    pub staffing: f64,
    /// The program's one-off cost booked (0 outside programs).
    pub program: f64,
}

impl Tally {
    /// From a scope's metric values (`get(name)`; undefined counts as 0).
    pub fn from_metrics(get: impl Fn(&str) -> Option<f64>) -> Tally {
        let g = |n: &str| get(n).unwrap_or(0.0);
        let customers = g("customers");
        let (fcr, resolved) = (g("fcr_rate"), g("resolution_rate"));
        Tally {
            journeys: [
                customers * fcr,
                customers * (resolved - fcr),
                customers * (1.0 - resolved),
            ],
            lost: g("customers_lost"),
            risk: g("revenue_at_risk"),
            top_box: customers * g("csat_top_box"),
            upside: g("revenue_upside"),
            staffing: g("staffing_cost"),
            program: g("program_cost"),
        }
    }

    /// Customers lost under `p` (simulated at `mode`); `by_outcome`: churn follows the
    /// defection figures (no `churn_by_csat`).
    pub fn lost_at(&self, mode: &Params, p: &Params, by_outcome: bool) -> f64 {
        if !by_outcome || p.defection == mode.defection {
            return self.lost;
        }
        let delta: f64 = (0..3)
            .map(|k| (p.defection[k] - mode.defection[k]) * self.journeys[k])
            .sum();
        self.lost + delta
    }

    /// Revenue at risk under `p`.
    pub fn risk_at(&self, mode: &Params, p: &Params, by_outcome: bool) -> f64 {
        let lost = self.lost_at(mode, p, by_outcome);
        if lost == self.lost && p.value == mode.value {
            return self.risk;
        }
        self.risk + (lost * p.value - self.lost * mode.value)
    }

    /// Revenue upside under `p`.
    pub fn upside_at(&self, mode: &Params, p: &Params) -> f64 {
        if p.premium == mode.premium {
            return self.upside;
        }
        self.upside + self.top_box * p.spend * (p.premium - mode.premium)
    }
}

/// One scenario's scorer: its mode parameters and churn model, so that a draw's figures are
/// one call each.
#[derive(Debug, Clone)]
pub struct Rescorer<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its values at the modes.
    pub mode: Params,
    by_outcome: bool,
}

impl<'a> Rescorer<'a> {
    /// The scorer of `s`.
    pub fn new(s: &'a Scenario) -> Rescorer<'a> {
        Rescorer {
            scenario: s,
            mode: Params::at(s, &[], &[]),
            by_outcome: s.experience.churn_by_csat.is_none(),
        }
    }

    /// Revenue at risk of tally `t` under `p`.
    pub fn risk(&self, t: &Tally, p: &Params) -> f64 {
        t.risk_at(&self.mode, p, self.by_outcome)
    }

    /// Revenue upside of tally `t` under `p`.
    pub fn upside(&self, t: &Tally, p: &Params) -> f64 {
        t.upside_at(&self.mode, p)
    }

    /// Program cost booked on `day` (simulated `booked`) under `p`.
    pub fn program_cost(&self, booked: f64, day: u32, p: &Params) -> f64 {
        if p.cohorts == self.mode.cohorts {
            return booked;
        }
        booked + (p.program_cost(self.scenario, day) - self.mode.program_cost(self.scenario, day))
    }

    /// The whole program's one-off cost under `p`.
    pub fn program_total(&self, p: &Params) -> f64 {
        let days = self.scenario.program.as_ref().map_or(0, |pr| {
            pr.cohorts
                .iter()
                .map(|c| c.start_day + c.days)
                .max()
                .unwrap_or(0)
        });
        (0..days).map(|d| p.program_cost(self.scenario, d)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "[simulation]\ninterval = \"1h\"\n[calendar]\nstart = \"Mon 00:00\"\ndays = 14\n\
             [[call_types]]\nname = \"a\"\narrival_rate = 10.0\n\
             handle_time = {{ distribution = \"constant\", value = \"5m\" }}\n\
             [[agent_groups]]\nname = \"g\"\nskills = [\"a\"]\nagents = 3\nproficiency = 0.7\n{extra}"
        );
        Scenario::from_toml_str(&text, "t.toml", "t").expect("scenario")
    }

    #[test]
    fn rescoring_at_the_modes_is_the_simulated_figure() {
        let s = scenario(
            "[customers]\ncustomer_value = { low = 100, mode = 200, high = 400 }\n\
             [experience.loyalty]\ndefection = [0.05, { low = 0.05, mode = 0.09, high = 0.2 }, 0.25]\n",
        );
        let keys = rescored_keys(&[&s]);
        assert_eq!(
            keys,
            [
                "customers.customer_value",
                "experience.loyalty.defection[1]"
            ]
        );
        let r = Rescorer::new(&s);
        let t = Tally {
            journeys: [70.0, 20.0, 10.0],
            lost: 0.05 * 70.0 + 0.09 * 20.0 + 0.25 * 10.0 + 1e-9,
            risk: 1563.123,
            ..Tally::default()
        };
        let mode = Params::at(&s, &keys, &[None, None]);
        assert_eq!(r.risk(&t, &mode), 1563.123, "anchored: exact at the modes");
        // Value at its high, defection[1] at its high: lost + 0.11 × 20, × 400.
        let high = Params::at(&s, &keys, &[Some(1.0), Some(1.0)]);
        let expected = t.risk + ((t.lost + 0.11 * 20.0) * 400.0 - t.lost * 200.0);
        assert!((r.risk(&t, &high) - expected).abs() < 1e-9);
    }
}
