//! `ccsim compare A.toml B.toml`: both scenarios with common random numbers, B − A per metric
//! with a paired 95% interval, and the money view.

use super::run_cmd::{FIGURE_COLUMNS, SWING_COLUMNS};
use super::BadInput;
use super::{emit, CommonArgs};
use anyhow::Result;
use ccsim::compare::{
    assumed_money, compare, simulate_ranges, staffing_saving, AssumedMoney, Comparison,
    MetricComparison, MoneyFigure, StaffingSaving,
};
use ccsim::experiment::run_paired;
use ccsim::report::tabular::{grid, Align};
use ccsim::report::{json_text, Format};
use ccsim::staff::Target;
use ccsim::stats::Estimate;
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
    /// Draws of the assumption ranges (e.g. `customers.customer_value = { low, mode, high }`)
    /// for each money figure's assumption interval; re-scoring, not re-simulating.
    #[arg(long, default_value_t = 200, allow_negative_numbers = true, value_parser = super::whole_arg::<u32>(super::ASSUMPTION_DRAWS, 1, super::MAX_ASSUMPTION_DRAWS))]
    assumption_draws: u32,
    /// The hard saving: also search the agents each scenario needs to meet this target
    /// (`service_level>=0.8`, as for `ccsim staff --target`; repeat for several) in the
    /// `--staffing-group`, and report the agent-hours of A and B and their difference.
    #[arg(long = "staffing-target", value_name = "TARGET")]
    staffing_target: Vec<String>,
    /// The agent group whose staffing is searched (default: the only group).
    #[arg(long = "staffing-group", value_name = "NAME")]
    staffing_group: Option<String>,
    /// Independent paired searches behind the saving's interval (different base seeds).
    #[arg(long = "staffing-seeds", default_value_t = 3, allow_negative_numbers = true, value_parser = super::whole_arg::<u32>("the number of staffing seeds", 1, 100))]
    staffing_seeds: u32,
    #[command(flatten)]
    pub(super) common: CommonArgs,
}

pub(super) fn cmd_compare(args: CompareArgs) -> Result<()> {
    args.common
        .refuse_overwriting(&[], &[("scenario A", &args.a), ("scenario B", &args.b)])?;
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
    let targets: Vec<Target> = args
        .staffing_target
        .iter()
        .map(|t| {
            t.parse::<Target>()
                .map_err(|m| BadInput(format!("--staffing-target {t:?}: {m}")))
        })
        .collect::<Result<_, _>>()?;
    let group = match (&args.staffing_group, a.agent_groups.as_slice()) {
        (Some(g), _) => Some(g.clone()),
        (None, [only]) => Some(only.name.clone()),
        (None, _) if targets.is_empty() => None,
        (None, groups) => {
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            return Err(BadInput(format!(
                "--staffing-target needs --staffing-group NAME: {} has several agent groups ({})",
                a.source,
                names.join(", ")
            ))
            .into());
        }
    };
    // One set of options, so every simulation of the command shares one pool of threads.
    let run_options = args.common.run_options();
    let paired = run_paired(&a, &b, run_options.clone()).map_err(super::run_error)?;
    let saving = match group {
        Some(g) if !targets.is_empty() => Some(
            staffing_saving(&a, &b, &g, &targets, args.staffing_seeds, &run_options)
                .map_err(super::staff_cmd::staff_error)?,
        ),
        _ => None,
    };
    let mut comparison = compare(&paired);
    // Attrition and new-hire proficiency ranges change the simulation: re-simulated at their
    // low and high (two paired runs each; none when no such range is given).
    let simulated = simulate_ranges(&a, &b, &paired, &run_options).map_err(super::run_error)?;
    let assumed = assumed_money(
        &mut comparison,
        &paired,
        &a,
        &b,
        &simulated,
        a.simulation.seed,
        args.assumption_draws as usize,
    );
    let text = match format {
        Format::Json => {
            let mut v = comparison_json(&comparison);
            if let Some(m) = v["money"].as_object_mut() {
                m.extend(assumed_json(&assumed, comparison.money.program.is_some()));
                if let Some(s) = &saving {
                    m.insert("staffing".into(), saving_json(s));
                }
            }
            json_text(&v)
        }
        Format::Csv => comparison_csv(&comparison),
        Format::Html => ccsim::report::manager::page(
            &comparison,
            &paired,
            Some(&assumed),
            saving.as_ref(),
            &a,
            &b,
        ),
        Format::Table => {
            let width = super::terminal_width(args.common.output.is_none());
            let mut t = comparison_table(&comparison, width);
            t.push_str(&assumed_table(&assumed, width));
            t.push_str(&program_table(&comparison, &assumed, width));
            if let Some(s) = &saving {
                t.push_str(&saving_text(s));
            }
            t
        }
    };
    emit(&text, args.common.output.as_deref())
}

