//! Unit tests of the event loop, apart from end-to-end runs: contacts are injected at chosen
//! times into scenarios without random arrivals, and a recording observer shows exactly what
//! the engine reported (the observer, [`Recorder`], and the injection helpers serve the
//! routing tests in `queue_tests` too). Covers the tie rules, the contract's shift-change rules, the drain
//! after the horizon with conservation, the one-boundary-at-a-time timetable, and the
//! absence of per-event allocation (a counting allocator, installed for this test binary).

use super::*;
use crate::model::experience::JourneyExperience;

/// One reported event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Seen {
    Offered(Cell, bool),
    Queued(Cell),
    Answered(Cell, f64),
    Abandoned(Cell, f64),
    ApprovalHold(Cell, Cell, f64),
    /// Contact and work cells, talk, holds.
    TalkEnded(Cell, Cell, f64, u32),
    Resolution(Cell, bool),
    Transferred(Cell, Cell, bool),
    JourneyClosed(Cell, JourneyExperience),
    JourneyEnded(Cell, bool, bool),
    LeftInQueue(Cell),
    AgentTime {
        interval: usize,
        group: usize,
        busy: f64,
        staffed: f64,
    },
    CallbackOffered(Cell, bool),
    CalledBack(Cell, f64),
    Blocked(Cell),
    HungUpOnHold(Cell),
    /// Backlog and oldest age at a day's close.
    ClosedWithBacklog(Cell, u32, f64),
}

/// Records every event, in order.
#[derive(Debug, Default)]
pub(super) struct Recorder {
    pub(super) seen: Vec<Seen>,
}

impl Observer for Recorder {
    fn offered(&mut self, cell: Cell, repeat: bool) {
        self.seen.push(Seen::Offered(cell, repeat));
    }
    fn queued(&mut self, cell: Cell) {
        self.seen.push(Seen::Queued(cell));
    }
    fn answered(&mut self, cell: Cell, wait: f64) {
        self.seen.push(Seen::Answered(cell, wait));
    }
    fn abandoned(&mut self, cell: Cell, wait: f64) {
        self.seen.push(Seen::Abandoned(cell, wait));
    }
    fn approval_hold(&mut self, cell: Cell, work: Cell, hold: f64) {
        self.seen.push(Seen::ApprovalHold(cell, work, hold));
    }
    fn talk_ended(&mut self, cell: Cell, work: Cell, talk: f64, holds: u32, _hold_time: f64) {
        self.seen.push(Seen::TalkEnded(cell, work, talk, holds));
    }
    fn resolution_attempt(&mut self, work: Cell, resolved: bool) {
        self.seen.push(Seen::Resolution(work, resolved));
    }
    fn transferred(&mut self, cell: Cell, work: Cell, escalated: bool) {
        self.seen.push(Seen::Transferred(cell, work, escalated));
    }
    fn journey_closed(&mut self, cell: Cell, journey: &JourneyExperience) {
        self.seen.push(Seen::JourneyClosed(cell, *journey));
    }
    fn journey_ended(&mut self, cell: Cell, resolved: bool, first_contact: bool) {
        self.seen
            .push(Seen::JourneyEnded(cell, resolved, first_contact));
    }
    fn left_in_queue(&mut self, cell: Cell) {
        self.seen.push(Seen::LeftInQueue(cell));
    }
    fn callback_offered(&mut self, cell: Cell, accepted: bool) {
        self.seen.push(Seen::CallbackOffered(cell, accepted));
    }
    fn called_back(&mut self, cell: Cell, delay: f64) {
        self.seen.push(Seen::CalledBack(cell, delay));
    }
    fn blocked(&mut self, cell: Cell) {
        self.seen.push(Seen::Blocked(cell));
    }
    fn abandoned_on_hold(&mut self, cell: Cell) {
        self.seen.push(Seen::HungUpOnHold(cell));
    }
    fn closed_with_backlog(&mut self, cell: Cell, backlog: u32, oldest_age: f64) {
        self.seen
            .push(Seen::ClosedWithBacklog(cell, backlog, oldest_age));
    }
    fn agent_time(&mut self, interval: usize, group: usize, busy: f64, staffed: f64) {
        self.seen.push(Seen::AgentTime {
            interval,
            group,
            busy,
            staffed,
        });
    }
}

