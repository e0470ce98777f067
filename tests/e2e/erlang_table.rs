//! `ccsim erlang` for a range of headcounts and with a service-level target.

use crate::common::{assert_no_panic, run};
use serde_json::Value;

#[test]
fn range_gives_one_row_per_stable_headcount_and_the_minimum() {
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
        "json",
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let rows: Value = serde_json::from_str(&r.stdout).expect("JSON array");
    let rows = rows.as_array().expect("an array for a range");
    // 16 Erlangs: 15 and 16 agents are unstable under Erlang C and left out.
    let agents: Vec<u64> = rows.iter().map(|o| o["agents"].as_u64().unwrap()).collect();
    assert_eq!(agents, (17..=22).collect::<Vec<u64>>());
    let sl: Vec<f64> = rows
        .iter()
        .map(|o| o["service_level"].as_f64().unwrap())
        .collect();
    assert!(
        sl.windows(2).all(|w| w[0] < w[1]),
        "SL rises with agents: {sl:?}"
    );
    // The smallest headcount with SL ≥ 0.8 is 20 (SL 0.8165; 19 gives 0.7091).
    assert!(rows.iter().all(|o| o["min_agents"] == 20));
}

#[test]
fn bad_ranges_exit_2() {
    for agents in ["0", "5..=3", "3..3", "x..=4", "1..=20000"] {
        let r = run(&[
            "erlang",
            "--arrival-rate",
            "60",
            "--handle-time",
            "3m",
            "--agents",
            agents,
        ]);
        assert_no_panic(&r);
        assert_eq!(r.code, Some(2), "--agents {agents}: {}", r.stderr);
    }
}

/// The table (drawn by the shared table helper): every column named, one row per stable
/// headcount with the figures at their precision, the minimum marked `*` and stated below.
#[test]
fn table_marks_the_smallest_headcount_meeting_the_target() {
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
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.starts_with("erlang_c, offered load 16.00 Erlangs"),
        "{out}"
    );
    for h in [
        "agents",
        "P(wait)",
        "SL",
        "ASA s",
        "mean wait s",
        "abandon",
        "occupancy",
    ] {
        assert!(out.contains(h), "column `{h}` missing\n{out}");
    }
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|w| w.first().is_some_and(|c| c.parse::<u32>().is_ok()))
        .collect();
    let agents: Vec<&str> = rows.iter().map(|w| w[0]).collect();
    assert_eq!(agents, ["17", "18", "19", "20", "21", "22"], "{out}");
    // Only 20 carries the mark, right after the headcount; then P(wait) and SL to 4 decimals.
    for w in &rows {
        assert_eq!(w[1] == "*", w[0] == "20", "{out}");
    }
    assert_eq!(rows[3][1..4], ["*", "0.2561", "0.8165"], "{out}");
    assert!(
        out.contains("* smallest headcount with service level ≥ 0.8: 20"),
        "{out}"
    );
}
