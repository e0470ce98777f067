//! The terminal table: scenarios side by side (mean ± CI half-width), then an interval table
//! per scenario when it has more than one interval. Laid out by comfy-table: names are never
//! cut; given a terminal width, long cells wrap to fit it.

use super::Exporter;
use crate::experiment::{Metric, Outcome, Scope};
use crate::stats::Estimate;
use comfy_table::{CellAlignment, ContentArrangement, LineStyle, Row, TableStyle};
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
    let mut t = new_table(width);
    let mut header = vec![String::new()];
    header.extend(outcomes.iter().map(|o| o.scenario.clone()));
    t.set_header(header);
    let mut first = vec!["replications / seed".to_string()];
    first.extend(
        outcomes
            .iter()
            .map(|o| format!("{} / {}", o.replications, o.seed)),
    );
    t.add_row(first);

    section(&mut t, "overall", outcomes, |o| Some(&o.overall));
    for name in super::scope_names(outcomes, |o| &o.call_types) {
        section(&mut t, &format!("call type {name}"), outcomes, |o| {
            o.call_types.iter().find(|s| s.name == name)
        });
    }
    for name in super::scope_names(outcomes, |o| &o.agent_groups) {
        section(&mut t, &format!("agent group {name}"), outcomes, |o| {
            o.agent_groups.iter().find(|s| s.name == name)
        });
    }
    align_numbers(&mut t);
    let mut out = t.trim_fmt();
    out.push('\n');
    for o in outcomes {
        if o.intervals.len() > 1 {
            out.push('\n');
            out.push_str(&interval_table(o, width));
        }
    }
    out.push('\n');
    out.push_str(&wrap(
        "± is the half-width of the 95% confidence interval over replications.",
        width,
    ));
    out.push('\n');
    out
}

/// Rules above and below the header and at the bottom; no vertical rules, none between rows.
const STYLE: TableStyle = TableStyle::new()
    .top_border(LineStyle::none().fill('─').junction('─'))
    .header_separator(LineStyle::none().fill('─').junction('─'))
    .bottom_border(LineStyle::none().fill('─').junction('─'));

/// A table in the house layout ([`STYLE`]), wrapping only when a width is given.
fn new_table(width: Option<u16>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_style(STYLE);
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// Every column but the first (the row names) right-aligned.
fn align_numbers(t: &mut comfy_table::Table) {
    for c in t.column_iter_mut().skip(1) {
        c.set_cell_alignment(CellAlignment::Right);
    }
}

/// A title row, then one row per metric any outcome has in this scope (`–` where an outcome
/// lacks the scope or metric).
fn section<'a>(
    t: &mut comfy_table::Table,
    title: &str,
    outcomes: &'a [Outcome],
    scope_of: impl Fn(&'a Outcome) -> Option<&'a Scope> + Copy,
) {
    t.add_row(vec![title.to_string()]);
    for name in super::metric_names(outcomes, scope_of) {
        let mut row = vec![format!("  {name}")];
        row.extend(outcomes.iter().map(|o| {
            scope_of(o)
                .and_then(|s| s.get(name))
                .map_or_else(|| "–".to_string(), cell)
        }));
        t.add_row(row);
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
    ) || name.starts_with("word_of_mouth")
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
    // Never wrapped: its cells are numbers and identifiers, which wrapping would split
    // mid-word; a narrow terminal folds the long lines instead.
    let mut t = new_table(None);
    let mut header: Vec<String> = std::iter::once("start")
        .chain(COLS)
        .map(String::from)
        .collect();
    // With several groups, each group's occupancy too: where the plan is tight.
    let by_group = o.agent_groups.len() > 1;
    if by_group {
        header.extend(
            o.agent_groups
                .iter()
                .map(|g| format!("occupancy {}", g.name)),
        );
    }
    t.set_header(header);
    for ((start, s), groups) in o.intervals.iter().zip(&o.interval_groups) {
        let secs = *start as u64;
        let mut row = vec![format!("{}:{:02}", secs / 3600, (secs % 3600) / 60)];
        row.extend(COLS.iter().map(|c| mean_of(s, c)));
        if by_group {
            row.extend(groups.iter().map(|g| mean_of(g, "occupancy")));
        }
        t.add_row(Row::from(row));
    }
    align_numbers(&mut t);
    if let Some(c) = t.column_mut(0) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    let title = format!("per interval: {} (means)", o.scenario);
    format!("{}\n{}\n", wrap(&title, width), t.trim_fmt())
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
