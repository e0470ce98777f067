//! What one replication measures, and the one place where it is measured.
//!
//! The engine says what happened ([`Observer`]: a contact was offered, answered after a wait,
//! abandoned, held, transferred; a journey closed; agents were busy for a while); the
//! [`Collector`] turns those events into fixed-size tallies per (interval, call type) and per
//! (interval, agent group) — a [`ReplicationResult`]. Adding a metric touches this file only.
//! No per-call storage, so memory does not grow with the horizon. The engine is generic over
//! the observer (monomorphised: no dynamic dispatch per event), so tests can watch the event
//! stream with an observer of their own.

use super::events::{ContactKind, TraceEvent};
use crate::model::experience::{JourneyExperience, Score, Scorer, CELL_CLASSES};
use crate::scenario::Scenario;

/// Tallies for the contacts of one call type that arrived in one interval (after warmup).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    /// Contacts that entered a queue.
    pub offered: u64,
    /// Contacts that reached an agent.
    pub answered: u64,
    /// Contacts that hung up while waiting.
    pub abandoned: u64,
    /// Contacts that did not reach an agent at once.
    pub queued: u64,
    /// Answered with wait ≤ the service-level threshold.
    pub within_threshold: u64,
    /// Answered contacts that ended in a transfer.
    pub transferred: u64,
    /// Still waiting when the simulation ended (only when no agent is left to serve them).
    pub in_queue_at_end: u64,
    /// Σ wait of answered contacts, seconds.
    pub wait_answered: f64,
    /// Σ wait of answered and abandoned contacts (abandoned: time until hang-up), seconds.
    pub wait_all: f64,
    /// Contacts that were callbacks or redials of an earlier contact (failure demand).
    pub repeats: u64,
    /// Holds in answered contacts (look-ups and approvals) and their total length, seconds.
    pub holds: u64,
    /// Σ hold time of those holds, seconds.
    pub hold_time: f64,
    /// Approval holds (supervisor consults) and their total length including the wait for a
    /// supervisor, seconds.
    pub approvals: u64,
    /// Σ approval hold time, seconds.
    pub approval_time: f64,
    /// Journeys (customers) that ended, attributed to their first contact's type and interval.
    pub customers: u64,
    /// Journeys resolved on the first contact / resolved at all.
    pub first_contact_resolved: u64,
    /// Journeys resolved at all.
    pub resolved: u64,
    /// Sums over journeys of expected CSAT, P(promoter), P(detractor), P(churn), revenue at
    /// risk and people told (negative / positive).
    pub csat: f64,
    /// Σ P(promoter) over journeys.
    pub promoters: f64,
    /// Σ P(detractor) over journeys.
    pub detractors: f64,
    /// Σ P(churn) over journeys: expected customers lost.
    pub churned: f64,
    /// Σ P(churn) × customer value over journeys (currency).
    pub revenue_at_risk: f64,
    /// Σ people told about a bad experience.
    pub word_of_mouth_negative: f64,
    /// Σ people told about a good experience.
    pub word_of_mouth_positive: f64,
    /// Waiting callers offered a callback (virtual hold).
    pub callbacks_offered: u64,
    /// Offers accepted.
    pub callbacks_accepted: u64,
    /// Accepters who were called back (reached an agent).
    pub callbacks_made: u64,
    /// Σ time from acceptance to the agent's call over those, seconds.
    pub callback_delay: f64,
    /// Calls that found every line busy (`simulation.lines`) and got a busy signal; they
    /// count as offered, never as answered or abandoned.
    pub blocked: u64,
    /// Answered contacts whose customer hung up while on hold (`hold_patience`).
    pub abandoned_on_hold: u64,
    /// Σ P(top box, "very satisfied") over journeys.
    pub top_box: f64,
    /// Σ people told (any experience) over journeys (reported per customer).
    pub word_of_mouth_people: f64,
    /// Σ expected extra spend of top-box customers (the optional spend premium), currency.
    pub revenue_upside: f64,
    /// Journeys with at least one hold (the other class sizes follow from the counts above:
    /// see [`Counters::class_customers`]).
    pub held_journeys: u32,
    /// Journeys with at least one transfer.
    pub transferred_journeys: u32,
    /// Day closes observed for this type (calendar scenarios with email or business-time
    /// service levels; see `Observer::closed_with_backlog`). This and the next are `u32`
    /// (saturating), so `Counters` packs into 288 bytes.
    pub closes: u32,
    /// Σ over those closes of the items waiting or in service at closing (saturating).
    pub backlog_at_close: u32,
    /// Σ over those closes of the oldest such item's age, seconds (0 with no backlog).
    pub oldest_age_at_close: f64,
}

/// The scored sums of one journey class (e.g. `held`) in one cell, which its per-class
/// metrics are ratios of. 32 bytes, so a cell's seven cost 224. The class's size is not kept
/// here but derived ([`Counters::class_customers`]), so the plain path adds nothing per
/// journey but its transfers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClassTally {
    /// Σ P(top box).
    pub top_box: f64,
    /// Σ P(churn).
    pub churned: f64,
    /// Σ people told.
    pub people: f64,
    /// Σ (P(promoter) − P(detractor)).
    pub net_promoters: f64,
}

