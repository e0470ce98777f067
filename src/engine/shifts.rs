//! Agents on shift: finishing a contact and looking for the next one, shift changes at
//! interval boundaries (the contract's rules), breaks and shrinkage, and the busy/staffed
//! time integrals behind occupancy.
//!
//! Availability (docs/model.md, "Shifts, breaks and shrinkage"):
//! - shrinkage s: at each interval boundary a group's headcount target is
//!   Binomial(scheduled, 1 − s) — each scheduled agent is unavailable for that interval with
//!   probability s, independently — so the mean available is (1 − s)·scheduled and its
//!   variance shows; the usual shift-change rules then apply (idle agents leave first, busy
//!   ones finish their contact);
//! - breaks: when a shift's break window opens, each of its agents owes a break (an agent
//!   lost to shrinkage owes none: each break is kept with probability 1 − s). Breaks are owed
//!   by the group: an idle agent takes one at once, a busy one when it becomes free; if nobody
//!   was free by the latest start, the first agent free afterwards takes it. An agent on break
//!   is not staffed (not available); a break still owed when its shift ends is dropped.
//!
//! Both cost nothing when unused: no draw and no state change when s = 0 and no shift has
//! breaks; the only hot-path addition is one emptiness test when an agent frees.
//!
//! People of chat groups (`max_concurrent` > 1) free and seek work in `chat`.

use super::calendar::Event;
use super::{Agent, Contact, Engine, BUSY, PRESENT};
use crate::model::BreakSlot;
use crate::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Scenario;
use crate::stats::Observer;
use rand_distr::{Binomial, Distribution};
use std::collections::VecDeque;

/// Breaks of one shift-day still owed by a group.
#[derive(Debug, Clone, Copy)]
struct Owed {
    count: u32,
    length: f64,
    expires: f64,
}

/// Per-group break and shrinkage state.
#[derive(Debug, Default)]
struct GroupAvailability {
    /// Agents on break (on shift, not staffed).
    on_break: u32,
    /// Breaks owed, oldest window first.
    owed: VecDeque<Owed>,
    /// Shrinkage draws ([`Purpose::Shrinkage`]); only used when the group has shrinkage.
    shrinkage: Option<Stream>,
    /// Which breaks are owed under shrinkage ([`Purpose::Breaks`]).
    breaks: Option<Stream>,
}

/// Breaks and shrinkage of one replication.
#[derive(Debug, Default)]
pub(super) struct Availability {
    groups: Vec<GroupAvailability>,
    /// Every group's break slots with their group, by window opening (ties: group order).
    slots: Vec<(u32, BreakSlot)>,
}

impl Availability {
    pub(super) fn new(scenario: &Scenario, key: StreamKey) -> Availability {
        let mut slots: Vec<(u32, BreakSlot)> = Vec::new();
        let groups = scenario
            .agent_groups
            .iter()
            .enumerate()
            .map(|(g, spec)| {
                slots.extend(spec.breaks.iter().map(|b| (g as u32, *b)));
                let shrinks = spec.shrinkage > 0.0;
                GroupAvailability {
                    shrinkage: shrinks.then(|| key.stream(Purpose::Shrinkage, g)),
                    breaks: (shrinks && !spec.breaks.is_empty())
                        .then(|| key.stream(Purpose::Breaks, g)),
                    ..GroupAvailability::default()
                }
            })
            .collect();
        // A stable sort keeps group order among equal times: deterministic.
        slots.sort_by(|a, b| a.1.earliest.total_cmp(&b.1.earliest));
        Availability { groups, slots }
    }

    /// True when no group has break windows, so no break is ever owed.
    pub(super) fn has_no_breaks(&self) -> bool {
        self.slots.is_empty()
    }
}

