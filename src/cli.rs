//! The command line: clap definitions and one function per command. Parses arguments into
//! validated objects, runs the library, and writes reports whole. Exit codes follow the
//! contract: 0 success, 2 bad input (scenario or arguments), 1 anything else.

mod compare;
mod erlang;
mod staff;
mod sweep;

use crate::experiment::{run_scenarios, Outcome, RunOptions};
use crate::report::{self, Format};
use crate::scenario::duration::parse_duration;
use crate::scenario::{Scenario, ScenarioError};
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// An error caused by the user's input (exit code 2), as opposed to a failure of ours (1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

#[derive(Debug, Parser)]
#[command(
    name = "ccsim",
    version,
    about = "Contact-center workload simulator: discrete-event simulation with confidence intervals, validated against Erlang C/A",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate one or more scenarios (all replications in one parallel pool), side by side.
    Run(RunArgs),
    /// Check a scenario file; print a one-line summary or the error.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Closed-form Erlang C (no abandonment) or Erlang A (with --patience) answers.
    Erlang(erlang::ErlangArgs),
    /// Run two scenarios with common random numbers; report B − A with paired 95% intervals.
    Compare(compare::CompareArgs),
    /// Grid over scenario keys (dotted paths): every point × replication in one parallel pool.
    Sweep(sweep::SweepArgs),
    /// Combine the CSV outputs of `sweep --shard I/N` runs into the unsharded run's file.
    Merge(sweep::MergeArgs),
    /// Smallest staffing per interval that meets every target, by Erlang estimate + simulation.
    Staff(staff::StaffArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Options shared by the simulating commands.
#[derive(Debug, Args)]
struct CommonArgs {
    // `allow_negative_numbers`: `--seed -1` is a bad value to name, not a flag to guess at.
    /// Replications per scenario (overrides `simulation.replications`).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Base seed (overrides `simulation.seed`): a whole number from 0 to 2^63 − 1.
    #[arg(long, allow_negative_numbers = true, value_parser = seed_arg)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = threads_arg)]
    threads: Option<u64>,
    /// Output format. Default: from the --output extension (.json, .csv), else `table` on a
    /// terminal and `json` otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report to this file (whole, or not at all) instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

impl CommonArgs {
    fn run_options(&self) -> RunOptions {
        RunOptions {
            threads: self.threads.map(|t| t as usize),
            progress: !self.quiet,
        }
    }

    /// The output format, refusing `html` for commands other than `run`.
    fn format_for(&self, command: &str) -> Result<Format> {
        match self.format() {
            Format::Html if command != "run" => Err(BadInput(format!(
                "--format html is available for `ccsim run` only, not for `ccsim {command}`"
            ))
            .into()),
            f => Ok(f),
        }
    }

    fn format(&self) -> Format {
        if let Some(f) = self.format {
            return f;
        }
        let ext = self
            .output
            .as_deref()
            .and_then(Path::extension)
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("html" | "htm") => Format::Html,
            Some(_) => Format::Table,
            None if std::io::stdout().is_terminal() => Format::Table,
            None => Format::Json,
        }
    }

    /// Loads a scenario and applies the command-line overrides.
    fn load(&self, path: &Path) -> Result<Scenario> {
        let mut s = load_scenario(path)?;
        if let Some(r) = self.replications {
            s.simulation.replications = r;
        }
        if let Some(seed) = self.seed {
            s.simulation.seed = seed;
        }
        Ok(s)
    }
}

fn duration_arg(s: &str) -> Result<f64, String> {
    parse_duration(s)
}

/// A seed: the range of `simulation.seed` (a TOML integer ≥ 0), so a seed given on the
/// command line can always be written into a scenario.
fn seed_arg(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|&v| v <= i64::MAX as u64)
        .ok_or_else(|| {
            format!(
                "the seed is a whole number from 0 to {} (2^63 − 1)",
                i64::MAX
            )
        })
}

fn threads_arg(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|t| (1..=1024).contains(t))
        .ok_or_else(|| "the number of worker threads is a whole number from 1 to 1024".to_string())
}

/// Parses a command line (program name first) without running anything: `Ok` when it would
/// run, else the message ccsim would print (also for `--help` and `--version`). For tests of
/// the argument parser.
pub fn parse_args<I, T>(args: I) -> Result<(), String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Cli::try_parse_from(args)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Parses the arguments and runs the command; the binary's whole `main`.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            if is_broken_pipe(&e) {
                return 0;
            }
            if let Some(i) = e.downcast_ref::<sweep::Interrupted>() {
                eprintln!("{i}");
                return 130;
            }
            eprintln!("error: {e:#}");
            if e.downcast_ref::<BadInput>().is_some() || e.downcast_ref::<ScenarioError>().is_some()
            {
                2
            } else {
                1
            }
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Validate { scenario } => cmd_validate(&scenario),
        Command::Erlang(args) => erlang::cmd_erlang(args),
        Command::Compare(args) => compare::cmd_compare(args),
        Command::Sweep(args) => sweep::cmd_sweep(args),
        Command::Merge(args) => sweep::cmd_merge(args),
        Command::Staff(args) => staff::cmd_staff(args),
    }
}

fn load_scenario(path: &Path) -> Result<Scenario> {
    let s = Scenario::from_file(path)?;
    warn_overload(&s);
    Ok(s)
}

/// Warns (stderr) about intervals where a queue without abandonment is overloaded.
fn warn_overload(s: &Scenario) {
    let over = s.overloaded_intervals();
    if let Some(o) = over.first() {
        let queue = match o.call_type {
            Some(c) => format!("call type \"{}\" (no patience)", s.call_types[c].name),
            None => "the center as a whole".to_string(),
        };
        eprintln!(
            "warning: {}: {queue} is overloaded in {} interval(s) (first: interval {}, {:.1} Erlangs offered vs {} agents who can serve it): its queue grows without bound there",
            s.source,
            over.len(),
            o.interval,
            o.load,
            o.agents
        );
    }
}

/// Warns (stderr) before a run that will take long, so a unit slip (calls per minute typed as
/// per hour, days for hours) is caught before the wait, not after.
fn warn_workload(scenarios: &[Scenario]) {
    let contacts: f64 = scenarios
        .iter()
        .map(|s| s.expected_arrivals() * s.simulation.replications as f64)
        .sum();
    if contacts > 2e9 {
        eprintln!(
            "warning: about {contacts:.1e} external contacts to simulate (several minutes per core per billion); check units if that is unexpected"
        );
    }
}

fn cmd_validate(path: &Path) -> Result<()> {
    let s = load_scenario(path)?;
    emit(&format!("{}\n", s.summary()), None)
}

fn cmd_run(args: RunArgs) -> Result<()> {
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| args.common.load(p))
        .collect::<Result<Vec<_>>>()?;
    warn_workload(&scenarios);
    let outcomes = run_scenarios(&scenarios, args.common.run_options())
        .context("could not start the worker threads")?;
    emit(
        &render(&outcomes, args.common.format()),
        args.common.output.as_deref(),
    )
}

fn render(outcomes: &[Outcome], format: Format) -> String {
    match format {
        Format::Json => report::json_text(&report::outcomes_json(outcomes)),
        Format::Csv => report::csv_text(outcomes, &[]),
        Format::Table => report::table(outcomes),
        Format::Html => report::html(outcomes),
    }
}

/// Writes a finished report to stdout, or to `path` atomically (temp file + rename in the same
/// directory), so a file is never left half-written.
fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
        Some(path) => write_atomically(path, text.as_bytes())?,
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees a half-written file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}", path.display())
    })
}
