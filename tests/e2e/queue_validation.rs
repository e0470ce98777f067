//! Busy signals, priorities and hang-ups on hold against closed forms, in the style of
//! `validation`: the analytic value must lie inside the simulated ci95 *and* within 2%
//! (relative) of the simulated mean. The closed forms are written out here, independently of
//! the crate's `analytic` module.
//!
//! Also: their results do not depend on the thread count.
//!
//! Fixtures: `tests/fixtures/validation/{lines,priority,hold_abandon}.toml` (30 replications,
//! seed 1, warmup 2 h; a few seconds each in release).

use crate::common::*;
use serde_json::Value;

const REL_TOL: f64 = 0.02;

/// Stationary law of M/M/n/K (`a` Erlangs, `n` agents, `k` lines) by the product form
/// `π_j ∝ a^j / (min(j, n)! · n^{(j−n)⁺})`, straight from its definition (small K only).
fn mmnk_law(a: f64, n: u32, k: u32) -> Vec<f64> {
    let mut w = vec![1.0];
    for j in 1..=k {
        let last = w[w.len() - 1];
        w.push(last * a / f64::from(j.min(n)));
    }
    let total: f64 = w.iter().sum();
    w.iter().map(|x| x / total).collect()
}

/// Cobham's mean waits for non-preemptive priority classes in M/M/n (highest first).
fn cobham(rates: &[f64], mean_s: f64, n: u32) -> Vec<f64> {
    let capacity = f64::from(n) / mean_s;
    let total: f64 = rates.iter().sum();
    let c = erlang_c(n, total * mean_s);
    let mut sigma = 0.0;
    rates
        .iter()
        .map(|l| {
            let before = sigma;
            sigma += l / capacity;
            c / capacity / ((1.0 - before) * (1.0 - sigma))
        })
        .collect()
}

/// offered = answered + abandoned + blocked + in_queue_at_end (means, 1e-9 relative) in every
/// contact scope, and hang-ups on hold are among the answered.
fn conserves(rep: &Value) {
    for (label, scope) in contact_scopes(rep) {
        let m = |name: &str| defined(scope, name, &label).mean;
        let rhs = m("answered") + m("abandoned") + m("blocked") + m("in_queue_at_end");
        let offered = m("offered");
        assert!(
            (offered - rhs).abs() <= 1e-9 * offered.max(1.0),
            "{label}: offered {offered} != answered + abandoned + blocked + in_queue_at_end {rhs}"
        );
        assert!(m("abandoned_on_hold") <= m("answered"), "{label}");
    }
}

#[test]
fn independent_queue_forms_self_check() {
    // M/M/1/K: π_K = (1 − ρ)ρ^K / (1 − ρ^{K+1}).
    let law = mmnk_law(0.5, 1, 3);
    assert!((law[3] - 0.5 * 0.125 / (1.0 - 0.0625)).abs() < 1e-12);
    // K = n: Erlang B.
    let law = mmnk_law(5.0, 10, 10);
    assert!((law[10] - erlang_b(10, 5.0)).abs() < 1e-12);
    // M/M/1, two classes of ρ 0.25: 2/3 and 4/3 of a handle time.
    let w = cobham(&[0.25, 0.25], 1.0, 1);
    assert!((w[0] - 2.0 / 3.0).abs() < 1e-12 && (w[1] - 4.0 / 3.0).abs() < 1e-12);
}

#[test]
fn lines_m_m_16_20_busy_signal() {
    let (rep, _) = run_json(&[&fixture("validation/lines.toml")], &[]);
    conserves(&rep);
    let (lambda, mean, n, k) = (240.0 / 3600.0, 240.0, 16u32, 20u32);
    let law = mmnk_law(lambda * mean, n, k);
    let blocking = law[k as usize];
    let lq: f64 = (n + 1..=k)
        .map(|j| f64::from(j - n) * law[j as usize])
        .sum();
    let wait = lq / (lambda * (1.0 - blocking));
    // Waiting on arrival (blocked calls are offered, so this is per offered call).
    let queued: f64 = law[n as usize..k as usize].iter().sum();
    let occupancy = lambda * (1.0 - blocking) * mean / f64::from(n);
    let m = &rep["metrics"];
    let mut ck = Checks::default();
    ck.against(
        "block_rate",
        defined(m, "block_rate", "metrics"),
        blocking,
        REL_TOL,
    );
    ck.against("asa_s", defined(m, "asa_s", "metrics"), wait, REL_TOL);
    ck.against(
        "wait_probability",
        defined(m, "wait_probability", "metrics"),
        queued,
        REL_TOL,
    );
    ck.against(
        "occupancy",
        defined(m, "occupancy", "metrics"),
        occupancy,
        REL_TOL,
    );
    ck.finish("M/M/16/20: λ = 240/h, E[S] = 4m, 20 lines");
}

