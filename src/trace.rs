//! The contact trace (`ccsim run --trace FILE`): one replication's contacts, one CSV row
//! each, for researchers who check a mechanic or fit it to their own logs.
//!
//! The engine follows single contacts only for an observer whose [`Observer::TRACES`] is
//! true (a compile-time constant: the tallying runs compile the trace calls away). It then
//! reports a contact's arrival, answer, holds, callback offer and end through
//! [`Observer::trace_arrival`] and [`Observer::trace`]; [`Tracer`] turns those into rows,
//! written as contacts end (streamed: memory holds only the contacts in the system), while
//! passing every event on to an inner observer unchanged. Tracing draws no random numbers
//! and changes no decision, so the traced replication's results are the untraced run's.
//!
//! Columns (docs/trace.md), in order (times in seconds since the scenario's start; the row order is the
//! order in which contacts ended):
//!
//! | column | meaning |
//! |---|---|
//! | `replication` | the replication traced, numbered from 0 as in the CSV output |
//! | `id` | the contact's number, in arrival order from 0 |
//! | `journey` | its customer's number, in order of first contact from 0 (transfers and repeat contacts share it) |
//! | `kind` | `first` (a new customer), `transfer`, or `return` (a callback after an unresolved contact, or a redial) |
//! | `call_type`, `channel` | the contact's call type and its channel (`voice`, `chat`, `email`) |
//! | `counted` | 1 when it arrived after warmup (the contacts the report counts), else 0 |
//! | `arrival_s` | when it arrived |
//! | `answered_s` | when an agent took it (for a callback accepter: when called back); empty if never |
//! | `group`, `agent` | the agent group and agent (a number within the replication) that took it |
//! | `holds`, `hold_s`, `hold_lengths_s` | its holds: count, total seconds, and each length `;`-separated (look-up holds in order, then the approval hold) |
//! | `callback` | `accepted` or `declined` when offered a callback, else empty |
//! | `transfer_to` | the call type it was transferred to (outcome `transferred`) |
//! | `end_s` | when it left: end of talk, hang-up, busy signal (= arrival), or the end of the run for those still waiting |
//! | `outcome` | see [`ContactOutcome`] |

use crate::model::experience::JourneyExperience;
use crate::scenario::Scenario;
use crate::stats::{Cell, Collector, Observer};
/// The events the engine reports about single contacts (defined beside [`Observer`], whose
/// vocabulary they are).
pub use crate::stats::{ContactKind, ContactOutcome, TraceEvent};
use std::io::{self, Write};

/// Runs replication `replication` of `scenario` (the same stream key as in a run, so the
/// same contacts) and writes its trace to `out`; returns the writer and the row count.
///
/// # Errors
/// Write errors.
pub fn write_trace<W: Write>(
    scenario: &Scenario,
    replication: u32,
    out: W,
) -> io::Result<(W, u64)> {
    let key = crate::experiment::stream_key(scenario, 0, replication);
    let tracer = Tracer::new(scenario, replication, Collector::new(scenario), out)?;
    let (_, out, rows) = crate::engine::simulate_with(scenario, key, tracer).finish()?;
    Ok((out, rows))
}

/// The header of a trace file.
pub const COLUMNS: [&str; 18] = [
    "replication",
    "id",
    "journey",
    "kind",
    "call_type",
    "channel",
    "counted",
    "arrival_s",
    "answered_s",
    "group",
    "agent",
    "holds",
    "hold_s",
    "hold_lengths_s",
    "callback",
    "transfer_to",
    "end_s",
    "outcome",
];

/// A contact in the system, as far as traced.
#[derive(Debug, Clone)]
struct Open {
    id: u64,
    journey: u64,
    kind: ContactKind,
    call_type: u32,
    counted: bool,
    arrival: f64,
    answered: f64,
    agent: u32,
    group: u32,
    holds: Vec<f64>,
    callback: Option<bool>,
    /// The key was handed out by the tracer (returned to `free` at the end) rather than
    /// given by the engine.
    owned: bool,
}

