//! Test videos for the `video_*` CLI tests: made at test time by the
//! `ffmpeg` command-line tool from its deterministic lavfi sources, and
//! their vPDQ lists made by the `spoor-video-worker` under test.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The worker binary built with `spoor`.
pub const WORKER: &str = env!("CARGO_BIN_EXE_spoor-video-worker");

/// H.264 in MP4, 4:2:0.
pub const H264: &[&str] = &["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"];
/// MPEG-4 part 2 (re-encoding a copy with another codec).
pub const MPEG4: &[&str] = &["-c:v", "mpeg4", "-q:v", "5"];

/// Runs `ffmpeg -y ARGS OUT`, asserting it worked.
pub fn ffmpeg(args: &[&str], out: &Path) -> PathBuf {
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-v", "error", "-y"])
        .args(args)
        .arg(out)
        .output()
        .expect("the ffmpeg command-line tool is needed to make test videos (scripts/setup.sh installs it)");
    assert!(output.status.success(), "ffmpeg {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    out.to_path_buf()
}

/// `secs` seconds of a lavfi `source` encoded with `codec` into `out`.
pub fn video(source: &str, secs: f64, codec: &[&str], out: &Path) -> PathBuf {
    let t = secs.to_string();
    let mut args = vec!["-f", "lavfi", "-i", source, "-t", &t];
    args.extend_from_slice(codec);
    ffmpeg(&args, out)
}

/// The vPDQ reference text (`frame,quality,hash,timestamp`) of a video at
/// one frame per second, made by the worker.
pub fn vpdq_text(video: &Path) -> String {
    let out = Command::new(WORKER).arg(video).output().expect("run the worker");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut text = String::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        if v["type"] == "frame" {
            text.push_str(&format!(
                "{},{},{},{:.3}\n",
                v["frame_number"],
                v["quality"],
                v["hash"].as_str().expect("hash"),
                v["timestamp"].as_f64().expect("timestamp")
            ));
        }
    }
    assert!(!text.is_empty(), "no frames from {}", video.display());
    text
}

/// An executable shell script standing in for the worker.
pub fn fake_worker(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write the script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}