#[test]
fn priority_m_m_20_cobham() {
    let (rep, _) = run_json(&[&fixture("validation/priority.toml")], &[]);
    conserves(&rep);
    let rates = [40.0 / 3600.0, 100.0 / 3600.0, 100.0 / 3600.0];
    let waits = cobham(&rates, 240.0, 20);
    let mut ck = Checks::default();
    for (name, w) in ["high", "mid", "low"].iter().zip(waits) {
        let label = format!("call_types.{name}");
        ck.against(
            &format!("{label}.asa_s"),
            defined(call_type(&rep, name), "asa_s", &label),
            w,
            REL_TOL,
        );
    }
    ck.finish("Cobham: M/M/20, three non-preemptive priority classes, ρ = 0.8");
}

#[test]
fn hang_ups_on_hold_match_exponential_race() {
    let (rep, _) = run_json(&[&fixture("validation/hold_abandon.toml")], &[]);
    conserves(&rep);
    let (hold, patience): (f64, f64) = (60.0, 120.0);
    let per_hold = hold / (hold + patience);
    let lookup = 1.0 - (-1.5 * per_hold).exp();
    let approval = 0.5 * per_hold;
    let mut ck = Checks::default();
    for (name, p) in [("lookup", lookup), ("approval", approval)] {
        let label = format!("call_types.{name}");
        ck.against(
            &format!("{label}.hold_abandon_rate"),
            defined(call_type(&rep, name), "hold_abandon_rate", &label),
            p,
            REL_TOL,
        );
    }
    ck.finish("hold patience Exp(2m) against Exp(1m) holds");
}

/// The routing extras (timers, blocking, redials, hang-ups on hold) stay reproducible: the
/// same report at any thread count.
#[test]
fn queue_rules_independent_of_thread_count() {
    let f = fixture("conservation/queue_rules.toml")
        .display()
        .to_string();
    let out = |threads: &str| {
        let r = run(&[
            "run",
            &f,
            "--format",
            "json",
            "--quiet",
            "--threads",
            threads,
        ]);
        r.assert_ok();
        r.stdout
    };
    assert!(out("1") == out("2"), "--threads 1 and --threads 2 differ");
}

/// Chat concurrency in the closed forms: `ccsim erlang --max-concurrent 3` with 8 agents is
/// M/M/24 (the independent closed form of the chat validation in `validation`), and the
/// chat validation scenario, shortened (300 h × 8 replications), reproduces it by
/// simulation: every figure inside the simulated ci95.
#[test]
fn erlang_with_max_concurrent_is_n_times_k_servers() {
    let r = run(&[
        "erlang",
        "--arrival-rate",
        "192",
        "--handle-time",
        "6m",
        "--agents",
        "8",
        "--max-concurrent",
        "3",
        "--threshold",
        "20s",
        "--format",
        "json",
    ]);
    r.assert_ok();
    let e = r.json();
    let an = mmn(192.0 / 3600.0, 360.0, 24, 20.0);
    let num = |k: &str| e[k].as_f64().unwrap_or_else(|| panic!("{k}: {e}"));
    for (k, want) in [
        ("wait_probability", an.wait_probability),
        ("service_level", an.service_level),
        ("asa_s", an.asa_s),
        ("occupancy", an.occupancy),
    ] {
        assert!(
            (num(k) - want).abs() < 1e-9,
            "{k}: {} vs M/M/24 {want}",
            num(k)
        );
    }
    let text = std::fs::read_to_string(fixture("validation/chat_concurrency.toml"))
        .expect("chat validation fixture")
        .replace("\"2002h\"", "\"302h\"")
        .replace("replications = 30", "replications = 8");
    let rep = run_text(&text, &[]);
    for k in ["wait_probability", "service_level", "asa_s", "occupancy"] {
        let sim = defined(&rep["metrics"], k, "metrics");
        assert!(
            sim.lo <= num(k) && num(k) <= sim.hi,
            "{k}: ccsim erlang {} outside the simulated {sim}",
            num(k)
        );
    }
    // The fewest agents for 80% in 20 s: 22 servers, so 8 agents of 3 chats.
    let r = run(&[
        "erlang",
        "--arrival-rate",
        "192",
        "--handle-time",
        "6m",
        "--agents",
        "6..=10",
        "--max-concurrent",
        "3",
        "--target-sl",
        "0.8",
        "--format",
        "json",
    ]);
    r.assert_ok();
    let rows = r.json();
    let rows = rows.as_array().expect("one object per stable headcount");
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["min_agents"], 8, "{row}");
    }
}

