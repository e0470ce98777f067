//! Sweep CSV files as blocks of rows per point: writing one point's rows, reading a file back
//! (for `--resume` and `merge`), deciding which points are complete, the provenance line that
//! says which sweep a file belongs to, and the canonical form (provenance line, header, then
//! points in ascending order, each point's rows as written).
//!
//! Rows are kept as the exact bytes read, so rewriting a file never reformats a number, and
//! the canonical form of the same results is byte-identical however they were produced
//! (one run, a resumed run, or merged shards).
//!
//! # Provenance
//! A file written with `--output` starts with one comment line (read CSV with `#` as the
//! comment character, e.g. pandas' `comment="#"`):
//!
//! ```text
//! # ccsim sweep: status=complete version=0.1.0 points=36 replications=20 seed=1 crn=false scenario=fnv1a64:… grid=fnv1a64:… shard=1/4
//! ```
//!
//! `status` is `unfinished` while the sweep runs and becomes `complete` only in the final
//! rewrite (temp file + rename), so a `complete` file has every point of its shard, whole.
//! `scenario` and `grid` are digests of the base scenario (after `--replications`/`--seed`)
//! and of the swept keys and values; `shard` is absent for the whole grid. `--resume` and
//! `merge` refuse files whose provenance differs from the run's or from each other's.

