//! The discrete-event engine: one replication of one scenario, from empty center to drained
//! center. State machine over contacts (waiting → answered | abandoned), agents
//! (idle → talking/holding → wrap-up → idle | gone) and customer journeys (first contact →
//! transfers, callbacks, redials → resolved | given up), driven by a [`calendar::Calendar`].
//!
//! Routing (the contract's rules):
//! - an arriving contact goes to the longest-idle agent among all groups with that skill;
//! - a freed agent takes the longest-waiting contact of its highest-priority skill that has
//!   a queue.
//!
//! Inside a call (customer-experience model, `docs/model.md`): the agent's proficiency scales
//! the talk time and sets the expected look-up holds; a decision beyond the agent's authority
//! becomes an approval hold (queueing for a supervisor) or an escalation transfer; at the end
//! the issue is resolved or not, and unresolved or abandoned customers may come back.
//!
//! Memory is bounded by the peak number of contacts, journeys and agents in the system:
//! slots are recycled, statistics are fixed-size counters, and abandonment timers are
//! cancelled lazily (a stale timer is recognised by its slot's generation and dropped).

pub mod calendar;
mod journey;
mod shifts;

use crate::model::experience::Score;
use crate::model::{BeyondAuthority, CallType};
use crate::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Scenario;
use crate::stats::ReplicationResult;
use calendar::{Calendar, Event};
use journey::{Journey, NO_DECISION, PERFECT};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use std::collections::VecDeque;

/// Runs one replication and returns its statistics. Deterministic in (`scenario`, `key`).
pub fn simulate(scenario: &Scenario, key: StreamKey) -> ReplicationResult {
    let mut engine = Engine::new(scenario, key);
    engine.run();
    engine.result
}

/// A contact: one queue visit of a journey (slots are reused; `generation` tells reuses apart).
#[derive(Debug, Clone, Copy, Default)]
struct Contact {
    generation: u32,
    call_type: u32,
    interval: u32,
    counted: bool,
    journey: u32,
    arrival: f64,
    /// Handle time of a fully proficient agent, drawn on arrival (common random numbers).
    handle: f64,
    /// This contact's resolution luck, drawn on arrival: resolved if below P(resolve).
    luck: f64,
}

/// An agent slot: what it is doing and, while busy, the contact in hand.
#[derive(Debug, Clone, Copy, Default)]
struct Agent {
    group: u32,
    idle_since: f64,
    /// Contacts handled so far in this run (drives the learning curve).
    calls: u32,
    contact: Contact,
    answered_at: f64,
    answered_interval: u32,
    proficiency: f64,
    holds: u32,
    hold_time: f64,
    hold_started: f64,
    /// The contact leaves by an escalation transfer when talk ends.
    escalate: bool,
}

/// Per-group shift state and the time-integrals behind occupancy.
#[derive(Debug, Default)]
struct Group {
    /// Idle agents, longest idle at the front (time only moves forward, so push order is
    /// idle-since order).
    idle: VecDeque<u32>,
    /// Agents on shift (idle, busy or finishing before going home).
    present: u32,
    busy: u32,
    /// Busy agents who go home when they finish their contact (headcount dropped).
    leaving: u32,
    /// When `busy`/`present` were last integrated.
    last_change: f64,
    /// This group's agent slots not on shift, reused first so learning persists across shifts.
    off_shift: Vec<u32>,
}

/// Per-call-type random streams, one per purpose (see [`crate::rng`]).
struct TypeStreams {
    arrivals: Stream,
    handle: Stream,
    patience: Stream,
    transfer: Stream,
    after_call_work: Stream,
    issue: Stream,
    customer: Stream,
    hold: Stream,
    return_delay: Stream,
}

struct Engine<'s> {
    scenario: &'s Scenario,
    now: f64,
    calendar: Calendar,
    streams: Vec<TypeStreams>,
    supervisor_stream: Stream,
    contacts: Vec<Contact>,
    free_contacts: Vec<u32>,
    journeys: Vec<Journey>,
    free_journeys: Vec<u32>,
    /// Per call type: waiting contacts as (slot, generation), oldest first; may hold stale
    /// entries of contacts that abandoned, skipped when reached.
    queues: Vec<VecDeque<(u32, u32)>>,
    /// Per call type: live (not abandoned) waiting contacts.
    waiting: Vec<u32>,
    /// Per call type: the groups that serve it.
    servers: Vec<Vec<u32>>,
    /// Per call type: time of its next external arrival (`INFINITY` = none left). Kept out of
    /// the calendar: each arrival would otherwise cost a heap push and pop.
    next_arrival: Vec<f64>,
    /// The earliest entry of `next_arrival` and its call type.
    first_arrival: (f64, usize),
    agents: Vec<Agent>,
    groups: Vec<Group>,
    supervisors_free: u32,
    /// Agents (with their customer on hold) waiting for a supervisor, first come first served.
    approval_queue: VecDeque<u32>,
    /// The planning interval the clock is in (advanced by `Boundary` events).
    interval: usize,
    /// True between warmup and horizon: busy/staffed time is being recorded.
    recording: bool,
    /// The score of a perfect journey (the most common one), computed once.
    perfect_score: Score,
    result: ReplicationResult,
}

