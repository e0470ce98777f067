//! Streaming statistics: the fixed-size counters one replication fills in (no per-call storage,
//! so memory does not grow with the horizon), the metrics derived from them, and the
//! across-replication summary (mean and Student-t 95% confidence interval).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Tallies for the contacts of one call type that arrived in one interval (after warmup).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Contacts that did not reach an agent at once.
    pub queued: u64,
    /// Answered with wait ≤ the service-level threshold.
    pub within_threshold: u64,
    /// Answered contacts that ended in a transfer.
    pub transferred: u64,
    /// Still waiting when the simulation ended (only when no agent is left to serve them).
    pub in_queue_at_end: u64,
    /// Σ wait of answered contacts, seconds.
    pub wait_answered: f64,
    /// Σ wait of answered and abandoned contacts (abandoned: time until hang-up), seconds.
    pub wait_all: f64,
}

impl Counters {
    /// Adds another tally into this one.
    pub fn add(&mut self, o: &Counters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.queued += o.queued;
        self.within_threshold += o.within_threshold;
        self.transferred += o.transferred;
        self.in_queue_at_end += o.in_queue_at_end;
        self.wait_answered += o.wait_answered;
        self.wait_all += o.wait_all;
    }
}

/// Everything one replication measured. Sizes depend on intervals × call types × groups only.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    pub intervals: usize,
    pub call_types: usize,
    pub groups: usize,
    /// `[interval * call_types + call_type]`, by the contact's arrival interval.
    pub contacts: Vec<Counters>,
    /// `[interval * groups + group]`: agent-seconds busy (talk + after-call work) within
    /// [warmup, horizon].
    pub busy: Vec<f64>,
    /// `[interval * groups + group]`: agent-seconds staffed within [warmup, horizon].
    pub staffed: Vec<f64>,
    /// Events taken off the calendar (for throughput figures).
    pub events: u64,
}

impl ReplicationResult {
    /// An all-zero result of the given shape.
    pub fn new(intervals: usize, call_types: usize, groups: usize) -> Self {
        ReplicationResult {
            intervals,
            call_types,
            groups,
            contacts: vec![Counters::default(); intervals * call_types],
            busy: vec![0.0; intervals * groups],
            staffed: vec![0.0; intervals * groups],
            events: 0,
        }
    }

    /// The tally of call type `c` in interval `k`.
    #[inline]
    pub fn counters_mut(&mut self, k: usize, c: usize) -> &mut Counters {
        &mut self.contacts[k * self.call_types + c]
    }

    /// Sum of the tallies that `keep(interval, call_type)` selects.
    pub fn total(&self, keep: impl Fn(usize, usize) -> bool) -> Counters {
        let mut t = Counters::default();
        for (i, c) in self.contacts.iter().enumerate() {
            if keep(i / self.call_types, i % self.call_types) {
                t.add(c);
            }
        }
        t
    }

    /// Busy / staffed agent time over the (interval, group) cells that `keep` selects;
    /// `None` when nobody was staffed there.
    pub fn occupancy(&self, keep: impl Fn(usize, usize) -> bool) -> Option<f64> {
        let (mut busy, mut staffed) = (0.0, 0.0);
        for i in 0..self.busy.len() {
            if keep(i / self.groups, i % self.groups) {
                busy += self.busy[i];
                staffed += self.staffed[i];
            }
        }
        (staffed > 0.0).then(|| busy / staffed)
    }
}

/// Names of the contact metrics, in report order (the contract's names).
pub const CONTACT_METRICS: [&str; 10] = [
    "offered",
    "answered",
    "abandoned",
    "in_queue_at_end",
    "abandon_rate",
    "service_level",
    "wait_probability",
    "asa_s",
    "mean_wait_s",
    "transfer_rate",
];

/// The contact metrics of one tally, in [`CONTACT_METRICS`] order; a ratio with a zero
/// denominator is `None` (undefined, not zero).
pub fn contact_metrics(c: &Counters) -> [Option<f64>; 10] {
    let ratio = |num: f64, den: u64| (den > 0).then(|| num / den as f64);
    [
        Some(c.offered as f64),
        Some(c.answered as f64),
        Some(c.abandoned as f64),
        Some(c.in_queue_at_end as f64),
        ratio(c.abandoned as f64, c.offered),
        ratio(c.within_threshold as f64, c.offered),
        ratio(c.queued as f64, c.offered),
        ratio(c.wait_answered, c.answered),
        ratio(c.wait_all, c.answered + c.abandoned),
        ratio(c.transferred as f64, c.answered),
    ]
}

/// Mean and Student-t 95% confidence interval of a metric over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub ci95: (f64, f64),
    /// Replications in which the metric was defined.
    pub n: usize,
}

impl Estimate {
    /// Summarises the defined values; `None` when no replication defined the metric.
    /// With one value the interval is `[mean, mean]` (the contract's convention).
    pub fn from_values(values: impl IntoIterator<Item = Option<f64>>) -> Option<Estimate> {
        let mut acc = Welford::default();
        for v in values.into_iter().flatten() {
            acc.push(v);
        }
        acc.estimate()
    }

    /// Half-width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95.1 - self.ci95.0) / 2.0
    }
}

/// Welford's running mean and variance: one pass, numerically stable.
#[derive(Debug, Clone, Copy, Default)]
pub struct Welford {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Welford {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn estimate(&self) -> Option<Estimate> {
        match self.n {
            0 => None,
            1 => Some(Estimate {
                mean: self.mean,
                ci95: (self.mean, self.mean),
                n: 1,
            }),
            n => {
                let sd = (self.m2 / (n - 1) as f64).max(0.0).sqrt();
                let h = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
                Some(Estimate {
                    mean: self.mean,
                    ci95: (self.mean - h, self.mean + h),
                    n,
                })
            }
        }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Published two-sided 95% critical values.
        for (df, want) in [(1, 12.706), (4, 2.776), (29, 2.045), (1000, 1.962)] {
            assert!((t_quantile_975(df) - want).abs() < 1e-3, "df {df}");
        }
    }

    #[test]
    fn estimate_of_known_sample() {
        let e = Estimate::from_values([1.0, 2.0, 3.0, 4.0, 5.0].map(Some)).unwrap();
        assert_eq!(e.mean, 3.0);
        // sd = sqrt(2.5); h = 2.776 * 1.5811 / sqrt(5) = 1.9632
        assert!((e.half_width() - 1.9632).abs() < 1e-3);
        let one = Estimate::from_values([Some(7.0)]).unwrap();
        assert_eq!(one.ci95, (7.0, 7.0));
        assert!(Estimate::from_values([None, None]).is_none());
    }

    #[test]
    fn undefined_ratios_are_none() {
        let m = contact_metrics(&Counters::default());
        assert_eq!(m[0], Some(0.0));
        assert!(m[4..].iter().all(Option::is_none));
    }
}
