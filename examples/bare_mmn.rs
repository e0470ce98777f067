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
//! Prints the calls simulated and the share that waited (≈ C(20, 16) = 0.256). With
//! `--tallied`, runs the loop that also keeps the figures `ccsim run` reports for this queue
//! (waits, answers within 20 s, handle and busy time; `bare_mmn_tallied`) and prints them: the
//! floor for a loop that has to produce those figures. With `--textbook`, runs the loop as it
//! is usually first written (`textbook_mmn`: arrivals and departures in one heap of `f64`
//! times, a FIFO of arrival times), a looser reference than the default.
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
    let (mut tallied, mut textbook) = (false, false);
    let mut calls = 3_000_000;
    for arg in std::env::args().skip(1) {
        if arg == "--tallied" {
            tallied = true;
            continue;
        }
        if arg == "--textbook" {
            textbook = true;
            continue;
        }
        calls = arg.parse::<u64>().unwrap_or_else(|e| {
            eprintln!("bare_mmn: arguments are a number of calls, --tallied and --textbook: {e}");
            std::process::exit(2)
        });
    }
    if tallied {
        let out = bare::bare_mmn_tallied(240.0 / 3600.0, 240.0, 20, calls, 20.0, 1);
        println!(
            "calls {} waited {:.5} asa {:.3} s within 20 s {:.5} occupancy {:.5}",
            out.calls,
            out.queued as f64 / out.calls as f64,
            out.wait / out.answered as f64,
            out.within_threshold as f64 / out.answered as f64,
            out.busy_time / (20.0 * out.elapsed),
        );
        return;
    }
    let out = if textbook {
        bare::textbook_mmn(240.0 / 3600.0, 240.0, 20, calls, 1)
    } else {
        bare::bare_mmn(240.0 / 3600.0, 240.0, 20, calls, 1)
    };
    println!(
        "calls {} waited {:.5}",
        out.calls,
        out.waited as f64 / out.calls as f64
    );
}
