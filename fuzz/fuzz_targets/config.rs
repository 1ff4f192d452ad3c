//! Any text as `commsplan.toml`: a config never panics, and each problem is a located
//! finding in the config file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_config, findings) = commsplan::config::parse("commsplan.toml", text);
    for f in &findings {
        let loc = f
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("config finding without a location: {}", f.message));
        assert_eq!(&*loc.file, "commsplan.toml");
        assert!(loc.line >= 1 && loc.column >= 1, "{loc:?}");
    }
});
