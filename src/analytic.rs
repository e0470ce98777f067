//! Closed-form steady-state answers for one queue: Erlang B, Erlang C (M/M/n) and
//! Erlang A (M/M/n+M, Palm's queue with exponentially distributed patience).
//!
//! This module owns the analytic side of `ccsim`: the simulator is validated against these
//! numbers and staffing uses [`min_agents_for_service_level`]. All times are in seconds and
//! all rates per second. Nothing allocates except error messages, and no input panics: bad
//! input gives `Err` (or NaN from [`erlang_b`], which stays a plain `f64` for tight loops).
//!
//! # Formulas
//! λ = arrival rate, μ = 1/mean handle time, n = agents, a = λ/μ, T = threshold.
//!
//! * **Erlang B**: `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))`. Every intermediate value
//!   lies in [0, 1], so unlike `(a^n/n!)/Σ a^k/k!` it cannot overflow.
//! * **Erlang C** (needs a < n): `C = n·B / (n − a(1 − B))`, `SL = 1 − C·e^{−(nμ−λ)T}`,
//!   `ASA = mean wait = C/(nμ − λ)`, occupancy `a/n`.
//! * **Erlang A** (θ = 1/mean patience; stable at any load): birth–death chain with birth
//!   rate λ and death rate `min(j,n)μ + (j−n)⁺θ`. A contact that finds i others waiting
//!   moves one place forward at rate `r_i = nμ + iθ` and hangs up at rate θ, so
//!   - `P_served(i) = Π_{k≤i} r_k/(r_k+θ) = nμ/(nμ + (i+1)θ)` (the product telescopes);
//!   - `A_i = E[W·1{served}] = r_i/(r_i+θ)·(P_served(i−1)/(r_i+θ) + A_{i−1})`, `A_{−1} = 0`;
//!   - `m_i = E[min(W, patience)] = 1/(r_i+θ) + r_i/(r_i+θ)·m_{i−1}`, `m_{−1} = 0`;
//!   - the time to reach an agent is a sum of exponentials with rates `nμ + kθ` (k = 0..=i),
//!     whose density is `∝ e^{−nμs}(1 − e^{−θs})^i`. Integrating it against the patience
//!     survival `e^{−θs}` over [0, T] gives a regularised incomplete beta function with an
//!     integer first argument, i.e. a negative-binomial tail:
//!     `P(served within T | i) = P_served(i)·P(N > i)`, where
//!     `P(N = k) = Γ(b+k)/(Γ(b)·k!)·e^{−bθT}·(1 − e^{−θT})^k` and `b = nμ/θ + 1`.
//!     This is exact, so no ODE solver or uniformization is needed (the tests check it
//!     against uniformization).
//!
//!   Aggregates weight these by the stationary law π_j over j = n + i and add `Σ_{j<n} π_j`
//!   (answered at once) to the service level. Abandoned contacts count as SL failures.
//!
//! * **M/M/n/K** (K lines, K ≥ 1; stable at any load): birth–death chain on j = 0..=K with
//!   birth rate λ below K and death rate `min(j,n)μ`; blocking `π_K` (PASTA), mean wait of
//!   accepted calls `Lq / (λ(1 − π_K))` with `Lq = Σ (j − n)⁺ π_j` (Little), wait probability
//!   of accepted calls `Σ_{n≤j<K} π_j / (1 − π_K)`. K = n gives Erlang B; K → ∞ Erlang C.
//! * **Non-preemptive priorities in M/M/n** (Cobham 1954; classes with one exponential
//!   handle time, highest priority first): with `σ_k = Σ_{i≤k} λ_i/(nμ)` and C the Erlang C
//!   probability of the total load, class k waits on average
//!   `W_k = C/(nμ) / ((1 − σ_{k−1})(1 − σ_k))`.
//!
//! # Numerical approach (Erlang A)
//! The stationary law is built from ratios of neighbouring states starting at the mode,
//! whose weight is set to 1: every weight is then ≤ 1 whatever the load, and `(λ/μ)^j/j!` is
//! never formed. Each side stops once a term drops below 1e-18 of the running sum; past the
//! mode the ratios only shrink, so the neglected tails are of that relative order. A first
//! pass finds the support, the mass below n and the weight of the first waiting state; a
//! second pass walks the waiting states in order of i, because every per-contact quantity
//! above is a forward recursion in i. The negative-binomial terms are carried in log space
//! until they become representable, since `e^{−(nμ+θ)T}` underflows for large n·T.
//! Memory is O(1) and the walk is capped at `MAX_STATES` states.
//!
//! # References
//! * R. B. Cooper, *Introduction to Queueing Theory*, 2nd ed., 1981 (Erlang B recursion, C).
//! * D. Gross, C. M. Harris, *Fundamentals of Queueing Theory*, 3rd ed., 1998 (M/M/c/K,
//!   §2.5; non-preemptive priorities, §3.4).
//! * A. Cobham, "Priority assignment in waiting line problems", *Operations Research* 2(1),
//!   1954.
//! * O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient
//!   customers", *Manufacturing & Service Operations Management* 4(3), 2002 (Erlang A).
//! * A. Mandelbaum, S. Zeltyn, "The M/M/n+G queue: summary of performance measures",
//!   Technion technical note (Erlang A waiting-time formulas).

use thiserror::Error;

