//! Hash-list importer(s): NsrlRds3, TskKdb. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoor_hashset::Format;

fuzz_target!(|data: &[u8]| {
    if let Some((format, list)) = spoor_fuzz::pick(data, &[Format::NsrlRds3, Format::TskKdb]) {
        spoor_fuzz::import(list, Some(format));
    }
});
