//! Results depend on the scenario and the seed only: not on `--threads`, not on which other files
//! are run alongside. Also the output plumbing: CSV header, `--output`.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn mixed() -> std::path::PathBuf {
    fixture("determinism/mixed.toml")
}

fn other() -> std::path::PathBuf {
    fixture("determinism/other.toml")
}

/// `ccsim run FILES… --format FMT --threads T --quiet EXTRA…`, which must succeed.
fn invoke(files: &[&Path], format: &str, threads: &str, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    for a in ["--format", format, "--threads", threads, "--quiet"] {
        args.push(a.into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run(&args);
    r.assert_ok();
    r
}

/// Like [`invoke`], and stdout must not be empty.
fn stdout_of(files: &[&Path], format: &str, threads: &str, extra: &[&str]) -> Run {
    let r = invoke(files, format, threads, extra);
    assert!(!r.stdout.is_empty(), "empty stdout\n{}", r.describe());
    r
}

/// First line where two texts differ, for messages.
fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: `{x}` vs `{y}`", i + 1);
        }
    }
    format!(
        "one output is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn json_independent_of_thread_count() {
    let one = stdout_of(&[&mixed()], "json", "1", &["--seed", "123"]);
    let two = stdout_of(&[&mixed()], "json", "2", &["--seed", "123"]);
    assert!(
        one.stdout == two.stdout,
        "--threads 1 and --threads 2 differ: {}",
        first_difference(&one.stdout, &two.stdout)
    );
    // And it is a real report of the requested seed.
    let v = one.json();
    assert_eq!(v["seed"].as_u64(), Some(123), "seed echoed: {}", v["seed"]);
    assert_eq!(v["replications"].as_u64(), Some(8), "{}", v["replications"]);
}

#[test]
fn csv_independent_of_thread_count() {
    let one = stdout_of(&[&mixed(), &other()], "csv", "1", &[]);
    let two = stdout_of(&[&mixed(), &other()], "csv", "2", &[]);
    assert!(
        one.stdout == two.stdout,
        "--threads 1 and --threads 2 differ (csv): {}",
        first_difference(&one.stdout, &two.stdout)
    );
}

#[test]
fn different_seed_gives_different_output() {
    let a = stdout_of(&[&mixed()], "json", "2", &["--seed", "1"]);
    let b = stdout_of(&[&mixed()], "json", "2", &["--seed", "2"]);
    assert_ne!(
        a.stdout, b.stdout,
        "--seed 1 and --seed 2 gave identical output"
    );
    let (va, vb) = (a.json(), b.json());
    let off = |v: &Value| defined(&v["metrics"], "offered", "metrics").mean;
    assert_ne!(
        off(&va),
        off(&vb),
        "--seed 1 and --seed 2 gave the same mean offered count"
    );
    // Same seed again → same bytes (no hidden time- or address-based randomness).
    let a2 = stdout_of(&[&mixed()], "json", "2", &["--seed", "1"]);
    assert!(
        a.stdout == a2.stdout,
        "two runs with --seed 1 differ: {}",
        first_difference(&a.stdout, &a2.stdout)
    );
}

#[test]
fn several_files_equal_each_file_alone() {
    for extra in [&["--seed", "5"][..], &[][..]] {
        let (both, run_both) = run_json(&[&mixed(), &other()], extra);
        let arr = both
            .as_array()
            .unwrap_or_else(|| panic!("two files must give a JSON array\n{}", run_both.describe()));
        assert_eq!(arr.len(), 2, "{}", run_both.describe());
        let (alone_a, _) = run_json(&[&mixed()], extra);
        let (alone_b, _) = run_json(&[&other()], extra);
        for (i, (together, alone)) in arr.iter().zip([&alone_a, &alone_b]).enumerate() {
            assert!(
                together == alone,
                "extra args {extra:?}: file #{i} run alongside another differs from running it alone\n\
                 together: metrics {}\nalone:    metrics {}",
                together["metrics"],
                alone["metrics"]
            );
        }
        assert_eq!(arr[0]["scenario"], "determinism mixed");
        assert_eq!(arr[1]["scenario"], "determinism other");
        if extra.is_empty() {
            // Without --seed each file keeps its own seed.
            assert_eq!(arr[0]["seed"].as_u64(), Some(42), "{}", arr[0]["seed"]);
            assert_eq!(arr[1]["seed"].as_u64(), Some(7), "{}", arr[1]["seed"]);
        }
    }
    // The same file twice gives the same object twice.
    let (twice, r) = run_json(&[&other(), &other()], &[]);
    let arr = twice.as_array().expect("array for two files");
    assert!(
        arr.len() == 2 && arr[0] == arr[1],
        "same file twice differs\n{}",
        r.describe()
    );
}

#[test]
fn csv_header_is_exact() {
    let r = stdout_of(&[&mixed()], "csv", "2", &[]);
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("csv header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header.join(","),
        "scenario,point,replication,scope,metric,value,mean,ci95_lo,ci95_hi",
        "csv header\n{}",
        r.describe()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv row")).collect();
    assert!(!rows.is_empty(), "csv has no data rows\n{}", r.describe());
    let number = |v: &str| v.is_empty() || v.parse::<f64>().is_ok();
    let (mut replication_rows, mut summary_rows, mut reps) = (0, 0, 0);
    for row in &rows {
        assert_eq!(row.len(), 9, "csv row does not have 9 fields: `{row:?}`");
        // `replication` holds replication numbers only; statistics have their own columns.
        if row[2].is_empty() {
            summary_rows += 1;
            assert!(row[5].is_empty(), "summary row with a value: `{row:?}`");
        } else {
            replication_rows += 1;
            let r: u32 = row[2].parse().expect("replication is a number");
            reps = reps.max(r + 1);
            assert!(
                row[6].is_empty() && row[7].is_empty() && row[8].is_empty(),
                "replication row with statistics: `{row:?}`"
            );
        }
        for v in [&row[5], &row[6], &row[7], &row[8]] {
            assert!(number(v), "csv value is not a number: `{row:?}`");
        }
    }
    assert_eq!(
        replication_rows,
        reps * summary_rows,
        "a row per replication per summary"
    );
    assert!(
        rows.iter().any(|r| &r[4] == "offered"),
        "no `offered` rows in csv"
    );
}

#[test]
fn output_file_equals_stdout_and_stdout_is_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    for format in ["json", "csv"] {
        let expected = stdout_of(&[&mixed()], format, "2", &[]).stdout;
        let path = dir.path().join(format!("report.{format}"));
        let p = path.display().to_string();
        let r = invoke(&[&mixed()], format, "2", &["--output", &p]);
        assert!(
            r.stdout.is_empty(),
            "--output must print nothing on stdout\n{}",
            r.describe()
        );
        let written = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{p} not written: {e}\n{}", r.describe()));
        assert!(
            written == expected,
            "--output {format} file differs from stdout: {}",
            first_difference(&written, &expected)
        );
    }
    // Nothing but the two reports is left behind (no temp files).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list temp dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["report.csv", "report.json"],
        "files left in the output directory"
    );
}
