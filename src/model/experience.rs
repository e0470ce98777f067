//! The customer-experience model: how training (proficiency) and the difficulty change
//! what happens inside a call, and how a customer's whole journey turns into satisfaction and
//! loyalty. Pure functions of validated parameters; the engine applies them per contact and
//! per journey. Every default is cited in `docs/model.md`.
//!
//! With the plain model's defaults (proficiency 1, no difficulty, no decisions, no
//! `[customers]` section) none of these functions changes the queueing mechanics.

use super::Dist;

/// Effect sizes of training and difficulty, and the satisfaction/loyalty mapping.
#[derive(Debug, Clone)]
pub struct ExperienceParams {
    /// Handle time of a new hire (proficiency 0) relative to a proficient agent
    /// (Cinareo: 5.3 vs 2.8 min ⇒ 1.89).
    pub novice_handle_factor: f64,
    /// Resolution: P(resolve) = logistic(intercept − slope·(difficulty − proficiency)).
    pub resolution_intercept: f64,
    /// Slope of that logistic per unit of (difficulty − proficiency).
    pub resolution_slope: f64,
    /// Expected look-up holds per call = novice·(1 − proficiency) + difficulty_weight·difficulty.
    pub holds_novice: f64,
    /// Weight of the difficulty in the expected number of holds.
    pub holds_difficulty: f64,
    /// Length of one look-up hold.
    pub hold_time: Dist,
    /// How a journey turns into satisfaction.
    pub satisfaction: SatisfactionWeights,
    /// Probability that a customer whose CSAT is 1, 2, 3, 4, 5 is lost.
    pub churn_by_csat: [f64; 5],
    /// People told about the experience by an unhappy (CSAT 1–2) / happy (CSAT 4–5) customer.
    pub word_of_mouth_unhappy: f64,
    /// People a happy customer (CSAT 4–5) tells.
    pub word_of_mouth_happy: f64,
}

impl Default for ExperienceParams {
    fn default() -> Self {
        ExperienceParams {
            novice_handle_factor: 5.3 / 2.8,
            resolution_intercept: 1.0,
            resolution_slope: 5.0,
            holds_novice: 1.0,
            holds_difficulty: 0.6,
            hold_time: Dist::lognormal(60.0, 45.0).unwrap_or(Dist::Constant(60.0)),
            satisfaction: SatisfactionWeights::default(),
            churn_by_csat: [0.40, 0.25, 0.12, 0.05, 0.01],
            word_of_mouth_unhappy: 16.0,
            word_of_mouth_happy: 9.0,
        }
    }
}

/// Weights of the journey's satisfaction utility U (logit scale): q = logistic(U) is the
/// customer's satisfaction propensity; CSAT ~ 1 + Binomial(4, q), "would recommend" ~
/// Binomial(10, q).
#[derive(Debug, Clone, Copy)]
pub struct SatisfactionWeights {
    /// U of a perfect journey (answered at once, resolved on the first contact, no hold).
    pub base: f64,
    /// Per minute waited in queues (abandoned waits included).
    pub per_wait_minute: f64,
    /// Per hold endured.
    pub per_hold: f64,
    /// Per minute on hold.
    pub per_hold_minute: f64,
    /// Per transfer.
    pub per_transfer: f64,
    /// Each contact after the first one that was not a transfer (callbacks, redials).
    pub per_repeat: f64,
    /// When the issue was not resolved.
    pub unresolved: f64,
    /// Per abandoned contact.
    pub per_abandon: f64,
}

impl Default for SatisfactionWeights {
    fn default() -> Self {
        SatisfactionWeights {
            base: 2.2,
            per_wait_minute: 0.15,
            per_hold: 0.8,
            per_hold_minute: 0.4,
            per_transfer: 1.05,
            per_repeat: 1.0,
            unresolved: 3.5,
            per_abandon: 1.0,
        }
    }
}

/// Unresolved and abandoned customers' behaviour. The plain model never calls back.
#[derive(Debug, Clone)]
pub struct CustomerBehaviour {
    /// Unresolved customers who call again.
    pub callback_probability: f64,
    /// Delay before an unresolved customer calls again.
    pub callback_delay: Dist,
    /// Abandoned callers who try again.
    pub redial_probability: f64,
    /// Delay before an abandoned caller tries again.
    pub redial_delay: Dist,
    /// A journey ends (unresolved) after this many contacts.
    pub max_contacts: u32,
    /// Revenue lost with a churned customer (currency).
    pub customer_value: f64,
}

