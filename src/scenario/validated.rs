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
    /// Contacts the agents who can serve that load hold at once in the interval (agents ×
    /// the contacts each may hold: chat windows), what the load is judged against.
    pub agents: u32,
    /// Those agents, by head.
    pub heads: u32,
    /// The load is the call type's callback accepters' (who never hang up), the rest of it
    /// having a patience; `false` for a call type without patience and for the center.
    pub accepters: bool,
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
        // Per call type, the share of its contacts that never hang up: all of them without a
        // patience; with one, those who accept a callback (virtual hold) — in an overload
        // nearly every caller still waits at the offer, so the share is the acceptance
        // probability × P(patience > offer_after).
        let staying: Vec<f64> = (0..self.call_types.len())
            .map(|c| match self.call_types[c].patience {
                None => 1.0,
                Some(_) => self.callback_accepting_share(c),
            })
            .collect();
        // With a line limit the queue is bounded: the overload shows as blocked calls.
        if self.simulation.lines.is_some() || staying.iter().all(|&s| s == 0.0) {
            return Vec::new();
        }
        let without_patience = self.call_types.iter().any(|c| c.patience.is_none());
        let mut out = Vec::new();
        for k in 0..self.simulation.intervals {
            let rates = self.effective_arrival_rates(k);
            let per_type = self.call_types.iter().enumerate().find_map(|(c, ct)| {
                let load = rates[c] * ct.mean_work() * staying[c];
                let serving = || self.agent_groups.iter().filter(|g| g.skills.contains(&c));
                let agents: u32 = serving()
                    .map(|g| g.staffing[k] * Scenario::windows(ct, g))
                    .sum();
                let heads: u32 = serving().map(|g| g.staffing[k]).sum();
                // Email is deferred work: its backlog across closed hours is by design.
                let deferred = ct.channel == crate::model::Channel::Email;
                (!deferred && load > 0.0 && load >= agents as f64).then_some(Overload {
                    interval: k,
                    call_type: Some(c),
                    load,
                    agents,
                    heads,
                    accepters: ct.patience.is_some(),
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
                    // warning never fires where some routing keeps up). With a call type
                    // that never hangs up, all work counts (as the center has always been
                    // judged); when only callback accepters stay, only theirs does, so the
                    // warning fires only when they alone are more than the agents.
                    .map(|(i, (_, r))| {
                        let weight = if without_patience { 1.0 } else { staying[i] };
                        r * self.agent_work(i) * weight
                    })
                    .sum();
                let agents: u32 = self.agent_groups.iter().map(|g| g.staffing[k]).sum();
                (load > 0.0 && load >= agents as f64).then_some(Overload {
                    interval: k,
                    call_type: None,
                    load,
                    agents,
                    heads: agents,
                    accepters: false,
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
    /// cycle, so it converges). What staffing starts from and what the overload warnings
    /// judge: the expected rates, with no upper-end guesses (see
    /// [`Scenario::arrival_rates_upper`] for the memory estimate's).
    pub fn effective_arrival_rates(&self, k: usize) -> Vec<f64> {
        let external: Vec<f64> = self.call_types.iter().map(|c| c.arrival_rates[k]).collect();
        self.through_transfers(external)
    }

    /// [`Scenario::effective_arrival_rates`] plus the work that reaches a queue from
    /// other queues beyond fixed transfers, for the memory estimate (a queue that cannot
    /// drain must be caught, so the ends are upper ones) — arrival rate of each call type in
    /// interval `k` including the work that reaches it from
    /// other queues (per second): fixed transfers, escalations of decisions beyond an agent's
    /// authority (`beyond_authority`) and knowledge transfers (`unresolved_transfer`). An
    /// upper end where the engine's share cannot be computed: an escalation counts with
    /// `decision_probability × P(amount > authority)` (1 where the amount's distribution has
    /// no closed form here), a knowledge transfer with its probability × the largest chance
    /// of failing any issue. Escalations and knowledge transfers happen at most once per
    /// journey each, so they are followed in layers (none, one, the other, both), each
    /// through the fixed transfers. Before they were counted, a frontline escalating
    /// 2,000,000 decisions an hour to one specialist queued them all (310 MB) with no
    /// warning and an estimate of 43 MB.
    pub fn arrival_rates_upper(&self, k: usize) -> Vec<f64> {
        let external: Vec<f64> = self.call_types.iter().map(|c| c.arrival_rates[k]).collect();
        let base = self.through_transfers(external);
        let escalating = self.agent_groups.iter().any(|g| {
            matches!(
                g.beyond_authority,
                crate::model::BeyondAuthority::Escalate(_)
            ) && g.authority.is_finite()
        });
        let stuck = self
            .agent_groups
            .iter()
            .any(|g| g.unresolved_transfer.is_some());
        if !escalating && !stuck {
            return base;
        }
        let escalated = self.through_transfers(self.escalations(&base));
        let transferred = self.through_transfers(self.knowledge_transfers(&base));
        let mut both = self.knowledge_transfers(&escalated);
        for (b, e) in both.iter_mut().zip(self.escalations(&transferred)) {
            *b += e;
        }
        let both = self.through_transfers(both);
        (0..base.len())
            .map(|c| base[c] + escalated[c] + transferred[c] + both[c])
            .collect()
    }

    /// `inflow` (per call type) and what the fixed transfers add to it, by fixed-point
    /// iteration of the traffic equations (transfer probabilities < 1 on any cycle, so it
    /// converges).
    fn through_transfers(&self, inflow: Vec<f64>) -> Vec<f64> {
        if self.call_types.iter().all(|c| c.transfer.is_none()) {
            return inflow;
        }
        let mut rates = inflow.clone();
        for _ in 0..1000 {
            let mut next = inflow.clone();
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

    /// Per call type, the escalations it receives when contacts arrive at `rates` (an upper
    /// end): for each type served by a group that escalates, its rate × the largest share of
    /// its contacts any such group escalates to that target. A type that receives transfers
    /// may hold journeys of any type, so its share is the largest of every type's.
    fn escalations(&self, rates: &[f64]) -> Vec<f64> {
        let n = self.call_types.len();
        let received = self.receivers();
        // (from, to, share), the largest share per (from, to) kept.
        let mut flows: Vec<(usize, usize, f64)> = Vec::new();
        for g in &self.agent_groups {
            let crate::model::BeyondAuthority::Escalate(to) = g.beyond_authority else {
                continue;
            };
            if !g.authority.is_finite() {
                continue;
            }
            let own = |c: usize| {
                let ct = &self.call_types[c];
                let beyond = ct
                    .decision_amount
                    .as_ref()
                    .map_or(f64::from(u8::from(0.0 > g.authority)), |d| {
                        survival(d, g.authority)
                    });
                ct.decision_probability * beyond
            };
            let any = (0..n).map(own).fold(0.0f64, f64::max);
            for &c in &g.skills {
                let share = if received[c] { any } else { own(c) };
                flows.push((c, to, share));
            }
        }
        spread(rates, flows)
    }

    /// Per call type, the knowledge transfers (`unresolved_transfer`) it receives when
    /// contacts arrive at `rates` (an upper end: the transfer's probability × the largest
    /// chance that the group's agent fails an issue, at the hardest difficulty any type
    /// draws and the group's lowest proficiency; none when no type models issues, whose
    /// contacts are always resolved).
    fn knowledge_transfers(&self, rates: &[f64]) -> Vec<f64> {
        let mut flows: Vec<(usize, usize, f64)> = Vec::new();
        if !self.call_types.iter().any(|c| c.has_issue_model()) {
            return vec![0.0; rates.len()];
        }
        let hardest = (self.call_types.iter())
            .filter_map(|c| c.difficulty.as_ref())
            .map(|d| match d {
                crate::model::Dist::Constant(v) => *v,
                crate::model::Dist::Uniform { max, .. } => *max,
                crate::model::Dist::Empirical(values) => {
                    values.iter().copied().fold(0.0f64, f64::max)
                }
                _ => 1.0,
            })
            .fold(0.0f64, f64::max)
            .clamp(0.0, 1.0);
        for g in &self.agent_groups {
            let Some(t) = g.unresolved_transfer else {
                continue;
            };
            let start = g.learning.map_or(g.proficiency, |l| l.start);
            let (low, high) = (start.min(g.proficiency), start.max(g.proficiency));
            // The logistic of a linear function is least at a corner of the box.
            let resolved = [(0.0, low), (0.0, high), (hardest, low), (hardest, high)]
                .iter()
                .map(|&(d, p)| self.experience.resolve_probability(d, p))
                .fold(1.0f64, f64::min);
            let share = t.probability * (1.0 - resolved);
            for &c in g.skills.iter().filter(|&&c| c != t.to) {
                flows.push((c, t.to, share));
            }
        }
        spread(rates, flows)
    }

    /// Per call type: whether any transfer (fixed, escalation or knowledge) may send it work.
    fn receivers(&self) -> Vec<bool> {
        let mut received = vec![false; self.call_types.len()];
        for c in &self.call_types {
            if let Some(t) = c.transfer {
                received[t.to] = true;
            }
        }
        for g in &self.agent_groups {
            if let crate::model::BeyondAuthority::Escalate(to) = g.beyond_authority {
                received[to] = true;
            }
            if let Some(t) = g.unresolved_transfer {
                received[t.to] = true;
            }
        }
        received
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
        self.interval_capacity_at(k, &self.effective_arrival_rates(k))
    }

    /// [`Scenario::interval_capacity`] with the call types arriving at `rates` (per second):
    /// the memory estimate passes [`Scenario::arrival_rates_upper`].
    pub fn interval_capacity_at(&self, k: usize, rates: &[f64]) -> IntervalCapacity {
        let n = self.call_types.len();
        let waits = |c: usize| self.call_types[c].patience.is_none();
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
            rates: rates.to_vec(),
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

impl Scenario {
    /// Of call type `c`'s contacts, with a patience, the share that accept a callback and so
    /// never hang up: the acceptance probability × P(patience > `offer_after`) (an upper end
    /// where that has no closed form, see [`Scenario::survival`]; in an overload nearly every
    /// caller still waits at the offer, so the figure itself). 0 without a patience or a
    /// callback offer.
    pub fn callback_accepting_share(&self, c: usize) -> f64 {
        let ct = &self.call_types[c];
        match (&ct.callback, &ct.patience) {
            (Some(cb), Some(patience)) => {
                cb.accept_probability * survival(patience, cb.offer_after)
            }
            _ => 0.0,
        }
    }

    /// P(X > `a`) for a distribution `d`, or 1 (an upper end) where it has no closed form
    /// here: the share of decisions beyond an authority, of callers still waiting at a
    /// callback offer.
    pub fn survival(d: &crate::model::Dist, a: f64) -> f64 {
        survival(d, a)
    }
}

/// See [`Scenario::survival`].
fn survival(d: &crate::model::Dist, a: f64) -> f64 {
    use crate::model::Dist;
    match d {
        Dist::Exponential { mean } if a > 0.0 => (-a / mean).exp(),
        Dist::Uniform { min, max } if max > min => ((max - a) / (max - min)).clamp(0.0, 1.0),
        Dist::Uniform { min, .. } | Dist::Constant(min) => f64::from(u8::from(*min > a)),
        Dist::Empirical(values) => {
            values.iter().filter(|&&v| v > a).count() as f64 / values.len().max(1) as f64
        }
        _ => 1.0,
    }
}

/// What flows `(from, to, share)` carry when contacts arrive at `rates`, per call type `to`:
/// the largest share per (from, to) pair (several groups serving one type are not each
/// given its whole rate).
fn spread(rates: &[f64], mut flows: Vec<(usize, usize, f64)>) -> Vec<f64> {
    flows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
    flows.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
    let mut out = vec![0.0; rates.len()];
    for (from, to, share) in flows {
        out[to] += rates[from] * share;
    }
    out
}
