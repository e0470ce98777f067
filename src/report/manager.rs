//! The manager's page: `ccsim compare A B --format html` — one self-contained HTML page (inline
//! CSS and SVG, no script, no network) that answers "does B pay?" in human labels: the headline
//! differences B − A with their paired intervals, the money waterfall, where dissatisfaction
//! comes from (journey classes), the program charts when the scenarios have a program over
//! weeks, and the assumptions with their sources.
//!
//! The page renders what the comparison holds and says plainly what it does not (e.g. "no
//! program over weeks in these scenarios"), so it never draws a chart from invented figures.

use crate::compare::{AssumedMoney, Comparison, MetricComparison, StaffingSaving};
use crate::experiment::Paired;
use crate::stats::{Estimate, Scope};
use std::fmt::Write;

/// How a metric's values read: a share shown in percent, money, or a plain number.
#[derive(Clone, Copy)]
enum Unit {
    Percent,
    Money,
    Number,
}

/// The headline rows: metric name, human label, unit, and whether the figure rests on an
/// assumption (money and loyalty) or is measured by the simulation alone. Staffing cost, not
/// `cost`: `cost` adds the one-off training cost to the per-day cost, which the page never does.
const HEADLINE: [(&str, &str, Unit, bool); 7] = [
    (
        "csat_top_box",
        "Very satisfied (top-box CSAT)",
        Unit::Percent,
        false,
    ),
    ("fcr_rate", "First-contact resolution", Unit::Percent, false),
    (
        "churn_rate",
        "Customers who intend to leave",
        Unit::Percent,
        true,
    ),
    ("service_level", "Service level", Unit::Percent, false),
    ("nps", "Net promoter score", Unit::Number, true),
    (
        "staffing_cost",
        "Staffing cost per simulated day",
        Unit::Money,
        false,
    ),
    ("revenue_at_risk", "Revenue at risk", Unit::Money, true),
];

/// The journey classes in report order, with human labels.
const CLASSES: [(&str, &str); 7] = [
    ("first_contact_resolved", "Resolved on first contact"),
    ("resolved_after_repeat", "Resolved after a repeat contact"),
    ("unresolved", "Unresolved"),
    ("held", "Put on hold"),
    ("not_held", "Not put on hold"),
    ("transferred", "Transferred"),
    ("not_transferred", "Not transferred"),
];

/// Each default figure the money and loyalty rest on, its value and source (docs/model.md §4).
const ASSUMPTIONS: [(&str, &str, &str, &str); 10] = [
    (
        "Top-box CSAT of a perfect journey",
        "82%",
        "measured",
        "SQM Group, non-complaint callers",
    ),
    (
        "Held callers' top-box gap",
        "−15 points",
        "measured (calibrated)",
        "SQM Group 2021 (via teneo.ai, second-hand)",
    ),
    (
        "Transferred callers' top-box gap",
        "−12 points",
        "measured (calibrated)",
        "SQM Group 2021",
    ),
    (
        "Intent to defect: first-contact resolved / repeat / unresolved",
        "5% / 9% / 25%",
        "measured (stated intention)",
        "SQM Group 2022",
    ),
    (
        "Word of mouth after first-contact resolution",
        "41% tell 1 person",
        "measured",
        "SQM Group 2022",
    ),
    (
        "Word of mouth when unresolved and very dissatisfied",
        "74% tell 5 people",
        "measured",
        "SQM Group 2022",
    ),
    (
        "NPS anchors",
        "+45 at 82%, −16 at 55% top-box",
        "measured",
        "SQM Group (complaint callers)",
    ),
    (
        "Stated intent to defect becomes loss",
        "1:1",
        "assumption",
        "none published",
    ),
    (
        "Customer value",
        "scenario's customers.customer_value",
        "assumption",
        "company-specific: set from your data",
    ),
    (
        "Spend premium (upside)",
        "70% × 13%",
        "assumption (stated intention)",
        "American Express Barometer 2011",
    ),
];

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fmt(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{:.1}%", v * 100.0),
        Unit::Money => money(v),
        Unit::Number => format!("{v:.1}"),
    }
}

