//! Any bytes as an architecture file: load, analyse, render every format. Nothing may
//! panic, and every report keeps its invariants (see the crate's `check_every_format`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analysis = commsplan_fuzz::analyze_bytes("raw.yaml", data, None);
    commsplan_fuzz::check_every_format(&analysis);
});
