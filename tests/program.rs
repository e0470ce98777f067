//! End-to-end checks of training programs over weeks: the bundled pair
//! (scenarios/program_baseline.toml, scenarios/program_training.toml) compared with common
//! random numbers, per-day output, and NPV/payback from the daily cash flow.

use ccsim::compare::compare;
use ccsim::experiment::{run_paired, RunOptions};
use ccsim::scenario::Scenario;
use std::path::Path;

fn load(name: &str, replications: u32) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let mut s = Scenario::from_file(&path).expect("bundled scenario");
    s.simulation.replications = replications;
    s
}

#[test]
fn program_training_beats_baseline_on_fcr_with_a_paired_ci() {
    let a = load("program_baseline.toml", 5);
    let b = load("program_training.toml", 5);
    let paired = run_paired(&a, &b, RunOptions::default()).expect("runs");
    // 12 weeks of days with weekday labels, costs kept apart.
    assert_eq!(paired.b.days.len(), 84);
    assert_eq!(paired.b.day_labels[7], "Mon");
    let day = |d: usize, m: &str| {
        paired.b.days[d]
            .get(m)
            .and_then(|m| m.estimate)
            .map(|e| e.mean)
    };
    // Class days book their one-off cost (trainer on the first day + 6 trainee-days).
    assert_eq!(day(7, "program_cost"), Some(2000.0 + 6.0 * 240.0));
    assert_eq!(day(8, "program_cost"), Some(6.0 * 240.0));
    assert_eq!(day(12, "program_cost"), Some(0.0));
    let c = compare(&paired);
    let fcr = c.metrics.iter().find(|m| m.name == "fcr_rate").unwrap();
    let d = fcr.diff.expect("paired FCR difference");
    assert!(d.ci95.0 > 0.0, "FCR effect {d:?}");
    let money = c.money.program.expect("NPV and payback");
    assert!(money.npv.ci95.0 <= money.npv.mean && money.npv.mean <= money.npv.ci95.1);
    let payback = money.payback_days.expect("pays back within 12 weeks");
    // Pays back only after the first class began (day 7).
    assert!(payback.mean > 7.0 && payback.mean < 84.0, "{payback:?}");
}
