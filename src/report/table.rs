//! The terminal table: scenarios side by side (mean ± CI half-width), then an interval table
//! per scenario when it has more than one interval, drawn with [`super::tabular::grid`].

use super::tabular::{grid, Align};
use super::Exporter;
use crate::experiment::{Metric, Outcome, Scope};
use crate::stats::Estimate;
use std::io::{self, Write};

/// The table exporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Table {
    /// Terminal width to wrap to; `None`: no wrapping (files, pipes, tests).
    pub width: Option<u16>,
}

impl Exporter for Table {
    fn write(&self, outcomes: &[Outcome], w: &mut dyn Write) -> io::Result<()> {
        w.write_all(table(outcomes, self.width).as_bytes())
    }
}

/// Human-readable report of one or more outcomes, wrapped to `width` when given.
pub fn table(outcomes: &[Outcome], width: Option<u16>) -> String {
    let mut columns = vec![(String::new(), Align::Left)];
    columns.extend(outcomes.iter().map(|o| (o.scenario.clone(), Align::Right)));
    let mut rows = vec![std::iter::once("replications / seed".to_string())
        .chain(
            outcomes
                .iter()
                .map(|o| format!("{} / {}", o.replications, o.seed)),
        )
        .collect()];

    section(&mut rows, "overall", outcomes, |o| Some(&o.overall));
    for (name, found) in super::scopes_by_name(outcomes, |o| &o.call_types) {
        section(&mut rows, &format!("call type {name}"), outcomes, |o| {
            found[super::position(outcomes, o)]
        });
    }
    for (name, found) in super::scopes_by_name(outcomes, |o| &o.agent_groups) {
        section(&mut rows, &format!("agent group {name}"), outcomes, |o| {
            found[super::position(outcomes, o)]
        });
    }
    let mut out = grid(columns, rows, width);
    for o in outcomes {
        if let Some(classes) = class_table(o, width) {
            out.push('\n');
            out.push_str(&classes);
        }
    }
    for o in outcomes {
        if o.intervals.len() > 1 {
            out.push('\n');
            out.push_str(&interval_table(o, width));
        }
    }
    for o in outcomes {
        if let Some(weeks) = super::weeks::week_table(o, width) {
            out.push('\n');
            out.push_str(&weeks);
        }
    }
    out.push('\n');
    out.push_str(&wrap(
        "± is the half-width of the 95% confidence interval over replications.",
        width,
    ));
    out.push('\n');
    if outcomes.iter().any(has_upside) {
        out.push_str(&wrap(UPSIDE_NOTE, width));
        out.push('\n');
    }
    out
}

/// How `revenue_upside` must be read wherever it is shown.
pub(super) const UPSIDE_NOTE: &str = "revenue_upside is a stated intention (AmEx 2011: 70% would \
     spend 13% more for excellent service, applied to top-box customers), not observed \
     behaviour: an upper bound, never a measured saving.";

/// Whether the outcome reports a spend-premium upside.
pub(super) fn has_upside(o: &Outcome) -> bool {
    o.overall
        .get("revenue_upside")
        .is_some_and(|m| m.estimate.is_some())
}

/// A title row, then one row per metric any outcome has in this scope (`–` where an outcome
/// lacks the scope or metric).
fn section<'a>(
    rows: &mut Vec<Vec<String>>,
    title: &str,
    outcomes: &'a [Outcome],
    scope_of: impl Fn(&'a Outcome) -> Option<&'a Scope> + Copy,
) {
    rows.push(vec![title.to_string()]);
    for name in super::metric_names(outcomes, scope_of) {
        let mut row = vec![format!("  {name}")];
        row.extend(outcomes.iter().map(|o| {
            scope_of(o)
                .and_then(|s| s.get(name))
                .map_or_else(|| "–".to_string(), cell)
        }));
        rows.push(row);
    }
}

/// `mean ± half-width` with precision suited to the metric's scale.
fn cell(m: &Metric) -> String {
    m.estimate
        .map_or_else(|| "n/a".into(), |e| format_estimate(m.name, &e))
}

/// `mean ± half-width` with precision suited to the metric's scale (shared with the HTML
/// report).
pub(super) fn format_estimate(name: &str, e: &Estimate) -> String {
    let h = e.half_width();
    let decimals = if e.mean.abs() < 1.5 && !is_count(name) {
        4
    } else if e.mean.abs() < 100.0 {
        2
    } else {
        1
    };
    if h > 0.0 {
        format!("{:.*} ± {:.*}", decimals, e.mean, decimals, h)
    } else {
        format!("{:.*}", decimals, e.mean)
    }
}

/// Counts and amounts: never shown with 4 decimals, however small.
fn is_count(name: &str) -> bool {
    matches!(
        name,
        "offered"
            | "answered"
            | "abandoned"
            | "in_queue_at_end"
            | "customers"
            | "customers_lost"
            | "handled"
            | "revenue_at_risk"
            | "cost"
            | "staffing_cost"
            | "training_cost"
            | "revenue_upside"
    ) || (name.starts_with("word_of_mouth") && name != "word_of_mouth_people")
}

