//! Stage two of reading a scenario: defaults, ranges and every cross-field check, turning a
//! [`RawScenario`] into a [`Scenario`]. Each error carries the key path it is about.

use super::dist::{build_dist, Unit};
use super::raw::{RawAgentGroup, RawCallType, RawScenario};
use super::sections::{self, non_negative, probability};
use super::*;
use crate::model::{BeyondAuthority, Learning, Transfer};
use std::collections::HashMap;

/// Upper bounds that keep a typo from asking for terabytes or years of CPU.
const MAX_INTERVALS: usize = 1_000_000;
const MAX_AGENTS: i64 = 1_000_000;
const MAX_REPLICATIONS: i64 = 10_000_000;

pub(super) struct Ctx<'a> {
    pub file: &'a str,
}

impl Ctx<'_> {
    pub fn err(&self, path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }
}

pub(super) fn build(
    raw: RawScenario,
    file: &str,
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    let cx = Ctx { file };
    let simulation = build_simulation(&cx, &raw)?;
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
    let type_index = unique_names(
        &cx,
        "call_types",
        raw.call_types.iter().map(|c| c.name.as_str()),
    )?;
    unique_names(
        &cx,
        "agent_groups",
        raw.agent_groups.iter().map(|g| g.name.as_str()),
    )?;

    let call_types = raw
        .call_types
        .iter()
        .enumerate()
        .map(|(i, c)| build_call_type(&cx, &simulation, &type_index, i, c))
        .collect::<Result<Vec<_>, _>>()?;
    check_transfer_cycles(&cx, &call_types)?;
    let agent_groups = raw
        .agent_groups
        .iter()
        .enumerate()
        .map(|(i, g)| build_agent_group(&cx, &simulation, &type_index, i, g))
        .collect::<Result<Vec<_>, _>>()?;

    for (i, c) in call_types.iter().enumerate() {
        if !agent_groups.iter().any(|g| g.skills.contains(&i)) {
            return Err(cx.err(
                format!("call_types[{i}]"),
                format!(
                    "no agent group serves call type \"{}\": add it to some group's `skills`",
                    c.name
                ),
            ));
        }
    }

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
                    "is 0, but agent group \"{}\" sends decisions beyond its authority to a supervisor for approval: add supervisors or set its beyond_authority to a call type",
                    agent_groups[g].name
                ),
            ));
        }
    }
    let name = raw
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| default_name.to_string());
    Ok(Scenario {
        name,
        source: file.to_string(),
        simulation,
        call_types,
        agent_groups,
        supervisors,
        customers,
        experience,
    })
}

fn build_simulation(cx: &Ctx, raw: &RawScenario) -> Result<Simulation, ScenarioError> {
    let s = &raw.simulation;
    let horizon = s.horizon.secs();
    if horizon <= 0.0 {
        return Err(cx.err("simulation.horizon", "must be longer than 0s"));
    }
    let interval = s.interval.map_or(DEFAULT_INTERVAL_S, |d| d.secs());
    if interval <= 0.0 {
        return Err(cx.err("simulation.interval", "must be longer than 0s"));
    }
    let intervals = (horizon / interval - 1e-9).ceil().max(1.0);
    if intervals > MAX_INTERVALS as f64 {
        return Err(cx.err(
            "simulation.interval",
            format!(
                "horizon/interval gives {intervals} intervals; at most {MAX_INTERVALS} are allowed"
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
    Ok(Simulation {
        horizon,
        interval,
        intervals: intervals as usize,
        warmup,
        replications: replications as u32,
        seed: seed as u64,
        service_level_threshold: s
            .service_level_threshold
            .map_or(DEFAULT_SL_THRESHOLD_S, |d| d.secs()),
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
        if index.insert(name.to_string(), i).is_some() {
            return Err(cx.err(
                format!("{section}[{i}].name"),
                format!("\"{name}\" is used twice; names must be unique within {section}"),
            ));
        }
    }
    Ok(index)
}

fn build_call_type(
    cx: &Ctx,
    sim: &Simulation,
    type_index: &HashMap<String, usize>,
    i: usize,
    c: &RawCallType,
) -> Result<CallType, ScenarioError> {
    let at = |key: &str| format!("call_types[{i}].{key}");
    let arrival_rates = match (c.arrival_rate, &c.volumes) {
        (Some(_), Some(_)) => return Err(cx.err(
            at("volumes"),
            "give either `arrival_rate` (calls/hour) or `volumes` (calls per interval), not both",
        )),
        (None, None) => return Err(cx.err(
            at("arrival_rate"),
            "missing: give `arrival_rate` (calls/hour, 0 if reached only by transfer) or `volumes`",
        )),
        (Some(rate), None) => {
            if !rate.is_finite() || rate < 0.0 {
                return Err(cx.err(
                    at("arrival_rate"),
                    format!("must be a finite number of calls per hour ≥ 0, got {rate}"),
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
                    if v.is_finite() && v >= 0.0 {
                        Ok(v / sim.interval_len(k))
                    } else {
                        Err(cx.err(
                            format!("call_types[{i}].volumes[{k}]"),
                            format!("must be a finite expected call count ≥ 0, got {v}"),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
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
                cx.err(
                    at("transfer.to"),
                    format!(
                        "unknown call type \"{}\"; known call types: {}",
                        t.to,
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
                    format!("must be a probability from 0 to 1, got {}", t.probability),
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
    Ok(CallType {
        name: c.name.clone(),
        arrival_rates,
        handle_time,
        patience,
        transfer,
        after_call_work,
        difficulty,
        decision_probability,
        decision_amount,
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
                format!("unknown call type \"{name}\""),
            )
        })?;
        if skills.contains(&idx) {
            return Err(cx.err(
                format!("agent_groups[{i}].skills[{k}]"),
                format!("\"{name}\" is listed twice"),
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
        (None, None) => return Err(cx.err(
            at("agents"),
            "missing: give `agents` (constant headcount) or `staffing` (headcount per interval)",
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
            if !(l.calls.is_finite() && l.calls > 0.0) {
                return Err(cx.err(
                    at("learning.calls"),
                    format!("must be a number of calls > 0, got {}", l.calls),
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
                    format!("must be \"approval\" or the name of a call type to escalate to, got \"{name}\""),
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
                    format!("unknown call type \"{}\"", t.to),
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
    Ok(AgentGroup {
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
    })
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
