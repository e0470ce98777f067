//! The discrete-event engine: one replication of one scenario, from empty center to drained
//! center. State machine over contacts (waiting → answered | abandoned), agents
//! (idle → talking/holding → wrap-up → idle | gone) and customer journeys (first contact →
//! transfers, callbacks, redials → resolved | given up), driven by a [`calendar::Calendar`].
//!
//! Routing (the contract's rules):
//! - an arriving contact goes to the longest-idle agent among all groups with that skill;
//! - a freed agent takes the longest-waiting contact of its highest-priority skill that has
//!   a queue;
//! - optional extras, off by default: call-type priorities, overflow delays and a line limit
//!   (`routing.rs`), hang-ups on hold (`hold.rs`), email hours and business-time service levels
//!   (`email.rs`).
//!
//! Inside a call (customer-experience model, `docs/model.md`): the agent's proficiency scales
//! the talk time and sets the expected look-up holds; a decision beyond the agent's authority
//! becomes an approval hold (queueing for a supervisor) or an escalation transfer; at the end
//! the issue is resolved or not, and unresolved or abandoned customers may come back.
//!
//! Memory is bounded by the peak number of contacts, journeys and agents in the system:
//! slots are recycled, statistics are fixed-size counters, and abandonment timers are
//! cancelled lazily (a stale timer is recognised by its slot's deadline and dropped).
//!
//! Hot path (one call: arrival, answer, talk end): no allocation once the slot vectors have
//! grown, no hashing, no division beyond the arrival gap, no copies of whole agents or
//! journeys; 16-byte calendar entries; interval boundaries from a timetable, not the heap.

mod busyness;
pub mod calendar;
mod callback;
mod chat;
mod cohorts;
mod deferred;
mod hold;
mod journey;
#[cfg(test)]
mod queue_tests;
mod routing;
mod shifts;
#[cfg(test)]
mod tests;
mod trace_hooks;

use crate::model::{BeyondAuthority, CallType};
use crate::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Scenario;
use crate::stats::{Cell, Collector, Observer, ReplicationResult};
use crate::stats::{ContactKind, ContactOutcome, TraceEvent};
use calendar::{Calendar, Event};
use journey::{Journey, NO_DECISION};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use std::collections::VecDeque;

/// Runs one replication and returns its statistics. Deterministic in (`scenario`, `key`).
pub fn simulate(scenario: &Scenario, key: StreamKey) -> ReplicationResult {
    simulate_reusing(scenario, key, None)
}

/// [`simulate`] into `spare`, an earlier result, when it has the scenario's shape (see
/// [`Collector::reusing`]); the same result either way.
pub fn simulate_reusing(
    scenario: &Scenario,
    key: StreamKey,
    spare: Option<ReplicationResult>,
) -> ReplicationResult {
    simulate_with(scenario, key, Collector::reusing(scenario, spare)).finish()
}

/// Runs one replication, reporting every event to `observer`, and returns the observer. The
/// engine is monomorphised per observer type: no dynamic dispatch per event.
pub fn simulate_with<O: Observer>(scenario: &Scenario, key: StreamKey, observer: O) -> O {
    let mut engine = Engine::new(scenario, key, observer);
    engine.run();
    engine.observer
}

/// A contact: one queue visit of a journey (slots are reused; `generation` tells reuses apart
/// in the queues, `deadline` in the abandonment timers).
#[derive(Debug, Clone, Copy)]
struct Contact {
    generation: u32,
    call_type: u32,
    /// Its (arrival interval, call type) statistics cell, `NONE` during warmup.
    cell: Cell,
    journey: u32,
    /// Plain scenarios (no journeys kept): the cell of the customer's first contact, and
    /// whether this contact is that first one (not a transfer).
    origin: Cell,
    first: bool,
    arrival: f64,
    /// Handle time of a fully proficient agent, drawn on arrival (common random numbers).
    handle: f64,
    /// This contact's resolution luck, drawn on arrival: resolved if below P(resolve).
    luck: f64,
    /// While it waits with a patience: when it hangs up. NaN otherwise (equal to no time),
    /// so an abandonment timer fires only for the waiting contact it was set for — or for a
    /// later one in the same slot with the very same deadline, which then hangs up at its
    /// own time.
    deadline: f64,
    /// When the caller accepted a callback (virtual hold); NaN when it did not.
    accepted_at: f64,
}

impl Default for Contact {
    fn default() -> Self {
        Contact {
            generation: 0,
            call_type: 0,
            cell: Cell::NONE,
            journey: 0,
            origin: Cell::NONE,
            first: false,
            arrival: 0.0,
            handle: 0.0,
            luck: 0.0,
            deadline: f64::NAN,
            accepted_at: f64::NAN,
        }
    }
}

