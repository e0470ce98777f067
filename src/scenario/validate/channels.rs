//! Building the channel keys: a call type's `channel` and `callback` (virtual hold), and an
//! agent group's `max_concurrent` and `chat_slowdown`. Defaults (voice, no callback, one
//! contact at a time, no slowdown) leave the plain model unchanged; the rules are in
//! docs/model.md ("Chat", "Callbacks").

use super::checks::{describe, num, probability, quote, Ctx};
use crate::model::{Callback, Channel};
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::{RawAgentGroup, RawCallType};

/// Largest `max_concurrent`: far above any real chat desk (3–5), small enough that slot
/// counts (headcount × chats) stay far inside `u32`.
pub const MAX_CONCURRENT: i64 = 100;

/// Largest `chat_slowdown`: a 100-fold stretch per extra chat is already absurd.
pub const MAX_CHAT_SLOWDOWN: f64 = 100.0;

/// `call_types[i].channel` and `call_types[i].callback`.
pub fn call_type_channel(
    cx: &Ctx,
    i: usize,
    c: &RawCallType,
) -> Result<(Channel, Option<Callback>), ScenarioError> {
    let at = |key: &str| format!("call_types[{i}].{key}");
    let channel = match c.channel.as_deref() {
        None => Channel::Voice,
        Some(s) => Channel::parse(s).ok_or_else(|| {
            cx.err(
                at("channel"),
                format!(
                    "unknown channel {}; allowed: \"voice\", \"chat\", \"email\"",
                    quote(s)
                ),
            )
        })?,
    };
    let callback = match &c.callback {
        None => None,
        Some(_) if channel != Channel::Voice => {
            return Err(cx.err(
                at("callback"),
                "callbacks (virtual hold) are for voice call types only: a chat customer holds no line; remove `callback` or set channel = \"voice\"",
            ))
        }
        Some(cb) => Some(Callback {
            offer_after: cb.offer_after.secs(),
            accept_probability: probability(
                cx,
                &at("callback.accept_probability"),
                cb.accept_probability,
            )?,
            only_when_idle: cb.only_when_idle.unwrap_or(false),
        }),
    };
    Ok((channel, callback))
}

/// `agent_groups[i].max_concurrent` and `agent_groups[i].chat_slowdown`.
pub fn group_concurrency(
    cx: &Ctx,
    i: usize,
    g: &RawAgentGroup,
) -> Result<(u32, f64), ScenarioError> {
    let at = |key: &str| format!("agent_groups[{i}].{key}");
    let allowed = format!("a whole number of chats from 1 to {MAX_CONCURRENT}");
    let max_concurrent = match &g.max_concurrent {
        None => 1,
        Some(toml::Value::Integer(k)) if (1..=MAX_CONCURRENT).contains(k) => *k as u32,
        Some(v) => {
            return Err(cx.err(
                at("max_concurrent"),
                format!("must be {allowed}, got {}", describe(v)),
            ))
        }
    };
    let chat_slowdown = g.chat_slowdown.unwrap_or(0.0);
    if !(0.0..=MAX_CHAT_SLOWDOWN).contains(&chat_slowdown) {
        return Err(cx.err(
            at("chat_slowdown"),
            format!(
                "must be a share from 0 to {MAX_CHAT_SLOWDOWN} (0.15: each extra chat in hand stretches a new chat's handle time by 15%), got {}",
                num(chat_slowdown)
            ),
        ));
    }
    Ok((max_concurrent, chat_slowdown))
}

#[cfg(test)]
mod tests {
    use crate::model::Channel;
    use crate::scenario::validated::Scenario;

    const BASE: &str = r#"
[simulation]
horizon = "8h"
[[call_types]]
name = "general"
arrival_rate = 60.0
handle_time = { distribution = "exponential", mean = "4m" }
[[agent_groups]]
name = "tier1"
skills = ["general"]
agents = 5
"#;

    fn build(text: &str) -> Result<Scenario, String> {
        Scenario::from_toml_str(text, "t.toml", "t").map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_voice_one_contact_at_a_time_no_callback() {
        let s = build(BASE).unwrap();
        assert_eq!(s.call_types[0].channel, Channel::Voice);
        assert!(s.call_types[0].callback.is_none());
        assert_eq!(
            (
                s.agent_groups[0].max_concurrent,
                s.agent_groups[0].chat_slowdown
            ),
            (1, 0.0)
        );
    }

    #[test]
    fn keys_are_read() {
        let s = build(
            &BASE
                .replace(
                    "arrival_rate = 60.0",
                    "arrival_rate = 60.0\ncallback = { offer_after = \"90s\", accept_probability = 0.5, only_when_idle = true }",
                )
                .replace("agents = 5", "agents = 5\nmax_concurrent = 3\nchat_slowdown = 0.2"),
        )
        .unwrap();
        let cb = s.call_types[0].callback.unwrap();
        assert_eq!(
            (cb.offer_after, cb.accept_probability, cb.only_when_idle),
            (90.0, 0.5, true)
        );
        assert_eq!(
            (
                s.agent_groups[0].max_concurrent,
                s.agent_groups[0].chat_slowdown
            ),
            (3, 0.2)
        );
        let chat =
            build(&BASE.replace("arrival_rate", "channel = \"chat\"\narrival_rate")).unwrap();
        assert_eq!(chat.call_types[0].channel, Channel::Chat);
    }

    /// Chat windows count as capacity only for chats, at the most any serving group offers.
    #[test]
    fn windows_per_type() {
        let s = build(&format!(
            "{BASE}max_concurrent = 3\n[[call_types]]\nname = \"web\"\nchannel = \"chat\"\narrival_rate = 10.0\nhandle_time = {{ distribution = \"exponential\", mean = \"4m\" }}\n[[agent_groups]]\nname = \"chat\"\nskills = [\"web\", \"general\"]\nagents = 2\nmax_concurrent = 4\n"
        ))
        .unwrap();
        assert_eq!((s.max_windows(0), s.max_windows(1)), (1, 4));
        let (general, web) = (&s.call_types[0], &s.call_types[1]);
        assert_eq!(Scenario::windows(general, &s.agent_groups[1]), 1);
        assert_eq!(Scenario::windows(web, &s.agent_groups[1]), 4);
    }

    /// An unknown channel is refused, naming what is allowed.
    #[test]
    fn unknown_channel_is_refused() {
        let m =
            build(&BASE.replace("arrival_rate", "channel = \"fax\"\narrival_rate")).unwrap_err();
        assert!(
            m.contains("call_types[0].channel") && m.contains("\"voice\", \"chat\", \"email\""),
            "{m}"
        );
    }

    #[test]
    fn max_concurrent_must_be_a_whole_number_from_1() {
        for bad in ["0", "-1", "2.5", "101", "\"3\""] {
            let m =
                build(&BASE.replace("agents = 5", &format!("agents = 5\nmax_concurrent = {bad}")))
                    .unwrap_err();
            assert!(
                m.contains("agent_groups[0].max_concurrent") && m.contains("from 1 to 100"),
                "{bad}: {m}"
            );
        }
    }
}
