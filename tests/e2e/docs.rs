//! The documentation's examples run: every fenced block in README.md and docs/*.md that is
//! marked runnable (the line `<!-- runnable -->` right before its opening fence; see
//! docs/README.md) is run command by command with the binary under test first on `PATH`, in a
//! fresh directory where `scenarios/` and `examples/` are the repository's, and every command
//! must exit 0.
//!
//! A command is a line (plus any lines it continues with a trailing `\`); blank lines and lines
//! starting with `#` are skipped. Commands run through `bash -c` with `set -euo pipefail`, so a
//! failing command inside a pipe fails too. Commands of one block share the directory, so a
//! later one can read what an earlier one wrote (shards, then `ccsim merge`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The marker line before a runnable block's opening fence.
const MARKER: &str = "<!-- runnable -->";

/// One runnable block: where it is and its commands.
struct Block {
    file: String,
    line: usize,
    commands: Vec<String>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every docs/*.md, sorted.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The runnable blocks of one markdown text. A marker not followed by a fence is an error
/// (a marker that silently runs nothing would hide a broken example).
fn runnable_blocks(file: &str, text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != MARKER {
            i += 1;
            continue;
        }
        let start = i + 1;
        assert!(
            lines
                .get(start)
                .is_some_and(|l| l.trim_start().starts_with("```")),
            "{file}:{}: `{MARKER}` must be followed by a fenced block",
            i + 1
        );
        let mut commands = Vec::new();
        let mut current = String::new();
        let mut j = start + 1;
        while j < lines.len() && !lines[j].trim_start().starts_with("```") {
            let l = lines[j].trim();
            if current.is_empty() && (l.is_empty() || l.starts_with('#')) {
                j += 1;
                continue;
            }
            match l.strip_suffix('\\') {
                Some(head) => {
                    current.push_str(head.trim_end());
                    current.push(' ');
                }
                None => {
                    current.push_str(l);
                    commands.push(std::mem::take(&mut current));
                }
            }
            j += 1;
        }
        assert!(j < lines.len(), "{file}:{}: block never closed", start + 1);
        assert!(
            !commands.is_empty(),
            "{file}:{}: runnable block without commands",
            start + 1
        );
        blocks.push(Block {
            file: file.to_string(),
            line: start + 1,
            commands,
        });
        i = j + 1;
    }
    blocks
}

/// Runs one command in `dir` with the binary under test first on PATH.
fn run_command(dir: &Path, command: &str) -> std::process::Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ccsim"))
        .parent()
        .expect("binary directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{command}"))
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start bash: {e}"))
}

#[test]
fn runnable_examples_in_readme_and_docs_exit_0() {
    let mut blocks = Vec::new();
    for f in doc_files() {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.strip_prefix(repo()).unwrap_or(&f).display().to_string();
        blocks.extend(runnable_blocks(&name, &text));
    }
    // Guards against a marker typo turning the whole test into a no-op.
    for must in ["README.md", "docs/sweeps.md"] {
        assert!(
            blocks.iter().any(|b| b.file == must),
            "no runnable block in {must}"
        );
    }
    let commands: usize = blocks.iter().map(|b| b.commands.len()).sum();
    eprintln!("{} runnable blocks, {commands} commands", blocks.len());
    let mut failures = Vec::new();
    for b in &blocks {
        let dir = tempfile::tempdir().expect("temp dir");
        for shared in ["scenarios", "examples"] {
            std::os::unix::fs::symlink(repo().join(shared), dir.path().join(shared))
                .expect("symlink");
        }
        for c in &b.commands {
            let out = run_command(dir.path(), c);
            if !out.status.success() {
                failures.push(format!(
                    "{}:{}: `{c}` exited {:?}\n{}",
                    b.file,
                    b.line,
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr).trim_end()
                ));
                break; // later commands of the block may depend on this one
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} documented command(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn blocks_are_parsed_with_continuations_and_comments() {
    let text =
        "x\n<!-- runnable -->\n```sh\n# a comment\nccsim a \\\n  --b c   # note\n\nccsim d\n```\n";
    let b = runnable_blocks("t.md", text);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].line, 3);
    assert_eq!(b[0].commands, ["ccsim a --b c   # note", "ccsim d"]);
    assert!(runnable_blocks("t.md", "```sh\nccsim x\n```\n").is_empty());
}
