//! Sweep CSV files as blocks of rows per point: writing one point's rows, reading a file back
//! (for `--resume` and `merge`), deciding which points are complete, the provenance line that
//! says which sweep a file belongs to, and the canonical form (provenance line, header, then
//! points in ascending order, each point's rows as written).
//!
//! Rows are copied as the exact bytes read, so rewriting a file never reformats a number, and
//! the canonical form of the same results is byte-identical however they were produced
//! (one run, a resumed run, or merged shards). Files are read by a [`Scanner`], one row at a
//! time (a line over [`MAX_LINE`] is refused): sweep files can be gigabytes, so `merge` and
//! `--resume` stream them and keep per point only its accounting and byte range.
//!
//! # Provenance
//! A file written with `--output` starts with one comment line (read CSV with `#` as the
//! comment character, e.g. pandas' `comment="#"`):
//!
//! ```text
//! # ccsim sweep: status=complete version=0.1.0 points=36 replications=20 seed=1 crn=false scenario=fnv1a64:… grid=fnv1a64:… shard=1/4
//! ```
//!
//! `status` is `partial` (padded with a space to the length of `complete`) while the sweep runs
//! and after an interrupt, and becomes `complete` only once every point of its shard is in
//! the file, whole and in order: overwritten in place (the same number of bytes) when the
//! points went in in order, else by a final rewrite (temp file + rename). Files written by
//! earlier builds say `unfinished` instead of `partial`; both are read.
//! `scenario` and `grid` are digests of the base scenario (after `--replications`/`--seed`)
//! and of the swept keys and values; `shard` is absent for the whole grid. `--resume` and
//! `merge` refuse files whose provenance differs from the run's or from each other's.

use super::{Shard, Sweep, SweepError};
use crate::experiment::Outcome;
use crate::report;
use crate::scenario::Scenario;
use crate::stats::{Layout, OutcomeBuilder};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// The fixed columns of the tidy layout: these, the swept keys, then [`TIDY_COLUMNS`].
pub use report::csv::LEADING_COLUMNS;
/// The fixed trailing columns of the tidy layout.
pub use report::csv::TRAILING_COLUMNS as TIDY_COLUMNS;

/// The header line for these swept keys, with its newline.
pub fn header(keys: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = report::csv::write_header(&mut out, keys);
    out
}

/// One replication's rows (no header), formatted exactly like `ccsim run --format csv` with
/// the swept keys' values after `point` and the global point index in the `point` column.
pub fn replication_rows(
    point: u64,
    labels: &[String],
    replication: u32,
    b: &OutcomeBuilder,
) -> Vec<u8> {
    let mut out = Vec::new();
    let key = report::csv::RowKey {
        scenario: b.scenario(),
        point,
        labels,
    };
    let _ = report::csv::write_replication_rows(&mut out, key, replication, b.rows());
    out
}

/// One point's summary rows (no header), after its replication rows.
pub fn summary_rows(point: u64, labels: &[String], outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::new();
    let key = report::csv::RowKey {
        scenario: &outcome.scenario,
        point,
        labels,
    };
    let _ = report::csv::write_summary_rows(&mut out, key, outcome);
    out
}

/// The start of the provenance line.
pub const PROVENANCE_PREFIX: &str = "# ccsim sweep: ";

/// The status of a file that has every point, written `status=complete`.
const STATUS_COMPLETE: &str = "complete";
/// The status of a file still being written or interrupted: padded to [`STATUS_COMPLETE`]'s
/// length, so marking a file complete overwrites these bytes and moves nothing.
const STATUS_PARTIAL: &str = "partial ";
const _: () = assert!(STATUS_PARTIAL.len() == STATUS_COMPLETE.len());

/// Byte offset of the status word in a provenance line (the same in every such line).
pub const STATUS_OFFSET: usize = PROVENANCE_PREFIX.len() + "status=".len();

/// The bytes that, written at [`STATUS_OFFSET`] over a `partial` provenance line, mark it
/// `complete`: the line becomes exactly `Provenance::line()` of the complete file.
pub const STATUS_COMPLETE_BYTES: &[u8] = STATUS_COMPLETE.as_bytes();

/// Which sweep a file belongs to, and whether it is finished (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Every point of this shard is in the file (written by the final rewrite).
    pub complete: bool,
    /// The ccsim version that wrote it: results of two versions are not mixed.
    pub version: String,
    /// Points in the whole grid.
    pub points: u64,
    /// The base scenario's replications per point (after `--replications`).
    pub replications: u64,
    /// The base scenario's seed (after `--seed`).
    pub seed: u64,
    /// `--crn`.
    pub crn: bool,
    /// Digest of the base scenario table.
    pub scenario: String,
    /// Digest of the swept keys and their values.
    pub grid: String,
    /// `--shard I/N`; `None` for the whole grid.
    pub shard: Option<Shard>,
}

impl Provenance {
    /// The provenance of `sweep` run as `shard` with `crn`; `replications` and `seed` are the
    /// base scenario's (after the command-line overrides). Starts `partial` (not complete).
    pub fn of(sweep: &Sweep, shard: Shard, replications: u32, seed: u64, crn: bool) -> Provenance {
        let mut scenario = Fnv::default();
        digest_table(&mut scenario, &sweep.base);
        let mut grid = Fnv::default();
        grid.u64(sweep.grid.axes.len() as u64);
        for axis in &sweep.grid.axes {
            grid.str(&axis.key);
            grid.u64(axis.values.len() as u64);
            for v in &axis.values {
                digest_value(&mut grid, v);
            }
        }
        Provenance {
            complete: false,
            version: env!("CARGO_PKG_VERSION").to_string(),
            points: sweep.grid.len(),
            replications: replications.into(),
            seed,
            crn,
            scenario: scenario.finish(),
            grid: grid.finish(),
            shard: (shard != Shard::ALL).then_some(shard),
        }
    }

    /// The line, with its newline.
    pub fn line(&self) -> Vec<u8> {
        let mut s = format!(
            "{PROVENANCE_PREFIX}status={} version={} points={} replications={} seed={} crn={} scenario={} grid={}",
            if self.complete {
                STATUS_COMPLETE
            } else {
                STATUS_PARTIAL
            },
            self.version,
            self.points,
            self.replications,
            self.seed,
            self.crn,
            self.scenario,
            self.grid
        );
        if let Some(sh) = self.shard {
            s.push_str(&format!(" shard={}/{}", sh.index, sh.count));
        }
        s.push('\n');
        s.into_bytes()
    }

    /// Reads a provenance line (without or with its newline); `None` when it is not one.
    pub fn parse(line: &str) -> Option<Provenance> {
        let rest = line.trim_end().strip_prefix(PROVENANCE_PREFIX)?;
        let fields: BTreeMap<&str, &str> = rest
            .split_whitespace()
            .filter_map(|f| f.split_once('='))
            .collect();
        let get = |k: &str| fields.get(k).copied();
        let shard = match get("shard") {
            None => None,
            Some(s) => Some(s.parse::<Shard>().ok()?),
        };
        Some(Provenance {
            complete: match get("status")? {
                "complete" => true,
                "partial" | "unfinished" => false,
                _ => return None,
            },
            version: get("version")?.to_string(),
            points: get("points")?.parse().ok()?,
            replications: get("replications")?.parse().ok()?,
            seed: get("seed")?.parse().ok()?,
            crn: get("crn")?.parse().ok()?,
            scenario: get("scenario")?.to_string(),
            grid: get("grid")?.to_string(),
            shard,
        })
    }

    /// Why a file with provenance `self` cannot be combined with a run (or file) that has
    /// `other`: the first difference, in words; `None` when they are the same sweep. The
    /// status and the shard are not compared (the callers check those).
    pub fn difference(&self, other: &Provenance) -> Option<String> {
        let (a, b) = (self, other);
        if a.version != b.version {
            return Some(format!(
                "written by ccsim {} where this is {}: results of two versions are not mixed",
                a.version, b.version
            ));
        }
        if a.grid != b.grid || a.points != b.points {
            return Some(format!(
                "the grid changed: other swept keys or values ({} points, grid {}; here {} points, grid {})",
                a.points, a.grid, b.points, b.grid
            ));
        }
        if a.replications != b.replications {
            return Some(format!(
                "{} replications per point where here {} (--replications or simulation.replications changed)",
                a.replications, b.replications
            ));
        }
        if a.seed != b.seed {
            return Some(format!(
                "seed {} where here {} (--seed or simulation.seed changed)",
                a.seed, b.seed
            ));
        }
        if a.crn != b.crn {
            let with = |c: bool| if c { "with --crn" } else { "without --crn" };
            return Some(format!("run {} where here {}", with(a.crn), with(b.crn)));
        }
        if a.scenario != b.scenario {
            return Some(format!(
                "another base scenario (digest {} where here {}): the scenario file was edited",
                a.scenario, b.scenario
            ));
        }
        None
    }
}

