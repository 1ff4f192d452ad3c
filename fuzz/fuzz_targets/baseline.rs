//! Any bytes as a `--baseline` file: refused in words or read; a baseline that reads
//! writes back to entries that read the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("baseline.json");
    let Ok(entries) = commsplan::baseline::parse(path, text) else {
        return;
    };
    let file = commsplan_fuzz::scratch().join("baseline.json");
    commsplan::baseline::write(&file, &entries).expect("baseline writes");
    let again = commsplan::baseline::read(&file).expect("a written baseline reads");
    assert_eq!(entries, again);
});
