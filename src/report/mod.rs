//! Output: the contract's JSON, tidy CSV for pandas/polars/R, and a terminal table that puts
//! scenarios side by side. Reports are built in memory and written whole (see `cli`).

mod html;
mod table;

pub use html::html;
pub use table::table;

use crate::experiment::{Metric, Outcome, Scope};
use crate::stats::OutcomeBuilder;
use serde_json::{json, Map, Value};

/// Output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// A self-contained page with charts (`run` only).
    Html,
}

/// `{"mean": f, "ci95": [lo, hi]}`, or `null` when no replication defined the metric.
pub fn estimate_json(m: &Metric) -> Value {
    match m.estimate {
        Some(e) => json!({"mean": e.mean, "ci95": [e.ci95.0, e.ci95.1]}),
        None => Value::Null,
    }
}

fn scope_json(scope: &Scope) -> Value {
    let map: Map<String, Value> = scope
        .metrics
        .iter()
        .map(|m| (m.name.to_string(), estimate_json(m)))
        .collect();
    Value::Object(map)
}

/// The contract's JSON object for one scenario.
pub fn outcome_json(o: &Outcome) -> Value {
    let named = |scopes: &[Scope]| -> Value {
        Value::Object(
            scopes
                .iter()
                .map(|s| (s.name.clone(), scope_json(s)))
                .collect(),
        )
    };
    json!({
        "scenario": o.scenario,
        "replications": o.replications,
        "seed": o.seed,
        "metrics": scope_json(&o.overall),
        "call_types": named(&o.call_types),
        "agent_groups": named(&o.agent_groups),
        "intervals": o.intervals.iter().zip(&o.interval_groups).map(|((start, s), groups)| json!({
            // Whole seconds print as integers, as in the contract's example.
            "start_s": if start.fract() == 0.0 { json!(*start as u64) } else { json!(start) },
            "metrics": scope_json(s),
            "agent_groups": Value::Object(
                o.agent_groups
                    .iter()
                    .zip(groups)
                    .map(|(g, scope)| (g.name.clone(), scope_json(scope)))
                    .collect(),
            ),
        })).collect::<Vec<_>>(),
    })
}

/// One object for one scenario, an array (in argument order) for several.
pub fn outcomes_json(outcomes: &[Outcome]) -> Value {
    match outcomes {
        [one] => outcome_json(one),
        many => Value::Array(many.iter().map(outcome_json).collect()),
    }
}

/// Pretty JSON text with a trailing newline.
pub fn json_text(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// The names of the scopes `scopes_of` picks from each outcome, each once, in first-seen
/// order: the rows of a side-by-side report when scenarios differ in call types or groups.
pub(crate) fn scope_names<'a>(
    outcomes: &'a [Outcome],
    scopes_of: impl Fn(&'a Outcome) -> &'a [Scope],
) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for o in outcomes {
        for s in scopes_of(o) {
            if !names.contains(&s.name.as_str()) {
                names.push(&s.name);
            }
        }
    }
    names
}

/// Every scope of an outcome with its tidy name: `overall`, `call_type:NAME`,
/// `agent_group:NAME`, `interval:K`.
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
    v
}

/// The tidy CSV columns after any swept keys.
pub const CSV_COLUMNS: [&str; 5] = ["point", "replication", "scope", "metric", "value"];

/// CSV writer of the tidy layout.
pub type CsvWriter<W> = csv::Writer<W>;

/// The tidy CSV header: `extra` (swept keys) then [`CSV_COLUMNS`].
pub fn write_csv_header<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    extra: &[&str],
) -> csv::Result<()> {
    let mut header: Vec<&str> = extra.to_vec();
    header.extend(CSV_COLUMNS);
    w.write_record(&header)
}

/// One replication's tidy rows (no header): `keys` (swept values), then `point`,
/// replication, scope, metric, value (empty when undefined). Streamed while the run goes on.
pub fn write_csv_replication_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    point: u64,
    keys: &[&str],
    replication: u32,
    b: &OutcomeBuilder,
) -> csv::Result<()> {
    let (point, rep) = (point.to_string(), replication.to_string());
    let mut result = Ok(());
    b.for_each_value(|scope, metric, value| {
        if result.is_err() {
            return;
        }
        let value = value.map(fmt_num).unwrap_or_default();
        let mut r = keys.to_vec();
        r.extend([point.as_str(), rep.as_str(), scope, metric, value.as_str()]);
        result = w.write_record(&r);
    });
    result
}

/// One point's summary rows (no header): as the replication rows, with `replication` =
/// `mean`, `ci95_lo`, `ci95_hi`.
pub fn write_csv_summary_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    point: u64,
    keys: &[&str],
    o: &Outcome,
) -> csv::Result<()> {
    let point = point.to_string();
    for (scope, s) in tidy_scopes(o) {
        for m in &s.metrics {
            for (label, value) in [
                ("mean", m.estimate.map(|e| e.mean)),
                ("ci95_lo", m.estimate.map(|e| e.ci95.0)),
                ("ci95_hi", m.estimate.map(|e| e.ci95.1)),
            ] {
                let value = value.map(fmt_num).unwrap_or_default();
                let mut r = keys.to_vec();
                r.extend([
                    point.as_str(),
                    label,
                    scope.as_str(),
                    m.name,
                    value.as_str(),
                ]);
                w.write_record(&r)?;
            }
        }
    }
    Ok(())
}

/// Shortest round-trip representation of a float (integers without `.0`).
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
