//! The grid of a sweep: swept keys (dotted paths into the scenario TOML), their typed values,
//! the cartesian product of points, and applying one point's values to the parsed scenario
//! table.
//!
//! A key such as `agent_groups.tier1.agents` walks the TOML: tables by key, arrays of tables by
//! their `name` (or by a numeric index, `call_types.0.arrival_rate`), plain arrays by index
//! (`agent_groups.tier1.staffing.3`). Values are typed like the value already at that key
//! (integer, float, string, boolean, array); a key the file does not have takes the value as a
//! TOML literal, or as a string when it is not one, and the scenario's own validation then says
//! whether the key exists at all.

use super::SweepError;
use toml::Value;

/// Most points a sweep may have: a guard against a typo asking for years of CPU.
pub const MAX_POINTS: u64 = 10_000_000;

/// One swept key and the values it takes, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The dotted key, as written (also the CSV column name).
    pub key: String,
    /// The values the key takes, in the order given.
    pub values: Vec<Value>,
}

impl Axis {
    /// The CSV/table label of value `i`: numbers and booleans as TOML writes them, strings
    /// unquoted, arrays as inline TOML.
    pub fn label(&self, i: usize) -> String {
        label(&self.values[i])
    }
}

fn label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.1}"),
        other => other.to_string(),
    }
}

/// The cartesian product of the axes. Point `p` is numbered in row-major order: the last axis
/// varies fastest (like nested loops written in `--set` order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    /// The swept keys, in `--set` order (the last varies fastest).
    pub axes: Vec<Axis>,
}

impl Grid {
    /// Number of points (1 when nothing is swept). Checked against [`MAX_POINTS`] when built.
    pub fn len(&self) -> u64 {
        self.axes.iter().map(|a| a.values.len() as u64).product()
    }

    /// Always false: a grid has at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The value index on each axis of point `p`.
    pub fn coords(&self, point: u64) -> Vec<usize> {
        let mut rest = point;
        let mut out = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            let n = a.values.len() as u64;
            out[i] = (rest % n) as usize;
            rest /= n;
        }
        out
    }

    /// The swept keys' labels of point `p`, in axis order.
    pub fn labels(&self, point: u64) -> Vec<String> {
        self.coords(point)
            .iter()
            .zip(&self.axes)
            .map(|(&i, a)| a.label(i))
            .collect()
    }

    /// The swept keys, in axis order.
    pub fn keys(&self) -> Vec<String> {
        self.axes.iter().map(|a| a.key.clone()).collect()
    }

    /// Adds an axis, rejecting a key swept twice (however spelled, see [`normal_key`]) and
    /// a product over [`MAX_POINTS`].
    pub fn push(&mut self, axis: Axis) -> Result<(), SweepError> {
        let key = normal_key(&axis.key);
        if self.axes.iter().any(|a| normal_key(&a.key) == key) {
            return Err(SweepError::input(format!(
                "{}: swept twice; give all its values in one --set",
                axis.key
            )));
        }
        let n = self.len().saturating_mul(axis.values.len() as u64);
        if n > MAX_POINTS {
            return Err(SweepError::input(format!(
                "{}: the grid would have {n} points, more than the {MAX_POINTS} allowed",
                axis.key
            )));
        }
        self.axes.push(axis);
        Ok(())
    }

    /// The base table with point `p`'s values set.
    pub fn apply(&self, base: &toml::Table, point: u64) -> Result<toml::Table, SweepError> {
        let mut t = base.clone();
        for (i, a) in self.coords(point).into_iter().zip(&self.axes) {
            set(&mut t, &a.key, a.values[i].clone())?;
        }
        Ok(t)
    }
}

