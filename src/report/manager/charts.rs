//! The manager page's program charts, as inline SVG: the cumulative cash flow of B − A with its
//! bands, and the service level per day of A and B. Axes are on each figure's own scale (money
//! on rounded money ticks with the zero line; shares on 0–100%), time on whole days with a
//! tick at the start of each week.
//!
//! The cash-flow chart takes a slice of [`MoneyFigure`] (one per day, cumulative, B − A), so
//! any source of that series can feed it: today [`cash_flow_from_days`] builds it from the
//! per-day summaries, a compare result that carries the series itself can be passed instead.

use crate::compare::MoneyFigure;
use crate::experiment::{Paired, Scope};
use std::fmt::Write;

/// Plot area of every chart: width, height, margins (left, right, top, bottom).
const W: f64 = 1000.0;
const H: f64 = 300.0;
const L: f64 = 90.0;
const R: f64 = 190.0;
const T: f64 = 20.0;
const B: f64 = 55.0;

/// B − A's cumulative cash flow per day (undiscounted) from the paired per-day summaries: day
/// d's cash is revenue at risk avoided − extra staffing cost − extra program cost (the series
/// [`crate::money::ProgramCashFlow`] discounts into NPV). Each day's simulation interval is the
/// sum of the paired intervals' half-widths of the days so far and of the three terms: the
/// standard deviation of a sum is at most the sum of the standard deviations, so the band is
/// conservative (at least as wide as the paired interval of the cumulative sum itself). No
/// assumption range: that needs re-scoring per replication. Empty without per-day scopes.
pub fn cash_flow_from_days(p: &Paired) -> Vec<MoneyFigure> {
    let (mut cum, mut half) = (0.0, 0.0);
    let mut out = Vec::with_capacity(p.a.days.len());
    for d in 0..p.a.days.len().min(p.b.days.len()) {
        let diffs = p.scope_diffs(&format!("day:{d}"));
        let mut day_half = Some(0.0);
        let mut cash = 0.0;
        for (metric, sign) in [
            ("revenue_at_risk", -1.0),
            ("staffing_cost", -1.0),
            ("program_cost", -1.0),
        ] {
            match diffs.iter().find(|(m, _)| *m == metric) {
                Some((_, Some(e))) => {
                    cash += sign * e.mean;
                    day_half = day_half.map(|h| h + e.half_width());
                }
                // Not paired (or undefined every time): the means alone, no interval.
                _ => {
                    let m = |s: &Scope| s.get(metric).and_then(|m| m.estimate).map(|e| e.mean);
                    let (a, b) = (m(&p.a.days[d]), m(&p.b.days[d]));
                    cash += sign * (b.unwrap_or(0.0) - a.unwrap_or(0.0));
                    if a.is_some() || b.is_some() {
                        day_half = None;
                    }
                }
            }
        }
        cum += cash;
        half = match (half, day_half) {
            (h, Some(dh)) if h >= 0.0 => h + dh,
            _ => -1.0,
        };
        out.push(MoneyFigure {
            mean: cum,
            ci95: (half >= 0.0).then_some((cum - half, cum + half)),
            assumption_range: None,
        });
    }
    out
}

/// Rounded ticks covering `[lo, hi]` (about `n` of them, at 1, 2 or 5 × 10^k).
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Money on an axis: compact (`150k`, `1.2M`), true minus sign.
pub fn money_short(v: f64) -> String {
    let a = v.abs();
    let body = if a >= 1e6 {
        format!("{:.1}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", a / 1e3)
    } else if a.fract() != 0.0 {
        format!("{a:.1}")
    } else {
        format!("{a:.0}")
    };
    if v < 0.0 && !body.trim_start_matches(['0', '.', 'k', 'M']).is_empty() {
        format!("−{body}")
    } else {
        body
    }
}

/// Day ticks: every day up to two weeks, else the start of each week (`week N`).
fn day_ticks(days: usize) -> Vec<(usize, String)> {
    if days <= 14 {
        (0..=days).map(|d| (d, format!("day {d}"))).collect()
    } else {
        (0..=days)
            .step_by(7)
            .map(|d| (d, format!("week {}", d / 7 + 1)))
            .collect()
    }
}

/// The frame of a chart: x on days `0..=days`, y on `[lo, hi]` with the given ticks.
struct Frame {
    days: f64,
    lo: f64,
    hi: f64,
}

impl Frame {
    fn x(&self, day: f64) -> f64 {
        L + day / self.days.max(1.0) * (W - L - R)
    }
    fn y(&self, v: f64) -> f64 {
        H - B - (v - self.lo) / (self.hi - self.lo) * (H - T - B)
    }