/// One call type's external arrivals: the next one and the interval it falls in, with that
/// interval's end and rate at hand (the common draw stays inside the interval), and the
/// stream the gaps are drawn from (here rather than in [`TypeStreams`]: one look-up per
/// arrival instead of two).
#[derive(Debug, Clone)]
struct Arrivals {
    /// Time of the next arrival, `INFINITY` when none is left.
    next: f64,
    interval: usize,
    end: f64,
    rate: f64,
    /// The call type's inter-arrival stream ([`Purpose::Arrivals`]).
    rng: Stream,
}

/// An agent slot: what it is doing and, while busy, what it needs of the contact in hand
/// (not the whole contact: handlers read and write single fields, never copy the slot).
#[derive(Debug, Clone, Copy)]
struct Agent {
    group: u32,
    /// Contacts handled so far in this run (drives the learning curve).
    calls: u32,
    /// The contact in hand: call type, statistics cell, journey and resolution luck.
    call_type: u32,
    cell: Cell,
    journey: u32,
    /// (interval answered in, group) cell of this contact's work, `NONE` when uncounted.
    work: Cell,
    holds: u32,
    /// The contact leaves by an escalation transfer when talk ends.
    escalate: bool,
    /// Plain scenarios: the contact's [`Contact::first`] (its origin is in `origin`).
    first: bool,
    origin: Cell,
    luck: f64,
    idle_since: f64,
    answered_at: f64,
    proficiency: f64,
    hold_time: f64,
    hold_started: f64,
}

impl Agent {
    fn new(group: u32) -> Self {
        Agent {
            group,
            calls: 0,
            call_type: 0,
            cell: Cell::NONE,
            journey: 0,
            work: Cell::NONE,
            holds: 0,
            escalate: false,
            first: false,
            origin: Cell::NONE,
            luck: 0.0,
            idle_since: 0.0,
            answered_at: 0.0,
            proficiency: 0.0,
            hold_time: 0.0,
            hold_started: 0.0,
        }
    }
}

/// Per-group shift state and the time-integrals behind occupancy.
#[derive(Debug, Default)]
struct Group {
    /// Idle agents, longest idle at the front (time only moves forward, so push order is
    /// idle-since order).
    idle: VecDeque<u32>,
    /// Agents on shift (idle, busy or finishing before going home).
    present: u32,
    /// Busy and present agents as floats (exact: whole numbers far below 2⁵³; a chat
    /// window counts its share of a person), side by side so both update at once.
    counts: [f64; 2],
    /// Busy agents who go home when they finish their contact (headcount dropped).
    leaving: u32,
    /// For busy and present agents: Σ −Δ·(t − base) over every change Δ of the count at
    /// time t since the last report to the observer at `base` ([`Engine::report_base`]).
    /// The agent-seconds since then are `count·(now − base) + sums`, so a change costs one
    /// multiply-add and no look at the clock of the last change, and time is reported once
    /// per interval (interval boundaries, warmup end and horizon end), not per event.
    /// Relative to `base`, so the terms stay within an interval's length (rounding well
    /// below 10⁻¹² of the figure).
    sums: [f64; 2],
    /// This group's agent slots not on shift, reused first so learning persists across shifts.
    off_shift: Vec<u32>,
}

impl Group {
    /// Busy agents (finishing ones included).
    #[cfg(test)]
    fn busy(&self) -> u32 {
        self.counts[BUSY] as u32
    }
}

/// Index of the busy count in [`Group::counts`] (and busy time in [`Group::time`]).
const BUSY: usize = 0;
/// Index of the present count in [`Group::counts`] (and staffed time in [`Group::time`]).
const PRESENT: usize = 1;

/// Per-call-type random streams, one per purpose (see [`crate::rng`]); the arrivals stream
/// is kept in [`Arrivals`].
struct TypeStreams {
    handle: Stream,
    patience: Stream,
    transfer: Stream,
    after_call_work: Stream,
    issue: Stream,
    customer: Stream,
    hold: Stream,
    return_delay: Stream,
}

