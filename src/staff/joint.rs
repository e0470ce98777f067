//! Joint staffing: the headcount per interval of several agent groups at once (multi-skill
//! centers), at least total cost, by simulation from an Erlang start.
//!
//! # Targets
//! A target without a call type is judged on the contacts of every call type a staffed group
//! serves; `billing.service_level>=x` on that type's contacts (some staffed group must serve
//! it); `occupancy<=x` caps **each** staffed group (one judged target per group, labelled
//! `tier1.occupancy`). Per interval, with the confidence rule of [`super::Confidence`].
//!
//! # Cost
//! A group's agent-hour costs its `hourly_cost` (the scenario key of `[[agent_groups]]`); when
//! no staffed group has one, every agent-hour costs 1 (the answer then minimises agent-hours).
//!
//! # Method (a marginal-benefit greedy on simulation)
//! 1. **Erlang start.** Each call type's load goes to the staffed groups that list it first
//!    among their skills (split equally), or, if none does, to all staffed groups serving it;
//!    each group is then sized per interval by Erlang A/C for its share, as `staff` does for
//!    one group. Groups not staffed keep their scenario staffing and are left out of the
//!    estimate (their help shows in simulation).
//! 2. **Add** while some interval misses: for every missing interval and every staffed group,
//!    simulate one more agent there (one parallel batch, common random numbers); per missing
//!    interval, add the agent with the largest reduction of the *shortfall* — the sum over
//!    intervals of how far the worst target misses, relative to the target — per unit of its
//!    cost (ties: the cheaper group, then the first).
//! 3. **Remove**: try one agent less in every (group, interval) above its floor in one batch;
//!    of the removals that keep every target, apply the largest prefix, most costly agent first
//!    (all, half, a quarter, …, one) that together still keeps them; repeat, stopping after a
//!    full round in which no single removal keeps the targets. The answer is locally minimal:
//!    no single agent can be removed.
//! 4. **Fresh seeds**: as `staff`, the answer is re-simulated on streams the search never used
//!    ([`super::VALIDATION_POINT`]` + r`); missing intervals get the greedy's best agent judged
//!    on those streams, at most [`VALIDATION_ROUNDS`] rounds.
//!
//! # Limits
//! A local search: it does not prove the least cost ([`lower_bound`] gives an Erlang-model
//! bound beside it; the cutting-plane method of Cezik & L'Ecuyer 2008 would give one by
//! simulation); each add round costs `groups × missing intervals`
//! simulations and each remove round `groups × intervals`, so it is for a handful of groups.

use super::{
    agent_hours, default_cap, erlang_for, fold_replication, how_close, interval_clock, judge,
    Confidence, Direction, Evaluation, Source, StaffError, Target, VALIDATION_POINT,
};

use crate::experiment::{budget, stream_key, RunError, RunOptions, Runner, Spares};
use crate::scenario::Scenario;
use crate::stats::{Accumulator, CONTACT_METRICS};

/// Fresh-seed rounds at most. More than `staff`'s 3: with several groups the removal phase
/// has more cells to fit to the search's own draws, so more intervals miss on fresh ones.
pub const VALIDATION_ROUNDS: u32 = 5;

/// A joint staffing question.
#[derive(Debug, Clone)]
pub struct JointQuery {
    /// The scenario; groups not in `groups` keep their staffing.
    pub scenario: Scenario,
    /// Indices of the agent groups staffed together (distinct).
    pub groups: Vec<usize>,
    /// Targets (module docs for what each judges).
    pub targets: Vec<Target>,
    /// Confidence bound or mean.
    pub confidence: Confidence,
    /// Threads, cancellation, memory budget, progress bar.
    pub options: RunOptions,
    /// Most simulations the search may run.
    pub max_simulations: usize,
    /// Most agents per group and interval (`None`: 3 × Erlang + 50).
    pub max_agents: Option<u32>,
}

/// The answer: per staffed group (in the query's order), per interval.
#[derive(Debug, Clone)]
pub struct JointAnswer {
    /// Labels of the judged targets, in the order of the evaluations' rows.
    pub labels: Vec<String>,
    /// The staffing to use (the search's choice plus what fresh-seed validation added).
    pub staffing: Vec<Vec<u32>>,
    /// Its figures on the search's seeds (what `ccsim run` of the staffed scenario gives).
    pub evaluation: Evaluation,
    /// Its figures on the last fresh-seed round (the ones to quote).
    pub validation: Evaluation,
    /// Fresh-seed rounds run.
    pub validation_rounds: u32,
    /// The Erlang start.
    pub erlang: Vec<Vec<u32>>,
    /// The Erlang start's figures in simulation.
    pub erlang_evaluation: Evaluation,
    /// Lowest headcount considered per group and interval.
    pub floor: Vec<Vec<u32>>,
    /// Cost per agent-hour of each staffed group.
    pub cost_per_hour: Vec<f64>,
    /// Simulations run.
    pub simulations: usize,
    /// With shrinkage on some staffed group: `staffing` is heads on the phones (the search
    /// ran with the staffed groups' shrinkage at 0) and this gives the scheduled heads.
    pub shrinkage: Option<JointShrinkage>,
    /// [`lower_bound`]: no staffing meeting the targets costs less, in the Erlang model.
    pub lower_bound: f64,
}

