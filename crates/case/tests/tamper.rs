//! Every change made behind the tool's back is found and named by verify.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use spoor_case::{Batch, Case, HashSetRecord, NewCase, NewEvidence, NewFile, NewHit, NewMetadata, NewWarning, RunEnd, RunStart, verify::verify};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn new_case(dir: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let path = dir.join("case.spoor");
    let info = NewCase {
        case_number: "2026-0042".into(),
        title: "Operation Example".into(),
        agency: "Team Digitale Opsporing".into(),
        examiner: "A. de Vries".into(),
        time_zone: "Europe/Amsterdam".into(),
    };
    let mut case = Case::create(&path, &info, "spoor test")?;
    let ev = case.add_evidence(&NewEvidence {
        evidence_id: "ITEM-001".into(),
        description: "Laptop HDD".into(),
        source_path: b"/mnt/item1".to_vec(),
        acquisition_hashes: vec!["sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".parse()?],
    })?;
    let run = case.start_run(&RunStart {
        tool_name: "spoor".into(),
        tool_version: "0.1.0".into(),
        git_commit: "abc".into(),
        host: "lab".into(),
        settings: serde_json::json!({ "jobs": 2 }),
        hashsets: vec![HashSetRecord {
            set_uid: "unit-list-2026-11-0011".into(),
            name: "Unit list".into(),
            version: Some("2026-11".into()),
            kind: "alert".into(),
            format: "md5sum".into(),
            profile: None,
            importer_version: "spoor-hashset 0.1.0".into(),
            source_name: "known.md5".into(),
            source_sha256: "ff".repeat(32),
            record_count: 3,
            digest_counts: serde_json::json!({ "md5": 3 }),
            imported_utc: "2026-11-30T10:00:00Z".into(),
        }],
    })?;
    for batch_no in 0..3u8 {
        let mut batch = Batch::default();
        for i in 0..4u8 {
            let name = format!("dir/file-{batch_no}-{i}.jpg").into_bytes();
            batch.files.push(NewFile {
                evidence_row: ev.row_id,
                path_display: String::from_utf8_lossy(&name).into_owned(),
                path: name,
                kind: "file".into(),
                size: 1000 + u64::from(i),
                md5: Some(format!("{:032x}", 0xabcd_ef00_u128 + u128::from(batch_no * 10 + i))),
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
                metadata: (i == 1).then(|| NewMetadata {
                    state: "present".into(),
                    origin: Some("exif".into()),
                    metadata: Some(r#"{"origin":"exif","make":"Canon"}"#.into()),
                    make: Some("Canon".into()),
                    model: Some("EOS 250D".into()),
                    capture_local: Some("2024-05-01T10:00:00".into()),
                    capture_unix: Some(1_714_557_600),
                    gps_latitude: Some(52.1),
                    gps_longitude: Some(5.1),
                    camera_original: true,
                    verdict_reasons: vec!["camera make and model, capture time, no editor".into()],
                    ..NewMetadata::default()
                }),
                ..NewFile::default()
            });
        }
        batch.warnings.push(NewWarning {
            evidence_row: ev.row_id,
            path: format!("dir/bad-{batch_no}").into_bytes(),
            path_display: format!("dir/bad-{batch_no}"),
            stage: "walk".into(),
            reason: "permission denied".into(),
        });
        case.write_batch(run.run_id, &batch)?;
    }
    let info = case.end_run(run.run_id, &RunEnd::Completed)?;
    let date = case.add_evidence_date("ITEM-001", "seizure", "2024-05-20T11:00:00+02:00")?;
    assert_eq!(date.utc, "2024-05-20T09:00:00Z");
    assert!(case.add_evidence_date("ITEM-404", "seizure", "2024-05-20").is_err());
    assert!(case.add_evidence_date("ITEM-001", "arrest", "2024-05-20").is_err());
    assert!(case.add_evidence_date("ITEM-001", "seizure", "last Tuesday").is_err());
    assert_eq!(case.evidence_dates()?.len(), 1);
    let meta = case.file_metadata(2)?.ok_or("no metadata for file 2")?;
    assert!(meta.metadata.camera_original);
    assert_eq!(meta.metadata.make.as_deref(), Some("Canon"));
    assert_eq!(case.latest_metadata()?.len(), 3);
    let review = case.add_review(1, Some("1"), Some("vics-us"), "seen, child abuse material")?;
    assert_eq!(review.examiner, "A. de Vries");
    assert!(case.add_review(999, Some("1"), None, "").is_err());
    assert_eq!(case.hits()?[0].review.as_ref().and_then(|r| r.category.as_deref()), Some("1"));
    assert_eq!(info.counts.files, 12);
    assert_eq!(info.counts.hits, 3);
    assert_eq!(info.counts.warnings, 3);
    Ok(path)
}