impl Recorder {
    /// Waits of answered contacts, in answer order.
    pub(super) fn answered(&self) -> Vec<(Cell, f64)> {
        self.seen
            .iter()
            .filter_map(|e| match *e {
                Seen::Answered(c, w) => Some((c, w)),
                _ => None,
            })
            .collect()
    }

    fn count(&self, pred: impl Fn(&Seen) -> bool) -> usize {
        self.seen.iter().filter(|e| pred(e)).count()
    }

    /// Busy and staffed agent-seconds reported for (interval, group).
    fn agent_time(&self, k: usize, g: usize) -> (f64, f64) {
        let (mut busy, mut staffed) = (0.0, 0.0);
        for e in &self.seen {
            if let Seen::AgentTime {
                interval,
                group,
                busy: b,
                staffed: s,
            } = *e
            {
                if (interval, group) == (k, g) {
                    busy += b;
                    staffed += s;
                }
            }
        }
        (busy, staffed)
    }
}

pub(super) fn scenario(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test", "test").expect("valid test scenario")
}

const KEY: StreamKey = StreamKey {
    seed: 7,
    point: 0,
    replication: 0,
};

/// One call type "a" without random arrivals (contacts are injected), constant handle time,
/// one group with the given staffing, 1-hour intervals.
fn one_queue(horizon: &str, handle: &str, staffing: &str) -> Scenario {
    scenario(&format!(
        r#"
        [simulation]
        horizon = "{horizon}"
        interval = "1h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = {{ distribution = "constant", value = "{handle}" }}
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        staffing = {staffing}
        "#
    ))
}

impl Engine<'_, Recorder> {
    /// Handles every event due at or before `t`.
    pub(super) fn run_until(&mut self, t: f64) {
        while self.calendar.next_time().min(self.first_arrival.0) <= t {
            assert!(self.step_any());
        }
    }

    /// A new customer of type `c` arrives at `t`, after every event due by then (the tie
    /// rule of external arrivals).
    pub(super) fn inject(&mut self, t: f64, c: usize) {
        self.run_until(t);
        self.now = t;
        if self.plain {
            self.plain_contact_arrives::<false>(c, None);
        } else {
            self.contact_arrives(c, None);
        }
    }

    /// The contact cell of type `c` in interval `k`.
    pub(super) fn cell(&self, k: usize, c: usize) -> Cell {
        Cell::new(k, c, self.scenario.call_types.len())
    }
}

/// An external arrival at the same instant as a calendar event goes after it: the agent who
/// finishes at t takes the caller arriving at t without a wait.
#[test]
fn arrival_loses_a_tie_with_a_calendar_event() {
    let s = one_queue("1h", "1m", "[1]");
    for (arrival, queued) in [(60.0, false), (59.5, true)] {
        let mut e = Engine::new(&s, KEY, Recorder::default());
        e.inject(0.0, 0);
        assert_eq!(e.calendar.next_time(), 60.0, "talk ends at 60 s");
        e.arrivals[0].next = arrival;
        e.first_arrival = (arrival, 0);
        e.run_until(60.0);
        let cell = e.cell(0, 0);
        let answered = e.observer.answered();
        if queued {
            assert_eq!(e.observer.count(|x| *x == Seen::Queued(cell)), 1);
            assert_eq!(answered, vec![(cell, 0.0), (cell, 0.5)]);
        } else {
            assert_eq!(e.observer.count(|x| matches!(x, Seen::Queued(_))), 0);
            assert_eq!(answered, vec![(cell, 0.0), (cell, 0.0)]);
        }
        assert_eq!(e.first_arrival.0, f64::INFINITY, "rate 0: no arrival drawn");
    }
}

