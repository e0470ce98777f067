//! `ccsim run` for a scenario with an experience model: each money figure (revenue at risk,
//! revenue upside, costs) gets an assumption interval beside its simulation CI, from
//! `--assumption-draws` draws of the scenario's ranges (re-scoring the simulated tallies, see
//! [`ccsim::rescore`]; attrition and new-hire proficiency ranges re-simulated at their low and
//! high). Plain scenarios are reported exactly as before.

use ccsim::experiment::{run_scenarios, RunError, RunOptions};
use ccsim::model::assumptions::{draw_rows, interval_u, sensitivity_u, SwingU};
use ccsim::report::json::{Additions, MetricAdditions};
use ccsim::report::tabular::{grid, Align};
use ccsim::rescore::{rescored_keys, simulated_keys, Params, Rescorer, Tally};
use ccsim::scenario::Scenario;
use ccsim::stats::{Outcome, Scope};
use serde_json::json;

/// The money metrics of a scope that get an assumption interval, and their basis: assumed
/// (rests on an assumption such as customer value) or measured (the simulation's own
/// staffed hours × the scenario's hourly costs).
const FIGURES: [(&str, &str); 6] = [
    ("revenue_at_risk", "assumed"),
    ("revenue_upside", "assumed"),
    ("program_cost", "assumed"),
    ("staffing_cost", "measured"),
    ("training_cost", "measured"),
    ("cost", "measured"),
];

/// One scope's money figures with their assumption intervals (by [`FIGURES`] name).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ScopeMoney {
    /// (metric, assumption interval, basis) for each defined money metric.
    pub figures: Vec<(&'static str, (f64, f64), &'static str)>,
}

/// A scenario's money figures with assumption intervals: overall and per program day.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RunMoney {
    /// Draws of the ranges.
    pub draws: usize,
    /// The ranged assumptions propagated.
    pub keys: Vec<String>,
    /// The whole run.
    pub overall: ScopeMoney,
    /// Per program day (empty without a program).
    pub days: Vec<ScopeMoney>,
    /// Revenue at risk with each ranged assumption swung low → high (widest first).
    pub sensitivity: Vec<SwingU>,
}

/// A simulation-changing assumption's low and high runs (see [`ccsim::compare::SimulatedRange`]).
struct Variant {
    q_mode: f64,
    ends: [Outcome; 2],
}

/// The scope's mean of `name`.
fn mean(s: &Scope, name: &str) -> Option<f64> {
    s.get(name).and_then(|m| m.estimate).map(|e| e.mean)
}

/// The money figures of `s`'s run (`o`), or `None` for a plain scenario (no money figures).
pub(super) fn run_money(
    s: &Scenario,
    o: &Outcome,
    draws: usize,
    options: &RunOptions,
) -> Result<Option<RunMoney>, RunError> {
    if !s.experience_model {
        return Ok(None);
    }
    let mut keys = rescored_keys(&[s]);
    let n = keys.len();
    let mut variants = Vec::new();
    for key in simulated_keys(&[s]) {
        let Some(range) = s.assumptions.get(&key) else {
            continue;
        };
        let end = |v: f64| {
            let mut x = s.clone();
            if let Some(p) = x.program.as_mut() {
                for (i, a) in p.attrition.iter_mut().enumerate() {
                    if key == format!("program.attrition[{i}].annual_rate") {
                        a.annual_rate = v;
                    } else if key == format!("program.attrition[{i}].new_hire_proficiency") {
                        a.new_hire_proficiency = v;
                    }
                }
            }
            x
        };
        let mut outs = run_scenarios(&[end(range.low), end(range.high)], options.clone())?;
        let high = outs.pop().expect("two runs");
        let low = outs.pop().expect("two runs");
        variants.push(Variant {
            q_mode: range.cdf(range.mode),
            ends: [low, high],
        });
        keys.push(key);
    }
    let r = Rescorer::new(s);
    let rows = draw_rows(s.simulation.seed, draws, keys.len());
    let weights = |v: &Variant, u: Option<f64>| match u {
        Some(u) if u < v.q_mode => ((v.q_mode - u) / v.q_mode, 0.0),
        Some(u) if u > v.q_mode => (0.0, (u - v.q_mode) / (1.0 - v.q_mode)),
        _ => (0.0, 0.0),
    };
    // `pick` chooses the scope (overall or a day) of an outcome.
    let figure = |pick: &dyn Fn(&Outcome) -> Option<&Scope>,
                  day: Option<u32>,
                  name: &str,
                  row: &[Option<f64>]|
     -> Option<f64> {
        let scope = pick(o)?;
        let m = mean(scope, name)?;
        let t = Tally::from_metrics(|k| mean(scope, k));
        let p = Params::at(s, &keys[..n], &row[..n]);
        let rescored = match name {
            "revenue_at_risk" => m + (r.risk(&t, &p) - t.risk),
            "revenue_upside" => m + (r.upside(&t, &p) - t.upside),
            "program_cost" => r.program_cost(m, day.unwrap_or(0), &p),
            _ => m,
        };
        let shift: f64 = variants
            .iter()
            .zip(&row[n..])
            .map(|(v, &u)| {
                let (wl, wh) = weights(v, u);
                let at = |k: usize| pick(&v.ends[k]).and_then(|x| mean(x, name)).unwrap_or(m);
                wl * (at(0) - m) + wh * (at(1) - m)
            })
            .sum();
        Some(rescored + shift)
    };
    let scope_money = |pick: &dyn Fn(&Outcome) -> Option<&Scope>, day: Option<u32>| {
        let figures = FIGURES
            .iter()
            .filter_map(|&(name, basis)| {
                pick(o).and_then(|x| mean(x, name))?;
                let range = interval_u(&rows, |row| figure(pick, day, name, row))?;
                Some((name, range, basis))
            })
            .collect();
        ScopeMoney { figures }
    };
    let overall = scope_money(&|x: &Outcome| Some(&x.overall), None);
    let days = (0..o.days.len())
        .map(|d| scope_money(&move |x: &Outcome| x.days.get(d), Some(d as u32)))
        .collect();
    let sensitivity = sensitivity_u(&keys, |row| {
        figure(
            &|x: &Outcome| Some(&x.overall),
            None,
            "revenue_at_risk",
            row,
        )
    });
    Ok(Some(RunMoney {
        draws,
        keys,
        overall,
        days,
        sensitivity,
    }))
}

