//! `ccsim roster` end to end: the bundled weekday roster costs no more than covering each
//! interval's requirement in turn with its cheapest shift, covers the requirement, writes a
//! runnable scenario, and holds on seeds it was not chosen on; bad shift files exit 2 naming
//! the key path.

use crate::common::run;
use serde_json::Value;

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn the_weekday_roster_is_cheaper_than_interval_by_interval_and_holds_on_fresh_seeds() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("roster.toml").display().to_string();
    let r = run(&[
        "roster",
        "scenarios/weekday.toml",
        "--group",
        "tier1",
        "--target",
        "service_level>=0.8",
        "--shifts",
        "scenarios/shifts/weekday.toml",
        "--replications",
        "5",
        "--quiet",
        "--format",
        "json",
        "--output",
        &out,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let report: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.describe()));
    // The roster covers the search's requirement in every interval, and the integer program
    // never pays more than the interval-by-interval cover of the same requirement.
    let staffing = numbers(&report["staffing"]);
    let required = numbers(&report["requirement"]["staffing"]);
    assert!(staffing.iter().zip(&required).all(|(s, r)| s >= r));
    let cost = report["total_cost"].as_f64().unwrap();
    let baseline = report["interval_by_interval_cost"].as_f64().unwrap();
    assert!(
        cost <= baseline,
        "roster {cost} > interval by interval {baseline}"
    );
    let shifts = report["shifts"].as_array().unwrap();
    let summed: f64 = shifts.iter().map(|s| s["cost"].as_f64().unwrap()).sum();
    assert!((summed - cost).abs() < 1e-6);
    assert!(report["validation"]["flagged_intervals"]
        .as_array()
        .unwrap()
        .is_empty());
    // The written scenario runs with the roster's staffing and holds on two other seeds.
    let text = std::fs::read_to_string(&out).unwrap();
    let list: Vec<String> = staffing.iter().map(|n| n.to_string()).collect();
    assert!(
        text.contains(&format!("staffing = [{}]", list.join(", "))),
        "{text}"
    );
    for seed in ["1001", "2002"] {
        let r = run(&["run", &out, "--seed", seed, "--quiet", "--format", "json"]);
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
            "seed {seed}: the roster holds in {held} of {} intervals",
            intervals.len()
        );
    }
}

/// A shift file with one `[[shifts]]` table `body` (plus `head` before it) for weekday's tier1.
fn bad_shifts(head: &str, body: &str) -> crate::common::Run {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("shifts.toml");
    std::fs::write(&path, format!("{head}\n[[shifts]]\n{body}\n")).unwrap();
    run(&[
        "roster",
        "scenarios/weekday.toml",
        "--group",
        "tier1",
        "--target",
        "service_level>=0.8",
        "--shifts",
        path.to_str().unwrap(),
        "--replications",
        "2",
        "--quiet",
        "--format",
        "json",
    ])
}

#[test]
fn bad_shift_files_exit_2_naming_what_is_wrong() {
    for (head, body, expect) in [
        (
            "",
            "start = \"8:00\"\nlength = \"8h\"",
            "shifts[0].start",
        ),
        (
            "day_start = \"08:00\"",
            "start = \"08:00\"\nlength = \"8h\"\ncost = -5",
            "shifts[0].cost",
        ),
        (
            "",
            "start = \"08:00\"\nlength = \"8h\"\ngroup = \"tier3\"",
            "no agent group `tier3`",
        ),
        (
            "day_start = \"08:00\"",
            "start = \"08:00\"\nlength = \"8h\"\nbreaks = [{ earliest = \"25:00\", length = \"30m\" }]",
            "shifts[0].breaks[0].earliest",
        ),
        (
            "day_start = \"08:00\"",
            "start = \"08:00\"\nlength = \"8h\"\ndays = [0, \"Mnday\"]",
            "shifts[0].days[1]: unknown weekday or range `Mnday`",
        ),
        // weekday.toml has no [calendar]: which weekday is its day 0?
        (
            "day_start = \"08:00\"",
            "start = \"08:00\"\nlength = \"8h\"\ndays = [\"Mon-Fri\"]",
            "shifts[0].days[0]: `Mon-Fri` names a weekday",
        ),
        // 08:00-16:00 leaves 16:00-20:00 (intervals 16-23) with arrivals and no shift.
        (
            "day_start = \"08:00\"",
            "start = \"08:00\"\nlength = \"8h\"",
            "interval 16 (+08:00) has arrivals but no shift covers it",
        ),
    ] {
        let r = bad_shifts(head, body);
        assert_eq!(r.code, Some(2), "{body}: {}", r.describe());
        assert!(r.stderr.contains(expect), "{body}: {}", r.describe());
        assert!(r.stdout.is_empty(), "{}", r.describe());
    }
}

