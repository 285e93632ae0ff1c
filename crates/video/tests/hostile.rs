//! Hostile and broken input: every case ends in a clear, coded outcome
//! within the caps, never a hang or a crash.

mod common;

use std::sync::atomic::AtomicBool;

use common::{Lab, codec_args, size_of};
use spoor_video::{VideoError, VideoSettings, fingerprint, fingerprint_with, probe};

fn settings() -> VideoSettings {
    VideoSettings {
        contact_sheet: None,
        ..VideoSettings::default()
    }
}

fn code(r: spoor_video::Result<spoor_video::VideoResult>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got {} frames", v.frames.len()),
        Err(e) => {
            // Every message names the file.
            assert!(e.to_string().contains(&*e.path().to_string_lossy()), "{e}");
            e.code()
        }
    }
}

fn truncate(lab: &Lab, from: &std::path::Path, name: &str, keep: f64) -> std::path::PathBuf {
    let bytes = std::fs::read(from).expect("read");
    let cut = (bytes.len() as f64 * keep) as usize;
    lab.write(name, &bytes[..cut])
}

#[test]
fn files_that_are_not_videos() {
    let lab = Lab::new();
    let empty = lab.write("empty.mp4", b"");
    assert_eq!(code(fingerprint(&empty, &settings(), None)), "empty");

    let text = lab.write("clip.mp4", b"not a video at all, just text\n");
    assert_eq!(code(fingerprint(&text, &settings(), None)), "not_media");
    assert_eq!(probe(&text).expect("probe"), None);

    // Pseudo-random bytes.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let noise = lab.write("noise.mkv", &noise);
    assert_eq!(code(fingerprint(&noise, &settings(), None)), "not_media");

    let dir = lab.path("a-folder.mp4");
    std::fs::create_dir(&dir).expect("mkdir");
    assert_eq!(code(fingerprint(&dir, &settings(), None)), "not_a_file");

    let missing = lab.path("missing.mp4");
    assert_eq!(code(fingerprint(&missing, &settings(), None)), "io");

    // A symbolic link is not followed.
    let target = lab.video(
        "testsrc2=size=160x120:rate=10",
        1.0,
        &codec_args("mjpeg"),
        "t.avi",
    );
    let link = lab.path("link.avi");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    assert_eq!(code(fingerprint(&link, &settings(), None)), "io");
}

#[test]
fn containers_without_video() {
    let lab = Lab::new();
    let audio = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=8000",
            "-t",
            "2",
            "-c:a",
            "aac",
        ],
        "song.m4a",
    );
    assert_eq!(
        code(fingerprint(&audio, &settings(), None)),
        "no_video_stream"
    );
    assert_eq!(probe(&audio).expect("probe"), None);

    // Cover art is a picture stream, not video.
    let cover = lab.ffmpeg(
        &["-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1"],
        "cover.png",
    );
    let song = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=8000",
            "-i",
            cover.to_str().expect("utf-8"),
            "-t",
            "2",
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c:a",
            "libmp3lame",
            "-c:v",
            "copy",
            "-disposition:v",
            "attached_pic",
        ],
        "song.mp3",
    );
    assert_eq!(
        code(fingerprint(&song, &settings(), None)),
        "no_video_stream"
    );
    assert_eq!(probe(&song).expect("probe"), None);

    // A still picture is for the image pipeline.
    assert_eq!(probe(&cover).expect("probe"), None);

    // A Matroska file with no frames at all.
    let empty = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x64:rate=25",
            "-frames:v",
            "0",
        ],
        "no-frames.mkv",
    );
    let c = code(fingerprint(&empty, &settings(), None));
    assert!(
        ["no_video_stream", "no_frames", "malformed", "not_media"].contains(&c),
        "{c}"
    );
}

