//! The one parallel runner behind `run`, `compare`, `sweep` and `staff`: a flat list of jobs
//! computed by a fixed rayon pool and consumed **in job order**, so every reduction (and so
//! every output byte) is the same at any thread count.
//!
//! Workers take jobs from one counter; finished results wait in a reorder window until all
//! earlier jobs are consumed. A worker never starts a job more than `window` ahead of the
//! first unconsumed one, so at most `window` results exist at once: memory is bounded by
//! `window × (one job's result)`, whatever the number of jobs. The consumer runs on whichever
//! worker completes the next job in order (one at a time, under a lock), so no thread idles
//! waiting to reduce.
//!
//! Cancellation: once the [`Cancel`] flag is set, no new job starts; jobs in hand finish and
//! are consumed if all earlier ones were, and the run reports how far it got.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

/// A shared stop flag: set it (from a signal handler, say) and runs stop taking new jobs.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A `Cancel` sharing an existing flag (e.g. the one a signal handler sets).
    pub fn from_flag(flag: Arc<AtomicBool>) -> Cancel {
        Cancel(flag)
    }

    /// Asks every run using this flag to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How far an ordered run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// Jobs consumed (always a prefix of the job list).
    pub consumed: usize,
    /// Jobs in the run.
    pub total: usize,
}

impl Completion {
    /// Stopped before every job was consumed.
    pub fn interrupted(&self) -> bool {
        self.consumed < self.total
    }
}

/// A command's worker pool, built on first use and then shared by every [`Runner`] made
/// from it (clones share it too): a command that runs several batches — a staffing search's
/// rounds, a comparison's assumption ranges, a roster after its search — starts its threads
/// once, not once per batch.
///
/// Batches run one after another, never one inside another: a job running on the pool must
/// not start a batch on the same pool, whose ordered hand-over waits for workers that are
/// busy with the job itself (no command does; a nested search would need its own pool).
#[derive(Clone, Default)]
pub struct SharedPool(Arc<OnceLock<Arc<rayon::ThreadPool>>>);

impl SharedPool {
    /// The pool, built with `threads` workers (`None`: one per core) on the first call; later
    /// calls return the same pool whatever `threads` they pass.
    pub fn get(
        &self,
        threads: Option<usize>,
    ) -> Result<Arc<rayon::ThreadPool>, rayon::ThreadPoolBuildError> {
        if let Some(pool) = self.0.get() {
            return Ok(Arc::clone(pool));
        }
        let pool = Arc::new(build_pool(threads)?);
        // Two threads racing to build: the first one's pool wins, the other is dropped.
        Ok(Arc::clone(self.0.get_or_init(|| pool)))
    }
}

impl std::fmt::Debug for SharedPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let threads = self.0.get().map(|p| p.current_num_threads());
        f.debug_tuple("SharedPool").field(&threads).finish()
    }
}

fn build_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build()
}

/// A rayon pool, plus the cancellation flag and progress preference, shared by every batch
/// of a command (the staffing search runs hundreds of batches on one pool; see
/// [`SharedPool`]).
pub struct Runner {
    pool: Arc<rayon::ThreadPool>,
    progress: bool,
    cancel: Cancel,
    window: usize,
}

struct State<T> {
    /// Next job to hand out.
    next: usize,
    /// First job not yet consumed; `ready[i]` holds job `first + i` once it finished.
    first: usize,
    ready: VecDeque<Option<T>>,
    /// A worker is running the consumer.
    draining: bool,
    /// No new jobs: cancelled, or the consumer failed.
    stop: bool,
}

impl Runner {
    /// A pool of `threads` workers (`None`: one per core).
    pub fn new(
        threads: Option<usize>,
        progress: bool,
        cancel: Cancel,
    ) -> Result<Runner, rayon::ThreadPoolBuildError> {
        Ok(Runner::on_pool(
            Arc::new(build_pool(threads)?),
            progress,
            cancel,
        ))
    }

    /// A runner on an existing pool (see [`SharedPool`]).
    pub fn on_pool(pool: Arc<rayon::ThreadPool>, progress: bool, cancel: Cancel) -> Runner {
        let window = window(pool.current_num_threads());
        Runner {
            pool,
            progress,
            cancel,
            window,
        }
    }

    /// Whether `self` and `other` run on the same pool of threads.
    pub fn shares_pool_with(&self, other: &Runner) -> bool {
        Arc::ptr_eq(&self.pool, &other.pool)
    }

    /// Worker threads in the pool.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Results that may exist at once (in work or waiting for their turn).
    pub fn window(&self) -> usize {
        self.window
    }

    /// Narrows the window so that results of `result_bytes` each hold at most `budget`
    /// bytes together — but never below one result per worker, which parallelism needs.
    pub fn limit_window(&mut self, result_bytes: f64, budget: f64) {
        self.window = self
            .window
            .min(window_for(self.threads(), result_bytes, budget));
    }

