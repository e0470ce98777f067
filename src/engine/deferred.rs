//! Deferred work (email) and business-time service levels in the engine (docs/model.md,
//! "Email and business-time service levels"):
//! - an email type is worked only while the center is open: an email arriving while it is
//!   closed waits, a freed agent passes over email queues while closed, and at each opening
//!   idle agents take the waiting emails. At closing an agent finishes the item in hand, then
//!   stops (under a calendar the headcount of closed intervals is zero, or, with explicit
//!   staffing, agents still there do other work but no email);
//! - by default an email type yields to live channels of the same priority (see
//!   `routing`'s priority rule and `CallType::after_live`);
//! - a type with a business-time service level is judged when its handling (talk) ends, for
//!   the interval it arrived in, against the week clock;
//! - at each day's close, each tracked type's backlog (waiting + in service) and the age of
//!   its oldest item are reported.
//!
//! Off (and free) unless some type is an email or has a service-level threshold of its own; then the
//! engine takes its full path (same draws, same results as the fast one), and the only hooks
//! are a branch at each interval boundary, one call when a contact starts and one when its talk ends.

use super::{Contact, Engine, BUSY};
use crate::model::service_level::met_in_business_time;
use crate::model::week::WeekClock;
use crate::model::{Channel, SlThreshold};
use crate::scenario::Scenario;
use crate::stats::{Cell, Observer};

/// Email and business-time state of one replication.
#[derive(Debug)]
pub(super) struct Email {
    /// Some type is an email or has a business-time service level.
    pub on: bool,
    /// The center is open now (the current interval is open; always true without a
    /// calendar).
    open: bool,
    /// The scenario's clock (open around the clock without a calendar).
    clock: WeekClock,
    /// A calendar exists: days close, and backlogs are reported.
    calendar: bool,
    /// Per call type: an email (worked only while open).
    gated: Vec<bool>,
    /// Per call type: tracked (email or business-time threshold): backlog reported.
    tracked: Vec<bool>,
    /// Per call type: its wait threshold for `Observer::answered_within` (−∞ for business
    /// time, judged at handling end).
    wait_threshold: Vec<f64>,
    /// Per agent slot: the call type and arrival time of the tracked item in hand (arrival
    /// NaN when none).
    in_hand: Vec<(u32, f64)>,
}

impl Email {
    pub fn new(scenario: &Scenario) -> Email {
        let types = &scenario.call_types;
        let gated: Vec<bool> = types.iter().map(|c| c.channel == Channel::Email).collect();
        let tracked: Vec<bool> = types
            .iter()
            .zip(&gated)
            .map(|(c, &g)| g || c.service_level.is_business())
            .collect();
        let clock = scenario
            .calendar
            .clone()
            .unwrap_or_else(|| WeekClock::always_open(crate::model::week::Weekday::Mon, 0.0));
        let global = scenario.simulation.service_level_threshold;
        let wait_threshold: Vec<f64> = types
            .iter()
            .map(|c| match c.service_level {
                SlThreshold::Wait(w) => w,
                _ => f64::NEG_INFINITY,
            })
            .collect();
        Email {
            // A type with a threshold of its own also takes the full path (the plain one
            // reports answers against the global threshold).
            on: tracked.iter().any(|&t| t) || wait_threshold.iter().any(|&w| w != global),
            wait_threshold,
            open: clock.is_open(0.0),
            calendar: scenario.calendar.is_some(),
            clock,
            gated,
            tracked,
            in_hand: Vec::new(),
        }
    }

    /// True when a contact of type `c` must wait: an email while the center is closed.
    #[inline]
    pub fn held(&self, c: usize) -> bool {
        self.on && !self.open && self.gated[c]
    }
}