/// Two agents finishing at the same instant finish in the order their talks were
/// scheduled (FIFO on equal times), so the one who started first is idle first.
#[test]
fn equal_times_come_out_in_scheduling_order() {
    let s = one_queue("1h", "1m", "[2]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0); // agent 0
    e.inject(0.0, 0); // agent 1
    assert!(e.step_any()); // first talk end at 60 s
    assert_eq!(e.now, 60.0);
    assert_eq!(e.groups[0].idle, [0]);
    assert!(e.step_any());
    assert_eq!(e.groups[0].idle, [0, 1]);
}

/// A contact belongs to the interval the clock is in: boundaries come before an arrival at
/// the same instant.
#[test]
fn contacts_belong_to_the_interval_of_their_arrival() {
    let s = one_queue("3h", "1s", "[1, 1, 1]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(3599.5, 0);
    e.inject(3600.0, 0);
    e.inject(7300.0, 0);
    let cells: Vec<Cell> = e.observer.answered().iter().map(|a| a.0).collect();
    assert_eq!(cells, vec![e.cell(0, 0), e.cell(1, 0), e.cell(2, 0)]);
}

/// Headcount drops by one with both agents busy: nobody is cut off; the first to finish
/// goes home instead of taking the waiting contact, the other one takes it.
#[test]
fn headcount_drop_with_busy_agents_waits_for_them_to_finish() {
    let s = one_queue("2h", "90m", "[2, 1]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0); // ends 5400
    e.inject(600.0, 0); // ends 6000
    e.run_until(3600.0);
    assert_eq!((e.groups[0].present, e.groups[0].leaving), (2, 1));
    assert_eq!(e.groups[0].busy(), 2);
    e.inject(4000.0, 0); // waits: both busy
    e.run_until(5400.0);
    assert_eq!((e.groups[0].present, e.groups[0].leaving), (1, 0));
    assert_eq!(e.waiting[0], 1, "the leaving agent did not take it");
    e.run();
    let (c0, c1) = (e.cell(0, 0), e.cell(1, 0));
    assert_eq!(
        e.observer.answered(),
        vec![(c0, 0.0), (c0, 0.0), (c1, 2000.0)]
    );
    // Staffed: 2 agents in hour 0; in hour 1, 2 until 5400 and 1 after. Busy: A 0–5400,
    // B 600–6000, then B on C from 6000 past the horizon (7200).
    assert_eq!(e.observer.agent_time(0, 0), (6600.0, 7200.0));
    assert_eq!(e.observer.agent_time(1, 0), (5400.0, 5400.0));
    assert_eq!(e.now, 6000.0 + 5400.0, "C is served after the horizon");
}

/// Idle agents leave first when the headcount drops; an agent about to go home stays when
/// the headcount rises again (nobody leaves and is replaced).
#[test]
fn idle_leave_first_and_leaving_agents_stay_on_a_rise() {
    let s = one_queue("3h", "150m", "[3, 1, 2]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0);
    e.inject(0.0, 0);
    e.run_until(3600.0);
    // One idle agent left at once; one busy agent leaves when done.
    assert_eq!((e.groups[0].present, e.groups[0].leaving), (2, 1));
    assert_eq!(e.groups[0].off_shift, [2]);
    e.run_until(7200.0);
    // Target 2 = present 2 − leaving 1 + 1: the leaving agent stays, nobody new comes.
    assert_eq!((e.groups[0].present, e.groups[0].leaving), (2, 0));
    assert_eq!(e.agents.len(), 3);
    assert_eq!(e.groups[0].off_shift, [2]);
}

/// Headcount rises with contacts waiting: the new agents take them at once, longest
/// waiting first.
#[test]
fn headcount_rise_takes_waiting_contacts_at_once() {
    let s = one_queue("2h", "2h", "[1, 3]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    for t in [0.0, 10.0, 20.0] {
        e.inject(t, 0);
    }
    assert_eq!(e.waiting[0], 2);
    e.run_until(3600.0);
    let c0 = e.cell(0, 0);
    assert_eq!(
        e.observer.answered(),
        vec![(c0, 0.0), (c0, 3590.0), (c0, 3580.0)]
    );
    assert_eq!((e.groups[0].present, e.groups[0].busy()), (3, 3));
}

/// Equal headcount at a boundary: nothing happens — the same agents stay, in the same idle
/// order (the longest-idle agent keeps its place).
#[test]
fn equal_headcount_changes_nothing() {
    let s = one_queue("2h", "30m", "[2, 2]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0); // agent 0 busy until 1800, then idle behind agent 1
    e.run_until(3599.0);
    assert_eq!(e.groups[0].idle, [1, 0]);
    e.run_until(3600.0);
    assert_eq!(e.groups[0].idle, [1, 0]);
    assert_eq!((e.groups[0].present, e.groups[0].leaving), (2, 0));
    assert!(e.groups[0].off_shift.is_empty());
    assert_eq!(e.agents.len(), 2);
    e.inject(4000.0, 0);
    assert_eq!(e.groups[0].idle, [0], "agent 1, idle since 0 s, took it");
}

/// After the horizon the last interval's staff stays until every contact has left: all are
/// answered, and busy/staffed time is counted up to the horizon only.
#[test]
fn the_center_drains_after_the_horizon() {
    let s = one_queue("1h", "30m", "[1]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    for t in [0.0, 1.0, 2.0, 3.0] {
        e.inject(t, 0);
    }
    e.run();
    let c0 = e.cell(0, 0);
    assert_eq!(
        e.observer.answered(),
        vec![(c0, 0.0), (c0, 1799.0), (c0, 3598.0), (c0, 5397.0)]
    );
    assert_eq!(e.now, 7200.0);
    assert_eq!(e.observer.count(|x| matches!(x, Seen::LeftInQueue(_))), 0);
    assert_eq!(e.observer.agent_time(0, 0), (3600.0, 3600.0));
}

/// With nobody staffed in the last interval, contacts still waiting are reported as left in
/// the queue: offered = answered + abandoned + left, per cell.
#[test]
fn contacts_nobody_can_serve_are_counted_at_the_end() {
    let s = one_queue("2h", "50m", "[1, 0]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    for t in [0.0, 10.0, 20.0] {
        e.inject(t, 0);
    }
    e.run_until(3600.0);
    assert_eq!((e.groups[0].present, e.groups[0].leaving), (1, 1));
    e.run();
    assert_eq!(e.groups[0].present, 0);
    let c0 = e.cell(0, 0);
    assert_eq!(e.observer.answered(), vec![(c0, 0.0), (c0, 2990.0)]);
    assert_eq!(e.observer.seen.last(), Some(&Seen::LeftInQueue(c0)));
    assert_conserved(&e.observer);
}

/// offered = answered + abandoned + left in queue in every cell.
fn assert_conserved(r: &Recorder) {
    let mut cells: Vec<Cell> = r
        .seen
        .iter()
        .filter_map(|e| match *e {
            Seen::Offered(c, _) => Some(c),
            _ => None,
        })
        .collect();
    cells.sort_by_key(|c| c.index());
    cells.dedup();
    for cell in cells {
        let offered = r.count(|e| matches!(e, Seen::Offered(c, _) if *c == cell));
        let ended = r.count(|e| {
            matches!(e, Seen::Answered(c, _) | Seen::Abandoned(c, _) | Seen::LeftInQueue(c)
                if *c == cell)
        });
        assert_eq!(offered, ended, "cell {cell:?}");
    }
}

/// Conservation in a busy random run with abandonment, redials, transfers, a staffing dip
/// to zero and a drain: every offered contact ends answered, abandoned or left waiting.
#[test]
fn conservation_in_a_random_run() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "4h"
        interval = "1h"
        warmup = "30m"
        [[call_types]]
        name = "a"
        volumes = [300, 500, 400, 200]
        handle_time = { distribution = "exponential", mean = "5m" }
        patience = { distribution = "exponential", mean = "2m" }
        transfer = { to = "b", probability = 0.2 }
        [[call_types]]
        name = "b"
        arrival_rate = 30.0
        handle_time = { distribution = "lognormal", mean = "8m", sd = "4m" }
        patience = { distribution = "constant", value = "3m" }
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        staffing = [20, 25, 0, 18]
        [[agent_groups]]
        name = "h"
        skills = ["b"]
        staffing = [2, 2, 2, 0]
        [customers]
        redial_probability = 0.5
        redial_delay = { distribution = "exponential", mean = "5m" }
        "#,
    );
    let r = simulate_with(&s, KEY, Recorder::default());
    assert!(r.count(|e| matches!(e, Seen::Abandoned(..))) > 50);
    assert!(r.count(|e| matches!(e, Seen::Transferred(..))) > 50);
    assert!(
        r.count(|e| matches!(e, Seen::Offered(_, true))) > 20,
        "redials"
    );
    assert_conserved(&r);
    // Uncounted (warmup) contacts are reported with no cell; all others have one.
    assert!(r.count(|e| *e == Seen::Offered(Cell::NONE, false)) > 0);
    // Staffed time per interval = headcount × length within [warmup, horizon] where the
    // headcount rises; where it drops to 0, busy agents stay until they finish.
    let want = [(0, 20.0 * 1800.0), (1, 25.0 * 3600.0), (3, 18.0 * 3600.0)];
    for (k, staffed) in want {
        assert!(
            (r.agent_time(k, 0).1 - staffed).abs() < 1e-6,
            "interval {k}"
        );
    }
    let (busy, staffed) = r.agent_time(2, 0);
    assert!(0.0 < busy && busy <= staffed && staffed < 25.0 * 3600.0);
}

/// A year at 30-minute intervals: the boundaries come one at a time from the timetable
/// (never more than the pending one, never in the heap), each at its exact time.
#[test]
fn boundaries_are_scheduled_one_at_a_time() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "365d"
        interval = "30m"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "1m" }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        agents = 3
        "#,
    );
    let intervals = s.simulation.intervals;
    assert_eq!(intervals, 17_520);
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let mut last = 0;
    while e.step_any() {
        assert_eq!(e.calendar.pending(), 0);
        if e.interval != last {
            assert_eq!(e.interval, last + 1);
            assert_eq!(e.now, e.interval as f64 * 1800.0);
            last = e.interval;
        }
    }
    assert_eq!(last, intervals - 1);
    for k in [0, 1, 9_000, intervals - 1] {
        assert_eq!(
            e.observer.agent_time(k, 0),
            (0.0, 3.0 * 1800.0),
            "interval {k}"
        );
    }
}

