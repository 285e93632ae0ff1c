//! Hostile input: a scan of damaged, crafted and strange evidence completes
//! without a panic, an abort or a hang; every entry is recorded, every
//! failure is a warning with its path, stage and reason (checked entry by
//! entry against the generator's manifest); peak memory stays under
//! [`MEMORY_CAP`]; the evidence is left exactly as it was.
//!
//! Sizes come from the environment so the long runs of docs/RELIABILITY.md
//! use the same code: `SPOOR_TEST_SPARSE_GB` (default 2) and
//! `SPOOR_TEST_WIDE_ENTRIES` (default 20,000).
//!
//! Time limits here are hang detectors ([`HANG`]), not performance limits.

#[macro_use]
mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, UNIX_EPOCH};

use common::*;
use serde_json::Value;
use spoor_fixtures::{Decode, ExpectedWarning, HostileEntry, HostileManifest, HostileOptions};

/// A scan that has not finished after this long is taken to hang.
const HANG: Duration = Duration::from_secs(20 * 60);

/// Peak resident memory a scan of the hostile corpus may use with
/// `--jobs 2`: the pixel flood (800 MB of 16-bit RGBA and its 300 MB RGB
/// copy) plus the rest.
const MEMORY_CAP: u64 = 1536 << 20;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

fn full_options() -> HostileOptions {
    HostileOptions {
        wide_entries: env_u64("SPOOR_TEST_WIDE_ENTRIES", 20_000) as usize,
        sparse_bytes: env_u64("SPOOR_TEST_SPARSE_GB", 2) << 30,
        ..HostileOptions::default()
    }
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

// ----------------------------------------------------------- watching a run

/// What the kernel said about a finished `spoor` process.
#[derive(Debug, Default, Clone, Copy)]
struct Usage {
    /// Peak resident set (VmHWM), bytes.
    peak_rss: u64,
    /// Bytes the process asked to read (`rchar`).
    rchar: u64,
    /// Bytes fetched from storage for it (`read_bytes`).
    read_bytes: u64,
    secs: f64,
}

fn proc_field(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok())
}

/// Runs `spoor ARGS`, polling `/proc/PID/status` and `/proc/PID/io` every
/// 10 ms (VmHWM and the I/O counters only grow, so the last sample before
/// exit is the run's figure); kills it and fails if it outlives [`HANG`].
fn run_watched(ws: &Workspace, args: &[std::ffi::OsString]) -> (Run, Usage) {
    let mut bg = ws.spawn(args, Stdio::piped(), Stdio::piped());
    let pid = bg.pid();
    let mut out = bg.child().stdout.take().expect("stdout");
    let mut err = bg.child().stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let mut usage = Usage::default();
    let status = loop {
        if let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(kb) = proc_field(&status, "VmHWM:")
        {
            usage.peak_rss = usage.peak_rss.max(kb * 1024);
        }
        if let Ok(io) = fs::read_to_string(format!("/proc/{pid}/io")) {
            usage.rchar = usage.rchar.max(proc_field(&io, "rchar:").unwrap_or(0));
            usage.read_bytes = usage.read_bytes.max(proc_field(&io, "read_bytes:").unwrap_or(0));
        }
        if let Some(status) = bg.child().try_wait().expect("wait for spoor") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = bg.kill();
            panic!("HANG: `spoor {:?}` still running after {HANG:?}", args);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    usage.secs = started.elapsed().as_secs_f64();
    drop(bg);
    let run = Run {
        args: args.to_vec(),
        code: exit_code(status),
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    };
    (run, usage)
}

// --------------------------------------------------------- the case's rows

#[derive(Debug, Clone)]
struct FileRow {
    kind: String,
    status: String,
    size: u64,
    md5: Option<String>,
    sha1: Option<String>,
    sha256: Option<String>,
    picture: Option<(String, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct WarningRow {
    stage: String,
    reason: String,
}

/// File rows by path, and warnings by path.
type CaseRows = (HashMap<Vec<u8>, FileRow>, BTreeMap<Vec<u8>, Vec<WarningRow>>);

fn read_case(case: &Path) -> CaseRows {
    let conn = rusqlite::Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open the case");
    let mut files = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT path, kind, status, size, md5, sha1, sha256, picture_format, width, height FROM files")
        .expect("query files");
    let rows = stmt
        .query_map([], |r| {
            let picture = match r.get::<_, Option<String>>(7)? {
                Some(f) => Some((f, r.get::<_, u32>(8)?, r.get::<_, u32>(9)?)),
                None => None,
            };
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                FileRow {
                    kind: r.get(1)?,
                    status: r.get(2)?,
                    size: r.get::<_, i64>(3)? as u64,
                    md5: r.get(4)?,
                    sha1: r.get(5)?,
                    sha256: r.get(6)?,
                    picture,
                },
            ))
        })
        .expect("files rows");
    for row in rows {
        let (path, file) = row.expect("a files row");
        assert!(files.insert(path.clone(), file).is_none(), "{} recorded twice", String::from_utf8_lossy(&path));
    }
    let mut warnings: BTreeMap<Vec<u8>, Vec<WarningRow>> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT path, stage, reason FROM warnings").expect("query warnings");
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, WarningRow { stage: r.get(1)?, reason: r.get(2)? })))
        .expect("warning rows");
    for row in rows {
        let (path, w) = row.expect("a warnings row");
        warnings.entry(path).or_default().push(w);
    }
    (files, warnings)
}

/// Which of `expected` have no matching warning in `found`, and which of
/// `found` match none of `expected` (one warning per expectation).
fn match_warnings(expected: &[ExpectedWarning], found: &[WarningRow]) -> (Vec<String>, Vec<String>) {
    let mut left: Vec<&WarningRow> = found.iter().collect();
    let mut missing = Vec::new();
    for e in expected {
        match left.iter().position(|w| w.stage == e.stage && w.reason.contains(&e.reason_contains)) {
            Some(i) => {
                left.remove(i);
            }
            None => missing.push(format!("{}: …{}…", e.stage, e.reason_contains)),
        }
    }
    (missing, left.iter().map(|w| format!("{}: {}", w.stage, w.reason)).collect())
}

