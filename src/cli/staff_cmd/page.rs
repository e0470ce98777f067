//! The one kit every staffing page (`staff`, joint `staff`, `roster` with `--format html`)
//! draws with: the page head and its CSS, human labels for targets and their values, the time
//! axis (whole hours; weekday and clock time with a calendar) and the inline SVG chart. The
//! pages are self-contained: no scripts, no external files, nothing fetched.

use ccsim::model::week::WeekClock;
use ccsim::scenario::Scenario;
use ccsim::staff::{Direction, Evaluation, Target};
use ccsim::stats::Estimate;
use std::fmt::Write;

/// The page head: doctype, `title`, the inline style sheet; the body is opened.
pub(in crate::cli) fn head(title: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }}
h3 {{ font-size: 1.05em; margin: 1.2em 0 .2em; }}
table {{ border-collapse: collapse; margin: .5em 0; }}
th, td {{ padding: .2em .6em; text-align: right; border-bottom: 1px solid #eee; }}
td {{ white-space: nowrap; }} th {{ vertical-align: bottom; font-size: .9em; }}
.wide {{ overflow-x: auto; }} td.name, th.name {{ text-align: left; }}
tr.total td {{ font-weight: bold; border-top: 1px solid #999; }}
.note {{ color: #666; }} .miss {{ color: #b00; font-weight: bold; }}
.legend span {{ display: inline-block; margin-right: 1.5em; }}
.swatch {{ display: inline-block; width: 1.6em; height: .6em; margin-right: .4em; }}
svg text {{ font: 11px system-ui, sans-serif; fill: #444; }}
code {{ background: #f4f4f4; padding: 0 .3em; overflow-wrap: anywhere; }}
</style></head><body>
"#,
        esc(title)
    )
}

/// Closes the body and the page.
pub(in crate::cli) const FOOT: &str = "</body></html>\n";

/// Escapes text for HTML element content and attribute values.
pub(in crate::cli) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How a quantity is shown: the unit of its axis, its cells and its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::cli) enum Scale {
    /// Heads (agents): whole numbers.
    Count,
    /// A share from 0 to 1, shown in percent.
    Fraction,
    /// A time in seconds.
    Seconds,
}

impl Scale {
    /// The scale of a target's metric (times end in `_s`; every other targetable metric is
    /// a share).
    pub(in crate::cli) fn of(t: &Target) -> Scale {
        if t.metric.ends_with("_s") {
            Scale::Seconds
        } else {
            Scale::Fraction
        }
    }

    /// `v` in this scale's unit, with `digits` decimals at most (trailing zeros dropped):
    /// `80%`, `87.5%`, `30 s`, `12`.
    pub(in crate::cli) fn show(self, v: f64, digits: usize) -> String {
        let trim = |s: String| {
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        };
        match self {
            Scale::Count => trim(format!("{v:.digits$}")),
            Scale::Fraction => format!("{}%", trim(format!("{:.digits$}", v * 100.0))),
            Scale::Seconds => format!("{} s", trim(format!("{v:.digits$}"))),
        }
    }
}

/// The metric as a planner says it.
fn metric_words(metric: &str) -> &'static str {
    match metric {
        "service_level" => "service level",
        "abandon_rate" => "abandonment",
        "wait_probability" => "share of contacts that wait",
        "asa_s" => "average speed of answer",
        "mean_wait_s" => "mean wait",
        "occupancy" => "occupancy",
        // Every targetable metric is named above; a new one must be added here (the
        // e2e tests refuse metric names on the pages), meanwhile it reads generically.
        _ => "the target's metric",
    }
}

/// A target in words: `service level ≥ 80%`, `billing: average speed of answer ≤ 60 s`;
/// `subject` (a call type or a group) overrides the target's own call type.
pub(in crate::cli) fn target_words(t: &Target, subject: Option<&str>) -> String {
    let op = match t.direction {
        Direction::AtLeast => "≥",
        Direction::AtMost => "≤",
    };
    let what = format!(
        "{} {op} {}",
        metric_words(t.metric),
        Scale::of(t).show(t.value, 2)
    );
    match subject.or(t.call_type.as_deref()) {
        Some(s) => format!("{s}: {what}"),
        None => what,
    }
}

/// Several targets in words, joined with "and".
pub(in crate::cli) fn targets_words(ts: &[Target]) -> String {
    ts.iter()
        .map(|t| target_words(t, None))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What the targets are judged on, in words.
pub(in crate::cli) fn confidence_words(c: ccsim::staff::Confidence) -> &'static str {
    match c {
        ccsim::staff::Confidence::Ci95 => "the safe side of the 95% confidence interval",
        ccsim::staff::Confidence::Mean => "the mean over replications",
    }
}

/// A table cell: the mean and its 95% CI in `scale`'s unit, the CI clipped to the metric's
/// range (a share lies in 0..1, a time is ≥ 0).
pub(in crate::cli) fn cell(e: &Option<Estimate>, scale: Scale) -> String {
    match e {
        Some(e) => {
            let (lo, hi) = clip(scale, e.ci95);
            let d = match scale {
                Scale::Fraction => 1,
                _ if e.mean.abs() >= 10.0 => 0,
                _ => 1,
            };
            // The unit once, on the mean: `89.7% (84.2–95.1)`.
            let bare = |v: f64| match scale {
                Scale::Fraction => Scale::Count.show(v * 100.0, d),
                _ => Scale::Count.show(v, d),
            };
            format!("{} ({}–{})", scale.show(e.mean, d), bare(lo), bare(hi))
        }
        None => "–".into(),
    }
}

fn clip(scale: Scale, (lo, hi): (f64, f64)) -> (f64, f64) {
    match scale {
        Scale::Fraction => (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0)),
        _ => (lo.max(0.0), hi.max(0.0)),
    }
}

/// A warning paragraph naming the degenerate targets (met only by a perfect record, so their
/// zero-width intervals say nothing about other days), or nothing.
pub(in crate::cli) fn degenerate_note(ts: &[Target]) -> String {
    let bad: Vec<String> = ts
        .iter()
        .filter(|t| t.degenerate())
        .map(|t| target_words(t, None))
        .collect();
    if bad.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"miss\">Degenerate target: {} can only be met by a perfect record in every \
         replication; its confidence interval is then zero-width and says nothing about other \
         days, so this is not a confident answer.</p>\n",
        esc(&bad.join(" and "))
    )
}

/// The scenario's time line: interval starts and lengths, and the calendar (if any) that
/// turns scenario time into weekday and clock time.
pub(in crate::cli) struct TimeAxis<'a> {
    horizon: f64,
    interval: f64,
    calendar: Option<&'a WeekClock>,
}

const HOUR: f64 = 3600.0;

impl<'a> TimeAxis<'a> {
    /// The axis of `s`.
    pub(in crate::cli) fn of(s: &'a Scenario) -> TimeAxis<'a> {
        TimeAxis {
            horizon: s.simulation.horizon,
            interval: s.simulation.interval,
            calendar: s.calendar.as_ref(),
        }
    }

    /// Start of interval `k` (scenario seconds).
    pub(in crate::cli) fn start(&self, k: usize) -> f64 {
        k as f64 * self.interval
    }

    /// Middle of interval `k` (the last one may be shorter).
    pub(in crate::cli) fn mid(&self, k: usize) -> f64 {
        let t = self.start(k);
        t + (self.horizon - t).min(self.interval) / 2.0
    }

    /// Scenario time `t` as a label: `Mon 08:30` with a calendar, else `+01:30` from the
    /// scenario's start.
    pub(in crate::cli) fn label(&self, t: f64) -> String {
        match self.calendar {
            Some(c) => c.label(t),
            None => {
                let m = (t / 60.0).round() as u64;
                format!("+{:02}:{:02}", m / 60, m % 60)
            }
        }
    }

    /// Tick times on whole hours (of the clock with a calendar, else from the start), every
    /// 1, 2, 3, 4, 6, 12 or 24 hours — the smallest step giving at most 12 ticks.
    pub(in crate::cli) fn ticks(&self) -> Vec<f64> {
        let hours = self.horizon / HOUR;
        let step = [1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0]
            .into_iter()
            .find(|s| hours / s <= 12.0)
            .unwrap_or_else(|| 24.0 * (hours / 24.0 / 12.0).ceil())
            * HOUR;
        // Scenario time 0 is `offset` seconds into the clock's day.
        let offset = self.calendar.map_or(0.0, WeekClock::start_time);
        let first = (offset / step).ceil() * step - offset;
        let mut out = Vec::new();
        let mut t = first;
        while t <= self.horizon + 1e-6 {
            out.push(t);
            t += step;
        }
        out
    }
}

/// A chart point: time, value and its 95% CI if any.
pub(in crate::cli) type Point = (f64, f64, Option<(f64, f64)>);

/// One line on a chart: a label, a colour and points `(time, value, CI)`; `step` draws the
/// value as held over its interval (a headcount), otherwise as a line through the interval
/// midpoints (a measured level).
pub(in crate::cli) struct Series {
    /// Legend text.
    pub name: String,
    /// CSS colour of the line and its band.
    pub color: &'static str,
    /// The points, in time order.
    pub points: Vec<Point>,
    /// Held over each interval rather than joined point to point.
    pub step: bool,
    /// Drawn dashed: a line to compare with, not the answer.
    pub dashed: bool,
}

impl Series {
    /// A headcount per interval, held over each interval.
    pub(in crate::cli) fn heads<T: Copy + Into<f64>>(
        axis: &TimeAxis,
        name: &str,
        color: &'static str,
        values: &[T],
    ) -> Series {
        Series {
            name: name.to_string(),
            color,
            points: values
                .iter()
                .enumerate()
                .map(|(k, &n)| (axis.start(k), n.into(), None))
                .collect(),
            step: true,
            dashed: false,
        }
    }

    /// The same line, dashed.
    pub(in crate::cli) fn dashed(self) -> Series {
        Series {
            dashed: true,
            ..self
        }
    }

    /// Row `i` of an evaluation per interval: the mean through interval midpoints with its
    /// 95% CI as a band (intervals without contacts left out).
    pub(in crate::cli) fn level(
        axis: &TimeAxis,
        name: &str,
        color: &'static str,
        e: &Evaluation,
        i: usize,
    ) -> Series {
        Series {
            name: name.to_string(),
            color,
            points: (0..e.slack.len())
                .filter_map(|k| {
                    e.at(k)[i].map(|x| (axis.mid(k), x.mean, Some((x.ci95.0, x.ci95.1))))
                })
                .collect(),
            step: false,
            dashed: false,
        }
    }
}

/// A round tick step (1, 2 or 5 × 10^k) for about four steps up to `hi`.
fn tick_step(hi: f64) -> f64 {
    let raw = (hi / 4.0).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * p)
}

/// One chart: `series` over the scenario's horizon on `scale`'s axis (from 0; a share's axis
/// ends at most at 100%), an optional dashed target line with its words, and intervals
/// shaded red where something missed (`flagged`).
pub(in crate::cli) struct Chart<'a> {
    /// Title above the plot.
    pub title: String,
    /// The unit of the value axis.
    pub scale: Scale,
    /// The lines.
    pub series: Vec<Series>,
    /// `(value, words)` of the target line.
    pub target: Option<(f64, String)>,
    /// Intervals to shade as missed.
    pub flagged: &'a [usize],
}

impl Chart<'_> {
    /// The SVG and its legend.
    pub(in crate::cli) fn render(&self, axis: &TimeAxis) -> String {
        let (w, h, left, right, top, bottom) = (1000.0, 260.0, 58.0, 40.0, 24.0, 28.0);
        let mut hi = f64::NEG_INFINITY;
        for s in &self.series {
            for &(_, v, ci) in &s.points {
                hi = hi.max(v).max(ci.map_or(v, |c| c.1));
            }
        }
        if let Some((t, _)) = self.target {
            hi = hi.max(t);
        }
        if !hi.is_finite() || hi <= 0.0 {
            hi = if self.scale == Scale::Fraction {
                1.0
            } else {
                1.0f64.max(hi)
            };
        }
        if self.scale == Scale::Fraction {
            hi = hi.min(1.0);
        }
        let mut step = tick_step(hi);
        if self.scale == Scale::Count {
            step = step.max(1.0);
        }
        hi = step * (hi / step - 1e-9).ceil();
        let x = |t: f64| left + (w - left - right) * t / axis.horizon.max(1.0);
        let y = |v: f64| top + (h - top - bottom) * (1.0 - v.clamp(0.0, hi) / hi);
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\">\
             <text x=\"{left}\" y=\"14\" font-weight=\"bold\">{t}</text>",
            t = esc(&self.title)
        );
        for &k in self.flagged {
            let (t0, t1) = (
                axis.start(k),
                (axis.start(k) + axis.interval).min(axis.horizon),
            );
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{}\" fill=\"#b00\" fill-opacity=\"0.08\"/>",
                x(t0),
                x(t1) - x(t0),
                h - top - bottom
            );
        }
        let ticks = (hi / step).round() as usize;
        let digits = if step < 0.01 || (self.scale != Scale::Fraction && step < 1.0) {
            2
        } else if self.scale == Scale::Fraction && step < 0.1 {
            1
        } else {
            0
        };
        for k in 0..=ticks {
            let v = step * k as f64;
            let _ = write!(
                svg,
                "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#eee\"/>\
                 <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                w - right,
                left - 4.0,
                y(v) + 4.0,
                self.scale.show(v, digits),
                yy = y(v)
            );
        }
        for t in axis.ticks() {
            let _ = write!(
                svg,
                "<line x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#bbb\"/>\
                 <text x=\"{xx:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                h - bottom,
                h - bottom + 4.0,
                h - 8.0,
                esc(&axis.label(t)),
                xx = x(t)
            );
        }
        // The first series is the answer: drawn last, so that it stays on top where a line
        // to compare with runs on the same values.
        for s in self.series.iter().rev() {
            for run in runs(s, axis.interval) {
                draw_run(&mut svg, s, run, axis, &x, &y);
            }
        }
        if let Some((t, words)) = &self.target {
            let _ = write!(
                svg,
                "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#b00\" stroke-dasharray=\"6 4\"/>\
                 <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#b00\">target: {}</text>",
                w - right,
                w - right,
                y(*t) - 4.0,
                esc(words),
                yy = y(*t)
            );
        }
        svg.push_str("</svg>\n");
        let mut legend = String::from("<p class=\"legend\">");
        for s in &self.series {
            // A dashed line's swatch is dashed too.
            let fill = if s.dashed {
                format!(
                    "repeating-linear-gradient(90deg,{c} 0 4px,transparent 4px 6px)",
                    c = s.color
                )
            } else {
                s.color.to_string()
            };
            let _ = write!(
                legend,
                "<span><span class=\"swatch\" style=\"background:{fill}\"></span>{}</span>",
                esc(&s.name)
            );
        }
        if !self.flagged.is_empty() {
            legend.push_str(
                "<span><span class=\"swatch\" style=\"background:#b00;opacity:.2\"></span>missed on fresh seeds</span>",
            );
        }
        legend.push_str("</p>\n");
        svg + &legend
    }
}

