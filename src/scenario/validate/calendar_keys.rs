//! Validation and expansion of the calendar keys: `[calendar]` becomes a [`WeekClock`] and a
//! horizon; a call type's `profile` (or, under a calendar, its `arrival_rate`) becomes the
//! per-interval `arrival_rates` the engine already reads; `[[shifts]]` become a group's
//! per-interval staffing plus the breaks it owes; `shrinkage`, `channel` and
//! `simulation.arrival_uncertainty` are range-checked here. The engine sees only arrays and
//! break slots, so it barely changes (see docs/model.md, "Calendar").
//!
//! Grid rule: with a calendar the interval divides a day, and the start, opening and closing
//! times, shift starts and lengths all fall on the interval grid, so every interval lies
//! wholly inside or outside the open hours and a shift fills whole intervals.

use super::checks::{num, quote, Ctx, MAX_AGENTS, MAX_ARRIVAL_RATE};
use crate::model::week::{
    day_range, format_clock, parse_clock, OpenHours, WeekClock, Weekday, DAY_S, WEEKDAY_ALLOWED,
};
use crate::model::BreakSlot;
use crate::scenario::duration::format_duration;
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::RawCallType;
use crate::scenario::parse::raw_week::{RawCalendar, RawShift};
use crate::scenario::validated::Simulation;
use std::collections::{BTreeMap, HashMap};

/// Longest run a calendar may describe: ten years of days.
pub const MAX_DAYS: i64 = 3660;

/// A validated `[calendar]`.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Start and opening hours.
    pub clock: WeekClock,
    /// `days`/`weeks` as a horizon in seconds, when given.
    pub horizon: Option<f64>,
    /// Arrival factor per weekday, Monday first.
    pub factors: [f64; 7],
}

/// What a weekday-keyed table's key selects: one day, or Monday to Friday (`weekday`).
fn day_key(key: &str) -> Option<Vec<Weekday>> {
    match key.to_ascii_lowercase().as_str() {
        "weekday" | "weekdays" => Some(Weekday::ALL[..5].to_vec()),
        k => Weekday::parse(k).map(|d| vec![d]),
    }
}

/// Fills a per-weekday array from a table keyed by weekday or `weekday`; a single day's key
/// wins over `weekday` whatever the order.
fn per_day<'a, T: Copy, V>(
    cx: &Ctx,
    path: &str,
    table: &'a BTreeMap<String, V>,
    mut value: impl FnMut(&str, &'a str, &'a V) -> Result<T, ScenarioError>,
    out: &mut [T; 7],
) -> Result<(), ScenarioError> {
    let mut ranked: Vec<(&'a String, &'a V, Vec<Weekday>)> = Vec::new();
    for (k, v) in table {
        let days = day_key(k).ok_or_else(|| {
            cx.err(
                format!("{path}.{k}"),
                format!(
                    "unknown weekday {}; keys are {WEEKDAY_ALLOWED}, or `weekday` for Mon–Fri",
                    quote(k)
                ),
            )
        })?;
        // Two keys for one day (`mon` and `Monday`) would overlap: which one holds?
        if let [d] = days[..] {
            if let Some((other, _, _)) = ranked.iter().find(|(_, _, o)| o[..] == [d]) {
                return Err(cx.err(
                    format!("{path}.{k}"),
                    format!(
                        "{} is given twice (as `{other}` and `{k}`); give each day once",
                        d.name()
                    ),
                ));
            }
        }
        ranked.push((k, v, days));
    }
    ranked.sort_by_key(|(_, _, d)| std::cmp::Reverse(d.len()));
    for (k, v, days) in ranked {
        let x = value(&format!("{path}.{k}"), k, v)?;
        for d in days {
            out[d.index()] = x;
        }
    }
    Ok(())
}

