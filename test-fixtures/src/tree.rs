//! The evidence tree: what goes where, and the writer that records each
//! entry in the manifest as it creates it.

use std::collections::BTreeSet;
use std::ffi::{CString, OsStr};
use std::fs;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;

use crate::document;
use crate::manifest::{FixtureFile, Special};
use crate::picture::{self, Format, Recipe};
use crate::scene::{Look, SplitMix64};
use crate::{FixtureOptions, at};
use paths::*;

/// One picture and the names its bytes are stored under. The first path is
/// the "original"; the others are byte-identical duplicates.
struct PictureSpec {
    paths: &'static [&'static [u8]],
    recipe: Recipe,
    /// Written only when [`FixtureOptions::large`] is set.
    large: bool,
    /// Mode 000 after writing.
    unreadable: bool,
}

const fn pic(
    paths: &'static [&'static [u8]],
    format: Format,
    width: u32,
    height: u32,
    look: Look,
    seed: u64,
) -> PictureSpec {
    PictureSpec {
        paths,
        recipe: Recipe {
            format,
            width,
            height,
            look,
            seed,
            alpha: false,
            frames: 1,
            grain: 0,
        },
        large: false,
        unreadable: false,
    }
}

impl PictureSpec {
    const fn alpha(mut self) -> Self {
        self.recipe.alpha = true;
        self
    }

    const fn frames(mut self, frames: u32) -> Self {
        self.recipe.frames = frames;
        self
    }

    const fn grain(mut self, amplitude: u8) -> Self {
        self.recipe.grain = amplitude;
        self
    }

    const fn large_only(mut self) -> Self {
        self.large = true;
        self
    }

    const fn unreadable(mut self) -> Self {
        self.unreadable = true;
        self
    }
}

/// Evidence paths that the hash lists refer to by name.
pub(crate) mod paths {
    pub(crate) const IMG_0001: &[u8] = b"DCIM/100CAMERA/IMG_0001.JPG";
    pub(crate) const IMG_0002: &[u8] = b"DCIM/100CAMERA/IMG_0002.JPG";
    pub(crate) const IMG_0003_LARGE: &[u8] = b"DCIM/100CAMERA/IMG_0003.JPG";
    pub(crate) const IMG_0004: &[u8] = b"DCIM/100CAMERA/IMG_0004.JPG";
    pub(crate) const IMG_0005: &[u8] = b"DCIM/100CAMERA/IMG_0005.JPG";
    pub(crate) const SUNSET: &[u8] = b"Users/alex/Pictures/holiday/sunset.png";
    pub(crate) const MAP: &[u8] = b"Users/alex/Pictures/holiday/map.png";
    pub(crate) const ICON16: &[u8] = b"Users/alex/Pictures/icons/icon16.png";
    pub(crate) const ICON32: &[u8] = b"Users/alex/Pictures/icons/icon32.bmp";
    pub(crate) const LOGO: &[u8] = b"Users/alex/Pictures/icons/logo.bmp";
    pub(crate) const SPINNER: &[u8] = b"Users/alex/Pictures/anim/spinner.gif";
    pub(crate) const BADGE: &[u8] = b"Users/alex/Pictures/anim/badge.gif";
    pub(crate) const PAGE1: &[u8] = b"Users/alex/Pictures/scans/page-001.tiff";
    pub(crate) const PAGE2: &[u8] = b"Users/alex/Pictures/scans/page-002.tif";
    pub(crate) const BANNER: &[u8] = b"Users/alex/Pictures/web/banner.webp";
    pub(crate) const HERO: &[u8] = b"Users/alex/Pictures/web/hero.webp";
    pub(crate) const UEBERBLICK: &[u8] = "Users/alex/Pictures/überblick ☃.png".as_bytes();
    /// "café.jpg" in Latin-1: not valid UTF-8.
    pub(crate) const CAFE_LATIN1: &[u8] = b"Users/alex/Pictures/caf\xe9.jpg";
    pub(crate) const REPORT_DAT: &[u8] = b"Users/alex/Documents/report.dat";
    pub(crate) const PHOTO_PNG_AS_JPG: &[u8] = b"Users/alex/Downloads/photo.jpg";
    pub(crate) const NOISE: &[u8] = b"Users/alex/Downloads/noise.png";
    pub(crate) const LOCKED: &[u8] = b"Users/alex/Private/locked.jpg";