impl Default for Open {
    fn default() -> Self {
        Open {
            id: 0,
            journey: 0,
            kind: ContactKind::First,
            call_type: 0,
            counted: false,
            arrival: 0.0,
            answered: f64::NAN,
            agent: 0,
            group: 0,
            holds: Vec::new(),
            callback: None,
            owned: false,
        }
    }
}

/// An observer that writes the contact trace to `out` and passes every event on to `inner`
/// (so a traced run can still tally). Rows go out as contacts end; keys are recycled, so
/// memory holds only the contacts in the system. Write errors are kept and returned by
/// [`Tracer::finish`] (an observer cannot fail).
pub struct Tracer<'s, O, W: Write> {
    inner: O,
    out: csv::Writer<W>,
    scenario: &'s Scenario,
    replication: String,
    /// By key: the contact holding it (a journey slot of the engine, or one handed out here).
    open: Vec<Open>,
    free: Vec<u32>,
    next_id: u64,
    next_journey: u64,
    /// The journey of the contact that ended last (a transfer's journey: the transferring
    /// contact ends just before its transfer arrives).
    last_journey: u64,
    rows: u64,
    error: Option<io::Error>,
    /// Field buffers, reused for every row.
    fields: [String; COLUMNS.len()],
}

impl<'s, O: Observer, W: Write> Tracer<'s, O, W> {
    /// A tracer of `scenario`'s replication `replication` (for the first column) writing
    /// the header at once.
    ///
    /// # Errors
    /// When the header cannot be written.
    pub fn new(scenario: &'s Scenario, replication: u32, inner: O, out: W) -> io::Result<Self> {
        let mut out = csv::WriterBuilder::new()
            .buffer_capacity(64 * 1024)
            .from_writer(out);
        out.write_record(COLUMNS)
            .map_err(crate::report::csv::io_error)?;
        Ok(Tracer {
            inner,
            out,
            scenario,
            replication: replication.to_string(),
            open: Vec::new(),
            free: Vec::new(),
            next_id: 0,
            next_journey: 0,
            last_journey: 0,
            rows: 0,
            error: None,
            fields: Default::default(),
        })
    }

    /// Flushes the rows and returns the inner observer, the writer and the number of rows.
    ///
    /// # Errors
    /// The first write error met while tracing, or the flush's.
    pub fn finish(self) -> io::Result<(O, W, u64)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let out = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok((self.inner, out, self.rows))
    }

    /// The contacts still open (for tests: zero after a run, every contact has ended).
    pub fn open_contacts(&self) -> usize {
        self.open.iter().filter(|o| o.id != u64::MAX).count()
    }

    fn write_row(&mut self, key: u32, time: f64, outcome: ContactOutcome) {
        let o = &self.open[key as usize];
        let s = self.scenario;
        let ct = &s.call_types[o.call_type as usize];
        let f = &mut self.fields;
        for x in f.iter_mut() {
            x.clear();
        }
        use std::fmt::Write as _;
        f[0].push_str(&self.replication);
        let _ = write!(f[1], "{}", o.id);
        let _ = write!(f[2], "{}", o.journey);
        f[3].push_str(o.kind.key());
        f[4].push_str(&ct.name);
        f[5].push_str(ct.channel.key());
        f[6].push_str(if o.counted { "1" } else { "0" });
        let _ = write!(f[7], "{}", o.arrival);
        if !o.answered.is_nan() {
            let _ = write!(f[8], "{}", o.answered);
            f[9].push_str(&s.agent_groups[o.group as usize].name);
            let _ = write!(f[10], "{}", o.agent);
        }
        let _ = write!(f[11], "{}", o.holds.len());
        let mut total = 0.0;
        for (i, h) in o.holds.iter().enumerate() {
            total += h;
            if i > 0 {
                f[13].push(';');
            }
            let _ = write!(f[13], "{h}");
        }
        let _ = write!(f[12], "{total}");
        if let Some(accepted) = o.callback {
            f[14].push_str(if accepted { "accepted" } else { "declined" });
        }
        if let ContactOutcome::Transferred { to } = outcome {
            f[15].push_str(&s.call_types[to as usize].name);
        }
        let _ = write!(f[16], "{time}");
        f[17].push_str(outcome.key());
        if self.error.is_none() {
            if let Err(e) = self.out.write_record(&self.fields) {
                self.error = Some(crate::report::csv::io_error(e));
            }
        }
        self.rows += 1;
    }
}