impl CustomerBehaviour {
    /// No callbacks, no redials: the plain queueing model.
    pub fn plain() -> Self {
        CustomerBehaviour {
            callback_probability: 0.0,
            callback_delay: Dist::Constant(0.0),
            redial_probability: 0.0,
            redial_delay: Dist::Constant(0.0),
            max_contacts: u32::MAX,
            customer_value: 0.0,
        }
    }
}

/// The supervisor pool that approval holds queue for.
#[derive(Debug, Clone)]
pub struct Supervisors {
    /// Supervisors on duty.
    pub count: u32,
    /// Length of one consult.
    pub consult_time: Dist,
    /// Currency per supervisor-hour.
    pub hourly_cost: f64,
}

#[inline]
/// The logistic function 1 / (1 + e^−x).
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl ExperienceParams {
    /// Multiplier on a proficient agent's handle time.
    #[inline]
    pub fn handle_factor(&self, proficiency: f64) -> f64 {
        1.0 + (self.novice_handle_factor - 1.0) * (1.0 - proficiency)
    }

    /// Chance that this contact resolves an issue of the given difficulty.
    #[inline]
    pub fn resolve_probability(&self, difficulty: f64, proficiency: f64) -> f64 {
        logistic(self.resolution_intercept - self.resolution_slope * (difficulty - proficiency))
    }

    /// Expected number of look-up holds in one call.
    #[inline]
    pub fn expected_holds(&self, difficulty: f64, proficiency: f64) -> f64 {
        self.holds_novice * (1.0 - proficiency) + self.holds_difficulty * difficulty
    }

    /// Expected outcomes for satisfaction propensity q: CSAT, P(promoter), P(detractor),
    /// P(churn), negative and positive word of mouth. Closed-form binomial probabilities:
    /// a dozen multiplications, no table, no sampling.
    #[inline]
    fn outcomes(&self, q: f64) -> [f64; 6] {
        let r = 1.0 - q;
        // CSAT − 1 ~ Binomial(4, q).
        let (q2, r2) = (q * q, r * r);
        let csat = [
            r2 * r2,
            4.0 * q * r2 * r,
            6.0 * q2 * r2,
            4.0 * q2 * q * r,
            q2 * q2,
        ];
        let churn: f64 = csat
            .iter()
            .zip(&self.churn_by_csat)
            .map(|(p, c)| p * c)
            .sum();
        // "Would recommend" ~ Binomial(10, q): P(≥ 9) and P(≤ 6) = 1 − P(7) − P(8) − P(≥ 9).
        let q7 = q2 * q2 * q2 * q;
        let (p7, p8) = (120.0 * q7 * r2 * r, 45.0 * q7 * q * r2);
        let promoter = 10.0 * q7 * q2 * r + q7 * q2 * q;
        [
            1.0 + 4.0 * q,
            promoter,
            (1.0 - p7 - p8 - promoter).max(0.0),
            churn,
            (csat[0] + csat[1]) * self.word_of_mouth_unhappy,
            (csat[3] + csat[4]) * self.word_of_mouth_happy,
        ]
    }

    /// Scores a finished journey: one `exp` and a few dozen multiplications. Revenue at
    /// risk is not part of it: it is churn × the customer value, which the statistics
    /// derive.
    pub fn score(&self, j: &JourneyExperience) -> Score {
        let w = &self.satisfaction;
        let repeats = j.contacts.saturating_sub(1 + j.transfers) as f64;
        let u = w.base
            - w.per_wait_minute * j.wait_s / 60.0
            - w.per_hold * j.holds as f64
            - w.per_hold_minute * j.hold_s / 60.0
            - w.per_transfer * j.transfers as f64
            - w.per_repeat * repeats
            - if j.resolved { 0.0 } else { w.unresolved }
            - w.per_abandon * j.abandons as f64;
        let [csat, promoter, detractor, churn, negative, positive] = self.outcomes(logistic(u));
        Score {
            csat,
            promoter,
            detractor,
            churn,
            word_of_mouth_negative: negative,
            word_of_mouth_positive: positive,
        }
    }
}

/// What a customer went through, from first contact to resolution or giving up.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JourneyExperience {
    /// Total time waiting in queues (abandoned waits included), seconds.
    pub wait_s: f64,
    /// Holds endured (look-ups and approvals) and their total length.
    pub holds: u32,
    /// Total time on hold, seconds.
    pub hold_s: f64,
    /// Transfers between queues.
    pub transfers: u32,
    /// Queue visits, transfers included.
    pub contacts: u32,
    /// Contacts abandoned while waiting.
    pub abandons: u32,
    /// Whether the issue was resolved in the end.
    pub resolved: bool,
    /// The customer accepted a callback (virtual hold) and was called back; `wait_s` then
    /// counts only the time spent on the line, not the wait for the call back.
    pub called_back: bool,
}