/// Counts heap allocations per thread (the test harness runs tests on several threads).
mod allocations {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static COUNT: Cell<u64> = const { Cell::new(0) };
    }

    struct Counting;

    // SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
    // const-initialised thread-local without a destructor, so touching it never allocates.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            COUNT.with(|c| c.set(c.get() + 1));
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            COUNT.with(|c| c.set(c.get() + 1));
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// Allocations made by this thread so far.
    pub fn count() -> u64 {
        COUNT.with(|c| c.get())
    }
}

/// No allocation per event: once slots, queues and the heap have grown to their working
/// size, 150,000 events (arrivals, answers, abandonments, transfers, after-call work,
/// redials) allocate at most a handful of times (amortised growth at a new peak; 3 when
/// written). Hashing cannot be tested this way; the engine has no hash map.
#[test]
fn the_event_loop_does_not_allocate_per_event() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "24h"
        interval = "30m"
        [[call_types]]
        name = "a"
        arrival_rate = 3000.0
        handle_time = { distribution = "exponential", mean = "4m" }
        patience = { distribution = "exponential", mean = "2m" }
        after_call_work = { distribution = "constant", value = "20s" }
        transfer = { to = "b", probability = 0.1 }
        [[call_types]]
        name = "b"
        arrival_rate = 100.0
        handle_time = { distribution = "lognormal", mean = "6m", sd = "3m" }
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        agents = 240
        [customers]
        redial_probability = 0.3
        redial_delay = { distribution = "exponential", mean = "10m" }
        "#,
    );
    let mut e = Engine::new(&s, KEY, Collector::new(&s));
    for _ in 0..50_000 {
        assert!(e.step_any());
    }
    let before = allocations::count();
    let mut events = 0;
    while events < 150_000 && e.step_any() {
        events += 1;
    }
    let allocated = allocations::count() - before;
    assert_eq!(events, 150_000);
    assert!(
        allocated <= 16,
        "{allocated} allocations in {events} events"
    );
}

