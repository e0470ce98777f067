//! End-to-end tests: every test runs the `ccsim` binary (built by Cargo for this test target) and
//! reads what it prints, exactly as outside checks do.
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
//! * `bad_input`    — every bad scenario or argument exits 2 with a message naming the file and
//!   the key path, never a panic.
//! * `files`        — `--output` writes only regular files, whole; FIFOs and devices are written
//!   through, never replaced; no temp file survives a failure.
//! * `trace`        — `run --trace`: the contact trace's columns, rows reconciled with the
//!   report, flat memory, bad arguments, a snapshot.
//! * `signals`      — SIGINT/SIGTERM stop every long command within a second, exit 130/143,
//!   leave no partial or temp file.
//!
//! Fixtures live in `tests/fixtures/`.

mod bad_input;
mod calendar;
mod callback_classes;
mod channels;
mod common;
mod conservation;
mod determinism;
mod docs;
mod email;
mod erlang_table;
mod files;
mod html;
mod limits;
mod manager;
mod queue_chat;
mod queue_validation;
mod roster;
mod signals;
mod snapshots;
mod staffing;
mod trace;
mod validation;
