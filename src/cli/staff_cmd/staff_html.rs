//! `ccsim staff --format html` for one group: a self-contained page (drawn with the kit in
//! [`super::page`], like the joint and roster pages) with the staffing found against the
//! scenario's and Erlang's per interval, and each target's achieved level per interval — on
//! fresh seeds, with its 95% CI band — against the target line; then the per-interval table.

use super::page::{
    agents_chart, cell, closed, closed_note, confidence_words, degenerate_note, esc, head,
    holds_cell, intervals_words, level_chart, staffing_line, target_words, targets_words, Scale,
    Series, TimeAxis, FOOT,
};
use ccsim::staff::{StaffAnswer, StaffQuery};
use std::fmt::Write;

/// The whole page.
pub(super) fn page(q: &StaffQuery, a: &StaffAnswer) -> String {
    let s = &q.scenario;
    let sim = &s.simulation;
    let axis = TimeAxis::of(s);
    let group = &s.agent_groups[q.group];
    let mut out = head(&format!("Staffing: {}", s.name));
    let _ = writeln!(
        out,
        "<h1>Staffing: {}, agent group {}</h1>",
        esc(&s.name),
        esc(&group.name)
    );
    let flagged = a.validation.misses();
    let held = super::held_of(&a.validation, sim.intervals);
    let _ = writeln!(
        out,
        "<p class=\"note\">Targets: {} in every interval, judged on {}; {} replications, seed {}, {} simulations. \
         Achieved levels are those of a re-run on fresh seeds (streams the search never used): the \
         line is the mean, the band its 95% confidence interval. The staffing holds in {} of {} \
         there; missed: {}.</p>",
        esc(&targets_words(&q.targets)),
        confidence_words(q.confidence),
        sim.replications,
        sim.seed,
        a.simulations,
        held.0,
        held.1,
        esc(&intervals_words(&axis, &flagged))
    );
    out.push_str(&degenerate_note(&q.targets));
    let _ = writeln!(out, "<h2>Agents per interval</h2>");
    let mut series = vec![
        Series::heads(&axis, "required (this answer)", "#1f77b4", &a.staffing),
        Series::heads(&axis, "scenario staffing", "#7f7f7f", &group.staffing).dashed(),
        Series::heads(&axis, "Erlang estimate", "#ff7f0e", &a.erlang).dashed(),
    ];
    if let Some(sh) = &a.shrinkage {
        let held = super::held_of(&sh.check, sim.intervals);
        let _ = writeln!(
            out,
            "<p class=\"note\">Shrinkage {:.0}%: the required agents are heads on the phones; \
             scheduled heads = ⌈required / (1 − {})⌉ (plus one where a re-run with shrinkage on \
             fresh seeds missed), which hold in {} of {} with shrinkage.</p>",
            sh.share * 100.0,
            sh.share,
            held.0,
            held.1
        );
        series.insert(
            1,
            Series::heads(
                &axis,
                "scheduled heads (shrinkage)",
                "#2ca02c",
                &sh.scheduled,
            ),
        );
    }
    out.push_str(&agents_chart(&axis, &group.name, series));
    let _ = writeln!(out, "<h2>Achieved per interval</h2>");
    for (i, t) in q.targets.iter().enumerate() {
        let words = target_words(t, None);
        out.push_str(&level_chart(
            &axis,
            &words,
            Some(t),
            vec![
                Series::level(
                    &axis,
                    "this staffing, fresh seeds",
                    "#1f77b4",
                    &a.validation,
                    i,
                ),
                Series::level(
                    &axis,
                    "Erlang staffing (search seeds)",
                    "#ff7f0e",
                    &a.erlang_evaluation,
                    i,
                )
                .dashed(),
            ],
            &flagged,
        ));
    }
    let _ = write!(
        out,
        "<h2>Table</h2><div class=\"wide\"><table><tr><th>interval</th><th>start</th><th>scenario</th><th>required</th><th>Erlang</th>"
    );
    if a.shrinkage.is_some() {
        let _ = write!(out, "<th>scheduled</th>");
    }
    for t in &q.targets {
        let _ = write!(
            out,
            "<th>{} (fresh seeds)</th>",
            esc(&target_words(t, None))
        );
    }
    let _ = writeln!(out, "<th>holds</th></tr>");
    let mut left_out = 0;
    for k in 0..sim.intervals {
        let mut heads = vec![
            f64::from(group.staffing[k]),
            f64::from(a.staffing[k]),
            f64::from(a.erlang[k]),
        ];
        heads.extend(a.shrinkage.as_ref().map(|sh| f64::from(sh.scheduled[k])));
        if closed(a.validation.at(k), &heads) {
            left_out += 1;
            continue;
        }
        let holds = a.validation.slack[k] >= 0.0;
        let _ = write!(
            out,
            "<tr><td>{k}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&axis.label(axis.start(k))),
            group.staffing[k],
            a.staffing[k],
            a.erlang[k]
        );
        if let Some(sh) = &a.shrinkage {
            let _ = write!(out, "<td>{}</td>", sh.scheduled[k]);
        }
        for (t, e) in q.targets.iter().zip(a.validation.at(k)) {
            let _ = write!(out, "<td>{}</td>", cell(e, Scale::of(t)));
        }
        holds_cell(&mut out, holds);
    }
    let _ = writeln!(
        out,
        "</table></div>\n{}<p>Paste into the group: {}</p>",
        closed_note(left_out),
        staffing_line(a.scheduled())
    );
    out.push_str(FOOT);
    out
}
