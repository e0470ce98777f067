//! Unit tests of the routing extras (priority, overflow, lines) and of hang-ups on hold:
//! contacts are injected at chosen times into scenarios without random arrivals, and the
//! recording observer of the event-loop tests (`tests::Recorder`) shows what the engine
//! reported.

use super::tests::{scenario, Recorder, Seen};
use super::*;

const KEY: StreamKey = StreamKey {
    seed: 3,
    point: 0,
    replication: 0,
};

/// Types `a` and `b` (constant 10-minute handle), no random arrivals, and `groups`.
fn two_types(extra_a: &str, groups: &str) -> Scenario {
    scenario(&format!(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = {{ distribution = "constant", value = "10m" }}
        {extra_a}
        [[call_types]]
        name = "b"
        arrival_rate = 0.0
        handle_time = {{ distribution = "constant", value = "10m" }}
        {groups}
        "#
    ))
}

/// An overflow group takes a contact the moment it has waited `overflow_after` (a timer),
/// not earlier when one of its agents frees, and never on arrival.
#[test]
fn overflow_waits_the_delay_then_an_idle_agent_takes_it_at_once() {
    let s = two_types(
        "",
        r#"
        [[agent_groups]]
        name = "main"
        skills = ["a"]
        agents = 1
        [[agent_groups]]
        name = "over"
        skills = ["b", "a"]
        agents = 1
        overflow_after = { a = "30s" }
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    assert!(!e.plain && e.rules.routed);
    let (a, b) = (e.cell(0, 0), e.cell(0, 1));
    e.inject(0.0, 0); // main busy until 600
    e.inject(0.0, 1); // over busy with b until 600
    e.inject(100.0, 0); // waits (over would not take it on arrival anyway)
    e.inject(590.0, 0); // waits
                        // At 600 both free: main takes the oldest a (wait 500); the second a has waited 10 s
                        // < 30 s, so over goes idle and takes it by its timer at 620.
    e.run_until(619.0);
    assert_eq!(e.observer.answered(), vec![(a, 0.0), (b, 0.0), (a, 500.0)]);
    e.run_until(620.0);
    assert_eq!(e.observer.answered()[3], (a, 30.0));
    e.run();
    assert_eq!(e.observer.answered().len(), 4);
}

/// A freed agent takes the waiting contact of highest priority, not its first skill.
#[test]
fn priority_beats_skill_order() {
    let s = two_types(
        "",
        r#"
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        agents = 1
        "#,
    );
    // Without priorities: skill order (a first).
    let mut e = Engine::new(&s, KEY, Recorder::default());
    e.inject(0.0, 0);
    e.inject(10.0, 1);
    e.inject(20.0, 0);
    e.run();
    let (a, b) = (e.cell(0, 0), e.cell(0, 1));
    assert_eq!(
        e.observer.answered(),
        vec![(a, 0.0), (a, 580.0), (b, 1190.0)]
    );
    // b has priority 1: it goes first although a is the group's first skill.
    let text = r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        [[call_types]]
        name = "b"
        priority = 1
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        agents = 1
    "#;
    let s = scenario(text);
    let mut e = Engine::new(&s, KEY, Recorder::default());
    assert!(e.plain, "priority alone keeps the plain path");
    e.inject(0.0, 0);
    e.inject(10.0, 1);
    e.inject(20.0, 0);
    e.run();
    assert_eq!(
        e.observer.answered(),
        vec![(a, 0.0), (b, 590.0), (a, 1180.0)]
    );
}

/// With 2 lines and 1 agent, a third simultaneous caller is blocked; a line frees when a
/// call ends (not when after-call work ends) or a waiting caller hangs up.
#[test]
fn lines_block_callers_beyond_the_limit() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        lines = 2
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        after_call_work = { distribution = "constant", value = "5m" }
        patience = { distribution = "constant", value = "6m" }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        agents = 1
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    assert!(!e.plain);
    let a = e.cell(0, 0);
    e.inject(0.0, 0); // talks 0–600, wraps up until 900
    e.inject(0.0, 0); // waits, hangs up at 360
    e.inject(0.0, 0); // blocked
    e.inject(30.0, 0); // blocked
    e.inject(361.0, 0); // a line is free again; waits, hangs up at 721
    e.inject(600.0, 0); // the talk ended: a line is free; answered at 900
    e.inject(650.0, 0); // blocked: two callers waiting
    e.run();
    let blocked = e
        .observer
        .seen
        .iter()
        .filter(|x| **x == Seen::Blocked(a))
        .count();
    assert_eq!(blocked, 3);
    assert_eq!(e.observer.answered(), vec![(a, 0.0), (a, 300.0)]);
    assert_eq!(e.rules.in_system, 0, "every line is free at the end");
}