/// Terms below this fraction of the running sum are dropped from the stationary law.
const TAIL_EPS: f64 = 1e-18;
/// Bound on the Erlang A walk so any input finishes in bounded time (~10^7 cheap steps).
const MAX_STATES: u64 = 20_000_000;
/// Below this, `exp` would be subnormal; negative-binomial terms stay in log space.
const LOG_TINY: f64 = -700.0;

/// Input for one queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueParams {
    /// λ, contacts per second (≥ 0).
    pub arrival_rate: f64,
    /// 1/μ, mean handle time in seconds (> 0).
    pub mean_handle: f64,
    /// n, number of agents (≥ 1).
    pub agents: u32,
    /// 1/θ, mean patience in seconds; `None` means no abandonment (Erlang C).
    pub mean_patience: Option<f64>,
    /// Service-level threshold T in seconds (≥ 0).
    pub threshold: f64,
}

/// Steady-state performance of one queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueAnswer {
    /// a = λ/μ, in Erlangs.
    pub offered_load: f64,
    /// P(an arriving contact must wait) = P(all agents busy), by PASTA.
    pub wait_probability: f64,
    /// P(answered with wait ≤ threshold); abandoned contacts count as failures.
    pub service_level: f64,
    /// Mean wait of answered contacts, seconds.
    pub asa_s: f64,
    /// Mean wait of all contacts (abandoned ones until they hang up), seconds.
    pub mean_wait_s: f64,
    /// P(abandon); 0 for Erlang C.
    pub abandon_rate: f64,
    /// Mean fraction of agents busy, λ(1 − P(abandon))/(nμ).
    pub occupancy: f64,
}

/// Why an analytic answer could not be produced.
#[derive(Debug, Error, PartialEq)]
pub enum AnalyticError {
    /// Erlang C has no steady state once the offered load reaches the number of agents.
    #[error("Erlang C is unstable: offered load {} Erlangs needs more than {agents} agents", num(*load))]
    Unstable {
        /// Offered load a = λ/μ in Erlangs.
        load: f64,
        /// Number of agents n (≤ a).
        agents: u32,
    },
    /// A parameter is NaN, infinite, zero or negative where that makes no sense.
    #[error("invalid queue parameters: {0}")]
    InvalidInput(String),
    /// The Erlang A queue is so long (tiny θ under overload) that more than this many
    /// states would be needed.
    #[error("Erlang A queue too long to evaluate (more than {0} states); patience too long for this overload")]
    TooLarge(u64),
}

fn invalid(msg: String) -> AnalyticError {
    AnalyticError::InvalidInput(msg)
}

/// Checks the fields both models share and returns (λ, μ).
fn rates(p: &QueueParams) -> Result<(f64, f64), AnalyticError> {
    let (l, h, t) = (p.arrival_rate, p.mean_handle, p.threshold);
    // (ok, the rule, the value given): the message names the field and its value, never the
    // whole parameter struct.
    let checks = [
        (
            l.is_finite() && l >= 0.0,
            "the arrival rate must be a finite number of contacts per second ≥ 0",
            num(l),
        ),
        // 1/h must be finite too: a subnormal handle time would make μ infinite.
        (
            h.is_finite() && h > 0.0 && (1.0 / h).is_finite(),
            "the mean handle time must be a finite number of seconds > 0",
            num(h),
        ),
        (
            p.agents > 0,
            "the number of agents must be at least 1",
            p.agents.to_string(),
        ),
        (
            t.is_finite() && t >= 0.0,
            "the service-level threshold must be a finite number of seconds ≥ 0",
            num(t),
        ),
    ];
    match checks.iter().find(|(ok, _, _)| !ok) {
        Some((_, rule, got)) => Err(invalid(format!("{rule}, got {got}"))),
        None => Ok((l, 1.0 / h)),
    }
}

/// θ = 1/mean_patience, which Erlang A needs to be finite and positive.
fn abandon_rate_theta(p: &QueueParams) -> Result<f64, AnalyticError> {
    match p.mean_patience {
        Some(t) if t.is_finite() && t > 0.0 && (1.0 / t).is_finite() => Ok(1.0 / t),
        Some(t) => Err(invalid(format!(
            "Erlang A needs a mean patience of a finite number of seconds > 0, got {}",
            num(t)
        ))),
        None => Err(invalid(
            "Erlang A needs a mean patience, and none was given".into(),
        )),
    }
}

/// A number as a message shows it: plain when of everyday size, else in exponent form, so
/// `1e308` is not printed with 309 digits.
fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Erlang B blocking probability for `offered_load` Erlangs on `agents` servers.
///
/// Returns NaN if `offered_load` is negative or not finite (there is no `Result` here so the
/// function stays usable in tight loops); `agents == 0` gives 1.
pub fn erlang_b(offered_load: f64, agents: u32) -> f64 {
    if !(offered_load.is_finite() && offered_load >= 0.0) {
        return f64::NAN;
    }
    let mut b = 1.0;
    for k in 1..=agents {
        b = offered_load * b / (f64::from(k) + offered_load * b);
        // Once B underflows it stays 0; stopping keeps huge `agents` cheap.
        if b == 0.0 {
            break;
        }
    }
    b
}

