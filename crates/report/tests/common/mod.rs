//! The harness of the report tests: a scanned fixture case in a fresh
//! temporary folder, made through the engine's own API (fixtures ->
//! hash-set library -> case -> scan), and the masking that makes a
//! rendered report comparable across runs and machines.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use spoor_case::{Case, NewCase, NewEvidence};
use spoor_fixtures::{FixtureOptions, Manifest};
use spoor_hashset::{ImportOptions, Library, SetKind};
use spoor_report::{BuildOptions, Filters, Generator, Report};
use tempfile::TempDir;

/// The generation time every test report states.
pub const GENERATED: &str = "2026-12-01T12:00:00.000Z";

/// The evidence item of the fixture case.
pub const ITEM: &str = "ITEM-001";

pub fn generator() -> Generator {
    Generator { name: "spoor".into(), version: "0.1.0".into(), commit: "0123456789ab".into() }
}

/// The fixture lists the case uses: file, set name, version, kind.
pub const LISTS: &[(&str, &str, Option<&str>, SetKind)] = &[
    ("known.md5", "Unit list 2026-11", Some("2026-11"), SetKind::Alert),
    ("known.sha256", "Unit list SHA-256", None, SetKind::Alert),
    ("alert.csv", "Alert CSV", Some("1"), SetKind::Alert),
    ("nsrl-sample.sha1", "Known good", None, SetKind::Ignore),
];

/// A scanned fixture case.
#[derive(Debug)]
pub struct Fixture {
    pub dir: TempDir,
    pub manifest: Manifest,
    pub library: PathBuf,
    pub case: PathBuf,
}

