//! Callbacks (virtual hold; docs/model.md, "Callbacks"): a caller still waiting `offer_after`
//! after joining a queue is offered a callback once and accepts with `accept_probability`
//! (one draw from the call type's callback stream). An accepter stops holding the line: it
//! never abandons, and is called back when an agent takes it — in its FIFO place in the
//! queue, or, with `only_when_idle`, from a separate queue that a freed agent serves only when
//! none of its skills has a live caller waiting. The call back connects at once.
//!
//! Off (no call type has a `callback`) it costs one predictable branch when a contact queues
//! and a NaN test when one is answered. Offer timers are cancelled lazily: the generation of
//! the contact a timer was armed for is kept per slot, and a timer fires only for that
//! contact, at exactly its arrival + `offer_after`, and only once.

use super::calendar::Event;
use super::{Contact, Engine};
use crate::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Scenario;
use crate::stats::Observer;
use rand::RngExt;
use std::collections::VecDeque;

/// The engine's callback state.
pub(super) struct Callbacks {
    /// Some call type offers callbacks.
    pub on: bool,
    /// Per contact slot: the generation of the waiting contact whose offer timer is armed
    /// (any other value: no live timer for the slot's contact).
    armed: Vec<u32>,
    /// Per call type: `only_when_idle` accepters waiting to be called back, oldest first.
    queues: Vec<VecDeque<Contact>>,
    /// Contacts in `queues`, all types together (so a freed agent checks one number).
    pending: u32,
    /// Per call type: the acceptance draws (purpose 13).
    streams: Vec<Stream>,
}

impl Callbacks {
    /// The state for `scenario` (empty and off when no call type offers callbacks).
    pub fn new(scenario: &Scenario, key: StreamKey) -> Callbacks {
        let on = scenario.call_types.iter().any(|c| c.callback.is_some());
        let n = if on { scenario.call_types.len() } else { 0 };
        Callbacks {
            on,
            armed: Vec::new(),
            queues: (0..n).map(|_| VecDeque::new()).collect(),
            pending: 0,
            streams: (0..n)
                .map(|c| key.stream(Purpose::CallbackAcceptance, c))
                .collect(),
        }
    }
}

impl<O: Observer> Engine<'_, O> {
    /// A contact of type `c` just joined its queue in `slot`: arm its offer timer.
    #[cold]
    pub(super) fn arm_callback(&mut self, c: usize, slot: u32) {
        let Some(cb) = self.scenario.call_types[c].callback else {
            return;
        };
        let contact = &self.contacts[slot as usize];
        let s = slot as usize;
        if self.callbacks.armed.len() <= s {
            self.callbacks.armed.resize(s + 1, 0);
        }
        self.callbacks.armed[s] = contact.generation;
        let at = contact.arrival + cb.offer_after;
        self.calendar.schedule(at, Event::CallbackOffer { slot });
    }

    /// An offer timer fired: if its caller still waits, offer the callback.
    #[cold]
    pub(super) fn offer_callback(&mut self, slot: u32) {
        let s = slot as usize;
        let contact = self.contacts[s];
        let c = contact.call_type as usize;
        let Some(cb) = self.scenario.call_types[c].callback else {
            return;
        };
        if self.callbacks.armed[s] != contact.generation
            || contact.arrival + cb.offer_after != self.now
        {
            return; // answered, abandoned or slot reused: a stale timer
        }
        // Offered once: disarm.
        self.callbacks.armed[s] = contact.generation.wrapping_sub(1);
        let u: f64 = self.callbacks.streams[c].random();
        let accepted = u < cb.accept_probability;
        self.observer.callback_offered(contact.cell, accepted);
        if O::TRACES {
            let event = crate::stats::TraceEvent::Callback { accepted };
            self.observer.trace(contact.journey, self.now, event);
        }
        if !accepted {
            return;
        }
        let entry = &mut self.contacts[s];
        entry.deadline = f64::NAN; // no longer on the line: the abandonment timer is stale
        entry.accepted_at = self.now;
        self.line_freed(c); // nor holding a telephone line (`simulation.lines`)
        if !self.plain {
            self.journeys[contact.journey as usize]
                .experience
                .called_back = true;
        }
        if cb.only_when_idle {
            let moved = self.contacts[s];
            self.release_contact(slot);
            self.stop_waiting(c);
            self.callbacks.queues[c].push_back(moved);
            self.callbacks.pending += 1;
        }
    }

    /// For a freed agent of group `g` with no live caller waiting in any of its skills: the
    /// oldest `only_when_idle` accepter of its highest-priority skill that has one.
    #[inline(always)]
    pub(super) fn next_callback(&mut self, g: usize) -> Option<Contact> {
        // The check stays in the caller's loop; the search is out of line (most scenarios
        // never have an accepter waiting).
        if self.callbacks.pending == 0 {
            return None;
        }
        self.pending_callback(g)
    }

    /// [`Engine::next_callback`] when some accepter waits.
    #[inline(never)]
    fn pending_callback(&mut self, g: usize) -> Option<Contact> {
        for &c in &self.scenario.agent_groups[g].skills {
            if let Some(contact) = self.callbacks.queues[c].pop_front() {
                self.callbacks.pending -= 1;
                return Some(contact);
            }
        }
        None
    }

    /// An agent calls an accepter back (just before `answered` is reported): the delay since
    /// acceptance is reported, and the journey's wait keeps only the time on the line.
    #[cold]
    pub(super) fn call_back(&mut self, contact: &Contact) {
        let delay = self.now - contact.accepted_at;
        self.observer.called_back(contact.cell, delay);
        self.line_retaken(contact.call_type as usize);
        if !self.plain {
            self.journeys[contact.journey as usize].experience.wait_s -= delay;
        }
    }

    /// Accepters nobody called back before the center closed are reported as still in the
    /// queue, keeping conservation exact.
    pub(super) fn count_callbacks_left(&mut self) {
        for queue in &self.callbacks.queues {
            for contact in queue {
                self.observer.left_in_queue(contact.cell);
                if O::TRACES {
                    let end = crate::stats::ContactOutcome::CallbackNotMade;
                    let end = crate::stats::TraceEvent::End(end);
                    self.observer.trace(contact.journey, self.now, end);
                }
            }
        }
    }
}
