//! The contact trace (`ccsim run S.toml --trace FILE [--replication N]`, issue 9 point 11):
//! its documented columns, one row per offered contact reconciled with the run's own figures
//! for that replication, the report unchanged by tracing, flat memory on a long run, bad
//! arguments refused with exit 2, and a snapshot of a small trace.

use crate::common::{fixture, peak_rss_mb, run};
use std::collections::HashMap;
use std::path::Path;

/// The documented columns (docs/trace.md), in order.
const COLUMNS: [&str; 18] = [
    "replication",
    "id",
    "journey",
    "kind",
    "call_type",
    "channel",
    "counted",
    "arrival_s",
    "answered_s",
    "group",
    "agent",
    "holds",
    "hold_s",
    "hold_lengths_s",
    "callback",
    "transfer_to",
    "end_s",
    "outcome",
];

fn records(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    (header, r.records().map(|x| x.unwrap()).collect())
}

/// Replication `rep`'s overall figures from `ccsim run --format csv` output.
fn overall(csv_text: &str, rep: &str) -> HashMap<String, f64> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (rc, sc, mc, vc) = (
        col("replication"),
        col("scope"),
        col("metric"),
        col("value"),
    );
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[rc] == rep && &x[sc] == "overall" && !x[vc].is_empty())
        .map(|x| (x[mc].to_string(), x[vc].parse().unwrap()))
        .collect()
}

/// Every row has the documented columns; replication 2 of 3 is traced, and its rows
/// reconcile with that replication's figures in the CSV output: one counted row per offered
/// contact (blocked ones included), and the outcomes and callbacks add up.
#[test]
fn rows_reconcile_with_the_replication() {
    let d = tempfile::tempdir().unwrap();
    let t = d.path().join("trace.csv");
    let s = fixture("trace/all_outcomes.toml");
    let r = run(&[
        "run".as_ref(),
        s.as_os_str(),
        "--quiet".as_ref(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--replications".as_ref(),
        "3".as_ref(),
        "--trace".as_ref(),
        t.as_os_str(),
        "--replication".as_ref(),
        "2".as_ref(),
    ]);
    r.assert_ok();
    let (header, rows) = records(&t);
    assert_eq!(header, csv::StringRecord::from(&COLUMNS[..]));
    let m = overall(&r.stdout, "2");
    let counted: Vec<_> = rows.iter().filter(|x| &x[6] == "1").collect();
    let n = |f: &dyn Fn(&csv::StringRecord) -> bool| counted.iter().filter(|x| f(x)).count() as f64;
    assert!(rows.iter().all(|x| &x[0] == "2"));
    assert_eq!(counted.len() as f64, m["offered"]);
    assert_eq!(n(&|x| &x[17] == "blocked"), m["blocked"]);
    assert_eq!(n(&|x| &x[17] == "abandoned"), m["abandoned"]);
    assert_eq!(n(&|x| !x[8].is_empty()), m["answered"]);
    assert_eq!(
        n(&|x| &x[17] == "abandoned_on_hold"),
        m["abandoned_on_hold"]
    );
    assert_eq!(
        n(&|x| &x[17] == "left_in_queue" || &x[17] == "callback_not_made"),
        m["in_queue_at_end"]
    );
    assert_eq!(n(&|x| !x[14].is_empty()), m["callbacks_offered"]);
    assert_eq!(n(&|x| &x[14] == "accepted"), m["callbacks_accepted"]);
    // Every way a contact ends appears in this scenario.
    for o in [
        "resolved",
        "unresolved",
        "transferred",
        "abandoned",
        "abandoned_on_hold",
        "blocked",
        "callback_not_made",
        "left_in_queue",
    ] {
        assert!(rows.iter().any(|x| &x[17] == o), "no {o} row");
    }
    // Another replication traces other contacts.
    let t0 = d.path().join("trace0.csv");
    let r0 = run(&[
        "run".as_ref(),
        s.as_os_str(),
        "--quiet".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--trace".as_ref(),
        t0.as_os_str(),
    ]);
    r0.assert_ok();
    let (_, rows0) = records(&t0);
    assert!(rows0.iter().all(|x| &x[0] == "0"));
    assert_ne!(rows0.len(), rows.len());
}

/// The report is byte-identical with and without `--trace`.
#[test]
fn tracing_leaves_the_report_unchanged() {
    let d = tempfile::tempdir().unwrap();
    let t = d.path().join("trace.csv");
    let s = fixture("conservation/callbacks_and_chat.toml");
    let args = |trace: bool| {
        let mut a = vec![
            "run".into(),
            s.clone().into_os_string(),
            "--quiet".into(),
            "--format".into(),
            "json".into(),
            "--replications".into(),
            "3".into(),
        ];
        if trace {
            a.extend(["--trace".into(), t.clone().into_os_string()]);
            a.extend(["--replication".into(), "1".into()]);
        }
        a
    };
    let plain = run(&args(false));
    let traced = run(&args(true));
    plain.assert_ok();
    traced.assert_ok();
    assert_eq!(plain.stdout, traced.stdout);
    assert!(records(&t).1.len() > 100);
}

/// Bad `--replication` values, `--replication` without `--trace`, several scenarios and a
/// directory as the trace file: exit 2 with a message, nothing written.
#[test]
fn bad_trace_arguments_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let t = d.path().join("trace.csv");
    let ts = t.display().to_string();
    let s = fixture("snapshot/small.toml").display().to_string();
    let dir = d.path().display().to_string();
    let cases: [(Vec<&str>, &str); 7] = [
        (
            vec!["--trace", &ts, "--replication", "2"],
            "--replication 2",
        ),
        (
            vec!["--trace", &ts, "--replications", "5", "--replication", "5"],
            "numbered 0 to 4",
        ),
        (vec!["--trace", &ts, "--replication", "-1"], "--replication"),
        (vec!["--replication", "0"], "--trace"),
        (vec!["--trace", &ts, &s], "one scenario"),
        (vec!["--trace", &dir], "directory"),
        (
            vec!["--trace", &ts, "--output", &ts],
            "the same file as --output",
        ),
    ];
    for (extra, says) in cases {
        let mut args = vec!["run", &s, "--quiet", "--format", "json"];
        args.extend(extra);
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{}", r.describe());
        assert!(r.stderr.contains(says), "{}", r.describe());
        assert!(!r.stderr.contains("panicked"), "{}", r.describe());
        assert!(!t.exists(), "{}", r.describe());
    }
}

