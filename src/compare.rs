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
#[derive(Debug, Clone, PartialEq)]
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
    /// Both scenarios run a program: the cumulative cash flow B − A at the end of each day
    /// (index = day; undiscounted), with its simulation CI and assumption range. Empty
    /// without a program, and until [`assumed_money`] fills it.
    pub cash_flow: Vec<MoneyFigure>,
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
            cash_flow: Vec::new(),
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
    /// The ranged assumptions propagated (key paths), re-scored ones first, then the ones
    /// that change the simulation (re-simulated at their low and high).
    pub keys: Vec<String>,
    /// Change in revenue at risk, B − A.
    pub revenue_at_risk_change: Option<MoneyFigure>,
    /// Change in revenue upside (spend premium), B − A; `None` when neither has the premium.
    pub revenue_upside_change: Option<MoneyFigure>,
    /// Revenue at risk saved minus extra staffing cost, per simulated day.
    pub net_benefit: Option<MoneyFigure>,
    /// Days until the one-off training investment is paid back (not discounted).
    pub payback: Option<MoneyFigure>,
    /// Each ranged assumption swung low → high: net benefit at each end, widest first.
    pub sensitivity_net_benefit: Vec<crate::model::assumptions::Swing>,
    /// The same swings for payback (days; absent ends when there is no payback there).
    pub sensitivity_payback: Vec<crate::model::assumptions::Swing>,
    /// Programs: the swings of the NPV.
    pub sensitivity_npv: Vec<crate::model::assumptions::SwingU>,
    /// Programs: the swings of the payback in days (an end is `None` where no replication
    /// pays back).
    pub sensitivity_payback_days: Vec<crate::model::assumptions::SwingU>,
}

/// An assumption that changes the simulation (attrition, new-hire proficiency), propagated by
/// re-simulating both scenarios with common random numbers at its low and at its high (all
/// else at the modes): at a draw u the cash flow (per replication and day) and the overall
/// money changes move piecewise-linearly in u between the low run (u = 0), the mode run
/// (u = F(mode)) and the high run (u = 1).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedRange {
    /// The key path.
    pub key: String,
    /// The quantile of the mode, F(mode), in the driving scenario's range.
    pub q_mode: f64,
    /// Per end (low, high): the daily cash flow B − A minus the mode run's, replication-major
    /// (empty without a program).
    pub cash_delta: [Vec<f64>; 2],
    /// Per end (low, high): (revenue at risk change, staffing cost change) minus the mode
    /// run's.
    pub overall_delta: [(f64, f64); 2],
}

impl SimulatedRange {
    /// The weights of the low and the high run at draw `u` (`None`: at the mode).
    fn weights(&self, u: Option<f64>) -> (f64, f64) {
        let Some(u) = u else { return (0.0, 0.0) };
        if u < self.q_mode {
            ((self.q_mode - u) / self.q_mode, 0.0)
        } else if u > self.q_mode {
            (0.0, (u - self.q_mode) / (1.0 - self.q_mode))
        } else {
            (0.0, 0.0)
        }
    }
}

/// `s` with the simulation-changing assumption `key` at `value`; unchanged when `s` has no
/// range for it.
fn with_value(s: &crate::scenario::Scenario, key: &str, value: f64) -> crate::scenario::Scenario {
    let mut s = s.clone();
    if s.assumptions.get(key).is_none() {
        return s;
    }
    if let Some(p) = s.program.as_mut() {
        for (i, a) in p.attrition.iter_mut().enumerate() {
            if key == format!("program.attrition[{i}].annual_rate") {
                a.annual_rate = value;
            } else if key == format!("program.attrition[{i}].new_hire_proficiency") {
                a.new_hire_proficiency = value;
            }
        }
    }
    s
}

/// Re-simulates the pair at each simulation-changing assumption's low and high (see
/// [`SimulatedRange`]): two paired runs per such assumption.
pub fn simulate_ranges(
    a: &crate::scenario::Scenario,
    b: &crate::scenario::Scenario,
    base: &Paired,
    options: &crate::experiment::RunOptions,
) -> Result<Vec<SimulatedRange>, crate::experiment::RunError> {
    use crate::rescore::{simulated_keys, Rescorer};
    let money = |p: &Paired| {
        let c = compare(p);
        (
            c.money.revenue_at_risk_change.map_or(0.0, |e| e.mean),
            c.money.staffing_cost_change,
        )
    };
    let cash = |p: &Paired, a: &crate::scenario::Scenario, b: &crate::scenario::Scenario| {
        p.program_cash.as_ref().map_or_else(Vec::new, |c| {
            c.mode_cash(&Rescorer::new(a), &Rescorer::new(b))
        })
    };
    let base_money = money(base);
    let base_cash = cash(base, a, b);
    let mut out = Vec::new();
    for key in simulated_keys(&[a, b]) {
        let range = a.assumptions.get(&key).or(b.assumptions.get(&key));
        let Some(range) = range else { continue };
        let mut cash_delta = [Vec::new(), Vec::new()];
        let mut overall_delta = [(0.0, 0.0); 2];
        for (end, value) in [range.low, range.high].into_iter().enumerate() {
            let (va, vb) = (with_value(a, &key, value), with_value(b, &key, value));
            let p = crate::experiment::run_paired(&va, &vb, options.clone())?;
            let m = money(&p);
            overall_delta[end] = (m.0 - base_money.0, m.1 - base_money.1);
            let c = cash(&p, &va, &vb);
            if c.len() == base_cash.len() {
                cash_delta[end] = c.iter().zip(&base_cash).map(|(x, y)| x - y).collect();
            }
        }
        out.push(SimulatedRange {
            key,
            q_mode: range.cdf(range.mode),
            cash_delta,
            overall_delta,
        });
    }
    Ok(out)
}

