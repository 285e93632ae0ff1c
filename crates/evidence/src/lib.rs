//! Evidence sources. Today: a mounted folder, walked read-only.
//!
//! The walk never follows symbolic links (a link is reported as a link with
//! its target), stays on the file system of the root, and never opens FIFOs,
//! sockets or devices: it only `lstat`s them. Paths are kept as raw bytes so a
//! name that is not valid UTF-8 survives into the case file and the reports.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("spoor-evidence-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("a"))?;
//! std::fs::write(dir.join("a/file.txt"), b"hello")?;
//! let entries: Vec<_> = spoor_evidence::walk(&dir).collect();
//! let file = entries.iter().filter_map(|e| e.as_ref().ok()).find(|e| e.rel_path == b"a/file.txt").expect("walked");
//! assert_eq!(file.kind, spoor_evidence::EntryKind::File);
//! assert_eq!(file.size, 5);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```

use std::ffi::OsStr;
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// What a walked entry is, from `lstat` (never from following a link).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Fifo,
    Socket,
    BlockDevice,
    CharDevice,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "dir",
            EntryKind::Symlink => "symlink",
            EntryKind::Fifo => "fifo",
            EntryKind::Socket => "socket",
            EntryKind::BlockDevice => "block_device",
            EntryKind::CharDevice => "char_device",
        }
    }

    fn from_metadata(md: &Metadata) -> EntryKind {
        let ft = md.file_type();
        if ft.is_symlink() {
            EntryKind::Symlink
        } else if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_fifo() {
            EntryKind::Fifo
        } else if ft.is_socket() {
            EntryKind::Socket
        } else if ft.is_block_device() {
            EntryKind::BlockDevice
        } else if ft.is_char_device() {
            EntryKind::CharDevice
        } else {
            EntryKind::File
        }
    }

    /// Whether the content of this kind of entry is read (only regular files).
    pub fn is_readable_content(self) -> bool {
        self == EntryKind::File
    }
}

/// A time stamp as the file system gives it: seconds and nanoseconds since
/// the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

/// One entry found under an evidence root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the evidence root, raw bytes, `/`-separated.
    pub rel_path: Vec<u8>,
    /// Absolute path on this machine (for opening).
    pub abs_path: PathBuf,
    pub kind: EntryKind,
    pub size: u64,
    pub mtime: Option<Timestamp>,
    pub atime: Option<Timestamp>,
    pub ctime: Option<Timestamp>,
    pub btime: Option<Timestamp>,
    pub inode: u64,
    pub device: u64,
    pub mode: u32,
    /// Where a symbolic link points, raw bytes, never followed.
    pub link_target: Option<Vec<u8>>,
}

/// Something the walk could not read; the walk goes on.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", String::from_utf8_lossy(rel_path))]
pub struct WalkError {
    pub rel_path: Vec<u8>,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("evidence path {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("evidence path {0} is not a folder")]
    NotADirectory(PathBuf),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Checks that an evidence root exists, is a folder and can be listed.
pub fn check_root(root: &Path) -> Result<()> {
    let md = std::fs::metadata(root).map_err(|source| Error::Io { path: root.to_path_buf(), source })?;
    if !md.is_dir() {
        return Err(Error::NotADirectory(root.to_path_buf()));
    }
    std::fs::read_dir(root).map_err(|source| Error::Io { path: root.to_path_buf(), source })?;
    Ok(())
}

/// Walks `root` in a deterministic order (by file name bytes), without
/// following links and without leaving the root's file system. The root
/// itself is not yielded.
pub fn walk(root: &Path) -> impl Iterator<Item = std::result::Result<Entry, WalkError>> + '_ {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .same_file_system(true)
        .sort_by(|a, b| a.file_name().as_bytes().cmp(b.file_name().as_bytes()))
        .min_depth(1)
        .into_iter()
        .map(move |item| match item {
            Ok(dirent) => entry_from(root, dirent.path()),
            Err(err) => {
                let rel = err.path().map(|p| relative(root, p)).unwrap_or_default();
                let reason = match err.io_error() {
                    Some(io) => io_reason(io),
                    None => err.to_string(),
                };
                Err(WalkError { rel_path: rel, reason })
            }
        })
}

/// Reads an entry's metadata (lstat) and link target, as the walk does.
pub fn entry_from(root: &Path, path: &Path) -> std::result::Result<Entry, WalkError> {
    let rel_path = relative(root, path);
    let md = std::fs::symlink_metadata(path)
        .map_err(|e| WalkError { rel_path: rel_path.clone(), reason: format!("stat failed: {}", io_reason(&e)) })?;
    let kind = EntryKind::from_metadata(&md);
    let link_target = if kind == EntryKind::Symlink {
        Some(
            std::fs::read_link(path)
                .map_err(|e| WalkError { rel_path: rel_path.clone(), reason: format!("readlink failed: {}", io_reason(&e)) })?
                .into_os_string()
                .into_vec(),
        )
    } else {
        None
    };
    Ok(Entry {
        rel_path,
        abs_path: path.to_path_buf(),
        kind,
        size: md.len(),
        mtime: Some(Timestamp { secs: md.mtime(), nanos: md.mtime_nsec().clamp(0, 999_999_999) as u32 }),
        atime: Some(Timestamp { secs: md.atime(), nanos: md.atime_nsec().clamp(0, 999_999_999) as u32 }),
        ctime: Some(Timestamp { secs: md.ctime(), nanos: md.ctime_nsec().clamp(0, 999_999_999) as u32 }),
        btime: md.created().ok().and_then(|t| {
            let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(Timestamp { secs: i64::try_from(d.as_secs()).ok()?, nanos: d.subsec_nanos() })
        }),
        inode: md.ino(),
        device: md.dev(),
        mode: md.mode(),
        link_target,
    })
}

use std::os::unix::ffi::OsStringExt;

fn relative(root: &Path, path: &Path) -> Vec<u8> {
    path.strip_prefix(root).unwrap_or(path).as_os_str().as_bytes().to_vec()
}

/// A short reason for an I/O error, without the path (the caller has it).
pub fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::NotFound => "vanished (not found)".to_string(),
        _ => err.to_string(),
    }
}

