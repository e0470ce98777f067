//! The customer-experience model: how training (proficiency) and the difficulty change
//! what happens inside a call, and how a customer's whole journey turns into satisfaction and
//! loyalty. Pure functions of validated parameters; the engine applies them per contact and
//! per journey. Every default is cited in `docs/model.md`.
//!
//! With the plain model's defaults (proficiency 1, no difficulty, no decisions, no
//! `[customers]` section) none of these functions changes the queueing mechanics.
//!
//! Scoring lives in one place, [`Scorer`] (built once per replication by
//! [`ExperienceParams::scorer`]): a finished journey ([`JourneyExperience`]) → its top-box
//! probability ([`ExperienceParams::top_box`]: a perfect journey's share lowered by drops in
//! points or relative), then [`Scorer::score_top_box`]: mean CSAT, churn, people told,
//! promoter/detractor probabilities and the optional spend upside, by SQM outcome class
//! ([`JourneyOutcome`]). Re-scoring a journey under other assumptions is one call.

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
    /// How a journey turns into a top-box ("very satisfied") probability.
    pub satisfaction: SatisfactionWeights,
    /// How the top-box probability spreads over the rest of the 1–5 scale (mean CSAT, "very
    /// dissatisfied").
    pub csat_spread: CsatSpread,
    /// Defection, word of mouth and NPS.
    pub loyalty: Loyalty,
    /// Alternative churn model: P(lost | CSAT = 1…5), weighted by the journey's CSAT
    /// distribution. `None` (the default): churn by journey outcome ([`Loyalty::defection`]).
    pub churn_by_csat: Option<[f64; 5]>,
    /// The optional AmEx 2011 spend premium (stated intention); `None`: off.
    pub spend_premium: Option<SpendPremium>,
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
            csat_spread: CsatSpread::default(),
            loyalty: Loyalty::default(),
            churn_by_csat: None,
            spend_premium: None,
        }
    }
}

/// How the published drops ("held callers' CSAT is 15% lower") are read: SQM does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DropUnit {
    /// Percentage points of the top-box share: each drop is subtracted (the default).
    #[default]
    Points,
    /// Relative: each drop multiplies the top-box share by (1 − drop).
    Relative,
}

/// A journey's top-box probability: `base` for a perfect journey (answered at once, resolved
/// on the first contact, no hold, no transfer), lowered by each thing the customer went
/// through. Every weight is a drop of the top-box share in [`DropUnit`]s, per occurrence.
#[derive(Debug, Clone, Copy)]
pub struct SatisfactionWeights {
    /// Top-box share of a perfect journey (SQM: 82% for non-complaint callers).
    pub base: f64,
    /// Points or relative drops.
    pub unit: DropUnit,
    /// Per minute waited in queues (abandoned waits included).
    pub per_wait_minute: f64,
    /// Per hold endured (look-ups and approvals).
    pub per_hold: f64,
    /// Per minute on hold.
    pub per_hold_minute: f64,
    /// Per transfer.
    pub per_transfer: f64,
    /// Per contact after the first one that was not a transfer (callbacks, redials).
    pub per_repeat: f64,
    /// When the issue was not resolved.
    pub unresolved: f64,
    /// Per abandoned contact.
    pub per_abandon: f64,
}

impl Default for SatisfactionWeights {
    /// Calibrated by simulation (`tests/e2e/calibration.rs`): in an SQM-like mix, held journeys
    /// score ≈ 15 points below not-held ones and transferred ≈ 12 below not-transferred, as
    /// totals (resolution differences included).
    fn default() -> Self {
        SatisfactionWeights {
            base: 0.82,
            unit: DropUnit::Points,
            per_wait_minute: 0.01,
            per_hold: 0.075,
            per_hold_minute: 0.0,
            per_transfer: 0.10,
            per_repeat: 0.10,
            unresolved: 0.40,
            per_abandon: 0.05,
        }
    }
}

