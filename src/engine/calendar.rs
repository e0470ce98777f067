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

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an instant. Small and `Copy` so the heap moves plain bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A waiting contact's patience runs out (ignored if it was answered: lazy cancellation).
    Abandon { slot: u32, generation: u32 },
    /// An agent finishes talking (transfer decided, after-call work starts).
    TalkEnd { agent: u32 },
    /// An agent finishes after-call work.
    WrapEnd { agent: u32 },
    /// An agent puts the customer on hold to ask a supervisor for approval.
    ApprovalRequest { agent: u32 },
    /// The supervisor has decided; the call ends.
    ApprovalDone { agent: u32 },
    /// A customer calls back (unresolved) or redials (abandoned).
    Return { journey: u32 },
    /// Start of planning interval `k`: staffing changes (timetable).
    Boundary { interval: u32 },
    /// Statistics start counting busy and staffed time (timetable).
    WarmupEnd,
    /// Statistics stop counting busy and staffed time (timetable).
    HorizonEnd,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// `f64::to_bits` of a non-negative time.
    time: u64,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so the std max-heap pops the earliest (time, seq) first. One 128-bit
    /// comparison instead of two dependent 64-bit ones.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |e: &Entry| (u128::from(e.time) << 64) | u128::from(e.seq);
        key(other).cmp(&key(self))
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
#[derive(Debug)]
pub struct Calendar {
    heap: BinaryHeap<Entry>,
    seq: u64,
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
    #[inline]
    pub fn schedule(&mut self, time: f64, event: Event) {
        debug_assert!(time >= 0.0, "negative event time {time}");
        self.seq += 1;
        self.heap.push(Entry {
            time: time.to_bits(),
            seq: self.seq,
            event,
        });
    }

    /// Removes and returns the earliest event if it is due at or before `limit`: the engine
    /// passes its next external arrival, which goes after calendar events at equal times.
    #[inline]
    pub fn pop_not_after(&mut self, limit: f64) -> Option<(f64, Event)> {
        let control = self.timetable.next.0;
        match self.heap.peek() {
            Some(top) if f64::from_bits(top.time) < control => {
                let time = f64::from_bits(top.time);
                if time > limit {
                    return None;
                }
                self.heap.pop().map(|e| (time, e.event))
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
        let heap = self
            .heap
            .peek()
            .map_or(f64::INFINITY, |e| f64::from_bits(e.time));
        heap.min(self.timetable.next.0)
    }

    /// Events waiting in the heap (the timetable's single pending event not included).
    pub fn pending(&self) -> usize {
        self.heap.len()
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
}
