//! The contract's JSON, written directly to a `std::io::Write` — no intermediate
//! `serde_json::Value` tree, so memory stays flat in the number of intervals and scopes.
//!
//! The text is byte-identical to `serde_json::to_string_pretty` of the equivalent value (two-space
//! indent, `"key": value`, empty containers as `{}`/`[]`, floats in serde_json's shortest
//! round-trip form, `null` for undefined) plus a trailing newline; keys keep report order.
//! Whole-second interval starts print as integers, as in the contract's example.

use super::Exporter;
use crate::experiment::{Metric, Outcome, Scope};
use std::io::{self, Write};

/// The JSON exporter: one object for one scenario, an array (in argument order) for several.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Exporter for Json {
    fn write(&self, outcomes: &[Outcome], w: &mut dyn Write) -> io::Result<()> {
        write_report(outcomes, &[], w)
    }
}

/// Entries a caller adds to one scenario's report object (`ccsim run` adds the assumption
/// intervals of the money figures): small values, written in place as the report streams,
/// so adding them costs no copy of the report (a parse of the written report into a
/// `serde_json::Value` and back took 97 MB for twelve weeks of hourly intervals).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Additions {
    /// Per metric of the overall scope, by name: entries appended to its estimate object,
    /// after `ci95` (none for an undefined metric, which is `null`).
    pub overall: Vec<MetricAdditions>,
    /// The same for each program day, `days[d]` (days beyond the report's are ignored).
    pub days: Vec<Vec<MetricAdditions>>,
    /// Entries appended to the scenario's object, after its last key.
    pub top: Vec<(String, serde_json::Value)>,
}

/// A metric's name and the entries added to its estimate object.
pub type MetricAdditions = (String, Vec<(String, serde_json::Value)>);

/// The report of `outcomes` with `additions[i]` added to scenario `i`'s object (fewer
/// additions than outcomes: the rest get none), written to `w`.
pub fn write_report(
    outcomes: &[Outcome],
    additions: &[Option<Additions>],
    w: &mut dyn Write,
) -> io::Result<()> {
    // The report is written in pieces of a few bytes: the writer buffers them, so each piece
    // is an inlined copy instead of a dynamic call through `w` (a year's 76 MB report: 0.6 s
    // of 3.4 when it was not buffered).
    let mut j = JsonWriter::new(w);
    let adds = |i: usize| additions.get(i).and_then(Option::as_ref);
    match outcomes {
        [one] => write_outcome_with(&mut j, one, adds(0))?,
        many => {
            j.begin_array()?;
            for (i, o) in many.iter().enumerate() {
                j.element()?;
                write_outcome_with(&mut j, o, adds(i))?;
            }
            j.end_array()?;
        }
    }
    j.newline()?;
    j.into_inner()?.flush()
}

