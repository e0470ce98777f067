//! The validated scenario: [`Scenario`] and its [`Simulation`] settings, exactly what the
//! engine runs, with the queries asked of it before a run (overloaded intervals, expected
//! arrivals, a one-line summary). Built only by `validate` from a parsed file, so every value
//! here is in range and every cross-reference resolved.

use super::duration;
use crate::model::week::WeekClock;
use crate::model::{AgentGroup, CallType, CustomerBehaviour, ExperienceParams, Supervisors};

// Default `[simulation]` values, applied when a key is absent (documented in docs/scenarios.md).
/// Default `simulation.interval`: 30 minutes, in seconds.
pub const DEFAULT_INTERVAL_S: f64 = 1800.0;
/// Default `simulation.replications`.
pub const DEFAULT_REPLICATIONS: u32 = 30;
/// Default `simulation.seed`.
pub const DEFAULT_SEED: u64 = 1;
/// Default `simulation.service_level_threshold`: 20 seconds.
pub const DEFAULT_SL_THRESHOLD_S: f64 = 20.0;

/// Run-level settings from `[simulation]`, all times in seconds.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Simulated time during which contacts arrive (> 0).
    pub horizon: f64,
    /// Length of a planning interval (> 0).
    pub interval: f64,
    /// ceil(horizon / interval): the length of every per-interval array.
    pub intervals: usize,
    /// Contacts arriving before this time are left out of every statistic (< horizon).
    pub warmup: f64,
    /// Independent replications (≥ 1).
    pub replications: u32,
    /// Base seed of every random stream (see [`crate::rng`]).
    pub seed: u64,
    /// A contact answered within this wait counts toward the service level.
    pub service_level_threshold: f64,
    /// Coefficient of variation of each day's arrival factor (busyness); 0 = none.
    pub arrival_uncertainty: f64,
    /// `lines`: at most this many calls in the center at once (waiting + talking, holds
    /// included); an arrival finding every line busy is blocked. `None`: unlimited.
    pub lines: Option<u32>,
}

impl Simulation {
    /// The interval a time falls in (times at or after the horizon belong to the last one).
    #[inline]
    pub fn interval_of(&self, t: f64) -> usize {
        ((t / self.interval) as usize).min(self.intervals - 1)
    }

    /// Length of interval `k` in seconds (the last one may be shorter than `interval`).
    pub fn interval_len(&self, k: usize) -> f64 {
        let start = k as f64 * self.interval;
        (self.horizon - start).min(self.interval)
    }
}

/// A validated scenario: what the engine runs.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The `name` key, or the file stem when it is absent or blank.
    pub name: String,
    /// Where it came from (a path, or a label for in-memory text), for messages.
    pub source: String,
    /// Run-level settings (`[simulation]`).
    pub simulation: Simulation,
    /// `[[call_types]]` in file order (at least one; indices are used everywhere else).
    pub call_types: Vec<CallType>,
    /// `[[agent_groups]]` in file order (at least one).
    pub agent_groups: Vec<AgentGroup>,
    /// `[supervisors]`, or its defaults.
    pub supervisors: Supervisors,
    /// `[customers]`, or the plain model's behaviour (no callbacks or redials).
    pub customers: CustomerBehaviour,
    /// `[experience]`, or its cited defaults.
    pub experience: ExperienceParams,
    /// `[calendar]`: the clock time of simulation time 0 and the opening hours (`None`: no
    /// clock time; days are then counted from time 0).
    pub calendar: Option<WeekClock>,
    /// The file configures a customer-experience model: an `[experience]`, `[customers]` or
    /// `[supervisors]` section, or an experience key on a call type (`difficulty`,
    /// `decision_probability`, `decision_amount`) or agent group (`proficiency`, `learning`,
    /// `authority`, `beyond_authority`, `unresolved_transfer`). When false (a plain queueing
    /// scenario) journeys are not scored: satisfaction, loyalty and money figures would come
    /// from defaults only, so they are reported as undefined.
    pub experience_model: bool,
    /// `[program]`: training cohorts and attrition over the run's days (`None`: none).
    pub program: Option<Box<crate::model::program::Program>>,
    /// The assumptions given as `{ low, mode, high }` ranges (the model holds their modes).
    pub assumptions: crate::model::assumptions::Ranges,
}