/// Erlang C (M/M/n) answers. `mean_patience` is ignored; use [`erlang_a`] for abandonment.
///
/// Errors: [`AnalyticError::InvalidInput`] for bad fields, [`AnalyticError::Unstable`] if a ≥ n.
pub fn erlang_c(p: &QueueParams) -> Result<QueueAnswer, AnalyticError> {
    let (lambda, mu) = rates(p)?;
    let n = f64::from(p.agents);
    let a = lambda / mu;
    if a >= n {
        return Err(AnalyticError::Unstable {
            load: a,
            agents: p.agents,
        });
    }
    let b = erlang_b(a, p.agents);
    // The denominator is ≥ n − a > 0, so this cannot divide by zero.
    let c = (n * b / (n - a * (1.0 - b))).clamp(0.0, 1.0);
    // nμ − λ written as μ(n − a): same value, one subtraction of like quantities.
    let gap = mu * (n - a);
    Ok(QueueAnswer {
        offered_load: a,
        wait_probability: c,
        service_level: 1.0 - c * (-gap * p.threshold).exp(),
        asa_s: c / gap,
        mean_wait_s: c / gap,
        abandon_rate: 0.0,
        occupancy: a / n,
    })
}

/// Erlang A (M/M/n+M) answers; needs `mean_patience = Some(p)` with finite p > 0.
///
/// Errors: [`AnalyticError::InvalidInput`] for bad fields, [`AnalyticError::TooLarge`] when
/// the queue would need more than 2·10^7 states (e.g. patience of years under overload).
pub fn erlang_a(p: &QueueParams) -> Result<QueueAnswer, AnalyticError> {
    let (lambda, mu) = rates(p)?;
    let theta = abandon_rate_theta(p)?;
    let n = u64::from(p.agents);
    let nmu = f64::from(p.agents) * mu;
    let death = |j: u64| {
        if j <= n {
            j as f64 * mu
        } else {
            nmu + (j - n) as f64 * theta
        }
    };
    // Mode = largest j with death(j) ≤ λ: ratios are ≤ 1 walking away from it either way.
    let mode = if lambda <= nmu {
        ((lambda / mu).floor() as u64).min(n)
    } else {
        let extra = ((lambda - nmu) / theta).floor();
        if extra >= MAX_STATES as f64 {
            return Err(AnalyticError::TooLarge(MAX_STATES));
        }
        n + extra as u64
    };

    // Pass 1: support, mass below n, and first non-negligible waiting state (j0, weight).
    let mut total = 1.0;
    let mut below = if mode < n { 1.0 } else { 0.0 };
    let mut first_wait = (mode >= n).then_some((mode, 1.0));
    let mut visited = 1u64;
    let mut count = || {
        visited += 1;
        if visited > MAX_STATES {
            Err(AnalyticError::TooLarge(MAX_STATES))
        } else {
            Ok(())
        }
    };
    let (mut j, mut w) = (mode, 1.0);
    while j > 0 {
        let next = w * (death(j) / lambda);
        if next < TAIL_EPS * total {
            break;
        }
        (j, w) = (j - 1, next);
        total += w;
        if j < n {
            below += w;
        } else {
            first_wait = Some((j, w));
        }
        count()?;
    }
    let (mut j, mut w) = (mode, 1.0);
    loop {
        let next = w * (lambda / death(j + 1));
        if next < TAIL_EPS * total {
            break;
        }
        (j, w) = (j + 1, next);
        total += w;
        if j < n {
            below += w;
        } else if j == n {
            first_wait = Some((n, w)); // only reachable when mode < n
        }
        count()?;
    }
    let hi = j;

    // Pass 2: waiting states j = n + i with the per-contact recursions running from i = 0.
    let (mut wait, mut served, mut aband, mut asa_sum, mut mw_sum, mut sl_sum) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    if let Some((j0, mut w)) = first_wait {
        let nb_size = nmu / theta + 1.0;
        let x = -(-theta * p.threshold).exp_m1(); // 1 − e^{−θT}, accurate for small θT
        let ln_x = x.ln();
        let mut log_q = -(nmu + theta) * p.threshold; // ln P(N = 0) = b·ln e^{−θT}
        let mut linear = log_q > LOG_TINY;
        let mut q = if linear { log_q.exp() } else { 0.0 };
        let mut cdf = 0.0;
        let (mut ps_prev, mut a_prev, mut m_prev) = (1.0, 0.0, 0.0);
        for i in 0..=(hi - n) {
            let fi = i as f64;
            let r = nmu + fi * theta;
            let go = r / (r + theta);
            let ps = nmu / (nmu + (fi + 1.0) * theta);
            let a_i = go * (ps_prev / (r + theta) + a_prev);
            let m_i = 1.0 / (r + theta) + go * m_prev;
            if i > 0 {
                let step = (nb_size + fi - 1.0) / fi;
                if linear {
                    q *= step * x;
                } else {
                    log_q += step.ln() + ln_x;
                    if log_q > LOG_TINY {
                        linear = true;
                        q = log_q.exp();
                    }
                }
            }
            cdf += q;
            if n + i >= j0 {
                wait += w;
                served += w * ps;
                // 1 − P_served(i) in closed form so tiny abandonment keeps its precision.
                aband += w * ((fi + 1.0) * theta / (nmu + (fi + 1.0) * theta));
                asa_sum += w * a_i;
                mw_sum += w * m_i;
                sl_sum += w * ps * (1.0 - cdf).max(0.0);
                w *= lambda / death(n + i + 1);
            }
            (ps_prev, a_prev, m_prev) = (ps, a_i, m_i);
        }
    }
    let total = below + wait;
    let abandon = aband / total;
    let answered = below + served;
    Ok(QueueAnswer {
        offered_load: lambda / mu,
        wait_probability: wait / total,
        service_level: ((below + sl_sum) / total).clamp(0.0, 1.0),
        asa_s: if answered > 0.0 {
            asa_sum / answered
        } else {
            0.0
        },
        mean_wait_s: mw_sum / total,
        abandon_rate: abandon,
        occupancy: (lambda * (1.0 - abandon) / nmu).min(1.0),
    })
}