impl<'s> Engine<'s> {
    fn new(scenario: &'s Scenario, key: StreamKey) -> Self {
        let sim = &scenario.simulation;
        let n_types = scenario.call_types.len();
        let n_groups = scenario.agent_groups.len();
        let streams = (0..n_types)
            .map(|c| TypeStreams {
                arrivals: key.stream(Purpose::Arrivals, c),
                handle: key.stream(Purpose::HandleTime, c),
                patience: key.stream(Purpose::Patience, c),
                transfer: key.stream(Purpose::Transfer, c),
                after_call_work: key.stream(Purpose::AfterCallWork, c),
                issue: key.stream(Purpose::Issue, c),
                customer: key.stream(Purpose::Customer, c),
                hold: key.stream(Purpose::Hold, c),
                return_delay: key.stream(Purpose::ReturnDelay, c),
            })
            .collect();
        let servers = (0..n_types)
            .map(|c| {
                (0..n_groups as u32)
                    .filter(|&g| scenario.agent_groups[g as usize].skills.contains(&c))
                    .collect()
            })
            .collect();
        let peak_agents: usize = scenario
            .agent_groups
            .iter()
            .map(|g| g.peak_headcount() as usize)
            .sum();
        Engine {
            scenario,
            now: 0.0,
            calendar: Calendar::with_capacity(2 * peak_agents + 4 * n_types + 16),
            streams,
            supervisor_stream: key.stream(Purpose::Supervisor, 0),
            contacts: Vec::with_capacity(256),
            free_contacts: Vec::with_capacity(256),
            journeys: Vec::with_capacity(256 + peak_agents),
            free_journeys: Vec::with_capacity(256 + peak_agents),
            queues: vec![VecDeque::with_capacity(64); n_types],
            waiting: vec![0; n_types],
            servers,
            next_arrival: vec![f64::INFINITY; n_types],
            first_arrival: (f64::INFINITY, 0),
            agents: Vec::with_capacity(peak_agents),
            groups: (0..n_groups).map(|_| Group::default()).collect(),
            supervisors_free: scenario.supervisors.count,
            approval_queue: VecDeque::new(),
            interval: 0,
            recording: false,
            perfect_score: scenario
                .experience
                .score(&PERFECT, scenario.customers.customer_value),
            result: ReplicationResult::new(sim.intervals, n_types, n_groups),
        }
    }

    fn run(&mut self) {
        let sim = &self.scenario.simulation;
        // Staffing of interval 0 comes first, before anything can arrive at time 0.
        self.calendar.schedule(0.0, Event::Boundary { interval: 0 });
        self.calendar.schedule(sim.warmup, Event::WarmupEnd);
        for k in 1..sim.intervals {
            self.calendar.schedule(
                k as f64 * sim.interval,
                Event::Boundary { interval: k as u32 },
            );
        }
        self.calendar.schedule(sim.horizon, Event::HorizonEnd);
        for c in 0..self.scenario.call_types.len() {
            self.schedule_next_arrival(c, 0.0);
        }

        loop {
            // An external arrival goes first only if strictly earlier than every calendar
            // event (a fixed tie rule, so runs stay deterministic).
            let (arrival_time, c) = self.first_arrival;
            if arrival_time < self.calendar.next_time() {
                self.now = arrival_time;
                self.schedule_next_arrival(c, arrival_time);
                self.contact_arrives(c, None);
                continue;
            }
            let Some((time, event)) = self.calendar.pop() else {
                break;
            };
            self.now = time;
            match event {
                Event::Abandon { slot, generation } => self.abandon(slot, generation),
                Event::TalkEnd { agent } => self.talk_ends(agent),
                Event::WrapEnd { agent } => self.agent_frees(agent),
                Event::ApprovalRequest { agent } => self.request_approval(agent),
                Event::ApprovalDone { agent } => self.approval_done(agent),
                Event::Return { journey } => {
                    let c = self.journeys[journey as usize].call_type as usize;
                    self.contact_arrives(c, Some(journey));
                }
                Event::Boundary { interval } => self.change_staffing(interval as usize),
                Event::WarmupEnd => {
                    self.integrate_all();
                    self.recording = true;
                }
                Event::HorizonEnd => {
                    self.integrate_all();
                    self.recording = false;
                }
            }
        }
        self.count_left_in_queue();
    }