/// Applies `sql` with a plain connection (as a person with sqlite3 would)
/// and returns the first problem verify names.
fn tamper(sql: &str) -> Result<String, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = new_case(dir.path())?;
    assert!(verify(&path)?.is_intact(), "fresh case must verify");
    let conn = Connection::open(&path)?;
    conn.execute_batch(sql)?;
    drop(conn);
    let report = verify(&path)?;
    assert!(!report.is_intact(), "tampering not detected: {sql}");
    Ok(report.problems[0].to_string())
}

#[test]
fn intact_case_verifies_with_counts() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = new_case(dir.path())?;
    let report = verify(&path)?;
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.rows["files"], 12);
    assert_eq!(report.rows["hits"], 3);
    assert_eq!(report.rows["file_metadata"], 3);
    assert_eq!(report.rows["evidence_dates"], 1);
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].state, "completed");
    assert!(report.audit_entries >= 6);
    Ok(())
}

#[test]
fn changed_rows_are_named() -> TestResult {
    for (table, sql) in [
        ("files", "UPDATE files SET size = size + 1 WHERE id = 5"),
        ("files", "UPDATE files SET md5 = upper(md5) WHERE id = 2"),
        ("hits", "UPDATE hits SET category = '4' WHERE id = 2"),
        ("warnings", "UPDATE warnings SET reason = 'ok' WHERE id = 1"),
        ("evidence", "UPDATE evidence SET description = 'USB stick' WHERE id = 1"),
        ("case_info", "UPDATE case_info SET examiner = 'Someone Else'"),
        ("hashsets", "UPDATE hashsets SET version = '2027-01'"),
        ("scan_runs", "UPDATE scan_runs SET tool_version = '9.9.9'"),
        ("scan_run_events", "UPDATE scan_run_events SET hits = 0 WHERE event = 'completed'"),
        ("schema_migrations", "UPDATE schema_migrations SET tool_version = 'x'"),
        ("reviews", "UPDATE reviews SET category = '0'"),
        ("file_metadata", "UPDATE file_metadata SET camera_original = 0 WHERE id = 2"),
        ("file_metadata", "UPDATE file_metadata SET gps_latitude = 48.0 WHERE id = 1"),
        ("evidence_dates", "UPDATE evidence_dates SET utc = '2024-01-01T00:00:00Z'"),
    ] {
        let first = tamper(sql)?;
        assert!(first.starts_with(table) && first.contains("changed"), "{sql}: {first}");
    }
    Ok(())
}

#[test]
fn deleted_rows_are_named() -> TestResult {
    for (table, sql) in [
        ("files", "DELETE FROM files WHERE id = 7"),
        ("hits", "DELETE FROM hits WHERE id = 3"),
        ("warnings", "DELETE FROM warnings"),
        ("evidence", "PRAGMA foreign_keys = OFF; DELETE FROM evidence"),
        ("scan_run_events", "DELETE FROM scan_run_events WHERE event = 'completed'"),
        ("file_metadata", "DELETE FROM file_metadata WHERE id = 3"),
        ("evidence_dates", "DELETE FROM evidence_dates"),
    ] {
        let first = tamper(sql)?;
        assert!(first.starts_with(table) && first.contains("deleted"), "{sql}: {first}");
    }
    Ok(())
}

