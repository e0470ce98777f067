//! Scenario files: from TOML text to the validated [`Scenario`] the engine runs.
//!
//! Reading happens in two stages, each in its own module, and data flows one way:
//!
//! 1. `parse` reads the file (at most [`DEFAULT_MAX_INPUT`] bytes unless raised, see
//!    [`input_limit`]), parses the TOML and deserialises it into a serde mirror of the file
//!    (`parse::raw`), turning serde's messages into ones that name the key path and say what
//!    is allowed, never a Rust type.
//! 2. `build` applies defaults and every range and cross-field check, turning the mirror into
//!    a [`Scenario`] (defined in `validated`, together with the queries the CLI and the
//!    experiment ask of it). Validation lives only here: the engine trusts what it is given.
//!
//! Every failure is a [`ScenarioError`] naming the file and a key path (or line and column)
//! in one paragraph.

mod build;
pub mod duration;
mod error;
mod parse;
mod validated;

pub use build::MAX_REPLICATIONS;
pub use error::ScenarioError;
pub use parse::{input_limit, read_input, DEFAULT_MAX_INPUT, MAX_INPUT_ENV};
pub use validated::{
    Overload, Scenario, Simulation, DEFAULT_INTERVAL_S, DEFAULT_REPLICATIONS, DEFAULT_SEED,
    DEFAULT_SL_THRESHOLD_S,
};