impl ClassTally {
    /// Adds another tally into this one.
    #[inline]
    pub fn add(&mut self, o: &ClassTally) {
        self.top_box += o.top_box;
        self.churned += o.churned;
        self.people += o.people;
        self.net_promoters += o.net_promoters;
    }

    /// The scored sums of every journey of `c` (all classes together): what remains of them
    /// once a class's own sums are taken away is its complement's.
    pub fn all_of(c: &Counters) -> ClassTally {
        ClassTally {
            top_box: c.top_box,
            churned: c.churned,
            people: c.word_of_mouth_people,
            net_promoters: c.promoters - c.detractors,
        }
    }

    /// This tally less `o` (the complement of class `o` within this one).
    pub fn less(&self, o: &ClassTally) -> ClassTally {
        ClassTally {
            top_box: self.top_box - o.top_box,
            churned: self.churned - o.churned,
            people: self.people - o.people,
            net_promoters: self.net_promoters - o.net_promoters,
        }
    }
}

/// A journey class tallied outside the cells ([`ReplicationResult::called_back`]): its
/// journeys and their scored sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClassCount {
    /// Journeys in the class.
    pub customers: u64,
    /// Their scored sums.
    pub tally: ClassTally,
}

impl ClassCount {
    /// Adds another count into this one.
    #[inline]
    pub fn add(&mut self, o: &ClassCount) {
        self.customers += o.customers;
        self.tally.add(&o.tally);
    }
}

impl Counters {
    /// Adds another tally into this one.
    pub fn add(&mut self, o: &Counters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.queued += o.queued;
        self.within_threshold += o.within_threshold;
        self.transferred += o.transferred;
        self.in_queue_at_end += o.in_queue_at_end;
        self.wait_answered += o.wait_answered;
        self.wait_all += o.wait_all;
        self.repeats += o.repeats;
        self.holds += o.holds;
        self.hold_time += o.hold_time;
        self.approvals += o.approvals;
        self.approval_time += o.approval_time;
        self.customers += o.customers;
        self.first_contact_resolved += o.first_contact_resolved;
        self.resolved += o.resolved;
        self.csat += o.csat;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
        self.churned += o.churned;
        self.revenue_at_risk += o.revenue_at_risk;
        self.word_of_mouth_negative += o.word_of_mouth_negative;
        self.word_of_mouth_positive += o.word_of_mouth_positive;
        self.callbacks_offered += o.callbacks_offered;
        self.callbacks_accepted += o.callbacks_accepted;
        self.callbacks_made += o.callbacks_made;
        self.callback_delay += o.callback_delay;
        self.blocked += o.blocked;
        self.abandoned_on_hold += o.abandoned_on_hold;
        self.top_box += o.top_box;
        self.word_of_mouth_people += o.word_of_mouth_people;
        self.revenue_upside += o.revenue_upside;
        self.held_journeys = self.held_journeys.saturating_add(o.held_journeys);
        self.transferred_journeys = self
            .transferred_journeys
            .saturating_add(o.transferred_journeys);
        self.closes = self.closes.saturating_add(o.closes);
        self.backlog_at_close = self.backlog_at_close.saturating_add(o.backlog_at_close);
        self.oldest_age_at_close += o.oldest_age_at_close;
    }

    /// Journeys in cell-tallied class `k` (< [`CELL_CLASSES`]; their scored sums are in
    /// [`ReplicationResult::classes`]): first-contact resolved,
    /// resolved after repeat, unresolved, held, not held, transferred, not transferred.
    pub fn class_customers(&self, k: usize) -> u64 {
        let c = self.customers;
        match k {
            0 => self.first_contact_resolved,
            1 => self.resolved.saturating_sub(self.first_contact_resolved),
            2 => c.saturating_sub(self.resolved),
            3 => u64::from(self.held_journeys),
            4 => c.saturating_sub(u64::from(self.held_journeys)),
            5 => u64::from(self.transferred_journeys),
            _ => c.saturating_sub(u64::from(self.transferred_journeys)),
        }
    }

    /// This tally with every scored sum (satisfaction, loyalty, money) set to 0, the counts
    /// kept: what a plain scenario's path produces.
    pub fn without_scores(&self) -> Counters {
        Counters {
            csat: 0.0,
            promoters: 0.0,
            detractors: 0.0,
            churned: 0.0,
            revenue_at_risk: 0.0,
            word_of_mouth_negative: 0.0,
            word_of_mouth_positive: 0.0,
            top_box: 0.0,
            word_of_mouth_people: 0.0,
            revenue_upside: 0.0,
            ..*self
        }
    }
}

/// What one agent group did with the contacts it started in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupCounters {
    /// Contacts whose talk ended (answered in this interval).
    pub handled: u64,
    /// Σ time from answer to end of talk (holds included), seconds.
    pub handle_time: f64,
    /// Holds in those contacts.
    pub holds: u64,
    /// Contacts that ended here without a transfer (a resolution attempt) / resolved.
    pub attempts: u64,
    /// Attempts that resolved the issue.
    pub resolved: u64,
    /// Contacts passed on (authority or knowledge).
    pub escalations: u64,
    /// Approval holds (supervisor consults).
    pub approvals: u64,
}

impl GroupCounters {
    /// Adds another tally into this one.
    pub fn add(&mut self, o: &GroupCounters) {
        self.handled += o.handled;
        self.handle_time += o.handle_time;
        self.holds += o.holds;
        self.attempts += o.attempts;
        self.resolved += o.resolved;
        self.escalations += o.escalations;
        self.approvals += o.approvals;
    }
}

