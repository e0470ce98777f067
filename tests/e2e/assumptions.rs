//! Assumption intervals, reproduced from simulation (docs/model.md, "Assumptions as ranges"):
//! a range of zero width gives the point figure; widening a range widens the interval; the
//! NPV interval contains the point NPV; seeded draws are bit-identical across thread counts;
//! an attrition range (which changes the simulation) is propagated by re-simulation; and
//! every ranged key refuses a bad range with exit 2 naming its key path.

use ccsim::compare::{assumed_money, compare, simulate_ranges, AssumedMoney, Comparison};
use ccsim::experiment::{run_paired, RunOptions};
use ccsim::scenario::{Scenario, ScenarioError};
use std::path::Path;

/// A bundled program scenario's text with `edits` (old, new) applied and 3 replications.
fn text(name: &str, edits: &[(&str, &str)]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let mut t = std::fs::read_to_string(path).expect("bundled scenario");
    t = t.replacen("replications = 20", "replications = 3", 1);
    // The bundled pair gives some assumptions as ranges; these tests start from their modes
    // as plain numbers, so each test's edits are the only ranges.
    for (ranged, point) in [
        (
            "customer_value = { low = 100.0, mode = 200.0, high = 400.0 }",
            VALUE,
        ),
        (
            "discount_rate = { low = 0.04, mode = 0.08, high = 0.12 }",
            "discount_rate = 0.08",
        ),
        (
            "cost_per_trainee_day = { low = 360.0, mode = 400.0, high = 480.0 }",
            TRAINEE,
        ),
        (
            "trainer_cost = { low = 1500.0, mode = 2000.0, high = 3000.0 }",
            "trainer_cost = 2000.0",
        ),
    ] {
        t = t.replace(ranged, point);
    }
    for (old, new) in edits {
        assert!(t.contains(old), "{name} has no {old:?}");
        t = t.replacen(old, new, 1);
    }
    t
}

/// [`text`] of `base` written to `dir/file`; returns its path.
fn write_edited(dir: &std::path::Path, file: &str, base: &str, edits: &[(&str, &str)]) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text(base, edits)).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs `ccsim args…` (JSON to stdout), checks it exits 0 and parses what it printed.
fn ccsim_json(args: &[&str]) -> serde_json::Value {
    super::common::run(args).assert_ok().json()
}

fn scenario(name: &str, edits: &[(&str, &str)]) -> Scenario {
    Scenario::from_toml_str(&text(name, edits), name, "s").expect("valid scenario")
}

const VALUE: &str = "customer_value = 200.0";
const TRAINEE: &str = "cost_per_trainee_day = 400.0";

/// Compare of the program pair with `edits` to both files (the edits that a file lacks are
/// skipped), at `threads` worker threads.
fn run(
    base: &[(&str, &str)],
    training: &[(&str, &str)],
    threads: usize,
) -> (Comparison, AssumedMoney) {
    let a = scenario("program_baseline.toml", base);
    let b = scenario("program_training.toml", training);
    let options = RunOptions {
        threads: Some(threads),
        ..RunOptions::default()
    };
    let p = run_paired(&a, &b, options.clone()).expect("runs");
    let simulated = simulate_ranges(&a, &b, &p, &options).expect("runs");
    let mut c = compare(&p);
    let m = assumed_money(&mut c, &p, &a, &b, &simulated, a.simulation.seed, 200);
    (c, m)
}

fn width(r: (f64, f64)) -> f64 {
    r.1 - r.0
}

#[test]
fn zero_width_gives_the_point_and_widening_widens() {
    let zero = "customer_value = { low = 200.0, mode = 200.0, high = 200.0 }";
    let (c, m) = run(&[(VALUE, zero)], &[(VALUE, zero)], 2);
    let p = c.money.program.expect("a program pair");
    assert_eq!(p.npv.assumption_range, (p.npv.mean, p.npv.mean));
    let pay = p.payback_days.expect("pays back");
    assert_eq!(pay.assumption_range, (pay.mean, pay.mean));
    let net = m.net_benefit.expect("net benefit");
    assert_eq!(net.assumption_range, Some((net.mean, net.mean)));
    assert_eq!(c.money.cash_flow.len(), 84);
    for f in &c.money.cash_flow {
        assert_eq!(f.assumption_range, Some((f.mean, f.mean)), "{f:?}");
    }
    assert!(m.sensitivity_npv.is_empty(), "zero width: nothing to swing");

    let narrow = "customer_value = { low = 180.0, mode = 200.0, high = 230.0 }";
    let wide = "customer_value = { low = 100.0, mode = 200.0, high = 400.0 }";
    let (cn, mn) = run(&[(VALUE, narrow)], &[(VALUE, narrow)], 2);
    let (cw, mw) = run(&[(VALUE, wide)], &[(VALUE, wide)], 2);
    let npv = |c: &Comparison| c.money.program.expect("program").npv;
    let (n, w) = (npv(&cn), npv(&cw));
    // The simulation is the same (modes): only the assumption interval changes.
    assert_eq!(n.mean, w.mean);
    assert_eq!(n.ci95, w.ci95);
    assert!(width(n.assumption_range) > 0.0);
    assert!(width(w.assumption_range) > 2.0 * width(n.assumption_range));
    let net = |m: &AssumedMoney| m.net_benefit.unwrap().assumption_range.unwrap();
    assert!(width(net(&mw)) > width(net(&mn)));
    // The last day's cumulative cash flow is undiscounted NPV territory: its band widens too.
    let last = |c: &Comparison| c.money.cash_flow.last().unwrap().assumption_range.unwrap();
    assert!(width(last(&cw)) > width(last(&cn)));
}