    /// Draws the next arrival of `c` after `from` from the piecewise-constant Poisson process
    /// (see [`Self::next_arrival_after`]) and updates the earliest pending arrival.
    fn schedule_next_arrival(&mut self, c: usize, from: f64) {
        self.next_arrival[c] = self.next_arrival_after(c, from);
        // O(call types); call types are few, and this is cheaper than a heap operation.
        let mut first = (f64::INFINITY, 0);
        for (i, &t) in self.next_arrival.iter().enumerate() {
            if t < first.0 {
                first = (t, i);
            }
        }
        self.first_arrival = first;
    }

    /// The next arrival time of `c` after `from`: an exponential gap at the current interval's
    /// rate; if it crosses the interval's end the draw restarts there at the next rate (valid
    /// because the exponential is memoryless). `INFINITY` when none falls before the horizon.
    fn next_arrival_after(&mut self, c: usize, from: f64) -> f64 {
        let sim = &self.scenario.simulation;
        let rates = &self.scenario.call_types[c].arrival_rates;
        let rng = &mut self.streams[c].arrivals;
        let mut t = from;
        let mut k = sim.interval_of(t);
        loop {
            let end = if k + 1 == sim.intervals {
                sim.horizon
            } else {
                (k + 1) as f64 * sim.interval
            };
            let rate = rates[k];
            if rate > 0.0 {
                let gap: f64 = Exp1.sample(rng);
                let next = t + gap / rate;
                if next < end {
                    return next;
                }
            }
            if k + 1 == sim.intervals {
                return f64::INFINITY;
            }
            t = end;
            k += 1;
        }
    }

    /// A contact of type `c` enters at `now`: a new customer (`journey` None), a transfer,
    /// or a returning customer. It draws its handle time, patience and resolution luck up
    /// front (so common random numbers align per contact), then goes to the longest-idle
    /// eligible agent or joins the queue.
    fn contact_arrives(&mut self, c: usize, journey: Option<u32>) {
        let now = self.now;
        let sim = &self.scenario.simulation;
        let ct: &CallType = &self.scenario.call_types[c];
        let interval = sim.interval_of(now);
        let counted = now >= sim.warmup;
        let journey = match journey {
            Some(j) => j,
            None => self.open_journey(c, interval, counted),
        };
        let j = &mut self.journeys[journey as usize];
        let is_return = j.experience.contacts > 0 && !j.transferring;
        j.transferring = false;
        j.experience.contacts += 1;
        let has_issue = j.has_issue;
        let streams = &mut self.streams[c];
        let handle = ct.handle_time.sample(&mut streams.handle);
        let patience = ct
            .patience
            .as_ref()
            .map(|p| p.sample(&mut streams.patience));
        let luck = if has_issue {
            streams.customer.random()
        } else {
            0.0
        };
        if counted {
            let t = self.result.counters_mut(interval, c);
            t.offered += 1;
            t.repeats += is_return as u64;
        }
        let contact = Contact {
            generation: 0,
            call_type: c as u32,
            interval: interval as u32,
            counted,
            journey,
            arrival: now,
            handle,
            luck,
        };

        if let Some(agent) = self.longest_idle_agent(c) {
            self.start_service(agent, contact);
            return;
        }

        if counted {
            self.result.counters_mut(interval, c).queued += 1;
        }
        let slot = match self.free_contacts.pop() {
            Some(s) => s,
            None => {
                self.contacts.push(Contact::default());
                (self.contacts.len() - 1) as u32
            }
        };
        let entry = &mut self.contacts[slot as usize];
        let generation = entry.generation;
        *entry = Contact {
            generation,
            ..contact
        };
        self.queues[c].push_back((slot, generation));
        self.waiting[c] += 1;
        if let Some(p) = patience {
            self.calendar
                .schedule(now + p, Event::Abandon { slot, generation });
        }
    }

    /// Among idle agents of every group serving `c`, the one idle longest (ties: first group).
    fn longest_idle_agent(&mut self, c: usize) -> Option<u32> {
        let mut best: Option<(f64, usize)> = None;
        for &g in &self.servers[c] {
            if let Some(&a) = self.groups[g as usize].idle.front() {
                let since = self.agents[a as usize].idle_since;
                if best.is_none_or(|(b, _)| since < b) {
                    best = Some((since, g as usize));
                }
            }
        }
        let (_, g) = best?;
        self.groups[g].idle.pop_front()
    }

