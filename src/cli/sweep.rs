//! `ccsim sweep` and `ccsim merge`: grids over scenario keys, written point by point so an
//! interrupted sweep loses nothing, resumable, shardable across machines, and shard outputs
//! merged into the file the unsharded run writes. Layout and rules: docs/sweeps.md.

use super::{emit, load_scenario, write_atomically, BadInput, CommonArgs};
use crate::report::{self, Format};
use crate::sweep::csvfile::{self, Expected, SweepCsv};
use crate::sweep::grid::{self, Grid};
use crate::sweep::{self, Point, RunControl, Shard, Sweep, SweepError};
use anyhow::{Context, Result};
use clap::Args;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A run stopped by Ctrl-C (exit code 130): finished points are kept.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

#[derive(Debug, Args)]
pub(super) struct SweepArgs {
    /// Base scenario file (TOML).
    scenario: PathBuf,
    /// A swept key and its values: KEY=V1,V2,… (dotted path, e.g.
    /// agent_groups.tier1.agents=8..=14 or call_types.general.arrival_rate=100,120).
    /// Repeat for a grid; the last --set varies fastest.
    #[arg(long = "set", value_name = "KEY=V1,V2,…")]
    set: Vec<String>,
    /// TOML file of [[set]] entries (key, values) for grids too long for a command line;
    /// its axes come before the --set ones.
    #[arg(long, value_name = "FILE")]
    sweep_file: Option<PathBuf>,
    /// Run only the points p with p % N == I (0 ≤ I < N); same figures as the whole run.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Continue the CSV at --output: skip the points it already has complete.
    #[arg(long)]
    resume: bool,
    /// Common random numbers: every point draws the same streams (as point 0).
    #[arg(long)]
    crn: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub(super) struct MergeArgs {
    /// Shard CSV files written by `ccsim sweep --shard I/N --output FILE`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write the merged CSV here (whole, or not at all) instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Set by Ctrl-C. A signal handler is process-wide by nature; the library only sees a flag.
static STOP: AtomicBool = AtomicBool::new(false);

/// First Ctrl-C: stop starting points, finish the running ones. Second: leave at once.
fn install_ctrlc() {
    // An error means a handler is already installed (a second command in one process).
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted again: exiting now");
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: finishing the running points (Ctrl-C again to quit at once)");
    });
}

/// User errors of the library become `BadInput` (exit code 2).
fn lift(e: SweepError) -> anyhow::Error {
    match e {
        SweepError::Input(m) => BadInput(m).into(),
        other => other.into(),
    }
}

pub(super) fn cmd_sweep(args: SweepArgs) -> Result<()> {
    // The base must be a valid scenario by itself; its errors come with line and key.
    let base_scenario = load_scenario(&args.scenario)?;
    let text = crate::scenario::read_input(&args.scenario)?;
    let mut base: toml::Table = toml::from_str(&text)
        .map_err(|e| BadInput(format!("{}: {}", args.scenario.display(), e.message())))?;
    if args.common.seed.is_some_and(|s| s > i64::MAX as u64) {
        return Err(BadInput(format!(
            "--seed: a sweep edits the scenario as TOML, whose integers stop at {}",
            i64::MAX
        ))
        .into());
    }
    apply_overrides(&mut base, &args.common);

    let mut grid = Grid::default();
    if let Some(file) = &args.sweep_file {
        for axis in sweep::read_sweep_file(file, &base).map_err(lift)? {
            grid.push(axis).map_err(lift)?;
        }
    }
    for s in &args.set {
        grid.push(grid::parse_set(s, &base).map_err(lift)?)
            .map_err(lift)?;
    }
    if grid.axes.is_empty() {
        return Err(BadInput(
            "nothing to sweep: give --set KEY=V1,V2,… or --sweep-file FILE".into(),
        )
        .into());
    }
    let stem = args
        .scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sweep = Sweep {
        base,
        grid,
        source: base_scenario.source.clone(),
        default_name: stem,
    };
    let shard = args.shard.unwrap_or(Shard::ALL);
    let points = sweep.points(shard).map_err(lift)?;
    warn_overloaded_points(&points);

    install_ctrlc();
    let ctl = RunControl {
        threads: args.common.threads.map(|t| t as usize),
        progress: !args.common.quiet,
        crn: args.crn,
        stop: &STOP,
    };
    let format = args.common.format_for("sweep")?;
    match (&args.common.output, format) {
        (Some(path), Format::Csv) => {
            let (text, layout) = sweep_to_csv_file(&sweep, &points, path, args.resume, ctl)?;
            if !args.common.quiet {
                let blocks = layout.iter().map(|&(p, at, len)| (p, &text[at..at + len]));
                print!(
                    "{}",
                    summary_table(&sweep.grid.keys(), blocks, SUMMARY_ROWS)
                );
            }
            Ok(())
        }
        (path, format) => {
            if args.resume {
                return Err(BadInput(
                    "--resume continues a CSV file: give --output FILE.csv (or --format csv)"
                        .into(),
                )
                .into());
            }
            sweep_whole(&sweep, &points, path.as_deref(), format, ctl)
        }
    }
}

