//! `ccsim erlang`: closed-form Erlang C (no abandonment) or Erlang A (with `--patience`)
//! answers for one headcount or a range of them, and optionally the smallest headcount that
//! meets a service-level target — the planner's quick check before simulating.

use super::{duration_arg, emit, BadInput};
use anyhow::Result;
use ccsim::analytic::{self, QueueAnswer, QueueParams};
use ccsim::report::tabular::{grid, Align};
use ccsim::report::{json_text, Format};
use clap::Args;
use serde_json::{json, Map, Value};
use std::fmt::Write;

/// At most this many rows for `--agents A..=B`.
const MAX_ROWS: u32 = 10_000;

/// Most calls per hour: the scenario's limit on an arrival rate
/// (`call_types[].arrival_rate`), so `erlang` answers the questions a scenario can ask.
const MAX_ARRIVAL_RATE: f64 = 1e7;

/// Most agents: the scenario's limit on one interval's headcount.
const MAX_AGENTS: u32 = 1_000_000;

// Every option taking a number or a duration allows a leading hyphen, so `-100` or `-4m`
// reaches its value parser, which names the option, the value and what is allowed; clap
// would read it as a flag and advise `-- -100`.
#[derive(Debug, Args)]
pub(super) struct ErlangArgs {
    /// Arrival rate, calls per hour (0 to 10^7).
    #[arg(long, allow_hyphen_values = true, value_parser = arrival_rate_arg)]
    arrival_rate: f64,
    /// Mean handle time, e.g. 4m.
    #[arg(long, allow_hyphen_values = true, value_parser = positive_duration_arg)]
    handle_time: f64,
    /// Number of agents, or a range such as 18..=24 (one row each).
    #[arg(long, allow_hyphen_values = true, value_parser = agents_arg)]
    agents: (u32, u32),
    /// Contacts an agent holds at once (chat `max_concurrent`): n agents are n·k servers,
    /// with handle times that do not depend on it (no chat slowdown).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = super::whole_arg::<u32>("the number of contacts an agent holds at once", 1, 100))]
    max_concurrent: u32,
    /// Mean patience (exponential), e.g. 2m: switches to Erlang A.
    #[arg(long, allow_hyphen_values = true, value_parser = positive_duration_arg)]
    patience: Option<f64>,
    /// Service-level threshold.
    #[arg(long, allow_hyphen_values = true, value_parser = duration_arg, default_value = "20s")]
    threshold: f64,
    /// Also report the smallest headcount with service level ≥ this fraction (e.g. 0.8).
    #[arg(long, allow_negative_numbers = true, value_parser = target_sl_arg)]
    target_sl: Option<f64>,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<super::FormatArg>,
}

/// `--arrival-rate`: calls per hour from 0 to [`MAX_ARRIVAL_RATE`].
fn arrival_rate_arg(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=MAX_ARRIVAL_RATE).contains(r))
        .ok_or_else(|| {
            "expected a number of calls per hour from 0 to 10000000 (10^7, the limit of a scenario's arrival_rate)".to_string()
        })
}

/// A duration longer than zero (`--handle-time`, `--patience`): zero would be no work or no
/// waiting at all, which neither model can answer.
fn positive_duration_arg(s: &str) -> Result<f64, String> {
    match duration_arg(s)? {
        d if d > 0.0 => Ok(d),
        _ => Err("must be longer than 0, e.g. 4m or 30s".to_string()),
    }
}

/// `--target-sl`: a fraction from 0 up to (not including) 1, which no finite staffing reaches.
fn target_sl_arg(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|t| (0.0..1.0).contains(t))
        .ok_or_else(|| {
            "expected a service level from 0 up to (not including) 1, e.g. 0.8".to_string()
        })
}

/// `N`, `A..=B` or `A..B`, with 1 ≤ A ≤ B.
fn agents_arg(s: &str) -> Result<(u32, u32), String> {
    let num = |t: &str| {
        t.trim()
            .parse::<u32>()
            .ok()
            .filter(|&n| (1..=MAX_AGENTS).contains(&n))
            .ok_or_else(|| {
                format!("expected a whole number of agents from 1 to {MAX_AGENTS}, or a range such as 18..=24; got \"{t}\"")
            })
    };
    let (lo, hi) = if let Some((a, b)) = s.split_once("..=") {
        (num(a)?, num(b)?)
    } else if let Some((a, b)) = s.split_once("..") {
        (num(a)?, num(b)?.saturating_sub(1))
    } else {
        let n = num(s)?;
        (n, n)
    };
    if lo > hi {
        return Err(format!("the range \"{s}\" is empty"));
    }
    if hi - lo >= MAX_ROWS {
        return Err(format!(
            "at most {MAX_ROWS} headcounts at once, got \"{s}\""
        ));
    }
    Ok((lo, hi))
}