/// A money figure: `{ "mean", "ci95", "assumption_range" }`.
fn money_estimate(e: &ccsim::money::MoneyEstimate) -> Value {
    json!({
        "mean": e.mean,
        "ci95": [e.ci95.0, e.ci95.1],
        "assumption_range": [e.assumption_range.0, e.assumption_range.1],
        "basis": "assumed",
    })
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
    let mut out = json!({
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
            // Which money figures rest on assumptions (customer value, loyalty, program
            // costs, discount rate) and which the simulation measures from the scenario's
            // own inputs.
            "basis": {
                "staffing_cost_change": "measured",
                "training_investment_change": "measured",
                "revenue_at_risk_change": "assumed",
                "net_benefit_per_horizon": "assumed",
                "payback_horizons": "assumed",
            },
        },
    });
    // Training programs (both scenarios): NPV and payback of the daily cash flow; payback
    // is null when no replication paid back within the run.
    if let (Some(p), Some(m)) = (money.program, out["money"].as_object_mut()) {
        m.insert("npv".into(), money_estimate(&p.npv));
        m.insert(
            "payback_days".into(),
            p.payback_days.map_or(Value::Null, |e| money_estimate(&e)),
        );
        // The cumulative cash flow B − A per day (undiscounted), each with both intervals.
        let days: Vec<Value> = money
            .cash_flow
            .iter()
            .enumerate()
            .map(|(d, f)| {
                json!({
                    "day": d,
                    "mean": f.mean,
                    "ci95": f.ci95.map(|(lo, hi)| [lo, hi]),
                    "assumption_range": f.assumption_range.map(|(lo, hi)| [lo, hi]),
                })
            })
            .collect();
        m.insert("cash_flow".into(), Value::Array(days));
    }
    out
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
    let cell = |v: f64| format!("{v:.2}");
    let mut rows = vec![
        vec![
            "staffing cost change".to_string(),
            cell(money.staffing_cost_change),
            String::new(),
        ],
        vec![
            "training investment change".to_string(),
            cell(money.training_investment_change),
            String::new(),
        ],
    ];
    if let Some(r) = money.revenue_at_risk_change {
        rows.push(vec![
            "revenue at risk change".to_string(),
            cell(r.mean),
            format!("[{:.2}, {:.2}]", r.ci95.0, r.ci95.1),
        ]);
    }
    if let Some(n) = money.net_benefit_per_horizon {
        rows.push(vec![
            "net benefit (risk saved − staffing cost)".to_string(),
            cell(n),
            String::new(),
        ]);
    }
    match money.payback_horizons {
        Some(p) => rows.push(vec![
            "training pays back after, horizons".to_string(),
            format!("{p:.1}"),
            String::new(),
        ]),
        // A row of one cell: a remark across the table.
        None if money.training_investment_change > 0.0 => {
            rows.push(vec![
                "training does not pay back (no net benefit)".to_string()
            ]);
        }
        None => {}
    }
    let columns = [
        ("figure", Align::Left),
        ("B − A", Align::Right),
        ("95% CI", Align::Right),
    ];
    out.push_str(&grid(columns, rows, width));
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

