//! The manager's page: `ccsim compare A B --format html` — one self-contained HTML page (inline
//! CSS and SVG, no script, no network) that answers "does B pay?" in human labels: the headline
//! differences B − A with their paired intervals, the money waterfall, where dissatisfaction
//! comes from (journey classes), the program charts when the scenarios have a program over
//! weeks, and the assumptions with their sources.
//!
//! The page renders what the comparison holds and says plainly what it does not (e.g. "no
//! program over weeks in these scenarios"), so it never draws a chart from invented figures;
//! a pair without an experience model shows no satisfaction, loyalty or money from defaults.
//! Every money label says what it covers: per day (a one-day run), over the run, or over the
//! program. The waterfall's items are computed in [`waterfall`], the program charts (cumulative
//! cash flow, service level per day) drawn in [`charts`].

pub mod charts;
pub mod waterfall;

use crate::compare::{AssumedMoney, Comparison, MoneyFigure, StaffingSaving};
use crate::experiment::Paired;
use crate::model::assumptions::Swing;
use crate::scenario::Scenario;
use crate::stats::{Estimate, Scope};
use std::fmt::Write;
use waterfall::{Basis, Item as WItem, Role, Waterfall};

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
        "Staffing cost (planned rota)",
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

/// What the run covers, for labels: one day, a run of several days, or a program over days.
/// Every figure of the `overall` scope is a total over the run, so a multi-day run must never
/// say "per day" for it.
#[derive(Clone, Copy)]
struct Period {
    days: u32,
    program: bool,
}

impl Period {
    fn of(p: &Paired, a: &Scenario) -> Period {
        let program = !p.a.days.is_empty() && p.a.days.len() == p.b.days.len();
        Period {
            days: if program {
                p.a.days.len() as u32
            } else {
                waterfall::run_days(a)
            },
            program,
        }
    }

    /// "per day", "over the run (5 days)" or "over the program (84 days)".
    fn phrase(self) -> String {
        match (self.program, self.days) {
            (true, d) => format!("over the program ({d} days)"),
            (false, 1) => "per day".into(),
            (false, d) => format!("over the run ({d} days)"),
        }
    }
}

