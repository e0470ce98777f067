//! serde's messages in the scenario's own words. Deserialising the mirror reports
//! `invalid type: string "3m", expected struct RawDistribution` or ``missing field `mean` ``;
//! users should read `expected a distribution table such as …, found the string "3m"` and
//! `missing: a required key`, at the key path, with no Rust type in sight.
//!
//! serde formats its errors before we see them, so this works on the text of serde's fixed
//! message shapes (`invalid type: U, expected E`, `missing field`, `unknown field`, …); the
//! raw mirror's `#[serde(expecting = …)]` attributes supply the human `E` for every table.
//! Anything unrecognised passes through with type names scrubbed.

use crate::scenario::error::quote;

/// Rewrites serde message `message` raised at key path `path` (serde_path_to_error's form,
/// `.` for the top level) into a (key path, message) pair for [`super::ScenarioError`].
pub fn humanize(path: &str, message: &str) -> (String, String) {
    let (path, message) = in_words(path, message);
    (shorten(&path), message)
}

/// serde_path_to_error's path in the scenario's notation (`call_types[0].handle_time`), with
/// a key that is not a bare TOML key (a newline, a space, a dot in it) quoted and escaped, so
/// an odd key is shown once, on one line, as it would be written in the file.
pub fn key_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&key_segment(key));
            }
            Segment::Unknown => out.push_str(if out.is_empty() { "?" } else { ".?" }),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// A key as one segment of a key path: as written when it is a bare TOML key, else quoted.
fn key_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        quote(key)
    }
}

