//! `ccsim roster SCENARIO.toml --target … --shifts shifts.toml`: how many agents start on each
//! allowed shift so that the staffing search's requirement is covered at least cost and the
//! targets hold on fresh seeds (method: [`ccsim::staff::roster`]); `--output roster.toml`
//! writes the scenario with the roster's staffing.

use super::staff_cmd::{
    clock, estimate_json, fmt_estimate, formats, fresh_seeds_line, heading, heads_list,
    interval_start, list_of, per_group, question, render, report_json, report_path, required_cell,
    staff_error, with_verdict, Question, SearchArgs,
};
use super::{BadInput, CommonArgs};
use anyhow::Result;
use ccsim::report::tabular::{grid, Align};
use ccsim::report::Format;
use ccsim::scenario::Scenario;
use ccsim::staff::joint::{self, JointQuery};
use ccsim::staff::roster::{self, RosterAnswer, RosterQuery, ShiftColumn};
use ccsim::staff::roster::{JointRosterAnswer, JointRosterQuery};
use ccsim::staff::{agent_hours, Evaluation, StaffError, Target};
use ccsim::stats::Estimate;
use clap::Args;
use serde_json::{json, Map, Value};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(super) struct RosterArgs {
    #[command(flatten)]
    search: SearchArgs,
    /// Allowed shifts (TOML: [[shifts]] with start, length, breaks, days, cost, min/max
    /// agents; see docs/staffing.md).
    #[arg(long, value_name = "SHIFTS.toml")]
    shifts: PathBuf,
    #[command(flatten)]
    pub(super) common: CommonArgs,
}

pub(super) fn cmd_roster(args: RosterArgs) -> Result<()> {
    args.common.refuse_overwriting(
        &[],
        &[
            ("the scenario", &args.search.scenario),
            ("--shifts", &args.shifts),
        ],
    )?;
    let (format, scenario_out) = formats(&args.common)?;
    // The integer program's branch and bound is the part no estimate foresees: many shifts
    // that can cover the same hours make its tree grow (see `memory_guard`).
    super::memory_guard::set_note(
        "the roster's integer program grows with the shifts that can cover the same hours: \
         fewer shifts or start times, fewer days, or a longer simulation.interval",
    );
    let question = question(&args.search, &args.common)?;
    if question.groups.len() > 1 {
        return cmd_roster_joint(&args, question, format, scenario_out);
    }
    let staff = question.one_group(&args.search, &args.common, "roster")?;
    let text = args.common.read_input(&args.shifts)?;
    let columns = roster::parse_shifts(
        &text,
        &args.shifts.display().to_string(),
        &staff.scenario,
        staff.group,
    )
    .map_err(BadInput)?;
    let query = RosterQuery { staff, columns };
    let answer = roster::roster(&query).map_err(|e| roster_error(&args.shifts, e))?;
    let name = query.staff.scenario.agent_groups[query.staff.group]
        .name
        .as_str();
    let path = report_path(
        &args.search,
        &args.common,
        scenario_out.as_deref(),
        &[(name, &answer.staffing)],
    )?;
    render(
        format,
        path,
        || roster_json(&query, &answer),
        || super::staff_cmd::roster_html::page(&query, &answer),
        |width| roster_table(&query, &answer, width),
        || roster_csv(&query, &answer),
    )
}

/// A roster error: bad input found in the shifts names the shifts file; the rest as for
/// staffing.
fn roster_error(shifts: &Path, e: StaffError) -> anyhow::Error {
    match e {
        StaffError::Input(m) => BadInput(format!("{}: {m}", shifts.display())).into(),
        e => staff_error(e),
    }
}

/// `{label: estimate}` of one interval's row of metrics.
fn metrics_json(labels: &[String], row: &[Option<Estimate>]) -> Value {
    Value::Object(
        labels
            .iter()
            .zip(row)
            .map(|(l, e)| (l.clone(), estimate_json(e)))
            .collect(),
    )
}

/// The shifts of the answer, one object per column; with `several` groups, each names its
/// group.
fn shifts_json(s: &Scenario, columns: &[ShiftColumn], counts: &[u32], several: bool) -> Value {
    let shifts: Vec<Value> = columns
        .iter()
        .zip(counts)
        .map(|(c, &n)| {
            let mut shift = Map::new();
            shift.insert("shift".into(), json!(c.label));
            if several {
                shift.insert("group".into(), json!(s.agent_groups[c.group].name));
            }
            let rest = json!({
                "start": c.start_clock,
                "start_s": c.start_s,
                "length_s": c.length_s,
                "agents": n,
                "cost_per_agent": c.cost,
                "cost": c.cost * f64::from(n),
            });
            if let Value::Object(rest) = rest {
                shift.extend(rest);
            }
            Value::Object(shift)
        })
        .collect();
    Value::from(shifts)
}