/// Everything one replication measured. Sizes depend on intervals × call types × groups only.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Planning intervals (rows of every table).
    pub intervals: usize,
    /// Call types (width of `contacts`).
    pub call_types: usize,
    /// Agent groups (width of the group tables).
    pub groups: usize,
    /// `[interval * call_types + call_type]`, by the contact's arrival interval.
    pub contacts: Vec<Counters>,
    /// `[interval * groups + group]`: agent-seconds busy (talk + after-call work) within
    /// [warmup, horizon].
    pub busy: Vec<f64>,
    /// `[interval * groups + group]`: agent-seconds staffed within [warmup, horizon].
    pub staffed: Vec<f64>,
    /// `[interval * groups + group]`, by the interval the contact was answered in (after
    /// warmup).
    pub group_work: Vec<GroupCounters>,
    /// Per call type (the journey's first contact's, after warmup): the `called_back`
    /// journey class, journeys whose customer accepted a callback. Per type rather than per
    /// cell: no report needs it by interval, and `Counters` stays small. Empty when no
    /// call type offers callbacks (then the class is empty).
    pub called_back: Vec<ClassCount>,
    /// Per call type (the journey's first contact's, after warmup), per cell-tallied journey
    /// class (the first [`CELL_CLASSES`] of
    /// [`JOURNEY_CLASSES`](crate::model::experience::JOURNEY_CLASSES)): the scored sums;
    /// each scored journey adds to three. Per type, not per cell, for the same reason as
    /// `called_back`: in the cells they were 224 of `Counters`' 512 bytes (a year at
    /// 30-minute intervals with two call types: 17.9 MB per replication, now 10.1 MB).
    pub classes: Vec<[ClassTally; CELL_CLASSES]>,
}

impl ReplicationResult {
    /// An all-zero result of the given shape.
    pub fn new(intervals: usize, call_types: usize, groups: usize) -> Self {
        ReplicationResult {
            intervals,
            call_types,
            groups,
            contacts: vec![Counters::default(); intervals * call_types],
            busy: vec![0.0; intervals * groups],
            staffed: vec![0.0; intervals * groups],
            group_work: vec![GroupCounters::default(); intervals * groups],
            called_back: Vec::new(),
            classes: vec![Default::default(); call_types],
        }
    }

    /// (intervals, call types, groups) of `scenario`'s results.
    fn shape(scenario: &Scenario) -> (usize, usize, usize) {
        (
            scenario.simulation.intervals,
            scenario.call_types.len(),
            scenario.agent_groups.len(),
        )
    }

    /// Whether this result has the shape of `scenario`'s (so a replication of it can be
    /// collected into it, see [`Collector::reusing`]).
    pub fn fits(&self, scenario: &Scenario) -> bool {
        (self.intervals, self.call_types, self.groups) == ReplicationResult::shape(scenario)
            && self.called_back.len() == callback_types(scenario)
    }

    /// Every tally back to zero, the tables kept (same shape, no allocation).
    pub fn clear(&mut self) {
        self.contacts.fill(Counters::default());
        self.busy.fill(0.0);
        self.staffed.fill(0.0);
        self.group_work.fill(GroupCounters::default());
        self.called_back.fill(ClassCount::default());
        self.classes.fill(Default::default());
    }

    /// Interval `k`'s contacts over every call type, summed in call-type order (the order
    /// every per-interval and per-day total uses, so the sums round alike).
    pub fn interval_total(&self, k: usize) -> Counters {
        let nc = self.call_types;
        let mut total = Counters::default();
        for cell in &self.contacts[k * nc..(k + 1) * nc] {
            total.add(cell);
        }
        total
    }

    /// Sum of the tallies that `keep(interval, call_type)` selects.
    pub fn total(&self, keep: impl Fn(usize, usize) -> bool) -> Counters {
        let mut t = Counters::default();
        for (i, c) in self.contacts.iter().enumerate() {
            if keep(i / self.call_types, i % self.call_types) {
                t.add(c);
            }
        }
        t
    }

    /// Sum of group `g`'s work tallies over all intervals.
    pub fn group_total(&self, g: usize) -> GroupCounters {
        let mut t = GroupCounters::default();
        for cell in self.group_work.iter().skip(g).step_by(self.groups) {
            t.add(cell);
        }
        t
    }

    /// Busy / staffed agent time over the (interval, group) cells that `keep` selects;
    /// `None` when nobody was staffed there.
    pub fn occupancy(&self, keep: impl Fn(usize, usize) -> bool) -> Option<f64> {
        let (mut busy, mut staffed) = (0.0, 0.0);
        for i in 0..self.busy.len() {
            if keep(i / self.groups, i % self.groups) {
                busy += self.busy[i];
                staffed += self.staffed[i];
            }
        }
        (staffed > 0.0).then(|| busy / staffed)
    }
}

/// Where an event is tallied: a flat index `interval × width + index` into one of
/// [`ReplicationResult`]'s per-interval tables (`width` = call types for contact and journey
/// cells, agent groups for work cells), or [`Cell::NONE`] for a contact that arrived during
/// warmup and is not counted. Four bytes, so contacts and agents carry theirs cheaply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell(u32);

impl Cell {
    /// Not counted (arrived during warmup).
    pub const NONE: Cell = Cell(u32::MAX);