/// Look-up holds: a customer whose hold patience is shorter than the hold hangs up during
/// the first hold, which sits after the first share of the talk; the agent is free then.
#[test]
fn hang_up_on_a_look_up_hold() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        difficulty = { distribution = "constant", value = 1.0 }
        hold_patience = { distribution = "constant", value = "1m" }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        agents = 1
        [experience]
        holds_novice = 0.0
        holds_difficulty = 3.0
        hold_time = { distribution = "constant", value = "2m" }
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let a = e.cell(0, 0);
    let mut hung_up = 0;
    for k in 0..20 {
        e.inject(3600.0 * f64::from(k) / 10.0, 0);
        e.run_until(3600.0 * f64::from(k) / 10.0 + 359.0);
    }
    e.run();
    for x in &e.observer.seen {
        if let Seen::TalkEnded(_, _, talk, holds) = *x {
            if holds == 0 {
                assert_eq!(talk, 600.0);
            } else {
                // Hung up 1 minute into hold 1, after 600/(n+1) s of talk (n holds).
                assert_eq!(holds, 1);
                let shares = 600.0 / (talk - 60.0);
                assert!(
                    (shares - shares.round()).abs() < 1e-9 && shares >= 2.0,
                    "{talk}"
                );
                hung_up += 1;
            }
        }
    }
    let reported = e
        .observer
        .seen
        .iter()
        .filter(|x| **x == Seen::HungUpOnHold(a))
        .count();
    assert!(hung_up > 5, "{hung_up}");
    assert_eq!(reported, hung_up);
}

/// Approval holds with one supervisor (5-minute consults): a customer of `b` (hold
/// patience 1 minute) hangs up from the supervisor queue, which lets go of them, and later
/// one hangs up during a consult, which ends it and frees the supervisor for the next.
#[test]
fn hang_up_on_an_approval_hold_frees_the_supervisor() {
    let issue = r#"handle_time = { distribution = "constant", value = "10m" }
        decision_probability = 1.0
        decision_amount = { distribution = "constant", value = 100.0 }"#;
    let s = scenario(&format!(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        {issue}
        hold_patience = {{ distribution = "constant", value = "10m" }}
        [[call_types]]
        name = "b"
        arrival_rate = 0.0
        {issue}
        hold_patience = {{ distribution = "constant", value = "1m" }}
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        agents = 3
        authority = 10.0
        [supervisors]
        count = 1
        consult_time = {{ distribution = "constant", value = "5m" }}
        [experience]
        holds_novice = 0.0
        holds_difficulty = 0.0
        "#
    ));
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let b = e.cell(0, 1);
    e.inject(0.0, 0); // consult 600–900
    e.inject(1.0, 1); // queued at 601, hangs up from the queue at 661
    e.inject(2.0, 0); // queued at 602, consult 900–1200
    e.inject(1000.0, 1); // consult from 1600, hangs up at 1660
    e.inject(1010.0, 0); // queued at 1610, consult 1660–1960
    e.run();
    let holds: Vec<f64> = e
        .observer
        .seen
        .iter()
        .filter_map(|x| match *x {
            Seen::ApprovalHold(_, _, h) => Some(h),
            _ => None,
        })
        .collect();
    assert_eq!(holds, vec![60.0, 300.0, 598.0, 60.0, 350.0]);
    let hung = e
        .observer
        .seen
        .iter()
        .filter(|x| **x == Seen::HungUpOnHold(b))
        .count();
    assert_eq!(hung, 2);
    assert_eq!(e.supervisors_free, 1);
    assert!(e.approval_queue.is_empty());
}

/// A blocked caller redials (`customers.redial_probability`) as a repeat contact, and is
/// blocked again while the line is taken, up to `max_contacts`; once the line is free the
/// redial gets through.
#[test]
fn blocked_callers_redial_as_repeat_contacts() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        lines = 1
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "150s" }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        agents = 1
        [customers]
        redial_probability = 1.0
        redial_delay = { distribution = "constant", value = "1m" }
        max_contacts = 5
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let a = e.cell(0, 0);
    e.inject(0.0, 0); // talks 0–150
    e.inject(0.0, 0); // blocked at 0, 60, 120; gets through at 180
    e.run();
    let seen = &e.observer.seen;
    let count = |x: Seen| seen.iter().filter(|&&y| y == x).count();
    assert_eq!(count(Seen::Blocked(a)), 3);
    assert_eq!(count(Seen::Offered(a, false)), 2);
    assert_eq!(
        count(Seen::Offered(a, true)),
        3,
        "2 blocked redials + 1 that got through"
    );
    assert_eq!(e.observer.answered(), vec![(a, 0.0), (a, 0.0)]);
    assert_eq!(e.rules.in_system, 0);
}

