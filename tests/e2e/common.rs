//! Helpers shared by the end-to-end tests: running the `ccsim` binary, reading its JSON report,
//! comparing estimates with closed forms, and an independent implementation of the closed forms
//! (Erlang B/C, the M/M/n+M birth–death chain, Pollaczek–Khinchine). Nothing here uses the
//! crate's own `analytic` module: the point of the validation tests is independence.

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// A `Command` for the binary under test.
pub fn ccsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
}

/// Absolute path of a file in the repository (`scenarios/…`, `tests/fixtures/…`).
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Absolute path of a file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    assert!(p.exists(), "fixture {} is missing", p.display());
    p
}

/// Every `*.toml` directly inside `tests/fixtures/<dir>`, sorted.
pub fn fixtures_in(dir: &str) -> Vec<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

/// The outcome of one invocation, with everything needed to explain a failure.
pub struct Run {
    pub cmdline: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub secs: f64,
}

impl Run {
    /// A multi-line description for assertion messages (stdout/stderr trimmed to a sane size).
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nexit code: {:?}  ({:.2} s)\n--- stderr ---\n{}\n--- stdout (first 2000 chars) ---\n{}",
            self.cmdline,
            self.code,
            self.secs,
            self.stderr.trim_end(),
            self.stdout.chars().take(2000).collect::<String>()
        )
    }

    /// Panics unless the command succeeded without any panic text.
    pub fn assert_ok(&self) -> &Self {
        assert_no_panic(self);
        assert_eq!(self.code, Some(0), "expected success\n{}", self.describe());
        self
    }

    /// The stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not valid JSON ({e})\n{}", self.describe()))
    }
}

/// No single invocation may take longer than this (a hung engine fails instead of hanging CI).
pub const TIMEOUT_S: f64 = 300.0;

/// Runs `ccsim` with `args` and captures everything; kills it and panics after [`TIMEOUT_S`].
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let cmdline = std::iter::once("ccsim".to_string())
        .chain(
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let start = Instant::now();
    let mut child = ccsim()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmdline}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let status = loop {
        if let Some(st) = child.try_wait().expect("waiting for ccsim") {
            break st;
        }
        if start.elapsed().as_secs_f64() > TIMEOUT_S {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmdline}: still running after {TIMEOUT_S} s, killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let secs = start.elapsed().as_secs_f64();
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    Run {
        cmdline,
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        secs,
    }
}

/// Panics if the binary printed Rust panic text.
pub fn assert_no_panic(r: &Run) {
    assert!(
        !r.stderr.contains("panicked") && !r.stdout.contains("panicked"),
        "the binary panicked\n{}",
        r.describe()
    );
}

/// A scenario text written to `<name>.toml` in a directory of its own, removed (with the
/// file) when this is dropped: error messages name the file, so tests can look for the name.
pub struct ScenarioFile {
    _dir: tempfile::TempDir,
    /// The file.
    pub path: PathBuf,
}

impl ScenarioFile {
    /// The file's path as a command-line argument.
    pub fn arg(&self) -> &str {
        self.path.to_str().expect("utf-8 temp path")
    }
}

/// Writes `text` to `<name>.toml` in a fresh temporary directory.
pub fn scenario_file(name: &str, text: &str) -> ScenarioFile {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{name}.toml"));
    std::fs::write(&path, text).expect("write scenario");
    ScenarioFile { _dir: dir, path }
}

/// Runs a scenario text ([`run_json`] with `extra`) and returns its JSON report.
pub fn run_text(text: &str, extra: &[&str]) -> Value {
    let f = scenario_file("scenario", text);
    run_json(&[&f.path], extra).0
}

/// `ccsim run FILES… --format json --threads 2 --quiet EXTRA…`, asserting success; returns the
/// parsed report (an object for one file, an array for several) and the run for messages.
pub fn run_json(files: &[&Path], extra: &[&str]) -> (Value, Run) {
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(
        ["--format", "json", "--threads", "2", "--quiet"]
            .iter()
            .map(|s| s.to_string()),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run(&args);
    r.assert_ok();
    let v = r.json();
    eprintln!("[e2e] {} took {:.2} s", r.cmdline, r.secs);
    (v, r)
}

// ---------------------------------------------------------------------------------------------
// Reading the report
// ---------------------------------------------------------------------------------------------

/// One metric estimate: mean and Student-t 95% interval over replications.
#[derive(Debug, Clone, Copy)]
pub struct Est {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

impl std::fmt::Display for Est {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.6} [{:.6}, {:.6}]", self.mean, self.lo, self.hi)
    }
}