/// `--replications` and `--seed` edit the base table, so a swept key still wins for its
/// points.
fn apply_overrides(base: &mut toml::Table, common: &CommonArgs) {
    let sim = base
        .entry("simulation")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(sim) = sim {
        if let Some(r) = common.replications {
            sim.insert("replications".into(), toml::Value::Integer(r as i64));
        }
        if let Some(s) = common.seed {
            // Checked ≤ i64::MAX by the caller (TOML integers are i64).
            sim.insert("seed".into(), toml::Value::Integer(s as i64));
        }
    }
}

fn warn_overloaded_points(points: &[Point]) {
    let over: Vec<u64> = points
        .iter()
        .filter(|p| !p.scenario.overloaded_intervals().is_empty())
        .map(|p| p.index)
        .collect();
    if let Some(first) = over.first() {
        eprintln!(
            "warning: {} point(s) (first: point {first}) have intervals where the offered load reaches the headcount and some call type has no patience: queues grow without bound there",
            over.len()
        );
    }
}

/// Rows of the terminal summary before it is cut short.
const SUMMARY_ROWS: usize = 40;

/// Where each point's rows sit in the output file: `(point, offset, length)`.
type Layout = Vec<(u64, usize, usize)>;

/// CSV at `path`: a header when the file is created, each finished point's rows appended in
/// one write as it completes, and the canonical form (points sorted) written at the end.
/// With `resume`, the complete points already in the file are kept and skipped. Returns the
/// final file's bytes and layout (for the summary table).
fn sweep_to_csv_file(
    sweep: &Sweep,
    points: &[Point],
    path: &Path,
    resume: bool,
    ctl: RunControl<'_>,
) -> Result<(Vec<u8>, Layout)> {
    let keys = sweep.grid.keys();
    let name = path.display().to_string();
    let header = csvfile::header(&keys);
    let mut layout: Layout = Vec::new();
    let mut end = header.len();
    if path.exists() {
        if !resume {
            return Err(BadInput(format!(
                "{name} exists: pass --resume to continue it, or remove it to start over"
            ))
            .into());
        }
        let kept = resume_state(sweep, points, path)?;
        for (&p, b) in &kept.blocks {
            layout.push((p, end, b.bytes.len()));
            end += b.bytes.len();
        }
        write_atomically(path, &kept.canonical())?;
    } else {
        write_atomically(path, &header)?;
    }
    let done: std::collections::BTreeSet<u64> = layout.iter().map(|l| l.0).collect();
    let todo: Vec<Point> = points
        .iter()
        .filter(|p| !done.contains(&p.index))
        .cloned()
        .collect();
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {name} for appending"))?;
    let sink = Mutex::new((file, end, layout));
    let summary = sweep::run_points(&todo, ctl, |i, outcome| {
        let p = &todo[i];
        let rows = csvfile::point_rows(p.index, &p.labels, &outcome);
        let mut guard = sink.lock().unwrap_or_else(|e| e.into_inner());
        let (f, end, layout) = &mut *guard;
        // One write per point, flushed to the OS before the next: a killed run leaves whole
        // points plus at most one torn point, which --resume drops.
        f.write_all(&rows)
            .and_then(|()| f.flush())
            .map_err(SweepError::io(format!("cannot append to {name}")))?;
        layout.push((p.index, *end, rows.len()));
        *end += rows.len();
        Ok(())
    })
    .map_err(lift)?;
    if summary.interrupted() {
        return Err(Interrupted(format!(
            "interrupted: {} of {} points in {name} ({} new this run); continue with the same command plus --resume",
            done.len() + summary.finished,
            points.len(),
            summary.finished
        ))
        .into());
    }
    let (_, _, mut layout) = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    let text = std::fs::read(path).with_context(|| format!("cannot read back {name}"))?;
    if layout.windows(2).all(|w| w[0].0 < w[1].0) {
        return Ok((text, layout)); // already canonical
    }
    // Canonical order by copying the known byte ranges: no CSV parsing of the whole file.
    layout.sort_unstable_by_key(|l| l.0);
    let mut sorted = Vec::with_capacity(text.len());
    sorted.extend_from_slice(&header);
    for l in &mut layout {
        let start = sorted.len();
        sorted.extend_from_slice(&text[l.1..l.1 + l.2]);
        l.1 = start;
    }
    write_atomically(path, &sorted)?;
    Ok((sorted, layout))
}

