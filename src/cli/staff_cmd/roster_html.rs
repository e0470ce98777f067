//! `ccsim roster --format html`, for one group or several: the shifts table (a shift's days
//! with the same headcount on one row), the roster's total cost against covering the
//! requirement interval by interval, per group the coverage per interval (required,
//! rostered, on duty), and per target the achieved level on fresh seeds with its 95% CI band
//! against the target line. Both answers are read through one [`Roster`] view so that one
//! function draws the page, with the kit of [`super::page`].

use super::joint_html::judged_words;
use super::page::{
    agents_chart, cell, closed, confidence_words, degenerate_note, esc, head, holds_cell,
    intervals_words, level_chart, paste_groups, target_words, targets_words, Scale, Series,
    TimeAxis,
};
use ccsim::scenario::Scenario;
use ccsim::staff::roster::{
    JointRosterAnswer, JointRosterQuery, RosterAnswer, RosterQuery, ShiftColumn,
};
use ccsim::staff::{Confidence, Evaluation, Target};
use std::fmt::Write;

/// One group's coverage per interval.
struct Coverage<'a> {
    name: &'a str,
    /// The staffing search's requirement (scheduled heads).
    required: &'a [u32],
    /// The requirement the roster was finally solved for (raised where a round missed).
    required_after: &'a [u32],
    /// Heads on the phones behind `required`, when the group has shrinkage.
    on_phones: Option<&'a [u32]>,
    /// Rostered heads (fractional where shifts start or break inside an interval).
    rostered: Vec<f64>,
    /// Whole agents on duty: what the scenario runs with.
    staffing: &'a [u32],
}

/// What the page shows, from either answer.
struct Roster<'a> {
    scenario: &'a Scenario,
    targets: &'a [Target],
    confidence: Confidence,
    /// Judged rows in words with their targets, row for row with `validation`.
    rows: Vec<(String, Option<Target>)>,
    columns: &'a [ShiftColumn],
    counts: &'a [u32],
    groups: Vec<Coverage<'a>>,
    cost: f64,
    interval_by_interval_cost: Option<f64>,
    validation: &'a Evaluation,
    rounds: u32,
    simulations: usize,
    shrinkage: bool,
}

/// The page for one group's roster.
pub(in crate::cli) fn page(q: &RosterQuery, a: &RosterAnswer) -> String {
    let s = &q.staff.scenario;
    let req = &a.requirement;
    render(&Roster {
        scenario: s,
        targets: &q.staff.targets,
        confidence: q.staff.confidence,
        rows: q
            .staff
            .targets
            .iter()
            .map(|t| (target_words(t, None), Some(t.clone())))
            .collect(),
        columns: &q.columns,
        counts: &a.counts,
        groups: vec![Coverage {
            name: &s.agent_groups[q.staff.group].name,
            required: req.scheduled(),
            required_after: &a.required,
            on_phones: req.shrinkage.as_ref().map(|_| req.staffing.as_slice()),
            rostered: a.rostered.clone(),
            staffing: &a.staffing,
        }],
        cost: a.cost,
        interval_by_interval_cost: a.interval_by_interval_cost,
        validation: &a.validation,
        rounds: a.rounds,
        simulations: a.simulations,
        shrinkage: req.shrinkage.is_some(),
    })
}

/// The page for several groups rostered together; `names` in the query's group order.
pub(in crate::cli) fn joint_page(
    q: &JointRosterQuery,
    names: &[&str],
    a: &JointRosterAnswer,
) -> String {
    let req = &a.requirement;
    render(&Roster {
        scenario: &q.joint.scenario,
        targets: &q.joint.targets,
        confidence: q.joint.confidence,
        rows: judged_words(&q.joint, &req.labels),
        columns: &q.columns,
        counts: &a.counts,
        groups: names
            .iter()
            .enumerate()
            .map(|(i, n)| Coverage {
                name: n,
                required: &req.scheduled()[i],
                required_after: &a.required[i],
                on_phones: req.shrinkage.as_ref().map(|_| req.staffing[i].as_slice()),
                rostered: a.rostered[i].clone(),
                staffing: &a.staffing[i],
            })
            .collect(),
        cost: a.cost,
        interval_by_interval_cost: a.interval_by_interval_cost,
        validation: &a.validation,
        rounds: a.rounds,
        simulations: a.simulations,
        shrinkage: req.shrinkage.is_some(),
    })
}

/// A shift column's name and day: the parser labels the columns of a multi-day horizon
/// `NAME day D` (D counted from the scenario's first day).
fn name_and_day(label: &str) -> (&str, Option<usize>) {
    if let Some((name, d)) = label.rsplit_once(" day ") {
        if let Ok(d) = d.parse() {
            return (name, Some(d));
        }
    }
    (label, None)
}

/// Day `d` in words: the weekday with a calendar, else `day D`.
fn day_words(s: &Scenario, d: usize) -> String {
    match &s.calendar {
        Some(c) => c.weekday_of_day(d).short().to_string(),
        None => format!("day {d}"),
    }
}