/// Opens an evidence file for reading without updating its access time.
///
/// `O_NOATIME` is only permitted to the file's owner or a process with
/// `CAP_FOWNER`; where it is refused (`EPERM`) the file is opened without it
/// and the caller is told, so the case can say the atime may have moved.
/// `O_NOFOLLOW` makes sure a file swapped for a link after the walk is not
/// followed; `O_NONBLOCK` makes sure a file swapped for a FIFO does not hang.
pub fn open_read_only(path: &Path) -> io::Result<(File, bool)> {
    let base = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
    match OpenOptions::new().read(true).custom_flags(base | libc::O_NOATIME).open(path) {
        Ok(f) => Ok((f, true)),
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
            OpenOptions::new().read(true).custom_flags(base).open(path).map(|f| (f, false))
        }
        Err(e) => Err(e),
    }
}

/// Checks that an opened file is still the regular file the walk saw.
pub fn same_file(file: &File, entry: &Entry) -> io::Result<bool> {
    let md = file.metadata()?;
    Ok(md.is_file() && md.ino() == entry.inode && md.dev() == entry.device)
}

/// Renders raw path bytes for people: valid UTF-8 as is, every byte that is
/// not part of valid UTF-8 as `\xNN`, and a backslash as `\\`, so the display
/// form is unambiguous and reversible.
pub fn display_path(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        for ch in chunk.valid().chars() {
            if ch == '\\' {
                out.push_str("\\\\");
            } else if ch.is_control() {
                out.push_str(&format!("\\u{{{:x}}}", ch as u32));
            } else {
                out.push(ch);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The extension of a raw path's last component, lower-cased, if any.
pub fn extension(raw: &[u8]) -> Option<String> {
    Path::new(OsStr::from_bytes(raw))
        .extension()
        .map(|e| String::from_utf8_lossy(e.as_bytes()).to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn display_path_escapes_invalid_bytes_and_backslashes() {
        assert_eq!(display_path(b"caf\xe9.jpg"), "caf\\xe9.jpg");
        assert_eq!(display_path("ü/a\\b".as_bytes()), "ü/a\\\\b");
        assert_eq!(display_path(b"a\nb"), "a\\u{a}b");
    }

    #[test]
    fn extension_is_lowercased() {
        assert_eq!(extension(b"dir/PIC.JPG").as_deref(), Some("jpg"));
        assert_eq!(extension(b"noext"), None);
    }

    #[test]
    fn walk_records_links_without_following() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir(root.join("sub"))?;
        std::fs::write(root.join("sub/f.txt"), b"x")?;
        symlink("..", root.join("sub/up"))?;
        symlink("loop", root.join("loop"))?;
        let entries: Vec<Entry> = walk(root).collect::<std::result::Result<_, _>>()?;
        let names: Vec<&[u8]> = entries.iter().map(|e| e.rel_path.as_slice()).collect();
        assert_eq!(names, vec![&b"loop"[..], b"sub", b"sub/f.txt", b"sub/up"]);
        let up = &entries[3];
        assert_eq!(up.kind, EntryKind::Symlink);
        assert_eq!(up.link_target.as_deref(), Some(&b".."[..]));
        Ok(())
    }

    #[test]
    fn open_refuses_a_symlink() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("f"), b"x")?;
        symlink(dir.path().join("f"), dir.path().join("l"))?;
        assert!(open_read_only(&dir.path().join("l")).is_err());
        let (_f, _noatime) = open_read_only(&dir.path().join("f"))?;
        Ok(())
    }
}
