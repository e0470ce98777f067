//! The scenario file exactly as written: serde structures that mirror the TOML, with no
//! cross-field checks. `validate` turns a [`RawScenario`] into a validated
//! [`crate::scenario::Scenario`]. Each table's `expecting` text is what a user reads when a
//! value of the wrong kind stands where the table belongs (see `messages`); field meanings
//! are documented once, in docs/scenarios.md and on the validated model.

#![allow(missing_docs)] // Mirrors of documented keys; private to the crate.

use super::raw_week::{RawCalendar, RawShift};
use crate::scenario::duration::Duration;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a scenario: a TOML document with a [simulation] table, [[call_types]] and [[agent_groups]]"
)]
pub struct RawScenario {
    /// The scenario's name (default: the file name without `.toml`).
    pub name: Option<String>,
    /// The `[simulation]` table (required).
    pub simulation: RawSimulation,
    /// The `[[call_types]]` tables.
    #[serde(default)]
    pub call_types: Vec<RawCallType>,
    /// The `[[agent_groups]]` tables.
    #[serde(default)]
    pub agent_groups: Vec<RawAgentGroup>,
    /// The `[supervisors]` table (default: none).
    pub supervisors: Option<RawSupervisors>,
    /// The `[customers]` table (default: nobody calls back or redials).
    pub customers: Option<RawCustomers>,
    /// The `[experience]` table (default: the cited effect sizes).
    pub experience: Option<RawExperience>,
    /// The `[calendar]` table (default: no clock time, the plain horizon).
    pub calendar: Option<RawCalendar>,
    /// The `[[shifts]]` tables (default: none).
    #[serde(default)]
    pub shifts: Vec<RawShift>,
    /// The `[program]` table: training cohorts and attrition over the run's days.
    pub program: Option<super::raw_program::RawProgram>,
}

/// The `[simulation]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [simulation] table such as { horizon = \"8h\", interval = \"30m\" }"
)]
pub struct RawSimulation {
    /// How long contacts arrive (or `calendar.days`/`calendar.weeks`).
    pub horizon: Option<Duration>,
    /// Planning interval length.
    pub interval: Option<Duration>,
    /// Contacts arriving before this are left out of the statistics.
    pub warmup: Option<Duration>,
    /// Independent replications (signed, so a negative value gets a clear message).
    pub replications: Option<i64>,
    /// Base seed (signed, so a negative value gets a clear message).
    pub seed: Option<i64>,
    /// Wait within which an answer counts toward the service level.
    pub service_level_threshold: Option<Duration>,
    /// Coefficient of variation of the day-level arrival factor (busyness).
    pub arrival_uncertainty: Option<f64>,
    /// Telephone lines: calls in the center at most (signed, for a clear message).
    pub lines: Option<i64>,
}

/// One `[[call_types]]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a call type table with `name`, `handle_time` and `arrival_rate` or `volumes`"
)]
pub struct RawCallType {
    /// The call type's name.
    pub name: String,
    /// Contacts per hour, the same in every interval (or `volumes`).
    pub arrival_rate: Option<f64>,
    /// Contacts per interval (or `arrival_rate`).
    pub volumes: Option<Vec<f64>>,
    /// Talk time of a proficient agent.
    pub handle_time: RawDistribution,
    /// How long callers wait before hanging up (absent: forever).
    pub patience: Option<RawDistribution>,
    /// Transfer after service to another call type.
    pub transfer: Option<RawTransfer>,
    /// Wrap-up after the talk.
    pub after_call_work: Option<RawDistribution>,
    /// Issue difficulty on [0, 1].
    pub difficulty: Option<RawDistribution>,
    /// Share of issues that need a decision.
    pub decision_probability: Option<f64>,
    /// Amount at stake in a decision.
    pub decision_amount: Option<RawDistribution>,
    /// Per day type: contacts per open interval (with a `[calendar]`).
    pub profile: Option<BTreeMap<String, Vec<f64>>>,
    /// `"voice"` (default), `"chat"` or `"email"`.
    pub channel: Option<String>,
    /// Virtual hold: a callback offered to callers who wait.
    pub callback: Option<RawCallback>,
    /// Routing priority, a whole number ≥ 0 (signed, for a clear message).
    pub priority: Option<i64>,
    /// How long held customers wait before hanging up.
    pub hold_patience: Option<RawDistribution>,
    /// This type's own service-level threshold: a duration or business time.
    pub service_level_threshold: Option<String>,
}

