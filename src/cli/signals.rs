//! SIGINT and SIGTERM for every command: stop within a second, exit 128 + the signal (130,
//! 143, as a shell reports a process killed by it), and leave no partial or temp file.
//!
//! A signal sets the process's [`Shutdown`] stop flag, which the runners check between
//! replications and which keeps any output from being committed; the command then returns
//! (an [`Interrupted`] error) and `cli::main` turns that into the exit code. Should the
//! command not have returned [`GRACE`] after the signal (a replication still running, a read
//! blocked on a pipe), or on a second signal, the watchdog leaves at once through
//! [`Shutdown::abandon`]: it waits for a commit or a sweep point being appended, removes every
//! registered temp file and exits. A signal handler is process-wide by nature, so the state
//! lives in statics here, in the CLI; the library only sees the `Shutdown` it is handed.

use ccsim::output::Shutdown;
use signal_hook::consts::{SIGINT, SIGTERM};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// How long a stopped command may take to return by itself before the process is ended
/// for it. Cooperative stops print better messages; the watchdog bounds the wait.
pub(crate) const GRACE: Duration = Duration::from_millis(500);

static SHUTDOWN: LazyLock<Shutdown> = LazyLock::new(Shutdown::new);
/// The first signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// What the forced exit tells the user (e.g. where a sweep's finished points are).
static NOTE: Mutex<Option<String>> = Mutex::new(None);

/// A command stopped by a signal; the message says what was kept.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

/// The process's shutdown state: pass it to [`ccsim::output::OutputFile::create`] and hand
/// its [`Shutdown::stop_flag`] to runners.
pub(crate) fn shutdown() -> &'static Shutdown {
    &SHUTDOWN
}

/// Sets what a forced exit prints after "interrupted by SIGINT:" (replaces any earlier note).
pub(crate) fn set_note(note: impl Into<String>) {
    *NOTE.lock().unwrap_or_else(|e| e.into_inner()) = Some(note.into());
}

/// 128 + the signal once one was received.
pub(crate) fn exit_code() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(128 + s),
    }
}

/// `SIGINT` or `SIGTERM`, for messages.
pub(crate) fn signal_name() -> &'static str {
    match SIGNAL.load(Ordering::SeqCst) {
        SIGTERM => "SIGTERM",
        _ => "SIGINT",
    }
}

/// Installs the handlers (once, at the start of `main`). Failure to install (an exotic
/// platform) only costs the clean stop: the default action still ends the process.
pub(crate) fn install() {
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warning: cannot handle SIGINT/SIGTERM ({e}); a stop may leave temp files");
            return;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if SIGNAL
                    .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    SHUTDOWN.request_stop();
                    let _ = std::thread::Builder::new()
                        .name("stop-watchdog".into())
                        .spawn(|| {
                            std::thread::sleep(GRACE);
                            leave_now();
                        });
                } else {
                    leave_now();
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("warning: cannot handle SIGINT/SIGTERM ({e}); a stop may leave temp files");
    }
}

/// The forced exit: no destructor runs, so the registered temp files are removed first.
fn leave_now() {
    SHUTDOWN.abandon(|| {
        let note = NOTE
            .lock()
            .map(|n| n.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
            .unwrap_or_else(|| {
                // A CSV report to stdout streams each replication's rows as it finishes: by
                // now some may have gone out (found by trying: 59 MB of a year's rows, then
                // "nothing was written").
                if ccsim::output::stdout_written() {
                    "stopped; no file was written, and what already went to stdout is \
                     incomplete"
                        .into()
                } else {
                    "stopped; nothing was written".into()
                }
            });
        eprintln!("\ninterrupted by {}: {note}", signal_name());
        std::process::exit(exit_code().unwrap_or(130))
    })
}