    fn abandon(&mut self, slot: u32, generation: u32) {
        let contact = self.contacts[slot as usize];
        if contact.generation != generation {
            return; // answered already, slot reused or free: a stale timer
        }
        self.release_contact(slot);
        let c = contact.call_type as usize;
        self.waiting[c] -= 1;
        let wait = self.now - contact.arrival;
        if contact.counted {
            let t = self.result.counters_mut(contact.interval as usize, c);
            t.abandoned += 1;
            t.wait_all += wait;
        }
        let j = &mut self.journeys[contact.journey as usize];
        j.experience.wait_s += wait;
        j.experience.abandons += 1;
        let behaviour = &self.scenario.customers;
        let p = behaviour.redial_probability;
        self.maybe_return(contact.journey, c, p, true);
    }

    /// Frees a contact slot; bumping the generation invalidates its queue entry and timer.
    #[inline]
    fn release_contact(&mut self, slot: u32) {
        let entry = &mut self.contacts[slot as usize];
        entry.generation = entry.generation.wrapping_add(1);
        self.free_contacts.push(slot);
    }

    fn start_service(&mut self, agent: u32, contact: Contact) {
        let now = self.now;
        let wait = now - contact.arrival;
        if contact.counted {
            let threshold = self.scenario.simulation.service_level_threshold;
            let t = self
                .result
                .counters_mut(contact.interval as usize, contact.call_type as usize);
            t.answered += 1;
            t.wait_answered += wait;
            t.wait_all += wait;
            if wait <= threshold {
                t.within_threshold += 1;
            }
        }
        let scenario = self.scenario;
        let exp = &scenario.experience;
        let g = self.agents[agent as usize].group as usize;
        let group = &scenario.agent_groups[g];
        let proficiency = group.proficiency_after(self.agents[agent as usize].calls);
        let journey = &mut self.journeys[contact.journey as usize];
        journey.experience.wait_s += wait;

        // Talk, slowed down for less proficient agents.
        let mut busy_for = contact.handle * exp.handle_factor(proficiency);
        // Look-up holds: Poisson count with a mean set by proficiency and difficulty.
        let (mut holds, mut hold_time) = (0u32, 0.0);
        let mean_holds = exp.expected_holds(journey.difficulty, proficiency);
        if mean_holds > 0.0 {
            let rng = &mut self.streams[contact.call_type as usize].hold;
            holds = poisson(rng, mean_holds);
            for _ in 0..holds {
                hold_time += exp.hold_time.sample(rng);
            }
            busy_for += hold_time;
            journey.experience.holds += holds;
            journey.experience.hold_s += hold_time;
        }
        // A pending decision beyond this agent's authority: escalate once, else approval.
        let (mut escalate, mut approval) = (false, false);
        if journey.decision != NO_DECISION && !journey.decided {
            if journey.decision <= group.authority {
                journey.decided = true;
            } else {
                match group.beyond_authority {
                    BeyondAuthority::Escalate(_) if !journey.escalated => escalate = true,
                    _ => approval = true,
                }
            }
        }

        let a = &mut self.agents[agent as usize];
        a.contact = contact;
        a.answered_at = now;
        a.answered_interval = self.interval as u32;
        a.proficiency = proficiency;
        a.holds = holds;
        a.hold_time = hold_time;
        a.escalate = escalate;
        self.integrate(g);
        self.groups[g].busy += 1;
        let event = if approval {
            Event::ApprovalRequest { agent }
        } else {
            Event::TalkEnd { agent }
        };
        self.calendar.schedule(now + busy_for, event);
    }

    /// The agent puts the customer on hold and asks a supervisor (or queues for one).
    fn request_approval(&mut self, agent: u32) {
        self.agents[agent as usize].hold_started = self.now;
        if self.supervisors_free > 0 {
            self.supervisors_free -= 1;
            self.start_consult(agent);
        } else {
            self.approval_queue.push_back(agent);
        }
    }

    fn start_consult(&mut self, agent: u32) {
        let consult = self
            .scenario
            .supervisors
            .consult_time
            .sample(&mut self.supervisor_stream);
        self.calendar
            .schedule(self.now + consult, Event::ApprovalDone { agent });
    }

