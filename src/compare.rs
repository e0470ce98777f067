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

/// A money figure with both intervals: the simulation's paired CI and the assumption interval
/// from re-scoring with draws of the assumption ranges (simulation held at its mean).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoneyFigure {
    /// At the simulated means and the assumptions' modes.
    pub mean: f64,
    /// Simulation noise only (paired 95% interval), when defined.
    pub ci95: Option<(f64, f64)>,
    /// 2.5%–97.5% over the assumption draws, when defined.
    pub assumption_range: Option<(f64, f64)>,
}

/// The money view re-scored over the assumption ranges, with the sensitivity table.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumedMoney {
    /// Draws of the assumption ranges used.
    pub draws: usize,
    /// Change in revenue at risk, B − A.
    pub revenue_at_risk_change: Option<MoneyFigure>,
    /// Revenue at risk saved minus extra staffing cost, per simulated day.
    pub net_benefit: Option<MoneyFigure>,
    /// Days until the one-off training investment is paid back (not discounted).
    pub payback: Option<MoneyFigure>,
    /// Each ranged assumption swung low → high: net benefit at each end, widest first.
    pub sensitivity_net_benefit: Vec<crate::model::assumptions::Swing>,
    /// The same swings for payback (days; absent ends when there is no payback there).
    pub sensitivity_payback: Vec<crate::model::assumptions::Swing>,
}

/// Re-scores the money view for `draws` draws of the assumptions (today: customer value, per
/// scenario, one common draw since it is one assumption about the same customers). Revenue at
/// risk is Σ P(lost) × value, so given the simulated expected customers lost it is linear in
/// the value: no re-simulation is needed.
pub fn assumed_money(
    c: &Comparison,
    value_a: crate::model::assumptions::Assumption,
    value_b: crate::model::assumptions::Assumption,
    seed: u64,
    draws: usize,
) -> AssumedMoney {
    use crate::model::assumptions::{interval, sensitivity, uniform_draws};
    let lost = |pick: fn(&MetricComparison) -> Option<Estimate>| {
        c.metrics
            .iter()
            .find(|m| m.name == "customers_lost")
            .and_then(pick)
            .map(|e| e.mean)
    };
    let (lost_a, lost_b) = (lost(|m| m.a), lost(|m| m.b));
    let money = c.money;
    let training = money.training_investment_change;
    let staffing = money.staffing_cost_change;
    // One assumption, two scenarios: the same u gives each its value at the same quantile.
    let keys = vec!["customers.customer_value".to_string()];
    // The ranged one drives (A's when both are); the other follows at the same quantile.
    let a_drives = value_a.is_range() || !value_b.is_range();
    let (driver, follower) = if a_drives {
        (value_a, value_b)
    } else {
        (value_b, value_a)
    };
    let ranges = [driver];
    let rev = move |x: &[f64]| -> Option<f64> {
        let other = follower.quantile(driver.cdf(x[0]));
        let (va, vb) = if a_drives {
            (x[0], other)
        } else {
            (other, x[0])
        };
        Some(lost_b? * vb - lost_a? * va)
    };
    let net = move |x: &[f64]| rev(x).map(|r| -r - staffing);
    let payback =
        move |x: &[f64]| net(x).and_then(|n| (training > 0.0 && n > 0.0).then(|| training / n));
    let u = uniform_draws(seed, draws, ranges.len());
    let rev_ci = money.revenue_at_risk_change.map(|e| e.ci95);
    // The mean is the simulated one (both scenarios at their modes), not a re-scoring.
    let rev_mean = money.revenue_at_risk_change.map(|e| e.mean);
    let net_mean = money.net_benefit_per_horizon;
    let pay_mean = money.payback_horizons;
    let figure = |f: &dyn Fn(&[f64]) -> Option<f64>, mean: Option<f64>, ci: Option<(f64, f64)>| {
        mean.map(|mean| MoneyFigure {
            mean,
            ci95: ci,
            assumption_range: interval(&ranges, &u, f),
        })
    };
    let net_ci = rev_ci.map(|(lo, hi)| (-hi - staffing, -lo - staffing));
    let pay_ci = net_ci
        .and_then(|(lo, hi)| (training > 0.0 && lo > 0.0).then(|| (training / hi, training / lo)));
    AssumedMoney {
        draws,
        revenue_at_risk_change: figure(&rev, rev_mean, rev_ci),
        net_benefit: figure(&net, net_mean, net_ci),
        payback: figure(&payback, pay_mean, pay_ci),
        sensitivity_net_benefit: sensitivity(&keys, &ranges, net),
        sensitivity_payback: sensitivity(&keys, &ranges, payback),
    }
}