struct Engine<'s, O: Observer> {
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
    /// Σ `waiting`: a freed agent with nobody waiting anywhere (the common case below
    /// saturation) skips its walk over its skills' queues. Changed only through
    /// [`Engine::start_waiting`] and [`Engine::stop_waiting`].
    waiting_total: u32,
    /// Per call type: the groups that serve it.
    servers: Vec<Vec<u32>>,
    /// Per call type: its next external arrival. Kept out of the calendar: each arrival
    /// would otherwise cost a heap push and pop.
    arrivals: Vec<Arrivals>,
    /// The earliest pending arrival and its call type.
    first_arrival: (f64, usize),
    agents: Vec<Agent>,
    groups: Vec<Group>,
    supervisors_free: u32,
    /// Agents (with their customer on hold) waiting for a supervisor, first come first served.
    approval_queue: VecDeque<u32>,
    /// The planning interval the clock is in, advanced by `Boundary` events: a contact
    /// belongs to it, so no per-contact division is needed.
    interval: usize,
    /// True between warmup and horizon: busy/staffed time is reported.
    recording: bool,
    /// When busy and staffed time were last reported (see [`Group::sums`]).
    report_base: f64,
    /// A plain queueing scenario (see [`plain_mechanics`]): contacts go the short way, with
    /// no journeys, issues, holds or decisions, and journeys end unscored.
    plain: bool,
    /// A plain scenario (so no email either) that also has no chat, callbacks, routing
    /// rules, hold patience or breaks: the event loop runs a copy compiled with all of their checks
    /// left out (see [`Engine::step`]).
    lean: bool,
    /// Per interval: this replication's busyness factor on arrival rates (empty: none).
    rate_factor: Vec<f64>,
    /// Breaks and shrinkage (see `shifts`).
    availability: shifts::Availability,
    /// Chat concurrency (`max_concurrent` > 1 somewhere), see [`chat`].
    chat: chat::Chat,
    /// Callbacks (virtual hold), see [`callback`].
    callbacks: callback::Callbacks,
    /// Priority, overflow and line rules (see [`routing`]); all off by default.
    rules: routing::Rules,
    /// Hang-ups on hold (see [`hold`]); off by default.
    hold: hold::HoldPatience,
    /// Email and business-time service levels (see [`deferred`]); off by default.
    email: deferred::Email,
    /// Training cohorts and attrition over days (see [`cohorts`]); off by default.
    program: cohorts::ProgramState,
    observer: O,
}

/// True when `scenario` configures no experience model and, so, none of its mechanics:
/// every issue is resolved when served by a fully proficient agent (no holds, decisions,
/// learning, knowledge transfers), and nobody calls back or redials. Then a journey is
/// its first contact plus fixed-routing transfers, and the engine needs to carry only the
/// first contact's cell and whether a contact is that first one.
fn plain_mechanics(scenario: &Scenario) -> bool {
    let customers = &scenario.customers;
    !scenario.experience_model
        && scenario.call_types.iter().all(|c| !c.has_issue_model())
        && scenario.agent_groups.iter().all(|g| {
            g.proficiency == 1.0 && g.learning.is_none() && g.unresolved_transfer.is_none()
        })
        && customers.callback_probability == 0.0
        && customers.redial_probability == 0.0
        && scenario.program.is_none()
}

