//! The `spoor-video-worker` binary that ships with `spoor`: JSON lines out,
//! the reason on failure, its memory cap.

mod video_lab;

use std::process::Command;

use spoor_video::worker::WorkerLine;
use video_lab::{H264, WORKER, video};

#[test]
fn the_worker_streams_json_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = video("testsrc2=size=320x240:rate=25", 3.0, H264, &dir.path().join("w.mp4"));
    let sheet = dir.path().join("sheet.jpg");
    let out = Command::new(WORKER).args(["--fps", "1", "--sheet"]).arg(&sheet).arg(&path).output().expect("run the worker");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<WorkerLine> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    match &lines[0] {
        WorkerLine::Info(info) => {
            assert_eq!(info.codec, "h264");
            assert_eq!((info.width, info.height), (320, 240));
        }
        other => panic!("{other:?}"),
    }
    let in_process = spoor_video::fingerprint(&path, &spoor_video::VideoSettings { contact_sheet: None, ..Default::default() }, None)
        .expect("fingerprint");
    for (line, want) in lines[1..4].iter().zip(&in_process.frames) {
        assert_eq!(line, &WorkerLine::Frame(spoor_video::worker::FrameLine::new(*want, None)));
    }
    match &lines[4] {
        WorkerLine::Done(done) => {
            assert_eq!(done.frames, 3);
            let s = done.sheet.as_ref().expect("a sheet");
            assert_eq!(s.tiles.len(), 16);
            let bytes = std::fs::read(&s.path).expect("the sheet");
            assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
        }
        other => panic!("{other:?}"),
    }

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"just some text, not a video\n").expect("write");
    let out = Command::new(WORKER).arg(&text).output().expect("run the worker");
    assert_eq!(out.status.code(), Some(2));
    let line: WorkerLine = serde_json::from_slice(out.stdout.trim_ascii_end()).expect("JSON");
    assert!(matches!(line, WorkerLine::Error { ref code, .. } if code == "not_media"), "{line:?}");
}

#[test]
fn the_memory_cap_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = video("testsrc2=size=640x480:rate=25", 2.0, H264, &dir.path().join("m.mp4"));
    // 16 MiB of address space is not enough to decode anything: the worker
    // must fail (an error line or a signal), never succeed or hang.
    let out = Command::new(WORKER).args(["--max-memory", "16777216"]).arg(&path).output().expect("run the worker");
    assert_ne!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // A generous cap changes nothing.
    let out = Command::new(WORKER).args(["--max-memory", "4294967296"]).arg(&path).output().expect("run the worker");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
