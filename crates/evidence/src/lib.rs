//! Evidence sources. Today: a mounted folder, walked read-only.
//!
//! The walk never follows symbolic links (a link is reported as a link with
//! its target), stays on the file system of the root, and never opens FIFOs,
//! sockets or devices: it only `lstat`s them. Paths are kept as raw bytes so a
//! name that is not valid UTF-8 survives into the case file and the reports.
//!
//! Every folder is opened (`O_DIRECTORY | O_NOFOLLOW`, and `O_NOATIME` where
//! permitted, so listing it does not move its access time) relative to its
//! parent's descriptor, and every entry is `statx`ed and its link read
//! relative to its folder's descriptor: nothing depends on the length of the
//! absolute path, so a tree deeper than `PATH_MAX` (4,096 bytes) is walked
//! to the bottom. [`open_read_only`] reaches such files too.
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
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, StatxFlags};
use rustix::io::Errno;

/// `PATH_MAX` on Linux, counting the terminating NUL.
pub const PATH_MAX: usize = 4096;

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

    fn from_mode(mode: u32) -> EntryKind {
        match FileType::from_raw_mode(mode as _) {
            FileType::Symlink => EntryKind::Symlink,
            FileType::Directory => EntryKind::Dir,
            FileType::Fifo => EntryKind::Fifo,
            FileType::Socket => EntryKind::Socket,
            FileType::BlockDevice => EntryKind::BlockDevice,
            FileType::CharacterDevice => EntryKind::CharDevice,
            _ => EntryKind::File,
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
    /// Absolute path on this machine (for opening with [`open_read_only`],
    /// which reaches it even when it is longer than `PATH_MAX`).
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
    let fd = open_dir(CWD, root, false).map_err(|source| Error::Io { path: root.to_path_buf(), source })?;
    list(fd.as_fd()).map_err(|source| Error::Io { path: root.to_path_buf(), source })?;
    Ok(())
}

/// Walks `root` in a deterministic order (by file name bytes, each folder
/// followed by its contents), without following links and without leaving
/// the root's file system. The root itself is not yielded (a root given as
/// a link is followed: it is what the examiner named).
pub fn walk(root: &Path) -> Walk {
    let mut walk = Walk { root: root.to_path_buf(), device: 0, stack: Vec::new(), pending: Vec::new() };
    let opened = open_dir(CWD, root, false).and_then(|fd| {
        let st = fstat_id(fd.as_fd())?;
        Ok((fd, st))
    });
    match opened {
        Ok((fd, (device, inode))) => {
            walk.device = device;
            walk.push_listed(Vec::new(), Vec::new(), fd, (device, inode));
        }
        Err(e) => walk.pending.push(Err(WalkError { rel_path: Vec::new(), reason: io_reason(&e) })),
    }
    walk.pending.reverse();
    walk
}

/// Folders whose descriptors the walk keeps open at most (besides the
/// root): deeper ones are closed and opened again, by name from the nearest
/// open ancestor, when the walk comes back to them.
const MAX_OPEN_FOLDERS: usize = 64;

/// The iterator [`walk`] returns.
#[derive(Debug)]
pub struct Walk {
    root: PathBuf,
    device: u64,
    stack: Vec<Frame>,
    /// Results to give before going on, last first.
    pending: Vec<std::result::Result<Entry, WalkError>>,
}

#[derive(Debug)]
struct Frame {
    /// Path of this folder relative to the root (empty for the root).
    rel: Vec<u8>,
    /// Its name in its parent (empty for the root).
    name: Vec<u8>,
    /// `None` once closed to bound the open descriptors.
    fd: Option<OwnedFd>,
    /// (device, inode), to notice a folder replaced before it is reopened.
    id: (u64, u64),
    /// Names still to visit, sorted, as a stack (the next one last).
    names: Vec<Vec<u8>>,
}

impl Walk {
    /// Lists an opened folder and puts it on the stack.
    fn push_listed(&mut self, rel: Vec<u8>, name: Vec<u8>, fd: OwnedFd, id: (u64, u64)) {
        let (mut names, failed) = match list(fd.as_fd()) {
            Ok(names) => (names, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        if let Some(e) = failed {
            self.pending.push(Err(WalkError { rel_path: rel.clone(), reason: io_reason(&e) }));
        }
        names.sort_unstable();
        names.reverse();
        let open = self.stack.iter().skip(1).filter(|f| f.fd.is_some()).count();
        if open >= MAX_OPEN_FOLDERS
            && let Some(oldest) = self.stack.iter_mut().skip(1).find(|f| f.fd.is_some())
        {
            oldest.fd = None;
        }
        self.stack.push(Frame { rel, name, fd: Some(fd), id, names });
    }

    /// Makes sure the folder at `index` on the stack is open, reopening it
    /// (and the closed folders above its nearest open ancestor) by name.
    fn reopen(&mut self, index: usize) -> io::Result<()> {
        let Some(start) = (0..=index).rev().find(|&i| self.stack[i].fd.is_some()) else {
            return Err(io::Error::other("the evidence root is no longer open"));
        };
        for i in start + 1..=index {
            let (done, rest) = self.stack.split_at_mut(i);
            let parent = done[i - 1].fd.as_ref().ok_or_else(|| io::Error::other("folder not open"))?;
            let frame = &mut rest[0];
            let fd = open_dir(parent.as_fd(), OsStr::from_bytes(&frame.name), true)?;
            if fstat_id(fd.as_fd())? != frame.id {
                return Err(io::Error::other("replaced by another folder during the scan: the rest of it is not listed"));
            }
            frame.fd = Some(fd);
        }
        Ok(())
    }
}

impl Iterator for Walk {
    type Item = std::result::Result<Entry, WalkError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop() {
                return Some(item);
            }
            let top = self.stack.len().checked_sub(1)?;
            let Some(name) = self.stack[top].names.pop() else {
                self.stack.pop();
                continue;
            };
            if self.stack[top].fd.is_none()
                && let Err(e) = self.reopen(top)
            {
                let rel_path = self.stack[top].rel.clone();
                self.stack.pop();
                return Some(Err(WalkError { rel_path, reason: io_reason(&e) }));
            }
            let frame = &mut self.stack[top];
            let rel_path = join(&frame.rel, &name);
            let Some(dir) = frame.fd.as_ref() else { continue };
            let abs_path = self.root.join(OsStr::from_bytes(&rel_path));
            let entry = match stat_entry(dir.as_fd(), &name, rel_path, abs_path) {
                Ok(entry) => entry,
                Err(e) => return Some(Err(e)),
            };
            let child = (entry.kind == EntryKind::Dir && entry.device == self.device).then(|| {
                open_dir(dir.as_fd(), OsStr::from_bytes(&name), true).and_then(|fd| {
                    let id = fstat_id(fd.as_fd())?;
                    if id != (entry.device, entry.inode) {
                        return Err(io::Error::other("replaced by another folder during the scan: not listed"));
                    }
                    Ok((fd, id))
                })
            });
            // A folder's descriptor is needed no more once its last entry is
            // stat'ed (and, for a folder, opened).
            if frame.names.is_empty() && top > 0 {
                frame.fd = None;
            }
            if let Some(child) = child {
                match child {
                    Ok((fd, id)) => self.push_listed(entry.rel_path.clone(), name, fd, id),
                    Err(e) => self.pending.push(Err(WalkError { rel_path: entry.rel_path.clone(), reason: io_reason(&e) })),
                }
            }
            return Some(Ok(entry));
        }
    }
}

fn join(parent: &[u8], name: &[u8]) -> Vec<u8> {
    let mut rel = Vec::with_capacity(parent.len() + 1 + name.len());
    if !parent.is_empty() {
        rel.extend_from_slice(parent);
        rel.push(b'/');
    }
    rel.extend_from_slice(name);
    rel
}

/// Opens a folder for listing: never through a link when `nofollow` (every
/// folder but the root the examiner named), without moving its atime where
/// `O_NOATIME` is permitted.
fn open_dir(dir: BorrowedFd<'_>, path: impl AsRef<OsStr>, nofollow: bool) -> io::Result<OwnedFd> {
    let mut flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK;
    if nofollow {
        flags |= OFlags::NOFOLLOW;
    }
    let path = path.as_ref();
    match rustix::fs::openat(dir, path, flags | OFlags::NOATIME, Mode::empty()) {
        Err(Errno::PERM) => Ok(rustix::fs::openat(dir, path, flags, Mode::empty())?),
        other => Ok(other?),
    }
}

/// The names in an opened folder, without `.` and `..`, in no order.
fn list(dir: BorrowedFd<'_>) -> io::Result<Vec<Vec<u8>>> {
    // A duplicate shares the open file (and its O_NOATIME): reading it does
    // not disturb the descriptor kept for opening the children.
    let mut reader = rustix::fs::Dir::new(rustix::io::fcntl_dupfd_cloexec(dir, 0)?)?;
    let mut names = Vec::new();
    while let Some(item) = reader.read() {
        let name = item?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            names.push(name);
        }
    }
    Ok(names)
}

