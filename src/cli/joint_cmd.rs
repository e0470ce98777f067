//! `ccsim staff` with several groups (`--group a --group b`, or every group of a scenario
//! that has several): joint staffing at least total cost (method: [`ccsim::staff::joint`]),
//! reported per interval with each group's headcount.

use super::staff_cmd::{
    estimate_json, fmt_estimate, fresh_seeds_line, heading, heads_list, interval_start, per_group,
    render, report_json, report_path, staff_error, with_verdict, Question, SearchArgs,
};
use super::CommonArgs;
use anyhow::Result;
use ccsim::report::tabular::{grid, Align};
use ccsim::report::Format;
use ccsim::staff::agent_hours;
use ccsim::staff::joint::{self, JointAnswer, JointQuery};
use ccsim::stats::Estimate;
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::PathBuf;

pub(super) fn cmd_joint(
    args: &SearchArgs,
    common: &CommonArgs,
    question: Question,
    format: Format,
    scenario_out: Option<PathBuf>,
) -> Result<()> {
    let query = JointQuery {
        scenario: question.scenario,
        groups: question.groups,
        targets: question.targets,
        confidence: args.confidence.into(),
        options: common.run_options(),
        max_simulations: args.max_simulations,
        max_agents: args.max_agents,
    };
    let answer = joint::search(&query).map_err(staff_error)?;
    let names: Vec<&str> = query
        .groups
        .iter()
        .map(|&g| query.scenario.agent_groups[g].name.as_str())
        .collect();
    // Scheduled heads with shrinkage (the scenario keeps it), else the staffing.
    let staffing: Vec<(&str, &[u32])> = names
        .iter()
        .zip(answer.scheduled())
        .map(|(n, s)| (*n, s.as_slice()))
        .collect();
    let path = report_path(args, common, scenario_out.as_deref(), &staffing)?;
    render(
        format,
        path,
        || joint_json(&query, &names, &answer),
        || super::staff_cmd::joint_html::page(&query, &names, &answer),
        |width| joint_table(&query, &names, &answer, width),
        || joint_csv(&query, &names, &answer),
    )
}

fn joint_json(q: &JointQuery, names: &[&str], a: &JointAnswer) -> Value {
    let s = &q.scenario;
    let metrics = |row: &[Option<Estimate>]| -> Value {
        Value::Object(
            a.labels
                .iter()
                .zip(row)
                .map(|(l, e)| (l.clone(), estimate_json(e)))
                .collect(),
        )
    };
    let column = |m: &[Vec<u32>], k: usize| -> Vec<u32> { m.iter().map(|r| r[k]).collect() };
    let intervals: Vec<Value> = (0..s.simulation.intervals)
        .map(|k| {
            json!({
                "start_s": k as f64 * s.simulation.interval,
                "agents": per_group(names, &column(&a.staffing, k)),
                "min_agents": per_group(names, &column(&a.floor, k)),
                "metrics": metrics(a.evaluation.at(k)),
                "erlang_agents": per_group(names, &column(&a.erlang, k)),
                "erlang_metrics": metrics(a.erlang_evaluation.at(k)),
                "erlang_meets_targets": a.erlang_evaluation.slack[k] >= 0.0,
                "fresh_seed_metrics": metrics(a.validation.at(k)),
                "holds_on_fresh_seeds": a.validation.slack[k] >= 0.0,
            })
        })
        .collect();
    let hours: Vec<f64> = a.staffing.iter().map(|st| agent_hours(s, st)).collect();
    let mut out = report_json(
        s,
        ("groups", json!(names)),
        &q.targets,
        q.confidence,
        a.simulations,
        json!({
            "staffing": per_group(names, &a.staffing.iter().map(|st| Value::from(st.clone())).collect::<Vec<_>>()),
            "agent_hours": per_group(names, &hours),
            "cost_per_hour": per_group(names, &a.cost_per_hour),
            "cost": a.cost(s),
            "cost_lower_bound": {
                "value": a.lower_bound,
                "rule": "Erlang relaxation: per interval all staffed (and held) agents pooled into one queue for the staffed call types, targets without a call type, each group's floor, the rest at the cheapest group's hourly cost; bounds the Erlang model, not the simulation",
            },
            "erlang": {
                "staffing": per_group(names, &a.erlang.iter().map(|st| Value::from(st.clone())).collect::<Vec<_>>()),
                "cost": joint::total_cost(s, &a.cost_per_hour, &a.erlang),
                "meets_targets_in_simulation": a.erlang_evaluation.meets(),
            },
            "validation": with_verdict(json!({
                "rule": "re-simulated on streams the search never used; an interval holds when it meets every target by the search's confidence rule",
                "rounds": a.validation_rounds,
            }), &a.validation),
            "degenerate_targets": q.targets.iter().filter(|t| t.degenerate()).map(ToString::to_string).collect::<Vec<_>>(),
            "intervals": intervals,
        }),
    );
    if let Some(sh) = &a.shrinkage {
        out["shrinkage"] = json!({
            "shares": per_group(names, &sh.shares),
            "rule": "staffing is heads on the phones (searched with shrinkage 0); scheduled = ceil(on_phones / (1 - shrinkage)) per group, re-simulated with shrinkage on fresh streams, one head more where an interval misses for the cheapest group that can help",
            "scheduled": per_group(names, &sh.scheduled.iter().map(|st| Value::from(st.clone())).collect::<Vec<_>>()),
            "rounds": sh.rounds,
            "flagged_intervals": sh.check.misses(),
        });
    }
    out
}

