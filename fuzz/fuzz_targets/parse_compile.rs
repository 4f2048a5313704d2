//! Fuzzes the whole read path: bytes → parse → migrate → compile. Properties: nothing panics,
//! overflows or hangs; a plan exists only without errors; formatting is a fixpoint; and the fast
//! strict reader agrees with the lenient one on every document it accepts.

#![no_main]

use floe_blueprint::{Catalog, format_bytes, parse_str, parse_value};
use floe_compiler::{NoResolver, check_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = check_bytes(data, Catalog::builtin(), &NoResolver, None);
    assert!(checked.plan.is_none() || !checked.diagnostics.iter().any(|d| d.is_error()));
    if let Ok(text) = format_bytes(data) {
        let again = format_bytes(text.as_bytes()).expect("canonical output must read back cleanly");
        assert_eq!(again, text, "formatting must be a fixpoint");
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
    {
        let fast = parse_str(text);
        let lenient = parse_value(value);
        assert_eq!(fast.blueprint, lenient.blueprint, "the two readers disagree");
        assert_eq!(fast.diagnostics.len(), lenient.diagnostics.len(), "the two readers disagree");
    }
});