/// The Erlang start of `ccsim staff` counts a chat group's windows: agents of 3 chats are a
/// third of the servers the same queue needs as voice agents, rounded up (λ = 192/h,
/// E[S] = 6 m, 80% in 20 s: 8 agents).
#[test]
fn staff_erlang_start_counts_chat_windows() {
    let text = |k: u32| {
        format!(
            r#"
[simulation]
horizon = "2h"
interval = "1h"
replications = 4
seed = 2
service_level_threshold = "20s"
[[call_types]]
name = "chat"
channel = "chat"
arrival_rate = 192.0
handle_time = {{ distribution = "exponential", mean = "6m" }}
[[agent_groups]]
name = "agents"
skills = ["chat"]
agents = 8
max_concurrent = {k}
"#
        )
    };
    let erlang = |k: u32| {
        let file = scenario_file("chat_staff", &text(k));
        let r = run(&[
            "staff",
            file.arg(),
            "--target",
            "service_level>=0.8",
            "--format",
            "json",
        ]);
        r.assert_ok();
        let v = r.json();
        let staffing: Vec<u64> = v["erlang"]["staffing"]
            .as_array()
            .unwrap_or_else(|| panic!("erlang.staffing: {v}"))
            .iter()
            .map(|n| n.as_u64().expect("a headcount"))
            .collect();
        staffing
    };
    let (voice, chat) = (erlang(1), erlang(3));
    assert_eq!(chat, [8, 8]);
    let thirds: Vec<u64> = voice.iter().map(|n| n.div_ceil(3)).collect();
    assert_eq!(chat, thirds, "voice-agent Erlang start {voice:?}");
}

#[path = "../../benches/support/bare_mmn.rs"]
mod bare;

/// The loops the engine's speed is measured against (`benches/engine.rs`,
/// `examples/bare_mmn.rs`) are correct M/M/n loops: on the bench's queue (M/M/20, 240
/// calls/h, 4-minute handle) each one's share of callers who waited, and the tallied loop's
/// mean wait, service level and occupancy, lie within 2% of Erlang C. A loop that skipped
/// work would be a floor nobody could honestly be compared with.
#[test]
fn the_bench_reference_loops_are_mmn_loops() {
    let (rate, mean, n, calls) = (240.0 / 3600.0, 240.0, 20, 2_000_000);
    let want = mmn(rate, mean, n, 20.0);
    let close = |got: f64, want: f64, what: &str| {
        assert!(
            (got - want).abs() <= REL_TOL * want,
            "{what}: {got} against Erlang C's {want}"
        );
    };
    for (name, out) in [
        ("bare_mmn", bare::bare_mmn(rate, mean, n, calls, 1)),
        ("textbook_mmn", bare::textbook_mmn(rate, mean, n, calls, 1)),
    ] {
        assert_eq!(out.calls, calls, "{name}");
        close(
            out.waited as f64 / calls as f64,
            want.wait_probability,
            name,
        );
    }
    let t = bare::bare_mmn_tallied(rate, mean, n, calls, 20.0, 1);
    assert_eq!((t.calls, t.answered), (calls, calls));
    close(
        t.queued as f64 / calls as f64,
        want.wait_probability,
        "tallied waited",
    );
    close(t.wait / calls as f64, want.asa_s, "tallied asa");
    close(
        t.within_threshold as f64 / calls as f64,
        want.service_level,
        "tallied SL",
    );
    close(
        t.busy_time / (f64::from(n) * t.elapsed),
        want.occupancy,
        "tallied occupancy",
    );
    close(t.handle_time / calls as f64, mean, "tallied handle");
}