/// What every draw of the assumptions is scored with: the ranged keys (the re-scored ones,
/// then the simulation-changing ones), both scenarios' re-scorers and the draws themselves.
struct Draws<'a> {
    a: &'a crate::scenario::Scenario,
    b: &'a crate::scenario::Scenario,
    keys: Vec<String>,
    /// `keys[..n_rescored]` are re-scored; the rest are `simulated`, in order.
    n_rescored: usize,
    simulated: &'a [SimulatedRange],
    ra: crate::rescore::Rescorer<'a>,
    rb: crate::rescore::Rescorer<'a>,
    rows: Vec<crate::model::assumptions::DrawRow>,
}

impl Draws<'_> {
    /// Both scenarios' re-scoring parameters at a draw.
    fn params(&self, row: &[Option<f64>]) -> (crate::rescore::Params, crate::rescore::Params) {
        let (keys, row) = (&self.keys[..self.n_rescored], &row[..self.n_rescored]);
        (
            crate::rescore::Params::at(self.a, keys, row),
            crate::rescore::Params::at(self.b, keys, row),
        )
    }

    /// The overall (revenue at risk, staffing cost) changes a draw makes through the
    /// simulation-changing assumptions.
    fn overall_shift(&self, row: &[Option<f64>]) -> (f64, f64) {
        self.simulated
            .iter()
            .zip(&row[self.n_rescored..])
            .fold((0.0, 0.0), |(r, s), (sim, &u)| {
                let (wl, wh) = sim.weights(u);
                let [l, h] = sim.overall_delta;
                (r + wl * l.0 + wh * h.0, s + wl * l.1 + wh * h.1)
            })
    }

    /// The daily cash flow change a draw makes through the simulation-changing assumptions
    /// (`None` when none moves it).
    fn cash_shift(&self, row: &[Option<f64>]) -> Option<Vec<f64>> {
        let mut total: Option<Vec<f64>> = None;
        for (sim, &u) in self.simulated.iter().zip(&row[self.n_rescored..]) {
            let (wl, wh) = sim.weights(u);
            for (w, delta) in [(wl, &sim.cash_delta[0]), (wh, &sim.cash_delta[1])] {
                if w == 0.0 || delta.is_empty() {
                    continue;
                }
                let t = total.get_or_insert_with(|| vec![0.0; delta.len()]);
                for (x, d) in t.iter_mut().zip(delta) {
                    *x += w * d;
                }
            }
        }
        total
    }
}

