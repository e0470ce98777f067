//! Serde mirror of the `[program]` table: training cohorts, attrition and the discount rate.
//! Field meanings are documented in docs/scenarios.md ("Training programs"); `validate::program_keys`
//! checks them.

#![allow(missing_docs)] // Mirrors of documented keys; private to the crate.

use crate::model::assumptions::RawAssumption;
use serde::Deserialize;

/// The `[program]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [program] table such as { discount_rate = 0.08 } with [[program.cohorts]]"
)]
pub struct RawProgram {
    /// Per year, for NPV (default 0).
    pub discount_rate: Option<RawAssumption>,
    #[serde(default)]
    pub cohorts: Vec<RawCohort>,
    #[serde(default)]
    pub attrition: Vec<RawAttrition>,
}

/// One `[[program.cohorts]]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a cohort table such as { group = \"front\", agents = 5, start_day = 7, days = 5 }"
)]
pub struct RawCohort {
    pub group: String,
    pub agents: i64,
    pub start_day: i64,
    pub days: i64,
    pub cost_per_trainee_day: Option<RawAssumption>,
    pub trainer_cost: Option<RawAssumption>,
    pub proficiency: Option<f64>,
    pub proficiency_after_class: Option<f64>,
    pub learning_calls: Option<f64>,
}

/// One `[[program.attrition]]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an attrition table such as { group = \"front\", annual_rate = 0.3 }"
)]
pub struct RawAttrition {
    pub group: String,
    pub annual_rate: RawAssumption,
    pub new_hire_proficiency: Option<RawAssumption>,
    pub learning_calls: Option<f64>,
}