/// A level series' points split where intervals are missing (closed, or without contacts),
/// so that no line or band bridges a night; a headcount is one run (it is held at 0 there).
fn runs(s: &Series, interval: f64) -> Vec<&[Point]> {
    if s.step {
        return vec![&s.points];
    }
    let mut out = Vec::new();
    let mut from = 0;
    for i in 1..=s.points.len() {
        if i == s.points.len() || s.points[i].0 - s.points[i - 1].0 > 1.5 * interval {
            out.push(&s.points[from..i]);
            from = i;
        }
    }
    out
}

/// One run of a series: its CI band (an error bar for a lone point), its line, and dots on
/// a level's points.
fn draw_run(
    svg: &mut String,
    s: &Series,
    points: &[Point],
    axis: &TimeAxis,
    x: &dyn Fn(f64) -> f64,
    y: &dyn Fn(f64) -> f64,
) {
    let band: Vec<(f64, (f64, f64))> = points
        .iter()
        .filter_map(|&(t, _, ci)| ci.map(|c| (t, c)))
        .collect();
    if band.len() > 1 {
        let upper = band
            .iter()
            .map(|(t, c)| format!("{:.1},{:.1}", x(*t), y(c.1)));
        let lower = band
            .iter()
            .rev()
            .map(|(t, c)| format!("{:.1},{:.1}", x(*t), y(c.0)));
        let _ = write!(
            svg,
            "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
            upper.chain(lower).collect::<Vec<_>>().join(" "),
            s.color
        );
    } else if let Some(&(t, (lo, hi))) = band.first() {
        let _ = write!(
            svg,
            "<line x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"6\" stroke-opacity=\"0.25\"/>",
            y(lo),
            y(hi),
            s.color,
            xx = x(t)
        );
    }
    let mut pts = Vec::new();
    for (i, &(t, v, _)) in points.iter().enumerate() {
        pts.push(format!("{:.1},{:.1}", x(t), y(v)));
        if s.step {
            let end = points
                .get(i + 1)
                .map_or((t + axis.interval).min(axis.horizon), |p| p.0);
            pts.push(format!("{:.1},{:.1}", x(end), y(v)));
        }
    }
    let _ = write!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>",
        pts.join(" "),
        s.color,
        if s.dashed {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        }
    );
    if !s.step {
        for &(t, v, _) in points {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"/>",
                x(t),
                y(v),
                s.color
            );
        }
    }
}

