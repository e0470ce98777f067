//! The shape of the code base (issue 11, point 8), kept by tests rather than by memory: no two
//! source files share a name, and no clap type reaches the library (the command line is the
//! binary's: `src/main.rs` and `src/cli`).

use super::common::repo_file;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&repo_file("src"), &mut files);
    files.sort();
    files
}

#[test]
fn no_two_source_files_share_a_name() {
    // `mod.rs` is the module system's name for a directory's root, not a choice.
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in sources() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name != "mod.rs" {
            let shown = path.strip_prefix(repo_file("")).unwrap_or(&path);
            by_name
                .entry(name)
                .or_default()
                .push(shown.display().to_string());
        }
    }
    let twins: Vec<_> = by_name.values().filter(|paths| paths.len() > 1).collect();
    assert!(twins.is_empty(), "source files sharing a name: {twins:?}");
}

#[test]
fn the_library_knows_nothing_of_clap() {
    let cli = repo_file("src/cli");
    let binary = [repo_file("src/main.rs"), repo_file("src/cli.rs")];
    let library: Vec<PathBuf> = sources()
        .into_iter()
        .filter(|p| !p.starts_with(&cli) && !binary.contains(p))
        .collect();
    assert!(library.len() > 40, "the walk found {} files", library.len());
    for path in library {
        let text = std::fs::read_to_string(&path).expect("read a source file");
        for sign in ["clap::", "ValueEnum", "#[arg(", "#[command(", "#[value("] {
            assert!(
                !text.contains(sign),
                "{} uses clap (`{sign}`): command-line types belong to the binary (src/cli)",
                path.display()
            );
        }
    }
    let lib = std::fs::read_to_string(repo_file("src/lib.rs")).unwrap();
    assert!(
        !lib.lines()
            .any(|l| l.trim_start().starts_with("pub mod cli")),
        "src/lib.rs exports the command line"
    );
}

/// Scenario reading flows one way (issue 11, point 8): `parse` (text → the file's mirror)
/// knows nothing of `validate` (mirror → `Scenario`), and `validate` reaches the rest of
/// `scenario` through its modules, never through `scenario/mod.rs`, which runs both stages.
#[test]
fn scenario_reading_flows_one_way() {
    let mut offences = Vec::new();
    for path in sources() {
        let shown = path
            .strip_prefix(repo_file(""))
            .unwrap_or(&path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let in_parse = shown.starts_with("src/scenario/parse/");
            let in_validate = shown.starts_with("src/scenario/validate/");
            if in_parse && (code.contains("validate::") || code.contains("super::validate")) {
                offences.push(format!("{shown}:{}: {code}", n + 1));
            }
            if in_validate && code.starts_with("use crate::scenario::{") {
                offences.push(format!("{shown}:{}: {code}", n + 1));
            }
            // `use crate::scenario::Name;` (an item re-exported by mod.rs), not a module.
            let reexported = code
                .strip_prefix("use crate::scenario::")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
            if in_validate && reexported {
                offences.push(format!("{shown}:{}: {code}", n + 1));
            }
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}
