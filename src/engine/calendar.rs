//! The event calendar: future events, earliest first, in two parts.
//!
//! - The **timetable** of fixed control events (interval boundaries, end of warmup, horizon)
//!   produces one event at a time: only the next one is pending, so a year at 30-minute
//!   intervals costs one slot, not 17,520 heap entries.
//! - A binary min-heap keyed by `(time, sequence number)` holds everything the simulation
//!   schedules as it runs, so simultaneous events come out in the order they were scheduled
//!   (FIFO). Push and pop are O(log n) with no allocation once the heap has reached its
//!   working size.
//!
//! **Tie rule** (deterministic runs): at equal times a control event comes before any heap
//! event, and control events among themselves come in the order boundary 0, warmup end,
//! boundaries 1.., horizon end — the order they had when all of them were pushed into the
//! heap at the start (lowest sequence numbers). External arrivals are not kept here (see
//! `engine`); they go after every calendar event at the same time.
//!
//! Times are non-negative, so their IEEE-754 bit patterns order like the numbers: the heap
//! key is two `u64`s, compared without floating-point special cases.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What happens at an instant. Small and `Copy`; the heap stores it packed into its key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A waiting contact's patience runs out. Cancelled lazily: ignored unless the contact in
    /// that slot is still waiting with exactly this deadline.
    Abandon {
        /// The contact slot.
        slot: u32,
    },
    /// An agent finishes talking (transfer decided, after-call work starts).
    TalkEnd {
        /// The agent slot.
        agent: u32,
    },
    /// An agent finishes after-call work.
    WrapEnd {
        /// The agent slot.
        agent: u32,
    },
    /// An agent puts the customer on hold to ask a supervisor for approval.
    ApprovalRequest {
        /// The agent slot.
        agent: u32,
    },
    /// The supervisor has decided; the call ends.
    ApprovalDone {
        /// The agent slot.
        agent: u32,
    },
    /// A customer calls back (unresolved) or redials (abandoned).
    Return {
        /// The journey slot.
        journey: u32,
    },
    /// Start of planning interval `k`: staffing changes (timetable).
    Boundary {
        /// The interval that starts.
        interval: u32,
    },
    /// Statistics start counting busy and staffed time (timetable).
    WarmupEnd,
    /// Statistics stop counting busy and staffed time (timetable).
    HorizonEnd,
    /// A break window opens (see `shifts`): the index of the engine's break slot.
    BreakDue {
        /// The break slot's index.
        index: u32,
    },
    /// An agent's break ends.
    BreakEnd {
        /// The agent slot.
        agent: u32,
    },
    /// A waiting caller has waited its call type's `callback.offer_after`: offer a callback.
    /// Cancelled lazily, like `Abandon` (see `engine::callback`).
    CallbackOffer {
        /// The contact slot.
        slot: u32,
    },
    /// A waiting contact has waited long enough for some group's `overflow_after`. Stale
    /// timers are harmless (the handler serves whatever is eligible).
    Overflow {
        /// The contact slot.
        slot: u32,
    },
    /// A held customer's hold patience runs out (approval holds). Cancelled lazily: ignored
    /// unless that agent's customer is still on hold with exactly this deadline.
    HoldAbandon {
        /// The agent slot.
        agent: u32,
    },
}

impl Event {
    /// (kind, payload): 4 bits and 32 bits.
    #[inline]
    fn encode(self) -> (u32, u32) {
        match self {
            Event::Abandon { slot } => (0, slot),
            Event::TalkEnd { agent } => (1, agent),
            Event::WrapEnd { agent } => (2, agent),
            Event::ApprovalRequest { agent } => (3, agent),
            Event::ApprovalDone { agent } => (4, agent),
            Event::Return { journey } => (5, journey),
            Event::Boundary { interval } => (6, interval),
            Event::WarmupEnd => (7, 0),
            Event::HorizonEnd => (8, 0),
            Event::BreakDue { index } => (9, index),
            Event::BreakEnd { agent } => (10, agent),
            Event::CallbackOffer { slot } => (11, slot),
            Event::Overflow { slot } => (12, slot),
            Event::HoldAbandon { agent } => (13, agent),
        }
    }

