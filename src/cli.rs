//! The command line: clap definitions and one function per command. Parses arguments into
//! validated objects, runs the library, and writes reports whole. Exit codes follow the
//! contract: 0 success, 2 bad input (scenario or arguments), 1 anything else.

mod compare_cmd;
mod erlang_cmd;
mod joint_cmd;
mod memory_guard;
mod roster_cmd;
mod run_cmd;
mod signals;
mod staff_cmd;
mod sweep_cmd;

use anyhow::Result;
use ccsim::experiment::{budget, run_scenarios, run_scenarios_with, Cancel, RunError, RunOptions};
use ccsim::output::{self, Output, OutputError};
use ccsim::report::{self, ExportOptions, Format};
use ccsim::scenario::duration::parse_duration;
use ccsim::scenario::{Scenario, ScenarioError};
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
/// The command line as clap parses it.
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
        /// Refuse a file whose parse would take more than this (e.g. 512MB, 4GB). Default:
        /// half of the machine's memory or of its container's limit.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_memory_limit)]
        memory_limit: Option<u64>,
    },
    /// Closed-form Erlang C (no abandonment) or Erlang A (with --patience) answers.
    Erlang(erlang_cmd::ErlangArgs),
    /// Run two scenarios with common random numbers; report B − A with paired 95% intervals.
    Compare(compare_cmd::CompareArgs),
    /// Grid over scenario keys (dotted paths): every point × replication in one parallel pool.
    Sweep(sweep_cmd::SweepArgs),
    /// Combine the CSV outputs of `sweep --shard I/N` runs into the unsharded run's file.
    Merge(sweep_cmd::MergeArgs),
    /// Smallest staffing per interval that meets every target, by Erlang estimate + simulation.
    #[command(mut_arg("output", |a| a.help(SCENARIO_OUTPUT_HELP)))]
    Staff(staff_cmd::StaffArgs),
    /// Agents per allowed shift covering the staffing requirement at least cost (--shifts).
    #[command(mut_arg("output", |a| a.help(SCENARIO_OUTPUT_HELP)))]
    Roster(roster_cmd::RosterArgs),
}

/// `--output` of `staff` and `roster`, which can also write a scenario (the shared text says
/// only what the other commands do with it).
const SCENARIO_OUTPUT_HELP: &str = "Write the report to this file (whole, or not at all) instead of stdout; with a .toml extension, write the scenario with the staffing found instead (runnable with `ccsim run`), and the report to stdout. Without --format the extension names the format (.json, .csv, .html, .txt). A FIFO or a character device (/dev/null) is written through; a directory, socket or block device is refused";

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Also write one replication's contacts to this CSV file, one row each (columns in
    /// docs/trace.md); written whole or not at all, like --output.
    #[arg(long, value_parser = trace_arg())]
    trace: Option<PathBuf>,
    /// The replication --trace writes, numbered from 0 as in the CSV output (default 0).
    #[arg(long, requires = "trace", allow_negative_numbers = true, value_parser = whole_arg::<u32>("the replication", 0, ccsim::scenario::MAX_REPLICATIONS as u64 - 1))]
    replication: Option<u32>,
    /// Draws of the assumption ranges behind each money figure's assumption interval
    /// (scenarios with an experience model; JSON and table).
    #[arg(long, default_value_t = 200, allow_negative_numbers = true, value_parser = whole_arg::<u32>(ASSUMPTION_DRAWS, 1, MAX_ASSUMPTION_DRAWS))]
    assumption_draws: u32,
}

