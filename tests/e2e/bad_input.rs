//! Bad input: every bad scenario (tests/fixtures/bad/*.toml) and every bad argument exits 2,
//! never panics, prints nothing on stdout, and says on stderr which file and which key path is
//! wrong (and, where it is natural, what is allowed). Good fixtures validate with a one-line
//! summary.

use crate::common::*;
use std::path::{Path, PathBuf};

/// Runs `validate FILE` and `run FILE --format json` on a bad scenario; both must exit 2 and
/// stderr must contain the file name and every needle (a needle `a|b` accepts either).
fn check_bad_scenario(path: &Path, needles: &[&str]) {
    let file_name = path
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    let p = path.display().to_string();
    let invocations: [Vec<&str>; 2] = [
        vec!["validate", &p],
        vec!["run", &p, "--format", "json", "--threads", "2", "--quiet"],
    ];
    for args in invocations {
        let r = run(&args);
        assert_no_panic(&r);
        assert_eq!(r.code, Some(2), "bad input must exit 2\n{}", r.describe());
        assert!(
            r.stdout.trim().is_empty(),
            "nothing may be printed on stdout for a bad scenario\n{}",
            r.describe()
        );
        assert!(
            r.stderr.contains(&file_name),
            "stderr must name the file `{file_name}`\n{}",
            r.describe()
        );
        for needle in needles {
            assert!(
                needle.split('|').any(|alt| r.stderr.contains(alt)),
                "stderr must mention `{needle}`\n{}",
                r.describe()
            );
        }
    }
}

macro_rules! bad_scenarios {
    ($($test:ident: $file:literal => [$($needle:literal),* $(,)?];)*) => {
        $(
            #[test]
            fn $test() {
                check_bad_scenario(&fixture(concat!("bad/", $file)), &[$($needle),*]);
            }
        )*
    };
}