/// A plain scenario with every plain mechanic: two types, transfers, abandonment (random
/// and constant patience), after-call work, warmup, a staffing dip to zero and a drain.
const MIXED_PLAIN: &str = r#"
        [simulation]
        horizon = "4h"
        interval = "1h"
        warmup = "30m"
        [[call_types]]
        name = "a"
        volumes = [300, 500, 400, 200]
        handle_time = { distribution = "exponential", mean = "5m" }
        patience = { distribution = "exponential", mean = "2m" }
        transfer = { to = "b", probability = 0.3 }
        after_call_work = { distribution = "constant", value = "30s" }
        [[call_types]]
        name = "b"
        arrival_rate = 30.0
        handle_time = { distribution = "lognormal", mean = "8m", sd = "4m" }
        patience = { distribution = "constant", value = "3m" }
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        staffing = [20, 25, 0, 18]
        [[agent_groups]]
        name = "h"
        skills = ["b"]
        staffing = [2, 2, 2, 0]
        "#;

/// The plain fast path (no experience model: no journeys kept, nothing scored) is the full
/// path minus the scoring: the same scenario with an (all-default) `[experience]` section,
/// which takes the full path, gives bit-identical tallies except the scored sums, and
/// identical customers, resolutions and first-contact resolutions — with transfers,
/// abandonment, after-call work, warmup, a staffing dip to zero and a drain.
#[test]
fn plain_path_matches_the_full_path() {
    let plain = MIXED_PLAIN;
    let (p, f) = (
        scenario(plain),
        scenario(&format!("{plain}\n[experience]\n")),
    );
    assert!(plain_mechanics(&p) && !p.experience_model);
    assert!(!plain_mechanics(&f) && f.experience_model);
    let (rp, rf) = (simulate(&p, KEY), simulate(&f, KEY));
    let unscored = |r: &ReplicationResult| {
        let mut r = r.clone();
        for c in &mut r.contacts {
            *c = c.without_scores();
        }
        r.classes.fill(Default::default());
        r
    };
    assert_eq!(rp, unscored(&rp), "nothing scored on the plain path");
    assert_eq!(rp, unscored(&rf));
    let total = rp.total(|_, _| true);
    assert!(total.transferred > 50 && total.abandoned > 50);
    // FCR per SQM: a transfer that ends resolved counts, and plain customers never come
    // back, so every resolved plain journey is first-contact resolved.
    assert!(total.first_contact_resolved == total.resolved && total.resolved < total.customers);
    // Journeys ended by the plain path, event by event.
    let r = simulate_with(&p, KEY, Recorder::default());
    assert_eq!(r.count(|e| matches!(e, Seen::JourneyClosed(..))), 0);
    assert!(r.count(|e| matches!(e, Seen::JourneyEnded(_, true, false))) > 0);
    assert!(r.count(|e| matches!(e, Seen::JourneyEnded(_, false, true))) > 0);
}

