//! `ccsim staff SCENARIO.toml --target service_level>=0.8`: the smallest staffing per
//! interval for one agent group that meets every target (search rule: [`ccsim::staff`]),
//! with the Erlang-only answer beside it.

pub(super) mod joint_html;
mod page;
pub(super) mod roster_html;
mod staff_html;

use super::{emit, BadInput, CommonArgs};
use anyhow::Result;
use ccsim::report::tabular::{grid, Align};
use ccsim::report::{json_text, Format};
use ccsim::scenario::Scenario;
use ccsim::staff::{self, Confidence, Evaluation, StaffAnswer, StaffError, StaffQuery, Target};
use ccsim::stats::Estimate;
use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(super) struct StaffArgs {
    #[command(flatten)]
    pub(super) search: SearchArgs,
    #[command(flatten)]
    pub(super) common: CommonArgs,
}

/// The staffing question, shared by `staff` and `roster`.
#[derive(Debug, Args)]
pub(super) struct SearchArgs {
    /// Scenario file (TOML).
    pub(super) scenario: PathBuf,
    /// A per-interval target: service_level>=X, abandon_rate<=X, wait_probability<=X,
    /// asa_s<=T or mean_wait_s<=T (T in seconds or like 30s), occupancy<=X; prefix a call
    /// type (billing.service_level>=X) to judge its contacts only. Repeat for several.
    #[arg(long = "target", required = true, value_name = "TARGET")]
    targets: Vec<String>,
    /// Agent group to staff; repeat it to staff (or roster) several jointly at least total
    /// cost (their `hourly_cost`). Default: the only group, or all groups jointly when there
    /// are several.
    #[arg(long = "group", value_name = "GROUP")]
    groups: Vec<String>,
    /// Judge targets on the 95% confidence bound (safe side) or on the mean.
    #[arg(long, value_enum, default_value_t = ConfidenceArg::Ci95)]
    pub(super) confidence: ConfidenceArg,
    /// Budget: most simulations (each of all replications) the search may run (a week of two
    /// groups jointly needs about 1,700).
    #[arg(long, default_value_t = 3000, allow_negative_numbers = true, value_parser = super::whole_arg::<usize>("the number of simulations", 1, MAX_SIMULATIONS))]
    pub(super) max_simulations: usize,
    /// Most agents per interval (and group) the search may use; targets not met within it exit
    /// 2 with how close the search got. Default: 3 × the interval's Erlang estimate + 50.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = super::whole_arg::<u32>("the number of agents", 1, MAX_AGENTS))]
    pub(super) max_agents: Option<u32>,
}

/// Most `--max-simulations`: far above any search (a week of two groups needs about 1,700),
/// and a budget a search that does need more would not finish within.
const MAX_SIMULATIONS: u64 = 10_000_000;

/// Most `--max-agents`: the scenario's limit on one interval's headcount.
const MAX_AGENTS: u64 = 1_000_000;

/// `--confidence` values; mapped to the library's [`Confidence`], which knows nothing of clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ConfidenceArg {
    /// The 95% confidence bound on the safe side.
    Ci95,
    /// The mean over replications.
    Mean,
}

impl From<ConfidenceArg> for Confidence {
    fn from(c: ConfidenceArg) -> Confidence {
        match c {
            ConfidenceArg::Ci95 => Confidence::Ci95,
            ConfidenceArg::Mean => Confidence::Mean,
        }
    }
}

/// Where `--output` sends things when its extension is `.toml`: the runnable scenario goes
/// there and the report to stdout in `--format` (default: table on a terminal, JSON
/// otherwise). Returns the report's format and the scenario's path, if any.
pub(super) fn formats(common: &CommonArgs) -> Result<(Format, Option<PathBuf>)> {
    let scenario_out = common.output.clone().filter(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    });
    let format = match scenario_out {
        Some(_) => super::output_format(common.format, None)?,
        None => super::output_format_or(
            common.format,
            common.output.as_deref(),
            "; or .toml for the scenario with the staffing found",
        )?,
    };
    Ok((format, scenario_out))
}