    pub(crate) const NOTES: &[u8] = b"Users/alex/Documents/notes.txt";
    pub(crate) const TODO: &[u8] = b"Users/alex/Documents/todo.txt";
    pub(crate) const BUDGET: &[u8] = b"Users/alex/Documents/budget.csv";
    pub(crate) const PAGE_HTML: &[u8] = b"Users/alex/Documents/index.html";
    pub(crate) const EMPTY: &[u8] = b"Users/alex/Documents/empty.txt";
    pub(crate) const ARCHIVE: &[u8] = b"Users/alex/Documents/archive.zip";
    pub(crate) const BLOB: &[u8] = b"tmp/cache/blob.bin";
    /// Starts with bytes 0xFF 0xFE: not valid UTF-8.
    pub(crate) const RAW_BIN: &[u8] = b"tmp/cache/a/b/\xff\xfe-raw.bin";
}

const PICTURES: &[PictureSpec] = &[
    pic(
        &[
            IMG_0001,
            b"Users/alex/Pictures/holiday/day1 beach.jpg",
            b"Users/alex/Downloads/IMG_0001 (1).JPG",
            b"tmp/cache/a/b/thumb-7f3a.jpg",
        ],
        Format::Jpeg,
        640,
        480,
        Look::Circles,
        0x0001,
    )
    .grain(12),
    pic(&[IMG_0002], Format::Jpeg, 1024, 768, Look::Blocks, 0x0002).grain(12),
    pic(
        &[IMG_0003_LARGE],
        Format::Jpeg,
        4000,
        3000,
        Look::Circles,
        0x0003,
    )
    .grain(24)
    .large_only(),
    pic(&[IMG_0004], Format::Jpeg, 320, 240, Look::Checker, 0x0004),
    pic(
        &[IMG_0005, b"Users/alex/Pictures/holiday/IMG_0005 (copy).JPG"],
        Format::Jpeg,
        640,
        480,
        Look::Gradient,
        0x0005,
    ),
    pic(&[SUNSET], Format::Png, 640, 480, Look::Gradient, 0x0101),
    pic(&[MAP], Format::Png, 320, 240, Look::Blocks, 0x0102),
    pic(&[ICON16], Format::Png, 16, 16, Look::Checker, 0x0103).alpha(),
    pic(&[ICON32], Format::Bmp, 32, 32, Look::Circles, 0x0201),
    pic(&[LOGO], Format::Bmp, 64, 48, Look::Blocks, 0x0202),
    pic(&[SPINNER], Format::Gif, 64, 48, Look::Circles, 0x0301).frames(3),
    pic(&[BADGE], Format::Gif, 120, 90, Look::Checker, 0x0302),
    pic(&[PAGE1], Format::Tiff, 320, 240, Look::Blocks, 0x0401),
    pic(&[PAGE2], Format::Tiff, 200, 150, Look::Gradient, 0x0402),
    pic(&[BANNER], Format::WebP, 256, 64, Look::Gradient, 0x0501),
    pic(&[HERO], Format::WebP, 320, 240, Look::Circles, 0x0502).alpha(),
    pic(&[UEBERBLICK], Format::Png, 64, 48, Look::Circles, 0x0601),
    pic(&[CAFE_LATIN1], Format::Jpeg, 160, 120, Look::Blocks, 0x0602),
    pic(&[REPORT_DAT], Format::Jpeg, 320, 240, Look::Circles, 0x0701),
    pic(
        &[PHOTO_PNG_AS_JPG],
        Format::Png,
        128,
        96,
        Look::Gradient,
        0x0702,
    ),
    pic(&[NOISE], Format::Png, 64, 64, Look::Noise, 0x0703),
    pic(&[LOCKED], Format::Jpeg, 48, 48, Look::Checker, 0x0801).unreadable(),
];

/// An empty folder, recorded as a "dir" special like every other folder.
const EMPTY_DIR: &[u8] = b"Users/alex/Music";
const DESKTOP: &[u8] = b"Users/alex/Desktop";

/// Encoded pictures, kept for the life of the process: the bytes never change,
/// and a test binary that generates many trees pays for the encoding once.
/// (Encoding the 4000x3000 JPEG takes about two seconds in a debug build,
/// because the encoder's generic code is compiled at this crate's opt-level.)
static ENCODED: [OnceLock<Result<Vec<u8>, String>>; PICTURES.len()] =
    [const { OnceLock::new() }; PICTURES.len()];

