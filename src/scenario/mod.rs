//! Scenario files: from TOML text to the validated [`Scenario`] the engine runs.
//!
//! Reading happens in two stages, each in its own module, and data flows one way:
//!
//! 1. `parse` reads the file (at most [`DEFAULT_MAX_INPUT`] bytes unless raised, see
//!    [`input_limit`]), parses the TOML and deserialises it into a serde mirror of the file
//!    (`parse::raw`), turning serde's messages into ones that name the key path and say what
//!    is allowed, never a Rust type.
//! 2. `validate` applies defaults and every range and cross-field check, turning the mirror into
//!    a [`Scenario`] (defined in `validated`, together with the queries the CLI and the
//!    experiment ask of it). Validation lives only here: the engine trusts what it is given.
//!
//! This module runs the two stages ([`Scenario::from_file`], [`Scenario::from_toml_str`],
//! [`Scenario::from_table`]); `parse` does not know `validate`, and `validate` reads only the
//! mirror's types from `parse`.
//!
//! Every failure is a [`ScenarioError`] naming the file and a key path (or line and column)
//! in one paragraph.

pub mod duration;
mod error;
mod parse;
mod validate;
mod validated;

pub use error::ScenarioError;
pub use parse::{
    format_bytes, input_limit, parse_peak_bytes, read_input, read_input_within, toml_table,
    DEFAULT_MAX_INPUT, MAX_INPUT_ENV,
};
pub use validate::MAX_REPLICATIONS;
// The message words of every TOML input (shift files too), so all read alike.
pub(crate) use error::quote;
pub(crate) use validate::describe;
pub use validated::{
    DeferredOverload, IntervalCapacity, Overload, Scenario, Simulation, DEFAULT_INTERVAL_S,
    DEFAULT_REPLICATIONS, DEFAULT_SEED, DEFAULT_SL_THRESHOLD_S,
};

use std::path::Path;

impl Scenario {
    /// Reads and validates a scenario file, refusing files larger than [`input_limit`].
    pub fn from_file(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::from_file_with_limit(path, input_limit()?)
    }

    /// [`Scenario::from_file`] that also refuses, before parsing, a file whose parse would
    /// take more than `budget` bytes of memory (see [`parse_peak_bytes`]).
    pub fn from_file_within(path: &Path, budget: u64) -> Result<Scenario, ScenarioError> {
        let text = read_input_within(path, budget)?;
        Scenario::from_toml_str(&text, &path.display().to_string(), &stem(path))
    }

    /// [`Scenario::from_file`] with an explicit input limit in bytes.
    pub fn from_file_with_limit(path: &Path, limit: u64) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = parse::read_limited(path, limit)?;
        Scenario::from_toml_str(&text, &file, &stem(path))
    }

    /// Parses and validates scenario text. `source` names it in messages; `default_name` is the
    /// scenario name when the file has no `name` key.
    pub fn from_toml_str(
        text: &str,
        source: &str,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        Scenario::from_table(parse::toml_table(text, source)?, source, default_name)
    }

    /// Validates an already-parsed TOML table (used by sweeps, which edit keys before building).
    pub fn from_table(
        table: toml::Table,
        source: &str,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        validate::build(parse::raw_scenario(table, source)?, source, default_name)
    }
}

/// The scenario's default name: the file name without its extension.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
