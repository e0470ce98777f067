//! Customer journeys inside the engine: opening one when a new customer calls, sending a
//! customer back (callback after an unresolved contact, redial after abandoning), and closing
//! it with its satisfaction and loyalty score. A journey is attributed to its first contact's
//! call type and interval.

use super::calendar::Event;
use super::Engine;
use crate::model::experience::{JourneyExperience, Score};
use rand::RngExt;

/// `Journey::decision` when the issue needs no decision.
pub(super) const NO_DECISION: f64 = -1.0;

/// A journey answered at once and resolved on its only contact.
pub(super) const PERFECT: JourneyExperience = JourneyExperience {
    wait_s: 0.0,
    holds: 0,
    hold_s: 0.0,
    transfers: 0,
    contacts: 1,
    abandons: 0,
    resolved: true,
};

/// One customer's issue, followed across transfers and repeat contacts.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Journey {
    /// First contact's call type (returns come back to it) and interval.
    pub call_type: u32,
    pub interval: u32,
    pub counted: bool,
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

impl Engine<'_> {
    /// A new customer with a fresh issue.
    pub(super) fn open_journey(&mut self, c: usize, interval: usize, counted: bool) -> u32 {
        let ct = &self.scenario.call_types[c];
        let mut journey = Journey {
            call_type: c as u32,
            interval: interval as u32,
            counted,
            decision: NO_DECISION,
            ..Journey::default()
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

    /// Scores a finished journey into its first contact's tally and frees the slot.
    pub(super) fn close_journey(&mut self, journey: u32, resolved: bool) {
        let j = &mut self.journeys[journey as usize];
        j.experience.resolved = resolved;
        let j = *j;
        self.free_journeys.push(journey);
        if !j.counted {
            return;
        }
        // Most journeys in a healthy center are perfect (answered at once, resolved, nothing
        // endured): their score is computed once per replication.
        let score: Score = if j.experience == PERFECT {
            self.perfect_score
        } else {
            self.scenario
                .experience
                .score(&j.experience, self.scenario.customers.customer_value)
        };
        let t = self
            .result
            .counters_mut(j.interval as usize, j.call_type as usize);
        t.customers += 1;
        t.resolved += resolved as u64;
        t.first_contact_resolved += (resolved && j.experience.contacts == 1) as u64;
        t.csat += score.csat;
        t.promoters += score.promoter;
        t.detractors += score.detractor;
        t.churned += score.churn;
        t.revenue_at_risk += score.revenue_at_risk;
        t.word_of_mouth_negative += score.word_of_mouth_negative;
        t.word_of_mouth_positive += score.word_of_mouth_positive;
    }
}
