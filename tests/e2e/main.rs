//! The integration tests, in one test binary: each test binary is optimised and linked with
//! the whole crate on its own, so one binary instead of eight keeps `cargo test --release`
//! short (building the tests after a change: 307 s as eight, 217 s as one, on the 2-core
//! machine, with the LTO the release profile then had). Most modules run the `ccsim`
//! binary (built by Cargo for this test target) and read what it prints, exactly as outside
//! checks do; the property tests and the experience checks call the library.
//!
//! * `validation`   — long simulations against independent closed forms (Erlang C, Erlang A,
//!   Jackson network, Pollaczek–Khinchine).
//! * `channels`     — callbacks (virtual hold) in their limiting cases; chat slowdown.
//! * `callback_classes` — the `called_back` journey class: the accepters' share and satisfaction.
//! * `queue_validation` — busy signal (M/M/n/K), priorities (Cobham) and hang-ups on hold
//!   against closed forms; Erlang with chat windows (n·k servers).
//! * `queue_chat`   — priorities, overflow and callbacks with chat windows: conservation.
//! * `conservation` — offered = answered + abandoned + in_queue_at_end in every scope; rates and
//!   intervals are sane.
//! * `determinism`  — results do not depend on `--threads`; seeds matter; several files at once
//!   equal each file alone; output formats.
//! * `email`        — email (deferred work) and business-time service levels against an
//!   independent simulator; emails wait for the opening and yield to live channels.
//! * `erlang_table` — `ccsim erlang` over a range of headcounts, with a target.
//! * `html`         — the self-contained HTML report.
//! * `snapshots`    — insta snapshots of every report format, and the output regressions.
//! * `docs`         — every command marked runnable in README.md and docs/ runs and exits 0.
//! * `calendar`     — the week calendar: clock labels, shifts, availability, and every bad
//!   calendar, shift, shrinkage or busyness key.
//! * `cli_messages` — bad option values name the option and the range; shift file messages;
//!   aligned money blocks.
//! * `bad_input`    — every bad scenario or argument exits 2 with a message naming the file and
//!   the key path, never a panic.
//! * `files`        — `--output` writes only regular files, whole; FIFOs and devices are written
//!   through, never replaced; no temp file survives a failure.
//! * `trace`        — `run --trace`: the contact trace's columns, rows reconciled with the
//!   report, flat memory, bad arguments, a snapshot.
//! * `signals`      — SIGINT/SIGTERM stop every long command within a second, exit 130/143,
//!   leave no partial or temp file.
//! * `assumptions`  — assumption ranges reproduced from simulation: zero width gives the point
//!   figure, wider ranges widen the interval.
//! * `calibration`  — the satisfaction and loyalty layer's targets in the sources' units,
//!   reproduced by simulating.
//! * `experience`   — the customer-experience model, one parameter at a time with common random
//!   numbers.
//! * `fuzz`         — property tests of scenario files: no panic, clear
//!   messages (`PROPTEST_CASES=1000000 cargo test --release fuzz` for the long run, with
//!   the command-line property beside the parser in src/cli.rs).
//! * `invariants`   — property tests of the engine's invariants per replication.
//! * `parse_memory` — the estimate of what parsing a file takes bounds every shape of TOML.
//! * `layout`       — the code's shape: no two source files share a name, no clap in the
//!   library.
//! * `program`      — training programs over weeks, the bundled pair.
//! * `sweep`        — `sweep`, `merge` and `staff` through the binary: determinism, shards,
//!   resume, the Slurm job array.
//!
//! Fixtures live in `tests/fixtures/`.

mod assumptions;
mod bad_input;
mod calendar;
mod calibration;
mod callback_classes;
mod channels;
mod cli_messages;
mod common;
mod conservation;
mod determinism;
mod docs;
mod email;
mod erlang_table;
mod experience;
mod files;
mod fuzz;
mod html;
mod invariants;
mod layout;
mod limits;
mod manager;
mod parse_memory;
mod program;
mod queue_chat;
mod queue_validation;
mod roster;
mod roster_limits;
mod signals;
mod snapshots;
mod staffing;
mod sweep;
mod trace;
mod validation;