#[test]
fn npv_interval_contains_the_point_and_the_tornado_ranks_the_drivers() {
    let (c, m) = run(
        &[(
            VALUE,
            "customer_value = { low = 150.0, mode = 200.0, high = 300.0 }",
        )],
        &[
            (
                VALUE,
                "customer_value = { low = 150.0, mode = 200.0, high = 300.0 }",
            ),
            (
                TRAINEE,
                "cost_per_trainee_day = { low = 300.0, mode = 400.0, high = 560.0 }",
            ),
            (
                "discount_rate = 0.08",
                "discount_rate = { low = 0.0, mode = 0.08, high = 0.2 }",
            ),
        ],
        2,
    );
    let p = c.money.program.expect("program");
    let (lo, hi) = p.npv.assumption_range;
    assert!(lo < p.npv.mean && p.npv.mean < hi, "{:?}", p.npv);
    // Widest swing first; customer value dominates a 12-week NPV here.
    let t = &m.sensitivity_npv;
    assert_eq!(t.len(), 3);
    let w = |s: &ccsim::model::assumptions::SwingU| (s.at_high.unwrap() - s.at_low.unwrap()).abs();
    assert!(w(&t[0]) >= w(&t[1]) && w(&t[1]) >= w(&t[2]));
    assert_eq!(t[0].key, "customers.customer_value");
    // Higher trainee cost and a higher discount rate lower the NPV.
    for key in [
        "program.cohorts[0].cost_per_trainee_day",
        "program.discount_rate",
    ] {
        let s = t.iter().find(|s| s.key == key).expect(key);
        assert!(s.at_high.unwrap() < s.at_low.unwrap(), "{s:?}");
    }
    assert!(!m.sensitivity_payback_days.is_empty());
}

#[test]
fn seeded_draws_are_bit_identical_across_thread_counts() {
    let edits = [(
        VALUE,
        "customer_value = { low = 100.0, mode = 200.0, high = 400.0 }",
    )];
    let one = run(&edits, &edits, 1);
    let two = run(&edits, &edits, 2);
    assert_eq!(one, two);
}

#[test]
fn an_attrition_range_is_re_simulated() {
    let attrition = "annual_rate = 0.35";
    let ranged = "annual_rate = { low = 0.1, mode = 0.35, high = 0.6 }";
    let (c, m) = run(&[(attrition, ranged)], &[(attrition, ranged)], 2);
    assert_eq!(m.keys, ["program.attrition[0].annual_rate"]);
    let p = c.money.program.expect("program");
    let (lo, hi) = p.npv.assumption_range;
    assert!(lo < hi, "attrition moves the NPV: {:?}", p.npv);
    // The point figures are the mode's simulation, unchanged by the range.
    let (c0, _) = run(&[], &[], 2);
    assert_eq!(c0.money.program.unwrap().npv.mean, p.npv.mean);
}

