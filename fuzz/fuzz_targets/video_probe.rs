//! The video path (crates/video over the system FFmpeg): probe, then a
//! tightly capped fingerprint. FFmpeg's own C code is not instrumented;
//! what is fuzzed is our side of it and that nothing it returns makes us
//! panic. Leak detection is off for this target (run.sh): FFmpeg's
//! allocations on damaged input are not ours to report.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = spoor_fuzz::scratch();
    let path = dir.path().join("clip");
    std::fs::write(&path, data).expect("write");
    let _ = spoor_video::probe(&path);
    let settings = spoor_video::VideoSettings {
        max_decode_secs: 5,
        max_frames: 64,
        max_pixels: 1 << 20,
        threads: 1,
        contact_sheet: None,
        ..spoor_video::VideoSettings::default()
    };
    let _ = spoor_video::fingerprint(&path, &settings, None);
});