/// Parses `KEY=V1,V2,…` from the command line into an axis typed against `base`.
/// Values are split at commas outside brackets and quotes, so `staffing=[5,6],[6,7]` gives
/// two arrays; `A..=B`, `A..B` and `A..=B:STEP` expand to ranges.
pub fn parse_set(arg: &str, base: &toml::Table) -> Result<Axis, SweepError> {
    let (key, values) = arg.split_once('=').ok_or_else(|| {
        SweepError::input(format!(
            "--set {arg}: expected KEY=V1,V2,… (for example agent_groups.tier1.agents=8,9,10)"
        ))
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(SweepError::input(format!("--set {arg}: the key is empty")));
    }
    let items = split_top_level(values);
    let existing = lookup(base, key)?;
    let mut out = Vec::new();
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            return Err(SweepError::input(if values.trim().is_empty() {
                format!("--set {arg}: no values after `=`: give V1,V2,… or a range such as 8..=14")
            } else {
                format!("--set {arg}: an empty value in `{values}` (two commas, or one at an end)")
            }));
        }
        if let Some(range) = parse_range(key, item)? {
            for v in range {
                out.push(typed_number(key, v, existing)?);
            }
        } else {
            out.push(typed_text(key, item, existing)?);
        }
    }
    if out.is_empty() {
        return Err(SweepError::input(format!("{key}: no values given")));
    }
    Ok(Axis {
        key: key.to_string(),
        values: out,
    })
}

/// Builds an axis from a sweep file entry (`values` an array, or a range string).
pub fn axis_from_values(key: &str, values: &Value, base: &toml::Table) -> Result<Axis, SweepError> {
    let existing = lookup(base, key)?;
    let mut out = Vec::new();
    match values {
        Value::String(s) if parse_range(key, s)?.is_some() => {
            for v in parse_range(key, s)?.unwrap_or_default() {
                out.push(typed_number(key, v, existing)?);
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push(typed_value(key, item.clone(), existing)?);
            }
        }
        _ => {
            return Err(SweepError::input(format!(
                "{key}: `values` must be an array of values or a range string such as \"8..=14\""
            )))
        }
    }
    if out.is_empty() {
        return Err(SweepError::input(format!("{key}: no values given")));
    }
    Ok(Axis {
        key: key.to_string(),
        values: out,
    })
}

/// A number from a range: integers stay integers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

/// Most values one range may expand to.
const MAX_RANGE: usize = 1_000_000;

/// `A..=B`, `A..B`, optionally `:STEP`; `None` when `item` is not range syntax.
fn parse_range(key: &str, item: &str) -> Result<Option<Vec<Num>>, SweepError> {
    let Some((a, rest)) = item.split_once("..") else {
        return Ok(None);
    };
    let bad = |why: &str| {
        SweepError::input(format!(
            "{key}: bad range `{item}`: {why} (write A..=B, A..B or A..=B:STEP)"
        ))
    };
    let (inclusive, rest) = match rest.strip_prefix('=') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (b, step) = match rest.split_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (rest, None),
    };
    let (a, b) = (a.trim(), b.trim());
    let ints = (
        a.parse::<i64>(),
        b.parse::<i64>(),
        step.map(|s| s.trim().parse::<i64>()),
    );
    if let (Ok(a), Ok(b), None | Some(Ok(_))) = ints {
        let step = ints.2.map_or(Ok(1), |s| s).unwrap_or(1);
        if step <= 0 {
            return Err(bad("the step must be positive"));
        }
        let end = if inclusive { b } else { b - 1 };
        if end < a {
            return Err(bad("it is empty"));
        }
        let count = ((end - a) / step + 1) as usize;
        if count > MAX_RANGE {
            return Err(bad("more than a million values"));
        }
        return Ok(Some(
            (0..count).map(|i| Num::Int(a + i as i64 * step)).collect(),
        ));
    }
    let a: f64 = a.parse().map_err(|_| bad("the start is not a number"))?;
    let b: f64 = b.parse().map_err(|_| bad("the end is not a number"))?;
    let step: f64 = match step {
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| bad("the step is not a number"))?,
        None => 1.0,
    };
    if !(a.is_finite() && b.is_finite() && step.is_finite() && step > 0.0) {
        return Err(bad("bounds must be finite and the step positive"));
    }
    // Count with a relative tolerance so 0.5..=1.0:0.1 includes 1.0 despite rounding.
    let span = (b - a) / step;
    let mut count = (span + 1e-9).floor() as i64 + 1;
    if !inclusive && ((a + (count - 1) as f64 * step) - b).abs() <= 1e-9 * step {
        count -= 1;
    }
    if count <= 0 {
        return Err(bad("it is empty"));
    }
    if count as usize > MAX_RANGE {
        return Err(bad("more than a million values"));
    }
    Ok(Some(
        (0..count)
            // Round to 12 significant digits so 0.1 steps print as 0.3, not 0.30000000000000004.
            .map(|i| Num::Float(round12(a + i as f64 * step)))
            .collect(),
    ))
}