/// The intervals as additions to one scenario's JSON object: `assumption_range` and `basis`
/// beside each money metric's `mean` and `ci95` (overall and in `days[]`), and an
/// `assumptions` object (draws, keys, sensitivity of revenue at risk).
pub(super) fn json_additions(m: &RunMoney) -> Additions {
    let put = |s: &ScopeMoney| -> Vec<MetricAdditions> {
        s.figures
            .iter()
            .map(|(name, (lo, hi), basis)| {
                let entries = vec![
                    ("assumption_range".to_string(), json!([lo, hi])),
                    ("basis".to_string(), json!(basis)),
                ];
                (name.to_string(), entries)
            })
            .collect()
    };
    let assumptions = json!({
        "draws": m.draws,
        "ranged": m.keys,
        "sensitivity": {
            "revenue_at_risk": m.sensitivity.iter().map(|s| json!({
                "assumption": s.key, "at_low": s.at_low, "at_high": s.at_high,
            })).collect::<Vec<_>>(),
        },
    });
    Additions {
        overall: put(&m.overall),
        days: m.days.iter().map(put).collect(),
        top: vec![("assumptions".to_string(), assumptions)],
    }
}

/// The table's money block: each figure's mean, simulation CI and assumption interval, then
/// the sensitivity of revenue at risk; drawn by [`grid`] (a key path of any length keeps its
/// columns in line), wrapped to `width` when given.
pub(super) fn table_text(name: &str, o: &Outcome, m: &RunMoney, width: Option<u16>) -> String {
    let mut out = format!(
        "\nmoney of {name} (simulation 95% CI; assumption 95% range over {} draws)\n",
        m.draws
    );
    let rows: Vec<Vec<String>> = m
        .overall
        .figures
        .iter()
        .filter_map(|(metric, (lo, hi), basis)| {
            let e = o.overall.get(metric).and_then(|x| x.estimate)?;
            Some(vec![
                format!("{} ({basis})", metric.replace('_', " ")),
                format!("{:.2}", e.mean),
                format!("[{:.2}, {:.2}]", e.ci95.0, e.ci95.1),
                format!("[{lo:.2}, {hi:.2}]"),
            ])
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&grid(FIGURE_COLUMNS, rows, width));
    }
    if m.keys.is_empty() {
        out.push_str("  no assumption is given as a range: the assumption intervals are points\n");
    } else {
        out.push_str("\nsensitivity of revenue at risk (assumption low → high, others at mode)\n");
        let end = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"));
        let rows = m
            .sensitivity
            .iter()
            .map(|s| vec![s.key.clone(), end(s.at_low), end(s.at_high)]);
        out.push_str(&grid(SWING_COLUMNS, rows, width));
    }
    out
}

/// Columns of a money block: figure, mean, simulation CI, assumption range (also `compare`'s).
pub(super) const FIGURE_COLUMNS: [(&str, Align); 4] = [
    ("figure", Align::Left),
    ("mean", Align::Right),
    ("simulation 95% CI", Align::Right),
    ("assumption 95% range", Align::Right),
];

/// Columns of a sensitivity block: the assumption, and the figure at its low and high (also
/// `compare`'s).
pub(super) const SWING_COLUMNS: [(&str, Align); 3] = [
    ("assumption", Align::Left),
    ("at low", Align::Right),
    ("at high", Align::Right),
];

/// Writes the report of `outcomes` in `format` to `out`, with the money intervals of `money`
/// (one entry per scenario; `None` for a plain one) added to JSON and the table; other
/// formats unchanged. Streamed: the report is never held whole in memory.
pub(super) fn write_report(
    format: ccsim::report::Format,
    options: ccsim::report::ExportOptions,
    outcomes: &[Outcome],
    money: &[Option<RunMoney>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use ccsim::report::Format;
    match format {
        Format::Json if money.iter().any(Option::is_some) => {
            let additions: Vec<Option<Additions>> = money
                .iter()
                .map(|m| m.as_ref().map(json_additions))
                .collect();
            ccsim::report::json::write_report(outcomes, &additions, out)
        }
        Format::Table => {
            let width = options.width;
            ccsim::report::exporter(format, options).write(outcomes, out)?;
            for (o, m) in outcomes.iter().zip(money) {
                if let Some(m) = m {
                    out.write_all(table_text(&o.scenario, o, m, width).as_bytes())?;
                }
            }
            Ok(())
        }
        _ => ccsim::report::exporter(format, options).write(outcomes, out),
    }
}