    /// Opens the SVG and draws both axes, the y grid with its labels and the axis titles.
    fn open(&self, h: &mut String, label: &str, y_ticks: &[(f64, String)], x_title: &str) {
        let _ = writeln!(
            h,
            "<svg class=\"chart\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" \
             role=\"img\" aria-label=\"{label}\">"
        );
        for (v, text) in y_ticks {
            let y = self.y(*v);
            let _ = writeln!(
                h,
                "<line x1=\"{L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" class=\"grid\"/>\
                 <text x=\"{:.1}\" y=\"{y:.1}\" class=\"lab\">{text}</text>",
                W - R,
                L - 6.0
            );
        }
        for (d, text) in day_ticks(self.days as usize) {
            let x = self.x(d as f64);
            let _ = writeln!(
                h,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"axis\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\">{text}</text>",
                H - B,
                H - B + 5.0,
                H - B + 18.0
            );
        }
        let _ = writeln!(
            h,
            "<line x1=\"{L}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" class=\"axis\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{x_title}</text>",
            H - B,
            W - R,
            H - B,
            (L + W - R) / 2.0,
            H - 10.0
        );
    }
}

/// A closed polygon between `lo(i)` and `hi(i)` over the points `xs`.
fn band(xs: &[f64], lo: &[f64], hi: &[f64], f: &Frame) -> String {
    let mut pts: Vec<String> = xs
        .iter()
        .zip(hi)
        .map(|(x, v)| format!("{:.1},{:.1}", f.x(*x), f.y(*v)))
        .collect();
    pts.extend(
        xs.iter()
            .zip(lo)
            .rev()
            .map(|(x, v)| format!("{:.1},{:.1}", f.x(*x), f.y(*v))),
    );
    pts.join(" ")
}

/// Legend entries at the right of the plot: (CSS class of the swatch, text).
fn legend(h: &mut String, entries: &[(&str, &str)]) {
    for (i, (class, text)) in entries.iter().enumerate() {
        let y = T + 8.0 + 34.0 * i as f64;
        let x = W - R + 14.0;
        // A second line after '\n' (the legend column is narrow).
        let text = match text.split_once('\n') {
            Some((first, second)) => format!(
                "{first}<tspan x=\"{:.1}\" dy=\"14\">{second}</tspan>",
                x + 20.0
            ),
            None => text.to_string(),
        };
        let _ = writeln!(
            h,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"10\" class=\"{class}\"/>\
             <text x=\"{:.1}\" y=\"{y:.1}\" class=\"leg\">{text}</text>",
            y - 5.0,
            x + 20.0
        );
    }
}

/// The cumulative cash flow of B − A per day (`flow[d]` = total after day d), its simulation
/// band, its assumption band when the figures carry one, the zero line and the payback day.
/// `band_note` says how the simulation band was made.
pub fn cash_flow_chart(
    h: &mut String,
    flow: &[MoneyFigure],
    payback: Option<f64>,
    band_note: &str,
) {
    if flow.is_empty() {
        return;
    }
    let has_assumption = flow.iter().any(|f| f.assumption_range.is_some());
    let mut lo = 0.0_f64;
    let mut hi = 0.0_f64;
    for f in flow {
        for v in [Some((f.mean, f.mean)), f.ci95, f.assumption_range]
            .into_iter()
            .flatten()
        {
            lo = lo.min(v.0);
            hi = hi.max(v.1);
        }
    }
    let t = ticks(lo, hi, 6);
    let frame = Frame {
        days: flow.len() as f64,
        lo: t[0],
        hi: *t.last().unwrap_or(&1.0),
    };
    let labels: Vec<(f64, String)> = t.iter().map(|v| (*v, money_short(*v))).collect();
    frame.open(
        h,
        "cumulative cash flow of B minus A",
        &labels,
        "days of the program (cumulative total at the end of each day)",
    );
    // Day d's total is reached at the end of day d: x = d + 1; the series starts at 0 on day 0.
    let xs: Vec<f64> = (0..=flow.len()).map(|d| d as f64).collect();
    let series =
        |pick: &dyn Fn(&MoneyFigure) -> Option<(f64, f64)>| -> Option<(Vec<f64>, Vec<f64>)> {
            let mut lo = vec![0.0];
            let mut hi = vec![0.0];
            for f in flow {
                let (a, b) = pick(f)?;
                lo.push(a);
                hi.push(b);
            }
            Some((lo, hi))
        };
    if let Some((alo, ahi)) = series(&|f| f.assumption_range) {
        let _ = writeln!(
            h,
            "<polygon points=\"{}\" class=\"aband\"/>",
            band(&xs, &alo, &ahi, &frame)
        );
    }
    if let Some((slo, shi)) = series(&|f| f.ci95) {
        let _ = writeln!(
            h,
            "<polygon points=\"{}\" class=\"sband\"/>",
            band(&xs, &slo, &shi, &frame)
        );
    }
    let _ = writeln!(
        h,
        "<line x1=\"{L}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" class=\"zero\"/>\
         <text x=\"{1:.1}\" y=\"{0:.1}\" class=\"leg\" dx=\"4\">0</text>",
        frame.y(0.0),
        W - R
    );
    let line: Vec<String> = std::iter::once(0.0)
        .chain(flow.iter().map(|f| f.mean))
        .enumerate()
        .map(|(d, v)| format!("{:.1},{:.1}", frame.x(d as f64), frame.y(v)))
        .collect();
    let _ = writeln!(
        h,
        "<polyline points=\"{}\" class=\"ln lb\"/>",
        line.join(" ")
    );
    let total = flow[flow.len() - 1].mean;
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"leg\" text-anchor=\"end\" dx=\"-4\" dy=\"-12\" id=\"cash-total\">{}</text>",
        frame.x(flow.len() as f64),
        frame.y(total),
        super::fmt_diff(total, super::Unit::Money)
    );
    if let Some(p) = payback.filter(|p| *p <= flow.len() as f64) {
        let x = frame.x(p);
        let _ = writeln!(
            h,
            "<line x1=\"{x:.1}\" y1=\"{T}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"mark\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"leg\" id=\"payback-mark\">pays back: day \
             {p:.1}</text>",
            H - B,
            x + 4.0,
            T + 10.0
        );
    }
    let mut entries = vec![
        ("lb", "B − A, cumulative\n(undiscounted)"),
        ("sband", "simulation 95% band"),
    ];
    if has_assumption {
        entries.push(("aband", "assumption band"));
    }
    legend(h, &entries);
    h.push_str("</svg>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">Simulation band: {band_note}. {}</p>",
        if has_assumption {
            "Assumption band: 2.5%–97.5% over the draws of the ranged assumptions."
        } else {
            "<span id=\"no-assumption-band\">Assumption band: not available</span> for this \
             series (no per-day assumption range is computed yet; the NPV and payback above \
             carry theirs)."
        }
    );
}

