//! The `ccsim` binary: everything lives in the library's `cli` module.
fn main() {
    std::process::exit(ccsim::cli::main());
}