impl SatisfactionWeights {
    /// The defaults for `unit`: [`SatisfactionWeights::default`] in points; in relative
    /// drops, calibrated the same way by simulation (held journeys ≈ 15% below not-held ones,
    /// transferred ≈ 12% below, relative, as totals in the SQM-like mix), with the
    /// assumptions (`unresolved`, `per_repeat`, waiting, abandoning) set to the points
    /// defaults ÷ 0.82.
    pub fn defaults_for(unit: DropUnit) -> SatisfactionWeights {
        match unit {
            DropUnit::Points => SatisfactionWeights::default(),
            DropUnit::Relative => SatisfactionWeights {
                base: 0.82,
                unit: DropUnit::Relative,
                per_wait_minute: 0.012,
                per_hold: 0.077,
                per_hold_minute: 0.0,
                per_transfer: 0.11,
                per_repeat: 0.12,
                unresolved: 0.49,
                per_abandon: 0.06,
            },
        }
    }
}

/// The rest of the 1–5 scale given the top-box probability p: an ordered logit around
/// L = logit(p), P(CSAT ≥ k) = logistic(L + offset_k) for k = 4, 3, 2 (P(CSAT = 5) = p).
/// Only mean CSAT, "very dissatisfied" (CSAT 1, for word of mouth) and the alternative
/// `churn_by_csat` use it. The offsets are an *assumption*: with p = 0.82 they give
/// 82 / 12 / 3 / 1.5 / 1.5 % for 5 / 4 / 3 / 2 / 1 (mean CSAT ≈ 4.7).
#[derive(Debug, Clone, Copy)]
pub struct CsatSpread {
    /// Logit offsets of P(CSAT ≥ 4), P(≥ 3), P(≥ 2), increasing.
    pub offsets: [f64; 3],
}

impl Default for CsatSpread {
    fn default() -> Self {
        CsatSpread {
            offsets: [1.24, 1.96, 2.67],
        }
    }
}

/// Loyalty by journey outcome (SQM Group's call-center figures by default).
#[derive(Debug, Clone, Copy)]
pub struct Loyalty {
    /// Intent to defect after: first-contact resolution, resolution that took two or more
    /// calls, no resolution (SQM 2022: 5%, 9%, 25%).
    pub defection: [f64; 3],
    /// Which word-of-mouth figures apply.
    pub word_of_mouth: WordOfMouth,
    /// NPS calibration: the top-box shares and NPS of two caller populations (SQM:
    /// non-complaint 82% / +45, complaint 55% / −16) and the passives' share at the first.
    pub nps: NpsCalibration,
}

impl Default for Loyalty {
    fn default() -> Self {
        Loyalty {
            defection: [0.05, 0.09, 0.25],
            word_of_mouth: WordOfMouth::default(),
            nps: NpsCalibration::default(),
        }
    }
}

/// Word of mouth: people told per customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WordOfMouth {
    /// By journey outcome (SQM): share who tell someone × people told each, for first-contact
    /// resolved, resolved after repeat, unresolved (not very dissatisfied), and unresolved and
    /// very dissatisfied (CSAT 1). Defaults 41% × 1, 45% × 1, 45% × 1, 74% × 5: the two middle
    /// classes take SQM's overall figure (45% tell one person), an *assumption*.
    Sqm {
        /// Share who tell someone, per class.
        tell: [f64; 4],
        /// People each teller tells, per class.
        people: [f64; 4],
    },
    /// AmEx 2011 general-population figures, applied per journey: unhappy customers (CSAT
    /// 1–2) tell `unhappy` people (16), happy ones (CSAT 4–5) tell `happy` (9). Not a
    /// per-call measurement: a documented alternative.
    Amex {
        /// People an unhappy customer tells.
        unhappy: f64,
        /// People a happy customer tells.
        happy: f64,
    },
}

impl Default for WordOfMouth {
    fn default() -> Self {
        WordOfMouth::Sqm {
            tell: [0.41, 0.45, 0.45, 0.74],
            people: [1.0, 1.0, 1.0, 5.0],
        }
    }
}

impl WordOfMouth {
    /// AmEx Global Customer Service Barometer 2011: 16 people told about bad service, 9
    /// about good.
    pub const AMEX_2011: WordOfMouth = WordOfMouth::Amex {
        unhappy: 16.0,
        happy: 9.0,
    };
}

