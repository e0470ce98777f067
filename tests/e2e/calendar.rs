//! The week calendar end to end: a bundled week runs with clock-time interval labels and
//! scheduled/available agents, and every bad calendar, shift, shrinkage or busyness key exits
//! 2 naming the file, the key path and what is allowed (one test per case).

use crate::common::*;

/// A valid small week; each bad case edits one line of it.
const BASE: &str = r#"
[simulation]
interval = "30m"
replications = 2
[calendar]
start = "Mon 08:00"
days = 2
opening_hours = { weekday = "08:00-18:00", sat = "09:00-13:00" }
[[call_types]]
name = "voice"
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "3m" }
profile = { weekday = [20, 30, 40, 40, 40, 35, 30, 30, 30, 35, 40, 40, 35, 30, 30, 25, 20, 20, 15, 10] }
[[agent_groups]]
name = "team"
skills = ["voice"]
[[shifts]]
group = "team"
start = "08:00"
length = "8h"
days = ["mon-fri"]
agents = 10
breaks = [{ earliest = "10:00", latest = "11:00", length = "15m" }]
"#;

/// `validate` and `run` of `BASE` with `from` replaced by `to` both exit 2, print nothing on
/// stdout, and name the file and every needle on stderr.
fn bad(name: &str, from: &str, to: &str, needles: &[&str]) {
    assert!(BASE.contains(from), "{from} not in BASE");
    let file = scenario_file(name, &BASE.replacen(from, to, 1));
    let p = file.arg();
    for args in [
        vec!["validate", p],
        vec!["run", p, "--format", "json", "--quiet"],
    ] {
        let r = run(&args);
        assert_no_panic(&r);
        assert_eq!(r.code, Some(2), "{}", r.describe());
        assert!(r.stdout.trim().is_empty(), "{}", r.describe());
        assert!(
            r.stderr.contains(&format!("{name}.toml")),
            "{}",
            r.describe()
        );
        for n in needles {
            assert!(
                r.stderr.contains(n),
                "stderr must mention `{n}`\n{}",
                r.describe()
            );
        }
    }
}

#[test]
fn the_base_week_is_valid() {
    let r = run(&["validate", scenario_file("base", BASE).arg()]);
    r.assert_ok();
}

#[test]
fn overnight_opening_hours() {
    bad(
        "overnight",
        r#"weekday = "08:00-18:00""#,
        r#"weekday = "18:00-08:00""#,
        &["calendar.opening_hours.weekday", "inside one day"],
    );
}

#[test]
fn overlapping_opening_hours() {
    bad(
        "overlap",
        r#"sat = "09:00-13:00""#,
        r#"sat = "09:00-13:00", Saturday = "10:00-14:00""#,
        &["calendar.opening_hours.sat", "Saturday is given twice"],
    );
}

#[test]
fn opening_hours_out_of_range() {
    bad(
        "hour_25",
        r#"sat = "09:00-13:00""#,
        r#"sat = "09:00-25:00""#,
        &["calendar.opening_hours.sat", "HH:MM", "24:00"],
    );
}

#[test]
fn unknown_weekday_in_start() {
    bad(
        "start_day",
        r#"start = "Mon 08:00""#,
        r#"start = "Mun 08:00""#,
        &["calendar.start", "Mon, Tue"],
    );
}

#[test]
fn unknown_weekday_in_opening_hours() {
    bad(
        "hours_day",
        r#"sat = "09:00-13:00""#,
        r#"sam = "09:00-13:00""#,
        &["calendar.opening_hours.sam", "unknown weekday", "Mon, Tue"],
    );
}

#[test]
fn unknown_weekday_in_shift_days() {
    bad(
        "shift_day",
        r#"days = ["mon-fri"]"#,
        r#"days = ["mon-fry"]"#,
        &["shifts[0].days[0]", "mon-fri"],
    );
}

#[test]
fn never_open() {
    bad(
        "never_open",
        r#"opening_hours = { weekday = "08:00-18:00", sat = "09:00-13:00" }"#,
        r#"opening_hours = { sun = "closed" }"#,
        &["calendar.opening_hours", "never open"],
    );
}

#[test]
fn shift_outside_opening_hours() {
    bad(
        "shift_early",
        r#"start = "08:00"
length"#,
        r#"start = "07:00"
length"#,
        &["shifts[0]", "07:00-15:00", "opening hours 08:00-18:00"],
    );
}