/// 64-bit FNV-1a: a stable digest (the same on every platform and Rust version, unlike
/// `std`'s hasher) to tell sweeps apart, and a point's rows' sequence of scopes and metrics
/// from another's. Not a defence against forgery.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn finish(&self) -> String {
        format!("fnv1a64:{:016x}", self.0)
    }
}

/// Feeds a TOML value in a canonical, self-delimiting encoding (type tag, lengths, table keys
/// sorted): independent of how the file was formatted or of the TOML crate's printer.
fn digest_value(h: &mut Fnv, v: &toml::Value) {
    use toml::Value as V;
    match v {
        V::String(s) => {
            h.bytes(b"s");
            h.str(s);
        }
        V::Integer(i) => {
            h.bytes(b"i");
            h.bytes(&i.to_le_bytes());
        }
        V::Float(f) => {
            h.bytes(b"f");
            h.u64(f.to_bits());
        }
        V::Boolean(b) => h.bytes(if *b { b"T" } else { b"F" }),
        V::Datetime(d) => {
            h.bytes(b"d");
            h.str(&d.to_string());
        }
        V::Array(a) => {
            h.bytes(b"a");
            h.u64(a.len() as u64);
            for x in a {
                digest_value(h, x);
            }
        }
        V::Table(t) => {
            h.bytes(b"t");
            digest_table(h, t);
        }
    }
}

fn digest_table(h: &mut Fnv, t: &toml::Table) {
    let mut keys: Vec<&String> = t.keys().collect();
    keys.sort();
    h.u64(keys.len() as u64);
    for k in keys {
        h.str(k);
        digest_value(h, &t[k.as_str()]);
    }
}

/// What the last row of a complete point looks like, and how many rows it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Rows of a complete point.
    pub rows: usize,
    /// Scope of its last row.
    pub last_scope: String,
    /// Metric of its last row.
    pub last_metric: String,
}

impl Expected {
    /// Derived from the report layout itself (an outcome with no replications has every
    /// scope and metric), so it follows any metric the engine adds: a row per value for each
    /// replication, then a summary row per value of the scopes that have one (not the
    /// `day:N` scopes of a program, see [`report::csv::replication_only`]), the last of
    /// which ends the point.
    pub fn for_scenario(s: &Scenario) -> Expected {
        let layout = Layout::new(s);
        let (mut values, mut summaries) = (0usize, 0usize);
        let mut last = (String::new(), String::new());
        layout.for_each_name(|_, _, scope, metric| {
            values += 1;
            if !report::csv::replication_only(scope) {
                summaries += 1;
                last = (scope.to_string(), metric.to_string());
            }
        });
        Expected {
            rows: values * s.simulation.replications as usize + summaries,
            last_scope: last.0,
            last_metric: last.1,
        }
    }
}

/// One point's rows as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The swept keys' values.
    pub labels: Vec<String>,
    /// The rows' bytes, each line with its newline ([`SweepCsv::parse`]); empty when read by
    /// a [`Scanner`], which hands the rows to its caller instead of keeping them.
    pub bytes: Vec<u8>,
    /// Where the rows sit in the input: byte offsets of the first row's start and of the
    /// last row's end (so `--resume` can copy them without keeping them).
    pub range: std::ops::Range<u64>,
    /// Line number of the first row (messages).
    pub line: u64,
    /// Number of rows.
    pub rows: usize,
    /// `(replication, scope, metric)` of the last row (`replication` empty: a summary row).
    pub last: (String, String, String),
    /// Summary rows (one per scope and metric that has one) so far.
    pub summary_rows: usize,
    /// Replication rows so far.
    pub replication_rows: usize,
    /// Of [`Block::replication_rows`], those of scopes without summary rows (the `day:N`
    /// scopes of a program, see [`report::csv::replication_only`]).
    pub day_rows: usize,
    /// Highest replication number seen, plus one.
    pub replications: usize,
    /// The rows are not in the order a sweep writes them — replication 0, 1, 2, … each
    /// with the same scopes and metrics in the same order as the first, then the summary
    /// rows in that order too — so the block was edited or pieced together (a point's rows
    /// repeated had the right ratio of rows to summaries). [`Block::defect`] says where.
    pub disordered: bool,
    /// The first thing found wrong in the rows (an order [`Block::disordered`] names, a
    /// row whose scenario or swept values differ from the point's first row, a number
    /// column that is not a number), with the line(s) where. A point cut short has none:
    /// it is only not [`Block::is_whole`].
    pub defect: Option<Defect>,
    /// The replication being read, its rows so far and how many of them are day rows;
    /// the same two counts of the first replication.
    current: Option<usize>,
    in_current: usize,
    days_in_current: usize,
    per_replication: Option<(usize, usize)>,
    /// The scopes and metrics of the current replication's rows, in order, as a running
    /// digest (all rows, and the rows of summarised scopes only), and the line of its first
    /// row; the same of the first replication. Digests, not the rows: a replication can have
    /// millions of rows, and memory must not grow with them.
    seq: (Fnv, Fnv),
    current_line: u64,
    first_seq: Option<(Fnv, Fnv, std::ops::RangeInclusive<u64>)>,
    /// The scopes and metrics of the summary rows, in order, and the line of the first.
    summary_seq: Fnv,
    summary_line: u64,
    /// Line of the last row counted.
    last_line: u64,
    /// The first row's `scenario` and swept values, unquoted (every row must repeat them).
    key_fields: Vec<Vec<u8>>,
}

/// Something wrong in a point's rows and where: a line, or a range of lines (a replication
/// or the summary rows, when only their whole sequence could be compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// The first line and the last line concerned (equal for one row).
    pub lines: std::ops::RangeInclusive<u64>,
    /// What is wrong, in words.
    pub what: String,
}

impl std::fmt::Display for Defect {
    /// `line N: WHAT` or `lines A–B: WHAT`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b) = (self.lines.start(), self.lines.end());
        if a == b {
            write!(f, "line {a}: {}", self.what)
        } else {
            write!(f, "lines {a}–{b}: {}", self.what)
        }
    }
}

impl Block {
    /// An empty block whose first row starts at byte `at`, on line `line`.
    fn new(labels: Vec<String>, at: u64, line: u64) -> Block {
        Block {
            labels,
            bytes: Vec::new(),
            range: at..at,
            line,
            rows: 0,
            last: Default::default(),
            summary_rows: 0,
            replication_rows: 0,
            day_rows: 0,
            replications: 0,
            disordered: false,
            defect: None,
            current: None,
            in_current: 0,
            days_in_current: 0,
            per_replication: None,
            seq: Default::default(),
            current_line: line,
            first_seq: None,
            summary_seq: Fnv::default(),
            summary_line: 0,
            last_line: line,
            key_fields: Vec::new(),
        }
    }

    /// Whether the point has all its rows: it ends with a summary row, every scope and
    /// metric with a summary row (one each) has a row for every replication, and every
    /// replication has as many rows, and as many rows of the scopes without a summary row
    /// (`day:N`), as the first — the same scopes and metrics in the same order, which the
    /// summary rows repeat — and no row was found wrong ([`Block::defect`]). A point cut
    /// after a whole line fails this, whatever the scenario. Needs no scenario, so `merge`
    /// can check it.
    pub fn is_whole(&self) -> bool {
        // The last replication as long as the first (the others were compared as they ended).
        let last_as_long = self
            .per_replication
            .is_none_or(|n| n == (self.in_current, self.days_in_current));
        // Day rows are counted among the replication rows, so never more than them.
        let with_summary = self.replication_rows.saturating_sub(self.day_rows);
        !self.disordered
            && self.defect.is_none()
            && last_as_long
            && self.last.0.is_empty()
            && with_summary == self.summary_rows * self.replications
    }