/// Erlang A if `mean_patience` is `Some`, else Erlang C.
pub fn solve(p: &QueueParams) -> Result<QueueAnswer, AnalyticError> {
    match p.mean_patience {
        Some(_) => erlang_a(p),
        None => erlang_c(p),
    }
}

/// [`solve`] for `p.agents` agents who each hold up to `max_concurrent` contacts at once
/// (chat, `agent_groups[].max_concurrent`): with handle times that do not depend on how many
/// an agent holds (no `chat_slowdown`), n agents are n·k servers, so the answer is Erlang C
/// or A with n·k. Its `occupancy` is per window (busy window time / (n·k)), as the simulator
/// reports it, and an [`AnalyticError::Unstable`] counts servers. `max_concurrent` = 1 (or
/// 0) is [`solve`] itself.
pub fn solve_concurrent(
    p: &QueueParams,
    max_concurrent: u32,
) -> Result<QueueAnswer, AnalyticError> {
    let servers = p.agents.saturating_mul(max_concurrent.max(1));
    solve(&QueueParams {
        agents: servers,
        ..*p
    })
}

/// [`min_agents_for_service_level`] for agents holding up to `max_concurrent` contacts each
/// (see [`solve_concurrent`]): the fewest agents whose n·k servers meet the target. The
/// service level grows with the servers, so that is ⌈(fewest servers) / k⌉.
pub fn min_agents_for_service_level_concurrent(
    p: &QueueParams,
    target_sl: f64,
    max_concurrent: u32,
) -> Result<u32, AnalyticError> {
    let servers = min_agents_for_service_level(p, target_sl)?;
    Ok(servers.div_ceil(max_concurrent.max(1)))
}

/// Steady state of an M/M/n/K queue (`lines` = K: at most K calls waiting or in service).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinesAnswer {
    /// P(an arriving call finds every line busy) = π_K, by PASTA.
    pub blocking: f64,
    /// P(an accepted call must wait).
    pub wait_probability: f64,
    /// Mean wait of accepted calls, seconds (all are answered: no abandonment).
    pub mean_wait_s: f64,
    /// Mean fraction of agents busy, λ(1 − π_K)/(nμ).
    pub occupancy: f64,
}

/// M/M/n/K answers for `p` (`mean_patience` and `threshold` are ignored) with `lines` = K
/// lines. Stable at any load. O(K) time, O(1) memory: the law is built in log space from
/// its mode, so nothing overflows.
///
/// Errors: [`AnalyticError::InvalidInput`] for bad fields or `lines` = 0,
/// [`AnalyticError::TooLarge`] beyond 2·10^7 lines.
pub fn erlang_lines(p: &QueueParams, lines: u32) -> Result<LinesAnswer, AnalyticError> {
    let (lambda, mu) = rates(p)?;
    if lines == 0 {
        return Err(invalid("lines must be at least 1".into()));
    }
    if u64::from(lines) > MAX_STATES {
        return Err(AnalyticError::TooLarge(MAX_STATES));
    }
    let n = p.agents;
    let a = lambda / mu;
    // log w_j with w_0 = 1: w_j = w_{j−1}·a/min(j, n). First pass: the largest.
    let log_step = |j: u32| (a / f64::from(j.min(n))).ln();
    let mut lw = 0.0_f64;
    let mut top = 0.0_f64;
    for j in 1..=lines {
        lw += log_step(j);
        top = top.max(lw);
    }
    if a == 0.0 {
        return Ok(LinesAnswer {
            blocking: 0.0,
            wait_probability: 0.0,
            mean_wait_s: 0.0,
            occupancy: 0.0,
        });
    }
    let (mut total, mut waiting_mass, mut lq) = (0.0, 0.0, 0.0);
    let mut lw = 0.0_f64;
    let mut last = 0.0;
    for j in 0..=lines {
        if j > 0 {
            lw += log_step(j);
        }
        let w = (lw - top).exp();
        total += w;
        if j >= n && j < lines {
            waiting_mass += w;
        }
        if j > n {
            lq += f64::from(j - n) * w;
        }
        last = w;
    }
    let blocking = last / total;
    let accepted = 1.0 - blocking;
    Ok(LinesAnswer {
        blocking,
        wait_probability: if accepted > 0.0 {
            waiting_mass / total / accepted
        } else {
            0.0
        },
        mean_wait_s: if accepted > 0.0 {
            lq / total / (lambda * accepted)
        } else {
            0.0
        },
        occupancy: (lambda * accepted / (f64::from(n) * mu)).min(1.0),
    })
}

