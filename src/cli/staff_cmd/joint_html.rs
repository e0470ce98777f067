//! `ccsim staff --format html` for several groups staffed jointly: per group, the heads on
//! the phones against the scenario's and the Erlang start's per interval (and the scheduled
//! heads with shrinkage); per judged target (a group's occupancy cap once per group), the
//! achieved level on fresh seeds with its 95% CI band against the target line; the total
//! cost, the Erlang lower bound and the intervals that missed. Drawn with [`super::page`].

use super::page::{
    agents_chart, cell, closed, confidence_words, degenerate_note, esc, head, holds_cell,
    intervals_words, level_chart, paste_groups, target_words, targets_words, Scale, Series,
    TimeAxis,
};
use ccsim::staff::joint::{self, JointAnswer, JointQuery};
use ccsim::staff::{agent_hours, Source, Target};
use std::fmt::Write;

/// Colours of the staffing lines, the same on every group's chart.
const REQUIRED: &str = "#1f77b4";
const SCHEDULED: &str = "#2ca02c";
const SCENARIO: &str = "#7f7f7f";
const ERLANG: &str = "#ff7f0e";

/// The judged rows in words (`generalist: occupancy ≤ 88%`) with their targets, row for row
/// with the evaluations' estimates; `labels` (the answer's) where the targets cannot be
/// judged again (they were, by the search).
pub(in crate::cli) fn judged_words(
    q: &JointQuery,
    labels: &[String],
) -> Vec<(String, Option<Target>)> {
    let s = &q.scenario;
    match joint::judged(q) {
        Ok((_, targets, sources)) => targets
            .into_iter()
            .zip(sources)
            .map(|(t, src)| {
                let subject = match src {
                    Source::Occupancy(g) => Some(s.agent_groups[g].name.as_str()),
                    _ => None,
                };
                (target_words(&t, subject), Some(t))
            })
            .collect(),
        Err(_) => labels.iter().map(|l| (l.clone(), None)).collect(),
    }
}

