//! The `called_back` journey class end to end: the customers who accepted a callback
//! (virtual hold) and the others, with their satisfaction, in every report format.

use crate::common::*;
use serde_json::Value;

/// An understaffed voice type offering callbacks after 30 s (kept in their FIFO place), a
/// second type without callbacks, no transfers, redials or warmup, and an experience model
/// (an `[experience]` section), so journeys are scored: every accepter is one journey of its
/// first (only) type.
const SCENARIO: &str = r#"
name = "callback classes"
[simulation]
horizon = "2h"
interval = "1h"
replications = 6
seed = 11
[[call_types]]
name = "sales"
arrival_rate = 90.0
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "3m" }
callback = { offer_after = "30s", accept_probability = 0.5 }
[[call_types]]
name = "info"
arrival_rate = 20.0
handle_time = { distribution = "exponential", mean = "3m" }
patience = { distribution = "exponential", mean = "3m" }
[[agent_groups]]
name = "desk"
skills = ["sales", "info"]
agents = 6
[experience]
"#;

/// Per replication, `(scope, metric) → value` from the tidy CSV's value column.
fn replication_values(csv: &str) -> Vec<std::collections::HashMap<(String, String), f64>> {
    let mut reps: Vec<std::collections::HashMap<(String, String), f64>> = Vec::new();
    for line in csv.lines().skip(1) {
        // scenario,point,replication,scope,metric,value,mean,ci95_lo,ci95_hi (no commas in
        // this scenario's name or scopes).
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 9, "{line}");
        let (Ok(rep), Ok(value)) = (f[2].parse::<usize>(), f[5].parse::<f64>()) else {
            continue;
        };
        if reps.len() <= rep {
            reps.resize_with(rep + 1, Default::default);
        }
        reps[rep].insert((f[3].to_string(), f[4].to_string()), value);
    }
    reps
}

/// The class's share is the accepters' share of journeys, replication by replication; the
/// complement is the rest; the two classes' top-box CSAT, weighted by their shares, is the
/// scope's own; a type without callbacks has nobody called back.
#[test]
fn called_back_class_is_the_accepters_with_their_satisfaction() {
    let file = scenario_file("callback_classes", SCENARIO);
    let r = run(&["run", file.arg(), "--format", "csv", "--quiet"]);
    r.assert_ok();
    let reps = replication_values(&r.stdout);
    assert_eq!(reps.len(), 6);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
    for (i, v) in reps.iter().enumerate() {
        let get = |scope: &str, metric: &str| {
            *v.get(&(scope.to_string(), metric.to_string()))
                .unwrap_or_else(|| panic!("replication {i}: {scope} {metric} missing"))
        };
        for (scope, class) in [
            ("overall", "journey_class:".to_string()),
            (
                "call_type:sales",
                "call_type:sales/journey_class:".to_string(),
            ),
        ] {
            assert_eq!(get(scope, "in_queue_at_end"), 0.0);
            let accepted = get(scope, "callbacks_accepted");
            let customers = get(scope, "customers");
            assert!(accepted > 10.0, "replication {i}: {accepted} accepters");
            let cb = format!("{class}called_back");
            let rest = format!("{class}not_called_back");
            let share = get(&cb, "share");
            assert!(
                close(share, accepted / customers),
                "replication {i} {scope}: share {share} vs {accepted}/{customers}"
            );
            assert!(close(get(&rest, "share"), 1.0 - share));
            let weighted =
                share * get(&cb, "csat_top_box") + (1.0 - share) * get(&rest, "csat_top_box");
            assert!(
                (weighted - get(scope, "csat_top_box")).abs() < 1e-9,
                "replication {i} {scope}: {weighted} vs {}",
                get(scope, "csat_top_box")
            );
            let churn = share * get(&cb, "churn_rate") + (1.0 - share) * get(&rest, "churn_rate");
            assert!((churn - get(scope, "churn_rate")).abs() < 1e-9);
            for m in ["word_of_mouth_people", "nps"] {
                assert!(get(&cb, m).is_finite() && get(&rest, m).is_finite());
            }
        }
        assert_eq!(
            get("call_type:info/journey_class:called_back", "share"),
            0.0
        );
        assert_eq!(
            get("call_type:info/journey_class:not_called_back", "share"),
            1.0
        );
        assert_eq!(
            get("call_type:info/journey_class:not_called_back", "nps"),
            get("call_type:info", "nps"),
            "without callbacks, not_called_back is the type itself"
        );
    }
}

