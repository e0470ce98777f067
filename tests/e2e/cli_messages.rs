//! Messages of the command line and the shift file: every bad option value names the option,
//! the value and what is allowed, exit 2 (never clap's `-- -1` advice nor a Rust Debug
//! dump); a bad shift file gets one line with the key path in the scenario's words; the
//! money blocks of the table output stay aligned.

use crate::common::{run, scenario_file, Run, ScenarioFile};

/// One call type `general`, one group `tier1`: a two-hour day, quick to simulate.
const BASE: &str = r#"
name = "base"

[simulation]
horizon = "2h"
interval = "30m"
warmup = "0s"
replications = 3
seed = 1
service_level_threshold = "20s"

[[call_types]]
name = "general"
arrival_rate = 60.0
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "2m" }

[[agent_groups]]
name = "tier1"
skills = ["general"]
agents = 5
"#;

fn base() -> ScenarioFile {
    scenario_file("base", BASE)
}

/// Exit 2, one message naming `option` and `value` and containing `allowed`; no clap advice,
/// no Rust words.
fn assert_names(r: &Run, option: &str, value: &str, allowed: &str) {
    assert_eq!(r.code, Some(2), "{}", r.describe());
    let e = &r.stderr;
    assert!(e.contains(option), "no {option}\n{}", r.describe());
    assert!(e.contains(value), "no {value}\n{}", r.describe());
    assert!(e.contains(allowed), "no `{allowed}`\n{}", r.describe());
    for bad in [
        "unexpected argument",
        "'-- ",
        "invalid digit",
        "QueueParams",
        "Some(",
        "f64",
        "is not in ",
    ] {
        assert!(!e.contains(bad), "`{bad}` in the message\n{}", r.describe());
    }
}

#[test]
fn negative_and_out_of_range_values_name_the_option() {
    let s = base();
    let f = s.arg();
    let target = "service_level>=0.8";
    // `erlang` with `extra` replacing the default of the option it gives.
    let erlang = |extra: &[&str]| {
        let defaults = [
            ("--arrival-rate", "100"),
            ("--handle-time", "4m"),
            ("--agents", "10"),
        ];
        let mut a = vec!["erlang".to_string()];
        for (k, d) in defaults {
            if !extra.contains(&k) {
                a.extend([k.to_string(), d.to_string()]);
            }
        }
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, &str, &str, &str)> = vec![
        (
            v(&["run", f, "--memory-limit", "-1GB"]),
            "--memory-limit",
            "-1GB",
            "500MB",
        ),
        (
            v(&["run", f, "--assumption-draws", "-5"]),
            "--assumption-draws",
            "-5",
            "from 1 to 100000",
        ),
        (
            v(&["run", f, "--assumption-draws", "x"]),
            "--assumption-draws",
            "x",
            "from 1 to 100000",
        ),
        (
            v(&["compare", f, f, "--staffing-seeds", "-1"]),
            "--staffing-seeds",
            "-1",
            "from 1 to 100",
        ),
        (
            v(&["compare", f, f, "--assumption-draws", "0"]),
            "--assumption-draws",
            "0",
            "from 1 to 100000",
        ),
        (
            v(&["sweep", f, "--shard", "-1/2"]),
            "--shard",
            "-1/2",
            "0 ≤ I < N",
        ),
        (
            v(&["staff", f, "--target", target, "--max-agents", "-1"]),
            "--max-agents",
            "-1",
            "from 1 to 1000000",
        ),
        (
            v(&["staff", f, "--target", target, "--max-simulations", "-1"]),
            "--max-simulations",
            "-1",
            "from 1 to",
        ),
        (
            v(&[
                "roster",
                f,
                "--target",
                target,
                "--shifts",
                f,
                "--max-agents",
                "-3",
            ]),
            "--max-agents",
            "-3",
            "from 1 to 1000000",
        ),
        (
            v(&["validate", f, "--memory-limit", "-5"]),
            "--memory-limit",
            "-5",
            "with a unit",
        ),
        (
            erlang(&["--arrival-rate", "-100"]),
            "--arrival-rate",
            "-100",
            "from 0 to 10000000",
        ),
        (
            erlang(&["--target-sl", "-0.5"]),
            "--target-sl",
            "-0.5",
            "from 0 up to",
        ),
        (
            erlang(&["--handle-time", "-4m"]),
            "--handle-time",
            "-4m",
            "no negatives",
        ),
        (
            erlang(&["--patience", "-2m"]),
            "--patience",
            "-2m",
            "no negatives",
        ),
        (
            erlang(&["--threshold", "-20s"]),
            "--threshold",
            "-20s",
            "no negatives",
        ),
        (
            erlang(&["--agents", "-10"]),
            "--agents",
            "-10",
            "from 1 to 1000000",
        ),
        (
            erlang(&["--max-concurrent", "-1"]),
            "--max-concurrent",
            "-1",
            "from 1 to 100",
        ),
    ];
    for (args, option, value, allowed) in cases {
        assert_names(&run(&args), option, value, allowed);
    }
}

