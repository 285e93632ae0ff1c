//! Hostile videos and misbehaving workers: each ends in a recorded warning
//! (stage `video`) and the scan completes.

mod common;
mod video_lab;

use std::path::Path;

use common::{Workspace, sql_count};
use spoor_fixtures::HostileOptions;
use video_lab::{H264, fake_worker, ffmpeg, video};

/// `reason` of the video warning of each path.
fn video_warnings(ws: &Workspace, case: &Path) -> Vec<(String, String)> {
    ws.warnings(case)
        .iter()
        .filter(|w| w["stage"] == "video")
        .map(|w| (w["path"].as_str().unwrap_or_default().to_string(), w["reason"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn reason_of<'a>(warnings: &'a [(String, String)], path: &str) -> &'a str {
    warnings.iter().find(|(p, _)| p == path).map(|(_, r)| r.as_str()).unwrap_or_else(|| panic!("no video warning for {path}: {warnings:?}"))
}

#[test]
fn damaged_and_disguised_videos_are_warnings() {
    let ws = Workspace::new();
    let ev = ws.path("evidence");
    std::fs::create_dir_all(&ev).expect("mkdir");
    let good = video("testsrc2=size=320x240:rate=25", 4.0, H264, &ws.path("good.mp4"));
    let bytes = std::fs::read(&good).expect("read");
    // The moov box is at the end: cut off, nothing can be opened.
    std::fs::write(ev.join("truncated.mp4"), &bytes[..bytes.len() / 2]).expect("write");
    // A video stored under a picture's extension.
    std::fs::write(ev.join("holiday.jpg"), &bytes).expect("write");
    // A Matroska file with only audio.
    ffmpeg(&["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libvorbis"], &ev.join("audio-only.mkv"));
    // A video stream that holds no frame.
    ffmpeg(&["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25", "-frames:v", "0", "-c:v", "libx264"], &ev.join("no-frames.mkv"));
    // 1000 frames per second: decodes like any other (no crash, no hang).
    video("testsrc2=size=64x64:rate=1000", 2.0, H264, &ev.join("fast.mp4"));
    let case = ws.new_case("case.spoor", &ev);
    let out = ws.scan_completed(&case, &[]);
    let warnings = video_warnings(&ws, &case);
    assert!(reason_of(&warnings, "truncated.mp4").contains("cannot be fingerprinted"), "{warnings:?}");
    assert!(reason_of(&warnings, "holiday.jpg").contains("extension .jpg does not fit"), "{warnings:?}");
    assert!(reason_of(&warnings, "audio-only.mkv").contains("no_video_stream"), "{warnings:?}");
    assert!(reason_of(&warnings, "no-frames.mkv").contains("cannot be fingerprinted"), "{warnings:?}");
    // The disguised video is fingerprinted all the same; so is the fast one.
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM frames r JOIN files f ON f.id = r.file_id WHERE f.path = CAST('holiday.jpg' AS BLOB)"), 4);
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM frames r JOIN files f ON f.id = r.file_id WHERE f.path = CAST('fast.mp4' AS BLOB)"), 2);
    assert!(!warnings.iter().any(|(p, _)| p == "fast.mp4"), "{warnings:?}");
    assert_eq!(out["counts"]["warnings"].as_u64(), Some(warnings.len() as u64), "{out}");
    ws.verify_intact(&case);
}

#[test]
fn caps_on_size_frames_and_time_are_warnings() {
    let ws = Workspace::new();
    let ev = ws.path("evidence");
    std::fs::create_dir_all(&ev).expect("mkdir");
    video("testsrc2=size=320x240:rate=25", 4.0, H264, &ev.join("clip.mp4"));
    // Absurd for this cap: more pixels than allowed.
    let case = ws.new_case("pixels.spoor", &ev);
    ws.scan_completed(&case, &args!["--video-max-pixels", "10000"]);
    assert!(reason_of(&video_warnings(&ws, &case), "clip.mp4").contains("too_many_pixels"));
    // An endless stream, as far as the cap is concerned.
    let case = ws.new_case("frames.spoor", &ev);
    ws.scan_completed(&case, &args!["--video-max-frames", "30"]);
    assert!(reason_of(&video_warnings(&ws, &case), "clip.mp4").contains("frame_limit"));
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM frames"), 0);
    // A worker that never answers is killed at the time cap.
    let hang = fake_worker(ws.root(), "hang.sh", "exec sleep 600");
    let case = ws.new_case("time.spoor", &ev);
    ws.scan_completed(&case, &args!["--video-worker", hang, "--video-base-secs", "1", "--video-max-secs", "1"]);
    assert!(reason_of(&video_warnings(&ws, &case), "clip.mp4").contains("time cap of 1 s"));
}

#[test]
fn a_crashing_or_missing_worker_costs_one_file_not_the_scan() {
    let ws = Workspace::new();
    let ev = ws.path("evidence");
    std::fs::create_dir_all(&ev).expect("mkdir");
    video("testsrc2=size=320x240:rate=25", 2.0, H264, &ev.join("a.mp4"));
    video("testsrc2=size=320x240:rate=25", 3.0, H264, &ev.join("b.mp4"));
    std::fs::write(ev.join("notes.txt"), "not a video\n").expect("write");
    let root = ws.root().to_path_buf();
    // A decoder crash: the worker dies by SIGSEGV after a frame.
    let segv = fake_worker(&root, "segv.sh", r#"echo '{"type":"frame","frame_number":0,"timestamp":0.0,"hash":"0000000000000000000000000000000000000000000000000000000000000000","quality":0}'; kill -SEGV $$"#);
    let case = ws.new_case("segv.spoor", &ev);
    let out = ws.scan_completed(&case, &args!["--video-worker", segv]);
    let warnings = video_warnings(&ws, &case);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    for (_, reason) in &warnings {
        assert!(reason.contains("crashed (signal 11, SIGSEGV)"), "{reason}");
    }
    // Every file is recorded (with its digests), nothing else lost.
    assert_eq!(out["counts"]["files"], 3, "{out}");
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM files WHERE md5 IS NOT NULL"), 3);
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM frames"), 0);
    ws.verify_intact(&case);

    // Killed from outside (the OOM killer, an operator).
    let killed = fake_worker(&root, "kill.sh", "kill -KILL $$");
    let case = ws.new_case("killed.spoor", &ev);
    ws.scan_completed(&case, &args!["--video-worker", killed]);
    assert!(reason_of(&video_warnings(&ws, &case), "a.mp4").contains("SIGKILL"));

    // No worker at all.
    let case = ws.new_case("missing.spoor", &ev);
    ws.scan_completed(&case, &args!["--video-worker", root.join("no-such-worker")]);
    assert!(reason_of(&video_warnings(&ws, &case), "b.mp4").contains("cannot be started"));

    // The real worker, found next to `spoor`, after all that.
    let case = ws.new_case("real.spoor", &ev);
    ws.scan_completed(&case, &[]);
    assert!(video_warnings(&ws, &case).is_empty());
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM frames"), 5);
}

#[test]
fn the_hostile_tree_videos_are_each_a_warning() {
    let ws = Workspace::new();
    let opts = HostileOptions { wide_entries: 2, chain_depth: 2, sparse_bytes: 0, sparse_pictures: false, pixel_flood: false, ffmpeg: true };
    let manifest = spoor_fixtures::generate_hostile(&ws.path("hostile"), &opts).expect("hostile tree");
    let videos = manifest.evidence_root.join("video");
    let case = ws.new_case("case.spoor", &videos);
    ws.scan_completed(&case, &[]);
    let warnings = video_warnings(&ws, &case);
    let mut count = 0;
    for name in std::fs::read_dir(&videos).expect("list").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()) {
        if name == "clip.mp4" {
            assert!(!warnings.iter().any(|(p, _)| *p == name), "{warnings:?}");
            assert!(sql_count(&case, "SELECT COUNT(*) FROM frames") >= 2);
        } else {
            // Cut or crafted: what is sniffed as a video (by content)
            // FFmpeg cannot read, and that is a warning. (An EBML header
            // followed by noise names no Matroska doc type: not a video.)
            let sniffed = sql_count(&case, &format!("SELECT COUNT(*) FROM files WHERE type_class = 'video' AND path = CAST('{name}' AS BLOB)"));
            assert_eq!(sniffed > 0, warnings.iter().any(|(p, _)| *p == name), "{name}: {warnings:?}");
            count += usize::from(sniffed > 0);
        }
    }
    assert!(count >= 4, "{warnings:?}");
    ws.verify_intact(&case);
}
