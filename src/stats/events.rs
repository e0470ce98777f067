//! What the engine tells an observer about single contacts (see [`super::Observer::trace`]
//! and `crate::trace`, which writes them out): how a contact came to be, how it ended, and
//! what happened in between. Part of the observer's vocabulary, so defined here, below both
//! the engine that reports them and the trace that writes them.

/// How a contact came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    /// A new customer's first contact.
    First,
    /// A transfer from another contact of the same customer.
    Transfer,
    /// A customer coming back: a callback after an unresolved contact, or a redial.
    Return,
}

impl ContactKind {
    /// Its name in the trace.
    pub fn key(self) -> &'static str {
        match self {
            ContactKind::First => "first",
            ContactKind::Transfer => "transfer",
            ContactKind::Return => "return",
        }
    }
}

/// Every way a contact ends in the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactOutcome {
    /// Served, the issue resolved.
    Resolved,
    /// Served, the issue not resolved (the customer may call back).
    Unresolved,
    /// Served and transferred to call type `to` (a new contact of the same journey).
    Transferred {
        /// The call type transferred to.
        to: u32,
    },
    /// Hung up while waiting.
    Abandoned,
    /// Hung up while on hold during service.
    AbandonedOnHold,
    /// Found every line busy (`simulation.lines`).
    Blocked,
    /// Accepted a callback and was not called back before the run ended.
    CallbackNotMade,
    /// Still waiting when the run ended (nobody left to serve it).
    LeftInQueue,
}

impl ContactOutcome {
    /// Its name in the trace.
    pub fn key(self) -> &'static str {
        match self {
            ContactOutcome::Resolved => "resolved",
            ContactOutcome::Unresolved => "unresolved",
            ContactOutcome::Transferred { .. } => "transferred",
            ContactOutcome::Abandoned => "abandoned",
            ContactOutcome::AbandonedOnHold => "abandoned_on_hold",
            ContactOutcome::Blocked => "blocked",
            ContactOutcome::CallbackNotMade => "callback_not_made",
            ContactOutcome::LeftInQueue => "left_in_queue",
        }
    }
}

/// What happened to a traced contact (its key and the time come with it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TraceEvent {
    /// An agent took it.
    Answered {
        /// The agent (for a chat: the person, not the window).
        agent: u32,
        /// The agent's group.
        group: u32,
    },
    /// A hold of this length, seconds (look-up holds when answered, in order; an approval
    /// hold when it ends).
    Hold(f64),
    /// It was offered a callback.
    Callback {
        /// The caller accepted.
        accepted: bool,
    },
    /// It left the center.
    End(ContactOutcome),
}
