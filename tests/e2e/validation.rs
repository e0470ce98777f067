//! Long simulations against closed forms. Each check requires the analytic value to lie inside the
//! simulated ci95 *and* within 2% (relative) of the simulated mean. The analytic values come from
//! the independent helpers in `common` (never from the crate's `analytic` module).
//!
//! Fixtures: `tests/fixtures/validation/*.toml` (30 replications, seed 1, warmup ≥ 2 h).

use crate::common::*;

const REL_TOL: f64 = 0.02;
const THRESHOLD_S: f64 = 20.0;

/// Per-second rate from a per-hour one.
fn per_s(per_hour: f64) -> f64 {
    per_hour / 3600.0
}

#[test]
fn independent_closed_forms_self_check() {
    // Erlang B / C textbook values.
    let b = erlang_b(10, 5.0);
    assert!((b - 0.018_384).abs() < 5e-6, "Erlang B(10, 5) = {b}");
    let c = erlang_c(2, 1.0);
    assert!((c - 1.0 / 3.0).abs() < 1e-12, "Erlang C(2, 1) = {c}");
    let c1 = erlang_c(1, 0.8);
    assert!((c1 - 0.8).abs() < 1e-12, "Erlang C(1, 0.8) = {c1}");

    // The birth–death chain + RK4 with no abandonment must reproduce Erlang C exactly.
    let lam = per_s(240.0);
    let c = mmn(lam, 240.0, 20, THRESHOLD_S);
    let a = mmn_m(lam, 240.0, f64::INFINITY, 20, THRESHOLD_S);
    for (what, x, y) in [
        ("wait_probability", a.wait_probability, c.wait_probability),
        ("service_level", a.service_level, c.service_level),
        ("mean_wait_s", a.mean_wait_s, c.asa_s),
        ("occupancy", a.occupancy, c.occupancy),
    ] {
        assert!(
            (x - y).abs() <= 1e-7 * y.abs().max(1e-3),
            "chain vs Erlang C {what}: {x} vs {y}"
        );
    }
    assert_eq!(a.abandon_rate, 0.0);

    // Erlang A consistency: occupancy = (1 − abandon) · a / n.
    let ea = mmn_m(per_s(300.0), 240.0, 120.0, 20, THRESHOLD_S);
    let occ = (1.0 - ea.abandon_rate) * 20.0 / 20.0;
    assert!((ea.occupancy - occ).abs() < 1e-9, "{ea:?}");
    assert!(ea.service_level > 0.0 && ea.service_level < 1.0, "{ea:?}");
    // Everyone served at once is inside the service level.
    assert!(ea.service_level >= 1.0 - ea.wait_probability, "{ea:?}");

    // M/D/1: with t < D only the k = 0 term: (1 − ρ) e^{λt}.
    let md = md1_wait_cdf(per_s(12.0), 240.0, 20.0);
    assert!((md - 0.2 * (20.0_f64 / 300.0).exp()).abs() < 1e-12, "{md}");
    // At t = D the k = 1 term vanishes (x = 0): (1 − ρ) e^{ρ}.
    let md_d = md1_wait_cdf(per_s(12.0), 240.0, 240.0);
    assert!((md_d - 0.2 * 0.8_f64.exp()).abs() < 1e-12, "{md_d}");
    // P–K for exponential service equals Erlang C(1) mean wait.
    let w = pk_mean_wait(per_s(12.0), 240.0, 2.0 * 240.0 * 240.0);
    let w_c = mmn(per_s(12.0), 240.0, 1, 20.0).asa_s;
    assert!((w - w_c).abs() < 1e-9 * w_c, "{w} vs {w_c}");
}