/// A money figure: `{"mean", "ci95", "assumption_range", "basis": "assumed"}` (null when
/// undefined, e.g. no payback).
fn figure_json(f: &Option<MoneyFigure>) -> Value {
    match f {
        Some(f) => json!({
            "mean": f.mean,
            "ci95": f.ci95.map(|(lo, hi)| [lo, hi]),
            "assumption_range": f.assumption_range.map(|(lo, hi)| [lo, hi]),
            "basis": "assumed",
        }),
        None => Value::Null,
    }
}

/// The assumption-propagated money keys added to `money`: each figure with both intervals,
/// the draws used, the ranged keys, and the sensitivity table (widest swing first; a program
/// pair adds the swings of NPV and payback in days).
fn assumed_json(m: &AssumedMoney, program: bool) -> serde_json::Map<String, Value> {
    let swings = |v: &[ccsim::model::assumptions::Swing]| -> Value {
        v.iter()
            .map(|s| json!({"assumption": s.key, "at_low": s.at_low, "at_high": s.at_high}))
            .collect()
    };
    let mut out = serde_json::Map::new();
    out.insert("assumption_draws".into(), json!(m.draws));
    out.insert(
        "revenue_at_risk".into(),
        figure_json(&m.revenue_at_risk_change),
    );
    out.insert("net_benefit".into(), figure_json(&m.net_benefit));
    out.insert("payback".into(), figure_json(&m.payback));
    if m.revenue_upside_change.is_some() {
        out.insert(
            "revenue_upside".into(),
            figure_json(&m.revenue_upside_change),
        );
    }
    out.insert("assumptions".into(), json!(m.keys));
    let swings_u = |v: &[ccsim::model::assumptions::SwingU]| -> Value {
        v.iter()
            .map(|s| json!({"assumption": s.key, "at_low": s.at_low, "at_high": s.at_high}))
            .collect()
    };
    let mut sensitivity = json!({
        "net_benefit": swings(&m.sensitivity_net_benefit),
        "payback": swings(&m.sensitivity_payback),
    });
    if program {
        sensitivity["npv"] = swings_u(&m.sensitivity_npv);
        sensitivity["payback_days"] = swings_u(&m.sensitivity_payback_days);
    }
    out.insert("sensitivity".into(), sensitivity);
    out
}

/// The money figures with both intervals, then the sensitivity table.
fn assumed_table(m: &AssumedMoney, width: Option<u16>) -> String {
    let mut out = format!(
        "\nmoney with both intervals (simulation 95% CI; assumption 95% range over {} draws)\n",
        m.draws
    );
    let rows: Vec<Vec<String>> = [
        (
            "revenue at risk change (assumed)",
            &m.revenue_at_risk_change,
        ),
        ("net benefit per horizon (assumed)", &m.net_benefit),
        ("revenue upside change (assumed)", &m.revenue_upside_change),
        ("payback, days (assumed)", &m.payback),
    ]
    .into_iter()
    .filter_map(|(label, f)| {
        let f = f.as_ref()?;
        Some(vec![
            label.to_string(),
            format!("{:.2}", f.mean),
            pair(f.ci95),
            pair(f.assumption_range),
        ])
    })
    .collect();
    if !rows.is_empty() {
        out.push_str(&grid(FIGURE_COLUMNS, rows, width));
    }
    if m.sensitivity_net_benefit.is_empty() {
        out.push_str("  no assumption is given as a range: the assumption intervals are points\n");
    } else {
        out.push_str(
            "\nsensitivity of net benefit per horizon (assumption low → high, others at mode)\n",
        );
        let rows = m.sensitivity_net_benefit.iter().map(|s| {
            vec![
                s.key.clone(),
                format!("{:.2}", s.at_low),
                format!("{:.2}", s.at_high),
            ]
        });
        out.push_str(&grid(SWING_COLUMNS, rows, width));
    }
    out
}