/// Two (top-box share, NPS) anchors and the passives' share at the first; promoters and
/// detractors are then logistic in L = logit(top-box):
/// P(promoter) = logistic(b·L − a_p), P(detractor) = logistic(a_d − b·L), solved so that the
/// anchors are reproduced exactly.
#[derive(Debug, Clone, Copy)]
pub struct NpsCalibration {
    /// (top-box share, NPS) of the happier population (SQM non-complaint: 0.82, +45).
    pub high: (f64, f64),
    /// (top-box share, NPS) of the less happy one (SQM complaint: 0.55, −16).
    pub low: (f64, f64),
    /// Passives' share at `high` (not published: *assumption* 0.25).
    pub passives: f64,
}

impl Default for NpsCalibration {
    fn default() -> Self {
        NpsCalibration {
            high: (0.82, 45.0),
            low: (0.55, -16.0),
            passives: 0.25,
        }
    }
}

/// The fitted NPS curve: P(promoter) = logistic(b·L − a_p), P(detractor) = logistic(a_d − b·L).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpsCurve {
    /// Slope on L = logit(top-box).
    pub b: f64,
    /// Promoter offset.
    pub a_p: f64,
    /// Detractor offset.
    pub a_d: f64,
}

impl NpsCalibration {
    /// Whether the anchors admit a curve: shares in (0, 1), `high` above `low` in both
    /// top-box and NPS, NPS within ±100, and room for the passives at `high`.
    pub fn check(&self) -> Result<(), String> {
        let (ph, nh) = self.high;
        let (pl, nl) = self.low;
        let share = |p: f64| p > 0.0 && p < 1.0;
        if !(share(ph) && share(pl) && ph > pl) {
            return Err(format!(
                "the top-box shares must be between 0 and 1 (exclusive) and `high`'s above `low`'s, got {ph} and {pl}"
            ));
        }
        if !(nl > -100.0 && nh < 100.0 && nh > nl) {
            return Err(format!(
                "the NPS values must be between −100 and 100 (exclusive) and `high`'s above `low`'s, got {nh} and {nl}"
            ));
        }
        let pd = 1.0 - self.passives;
        if !(self.passives > 0.0 && pd > (nh / 100.0).abs()) {
            return Err(format!(
                "passives must be above 0 and leave room for NPS {nh} (at most {}), got {}",
                1.0 - (nh / 100.0).abs(),
                self.passives
            ));
        }
        if self.fit().is_none() {
            return Err("no logistic curve passes through these anchors: bring the two NPS values closer or the top-box shares further apart".into());
        }
        Ok(())
    }