/// A difference: percent shares become percentage points, money keeps its sign.
fn fmt_diff(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{:+.1} pts", v * 100.0),
        Unit::Money => {
            let s = money(v.abs());
            if v < 0.0 {
                format!("−{s}")
            } else {
                format!("+{s}")
            }
        }
        Unit::Number => format!("{v:+.1}"),
    }
}

/// Money with thousands separators and no cents (the figures carry far more noise than cents).
fn money(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg {
        format!("−{out}")
    } else {
        out
    }
}

fn est_cell(e: &Option<Estimate>, unit: Unit) -> String {
    e.map_or_else(|| "n/a".into(), |e| fmt(e.mean, unit))
}

/// The page for a paired comparison.
pub fn page(
    c: &Comparison,
    p: &Paired,
    assumed: Option<&AssumedMoney>,
    saving: Option<&StaffingSaving>,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{} vs {}</title><style>{CSS}</style></head><body>\n",
        esc(&c.b),
        esc(&c.a)
    );
    let _ = writeln!(
        h,
        "<h1>Does it pay? {} compared with {}</h1>\
         <p class=\"sub\">A = {} &nbsp;·&nbsp; B = {} &nbsp;·&nbsp; {} paired replications \
         (common random numbers). Intervals are 95%; a difference is marked ● when its interval \
         excludes zero.</p>",
        esc(&c.b),
        esc(&c.a),
        esc(&c.a),
        esc(&c.b),
        c.replications
    );
    headline(&mut h, c);
    if let Some(s) = saving {
        let d = s.diff_agent_hours;
        let _ = writeln!(
            h,
            "<h2>The hard saving: staff needed</h2><p class=\"big\" id=\"hard-saving\">To meet \
             {} in {}, A needs <b>{:.0}</b> agent-hours a day (peak {:.0} agents) and B \
             <b>{:.0}</b> (peak {:.0}): B − A = <b>{:+.0}</b> agent-hours, 95% interval \
             [{:+.0}, {:+.0}] over {} paired staffing searches. <span class=\"me\">measured\
             </span></p>",
            esc(&s.targets.join(", ")),
            esc(&s.group),
            s.a_agent_hours.mean,
            s.a_peak_agents,
            s.b_agent_hours.mean,
            s.b_peak_agents,
            d.mean,
            d.ci95.0,
            d.ci95.1,
            s.seeds
        );
    }
    waterfall(&mut h, c, p);
    if let Some(m) = assumed {
        uncertainty(&mut h, m);
    }
    classes(&mut h, p);
    match &c.money.program {
        Some(pm) => {
            let _ = writeln!(
                h,
                "<h2>The program over weeks</h2><p class=\"note\" id=\"program\">NPV {} and \
                 payback above come from B − A's daily cash flow over the program ({} paired \
                 replications; one-off program costs booked on their days, never added to per-day \
                 costs). Not drawn here yet: the cumulative cash-flow chart with its assumption \
                 band and the service level per day — see <code>days[]</code> in the JSON output \
                 and the per-week summary of the table output.</p>",
                money_fmt(pm.npv.mean),
                pm.replications
            );
        }
        None => {
            let _ = writeln!(
                h,
                "<h2>The program over weeks</h2><p class=\"note\" id=\"no-program\">No \
                 training program over weeks in these scenarios: the cumulative cash flow with \
                 its assumption band, NPV, payback in days and the service level per day appear \
                 here when the scenarios define one.</p>"
            );
        }
    }
    assumptions(&mut h);
    h.push_str("</body></html>\n");
    h
}