    /// Records `what` at `lines` unless something was found before (the first is the one
    /// to report: later ones may follow from it).
    fn note(&mut self, lines: std::ops::RangeInclusive<u64>, what: impl FnOnce() -> String) {
        if self.defect.is_none() {
            self.defect = Some(Defect {
                lines,
                what: what(),
            });
        }
    }

    /// [`Block::note`] of rows out of the order a sweep writes them.
    fn disorder(&mut self, lines: std::ops::RangeInclusive<u64>, what: impl FnOnce() -> String) {
        self.disordered = true;
        self.note(lines, what);
    }

    /// The current replication has ended (the next one or the summary rows start): compares
    /// it with the first (or makes it the first). A replication of another length ended by
    /// the summary rows is left to [`Block::is_whole`] (a point cut short and pieced
    /// together looks the same); ended by the next replication, it is out of order.
    fn end_replication(&mut self, by_summary: bool) {
        let Some(c) = self.current else {
            return;
        };
        let lines = self.current_line..=self.last_line;
        let seq = std::mem::take(&mut self.seq);
        let counts = (self.in_current, self.days_in_current);
        let (Some(first_counts), Some((first_all, _, first_lines))) =
            (self.per_replication, self.first_seq.clone())
        else {
            self.per_replication = Some(counts);
            self.first_seq = Some((seq.0, seq.1, lines));
            return;
        };
        if counts != first_counts {
            if !by_summary {
                let n = self.in_current;
                self.disorder(lines, || {
                    format!(
                        "replication {c} has {n} rows where replication 0 has {} (lines {}–{})",
                        first_counts.0,
                        first_lines.start(),
                        first_lines.end()
                    )
                });
            }
        } else if seq.0 != first_all {
            self.disorder(lines, || {
                format!(
                    "replication {c}'s scopes and metrics differ from replication 0's (lines {}–{}): a row was renamed, moved or swapped",
                    first_lines.start(),
                    first_lines.end()
                )
            });
        }
    }

    /// The point's rows have all been counted: compares the summary rows with the first
    /// replication's rows of summarised scopes. Only when they are as many: fewer is a point
    /// cut short, which [`Block::is_whole`] reports.
    fn finish(&mut self) {
        let Some((_, first_summarised, first_lines)) = &self.first_seq else {
            return;
        };
        let Some((rows, days)) = self.per_replication else {
            return;
        };
        if self.summary_rows == rows - days && self.summary_seq != *first_summarised {
            let (a, b) = (*first_lines.start(), *first_lines.end());
            self.disorder(self.summary_line..=self.last_line, || {
                format!(
                    "the summary rows' scopes and metrics differ from replication 0's (lines {a}–{b}): a row was renamed, moved or swapped"
                )
            });
        }
    }

    /// Adds one row's accounting (its bytes go elsewhere); `line` is the row's line.
    fn count_row(&mut self, line: u64, replication: &str, scope: &str, metric: &str) {
        if replication.is_empty() {
            if self.summary_rows == 0 {
                self.end_replication(true);
                self.summary_line = line;
            }
            self.summary_rows += 1;
            self.summary_seq.str(scope);
            self.summary_seq.str(metric);
        } else {
            self.replication_rows += 1;
            let is_day = report::csv::replication_only(scope);
            let day = usize::from(is_day);
            self.day_rows += day;
            // Replication rows come before every summary row, numbered 0, 1, 2, … in runs
            // of equal length (and equal numbers of day rows).
            match (replication.parse::<usize>(), self.current) {
                _ if self.summary_rows > 0 => self.disorder(line..=line, || {
                    format!("a row of replication {replication} after the summary rows (the point's rows repeated?)")
                }),
                (Ok(r), Some(c)) if r == c => {
                    self.in_current += 1;
                    self.days_in_current += day;
                }
                (Ok(r), current) if r == current.map_or(0, |c| c + 1) => {
                    self.end_replication(false);
                    self.current = Some(r);
                    self.current_line = line;
                    self.in_current = 1;
                    self.days_in_current = day;
                }
                (Ok(r), current) => {
                    let wanted = current.map_or("0".to_string(), |c| format!("{c} or {}", c + 1));
                    self.disorder(line..=line, || {
                        format!("a row of replication {r} where replication {wanted} comes")
                    });
                }
                (Err(_), _) => self.disorder(line..=line, || {
                    format!("`replication` is `{replication}`, not a replication number")
                }),
            }
            self.seq.0.str(scope);
            self.seq.0.str(metric);
            if !is_day {
                self.seq.1.str(scope);
                self.seq.1.str(metric);
            }
            if let Ok(r) = replication.parse::<usize>() {
                self.replications = self.replications.max(r.saturating_add(1));
            }
        }
        self.rows += 1;
        self.last_line = line;
        // Reuses the strings' buffers: this runs once per row of files of gigabytes.
        for (to, from) in [
            (&mut self.last.0, replication),
            (&mut self.last.1, scope),
            (&mut self.last.2, metric),
        ] {
            to.clear();
            to.push_str(from);
        }
    }

    /// Whether the block has every row the scenario produces, ending with the summary row
    /// of the last scope's last metric.
    pub fn is_complete(&self, e: &Expected) -> bool {
        self.rows == e.rows
            && self.last.0.is_empty()
            && self.last.1 == e.last_scope
            && self.last.2 == e.last_metric
    }
}

/// The longest line (CSV record) a sweep CSV may have. A point's rows are short (names,
/// labels and a few numbers); a longer line is damage or another kind of file, refused
/// before it is buffered, so reading any input takes bounded memory.
pub const MAX_LINE: usize = 1 << 20;

/// Reads a sweep CSV one point at a time from any [`BufRead`]: the provenance line and header
/// when created, then each point's contiguous rows, handed to the caller row by row. Keeps
/// at most one row (≤ [`MAX_LINE`] bytes) in memory, whatever the input's size, so `merge`
/// and `--resume` stream files of gigabytes. A last line without its newline (a write cut
/// short by a kill) is not returned: see [`Scanner::torn`].
#[derive(Debug)]
pub struct Scanner<R> {
    reader: R,
    source: String,
    /// Offset of the next unread byte.
    pos: u64,
    /// Lines read so far.
    lines: u64,
    provenance: Option<Provenance>,
    header: Vec<u8>,
    keys: Vec<String>,
    /// The current record, with its newline.
    record: Vec<u8>,
    /// Its fields, unquoted, end to end in `text`, ending at `ends`.
    text: Vec<u8>,
    ends: Vec<usize>,
    /// The current record is a row not yet handed out: `(offset, line, point)`.
    ahead: Option<(u64, u64, u64)>,
    torn: bool,
}

impl<R: BufRead> Scanner<R> {
    /// Reads the provenance line (if the file starts with `#`) and the header, checking it is
    /// a sweep's; `source` names the input in messages.
    pub fn new(reader: R, source: &str) -> Result<Scanner<R>, SweepError> {
        let mut s = Scanner {
            reader,
            source: source.to_string(),
            pos: 0,
            lines: 0,
            provenance: None,
            header: Vec::new(),
            keys: Vec::new(),
            record: Vec::new(),
            text: Vec::new(),
            ends: Vec::new(),
            ahead: None,
            torn: false,
        };
        let no_header = |s: &Scanner<R>| {
            SweepError::input(if s.torn {
                format!("{source}: cut short before the end of its header (an interrupted write?): not a whole ccsim sweep CSV")
            } else {
                format!("{source}: empty file, no header")
            })
        };
        if s.read_record()?.is_none() {
            return Err(no_header(&s));
        }
        if s.record.starts_with(b"#") {
            let line = String::from_utf8_lossy(&s.record).into_owned();
            s.provenance = Some(Provenance::parse(&line).ok_or_else(|| {
                SweepError::input(format!(
                    "{source}: line 1: `{}` is not a ccsim sweep provenance line",
                    line.trim_end()
                ))
            })?);
            if s.read_record()?.is_none() {
                return Err(no_header(&s));
            }
        }
        // ccsim writes LF: a file with CRLF endings (an editor's or a transfer's doing) would
        // merge into a mix of both that no longer equals the unsharded file, and beside an
        // LF shard its header "differs" in an invisible character.
        if s.record.ends_with(b"\r\n") {
            return Err(SweepError::input(format!(
                "{source}: has Windows line endings (CRLF), not the LF ccsim writes: convert it back (e.g. `sed -i 's/\\r$//' {source}`)"
            )));
        }
        s.header.clone_from(&s.record);
        s.split();
        let cols = s.ends.len();
        let fixed = LEADING_COLUMNS.len() + TIDY_COLUMNS.len();
        let is = |s: &Scanner<R>, at: usize, name: &str| s.field(at) == name.as_bytes();
        if cols < fixed
            || !LEADING_COLUMNS
                .iter()
                .enumerate()
                .all(|(i, c)| is(&s, i, c))
            || !TIDY_COLUMNS
                .iter()
                .enumerate()
                .all(|(i, c)| is(&s, cols - TIDY_COLUMNS.len() + i, c))
        {
            return Err(SweepError::input(format!(
                "{source}: not a ccsim sweep CSV: the header must be {},KEYS…,{}",
                LEADING_COLUMNS.join(","),
                TIDY_COLUMNS.join(",")
            )));
        }
        s.keys = (LEADING_COLUMNS.len()..cols - TIDY_COLUMNS.len())
            .map(|i| String::from_utf8_lossy(s.field(i)).into_owned())
            .collect();
        Ok(s)
    }

