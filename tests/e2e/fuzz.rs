//! Property tests of the scenario files a careless user can write: mutations of the bundled
//! scenarios/ files, and random TOML, fed to the library's parser and validator in-process so
//! thousands of cases run in seconds. (Command lines are the binary's: their property test
//! sits beside the argument parser, in src/cli.rs.)
//!
//! Properties: nothing panics; a rejected scenario's message names the file and a key path
//! or a line, is one paragraph, and shows no Rust type name; an accepted scenario answers its
//! pre-run queries with finite numbers.
//!
//! The default case count is small enough for CI. For the long run (≥ 10^6 cases per
//! property), see docs/testing.md:
//! `PROPTEST_CASES=1000000 cargo test --release fuzz`.

use ccsim::scenario::{Scenario, ScenarioError};
use proptest::prelude::*;
use proptest::sample::select;
use toml::{Table, Value};

const SCENARIOS: [&str; 6] = [
    include_str!("../../scenarios/erlang_a.toml"),
    include_str!("../../scenarios/erlang_c.toml"),
    include_str!("../../scenarios/training_base.toml"),
    include_str!("../../scenarios/training_invest.toml"),
    include_str!("../../scenarios/two_tier.toml"),
    include_str!("../../scenarios/weekday.toml"),
];

/// Words that must never reach a user: they are Rust, not the scenario's language.
const RUST_WORDS: [&str; 6] = ["Raw", "struct ", "Option<", "enum ", "i64", "f64"];

/// Cases per property: `PROPTEST_CASES` when set, else a count that runs in seconds.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    ProptestConfig {
        cases,
        // Failures are shrunk and printed; no regression files are written into the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Values a careless user might write

/// An odd value: wrong types, huge, negative, non-finite and tiny numbers, odd durations,
/// unknown distributions, long names and unicode.
fn odd_value() -> impl Strategy<Value = Value> {
    let numbers = select(vec![
        0.0,
        -0.0,
        -1.0,
        0.5,
        1.0,
        1.5,
        2.0,
        1e-300,
        1e7,
        1.0000001e7,
        1e12,
        1e15,
        1e308,
        -1e308,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ])
    .prop_map(Value::Float);
    let integers = select(vec![
        0i64,
        1,
        -1,
        2,
        3,
        1000,
        1_000_000,
        1_000_001,
        10_000_000,
        i64::MAX,
        i64::MIN,
        u32::MAX as i64,
        u32::MAX as i64 + 1,
    ])
    .prop_map(Value::Integer);
    let durations = select(vec![
        "0s",
        "1ms",
        "20s",
        "4m",
        "1.5h",
        "5d",
        "36500d",
        "36501d",
        "-3m",
        "4",
        "4 minutes",
        "m",
        "",
        " 30 min ",
        "1e9d",
        "1e300s",
        "NaNs",
        "infh",
        "3 weeks",
        "4M",
        "٣m",
        "4m\n",
        "1_000s",
        "0x10s",
    ])
    .prop_map(|s| Value::String(s.to_string()));
    let strings = prop_oneof![
        select(vec![
            "general",
            "exponential",
            "lognormal",
            "gamma",
            "weibull",
            "beta",
            "uniform",
            "constant",
            "empirical",
            "poisson",
            "approval",
            "Raw",
            "struct RawScenario",
            "\"quoted\"",
            "multi\nline",
            "tab\there",
            "ünïcödé ☎ 電話",
            "\u{202e}rtl",
            "\u{0}nul",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9_ .-]{0,12}",
        "\\PC{0,20}",
        (1usize..2000).prop_map(|n| "x".repeat(n)),
    ]
    .prop_map(Value::String);
    let leaves = prop_oneof![
        numbers,
        integers,
        durations,
        strings,
        any::<bool>().prop_map(Value::Boolean),
        Just(Value::Datetime("1979-05-27T07:32:00Z".parse().unwrap())),
    ];
    leaves.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Table(kv.into_iter().collect())),
        ]
    })
}