/// Service level per day of A and B on a 0–100% axis, one point per open day (`open[d]`:
/// someone is scheduled; a closed day's service level — redials and callbacks nobody
/// answers — says nothing about the program), with the target line (`target` = (share,
/// given on the command line)) and class days shaded.
pub fn service_level_chart(
    h: &mut String,
    a: &[Scope],
    b: &[Scope],
    target: (f64, bool),
    days_kind: (&[bool], &[bool]),
    threshold_s: f64,
) {
    let (class_days, open) = days_kind;
    let days = a.len().min(b.len());
    if days == 0 {
        return;
    }
    let frame = Frame {
        days: days as f64,
        lo: 0.0,
        hi: 1.0,
    };
    let labels: Vec<(f64, String)> = (0..=5)
        .map(|k| (k as f64 * 0.2, format!("{}%", k * 20)))
        .collect();
    frame.open(
        h,
        "service level per day",
        &labels,
        "days of the program (one point per open day)",
    );
    for (d, _) in class_days.iter().enumerate().filter(|(_, c)| **c) {
        let _ = writeln!(
            h,
            "<rect x=\"{:.1}\" y=\"{T}\" width=\"{:.1}\" height=\"{:.1}\" class=\"cls-day\"/>",
            frame.x(d as f64),
            frame.x(1.0) - frame.x(0.0),
            H - B - T
        );
    }
    let y = frame.y(target.0);
    let _ = writeln!(
        h,
        "<line x1=\"{L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" class=\"mark\"/>",
        W - R
    );
    for (scopes, class) in [(a, "la"), (b, "lb")] {
        // One segment per run of consecutive open days: closed days (weekends) leave a gap.
        let mut segment: Vec<String> = Vec::new();
        let mut last = None;
        let mut dots = String::new();
        let flush = |h: &mut String, seg: &mut Vec<String>| {
            if seg.len() > 1 {
                let _ = writeln!(
                    h,
                    "<polyline points=\"{}\" class=\"ln {class}\"/>",
                    seg.join(" ")
                );
            }
            seg.clear();
        };
        for (d, s) in scopes.iter().enumerate().take(days) {
            let offered = s
                .get("offered")
                .and_then(|m| m.estimate)
                .map_or(0.0, |e| e.mean);
            let sl = s
                .get("service_level")
                .and_then(|m| m.estimate)
                .map(|e| e.mean);
            let is_open = open.get(d).copied().unwrap_or(true);
            let Some(sl) = sl.filter(|_| offered > 0.0 && is_open) else {
                continue;
            };
            if last.is_some_and(|l: usize| l + 1 != d) {
                flush(h, &mut segment);
            }
            let (px, py) = (frame.x(d as f64 + 0.5), frame.y(sl.clamp(0.0, 1.0)));
            segment.push(format!("{px:.1},{py:.1}"));
            let _ = write!(
                dots,
                "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"2.5\" class=\"{class}\"/>"
            );
            last = Some(d);
        }
        flush(h, &mut segment);
        h.push_str(&dots);
        h.push('\n');
    }
    let target_text = if target.1 {
        format!("target {:.0}%\n(--staffing-target)", target.0 * 100.0)
    } else {
        format!("reference {:.0}%\n(no target given)", target.0 * 100.0)
    };
    let threshold = format!("answered within {threshold_s:.0} s");
    let mut entries = vec![("la", "A"), ("lb", "B"), ("mark-sw", target_text.as_str())];
    if class_days.iter().any(|c| *c) {
        entries.push(("cls-day", "trainees in class\n(either scenario)"));
    }
    legend(h, &entries);
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"leg\">{threshold}</text></svg>",
        W - R + 14.0,
        T + 8.0 + 34.0 * entries.len() as f64
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = ticks(-36_800.0, 151_000.0, 6);
        assert_eq!(t.first(), Some(&-50_000.0));
        assert_eq!(t.last(), Some(&200_000.0));
        assert!(t.windows(2).all(|w| (w[1] - w[0] - 50_000.0).abs() < 1e-6));
    }

    #[test]
    fn axis_money_is_compact_with_a_true_minus() {
        assert_eq!(money_short(-50_000.0), "−50k");
        assert_eq!(money_short(1_250_000.0), "1.2M");
        assert_eq!(money_short(0.0), "0");
        assert_eq!(money_short(-0.0), "0");
        assert_eq!(money_short(300.0), "300");
        assert_eq!(money_short(0.2), "0.2");
    }

    #[test]
    fn day_ticks_switch_to_weeks_after_two_weeks() {
        assert_eq!(day_ticks(3).len(), 4);
        let w = day_ticks(84);
        assert_eq!(w.len(), 13);
        assert_eq!(w[1], (7, "week 2".to_string()));
    }

    #[test]
    fn the_cash_chart_says_when_no_assumption_band_exists() {
        let flow = [-100.0, -60.0, -20.0, 20.0].map(|m| MoneyFigure {
            mean: m,
            ci95: Some((m - 5.0, m + 5.0)),
            assumption_range: None,
        });
        let mut h = String::new();
        cash_flow_chart(&mut h, &flow, Some(3.5), "test");
        assert!(h.contains("Assumption band: not available"));
        assert!(h.contains("pays back: day 3.5"));
        assert!(!h.contains("class=\"aband\""));
        let with: Vec<MoneyFigure> = flow
            .iter()
            .map(|f| MoneyFigure {
                assumption_range: Some((f.mean - 50.0, f.mean + 50.0)),
                ..*f
            })
            .collect();
        let mut h = String::new();
        cash_flow_chart(&mut h, &with, None, "test");
        assert!(h.contains("class=\"aband\"") && h.contains("assumption band"));
        assert!(!h.contains("not available") && !h.contains("pays back"));
    }

    fn day(offered: f64, sl: f64) -> Scope {
        let e = |mean| {
            Some(crate::stats::Estimate {
                mean,
                ci95: (mean, mean),
                n: 1,
            })
        };
        Scope {
            name: "day".into(),
            metrics: vec![
                crate::stats::Metric {
                    name: "offered",
                    estimate: e(offered),
                },
                crate::stats::Metric {
                    name: "service_level",
                    estimate: e(sl),
                },
            ],
        }
    }

    #[test]
    fn service_level_skips_closed_days_and_labels_the_target() {
        // Day 1 is closed: its 0% (a redial nobody answered) must not be drawn.
        let a = [day(100.0, 0.7), day(3.0, 0.0), day(100.0, 0.75)];
        let b = [day(100.0, 0.8), day(3.0, 0.0), day(100.0, 0.9)];
        let mut h = String::new();
        let open = [true, false, true];
        service_level_chart(&mut h, &a, &b, (0.8, false), (&[false; 3], &open), 20.0);
        assert_eq!(h.matches("<circle").count(), 4);
        // Days 0 and 2 are not consecutive: no line through the closed day.
        assert!(!h.contains("<polyline"));
        assert!(h.contains("reference 80%") && h.contains("no target given"));
        assert!(!h.contains("trainees in class"));
        let mut h = String::new();
        service_level_chart(
            &mut h,
            &a,
            &b,
            (0.9, true),
            (&[true, false, false], &[true; 3]),
            20.0,
        );
        assert!(h.contains("target 90%") && h.contains("trainees in class"));
        assert_eq!(h.matches("<polyline").count(), 2);
    }
}