/// The staffing question of the command line: targets parsed, scenario loaded with the
/// `--replications`/`--seed` overrides, groups chosen (`--group`s, else every group);
/// degenerate targets warned about.
pub(super) struct Question {
    pub(super) targets: Vec<Target>,
    pub(super) scenario: ccsim::scenario::Scenario,
    pub(super) groups: Vec<usize>,
}

pub(super) fn question(args: &SearchArgs, common: &CommonArgs) -> Result<Question> {
    let targets = args
        .targets
        .iter()
        .map(|t| {
            t.parse::<Target>()
                .map_err(|e| BadInput(format!("--target {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scenario = common.load(&args.scenario)?;
    let names: Vec<&str> = scenario
        .agent_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let mut groups = Vec::new();
    for g in &args.groups {
        let i = names.iter().position(|n| n == g).ok_or_else(|| {
            BadInput(format!(
                "--group {g}: no such agent group (have: {})",
                names.join(", ")
            ))
        })?;
        if groups.contains(&i) {
            return Err(BadInput(format!("--group {g} is given twice")).into());
        }
        groups.push(i);
    }
    if groups.is_empty() {
        groups = (0..names.len()).collect();
    }
    for t in targets.iter().filter(|t| t.degenerate()) {
        eprintln!(
            "warning: --target {t} can only be met by a perfect record in every replication: its confidence interval is then zero-width and says nothing about other days; the answer is not a confident one (use e.g. 0.99 or 0.01)"
        );
    }
    Ok(Question {
        targets,
        scenario,
        groups,
    })
}

impl Question {
    /// The one-group query; `command` names who asks when there are several groups.
    pub(super) fn one_group(
        self,
        args: &SearchArgs,
        common: &CommonArgs,
        command: &str,
    ) -> Result<StaffQuery> {
        if self.groups.len() != 1 {
            let names: Vec<&str> = self
                .scenario
                .agent_groups
                .iter()
                .map(|g| g.name.as_str())
                .collect();
            return Err(BadInput(format!(
                "`ccsim {command}` staffs one agent group at a time and the scenario has {}: choose one with --group ({})",
                names.len(),
                names.join(", ")
            ))
            .into());
        }
        Ok(StaffQuery {
            scenario: self.scenario,
            group: self.groups[0],
            targets: self.targets,
            confidence: args.confidence.into(),
            options: common.run_options(),
            max_simulations: args.max_simulations,
            max_agents: args.max_agents,
        })
    }
}

/// A search error as the CLI reports it: bad input exits 2, an interrupted run 130.
pub(super) fn staff_error(e: StaffError) -> anyhow::Error {
    match e {
        StaffError::Input(m) => anyhow::Error::from(BadInput(m)),
        StaffError::Run(e) => super::run_error(e),
        other => other.into(),
    }
}

/// Writes the scenario file with the given groups' staffing to `path` (whole or not at all)
/// and says so on stderr.
pub(super) fn write_staffed(
    args: &SearchArgs,
    common: &CommonArgs,
    staffing: &[(&str, &[u32])],
    path: &std::path::Path,
) -> Result<()> {
    let text = common.read_input(&args.scenario)?;
    let staffed = staffed_scenario(&text, staffing, common)
        .map_err(|e| BadInput(format!("{}: {e}", args.scenario.display())))?;
    emit(&staffed, Some(path))?;
    if !common.quiet {
        eprintln!(
            "wrote {} (run it with `ccsim run {}`)",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// `ccsim staff` for a question about one group (see `cli::cmd_staff`, which sends one
/// about several to the joint search).
pub(super) fn cmd_one_group(
    args: StaffArgs,
    question: Question,
    format: Format,
    scenario_out: Option<PathBuf>,
) -> Result<()> {
    let query = question.one_group(&args.search, &args.common, "staff")?;
    let answer = staff::search(&query).map_err(staff_error)?;
    let name = query.scenario.agent_groups[query.group].name.as_str();
    // Scheduled heads: the scenario keeps its shrinkage.
    let path = report_path(
        &args.search,
        &args.common,
        scenario_out.as_deref(),
        &[(name, answer.scheduled())],
    )?;
    render(
        format,
        path,
        || answer_json(&query, &answer),
        || staff_html::page(&query, &answer),
        |width| answer_table(&query, &answer, width),
        || answer_csv(&query, &answer),
    )
}

/// The scenario file `text` with each named group's staffing replaced (its `agents` or
/// `staffing` key), and the command line's `--replications`/`--seed` written in, so that
/// `ccsim run` of the result simulates what was staffed. Comments and layout are kept (the
/// file is edited, not re-serialised).
fn staffed_scenario(
    text: &str,
    staffing: &[(&str, &[u32])],
    common: &CommonArgs,
) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("cannot edit the file: {e}"))?;
    let groups = doc
        .get_mut("agent_groups")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
        .ok_or("cannot edit the file: agent groups are not written as [[agent_groups]] tables; paste the `staffing = [...]` line instead")?;
    for &(group, staffing) in staffing {
        let table = groups
            .iter_mut()
            .find(|t| t.get("name").and_then(|v| v.as_str()) == Some(group))
            .ok_or_else(|| format!("cannot find [[agent_groups]] name = \"{group}\""))?;
        table.remove("agents");
        let mut list = toml_edit::Array::new();
        for &n in staffing {
            list.push(i64::from(n));
        }
        table.insert("staffing", toml_edit::value(list));
    }
    drop_shifts(&mut doc, staffing.iter().map(|(g, _)| *g));
    let overrides = [
        ("replications", common.replications.map(i64::from)),
        ("seed", common.seed.and_then(|s| i64::try_from(s).ok())),
    ];
    for (key, value) in overrides {
        if let Some(v) = value {
            doc["simulation"][key] = toml_edit::value(v);
        }
    }
    Ok(doc.to_string())
}

/// Removes the `[[shifts]]` of the staffed groups: their headcount is now the written
/// `staffing` array, and a group may not have both (the validator refuses it). Their shift
/// breaks go with them — the found staffing is heads on the phones. The `shifts` key is
/// dropped when no shift is left.
fn drop_shifts<'a>(doc: &mut toml_edit::DocumentMut, groups: impl Iterator<Item = &'a str>) {
    let groups: Vec<&str> = groups.collect();
    let kept = |g: Option<&str>| g.is_none_or(|g| !groups.contains(&g));
    let empty = match doc.get_mut("shifts") {
        // `[[shifts]]` tables.
        Some(toml_edit::Item::ArrayOfTables(shifts)) => {
            shifts.retain(|t| kept(t.get("group").and_then(|v| v.as_str())));
            shifts.is_empty()
        }
        // `shifts = [ { group = …, … }, … ]`, as in scenarios/week.toml.
        Some(item) => match item.as_array_mut() {
            Some(shifts) => {
                shifts.retain(|v| {
                    kept(
                        v.as_inline_table()
                            .and_then(|t| t.get("group"))
                            .and_then(|v| v.as_str()),
                    )
                });
                shifts.is_empty()
            }
            None => false,
        },
        None => false,
    };
    if empty {
        doc.remove("shifts");
    }
}

pub(super) fn estimate_json(e: &Option<Estimate>) -> Value {
    match e {
        Some(e) => json!({"mean": e.mean, "ci95": [e.ci95.0, e.ci95.1]}),
        None => Value::Null,
    }
}

fn answer_json(q: &StaffQuery, a: &StaffAnswer) -> Value {
    let s = &q.scenario;
    let metrics = |row: &[Option<Estimate>]| -> Value {
        Value::Object(
            q.targets
                .iter()
                .zip(row)
                .map(|(t, e)| (t.label(), estimate_json(e)))
                .collect(),
        )
    };
    let intervals: Vec<Value> = (0..s.simulation.intervals)
        .map(|k| {
            let mut row = json!({
                "start_s": k as f64 * s.simulation.interval,
                "agents": a.staffing[k],
                "min_agents": a.floor[k],
                "metrics": metrics(a.evaluation.at(k)),
                "erlang_agents": a.erlang[k],
                "erlang_metrics": metrics(a.erlang_evaluation.at(k)),
                "erlang_meets_targets": a.erlang_evaluation.slack[k] >= 0.0,
                "fresh_seed_metrics": metrics(a.validation.at(k)),
                "holds_on_fresh_seeds": a.validation.slack[k] >= 0.0,
            });
            if let Some(sh) = &a.shrinkage {
                row["scheduled_agents"] = json!(sh.scheduled[k]);
                row["after_shrinkage_metrics"] = metrics(sh.check.at(k));
                row["holds_after_shrinkage"] = json!(sh.check.slack[k] >= 0.0);
            }
            row
        })
        .collect();
    let group = json!(s.agent_groups[q.group].name);
    let mut out = report_json(
        s,
        ("group", group),
        &q.targets,
        q.confidence,
        a.simulations,
        json!({
            "staffing": a.staffing,
            "agent_hours": staff::agent_hours(s, &a.staffing),
            "erlang": {
                "staffing": a.erlang,
                "agent_hours": staff::agent_hours(s, &a.erlang),
                "meets_targets_in_simulation": a.erlang_evaluation.meets(),
            },
            "validation": with_verdict(json!({
                "rule": "re-simulated on streams the search never used; an interval holds when it meets every target by the search's confidence rule",
                "rounds": a.validation_rounds,
                "search_staffing": a.chosen,
                "raised_intervals": a.raised_by_validation,
            }), &a.validation),
            "degenerate_targets": q.targets.iter().filter(|t| t.degenerate()).map(ToString::to_string).collect::<Vec<_>>(),
            "intervals": intervals,
        }),
    );
    if let Some(sh) = &a.shrinkage {
        out["shrinkage"] = with_verdict(
            json!({
                "share": sh.share,
                "rule": "staffing is heads on the phones (searched with shrinkage 0); scheduled = ceil(on_phones / (1 - shrinkage)), re-simulated with shrinkage on fresh streams and raised by one where an interval misses",
                "formula": sh.formula,
                "scheduled": sh.scheduled,
                "agent_hours": staff::agent_hours(s, &sh.scheduled),
                "rounds": sh.rounds,
                "raised_intervals": sh.raised,
            }),
            &sh.check,
        );
    }
    out
}

pub(super) fn fmt_estimate(e: &Option<Estimate>) -> String {
    match e {
        Some(e) => {
            let d = if e.mean.abs() >= 10.0 { 1 } else { 3 };
            format!("{:.d$} [{:.d$}, {:.d$}]", e.mean, e.ci95.0, e.ci95.1)
        }
        None => "-".into(),
    }
}

pub(super) fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).round() as u64;
    format!("+{:02}:{:02}", m / 60, m % 60)
}

/// Interval `k`'s start as a row label: `Mon 08:00` under a calendar (as `ccsim run` labels
/// it), else `+08:00` from the scenario's start.
pub(super) fn interval_start(s: &ccsim::scenario::Scenario, k: usize) -> String {
    let t = k as f64 * s.simulation.interval;
    match &s.calendar {
        Some(c) => c.label(t),
        None => clock(t),
    }
}

/// Per interval: the answer and the Erlang answer with the simulated metrics of both, an Erlang
/// interval that misses a target in simulation marked `✗`; then the agent-hours and the line
/// to paste. Wrapped to `width` when given.
fn answer_table(q: &StaffQuery, a: &StaffAnswer, width: Option<u16>) -> String {
    let s = &q.scenario;
    let mut out = String::new();
    let who = format!("agent group \"{}\"", s.agent_groups[q.group].name);
    heading(&mut out, &who, s, &q.targets, q.confidence, a.simulations);
    let mut columns: Vec<(String, Align)> = ["interval", "start", "agents", "erlang"]
        .map(|h| (h.to_string(), Align::Right))
        .into();
    if a.shrinkage.is_some() {
        // `agents` is then heads on the phones; the heads to schedule beside them.
        columns.insert(3, ("scheduled".into(), Align::Right));
    }
    // The mark columns only when something is marked: empty ones would only add space.
    let marked = !a.erlang_evaluation.misses().is_empty();
    // The answer's figures are the fresh-seed ones (streams the search never used): the
    // search's own figures favour the draws it was chosen on.
    for t in &q.targets {
        columns.push((format!("{} (fresh seeds)", t.label()), Align::Right));
        columns.push((format!("{} (erlang)", t.label()), Align::Right));
        if marked {
            columns.push((String::new(), Align::Mark));
        }
    }
    let rows = (0..s.simulation.intervals).map(|k| {
        let mut row = vec![
            k.to_string(),
            interval_start(s, k),
            a.staffing[k].to_string(),
            a.erlang[k].to_string(),
        ];
        if let Some(sh) = &a.shrinkage {
            let flag = if sh.check.slack[k] >= 0.0 { "" } else { " !" };
            row.insert(3, format!("{}{flag}", sh.scheduled[k]));
        }
        let mark = if a.erlang_evaluation.slack[k] >= 0.0 {
            ""
        } else {
            "✗"
        };
        for i in 0..q.targets.len() {
            let flag = if a.validation.slack[k] >= 0.0 {
                ""
            } else {
                " !"
            };
            row.extend([
                format!("{}{flag}", fmt_estimate(&a.validation.at(k)[i])),
                fmt_estimate(&a.erlang_evaluation.at(k)[i]),
            ]);
            if marked {
                row.push(mark.to_string());
            }
        }
        row
    });
    out.push_str(&grid(columns, rows, width));
    let misses = a.erlang_evaluation.misses().len();
    let _ = writeln!(
        out,
        "agent-hours: {:.1} (Erlang alone: {:.1}, {})",
        staff::agent_hours(s, &a.staffing),
        staff::agent_hours(s, &a.erlang),
        if misses == 0 {
            "which meets the targets in simulation too".to_string()
        } else {
            format!("which misses them in {misses} interval(s) in simulation, marked ✗")
        }
    );
    let detail = format!(
        "re-simulated on streams the search never used, same confidence rule; {} round(s){}",
        a.validation_rounds,
        if a.raised_by_validation.is_empty() {
            String::new()
        } else {
            format!(
                "; validation added an agent in interval(s) {}",
                list_of(&a.raised_by_validation)
            )
        }
    );
    let k = fresh_seeds_line(&mut out, &a.validation, s.simulation.intervals, &detail);
    if let Some(sh) = &a.shrinkage {
        let flagged = sh.check.misses();
        let _ = writeln!(
            out,
            "shrinkage {:.0}%: agents are heads on the phones; scheduled = ⌈agents / (1 − {})⌉{}, {:.1} agent-hours; with shrinkage on fresh seeds it holds in {} of {k} ({} round(s){})",
            sh.share * 100.0,
            sh.share,
            if sh.raised.is_empty() {
                String::new()
            } else {
                format!(" plus one in interval(s) {}", list_of(&sh.raised))
            },
            staff::agent_hours(s, &sh.scheduled),
            a.validation.judged() - flagged.len(),
            sh.rounds,
            if flagged.is_empty() {
                String::new()
            } else {
                format!("; misses in interval(s) {}, marked !", list_of(&flagged))
            }
        );
        let _ = writeln!(out, "on the phones: {}", heads_list(&a.staffing));
        let _ = writeln!(
            out,
            "scheduled heads, to paste (the scenario applies its shrinkage to them):"
        );
    }
    let _ = writeln!(out, "staffing = {}", heads_list(a.scheduled()));
    out
}

/// Headcounts as a TOML array to paste: `[4, 6, 5]`.
pub(super) fn heads_list(v: &[u32]) -> String {
    let list: Vec<String> = v.iter().map(u32::to_string).collect();
    format!("[{}]", list.join(", "))
}

/// A coverage cell: the requirement, as `base→after` where the roster rounds raised it.
pub(super) fn required_cell(base: u32, after: u32) -> String {
    if after > base {
        format!("{base}→{after}")
    } else {
        base.to_string()
    }
}

pub(super) fn list_of(ks: &[usize]) -> String {
    ks.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the staffed scenario when `--output` asked for one (`staffing` per group) and says
/// where the report goes then: stdout after a scenario file, else `--output` or stdout.
pub(super) fn report_path<'a>(
    args: &SearchArgs,
    common: &'a CommonArgs,
    scenario_out: Option<&Path>,
    staffing: &[(&str, &[u32])],
) -> Result<Option<&'a Path>> {
    match scenario_out {
        Some(path) => {
            write_staffed(args, common, staffing, path)?;
            Ok(None)
        }
        None => Ok(common.output.as_deref()),
    }
}

/// Builds the report in `format` (only that builder runs; a table is wrapped to the
/// terminal when it goes there) and writes it whole to `path`, or to stdout.
pub(super) fn render(
    format: Format,
    path: Option<&Path>,
    json: impl FnOnce() -> Value,
    html: impl FnOnce() -> String,
    table: impl FnOnce(Option<u16>) -> String,
    csv: impl FnOnce() -> String,
) -> Result<()> {
    let text = match format {
        Format::Json => json_text(&json()),
        Format::Html => html(),
        Format::Table => table(super::terminal_width(path.is_none())),
        Format::Csv => csv(),
    };
    emit(&text, path)
}

/// `{group: value}` in the query's group order.
pub(super) fn per_group<T: Clone + Into<Value>>(names: &[&str], values: &[T]) -> Value {
    Value::Object(
        names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.to_string(), v.clone().into()))
            .collect(),
    )
}