    #[inline]
    fn decode(kind: u32, payload: u32) -> Event {
        match kind {
            0 => Event::Abandon { slot: payload },
            1 => Event::TalkEnd { agent: payload },
            2 => Event::WrapEnd { agent: payload },
            3 => Event::ApprovalRequest { agent: payload },
            4 => Event::ApprovalDone { agent: payload },
            5 => Event::Return { journey: payload },
            6 => Event::Boundary { interval: payload },
            7 => Event::WarmupEnd,
            9 => Event::BreakDue { index: payload },
            10 => Event::BreakEnd { agent: payload },
            11 => Event::CallbackOffer { slot: payload },
            12 => Event::Overflow { slot: payload },
            13 => Event::HoldAbandon { agent: payload },
            _ => Event::HorizonEnd,
        }
    }
}

/// Sequence numbers take 28 bits of the key; before they run out, pending entries are
/// renumbered in order (once per 2²⁸ schedules, so amortised free).
const SEQ_BITS: u32 = 28;
const SEQ_LIMIT: u64 = 1 << SEQ_BITS;

/// A heap entry packed into one 16-byte key, compared as a single `u128`:
/// bits 127–64 the time (`f64::to_bits` of a non-negative time), 63–36 the sequence number,
/// 35–32 the event kind, 31–0 its payload. Half the bytes a (time, seq, event) struct
/// needs, so sifting moves half as much; sequence numbers are unique, so kind and payload
/// never decide an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u128);

impl Key {
    #[inline]
    fn new(time: f64, seq: u64, event: Event) -> Key {
        let (kind, payload) = event.encode();
        let low = (seq << 36) | (u64::from(kind) << 32) | u64::from(payload);
        Key((u128::from(time.to_bits()) << 64) | u128::from(low))
    }

    #[inline]
    fn time(self) -> f64 {
        f64::from_bits((self.0 >> 64) as u64)
    }

    #[inline]
    fn event(self) -> Event {
        let low = self.0 as u64;
        Event::decode(((low >> 32) & 0xF) as u32, low as u32)
    }

    /// The same entry with another sequence number.
    #[inline]
    fn with_seq(self, seq: u64) -> Key {
        Key::new(self.time(), seq, self.event())
    }
}

/// The run's fixed control events, produced lazily in tie-rule order (see the module docs).
#[derive(Debug, Clone)]
struct Timetable {
    interval: f64,
    intervals: u32,
    /// The next boundary not yet produced (`intervals` when all are).
    next_boundary: u32,
    warmup: Option<f64>,
    horizon: Option<f64>,
    /// The pending control event and its time (`INFINITY` when none is left).
    next: (f64, Option<Event>),
}

impl Timetable {
    fn new(interval: f64, intervals: u32, warmup: f64, horizon: f64) -> Self {
        let mut t = Timetable {
            interval,
            intervals,
            next_boundary: 0,
            warmup: Some(warmup),
            horizon: Some(horizon),
            next: (f64::INFINITY, None),
        };
        t.advance();
        t
    }

    /// An empty timetable (a calendar used on its own).
    fn none() -> Self {
        Timetable {
            interval: 0.0,
            intervals: 0,
            next_boundary: 0,
            warmup: None,
            horizon: None,
            next: (f64::INFINITY, None),
        }
    }

