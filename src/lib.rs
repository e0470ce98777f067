//! # ccsim — a contact-center workload simulator
//!
//! A discrete-event simulation of a contact center: contacts arrive by interval and call type,
//! wait, are routed to agent groups, handled, transferred or abandoned. Results come with
//! Student-t confidence intervals over independent replications, and the engine is validated
//! against Erlang C, Erlang A and Jackson networks where those are exact.
//!
//! Data flows one way: [`scenario`] (file → validated [`scenario::Scenario`]) →
//! [`model`] (call types, agent groups, distributions) → [`engine`] (one replication) →
//! [`stats`] (counters, estimates) → [`experiment`] (replications in parallel) →
//! [`report`] (table, JSON, CSV) → [`output`] (files written whole or not at all).
//! [`analytic`] holds the closed forms. The commands are the binary's (`src/main.rs`,
//! `src/cli`): no clap type is part of the library.
//!
//! ```
//! use ccsim::{scenario::Scenario, experiment::{run_scenarios, RunOptions}};
//! let text = r#"
//!     [simulation]
//!     horizon = "2h"
//!     replications = 2
//!     [[call_types]]
//!     name = "general"
//!     arrival_rate = 60.0
//!     handle_time = { distribution = "exponential", mean = "4m" }
//!     [[agent_groups]]
//!     name = "tier1"
//!     skills = ["general"]
//!     agents = 6
//! "#;
//! let s = Scenario::from_toml_str(text, "example", "example").unwrap();
//! let out = run_scenarios(&[s], RunOptions::default()).unwrap();
//! let sl = out[0].overall.get("service_level").unwrap().estimate.unwrap();
//! assert!(sl.mean > 0.5);
//! ```

#![warn(missing_docs)]

pub mod analytic;
pub mod compare;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod money;
pub mod output;
pub mod report;
pub mod rescore;
pub mod rng;
pub mod scenario;
pub mod staff;
pub mod stats;
pub mod sweep;
pub mod trace;