    /// Solves the curve: at `high`, promoters P and detractors D with P − D = NPS/100 and
    /// P + D = 1 − passives; the slope b by bisection so that `low`'s NPS comes out.
    pub fn fit(&self) -> Option<NpsCurve> {
        let (ph, nh) = self.high;
        let (pl, nl) = self.low;
        let (lh, ll) = (logit(ph), logit(pl));
        let pd = 1.0 - self.passives;
        let (p, d) = ((pd + nh / 100.0) / 2.0, (pd - nh / 100.0) / 2.0);
        if !(p > 0.0 && p < 1.0 && d > 0.0 && d < 1.0) {
            return None;
        }
        let (lp, ld) = (logit(p), logit(d));
        // NPS at `low` as a function of x = b·(lh − ll): decreasing in x.
        let f = |x: f64| logistic(lp - x) - logistic(ld + x) - nl / 100.0;
        let (mut lo, mut hi) = (0.0, 50.0);
        if f(lo) < 0.0 || f(hi) > 0.0 {
            return None;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if f(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let b = 0.5 * (lo + hi) / (lh - ll);
        Some(NpsCurve {
            b,
            a_p: b * lh - lp,
            a_d: ld + b * lh,
        })
    }
}

/// The AmEx 2011 spend premium: `share` of customers (70%) say they would spend `premium`
/// (13%) more with a company giving excellent service. Applied to top-box customers as a
/// revenue upside; stated intention, not observed behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendPremium {
    /// Share who would spend more (0.70).
    pub share: f64,
    /// How much more, as a fraction of spend (0.13).
    pub premium: f64,
    /// A customer's spend over the period the upside is counted for (currency).
    pub spend: f64,
}

impl SpendPremium {
    /// AmEx 2011 with the given spend.
    pub fn amex_2011(spend: f64) -> SpendPremium {
        SpendPremium {
            share: 0.70,
            premium: 0.13,
            spend,
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
    /// Revenue lost with a churned customer (currency): the range's mode.
    pub customer_value: f64,
    /// Customer value's assumption range (a point when given as a number).
    pub customer_value_range: crate::model::assumptions::Assumption,
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
            customer_value_range: crate::model::assumptions::Assumption::point(0.0),
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

/// ln(p / (1 − p)), with p kept inside [1e-9, 1 − 1e-9] so that certain outcomes stay finite.
#[inline]
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
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

    /// The journey scorer for these parameters (fits the NPS curve once: a bisection of 200
    /// steps). Validation checks that the NPS anchors admit a curve; for unvalidated anchors
    /// without one, NPS falls back to the default anchors rather than failing.
    pub fn scorer(&self) -> Scorer {
        let nps = self
            .loyalty
            .nps
            .fit()
            .or_else(|| NpsCalibration::default().fit())
            .unwrap_or(NpsCurve {
                b: 1.0,
                a_p: 0.0,
                a_d: 0.0,
            });
        let [o4, o3, o2] = self.csat_spread.offsets;
        Scorer {
            params: self.clone(),
            nps,
            spread: [o4.exp(), o3.exp(), o2.exp()],
            nps_scale: [(-nps.a_p).exp(), (-nps.a_d).exp()],
        }
    }

    /// Scores one journey (fits the NPS curve on every call: use [`ExperienceParams::scorer`]
    /// when scoring many).
    pub fn score(&self, j: &JourneyExperience) -> Score {
        self.scorer().score(j)
    }

    /// The journey's top-box ("very satisfied") probability: `base` lowered by each drop, in
    /// points (subtracted, floored at 0) or relative (multiplied by 1 − drop per occurrence).
    pub fn top_box(&self, j: &JourneyExperience) -> f64 {
        let w = &self.satisfaction;
        let terms = [
            (w.per_wait_minute, j.wait_s / 60.0),
            (w.per_hold, j.holds as f64),
            (w.per_hold_minute, j.hold_s / 60.0),
            (w.per_transfer, j.transfers as f64),
            (w.per_repeat, j.repeats() as f64),
            (w.unresolved, if j.resolved { 0.0 } else { 1.0 }),
            (w.per_abandon, j.abandons as f64),
        ];
        match w.unit {
            DropUnit::Points => {
                let drop: f64 = terms.iter().map(|(w, n)| w * n).sum();
                (w.base - drop).clamp(0.0, 1.0)
            }
            DropUnit::Relative => {
                let keep: f64 = terms
                    .iter()
                    .filter(|(_, n)| *n > 0.0)
                    .map(|(w, n)| (1.0 - w).max(0.0).powf(*n))
                    .product();
                (w.base * keep).clamp(0.0, 1.0)
            }
        }
    }
}

/// Scores journeys: the one place where a journey's outcome becomes satisfaction, loyalty and
/// money figures. Built once per replication from [`ExperienceParams::scorer`].
#[derive(Debug, Clone)]
pub struct Scorer {
    params: ExperienceParams,
    nps: NpsCurve,
    /// e^offset of the CSAT spread, so that logistic(logit(p) + offset) =
    /// p·e^offset / (1 − p + p·e^offset) needs no `exp` or `ln` per journey.
    spread: [f64; 3],
    /// e^−a_p and e^−a_d of the NPS curve (per journey: one `powf`).
    nps_scale: [f64; 2],
}

impl Scorer {
    /// The parameters scored with.
    pub fn params(&self) -> &ExperienceParams {
        &self.params
    }

    /// The fitted NPS curve.
    pub fn nps_curve(&self) -> NpsCurve {
        self.nps
    }

    /// Expected figures of a customer whose top-box probability is `p` and whose journey
    /// ended in `outcome` (no sampling noise: expectations).
    pub fn score_top_box(&self, p: f64, outcome: JourneyOutcome) -> Score {
        let e = &self.params;
        // P(CSAT ≥ k), k = 4, 3, 2: an ordered logit around L = logit(p), in closed form:
        // logistic(L + o) = p·e^o / (1 − p + p·e^o), exact at p = 0 and 1.
        let shifted = |eo: f64| {
            let up = p * eo;
            up / (1.0 - p + up)
        };
        let [e4, e3, e2] = self.spread;
        // Cumulative probabilities must not cross (offsets increase; rounding aside).
        let ge4 = shifted(e4).max(p);
        let ge3 = shifted(e3).max(ge4);
        let ge2 = shifted(e2).max(ge3);
        let csat_dist = [1.0 - ge2, ge2 - ge3, ge3 - ge4, ge4 - p, p];
        let csat = 1.0 + p + ge4 + ge3 + ge2;
        let very_dissatisfied = csat_dist[0];
        let churn = match &e.churn_by_csat {
            Some(c) => csat_dist.iter().zip(c).map(|(p, c)| p * c).sum(),
            None => e.loyalty.defection[outcome as usize],
        };
        let (negative, positive, people) = match e.loyalty.word_of_mouth {
            WordOfMouth::Sqm { tell, people } => {
                let rate = |k: usize| tell[k] * people[k];
                let (vd_rate, other_rate) = match outcome {
                    JourneyOutcome::FirstContactResolved => (rate(0), rate(0)),
                    JourneyOutcome::ResolvedAfterRepeat => (rate(1), rate(1)),
                    JourneyOutcome::Unresolved => (rate(3), rate(2)),
                };
                let total = very_dissatisfied * vd_rate + (1.0 - very_dissatisfied) * other_rate;
                let negative = very_dissatisfied * vd_rate + csat_dist[1] * other_rate;
                let positive = (csat_dist[3] + csat_dist[4]) * other_rate;
                (negative, positive, total)
            }
            WordOfMouth::Amex { unhappy, happy } => {
                let negative = (csat_dist[0] + csat_dist[1]) * unhappy;
                let positive = (csat_dist[3] + csat_dist[4]) * happy;
                (negative, positive, negative + positive)
            }
        };
        // P(promoter) = logistic(b·L − a_p), P(detractor) = logistic(a_d − b·L), with
        // e^(b·L) = odds^b: one `powf`.
        let (promoter, detractor) = if p <= 0.0 {
            (0.0, 1.0)
        } else if p >= 1.0 {
            (1.0, 0.0)
        } else {
            let ob = (p / (1.0 - p)).powf(self.nps.b);
            let [sp, sd] = self.nps_scale;
            let x = ob * sp;
            (x / (1.0 + x), 1.0 / (1.0 + ob * sd))
        };
        let upside = e
            .spend_premium
            .map_or(0.0, |s| p * s.share * s.premium * s.spend);
        Score {
            top_box: p,
            csat,
            promoter,
            detractor,
            churn,
            word_of_mouth_people: people,
            word_of_mouth_negative: negative,
            word_of_mouth_positive: positive,
            upside,
            class: JourneyClass::of_outcome(outcome),
        }
    }

    /// Scores a finished journey: its top-box probability, then everything that follows.
    pub fn score(&self, j: &JourneyExperience) -> Score {
        let mut s = self.score_top_box(self.params.top_box(j), j.outcome());
        s.class = JourneyClass::of(j);
        s
    }
}

/// How a journey ended, in SQM's three outcome classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyOutcome {
    /// Resolved with no further contact about the issue (transfers inside the call allowed).
    FirstContactResolved = 0,
    /// Resolved, but it took two or more contacts (a callback or redial).
    ResolvedAfterRepeat = 1,
    /// Not resolved when the customer gave up (or the horizon ended).
    Unresolved = 2,
}

/// The journey classes reported, in report order; their names are the JSON keys of
/// `journey_classes`. The first [`CELL_CLASSES`] are tallied per (interval, call type) cell
/// ([`JourneyClass`]); the callback pair after them per call type only (see
/// `ReplicationResult::called_back`), since only scenarios with callbacks have members.
pub const JOURNEY_CLASSES: [&str; 9] = [
    "first_contact_resolved",
    "resolved_after_repeat",
    "unresolved",
    "held",
    "not_held",
    "transferred",
    "not_transferred",
    "called_back",
    "not_called_back",
];

/// The journey classes tallied in every (interval, call type) cell: the first seven of
/// [`JOURNEY_CLASSES`] (outcome, hold, transfer). `called_back` (the customer accepted a
/// callback, [`JourneyExperience::called_back`]) and `not_called_back` follow them.
pub const CELL_CLASSES: usize = 7;

/// The three cell-tallied classes (one per partition) a journey belongs to: indexes into
/// [`JOURNEY_CLASSES`] (the callback partition is read from
/// [`JourneyExperience::called_back`] directly).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JourneyClass {
    /// 0, 1 or 2: the outcome.
    pub outcome: u8,
    /// 3 (held) or 4 (not held).
    pub hold: u8,
    /// 5 (transferred) or 6 (not transferred).
    pub transfer: u8,
}

impl JourneyClass {
    /// The classes of `j`.
    #[inline]
    pub fn of(j: &JourneyExperience) -> JourneyClass {
        JourneyClass {
            outcome: j.outcome() as u8,
            hold: if j.holds > 0 { 3 } else { 4 },
            transfer: if j.transfers > 0 { 5 } else { 6 },
        }
    }