fn joint_table(q: &JointQuery, names: &[&str], a: &JointAnswer, width: Option<u16>) -> String {
    let s = &q.scenario;
    let mut out = String::new();
    let who = format!("agent groups {} jointly", names.join(" + "));
    heading(&mut out, &who, s, &q.targets, q.confidence, a.simulations);
    let mut columns: Vec<(String, Align)> = vec![
        ("interval".into(), Align::Right),
        ("start".into(), Align::Right),
    ];
    for n in names {
        columns.push((n.to_string(), Align::Right));
        columns.push((format!("{n} (erlang)"), Align::Right));
    }
    for l in &a.labels {
        columns.push((format!("{l} (fresh seeds)"), Align::Right));
    }
    let rows = (0..s.simulation.intervals).map(|k| {
        let mut row = vec![k.to_string(), interval_start(s, k)];
        for i in 0..names.len() {
            row.push(a.staffing[i][k].to_string());
            row.push(a.erlang[i][k].to_string());
        }
        let flag = if a.validation.slack[k] >= 0.0 {
            ""
        } else {
            " !"
        };
        for e in a.validation.at(k) {
            row.push(format!("{}{flag}", fmt_estimate(e)));
        }
        row
    });
    out.push_str(&grid(columns, rows, width));
    let _ = writeln!(
        out,
        "total cost: {:.2} ({}; the Erlang start: {:.2}, {} in simulation)",
        a.cost(s),
        names
            .iter()
            .enumerate()
            .map(|(i, n)| format!(
                "{n} {:.1} agent-hours at {}",
                agent_hours(s, &a.staffing[i]),
                a.cost_per_hour[i]
            ))
            .collect::<Vec<_>>()
            .join(", "),
        joint::total_cost(s, &a.cost_per_hour, &a.erlang),
        if a.erlang_evaluation.meets() {
            "meeting the targets".to_string()
        } else {
            format!(
                "missing them in {} interval(s)",
                a.erlang_evaluation.misses().len()
            )
        }
    );
    let _ = writeln!(
        out,
        "cost ≥ {:.2} (Erlang relaxation: every staffed agent pooled at the cheapest hourly cost; a bound in the Erlang model, not a proof for the simulation)",
        a.lower_bound
    );
    let detail = format!("{} round(s)", a.validation_rounds);
    let k = fresh_seeds_line(&mut out, &a.validation, s.simulation.intervals, &detail);
    if let Some(sh) = &a.shrinkage {
        let _ = writeln!(
            out,
            "shrinkage: the staffing is heads on the phones; scheduled heads = ⌈on phones / (1 − shrinkage)⌉ per group ({}) plus what the check with shrinkage on fresh seeds added, holding there in {} of {k}; the lines below are scheduled heads",
            names
                .iter()
                .zip(&sh.shares)
                .map(|(n, x)| format!("{n} {:.0}%", x * 100.0))
                .collect::<Vec<_>>()
                .join(", "),
            sh.check.judged() - sh.check.misses().len()
        );
    }
    for (n, st) in names.iter().zip(a.scheduled()) {
        let _ = writeln!(out, "{n}: staffing = {}", heads_list(st));
    }
    out
}

fn joint_csv(q: &JointQuery, names: &[&str], a: &JointAnswer) -> String {
    let s = &q.scenario;
    let mut out = String::from("interval,start_s");
    // Column names carry group and call-type names (commas, quotes): one field each, quoted
    // whole where it needs it.
    let mut column = |name: String| {
        let _ = write!(out, ",{}", ccsim::report::csv::field(&name));
    };
    for n in names {
        column(format!("{n}_agents"));
        column(format!("{n}_erlang_agents"));
    }
    if a.shrinkage.is_some() {
        for n in names {
            column(format!("{n}_scheduled_agents"));
        }
    }
    for l in &a.labels {
        for stat in ["mean", "ci95_lo", "ci95_hi"] {
            column(format!("{l}_{stat}"));
        }
    }
    out.push('\n');
    for k in 0..s.simulation.intervals {
        let _ = write!(out, "{k},{}", k as f64 * s.simulation.interval);
        for i in 0..names.len() {
            let _ = write!(out, ",{},{}", a.staffing[i][k], a.erlang[i][k]);
        }
        if let Some(sh) = &a.shrinkage {
            for st in &sh.scheduled {
                let _ = write!(out, ",{}", st[k]);
            }
        }
        for e in a.evaluation.at(k) {
            match e {
                Some(e) => {
                    let _ = write!(out, ",{},{},{}", e.mean, e.ci95.0, e.ci95.1);
                }
                None => out.push_str(",,,"),
            }
        }
        out.push('\n');
    }
    out
}