/// `erlang` with a zero handle time or patience, or an absurd arrival rate: refused up front
/// with the option and its range, not the analytic layer's struct dump or a 300-digit load.
#[test]
fn erlang_refuses_zero_durations_and_absurd_rates_by_name() {
    let erlang = |extra: &[&str]| {
        let mut a = vec!["erlang", "--arrival-rate", "100", "--agents", "10"];
        a.extend_from_slice(extra);
        run(&a)
    };
    let r = erlang(&["--handle-time", "0s"]);
    assert_names(&r, "--handle-time", "0s", "longer than 0");
    let r = erlang(&["--handle-time", "4m", "--patience", "0s"]);
    assert_names(&r, "--patience", "0s", "longer than 0");
    let r = run(&[
        "erlang",
        "--arrival-rate",
        "1e308",
        "--handle-time",
        "4m",
        "--agents",
        "10",
    ]);
    assert_names(&r, "--arrival-rate", "1e308", "from 0 to 10000000");
    assert!(r.stderr.len() < 300, "{}", r.describe());
    // The largest loads the limits allow still print readably.
    let r = run(&[
        "erlang",
        "--arrival-rate",
        "1e7",
        "--handle-time",
        "36500d",
        "--agents",
        "1000000",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(
        r.stderr.lines().count() == 1 && r.stderr.len() < 200,
        "{}",
        r.describe()
    );
}

/// `--max-simulations 0` is refused by the parser, and a budget below what any search of the
/// question needs exits 2 before simulating (it was exit 1 after the first simulation).
#[test]
fn too_few_simulations_is_a_bad_argument() {
    let s = base();
    let staff = |n: &str| {
        run(&[
            "staff",
            s.arg(),
            "--target",
            "service_level>=0.8",
            "--quiet",
            "--max-simulations",
            n,
        ])
    };
    assert_names(&staff("0"), "--max-simulations", "0", "from 1 to");
    let r = staff("1");
    assert_names(&r, "--max-simulations 1", "at least 2", "raise it");
}

/// `--trace` writes CSV only: another extension exits 2 before the run, writing nothing.
#[test]
fn a_trace_not_named_csv_is_refused() {
    let s = base();
    let d = tempfile::tempdir().unwrap();
    let t = d.path().join("t.xlsx");
    let r = run(&[
        "run",
        s.arg(),
        "--quiet",
        "--format",
        "json",
        "--trace",
        t.to_str().unwrap(),
    ]);
    assert_names(&r, "--trace", "t.xlsx", ".csv");
    assert!(!t.exists());
    let t = d.path().join("t.CSV");
    let r = run(&[
        "run",
        s.arg(),
        "--quiet",
        "--format",
        "json",
        "--trace",
        t.to_str().unwrap(),
    ]);
    r.assert_ok();
    assert!(t.exists());
}

/// A `--memory-limit` without a unit is bytes: below 1 MB it is refused with the advice to
/// give a unit, instead of a run refused for a "0 kB" budget.
#[test]
fn a_memory_limit_without_a_unit_asks_for_one() {
    let s = base();
    let r = run(&["run", s.arg(), "--quiet", "--memory-limit", "5"]);
    assert_names(&r, "--memory-limit", "5", "give a unit");
    assert!(!r.stderr.contains("0 kB"), "{}", r.describe());
}

/// `staff --output` with an unknown extension lists `.toml` too, which `staff` writes the
/// staffed scenario to; `--format html` is documented for every command that has a page.
#[test]
fn output_extensions_and_formats_are_listed_per_command() {
    let s = base();
    let r = run(&[
        "staff",
        s.arg(),
        "--target",
        "service_level>=0.8",
        "--quiet",
        "--output",
        "x.xlsx",
    ]);
    assert_names(&r, "--output", "x.xlsx", ".toml");
    let r = run(&["run", s.arg(), "--quiet", "--output", "x.xlsx"]);
    assert_names(&r, "--output", "x.xlsx", ".txt");
    assert!(!r.stderr.contains(".toml"), "{}", r.describe());
    for command in ["run", "compare", "staff", "roster"] {
        let r = run(&[command, "--help"]);
        assert!(
            !r.stdout.contains("(`run` only)")
                && r.stdout.contains("`compare`, `staff` and `roster`"),
            "{}",
            r.describe()
        );
    }
}

/// `roster` of [`BASE`] with the shift file `text`; the file is named `F.toml`.
fn roster_with(text: &str) -> Run {
    let s = base();
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("F.toml");
    std::fs::write(&f, text).unwrap();
    run(&[
        "roster",
        s.arg(),
        "--target",
        "service_level>=0.8",
        "--shifts",
        f.to_str().unwrap(),
        "--quiet",
        "--format",
        "json",
    ])
}

/// A bad shift file gets one line `F.toml: key.path: what; allowed` in the scenario's words,
/// exit 2 (serde's multi-line "invalid type: string \"10\", expected f64", "expected a
/// sequence", "unknown field" and "untagged enum RawDay" before); the clock follows the
/// scenario's rules; duplicate names and agent counts above the scenario's limit are refused.
#[test]
fn shift_file_errors_are_one_line_with_the_key_path() {
    let shift = "[[shifts]]\nname = \"a\"\ngroup = \"tier1\"\nstart = \"00:00\"\nlength = \"2h\"\n";
    let cases = [
        (
            format!("{shift}cost = \"10\"\n"),
            "F.toml: shifts[0].cost: expected a number, found the string \"10\"",
        ),
        (
            "[[shifts]]\nstart = \"00:00\"\nlength = 2\n".to_string(),
            "F.toml: shifts[0].length: expected a string in quotes, found the number 2",
        ),
        (
            format!("{shift}days = \"mon\"\n"),
            "F.toml: shifts[0].days: expected an array [ … ], found the string \"mon\"",
        ),
        (
            format!("{shift}breaks = \"lunch\"\n"),
            "F.toml: shifts[0].breaks: expected an array [ … ], found the string \"lunch\"",
        ),
        (
            "shifts = \"x\"\n".to_string(),
            "F.toml: shifts: expected an array of [[shifts]] tables, found the string \"x\"",
        ),
        (
            format!("{shift}foo = 1\n"),
            "F.toml: shifts[0].foo: unknown key \"foo\"; allowed keys here: name, group",
        ),
        (
            format!("{shift}days = [true]\n"),
            "F.toml: shifts[0].days[0]: expected a day number or a weekday",
        ),
        (
            format!("{shift}breaks = [{{ length = \"10m\" }}]\n"),
            "F.toml: shifts[0].breaks[0].earliest: missing: this key is required here",
        ),
        (
            format!("{shift}{shift}"),
            "F.toml: shifts[1]: the name \"a\" is already shifts[0]'s",
        ),
        (
            format!("{shift}agents = 2000000\n"),
            "F.toml: shifts[0].agents: 2000000 must be a whole number from 0 to 1000000",
        ),
        (
            "[[shifts]]\nstart = \"24:00\"\nlength = \"2h\"\n".to_string(),
            "F.toml: shifts[0].start: \"24:00\" is not a clock time; write HH:MM from 00:00 to 23:59",
        ),
        (
            "[[shifts]\n".to_string(),
            "F.toml: line 1, column",
        ),
    ];
    for (text, expect) in cases {
        let r = roster_with(&text);
        assert_eq!(r.code, Some(2), "{text}\n{}", r.describe());
        assert!(r.stderr.contains(expect), "{text}\n{}", r.describe());
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.describe());
        for rust in [
            "invalid type",
            "expected f64",
            "untagged",
            "RawDay",
            "sequence",
            "field `",
        ] {
            assert!(!r.stderr.contains(rust), "{rust}\n{}", r.describe());
        }
    }
    // Seconds are a clock time, as in the scenario.
    roster_with("[[shifts]]\nstart = \"00:00:30\"\nlength = \"2h\"\n").assert_ok();
}

/// The body rows of the table that follows the line starting with `title` (top rule, header,
/// rule, rows, bottom rule).
fn rows_after<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    let rule = |l: &&str| l.starts_with('─');
    let mut lines = text.lines().skip_while(|l| !l.starts_with(title)).skip(1);
    assert!(
        lines.next().as_ref().is_some_and(rule),
        "{title}: no table\n{text}"
    );
    lines.next();
    assert!(
        lines.next().as_ref().is_some_and(rule),
        "{title}: no header\n{text}"
    );
    lines.take_while(|l| !rule(l)).collect()
}

