//! A real case file with bytes flipped and maybe cut short: what a damaged
//! disk or a careless editor does. Verify must not panic, and a case whose
//! bytes did not change must verify as intact.
//!
//! Input: an optional cut (first byte odd: the next four bytes, modulo the
//! length, are the new length), then five-byte patches (u32 LE offset
//! modulo the length, one byte XORed in).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let template = spoor_fuzz::template_case();
    let mut bytes = template.to_vec();
    let mut rest = data;
    if let Some((&flag, tail)) = rest.split_first() {
        rest = tail;
        if flag & 1 == 1 && rest.len() >= 4 {
            let cut =
                u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize % bytes.len();
            bytes.truncate(cut);
            rest = &rest[4..];
        }
    }
    for patch in rest.chunks_exact(5) {
        if bytes.is_empty() {
            break;
        }
        let at =
            u32::from_le_bytes([patch[0], patch[1], patch[2], patch[3]]) as usize % bytes.len();
        bytes[at] ^= patch[4];
    }
    let dir = spoor_fuzz::scratch();
    let path = dir.path().join("case.spoor");
    std::fs::write(&path, &bytes).expect("write");
    spoor_fuzz::read_case(&path);
    if bytes == template {
        let report = spoor_case::verify::verify(&path).expect("the template verifies");
        assert!(
            report.is_intact(),
            "an unchanged case fails verification: {:?}",
            report.problems
        );
    }
});
