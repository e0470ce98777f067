//! Stage one of reading a scenario: the file's bytes (bounded by an input limit), the TOML
//! syntax, and the serde mirror of the file ([`raw`]). Every error names the file and a line
//! and column or a key path, in one paragraph and in the scenario's own words — serde's
//! messages are rewritten by [`messages`] so no Rust type name reaches the user.
//!
//! This module knows nothing of the validated model: the mirror is turned into a
//! [`Scenario`](super::Scenario) by `validate`, and [`Scenario::from_file`](super::Scenario::from_file),
//! `from_toml_str` and `from_table` (in the parent module) run both stages.

mod messages;
pub(crate) mod raw;
pub(crate) mod raw_program;
pub(crate) mod raw_week;
mod tables;

use super::error::quote;
use super::ScenarioError;
use std::io::Read;
use std::path::Path;

/// Default input limit: 16 MiB. Scenario files are a few kilobytes; the limit only keeps a
/// wrong path (a device, a huge log) from being read into memory whole.
pub const DEFAULT_MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Environment variable that raises (or lowers) the input limit: a byte count, optionally
/// with a binary unit (`64MiB`, `1GiB`, `512K`).
pub const MAX_INPUT_ENV: &str = "CCSIM_MAX_INPUT";

/// The input limit in bytes: [`MAX_INPUT_ENV`] when set, else [`DEFAULT_MAX_INPUT`].
pub fn input_limit() -> Result<u64, ScenarioError> {
    match std::env::var_os(MAX_INPUT_ENV) {
        None => Ok(DEFAULT_MAX_INPUT),
        Some(v) => {
            let text = v.to_string_lossy();
            parse_size(&text).ok_or_else(|| ScenarioError::Limit {
                value: quote(&text),
            })
        }
    }
}

/// Parses a size such as `16777216`, `64MiB`, `64M`, `1GiB` or `512KiB` (binary units).
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "K" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(factor).filter(|&b| b > 0)
}

/// Reads a text input file (scenario or sweep file) whole, refusing it after reading at most
/// [`input_limit`] + 1 bytes when it is larger, so a device such as `/dev/zero` is refused at
/// once instead of filling memory. Non-UTF-8 text is a syntax error naming the line.
pub fn read_input(path: &Path) -> Result<String, ScenarioError> {
    read_limited(path, input_limit()?)
}

/// [`read_input`], then refuses the text when parsing it would take more than `budget` bytes
/// of memory ([`parse_peak_bytes`]), before the parser allocates any of it: the input limit
/// bounds the file, not what its parse holds (a 16 MiB file of one-key inline tables would
/// take 4 GB).
pub fn read_input_within(path: &Path, budget: u64) -> Result<String, ScenarioError> {
    let limit = input_limit()?;
    // Parsing takes at least PARSE_BYTES_PER_BYTE a byte of text, so a file longer than the
    // budget allows for cannot be parsed within it: stop reading there. With the input limit
    // raised (`CCSIM_MAX_INPUT=2GiB`), `validate --memory-limit 100MB /dev/zero` read 2 GB
    // before refusing it.
    let fits = budget / PARSE_BYTES_PER_BYTE;
    if fits < limit {
        return match read_limited(path, fits) {
            Err(ScenarioError::TooLarge { file, .. }) => Err(ScenarioError::ParseMemory {
                file,
                bytes: fits + 1,
                estimate: (fits + 1) * PARSE_BYTES_PER_BYTE,
                budget,
                read_all: false,
            }),
            Err(e) => Err(e),
            Ok(text) => {
                check_parse_memory(&text, &path.display().to_string(), budget)?;
                Ok(text)
            }
        };
    }
    let text = read_limited(path, limit)?;
    check_parse_memory(&text, &path.display().to_string(), budget)?;
    Ok(text)
}

/// Refuses `text` (read from `file`) when [`parse_peak_bytes`] exceeds `budget`.
fn check_parse_memory(text: &str, file: &str, budget: u64) -> Result<(), ScenarioError> {
    let estimate = parse_peak_bytes(text);
    if estimate <= budget {
        return Ok(());
    }
    Err(ScenarioError::ParseMemory {
        file: file.to_string(),
        bytes: text.len() as u64,
        estimate,
        budget,
        read_all: true,
    })
}

/// Bytes the parser's structures may take, at most, per `,` (an array element).
const PARSE_BYTES_PER_ELEMENT: u64 = 350;
/// Per `=` (a key and its value).
const PARSE_BYTES_PER_KEY: u64 = 450;
/// Per `{`, `[` or key-separating `.` (a table or array, which allocates its own map or vector).
const PARSE_BYTES_PER_TABLE: u64 = 1_500;
/// Per byte of text (the text itself, and strings and keys copied more than once).
const PARSE_BYTES_PER_BYTE: u64 = 10;