/// Rows whose every cell is filled end in the same column.
fn assert_aligned(rows: &[&str], text: &str) {
    let widths: Vec<usize> = rows.iter().map(|r| r.chars().count()).collect();
    assert!(
        !rows.is_empty() && widths.iter().all(|&w| w == widths[0]),
        "{widths:?}\n{text}"
    );
}

/// program_training.toml with its new hires' proficiency as a range: the sensitivity key
/// `program.attrition[0].new_hire_proficiency` is 41 characters, one more than the hand-made
/// padding of the money blocks had room for.
fn long_key_scenario(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(crate::common::repo_file("scenarios/program_training.toml"))
        .unwrap()
        .replace(
            "new_hire_proficiency = 0.40",
            "new_hire_proficiency = { low = 0.3, mode = 0.4, high = 0.5 }",
        );
    assert!(text.contains("{ low = 0.3"));
    let path = dir.join("long_key.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `run`'s money and sensitivity blocks are tables: a 41-character key keeps its values in
/// line with the others (it pushed them one column right).
#[test]
fn run_money_blocks_stay_aligned_with_a_long_key() {
    let d = tempfile::tempdir().unwrap();
    let s = long_key_scenario(d.path());
    let r = run(&[
        "run",
        &s,
        "--replications",
        "2",
        "--assumption-draws",
        "5",
        "--format",
        "table",
        "--quiet",
        "--threads",
        "2",
    ]);
    r.assert_ok();
    let out = &r.stdout;
    let swings = rows_after(out, "sensitivity of revenue at risk");
    assert!(
        swings
            .iter()
            .any(|l| l.contains("program.attrition[0].new_hire_proficiency")),
        "{out}"
    );
    assert_aligned(&swings, out);
    assert_aligned(&rows_after(out, "money of "), out);
}

/// `compare`'s money blocks are tables too: the net benefit's value sits under the others
/// (it was nine columns to the right), and the long key's values are in line.
#[test]
fn compare_money_blocks_stay_aligned_with_a_long_key() {
    let d = tempfile::tempdir().unwrap();
    let s = long_key_scenario(d.path());
    let base = crate::common::repo_file("scenarios/program_baseline.toml");
    let r = run(&[
        "compare",
        base.to_str().unwrap(),
        &s,
        "--replications",
        "2",
        "--assumption-draws",
        "5",
        "--format",
        "table",
        "--quiet",
        "--threads",
        "2",
    ]);
    r.assert_ok();
    let out = &r.stdout;
    // The end of the first number on a row: the B − A column's right edge.
    let value_end = |row: &str| {
        let chars: Vec<char> = row.chars().collect();
        let start = chars
            .iter()
            .position(|c| c.is_ascii_digit())
            .expect("a number");
        start
            + chars[start..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == '.')
                .count()
    };
    let money = rows_after(out, "money, per simulated horizon");
    let ends: Vec<usize> = money.iter().map(|r| value_end(r)).collect();
    assert!(
        money.iter().any(|r| r.contains("net benefit")) && ends.iter().all(|&e| e == ends[0]),
        "{ends:?}\n{out}"
    );
    for title in [
        "money with both intervals",
        "sensitivity of net benefit",
        "sensitivity of NPV",
        "sensitivity of payback",
    ] {
        assert_aligned(&rows_after(out, title), out);
    }
    assert!(
        out.contains("program.attrition[0].new_hire_proficiency"),
        "{out}"
    );
}
