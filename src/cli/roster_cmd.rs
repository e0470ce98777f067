//! `ccsim roster SCENARIO.toml --target … --shifts shifts.toml`: how many agents start on each
//! allowed shift so that the staffing search's requirement is covered at least cost and the
//! targets hold on fresh seeds (method: [`crate::staff::roster`]); `--output roster.toml`
//! writes the scenario with the roster's staffing.

use super::staff_cmd::{
    clock, estimate_json, fmt_estimate, formats, interval_start, list_of, question, staff_error,
    write_staffed, Question, SearchArgs,
};
use super::{emit, BadInput, CommonArgs};
use crate::report::table::{grid, Align};
use crate::report::{json_text, Format};
use crate::staff::joint::{self, JointQuery};
use crate::staff::roster::{self, RosterAnswer, RosterQuery};
use crate::staff::roster::{JointRosterAnswer, JointRosterQuery};
use crate::staff::{agent_hours, Confidence};
use anyhow::Result;
use clap::Args;
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct RosterArgs {
    #[command(flatten)]
    search: SearchArgs,
    /// Allowed shifts (TOML: [[shifts]] with start, length, breaks, days, cost, min/max
    /// agents; see docs/staffing.md).
    #[arg(long, value_name = "SHIFTS.toml")]
    shifts: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

pub(super) fn cmd_roster(args: RosterArgs) -> Result<()> {
    let (format, scenario_out) = formats(&args.common)?;
    let question = question(&args.search, &args.common)?;
    if question.groups.len() > 1 {
        return cmd_roster_joint(&args, question, format, scenario_out);
    }
    let staff = question.one_group(&args.search, &args.common, "roster")?;
    let text = crate::scenario::read_input(&args.shifts)?;
    let columns = roster::parse_shifts(
        &text,
        &args.shifts.display().to_string(),
        &staff.scenario,
        staff.group,
    )
    .map_err(BadInput)?;
    let query = RosterQuery { staff, columns };
    let answer = roster::roster(&query).map_err(|e| match e {
        crate::staff::StaffError::Input(m) => {
            BadInput(format!("{}: {m}", args.shifts.display())).into()
        }
        e => staff_error(e),
    })?;
    let report_path = match &scenario_out {
        Some(path) => {
            let name = query.staff.scenario.agent_groups[query.staff.group]
                .name
                .as_str();
            write_staffed(
                &args.search,
                &args.common,
                &[(name, &answer.staffing)],
                path,
            )?;
            None
        }
        None => args.common.output.as_deref(),
    };
    let text = match format {
        Format::Json => json_text(&roster_json(&query, &answer)),
        Format::Html => super::staff_cmd::roster_html::page(&query, &answer),
        Format::Table => roster_table(
            &query,
            &answer,
            super::terminal_width(report_path.is_none()),
        ),
        Format::Csv => roster_csv(&query, &answer),
    };
    emit(&text, report_path)
}

fn roster_json(q: &RosterQuery, a: &RosterAnswer) -> Value {
    let s = &q.staff.scenario;
    let metrics = |row: &[Option<crate::stats::Estimate>]| -> Value {
        Value::Object(
            q.staff
                .targets
                .iter()
                .zip(row)
                .map(|(t, e)| (t.label(), estimate_json(e)))
                .collect(),
        )
    };
    let shifts: Vec<Value> = q
        .columns
        .iter()
        .zip(&a.counts)
        .map(|(c, &n)| {
            json!({
                "shift": c.label,
                "start": c.start_clock,
                "start_s": c.start_s,
                "length_s": c.length_s,
                "agents": n,
                "cost_per_agent": c.cost,
                "cost": c.cost * f64::from(n),
            })
        })
        .collect();
    let shrinkage = a.requirement.shrinkage.as_ref();
    let intervals: Vec<Value> = (0..s.simulation.intervals)
        .map(|k| {
            let mut row = json!({
                "start_s": k as f64 * s.simulation.interval,
                "required": a.requirement.scheduled()[k],
                "required_after_rounds": a.required[k],
                "rostered": a.rostered[k],
                "agents": a.staffing[k],
                "metrics": metrics(&a.evaluation.estimates[k]),
                "fresh_seed_metrics": metrics(&a.validation.estimates[k]),
                "holds_on_fresh_seeds": a.validation.slack[k] >= 0.0,
            });
            if shrinkage.is_some() {
                row["on_phones"] = json!(a.requirement.staffing[k]);
            }
            row
        })
        .collect();
    json!({
        "scenario": s.name,
        "group": s.agent_groups[q.staff.group].name,
        "targets": q.staff.targets.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "confidence": match q.staff.confidence { Confidence::Ci95 => "ci95", Confidence::Mean => "mean" },
        "replications": s.simulation.replications,
        "seed": s.simulation.seed,
        "simulations": a.simulations,
        "shifts": shifts,
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
        "validation": {
            "rule": "the roster's staffing re-simulated on streams neither the search nor its validation used; an interval holds when it meets every target by the search's confidence rule",
            "rounds": a.rounds,
            "raised_intervals": a.raised,
            "flagged_intervals": a.validation.misses(),
            "holds_in_share_of_intervals": a.validation.held_share(),
        },
        "intervals": intervals,
    })
}

fn roster_table(q: &RosterQuery, a: &RosterAnswer, width: Option<u16>) -> String {
    let s = &q.staff.scenario;
    let mut out = String::new();
    let targets: Vec<String> = q.staff.targets.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "roster for agent group \"{}\": {} in every interval, judged on the {}; {} replications, {} simulations",
        s.agent_groups[q.staff.group].name,
        targets.join(" and "),
        match q.staff.confidence {
            Confidence::Ci95 => "95% confidence bound",
            Confidence::Mean => "mean",
        },
        s.simulation.replications,
        a.simulations
    );
    let columns: Vec<(String, Align)> = vec![
        ("shift".into(), Align::Left),
        ("start".into(), Align::Right),
        ("length".into(), Align::Right),
        ("agents".into(), Align::Right),
        ("cost/agent".into(), Align::Right),
        ("cost".into(), Align::Right),
    ];
    let rows = q.columns.iter().zip(&a.counts).map(|(c, &n)| {
        vec![
            c.label.clone(),
            format!("{} ({})", c.start_clock, clock(c.start_s)),
            format!("{}h", c.length_s / 3600.0),
            n.to_string(),
            format!("{:.2}", c.cost),
            format!("{:.2}", c.cost * f64::from(n)),
        ]
    });
    out.push_str(&grid(columns, rows, width));
    let _ = writeln!(
        out,
        "total cost: {:.2}{}",
        a.cost,
        match a.interval_by_interval_cost {
            Some(c) => format!(
                " (covering each interval's requirement in turn with its cheapest shift: {c:.2})"
            ),
            None => String::new(),
        }
    );
    out.push('\n');
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
            if a.required[k] > a.requirement.scheduled()[k] {
                format!("{}→{}", a.requirement.scheduled()[k], a.required[k])
            } else {
                a.required[k].to_string()
            },
            format!("{:.1}", a.rostered[k]),
            a.staffing[k].to_string(),
        ];
        if shrinkage.is_some() {
            row.insert(2, a.requirement.staffing[k].to_string());
        }
        for i in 0..q.staff.targets.len() {
            row.push(format!(
                "{}{flag}",
                fmt_estimate(&a.validation.estimates[k][i])
            ));
        }
        row
    });
    out.push_str(&grid(columns, rows, width));
    let flagged = a.validation.misses();
    // Intervals without contacts (closed hours) judge nothing: they are not counted as held.
    let judged = a.validation.judged();
    let k = match s.simulation.intervals - judged {
        0 => format!("{judged} intervals"),
        closed => format!("{judged} intervals with contacts ({closed} without)"),
    };
    let _ = writeln!(
        out,
        "fresh seeds: holds in {} of {k} ({} roster round(s){}){}",
        judged - flagged.len(),
        a.rounds,
        if a.raised.is_empty() {
            String::new()
        } else {
            format!("; requirement raised in interval(s) {}", list_of(&a.raised))
        },
        if flagged.is_empty() {
            String::new()
        } else {
            format!("; misses in interval(s) {}, marked !", list_of(&flagged))
        }
    );
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
    let list: Vec<String> = a.staffing.iter().map(u32::to_string).collect();
    let _ = writeln!(out, "staffing = [{}]", list.join(", "));
    out
}

