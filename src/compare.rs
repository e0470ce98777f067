//! Paired comparison of two scenarios run with common random numbers: per-metric difference
//! B − A with a paired Student-t 95% interval, and the money view (staffing and training
//! cost against revenue at risk).
//!
//! Pairing is by replication index: both scenarios use the same seed and replication count,
//! so replication r of A and of B see the same arrivals, handle-time, patience and customer
//! draws wherever their call types line up. The difference's interval is then much narrower
//! than the two separate intervals suggest.

use crate::experiment::{Paired, Scope};
use crate::stats::Estimate;

/// One metric compared.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricComparison {
    /// The metric's name, as in the JSON and CSV outputs.
    pub name: String,
    /// Scenario A's estimate (`None`: undefined in every replication).
    pub a: Option<Estimate>,
    /// Scenario B's estimate (`None`: undefined in every replication).
    pub b: Option<Estimate>,
    /// B − A, paired by replication (replications where either is undefined are skipped).
    pub diff: Option<Estimate>,
}

impl MetricComparison {
    /// The paired interval excludes zero.
    pub fn significant(&self) -> bool {
        self.diff
            .is_some_and(|d| d.n > 1 && (d.ci95.0 > 0.0 || d.ci95.1 < 0.0))
    }
}

/// The money view, per simulated horizon (e.g. one day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money {
    /// Change in staffing cost (hourly cost × staffed hours, supervisors included).
    pub staffing_cost_change: f64,
    /// Change in one-off training investment (training cost × peak headcount).
    pub training_investment_change: f64,
    /// Change in revenue at risk from churned customers (mean; negative = fewer lost).
    pub revenue_at_risk_change: Option<Estimate>,
    /// Revenue at risk saved minus extra staffing cost, per horizon.
    pub net_benefit_per_horizon: Option<f64>,
    /// Horizons until the training investment is paid back by the net benefit (None when
    /// there is no investment or no benefit).
    pub payback_horizons: Option<f64>,
    /// Both scenarios run a training program: NPV and payback in days of B − A's daily
    /// cash flow (see [`crate::money`]).
    pub program: Option<crate::money::ProgramMoney>,
}

/// Everything `ccsim compare` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Scenario A's name.
    pub a: String,
    /// Scenario B's name.
    pub b: String,
    /// Replications of each scenario, paired by index.
    pub replications: u32,
    /// Every metric of every scope, in report order.
    pub metrics: Vec<MetricComparison>,
    /// Costs and revenue at risk, B − A.
    pub money: Money,
}

/// The metrics of one scope compared: A's and B's estimates and the paired difference
/// (`tidy_scope` names the scope as in CSV: `overall`, `agent_group:NAME`, …).
pub fn compare_scope(p: &Paired, tidy_scope: &str, a: &Scope, b: &Scope) -> Vec<MetricComparison> {
    p.scope_diffs(tidy_scope)
        .into_iter()
        .map(|(name, diff)| MetricComparison {
            name: name.to_string(),
            a: a.get(name).and_then(|m| m.estimate),
            b: b.get(name).and_then(|m| m.estimate),
            diff,
        })
        .collect()
}

/// The comparison of a paired run (see [`crate::experiment::run_paired`]).
pub fn compare(p: &Paired) -> Comparison {
    let (a, b) = (&p.a, &p.b);
    let metrics = compare_scope(p, "overall", &a.overall, &b.overall);
    let get = |name: &str| metrics.iter().find(|m| m.name == name);
    let mean_diff = |name: &str| get(name).and_then(|m| m.diff).map_or(0.0, |d| d.mean);
    let staffing = mean_diff("staffing_cost");
    let training = mean_diff("training_cost");
    let revenue = get("revenue_at_risk").and_then(|m| m.diff);
    let net = revenue.map(|r| -r.mean - staffing);
    let payback = match net {
        Some(n) if training > 0.0 && n > 0.0 => Some(training / n),
        _ => None,
    };
    Comparison {
        a: a.scenario.clone(),
        b: b.scenario.clone(),
        replications: a.replications.min(b.replications),
        metrics,
        money: Money {
            staffing_cost_change: staffing,
            training_investment_change: training,
            revenue_at_risk_change: revenue,
            net_benefit_per_horizon: net,
            payback_horizons: payback,
            program: p.program_money,
        },
    }
}
