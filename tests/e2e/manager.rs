//! The manager's page: `compare A B --format html` writes one self-contained page (no script, no
//! network) with human labels, and headless Chromium renders it to a non-blank PNG.

use crate::common::{assert_no_panic, run};
use std::path::Path;
use std::process::Command;

const BASE: &str = "scenarios/training_base.toml";
const INVEST: &str = "scenarios/training_invest.toml";

fn write_page(out: &Path) {
    let r = run(&[
        "compare",
        BASE,
        INVEST,
        "--replications",
        "3",
        "--quiet",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn compare_writes_a_manager_page_with_human_labels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("manager.html");
    write_page(&out);
    let page = std::fs::read_to_string(&out).expect("page written");
    assert!(page.starts_with("<!doctype html>") && page.trim_end().ends_with("</html>"));
    assert!(
        !page.contains("<script") && !page.contains("http"),
        "self-contained, no network"
    );
    for must in [
        "Very satisfied (top-box CSAT)",
        "First-contact resolution",
        "Customers retained",
        "Net benefit per day",
        "Where dissatisfaction comes from",
        "Resolved on first contact",
        "SQM Group 2022",
        "No training program over weeks",
        "How sure: simulation noise and assumptions",
        "Which assumption moves net benefit most",
        "customers.customer_value",
    ] {
        assert!(page.contains(must), "page lacks {must:?}");
    }
    // Human labels, not metric names.
    assert!(!page.contains("fcr_rate") && !page.contains("csat_top_box"));
}

/// The program pair's page (every chart) rendered by headless Chromium: the DOM holds the
/// headline and the charts (not an error page) and the screenshot is far larger than a blank
/// page's (a blank 1400×2600 PNG is a few kB).
#[test]
fn chromium_renders_the_manager_page() {
    let Some(chromium) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
    else {
        // .ci/run installs chromium; elsewhere say so rather than pass silently.
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI (Debian package `chromium`)"
        );
        eprintln!("SKIPPED: chromium not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("manager.html");
    write_program_page(&page, &[]);
    let url = format!("file://{}", page.display());
    let png = dir.path().join("manager.png");
    let profile = dir.path().join("profile");
    let profile = format!("--user-data-dir={}", profile.display());
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        profile.as_str(),
    ];
    let dom = Command::new(chromium)
        .args(flags)
        .args(["--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for must in [
        "Headline: B − A",
        "aria-label=\"money waterfall\"",
        "aria-label=\"cumulative cash flow of B minus A\"",
        "aria-label=\"service level per day\"",
    ] {
        assert!(
            dom.contains(must),
            "rendered DOM lacks {must:?}: {dom:.300}"
        );
    }
    let shot = Command::new(chromium)
        .args(flags)
        .args(["--window-size=1400,2600"])
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    let bytes = std::fs::read(&png).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&shot.stderr)
        )
    });
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    assert!(bytes.len() > 50_000, "blank page? {} bytes", bytes.len());
}