impl JourneyExperience {
    /// A journey answered at once and resolved on its only contact, nothing endured.
    pub const PERFECT: JourneyExperience = JourneyExperience {
        wait_s: 0.0,
        holds: 0,
        hold_s: 0.0,
        transfers: 0,
        contacts: 1,
        abandons: 0,
        resolved: true,
        called_back: false,
    };
}

/// Expected satisfaction and loyalty outcomes of one journey (expectations, not draws, so
/// they add no noise).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Mean CSAT on 1–5.
    pub csat: f64,
    /// P(would-recommend ≥ 9) and P(≤ 6).
    pub promoter: f64,
    /// P(would-recommend ≤ 6).
    pub detractor: f64,
    /// P(the customer is lost).
    pub churn: f64,
    /// People told about a bad experience (expected).
    pub word_of_mouth_negative: f64,
    /// People told about a good experience (expected).
    pub word_of_mouth_positive: f64,
}

/// Binomial(N − 1, q) probabilities of 0..N−1, by the multiplicative recurrence (the
/// reference the closed forms are tested against).
#[cfg(test)]
fn binomial_pmf<const N: usize>(q: f64) -> [f64; N] {
    let n = (N - 1) as i32;
    let mut out = [0.0; N];
    if q <= 0.0 {
        out[0] = 1.0;
        return out;
    }
    if q >= 1.0 {
        out[N - 1] = 1.0;
        return out;
    }
    out[0] = (1.0 - q).powi(n);
    let odds = q / (1.0 - q);
    for k in 1..N {
        out[k] = out[k - 1] * odds * (n - k as i32 + 1) as f64 / k as f64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journey() -> JourneyExperience {
        JourneyExperience {
            contacts: 1,
            resolved: true,
            ..Default::default()
        }
    }

    #[test]
    fn binomial_sums_to_one() {
        for q in [0.0, 0.1, 0.5, 0.93, 1.0] {
            let p = binomial_pmf::<11>(q);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let mean: f64 = p.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
            assert!((mean - 10.0 * q).abs() < 1e-9);
        }
    }

    #[test]
    fn closed_forms_match_binomial() {
        let e = ExperienceParams::default();
        for q in [0.0, 0.03, 0.5, 0.77, 0.999, 1.0] {
            let [csat, promoter, detractor, churn, _, _] = e.outcomes(q);
            let c = binomial_pmf::<5>(q);
            let r = binomial_pmf::<11>(q);
            assert!((csat - (1.0 + 4.0 * q)).abs() < 1e-12);
            assert!((promoter - r[9] - r[10]).abs() < 1e-12, "q {q}");
            assert!(
                (detractor - r[..7].iter().sum::<f64>()).abs() < 1e-12,
                "q {q}"
            );
            let want: f64 = c.iter().zip(&e.churn_by_csat).map(|(p, w)| p * w).sum();
            assert!((churn - want).abs() < 1e-12);
        }
    }

    #[test]
    fn training_helps_and_difficulty_hurts() {
        let e = ExperienceParams::default();
        assert!(e.handle_factor(1.0) == 1.0 && e.handle_factor(0.0) > 1.8);
        assert!(e.resolve_probability(0.5, 0.8) > e.resolve_probability(0.5, 0.4));
        assert!(e.resolve_probability(0.7, 0.5) < e.resolve_probability(0.3, 0.5));
        assert_eq!(e.expected_holds(0.0, 1.0), 0.0);
        assert!(e.expected_holds(0.5, 0.4) > e.expected_holds(0.5, 0.9));
    }

    /// The default weights reproduce the published relative CSAT drops (SQM): a hold of about
    /// a minute −15%, a transfer −12%, within two percentage points.
    #[test]
    fn satisfaction_weights_match_published_effects() {
        let e = ExperienceParams::default();
        let base = e.score(&journey()).csat;
        let held = e
            .score(&JourneyExperience {
                holds: 1,
                hold_s: 60.0,
                ..journey()
            })
            .csat;
        let transferred = e
            .score(&JourneyExperience {
                transfers: 1,
                contacts: 2,
                ..journey()
            })
            .csat;
        assert!((held / base - 0.85).abs() < 0.02, "hold: {held} vs {base}");
        assert!(
            (transferred / base - 0.88).abs() < 0.02,
            "transfer: {transferred} vs {base}"
        );
        let unresolved = e.score(&JourneyExperience {
            resolved: false,
            ..journey()
        });
        assert!(unresolved.csat < 2.5 && unresolved.churn > 0.1);
        // Revenue at risk of a 1000-currency customer (churn × value).
        assert!(unresolved.churn * 1000.0 > 100.0);
        assert!(unresolved.word_of_mouth_negative > unresolved.word_of_mouth_positive);
    }
}
