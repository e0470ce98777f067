//! Stage two of reading a scenario: defaults, ranges and every cross-field check, turning the
//! parsed [`RawScenario`] into a [`Scenario`]. Each error carries the key path it is about.
//!
//! Modules depend one way: this file uses [`distribution`] and [`sections`], which use
//! [`checks`] (the range checks and where errors are addressed); nothing here looks back up.

mod calendar_keys;
mod channels;
mod checks;
mod distribution;
mod email_keys;
mod loyalty;
mod program_keys;
mod ranges;
mod sections;

pub(crate) use checks::describe;
pub use checks::MAX_REPLICATIONS;

use crate::model::{AgentGroup, BeyondAuthority, CallType, Learning, Transfer};
use crate::scenario::duration;
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::{RawAgentGroup, RawCallType, RawScenario};
use crate::scenario::validated::{
    Scenario, Simulation, DEFAULT_INTERVAL_S, DEFAULT_REPLICATIONS, DEFAULT_SEED,
    DEFAULT_SL_THRESHOLD_S,
};
use checks::{
    non_negative, num, probability, quote, Ctx, MAX_AGENTS, MAX_ARRIVAL_RATE, MAX_INTERVALS,
    MAX_INTERVAL_CELLS, MAX_NUMBER,
};

/// Largest `simulation.lines` (far beyond any switch; the count fits `u32`).
const MAX_LINES: i64 = 1_000_000_000;
/// Largest call-type `priority`.
const MAX_PRIORITY: i64 = 1_000_000;
/// Shortest horizon and interval, in seconds.
const MIN_SPAN_S: f64 = 1.0;
use distribution::{build_dist, Unit};
use std::collections::HashMap;

