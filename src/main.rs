//! The `ccsim` binary: the command line (`cli`: clap definitions and one function per
//! command) over the library, which holds everything else and knows nothing of clap.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
