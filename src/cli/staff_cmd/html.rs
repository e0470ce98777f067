//! `ccsim staff --format html`: a self-contained page (inline SVG, no scripts, no external
//! files, like `ccsim run`'s report) with the staffing found against the scenario's and
//! Erlang's per interval, and each target's achieved level per interval — on fresh seeds, with
//! its 95% CI band — against the target line; then the per-interval table.

use crate::staff::{Confidence, StaffAnswer, StaffQuery};
use crate::stats::Estimate;
use std::fmt::Write;

/// A chart point: time, value and its 95% CI if any.
type Point = (f64, f64, Option<(f64, f64)>);

/// One line on a chart: a label, a colour and points `(time, value, CI)`; `step` draws the
/// value as held over its interval (a headcount), otherwise as a line through the interval
/// midpoints (a measured level).
struct Series {
    name: String,
    color: &'static str,
    points: Vec<Point>,
    step: bool,
}

const HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ccsim staffing</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .2em .8em; text-align: right; border-bottom: 1px solid #eee; }
.note { color: #666; } .miss { color: #b00; font-weight: bold; }
.legend span { display: inline-block; margin-right: 1.5em; }
.swatch { display: inline-block; width: 1em; height: .6em; margin-right: .4em; }
svg text { font: 11px system-ui, sans-serif; fill: #444; }
</style></head><body>
"#;

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn clock(t: f64) -> String {
    let m = (t / 60.0).round() as u64;
    format!("{}:{:02}", m / 60, m % 60)
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

/// An SVG chart over `[0, horizon]` of `series`, with an optional dashed target line. The axis
/// starts at 0 (every charted quantity is non-negative; CI bands are clipped to it) and ends
/// at 1 for a `fraction`.
fn chart(
    title: &str,
    horizon: f64,
    series: &[Series],
    target: Option<f64>,
    fraction: bool,
) -> String {
    let (w, h, left, right, top, bottom) = (1000.0, 260.0, 52.0, 22.0, 24.0, 28.0);
    let lo = 0.0f64;
    let mut hi = f64::NEG_INFINITY;
    for s in series {
        for &(_, v, ci) in &s.points {
            hi = hi.max(v).max(ci.map_or(v, |c| c.1));
        }
    }
    if let Some(t) = target {
        hi = hi.max(t);
    }
    let step = if fraction {
        hi = 1.0;
        0.25
    } else {
        if !hi.is_finite() || hi <= 0.0 {
            hi = 1.0;
        }
        let step = tick_step(hi);
        hi = step * (hi / step).ceil();
        step
    };
    let x = |t: f64| left + (w - left - right) * t / horizon.max(1.0);
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v.clamp(lo, hi) - lo) / (hi - lo));
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\">\
         <text x=\"{left}\" y=\"14\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    );
    let ticks = ((hi - lo) / step).round() as usize;
    for k in 0..=ticks {
        let v = lo + step * k as f64;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#eee\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - right,
            left - 4.0,
            y(v) + 4.0,
            if step < 1.0 {
                format!("{v:.2}")
            } else {
                format!("{v:.0}")
            },
            yy = y(v)
        );
    }
    for k in 0..=6 {
        let t = horizon * k as f64 / 6.0;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">+{}</text>",
            x(t),
            h - 8.0,
            clock(t)
        );
    }
    for s in series {
        let band: Vec<(f64, (f64, f64))> = s
            .points
            .iter()
            .filter_map(|&(t, _, ci)| ci.map(|c| (t, c)))
            .collect();
        if !band.is_empty() {
            let upper: Vec<String> = band
                .iter()
                .map(|(t, c)| format!("{:.1},{:.1}", x(*t), y(c.1)))
                .collect();
            let lower: Vec<String> = band
                .iter()
                .rev()
                .map(|(t, c)| format!("{:.1},{:.1}", x(*t), y(c.0)))
                .collect();
            let _ = write!(
                svg,
                "<polygon points=\"{} {}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
                upper.join(" "),
                lower.join(" "),
                s.color
            );
        }
        let mut pts = Vec::new();
        for (i, &(t, v, _)) in s.points.iter().enumerate() {
            pts.push(format!("{:.1},{:.1}", x(t), y(v)));
            if s.step {
                let end = s.points.get(i + 1).map_or(horizon, |p| p.0);
                pts.push(format!("{:.1},{:.1}", x(end), y(v)));
            }
        }
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
            pts.join(" "),
            s.color
        );
    }
    if let Some(t) = target {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#b00\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#b00\">target {t}</text>",
            w - right,
            w - right,
            y(t) - 4.0,
            yy = y(t)
        );
    }
    svg.push_str("</svg>\n");
    let mut legend = String::from("<p class=\"legend\">");
    for s in series {
        let _ = write!(
            legend,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
            s.color,
            esc(&s.name)
        );
    }
    legend.push_str("</p>\n");
    svg + &legend
}

fn cell(e: &Option<Estimate>) -> String {
    match e {
        Some(e) => {
            let d = if e.mean.abs() >= 10.0 { 1 } else { 3 };
            format!("{:.d$} [{:.d$}, {:.d$}]", e.mean, e.ci95.0, e.ci95.1)
        }
        None => "–".into(),
    }
}

