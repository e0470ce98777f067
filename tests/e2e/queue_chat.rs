//! The routing rules with chat windows end to end: priorities, overflow into chat groups and
//! `only_when_idle` callbacks together, through the binary. Every contact is accounted for in
//! every scope, the run does not depend on the thread count, and each mechanic is exercised
//! (overflow into a chat group used to panic; routed agents never called idle accepters back).

use crate::common::*;
use serde_json::Value;

/// Voice with priority and `only_when_idle` callbacks, two chat types (one prioritised), a
/// chat desk of 3 windows and a mixed group of 2 windows that overflows into both chats after
/// 20 s, a staffing drop with busy agents, patience and warmup.
const SCENARIO: &str = r#"
name = "routing with chat windows"
[simulation]
horizon = "3h"
interval = "30m"
warmup = "30m"
replications = 6
seed = 9
[[call_types]]
name = "voice"
priority = 2
arrival_rate = 60.0
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "3m" }
callback = { offer_after = "40s", accept_probability = 0.7, only_when_idle = true }
[[call_types]]
name = "web"
channel = "chat"
arrival_rate = 150.0
handle_time = { distribution = "exponential", mean = "6m" }
patience = { distribution = "exponential", mean = "4m" }
[[call_types]]
name = "vip"
channel = "chat"
priority = 1
arrival_rate = 40.0
handle_time = { distribution = "exponential", mean = "6m" }
patience = { distribution = "exponential", mean = "4m" }
[[agent_groups]]
name = "chat desk"
skills = ["web", "vip"]
staffing = [5, 6, 6, 3, 6, 5]
max_concurrent = 3
[[agent_groups]]
name = "mixed"
skills = ["voice", "web", "vip"]
staffing = [5, 5, 2, 5, 5, 4]
max_concurrent = 2
overflow_after = { web = "20s", vip = "20s" }
"#;

/// offered = answered + abandoned + blocked + in_queue_at_end, with the replication means.
fn conserved(scope: &Value, at: &str) {
    let m = |k: &str| defined(scope, k, at).mean;
    let ended = m("answered") + m("abandoned") + m("blocked") + m("in_queue_at_end");
    assert!(
        (m("offered") - ended).abs() <= 1e-9 * m("offered").max(1.0),
        "{at}: offered {} vs ended {ended}",
        m("offered")
    );
}

#[test]
fn priorities_overflow_and_callbacks_with_chat_windows() {
    let file = scenario_file("queue_chat", SCENARIO);
    let (rep, _) = run_json(&[&file.path], &[]);
    let one = run(&[
        "run",
        file.arg(),
        "--format",
        "json",
        "--threads",
        "1",
        "--quiet",
    ]);
    one.assert_ok();
    assert_eq!(rep, one.json(), "the thread count changes nothing");
    conserved(&rep["metrics"], "metrics");
    for name in ["voice", "web", "vip"] {
        let t = call_type(&rep, name);
        let at = format!("call_types.{name}");
        conserved(t, &at);
        assert!(defined(t, "answered", &at).mean > 0.0, "{at}");
    }
    for (k, interval) in rep["intervals"]
        .as_array()
        .expect("intervals")
        .iter()
        .enumerate()
    {
        if interval["metrics"]["offered"].is_null() {
            continue; // warmup
        }
        conserved(&interval["metrics"], &format!("intervals[{k}]"));
    }
    // Idle accepters were called back by routed agents.
    let voice = call_type(&rep, "voice");
    assert!(defined(voice, "callbacks_accepted", "call_types.voice").mean > 0.0);
    defined(voice, "callback_delay_s", "call_types.voice");
    // The prioritised chat waits less than the other one.
    let asa = |name: &str| defined(call_type(&rep, name), "asa_s", name).mean;
    assert!(
        asa("vip") < asa("web"),
        "vip {} vs web {}",
        asa("vip"),
        asa("web")
    );
    // The mixed group took chats (overflow) as well as calls.
    let mixed = agent_group(&rep, "mixed");
    assert!(defined(mixed, "occupancy", "agent_groups.mixed").mean > 0.3);
}