/// Options shared by the simulating commands.
#[derive(Debug, Args)]
struct CommonArgs {
    // `allow_negative_numbers`: `--seed -1` is a bad value to name, not a flag to guess at.
    /// Replications per scenario (overrides `simulation.replications`): 1 to 10^7, the range
    /// a scenario file allows.
    #[arg(long, allow_negative_numbers = true, value_parser = replications_arg)]
    replications: Option<u32>,
    /// Base seed (overrides `simulation.seed`): a whole number from 0 to 2^63 − 1.
    #[arg(long, allow_negative_numbers = true, value_parser = seed_arg)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = threads_arg)]
    threads: Option<u64>,
    /// Output format. Default: from the --output extension (.json, .csv, .html/.htm, .txt
    /// for the table), else `table` on a terminal and `json` otherwise.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write the report to this file (whole, or not at all) instead of stdout. Without
    /// --format its extension must name a format. A FIFO or a character device (/dev/null)
    /// is written through; a directory, socket or block device is refused.
    #[arg(long, value_parser = output_arg())]
    output: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Refuse runs whose estimated peak memory exceeds this (e.g. 512MB, 4GB, 8GiB).
    /// Default: half of the machine's memory or of its container's limit.
    // `allow_hyphen_values`: `-1GB` is not a number to clap, so `allow_negative_numbers`
    // would still read it as a flag.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_memory_limit)]
    memory_limit: Option<u64>,
}

/// Smallest `--memory-limit`: no run fits in less, so a smaller value is a number given
/// without its unit (`--memory-limit 5`, read as 5 bytes).
const MIN_MEMORY_LIMIT: u64 = 1_000_000;

/// `--memory-limit`: bytes with a unit, at least [`MIN_MEMORY_LIMIT`].
fn parse_memory_limit(s: &str) -> Result<u64, String> {
    if s.trim().starts_with('-') {
        return Err(format!(
            "`{s}` is negative; give an amount of memory with a unit, e.g. 500MB, 4GB or 8GiB"
        ));
    }
    let bytes = budget::parse_limit(s)?;
    if bytes < MIN_MEMORY_LIMIT {
        return Err(format!(
            "`{s}` is {bytes} bytes, below the smallest limit of 1 MB; give a unit, e.g. 500MB, 4GB or 8GiB"
        ));
    }
    Ok(bytes)
}

/// The process-wide stop flag that SIGINT and SIGTERM set; every run checks it between
/// replications.
fn cancel_flag() -> Cancel {
    Cancel::from_flag(signals::shutdown().stop_flag())
}

impl CommonArgs {
    fn run_options(&self) -> RunOptions {
        RunOptions {
            threads: self.threads.map(|t| t as usize),
            progress: !self.quiet,
            cancel: cancel_flag(),
            memory_limit: self.memory_limit,
            pool: Default::default(),
        }
    }