/// Reads an existing output for `--resume`: checks it is this sweep's (same columns, same
/// values at each point, only this shard's points) and keeps only complete points. A torn
/// last line and any incomplete point are dropped (they are rerun).
fn resume_state(sweep: &Sweep, points: &[Point], path: &Path) -> Result<SweepCsv> {
    let name = path.display().to_string();
    let text = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
    let (text, torn) = csvfile::drop_torn_line(&text);
    let mut file = SweepCsv::parse(text, &name).map_err(lift)?;
    let expected_header = csvfile::header(&sweep.grid.keys());
    if file.header != expected_header {
        return Err(BadInput(format!(
            "--resume: {name} has the columns {} but this sweep writes {}: not the same sweep (use another --output)",
            String::from_utf8_lossy(&file.header).trim_end(),
            String::from_utf8_lossy(&expected_header).trim_end()
        ))
        .into());
    }
    let by_index: std::collections::HashMap<u64, &Point> =
        points.iter().map(|p| (p.index, p)).collect();
    let mut dropped = 0;
    let mut keep = std::collections::BTreeMap::new();
    for (index, block) in std::mem::take(&mut file.blocks) {
        let Some(p) = by_index.get(&index) else {
            return Err(BadInput(format!(
                "--resume: {name} has point {index}, which is not among this run's points (other grid or other --shard?)"
            ))
            .into());
        };
        if block.labels != p.labels {
            return Err(BadInput(format!(
                "--resume: point {index} in {name} has the values {:?}, this sweep has {:?}: the grid changed (use another --output)",
                block.labels, p.labels
            ))
            .into());
        }
        if block.is_complete(&Expected::for_scenario(&p.scenario)) {
            keep.insert(index, block);
        } else {
            dropped += 1;
        }
    }
    file.blocks = keep;
    eprintln!(
        "resume: {} of {} points already done in {name}{}",
        file.blocks.len(),
        points.len(),
        if dropped > 0 || torn {
            format!("; {dropped} unfinished point(s) dropped and rerun")
        } else {
            String::new()
        }
    );
    Ok(file)
}

/// Every point in memory, written whole at the end (stdout, JSON or table files). After an
/// interrupt the finished points are still written, then the command exits 130.
fn sweep_whole(
    sweep: &Sweep,
    points: &[Point],
    path: Option<&Path>,
    format: Format,
    ctl: RunControl<'_>,
) -> Result<()> {
    let outcomes = Mutex::new(vec![None; points.len()]);
    let summary = sweep::run_points(points, ctl, |i, o| {
        outcomes.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(o);
        Ok(())
    })
    .map_err(lift)?;
    let outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
    let finished: Vec<(&Point, crate::experiment::Outcome)> = points
        .iter()
        .zip(outcomes)
        .filter_map(|(p, o)| o.map(|o| (p, o)))
        .collect();
    let keys = sweep.grid.keys();
    let text = match format {
        Format::Csv | Format::Table | Format::Html => {
            let mut csv = csvfile::header(&keys);
            for (p, o) in &finished {
                csv.extend(csvfile::point_rows(p.index, &p.labels, o));
            }
            if format == Format::Csv {
                String::from_utf8(csv).unwrap_or_default()
            } else {
                let parsed = SweepCsv::parse(&csv, "sweep").map_err(lift)?;
                let blocks = parsed.blocks.iter().map(|(&p, b)| (p, &b.bytes[..]));
                summary_table(&keys, blocks, usize::MAX)
            }
        }
        Format::Json => {
            let base_name = points
                .first()
                .map(|p| p.scenario.name.clone())
                .unwrap_or_default();
            let pts: Vec<Value> = finished
                .iter()
                .map(|(p, o)| {
                    let coords = sweep.grid.coords(p.index);
                    let set: serde_json::Map<String, Value> = sweep
                        .grid
                        .axes
                        .iter()
                        .zip(coords)
                        .map(|(a, i)| {
                            let v = serde_json::to_value(&a.values[i]).unwrap_or(Value::Null);
                            (a.key.clone(), v)
                        })
                        .collect();
                    json!({"point": p.index, "set": set, "result": report::outcome_json(o)})
                })
                .collect();
            report::json_text(&json!({
                "scenario": base_name,
                "keys": keys,
                "points_total": sweep.grid.len(),
                "crn": ctl.crn,
                "points": pts,
            }))
        }
    };
    emit(&text, path)?;
    if summary.interrupted() {
        return Err(Interrupted(format!(
            "interrupted: {} of {} points finished and written",
            summary.finished, summary.total
        ))
        .into());
    }
    Ok(())
}

