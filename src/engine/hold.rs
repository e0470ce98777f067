//! Hang-ups on hold (`hold_patience` per call type; the rule is in docs/model.md).
//!
//! Each hold, look-up or approval, gets a fresh patience draw; a customer whose patience runs
//! out before the hold ends hangs up. Look-up holds are known when the call is answered, so
//! the hang-up is too: the talk is split evenly around the holds (talk, hold, talk, …, talk)
//! and the call ends at the hang-up instead of its full length. An approval hold lasts until
//! a supervisor has decided, which is not known in advance, so it gets a timer
//! ([`super::calendar::Event::HoldAbandon`]); a customer hanging up while waiting for a
//! supervisor leaves the supervisor queue, one hanging up during the consult ends it.
//!
//! Either way the contact was answered; it counts as `abandoned_on_hold` (not `abandoned`),
//! the journey records an abandonment (scored as one, unresolved unless the customer comes
//! back: it may redial like any abandoned caller), the line is freed and the agent is free at
//! once (no after-call work). Off by default: nothing is drawn and nothing is checked.

use super::Engine;
use crate::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Scenario;
use crate::stats::Observer;

/// Hold-patience streams and per-agent hold state.
#[derive(Debug, Default)]
pub(super) struct HoldPatience {
    /// Some call type has a `hold_patience`.
    pub on: bool,
    /// Per call type: its hold-patience stream, `None` without a `hold_patience`.
    streams: Vec<Option<Stream>>,
    /// Per agent slot (grown on demand): the customer hangs up at the end of the current
    /// look-up-hold call.
    hung_up: Vec<bool>,
    /// Per agent slot: when the customer on approval hold hangs up (NaN: not on such a hold).
    deadline: Vec<f64>,
    /// Per agent slot: when the supervisor consult for it ends (NaN: no consult), so a
    /// consult's end event left over from a hang-up is recognised as stale.
    consult_end: Vec<f64>,
}

impl HoldPatience {
    /// The state for `scenario` in replication `key`.
    pub fn new(scenario: &Scenario, key: StreamKey) -> HoldPatience {
        let streams: Vec<Option<Stream>> = scenario
            .call_types
            .iter()
            .enumerate()
            .map(|(c, t)| {
                t.hold_patience
                    .as_ref()
                    .map(|_| key.stream(Purpose::HoldPatience, c))
            })
            .collect();
        HoldPatience {
            on: streams.iter().any(Option::is_some),
            streams,
            ..HoldPatience::default()
        }
    }

    /// Grows the per-agent vectors to hold `agent`.
    fn reach(&mut self, agent: u32) -> usize {
        let i = agent as usize;
        if self.hung_up.len() <= i {
            self.hung_up.resize(i + 1, false);
            self.deadline.resize(i + 1, f64::NAN);
            self.consult_end.resize(i + 1, f64::NAN);
        }
        i
    }

    /// The patience of a customer of type `c` for one hold; `None` when the type has none.
    #[inline]
    pub fn draw(&mut self, scenario: &Scenario, c: usize) -> Option<f64> {
        if !self.on {
            return None;
        }
        let rng = self.streams[c].as_mut()?;
        scenario.call_types[c]
            .hold_patience
            .as_ref()
            .map(|d| d.sample(rng))
    }

    /// The current call of `agent` ends with a hang-up on a look-up hold.
    pub fn mark_hung_up(&mut self, agent: u32) {
        let i = self.reach(agent);
        self.hung_up[i] = true;
    }

    /// Whether the call of `agent` that just ended was hung up on hold (and clears it).
    #[inline]
    pub fn take_hung_up(&mut self, agent: u32) -> bool {
        let i = agent as usize;
        i < self.hung_up.len() && std::mem::take(&mut self.hung_up[i])
    }
}

/// The look-up holds of one call with a hold patience: draws the `holds` hold lengths from
/// `rng` (the same draws as without hold patience) and a patience per hold until one runs out.
/// Returns the holds endured, the time on hold, and — when the customer hangs up — the call's
/// length to the hang-up given its talk time `talk`.
#[inline(never)]
pub(super) fn look_up_holds(
    state: &mut HoldPatience,
    rng: &mut Stream,
    scenario: &Scenario,
    c: usize,
    holds: u32,
    talk: f64,
    trace: &mut impl FnMut(f64),
) -> (u32, f64, Option<f64>) {
    let hold_time = &scenario.experience.hold_time;
    let (mut held, mut hang_up) = (0.0, None);
    for n in 1..=holds {
        let h = hold_time.sample(rng);
        if hang_up.is_none() {
            if let Some(p) = state.draw(scenario, c).filter(|&p| p < h) {
                hang_up = Some((n, held + p));
                trace(p);
            } else {
                trace(h);
            }
        }
        held += h;
    }
    match hang_up {
        Some((n, until)) => (n, until, Some(hang_up_after(talk, holds, n, until))),
        None => (holds, held, None),
    }
}

