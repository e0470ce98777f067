//! Serde mirrors of the calendar keys: `[calendar]` (start, length in days or weeks, opening
//! hours, day factors), `[[shifts]]` with their breaks, and a call type's `profile`. Field
//! meanings are documented in docs/scenarios.md ("Calendar", "Shifts"); `validate::calendar_keys` checks
//! them and expands them into per-interval arrays.

#![allow(missing_docs)] // Mirrors of documented keys; private to the crate.

use crate::scenario::duration::Duration;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The `[calendar]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [calendar] table such as { start = \"Mon 08:00\", days = 6 }"
)]
pub struct RawCalendar {
    /// Weekday and clock time of simulation time 0, e.g. `"Mon 08:00"`.
    pub start: String,
    /// Length of the run in days (or `weeks`, or `simulation.horizon`).
    pub days: Option<i64>,
    /// Length of the run in weeks.
    pub weeks: Option<i64>,
    /// Per weekday key (`mon` … `sun`, or `weekday` for Mon–Fri): `"08:00-18:00"` or
    /// `"closed"`. Absent table: open around the clock.
    pub opening_hours: Option<BTreeMap<String, String>>,
    /// Per weekday key: factor on that day's arrivals (default 1).
    pub day_factors: Option<BTreeMap<String, f64>>,
}

/// One `[[shifts]]` table.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a shift table such as { group = \"voice\", start = \"08:00\", length = \"8h\", agents = 5 }"
)]
pub struct RawShift {
    /// The agent group working it.
    pub group: String,
    /// Clock time the shift starts.
    pub start: String,
    /// How long it lasts.
    pub length: Duration,
    /// Agents working it each of its days.
    pub agents: i64,
    /// Weekdays (`"mon"`, or a range `"mon-fri"`); default every open day.
    pub days: Option<Vec<String>>,
    /// Breaks each agent of the shift takes.
    #[serde(default)]
    pub breaks: Vec<RawBreak>,
}

/// One break of a shift.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a break table such as { earliest = \"10:00\", latest = \"11:00\", length = \"15m\" }"
)]
pub struct RawBreak {
    /// Earliest clock time the break may start.
    pub earliest: String,
    /// Latest clock time it should start.
    pub latest: String,
    /// Its length.
    pub length: Duration,
}