fn encoded(index: usize) -> io::Result<&'static [u8]> {
    ENCODED[index]
        .get_or_init(|| picture::encode(&PICTURES[index].recipe).map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| io::Error::other(format!("encoding {}: {e}", lossy(PICTURES[index].paths[0]))))
}

/// Writes the whole tree under `tree.root`; `out` is the generator's output
/// folder (for the outside file a symlink points to).
pub(crate) fn build(tree: &mut Tree, out: &Path, opts: &FixtureOptions) -> io::Result<()> {
    for (index, spec) in PICTURES.iter().enumerate() {
        if spec.large && !opts.large {
            continue;
        }
        let bytes = encoded(index)?;
        for path in spec.paths {
            tree.picture(path, bytes, &spec.recipe, spec.unreadable)?;
        }
    }

    let notes = document::prose(0x1001, 40);
    tree.file(NOTES, &notes)?;
    tree.file(TODO, &document::prose(0x1002, 5))?;
    tree.file(BUDGET, &document::budget_csv(0x1003))?;
    tree.file(PAGE_HTML, &document::html_page(0x1004))?;
    tree.file(EMPTY, &[])?;
    let readme = b"Synthetic test archive for Spoor. Nothing to see here.\n";
    tree.file(
        ARCHIVE,
        &document::stored_zip(&[("readme.txt", readme), ("notes.txt", &notes)]),
    )?;
    let mut rng = SplitMix64::new(0x2001);
    tree.file(BLOB, &rng.bytes(64 * 1024))?;
    tree.file(RAW_BIN, &rng.bytes(4 * 1024))?;

    // A file outside the evidence tree, reached only through a symlink.
    let outside = out.join("outside");
    fs::create_dir_all(&outside).map_err(|e| at(&outside, e))?;
    let secret = outside.join("secret.txt");
    fs::write(
        &secret,
        b"Outside the evidence tree: a walker must not reach this.\n",
    )
    .map_err(|e| at(&secret, e))?;

    let desktop = |name: &str| [DESKTOP, b"/", name.as_bytes()].concat();
    tree.symlink(&desktop("secret.txt"), secret.as_os_str().as_bytes())?;
    tree.symlink(&desktop("loop-a"), b"loop-b")?;
    tree.symlink(&desktop("loop-b"), b"loop-a")?;
    tree.symlink(&desktop("dangling.jpg"), b"../Pictures/deleted.jpg")?;
    tree.symlink(&desktop("up"), b"..")?;
    tree.symlink(&desktop("sunset.png"), b"../Pictures/holiday/sunset.png")?;

    tree.fifo(b"tmp/spoor.fifo")?;
    tree.socket(b"tmp/agent.sock")?;
    tree.dir(EMPTY_DIR)?;
    Ok(())
}

/// Writes entries under `root` and remembers them for the manifest.
pub(crate) struct Tree {
    root: PathBuf,
    files: Vec<FixtureFile>,
    specials: Vec<Special>,
    dirs: BTreeSet<Vec<u8>>,
}