/// Parses `[calendar]`.
pub fn calendar(cx: &Ctx, raw: &Option<RawCalendar>) -> Result<Option<Calendar>, ScenarioError> {
    let Some(c) = raw else { return Ok(None) };
    let bad_start = || {
        cx.err(
            "calendar.start",
            format!(
                "{} is not a start; write a weekday and a clock time such as \"Mon 08:00\" ({WEEKDAY_ALLOWED})",
                quote(&c.start)
            ),
        )
    };
    let mut parts = c.start.split_whitespace();
    let (Some(day), Some(time), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad_start());
    };
    let day = Weekday::parse(day).ok_or_else(bad_start)?;
    let time = parse_clock(time, false).map_err(|m| cx.err("calendar.start", m))?;
    let horizon = match (c.days, c.weeks) {
        (Some(_), Some(_)) => {
            return Err(cx.err("calendar.weeks", "give either `days` or `weeks`, not both"))
        }
        (Some(d), None) => Some(("calendar.days", d, 1)),
        (None, Some(w)) => Some(("calendar.weeks", w, 7)),
        (None, None) => None,
    };
    let horizon = match horizon {
        None => None,
        Some((path, n, per)) => {
            if !(1..=MAX_DAYS / per).contains(&n) {
                return Err(cx.err(
                    path,
                    format!(
                        "must be a whole number from 1 to {}, got {n}",
                        MAX_DAYS / per
                    ),
                ));
            }
            Some((n * per) as f64 * DAY_S)
        }
    };
    let mut hours = [Some(OpenHours {
        open: 0,
        close: 86_400,
    }); 7];
    if let Some(table) = &c.opening_hours {
        // Days not listed are closed.
        hours = [None; 7];
        per_day(
            cx,
            "calendar.opening_hours",
            table,
            |path, _, v: &String| {
                if v.trim().eq_ignore_ascii_case("closed") {
                    return Ok(None);
                }
                OpenHours::parse(v).map(Some).map_err(|m| {
                    cx.err(
                        path,
                        format!("{m}; allowed: \"HH:MM-HH:MM\" with opening before closing inside one day (no overnight hours), or \"closed\""),
                    )
                })
            },
            &mut hours,
        )?;
        if hours.iter().all(Option::is_none) {
            return Err(cx.err(
                "calendar.opening_hours",
                "the center is never open: give at least one day opening hours such as \"08:00-18:00\"",
            ));
        }
    }
    let mut factors = [1.0; 7];
    if let Some(table) = &c.day_factors {
        per_day(
            cx,
            "calendar.day_factors",
            table,
            |path, _, &f: &f64| {
                if (0.0..=100.0).contains(&f) {
                    Ok(f)
                } else {
                    Err(cx.err(
                        path,
                        format!("must be a factor from 0 to 100, got {}", num(f)),
                    ))
                }
            },
            &mut factors,
        )?;
    }
    Ok(Some(Calendar {
        clock: WeekClock::new(day, f64::from(time), hours),
        horizon,
        factors,
    }))
}

