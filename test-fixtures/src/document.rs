//! Non-media files: plain text, CSV, HTML and a small stored ZIP archive.
//! The text is made up and harmless; only its bytes matter to the tests.

use std::fmt::Write as _;

use crate::scene::SplitMix64;

const WORDS: &[&str] = &[
    "garden", "river", "lantern", "maple", "orbit", "pebble", "harbour", "meadow", "violet",
    "copper", "window", "thistle", "signal", "canvas", "morning", "ladder", "cobalt", "kettle",
];

/// Seeded filler prose: `lines` lines of a few words each.
pub(crate) fn prose(seed: u64, lines: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut text = String::new();
    for _ in 0..lines {
        let words = 4 + rng.below(8) as usize;
        let line: Vec<&str> = (0..words)
            .map(|_| WORDS[rng.below(WORDS.len() as u32) as usize])
            .collect();
        text.push_str(&line.join(" "));
        text.push_str(".\n");
    }
    text.into_bytes()
}

/// A household budget table, with a quoted field holding a comma.
pub(crate) fn budget_csv(seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut text = String::from("month,item,amount\n");
    for month in 1..=12 {
        for item in ["rent", "\"food, drink\"", "travel"] {
            let amount = 10 + rng.below(990);
            let _ = writeln!(
                text,
                "2023-{month:02},{item},{amount}.{:02}",
                rng.below(100)
            );
        }
    }
    text.into_bytes()
}

/// A saved web page that refers to pictures in the tree.
pub(crate) fn html_page(seed: u64) -> Vec<u8> {
    let body = String::from_utf8_lossy(&prose(seed, 6)).replace('\n', "<br>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>Holiday album</title></head>\n<body>\n<h1>Holiday album</h1>\n\
         <img src=\"../Pictures/holiday/sunset.png\" alt=\"sunset\">\n<p>{body}</p>\n\
         </body>\n</html>\n"
    )
    .into_bytes()
}

/// A valid ZIP archive holding `entries` uncompressed ("stored"), with a
/// fixed DOS timestamp so the bytes never change.
pub(crate) fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    const DOS_TIME: u16 = 12 << 11; // 12:00:00
    const DOS_DATE: u16 = ((2023 - 1980) << 9) | (6 << 5) | 15; // 2023-06-15
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let (size, name_len) = (data.len() as u32, name.len() as u16);

        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        out.extend_from_slice(&20_u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0_u16.to_le_bytes()); // flags
        out.extend_from_slice(&0_u16.to_le_bytes()); // method: stored
        out.extend_from_slice(&DOS_TIME.to_le_bytes());
        out.extend_from_slice(&DOS_DATE.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes()); // compressed
        out.extend_from_slice(&size.to_le_bytes()); // uncompressed
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes()); // extra length
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        central.extend_from_slice(&20_u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20_u16.to_le_bytes()); // version needed
        central.extend_from_slice(&0_u16.to_le_bytes()); // flags
        central.extend_from_slice(&0_u16.to_le_bytes()); // method
        central.extend_from_slice(&DOS_TIME.to_le_bytes());
        central.extend_from_slice(&DOS_DATE.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    let count = entries.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // this disk, disk with the directory
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes()); // comment length
    out
}

/// CRC-32 (IEEE), bit by bit: the archive is tiny, a table is not worth it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn zip_has_signatures_in_place() {
        let zip = stored_zip(&[("a.txt", b"hello")]);
        assert_eq!(&zip[..4], b"PK\x03\x04");
        assert_eq!(&zip[zip.len() - 22..zip.len() - 18], b"PK\x05\x06");
    }
}