/// The shifts table (a group column with `several` groups), the total cost against
/// covering the requirement interval by interval, and a blank line.
fn shifts_table(
    out: &mut String,
    s: &Scenario,
    columns: &[ShiftColumn],
    counts: &[u32],
    several: bool,
    (cost, interval_by_interval_cost): (f64, Option<f64>),
    width: Option<u16>,
) {
    let mut heads: Vec<(String, Align)> = vec![
        ("shift".into(), Align::Left),
        ("start".into(), Align::Right),
        ("length".into(), Align::Right),
        ("agents".into(), Align::Right),
        ("cost/agent".into(), Align::Right),
        ("cost".into(), Align::Right),
    ];
    if several {
        heads.insert(1, ("group".into(), Align::Left));
    }
    let rows = columns.iter().zip(counts).map(|(c, &n)| {
        let mut row = vec![
            c.label.clone(),
            format!("{} ({})", c.start_clock, clock(c.start_s)),
            format!("{}h", c.length_s / 3600.0),
            n.to_string(),
            format!("{:.2}", c.cost),
            format!("{:.2}", c.cost * f64::from(n)),
        ];
        if several {
            row.insert(1, s.agent_groups[c.group].name.clone());
        }
        row
    });
    out.push_str(&grid(heads, rows, width));
    let rule = if several {
        "covering each group's requirement interval by interval with its cheapest shift"
    } else {
        "covering each interval's requirement in turn with its cheapest shift"
    };
    let _ = writeln!(
        out,
        "total cost: {cost:.2}{}",
        match interval_by_interval_cost {
            Some(c) => format!(" ({rule}: {c:.2})"),
            None => String::new(),
        }
    );
    out.push('\n');
}

/// `t` as one CSV field, quoted where it needs it. A name with a suffix is quoted whole
/// (`"a,b_required"`, not `"a,b"_required`).
fn csv_quote(t: &str) -> String {
    ccsim::report::csv::field(t)
}

/// The header and the shift rows of the roster CSV (a `group` field per shift with
/// `several` groups).
fn shifts_csv(s: &Scenario, columns: &[ShiftColumn], counts: &[u32], several: bool) -> String {
    let mut out = String::from("section,item,field,value\n");
    for (c, &n) in columns.iter().zip(counts) {
        let item = csv_quote(&c.label);
        if several {
            let group = csv_quote(&s.agent_groups[c.group].name);
            let _ = writeln!(out, "shift,{item},group,{group}");
        }
        let _ = writeln!(out, "shift,{item},start_s,{}", c.start_s);
        let _ = writeln!(out, "shift,{item},length_s,{}", c.length_s);
        let _ = writeln!(out, "shift,{item},agents,{n}");
        let _ = writeln!(out, "shift,{item},cost_per_agent,{}", c.cost);
        let _ = writeln!(out, "shift,{item},cost,{}", c.cost * f64::from(n));
    }
    out
}

/// Interval `k`'s fresh-seed estimates (rows for the measured ones) and whether it held.
fn fresh_seeds_csv(out: &mut String, k: usize, labels: &[String], v: &Evaluation) {
    for (l, e) in labels.iter().zip(v.at(k)) {
        if let Some(e) = e {
            for (stat, v) in [
                ("mean", e.mean),
                ("ci95_lo", e.ci95.0),
                ("ci95_hi", e.ci95.1),
            ] {
                let field = csv_quote(&format!("{l}_{stat}"));
                let _ = writeln!(out, "interval,{k},{field},{v}");
            }
        }
    }
    let _ = writeln!(
        out,
        "interval,{k},holds_on_fresh_seeds,{}",
        v.slack[k] >= 0.0
    );
}

/// The total rows of the roster CSV.
fn totals_csv(out: &mut String, cost: f64, interval_by_interval_cost: Option<f64>, sims: usize) {
    let _ = writeln!(out, "total,,cost,{cost}");
    if let Some(c) = interval_by_interval_cost {
        let _ = writeln!(out, "total,,interval_by_interval_cost,{c}");
    }
    let _ = writeln!(out, "total,,simulations,{sims}");
}

