//! What one replication measures: fixed-size tallies per (interval, call type) and per
//! (interval, agent group), filled in by the engine. No per-call storage, so memory does not
//! grow with the horizon.

/// Tallies for the contacts of one call type that arrived in one interval (after warmup).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    /// Contacts that arrived (external arrivals, transfers, callbacks and redials).
    pub offered: u64,
    /// Contacts that reached an agent.
    pub answered: u64,
    /// Contacts whose caller hung up while waiting.
    pub abandoned: u64,
    /// Contacts that did not reach an agent at once.
    pub queued: u64,
    /// Answered with wait ≤ the service-level threshold.
    pub within_threshold: u64,
    /// Answered contacts that ended in a transfer.
    pub transferred: u64,
    /// Still waiting when the simulation ended (only when no agent is left to serve them).
    pub in_queue_at_end: u64,
    /// Σ wait of answered contacts, seconds.
    pub wait_answered: f64,
    /// Σ wait of answered and abandoned contacts (abandoned: time until hang-up), seconds.
    pub wait_all: f64,
    /// Contacts that were callbacks or redials of an earlier contact (failure demand).
    pub repeats: u64,
    /// Holds in answered contacts (look-ups and approvals) and their total length, seconds.
    pub holds: u64,
    /// Total length of those holds, seconds.
    pub hold_time: f64,
    /// Approval holds (supervisor consults) and their total length including the wait for a
    /// supervisor, seconds.
    pub approvals: u64,
    /// Total length of those approval holds, seconds.
    pub approval_time: f64,
    /// Journeys (customers) that ended, attributed to their first contact's type and interval.
    pub customers: u64,
    /// Journeys resolved on the first contact / resolved at all.
    pub first_contact_resolved: u64,
    /// Journeys resolved at all.
    pub resolved: u64,
    /// Sums over journeys of expected CSAT, P(promoter), P(detractor), P(churn), revenue at
    /// risk and people told (negative / positive).
    pub csat: f64,
    /// Σ P(promoter) over journeys.
    pub promoters: f64,
    /// Σ P(detractor) over journeys.
    pub detractors: f64,
    /// Σ P(churn) over journeys.
    pub churned: f64,
    /// Σ expected revenue lost with churned customers (currency).
    pub revenue_at_risk: f64,
    /// Σ expected people told about a bad experience.
    pub word_of_mouth_negative: f64,
    /// Σ expected people told about a good experience.
    pub word_of_mouth_positive: f64,
}

impl Counters {
    /// Adds another tally into this one.
    pub fn add(&mut self, o: &Counters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.queued += o.queued;
        self.within_threshold += o.within_threshold;
        self.transferred += o.transferred;
        self.in_queue_at_end += o.in_queue_at_end;
        self.wait_answered += o.wait_answered;
        self.wait_all += o.wait_all;
        self.repeats += o.repeats;
        self.holds += o.holds;
        self.hold_time += o.hold_time;
        self.approvals += o.approvals;
        self.approval_time += o.approval_time;
        self.customers += o.customers;
        self.first_contact_resolved += o.first_contact_resolved;
        self.resolved += o.resolved;
        self.csat += o.csat;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
        self.churned += o.churned;
        self.revenue_at_risk += o.revenue_at_risk;
        self.word_of_mouth_negative += o.word_of_mouth_negative;
        self.word_of_mouth_positive += o.word_of_mouth_positive;
    }
}

/// What one agent group did with the contacts it started in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupCounters {
    /// Contacts this group answered.
    pub handled: u64,
    /// Σ time from answer to end of talk (holds included), seconds.
    pub handle_time: f64,
    /// Look-up and approval holds in those contacts.
    pub holds: u64,
    /// Contacts that ended here without a transfer (a resolution attempt) / resolved.
    pub attempts: u64,
    /// Resolution attempts that resolved the issue.
    pub resolved: u64,
    /// Decisions beyond authority escalated by transfer.
    pub escalations: u64,
    /// Decisions beyond authority taken to a supervisor.
    pub approvals: u64,
}

impl GroupCounters {
    /// Adds another tally into this one.
    pub fn add(&mut self, o: &GroupCounters) {
        self.handled += o.handled;
        self.handle_time += o.handle_time;
        self.holds += o.holds;
        self.attempts += o.attempts;
        self.resolved += o.resolved;
        self.escalations += o.escalations;
        self.approvals += o.approvals;
    }
}

/// Everything one replication measured. Sizes depend on intervals × call types × groups only.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Planning intervals of the horizon.
    pub intervals: usize,
    /// Call types of the scenario.
    pub call_types: usize,
    /// Agent groups of the scenario.
    pub groups: usize,
    /// `[interval * call_types + call_type]`, by the contact's arrival interval.
    pub contacts: Vec<Counters>,
    /// `[interval * groups + group]`: agent-seconds busy (talk + after-call work) within
    /// [warmup, horizon].
    pub busy: Vec<f64>,
    /// `[interval * groups + group]`: agent-seconds staffed within [warmup, horizon].
    pub staffed: Vec<f64>,
    /// `[interval * groups + group]`, by the interval the contact was answered in (after
    /// warmup).
    pub group_work: Vec<GroupCounters>,
}

impl ReplicationResult {
    /// An all-zero result of the given shape.
    pub fn new(intervals: usize, call_types: usize, groups: usize) -> Self {
        ReplicationResult {
            intervals,
            call_types,
            groups,
            contacts: vec![Counters::default(); intervals * call_types],
            busy: vec![0.0; intervals * groups],
            staffed: vec![0.0; intervals * groups],
            group_work: vec![GroupCounters::default(); intervals * groups],
        }
    }

    /// The tally of call type `c` in interval `k`.
    #[inline]
    pub fn counters_mut(&mut self, k: usize, c: usize) -> &mut Counters {
        &mut self.contacts[k * self.call_types + c]
    }

    /// Sum of the tallies that `keep(interval, call_type)` selects.
    pub fn total(&self, keep: impl Fn(usize, usize) -> bool) -> Counters {
        let mut t = Counters::default();
        for (i, c) in self.contacts.iter().enumerate() {
            if keep(i / self.call_types, i % self.call_types) {
                t.add(c);
            }
        }
        t
    }

    /// The work tally of group `g` in interval `k`.
    #[inline]
    pub fn group_mut(&mut self, k: usize, g: usize) -> &mut GroupCounters {
        &mut self.group_work[k * self.groups + g]
    }

    /// Sum of group `g`'s work tallies over all intervals.
    pub fn group_total(&self, g: usize) -> GroupCounters {
        let mut t = GroupCounters::default();
        for cell in self.group_work.iter().skip(g).step_by(self.groups) {
            t.add(cell);
        }
        t
    }

    /// Busy / staffed agent time over the (interval, group) cells that `keep` selects;
    /// `None` when nobody was staffed there.
    pub fn occupancy(&self, keep: impl Fn(usize, usize) -> bool) -> Option<f64> {
        let (mut busy, mut staffed) = (0.0, 0.0);
        for i in 0..self.busy.len() {
            if keep(i / self.groups, i % self.groups) {
                busy += self.busy[i];
                staffed += self.staffed[i];
            }
        }
        (staffed > 0.0).then(|| busy / staffed)
    }
}
