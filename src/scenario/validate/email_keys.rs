//! Building the email and service-level keys of a call type: `channel = "email"` (deferred
//! work: no `patience`, worked after live channels unless `priority` says otherwise, arriving
//! around the clock) and `service_level_threshold` (a wait or business time). The rules are
//! in docs/model.md ("Email and business-time service levels").

use super::calendar_keys::Calendar;
use super::checks::{quote, Ctx};
use crate::model::{Channel, SlThreshold};
use crate::scenario::duration::parse_duration;
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::RawCallType;
use crate::scenario::validated::Simulation;

/// What a `service_level_threshold` may be, for error messages.
const THRESHOLD_ALLOWED: &str = "a duration such as \"20s\" or \"2m\" (a wait until answered), \"N business hours\" (N > 0, e.g. \"4 business hours\") or \"N business days\" (a whole N from 1, e.g. \"1 business day\")";

/// `call_types[i].service_level_threshold` (default: `simulation.service_level_threshold`
/// as a wait), and whether the type is worked after live channels (`after_live`: an email
/// type without an explicit `priority`). Refuses `patience` on an email type, and business
/// time on a center that never opens.
pub fn call_type_email(
    cx: &Ctx,
    sim: &Simulation,
    cal: Option<&Calendar>,
    i: usize,
    c: &RawCallType,
    channel: Channel,
) -> Result<(SlThreshold, bool), ScenarioError> {
    let at = |key: &str| format!("call_types[{i}].{key}");
    if channel == Channel::Email && c.patience.is_some() {
        return Err(cx.err(
            at("patience"),
            "an email has no patience: it waits (overnight too) until an agent answers it; remove `patience` or use channel = \"voice\" or \"chat\"",
        ));
    }
    let threshold = match c.service_level_threshold.as_deref() {
        None => SlThreshold::Wait(sim.service_level_threshold),
        Some(s) => match SlThreshold::parse_business(s) {
            Some(t) => t,
            None if s.to_ascii_lowercase().contains("business") => {
                return Err(cx.err(
                    at("service_level_threshold"),
                    format!(
                        "{} is not a business time; allowed: {THRESHOLD_ALLOWED}",
                        quote(s)
                    ),
                ))
            }
            None => SlThreshold::Wait(parse_duration(s).map_err(|m| {
                cx.err(
                    at("service_level_threshold"),
                    format!("{m}; allowed: {THRESHOLD_ALLOWED}"),
                )
            })?),
        },
    };
    if threshold.is_business() && cal.is_some_and(|k| !k.clock.ever_open()) {
        return Err(cx.err(
            at("service_level_threshold"),
            "business time needs a center that opens: calendar.opening_hours opens on no day",
        ));
    }
    let after_live = channel == Channel::Email && c.priority.is_none();
    Ok((threshold, after_live))
}

/// Under a calendar, an email type's constant `arrival_rate` applies around the clock (emails
/// arrive while the center is closed, and wait for its opening), times the day's factor.
pub fn around_the_clock(cal: &Calendar, sim: &Simulation, rates: &mut [f64]) {
    for (k, r) in rates.iter_mut().enumerate() {
        let day = cal.clock.weekday(k as f64 * sim.interval);
        *r *= cal.factors[day.index()];
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Channel, SlThreshold};
    use crate::scenario::validated::Scenario;

    const BASE: &str = r#"
[simulation]
interval = "1h"
[calendar]
start = "Mon 00:00"
days = 7
opening_hours = { weekday = "08:00-17:00" }
day_factors = { mon = 2.0 }
[[call_types]]
name = "mail"
channel = "email"
arrival_rate = 6.0
handle_time = { distribution = "exponential", mean = "12m" }
[[agent_groups]]
name = "backoffice"
skills = ["mail"]
agents = 5
"#;

    fn build(text: &str) -> Result<Scenario, String> {
        Scenario::from_toml_str(text, "t.toml", "t").map_err(|e| e.to_string())
    }

    #[test]
    fn email_defaults() {
        let s = build(BASE).unwrap();
        let mail = &s.call_types[0];
        assert_eq!(mail.channel, Channel::Email);
        assert!(mail.after_live);
        assert_eq!(mail.service_level, SlThreshold::Wait(20.0));
        // Around the clock, × the day factor: Monday 03:00 and Tuesday 03:00.
        assert_eq!(mail.arrival_rates[3], 2.0 * 6.0 / 3600.0);
        assert_eq!(mail.arrival_rates[27], 6.0 / 3600.0);
        // Agents only while open.
        assert_eq!(s.agent_groups[0].staffing[3], 0);
        assert_eq!(s.agent_groups[0].staffing[9], 5);
        let explicit = build(&BASE.replace("channel", "priority = 0\nchannel")).unwrap();
        assert!(!explicit.call_types[0].after_live);
    }

    #[test]
    fn thresholds_are_read() {
        for (text, want) in [
            ("1 business day", SlThreshold::BusinessDays(1)),
            ("4 business hours", SlThreshold::BusinessSeconds(14_400.0)),
            ("90s", SlThreshold::Wait(90.0)),
        ] {
            let s = build(&BASE.replace(
                "channel",
                &format!("service_level_threshold = \"{text}\"\nchannel"),
            ))
            .unwrap();
            assert_eq!(s.call_types[0].service_level, want, "{text}");
        }
    }

    #[test]
    fn email_with_patience_is_refused() {
        let m = build(&BASE.replace(
            "channel",
            "patience = { distribution = \"exponential\", mean = \"1h\" }\nchannel",
        ))
        .unwrap_err();
        assert!(
            m.contains("call_types[0].patience") && m.contains("no patience"),
            "{m}"
        );
    }

    #[test]
    fn bad_thresholds_are_refused() {
        for bad in [
            "1 business week",
            "0 business days",
            "1.5 business days",
            "soon",
            "-5s",
            "20",
        ] {
            let m = build(&BASE.replace(
                "channel",
                &format!("service_level_threshold = \"{bad}\"\nchannel"),
            ))
            .unwrap_err();
            assert!(
                m.contains("call_types[0].service_level_threshold") && m.contains("business days"),
                "{bad}: {m}"
            );
        }
    }

    #[test]
    fn never_open_center_is_refused() {
        let m = build(
            &BASE
                .replace(
                    "opening_hours = { weekday = \"08:00-17:00\" }",
                    "opening_hours = { weekday = \"closed\", sat = \"closed\", sun = \"closed\" }",
                )
                .replace(
                    "channel",
                    "service_level_threshold = \"1 business day\"\nchannel",
                ),
        )
        .unwrap_err();
        // The calendar refuses it first; either way the run never starts.
        assert!(
            m.contains("opening_hours") || m.contains("service_level_threshold"),
            "{m}"
        );
    }
}
