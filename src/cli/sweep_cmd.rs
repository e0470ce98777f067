//! `ccsim sweep` and `ccsim merge`: grids over scenario keys, written point by point so an
//! interrupted sweep loses nothing, resumable, shardable across machines, and shard outputs
//! merged into the file the unsharded run writes. Layout and rules: docs/sweeps.md.

use super::signals::{self, Interrupted};
use super::{load_scenario, open_output, output_arg, BadInput, CommonArgs};
use anyhow::{Context, Result};
use ccsim::experiment::budget::{self, Extra};
use ccsim::output::{self, Output, OutputFile, Target};
use ccsim::report::json::JsonWriter;
use ccsim::report::{self, Format};
use ccsim::sweep::csvfile::{self, Expected, Provenance, Scanner};
use ccsim::sweep::grid::{self, Grid};
use ccsim::sweep::{self, Point, PointEvent, RunControl, Shard, Sweep, SweepError};
use clap::Args;
use serde_json::{json, Value};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    // `allow_hyphen_values`: `-1/2` is a bad shard to name, not a flag to guess at.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    shard: Option<Shard>,
    /// Continue the CSV at --output: skip the points it already has complete.
    #[arg(long)]
    resume: bool,
    /// Common random numbers: every point draws the same streams (as point 0).
    #[arg(long)]
    crn: bool,
    #[command(flatten)]
    pub(super) common: CommonArgs,
}

#[derive(Debug, Args)]
pub(super) struct MergeArgs {
    /// Shard CSV files written by `ccsim sweep --shard I/N --output FILE`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write the merged CSV here (whole, or not at all) instead of stdout.
    #[arg(long, value_parser = output_arg())]
    output: Option<PathBuf>,
}

/// User errors of the library become `BadInput` (exit code 2).
fn lift(e: SweepError) -> anyhow::Error {
    match e {
        SweepError::Input(m) => BadInput(m).into(),
        other => other.into(),
    }
}

