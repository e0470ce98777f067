//! Sweep CSV files as blocks of rows per point: writing one point's rows, reading a file back
//! (for `--resume` and `merge`), deciding which points are complete, and the canonical form
//! (header, then points in ascending order, each point's rows as written).
//!
//! Rows are kept as the exact bytes read, so rewriting a file never reformats a number, and
//! the canonical form of the same results is byte-identical however they were produced
//! (one run, a resumed run, or merged shards).

use super::SweepError;
use crate::experiment::Outcome;
use crate::report;
use crate::scenario::Scenario;
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

/// One point's rows (no header), formatted exactly like `ccsim run --format csv` with the
/// swept keys' values after `point` and the global point index in the `point` column.
pub fn point_rows(point: u64, labels: &[String], outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::new();
    let key = report::csv::RowKey {
        scenario: &outcome.scenario,
        point,
        labels,
    };
    let _ = report::csv::write_point_rows(&mut out, key, outcome);
    out
}

/// What the last row of a complete point looks like, and how many rows it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub rows: usize,
    pub last_scope: String,
    pub last_metric: String,
}

impl Expected {
    /// Derived from the report layout itself (an outcome with no replications has every
    /// scope and metric), so it follows any metric the engine adds.
    pub fn for_scenario(s: &Scenario) -> Expected {
        let empty = Outcome::from_replications(s, &[]);
        let scopes = report::tidy_scopes(&empty);
        let pairs: usize = scopes.iter().map(|(_, sc)| sc.metrics.len()).sum();
        let (last_scope, last_metric) = scopes
            .iter()
            .rev()
            .find_map(|(name, sc)| {
                sc.metrics
                    .last()
                    .map(|m| (name.clone(), m.name.to_string()))
            })
            .unwrap_or_default();
        Expected {
            rows: pairs * (s.simulation.replications as usize + 1),
            last_scope,
            last_metric,
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
    pub rows: usize,
    /// `(replication, scope, metric)` of the last row (`replication` empty: a summary row).
    pub last: (String, String, String),
}

impl Block {
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
    pub header: Vec<u8>,
    pub keys: Vec<String>,
    pub blocks: BTreeMap<u64, Block>,
}

impl SweepCsv {
    /// An empty file for these keys.
    pub fn new(keys: &[String]) -> SweepCsv {
        SweepCsv {
            header: header(keys),
            keys: keys.to_vec(),
            blocks: BTreeMap::new(),
        }
    }

    /// Parses a sweep CSV. The text must end with a newline (callers decide what to do with
    /// a torn last line; see [`drop_torn_line`]). A point whose rows are not contiguous, or
    /// a malformed row, is an error naming `source` and the line.
    pub fn parse(text: &[u8], source: &str) -> Result<SweepCsv, SweepError> {
        let bad =
            |line: u64, why: String| SweepError::input(format!("{source}: line {line}: {why}"));
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
            });
            block.bytes.extend_from_slice(&text[s..e]);
            block.rows += 1;
            block.last = last;
        }
        Ok(SweepCsv {
            header,
            keys,
            blocks,
        })
    }

    /// Header plus every block in point order.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = self.header.clone();
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

/// Combines shard files: same header everywhere, no point twice, points sorted. Returns the
/// canonical text. Inputs must end with a newline (a torn last line means an unfinished
/// shard).
pub fn merge(inputs: &[(String, Vec<u8>)]) -> Result<Vec<u8>, SweepError> {
    let mut merged: Option<(String, SweepCsv)> = None;
    let mut origin: BTreeMap<u64, String> = BTreeMap::new();
    for (name, text) in inputs {
        let (_, torn) = drop_torn_line(text);
        if torn {
            return Err(SweepError::input(format!(
                "{name}: the last line is cut short (an interrupted run?): finish it with `ccsim sweep … --resume` first"
            )));
        }
        let file = SweepCsv::parse(text, name)?;
        match &mut merged {
            None => {
                origin.extend(file.blocks.keys().map(|&p| (p, name.clone())));
                merged = Some((name.clone(), file));
            }
            Some((first, m)) => {
                if m.header != file.header {
                    return Err(SweepError::input(format!(
                        "{name}: its columns ({}) differ from {first}'s ({}): not the same sweep",
                        String::from_utf8_lossy(&file.header).trim_end(),
                        String::from_utf8_lossy(&m.header).trim_end()
                    )));
                }
                for (p, b) in file.blocks {
                    if let Some(other) = origin.get(&p) {
                        return Err(SweepError::input(format!(
                            "point {p} is in both {other} and {name}: were shards run twice?"
                        )));
                    }
                    origin.insert(p, name.clone());
                    m.blocks.insert(p, b);
                }
            }
        }
    }
    let (_, m) = merged.ok_or_else(|| SweepError::input("merge: no input files".to_string()))?;
    Ok(m.canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n\
        s,3,\"[1, 2]\",0,overall,offered,5,,,\n\
        s,3,\"[1, 2]\",,overall,offered,,5,4,6\n\
        s,1,x,0,overall,offered,4,,,\n";

    #[test]
    fn parses_blocks_and_sorts() {
        let f = SweepCsv::parse(TEXT.as_bytes(), "t").unwrap();
        assert_eq!(f.keys, vec!["k"]);
        assert_eq!(f.blocks[&3].rows, 2);
        assert_eq!(f.blocks[&3].labels, vec!["[1, 2]"]);
        let canon = String::from_utf8(f.canonical()).unwrap();
        assert!(canon.starts_with(
            "scenario,point,k,replication,scope,metric,value,mean,ci95_lo,ci95_hi\ns,1,x,"
        ));
        let again = merge(&[("a".into(), canon.clone().into_bytes())]).unwrap();
        assert_eq!(again, canon.into_bytes());
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
        let twice = merge(&[
            ("a".into(), TEXT.as_bytes().to_vec()),
            ("b".into(), TEXT.as_bytes().to_vec()),
        ]);
        assert!(twice.is_err());
    }
}