/// Validates `raw` (read from `file`) into a [`Scenario`]; `default_name` names it when the
/// file has no `name`.
pub fn build(raw: RawScenario, file: &str, default_name: &str) -> Result<Scenario, ScenarioError> {
    let cx = Ctx { file };
    let calendar = calendar_keys::calendar(&cx, &raw.calendar)?;
    let simulation = build_simulation(&cx, &raw, calendar.as_ref().and_then(|c| c.horizon))?;
    if let Some(c) = &calendar {
        calendar_keys::check_grid(&cx, c, &simulation)?;
    }
    if raw.call_types.is_empty() {
        return Err(cx.err(
            "call_types",
            "at least one [[call_types]] entry is required",
        ));
    }
    if raw.agent_groups.is_empty() {
        return Err(cx.err(
            "agent_groups",
            "at least one [[agent_groups]] entry is required",
        ));
    }
    // Checked before any per-interval array is expanded, so validation itself stays small.
    let entities = raw.call_types.len() + raw.agent_groups.len();
    if entities.saturating_mul(simulation.intervals) > MAX_INTERVAL_CELLS {
        return Err(cx.err(
            "simulation.interval",
            format!(
                "{} call types and agent groups × {} intervals need {} per-interval values; at most {MAX_INTERVAL_CELLS} are allowed: use longer intervals or fewer entries",
                entities,
                simulation.intervals,
                entities.saturating_mul(simulation.intervals)
            ),
        ));
    }
    let type_index = unique_names(
        &cx,
        "call_types",
        raw.call_types.iter().map(|c| c.name.as_str()),
    )?;
    let group_index = unique_names(
        &cx,
        "agent_groups",
        raw.agent_groups.iter().map(|g| g.name.as_str()),
    )?;

    let call_types = raw
        .call_types
        .iter()
        .enumerate()
        .map(|(i, c)| build_call_type(&cx, &simulation, calendar.as_ref(), &type_index, i, c))
        .collect::<Result<Vec<_>, _>>()?;
    check_transfer_cycles(&cx, &call_types)?;
    let mut plans = calendar_keys::shift_plans(
        &cx,
        calendar.as_ref(),
        &simulation,
        &raw.shifts,
        &group_index,
        raw.agent_groups.len(),
    )?;
    let agent_groups = raw
        .agent_groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let plan = plans[i].take();
            if plan.is_some() && (g.agents.is_some() || g.staffing.is_some()) {
                return Err(cx.err(
                    format!("agent_groups[{i}].{}", if g.agents.is_some() { "agents" } else { "staffing" }),
                    format!("agent group {} also has [[shifts]]; give its headcount either by shifts or by `agents`/`staffing`, not both", quote(&g.name)),
                ));
            }
            let (shifted, breaks) = plan.unzip();
            let mut group =
                build_agent_group(&cx, &simulation, &type_index, i, g, shifted)?;
            group.breaks = breaks.unwrap_or_default();
            if let (Some(c), Some(_)) = (&calendar, g.agents) {
                calendar_keys::mask_staffing(c, &simulation, &mut group.staffing);
            }
            Ok(group)
        })
        .collect::<Result<Vec<_>, _>>()?;

    check_total_headcount(&cx, &simulation, &agent_groups)?;
    for (i, c) in call_types.iter().enumerate() {
        if !agent_groups.iter().any(|g| g.skills.contains(&i)) {
            return Err(cx.err(
                format!("call_types[{i}]"),
                format!(
                    "no agent group serves call type {}: add it to some group's `skills`",
                    quote(&c.name)
                ),
            ));
        }
    }

    let assumptions = ranges::ranges(&cx, &raw)?;
    let supervisors = sections::supervisors(&cx, &raw.supervisors)?;
    let customers = sections::customers(&cx, &raw.customers)?;
    let experience = sections::experience(&cx, &raw.experience)?;
    let needs_approval = agent_groups
        .iter()
        .position(|g| g.authority.is_finite() && g.beyond_authority == BeyondAuthority::Approval);
    if let (Some(g), 0) = (needs_approval, supervisors.count) {
        if call_types.iter().any(|c| c.decision_probability > 0.0) {
            return Err(cx.err(
                "supervisors.count",
                format!(
                    "is 0, but agent group {} sends decisions beyond its authority to a supervisor for approval: add supervisors or set its beyond_authority to a call type",
                    quote(&agent_groups[g].name)
                ),
            ));
        }
    }
    let experience_model = raw.experience.is_some()
        || raw.customers.is_some()
        || raw.supervisors.is_some()
        || raw.call_types.iter().any(|c| {
            c.difficulty.is_some()
                || c.decision_probability.is_some()
                || c.decision_amount.is_some()
        })
        || raw.agent_groups.iter().any(|g| {
            g.proficiency.is_some()
                || g.learning.is_some()
                || g.authority.is_some()
                || g.beyond_authority.is_some()
                || g.unresolved_transfer.is_some()
        });
    if let Some(m) = raw.name.as_deref().and_then(control_characters) {
        return Err(cx.err("name", m));
    }
    let program = program_keys::program(
        &cx,
        &raw.program,
        &agent_groups,
        calendar.as_ref().map(|c| &c.clock),
        simulation.horizon,
    )?;
    // Names are non-empty (docs/scenarios.md, "Value types"); an empty one was a slip, not a
    // request for the default.
    if raw.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(cx.err(
            "name",
            "must not be empty; leave `name` out to use the file name without `.toml`",
        ));
    }
    let name = raw.name.unwrap_or_else(|| default_name.to_string());
    Ok(Scenario {
        name,
        source: file.to_string(),
        simulation,
        call_types,
        agent_groups,
        supervisors,
        customers,
        experience,
        experience_model,
        calendar: calendar.map(|c| c.clock),
        program,
        assumptions,
    })
}