    /// The cell of `index` (call type or group) in `interval`, for tables `width` wide.
    /// Tables are far smaller than 2³² cells (a cell is ≥ 100 bytes), so the index fits.
    #[inline]
    pub fn new(interval: usize, index: usize, width: usize) -> Cell {
        debug_assert!(interval * width + index < u32::MAX as usize);
        Cell((interval * width + index) as u32)
    }

    /// [`Cell::new`] when `counted`, else [`Cell::NONE`].
    #[inline]
    pub fn counted_if(counted: bool, interval: usize, index: usize, width: usize) -> Cell {
        if counted {
            Cell::new(interval, index, width)
        } else {
            Cell::NONE
        }
    }

    /// The flat index, `None` when not counted.
    #[inline]
    pub fn index(self) -> Option<usize> {
        (self != Cell::NONE).then_some(self.0 as usize)
    }
}

/// What the engine reports while it runs, in simulated-time order. *Contact cells* are
/// (arrival interval, call type); *work cells* are (interval answered in, agent group); a
/// journey's cell is its first contact's. Events about uncounted contacts carry
/// [`Cell::NONE`] (an observer normally ignores them).
pub trait Observer {
    /// A contact entered a queue; `repeat` when it is a callback or redial.
    fn offered(&mut self, cell: Cell, repeat: bool);
    /// It found no idle agent and waits.
    fn queued(&mut self, cell: Cell);
    /// It reached an agent after `wait` seconds (0 when answered at once).
    fn answered(&mut self, cell: Cell, wait: f64);
    /// [`Observer::answered`] for a contact whose call type has its own service-level
    /// threshold: `threshold` seconds of waiting (−∞ for business time, judged when handling
    /// ends instead: see `answered_in_business_time`). Reported instead of `answered`.
    #[inline]
    fn answered_within(&mut self, cell: Cell, wait: f64, threshold: f64) {
        let _ = threshold;
        self.answered(cell, wait);
    }
    /// It hung up after waiting `wait` seconds.
    fn abandoned(&mut self, cell: Cell, wait: f64);
    /// An approval hold (supervisor consult, waiting for a supervisor included) of `hold`
    /// seconds ended.
    fn approval_hold(&mut self, cell: Cell, work: Cell, hold: f64);
    /// Talk ended after `talk` seconds since the answer, with `holds` holds of `hold_time`
    /// seconds in all (look-ups and approvals).
    fn talk_ended(&mut self, cell: Cell, work: Cell, talk: f64, holds: u32, hold_time: f64);
    /// The contact ended without a transfer: an attempt to resolve the issue.
    fn resolution_attempt(&mut self, work: Cell, resolved: bool);
    /// The contact ended in a transfer; `escalated` when the agent passed it on (authority
    /// or knowledge) rather than by the call type's fixed routing.
    fn transferred(&mut self, cell: Cell, work: Cell, escalated: bool);
    /// A customer's journey ended (resolved or given up) after all it went through.
    fn journey_closed(&mut self, cell: Cell, journey: &JourneyExperience);
    /// A customer's journey ended in a plain scenario (no experience model: nothing to
    /// score, and no journey kept): `resolved` (served) or given up (abandoned);
    /// `first_contact` when the contact that ended it was the first (not a transfer).
    fn journey_ended(&mut self, cell: Cell, resolved: bool, first_contact: bool);
    /// In a plain scenario, the common end of a contact in one event: talk ended after
    /// `talk` seconds with no holds, no transfer, the issue resolved, and the journey whose
    /// first contact is in `origin` ended (`first_contact`: this was that contact). The same
    /// as `talk_ended(cell, work, talk, 0, 0.0)`, `resolution_attempt(work, true)` and
    /// `journey_ended(origin, true, first_contact)`, which is what it does by default.
    #[inline]
    fn served(&mut self, cell: Cell, work: Cell, talk: f64, origin: Cell, first_contact: bool) {
        self.talk_ended(cell, work, talk, 0, 0.0);
        self.resolution_attempt(work, true);
        self.journey_ended(origin, true, first_contact);
    }
    /// The run ended with this contact still waiting (nobody left to serve it).
    fn left_in_queue(&mut self, cell: Cell);
    /// A waiting caller was offered a callback (virtual hold) and `accepted` it or not. No-op
    /// by default: only scenarios with callbacks report it.
    #[inline]
    fn callback_offered(&mut self, cell: Cell, accepted: bool) {
        let _ = (cell, accepted);
    }
    /// An accepter was called back by an agent `delay` seconds after accepting (reported
    /// just before its `answered`). No-op by default.
    #[inline]
    fn called_back(&mut self, cell: Cell, delay: f64) {
        let _ = (cell, delay);
    }
    /// The contact (already reported offered) found every line busy and was turned away.
    #[inline]
    fn blocked(&mut self, _cell: Cell) {}
    /// The customer of this answered contact hung up while on hold (reported after its
    /// `talk_ended`).
    #[inline]
    fn abandoned_on_hold(&mut self, _cell: Cell) {}
    /// True for an observer that follows single contacts (the contact trace, see
    /// [`crate::trace`]): only then does the engine report [`Observer::trace_arrival`] and
    /// [`Observer::trace`]. A compile-time constant, so other observers pay nothing for it.
    const TRACES: bool = false;
    /// A contact of `call_type` arrived at `time` (`counted`: after warmup); returns the key
    /// under which its [`Observer::trace`] events come: `key` when the engine has one (the
    /// contact's journey slot, unique among contacts in the system), else one the observer
    /// hands out. Only called when [`Observer::TRACES`].
    #[inline]
    fn trace_arrival(
        &mut self,
        key: Option<u32>,
        call_type: usize,
        kind: ContactKind,
        time: f64,
        counted: bool,
    ) -> u32 {
        let _ = (call_type, kind, time, counted);
        key.unwrap_or(0)
    }
    /// Something happened at `time` to the traced contact `key`; after its
    /// [`TraceEvent::End`] the key may be reused. Only called when [`Observer::TRACES`].
    #[inline]
    fn trace(&mut self, key: u32, time: f64, event: TraceEvent) {
        let _ = (key, time, event);
    }
    /// The handling of this contact, whose type has a business-time service level, ended
    /// within it (reported when its talk ends, just before `talk_ended`). No-op by default.
    #[inline]
    fn answered_in_business_time(&mut self, _cell: Cell) {}
    /// The center closed with `backlog` items of the cell's type waiting or in service, the
    /// oldest received `oldest_age` seconds ago (0 with none). The cell is (the last open
    /// interval, call type); reported for email types and types with a business-time
    /// service level, in calendar scenarios. No-op by default.
    #[inline]
    fn closed_with_backlog(&mut self, _cell: Cell, _backlog: u32, _oldest_age: f64) {}
    /// Within [warmup, horizon]: group `group` was busy for `busy` and staffed for `staffed`
    /// agent-seconds of `interval` (since the last such report; reported when the interval
    /// ends and when recording starts or stops, so a few times per interval at most).
    fn agent_time(&mut self, interval: usize, group: usize, busy: f64, staffed: f64);
}