impl Fixture {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Generates the fixture tree, imports its lists, creates the case with
/// one evidence item, scans it (one worker, one batch: the same rows in
/// the same order every time) and records two examiner reviews.
pub fn fixture_case() -> Fixture {
    let dir = tempfile::Builder::new().prefix("spoor-report-test-").tempdir().expect("a temporary folder");
    let manifest = spoor_fixtures::generate(&dir.path().join("fixture"), &FixtureOptions { large: false }).expect("fixtures");
    // The mode-000 file is readable for root only: make it readable for
    // everyone, so the report is the same whoever runs the tests.
    for f in manifest.files.iter().filter(|f| f.unreadable) {
        let p = manifest.evidence_path(&f.path);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod the unreadable fixture");
    }
    let library_root = dir.path().join("library");
    let library = Library::open(&library_root).expect("library");
    for (file, name, version, kind) in LISTS {
        library
            .import(
                &manifest.hashsets_dir.join(file),
                &ImportOptions { name: (*name).into(), version: version.map(String::from), kind: *kind, format: None, ..ImportOptions::default() },
            )
            .unwrap_or_else(|e| panic!("import {file}: {e}"));
    }
    let case_path = dir.path().join("case.spoor");
    let mut case = Case::create(
        &case_path,
        &NewCase {
            case_number: "2026-0042".into(),
            title: "Operation Example".into(),
            agency: "Team Digitale Opsporing".into(),
            examiner: "A. de Vries".into(),
            time_zone: "Europe/Amsterdam".into(),
        },
        "spoor test",
    )
    .expect("create the case");
    case.add_evidence(&NewEvidence {
        evidence_id: ITEM.into(),
        description: "Laptop HDD, mounted read-only".into(),
        source_path: manifest.evidence_root.as_os_str().as_encoded_bytes().to_vec(),
        acquisition_hashes: vec![format!("sha256:{}", "ab".repeat(32)).parse().expect("hash")],
    })
    .expect("add evidence");
    let opts = spoor_scan::ScanOptions {
        jobs: Some(1),
        batch_files: 1_000_000,
        batch_interval: Duration::from_secs(24 * 3600),
        tool: spoor_scan::Tool { name: "spoor".into(), version: "0.1.0".into(), git_commit: "0123456789ab".into() },
        ..spoor_scan::ScanOptions::default()
    };
    let outcome = spoor_scan::scan(case, &library, &opts, Arc::new(AtomicBool::new(false)), &spoor_scan::NoProgress).expect("scan");
    assert!(matches!(outcome, spoor_scan::Outcome::Completed(_)), "{outcome:?}");

    // Two reviews: a category with a note, and a note only.
    let mut case = Case::open(&case_path).expect("reopen");
    let hits = case.hits().expect("hits");
    let first = hits.iter().find(|h| h.path.ends_with("report.dat")).expect("a hit on report.dat");
    case.add_review(first.file_id, Some("1"), Some("vics-us"), "Reviewed on the lab workstation.").expect("review");
    let second = hits.iter().find(|h| h.path.contains("überblick")).expect("a hit on überblick ☃.png");
    case.set_actor("B. Jansen");
    case.add_review(second.file_id, None, None, "Second opinion asked.").expect("review");
    drop(case);
    Fixture { dir, manifest, library: library_root, case: case_path }
}

/// Builds the report of a case with fixed time and tool.
pub fn build(case: &Path, filters: Filters, thumbnails: bool) -> (Report, String) {
    let verification = spoor_case::verify::verify(case).expect("verify");
    assert!(verification.is_intact(), "{verification:?}");
    let c = Case::open_read_only(case).expect("open");
    let report = Report::build(&c, &verification, &BuildOptions { filters, generator: generator(), generated_utc: GENERATED.into(), thumbnails })
        .expect("build");
    let digest = report.digest().expect("digest");
    (report, digest)
}

/// Replaces what differs between runs and machines with placeholders: the
/// temporary folder, the host name, every UTC time, the audit entry hashes,
/// the chain head, the runs' digests and the report digest. What the
/// evidence holds (paths, sizes, digests, categories) stays.
pub fn mask(text: &str, report: &Report, digest: &str, tmp: &Path) -> String {
    let mut out = text.to_string();
    let mut pairs: Vec<(String, String)> = vec![(digest.to_string(), "<REPORT-DIGEST>".into())];
    pairs.push((report.chain_head.hash.clone(), "<CHAIN-HEAD>".into()));
    for a in &report.audit {
        pairs.push((a.entry_hash.clone(), format!("<AUDIT-HASH-{}>", a.seq)));
    }
    for r in &report.runs {
        if let Some(d) = &r.content_digest {
            pairs.push((d.clone(), format!("<CONTENT-DIGEST-{}>", r.run_id)));
        }
        if let Some(d) = &r.rows_digest {
            pairs.push((d.clone(), format!("<ROWS-DIGEST-{}>", r.run_id)));
        }
        if !r.host.is_empty() {
            pairs.push((r.host.clone(), "<HOST>".into()));
        }
    }
    let tmp = std::fs::canonicalize(tmp).unwrap_or_else(|_| tmp.to_path_buf());
    pairs.push((tmp.display().to_string(), "<TMP>".into()));
    for (from, to) in pairs {
        out = out.replace(&from, &to);
    }
    mask_times(&out)
}

/// `2026-12-01T04:13:14Z`, with optional fraction, becomes `<UTC>`.
pub fn mask_times(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    let digit = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
    let is = |j: usize, c: u8| b.get(j) == Some(&c);
    while i < b.len() {
        let stamp = (0..4).all(|k| digit(i + k))
            && is(i + 4, b'-')
            && digit(i + 5)
            && digit(i + 6)
            && is(i + 7, b'-')
            && digit(i + 8)
            && digit(i + 9)
            && is(i + 10, b'T')
            && digit(i + 11)
            && digit(i + 12)
            && is(i + 13, b':')
            && digit(i + 14)
            && digit(i + 15)
            && is(i + 16, b':')
            && digit(i + 17)
            && digit(i + 18);
        if stamp {
            let mut j = i + 19;
            if is(j, b'.') {
                j += 1;
                while digit(j) {
                    j += 1;
                }
            }
            if is(j, b'Z') {
                out.push_str(&text[copied..i]);
                out.push_str("<UTC>");
                i = j + 1;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Compares `actual` with the expected file under `tests/snapshots/`.
/// `SPOOR_UPDATE_SNAPSHOTS=1` writes it instead. A mismatch leaves the
/// actual text beside it as `NAME.new` and names the first differing line.
pub fn snapshot(name: &str, actual: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let path = dir.join(name);
    if std::env::var_os("SPOOR_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(&dir).expect("snapshot folder");
        std::fs::write(&path, actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with SPOOR_UPDATE_SNAPSHOTS=1 to write it", path.display()));
    if expected != actual {
        let new = dir.join(format!("{name}.new"));
        let _ = std::fs::write(&new, actual);
        let (line, want, got) = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| (i + 1, a.to_string(), b.to_string()))
            .unwrap_or((expected.lines().count().min(actual.lines().count()) + 1, "(end)".into(), "(end)".into()));
        panic!(
            "{name} differs from its snapshot at line {line}:\n  expected: {want}\n  actual:   {got}\nthe actual output is in {} (SPOOR_UPDATE_SNAPSHOTS=1 accepts it)",
            new.display()
        );
    }
}
