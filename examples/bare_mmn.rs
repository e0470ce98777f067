//! The bare M/M/n loop as a whole process, to time against `ccsim run` on the same Erlang C
//! queue (benches/erlang_c_3m.toml: 20 agents, 240 calls/h, 4-minute exponential service,
//! 3,000,000 calls):
//!
//! ```text
//! cargo build --release --example bare_mmn
//! /usr/bin/time target/release/examples/bare_mmn
//! /usr/bin/time target/release/ccsim run benches/erlang_c_3m.toml --threads 1 --quiet --format json
//! ```
//!
//! Prints the calls simulated and the share that waited (≈ C(20, 16) = 0.256).
//!
//! Timings on a shared machine vary by ±5% or more; take the median of several interleaved
//! runs (`/usr/bin/time -f %U`), and check changes by instruction counts too, which do not
//! vary (divide by 3,000,000 for instructions per call):
//!
//! ```text
//! valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file=/dev/null \
//!     target/release/examples/bare_mmn
//! valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file=/dev/null \
//!     target/release/ccsim run benches/erlang_c_3m.toml --threads 1 --quiet --format json
//! ```

#[path = "../benches/support/bare_mmn.rs"]
mod bare;

fn main() {
    let calls = std::env::args()
        .nth(1)
        .map_or(Ok(3_000_000), |s| s.parse::<u64>())
        .unwrap_or_else(|e| {
            eprintln!("bare_mmn: the argument is a number of calls: {e}");
            std::process::exit(2)
        });
    let out = bare::bare_mmn(240.0 / 3600.0, 240.0, 20, calls, 1);
    println!(
        "calls {} waited {:.5}",
        out.calls,
        out.waited as f64 / out.calls as f64
    );
}