bad_scenarios! {
    unknown_top_level_key: "unknown_top_level_key.toml"
        => ["colour", "expected one of|allowed|known"];
    unknown_key_in_call_type: "unknown_call_type_key.toml"
        => ["call_types[1]", "colour", "expected one of|allowed|known"];
    negative_arrival_rate: "negative_arrival_rate.toml"
        => ["call_types[1].arrival_rate", "≥ 0|>= 0|non-negative|nonnegative"];
    transfer_probability_above_one: "transfer_probability_above_one.toml"
        => ["call_types[0].transfer.probability", "0 to 1|0 and 1|[0, 1]|0..1"];
    lognormal_negative_sd: "lognormal_negative_sd.toml" => ["call_types[1].handle_time.sd"];
    volumes_wrong_length: "volumes_wrong_length.toml" => ["call_types[0].volumes", "4"];
    staffing_wrong_length: "staffing_wrong_length.toml" => ["agent_groups[0].staffing", "4"];
    transfer_to_unknown_call_type: "transfer_to_unknown_type.toml"
        => ["call_types[0].transfer.to", "nobody", "known|allowed"];
    call_type_no_group_serves: "call_type_nobody_serves.toml"
        => ["specialist", "call_types[1]|skills"];
    replications_zero: "replications_zero.toml"
        => ["simulation.replications", "from 1|at least 1|≥ 1|>= 1|positive"];
    duration_in_words: "duration_words.toml"
        => ["call_types[0].handle_time.mean", "4 minutes", "unit"];
    duration_without_unit: "duration_no_unit.toml" => ["simulation.horizon", "unit"];
    duration_negative: "duration_negative.toml"
        => ["call_types[1].patience.mean", "-3m", "unit|negative"];
    unknown_distribution_name: "unknown_distribution.toml"
        => ["call_types[1].handle_time", "poisson", "exponential"];
    skill_names_unknown_call_type: "skill_unknown_call_type.toml"
        => ["agent_groups[0].skills", "billing"];
    duplicate_call_type_name: "duplicate_call_type.toml" => ["call_types[1].name", "general"];
    not_toml_syntax: "not_toml.toml" => ["line 5|:5:"];
    max_concurrent_zero: "max_concurrent_zero.toml"
        => ["agent_groups[0].max_concurrent", "whole number", "from 1"];
    max_concurrent_fraction: "max_concurrent_fraction.toml"
        => ["agent_groups[0].max_concurrent", "whole number", "2.5"];
    chat_slowdown_negative: "chat_slowdown_negative.toml"
        => ["agent_groups[0].chat_slowdown", "from 0"];
    callback_probability_above_one: "callback_probability_above_one.toml"
        => ["call_types[0].callback.accept_probability", "0 to 1"];
    callback_offer_after_negative: "callback_offer_after_negative.toml"
        => ["call_types[0].callback.offer_after", "no negatives"];
    callback_on_chat: "callback_on_chat.toml"
        => ["call_types[0].callback", "voice call types only"];
    channel_unknown: "channel_unknown.toml"
        => ["call_types[0].channel", "fax", "\"voice\", \"chat\", \"email\""];
    lines_zero: "lines_zero.toml" => ["simulation.lines", "from 1"];
    email_patience: "email_patience.toml" => ["call_types[0].patience", "no patience"];
    sl_threshold_business_week: "sl_threshold_business_week.toml"
        => ["call_types[0].service_level_threshold", "business week", "\"N business days\""];
    priority_negative: "priority_negative.toml" => ["call_types[1].priority", "whole number from 0"];
    priority_fraction: "priority_fraction.toml" => ["call_types[1].priority", "whole number", "1.5"];
    overflow_unknown_call_type: "overflow_unknown_call_type.toml"
        => ["agent_groups[1].overflow_after.billing", "unknown call type", "skills"];
    overflow_skill_not_in_group: "overflow_skill_not_in_group.toml"
        => ["agent_groups[1].overflow_after.general", "not among this group's skills"];
    overflow_negative: "overflow_negative.toml"
        => ["agent_groups[1].overflow_after.specialist", "-30s", "no negatives"];
    hold_patience_negative: "hold_patience_negative.toml"
        => ["call_types[1].hold_patience.mean", "-1m", "no negatives"];
    customer_value_range_low_above_high: "customer_value_range_low_above_high.toml"
        => ["customers.customer_value", "low 300 is above high 200", "low ≤ mode ≤ high"];
    customer_value_range_mode_outside: "customer_value_range_mode_outside.toml"
        => ["customers.customer_value", "mode 500 is outside", "low ≤ mode ≤ high"];
    customer_value_range_negative: "customer_value_range_negative.toml"
        => ["customers.customer_value", "low must be a finite number ≥ 0"];
}

#[test]
fn every_bad_fixture_has_a_test() {
    // Keeps the macro list above and the directory in step.
    let listed = [
        "unknown_top_level_key.toml",
        "unknown_call_type_key.toml",
        "negative_arrival_rate.toml",
        "transfer_probability_above_one.toml",
        "lognormal_negative_sd.toml",
        "volumes_wrong_length.toml",
        "staffing_wrong_length.toml",
        "transfer_to_unknown_type.toml",
        "call_type_nobody_serves.toml",
        "replications_zero.toml",
        "duration_words.toml",
        "duration_no_unit.toml",
        "duration_negative.toml",
        "unknown_distribution.toml",
        "skill_unknown_call_type.toml",
        "duplicate_call_type.toml",
        "not_toml.toml",
        "max_concurrent_zero.toml",
        "max_concurrent_fraction.toml",
        "chat_slowdown_negative.toml",
        "callback_probability_above_one.toml",
        "callback_offer_after_negative.toml",
        "callback_on_chat.toml",
        "channel_unknown.toml",
        "lines_zero.toml",
        "priority_negative.toml",
        "priority_fraction.toml",
        "overflow_unknown_call_type.toml",
        "overflow_skill_not_in_group.toml",
        "overflow_negative.toml",
        "hold_patience_negative.toml",
        "email_patience.toml",
        "sl_threshold_business_week.toml",
        "customer_value_range_low_above_high.toml",
        "customer_value_range_mode_outside.toml",
        "customer_value_range_negative.toml",
    ];
    let mut on_disk: Vec<String> = fixtures_in("bad")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/fixtures/bad and the test list differ"
    );
}

