//! Busyness: day-level arrival uncertainty (Jongbloed & Koole 2001). With
//! `simulation.arrival_uncertainty = cv > 0`, every simulated day of a replication draws one
//! factor F ~ Gamma(shape 1/cv², scale cv²) (mean 1, coefficient of variation cv) and every
//! call type's arrival rates in that day's intervals are multiplied by it. A day's count is
//! then a Poisson–gamma mixture: mean λ, variance λ + cv²·λ² (λ = the day's expected count),
//! the over-dispersion forecasters see in real day totals.
//!
//! One factor per day is shared by all call types (a busy day is busy on every channel).
//! Days follow the calendar when there is one (day 0 is the start's day), else they are 24 h
//! from time 0. Factors are drawn in day order from their own stream
//! ([`Purpose::Busyness`]), so the other streams stay aligned with the scenario without
//! uncertainty (common random numbers). Cost: one draw per day per replication.

use crate::model::week::DAY_S;
use crate::rng::{Purpose, StreamKey};
use crate::scenario::Scenario;
use rand_distr::{Distribution, Gamma};

/// Per interval, the factor on its arrival rates in this replication; empty when the
/// scenario has no arrival uncertainty (then rates are used as they are).
pub(super) fn interval_factors(scenario: &Scenario, key: StreamKey) -> Vec<f64> {
    let sim = &scenario.simulation;
    let cv = sim.arrival_uncertainty;
    if cv <= 0.0 {
        return Vec::new();
    }
    let day_of = |t: f64| match &scenario.calendar {
        Some(clock) => clock.day_index(t),
        None => (t / DAY_S).floor() as usize,
    };
    let days = day_of(sim.horizon) + 1;
    let shape = 1.0 / (cv * cv);
    // Validation bounds cv to (0, 10], so the parameters are finite and positive.
    let gamma = Gamma::new(shape, cv * cv).expect("validated coefficient of variation");
    let mut rng = key.stream(Purpose::Busyness, 0);
    let factors: Vec<f64> = (0..days).map(|_| gamma.sample(&mut rng)).collect();
    (0..sim.intervals)
        .map(|k| factors[day_of(k as f64 * sim.interval).min(days - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::engine::simulate;
    use crate::rng::StreamKey;
    use crate::scenario::Scenario;

    /// Day totals across replications: variance ≈ λ + cv²λ² (Poisson–gamma mixture), and
    /// the mean stays λ. λ = 2000 a day, cv = 0.1: variance 2000 + 40 000 = 42 000 versus
    /// 2000 without uncertainty. With 400 replications the sample variance's relative
    /// standard error is about √(2/400)·√(kurtosis term) ≈ 8%, so 25% is a safe tolerance.
    #[test]
    fn day_totals_are_a_poisson_gamma_mixture() {
        let text = |cv: &str| {
            format!(
                r#"
[simulation]
horizon = "48h"
interval = "4h"
arrival_uncertainty = {cv}
[[call_types]]
name = "a"
arrival_rate = 83.3333333333
handle_time = {{ distribution = "exponential", mean = "1s" }}
[[agent_groups]]
name = "g"
skills = ["a"]
agents = 50
"#
            )
        };
        let lambda = 83.333_333_333_3 * 24.0;
        for (cv, want_var) in [(0.1, lambda + 0.01 * lambda * lambda), (0.0, lambda)] {
            let s = Scenario::from_toml_str(&text(&cv.to_string()), "t.toml", "t").unwrap();
            let reps = 400;
            let (mut day0, mut day1) = (Vec::new(), Vec::new());
            for r in 0..reps {
                let res = simulate(
                    &s,
                    StreamKey {
                        seed: 7,
                        point: 0,
                        replication: r,
                    },
                );
                let day = |d: usize| -> f64 {
                    (d * 6..d * 6 + 6)
                        .map(|k| res.contacts[k].offered as f64)
                        .sum()
                };
                day0.push(day(0));
                day1.push(day(1));
            }
            for totals in [&day0, &day1] {
                let n = totals.len() as f64;
                let mean = totals.iter().sum::<f64>() / n;
                let var = totals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
                assert!((mean / lambda - 1.0).abs() < 0.03, "cv {cv}: mean {mean}");
                assert!(
                    (var / want_var - 1.0).abs() < 0.25,
                    "cv {cv}: variance {var}, want {want_var}"
                );
            }
            // The two days draw independent factors.
            if cv > 0.0 {
                let m0 = day0.iter().sum::<f64>() / reps as f64;
                let m1 = day1.iter().sum::<f64>() / reps as f64;
                let cov: f64 = day0
                    .iter()
                    .zip(&day1)
                    .map(|(a, b)| (a - m0) * (b - m1))
                    .sum::<f64>()
                    / (reps as f64 - 1.0);
                assert!(cov.abs() / want_var < 0.2, "days correlated: {cov}");
            }
        }
    }
}