    /// An outcome with neither hold nor transfer.
    #[inline]
    pub fn of_outcome(outcome: JourneyOutcome) -> JourneyClass {
        JourneyClass {
            outcome: outcome as u8,
            hold: 4,
            transfer: 6,
        }
    }

    /// The three class indexes.
    #[inline]
    pub fn indexes(self) -> [usize; 3] {
        [
            self.outcome as usize,
            self.hold as usize,
            self.transfer as usize,
        ]
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

    /// Contacts that were callbacks or redials (not the first, not a transfer).
    #[inline]
    pub fn repeats(&self) -> u32 {
        self.contacts.saturating_sub(1 + self.transfers)
    }

    /// SQM's outcome class. First-contact resolution: resolved with no callback or redial; a
    /// transfer inside the call that ends resolved still counts. An abandoned call followed
    /// by a redial is a further contact, so that journey is at best resolved after repeat.
    #[inline]
    pub fn outcome(&self) -> JourneyOutcome {
        match (self.resolved, self.repeats()) {
            (false, _) => JourneyOutcome::Unresolved,
            (true, 0) => JourneyOutcome::FirstContactResolved,
            (true, _) => JourneyOutcome::ResolvedAfterRepeat,
        }
    }
}

/// Expected satisfaction and loyalty outcomes of one journey (expectations, not draws, so
/// they add no noise).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// P(CSAT = 5, "very satisfied"): the top-box probability.
    pub top_box: f64,
    /// Mean CSAT on 1–5.
    pub csat: f64,
    /// P(would-recommend ≥ 9).
    pub promoter: f64,
    /// P(would-recommend ≤ 6).
    pub detractor: f64,
    /// P(the customer is lost).
    pub churn: f64,
    /// People told about the experience (expected).
    pub word_of_mouth_people: f64,
    /// People told about a bad experience (expected).
    pub word_of_mouth_negative: f64,
    /// People told about a good experience (expected).
    pub word_of_mouth_positive: f64,
    /// Expected extra spend (spend premium × top-box; 0 when the premium is off).
    pub upside: f64,
    /// The journey's classes.
    pub class: JourneyClass,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journey() -> JourneyExperience {
        JourneyExperience::PERFECT
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