    /// Picks the earliest remaining control event by (time, rank), rank being its place in
    /// the old all-at-once schedule: boundary 0, warmup end, boundaries 1.., horizon end.
    fn advance(&mut self) {
        let mut best: Option<(f64, u8, Event)> = None;
        let mut offer = |time: f64, rank: u8, event: Event| {
            if best.is_none_or(|(t, r, _)| (time, rank) < (t, r)) {
                best = Some((time, rank, event));
            }
        };
        if self.next_boundary < self.intervals {
            let k = self.next_boundary;
            let rank = if k == 0 { 0 } else { 2 };
            offer(
                k as f64 * self.interval,
                rank,
                Event::Boundary { interval: k },
            );
        }
        if let Some(w) = self.warmup {
            offer(w, 1, Event::WarmupEnd);
        }
        if let Some(h) = self.horizon {
            offer(h, 3, Event::HorizonEnd);
        }
        self.next = match best {
            Some((time, _, event)) => (time, Some(event)),
            None => (f64::INFINITY, None),
        };
    }

    /// Removes the pending event and prepares the one after it.
    fn take(&mut self) -> Option<(f64, Event)> {
        let (time, event) = self.next;
        let event = event?;
        match event {
            Event::Boundary { .. } => self.next_boundary += 1,
            Event::WarmupEnd => self.warmup = None,
            _ => self.horizon = None,
        }
        self.advance();
        Some((time, event))
    }
}

/// Future events, earliest first.
///
/// A popped heap event stays in the heap, spent (`taken`), until an event is scheduled — which
/// then *replaces* it: one sift-down instead of a pop's sift and a push's sift — or until the
/// next heap event is popped. Most calls need one heap operation so: a talk end that starts
/// the next waiting contact's talk, or a talk end followed by an arrival that takes the agent
/// freed (external arrivals are not heap events, so they leave the spent top in place).
/// Measured on the Erlang C bench (`benches/erlang_c_3m.toml`): about 3% less CPU time than
/// pop-then-push, with as many instructions. Keys are unique (sequence numbers), so the order
/// events come out in depends only on the set of keys, never on how the heap arranged them:
/// this changes no result.
#[derive(Debug)]
pub struct Calendar {
    heap: BinaryHeap<Reverse<Key>>,
    seq: u64,
    /// The heap's top is an event already handed out by a pop, still in place: the next
    /// `schedule` overwrites it, the next pop of a heap event removes it first.
    taken: bool,
    timetable: Timetable,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::with_capacity(0)
    }
}

impl Calendar {
    /// An empty calendar with room for `capacity` pending events and no control events.
    pub fn with_capacity(capacity: usize) -> Self {
        Calendar {
            heap: BinaryHeap::with_capacity(capacity),
            seq: 0,
            taken: false,
            timetable: Timetable::none(),
        }
    }

    /// A calendar whose timetable holds boundaries at `k·interval` for `k < intervals`, the
    /// end of warmup and the horizon.
    pub fn with_timetable(
        capacity: usize,
        interval: f64,
        intervals: usize,
        warmup: f64,
        horizon: f64,
    ) -> Self {
        let intervals = u32::try_from(intervals).unwrap_or(u32::MAX);
        Calendar {
            timetable: Timetable::new(interval, intervals, warmup, horizon),
            ..Calendar::with_capacity(capacity)
        }
    }

    /// Schedules `event` at `time` (≥ 0). Control events belong to the timetable, not here.
    /// Inlined: it sits on every call's path (one per service start), and the call costs
    /// more than the push's own work in a small heap.
    #[inline(always)]
    pub fn schedule(&mut self, time: f64, event: Event) {
        debug_assert!(time >= 0.0, "negative event time {time}");
        self.seq += 1;
        if self.seq == SEQ_LIMIT {
            self.renumber();
        }
        let key = Reverse(Key::new(time, self.seq, event));
        if self.taken {
            self.taken = false;
            // Overwrite the spent top; dropping the guard sifts the new key down.
            if let Some(mut top) = self.heap.peek_mut() {
                *top = key;
                return;
            }
        }
        self.heap.push(key);
    }