/// An interval `[lo, hi]`, or `n/a`.
fn pair(p: Option<(f64, f64)>) -> String {
    p.map_or_else(
        || "n/a".to_string(),
        |(lo, hi)| format!("[{lo:.2}, {hi:.2}]"),
    )
}

/// A program pair: NPV and payback in days with both intervals, the cumulative cash flow at
/// the end of each week, and the sensitivity of NPV and payback (widest first).
fn program_table(c: &Comparison, m: &AssumedMoney, width: Option<u16>) -> String {
    let Some(p) = &c.money.program else {
        return String::new();
    };
    let mut out = format!(
        "\nprogram cash flow B − A ({} paired replications; simulation 95% CI; assumption 95% range over {} draws)\n",
        p.replications, m.draws
    );
    let mut rows = vec![vec![
        "NPV (assumed)".to_string(),
        format!("{:.2}", p.npv.mean),
        pair(Some(p.npv.ci95)),
        pair(Some(p.npv.assumption_range)),
    ]];
    match &p.payback_days {
        Some(e) => rows.push(vec![
            "payback, days (assumed)".to_string(),
            format!("{:.2}", e.mean),
            pair(Some(e.ci95)),
            pair(Some(e.assumption_range)),
        ]),
        // A row of one cell: a remark across the table.
        None => rows.push(vec![
            "the program does not pay back within the run".to_string()
        ]),
    }
    for (d, f) in c.money.cash_flow.iter().enumerate() {
        if (d + 1) % 7 == 0 || d + 1 == c.money.cash_flow.len() {
            rows.push(vec![
                format!("cumulative to day {d}"),
                format!("{:.2}", f.mean),
                pair(f.ci95),
                pair(f.assumption_range),
            ]);
        }
    }
    out.push_str(&grid(FIGURE_COLUMNS, rows, width));
    let end = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"));
    for (label, swings) in [
        ("NPV", &m.sensitivity_npv),
        ("payback, days", &m.sensitivity_payback_days),
    ] {
        if swings.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\nsensitivity of {label} (assumption low → high, others at mode)"
        );
        let rows = swings
            .iter()
            .map(|s| vec![s.key.clone(), end(s.at_low), end(s.at_high)]);
        out.push_str(&grid(SWING_COLUMNS, rows, width));
    }
    out
}

/// `money.staffing`: agent-hours each scenario needs for the targets, and B − A, each with its
/// interval over the independent paired searches.
fn saving_json(s: &StaffingSaving) -> Value {
    let e = |e: &Estimate| estimate(&Some(*e));
    json!({
        "group": s.group,
        "targets": s.targets,
        "searches": s.seeds,
        "method": "staffing search (as ccsim staff) on A and B with common random numbers, repeated for independent base seeds; Student-t 95% interval over the repetitions",
        "a_agent_hours": e(&s.a_agent_hours),
        "b_agent_hours": e(&s.b_agent_hours),
        "diff_agent_hours": e(&s.diff_agent_hours),
        "a_peak_agents": s.a_peak_agents,
        "b_peak_agents": s.b_peak_agents,
        "basis": "measured",
    })
}

/// The hard saving in one sentence, with its interval.
fn saving_text(s: &StaffingSaving) -> String {
    let d = s.diff_agent_hours;
    let (word, amount) = if d.mean <= 0.0 {
        ("fewer", -d.mean)
    } else {
        ("more", d.mean)
    };
    format!(
        "\nstaffing to meet {} in group {} ({} paired search(es)):\n  A needs {:.1} agent-hours (peak {:.0} agents), B {:.1} (peak {:.0}): B meets it with {amount:.1} {word} agent-hours per simulated day, B − A 95% CI [{:.1}, {:.1}]\n",
        s.targets.join(", "),
        s.group,
        s.seeds,
        s.a_agent_hours.mean,
        s.a_peak_agents,
        s.b_agent_hours.mean,
        s.b_peak_agents,
        d.ci95.0,
        d.ci95.1
    )
}