/// A key: one the format knows (in the wrong place, often) or a junk one.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec![
            "name", "simulation", "horizon", "interval", "warmup", "replications", "seed",
            "service_level_threshold", "call_types", "arrival_rate", "volumes", "handle_time",
            "patience", "transfer", "to", "probability", "after_call_work", "difficulty",
            "decision_probability", "decision_amount", "distribution", "mean", "sd", "shape",
            "scale", "min", "max", "value", "values", "agent_groups", "skills", "agents",
            "staffing", "proficiency", "learning", "start", "calls", "authority",
            "beyond_authority", "unresolved_transfer", "hourly_cost", "training_cost",
            "supervisors", "count", "consult_time", "customers", "callback_probability",
            "experience", "satisfaction", "churn_by_csat", "base",
        ])
        .prop_map(str::to_string),
        1 => "[a-z_]{1,10}",
        1 => "\\PC{1,8}",
        1 => (61usize..300).prop_map(|n| "k".repeat(n)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Mutations of a parsed scenario

/// One step into a TOML document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every path to a value in `v`, parents before children.
fn paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Table(t) => {
            for (k, child) in t {
                prefix.push(Step::Key(k.clone()));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(Step::Index(i));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, step| match (step, v) {
        (Step::Key(k), Value::Table(t)) => t.get_mut(k),
        (Step::Index(i), Value::Array(a)) => a.get_mut(*i),
        _ => None,
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at the chosen path.
    Replace(usize, Value),
    /// Remove the chosen key or array entry.
    Remove(usize),
    /// Add a key to the table at (or containing) the chosen path.
    Add(usize, String, Value),
    /// Repeat the chosen array entry (duplicate names, wrong lengths).
    Duplicate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), odd_value()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        2 => (any::<usize>(), key(), odd_value()).prop_map(|(p, k, v)| Mutation::Add(p, k, v)),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
    ]
}

fn apply(doc: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let pick = |i: usize| all[i % all.len()].clone();
    match m {
        Mutation::Replace(i, v) => {
            if let Some(slot) = get_mut(doc, &pick(*i)) {
                *slot = v.clone();
            }
        }
        Mutation::Remove(i) | Mutation::Duplicate(i) => {
            let path = pick(*i);
            let (last, parent) = path.split_last().unwrap();
            let Some(parent) = get_mut(doc, parent) else {
                return;
            };
            match (last, parent, m) {
                (Step::Key(k), Value::Table(t), Mutation::Remove(_)) => {
                    t.remove(k);
                }
                (Step::Index(i), Value::Array(a), Mutation::Remove(_)) => {
                    a.remove(*i);
                }
                (Step::Index(i), Value::Array(a), _) => {
                    let copy = a[*i].clone();
                    a.insert(*i, copy);
                }
                _ => {}
            }
        }
        Mutation::Add(i, k, v) => {
            let path = pick(*i);
            for end in (0..=path.len()).rev() {
                if let Some(Value::Table(t)) = get_mut(doc, &path[..end]) {
                    t.insert(k.clone(), v.clone());
                    return;
                }
            }
        }
    }
}

/// Text-level damage after serialising: cut, drop a line, insert characters.
#[derive(Debug, Clone)]
enum TextDamage {
    None,
    Truncate(usize),
    DropLine(usize),
    Insert(usize, String),
}

fn text_damage() -> impl Strategy<Value = TextDamage> {
    prop_oneof![
        6 => Just(TextDamage::None),
        1 => any::<usize>().prop_map(TextDamage::Truncate),
        1 => any::<usize>().prop_map(TextDamage::DropLine),
        1 => (any::<usize>(), prop_oneof![
            select(vec!["[", "]", "=", "\"", "\n", "{", "}", ",", "#", "'''", "[[", "é", "\u{0}"])
                .prop_map(str::to_string),
            "\\PC{1,5}",
        ])
        .prop_map(|(i, s)| TextDamage::Insert(i, s)),
    ]
}

fn damage(text: &str, d: &TextDamage) -> String {
    let boundary = |i: usize| {
        let mut i = i % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match d {
        TextDamage::None => text.to_string(),
        TextDamage::Truncate(i) => text[..boundary(*i)].to_string(),
        TextDamage::DropLine(i) => {
            let lines: Vec<&str> = text.lines().collect();
            let drop = i % lines.len().max(1);
            lines
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != drop)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        }
        TextDamage::Insert(i, s) => {
            let at = boundary(*i);
            format!("{}{s}{}", &text[..at], &text[at..])
        }
    }
}

/// A bundled scenario with a few mutations, serialised, perhaps damaged as text.
fn mutated_scenario() -> impl Strategy<Value = String> {
    (
        0..SCENARIOS.len(),
        proptest::collection::vec(mutation(), 1..4),
        text_damage(),
    )
        .prop_map(|(which, mutations, dmg)| {
            let table: Table = toml::from_str(SCENARIOS[which]).expect("bundled scenario parses");
            let mut doc = Value::Table(table);
            for m in &mutations {
                apply(&mut doc, m);
            }
            let Value::Table(t) = doc else { unreachable!() };
            // NaN and infinity serialise as `nan`/`inf`, which TOML accepts.
            let text = toml::to_string(&t).unwrap_or_default();
            damage(&text, &dmg)
        })
}

/// A random TOML document built from the format's keys and odd values.
fn random_toml() -> impl Strategy<Value = String> {
    proptest::collection::vec((key(), odd_value()), 0..8).prop_map(|kv| {
        let t: Table = kv.into_iter().collect();
        toml::to_string(&t).unwrap_or_default()
    })
}

// ---------------------------------------------------------------------------------------------
// The properties

/// The checks every scenario text must pass, accepted or not.
fn check_scenario(text: &str) -> Result<(), TestCaseError> {
    match Scenario::from_toml_str(text, "fuzz.toml", "fuzz") {
        Ok(s) => {
            // Pre-run queries on accepted values: finite, no overflow or panic.
            let expected = s.expected_arrivals();
            prop_assert!(expected.is_finite() && expected >= 0.0, "{expected}");
            let _ = s.overloaded_intervals();
            let summary = s.summary();
            prop_assert!(!summary.contains('\n'), "{summary}");
        }
        Err(e) => check_message(&e)?,
    }
    Ok(())
}

fn check_message(e: &ScenarioError) -> Result<(), TestCaseError> {
    let m = e.to_string();
    prop_assert!(m.starts_with("fuzz.toml: "), "must name the file: {m}");
    prop_assert!(
        !m.contains('\n') && !m.contains('\r'),
        "one paragraph: {m:?}"
    );
    prop_assert!(!m.contains("expected expected"), "stutter: {m}");
    let ours = without_quoted(&m);
    for word in RUST_WORDS {
        prop_assert!(!ours.contains(word), "Rust word `{word}` in: {m}");
    }
    match e {
        ScenarioError::Syntax { location, .. } => {
            prop_assert!(
                location.starts_with("line "),
                "syntax error without a line: {m}"
            )
        }
        ScenarioError::Invalid { path, message, .. } => {
            prop_assert!(!path.is_empty(), "no key path: {m}");
            prop_assert!(message.len() > 5, "no message: {m}");
        }
        other => prop_assert!(false, "unexpected kind of error for text: {other}"),
    }
    // Long values are shortened in messages.
    prop_assert!(
        m.chars().count() < 1500,
        "message too long ({}): {m}",
        m.len()
    );
    Ok(())
}

/// The message without the user's own (quoted) values, which may say anything.
fn without_quoted(m: &str) -> String {
    let mut out = String::new();
    let (mut inside, mut escaped) = (false, false);
    for c in m.chars() {
        match (inside, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, _, '"') => inside = !inside,
            (false, _, c) => out.push(c),
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_bundled_scenarios_get_clear_answers(text in mutated_scenario()) {
        check_scenario(&text)?;
    }

    #[test]
    fn random_toml_gets_clear_answers(text in random_toml()) {
        check_scenario(&text)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions of issue 11 at the same boundary

/// Regression (issue 11, point 4): with the input limit raised (`CCSIM_MAX_INPUT=2GiB`),
/// `validate --memory-limit 100MB /dev/zero` read 2 GB before refusing it (16 GiB: 4.3 GB,
/// then "out of memory"). A file longer than the budget allows to parse is now refused
/// after reading that much (100 MB of budget: 10 MB of text at most).
#[test]
fn a_raised_input_limit_still_reads_no_more_than_the_budget_allows() {
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(["validate", "--memory-limit", "100MB", "/dev/zero"])
        .env("CCSIM_MAX_INPUT", "16GiB")
        .output()
        .expect("run ccsim");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("/dev/zero: longer than 10 MB (reading stopped there)")
            && err.contains("memory budget of 100 MB"),
        "{err}"
    );
}

#[test]
fn validate_refuses_an_endless_input_at_once() {
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(["validate", "/dev/zero"])
        .output()
        .expect("run ccsim");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("/dev/zero") && err.contains("16777216") && err.contains("CCSIM_MAX_INPUT"),
        "{err}"
    );
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
}