    /// A progress bar on stderr counting `total` `unit`s, hidden with `--quiet` (and by
    /// indicatif when stderr is not a terminal, so logs and pipes stay clean).
    pub fn progress_bar(&self, total: u64, unit: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let template = format!(
            "{{spinner}} [{{elapsed_precise}}] [{{bar:30}}] {{pos}}/{{len}} {unit} ({{rate}}, eta {{eta}}) {{msg}}"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            let style = style
                .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", s.per_sec());
                })
                .progress_chars("=> ");
            bar.set_style(style);
        }
        bar
    }

    /// Computes `work(i)` for every `i < jobs` in parallel and calls `consume(i, result)` in
    /// increasing `i`. Stops taking jobs when cancelled or when `consume` fails (its first
    /// error is returned). Cost: `jobs` calls of each; memory: [`Self::window`] results.
    pub fn ordered<T, E, W, C>(&self, jobs: usize, work: W, consume: C) -> Result<Completion, E>
    where
        T: Send,
        E: Send,
        W: Fn(usize) -> T + Sync,
        C: FnMut(usize, T) -> Result<(), E> + Send,
    {
        let window = self.window;
        let state = Mutex::new(State {
            next: 0,
            first: 0,
            ready: VecDeque::with_capacity(window),
            draining: false,
            stop: false,
        });
        let turn = Condvar::new();
        let consumer = Mutex::new((consume, None::<E>));

        let worker = || loop {
            // Take a job, waiting while the window is full.
            let i = {
                let mut s = lock(&state);
                loop {
                    if s.stop || s.next >= jobs {
                        return;
                    }
                    if self.cancel.is_cancelled() {
                        s.stop = true;
                        turn.notify_all();
                        return;
                    }
                    if s.next < s.first + window {
                        break;
                    }
                    s = turn.wait(s).unwrap_or_else(|e| e.into_inner());
                }
                s.next += 1;
                s.next - 1
            };
            let result = work(i);
            // File the result; drain in order unless another worker already is.
            let mut s = lock(&state);
            let slot = i - s.first;
            if s.ready.len() <= slot {
                s.ready.resize_with(slot + 1, || None);
            }
            s.ready[slot] = Some(result);
            if s.draining {
                continue;
            }
            s.draining = true;
            // The slot stays (empty) until its result is consumed, so `first` — and the window
            // — only move once the result is gone: never more than `window` results exist.
            while let Some(result) = s.ready.front_mut().and_then(Option::take) {
                let index = s.first;
                drop(s);
                let mut c = consumer.lock().unwrap_or_else(|e| e.into_inner());
                if c.1.is_none() {
                    if let Err(e) = (c.0)(index, result) {
                        c.1 = Some(e);
                    }
                }
                let failed = c.1.is_some();
                drop(c);
                s = lock(&state);
                s.ready.pop_front();
                s.first += 1;
                if failed {
                    s.stop = true;
                }
                turn.notify_all();
            }
            s.draining = false;
            turn.notify_all();
        };
        self.pool.broadcast(|_| worker());

        let (_, error) = consumer.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = error {
            return Err(e);
        }
        let s = state.into_inner().unwrap_or_else(|e| e.into_inner());
        Ok(Completion {
            consumed: s.first,
            total: jobs,
        })
    }
}

/// Locks `m`; a panic elsewhere (which ends the run anyway) does not poison the state.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Results in flight per worker: enough that a worker rarely waits for a slow neighbour.
fn window(threads: usize) -> usize {
    4 * threads.max(1)
}

/// The window of a runner of `threads` workers whose results of `result_bytes` each are held
/// to `budget` bytes together ([`Runner::limit_window`]), known without starting the pool.
pub fn window_for(threads: usize, result_bytes: f64, budget: f64) -> usize {
    let fits = (budget / result_bytes.max(1.0)).floor();
    let fits = if fits.is_finite() {
        fits as usize
    } else {
        usize::MAX
    };
    window(threads).min(fits).max(threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner(threads: usize) -> Runner {
        Runner::new(Some(threads), false, Cancel::new()).unwrap()
    }

    #[test]
    fn consumes_in_order_at_any_thread_count() {
        for threads in [1, 2, 4] {
            let mut seen = Vec::new();
            let done = runner(threads)
                .ordered(
                    1000,
                    |i| {
                        // Uneven work so jobs finish out of order.
                        let spin = (i * 7919) % 50;
                        (0..spin).fold(i as u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64))
                            ^ (i as u64)
                    },
                    |i, v| -> Result<(), ()> {
                        seen.push((i, v));
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(done.consumed, 1000);
            assert!(seen.iter().enumerate().all(|(k, (i, _))| k == *i));
        }
    }

    #[test]
    fn never_more_results_than_the_window() {
        let live = std::sync::atomic::AtomicUsize::new(0);
        let peak = std::sync::atomic::AtomicUsize::new(0);
        let r = runner(3);
        r.ordered(
            500,
            |_| {
                let n = live.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
            },
            |_, ()| -> Result<(), ()> {
                live.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            },
        )
        .unwrap();
        assert!(peak.into_inner() <= r.window());
    }

    #[test]
    fn large_results_narrow_the_window_to_one_per_worker() {
        let mut r = runner(3);
        assert_eq!(r.window(), 12);
        r.limit_window(10e6, 64e6);
        assert_eq!(r.window(), 6);
        r.limit_window(100e6, 64e6);
        assert_eq!(r.window(), 3);
    }

    #[test]
    fn a_consumer_error_stops_the_run() {
        let r = runner(2);
        let e = r.ordered(
            10_000,
            |i| i,
            |i, _| if i == 10 { Err("stop") } else { Ok(()) },
        );
        assert_eq!(e, Err("stop"));
    }

    #[test]
    fn cancelled_runs_consume_a_prefix() {
        let cancel = Cancel::new();
        let r = Runner::new(Some(2), false, cancel.clone()).unwrap();
        let mut last = None;
        let done = r
            .ordered(
                100_000,
                |i| i,
                |i, _| -> Result<(), ()> {
                    if i == 100 {
                        cancel.cancel();
                    }
                    assert_eq!(last.map_or(0, |l: usize| l + 1), i);
                    last = Some(i);
                    Ok(())
                },
            )
            .unwrap();
        assert!(done.interrupted());
        assert_eq!(done.consumed, last.unwrap() + 1);
    }
}
