//! Output snapshots (insta) of every report format for one small, fast scenario
//! (`tests/fixtures/snapshot/small.toml`: 2 replications of a 1-hour, two-interval, two-tier
//! center), the tables of `compare`, `erlang`, `staff` and `sweep` (all drawn by one helper,
//! `report::table::grid`), plus the output regressions of issue 11: an `--output` extension that names no
//! format, the multi-scenario CSV's `scenario` column, statistics in their own CSV columns, and
//! names that are never cut.
//!
//! Nothing is redacted: every byte is deterministic for a given engine. When a deliberate change
//! moves the figures (a new random stream, a new metric), review and re-accept all snapshots with
//!
//! ```sh
//! INSTA_UPDATE=always cargo test --test e2e snapshots
//! git diff tests/e2e/snapshots/
//! ```
//!
//! (or `cargo insta test --review` where cargo-insta is installed). In CI (`CI=true`) a
//! mismatch fails and nothing is written.

use crate::common::{fixture, run, Run};

fn small() -> String {
    fixture("snapshot/small.toml").display().to_string()
}

/// `ccsim run small.toml --format FORMAT --quiet` (one thread: the figures do not depend on it,
/// and CI has two cores).
fn run_small(format: &str) -> Run {
    let r = run(&[
        "run",
        &small(),
        "--format",
        format,
        "--quiet",
        "--threads",
        "1",
    ]);
    r.assert_ok();
    r
}

#[test]
fn table() {
    insta::assert_snapshot!("run_table", run_small("table").stdout);
}

#[test]
fn json() {
    insta::assert_snapshot!("run_json", run_small("json").stdout);
}

#[test]
fn csv() {
    insta::assert_snapshot!("run_csv", run_small("csv").stdout);
}

#[test]
fn html() {
    insta::assert_snapshot!("run_html", run_small("html").stdout);
}

/// A sweep's CSV: the swept key's column sits between `point` and `replication`.
#[test]
fn sweep_csv() {
    let r = run(&[
        "sweep",
        &small(),
        "--set",
        "agent_groups.specialists.agents=2,3",
        "--format",
        "csv",
        "--quiet",
        "--threads",
        "1",
    ]);
    r.assert_ok();
    insta::assert_snapshot!("sweep_csv", r.stdout);
}

/// `small.toml` with one more agent on the front line in both intervals, under a long name:
/// the B of the compare snapshot. Written to `dir` (the path never appears in the output).
fn small_plus_one(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(small()).expect("small.toml");
    let name_line = text
        .lines()
        .find(|l| l.starts_with("name = \"Snapshot"))
        .expect("the scenario's name line");
    let b = text
        .replace(
            name_line,
            "name = \"Snapshot, B: one more agent on the front line in both intervals\"",
        )
        .replace("staffing = [4, 5]", "staffing = [5, 6]");
    assert_ne!(b, text, "small.toml changed: update small_plus_one");
    let path = dir.join("b.toml");
    std::fs::write(&path, b).expect("write b.toml");
    path.display().to_string()
}

/// `ccsim compare`'s table: A/B names in full, one row per metric with `*` on the significant
/// differences, the money lines.
#[test]
fn compare_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = small_plus_one(dir.path());
    let r = run(&[
        "compare",
        &small(),
        &b,
        "--format",
        "table",
        "--quiet",
        "--threads",
        "1",
    ]);
    r.assert_ok();
    insta::assert_snapshot!("compare_table", r.stdout);
}

/// `ccsim erlang`'s table for a range with a target: unstable headcounts left out, the
/// smallest one meeting the target marked `*`.
#[test]
fn erlang_table() {
    let r = run(&[
        "erlang",
        "--arrival-rate",
        "240",
        "--handle-time",
        "4m",
        "--agents",
        "15..=22",
        "--target-sl",
        "0.8",
        "--format",
        "table",
    ]);
    r.assert_ok();
    insta::assert_snapshot!("erlang_table", r.stdout);
}

/// `ccsim staff`'s table, with an Erlang interval that misses a target in simulation (`✗`).
#[test]
fn staff_table() {
    let r = run(&[
        "staff",
        &small(),
        "--group",
        "front line",
        "--target",
        "service_level>=0.8",
        "--target",
        "abandon_rate<=0.05",
        "--replications",
        "5",
        "--format",
        "table",
        "--quiet",
        "--threads",
        "1",
    ]);
    r.assert_ok();
    assert!(
        r.stdout.contains('✗'),
        "the snapshot should show a mark\n{}",
        r.stdout
    );
    insta::assert_snapshot!("staff_table", r.stdout);
}