/// Checks every entry of the manifest against the case; returns the
/// problems, one line each.
fn check_entries(
    manifest: &HostileManifest,
    files: &HashMap<Vec<u8>, FileRow>,
    warnings: &BTreeMap<Vec<u8>, Vec<WarningRow>>,
    unprivileged: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut say = |e: &HostileEntry, what: String| problems.push(format!("{} ({}): {what}", e.path_lossy.escape_debug(), e.about));
    for e in &manifest.entries {
        let (listed, expected) = match (&e.unprivileged, unprivileged) {
            (Some(u), true) => (u.listed, u.warnings.clone()),
            _ => (e.listed, e.warnings.clone()),
        };
        let row = files.get(&e.path);
        let found: Vec<WarningRow> = warnings.get(&e.path).cloned().unwrap_or_default();
        let (decode_warnings, other): (Vec<WarningRow>, Vec<WarningRow>) = found.into_iter().partition(|w| w.stage == "decode");
        // The metadata step reads the EXIF (pictures) or container tags
        // (videos) of the same bytes: a damaged picture may also have damaged
        // metadata, said in a warning of its own. Only pictures and videos
        // have any, and each must say why.
        let (metadata_warnings, other): (Vec<WarningRow>, Vec<WarningRow>) = other.into_iter().partition(|w| w.stage == "metadata");
        if !metadata_warnings.is_empty() && (e.decode == Decode::NotAPicture || metadata_warnings.iter().any(|w| w.reason.trim().is_empty())) {
            say(e, format!("metadata warnings on a file that is no picture or video, or without a reason: {:?}", metadata_warnings.iter().map(|w| &w.reason).collect::<Vec<_>>()));
        }
        let (missing, unexpected) = match_warnings(&expected, &other);
        if !missing.is_empty() {
            say(e, format!("expected warning(s) missing: {missing:?}; found {unexpected:?}"));
        } else if !unexpected.is_empty() {
            say(e, format!("unexpected warning(s): {unexpected:?}"));
        }
        match (listed, row) {
            (false, Some(_)) => say(e, "recorded, but no walk should reach it".into()),
            (false, None) => continue,
            (true, None) => {
                say(e, "NOT RECORDED: lost".into());
                continue;
            }
            (true, Some(r)) if r.kind != e.kind => say(e, format!("recorded as {}, is {}", r.kind, e.kind)),
            _ => {}
        }
        let Some(row) = row else { continue };
        let denied = unprivileged && e.unprivileged.is_some();
        if e.kind == "file" && !denied {
            if row.status != "hashed" {
                say(e, format!("status {}", row.status));
            }
            if row.size != e.size {
                say(e, format!("size {} recorded, {} written", row.size, e.size));
            }
            if (row.md5.as_ref(), row.sha1.as_ref(), row.sha256.as_ref()) != (e.md5.as_ref(), e.sha1.as_ref(), e.sha256.as_ref()) {
                say(e, format!("digests differ: recorded sha256 {:?}, written {:?}", row.sha256, e.sha256));
            }
        }
        let decode_reason = decode_warnings.iter().map(|w| w.reason.clone()).collect::<Vec<_>>();
        match &e.decode {
            Decode::NotAPicture | Decode::Video => {
                if row.picture.is_some() || !decode_warnings.is_empty() {
                    say(e, format!("not a picture, but picture {:?}, decode warnings {decode_reason:?}", row.picture));
                }
            }
            Decode::Decoded { format, width, height } => {
                if row.picture != Some((format.clone(), *width, *height)) || !decode_warnings.is_empty() {
                    say(e, format!("should decode as {format} {width}x{height}: picture {:?}, decode warnings {decode_reason:?}", row.picture));
                }
            }
            Decode::Refused { codes } => {
                let coded = decode_warnings.len() == 1 && codes.iter().any(|c| decode_warnings[0].reason.contains(&format!("({c})")));
                if row.picture.is_some() || !coded {
                    say(e, format!("should be refused as one of {codes:?}: picture {:?}, decode warnings {decode_reason:?}", row.picture));
                }
            }
            Decode::DecoderDecides => {
                if row.picture.is_some() == (decode_warnings.len() == 1) || decode_warnings.len() > 1 {
                    say(e, format!("either a picture or one decode warning: picture {:?}, decode warnings {decode_reason:?}", row.picture));
                }
            }
            Decode::OverSizeCap => {
                if row.picture.is_some() || decode_warnings.len() != 1 || !decode_warnings[0].reason.contains("over the decoding cap") {
                    say(e, format!("should be over the size cap: picture {:?}, decode warnings {decode_reason:?}", row.picture));
                }
            }
        }
    }
    for (path, ws) in warnings {
        if manifest.entry(path).is_none() {
            problems.push(format!("warning at a path the manifest does not have: {} {ws:?}", String::from_utf8_lossy(path)));
        }
    }
    problems
}

/// For the pictures whose outcome the decoder decides: what the scan
/// recorded must be what the decoder gives for the same bytes.
fn check_against_decoder(manifest: &HostileManifest, files: &HashMap<Vec<u8>, FileRow>, warnings: &BTreeMap<Vec<u8>, Vec<WarningRow>>) -> Vec<String> {
    let mut problems = Vec::new();
    for e in manifest.entries.iter().filter(|e| e.decode == Decode::DecoderDecides) {
        let bytes = fs::read(manifest.evidence_path(&e.path)).expect("read a picture");
        let oracle = spoor_pdq::decode::decode(&bytes, &spoor_pdq::decode::Limits::default());
        let row = &files[&e.path];
        let decode: Vec<&WarningRow> = warnings.get(&e.path).map(|w| w.iter().filter(|w| w.stage == "decode").collect()).unwrap_or_default();
        match oracle {
            Ok(d) => {
                let want = Some((d.info.format.to_string(), d.info.width, d.info.height));
                if row.picture != want {
                    problems.push(format!("{}: the decoder gives {want:?}, the scan recorded {:?}", e.path_lossy, row.picture));
                }
            }
            Err(err) => {
                if !decode.iter().any(|w| w.reason.contains(&format!("({})", err.code()))) {
                    problems.push(format!("{}: the decoder says {err} ({}), the scan recorded {decode:?}", e.path_lossy, err.code()));
                }
            }
        }
    }
    problems
}

