//! Routing beyond the contract's defaults, each rule off unless the scenario asks for it:
//! call-type `priority`, per-group `overflow_after` and the busy signal of
//! `simulation.lines` (the rules are stated in docs/model.md).
//!
//! - **Priority**: a freed agent takes, among its skills with an eligible waiting contact,
//!   the one of highest call-type priority; its skill order breaks ties (so all-zero
//!   priorities are the contract's skill order). Non-preemptive: a call in service is never
//!   interrupted.
//! - **Overflow**: a group with `overflow_after = { billing = "30s" }` takes a billing
//!   contact only once it has waited 30 s. An arriving contact goes only to groups without a
//!   delay for its type; one timer per distinct delay of its type fires when the contact
//!   becomes eligible elsewhere, and then an idle overflow agent takes it at once (not only
//!   when some agent next frees).
//! - **Lines**: at most `lines` customers in the center (waiting, talking or on hold; a
//!   transfer keeps its line, after-call work needs none). A new call or a return finding
//!   every line busy is blocked: offered, never answered, and it may redial like an
//!   abandoned caller (`customers.redial_probability`).
//!
//! Cost when off: the engine keeps the plain fast path; the only check left on it is one
//! predictable branch on [`Rules::routed`] when an agent looks for work.

use super::calendar::Event;
use super::{Contact, Engine};
use crate::model::{BeyondAuthority, Channel};
use crate::scenario::Scenario;
use crate::stats::{Cell, Observer};

/// Which extra routing rules are on, with what they need at hand.
#[derive(Debug, Default)]
pub(super) struct Rules {
    /// Some call type has a priority or some group an overflow delay: freed agents choose
    /// with [`Engine::next_waiting_routed`].
    pub routed: bool,
    /// Some group has an overflow delay.
    overflow: bool,
    /// Per call type: the distinct overflow delays of the groups serving it (ascending,
    /// above 0); empty when no group delays it (then arrivals route as usual).
    overflow_delays: Vec<Vec<f64>>,
    /// Per call type: the groups that take it on arrival (no delay for it).
    first_servers: Vec<Vec<u32>>,
    /// `simulation.lines`, and the customers holding a line now.
    pub lines: Option<u32>,
    pub in_system: u32,
    /// Per call type: its contacts hold a line (with `lines`). Lines are for voice; a type
    /// that exchanges transfers with a voice type holds one too, so a transfer, which keeps
    /// its line, always ends on a type that gives one back (no line lost or freed twice).
    line_types: Vec<bool>,
    /// Some call type offers callbacks: journeys are kept (the full path), so that the
    /// `called_back` journey class knows its members even without an experience model.
    callbacks: bool,
}

impl Rules {
    /// The rules `scenario` switches on (all off for a scenario without the keys).
    pub fn new(scenario: &Scenario) -> Rules {
        let types = scenario.call_types.len();
        let mut overflow_delays = vec![Vec::new(); types];
        let mut first_servers = vec![Vec::new(); types];
        for (g, group) in scenario.agent_groups.iter().enumerate() {
            for (k, &c) in group.skills.iter().enumerate() {
                let delay = group.overflow_after.get(k).copied().unwrap_or(0.0);
                if delay > 0.0 {
                    overflow_delays[c].push(delay);
                } else {
                    first_servers[c].push(g as u32);
                }
            }
        }
        for d in &mut overflow_delays {
            d.sort_by(f64::total_cmp);
            d.dedup();
        }
        let overflow = overflow_delays.iter().any(|d| !d.is_empty());
        let prioritised = scenario
            .call_types
            .iter()
            .any(|c| c.priority > 0 || c.after_live);
        Rules {
            routed: overflow || prioritised,
            overflow,
            overflow_delays: if overflow {
                overflow_delays
            } else {
                Vec::new()
            },
            first_servers,
            lines: scenario.simulation.lines,
            in_system: 0,
            line_types: line_types(scenario),
            callbacks: scenario.call_types.iter().any(|c| c.callback.is_some()),
        }
    }

    /// True when arrivals must take the full path ([`Engine::contact_arrives`]), where the
    /// overflow and line checks live and journeys (with their callback flag) are kept.
    pub fn needs_full_path(&self) -> bool {
        self.overflow || self.lines.is_some() || self.callbacks
    }
}

/// Per call type: whether its contacts hold a telephone line: voice types, and every type
/// connected to one by a transfer in either direction (fixed, escalation or knowledge
/// transfers), found by a fixed-point sweep over the (few) call types.
fn line_types(scenario: &Scenario) -> Vec<bool> {
    let types = &scenario.call_types;
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (c, ct) in types.iter().enumerate() {
        if let Some(t) = ct.transfer {
            edges.push((c, t.to));
        }
    }
    for g in &scenario.agent_groups {
        for &c in &g.skills {
            if let BeyondAuthority::Escalate(to) = g.beyond_authority {
                edges.push((c, to));
            }
            if let Some(t) = g.unresolved_transfer {
                edges.push((c, t.to));
            }
        }
    }
    let mut line: Vec<bool> = types.iter().map(|t| t.channel == Channel::Voice).collect();
    loop {
        let mut changed = false;
        for &(a, b) in &edges {
            if line[a] != line[b] {
                line[a] = true;
                line[b] = true;
                changed = true;
            }
        }
        if !changed {
            return line;
        }
    }
}