/// Scheduled heads of a joint answer when staffed groups have shrinkage.
#[derive(Debug, Clone)]
pub struct JointShrinkage {
    /// Each staffed group's shrinkage share (0 for groups without).
    pub shares: Vec<f64>,
    /// `⌈on_phones / (1 − s)⌉` per staffed group and interval ([`super::scheduled_heads`]),
    /// plus what the check rounds added.
    pub scheduled: Vec<Vec<u32>>,
    /// `scheduled` simulated with shrinkage on fresh streams ([`super::SHRINKAGE_POINT`]` + r`
    /// in round `r`), by the query's rule: the last round's figures. A round that misses adds
    /// one scheduled head in each missed interval to the cheapest group that can help there.
    pub check: Evaluation,
    /// Shrinkage check rounds run (at most [`VALIDATION_ROUNDS`]).
    pub rounds: u32,
}

impl JointAnswer {
    /// Heads to schedule per staffed group: the scheduled heads with shrinkage, else
    /// `staffing`.
    pub fn scheduled(&self) -> &[Vec<u32>] {
        self.shrinkage
            .as_ref()
            .map_or(&self.staffing, |s| &s.scheduled)
    }
}

impl JointAnswer {
    /// Total cost of the answer's staffing over the horizon.
    pub fn cost(&self, s: &Scenario) -> f64 {
        total_cost(s, &self.cost_per_hour, &self.staffing)
    }
}

/// Cost per agent-hour of each staffed group: its `hourly_cost`, or 1 for all when none has
/// one.
pub fn costs_per_hour(s: &Scenario, groups: &[usize]) -> Vec<f64> {
    let c: Vec<f64> = groups
        .iter()
        .map(|&g| s.agent_groups[g].hourly_cost)
        .collect();
    if c.iter().all(|&x| x == 0.0) {
        vec![1.0; c.len()]
    } else {
        c
    }
}

/// Σ over groups of cost per hour × agent-hours.
pub fn total_cost(s: &Scenario, per_hour: &[f64], staffing: &[Vec<u32>]) -> f64 {
    per_hour
        .iter()
        .zip(staffing)
        .map(|(c, st)| c * agent_hours(s, st))
        .sum()
}

/// Labels, targets and sources of the judged targets, row for row.
pub type Judged = (Vec<String>, Vec<Target>, Vec<Source>);