/// An interval where a queue without abandonment cannot keep up (see
/// [`Scenario::overloaded_intervals`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overload {
    /// The overloaded interval's index.
    pub interval: usize,
    /// The call type whose own servers are short; `None` for the center as a whole.
    pub call_type: Option<usize>,
    /// Offered load in Erlangs.
    pub load: f64,
    /// Agents who can serve that load in the interval.
    pub agents: u32,
}

/// One interval's offered work and the agents left for the call types that never hang up,
/// per call type (see [`Scenario::interval_capacity`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalCapacity {
    /// Arrival rate per call type, transfers in included (per second).
    pub rates: Vec<f64>,
    /// Offered work per call type in agents (rate × mean handle and after-call work, shared
    /// by as many windows as a serving group allows).
    pub loads: Vec<f64>,
    /// Per call type without a patience: the agents left for it (0 for the others).
    pub capacity: Vec<f64>,
    /// Per call type: the agents (after shrinkage) of the groups that serve it.
    pub serving: Vec<f64>,
}

/// A deferred call type (email) that falls behind for good: over the horizon its offered work
/// exceeds what the agents left for it can do (see [`Scenario::deferred_overloads`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeferredOverload {
    /// The call type.
    pub call_type: usize,
    /// Work offered over the horizon, agent-hours.
    pub offered_hours: f64,
    /// Agent-hours the groups serving it have left for it over the horizon.
    pub capacity_hours: f64,
    /// About how many contacts still wait at the end: the shortfall over the mean work.
    pub left_at_end: f64,
}

impl Scenario {
    /// Intervals where a queue without abandonment or line limit is overloaded (offered load
    /// ≥ the agents who can serve it), so it grows without bound there: per call type without patience
    /// (its own load, transfers in included, against every agent with that skill), then for
    /// the center as a whole. Loads use mean handle time plus after-call work.
    pub fn overloaded_intervals(&self) -> Vec<Overload> {
        // With a line limit the queue is bounded: the overload shows as blocked calls.
        if self.simulation.lines.is_some() || self.call_types.iter().all(|c| c.patience.is_some()) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for k in 0..self.simulation.intervals {
            let rates = self.effective_arrival_rates(k);
            let per_type = self.call_types.iter().enumerate().find_map(|(c, ct)| {
                let load = rates[c] * ct.mean_work();
                let agents: u32 = self
                    .agent_groups
                    .iter()
                    .filter(|g| g.skills.contains(&c))
                    .map(|g| g.staffing[k] * Scenario::windows(ct, g))
                    .sum();
                // Email is deferred work: its backlog across closed hours is by design.
                let deferred = ct.channel == crate::model::Channel::Email;
                (ct.patience.is_none() && !deferred && load > 0.0 && load >= agents as f64)
                    .then_some(Overload {
                        interval: k,
                        call_type: Some(c),
                        load,
                        agents,
                    })
            });
            let total = || {
                let load: f64 = self
                    .call_types
                    .iter()
                    .zip(&rates)
                    .enumerate()
                    .filter(|(_, (c, _))| c.channel != crate::model::Channel::Email)
                    // At the most concurrency any of its groups allows (a bound: the
                    // warning never fires where some routing keeps up).
                    .map(|(i, (_, r))| r * self.agent_work(i))
                    .sum();
                let agents: u32 = self.agent_groups.iter().map(|g| g.staffing[k]).sum();
                (load > 0.0 && load >= agents as f64).then_some(Overload {
                    interval: k,
                    call_type: None,
                    load,
                    agents,
                })
            };
            if let Some(o) = per_type.or_else(total) {
                out.push(o);
            }
        }
        out
    }

