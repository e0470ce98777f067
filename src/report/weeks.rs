//! The table report's per-week summary of a training program's run (its `day:N` scopes):
//! one row per week of days, so a manager sees the program's dip and recovery at a glance
//! without 84 daily rows. Full per-day figures with intervals are in JSON `days[]` and CSV.

use super::tabular::{grid, Align};
use crate::experiment::Outcome;

/// Per-week rows (`None` without day scopes). Rates are the daily means weighted by each
/// day's mean offered contacts; costs are sums of the daily means.
pub fn week_table(o: &Outcome, width: Option<u16>) -> Option<String> {
    if o.days.is_empty() {
        return None;
    }
    let mean = |d: usize, m: &str| o.days[d].get(m).and_then(|m| m.estimate).map(|e| e.mean);
    let rates = ["service_level", "fcr_rate", "csat_top_box", "churn_rate"];
    let mut rows = Vec::new();
    for (w, first) in (0..o.days.len()).step_by(7).enumerate() {
        let days = first..(first + 7).min(o.days.len());
        let offered: f64 = days.clone().filter_map(|d| mean(d, "offered")).sum();
        let mut row = vec![format!("{}", w + 1), format!("{offered:.0}")];
        for r in rates {
            let (mut sum, mut weight) = (0.0, 0.0);
            for d in days.clone() {
                if let (Some(v), Some(n)) = (mean(d, r), mean(d, "offered")) {
                    sum += v * n;
                    weight += n;
                }
            }
            row.push(if weight > 0.0 {
                format!("{:.3}", sum / weight)
            } else {
                "n/a".into()
            });
        }
        for c in ["staffing_cost", "program_cost"] {
            let total: f64 = days.clone().filter_map(|d| mean(d, c)).sum();
            row.push(format!("{total:.0}"));
        }
        rows.push(row);
    }
    let columns = [
        ("week", Align::Left),
        ("offered", Align::Right),
        ("service level", Align::Right),
        ("FCR", Align::Right),
        ("top-box CSAT", Align::Right),
        ("churn", Align::Right),
        ("staffing cost", Align::Right),
        ("program cost", Align::Right),
    ];
    Some(format!(
        "per week: {} (rates: daily means weighted by offered; costs: sums; one-off program cost apart)\n{}",
        o.scenario,
        grid(columns, rows, width)
    ))
}