impl<'s, O: Observer> Engine<'s, O> {
    fn new(scenario: &'s Scenario, key: StreamKey, observer: O) -> Self {
        let sim = &scenario.simulation;
        let n_types = scenario.call_types.len();
        let n_groups = scenario.agent_groups.len();
        let streams = (0..n_types)
            .map(|c| TypeStreams {
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
        let rate_factor = busyness::interval_factors(scenario, key);
        let factor0 = rate_factor.first().copied().unwrap_or(1.0);
        let mut engine = Engine {
            scenario,
            now: 0.0,
            calendar: Calendar::with_timetable(
                2 * peak_agents + 4 * n_types + 16,
                sim.interval,
                sim.intervals,
                sim.warmup,
                sim.horizon,
            ),
            streams,
            supervisor_stream: key.stream(Purpose::Supervisor, 0),
            contacts: Vec::with_capacity(256),
            free_contacts: Vec::with_capacity(256),
            journeys: Vec::with_capacity(256 + peak_agents),
            free_journeys: Vec::with_capacity(256 + peak_agents),
            queues: vec![VecDeque::with_capacity(64); n_types],
            waiting: vec![0; n_types],
            waiting_total: 0,
            servers,
            arrivals: (0..n_types)
                .map(|c| Arrivals {
                    next: f64::INFINITY,
                    interval: 0,
                    end: if sim.intervals == 1 {
                        sim.horizon
                    } else {
                        sim.interval
                    },
                    rate: scenario.call_types[c].arrival_rates[0] * factor0,
                    rng: key.stream(Purpose::Arrivals, c),
                })
                .collect(),
            first_arrival: (f64::INFINITY, 0),
            agents: Vec::with_capacity(peak_agents),
            groups: (0..n_groups).map(|_| Group::default()).collect(),
            supervisors_free: scenario.supervisors.count,
            approval_queue: VecDeque::new(),
            interval: 0,
            recording: false,
            report_base: 0.0,
            plain: false,
            lean: false,
            rate_factor,
            availability: shifts::Availability::new(scenario, key),
            chat: chat::Chat::new(scenario),
            callbacks: callback::Callbacks::new(scenario, key),
            rules: routing::Rules::new(scenario),
            hold: hold::HoldPatience::new(scenario, key),
            email: deferred::Email::new(scenario),
            program: cohorts::ProgramState::new(scenario, key),
            observer,
        };
        if engine.program.on {
            engine.program_roster();
        }
        engine.plain =
            plain_mechanics(scenario) && !engine.rules.needs_full_path() && !engine.email.on;
        engine.lean = engine.plain
            && !engine.chat.on
            && !engine.callbacks.on
            && !engine.rules.routed
            && !engine.hold.on
            && engine.availability.has_no_breaks();
        engine.schedule_first_break();
        // Each call type's first arrival; staffing of interval 0 (a timetable event at 0)
        // still comes before anything can arrive at time 0.
        for c in 0..n_types {
            engine.schedule_next_arrival(c, 0.0);
        }
        engine
    }

    /// Runs the replication to the end: every event, then the contacts nobody could serve.
    fn run(&mut self) {
        if self.lean {
            while self.step::<true>() {}
        } else {
            while self.step::<false>() {}
        }
        self.count_left_in_queue();
        self.count_callbacks_left();
    }

    /// [`Engine::step`] in the copy the scenario runs (tests step the engine one event at a
    /// time).
    #[cfg(test)]
    fn step_any(&mut self) -> bool {
        if self.lean {
            self.step::<true>()
        } else {
            self.step::<false>()
        }
    }

    /// Handles the next event; `false` when nothing is left (the center has drained). Three
    /// sources are merged by time with a fixed tie rule, so runs stay deterministic: the
    /// calendar's timetable (boundaries, warmup, horizon), then its heap, then external
    /// arrivals, which go first only if strictly earlier than both.
    ///
    /// `LEAN` (see [`Engine::lean`]): the scenario has none of the mechanics whose checks
    /// sit on every call's path, so this copy of the loop leaves the checks out. Measured on
    /// `benches/erlang_c_3m.toml` (callgrind): 47 fewer instructions per call (630 → 584),
    /// with identical results.
    #[inline(always)]
    fn step<const LEAN: bool>(&mut self) -> bool {
        let (arrival_time, c) = self.first_arrival;
        let Some((time, event)) = self.calendar.pop_not_after(arrival_time) else {
            if arrival_time == f64::INFINITY {
                return false;
            }
            self.now = arrival_time;
            self.schedule_next_arrival(c, arrival_time);
            if LEAN || self.plain {
                self.plain_contact_arrives::<LEAN>(c, None);
            } else {
                self.contact_arrives(c, None);
            }
            return true;
        };
        self.now = time;
        match event {
            Event::Abandon { slot } => self.abandon(slot),
            Event::TalkEnd { agent } if LEAN || self.plain => self.plain_talk_ends::<LEAN>(agent),
            Event::TalkEnd { agent } => self.talk_ends(agent),
            Event::WrapEnd { agent } => self.agent_frees::<LEAN>(agent),
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
                if self.email.on {
                    self.email_horizon();
                }
            }
            Event::BreakDue { index } => self.break_due(index as usize),
            Event::BreakEnd { agent } => self.break_ends(agent),
            Event::CallbackOffer { slot } => self.offer_callback(slot),
            Event::Overflow { slot } => self.overflow_due(slot),
            Event::HoldAbandon { agent } => self.approval_hold_expires(agent),
        }
        true
    }

    /// Draws the next arrival of `c` after `from` (its previous arrival, or 0) from the
    /// piecewise-constant Poisson process and updates the earliest pending arrival: an
    /// exponential gap at the current interval's rate; if it crosses the interval's end the
    /// draw restarts there at the next rate (valid because the exponential is memoryless).
    /// `INFINITY` when none falls before the horizon. The interval is carried along, never
    /// recomputed by division.
    #[inline(always)]
    fn schedule_next_arrival(&mut self, c: usize, from: f64) {
        let a = &mut self.arrivals[c];
        let mut next = f64::INFINITY;
        if a.rate > 0.0 {
            let gap: f64 = Exp1.sample(&mut a.rng);
            next = from + gap / a.rate;
        }
        if next < a.end {
            a.next = next;
        } else {
            let next = self.next_arrival_in_later_intervals(c);
            self.arrivals[c].next = next;
        }
        self.first_arrival = match &self.arrivals[..] {
            // One call type (the common case): nothing to compare.
            [only] => (only.next, 0),
            // O(call types); call types are few, and this is cheaper than a heap operation.
            _ => {
                let mut first = (f64::INFINITY, 0);
                for (i, a) in self.arrivals.iter().enumerate() {
                    if a.next < first.0 {
                        first = (a.next, i);
                    }
                }
                first
            }
        };
    }

    /// The draw crossed the end of the interval: move on to the next interval and draw
    /// again from its start, until one falls inside or the horizon is reached.
    #[cold]
    fn next_arrival_in_later_intervals(&mut self, c: usize) -> f64 {
        let sim = &self.scenario.simulation;
        let rates = &self.scenario.call_types[c].arrival_rates;
        let a = &mut self.arrivals[c];
        loop {
            if a.interval + 1 >= sim.intervals {
                return f64::INFINITY;
            }
            let t = a.end;
            a.interval += 1;
            a.end = if a.interval + 1 == sim.intervals {
                sim.horizon
            } else {
                (a.interval + 1) as f64 * sim.interval
            };
            a.rate = rates[a.interval] * self.rate_factor.get(a.interval).unwrap_or(&1.0);
            if a.rate > 0.0 {
                let gap: f64 = Exp1.sample(&mut a.rng);
                let next = t + gap / a.rate;
                if next < a.end {
                    return next;
                }
            }
        }
    }

    /// A contact of type `c` enters at `now`: a new customer (`journey` None), a transfer,
    /// or a returning customer. It draws its handle time, patience and resolution luck up
    /// front (so common random numbers align per contact), then goes to the longest-idle
    /// eligible agent or joins the queue.
    #[inline(never)]
    fn contact_arrives(&mut self, c: usize, journey: Option<u32>) {
        let now = self.now;
        let scenario = self.scenario;
        let ct: &CallType = &scenario.call_types[c];
        let counted = now >= scenario.simulation.warmup;
        let cell = Cell::counted_if(counted, self.interval, c, scenario.call_types.len());
        let journey = match journey {
            Some(j) => j,
            None => self.open_journey(c, cell),
        };
        let j = &mut self.journeys[journey as usize];
        let transfer = j.transferring;
        let is_return = j.experience.contacts > 0 && !transfer;
        j.transferring = false;
        j.experience.contacts += 1;
        let has_issue = j.has_issue;
        let streams = &mut self.streams[c];
        let handle = draw(&ct.handle_time, &mut streams.handle);
        let patience = ct
            .patience
            .as_ref()
            .map(|p| p.sample(&mut streams.patience));
        let luck = if has_issue {
            streams.customer.random()
        } else {
            0.0
        };
        self.observer.offered(cell, is_return);
        if O::TRACES {
            let kind = match (transfer, is_return) {
                (true, _) => ContactKind::Transfer,
                (false, true) => ContactKind::Return,
                _ => ContactKind::First,
            };
            self.trace_arrival(c, Some(journey), kind, counted);
        }
        if !transfer && self.blocked(c, cell, journey) {
            return;
        }
        let contact = Contact {
            generation: 0,
            call_type: c as u32,
            cell,
            journey,
            origin: Cell::NONE,
            first: false,
            arrival: now,
            handle,
            luck,
            deadline: f64::NAN,
            accepted_at: f64::NAN,
        };
        self.place_routed(c, contact, patience);
    }

    /// [`Engine::contact_arrives`] in a plain scenario: the same draws in the same order
    /// (nothing is drawn for an issue there), no journey. `origin`: the first contact's cell
    /// when this one is a transfer.
    #[inline(always)]
    fn plain_contact_arrives<const LEAN: bool>(&mut self, c: usize, origin: Option<Cell>) {
        let now = self.now;
        let scenario = self.scenario;
        let ct: &CallType = &scenario.call_types[c];
        let counted = now >= scenario.simulation.warmup;
        let cell = Cell::counted_if(counted, self.interval, c, scenario.call_types.len());
        let streams = &mut self.streams[c];
        let handle = draw(&ct.handle_time, &mut streams.handle);
        let patience = ct
            .patience
            .as_ref()
            .map(|p| p.sample(&mut streams.patience));
        self.observer.offered(cell, false);
        // Tracing: the plain path keeps no journey, so the field carries the trace key.
        let journey = if O::TRACES {
            let kind = match origin {
                Some(_) => ContactKind::Transfer,
                None => ContactKind::First,
            };
            self.trace_arrival(c, None, kind, counted)
        } else {
            0
        };
        let contact = Contact {
            generation: 0,
            call_type: c as u32,
            cell,
            journey,
            origin: origin.unwrap_or(cell),
            first: origin.is_none(),
            arrival: now,
            handle,
            luck: 0.0,
            deadline: f64::NAN,
            accepted_at: f64::NAN,
        };
        self.place::<LEAN>(c, contact, patience);
    }

    /// An arrived contact goes to the longest-idle eligible agent (or, a chat, to a free chat
    /// window: see [`chat`]) or joins the queue, with an abandonment timer when it has a
    /// `patience`.
    #[inline(always)]
    fn place<const LEAN: bool>(&mut self, c: usize, contact: Contact, patience: Option<f64>) {
        if !LEAN && self.chat.on {
            if let Some(contact) = self.place_with_chat(c, contact) {
                self.enqueue::<false>(c, contact, patience);
            }
            return;
        }
        if let Some((agent, g)) = self.longest_idle_agent(c) {
            self.count_change(g, BUSY, 1.0);
            self.start_service::<LEAN>(agent, contact);
            return;
        }
        self.enqueue::<LEAN>(c, contact, patience);
    }

    /// Nobody could take `contact`: it waits in its queue, with an abandonment timer when it
    /// has a `patience` (and a callback offer timer when its type offers callbacks); returns
    /// its slot.
    #[inline(always)]
    fn enqueue<const LEAN: bool>(
        &mut self,
        c: usize,
        contact: Contact,
        patience: Option<f64>,
    ) -> u32 {
        let (now, cell) = (self.now, contact.cell);
        self.observer.queued(cell);
        let slot = match self.free_contacts.pop() {
            Some(s) => s,
            None => {
                self.contacts.push(Contact::default());
                (self.contacts.len() - 1) as u32
            }
        };
        let entry = &mut self.contacts[slot as usize];
        let generation = entry.generation;
        let deadline = patience.map_or(f64::NAN, |p| now + p);
        *entry = Contact {
            generation,
            deadline,
            ..contact
        };
        self.queues[c].push_back((slot, generation));
        self.start_waiting(c);
        if patience.is_some() {
            self.calendar.schedule(deadline, Event::Abandon { slot });
        }
        if !LEAN && self.callbacks.on {
            self.arm_callback(c, slot);
        }
        slot
    }

    /// Among idle agents of every group serving `c`, the one idle longest (ties: first group),
    /// with its group (known here, so the caller need not look the agent up for it).
    #[inline(always)]
    fn longest_idle_agent(&mut self, c: usize) -> Option<(u32, usize)> {
        let servers = &self.servers[c];
        if let [g] = servers[..] {
            // One serving group (the common case): its longest-idle agent, no comparison.
            let g = g as usize;
            return self.groups[g].idle.pop_front().map(|a| (a, g));
        }
        let mut best: Option<(f64, usize)> = None;
        for &g in servers {
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

    #[inline(never)]
    fn abandon(&mut self, slot: u32) {
        let contact = &self.contacts[slot as usize];
        if contact.deadline != self.now {
            return; // answered already, slot reused or free: a stale timer
        }
        let (c, cell, journey) = (contact.call_type as usize, contact.cell, contact.journey);
        let (origin, first) = (contact.origin, contact.first);
        let wait = self.now - contact.arrival;
        self.release_contact(slot);
        self.stop_waiting(c);
        self.observer.abandoned(cell, wait);
        if O::TRACES {
            self.trace_end(journey, ContactOutcome::Abandoned);
        }
        if self.plain {
            // Nobody redials in a plain scenario: the customer gives up.
            self.observer.journey_ended(origin, false, first);
            return;
        }
        self.line_freed(c);
        let j = &mut self.journeys[journey as usize];
        j.experience.wait_s += wait;
        j.experience.abandons += 1;
        let p = self.scenario.customers.redial_probability;
        self.maybe_return(journey, c, p, true);
    }

    /// A contact of type `c` starts waiting (counted in `waiting` and `waiting_total`).
    #[inline(always)]
    fn start_waiting(&mut self, c: usize) {
        self.waiting[c] += 1;
        self.waiting_total += 1;
    }

    /// A waiting contact of type `c` stops waiting: answered, abandoned or called back.
    #[inline(always)]
    fn stop_waiting(&mut self, c: usize) {
        self.waiting[c] -= 1;
        self.waiting_total -= 1;
    }

    /// Frees a contact slot; bumping the generation invalidates its queue entry, clearing
    /// the deadline its timer.
    #[inline]
    fn release_contact(&mut self, slot: u32) {
        let entry = &mut self.contacts[slot as usize];
        entry.generation = entry.generation.wrapping_add(1);
        entry.deadline = f64::NAN;
        self.free_contacts.push(slot);
    }

    /// The agent (already counted busy in its group) takes `contact`.
    #[inline(always)]
    fn start_service<const LEAN: bool>(&mut self, agent: u32, contact: Contact) {
        if !LEAN && !contact.accepted_at.is_nan() {
            self.call_back(&contact);
        }
        if LEAN || self.plain {
            self.start_plain_service(agent, contact);
        } else {
            self.start_full_service(agent, contact);
        }
    }

    /// [`Engine::start_service`] with the experience model: proficiency, holds, decisions.
    #[inline(never)]
    fn start_full_service(&mut self, agent: u32, contact: Contact) {
        let now = self.now;
        let wait = now - contact.arrival;
        if self.email.on {
            self.email_answered(&contact, wait);
        } else {
            self.observer.answered(contact.cell, wait);
        }
        let scenario = self.scenario;
        let exp = &scenario.experience;
        let g = self.agents[agent as usize].group as usize;
        if O::TRACES {
            self.trace_answered(contact.journey, agent);
        }
        let group = &scenario.agent_groups[g];
        let calls = self.agents[agent as usize].calls;
        let proficiency = match self.program.curve(agent) {
            Some(curve) => curve.at(calls),
            None => group.proficiency_after(calls),
        };
        let journey = &mut self.journeys[contact.journey as usize];
        journey.experience.wait_s += wait;

        // Talk, slowed down for less proficient agents.
        let mut busy_for = contact.handle * exp.handle_factor(proficiency);
        // Look-up holds: Poisson count with a mean set by proficiency and difficulty.
        let (mut holds, mut hold_time) = (0u32, 0.0);
        // The customer hangs up on a look-up hold (see `hold`).
        let mut hang_up = false;
        let mean_holds = exp.expected_holds(journey.difficulty, proficiency);
        if mean_holds > 0.0 {
            let c = contact.call_type as usize;
            let rng = &mut self.streams[c].hold;
            holds = poisson(rng, mean_holds);
            if self.hold.on {
                let cut;
                let (key, observer) = (contact.journey, &mut self.observer);
                let mut trace = |h| {
                    if O::TRACES {
                        observer.trace(key, now, TraceEvent::Hold(h));
                    }
                };
                (holds, hold_time, cut) = hold::look_up_holds(
                    &mut self.hold,
                    rng,
                    scenario,
                    c,
                    holds,
                    busy_for,
                    &mut trace,
                );
                hang_up = cut.is_some();
                busy_for = cut.unwrap_or(busy_for + hold_time);
            } else {
                for _ in 0..holds {
                    let h = exp.hold_time.sample(rng);
                    if O::TRACES {
                        let hold = TraceEvent::Hold(h);
                        self.observer.trace(contact.journey, now, hold);
                    }
                    hold_time += h;
                }
                busy_for += hold_time;
            }
            journey.experience.holds += holds;
            journey.experience.hold_s += hold_time;
        }
        // A pending decision beyond this agent's authority: escalate once, else approval.
        let (mut escalate, mut approval) = (false, false);
        if !hang_up && journey.decision != NO_DECISION && !journey.decided {
            if journey.decision <= group.authority {
                journey.decided = true;
            } else {
                match group.beyond_authority {
                    BeyondAuthority::Escalate(_) if !journey.escalated => escalate = true,
                    _ => approval = true,
                }
            }
        }

        let counted = contact.cell != Cell::NONE;
        if self.email.on {
            self.email_started(agent, &contact);
        }
        let a = &mut self.agents[agent as usize];
        a.call_type = contact.call_type;
        a.cell = contact.cell;
        a.journey = contact.journey;
        a.luck = contact.luck;
        a.work = Cell::counted_if(counted, self.interval, g, scenario.agent_groups.len());
        a.answered_at = now;
        a.proficiency = proficiency;
        a.holds = holds;
        a.hold_time = hold_time;
        a.escalate = escalate;
        if hang_up {
            self.hold.mark_hung_up(agent);
        }
        let event = if approval {
            Event::ApprovalRequest { agent }
        } else {
            Event::TalkEnd { agent }
        };
        self.calendar.schedule(now + busy_for, event);
    }

    /// [`Engine::start_service`] in a plain scenario: a fully proficient agent talks for
    /// the drawn handle time (× a handle factor of exactly 1), with no holds or decisions.
    /// The agent's hold and escalation fields keep their initial zeros.
    #[inline(always)]
    fn start_plain_service(&mut self, agent: u32, contact: Contact) {
        let now = self.now;
        self.observer.answered(contact.cell, now - contact.arrival);
        let groups = self.scenario.agent_groups.len();
        let interval = self.interval;
        let a = &mut self.agents[agent as usize];
        let g = a.group as usize;
        a.call_type = contact.call_type;
        a.cell = contact.cell;
        a.origin = contact.origin;
        a.first = contact.first;
        a.work = Cell::counted_if(contact.cell != Cell::NONE, interval, g, groups);
        a.answered_at = now;
        self.calendar
            .schedule(now + contact.handle, Event::TalkEnd { agent });
        if O::TRACES {
            self.agents[agent as usize].journey = contact.journey;
            self.trace_answered(contact.journey, agent);
        }
    }

    /// The agent puts the customer on hold and asks a supervisor (or queues for one).
    fn request_approval(&mut self, agent: u32) {
        self.agents[agent as usize].hold_started = self.now;
        self.arm_approval_patience(agent);
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
        self.consult_started(agent, self.now + consult);
        self.calendar
            .schedule(self.now + consult, Event::ApprovalDone { agent });
    }

    /// The supervisor decided: the hold ends, the supervisor takes the next request, and the
    /// call ends.
    fn approval_done(&mut self, agent: u32) {
        if !self.consult_live(agent) {
            return; // the customer hung up on hold: a stale consult end
        }
        let a = &mut self.agents[agent as usize];
        let hold = self.now - a.hold_started;
        a.holds += 1;
        a.hold_time += hold;
        let j = &mut self.journeys[a.journey as usize];
        j.decided = true;
        j.experience.holds += 1;
        j.experience.hold_s += hold;
        self.observer.approval_hold(a.cell, a.work, hold);
        if O::TRACES {
            let key = a.journey;
            self.observer.trace(key, self.now, TraceEvent::Hold(hold));
        }
        match self.approval_queue.pop_front() {
            Some(next) => self.start_consult(next),
            None => self.supervisors_free += 1,
        }
        self.talk_ends(agent);
    }

    /// The customer leaves: escalated, transferred, or the issue resolved or not. Then the
    /// agent starts after-call work or is free.
    #[inline(never)]
    fn talk_ends(&mut self, agent: u32) {
        let hung_up = self.hold.on && self.hold.take_hung_up(agent);
        if self.email.on {
            self.email_talk_ends(agent, hung_up);
        }
        if hung_up {
            return self.hung_up_on_hold(agent);
        }
        let scenario = self.scenario;
        let a = &mut self.agents[agent as usize];
        a.calls += 1;
        let (c, g, journey) = (a.call_type as usize, a.group as usize, a.journey);
        let (cell, work, escalate) = (a.cell, a.work, a.escalate);
        let (luck, proficiency) = (a.luck, a.proficiency);
        self.observer
            .talk_ended(cell, work, self.now - a.answered_at, a.holds, a.hold_time);
        let ct = &scenario.call_types[c];

        let mut escalated = escalate;
        let mut transfer_to = if escalate {
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
            let j = &mut self.journeys[journey as usize];
            let resolved = !j.has_issue
                || luck
                    < scenario
                        .experience
                        .resolve_probability(j.difficulty, proficiency);
            self.observer.resolution_attempt(work, resolved);
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
                if O::TRACES {
                    self.trace_end(journey, ContactOutcome::Resolved);
                }
                self.close_journey(journey, true);
            } else {
                if O::TRACES {
                    self.trace_end(journey, ContactOutcome::Unresolved);
                }
                let p = scenario.customers.callback_probability;
                self.maybe_return(journey, c, p, false);
            }
        }
        if let Some(to) = transfer_to {
            self.observer.transferred(cell, work, escalated);
            if O::TRACES {
                let to = to as u32;
                self.trace_end(journey, ContactOutcome::Transferred { to });
            }
            let j = &mut self.journeys[journey as usize];
            j.experience.transfers += 1;
            j.transferring = true;
            j.escalated |= escalate;
            self.contact_arrives(to, Some(journey));
        } else {
            self.line_freed(c);
        }
        match &ct.after_call_work {
            Some(acw) => {
                let wrap = acw.sample(&mut self.streams[c].after_call_work);
                self.calendar
                    .schedule(self.now + wrap, Event::WrapEnd { agent });
            }
            None => self.agent_frees::<false>(agent),
        }
    }

    /// [`Engine::talk_ends`] in a plain scenario: a fixed-routing transfer (the same draw)
    /// or the issue resolved, ending the journey.
    #[inline(always)]
    fn plain_talk_ends<const LEAN: bool>(&mut self, agent: u32) {
        let scenario = self.scenario;
        let a = &mut self.agents[agent as usize];
        a.calls += 1;
        let g = a.group as usize;
        let (c, cell, work) = (a.call_type as usize, a.cell, a.work);
        let (origin, first) = (a.origin, a.first);
        let talk = self.now - a.answered_at;
        let ct = &scenario.call_types[c];
        let transfer_to = ct.transfer.and_then(|t| {
            let u: f64 = self.streams[c].transfer.random();
            (u < t.probability).then_some(t.to)
        });
        match transfer_to {
            None => {
                self.observer.served(cell, work, talk, origin, first);
                if O::TRACES {
                    let key = self.agents[agent as usize].journey;
                    self.trace_end(key, ContactOutcome::Resolved);
                }
            }
            Some(to) => {
                self.observer.talk_ended(cell, work, talk, 0, 0.0);
                self.observer.transferred(cell, work, false);
                if O::TRACES {
                    let key = self.agents[agent as usize].journey;
                    self.trace_end(key, ContactOutcome::Transferred { to: to as u32 });
                }
                self.plain_contact_arrives::<LEAN>(to, Some(origin));
            }
        }
        match &ct.after_call_work {
            Some(acw) => {
                let wrap = acw.sample(&mut self.streams[c].after_call_work);
                self.calendar
                    .schedule(self.now + wrap, Event::WrapEnd { agent });
            }
            None => self.agent_of_group_frees::<LEAN>(agent, g),
        }
    }

    /// Contacts nobody could serve (no staff left) are reported, keeping conservation exact.
    fn count_left_in_queue(&mut self) {
        for queue in &self.queues {
            for &(slot, generation) in queue {
                let contact = &self.contacts[slot as usize];
                if contact.generation == generation {
                    self.observer.left_in_queue(contact.cell);
                    if O::TRACES {
                        let end = TraceEvent::End(ContactOutcome::LeftInQueue);
                        self.observer.trace(contact.journey, self.now, end);
                    }
                }
            }
        }
    }
}

/// One draw of `dist`, with the exponential (the common handle time) inlined into the hot
/// path; the same arithmetic as [`crate::model::Dist::sample`], so draws are identical.
#[inline(always)]
fn draw(dist: &crate::model::Dist, rng: &mut Stream) -> f64 {
    match dist {
        crate::model::Dist::Exponential { mean } => {
            let e: f64 = Exp1.sample(rng);
            e * mean
        }
        other => other.sample(rng),
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
