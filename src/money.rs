//! Cash flow over a program's days → net present value and payback period.
//!
//! One function, [`npv_payback`], takes a daily cash-flow series (one-off costs on the day
//! they are paid, per-day savings on each day; never a one-off cost spread or added to a
//! per-day rate) and returns both figures, so the same series can be re-evaluated for every
//! simulated replication (simulation CI) and every sampled assumption (assumption range).
//!
//! Conventions (docs/model.md, "Money over a program"):
//! - day `d`'s cash is discounted by (1 + r)^(−d/365) for an annual rate r (day 0 is not
//!   discounted);
//! - payback is the first time the *undiscounted* cumulative cash flow reaches ≥ 0 after the
//!   investment, day d's cash accruing evenly over [d, d + 1) so the crossing is interpolated
//!   inside its day: −100 on day 0 and +40 a day after gives 3.5 days. `None` when it never pays back within the series, and
//!   0 when the cumulative flow is never negative.

/// Net present value and payback period of a daily cash-flow series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CashFlowSummary {
    /// Σ `cash[d] · (1 + r)^(−d/365)` over the days d.
    pub npv: f64,
    /// Days until the cumulative cash flow is back to ≥ 0 (`None`: not within the series).
    pub payback_days: Option<f64>,
}

/// NPV (annual discount rate `discount_rate`) and payback of `cash`, one entry per day.
pub fn npv_payback(cash: &[f64], discount_rate: f64) -> CashFlowSummary {
    let daily = (1.0 + discount_rate).powf(-1.0 / 365.0);
    let mut npv = 0.0;
    let mut factor = 1.0;
    let mut cumulative = 0.0;
    let mut payback = None;
    let mut ever_negative = false;
    for (d, &c) in cash.iter().enumerate() {
        npv += c * factor;
        factor *= daily;
        let before = cumulative;
        cumulative += c;
        if cumulative < 0.0 {
            ever_negative = true;
            payback = None;
        } else if ever_negative && payback.is_none() {
            // Crossed zero during day d: the share of its cash needed to close the gap.
            payback = Some(d as f64 + (-before / c).clamp(0.0, 1.0));
        }
    }
    CashFlowSummary {
        npv,
        payback_days: if ever_negative { payback } else { Some(0.0) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_cash_flow() {
        // −1000 on day 0, +300 a day for five days.
        let cash = [-1000.0, 300.0, 300.0, 300.0, 300.0, 300.0];
        let s = npv_payback(&cash, 0.0);
        assert_eq!(s.npv, 500.0);
        // Cumulative: −1000, −700, −400, −100, +200: crosses 100/300 into day 4.
        assert!((s.payback_days.unwrap() - (4.0 + 1.0 / 3.0)).abs() < 1e-12);
        // 10%/year: day d's factor is 1.1^(−d/365).
        let r = 0.1f64;
        let expected: f64 = cash
            .iter()
            .enumerate()
            .map(|(d, c)| c * (1.0 + r).powf(-(d as f64) / 365.0))
            .sum();
        let s = npv_payback(&cash, r);
        assert!((s.npv - expected).abs() < 1e-9);
        assert!(s.npv < 500.0);
    }

    #[test]
    fn never_and_immediate_payback() {
        assert_eq!(
            npv_payback(&[-100.0, 40.0, 40.0, 40.0], 0.0).payback_days,
            Some(3.5)
        );
        assert_eq!(npv_payback(&[-10.0, 1.0, 1.0], 0.0).payback_days, None);
        assert_eq!(npv_payback(&[5.0, 1.0], 0.0).payback_days, Some(0.0));
        // Dipping negative again later resets payback to the last crossing.
        let s = npv_payback(&[-10.0, 20.0, -30.0, 40.0], 0.0);
        assert_eq!(s.payback_days, Some(3.0 + 20.0 / 40.0));
    }
}

/// The day metrics a re-scoring needs (see [`Tally::from_metrics`]).
const TALLY_METRICS: [&str; 9] = [
    "customers",
    "fcr_rate",
    "resolution_rate",
    "customers_lost",
    "revenue_at_risk",
    "csat_top_box",
    "revenue_upside",
    "staffing_cost",
    "program_cost",
];

use crate::rescore::{Params, Rescorer, Tally};

/// A program comparison's figures at one draw of the assumptions, averaged over replications.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCashFlow {
    /// Mean NPV.
    pub npv: f64,
    /// Mean payback in days over the replications that paid back (`None`: none did).
    pub payback_days: Option<f64>,
    /// Mean cumulative cash flow B − A per day (undiscounted).
    pub cumulative: Vec<f64>,
}

/// A money figure over replications: its mean and paired simulation 95% interval, and the
/// interval from sampling the assumptions' ranges (until those are sampled: the point value
/// `[mean, mean]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoneyEstimate {
    /// Mean over the replications that define it.
    pub mean: f64,
    /// Simulation 95% interval (common random numbers, paired by replication).
    pub ci95: (f64, f64),
    /// Assumption interval (low, high).
    pub assumption_range: (f64, f64),
    /// Replications that define it (payback: those that paid back within the run).
    pub n: u64,
}