#[test]
fn shift_on_a_closed_day() {
    bad(
        "shift_sunday",
        r#"days = ["mon-fri"]"#,
        r#"days = ["mon-fri", "sun"]"#,
        &["shifts[0].days", "Sunday", "closed"],
    );
}

#[test]
fn break_outside_its_shift() {
    bad(
        "break_late",
        r#"latest = "11:00""#,
        r#"latest = "15:50""#,
        &[
            "shifts[0].breaks[0]",
            "does not fit in the shift 08:00-16:00",
        ],
    );
}

#[test]
fn break_latest_before_earliest() {
    bad(
        "break_order",
        r#"latest = "11:00""#,
        r#"latest = "09:00""#,
        &["shifts[0].breaks[0].latest", "before the earliest"],
    );
}

#[test]
fn shift_names_an_unknown_group() {
    bad(
        "shift_group",
        r#"group = "team""#,
        r#"group = "teem""#,
        &[
            "shifts[0].group",
            "\"teem\"",
            "known agent groups: \"team\"",
        ],
    );
}

#[test]
fn staffing_and_shifts_for_one_group() {
    bad(
        "both",
        r#"skills = ["voice"]"#,
        r#"skills = ["voice"]
staffing = [1, 1]"#,
        &["agent_groups[0].staffing", "not both"],
    );
}

#[test]
fn shrinkage_out_of_range() {
    for (i, s) in ["1.0", "-0.1", "nan"].iter().enumerate() {
        bad(
            &format!("shrinkage{i}"),
            r#"skills = ["voice"]"#,
            &format!("skills = [\"voice\"]\nshrinkage = {s}"),
            &[
                "agent_groups[0].shrinkage",
                "from 0 up to (not including) 1",
            ],
        );
    }
}

#[test]
fn negative_arrival_uncertainty() {
    bad(
        "uncertainty",
        "replications = 2",
        "replications = 2\narrival_uncertainty = -0.1",
        &["simulation.arrival_uncertainty", "from 0"],
    );
}

#[test]
fn profile_of_the_wrong_length() {
    bad(
        "profile_len",
        "weekday = [20, 30,",
        "weekday = [",
        &[
            "call_types[0].profile.weekday",
            "18 entries",
            "20 intervals",
        ],
    );
}

#[test]
fn profile_missing_for_an_open_day() {
    bad(
        "profile_sat",
        r#"days = 2"#,
        r#"days = 6"#,
        &["call_types[0].profile", "Saturday", "`sat`"],
    );
}

#[test]
fn profile_without_a_calendar() {
    let start = BASE.find("[calendar]").unwrap();
    let end = BASE.find("[[call_types]]").unwrap();
    let text = BASE[..start].replace("replications = 2", "replications = 2\nhorizon = \"8h\"")
        + &BASE[end..BASE.find("[[shifts]]").unwrap()]
        + "agents = 5\n";
    let file = scenario_file("no_calendar", &text);
    let r = run(&["validate", file.arg()]);
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(r.stderr.contains("call_types[0].profile") && r.stderr.contains("[calendar]"));
}

#[test]
fn unknown_channel() {
    bad(
        "channel",
        r#"name = "voice""#,
        "name = \"voice\"\nchannel = \"fax\"",
        &["call_types[0].channel", "\"voice\", \"chat\", \"email\""],
    );
}

#[test]
fn days_and_horizon_together() {
    bad(
        "days_horizon",
        "replications = 2",
        "replications = 2\nhorizon = \"8h\"",
        &["simulation.horizon", "not both"],
    );
}

#[test]
fn start_off_the_interval_grid() {
    bad(
        "start_grid",
        r#"start = "Mon 08:00""#,
        r#"start = "Mon 08:10""#,
        &["calendar.start", "grid"],
    );
}