/// The shifts table's rows: consecutive columns of the same shift with the same headcount
/// merged, their days listed (runs of three or more days as `Mon–Fri`).
fn shift_rows(columns: &[ShiftColumn], counts: &[u32]) -> Vec<ShiftRow> {
    let mut rows: Vec<ShiftRow> = Vec::new();
    for (c, &n) in columns.iter().zip(counts) {
        let (name, day) = name_and_day(&c.label);
        if let Some(last) = rows.last_mut() {
            if last.name == name
                && last.group == c.group
                && last.agents == n
                && last.cost_per_agent == c.cost
                && last.length_s == c.length_s
                && last.start == c.start_clock
                && day.is_some()
            {
                last.days.extend(day);
                continue;
            }
        }
        rows.push(ShiftRow {
            name: name.to_string(),
            group: c.group,
            start: c.start_clock.clone(),
            length_s: c.length_s,
            days: day.into_iter().collect(),
            agents: n,
            cost_per_agent: c.cost,
        });
    }
    rows
}

/// One line of the shifts table.
struct ShiftRow {
    name: String,
    group: usize,
    start: String,
    length_s: f64,
    days: Vec<usize>,
    agents: u32,
    cost_per_agent: f64,
}

impl ShiftRow {
    /// The days in words: runs of three or more consecutive days as a range.
    fn days_words(&self, s: &Scenario) -> String {
        if self.days.is_empty() {
            return match &s.calendar {
                Some(c) => c.weekday_of_day(0).short().to_string(),
                None => "the one day".into(),
            };
        }
        let mut parts = Vec::new();
        let mut i = 0;
        while i < self.days.len() {
            let mut j = i;
            while j + 1 < self.days.len() && self.days[j + 1] == self.days[j] + 1 {
                j += 1;
            }
            if j >= i + 2 {
                parts.push(format!(
                    "{}–{}",
                    day_words(s, self.days[i]),
                    day_words(s, self.days[j])
                ));
            } else {
                parts.extend((i..=j).map(|m| day_words(s, self.days[m])));
            }
            i = j + 1;
        }
        parts.join(", ")
    }
}

/// Hours as `8h` or `8.5h`.
fn hours(seconds: f64) -> String {
    let h = seconds / 3600.0;
    if h.fract() == 0.0 {
        format!("{h:.0}h")
    } else {
        format!("{}h", format!("{h:.2}").trim_end_matches('0'))
    }
}

