//! The parse-memory estimate (`ccsim::scenario::parse_peak_bytes`) bounds what parsing a file
//! really takes, for every shape of TOML it was fitted on: an upper bound, or the budget check
//! that relies on it (refuse before parsing, issue 11 point 1) would let a file through that
//! does not fit. Parsing is measured in this thread by a counting allocator that charges each
//! allocation as the system allocator lays it out (a 16-byte-aligned chunk with an 8-byte
//! header), so the figure tracks resident memory, not just the bytes asked for.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting this thread's live and peak chunk bytes.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// glibc's chunk for a request: the size plus an 8-byte header, rounded up to 16, at least 32.
fn chunk(size: usize) -> isize {
    ((size + 8).div_ceil(16) * 16).max(32) as isize
}

fn charge(delta: isize) {
    // `try_with`: the counters have no destructor, but a thread may allocate while its other
    // thread-locals are torn down.
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

// SAFETY: every call is forwarded unchanged to `System`; the counting touches only
// thread-local `Cell`s, which neither allocate nor unwind.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(chunk(layout.size()));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        charge(-chunk(layout.size()));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(chunk(layout.size()));
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        charge(chunk(new_size) - chunk(layout.size()));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes this thread held while `f` ran, above what it held before.
fn peak_during(f: impl FnOnce()) -> isize {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    f();
    PEAK.with(Cell::get) - before
}

/// A valid scenario followed by `n` copies of `item` inside an array (or, with no `[`
/// start, `item` repeated as lines).
fn shape(item: &str, as_array: bool, n: usize) -> String {
    let base = "name = \"shape\"\n[simulation]\nhorizon = \"1h\"\n\
        [[call_types]]\nname = \"general\"\narrival_rate = 60.0\n\
        handle_time = { distribution = \"exponential\", mean = \"4m\" }\n\
        [[agent_groups]]\nname = \"agents\"\nskills = [\"general\"]\nagents = 2\n";
    if as_array {
        format!("{base}x = [{}]\n", item.repeat(n))
    } else {
        let lines: String = (0..n)
            .map(|i| item.replace("{i}", &i.to_string()))
            .collect();
        format!("{base}{lines}")
    }
}

#[test]
fn the_parse_estimate_bounds_every_shape_of_toml() {
    // (name, item, in an array): the shapes the weights were fitted on, and more.
    let shapes = [
        ("integers", "1,", true),
        ("floats", "1.0, ", true),
        ("long floats", "123.456789, ", true),
        ("strings", "\"a\",", true),
        ("empty inline tables", "{},", true),
        ("empty arrays", "[],", true),
        ("one-key inline tables", "{a=1},", true),
        ("three-key inline tables", "{a=1,b=2,c=3},", true),
        ("nested arrays", "[[1]],", true),
        ("keys in a table", "k{i} = 1\n", false),
        (
            "long quoted keys",
            "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk{i}\" = 1\n",
            false,
        ),
        ("dotted keys", "a{i}.b = 1\n", false),
        ("array-of-tables headers", "[[y]]\n", false),
        ("array-of-tables with a key", "[[y]]\na = 1\n", false),
        ("tables with a key", "[t{i}]\na = 1\n", false),
        (
            "a long string",
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",",
            true,
        ),
    ];
    for (name, item, as_array) in shapes {
        // About 256 KB of each: large enough that fixed costs do not hide the slope.
        let n = 256 * 1024 / item.len().max(1);
        let text = shape(item, as_array, n);
        let estimate = ccsim::scenario::parse_peak_bytes(&text) as isize;
        let measured = peak_during(|| {
            let _ = ccsim::scenario::Scenario::from_toml_str(&text, "shape.toml", "shape");
        });
        // The text itself is held too (the estimate counts it): add its length.
        let held = measured + text.len() as isize;
        assert!(
            held <= estimate,
            "{name}: parsing {} bytes held {held} bytes, above the estimate {estimate}",
            text.len()
        );
        // And not absurdly above: an estimate 20 times the truth would refuse files that fit.
        assert!(
            estimate <= 20 * held,
            "{name}: estimate {estimate} is over 20 times the {held} bytes parsing held"
        );
    }
}

#[test]
fn bundled_scenarios_are_estimated_well_under_a_megabyte() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let e = ccsim::scenario::parse_peak_bytes(&text);
            assert!(e < 1_000_000, "{}: {e}", path.display());
        }
    }
}
