//! `ccsim compare A.toml B.toml`: both scenarios with common random numbers, B − A per metric
//! with a paired 95% interval, and the money view.

use super::{emit, CommonArgs};
use crate::compare::{compare, Comparison, MetricComparison};
use crate::experiment::run_paired;
use crate::report::table::{grid, Align};
use crate::report::{json_text, Format};
use crate::stats::Estimate;
use anyhow::Result;
use clap::Args;
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct CompareArgs {
    /// Baseline scenario.
    a: PathBuf,
    /// Alternative scenario; differences are B − A.
    b: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

pub(super) fn cmd_compare(args: CompareArgs) -> Result<()> {
    let format = args.common.format_for("compare")?;
    let a = args.common.load(&args.a)?;
    let mut b = args.common.load(&args.b)?;
    // Common random numbers need the same seed and replication count: A's (or the flags').
    if b.simulation.seed != a.simulation.seed
        || b.simulation.replications != a.simulation.replications
    {
        eprintln!(
            "note: {} runs with {}'s seed {} and {} replications, so the two share random numbers",
            b.source, a.source, a.simulation.seed, a.simulation.replications
        );
        b.simulation.seed = a.simulation.seed;
        b.simulation.replications = a.simulation.replications;
    }
    let paired = run_paired(&a, &b, args.common.run_options()).map_err(super::run_error)?;
    let comparison = compare(&paired);
    let text = match format {
        Format::Json => json_text(&comparison_json(&comparison)),
        Format::Csv => comparison_csv(&comparison),
        Format::Html => crate::report::manager::page(&comparison, &paired),
        Format::Table => comparison_table(
            &comparison,
            super::terminal_width(args.common.output.is_none()),
        ),
    };
    emit(&text, args.common.output.as_deref())
}

fn estimate(e: &Option<Estimate>) -> Value {
    match e {
        Some(e) => json!({"mean": e.mean, "ci95": [e.ci95.0, e.ci95.1]}),
        None => Value::Null,
    }
}

/// The contract's compare object, plus `money`.
pub fn comparison_json(c: &Comparison) -> Value {
    let metrics: serde_json::Map<String, Value> = c
        .metrics
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                json!({
                    "a": estimate(&m.a),
                    "b": estimate(&m.b),
                    "diff": estimate(&m.diff),
                    "significant": m.significant(),
                }),
            )
        })
        .collect();
    let money = &c.money;
    json!({
        "a": c.a,
        "b": c.b,
        "replications": c.replications,
        "metrics": metrics,
        "money": {
            "staffing_cost_change": money.staffing_cost_change,
            "training_investment_change": money.training_investment_change,
            "revenue_at_risk_change": estimate(&money.revenue_at_risk_change),
            "net_benefit_per_horizon": money.net_benefit_per_horizon,
            "payback_horizons": money.payback_horizons,
        },
    })
}

fn comparison_csv(c: &Comparison) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "metric",
        "a_mean",
        "a_ci95_lo",
        "a_ci95_hi",
        "b_mean",
        "b_ci95_lo",
        "b_ci95_hi",
        "diff_mean",
        "diff_ci95_lo",
        "diff_ci95_hi",
        "significant",
    ]);
    for m in &c.metrics {
        let mut row = vec![m.name.clone()];
        for e in [&m.a, &m.b, &m.diff] {
            match e {
                Some(e) => row.extend([e.mean, e.ci95.0, e.ci95.1].map(|v| v.to_string())),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        row.push(m.significant().to_string());
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The metrics side by side (A, B, B − A with its paired interval, `*` when it excludes 0),
/// then the money view; wrapped to `width` when given.
fn comparison_table(c: &Comparison, width: Option<u16>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "A = {}\nB = {}\n{} paired replications (common random numbers)\n",
        c.a, c.b, c.replications
    );
    let columns = [
        ("metric", Align::Left),
        ("A", Align::Right),
        ("B", Align::Right),
        ("B − A (95% CI)", Align::Right),
        ("", Align::Mark),
    ];
    out.push_str(&grid(columns, c.metrics.iter().map(row), width));
    let money = &c.money;
    let _ = writeln!(out, "\nmoney, per simulated horizon");
    let _ = writeln!(
        out,
        "  staffing cost change        {:>14.2}",
        money.staffing_cost_change
    );
    let _ = writeln!(
        out,
        "  training investment change  {:>14.2}",
        money.training_investment_change
    );
    if let Some(r) = money.revenue_at_risk_change {
        let _ = writeln!(
            out,
            "  revenue at risk change      {:>14.2}   [{:.2}, {:.2}]",
            r.mean, r.ci95.0, r.ci95.1
        );
    }
    if let Some(n) = money.net_benefit_per_horizon {
        let _ = writeln!(out, "  net benefit (risk saved − staffing cost) {n:>10.2}");
    }
    match money.payback_horizons {
        Some(p) => {
            let _ = writeln!(out, "  training pays back after    {p:>14.1} horizon(s)");
        }
        None if money.training_investment_change > 0.0 => {
            let _ = writeln!(out, "  training does not pay back (no net benefit)");
        }
        None => {}
    }
    out.push_str("\n* the paired 95% interval of B − A excludes 0.\n");
    out
}

/// One metric's cells: name, A, B, B − A [95% CI], and the mark.
fn row(m: &MetricComparison) -> Vec<String> {
    let fmt = |e: &Option<Estimate>| e.map_or_else(|| "n/a".to_string(), |e| short(e.mean));
    let diff = m.diff.map_or_else(
        || "n/a".to_string(),
        |d| {
            format!(
                "{} [{}, {}]",
                short(d.mean),
                short(d.ci95.0),
                short(d.ci95.1)
            )
        },
    );
    let star = if m.significant() { "*" } else { "" };
    vec![m.name.clone(), fmt(&m.a), fmt(&m.b), diff, star.to_string()]
}

/// Four significant digits, enough to read a difference.
fn short(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.3}")
    } else {
        format!("{v:.4}")
    }
}
