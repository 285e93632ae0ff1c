//! Hash-list importer(s): Md5sum, Sha1sum, Sha256sum. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoor_hashset::Format;

fuzz_target!(|data: &[u8]| {
    if let Some((format, list)) =
        spoor_fuzz::pick(data, &[Format::Md5sum, Format::Sha1sum, Format::Sha256sum])
    {
        spoor_fuzz::import(list, Some(format));
    }
});