/// A metric out of a scope object: `None` when it is `null` (undefined in every replication);
/// panics when it is missing or malformed.
pub fn metric(scope: &Value, name: &str, where_: &str) -> Option<Est> {
    let v = scope
        .get(name)
        .unwrap_or_else(|| panic!("{where_}: metric `{name}` is missing; scope = {scope}"));
    if v.is_null() {
        return None;
    }
    let mean = v["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("{where_}.{name}: `mean` is not a number: {v}"));
    let ci = v["ci95"]
        .as_array()
        .unwrap_or_else(|| panic!("{where_}.{name}: `ci95` is not an array: {v}"));
    assert_eq!(
        ci.len(),
        2,
        "{where_}.{name}: ci95 must have 2 entries: {v}"
    );
    let num = |x: &Value| {
        x.as_f64()
            .unwrap_or_else(|| panic!("{where_}.{name}: ci95 bound is not a number: {v}"))
    };
    Some(Est {
        mean,
        lo: num(&ci[0]),
        hi: num(&ci[1]),
    })
}

/// Like [`metric`] but the metric must be defined.
pub fn defined(scope: &Value, name: &str, where_: &str) -> Est {
    metric(scope, name, where_)
        .unwrap_or_else(|| panic!("{where_}.{name} is null but should be defined"))
}

/// `report.call_types.<name>`.
pub fn call_type<'a>(report: &'a Value, name: &str) -> &'a Value {
    let v = &report["call_types"][name];
    assert!(
        v.is_object(),
        "call_types.{name} missing; call_types = {}",
        report["call_types"]
    );
    v
}

/// `report.agent_groups.<name>`.
pub fn agent_group<'a>(report: &'a Value, name: &str) -> &'a Value {
    let v = &report["agent_groups"][name];
    assert!(
        v.is_object(),
        "agent_groups.{name} missing; agent_groups = {}",
        report["agent_groups"]
    );
    v
}