/// The page for a paired comparison of scenarios `a` and `b` (the scenarios give the prices
/// and the program's class days the waterfall and the charts need).
pub fn page(
    c: &Comparison,
    p: &Paired,
    assumed: Option<&AssumedMoney>,
    saving: Option<&StaffingSaving>,
    a: &Scenario,
    b: &Scenario,
) -> String {
    let period = Period::of(p, a);
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
         (common random numbers) &nbsp;·&nbsp; figures are {} unless marked. Intervals are \
         95%; a difference is marked ● when its interval excludes zero.</p>",
        esc(&c.b),
        esc(&c.a),
        esc(&c.a),
        esc(&c.b),
        c.replications,
        period.phrase()
    );
    // Honest defaults: without an experience model nothing about satisfaction, loyalty or
    // customer money is computed (the metrics are undefined), so the page says so instead of
    // showing tables of "n/a" or the defaults' sources.
    let scored = a.experience_model || b.experience_model;
    let priced = scored || period.program || [a, b].iter().any(|s| has_prices(s));
    headline(
        &mut h,
        c,
        period,
        scored || c.money.training_investment_change != 0.0,
    );
    if !scored {
        h.push_str(
            "<p class=\"note\" id=\"no-experience\">These scenarios have no experience model \
             (no satisfaction, loyalty or customer-value keys), so this page shows no \
             satisfaction, loyalty or revenue figures: they would come from defaults, not \
             from the scenarios.</p>\n",
        );
    }
    if let Some(s) = saving {
        let d = s.diff_agent_hours;
        let _ =
            writeln!(
            h,
            "<h2>The hard saving: staff needed</h2><p class=\"big\" id=\"hard-saving\">To meet \
             {} in {}, A needs <b>{:.0}</b> agent-hours {} (peak {:.0} agents) and B \
             <b>{:.0}</b> (peak {:.0}): B − A = <b>{:+.0}</b> agent-hours, 95% interval \
             [{:+.0}, {:+.0}] over {} paired staffing searches. <span class=\"me\">measured\
             </span></p>",
            esc(&s.targets.iter().map(|t| human_target(t)).collect::<Vec<_>>().join(", ")),
            esc(&s.group),
            s.a_agent_hours.mean,
            period.phrase(),
            s.a_peak_agents,
            s.b_agent_hours.mean,
            s.b_peak_agents,
            d.mean,
            d.ci95.0,
            d.ci95.1,
            s.seeds
        );
    }
    if priced {
        waterfall_chart(&mut h, &waterfall::waterfall(c, p, a, b), c, period);
    } else {
        h.push_str(
            "<h2>Money</h2><p class=\"note\" id=\"no-money\">No money figures: neither \
             scenario prices its agents (<code>agent_groups[].hourly_cost</code>, \
             <code>supervisors.hourly_cost</code>), a training or its customers.</p>\n",
        );
    }
    if let Some(m) = assumed.filter(|_| scored || period.program) {
        uncertainty(&mut h, m, c, period);
    }
    classes(&mut h, p, scored);
    match &c.money.program {
        Some(pm) => {
            let _ = writeln!(
                h,
                "<h2>The program over weeks</h2><p class=\"note\" id=\"program\">B − A's cash, \
                 day by day over the {} days ({} paired replications): revenue at risk avoided, \
                 minus the extra rota cost, minus the program's one-off costs on the days they \
                 are paid (never spread over per-day costs). NPV discounts this series; payback \
                 is where its undiscounted total crosses zero.</p>\
                 <h3>Cumulative cash flow, B − A</h3>",
                period.days, pm.replications
            );
            // The compare result's own series: each replication's running total paired (an
            // exact interval) with the assumption band from re-scoring. Without it (a result
            // built without assumption draws), the per-day summaries give a conservative one.
            let (flow, band_note) = if c.money.cash_flow.is_empty() {
                let flow = charts::cash_flow_from_days(p);
                let last = flow
                    .last()
                    .and_then(|f| f.ci95)
                    .map_or(String::new(), |(lo, hi)| {
                        format!(" (last day: ±{})", money_fmt((hi - lo) / 2.0))
                    });
                let note = format!(
                    "paired 95% intervals of each day's terms added up day by day — an upper \
                     bound on the interval of the running total, so it is conservative{last}"
                );
                (flow, note)
            } else {
                let note = "paired 95% interval of the running total over the replications \
                            (common random numbers)"
                    .to_string();
                (c.money.cash_flow.clone(), note)
            };
            charts::cash_flow_chart(&mut h, &flow, pm.payback_days.map(|e| e.mean), &band_note);
            let target = saving
                .and_then(|s| {
                    s.targets
                        .iter()
                        .find_map(|t| t.strip_prefix("service_level>="))
                        .and_then(|v| v.parse::<f64>().ok())
                })
                .map_or((0.8, false), |v| (v, true));
            let class_days: Vec<bool> = (0..period.days)
                .map(|d| waterfall::class_day(a, b, d))
                .collect();
            let open = waterfall::open_days(a);
            h.push_str("<h3>Service level per day</h3>\n");
            charts::service_level_chart(
                &mut h,
                &p.a.days,
                &p.b.days,
                target,
                (&class_days, &open),
                a.simulation.service_level_threshold,
            );
        }
        None if a.program.is_some() != b.program.is_some() => {
            let (with, without) = if b.program.is_some() {
                ("B", "A")
            } else {
                ("A", "B")
            };
            let _ = writeln!(
                h,
                "<h2>The program over weeks</h2><p class=\"note\" id=\"one-program\">Only \
                 {with} runs a program over weeks: the day-by-day cash flow, NPV and service \
                 level per day need both on the same days. Give {without} a \
                 <code>[program]</code> section too (a baseline may have no cohorts, only \
                 attrition and the discount rate, as scenarios/program_baseline.toml).</p>"
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
    if scored {
        assumptions(&mut h);
    }
    h.push_str("</body></html>\n");
    h
}

/// A staffing target as people say it: `service_level>=0.8` → `service level ≥ 80%`,
/// `asa_s<=30` → `asa s ≤ 30` (shares in percent; anything else as given, underscores spaced).
fn human_target(t: &str) -> String {
    for (op, sign) in [(">=", "≥"), ("<=", "≤")] {
        if let Some((metric, value)) = t.split_once(op) {
            let share = metric.ends_with("_level") || metric.ends_with("_rate");
            let value = match value.parse::<f64>() {
                Ok(v) if share && (0.0..=1.0).contains(&v) => {
                    format!("{}%", (v * 1000.0).round() / 10.0)
                }
                _ => value.to_string(),
            };
            return format!("{} {sign} {value}", metric.replace(['_', '.'], " "));
        }
    }
    t.replace('_', " ")
}

/// Whether `s` puts a price on anything: agents, supervisors or training.
fn has_prices(s: &Scenario) -> bool {
    s.supervisors.hourly_cost > 0.0
        || s.agent_groups
            .iter()
            .any(|g| g.hourly_cost > 0.0 || g.training_cost > 0.0)
}

/// The headline table; `payback_rows`: show the payback and NPV rows (there is something
/// they could be about: a scored pair or an investment).
fn headline(h: &mut String, c: &Comparison, period: Period, payback_rows: bool) {
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
        // Money both scenarios put at exactly 0 is money neither prices: not a finding.
        let zero = |e: &Option<Estimate>| e.is_none_or(|e| e.mean == 0.0);
        if matches!(unit, Unit::Money) && zero(&m.a) && zero(&m.b) {
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
        // Money figures are totals over the run: say over what.
        let label = match unit {
            Unit::Money => format!("{label} {}", period.phrase()),
            _ => label.to_string(),
        };
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
        // §10), not from the one-off ÷ per-run shortcut below.
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
    if !payback_rows {
        h.push_str("</table>\n");
        return;
    }
    let payback = match money.payback_horizons {
        Some(p) => format!("{:.1} days", p * f64::from(period.days)),
        None if money.training_investment_change > 0.0 => "does not pay back".into(),
        None => "no investment".into(),
    };
    let _ = writeln!(
        h,
        "<tr><td>Payback of the training investment</td><td></td><td></td><td class=\"d\">{payback}\
         </td><td>one-off cost ÷ net benefit, in days, not discounted</td><td></td><td>{}</td></tr>\
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

/// The money waterfall B − A (positive = B gains): the cash items stacked into the net, then
/// the items shown beside it (capacity freed, upside, a one-off investment) as outlined bars
/// from zero, each marked measured or assumed.
fn waterfall_chart(h: &mut String, w: &Waterfall, c: &Comparison, period: Period) {
    let _ = writeln!(
        h,
        "<h2 id=\"waterfall\">Money {}, B − A</h2>",
        period.phrase()
    );
    let cash: Vec<&WItem> = w.items.iter().filter(|i| i.role == Role::Cash).collect();
    // A one-off payment is in another unit than per-run figures: listed below, not drawn.
    let beside: Vec<&WItem> = w
        .items
        .iter()
        .filter(|i| i.role != Role::Cash && i.role != Role::OneOff)
        .collect();
    let (mut lo, mut hi, mut run) = (0.0_f64, 0.0_f64, 0.0);
    for i in &cash {
        run += i.value;
        lo = lo.min(run).min(run - i.value);
        hi = hi.max(run).max(run - i.value);
    }
    for i in &beside {
        lo = lo.min(i.value);
        hi = hi.max(i.value);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let t = charts::ticks(lo, hi, 6);
    let (lo, hi) = (t[0], *t.last().unwrap_or(&hi));
    let width = 1000.0;
    let row_h = 30.0;
    let (x0, x1) = (300.0, 760.0);
    let x = |v: f64| x0 + (v - lo) / (hi - lo) * (x1 - x0);
    let rows = cash.len() + 1 + beside.len() + usize::from(!beside.is_empty());
    let height = row_h * rows as f64 + 45.0;
    let _ = writeln!(
        h,
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} \
         {height}\" role=\"img\" aria-label=\"money waterfall\">"
    );
    for v in &t {
        let _ = writeln!(
            h,
            "<line x1=\"{0:.1}\" y1=\"10\" x2=\"{0:.1}\" y2=\"{1:.1}\" class=\"{2}\"/>\
             <text x=\"{0:.1}\" y=\"{3:.1}\" class=\"tick\">{4}</text>",
            x(*v),
            height - 30.0,
            if *v == 0.0 { "zero" } else { "grid" },
            height - 14.0,
            charts::money_short(*v)
        );
    }
    let mut y = 12.0;
    let mut start = 0.0;
    for i in &cash {
        bar(h, y, row_h, i, start, start + i.value, &x, x1);
        start += i.value;
        y += row_h;
    }
    let net_label = if w.program {
        "Net cash over the program"
    } else if period.days == 1 {
        "Net benefit per day"
    } else {
        "Net benefit over the run"
    };
    let _ = writeln!(
        h,
        "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"net\"/>\
         <text x=\"290\" y=\"{:.1}\" class=\"lab\" font-weight=\"600\">{net_label}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\" id=\"net\">{}</text>",
        x(0.0).min(x(w.net)),
        (x(w.net) - x(0.0)).abs().max(1.0),
        row_h - 10.0,
        y + row_h / 2.0 - 5.0,
        x1 + 10.0,
        y + row_h / 2.0 - 5.0,
        fmt_diff(w.net, Unit::Money)
    );
    y += row_h;
    if !beside.is_empty() {
        let _ = writeln!(
            h,
            "<text x=\"290\" y=\"{:.1}\" class=\"lab\" font-style=\"italic\">shown, not added:\
             </text>",
            y + row_h / 2.0 - 5.0
        );
        y += row_h;
        for i in &beside {
            bar(h, y, row_h, i, 0.0, i.value, &x, x1);
            y += row_h;
        }
    }
    h.push_str("</svg>\n<ul class=\"note wf\">");
    for i in &w.items {
        let _ = write!(
            h,
            "<li><b>{}</b> ({}): {}.</li>",
            esc(i.label),
            match i.basis {
                Basis::Measured => "measured",
                Basis::Assumed => "assumed",
            },
            esc(&i.detail)
        );
    }
    h.push_str("</ul>\n");
    let mut notes = Vec::new();
    if w.program {
        notes.push(
            "Cash items add up to the net, the last point of the cumulative cash flow below \
             (undiscounted). Capacity freed is agent time no longer needed: the rota is the same \
             in A and B, so it becomes cash only if the rota is cut (see the hard saving)."
                .to_string(),
        );
    } else {
        if c.money.training_investment_change != 0.0 {
            notes.push(format!(
                "One-off training investment, B over A: <b>{}</b>, paid back by the net \
                 benefit ({}); it is never added to the figures {}.",
                money_fmt(c.money.training_investment_change),
                match c.money.payback_horizons {
                    Some(p) => format!("{:.1} days", p * f64::from(period.days)),
                    None => "no payback".into(),
                },
                period.phrase()
            ));
        }
        notes.push(
            "Time off the phones needs a program over weeks (class days); these scenarios have \
             none. Capacity freed becomes cash only if the rota is cut (see the hard saving)."
                .into(),
        );
    }
    if !w.items.iter().any(|i| i.role == Role::Upside) {
        notes.push("No spend premium is configured, so no upside is shown.".into());
    }
    if w.trainee_price_below_pay {
        notes.push(
            "<b>Check the prices:</b> the rota saving while trainees are in class exceeds the \
             trainee-day cost, so the scenario prices a trainee-day below an agent's pay for \
             the same hours and the training looks nearly free in cash."
                .into(),
        );
    }
    let _ = writeln!(h, "<p class=\"note\">{}</p>", notes.join(" "));
}

/// One waterfall bar from `start` to `end`, its label (with measured/assumed) and value.
#[allow(clippy::too_many_arguments)]
fn bar(
    h: &mut String,
    y: f64,
    row_h: f64,
    item: &WItem,
    start: f64,
    end: f64,
    x: &dyn Fn(f64) -> f64,
    x1: f64,
) {
    let assumed = item.basis == Basis::Assumed;
    let mut class = match (end >= start, assumed) {
        (true, false) => "gain",
        (true, true) => "gain as",
        (false, false) => "loss",
        (false, true) => "loss as",
    }
    .to_string();
    if item.role != Role::Cash {
        class.push_str(" beside");
    }
    let _ = writeln!(
        h,
        "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"{class}\"/>\
         <text x=\"290\" y=\"{:.1}\" class=\"lab\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"val {}\">{}</text>",
        x(start).min(x(end)),
        (x(end) - x(start)).abs().max(1.0),
        row_h - 10.0,
        y + row_h / 2.0 - 5.0,
        esc(item.label),
        x1 + 10.0,
        y + row_h / 2.0 - 5.0,
        fmt_diff(end - start, Unit::Money),
        x1 + 100.0,
        y + row_h / 2.0 - 5.0,
        if assumed { "as" } else { "me" },
        if assumed { "assumed" } else { "measured" },
    );
}

/// Formats a value for a table cell (money or days).
type Fmt<'a> = dyn Fn(f64) -> String + 'a;

/// Each money figure with the simulation CI and the assumption interval, then the sensitivity
/// (tornado) chart of net benefit: one bar per ranged assumption, low → high.
fn uncertainty(h: &mut String, m: &AssumedMoney, c: &Comparison, period: Period) {
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
    // The legacy payback is in runs of the horizon: shown in days.
    let run_days = f64::from(period.days);
    let days = move |v: f64| format!("{:.1} days", v * run_days);
    let net_label = if period.program {
        format!(
            "Revenue at risk saved − planned rota change {} (program cost apart: see NPV)",
            period.phrase()
        )
    } else {
        format!("Net benefit {} (risk saved − staffing)", period.phrase())
    };
    let mut rows: Vec<(String, Option<MoneyFigure>, &Fmt)> = vec![
        (
            format!("Revenue at risk {}, B − A", period.phrase()),
            m.revenue_at_risk_change,
            &cash,
        ),
        (net_label, m.net_benefit, &cash),
        (
            "Payback of the one-off training investment".into(),
            m.payback,
            &days,
        ),
    ];
    let plain_days = |v: f64| format!("{v:.1} days");
    if let Some(pm) = &c.money.program {
        let fig = |e: &crate::money::MoneyEstimate| MoneyFigure {
            mean: e.mean,
            ci95: Some(e.ci95),
            assumption_range: Some(e.assumption_range),
        };
        rows.push((
            "Net present value of the program".into(),
            Some(fig(&pm.npv)),
            &cash,
        ));
        rows.push((
            "Payback of the program".into(),
            pm.payback_days.as_ref().map(fig),
            &plain_days,
        ));
    }
    for (label, f, unit) in rows {
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
    h.push_str("</table>\n");
    // A program's bottom line is its NPV (net benefit leaves the program's costs apart, so
    // their ranges would show no swing there); otherwise net benefit.
    let npv: Vec<Swing> = m
        .sensitivity_npv
        .iter()
        .filter_map(|s| s.defined())
        .collect();
    if period.program && !npv.is_empty() {
        tornado(
            h,
            &npv,
            "Which assumption moves the NPV most",
            &format!(
                "net present value of the program ({} days), B − A, with the assumption at \
                 its low → high end (others at their modes)",
                period.days
            ),
        );
    } else {
        tornado(
            h,
            &m.sensitivity_net_benefit,
            "Which assumption moves net benefit most",
            &format!(
                "net benefit {}, B − A, with the assumption at its low → high end (others at \
                 their modes)",
                period.phrase()
            ),
        );
    }
}

/// A tornado chart of `swings` (widest first) under the heading `title`, with `caption` under
/// the axis; a note on how to give a range when there is none.
fn tornado(h: &mut String, swings: &[Swing], title: &str, caption: &str) {
    let cash = |v: f64| fmt_diff(v, Unit::Money);
    let _ = writeln!(h, "<h3>{}</h3>", esc(title));
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
    let t = charts::ticks(lo, hi, 5);
    let (lo, hi) = (t[0], *t.last().unwrap_or(&hi));
    let (x0, x1) = (360.0, 740.0);
    let x = |v: f64| x0 + (v - lo) / (hi - lo).max(f64::MIN_POSITIVE) * (x1 - x0);
    let height = 30.0 * swings.len() as f64 + 50.0;
    let _ = writeln!(
        h,
        "<svg class=\"chart\" width=\"1000\" height=\"{height}\" viewBox=\"0 0 1000 {height}\" \
         role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for v in &t {
        let _ = writeln!(
            h,
            "<line x1=\"{0:.1}\" y1=\"5\" x2=\"{0:.1}\" y2=\"{1:.1}\" class=\"{2}\"/>\
             <text x=\"{0:.1}\" y=\"{3:.1}\" class=\"tick\">{4}</text>",
            x(*v),
            height - 38.0,
            if *v == 0.0 { "zero" } else { "grid" },
            height - 24.0,
            charts::money_short(*v)
        );
    }
    for (i, s) in swings.iter().enumerate() {
        let y = 8.0 + 30.0 * i as f64;
        let (a, b) = (s.at_low.min(s.at_high), s.at_low.max(s.at_high));
        let _ = writeln!(
            h,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"20\" class=\"gain as\"/>\
             <text x=\"350\" y=\"{:.1}\" class=\"lab\">{}</text>\
             <text x=\"350\" y=\"{:.1}\" class=\"lab key\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"val\">{} … {}</text>",
            x(a),
            (x(b) - x(a)).max(1.0),
            y + 5.0,
            esc(&assumption_label(&s.key)),
            y + 18.0,
            esc(&s.key),
            x1 + 10.0,
            y + 10.0,
            cash(s.at_low),
            cash(s.at_high)
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{}</text></svg>",
        (x0 + x1) / 2.0,
        height - 6.0,
        esc(caption)
    );
}

/// A ranged assumption's human name (the chart shows its key path on the line below).
fn assumption_label(key: &str) -> String {
    // `program.cohorts[2].trainer_cost` → class 3; `experience.loyalty.defection[1]` → the
    // second outcome.
    let index = |k: &str| -> Option<usize> {
        let open = k.find('[')?;
        k[open + 1..k.find(']')?].parse().ok()
    };
    let leaf = key.rsplit('.').next().unwrap_or(key);
    let leaf = leaf.split('[').next().unwrap_or(leaf);
    let human = match leaf {
        "customer_value" => "Customer value".to_string(),
        "discount_rate" => "Discount rate".to_string(),
        "cost_per_trainee_day" | "trainer_cost" => {
            let what = if leaf == "trainer_cost" {
                "trainer cost"
            } else {
                "cost per trainee-day"
            };
            match index(key) {
                Some(i) => format!("Class {}: {what}", i + 1),
                None => what.to_string(),
            }
        }
        "annual_rate" => "Attrition per year".to_string(),
        "new_hire_proficiency" => "New-hire proficiency".to_string(),
        "defection" => match index(key) {
            Some(0) => "Intent to leave after first-contact resolution".to_string(),
            Some(1) => "Intent to leave after a repeat contact".to_string(),
            Some(2) => "Intent to leave when unresolved".to_string(),
            _ => "Intent to leave".to_string(),
        },
        "share" if key.contains("spend_premium") => "Share who would spend more".to_string(),
        "premium" => "Spend premium".to_string(),
        "tell_share" => "Share who tell others".to_string(),
        "nps_passives" => "NPS passives".to_string(),
        _ => return key.to_string(),
    };
    human
}

/// Where dissatisfaction comes from: each journey class's share, top-box CSAT (with a bar on a
/// 0–100% axis), intent to leave and people told, A beside B.
fn classes(h: &mut String, p: &Paired, scored: bool) {
    let (a, b) = (p.a.classes(), p.b.classes());
    if a.is_empty() {
        return;
    }
    let val = |s: Option<&Scope>, m: &str| {
        s.and_then(|s| s.get(m))
            .and_then(|m| m.estimate)
            .map(|e| e.mean)
    };
    let cell = |v: Option<f64>, unit: Unit| v.map_or_else(|| "n/a".into(), |v| fmt(v, unit));
    if !scored {
        // How journeys end is a queueing fact, defined without an experience model.
        h.push_str(
            "<h2>How journeys end</h2><table class=\"cls\"><tr><th>journey</th>\
             <th>share A</th><th>share B</th></tr>\n",
        );
        for (key, label) in CLASSES {
            let sa = a.iter().find(|s| s.name == key);
            let sb = b.iter().find(|s| s.name == key);
            let _ = writeln!(
                h,
                "<tr><td>{label}</td><td>{}</td><td>{}</td></tr>",
                cell(val(sa, "share"), Unit::Percent),
                cell(val(sb, "share"), Unit::Percent)
            );
        }
        h.push_str("</table>\n");
        return;
    }
    h.push_str(
        "<h2>Where dissatisfaction comes from</h2><table class=\"cls\"><tr><th>journey</th>\
         <th>share A</th><th>share B</th><th>very satisfied A</th><th>very satisfied B</th>\
         <th>0% … 100% very satisfied</th><th>intend to leave A</th><th>intend to leave B</th>\
         <th>people told A</th><th>people told B</th></tr>\n",
    );
    for (key, label) in CLASSES {
        let sa = a.iter().find(|s| s.name == key);
        let sb = b.iter().find(|s| s.name == key);
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

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1320px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\
.sub,.note{color:#555;font-size:13px}table{border-collapse:collapse;font-size:13px}\
td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}\
td:first-child,th:first-child{text-align:left}.d{font-weight:600}\
.as{color:#a15c00}.me{color:#1d6b2f}.zero{stroke:#999;stroke-width:1}\
.gain{fill:#2e8b57}.loss{fill:#c0392b}.as.gain,.as.loss{fill-opacity:.55;stroke:#333;\
stroke-dasharray:3 2}.net{fill:#1f4e8c}.up{fill:none;stroke:#1f4e8c;stroke-dasharray:4 3}\
.lab{font-size:13px;text-anchor:end;dominant-baseline:middle}.key{font-size:10px;fill:#666}\
.val{font-size:13px;dominant-baseline:middle}.ba{fill:#9bb7d4;background:#9bb7d4}\
.bb{fill:#1f4e8c;background:#1f4e8c}.key{display:inline-block;width:12px;height:10px}.as-t td,.as-t th{text-align:left}\
.grid{stroke:#eee;stroke-width:1}.axis{stroke:#999;stroke-width:1}\
.tick{font-size:12px;text-anchor:middle;fill:#555}.leg{font-size:12px;dominant-baseline:middle}\
polyline.ln{fill:none;stroke-width:2}.la{stroke:#9bb7d4;fill:#9bb7d4}.lb{stroke:#1f4e8c;fill:#1f4e8c}\
.sband{fill:#1f4e8c;fill-opacity:.22}.aband{fill:#e8a33d;fill-opacity:.25}\
.mark{stroke:#a15c00;stroke-width:1.5;stroke-dasharray:6 4}.mark-sw{fill:#a15c00}\
.cls-day{fill:#f3e3c3;fill-opacity:.6}.beside{fill-opacity:.2;stroke-width:1.5}\
.beside.gain{stroke:#2e8b57}.beside.loss{stroke:#c0392b}\
rect.lb,rect.la{stroke:none}.wf{padding-left:18px}.wf li{margin:2px 0}";

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
        assert_eq!(human_target("service_level>=0.8"), "service level ≥ 80%");
        assert_eq!(
            human_target("account.abandon_rate<=0.05"),
            "account abandon rate ≤ 5%"
        );
        assert_eq!(human_target("asa_s<=30"), "asa s ≤ 30");
        assert_eq!(human_target("abandon_rate<=0.07"), "abandon rate ≤ 7%");
    }
}