use super::{Shard, Sweep, SweepError};
use crate::experiment::Outcome;
use crate::report;
use crate::scenario::Scenario;
use crate::stats::{Layout, OutcomeBuilder};
use std::collections::BTreeMap;

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
    /// base scenario's (after the command-line overrides). Starts `unfinished`.
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
            if self.complete { "complete" } else { "unfinished" },
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
                "unfinished" => false,
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
/// `std`'s hasher) to tell sweeps apart. Not a defence against forgery.
#[derive(Debug)]
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
    /// scope and metric), so it follows any metric the engine adds.
    pub fn for_scenario(s: &Scenario) -> Expected {
        let layout = Layout::new(s);
        let mut last = (String::new(), String::new());
        layout.for_each_name(|_, _, scope, metric| {
            last = (scope.to_string(), metric.to_string());
        });
        Expected {
            rows: layout.len() * (s.simulation.replications as usize + 1),
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
    /// The rows' bytes, each line with its newline.
    pub bytes: Vec<u8>,
    /// Number of rows.
    pub rows: usize,
    /// `(replication, scope, metric)` of the last row (`replication` empty: a summary row).
    pub last: (String, String, String),
    /// Summary rows (one per scope and metric) and replication rows so far.
    pub summary_rows: usize,
    /// Replication rows so far.
    pub replication_rows: usize,
    /// Highest replication number seen, plus one.
    pub replications: usize,
}

impl Block {
    /// Whether the point has all its rows: it ends with a summary row, and every scope and
    /// metric (one summary row each) has a row for every replication. A point cut after a
    /// whole line fails this, whatever the scenario. Needs no scenario, so `merge` can check
    /// it.
    pub fn is_whole(&self) -> bool {
        self.last.0.is_empty() && self.replication_rows == self.summary_rows * self.replications
    }

    /// Adds one row's accounting (its bytes are appended by the caller).
    fn count_row(&mut self, last: (String, String, String)) {
        if last.0.is_empty() {
            self.summary_rows += 1;
        } else {
            self.replication_rows += 1;
            if let Ok(r) = last.0.parse::<usize>() {
                self.replications = self.replications.max(r + 1);
            }
        }
        self.rows += 1;
        self.last = last;
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
    /// An empty file for these keys.
    pub fn new(keys: &[String]) -> SweepCsv {
        SweepCsv {
            provenance: None,
            header: header(keys),
            keys: keys.to_vec(),
            blocks: BTreeMap::new(),
        }
    }

    /// Parses a sweep CSV, with or without a provenance line. The text must end with a
    /// newline (callers decide what to do with a torn last line; see [`drop_torn_line`]). A
    /// point whose rows are not contiguous, or a malformed row, is an error naming `source`
    /// and the line.
    pub fn parse(text: &[u8], source: &str) -> Result<SweepCsv, SweepError> {
        let (provenance, skipped) = if text.starts_with(b"#") {
            let end = text
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| i + 1);
            let line = String::from_utf8_lossy(&text[..end]);
            let p = Provenance::parse(&line).ok_or_else(|| {
                SweepError::input(format!(
                    "{source}: line 1: `{}` is not a ccsim sweep provenance line",
                    line.trim_end()
                ))
            })?;
            (Some(p), end)
        } else {
            (None, 0)
        };
        let mut file = SweepCsv::parse_rows(&text[skipped..], source, u64::from(skipped > 0))?;
        file.provenance = provenance;
        Ok(file)
    }

    /// [`SweepCsv::parse`] after the provenance line; `offset` lines were skipped before.
    fn parse_rows(text: &[u8], source: &str, offset: u64) -> Result<SweepCsv, SweepError> {
        let bad = |line: u64, why: String| {
            SweepError::input(format!("{source}: line {}: {why}", line + offset))
        };
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let read = |r: &mut csv::Reader<&[u8]>, rec: &mut csv::ByteRecord| {
            let start = r.position().byte() as usize;
            let line = r.position().line();
            match r.read_byte_record(rec) {
                Ok(true) => Ok(Some((start, r.position().byte() as usize, line))),
                Ok(false) => Ok(None),
                Err(e) => Err(bad(line, format!("not CSV: {e}"))),
            }
        };
        let Some((s, e, _)) = read(&mut r, &mut rec)? else {
            return Err(SweepError::input(format!(
                "{source}: empty file, no header"
            )));
        };
        let header = text[s..e].to_vec();
        let cols: Vec<String> = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let fixed = LEADING_COLUMNS.len() + TIDY_COLUMNS.len();
        if cols.len() < fixed
            || cols[..LEADING_COLUMNS.len()] != LEADING_COLUMNS
            || cols[cols.len() - TIDY_COLUMNS.len()..] != TIDY_COLUMNS
        {
            return Err(SweepError::input(format!(
                "{source}: not a ccsim sweep CSV: the header must be {},KEYS…,{}",
                LEADING_COLUMNS.join(","),
                TIDY_COLUMNS.join(",")
            )));
        }
        let nkeys = cols.len() - fixed;
        // Field positions: scenario, point, the keys, then replication, scope, metric, ….
        let first_key = LEADING_COLUMNS.len();
        let keys = cols[first_key..first_key + nkeys].to_vec();
        let mut blocks: BTreeMap<u64, Block> = BTreeMap::new();
        let mut current: Option<u64> = None;
        while let Some((s, e, line)) = read(&mut r, &mut rec)? {
            if rec.len() != cols.len() {
                return Err(bad(
                    line,
                    format!("{} fields, the header has {}", rec.len(), cols.len()),
                ));
            }
            let field = |i: usize| String::from_utf8_lossy(&rec[i]).into_owned();
            let point: u64 = field(1)
                .parse()
                .map_err(|_| bad(line, format!("point `{}` is not a number", field(1))))?;
            if current != Some(point) && blocks.contains_key(&point) {
                return Err(bad(
                    line,
                    format!("point {point} appears twice (its rows are not together)"),
                ));
            }
            current = Some(point);
            let rep = first_key + nkeys;
            let last = (field(rep), field(rep + 1), field(rep + 2));
            let block = blocks.entry(point).or_insert_with(|| Block {
                labels: (first_key..rep).map(field).collect(),
                bytes: Vec::new(),
                rows: 0,
                last: last.clone(),
                summary_rows: 0,
                replication_rows: 0,
                replications: 0,
            });
            block.bytes.extend_from_slice(&text[s..e]);
            block.count_row(last);
        }
        Ok(SweepCsv {
            provenance: None,
            header,
            keys,
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
            if !b.bytes.ends_with(b"\n") {
                out.push(b'\n');
            }
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

/// Combines the files of one sweep's shards into the unsharded run's file. Checks, naming
/// the file at fault (exit code 2 in the CLI): no line cut short; every file written by
/// `ccsim sweep --output` (a provenance line) and finished (`status=complete`); all from one
/// sweep (same provenance but the shard, same header); every shard of the grid present once,
/// and each holding exactly its points. Returns the canonical text (`status=complete`, no
/// shard), byte-identical to the unsharded run's file.
///
/// Cost: linear in the inputs' size; the merged text is held in memory.
pub fn merge(inputs: &[(String, Vec<u8>)]) -> Result<Vec<u8>, SweepError> {
    let fail = |m: String| Err(SweepError::input(m));
    let mut merged: Option<(String, Provenance, SweepCsv)> = None;
    let mut origin: BTreeMap<u64, String> = BTreeMap::new();
    // Shard index → file, once the shard count is known.
    let mut shards: BTreeMap<u64, String> = BTreeMap::new();
    for (name, text) in inputs {
        let (_, torn) = drop_torn_line(text);
        if torn {
            return fail(format!(
                "{name}: the last line is cut short (an interrupted run?): finish it with `ccsim sweep … --resume` first"
            ));
        }
        let mut file = SweepCsv::parse(text, name)?;
        let Some(prov) = file.provenance.take() else {
            return fail(format!(
                "{name}: no `{}` line: not a file written by `ccsim sweep --output` of this version, so it cannot be checked",
                PROVENANCE_PREFIX.trim_end()
            ));
        };
        if !prov.complete {
            return fail(format!(
                "{name}: unfinished (status=unfinished: the sweep was interrupted or is still running): finish it with the same `ccsim sweep … --output {name} --resume` first"
            ));
        }
        let shard = prov.shard.unwrap_or(Shard::ALL);
        match &mut merged {
            None => {
                merged = Some((name.clone(), prov.clone(), SweepCsv::new(&file.keys)));
            }
            Some((first, p, m)) => {
                if let Some(why) = prov.difference(p) {
                    return fail(format!("{name}: not the same sweep as {first}: {why}"));
                }
                let first_count = p.shard.unwrap_or(Shard::ALL).count;
                if shard.count != first_count {
                    return fail(format!(
                        "{name}: not the same sweep as {first}: split into {} shards where {first} has {first_count}",
                        shard.count
                    ));
                }
                if m.header != file.header {
                    return fail(format!(
                        "{name}: its columns ({}) differ from {first}'s ({}): not the same sweep",
                        String::from_utf8_lossy(&file.header).trim_end(),
                        String::from_utf8_lossy(&m.header).trim_end()
                    ));
                }
            }
        }
        let (_, p, m) = merged.as_mut().expect("set above");
        m.header.clone_from(&file.header);
        for (point, b) in std::mem::take(&mut file.blocks) {
            if let Some(other) = origin.get(&point) {
                return fail(format!(
                    "point {point} is in both {other} and {name}: were shards run twice?"
                ));
            }
            if point >= p.points || !shard.contains(point) {
                return fail(format!(
                    "{name}: has point {point}, which is not in {} of a {}-point grid: the file was edited or mixed",
                    shard_name(shard),
                    p.points
                ));
            }
            if !b.is_whole() {
                return fail(format!(
                    "{name}: point {point} is not whole ({} replication rows for {} scopes and metrics × {} replications, ending {}): the file was cut or edited; rerun that shard",
                    b.replication_rows, b.summary_rows, b.replications,
                    if b.last.0.is_empty() { "with a summary row" } else { "before the summary rows" }
                ));
            }
            origin.insert(point, name.clone());
            m.blocks.insert(point, b);
        }
        let expected = (shard.index..p.points).step_by(shard.count as usize);
        let missing: Vec<u64> = expected.filter(|q| !m.blocks.contains_key(q)).collect();
        if !missing.is_empty() {
            return fail(format!(
                "{name} ({}): points {} are missing: the file was cut or edited; rerun that shard",
                shard_name(shard),
                list(&missing)
            ));
        }
        shards.insert(shard.index, name.clone());
    }
    let Some((_, mut prov, mut m)) = merged else {
        return fail("merge: no input files".to_string());
    };
    let count = prov.shard.map_or(1, |s| s.count);
    let absent: Vec<u64> = (0..count).filter(|i| !shards.contains_key(i)).collect();
    if let Some(&i) = absent.first() {
        let points: Vec<u64> = (i..prov.points).step_by(count as usize).collect();
        return fail(format!(
            "shard {i}/{count} is missing (points {}){}: merge needs the files of all {count} shards",
            list(&points),
            if absent.len() > 1 {
                format!(", and {} more shard(s)", absent.len() - 1)
            } else {
                String::new()
            }
        ));
    }
    prov.shard = None;
    prov.complete = true;
    m.provenance = Some(prov);
    Ok(m.canonical())
}

fn shard_name(s: Shard) -> String {
    if s == Shard::ALL {
        "the whole grid".into()
    } else {
        format!("shard {}/{}", s.index, s.count)
    }
}

/// `a, b, c, … (n in all)` for messages.
fn list(points: &[u64]) -> String {
    let shown: Vec<String> = points.iter().take(8).map(u64::to_string).collect();
    if points.len() > shown.len() {
        format!("{}, … ({} in all)", shown.join(", "), points.len())
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
        let merged_alone = merge(&[("a".into(), with(&p, &canon))]);
        assert!(merged_alone
            .unwrap_err()
            .to_string()
            .contains("shard 0/2 is missing"));
        let zero = with(
            &prov(4, shard(0, 2)),
            "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n",
        );
        let zero_missing = merge(&[("z".into(), zero.clone()), ("a".into(), with(&p, &canon))]);
        assert!(
            zero_missing
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("z (shard 0/2): points 0, 2 are missing"),
            "{zero_missing:?}"
        );
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
            merge(&[("b".into(), b.clone()), ("a".into(), a.clone())]).unwrap(),
            whole
        );
        // Unfinished, or without provenance: refused.
        let mut unfinished = prov(4, shard(1, 2));
        unfinished.complete = false;
        let e = merge(&[
            ("a".into(), a.clone()),
            ("u".into(), with(&unfinished, &body(&[1, 3]))),
        ]);
        assert!(e.unwrap_err().to_string().contains("u: unfinished"));
        let e = merge(&[("plain".into(), body(&[0, 1, 2, 3]).into_bytes())]);
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("plain: no `# ccsim sweep:` line"));
        // A point of another shard, or beyond the grid.
        let e = merge(&[("a".into(), with(&prov(4, shard(0, 2)), &body(&[0, 1, 2])))]);
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("has point 1, which is not in shard 0/2"));
        // Another sweep.
        let mut seeded = prov(4, shard(1, 2));
        seeded.seed = 8;
        let e = merge(&[
            ("a".into(), a.clone()),
            ("s".into(), with(&seeded, &body(&[1, 3]))),
        ]);
        let e = e.unwrap_err().to_string();
        assert!(e.contains("s: not the same sweep as a: seed 8"), "{e}");
        // Torn last line, duplicate points.
        let torn = &b[..b.len() - 3];
        assert!(merge(&[("a".into(), a.clone()), ("t".into(), torn.to_vec())]).is_err());
        let e = merge(&[("a".into(), a.clone()), ("a2".into(), a.clone())]);
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
        assert!(merge(&[("a".into(), torn.to_vec())]).is_err());
        let bad = with(&prov(4, None), "not,a,sweep\n");
        assert!(SweepCsv::parse(&bad, "t")
            .unwrap_err()
            .to_string()
            .contains("t: not a ccsim sweep CSV"));
    }
}
