//! The event calendar: a binary min-heap keyed by `(time, sequence number)`, so simultaneous
//! events come out in the order they were scheduled (FIFO) and runs are deterministic.
//! Push and pop are O(log n) with no allocation once the heap has reached its working size.
//!
//! Times are non-negative, so their IEEE-754 bit patterns order like the numbers: the key is
//! two `u64`s, compared without floating-point special cases. External arrivals are not kept
//! here (see `engine`): one pending arrival per call type is cheaper in a small array.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an instant. Small and `Copy` so the heap moves plain bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A waiting contact's patience runs out (ignored if it was answered: lazy cancellation).
    Abandon {
        /// The waiting contact's slot (contact slots are reused).
        slot: u32,
        /// The slot's generation when scheduled; a reused slot has a newer one, so a stale
        /// event is recognised.
        generation: u32,
    },
    /// An agent finishes talking (transfer decided, after-call work starts).
    TalkEnd {
        /// The agent's index.
        agent: u32,
    },
    /// An agent finishes after-call work.
    WrapEnd {
        /// The agent's index.
        agent: u32,
    },
    /// An agent puts the customer on hold to ask a supervisor for approval.
    ApprovalRequest {
        /// The agent's index.
        agent: u32,
    },
    /// The supervisor has decided; the call ends.
    ApprovalDone {
        /// The agent's index.
        agent: u32,
    },
    /// A customer calls back (unresolved) or redials (abandoned).
    Return {
        /// The customer's journey.
        journey: u32,
    },
    /// Start of planning interval `k`: staffing changes.
    Boundary {
        /// The interval that starts.
        interval: u32,
    },
    /// Statistics start counting busy and staffed time.
    WarmupEnd,
    /// Statistics stop counting busy and staffed time.
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
    /// Reversed, so the std max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Future events, earliest first.
#[derive(Debug, Default)]
pub struct Calendar {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl Calendar {
    /// An empty calendar with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        Calendar {
            heap: BinaryHeap::with_capacity(capacity),
            seq: 0,
        }
    }

    /// Schedules `event` at `time` (≥ 0).
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

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, Event)> {
        self.heap.pop().map(|e| (f64::from_bits(e.time), e.event))
    }

    /// Time of the earliest event, `f64::INFINITY` when empty.
    #[inline]
    pub fn next_time(&self) -> f64 {
        self.heap
            .peek()
            .map_or(f64::INFINITY, |e| f64::from_bits(e.time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_fifo_on_ties() {
        let mut c = Calendar::default();
        c.schedule(5.0, Event::WarmupEnd);
        c.schedule(1.0, Event::TalkEnd { agent: 0 });
        c.schedule(5.0, Event::HorizonEnd);
        c.schedule(1.0, Event::TalkEnd { agent: 1 });
        let order: Vec<_> = std::iter::from_fn(|| c.pop()).collect();
        assert_eq!(
            order,
            vec![
                (1.0, Event::TalkEnd { agent: 0 }),
                (1.0, Event::TalkEnd { agent: 1 }),
                (5.0, Event::WarmupEnd),
                (5.0, Event::HorizonEnd),
            ]
        );
    }
}