/// The hard saving: the agent-hours each scenario needs for one agent group to meet the
/// staffing targets, per simulated day, and the difference B − A.
///
/// Method: the staffing search of [`crate::staff::search`] (Erlang start, raise, trim,
/// fresh-seed validation) is run on A and on B with the same seed (common random numbers),
/// repeated for `seeds` independent base seeds (seed, seed + 1, …). Each repetition gives one
/// paired difference; the interval is the Student-t 95% interval over the repetitions — it
/// covers the search's own seed-to-seed variation, which a single search hides.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingSaving {
    /// The agent group searched.
    pub group: String,
    /// The targets, as given (e.g. `service_level>=0.8`).
    pub targets: Vec<String>,
    /// Independent searches per scenario.
    pub seeds: u32,
    /// Agent-hours A needs over the horizon.
    pub a_agent_hours: Estimate,
    /// Agent-hours B needs over the horizon.
    pub b_agent_hours: Estimate,
    /// B − A, paired by seed.
    pub diff_agent_hours: Estimate,
    /// Peak agents in any interval, A (mean over seeds).
    pub a_peak_agents: f64,
    /// Peak agents in any interval, B (mean over seeds).
    pub b_peak_agents: f64,
}

/// One paired search: ((A's agent-hours, A's peak), (B's agent-hours, B's peak)).
type Row = ((f64, f64), (f64, f64));

/// Runs the paired staffing searches described at [`StaffingSaving`].
pub fn staffing_saving(
    a: &crate::scenario::Scenario,
    b: &crate::scenario::Scenario,
    group: &str,
    targets: &[crate::staff::Target],
    seeds: u32,
    options: &crate::experiment::RunOptions,
) -> Result<StaffingSaving, crate::staff::StaffError> {
    use crate::staff::{agent_hours, search, Confidence, StaffError, StaffQuery};
    let index = |s: &crate::scenario::Scenario| {
        s.agent_groups
            .iter()
            .position(|g| g.name == group)
            .ok_or_else(|| {
                let names: Vec<&str> = s.agent_groups.iter().map(|g| g.name.as_str()).collect();
                StaffError::Input(format!(
                    "--staffing-group: {} has no agent group {group:?} (it has: {})",
                    s.source,
                    names.join(", ")
                ))
            })
    };
    let (ga, gb) = (index(a)?, index(b)?);
    let mut rows = Vec::new();
    for k in 0..seeds as u64 {
        let need = |s: &crate::scenario::Scenario, g: usize| {
            let mut s = s.clone();
            s.simulation.seed = a.simulation.seed.wrapping_add(k);
            let answer = search(&StaffQuery {
                scenario: s.clone(),
                group: g,
                targets: targets.to_vec(),
                confidence: Confidence::Ci95,
                options: crate::experiment::RunOptions {
                    progress: false,
                    ..options.clone()
                },
                max_simulations: 1000,
                max_agents: None,
            })?;
            let peak = answer.staffing.iter().copied().max().unwrap_or(0) as f64;
            Ok::<_, StaffError>((agent_hours(&s, &answer.staffing), peak))
        };
        rows.push((need(a, ga)?, need(b, gb)?));
    }
    let est = |f: &dyn Fn(&Row) -> f64| {
        Estimate::from_values(rows.iter().map(|r| Some(f(r)))).expect("at least one seed")
    };
    let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / rows.len() as f64;
    Ok(StaffingSaving {
        group: group.to_string(),
        targets: targets
            .iter()
            .map(|t| {
                let op = match t.direction {
                    crate::staff::Direction::AtLeast => ">=",
                    crate::staff::Direction::AtMost => "<=",
                };
                format!("{}{op}{}", t.label(), t.value)
            })
            .collect(),
        seeds,
        a_agent_hours: est(&|r| r.0 .0),
        b_agent_hours: est(&|r| r.1 .0),
        diff_agent_hours: est(&|r| r.1 .0 - r.0 .0),
        a_peak_agents: mean(&|r| r.0 .1),
        b_peak_agents: mean(&|r| r.1 .1),
    })
}