fn round12(x: f64) -> f64 {
    format!("{x:.12e}").parse().unwrap_or(x)
}

fn typed_number(key: &str, n: Num, existing: Option<&Value>) -> Result<Value, SweepError> {
    match (existing, n) {
        (Some(Value::Integer(_)) | None, Num::Int(i)) => Ok(Value::Integer(i)),
        (Some(Value::Float(_)), Num::Int(i)) => Ok(Value::Float(i as f64)),
        (Some(Value::Float(_)) | None, Num::Float(f)) => Ok(Value::Float(f)),
        (Some(Value::Integer(_)), Num::Float(f)) => Err(SweepError::input(format!(
            "{key}: expects a whole number, got {f}"
        ))),
        (Some(other), _) => Err(SweepError::input(format!(
            "{key}: a range gives numbers, but this key holds {}",
            kind(other)
        ))),
    }
}

/// Types one command-line item like the value at the key.
fn typed_text(key: &str, item: &str, existing: Option<&Value>) -> Result<Value, SweepError> {
    let unquoted = item
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(item);
    let bad = |what: &str, was: &Value| {
        SweepError::input(format!(
            "{key}: expects {what} (the scenario has {was}), got `{item}`"
        ))
    };
    match existing {
        Some(v @ Value::Integer(_)) => item
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| bad("a whole number", v)),
        Some(v @ Value::Float(_)) => item
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Float)
            .ok_or_else(|| bad("a number", v)),
        Some(Value::String(_)) => Ok(Value::String(unquoted.to_string())),
        Some(v @ Value::Boolean(_)) => item
            .parse::<bool>()
            .map(Value::Boolean)
            .map_err(|_| bad("true or false", v)),
        Some(v @ Value::Array(_)) => match literal(item) {
            Some(a @ Value::Array(_)) => Ok(a),
            _ => Err(bad("an array such as [5,6,7]", v)),
        },
        Some(Value::Table(t)) => Err(table_error(key, t)),
        Some(v @ Value::Datetime(_)) => Err(bad("nothing sweepable", v)),
        None => Ok(literal(item).unwrap_or_else(|| Value::String(unquoted.to_string()))),
    }
}

/// Checks a sweep-file value against the value at the key (integers may stand for floats).
fn typed_value(key: &str, v: Value, existing: Option<&Value>) -> Result<Value, SweepError> {
    match (existing, v) {
        (Some(Value::Float(_)), Value::Integer(i)) => Ok(Value::Float(i as f64)),
        (Some(Value::Table(t)), Value::Table(_)) => Err(table_error(key, t)),
        (None, v) => Ok(v),
        (Some(e), v) if std::mem::discriminant(e) == std::mem::discriminant(&v) => Ok(v),
        (Some(e), v) => Err(SweepError::input(format!(
            "{key}: expects {} like the scenario's {e}, got {v}",
            kind(e)
        ))),
    }
}

