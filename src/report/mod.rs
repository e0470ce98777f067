//! Output: the contract's JSON, tidy CSV for pandas/polars/R, and a terminal table that puts
//! scenarios side by side. Reports are built in memory and written whole (see `cli`).

mod html;
mod table;

pub use html::html;
pub use table::table;

use crate::experiment::{Metric, Outcome, Scope};
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

/// Tidy long CSV: `point,replication,scope,metric,value`, one row per replication value, then
/// summary rows with `replication` = `mean`, `ci95_lo`, `ci95_hi`. Undefined values are empty.
/// `extra` prepends columns (swept keys) with one value list per point.
pub fn csv_text(outcomes: &[Outcome], extra: &[(String, Vec<String>)]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = extra.iter().map(|(k, _)| k.as_str()).collect();
    header.extend(CSV_COLUMNS);
    let _ = w.write_record(&header);
    for (point, o) in outcomes.iter().enumerate() {
        let keys: Vec<&str> = extra.iter().map(|(_, v)| v[point].as_str()).collect();
        write_csv_rows(&mut w, point as u64, &keys, o);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One point's tidy rows (no header): `keys` (swept values), then `point`, replication or
/// summary label, scope, metric, value.
pub fn write_csv_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    point: u64,
    keys: &[&str],
    o: &Outcome,
) {
    let point = point.to_string();
    for (scope, s) in tidy_scopes(o) {
        for m in &s.metrics {
            let mut row = |rep: &str, value: Option<f64>| {
                let value = value.map(fmt_num).unwrap_or_default();
                let mut r = keys.to_vec();
                r.extend([point.as_str(), rep, scope.as_str(), m.name, value.as_str()]);
                let _ = w.write_record(&r);
            };
            for (i, v) in m.values.iter().enumerate() {
                row(&i.to_string(), *v);
            }
            row("mean", m.estimate.map(|e| e.mean));
            row("ci95_lo", m.estimate.map(|e| e.ci95.0));
            row("ci95_hi", m.estimate.map(|e| e.ci95.1));
        }
    }
}

/// Shortest round-trip representation of a float (integers without `.0`).
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
