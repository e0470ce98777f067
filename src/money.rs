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
    /// Σ cash[d] · (1 + r)^(−d/365).
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
        Some(ProgramCashFlow {
            index,
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
        let s = npv_payback(&self.cash, self.discount_rate);
        self.npv.push(Some(s.npv));
        self.payback.push(s.payback_days);
        self.replications += 1;
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
