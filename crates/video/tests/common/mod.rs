//! Test videos made at test time with the `ffmpeg` command-line tool from
//! its deterministic lavfi sources, each test in a fresh temp folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Lab {
    dir: tempfile::TempDir,
}

impl Lab {
    pub fn new() -> Lab {
        let ok = Command::new("ffmpeg")
            .arg("-version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(
            ok,
            "the ffmpeg command-line tool is needed to make test videos; \
             install it (scripts/setup.sh installs Debian's ffmpeg)"
        );
        Lab {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `ffmpeg -y <args> <out>` and returns the output path.
    pub fn ffmpeg(&self, args: &[&str], out: &str) -> PathBuf {
        let path = self.path(out);
        let output = Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-v", "error", "-y"])
            .args(args)
            .arg(&path)
            .output()
            .expect("run ffmpeg");
        assert!(
            output.status.success(),
            "ffmpeg {args:?} {out} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        path
    }

    /// A lavfi source (`testsrc2=size=320x240:rate=25`, ...) for `secs`
    /// seconds, encoded with `codec` (and extra arguments) into `out`.
    pub fn video(&self, source: &str, secs: f64, codec: &[&str], out: &str) -> PathBuf {
        let t = secs.to_string();
        let mut args = vec!["-f", "lavfi", "-i", source, "-t", &t];
        args.extend_from_slice(codec);
        self.ffmpeg(&args, out)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }
}

/// The encoder arguments for each codec under test; the pixel format is
/// fixed so every decoder sees plain 4:2:0 (MJPEG: full-range 4:2:0).
pub fn codec_args(codec: &str) -> Vec<&'static str> {
    match codec {
        "h264" => vec![
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        ],
        "mpeg4" => vec!["-c:v", "mpeg4", "-q:v", "3"],
        "vp9" => vec![
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "500k",
        ],
        "vp8" => vec![
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "500k",
        ],
        "mjpeg" => vec!["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"],
        other => panic!("no arguments for {other}"),
    }
}

pub fn size_of(path: &Path) -> u64 {
    std::fs::metadata(path).expect("stat").len()
}
