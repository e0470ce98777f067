//! Tidy long CSV for pandas/polars/R, with a row-level API so rows can be written as the data
//! becomes available (each replication's rows when it finishes, the summary rows at the end).
//!
//! Columns: `scenario,point,<one per swept key>,replication,scope,metric,value,mean,ci95_lo,ci95_hi`.
//!
//! * A **replication row** fills `replication` (0, 1, …) and `value`, and leaves the three
//!   statistic columns empty.
//! * A **summary row** leaves `replication` and `value` empty and fills `mean`, `ci95_lo`,
//!   `ci95_hi` (Student-t 95% interval over replications).
//! * An undefined value or statistic (e.g. a rate with nothing to divide by) is an empty field.
//!
//! So `replication` only ever holds replication numbers, and a statistic never sits in `value`.
//! Scopes are named as [`tidy_scopes`] names them. A report is: the header, then per point its
//! replication rows (replication by replication, each in scope-and-metric order), then its
//! summary rows (same order).

use super::{tidy_scopes, Exporter};
use crate::experiment::Outcome;
use crate::stats::Estimate;
use std::io::{self, Write};

/// The columns before the swept keys.
pub const LEADING_COLUMNS: [&str; 2] = ["scenario", "point"];

/// The columns after the swept keys.
pub const TRAILING_COLUMNS: [&str; 7] = [
    "replication",
    "scope",
    "metric",
    "value",
    "mean",
    "ci95_lo",
    "ci95_hi",
];

/// The CSV exporter from outcomes alone: the header and every scenario's summary rows (the
/// per-replication rows exist only while a run goes on; `ccsim run --format csv` streams them
/// with [`write_replication_rows`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

impl Exporter for Csv {
    fn write(&self, outcomes: &[Outcome], w: &mut dyn Write) -> io::Result<()> {
        write_header(&mut *w, &[] as &[&str])?;
        for (point, o) in outcomes.iter().enumerate() {
            let key = RowKey {
                scenario: &o.scenario,
                point: point as u64,
                labels: &[],
            };
            write_summary_rows(&mut *w, key, o)?;
        }
        Ok(())
    }
}

/// Whether `scope` has replication rows but no summary rows: the `day:N` scopes of a
/// program (their summary is the JSON's `days`; [`super::tidy_scopes`] has no day scopes). A
/// point's summary rows are therefore fewer than one replication's rows, which whoever counts
/// a point's rows (a sweep's `--resume` and `merge`) must know.
pub fn replication_only(scope: &str) -> bool {
    scope.starts_with("day:")
}

/// Where rows belong: the scenario's name, the point (a sweep's point index; the scenario's
/// position for `run`) and the swept keys' values (as many as the header has keys).
#[derive(Debug, Clone, Copy)]
pub struct RowKey<'a> {
    /// The scenario's name.
    pub scenario: &'a str,
    /// The point index.
    pub point: u64,
    /// The swept keys' values, in header order.
    pub labels: &'a [String],
}

/// The header line for these swept keys.
pub fn write_header<W: Write, K: AsRef<str>>(w: W, keys: &[K]) -> io::Result<()> {
    let mut cw = writer(w);
    cw.write_record(
        LEADING_COLUMNS
            .iter()
            .copied()
            .chain(keys.iter().map(AsRef::as_ref))
            .chain(TRAILING_COLUMNS),
    )
    .map_err(io_error)?;
    cw.flush()
}

/// One replication's rows: `rows` yields `(scope, metric, value)` in report order (`None` =
/// undefined in this replication). Cost: one small buffer per call, none per row.
pub fn write_replication_rows<'r, W: Write>(
    w: W,
    key: RowKey<'_>,
    replication: u32,
    rows: impl IntoIterator<Item = (&'r str, &'r str, Option<f64>)>,
) -> io::Result<()> {
    let mut out = Rows::new(w, key);
    let mut replication = replication.to_string();
    replication.push(',');
    for (scope, metric, value) in rows {
        out.start(&replication, scope, metric);
        out.number(value);
        out.end(b",,,\n")?;
    }
    out.finish()
}