/// Every ranged key refuses a bad range, naming its key path.
#[test]
fn bad_ranges_name_their_key_path() {
    let bad = "{ low = 3.0, mode = 1.0, high = 2.0 }";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "program_training.toml",
            VALUE.to_string(),
            "customers.customer_value",
        ),
        (
            "program_training.toml",
            TRAINEE.to_string(),
            "program.cohorts[0].cost_per_trainee_day",
        ),
        (
            "program_training.toml",
            "trainer_cost = 2000.0".to_string(),
            "program.cohorts[0].trainer_cost",
        ),
        (
            "program_training.toml",
            "discount_rate = 0.08".to_string(),
            "program.discount_rate",
        ),
        (
            "program_training.toml",
            "annual_rate = 0.35".to_string(),
            "program.attrition[0].annual_rate",
        ),
        (
            "program_training.toml",
            "new_hire_proficiency = 0.40".to_string(),
            "program.attrition[0].new_hire_proficiency",
        ),
    ];
    for (file, key_line, path) in &cases {
        let key = key_line.split(" = ").next().unwrap();
        let edited = text(file, &[(key_line, &format!("{key} = {bad}"))]);
        match Scenario::from_toml_str(&edited, file, "s") {
            Err(ScenarioError::Invalid {
                path: p, message, ..
            }) => {
                assert_eq!(&p, path, "{message}");
                assert!(
                    message.contains("low 3 is above high 2"),
                    "{path}: {message}"
                );
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    // Each key's own ceiling at the top of the range, and negatives.
    let loyalty = |body: &str| {
        let t = text("program_training.toml", &[]) + "\n[experience.loyalty]\n" + body + "\n";
        match Scenario::from_toml_str(&t, "t.toml", "s") {
            Err(ScenarioError::Invalid { path, message, .. }) => (path, message),
            other => panic!("{body}: {other:?}"),
        }
    };
    let (p, m) = loyalty("defection = [0.05, { low = 0.05, mode = 0.09, high = 1.5 }, 0.25]");
    assert_eq!(p, "experience.loyalty.defection[1]");
    assert!(m.contains("at most 1"), "{m}");
    let (p, m) = loyalty("defection = [{ low = -0.01, mode = 0.05, high = 0.1 }, 0.09, 0.25]");
    assert_eq!(p, "experience.loyalty.defection[0]");
    assert!(m.contains("≥ 0"), "{m}");
    let (p, m) = loyalty("tell_share = [0.41, { low = 0.3, mode = 0.2, high = 0.6 }, 0.45, 0.74]");
    assert_eq!(p, "experience.loyalty.tell_share[1]");
    assert!(m.contains("mode 0.2 is outside"), "{m}");
    let (p, m) = loyalty("nps_passives = { low = 0.1, mode = 0.25, high = 0.9 }");
    assert_eq!(p, "experience.loyalty.nps_passives");
    assert!(m.contains("no NPS curve"), "{m}");
    let premium = |body: &str| {
        let t = text("program_training.toml", &[])
            + "\n[experience.spend_premium]\nspend = 500.0\n"
            + body
            + "\n";
        match Scenario::from_toml_str(&t, "t.toml", "s") {
            Err(ScenarioError::Invalid { path, message, .. }) => (path, message),
            other => panic!("{body}: {other:?}"),
        }
    };
    let (p, _) = premium("share = { low = 0.5, mode = 0.7, high = 1.2 }");
    assert_eq!(p, "experience.spend_premium.share");
    let (p, _) = premium("premium = { low = 0.2, mode = 0.13, high = 0.3 }");
    assert_eq!(p, "experience.spend_premium.premium");
    // Attrition of 100% a year or more at the top of the range.
    let t = text(
        "program_training.toml",
        &[(
            "annual_rate = 0.35",
            "annual_rate = { low = 0.2, mode = 0.35, high = 1.0 }",
        )],
    );
    match Scenario::from_toml_str(&t, "t.toml", "s") {
        Err(ScenarioError::Invalid { path, message, .. }) => {
            assert_eq!(path, "program.attrition[0].annual_rate");
            assert!(message.contains("below 1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// The command line: a bad range exits 2 naming the file and key path; `compare --format
/// json` carries `money.cash_flow` and the NPV sensitivity.
#[test]
fn cli_exit_code_and_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_edited(
        dir.path(),
        "bad.toml",
        "program_training.toml",
        &[(
            TRAINEE,
            "cost_per_trainee_day = { low = 450.0, mode = 400.0, high = 560.0 }",
        )],
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(["validate", &bad])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("program.cohorts[0].cost_per_trainee_day") && err.contains("bad.toml"),
        "{err}"
    );
    let wide = "customer_value = { low = 100.0, mode = 200.0, high = 400.0 }";
    let a = write_edited(
        dir.path(),
        "a.toml",
        "program_baseline.toml",
        &[(VALUE, wide)],
    );
    let b = write_edited(
        dir.path(),
        "b.toml",
        "program_training.toml",
        &[(VALUE, wide)],
    );
    let v = ccsim_json(&[
        "compare",
        &a,
        &b,
        "--format",
        "json",
        "--assumption-draws",
        "50",
        "-q",
    ]);
    let money = &v["money"];
    let flow = money["cash_flow"].as_array().expect("cash_flow");
    assert_eq!(flow.len(), 84);
    assert_eq!(flow[10]["day"], 10);
    for k in ["mean", "ci95", "assumption_range"] {
        assert!(!flow[10][k].is_null(), "{k}");
        assert!(!money["npv"][k].is_null(), "{k}");
    }
    assert_eq!(
        money["sensitivity"]["npv"][0]["assumption"],
        "customers.customer_value"
    );
    assert!(money["sensitivity"]["payback_days"].is_array());
}

/// `run`: a scenario with an experience model gives its money figures an assumption interval
/// (and a basis); a plain queueing scenario prints nothing new.
#[test]
fn run_reports_assumption_intervals_only_with_money() {
    let run = |file: &str, format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .args(["run", file, "--replications", "3", "--format", format, "-q"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let plain = run("scenarios/erlang_c.toml", "json");
    assert!(!plain.contains("assumption_range") && !plain.contains("\"assumptions\""));
    assert!(!run("scenarios/erlang_c.toml", "table").contains("assumption"));
    let v: serde_json::Value =
        serde_json::from_str(&run("scenarios/training_base.toml", "json")).unwrap();
    let risk = &v["metrics"]["revenue_at_risk"];
    let mean = risk["mean"].as_f64().unwrap();
    let (lo, hi) = (
        risk["assumption_range"][0].as_f64().unwrap(),
        risk["assumption_range"][1].as_f64().unwrap(),
    );
    // customer_value = { low = 100, mode = 200, high = 400 }: the interval spans the mode's
    // figure and stays within the range's ends (lost × 100 … lost × 400).
    assert!(
        lo < mean && mean < hi && lo >= mean / 2.0 - 1e-6 && hi <= 2.0 * mean + 1e-6,
        "{risk}"
    );
    assert_eq!(risk["basis"], "assumed");
    let staffing = &v["metrics"]["staffing_cost"];
    assert_eq!(staffing["basis"], "measured");
    assert_eq!(staffing["assumption_range"][0], staffing["mean"]);
    assert_eq!(
        v["assumptions"]["sensitivity"]["revenue_at_risk"][0]["assumption"],
        "customers.customer_value"
    );
    assert!(run("scenarios/training_base.toml", "table").contains("assumption 95% range"));
}

/// `run` of a program with an attrition range: re-simulated at the range's ends, so revenue at
/// risk gets a real interval though customer value is a point.
#[test]
fn run_re_simulates_an_attrition_range() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_edited(
        dir.path(),
        "t.toml",
        "program_training.toml",
        &[(
            "annual_rate = 0.35",
            "annual_rate = { low = 0.05, mode = 0.35, high = 0.9 }",
        )],
    );
    let v = ccsim_json(&[
        "run",
        &file,
        "--replications",
        "2",
        "--format",
        "json",
        "--assumption-draws",
        "50",
        "-q",
    ]);
    assert_eq!(
        v["assumptions"]["ranged"][0],
        "program.attrition[0].annual_rate"
    );
    let risk = &v["metrics"]["revenue_at_risk"];
    let r = |i: usize| risk["assumption_range"][i].as_f64().unwrap();
    assert!(r(0) < r(1), "{risk}");
}

/// Regression: a run with money figures wrote its JSON by parsing the finished report back
/// into a `serde_json::Value` and printing it again, and serde_json's parser is not exact:
/// means and interval ends came out one unit in the last place off the CSV's (and the
/// simulation's) values, e.g. `0.1967486776519484` for `0.19674867765194842`. Every overall
/// mean in the JSON now parses to exactly the CSV's.
#[test]
fn money_json_figures_equal_the_csv_to_the_last_digit() {
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .args(["run", "scenarios/training_base.toml", "--replications", "3"])
            .args(["--format", format, "-q"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    // The overall scope's means as the JSON text has them (read as text: serde_json's own
    // parser is what rounded them).
    let json = run("json");
    let mut from_json = std::collections::HashMap::new();
    let mut name = String::new();
    for line in json.lines() {
        let t = line.trim();
        if t.starts_with("\"call_types\"") {
            break;
        }
        if let Some(key) = t.strip_suffix(": {") {
            name = key.trim_matches('"').to_string();
        } else if let Some(mean) = t.strip_prefix("\"mean\": ") {
            let mean: f64 = mean.trim_end_matches(',').parse().unwrap();
            from_json.insert(name.clone(), mean);
        }
    }
    assert!(from_json.contains_key("revenue_at_risk"), "{from_json:?}");
    let csv_text = run("csv");
    let mut rows = csv::Reader::from_reader(csv_text.as_bytes());
    let mut compared = 0;
    for row in rows.records() {
        let row = row.unwrap();
        if !row[2].is_empty() || &row[3] != "overall" || row[6].is_empty() {
            continue;
        }
        let csv_mean: f64 = row[6].parse().unwrap();
        let json_mean = from_json[&row[4]];
        assert_eq!(json_mean.to_bits(), csv_mean.to_bits(), "{}", &row[4]);
        compared += 1;
    }
    assert!(compared > 30, "{compared} overall means compared");
}
