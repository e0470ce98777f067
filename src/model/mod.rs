//! The validated contact-center model the engine runs: call types, agent groups (with their
//! training and empowerment), supervisors, customer behaviour and the experience model's
//! effect sizes. Everything here has passed `scenario` validation, so the engine never
//! re-checks it. The formulas that use these parameters, and the sources of their defaults,
//! are in `docs/model.md` and [`experience`].

pub mod assumptions;
mod dist;
pub mod experience;
pub mod program;
pub mod service_level;
mod shift;
pub mod week;

pub use dist::Dist;
pub use experience::{CustomerBehaviour, ExperienceParams, Supervisors};
pub use service_level::SlThreshold;
pub use shift::BreakSlot;

/// A fixed-probability transfer after service to another call type's queue.
#[derive(Debug, Clone, Copy)]
pub struct Transfer {
    /// Index of the destination call type.
    pub to: usize,
    /// Chance that a served contact is transferred, in [0, 1].
    pub probability: f64,
}

/// One kind of contact: how it arrives, how long it takes, how long its callers wait, and
/// what kind of issue its customers bring.
#[derive(Debug, Clone)]
pub struct CallType {
    /// The call type's name, unique in the scenario.
    pub name: String,
    /// Poisson arrival rate in each planning interval, contacts per **second**.
    pub arrival_rates: Vec<f64>,
    /// Handle time of a fully proficient agent (talk, excluding holds).
    pub handle_time: Dist,
    /// `None`: callers never abandon.
    pub patience: Option<Dist>,
    /// Fixed-probability transfer after service (`None`: never transferred).
    pub transfer: Option<Transfer>,
    /// Wrap-up after the talk, during which the agent is still busy (`None`: none).
    pub after_call_work: Option<Dist>,
    /// Issue difficulty on [0, 1]. `None`: every issue is resolved when served (plain model).
    pub difficulty: Option<Dist>,
    /// Share of issues that need a decision (refund, credit, exception).
    pub decision_probability: f64,
    /// Amount at stake in a decision (currency), compared with an agent's authority.
    pub decision_amount: Option<Dist>,
    /// How customers reach the center: voice (the default) or chat (see
    /// [`AgentGroup::max_concurrent`]).
    pub channel: Channel,
    /// Virtual hold offered to callers who wait (`None`: never offered).
    pub callback: Option<Callback>,
    /// Routing priority: a freed agent takes the waiting contact of its highest-priority
    /// skill (its skill order breaking ties). 0 for every type: skill order alone.
    pub priority: u32,
    /// How long a customer on hold (look-up or approval) waits before hanging up; drawn
    /// afresh for each hold. `None`: held customers never hang up.
    pub hold_patience: Option<Dist>,
    /// This type's service-level threshold: `simulation.service_level_threshold` as a wait
    /// unless the type sets its own (a wait or business time, docs/model.md "Email").
    pub service_level: SlThreshold,
    /// Worked after live channels of the same `priority`: an email type without an explicit
    /// `priority` (a free agent takes voice and chat first). False for every other type.
    pub after_live: bool,
}

/// A call type's channel. Only chat changes the mechanics: an agent of a group with
/// `max_concurrent` k > 1 holds up to k chats at once (docs/model.md, "Chat").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    /// A phone call: it occupies the agent fully.
    #[default]
    Voice,
    /// A chat: one of up to `max_concurrent` in an agent's hands.
    Chat,
    /// An email: deferred work with no patience, worked only while the center is open and,
    /// by default, after live channels (docs/model.md, "Email").
    Email,
}

impl Channel {
    /// `"voice"`, `"chat"` or `"email"`, as in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Chat => "chat",
            Channel::Email => "email",
        }
    }

    /// Parses a scenario file's `channel` value.
    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Voice, Channel::Chat, Channel::Email]
            .into_iter()
            .find(|c| c.key() == s)
    }
}

