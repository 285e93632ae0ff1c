//! A hostile evidence tree: what damaged disks, half-written files and files
//! crafted against forensic tools look like, made from benign synthetic
//! bytes.
//!
//! [`crate::generate_hostile`] writes, into an empty folder `OUT`:
//!
//! - `OUT/evidence/pictures/<format>/`: for each of JPEG, PNG, GIF, BMP, TIFF
//!   and WebP a valid picture, the same cut to its first 24 bytes, cut in
//!   half, three copies with eight bits flipped each, and one whose bytes
//!   after the header are zeroed; in `pictures/shapes/`, pictures of 1 × 1,
//!   4,000 × 1, 1 × 4,000 and 3 × 2 pixels;
//! - `OUT/evidence/bombs/`: every format declaring more pixels than any cap
//!   allows (a PNG of 100,000 × 100,000, a GIF whose screen and frame are
//!   65,535 × 65,535, ...) with almost no data, and a PNG flood that stays
//!   just inside the caps (10,000 × 10,000 16-bit RGBA: 800 MB of pixels
//!   from about 5 MB of file), which bounds what one picture may cost;
//! - `OUT/evidence/video/`: a generated video (with the `ffmpeg` CLI when it
//!   is installed) cut in half and cut to its header, and hand-made garbage
//!   behind an MP4 `ftyp` box and a Matroska header;
//! - `OUT/evidence/sparse/`: a sparse file of [`HostileOptions::sparse_bytes`]
//!   (no blocks written), and sparse files that start like a JPEG or PNG:
//!   one under the scan's 512 MiB picture cap, one over it;
//! - `OUT/evidence/deep/`: a chain of [`HostileOptions::chain_depth`] folders
//!   with a file at the bottom, and `beyond-path-max/`, a chain whose
//!   absolute path outgrows `PATH_MAX` (4,096 bytes) part-way;
//! - `OUT/evidence/wide/`: one folder with [`HostileOptions::wide_entries`]
//!   files;
//! - `OUT/evidence/times/`: files dated 1901, 1969 and 2446;
//! - `OUT/evidence/names/`: 255-byte names (ASCII, three-byte UTF-8, and
//!   bytes that are not UTF-8), control characters, a backslash;
//! - `OUT/evidence/noperm/`: files and folders this user owns but took
//!   every permission from (root still reads them; another user cannot);
//! - `OUT/evidence/specials/`: a FIFO, a socket, symbolic-link loops, a
//!   dangling link, links to an ancestor and outside the tree, and (when the
//!   generator may create one) a character device;
//! - `OUT/outside/`: the target of the link that leaves the tree.
//!
//! Every entry comes with what a scan must record for it
//! ([`HostileEntry::warnings`], [`HostileEntry::decode`]), so a test can
//! assert, path by path, that nothing was lost and every failure has its
//! reason. All bytes come from fixed seeds and the `image` encoders; the
//! cut video depends on the installed FFmpeg ([`HostileManifest::video_source`]).

use std::collections::HashSet;
use std::ffi::{CString, OsStr};
use std::fs;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::Sha256;

use crate::at;
use crate::picture::{self, Format, Recipe};
use crate::scene::{Look, SplitMix64};

/// Version of the hostile manifest's layout.
pub const HOSTILE_MANIFEST_VERSION: u32 = 1;

/// `PATH_MAX` on Linux, counting the terminating NUL: a path of this many
/// bytes or more cannot be passed to a system call.
pub const PATH_MAX: usize = 4096;

/// How big the costly parts are.
#[derive(Debug, Clone)]
pub struct HostileOptions {
    /// Files in `wide/` (default 20,000).
    pub wide_entries: usize,
    /// Folders in the `deep/` chain (default 1,000).
    pub chain_depth: usize,
    /// Logical size of `sparse/zeros.bin` (default 2 GiB; 0 leaves it out).
    /// Its digests are computed here, which reads that many zeros once.
    pub sparse_bytes: u64,
    /// The sparse files that start like pictures, 400 MiB and 600 MiB
    /// (default `true`).
    pub sparse_pictures: bool,
    /// The 10,000 × 10,000 16-bit PNG flood inside the caps (default `true`).
    pub pixel_flood: bool,
    /// Make the video with the `ffmpeg` CLI when it is installed (default
    /// `true`); otherwise only hand-made garbage is written.
    pub ffmpeg: bool,
}

impl Default for HostileOptions {
    fn default() -> Self {
        HostileOptions {
            wide_entries: 20_000,
            chain_depth: 1_000,
            sparse_bytes: 2 << 30,
            sparse_pictures: true,
            pixel_flood: true,
            ffmpeg: true,
        }
    }
}

/// Everything [`crate::generate_hostile`] wrote, with the expected outcome of
/// scanning each entry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HostileManifest {
    pub version: u32,
    /// `OUT/evidence`, absolute and canonical.
    pub evidence_root: PathBuf,
    /// Every entry under `evidence_root` (folders included), sorted by path
    /// bytes, including those a walk cannot reach ([`HostileEntry::listed`]).
    pub entries: Vec<HostileEntry>,
    /// `ffmpeg <version>` when the video was made with the FFmpeg CLI, else
    /// `hand-made`.
    pub video_source: String,
    /// Whether `specials/` holds a character device (creating one needs
    /// `CAP_MKNOD`).
    pub char_device: bool,
}

impl HostileManifest {
    /// The entry at `path` (relative, raw bytes).
    pub fn entry(&self, path: &[u8]) -> Option<&HostileEntry> {
        self.entries.binary_search_by(|e| e.path.as_slice().cmp(path)).ok().map(|i| &self.entries[i])
    }

    /// The absolute path of a relative evidence path.
    pub fn evidence_path(&self, rel: &[u8]) -> PathBuf {
        self.evidence_root.join(OsStr::from_bytes(rel))
    }