impl MoneyEstimate {
    fn from(e: crate::stats::Estimate) -> MoneyEstimate {
        MoneyEstimate {
            mean: e.mean,
            ci95: e.ci95,
            assumption_range: (e.mean, e.mean),
            n: e.n as u64,
        }
    }
}

/// NPV and payback of a program comparison (B − A), see [`ProgramCashFlow`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgramMoney {
    /// Net present value of B − A's daily cash flow.
    pub npv: MoneyEstimate,
    /// Payback in days (`None` when no replication paid back within the run).
    pub payback_days: Option<MoneyEstimate>,
    /// Replications compared.
    pub replications: u64,
}

/// Folds paired replications of two program runs into NPV and payback. Day d's cash flow of
/// B against A is the revenue at risk avoided, minus the extra staffing cost, minus the extra
/// one-off program cost booked that day (each from its `day:N` scope); every replication's
/// series goes through [`npv_payback`].
#[derive(Debug, Clone)]
pub struct ProgramCashFlow {
    /// Per day: value indices (revenue at risk, staffing cost, program cost).
    index: Vec<[usize; 3]>,
    /// Per day: value indices of the [`TALLY_METRICS`], for re-scoring.
    tally_index: Vec<[usize; TALLY_METRICS.len()]>,
    /// Per replication, per day: A's and B's tallies (replication-major).
    tallies: Vec<[Tally; 2]>,
    discount_rate: f64,
    cash: Vec<f64>,
    npv: crate::stats::Accumulator,
    payback: crate::stats::Accumulator,
    replications: u64,
}

impl ProgramCashFlow {
    /// `None` unless both layouts have the same days (both scenarios run a program).
    pub fn new(
        a: &crate::stats::Layout,
        b: &crate::stats::Layout,
        discount_rate: f64,
    ) -> Option<ProgramCashFlow> {
        if a.days() == 0 || a.days() != b.days() || a.len() != b.len() {
            return None;
        }
        let index = (0..a.days())
            .map(|d| {
                let i = |m| a.day_index(d, m).expect("a day metric");
                [i("revenue_at_risk"), i("staffing_cost"), i("program_cost")]
            })
            .collect();
        let tally_index = (0..a.days())
            .map(|d| TALLY_METRICS.map(|m| a.day_index(d, m).expect("a day metric")))
            .collect();
        Some(ProgramCashFlow {
            index,
            tally_index,
            tallies: Vec::new(),
            discount_rate,
            cash: Vec::new(),
            npv: Default::default(),
            payback: Default::default(),
            replications: 0,
        })
    }

    /// Adds the replication both builders added last.
    pub fn add(&mut self, a: &crate::stats::OutcomeBuilder, b: &crate::stats::OutcomeBuilder) {
        let (va, vb) = (a.values(), b.values());
        let v = |x: &[Option<f64>], i: usize| x[i].unwrap_or(0.0);
        self.cash.clear();
        for &[risk, staffing, program] in &self.index {
            self.cash.push(
                (v(va, risk) - v(vb, risk))
                    - (v(vb, staffing) - v(va, staffing))
                    - (v(vb, program) - v(va, program)),
            );
        }
        for ix in &self.tally_index {
            let t = |x: &[Option<f64>]| {
                Tally::from_metrics(|m| {
                    let k = TALLY_METRICS.iter().position(|n| *n == m)?;
                    x[ix[k]]
                })
            };
            self.tallies.push([t(va), t(vb)]);
        }
        let s = npv_payback(&self.cash, self.discount_rate);
        self.npv.push(Some(s.npv));
        self.payback.push(s.payback_days);
        self.replications += 1;
    }

    /// Days of the series.
    pub fn days(&self) -> usize {
        self.index.len()
    }