    /// Arrival rate of each call type in interval `k` including transfers in (per second),
    /// by fixed-point iteration of the traffic equations (transfer probabilities < 1 on any
    /// cycle, so it converges).
    pub fn effective_arrival_rates(&self, k: usize) -> Vec<f64> {
        let external: Vec<f64> = self.call_types.iter().map(|c| c.arrival_rates[k]).collect();
        let mut rates = external.clone();
        for _ in 0..1000 {
            let mut next = external.clone();
            for (c, r) in self.call_types.iter().zip(&rates) {
                if let Some(t) = c.transfer {
                    next[t.to] += r * t.probability;
                }
            }
            let done = next
                .iter()
                .zip(&rates)
                .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1e-300));
            rates = next;
            if done {
                break;
            }
        }
        rates
    }

    /// Expected external arrivals in one replication (Σ rate × interval length).
    pub fn expected_arrivals(&self) -> f64 {
        let s = &self.simulation;
        (0..s.intervals)
            .map(|k| {
                self.call_types
                    .iter()
                    .map(|c| c.arrival_rates[k])
                    .sum::<f64>()
                    * s.interval_len(k)
            })
            .sum()
    }

    /// One-line human summary for `ccsim validate`.
    pub fn summary(&self) -> String {
        let s = &self.simulation;
        let agents: Vec<u32> = (0..s.intervals)
            .map(|k| self.agent_groups.iter().map(|g| g.staffing[k]).sum())
            .collect();
        let (lo, hi) = (
            agents.iter().min().copied().unwrap_or(0),
            agents.iter().max().copied().unwrap_or(0),
        );
        let expected = self.expected_arrivals();
        let staff = if lo == hi {
            format!("{lo} agents")
        } else {
            format!("{lo}–{hi} agents")
        };
        format!(
            "ok: \"{}\": {} call type(s), {} agent group(s), {staff}, horizon {} in {} interval(s) of {}, ~{:.0} external arrivals, {} replication(s), seed {}{}",
            self.name,
            self.call_types.len(),
            self.agent_groups.len(),
            duration::format_duration(s.horizon),
            s.intervals,
            duration::format_duration(s.interval),
            expected,
            s.replications,
            s.seed,
            self.experience_summary()
        ) + &self.calendar_summary()
    }

    /// "; calendar from Mon 08:00, …" naming the calendar mechanics in use, or nothing.
    fn calendar_summary(&self) -> String {
        let mut parts: Vec<String> = self
            .calendar
            .iter()
            .map(|c| format!("calendar from {}", c.label(0.0)))
            .collect();
        if self.agent_groups.iter().any(|g| !g.breaks.is_empty()) {
            parts.push("breaks".to_string());
        }
        if self.agent_groups.iter().any(|g| g.shrinkage > 0.0) {
            parts.push("shrinkage".to_string());
        }
        if self.simulation.arrival_uncertainty > 0.0 {
            parts.push(format!(
                "arrival uncertainty {}",
                self.simulation.arrival_uncertainty
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; {}", parts.join(", "))
        }
    }

    /// "; experience model: …" listing the customer-experience mechanics in use, or nothing
    /// for a plain queueing scenario.
    fn experience_summary(&self) -> String {
        let mut parts = Vec::new();
        if self.call_types.iter().any(|c| c.difficulty.is_some()) {
            parts.push("issue difficulty");
        }
        if self
            .agent_groups
            .iter()
            .any(|g| g.proficiency < 1.0 || g.learning.is_some())
        {
            parts.push("training");
        }
        if self.call_types.iter().any(|c| c.decision_probability > 0.0)
            && self.agent_groups.iter().any(|g| g.authority.is_finite())
        {
            parts.push("empowerment limits");
        }
        if self
            .agent_groups
            .iter()
            .any(|g| g.unresolved_transfer.is_some())
        {
            parts.push("knowledge transfers");
        }
        if self.customers.callback_probability > 0.0 || self.customers.redial_probability > 0.0 {
            parts.push("callbacks/redials");
        }
        if self.experience.spend_premium.is_some() {
            parts.push("spend premium (stated intention)");
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; experience model: {}", parts.join(", "))
        }
    }
}

/// Chat concurrency as capacity (docs/model.md §8).
impl Scenario {
    /// Contacts of type `ct` an agent of group `g` holds at once: `max_concurrent` for a
    /// chat, 1 for a voice call.
    pub fn windows(ct: &CallType, g: &crate::model::AgentGroup) -> u32 {
        match ct.channel {
            crate::model::Channel::Chat => g.max_concurrent,
            crate::model::Channel::Voice | crate::model::Channel::Email => 1,
        }
    }

    /// The most contacts of call type `c` one agent of any group serving it holds at once
    /// (1 for voice): its work divided by this is its load in agents at best.
    pub fn max_windows(&self, c: usize) -> u32 {
        let ct = &self.call_types[c];
        self.agent_groups
            .iter()
            .filter(|g| g.skills.contains(&c))
            .map(|g| Scenario::windows(ct, g))
            .max()
            .unwrap_or(1)
    }
}

impl Scenario {
    /// Agent-seconds of work per contact of `c`: mean handle time plus after-call work,
    /// shared by as many windows as a serving group allows.
    pub fn agent_work(&self, c: usize) -> f64 {
        self.call_types[c].mean_work() / f64::from(self.max_windows(c))
    }

    /// Interval `k`'s work and the agents left for the call types that never hang up. The
    /// load of each type with a patience (live work) is served first, by the groups that list
    /// it as their first skill and then by the others with the skill, each in proportion to
    /// its agents (after shrinkage) still free; what is left of each group goes to its types
    /// without a patience in proportion to their loads. Per type, not pooled: one channel's
    /// idle agents do not drain another's queue. A fluid view for estimates and warnings,
    /// not a routing model.
    pub fn interval_capacity(&self, k: usize) -> IntervalCapacity {
        let n = self.call_types.len();
        let waits = |c: usize| self.call_types[c].patience.is_none();
        let rates = self.effective_arrival_rates(k);
        let agents: Vec<f64> = self
            .agent_groups
            .iter()
            .map(|g| g.staffing[k] as f64 * (1.0 - g.shrinkage))
            .collect();
        let loads: Vec<f64> = (0..n).map(|c| rates[c] * self.agent_work(c)).collect();
        let serving: Vec<f64> = (0..n)
            .map(|c| {
                (self.agent_groups.iter().zip(&agents))
                    .filter(|(g, _)| g.skills.contains(&c))
                    .map(|(_, a)| a)
                    .sum()
            })
            .collect();
        // Live types first, each from the groups that list it first (their main work), then
        // from the groups that also have the skill; what is left of each group goes to its
        // types without a patience, in proportion to their loads.
        let mut free = agents;
        for c in (0..n).filter(|&c| !waits(c)) {
            let mut need = loads[c];
            for primary in [true, false] {
                let takers: Vec<usize> = (0..self.agent_groups.len())
                    .filter(|&g| {
                        let skills = &self.agent_groups[g].skills;
                        skills.contains(&c) && (skills.first() == Some(&c)) == primary
                    })
                    .collect();
                let available: f64 = takers.iter().map(|&g| free[g]).sum();
                if available <= 0.0 || need <= 0.0 {
                    continue;
                }
                let take = need.min(available);
                for &g in &takers {
                    free[g] -= take * free[g] / available;
                }
                need -= take;
            }
        }
        let mut capacity = vec![0.0f64; n];
        for (g, &a) in self.agent_groups.iter().zip(&free) {
            let waiting: f64 = (g.skills.iter().copied())
                .filter(|&c| waits(c))
                .map(|c| loads[c])
                .sum();
            if waiting > 0.0 {
                for c in g.skills.iter().copied().filter(|&c| waits(c)) {
                    capacity[c] += a.max(0.0) * loads[c] / waiting;
                }
            }
        }
        IntervalCapacity {
            rates,
            loads,
            capacity,
            serving,
        }
    }

    /// Email types that fall behind for good: over the whole horizon, their offered work
    /// exceeds the agent-time left for them ([`Scenario::interval_capacity`]). Email may wait
    /// across closed hours by design (so no interval is judged alone), but a backlog that
    /// grows over the horizon breaks any answer-time promise.
    pub fn deferred_overloads(&self) -> Vec<DeferredOverload> {
        let emails: Vec<usize> = (0..self.call_types.len())
            .filter(|&c| {
                let ct = &self.call_types[c];
                ct.channel == crate::model::Channel::Email && ct.patience.is_none()
            })
            .collect();
        if emails.is_empty() {
            return Vec::new();
        }
        let (mut offered, mut capacity) = (vec![0.0; emails.len()], vec![0.0; emails.len()]);
        for k in 0..self.simulation.intervals {
            let len = self.simulation.interval_len(k);
            let cap = self.interval_capacity(k);
            for (i, &c) in emails.iter().enumerate() {
                offered[i] += cap.loads[c] * len;
                capacity[i] += cap.capacity[c] * len;
            }
        }
        emails
            .iter()
            .enumerate()
            // 2% of slack: the fluid view ignores breaks and routing detail, so a center that
            // only just keeps up is not warned about.
            .filter(|&(i, _)| offered[i] > capacity[i] * 1.02 && offered[i] > 0.0)
            .map(|(i, &c)| DeferredOverload {
                call_type: c,
                offered_hours: offered[i] / 3600.0,
                capacity_hours: capacity[i] / 3600.0,
                left_at_end: (offered[i] - capacity[i]) / self.agent_work(c),
            })
            .collect()
    }
}
