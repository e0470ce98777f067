//! The one error type of scenario reading and validation. Messages are single paragraphs that
//! name the file and, where there is one, the key path (`call_types[1].handle_time.mean`) or
//! the line and column, and say what is allowed.

/// Why a scenario was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be opened or read.
    // The cause is part of the message (not a `source`), so every way of printing the error
    // shows it exactly once.
    #[error("{file}: cannot read the file: {cause}")]
    Io {
        /// The path as given.
        file: String,
        /// What the operating system reported.
        cause: std::io::Error,
    },
    /// The file is larger than the input limit; reading stopped at the limit.
    #[error(
        "{file}: larger than the input limit of {limit} bytes; scenario files are normally a few kilobytes — if this one really is this large, raise the limit with the environment variable {env}=BYTES (e.g. {env}=64MiB)",
        env = super::MAX_INPUT_ENV
    )]
    TooLarge {
        /// The path as given.
        file: String,
        /// The limit in bytes that was exceeded.
        limit: u64,
    },
    /// Parsing the file would take more memory than the budget (checked before parsing).
    #[error("{}", parse_memory_message(file, *bytes, *estimate, *budget, *read_all))]
    ParseMemory {
        /// The path as given.
        file: String,
        /// The file's size in bytes.
        bytes: u64,
        /// The estimated peak of parsing it ([`super::parse_peak_bytes`]).
        estimate: u64,
        /// The budget it exceeds.
        budget: u64,
        /// The whole file was read (else `bytes` is where reading stopped: already too
        /// much to parse within the budget).
        read_all: bool,
    },
    /// The input-limit environment variable does not hold a size.
    #[error(
        "environment variable {env}={value}: expected a size in bytes such as 16777216, 64MiB or 1GiB",
        env = super::MAX_INPUT_ENV
    )]
    Limit {
        /// The variable's value, quoted.
        value: String,
    },
    /// The text is not valid TOML (or not UTF-8).
    #[error("{file}: {location}{message}")]
    Syntax {
        /// The path (or label) of the text.
        file: String,
        /// "line L, column C: " when known, else empty.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// Valid TOML, but a key is missing, unknown, of the wrong type or out of range.
    #[error("{file}: {path}: {message}")]
    Invalid {
        /// The path (or label) of the text.
        file: String,
        /// The key path, e.g. `call_types[0].patience`, or `(top level)`.
        path: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// A user's string quoted for a message: at most 60 characters, control characters escaped,
/// so a long or odd value cannot flood or break the one-paragraph message.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // TOML's own escapes, so the value reads as it would be written in the file.
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The message of [`ScenarioError::ParseMemory`]: the whole file read and estimated, or
/// reading stopped once the file was already too long to parse within the budget.
fn parse_memory_message(
    file: &str,
    bytes: u64,
    estimate: u64,
    budget: u64,
    read_all: bool,
) -> String {
    let fmt = |b: u64| super::format_bytes(b as f64);
    let what = if read_all {
        format!(
            "parsing this {} file would take up to {} of memory",
            fmt(bytes),
            fmt(estimate)
        )
    } else {
        format!(
            "longer than {} (reading stopped there), so parsing it would take more",
            fmt(bytes.saturating_sub(1))
        )
    };
    format!(
        "{file}: {what} (the TOML parser holds every value, key and table of the document at once), above the memory budget of {} (--memory-limit; by default half of the machine's memory or of its container's limit); scenario files are normally a few kilobytes — raise --memory-limit if the machine has the memory, or make the file smaller (fewer intervals, shorter arrays)",
        fmt(budget)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_stay_short_and_on_one_line() {
        let q = quote(&"x\n".repeat(100));
        assert!(!q.contains('\n'));
        assert!(q.chars().count() < 140);
        assert_eq!(quote("3m"), "\"3m\"");
        assert_eq!(quote("a\nb\u{7}"), "\"a\\nb\\u0007\"");
    }
}
