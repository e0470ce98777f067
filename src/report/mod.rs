//! Output: one exporter per format — the contract's JSON ([`json`]), tidy CSV for
//! pandas/polars/R ([`csv`]), a terminal table that puts scenarios side by side ([`table`]) and
//! a self-contained HTML page ([`html`]). Every exporter reads only the summaries
//! ([`Metric::estimate`](crate::experiment::Metric)), never per-replication values, except the
//! CSV's per-replication rows, which have a row-level API so they can be written as
//! replications finish.
//!
//! Exporters write to any `std::io::Write`; the command line collects a report whole and then
//! writes it (or nothing) to stdout or a file. This module knows nothing of the command line:
//! mapping `--format` and `--output` extensions to a [`Format`] is `cli`'s job.

pub mod csv;
pub mod html;
pub mod json;
pub mod manager;
pub mod table;
pub mod tabular;
pub mod weeks;

use crate::experiment::{Outcome, Scope};
use std::io::{self, Write};

pub use json::value_text as json_text;

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scenarios side by side, for reading on a terminal ([`table`]).
    Table,
    /// The interface contract's JSON object (or array of objects) ([`json`]).
    Json,
    /// Tidy long CSV, one row per replication value and one per summary ([`csv`]).
    Csv,
    /// A self-contained page with charts (`run` only) ([`html`]).
    Html,
}

impl Format {
    /// Every format, in the order help texts and error messages list them.
    pub const ALL: [Format; 4] = [Format::Table, Format::Json, Format::Csv, Format::Html];

    /// The lower-case name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }

    /// The format a file name extension stands for (case-insensitive): `.json`, `.csv`,
    /// `.html`/`.htm`, and `.txt` for the table. `None` for anything else.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "html" | "htm" => Some(Format::Html),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

/// One output format's writer of a whole report (hyperfine's exporter pattern): adding a
/// format means adding one implementation, and each has its own snapshot test.
pub trait Exporter {
    /// Writes the report of `outcomes` (one per scenario, in argument order) to `w`.
    fn write(&self, outcomes: &[Outcome], w: &mut dyn Write) -> io::Result<()>;

    /// The report as bytes.
    fn render(&self, outcomes: &[Outcome]) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write(outcomes, &mut out);
        out
    }
}

/// Options of the exporters that have any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Terminal width for the table: long cells wrap to fit it. `None` (a file or a pipe):
    /// no wrapping, every column as wide as its widest cell.
    pub width: Option<u16>,
}

/// The exporter for `format`.
pub fn exporter(format: Format, options: ExportOptions) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::Table {
            width: options.width,
        }),
        Format::Json => Box::new(json::Json),
        Format::Csv => Box::new(csv::Csv),
        Format::Html => Box::new(html::Html),
    }
}

/// The scope names `scopes_of` gives each outcome, each once in first-seen order (the rows of
/// a side-by-side report when scenarios differ in call types or groups), with each outcome's
/// (first) scope of that name, by outcome: one pass with a map. A search of every outcome's
/// scopes per name was quadratic: the table of 20,000 call types took 30 s.
pub(crate) fn scopes_by_name<'a>(
    outcomes: &'a [Outcome],
    scopes_of: impl Fn(&'a Outcome) -> &'a [Scope],
) -> Vec<(&'a str, Vec<Option<&'a Scope>>)> {
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut out: Vec<(&str, Vec<Option<&Scope>>)> = Vec::new();
    for (j, o) in outcomes.iter().enumerate() {
        for s in scopes_of(o) {
            let i = *index.entry(&s.name).or_insert_with(|| {
                out.push((&s.name, vec![None; outcomes.len()]));
                out.len() - 1
            });
            out[i].1[j].get_or_insert(s);
        }
    }
    out
}

/// The index of `o` in `outcomes`, by address (the report's scope closures are handed the
/// outcome itself; a report has a few outcomes).
pub(crate) fn position(outcomes: &[Outcome], o: &Outcome) -> usize {
    outcomes
        .iter()
        .position(|x| std::ptr::eq(x, o))
        .expect("an outcome of the report")
}

/// The metric names of the scopes `scope_of` picks from each outcome, each once, in
/// first-seen order.
pub(crate) fn metric_names<'a>(
    outcomes: &'a [Outcome],
    scope_of: impl Fn(&'a Outcome) -> Option<&'a Scope>,
) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for s in outcomes.iter().filter_map(scope_of) {
        for m in &s.metrics {
            if !names.contains(&m.name) {
                names.push(m.name);
            }
        }
    }
    names
}

/// The journey classes a human-readable report prints (table, HTML): all of `classes` but
/// the callback pair (`called_back`, `not_called_back`) when nobody accepted a callback in
/// any replication — without callbacks the pair is "nobody" and "everybody", noise in a
/// table. JSON and CSV keep every class (their keys do not depend on the results).
pub fn printed_classes(classes: &[Scope]) -> impl Iterator<Item = &Scope> {
    let called_back = classes
        .iter()
        .find(|s| s.name == "called_back")
        .and_then(|s| s.get("share"))
        .and_then(|m| m.estimate)
        .is_some_and(|e| e.ci95.1 > 0.0);
    classes.iter().filter(move |s| {
        called_back || !matches!(s.name.as_str(), "called_back" | "not_called_back")
    })
}

/// Every scope of an outcome with its tidy name, in report order: `overall`,
/// `call_type:NAME`, `agent_group:NAME`, `interval:K`, `interval:K/agent_group:NAME`,
/// `journey_class:CLASS`, `call_type:NAME/journey_class:CLASS`.
pub fn tidy_scopes(o: &Outcome) -> Vec<(String, &Scope)> {
    let mut v = vec![("overall".to_string(), &o.overall)];
    v.extend(
        o.call_types
            .iter()
            .map(|s| (format!("call_type:{}", s.name), s)),
    );
    v.extend(
        o.agent_groups
            .iter()
            .map(|s| (format!("agent_group:{}", s.name), s)),
    );
    v.extend(o.intervals.iter().map(|(_, s)| (s.name.clone(), s)));
    v.extend(
        o.interval_groups
            .iter()
            .flatten()
            .map(|s| (s.name.clone(), s)),
    );
    v.extend(
        o.classes()
            .iter()
            .map(|s| (format!("journey_class:{}", s.name), s)),
    );
    for (c, t) in o.call_types.iter().enumerate() {
        v.extend(
            o.call_type_classes(c)
                .iter()
                .map(|s| (format!("call_type:{}/journey_class:{}", t.name, s.name), s)),
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_formats() {
        assert_eq!(Format::from_extension("JSON"), Some(Format::Json));
        assert_eq!(Format::from_extension("htm"), Some(Format::Html));
        assert_eq!(Format::from_extension("txt"), Some(Format::Table));
        assert_eq!(Format::from_extension("xlsx"), None);
        for f in Format::ALL {
            assert_eq!(Format::from_extension(f.name()).unwrap_or(Format::Table), f);
        }
    }
}
