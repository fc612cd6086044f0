//! The configuration loader on arbitrary text: an error list or a snapshot, never a panic. Also runs the
//! text as a rule file through the policy compiler.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|text: &str| {
    let _ = airlock::config::load::load_str(text, Path::new("fuzz.toml"), true);
    let mut d = airlock::config::diag::Diagnostics::new(Path::new("rules.toml"), text);
    if let Some(raw) = airlock::config::toml_src::parse_strict::<airlock::policy::raw::RawRuleFile>(&mut d) {
        let _ = airlock::policy::compile::compile_file(raw, "fuzz", &mut d);
    }
});