    /// The provenance line, when the file has one (files written with `--output` do).
    pub fn provenance(&self) -> Option<&Provenance> {
        self.provenance.as_ref()
    }

    /// The header line, with its newline.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// The swept keys (the header's leading columns).
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Whether the input ended with a line cut short (no newline), which was dropped. Known
    /// once [`Scanner::next_point`] has returned `None`.
    pub fn torn(&self) -> bool {
        self.torn
    }

    /// The underlying reader (e.g. to seek back to a [`Block::range`]).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The next point's index and the line of its first row, without reading its rows;
    /// `None` at the end.
    pub fn peek(&mut self) -> Result<Option<(u64, u64)>, SweepError> {
        if self.ahead.is_none() {
            self.ahead = self.read_row()?;
        }
        Ok(self.ahead.map(|(_, line, point)| (point, line)))
    }

    /// Reads the next point's rows (one contiguous run of rows with the same `point`), giving
    /// each row's bytes (with its newline) to `row` as it is read; returns the point's
    /// accounting (with empty `bytes`), or `None` at the end. A point whose rows are split in
    /// two runs comes back twice: callers that need each point once check that.
    pub fn next_point(
        &mut self,
        row: &mut dyn FnMut(&[u8]) -> Result<(), SweepError>,
    ) -> Result<Option<(u64, Block)>, SweepError> {
        self.peek()?;
        let Some((at, line, point)) = self.ahead.take() else {
            return Ok(None);
        };
        let (first_key, rep) = self.columns();
        let labels = (first_key..rep)
            .map(|i| String::from_utf8_lossy(self.field(i)).into_owned())
            .collect();
        let mut block = Block::new(labels, at, line);
        block.key_fields = std::iter::once(0)
            .chain(first_key..rep)
            .map(|i| self.field(i).to_vec())
            .collect();
        let mut row_line = line;
        loop {
            row(&self.record)?;
            self.check_row(&mut block, row_line);
            let text = |i: usize| String::from_utf8_lossy(self.field(i));
            block.count_row(row_line, &text(rep), &text(rep + 1), &text(rep + 2));
            block.range.end = self.pos;
            match self.read_row()? {
                Some(next) if next.2 == point => row_line = next.1,
                next => {
                    self.ahead = next;
                    block.finish();
                    return Ok(Some((point, block)));
                }
            }
        }
    }

    /// Checks the current row's fields that need no other row: its scenario and swept
    /// values are the point's first row's (a sweep writes them on every row of a point),
    /// and its number columns are numbers or empty — the statistics in summary rows only,
    /// `value` in replication rows only, as the writer puts them. Anything else is noted in
    /// `block` (the first thing found is kept).
    fn check_row(&self, block: &mut Block, line: u64) {
        if block.defect.is_some() {
            return;
        }
        let (first_key, rep) = self.columns();
        let columns = std::iter::once(0).chain(first_key..rep);
        for (k, i) in columns.enumerate() {
            let Some(first) = block.key_fields.get(k) else {
                continue;
            };
            if self.field(i) != &first[..] {
                let name = if i == 0 {
                    LEADING_COLUMNS[0]
                } else {
                    self.keys.get(i - first_key).map_or("?", String::as_str)
                };
                let (now, then) = (
                    String::from_utf8_lossy(self.field(i)),
                    String::from_utf8_lossy(first).into_owned(),
                );
                let start = block.line;
                block.note(line..=line, || {
                    format!(
                        "`{name}` is `{now}`, but `{then}` in the point's first row (line {start})"
                    )
                });
                return;
            }
        }
        let summary = self.field(rep).is_empty();
        // `value`, `mean`, `ci95_lo`, `ci95_hi`: the columns after `metric`.
        for (c, name) in TIDY_COLUMNS.iter().enumerate().skip(3) {
            let field = self.field(rep + c);
            if field.is_empty() {
                continue;
            }
            // What the writer emits for any f64 (`NaN`, `inf` included) parses back.
            let number = std::str::from_utf8(field)
                .ok()
                .is_some_and(|t| t.parse::<f64>().is_ok());
            let text = String::from_utf8_lossy(field);
            if !number {
                block.note(line..=line, || {
                    format!("`{name}` is `{text}`, not a number")
                });
                return;
            }
            if summary == (c == 3) {
                let kind = if summary {
                    "a summary"
                } else {
                    "a replication"
                };
                block.note(line..=line, || {
                    format!("`{name}` is filled (`{text}`) in {kind} row: replication rows fill `value` only, summary rows the statistics only")
                });
                return;
            }
        }
    }

    /// Field positions: the first key's, and `replication`'s (scope and metric follow).
    fn columns(&self) -> (usize, usize) {
        let first_key = LEADING_COLUMNS.len();
        (first_key, first_key + self.keys.len())
    }

    /// Field `i` of the current record, unquoted.
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn bad(&self, line: u64, why: String) -> SweepError {
        SweepError::input(format!("{}: line {line}: {why}", self.source))
    }

    /// Reads and checks the next row: `(offset, line, point)`, `None` at the end.
    fn read_row(&mut self) -> Result<Option<(u64, u64, u64)>, SweepError> {
        let Some((at, line)) = self.read_record()? else {
            return Ok(None);
        };
        self.split();
        let cols = self.keys.len() + LEADING_COLUMNS.len() + TIDY_COLUMNS.len();
        if self.ends.len() != cols {
            return Err(self.bad(
                line,
                format!("{} fields, the header has {cols}", self.ends.len()),
            ));
        }
        let point = String::from_utf8_lossy(self.field(1));
        let point = point
            .parse()
            .map_err(|_| self.bad(line, format!("point `{point}` is not a number")))?;
        Ok(Some((at, line, point)))
    }

    /// Reads the next non-blank record (lines joined while a quote is open) into `record`:
    /// `(offset, line)`; `None` at the end, with `torn` set when the input ended without a
    /// newline. Refuses a record longer than [`MAX_LINE`] before holding more of it.
    fn read_record(&mut self) -> Result<Option<(u64, u64)>, SweepError> {
        loop {
            self.record.clear();
            let at = self.pos;
            let line = self.lines + 1;
            let mut quoted = false;
            loop {
                let buf = match self.reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(SweepError::input(format!(
                            "{}: cannot read: {e}",
                            self.source
                        )))
                    }
                };
                if buf.is_empty() {
                    // Sticky: reading again at the end must not forget it.
                    self.torn |= !self.record.is_empty();
                    self.record.clear();
                    return Ok(None);
                }
                let mut end = None;
                for (i, &b) in buf.iter().enumerate() {
                    if b == b'"' {
                        quoted = !quoted;
                    } else if b == b'\n' {
                        self.lines += 1;
                        if !quoted {
                            end = Some(i + 1);
                            break;
                        }
                    }
                }
                let take = end.unwrap_or(buf.len());
                if self.record.len() + take > MAX_LINE {
                    return Err(self.bad(
                        line,
                        format!(
                            "longer than {} MiB: not a row of a ccsim sweep CSV (the file is damaged or not a sweep's)",
                            MAX_LINE >> 20
                        ),
                    ));
                }
                self.record.extend_from_slice(&buf[..take]);
                self.reader.consume(take);
                self.pos += take as u64;
                if end.is_some() {
                    break;
                }
            }
            // Blank lines are skipped, as CSV readers do.
            if !matches!(&self.record[..], b"\n" | b"\r\n") {
                return Ok(Some((at, line)));
            }
        }
    }

    /// Splits `record` into fields (RFC 4180 quoting; a quote inside an unquoted field is
    /// literal, as the `csv` crate reads it).
    fn split(&mut self) {
        let r = &self.record[..];
        let r = r.strip_suffix(b"\n").unwrap_or(r);
        let r = r.strip_suffix(b"\r").unwrap_or(r);
        self.text.clear();
        self.ends.clear();
        let mut i = 0;
        loop {
            if r.get(i) == Some(&b'"') {
                i += 1;
                while i < r.len() {
                    if r[i] == b'"' {
                        if r.get(i + 1) == Some(&b'"') {
                            self.text.push(b'"');
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    } else {
                        self.text.push(r[i]);
                        i += 1;
                    }
                }
            }
            while i < r.len() && r[i] != b',' {
                self.text.push(r[i]);
                i += 1;
            }
            self.ends.push(self.text.len());
            if i >= r.len() {
                break;
            }
            i += 1;
        }
    }
}