/// The fields every staffing and roster JSON report opens with (`who` is `group` or
/// `groups`), followed by the fields of the object `rest` in their order.
pub(super) fn report_json(
    s: &Scenario,
    who: (&str, Value),
    targets: &[Target],
    confidence: Confidence,
    simulations: usize,
    rest: Value,
) -> Value {
    let mut out = Map::new();
    out.insert("scenario".into(), json!(s.name));
    out.insert(who.0.into(), who.1);
    out.insert(
        "targets".into(),
        json!(targets.iter().map(ToString::to_string).collect::<Vec<_>>()),
    );
    out.insert(
        "confidence".into(),
        json!(match confidence {
            Confidence::Ci95 => "ci95",
            Confidence::Mean => "mean",
        }),
    );
    out.insert("replications".into(), json!(s.simulation.replications));
    out.insert("seed".into(), json!(s.simulation.seed));
    out.insert("simulations".into(), json!(simulations));
    if let Value::Object(rest) = rest {
        out.extend(rest);
    }
    Value::Object(out)
}

/// The object `fields` with evaluation `v`'s verdict appended: the intervals that missed
/// and the share of the judged intervals that held.
pub(super) fn with_verdict(mut fields: Value, v: &Evaluation) -> Value {
    fields["flagged_intervals"] = json!(v.misses());
    fields["holds_in_share_of_intervals"] = json!(v.held_share());
    fields
}