/// True for an interval the tables leave out: no contacts measured and no heads anywhere (a
/// closed night of a calendar scenario), so that a week's table lists its open hours.
pub(in crate::cli) fn closed(estimates: &[Option<Estimate>], heads: &[f64]) -> bool {
    estimates.iter().all(Option::is_none) && heads.iter().all(|&h| h == 0.0)
}

/// The note under a table that left out `n` closed intervals (nothing when none).
pub(in crate::cli) fn closed_note(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("<p class=\"note\">{n} interval(s) with no contacts and no agents (closed) left out.</p>\n")
    }
}

/// The intervals `ks` as clock labels, or "none".
pub(in crate::cli) fn intervals_words(axis: &TimeAxis, ks: &[usize]) -> String {
    if ks.is_empty() {
        return "none".into();
    }
    ks.iter()
        .map(|&k| format!("{} (interval {k})", axis.label(axis.start(k))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `<td>` of a headcount list for pasting: `staffing = [4, 6, 5]`.
pub(in crate::cli) fn staffing_line(v: &[u32]) -> String {
    let list: Vec<String> = v.iter().map(u32::to_string).collect();
    format!("<code>staffing = [{}]</code>", list.join(", "))
}

/// The "Agents of NAME" chart: headcounts only, so no target line and nothing shaded.
pub(in crate::cli) fn agents_chart(axis: &TimeAxis, name: &str, series: Vec<Series>) -> String {
    Chart {
        title: format!("Agents of {name}"),
        scale: Scale::Count,
        series,
        target: None,
        flagged: &[],
    }
    .render(axis)
}

/// One achieved-level chart: `words` titles it and labels the line of target `t` (none for
/// an occupancy cap judged without a target, drawn as a fraction).
pub(in crate::cli) fn level_chart(
    axis: &TimeAxis,
    words: &str,
    t: Option<&Target>,
    series: Vec<Series>,
    flagged: &[usize],
) -> String {
    Chart {
        title: words.to_string(),
        scale: t.map_or(Scale::Fraction, Scale::of),
        series,
        target: t.map(|t| (t.value, words.to_string())),
        flagged,
    }
    .render(axis)
}

/// The last cell of a table row (whether the interval held on fresh seeds) and the row's end.
pub(in crate::cli) fn holds_cell(out: &mut String, holds: bool) {
    let _ = writeln!(
        out,
        "<td{}>{}</td></tr>",
        if holds { "" } else { " class=\"miss\"" },
        if holds { "yes" } else { "no" }
    );
}

/// The end of a page for several groups: the table's close, the note on closed intervals
/// left out, each group's staffing to paste, and the page's foot.
pub(in crate::cli) fn paste_groups<'a>(
    out: &mut String,
    left_out: usize,
    groups: impl IntoIterator<Item = (&'a str, &'a [u32])>,
) {
    let _ = writeln!(
        out,
        "</table></div>\n{}<h2>Paste into the scenario</h2>",
        closed_note(left_out)
    );
    for (n, st) in groups {
        let _ = writeln!(out, "<p>Agent group {}: {}</p>", esc(n), staffing_line(st));
    }
    out.push_str(FOOT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(45.0), 20.0);
        assert_eq!(tick_step(8.0), 2.0);
        assert_eq!(tick_step(130.0), 50.0);
        assert!((tick_step(0.3) - 0.1).abs() < 1e-12);
    }

    fn axis(horizon: f64, calendar: Option<&WeekClock>) -> TimeAxis<'_> {
        TimeAxis {
            horizon,
            interval: 1800.0,
            calendar,
        }
    }

    #[test]
    fn time_ticks_fall_on_whole_hours_of_the_clock() {
        let a = axis(12.0 * HOUR, None);
        let t = a.ticks();
        assert_eq!(t.len(), 13);
        assert_eq!(a.label(t[1]), "+01:00");
        // A calendar starting at 08:30: ticks on the clock's whole hours, labelled with the
        // weekday.
        let cal = WeekClock::always_open(ccsim::model::week::Weekday::Mon, 8.5 * HOUR);
        let a = axis(12.0 * HOUR, Some(&cal));
        let t = a.ticks();
        assert_eq!(t[0], 0.5 * HOUR);
        assert_eq!(a.label(t[0]), "Mon 09:00");
        // Six days: a tick every 12 hours, at noon and midnight.
        let a = axis(6.0 * 24.0 * HOUR, Some(&cal));
        let t = a.ticks();
        assert!(t.len() <= 13, "{t:?}");
        assert_eq!(a.label(t[0]), "Mon 12:00");
        assert_eq!(a.label(t[1]), "Tue 00:00");
    }

    #[test]
    fn targets_read_in_words() {
        let t: Target = "service_level>=0.8".parse().unwrap();
        assert_eq!(target_words(&t, None), "service level ≥ 80%");
        let t: Target = "billing.asa_s<=60".parse().unwrap();
        assert_eq!(
            target_words(&t, None),
            "billing: average speed of answer ≤ 60 s"
        );
        let t: Target = "occupancy<=0.875".parse().unwrap();
        assert_eq!(target_words(&t, Some("tier1")), "tier1: occupancy ≤ 87.5%");
        let t: Target = "abandon_rate<=0.05".parse().unwrap();
        assert_eq!(target_words(&t, None), "abandonment ≤ 5%");
    }

    #[test]
    fn the_target_line_and_series_are_drawn() {
        let a = axis(3600.0, None);
        let s = Series {
            name: "a<b".into(),
            color: "#000",
            points: vec![(0.0, 3.0, None), (1800.0, 5.0, None)],
            step: true,
            dashed: false,
        };
        let svg = Chart {
            title: "Agents".into(),
            scale: Scale::Count,
            series: vec![s],
            target: Some((4.0, "four".into())),
            flagged: &[1],
        }
        .render(&a);
        assert!(svg.contains("target: four"), "{svg}");
        assert!(svg.contains("a&lt;b"), "{svg}");
        assert!(svg.contains("missed on fresh seeds"), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 1);
    }

    #[test]
    fn cells_are_in_the_metrics_unit() {
        let e = Some(Estimate {
            mean: 0.897,
            ci95: (0.842, 1.02),
            n: 5,
        });
        assert_eq!(cell(&e, Scale::Fraction), "89.7% (84.2–100)");
        let e = Some(Estimate {
            mean: 1.3,
            ci95: (-1.05, 3.64),
            n: 5,
        });
        assert_eq!(cell(&e, Scale::Seconds), "1.3 s (0–3.6)");
    }
}
