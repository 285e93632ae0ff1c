//! The scan's picture path: format from the content, capped decoding to
//! RGB, PDQ and its dihedral variants. libfuzzer-sys aborts on any panic,
//! so a decoder panic that `decode` would catch and turn into a warning is
//! reported here too (the scan survives it; the decoder still has a bug).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoor_pdq::decode::{Limits, decode};

fuzz_target!(|data: &[u8]| {
    // Smaller caps than the scan's, so one input cannot take the fuzzer's
    // whole memory limit; the logic is the same. No time cap: an input must
    // do the same thing on every run (libFuzzer's own -timeout catches a
    // slow one); the JPEG scan cap stays, as in the scan.
    let limits = Limits {
        max_pixels: 16_000_000,
        max_alloc: 256 << 20,
        max_decode_time: None,
        ..Limits::default()
    };
    match decode(data, &limits) {
        Ok(d) => {
            let (w, h) = (d.info.width, d.info.height);
            assert_eq!(
                d.rgb.len(),
                w as usize * h as usize * 3,
                "RGB buffer of a {w}x{h} picture"
            );
            assert!(u64::from(w) * u64::from(h) <= limits.max_pixels);
            let plain = spoor_pdq::hash_rgb(w, h, &d.rgb);
            let _ = spoor_pdq::dihedral_rgb(w, h, &d.rgb);
            assert!(plain.quality <= 100);
        }
        Err(e) => {
            let _ = (e.code(), e.to_string());
        }
    }
});