    /// The replications' daily cash flows B − A with A's and B's assumptions at `pa` and
    /// `pb`, then each replication's NPV (at `pb`'s discount rate: B's program is the
    /// investment), payback and cumulative series, averaged over replications. `shift`,
    /// when given, adds a per-replication, per-day cash change (replication-major): how the
    /// simulation-changing assumptions move the cash flow at this draw.
    pub fn scored(
        &self,
        a: &Rescorer,
        b: &Rescorer,
        pa: &Params,
        pb: &Params,
        shift: Option<&[f64]>,
    ) -> ScoredCashFlow {
        let days = self.days();
        let mut cash = vec![0.0; days];
        let (mut npv, mut payback) = (
            crate::stats::Accumulator::default(),
            crate::stats::Accumulator::default(),
        );
        let mut cumulative = vec![0.0; days];
        for (r, rep) in self.tallies.chunks(days.max(1)).enumerate() {
            self.cash_of(rep, a, b, pa, pb, &mut cash);
            if let Some(s) = shift {
                for (c, d) in cash.iter_mut().zip(&s[r * days..(r + 1) * days]) {
                    *c += d;
                }
            }
            let s = npv_payback(&cash, pb.discount_rate);
            npv.push(Some(s.npv));
            payback.push(s.payback_days);
            let mut sum = 0.0;
            for (acc, c) in cumulative.iter_mut().zip(&cash) {
                sum += c;
                *acc += sum;
            }
        }
        let n = self.replications.max(1) as f64;
        cumulative.iter_mut().for_each(|c| *c /= n);
        let mut t = crate::stats::TQuantiles::default();
        ScoredCashFlow {
            npv: npv.estimate(&mut t).map_or(0.0, |e| e.mean),
            payback_days: payback.estimate(&mut t).map(|e| e.mean),
            cumulative,
        }
    }

    /// Replication `rep`'s daily cash flow B − A under `pa` and `pb` into `cash` (the same
    /// terms in the same order as [`ProgramCashFlow::add`], so at the modes it is the
    /// simulated series bit for bit).
    fn cash_of(
        &self,
        rep: &[[Tally; 2]],
        a: &Rescorer,
        b: &Rescorer,
        pa: &Params,
        pb: &Params,
        cash: &mut [f64],
    ) {
        for (d, ([ta, tb], c)) in rep.iter().zip(cash.iter_mut()).enumerate() {
            let day = d as u32;
            *c = (a.risk(ta, pa) - b.risk(tb, pb))
                - (tb.staffing - ta.staffing)
                - (b.program_cost(tb.program, day, pb) - a.program_cost(ta.program, day, pa));
        }
    }

    /// Every replication's daily cash flow at the modes, replication-major (the base that
    /// re-simulated variants are compared with).
    pub fn mode_cash(&self, a: &Rescorer, b: &Rescorer) -> Vec<f64> {
        let days = self.days();
        let mut out = vec![0.0; self.tallies.len()];
        for (rep, cash) in self
            .tallies
            .chunks(days.max(1))
            .zip(out.chunks_mut(days.max(1)))
        {
            self.cash_of(rep, a, b, &a.mode, &b.mode, cash);
        }
        out
    }

    /// The cumulative cash flow B − A per day at the modes, with its simulation 95% interval
    /// over replications.
    pub fn cumulative_estimates(&self, a: &Rescorer, b: &Rescorer) -> Vec<crate::stats::Estimate> {
        let days = self.days();
        let cash = self.mode_cash(a, b);
        let mut acc = vec![crate::stats::Accumulator::default(); days];
        for rep in cash.chunks(days.max(1)) {
            let mut sum = 0.0;
            for (a, c) in acc.iter_mut().zip(rep) {
                sum += c;
                a.push(Some(sum));
            }
        }
        let mut t = crate::stats::TQuantiles::default();
        acc.iter()
            .map(|a| {
                a.estimate(&mut t).unwrap_or(crate::stats::Estimate {
                    mean: 0.0,
                    ci95: (0.0, 0.0),
                    n: 0,
                })
            })
            .collect()
    }

    /// NPV and payback over the replications added.
    pub fn finish(&self) -> Option<ProgramMoney> {
        let mut t = crate::stats::TQuantiles::default();
        Some(ProgramMoney {
            npv: MoneyEstimate::from(self.npv.estimate(&mut t)?),
            payback_days: self.payback.estimate(&mut t).map(MoneyEstimate::from),
            replications: self.replications,
        })
    }
}