#[test]
fn erlang_c_m_m_20_at_load_0_8() {
    let (rep, _) = run_json(&[&fixture("validation/erlang_c.toml")], &[]);
    let an = mmn(per_s(240.0), 240.0, 20, THRESHOLD_S);
    let m = &rep["metrics"];
    let mut ck = Checks::default();
    ck.against(
        "wait_probability",
        defined(m, "wait_probability", "metrics"),
        an.wait_probability,
        REL_TOL,
    );
    ck.against("asa_s", defined(m, "asa_s", "metrics"), an.asa_s, REL_TOL);
    ck.against(
        "mean_wait_s",
        defined(m, "mean_wait_s", "metrics"),
        an.asa_s,
        REL_TOL,
    );
    ck.against(
        "service_level",
        defined(m, "service_level", "metrics"),
        an.service_level,
        REL_TOL,
    );
    ck.against(
        "occupancy",
        defined(m, "occupancy", "metrics"),
        an.occupancy,
        REL_TOL,
    );
    ck.against(
        "agent_groups.agents.occupancy",
        defined(
            agent_group(&rep, "agents"),
            "occupancy",
            "agent_groups.agents",
        ),
        an.occupancy,
        REL_TOL,
    );
    let ab = defined(m, "abandon_rate", "metrics");
    assert_eq!(
        ab.mean, 0.0,
        "no patience → abandon_rate must be 0, got {ab}"
    );
    ck.finish("Erlang C: M/M/20, λ = 240/h, E[S] = 4m");
}

#[test]
fn erlang_a_m_m_20_plus_m_at_load_1() {
    let (rep, _) = run_json(&[&fixture("validation/erlang_a.toml")], &[]);
    let an = mmn_m(per_s(300.0), 240.0, 120.0, 20, THRESHOLD_S);
    let m = &rep["metrics"];
    let mut ck = Checks::default();
    ck.against(
        "abandon_rate",
        defined(m, "abandon_rate", "metrics"),
        an.abandon_rate,
        REL_TOL,
    );
    ck.against(
        "service_level",
        defined(m, "service_level", "metrics"),
        an.service_level,
        REL_TOL,
    );
    ck.against(
        "wait_probability",
        defined(m, "wait_probability", "metrics"),
        an.wait_probability,
        REL_TOL,
    );
    ck.against(
        "mean_wait_s",
        defined(m, "mean_wait_s", "metrics"),
        an.mean_wait_s,
        REL_TOL,
    );
    ck.against(
        "occupancy",
        defined(m, "occupancy", "metrics"),
        an.occupancy,
        REL_TOL,
    );
    ck.finish("Erlang A: M/M/20+M, λ = 300/h, E[S] = 4m, E[patience] = 2m");
}

#[test]
fn jackson_two_tier_network() {
    let (rep, _) = run_json(&[&fixture("validation/two_tier.toml")], &[]);
    let l1 = per_s(240.0);
    let l2 = 0.3 * l1; // 72/h
    let t1 = mmn(l1, 240.0, 20, THRESHOLD_S);
    let t2 = mmn(l2, 360.0, 9, THRESHOLD_S);
    let g = call_type(&rep, "general");
    let s = call_type(&rep, "specialist");
    let mut ck = Checks::default();
    ck.against(
        "general.wait_probability",
        defined(g, "wait_probability", "call_types.general"),
        t1.wait_probability,
        REL_TOL,
    );
    ck.against(
        "general.service_level",
        defined(g, "service_level", "call_types.general"),
        t1.service_level,
        REL_TOL,
    );
    ck.against(
        "general.transfer_rate",
        defined(g, "transfer_rate", "call_types.general"),
        0.3,
        REL_TOL,
    );
    ck.against(
        "specialist.wait_probability",
        defined(s, "wait_probability", "call_types.specialist"),
        t2.wait_probability,
        REL_TOL,
    );
    ck.against(
        "specialist.service_level",
        defined(s, "service_level", "call_types.specialist"),
        t2.service_level,
        REL_TOL,
    );
    ck.against(
        "agent_groups.tier1.occupancy",
        defined(
            agent_group(&rep, "tier1"),
            "occupancy",
            "agent_groups.tier1",
        ),
        t1.occupancy,
        REL_TOL,
    );
    ck.against(
        "agent_groups.tier2.occupancy",
        defined(
            agent_group(&rep, "tier2"),
            "occupancy",
            "agent_groups.tier2",
        ),
        t2.occupancy,
        REL_TOL,
    );
    // All contacts together: 240/h general + 72/h specialist.
    let m = &rep["metrics"];
    let total = l1 + l2;
    ck.against(
        "metrics.wait_probability (mix)",
        defined(m, "wait_probability", "metrics"),
        (l1 * t1.wait_probability + l2 * t2.wait_probability) / total,
        REL_TOL,
    );
    ck.against(
        "metrics.transfer_rate (72/312)",
        defined(m, "transfer_rate", "metrics"),
        l2 / total,
        REL_TOL,
    );
    let st = defined(s, "transfer_rate", "call_types.specialist");
    assert_eq!(st.mean, 0.0, "specialist never transfers: {st}");
    // Offered specialist contacts ≈ 0.3 × answered general ones (only source of specialists).
    let g_ans = defined(g, "answered", "call_types.general").mean;
    let s_off = defined(s, "offered", "call_types.specialist").mean;
    ck.within(
        "specialist.offered / general.answered",
        s_off / g_ans,
        0.3,
        0.01,
    );
    ck.finish("Jackson: M/M/20 (240/h, 4m) → 30% → M/M/9 (6m)");
}

