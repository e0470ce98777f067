//! The command line: clap definitions and one function per command. Parses arguments into
//! validated objects, runs the library, and writes reports whole. Exit codes follow the
//! contract: 0 success, 2 bad input (scenario or arguments), 1 anything else.

mod compare;
mod erlang;
mod staff;
mod sweep;

use crate::experiment::{run_scenarios, Outcome, RunOptions};
use crate::report::{self, ExportOptions, Format};
use crate::scenario::duration::parse_duration;
use crate::scenario::{Scenario, ScenarioError};
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// An error caused by the user's input (exit code 2), as opposed to a failure of ours (1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// The parsed command line: one subcommand and its arguments.
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
    /// Replications per scenario (overrides `simulation.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Base seed (overrides `simulation.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Output format. Default: from the --output extension (.json, .csv, .html/.htm, .txt
    /// for the table), else `table` on a terminal and `json` otherwise.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write the report to this file (whole, or not at all) instead of stdout. Without
    /// --format its extension must name a format.
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
        match self.format()? {
            Format::Html if command != "run" => Err(BadInput(format!(
                "--format html is available for `ccsim run` only, not for `ccsim {command}`"
            ))
            .into()),
            f => Ok(f),
        }
    }

    /// The output format: `--format` when given (whatever the `--output` extension), else the
    /// `--output` extension's (an unknown or missing extension is refused: the file's format
    /// must not depend on where stdout goes), else `table` on a terminal and `json` otherwise.
    fn format(&self) -> Result<Format> {
        output_format(self.format, self.output.as_deref())
    }

    /// How exporters lay out: the terminal's width for a table going to a terminal.
    fn export_options(&self) -> ExportOptions {
        ExportOptions {
            width: terminal_width(self.output.is_none()),
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

/// `--format` values; mapped to the library's [`Format`], which knows nothing of clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// Scenarios side by side, for reading.
    Table,
    /// The contract's JSON.
    Json,
    /// Tidy long CSV.
    Csv,
    /// A self-contained page with charts (`run` only).
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Html => Format::Html,
        }
    }
}

/// The format for `--format` and `--output`: see [`CommonArgs::format`].
pub(crate) fn output_format(format: Option<FormatArg>, output: Option<&Path>) -> Result<Format> {
    if let Some(f) = format {
        return Ok(f.into());
    }
    match output {
        Some(path) => {
            let ext = path.extension().map(|e| e.to_string_lossy());
            ext.as_deref()
                .and_then(Format::from_extension)
                .ok_or_else(|| {
                    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                    BadInput(format!(
                        "--output {}: cannot tell the format from {}: use .json, .csv, .html (or .htm) or .txt (table), or give --format {}",
                        path.display(),
                        match &ext {
                            Some(e) => format!("the extension .{e}"),
                            None => "a name without an extension".to_string(),
                        },
                        formats.join("|")
                    ))
                    .into()
                })
        }
        None if std::io::stdout().is_terminal() => Ok(Format::Table),
        None => Ok(Format::Json),
    }
}

/// The terminal's width when the report goes to stdout and stdout is a terminal; `None`
/// otherwise, so files and pipes get the same bytes whatever window ran the command.
pub(crate) fn terminal_width(to_stdout: bool) -> Option<u16> {
    if !to_stdout {
        return None;
    }
    console::Term::stdout().size_checked().map(|(_, cols)| cols)
}

fn duration_arg(s: &str) -> Result<f64, String> {
    parse_duration(s)
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
    // Decided before the run: a bad --output extension must not cost a simulation.
    let format = args.common.format()?;
    let options = args.common.export_options();
    let outcomes = run_scenarios(&scenarios, args.common.run_options())
        .context("could not start the worker threads")?;
    emit_bytes(
        &render(&outcomes, format, options),
        args.common.output.as_deref(),
    )
}

/// The whole report of `outcomes` in `format`.
fn render(outcomes: &[Outcome], format: Format, options: ExportOptions) -> Vec<u8> {
    report::exporter(format, options).render(outcomes)
}

/// Writes a finished report to stdout, or to `path` atomically (temp file + rename in the same
/// directory), so a file is never left half-written.
fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    emit_bytes(text.as_bytes(), path)
}

/// [`emit`] for a report already in bytes.
fn emit_bytes(text: &[u8], path: Option<&Path>) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text)?;
            out.flush()?;
        }
        Some(path) => write_atomically(path, text)?,
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