/// The summary rows of one point: per scope and metric of `o`, the mean and 95% interval
/// (`Metric::estimate`), in report order.
pub fn write_summary_rows<W: Write>(w: W, key: RowKey<'_>, o: &Outcome) -> io::Result<()> {
    let mut out = Rows::new(w, key);
    for (scope, s) in tidy_scopes(o) {
        for m in &s.metrics {
            out.summary(&scope, m.name, m.estimate)?;
        }
    }
    out.finish()
}

/// [`write_summary_rows`] of the summary `b` holds, written from its accumulators without
/// building an [`Outcome`] (the same rows, byte for byte).
pub fn write_builder_summary_rows<W: Write>(
    w: W,
    key: RowKey<'_>,
    b: &crate::stats::OutcomeBuilder,
) -> io::Result<()> {
    let mut out = Rows::new(w, key);
    let mut result = Ok(());
    b.for_each_estimate(|scope, metric, estimate| {
        // The day scopes of a program have per-replication rows only, as in
        // `write_summary_rows` (their summary is the JSON's `days`).
        if result.is_err() || replication_only(scope) {
            return;
        }
        result = out.summary(scope, metric, estimate);
    });
    result?;
    out.finish()
}

/// `text` as one CSV field, quoted where the csv crate would quote it (a comma, quote or
/// line break in it; its quotes doubled): for the hand-assembled CSVs of `staff`, `roster`
/// and their kin, whose column names carry group and call-type names.
pub fn field(text: &str) -> String {
    let mut encoded = Rows::<Vec<u8>>::encode(text);
    // `encode` leaves the comma that ends the field.
    encoded.pop();
    String::from_utf8(encoded).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
}

/// Rows of one point being written: the csv crate encodes (quotes where needed) each text
/// field, but once per distinct text, not once per row — the scenario's name, the point and
/// the swept values once per call, a scope once per run of rows in it, a metric name once per
/// name — and the rows are put together from those bytes and the numbers (which never need
/// quotes). Field by field through `csv::Writer`, the quoting state machine took 40% of a run
/// that wrote 2.1 million rows; the bytes are the same.
struct Rows<W: Write> {
    w: W,
    /// The current row and the ones before it not yet written to `w`.
    buf: Vec<u8>,
    /// `scenario,point,<labels>,` encoded.
    prefix: Vec<u8>,
    /// The last scope seen and its encoding with a trailing comma.
    scope: (String, Vec<u8>),
    /// Metric names seen, their address (found by that first: the layouts' names are
    /// `'static`, so a row's name is one of a few dozen addresses) and their encodings with a
    /// trailing comma.
    metrics: Vec<(usize, String, Vec<u8>)>,
}

impl<W: Write> Rows<W> {
    fn new(w: W, key: RowKey<'_>) -> Self {
        let mut rows = Rows {
            w,
            buf: Vec::with_capacity(ROWS_BUFFER + 1024),
            prefix: Vec::new(),
            scope: (String::new(), Vec::new()),
            metrics: Vec::new(),
        };
        let mut prefix = Self::encode(key.scenario);
        prefix.extend_from_slice(key.point.to_string().as_bytes());
        prefix.push(b',');
        for label in key.labels {
            prefix.extend(Self::encode(label));
        }
        rows.prefix = prefix;
        rows
    }

    /// `text` as the csv crate writes it as one field of a record, with the comma after it.
    /// Encoded as the first of two fields (a record of one empty field would be `""`).
    fn encode(text: &str) -> Vec<u8> {
        let mut encoder = csv::WriterBuilder::new()
            .buffer_capacity(64)
            .from_writer(Vec::with_capacity(text.len() + 8));
        // Writing into a Vec cannot fail.
        let _ = encoder.write_record([text, ""]);
        let mut field = encoder.into_inner().unwrap_or_default();
        // `text,` and the terminator `\n`: keep `text,`.
        field.truncate(field.len().saturating_sub(1));
        field
    }

