//! Hash-list importer(s): Csv, HashKeeper, NsrlRds2. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoor_hashset::Format;

fuzz_target!(|data: &[u8]| {
    if let Some((format, list)) =
        spoor_fuzz::pick(data, &[Format::Csv, Format::HashKeeper, Format::NsrlRds2])
    {
        spoor_fuzz::import(list, Some(format));
    }
});