// ------------------------------------------------------- evidence untouched

/// (seconds, nanoseconds).
type Stamp = (i64, i64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Untouched {
    mtime: Stamp,
    atime: Stamp,
    ctime: Stamp,
    size: u64,
    blocks: u64,
    mode: u32,
    /// SHA-256 of the bytes, for files this process can read and that are
    /// not sparse (a sparse file's bytes are checked through its size,
    /// blocks and ctime: any write moves the ctime).
    sha256: Option<String>,
}

fn regular_files(manifest: &HostileManifest) -> Vec<&HostileEntry> {
    manifest.entries.iter().filter(|e| e.kind == "file" && e.listed).collect()
}

/// A path to an evidence file that works past `PATH_MAX` (the chain in
/// `beyond-path-max/`) while the returned folder is open.
fn reach(manifest: &HostileManifest, rel: &[u8]) -> (Option<fs::File>, PathBuf) {
    spoor_fixtures::reachable_path(&manifest.evidence_root, rel).expect("reach an evidence file")
}

fn stat_all(manifest: &HostileManifest) -> Vec<Untouched> {
    regular_files(manifest)
        .into_iter()
        .map(|e| {
            let (_dir, path) = reach(manifest, &e.path);
            let md = fs::symlink_metadata(path).expect("stat evidence");
            Untouched {
                mtime: (md.mtime(), md.mtime_nsec()),
                atime: (md.atime(), md.atime_nsec()),
                ctime: (md.ctime(), md.ctime_nsec()),
                size: md.size(),
                blocks: md.blocks(),
                mode: md.mode(),
                sha256: None,
            }
        })
        .collect()
}

fn with_contents(manifest: &HostileManifest, mut states: Vec<Untouched>) -> Vec<Untouched> {
    for (e, s) in regular_files(manifest).into_iter().zip(states.iter_mut()) {
        if s.blocks * 512 >= s.size && s.size < (64 << 20) {
            let (_dir, path) = reach(manifest, &e.path);
            s.sha256 = fs::read(path).ok().map(|b| sha256_hex(&b));
        }
    }
    states
}

/// Sets every file's atime older than its mtime, where relatime WOULD
/// update it on an ordinary read.
fn age_atimes(manifest: &HostileManifest) {
    for e in regular_files(manifest) {
        let (_dir, path) = reach(manifest, &e.path);
        let md = fs::symlink_metadata(&path).expect("stat");
        // Dates before 1970 are in the corpus too.
        let mtime = if md.mtime() >= 0 {
            UNIX_EPOCH + Duration::new(md.mtime() as u64, md.mtime_nsec() as u32)
        } else {
            UNIX_EPOCH - Duration::from_secs(md.mtime().unsigned_abs()) + Duration::from_nanos(md.mtime_nsec() as u64)
        };
        let old = mtime - Duration::from_secs(30 * 86_400) + Duration::from_nanos(123_456_789);
        let times = fs::FileTimes::new().set_accessed(old);
        match fs::File::options().write(true).open(&path).or_else(|_| fs::File::open(&path)) {
            Ok(f) => f.set_times(times).expect("set the atime"),
            Err(_) => {
                let stamp = match old.duration_since(UNIX_EPOCH) {
                    Ok(d) => format!("@{}.{:09}", d.as_secs(), d.subsec_nanos()),
                    Err(e) => format!("@-{}", e.duration().as_secs()),
                };
                let ok = std::process::Command::new("touch").args(["-a", "-d", &stamp]).arg(&path).status().expect("touch");
                assert!(ok.success(), "touch -a {}", path.display());
            }
        }
    }
}

// -------------------------------------------------------------- the tests

/// An alert list naming two of the hostile files, so hits are checked too.
fn import_alert_list(ws: &Workspace, manifest: &HostileManifest) -> Vec<Vec<u8>> {
    let mut named: Vec<Vec<u8>> = [&b"pictures/jpeg/valid.jpg"[..], b"bombs/png-flood-10000x10000-rgba16.png", b"names/-rf"]
        .iter()
        .map(|p| p.to_vec())
        .filter(|p| manifest.entry(p).is_some())
        .collect();
    named.sort();
    let mut list = String::new();
    for p in &named {
        let e = manifest.entry(p).expect("named");
        list.push_str(&format!("{}  {}\n", e.md5.as_deref().expect("md5"), e.path_lossy));
    }
    let path = ws.path("hostile.md5");
    fs::write(&path, list).expect("write the list");
    ws.spoor(&args!["hashset", "import", path, "--name", "Hostile list", "--kind", "alert"]).ok();
    named
}

#[test]
fn the_scan_survives_the_hostile_corpus_and_records_every_entry() {
    let ws = Workspace::new();
    let started = Instant::now();
    let opts = full_options();
    let manifest = spoor_fixtures::generate_hostile(&ws.path("hostile"), &opts).expect("generate the hostile corpus");
    println!(
        "corpus: {} entries ({} files, video {}, char device {}) in {:.1} s",
        manifest.entries.len(),
        regular_files(&manifest).len(),
        manifest.video_source,
        manifest.char_device,
        started.elapsed().as_secs_f64()
    );
    let named = import_alert_list(&ws, &manifest);
    let case = ws.new_case("case.spoor", &manifest.evidence_root);

    // Contents first (reading moves atimes), then age the atimes, then stat.
    let contents = with_contents(&manifest, stat_all(&manifest));
    age_atimes(&manifest);
    let before: Vec<Untouched> =
        stat_all(&manifest).into_iter().zip(&contents).map(|(s, c)| Untouched { sha256: c.sha256.clone(), ..s }).collect();

    let (run, usage) = run_watched(&ws, &args!["scan", case, "--json", "--jobs", "2"]);
    run.ok();
    let outcome = run.json();
    assert_eq!(outcome["outcome"], "completed", "{}", run.describe());
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    println!(
        "scan: {:.1} s, peak RSS {} MiB, read {} MiB (from storage {} MiB), counts {}",
        usage.secs,
        usage.peak_rss >> 20,
        usage.rchar >> 20,
        usage.read_bytes >> 20,
        outcome["counts"]
    );

    // 7. Evidence untouched: times first, then bytes.
    let after = with_contents(&manifest, stat_all(&manifest));
    let changed: Vec<String> = regular_files(&manifest)
        .iter()
        .zip(before.iter().zip(&after))
        .filter(|(_, (b, a))| b != a)
        .map(|(e, (b, a))| format!("{}: before {b:?}, after {a:?}", e.path_lossy.escape_debug()))
        .collect();
    assert!(changed.is_empty(), "the scan changed {} evidence file(s):\n{}", changed.len(), changed.join("\n"));

    // 2. Every entry recorded, every failure a warning with its stage.
    let (files, warnings) = read_case(&case);
    let mut problems = check_entries(&manifest, &files, &warnings, !is_root());
    problems.extend(check_against_decoder(&manifest, &files, &warnings));
    let listed = manifest.entries.iter().filter(|e| e.listed).count();
    assert!(problems.is_empty(), "{} problem(s) of {} entries:\n{}", problems.len(), manifest.entries.len(), problems.join("\n"));
    assert_eq!(files.len(), listed, "rows in files");
    let warning_rows: usize = warnings.values().map(Vec::len).sum();
    assert_eq!(outcome["counts"]["warnings"], warning_rows as u64, "the run's warning count");

    let hits: Vec<Vec<u8>> = ws.hits(&case).iter().map(|h| hex::decode(h["path_hex"].as_str().expect("path_hex")).expect("hex")).collect();
    let mut hits_sorted = hits.clone();
    hits_sorted.sort();
    assert_eq!(hits_sorted, named, "hits");
    ws.verify_intact(&case);

    // The reports carry these paths and warnings (8 KB paths, bytes that
    // are not UTF-8, terminal escapes, right-to-left overrides).
    for format in ["html", "pdf", "csv", "vics"] {
        let out = ws.path(&format!("report.{format}"));
        let run = ws.spoor(&args!["report", case, "--format", format, "-o", out]);
        assert_eq!(run.code, 0, "report as {format}\n{}", run.describe());
        ws.spoor(&args!["verify-report", case, out]).ok();
    }

    // Memory and I/O.
    assert!(
        usage.peak_rss < MEMORY_CAP,
        "peak RSS {} MiB is over the cap of {} MiB",
        usage.peak_rss >> 20,
        MEMORY_CAP >> 20
    );
    let sparse_total: u64 = manifest.entries.iter().filter(|e| e.path.starts_with(b"sparse/")).map(|e| e.size).sum();
    assert!(usage.rchar >= sparse_total, "the scan read {} bytes, less than the sparse files' {sparse_total}", usage.rchar);
    // Holes cost no storage reads: whatever the scan fetched from the disk
    // is far less than what it read.
    assert!(
        usage.read_bytes < (256 << 20).max(sparse_total / 8),
        "the scan fetched {} MiB from storage for {} MiB of mostly sparse data",
        usage.read_bytes >> 20,
        sparse_total >> 20
    );
    let by_stage = warnings.values().flatten().fold(BTreeMap::<&str, usize>::new(), |mut m, w| {
        *m.entry(w.stage.as_str()).or_default() += 1;
        m
    });
    println!("{} entries checked; warnings by stage {by_stage:?}", manifest.entries.len());

    // Time per picture: besides the pixel and memory caps, the decode time
    // cap (`Limits::max_decode_time`, 20 s) stops a decoder. What the
    // costliest hostile pictures take to decode and hash, here in one
    // thread (printed; no clock is asserted).
    let mut costs: Vec<(f64, String)> = manifest
        .entries
        .iter()
        .filter(|e| e.kind == "file" && e.listed && !matches!(e.decode, Decode::NotAPicture | Decode::Video | Decode::OverSizeCap))
        .filter_map(|e| {
            let bytes = fs::read(manifest.evidence_path(&e.path)).ok()?;
            let t = Instant::now();
            let r = spoor_pdq::decode::hash_file_bytes(&bytes, &spoor_pdq::decode::Limits::default());
            let secs = t.elapsed().as_secs_f64();
            Some((secs, format!("{} ({} bytes, {})", e.path_lossy, bytes.len(), r.map_or_else(|e| e.code().to_string(), |_| "decoded".into()))))
        })
        .collect();
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{} pictures decoded again in-process; the costliest:", costs.len());
    for (secs, what) in costs.iter().take(4) {
        println!("  {secs:.2} s  {what}");
    }
    for (path, ws) in &warnings {
        for w in ws.iter().filter(|w| w.stage != "decode") {
            println!("  [{}] {}: {}", w.stage, String::from_utf8_lossy(path).escape_debug(), w.reason);
        }
    }
}

/// Scans `tree` as user `nobody` (uid/gid 65534) with `setpriv`, the case
/// and a copy of the library in a folder nobody owns.
fn scan_as_nobody(ws: &Workspace, manifest: &HostileManifest) -> Option<(Run, PathBuf)> {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().map(Path::new).find(|p| p.exists())?;
    // Everything on the way to the tree and the binaries (spoor and the
    // video worker beside it) must be searchable: a checkout in a private
    // `mktemp -d` folder is not, for another user.
    for start in [ws.root(), Path::new(SPOOR)] {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let mode = fs::metadata(d).expect("stat").mode();
            if d.is_dir() && mode & 0o005 != 0o005 {
                fs::set_permissions(d, fs::Permissions::from_mode(mode | 0o755)).expect("open up a folder");
            }
            dir = d.parent();
        }
    }
    let own = ws.path("nobody");
    fs::create_dir(&own).expect("mkdir");
    let chown = |p: &Path| {
        let ok = std::process::Command::new("chown").args(["-R", "65534:65534"]).arg(p).status().expect("chown");
        assert!(ok.success(), "chown {}", p.display());
    };
    let case = own.join("case.spoor");
    fs::copy(ws.new_case("staging.spoor", &manifest.evidence_root), &case).expect("copy the case");
    chown(&own);
    let lib = own.join("library");
    let cp = std::process::Command::new("cp").arg("-a").arg(&ws.library).arg(&lib).status().expect("cp");
    assert!(cp.success());
    chown(&lib);
    let out = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(SPOOR)
        .args(["scan", "--json", "--jobs", "2", "--library"])
        .arg(&lib)
        .arg(&case)
        .env_remove("SPOOR_LIBRARY")
        .env("SPOOR_ANCHORS", own.join("anchors.jsonl"))
        .current_dir(&own)
        .stdin(Stdio::null())
        .output()
        .expect("run setpriv");
    let run = Run {
        args: args!["scan", case, "--json", "(as nobody)"],
        code: exit_code(out.status),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    Some((run, case))
}

#[test]
fn a_scan_without_read_permission_records_each_denial() {
    if !is_root() {
        // Not root: the main test already scans as a user the modes lock out.
        println!("SKIPPED: needs root to switch to user nobody; the_scan_survives_the_hostile_corpus covers it as this user");
        return;
    }
    let ws = Workspace::new();
    let opts = HostileOptions {
        wide_entries: 10,
        chain_depth: 10,
        sparse_bytes: 0,
        sparse_pictures: false,
        pixel_flood: false,
        ffmpeg: false,
    };
    let manifest = spoor_fixtures::generate_hostile(&ws.path("hostile"), &opts).expect("generate");
    import_alert_list(&ws, &manifest);
    let Some((run, case)) = scan_as_nobody(&ws, &manifest) else {
        println!("SKIPPED: setpriv is not installed (util-linux); cannot scan as another user");
        return;
    };
    run.ok();
    assert_eq!(run.json()["outcome"], "completed", "{}", run.describe());
    let (files, warnings) = read_case(&case);
    let problems = check_entries(&manifest, &files, &warnings, true);
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    let denied: Vec<String> = warnings
        .iter()
        .filter(|(p, _)| p.starts_with(b"noperm/"))
        .flat_map(|(p, ws)| ws.iter().map(move |w| format!("{} [{}] {}", String::from_utf8_lossy(p), w.stage, w.reason)))
        .collect();
    println!("as nobody:\n  {}", denied.join("\n  "));
    // The file rows of the unreadable files say so.
    for p in [&b"noperm/locked.bin"[..], b"noperm/write-only.bin"] {
        assert_eq!(files[p].status, "error", "{}", String::from_utf8_lossy(p));
        assert_eq!(files[p].sha256, None);
    }
    ws.verify_intact(&case);
}

// ------------------------------------------------ files that change under it

/// A tree whose first file (in walk order) is a sparse file of `slow`
/// bytes, so that a `--jobs 1` scan is still reading it when the walk is
/// over; the others are changed then.
struct Changing {
    root: PathBuf,
    slow: u64,
    /// Entries under the root (files and folders).
    entries: u64,
}

const CHANGES: &[(&str, &str)] = &[
    ("grow.bin", "changed size during the scan"),
    ("shrink.bin", "changed size during the scan"),
    ("vanish.bin", "vanished"),
    ("gone-dir/inside.bin", "vanished"),
    ("to-link.bin", "replaced by a symbolic link"),
    ("to-fifo.bin", "replaced by a FIFO during the scan: not read"),
];

fn changing_tree(ws: &Workspace) -> Changing {
    let root = ws.path("changing");
    fs::create_dir_all(root.join("gone-dir")).expect("mkdir");
    let slow = 1u64 << 30;
    fs::File::create(root.join("0-slow.bin")).and_then(|f| f.set_len(slow)).expect("sparse file");
    let mut rng = SplitMix64::new(0xC4A9);
    for (name, _) in CHANGES.iter().chain([("same-size.bin", ""), ("steady.bin", "")].iter()) {
        let mut bytes = vec![0u8; 64 * 1024];
        rng.fill(&mut bytes);
        fs::write(root.join(name), &bytes).expect("write");
    }
    let entries = count_entries(&root);
    Changing { root, slow, entries }
}

/// Files and folders under `dir`, not following links.
fn count_entries(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .expect("list")
        .map(|e| {
            let e = e.expect("entry");
            1 + if e.file_type().expect("type").is_dir() { count_entries(&e.path()) } else { 0 }
        })
        .sum()
}

/// Starts `spoor scan --jobs 1 --progress json`, stops it (SIGSTOP) as soon
/// as the walk is over, proves from `/proc/PID/io` that it has not read past
/// the slow first file, runs `change`, and lets it go on.
fn scan_changing(ws: &Workspace, case: &Path, tree: &Changing, change: impl FnOnce()) -> Run {
    let mut bg = ws.spawn(&args!["scan", case, "--json", "--jobs", "1", "--progress", "json"], Stdio::piped(), Stdio::piped());
    let pid = bg.pid();
    let mut out = bg.child().stdout.take().expect("stdout");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let stderr = bg.child().stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut log = Vec::new();
    let mut change = Some(change);
    for line in lines.by_ref() {
        let line = line.expect("stderr");
        // Hashing, with every entry of the tree counted: the walk is over
        // (the first tick can say "hashing" before the walk has begun).
        if change.is_some()
            && let Ok(p) = serde_json::from_str::<Value>(&line)
            && p["stage"] == "hashing"
            && p["files_total"] == tree.entries
        {
            bg.signal("STOP");
            let io = fs::read_to_string(format!("/proc/{pid}/io")).expect("read /proc/PID/io");
            let rchar = proc_field(&io, "rchar:").unwrap_or(u64::MAX);
            assert!(
                rchar < tree.slow,
                "the scan read {rchar} bytes before it could be stopped: it may be past the slow first file ({} bytes); the test cannot place its changes",
                tree.slow
            );
            (change.take().expect("once"))();
            bg.signal("CONT");
        }
        log.push(line);
    }
    assert!(change.is_none(), "no progress line said the walk was over:\n{}", log.join("\n"));
    let deadline = Instant::now() + HANG;
    let status = loop {
        if let Some(s) = bg.child().try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "HANG: the scan did not end within {HANG:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(bg);
    Run { args: args!["scan", case], code: exit_code(status), stdout: out_reader.join().expect("stdout"), stderr: log.join("\n") }
}

#[test]
fn files_that_grow_shrink_vanish_or_are_swapped_during_the_scan_are_warnings() {
    let ws = Workspace::new();
    let tree = changing_tree(&ws);
    ws.spoor(&args!["hashset", "import", write_empty_list(&ws), "--name", "none", "--kind", "alert"]).ok();
    let case = ws.new_case("case.spoor", &tree.root);
    let root = tree.root.clone();
    let run = scan_changing(&ws, &case, &tree, || {
        let p = |n: &str| root.join(n);
        fs::OpenOptions::new().append(true).open(p("grow.bin")).and_then(|mut f| std::io::Write::write_all(&mut f, b"more")).expect("grow");
        fs::OpenOptions::new().write(true).open(p("shrink.bin")).and_then(|f| f.set_len(100)).expect("shrink");
        fs::remove_file(p("vanish.bin")).expect("remove");
        fs::remove_dir_all(p("gone-dir")).expect("remove a folder");
        fs::remove_file(p("to-link.bin")).expect("remove");
        std::os::unix::fs::symlink("steady.bin", p("to-link.bin")).expect("symlink");
        fs::remove_file(p("to-fifo.bin")).expect("remove");
        let ok = std::process::Command::new("mkfifo").arg(p("to-fifo.bin")).status().expect("mkfifo");
        assert!(ok.success());
    });
    run.ok();
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    let (files, warnings) = read_case(&case);
    let mut problems = Vec::new();
    for (name, phrase) in CHANGES {
        let found = warnings.get(name.as_bytes()).cloned().unwrap_or_default();
        if !files.contains_key(name.as_bytes()) {
            problems.push(format!("{name}: not recorded"));
        }
        if found.len() != 1 || !found[0].reason.contains(phrase) || found[0].stage != "read" {
            problems.push(format!("{name}: expected one read warning …{phrase}…, found {found:?}"));
        }
    }
    for steady in ["0-slow.bin", "steady.bin", "same-size.bin"] {
        if let Some(w) = warnings.get(steady.as_bytes()) {
            problems.push(format!("{steady}: unexpected warnings {w:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(files[&b"shrink.bin"[..]].size, 100, "the size recorded is the bytes read");
    // Read up to the size listed, never chasing a writer: the digests are of
    // the file as listed.
    assert_eq!(files[&b"grow.bin"[..]].size, 64 * 1024);
    let mut listed = vec![0u8; 64 * 1024];
    SplitMix64::new(0xC4A9).fill(&mut listed);
    assert_eq!(files[&b"grow.bin"[..]].sha256.as_deref(), Some(sha256_hex(&listed).as_str()));
    ws.verify_intact(&case);
}

fn write_empty_list(ws: &Workspace) -> PathBuf {
    let path = ws.path("one.md5");
    fs::write(&path, format!("{}  nothing-here\n", "0".repeat(32))).expect("write a list");
    path
}

/// A file replaced by another of the same size between the walk and the
/// read: the scan records the walk's inode, mtime and ctime with the new
/// content's digests, and says nothing. It should notice (the opened file
/// is not the inode the walk saw) and warn.
#[test]
fn a_file_replaced_by_another_of_the_same_size_is_noticed() {
    let ws = Workspace::new();
    let tree = changing_tree(&ws);
    ws.spoor(&args!["hashset", "import", write_empty_list(&ws), "--name", "none", "--kind", "alert"]).ok();
    let case = ws.new_case("case.spoor", &tree.root);
    let root = tree.root.clone();
    let run = scan_changing(&ws, &case, &tree, || {
        let other = root.join(".replacement");
        fs::write(&other, vec![0x5Au8; 64 * 1024]).expect("write");
        fs::rename(&other, root.join("same-size.bin")).expect("rename over");
    });
    run.ok();
    let (_, warnings) = read_case(&case);
    let found = warnings.get(&b"same-size.bin"[..]).cloned().unwrap_or_default();
    assert!(
        found.iter().any(|w| w.stage == "read" && w.reason.contains("replaced")),
        "same-size.bin was replaced by another file (another inode) after the walk, and the scan recorded {found:?}"
    );
}

/// A file another process keeps writing to for the whole scan (a log on a
/// live system, or a file crafted to grow): the scan must end, record the
/// file with a warning when what it read differs from what it listed, and
/// never panic. The writer (64 KiB a millisecond at most) stops by itself
/// after 256 MiB or when the scan has ended, whichever comes first.
#[test]
fn a_file_that_keeps_growing_and_shrinking_does_not_hang_the_scan() {
    let ws = Workspace::new();
    let root = ws.path("live");
    fs::create_dir_all(&root).expect("mkdir");
    let mut rng = SplitMix64::new(0x11FE);
    for i in 0..200 {
        let mut b = vec![0u8; 16 * 1024];
        rng.fill(&mut b);
        fs::write(root.join(format!("a-{i:03}.bin")), &b).expect("write");
    }
    // Sparse files around the live ones keep the scan busy for a while.
    for name in ["b-sparse.bin", "m-sparse.bin", "z-sparse.bin"] {
        fs::File::create(root.join(name)).and_then(|f| f.set_len(512 << 20)).expect("sparse file");
    }
    fs::write(root.join("live-grow.log"), vec![b'x'; 1 << 20]).expect("write");
    fs::write(root.join("live-trunc.log"), vec![b'y'; 1 << 20]).expect("write");
    ws.spoor(&args!["hashset", "import", write_empty_list(&ws), "--name", "none", "--kind", "alert"]).ok();
    let case = ws.new_case("case.spoor", &root);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let root = root.clone();
        std::thread::spawn(move || {
            let chunk = vec![b'z'; 64 * 1024];
            let mut written = 0u64;
            let mut rounds = 0u64;
            let mut removed = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && written < (256 << 20) {
                if let Ok(mut f) = fs::OpenOptions::new().append(true).open(root.join("live-grow.log")) {
                    let _ = std::io::Write::write_all(&mut f, &chunk);
                    written += chunk.len() as u64;
                }
                if let Ok(f) = fs::OpenOptions::new().write(true).open(root.join("live-trunc.log")) {
                    let _ = f.set_len(if rounds.is_multiple_of(2) { 1024 } else { 2 << 20 });
                }
                if rounds % 50 == 25 {
                    let name = format!("a-{:03}.bin", rounds / 50 % 200);
                    if fs::remove_file(root.join(&name)).is_ok() {
                        removed.push(name);
                    }
                }
                rounds += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            (written, rounds, removed)
        })
    };
    let (run, usage) = run_watched(&ws, &args!["scan", case, "--json", "--jobs", "2"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (written, rounds, removed) = writer.join().expect("writer");
    run.ok();
    assert_eq!(run.json()["outcome"], "completed", "{}", run.describe());
    let (files, warnings) = read_case(&case);
    let mut problems = Vec::new();
    // Files nobody touched: recorded, hashed, no warning. Removed ones:
    // not listed (removed before the walk), hashed (read before), or an
    // error with its "vanished" warning. The live ones: recorded.
    for name in ["live-grow.log", "live-trunc.log", "b-sparse.bin", "m-sparse.bin", "z-sparse.bin"]
        .into_iter()
        .map(String::from)
        .chain((0..200).map(|i| format!("a-{i:03}.bin")))
    {
        let row = files.get(name.as_bytes());
        let w = warnings.get(name.as_bytes()).cloned().unwrap_or_default();
        let ok = if removed.contains(&name) {
            match row {
                None => w.is_empty(),
                Some(r) if r.status == "hashed" => w.is_empty(),
                Some(r) => r.status == "error" && w.len() == 1 && w[0].reason.contains("vanished"),
            }
        } else if name.starts_with("live-") {
            row.is_some_and(|r| r.status == "hashed")
        } else {
            row.is_some_and(|r| r.status == "hashed") && w.is_empty()
        };
        if !ok {
            problems.push(format!("{name}: {row:?} {w:?} (removed during the scan: {})", removed.contains(&name)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    println!(
        "writer: {} MiB appended in {rounds} rounds, {} files removed; scan {:.1} s; warnings: {:?}",
        written >> 20,
        removed.len(),
        usage.secs,
        warnings.iter().map(|(p, w)| (String::from_utf8_lossy(p).into_owned(), w.iter().map(|w| w.reason.clone()).collect::<Vec<_>>())).collect::<Vec<_>>()
    );
    ws.verify_intact(&case);
}

/// Each decode may take up to about a gigabyte inside the caps (the pixel
/// flood: 800 MB of 16-bit RGBA and a 300 MB RGB copy). Without a budget
/// shared by the workers, `--jobs N` decodes N of them at once and a folder
/// of such 5 MB files gets the scan killed by the kernel. The scan reserves
/// each picture's estimate (from its header) in one budget
/// (`ScanOptions::decode_memory`, 1 GiB): three floods with `--jobs 3` stay
/// under [`MEMORY_CAP`] as one does, and all three are decoded.
#[test]
fn three_pixel_floods_with_three_workers_stay_under_the_memory_cap() {
    let ws = Workspace::new();
    let opts = HostileOptions {
        wide_entries: 0,
        chain_depth: 0,
        sparse_bytes: 0,
        sparse_pictures: false,
        pixel_flood: true,
        ffmpeg: false,
    };
    let manifest = spoor_fixtures::generate_hostile(&ws.path("hostile"), &opts).expect("generate");
    let flood = manifest.evidence_path(b"bombs/png-flood-10000x10000-rgba16.png");
    let tree = ws.path("floods");
    fs::create_dir_all(&tree).expect("mkdir");
    for name in ["a.png", "b.png", "c.png"] {
        fs::copy(&flood, tree.join(name)).expect("copy");
    }
    ws.spoor(&args!["hashset", "import", write_empty_list(&ws), "--name", "none", "--kind", "alert"]).ok();
    let case = ws.new_case("case.spoor", &tree);
    let (run, usage) = run_watched(&ws, &args!["scan", case, "--json", "--jobs", "3"]);
    run.ok();
    let (files, warnings) = read_case(&case);
    assert_eq!(files.len(), 3);
    assert!(warnings.is_empty(), "{warnings:?}");
    for (path, row) in &files {
        assert_eq!(row.picture, Some(("png".to_string(), 10_000, 10_000)), "{}", String::from_utf8_lossy(path));
    }
    println!("three floods, --jobs 3: peak RSS {} MiB in {:.1} s", usage.peak_rss >> 20, usage.secs);
    assert!(
        usage.peak_rss < MEMORY_CAP,
        "three pictures decoded with --jobs 3 took {} MiB, over the cap of {} MiB: the decode budget does not hold",
        usage.peak_rss >> 20,
        MEMORY_CAP >> 20
    );
}

/// A panic while a picture is decoded (a decoder bug) is caught for that
/// file: its digests are kept, it gets one `decode` warning saying so, every
/// other file is recorded, the run completes and verifies. Debug builds of
/// the scan panic on purpose for a path ending with `$SPOOR_FAULT_PANIC_ON`
/// (crates/scan/src/stages.rs, `injected_fault`).
#[test]
fn a_panic_while_decoding_one_picture_costs_only_its_fingerprint() {
    let ws = Workspace::new();
    let (manifest, case) = ws.fixture_case(false);
    let reference = ws.new_case("reference.spoor", &manifest.evidence_root);
    ws.scan_completed(&reference, &args!["--jobs", "2"]);
    let mut cmd = ws.command(&args!["scan", case, "--json", "--jobs", "2"]);
    cmd.env("SPOOR_FAULT_PANIC_ON", "holiday/sunset.png");
    let out = cmd.output().expect("run spoor");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(exit_code(out.status), 0, "{stderr}");
    let outcome: Value = serde_json::from_slice(&out.stdout).expect("JSON outcome");
    assert_eq!(outcome["outcome"], "completed");
    let (files, warnings) = read_case(&case);
    let (ref_files, ref_warnings) = read_case(&reference);
    assert_eq!(files.len(), ref_files.len(), "every entry recorded");
    let sunset = &b"Users/alex/Pictures/holiday/sunset.png"[..];
    let found = warnings.get(sunset).cloned().unwrap_or_default();
    assert!(
        found.len() == 1 && found[0].stage == "decode" && found[0].reason.contains("panicked (caught; the scan went on)"),
        "{found:?}"
    );
    assert_eq!(files[sunset].status, "hashed", "the digests survive the panic");
    assert_eq!(files[sunset].sha256, ref_files[sunset].sha256);
    assert_eq!(files[sunset].picture, None);
    assert!(ref_files[sunset].picture.is_some(), "the reference decodes it");
    // Everything else is exactly as in a scan without the fault.
    for (path, row) in &files {
        if path.as_slice() != sunset {
            let r = &ref_files[path];
            assert_eq!((&row.status, &row.sha256, &row.picture), (&r.status, &r.sha256, &r.picture), "{}", String::from_utf8_lossy(path));
        }
    }
    let mut others = warnings.clone();
    others.remove(sunset);
    assert_eq!(others, ref_warnings, "the other warnings");
    ws.verify_intact(&case);
}

fn small_options() -> HostileOptions {
    HostileOptions { wide_entries: 0, chain_depth: 0, sparse_bytes: 0, sparse_pictures: false, pixel_flood: false, ffmpeg: false }
}

/// A file whose absolute path is longer than `PATH_MAX` (4,096 bytes) can
/// be made by anyone (descend by relative paths) and is a place to hide
/// material from tools that walk by full paths. The walk goes by
/// descriptor (`openat`/`statx` relative to each folder) and the reads
/// open such a path in steps, so every folder of the chain and the file at
/// its bottom are recorded, hashed, without a warning.
#[test]
fn files_beyond_path_max_are_scanned() {
    let ws = Workspace::new();
    let manifest = spoor_fixtures::generate_hostile(&ws.path("hostile"), &small_options()).expect("generate");
    let hidden = manifest
        .entries
        .iter()
        .find(|e| e.path.starts_with(b"beyond-path-max/") && e.path.ends_with(b"/hidden.txt"))
        .expect("the hidden file");
    ws.spoor(&args!["hashset", "import", write_empty_list(&ws), "--name", "none", "--kind", "alert"]).ok();
    let case = ws.new_case("case.spoor", &manifest.evidence_root);
    ws.scan_completed(&case, &[]);
    let (files, warnings) = read_case(&case);
    let deep: Vec<String> = warnings
        .iter()
        .filter(|(p, _)| p.starts_with(b"beyond-path-max/"))
        .flat_map(|(_, ws)| ws.iter().map(|w| format!("[{}] {}", w.stage, w.reason)))
        .collect();
    let row = files.get(&hidden.path);
    assert!(
        row.is_some_and(|r| r.sha256 == hidden.sha256 && r.status == "hashed"),
        "a file {} bytes below the evidence root was not read (recorded: {:?}); warnings in the chain: {deep:?}",
        hidden.path.len(),
        row.map(|r| (&r.status, &r.sha256))
    );
    assert!(deep.is_empty(), "warnings in the chain: {deep:?}");
    let chain = manifest.entries.iter().filter(|e| e.path.starts_with(b"beyond-path-max/")).count();
    let recorded = files.keys().filter(|p| p.starts_with(b"beyond-path-max/")).count();
    assert_eq!((recorded, chain), (41, 41), "every folder of the chain and its file");
    // `spoor hash` reaches it by its absolute path too.
    let abs = manifest.evidence_path(&hidden.path);
    assert!(abs.as_os_str().len() > spoor_fixtures::PATH_MAX);
    let run = ws.spoor(&args!["hash", abs, "--json"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.json()["sha256"].as_str(), hidden.sha256.as_deref(), "{}", run.describe());
}

/// `spoor hash` digests and decodes from one `open_read_only` descriptor,
/// the digest streamed and the decode only under the scan's caps: a sparse
/// file of a few GB that starts like a PNG is hashed in full and refused for
/// decoding (over the 512 MiB picture cap), in little memory.
#[test]
fn spoor_hash_of_a_huge_sparse_picture_stays_under_the_memory_cap() {
    let ws = Workspace::new();
    let path = ws.path("huge.png");
    {
        let mut f = fs::File::create(&path).expect("create");
        std::io::Write::write_all(&mut f, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR").expect("write");
        f.set_len(3 << 30).expect("sparse");
    }
    let (run, usage) = run_watched(&ws, &args!["hash", path, "--json"]);
    println!("spoor hash of a 3 GiB sparse PNG: exit {}, peak RSS {} MiB, {:.1} s", run.code, usage.peak_rss >> 20, usage.secs);
    assert_eq!(run.code, 0, "{}", run.describe());
    let out = run.json();
    assert_eq!(out["size"], 3u64 << 30, "{out}");
    let why = out["pdq_error"].as_str().unwrap_or_default();
    assert!(why.contains("over the decoding cap"), "{out}");
    assert!(
        usage.peak_rss < 256 << 20,
        "spoor hash took {} MiB for one file (read whole before decoding?)",
        usage.peak_rss >> 20
    );
}
