//! Building the channel keys: a call type's `channel` and `callback` (virtual hold), and an
//! agent group's `max_concurrent` and `chat_slowdown`. Defaults (voice, no callback, one
//! contact at a time, no slowdown) leave the plain model unchanged; the rules are in
//! docs/model.md ("Chat", "Callbacks").

use super::checks::{describe, num, probability, quote, Ctx};
use crate::model::{Callback, Channel};
use crate::scenario::parse::raw::{RawAgentGroup, RawCallType};
use crate::scenario::ScenarioError;

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
        None | Some("voice") => Channel::Voice,
        Some("chat") => Channel::Chat,
        Some("email") => {
            return Err(cx.err(
                at("channel"),
                "\"email\" is not simulated yet; allowed: \"voice\" or \"chat\"",
            ))
        }
        Some(other) => {
            return Err(cx.err(
                at("channel"),
                format!(
                    "unknown channel {}; allowed: \"voice\" or \"chat\"",
                    quote(other)
                ),
            ))
        }
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