/// Length of a result's `called_back` table: one per call type when some type offers
/// callbacks, else none.
fn callback_types(scenario: &Scenario) -> usize {
    if scenario.call_types.iter().any(|c| c.callback.is_some()) {
        scenario.call_types.len()
    } else {
        0
    }
}

/// The observer behind every report: fills a [`ReplicationResult`] and scores journeys.
#[derive(Debug, Clone)]
pub struct Collector<'s> {
    result: ReplicationResult,
    scenario: &'s Scenario,
    /// Turns a journey into its scores (the NPS curve fitted once).
    scorer: Scorer,
    /// The score of a perfect journey (answered at once, resolved on the only contact; the
    /// most common one in a healthy center), computed once.
    perfect: Score,
    /// The service-level threshold, seconds (read per answered contact: kept at hand).
    threshold: f64,
}

impl<'s> Collector<'s> {
    /// An empty collector shaped for `scenario`.
    pub fn new(scenario: &'s Scenario) -> Self {
        Collector::reusing(scenario, None)
    }

    /// [`Collector::new`] filling `spare` (an earlier replication's result, zeroed here) when
    /// it has `scenario`'s shape, instead of allocating: a year at 30-minute intervals is
    /// 18 MB per replication, and blocks that large freed and allocated again, one per
    /// replication on every worker thread, let the allocator's heap grow with the
    /// replications (110–130 MB instead of 88 MB for 20 replications of a year).
    pub fn reusing(scenario: &'s Scenario, spare: Option<ReplicationResult>) -> Self {
        let sim = &scenario.simulation;
        let scorer = scenario.experience.scorer();
        let result = match spare {
            Some(mut r) if r.fits(scenario) => {
                r.clear();
                r
            }
            _ => {
                let (k, c, g) = ReplicationResult::shape(scenario);
                let mut r = ReplicationResult::new(k, c, g);
                r.called_back = vec![ClassCount::default(); callback_types(scenario)];
                r
            }
        };
        // `contact` and `work` rely on it (scenario limits keep tables far smaller).
        assert!(result.contacts.len() < Cell::NONE.0 as usize);
        assert!(result.group_work.len() < Cell::NONE.0 as usize);
        Collector {
            result,
            scenario,
            perfect: scorer.score(&JourneyExperience::PERFECT),
            scorer,
            threshold: sim.service_level_threshold,
        }
    }

    /// The tallies collected.
    pub fn finish(self) -> ReplicationResult {
        self.result
    }

    /// The tallies of a contact cell, `None` for [`Cell::NONE`]. One comparison does both
    /// checks: `NONE` (2³² − 1) is past the end of every table (tables are far smaller), so
    /// the bounds check that indexing needs anyway also rejects it.
    #[inline(always)]
    fn contact(&mut self, cell: Cell) -> Option<&mut Counters> {
        self.result.contacts.get_mut(cell.0 as usize)
    }

    /// The tallies of a work cell, `None` for [`Cell::NONE`] (see [`Collector::contact`]).
    #[inline(always)]
    fn work(&mut self, cell: Cell) -> Option<&mut GroupCounters> {
        self.result.group_work.get_mut(cell.0 as usize)
    }
}

