//! Deterministic, benign fixtures for Spoor's tests and demos.
//!
//! [`generate`] writes, into an empty folder `OUT`:
//!
//! - `OUT/evidence/`: a small "seized" tree of synthetic pictures (gradients,
//!   circles, blocks, checkerboards, noise) in JPEG, PNG, GIF, BMP, TIFF and
//!   WebP, from 16x16 up to one 4000x3000 JPEG; duplicates under other names;
//!   a JPEG named `.dat` and a PNG named `.jpg`; text, CSV, HTML, ZIP, random
//!   binaries and an empty file; a mode-000 file; names that are not UTF-8;
//!   symlinks (outside the tree, a loop, dangling, to an ancestor), a FIFO and
//!   a Unix socket;
//! - `OUT/outside/secret.txt`, reachable only through a symlink;
//! - `OUT/hashsets/`: md5sum, sha1sum, sha256sum and CSV lists naming some of
//!   those files, with upper-case hex on a few lines and one malformed line;
//!   and sets in the exchange formats (VICS JSON 1.3 `#Media`, VICS 2.0 US
//!   `#Cases`, CAID (VICS 2.0 UK), NSRL RDS v3 SQLite (minimal build), NSRL
//!   RDS 2.x `NSRLFile.txt` in both column orders, HashKeeper `.hsh`, EnCase
//!   `.hash`, Sleuth Kit `.idx` and `.kdb`), each with the raw categories it
//!   gives in its [`FixtureSet`].
//!
//! Every byte comes from a seeded PRNG and deterministic encoders: two runs
//! give identical files. The returned [`Manifest`] holds each file's digests
//! and what each hash list names, so tests assert exact results.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let out = dir.path().join("fixture");
//! let manifest = spoor_fixtures::generate(&out, &spoor_fixtures::FixtureOptions { large: false })?;
//! let dat = manifest.file(b"Users/alex/Documents/report.dat").expect("listed");
//! assert_eq!(dat.format.as_deref(), Some("jpeg"));
//! assert!(dat.extension_mismatch);
//! let known = manifest.hashset("known.md5").expect("written");
//! assert!(known.lists.contains(&dat.path));
//! # Ok::<(), std::io::Error>(())
//! ```

mod camera;
mod document;
mod exchange;
mod exif;
mod hashlist;
mod hostile;
mod manifest;
mod pdq;
mod picture;
mod scene;
mod tree;

use std::fs;
use std::io;
use std::path::Path;

pub use hostile::{
    reachable_path,
    Decode, ExpectedWarning, HOSTILE_MANIFEST_VERSION, HostileEntry, HostileManifest, HostileOptions, PATH_MAX,
    Unprivileged,
};
pub use pdq::{PdqCopy, PdqManifest, generate_pdq};
pub use manifest::{
    CameraFile, CameraManifest, ExpectedGps, FixtureFile, FixtureSet, MANIFEST_VERSION, Manifest,
    Special,
};

/// What to include.
#[derive(Debug, Clone)]
pub struct FixtureOptions {
    /// Include the 4000x3000 JPEG (`DCIM/100CAMERA/IMG_0003.JPG`, about
    /// 1 MB); default `true`. Tests that only walk the tree can skip it.
    pub large: bool,
}

impl Default for FixtureOptions {
    fn default() -> Self {
        Self { large: true }
    }
}

/// Optional parts of the tree, all off by default. Kept apart from
/// [`FixtureOptions`] so that callers writing `FixtureOptions { large }`
/// keep compiling, and so that without them every output stays byte for
/// byte what it was.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Camera pictures under `evidence/Users/sam/Camera/` (JPEGs with EXIF
    /// of made-up cameras, series of near-duplicates, edits, re-encodes
    /// without EXIF, damaged EXIF, a screenshot, a known picture and a
    /// heavier edit of it), the alert list `hashsets/camera-known.md5`, and
    /// their answers in [`Manifest::camera`].
    pub camera: bool,
}

/// Writes the evidence tree, the outside file and the hash lists under
/// `out`, which must be empty or absent, and returns what was written.
///
/// The manifest's roots are absolute (`out` canonicalised), since one
/// symlink's target is the absolute path of `OUT/outside/secret.txt`.
pub fn generate(out: &Path, opts: &FixtureOptions) -> io::Result<Manifest> {
    generate_with(out, opts, &Extras::default())
}

/// [`generate`] with optional parts ([`Extras`]).
pub fn generate_with(out: &Path, opts: &FixtureOptions, extras: &Extras) -> io::Result<Manifest> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                let err =
                    io::Error::new(io::ErrorKind::AlreadyExists, "output folder is not empty");
                return Err(at(out, err));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(out).map_err(|e| at(out, e))?;
        }
        Err(e) => return Err(at(out, e)),
    }
    let out = fs::canonicalize(out).map_err(|e| at(out, e))?;
    let evidence_root = out.join("evidence");
    let hashsets_dir = out.join("hashsets");

    let mut evidence = tree::Tree::new(evidence_root.clone())?;
    tree::build(&mut evidence, &out, opts)?;
    let camera = extras
        .camera
        .then(|| camera::build(&mut evidence))
        .transpose()?;
    let (mut files, specials) = evidence.finish();
    if let Some(c) = &camera {
        c.annotate(&mut files);
    }
    let mut hashsets = hashlist::write_all(&hashsets_dir, &files)?;
    hashsets.extend(exchange::write_all(&hashsets_dir, &files)?);
    let camera = match camera {
        Some(c) => {
            hashsets.push(c.write_known_list(&hashsets_dir, &files)?);
            Some(c.manifest())
        }
        None => None,
    };

    Ok(Manifest {
        version: MANIFEST_VERSION,
        evidence_root,
        hashsets_dir,
        files,
        specials,
        hashsets,
        camera,
    })
}

/// Writes the hostile evidence tree (see the `hostile` module: damaged and
/// crafted pictures, decompression bombs, broken videos, sparse files, deep
/// and wide folders, odd names, unreadable entries, FIFOs, sockets and link
/// loops) under `out`, which must be empty or absent, and returns what was
/// written with the outcome a scan must record for each entry.
pub fn generate_hostile(out: &Path, opts: &HostileOptions) -> io::Result<HostileManifest> {
    empty_output(out)?;
    let out = fs::canonicalize(out).map_err(|e| at(out, e))?;
    hostile::build(&out, opts)
}

fn empty_output(out: &Path) -> io::Result<()> {
    match fs::read_dir(out) {
        Ok(mut entries) => match entries.next() {
            Some(_) => Err(at(out, io::Error::new(io::ErrorKind::AlreadyExists, "output folder is not empty"))),
            None => Ok(()),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(out).map_err(|e| at(out, e)),
        Err(e) => Err(at(out, e)),
    }
}

/// Prefixes an I/O error with the path it concerns, keeping its kind.
pub(crate) fn at(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}