    /// Starts a row: prefix, `replication` (with its comma, or empty), scope, metric.
    fn start(&mut self, replication: &str, scope: &str, metric: &str) {
        if scope != self.scope.0 || self.scope.1.is_empty() {
            let encoded = Self::encode(scope);
            self.scope = (scope.to_string(), encoded);
        }
        let at = metric.as_ptr() as usize;
        let i = match self.metrics.iter().position(|m| m.0 == at && m.1 == metric) {
            Some(i) => i,
            None => {
                let encoded = Self::encode(metric);
                self.metrics.push((at, metric.to_string(), encoded));
                self.metrics.len() - 1
            }
        };
        self.buf.extend_from_slice(&self.prefix);
        self.buf.extend_from_slice(replication.as_bytes());
        self.buf.extend_from_slice(&self.scope.1);
        self.buf.extend_from_slice(&self.metrics[i].2);
    }

    /// A number field (empty for `None`), without a comma.
    fn number(&mut self, v: Option<f64>) {
        if let Some(v) = v {
            push_num(&mut self.buf, v);
        }
    }

    /// Ends the row with `tail`; writes the rows held once they fill the buffer.
    fn end(&mut self, tail: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(tail);
        if self.buf.len() >= ROWS_BUFFER {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// A summary row: empty `replication` and `value`, then mean and interval.
    fn summary(&mut self, scope: &str, metric: &str, e: Option<Estimate>) -> io::Result<()> {
        self.start(",", scope, metric);
        self.buf.push(b',');
        self.number(e.map(|e| e.mean));
        self.buf.push(b',');
        self.number(e.map(|e| e.ci95.0));
        self.buf.push(b',');
        self.number(e.map(|e| e.ci95.1));
        self.end(b"\n")
    }

    /// Writes what is held and flushes `w`.
    fn finish(mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.w.flush()
    }
}

/// Bytes of rows held before they go to the writer.
const ROWS_BUFFER: usize = 16 * 1024;

/// A CSV writer's error as an `io::Error`, keeping the kind of a write error (the `csv`
/// crate's own conversion makes every error `Other`, so a reader that closed the pipe —
/// `ccsim run … | head` — looked like a failure instead of the end of the pipeline).
pub fn io_error(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        // Not reached (`is_io_error` is true exactly for `Io`); kept an error, not a panic.
        other => io::Error::other(format!("{other:?}")),
    }
}

fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .buffer_capacity(16 * 1024)
        .from_writer(w)
}