/// A call type's `callback` table (virtual hold).
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a callback table such as { offer_after = \"2m\", accept_probability = 0.6 }"
)]
pub struct RawCallback {
    /// Wait before the offer.
    pub offer_after: Duration,
    /// Chance that an offered caller accepts.
    pub accept_probability: f64,
    /// Call back only when no live caller waits.
    pub only_when_idle: Option<bool>,
}

/// A `transfer` or `unresolved_transfer` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a transfer table such as { to = \"specialist\", probability = 0.3 }"
)]
pub struct RawTransfer {
    /// The destination call type's name.
    pub to: String,
    /// Chance of the transfer, in [0, 1].
    pub probability: f64,
}

/// Every parameter any distribution may take; `validate` checks which ones the named
/// distribution needs and reads them as durations or plain numbers depending on what the
/// distribution describes, so the error can say "lognormal needs `sd`" rather than a serde
/// riddle.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a distribution table such as { distribution = \"exponential\", mean = \"3m\" }"
)]
pub struct RawDistribution {
    /// The distribution's name (`exponential`, `lognormal`, …).
    pub distribution: String,
    /// Mean (a duration or a number, depending on what is described).
    pub mean: Option<toml::Value>,
    /// Standard deviation.
    pub sd: Option<toml::Value>,
    /// Shape parameter (Weibull).
    pub shape: Option<toml::Value>,
    /// Scale parameter (Weibull).
    pub scale: Option<toml::Value>,
    /// Lower bound (uniform).
    pub min: Option<toml::Value>,
    /// Upper bound (uniform).
    pub max: Option<toml::Value>,
    /// The value of a constant.
    pub value: Option<toml::Value>,
    /// The observations of an empirical distribution.
    pub values: Option<Vec<toml::Value>>,
}

/// One `[[agent_groups]]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an agent group table with `name`, `skills` and `agents` or `staffing`"
)]
pub struct RawAgentGroup {
    /// The group's name.
    pub name: String,
    /// Call types served, highest priority first.
    pub skills: Vec<String>,
    /// Headcount in every interval (or `staffing`).
    pub agents: Option<i64>,
    /// Headcount per interval (or `agents`).
    pub staffing: Option<Vec<i64>>,
    /// Training, 0 (new hire) to 1 (fully proficient).
    pub proficiency: Option<f64>,
    /// Per-agent learning curve.
    pub learning: Option<RawLearning>,
    /// Largest decision amount an agent may grant alone.
    pub authority: Option<f64>,
    /// `"approval"` (a supervisor hold) or a call type to escalate to.
    pub beyond_authority: Option<String>,
    /// Transfer of unresolved contacts to another call type.
    pub unresolved_transfer: Option<RawTransfer>,
    /// Currency per staffed agent-hour.
    pub hourly_cost: Option<f64>,
    /// One-off training cost per agent.
    pub training_cost: Option<f64>,
    /// Share of scheduled time agents are unavailable (absence, meetings, coaching).
    pub shrinkage: Option<f64>,
    /// Chats an agent holds at once (any TOML value, so a fraction gets a clear message).
    pub max_concurrent: Option<toml::Value>,
    /// Handle-time stretch per extra chat in hand.
    pub chat_slowdown: Option<f64>,
    /// Per skill name: wait after which this group takes that skill's contacts.
    pub overflow_after: Option<std::collections::BTreeMap<String, Duration>>,
}

/// A group's `learning` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a learning table such as { start = 0.3, calls = 200 }"
)]
pub struct RawLearning {
    /// Proficiency of a new agent.
    pub start: f64,
    /// Calls over which the gap to the group's proficiency shrinks by a factor e.
    pub calls: f64,
}

/// The `[supervisors]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [supervisors] table such as { count = 2, consult_time = { distribution = \"exponential\", mean = \"2m\" } }"
)]
pub struct RawSupervisors {
    /// Supervisors on duty.
    pub count: Option<i64>,
    /// Length of one approval consult.
    pub consult_time: Option<RawDistribution>,
    /// Currency per supervisor-hour.
    pub hourly_cost: Option<f64>,
}

/// The `[customers]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [customers] table such as { callback_probability = 0.9 }"
)]
pub struct RawCustomers {
    /// Share of unresolved customers who call again.
    pub callback_probability: Option<f64>,
    /// Time before a callback.
    pub callback_delay: Option<RawDistribution>,
    /// Share of abandoned callers who try again.
    pub redial_probability: Option<f64>,
    /// Time before a redial.
    pub redial_delay: Option<RawDistribution>,
    /// A journey ends after this many contacts.
    pub max_contacts: Option<i64>,
    /// Revenue lost with a churned customer: a number or a `{ low, mode, high }` range.
    pub customer_value: Option<crate::model::assumptions::RawAssumption>,
}