/// JSON: the pair follows the seven classes (kept as they were) in `journey_classes` and in
/// `call_type_journey_classes.<type>`, with the five figures; the table and HTML reports
/// print its rows.
#[test]
fn called_back_class_in_json_table_and_html() {
    let rep = run_text(SCENARIO, &[]);
    let keys =
        |v: &Value| -> Vec<String> { v.as_object().expect("an object").keys().cloned().collect() };
    let want = [
        "first_contact_resolved",
        "resolved_after_repeat",
        "unresolved",
        "held",
        "not_held",
        "transferred",
        "not_transferred",
        "called_back",
        "not_called_back",
    ];
    assert_eq!(keys(&rep["journey_classes"]), want);
    assert_eq!(
        keys(&rep["call_type_journey_classes"]["sales"]),
        want,
        "{}",
        rep["call_type_journey_classes"]
    );
    let cb = &rep["journey_classes"]["called_back"];
    assert_eq!(
        keys(cb),
        [
            "share",
            "csat_top_box",
            "churn_rate",
            "word_of_mouth_people",
            "nps"
        ]
    );
    for m in [
        "share",
        "csat_top_box",
        "churn_rate",
        "word_of_mouth_people",
        "nps",
    ] {
        defined(cb, m, "journey_classes.called_back");
    }
    // Waiting for a call back is waiting off the line: accepters are less unhappy than
    // their wait alone would make them, but they did wait 30 s first.
    let share = defined(cb, "share", "journey_classes.called_back");
    assert!(share.mean > 0.05 && share.mean < 0.6, "{share}");

    let file = scenario_file("callback_classes", SCENARIO);
    let table = run(&["run", file.arg(), "--format", "table", "--quiet"]);
    table.assert_ok();
    assert!(
        table.stdout.contains("called back") && table.stdout.contains("not called back"),
        "{}",
        table.describe()
    );
    let html = run(&["run", file.arg(), "--format", "html", "--quiet"]);
    html.assert_ok();
    assert!(html.stdout.contains("<td>not called back</td>"));
}

/// Without callbacks the pair is "nobody" and "everybody": JSON keeps it (share 0 and 1),
/// the table and HTML leave it out.
#[test]
fn without_callbacks_the_pair_is_not_printed() {
    let text = SCENARIO.replace(
        "callback = { offer_after = \"30s\", accept_probability = 0.5 }\n",
        "",
    );
    let rep = run_text(&text, &[]);
    let classes = &rep["journey_classes"];
    let at = "journey_classes";
    assert_eq!(defined(&classes["called_back"], "share", at).mean, 0.0);
    assert!(metric(&classes["called_back"], "csat_top_box", at).is_none());
    assert_eq!(defined(&classes["not_called_back"], "share", at).mean, 1.0);
    let overall = defined(&rep["metrics"], "csat_top_box", "metrics");
    let rest = defined(&classes["not_called_back"], "csat_top_box", at);
    assert_eq!(rest.mean, overall.mean, "everybody: the overall figure");
    let file = scenario_file("no_callbacks", &text);
    let table = run(&["run", file.arg(), "--format", "table", "--quiet"]);
    table.assert_ok();
    assert!(table.stdout.contains("not held"), "{}", table.describe());
    assert!(
        !table.stdout.contains("called back"),
        "{}",
        table.describe()
    );
}

/// Regression: `validate` gave no overload warning when the only contacts that never hang
/// up were callback accepters — their queue grew without bound while every call type had a
/// patience. With 2 agents, sales' accepters alone (90/h × 4 min × 0.5 × e^(−30/180) ≈ 2.5
/// Erlangs) are more than the agents: warned, naming them; with 6 agents, or without the
/// callback offer (everyone may hang up), no warning.
#[test]
fn callback_accepters_who_overload_their_agents_are_warned_about() {
    let warned = |text: &str| {
        let f = scenario_file("callbacks.toml", text);
        let r = run(&["validate", f.arg()]);
        r.assert_ok();
        r.stderr
    };
    let two = SCENARIO.replace("agents = 6", "agents = 2");
    let e = warned(&two);
    assert!(
        e.contains("call type \"sales\" (its callback accepters, who never hang up) is overloaded"),
        "{e}"
    );
    assert!(e.contains("2 agents who can serve it"), "{e}");
    assert!(!warned(SCENARIO).contains("overloaded"));
    let no_offer = two.replace(
        "callback = { offer_after = \"30s\", accept_probability = 0.5 }\n",
        "",
    );
    assert!(!warned(&no_offer).contains("overloaded"));
}