/// With a calendar: the interval divides a day and the start and opening hours lie on its
/// grid (see the module docs).
pub fn check_grid(cx: &Ctx, cal: &Calendar, sim: &Simulation) -> Result<(), ScenarioError> {
    let i = sim.interval;
    let on_grid = |s: f64| (s / i - (s / i).round()).abs() < 1e-9;
    if !on_grid(DAY_S) {
        return Err(cx.err(
            "simulation.interval",
            format!(
                "{} does not divide a day; with a [calendar] use an interval such as 15m, 30m or 1h",
                format_duration(i)
            ),
        ));
    }
    if !on_grid(cal.clock.start_time()) {
        return Err(cx.err(
            "calendar.start",
            format!(
                "{} is not on the {} interval grid; start at a multiple of the interval after midnight",
                format_clock(cal.clock.start_time()),
                format_duration(i)
            ),
        ));
    }
    for d in Weekday::ALL {
        if let Some(h) = cal.clock.hours(d) {
            if !on_grid(f64::from(h.open)) || !on_grid(f64::from(h.close)) {
                return Err(cx.err(
                    format!("calendar.opening_hours.{}", d.key()),
                    format!(
                        "{}-{} is not on the {} interval grid; open and close at multiples of the interval",
                        format_clock(f64::from(h.open)),
                        format_clock(f64::from(h.close)),
                        format_duration(i)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `(day index, weekday, index of the open interval within the day)` of interval `k`, or
/// `None` when interval `k` is closed.
fn open_slot(cal: &Calendar, sim: &Simulation, k: usize) -> Option<(Weekday, usize)> {
    let t = k as f64 * sim.interval;
    if !cal.clock.is_open(t) {
        return None;
    }
    let (_, day, tod) = cal.clock.at(t);
    let open = f64::from(cal.clock.hours(day)?.open);
    Some((day, ((tod - open) / sim.interval).round() as usize))
}

/// A call type's arrival rates from its `profile`, or `None` when it has none (then the
/// plain keys apply; see [`mask_rates`]). Checks that a profile has a calendar, is given
/// alone, and fits every open day of the run.
pub fn profile_rates(
    cx: &Ctx,
    cal: Option<&Calendar>,
    sim: &Simulation,
    i: usize,
    c: &RawCallType,
) -> Result<Option<Vec<f64>>, ScenarioError> {
    let Some(profile) = &c.profile else {
        return Ok(None);
    };
    let path = format!("call_types[{i}].profile");
    let Some(cal) = cal else {
        return Err(cx.err(
            path,
            "needs a [calendar] (start and opening hours) to know which day is which; without one use `arrival_rate` or `volumes`",
        ));
    };
    if c.arrival_rate.is_some() || c.volumes.is_some() {
        return Err(cx.err(
            path,
            "give either `profile` or `arrival_rate`/`volumes`, not both",
        ));
    }
    let mut days: [Option<(&str, &Vec<f64>)>; 7] = [None; 7];
    per_day(
        cx,
        &path,
        profile,
        |p, key, v: &Vec<f64>| {
            let most = MAX_ARRIVAL_RATE * sim.interval / 3600.0;
            if let Some(n) = v.iter().position(|x| !(0.0..=most).contains(x)) {
                return Err(cx.err(
                    format!("{p}[{n}]"),
                    format!(
                        "must be an expected contact count per interval from 0 to {}, got {}",
                        num(most.floor()),
                        num(v[n])
                    ),
                ));
            }
            Ok(Some((key, v)))
        },
        &mut days,
    )?;
    // Every open day of the run has a profile of the right length.
    let last_day = cal.clock.day_index(sim.horizon);
    for d in 0..=last_day.min(7) {
        let day = cal.clock.weekday_of_day(d);
        let Some(h) = cal.clock.hours(day) else {
            continue;
        };
        let want = (h.len() / sim.interval).round() as usize;
        match &days[day.index()] {
            None => {
                return Err(cx.err(
                    path,
                    format!(
                        "no profile for {} (open {}-{}): add `{}` (or `weekday` for Mon–Fri) with {want} contact counts, one per {} interval",
                        day.name(),
                        format_clock(f64::from(h.open)),
                        format_clock(f64::from(h.close)),
                        day.key(),
                        format_duration(sim.interval)
                    ),
                ))
            }
            Some((key, v)) if v.len() != want => {
                return Err(cx.err(
                    format!("{path}.{key}"),
                    format!(
                        "has {} entries but {}'s opening hours {}-{} have {want} intervals of {}",
                        v.len(),
                        day.name(),
                        format_clock(f64::from(h.open)),
                        format_clock(f64::from(h.close)),
                        format_duration(sim.interval)
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let rates = (0..sim.intervals)
        .map(|k| match open_slot(cal, sim, k) {
            None => 0.0,
            Some((day, j)) => {
                let v = days[day.index()].as_ref().map_or(0.0, |(_, v)| v[j]);
                v * cal.factors[day.index()] / sim.interval_len(k)
            }
        })
        .collect();
    Ok(Some(rates))
}

/// Under a calendar, a constant `arrival_rate` applies in open intervals only, times the
/// day's factor.
pub fn mask_rates(cal: &Calendar, sim: &Simulation, rates: &mut [f64]) {
    for (k, r) in rates.iter_mut().enumerate() {
        *r = match open_slot(cal, sim, k) {
            None => 0.0,
            Some((day, _)) => *r * cal.factors[day.index()],
        };
    }
}

/// Under a calendar, a constant `agents` headcount works in open intervals only.
pub fn mask_staffing(cal: &Calendar, sim: &Simulation, staffing: &mut [u32]) {
    for (k, n) in staffing.iter_mut().enumerate() {
        if open_slot(cal, sim, k).is_none() {
            *n = 0;
        }
    }
}

/// A group's `shrinkage`, in [0, 1).
pub fn shrinkage(cx: &Ctx, i: usize, s: Option<f64>) -> Result<f64, ScenarioError> {
    let s = s.unwrap_or(0.0);
    if (0.0..1.0).contains(&s) {
        Ok(s)
    } else {
        Err(cx.err(
            format!("agent_groups[{i}].shrinkage"),
            format!("must be a share of scheduled time from 0 up to (not including) 1, such as 0.3, got {}", num(s)),
        ))
    }
}

/// `simulation.arrival_uncertainty`: a coefficient of variation from 0 to 10.
pub fn arrival_uncertainty(cx: &Ctx, cv: Option<f64>) -> Result<f64, ScenarioError> {
    let cv = cv.unwrap_or(0.0);
    if (0.0..=10.0).contains(&cv) {
        Ok(cv)
    } else {
        Err(cx.err(
            "simulation.arrival_uncertainty",
            format!("must be a coefficient of variation from 0 (no uncertainty) to 10, such as 0.1, got {}", num(cv)),
        ))
    }
}

/// A group's staffing per interval and the breaks it owes, from its shifts.
pub type ShiftPlan = (Vec<u32>, Vec<BreakSlot>);

/// Each group's plan from `[[shifts]]`: per-interval staffing and the breaks it owes, `None`
/// for a group without shifts. Checks the group names, clock times, days, that each shift
/// lies inside its days' opening hours and each break inside its shift.
pub fn shift_plans(
    cx: &Ctx,
    cal: Option<&Calendar>,
    sim: &Simulation,
    shifts: &[RawShift],
    group_index: &HashMap<String, usize>,
    groups: usize,
) -> Result<Vec<Option<ShiftPlan>>, ScenarioError> {
    let mut plans: Vec<Option<(Vec<u64>, Vec<BreakSlot>)>> = vec![None; groups];
    if shifts.is_empty() {
        return Ok(Vec::from_iter((0..groups).map(|_| None)));
    }
    let Some(cal) = cal else {
        return Err(cx.err(
            "shifts",
            "shifts are given by clock time, so they need a [calendar] (start = \"Mon 08:00\" and opening hours)",
        ));
    };
    let interval = sim.interval;
    let on_grid = |s: f64| (s / interval - (s / interval).round()).abs() < 1e-9;
    for (j, s) in shifts.iter().enumerate() {
        let at = |key: &str| format!("shifts[{j}].{key}");
        let &g = group_index.get(&s.group).ok_or_else(|| {
            let mut known: Vec<&str> = group_index.keys().map(String::as_str).collect();
            known.sort_unstable();
            let known: Vec<String> = known.iter().take(20).map(|k| quote(k)).collect();
            cx.err(
                at("group"),
                format!(
                    "unknown agent group {}; known agent groups: {}",
                    quote(&s.group),
                    known.join(", ")
                ),
            )
        })?;
        let start = f64::from(parse_clock(&s.start, false).map_err(|m| cx.err(at("start"), m))?);
        let length = s.length.secs();
        if !(length > 0.0 && length <= DAY_S) {
            return Err(cx.err(at("length"), "must be longer than 0s and at most 24h"));
        }
        for (key, x) in [("start", start), ("length", length)] {
            if !on_grid(x) {
                return Err(cx.err(
                    at(key),
                    format!(
                        "{} is not on the {} interval grid; shifts start and last whole intervals",
                        if key == "start" {
                            format_clock(x)
                        } else {
                            format_duration(x)
                        },
                        format_duration(interval)
                    ),
                ));
            }
        }
        let end = start + length;
        if !(0..=MAX_AGENTS).contains(&s.agents) {
            return Err(cx.err(
                at("agents"),
                format!(
                    "must be a whole number of agents from 0 to {MAX_AGENTS}, got {}",
                    s.agents
                ),
            ));
        }
        let mut on = [false; 7];
        match &s.days {
            None => {
                for d in Weekday::ALL {
                    on[d.index()] = cal.clock.hours(d).is_some();
                }
            }
            Some(list) => {
                for (n, d) in list.iter().enumerate() {
                    let days = day_range(d).ok_or_else(|| {
                        cx.err(
                            format!("shifts[{j}].days[{n}]"),
                            format!("unknown weekday or range {}; write {WEEKDAY_ALLOWED}, or a range such as \"mon-fri\"", quote(d)),
                        )
                    })?;
                    for d in days {
                        on[d.index()] = true;
                    }
                }
            }
        }
        for d in Weekday::ALL.into_iter().filter(|d| on[d.index()]) {
            let span = format!("{}-{}", format_clock(start), format_clock(end));
            match cal.clock.hours(d) {
                None => {
                    return Err(cx.err(
                        at("days"),
                        format!("the shift works on {}, but the center is closed that day; shifts lie inside opening hours", d.name()),
                    ))
                }
                Some(h) if start < f64::from(h.open) || end > f64::from(h.close) => {
                    return Err(cx.err(
                        format!("shifts[{j}]"),
                        format!(
                            "runs {span} on {}, outside the opening hours {}-{}; shifts must lie inside their days' opening hours",
                            d.name(),
                            format_clock(f64::from(h.open)),
                            format_clock(f64::from(h.close))
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        let mut breaks = Vec::with_capacity(s.breaks.len());
        for (b, br) in s.breaks.iter().enumerate() {
            let at = |key: &str| format!("shifts[{j}].breaks[{b}].{key}");
            let earliest =
                f64::from(parse_clock(&br.earliest, false).map_err(|m| cx.err(at("earliest"), m))?);
            let latest =
                f64::from(parse_clock(&br.latest, false).map_err(|m| cx.err(at("latest"), m))?);
            let len = br.length.secs();
            if len <= 0.0 {
                return Err(cx.err(at("length"), "must be longer than 0s"));
            }
            if latest < earliest {
                return Err(cx.err(
                    at("latest"),
                    format!(
                        "{} is before the earliest start {}",
                        format_clock(latest),
                        format_clock(earliest)
                    ),
                ));
            }
            if earliest < start || latest + len > end {
                return Err(cx.err(
                    format!("shifts[{j}].breaks[{b}]"),
                    format!(
                        "{}-{} plus {} does not fit in the shift {}-{}; a break starts at or after the shift's start and ends (from its latest start) by the shift's end",
                        format_clock(earliest),
                        format_clock(latest),
                        format_duration(len),
                        format_clock(start),
                        format_clock(end)
                    ),
                ));
            }
            breaks.push((earliest, latest, len));
        }
        // Expand over every day the run touches.
        let plan = plans[g].get_or_insert_with(|| (vec![0; sim.intervals], Vec::new()));
        let agents = s.agents as u64;
        for d in 0..=cal.clock.day_index(sim.horizon) {
            if !on[cal.clock.weekday_of_day(d).index()] {
                continue;
            }
            let day0 = cal.clock.day_start(d);
            let (from, to) = (day0 + start, day0 + end);
            let k0 = (from.max(0.0) / interval).round() as usize;
            let k1 = ((to.min(sim.horizon) / interval).ceil() as usize).min(sim.intervals);
            for n in &mut plan.0[k0.min(k1)..k1] {
                *n += agents;
            }
            for &(earliest, latest, length) in &breaks {
                let at = day0 + earliest;
                if at >= 0.0 && at < sim.horizon && agents > 0 {
                    plan.1.push(BreakSlot {
                        earliest: at,
                        latest: day0 + latest,
                        length,
                        expires: to,
                        agents: agents as u32,
                    });
                }
            }
        }
    }
    plans
        .into_iter()
        .enumerate()
        .map(|(g, p)| {
            p.map(|(staffing, mut breaks)| {
                breaks.sort_by(|a, b| a.earliest.total_cmp(&b.earliest));
                let staffing = staffing
                    .into_iter()
                    .map(|n| {
                        u32::try_from(n).ok().filter(|&n| i64::from(n) <= MAX_AGENTS).ok_or_else(|| {
                            cx.err(
                                "shifts",
                                format!("the shifts of agent group {g} put {n} agents on at once; at most {MAX_AGENTS} are allowed"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((staffing, breaks))
            })
            .transpose()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validated::Scenario;

    /// Profiles land in their day's open intervals (× the day factor), closed intervals are
    /// empty, a constant `agents` works open hours only, shifts fill their intervals, and
    /// breaks are expanded per day with simulation times.
    #[test]
    fn profiles_and_shifts_expand_into_interval_arrays() {
        let s = Scenario::from_toml_str(
            r#"
[simulation]
interval = "1h"
[calendar]
start = "Fri 16:00"
days = 4
opening_hours = { weekday = "08:00-18:00", sat = "09:00-12:00" }
day_factors = { sat = 2.0 }
[[call_types]]
name = "v"
handle_time = { distribution = "exponential", mean = "4m" }
profile = { weekday = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], sat = [30, 20, 10] }
[[call_types]]
name = "e"
arrival_rate = 36
handle_time = { distribution = "exponential", mean = "4m" }
[[agent_groups]]
name = "a"
skills = ["v"]
[[agent_groups]]
name = "b"
skills = ["e"]
agents = 3
[[shifts]]
group = "a"
start = "09:00"
length = "3h"
days = ["sat", "mon"]
agents = 2
breaks = [{ earliest = "10:00", latest = "10:30", length = "10m" }]
"#,
            "t.toml",
            "t",
        )
        .unwrap();
        let h = 3600.0;
        let v = &s.call_types[0].arrival_rates;
        let e = &s.call_types[1].arrival_rates;
        // Fri 16:00 and 17:00 are the profile's last two entries; 18:00 closes.
        assert_eq!((v[0] * h, v[1] * h, v[2]), (9.0, 10.0, 0.0));
        // Sat 09:00 is 17 h after the start: 30 × 2.0.
        assert_eq!(
            (v[16], v[17] * h, v[18] * h, v[19] * h, v[20]),
            (0.0, 60.0, 40.0, 20.0, 0.0)
        );
        assert_eq!(v[40..56].iter().sum::<f64>(), 0.0); // Sunday
        assert_eq!(v[64] * h, 1.0); // Mon 08:00
        assert_eq!((e[0] * h, e[2], e[16], e[17] * h), (36.0, 0.0, 0.0, 72.0));
        let (a, b) = (&s.agent_groups[0], &s.agent_groups[1]);
        assert_eq!((b.staffing[0], b.staffing[2], b.staffing[17]), (3, 0, 3));
        assert_eq!(&a.staffing[16..21], &[0, 2, 2, 2, 0]);
        assert_eq!(&a.staffing[64..69], &[0, 2, 2, 2, 0]);
        assert_eq!(a.staffing.iter().sum::<u32>(), 12);
        let at: Vec<f64> = a.breaks.iter().map(|b| b.earliest / h).collect();
        assert_eq!(at, vec![18.0, 66.0]);
        assert_eq!(a.breaks[0].expires / h, 20.0);
        assert_eq!(s.calendar.as_ref().unwrap().label(66.0 * h), "Mon 10:00");
    }

    #[test]
    fn day_ranges_wrap() {
        assert_eq!(day_range("mon-fri").unwrap().len(), 5);
        assert_eq!(
            day_range("sat-mon").unwrap(),
            vec![Weekday::Sat, Weekday::Sun, Weekday::Mon]
        );
        assert_eq!(day_range("Tuesday").unwrap(), vec![Weekday::Tue]);
        assert!(day_range("mon-xyz").is_none());
        assert_eq!(day_key("weekday").unwrap().len(), 5);
    }
}
