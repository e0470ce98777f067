//! `--output` writes only regular files, whole or not at all: FIFOs and character devices are
//! written through and never replaced, directories, sockets, block devices and missing
//! directories are refused with exit code 2, symbolic links are followed, and a failed write
//! leaves no temp file behind.

use crate::common::{assert_no_panic, fixture, run, Run};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A quick scenario (a fraction of a second per run).
fn quick() -> PathBuf {
    fixture("validation/erlang_c.toml")
}

fn run_to(output: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec![
        "run".into(),
        quick().display().to_string(),
        "--replications".into(),
        "2".into(),
        "--quiet".into(),
        "--output".into(),
        output.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run(&args);
    assert_no_panic(&r);
    r
}

/// The names in `dir`, sorted (to show that no temp file is left).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn is_char_device(p: &str) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device())
}

/// Regression: as root, `--output /dev/full` renamed a regular file over the device. Now the
/// device is written through, the write error is reported (exit 1), and the device stays.
#[test]
fn dev_full_is_written_through_and_the_error_reported() {
    if !is_char_device("/dev/full") {
        eprintln!("skipping: /dev/full is not a character device here");
        return;
    }
    let r = run_to(Path::new("/dev/full"), &["--format", "json"]);
    assert_eq!(r.code, Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("/dev/full") && r.stderr.contains("No space left"),
        "{}",
        r.describe()
    );
    assert!(is_char_device("/dev/full"), "/dev/full was replaced");
    assert!(
        names(Path::new("/dev"))
            .iter()
            .all(|n| !n.starts_with(".full.")),
        "a temp file was left in /dev"
    );
}

#[test]
fn dev_null_is_written_through() {
    let r = run_to(Path::new("/dev/null"), &["--format", "json"]);
    r.assert_ok();
    assert!(is_char_device("/dev/null"), "/dev/null was replaced");
    // `sweep --output` to a device gets the whole output, as stdout would.
    let r = run(&[
        "sweep",
        &quick().display().to_string(),
        "--set",
        "simulation.replications=2,3",
        "--format",
        "csv",
        "--quiet",
        "--output",
        "/dev/null",
    ]);
    r.assert_ok();
    assert!(is_char_device("/dev/null"));
}

#[test]
fn a_fifo_is_written_through_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: cannot make a FIFO with `mkfifo`");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let r = run_to(&fifo, &[]);
    r.assert_ok();
    let bytes = reader.join().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("the reader got the JSON");
    assert!(v["metrics"]["offered"]["mean"].as_f64().unwrap() > 0.0);
    let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(t.is_fifo(), "the FIFO was replaced");
    assert_eq!(names(dir.path()), vec!["report.json"]);
}

/// Directories, sockets, block devices and missing directories: exit 2 with a message saying
/// what is there, before anything runs, and nothing created.
#[test]
fn what_is_not_a_file_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let sock = dir.path().join("s.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (sub.clone(), "is a directory"),
        (sock.clone(), "is a socket"),
        (dir.path().join("missing/out.json"), "does not exist"),
    ];
    let block = std::fs::read_dir("/dev").ok().and_then(|d| {
        d.flatten()
            .map(|e| e.path())
            .find(|p| std::fs::metadata(p).is_ok_and(|m| m.file_type().is_block_device()))
    });
    match block {
        Some(b) => cases.push((b, "is a block device")),
        None => eprintln!("no block device under /dev: that case is not checked here"),
    }
    for (path, says) in &cases {
        for cmd in [&["run"][..], &["compare"][..]] {
            let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
            args.push(quick().display().to_string());
            if cmd[0] == "compare" {
                args.push(quick().display().to_string());
            }
            args.extend(["--output".to_string(), path.display().to_string()]);
            let r = run(&args);
            assert_no_panic(&r);
            assert_eq!(r.code, Some(2), "{}", r.describe());
            assert!(r.stderr.contains(says), "{}", r.describe());
            assert!(r.secs < 5.0, "refused only after {:.1} s", r.secs);
        }
    }
    let r = run(&[
        "merge",
        "nothing.csv",
        "--output",
        &sub.display().to_string(),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(r.stderr.contains("is a directory"), "{}", r.describe());
    assert!(std::fs::metadata(&sub).unwrap().is_dir());
    assert_eq!(names(&sub), Vec::<String>::new());
    assert_eq!(names(dir.path()), vec!["s.sock", "sub"]);
}

/// A symbolic link to a regular file: the target is replaced, the link stays a link.
#[test]
fn a_symlink_writes_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("target.json", &link).unwrap();
    run_to(&link, &[]).assert_ok();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).expect("JSON in the target");
    assert!(v.is_object());
    assert_eq!(names(dir.path()), vec!["link.json", "target.json"]);
}