    /// Writes the manifest as pretty JSON.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        fs::write(path, json).map_err(|e| at(path, e))
    }
}

/// One entry of the hostile tree.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HostileEntry {
    /// Raw bytes relative to the evidence root, `/`-separated (hex in JSON).
    #[serde(with = "hex_path")]
    pub path: Vec<u8>,
    pub path_lossy: String,
    /// As the scan records it: `file`, `dir`, `symlink`, `fifo`, `socket`,
    /// `char_device`.
    pub kind: String,
    /// What the entry is, for failure messages and the docs.
    pub about: String,
    /// Logical size for files (a sparse file's full length).
    pub size: u64,
    /// Digests of a regular file's bytes (lower-case hex).
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    /// Whether a walk from the evidence root can reach it at all (every
    /// entry since the walk goes by descriptor, even past `PATH_MAX`).
    pub listed: bool,
    /// Exactly the warnings a scan by the owner (or root) records at this
    /// path, besides the picture decoder's (see `decode`).
    pub warnings: Vec<ExpectedWarning>,
    /// What the picture decoder makes of it.
    pub decode: Decode,
    /// For a scan by another user, who lacks the permissions the owner
    /// took away: whether it is listed and its warnings. `None`: as above.
    pub unprivileged: Option<Unprivileged>,
}

/// A warning a scan must record: its stage and a phrase of its reason.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ExpectedWarning {
    pub stage: String,
    pub reason_contains: String,
}

/// What a scan run by a user without the owner's rights must record.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Unprivileged {
    pub listed: bool,
    pub warnings: Vec<ExpectedWarning>,
}

/// The picture decoder's outcome for an entry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decode {
    /// Not a picture by its content: never decoded.
    NotAPicture,
    /// Decoded to these dimensions.
    Decoded { format: String, width: u32, height: u32 },
    /// Refused with a `decode` warning carrying one of these error codes.
    Refused { codes: Vec<String> },
    /// Damaged in a way some decoders tolerate: either decoded or refused
    /// with a `decode` warning, never both, never neither.
    DecoderDecides,
    /// Over the scan's picture size cap: a `decode` warning, not read.
    OverSizeCap,
    /// A video (not decoded by the picture decoder).
    Video,
}