/// The judged targets of `q`: labels, targets (occupancy repeated per group) and sources;
/// unknown or unserved call types are refused.
pub fn judged(q: &JointQuery) -> Result<Judged, StaffError> {
    let s = &q.scenario;
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for t in &q.targets {
        let metric = CONTACT_METRICS.iter().position(|m| *m == t.metric);
        match (&t.call_type, metric) {
            (_, None) => {
                for &g in &q.groups {
                    out.0
                        .push(format!("{}.{}", s.agent_groups[g].name, t.metric));
                    out.1.push(t.clone());
                    out.2.push(Source::Occupancy(g));
                }
            }
            (None, Some(i)) => {
                out.0.push(t.label());
                out.1.push(t.clone());
                out.2.push(Source::Union(i));
            }
            (Some(name), Some(i)) => {
                let c = s
                    .call_types
                    .iter()
                    .position(|c| &c.name == name)
                    .ok_or_else(|| {
                        StaffError::Input(format!(
                            "--target {t}: no call type `{name}` in {} (call types: {})",
                            s.source,
                            s.call_types
                                .iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?;
                if !q
                    .groups
                    .iter()
                    .any(|&g| s.agent_groups[g].skills.contains(&c))
                {
                    return Err(StaffError::Input(format!(
                        "--target {t}: none of the staffed groups serves `{name}`"
                    )));
                }
                out.0.push(t.label());
                out.1.push(t.clone());
                out.2.push(Source::Type(c, i));
            }
        }
    }
    Ok(out)
}

/// Each staffed group's share of each call type's load for the Erlang start (module docs).
fn load_shares(s: &Scenario, groups: &[usize]) -> Vec<Vec<(usize, f64)>> {
    let mut shares = vec![Vec::new(); groups.len()];
    for c in 0..s.call_types.len() {
        let first: Vec<usize> = (0..groups.len())
            .filter(|&i| s.agent_groups[groups[i]].skills.first() == Some(&c))
            .collect();
        let takers = if first.is_empty() {
            (0..groups.len())
                .filter(|&i| s.agent_groups[groups[i]].skills.contains(&c))
                .collect()
        } else {
            first
        };
        for &i in &takers {
            shares[i].push((c, 1.0 / takers.len() as f64));
        }
    }
    shares
}

/// How far the targets are missed in all: Σ over intervals of the worst relative miss.
fn shortfall(e: &Evaluation) -> f64 {
    e.slack.iter().map(|s| (-s).max(0.0)).sum()
}

/// The evaluation context: the query's judged targets and the runner.
struct Judge<'a> {
    q: &'a JointQuery,
    targets: Vec<Target>,
    sources: Vec<Source>,
    union: Vec<usize>,
    runner: Runner,
}

impl Judge<'_> {
    /// Simulates every candidate (staffing per staffed group) at stream `point`.
    fn evaluate(&self, cands: &[Vec<Vec<u32>>], point: u64) -> Result<Vec<Evaluation>, StaffError> {
        let q = self.q;
        let scenarios: Vec<Scenario> = cands
            .iter()
            .map(|c| {
                let mut s = q.scenario.clone();
                for (&g, st) in q.groups.iter().zip(c) {
                    s.agent_groups[g].staffing = st.clone();
                }
                s
            })
            .collect();
        let reps = q.scenario.simulation.replications as usize;
        let intervals = q.scenario.simulation.intervals;
        let n = self.sources.len();
        // The candidate being folded (replications come in order): judged when its last
        // replication is in, its accumulators then reused (see `staff::evaluate`).
        let mut accs = vec![Accumulator::default(); intervals * n];
        let mut evaluations = Vec::with_capacity(cands.len());
        let scored = q.scenario.experience_model;
        let spares = Spares::new();
        let done = self.runner.ordered(
            cands.len() * reps,
            |j| {
                let s = &scenarios[j / reps];
                spares.simulate(s, stream_key(s, point, (j % reps) as u32))
            },
            |j, r| -> Result<(), StaffError> {
                fold_replication(&r, &self.union, &self.sources, scored, &mut accs);
                spares.give(r);
                if j % reps == reps - 1 {
                    evaluations.push(judge(&self.targets, &q.scenario, &accs, q.confidence));
                    accs.fill(Accumulator::default());
                }
                Ok(())
            },
        )?;
        if done.interrupted() {
            return Err(RunError::Interrupted.into());
        }
        Ok(evaluations)
    }
}

/// A lower bound on the cost of any staffing of the query's groups meeting the targets, **in
/// the Erlang model**: per interval, pool every staffed agent (and the held groups' agents
/// serving these call types, at no cost) into one queue for all the staffed call types —
/// perfect flexibility, which can only help — and find by Erlang A/C the smallest pool `N_k`
/// meeting the targets without a call type (per-type targets are dropped: a relaxation). Any
/// staffing meeting them has `Σ_g x_gk ≥ N_k − held_k` and `x_gk ≥` its floor, so its cost is
/// at least `Σ_g c_g·f_gk + c_min·max(0, N_k − held_k − Σ_g f_gk)` per agent-hour. Steady
/// state per interval and mean levels (no confidence margin), so it bounds the Erlang model,
/// not the simulation (carry-over can let a quiet interval go below Erlang); it says how far
/// the local search's answer can be from the best, roughly.
pub fn lower_bound(q: &JointQuery) -> Result<f64, StaffError> {
    let s = &q.scenario;
    let union = union_of(q);
    let per_hour = costs_per_hour(s, &q.groups);
    let cheapest = per_hour.iter().copied().fold(f64::INFINITY, f64::min);
    let pooled: Vec<Target> = q
        .targets
        .iter()
        .filter(|t| t.call_type.is_none())
        .cloned()
        .collect();
    let load: Vec<(usize, f64)> = union.iter().map(|&c| (c, 1.0)).collect();
    let closed = crate::staff::closed_intervals(s);
    let mut total = 0.0;
    // Nobody is staffed while closed (see `closed_intervals`).
    for k in (0..closed.len()).filter(|&k| !closed[k]) {
        let need = if pooled.is_empty() {
            0
        } else {
            erlang_for(s, &pooled, &load, k)?
        };
        let held: u32 = (0..s.agent_groups.len())
            .filter(|g| !q.groups.contains(g))
            .filter(|&g| s.agent_groups[g].skills.iter().any(|c| union.contains(c)))
            .map(|g| s.agent_groups[g].staffing[k])
            .sum();
        let rates = s.effective_arrival_rates(k);
        let floors: Vec<u32> = q
            .groups
            .iter()
            .map(|&g| {
                u32::from(
                    s.agent_groups[g].skills.iter().any(|&c| rates[c] > 0.0)
                        || crate::staff::drains_in(s, k),
                )
            })
            .collect();
        let floor_cost: f64 = floors
            .iter()
            .zip(&per_hour)
            .map(|(&f, c)| f64::from(f) * c)
            .sum();
        let rest = need
            .saturating_sub(held)
            .saturating_sub(floors.iter().sum());
        total += (floor_cost + cheapest * f64::from(rest)) * s.simulation.interval_len(k) / 3600.0;
    }
    Ok(total)
}

/// Which staffed group gets one more agent in a missed interval `k` (a roster round or a
/// shrinkage check round): among the
/// groups that can help with a target missed there (those serving its call types, or the group
/// itself for its occupancy cap), the cheapest per hour (ties: the first). A rule of thumb —
/// the next round's simulation checks it.
pub(crate) fn group_to_raise(q: &JointQuery, judged: &Judged, e: &Evaluation, k: usize) -> usize {
    let s = &q.scenario;
    let (_, targets, sources) = judged;
    let per_hour = costs_per_hour(s, &q.groups);
    let serves = |i: usize, c: usize| s.agent_groups[q.groups[i]].skills.contains(&c);
    let mut helpers = vec![false; q.groups.len()];
    for (t, (target, source)) in targets.iter().zip(sources).enumerate() {
        let Some(est) = e.at(k)[t] else {
            continue;
        };
        let x = match (q.confidence, target.direction) {
            (Confidence::Mean, _) => est.mean,
            (Confidence::Ci95, Direction::AtLeast) => est.ci95.0,
            (Confidence::Ci95, Direction::AtMost) => est.ci95.1,
        };
        if target.slack(x) >= 0.0 {
            continue;
        }
        for (i, h) in helpers.iter_mut().enumerate() {
            *h |= match *source {
                Source::Union(_) => true,
                Source::Type(c, _) => serves(i, c),
                Source::Occupancy(g) => q.groups[i] == g,
            };
        }
    }
    (0..q.groups.len())
        .filter(|&i| helpers[i])
        .min_by(|&a, &b| per_hour[a].total_cmp(&per_hour[b]).then(a.cmp(&b)))
        .unwrap_or(0)
}

/// Every call type some staffed group serves, ascending.
fn union_of(q: &JointQuery) -> Vec<usize> {
    let mut union: Vec<usize> = q
        .groups
        .iter()
        .flat_map(|&g| q.scenario.agent_groups[g].skills.iter().copied())
        .collect();
    union.sort_unstable();
    union.dedup();
    union
}

/// How one staffing of the query's groups (in its order) fares at stream `point`, judged by
/// the query's confidence rule: point 0 gives the search's figures, other points fresh
/// seeds. One simulation of all replications.
pub fn evaluate_at(
    q: &JointQuery,
    staffing: &[Vec<u32>],
    point: u64,
) -> Result<Evaluation, StaffError> {
    let (_, targets, sources) = judged(q)?;
    let judge = Judge {
        q,
        targets,
        sources,
        union: union_of(q),
        runner: q.options.runner(&[&q.scenario])?,
    };
    Ok(judge.evaluate(&[staffing.to_vec()], point)?.remove(0))
}

/// Simulates candidates at a stream point, counting them against the budget.
type Eval<'a> = dyn FnMut(&[Vec<Vec<u32>>], u64) -> Result<Vec<Evaluation>, StaffError> + 'a;

/// Runs the joint search described in the module docs.
pub fn search(q: &JointQuery) -> Result<JointAnswer, StaffError> {
    if q.targets.is_empty() {
        return Err(StaffError::Input("give at least one --target".into()));
    }
    let shares: Vec<f64> = q
        .groups
        .iter()
        .map(|&g| q.scenario.agent_groups[g].shrinkage)
        .collect();
    if shares.iter().any(|&x| x > 0.0) {
        // As for one group: search heads on the phones, then gross up and check.
        judged(q)?;
        let mut on_phones = q.clone();
        for &g in &q.groups {
            on_phones.scenario.agent_groups[g].shrinkage = 0.0;
        }
        let mut a = search(&on_phones)?;
        let mut scheduled: Vec<Vec<u32>> = a
            .staffing
            .iter()
            .zip(&shares)
            .map(|(st, &x)| st.iter().map(|&n| super::scheduled_heads(n, x)).collect())
            .collect();
        // Where an interval misses with shrinkage on, one more scheduled head for the
        // cheapest group that can help there, and another round on other fresh streams.
        let judged = judged(q)?;
        let mut rounds = 0;
        let check = loop {
            rounds += 1;
            a.simulations += 1;
            let v = evaluate_at(q, &scheduled, super::SHRINKAGE_POINT + u64::from(rounds))?;
            if v.meets() || rounds == VALIDATION_ROUNDS {
                break v;
            }
            for k in v.misses() {
                let i = group_to_raise(q, &judged, &v, k);
                scheduled[i][k] += 1;
            }
        };
        a.shrinkage = Some(JointShrinkage {
            shares,
            scheduled,
            check,
            rounds,
        });
        return Ok(a);
    }
    let s = &q.scenario;
    let (labels, targets, sources) = judged(q)?;
    let intervals = s.simulation.intervals;
    let gs = q.groups.len();
    let union = union_of(q);
    let per_hour = costs_per_hour(s, &q.groups);
    let shares = load_shares(s, &q.groups);
    let closed = crate::staff::closed_intervals(s);
    let mut floor: Vec<Vec<u32>> = q
        .groups
        .iter()
        .map(|&g| {
            (0..intervals)
                .map(|k| {
                    let r = s.effective_arrival_rates(k);
                    u32::from(
                        (s.agent_groups[g].skills.iter().any(|&c| r[c] > 0.0) && !closed[k])
                            || crate::staff::drains_in(s, k),
                    )
                })
                .collect()
        })
        .collect();
    let mut erlang = vec![vec![0u32; intervals]; gs];
    for i in 0..gs {
        // Per-type targets about types this group takes no share of say nothing about it.
        let own: Vec<Target> = q
            .targets
            .iter()
            .filter(|t| {
                t.call_type.as_ref().is_none_or(|name| {
                    shares[i]
                        .iter()
                        .any(|&(c, _)| &s.call_types[c].name == name)
                })
            })
            .cloned()
            .collect();
        for k in 0..intervals {
            if closed[k] {
                // Nobody works a closed hour (email waits for the opening): no agents.
                continue;
            }
            erlang[i][k] = erlang_for(s, &own, &shares[i], k)?
                .max(floor[i][k])
                .min(q.max_agents.unwrap_or(u32::MAX));
            if (k + 1) as f64 * s.simulation.interval <= s.simulation.warmup {
                floor[i][k] = erlang[i][k];
            }
        }
    }
    let cap: Vec<Vec<u32>> = erlang
        .iter()
        .map(|row| {
            row.iter()
                .map(|&n| q.max_agents.unwrap_or_else(|| default_cap(n)))
                .collect()
        })
        .collect();
    // The removal phase tests every cell above its floor at least once in its first full
    // round (adds only raise cells, from the Erlang start up), so a search with more such
    // cells than its budget can never finish: refused before any simulation, not after the
    // Erlang start and the adds have run.
    let must = 1
        + (0..gs)
            .flat_map(|i| (0..intervals).map(move |k| (i, k)))
            .filter(|&(i, k)| erlang[i][k] > floor[i][k])
            .count();
    if must > q.max_simulations {
        return Err(StaffError::Input(format!(
            "the joint search needs at least {must} simulations ({} interval-group cells start above their floor — one agent where the group has contacts, else none — and each is tested once with one agent less), more than --max-simulations {}: raise it, or search fewer intervals (a shorter horizon or longer intervals) or groups",
            must - 1,
            q.max_simulations
        )));
    }
    // The budget counts the candidates a round evaluates together (one per interval and
    // group).
    let cells = floor.iter().flatten().filter(|&&f| f > 0).count();
    let batch = budget::search_bytes(s, cells, targets.len(), q.max_simulations);
    let judge = Judge {
        q,
        targets,
        sources,
        union,
        runner: q.options.checked_runner(&[s], batch)?,
    };
    let bar = judge
        .runner
        .progress_bar(q.max_simulations as u64, "simulations, at most");
    bar.set_message("Erlang start");
    let mut sims = 0usize;
    let mut eval = |cands: &[Vec<Vec<u32>>], point: u64| -> Result<Vec<Evaluation>, StaffError> {
        bar.inc(cands.len() as u64);
        if sims + cands.len() > q.max_simulations {
            return Err(StaffError::Budget(format!(
                "the joint search needs more than --max-simulations {} simulations; raise it (or use fewer intervals, groups or replications)",
                q.max_simulations
            )));
        }
        sims += cands.len();
        judge.evaluate(cands, point)
    };
    let cost_of = |i: usize, k: usize| per_hour[i] * s.simulation.interval_len(k) / 3600.0;
    // One greedy add round at `point`: per missing interval, the agent with the largest
    // shortfall reduction per unit cost. Returns false when every cell is at its cap.
    let add_round = |current: &mut Vec<Vec<u32>>,
                     current_eval: &Evaluation,
                     point: u64,
                     eval: &mut Eval|
     -> Result<bool, StaffError> {
        let cells: Vec<(usize, usize)> = current_eval
            .misses()
            .into_iter()
            .flat_map(|k| (0..gs).map(move |i| (i, k)))
            .filter(|&(i, k)| current[i][k] < cap[i][k])
            .collect();
        if cells.is_empty() {
            return Ok(false);
        }
        let cands: Vec<Vec<Vec<u32>>> = cells
            .iter()
            .map(|&(i, k)| {
                let mut c = current.clone();
                c[i][k] += 1;
                c
            })
            .collect();
        let evals = eval(&cands, point)?;
        let base = shortfall(current_eval);
        let mut best: Vec<Option<(f64, f64, usize)>> = vec![None; intervals];
        for (&(i, k), e) in cells.iter().zip(&evals) {
            let cost = cost_of(i, k);
            let gain = base - shortfall(e);
            let score = if cost > 0.0 {
                gain / cost
            } else {
                f64::INFINITY
            };
            let better = match best[k] {
                None => true,
                Some((bs, bc, _)) => score > bs || (score == bs && cost < bc),
            };
            if better {
                best[k] = Some((score, cost, i));
            }
        }
        for (k, b) in best.iter().enumerate() {
            if let Some((_, _, i)) = b {
                current[*i][k] += 1;
            }
        }
        Ok(true)
    };

    let erlang_evaluation = eval(std::slice::from_ref(&erlang), 0)?.remove(0);
    let mut current = erlang.clone();
    let mut current_eval = erlang_evaluation.clone();
    bar.set_message("adding where targets are missed");
    while !current_eval.meets() {
        if !add_round(&mut current, &current_eval, 0, &mut eval)? {
            let k = current_eval.misses()[0];
            let named: Vec<(String, &Target)> =
                labels.iter().cloned().zip(&judge.targets).collect();
            return Err(StaffError::Input(format!(
                "the targets cannot be met in interval {k} ({}) with every staffed group at its limit ({}); how close it got there: {}. Are they reachable with {} replications?",
                interval_clock(s, k),
                match q.max_agents {
                    Some(m) => format!("--max-agents {m}"),
                    None => "3 × Erlang + 50".into(),
                },
                how_close(&named, &current_eval, k, q.confidence),
                s.simulation.replications
            )));
        }
        current_eval = eval(std::slice::from_ref(&current), 0)?.remove(0);
    }

    bar.set_message("removing agents");
    let mut recheck: Option<Vec<(usize, usize)>> = None;
    loop {
        let cells: Vec<(usize, usize)> = match &recheck {
            Some(c) => c.clone(),
            None => (0..gs)
                .flat_map(|i| (0..intervals).map(move |k| (i, k)))
                .filter(|&(i, k)| current[i][k] > floor[i][k])
                .collect(),
        };
        let full_round = recheck.is_none();
        let cands: Vec<Vec<Vec<u32>>> = cells
            .iter()
            .map(|&(i, k)| {
                let mut c = current.clone();
                c[i][k] -= 1;
                c
            })
            .collect();
        let evals = if cands.is_empty() {
            Vec::new()
        } else {
            eval(&cands, 0)?
        };
        let mut passing: Vec<((usize, usize), Evaluation)> = cells
            .iter()
            .copied()
            .zip(evals)
            .filter(|(_, e)| e.meets())
            .collect();
        if passing.is_empty() {
            if full_round {
                break;
            }
            recheck = None;
            continue;
        }
        // The costliest agent first, then the most slack left.
        passing.sort_by(|a, b| {
            let total = |e: &Evaluation| e.slack.iter().sum::<f64>();
            cost_of(b.0 .0, b.0 .1)
                .total_cmp(&cost_of(a.0 .0, a.0 .1))
                .then(total(&b.1).total_cmp(&total(&a.1)))
                .then(a.0.cmp(&b.0))
        });
        let winners: Vec<(usize, usize)> = passing.iter().map(|(c, _)| *c).collect();
        // At most one removal per interval goes into the batch (the best-ranked): two groups'
        // removals in one interval were each judged with the other's agent still there, so
        // together they usually miss, and the halving below would then throw away every
        // other interval's removal with them (a week of two groups needed thousands of
        // simulations). The others stay winners and are rechecked in the next round.
        let mut seen = vec![false; intervals];
        passing.retain(|((_, k), _)| !std::mem::replace(&mut seen[*k], true));
        let mut take = passing.len();
        while take > 1 {
            let mut fewer = current.clone();
            for &((i, k), _) in &passing[..take] {
                fewer[i][k] -= 1;
            }
            let e = eval(std::slice::from_ref(&fewer), 0)?.remove(0);
            if e.meets() {
                current = fewer;
                current_eval = e;
                break;
            }
            take /= 2;
        }
        if take <= 1 {
            let ((i, k), e) = passing.swap_remove(0);
            current[i][k] -= 1;
            current_eval = e;
        }
        recheck = Some(
            winners
                .into_iter()
                .filter(|&(i, k)| current[i][k] > floor[i][k])
                .collect(),
        );
    }

    bar.set_message("checking on fresh seeds");
    let chosen = current.clone();
    let mut rounds = 0u32;
    let validation = loop {
        rounds += 1;
        let point = VALIDATION_POINT + u64::from(rounds);
        let v = eval(std::slice::from_ref(&current), point)?.remove(0);
        if v.meets()
            || rounds == VALIDATION_ROUNDS
            || !add_round(&mut current, &v, point, &mut eval)?
        {
            break v;
        }
    };
    if current != chosen {
        current_eval = eval(std::slice::from_ref(&current), 0)?.remove(0);
    }
    bar.finish_and_clear();
    Ok(JointAnswer {
        labels,
        staffing: current,
        evaluation: current_eval,
        validation,
        validation_rounds: rounds,
        erlang,
        erlang_evaluation,
        floor,
        cost_per_hour: per_hour,
        simulations: sims,
        shrinkage: None,
        lower_bound: lower_bound(q)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::{search as staff_one, StaffQuery};

    /// A generalist group (serves `sales` first, `support` second; 30 per hour) and a cheaper
    /// specialist group (`support` only; 20 per hour), both starting at one agent.
    fn two_skill() -> Scenario {
        let text = r#"
            [simulation]
            horizon = "3h"
            interval = "1h"
            replications = 8
            [[call_types]]
            name = "sales"
            volumes = [40, 60, 40]
            handle_time = { distribution = "exponential", mean = "4m" }
            patience = { distribution = "exponential", mean = "3m" }
            [[call_types]]
            name = "support"
            volumes = [90, 120, 90]
            handle_time = { distribution = "exponential", mean = "5m" }
            patience = { distribution = "exponential", mean = "3m" }
            [[agent_groups]]
            name = "generalist"
            skills = ["sales", "support"]
            agents = 1
            hourly_cost = 30
            [[agent_groups]]
            name = "specialist"
            skills = ["support"]
            agents = 1
            hourly_cost = 20
        "#;
        Scenario::from_toml_str(text, "t", "t").unwrap()
    }

    fn options() -> RunOptions {
        RunOptions {
            threads: Some(2),
            ..RunOptions::default()
        }
    }

    /// Joint staffing meets the targets on all contacts and costs strictly less than staffing
    /// the groups one by one (the generalist first, for its call types with the specialist
    /// held at its scenario staffing, then the specialist with the generalist's answer held),
    /// which loads the support work on the costlier generalists.
    #[test]
    fn joint_staffing_beats_one_group_at_a_time() {
        let s = two_skill();
        let targets: Vec<Target> = vec!["service_level>=0.8".parse().unwrap()];
        let joint = search(&JointQuery {
            scenario: s.clone(),
            groups: vec![0, 1],
            targets: targets.clone(),
            confidence: Confidence::Ci95,
            options: options(),
            max_simulations: 2000,
            max_agents: None,
        })
        .unwrap();
        assert!(joint.evaluation.meets());
        assert!(joint.validation.meets(), "{:?}", joint.validation.misses());
        let mut one_by_one = s.clone();
        for g in [0, 1] {
            let a = staff_one(&StaffQuery {
                scenario: one_by_one.clone(),
                group: g,
                targets: targets.clone(),
                confidence: Confidence::Ci95,
                options: options(),
                max_simulations: 2000,
                max_agents: None,
            })
            .unwrap();
            one_by_one.agent_groups[g].staffing = a.staffing;
        }
        let per_hour = costs_per_hour(&s, &[0, 1]);
        let sequential = total_cost(
            &s,
            &per_hour,
            &[
                one_by_one.agent_groups[0].staffing.clone(),
                one_by_one.agent_groups[1].staffing.clone(),
            ],
        );
        let cost = joint.cost(&s);
        assert!(
            joint.lower_bound > 0.0 && joint.lower_bound <= cost,
            "bound {} vs {cost}",
            joint.lower_bound
        );
        assert!(
            cost < sequential,
            "joint {cost} ({:?}) vs one by one {sequential} ({:?}, {:?})",
            joint.staffing,
            one_by_one.agent_groups[0].staffing,
            one_by_one.agent_groups[1].staffing
        );
    }

    /// With shrinkage on one staffed group, the joint answer is heads on the phones (the
    /// search without shrinkage), scheduled heads gross that group up (and only that group),
    /// and they hold with shrinkage on fresh seeds.
    #[test]
    fn joint_shrinkage_schedules_the_shrinking_group_up() {
        let mut s = two_skill();
        let q = |s: &Scenario| JointQuery {
            scenario: s.clone(),
            groups: vec![0, 1],
            targets: vec!["service_level>=0.8".parse().unwrap()],
            confidence: Confidence::Ci95,
            options: options(),
            max_simulations: 2000,
            max_agents: None,
        };
        let plain = search(&q(&s)).unwrap();
        assert!(plain.shrinkage.is_none());
        s.agent_groups[1].shrinkage = 0.2;
        let a = search(&q(&s)).unwrap();
        assert_eq!(a.staffing, plain.staffing);
        let sh = a.shrinkage.as_ref().unwrap();
        assert_eq!(sh.scheduled[0], a.staffing[0], "no shrinkage, no gross-up");
        for (k, &n) in a.staffing[1].iter().enumerate() {
            assert!(sh.scheduled[1][k] >= super::super::scheduled_heads(n, 0.2));
        }
        assert!(sh.check.meets(), "{:?}", sh.check.misses());
        assert_eq!(a.scheduled(), &sh.scheduled[..]);
    }

    /// Regression: a search with more interval-group cells to test than its budget ran its
    /// Erlang start and adds first before finding out; now it is refused before any
    /// simulation (here the runs are cancelled up front, so a single
    /// simulation would end the search as interrupted instead).
    #[test]
    fn a_budget_below_one_test_per_cell_is_refused_before_simulating() {
        let options = options();
        options.cancel.cancel();
        let mut q = JointQuery {
            scenario: two_skill(),
            groups: vec![0, 1],
            targets: vec!["service_level>=0.8".parse().unwrap()],
            confidence: Confidence::Mean,
            options,
            max_simulations: 3,
            max_agents: None,
        };
        match search(&q) {
            Err(StaffError::Input(m)) => {
                assert!(m.contains("at least 7 simulations"), "{m}");
                assert!(m.contains("--max-simulations 3"), "{m}");
            }
            other => panic!("{:?}", other.map(|a| a.staffing)),
        }
        // With budget enough for one test per cell, the search starts (and meets the cancel).
        q.max_simulations = 7;
        assert!(matches!(search(&q), Err(StaffError::Run(_))));
    }

    #[test]
    fn the_erlang_start_gives_each_type_to_the_groups_that_put_it_first() {
        let s = two_skill();
        let shares = load_shares(&s, &[0, 1]);
        assert_eq!(shares, vec![vec![(0, 1.0)], vec![(1, 1.0)]]);
        // Staffing the generalist alone, it takes both.
        assert_eq!(load_shares(&s, &[0]), vec![vec![(0, 1.0), (1, 1.0)]]);
    }

    #[test]
    fn occupancy_caps_each_group_and_types_must_be_served() {
        let q = JointQuery {
            scenario: two_skill(),
            groups: vec![0, 1],
            targets: vec![
                "occupancy<=0.9".parse().unwrap(),
                "support.asa_s<=30".parse().unwrap(),
            ],
            confidence: Confidence::Mean,
            options: options(),
            max_simulations: 10,
            max_agents: None,
        };
        let (labels, _, _) = judged(&q).unwrap();
        assert_eq!(
            labels,
            [
                "generalist.occupancy",
                "specialist.occupancy",
                "support.asa_s"
            ]
        );
        let mut q = q;
        q.groups = vec![1];
        q.targets = vec!["sales.service_level>=0.8".parse().unwrap()];
        assert!(matches!(search(&q), Err(StaffError::Input(m)) if m.contains("serves `sales`")));
    }
}