impl<O: Observer> Engine<'_, O> {
    /// An agent finished a contact: go home if the headcount dropped, otherwise take the
    /// longest-waiting contact of the highest-priority skill with a queue, or wait idle.
    /// Taking the next contact at once leaves the group's busy count as it is: nothing to
    /// record.
    #[inline(always)]
    pub(super) fn agent_frees<const LEAN: bool>(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        self.agent_of_group_frees::<LEAN>(agent, g);
    }

    /// [`Engine::agent_frees`] when the caller knows the agent's group `g` already.
    #[inline(always)]
    pub(super) fn agent_of_group_frees<const LEAN: bool>(&mut self, agent: u32, g: usize) {
        if !LEAN && self.chat.on && self.chat.multi(g) {
            return self.window_frees(agent);
        }
        if self.groups[g].leaving > 0 {
            self.count_change(g, BUSY, -1.0);
            self.groups[g].leaving -= 1;
            self.agent_leaves(agent);
            return;
        }
        if !LEAN && !self.availability.groups[g].owed.is_empty() {
            if let Some(length) = self.take_owed_break(g) {
                self.count_change(g, BUSY, -1.0);
                self.start_break(agent, g, length);
                return;
            }
        }
        match self.next_waiting::<LEAN>(g) {
            Some(contact) => self.start_service::<LEAN>(agent, contact),
            None => self.busy_agent_goes_idle(agent, g),
        }
    }

    /// [`Engine::count_change`] of −1 busy and [`Engine::go_idle`] in one, with one look-up
    /// of the group (the common end of a talk when nobody waits). The same arithmetic:
    /// `sums − (−1·since)` is `sums + since` exactly.
    #[inline(always)]
    fn busy_agent_goes_idle(&mut self, agent: u32, g: usize) {
        let now = self.now;
        let since = now - self.report_base;
        self.agents[agent as usize].idle_since = now;
        let group = &mut self.groups[g];
        group.counts[BUSY] -= 1.0;
        group.sums[BUSY] += since;
        group.idle.push_back(agent);
    }

    /// An agent just arrived on shift (not counted busy): go home at once if the headcount
    /// dropped meanwhile, else take waiting work or wait idle.
    pub(super) fn seek_work(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        if self.chat.on && self.chat.multi(g) {
            return self.person_frees(agent, g);
        }
        if self.groups[g].leaving > 0 {
            self.groups[g].leaving -= 1;
            self.agent_leaves(agent);
            return;
        }
        match self.next_waiting::<false>(g) {
            Some(contact) => {
                self.count_change(g, BUSY, 1.0);
                self.start_service::<false>(agent, contact);
            }
            None => self.go_idle(agent, g),
        }
    }

    /// Takes the longest-waiting live contact of group `g`'s highest-priority skill with a
    /// queue off its queue (stale entries of abandoned contacts are dropped on the way); with
    /// no live caller waiting, an `only_when_idle` callback (see `callback`).
    #[inline(always)]
    pub(super) fn next_waiting<const LEAN: bool>(&mut self, g: usize) -> Option<Contact> {
        if !LEAN && self.rules.routed {
            return self.next_waiting_routed(g);
        }
        let scenario = self.scenario;
        // Nobody waits anywhere: no queue to look at (−17 instructions per call on
        // `benches/erlang_c_3m.toml`, where most talks end with the queue empty).
        let skills: &[usize] = if self.waiting_total == 0 {
            &[]
        } else {
            &scenario.agent_groups[g].skills
        };
        for &c in skills {
            if self.waiting[c] == 0 {
                continue;
            }
            while let Some((slot, generation)) = self.queues[c].pop_front() {
                let contact = self.contacts[slot as usize];
                if contact.generation == generation {
                    self.release_contact(slot);
                    self.stop_waiting(c);
                    return Some(contact);
                }
            }
        }
        if LEAN {
            return None; // no callbacks
        }
        self.next_callback(g)
    }

    /// The agent waits for work, behind those idle longer.
    #[inline(always)]
    pub(super) fn go_idle(&mut self, agent: u32, g: usize) {
        self.agents[agent as usize].idle_since = self.now;
        self.groups[g].idle.push_back(agent);
    }

    pub(super) fn agent_leaves(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        self.groups[g].present -= 1;
        self.count_change(g, PRESENT, -1.0);
        if self.program.on && self.program.is_in_class(agent) {
            return self.program_holds(agent, g);
        }
        self.groups[g].off_shift.push(agent);
    }

    /// Applies interval `k`'s headcount to every group (the contract's shift-change rules).
    #[inline(never)]
    pub(super) fn change_staffing(&mut self, k: usize) {
        if self.email.on {
            // Opening and closing for email and backlogs: see `deferred`.
            return self.email_boundary(k);
        }
        self.staff_interval(k);
    }

    /// [`Engine::change_staffing`]'s headcount change itself.
    pub(super) fn staff_interval(&mut self, k: usize) {
        self.integrate_all();
        self.interval = k;
        if self.program.on {
            self.program_boundary(k);
        }
        let scenario = self.scenario;
        for (g, spec) in scenario.agent_groups.iter().enumerate() {
            // Trainees in class are off the phones (0 without a program).
            let scheduled = spec.staffing[k].saturating_sub(self.program.in_class_today(g));
            let target = match &mut self.availability.groups[g].shrinkage {
                None => scheduled as i64,
                Some(rng) => present_after_shrinkage(rng, scheduled, spec.shrinkage),
            };
            let group = &self.groups[g];
            let on_break = self.availability.groups[g].on_break as i64;
            let current = group.present as i64 + on_break - group.leaving as i64;
            if target > current {
                let mut add = target - current;
                // Agents about to go home stay instead of being replaced.
                let stay = add.min(group.leaving as i64);
                self.groups[g].leaving -= stay as u32;
                add -= stay;
                for _ in 0..add {
                    let agent = self.put_on_shift(g);
                    self.seek_work(agent);
                }
            } else if target < current {
                let mut remove = current - target;
                // Idle agents leave first; the rest leave when they finish their contact.
                while remove > 0 {
                    match self.groups[g].idle.pop_back() {
                        Some(agent) => self.agent_leaves(agent),
                        None => break,
                    }
                    remove -= 1;
                }
                self.groups[g].leaving += remove as u32;
            }
        }
    }

    /// An agent of group `g` starts a shift: a returning one (keeping their experience) if
    /// there is one, else a new slot.
    pub(super) fn put_on_shift(&mut self, g: usize) -> u32 {
        self.groups[g].present += 1;
        self.count_change(g, PRESENT, 1.0);
        if let Some(id) = self.groups[g].off_shift.pop() {
            return id;
        }
        if self.chat.on {
            return self.new_person(g);
        }
        self.agents.push(Agent::new(g as u32));
        (self.agents.len() - 1) as u32
    }

    /// Group `g`'s busy (`which` = `BUSY`) or present (`PRESENT`) count changes by `delta`
    /// now (see [`Group::sums`]).
    #[inline(always)]
    pub(super) fn count_change(&mut self, g: usize, which: usize, delta: f64) {
        let since = self.now - self.report_base;
        let group = &mut self.groups[g];
        group.counts[which] += delta;
        group.sums[which] -= delta * since;
    }

    /// Reports what each group was busy and staffed (agent-seconds) in the current interval
    /// since the last report — zeros outside [warmup, horizon] — and starts afresh (called
    /// before the interval changes and when recording starts or stops).
    pub(super) fn integrate_all(&mut self) {
        let since = self.now - self.report_base;
        for g in 0..self.groups.len() {
            let group = &mut self.groups[g];
            let [busy, staffed] = [BUSY, PRESENT].map(|i| group.counts[i] * since + group.sums[i]);
            group.sums = [0.0; 2];
            let (busy, staffed) = if self.recording {
                (busy, staffed)
            } else {
                (0.0, 0.0)
            };
            self.observer.agent_time(self.interval, g, busy, staffed);
        }
        self.report_base = self.now;
    }
}