    /// The earliest live heap entry: the top or, with a spent top, the earlier of its two
    /// children (the heap property holds below the top).
    #[inline(always)]
    fn earliest(&self) -> Option<Key> {
        let keys = self.heap.as_slice();
        if !self.taken {
            return keys.first().map(|&Reverse(k)| k);
        }
        match (keys.get(1), keys.get(2)) {
            (Some(&Reverse(a)), Some(&Reverse(b))) => Some(a.min(b)),
            (Some(&Reverse(a)), None) => Some(a),
            _ => None,
        }
    }

    /// Removes the spent top left by the last pop, if it is still there.
    #[inline(always)]
    fn settle(&mut self) {
        if self.taken {
            self.taken = false;
            self.heap.pop();
        }
    }

    /// Gives the pending entries sequence numbers 1..=n in their current order (which keeps
    /// every tie as it was) and continues from n + 1.
    #[cold]
    fn renumber(&mut self) {
        self.settle();
        let mut keys: Vec<Key> = self.heap.drain().map(|Reverse(k)| k).collect();
        keys.sort_unstable();
        let n = keys.len() as u64;
        self.heap = keys
            .into_iter()
            .zip(1..)
            .map(|(k, seq)| Reverse(k.with_seq(seq)))
            .collect();
        self.seq = n + 1;
    }

    /// Removes and returns the earliest event if it is due at or before `limit`: the engine
    /// passes its next external arrival, which goes after calendar events at equal times.
    /// Always inlined: with a second engine instance in the binary (the contact trace's) the
    /// heuristic would stop inlining it into the event loop (+3.5% instructions per call).
    #[inline(always)]
    pub fn pop_not_after(&mut self, limit: f64) -> Option<(f64, Event)> {
        let control = self.timetable.next.0;
        match self.earliest() {
            Some(next) if next.time() < control => {
                let time = next.time();
                if time > limit {
                    // A spent top stays for the next `schedule` to reuse (the arrival that
                    // goes first usually starts a talk).
                    return None;
                }
                // `next` becomes the top, and stays in place spent: see `taken`.
                self.settle();
                self.taken = true;
                Some((time, next.event()))
            }
            _ if control <= limit => self.timetable.take(),
            _ => None,
        }
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, Event)> {
        self.pop_not_after(f64::INFINITY)
    }

    /// Time of the earliest event, `f64::INFINITY` when empty.
    #[inline]
    pub fn next_time(&self) -> f64 {
        let heap = self.earliest().map_or(f64::INFINITY, Key::time);
        heap.min(self.timetable.next.0)
    }