fn build_simulation(
    cx: &Ctx,
    raw: &RawScenario,
    calendar_horizon: Option<f64>,
) -> Result<Simulation, ScenarioError> {
    let s = &raw.simulation;
    let horizon = match (s.horizon, calendar_horizon) {
        (Some(_), Some(_)) => {
            return Err(cx.err(
                "simulation.horizon",
                "give either `simulation.horizon` or the calendar's `days`/`weeks`, not both",
            ))
        }
        (Some(h), None) => h.secs(),
        (None, Some(h)) => h,
        (None, None) => {
            return Err(cx.err(
                "simulation.horizon",
                "missing: this key is required here (or, with a [calendar], `days` or `weeks`)",
            ))
        }
    };
    // A positive span below a second would pass a "> 0" check and then print as "0s" and
    // simulate next to nothing, so both have a floor of a second.
    let too_short = |key: &str, secs: f64| {
        cx.err(
            key,
            format!(
                "must be at least {}, got {}s",
                duration::format_duration(MIN_SPAN_S),
                num(secs)
            ),
        )
    };
    if horizon < MIN_SPAN_S {
        return Err(too_short("simulation.horizon", horizon));
    }
    let interval = s.interval.map_or(DEFAULT_INTERVAL_S, |d| d.secs());
    if interval < MIN_SPAN_S {
        return Err(too_short("simulation.interval", interval));
    }
    let intervals = (horizon / interval - 1e-9).ceil().max(1.0);
    if intervals > MAX_INTERVALS as f64 {
        return Err(cx.err(
            "simulation.interval",
            format!(
                "horizon/interval gives {} intervals; at most {MAX_INTERVALS} are allowed",
                num(intervals)
            ),
        ));
    }
    let warmup = s.warmup.map_or(0.0, |d| d.secs());
    if warmup >= horizon {
        return Err(cx.err("simulation.warmup", "must be shorter than the horizon"));
    }
    let replications = s.replications.unwrap_or(DEFAULT_REPLICATIONS as i64);
    if !(1..=MAX_REPLICATIONS).contains(&replications) {
        return Err(cx.err(
            "simulation.replications",
            format!("must be a whole number from 1 to {MAX_REPLICATIONS}, got {replications}"),
        ));
    }
    let seed = s.seed.unwrap_or(DEFAULT_SEED as i64);
    if seed < 0 {
        return Err(cx.err(
            "simulation.seed",
            format!("must be a whole number ≥ 0, got {seed}"),
        ));
    }
    let lines = match s.lines {
        None => None,
        Some(k) if (1..=MAX_LINES).contains(&k) => Some(k as u32),
        Some(k) => {
            return Err(cx.err(
                "simulation.lines",
                format!("must be a whole number of lines from 1 to {MAX_LINES}, got {k}"),
            ))
        }
    };
    Ok(Simulation {
        lines,
        horizon,
        interval,
        intervals: intervals as usize,
        warmup,
        replications: replications as u32,
        seed: seed as u64,
        service_level_threshold: s
            .service_level_threshold
            .map_or(DEFAULT_SL_THRESHOLD_S, |d| d.secs()),
        arrival_uncertainty: calendar_keys::arrival_uncertainty(cx, s.arrival_uncertainty)?,
    })
}

/// Names appear in table cells, CSV fields, HTML and one-line summaries, where a line break
/// or tab would break the layout, so they may not contain control characters.
fn control_characters(name: &str) -> Option<String> {
    name.chars().any(char::is_control).then(|| {
        format!(
            "{} contains a control character (line break, tab, …); names must be one line of printable text",
            quote(name)
        )
    })
}

fn unique_names<'a>(
    cx: &Ctx,
    section: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, usize>, ScenarioError> {
    let mut index = HashMap::new();
    for (i, name) in names.enumerate() {
        if name.trim().is_empty() {
            return Err(cx.err(format!("{section}[{i}].name"), "must not be empty"));
        }
        if let Some(m) = control_characters(name) {
            return Err(cx.err(format!("{section}[{i}].name"), m));
        }
        if index.insert(name.to_string(), i).is_some() {
            return Err(cx.err(
                format!("{section}[{i}].name"),
                format!(
                    "{} is used twice; names must be unique within {section}",
                    quote(name)
                ),
            ));
        }
    }
    Ok(index)
}