fn roster_json(q: &RosterQuery, a: &RosterAnswer) -> Value {
    let s = &q.staff.scenario;
    let labels: Vec<String> = q.staff.targets.iter().map(Target::label).collect();
    let shrinkage = a.requirement.shrinkage.as_ref();
    let intervals: Vec<Value> = (0..s.simulation.intervals)
        .map(|k| {
            let mut row = json!({
                "start_s": k as f64 * s.simulation.interval,
                "required": a.requirement.scheduled()[k],
                "required_after_rounds": a.required[k],
                "rostered": a.rostered[k],
                "agents": a.staffing[k],
                "metrics": metrics_json(&labels, a.evaluation.at(k)),
                "fresh_seed_metrics": metrics_json(&labels, a.validation.at(k)),
                "holds_on_fresh_seeds": a.validation.slack[k] >= 0.0,
            });
            if shrinkage.is_some() {
                row["on_phones"] = json!(a.requirement.staffing[k]);
            }
            row
        })
        .collect();
    let group = json!(s.agent_groups[q.staff.group].name);
    report_json(
        s,
        ("group", group),
        &q.staff.targets,
        q.staff.confidence,
        a.simulations,
        json!({
            "shifts": shifts_json(s, &q.columns, &a.counts, false),
            "total_cost": a.cost,
            "interval_by_interval_cost": a.interval_by_interval_cost,
            "staffing": a.staffing,
            "agent_hours": agent_hours(s, &a.staffing),
            "requirement": {
                "staffing": a.requirement.scheduled(),
                "agent_hours": agent_hours(s, a.requirement.scheduled()),
                "on_phones": a.requirement.staffing,
                "shrinkage": shrinkage.map_or(0.0, |sh| sh.share),
            },
            "validation": with_verdict(json!({
                "rule": "the roster's staffing re-simulated on streams neither the search nor its validation used; an interval holds when it meets every target by the search's confidence rule",
                "rounds": a.rounds,
                "raised_intervals": a.raised,
            }), &a.validation),
            "intervals": intervals,
        }),
    )
}

fn roster_table(q: &RosterQuery, a: &RosterAnswer, width: Option<u16>) -> String {
    let s = &q.staff.scenario;
    let mut out = String::new();
    let who = format!(
        "roster for agent group \"{}\"",
        s.agent_groups[q.staff.group].name
    );
    heading(
        &mut out,
        &who,
        s,
        &q.staff.targets,
        q.staff.confidence,
        a.simulations,
    );
    let costs = (a.cost, a.interval_by_interval_cost);
    shifts_table(&mut out, s, &q.columns, &a.counts, false, costs, width);
    let shrinkage = a.requirement.shrinkage.as_ref();
    let mut columns: Vec<(String, Align)> = ["interval", "start", "required", "rostered", "agents"]
        .map(|h| (h.to_string(), Align::Right))
        .into();
    if shrinkage.is_some() {
        // `required` is then scheduled heads; the heads on the phones they come from.
        columns.insert(2, ("on phones".into(), Align::Right));
    }
    for t in &q.staff.targets {
        columns.push((format!("{} (fresh seeds)", t.label()), Align::Right));
    }
    let rows = (0..s.simulation.intervals).map(|k| {
        let flag = if a.validation.slack[k] >= 0.0 {
            ""
        } else {
            " !"
        };
        let mut row = vec![
            k.to_string(),
            interval_start(s, k),
            required_cell(a.requirement.scheduled()[k], a.required[k]),
            format!("{:.1}", a.rostered[k]),
            a.staffing[k].to_string(),
        ];
        if shrinkage.is_some() {
            row.insert(2, a.requirement.staffing[k].to_string());
        }
        for i in 0..q.staff.targets.len() {
            row.push(format!("{}{flag}", fmt_estimate(&a.validation.at(k)[i])));
        }
        row
    });
    out.push_str(&grid(columns, rows, width));
    let detail = format!(
        "{} roster round(s){}",
        a.rounds,
        if a.raised.is_empty() {
            String::new()
        } else {
            format!("; requirement raised in interval(s) {}", list_of(&a.raised))
        }
    );
    fresh_seeds_line(&mut out, &a.validation, s.simulation.intervals, &detail);
    let _ = writeln!(
        out,
        "agent-hours on duty: {:.1} (requirement: {:.1})",
        agent_hours(s, &a.staffing),
        agent_hours(s, a.requirement.scheduled())
    );
    if let Some(sh) = shrinkage {
        let _ = writeln!(
            out,
            "shrinkage {:.0}%: required = scheduled heads = ⌈on phones / (1 − {})⌉{}; the roster is simulated with shrinkage on",
            sh.share * 100.0,
            sh.share,
            if sh.raised.is_empty() {
                String::new()
            } else {
                format!(
                    ", plus one where the staffing search's shrinkage check missed (interval(s) {})",
                    list_of(&sh.raised)
                )
            }
        );
    }
    let _ = writeln!(out, "staffing = {}", heads_list(&a.staffing));
    out
}