/// Busy and staffed time are signed sums per report (see `Group::sums`): a constant
/// headcount reports exactly headcount × interval staffed seconds (the per-event
/// integration it replaced read 4.999999999999998 agents), busy time never exceeds it, and
/// the busy time of one interval is what its talks add up to.
#[test]
fn agent_time_is_exact_for_a_constant_headcount() {
    let s = one_queue("3h", "7m", "[5, 5, 5]");
    let mut e = Engine::new(&s, KEY, Recorder::default());
    // Irregular arrival times: the per-event integration this replaced summed 5·dt over
    // them and read 18000.000000000007 staffed seconds in the first hour.
    for k in 0..100 {
        e.inject(k as f64 * 71.3 + (k % 7) as f64 * 0.113, 0);
    }
    e.run();
    let r = e.observer;
    for k in 0..3 {
        let (busy, staffed) = r.agent_time(k, 0);
        assert_eq!(staffed, 5.0 * 3600.0, "interval {k}");
        assert!(busy <= staffed);
    }
    // 100 talks of 7 minutes (42,000 agent-seconds of work for 5 agents: all done within
    // the horizon): busy time adds up to them, rounding only.
    let busy: f64 = (0..3).map(|k| r.agent_time(k, 0).0).sum();
    assert!((busy - 100.0 * 420.0).abs() < 1e-6, "{busy}");
}