/// A write that fails half-way (here: the file-size limit, `ulimit -f`) reports the error
/// with exit 1 and leaves neither the output nor a temp file.
#[test]
fn a_failed_write_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let script = format!(
        "trap '' XFSZ; ulimit -f 1 && exec '{}' run '{}' --replications 2 --quiet --output '{}'",
        env!("CARGO_BIN_EXE_ccsim"),
        quick().display(),
        out.display()
    );
    let o = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(names(dir.path()), Vec::<String>::new());
    // The same command without the limit succeeds: the limit was the only failure.
    run_to(&out, &[]).assert_ok();
    assert_eq!(names(dir.path()), vec!["out.json"]);
}

/// Replacing a regular file keeps its permission bits (it is the user's file).
#[test]
fn a_replaced_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    run_to(&out, &[]).assert_ok();
    let m = std::fs::metadata(&out).unwrap();
    assert_eq!(m.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("point,replication"));
}

/// Regression: `ccsim run … --format csv | head -1` printed "error: Broken pipe (os error 32)"
/// and exited 1 (the per-replication rows are written from inside the runner, whose error
/// hid the write error from the check that lets a closed pipe end the run quietly). A reader
/// that stops reading ends every command quietly, with exit 0, like `head` ends a pipeline.
#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    use std::io::{BufRead, Read};
    // A program run: every format's report is far larger than a pipe's buffer (the table
    // 300 KB), and its JSON and table carry the money additions, written as they stream.
    for format in ["csv", "json", "table"] {
        let mut child = crate::common::ccsim()
            .args([
                "run",
                "scenarios/program_baseline.toml",
                "--replications",
                "2",
                "-q",
            ])
            .args(["--format", format])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is dropped here: the pipe closes with most of the report unwritten.
        assert!(!first.is_empty(), "{format}");
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{format}: {err}");
        assert_eq!(err, "", "{format}");
    }
}

/// `--output` naming one of the command's own inputs (under any spelling: the same path, a
/// `dir/../` detour, a symbolic link) is refused with exit 2 and the input is left as it was.
/// Regression: `run s.toml --format json --output s.toml` replaced the scenario by its report,
/// and `merge a.csv b.csv --output a.csv` replaced a shard by the merged file.
#[test]
fn an_output_that_is_one_of_the_inputs_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).display().to_string();
    std::fs::copy(quick(), d("s.toml")).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("scenarios/weekday.toml"), d("w.toml")).unwrap();
    std::fs::copy(repo.join("scenarios/shifts/weekday.toml"), d("shifts.toml")).unwrap();
    std::os::unix::fs::symlink(d("s.toml"), d("link.toml")).unwrap();
    for i in 0..2 {
        let r = run(&[
            "sweep",
            &d("s.toml"),
            "--set",
            "agent_groups.agents.agents=20,21",
            "--replications",
            "2",
            "--shard",
            &format!("{i}/2"),
            "--quiet",
            "--output",
            &d(&format!("shard{i}.csv")),
        ]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
    }
    let detour = dir.path().join("sub");
    std::fs::create_dir(&detour).unwrap();
    let s_detour = detour.join("../s.toml").display().to_string();
    let cases: Vec<(Vec<String>, &str, String)> = vec![
        (
            vec!["run".into(), d("s.toml"), "--format".into(), "json".into()],
            "the scenario",
            d("s.toml"),
        ),
        (
            vec![
                "run".into(),
                d("link.toml"),
                "--format".into(),
                "json".into(),
            ],
            "the scenario",
            s_detour.clone(),
        ),
        (
            vec![
                "compare".into(),
                d("w.toml"),
                d("s.toml"),
                "--format".into(),
                "json".into(),
            ],
            "scenario B",
            d("s.toml"),
        ),
        (
            vec![
                "sweep".into(),
                d("s.toml"),
                "--set".into(),
                "agent_groups.agents.agents=20".into(),
            ],
            "the scenario",
            d("s.toml"),
        ),
        (
            vec![
                "staff".into(),
                d("s.toml"),
                "--target".into(),
                "service_level>=0.8".into(),
            ],
            "the scenario",
            d("s.toml"),
        ),
        (
            vec![
                "roster".into(),
                d("w.toml"),
                "--group".into(),
                "tier1".into(),
                "--target".into(),
                "service_level>=0.8".into(),
                "--shifts".into(),
                d("shifts.toml"),
                "--format".into(),
                "json".into(),
            ],
            "--shifts",
            d("shifts.toml"),
        ),
        (
            vec!["merge".into(), d("shard0.csv"), d("shard1.csv")],
            "the shard",
            d("shard1.csv"),
        ),
    ];
    let inputs = || -> Vec<Vec<u8>> {
        [
            "s.toml",
            "w.toml",
            "shifts.toml",
            "shard0.csv",
            "shard1.csv",
        ]
        .iter()
        .map(|f| std::fs::read(d(f)).unwrap())
        .collect()
    };
    let before = inputs();
    for (mut args, input, output) in cases {
        args.extend(["--output".to_string(), output.clone(), "--quiet".into()]);
        if args[0] == "merge" {
            args.pop(); // merge has no --quiet
        }
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{}", r.describe());
        assert!(
            r.stderr
                .contains(&format!("--output names the same file as {input}")),
            "{}",
            r.describe()
        );
        assert!(inputs() == before, "an input changed: {}", r.describe());
    }
    assert_eq!(
        names(dir.path()),
        [
            "link.toml",
            "s.toml",
            "shard0.csv",
            "shard1.csv",
            "shifts.toml",
            "sub",
            "w.toml"
        ]
    );
}