fn in_words(path: &str, message: &str) -> (String, String) {
    let path = if path == "." || path.is_empty() {
        None
    } else {
        Some(path)
    };
    let at = |key: &str| match path {
        Some(p) => format!("{p}.{}", key_segment(key)),
        None => key_segment(key),
    };
    let here = || path.map_or_else(|| "(top level)".to_string(), str::to_string);
    // Field names are taken from the message as serde wrote it, before it is put on one line,
    // so a key with a newline in it stays the key it is.
    let raw = message;
    let message = one_line(message);

    if let Some(field) = ticked(raw, "missing field `") {
        return (at(&field), "missing: this key is required here".into());
    }
    // serde_path_to_error already ends the path with the unknown key itself.
    let at_unknown = |key: &str| {
        let seg = key_segment(key);
        match path {
            Some(p) if p == seg || p.ends_with(&format!(".{seg}")) => p.to_string(),
            _ => at(key),
        }
    };
    if let Some(field) = ticked(raw, "unknown field `") {
        let allowed: Vec<String> = raw
            .split_once(", expected ")
            .map(|(_, rest)| {
                rest.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let allowed = if allowed.is_empty() {
            "none".to_string()
        } else {
            allowed.join(", ")
        };
        return (
            at_unknown(&field),
            format!(
                "unknown key {}; allowed keys here: {allowed}",
                quote(&field)
            ),
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((unexpected, expected)) = rest.rsplit_once(", expected ") {
                return (
                    here(),
                    format!(
                        "expected {}, found {}",
                        expected_in_words(expected),
                        unexpected_in_words(unexpected)
                    ),
                );
            }
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        if let Some((n, expected)) = rest.split_once(", expected ") {
            return (
                here(),
                format!(
                    "expected {}, found {n} entries",
                    expected_in_words(expected)
                ),
            );
        }
    }
    (here(), scrub(&message))
}

/// A key path with every overlong key cut to 60 characters, so a user's 2000-character key
/// does not make a 2000-character message.
fn shorten(path: &str) -> String {
    const MAX: usize = 60;
    if path.len() <= MAX {
        return path.to_string();
    }
    path.split('.')
        .map(|seg| {
            if seg.chars().count() > MAX {
                seg.chars().take(MAX).chain(['…']).collect()
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A message on one line: toml's multi-line explanations joined with "; ".
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The name between `` prefix` `` and the next backtick, if the message starts with prefix.
fn ticked(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest.split('`').next()?.to_string())
}

/// serde's "expected" phrase (a visitor's `expecting`) in a user's words.
fn expected_in_words(expected: &str) -> String {
    // Our own `expecting` texts (durations) may already start with the word.
    let expected = expected.strip_prefix("expected ").unwrap_or(expected);
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "isize"
        | "usize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a string" | "a borrowed string" | "char" | "a character" => "a string in quotes".into(),
        "a sequence" => "an array [ … ]".into(),
        "a map" => "a table".into(),
        e if e.starts_with("struct ") || e.starts_with("enum ") || e.starts_with("tuple") => {
            "a table".into()
        }
        e => scrub(e),
    }
}

/// serde's `Unexpected` display (`string "3m"`, ``integer `5` ``, `map`) in a user's words.
fn unexpected_in_words(unexpected: &str) -> String {
    let inner = |s: &str| s.trim_matches('`').to_string();
    if let Some(s) = unexpected.strip_prefix("string ") {
        // serde shows the string in Rust debug form; undo the outer quotes and re-quote
        // (shortened, escaped) so a long value cannot flood the message.
        let body = s
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(s);
        return format!("the string {}", quote(&undo_debug_escapes(body)));
    }
    if let Some(n) = unexpected
        .strip_prefix("integer ")
        .or_else(|| unexpected.strip_prefix("floating point "))
    {
        return format!("the number {}", inner(n));
    }
    if let Some(b) = unexpected.strip_prefix("boolean ") {
        return format!("the boolean {}", inner(b));
    }
    match unexpected {
        "sequence" => "an array".into(),
        "map" => "a table".into(),
        other => scrub(other),
    }
}

/// The string inside Rust's debug quotes, with its escapes (`\n`, `\"`, `\u{7}`) undone, so
/// [`quote`] escapes it once, in TOML's way.
fn undo_debug_escapes(debug: &str) -> String {
    let mut out = String::new();
    let mut chars = debug.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars
                    .by_ref()
                    .skip_while(|&c| c == '{')
                    .take_while(|&c| c != '}')
                    .collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Last resort for a message shape not recognised above: Rust type names replaced by what
/// they mean in a scenario.
fn scrub(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, words) in [
        ("Option<", "optional <"),
        ("struct ", ""),
        ("enum ", ""),
        ("Raw", ""),
    ] {
        out = out.replace(rust, words);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_shapes_become_plain_words() {
        let (p, m) = humanize(
            "call_types[0].patience",
            "invalid type: string \"3m\", expected a distribution table such as { distribution = \"exponential\", mean = \"3m\" }",
        );
        assert_eq!(p, "call_types[0].patience");
        assert_eq!(
            m,
            "expected a distribution table such as { distribution = \"exponential\", mean = \"3m\" }, found the string \"3m\""
        );
        let (p, m) = humanize("simulation", "missing field `horizon`");
        assert_eq!(
            (p.as_str(), m.as_str()),
            ("simulation.horizon", "missing: this key is required here")
        );
        let (p, m) = humanize(
            "call_types[1]",
            "unknown field `colour`, expected one of `name`, `arrival_rate`",
        );
        assert_eq!(p, "call_types[1].colour");
        assert_eq!(
            m,
            "unknown key \"colour\"; allowed keys here: name, arrival_rate"
        );
        let (p, m) = humanize(".", "invalid type: floating point `1.5`, expected i64");
        assert_eq!(
            (p.as_str(), m.as_str()),
            (
                "(top level)",
                "expected a whole number, found the number 1.5"
            )
        );
        let (_, m) = humanize("x", "invalid type: map, expected struct RawThing");
        assert_eq!(m, "expected a table, found a table");
        let (p, _) = humanize(
            "call_types[0].colour",
            "unknown field `colour`, expected `name`",
        );
        assert_eq!(p, "call_types[0].colour");
        let long = "k".repeat(500);
        let (p, m) = humanize(
            &format!("call_types[0].{long}"),
            &format!("unknown field `{long}`, expected `name`"),
        );
        assert!(
            p.chars().count() < 80 && m.chars().count() < 120,
            "{p}: {m}"
        );
    }
}
