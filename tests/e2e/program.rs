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
    assert_eq!(day(7, "program_cost"), Some(2000.0 + 6.0 * 400.0));
    assert_eq!(day(8, "program_cost"), Some(6.0 * 400.0));
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

fn ccsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ccsim runs")
}

#[test]
fn json_days_and_csv_day_rows() {
    let out = ccsim(&[
        "run",
        "scenarios/program_training.toml",
        "--replications",
        "2",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let days = v["days"]
        .as_array()
        .or_else(|| v["scenarios"][0]["days"].as_array())
        .expect("days[]");
    assert_eq!(days.len(), 84);
    assert_eq!(days[7]["day"], 7);
    assert_eq!(days[7]["label"], "Mon");
    for m in [
        "service_level",
        "csat_top_box",
        "fcr_rate",
        "churn_rate",
        "staffing_cost",
        "program_cost",
    ] {
        let e = &days[7]["metrics"][m];
        assert!(e["mean"].is_number() && e["ci95"].is_array(), "{m}: {e}");
    }
    let out = ccsim(&[
        "run",
        "scenarios/program_training.toml",
        "--replications",
        "2",
        "--format",
        "csv",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("day:7"));
}

#[test]
fn bad_program_input_exits_2_naming_the_key() {
    let dir = std::env::temp_dir().join(format!("ccsim-program-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/program_training.toml"),
    )
    .unwrap()
    .replace("annual_rate = 0.35", "annual_rate = 1.0");
    let path = dir.join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let out = ccsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("program.attrition[0].annual_rate"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
