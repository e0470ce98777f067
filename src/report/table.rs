//! The terminal table: scenarios side by side (mean ± CI half-width), then an interval table
//! per scenario when it has more than one interval.

use crate::experiment::{Metric, Outcome, Scope};
use crate::stats::Estimate;
use std::fmt::Write;

/// Human-readable report of one or more outcomes.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let width = 22;
    let _ = write!(out, "{:<28}", "");
    for o in outcomes {
        let _ = write!(out, "{:>width$}", truncate(&o.scenario, width - 2));
    }
    out.push('\n');
    let _ = write!(out, "{:<28}", "replications / seed");
    for o in outcomes {
        let _ = write!(
            out,
            "{:>width$}",
            format!("{} / {}", o.replications, o.seed)
        );
    }
    out.push('\n');

    section(&mut out, "overall", outcomes, |o| Some(&o.overall));
    let names = super::scope_names(outcomes, |o| &o.call_types);
    for name in names {
        section(&mut out, &format!("call type {name}"), outcomes, |o| {
            o.call_types.iter().find(|s| s.name == name)
        });
    }
    let groups = super::scope_names(outcomes, |o| &o.agent_groups);
    for name in groups {
        section(&mut out, &format!("agent group {name}"), outcomes, |o| {
            o.agent_groups.iter().find(|s| s.name == name)
        });
    }
    for o in outcomes {
        if o.intervals.len() > 1 {
            interval_table(&mut out, o);
        }
    }
    out.push_str("\n± is the half-width of the 95% confidence interval over replications.\n");
    out
}

fn section<'a>(
    out: &mut String,
    title: &str,
    outcomes: &'a [Outcome],
    scope_of: impl Fn(&'a Outcome) -> Option<&'a Scope>,
) {
    let _ = writeln!(out, "\n{title}");
    let mut names: Vec<&str> = Vec::new();
    for o in outcomes {
        if let Some(s) = scope_of(o) {
            for m in &s.metrics {
                if !names.contains(&m.name) {
                    names.push(m.name);
                }
            }
        }
    }
    for name in names {
        let _ = write!(out, "  {name:<26}");
        for o in outcomes {
            let cell = scope_of(o)
                .and_then(|s| s.get(name))
                .map_or_else(|| "–".to_string(), cell);
            let _ = write!(out, "{cell:>22}");
        }
        out.push('\n');
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

fn interval_table(out: &mut String, o: &Outcome) {
    const COLS: [&str; 7] = [
        "offered",
        "answered",
        "abandon_rate",
        "service_level",
        "asa_s",
        "mean_wait_s",
        "occupancy",
    ];
    let _ = writeln!(out, "\nper interval: {} (means)", o.scenario);
    let _ = write!(out, "  {:>9}", "start");
    for c in COLS {
        let _ = write!(out, "{c:>14}");
    }
    // With several groups, each group's occupancy too: where the plan is tight.
    let by_group = o.agent_groups.len() > 1;
    if by_group {
        for g in &o.agent_groups {
            let _ = write!(out, "{:>14}", truncate(&format!("occ {}", g.name), 13));
        }
    }
    out.push('\n');
    for ((start, s), groups) in o.intervals.iter().zip(&o.interval_groups) {
        let secs = *start as u64;
        let _ = write!(out, "  {:>6}:{:02}", secs / 3600, (secs % 3600) / 60);
        for c in COLS {
            let v = s
                .get(c)
                .and_then(|m| m.estimate)
                .map_or_else(|| "n/a".to_string(), |e| format_mean(c, e.mean));
            let _ = write!(out, "{v:>14}");
        }
        if by_group {
            for g in groups {
                let v = g
                    .get("occupancy")
                    .and_then(|m| m.estimate)
                    .map_or_else(|| "n/a".to_string(), |e| format_mean("occupancy", e.mean));
                let _ = write!(out, "{v:>14}");
            }
        }
        out.push('\n');
    }
}

fn format_mean(name: &str, v: f64) -> String {
    if is_count(name) || name.ends_with("_s") {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