    /// The NPS curve passes through SQM's two anchors: +45 at 82% top-box, −16 at 55%, with
    /// 25% passives at the first.
    #[test]
    fn nps_curve_reproduces_the_anchors() {
        let s = ExperienceParams::default().scorer();
        let nps = |p: f64| {
            let x = s.score_top_box(p, JourneyOutcome::FirstContactResolved);
            (100.0 * (x.promoter - x.detractor), x.promoter + x.detractor)
        };
        let (high, pd) = nps(0.82);
        assert!((high - 45.0).abs() < 1e-6, "{high}");
        assert!((pd - 0.75).abs() < 1e-9, "{pd}");
        let (low, _) = nps(0.55);
        assert!((low + 16.0).abs() < 1e-6, "{low}");
        // Monotone and within ±100 over the whole range.
        let mut last = -100.0;
        for k in 0..=100 {
            let (n, _) = nps(k as f64 / 100.0);
            assert!((-100.0..=100.0).contains(&n) && n >= last, "{k}: {n}");
            last = n;
        }
        assert!(NpsCalibration::default().check().is_ok());
        let bad = NpsCalibration {
            passives: 0.6,
            ..NpsCalibration::default()
        };
        assert!(bad.check().is_err());
    }

    /// A perfect journey scores the base (82% top-box), CSAT ≈ 4.7, churn 5% and word of
    /// mouth 0.41 people; the CSAT distribution sums to one.
    #[test]
    fn perfect_journey_scores_the_sources_figures() {
        let e = ExperienceParams::default();
        let s = e.score(&journey());
        assert_eq!(s.top_box, 0.82);
        assert!((s.csat - 4.7).abs() < 0.05, "{}", s.csat);
        assert_eq!(s.churn, 0.05);
        assert!((s.word_of_mouth_people - 0.41).abs() < 1e-12);
        assert_eq!(s.upside, 0.0);
        assert_eq!(s.class.indexes(), [0, 4, 6]);
    }

