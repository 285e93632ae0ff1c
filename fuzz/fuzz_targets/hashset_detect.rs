//! Hash-list import with the format detected from the content, as
//! `spoor hashset import` does by default: every importer is reachable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spoor_hashset::detect_format(data);
    spoor_fuzz::import(data, None);
});