impl Observer for Collector<'_> {
    #[inline]
    fn offered(&mut self, cell: Cell, repeat: bool) {
        if let Some(t) = self.contact(cell) {
            t.offered += 1;
            t.repeats += repeat as u64;
        }
    }

    #[inline]
    fn queued(&mut self, cell: Cell) {
        if let Some(t) = self.contact(cell) {
            t.queued += 1;
        }
    }

    /// Always inlined: on every call's path, and left out of line by the compiler otherwise.
    #[inline(always)]
    fn answered(&mut self, cell: Cell, wait: f64) {
        let threshold = self.threshold;
        if let Some(t) = self.contact(cell) {
            t.answered += 1;
            t.wait_answered += wait;
            t.wait_all += wait;
            t.within_threshold += (wait <= threshold) as u64;
        }
    }

    #[inline]
    fn answered_within(&mut self, cell: Cell, wait: f64, threshold: f64) {
        if let Some(t) = self.contact(cell) {
            t.answered += 1;
            t.wait_answered += wait;
            t.wait_all += wait;
            t.within_threshold += (wait <= threshold) as u64;
        }
    }

    #[inline]
    fn abandoned(&mut self, cell: Cell, wait: f64) {
        if let Some(t) = self.contact(cell) {
            t.abandoned += 1;
            t.wait_all += wait;
        }
    }

    #[inline]
    fn approval_hold(&mut self, cell: Cell, work: Cell, hold: f64) {
        if let Some(t) = self.contact(cell) {
            t.approvals += 1;
            t.approval_time += hold;
        }
        if let Some(w) = self.work(work) {
            w.approvals += 1;
        }
    }

    #[inline]
    fn talk_ended(&mut self, cell: Cell, work: Cell, talk: f64, holds: u32, hold_time: f64) {
        if let Some(t) = self.contact(cell) {
            t.holds += holds as u64;
            t.hold_time += hold_time;
        }
        if let Some(w) = self.work(work) {
            w.handled += 1;
            w.handle_time += talk;
            w.holds += holds as u64;
        }
    }

    #[inline]
    fn resolution_attempt(&mut self, work: Cell, resolved: bool) {
        if let Some(w) = self.work(work) {
            w.attempts += 1;
            w.resolved += resolved as u64;
        }
    }

    #[inline]
    fn transferred(&mut self, cell: Cell, work: Cell, escalated: bool) {
        if let Some(t) = self.contact(cell) {
            t.transferred += 1;
        }
        if escalated {
            if let Some(w) = self.work(work) {
                w.escalations += 1;
            }
        }
    }

    #[inline]
    fn journey_closed(&mut self, cell: Cell, j: &JourneyExperience) {
        let Some(i) = cell.index() else {
            return;
        };
        let score = if *j == JourneyExperience::PERFECT {
            self.perfect
        } else {
            self.scorer.score(j)
        };
        // Revenue at risk = churn × customer value, summed per journey as before; skipped
        // when customers have no value (the sum would stay exactly +0).
        let value = self.scenario.customers.customer_value;
        let t = &mut self.result.contacts[i];
        t.customers += 1;
        t.resolved += j.resolved as u64;
        t.first_contact_resolved += (score.class.outcome == 0) as u64;
        t.csat += score.csat;
        t.promoters += score.promoter;
        t.detractors += score.detractor;
        t.churned += score.churn;
        if value != 0.0 {
            t.revenue_at_risk += score.churn * value;
        }
        t.word_of_mouth_negative += score.word_of_mouth_negative;
        t.word_of_mouth_positive += score.word_of_mouth_positive;
        t.top_box += score.top_box;
        t.word_of_mouth_people += score.word_of_mouth_people;
        t.revenue_upside += score.upside;
        t.held_journeys = t.held_journeys.saturating_add((j.holds > 0) as u32);
        t.transferred_journeys = t
            .transferred_journeys
            .saturating_add((j.transfers > 0) as u32);
        let net = score.promoter - score.detractor;
        let scored = ClassTally {
            top_box: score.top_box,
            churned: score.churn,
            people: score.word_of_mouth_people,
            net_promoters: net,
        };
        let types = self.result.call_types;
        if let Some(classes) = self.result.classes.get_mut(i % types) {
            for k in score.class.indexes() {
                classes[k].add(&scored);
            }
        }
        if j.called_back {
            if let Some(cb) = self.result.called_back.get_mut(i % types) {
                cb.customers += 1;
                cb.tally.add(&scored);
            }
        }
    }

    /// FCR per SQM: served in the end (transfers inside the call included); a plain
    /// scenario has no callbacks or redials, so every resolved journey is first-contact
    /// resolved. A plain journey reaches a later contact only by a transfer; nobody is held.
    #[inline]
    fn journey_ended(&mut self, cell: Cell, resolved: bool, first_contact: bool) {
        if let Some(t) = self.contact(cell) {
            t.customers += 1;
            t.resolved += resolved as u64;
            t.first_contact_resolved += resolved as u64;
            t.transferred_journeys = t.transferred_journeys.saturating_add(!first_contact as u32);
        }
    }

    /// One look-up of each cell instead of three, and nothing added for the absent holds
    /// (the contact cell's hold tallies would only get zeros).
    #[inline]
    fn served(&mut self, _cell: Cell, work: Cell, talk: f64, origin: Cell, first_contact: bool) {
        if let Some(w) = self.work(work) {
            w.handled += 1;
            w.handle_time += talk;
            w.attempts += 1;
            w.resolved += 1;
        }
        self.journey_ended(origin, true, first_contact);
    }

    #[inline]
    fn left_in_queue(&mut self, cell: Cell) {
        if let Some(t) = self.contact(cell) {
            t.in_queue_at_end += 1;
        }
    }

    fn blocked(&mut self, cell: Cell) {
        if let Some(t) = self.contact(cell) {
            t.blocked += 1;
        }
    }

    fn abandoned_on_hold(&mut self, cell: Cell) {
        if let Some(t) = self.contact(cell) {
            t.abandoned_on_hold += 1;
        }
    }

    fn answered_in_business_time(&mut self, cell: Cell) {
        if let Some(t) = self.contact(cell) {
            t.within_threshold += 1;
        }
    }

    fn closed_with_backlog(&mut self, cell: Cell, backlog: u32, oldest_age: f64) {
        if let Some(t) = self.contact(cell) {
            t.closes = t.closes.saturating_add(1);
            t.backlog_at_close = t.backlog_at_close.saturating_add(backlog);
            t.oldest_age_at_close += oldest_age;
        }
    }

    #[inline]
    fn callback_offered(&mut self, cell: Cell, accepted: bool) {
        if let Some(t) = self.contact(cell) {
            t.callbacks_offered += 1;
            t.callbacks_accepted += accepted as u64;
        }
    }

    #[inline]
    fn called_back(&mut self, cell: Cell, delay: f64) {
        if let Some(t) = self.contact(cell) {
            t.callbacks_made += 1;
            t.callback_delay += delay;
        }
    }

    #[inline]
    fn agent_time(&mut self, interval: usize, group: usize, busy: f64, staffed: f64) {
        let i = interval * self.result.groups + group;
        self.result.busy[i] += busy;
        self.result.staffed[i] += staffed;
    }
}