/// Where dissatisfaction comes from: one row per journey class (share of customers, top-box
/// CSAT, churn, people told per customer, NPS), for a scenario that scores journeys; `None`
/// for a plain one (its classes have shares only).
fn class_table(o: &Outcome, width: Option<u16>) -> Option<String> {
    let scored = o
        .classes()
        .iter()
        .any(|s| s.get("csat_top_box").is_some_and(|m| m.estimate.is_some()));
    if !scored {
        return None;
    }
    let metrics = crate::stats::CLASS_METRICS;
    let columns: Vec<(String, Align)> = std::iter::once(("journey class", Align::Left))
        .chain(metrics.iter().map(|m| (*m, Align::Right)))
        .map(|(h, a)| (h.to_string(), a))
        .collect();
    let rows = super::printed_classes(o.classes()).map(|s| {
        std::iter::once(s.name.replace('_', " "))
            .chain(
                metrics
                    .iter()
                    .map(|m| s.get(m).map_or_else(|| "–".to_string(), cell)),
            )
            .collect()
    });
    let title = format!(
        "journey classes: {} (where dissatisfaction comes from; word_of_mouth_people per customer)",
        o.scenario
    );
    Some(format!(
        "{}\n{}",
        wrap(&title, width),
        grid(columns, rows, width)
    ))
}

/// Per-interval means of the headline metrics (and each group's occupancy when there are
/// several groups), one row per interval.
fn interval_table(o: &Outcome, width: Option<u16>) -> String {
    const COLS: [&str; 7] = [
        "offered",
        "answered",
        "abandon_rate",
        "service_level",
        "asa_s",
        "mean_wait_s",
        "occupancy",
    ];
    // With several groups, each group's occupancy too: where the plan is tight.
    let by_group = o.agent_groups.len() > 1;
    let mut columns: Vec<(String, Align)> = std::iter::once("start")
        .chain(COLS)
        .map(|h| (h.to_string(), Align::Right))
        .collect();
    if by_group {
        columns.extend(
            o.agent_groups
                .iter()
                .map(|g| (format!("occupancy {}", g.name), Align::Right)),
        );
    }
    let rows =
        o.intervals
            .iter()
            .zip(&o.interval_groups)
            .enumerate()
            .map(|(k, ((start, s), groups))| {
                let secs = *start as u64;
                // With a calendar, the weekday and clock time ("Mon 08:30").
                let start = o.interval_labels.get(k).cloned();
                let start =
                    start.unwrap_or_else(|| format!("{}:{:02}", secs / 3600, (secs % 3600) / 60));
                let mut row = vec![start];
                row.extend(COLS.iter().map(|c| mean_of(s, c)));
                if by_group {
                    row.extend(groups.iter().map(|g| mean_of(g, "occupancy")));
                }
                row
            });
    let title = format!("per interval: {} (means)", o.scenario);
    // Never wrapped: its cells are numbers and identifiers, which wrapping would split
    // mid-word; a narrow terminal folds the long lines instead.
    format!("{}\n{}", wrap(&title, width), grid(columns, rows, None))
}

/// `text` broken at spaces into lines of at most `width` characters where possible (a longer
/// word stays whole on its own line: names are never cut).
fn wrap(text: &str, width: Option<u16>) -> String {
    let Some(width) = width.map(usize::from) else {
        return text.to_string();
    };
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}

/// The mean of `metric` in scope `s`, formatted for its scale; `n/a` when undefined.
fn mean_of(s: &Scope, metric: &str) -> String {
    s.get(metric)
        .and_then(|m| m.estimate)
        .map_or_else(|| "n/a".to_string(), |e| format_mean(metric, e.mean))
}

fn format_mean(name: &str, v: f64) -> String {
    if is_count(name) || name.ends_with("_s") {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::scenario::Scenario;

    fn outcome(name: &str) -> Outcome {
        let text = format!(
            r#"name = "{name}"
            [simulation]
            horizon = "1h"
            interval = "30m"
            [[call_types]]
            name = "a call type with a rather long name"
            arrival_rate = 10.0
            handle_time = {{ distribution = "exponential", mean = "4m" }}
            [[agent_groups]]
            name = "g"
            skills = ["a call type with a rather long name"]
            agents = 2
            [[agent_groups]]
            name = "an agent group with a rather long name"
            skills = ["a call type with a rather long name"]
            agents = 2
            "#
        );
        let s = Scenario::from_toml_str(&text, "t", "t").expect("valid scenario");
        crate::stats::OutcomeBuilder::new(&s).finish()
    }

    /// Without a width nothing wraps and nothing is cut; with one, long names in the
    /// side-by-side table wrap to fit it and every word is still there.
    #[test]
    fn long_names_wrap_and_are_never_cut() {
        let name = "A scenario whose name is much longer than twenty characters";
        let outcomes = [outcome(name), outcome("second")];
        let wide = table(&outcomes, None);
        assert!(wide.contains(name), "{wide}");
        assert!(wide.contains("occupancy an agent group with a rather long name"));
        assert!(!wide.contains('…'));
        let narrow = table(&outcomes, Some(60));
        // The side-by-side table wraps; the per-interval tables (numbers) never do.
        for line in narrow
            .lines()
            .take_while(|l| !l.starts_with("per interval"))
        {
            assert!(line.chars().count() <= 60, "too wide: `{line}`\n{narrow}");
        }
        for word in name.split(' ') {
            assert!(narrow.contains(word), "`{word}` lost\n{narrow}");
        }
    }
}
