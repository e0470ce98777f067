//! Scenario files: reading the TOML, applying defaults and validating every key, in two stages
//! (a serde [`raw::RawScenario`] mirroring the file, then [`Scenario`] with all cross-field
//! checks). Validation lives only here: the engine trusts what it is given.

mod build;
mod dist;
pub mod duration;
pub mod raw;
mod sections;

use crate::model::{AgentGroup, CallType, CustomerBehaviour, ExperienceParams, Supervisors};
use std::path::Path;

/// Default `[simulation]` values, applied when a key is absent (documented in docs/scenarios.md).
pub const DEFAULT_INTERVAL_S: f64 = 1800.0;
/// Replications when `simulation.replications` is absent.
pub const DEFAULT_REPLICATIONS: u32 = 30;
/// Base seed when `simulation.seed` is absent.
pub const DEFAULT_SEED: u64 = 1;
/// Service-level threshold (seconds) when `simulation.service_level_threshold` is absent.
pub const DEFAULT_SL_THRESHOLD_S: f64 = 20.0;

/// Run-level settings from `[simulation]`, all times in seconds.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Simulated time during which contacts arrive, seconds (the center then drains).
    pub horizon: f64,
    /// Length of a planning interval, seconds.
    pub interval: f64,
    /// ceil(horizon / interval): the length of every per-interval array.
    pub intervals: usize,
    /// Contacts arriving before this time are simulated but left out of every statistic.
    pub warmup: f64,
    /// Independent replications to run.
    pub replications: u32,
    /// Base seed of every random stream.
    pub seed: u64,
    /// A contact answered within this wait counts toward the service level, seconds.
    pub service_level_threshold: f64,
}

impl Simulation {
    /// The interval a time falls in (times at or after the horizon belong to the last one).
    #[inline]
    pub fn interval_of(&self, t: f64) -> usize {
        ((t / self.interval) as usize).min(self.intervals - 1)
    }

    /// Length of interval `k` in seconds (the last one may be shorter than `interval`).
    pub fn interval_len(&self, k: usize) -> f64 {
        let start = k as f64 * self.interval;
        (self.horizon - start).min(self.interval)
    }
}

/// A validated scenario: what the engine runs.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name, as reports show it.
    pub name: String,
    /// Where it came from (a path, or a label for in-memory text), for messages.
    pub source: String,
    /// Run-level settings.
    pub simulation: Simulation,
    /// The kinds of contact, in file order (indices used everywhere else).
    pub call_types: Vec<CallType>,
    /// The agent pools, in file order.
    pub agent_groups: Vec<AgentGroup>,
    /// The supervisor pool that approval holds queue for.
    pub supervisors: Supervisors,
    /// How unresolved and abandoned customers come back.
    pub customers: CustomerBehaviour,
    /// Effect sizes of the customer-experience model.
    pub experience: ExperienceParams,
}

/// An interval where a queue without abandonment cannot keep up (see
/// [`Scenario::overloaded_intervals`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overload {
    /// The overloaded interval's index.
    pub interval: usize,
    /// The call type whose own servers are short; `None` for the center as a whole.
    pub call_type: Option<usize>,
    /// Offered load in Erlangs.
    pub load: f64,
    /// Agents who can serve that queue in that interval.
    pub agents: u32,
}

