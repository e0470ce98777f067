//! `ccsim staff` end to end: the answer is a runnable scenario (`--output staffed.toml`, comments
//! kept), and it holds on seeds the search never used — re-simulated with two other seeds, the
//! mean service level meets the target in at least 95% of intervals.

use crate::common::run;
use serde_json::Value;
use std::path::Path;

/// Staffs `scenario` (one call type, one group) for `service_level>=0.8`, writes the staffed
/// scenario and returns its path and the staffing the JSON report gives.
fn staff(dir: &Path, scenario: &str) -> (String, Vec<u64>) {
    let out = dir.join("staffed.toml").display().to_string();
    let r = run(&[
        "staff",
        scenario,
        "--target",
        "service_level>=0.8",
        "--replications",
        "10",
        "--quiet",
        "--format",
        "json",
        "--output",
        &out,
    ]);
    let report: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.describe()));
    let staffing = report["staffing"]
        .as_array()
        .expect("staffing")
        .iter()
        .map(|v| v.as_u64().expect("headcount"))
        .collect();
    (out, staffing)
}

#[test]
fn the_staffed_scenario_runs_and_keeps_comments() {
    let d = tempfile::tempdir().unwrap();
    let (path, staffing) = staff(d.path(), "scenarios/erlang_a.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let original = std::fs::read_to_string("scenarios/erlang_a.toml").unwrap();
    // Every comment line of the original is still there.
    for line in original.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(text.contains(line), "comment lost: {line}");
    }
    let list: Vec<String> = staffing.iter().map(u64::to_string).collect();
    assert!(
        text.contains(&format!("staffing = [{}]", list.join(", "))),
        "{text}"
    );
    assert!(text.contains("replications = 10"), "{text}");
    let r = run(&["validate", &path]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
}

#[test]
fn the_answer_holds_on_seeds_the_search_did_not_use() {
    for scenario in ["scenarios/erlang_a.toml", "scenarios/erlang_c.toml"] {
        let d = tempfile::tempdir().unwrap();
        let (path, _) = staff(d.path(), scenario);
        for seed in ["1001", "2002"] {
            let r = run(&["run", &path, "--seed", seed, "--quiet", "--format", "json"]);
            assert_eq!(r.code, Some(0), "{}", r.describe());
            let report: Value = serde_json::from_str(&r.stdout).unwrap();
            let intervals = report["intervals"].as_array().unwrap();
            let held = intervals
                .iter()
                .filter(|i| {
                    i["metrics"]["service_level"]["mean"]
                        .as_f64()
                        .is_none_or(|sl| sl >= 0.8)
                })
                .count();
            assert!(
                held as f64 >= 0.95 * intervals.len() as f64,
                "{scenario}, seed {seed}: the staffing holds in {held} of {} intervals",
                intervals.len()
            );
        }
    }
}