#[test]
fn truncated_files() {
    let lab = Lab::new();
    // MP4 with its index (moov) at the end: cut, it cannot be opened.
    let mp4 = lab.video(
        "testsrc2=size=320x240:rate=25",
        4.0,
        &codec_args("h264"),
        "full.mp4",
    );
    let cut = truncate(&lab, &mp4, "cut.mp4", 0.5);
    match fingerprint(&cut, &settings(), None) {
        Err(VideoError::Malformed { kind, .. }) => assert_eq!(kind, "video/mp4"),
        other => panic!("{:?}", other.map(|r| r.frames.len())),
    }
    assert!(matches!(probe(&cut), Err(VideoError::Malformed { .. })));

    // MP4 with the index first (faststart) and Matroska: the frames before
    // the cut are hashed.
    let fast = lab.ffmpeg(
        &[
            "-i",
            mp4.to_str().expect("utf-8"),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
        ],
        "fast.mp4",
    );
    let mkv = lab.video(
        "testsrc2=size=320x240:rate=25",
        4.0,
        &codec_args("h264"),
        "full.mkv",
    );
    for (full, name) in [(fast, "fast-cut.mp4"), (mkv, "cut.mkv")] {
        let cut = truncate(&lab, &full, name, 0.6);
        let r = fingerprint(&cut, &settings(), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            r.frames_decoded > 10 && r.frames_decoded < 100,
            "{name}: {} frames decoded",
            r.frames_decoded
        );
        assert!(!r.frames.is_empty());
        println!(
            "{name}: {} frames, warnings {:?}",
            r.frames_decoded, r.warnings
        );
        // The loss is recorded, not silent.
        assert!(
            r.warnings
                .iter()
                .any(|w| w.code == "ended_early" || w.code == "read_error"),
            "{name}: {:?}",
            r.warnings
        );
    }

    // The first bytes only.
    let head = truncate(&lab, &mp4, "head.mp4", 0.0005);
    assert!(size_of(&head) > 0);
    let c = code(fingerprint(&head, &settings(), None));
    assert!(["malformed", "not_media"].contains(&c), "{c}");
}

/// Writes a 2-frame raw-video Matroska file whose header claims another size.
fn mkv_claiming(lab: &Lab, width: u16, height: u16, name: &str) -> std::path::PathBuf {
    // 320x256: both sides need two bytes in EBML (element IDs 0xB0, 0xBA).
    let real = lab.video(
        "testsrc=size=320x256:rate=5",
        0.4,
        &["-c:v", "rawvideo", "-pix_fmt", "yuv420p"],
        &format!("{name}.real.mkv"),
    );
    let mut bytes = std::fs::read(real).expect("read");
    for (id, value) in [(0xB0u8, width), (0xBA, height)] {
        let old = if id == 0xB0 { 320u16 } else { 256 };
        let pattern = [id, 0x82, (old >> 8) as u8, old as u8];
        let at = bytes
            .windows(4)
            .position(|w| w == pattern)
            .expect("the size element");
        bytes[at + 2..at + 4].copy_from_slice(&value.to_be_bytes());
    }
    lab.write(name, &bytes)
}

#[test]
fn absurd_dimensions() {
    let lab = Lab::new();
    // Over the cap (8192x8192 by default) but within FFmpeg's own limits.
    let huge = mkv_claiming(&lab, 16000, 16000, "huge.mkv");
    match fingerprint(&huge, &settings(), None) {
        Err(VideoError::TooManyPixels { width, height, .. }) => {
            assert_eq!((width, height), (16000, 16000));
        }
        other => panic!("{:?}", other.map(|r| r.frames.len())),
    }
    // Probing still describes it.
    let info = probe(&huge).expect("probe").expect("a video");
    assert_eq!((info.width, info.height), (16000, 16000));
    // Beyond what FFmpeg accepts at all.
    let absurd = mkv_claiming(&lab, 65535, 65535, "absurd.mkv");
    assert_eq!(
        code(fingerprint(&absurd, &settings(), None)),
        "invalid_dimensions"
    );

    // A header that lies within the cap: the frames do not fit the claimed
    // size and are rejected, so nothing is hashed.
    let wrong = mkv_claiming(&lab, 4000, 4000, "wrong.mkv");
    let c = code(fingerprint(&wrong, &settings(), None));
    assert!(["no_frames", "decode_error"].contains(&c), "{c}");

    // The pixel cap applies to honest videos too.
    let normal = lab.video(
        "testsrc2=size=320x240:rate=25",
        1.0,
        &codec_args("h264"),
        "n.mp4",
    );
    let capped = VideoSettings {
        max_pixels: 320 * 239,
        ..settings()
    };
    assert_eq!(code(fingerprint(&normal, &capped, None)), "too_many_pixels");
}

#[test]
fn absurd_frame_rates() {
    let lab = Lab::new();
    // One frame every 100 000 seconds.
    let slow = lab.video(
        "testsrc=size=64x64:rate=1/100000",
        300_000.0,
        &codec_args("mjpeg"),
        "slow.mkv",
    );
    let r = fingerprint(&slow, &settings(), None).expect("slow");
    assert_eq!(r.frames_decoded + r.frames_skipped, 3);
    assert_eq!(r.frames.len(), 3, "every frame is a second or more apart");
    // 100 000 frames per second, 50 frames.
    let fast = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x64:rate=100000",
            "-frames:v",
            "50",
        ]
        .iter()
        .chain(codec_args("mjpeg").iter())
        .copied()
        .collect::<Vec<_>>(),
        "fast.mkv",
    );
    let r = fingerprint(&fast, &settings(), None).expect("fast");
    assert_eq!(r.frames_decoded + r.frames_skipped, 50);
    assert!(r.frames.len() <= 2, "{} frames sampled", r.frames.len());
}