/// An upper bound on the memory that parsing `text` as TOML holds at its peak (the text, the
/// parser's document with spans, and the [`toml::Table`] built from it), from one pass over
/// the bytes: a weight per element (`,`), key (`=`), table or array (`{`, `[`, and a `.`
/// between key parts — not a decimal point between digits) and byte. Fitted on the shapes
/// in `tests/e2e/parse_memory.rs`, which checks the bound against the allocations of a real
/// parse: per unit, a float element holds about 330 bytes (estimated 400), an integer element
/// 160 (370), a one-key inline table element 1,490 (2,360), a key in a table 470 (about 550),
/// a dotted key 1,810 (about 2,080), a long string 9.5 per byte (10). Resident memory stays below
/// the allocations (a 16 MiB array of floats: 833 MB resident, estimated 1.3 GB). Ordinary
/// scenarios come to well under a megabyte. Characters inside strings and comments count too,
/// which only over-estimates.
pub fn parse_peak_bytes(text: &str) -> u64 {
    let b = text.as_bytes();
    let (mut elements, mut keys, mut tables) = (0u64, 0u64, 0u64);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b',' => elements += 1,
            b'=' => keys += 1,
            b'{' | b'[' => tables += 1,
            b'.' => {
                let digit =
                    |j: Option<usize>| j.and_then(|j| b.get(j)).is_some_and(u8::is_ascii_digit);
                if !(digit(i.checked_sub(1)) && digit(Some(i + 1))) {
                    tables += 1;
                }
            }
            _ => {}
        }
    }
    elements * PARSE_BYTES_PER_ELEMENT
        + keys * PARSE_BYTES_PER_KEY
        + tables * PARSE_BYTES_PER_TABLE
        + b.len() as u64 * PARSE_BYTES_PER_BYTE
}

/// Human bytes: `512 kB`, `84 MB`, `3.4 GB` (decimal units, as `--memory-limit` reads them).
pub fn format_bytes(b: f64) -> String {
    if !b.is_finite() {
        return "more than any machine has".to_string();
    }
    match b {
        b if b >= 1e12 => format!("{:.1} TB", b / 1e12),
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.0} MB", b / 1e6),
        b => format!("{:.0} kB", b / 1e3),
    }
}

pub(super) fn read_limited(path: &Path, limit: u64) -> Result<String, ScenarioError> {
    let file = path.display().to_string();
    let io = |cause| ScenarioError::Io {
        file: file.clone(),
        cause,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ScenarioError::TooLarge { file, limit });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Everything before the bad byte is valid UTF-8, so it can be counted in characters.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        ScenarioError::Syntax {
            file,
            location: location(before),
            message: "the file is not UTF-8 text (a scenario is a TOML text file)".into(),
        }
    })
}

/// "line L, column C: " of the position just after `before`.
fn location(before: &str) -> String {
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!("line {line}, column {col}: ")
}

/// Parses scenario text into a TOML table; a syntax error names the line and column.
/// Public for the other TOML inputs (sweep files), so every file's syntax errors read alike.
pub fn toml_table(text: &str, source: &str) -> Result<toml::Table, ScenarioError> {
    toml::from_str(text).map_err(|e| syntax_error(source, text, &e))
}

/// Deserialises a TOML table into the file's mirror, with serde's messages rewritten to name
/// the key path and what is allowed.
pub(super) fn raw_scenario(
    table: toml::Table,
    source: &str,
) -> Result<raw::RawScenario, ScenarioError> {
    serde_path_to_error::deserialize(tables::Tables(toml::Value::Table(table))).map_err(|e| {
        let (path, message) =
            messages::humanize(&messages::key_path(e.path()), e.inner().message());
        ScenarioError::Invalid {
            file: source.to_string(),
            path,
            message,
        }
    })
}

/// Turns a TOML syntax error into "line L, column C: invalid TOML: message" on one line.
fn syntax_error(file: &str, text: &str, e: &toml::de::Error) -> ScenarioError {
    let location = match e.span() {
        Some(span) => {
            // The span is in bytes; step back to a character boundary before slicing.
            let mut start = span.start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            location(&text[..start])
        }
        None => String::new(),
    };
    let at_key = || {
        e.span()
            .and_then(|span| key_path_at(text, span.start))
            .map_or_else(String::new, |k| format!("{k}: "))
    };
    let message = match number_too_large(e.message()) {
        Some(m) => format!("{}{m}", at_key()),
        None => format!("invalid TOML: {}", messages::one_line(e.message())),
    };
    ScenarioError::Syntax {
        file: file.to_string(),
        location,
        message,
    }
}