/// Where a look-up hang-up falls: the call has `holds` holds spread evenly through a talk
/// of `talk` seconds (talk, hold, talk, …, talk); the customer hangs up during hold
/// `n` (1-based) after `held` seconds on hold in all. Returns the call's length to the
/// hang-up, seconds.
fn hang_up_after(talk: f64, holds: u32, n: u32, held: f64) -> f64 {
    talk * f64::from(n) / f64::from(holds + 1) + held
}

impl<O: Observer> Engine<'_, O> {
    /// The agent's customer goes on approval hold: with a hold patience, its hang-up timer.
    #[inline(never)]
    pub(super) fn arm_approval_patience(&mut self, agent: u32) {
        let c = self.agents[agent as usize].call_type as usize;
        if let Some(p) = self.hold.draw(self.scenario, c) {
            let i = self.hold.reach(agent);
            let at = self.now + p;
            self.hold.deadline[i] = at;
            self.calendar
                .schedule(at, super::calendar::Event::HoldAbandon { agent });
        }
    }

    /// A supervisor starts consulting for `agent` until `end`.
    #[inline(never)]
    pub(super) fn consult_started(&mut self, agent: u32, end: f64) {
        if self.hold.on {
            let i = self.hold.reach(agent);
            self.hold.consult_end[i] = end;
        }
    }

    /// Whether an approval-done event for `agent` is live (its consult ends now and the
    /// customer is still there); clears the hold's timer and consult.
    #[inline(never)]
    pub(super) fn consult_live(&mut self, agent: u32) -> bool {
        if !self.hold.on {
            return true;
        }
        let i = self.hold.reach(agent);
        if self.hold.consult_end[i] != self.now {
            return false;
        }
        self.hold.consult_end[i] = f64::NAN;
        self.hold.deadline[i] = f64::NAN;
        true
    }

    /// An approval-hold timer: if the customer is still on that hold, they hang up; the
    /// supervisor queue or consult lets go of them.
    #[inline(never)]
    pub(super) fn approval_hold_expires(&mut self, agent: u32) {
        let i = self.hold.reach(agent);
        if self.hold.deadline[i] != self.now {
            return; // the hold ended already: a stale timer
        }
        self.hold.deadline[i] = f64::NAN;
        if let Some(k) = self.approval_queue.iter().position(|&a| a == agent) {
            self.approval_queue.remove(k);
        } else {
            // Consulting: the supervisor stops and takes the next request.
            self.hold.consult_end[i] = f64::NAN;
            match self.approval_queue.pop_front() {
                Some(next) => self.start_consult(next),
                None => self.supervisors_free += 1,
            }
        }
        let a = &mut self.agents[agent as usize];
        let hold = self.now - a.hold_started;
        a.holds += 1;
        a.hold_time += hold;
        let j = &mut self.journeys[a.journey as usize];
        j.experience.holds += 1;
        j.experience.hold_s += hold;
        self.observer.approval_hold(a.cell, a.work, hold);
        if O::TRACES {
            let key = a.journey;
            let event = crate::stats::TraceEvent::Hold(hold);
            self.observer.trace(key, self.now, event);
        }
        self.hung_up_on_hold(agent);
    }

    /// The customer of `agent` hung up on hold: the call ends, counted as an abandonment
    /// during service; the customer may redial; the agent is free at once. A tracked item
    /// (email, business-time service level) is no longer in hand: a look-up hang-up passed
    /// `talk_ends`, which let go of it, but an approval one comes straight here.
    #[inline(never)]
    pub(super) fn hung_up_on_hold(&mut self, agent: u32) {
        if self.email.on {
            self.email_talk_ends(agent, true);
        }
        let a = &mut self.agents[agent as usize];
        a.calls += 1;
        let (c, cell, work, journey) = (a.call_type as usize, a.cell, a.work, a.journey);
        self.observer
            .talk_ended(cell, work, self.now - a.answered_at, a.holds, a.hold_time);
        self.observer.abandoned_on_hold(cell);
        if O::TRACES {
            self.trace_end(journey, crate::stats::ContactOutcome::AbandonedOnHold);
        }
        self.line_freed(c);
        self.journeys[journey as usize].experience.abandons += 1;
        let p = self.scenario.customers.redial_probability;
        self.maybe_return(journey, c, p, true);
        self.agent_frees::<false>(agent);
    }
}