/// Mean waits (seconds) of priority classes sharing `agents` agents with one exponential
/// handle time of mean `mean_handle`, non-preemptive, FIFO within a class (Cobham's
/// formula for M/M/n). `arrival_rates[k]` is class k's rate per second, highest priority
/// first; the answer is in the same order.
///
/// Errors: [`AnalyticError::InvalidInput`] for bad rates, [`AnalyticError::Unstable`] when
/// the total load reaches the number of agents.
pub fn priority_waits(
    arrival_rates: &[f64],
    mean_handle: f64,
    agents: u32,
) -> Result<Vec<f64>, AnalyticError> {
    if arrival_rates.iter().any(|l| !(l.is_finite() && *l >= 0.0)) {
        return Err(invalid(format!(
            "arrival rates must be finite numbers of contacts per second ≥ 0, got {}",
            arrival_rates
                .iter()
                .map(|&l| num(l))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let total: f64 = arrival_rates.iter().sum();
    let all = erlang_c(&QueueParams {
        arrival_rate: total,
        mean_handle,
        agents,
        mean_patience: None,
        threshold: 0.0,
    })?;
    let capacity = f64::from(agents) / mean_handle;
    let base = all.wait_probability / capacity;
    let mut sigma = 0.0;
    Ok(arrival_rates
        .iter()
        .map(|l| {
            let before = sigma;
            sigma += l / capacity;
            base / ((1.0 - before) * (1.0 - sigma))
        })
        .collect())
}

/// Smallest number of agents for which [`solve`] gives `service_level >= target_sl`
/// (for Erlang C this includes being stable). `p.agents` is ignored.
///
/// `target_sl` must lie in [0, 1): no finite staffing reaches 1 exactly.
pub fn min_agents_for_service_level(p: &QueueParams, target_sl: f64) -> Result<u32, AnalyticError> {
    if !(0.0..1.0).contains(&target_sl) {
        return Err(invalid(format!(
            "the service-level target must be from 0 up to (not including) 1, got {}",
            num(target_sl)
        )));
    }
    // Reject bad fields once, so the search only meets load-dependent errors.
    let (lambda, mu) = rates(&QueueParams { agents: 1, ..*p })?;
    if p.mean_patience.is_some() {
        abandon_rate_theta(p)?;
    }
    let meets = |n: u32| match solve(&QueueParams { agents: n, ..*p }) {
        Ok(ans) => Ok(ans.service_level >= target_sl),
        // Unstable (C) or a queue millions long (A): that staffing misses any target.
        Err(AnalyticError::Unstable { .. } | AnalyticError::TooLarge(_)) => Ok(false),
        Err(e) => Err(e),
    };
    // A count known to fail: Erlang C needs n > a, and in both models SL ≤ P(answered) =
    // occupancy·n/a ≤ n/a, so any n < target·a fails. Saturating casts keep this panic-free.
    let a = lambda / mu;
    let fail = match p.mean_patience {
        None => a.floor(),
        Some(_) => ((target_sl * a).ceil() - 1.0).max(0.0),
    } as u32;
    // SL is nondecreasing in n.
    smallest_meeting(fail, meets, |n| {
        (n == u32::MAX).then(|| invalid("no agent count within u32 meets the target".into()))
    })
}

/// The smallest n > `fail` for which `meets(n)` holds, for a predicate that is monotone in n
/// (false up to some n, true from there on). Gallops up from `fail` with doubling steps until
/// it holds, then bisects: O(log n) evaluations. `give_up(n)`, asked after each failed gallop
/// step, may end the search with an error (a target that is unreachable).
pub fn smallest_meeting<E>(
    mut fail: u32,
    mut meets: impl FnMut(u32) -> Result<bool, E>,
    mut give_up: impl FnMut(u32) -> Option<E>,
) -> Result<u32, E> {
    let mut step = 1u32;
    let mut ok = loop {
        let n = fail.saturating_add(step);
        if meets(n)? {
            break n;
        }
        if let Some(e) = give_up(n) {
            return Err(e);
        }
        fail = n;
        step = step.saturating_mul(2);
    };
    while ok - fail > 1 {
        let mid = fail + (ok - fail) / 2;
        if meets(mid)? {
            ok = mid;
        } else {
            fail = mid;
        }
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(lambda: f64, handle: f64, agents: u32, patience: Option<f64>, t: f64) -> QueueParams {
        QueueParams {
            arrival_rate: lambda,
            mean_handle: handle,
            agents,
            mean_patience: patience,
            threshold: t,
        }
    }

    fn close(got: f64, want: f64, rel: f64) {
        assert!(
            (got - want).abs() <= rel * want.abs().max(1e-300),
            "got {got}, want {want}"
        );
    }

    /// Rows of whitespace-separated numbers (reference tables pasted from Python).
    fn table(text: &str) -> Vec<Vec<f64>> {
        let row = |l: &str| l.split_whitespace().map(|x| x.parse().unwrap()).collect();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(row)
            .collect()
    }

    // Python `fractions`, exact: B = (a^n/n!)/Σ_{k≤n} a^k/k! and
    // C = (a^n/n!·n/(n−a))/(Σ_{k<n} a^k/k! + a^n/n!·n/(n−a)), a = 10; no recursion involved.
    #[test]
    fn erlang_b_and_c_match_exact_sums() {
        let rows = table(
            "11 0.163232333244434  0.682118204689332
             12 0.119739188444825  0.449388224298271
             13 0.0843388626723665 0.285270453036493
             14 0.0568191433865209 0.17413193359505
             15 0.0364969454723708 0.102042367007988",
        );
        for r in rows {
            let n = r[0] as u32;
            close(erlang_b(10.0, n), r[1], 1e-13);
            let ans = erlang_c(&q(10.0 / 180.0, 180.0, n, None, 20.0)).unwrap();
            close(ans.wait_probability, r[2], 1e-13);
        }
        close(erlang_b(100.0, 100), 0.075700452710861, 1e-12);
        assert_eq!(erlang_b(0.0, 5), 0.0);
        assert_eq!(erlang_b(3.0, 0), 1.0);
    }

    // The classic "100 calls per 30 min, 180 s handle, 80% in 20 s" example: a = 10 Erlangs,
    // 14 agents. Figures: exact C (above) then SL = 1 − C·e^{−(n−a)T/h}, ASA = C·h/(n−a).
    #[test]
    fn erlang_c_service_level_example_and_staffing() {
        let p = q(100.0 / 1800.0, 180.0, 14, None, 20.0);
        let ans = erlang_c(&p).unwrap();
        close(ans.service_level, 0.8883500191794669, 1e-13);
        close(ans.asa_s, 7.835937011777243, 1e-13);
        close(ans.occupancy, 10.0 / 14.0, 1e-13);
        let thirteen = erlang_c(&QueueParams { agents: 13, ..p }).unwrap();
        close(thirteen.service_level, 0.7955947884177831, 1e-13);
        assert_eq!(min_agents_for_service_level(&p, 0.8), Ok(14));
        assert_eq!(solve(&p), Ok(ans));
    }

    // Independent Python + mpmath computation: π_j from the product form a^j/j!·Π λ/(nμ+kθ)
    // at 50 digits, truncated at 1e-30; per-contact quantities by uniformization of the tagged
    // contact's absorbing chain (rate Λ = max r_i + θ): SL from Poisson(ΛT)-weighted step
    // probabilities, A_i and m_i as Σ_k (…)/Λ over steps. No recursion or formula shared.
    #[test]
    fn erlang_a_matches_uniformization_reference() {
        // λ h n patience T | wait SL ASA mean_wait abandon occupancy. The last row has its mode
        // ~1200 places into the queue and e^{−nμT} underflowing (log-space path).
        let rows = table(
            "0.5 180 88 120 20 0.5412578553395375 0.8319652568990974 6.794288469084795 7.000381605293047 0.05833651337744204 0.9630649295003434
             0.05555555555555555 180 11 300 20 0.4597748418284084 0.6568732036646587 19.603253238339178 20.983588818946966 0.06994529606315658 0.8455042763062213
             0.5 180 95 600 15 0.3897353727112393 0.807580674516374 6.973523363480957 7.076911062595949 0.011794851770993259 0.9361943509537959
             22 100 2000 600 60 1.0 0.6347919320240345 57.16110822981699 54.54545454545683 0.09090909090909081 1.0",
        );
        for r in rows {
            let a = erlang_a(&q(r[0], r[1], r[2] as u32, Some(r[3]), r[4])).unwrap();
            let got = [a.wait_probability, a.service_level, a.asa_s, a.mean_wait_s];
            let more = [a.abandon_rate, a.occupancy];
            for (g, w) in got.into_iter().chain(more).zip(&r[5..]) {
                close(g, *w, 1e-10);
            }
        }
        let low = erlang_a(&q(22.0, 100.0, 2000, Some(600.0), 40.0)).unwrap();
        close(low.service_level, 0.0007504590735462314, 1e-9);
    }

    // θ = μ turns the chain into M/M/∞: the number present is Poisson(a), so P(wait) =
    // P(N ≥ n) and, by Little on the queue, P(abandon) = θ·E[(N−n)⁺]/λ = E[(N−n)⁺]/a.
    #[test]
    fn erlang_a_with_patience_equal_to_handle_is_poisson() {
        let (a, n) = (20.0_f64, 18u32);
        let (mut pmf, mut tail, mut excess) = ((-a).exp(), 0.0, 0.0);
        for j in 0..200u32 {
            if j >= n {
                tail += pmf;
                excess += f64::from(j - n) * pmf;
            }
            pmf *= a / f64::from(j + 1);
        }
        let ans = erlang_a(&q(a / 180.0, 180.0, n, Some(180.0), 20.0)).unwrap();
        close(ans.wait_probability, tail, 1e-12);
        close(ans.abandon_rate, excess / a, 1e-12);
    }

    #[test]
    fn erlang_a_identities_and_limits() {
        let cases = [
            (0.5, 88, 120.0),
            (0.5, 95, 600.0),
            (3.0, 500, 45.0),
            (0.01, 3, 30.0),
        ];
        for (l, n, pat) in cases {
            let p = q(l, 180.0, n, Some(pat), 20.0);
            let a = erlang_a(&p).unwrap();
            // Little on the queue: E[queue] = λ·mean_wait and abandonments = θ·E[queue].
            close(a.abandon_rate, a.mean_wait_s / pat, 1e-12);
            // T = 0: answered within 0 s means not waiting; T → ∞: every answered contact.
            let t0 = erlang_a(&q(l, 180.0, n, Some(pat), 0.0)).unwrap();
            close(t0.service_level, 1.0 - a.wait_probability, 1e-12);
            let inf = erlang_a(&q(l, 180.0, n, Some(pat), 1e9)).unwrap();
            close(inf.service_level, 1.0 - a.abandon_rate, 1e-12);
        }
        // θ → 0 with a < n approaches Erlang C (relative gaps ~1e-6 at θ = 1e-9).
        let c = erlang_c(&q(0.5, 180.0, 95, None, 20.0)).unwrap();
        let a = erlang_a(&q(0.5, 180.0, 95, Some(1e9), 20.0)).unwrap();
        close(a.wait_probability, c.wait_probability, 1e-5); // gaps shrink linearly in θ
        close(a.service_level, c.service_level, 1e-5);
        close(a.asa_s, c.asa_s, 1e-5);
        assert!(a.abandon_rate < 1e-7);
    }

    #[test]
    fn large_systems_are_finite_and_fast() {
        for n in [1000u32, 5000] {
            let h = 300.0;
            for (load, patience) in [(0.95, None), (1.05, Some(180.0))] {
                let start = std::time::Instant::now();
                let a = solve(&q(load * f64::from(n) / h, h, n, patience, 20.0)).unwrap();
                assert!(
                    start.elapsed().as_millis() < 50,
                    "n={n} took {:?}",
                    start.elapsed()
                );
                let probabilities = [a.wait_probability, a.service_level, a.abandon_rate];
                for v in probabilities.into_iter().chain([a.occupancy]) {
                    assert!((0.0..=1.0).contains(&v), "{a:?}");
                }
                assert!(a.asa_s.is_finite() && a.mean_wait_s.is_finite() && a.asa_s >= 0.0);
            }
        }
    }

    #[test]
    fn invalid_input_is_an_error_not_a_panic() {
        let good = q(0.5, 180.0, 100, Some(120.0), 20.0);
        let set = |f: &dyn Fn(&mut QueueParams)| {
            let mut p = good;
            f(&mut p);
            p
        };
        let bad = [
            set(&|p| p.arrival_rate = f64::NAN),
            set(&|p| p.arrival_rate = -1.0),
            set(&|p| p.arrival_rate = f64::INFINITY),
            set(&|p| p.mean_handle = 0.0),
            set(&|p| p.mean_handle = -5.0),
            set(&|p| p.mean_handle = 1e-320),
            set(&|p| p.agents = 0),
            set(&|p| p.threshold = -1.0),
            set(&|p| p.threshold = f64::NAN),
        ];
        for p in bad {
            assert!(
                matches!(erlang_c(&p), Err(AnalyticError::InvalidInput(_))),
                "{p:?}"
            );
            assert!(
                matches!(erlang_a(&p), Err(AnalyticError::InvalidInput(_))),
                "{p:?}"
            );
            // The search ignores `agents`, so only the other fields must make it fail.
            assert!(p.agents == 0 || min_agents_for_service_level(&p, 0.8).is_err());
        }
        let patience = [
            None,
            Some(0.0),
            Some(-3.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
        ];
        for pat in patience {
            let p = set(&|p| p.mean_patience = pat);
            assert!(
                matches!(erlang_a(&p), Err(AnalyticError::InvalidInput(_))),
                "{p:?}"
            );
        }
        for n in [90, 89] {
            let e = erlang_c(&QueueParams { agents: n, ..good }).unwrap_err();
            assert!(matches!(e, AnalyticError::Unstable { agents, .. } if agents == n));
        }
        for t in [f64::NAN, 1.0, -0.1] {
            assert!(min_agents_for_service_level(&good, t).is_err());
        }
        assert!(erlang_b(f64::NAN, 3).is_nan() && erlang_b(-1.0, 3).is_nan());
        // Patience of decades under overload: refused, not looped on.
        let huge = set(&|p| *p = q(1.0, 180.0, 100, Some(1e9), 20.0));
        assert_eq!(erlang_a(&huge), Err(AnalyticError::TooLarge(MAX_STATES)));
    }

    #[test]
    fn chat_agents_are_n_times_k_servers() {
        // The chat validation scenario: λ = 192/h, E[S] = 6 m, 8 agents × 3 chats = M/M/24.
        let p = q(192.0 / 3600.0, 360.0, 8, None, 20.0);
        let chat = solve_concurrent(&p, 3).unwrap();
        assert_eq!(chat, solve(&QueueParams { agents: 24, ..p }).unwrap());
        assert!((chat.occupancy - 19.2 / 24.0).abs() < 1e-12);
        // 8 voice agents could not carry 19.2 Erlangs at all.
        assert!(solve_concurrent(&p, 1).is_err());
        assert_eq!(solve_concurrent(&p, 0), solve_concurrent(&p, 1));
        // Fewest agents for a target: the fewest whose n·k servers meet it (24 servers, 8
        // agents of 3 chats, for 80% in 20 s), so one fewer misses it.
        assert_eq!(min_agents_for_service_level(&p, 0.8).unwrap(), 24);
        for target in [0.3, 0.5, 0.8, 0.95] {
            let n = min_agents_for_service_level_concurrent(&p, target, 3).unwrap();
            let sl = |n: u32| {
                solve_concurrent(&QueueParams { agents: n, ..p }, 3)
                    .map_or(0.0, |a| a.service_level)
            };
            assert!(sl(n) >= target && sl(n - 1) < target, "{target}: {n}");
            let servers = min_agents_for_service_level(&p, target).unwrap();
            assert_eq!(n, servers.div_ceil(3));
        }
        let a = q(192.0 / 3600.0, 360.0, 7, Some(120.0), 20.0);
        assert_eq!(
            solve_concurrent(&a, 3).unwrap(),
            solve(&QueueParams { agents: 21, ..a }).unwrap()
        );
    }

    #[test]
    fn zero_arrivals_give_an_idle_queue() {
        for pat in [None, Some(60.0)] {
            let a = solve(&q(0.0, 180.0, 3, pat, 20.0)).unwrap();
            assert_eq!(
                (a.wait_probability, a.service_level, a.asa_s),
                (0.0, 1.0, 0.0)
            );
            assert_eq!((a.abandon_rate, a.occupancy), (0.0, 0.0));
        }
    }

    #[test]
    fn staffing_search_is_minimal_for_erlang_a() {
        let p = q(0.5, 180.0, 1, Some(120.0), 20.0);
        let n = min_agents_for_service_level(&p, 0.8).unwrap();
        let sl = |k: u32| {
            erlang_a(&q(0.5, 180.0, k, Some(120.0), 20.0))
                .unwrap()
                .service_level
        };
        assert!(sl(n) >= 0.8 && sl(n - 1) < 0.8, "n = {n}");
        // Abandonment relieves the queue, so Erlang A never needs more than Erlang C.
        let c = min_agents_for_service_level(&q(0.5, 180.0, 1, None, 20.0), 0.8);
        assert!(n <= c.unwrap());
        // Patience of centuries: the overloaded counts are refused as too large (= target
        // missed), and the answer is Erlang C's 14 agents from the classic example.
        let long = q(100.0 / 1800.0, 180.0, 1, Some(1e10), 20.0);
        assert_eq!(min_agents_for_service_level(&long, 0.8), Ok(14));
    }

    /// M/M/1/K against its closed form, K = n against Erlang B, a hand-solved M/M/2/4 and a
    /// long line against Erlang C.
    #[test]
    fn lines_match_textbook_values() {
        // M/M/1/K: π_K = (1 − ρ)ρ^K / (1 − ρ^{K+1}); ρ = 0.5, K = 3 → 1/15.
        let one = erlang_lines(&q(0.5, 1.0, 1, None, 0.0), 3).unwrap();
        close(one.blocking, 1.0 / 15.0, 1e-12);
        // L = Σ j π_j = (0·8 + 1·4 + 2·2 + 3·1)/15 = 11/15, Lq = L − (1 − π_0) = 11/15 − 7/15.
        close(one.mean_wait_s, (4.0 / 15.0) / (0.5 * 14.0 / 15.0), 1e-12);
        // K = n: Erlang B, nobody waits.
        let b = erlang_lines(&q(5.0, 1.0, 10, None, 0.0), 10).unwrap();
        close(b.blocking, erlang_b(5.0, 10), 1e-12);
        close(b.blocking, 0.018_384_6, 1e-5);
        assert_eq!(b.mean_wait_s, 0.0);
        assert_eq!(b.wait_probability, 0.0);
        // M/M/2/4, a = 2: weights 1, 2, 2, 2, 2 → π_4 = 2/9, Lq = 6/9, λ_eff = 14/9.
        let two = erlang_lines(&q(2.0, 1.0, 2, None, 0.0), 4).unwrap();
        close(two.blocking, 2.0 / 9.0, 1e-12);
        close(two.mean_wait_s, 3.0 / 7.0, 1e-12);
        close(two.wait_probability, (4.0 / 9.0) / (7.0 / 9.0), 1e-12);
        close(two.occupancy, 7.0 / 9.0, 1e-12);
        // Many lines: Erlang C.
        let p = q(0.8, 1.0, 1, None, 0.0);
        let c = erlang_c(&p).unwrap();
        let long = erlang_lines(&p, 2000).unwrap();
        assert!(long.blocking < 1e-150);
        close(long.mean_wait_s, c.asa_s, 1e-9);
        close(long.wait_probability, c.wait_probability, 1e-9);
        // Overload is fine with lines, and a huge load does not overflow.
        let over = erlang_lines(&q(1000.0, 1.0, 20, None, 0.0), 100_000).unwrap();
        assert!(over.blocking > 0.97 && over.blocking < 1.0, "{over:?}");
        assert!(erlang_lines(&p, 0).is_err());
    }

    /// Cobham: M/M/1 with two classes of ρ 0.25 each → 2/3 and 4/3 (Gross & Harris); the
    /// λ-weighted mean of the class waits is the Erlang C wait (work conservation).
    #[test]
    fn priority_waits_match_cobham() {
        let w = priority_waits(&[0.25, 0.25], 1.0, 1).unwrap();
        close(w[0], 2.0 / 3.0, 1e-12);
        close(w[1], 4.0 / 3.0, 1e-12);
        let rates = [20.0 / 3600.0, 90.0 / 3600.0, 130.0 / 3600.0];
        let w = priority_waits(&rates, 240.0, 20).unwrap();
        let total: f64 = rates.iter().sum();
        let mean = rates.iter().zip(&w).map(|(l, w)| l * w).sum::<f64>() / total;
        let c = erlang_c(&q(total, 240.0, 20, None, 0.0)).unwrap();
        close(mean, c.asa_s, 1e-12);
        assert!(w[0] < w[1] && w[1] < w[2]);
        assert!(matches!(
            priority_waits(&[1.0, 1.0], 1.0, 2),
            Err(AnalyticError::Unstable { .. })
        ));
        assert!(priority_waits(&[f64::NAN], 1.0, 2).is_err());
    }
}