/// Why a scenario was rejected. Every message names the file and, where there is one, the key
/// path (`call_types[1].handle_time.mean`) and says what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the file")]
    /// The file could not be read.
    Io {
        /// The file, as given.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    #[error("{file}: {location}{message}")]
    /// The file is not valid TOML.
    Syntax {
        /// The file, as given.
        file: String,
        /// "line L, column C: " where known, else empty.
        location: String,
        /// What is wrong.
        message: String,
    },
    #[error("{file}: {path}: {message}")]
    /// A key is missing, unknown or has a value that is not allowed.
    Invalid {
        /// The file, as given.
        file: String,
        /// The key path, e.g. `call_types[1].handle_time.mean`.
        path: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn from_file(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            file: file.clone(),
            source,
        })?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone());
        Scenario::from_toml_str(&text, &file, &stem)
    }

    /// Parses and validates scenario text. `source` names it in messages; `default_name` is the
    /// scenario name when the file has no `name` key.
    pub fn from_toml_str(
        text: &str,
        source: &str,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| syntax_error(source, text, &e))?;
        Scenario::from_table(table, source, default_name)
    }

    /// Validates an already-parsed TOML table (used by sweeps, which edit keys before building).
    pub fn from_table(
        table: toml::Table,
        source: &str,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        let raw: raw::RawScenario = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.inner().message().to_string();
                ScenarioError::Invalid {
                    file: source.to_string(),
                    path: if path == "." {
                        "(top level)".into()
                    } else {
                        path
                    },
                    message,
                }
            })?;
        build::build(raw, source, default_name)
    }

    /// Intervals where a queue without abandonment is overloaded (offered load ≥ the agents
    /// who can serve it), so it grows without bound there: per call type without patience
    /// (its own load, transfers in included, against every agent with that skill), then for
    /// the center as a whole. Loads use mean handle time plus after-call work.
    pub fn overloaded_intervals(&self) -> Vec<Overload> {
        if self.call_types.iter().all(|c| c.patience.is_some()) {
            return Vec::new();
        }
        let work = |c: &CallType| {
            c.handle_time.mean() + c.after_call_work.as_ref().map_or(0.0, |d| d.mean())
        };
        let mut out = Vec::new();
        for k in 0..self.simulation.intervals {
            let rates = self.effective_arrival_rates(k);
            let per_type = self.call_types.iter().enumerate().find_map(|(c, ct)| {
                let load = rates[c] * work(ct);
                let agents: u32 = self
                    .agent_groups
                    .iter()
                    .filter(|g| g.skills.contains(&c))
                    .map(|g| g.staffing[k])
                    .sum();
                (ct.patience.is_none() && load > 0.0 && load >= agents as f64).then_some(Overload {
                    interval: k,
                    call_type: Some(c),
                    load,
                    agents,
                })
            });
            let total = || {
                let load: f64 = self
                    .call_types
                    .iter()
                    .zip(&rates)
                    .map(|(c, r)| r * work(c))
                    .sum();
                let agents: u32 = self.agent_groups.iter().map(|g| g.staffing[k]).sum();
                (load > 0.0 && load >= agents as f64).then_some(Overload {
                    interval: k,
                    call_type: None,
                    load,
                    agents,
                })
            };
            if let Some(o) = per_type.or_else(total) {
                out.push(o);
            }
        }
        out
    }

    /// Arrival rate of each call type in interval `k` including transfers in (per second),
    /// by fixed-point iteration of the traffic equations (transfer probabilities < 1 on any
    /// cycle, so it converges).
    pub fn effective_arrival_rates(&self, k: usize) -> Vec<f64> {
        let external: Vec<f64> = self.call_types.iter().map(|c| c.arrival_rates[k]).collect();
        let mut rates = external.clone();
        for _ in 0..1000 {
            let mut next = external.clone();
            for (c, r) in self.call_types.iter().zip(&rates) {
                if let Some(t) = c.transfer {
                    next[t.to] += r * t.probability;
                }
            }
            let done = next
                .iter()
                .zip(&rates)
                .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1e-300));
            rates = next;
            if done {
                break;
            }
        }
        rates
    }

    /// Expected external arrivals in one replication (Σ rate × interval length).
    pub fn expected_arrivals(&self) -> f64 {
        let s = &self.simulation;
        (0..s.intervals)
            .map(|k| {
                self.call_types
                    .iter()
                    .map(|c| c.arrival_rates[k])
                    .sum::<f64>()
                    * s.interval_len(k)
            })
            .sum()
    }

    /// One-line human summary for `ccsim validate`.
    pub fn summary(&self) -> String {
        let s = &self.simulation;
        let agents: Vec<u32> = (0..s.intervals)
            .map(|k| self.agent_groups.iter().map(|g| g.staffing[k]).sum())
            .collect();
        let (lo, hi) = (
            agents.iter().min().copied().unwrap_or(0),
            agents.iter().max().copied().unwrap_or(0),
        );
        let expected = self.expected_arrivals();
        let staff = if lo == hi {
            format!("{lo} agents")
        } else {
            format!("{lo}–{hi} agents")
        };
        format!(
            "ok: \"{}\": {} call type(s), {} agent group(s), {staff}, horizon {} in {} interval(s) of {}, ~{:.0} external arrivals, {} replication(s), seed {}{}",
            self.name,
            self.call_types.len(),
            self.agent_groups.len(),
            duration::format_duration(s.horizon),
            s.intervals,
            duration::format_duration(s.interval),
            expected,
            s.replications,
            s.seed,
            self.experience_summary()
        )
    }

    /// "; experience model: …" listing the customer-experience mechanics in use, or nothing
    /// for a plain queueing scenario.
    fn experience_summary(&self) -> String {
        let mut parts = Vec::new();
        if self.call_types.iter().any(|c| c.difficulty.is_some()) {
            parts.push("issue difficulty");
        }
        if self
            .agent_groups
            .iter()
            .any(|g| g.proficiency < 1.0 || g.learning.is_some())
        {
            parts.push("training");
        }
        if self.call_types.iter().any(|c| c.decision_probability > 0.0)
            && self.agent_groups.iter().any(|g| g.authority.is_finite())
        {
            parts.push("empowerment limits");
        }
        if self
            .agent_groups
            .iter()
            .any(|g| g.unresolved_transfer.is_some())
        {
            parts.push("knowledge transfers");
        }
        if self.customers.callback_probability > 0.0 || self.customers.redial_probability > 0.0 {
            parts.push("callbacks/redials");
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; experience model: {}", parts.join(", "))
        }
    }
}

/// Turns a TOML syntax error into "line L, column C: message".
fn syntax_error(file: &str, text: &str, e: &toml::de::Error) -> ScenarioError {
    let location = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {col}: ")
        }
        None => String::new(),
    };
    ScenarioError::Syntax {
        file: file.to_string(),
        location,
        message: format!("invalid TOML: {}", e.message()),
    }
}