impl<O: Observer, W: Write> Observer for Tracer<'_, O, W> {
    const TRACES: bool = true;

    fn trace_arrival(
        &mut self,
        key: Option<u32>,
        call_type: usize,
        kind: ContactKind,
        time: f64,
        counted: bool,
    ) -> u32 {
        let (k, owned) = match key {
            Some(k) => (k, false),
            None => match self.free.pop() {
                Some(k) => (k, true),
                None => (self.open.len() as u32, true),
            },
        };
        if self.open.len() <= k as usize {
            self.open.resize_with(k as usize + 1, || Open {
                id: u64::MAX,
                ..Open::default()
            });
        }
        let o = &mut self.open[k as usize];
        let journey = match kind {
            ContactKind::First => {
                self.next_journey += 1;
                self.next_journey - 1
            }
            ContactKind::Transfer => self.last_journey,
            ContactKind::Return => o.journey,
        };
        o.id = self.next_id;
        self.next_id += 1;
        o.journey = journey;
        o.kind = kind;
        o.call_type = call_type as u32;
        o.counted = counted;
        o.arrival = time;
        o.answered = f64::NAN;
        o.holds.clear();
        o.callback = None;
        o.owned = owned;
        self.inner
            .trace_arrival(Some(k), call_type, kind, time, counted);
        k
    }

    fn trace(&mut self, key: u32, time: f64, event: TraceEvent) {
        self.inner.trace(key, time, event);
        let o = &mut self.open[key as usize];
        match event {
            TraceEvent::Answered { agent, group } => {
                o.answered = time;
                o.agent = agent;
                o.group = group;
            }
            TraceEvent::Hold(h) => o.holds.push(h),
            TraceEvent::Callback { accepted } => o.callback = Some(accepted),
            TraceEvent::End(outcome) => {
                self.last_journey = o.journey;
                let owned = o.owned;
                self.write_row(key, time, outcome);
                self.open[key as usize].id = u64::MAX;
                if owned {
                    self.free.push(key);
                }
            }
        }
    }

    #[inline]
    fn offered(&mut self, cell: Cell, repeat: bool) {
        self.inner.offered(cell, repeat)
    }
    #[inline]
    fn queued(&mut self, cell: Cell) {
        self.inner.queued(cell)
    }
    #[inline]
    fn answered_within(&mut self, cell: Cell, wait: f64, threshold: f64) {
        self.inner.answered_within(cell, wait, threshold);
    }
    fn answered_in_business_time(&mut self, cell: Cell) {
        self.inner.answered_in_business_time(cell);
    }
    fn closed_with_backlog(&mut self, cell: Cell, backlog: u32, oldest_age: f64) {
        self.inner.closed_with_backlog(cell, backlog, oldest_age);
    }
    fn answered(&mut self, cell: Cell, wait: f64) {
        self.inner.answered(cell, wait)
    }
    #[inline]
    fn abandoned(&mut self, cell: Cell, wait: f64) {
        self.inner.abandoned(cell, wait)
    }
    #[inline]
    fn approval_hold(&mut self, cell: Cell, work: Cell, hold: f64) {
        self.inner.approval_hold(cell, work, hold)
    }
    #[inline]
    fn talk_ended(&mut self, cell: Cell, work: Cell, talk: f64, holds: u32, hold_time: f64) {
        self.inner.talk_ended(cell, work, talk, holds, hold_time)
    }
    #[inline]
    fn resolution_attempt(&mut self, work: Cell, resolved: bool) {
        self.inner.resolution_attempt(work, resolved)
    }
    #[inline]
    fn transferred(&mut self, cell: Cell, work: Cell, escalated: bool) {
        self.inner.transferred(cell, work, escalated)
    }
    #[inline]
    fn journey_closed(&mut self, cell: Cell, journey: &JourneyExperience) {
        self.inner.journey_closed(cell, journey)
    }
    #[inline]
    fn journey_ended(&mut self, cell: Cell, resolved: bool, first_contact: bool) {
        self.inner.journey_ended(cell, resolved, first_contact)
    }
    #[inline]
    fn served(&mut self, cell: Cell, work: Cell, talk: f64, origin: Cell, first_contact: bool) {
        self.inner.served(cell, work, talk, origin, first_contact)
    }
    #[inline]
    fn left_in_queue(&mut self, cell: Cell) {
        self.inner.left_in_queue(cell)
    }
    #[inline]
    fn callback_offered(&mut self, cell: Cell, accepted: bool) {
        self.inner.callback_offered(cell, accepted)
    }
    #[inline]
    fn called_back(&mut self, cell: Cell, delay: f64) {
        self.inner.called_back(cell, delay)
    }
    #[inline]
    fn blocked(&mut self, cell: Cell) {
        self.inner.blocked(cell)
    }
    #[inline]
    fn abandoned_on_hold(&mut self, cell: Cell) {
        self.inner.abandoned_on_hold(cell)
    }
    #[inline]
    fn agent_time(&mut self, interval: usize, group: usize, busy: f64, staffed: f64) {
        self.inner.agent_time(interval, group, busy, staffed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{simulate, simulate_with};
    use crate::experiment::stream_key;

    /// Scenarios between them reaching every mechanic (plain path; experience model with
    /// holds, approvals and escalations; lines, priorities, overflow, hang-ups on hold;
    /// callbacks and chat; warmup; drains with contacts left waiting).
    const FILES: [&str; 10] = [
        "tests/fixtures/snapshot/small.toml",
        "tests/fixtures/conservation/callbacks_and_chat.toml",
        "tests/fixtures/conservation/queue_rules.toml",
        "tests/fixtures/conservation/overloaded_no_patience.toml",
        "tests/fixtures/conservation/patience_transfers.toml",
        "tests/fixtures/conservation/zero_last_interval.toml",
        "tests/fixtures/validation/hold_abandon.toml",
        "tests/fixtures/trace/all_outcomes.toml",
        "scenarios/training_invest.toml",
        "scenarios/week.toml",
    ];

    fn load(rel: &str) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        Scenario::from_file(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Tracing changes nothing: the tallies of a traced replication are the untraced ones
    /// bit for bit; every contact ends (none left open), and the rows reconcile with the
    /// tallies: one counted row per offered contact, outcomes matching their counters.
    #[test]
    fn tracing_changes_nothing_and_rows_reconcile() {
        for rel in FILES {
            let s = load(rel);
            for r in [0, 1] {
                let key = stream_key(&s, 0, r);
                let plain = simulate(&s, key);
                let tracer = Tracer::new(&s, r, Collector::new(&s), Vec::new()).unwrap();
                let tracer = simulate_with(&s, key, tracer);
                assert_eq!(tracer.open_contacts(), 0, "{rel}: contacts left open");
                let (collector, bytes, rows) = tracer.finish().unwrap();
                assert_eq!(
                    collector.finish(),
                    plain,
                    "{rel}: tracing changed the results"
                );
                let t = plain.total(|_, _| true);
                let mut reader = csv::Reader::from_reader(&bytes[..]);
                assert_eq!(reader.headers().unwrap(), &COLUMNS[..]);
                let records: Vec<csv::StringRecord> =
                    reader.records().map(|x| x.unwrap()).collect();
                assert_eq!(records.len() as u64, rows);
                let counted: Vec<_> = records.iter().filter(|x| &x[6] == "1").collect();
                let count = |f: &dyn Fn(&csv::StringRecord) -> bool| {
                    counted.iter().filter(|x| f(x)).count() as u64
                };
                assert_eq!(counted.len() as u64, t.offered, "{rel}: offered");
                assert_eq!(count(&|x| &x[17] == "blocked"), t.blocked, "{rel}");
                assert_eq!(count(&|x| &x[17] == "abandoned"), t.abandoned, "{rel}");
                assert_eq!(count(&|x| !x[8].is_empty()), t.answered, "{rel}");
                assert_eq!(
                    count(&|x| &x[17] == "abandoned_on_hold"),
                    t.abandoned_on_hold,
                    "{rel}"
                );
                assert_eq!(count(&|x| &x[17] == "transferred"), t.transferred, "{rel}");
                assert_eq!(
                    count(&|x| &x[17] == "left_in_queue" || &x[17] == "callback_not_made"),
                    t.in_queue_at_end,
                    "{rel}"
                );
                assert_eq!(count(&|x| !x[14].is_empty()), t.callbacks_offered);
                assert_eq!(count(&|x| &x[14] == "accepted"), t.callbacks_accepted);
                assert_eq!(count(&|x| &x[3] == "return"), t.repeats);
                let holds: u64 = counted
                    .iter()
                    .filter(|x| !x[8].is_empty())
                    .map(|x| x[11].parse::<u64>().unwrap())
                    .sum();
                assert_eq!(holds, t.holds, "{rel}: holds");
                // Ids are the arrival order: each once.
                let mut ids: Vec<u64> = records.iter().map(|x| x[1].parse().unwrap()).collect();
                ids.sort_unstable();
                assert!(
                    ids.iter().enumerate().all(|(i, &id)| i as u64 == id),
                    "{rel}"
                );
            }
        }
    }

    /// A row's fields follow one contact: a transfer shares its journey with the contact it
    /// came from, which ended in `transferred` naming its type; hold lengths add up.
    #[test]
    fn rows_follow_contacts() {
        let s = load("tests/fixtures/conservation/queue_rules.toml");
        let (_, bytes) = write_trace(&s, 0, Vec::new()).map(|(w, n)| (n, w)).unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let rows: Vec<csv::StringRecord> = reader.records().map(|x| x.unwrap()).collect();
        let mut by_id = std::collections::HashMap::new();
        for x in &rows {
            by_id.insert(x[1].to_string(), x.clone());
            let lengths: f64 = x[13]
                .split(';')
                .filter(|h| !h.is_empty())
                .map(|h| h.parse::<f64>().unwrap())
                .sum();
            let total: f64 = x[12].parse().unwrap();
            assert!((lengths - total).abs() <= 1e-9 * total.max(1.0));
            assert_eq!(
                x[13]
                    .split(';')
                    .filter(|h| !h.is_empty())
                    .count()
                    .to_string(),
                &x[11]
            );
            let (arrival, end): (f64, f64) = (x[7].parse().unwrap(), x[16].parse().unwrap());
            assert!(end >= arrival);
        }
        let transfers: Vec<_> = rows.iter().filter(|x| &x[3] == "transfer").collect();
        assert!(transfers.len() > 10);
        for t in transfers {
            // The transferring contact: same journey, ended when this one arrived.
            let from = rows
                .iter()
                .find(|x| x[2] == t[2] && &x[17] == "transferred" && x[16] == t[7])
                .expect("the contact it came from");
            assert_eq!(from[15], t[4]);
        }
        let outcomes: std::collections::HashSet<_> =
            rows.iter().map(|x| x[17].to_string()).collect();
        for o in [
            "resolved",
            "unresolved",
            "transferred",
            "abandoned",
            "abandoned_on_hold",
            "blocked",
        ] {
            assert!(outcomes.contains(o), "no {o} row");
        }
    }
}