/// Agents available of `scheduled` when each is unavailable with probability `shrinkage`.
fn present_after_shrinkage(rng: &mut Stream, scheduled: u32, shrinkage: f64) -> i64 {
    match Binomial::new(u64::from(scheduled), 1.0 - shrinkage) {
        Ok(b) => b.sample(rng) as i64,
        // Unreachable for validated input (0 ≤ shrinkage < 1); keep the schedule.
        Err(_) => i64::from(scheduled),
    }
}

impl<O: Observer> Engine<'_, O> {
    /// Puts the first break window on the calendar (one pending window at a time keeps the
    /// heap small).
    pub(super) fn schedule_first_break(&mut self) {
        if let Some((_, slot)) = self.availability.slots.first() {
            self.calendar
                .schedule(slot.earliest, Event::BreakDue { index: 0 });
        }
    }

    /// Break window `index` opens: its agents owe their breaks (thinned by shrinkage), idle
    /// agents take theirs at once, and the next window is scheduled.
    pub(super) fn break_due(&mut self, index: usize) {
        let (g, slot) = self.availability.slots[index];
        let g = g as usize;
        let shrinkage = self.scenario.agent_groups[g].shrinkage;
        let ga = &mut self.availability.groups[g];
        let count = match &mut ga.breaks {
            None => slot.agents,
            Some(rng) => present_after_shrinkage(rng, slot.agents, shrinkage) as u32,
        };
        if count > 0 {
            ga.owed.push_back(Owed {
                count,
                length: slot.length,
                expires: slot.expires,
            });
        }
        while !self.groups[g].idle.is_empty() {
            let Some(length) = self.take_owed_break(g) else {
                break;
            };
            if let Some(agent) = self.groups[g].idle.pop_front() {
                self.start_break(agent, g, length);
            }
        }
        if let Some((_, next)) = self.availability.slots.get(index + 1) {
            let at = next.earliest;
            self.calendar.schedule(
                at,
                Event::BreakDue {
                    index: index as u32 + 1,
                },
            );
        }
    }

    /// One owed break of group `g` (its length), dropping windows whose shift has ended.
    fn take_owed_break(&mut self, g: usize) -> Option<f64> {
        let owed = &mut self.availability.groups[g].owed;
        while let Some(front) = owed.front_mut() {
            if front.expires <= self.now {
                owed.pop_front();
                continue;
            }
            front.count -= 1;
            let length = front.length;
            if front.count == 0 {
                owed.pop_front();
            }
            return Some(length);
        }
        None
    }

    /// A free agent (not counted busy) of group `g` goes on break: on shift, not staffed.
    fn start_break(&mut self, agent: u32, g: usize, length: f64) {
        self.groups[g].present -= 1;
        self.count_change(g, PRESENT, -1.0);
        self.availability.groups[g].on_break += 1;
        self.calendar
            .schedule(self.now + length, Event::BreakEnd { agent });
    }

    /// Back from break: staffed again, then home if the headcount dropped meanwhile, else
    /// to work.
    pub(super) fn break_ends(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        self.availability.groups[g].on_break -= 1;
        self.groups[g].present += 1;
        self.count_change(g, PRESENT, 1.0);
        self.seek_work(agent);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::simulate;
    use crate::rng::StreamKey;
    use crate::scenario::Scenario;

    fn key(r: u64) -> StreamKey {
        StreamKey {
            seed: 3,
            point: 0,
            replication: r,
        }
    }

    const SHIFTED: &str = r#"
[simulation]
interval = "30m"
[calendar]
start = "Mon 08:00"
days = 1
opening_hours = { weekday = "08:00-16:00" }
[[call_types]]
name = "a"
arrival_rate = RATE
handle_time = { distribution = "exponential", mean = "3m" }
patience = { distribution = "exponential", mean = "2m" }
[[agent_groups]]
name = "g"
skills = ["a"]
SHRINK
[[shifts]]
group = "g"
start = "08:00"
length = "8h"
agents = 10
BREAKS
"#;

    fn scenario(rate: &str, shrink: &str, breaks: &str) -> Scenario {
        let text = SHIFTED
            .replace("RATE", rate)
            .replace("SHRINK", shrink)
            .replace("BREAKS", breaks);
        Scenario::from_toml_str(&text, "t.toml", "t").unwrap()
    }

    /// Mean available agents ≈ (1 − s)·scheduled, and the per-interval headcount varies
    /// (binomial: variance s(1 − s)·scheduled = 2.1 for 10 agents at s = 0.3).
    #[test]
    fn shrinkage_removes_its_share_at_random() {
        let s = scenario("30.0", "shrinkage = 0.3", "");
        let (mut sum, mut sum2, mut n) = (0.0, 0.0, 0.0);
        for r in 0..200 {
            let res = simulate(&s, key(r));
            for k in 0..16 {
                let available = res.staffed[k] / 1800.0;
                sum += available;
                sum2 += available * available;
                n += 1.0;
            }
        }
        let mean = sum / n;
        let var = sum2 / n - mean * mean;
        assert!((mean - 7.0).abs() < 0.1, "mean available {mean}, want 7");
        // Agents finishing a contact before leaving smooth the interval average a little.
        assert!(var > 1.0 && var < 3.0, "variance {var}");
    }

    /// Every agent takes its break once: with almost no load the staffed time drops by
    /// exactly agents × length, in the window's interval.
    #[test]
    fn breaks_are_taken_once_by_free_agents() {
        let b = r#"breaks = [{ earliest = "10:00", latest = "11:00", length = "15m" }]"#;
        let plain = simulate(&scenario("0.001", "", ""), key(0));
        let res = simulate(&scenario("0.001", "", b), key(0));
        let staffed: f64 = res.staffed.iter().sum();
        let before: f64 = plain.staffed.iter().sum();
        assert!(
            (before - staffed - 10.0 * 900.0).abs() < 1e-6,
            "{before} {staffed}"
        );
        // Idle agents break as the window opens: interval 4 (10:00–10:30) loses 10 × 15m.
        assert!((res.staffed[4] - (10.0 * 1800.0 - 9000.0)).abs() < 1e-6);
    }

    /// Under heavy load (overloaded, so nobody is idle at 10:00) agents break when they
    /// finish a contact: every break is taken, none before the window, and the center keeps
    /// its headcount afterwards.
    #[test]
    fn busy_agents_break_when_free() {
        let b = r#"breaks = [{ earliest = "10:00", latest = "10:30", length = "15m" }]"#;
        let res = simulate(&scenario("400.0", "", b), key(1));
        let plain = simulate(&scenario("400.0", "", ""), key(1));
        // The shift is intervals 0..16; agents finishing contacts after 16:00 differ.
        let shift = |r: &crate::stats::ReplicationResult| r.staffed[..16].iter().sum::<f64>();
        let lost = shift(&plain) - shift(&res);
        assert!((lost - 9000.0).abs() < 1e-6, "lost {lost}");
        assert!((res.staffed[3] - 18_000.0).abs() < 1e-6);
        assert!((res.staffed[10] - 18_000.0).abs() < 1e-6);
    }
}
