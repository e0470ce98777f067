//! The memory budget's backstop while a command runs. The budget is checked up front from an
//! estimate (`ccsim::experiment::budget`), which covers what the simulation holds; a few
//! parts of the work cannot be foreseen from the input — a roster's integer program (branch
//! and bound: 20,000 shifts that can all cover the same hours grew past 22 GB in under a
//! minute under `--memory-limit 100MB`). So the heap is counted (a thin wrapper over the
//! system allocator: one relaxed atomic add per allocation, none on the engine's hot path,
//! which allocates nothing) and a guard thread ends the process, exit 2, removing every temp
//! file, once the heap passes the budget. Process-wide by nature, like the signal handlers,
//! so it lives here in the CLI.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The system allocator, counting the bytes it holds for the process.
struct Counting;

/// Bytes allocated and not yet freed.
static IN_USE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed through to `System` unchanged; only a counter is updated
// beside it, and only for allocations that succeeded.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (so by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and `new_size` as the caller guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            IN_USE.fetch_add(new_size, Ordering::Relaxed);
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How often the guard looks: at the fastest growth seen (about 0.5 GB/s) the heap passes
/// the budget by at most a few megabytes before the process ends.
const PERIOD: Duration = Duration::from_millis(10);

/// The smallest heap the guard ends a process for. The up-front check refuses every
/// simulation under a budget this small; what is left (`validate`, `erlang`, `merge`) must
/// not be ended for the parser's or the allocator's own few megabytes.
const FLOOR: u64 = 48 << 20;

/// The budget the guard holds the heap to (0: not started).
static LIMIT: AtomicU64 = AtomicU64::new(0);
/// What the guard's message adds about the work running (which knobs make it smaller).
static NOTE: Mutex<Option<String>> = Mutex::new(None);

/// Bytes the process holds on the heap now.
pub(crate) fn in_use() -> usize {
    IN_USE.load(Ordering::Relaxed)
}

/// Starts the guard (once; a later call only changes the budget) with `limit` bytes, named
/// in its message by `whose` (`--memory-limit` or the default's description).
pub(crate) fn watch(limit: u64, whose: &'static str) {
    let limit = limit.max(FLOOR);
    if LIMIT.swap(limit, Ordering::SeqCst) != 0 {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("memory-guard".into())
        .spawn(move || loop {
            std::thread::sleep(PERIOD);
            let limit = LIMIT.load(Ordering::Relaxed);
            if in_use() as u64 > limit {
                leave(limit, whose);
            }
        });
    if let Err(e) = spawned {
        eprintln!("warning: cannot watch memory use ({e}); only the up-front estimate holds it");
    }
}

/// Sets what the guard's message says of the work running (replaces any earlier note).
pub(crate) fn set_note(note: impl Into<String>) {
    *NOTE.lock().unwrap_or_else(|e| e.into_inner()) = Some(note.into());
}

/// Ends the process: exit 2 (the budget refuses the work, as the up-front check does), after
/// the registered temp files are removed and any commit in progress has finished.
fn leave(limit: u64, whose: &str) -> ! {
    let note = NOTE
        .lock()
        .map(|n| n.clone())
        .unwrap_or_else(|e| e.into_inner().clone());
    super::signals::shutdown().abandon(|| {
        eprintln!(
            "error: memory in use passed the budget of {} ({whose}) while the command ran: \
             the work outgrew what its estimate could foresee{}; stopped, {}",
            ccsim::experiment::budget::format_bytes(limit as f64),
            note.map(|n| format!(" — {n}")).unwrap_or_default(),
            if ccsim::output::stdout_written() {
                "no file was written, and what already went to stdout is incomplete"
            } else {
                "nothing was written"
            }
        );
        std::process::exit(2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counter follows allocations, reallocations and frees (other threads of the test
    /// binary allocate too, so only a margin is asserted).
    #[test]
    fn the_heap_is_counted() {
        let before = in_use();
        let mut v: Vec<u8> = Vec::with_capacity(64 << 20);
        v.push(1);
        assert!(in_use() >= before + (60 << 20), "{} {}", in_use(), before);
        v.reserve_exact(128 << 20);
        assert!(in_use() >= before + (120 << 20));
        drop(v);
        assert!(in_use() < before + (32 << 20));
    }
}