pub(super) fn cmd_erlang(args: ErlangArgs) -> Result<()> {
    let format = super::output_format(args.format, None)?;
    if format == Format::Html {
        return Err(BadInput(
            "--format html is available for `ccsim run`, `compare`, `staff` and `roster`, not for `ccsim erlang`".into(),
        )
        .into());
    }
    let params = |agents| QueueParams {
        arrival_rate: args.arrival_rate / 3600.0,
        mean_handle: args.handle_time,
        agents,
        mean_patience: args.patience,
        threshold: args.threshold,
    };
    let (lo, hi) = args.agents;
    let mut rows: Vec<(u32, QueueAnswer)> = Vec::new();
    for n in lo..=hi {
        match analytic::solve_concurrent(&params(n), args.max_concurrent) {
            Ok(a) => rows.push((n, a)),
            // In a range, unstable headcounts (Erlang C with load ≥ agents) are left out.
            Err(analytic::AnalyticError::Unstable { .. }) if lo < hi => {}
            Err(e) => return Err(BadInput(e.to_string()).into()),
        }
    }
    if rows.is_empty() {
        return Err(BadInput(format!(
            "no headcount in {lo}..={hi} is stable: the offered load is {:.2} Erlangs",
            args.arrival_rate / 3600.0 * args.handle_time
        ))
        .into());
    }
    let minimum = args
        .target_sl
        .map(|t| {
            analytic::min_agents_for_service_level_concurrent(&params(1), t, args.max_concurrent)
        })
        .transpose()
        .map_err(|e| BadInput(e.to_string()))?;
    let model = if args.patience.is_some() {
        "erlang_a"
    } else {
        "erlang_c"
    };
    let text = match format {
        Format::Json => json_text(&as_json(model, &rows, lo == hi, minimum)),
        Format::Csv => as_csv(&rows),
        Format::Table | Format::Html => as_table(model, &rows, args.target_sl.zip(minimum)),
    };
    emit(&text, None)
}

fn fields(a: &QueueAnswer) -> [(&'static str, f64); 7] {
    [
        ("offered_load", a.offered_load),
        ("wait_probability", a.wait_probability),
        ("service_level", a.service_level),
        ("asa_s", a.asa_s),
        ("mean_wait_s", a.mean_wait_s),
        ("abandon_rate", a.abandon_rate),
        ("occupancy", a.occupancy),
    ]
}

/// One object for one headcount (`model`, `agents`, the answers, and `min_agents` when a
/// target was given); an array of them for a range.
fn as_json(model: &str, rows: &[(u32, QueueAnswer)], single: bool, minimum: Option<u32>) -> Value {
    let object = |(n, a): &(u32, QueueAnswer)| {
        let mut map = Map::new();
        map.insert("model".into(), model.into());
        map.insert("agents".into(), (*n).into());
        for (k, v) in fields(a) {
            map.insert(k.into(), json!(v));
        }
        if let Some(m) = minimum {
            map.insert("min_agents".into(), m.into());
        }
        Value::Object(map)
    };
    if single {
        object(&rows[0])
    } else {
        Value::Array(rows.iter().map(object).collect())
    }
}

fn as_csv(rows: &[(u32, QueueAnswer)]) -> String {
    let mut s = String::from("agents");
    for (k, _) in fields(&rows[0].1) {
        let _ = write!(s, ",{k}");
    }
    s.push('\n');
    for (n, a) in rows {
        let _ = write!(s, "{n}");
        for (_, v) in fields(a) {
            let _ = write!(s, ",{v}");
        }
        s.push('\n');
    }
    s
}

/// One row per headcount; with a target, the smallest headcount meeting it marked `*`.
/// Never wrapped: its cells are numbers, which wrapping would split.
fn as_table(model: &str, rows: &[(u32, QueueAnswer)], target: Option<(f64, u32)>) -> String {
    let mut s = format!(
        "{model}, offered load {:.2} Erlangs\n\n",
        rows[0].1.offered_load
    );
    let mut columns = vec![("agents", Align::Right)];
    if target.is_some() {
        columns.push(("", Align::Mark));
    }
    columns.extend(
        [
            "P(wait)",
            "SL",
            "ASA s",
            "mean wait s",
            "abandon",
            "occupancy",
        ]
        .map(|h| (h, Align::Right)),
    );
    let cells = rows.iter().map(|(n, a)| {
        let mut row = vec![n.to_string()];
        if let Some((_, m)) = target {
            row.push(if m == *n { "*" } else { "" }.to_string());
        }
        row.extend([
            format!("{:.4}", a.wait_probability),
            format!("{:.4}", a.service_level),
            format!("{:.2}", a.asa_s),
            format!("{:.2}", a.mean_wait_s),
            format!("{:.4}", a.abandon_rate),
            format!("{:.4}", a.occupancy),
        ]);
        row
    });
    s.push_str(&grid(columns, cells, None));
    if let Some((t, m)) = target {
        let _ = writeln!(s, "\n* smallest headcount with service level ≥ {t}: {m}");
    }
    s
}
