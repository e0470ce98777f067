//! The HTML report: `run --format html` (or `--output x.html`) writes one self-contained page
//! with every scenario, per-interval charts and escaped names; other commands refuse it.

use crate::common::{assert_no_panic, run};

const WEEKDAY: &str = "scenarios/weekday.toml";
const TRAINING: &str = "scenarios/training_base.toml";

#[test]
fn run_writes_a_self_contained_page_with_charts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.html");
    let r = run(&[
        "run",
        WEEKDAY,
        TRAINING,
        "--replications",
        "3",
        "--quiet",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing on stdout with --output");
    let page = std::fs::read_to_string(&out).expect("report written");
    assert!(page.starts_with("<!doctype html>") && page.trim_end().ends_with("</html>"));
    assert!(page.contains("Weekday, two tiers") && page.contains("Training baseline"));
    assert_eq!(page.matches("<svg").count(), 6, "six per-interval charts");
    assert!(!page.contains("<script"), "no scripts: safe to mail");
    assert!(page.contains("service_level") && page.contains("fcr_rate"));
}

#[test]
fn names_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("tricky.toml");
    std::fs::write(
        &scenario,
        r#"name = "<b>Tom & Jerry</b>"
[simulation]
horizon = "1h"
replications = 2
[[call_types]]
name = "a<b"
arrival_rate = 30.0
handle_time = { distribution = "exponential", mean = "2m" }
[[agent_groups]]
name = "g"
skills = ["a<b"]
agents = 2
"#,
    )
    .unwrap();
    let r = run(&[
        "run",
        scenario.to_str().unwrap(),
        "--format",
        "html",
        "--quiet",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"));
    assert!(r.stdout.contains("Call type a&lt;b"));
    assert!(!r.stdout.contains("<b>Tom"));
}

#[test]
fn other_commands_refuse_html() {
    for args in [
        vec![
            "sweep",
            TRAINING,
            "--set",
            "agent_groups.frontline.agents=10,12",
            "--format",
            "html",
            "--quiet",
        ],
        vec![
            "erlang",
            "--arrival-rate",
            "100",
            "--handle-time",
            "3m",
            "--agents",
            "6",
            "--format",
            "html",
        ],
    ] {
        let r = run(&args);
        assert_no_panic(&r);
        assert_eq!(r.code, Some(2), "{}: {}", r.cmdline, r.stderr);
        assert!(r.stderr.contains("html"), "{}", r.stderr);
    }
}