#[test]
fn constant_handle_time_occupancy() {
    let (rep, _) = run_json(&[&fixture("validation/constant_handle.toml")], &[]);
    let expected = per_s(240.0) * 240.0 / 20.0;
    let mut ck = Checks::default();
    ck.within(
        "metrics.occupancy (λ·E[S]/n, 1%)",
        defined(&rep["metrics"], "occupancy", "metrics").mean,
        expected,
        0.01,
    );
    ck.within(
        "agent_groups.agents.occupancy (1%)",
        defined(
            agent_group(&rep, "agents"),
            "occupancy",
            "agent_groups.agents",
        )
        .mean,
        expected,
        0.01,
    );
    ck.finish("M/D/20: λ = 240/h, constant 4m");
}

#[test]
fn m_d_1_pollaczek_khinchine() {
    let (rep, _) = run_json(&[&fixture("validation/md1.toml")], &[]);
    let lam = per_s(12.0);
    let d = 240.0;
    let m = &rep["metrics"];
    let mut ck = Checks::default();
    ck.against(
        "asa_s (P–K: λD²/2(1−ρ))",
        defined(m, "asa_s", "metrics"),
        pk_mean_wait(lam, d, d * d),
        REL_TOL,
    );
    ck.against(
        "wait_probability (ρ)",
        defined(m, "wait_probability", "metrics"),
        lam * d,
        REL_TOL,
    );
    ck.against(
        "service_level (Erlang M/D/1 CDF at 20 s)",
        defined(m, "service_level", "metrics"),
        md1_wait_cdf(lam, d, THRESHOLD_S),
        REL_TOL,
    );
    ck.against(
        "occupancy (ρ)",
        defined(m, "occupancy", "metrics"),
        lam * d,
        REL_TOL,
    );
    ck.finish("M/D/1: λ = 12/h, D = 4m");
}

#[test]
fn m_g_1_gamma_pollaczek_khinchine() {
    let (rep, _) = run_json(&[&fixture("validation/mg1_gamma.toml")], &[]);
    let lam = per_s(12.0);
    let (es, sd) = (240.0, 120.0);
    let m = &rep["metrics"];
    let mut ck = Checks::default();
    ck.against(
        "asa_s (P–K: λE[S²]/2(1−ρ))",
        defined(m, "asa_s", "metrics"),
        pk_mean_wait(lam, es, sd * sd + es * es),
        REL_TOL,
    );
    ck.against(
        "wait_probability (ρ)",
        defined(m, "wait_probability", "metrics"),
        lam * es,
        REL_TOL,
    );
    ck.finish("M/G/1: λ = 12/h, gamma(mean 4m, sd 2m)");
}

