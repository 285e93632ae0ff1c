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

mod document;
mod exchange;
mod hashlist;
mod manifest;
mod picture;
mod scene;
mod tree;

use std::fs;
use std::io;
use std::path::Path;

pub use manifest::{FixtureFile, FixtureSet, MANIFEST_VERSION, Manifest, Special};

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

/// Writes the evidence tree, the outside file and the hash lists under
/// `out`, which must be empty or absent, and returns what was written.
///
/// The manifest's roots are absolute (`out` canonicalised), since one
/// symlink's target is the absolute path of `OUT/outside/secret.txt`.
pub fn generate(out: &Path, opts: &FixtureOptions) -> io::Result<Manifest> {
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
    let (files, specials) = evidence.finish();
    let mut hashsets = hashlist::write_all(&hashsets_dir, &files)?;
    hashsets.extend(exchange::write_all(&hashsets_dir, &files)?);

    Ok(Manifest {
        version: MANIFEST_VERSION,
        evidence_root,
        hashsets_dir,
        files,
        specials,
        hashsets,
    })
}

/// Prefixes an I/O error with the path it concerns, keeping its kind.
pub(crate) fn at(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}