    /// Outcome classes per SQM: a transfer that ends resolved is first-contact resolution; a
    /// redial or callback is a repeat.
    #[test]
    fn outcome_classes_follow_sqm() {
        let transferred = JourneyExperience {
            transfers: 1,
            contacts: 2,
            ..journey()
        };
        assert_eq!(transferred.outcome(), JourneyOutcome::FirstContactResolved);
        let redialled = JourneyExperience {
            contacts: 2,
            abandons: 1,
            ..journey()
        };
        assert_eq!(redialled.outcome(), JourneyOutcome::ResolvedAfterRepeat);
        let gave_up = JourneyExperience {
            resolved: false,
            ..transferred
        };
        assert_eq!(gave_up.outcome(), JourneyOutcome::Unresolved);
        assert_eq!(JourneyClass::of(&gave_up).indexes(), [2, 4, 5]);
        let e = ExperienceParams::default();
        let churn = |j: &JourneyExperience| e.score(j).churn;
        assert_eq!(
            [churn(&transferred), churn(&redialled), churn(&gave_up)],
            [0.05, 0.09, 0.25]
        );
    }

    /// Unresolved and very dissatisfied customers tell 74% × 5 people; the unresolved mix
    /// lies between the middle classes' figure and that.
    #[test]
    fn word_of_mouth_by_outcome() {
        let s = ExperienceParams::default().scorer();
        let floor = s.score_top_box(0.0, JourneyOutcome::Unresolved);
        assert!((floor.word_of_mouth_people - 3.7).abs() < 1e-6);
        assert!((floor.word_of_mouth_negative - 3.7).abs() < 1e-6);
        let mid = s.score_top_box(0.3, JourneyOutcome::Unresolved);
        assert!(mid.word_of_mouth_people > 0.45 && mid.word_of_mouth_people < 3.7);
        let amex = ExperienceParams {
            loyalty: Loyalty {
                word_of_mouth: WordOfMouth::AMEX_2011,
                ..Loyalty::default()
            },
            ..ExperienceParams::default()
        };
        let a = amex
            .scorer()
            .score_top_box(1.0, JourneyOutcome::FirstContactResolved);
        assert_eq!(
            (a.word_of_mouth_positive, a.word_of_mouth_negative),
            (9.0, 0.0)
        );
    }

    /// Points subtract, relative multiplies; both floor at 0 and the spend premium applies
    /// to the top-box probability.
    #[test]
    fn drop_units_and_upside() {
        let held = JourneyExperience {
            holds: 1,
            hold_s: 60.0,
            ..journey()
        };
        let mut e = ExperienceParams::default();
        e.satisfaction.per_hold = 0.15;
        assert!((e.top_box(&held) - 0.67).abs() < 1e-12);
        e.satisfaction.unit = DropUnit::Relative;
        assert!((e.top_box(&held) - 0.82 * 0.85).abs() < 1e-12);
        e.satisfaction.unit = DropUnit::Points;
        e.satisfaction.per_hold = 2.0;
        assert_eq!(e.top_box(&held), 0.0);
        e.spend_premium = Some(SpendPremium::amex_2011(1000.0));
        let s = e.score(&journey());
        assert!((s.upside - 0.82 * 0.7 * 0.13 * 1000.0).abs() < 1e-9);
    }

    /// The alternative churn model weighs the CSAT distribution.
    #[test]
    fn churn_by_csat_alternative() {
        let e = ExperienceParams {
            churn_by_csat: Some([0.4, 0.25, 0.12, 0.05, 0.01]),
            ..ExperienceParams::default()
        };
        let s = e.score(&journey());
        assert!(s.churn > 0.01 && s.churn < 0.05, "{}", s.churn);
    }
}
