//! What the fuzz targets share: scratch files on tmpfs, one hash-list
//! import with its checks, and a small case file to mutate.
//!
//! Every target feeds hostile bytes to one entry point an examiner's input
//! reaches (a hash list, a picture, a video, a case file) and fails only on
//! a panic, an abort, a sanitizer report, a hang (`-timeout`) or memory
//! over `-rss_limit_mb`. An error is the expected answer to most inputs.

use std::path::Path;
use std::sync::OnceLock;

use spoor_hashset::{Format, ImportOptions, Library, SetKind};

/// A scratch folder on tmpfs (`/dev/shm`) when there is one: imports sync
/// their folders, which costs nothing there.
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    };
    dir.expect("a scratch folder")
}

/// Imports `data` as a hash list of `format` (`None`: detected from the
/// content) into a fresh library. When the import succeeds, what it wrote
/// must load, verify, answer a lookup and export: a set the library cannot
/// read back is a bug even though nothing panicked at import time.
pub fn import(data: &[u8], format: Option<Format>) {
    let dir = scratch();
    let source = dir.path().join("list");
    std::fs::write(&source, data).expect("write the list");
    let library = Library::open(&dir.path().join("library")).expect("open a library");
    let opts = ImportOptions {
        name: "fuzz".into(),
        kind: SetKind::Alert,
        format,
        // Small runs, so the external merge is exercised too.
        sort_memory: 64 * 1024,
        ..ImportOptions::default()
    };
    let Ok(info) = library.import(&source, &opts) else {
        return;
    };
    assert!(info.record_count > 0 || info.vpdq_videos > 0, "an imported set has records");
    let matcher = library.load(&[]).expect("an imported set loads");
    library
        .verify_set("fuzz", None)
        .expect("an imported set verifies");
    matcher
        .lookup(&[0; 16], &[0; 20], &[0; 32])
        .expect("a lookup answers");
    for &format in info.export_formats() {
        library
            .export("fuzz", None, format, &mut std::io::sink())
            .expect("an imported set exports");
    }
}

/// Picks one of `choices` with the first byte; the rest is the input.
pub fn pick<'a, T: Copy>(data: &'a [u8], choices: &[T]) -> Option<(T, &'a [u8])> {
    let (&first, rest) = data.split_first()?;
    Some((choices[usize::from(first) % choices.len()], rest))
}

/// The bytes of a small, complete case file: created, an evidence item, a
/// run of three batches with hits and warnings, completed, reviewed. Built
/// once per process (its times differ between processes; its layout does
/// not).
pub fn template_case() -> &'static [u8] {
    static CASE: OnceLock<Vec<u8>> = OnceLock::new();
    CASE.get_or_init(|| build_case().expect("build the template case"))
}

fn build_case() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use spoor_case::{
        Batch, Case, HashSetRecord, NewCase, NewEvidence, NewFile, NewHit, NewWarning, RunEnd,
        RunStart,
    };
    let dir = scratch();
    let path = dir.path().join("case.spoor");
    let info = NewCase {
        case_number: "2026-0042".into(),
        title: "Fuzz".into(),
        agency: "Lab".into(),
        examiner: "A. de Vries".into(),
        time_zone: "UTC".into(),
    };
    let mut case = Case::create(&path, &info, "spoor fuzz")?;
    let ev = case.add_evidence(&NewEvidence {
        evidence_id: "ITEM-001".into(),
        description: "synthetic".into(),
        source_path: b"/mnt/item1".to_vec(),
        acquisition_hashes: vec![],
    })?;
    let run = case.start_run(&RunStart {
        tool_name: "spoor".into(),
        tool_version: "0.1.0".into(),
        git_commit: "fuzz".into(),
        host: "lab".into(),
        settings: serde_json::json!({ "jobs": 1 }),
        hashsets: vec![HashSetRecord {
            set_uid: "fuzz-0001".into(),
            name: "Fuzz list".into(),
            version: Some("1".into()),
            kind: "alert".into(),
            format: "md5sum".into(),
            profile: None,
            importer_version: "spoor-hashset".into(),
            source_name: "fuzz.md5".into(),
            source_sha256: "ab".repeat(32),
            record_count: 1,
            digest_counts: serde_json::json!({ "md5": 1 }),
            imported_utc: "2026-01-01T00:00:00Z".into(),
        }],
    })?;
    for b in 0..3u8 {
        let mut batch = Batch::default();
        for i in 0..4u8 {
            let name = format!("dir/file-{b}-{i}.jpg").into_bytes();
            batch.files.push(NewFile {
                evidence_row: ev.row_id,
                path_display: String::from_utf8_lossy(&name).into_owned(),
                path: name,
                kind: "file".into(),
                size: 1000 + u64::from(i),
                md5: Some(format!("{:032x}", u128::from(b * 10 + i))),
                status: "hashed".into(),
                hits: if i == 0 {
                    vec![NewHit {
                        hashset_row: run.hashset_rows[0],
                        method: "md5".into(),
                        distance: None,
                        category: Some("1".into()),
                        record: serde_json::json!({ "line": 1 }),
                    }]
                } else {
                    vec![]
                },
                ..NewFile::default()
            });
        }
        batch.warnings.push(NewWarning {
            evidence_row: ev.row_id,
            path: format!("dir/bad-{b}").into_bytes(),
            path_display: format!("dir/bad-{b}"),
            stage: "walk".into(),
            reason: "permission denied".into(),
        });
        case.write_batch(run.run_id, &batch)?;
    }
    case.end_run(run.run_id, &RunEnd::Completed)?;
    case.add_review(1, Some("1"), Some("vics-us"), "fuzz")?;
    drop(case);
    Ok(std::fs::read(&path)?)
}

/// Reads a case the ways the tool does: verify, then the read-only views.
pub fn read_case(path: &Path) {
    let _ = spoor_case::verify::verify(path);
    if let Ok(case) = spoor_case::Case::open_read_only(path) {
        let _ = case.info();
        let _ = case.evidence();
        let _ = case.runs();
        let _ = case.hits();
        let _ = case.warnings();
        let _ = case.audit_log();
    }
}