/// A table's first line: who is staffed (`who`), the targets, the confidence rule, the effort.
pub(super) fn heading(
    out: &mut String,
    who: &str,
    s: &Scenario,
    targets: &[Target],
    confidence: Confidence,
    simulations: usize,
) {
    let targets: Vec<String> = targets.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "{who}: {} in every interval, judged on the {}; {} replications, {simulations} simulations",
        targets.join(" and "),
        match confidence {
            Confidence::Ci95 => "95% confidence bound",
            Confidence::Mean => "mean",
        },
        s.simulation.replications,
    );
}

/// (intervals held, the words for the intervals judged): `24 intervals`, or with the closed
/// ones (no contacts, nothing judged) counted apart.
pub(super) fn held_of(v: &Evaluation, intervals: usize) -> (usize, String) {
    let judged = v.judged();
    (judged - v.misses().len(), judged_words(v, intervals))
}

fn judged_words(v: &Evaluation, intervals: usize) -> String {
    let judged = v.judged();
    match intervals - judged {
        0 => format!("{judged} intervals"),
        closed => format!("{judged} intervals with contacts ({closed} without)"),
    }
}

/// The line `fresh seeds: holds in H of K (DETAIL); misses in …` for the validation `v`;
/// returns the words for K (`24 intervals`, or with the closed ones counted apart) for the
/// lines after it. Intervals without contacts (closed hours) judge nothing: they are not
/// counted as held.
pub(super) fn fresh_seeds_line(
    out: &mut String,
    v: &Evaluation,
    intervals: usize,
    detail: &str,
) -> String {
    let flagged = v.misses();
    let judged = v.judged();
    let k = judged_words(v, intervals);
    let _ = writeln!(
        out,
        "fresh seeds: holds in {} of {k} ({detail}){}",
        judged - flagged.len(),
        if flagged.is_empty() {
            String::new()
        } else {
            format!("; misses in interval(s) {}, marked !", list_of(&flagged))
        }
    );
    k
}