fn fstat_id(fd: BorrowedFd<'_>) -> io::Result<(u64, u64)> {
    let st = rustix::fs::fstat(fd)?;
    Ok((st.st_dev as u64, st.st_ino as u64))
}

/// Reads an entry's metadata (`statx` without following a link) and link
/// target, relative to its folder's descriptor.
fn stat_entry(dir: BorrowedFd<'_>, name: &[u8], rel_path: Vec<u8>, abs_path: PathBuf) -> std::result::Result<Entry, WalkError> {
    let fail = |what: &str, e: Errno, rel_path: &[u8]| WalkError {
        rel_path: rel_path.to_vec(),
        reason: format!("{what} failed: {}", io_reason(&io::Error::from(e))),
    };
    let mask = StatxFlags::BASIC_STATS | StatxFlags::BTIME;
    let mut entry = match rustix::fs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, mask) {
        Ok(st) => {
            let ts = |t: rustix::fs::StatxTimestamp| Some(Timestamp { secs: t.tv_sec, nanos: t.tv_nsec.min(999_999_999) });
            let mode = u32::from(st.stx_mode);
            Entry {
                rel_path,
                abs_path,
                kind: EntryKind::from_mode(mode),
                size: st.stx_size,
                mtime: ts(st.stx_mtime),
                atime: ts(st.stx_atime),
                ctime: ts(st.stx_ctime),
                btime: if st.stx_mask & StatxFlags::BTIME.bits() != 0 { ts(st.stx_btime) } else { None },
                inode: st.stx_ino,
                device: rustix::fs::makedev(st.stx_dev_major, st.stx_dev_minor),
                mode,
                link_target: None,
            }
        }
        // No statx (old kernels, some sandboxes): the same without the birth time.
        Err(Errno::NOSYS) | Err(Errno::PERM) => {
            let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map_err(|e| fail("stat", e, &rel_path))?;
            let ts = |secs: i64, nanos: i64| Some(Timestamp { secs, nanos: nanos.clamp(0, 999_999_999) as u32 });
            let mode = st.st_mode as u32;
            Entry {
                rel_path,
                abs_path,
                kind: EntryKind::from_mode(mode),
                size: st.st_size as u64,
                mtime: ts(st.st_mtime as i64, st.st_mtime_nsec as i64),
                atime: ts(st.st_atime as i64, st.st_atime_nsec as i64),
                ctime: ts(st.st_ctime as i64, st.st_ctime_nsec as i64),
                btime: None,
                inode: st.st_ino as u64,
                device: st.st_dev as u64,
                mode,
                link_target: None,
            }
        }
        Err(e) => return Err(fail("stat", e, &rel_path)),
    };
    if entry.kind == EntryKind::Symlink {
        let target = rustix::fs::readlinkat(dir, name, Vec::new()).map_err(|e| fail("readlink", e, &entry.rel_path))?;
        entry.link_target = Some(target.into_bytes());
    }
    Ok(entry)
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
///
/// A path too long for the kernel to take at once (`PATH_MAX`, 4,096 bytes)
/// is opened in steps: its folders, in pieces that fit, each relative to the
/// descriptor of the one before, and past the first piece one component at
/// a time with `O_NOFOLLOW` (a folder swapped for a link is not followed).
pub fn open_read_only(path: &Path) -> io::Result<(File, bool)> {
    match open_file(CWD, path.as_os_str()) {
        Err(e) if e.raw_os_error() == Some(Errno::NAMETOOLONG.raw_os_error()) => {
            let (dir, name) = open_parent_in_steps(path)?;
            open_file(dir.as_fd(), OsStr::from_bytes(&name))
        }
        other => other,
    }
}