    /// The output format, refusing `html` for commands that have no page (sweep).
    fn format_for(&self, command: &str) -> Result<Format> {
        match self.format()? {
            Format::Html if command != "run" && command != "compare" => Err(BadInput(format!(
                "--format html is available for `ccsim run`, `compare`, `staff` and `roster`, not for `ccsim {command}`"
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

    /// The memory budget: `--memory-limit`, else half of the machine's memory (or of its
    /// container's limit).
    fn memory_budget(&self) -> u64 {
        self.memory_limit.unwrap_or_else(budget::default_limit)
    }

    /// Reads a text input (scenario, sweep or shifts file), refusing one whose parse would
    /// not fit in the memory budget.
    fn read_input(&self, path: &Path) -> Result<String> {
        Ok(ccsim::scenario::read_input_within(
            path,
            self.memory_budget(),
        )?)
    }

    /// Refuses `--output` (and `more` outputs) naming the same file as one of `inputs` or
    /// as each other (see [`output::refuse_overwriting`]), before any work.
    fn refuse_overwriting(&self, more: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<()> {
        let outputs: Vec<(&str, &Path)> = self
            .output
            .iter()
            .map(|p| ("--output", p.as_path()))
            .chain(more.iter().copied())
            .collect();
        Ok(output::refuse_overwriting(&outputs, inputs)?)
    }

    /// Loads a scenario and applies the command-line overrides.
    fn load(&self, path: &Path) -> Result<Scenario> {
        let mut s = load_scenario(path, self.memory_budget())?;
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
    /// A self-contained page with charts (`run`, `compare`, `staff` and `roster`).
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
    output_format_or(format, output, "")
}

/// [`output_format`] for a command whose `--output` also takes other extensions, which
/// `also` lists for the message about an unknown one (`staff`: ", or .toml for …").
pub(crate) fn output_format_or(
    format: Option<FormatArg>,
    output: Option<&Path>,
    also: &str,
) -> Result<Format> {
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
                        "--output {}: cannot tell the format from {}: use .json, .csv, .html (or .htm) or .txt (table){also}, or give --format {}",
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

/// `--output PATH`, checked while parsing: a path ccsim would refuse to write (a directory, a
/// socket, a missing directory) is an argument error (exit 2) before any simulation runs.
fn output_arg() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().try_map(|s| {
        let path = PathBuf::from(s);
        match output::classify(&path) {
            Err(e @ OutputError::Refused { .. }) => Err(e),
            _ => Ok(path),
        }
    })
}

/// `--trace PATH`: as [`output_arg`], and a name whose extension says CSV (or none, as for a
/// FIFO or /dev/null): the trace is CSV only, and a `t.xlsx` of CSV rows would not open as
/// what its name promises.
fn trace_arg() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    output_arg().try_map(|path: PathBuf| match path.extension() {
        Some(e) if !e.eq_ignore_ascii_case("csv") => Err(format!(
            "the trace is a CSV file: give it a name ending in .csv (or none, e.g. a FIFO or /dev/null), not .{}",
            e.to_string_lossy()
        )),
        _ => Ok(path),
    })
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

/// What `--assumption-draws` counts, in its message.
const ASSUMPTION_DRAWS: &str = "the number of assumption draws";
/// Most `--assumption-draws`.
const MAX_ASSUMPTION_DRAWS: u64 = 100_000;

/// The value parser of a whole-number option from `lo` to `hi`: its message says what the
/// option counts (`what`) and the range, where clap's own says "invalid digit found in
/// string" or "-1 is not in 1..=100". Give the option `allow_negative_numbers = true` too, or
/// clap reads `-1` as a flag and advises `-- -1`.
pub(crate) fn whole_arg<T: TryFrom<u64>>(
    what: &'static str,
    lo: u64,
    hi: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |s| {
        s.trim()
            .parse::<i128>()
            .ok()
            .filter(|v| (i128::from(lo)..=i128::from(hi)).contains(v))
            .and_then(|v| T::try_from(v as u64).ok())
            .ok_or_else(|| format!("{what} is a whole number from {lo} to {hi}"))
    }
}

fn replications_arg(s: &str) -> Result<u32, String> {
    let max = ccsim::scenario::MAX_REPLICATIONS;
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|r| (1..=max).contains(r))
        .map(|r| r as u32)
        .ok_or_else(|| {
            format!("the number of replications is a whole number from 1 to {max} (10^7)")
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
#[cfg(test)]
fn parse_args<I, T>(args: I) -> Result<(), String>
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
    // First, so a signal at any later point finds the handler.
    signals::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = run(cli);
    // Stopped by a signal: whatever the command returned (finished, interrupted, or an
    // error caused by the stop), the exit code says so, as for a process the signal killed.
    if let Some(code) = signals::exit_code() {
        match &result {
            Err(e) if e.downcast_ref::<signals::Interrupted>().is_some() => eprintln!("{e}"),
            Err(e) if is_stopped(e) || is_broken_pipe(e) => {
                eprintln!(
                    "interrupted by {}: nothing was written",
                    signals::signal_name()
                )
            }
            Err(e) if is_cut_short(e) => eprintln!(
                "interrupted by {}: stopped before every replication finished; no --output \
                 file was written, and {}",
                signals::signal_name(),
                if output::stdout_written() {
                    "what already went to stdout is incomplete"
                } else {
                    "nothing went to stdout"
                }
            ),
            Err(e) => eprintln!("interrupted by {}: {e:#}", signals::signal_name()),
            Ok(()) => eprintln!(
                "interrupted by {} (the command had already finished)",
                signals::signal_name()
            ),
        }
        return code;
    }
    match result {
        Ok(()) => 0,
        Err(e) => {
            if is_broken_pipe(&e) {
                return 0;
            }
            eprintln!("error: {e:#}");
            let refused = e
                .downcast_ref::<OutputError>()
                .is_some_and(OutputError::is_bad_input);
            if refused
                || e.downcast_ref::<BadInput>().is_some()
                || e.downcast_ref::<ScenarioError>().is_some()
            {
                2
            } else {
                1
            }
        }
    }
}

fn is_stopped(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| matches!(c.downcast_ref(), Some(OutputError::Stopped { .. })))
}

/// The signal cut the replications short (`RunError::Interrupted`, also inside a staffing
/// error). Said in words, not as the error's own "interrupted" (which read "interrupted by
/// SIGINT: interrupted"); not "nothing was written", since a CSV to stdout streams its
/// per-replication rows as they finish.
fn is_cut_short(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(c.downcast_ref(), Some(RunError::Interrupted))
            || matches!(
                c.downcast_ref(),
                Some(ccsim::staff::StaffError::Run(RunError::Interrupted))
            )
    })
}

/// The reader of stdout went away (`ccsim run … | head`): not an error, the way `head` ends
/// a pipeline. The write error may come bare or inside a [`RunError::Io`] (the CSV's
/// per-replication rows are written from inside the runner), whose `transparent` display
/// hides it from the error chain.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(broken)
            || matches!(c.downcast_ref(), Some(RunError::Io(io)) if broken(io))
    })
}

fn run(cli: Cli) -> Result<()> {
    // The budget's backstop (see `memory_guard`): the same budget the up-front checks use.
    let limit = match &cli.command {
        Command::Run(a) => a.common.memory_limit,
        Command::Validate { memory_limit, .. } => *memory_limit,
        Command::Compare(a) => a.common.memory_limit,
        Command::Sweep(a) => a.common.memory_limit,
        Command::Staff(a) => a.common.memory_limit,
        Command::Roster(a) => a.common.memory_limit,
        Command::Erlang(_) | Command::Merge(_) => None,
    };
    match limit {
        Some(l) => memory_guard::watch(l, "--memory-limit"),
        None => memory_guard::watch(
            budget::default_limit(),
            "half of the memory of this machine (or of its container's limit); raise it with --memory-limit",
        ),
    }
    match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Validate {
            scenario,
            memory_limit,
        } => cmd_validate(&scenario, memory_limit),
        Command::Erlang(args) => erlang_cmd::cmd_erlang(args),
        Command::Compare(args) => compare_cmd::cmd_compare(args),
        Command::Sweep(args) => sweep_cmd::cmd_sweep(args),
        Command::Merge(args) => sweep_cmd::cmd_merge(args),
        Command::Staff(args) => cmd_staff(args),
        Command::Roster(args) => roster_cmd::cmd_roster(args),
    }
}

/// Reads and validates a scenario file (refusing, before parsing, one whose parse would take
/// more than `budget` bytes) and warns about overloads.
fn load_scenario(path: &Path, budget: u64) -> Result<Scenario> {
    let s = Scenario::from_file_within(path, budget)?;
    warn_overload(&s);
    Ok(s)
}

/// Warns (stderr) about intervals where a queue without abandonment is overloaded, and about
/// email that falls behind over the horizon.
fn warn_overload(s: &Scenario) {
    let over = s.overloaded_intervals();
    if let Some(o) = over.first() {
        let queue = match o.call_type {
            Some(c) if o.accepters => format!(
                "call type \"{}\" (its callback accepters, who never hang up)",
                s.call_types[c].name
            ),
            Some(c) => format!("call type \"{}\" (no patience)", s.call_types[c].name),
            None => "the center as a whole".to_string(),
        };
        // Chat windows: "300 agents" for 3 agents holding 100 chats each misled.
        let agents = if o.heads == o.agents {
            format!("{} agents who can serve it", o.agents)
        } else {
            format!(
                "{} agents who can serve it, holding {} contacts at once",
                o.heads, o.agents
            )
        };
        eprintln!(
            "warning: {}: {queue} is overloaded in {} interval(s) (first: interval {}, {:.1} Erlangs offered vs {agents}): its queue grows without bound there",
            s.source,
            over.len(),
            o.interval,
            o.load,
        );
    }
    for d in s.deferred_overloads() {
        eprintln!(
            "warning: {}: email type \"{}\" falls behind for good: over the horizon {:.0} agent-hours of its work are offered against {:.0} agent-hours its agents have left after live channels, so about {:.0} will still wait at the end (a backlog across closed hours is by design; one that grows over the horizon is not): add agents with that skill or hours",
            s.source,
            s.call_types[d.call_type].name,
            d.offered_hours,
            d.capacity_hours,
            d.left_at_end
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

fn cmd_validate(path: &Path, memory_limit: Option<u64>) -> Result<()> {
    let s = load_scenario(path, memory_limit.unwrap_or_else(budget::default_limit))?;
    emit(&format!("{}\n", s.summary()), None)
}

fn cmd_run(args: RunArgs) -> Result<()> {
    let inputs: Vec<(&str, &Path)> = args
        .scenarios
        .iter()
        .map(|p| ("the scenario", p.as_path()))
        .collect();
    let trace: Vec<(&str, &Path)> = args
        .trace
        .iter()
        .map(|p| ("--trace", p.as_path()))
        .collect();
    args.common.refuse_overwriting(&trace, &inputs)?;
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| args.common.load(p))
        .collect::<Result<Vec<_>>>()?;
    warn_workload(&scenarios);
    // Decided before the run: a bad --output extension or path must not cost a simulation,
    // and a signal removes the temp file.
    let format = args.common.format()?;
    let options = args.common.export_options();
    let mut out = open_output(args.common.output.as_deref())?;
    let trace = trace_target(&args, &scenarios)?;
    if format == Format::Csv {
        // Per-replication rows go out as replications finish (each scenario's summary after
        // its last one): memory stays flat however many replications there are.
        report::csv::write_header(&mut out, &[] as &[&str])?;
        run_scenarios_with(&scenarios, args.common.run_options(), |i, r, b| {
            let key = report::csv::RowKey {
                scenario: b.scenario(),
                point: i as u64,
                labels: &[],
            };
            report::csv::write_replication_rows(&mut out, key, r, b.rows())?;
            if r + 1 == scenarios[i].simulation.replications {
                report::csv::write_builder_summary_rows(&mut out, key, b)?;
            }
            Ok(())
        })
        .map_err(run_error)?;
    } else {
        // One set of options: the assumption ranges re-simulate on the run's pool of threads.
        let run_options = args.common.run_options();
        let outcomes = run_scenarios(&scenarios, run_options.clone()).map_err(run_error)?;
        let money = scenarios
            .iter()
            .zip(&outcomes)
            .map(|(s, o)| {
                let draws = args.assumption_draws as usize;
                run_cmd::run_money(s, o, draws, &run_options)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(run_error)?;
        run_cmd::write_report(format, options, &outcomes, &money, &mut out)?;
    }
    if let Some((file, r)) = trace {
        let (file, _) = ccsim::trace::write_trace(&scenarios[0], r, file)?;
        file.commit()?;
    }
    out.commit()?;
    Ok(())
}

/// `--trace` and `--replication`, checked before the run: one scenario, a replication it
/// has, and the trace file opened (see [`open_output`]).
fn trace_target(args: &RunArgs, scenarios: &[Scenario]) -> Result<Option<(Output, u32)>> {
    let Some(path) = &args.trace else {
        return Ok(None);
    };
    if scenarios.len() != 1 {
        return Err(BadInput(format!(
            "--trace follows the contacts of one scenario, and {} were given: run it with one scenario file",
            scenarios.len()
        ))
        .into());
    }
    if args.common.output.as_deref() == Some(path.as_path()) {
        return Err(BadInput(format!(
            "--trace {}: the same file as --output; give the trace a file of its own",
            path.display()
        ))
        .into());
    }
    let r = args.replication.unwrap_or(0);
    let n = scenarios[0].simulation.replications;
    if r >= n {
        return Err(BadInput(format!(
            "--replication {r}: the run has {n} replication(s), numbered 0 to {}",
            n - 1
        ))
        .into());
    }
    Ok(Some((open_output(Some(path))?, r)))
}

/// `ccsim staff`: one group's search, or the joint search when the question names several
/// groups. Decided here, so that the joint command builds on the one-group command's parts
/// without the one-group command depending on it.
fn cmd_staff(args: staff_cmd::StaffArgs) -> Result<()> {
    args.common
        .refuse_overwriting(&[], &[("the scenario", &args.search.scenario)])?;
    let (format, scenario_out) = staff_cmd::formats(&args.common)?;
    let question = staff_cmd::question(&args.search, &args.common)?;
    if question.groups.len() > 1 {
        return joint_cmd::cmd_joint(&args.search, &args.common, question, format, scenario_out);
    }
    staff_cmd::cmd_one_group(args, question, format, scenario_out)
}

/// A run error as the CLI reports it: an over-budget run is bad input (exit 2).
pub(crate) fn run_error(e: RunError) -> anyhow::Error {
    match e {
        RunError::Budget(b) => BadInput(b.message).into(),
        e => e.into(),
    }
}

/// Writes a finished report to stdout, or to `path` through [`Output`]: whole or not at all,
/// never replacing anything but a regular file, and not at all once a signal asked to stop.
fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    write_output(path, text.as_bytes())
}

/// Where a command's report goes: stdout when `path` is `None`, else an
/// [`output::OutputFile`] registered with the process's shutdown state (a signal removes its
/// temp file). Write the report into it (`impl Write`, buffered), then `commit()`: nothing
/// appears at `path` before, and nothing at all once a signal asked to stop. Open it before
/// the simulation, so an unwritable directory is reported before the work.
fn open_output(path: Option<&Path>) -> Result<Output> {
    Ok(Output::open(path, signals::shutdown())?)
}

/// Writes `bytes` to `path` (stdout when `None`) through [`Output`]; see [`emit`].
fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    let mut out = open_output(path)?;
    out.write_all(bytes)?;
    out.commit()?;
    Ok(())
}

#[cfg(test)]
mod fuzz {
    //! The argument parser against everything a careless user can type: a property test
    //! (`PROPTEST_CASES=1000000 cargo test --release fuzz` for the long run, docs/testing.md)
    //! and the regressions of issue 11 at this boundary.

    use super::parse_args;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Words that must never reach a user: they are Rust, not the command line's language.
    const RUST_WORDS: [&str; 6] = ["Raw", "struct ", "Option<", "enum ", "i64", "f64"];

    /// Cases: `PROPTEST_CASES` when set, else a count that runs in seconds.
    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(500);
        ProptestConfig {
            cases,
            // Failures are shrunk and printed; no regression files are written into the tree.
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn command_lines_get_clear_answers(args in command_line()) {
            let argv: Vec<String> = std::iter::once("ccsim".to_string()).chain(args).collect();
            if let Err(m) = parse_args(&argv) {
                prop_assert!(!m.trim().is_empty(), "empty message for {argv:?}");
                for word in RUST_WORDS {
                    prop_assert!(!m.contains(word), "Rust word `{word}` for {argv:?}: {m}");
                }
                // A negative number given to a numeric option is a bad value, not a flag.
                let numeric = [
                    "--seed", "--replications", "--threads", "--replication", "--assumption-draws",
                    "--staffing-seeds", "--max-agents", "--max-simulations", "--memory-limit",
                    "--arrival-rate", "--handle-time", "--agents", "--max-concurrent",
                    "--patience", "--threshold", "--target-sl", "--shard",
                ];
                for pair in argv.windows(2) {
                    let (flag, v) = (&pair[0], &pair[1]);
                    // (Only when the value appears once: elsewhere it may truly be a stray flag.)
                    let once = argv.iter().filter(|a| *a == v).count() == 1;
                    if once && numeric.contains(&flag.as_str()) && v.starts_with('-') && v[1..].parse::<f64>().is_ok() {
                        prop_assert!(!m.contains(&format!("'-- {v}'")), "{argv:?}: {m}");
                    }
                }
            }
        }
    }

    /// An argument vector: a command, then flags and values from a vocabulary and random text.
    fn command_line() -> impl Strategy<Value = Vec<String>> {
        let command = select(vec![
            "run",
            "validate",
            "compare",
            "sweep",
            "merge",
            "staff",
            "roster",
            "erlang",
            "help",
            "",
            "rnu",
            "--help",
            "--version",
        ])
        .prop_map(str::to_string);
        let word = prop_oneof![
            3 => select(vec![
                "--seed", "--replications", "--threads", "--format", "--output", "--quiet", "-q",
                "--set", "--target", "--shard", "--resume", "--group", "--patience", "--agents",
                "--rate", "--aht", "--help", "--crn", "--sweep-file", "--max", "--", "-",
                "--replication", "--assumption-draws", "--staffing-seeds", "--max-agents",
                "--max-simulations", "--memory-limit", "--arrival-rate", "--handle-time",
                "--max-concurrent", "--threshold", "--target-sl", "--trace", "--shifts",
            ])
            .prop_map(str::to_string),
            3 => select(vec![
                "-1", "0", "1", "2", "-0", "1e9", "4294967296", "9223372036854775807",
                "9223372036854775808", "18446744073709551616", "abc", "", " ", "é", "3m", "-3m",
                "json", "csv", "table", "html", "xlsx", "a=1,2", "simulation.seed=1..3",
                "service_level>=0.8", "1/2", "0/0", "scenarios/erlang_c.toml", "/dev/null",
                "/nonexistent.toml", "NaN", "inf",
            ])
            .prop_map(str::to_string),
            1 => "\\PC{0,12}",
        ];
        (command, proptest::collection::vec(word, 0..6)).prop_map(|(c, mut rest)| {
            rest.insert(0, c);
            rest
        })
    }

    #[test]
    fn negative_seed_names_the_range_instead_of_suggesting_a_separator() {
        let m = parse_args(["ccsim", "run", "x.toml", "--seed", "-1"]).unwrap_err();
        assert!(!m.contains("'-- -1'"), "{m}");
        assert!(m.contains("0 to 9223372036854775807"), "{m}");
        assert!(parse_args(["ccsim", "run", "x.toml", "--seed", "7"]).is_ok());
    }

    /// Regression (found by the property test above): numeric options taking any hyphenated
    /// value swallowed a following flag, so `--seed --shard -0` ended with clap's `-- -0`
    /// advice for the stray `-0`. A number-like value only is taken for them.
    #[test]
    fn a_flag_after_a_numeric_option_is_not_swallowed_as_its_value() {
        let m = parse_args([
            "ccsim", "compare", "a.toml", "b.toml", "--seed", "--shard", "-0",
        ])
        .unwrap_err();
        assert!(!m.contains("'-- -0'"), "{m}");
    }

    #[test]
    fn the_clap_definition_is_consistent() {
        // Any clap misconfiguration (duplicate flags, bad defaults) panics here, not in a user's
        // terminal.
        assert!(parse_args(["ccsim", "--help"]).is_err());
        for c in [
            "run", "validate", "compare", "sweep", "merge", "staff", "erlang",
        ] {
            let m = parse_args(["ccsim", c, "--help"]).unwrap_err();
            assert!(m.contains("Usage"), "{c}: {m}");
        }
    }
}

#[cfg(test)]
mod help {
    use super::Cli;
    use clap::CommandFactory;

    /// `--output` of `staff` and `roster` says that a `.toml` file gets the staffed
    /// scenario; the other commands keep the shared text (which does not).
    #[test]
    fn output_help_says_what_a_toml_file_gets() {
        let cli = Cli::command();
        let help = |command: &str| {
            let sub = cli.find_subcommand(command).expect("a subcommand");
            let arg = sub.get_arguments().find(|a| a.get_id() == "output");
            arg.and_then(|a| a.get_help()).map(|h| h.to_string())
        };
        for command in ["staff", "roster"] {
            let h = help(command).unwrap_or_default();
            assert!(h.contains(".toml extension"), "{command}: {h}");
        }
        for command in ["run", "compare", "sweep"] {
            let h = help(command).unwrap_or_default();
            assert!(!h.contains(".toml"), "{command}: {h}");
        }
    }
}