mod hex_path {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        hex::decode(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Writes the hostile tree; see the module docs.
pub(crate) fn build(out: &Path, opts: &HostileOptions) -> io::Result<HostileManifest> {
    let root = out.join("evidence");
    let mut tree = Writer { root: root.clone(), entries: Vec::new(), dirs: HashSet::new() };
    fs::create_dir_all(&root).map_err(|e| at(&root, e))?;

    pictures(&mut tree)?;
    bombs(&mut tree, opts)?;
    let video_source = videos(&mut tree, out, opts)?;
    sparse(&mut tree, opts)?;
    deep(&mut tree, opts)?;
    wide(&mut tree, opts)?;
    names(&mut tree)?;
    times(&mut tree)?;
    let char_device = specials(&mut tree, out)?;
    // Last: taking permissions away must not stop the writes above.
    noperm(&mut tree)?;

    let mut entries = tree.entries;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(HostileManifest { version: HOSTILE_MANIFEST_VERSION, evidence_root: root, entries, video_source, char_device })
}

fn warn(stage: &str, reason_contains: &str) -> ExpectedWarning {
    ExpectedWarning { stage: stage.into(), reason_contains: reason_contains.into() }
}

/// Refused for declaring too many pixels (the decoder may notice the
/// memory it would need first).
fn too_big() -> Decode {
    Decode::Refused { codes: vec!["too_many_pixels".into(), "memory_limit".into()] }
}

/// Refused for its size, or as malformed by a decoder that checks
/// consistency first; either way before any pixel buffer is made.
fn too_big_or_malformed() -> Decode {
    Decode::Refused { codes: vec!["too_many_pixels".into(), "memory_limit".into(), "malformed".into()] }
}

// ---------------------------------------------------------------- pictures

const FORMATS: [(Format, &str); 6] = [
    (Format::Jpeg, "jpg"),
    (Format::Png, "png"),
    (Format::Gif, "gif"),
    (Format::Bmp, "bmp"),
    (Format::Tiff, "tif"),
    (Format::WebP, "webp"),
];

fn base_recipe(format: Format, seed: u64) -> Recipe {
    Recipe { format, width: 96, height: 64, look: Look::Circles, seed, alpha: false, frames: 1, grain: 0 }
}

fn pictures(tree: &mut Writer) -> io::Result<()> {
    for (i, (format, ext)) in FORMATS.into_iter().enumerate() {
        let recipe = base_recipe(format, 0xBAD0 + i as u64);
        let bytes = picture::encode(&recipe)?;
        let dir = format!("pictures/{}", format.name());
        let name = |stem: &str| format!("{dir}/{stem}.{ext}").into_bytes();
        tree.file(
            &name("valid"),
            &bytes,
            format!("a valid {} picture, 96x64", format.name()),
            Decode::Decoded { format: format.name().into(), width: 96, height: 64 },
        )?;
        // 24 bytes hold the signature and part of the header, never the
        // dimensions and the data together.
        tree.file(
            &name("cut-header"),
            &bytes[..24],
            format!("a {} picture cut to its first 24 bytes", format.name()),
            Decode::Refused { codes: vec!["malformed".into()] },
        )?;
        tree.file(
            &name("cut-half"),
            &bytes[..bytes.len() / 2],
            format!("a {} picture cut in half ({} of {} bytes)", format.name(), bytes.len() / 2, bytes.len()),
            Decode::DecoderDecides,
        )?;
        let mut rng = SplitMix64::new(0xF11F + i as u64);
        for n in 1..=3 {
            let mut flipped = bytes.clone();
            for _ in 0..8 {
                // Past the first 16 bytes, so the format is still recognised.
                let at = 16 + rng.below((flipped.len() - 16) as u32) as usize;
                flipped[at] ^= 1 << rng.below(8);
            }
            tree.file(
                &name(&format!("flip-{n}")),
                &flipped,
                format!("a {} picture with eight bits flipped", format.name()),
                Decode::DecoderDecides,
            )?;
        }
        let mut zeroed = bytes.clone();
        let keep = 64.min(zeroed.len());
        zeroed[keep..].fill(0);
        tree.file(
            &name("zeroed"),
            &zeroed,
            format!("a {} picture with every byte after the first 64 zeroed", format.name()),
            Decode::DecoderDecides,
        )?;
    }
    // Extreme shapes: one pixel, one row, one column.
    for (format, ext, w, h) in [(Format::Png, "png", 1, 1), (Format::Png, "png", 4000, 1), (Format::Gif, "gif", 1, 4000), (Format::Jpeg, "jpg", 3, 2)] {
        let recipe = Recipe { width: w, height: h, ..base_recipe(format, 0x5AA0 + u64::from(w)) };
        tree.file(
            format!("pictures/shapes/{w}x{h}.{ext}").as_bytes(),
            &picture::encode(&recipe)?,
            format!("a {w}x{h} {}", format.name()),
            Decode::Decoded { format: format.name().into(), width: w, height: h },
        )?;
    }
    // A TIFF whose first directory names itself as the next one: a walker of
    // the directory chain that does not watch for loops never ends.
    tree.file(
        b"pictures/tiff/ifd-loop.tif",
        &tiff_ifd_loop()?,
        "a TIFF whose first IFD links to itself".into(),
        Decode::DecoderDecides,
    )?;
    // A PNG chunk claiming 4 GiB.
    let mut png = picture::encode(&base_recipe(Format::Png, 0xBAD9))?;
    png.truncate(33); // signature + IHDR
    png.extend_from_slice(&u32::MAX.to_be_bytes());
    png.extend_from_slice(b"IDAT\x78\x9c");
    tree.file(
        b"pictures/png/chunk-4gib.png",
        &png,
        "a PNG whose IDAT chunk claims 4 GiB".into(),
        Decode::Refused { codes: vec!["malformed".into()] },
    )?;
    Ok(())
}

/// A small valid TIFF with its IFD's next-IFD offset pointing to itself.
fn tiff_ifd_loop() -> io::Result<Vec<u8>> {
    let mut bytes = picture::encode(&base_recipe(Format::Tiff, 0xBAD8))?;
    let ifd = u32::from_le_bytes(word(&bytes, 4)?) as usize;
    let count = u16::from_le_bytes([byte(&bytes, ifd)?, byte(&bytes, ifd + 1)?]) as usize;
    let next = ifd + 2 + 12 * count;
    let at = bytes.get_mut(next..next + 4).ok_or_else(|| io::Error::other("TIFF shorter than its IFD"))?;
    at.copy_from_slice(&(ifd as u32).to_le_bytes());
    Ok(bytes)
}

fn byte(b: &[u8], at: usize) -> io::Result<u8> {
    b.get(at).copied().ok_or_else(|| io::Error::other("encoded picture shorter than expected"))
}

fn word(b: &[u8], at: usize) -> io::Result<[u8; 4]> {
    Ok([byte(b, at)?, byte(b, at + 1)?, byte(b, at + 2)?, byte(b, at + 3)?])
}

// ------------------------------------------------------------------- bombs

fn bombs(tree: &mut Writer, opts: &HostileOptions) -> io::Result<()> {
    // PNG: a real header claiming 100,000 x 100,000, one empty IDAT.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(&mut png, b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01");
    png_chunk(&mut png, b"IEND", b"");
    tree.file(b"bombs/png-100000x100000.png", &png, "a PNG declaring 100,000 x 100,000 pixels".into(), too_big())?;

    // GIF: logical screen and first frame of 65,535 x 65,535.
    let mut gif = picture::encode(&base_recipe(Format::Gif, 0xB0B1))?;
    gif[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let descriptor = gif_first_descriptor(&gif)?;
    gif[descriptor + 5..descriptor + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    tree.file(b"bombs/gif-65535x65535.gif", &gif, "a GIF whose screen and first frame are 65,535 x 65,535".into(), too_big())?;

    // JPEG: a valid picture whose frame header says 65,500 x 65,500.
    let mut jpeg = picture::encode(&base_recipe(Format::Jpeg, 0xB0B2))?;
    let sof = find(&jpeg, &[0xFF, 0xC0]).ok_or_else(|| io::Error::other("no SOF0 in the encoded JPEG"))?;
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xDC, 0xFF, 0xDC]);
    tree.file(b"bombs/jpeg-65500x65500.jpg", &jpeg, "a JPEG whose frame header says 65,500 x 65,500".into(), too_big())?;

    // BMP: 100,000 x 100,000 in the info header.
    let mut bmp = picture::encode(&base_recipe(Format::Bmp, 0xB0B3))?;
    bmp[18..22].copy_from_slice(&100_000i32.to_le_bytes());
    bmp[22..26].copy_from_slice(&100_000i32.to_le_bytes());
    // The BMP decoder has its own limit (65,535 per side) and calls it a
    // format error.
    tree.file(b"bombs/bmp-100000x100000.bmp", &bmp, "a BMP declaring 100,000 x 100,000 pixels".into(), too_big_or_malformed())?;

    // TIFF: width and length tags of 65,535.
    let mut tiff = picture::encode(&base_recipe(Format::Tiff, 0xB0B4))?;
    tiff_set_dimensions(&mut tiff, 65_535)?;
    // Its strips no longer match the size: refused as inconsistent first.
    tree.file(b"bombs/tiff-65535x65535.tif", &tiff, "a TIFF declaring 65,535 x 65,535 pixels".into(), too_big_or_malformed())?;

    // WebP (lossless): the largest size its header can say, 16,384 x 16,384.
    let mut webp = picture::encode(&base_recipe(Format::WebP, 0xB0B5))?;
    if &webp[12..16] != b"VP8L" || webp[20] != 0x2F {
        return Err(io::Error::other("the WebP encoder did not write a plain VP8L file"));
    }
    let bits = u32::from_le_bytes(word(&webp, 21)?);
    let bits = (bits & !0x0FFF_FFFF) | 16_383 | (16_383 << 14);
    webp[21..25].copy_from_slice(&bits.to_le_bytes());
    // The RIFF chunk sizes no longer match: refused as inconsistent first.
    tree.file(b"bombs/webp-16384x16384.webp", &webp, "a lossless WebP declaring 16,384 x 16,384 pixels".into(), too_big_or_malformed())?;

    if opts.pixel_flood {
        let (w, h) = (10_000u32, 10_000u32);
        let flood = png_zero_flood(w, h)?;
        tree.file(
            b"bombs/png-flood-10000x10000-rgba16.png",
            &flood,
            format!(
                "a PNG of {w} x {h} 16-bit RGBA zeros ({} MB of pixels in {} KB): inside the pixel cap, the most one picture may cost",
                u64::from(w) * u64::from(h) * 8 / 1_000_000,
                flood.len() / 1000
            ),
            Decode::Decoded { format: "png".into(), width: w, height: h },
        )?;
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Offset of the first image descriptor (0x2C) of a GIF, skipping the global
/// palette and extension blocks.
fn gif_first_descriptor(b: &[u8]) -> io::Result<usize> {
    let flags = byte(b, 10)?;
    let mut p = 13;
    if flags & 0x80 != 0 {
        p += 3 << ((flags & 7) + 1);
    }
    loop {
        match byte(b, p)? {
            0x2C => return Ok(p),
            0x21 => {
                p += 2;
                loop {
                    let n = usize::from(byte(b, p)?);
                    p += 1 + n;
                    if n == 0 {
                        break;
                    }
                }
            }
            other => return Err(io::Error::other(format!("unexpected GIF block 0x{other:02x}"))),
        }
    }
}

/// Sets ImageWidth (256) and ImageLength (257) of a little-endian TIFF's
/// first IFD.
fn tiff_set_dimensions(b: &mut [u8], side: u32) -> io::Result<()> {
    if &b[..2] != b"II" {
        return Err(io::Error::other("the TIFF encoder wrote big-endian"));
    }
    let ifd = u32::from_le_bytes(word(b, 4)?) as usize;
    let count = u16::from_le_bytes([byte(b, ifd)?, byte(b, ifd + 1)?]) as usize;
    let mut done = 0;
    for i in 0..count {
        let e = ifd + 2 + 12 * i;
        let tag = u16::from_le_bytes([byte(b, e)?, byte(b, e + 1)?]);
        let kind = u16::from_le_bytes([byte(b, e + 2)?, byte(b, e + 3)?]);
        if tag == 256 || tag == 257 {
            match kind {
                3 => b[e + 8..e + 10].copy_from_slice(&(side.min(65_535) as u16).to_le_bytes()),
                4 => b[e + 8..e + 12].copy_from_slice(&side.to_le_bytes()),
                other => return Err(io::Error::other(format!("TIFF dimension of type {other}"))),
            }
            done += 1;
        }
    }
    if done == 2 { Ok(()) } else { Err(io::Error::other("TIFF without both dimension tags")) }
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// A PNG of `w` x `h` 16-bit RGBA pixels, all zero, whose zlib stream is
/// written by hand with fixed Huffman codes: one literal zero, then matches
/// of 258 bytes at distance 1 (13 bits each), so 800 MB of scanlines cost
/// about 5 MB and no buffer of the decoded size is ever made here.
fn png_zero_flood(w: u32, h: u32) -> io::Result<Vec<u8>> {
    let raw = (u64::from(w) * 8 + 1) * u64::from(h); // filter byte + pixels per row
    let mut bits = BitWriter::default();
    bits.push(1, 1); // BFINAL
    bits.push(1, 2); // BTYPE = 01, fixed Huffman
    bits.code(0x30, 8); // literal 0
    let mut left = raw - 1;
    while left >= 258 {
        bits.code(0xC5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    let mut zlib = vec![0x78, 0x01];
    zlib.extend_from_slice(&bits.finish());
    let adler = (((raw % 65_521) as u32) << 16) | 1;
    zlib.extend_from_slice(&adler.to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    for part in zlib.chunks(1 << 20) {
        png_chunk(&mut png, b"IDAT", part);
    }
    png_chunk(&mut png, b"IEND", b"");
    Ok(png)
}

/// Bits packed least-significant first, as deflate stores them.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn push(&mut self, value: u32, len: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which deflate stores most-significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.push(code.reverse_bits() >> (32 - len), len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

// ------------------------------------------------------------------- video

fn videos(tree: &mut Writer, out: &Path, opts: &HostileOptions) -> io::Result<String> {
    let mut rng = SplitMix64::new(0x51DE0);
    // An MP4 `ftyp` box, then noise.
    let mut mp4 = Vec::new();
    mp4.extend_from_slice(&24u32.to_be_bytes());
    mp4.extend_from_slice(b"ftypisom\x00\x00\x02\x00isomiso2");
    mp4.extend_from_slice(&rng.bytes(64 * 1024));
    tree.broken_video(b"video/garbage-ftyp.mp4", &mp4, "an MP4 ftyp box followed by 64 KiB of noise".into())?;
    // A box that claims to be larger than the file.
    let mut huge = Vec::new();
    huge.extend_from_slice(&24u32.to_be_bytes());
    huge.extend_from_slice(b"ftypisom\x00\x00\x02\x00isomiso2");
    huge.extend_from_slice(&1u32.to_be_bytes()); // 64-bit size follows
    huge.extend_from_slice(b"moov");
    huge.extend_from_slice(&u64::MAX.to_be_bytes());
    huge.extend_from_slice(&rng.bytes(1024));
    tree.broken_video(b"video/moov-size-max.mp4", &huge, "an MP4 whose moov box claims 2^64 bytes".into())?;
    // Matroska's EBML header, then noise.
    let mut mkv = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01];
    mkv.extend_from_slice(&rng.bytes(32 * 1024));
    tree.file(b"video/garbage-ebml.mkv", &mkv, "a Matroska EBML header followed by 32 KiB of noise".into(), Decode::Video)?;

    if !opts.ffmpeg {
        return Ok("hand-made".into());
    }
    let Some(version) = ffmpeg_version() else { return Ok("hand-made".into()) };
    let work = out.join("video-work");
    fs::create_dir_all(&work).map_err(|e| at(&work, e))?;
    let made = work.join("clip.mp4");
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=size=160x120:rate=10:duration=2")
        .args(["-c:v", "mpeg4", "-q:v", "5", "-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1"])
        .arg(&made)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| at(&made, e))?;
    let bytes = if status.success() { fs::read(&made).map_err(|e| at(&made, e))? } else { Vec::new() };
    fs::remove_dir_all(&work).map_err(|e| at(&work, e))?;
    if bytes.len() < 1024 {
        return Ok("hand-made".into());
    }
    tree.file(b"video/clip.mp4", &bytes, "a 2-second MPEG-4 test pattern made by the ffmpeg CLI".into(), Decode::Video)?;
    tree.broken_video(b"video/clip-cut-half.mp4", &bytes[..bytes.len() / 2], "the same video cut in half".into())?;
    tree.broken_video(b"video/clip-cut-header.mp4", &bytes[..64], "the same video cut to its first 64 bytes".into())?;
    Ok(version)
}

fn ffmpeg_version() -> Option<String> {
    let out = Command::new("ffmpeg").arg("-version").stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next()?;
    // "ffmpeg version 5.1.6-0+deb12u1 Copyright ..."
    let version = first.strip_prefix("ffmpeg version ")?.split_whitespace().next()?;
    Some(format!("ffmpeg {version}"))
}

// ------------------------------------------------------------------ sparse

fn sparse(tree: &mut Writer, opts: &HostileOptions) -> io::Result<()> {
    if opts.sparse_bytes > 0 {
        let n = opts.sparse_bytes;
        tree.sparse(
            b"sparse/zeros.bin",
            &[],
            n,
            format!("a sparse file of {n} bytes, no block written"),
            vec![],
            Decode::NotAPicture,
        )?;
    }
    if opts.sparse_pictures {
        let jpeg = picture::encode(&base_recipe(Format::Jpeg, 0x5A5A))?;
        let head = &jpeg[..jpeg.len().min(600)];
        tree.sparse(
            b"sparse/under-cap-400mib.jpg",
            head,
            400 << 20,
            "600 bytes of a JPEG, then sparse zeros to 400 MiB (under the 512 MiB picture cap: read whole for decoding)".into(),
            vec![],
            Decode::Refused { codes: vec!["malformed".into()] },
        )?;
        let png = picture::encode(&base_recipe(Format::Png, 0x5A5B))?;
        tree.sparse(
            b"sparse/over-cap-600mib.png",
            &png[..64.min(png.len())],
            600 << 20,
            "64 bytes of a PNG, then sparse zeros to 600 MiB (over the 512 MiB picture cap)".into(),
            vec![],
            Decode::OverSizeCap,
        )?;
    }
    Ok(())
}

// ------------------------------------------------------------------- paths

/// Folders are made and files written through `/proc/self/fd/N/NAME`, so a
/// chain deeper than `PATH_MAX` can be built without `chdir`.
fn deep(tree: &mut Writer, opts: &HostileOptions) -> io::Result<()> {
    // deep/d/d/.../d/bottom.txt: about 2 KB of path, under PATH_MAX.
    let mut rel = b"deep".to_vec();
    tree.dir(&rel, "the top of a chain of folders".into())?;
    for level in 1..=opts.chain_depth {
        rel.extend_from_slice(b"/d");
        tree.dir(&rel, format!("folder {level} of a chain of {}", opts.chain_depth))?;
    }
    rel.extend_from_slice(b"/bottom.txt");
    tree.file(&rel, b"the bottom of the chain\n", format!("a file under {} folders", opts.chain_depth), Decode::NotAPicture)?;

    // beyond-path-max/<200 x 'p'>/... : 40 levels, about 8 KB of path.
    let top = b"beyond-path-max".to_vec();
    tree.dir(&top, "the top of a chain whose path outgrows PATH_MAX".into())?;
    let component = vec![b'p'; 200];
    let mut rel = top;
    for level in 1..=40 {
        rel.push(b'/');
        rel.extend_from_slice(&component);
        let abs_len = tree.root.as_os_str().len() + 1 + rel.len();
        // Walked by descriptor, so no length of path is too long.
        let about = format!("level {level} of a chain of 200-byte names ({abs_len} bytes of absolute path)");
        tree.dir_with(&rel, about, true, vec![])?;
    }
    rel.extend_from_slice(b"/hidden.txt");
    let abs_len = tree.root.as_os_str().len() + 1 + rel.len();
    let bytes = b"a file no path-based walk can reach\n";
    let entry = tree.file_entry(&rel, bytes, format!("a file {abs_len} bytes deep"), Decode::NotAPicture);
    tree.write_via_fd(&rel, bytes)?;
    tree.entries.push(entry);
    Ok(())
}

fn wide(tree: &mut Writer, opts: &HostileOptions) -> io::Result<()> {
    tree.dir(b"wide", format!("a folder of {} files", opts.wide_entries))?;
    let dir = tree.root.join("wide");
    for i in 0..opts.wide_entries {
        let rel = format!("wide/f{i:06}.txt").into_bytes();
        let bytes = format!("{i}\n").into_bytes();
        let path = dir.join(format!("f{i:06}.txt"));
        fs::write(&path, &bytes).map_err(|e| at(&path, e))?;
        tree.entries.push(tree.file_entry(&rel, &bytes, "one of many".into(), Decode::NotAPicture));
    }
    Ok(())
}

fn names(tree: &mut Writer) -> io::Result<()> {
    tree.dir(b"names", "odd names".into())?;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![b'n'; 255], "a 255-byte ASCII name"),
        ("€".repeat(85).into_bytes(), "a 255-byte name of 85 three-byte UTF-8 characters"),
        (vec![0xFF; 255], "a 255-byte name of 0xFF bytes (not UTF-8)"),
        (b"caf\xe9.txt".to_vec(), "a Latin-1 name (not UTF-8)"),
        (b"\xc3(.txt".to_vec(), "an invalid UTF-8 sequence"),
        (b"new\nline.txt".to_vec(), "a name with a newline"),
        (b"tab\tesc\x1b[31mred.txt".to_vec(), "a name with a tab and a terminal escape"),
        (b"back\\slash.txt".to_vec(), "a name with a backslash"),
        (b"-rf".to_vec(), "a name that looks like an option"),
        (b" leading and trailing space ".to_vec(), "a name with spaces at both ends"),
        (b"\xe2\x80\xaetxt.exe".to_vec(), "a name with a right-to-left override"),
    ];
    for (i, (name, about)) in cases.into_iter().enumerate() {
        let rel = [b"names/".as_slice(), &name].concat();
        tree.file(&rel, format!("odd name {i}\n").as_bytes(), about.into(), Decode::NotAPicture)?;
    }
    Ok(())
}

/// Files dated before 1970 and far in the future (ext4 holds 1901 to 2446).
fn times(tree: &mut Writer) -> io::Result<()> {
    let epoch = std::time::UNIX_EPOCH;
    let cases: [(&[u8], &str, Option<std::time::SystemTime>); 3] = [
        (b"times/1901-12-13.txt", "a file dated 1901-12-13 (-2^31 s)", epoch.checked_sub(std::time::Duration::from_secs(1 << 31))),
        (b"times/1969-12-31.txt", "a file dated one second before the epoch", epoch.checked_sub(std::time::Duration::from_secs(1))),
        (b"times/2446-05-10.txt", "a file dated 2446-05-10 (ext4's last year)", epoch.checked_add(std::time::Duration::from_secs(15_032_385_535))),
    ];
    for (rel, about, when) in cases {
        tree.file(rel, about.as_bytes(), about.into(), Decode::NotAPicture)?;
        let path = tree.abs(rel);
        if let Some(when) = when {
            let f = fs::File::options().write(true).open(&path).map_err(|e| at(&path, e))?;
            f.set_times(fs::FileTimes::new().set_modified(when).set_accessed(when)).map_err(|e| at(&path, e))?;
        }
    }
    Ok(())
}

/// Returns whether a character device was made.
fn specials(tree: &mut Writer, out: &Path) -> io::Result<bool> {
    tree.dir(b"specials", "FIFOs, sockets and links".into())?;
    let outside = out.join("outside");
    fs::create_dir_all(&outside).map_err(|e| at(&outside, e))?;
    let target = outside.join("target.txt");
    fs::write(&target, b"outside the evidence\n").map_err(|e| at(&target, e))?;

    let fifo = tree.abs(b"specials/pipe.fifo");
    mkfifo(&fifo)?;
    tree.special(b"specials/pipe.fifo", "fifo", "a FIFO with no writer (opening it for reading would block)", vec![warn("walk", "FIFO")]);

    let sock = tree.abs(b"specials/agent.sock");
    drop(UnixListener::bind(&sock).map_err(|e| at(&sock, e))?);
    tree.special(b"specials/agent.sock", "socket", "a Unix socket nobody listens on", vec![warn("walk", "socket")]);

    // (path, target (empty: the outside file), about, expected warning)
    type Link<'a> = (&'a [u8], &'a [u8], &'a str, Option<&'a str>);
    let links: [Link<'_>; 6] = [
        (b"specials/loop-a", b"loop-b", "a link to loop-b, which links back", Some("loop")),
        (b"specials/loop-b", b"loop-a", "a link to loop-a, which links back", Some("loop")),
        (b"specials/self", b"self", "a link to itself", Some("loop")),
        (b"specials/dangling.jpg", b"../nowhere/gone.jpg", "a link to nothing", Some("dangling")),
        (b"specials/up", b"..", "a link to its own folder's parent", None),
        (b"specials/outside", b"", "a link to a file outside the evidence", Some("outside")),
    ];
    for (rel, target_bytes, about, expect) in links {
        let abs = tree.abs(rel);
        let to: &OsStr = if target_bytes.is_empty() { target.as_os_str() } else { OsStr::from_bytes(target_bytes) };
        symlink(to, &abs).map_err(|e| at(&abs, e))?;
        let warnings = expect.map(|w| vec![warn("walk", w)]).unwrap_or_default();
        tree.special(rel, "symlink", about, warnings);
    }

    let dev = tree.abs(b"specials/null-device");
    let char_device = mknod_null(&dev).is_ok();
    if char_device {
        tree.special(b"specials/null-device", "char_device", "a character device (1:3, like /dev/null)", vec![warn("walk", "character device")]);
    }
    Ok(char_device)
}

fn noperm(tree: &mut Writer) -> io::Result<()> {
    tree.dir(b"noperm", "entries whose owner took every permission away".into())?;
    let denied = || Some(Unprivileged { listed: true, warnings: vec![warn("read", "permission denied")] });

    tree.file(b"noperm/locked.bin", b"mode 000\n", "a file of mode 000".into(), Decode::NotAPicture)?;
    tree.file(b"noperm/write-only.bin", b"mode 200\n", "a file of mode 200 (write only)".into(), Decode::NotAPicture)?;
    tree.file(b"noperm/locked-dir/inside.txt", b"in a folder of mode 000\n", "a file in a folder of mode 000".into(), Decode::NotAPicture)?;
    tree.file(b"noperm/no-exec-dir/inside.txt", b"in a folder of mode 644\n", "a file in a folder of mode 644 (listable, not searchable)".into(), Decode::NotAPicture)?;
    for (rel, mode) in [
        (&b"noperm/locked.bin"[..], 0o000),
        (b"noperm/write-only.bin", 0o200),
        (b"noperm/locked-dir", 0o000),
        (b"noperm/no-exec-dir", 0o644),
    ] {
        let abs = tree.abs(rel);
        fs::set_permissions(&abs, fs::Permissions::from_mode(mode)).map_err(|e| at(&abs, e))?;
    }
    for e in &mut tree.entries {
        e.unprivileged = match e.path.as_slice() {
            b"noperm/locked.bin" | b"noperm/write-only.bin" => denied(),
            b"noperm/locked-dir" => Some(Unprivileged { listed: true, warnings: vec![warn("walk", "permission denied")] }),
            b"noperm/locked-dir/inside.txt" => Some(Unprivileged { listed: false, warnings: vec![] }),
            // Listed by name, but it cannot be stat'ed.
            b"noperm/no-exec-dir/inside.txt" => {
                Some(Unprivileged { listed: false, warnings: vec![warn("walk", "permission denied")] })
            }
            _ => continue,
        };
    }
    Ok(())
}

// ------------------------------------------------------------------ writer

struct Writer {
    root: PathBuf,
    entries: Vec<HostileEntry>,
    /// Folders recorded so far.
    dirs: HashSet<Vec<u8>>,
}

impl Writer {
    fn abs(&self, rel: &[u8]) -> PathBuf {
        self.root.join(OsStr::from_bytes(rel))
    }

    /// Records (and creates) every missing parent folder of `rel`.
    fn parents(&mut self, rel: &[u8]) -> io::Result<()> {
        for (i, &b) in rel.iter().enumerate() {
            if b == b'/' && !self.dirs.contains(&rel[..i]) {
                self.dir(&rel[..i], "a folder".into())?;
            }
        }
        Ok(())
    }

    fn dir(&mut self, rel: &[u8], about: String) -> io::Result<()> {
        self.dir_with(rel, about, true, vec![])
    }

    fn dir_with(&mut self, rel: &[u8], about: String, listed: bool, warnings: Vec<ExpectedWarning>) -> io::Result<()> {
        self.parents(rel)?;
        self.mkdir_via_fd(rel)?;
        self.dirs.insert(rel.to_vec());
        self.entries.push(HostileEntry {
            path: rel.to_vec(),
            path_lossy: lossy(rel),
            kind: "dir".into(),
            about,
            size: 0,
            md5: None,
            sha1: None,
            sha256: None,
            listed,
            warnings,
            decode: Decode::NotAPicture,
            unprivileged: None,
        });
        Ok(())
    }

    fn file(&mut self, rel: &[u8], bytes: &[u8], about: String, decode: Decode) -> io::Result<()> {
        self.parents(rel)?;
        let path = self.abs(rel);
        fs::write(&path, bytes).map_err(|e| at(&path, e))?;
        let entry = self.file_entry(rel, bytes, about, decode);
        self.entries.push(entry);
        Ok(())
    }

    /// A video that looks like one but that FFmpeg cannot open: the scan's
    /// video stage must say so in a warning.
    fn broken_video(&mut self, rel: &[u8], bytes: &[u8], about: String) -> io::Result<()> {
        self.file(rel, bytes, about, Decode::Video)?;
        if let Some(e) = self.entries.last_mut() {
            e.warnings.push(warn("video", "cannot be fingerprinted"));
        }
        Ok(())
    }

    fn file_entry(&self, rel: &[u8], bytes: &[u8], about: String, decode: Decode) -> HostileEntry {
        HostileEntry {
            path: rel.to_vec(),
            path_lossy: lossy(rel),
            kind: "file".into(),
            about,
            size: bytes.len() as u64,
            md5: Some(hex::encode(Md5::digest(bytes))),
            sha1: Some(hex::encode(Sha1::digest(bytes))),
            sha256: Some(hex::encode(Sha256::digest(bytes))),
            listed: true,
            warnings: vec![],
            decode,
            unprivileged: None,
        }
    }

    /// A file of `len` bytes that holds `head` and then a hole.
    fn sparse(
        &mut self,
        rel: &[u8],
        head: &[u8],
        len: u64,
        about: String,
        warnings: Vec<ExpectedWarning>,
        decode: Decode,
    ) -> io::Result<()> {
        self.parents(rel)?;
        let path = self.abs(rel);
        let mut f = fs::File::create(&path).map_err(|e| at(&path, e))?;
        f.write_all(head).map_err(|e| at(&path, e))?;
        f.set_len(len).map_err(|e| at(&path, e))?;
        let (md5, sha1, sha256) = digests_of_head_and_zeros(head, len);
        self.entries.push(HostileEntry {
            path: rel.to_vec(),
            path_lossy: lossy(rel),
            kind: "file".into(),
            about,
            size: len,
            md5: Some(md5),
            sha1: Some(sha1),
            sha256: Some(sha256),
            listed: true,
            warnings,
            decode,
            unprivileged: None,
        });
        Ok(())
    }

    fn special(&mut self, rel: &[u8], kind: &str, about: &str, warnings: Vec<ExpectedWarning>) {
        self.entries.push(HostileEntry {
            path: rel.to_vec(),
            path_lossy: lossy(rel),
            kind: kind.into(),
            about: about.into(),
            size: 0,
            md5: None,
            sha1: None,
            sha256: None,
            listed: true,
            warnings,
            decode: Decode::NotAPicture,
            unprivileged: None,
        });
    }

    /// Opens the deepest existing ancestor of `rel` that a path can name,
    /// then walks down by descriptor; returns the parent's descriptor and
    /// the last component.
    fn parent_fd(&self, rel: &[u8]) -> io::Result<(fs::File, Vec<u8>)> {
        let (parent, name) = match rel.iter().rposition(|&b| b == b'/') {
            Some(i) => (&rel[..i], rel[i + 1..].to_vec()),
            None => (&rel[..0], rel.to_vec()),
        };
        let mut dir = fs::File::open(&self.root).map_err(|e| at(&self.root, e))?;
        for component in parent.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
            let via = fd_path(&dir, component);
            dir = fs::File::open(&via).map_err(|e| at(&self.abs(rel), e))?;
        }
        Ok((dir, name))
    }

    fn mkdir_via_fd(&self, rel: &[u8]) -> io::Result<()> {
        let abs = self.abs(rel);
        if abs.as_os_str().len() < PATH_MAX - 1 {
            return fs::create_dir(&abs).map_err(|e| at(&abs, e));
        }
        let (dir, name) = self.parent_fd(rel)?;
        fs::create_dir(fd_path(&dir, &name)).map_err(|e| at(&self.abs(rel), e))
    }

    fn write_via_fd(&self, rel: &[u8], bytes: &[u8]) -> io::Result<()> {
        let (dir, name) = self.parent_fd(rel)?;
        fs::write(fd_path(&dir, &name), bytes).map_err(|e| at(&self.abs(rel), e))
    }
}

/// A path that reaches `root/rel` however long that is: through
/// `/proc/self/fd/N/` of its opened parent folder, which must be kept open
/// (the returned file) while the path is used. Short paths are returned as
/// they are (and no file).
pub fn reachable_path(root: &Path, rel: &[u8]) -> io::Result<(Option<fs::File>, PathBuf)> {
    let abs = root.join(OsStr::from_bytes(rel));
    if abs.as_os_str().len() < PATH_MAX - 1 {
        return Ok((None, abs));
    }
    let (parent, name) = match rel.iter().rposition(|&b| b == b'/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => (&rel[..0], rel),
    };
    let mut dir = fs::File::open(root).map_err(|e| at(root, e))?;
    for component in parent.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        dir = fs::File::open(fd_path(&dir, component)).map_err(|e| at(&abs, e))?;
    }
    let path = fd_path(&dir, name);
    Ok((Some(dir), path))
}

fn fd_path(dir: &fs::File, name: &[u8]) -> PathBuf {
    use std::os::fd::AsRawFd;
    let mut p = format!("/proc/self/fd/{}/", dir.as_raw_fd()).into_bytes();
    p.extend_from_slice(name);
    PathBuf::from(OsStr::from_bytes(&p))
}

/// The digests of `head` followed by zeros up to `len` bytes, the three
/// computed on three threads.
fn digests_of_head_and_zeros(head: &[u8], len: u64) -> (String, String, String) {
    fn feed<D: Digest>(head: &[u8], len: u64) -> String {
        let zeros = vec![0u8; 1 << 20];
        let mut d = D::new();
        d.update(head);
        let mut left = len - head.len() as u64;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            d.update(&zeros[..n]);
            left -= n as u64;
        }
        hex::encode(d.finalize())
    }
    std::thread::scope(|s| {
        let md5 = s.spawn(|| feed::<Md5>(head, len));
        let sha1 = s.spawn(|| feed::<Sha1>(head, len));
        let sha256 = feed::<Sha256>(head, len);
        let join = |h: std::thread::ScopedJoinHandle<'_, String>| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (join(md5), join(sha1), sha256)
    })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[allow(unsafe_code)]
fn mkfifo(path: &Path) -> io::Result<()> {
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|e| at(path, io::Error::new(io::ErrorKind::InvalidInput, e)))?;
    // SAFETY: `c_path` is NUL-terminated and outlives the call, which keeps
    // no pointer to it.
    let rc = unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) };
    if rc == 0 { Ok(()) } else { Err(at(path, io::Error::last_os_error())) }
}

/// A character device with /dev/null's numbers (1:3); needs `CAP_MKNOD`.
#[allow(unsafe_code)]
fn mknod_null(path: &Path) -> io::Result<()> {
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|e| at(path, io::Error::new(io::ErrorKind::InvalidInput, e)))?;
    // SAFETY: as in `mkfifo`; `makedev` is a pure computation.
    let rc = unsafe { libc::mknod(c_path.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 3)) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_flood_inflates_to_zero_scanlines() {
        // A tiny flood decodes with the image crate to all-zero pixels.
        let png = png_zero_flood(40, 30).expect("flood");
        let img = image::load_from_memory(&png).expect("decodes");
        assert_eq!((img.width(), img.height()), (40, 30));
        assert!(img.as_bytes().iter().all(|&b| b == 0));
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn digests_of_zeros_match_a_plain_digest() {
        let head = b"abc";
        let (md5, _, sha256) = digests_of_head_and_zeros(head, 3 + 3_000_000);
        let mut all = head.to_vec();
        all.resize(3 + 3_000_000, 0);
        assert_eq!(md5, hex::encode(Md5::digest(&all)));
        assert_eq!(sha256, hex::encode(Sha256::digest(&all)));
    }
}