/// A sweep CSV read into blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCsv {
    /// The provenance line, when the file has one (files written with `--output` do).
    pub provenance: Option<Provenance>,
    /// The header line, with its newline.
    pub header: Vec<u8>,
    /// The swept keys (the header's leading columns).
    pub keys: Vec<String>,
    /// Each point's rows, by point index.
    pub blocks: BTreeMap<u64, Block>,
}

impl SweepCsv {
    /// Parses a sweep CSV held in memory (the whole-output path; files go through a
    /// [`Scanner`]), with or without a provenance line. A point whose rows are not
    /// contiguous, a malformed row, or a last line without its newline is an error naming
    /// `source` and the line.
    pub fn parse(text: &[u8], source: &str) -> Result<SweepCsv, SweepError> {
        let mut scan = Scanner::new(text, source)?;
        let mut blocks: BTreeMap<u64, Block> = BTreeMap::new();
        let mut bytes = Vec::new();
        while let Some((point, mut block)) = scan.next_point(&mut |row| {
            bytes.extend_from_slice(row);
            Ok(())
        })? {
            if blocks.contains_key(&point) {
                return Err(scan.bad(
                    block.line,
                    format!("point {point} appears twice (its rows are not together)"),
                ));
            }
            block.bytes = std::mem::take(&mut bytes);
            blocks.insert(point, block);
        }
        if scan.torn() {
            return Err(SweepError::input(format!(
                "{source}: the last line is cut short (no newline at the end)"
            )));
        }
        Ok(SweepCsv {
            provenance: scan.provenance,
            header: scan.header,
            keys: scan.keys,
            blocks,
        })
    }

    /// Provenance line (if any), header, then every block in point order.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = self
            .provenance
            .as_ref()
            .map(Provenance::line)
            .unwrap_or_default();
        out.extend_from_slice(&self.header);
        for b in self.blocks.values() {
            out.extend_from_slice(&b.bytes);
        }
        out
    }
}

/// Drops a last line that has no newline (a write cut short by a kill): returns the text up
/// to and including the last newline, and whether anything was dropped.
pub fn drop_torn_line(text: &[u8]) -> (&[u8], bool) {
    match text.iter().rposition(|&b| b == b'\n') {
        Some(i) if i + 1 == text.len() => (text, false),
        Some(i) => (&text[..=i], true),
        None => (&text[..0], !text.is_empty()),
    }
}

/// One shard file being merged.
struct Source<R> {
    name: String,
    scan: Scanner<R>,
    shard: Shard,
    /// The last point taken from it.
    last: Option<u64>,
    /// The next point of its shard it should hold.
    expected: u64,
    /// Points of its shard it lacks: the first few (messages) and how many.
    missing: Vec<u64>,
    missing_count: u64,
}

impl<R> Source<R> {
    /// Notes the points of its shard from `expected` up to (not including) `upto` as
    /// missing.
    fn lacks(&mut self, upto: u64) {
        let step = self.shard.count;
        if upto > self.expected {
            let n = (upto - self.expected).div_ceil(step);
            for k in 0..n.min(8) {
                if self.missing.len() < 8 {
                    self.missing.push(self.expected + k * step);
                }
            }
            self.missing_count += n;
        }
    }
}