/// Tidy long CSV: `section,item,field,value` — one row per shift field, per interval field
/// and the totals, so one file holds the shifts table and the coverage.
fn roster_csv(q: &RosterQuery, a: &RosterAnswer) -> String {
    let s = &q.staff.scenario;
    let mut out = String::from("section,item,field,value\n");
    let quote = |t: &str| {
        if t.contains([',', '"', '\n']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t.to_string()
        }
    };
    for (c, &n) in q.columns.iter().zip(&a.counts) {
        let item = quote(&c.label);
        let _ = writeln!(out, "shift,{item},start_s,{}", c.start_s);
        let _ = writeln!(out, "shift,{item},length_s,{}", c.length_s);
        let _ = writeln!(out, "shift,{item},agents,{n}");
        let _ = writeln!(out, "shift,{item},cost_per_agent,{}", c.cost);
        let _ = writeln!(out, "shift,{item},cost,{}", c.cost * f64::from(n));
    }
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
        for (t, e) in q.staff.targets.iter().zip(&a.validation.estimates[k]) {
            if let Some(e) = e {
                let m = quote(&t.label());
                let _ = writeln!(out, "interval,{k},{m}_mean,{}", e.mean);
                let _ = writeln!(out, "interval,{k},{m}_ci95_lo,{}", e.ci95.0);
                let _ = writeln!(out, "interval,{k},{m}_ci95_hi,{}", e.ci95.1);
            }
        }
        let _ = writeln!(
            out,
            "interval,{k},holds_on_fresh_seeds,{}",
            a.validation.slack[k] >= 0.0
        );
    }
    let _ = writeln!(out, "total,,cost,{}", a.cost);
    if let Some(c) = a.interval_by_interval_cost {
        let _ = writeln!(out, "total,,interval_by_interval_cost,{c}");
    }
    let _ = writeln!(out, "total,,simulations,{}", a.simulations);
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
    let text = crate::scenario::read_input(&args.shifts)?;
    let columns = roster::parse_shifts_of(
        &text,
        &args.shifts.display().to_string(),
        &joint.scenario,
        &joint.groups,
    )
    .map_err(BadInput)?;
    let query = JointRosterQuery { joint, columns };
    let answer = roster::roster_joint(&query).map_err(|e| match e {
        crate::staff::StaffError::Input(m) => {
            BadInput(format!("{}: {m}", args.shifts.display())).into()
        }
        e => staff_error(e),
    })?;
    let s = &query.joint.scenario;
    let names: Vec<&str> = query
        .joint
        .groups
        .iter()
        .map(|&g| s.agent_groups[g].name.as_str())
        .collect();
    let report_path = match &scenario_out {
        Some(path) => {
            let staffing: Vec<(&str, &[u32])> = names
                .iter()
                .zip(&answer.staffing)
                .map(|(n, st)| (*n, st.as_slice()))
                .collect();
            write_staffed(&args.search, &args.common, &staffing, path)?;
            None
        }
        None => args.common.output.as_deref(),
    };
    let text = match format {
        Format::Json => json_text(&joint_roster_json(&query, &names, &answer)),
        Format::Html => super::staff_cmd::roster_html::joint_page(&query, &names, &answer),
        Format::Table => joint_roster_table(
            &query,
            &names,
            &answer,
            super::terminal_width(report_path.is_none()),
        ),
        Format::Csv => joint_roster_csv(&query, &names, &answer),
    };
    emit(&text, report_path)
}