/// The lean copy of the event loop (plain, and none of chat, callbacks, routing rules, hold
/// patience or breaks: their checks compiled out) reports exactly the events, in the same
/// order and with the same values, as the general copy — with transfers, abandonment,
/// after-call work, warmup, a staffing dip to zero and a drain.
#[test]
fn lean_loop_matches_the_general_loop() {
    let s = scenario(MIXED_PLAIN);
    let run = |lean: bool| {
        let mut e = Engine::new(&s, KEY, Recorder::default());
        assert!(e.lean, "the scenario qualifies for the lean loop");
        e.lean = lean;
        e.run();
        e.observer.seen
    };
    let (lean, general) = (run(true), run(false));
    assert!(lean.len() > 5_000);
    assert_eq!(lean, general);
    // With chat concurrency the scenario takes the general loop.
    let chat = scenario(
        r#"
        [simulation]
        horizon = "1h"
        interval = "1h"
        [[call_types]]
        name = "a"
        arrival_rate = 60.0
        handle_time = { distribution = "exponential", mean = "5m" }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        agents = 8
        max_concurrent = 2
        "#,
    );
    assert!(!Engine::new(&chat, KEY, Recorder::default()).lean);
}

// ---------------------------------------------------------------------------------------------
// Chat concurrency and callbacks (src/engine/chat.rs, src/engine/callback.rs)
// ---------------------------------------------------------------------------------------------

/// Talk times reported, in the order talks ended.
fn talks(r: &Recorder) -> Vec<f64> {
    r.seen
        .iter()
        .filter_map(|e| match *e {
            Seen::TalkEnded(_, _, t, _) => Some(t),
            _ => None,
        })
        .collect()
}

/// Waits of answered contacts with their call type, in answer order.
fn answered_types(e: &Engine<'_, Recorder>) -> Vec<(usize, f64)> {
    let n = e.scenario.call_types.len();
    e.observer
        .answered()
        .into_iter()
        .map(|(c, w)| (c.index().unwrap() % n, w))
        .collect()
}

/// Two windows and a 50% slowdown: the second chat in hand takes 1.5 × its handle time, a
/// waiting chat goes to the window that frees, and busy time counts each chat as half an
/// agent.
#[test]
fn chat_windows_with_slowdown() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "1h"
        interval = "1h"
        [[call_types]]
        name = "c"
        channel = "chat"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "60s" }
        [[agent_groups]]
        name = "g"
        skills = ["c"]
        agents = 1
        max_concurrent = 2
        chat_slowdown = 0.5
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0);
    e.inject(10.0, 0);
    e.inject(20.0, 0);
    e.run();
    assert_eq!(answered_types(&e), vec![(0, 0.0), (0, 0.0), (0, 40.0)]);
    assert_eq!(talks(&e.observer), vec![60.0, 90.0, 90.0]);
    // 240 window-seconds = 120 agent-seconds busy, of 3600 staffed.
    assert_eq!(e.observer.agent_time(0, 0), (120.0, 3600.0));
}

/// A person with a chat in hand takes no voice call (the call waits for it to be free), and a
/// person on a voice call takes no chat.
#[test]
fn voice_waits_for_a_free_person_and_a_voice_call_fills_it() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "1h"
        interval = "1h"
        [[call_types]]
        name = "v"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "100s" }
        [[call_types]]
        name = "c"
        channel = "chat"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "60s" }
        [[agent_groups]]
        name = "g"
        skills = ["v", "c"]
        agents = 1
        max_concurrent = 3
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 1); // chat until 60
    e.inject(10.0, 0); // voice: waits for both chats to end
    e.inject(20.0, 1); // chat in a free window until 80
    e.inject(90.0, 1); // the person is on the voice call (80–180): waits
    e.run();
    assert_eq!(
        answered_types(&e),
        vec![(1, 0.0), (1, 0.0), (0, 70.0), (1, 90.0)]
    );
    // Busy: chats 60 + 60 + 60 window-seconds / 3, voice 100.
    let (busy, _) = e.observer.agent_time(0, 0);
    assert!((busy - 160.0).abs() < 1e-9, "{busy}");
}

fn callback_scenario(only_when_idle: bool) -> Scenario {
    scenario(&format!(
        r#"
        [simulation]
        horizon = "1h"
        interval = "1h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = {{ distribution = "constant", value = "100s" }}
        patience = {{ distribution = "constant", value = "45s" }}
        callback = {{ offer_after = "30s", accept_probability = 1.0, only_when_idle = {only_when_idle} }}
        [[call_types]]
        name = "b"
        arrival_rate = 0.0
        handle_time = {{ distribution = "constant", value = "100s" }}
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        agents = 1
        "#
    ))
}

