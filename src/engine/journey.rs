//! Customer journeys inside the engine: opening one when a new customer calls, sending a
//! customer back (callback after an unresolved contact, redial after abandoning), and closing
//! it with its satisfaction and loyalty score. A journey is attributed to its first contact's
//! call type and interval.

use super::calendar::Event;
use super::Engine;
use crate::model::experience::JourneyExperience;
use crate::stats::{Cell, Observer};
use rand::RngExt;

/// `Journey::decision` when the issue needs no decision.
pub(super) const NO_DECISION: f64 = -1.0;

/// One customer's issue, followed across transfers and repeat contacts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Journey {
    /// First contact's call type (returns come back to it).
    pub call_type: u32,
    /// First contact's statistics cell (`NONE`: arrived during warmup, not scored).
    pub cell: Cell,
    /// The call type models issues (difficulty or decisions): resolution is uncertain.
    pub has_issue: bool,
    pub difficulty: f64,
    /// Amount at stake, or [`NO_DECISION`].
    pub decision: f64,
    pub decided: bool,
    /// Already escalated once (a second decision beyond authority goes to approval).
    pub escalated: bool,
    /// The next contact is a transfer, not a return.
    pub transferring: bool,
    /// Already transferred once for lack of knowledge (only one such transfer per journey).
    pub knowledge_transferred: bool,
    pub experience: JourneyExperience,
}

impl<O: Observer> Engine<'_, O> {
    /// A new customer with a fresh issue, tallied in `cell`.
    pub(super) fn open_journey(&mut self, c: usize, cell: Cell) -> u32 {
        let ct = &self.scenario.call_types[c];
        let mut journey = Journey {
            call_type: c as u32,
            cell,
            has_issue: false,
            difficulty: 0.0,
            decision: NO_DECISION,
            decided: false,
            escalated: false,
            transferring: false,
            knowledge_transferred: false,
            experience: JourneyExperience::default(),
        };
        if ct.has_issue_model() {
            journey.has_issue = true;
            let rng = &mut self.streams[c].issue;
            if let Some(d) = &ct.difficulty {
                journey.difficulty = d.sample(rng).clamp(0.0, 1.0);
            }
            if ct.decision_probability > 0.0 {
                let u: f64 = rng.random();
                let amount = ct.decision_amount.as_ref().map_or(0.0, |d| d.sample(rng));
                if u < ct.decision_probability {
                    journey.decision = amount;
                }
            }
        }
        match self.free_journeys.pop() {
            Some(slot) => {
                self.journeys[slot as usize] = journey;
                slot
            }
            None => {
                self.journeys.push(journey);
                (self.journeys.len() - 1) as u32
            }
        }
    }

    /// After an unresolved contact (`probability` = callback probability) or an abandonment
    /// (redial probability): the customer comes back to the first call type after a delay,
    /// or gives up. Returns that would fall after the horizon are not simulated: the journey
    /// is closed as it stands (unresolved).
    pub(super) fn maybe_return(&mut self, journey: u32, c: usize, probability: f64, redial: bool) {
        let behaviour = &self.scenario.customers;
        let contacts = self.journeys[journey as usize].experience.contacts;
        if probability > 0.0 && contacts < behaviour.max_contacts {
            let streams = &mut self.streams[c];
            let u: f64 = streams.customer.random();
            let delay = if redial {
                behaviour.redial_delay.sample(&mut streams.return_delay)
            } else {
                behaviour.callback_delay.sample(&mut streams.return_delay)
            };
            let at = self.now + delay;
            if u < probability && at < self.scenario.simulation.horizon {
                self.calendar.schedule(at, Event::Return { journey });
                return;
            }
        }
        self.close_journey(journey, false);
    }

    /// Reports a finished journey (the observer scores it) and frees the slot. The
    /// experience is passed by reference: copying the whole journey right after writing one
    /// of its fields would stall on store forwarding.
    pub(super) fn close_journey(&mut self, journey: u32, resolved: bool) {
        let j = &mut self.journeys[journey as usize];
        j.experience.resolved = resolved;
        self.observer.journey_closed(j.cell, &j.experience);
        self.free_journeys.push(journey);
    }
}
