//! Validated distributions of non-negative quantities: durations in seconds (handle time,
//! patience, holds) and plain numbers (issue difficulty, decision amounts).

use rand::Rng;
use rand_distr::{Beta, Distribution as _, Exp1, Gamma, LogNormal, Weibull};

/// A validated distribution of a non-negative quantity. Sampling never allocates.
#[derive(Debug, Clone)]
pub enum Dist {
    /// On [0, 1], parameterised by mean and sd (for issue difficulty).
    Beta(Beta<f64>, f64),
    /// Exponential with the given mean (the memoryless case Erlang C and A assume).
    Exponential {
        /// The mean (> 0).
        mean: f64,
    },
    /// Log-normal (see [`Dist::lognormal`]) and its mean, kept so the mean need not be recomputed.
    LogNormal(LogNormal<f64>, f64),
    /// Gamma (see [`Dist::gamma`]) and its mean.
    Gamma(Gamma<f64>, f64),
    /// Weibull (see [`Dist::weibull`]) and its mean.
    Weibull(Weibull<f64>, f64),
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Always this value (deterministic service, as in M/D/1).
    Constant(f64),
    /// Draws one of the given observations, each equally likely.
    Empirical(Vec<f64>),
}

impl Dist {
    /// Log-normal with the given mean and standard deviation of the duration itself
    /// (not of its logarithm): σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
    pub fn lognormal(mean: f64, sd: f64) -> Option<Self> {
        if sd == 0.0 {
            return Some(Dist::Constant(mean));
        }
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        LogNormal::new(mu, sigma2.sqrt())
            .ok()
            .map(|d| Dist::LogNormal(d, mean))
    }

    /// Gamma with the given mean and sd: shape k = mean²/sd², scale θ = sd²/mean.
    pub fn gamma(mean: f64, sd: f64) -> Option<Self> {
        if sd == 0.0 {
            return Some(Dist::Constant(mean));
        }
        let shape = (mean / sd).powi(2);
        let scale = sd * sd / mean;
        Gamma::new(shape, scale).ok().map(|d| Dist::Gamma(d, mean))
    }

    /// Weibull with shape k and scale λ; mean = λ·Γ(1 + 1/k).
    pub fn weibull(shape: f64, scale: f64) -> Option<Self> {
        let mean = scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape);
        Weibull::new(scale, shape)
            .ok()
            .map(|d| Dist::Weibull(d, mean))
    }

    /// Beta on [0, 1] with the given mean and sd: with ν = mean(1 − mean)/sd² − 1,
    /// α = mean·ν, β = (1 − mean)·ν (needs sd² < mean(1 − mean)).
    pub fn beta(mean: f64, sd: f64) -> Option<Self> {
        if sd == 0.0 {
            return Some(Dist::Constant(mean));
        }
        let nu = mean * (1.0 - mean) / (sd * sd) - 1.0;
        if nu <= 0.0 {
            return None;
        }
        Beta::new(mean * nu, (1.0 - mean) * nu)
            .ok()
            .map(|d| Dist::Beta(d, mean))
    }

    /// One draw (never negative).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Dist::Beta(d, _) => d.sample(rng),
            Dist::LogNormal(d, _) => d.sample(rng),
            Dist::Gamma(d, _) => d.sample(rng),
            Dist::Weibull(d, _) => d.sample(rng),
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Constant(v) => *v,
            Dist::Empirical(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// The mean (used for load estimates and analytic comparisons).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean } => *mean,
            Dist::Beta(_, m) | Dist::LogNormal(_, m) | Dist::Gamma(_, m) | Dist::Weibull(_, m) => {
                *m
            }
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Constant(v) => *v,
            Dist::Empirical(values) => values.iter().sum::<f64>() / values.len() as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Sample mean and sd over many draws must match the requested moments (tolerance 1%).
    fn moments(d: &Dist) -> (f64, f64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        let n = 400_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let x = d.sample(&mut rng);
            s += x;
            s2 += x * x;
        }
        let m = s / n as f64;
        (m, (s2 / n as f64 - m * m).sqrt())
    }

    #[test]
    fn mean_sd_parameterisations_are_converted_correctly() {
        for d in [
            Dist::lognormal(300.0, 180.0).unwrap(),
            Dist::gamma(480.0, 240.0).unwrap(),
        ] {
            let (m, sd) = moments(&d);
            assert!(
                (m / d.mean() - 1.0).abs() < 0.01,
                "mean {m} vs {}",
                d.mean()
            );
            let want_sd = if matches!(d, Dist::LogNormal(..)) {
                180.0
            } else {
                240.0
            };
            assert!((sd / want_sd - 1.0).abs() < 0.015, "sd {sd} vs {want_sd}");
        }
        let b = Dist::beta(0.4, 0.2).unwrap();
        let (m, sd) = moments(&b);
        assert!(
            (m - 0.4).abs() < 0.005 && (sd - 0.2).abs() < 0.005,
            "beta {m} {sd}"
        );
        assert!(Dist::beta(0.5, 0.6).is_none());
        let w = Dist::weibull(1.0, 100.0).unwrap();
        assert!((w.mean() - 100.0).abs() < 1e-9);
        let (m, _) = moments(&Dist::Exponential { mean: 240.0 });
        assert!((m / 240.0 - 1.0).abs() < 0.01);
    }

    #[test]
    fn zero_sd_is_constant() {
        assert!(matches!(
            Dist::lognormal(60.0, 0.0),
            Some(Dist::Constant(v)) if v == 60.0
        ));
    }
}