fn build_call_type(
    cx: &Ctx,
    sim: &Simulation,
    cal: Option<&calendar_keys::Calendar>,
    type_index: &HashMap<String, usize>,
    i: usize,
    c: &RawCallType,
) -> Result<CallType, ScenarioError> {
    let at = |key: &str| format!("call_types[{i}].{key}");
    let profile = calendar_keys::profile_rates(cx, cal, sim, i, c)?;
    let mut arrival_rates = match (c.arrival_rate, &c.volumes) {
        _ if profile.is_some() => profile.unwrap_or_default(),
        (Some(_), Some(_)) => return Err(cx.err(
            at("volumes"),
            "give either `arrival_rate` (calls/hour) or `volumes` (calls per interval), not both",
        )),
        (None, None) => return Err(cx.err(
            at("arrival_rate"),
            "missing: give `arrival_rate` (calls/hour, 0 if reached only by transfer) or `volumes`",
        )),
        (Some(rate), None) => {
            if !(0.0..=MAX_ARRIVAL_RATE).contains(&rate) {
                return Err(cx.err(
                    at("arrival_rate"),
                    format!("must be a number of calls per hour ≥ 0 and at most {MAX_ARRIVAL_RATE:e}, got {}", num(rate)),
                ));
            }
            vec![rate / 3600.0; sim.intervals]
        }
        (None, Some(volumes)) => {
            check_len(cx, &at("volumes"), volumes.len(), sim)?;
            volumes
                .iter()
                .enumerate()
                .map(|(k, &v)| {
                    // Held to the same rate bound as `arrival_rate`, so sums stay finite.
                    let most = MAX_ARRIVAL_RATE * sim.interval_len(k) / 3600.0;
                    if (0.0..=most).contains(&v) {
                        Ok(v / sim.interval_len(k))
                    } else {
                        Err(cx.err(
                            format!("call_types[{i}].volumes[{k}]"),
                            format!("must be an expected call count ≥ 0 and at most {} (a rate of {MAX_ARRIVAL_RATE:e} calls per hour), got {}", num(most.floor()), num(v)),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    if let (Some(cal), Some(_)) = (cal, c.arrival_rate) {
        if c.channel.as_deref() == Some("email") {
            email_keys::around_the_clock(cal, sim, &mut arrival_rates);
        } else {
            calendar_keys::mask_rates(cal, sim, &mut arrival_rates);
        }
    }
    let handle_time = build_dist(cx, &at("handle_time"), &c.handle_time, Unit::Seconds)?;
    if handle_time.mean() <= 0.0 {
        return Err(cx.err(
            at("handle_time"),
            "the mean handle time must be longer than 0s",
        ));
    }
    let patience = c
        .patience
        .as_ref()
        .map(|d| build_dist(cx, &at("patience"), d, Unit::Seconds))
        .transpose()?;
    let after_call_work = c
        .after_call_work
        .as_ref()
        .map(|d| build_dist(cx, &at("after_call_work"), d, Unit::Seconds))
        .transpose()?;
    let transfer = match &c.transfer {
        None => None,
        Some(t) => {
            let to = *type_index.get(&t.to).ok_or_else(|| {
                let mut known: Vec<&str> = type_index.keys().map(String::as_str).collect();
                known.sort_unstable();
                // A long list is cut, so the message stays one readable paragraph.
                let more = known.len().saturating_sub(20);
                let mut known: Vec<String> = known.iter().take(20).map(|k| quote(k)).collect();
                if more > 0 {
                    known.push(format!("and {more} more"));
                }
                cx.err(
                    at("transfer.to"),
                    format!(
                        "unknown call type {}; known call types: {}",
                        quote(&t.to),
                        known.join(", ")
                    ),
                )
            })?;
            if to == i {
                return Err(cx.err(at("transfer.to"), "a call type cannot transfer to itself"));
            }
            if !(0.0..=1.0).contains(&t.probability) {
                return Err(cx.err(
                    at("transfer.probability"),
                    format!(
                        "must be a probability from 0 to 1, got {}",
                        num(t.probability)
                    ),
                ));
            }
            Some(Transfer {
                to,
                probability: t.probability,
            })
        }
    };
    let difficulty = c
        .difficulty
        .as_ref()
        .map(|d| build_dist(cx, &at("difficulty"), d, Unit::Fraction))
        .transpose()?;
    let decision_probability = probability(
        cx,
        &at("decision_probability"),
        c.decision_probability.unwrap_or(0.0),
    )?;
    let decision_amount = c
        .decision_amount
        .as_ref()
        .map(|d| build_dist(cx, &at("decision_amount"), d, Unit::Number))
        .transpose()?;
    if decision_probability > 0.0 && decision_amount.is_none() {
        return Err(cx.err(
            at("decision_amount"),
            "missing: with decision_probability > 0, give the amount at stake, e.g. { distribution = \"exponential\", mean = 80 }",
        ));
    }
    let (channel, callback) = channels::call_type_channel(cx, i, c)?;
    let (service_level, after_live) = email_keys::call_type_email(cx, sim, cal, i, c, channel)?;
    let priority = match c.priority {
        None => 0,
        Some(p) if (0..=MAX_PRIORITY).contains(&p) => p as u32,
        Some(p) => {
            return Err(cx.err(
                at("priority"),
                format!(
                "must be a whole number from 0 (lowest, the default) to {MAX_PRIORITY}, got {p}"
            ),
            ))
        }
    };
    let hold_patience = c
        .hold_patience
        .as_ref()
        .map(|d| build_dist(cx, &at("hold_patience"), d, Unit::Seconds))
        .transpose()?;
    Ok(CallType {
        priority,
        hold_patience,
        service_level,
        after_live,
        name: c.name.clone(),
        arrival_rates,
        handle_time,
        patience,
        transfer,
        after_call_work,
        difficulty,
        decision_probability,
        decision_amount,
        channel,
        callback,
    })
}

/// A chain of transfers that all have probability 1 and loops back would never end.
fn check_transfer_cycles(cx: &Ctx, types: &[CallType]) -> Result<(), ScenarioError> {
    for start in 0..types.len() {
        let mut at = start;
        for _ in 0..types.len() {
            match types[at].transfer {
                Some(t) if t.probability >= 1.0 => at = t.to,
                _ => break,
            }
            if at == start {
                return Err(cx.err(
                    format!("call_types[{start}].transfer.probability"),
                    "transfers with probability 1 form a cycle, so a contact would be transferred forever; lower a probability below 1",
                ));
            }
        }
    }
    Ok(())
}

fn build_agent_group(
    cx: &Ctx,
    sim: &Simulation,
    type_index: &HashMap<String, usize>,
    i: usize,
    g: &RawAgentGroup,
    shifted: Option<Vec<u32>>,
) -> Result<AgentGroup, ScenarioError> {
    let at = |key: &str| format!("agent_groups[{i}].{key}");
    if g.skills.is_empty() {
        return Err(cx.err(at("skills"), "must list at least one call type"));
    }
    let mut skills = Vec::with_capacity(g.skills.len());
    for (k, name) in g.skills.iter().enumerate() {
        let idx = *type_index.get(name).ok_or_else(|| {
            cx.err(
                format!("agent_groups[{i}].skills[{k}]"),
                format!("unknown call type {}", quote(name)),
            )
        })?;
        if skills.contains(&idx) {
            return Err(cx.err(
                format!("agent_groups[{i}].skills[{k}]"),
                format!("{} is listed twice", quote(name)),
            ));
        }
        skills.push(idx);
    }
    let headcount = |path: String, n: i64| -> Result<u32, ScenarioError> {
        if (0..=MAX_AGENTS).contains(&n) {
            Ok(n as u32)
        } else {
            Err(cx.err(
                path,
                format!("must be a whole number of agents from 0 to {MAX_AGENTS}, got {n}"),
            ))
        }
    };
    let staffing = match (g.agents, &g.staffing) {
        (Some(_), Some(_)) => {
            return Err(cx.err(
                at("staffing"),
                "give either `agents` (constant) or `staffing` (per interval), not both",
            ))
        }
        (None, None) if shifted.is_some() => shifted.unwrap_or_default(),
        (None, None) => return Err(cx.err(
            at("agents"),
            "missing: give `agents` (constant headcount), `staffing` (headcount per interval) or [[shifts]] for it",
        )),
        (Some(n), None) => vec![headcount(at("agents"), n)?; sim.intervals],
        (None, Some(list)) => {
            check_len(cx, &at("staffing"), list.len(), sim)?;
            list.iter()
                .enumerate()
                .map(|(k, &n)| headcount(format!("agent_groups[{i}].staffing[{k}]"), n))
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let proficiency = probability(cx, &at("proficiency"), g.proficiency.unwrap_or(1.0))?;
    let learning = match &g.learning {
        None => None,
        Some(l) => {
            let start = probability(cx, &at("learning.start"), l.start)?;
            if !(l.calls > 0.0 && l.calls <= MAX_NUMBER) {
                return Err(cx.err(
                    at("learning.calls"),
                    format!(
                        "must be a number of calls above 0 and at most {MAX_NUMBER:e}, got {}",
                        num(l.calls)
                    ),
                ));
            }
            Some(Learning {
                start,
                calls: l.calls,
            })
        }
    };
    let authority = match g.authority {
        None => f64::INFINITY,
        Some(a) => non_negative(cx, &at("authority"), a)?,
    };
    let beyond_authority = match g.beyond_authority.as_deref() {
        None | Some("approval") => BeyondAuthority::Approval,
        Some(name) => match type_index.get(name) {
            Some(&t) => BeyondAuthority::Escalate(t),
            None => {
                return Err(cx.err(
                    at("beyond_authority"),
                    format!(
                        "must be \"approval\" or the name of a call type to escalate to, got {}",
                        quote(name)
                    ),
                ))
            }
        },
    };
    let unresolved_transfer = match &g.unresolved_transfer {
        None => None,
        Some(t) => {
            let to = *type_index.get(&t.to).ok_or_else(|| {
                cx.err(
                    at("unresolved_transfer.to"),
                    format!("unknown call type {}", quote(&t.to)),
                )
            })?;
            Some(Transfer {
                to,
                probability: probability(
                    cx,
                    &at("unresolved_transfer.probability"),
                    t.probability,
                )?,
            })
        }
    };
    let (max_concurrent, chat_slowdown) = channels::group_concurrency(cx, i, g)?;
    let mut overflow_after = Vec::new();
    if let Some(table) = &g.overflow_after {
        overflow_after = vec![0.0; skills.len()];
        for (name, wait) in table {
            let path = format!("agent_groups[{i}].overflow_after.{name}");
            let Some(&t) = type_index.get(name) else {
                return Err(cx.err(
                    path,
                    format!(
                        "unknown call type {}; name one of this group's skills",
                        quote(name)
                    ),
                ));
            };
            let Some(k) = skills.iter().position(|&s| s == t) else {
                return Err(cx.err(
                    path,
                    format!("{} is not among this group's skills; overflow applies only to skills the group has: add it to `skills` or remove it here", quote(name)),
                ));
            };
            overflow_after[k] = wait.secs();
        }
        if overflow_after.iter().all(|&w| w == 0.0) {
            overflow_after.clear();
        }
    }
    Ok(AgentGroup {
        overflow_after,
        name: g.name.clone(),
        skills,
        staffing,
        proficiency,
        learning,
        authority,
        beyond_authority,
        unresolved_transfer,
        hourly_cost: non_negative(cx, &at("hourly_cost"), g.hourly_cost.unwrap_or(0.0))?,
        training_cost: non_negative(cx, &at("training_cost"), g.training_cost.unwrap_or(0.0))?,
        shrinkage: calendar_keys::shrinkage(cx, i, g.shrinkage)?,
        breaks: Vec::new(),
        max_concurrent,
        chat_slowdown,
    })
}

/// The headcount of every interval, over all groups, is at most [`MAX_AGENTS`], so headcount
/// sums anywhere fit `u32`.
fn check_total_headcount(
    cx: &Ctx,
    sim: &Simulation,
    groups: &[AgentGroup],
) -> Result<(), ScenarioError> {
    for k in 0..sim.intervals {
        let total: u64 = groups.iter().map(|g| u64::from(g.staffing[k])).sum();
        if total > MAX_AGENTS as u64 {
            return Err(cx.err(
                "agent_groups",
                format!("interval {k} has {total} agents over all groups; at most {MAX_AGENTS} are allowed"),
            ));
        }
    }
    Ok(())
}

fn check_len(cx: &Ctx, path: &str, len: usize, sim: &Simulation) -> Result<(), ScenarioError> {
    if len == sim.intervals {
        return Ok(());
    }
    Err(cx.err(
        path,
        format!(
            "has {len} entries but needs {} (one per interval: horizon {} / interval {})",
            sim.intervals,
            duration::format_duration(sim.horizon),
            duration::format_duration(sim.interval)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::scenario::error::ScenarioError;
    use crate::scenario::validated::Scenario;

    const BASE: &str = r#"
[simulation]
horizon = "8h"
[[call_types]]
name = "general"
arrival_rate = 60.0
handle_time = { distribution = "exponential", mean = "4m" }
[[agent_groups]]
name = "tier1"
skills = ["general"]
agents = 5
"#;

    fn error(text: &str) -> String {
        match Scenario::from_toml_str(text, "t.toml", "t") {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e @ ScenarioError::Invalid { .. }) => e.to_string(),
            Err(e) => panic!("not a validation error: {e}"),
        }
    }

    /// Regression (issue 11): `arrival_rate = 1e308` was accepted and grew to 23 GB.
    #[test]
    fn absurd_arrival_rates_are_refused_with_the_range() {
        for rate in ["1e308", "inf", "nan", "-1.0", "10000001.0"] {
            let m = error(&BASE.replace("60.0", rate));
            assert!(
                m.contains("call_types[0].arrival_rate") && m.contains("at most 1e7"),
                "{m}"
            );
            assert!(m.len() < 200, "number printed in full: {m}");
        }
        let big = BASE.replace(
            "arrival_rate = 60.0",
            "volumes = [1e308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
        );
        assert!(error(&big).contains("call_types[0].volumes[0]"));
    }

    #[test]
    fn headcount_over_all_groups_fits_u32() {
        let two = BASE.replace("agents = 5", "agents = 1000000")
            + "[[agent_groups]]\nname = \"tier2\"\nskills = [\"general\"]\nagents = 1000000\n";
        assert!(error(&two).contains("at most 1000000"));
    }

    #[test]
    fn per_interval_tables_are_bounded_before_they_are_built() {
        // 10^6 intervals (the most allowed) × 21 entries > 2·10^7 values.
        let mut fine = BASE.replace(
            "horizon = \"8h\"",
            "horizon = \"1000000m\"\ninterval = \"1m\"",
        );
        for g in 0..20 {
            fine +=
                &format!("[[agent_groups]]\nname = \"g{g}\"\nskills = [\"general\"]\nagents = 1\n");
        }
        let m = error(&fine);
        assert!(
            m.contains("simulation.interval") && m.contains("per-interval values"),
            "{m}"
        );
    }

    #[test]
    fn names_are_one_line() {
        let m = error(&format!("name = \"\"\"\n4m\n\"\"\"\n{BASE}"));
        assert!(m.starts_with("t.toml: name: ") && !m.contains('\n'), "{m}");
        let m = error(&BASE.replace("name = \"tier1\"", "name = \"tier\\t1\""));
        assert!(m.contains("agent_groups[0].name"), "{m}");
    }

    #[test]
    fn heavy_tailed_weibull_is_refused() {
        let w = BASE.replace(
            "{ distribution = \"exponential\", mean = \"4m\" }",
            "{ distribution = \"weibull\", shape = 0.001, scale = \"4m\" }",
        );
        assert!(error(&w).contains("handle_time.shape"));
    }

    /// Regression (issue 11): a distribution written as a plain string said "expected struct
    /// RawDistribution".
    #[test]
    fn a_distribution_given_as_a_string_says_what_to_write() {
        let m = error(&BASE.replace(
            "handle_time = { distribution = \"exponential\", mean = \"4m\" }",
            "handle_time = { distribution = \"exponential\", mean = \"4m\" }\npatience = \"3m\"",
        ));
        assert_eq!(
            m,
            "t.toml: call_types[0].patience: expected a distribution table such as { distribution = \"exponential\", mean = \"3m\" }, found the string \"3m\""
        );
    }
}