impl<O: Observer> Engine<'_, O> {
    /// Line check for a call entering the center (not a transfer, which keeps its line).
    /// Returns true when every line is busy: the call is blocked (reported, and the customer
    /// may redial); otherwise it takes a line.
    #[inline(always)]
    pub(super) fn blocked(&mut self, c: usize, cell: Cell, journey: u32) -> bool {
        match self.rules.lines {
            Some(lines) if self.rules.line_types[c] => self.take_line(lines, c, cell, journey),
            _ => false,
        }
    }

    /// [`Engine::blocked`] with a line limit, kept out of line (the check above is all a
    /// scenario without `lines` pays).
    #[inline(never)]
    fn take_line(&mut self, lines: u32, c: usize, cell: Cell, journey: u32) -> bool {
        if self.rules.in_system < lines {
            self.rules.in_system += 1;
            return false;
        }
        self.observer.blocked(cell);
        if O::TRACES {
            self.trace_end(journey, crate::stats::ContactOutcome::Blocked);
        }
        // Scored like an abandonment with no wait: the customer tried and was not served.
        self.journeys[journey as usize].experience.abandons += 1;
        let p = self.scenario.customers.redial_probability;
        self.maybe_return(journey, c, p, true);
        true
    }

    /// A customer of type `c` left the center (hung up, accepted a callback, or the call
    /// ended without a transfer): its line, if it held one, is free again.
    #[inline]
    pub(super) fn line_freed(&mut self, c: usize) {
        if self.rules.lines.is_some() && self.rules.line_types[c] {
            self.rules.in_system -= 1;
        }
    }

    /// An agent calls a callback accepter back: the outgoing call takes a line again (it
    /// is never blocked: the center places it), returned by [`Engine::line_freed`] when the
    /// call ends.
    #[inline]
    pub(super) fn line_retaken(&mut self, c: usize) {
        if self.rules.lines.is_some() && self.rules.line_types[c] {
            self.rules.in_system += 1;
        }
    }

    /// [`Engine::place`] with overflow: an arriving contact of a type some group takes only
    /// after a delay goes to the longest-idle agent of the groups without one, else waits
    /// with a timer per distinct delay.
    #[inline(always)]
    pub(super) fn place_routed(&mut self, c: usize, contact: Contact, patience: Option<f64>) {
        if self.email.held(c) {
            // An email while the center is closed waits for the opening (see `deferred`).
            self.enqueue::<false>(c, contact, patience);
            return;
        }
        if !self.rules.overflow {
            return self.place::<false>(c, contact, patience);
        }
        match self.rules.overflow_delays[c].len() {
            0 => self.place::<false>(c, contact, patience),
            delays => self.place_overflowing(c, contact, patience, delays),
        }
    }

    /// [`Engine::place_routed`] for a type with `delays` distinct overflow delays.
    #[inline(never)]
    fn place_overflowing(
        &mut self,
        c: usize,
        contact: Contact,
        patience: Option<f64>,
        delays: usize,
    ) {
        if let Some((agent, g)) = self.longest_idle_first(c) {
            self.start_idle(agent, g, contact);
            return;
        }
        if self.chat.is_chat(c) {
            // A free window of a person with chats in hand, in a group without a delay.
            if let Some((person, g)) = self.partial_person(c, |e, g| e.overflow_delay(g, c) == 0.0)
            {
                self.start_partial(person, g, contact);
                return;
            }
        }
        let slot = self.enqueue::<false>(c, contact, patience);
        for k in 0..delays {
            let at = contact.arrival + self.rules.overflow_delays[c][k];
            self.calendar.schedule(at, Event::Overflow { slot });
        }
    }

    /// Longest-idle agent of the groups that take `c` on arrival (no delay for it), ties
    /// to the first group.
    fn longest_idle_first(&mut self, c: usize) -> Option<(u32, usize)> {
        let mut best: Option<(f64, usize)> = None;
        for &g in &self.rules.first_servers[c] {
            if let Some(&a) = self.groups[g as usize].idle.front() {
                let since = self.agents[a as usize].idle_since;
                if best.is_none_or(|(b, _)| since < b) {
                    best = Some((since, g as usize));
                }
            }
        }
        let (_, g) = best?;
        self.groups[g].idle.pop_front().map(|a| (a, g))
    }

    /// An overflow timer of the contact in `slot`: every waiting contact of its type that
    /// an idle agent may now take (oldest first) is answered. Idempotent, so a stale timer
    /// (contact gone, slot reused) does no harm.
    #[inline(never)]
    pub(super) fn overflow_due(&mut self, slot: u32) {
        let c = self.contacts[slot as usize].call_type as usize;
        if self.email.held(c) {
            return;
        }
        while let Some(head) = self.live_head(c) {
            let arrival = self.contacts[head as usize].arrival;
            let (agent, g, idle) = match self.longest_idle_eligible(c, arrival) {
                Some((agent, g)) => (agent, g, true),
                None if self.chat.is_chat(c) => {
                    let now = self.now;
                    let eligible = |e: &Self, g: usize| arrival + e.overflow_delay(g, c) <= now;
                    match self.partial_person(c, eligible) {
                        Some((person, g)) => (person, g, false),
                        None => break,
                    }
                }
                None => break,
            };
            let contact = self.contacts[head as usize];
            self.queues[c].pop_front();
            self.release_contact(head);
            self.stop_waiting(c);
            if idle {
                self.start_idle(agent, g, contact);
            } else {
                self.start_partial(agent, g, contact);
            }
        }
    }

    /// Group `g`'s overflow delay for call type `c` (0: takes it on arrival).
    fn overflow_delay(&self, g: usize, c: usize) -> f64 {
        let group = &self.scenario.agent_groups[g];
        match group.skills.iter().position(|&s| s == c) {
            Some(k) => group.overflow_after.get(k).copied().unwrap_or(0.0),
            None => 0.0,
        }
    }

    /// Longest-idle agent of the groups serving `c` that may take a contact that arrived at
    /// `arrival` (its wait reached their delay), ties to the first group. Eligibility is
    /// tested as `arrival + delay <= now`, the very sum the timer was set at, so the timer's
    /// own contact is always eligible when it fires.
    fn longest_idle_eligible(&mut self, c: usize, arrival: f64) -> Option<(u32, usize)> {
        let scenario = self.scenario;
        let mut best: Option<(f64, usize)> = None;
        for &g in &self.servers[c] {
            let group = &scenario.agent_groups[g as usize];
            let k = group.skills.iter().position(|&s| s == c).unwrap_or(0);
            let delay = group.overflow_after.get(k).copied().unwrap_or(0.0);
            if arrival + delay > self.now {
                continue;
            }
            if let Some(&a) = self.groups[g as usize].idle.front() {
                let since = self.agents[a as usize].idle_since;
                if best.is_none_or(|(b, _)| since < b) {
                    best = Some((since, g as usize));
                }
            }
        }
        let (_, g) = best?;
        self.groups[g].idle.pop_front().map(|a| (a, g))
    }

    /// The slot of the oldest live contact waiting for `c`, dropping stale entries of
    /// contacts that abandoned.
    fn live_head(&mut self, c: usize) -> Option<u32> {
        if self.waiting[c] == 0 {
            return None;
        }
        while let Some(&(slot, generation)) = self.queues[c].front() {
            if self.contacts[slot as usize].generation == generation {
                return Some(slot);
            }
            self.queues[c].pop_front();
        }
        None
    }

    /// [`Engine::next_waiting`] with priorities and overflow: among group `g`'s skills
    /// whose oldest waiting contact it may take (waited at least the group's delay; not an
    /// email while the center is closed), the one of highest priority, earlier skills winning
    /// ties; at equal priority an email type without an explicit priority comes after live
    /// types (`after_live`). That contact leaves its queue.
    /// With none, an `only_when_idle` callback accepter (as without these rules).
    #[inline(never)]
    pub(super) fn next_waiting_routed(&mut self, g: usize) -> Option<Contact> {
        match self.pick_routed(g, false) {
            Some(contact) => Some(contact),
            None => self.next_callback(g),
        }
    }

    /// [`Engine::next_waiting_routed`] among group `g`'s chat skills only: the chat a
    /// person with a free window takes (no callback: chats offer none).
    #[inline(never)]
    pub(super) fn next_waiting_chat_routed(&mut self, g: usize) -> Option<Contact> {
        self.pick_routed(g, true)
    }

    /// The routed choice of [`Engine::next_waiting_routed`] among group `g`'s skills (its
    /// chat skills only when `chats`); the contact leaves its queue.
    fn pick_routed(&mut self, g: usize, chats: bool) -> Option<Contact> {
        let scenario = self.scenario;
        let group = &scenario.agent_groups[g];
        let mut best: Option<(u64, usize)> = None;
        for (k, &c) in group.skills.iter().enumerate() {
            if chats && !self.chat.is_chat(c) {
                continue;
            }
            let ct = &scenario.call_types[c];
            let priority = u64::from(ct.priority) << 1 | u64::from(!ct.after_live);
            if best.is_some_and(|(p, _)| p >= priority) || self.email.held(c) {
                continue;
            }
            let Some(head) = self.live_head(c) else {
                continue;
            };
            let delay = group.overflow_after.get(k).copied().unwrap_or(0.0);
            if delay > 0.0 && self.contacts[head as usize].arrival + delay > self.now {
                continue;
            }
            best = Some((priority, c));
        }
        let (_, c) = best?;
        let (slot, _) = self.queues[c].pop_front()?;
        let contact = self.contacts[slot as usize];
        self.release_contact(slot);
        self.stop_waiting(c);
        Some(contact)
    }
}