#[cfg(test)]
mod tests {
    /// The cells are most of a replication's memory (intervals × call types of them): 288
    /// bytes since the journey-class sums (7 × 32 bytes) moved to a per-type table
    /// ([`ReplicationResult::classes`]); a field added here grows every long run.
    #[test]
    fn counters_are_288_bytes() {
        assert_eq!(std::mem::size_of::<super::Counters>(), 288);
    }

    use super::*;

    fn scenario() -> Scenario {
        let text = r#"
            [simulation]
            horizon = "2h"
            interval = "1h"
            service_level_threshold = "20s"
            [[call_types]]
            name = "a"
            arrival_rate = 10.0
            handle_time = { distribution = "constant", value = "1m" }
            [[call_types]]
            name = "b"
            arrival_rate = 10.0
            handle_time = { distribution = "constant", value = "1m" }
            [[agent_groups]]
            name = "g"
            skills = ["a", "b"]
            agents = 1
            [customers]
            customer_value = 100.0
        "#;
        Scenario::from_toml_str(text, "test", "test").expect("valid")
    }

    /// Each event lands in its own cell, and uncounted events nowhere.
    #[test]
    fn events_land_in_their_cells() {
        let s = scenario();
        let mut c = Collector::new(&s);
        let b1 = Cell::new(1, 1, 2);
        let g0 = Cell::new(0, 0, 1);
        c.offered(b1, false);
        c.offered(b1, true);
        c.queued(b1);
        c.answered(b1, 20.0);
        c.abandoned(b1, 5.0);
        c.talk_ended(b1, g0, 90.0, 2, 30.0);
        c.approval_hold(b1, g0, 12.0);
        c.resolution_attempt(g0, true);
        c.transferred(b1, g0, true);
        c.transferred(b1, g0, false);
        c.left_in_queue(b1);
        c.agent_time(1, 0, 10.0, 20.0);
        let none = Cell::NONE;
        c.offered(none, true);
        c.answered(none, 1.0);
        c.abandoned(none, 1.0);
        c.talk_ended(none, none, 1.0, 1, 1.0);
        c.journey_closed(none, &JourneyExperience::PERFECT);
        let r = c.finish();
        let t = r.contacts[3];
        assert_eq!((t.offered, t.repeats, t.queued), (2, 1, 1));
        assert_eq!((t.answered, t.within_threshold, t.abandoned), (1, 1, 1));
        assert_eq!((t.wait_answered, t.wait_all), (20.0, 25.0));
        assert_eq!(
            (t.holds, t.hold_time, t.approvals, t.approval_time),
            (2, 30.0, 1, 12.0)
        );
        assert_eq!((t.transferred, t.in_queue_at_end), (2, 1));
        let w = r.group_work[0];
        assert_eq!((w.handled, w.handle_time, w.holds), (1, 90.0, 2));
        assert_eq!(
            (w.attempts, w.resolved, w.escalations, w.approvals),
            (1, 1, 1, 1)
        );
        assert_eq!((r.busy[1], r.staffed[1]), (10.0, 20.0));
        let others = r.total(|k, c| (k, c) != (1, 1));
        assert_eq!(others, Counters::default());
    }