/// Merges the files of one sweep's shards into the unsharded run's file, written to `out`:
/// byte-identical to the file the unsharded run writes (`status=complete`, no shard, points
/// ascending, each point's rows as read). Checks, naming the file at fault (exit code 2 in
/// the CLI): every file written by `ccsim sweep --output` (a provenance line) and finished
/// (`status=complete`); all from one sweep (same provenance but the shard, same header);
/// every shard of the grid present, each holding exactly its points, whole (in order, with
/// the same scopes and metrics in every replication and the summary rows, its scenario and
/// swept values on every row, numbers where numbers go: [`Block::is_whole`]), each point in
/// one file only; no line cut short. Errors in a point name the line(s). On an error part of the output may have been written:
/// the caller discards it (the CLI writes through a temp file).
///
/// Streams: each input is read once, in order, through its reader (a k-way merge by point
/// index; the points of a finished file are ascending), and each row is written to `out` as
/// it is read, so memory holds one row per input whatever the files' size. A file whose
/// points are not ascending (edited) is refused, with the command that rewrites it in
/// order. `stop` is polled between points: when it turns true the merge returns `Ok(false)`
/// (output incomplete); `Ok(true)` when done.
pub fn merge<R: BufRead>(
    inputs: Vec<(String, R)>,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
) -> Result<bool, SweepError> {
    let fail = |m: String| Err(SweepError::input(m));
    let mut sources: Vec<Source<R>> = Vec::with_capacity(inputs.len());
    for (name, reader) in inputs {
        let scan = Scanner::new(reader, &name)?;
        let Some(prov) = scan.provenance() else {
            return fail(format!(
                "{name}: no `{}` line: not a file written by `ccsim sweep --output` of this version, so it cannot be checked",
                PROVENANCE_PREFIX.trim_end()
            ));
        };
        if !prov.complete {
            return fail(format!(
                "{name}: unfinished (status=partial: the sweep was interrupted or is still running): finish it with the same `ccsim sweep … --output {name} --resume` first"
            ));
        }
        let shard = prov.shard.unwrap_or(Shard::ALL);
        if let Some(first) = sources.first() {
            let p = first.scan.provenance().expect("checked");
            if let Some(why) = prov.difference(p) {
                return fail(format!(
                    "{name}: not the same sweep as {}: {why}",
                    first.name
                ));
            }
            if shard.count != first.shard.count {
                return fail(format!(
                    "{name}: not the same sweep as {}: split into {} shards where {} has {}",
                    first.name, shard.count, first.name, first.shard.count
                ));
            }
            if scan.header() != first.scan.header() {
                return fail(format!(
                    "{name}: its columns ({}) differ from {}'s ({}): not the same sweep",
                    String::from_utf8_lossy(scan.header()).trim_end(),
                    first.name,
                    String::from_utf8_lossy(first.scan.header()).trim_end()
                ));
            }
        }
        sources.push(Source {
            name,
            scan,
            shard,
            last: None,
            expected: shard.index,
            missing: Vec::new(),
            missing_count: 0,
        });
    }
    let Some(first) = sources.first() else {
        return fail("merge: no input files".to_string());
    };
    let mut prov = first.scan.provenance().expect("checked").clone();
    let count = first.shard.count;
    let total = prov.points;
    let replications = prov.replications;
    // By the path the key addresses: `simulation. replications` is swept replications too.
    let swept_replications = first
        .scan
        .keys()
        .iter()
        .any(|k| super::grid::normal_key(k) == super::grid::REPLICATIONS_KEY);
    let write_err = SweepError::io("cannot write the merged file");
    prov.shard = None;
    prov.complete = true;
    out.write_all(&prov.line())
        .and_then(|()| out.write_all(first.scan.header()))
        .map_err(write_err)?;
    // Next point of each input, smallest first (ties: the earlier argument first, so a
    // point in two files is reported as "in both FIRST and SECOND").
    let mut heap = std::collections::BinaryHeap::new();
    for (i, s) in sources.iter_mut().enumerate() {
        if let Some((p, _)) = s.scan.peek()? {
            heap.push(std::cmp::Reverse((p, i)));
        }
    }
    let mut previous: Option<(u64, usize)> = None;
    while let Some(std::cmp::Reverse((point, i))) = heap.pop() {
        if stop() {
            return Ok(false);
        }
        if let Some((q, j)) = previous {
            if q == point {
                return fail(format!(
                    "point {point} is in both {} and {}: were shards run twice?",
                    sources[j].name, sources[i].name
                ));
            }
        }
        let s = &mut sources[i];
        if point >= total || !s.shard.contains(point) {
            return fail(format!(
                "{}: has point {point}, which is not in {} of a {total}-point grid: the file was edited or mixed",
                s.name,
                shard_name(s.shard),
            ));
        }
        s.lacks(point);
        let (_, b) = s
            .scan
            .next_point(&mut |row| {
                out.write_all(row)
                    .map_err(SweepError::io("cannot write the merged file"))
            })?
            .expect("peeked");
        // A torn last line belongs to this point: that, not the point, is what to report.
        let next = s.scan.peek()?;
        if next.is_none() && s.scan.torn() {
            return fail(format!(
                "{}: the last line is cut short (an interrupted run?): finish it with `ccsim sweep … --resume` first",
                s.name
            ));
        }
        if let Some(d) = &b.defect {
            let Defect { lines, what } = d;
            let at = Defect {
                lines: lines.clone(),
                what: if b.disordered {
                    format!("point {point}'s rows are not in the order a sweep writes them: {what}")
                } else {
                    format!("point {point}: {what}: the file was edited")
                },
            };
            return fail(format!("{}: {at}; rerun that shard", s.name));
        }
        // Every point runs the sweep's replications, unless they are one of its keys.
        if !swept_replications && b.replications as u64 != replications && b.is_whole() {
            return fail(format!(
                "{}: point {point} has {} replication(s), but the sweep ran {replications} per point: rows were removed or added; rerun that shard",
                s.name, b.replications
            ));
        }
        if !b.is_whole() {
            // Day rows (a program's) have no summary rows: counted apart.
            let days = if b.day_rows > 0 {
                format!(" and {} of day scopes", b.day_rows)
            } else {
                String::new()
            };
            return fail(format!(
                "{}: point {point} is not whole ({} replication rows{days} for {} scopes and metrics × {} replications, ending {}): the file was cut or edited; rerun that shard",
                s.name, b.replication_rows.saturating_sub(b.day_rows), b.summary_rows, b.replications,
                if b.last.0.is_empty() { "with a summary row" } else { "before the summary rows" }
            ));
        }
        s.last = Some(point);
        s.expected = point + s.shard.count;
        previous = Some((point, i));
        match next {
            Some((next, line)) if next <= point => {
                return fail(format!(
                    "{}: line {line}: point {next} comes after point {point}: a finished sweep file has its points in ascending order, so this one was edited or pieced together; rewrite it in order with the same `ccsim sweep … --output {} --resume` (it reruns no finished point)",
                    s.name, s.name
                ));
            }
            Some((next, _)) => heap.push(std::cmp::Reverse((next, i))),
            None => {}
        }
    }
    for s in &mut sources {
        // Inputs with no rows at all have not been read to their end yet.
        if s.scan.peek()?.is_none() && s.scan.torn() {
            return fail(format!(
                "{}: the last line is cut short (an interrupted run?): finish it with `ccsim sweep … --resume` first",
                s.name
            ));
        }
        s.lacks(total);
    }
    if let Some(s) = sources.iter().find(|s| s.missing_count > 0) {
        return fail(format!(
            "{} ({}): {} the file was cut or edited; rerun that shard",
            s.name,
            shard_name(s.shard),
            if s.missing_count == 1 {
                format!("point {} is missing:", list_of(&s.missing, 1))
            } else {
                format!(
                    "points {} are missing:",
                    list_of(&s.missing, s.missing_count)
                )
            }
        ));
    }
    // Checked last: a wrong point in a file that is there is the more precise message.
    let absent: Vec<u64> = (0..count)
        .filter(|&i| !sources.iter().any(|s| s.shard.index == i))
        .collect();
    if let Some(&i) = absent.first() {
        let points: Vec<u64> = (i..total).step_by(count as usize).take(9).collect();
        let all = (total.saturating_sub(i)).div_ceil(count);
        // A shard of more shards than points has none, but still writes its (header-only)
        // file: "points " with an empty list said nothing.
        let holds = match all {
            0 => format!("it has no points of the {total}-point grid, but its file, header only, is still needed"),
            1 => format!("point {}", list_of(&points, all)),
            _ => format!("points {}", list_of(&points, all)),
        };
        return fail(format!(
            "shard {i}/{count} is missing ({holds}){}: merge needs the files of all {count} shards",
            if absent.len() > 1 {
                format!(", and {} more shard(s)", absent.len() - 1)
            } else {
                String::new()
            }
        ));
    }
    Ok(true)
}

fn shard_name(s: Shard) -> String {
    if s == Shard::ALL {
        "the whole grid".into()
    } else {
        format!("shard {}/{}", s.index, s.count)
    }
}