/// The roster (and the joint staffing and roster) is the same at any thread count.
#[test]
fn roster_and_joint_staffing_do_not_depend_on_threads() {
    let roster = |threads: &str| {
        let r = run(&[
            "roster",
            "scenarios/weekday.toml",
            "--group",
            "tier1",
            "--target",
            "service_level>=0.8",
            "--shifts",
            "scenarios/shifts/weekday.toml",
            "--replications",
            "2",
            "--threads",
            threads,
            "--quiet",
            "--format",
            "csv",
        ]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        r.stdout
    };
    assert_eq!(roster("1"), roster("2"));
    let joint = |threads: &str| {
        let r = run(&[
            "staff",
            "scenarios/generalist_specialist.toml",
            "--target",
            "service_level>=0.8",
            "--threads",
            threads,
            "--quiet",
            "--format",
            "json",
        ]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        r.stdout
    };
    assert_eq!(joint("1"), joint("2"));
    let joint_roster = |threads: &str| {
        let r = run(&[
            "roster",
            "scenarios/generalist_specialist.toml",
            "--target",
            "service_level>=0.8",
            "--shifts",
            "scenarios/shifts/generalist_specialist.toml",
            "--threads",
            threads,
            "--quiet",
            "--format",
            "csv",
        ]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        r.stdout
    };
    assert_eq!(joint_roster("1"), joint_roster("2"));
}

/// Two groups rostered together (`--group` twice): one integer program over both groups'
/// shifts covers each group's requirement from joint staffing, costs no more than covering
/// each group interval by interval, holds on fresh seeds, and `--output` writes both groups'
/// staffing into a scenario that runs.
#[test]
fn two_groups_are_rostered_together() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("roster.toml").display().to_string();
    let r = run(&[
        "roster",
        "scenarios/generalist_specialist.toml",
        "--group",
        "generalist",
        "--group",
        "specialist",
        "--target",
        "service_level>=0.8",
        "--shifts",
        "scenarios/shifts/generalist_specialist.toml",
        "--quiet",
        "--format",
        "json",
        "--output",
        &out,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["groups"], serde_json::json!(["generalist", "specialist"]));
    for g in ["generalist", "specialist"] {
        let staffing = numbers(&v["staffing"][g]);
        let required = numbers(&v["requirement"]["staffing"][g]);
        assert_eq!(staffing.len(), 3);
        assert!(
            staffing.iter().zip(&required).all(|(s, r)| s >= r),
            "{g}: {staffing:?} < {required:?}"
        );
    }
    let groups: Vec<&str> = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["group"].as_str().unwrap())
        .collect();
    assert!(groups.contains(&"generalist") && groups.contains(&"specialist"));
    let cost = v["total_cost"].as_f64().unwrap();
    assert!(cost <= v["interval_by_interval_cost"].as_f64().unwrap() + 1e-9);
    assert_eq!(v["validation"]["flagged_intervals"], serde_json::json!([]));
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.matches("staffing = [").count(), 2, "{written}");
    let r = run(&["run", &out, "--quiet", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    // With several groups every shift names its group.
    let d2 = tempfile::tempdir().unwrap();
    let path = d2.path().join("shifts.toml");
    std::fs::write(&path, "[[shifts]]\nstart = \"00:00\"\nlength = \"3h\"\n").unwrap();
    let r = run(&[
        "roster",
        "scenarios/generalist_specialist.toml",
        "--target",
        "service_level>=0.8",
        "--shifts",
        path.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(
        r.stderr.contains("shifts[0].group: missing"),
        "{}",
        r.describe()
    );
}