/// `{group: value}` in the query's group order.
fn by_group<T: Clone + Into<Value>>(names: &[&str], values: &[T]) -> Value {
    Value::Object(
        names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.to_string(), v.clone().into()))
            .collect(),
    )
}

fn joint_roster_json(q: &JointRosterQuery, names: &[&str], a: &JointRosterAnswer) -> Value {
    let s = &q.joint.scenario;
    let labels = joint::judged(&q.joint).map(|j| j.0).unwrap_or_default();
    let metrics = |row: &[Option<crate::stats::Estimate>]| -> Value {
        Value::Object(
            labels
                .iter()
                .zip(row)
                .map(|(l, e)| (l.clone(), estimate_json(e)))
                .collect(),
        )
    };
    let column = |m: &[Vec<u32>], k: usize| -> Vec<u32> { m.iter().map(|r| r[k]).collect() };
    let lists =
        |m: &[Vec<u32>]| -> Vec<Value> { m.iter().map(|r| Value::from(r.clone())).collect() };
    let shifts: Vec<Value> = q
        .columns
        .iter()
        .zip(&a.counts)
        .map(|(c, &n)| {
            json!({
                "shift": c.label,
                "group": s.agent_groups[c.group].name,
                "start": c.start_clock,
                "start_s": c.start_s,
                "length_s": c.length_s,
                "agents": n,
                "cost_per_agent": c.cost,
                "cost": c.cost * f64::from(n),
            })
        })
        .collect();
    let intervals: Vec<Value> = (0..s.simulation.intervals)
        .map(|k| {
            json!({
                "start_s": k as f64 * s.simulation.interval,
                "required": by_group(names, &column(a.requirement.scheduled(), k)),
                "required_after_rounds": by_group(names, &column(&a.required, k)),
                "rostered": by_group(names, &a.rostered.iter().map(|r| r[k]).collect::<Vec<_>>()),
                "agents": by_group(names, &column(&a.staffing, k)),
                "metrics": metrics(&a.evaluation.estimates[k]),
                "fresh_seed_metrics": metrics(&a.validation.estimates[k]),
                "holds_on_fresh_seeds": a.validation.slack[k] >= 0.0,
            })
        })
        .collect();
    json!({
        "scenario": s.name,
        "groups": names,
        "targets": q.joint.targets.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "confidence": match q.joint.confidence { Confidence::Ci95 => "ci95", Confidence::Mean => "mean" },
        "replications": s.simulation.replications,
        "seed": s.simulation.seed,
        "simulations": a.simulations,
        "shifts": shifts,
        "total_cost": a.cost,
        "interval_by_interval_cost": a.interval_by_interval_cost,
        "staffing": by_group(names, &lists(&a.staffing)),
        "requirement": {
            "staffing": by_group(names, &lists(a.requirement.scheduled())),
            "on_phones": by_group(names, &lists(&a.requirement.staffing)),
            "cost": a.requirement.cost(s),
        },
        "validation": {
            "rule": "the roster's staffing of all groups re-simulated together on streams neither the search nor its validation used; an interval holds when it meets every target by the search's confidence rule",
            "rounds": a.rounds,
            "raised": a.raised.iter().map(|&(i, k)| json!({"group": names[i], "interval": k})).collect::<Vec<_>>(),
            "flagged_intervals": a.validation.misses(),
            "holds_in_share_of_intervals": a.validation.held_share(),
        },
        "intervals": intervals,
    })
}