/// `ccsim erlang` is the crate's own closed form; it must agree with the independent one.
#[test]
fn erlang_command_matches_independent_closed_forms() {
    let r = run(&[
        "erlang",
        "--arrival-rate",
        "240",
        "--handle-time",
        "4m",
        "--agents",
        "20",
        "--format",
        "json",
    ]);
    r.assert_ok();
    let v = r.json();
    let c = mmn(per_s(240.0), 240.0, 20, THRESHOLD_S);
    let num = |k: &str| {
        v[k].as_f64()
            .unwrap_or_else(|| panic!("erlang json: `{k}` is not a number\n{}", r.describe()))
    };
    assert_eq!(v["model"], "erlang_c", "{}", r.describe());
    assert_eq!(v["agents"].as_f64(), Some(20.0), "{}", r.describe());
    let mut ck = Checks::default();
    ck.within("erlang_c offered_load", num("offered_load"), 16.0, 1e-9);
    ck.within(
        "erlang_c wait_probability",
        num("wait_probability"),
        c.wait_probability,
        1e-6,
    );
    ck.within(
        "erlang_c service_level",
        num("service_level"),
        c.service_level,
        1e-6,
    );
    ck.within("erlang_c asa_s", num("asa_s"), c.asa_s, 1e-6);
    ck.within("erlang_c mean_wait_s", num("mean_wait_s"), c.asa_s, 1e-6);
    ck.within("erlang_c occupancy", num("occupancy"), c.occupancy, 1e-9);
    assert_eq!(num("abandon_rate"), 0.0, "{}", r.describe());

    let r = run(&[
        "erlang",
        "--arrival-rate",
        "300",
        "--handle-time",
        "4m",
        "--agents",
        "20",
        "--patience",
        "2m",
        "--threshold",
        "20s",
        "--format",
        "json",
    ]);
    r.assert_ok();
    let v = r.json();
    let a = mmn_m(per_s(300.0), 240.0, 120.0, 20, THRESHOLD_S);
    let num = |k: &str| {
        v[k].as_f64()
            .unwrap_or_else(|| panic!("erlang json: `{k}` is not a number\n{}", r.describe()))
    };
    assert_eq!(v["model"], "erlang_a", "{}", r.describe());
    ck.within(
        "erlang_a wait_probability",
        num("wait_probability"),
        a.wait_probability,
        1e-5,
    );
    ck.within(
        "erlang_a abandon_rate",
        num("abandon_rate"),
        a.abandon_rate,
        1e-5,
    );
    // Different numerical methods for the SL integral: allow 1e-4.
    ck.within(
        "erlang_a service_level",
        num("service_level"),
        a.service_level,
        1e-4,
    );
    ck.within(
        "erlang_a mean_wait_s",
        num("mean_wait_s"),
        a.mean_wait_s,
        1e-5,
    );
    ck.within("erlang_a occupancy", num("occupancy"), a.occupancy, 1e-5);
    ck.finish("ccsim erlang vs independent closed forms");
}

/// Chat concurrency: 8 agents holding up to 3 chats each, with handle times independent of
/// concurrency, are 24 servers: Erlang C with n·k = 24. Occupancy is busy chat-window time /
/// (k × staffed time), so it is a / (n·k).
#[test]
fn chat_concurrency_is_erlang_c_with_n_times_k_servers() {
    let (rep, _) = run_json(&[&fixture("validation/chat_concurrency.toml")], &[]);
    let an = mmn(per_s(192.0), 360.0, 8 * 3, THRESHOLD_S);
    let m = &rep["metrics"];
    let mut ck = Checks::default();
    for (name, analytic) in [
        ("wait_probability", an.wait_probability),
        ("service_level", an.service_level),
        ("asa_s", an.asa_s),
        ("mean_wait_s", an.asa_s),
        ("occupancy", an.occupancy),
    ] {
        ck.against(name, defined(m, name, "metrics"), analytic, REL_TOL);
    }
    ck.against(
        "agent_groups.agents.occupancy",
        defined(
            agent_group(&rep, "agents"),
            "occupancy",
            "agent_groups.agents",
        ),
        an.occupancy,
        REL_TOL,
    );
    ck.finish("chat: 8 agents × 3 chats as M/M/24, λ = 192/h, E[S] = 6m");
}