/// An accepter keeps its place in the FIFO order, never abandons, and is called back when
/// the agent frees; the delay runs from acceptance.
#[test]
fn accepters_keep_their_place_and_do_not_abandon() {
    let s = callback_scenario(false);
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0); // served 0–100
    e.inject(1.0, 0); // offered at 31, accepts; would have hung up at 46
    e.inject(2.0, 0); // offered at 32, accepts
    e.inject(40.0, 1); // a live caller of the other skill, behind in skill order
    e.run();
    assert_eq!(e.observer.count(|x| matches!(x, Seen::Abandoned(..))), 0);
    let cell = e.cell(0, 0);
    assert_eq!(
        e.observer
            .count(|x| *x == Seen::CallbackOffered(cell, true)),
        2
    );
    let delays: Vec<f64> = e
        .observer
        .seen
        .iter()
        .filter_map(|x| match *x {
            Seen::CalledBack(_, d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(delays, vec![69.0, 168.0]);
    assert_eq!(
        answered_types(&e),
        vec![(0, 0.0), (0, 99.0), (0, 198.0), (1, 260.0)]
    );
}

/// With `only_when_idle`, a live caller goes before an accepter, whatever the skill order.
#[test]
fn only_when_idle_accepters_wait_for_live_callers() {
    let s = callback_scenario(true);
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0); // served 0–100
    e.inject(1.0, 0); // accepts at 31: leaves the live queue
    e.inject(40.0, 1); // live: served first, at 100
    e.run();
    assert_eq!(answered_types(&e), vec![(0, 0.0), (1, 60.0), (0, 199.0)]);
    assert_eq!(e.observer.count(|x| matches!(x, Seen::Abandoned(..))), 0);
    assert_eq!(e.observer.count(|x| matches!(x, Seen::LeftInQueue(..))), 0);
}

/// An accepter nobody calls back before the center closes is reported left in the queue.
#[test]
fn accepters_never_called_back_are_left_in_queue() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        interval = "1h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "30m" }
        callback = { offer_after = "1m", accept_probability = 1.0, only_when_idle = true }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        staffing = [1, 0]
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0); // served 0–30m
    e.inject(1.0, 0); // served 30m–60m
    e.inject(2.0, 0); // accepts at 62 s; the agent goes home at 60m
    e.run();
    let cell = e.cell(0, 0);
    assert_eq!(e.observer.count(|x| *x == Seen::LeftInQueue(cell)), 1);
    assert_eq!(e.observer.count(|x| matches!(x, Seen::CalledBack(..))), 1);
}

/// A replication collected into a spare result (an earlier replication's, tallies and all) is
/// the replication collected afresh; a spare of another shape is not used.
#[test]
fn a_reused_result_is_a_fresh_one() {
    let text = |callback: &str| {
        format!(
            r#"
            [simulation]
            horizon = "3h"
            interval = "30m"
            [[call_types]]
            name = "a"
            arrival_rate = 50.0
            handle_time = {{ distribution = "exponential", mean = "5m" }}
            patience = {{ distribution = "exponential", mean = "3m" }}
            {callback}
            [[agent_groups]]
            name = "g"
            skills = ["a"]
            agents = 4
            "#
        )
    };
    for callback in [
        "",
        r#"callback = { offer_after = "30s", accept_probability = 0.5 }"#,
    ] {
        let s = scenario(&text(callback));
        let other_key = StreamKey {
            replication: 9,
            ..KEY
        };
        let dirty = simulate(&s, other_key);
        assert!(dirty.contacts.iter().any(|c| c.offered > 0));
        assert_eq!(simulate_reusing(&s, KEY, Some(dirty)), simulate(&s, KEY));
    }
    // Another shape (one interval): ignored, a new result is made.
    let s = scenario(&text(""));
    let other = scenario(&text("").replace("interval = \"30m\"", "interval = \"3h\""));
    let spare = simulate(&other, KEY);
    assert!(!spare.fits(&s));
    let r = simulate_reusing(&s, KEY, Some(spare));
    assert_eq!((r.intervals, r), (6, simulate(&s, KEY)));
}