/// `a, b, c, … (n in all)` for messages: the first few of `all` points.
fn list_of(points: &[u64], all: u64) -> String {
    let shown: Vec<String> = points.iter().take(8).map(u64::to_string).collect();
    if all > shown.len() as u64 {
        format!("{}, … ({all} in all)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n\
        s,3,\"[1, 2]\",0,overall,offered,5,,,\n\
        s,3,\"[1, 2]\",,overall,offered,,5,4,6\n\
        s,1,x,0,overall,offered,4,,,\n";

    fn prov(points: u64, shard: Option<Shard>) -> Provenance {
        Provenance {
            complete: true,
            version: "0.1.0".into(),
            points,
            replications: 1,
            seed: 7,
            crn: false,
            scenario: "fnv1a64:00".into(),
            grid: "fnv1a64:01".into(),
            shard,
        }
    }

    fn with(p: &Provenance, body: &str) -> Vec<u8> {
        let mut v = p.line();
        v.extend_from_slice(body.as_bytes());
        v
    }

    fn shard(index: u64, count: u64) -> Option<Shard> {
        Some(Shard { index, count })
    }

    /// [`merge`] of in-memory files, through readers with tiny buffers (so rows straddle
    /// buffer boundaries), returning the output.
    fn merged(inputs: &[(String, Vec<u8>)]) -> Result<Vec<u8>, SweepError> {
        let readers = inputs
            .iter()
            .map(|(n, t)| (n.clone(), std::io::BufReader::with_capacity(7, &t[..])))
            .collect();
        let mut out = Vec::new();
        assert!(merge(readers, &mut out, &|| false)?);
        Ok(out)
    }

    /// Shard files of a `points`-point grid in `count` shards, one replication per point.
    fn shard_body(points: &[u64]) -> String {
        let mut s =
            String::from("scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n");
        for p in points {
            s.push_str(&format!(
                "s,{p},\"v,\"\"{p}\"\"\",0,overall,offered,1,,,\ns,{p},\"v,\"\"{p}\"\"\",,overall,offered,,1,1,1\n"
            ));
        }
        s
    }

    /// Regression (issue 11, point 5): merge accepted a point whose rows were there twice
    /// (the ratio of replication rows to summary rows was right) or lacked a whole
    /// replication, and CRLF files, writing a "complete" file that was not the sweep's.
    #[test]
    fn merge_refuses_repeated_rows_missing_replications_and_crlf() {
        let header = "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n";
        let rep = |r: u32, m: &str| format!("s,0,x,{r},overall,{m},1,,,\n");
        let summary = |m: &str| format!("s,0,x,,overall,{m},,1,1,1\n");
        let point = |reps: &[u32]| {
            let mut t = String::new();
            for &r in reps {
                t += &rep(r, "offered");
                t += &rep(r, "answered");
            }
            t + &summary("offered") + &summary("answered")
        };
        let mut p = prov(1, None);
        p.replications = 3;
        let file = |body: String| vec![("f".to_string(), with(&p, &format!("{header}{body}")))];
        assert!(merged(&file(point(&[0, 1, 2]))).is_ok());
        let twice = point(&[0, 1, 2]).repeat(2);
        let err = merged(&file(twice)).unwrap_err().to_string();
        assert!(err.contains("point 0's rows are not in the order"), "{err}");
        let err = merged(&file(point(&[0, 1]))).unwrap_err().to_string();
        assert!(
            err.contains("has 2 replication(s), but the sweep ran 3"),
            "{err}"
        );
        let err = merged(&file(point(&[0, 2, 1]))).unwrap_err().to_string();
        assert!(err.contains("not in the order"), "{err}");
        // A replication with a row fewer, made up by one more elsewhere.
        let uneven =
            rep(0, "offered") + &rep(1, "offered") + &rep(1, "answered") + &point(&[2])[..];
        let err = merged(&file(uneven)).unwrap_err().to_string();
        assert!(err.contains("not in the order"), "{err}");
        // Replications of 4, 4 and 1 rows under 3 summaries: 9 = 3 × 3 rows, not whole.
        let rows = |r: u32, n: usize| (0..n).map(|i| rep(r, &format!("m{i}"))).collect::<String>();
        let short_last = rows(0, 4)
            + &rows(1, 4)
            + &rows(2, 1)
            + &summary("m0")
            + &summary("m1")
            + &summary("m2");
        let err = merged(&file(short_last)).unwrap_err().to_string();
        assert!(err.contains("is not whole"), "{err}");
        let crlf = with(
            &p,
            &format!("{header}{}", point(&[0, 1, 2])).replace('\n', "\r\n"),
        );
        let err = merged(&[("c".into(), crlf)]).unwrap_err().to_string();
        assert!(err.contains("c: has Windows line endings (CRLF)"), "{err}");
    }

    /// Regression: merge checked a point's row counts and last row only, so a metric or
    /// scope renamed, two rows swapped, a value that is no number, or another scenario or
    /// swept value in one row merged into a "complete" file. Each is refused naming the file
    /// and the line (or the replication's lines, when only its whole sequence of scopes and
    /// metrics can be compared without keeping its rows), and the point is not whole (so
    /// `--resume` reruns it). What the writer emits for undefined or infinite values passes.
    #[test]
    fn merge_refuses_edited_rows_naming_the_line() {
        let header = "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n";
        let names = [
            ("overall", "offered"),
            ("overall", "answered"),
            ("call_type:x", "offered"),
        ];
        // Lines: 1 provenance, 2 header, then replication r's rows at 3 + 3r…, the summary
        // rows at 12…14.
        let mut rows: Vec<String> = Vec::new();
        for r in 0..3 {
            for (scope, metric) in names {
                rows.push(format!("s,0,x,{r},{scope},{metric},1,,,"));
            }
        }
        for (scope, metric) in names {
            rows.push(format!("s,0,x,,{scope},{metric},,1,1,1"));
        }
        let mut p = prov(1, None);
        p.replications = 3;
        let file = |rows: &[String]| {
            let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
            with(&p, &format!("{header}{body}"))
        };
        assert!(merged(&[("f".into(), file(&rows))]).is_ok());
        // Undefined values are empty; NaN and infinities are written as Rust prints them.
        let mut odd = rows.clone();
        odd[0] = "s,0,x,0,overall,offered,NaN,,,".into();
        odd[1] = "s,0,x,0,overall,answered,,,,".into();
        odd[9] = "s,0,x,,overall,offered,,inf,-inf,".into();
        assert!(merged(&[("f".into(), file(&odd))]).is_ok());
        let cases: [(&str, usize, &str, &str); 9] = [
            // (edit, row index, new row, what the message says)
            (
                "metric",
                4,
                "s,0,x,1,overall,answered_x,1,,,",
                "lines 6–8: point 0's rows are not in the order",
            ),
            (
                "scope",
                10,
                "s,0,x,,overall_x,answered,,1,1,1",
                "lines 12–14: point 0's rows are not in the order",
            ),
            (
                "nan",
                2,
                "s,0,x,0,call_type:x,offered,NaNxyz,,,",
                "line 5: point 0: `value` is `NaNxyz`, not a number",
            ),
            (
                "abc",
                5,
                "s,0,x,1,call_type:x,offered,abc,,,",
                "line 8: point 0: `value` is `abc`",
            ),
            (
                "mean",
                11,
                "s,0,x,,call_type:x,offered,,1,x1,1",
                "line 14: point 0: `ci95_lo` is `x1`",
            ),
            (
                "stat",
                3,
                "s,0,x,1,overall,offered,1,2,,",
                "line 6: point 0: `mean` is filled",
            ),
            (
                "scenario",
                7,
                "t,0,x,2,overall,answered,1,,,",
                "line 10: point 0: `scenario` is `t`, but `s` in the point's first row (line 3)",
            ),
            (
                "label",
                8,
                "s,0,y,2,call_type:x,offered,1,,,",
                "line 11: point 0: `k` is `y`",
            ),
            (
                "replication",
                6,
                "s,0,x,two,overall,offered,1,,,",
                "line 9: point 0's rows are not in the order",
            ),
        ];
        for (name, i, row, says) in cases {
            let mut edited = rows.clone();
            edited[i] = row.to_string();
            let e = merged(&[("f".into(), file(&edited))])
                .unwrap_err()
                .to_string();
            assert!(e.contains(&format!("f: {says}")), "{name}: {e}");
            let text = file(&edited);
            let block = &SweepCsv::parse(&text, "t").unwrap().blocks[&0];
            assert!(!block.is_whole(), "{name}: whole");
        }
        // Two adjacent rows swapped within the last replication: its lines named.
        let mut swapped = rows.clone();
        swapped.swap(7, 8);
        let e = merged(&[("f".into(), file(&swapped))])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("f: lines 9–11: point 0's rows are not in the order"),
            "{e}"
        );
        assert!(e.contains("replication 2's scopes and metrics"), "{e}");
    }

    #[test]
    fn parses_blocks_and_sorts() {
        let f = SweepCsv::parse(TEXT.as_bytes(), "t").unwrap();
        assert_eq!(f.keys, vec!["k"]);
        assert_eq!(f.provenance, None);
        assert_eq!(f.blocks[&3].rows, 2);
        assert_eq!(f.blocks[&3].labels, vec!["[1, 2]"]);
        let canon = String::from_utf8(f.canonical()).unwrap();
        assert!(canon.starts_with(
            "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\ns,1,x,"
        ));
        // Points 1 and 3 of a 4-point grid in 2 shards: shard 1/2 holds both (point 1 made
        // whole with its summary row).
        let whole = format!("{TEXT}s,1,x,,overall,offered,,4,4,4\n");
        let canon =
            String::from_utf8(SweepCsv::parse(whole.as_bytes(), "t").unwrap().canonical()).unwrap();
        let p = prov(4, shard(1, 2));
        let merged_alone = merged(&[("a".into(), with(&p, &canon))]);
        assert!(merged_alone
            .unwrap_err()
            .to_string()
            .contains("shard 0/2 is missing"));
        let zero = with(
            &prov(4, shard(0, 2)),
            "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n",
        );
        let zero_missing = merged(&[("z".into(), zero.clone()), ("a".into(), with(&p, &canon))]);
        assert!(
            zero_missing
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("z (shard 0/2): points 0, 2 are missing"),
            "{zero_missing:?}"
        );
    }

    /// Marking a file complete in place: the complete status written over a partial line
    /// gives exactly the complete line (same length, nothing moves); and the older word for
    /// a partial file, `unfinished`, still reads as one.
    #[test]
    fn the_complete_status_overwrites_the_partial_one_in_place() {
        for p in [prov(36, None), prov(36, shard(2, 5))] {
            let mut partial = p.clone();
            partial.complete = false;
            let mut line = partial.line();
            assert_eq!(
                &line[..STATUS_OFFSET],
                format!("{PROVENANCE_PREFIX}status=").as_bytes()
            );
            let mut complete = partial.clone();
            complete.complete = true;
            assert_eq!(line.len(), complete.line().len());
            line[STATUS_OFFSET..STATUS_OFFSET + STATUS_COMPLETE_BYTES.len()]
                .copy_from_slice(STATUS_COMPLETE_BYTES);
            assert_eq!(line, complete.line());
            let partial_text = String::from_utf8(partial.line()).unwrap();
            assert!(partial_text.contains("status=partial  version="));
            assert_eq!(Provenance::parse(&partial_text), Some(partial.clone()));
            let legacy = partial_text.replacen("status=partial ", "status=unfinished", 1);
            assert_eq!(Provenance::parse(&legacy), Some(partial));
        }
    }

    #[test]
    fn provenance_round_trips() {
        for p in [prov(36, None), prov(36, shard(2, 5))] {
            let line = String::from_utf8(p.line()).unwrap();
            assert!(line.starts_with(PROVENANCE_PREFIX) && line.ends_with('\n'));
            assert_eq!(Provenance::parse(&line), Some(p.clone()));
            let f = SweepCsv::parse(&with(&p, TEXT), "t").unwrap();
            assert_eq!(f.provenance, Some(p.clone()));
            assert_eq!(
                f.canonical(),
                with(
                    &p,
                    &String::from_utf8(SweepCsv::parse(TEXT.as_bytes(), "t").unwrap().canonical())
                        .unwrap()
                )
            );
        }
        assert_eq!(Provenance::parse("# something else"), None);
        let mut other = prov(36, None);
        other.replications = 5;
        assert!(prov(36, None)
            .difference(&other)
            .unwrap()
            .contains("replications"));
        other = prov(36, None);
        other.scenario = "fnv1a64:ff".into();
        assert!(prov(36, None)
            .difference(&other)
            .unwrap()
            .contains("scenario"));
        assert_eq!(prov(36, None).difference(&prov(36, shard(0, 2))), None);
    }

    #[test]
    fn merge_checks_shards_points_and_status() {
        let body = |points: &[u64]| {
            let mut s = String::from(
                "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n",
            );
            for p in points {
                s.push_str(&format!(
                    "s,{p},v,0,overall,offered,1,,,\ns,{p},v,,overall,offered,,1,1,1\n"
                ));
            }
            s
        };
        let a = with(&prov(4, shard(0, 2)), &body(&[0, 2]));
        let b = with(&prov(4, shard(1, 2)), &body(&[1, 3]));
        let whole = with(&prov(4, None), &body(&[0, 1, 2, 3]));
        assert_eq!(
            merged(&[("b".into(), b.clone()), ("a".into(), a.clone())]).unwrap(),
            whole
        );
        // Unfinished, or without provenance: refused.
        let mut unfinished = prov(4, shard(1, 2));
        unfinished.complete = false;
        let e = merged(&[
            ("a".into(), a.clone()),
            ("u".into(), with(&unfinished, &body(&[1, 3]))),
        ]);
        assert!(e.unwrap_err().to_string().contains("u: unfinished"));
        let e = merged(&[("plain".into(), body(&[0, 1, 2, 3]).into_bytes())]);
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("plain: no `# ccsim sweep:` line"));
        // A point of another shard, or beyond the grid.
        let e = merged(&[("a".into(), with(&prov(4, shard(0, 2)), &body(&[0, 1, 2])))]);
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("has point 1, which is not in shard 0/2"));
        // Another sweep.
        let mut seeded = prov(4, shard(1, 2));
        seeded.seed = 8;
        let e = merged(&[
            ("a".into(), a.clone()),
            ("s".into(), with(&seeded, &body(&[1, 3]))),
        ]);
        let e = e.unwrap_err().to_string();
        assert!(e.contains("s: not the same sweep as a: seed 8"), "{e}");
        // Torn last line, duplicate points.
        let torn = &b[..b.len() - 3];
        assert!(merged(&[("a".into(), a.clone()), ("t".into(), torn.to_vec())]).is_err());
        let e = merged(&[("a".into(), a.clone()), ("a2".into(), a.clone())]);
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("point 0 is in both a and a2"));
    }

    #[test]
    fn a_point_cut_at_a_line_end_is_not_whole() {
        let rows = "s,0,v,0,overall,offered,1,,,\ns,0,v,0,overall,answered,1,,,\n\
                    s,0,v,,overall,offered,,1,1,1\ns,0,v,,overall,answered,,1,1,1\n";
        let text =
            format!("scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n{rows}");
        let f = SweepCsv::parse(text.as_bytes(), "t").unwrap();
        assert!(f.blocks[&0].is_whole());
        let cut = &text[..text.len() - "s,0,v,,overall,answered,,1,1,1\n".len()];
        let f = SweepCsv::parse(cut.as_bytes(), "t").unwrap();
        assert!(!f.blocks[&0].is_whole());
    }

    #[test]
    fn rejects_duplicates_and_torn_lines() {
        let dup = format!("{TEXT}s,3,\"[1, 2]\",1,overall,offered,5,,,\n");
        assert!(SweepCsv::parse(dup.as_bytes(), "t").is_err());
        let torn = &TEXT.as_bytes()[..TEXT.len() - 3];
        assert_eq!(
            drop_torn_line(torn).0.len(),
            TEXT.len() - "s,1,x,0,overall,offered,4,,,\n".len()
        );
        assert!(merged(&[("a".into(), torn.to_vec())]).is_err());
        let bad = with(&prov(4, None), "not,a,sweep\n");
        assert!(SweepCsv::parse(&bad, "t")
            .unwrap_err()
            .to_string()
            .contains("t: not a ccsim sweep CSV"));
    }

    /// Merge streams: the inputs are readers and each row goes to the output as it is read.
    /// A scanner over a file of many points never buffers more than one row.
    #[test]
    fn merge_streams_readers_holding_one_row() {
        let points: Vec<u64> = (0..20_000).collect();
        let body = shard_body(&points);
        let file = with(&prov(20_000, None), &body);
        let mut scan = Scanner::new(&file[..], "big").unwrap();
        let mut n = 0;
        let mut rows = 0;
        while let Some((p, b)) = scan
            .next_point(&mut |_| {
                rows += 1;
                Ok(())
            })
            .unwrap()
        {
            assert_eq!(
                (p, b.rows, b.labels.clone()),
                (n, 2, vec![format!("v,\"{n}\"")])
            );
            assert!(b.is_whole());
            n += 1;
        }
        assert_eq!((n, rows), (20_000, 40_000));
        assert!(file.len() > 1 << 20);
        assert!(
            scan.record.capacity() < 4096 && scan.text.capacity() < 4096,
            "one row at a time"
        );
        // Three shards, streamed through 7-byte buffers: the whole file, byte for byte.
        let parts: Vec<(String, Vec<u8>)> = (0..3)
            .map(|i| {
                let mine: Vec<u64> = (i..30).step_by(3).collect();
                (
                    format!("s{i}"),
                    with(&prov(30, shard(i, 3)), &shard_body(&mine)),
                )
            })
            .collect();
        let whole = with(&prov(30, None), &shard_body(&(0..30).collect::<Vec<_>>()));
        assert_eq!(merged(&parts).unwrap(), whole);
        // A stop request ends it early.
        let readers = parts.iter().map(|(n, t)| (n.clone(), &t[..])).collect();
        assert!(!merge(readers, &mut Vec::new(), &|| true).unwrap());
    }

    /// A shard whose points are not ascending (edited or pieced together) is refused, naming
    /// the file and the line, with the command that rewrites it in order.
    #[test]
    fn merge_refuses_an_unsorted_shard() {
        let a = with(&prov(6, shard(0, 3)), &shard_body(&[0, 3]));
        let b = with(&prov(6, shard(1, 3)), &shard_body(&[4, 1]));
        let c = with(&prov(6, shard(2, 3)), &shard_body(&[2, 5]));
        let e = merged(&[
            ("a".into(), a.clone()),
            ("b".into(), b),
            ("c".into(), c.clone()),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("b: line 5: point 1 comes after point 4") && e.contains("--resume"),
            "{e}"
        );
        let b = with(&prov(6, shard(1, 3)), &shard_body(&[1, 4]));
        assert!(merged(&[("a".into(), a), ("b".into(), b), ("c".into(), c)]).is_ok());
    }

    /// A line longer than [`MAX_LINE`] is refused before it is buffered whole, and a torn
    /// last line of a merged shard is named.
    #[test]
    fn refuses_overlong_lines_and_torn_shards() {
        let mut long = with(&prov(1, None), &shard_body(&[]));
        long.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        long.push(b'\n');
        let e = merged(&[("long".into(), long)]).unwrap_err().to_string();
        assert!(e.contains("long: line 3: longer than 1 MiB"), "{e}");
        let whole = with(&prov(2, None), &shard_body(&[0, 1]));
        let torn = &whole[..whole.len() - 3];
        let e = merged(&[("t".into(), torn.to_vec())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("t: the last line is cut short"), "{e}");
        // Header only, torn: named too (no row to stream at all).
        let head = with(&prov(2, None), &shard_body(&[]));
        let mut h = head.clone();
        h.extend_from_slice(b"s,0,");
        let e = merged(&[("h".into(), h)]).unwrap_err().to_string();
        assert!(e.contains("h: the last line is cut short"), "{e}");
    }
}