/// The `[experience]` table: effect sizes of the customer-experience model.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [experience] table such as { novice_handle_factor = 1.9 }"
)]
pub struct RawExperience {
    /// Handle time of a new hire relative to a proficient agent.
    pub novice_handle_factor: Option<f64>,
    /// Intercept of the resolution logistic.
    pub resolution_intercept: Option<f64>,
    /// Slope of the resolution logistic.
    pub resolution_slope: Option<f64>,
    /// Expected look-up holds of a new hire.
    pub holds_novice: Option<f64>,
    /// Extra expected look-up holds per unit of difficulty.
    pub holds_difficulty: Option<f64>,
    /// Length of one look-up hold.
    pub hold_time: Option<RawDistribution>,
    /// Weights of the satisfaction utility.
    pub satisfaction: Option<RawSatisfaction>,
    /// Probability of losing a customer whose CSAT is 1, 2, 3, 4, 5.
    pub churn_by_csat: Option<Vec<f64>>,
    /// People told by an unhappy customer.
    pub word_of_mouth_unhappy: Option<f64>,
    /// People told by a happy customer.
    pub word_of_mouth_happy: Option<f64>,
    /// Logit offsets of P(CSAT ≥ 4), P(≥ 3), P(≥ 2) around the top-box logit.
    pub csat_spread: Option<Vec<f64>>,
    /// The `[experience.loyalty]` table.
    pub loyalty: Option<RawLoyalty>,
    /// The `[experience.spend_premium]` table (absent: no revenue upside).
    pub spend_premium: Option<RawSpendPremium>,
}

/// The `[experience.loyalty]` table: defection, word of mouth and NPS by journey outcome.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a loyalty table such as { defection = [0.05, 0.09, 0.25] }"
)]
pub struct RawLoyalty {
    /// Defection after first-contact resolution, resolution after repeat, no resolution
    /// (each a number or a `{ low, mode, high }` range).
    pub defection: Option<Vec<crate::model::assumptions::RawAssumption>>,
    /// "sqm" (by outcome) or "amex" (AmEx 2011 general-population figures).
    pub word_of_mouth: Option<String>,
    /// Share who tell someone, per word-of-mouth class (numbers or ranges).
    pub tell_share: Option<Vec<crate::model::assumptions::RawAssumption>>,
    /// People each teller tells, per word-of-mouth class.
    pub people_told: Option<Vec<f64>>,
    /// [top-box share, NPS] of the happier anchor population.
    pub nps_high: Option<Vec<f64>>,
    /// [top-box share, NPS] of the less happy anchor population.
    pub nps_low: Option<Vec<f64>>,
    /// Passives' share at the happier anchor (a number or a range).
    pub nps_passives: Option<crate::model::assumptions::RawAssumption>,
}

/// The `[experience.spend_premium]` table (AmEx 2011, stated intention).
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a spend_premium table such as { spend = 500.0 }"
)]
pub struct RawSpendPremium {
    /// Share of customers who would spend more (a number or a range).
    pub share: Option<crate::model::assumptions::RawAssumption>,
    /// How much more, as a fraction of spend (a number or a range).
    pub premium: Option<crate::model::assumptions::RawAssumption>,
    /// A customer's spend over the period (required).
    pub spend: Option<f64>,
}

/// The `[experience.satisfaction]` table: weights of the satisfaction utility.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a satisfaction table such as { base = 0.82, per_hold = 0.07 }"
)]
pub struct RawSatisfaction {
    /// Top-box share of a perfect journey.
    pub base: Option<f64>,
    /// "points" or "relative": how the drops apply.
    pub unit: Option<String>,
    /// Weight per minute of waiting.
    pub per_wait_minute: Option<f64>,
    /// Weight per hold.
    pub per_hold: Option<f64>,
    /// Weight per minute on hold.
    pub per_hold_minute: Option<f64>,
    /// Weight per transfer.
    pub per_transfer: Option<f64>,
    /// Weight per callback or redial.
    pub per_repeat: Option<f64>,
    /// Weight of an unresolved issue.
    pub unresolved: Option<f64>,
    /// Weight per abandoned contact.
    pub per_abandon: Option<f64>,
}