/// The largest integer TOML holds, as a message shows it.
const TOML_MAX_INTEGER: &str = "9223372036854775807";
/// The smallest integer TOML holds.
const TOML_MIN_INTEGER: &str = "-9223372036854775808";
/// Where a number too large for TOML itself sends the user: the key's own range.
const KEY_RANGES: &str = "each key's own range is in docs/scenarios.md";

/// toml's messages for a number beyond what TOML holds (`invalid type: integer `1e20` as i128,
/// expected any valid TOML value`, `u64 value was too large`, `floating-point number
/// overflowed`) in plain words, or `None` for any other message.
fn number_too_large(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("invalid type: integer `") {
        let n = rest.split('`').next()?;
        if rest.contains("` as i128") {
            let (side, bound) = if n.starts_with('-') {
                ("small", format!("at least {TOML_MIN_INTEGER}"))
            } else {
                ("large", format!("at most {TOML_MAX_INTEGER}"))
            };
            return Some(format!(
                "the number {n} is too {side} for a TOML integer ({bound}); {KEY_RANGES}"
            ));
        }
    }
    match message.trim() {
        "u64 value was too large" => Some(format!(
            "the number is too large for a TOML integer (at most {TOML_MAX_INTEGER}); {KEY_RANGES}"
        )),
        "floating-point number overflowed" => Some(format!(
            "the number is too large for a TOML float (at most about 1.8e308); {KEY_RANGES}"
        )),
        _ => None,
    }
}

/// The key path of the value at byte `offset` of TOML `text`, read from the text itself (the
/// document did not parse, so there is no table to ask): the nearest `[table]` or
/// `[[array]]` header above (an array entry counted by its earlier headers) and the key that
/// starts the line, e.g. `agent_groups[0].agents`. `None` when the line does not start with
/// a key (a value continued from an earlier line).
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let (key, _) = before[line_start..].split_once('=')?;
    let key = key.trim();
    let bare = |k: &str| {
        !k.is_empty()
            && k.split('.').all(|part| {
                let part = part.trim();
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
    };
    if !bare(key) {
        return None;
    }
    let key: String = key.split('.').map(str::trim).collect::<Vec<_>>().join(".");
    // Headers are lines of the form [a.b] or [[a.b]]; the last one above is the table.
    let header = |line: &str| -> Option<(bool, String)> {
        let line = line.split('#').next()?.trim();
        let (array, name) = match line.strip_prefix("[[") {
            Some(rest) => (true, rest.strip_suffix("]]")?),
            None => (false, line.strip_prefix('[')?.strip_suffix(']')?),
        };
        let name: String = name.split('.').map(str::trim).collect::<Vec<_>>().join(".");
        bare(&name).then_some((array, name))
    };
    let lines: Vec<&str> = before[..line_start].lines().collect();
    let Some(at) = lines.iter().rposition(|l| header(l).is_some()) else {
        return Some(key);
    };
    let (array, name) = header(lines[at])?;
    let table = if array {
        let index = lines[..at]
            .iter()
            .filter(|l| header(l) == Some((true, name.clone())))
            .count();
        format!("{name}[{index}]")
    } else {
        name
    };
    Some(format!("{table}.{key}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("16777216"), Some(16 << 20));
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("1GiB"), Some(1 << 30));
        for bad in ["", "0", "-1", "1.5M", "12 parsecs", "99999999999999999999G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_file_over_the_limit_is_refused_after_reading_limit_plus_one_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.toml");
        std::fs::write(&p, "# x\n".repeat(100)).unwrap();
        let e = Scenario::from_file_with_limit(&p, 399).unwrap_err();
        let m = e.to_string();
        assert!(
            matches!(e, ScenarioError::TooLarge { limit: 399, .. }),
            "{m}"
        );
        assert!(m.contains("big.toml") && m.contains(MAX_INPUT_ENV), "{m}");
        // /dev/zero never ends: only the bounded read makes this return.
        if Path::new("/dev/zero").exists() {
            let e = Scenario::from_file_with_limit(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(matches!(e, ScenarioError::TooLarge { .. }), "{e}");
        }
    }

    #[test]
    fn non_utf8_text_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("latin1.toml");
        std::fs::write(&p, b"name = \"ok\"\nx = \"caf\xe9\"\n").unwrap();
        let m = Scenario::from_file(&p).unwrap_err().to_string();
        assert!(m.contains("latin1.toml: line 2, column 9"), "{m}");
    }
}