/// `ccsim sweep`'s table: one row per point, the swept key's column named in full.
#[test]
fn sweep_table() {
    let r = run(&[
        "sweep",
        &small(),
        "--set",
        "agent_groups.specialists.agents=2,3",
        "--format",
        "table",
        "--quiet",
        "--threads",
        "1",
    ]);
    r.assert_ok();
    insta::assert_snapshot!("sweep_table", r.stdout);
}

/// Regression (issue 11): `--output x.xlsx` silently wrote a table. Now an extension that
/// names no format exits 2, lists the formats and writes nothing; `--format` given explicitly
/// wins over any extension.
#[test]
fn unknown_output_extension_is_refused_unless_format_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["x.xlsx", "report"] {
        let out = dir.path().join(name);
        let r = run(&[
            "run",
            &small(),
            "--quiet",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, Some(2), "{}", r.describe());
        for f in ["table", "json", "csv", "html", ".json", ".csv"] {
            assert!(r.stderr.contains(f), "{f} not listed\n{}", r.describe());
        }
        assert!(!out.exists(), "nothing may be written\n{}", r.describe());
    }
    let out = dir.path().join("x.xlsx");
    let p = out.to_str().unwrap();
    let r = run(&["run", &small(), "--quiet", "--format", "csv", "--output", p]);
    r.assert_ok();
    let written = std::fs::read_to_string(&out).expect("written");
    assert!(written.starts_with("scenario,point,"), "{written:.200}");
    // The extension also picks the table (`.txt`), and is case-insensitive.
    let txt = dir.path().join("report.TXT");
    let r = run(&[
        "run",
        &small(),
        "--quiet",
        "--output",
        txt.to_str().unwrap(),
    ]);
    r.assert_ok();
    let table = std::fs::read_to_string(&txt).expect("written");
    assert!(table.contains("replications / seed"), "{table:.400}");
}

/// Regression (issue 11): the multi-scenario CSV had no scenario column, and `replication`
/// mixed replication numbers with `mean`/`ci95_lo`/`ci95_hi`.
#[test]
fn multi_scenario_csv_names_scenarios_and_keeps_statistics_apart() {
    let other = fixture("determinism/other.toml");
    let r = run(&[
        "run",
        &small(),
        other.to_str().unwrap(),
        "--format",
        "csv",
        "--quiet",
        "--replications",
        "2",
    ]);
    r.assert_ok();
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header = reader.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|c| c == name).expect(name);
    let (scenario, point, rep) = (col("scenario"), col("point"), col("replication"));
    let (value, mean, lo, hi) = (col("value"), col("mean"), col("ci95_lo"), col("ci95_hi"));
    let mut seen = std::collections::BTreeSet::new();
    for row in reader.records().map(|r| r.expect("row")) {
        seen.insert((row[point].to_string(), row[scenario].to_string()));
        match &row[rep] {
            "" => assert!(row[value].is_empty(), "summary with a value: {row:?}"),
            n => {
                assert!(n.parse::<u32>().is_ok(), "replication `{n}`: {row:?}");
                assert!(row[mean].is_empty() && row[lo].is_empty() && row[hi].is_empty());
            }
        }
    }
    let names: Vec<(String, String)> = seen.into_iter().collect();
    assert_eq!(names.len(), 2, "one scenario name per point: {names:?}");
    assert!(names[0].1.starts_with("Snapshot: two tiers"), "{names:?}");
    assert_eq!(names[1].1, "determinism other", "{names:?}");
}

/// Regression (issue 11): the table cut names at 20 characters.
#[test]
fn table_never_cuts_names() {
    let r = run_small("table");
    for name in [
        "Snapshot: two tiers, \"small\" day (a name longer than twenty characters)",
        "call type general enquiries",
        "agent group specialists",
        "occupancy front line",
        "occupancy specialists",
    ] {
        assert!(
            r.stdout.contains(name),
            "`{name}` cut or missing\n{}",
            r.stdout
        );
    }
    assert!(!r.stdout.contains('…'), "{}", r.stdout);
}