/// The bundled week: labels, closed hours empty, scheduled vs available agents.
#[test]
fn the_bundled_week_has_clock_labels_and_availability() {
    let week = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/week.toml");
    let (report, _) = run_json(&[&week], &["--replications", "4"]);
    let intervals = report["intervals"].as_array().expect("intervals");
    assert_eq!(intervals.len(), 6 * 48);
    assert_eq!(intervals[0]["start"], "Mon 08:00");
    assert_eq!(intervals[0]["start_s"], 0);
    assert_eq!(intervals[1]["start"], "Mon 08:30");
    // Mon 20:00 is closed: nobody scheduled; only email arrives (voice and chat profiles
    // cover open hours), and it waits for Tuesday's 08:00 opening (≥ 11.5 h).
    let night = &intervals[24];
    assert_eq!(night["start"], "Mon 20:00");
    let offered = night["metrics"]["offered"]["mean"].as_f64().unwrap();
    assert!(offered > 0.0 && offered < 10.0, "{offered}");
    let asa = night["metrics"]["asa_s"]["mean"].as_f64().unwrap();
    assert!(asa > 11.5 * 3600.0, "{asa}");
    assert_eq!(
        night["agent_groups"]["phone"]["scheduled_agents"]["mean"],
        0.0
    );
    // Tue 10:30: 22 phone agents scheduled; shrinkage and breaks leave fewer available.
    let k = 48 + 5;
    assert_eq!(intervals[k]["start"], "Tue 10:30");
    let phone = &intervals[k]["agent_groups"]["phone"];
    assert_eq!(phone["scheduled_agents"]["mean"], 22.0);
    let available = phone["available_agents"]["mean"].as_f64().unwrap();
    assert!(available < 22.0 && available > 14.0, "{available}");
    // Sunday is not simulated (six days from Monday 08:00 end Sunday 08:00).
    assert_eq!(intervals.last().unwrap()["start"], "Sun 07:30");
}

/// Shifts, breaks, shrinkage and busyness keep results independent of the thread count, and
/// every offered contact is answered, abandoned or left in the queue.
#[test]
fn the_bundled_week_is_reproducible_and_conserves_contacts() {
    let week = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/week.toml");
    let w = week.to_str().unwrap();
    let with_threads = |t: &str| {
        let r = run(&[
            "run",
            w,
            "--format",
            "json",
            "--quiet",
            "--replications",
            "3",
            "--threads",
            t,
        ]);
        r.assert_ok();
        r.stdout
    };
    assert_eq!(
        with_threads("1"),
        with_threads("2"),
        "results depend on the thread count"
    );
    let (one, _) = run_json(&[&week], &["--replications", "3"]);
    let (other_seed, _) = run_json(&[&week], &["--replications", "3", "--seed", "9"]);
    assert_ne!(one["metrics"], other_seed["metrics"]);
    let m = |name: &str| one["metrics"][name]["mean"].as_f64().unwrap();
    let ends = m("answered") + m("abandoned") + m("in_queue_at_end");
    assert!(
        (m("offered") - ends).abs() < 1e-6,
        "{} vs {ends}",
        m("offered")
    );
}

#[test]
fn shift_length_off_the_interval_grid() {
    bad(
        "shift_len",
        r#"length = "8h""#,
        r#"length = "7h45m""#,
        &["shifts[0].length"],
    );
    bad(
        "shift_len_grid",
        r#"length = "8h""#,
        r#"length = "7.75h""#,
        &["shifts[0].length", "grid"],
    );
}

#[test]
fn interval_that_does_not_divide_a_day() {
    bad(
        "interval_7m",
        r#"interval = "30m""#,
        r#"interval = "7m""#,
        &["simulation.interval", "does not divide a day"],
    );
}

#[test]
fn days_and_weeks_together() {
    bad(
        "days_weeks",
        "days = 2",
        "days = 2\nweeks = 1",
        &["calendar.weeks", "not both"],
    );
}

#[test]
fn shifts_without_a_calendar() {
    let start = BASE.find("[calendar]").unwrap();
    let end = BASE.find("[[call_types]]").unwrap();
    let text = BASE[..start].replace("replications = 2", "replications = 2\nhorizon = \"8h\"")
        + &BASE[end..].replace(
            "profile = { weekday = [20, 30, 40, 40, 40, 35, 30, 30, 30, 35, 40, 40, 35, 30, 30, 25, 20, 20, 15, 10] }",
            "arrival_rate = 60",
        );
    let file = scenario_file("shifts_no_calendar", &text);
    let r = run(&["validate", file.arg()]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(
        r.stderr.contains("shifts:") && r.stderr.contains("[calendar]"),
        "{}",
        r.describe()
    );
}