    /// The supervisor decided: the hold ends, the supervisor takes the next request, and the
    /// call ends.
    fn approval_done(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        let hold = self.now - a.hold_started;
        a.holds += 1;
        a.hold_time += hold;
        let contact = a.contact;
        let j = &mut self.journeys[contact.journey as usize];
        j.decided = true;
        j.experience.holds += 1;
        j.experience.hold_s += hold;
        if contact.counted {
            let t = self
                .result
                .counters_mut(contact.interval as usize, contact.call_type as usize);
            t.approvals += 1;
            t.approval_time += hold;
        }
        let (k, g) = (a.answered_interval as usize, a.group as usize);
        if contact.counted {
            self.result.group_mut(k, g).approvals += 1;
        }
        match self.approval_queue.pop_front() {
            Some(next) => self.start_consult(next),
            None => self.supervisors_free += 1,
        }
        self.talk_ends(agent);
    }

    /// The customer leaves: escalated, transferred, or the issue resolved or not. Then the
    /// agent starts after-call work or is free.
    fn talk_ends(&mut self, agent: u32) {
        let scenario = self.scenario;
        let a = self.agents[agent as usize];
        self.agents[agent as usize].calls += 1;
        let contact = a.contact;
        let c = contact.call_type as usize;
        let ct = &scenario.call_types[c];
        let g = a.group as usize;
        if contact.counted {
            let t = self.result.counters_mut(contact.interval as usize, c);
            t.holds += a.holds as u64;
            t.hold_time += a.hold_time;
            let w = self.result.group_mut(a.answered_interval as usize, g);
            w.handled += 1;
            w.handle_time += self.now - a.answered_at;
            w.holds += a.holds as u64;
        }

        let mut escalated = a.escalate;
        let mut transfer_to = if a.escalate {
            match scenario.agent_groups[g].beyond_authority {
                BeyondAuthority::Escalate(to) => Some(to),
                BeyondAuthority::Approval => None,
            }
        } else {
            ct.transfer.and_then(|t| {
                let u: f64 = self.streams[c].transfer.random();
                (u < t.probability).then_some(t.to)
            })
        };
        if transfer_to.is_none() {
            let j = &mut self.journeys[contact.journey as usize];
            let resolved = !j.has_issue
                || contact.luck
                    < scenario
                        .experience
                        .resolve_probability(j.difficulty, a.proficiency);
            if contact.counted {
                let w = self.result.group_mut(a.answered_interval as usize, g);
                w.attempts += 1;
                w.resolved += resolved as u64;
            }
            // Stuck: a knowledge-based transfer, once per journey, instead of giving up.
            let stuck_transfer = scenario.agent_groups[g]
                .unresolved_transfer
                .filter(|t| !resolved && !j.knowledge_transferred && t.to != c)
                .and_then(|t| {
                    let u: f64 = self.streams[c].transfer.random();
                    (u < t.probability).then_some(t.to)
                });
            if stuck_transfer.is_some() {
                j.knowledge_transferred = true;
                escalated = true;
                transfer_to = stuck_transfer;
            } else if resolved {
                self.close_journey(contact.journey, true);
            } else {
                let p = scenario.customers.callback_probability;
                self.maybe_return(contact.journey, c, p, false);
            }
        }
        if let Some(to) = transfer_to {
            if contact.counted {
                self.result
                    .counters_mut(contact.interval as usize, c)
                    .transferred += 1;
                if escalated {
                    self.result
                        .group_mut(a.answered_interval as usize, g)
                        .escalations += 1;
                }
            }
            let j = &mut self.journeys[contact.journey as usize];
            j.experience.transfers += 1;
            j.transferring = true;
            j.escalated |= a.escalate;
            self.contact_arrives(to, Some(contact.journey));
        }
        match &ct.after_call_work {
            Some(acw) => {
                let wrap = acw.sample(&mut self.streams[c].after_call_work);
                self.calendar
                    .schedule(self.now + wrap, Event::WrapEnd { agent });
            }
            None => self.agent_frees(agent),
        }
    }

    /// Contacts nobody could serve (no staff left) are reported, keeping conservation exact.
    fn count_left_in_queue(&mut self) {
        for queue in &self.queues {
            for &(slot, generation) in queue {
                let contact = self.contacts[slot as usize];
                if contact.generation == generation && contact.counted {
                    self.result
                        .counters_mut(contact.interval as usize, contact.call_type as usize)
                        .in_queue_at_end += 1;
                }
            }
        }
    }
}

/// A Poisson(mean) count by inversion (small means: a few uniforms at most).
fn poisson(rng: &mut Stream, mean: f64) -> u32 {
    let u: f64 = rng.random();
    let mut p = (-mean).exp();
    let mut cdf = p;
    let mut k = 0u32;
    while u > cdf && k < 1000 {
        k += 1;
        p *= mean / k as f64;
        cdf += p;
    }
    k
}