/// Rows are streamed as contacts end: tracing 250,000 contacts takes no more memory than
/// tracing 2,500.
#[test]
fn trace_memory_is_flat() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED: trace_memory_is_flat needs /proc");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let write = |name: &str, horizon: &str| {
        let p = d.path().join(name);
        let text = format!(
            r#"
            [simulation]
            horizon = "{horizon}"
            interval = "{horizon}"
            [[call_types]]
            name = "general"
            arrival_rate = 250.0
            handle_time = {{ distribution = "exponential", mean = "4m" }}
            patience = {{ distribution = "exponential", mean = "3m" }}
            [[agent_groups]]
            name = "agents"
            skills = ["general"]
            agents = 18
            "#
        );
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let (short, long) = (write("short.toml", "10h"), write("long.toml", "1000h"));
    let t = d.path().join("t.csv").display().to_string();
    let few = peak_rss_mb(&["run", &short, "--quiet", "--format", "json", "--trace", &t]);
    let lines = std::fs::read_to_string(&t).unwrap().lines().count();
    assert!(lines > 2000, "{lines} rows");
    let many = peak_rss_mb(&["run", &long, "--quiet", "--format", "json", "--trace", &t]);
    let rows =
        std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(&t).unwrap())).count();
    assert!(rows > 200_000, "{rows} rows");
    assert!(
        many < few + 10.0,
        "memory grew with the trace: {few:.1} MB for {lines} rows, {many:.1} MB for {rows}"
    );
}

/// A small trace, byte for byte (re-accept deliberate changes as in `snapshots.rs`).
#[test]
fn small_trace_snapshot() {
    let d = tempfile::tempdir().unwrap();
    let t = d.path().join("trace.csv");
    let s = fixture("snapshot/trace.toml");
    let r = run(&[
        "run".as_ref(),
        s.as_os_str(),
        "--quiet".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--trace".as_ref(),
        t.as_os_str(),
    ]);
    r.assert_ok();
    insta::assert_snapshot!("trace_small", std::fs::read_to_string(&t).unwrap());
}