/// The whole page; `names` are the staffed groups' names in the query's order.
pub(in crate::cli) fn page(q: &JointQuery, names: &[&str], a: &JointAnswer) -> String {
    let s = &q.scenario;
    let sim = &s.simulation;
    let axis = TimeAxis::of(s);
    let rows = judged_words(q, &a.labels);
    let flagged = a.validation.misses();
    let held = super::held_of(&a.validation, sim.intervals);
    let mut out = head(&format!("Joint staffing: {}", s.name));
    let _ = writeln!(
        out,
        "<h1>Joint staffing: {}, agent groups {}</h1>",
        esc(&s.name),
        esc(&names.join(" + "))
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">Targets: {} in every interval, judged on {}; the groups are staffed \
         together at least total cost. {} replications, seed {}, {} simulations. Achieved levels \
         are those of a re-run on fresh seeds (streams the search never used): the line is the \
         mean, the band its 95% confidence interval. The staffing holds in {} of {} \
         there ({} round(s)).</p>",
        esc(&targets_words(&q.targets)),
        confidence_words(q.confidence),
        sim.replications,
        sim.seed,
        a.simulations,
        held.0,
        held.1,
        a.validation_rounds
    );

    out.push_str(&degenerate_note(&q.targets));
    // Cost first: what the planner pays, and how far from the bound it is.
    let _ = writeln!(
        out,
        "<h2>Cost</h2><table><tr><th class=\"name\">group</th><th>agent-hours</th>\
         <th>cost per hour</th><th>cost</th><th>Erlang start: agent-hours</th><th>cost</th></tr>"
    );
    for (i, n) in names.iter().enumerate() {
        let hours = agent_hours(s, &a.staffing[i]);
        let erlang = agent_hours(s, &a.erlang[i]);
        let _ = writeln!(
            out,
            "<tr><td class=\"name\">{}</td><td>{hours:.1}</td><td>{:.2}</td><td>{:.2}</td>\
             <td>{erlang:.1}</td><td>{:.2}</td></tr>",
            esc(n),
            a.cost_per_hour[i],
            hours * a.cost_per_hour[i],
            erlang * a.cost_per_hour[i],
        );
    }
    let _ = writeln!(
        out,
        "<tr class=\"total\"><td class=\"name\">total</td><td></td><td></td><td>{:.2}</td><td></td><td>{:.2}</td></tr></table>",
        a.cost(s),
        joint::total_cost(s, &a.cost_per_hour, &a.erlang)
    );
    let _ = writeln!(
        out,
        "<p><b>Lower bound: cost ≥ {:.2}.</b> <span class=\"note\">Erlang relaxation: per interval \
         every staffed agent pooled into one queue at the cheapest group's hourly cost — a bound \
         in the Erlang model, not a proof for the simulation.</span></p>\n\
         <p>The Erlang start {} in simulation. Intervals missed on fresh seeds: \
         <span{}>{}</span>.</p>",
        a.lower_bound,
        if a.erlang_evaluation.meets() {
            "meets the targets".to_string()
        } else {
            format!(
                "misses them in {} interval(s)",
                a.erlang_evaluation.misses().len()
            )
        },
        if flagged.is_empty() {
            ""
        } else {
            " class=\"miss\""
        },
        esc(&intervals_words(&axis, &flagged))
    );

    let _ = writeln!(out, "<h2>Agents per interval</h2>");
    if let Some(sh) = &a.shrinkage {
        let held = super::held_of(&sh.check, sim.intervals);
        let _ = writeln!(
            out,
            "<p class=\"note\">Shrinkage ({}): the required agents are heads on the phones; \
             scheduled heads = ⌈required / (1 − shrinkage)⌉ per group, plus what the check with \
             shrinkage on fresh seeds added; they hold in {} of {} there.</p>",
            esc(&names
                .iter()
                .zip(&sh.shares)
                .map(|(n, x)| format!("{n} {:.0}%", x * 100.0))
                .collect::<Vec<_>>()
                .join(", ")),
            held.0,
            held.1
        );
    }
    for (i, &g) in q.groups.iter().enumerate() {
        let mut series = vec![Series::heads(
            &axis,
            "required (on the phones)",
            REQUIRED,
            &a.staffing[i],
        )];
        if let Some(sh) = &a.shrinkage {
            series.push(Series::heads(
                &axis,
                "scheduled heads (shrinkage)",
                SCHEDULED,
                &sh.scheduled[i],
            ));
        }
        series.push(
            Series::heads(
                &axis,
                "scenario staffing",
                SCENARIO,
                &s.agent_groups[g].staffing,
            )
            .dashed(),
        );
        series.push(Series::heads(&axis, "Erlang start", ERLANG, &a.erlang[i]).dashed());
        let _ = writeln!(out, "<h3>{}</h3>", esc(names[i]));
        out.push_str(&agents_chart(&axis, names[i], series));
    }

    let _ = writeln!(out, "<h2>Achieved per interval</h2>");
    for (i, (words, t)) in rows.iter().enumerate() {
        let series = vec![
            Series::level(
                &axis,
                "this staffing, fresh seeds",
                REQUIRED,
                &a.validation,
                i,
            ),
            Series::level(
                &axis,
                "Erlang start (search seeds)",
                ERLANG,
                &a.erlang_evaluation,
                i,
            )
            .dashed(),
        ];
        out.push_str(&level_chart(&axis, words, t.as_ref(), series, &flagged));
    }

    let _ = write!(
        out,
        "<h2>Table</h2><div class=\"wide\"><table><tr><th>interval</th><th>start</th>"
    );
    for n in names {
        let n = esc(n);
        let _ = write!(out, "<th>{n} required</th>");
        if a.shrinkage.is_some() {
            let _ = write!(out, "<th>{n} scheduled</th>");
        }
        let _ = write!(out, "<th>{n} Erlang</th><th>{n} scenario</th>");
    }
    for (words, _) in &rows {
        let _ = write!(out, "<th>{} (fresh seeds)</th>", esc(words));
    }
    let _ = writeln!(out, "<th>holds</th></tr>");
    let mut left_out = 0;
    for k in 0..sim.intervals {
        let mut heads = Vec::new();
        for (i, &g) in q.groups.iter().enumerate() {
            heads.extend([
                a.staffing[i][k],
                a.erlang[i][k],
                s.agent_groups[g].staffing[k],
            ]);
            heads.extend(a.shrinkage.as_ref().map(|sh| sh.scheduled[i][k]));
        }
        let heads: Vec<f64> = heads.into_iter().map(f64::from).collect();
        if closed(a.validation.at(k), &heads) {
            left_out += 1;
            continue;
        }
        let _ = write!(
            out,
            "<tr><td>{k}</td><td>{}</td>",
            esc(&axis.label(axis.start(k)))
        );
        for (i, &g) in q.groups.iter().enumerate() {
            let _ = write!(out, "<td>{}</td>", a.staffing[i][k]);
            if let Some(sh) = &a.shrinkage {
                let _ = write!(out, "<td>{}</td>", sh.scheduled[i][k]);
            }
            let _ = write!(
                out,
                "<td>{}</td><td>{}</td>",
                a.erlang[i][k], s.agent_groups[g].staffing[k]
            );
        }
        for ((_, t), e) in rows.iter().zip(a.validation.at(k)) {
            let scale = t.as_ref().map_or(Scale::Fraction, Scale::of);
            let _ = write!(out, "<td>{}</td>", cell(e, scale));
        }
        holds_cell(&mut out, a.validation.slack[k] >= 0.0);
    }
    paste_groups(
        &mut out,
        left_out,
        names
            .iter()
            .zip(a.scheduled())
            .map(|(n, st)| (*n, st.as_slice())),
    );
    out
}
