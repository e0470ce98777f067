//! The scenario file exactly as written: serde structures that mirror the TOML, with no
//! cross-field checks. `build` turns a `RawScenario` into a validated [`super::Scenario`].

use super::duration::Duration;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub simulation: RawSimulation,
    #[serde(default)]
    pub call_types: Vec<RawCallType>,
    #[serde(default)]
    pub agent_groups: Vec<RawAgentGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub horizon: Duration,
    pub interval: Option<Duration>,
    pub warmup: Option<Duration>,
    pub replications: Option<i64>,
    pub seed: Option<i64>,
    pub service_level_threshold: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCallType {
    pub name: String,
    pub arrival_rate: Option<f64>,
    pub volumes: Option<Vec<f64>>,
    pub handle_time: RawDistribution,
    pub patience: Option<RawDistribution>,
    pub transfer: Option<RawTransfer>,
    pub after_call_work: Option<RawDistribution>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    pub to: String,
    pub probability: f64,
}

/// Every parameter any distribution may take; `build` checks which ones the named
/// distribution needs, so the error can say "lognormal needs `sd`" rather than a serde riddle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistribution {
    pub distribution: String,
    pub mean: Option<Duration>,
    pub sd: Option<Duration>,
    pub shape: Option<f64>,
    pub scale: Option<Duration>,
    pub min: Option<Duration>,
    pub max: Option<Duration>,
    pub value: Option<Duration>,
    pub values: Option<Vec<Duration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgentGroup {
    pub name: String,
    pub skills: Vec<String>,
    pub agents: Option<i64>,
    pub staffing: Option<Vec<i64>>,
}