/// The whole page.
pub(super) fn page(q: &StaffQuery, a: &StaffAnswer) -> String {
    let s = &q.scenario;
    let sim = &s.simulation;
    let group = &s.agent_groups[q.group];
    let mut out = String::from(HEAD);
    let targets: Vec<String> = q.targets.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "<h1>Staffing: {}, agent group {}</h1>",
        esc(&s.name),
        esc(&group.name)
    );
    let flagged = a.validation.misses();
    let _ = writeln!(
        out,
        "<p class=\"note\">Targets {} in every interval, judged on the {}; {} replications, seed {}, {} simulations. \
         Achieved levels are those of a re-run on fresh seeds (streams the search never used): the \
         line is the mean, the band its 95% confidence interval. The staffing holds in {} of {} \
         intervals there.</p>",
        esc(&targets.join(" and ")),
        match q.confidence {
            Confidence::Ci95 => "95% confidence bound",
            Confidence::Mean => "mean",
        },
        sim.replications,
        sim.seed,
        a.simulations,
        sim.intervals - flagged.len(),
        sim.intervals
    );
    let start = |k: usize| k as f64 * sim.interval;
    let mid = |k: usize| start(k) + sim.interval_len(k) / 2.0;
    let staffing = |name: &str, color, v: &[u32]| Series {
        name: name.to_string(),
        color,
        points: v
            .iter()
            .enumerate()
            .map(|(k, &n)| (start(k), f64::from(n), None))
            .collect(),
        step: true,
    };
    let _ = writeln!(out, "<h2>Agents per interval</h2>");
    let mut series = vec![
        staffing("required (this answer)", "#1f77b4", &a.staffing),
        staffing("scenario staffing", "#7f7f7f", &group.staffing),
        staffing("Erlang estimate", "#ff7f0e", &a.erlang),
    ];
    if let Some(sh) = &a.shrinkage {
        let _ = writeln!(
            out,
            "<p class=\"note\">Shrinkage {:.0}%: the required agents are heads on the phones; \
             scheduled heads = ⌈required / (1 − {})⌉ (plus one where a re-run with shrinkage on \
             fresh seeds missed), which hold in {} of {} intervals with shrinkage.</p>",
            sh.share * 100.0,
            sh.share,
            sim.intervals - sh.check.misses().len(),
            sim.intervals
        );
        series.insert(
            1,
            staffing("scheduled heads (shrinkage)", "#2ca02c", &sh.scheduled),
        );
    }
    out.push_str(&chart("Agents", sim.horizon, &series, None, false));
    let _ = writeln!(out, "<h2>Achieved per interval</h2>");
    for (i, t) in q.targets.iter().enumerate() {
        let level = |e: &crate::staff::Evaluation, name: &str, color| Series {
            name: name.to_string(),
            color,
            points: (0..sim.intervals)
                .filter_map(|k| {
                    e.estimates[k][i].map(|x| (mid(k), x.mean, Some((x.ci95.0, x.ci95.1))))
                })
                .collect(),
            step: false,
        };
        out.push_str(&chart(
            &t.label(),
            sim.horizon,
            &[
                level(&a.validation, "this staffing, fresh seeds", "#1f77b4"),
                level(
                    &a.erlang_evaluation,
                    "Erlang staffing (search seeds)",
                    "#ff7f0e",
                ),
            ],
            Some(t.value),
            !t.metric.ends_with("_s"),
        ));
    }
    let _ = write!(
        out,
        "<h2>Table</h2><table><tr><th>interval</th><th>start</th><th>scenario</th><th>required</th><th>Erlang</th>"
    );
    if a.shrinkage.is_some() {
        let _ = write!(out, "<th>scheduled</th>");
    }
    for t in &q.targets {
        let _ = write!(out, "<th>{} (fresh seeds)</th>", esc(&t.label()));
    }
    let _ = writeln!(out, "<th>holds</th></tr>");
    for k in 0..sim.intervals {
        let holds = a.validation.slack[k] >= 0.0;
        let _ = write!(
            out,
            "<tr><td>{k}</td><td>+{}</td><td>{}</td><td>{}</td><td>{}</td>",
            clock(start(k)),
            group.staffing[k],
            a.staffing[k],
            a.erlang[k]
        );
        if let Some(sh) = &a.shrinkage {
            let _ = write!(out, "<td>{}</td>", sh.scheduled[k]);
        }
        for e in &a.validation.estimates[k] {
            let _ = write!(out, "<td>{}</td>", cell(e));
        }
        let _ = writeln!(
            out,
            "<td{}>{}</td></tr>",
            if holds { "" } else { " class=\"miss\"" },
            if holds { "yes" } else { "no" }
        );
    }
    let list: Vec<String> = a.scheduled().iter().map(u32::to_string).collect();
    let _ = writeln!(
        out,
        "</table>\n<p>Paste into the group: <code>staffing = [{}]</code></p>\n</body></html>",
        list.join(", ")
    );
    out
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

    #[test]
    fn the_target_line_and_series_are_drawn() {
        let s = Series {
            name: "a<b".into(),
            color: "#000",
            points: vec![(0.0, 3.0, None), (1800.0, 5.0, None)],
            step: true,
        };
        let svg = chart("Agents", 3600.0, &[s], Some(4.0), false);
        assert!(svg.contains("target 4"), "{svg}");
        assert!(svg.contains("a&lt;b"), "{svg}");
        // A step series holds each value to the next point's time (and the last to the end).
        assert_eq!(svg.matches("<polyline").count(), 1);
    }
}