/// Money figures carry both intervals; the assumption interval comes from re-scoring the
/// customer-value range (100 … 200 … 400 in the bundled pair), so it is wider than the
/// simulation CI and the sensitivity swing is exactly linear in the value.
#[test]
fn money_figures_carry_an_assumption_range_and_a_sensitivity_table() {
    let r = run(&[
        "compare",
        BASE,
        INVEST,
        "--replications",
        "3",
        "--assumption-draws",
        "100",
        "--quiet",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let money = &v["money"];
    assert_eq!(money["assumption_draws"], 100);
    let net = &money["net_benefit"];
    let mean = net["mean"].as_f64().unwrap();
    let [slo, shi] = [0, 1].map(|i| net["ci95"][i].as_f64().unwrap());
    let [alo, ahi] = [0, 1].map(|i| net["assumption_range"][i].as_f64().unwrap());
    assert!(slo <= mean && mean <= shi);
    assert!(alo < mean && mean < ahi, "{alo} < {mean} < {ahi}");
    assert!(
        ahi - alo > shi - slo,
        "the value range dominates simulation noise here"
    );
    assert_eq!(net["basis"], "assumed");
    let swing = &money["sensitivity"]["net_benefit"][0];
    assert_eq!(swing["assumption"], "customers.customer_value");
    // Revenue at risk is linear in the value: at 100 the saving halves, at 400 it doubles.
    let saved = -money["revenue_at_risk"]["mean"].as_f64().unwrap();
    let staffing = money["staffing_cost_change"].as_f64().unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.abs().max(1.0);
    assert!(close(
        swing["at_low"].as_f64().unwrap(),
        saved / 2.0 - staffing
    ));
    assert!(close(
        swing["at_high"].as_f64().unwrap(),
        saved * 2.0 - staffing
    ));
    assert!(money["payback"]["assumption_range"][1].as_f64().unwrap() > 0.0);
    // Same seed, same draws.
    let again = run(&[
        "compare",
        BASE,
        INVEST,
        "--replications",
        "3",
        "--assumption-draws",
        "100",
        "--quiet",
        "--format",
        "json",
    ]);
    assert_eq!(again.stdout, r.stdout);
}

/// The hard saving: trained front-line agents meet 80/20 with fewer agent-hours; the paired
/// searches' interval excludes zero. Small run (5 replications, 2 searches) to stay quick.
#[test]
fn compare_reports_the_staffing_saving_with_an_interval() {
    let r = run(&[
        "compare",
        BASE,
        INVEST,
        "--replications",
        "5",
        "--staffing-target",
        "service_level>=0.8",
        "--staffing-group",
        "frontline",
        "--staffing-seeds",
        "2",
        "--quiet",
        "--format",
        "json",
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let s = &v["money"]["staffing"];
    assert_eq!(s["group"], "frontline");
    assert_eq!(s["searches"], 2);
    let a = s["a_agent_hours"]["mean"].as_f64().unwrap();
    let b = s["b_agent_hours"]["mean"].as_f64().unwrap();
    let d = &s["diff_agent_hours"];
    assert!((d["mean"].as_f64().unwrap() - (b - a)).abs() < 1e-9);
    assert!(b < a, "trained agents need fewer hours: A {a}, B {b}");
    assert!(d["ci95"][1].as_f64().unwrap() < 0.0, "{d}");
}

#[test]
fn staffing_flags_are_checked() {
    for (args, needle) in [
        (
            vec!["--staffing-target", "service_level>=0.8"],
            "--staffing-group",
        ),
        (
            vec![
                "--staffing-target",
                "speed>=1",
                "--staffing-group",
                "frontline",
            ],
            "--staffing-target \"speed>=1\"",
        ),
        (
            vec![
                "--staffing-target",
                "service_level>=0.8",
                "--staffing-group",
                "nobody",
            ],
            "no agent group \"nobody\"",
        ),
    ] {
        let mut all = vec!["compare", BASE, INVEST, "--replications", "2", "--quiet"];
        all.extend(args);
        let r = run(&all);
        assert_no_panic(&r);
        assert_eq!(r.code, Some(2), "{}: {}", r.cmdline, r.stderr);
        assert!(r.stderr.contains(needle), "{}", r.stderr);
    }
}

/// Regression: with a training program over weeks in both scenarios the page reported "no
/// investment", NPV "n/a" and "No training program over weeks"; it now shows the program's NPV
/// and payback from its daily cash flow.
#[test]
fn a_program_pair_shows_its_npv_and_payback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("program.html");
    let r = run(&[
        "compare",
        "scenarios/program_baseline.toml",
        "scenarios/program_training.toml",
        "--replications",
        "2",
        "--quiet",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let page = std::fs::read_to_string(&out).expect("page written");
    for must in [
        "Net present value of the program",
        "Payback of the program",
        "id=\"program\"",
    ] {
        assert!(page.contains(must), "page lacks {must:?}");
    }
    assert!(!page.contains("No training program over weeks"));
    assert!(!page.contains("needs a program over weeks"));
}

const PROGRAM_A: &str = "scenarios/program_baseline.toml";
const PROGRAM_B: &str = "scenarios/program_training.toml";

/// `ccsim compare A B` at 2 replications written to `out` (its extension picks the format);
/// the page's text.
fn compare_page(a: &str, b: &str, out: &Path) -> String {
    let r = run(&[
        "compare",
        a,
        b,
        "--replications",
        "2",
        "--quiet",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    std::fs::read_to_string(out).expect("page written")
}

/// The 12-week program pair's page at 2 replications (a few seconds in a debug build).
fn write_program_page(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "compare",
        PROGRAM_A,
        PROGRAM_B,
        "--replications",
        "2",
        "--quiet",
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let r = run(&args);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

/// The number in `page` right after `marker` (e.g. `id="net">`): `+152,795` → 152795.
fn number_after(page: &str, marker: &str) -> f64 {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("page lacks {marker:?}"));
    let text: String = page[at + marker.len()..]
        .chars()
        .take_while(|c| *c != '<')
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '−' || *c == '-')
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    text.parse()
        .unwrap_or_else(|_| panic!("no number after {marker:?}: {text:?}"))
}

/// The program pair's page draws the program: the cumulative cash flow with its simulation
/// band, zero line and payback day (and says the assumption band is not available), the
/// service level per day of A and B against the 80% reference with class days shaded, and a
/// waterfall whose cash items add up to the cash flow's last point.
#[test]
fn a_program_pair_page_draws_cash_flow_service_level_and_waterfall() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("program.html");
    write_program_page(&out, &[]);
    let page = std::fs::read_to_string(&out).expect("page written");
    for must in [
        // Cumulative cash flow.
        "aria-label=\"cumulative cash flow of B minus A\"",
        "class=\"sband\"",
        "class=\"zero\"",
        "id=\"payback-mark\"",
        "Assumption band: 2.5%–97.5% over the draws",
        // A program's tornado is on its NPV (net benefit leaves the class costs apart), with
        // human names for every ranged key.
        "Which assumption moves the NPV most",
        "Class 1: cost per trainee-day</text>",
        "program.cohorts[0].cost_per_trainee_day</text>",
        "Discount rate</text>",
        "week 12",
        // Service level per day.
        "aria-label=\"service level per day\"",
        "reference 80%",
        "trainees in class",
        "answered within 20 s",
        // Waterfall items, each measured or assumed.
        "Training cost (trainee-days + trainers)",
        "Time off phones",
        "1,200 trainee agent-hours in class valued at agent cost",
        "Handling saved (repeats excluded)",
        "Repeat contacts avoided",
        "Customers retained",
        "Net cash over the program",
        "shown, not added",
    ] {
        assert!(page.contains(must), "page lacks {must:?}");
    }
    // Regression: the training cost read "+0" for a program pair. 4 classes × (2,000 trainer
    // + 6 trainees × 5 days × 400) = 56,000, booked by the program.
    assert!(page.contains(">−56,000<"), "training cost bar");
    // The cash items add up to the cumulative cash flow's last point (both undiscounted).
    let net = number_after(&page, "id=\"net\">");
    let total = number_after(&page, "id=\"cash-total\">");
    assert!((net - total).abs() <= 1.0, "net {net} vs cash flow {total}");
    // The payback mark is the headline's payback.
    let mark = number_after(&page, "id=\"payback-mark\">pays back: day ");
    assert!(page.contains(&format!("{mark:.1} days")), "payback {mark}");
}

/// Regression: a multi-day run's money figures are totals over the run, but the page said
/// "per simulated day". Every money label now says what it covers; metric names never show.
#[test]
fn labels_say_per_day_or_per_program_and_are_human() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("program.html");
    write_program_page(&out, &[]);
    let program = std::fs::read_to_string(&out).expect("page written");
    assert!(program.contains("Staffing cost (planned rota) over the program (84 days)"));
    assert!(program.contains("Money over the program (84 days), B − A"));
    let week = dir.path().join("week.html");
    let week = compare_page("scenarios/week.toml", "scenarios/week.toml", &week);
    assert!(week.contains("Money over the run (7 days), B − A"));
    assert!(week.contains("Net benefit over the run"));
    for page in [&program, &week] {
        assert!(!page.contains("simulated day"), "per simulated day");
        assert!(!page.contains("Net benefit per day"));
        for name in [
            "fcr_rate",
            "csat_top_box",
            "revenue_at_risk",
            "staffing_cost",
            "program_cost",
            "service_level",
        ] {
            assert!(!page.contains(name), "metric name {name:?} on the page");
        }
    }
}

/// Honest defaults: a plain queueing pair (no experience keys, no prices) gets no satisfaction,
/// loyalty or money figures on the page, and no table of the defaults' sources — it says why.
#[test]
fn a_plain_queueing_pair_shows_no_figures_from_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plain.html");
    let page = compare_page("scenarios/erlang_c.toml", "scenarios/erlang_a.toml", &out);
    for must in [
        "id=\"no-experience\"",
        "id=\"no-money\"",
        "How journeys end",
        "Service level",
    ] {
        assert!(page.contains(must), "page lacks {must:?}");
    }
    for never in [
        "Very satisfied",
        "Customers retained",
        "Net present value",
        "Payback",
        "SQM Group",
        "aria-label=\"money waterfall\"",
        "How sure",
    ] {
        assert!(!page.contains(never), "plain pair shows {never:?}");
    }
}

/// Only one scenario runs a program: the page says what the other needs instead of "no
/// program in these scenarios".
#[test]
fn a_pair_with_one_program_says_what_the_other_needs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("one.html");
    let r = run(&[
        "compare",
        BASE,
        PROGRAM_B,
        "--replications",
        "2",
        "--quiet",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_no_panic(&r);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let page = std::fs::read_to_string(&out).expect("page written");
    assert!(page.contains("id=\"one-program\"") && page.contains("Give A a"));
    assert!(!page.contains("No training program over weeks"));
}