fn render(r: &Roster) -> String {
    let s = r.scenario;
    let sim = &s.simulation;
    let axis = TimeAxis::of(s);
    let flagged = r.validation.misses();
    let held = super::held_of(r.validation, sim.intervals);
    let names: Vec<&str> = r.groups.iter().map(|g| g.name).collect();
    let mut out = head(&format!("Roster: {}", s.name));
    let _ = writeln!(
        out,
        "<h1>Roster: {}, agent group{} {}</h1>",
        esc(&s.name),
        if names.len() > 1 { "s" } else { "" },
        esc(&names.join(" + "))
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">Targets: {} in every interval, judged on {}; {} replications, seed {}, \
         {} simulations. The roster's staffing was re-simulated on fresh seeds (streams neither \
         the search nor its validation used) and the requirement raised where an interval missed, \
         {} round(s): it holds in {} of {} there.</p>",
        esc(&targets_words(r.targets)),
        confidence_words(r.confidence),
        sim.replications,
        sim.seed,
        r.simulations,
        r.rounds,
        held.0,
        held.1
    );

    out.push_str(&degenerate_note(r.targets));
    let _ = writeln!(
        out,
        "<h2>Shifts</h2><table><tr><th class=\"name\">shift</th><th class=\"name\">group</th>\
         <th>start</th><th>length</th><th class=\"name\">days</th><th>agents</th>\
         <th>cost per agent</th><th>cost</th></tr>"
    );
    for row in shift_rows(r.columns, r.counts) {
        let _ = writeln!(
            out,
            "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"name\">{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td></tr>",
            esc(&row.name),
            esc(&s.agent_groups[row.group].name),
            esc(&row.start),
            hours(row.length_s),
            esc(&row.days_words(s)),
            row.agents,
            row.cost_per_agent,
            row.cost_per_agent * f64::from(row.agents) * row.days.len().max(1) as f64
        );
    }
    let _ = writeln!(
        out,
        "<tr class=\"total\"><td class=\"name\">total</td><td></td><td></td><td></td><td></td>\
         <td></td><td></td><td>{:.2}</td></tr></table>",
        r.cost
    );
    let _ = writeln!(out, "<h2>Cost</h2>");
    match r.interval_by_interval_cost {
        Some(c) => {
            let _ = writeln!(
                out,
                "<p><b>Roster: {:.2}</b> against <b>{c:.2}</b> for covering each interval's \
                 requirement in turn with its cheapest shift ({}).</p>",
                r.cost,
                if c > 0.0 {
                    format!("{:.1}% less", 100.0 * (c - r.cost) / c)
                } else {
                    "the same".into()
                }
            );
        }
        None => {
            let _ = writeln!(
                out,
                "<p><b>Roster: {:.2}.</b> <span class=\"note\">The shifts' agent bounds allow no \
                 interval-by-interval cover to compare with.</span></p>",
                r.cost
            );
        }
    }
    let _ = writeln!(
        out,
        "<p>Intervals missed on fresh seeds: <span{}>{}</span>.</p>",
        if flagged.is_empty() {
            ""
        } else {
            " class=\"miss\""
        },
        esc(&intervals_words(&axis, &flagged))
    );

    let _ = writeln!(out, "<h2>Coverage per interval</h2>");
    if r.shrinkage {
        let _ = writeln!(
            out,
            "<p class=\"note\">With shrinkage the requirement is scheduled heads: the heads on the \
             phones grossed up to ⌈n / (1 − shrinkage)⌉; the roster is simulated with shrinkage on.</p>"
        );
    }
    for g in &r.groups {
        // The roster on top; the requirement it covers dashed beneath.
        let mut series = vec![
            Series::heads(&axis, "rostered", "#1f77b4", &g.rostered),
            Series::heads(&axis, "on duty (whole agents)", "#2ca02c", g.staffing).dashed(),
            Series::heads(&axis, "required (search)", "#ff7f0e", g.required).dashed(),
        ];
        if g.required_after != g.required {
            series.push(
                Series::heads(
                    &axis,
                    "required after the rounds",
                    "#d62728",
                    g.required_after,
                )
                .dashed(),
            );
        }
        if let Some(p) = g.on_phones {
            series.push(Series::heads(&axis, "on the phones", "#9467bd", p));
        }
        let _ = writeln!(out, "<h3>{}</h3>", esc(g.name));
        out.push_str(&agents_chart(&axis, g.name, series));
    }
    let _ = writeln!(out, "<h2>Achieved per interval</h2>");
    for (i, (words, t)) in r.rows.iter().enumerate() {
        let series = vec![Series::level(
            &axis,
            "the roster, fresh seeds",
            "#1f77b4",
            r.validation,
            i,
        )];
        out.push_str(&level_chart(&axis, words, t.as_ref(), series, &flagged));
    }

    let _ = write!(
        out,
        "<h2>Table</h2><div class=\"wide\"><table><tr><th>interval</th><th>start</th>"
    );
    for g in &r.groups {
        let n = esc(g.name);
        if g.on_phones.is_some() {
            let _ = write!(out, "<th>{n} on the phones</th>");
        }
        let _ = write!(
            out,
            "<th>{n} required</th><th>{n} rostered</th><th>{n} on duty</th>"
        );
    }
    for (words, _) in &r.rows {
        let _ = write!(out, "<th>{} (fresh seeds)</th>", esc(words));
    }
    let _ = writeln!(out, "<th>holds</th></tr>");
    let mut left_out = 0;
    for k in 0..sim.intervals {
        let heads: Vec<f64> = r
            .groups
            .iter()
            .flat_map(|g| {
                [
                    f64::from(g.required_after[k]),
                    g.rostered[k],
                    f64::from(g.staffing[k]),
                ]
            })
            .collect();
        if closed(r.validation.at(k), &heads) {
            left_out += 1;
            continue;
        }
        let _ = write!(
            out,
            "<tr><td>{k}</td><td>{}</td>",
            esc(&axis.label(axis.start(k)))
        );
        for g in &r.groups {
            if let Some(p) = g.on_phones {
                let _ = write!(out, "<td>{}</td>", p[k]);
            }
            let required = if g.required_after[k] > g.required[k] {
                format!("{} → {}", g.required[k], g.required_after[k])
            } else {
                g.required[k].to_string()
            };
            let _ = write!(
                out,
                "<td>{required}</td><td>{:.1}</td><td>{}</td>",
                g.rostered[k], g.staffing[k]
            );
        }
        for ((_, t), e) in r.rows.iter().zip(r.validation.at(k)) {
            let scale = t.as_ref().map_or(Scale::Fraction, Scale::of);
            let _ = write!(out, "<td>{}</td>", cell(e, scale));
        }
        holds_cell(&mut out, r.validation.slack[k] >= 0.0);
    }
    paste_groups(
        &mut out,
        left_out,
        r.groups.iter().map(|g| (g.name, g.staffing)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_days_come_from_the_column_labels() {
        assert_eq!(name_and_day("full 08:00 day 3"), ("full 08:00", Some(3)));
        assert_eq!(name_and_day("early"), ("early", None));
        assert_eq!(name_and_day("a day off"), ("a day off", None));
        assert_eq!(hours(8.0 * 3600.0), "8h");
        assert_eq!(hours(8.5 * 3600.0), "8.5h");
    }
}