fn headline(h: &mut String, c: &Comparison) {
    h.push_str(
        "<h2>Headline: B − A</h2><table class=\"head\"><tr><th>figure</th><th>A</th><th>B</th>\
         <th>B − A</th><th>95% interval</th><th></th><th>basis</th></tr>\n",
    );
    for (name, label, unit, assumed) in HEADLINE {
        let Some(m) = c.metrics.iter().find(|m| m.name == name) else {
            continue;
        };
        if m.a.is_none() && m.b.is_none() {
            continue;
        }
        let (diff, ci) = m.diff.map_or(("n/a".into(), String::new()), |d| {
            (
                fmt_diff(d.mean, unit),
                format!(
                    "[{}, {}]",
                    fmt_diff(d.ci95.0, unit),
                    fmt_diff(d.ci95.1, unit)
                ),
            )
        });
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td>{}</td><td>{}</td><td class=\"d\">{diff}</td><td>{ci}</td>\
             <td>{}</td><td>{}</td></tr>",
            est_cell(&m.a, unit),
            est_cell(&m.b, unit),
            if m.significant() { "●" } else { "" },
            basis(assumed)
        );
    }
    let money = &c.money;
    if let Some(pm) = &money.program {
        // A program over weeks: NPV and payback come from its daily cash flow (docs/model.md
        // §10), not from the one-off ÷ per-day shortcut below.
        let payback = pm.payback_days.as_ref().map_or_else(
            || {
                (
                    "does not pay back within the run".to_string(),
                    String::new(),
                )
            },
            |e| {
                (
                    format!("{:.1} days", e.mean),
                    format!("[{:.1}, {:.1}] days", e.ci95.0, e.ci95.1),
                )
            },
        );
        let _ = writeln!(
            h,
            "<tr><td>Payback of the program</td><td></td><td></td><td class=\"d\">{}</td>\
             <td>{}</td><td></td><td>{}</td></tr>\
             <tr><td>Net present value of the program</td><td></td><td></td><td class=\"d\">{}\
             </td><td>[{}, {}]</td><td></td><td>{}</td></tr></table>",
            payback.0,
            payback.1,
            basis(true),
            money_fmt(pm.npv.mean),
            money_fmt(pm.npv.ci95.0),
            money_fmt(pm.npv.ci95.1),
            basis(true)
        );
        return;
    }
    let payback = match money.payback_horizons {
        Some(p) => format!("{p:.1} simulated days"),
        None if money.training_investment_change > 0.0 => "does not pay back".into(),
        None => "no investment".into(),
    };
    let _ = writeln!(
        h,
        "<tr><td>Payback of the training investment</td><td></td><td></td><td class=\"d\">{payback}\
         </td><td>one-off cost ÷ net benefit per day, not discounted</td><td></td><td>{}</td></tr>\
         <tr><td>Net present value</td><td></td><td></td><td class=\"d\">n/a</td><td>needs a \
         program over weeks</td><td></td><td>{}</td></tr></table>",
        basis(true),
        basis(true)
    );
}

fn basis(assumed: bool) -> &'static str {
    if assumed {
        "<span class=\"as\">assumed</span>"
    } else {
        "<span class=\"me\">measured</span>"
    }
}

