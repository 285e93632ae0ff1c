//! Videos through `spoor scan`: frames and contact sheets in the case, a
//! vPDQ hit on a trimmed, re-encoded copy of a known video, none on an
//! unrelated one, and the same content digest whatever the worker count.

mod common;
mod video_lab;

use common::{Workspace, sql_count};
use video_lab::{H264, MPEG4, ffmpeg, video, vpdq_text};

/// Evidence with a video, a trimmed MPEG-4 copy in a sub-folder, and
/// an unrelated video; a library whose vPDQ set lists the original.
fn video_case(ws: &Workspace, name: &str) -> std::path::PathBuf {
    let ev = ws.path("evidence");
    if !ev.exists() {
        std::fs::create_dir_all(ev.join("sub")).expect("mkdir");
        let orig = video("testsrc2=size=320x240:rate=25", 12.0, H264, &ev.join("orig.mp4"));
        // Seconds 2 to 10, re-encoded as MPEG-4 in AVI.
        ffmpeg(&["-i", orig.to_str().expect("utf-8"), "-ss", "2", "-t", "8", "-c:v", "mpeg4", "-q:v", "6"], &ev.join("sub/copy.avi"));
        video("life=size=320x240:rate=25:mold=10", 6.0, MPEG4, &ev.join("other.mkv"));
        let known = ws.path("known");
        std::fs::create_dir_all(&known).expect("mkdir");
        std::fs::write(known.join("orig.vpdq.txt"), vpdq_text(&orig)).expect("write");
        ws.spoor(&args!["hashset", "import", known, "--name", "Known videos", "--version", "1", "--kind", "alert"]).ok();
    }
    ws.new_case(name, &ev)
}

#[test]
fn frames_sheets_and_vpdq_hits_are_recorded() {
    let ws = Workspace::new();
    let list = ws.spoor(&args!["hashset", "list", "--json"]);
    assert_eq!(list.json().as_array().map(Vec::len), Some(0));
    let case = video_case(&ws, "case.spoor");
    let sets = ws.spoor(&args!["hashset", "list", "--json"]).json();
    assert_eq!(sets[0]["format"], "vpdq");
    assert_eq!(sets[0]["vpdq_videos"], 1);

    let out = ws.scan_completed(&case, &[]);
    assert_eq!(out["counts"]["hits"], 2, "{out}");
    assert_eq!(out["counts"]["warnings"], 0, "{out}");

    // Frames: one per second of each video.
    let frames = |path: &str| {
        sql_count(&case, &format!("SELECT COUNT(*) FROM frames r JOIN files f ON f.id = r.file_id WHERE f.path = CAST('{path}' AS BLOB)"))
    };
    assert_eq!(frames("orig.mp4"), 12);
    assert_eq!(frames("sub/copy.avi"), 8);
    assert_eq!(frames("other.mkv"), 6);
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM frames WHERE length(pdq) = 64 AND quality BETWEEN 0 AND 100"), 26);
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM videos WHERE codec IN ('h264', 'mpeg4') AND width = 320 AND height = 240"), 3);
    // Contact sheets: a JPEG of 4x4 tiles for every video.
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM contact_sheets WHERE mime = 'image/jpeg' AND hex(substr(image, 1, 3)) = 'FFD8FF' AND cols = 4 AND rows = 4 AND width = 640"), 3);

    // The container's tags give each video its metadata record too.
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM file_metadata m JOIN files f ON f.id = m.file_id WHERE f.type_class = 'video'"), 3);

    let hits = ws.hits(&case);
    let paths: Vec<&str> = hits.iter().map(|h| h["path"].as_str().unwrap_or_default()).collect();
    assert_eq!(paths, ["orig.mp4", "sub/copy.avi"]);
    for h in &hits {
        assert_eq!(h["method"], "vpdq");
        assert_eq!(h["hashset"], "Known videos");
        assert_eq!(h["record"]["name"], "orig.vpdq.txt");
        let v = &h["video"];
        assert!(v["query_match_percent"].as_f64().unwrap_or(0.0) >= 80.0, "{h}");
        assert!(v["matched_frames"].as_u64().unwrap_or(0) >= 7, "{h}");
    }
    // The whole original is in the set; the copy is two thirds of it.
    assert_eq!(hits[0]["video"]["known_match_percent"], 100.0);
    let known = hits[1]["video"]["known_match_percent"].as_f64().unwrap_or(0.0);
    assert!((60.0..=75.0).contains(&known), "{known}");

    let runs = ws.runs(&case);
    let settings = &runs[0]["settings"];
    assert_eq!(settings["vpdq_max_distance"], 31);
    assert_eq!(settings["vpdq_min_quality"], 50);
    assert_eq!(settings["vpdq_query_match_percent"], 80.0);
    assert_eq!(settings["vpdq_known_match_percent"], 0.0);
    ws.verify_intact(&case);

    // The human listing says it too.
    let text = ws.spoor(&args!["hits", case]);
    assert!(text.stdout.contains("vPDQ: 100.0% of this video's frames"), "{}", text.stdout);

    // A report with thumbnails shows each video hit by its contact sheet
    // from the case, blurred: no "no thumbnail" reason for either.
    let html = ws.path("thumbs.html");
    ws.spoor(&args!["report", case, "--format", "html", "--thumbnails", "-o", html]).ok();
    let html = std::fs::read_to_string(html).expect("read the report");
    assert_eq!(html.matches("<img ").count(), 2, "one contact sheet per video hit");
    assert!(!html.contains("No thumbnail:"), "every video hit has its contact sheet");
    assert!(html.contains("a video is shown by the contact sheet"));

    // A stricter rule (all of the known video's frames) keeps only the original.
    let strict = video_case(&ws, "strict.spoor");
    ws.scan_completed(&strict, &args!["--vpdq-known-match", "100"]);
    let strict_hits = ws.hits(&strict);
    assert_eq!(strict_hits.len(), 1);
    assert_eq!(strict_hits[0]["path"], "orig.mp4");
}

#[test]
fn the_content_digest_does_not_depend_on_the_worker_count() {
    let ws = Workspace::new();
    let one = video_case(&ws, "one.spoor");
    let two = video_case(&ws, "two.spoor");
    let a = ws.scan_completed(&one, &args!["--jobs", "1", "--video-workers", "1"]);
    let b = ws.scan_completed(&two, &args!["--jobs", "2", "--video-workers", "3"]);
    assert_eq!(a["content_digest"], b["content_digest"]);
    assert!(a["content_digest"].is_string());
    // Without videos the digest differs (no frames, no vPDQ hits).
    let none = video_case(&ws, "none.spoor");
    let c = ws.scan_completed(&none, &args!["--no-video"]);
    assert_ne!(a["content_digest"], c["content_digest"]);
    assert_eq!(c["counts"]["hits"], 0);
    assert_eq!(sql_count(&none, "SELECT COUNT(*) FROM frames"), 0);
}
