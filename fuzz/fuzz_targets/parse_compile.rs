//! Fuzzes the whole read path: bytes → parse → migrate → compile, plus the formatter's promise
//! that formatting is a fixpoint. Any panic, stack overflow or hang is a bug.

#![no_main]

use floe_blueprint::{Catalog, format_bytes};
use floe_compiler::{NoResolver, check_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = check_bytes(data, Catalog::builtin(), &NoResolver, None);
    assert!(checked.plan.is_none() || !checked.diagnostics.iter().any(|d| d.is_error()));
    if let Ok(text) = format_bytes(data) {
        let again = format_bytes(text.as_bytes()).expect("canonical output must read back cleanly");
        assert_eq!(again, text, "formatting must be a fixpoint");
    }
});
