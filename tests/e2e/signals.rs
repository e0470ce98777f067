//! SIGINT and SIGTERM stop `run`, `compare`, `staff`, `sweep` and `merge` within about a
//! second, with exit code 130 / 143 (as a shell reports it), no partial output and no temp
//! file; `sweep --output` keeps every finished point whole.
//!
//! Each test starts the binary on work long enough to be interrupted, waits until its signal
//! handler is installed (`SigCgt` in `/proc/PID/status`) and it is busy, sends the signal with
//! the shell's `kill`, and measures the time from the signal to the exit.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Tens of seconds of simulation per command in a debug build: never finished before the
/// signal.
const LONG: &str = r#"
name = "long"
[simulation]
horizon = "8h"
interval = "1h"
replications = 300
[[call_types]]
name = "general"
arrival_rate = 2000.0
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "3m" }
[[agent_groups]]
name = "agents"
skills = ["general"]
agents = 140
"#;

/// The most a stop may take after the signal: the one-second promise plus scheduling slack
/// on a loaded two-core machine.
const STOP_WITHIN: Duration = Duration::from_millis(1500);

const SIGINT: (&str, i32) = ("INT", 130);
const SIGTERM: (&str, i32) = ("TERM", 143);

/// Signals caught by the process (`SigCgt`), as a bit mask (bit n-1 for signal n).
fn caught(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
        .unwrap_or(0)
}

struct Started {
    child: Child,
    stderr: std::thread::JoinHandle<String>,
    what: String,
}

/// Spawns `ccsim ARGS` and waits until it handles SIGINT and SIGTERM and `busy()` says it is
/// at work.
fn start(args: &[String], busy: impl Fn() -> bool) -> Started {
    start_to(args, Stdio::null(), busy)
}