/// A customer hanging up on an approval hold leaves nothing in hand: at the day's close the
/// backlog of a business-time type is empty (regression: the hung-up item was still counted
/// in hand until the agent's next item of such a type).
#[test]
fn an_approval_hang_up_leaves_no_item_in_hand() {
    let s = scenario(
        r#"
        [simulation]
        interval = "1h"
        [calendar]
        start = "Mon 08:00"
        days = 1
        opening_hours = { weekday = "08:00-09:00" }
        [[call_types]]
        name = "a"
        arrival_rate = 0.0
        service_level_threshold = "4 business hours"
        handle_time = { distribution = "constant", value = "10m" }
        decision_probability = 1.0
        decision_amount = { distribution = "constant", value = 100.0 }
        hold_patience = { distribution = "constant", value = "1m" }
        [[agent_groups]]
        name = "g"
        skills = ["a"]
        agents = 1
        authority = 10.0
        [supervisors]
        count = 1
        consult_time = { distribution = "constant", value = "30m" }
        [experience]
        holds_novice = 0.0
        holds_difficulty = 0.0
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let a = e.cell(0, 0);
    e.inject(0.0, 0); // talk 0–600, consult from 600, hangs up at 660
    e.run();
    let count = |x: Seen| e.observer.seen.iter().filter(|y| **y == x).count();
    assert_eq!(count(Seen::HungUpOnHold(a)), 1);
    assert_eq!(
        count(Seen::ClosedWithBacklog(a, 0, 0.0)),
        1,
        "{:?}",
        e.observer.seen
    );
}

/// A chat person whose window frees takes the waiting chat of highest priority, not the
/// first of its skills (regression: refills followed skill order), as a freed voice agent
/// would.
#[test]
fn chat_refills_follow_priority() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        [[call_types]]
        name = "lo"
        channel = "chat"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        [[call_types]]
        name = "hi"
        channel = "chat"
        priority = 1
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        [[agent_groups]]
        name = "desk"
        skills = ["lo", "hi"]
        agents = 1
        max_concurrent = 2
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let (lo, hi) = (e.cell(0, 0), e.cell(0, 1));
    e.inject(0.0, 0);
    e.inject(0.0, 0); // both windows busy until 600
    e.inject(1.0, 0);
    e.inject(2.0, 1);
    e.run();
    assert_eq!(
        e.observer.answered(),
        vec![(lo, 0.0), (lo, 0.0), (hi, 598.0), (lo, 599.0)]
    );
}

/// Overflow into a chat group keeps its window books: a chat that waited the delay goes to
/// an idle person's window, the next one to that person's free window (regression: the
/// overflow paths started contacts without the chat bookkeeping, and freeing the window
/// then underflowed the person's chat count).
#[test]
fn overflow_into_a_chat_group_takes_windows() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        interval = "2h"
        [[call_types]]
        name = "web"
        channel = "chat"
        arrival_rate = 0.0
        handle_time = { distribution = "constant", value = "10m" }
        [[agent_groups]]
        name = "desk"
        skills = ["web"]
        agents = 1
        max_concurrent = 2
        [[agent_groups]]
        name = "backup"
        skills = ["web"]
        agents = 1
        max_concurrent = 2
        overflow_after = { web = "30s" }
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    let web = e.cell(0, 0);
    for t in [0.0, 0.0, 1.0, 2.0, 3.0] {
        e.inject(t, 0);
    }
    e.run();
    // Desk's two windows at once; backup's idle person at 31 s, its second window at 32 s;
    // the fifth waits for the first window to free (desk, at 600 s).
    assert_eq!(
        e.observer.answered(),
        vec![
            (web, 0.0),
            (web, 0.0),
            (web, 30.0),
            (web, 30.0),
            (web, 597.0)
        ]
    );
    assert_eq!(e.groups[0].idle.len() + e.groups[1].idle.len(), 2);
}

/// With priorities on, a freed agent with no live caller waiting calls back an
/// `only_when_idle` accepter (regression: the routed choice never looked at them, so they
/// were left uncalled).
#[test]
fn routed_agents_call_back_idle_accepters() {
    let s = two_types(
        r#"priority = 1
        callback = { offer_after = "0s", accept_probability = 1.0, only_when_idle = true }"#,
        r#"
        [[agent_groups]]
        name = "g"
        skills = ["a", "b"]
        agents = 1
        "#,
    );
    let mut e = Engine::new(&s, KEY, Recorder::default());
    assert!(e.rules.routed);
    let a = e.cell(0, 0);
    e.inject(0.0, 0);
    e.inject(1.0, 0); // accepts at once, waits off the line
    e.run();
    assert_eq!(e.observer.answered(), vec![(a, 0.0), (a, 599.0)]);
    assert!(e.observer.seen.contains(&Seen::CalledBack(a, 599.0)));
    assert!(!e.observer.seen.contains(&Seen::LeftInQueue(a)));
}