/// Tidy long CSV: `section,item,field,value` — one row per shift field, per interval field
/// and the totals, so one file holds the shifts table and the coverage.
fn roster_csv(q: &RosterQuery, a: &RosterAnswer) -> String {
    let s = &q.staff.scenario;
    let labels: Vec<String> = q.staff.targets.iter().map(Target::label).collect();
    let mut out = shifts_csv(s, &q.columns, &a.counts, false);
    for k in 0..s.simulation.intervals {
        let _ = writeln!(
            out,
            "interval,{k},start_s,{}",
            k as f64 * s.simulation.interval
        );
        let _ = writeln!(
            out,
            "interval,{k},required,{}",
            a.requirement.scheduled()[k]
        );
        if a.requirement.shrinkage.is_some() {
            let _ = writeln!(out, "interval,{k},on_phones,{}", a.requirement.staffing[k]);
        }
        let _ = writeln!(out, "interval,{k},required_after_rounds,{}", a.required[k]);
        let _ = writeln!(out, "interval,{k},rostered,{}", a.rostered[k]);
        let _ = writeln!(out, "interval,{k},agents,{}", a.staffing[k]);
        fresh_seeds_csv(&mut out, k, &labels, &a.validation);
    }
    totals_csv(&mut out, a.cost, a.interval_by_interval_cost, a.simulations);
    out
}

/// `ccsim roster` with several groups: the joint search, then one integer program over all
/// their shifts ([`roster::roster_joint`]).
fn cmd_roster_joint(
    args: &RosterArgs,
    question: Question,
    format: Format,
    scenario_out: Option<PathBuf>,
) -> Result<()> {
    let joint = JointQuery {
        scenario: question.scenario,
        groups: question.groups,
        targets: question.targets,
        confidence: args.search.confidence.into(),
        options: args.common.run_options(),
        max_simulations: args.search.max_simulations,
        max_agents: args.search.max_agents,
    };
    let text = args.common.read_input(&args.shifts)?;
    let columns = roster::parse_shifts_of(
        &text,
        &args.shifts.display().to_string(),
        &joint.scenario,
        &joint.groups,
    )
    .map_err(BadInput)?;
    let query = JointRosterQuery { joint, columns };
    let answer = roster::roster_joint(&query).map_err(|e| roster_error(&args.shifts, e))?;
    let s = &query.joint.scenario;
    let names: Vec<&str> = query
        .joint
        .groups
        .iter()
        .map(|&g| s.agent_groups[g].name.as_str())
        .collect();
    let staffing: Vec<(&str, &[u32])> = names
        .iter()
        .zip(&answer.staffing)
        .map(|(n, st)| (*n, st.as_slice()))
        .collect();
    let path = report_path(
        &args.search,
        &args.common,
        scenario_out.as_deref(),
        &staffing,
    )?;
    render(
        format,
        path,
        || joint_roster_json(&query, &names, &answer),
        || super::staff_cmd::roster_html::joint_page(&query, &names, &answer),
        |width| joint_roster_table(&query, &names, &answer, width),
        || joint_roster_csv(&query, &names, &answer),
    )
}

fn joint_roster_json(q: &JointRosterQuery, names: &[&str], a: &JointRosterAnswer) -> Value {
    let s = &q.joint.scenario;
    let labels = joint::judged(&q.joint).map(|j| j.0).unwrap_or_default();
    let column = |m: &[Vec<u32>], k: usize| -> Vec<u32> { m.iter().map(|r| r[k]).collect() };
    let lists =
        |m: &[Vec<u32>]| -> Vec<Value> { m.iter().map(|r| Value::from(r.clone())).collect() };
    let intervals: Vec<Value> = (0..s.simulation.intervals)
        .map(|k| {
            json!({
                "start_s": k as f64 * s.simulation.interval,
                "required": per_group(names, &column(a.requirement.scheduled(), k)),
                "required_after_rounds": per_group(names, &column(&a.required, k)),
                "rostered": per_group(names, &a.rostered.iter().map(|r| r[k]).collect::<Vec<_>>()),
                "agents": per_group(names, &column(&a.staffing, k)),
                "metrics": metrics_json(&labels, a.evaluation.at(k)),
                "fresh_seed_metrics": metrics_json(&labels, a.validation.at(k)),
                "holds_on_fresh_seeds": a.validation.slack[k] >= 0.0,
            })
        })
        .collect();
    report_json(
        s,
        ("groups", json!(names)),
        &q.joint.targets,
        q.joint.confidence,
        a.simulations,
        json!({
            "shifts": shifts_json(s, &q.columns, &a.counts, true),
            "total_cost": a.cost,
            "interval_by_interval_cost": a.interval_by_interval_cost,
            "staffing": per_group(names, &lists(&a.staffing)),
            "requirement": {
                "staffing": per_group(names, &lists(a.requirement.scheduled())),
                "on_phones": per_group(names, &lists(&a.requirement.staffing)),
                "cost": a.requirement.cost(s),
            },
            "validation": with_verdict(json!({
                "rule": "the roster's staffing of all groups re-simulated together on streams neither the search nor its validation used; an interval holds when it meets every target by the search's confidence rule",
                "rounds": a.rounds,
                "raised": a.raised.iter().map(|&(i, k)| json!({"group": names[i], "interval": k})).collect::<Vec<_>>(),
            }), &a.validation),
            "intervals": intervals,
        }),
    )
}

