//! Opening and verifying a case file made of arbitrary bytes (seeded with
//! a real case): `spoor verify`, `case show`, `hits` and `warnings` must
//! answer with an error or a report, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = spoor_fuzz::scratch();
    let path = dir.path().join("case.spoor");
    std::fs::write(&path, data).expect("write");
    spoor_fuzz::read_case(&path);
});