fn table_error(key: &str, t: &toml::Table) -> SweepError {
    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
    SweepError::input(format!(
        "{key}: is a table; sweep one of its keys ({})",
        keys.iter()
            .map(|k| format!("{key}.{k}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// `item` as a TOML value literal (`5`, `1.5`, `true`, `[1,2]`, `"4m"`), if it is one.
fn literal(item: &str) -> Option<Value> {
    let t: toml::Table = toml::from_str(&format!("v = {item}")).ok()?;
    t.get("v").cloned()
}

/// Splits at commas that are not inside `[]`, `{}` or quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let mut out = Vec::new();
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Where one segment of a key path points inside an array.
fn array_index(key: &str, arr: &[Value], seg: &str) -> Result<usize, SweepError> {
    if let Ok(i) = seg.parse::<usize>() {
        return if i < arr.len() {
            Ok(i)
        } else {
            Err(SweepError::input(format!(
                "{key}: index {i} is out of range (the array has {} entries)",
                arr.len()
            )))
        };
    }
    let names: Vec<&str> = arr
        .iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect();
    arr.iter()
        .position(|v| v.get("name").and_then(Value::as_str) == Some(seg))
        .ok_or_else(|| {
            SweepError::input(format!(
                "{key}: no entry named \"{seg}\" (have: {}; or use a numeric index)",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ))
        })
}

/// The value at `key` in `table`: `Ok(None)` when the key (or a table on its way) is absent,
/// an error when the path cannot exist (unknown array entry, index into a number, …).
pub fn lookup<'a>(table: &'a toml::Table, key: &str) -> Result<Option<&'a Value>, SweepError> {
    let segs = segments(key)?;
    let mut cur: Option<&Value> = None;
    for (depth, seg) in segs.iter().enumerate() {
        let next = match cur {
            None if depth == 0 => table.get(*seg),
            None => return Ok(None),
            Some(Value::Table(t)) => t.get(*seg),
            Some(Value::Array(a)) => Some(&a[array_index(key, a, seg)?]),
            Some(other) => {
                return Err(SweepError::input(format!(
                    "{key}: `{}` is {}, it has no key `{seg}`",
                    segs[..depth].join("."),
                    kind(other)
                )))
            }
        };
        match next {
            Some(v) => cur = Some(v),
            None => return Ok(None),
        }
    }
    Ok(cur)
}

/// The path `key` addresses, spelled one way: its dotted parts without the spaces TOML allows
/// around the dots (`simulation . replications` sets `simulation.replications`, see
/// [`set`]). Axes keep the key as written (the CSV column's name); compare keys through this.
pub fn normal_key(key: &str) -> String {
    key.split('.').map(str::trim).collect::<Vec<_>>().join(".")
}

/// The swept key that gives points their own replication count.
pub const REPLICATIONS_KEY: &str = "simulation.replications";

fn segments(key: &str) -> Result<Vec<&str>, SweepError> {
    let segs: Vec<&str> = key.split('.').map(str::trim).collect();
    if key.trim().is_empty() {
        return Err(SweepError::input(
            "the key is empty: give a dotted key such as agent_groups.tier1.agents".to_string(),
        ));
    }
    if segs.iter().any(|s| s.is_empty()) {
        return Err(SweepError::input(format!(
            "{key}: an empty part in the dotted key (two dots in a row, or one at an end)"
        )));
    }
    Ok(segs)
}

/// Keys of one `[[call_types]]` / `[[agent_groups]]` entry that exclude each other: setting
/// one removes the other, so sweeping `agents` works on a group written with `staffing`.
const EXCLUSIVE: [(&str, &str); 4] = [
    ("agents", "staffing"),
    ("staffing", "agents"),
    ("arrival_rate", "volumes"),
    ("volumes", "arrival_rate"),
];

/// Sets `key` to `value`, creating missing tables on the way (array entries must exist).
pub fn set(table: &mut toml::Table, key: &str, value: Value) -> Result<(), SweepError> {
    let segs = segments(key)?;
    let (last, path) = segs.split_last().expect("segments are never empty");
    // Work on the table moved into a `Value` and put it back whatever happens.
    let mut root = Value::Table(std::mem::take(table));
    let result = (|| {
        let mut cur = &mut root;
        for (depth, seg) in path.iter().enumerate() {
            cur = match cur {
                Value::Table(t) => t
                    .entry(seg.to_string())
                    .or_insert_with(|| Value::Table(toml::Table::new())),
                Value::Array(a) => {
                    let i = array_index(key, a, seg)?;
                    &mut a[i]
                }
                other => {
                    return Err(SweepError::input(format!(
                        "{key}: `{}` is {}, it has no key `{seg}`",
                        segs[..depth].join("."),
                        kind(other)
                    )))
                }
            };
        }
        let in_entry = segs.len() == 3 && matches!(segs[0], "call_types" | "agent_groups");
        match cur {
            Value::Table(t) => {
                if in_entry {
                    for (a, b) in EXCLUSIVE {
                        if *last == a {
                            t.remove(b);
                        }
                    }
                }
                t.insert(last.to_string(), value);
                Ok(())
            }
            Value::Array(a) => {
                let i = array_index(key, a, last)?;
                a[i] = value;
                Ok(())
            }
            other => Err(SweepError::input(format!(
                "{key}: `{}` is {}, it has no key `{last}`",
                path.join("."),
                kind(other)
            ))),
        }
    })();
    if let Value::Table(t) = root {
        *table = t;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> toml::Table {
        toml::from_str(
            r#"
            [simulation]
            horizon = "2h"
            replications = 3
            [[call_types]]
            name = "general"
            arrival_rate = 60.0
            handle_time = { distribution = "exponential", mean = "4m" }
            [[agent_groups]]
            name = "tier1"
            skills = ["general"]
            staffing = [5, 6, 7, 8]
            "#,
        )
        .unwrap()
    }

    #[test]
    fn parses_lists_ranges_and_types() {
        let b = base();
        let a = parse_set("agent_groups.tier1.agents=8..=10,12", &b).unwrap();
        assert_eq!(a.values.len(), 4);
        assert_eq!(a.values[3], Value::Integer(12));
        let a = parse_set("call_types.general.arrival_rate=100,120", &b).unwrap();
        assert_eq!(a.values, vec![Value::Float(100.0), Value::Float(120.0)]);
        assert_eq!(a.label(0), "100.0");
        let a = parse_set("call_types.0.arrival_rate=0.5..=1.0:0.1", &b).unwrap();
        assert_eq!(a.values.len(), 6);
        assert_eq!(a.label(2), "0.7");
        let a = parse_set("call_types.general.handle_time.mean=3m,4m", &b).unwrap();
        assert_eq!(a.values[0], Value::String("3m".into()));
        let a = parse_set("agent_groups.tier1.staffing=[1,2,3,4],[2,3,4,5]", &b).unwrap();
        assert_eq!(a.values.len(), 2);
        assert_eq!(a.label(1), "[2, 3, 4, 5]");
        assert!(parse_set("simulation.replications=1.5", &b).is_err());
        assert!(parse_set("agent_groups.tier9.agents=1", &b).is_err());
        assert!(parse_set("call_types.general.handle_time=1", &b).is_err());
        assert!(parse_set("agent_groups.tier1.agents", &b).is_err());
        assert!(parse_set("agent_groups.tier1.agents=5..3", &b).is_err());
    }

    #[test]
    fn points_are_row_major_and_apply_edits() {
        let b = base();
        let mut g = Grid::default();
        g.push(parse_set("agent_groups.tier1.agents=5,6", &b).unwrap())
            .unwrap();
        g.push(parse_set("simulation.replications=1,2,3", &b).unwrap())
            .unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g.labels(4), vec!["6", "2"]);
        let t = g.apply(&b, 4).unwrap();
        let grp = &t["agent_groups"].as_array().unwrap()[0];
        assert_eq!(grp.get("agents"), Some(&Value::Integer(6)));
        assert!(grp.get("staffing").is_none(), "agents replaces staffing");
        assert!(g
            .push(parse_set("agent_groups.tier1.agents=7", &b).unwrap())
            .is_err());
        // The same key spelled with spaces around a dot (as TOML allows) is the same axis.
        let e = g
            .push(parse_set("simulation . replications=4", &b).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("swept twice"), "{e}");
        assert_eq!(normal_key(" simulation .  replications"), REPLICATIONS_KEY);
    }
}