fn joint_roster_table(
    q: &JointRosterQuery,
    names: &[&str],
    a: &JointRosterAnswer,
    width: Option<u16>,
) -> String {
    let s = &q.joint.scenario;
    let mut out = String::new();
    let who = format!("roster for agent groups {} together", names.join(" + "));
    heading(
        &mut out,
        &who,
        s,
        &q.joint.targets,
        q.joint.confidence,
        a.simulations,
    );
    let costs = (a.cost, a.interval_by_interval_cost);
    shifts_table(&mut out, s, &q.columns, &a.counts, true, costs, width);
    let mut columns: Vec<(String, Align)> = vec![
        ("interval".into(), Align::Right),
        ("start".into(), Align::Right),
    ];
    for n in names {
        columns.push((format!("{n} required"), Align::Right));
        columns.push((format!("{n} agents"), Align::Right));
    }
    let labels = joint::judged(&q.joint).map(|j| j.0).unwrap_or_default();
    for l in &labels {
        columns.push((format!("{l} (fresh seeds)"), Align::Right));
    }
    let rows = (0..s.simulation.intervals).map(|k| {
        let mut row = vec![k.to_string(), interval_start(s, k)];
        for i in 0..names.len() {
            row.push(required_cell(
                a.requirement.scheduled()[i][k],
                a.required[i][k],
            ));
            row.push(a.staffing[i][k].to_string());
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
    let detail = format!(
        "{} roster round(s){}",
        a.rounds,
        if a.raised.is_empty() {
            String::new()
        } else {
            format!("; requirement raised {} time(s)", a.raised.len())
        }
    );
    fresh_seeds_line(&mut out, &a.validation, s.simulation.intervals, &detail);
    if a.requirement.shrinkage.is_some() {
        let _ = writeln!(
            out,
            "shrinkage: required = scheduled heads (on the phones grossed up by ⌈n / (1 − s)⌉); the roster is simulated with shrinkage on"
        );
    }
    for (n, st) in names.iter().zip(&a.staffing) {
        let _ = writeln!(out, "{n}: staffing = {}", heads_list(st));
    }
    out
}

/// Tidy long CSV as for one group, with the group in the field name of interval rows
/// (`tier1_required`) and a `group` field per shift.
fn joint_roster_csv(q: &JointRosterQuery, names: &[&str], a: &JointRosterAnswer) -> String {
    let s = &q.joint.scenario;
    let mut out = shifts_csv(s, &q.columns, &a.counts, true);
    let labels = joint::judged(&q.joint).map(|j| j.0).unwrap_or_default();
    for k in 0..s.simulation.intervals {
        let _ = writeln!(
            out,
            "interval,{k},start_s,{}",
            k as f64 * s.simulation.interval
        );
        for (i, n) in names.iter().enumerate() {
            let values: [(&str, &dyn std::fmt::Display); 4] = [
                ("required", &a.requirement.scheduled()[i][k]),
                ("required_after_rounds", &a.required[i][k]),
                ("rostered", &a.rostered[i][k]),
                ("agents", &a.staffing[i][k]),
            ];
            for (what, v) in values {
                let field = csv_quote(&format!("{n}_{what}"));
                let _ = writeln!(out, "interval,{k},{field},{v}");
            }
        }
        fresh_seeds_csv(&mut out, k, &labels, &a.validation);
    }
    totals_csv(&mut out, a.cost, a.interval_by_interval_cost, a.simulations);
    out
}
