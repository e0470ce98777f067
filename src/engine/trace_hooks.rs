//! The engine's side of the contact trace (see [`crate::trace`]): what it tells an observer
//! whose [`Observer::TRACES`] is true. Every call site sits behind that compile-time
//! constant, so the tallying runs contain none of it.

use super::Engine;
use crate::stats::Observer;
use crate::stats::{ContactKind, ContactOutcome, TraceEvent};

impl<O: Observer> Engine<'_, O> {
    /// A contact of type `c` arrived now; returns its trace key (`journey`, the journey
    /// slot, on the full path; one the observer hands out on the plain path).
    #[inline(never)]
    pub(super) fn trace_arrival(
        &mut self,
        c: usize,
        journey: Option<u32>,
        kind: ContactKind,
        counted: bool,
    ) -> u32 {
        self.observer
            .trace_arrival(journey, c, kind, self.now, counted)
    }

    /// `agent` took the contact traced as `key` now.
    #[inline(never)]
    pub(super) fn trace_answered(&mut self, key: u32, agent: u32) {
        let group = self.agents[agent as usize].group;
        let agent = self.chat.person_of(agent);
        self.observer
            .trace(key, self.now, TraceEvent::Answered { agent, group });
    }

    /// The contact traced as `key` left the center now.
    #[inline(never)]
    pub(super) fn trace_end(&mut self, key: u32, outcome: ContactOutcome) {
        self.observer.trace(key, self.now, TraceEvent::End(outcome));
    }
}