impl<O: Observer> Engine<'_, O> {
    /// Interval `k` starts (called by `change_staffing`): the backlog is reported if the center just closed, the open
    /// flag follows the clock, headcount changes, and if it just opened idle agents take
    /// the emails that waited.
    #[inline(never)]
    pub(super) fn email_boundary(&mut self, k: usize) {
        let t = k as f64 * self.scenario.simulation.interval;
        let open = self.email.clock.is_open(t);
        let was_open = self.email.open;
        if was_open && !open && self.email.calendar && k > 0 {
            self.report_backlog(k - 1);
        }
        self.email.open = open;
        self.staff_interval(k);
        if open && !was_open {
            self.work_waiting_email();
        }
    }

    /// The horizon (the run's end): a day close falling exactly on it has no interval
    /// boundary of its own, so its backlog is reported here, in the last interval, like any
    /// other close. What is left is then drained as for every channel (the center does not
    /// close for the drain).
    #[inline(never)]
    pub(super) fn email_horizon(&mut self) {
        let intervals = self.scenario.simulation.intervals;
        let e = &self.email;
        if e.calendar && e.open && !e.clock.is_open(self.now) && intervals > 0 {
            self.report_backlog(intervals - 1);
        }
    }

    /// Idle agents of groups serving a waiting email take work (each the highest-priority
    /// waiting contact of its skills, as a freed agent would), longest idle first.
    fn work_waiting_email(&mut self) {
        let scenario = self.scenario;
        for g in 0..scenario.agent_groups.len() {
            loop {
                let waiting = scenario.agent_groups[g]
                    .skills
                    .iter()
                    .any(|&c| self.email.gated[c] && self.waiting[c] > 0);
                if !waiting {
                    break;
                }
                let Some(agent) = self.groups[g].idle.pop_front() else {
                    break;
                };
                if self.chat.on && self.chat.multi(g) {
                    self.seek_work(agent);
                    continue;
                }
                match self.next_waiting::<false>(g) {
                    Some(contact) => {
                        self.count_change(g, BUSY, 1.0);
                        self.start_service::<false>(agent, contact);
                    }
                    None => {
                        // Only stale entries were left: back to the front, idle as before.
                        self.groups[g].idle.push_front(agent);
                        break;
                    }
                }
            }
        }
    }

    /// Reports, per tracked type, the items waiting or in service at this close and the
    /// oldest one's age, in the cell of the last open interval `k`.
    fn report_backlog(&mut self, k: usize) {
        let now = self.now;
        let scenario = self.scenario;
        let types = scenario.call_types.len();
        let counted = now >= scenario.simulation.warmup;
        for c in 0..types {
            if !self.email.tracked[c] {
                continue;
            }
            let mut backlog = self.waiting[c];
            // FIFO: the first live entry is the oldest waiting item.
            let contacts = &self.contacts;
            let mut oldest = self.queues[c]
                .iter()
                .find(|&&(slot, generation)| contacts[slot as usize].generation == generation)
                .map_or(f64::INFINITY, |&(slot, _)| contacts[slot as usize].arrival);
            for &(ct, arrival) in &self.email.in_hand {
                if ct as usize == c && !arrival.is_nan() {
                    backlog += 1;
                    oldest = oldest.min(arrival);
                }
            }
            let age = if backlog == 0 { 0.0 } else { now - oldest };
            let cell = Cell::counted_if(counted, k, c, types);
            self.observer.closed_with_backlog(cell, backlog, age);
        }
    }

    /// `contact` reached an agent after `wait` seconds: reported against its type's own
    /// wait threshold.
    #[inline(never)]
    pub(super) fn email_answered(&mut self, contact: &Contact, wait: f64) {
        let threshold = self.email.wait_threshold[contact.call_type as usize];
        self.observer.answered_within(contact.cell, wait, threshold);
    }

    /// `agent` starts `contact`: a tracked item is remembered as in hand.
    #[inline(never)]
    pub(super) fn email_started(&mut self, agent: u32, contact: &Contact) {
        let c = contact.call_type;
        if !self.email.tracked[c as usize] {
            return;
        }
        let i = agent as usize;
        if self.email.in_hand.len() <= i {
            self.email.in_hand.resize(i + 1, (0, f64::NAN));
        }
        self.email.in_hand[i] = (c, contact.arrival);
    }

    /// The talk of `agent`'s contact ended (the reply is sent): a business-time service
    /// level is judged now, and the item is no longer in hand. `hung_up`: the customer hung
    /// up on hold, so nothing was answered.
    #[inline(never)]
    pub(super) fn email_talk_ends(&mut self, agent: u32, hung_up: bool) {
        let Some(&(c, arrival)) = self.email.in_hand.get(agent as usize) else {
            return;
        };
        if arrival.is_nan() {
            return;
        }
        self.email.in_hand[agent as usize].1 = f64::NAN;
        let threshold = self.scenario.call_types[c as usize].service_level;
        if hung_up || !threshold.is_business() {
            return;
        }
        if met_in_business_time(&self.email.clock, threshold, arrival, self.now) {
            let cell = self.agents[agent as usize].cell;
            self.observer.answered_in_business_time(cell);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::simulate;
    use crate::rng::StreamKey;
    use crate::scenario::Scenario;
    use crate::stats::Counters;

    /// One agent, open 08:00–09:00, handling a constant 90 minutes, plenty of email waiting
    /// from the night: at each opening the agent takes one email and finishes it after the
    /// close (the item in hand), then takes no other until the next opening. So exactly one
    /// email is answered per open day, and the close finds it in hand behind the queue.
    #[test]
    fn at_closing_the_item_in_hand_is_finished_and_nothing_else_started() {
        let s = Scenario::from_toml_str(
            r#"
[simulation]
interval = "1h"
[calendar]
start = "Mon 00:00"
days = 2
opening_hours = { weekday = "08:00-09:00" }
[[call_types]]
name = "mail"
channel = "email"
arrival_rate = 10.0
handle_time = { distribution = "constant", value = "90m" }
[[agent_groups]]
name = "one"
skills = ["mail"]
agents = 1
"#,
            "t.toml",
            "t",
        )
        .unwrap();
        for r in 0..5 {
            let key = StreamKey {
                seed: 7,
                point: 0,
                replication: r,
            };
            let res = simulate(&s, key);
            let mut all = Counters::default();
            res.contacts.iter().for_each(|c| all.add(c));
            assert_eq!(all.answered, 2, "one email per open day");
            // Monday's close (09:00, recorded in the 08:00 interval): all of Monday's night
            // and morning, the one in hand included.
            let monday = &res.contacts[8];
            assert_eq!(monday.closes, 1);
            let night: u64 = res.contacts[..9].iter().map(|c| c.offered).sum();
            assert_eq!(u64::from(monday.backlog_at_close), night);
            assert!(monday.oldest_age_at_close > 8.0 * 3600.0);
        }
    }

    /// A close falling exactly on the run's end (Monday 16:00–24:00, one day) is reported
    /// like one with a boundary after it: the same backlog as Monday's close in a two-day
    /// run (regression: it was missing).
    #[test]
    fn a_close_at_the_run_end_is_reported() {
        let text = |days: u32| {
            format!(
                r#"
[simulation]
interval = "1h"
[calendar]
start = "Mon 00:00"
days = {days}
opening_hours = {{ weekday = "16:00-24:00" }}
[[call_types]]
name = "mail"
channel = "email"
arrival_rate = 10.0
handle_time = {{ distribution = "constant", value = "90m" }}
[[agent_groups]]
name = "one"
skills = ["mail"]
agents = 1
"#
            )
        };
        let one = Scenario::from_toml_str(&text(1), "t.toml", "t").unwrap();
        let two = Scenario::from_toml_str(&text(2), "t.toml", "t").unwrap();
        for r in 0..3 {
            let key = StreamKey {
                seed: 5,
                point: 0,
                replication: r,
            };
            let (a, b) = (simulate(&one, key), simulate(&two, key));
            let close = |c: &Counters| (c.closes, c.backlog_at_close, c.oldest_age_at_close);
            assert_eq!(close(&a.contacts[23]).0, 1, "the close at 24:00 = horizon");
            assert!(a.contacts[23].backlog_at_close > 100);
            assert_eq!(close(&a.contacts[23]), close(&b.contacts[23]));
            let closes = |res: &crate::stats::ReplicationResult| {
                res.contacts.iter().map(|c| c.closes).sum::<u32>()
            };
            assert_eq!((closes(&a), closes(&b)), (1, 2));
        }
    }
}