#[test]
fn endless_and_referring_streams() {
    let lab = Lab::new();
    // A concat list that names itself: endless if followed.
    let list = lab.path("loop.ffconcat");
    std::fs::write(
        &list,
        "ffconcat version 1.0\nfile loop.ffconcat\nfile loop.ffconcat\n",
    )
    .expect("write");
    let c = code(fingerprint(&list, &settings(), None));
    assert!(["refused_format", "not_media"].contains(&c), "{c}");

    // An HLS playlist pointing at the network: never fetched.
    let m3u8 = lab.write(
        "live.m3u8",
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10,\nhttp://127.0.0.1:9/seg0.ts\n",
    );
    let c = code(fingerprint(&m3u8, &settings(), None));
    assert!(["refused_format", "not_media"].contains(&c), "{c}");

    // An SDP file would open network sockets.
    let sdp = lab.write(
        "stream.sdp",
        b"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n",
    );
    let c = code(fingerprint(&sdp, &settings(), None));
    assert!(["refused_format", "not_media"].contains(&c), "{c}");

    // A looping GIF is decoded once.
    let gif = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x64:rate=10",
            "-frames:v",
            "10",
            "-loop",
            "0",
        ],
        "loop.gif",
    );
    let r = fingerprint(&gif, &settings(), None).expect("gif");
    assert_eq!(r.frames_decoded, 10);

    // "Endless" within the caps: too many frames, or too much time.
    let long = lab.video(
        "testsrc=size=64x64:rate=100",
        3.0,
        &codec_args("mjpeg"),
        "long.avi",
    );
    let capped = VideoSettings {
        max_frames: 50,
        ..settings()
    };
    match fingerprint(&long, &capped, None) {
        Err(VideoError::FrameLimit { max_frames, .. }) => assert_eq!(max_frames, 50),
        other => panic!("{:?}", other.map(|r| r.frames.len())),
    }
    let no_time = VideoSettings {
        max_decode_secs: 0,
        ..settings()
    };
    assert_eq!(code(fingerprint(&long, &no_time, None)), "time_limit");
    let r = fingerprint(&long, &settings(), None).expect("uncapped");
    assert_eq!(r.frames_decoded + r.frames_skipped, 300);
}

#[test]
fn cancellation_and_panics() {
    let lab = Lab::new();
    let path = lab.video(
        "testsrc2=size=160x120:rate=25",
        2.0,
        &codec_args("h264"),
        "c.mp4",
    );
    let cancel = AtomicBool::new(true);
    assert_eq!(
        code(fingerprint(&path, &settings(), Some(&cancel))),
        "cancelled"
    );

    // A panic in the pipeline (here the caller's callback) is caught.
    let r = fingerprint_with(&path, &settings(), None, &mut |_, _| panic!("boom"));
    match r {
        Err(VideoError::Panicked { message, .. }) => assert_eq!(message, "boom"),
        other => panic!("{:?}", other.map(|r| r.frames.len())),
    }
    // And the next file is fine.
    assert_eq!(
        fingerprint(&path, &settings(), None)
            .expect("after")
            .frames
            .len(),
        2
    );
}

#[test]
fn corrupt_payload_is_survived() {
    let lab = Lab::new();
    let mkv = lab.video(
        "testsrc2=size=320x240:rate=25",
        4.0,
        &codec_args("h264"),
        "ok.mkv",
    );
    let mut bytes = std::fs::read(&mkv).expect("read");
    // Overwrite stretches in the middle with garbage, keeping the header.
    let len = bytes.len();
    for k in 0..8 {
        let at = len / 3 + k * len / 20;
        for (i, b) in bytes[at..at + 400].iter_mut().enumerate() {
            *b = (i * 37 + k) as u8;
        }
    }
    let bad = lab.write("bad.mkv", &bytes);
    match fingerprint(&bad, &settings(), None) {
        Ok(r) => {
            println!(
                "corrupt: {} frames decoded, warnings {:?}",
                r.frames_decoded, r.warnings
            );
            assert!(r.frames_decoded > 0);
            assert!(!r.warnings.is_empty(), "damage must be recorded");
        }
        Err(e) => {
            println!("corrupt: {e}");
            assert!(["decode_error", "malformed"].contains(&e.code()), "{e}");
        }
    }
}