fn joint_roster_table(
    q: &JointRosterQuery,
    names: &[&str],
    a: &JointRosterAnswer,
    width: Option<u16>,
) -> String {
    let s = &q.joint.scenario;
    let mut out = String::new();
    let targets: Vec<String> = q.joint.targets.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "roster for agent groups {} together: {} in every interval, judged on the {}; {} replications, {} simulations",
        names.join(" + "),
        targets.join(" and "),
        match q.joint.confidence {
            Confidence::Ci95 => "95% confidence bound",
            Confidence::Mean => "mean",
        },
        s.simulation.replications,
        a.simulations
    );
    let columns: Vec<(String, Align)> = vec![
        ("shift".into(), Align::Left),
        ("group".into(), Align::Left),
        ("start".into(), Align::Right),
        ("length".into(), Align::Right),
        ("agents".into(), Align::Right),
        ("cost/agent".into(), Align::Right),
        ("cost".into(), Align::Right),
    ];
    let rows = q.columns.iter().zip(&a.counts).map(|(c, &n)| {
        vec![
            c.label.clone(),
            s.agent_groups[c.group].name.clone(),
            format!("{} ({})", c.start_clock, clock(c.start_s)),
            format!("{}h", c.length_s / 3600.0),
            n.to_string(),
            format!("{:.2}", c.cost),
            format!("{:.2}", c.cost * f64::from(n)),
        ]
    });
    out.push_str(&grid(columns, rows, width));
    let _ = writeln!(
        out,
        "total cost: {:.2}{}",
        a.cost,
        match a.interval_by_interval_cost {
            Some(c) => format!(
                " (covering each group's requirement interval by interval with its cheapest shift: {c:.2})"
            ),
            None => String::new(),
        }
    );
    out.push('\n');
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
            let base = a.requirement.scheduled()[i][k];
            row.push(if a.required[i][k] > base {
                format!("{base}→{}", a.required[i][k])
            } else {
                base.to_string()
            });
            row.push(a.staffing[i][k].to_string());
        }
        let flag = if a.validation.slack[k] >= 0.0 {
            ""
        } else {
            " !"
        };
        for e in &a.validation.estimates[k] {
            row.push(format!("{}{flag}", fmt_estimate(e)));
        }
        row
    });
    out.push_str(&grid(columns, rows, width));
    let flagged = a.validation.misses();
    // Intervals without contacts (closed hours) judge nothing: they are not counted as held.
    let judged = a.validation.judged();
    let k = match s.simulation.intervals - judged {
        0 => format!("{judged} intervals"),
        closed => format!("{judged} intervals with contacts ({closed} without)"),
    };
    let _ = writeln!(
        out,
        "fresh seeds: holds in {} of {k} ({} roster round(s){}){}",
        judged - flagged.len(),
        a.rounds,
        if a.raised.is_empty() {
            String::new()
        } else {
            format!("; requirement raised {} time(s)", a.raised.len())
        },
        if flagged.is_empty() {
            String::new()
        } else {
            format!("; misses in interval(s) {}, marked !", list_of(&flagged))
        }
    );
    if a.requirement.shrinkage.is_some() {
        let _ = writeln!(
            out,
            "shrinkage: required = scheduled heads (on the phones grossed up by ⌈n / (1 − s)⌉); the roster is simulated with shrinkage on"
        );
    }
    for (n, st) in names.iter().zip(&a.staffing) {
        let list: Vec<String> = st.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "{n}: staffing = [{}]", list.join(", "));
    }
    out
}

