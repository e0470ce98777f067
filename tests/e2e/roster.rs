//! `ccsim roster` end to end: the bundled weekday roster costs no more than covering each
//! interval's requirement in turn with its cheapest shift, covers the requirement, writes a
//! runnable scenario, and holds on seeds it was not chosen on; bad shift files exit 2 naming
//! the key path.

use crate::common::{run, service_level_held_on_seed, Run};
use serde_json::Value;

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// `ccsim roster` of weekday.toml's tier1 against 80/20 with the bundled shifts, 5
/// replications, quiet, plus `extra` arguments.
fn weekday_roster(extra: &[&str]) -> Run {
    let mut args = vec![
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
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn the_weekday_roster_is_cheaper_than_interval_by_interval_and_holds_on_fresh_seeds() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("roster.toml").display().to_string();
    let r = weekday_roster(&["--format", "json", "--output", &out]);
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
        let (held, intervals) = service_level_held_on_seed(&out, seed, 0.8);
        assert!(
            held as f64 >= 0.95 * intervals as f64,
            "seed {seed}: the roster holds in {held} of {} intervals",
            intervals
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

/// `roster --format html` for one group: the shifts table, the cost against the
/// interval-by-interval cover, the coverage per interval and the achieved level with the
/// target line, in words.
#[test]
fn the_weekday_roster_as_an_html_page() {
    let d = tempfile::tempdir().unwrap();
    let page = d.path().join("roster.html").display().to_string();
    let r = weekday_roster(&["--output", &page]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let html = std::fs::read_to_string(&page).unwrap();
    crate::staffing::assert_staffing_page(
        &html,
        &[
            "<h2>Shifts</h2>",
            "<th class=\"name\">days</th>",
            "full 08:00",
            "part 16:00",
            "<h2>Cost</h2>",
            "for covering each interval's requirement in turn with its cheapest shift",
            "<h2>Coverage per interval</h2>",
            "Agents of tier1",
            "rostered",
            "required (search)",
            "target: service level ≥ 80%",
            "staffing = [",
        ],
    );
}

/// The joint roster's page on a two-day calendar scenario: shifts with their group and
/// weekdays, coverage per group, time axes and rows in weekday and clock time, closed nights
/// left out of the table.
#[test]
fn a_joint_roster_on_a_calendar_as_an_html_page() {
    let d = tempfile::tempdir().unwrap();
    let scenario = d.path().join("two_days.toml");
    std::fs::write(
        &scenario,
        r#"name = "Two days, two groups"
[simulation]
interval = "1h"
seed = 3
service_level_threshold = "20s"
[calendar]
start = "Mon 00:00"
days = 2
opening_hours = { weekday = "08:00-14:00", sat = "closed", sun = "closed" }
[[call_types]]
name = "sales"
arrival_rate = 50
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "3m" }
[[call_types]]
name = "support"
arrival_rate = 100
handle_time = { distribution = "exponential", mean = "5m" }
patience = { distribution = "exponential", mean = "3m" }
[[agent_groups]]
name = "generalist"
skills = ["sales", "support"]
agents = 1
hourly_cost = 30
[[agent_groups]]
name = "specialist"
skills = ["support"]
agents = 1
hourly_cost = 20
"#,
    )
    .unwrap();
    let shifts = d.path().join("shifts.toml");
    let mut text = String::new();
    for (name, group, start, length, cost) in [
        ("gen day", "generalist", "08:00", "6h", 170),
        ("gen short", "generalist", "10:00", "3h", 95),
        ("spec day", "specialist", "08:00", "6h", 110),
        ("spec short", "specialist", "09:00", "4h", 80),
    ] {
        text += &format!(
            "[[shifts]]\nname = \"{name}\"\ngroup = \"{group}\"\nstart = \"{start}\"\n\
             length = \"{length}\"\ndays = [\"mon-tue\"]\ncost = {cost}\n"
        );
    }
    // The search may ask for a head in the last interval (Tue 23:00): late shifts cover it.
    for (name, group) in [("gen late", "generalist"), ("spec late", "specialist")] {
        text += &format!(
            "[[shifts]]\nname = \"{name}\"\ngroup = \"{group}\"\nstart = \"23:00\"\n\
             length = \"1h\"\ndays = [\"tue\"]\ncost = 40\n"
        );
    }
    std::fs::write(&shifts, text).unwrap();
    let r = run(&[
        "roster",
        scenario.to_str().unwrap(),
        "--target",
        "service_level>=0.8",
        "--shifts",
        shifts.to_str().unwrap(),
        "--replications",
        "5",
        "--quiet",
        "--format",
        "html",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    crate::staffing::assert_staffing_page(
        &r.stdout,
        &[
            "agent groups generalist + specialist",
            "<td class=\"name\">gen day</td><td class=\"name\">generalist</td>",
            "<td class=\"name\">Mon, Tue</td>",
            "Agents of generalist",
            "Agents of specialist",
            "Mon 08:00",
            "Tue 12:00",
            "left out",
            "target: service level ≥ 80%",
        ],
    );
    // No interval labels from the start (+HH:MM) with a calendar.
    assert!(
        !r.stdout.contains(">+0"),
        "offset labels on a calendar page"
    );
}