/// Every scope that carries the contact metrics, with a readable label:
/// `metrics`, `call_types.<name>`, `intervals[k]`.
pub fn contact_scopes(report: &Value) -> Vec<(String, &Value)> {
    let mut v = vec![("metrics".to_string(), &report["metrics"])];
    let cts = report["call_types"]
        .as_object()
        .expect("call_types must be an object");
    for (name, scope) in cts {
        v.push((format!("call_types.{name}"), scope));
    }
    let ivs = report["intervals"]
        .as_array()
        .expect("intervals must be an array");
    for (k, iv) in ivs.iter().enumerate() {
        v.push((format!("intervals[{k}]"), &iv["metrics"]));
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Comparing with closed forms
// ---------------------------------------------------------------------------------------------

/// Collects comparison failures so one test reports all its figures at once.
#[derive(Default)]
pub struct Checks {
    lines: Vec<String>,
    failed: usize,
}

impl Checks {
    /// The analytic value must lie inside the simulated ci95 and within `rel_tol` (relative) of
    /// the simulated mean.
    pub fn against(&mut self, label: &str, sim: Est, analytic: f64, rel_tol: f64) {
        let rel = (sim.mean - analytic).abs() / analytic.abs();
        let in_ci = sim.lo <= analytic && analytic <= sim.hi;
        let ok = in_ci && rel <= rel_tol;
        if !ok {
            self.failed += 1;
        }
        self.lines.push(format!(
            "{} {label}: simulated {sim}, analytic {analytic:.6}, rel. diff {:.4}% (tol {:.2}%), {}",
            if ok { "ok  " } else { "FAIL" },
            100.0 * rel,
            100.0 * rel_tol,
            if in_ci { "inside ci95" } else { "OUTSIDE ci95" }
        ));
    }

    /// Only the relative tolerance (for checks where the CI is not the criterion).
    pub fn within(&mut self, label: &str, sim: f64, expected: f64, rel_tol: f64) {
        let rel = (sim - expected).abs() / expected.abs();
        let ok = rel <= rel_tol;
        if !ok {
            self.failed += 1;
        }
        self.lines.push(format!(
            "{} {label}: got {sim:.6}, expected {expected:.6}, rel. diff {:.4}% (tol {:.4}%)",
            if ok { "ok  " } else { "FAIL" },
            100.0 * rel,
            100.0 * rel_tol
        ));
    }

    /// Prints every line and panics if any check failed.
    pub fn finish(self, title: &str) {
        let text = self.lines.join("\n");
        eprintln!("[e2e] {title}\n{text}");
        assert!(
            self.failed == 0,
            "{title}: {} check(s) failed\n{text}",
            self.failed
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Independent closed forms
// ---------------------------------------------------------------------------------------------

/// Erlang B blocking probability for `n` servers and offered load `a` Erlangs (stable recursion).
pub fn erlang_b(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C probability of waiting for `n` servers and load `a < n`.
pub fn erlang_c(n: u32, a: f64) -> f64 {
    assert!(a < f64::from(n), "Erlang C needs a < n (a = {a}, n = {n})");
    let b = erlang_b(n, a);
    let rho = a / f64::from(n);
    b / (1.0 - rho * (1.0 - b))
}

/// Steady-state answers of M/M/n (Erlang C).
#[derive(Debug, Clone, Copy)]
pub struct MmN {
    pub wait_probability: f64,
    pub asa_s: f64,
    pub service_level: f64,
    pub occupancy: f64,
}

/// M/M/n with arrival rate `lambda` per second, mean handle `mean_s`, `n` agents, SL threshold `t`.
pub fn mmn(lambda: f64, mean_s: f64, n: u32, t: f64) -> MmN {
    let a = lambda * mean_s;
    let c = erlang_c(n, a);
    let gap = f64::from(n) / mean_s - lambda; // n·mu − lambda
    MmN {
        wait_probability: c,
        asa_s: c / gap,
        service_level: 1.0 - c * (-gap * t).exp(),
        occupancy: a / f64::from(n),
    }
}

/// Steady-state answers of M/M/n+M (Erlang A).
#[derive(Debug, Clone, Copy)]
pub struct MmnM {
    pub wait_probability: f64,
    pub abandon_rate: f64,
    pub service_level: f64,
    pub mean_wait_s: f64,
    pub occupancy: f64,
}

/// M/M/n+M from the truncated birth–death chain: arrival rate `lambda` per second, mean handle
/// `mean_s`, mean (exponential) patience `patience_s`, `n` agents, SL threshold `t` seconds.
///
/// * `P(wait)` = P(N ≥ n) (PASTA).
/// * abandon rate = θ·E[queue] / λ; mean wait of all offered = E[queue] / λ (Little).
/// * service level: an arrival finding `k` waiting is answered by `t` iff the `k + 1` advances of
///   the queue ahead of it (rates n·μ + jθ, j = k…0) finish before `t` and before its own
///   patience. `u_j(t)` = P(answered by t | j ahead) solves the backward equations
///   `u_j' = r_j (u_{j−1} − u_j) − θ u_j`, `u_{−1} ≡ 1`, `u_j(0) = 0`, integrated here with
///   classical RK4.
pub fn mmn_m(lambda: f64, mean_s: f64, patience_s: f64, n: u32, t: f64) -> MmnM {
    let mu = 1.0 / mean_s;
    let theta = if patience_s.is_finite() {
        1.0 / patience_s
    } else {
        0.0
    };
    let nf = f64::from(n);
    // Unnormalised stationary probabilities p[m], m = 0, 1, …; stop when the tail is negligible.
    let mut p = vec![1.0_f64];
    let mut sum = 1.0;
    let mut m = 0usize;
    loop {
        m += 1;
        let mf = m as f64;
        let death = mf.min(nf) * mu + (mf - nf).max(0.0) * theta;
        let next = p[m - 1] * lambda / death;
        p.push(next);
        sum += next;
        if m > n as usize + 10 && next < 1e-17 * sum {
            break;
        }
        assert!(m < 1_000_000, "birth–death chain does not converge");
    }
    for x in &mut p {
        *x /= sum;
    }
    let n_us = n as usize;
    let queue: &[f64] = &p[n_us..]; // queue[k] = P(N = n + k)
    let wait_probability: f64 = queue.iter().sum();
    let mean_queue: f64 = queue.iter().enumerate().map(|(k, q)| k as f64 * q).sum();
    let busy: f64 = p
        .iter()
        .enumerate()
        .map(|(m, q)| (m as f64).min(nf) * q)
        .sum();

    // Backward equations for u_j, j = 0..K.
    let kmax = queue.len();
    let rate: Vec<f64> = (0..kmax).map(|j| nf * mu + j as f64 * theta).collect();
    let deriv = |u: &[f64], out: &mut [f64]| {
        for j in 0..u.len() {
            let prev = if j == 0 { 1.0 } else { u[j - 1] };
            out[j] = rate[j] * (prev - u[j]) - theta * u[j];
        }
    };
    let steps = {
        let stiff = rate.last().copied().unwrap_or(nf * mu) + theta;
        ((t * stiff / 0.02).ceil() as usize).max(2000)
    };
    let h = t / steps as f64;
    let mut u = vec![0.0; kmax];
    let (mut k1, mut k2, mut k3, mut k4) = (
        vec![0.0; kmax],
        vec![0.0; kmax],
        vec![0.0; kmax],
        vec![0.0; kmax],
    );
    let mut tmp = vec![0.0; kmax];
    for _ in 0..steps {
        deriv(&u, &mut k1);
        for j in 0..kmax {
            tmp[j] = u[j] + 0.5 * h * k1[j];
        }
        deriv(&tmp, &mut k2);
        for j in 0..kmax {
            tmp[j] = u[j] + 0.5 * h * k2[j];
        }
        deriv(&tmp, &mut k3);
        for j in 0..kmax {
            tmp[j] = u[j] + h * k3[j];
        }
        deriv(&tmp, &mut k4);
        for j in 0..kmax {
            u[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
        }
    }
    let served_at_once: f64 = p[..n_us].iter().sum();
    let service_level = served_at_once + queue.iter().zip(&u).map(|(q, uk)| q * uk).sum::<f64>();
    MmnM {
        wait_probability,
        abandon_rate: theta * mean_queue / lambda,
        service_level,
        mean_wait_s: mean_queue / lambda,
        occupancy: busy / nf,
    }
}

/// M/G/1 (Pollaczek–Khinchine): mean wait in queue for arrival rate `lambda` per second and
/// service moments `es` = E[S], `es2` = E[S²].
pub fn pk_mean_wait(lambda: f64, es: f64, es2: f64) -> f64 {
    let rho = lambda * es;
    assert!(rho < 1.0);
    lambda * es2 / (2.0 * (1.0 - rho))
}

/// M/D/1 waiting-time distribution (Erlang's formula):
/// P(W ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k / k! · e^{−λ(kD − t)}.
pub fn md1_wait_cdf(lambda: f64, d: f64, t: f64) -> f64 {
    let rho = lambda * d;
    let kmax = (t / d).floor() as u32;
    let mut s = 0.0;
    let mut fact = 1.0;
    for k in 0..=kmax {
        if k > 0 {
            fact *= f64::from(k);
        }
        let x = lambda * (f64::from(k) * d - t);
        s += x.powi(k as i32) / fact * (-x).exp();
    }
    (1.0 - rho) * s
}

/// Peak resident memory of a `ccsim` run in MB, read from /proc while it runs (Linux); the
/// run must exit 0.
pub fn peak_rss_mb(args: &[&str]) -> f64 {
    let mut cmd = ccsim();
    cmd.args(args);
    let m = measure_rss(cmd, f64::INFINITY, Duration::from_secs(300));
    assert_eq!(m.code, Some(0), "{args:?}: {}", m.stderr);
    m.peak_mb
}

/// What [`measure_rss`] saw of a process.
pub struct Measured {
    /// Its exit code (`None`: ended by a signal).
    pub code: Option<i32>,
    /// Its peak resident memory (VmHWM), MB of 2^20 bytes.
    pub peak_mb: f64,
    /// What it wrote to stderr.
    pub stderr: String,
}

/// Runs `cmd` (stdout discarded), reading its peak resident memory from /proc while it runs
/// (Linux); kills it and fails the test once that passes `give_up_mb` or `timeout` passes.
pub fn measure_rss(mut cmd: Command, give_up_mb: f64, timeout: Duration) -> Measured {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0.0f64;
    let deadline = Instant::now() + timeout;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st.code();
        }
        if Instant::now() >= deadline || peak_kb / 1024.0 > give_up_mb {
            let _ = child.kill();
            panic!(
                "{cmd:?} not done: {peak_kb} kB, deadline passed: {}",
                Instant::now() >= deadline
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    Measured {
        code,
        peak_mb: peak_kb / 1024.0,
        stderr,
    }
}

/// Runs the scenario file `path` with `seed` and counts its intervals whose mean service level
/// is at least `target` (an interval without contacts counts as held): (held, intervals). The
/// fresh-seed check of a staffed or rostered scenario.
pub fn service_level_held_on_seed(path: &str, seed: &str, target: f64) -> (usize, usize) {
    let r = run(&["run", path, "--seed", seed, "--quiet", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let intervals = report["intervals"].as_array().unwrap();
    let held = intervals
        .iter()
        .filter(|i| {
            i["metrics"]["service_level"]["mean"]
                .as_f64()
                .is_none_or(|sl| sl >= target)
        })
        .count();
    (held, intervals.len())
}
