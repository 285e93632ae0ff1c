//! Hash-list importer(s): Vics, Caid. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoor_hashset::Format;

fuzz_target!(|data: &[u8]| {
    if let Some((format, list)) = spoor_fuzz::pick(data, &[Format::Vics, Format::Caid]) {
        spoor_fuzz::import(list, Some(format));
    }
});