/// Pretty text of a small `serde_json::Value` with a trailing newline: for the short reports
/// of `compare`, `staff` and `erlang`, laid out like the run report.
pub fn value_text(value: &serde_json::Value) -> String {
    let mut j = JsonWriter::new(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = j.value(value).and_then(|()| j.newline());
    String::from_utf8(j.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The contract's object for one scenario, at the writer's current position (a value: after
/// [`JsonWriter::key`] or [`JsonWriter::element`], or at the top).
pub fn write_outcome<W: Write>(j: &mut JsonWriter<W>, o: &Outcome) -> io::Result<()> {
    write_outcome_with(j, o, None)
}

/// [`write_outcome`] with a caller's [`Additions`].
fn write_outcome_with<W: Write>(
    j: &mut JsonWriter<W>,
    o: &Outcome,
    adds: Option<&Additions>,
) -> io::Result<()> {
    let none = Additions::default();
    let adds = adds.unwrap_or(&none);
    j.begin_object()?;
    j.key("scenario")?;
    j.string(&o.scenario)?;
    j.key("replications")?;
    j.uint(o.replications.into())?;
    j.key("seed")?;
    j.uint(o.seed)?;
    j.key("metrics")?;
    write_scope_with(j, &o.overall, &adds.overall)?;
    for (key, scopes) in [
        ("call_types", &o.call_types),
        ("agent_groups", &o.agent_groups),
    ] {
        j.key(key)?;
        j.begin_object()?;
        for s in scopes {
            j.key(&s.name)?;
            write_scope(j, s)?;
        }
        j.end_object()?;
    }
    // Journey classes: all customers, then per call type (by the journey's first contact).
    // Kept out of `call_types.<name>`, whose entries are all metrics (the contract's shape).
    j.key("journey_classes")?;
    write_classes(j, o.classes())?;
    j.key("call_type_journey_classes")?;
    j.begin_object()?;
    for (c, s) in o.call_types.iter().enumerate() {
        j.key(&s.name)?;
        write_classes(j, o.call_type_classes(c))?;
    }
    j.end_object()?;
    j.key("intervals")?;
    j.begin_array()?;
    for (k, ((start, scope), groups)) in o.intervals.iter().zip(&o.interval_groups).enumerate() {
        j.element()?;
        j.begin_object()?;
        if let Some(label) = o.interval_labels.get(k) {
            j.key("start")?;
            j.string(label)?;
        }
        j.key("start_s")?;
        if start.fract() == 0.0 && *start >= 0.0 {
            j.uint(*start as u64)?;
        } else {
            j.number(*start)?;
        }
        j.key("metrics")?;
        write_scope(j, scope)?;
        j.key("agent_groups")?;
        j.begin_object()?;
        // Group scopes are named `interval:K/agent_group:NAME`; the key is the group's name.
        for (g, s) in o.agent_groups.iter().zip(groups) {
            j.key(&g.name)?;
            write_scope(j, s)?;
        }
        j.end_object()?;
        j.end_object()?;
    }
    j.end_array()?;
    // Training programs: per-day metrics (`day`, weekday `label` with a calendar).
    if !o.days.is_empty() {
        j.key("days")?;
        j.begin_array()?;
        for (d, scope) in o.days.iter().enumerate() {
            j.element()?;
            j.begin_object()?;
            j.key("day")?;
            j.uint(d as u64)?;
            if let Some(label) = o.day_labels.get(d) {
                j.key("label")?;
                j.string(label)?;
            }
            j.key("metrics")?;
            write_scope_with(j, scope, adds.days.get(d).map_or(&[], Vec::as_slice))?;
            j.end_object()?;
        }
        j.end_array()?;
    }
    for (key, value) in &adds.top {
        j.key(key)?;
        j.value(value)?;
    }
    j.end_object()
}

/// `{"<metric>": estimate, …}` for one scope.
fn write_scope<W: Write>(j: &mut JsonWriter<W>, s: &Scope) -> io::Result<()> {
    write_scope_with(j, s, &[])
}

/// [`write_scope`] with entries added to some metrics' estimates.
fn write_scope_with<W: Write>(
    j: &mut JsonWriter<W>,
    s: &Scope,
    adds: &[MetricAdditions],
) -> io::Result<()> {
    j.begin_object()?;
    for m in &s.metrics {
        j.key(m.name)?;
        let extra = adds
            .iter()
            .find(|(name, _)| name == m.name)
            .map_or(&[][..], |(_, e)| e.as_slice());
        write_estimate_with(j, m, extra)?;
    }
    j.end_object()
}

/// `journey_classes`: `{"<class>": {"share": estimate, "csat_top_box": …}, …}`.
fn write_classes<W: Write>(j: &mut JsonWriter<W>, classes: &[Scope]) -> io::Result<()> {
    j.begin_object()?;
    for s in classes {
        j.key(&s.name)?;
        write_scope(j, s)?;
    }
    j.end_object()
}

/// `{"mean": f, "ci95": [lo, hi]}`, or `null` when no replication defined the metric.
pub fn write_estimate<W: Write>(j: &mut JsonWriter<W>, m: &Metric) -> io::Result<()> {
    write_estimate_with(j, m, &[])
}

/// [`write_estimate`] with `extra` entries after `ci95` (none for `null`).
fn write_estimate_with<W: Write>(
    j: &mut JsonWriter<W>,
    m: &Metric,
    extra: &[(String, serde_json::Value)],
) -> io::Result<()> {
    let Some(e) = m.estimate else {
        return j.null();
    };
    j.begin_object()?;
    j.key("mean")?;
    j.number(e.mean)?;
    j.key("ci95")?;
    j.begin_array()?;
    j.element()?;
    j.number(e.ci95.0)?;
    j.element()?;
    j.number(e.ci95.1)?;
    j.end_array()?;
    for (key, value) in extra {
        j.key(key)?;
        j.value(value)?;
    }
    j.end_object()
}

/// A streaming pretty-printer with serde_json's pretty layout. The caller drives the
/// structure: `begin_object`, then per entry `key` and a value; `begin_array`, then per
/// element `element` and a value. Mismatched calls give invalid JSON (not checked: the
/// callers are a few fixed functions, tested against serde_json).
///
/// Text is assembled in a buffer of its own and handed to `w` in pieces of about 64 KiB, at
/// entry boundaries: a report is millions of pieces of a few bytes (a line break and indent,
/// a key, a number), and appending each to a `Vec` is cheaper than a `write_all` through a
/// `BufWriter`. Errors of `w` surface at the next entry or at [`JsonWriter::into_inner`].
#[derive(Debug)]
pub struct JsonWriter<W: Write> {
    w: W,
    buf: Vec<u8>,
    depth: usize,
    /// Whether the innermost open container has no entry yet (decides `,` and the closing
    /// line break).
    empty: bool,
}

/// Buffered bytes that make the writer pass them on to `w`.
const FLUSH_AT: usize = 64 * 1024;

impl<W: Write> JsonWriter<W> {
    /// A writer at the top level (depth 0).
    pub fn new(w: W) -> Self {
        JsonWriter {
            w,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            depth: 0,
            empty: true,
        }
    }

    /// The underlying writer, with everything written so far passed on to it.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.write_all(&self.buf)?;
        Ok(self.w)
    }

    /// Opens an object (the value of a key, an element, or the top level).
    pub fn begin_object(&mut self) -> io::Result<()> {
        self.open(b'{')
    }

    /// Closes the innermost object.
    pub fn end_object(&mut self) -> io::Result<()> {
        self.close(b'}')
    }

    /// Opens an array.
    pub fn begin_array(&mut self) -> io::Result<()> {
        self.open(b'[')
    }

    /// Closes the innermost array.
    pub fn end_array(&mut self) -> io::Result<()> {
        self.close(b']')
    }

    /// Starts an entry of the innermost object: `"key": ` on its own line.
    pub fn key(&mut self, key: &str) -> io::Result<()> {
        self.entry()?;
        self.string(key)?;
        self.buf.extend_from_slice(b": ");
        Ok(())
    }

    /// Starts an element of the innermost array, on its own line.
    pub fn element(&mut self) -> io::Result<()> {
        self.entry()
    }

    /// A string value, escaped as serde_json escapes it. Names and keys rarely need escaping:
    /// those are copied between quotes in one go (serde_json's escaper costs ~2.5x as much per
    /// byte, and keys are a third of a report's bytes).
    pub fn string(&mut self, s: &str) -> io::Result<()> {
        if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
            return Ok(());
        }
        serde_json::to_writer(&mut self.buf, s).map_err(io::Error::from)
    }

    /// A whole number.
    pub fn uint(&mut self, v: u64) -> io::Result<()> {
        write!(self.buf, "{v}")
    }

    /// A float in serde_json's form (shortest round trip, e.g. `2.0`, `1e-7`); `null` when not
    /// finite, as serde_json writes it.
    pub fn number(&mut self, v: f64) -> io::Result<()> {
        use serde_json::ser::{CompactFormatter, Formatter};
        // What `serde_json::to_writer(&v)` writes, without building a serializer per number.
        if v.is_finite() {
            CompactFormatter.write_f64(&mut self.buf, v)
        } else {
            self.null()
        }
    }

    /// An optional float: `null` for `None`.
    pub fn opt_number(&mut self, v: Option<f64>) -> io::Result<()> {
        match v {
            Some(v) => self.number(v),
            None => self.null(),
        }
    }

    /// A boolean.
    pub fn bool(&mut self, v: bool) -> io::Result<()> {
        let text: &[u8] = if v { b"true" } else { b"false" };
        self.buf.extend_from_slice(text);
        Ok(())
    }

    /// `null`.
    pub fn null(&mut self) -> io::Result<()> {
        self.buf.extend_from_slice(b"null");
        Ok(())
    }

    /// A small `serde_json::Value` (e.g. a swept value) at the current position, laid out as
    /// the rest of the document.
    pub fn value(&mut self, v: &serde_json::Value) -> io::Result<()> {
        use serde_json::Value;
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => write!(self.buf, "{n}"),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.begin_array()?;
                for item in items {
                    self.element()?;
                    self.value(item)?;
                }
                self.end_array()
            }
            Value::Object(map) => {
                self.begin_object()?;
                for (k, item) in map {
                    self.key(k)?;
                    self.value(item)?;
                }
                self.end_object()
            }
        }
    }

    /// The trailing newline of a document.
    pub fn newline(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        Ok(())
    }

    fn open(&mut self, c: u8) -> io::Result<()> {
        self.buf.push(c);
        self.depth += 1;
        self.empty = true;
        Ok(())
    }

    fn close(&mut self, c: u8) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if !self.empty {
            self.line_break(false);
        }
        // The enclosing container holds at least this one.
        self.empty = false;
        self.buf.push(c);
        Ok(())
    }

    /// A new entry's line; passes the buffer on once it is full enough.
    fn entry(&mut self) -> io::Result<()> {
        let comma = !self.empty;
        self.empty = false;
        if self.buf.len() >= FLUSH_AT {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.line_break(comma);
        Ok(())
    }

    /// `,` when `comma`, then a line break and the current depth's indent. Up to 15 levels
    /// deep (reports nest 6 deep at most), one fixed-size copy of [`BREAK`] cut to length.
    fn line_break(&mut self, comma: bool) {
        let start = self.buf.len();
        let len = 1 + 2 * self.depth;
        if len < BREAK.len() {
            self.buf
                .extend_from_slice(if comma { BREAK } else { &BREAK_NO_COMMA });
            self.buf.truncate(start + usize::from(comma) + len);
        } else {
            if comma {
                self.buf.push(b',');
            }
            self.buf.push(b'\n');
            for _ in 0..self.depth {
                self.buf.extend_from_slice(b"  ");
            }
        }
    }
}

