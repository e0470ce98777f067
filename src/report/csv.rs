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
    let mut cw = writer(w);
    let point = key.point.to_string();
    let replication = replication.to_string();
    let mut number = String::new();
    for (scope, metric, value) in rows {
        number.clear();
        if let Some(v) = value {
            push_num(&mut number, v);
        }
        cw.write_record(row(
            &key,
            &point,
            [&replication, scope, metric, &number, "", "", ""],
        ))
        .map_err(io_error)?;
    }
    cw.flush()
}

/// The summary rows of one point: per scope and metric of `o`, the mean and 95% interval
/// (`Metric::estimate`), in report order.
pub fn write_summary_rows<W: Write>(w: W, key: RowKey<'_>, o: &Outcome) -> io::Result<()> {
    let mut cw = writer(w);
    let point = key.point.to_string();
    let (mut mean, mut lo, mut hi) = (String::new(), String::new(), String::new());
    for (scope, s) in tidy_scopes(o) {
        for m in &s.metrics {
            for f in [&mut mean, &mut lo, &mut hi] {
                f.clear();
            }
            if let Some(e) = m.estimate {
                push_num(&mut mean, e.mean);
                push_num(&mut lo, e.ci95.0);
                push_num(&mut hi, e.ci95.1);
            }
            cw.write_record(row(&key, &point, ["", &scope, m.name, "", &mean, &lo, &hi]))
                .map_err(io_error)?;
        }
    }
    cw.flush()
}

/// [`write_summary_rows`] of the summary `b` holds, written from its accumulators without
/// building an [`Outcome`] (the same rows, byte for byte).
pub fn write_builder_summary_rows<W: Write>(
    w: W,
    key: RowKey<'_>,
    b: &crate::stats::OutcomeBuilder,
) -> io::Result<()> {
    let mut cw = writer(w);
    let point = key.point.to_string();
    let (mut mean, mut lo, mut hi) = (String::new(), String::new(), String::new());
    let mut result = Ok(());
    b.for_each_estimate(|scope, metric, estimate| {
        // The day scopes of a program have per-replication rows only, as in
        // `write_summary_rows` (their summary is the JSON's `days`).
        if result.is_err() || scope.starts_with("day:") {
            return;
        }
        for f in [&mut mean, &mut lo, &mut hi] {
            f.clear();
        }
        if let Some(e) = estimate {
            push_num(&mut mean, e.mean);
            push_num(&mut lo, e.ci95.0);
            push_num(&mut hi, e.ci95.1);
        }
        result = cw.write_record(row(&key, &point, ["", scope, metric, "", &mean, &lo, &hi]));
    });
    result.map_err(io_error)?;
    cw.flush()
}

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

/// The fields of one row: key columns, then the seven trailing ones.
fn row<'a>(
    key: &'a RowKey<'a>,
    point: &'a str,
    rest: [&'a str; 7],
) -> impl Iterator<Item = &'a str> {
    std::iter::once(key.scenario)
        .chain(std::iter::once(point))
        .chain(key.labels.iter().map(String::as_str))
        .chain(rest)
}

/// Shortest round-trip representation of a float; integers without `.0`.
fn push_num(out: &mut String, v: f64) {
    use std::fmt::Write as _;
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

    #[test]
    fn numbers_round_trip() {
        for (v, want) in [(2.0, "2"), (0.25, "0.25"), (-3.0, "-3")] {
            let mut s = String::new();
            push_num(&mut s, v);
            assert_eq!(s, want);
        }
        let mut s = String::new();
        push_num(&mut s, 1e300);
        assert_eq!(s.parse::<f64>(), Ok(1e300));
    }
}