    /// Events waiting in the heap (the timetable's single pending event not included).
    pub fn pending(&self) -> usize {
        self.heap.len() - usize::from(self.taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(c: &mut Calendar) -> Vec<(f64, Event)> {
        std::iter::from_fn(|| c.pop()).collect()
    }

    #[test]
    fn earliest_first_and_fifo_on_ties() {
        let mut c = Calendar::default();
        c.schedule(5.0, Event::WrapEnd { agent: 9 });
        c.schedule(1.0, Event::TalkEnd { agent: 0 });
        c.schedule(5.0, Event::Return { journey: 3 });
        c.schedule(1.0, Event::TalkEnd { agent: 1 });
        c.schedule(0.0, Event::TalkEnd { agent: 2 });
        assert_eq!(
            drain(&mut c),
            vec![
                (0.0, Event::TalkEnd { agent: 2 }),
                (1.0, Event::TalkEnd { agent: 0 }),
                (1.0, Event::TalkEnd { agent: 1 }),
                (5.0, Event::WrapEnd { agent: 9 }),
                (5.0, Event::Return { journey: 3 }),
            ]
        );
        assert_eq!(c.next_time(), f64::INFINITY);
    }

    /// Many equal times: FIFO holds beyond the first few heap levels too.
    #[test]
    fn fifo_on_ties_in_a_large_heap() {
        let mut c = Calendar::default();
        for agent in 0..1000 {
            c.schedule(((agent * 7) % 3) as f64, Event::TalkEnd { agent });
        }
        let order = drain(&mut c);
        for w in order.windows(2) {
            let (Event::TalkEnd { agent: a }, Event::TalkEnd { agent: b }) = (w[0].1, w[1].1)
            else {
                unreachable!()
            };
            assert!(w[0].0 < w[1].0 || (w[0].0 == w[1].0 && a < b), "{w:?}");
        }
    }

    /// The timetable produces boundaries one at a time, in the order the all-at-once schedule
    /// gave: boundary 0, warmup end, boundaries 1.. (warmup end first on a tie), horizon end.
    #[test]
    fn timetable_order_and_one_pending_boundary() {
        // 4 intervals of 10 s, warmup exactly on boundary 2, ragged horizon at 35 s.
        let mut c = Calendar::with_timetable(0, 10.0, 4, 20.0, 35.0);
        assert_eq!(c.next_time(), 0.0);
        assert_eq!(c.pending(), 0, "control events are not heap entries");
        assert_eq!(
            drain(&mut c),
            vec![
                (0.0, Event::Boundary { interval: 0 }),
                (10.0, Event::Boundary { interval: 1 }),
                (20.0, Event::WarmupEnd),
                (20.0, Event::Boundary { interval: 2 }),
                (30.0, Event::Boundary { interval: 3 }),
                (35.0, Event::HorizonEnd),
            ]
        );
        // Zero warmup: after boundary 0, before anything else at time 0.
        let mut c = Calendar::with_timetable(0, 10.0, 2, 0.0, 20.0);
        c.schedule(0.0, Event::TalkEnd { agent: 0 });
        let order = drain(&mut c);
        assert_eq!(order[0].1, Event::Boundary { interval: 0 });
        assert_eq!(order[1].1, Event::WarmupEnd);
        assert_eq!(order[2].1, Event::TalkEnd { agent: 0 });
    }

    /// A year at 30-minute intervals: the heap never holds a boundary.
    #[test]
    fn a_year_of_boundaries_costs_no_heap_space() {
        let intervals = 17_520;
        let mut c = Calendar::with_timetable(0, 1800.0, intervals, 0.0, 1800.0 * 17_520.0);
        let mut boundaries = 0;
        while let Some((t, e)) = c.pop() {
            assert_eq!(c.pending(), 0);
            if let Event::Boundary { interval } = e {
                assert_eq!(t, interval as f64 * 1800.0);
                assert_eq!(interval, boundaries);
                boundaries += 1;
            }
        }
        assert_eq!(boundaries as usize, intervals);
    }

    /// Control events win ties against scheduled events, even those scheduled earlier.
    #[test]
    fn control_events_go_first_on_ties() {
        let mut c = Calendar::with_timetable(0, 10.0, 3, 0.0, 30.0);
        c.schedule(10.0, Event::TalkEnd { agent: 1 });
        c.schedule(30.0, Event::WrapEnd { agent: 1 });
        c.schedule(5.0, Event::TalkEnd { agent: 2 });
        let order: Vec<Event> = drain(&mut c).into_iter().map(|(_, e)| e).collect();
        assert_eq!(
            order,
            vec![
                Event::Boundary { interval: 0 },
                Event::WarmupEnd,
                Event::TalkEnd { agent: 2 },
                Event::Boundary { interval: 1 },
                Event::TalkEnd { agent: 1 },
                Event::Boundary { interval: 2 },
                Event::HorizonEnd,
                Event::WrapEnd { agent: 1 },
            ]
        );
    }

    /// `pop_not_after` leaves an event later than the limit in place and takes one at it.
    #[test]
    fn pop_not_after_respects_the_limit() {
        let mut c = Calendar::with_timetable(0, 10.0, 2, 0.0, 20.0);
        c.schedule(3.0, Event::TalkEnd { agent: 0 });
        assert!(c.pop_not_after(0.0).is_some()); // boundary 0 at 0
        assert!(c.pop_not_after(0.0).is_some()); // warmup end at 0
        assert_eq!(c.pop_not_after(2.9), None);
        assert_eq!(
            c.pop_not_after(3.0),
            Some((3.0, Event::TalkEnd { agent: 0 }))
        );
        assert_eq!(c.pop_not_after(9.99), None);
        assert_eq!(
            c.pop_not_after(10.0),
            Some((10.0, Event::Boundary { interval: 1 }))
        );
    }

    /// Every event survives the packing into a heap key.
    #[test]
    fn events_round_trip_through_the_key() {
        let events = [
            Event::Abandon { slot: u32::MAX },
            Event::TalkEnd { agent: 7 },
            Event::WrapEnd { agent: 0 },
            Event::ApprovalRequest { agent: 3 },
            Event::ApprovalDone { agent: 1 << 31 },
            Event::Return { journey: 12 },
            Event::Boundary { interval: 17_519 },
            Event::WarmupEnd,
            Event::HorizonEnd,
        ];
        for (i, e) in events.into_iter().enumerate() {
            let k = Key::new(1.5 * i as f64, SEQ_LIMIT - 1, e);
            assert_eq!((k.time(), k.event()), (1.5 * i as f64, e));
        }
    }

    /// Leaving a popped event in place until the next schedule (which overwrites it) or pop
    /// (which removes it) gives the order of a plain pop-then-push calendar: checked against
    /// a sorted list on a long random mix of pops (with and without a limit) and schedules
    /// with many tied times.
    #[test]
    fn spent_top_reuse_keeps_the_order() {
        let mut c = Calendar::default();
        let mut reference: Vec<(f64, u64, Event)> = Vec::new();
        let (mut seq, mut state) = (0u64, 12_345u64);
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 33
        };
        let mut now = 0.0;
        for step in 0..20_000u32 {
            // 0–2 follow-ups per handled event, so the heap grows, shrinks and empties.
            for _ in 0..next() % 3 {
                let time = now + (next() % 4) as f64;
                let event = Event::TalkEnd { agent: step };
                seq += 1;
                c.schedule(time, event);
                reference.push((time, seq, event));
            }
            assert_eq!(c.pending(), reference.len());
            let earliest = reference
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 .0, a.1 .1).partial_cmp(&(b.1 .0, b.1 .1)).unwrap())
                .map(|(i, _)| i);
            assert_eq!(
                c.next_time(),
                earliest.map_or(f64::INFINITY, |i| reference[i].0)
            );
            // Half the time a limit (the next arrival) that may leave the earliest event in
            // place, spent top and all.
            let limit = if next() % 2 == 0 {
                f64::INFINITY
            } else {
                now + (next() % 3) as f64
            };
            let due = earliest.filter(|&i| reference[i].0 <= limit);
            let expected = due.map(|i| reference.remove(i));
            let got = c.pop_not_after(limit);
            assert_eq!(got, expected.map(|(t, _, e)| (t, e)), "step {step}");
            if let Some((t, _)) = got {
                now = t;
            }
        }
    }

    /// Sequence numbers are renumbered before they run out, keeping FIFO among ties.
    #[test]
    fn renumbering_keeps_the_tie_order() {
        let mut c = Calendar {
            seq: SEQ_LIMIT - 3,
            ..Calendar::default()
        };
        for agent in 0..6 {
            c.schedule((agent % 2) as f64, Event::TalkEnd { agent });
        }
        assert!(c.seq < 10, "renumbered");
        let order: Vec<Event> = drain(&mut c).into_iter().map(|(_, e)| e).collect();
        let agents = [0, 2, 4, 1, 3, 5].map(|agent| Event::TalkEnd { agent });
        assert_eq!(order, agents);
    }
}
