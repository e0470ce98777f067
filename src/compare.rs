//! Paired comparison of two scenarios run with common random numbers: per-metric difference
//! B − A with a paired Student-t 95% interval, and the money view (staffing and training
//! cost against revenue at risk).
//!
//! Pairing is by replication index: both scenarios use the same seed and replication count,
//! so replication r of A and of B see the same arrivals, handle-time, patience and customer
//! draws wherever their call types line up. The difference's interval is then much narrower
//! than the two separate intervals suggest.

use crate::experiment::{Metric, Outcome, Scope};
use crate::stats::Estimate;

/// One metric compared.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricComparison {
    pub name: String,
    pub a: Option<Estimate>,
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
}

/// Everything `ccsim compare` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub replications: u32,
    pub metrics: Vec<MetricComparison>,
    pub money: Money,
}

/// Compares two outcomes of the same replication count.
pub fn compare(a: &Outcome, b: &Outcome) -> Comparison {
    let metrics = compare_scopes(&a.overall, &b.overall);
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
        },
    }
}

/// Metrics of A's scope (in A's order, then any only B has), paired with B's.
pub fn compare_scopes(a: &Scope, b: &Scope) -> Vec<MetricComparison> {
    let mut names: Vec<&str> = a.metrics.iter().map(|m| m.name).collect();
    for m in &b.metrics {
        if !names.contains(&m.name) {
            names.push(m.name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let (ma, mb) = (a.get(name), b.get(name));
            MetricComparison {
                name: name.to_string(),
                a: ma.and_then(|m| m.estimate),
                b: mb.and_then(|m| m.estimate),
                diff: ma.zip(mb).and_then(|(ma, mb)| paired(ma, mb)),
            }
        })
        .collect()
}

fn paired(a: &Metric, b: &Metric) -> Option<Estimate> {
    Estimate::from_values(
        a.values
            .iter()
            .zip(&b.values)
            .map(|(x, y)| x.zip(*y).map(|(x, y)| y - x)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &'static str, values: &[f64]) -> Metric {
        let values: Vec<Option<f64>> = values.iter().copied().map(Some).collect();
        Metric {
            name,
            estimate: Estimate::from_values(values.iter().copied()),
            values,
        }
    }

    /// Pairing removes the shared noise: B = A + 1 exactly gives a zero-width interval at 1,
    /// even though A itself varies a lot.
    #[test]
    fn paired_difference_removes_common_noise() {
        let a = Scope {
            name: "overall".into(),
            metrics: vec![metric("csat", &[1.0, 5.0, 2.0, 9.0])],
        };
        let b = Scope {
            name: "overall".into(),
            metrics: vec![metric("csat", &[2.0, 6.0, 3.0, 10.0])],
        };
        let c = &compare_scopes(&a, &b)[0];
        let d = c.diff.unwrap();
        assert_eq!((d.mean, d.ci95), (1.0, (1.0, 1.0)));
        assert!(c.significant());
        assert!(c.a.unwrap().half_width() > 1.0);
    }
}