/// Metrics of the terminal summary (overall scope, mean ± CI half-width).
const SUMMARY_METRICS: [&str; 4] = ["service_level", "abandon_rate", "asa_s", "occupancy"];

/// One line per point: swept values, then the headline metrics. `blocks` are each point's
/// rows; only their leading `overall` rows are read.
fn summary_table<'a>(
    keys: &[String],
    blocks: impl ExactSizeIterator<Item = (u64, &'a [u8])>,
    max_rows: usize,
) -> String {
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(keys.iter().cloned());
    header.extend(SUMMARY_METRICS.iter().map(|m| m.to_string()));
    let total = blocks.len();
    let nkeys = keys.len();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (index, bytes) in blocks.take(max_rows) {
        let mut row = vec![index.to_string()];
        let mut labels = None;
        let mut stats = [[None::<f64>; 3]; SUMMARY_METRICS.len()];
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes);
        for rec in r.records().flatten() {
            if labels.is_none() {
                labels = Some(
                    (0..nkeys)
                        .map(|i| rec.get(i).unwrap_or("").to_string())
                        .collect::<Vec<_>>(),
                );
            }
            // `overall` rows come first in every point: stop at the first other scope.
            if rec.get(nkeys + 2) != Some("overall") {
                break;
            }
            let Some(m) = SUMMARY_METRICS
                .iter()
                .position(|m| Some(*m) == rec.get(nkeys + 3))
            else {
                continue;
            };
            let slot = match rec.get(nkeys + 1) {
                Some("mean") => 0,
                Some("ci95_lo") => 1,
                Some("ci95_hi") => 2,
                _ => continue,
            };
            stats[m][slot] = rec.get(nkeys + 4).and_then(|v| v.parse().ok());
        }
        row.extend(labels.into_iter().flatten());
        row.resize(1 + nkeys, String::new());
        for s in stats {
            row.push(match s {
                [Some(mean), Some(lo), Some(hi)] => {
                    let digits = if mean.abs() >= 10.0 { 1 } else { 3 };
                    format!("{mean:.digits$} ± {:.digits$}", (hi - lo) / 2.0)
                }
                _ => "-".into(),
            });
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c > 0 {
                s.push_str("  ");
            }
            s.push_str(&" ".repeat(pad));
            s.push_str(cell);
        }
        s.push('\n');
        s
    };
    let mut out = line(&header);
    for r in &rows {
        out.push_str(&line(r));
    }
    if total > max_rows {
        out.push_str(&format!(
            "… and {} more points (all of them are in the output file)\n",
            total - max_rows
        ));
    }
    out
}

pub(super) fn cmd_merge(args: MergeArgs) -> Result<()> {
    let inputs = args
        .inputs
        .iter()
        .map(|p| {
            std::fs::read(p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|e| BadInput(format!("{}: cannot read: {e}", p.display())).into())
        })
        .collect::<Result<Vec<_>>>()?;
    let merged = csvfile::merge(&inputs).map_err(lift)?;
    match &args.output {
        Some(path) => write_atomically(path, &merged),
        None => emit(&String::from_utf8_lossy(&merged), None),
    }
}
