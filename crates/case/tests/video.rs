//! Video rows (migration 2): written with their file, read back, covered by
//! the seals, `verify` and both run digests.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use spoor_case::{
    Batch, Case, ContactSheet, HashSetRecord, NewCase, NewEvidence, NewFile, NewHit, NewVideo, RunEnd, RunStart, VideoFrame,
    VideoMatch, verify::verify,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A case with one completed run holding one video with two frames, a
/// sheet and a vPDQ hit; returns the path and the run's digests.
fn video_case(dir: &Path, second_frame_quality: u32) -> Result<(PathBuf, String, String), Box<dyn std::error::Error>> {
    let path = dir.join("case.spoor");
    let info = NewCase {
        case_number: "2026-7".into(),
        title: String::new(),
        agency: String::new(),
        examiner: "E. Xaminer".into(),
        time_zone: "UTC".into(),
    };
    let mut case = Case::create(&path, &info, "spoor test")?;
    assert_eq!(case.format_version()?, spoor_case::FORMAT_VERSION);
    let ev = case.add_evidence(&NewEvidence {
        evidence_id: "ITEM-1".into(),
        description: String::new(),
        source_path: b"/mnt/x".to_vec(),
        acquisition_hashes: vec![],
    })?;
    let run = case.start_run(&RunStart {
        tool_name: "spoor".into(),
        tool_version: "0".into(),
        git_commit: "x".into(),
        host: "lab".into(),
        settings: serde_json::json!({ "vpdq_max_distance": 31 }),
        hashsets: vec![HashSetRecord {
            set_uid: "videos-1".into(),
            name: "Videos".into(),
            version: None,
            kind: "alert".into(),
            format: "vpdq".into(),
            profile: None,
            importer_version: "spoor-hashset".into(),
            source_name: "known".into(),
            source_sha256: "00".repeat(32),
            record_count: 0,
            digest_counts: serde_json::json!({}),
            imported_utc: "2026-12-01T00:00:00Z".into(),
        }],
    })?;
    let frame = |n: u64, q: u32| VideoFrame { frame_number: n, timestamp: n as f64 / 25.0, pdq: format!("{:064x}", n), quality: q };
    let mut batch = Batch::default();
    batch.files.push(NewFile {
        evidence_row: ev.row_id,
        path: b"clip.mp4".to_vec(),
        path_display: "clip.mp4".into(),
        kind: "file".into(),
        size: 1234,
        status: "hashed".into(),
        type_class: Some("video".into()),
        hits: vec![NewHit {
            hashset_row: run.hashset_rows[0],
            method: "vpdq".into(),
            distance: None,
            category: None,
            record: serde_json::json!({ "line": 1, "name": "known.txt" }),
        }],
        video: Some(Box::new(NewVideo {
            container: "mov,mp4,m4a,3gp,3g2,mj2".into(),
            codec: "h264".into(),
            width: 320,
            height: 240,
            duration_secs: Some(2.0),
            frame_rate: Some(25.0),
            frames_decoded: 50,
            metadata: serde_json::json!({ "encoder": "Lavf" }),
            settings: serde_json::json!({ "fps": 1.0 }),
            frames: vec![frame(0, 100), frame(25, second_frame_quality)],
            contact_sheet: Some(ContactSheet {
                mime: "image/jpeg".into(),
                width: 640,
                height: 480,
                cols: 4,
                rows: 4,
                tile_width: 160,
                tile_height: 120,
                tiles: vec![0.0, 1.0],
                sha256: String::new(),
                image: vec![0xFF, 0xD8, 0xFF, 0xD9],
            }),
            hit_details: vec![(
                0,
                VideoMatch {
                    query_match_percent: Some(100.0),
                    known_match_percent: Some(50.0),
                    matched_frames: Some(2),
                    query_unique_frames: Some(2),
                    known_unique_frames: Some(4),
                    ..VideoMatch::default()
                },
            )],
            ..NewVideo::default()
        })),
        ..NewFile::default()
    });
    case.write_batch(run.run_id, &batch)?;
    let end = case.end_run(run.run_id, &RunEnd::Completed)?;
    Ok((path, end.content_digest.unwrap_or_default(), end.rows_digest.unwrap_or_default()))
}

#[test]
fn video_rows_are_written_read_and_verified() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, content, _) = video_case(dir.path(), 90)?;
    let report = verify(&path)?;
    assert!(report.is_intact(), "{:?}", report.problems);
    for table in ["videos", "frames", "contact_sheets", "video_hits"] {
        assert!(report.rows.get(table).copied().unwrap_or(0) > 0, "{table} not checked");
    }
    let case = Case::open_read_only(&path)?;
    let hits = case.hits()?;
    assert_eq!(hits.len(), 1);
    let v = hits[0].video.as_ref().expect("vpdq details");
    assert_eq!(v.query_match_percent, Some(100.0));
    assert_eq!(v.known_match_percent, Some(50.0));
    assert_eq!(v.matched_frames, Some(2));
    let json = serde_json::to_value(&hits[0])?;
    assert_eq!(json["video"]["matched_frames"], 2);
    let file_id = hits[0].file_id;
    let video = case.video(file_id)?.expect("video row");
    assert_eq!((video.codec.as_str(), video.frames_sampled, video.frames_decoded), ("h264", 2, 50));
    assert_eq!(case.frames(file_id)?.len(), 2);
    let sheet = case.contact_sheet(file_id)?.expect("sheet");
    assert_eq!(sheet.image, vec![0xFF, 0xD8, 0xFF, 0xD9]);
    assert_eq!(sheet.sha256.len(), 64);
    assert_eq!(sheet.tiles, vec![0.0, 1.0]);

    // Another frame quality gives another content digest.
    let other = tempfile::tempdir()?;
    let (_, content2, _) = video_case(other.path(), 80)?;
    assert_ne!(content, content2);
    Ok(())
}

#[test]
fn tampering_with_video_rows_is_found() -> TestResult {
    for (sql, table) in [
        ("UPDATE frames SET pdq = '" .to_string() + &"f".repeat(64) + "' WHERE id = 1", "frames"),
        ("UPDATE contact_sheets SET image = x'00'".to_string(), "contact_sheets"),
        ("UPDATE video_hits SET query_match_percent = 10".to_string(), "video_hits"),
        ("DELETE FROM frames WHERE id = 2".to_string(), "frames"),
        ("UPDATE videos SET codec = 'vp9'".to_string(), "videos"),
    ] {
        let dir = tempfile::tempdir()?;
        let (path, _, _) = video_case(dir.path(), 90)?;
        let conn = Connection::open(&path)?;
        conn.execute_batch(&sql)?;
        drop(conn);
        let report = verify(&path)?;
        assert!(!report.is_intact(), "not found: {sql}");
        assert_eq!(report.problems[0].table, table, "{sql}: {:?}", report.problems);
        // The run's digests no longer match either.
        assert!(report.problems.iter().any(|p| p.table == "scan_runs"), "{sql}: {:?}", report.problems);
    }
    Ok(())
}