/// [`start`] with stdout going to `stdout`.
fn start_to(args: &[String], stdout: Stdio, busy: impl Fn() -> bool) -> Started {
    let what = format!("ccsim {}", args.join(" "));
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let pid = child.id();
    loop {
        let m = caught(pid);
        if m & (1 << 1) != 0 && m & (1 << 14) != 0 && busy() {
            break;
        }
        if let Some(st) = child.try_wait().unwrap() {
            panic!("{what}: ended ({st}) before it could be interrupted");
        }
        assert!(Instant::now() < deadline, "{what}: not busy after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    Started {
        child,
        stderr,
        what,
    }
}

/// Sends the signal, waits for the exit; asserts the exit code and the delay; returns stderr.
fn interrupt(mut s: Started, (name, code): (&str, i32)) -> String {
    // Let it get into the work itself (loading, thread pool) before the signal.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        s.child.try_wait().unwrap().is_none(),
        "{}: finished before the signal",
        s.what
    );
    let sent = Instant::now();
    // The shell's built-in `kill`: present wherever `sh` is.
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{name} {}", s.child.id()))
        .status()
        .is_ok_and(|st| st.success());
    assert!(ok, "cannot send SIG{name} with `sh -c kill`");
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        if sent.elapsed() > Duration::from_secs(30) {
            let _ = s.child.kill();
            panic!("{}: still running 30 s after SIG{name}", s.what);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = sent.elapsed();
    let stderr = s.stderr.join().unwrap();
    eprintln!("[signals] {}: SIG{name} → exit in {took:.2?}", s.what);
    assert_eq!(
        status.code(),
        Some(code),
        "{}: SIG{name} gave {status}\n{stderr}",
        s.what
    );
    assert!(
        took <= STOP_WITHIN,
        "{}: took {took:.2?} to stop after SIG{name}\n{stderr}",
        s.what
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A directory with the long scenario (`in/long.toml`) and an empty output directory `out/`.
struct Dirs {
    _tmp: tempfile::TempDir,
    scenario: String,
    out: PathBuf,
}

fn dirs() -> Dirs {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    std::fs::create_dir(tmp.path().join("out")).unwrap();
    let scenario = tmp.path().join("in/long.toml");
    std::fs::write(&scenario, LONG).unwrap();
    Dirs {
        scenario: scenario.display().to_string(),
        out: tmp.path().join("out"),
        _tmp: tmp,
    }
}

/// `run`, `compare` or `staff` into `out/report.json`: nothing may be left in `out/`.
fn simulate_and_interrupt(command: &[&str], signal: (&str, i32)) {
    let d = dirs();
    let report = d.out.join("report.json");
    let mut a = args(command);
    a.push(d.scenario.clone());
    if command[0] == "compare" {
        a.push(d.scenario.clone());
    }
    a.extend(args(&["--threads", "1", "--quiet", "--output"]));
    a.push(report.display().to_string());
    let s = start(&a, || true);
    let stderr = interrupt(s, signal);
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(names(&d.out), Vec::<String>::new(), "{stderr}");
    // Regression: a run cut short said "interrupted by SIGINT: interrupted".
    assert!(
        stderr.contains(&format!("interrupted by SIG{}: stopped before", signal.0))
            && stderr.contains("no --output file was written"),
        "{stderr}"
    );
}

#[test]
fn run_stops_on_sigint() {
    simulate_and_interrupt(&["run"], SIGINT);
}

#[test]
fn run_stops_on_sigterm() {
    simulate_and_interrupt(&["run"], SIGTERM);
}

#[test]
fn compare_stops_on_sigint() {
    simulate_and_interrupt(&["compare"], SIGINT);
}

#[test]
fn compare_stops_on_sigterm() {
    simulate_and_interrupt(&["compare"], SIGTERM);
}

#[test]
fn staff_stops_on_sigint() {
    simulate_and_interrupt(&["staff", "--target", "service_level>=0.8"], SIGINT);
}

#[test]
fn staff_stops_on_sigterm() {
    simulate_and_interrupt(&["staff", "--target", "service_level>=0.8"], SIGTERM);
}

/// A run to stdout says whether stdout holds part of a report: a JSON report is written only
/// at the end (nothing went out), a CSV streams one row block per replication (part did).
/// Regression: both said "what already went to stdout is incomplete".
#[test]
fn a_run_to_stdout_says_whether_any_of_it_went_out() {
    let d = dirs();
    for (format, said) in [
        ("json", "nothing went to stdout"),
        ("csv", "what already went to stdout is incomplete"),
    ] {
        let a = args(&[
            "run",
            &d.scenario,
            "--threads",
            "1",
            "--quiet",
            "--format",
            format,
        ]);
        let stderr = interrupt(start(&a, || true), SIGINT);
        assert!(
            stderr.contains("interrupted by SIGINT: stopped before") && stderr.contains(said),
            "{format}: {stderr}"
        );
    }
}

/// Two replications of about two seconds each (release build), one thread: the second is
/// still running well past the signal's grace period after the first one's rows went out.
const SLOW: &str = r#"
name = "slow"
[simulation]
horizon = "15000h"
interval = "15000h"
replications = 2
[[call_types]]
name = "general"
arrival_rate = 2000.0
handle_time = { distribution = "exponential", mean = "4m" }
[[agent_groups]]
name = "agents"
skills = ["general"]
agents = 140
"#;

/// Regression: a replication still running when the signal comes makes the watchdog end the
/// process; after another replication's CSV rows had gone to stdout, that forced exit said
/// "stopped; nothing was written" (found by trying: 59 MB of a year's rows were out).
#[test]
fn a_forced_stop_after_rows_went_to_stdout_says_they_are_incomplete() {
    let d = dirs();
    let slow = d.out.with_file_name("in").join("slow.toml");
    std::fs::write(&slow, SLOW).unwrap();
    let stdout = d.out.with_file_name("in").join("stdout.csv");
    let mut a = args(&["run"]);
    a.push(slow.display().to_string());
    a.extend(args(&["--threads", "1", "--quiet", "--format", "csv"]));
    let file = std::fs::File::create(&stdout).unwrap();
    // Busy once the first replication's rows are out (more than the header).
    let rows_out = || std::fs::metadata(&stdout).is_ok_and(|m| m.len() > 4096);
    let stderr = interrupt(start_to(&a, Stdio::from(file), rows_out), SIGINT);
    assert!(
        stderr.contains("what already went to stdout is incomplete")
            && !stderr.contains("nothing was written"),
        "{stderr}"
    );
}

/// `roster --output out/roster.toml`: stopped during the search, it writes nothing.
#[test]
fn roster_stops_on_sigint() {
    let d = dirs();
    let shifts = d.out.with_file_name("in").join("shifts.toml");
    std::fs::write(&shifts, "[[shifts]]\nstart = \"00:00\"\nlength = \"8h\"\n").unwrap();
    let mut a = args(&["roster", "--target", "service_level>=0.8", "--shifts"]);
    a.push(shifts.display().to_string());
    a.push(d.scenario.clone());
    a.extend(args(&["--threads", "1", "--quiet", "--output"]));
    a.push(d.out.join("roster.toml").display().to_string());
    let stderr = interrupt(start(&a, || true), SIGINT);
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(names(&d.out), Vec::<String>::new(), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT: stopped before")
            && stderr.contains("no --output file was written"),
        "{stderr}"
    );
}

/// `sweep --output FILE.csv`: the file keeps the points finished before the signal, each
/// whole, marked unfinished; no temp file.
fn sweep_and_interrupt(signal: (&str, i32)) {
    let d = dirs();
    let csv = d.out.join("grid.csv");
    let mut a = args(&["sweep"]);
    a.push(d.scenario.clone());
    a.extend(args(&[
        "--set",
        "agent_groups.agents.agents=100..=299",
        "--replications",
        "3",
        "--threads",
        "1",
        "--quiet",
        "--output",
    ]));
    a.push(csv.display().to_string());
    // Busy once the first point is in the file (the header alone is a few hundred bytes).
    let s = start(&a, || std::fs::metadata(&csv).is_ok_and(|m| m.len() > 4000));
    let stderr = interrupt(s, signal);
    assert_eq!(names(&d.out), vec!["grid.csv"], "{stderr}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("# ccsim sweep: status=partial  "),
        "{text:.200}"
    );
    assert!(text.ends_with('\n'), "a torn last line");
    // Every point present is whole: as many rows as the first one.
    let mut rows: std::collections::BTreeMap<String, usize> = Default::default();
    for line in text.lines().skip(2) {
        let point = line.split(',').next().unwrap().to_string();
        *rows.entry(point).or_default() += 1;
    }
    assert!(!rows.is_empty(), "no finished point kept\n{stderr}");
    let first = *rows.values().next().unwrap();
    assert!(rows.values().all(|&n| n == first), "{rows:?}");
    assert!(stderr.contains("--resume"), "{stderr}");
}

#[test]
fn sweep_stops_on_sigint_keeping_finished_points() {
    sweep_and_interrupt(SIGINT);
}

#[test]
fn sweep_stops_on_sigterm_keeping_finished_points() {
    sweep_and_interrupt(SIGTERM);
}

/// `merge` reading a shard that arrives slowly (a FIFO whose writer stalls): the output's
/// temp file, created before the inputs are read, is removed.
fn merge_and_interrupt(signal: (&str, i32)) {
    let d = dirs();
    let fifo = d.out.parent().unwrap().join("in/shard.csv");
    if !Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("skipping: cannot make a FIFO with `mkfifo`");
        return;
    }
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Read-write: on Linux this open never blocks, whether or not merge opened it yet.
            let mut f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&fifo)
                .unwrap();
            let _ = f.write_all(b"# ccsim sweep: status=complete");
            let _ = f.flush();
            // Stall, holding the pipe open, until the test is over.
            let _ = done_rx.recv_timeout(Duration::from_secs(60));
        })
    };
    let merged = d.out.join("merged.csv");
    let mut a = args(&["merge"]);
    a.push(fifo.display().to_string());
    a.push("--output".into());
    a.push(merged.display().to_string());
    // Busy once its temp file exists (created before reading the inputs).
    let out = d.out.clone();
    let s = start(&a, || !names(&out).is_empty());
    let stderr = interrupt(s, signal);
    let _ = done_tx.send(());
    writer.join().unwrap();
    assert_eq!(names(&d.out), Vec::<String>::new(), "{stderr}");
}

#[test]
fn merge_stops_on_sigint() {
    merge_and_interrupt(SIGINT);
}

#[test]
fn merge_stops_on_sigterm() {
    merge_and_interrupt(SIGTERM);
}

/// `sweep --output FILE.json` is written whole at the end: after a signal nothing is written
/// (a partial file would pass for a whole one).
#[test]
fn sweep_to_a_whole_file_writes_nothing_when_stopped() {
    let d = dirs();
    let json = d.out.join("grid.json");
    let mut a = args(&["sweep"]);
    a.push(d.scenario.clone());
    a.extend(args(&[
        "--set",
        "agent_groups.agents.agents=100..=299",
        "--threads",
        "1",
        "--quiet",
        "--output",
    ]));
    a.push(json.display().to_string());
    let s = start(&a, || true);
    let stderr = interrupt(s, SIGTERM);
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert_eq!(names(&d.out), Vec::<String>::new(), "{stderr}");
}