fn open_file(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<(File, bool)> {
    let base = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    match rustix::fs::openat(dir, name, base | OFlags::NOATIME, Mode::empty()) {
        Ok(fd) => Ok((File::from(fd), true)),
        Err(Errno::PERM) => Ok((File::from(rustix::fs::openat(dir, name, base, Mode::empty())?), false)),
        Err(e) => Err(e.into()),
    }
}

/// The folder holding a long path's last component, and that component.
fn open_parent_in_steps(path: &Path) -> io::Result<(OwnedFd, Vec<u8>)> {
    let bytes = path.as_os_str().as_bytes();
    let (parent, name) = match bytes.iter().rposition(|&b| b == b'/') {
        Some(i) => (&bytes[..i.max(1)], &bytes[i + 1..]),
        None => return Err(Errno::NAMETOOLONG.into()),
    };
    if name.is_empty() || name.len() > 255 {
        return Err(Errno::NAMETOOLONG.into());
    }
    // The first piece as the kernel resolves any path (it holds the
    // evidence root, which may be reached through a link the examiner
    // chose); the rest one folder at a time, never through a link.
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut cut = parent.len().min(PATH_MAX - 256);
    while cut > 0 && cut < parent.len() && parent[cut] != b'/' {
        cut -= 1;
    }
    if cut == 0 {
        return Err(Errno::NAMETOOLONG.into());
    }
    let mut dir = rustix::fs::openat(CWD, OsStr::from_bytes(&parent[..cut]), flags, Mode::empty())?;
    for component in parent[cut..].split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        dir = rustix::fs::openat(dir.as_fd(), OsStr::from_bytes(component), flags | OFlags::NOFOLLOW, Mode::empty())?;
    }
    Ok((dir, name.to_vec()))
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

    /// A chain deeper than `MAX_OPEN_FOLDERS`, with a sibling after each
    /// link of it, makes the walk close descriptors and reopen them by name.
    #[test]
    fn a_deep_tree_is_walked_with_few_descriptors() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut path = dir.path().to_path_buf();
        let mut expected = Vec::new();
        let mut rel = Vec::new();
        for _ in 0..(MAX_OPEN_FOLDERS * 2) {
            path.push("d");
            std::fs::create_dir(&path)?;
            std::fs::create_dir(path.with_file_name("z"))?;
            let here = join(&rel, b"d");
            expected.push(here.clone());
            rel = here;
        }
        // Walk order: each d before its contents, each z after its d's subtree.
        let mut want = Vec::new();
        fn order(level: usize, chain: &[Vec<u8>], want: &mut Vec<Vec<u8>>) {
            if level == chain.len() {
                return;
            }
            want.push(chain[level].clone());
            order(level + 1, chain, want);
            let mut z = chain[level].clone();
            z.pop();
            z.push(b'z');
            want.push(z);
        }
        order(0, &expected, &mut want);
        let entries: Vec<Entry> = walk(dir.path()).collect::<std::result::Result<_, _>>()?;
        let names: Vec<Vec<u8>> = entries.into_iter().map(|e| e.rel_path).collect();
        assert_eq!(names, want);
        Ok(())
    }

    /// Makes `levels` folders of 200-byte names under `root` by descriptor
    /// and a file at the bottom; returns the file's path relative to `root`.
    fn beyond_path_max(root: &Path, levels: usize) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error>> {
        let name = vec![b'p'; 200];
        let mut dir = rustix::fs::open(root, OFlags::PATH | OFlags::DIRECTORY, Mode::empty())?;
        let mut rel = Vec::new();
        for _ in 0..levels {
            rustix::fs::mkdirat(&dir, name.as_slice(), Mode::from_raw_mode(0o755))?;
            dir = rustix::fs::openat(&dir, name.as_slice(), OFlags::PATH | OFlags::DIRECTORY, Mode::empty())?;
            rel = join(&rel, &name);
        }
        let fd = rustix::fs::openat(&dir, "bottom.txt", OFlags::WRONLY | OFlags::CREATE, Mode::from_raw_mode(0o644))?;
        rustix::io::write(&fd, b"deep")?;
        Ok(join(&rel, b"bottom.txt"))
    }

    #[test]
    fn files_beyond_path_max_are_walked_and_opened() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let bottom = beyond_path_max(dir.path(), 30)?;
        let entries: Vec<Entry> = walk(dir.path()).collect::<std::result::Result<_, _>>()?;
        assert_eq!(entries.len(), 31);
        let file = entries.iter().find(|e| e.rel_path == bottom).ok_or("the bottom file was not walked")?;
        assert!(file.abs_path.as_os_str().len() > PATH_MAX);
        assert_eq!((file.kind, file.size), (EntryKind::File, 4));
        let (f, _) = open_read_only(&file.abs_path)?;
        assert!(same_file(&f, file)?);
        let mut text = String::new();
        io::Read::read_to_string(&mut &f, &mut text)?;
        assert_eq!(text, "deep");
        Ok(())
    }

    #[test]
    fn listing_a_folder_leaves_its_atime() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub)?;
        std::fs::write(sub.join("f"), b"x")?;
        // Older than the mtime, where relatime would move it on a listing.
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        File::open(&sub)?.set_times(std::fs::FileTimes::new().set_accessed(old))?;
        let before = std::fs::metadata(&sub)?.atime();
        let owner = std::fs::metadata(&sub)?.uid() == rustix::process::geteuid().as_raw();
        assert_eq!(walk(dir.path()).count(), 2);
        if owner {
            assert_eq!(std::fs::metadata(&sub)?.atime(), before);
        }
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