/// Tidy long CSV as for one group, with the group in the field name of interval rows
/// (`tier1_required`) and a `group` field per shift.
fn joint_roster_csv(q: &JointRosterQuery, names: &[&str], a: &JointRosterAnswer) -> String {
    let s = &q.joint.scenario;
    let mut out = String::from("section,item,field,value\n");
    let quote = |t: &str| {
        if t.contains([',', '"', '\n']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t.to_string()
        }
    };
    for (c, &n) in q.columns.iter().zip(&a.counts) {
        let item = quote(&c.label);
        let _ = writeln!(
            out,
            "shift,{item},group,{}",
            quote(&s.agent_groups[c.group].name)
        );
        let _ = writeln!(out, "shift,{item},start_s,{}", c.start_s);
        let _ = writeln!(out, "shift,{item},length_s,{}", c.length_s);
        let _ = writeln!(out, "shift,{item},agents,{n}");
        let _ = writeln!(out, "shift,{item},cost_per_agent,{}", c.cost);
        let _ = writeln!(out, "shift,{item},cost,{}", c.cost * f64::from(n));
    }
    let labels = joint::judged(&q.joint).map(|j| j.0).unwrap_or_default();
    for k in 0..s.simulation.intervals {
        let _ = writeln!(
            out,
            "interval,{k},start_s,{}",
            k as f64 * s.simulation.interval
        );
        for (i, n) in names.iter().enumerate() {
            let n = quote(n);
            let _ = writeln!(
                out,
                "interval,{k},{n}_required,{}",
                a.requirement.scheduled()[i][k]
            );
            let _ = writeln!(
                out,
                "interval,{k},{n}_required_after_rounds,{}",
                a.required[i][k]
            );
            let _ = writeln!(out, "interval,{k},{n}_rostered,{}", a.rostered[i][k]);
            let _ = writeln!(out, "interval,{k},{n}_agents,{}", a.staffing[i][k]);
        }
        for (l, e) in labels.iter().zip(&a.validation.estimates[k]) {
            if let Some(e) = e {
                let m = quote(l);
                let _ = writeln!(out, "interval,{k},{m}_mean,{}", e.mean);
                let _ = writeln!(out, "interval,{k},{m}_ci95_lo,{}", e.ci95.0);
                let _ = writeln!(out, "interval,{k},{m}_ci95_hi,{}", e.ci95.1);
            }
        }
        let _ = writeln!(
            out,
            "interval,{k},holds_on_fresh_seeds,{}",
            a.validation.slack[k] >= 0.0
        );
    }
    let _ = writeln!(out, "total,,cost,{}", a.cost);
    if let Some(c) = a.interval_by_interval_cost {
        let _ = writeln!(out, "total,,interval_by_interval_cost,{c}");
    }
    let _ = writeln!(out, "total,,simulations,{}", a.simulations);
    out
}