/// `,`, a line break and indent for up to 15 levels: [`JsonWriter::line_break`] cuts it.
const BREAK: &[u8; 32] = b",\n                              ";

/// [`BREAK`] without the comma (and one more space).
const BREAK_NO_COMMA: [u8; 32] = {
    let mut text = [b' '; 32];
    text[0] = b'\n';
    text
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pretty(v: &serde_json::Value) -> String {
        let mut j = JsonWriter::new(Vec::new());
        j.value(v).unwrap();
        String::from_utf8(j.into_inner().unwrap()).unwrap()
    }

    /// The hand-driven layout is serde_json's pretty layout, nesting and edge cases included.
    #[test]
    fn matches_serde_json_pretty() {
        let v = json!({
            "a": 1, "b": [], "c": {}, "d": [1.5, null, {"e": "q\"uote\n"}],
            "f": {"g": [[], [2e-7, 1e300]], "h": true}, "i": -3, "j": 0.1
        });
        assert_eq!(pretty(&v), serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(pretty(&json!([])), "[]");
        assert_eq!(pretty(&json!("x")), "\"x\"");
        // Deeper than the one-slice indent reaches, and keys that need escaping or not.
        let mut deep = json!({"k\\ey\u{1}": "v\u{7f}é", "plain key": "tab\there"});
        for level in 0..20 {
            deep = json!({ format!("level {level}"): [deep, level] });
        }
        assert_eq!(pretty(&deep), serde_json::to_string_pretty(&deep).unwrap());
    }

    proptest::proptest! {
        // Failures are shrunk and printed; no regression files are written into the tree.
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Any key or string value and any float, at any depth: serde_json's pretty text.
        #[test]
        fn any_text_and_number_as_serde_json_writes_them(
            key in "\\PC{0,10}|[\"\\\\\u{0}-\u{1f}\u{7f} a]{0,6}",
            value in "\\PC{0,10}|[\"\\\\\u{0}-\u{1f}\u{7f} a]{0,6}",
            number in proptest::num::f64::ANY,
            depth in 0usize..20,
        ) {
            let mut v = json!({ key.clone(): [value.clone(), number] });
            for level in 0..depth {
                v = json!({ format!("{key}{level}"): v });
            }
            proptest::prop_assert_eq!(pretty(&v), serde_json::to_string_pretty(&v).unwrap());
        }
    }

    #[test]
    fn floats_as_serde_json_writes_them() {
        let values = [
            2.0,
            0.1,
            1e21,
            f64::NAN,
            -0.0,
            f64::INFINITY,
            5e-324,
            -1.25e-7,
        ];
        let mut j = JsonWriter::new(Vec::new());
        j.begin_array().unwrap();
        for v in values {
            j.element().unwrap();
            j.number(v).unwrap();
        }
        j.end_array().unwrap();
        let text = String::from_utf8(j.into_inner().unwrap()).unwrap();
        let want = serde_json::to_string_pretty(&values).unwrap();
        assert_eq!(text, want);
    }
}