/// Shortest round-trip representation of a float; integers without `.0`.
fn push_num(out: &mut Vec<u8>, v: f64) {
    // Writing into a Vec cannot fail.
    let _ = if v.fract() == 0.0 && v.abs() < 1e15 {
        write!(out, "{}", v as i64)
    } else {
        write!(out, "{v}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn header_puts_keys_between_point_and_replication() {
        let h = text(|w| write_header(w, &["a.b", "c"]));
        assert_eq!(
            h,
            "scenario,point,a.b,c,replication,scope,metric,value,mean,ci95_lo,ci95_hi\n"
        );
    }

    #[test]
    fn replication_rows_leave_statistics_empty_and_quote_names() {
        let key = RowKey {
            scenario: "Tom, \"J\"",
            point: 3,
            labels: &["[1, 2]".to_string()],
        };
        let t = text(|w| {
            write_replication_rows(
                w,
                key,
                7,
                [
                    ("overall", "offered", Some(12.0)),
                    ("overall", "csat", None),
                ],
            )
        });
        assert_eq!(
            t,
            "\"Tom, \"\"J\"\"\",3,\"[1, 2]\",7,overall,offered,12,,,\n\
             \"Tom, \"\"J\"\"\",3,\"[1, 2]\",7,overall,csat,,,,\n"
        );
    }

    /// Rows put together from encoded pieces are what the csv crate writes field by field,
    /// whatever the text: quotes, commas, spaces, empty labels, non-ASCII, a leading `#`.
    #[test]
    fn rows_are_the_csv_crates_records() {
        let texts = [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            " padded ",
            "é ü 中",
            "#x",
            "\"",
            ",",
        ];
        for scenario in texts {
            for label in texts {
                let labels = [label.to_string(), "k".to_string()];
                let key = RowKey {
                    scenario,
                    point: 12,
                    labels: &labels,
                };
                let rows: Vec<(&str, &str, Option<f64>)> = texts
                    .iter()
                    .flat_map(|&scope| [(scope, "offered", Some(1.5)), (scope, "csat", None)])
                    .collect();
                let got = text(|w| write_replication_rows(w, key, 3, rows.iter().copied()));
                let mut want = csv::Writer::from_writer(Vec::new());
                for (scope, metric, v) in &rows {
                    let value = v.map_or(String::new(), |v| v.to_string());
                    let record = [scenario, "12", label, "k", "3", scope, metric, &value];
                    want.write_record(record.iter().copied().chain(["", "", ""]))
                        .unwrap();
                }
                let want = String::from_utf8(want.into_inner().unwrap()).unwrap();
                assert_eq!(got, want, "scenario {scenario:?}, label {label:?}");
            }
        }
    }

    /// The csv crate's records, field by field: the reference the assembled rows must equal.
    fn reference(key: &RowKey<'_>, rows: &[(&str, &str, Option<f64>)], replication: u32) -> String {
        let mut want = csv::Writer::from_writer(Vec::new());
        let point = key.point.to_string();
        let replication = replication.to_string();
        for (scope, metric, v) in rows {
            let value = v.map_or(String::new(), |v| {
                let mut s = Vec::new();
                push_num(&mut s, v);
                String::from_utf8(s).unwrap()
            });
            let fields = [key.scenario, &point]
                .into_iter()
                .chain(key.labels.iter().map(String::as_str))
                .chain([replication.as_str(), scope, metric, &value, "", "", ""]);
            want.write_record(fields).unwrap();
        }
        String::from_utf8(want.into_inner().unwrap()).unwrap()
    }

    proptest::proptest! {
        // Failures are shrunk and printed; no regression files are written into the tree.
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Any text in any field, numbers of any kind: the same bytes as the reference.
        #[test]
        fn assembled_rows_equal_the_crates_records(
            scenario in "\\PC{0,12}|[\",\r\n #a]{0,6}",
            labels in proptest::collection::vec("\\PC{0,8}|[\",\r\n #a]{0,4}", 0..3),
            rows in proptest::collection::vec(
                ("\\PC{0,10}|[\",:/ a]{0,6}", "[a-z_]{1,12}|\\PC{0,6}", proptest::option::of(proptest::num::f64::ANY)),
                0..20,
            ),
        ) {
            let key = RowKey { scenario: &scenario, point: 7, labels: &labels };
            let rows: Vec<(&str, &str, Option<f64>)> =
                rows.iter().map(|(s, m, v)| (s.as_str(), m.as_str(), *v)).collect();
            let got = text(|w| write_replication_rows(w, key, 2, rows.iter().copied()));
            proptest::prop_assert_eq!(got, reference(&key, &rows, 2));
        }
    }

    #[test]
    fn numbers_round_trip() {
        for (v, want) in [(2.0, "2"), (0.25, "0.25"), (-3.0, "-3")] {
            let mut s = Vec::new();
            push_num(&mut s, v);
            assert_eq!(s, want.as_bytes());
        }
        let mut s = Vec::new();
        push_num(&mut s, 1e300);
        assert_eq!(String::from_utf8(s).unwrap().parse::<f64>(), Ok(1e300));
    }
}