    /// Each journey lands in three classes (outcome, hold, transfer) with its own figures;
    /// a transferred journey that ends resolved is first-contact resolved; the plain path
    /// tallies class counts only.
    #[test]
    fn journeys_are_tallied_by_class() {
        let s = scenario();
        let mut c = Collector::new(&s);
        let cell = Cell::new(0, 0, 2);
        let transferred = JourneyExperience {
            transfers: 1,
            contacts: 2,
            holds: 2,
            hold_s: 90.0,
            ..JourneyExperience::PERFECT
        };
        let repeat = JourneyExperience {
            contacts: 2,
            abandons: 1,
            ..JourneyExperience::PERFECT
        };
        c.journey_closed(cell, &transferred);
        c.journey_closed(cell, &repeat);
        c.journey_ended(cell, false, false);
        let r = c.finish();
        let (t, classes) = (r.contacts[0], r.classes[0]);
        let counts: Vec<u64> = (0..7).map(|k| t.class_customers(k)).collect();
        // fcr, repeat, unresolved, held, not held, transferred, not transferred
        assert_eq!(counts, [1, 1, 1, 1, 2, 2, 1]);
        assert_eq!((t.customers, t.first_contact_resolved), (3, 1));
        let score = s.experience.score(&transferred);
        assert_eq!(classes[3].top_box, score.top_box);
        assert_eq!(classes[3].churned, 0.05);
        assert_eq!(classes[1].churned, 0.09);
        assert_eq!(classes[2].top_box, 0.0, "the plain path scores nothing");
        assert_eq!(
            t.top_box,
            score.top_box + s.experience.score(&repeat).top_box
        );
        assert_eq!(t.without_scores().class_customers(3), 1);
    }

    /// With callbacks, an accepter's journey is tallied in its first contact's type for the
    /// `called_back` class, at the same figures as in its cell; others, warmup ones and a
    /// scenario without callbacks tally nothing there.
    #[test]
    fn accepters_are_tallied_per_type() {
        let text = r#"
            [simulation]
            horizon = "2h"
            interval = "1h"
            [[call_types]]
            name = "a"
            arrival_rate = 10.0
            handle_time = { distribution = "constant", value = "1m" }
            [[call_types]]
            name = "b"
            arrival_rate = 10.0
            handle_time = { distribution = "constant", value = "1m" }
            callback = { offer_after = "1m", accept_probability = 0.5 }
            [[agent_groups]]
            name = "g"
            skills = ["a", "b"]
            agents = 1
            [experience]
        "#;
        let s = Scenario::from_toml_str(text, "test", "test").expect("valid");
        let mut c = Collector::new(&s);
        let accepter = JourneyExperience {
            wait_s: 60.0,
            called_back: true,
            ..JourneyExperience::PERFECT
        };
        c.journey_closed(Cell::new(1, 1, 2), &accepter);
        c.journey_closed(Cell::new(0, 1, 2), &accepter);
        c.journey_closed(Cell::new(0, 1, 2), &JourneyExperience::PERFECT);
        c.journey_closed(Cell::NONE, &accepter);
        let r = c.finish();
        assert_eq!(r.called_back.len(), 2);
        assert_eq!(r.called_back[0], ClassCount::default());
        let b = r.called_back[1];
        let score = s.experience.scorer().score(&accepter);
        assert_eq!(b.customers, 2);
        assert_eq!(b.tally.top_box, score.top_box + score.top_box);
        assert_eq!(b.tally.churned, score.churn * 2.0);
        // Per type, every scored journey of the type is in its classes (both accepters and
        // the perfect journey resolved at first contact), none in the other type's.
        let perfect_churn = s
            .experience
            .scorer()
            .score(&JourneyExperience::PERFECT)
            .churn;
        assert_eq!(r.classes[1][0].churned, score.churn * 2.0 + perfect_churn);
        assert_eq!(r.classes[0], [ClassTally::default(); CELL_CLASSES]);
        // The complement: the type's totals less the class.
        let all = r.total(|_, c| c == 1);
        let m = crate::stats::callback_class_metrics(&all, &b, true);
        assert_eq!(m[0][0], Some(2.0 / 3.0));
        assert_eq!(m[1][0], Some(1.0 / 3.0));
        let perfect = s.experience.scorer().score(&JourneyExperience::PERFECT);
        assert!((m[1][1].unwrap() - perfect.top_box).abs() < 1e-12);
        assert_eq!(Collector::new(&scenario()).finish().called_back, []);
    }

    /// Adding tallies adds the day closes once (they were added once per journey class).
    #[test]
    fn closes_add_once() {
        let a = Counters {
            closes: 1,
            backlog_at_close: 5,
            oldest_age_at_close: 60.0,
            ..Counters::default()
        };
        let mut t = Counters::default();
        t.add(&a);
        t.add(&a);
        assert_eq!(
            (t.closes, t.backlog_at_close, t.oldest_age_at_close),
            (2, 10, 120.0)
        );
    }

    /// A closed journey is scored once into its cell; revenue is churn × customer value.
    #[test]
    fn journeys_are_scored() {
        let s = scenario();
        let mut c = Collector::new(&s);
        let cell = Cell::new(0, 0, 2);
        let waited = JourneyExperience {
            wait_s: 120.0,
            ..JourneyExperience::PERFECT
        };
        c.journey_closed(cell, &JourneyExperience::PERFECT);
        c.journey_closed(cell, &waited);
        let t = c.finish().contacts[0];
        let e = &s.experience;
        let (p, w) = (e.score(&JourneyExperience::PERFECT), e.score(&waited));
        assert_eq!(
            (t.customers, t.resolved, t.first_contact_resolved),
            (2, 2, 2)
        );
        assert_eq!(t.csat, p.csat + w.csat);
        assert!(w.csat < p.csat);
        assert_eq!(t.churned, p.churn + w.churn);
        assert_eq!(t.revenue_at_risk, p.churn * 100.0 + w.churn * 100.0);
    }
}