impl Tree {
    pub(crate) fn new(root: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&root).map_err(|e| at(&root, e))?;
        Ok(Self {
            root,
            files: Vec::new(),
            specials: Vec::new(),
            dirs: BTreeSet::new(),
        })
    }

    /// The files and specials written, each sorted by path bytes.
    pub(crate) fn finish(mut self) -> (Vec<FixtureFile>, Vec<Special>) {
        for dir in std::mem::take(&mut self.dirs) {
            self.specials.push(Special {
                path_lossy: lossy(&dir),
                path: dir,
                kind: "dir".into(),
                link_target: None,
            });
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.specials.sort_by(|a, b| a.path.cmp(&b.path));
        (self.files, self.specials)
    }

    fn abs(&self, rel: &[u8]) -> PathBuf {
        self.root.join(OsStr::from_bytes(rel))
    }

    /// Creates every parent folder of `rel` and records each one.
    fn parents(&mut self, rel: &[u8]) -> io::Result<()> {
        let mut end = 0;
        let mut created = false;
        for (i, &b) in rel.iter().enumerate() {
            if b == b'/' {
                end = i;
                if self.dirs.insert(rel[..i].to_vec()) {
                    created = true;
                }
            }
        }
        if created {
            let dir = self.abs(&rel[..end]);
            fs::create_dir_all(&dir).map_err(|e| at(&dir, e))?;
        }
        Ok(())
    }

    pub(crate) fn dir(&mut self, rel: &[u8]) -> io::Result<()> {
        self.parents(&[rel, b"/"].concat())
    }

    pub(crate) fn file(&mut self, rel: &[u8], bytes: &[u8]) -> io::Result<()> {
        self.write(rel, bytes)?;
        self.files.push(describe(rel, bytes));
        Ok(())
    }

    fn picture(
        &mut self,
        rel: &[u8],
        bytes: &[u8],
        recipe: &Recipe,
        unreadable: bool,
    ) -> io::Result<()> {
        let path = self.write(rel, bytes)?;
        if unreadable {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o000))
                .map_err(|e| at(&path, e))?;
        }
        let name = rel.rsplit(|&b| b == b'/').next().unwrap_or(rel);
        self.files.push(FixtureFile {
            format: Some(recipe.format.name().into()),
            extension_mismatch: recipe.format.mismatches(name),
            width: Some(recipe.width),
            height: Some(recipe.height),
            unreadable,
            ..describe(rel, bytes)
        });
        Ok(())
    }

    fn write(&mut self, rel: &[u8], bytes: &[u8]) -> io::Result<PathBuf> {
        self.parents(rel)?;
        let path = self.abs(rel);
        fs::write(&path, bytes).map_err(|e| at(&path, e))?;
        Ok(path)
    }

    fn symlink(&mut self, rel: &[u8], target: &[u8]) -> io::Result<()> {
        self.parents(rel)?;
        let path = self.abs(rel);
        symlink(OsStr::from_bytes(target), &path).map_err(|e| at(&path, e))?;
        self.special(rel, "symlink", Some(target.to_vec()));
        Ok(())
    }

    fn fifo(&mut self, rel: &[u8]) -> io::Result<()> {
        self.parents(rel)?;
        let path = self.abs(rel);
        mkfifo(&path)?;
        self.special(rel, "fifo", None);
        Ok(())
    }

    /// A Unix socket file with nobody listening: bind, then drop.
    fn socket(&mut self, rel: &[u8]) -> io::Result<()> {
        self.parents(rel)?;
        let path = self.abs(rel);
        // sun_path holds about 108 bytes. For a deep output folder, bind
        // through the parent's descriptor in /proc so the address stays short.
        let listener = if path.as_os_str().len() < 100 {
            UnixListener::bind(&path)
        } else {
            let parent = path.parent().unwrap_or(&self.root);
            let dir = fs::File::open(parent).map_err(|e| at(parent, e))?;
            let name = path.file_name().unwrap_or_default().as_bytes();
            let mut short = format!("/proc/self/fd/{}/", dir.as_raw_fd()).into_bytes();
            short.extend_from_slice(name);
            UnixListener::bind(OsStr::from_bytes(&short))
        };
        drop(listener.map_err(|e| at(&path, e))?);
        self.special(rel, "socket", None);
        Ok(())
    }

    fn special(&mut self, rel: &[u8], kind: &str, link_target: Option<Vec<u8>>) {
        self.specials.push(Special {
            path: rel.to_vec(),
            path_lossy: lossy(rel),
            kind: kind.into(),
            link_target,
        });
    }
}

#[allow(unsafe_code)]
fn mkfifo(path: &Path) -> io::Result<()> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|e| at(path, io::Error::new(io::ErrorKind::InvalidInput, e)))?;
    // SAFETY: `c_path` is a NUL-terminated string that lives across the call;
    // mkfifo only reads it and keeps no pointer to it.
    let rc = unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) };
    if rc == 0 {
        Ok(())
    } else {
        Err(at(path, io::Error::last_os_error()))
    }
}

fn describe(rel: &[u8], bytes: &[u8]) -> FixtureFile {
    FixtureFile {
        path: rel.to_vec(),
        path_lossy: lossy(rel),
        size: bytes.len() as u64,
        md5: hex::encode(Md5::digest(bytes)),
        sha1: hex::encode(Sha1::digest(bytes)),
        sha256: hex::encode(Sha256::digest(bytes)),
        format: None,
        extension_mismatch: false,
        width: None,
        height: None,
        unreadable: false,
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