/// The money waterfall: per-day items B − A (positive = B gains), then the net per day; the
/// one-off training investment is shown beside it, never added to per-day figures.
fn waterfall(h: &mut String, c: &Comparison, p: &Paired) {
    let money = &c.money;
    let diff = |name: &str| -> Option<f64> {
        c.metrics
            .iter()
            .find(|m: &&MetricComparison| m.name == name)
            .and_then(|m| m.diff)
            .map(|d| d.mean)
    };
    let mut items: Vec<(&str, f64, bool)> = Vec::new();
    items.push(("Staffing cost saved", -money.staffing_cost_change, false));
    if let Some(r) = money.revenue_at_risk_change {
        items.push(("Customers retained", -r.mean, true));
    }
    let net = money.net_benefit_per_horizon;
    let upside = diff("revenue_upside");
    h.push_str("<h2>Money per simulated day (B − A)</h2>\n");
    let width = 760.0;
    let row_h = 34.0;
    let rows = items.len() + 1 + usize::from(upside.is_some());
    let height = row_h * rows as f64 + 40.0;
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    let mut run = 0.0;
    for (_, v, _) in &items {
        run += v;
        lo = lo.min(run).min(run - v);
        hi = hi.max(run).max(run - v);
    }
    if let Some(u) = upside {
        lo = lo.min(run).min(run + u);
        hi = hi.max(run).max(run + u);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let (x0, x1) = (230.0, width - 110.0);
    let x = |v: f64| x0 + (v - lo) / (hi - lo) * (x1 - x0);
    let _ = writeln!(
        h,
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         role=\"img\" aria-label=\"money waterfall\">"
    );
    let _ = writeln!(
        h,
        "<line x1=\"{0:.1}\" y1=\"10\" x2=\"{0:.1}\" y2=\"{1:.1}\" class=\"zero\"/>",
        x(0.0),
        height - 25.0
    );
    let mut y = 15.0;
    let mut start = 0.0;
    for (label, v, assumed) in &items {
        let end = start + v;
        bar(h, y, row_h, label, start, end, *assumed, &x);
        start = end;
        y += row_h;
    }
    let net_v = net.unwrap_or(start);
    let _ = writeln!(
        h,
        "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"net\"/>\
         <text x=\"220\" y=\"{:.1}\" class=\"lab\">Net benefit per day</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{}</text>",
        x(0.0).min(x(net_v)),
        (x(net_v) - x(0.0)).abs().max(1.0),
        row_h - 10.0,
        y + row_h / 2.0,
        x1 + 8.0,
        y + row_h / 2.0,
        fmt_diff(net_v, Unit::Money)
    );
    y += row_h;
    if let Some(u) = upside {
        let _ = writeln!(
            h,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"up\"/>\
             <text x=\"220\" y=\"{:.1}\" class=\"lab\">Upside (stated intention, not added)</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{}</text>",
            x(start).min(x(start + u)),
            (x(start + u) - x(start)).abs().max(1.0),
            row_h - 10.0,
            y + row_h / 2.0,
            x1 + 8.0,
            y + row_h / 2.0,
            fmt_diff(u, Unit::Money)
        );
    }
    h.push_str("</svg>\n");
    let _ =
        writeln!(
        h,
        "<p class=\"note\">One-off training investment (B − A): <b>{}</b>, paid back by the net \
         benefit per day ({}). Hatched bars rest on assumptions (customer value, intent becoming \
         loss). {} Time off the phones, handling saved and repeat contacts avoided are inside \
         the staffing and retention figures here; they are shown apart once the scenarios run \
         a program over weeks.</p>",
        fmt_diff(money.training_investment_change, Unit::Money),
        match money.payback_horizons {
            Some(p) => format!("{p:.1} simulated days"),
            None => "no payback".into(),
        },
        if p.a.overall.get("revenue_upside").is_some_and(|m| m.estimate.is_some()) {
            ""
        } else {
            "No spend premium is configured, so no upside is shown."
        }
    );
}

#[allow(clippy::too_many_arguments)]
fn bar(
    h: &mut String,
    y: f64,
    row_h: f64,
    label: &str,
    start: f64,
    end: f64,
    assumed: bool,
    x: &dyn Fn(f64) -> f64,
) {
    let class = match (end >= start, assumed) {
        (true, false) => "gain",
        (true, true) => "gain as",
        (false, false) => "loss",
        (false, true) => "loss as",
    };
    let _ = writeln!(
        h,
        "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"{class}\"/>\
         <text x=\"220\" y=\"{:.1}\" class=\"lab\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{}</text>",
        x(start).min(x(end)),
        (x(end) - x(start)).abs().max(1.0),
        row_h - 10.0,
        y + row_h / 2.0,
        esc(label),
        650.0 + 8.0,
        y + row_h / 2.0,
        fmt_diff(end - start, Unit::Money)
    );
}

/// Each money figure with the simulation CI and the assumption interval, then the sensitivity
/// (tornado) chart of net benefit per day: one bar per ranged assumption, low → high.
fn uncertainty(h: &mut String, m: &AssumedMoney) {
    let _ = writeln!(
        h,
        "<h2>How sure: simulation noise and assumptions</h2><table class=\"head\"><tr>\
         <th>figure</th><th>value</th><th>simulation 95% interval</th><th>assumption range \
         ({} draws)</th><th>basis</th></tr>",
        m.draws
    );
    let pair = |p: Option<(f64, f64)>, unit: &dyn Fn(f64) -> String| {
        p.map_or_else(
            || "n/a".into(),
            |(lo, hi)| format!("[{}, {}]", unit(lo), unit(hi)),
        )
    };
    let cash = |v: f64| fmt_diff(v, Unit::Money);
    let days = |v: f64| format!("{v:.1} days");
    for (label, f, unit) in [
        (
            "Revenue at risk, B − A",
            &m.revenue_at_risk_change,
            &cash as &dyn Fn(f64) -> String,
        ),
        ("Net benefit per day", &m.net_benefit, &cash),
        ("Payback of the training investment", &m.payback, &days),
    ] {
        let Some(f) = f else { continue };
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"d\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            unit(f.mean),
            pair(f.ci95, unit),
            pair(f.assumption_range, unit),
            basis(true)
        );
    }
    h.push_str("</table>\n<h3>Which assumption moves net benefit most</h3>\n");
    let swings = &m.sensitivity_net_benefit;
    if swings.is_empty() {
        h.push_str(
            "<p class=\"note\" id=\"no-ranges\">No assumption is given as a range in these \
             scenarios, so the assumption interval is a point. Give one as \
             <code>{ low = …, mode = …, high = … }</code> (e.g. <code>customers.customer_value\
             </code>) to see it here.</p>\n",
        );
        return;
    }
    let lo = swings
        .iter()
        .flat_map(|s| [s.at_low, s.at_high])
        .fold(0.0_f64, f64::min);
    let hi = swings
        .iter()
        .flat_map(|s| [s.at_low, s.at_high])
        .fold(0.0_f64, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (x0, x1) = (260.0, 640.0);
    let x = |v: f64| x0 + (v - lo) / span * (x1 - x0);
    let height = 30.0 * swings.len() as f64 + 30.0;
    let _ = writeln!(
        h,
        "<svg class=\"chart\" width=\"900\" height=\"{height}\" viewBox=\"0 0 900 {height}\" \
         role=\"img\" aria-label=\"sensitivity of net benefit\">\
         <line x1=\"{0:.1}\" y1=\"5\" x2=\"{0:.1}\" y2=\"{1:.1}\" class=\"zero\"/>",
        x(0.0),
        height - 20.0
    );
    for (i, s) in swings.iter().enumerate() {
        let y = 8.0 + 30.0 * i as f64;
        let (a, b) = (s.at_low.min(s.at_high), s.at_low.max(s.at_high));
        let _ = writeln!(
            h,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"20\" class=\"gain as\"/>\
             <text x=\"250\" y=\"{:.1}\" class=\"lab\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{} … {}</text>",
            x(a),
            (x(b) - x(a)).max(1.0),
            y + 10.0,
            esc(&s.key),
            x1 + 8.0,
            y + 10.0,
            cash(s.at_low),
            cash(s.at_high)
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">net benefit per day, low → high</text></svg>",
        x0,
        height - 5.0
    );
}

/// Where dissatisfaction comes from: each journey class's share, top-box CSAT (with a bar on a
/// 0–100% axis), intent to leave and people told, A beside B.
fn classes(h: &mut String, p: &Paired) {
    let (a, b) = (p.a.classes(), p.b.classes());
    if a.is_empty() {
        return;
    }
    h.push_str(
        "<h2>Where dissatisfaction comes from</h2><table class=\"cls\"><tr><th>journey</th>\
         <th>share A</th><th>share B</th><th>very satisfied A</th><th>very satisfied B</th>\
         <th>0% … 100% very satisfied</th><th>intend to leave A</th><th>intend to leave B</th>\
         <th>people told A</th><th>people told B</th></tr>\n",
    );
    let val = |s: Option<&Scope>, m: &str| {
        s.and_then(|s| s.get(m))
            .and_then(|m| m.estimate)
            .map(|e| e.mean)
    };
    for (key, label) in CLASSES {
        let sa = a.iter().find(|s| s.name == key);
        let sb = b.iter().find(|s| s.name == key);
        let cell = |v: Option<f64>, unit: Unit| v.map_or_else(|| "n/a".into(), |v| fmt(v, unit));
        let ta = val(sa, "csat_top_box");
        let tb = val(sb, "csat_top_box");
        let bars = format!(
            "<svg width=\"200\" height=\"22\" viewBox=\"0 0 200 22\">\
             <rect x=\"0\" y=\"2\" width=\"{:.1}\" height=\"8\" class=\"ba\"/>\
             <rect x=\"0\" y=\"12\" width=\"{:.1}\" height=\"8\" class=\"bb\"/></svg>",
            ta.unwrap_or(0.0).clamp(0.0, 1.0) * 200.0,
            tb.unwrap_or(0.0).clamp(0.0, 1.0) * 200.0
        );
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{bars}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(val(sa, "share"), Unit::Percent),
            cell(val(sb, "share"), Unit::Percent),
            cell(ta, Unit::Percent),
            cell(tb, Unit::Percent),
            cell(val(sa, "churn_rate"), Unit::Percent),
            cell(val(sb, "churn_rate"), Unit::Percent),
            cell(val(sa, "word_of_mouth_people"), Unit::Number),
            cell(val(sb, "word_of_mouth_people"), Unit::Number),
        );
    }
    h.push_str(
        "</table><p class=\"note\"><span class=\"key ba\"></span> A &nbsp; \
         <span class=\"key bb\"></span> B</p>\n",
    );
}

fn assumptions(h: &mut String) {
    h.push_str(
        "<h2>What the figures rest on</h2><table class=\"as-t\"><tr><th>figure</th><th>default\
         </th><th>basis</th><th>source</th></tr>\n",
    );
    for (what, value, basis, source) in ASSUMPTIONS {
        let _ = writeln!(
            h,
            "<tr><td>{what}</td><td>{value}</td><td>{basis}</td><td>{source}</td></tr>"
        );
    }
    h.push_str(
        "</table><p class=\"note\">Measured figures are the sources' survey results or the \
         simulation's own output; assumptions are parameters to set from your own data \
         (docs/model.md §4 gives each with its unit).</p>\n",
    );
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\
.sub,.note{color:#555;font-size:13px}table{border-collapse:collapse;font-size:13px}\
td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}\
td:first-child,th:first-child{text-align:left}.d{font-weight:600}\
.as{color:#a15c00}.me{color:#1d6b2f}.zero{stroke:#999;stroke-width:1}\
.gain{fill:#2e8b57}.loss{fill:#c0392b}.as.gain,.as.loss{fill-opacity:.55;stroke:#333;\
stroke-dasharray:3 2}.net{fill:#1f4e8c}.up{fill:none;stroke:#1f4e8c;stroke-dasharray:4 3}\
.lab{font-size:13px;text-anchor:end;dominant-baseline:middle}\
.val{font-size:13px;dominant-baseline:middle}.ba{fill:#9bb7d4;background:#9bb7d4}\
.bb{fill:#1f4e8c;background:#1f4e8c}.key{display:inline-block;width:12px;height:10px}.as-t td,.as-t th{text-align:left}";

/// A currency amount, whole units with thousands separators and its sign.
fn money_fmt(v: f64) -> String {
    let r = v.round();
    let digits = format!("{:.0}", r.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if r < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_separators_and_a_true_minus() {
        assert_eq!(money(1234567.4), "1,234,567");
        assert_eq!(money(-950.0), "−950");
        assert_eq!(fmt_diff(-0.0123, Unit::Percent), "-1.2 pts");
        assert_eq!(esc("<a&\"b\">"), "&lt;a&amp;&quot;b&quot;&gt;");
    }
}
