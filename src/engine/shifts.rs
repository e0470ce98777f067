//! Agents on shift: finishing a contact and looking for the next one, shift changes at
//! interval boundaries (the contract's rules), and the busy/staffed time integrals behind
//! occupancy.

use super::{Agent, Contact, Engine, BUSY, PRESENT};
use crate::stats::Observer;

impl<O: Observer> Engine<'_, O> {
    /// An agent finished a contact: go home if the headcount dropped, otherwise take the
    /// longest-waiting contact of the highest-priority skill with a queue, or wait idle.
    /// Taking the next contact at once leaves the group's busy count as it is, so the busy
    /// time is integrated once here (a second integration at the same instant would add
    /// exactly zero).
    #[inline(always)]
    pub(super) fn agent_frees(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        self.integrate(g);
        if self.groups[g].leaving > 0 {
            self.groups[g].counts[BUSY] -= 1.0;
            self.groups[g].leaving -= 1;
            self.agent_leaves(agent);
            return;
        }
        match self.next_waiting(g) {
            Some(contact) => self.start_service(agent, contact),
            None => {
                self.groups[g].counts[BUSY] -= 1.0;
                self.go_idle(agent, g);
            }
        }
    }

    /// An agent just arrived on shift (not counted busy): go home at once if the headcount
    /// dropped meanwhile, else take waiting work or wait idle.
    pub(super) fn seek_work(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        if self.groups[g].leaving > 0 {
            self.groups[g].leaving -= 1;
            self.agent_leaves(agent);
            return;
        }
        match self.next_waiting(g) {
            Some(contact) => {
                self.integrate(g);
                self.groups[g].counts[BUSY] += 1.0;
                self.start_service(agent, contact);
            }
            None => self.go_idle(agent, g),
        }
    }

    /// Takes the longest-waiting live contact of group `g`'s highest-priority skill with a
    /// queue off its queue (stale entries of abandoned contacts are dropped on the way).
    #[inline(always)]
    fn next_waiting(&mut self, g: usize) -> Option<Contact> {
        if self.rules.routed {
            return self.next_waiting_routed(g);
        }
        let scenario = self.scenario;
        for &c in &scenario.agent_groups[g].skills {
            if self.waiting[c] == 0 {
                continue;
            }
            while let Some((slot, generation)) = self.queues[c].pop_front() {
                let contact = self.contacts[slot as usize];
                if contact.generation == generation {
                    self.release_contact(slot);
                    self.waiting[c] -= 1;
                    return Some(contact);
                }
            }
        }
        None
    }

    /// The agent waits for work, behind those idle longer.
    #[inline(always)]
    fn go_idle(&mut self, agent: u32, g: usize) {
        self.agents[agent as usize].idle_since = self.now;
        self.groups[g].idle.push_back(agent);
    }

    pub(super) fn agent_leaves(&mut self, agent: u32) {
        let g = self.agents[agent as usize].group as usize;
        self.integrate(g);
        self.groups[g].present -= 1;
        self.groups[g].counts[PRESENT] -= 1.0;
        self.groups[g].off_shift.push(agent);
    }

    /// Applies interval `k`'s headcount to every group (the contract's shift-change rules).
    #[inline(never)]
    pub(super) fn change_staffing(&mut self, k: usize) {
        self.integrate_all();
        self.interval = k;
        let scenario = self.scenario;
        for (g, spec) in scenario.agent_groups.iter().enumerate() {
            let target = spec.staffing[k] as i64;
            let group = &self.groups[g];
            let current = group.present as i64 - group.leaving as i64;
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
        self.integrate(g);
        self.groups[g].present += 1;
        self.groups[g].counts[PRESENT] += 1.0;
        if let Some(id) = self.groups[g].off_shift.pop() {
            return id;
        }
        self.agents.push(Agent::new(g as u32));
        (self.agents.len() - 1) as u32
    }

    /// Adds busy and staffed agent-time since the group's last change (in the current
    /// interval) while recording. Kept in the group, not reported per event: the sums are
    /// the ones the observer would form, in the same order.
    #[inline(always)]
    pub(super) fn integrate(&mut self, g: usize) {
        let group = &mut self.groups[g];
        if self.recording {
            let dt = self.now - group.last_change;
            group.time[BUSY] += group.counts[BUSY] * dt;
            group.time[PRESENT] += group.counts[PRESENT] * dt;
        }
        group.last_change = self.now;
    }

    /// Integrates every group up to now and reports what each accumulated in the current
    /// interval (called before the interval changes and when recording starts or stops).
    pub(super) fn integrate_all(&mut self) {
        for g in 0..self.groups.len() {
            self.integrate(g);
            let group = &mut self.groups[g];
            let [busy, staffed] = std::mem::take(&mut group.time);
            self.observer.agent_time(self.interval, g, busy, staffed);
        }
    }
}