/// Regression (issue 11, point 4): with stdout redirected to a file, `--output /dev/stdout`
/// followed the links to that regular file and replaced it by rename — `>> log` lost the
/// log, and `{ echo header; ccsim …; echo footer; } > file` kept only the report. Every
/// spelling of a descriptor is now written through the descriptor itself.
#[test]
fn dev_stdout_redirected_to_a_file_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("results.log");
    std::fs::write(&log, "PREVIOUS LOG LINE\n").unwrap();
    for path in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
        // What `>> results.log` gives the command: its stdout appending to the file.
        let appending = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .arg("run")
            .arg(quick())
            .args(["--quiet", "--format", "json", "--output", path])
            .stdout(appending)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{path}: {stderr}");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("PREVIOUS LOG LINE\n{"), "{text:.80}");
    assert_eq!(
        text.matches("\"scenario\"").count(),
        3,
        "three reports appended"
    );
    // A group's writes before and after the report stay around it (one shared offset).
    let grouped = dir.path().join("grouped.out");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{{ echo header; '{}' run '{}' --quiet --format json --output /dev/stdout; echo footer; }} > '{}'",
            env!("CARGO_BIN_EXE_ccsim"),
            quick().display(),
            grouped.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&grouped).unwrap();
    assert!(text.starts_with("header\n{"), "{text:.80}");
    assert!(text.ends_with("}\nfooter\n"), "{text}");
    assert!(std::fs::symlink_metadata(&log)
        .unwrap()
        .file_type()
        .is_file());
}

/// Regression (issue 11, point 4): `--output /dev/stdin` with stdin a pipe reopened the
/// pipe's write end and wrote into a pipe nobody reads — the run hung once it was full; with
/// `< file` it would append to the input. A read-only descriptor, or one that is not open,
/// is refused up front (exit 2, naming the descriptor); nothing is written.
#[test]
fn read_only_or_closed_descriptors_are_refused_as_outputs() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    std::fs::write(&input, "INPUT\n").unwrap();
    for (output, stdin_file, expected) in [
        (
            "/dev/stdin",
            false,
            "descriptor 0 (standard input) is open for reading only",
        ),
        (
            "/dev/fd/0",
            true,
            "descriptor 0 (standard input) is open for reading only",
        ),
        ("/dev/fd/9", false, "descriptor 9 is not open"),
    ] {
        let stdin = if stdin_file {
            Stdio::from(std::fs::File::open(&input).unwrap())
        } else {
            Stdio::piped()
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .arg("run")
            .arg(quick())
            .args(["--quiet", "--format", "csv", "--output", output])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(b"x\n").unwrap();
        }
        // A hang is the defect: give it a generous bound, then kill and fail.
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("--output {output} hung");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{output}: {stderr}");
        assert!(stderr.contains(expected), "{output}: {stderr}");
        assert!(stderr.contains(output), "{output}: {stderr}");
        assert!(out.stdout.is_empty(), "{output}");
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "INPUT\n");
}

/// Regression (issue 11, point 4): two outputs at one new file under different spellings
/// (`./x.csv` and `x.csv`, `sub/../y.csv` and `y.csv`, a dangling link and its target)
/// were both written, the second renamed over the first: exit 0 with the trace lost. Now
/// refused up front (exit 2), nothing written.
#[test]
fn two_outputs_at_one_new_file_are_refused_however_spelled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("a.csv", dir.path().join("d.csv")).unwrap();
    for (output, trace) in [
        ("./x.csv", "x.csv"),
        ("sub/../y.csv", "y.csv"),
        ("a.csv", "d.csv"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .current_dir(dir.path())
            .arg("run")
            .arg(quick())
            .args(["--quiet", "--replications", "2", "--output", output])
            .args(["--trace", trace])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{output} {trace}: {stderr}");
        assert!(stderr.contains("names the same file as"), "{stderr}");
    }
    assert_eq!(names(dir.path()), ["d.csv", "sub"]);
}