/// Virtual hold (docs/model.md, "Callbacks"): a caller still waiting `offer_after` seconds
/// after joining the queue is offered a callback and accepts with `accept_probability`; an
/// accepter stops holding the line (never abandons) and is called back when an agent frees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Callback {
    /// Seconds of waiting before the offer (≥ 0).
    pub offer_after: f64,
    /// Chance that an offered caller accepts, in [0, 1].
    pub accept_probability: f64,
    /// Accepters leave the queue and are called back only when none of the freed agent's
    /// skills has a live caller waiting (otherwise they keep their place in the FIFO order).
    pub only_when_idle: bool,
}

impl CallType {
    /// True when contacts of this type draw customer-experience attributes at all.
    pub fn has_issue_model(&self) -> bool {
        self.difficulty.is_some() || self.decision_probability > 0.0
    }

    /// Mean agent time per contact at full proficiency, seconds: handle time plus after-call
    /// work (the load behind overload checks, capacity estimates and Erlang starts).
    pub fn mean_work(&self) -> f64 {
        self.handle_time.mean() + self.after_call_work.as_ref().map_or(0.0, |d| d.mean())
    }
}

/// What an agent does with a decision beyond its authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeyondAuthority {
    /// Put the customer on hold and consult a supervisor (a limited pool).
    Approval,
    /// Transfer the contact to this call type's queue (an escalation).
    Escalate(usize),
}

/// Per-agent learning: proficiency rises from `start` toward the group's proficiency with
/// calls handled, p(n) = p − (p − start)·exp(−n / calls).
#[derive(Debug, Clone, Copy)]
pub struct Learning {
    /// Proficiency of a new agent, on [0, 1].
    pub start: f64,
    /// Calls over which the gap to the group's proficiency shrinks by a factor e.
    pub calls: f64,
}

/// A pool of interchangeable agents.
#[derive(Debug, Clone)]
pub struct AgentGroup {
    /// The group's name, unique in the scenario.
    pub name: String,
    /// Call-type indices served, highest priority first.
    pub skills: Vec<usize>,
    /// Headcount in each planning interval (the last one stays on while the center drains).
    pub staffing: Vec<u32>,
    /// Training: 0 (new hire) to 1 (fully proficient, the plain model's agent).
    pub proficiency: f64,
    /// Per-agent learning curve (`None`: every agent works at `proficiency`).
    pub learning: Option<Learning>,
    /// Largest decision amount an agent may grant alone (empowerment); `f64::INFINITY` = any.
    pub authority: f64,
    /// What an agent does with a decision larger than `authority`.
    pub beyond_authority: BeyondAuthority,
    /// Knowledge-based transfer: when this group's agent fails to resolve the issue, the
    /// contact is transferred (with this probability, once per journey) instead of the
    /// customer leaving unresolved. Training raises resolution, so it cuts these transfers.
    pub unresolved_transfer: Option<Transfer>,
    /// Currency per staffed agent-hour.
    pub hourly_cost: f64,
    /// Currency per agent of peak headcount (training investment).
    pub training_cost: f64,
    /// Share of scheduled time an agent is unavailable (absence, meetings, coaching), in
    /// [0, 1): each scheduled agent is absent in each interval with this probability.
    pub shrinkage: f64,
    /// Breaks owed by this group's shifts, by window opening time (empty without shifts).
    pub breaks: Vec<BreakSlot>,
    /// Chats an agent holds at once (≥ 1; 1: one contact at a time, the plain model).
    pub max_concurrent: u32,
    /// Per extra chat in hand when a chat starts, its handle time is stretched by this share:
    /// × (1 + chat_slowdown·(m − 1)) with m chats in hand including it.
    pub chat_slowdown: f64,
    /// Per skill, in `skills` order: how long a contact of that skill must have waited
    /// before this group takes it (overflow), seconds; 0 = at once. Empty when the group
    /// overflows nothing.
    pub overflow_after: Vec<f64>,
}

impl AgentGroup {
    /// Proficiency of an agent who has handled `calls` contacts so far in this run.
    #[inline]
    pub fn proficiency_after(&self, calls: u32) -> f64 {
        match self.learning {
            None => self.proficiency,
            Some(l) => {
                self.proficiency - (self.proficiency - l.start) * (-(calls as f64) / l.calls).exp()
            }
        }
    }

    /// Peak headcount over the day.
    pub fn peak_headcount(&self) -> u32 {
        self.staffing.iter().copied().max().unwrap_or(0)
    }
}
