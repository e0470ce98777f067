//! Chat concurrency and callbacks (virtual hold), end to end: the limiting cases of a callback
//! offer (everyone accepts at once: nobody abandons; nobody accepts: the run is the one without
//! callbacks, bit for bit, on the same streams) and the direction of the chat slowdown. The
//! closed-form check of chat concurrency is in `validation`, conservation in `conservation`.

use crate::common::*;
use serde_json::Value;
use std::io::Write;

/// A busy voice queue with impatient callers (and a chat type beside it), as a scenario text;
/// `callback` is the voice type's callback line (or nothing).
fn voice_and_chat(callback: &str, slowdown: f64) -> String {
    format!(
        r#"name = "callbacks and chat"

[simulation]
horizon = "8h"
interval = "1h"
warmup = "1h"
replications = 8
seed = 5

[[call_types]]
name = "voice"
arrival_rate = 180.0
handle_time = {{ distribution = "exponential", mean = "4m" }}
patience = {{ distribution = "exponential", mean = "90s" }}
{callback}

[[call_types]]
name = "chat"
channel = "chat"
arrival_rate = 120.0
handle_time = {{ distribution = "exponential", mean = "6m" }}
patience = {{ distribution = "exponential", mean = "5m" }}

[[agent_groups]]
name = "phones"
skills = ["voice"]
agents = 12

[[agent_groups]]
name = "chat desk"
skills = ["chat"]
agents = 4
max_concurrent = 3
chat_slowdown = {slowdown}
"#
    )
}

/// Runs a scenario text and returns its JSON report.
fn run_text(text: &str) -> Value {
    let mut f = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    f.write_all(text.as_bytes()).expect("write scenario");
    let (rep, _) = run_json(&[f.path()], &[]);
    rep
}

const CALLBACK_METRICS: [&str; 3] = [
    "callbacks_offered",
    "callbacks_accepted",
    "callback_delay_s",
];

/// The report without the callback metrics (and the scenario's source, which names the file).
fn without_callback_metrics(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !CALLBACK_METRICS.contains(&k.as_str()) && *k != "source")
                .map(|(k, v)| (k.clone(), without_callback_metrics(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_callback_metrics).collect()),
        other => other.clone(),
    }
}

#[test]
fn certain_acceptance_at_once_means_nobody_abandons() {
    let rep = run_text(&voice_and_chat(
        "callback = { offer_after = \"0s\", accept_probability = 1.0 }",
        0.0,
    ));
    let voice = call_type(&rep, "voice");
    let at = "call_types.voice";
    assert_eq!(defined(voice, "abandoned", at).mean, 0.0, "{voice}");
    let queued = defined(voice, "wait_probability", at).mean * defined(voice, "offered", at).mean;
    let offered = defined(voice, "callbacks_offered", at).mean;
    assert!(offered > 0.0, "{voice}");
    // (The mean of a product is not the product of means, hence the tolerance.)
    assert!(
        (offered - queued).abs() <= 0.02 * queued,
        "every caller who waits is offered a callback: {offered} vs {queued}"
    );
    assert_eq!(defined(voice, "callbacks_accepted", at).mean, offered);
    // Chats are never offered a callback and still abandon.
    let chat = call_type(&rep, "chat");
    assert_eq!(
        defined(chat, "callbacks_offered", "call_types.chat").mean,
        0.0
    );
    assert!(defined(chat, "abandoned", "call_types.chat").mean > 0.0);
}

#[test]
fn nobody_accepting_is_the_run_without_callbacks() {
    let without = run_text(&voice_and_chat("", 0.2));
    for only_when_idle in [false, true] {
        let with = run_text(&voice_and_chat(
            &format!(
                "callback = {{ offer_after = \"30s\", accept_probability = 0.0, only_when_idle = {only_when_idle} }}"
            ),
            0.2,
        ));
        let offered = defined(
            call_type(&with, "voice"),
            "callbacks_offered",
            "call_types.voice",
        );
        assert!(offered.mean > 0.0, "callbacks must be offered: {offered}");
        assert_eq!(
            defined(&with["metrics"], "callbacks_accepted", "metrics").mean,
            0.0
        );
        assert_eq!(
            without_callback_metrics(&with),
            without_callback_metrics(&without),
            "accept_probability = 0 must change nothing but the offer count"
        );
    }
}

#[test]
fn chat_slowdown_lengthens_handle_times_and_waits() {
    let fast = run_text(&voice_and_chat("", 0.0));
    let slow = run_text(&voice_and_chat("", 0.3));
    let g = |rep: &Value, m: &str| defined(agent_group(rep, "chat desk"), m, "chat desk").mean;
    let c = |rep: &Value, m: &str| defined(call_type(rep, "chat"), m, "call_types.chat").mean;
    assert!(g(&slow, "aht_s") > 1.1 * g(&fast, "aht_s"));
    assert!(c(&slow, "mean_wait_s") > c(&fast, "mean_wait_s"));
    assert!(c(&slow, "abandon_rate") > c(&fast, "abandon_rate"));
    // Same arrivals (common random numbers): the voice side is untouched.
    let v = |rep: &Value| without_callback_metrics(call_type(rep, "voice"));
    assert_eq!(v(&slow), v(&fast));
}

/// The overload warning counts chat windows: 8 agents × 3 chats at 19.2 Erlangs is not
/// overloaded (it would be with one chat per agent).
#[test]
fn chat_windows_count_as_capacity_in_the_overload_warning() {
    let r = run(&[
        "validate",
        fixture("validation/chat_concurrency.toml")
            .to_str()
            .expect("utf-8 path"),
    ]);
    r.assert_ok();
    assert!(!r.stderr.contains("overloaded"), "{}", r.describe());
}

/// Regression: the overload warning counted chat windows as agents ("300 agents who can
/// serve it" for 3 agents holding 100 chats each). It now gives both.
#[test]
fn the_overload_warning_tells_agents_from_chat_windows() {
    let f = scenario_file(
        "chat_overload.toml",
        r#"
name = "chat overload"
[simulation]
horizon = "1h"
interval = "1h"
replications = 1
seed = 1
[[call_types]]
name = "chat"
channel = "chat"
arrival_rate = 20000.0
handle_time = { distribution = "exponential", mean = "2m" }
[[agent_groups]]
name = "desk"
skills = ["chat"]
agents = 3
max_concurrent = 100
"#,
    );
    let r = run(&["validate", f.arg()]);
    r.assert_ok();
    assert!(
        r.stderr
            .contains("3 agents who can serve it, holding 300 contacts at once"),
        "{}",
        r.describe()
    );
}