/// Re-scores the money view for `draws` draws of the assumption ranges of `a` and `b`
/// (common draws: one u per assumption key, mapped through each scenario's own range), and
/// fills the program's NPV and payback assumption ranges and the cumulative cash flow in
/// `c.money`. Given the simulated tallies every money figure is a simple function of the
/// assumptions ([`crate::rescore`]), so no re-simulation is needed — except for the
/// assumptions in `simulated` (see [`SimulatedRange`]).
pub fn assumed_money(
    c: &mut Comparison,
    p: &Paired,
    a: &crate::scenario::Scenario,
    b: &crate::scenario::Scenario,
    simulated: &[SimulatedRange],
    seed: u64,
    draws: usize,
) -> AssumedMoney {
    use crate::model::assumptions::{draw_rows, interval_u, sensitivity_u};
    use crate::rescore::{rescored_keys, Rescorer, Tally};
    let mut keys = rescored_keys(&[a, b]);
    let n_rescored = keys.len();
    keys.extend(simulated.iter().map(|s| s.key.clone()));
    let rows = draw_rows(seed, draws, keys.len());
    let d = Draws {
        a,
        b,
        keys,
        n_rescored,
        simulated,
        ra: Rescorer::new(a),
        rb: Rescorer::new(b),
        rows,
    };
    let tally = |pick: fn(&MetricComparison) -> Option<Estimate>| {
        Tally::from_metrics(|name| {
            c.metrics
                .iter()
                .find(|m| m.name == name)
                .and_then(pick)
                .map(|e| e.mean)
        })
    };
    let (ta, tb) = (tally(|m| m.a), tally(|m| m.b));
    let money = c.money.clone();
    let training = money.training_investment_change;
    let staffing = money.staffing_cost_change;
    let simulated_risk = money.revenue_at_risk_change.map(|e| e.mean);
    // Anchored on the simulated change: exact at the modes.
    let rev = |row: &[Option<f64>]| -> Option<f64> {
        let (pa, pb) = d.params(row);
        let change = (d.rb.risk(&tb, &pb) - tb.risk) - (d.ra.risk(&ta, &pa) - ta.risk);
        Some(simulated_risk? + change + d.overall_shift(row).0)
    };
    let net = |row: &[Option<f64>]| rev(row).map(|r| -r - staffing - d.overall_shift(row).1);
    let payback = |row: &[Option<f64>]| {
        net(row).and_then(|n| (training > 0.0 && n > 0.0).then(|| training / n))
    };
    let upside_on = a.experience.spend_premium.is_some() || b.experience.spend_premium.is_some();
    let upside_mean = c
        .metrics
        .iter()
        .find(|m| m.name == "revenue_upside")
        .and_then(|m| m.diff);
    let upside = |row: &[Option<f64>]| -> Option<f64> {
        let (pa, pb) = d.params(row);
        let e = upside_mean?;
        Some(e.mean + (d.rb.upside(&tb, &pb) - tb.upside) - (d.ra.upside(&ta, &pa) - ta.upside))
    };
    let rev_ci = money.revenue_at_risk_change.map(|e| e.ci95);
    let figure =
        |f: &dyn Fn(&[Option<f64>]) -> Option<f64>, mean: Option<f64>, ci: Option<(f64, f64)>| {
            mean.map(|mean| MoneyFigure {
                mean,
                ci95: ci,
                assumption_range: interval_u(&d.rows, f),
            })
        };
    let net_ci = rev_ci.map(|(lo, hi)| (-hi - staffing, -lo - staffing));
    let pay_ci = net_ci
        .and_then(|(lo, hi)| (training > 0.0 && lo > 0.0).then(|| (training / hi, training / lo)));
    let defined_swings = |v: Vec<crate::model::assumptions::SwingU>| {
        v.iter().filter_map(|s| s.defined()).collect::<Vec<_>>()
    };
    let mut out = AssumedMoney {
        draws,
        keys: d.keys.clone(),
        revenue_at_risk_change: figure(&rev, simulated_risk, rev_ci),
        revenue_upside_change: if upside_on {
            figure(
                &upside,
                upside_mean.map(|e| e.mean),
                upside_mean.map(|e| e.ci95),
            )
        } else {
            None
        },
        net_benefit: figure(&net, money.net_benefit_per_horizon, net_ci),
        payback: figure(&payback, money.payback_horizons, pay_ci),
        sensitivity_net_benefit: defined_swings(sensitivity_u(&d.keys, net)),
        sensitivity_payback: defined_swings(sensitivity_u(&d.keys, payback)),
        sensitivity_npv: Vec::new(),
        sensitivity_payback_days: Vec::new(),
    };
    program_ranges(&d, c, p, &mut out);
    out
}

/// A program: NPV, payback and the cumulative cash flow per draw, from every replication's
/// daily tallies — their assumption ranges into `c.money`, their swings into `out`.
fn program_ranges(d: &Draws<'_>, c: &mut Comparison, p: &Paired, out: &mut AssumedMoney) {
    use crate::model::assumptions::sensitivity_u;
    let (Some(cash), Some(pm)) = (&p.program_cash, c.money.program.as_mut()) else {
        return;
    };
    let scored = |row: &[Option<f64>]| {
        let (pa, pb) = d.params(row);
        let s = d.cash_shift(row);
        cash.scored(&d.ra, &d.rb, &pa, &pb, s.as_deref())
    };
    let per_draw: Vec<crate::money::ScoredCashFlow> = d.rows.iter().map(|r| scored(r)).collect();
    let quantiles = |mut v: Vec<f64>| -> Option<(f64, f64)> {
        v.retain(|x| x.is_finite());
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        Some((at(0.025), at(0.975)))
    };
    if let Some(r) = quantiles(per_draw.iter().map(|s| s.npv).collect()) {
        pm.npv.assumption_range = r;
    }
    if let Some(pay) = pm.payback_days.as_mut() {
        if let Some(r) = quantiles(per_draw.iter().filter_map(|s| s.payback_days).collect()) {
            pay.assumption_range = r;
        }
    }
    let estimates = cash.cumulative_estimates(&d.ra, &d.rb);
    c.money.cash_flow = (0..cash.days())
        .map(|day| MoneyFigure {
            mean: estimates[day].mean,
            ci95: Some(estimates[day].ci95),
            assumption_range: quantiles(per_draw.iter().map(|s| s.cumulative[day]).collect()),
        })
        .collect();
    out.sensitivity_npv = sensitivity_u(&d.keys, |row| Some(scored(row).npv));
    out.sensitivity_payback_days = sensitivity_u(&d.keys, |row| scored(row).payback_days);
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
