//! The scenario file exactly as written: serde structures that mirror the TOML, with no
//! cross-field checks. `build` turns a [`RawScenario`] into a validated
//! [`crate::scenario::Scenario`]. Each table's `expecting` text is what a user reads when a
//! value of the wrong kind stands where the table belongs (see `messages`); field meanings
//! are documented once, in docs/scenarios.md and on the validated model.

#![allow(missing_docs)] // Mirrors of documented keys; private to the crate.

use crate::scenario::duration::Duration;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a scenario: a TOML document with a [simulation] table, [[call_types]] and [[agent_groups]]"
)]
pub struct RawScenario {
    pub name: Option<String>,
    pub simulation: RawSimulation,
    #[serde(default)]
    pub call_types: Vec<RawCallType>,
    #[serde(default)]
    pub agent_groups: Vec<RawAgentGroup>,
    pub supervisors: Option<RawSupervisors>,
    pub customers: Option<RawCustomers>,
    pub experience: Option<RawExperience>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [simulation] table such as { horizon = \"8h\", interval = \"30m\" }"
)]
pub struct RawSimulation {
    pub horizon: Duration,
    pub interval: Option<Duration>,
    pub warmup: Option<Duration>,
    pub replications: Option<i64>,
    pub seed: Option<i64>,
    pub service_level_threshold: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a call type table with `name`, `handle_time` and `arrival_rate` or `volumes`"
)]
pub struct RawCallType {
    pub name: String,
    pub arrival_rate: Option<f64>,
    pub volumes: Option<Vec<f64>>,
    pub handle_time: RawDistribution,
    pub patience: Option<RawDistribution>,
    pub transfer: Option<RawTransfer>,
    pub after_call_work: Option<RawDistribution>,
    pub difficulty: Option<RawDistribution>,
    pub decision_probability: Option<f64>,
    pub decision_amount: Option<RawDistribution>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a transfer table such as { to = \"specialist\", probability = 0.3 }"
)]
pub struct RawTransfer {
    pub to: String,
    pub probability: f64,
}

/// Every parameter any distribution may take; `build` checks which ones the named
/// distribution needs and reads them as durations or plain numbers depending on what the
/// distribution describes, so the error can say "lognormal needs `sd`" rather than a serde
/// riddle.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a distribution table such as { distribution = \"exponential\", mean = \"3m\" }"
)]
pub struct RawDistribution {
    pub distribution: String,
    pub mean: Option<toml::Value>,
    pub sd: Option<toml::Value>,
    pub shape: Option<toml::Value>,
    pub scale: Option<toml::Value>,
    pub min: Option<toml::Value>,
    pub max: Option<toml::Value>,
    pub value: Option<toml::Value>,
    pub values: Option<Vec<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an agent group table with `name`, `skills` and `agents` or `staffing`"
)]
pub struct RawAgentGroup {
    pub name: String,
    pub skills: Vec<String>,
    pub agents: Option<i64>,
    pub staffing: Option<Vec<i64>>,
    pub proficiency: Option<f64>,
    pub learning: Option<RawLearning>,
    pub authority: Option<f64>,
    pub beyond_authority: Option<String>,
    pub unresolved_transfer: Option<RawTransfer>,
    pub hourly_cost: Option<f64>,
    pub training_cost: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a learning table such as { start = 0.3, calls = 200 }"
)]
pub struct RawLearning {
    pub start: f64,
    pub calls: f64,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [supervisors] table such as { count = 2, consult_time = { distribution = \"exponential\", mean = \"2m\" } }"
)]
pub struct RawSupervisors {
    pub count: Option<i64>,
    pub consult_time: Option<RawDistribution>,
    pub hourly_cost: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [customers] table such as { callback_probability = 0.9 }"
)]
pub struct RawCustomers {
    pub callback_probability: Option<f64>,
    pub callback_delay: Option<RawDistribution>,
    pub redial_probability: Option<f64>,
    pub redial_delay: Option<RawDistribution>,
    pub max_contacts: Option<i64>,
    pub customer_value: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [experience] table such as { novice_handle_factor = 1.9 }"
)]
pub struct RawExperience {
    pub novice_handle_factor: Option<f64>,
    pub resolution_intercept: Option<f64>,
    pub resolution_slope: Option<f64>,
    pub holds_novice: Option<f64>,
    pub holds_difficulty: Option<f64>,
    pub hold_time: Option<RawDistribution>,
    pub satisfaction: Option<RawSatisfaction>,
    pub churn_by_csat: Option<Vec<f64>>,
    pub word_of_mouth_unhappy: Option<f64>,
    pub word_of_mouth_happy: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a satisfaction table such as { base = 2.2, per_wait_minute = 0.15 }"
)]
pub struct RawSatisfaction {
    pub base: Option<f64>,
    pub per_wait_minute: Option<f64>,
    pub per_hold: Option<f64>,
    pub per_hold_minute: Option<f64>,
    pub per_transfer: Option<f64>,
    pub per_repeat: Option<f64>,
    pub unresolved: Option<f64>,
    pub per_abandon: Option<f64>,
}
