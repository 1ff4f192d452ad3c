//! Architecture files that are nearly right (see `archgen`): they reach the rules and
//! generate, not only the parser. Checks every report's invariants and that each path
//! generate plans stays inside `--out`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let yaml = commsplan_fuzz::archgen::architecture(&mut u);
    let analysis = commsplan_fuzz::analyze_bytes("system.yaml", yaml.as_bytes(), None);
    commsplan_fuzz::check_every_format(&analysis);
    commsplan_fuzz::check_generate_paths(&analysis);
});