fn answer_csv(q: &StaffQuery, a: &StaffAnswer) -> String {
    let s = &q.scenario;
    let shrinkage = a.shrinkage.as_ref();
    let mut out = String::from("interval,start_s,agents,erlang_agents");
    if shrinkage.is_some() {
        out.push_str(",scheduled_agents");
    }
    for t in &q.targets {
        let m = t.label();
        // A target names its call type, whose name may hold commas and quotes: each column
        // name is one field, quoted whole where it needs it.
        for column in [
            format!("{m}_mean"),
            format!("{m}_ci95_lo"),
            format!("{m}_ci95_hi"),
            format!("erlang_{m}_mean"),
            format!("erlang_{m}_ci95_lo"),
            format!("erlang_{m}_ci95_hi"),
        ] {
            let _ = write!(out, ",{}", ccsim::report::csv::field(&column));
        }
    }
    out.push('\n');
    let cells = |e: &Option<Estimate>| match e {
        Some(e) => format!("{},{},{}", e.mean, e.ci95.0, e.ci95.1),
        None => ",,".into(),
    };
    for k in 0..s.simulation.intervals {
        let _ = write!(
            out,
            "{k},{},{},{}",
            k as f64 * s.simulation.interval,
            a.staffing[k],
            a.erlang[k]
        );
        if let Some(sh) = shrinkage {
            let _ = write!(out, ",{}", sh.scheduled[k]);
        }
        for i in 0..q.targets.len() {
            let _ = write!(
                out,
                ",{},{}",
                cells(&a.evaluation.at(k)[i]),
                cells(&a.erlang_evaluation.at(k)[i])
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `--confidence` spellings are part of the command line: they must not change when
    /// the library's enum does.
    #[test]
    fn confidence_values_map_to_the_library_enum() {
        let parse = |s| ConfidenceArg::from_str(s, false).map(Confidence::from);
        assert_eq!(parse("ci95"), Ok(Confidence::Ci95));
        assert_eq!(parse("mean"), Ok(Confidence::Mean));
        assert!(parse("median").is_err());
    }

    /// Regression: `staff --output` on a group with `[[shifts]]` wrote both `staffing` and
    /// its shifts, a file the validator refuses; the staffed group's shifts are dropped,
    /// other groups' shifts kept.
    #[test]
    fn the_staffed_groups_shifts_are_dropped() {
        let text = "[[agent_groups]]\nname = \"a\"\n[[agent_groups]]\nname = \"b\"\n\
                    [[shifts]]\ngroup = \"a\"\nstart = \"08:00\"\n\
                    [[shifts]]\ngroup = \"b\"\nstart = \"09:00\"\n";
        let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
        drop_shifts(&mut doc, ["a"].into_iter());
        let out = doc.to_string();
        assert!(!out.contains("group = \"a\""), "{out}");
        assert!(out.contains("group = \"b\""), "{out}");
        drop_shifts(&mut doc, ["b"].into_iter());
        assert!(!doc.to_string().contains("[[shifts]]"));
        // The inline form of scenarios/week.toml.
        let text = "shifts = [\n  { group = \"a\", start = \"08:00\" },\n  \
                    { group = \"b\", start = \"09:00\" },\n]\n";
        let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
        drop_shifts(&mut doc, ["a"].into_iter());
        let out = doc.to_string();
        assert!(!out.contains("\"a\"") && out.contains("\"b\""), "{out}");
    }
}
