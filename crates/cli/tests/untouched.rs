//! The evidence is left untouched by a scan: every regular file keeps its
//! bytes, its mtime and its atime to the nanosecond, even with atimes set
//! older than the mtimes, where a plain read WOULD move them under
//! `relatime`. Nothing is created or removed in the evidence tree.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::fs::{self, FileTimes};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use common::*;

/// (seconds, nanoseconds) since the epoch.
type Stamp = (i64, i64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct FileState {
    /// `None` when this user cannot read the file (the mode-000 one, unless
    /// running as root): then it is only stat'ed.
    sha256: Option<String>,
    mtime: Stamp,
    atime: Stamp,
}

fn times(path: &Path) -> (Stamp, Stamp) {
    let md = fs::symlink_metadata(path).expect("stat");
    ((md.mtime(), md.mtime_nsec()), (md.atime(), md.atime_nsec()))
}

fn content(path: &Path) -> Option<String> {
    match fs::read(path) {
        Ok(bytes) => Some(sha256_hex(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => None,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Sets the atime only (the mtime is left as it is) to `mtime - 30 days +
/// 123456789 ns`: older than the mtime, so relatime would update it.
fn age_atime(path: &Path) {
    let md = fs::symlink_metadata(path).expect("stat");
    let mtime = UNIX_EPOCH + Duration::new(md.mtime() as u64, md.mtime_nsec() as u32);
    let old = mtime - Duration::from_secs(30 * 86_400) + Duration::from_nanos(123_456_789);
    match fs::File::open(path) {
        Ok(f) => f.set_times(FileTimes::new().set_accessed(old)).expect("set the atime"),
        Err(_) => {
            // Unreadable for this user: touch(1) sets times by path.
            let secs = old.duration_since(UNIX_EPOCH).expect("after the epoch");
            let stamp = format!("@{}.{:09}", secs.as_secs(), secs.subsec_nanos());
            let ok = std::process::Command::new("touch").args(["-a", "-d", &stamp]).arg(path).status().expect("run touch");
            assert!(ok.success(), "touch -a {}", path.display());
        }
    }
    let (m, a) = times(path);
    assert!(a < m, "{}: the atime was not set older than the mtime", path.display());
}

/// Every entry under `root`: its path and kind, not following links.
fn listing(root: &Path) -> Vec<(Vec<u8>, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("list a folder") {
            let entry = entry.expect("entry");
            let ft = entry.file_type().expect("file type");
            let rel = entry.path().strip_prefix(root).expect("under root").as_os_str().as_bytes().to_vec();
            out.push((rel, format!("{ft:?}")));
            if ft.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

/// The mount options of the file system holding `path`, from /proc.
fn mount_options(path: &Path) -> String {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && path.starts_with(f[1])).then(|| (f[1].len(), format!("{} on {} ({})", f[2], f[1], f[3])))
        })
        .max()
        .map(|(_, s)| s)
        .unwrap_or_else(|| "unknown".into())
}

#[test]
fn a_scan_leaves_every_evidence_file_as_it_was() {
    let ws = Workspace::new();
    let (manifest, case) = ws.fixture_case(false);
    let files: Vec<PathBuf> = manifest.files.iter().map(|f| manifest.evidence_path(&f.path)).collect();
    assert!(files.len() > 30);

    // Listing and content first (reading moves atimes), then age every
    // atime, then stat.
    let tree_before = listing(&manifest.evidence_root);
    let sums: Vec<Option<String>> = files.iter().map(|p| content(p)).collect();
    for p in &files {
        age_atime(p);
    }
    let dirs: Vec<PathBuf> =
        manifest.specials.iter().filter(|s| s.kind == "dir").map(|s| manifest.evidence_path(&s.path)).collect();
    for d in &dirs {
        age_atime(d);
    }
    let before: BTreeMap<&PathBuf, FileState> = files
        .iter()
        .zip(&sums)
        .map(|(p, sum)| {
            let (mtime, atime) = times(p);
            (p, FileState { sha256: sum.clone(), mtime, atime })
        })
        .collect();
    let dirs_before: Vec<(Stamp, Stamp)> = dirs.iter().map(|d| times(d)).collect();

    ws.scan_completed(&case, &[]);

    // Times first, then content and listings.
    let dirs_after: Vec<(Stamp, Stamp)> = dirs.iter().map(|d| times(d)).collect();
    let after_times: Vec<(Stamp, Stamp)> = files.iter().map(|p| times(p)).collect();
    let mut changed = Vec::new();
    for ((p, (mtime, atime)), state) in files.iter().zip(after_times).zip(before.values()) {
        let now = FileState { sha256: content(p), mtime, atime };
        if now != *state {
            changed.push(format!("{}: before {state:?}, after {now:?}", p.display()));
        }
    }
    assert!(changed.is_empty(), "the scan changed evidence files:\n{}", changed.join("\n"));
    assert_eq!(listing(&manifest.evidence_root), tree_before, "entries appeared or vanished in the evidence tree");
    let unreadable = before.values().filter(|s| s.sha256.is_none()).count();
    println!(
        "{} regular files unchanged (bytes, mtime, atime); {unreadable} only stat'ed (unreadable for this user)",
        files.len()
    );

    // Folders are opened with O_NOATIME too (their owner runs this scan,
    // so the kernel grants it): listing them moves no atime.
    let moved: Vec<String> = dirs
        .iter()
        .zip(dirs_after.iter().zip(&dirs_before))
        .filter(|(_, (a, b))| a.1 != b.1)
        .map(|(d, (a, b))| format!("{}: atime {:?} -> {:?}", d.display(), b.1, a.1))
        .collect();
    println!("{} of {} folder atimes moved during the scan", moved.len(), dirs.len());
    assert!(moved.is_empty(), "the scan moved folder atimes:\n{}", moved.join("\n"));

    // Control: a copy outside the evidence, read the ordinary way. If its
    // atime does not move either, the file system does not update atimes
    // and the check above proves less than it seems.
    let control = ws.path("control.bin");
    fs::copy(&files[0], &control).expect("copy");
    age_atime(&control);
    let (_, atime) = times(&control);
    fs::read(&control).expect("read the control copy");
    let (_, atime_after) = times(&control);
    let mount = mount_options(&control);
    if atime_after != atime {
        println!("control: an ordinary read moved the copy's atime ({mount}), so the evidence atimes above were really at risk");
    } else {
        println!("control: an ordinary read did NOT move the copy's atime: the file system appears mounted noatime ({mount})");
    }
}