#[test]
fn inserted_rows_are_named() -> TestResult {
    let first = tamper(
        "INSERT INTO files (run_id, evidence_ref, path, path_display, kind, size, inode, device, mode, status) VALUES (1, 1, x'41', 'A', 'file', 1, 1, 1, 0, 'hashed')",
    )?;
    assert!(first.starts_with("files") && first.contains("inserted"), "{first}");
    // A forger who copies a seal from a neighbouring row is caught too.
    let first = tamper(
        "INSERT INTO hits (run_id, file_id, hashset_id, method, category, record, seal, row_hash) SELECT run_id, file_id, hashset_id, method, '4', record, seal, row_hash FROM hits WHERE id = 1",
    )?;
    assert!(first.starts_with("hits") && (first.contains("inserted") || first.contains("changed")), "{first}");
    Ok(())
}

#[test]
fn audit_log_edits_are_named() -> TestResult {
    let first = tamper("UPDATE audit_log SET actor = 'Mallory' WHERE seq = 3")?;
    assert!(first.starts_with("audit_log row 3") && first.contains("altered"), "{first}");
    let first = tamper("DELETE FROM audit_log WHERE seq = 4")?;
    assert!(first.starts_with("audit_log") && first.contains("missing"), "{first}");
    // Cutting the last entry off leaves the rows it sealed without a seal.
    let first = tamper("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")?;
    assert!(first.contains("does not exist"), "{first}");
    Ok(())
}

#[test]
fn schema_changes_are_named() -> TestResult {
    let first = tamper("CREATE TRIGGER t AFTER INSERT ON hits BEGIN SELECT 1; END")?;
    assert!(first.starts_with("schema") && first.contains("added"), "{first}");
    let first = tamper("DROP INDEX files_md5")?;
    assert!(first.starts_with("schema") && first.contains("dropped"), "{first}");
    Ok(())
}

#[test]
fn truncated_or_foreign_files_fail_verification() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = new_case(dir.path())?;
    let len = std::fs::metadata(&path)?.len();
    let f = std::fs::OpenOptions::new().write(true).open(&path)?;
    f.set_len(len / 2)?;
    drop(f);
    let report = verify(&path)?;
    assert!(!report.is_intact());
    let other = dir.path().join("other.db");
    Connection::open(&other)?.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")?;
    let err = verify(&other).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("not a Spoor case"), "{err}");
    Ok(())
}

#[test]
fn newer_format_is_refused_clearly() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = new_case(dir.path())?;
    Connection::open(&path)?.pragma_update(None, "user_version", 99)?;
    let err = Case::open(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("case format 99") && err.contains("newer Spoor"), "{err}");
    Ok(())
}

#[test]
fn a_second_writer_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = new_case(dir.path())?;
    let first = Case::open(&path)?;
    let second = Case::open(&path);
    assert!(matches!(second, Err(spoor_case::Error::Busy { .. })), "{second:?}");
    drop(first);
    assert!(Case::open(&path).is_ok());
    Ok(())
}

#[test]
fn content_digest_ignores_row_order() -> TestResult {
    // The same findings written in another order give the same content digest.
    let dir = tempfile::tempdir()?;
    let a = new_case(dir.path())?;
    let da = Case::open_read_only(&a)?.runs()?[0].content_digest.clone();
    let dir2 = tempfile::tempdir()?;
    let b = new_case(dir2.path())?;
    let db = Case::open_read_only(&b)?.runs()?[0].content_digest.clone();
    assert!(da.is_some());
    assert_eq!(da, db);
    Ok(())
}