pub(super) fn cmd_sweep(args: SweepArgs) -> Result<()> {
    let inputs: Vec<(&str, &std::path::Path)> = args
        .sweep_file
        .iter()
        .map(|p| ("--sweep-file", p.as_path()))
        .chain([("the scenario", args.scenario.as_path())])
        .collect();
    args.common.refuse_overwriting(&[], &inputs)?;
    // The base must be a valid scenario by itself; its errors come with line and key.
    let base_scenario = load_scenario(&args.scenario, args.common.memory_budget())?;
    let text = args.common.read_input(&args.scenario)?;
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
        for axis in
            sweep::read_sweep_file(file, &base, args.common.memory_budget()).map_err(lift)?
        {
            grid.push(axis).map_err(lift)?;
        }
    }
    for s in &args.set {
        // Name the argument and the scenario it edits (the key alone did not).
        let axis = grid::parse_set(s, &base).map_err(|e| match e {
            SweepError::Input(m) if !m.starts_with("--set") => {
                BadInput(format!("--set {s}: {m} (in {})", args.scenario.display())).into()
            }
            e => lift(e),
        })?;
        grid.push(axis).map_err(lift)?;
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
    // The list of points alone must fit before it is built (10^7 points take about 2 GB).
    let count = sweep.shard_len(shard);
    let listed = Extra::Points {
        count,
        bytes: count as f64 * (2.0 * sweep.point_bytes() + 8.0),
    };
    budget::check(&[], 1, 1, listed, args.common.memory_limit).map_err(|e| BadInput(e.message))?;
    let stop = signals::shutdown().stop_flag();
    let ctl = RunControl {
        threads: args.common.threads.map(|t| t as usize),
        progress: !args.common.quiet,
        crn: args.crn,
        stop: &stop,
        memory_limit: args.common.memory_limit,
    };
    // The run's own memory check, with the first point in place of the largest, before the
    // rest are built (see `check_first_point`). A point that does not build is left to
    // `points`, whose message names the key and value.
    if count > 0 {
        if let Ok(first) = sweep.scenario(shard.index) {
            sweep::check_first_point(&sweep, &first, count, &ctl).map_err(lift)?;
        }
    }
    let points = sweep.points(shard).map_err(lift)?;
    warn_overloaded_points(&points);

    let provenance = Provenance::of(
        &sweep,
        shard,
        args.common
            .replications
            .unwrap_or(base_scenario.simulation.replications),
        args.common.seed.unwrap_or(base_scenario.simulation.seed),
        args.crn,
    );
    let format = args.common.format_for("sweep")?;
    // The point-by-point file needs a regular file; a FIFO or device gets the whole output.
    let target = match &args.common.output {
        Some(path) => Some(output::classify(path)?),
        None => None,
    };
    match (&args.common.output, target, format) {
        (Some(path), Some(target), Format::Csv) if target.is_regular() => {
            let file = CsvFile {
                shown: path,
                target,
                provenance,
            };
            let (lines, total) = sweep_to_csv_file(&sweep, &points, file, args.resume, ctl)?;
            if !args.common.quiet {
                let width = super::terminal_width(true);
                print!("{}", draw_summary(&sweep.grid.keys(), lines, total, width));
            }
            Ok(())
        }
        (path, _, format) => {
            if args.resume {
                return Err(BadInput(
                    "--resume continues a CSV file: give --output FILE.csv (a regular file; or --format csv)"
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
        .filter(|p| p.overloaded)
        .map(|p| p.index)
        .collect();
    if let Some(first) = over.first() {
        eprintln!(
            "warning: {} point(s) (first: point {first}) have intervals where the offered load reaches the headcount and some call type has no patience: queues grow without bound there",
            over.len()
        );
    }
    let behind: Vec<u64> = points
        .iter()
        .filter(|p| p.email_behind)
        .map(|p| p.index)
        .collect();
    if let Some(first) = behind.first() {
        eprintln!(
            "warning: {} point(s) (first: point {first}) have an email type that falls behind for good: over the horizon its work exceeds the agent-hours left for it after live work, so its backlog grows to the end",
            behind.len()
        );
    }
}

/// A point's rows are held until the point is done, up to this many bytes; a larger point is
/// written in pieces of about this size (see `sweep_to_csv_file`).
const POINT_CHUNK: usize = 8 << 20;

/// Rows of the terminal summary before it is cut short.
const SUMMARY_ROWS: usize = 40;

/// Where each point's rows sit in the output file: `(point, offset, length)`.
type Layout = Vec<(u64, usize, usize)>;

/// The point-by-point CSV output: where it is and what it must say about its sweep.
struct CsvFile<'a> {
    /// The path as given (messages).
    shown: &'a Path,
    /// A new or regular file (symbolic links resolved).
    target: Target,
    provenance: Provenance,
}

/// CSV at `file`: provenance line (`status=partial`) and header when the file is created,
/// each finished point's rows appended in one write as it completes, and at the end the
/// canonical form (points sorted, `status=complete`): when the points went in in order (a
/// fresh run, or a resumed one whose kept points are a prefix — points finish in order) by
/// overwriting the status word in place, else by rewriting the file through a temp file.
/// With `resume`, the complete points already in the file are kept and skipped. Returns the
/// first points' rows and their layout (for the summary table), and the number of points.
///
/// A signal stops the run within a second: every appended point is whole (appends run in a
/// [`ccsim::output::Shutdown::critical`] section), the file stays `partial`, and the
/// command exits 130/143 telling how to continue.
fn sweep_to_csv_file(
    sweep: &Sweep,
    points: &[Point],
    file: CsvFile<'_>,
    resume: bool,
    ctl: RunControl<'_>,
) -> Result<(Vec<Vec<String>>, usize)> {
    let shutdown = signals::shutdown();
    let keys = sweep.grid.keys();
    let name = file.shown.display().to_string();
    let real = file
        .target
        .regular_path()
        .expect("the caller checked for a regular file")
        .to_path_buf();
    let mut kept = Kept::default();
    if matches!(file.target, Target::Replace { .. }) {
        if !resume {
            return Err(BadInput(format!(
                "{name} exists: pass --resume to continue it, or remove it to start over"
            ))
            .into());
        }
        kept = resume_state(sweep, points, &real, &name, &file.provenance)?;
    }
    // The canonical prefix: provenance (`partial`), header, then the kept points copied
    // by byte range from the old file (streamed: nothing of it is held), through a temp file
    // that replaces the old one only when whole.
    let mut layout: Layout = Vec::new();
    let end = {
        let mut out = OutputFile::create_target(file.shown, file.target.clone(), shutdown)?;
        let line = file.provenance.line();
        let header = csvfile::header(&keys);
        out.write_all(&line)?;
        out.write_all(&header)?;
        let mut end = line.len() + header.len();
        for &(p, ref range) in &kept.points {
            let src = kept.file.as_ref().expect("points come with their file");
            let len = range.end - range.start;
            let copied = out
                .append_from(src, range.start, len)
                .with_context(|| format!("cannot read back {name}"))?;
            if copied != len {
                anyhow::bail!(
                    "{name} changed while it was being read back (is another run writing it?)"
                );
            }
            layout.push((p, end, len as usize));
            end += len as usize;
        }
        out.commit()?;
        end
    };
    let done: std::collections::BTreeSet<u64> = layout.iter().map(|l| l.0).collect();
    let todo: Vec<Point> = points
        .iter()
        .filter(|p| !done.contains(&p.index))
        .cloned()
        .collect();
    // Read and write, not O_APPEND: the status word at the start is overwritten through this
    // same handle at the end (on Linux a positioned write to an O_APPEND file appends), so
    // the file marked complete is the one written, whatever was put at the path meanwhile.
    // Only this process writes it, so writes go on at the end once positioned there.
    let mut appender = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&real)
        .with_context(|| format!("cannot open {name} for appending"))?;
    {
        use std::io::{Seek, SeekFrom};
        let at = appender
            .seek(SeekFrom::End(0))
            .with_context(|| format!("cannot open {name} for appending"))?;
        if at != end as u64 {
            anyhow::bail!("{name} changed while it was being written (is another run writing it?)");
        }
    }
    let prefix_end = end;
    signals::set_note(format!(
        "the finished points are in {name}; continue with the same command plus --resume"
    ));
    let sink = Mutex::new((appender, end, layout));
    // The point being folded: its replication rows not yet written, and where its first
    // rows went when it was too large to hold whole (one point at a time: points are consumed
    // in order).
    let mut rows = Vec::new();
    let mut started: Option<(usize, usize)> = None;
    // One write per point, flushed to the OS before the next, never cut by a forced exit: a
    // stopped run leaves whole points only (a SIGKILL at most one torn point, which --resume
    // drops) — unless a point's rows pass POINT_CHUNK, which are written in pieces so that
    // memory stays bounded (10^6 replications of a point are gigabytes of rows); an
    // interrupted piecewise point is incomplete and --resume drops it too.
    let mut write = |rows: &mut Vec<u8>, done: Option<u64>| -> Result<(), SweepError> {
        let mut guard = sink.lock().unwrap_or_else(|e| e.into_inner());
        let (f, end, layout) = &mut *guard;
        shutdown
            .critical(|| f.write_all(rows).and_then(|()| f.flush()))
            .map_err(SweepError::io(format!("cannot append to {name}")))?;
        let (at, len) = started.get_or_insert((*end, 0));
        *len += rows.len();
        *end += rows.len();
        rows.clear();
        if let Some(point) = done {
            layout.push((point, *at, *len));
            started = None;
        }
        Ok(())
    };
    let summary = sweep::run_points(sweep, &todo, ctl, |i, event| {
        let p = &todo[i];
        match event {
            PointEvent::Replication(r, b) => {
                rows.extend(csvfile::replication_rows(p.index, &p.labels, r, b));
                if rows.len() >= POINT_CHUNK {
                    write(&mut rows, None)?;
                }
            }
            PointEvent::Done(o) => {
                rows.extend(csvfile::summary_rows(p.index, &p.labels, &o));
                write(&mut rows, Some(p.index))?;
            }
        }
        Ok(())
    });
    let summary = match summary {
        Ok(summary) => summary,
        Err(e) => {
            // Refused before any point ran (the run's memory check) or failed before the
            // first point was appended: a new file holding only its header would make the
            // next try say "exists: pass --resume". A resumed file keeps its points.
            let guard = sink.lock().unwrap_or_else(|e| e.into_inner());
            if matches!(file.target, Target::New { .. }) && guard.1 == prefix_end {
                let _ = std::fs::remove_file(&real);
            }
            return Err(lift(e));
        }
    };
    if summary.interrupted() || shutdown.is_stopped() {
        return Err(Interrupted(format!(
            "interrupted by {}: {} of {} points in {name} ({} new this run); continue with the same command plus --resume",
            signals::signal_name(),
            done.len() + summary.finished,
            points.len(),
            summary.finished
        ))
        .into());
    }
    let (appended, end, mut layout) = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    // Already canonical when the points sit in ascending order, back to back after the
    // header, and nothing else is in the file: then only the status word changes, overwritten
    // in place (the same number of bytes), instead of copying the whole file — which took
    // most of a 2 GB sweep's system time. Else (a resumed run that reran points out of
    // order), canonical order by copying the known byte ranges, streamed from the appended
    // file into a temp file: memory does not grow with the file.
    let in_order = layout.windows(2).all(|w| w[0].0 < w[1].0)
        && layout.iter().try_fold(prefix_end, |at, &(_, off, len)| {
            (off == at).then_some(at + len)
        }) == Some(end);
    let length = appended
        .metadata()
        .with_context(|| format!("cannot read back {name}"))?
        .len();
    if in_order && length == end as u64 {
        use std::os::unix::fs::FileExt;
        shutdown
            .critical(|| {
                appended.write_all_at(
                    csvfile::STATUS_COMPLETE_BYTES,
                    csvfile::STATUS_OFFSET as u64,
                )
            })
            .with_context(|| format!("cannot mark {name} complete"))?;
        let lines = first_points(&appended, &layout, &keys, &name)?;
        return Ok((lines, layout.len()));
    }
    layout.sort_unstable_by_key(|l| l.0);
    let mut finished = file.provenance.clone();
    finished.complete = true;
    let src = appended;
    // The same file, checked again: a FIFO put there meanwhile is written through.
    let mut out = OutputFile::create_target(file.shown, output::classify(file.shown)?, shutdown)?;
    out.write_all(&finished.line())?;
    out.write_all(&csvfile::header(&keys))?;
    for &(_, at, len) in &layout {
        out.append_from(&src, at as u64, len as u64)
            .with_context(|| format!("cannot read back {name}"))?;
    }
    let lines = first_points(&src, &layout, &keys, &name)?;
    out.commit()?;
    Ok((lines, layout.len()))
}

/// The summary table's lines of the first [`SUMMARY_ROWS`] points of `layout` (ascending),
/// read from `file` a row at a time: a point of many replications is gigabytes of rows, and
/// only its `overall` summary rows make its line.
fn first_points(
    file: &std::fs::File,
    layout: &Layout,
    keys: &[String],
    name: &str,
) -> Result<Vec<Vec<String>>> {
    use std::io::{BufReader, Read, Seek, SeekFrom};
    let mut lines = Vec::new();
    for &(p, at, len) in layout.iter().take(SUMMARY_ROWS) {
        let mut f = file
            .try_clone()
            .with_context(|| format!("cannot read back {name}"))?;
        f.seek(SeekFrom::Start(at as u64))
            .with_context(|| format!("cannot read back {name}"))?;
        lines.push(summary_line(keys, p, BufReader::new(f.take(len as u64))));
    }
    Ok(lines)
}

/// What `--resume` keeps of an existing file: its complete points' byte ranges, ascending,
/// and the open file to copy them from.
#[derive(Debug, Default)]
struct Kept {
    file: Option<std::fs::File>,
    points: Vec<(u64, std::ops::Range<u64>)>,
}

/// Reads an existing output for `--resume`: checks it is this sweep's (same provenance: ccsim
/// version, scenario, grid, replications, seed, `--crn` and shard; same columns, same values
/// at each point, only this shard's points) and keeps only complete points. A torn last line
/// and any incomplete point are dropped (they are rerun). Streams the file once, keeping
/// each complete point's byte range, never its rows.
fn resume_state(
    sweep: &Sweep,
    points: &[Point],
    path: &Path,
    name: &str,
    run: &Provenance,
) -> Result<Kept> {
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
    let mut scan =
        Scanner::new(std::io::BufReader::with_capacity(1 << 16, f), name).map_err(lift)?;
    let Some(prov) = scan.provenance().cloned() else {
        return Err(BadInput(format!(
            "--resume: {name} has no `{}` line, so ccsim cannot tell whether it belongs to this sweep (written by another version?): use another --output",
            csvfile::PROVENANCE_PREFIX.trim_end()
        ))
        .into());
    };
    if let Some(why) = prov.difference(run) {
        return Err(BadInput(format!(
            "--resume: {name} is not the same sweep: {why}; keep the command identical, or use another --output"
        ))
        .into());
    }
    if prov.shard != run.shard {
        let show = |s: Option<Shard>| {
            s.map_or("the whole grid".to_string(), |s| {
                format!("--shard {}/{}", s.index, s.count)
            })
        };
        return Err(BadInput(format!(
            "--resume: {name} holds {} but this run is {}: not the same sweep (use the file of this shard)",
            show(prov.shard),
            show(run.shard)
        ))
        .into());
    }
    let expected_header = csvfile::header(&sweep.grid.keys());
    if scan.header() != expected_header {
        return Err(BadInput(format!(
            "--resume: {name} has the columns {} but this sweep writes {}: not the same sweep (use another --output)",
            String::from_utf8_lossy(scan.header()).trim_end(),
            String::from_utf8_lossy(&expected_header).trim_end()
        ))
        .into());
    }
    let by_index: std::collections::HashMap<u64, &Point> =
        points.iter().map(|p| (p.index, p)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut dropped = 0;
    let mut keep = std::collections::BTreeMap::new();
    while let Some((index, block)) = scan.next_point(&mut |_| Ok(())).map_err(lift)? {
        if !seen.insert(index) {
            return Err(BadInput(format!(
                "{name}: line {}: point {index} appears twice (its rows are not together)",
                block.line
            ))
            .into());
        }
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
        // Complete, in the order a sweep writes, and whole: the right number of rows and the
        // right last row are not enough — a repeated summary row can make up for a missing
        // replication row, which `merge` would refuse later.
        let expected = Expected::for_scenario(&sweep.scenario(p.index).map_err(lift)?);
        if block.is_complete(&expected) && block.is_whole() {
            keep.insert(index, block.range);
        } else {
            dropped += 1;
        }
    }
    // Say what was dropped: a torn last line alone drops no point (it may have been the
    // first row of a point, or nothing but a partial row).
    let mut dropped_what = Vec::new();
    match dropped {
        0 => {}
        1 => dropped_what.push("1 unfinished point dropped and rerun".to_string()),
        n => dropped_what.push(format!("{n} unfinished points dropped and rerun")),
    }
    if scan.torn() {
        dropped_what.push("a torn last line (cut short by the interrupt) dropped".to_string());
    }
    eprintln!(
        "resume: {} of {} points already done in {name}{}",
        keep.len(),
        points.len(),
        if dropped_what.is_empty() {
            String::new()
        } else {
            format!("; {}", dropped_what.join(", and "))
        }
    );
    Ok(Kept {
        file: Some(scan.into_inner().into_inner()),
        points: keep.into_iter().collect(),
    })
}

/// Where [`sweep_whole`] puts each finished point.
enum Sink<'o> {
    /// CSV rows, one point at a time.
    Csv(&'o mut Output),
    /// The JSON document, opened up to its `points` array.
    Json(JsonWriter<&'o mut Output>),
    /// The summary table's lines, drawn at the end.
    Table(Vec<Vec<String>>),
}

/// The sweep to stdout, to a FIFO or device, or as JSON or a table to a file: streamed into
/// the output as points finish, in point order — CSV rows and JSON points as they come, each
/// point whole (its replication rows are held until its summary, up to [`POINT_CHUNK`], as for
/// a CSV file); the
/// table keeps one short line per point. Memory does not grow with the points (a 5,000-point
/// table sweep held 2.9 GB when every point's rows were kept for the end). A file is still
/// written whole or not at all (through its temp file). After an interrupt the finished
/// points stay on stdout (the JSON document closed after them, the table printed), a file is
/// not written, and the command exits 130/143.
fn sweep_whole(
    sweep: &Sweep,
    points: &[Point],
    path: Option<&Path>,
    format: Format,
    ctl: RunControl<'_>,
) -> Result<()> {
    let keys = sweep.grid.keys();
    let base_name = match points.first() {
        Some(p) => sweep.scenario(p.index).map_err(lift)?.name,
        None => String::new(),
    };
    let crn = ctl.crn;
    let mut out = open_output(path)?;
    let mut sink = match format {
        Format::Csv => {
            out.write_all(&csvfile::header(&keys))?;
            Sink::Csv(&mut out)
        }
        Format::Json => {
            let mut j = JsonWriter::new(&mut out);
            j.begin_object()?;
            j.key("scenario")?;
            j.string(&base_name)?;
            j.key("keys")?;
            j.value(&json!(keys))?;
            j.key("points_total")?;
            j.value(&json!(sweep.grid.len()))?;
            j.key("crn")?;
            j.bool(crn)?;
            j.key("points")?;
            j.begin_array()?;
            Sink::Json(j)
        }
        _ => Sink::Table(Vec::new()),
    };
    // The point being folded: its replication rows so far (CSV; points come in order).
    let mut rows: Vec<u8> = Vec::new();
    let summary = sweep::run_points(sweep, points, ctl, |i, event| {
        let p = &points[i];
        let outcome = match event {
            PointEvent::Replication(r, b) => {
                if let Sink::Csv(out) = &mut sink {
                    rows.extend(csvfile::replication_rows(p.index, &p.labels, r, b));
                    // Memory stays bounded for points of many replications (see POINT_CHUNK).
                    if rows.len() >= POINT_CHUNK {
                        let wrote = out.write_all(&rows);
                        rows.clear();
                        wrote.map_err(SweepError::io("cannot write the sweep's output"))?;
                    }
                }
                return Ok(());
            }
            PointEvent::Done(o) => o,
        };
        let wrote = match &mut sink {
            Sink::Csv(out) => {
                rows.extend(csvfile::summary_rows(p.index, &p.labels, &outcome));
                let done = out.write_all(&rows);
                rows.clear();
                done
            }
            Sink::Json(j) => write_json_point(j, sweep, p, &outcome),
            Sink::Table(lines) => {
                let summary = csvfile::summary_rows(p.index, &p.labels, &outcome);
                lines.push(summary_line(&keys, p.index, &summary[..]));
                Ok(())
            }
        };
        wrote.map_err(SweepError::io("cannot write the sweep's output"))
    })
    .map_err(lift)?;
    // Close what was opened: the JSON document after the points it has, the table of them.
    match sink {
        Sink::Csv(_) => {}
        Sink::Json(mut j) => {
            j.end_array()?;
            j.end_object()?;
            j.newline()?;
            j.into_inner()?;
        }
        Sink::Table(lines) => {
            let n = lines.len();
            let width = super::terminal_width(path.is_none());
            out.write_all(draw_summary(&keys, lines, n, width).as_bytes())?;
        }
    }
    if summary.interrupted() || signals::shutdown().is_stopped() {
        // Stdout keeps the finished points; a file is written whole or not at all, so not.
        let through =
            path.is_some_and(|p| matches!(output::classify(p), Ok(Target::Through { .. })));
        let kept = match path {
            None => {
                out.commit()?;
                "printed".to_string()
            }
            Some(p) if through => {
                out.commit()?;
                format!("written to {} as they finished", p.display())
            }
            Some(p) => format!(
                "not written to {} (a partial file would pass for a whole one; --output FILE.csv keeps finished points)",
                p.display()
            ),
        };
        return Err(Interrupted(format!(
            "interrupted by {}: {} of {} points finished, {kept}",
            signals::signal_name(),
            summary.finished,
            summary.total
        ))
        .into());
    }
    out.commit()?;
    Ok(())
}

/// One point of the sweep's JSON: its index, swept values and result.
fn write_json_point(
    j: &mut JsonWriter<&mut Output>,
    sweep: &Sweep,
    p: &Point,
    outcome: &ccsim::experiment::Outcome,
) -> std::io::Result<()> {
    j.element()?;
    j.begin_object()?;
    j.key("point")?;
    j.uint(p.index)?;
    j.key("set")?;
    j.begin_object()?;
    let coords = sweep.grid.coords(p.index);
    for (a, i) in sweep.grid.axes.iter().zip(coords) {
        j.key(&a.key)?;
        j.value(&serde_json::to_value(&a.values[i]).unwrap_or(Value::Null))?;
    }
    j.end_object()?;
    j.key("result")?;
    report::json::write_outcome(j, outcome)?;
    j.end_object()
}

/// Metrics of the terminal summary (overall scope, mean ± CI half-width).
const SUMMARY_METRICS: [&str; 4] = ["service_level", "abandon_rate", "asa_s", "occupancy"];

/// A point's line of the summary table from its CSV rows (only the summary rows of the
/// `overall` scope are read; replication rows may be there or not): point, swept values,
/// then mean ± CI half-width of each of [`SUMMARY_METRICS`].
fn summary_line(keys: &[String], index: u64, rows: impl std::io::Read) -> Vec<String> {
    let nkeys = keys.len();
    // Field positions: scenario, point, the keys, replication, scope, metric, value, mean,
    // ci95_lo, ci95_hi.
    let first_key = csvfile::LEADING_COLUMNS.len();
    let rep = first_key + nkeys;
    let mut row = vec![index.to_string()];
    let mut labels = None;
    let mut stats = [[None::<f64>; 3]; SUMMARY_METRICS.len()];
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(rows);
    for rec in r.records().flatten() {
        if labels.is_none() {
            labels = Some(
                (first_key..rep)
                    .map(|i| rec.get(i).unwrap_or("").to_string())
                    .collect::<Vec<_>>(),
            );
        }
        // `overall` comes first among the summary rows: stop at the first other scope.
        // Summary rows (empty `replication`) come after every replication's rows.
        if rec.get(rep) != Some("") {
            continue;
        }
        if rec.get(rep + 1) != Some("overall") {
            break;
        }
        let Some(m) = SUMMARY_METRICS
            .iter()
            .position(|m| Some(*m) == rec.get(rep + 2))
        else {
            continue;
        };
        for (slot, stat) in stats[m].iter_mut().enumerate() {
            *stat = rec.get(rep + 4 + slot).and_then(|v| v.parse().ok());
        }
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
    row
}

/// The summary table of `rows` (lines from [`summary_line`]) out of `total` points, with a
/// closing line saying how many more there are.
fn draw_summary(
    keys: &[String],
    rows: Vec<Vec<String>>,
    total: usize,
    width: Option<u16>,
) -> String {
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(keys.iter().cloned());
    header.extend(SUMMARY_METRICS.iter().map(|m| m.to_string()));
    let shown = rows.len();
    let mut out = ccsim::report::tabular::grid(
        header
            .into_iter()
            .map(|h| (h, ccsim::report::tabular::Align::Right)),
        rows,
        width,
    );
    if total > shown {
        out.push_str(&format!(
            "… and {} more points (all of them are in the output file)\n",
            total - shown
        ));
    }
    out
}

pub(super) fn cmd_merge(args: MergeArgs) -> Result<()> {
    let shards: Vec<(&str, &std::path::Path)> = args
        .inputs
        .iter()
        .map(|p| ("the shard", p.as_path()))
        .collect();
    let output: Vec<(&str, &std::path::Path)> = args
        .output
        .iter()
        .map(|p| ("--output", p.as_path()))
        .collect();
    ccsim::output::refuse_overwriting(&output, &shards)?;
    if let Some(path) = &args.output {
        merge_output_is_csv(path)?;
    }
    let shutdown = signals::shutdown();
    let interrupted = || -> anyhow::Error {
        Interrupted(format!(
            "interrupted by {}: nothing was written",
            signals::signal_name()
        ))
        .into()
    };
    // Opened first: an unwritable --output fails before the inputs are read, and a signal
    // while reading them removes the temp file.
    let mut out = open_output(args.output.as_deref())?;
    let open_inputs = || -> Result<Vec<(String, std::io::BufReader<std::fs::File>)>> {
        let mut inputs = Vec::with_capacity(args.inputs.len());
        for p in &args.inputs {
            if shutdown.is_stopped() {
                return Err(interrupted());
            }
            // No input-size limit: shard files are ccsim's own output and may be gigabytes;
            // they are streamed (csvfile::merge), each line at most csvfile::MAX_LINE.
            let f = std::fs::File::open(p)
                .map_err(|e| BadInput(format!("{}: cannot read: {e}", p.display())))?;
            inputs.push((
                p.display().to_string(),
                std::io::BufReader::with_capacity(1 << 16, f),
            ));
        }
        Ok(inputs)
    };
    let stop = || shutdown.is_stopped();
    if out.is_stream() {
        // Stdout, a pipe or a device cannot take back rows already sent, and the merged file
        // says `status=complete` in its first line: check every shard whole before the first
        // byte goes out (a missing shard or a cut line was found only after the other
        // shards' rows had been printed). Shards that are regular files are read twice;
        // anything else (a FIFO can be read once) is merged into a temp file and copied.
        let regular = args
            .inputs
            .iter()
            .all(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()));
        if regular {
            if !csvfile::merge(open_inputs()?, &mut std::io::sink(), &stop).map_err(lift)? {
                return Err(interrupted());
            }
        } else {
            let mut spool = std::io::BufWriter::new(
                tempfile::tempfile().context("cannot create a temp file for the merge")?,
            );
            if !csvfile::merge(open_inputs()?, &mut spool, &stop).map_err(lift)? {
                return Err(interrupted());
            }
            let mut spool = spool
                .into_inner()
                .map_err(|e| e.into_error())
                .context("cannot write a temp file for the merge")?;
            spool.rewind()?;
            std::io::copy(&mut spool, &mut out)?;
            out.commit()?;
            return Ok(());
        }
    }
    // Rows are written one by one into `out`, which buffers (stdout and file alike).
    if !csvfile::merge(open_inputs()?, &mut out, &stop).map_err(lift)? {
        if out.is_stream() {
            // Checked whole, but stopped while printing: part of it is out already.
            return Err(Interrupted(format!(
                "interrupted by {}: the merged file was cut short: what already went out is incomplete",
                signals::signal_name()
            ))
            .into());
        }
        return Err(interrupted());
    }
    out.commit()?;
    Ok(())
}

/// `merge` writes CSV only: an `--output` name that says another format (`.json`, `.xlsx`)
/// is refused rather than given CSV under that name. A FIFO or device (`/dev/stdout`,
/// `out.pipe`) is accepted whatever its name: it is written through, not named a format.
fn merge_output_is_csv(path: &std::path::Path) -> Result<()> {
    let ext = path.extension().map(|e| e.to_string_lossy());
    let stream = matches!(output::classify(path), Ok(Target::Through { .. }));
    match ext.as_deref().map(Format::from_extension) {
        Some(Some(Format::Csv)) => Ok(()),
        _ if stream => Ok(()),
        _ => Err(BadInput(format!(
            "--output {}: merge writes CSV (the sweep's file format) only: give a name ending in .csv{}",
            path.display(),
            match &ext {
                Some(e) => format!(", not .{e}"),
                None => String::new(),
            }
        ))
        .into()),
    }
}