#[test]
fn missing_file() {
    let path: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad/does_not_exist.toml");
    assert!(!path.exists());
    check_bad_scenario(&path, &[]);
}

#[test]
fn one_bad_file_among_good_ones_fails_the_whole_run() {
    let good = fixture("determinism/other.toml");
    let bad = fixture("bad/negative_arrival_rate.toml");
    let r = run(&[
        "run",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(
        r.stdout.trim().is_empty(),
        "no partial report\n{}",
        r.describe()
    );
    assert!(
        r.stderr.contains("negative_arrival_rate.toml"),
        "stderr must name the bad file\n{}",
        r.describe()
    );
}

#[test]
fn bad_command_line_arguments_exit_2() {
    let good = fixture("determinism/other.toml");
    let g = good.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", g, "--threads", "0", "--format", "json"],
            "threads",
        ),
        (vec!["run", g, "--format", "xml"], "xml"),
        (
            vec!["run", g, "--replications", "0", "--format", "json"],
            "replications",
        ),
        // The file's own range: 4·10^9 used to be accepted (and its results kept).
        (
            vec!["run", g, "--replications", "4000000000", "--format", "json"],
            "from 1 to 10000000",
        ),
        (
            vec!["run", g, "--seed", "minus-one", "--format", "json"],
            "seed",
        ),
        (
            vec!["run", g, "--no-such-flag", "--format", "json"],
            "no-such-flag",
        ),
        (vec!["run", "--format", "json"], ""),
        (vec!["frobnicate", g], "frobnicate"),
        (
            vec![
                "erlang",
                "--arrival-rate",
                "240",
                "--handle-time",
                "4m",
                "--agents",
                "0",
            ],
            "agents",
        ),
        (
            vec![
                "erlang",
                "--arrival-rate",
                "240",
                "--handle-time",
                "4 minutes",
                "--agents",
                "20",
            ],
            "handle-time",
        ),
        (
            vec![
                "erlang",
                "--arrival-rate",
                "-5",
                "--handle-time",
                "4m",
                "--agents",
                "20",
            ],
            "arrival-rate",
        ),
    ];
    let mut failures = Vec::new();
    for (args, needle) in cases {
        let r = run(&args);
        let ok = r.code == Some(2)
            && !r.stderr.contains("panicked")
            && r.stdout.trim().is_empty()
            && r.stderr.contains(needle);
        if !ok {
            failures.push(format!(
                "(stderr should mention `{needle}`)\n{}",
                r.describe()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad argument case(s) misbehaved:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_good_fixture_validates_with_a_one_line_summary() {
    let mut files = Vec::new();
    for dir in ["validation", "conservation", "determinism"] {
        files.extend(fixtures_in(dir));
    }
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    if let Ok(rd) = std::fs::read_dir(&scenarios) {
        files.extend(
            rd.map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    assert!(files.len() >= 10, "too few fixtures found: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let r = run(&["validate", f.to_str().unwrap()]);
        let lines = r.stdout.lines().count();
        if r.code != Some(0) || lines != 1 || r.stderr.contains("panicked") {
            failures.push(format!(
                "expected exit 0 and one line on stdout (got {lines})\n{}",
                r.describe()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Staffing targets name what is wrong: an unknown call type (with the types there are), a
/// type the group does not serve, an occupancy floor, a malformed expression; a perfect-record
/// target is flagged as degenerate, not silently "met".
#[test]
fn staffing_targets_are_checked() {
    let s = "scenarios/two_tier.toml";
    for (target, needles) in [
        (
            "billing.service_level>=0.8",
            &["no call type `billing`", "general"][..],
        ),
        (
            "specialist.service_level>=0.8",
            &["does not serve `specialist`"][..],
        ),
        ("occupancy>=0.6", &["occupancy floor"][..]),
        ("service_level=0.8", &["METRIC>=X"][..]),
    ] {
        let r = run(&[
            "staff", s, "--group", "tier1", "--target", target, "--quiet",
        ]);
        assert_eq!(r.code, Some(2), "{}", r.describe());
        for n in needles {
            assert!(r.stderr.contains(n), "{target}: {n}\n{}", r.describe());
        }
    }
    let r = run(&[
        "staff",
        s,
        "--group",
        "tier1",
        "--target",
        "abandon_rate<=0",
        "--replications",
        "3",
        "--quiet",
        "--format",
        "json",
    ]);
    assert!(
        r.stderr.contains("degenerate") || r.stderr.contains("perfect record"),
        "{}",
        r.describe()
    );
}

/// A small valid scenario for the edits of [`bad_texts!`].
const BASE: &str = r#"name = "base"

[simulation]
horizon = "2h"
interval = "30m"
replications = 3
seed = 1

[[call_types]]
name = "general"
arrival_rate = 60.0
handle_time = { distribution = "exponential", mean = "4m" }

[[agent_groups]]
name = "tier1"
skills = ["general"]
agents = 5
"#;

/// Words that must never reach a user: Rust types and serde's phrasing.
const NOT_FOR_USERS: [&str; 6] = [
    "i128",
    "i64",
    "f64",
    "invalid type",
    "expected struct",
    "Raw",
];

/// [`check_bad_scenario`] on `text` written to `<name>.toml`; the error must also be one line
/// and free of Rust type names.
fn check_bad_text(name: &str, text: &str, needles: &[&str]) {
    let f = scenario_file(name, text);
    check_bad_scenario(&f.path, needles);
    let r = run(&["validate", f.arg()]);
    assert_eq!(
        r.stderr.trim_end().lines().count(),
        1,
        "one line\n{}",
        r.describe()
    );
    for word in NOT_FOR_USERS {
        assert!(
            !r.stderr.contains(word),
            "`{word}` leaked\n{}",
            r.describe()
        );
    }
}

/// Bad scenarios written as edits of [`BASE`]: `replace "a" => "b"` or `append "text"`.
macro_rules! bad_texts {
    ($($test:ident: $edit:ident $a:literal $(=> $b:literal)? => [$($needle:literal),* $(,)?];)*) => {
        $(
            #[test]
            fn $test() {
                let text = bad_texts!(@edit $edit $a $(, $b)?);
                assert_ne!(text, BASE, "the edit must change the scenario");
                check_bad_text(stringify!($test), &text, &[$($needle),*]);
            }
        )*
    };
    (@edit replace $a:literal, $b:literal) => { BASE.replace($a, $b) };
    (@edit append $a:literal) => { format!("{BASE}\n{}", $a) };
}

bad_texts! {
    // An integer beyond TOML's range is a number too large, at its key, not a serde riddle.
    integer_too_large_for_toml: replace "agents = 5" => "agents = 99999999999999999999"
        => ["line 17, column 10", "agent_groups[0].agents", "too large for a TOML integer",
            "at most 9223372036854775807"];
    integer_too_small_for_toml: replace "replications = 3" => "replications = -99999999999999999999"
        => ["simulation.replications", "too small for a TOML integer"];
    integer_just_past_toml: replace "seed = 1" => "seed = 9223372036854775808"
        => ["simulation.seed", "too large for a TOML integer"];
    float_too_large_for_toml: replace "arrival_rate = 60.0" => "arrival_rate = 1e400"
        => ["call_types[0].arrival_rate", "too large for a TOML float"];
    // A range table is checked key by key, and says what is wrong with it.
    range_unknown_key: append "[customers]\ncustomer_value = { low = 1.0, mode = 2.0, high = 3.0, hgh = 9.0 }"
        => ["customers.customer_value.hgh", "unknown key \"hgh\"", "low, mode, high"];
    range_missing_key: append "[customers]\ncustomer_value = { low = 1.0, mode = 2.0 }"
        => ["customers.customer_value", "missing `high`"];
    range_as_string: append "[customers]\ncustomer_value = \"200\""
        => ["customers.customer_value", "found the string \"200\""];
    range_as_array: append "[customers]\ncustomer_value = [1.0, 2.0, 3.0]"
        => ["customers.customer_value", "found an array"];
    range_bad_end: append "[customers]\ncustomer_value = { low = 1.0, mode = \"2\", high = 3.0 }"
        => ["customers.customer_value.mode", "expected a number, found the string \"2\""];
    range_list_entry_as_string: append "[experience.loyalty]\ndefection = [\"x\", 0.1, 0.2]"
        => ["experience.loyalty.defection[0]", "found the string \"x\""];
    range_unknown_key_in_program: append "[program]\ndiscount_rate = { low = 0.0, mode = 0.05, high = 0.1, extra = 1 }"
        => ["program.discount_rate.extra", "unknown key"];
    // An array where a table belongs is refused, not read field by field.
    simulation_as_array_of_tables: replace "[simulation]" => "[[simulation]]"
        => ["simulation:", "[simulation] table", "found an array of tables"];
    call_type_transfer_as_array: replace "arrival_rate = 60.0" => "arrival_rate = 60.0\ntransfer = [\"general\", 0.3]"
        => ["call_types[0].transfer", "expected a transfer table", "found an array"];
    // An odd key is shown once, quoted and escaped, on one line.
    key_with_newline: append "\"weird\\nkey\" = 1"
        => ["agent_groups[0].\"weird\\nkey\": unknown key \"weird\\nkey\""];
    string_with_newline: replace "agents = 5" => "agents = \"5\\n6\""
        => ["agent_groups[0].agents", "found the string \"5\\n6\""];
    control_character_in_name: replace "name = \"base\"" => "name = \"a\\u0007b\""
        => ["name", "\"a\\u0007b\""];
    // Spans that are positive but below a second are refused, not run as "0s".
    horizon_below_a_second: replace "horizon = \"2h\"" => "horizon = \"0.4ms\""
        => ["simulation.horizon", "must be at least 1s", "0.0004s"];
    horizon_far_below_a_second: replace "horizon = \"2h\"" => "horizon = \"0.001ms\""
        => ["simulation.horizon", "must be at least 1s"];
    interval_below_a_second: replace "interval = \"30m\"" => "interval = \"0.6s\""
        => ["simulation.interval", "must be at least 1s", "0.6s"];
    // Nitpicks: each message says the real limit and the values.
    duration_beyond_range: replace "horizon = \"2h\"" => "horizon = \"1e300h\""
        => ["simulation.horizon", "out of range", "36500d"];
    duration_below_range: replace "mean = \"4m\"" => "mean = \"1e-300s\""
        => ["call_types[0].handle_time.mean", "out of range", "0.001ms"];
    weibull_shape_nan: replace "\"exponential\", mean = \"4m\"" => "\"weibull\", shape = nan, scale = \"4m\""
        => ["call_types[0].handle_time.shape", "from 0.1 to", "NaN"];
    uniform_max_below_min: replace "\"exponential\", mean = \"4m\"" => "\"uniform\", min = \"5m\", max = \"1m\""
        => ["call_types[0].handle_time.max", "got max 1m below min 5m"];
    name_empty: replace "name = \"base\"" => "name = \"\""
        => ["name: must not be empty", "leave `name` out"];
    volume_limit_readable: replace "arrival_rate = 60.0" => "volumes = [1, -2, 3, 4]"
        => ["call_types[0].volumes[1]", "at most 5000000 "];
}
