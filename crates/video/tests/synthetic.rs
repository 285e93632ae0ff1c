//! Benign synthetic videos made at test time: codecs and containers,
//! sampling, copies that must match and a video that must not, contact
//! sheets and metadata (the worker binary is tested with the CLI, which
//! ships it: crates/cli/tests/video_worker.rs).

mod common;

use common::{Lab, codec_args};
use spoor_video::{
    MatchSettings, SheetLayout, VideoSettings, fingerprint, probe, read_vpdq, vpdq_match,
    write_vpdq,
};

fn no_sheet(fps: f64) -> VideoSettings {
    VideoSettings {
        fps,
        contact_sheet: None,
        ..VideoSettings::default()
    }
}

#[test]
fn codecs_and_containers_are_found_by_content() {
    let lab = Lab::new();
    let cases = [
        ("h264", "mp4", "mov,mp4"),
        ("h264", "mkv", "matroska"),
        ("mpeg4", "avi", "avi"),
        ("mpeg4", "mkv", "matroska"),
        ("vp9", "webm", "matroska,webm"),
        ("vp8", "webm", "matroska,webm"),
        ("mjpeg", "avi", "avi"),
        ("mjpeg", "mkv", "matroska"),
    ];
    for (codec, ext, container) in cases {
        let name = format!("{codec}.{ext}");
        let path = lab.video(
            "testsrc2=size=320x240:rate=25",
            3.0,
            &codec_args(codec),
            &name,
        );
        let r = fingerprint(&path, &no_sheet(1.0), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.info.codec, codec, "{name}");
        assert!(
            r.info.container.starts_with(container),
            "{name}: {}",
            r.info.container
        );
        assert_eq!((r.info.width, r.info.height), (320, 240), "{name}");
        assert_eq!(r.frames_decoded + r.frames_skipped, 75, "{name}");
        let numbers: Vec<u64> = r.frames.iter().map(|f| f.frame_number).collect();
        assert_eq!(numbers, vec![0, 25, 50], "{name}: one frame per second");
        let stamps: Vec<f64> = r.frames.iter().map(|f| f.timestamp).collect();
        for (got, want) in stamps.iter().zip([0.0, 1.0, 2.0]) {
            assert!((got - want).abs() < 1e-6, "{name}: timestamps {stamps:?}");
        }
        assert!(r.frames.iter().all(|f| f.quality >= 50), "{name}");
        assert!(r.warnings.is_empty(), "{name}: {:?}", r.warnings);

        // The extension plays no part: the same bytes under a misleading name.
        let disguised = lab.path(&format!("{codec}-{ext}.jpg"));
        std::fs::copy(&path, &disguised).expect("copy");
        let again = fingerprint(&disguised, &no_sheet(1.0), None).expect("by content");
        assert_eq!(again.frames, r.frames, "{name} disguised");
        assert_eq!(again.info.container, r.info.container);

        let info = probe(&path).expect("probe").expect("a video");
        assert_eq!(info.codec, codec);
    }
}

#[test]
fn every_frame_mode_hashes_every_frame_in_order() {
    let lab = Lab::new();
    let path = lab.video(
        "testsrc2=size=320x240:rate=30",
        2.0,
        &codec_args("h264"),
        "b-frames.mp4",
    );
    let r = fingerprint(&path, &no_sheet(0.0), None).expect("fingerprint");
    assert_eq!(r.frames.len(), 60);
    for (i, f) in r.frames.iter().enumerate() {
        assert_eq!(f.frame_number, i as u64);
        assert!(
            (f.timestamp - i as f64 / 30.0).abs() < 1e-3,
            "frame {i} at {}",
            f.timestamp
        );
    }
    // Threading does not change a bit.
    let one = fingerprint(
        &path,
        &VideoSettings {
            threads: 1,
            ..no_sheet(0.0)
        },
        None,
    )
    .expect("one thread");
    assert_eq!(one.frames, r.frames);
    // Half a second: 4 frames from 2 s, at 0, 0.5, 1.0, 1.5.
    let r = fingerprint(&path, &no_sheet(2.0), None).expect("2 fps");
    let numbers: Vec<u64> = r.frames.iter().map(|f| f.frame_number).collect();
    assert_eq!(numbers, vec![0, 15, 30, 45]);
}

/// Skipping non-reference frames changes nothing: same frames, numbers,
/// timestamps and hashes as decoding everything.
#[test]
fn skipping_non_reference_frames_is_exact() {
    let lab = Lab::new();
    let src = "testsrc2=size=320x240:rate=30";
    let mut videos = vec![
        (lab.video(src, 6.0, &codec_args("h264"), "h264.mp4"), true),
        (lab.video(src, 6.0, &codec_args("h264"), "h264.mkv"), true),
    ];
    let mut b_frames = codec_args("mpeg4");
    b_frames.extend(["-bf", "2"]);
    videos.push((lab.video(src, 6.0, &b_frames, "mpeg4.mkv"), true));
    let mpeg2 = ["-c:v", "mpeg2video", "-bf", "2", "-q:v", "4"];
    videos.push((lab.video(src, 6.0, &mpeg2, "mpeg2.mkv"), true));
    // Variable frame rate with a 0.7 s gap after frame 40.
    let vfr = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            src,
            "-t",
            "5",
            "-vf",
            "setpts='(N/30+gt(N,40)*0.7)/TB'",
            "-fps_mode",
            "vfr",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
        ],
        "vfr.mkv",
    );
    videos.push((vfr, true));
    // MPEG-4 in AVI: not skipped (packets need not be one frame each).
    videos.push((lab.video(src, 3.0, &b_frames, "mpeg4.avi"), false));
    // Intra-only: frames that cannot be sampled are not decoded at all.
    videos.push((lab.video(src, 3.0, &codec_args("mjpeg"), "mjpeg.avi"), true));
    videos.push((lab.video(src, 3.0, &codec_args("mjpeg"), "mjpeg.mkv"), true));
    for (path, expect_skips) in &videos {
        for fps in [1.0, 3.0, 0.5, 7.0] {
            let on = fingerprint(path, &no_sheet(fps), None).expect("with skipping");
            let off = fingerprint(
                path,
                &VideoSettings {
                    skip_nonref: false,
                    ..no_sheet(fps)
                },
                None,
            )
            .expect("without");
            let name = path.file_name().expect("name").to_string_lossy();
            assert_eq!(on.frames, off.frames, "{name} at {fps} fps");
            assert_eq!(off.frames_skipped, 0);
            assert_eq!(
                on.frames_decoded + on.frames_skipped,
                off.frames_decoded,
                "{name} at {fps} fps"
            );
            if fps == 1.0 {
                println!(
                    "{name}: {} of {} frames skipped",
                    on.frames_skipped, off.frames_decoded
                );
                assert_eq!(on.frames_skipped > 0, *expect_skips, "{name}");
            }
        }
    }
}

#[test]
fn reencoded_and_trimmed_copies_match_and_an_unrelated_video_does_not() {
    let lab = Lab::new();
    let source = "testsrc2=size=640x360:rate=25";
    let original = lab.video(source, 20.0, &codec_args("h264"), "original.mp4");
    // Re-encoded: other codec, container, size and quality.
    let reencoded = lab.ffmpeg(
        &[
            "-i",
            original.to_str().expect("utf-8"),
            "-vf",
            "scale=320:180",
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "150k",
        ],
        "reencoded.webm",
    );
    // Trimmed: seconds 6 to 14, re-encoded with MPEG-4 part 2.
    let trimmed = lab.ffmpeg(
        &[
            "-ss",
            "6",
            "-t",
            "8",
            "-i",
            original.to_str().expect("utf-8"),
            "-c:v",
            "mpeg4",
            "-q:v",
            "5",
        ],
        "trimmed.avi",
    );
    let unrelated = lab.video(
        "mandelbrot=size=640x360:rate=25",
        20.0,
        &codec_args("h264"),
        "unrelated.mp4",
    );

    let settings = no_sheet(1.0);
    let hash = |p: &std::path::Path| fingerprint(p, &settings, None).expect("fingerprint").frames;
    let (o, re, tr, un) = (
        hash(&original),
        hash(&reencoded),
        hash(&trimmed),
        hash(&unrelated),
    );
    assert_eq!(o.len(), 20);
    assert_eq!(tr.len(), 8);

    let ms = MatchSettings::default();
    let m = vpdq_match(&re, &o, &ms);
    println!("re-encoded vs original: {m:?}");
    assert!(m.is_match && m.query_match_percent >= 95.0, "{m:?}");
    let m = vpdq_match(&o, &re, &ms);
    assert!(m.is_match, "original vs re-encoded: {m:?}");

    let m = vpdq_match(&tr, &o, &ms);
    println!("trimmed vs original: {m:?}");
    assert!(m.is_match, "{m:?}");
    // The trimmed copy covers less than half of the original: it matches
    // because the known side needs 0 %, and the reverse does not.
    assert!(m.known_match_percent < 80.0, "{m:?}");
    assert!(!vpdq_match(&o, &tr, &ms).is_match);

    let m = vpdq_match(&un, &o, &ms);
    println!("unrelated vs original: {m:?}");
    assert!(!m.is_match, "{m:?}");
    assert!(m.query_match_percent < 20.0, "{m:?}");

    // The text format carries everything matching needs.
    let mut text = Vec::new();
    write_vpdq(&mut text, &o).expect("write");
    let back = read_vpdq(text.as_slice()).expect("read");
    assert_eq!(vpdq_match(&tr, &back, &ms), vpdq_match(&tr, &o, &ms));
}

#[test]
fn contact_sheet_spans_the_video() {
    let lab = Lab::new();
    let path = lab.video(
        "testsrc2=size=320x240:rate=25",
        20.0,
        &codec_args("h264"),
        "sheet.mp4",
    );
    let settings = VideoSettings {
        contact_sheet: Some(SheetLayout::default()),
        ..VideoSettings::default()
    };
    let r = fingerprint(&path, &settings, None).expect("fingerprint");
    let sheet = r.contact_sheet.expect("a sheet");
    assert_eq!(sheet.mime, "image/jpeg");
    assert_eq!((sheet.width, sheet.height), (640, 480));
    let img = image::load_from_memory(&sheet.bytes).expect("a JPEG");
    assert_eq!((img.width(), img.height()), (640, 480));
    assert!(sheet.bytes.len() < 200_000, "{} bytes", sheet.bytes.len());
    assert_eq!(sheet.tiles.len(), 16);
    assert!(
        sheet.tiles.windows(2).all(|w| w[0] < w[1]),
        "{:?}",
        sheet.tiles
    );
    assert!(
        sheet.tiles[0] < 2.0 && sheet.tiles[15] > 17.0,
        "{:?}",
        sheet.tiles
    );
    // Tiles are pictures, not black: testsrc2 is colourful everywhere.
    let rgb = img.to_rgb8();
    let bright = rgb.pixels().filter(|p| p.0.iter().any(|c| *c > 64)).count();
    assert!(bright > rgb.pixels().count() / 2);

    // A short clip fills as many tiles as it has frames.
    let short = lab.video(
        "testsrc2=size=320x240:rate=5",
        1.0,
        &codec_args("mjpeg"),
        "short.avi",
    );
    let r = fingerprint(&short, &settings, None).expect("fingerprint");
    assert_eq!(r.contact_sheet.expect("sheet").tiles.len(), 5);
}

#[test]
fn metadata_rotation_and_audio_are_reported() {
    let lab = Lab::new();
    let plain = lab.ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=8000",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-c:a",
            "aac",
            "-metadata",
            "title=Ünïcode title",
            "-metadata",
            "creation_time=2020-01-02T03:04:05Z",
            "-metadata",
            "location=+48.8584+002.2945/",
        ],
        "plain.mp4",
    );
    let rotated = lab.ffmpeg(
        &[
            "-i",
            plain.to_str().expect("utf-8"),
            "-c",
            "copy",
            "-metadata:s:v:0",
            "rotate=90",
        ],
        "phone.mp4",
    );
    let info = probe(&rotated).expect("probe").expect("a video");
    assert!(info.has_audio);
    assert_eq!(info.rotation, Some(90.0));
    assert_eq!(
        info.metadata.get("title").map(String::as_str),
        Some("Ünïcode title")
    );
    assert_eq!(
        info.metadata.get("location").map(String::as_str),
        Some("+48.8584+002.2945/")
    );
    assert_eq!(info.frame_rate, Some(25.0));
    let d = info.duration_secs.expect("duration");
    assert!((d - 2.0).abs() < 0.1, "{d}");
    let r = fingerprint(&rotated, &no_sheet(1.0), None).expect("fingerprint");
    assert_eq!(r.info, info);
    assert_eq!(r.frames.len(), 2);
    let plain_info = probe(&plain).expect("probe").expect("a video");
    assert_eq!(plain_info.rotation, None);
    // (ffmpeg drops creation_time when remuxing, so only the first has it.)
    assert_eq!(
        plain_info.creation_time.as_deref(),
        Some("2020-01-02T03:04:05.000000Z")
    );
}

#[test]
fn non_utf8_file_names_work() {
    use std::os::unix::ffi::OsStrExt;
    let lab = Lab::new();
    let path = lab.video(
        "testsrc2=size=160x120:rate=10",
        1.0,
        &codec_args("mjpeg"),
        "v.avi",
    );
    let odd = lab
        .path("x")
        .with_file_name(std::ffi::OsStr::from_bytes(b"caf\xe9:http:.avi"));
    std::fs::rename(&path, &odd).expect("rename");
    let r = fingerprint(&odd, &no_sheet(1.0), None).expect("fingerprint");
    assert_eq!(r.frames.len(), 1);
}

#[test]
fn dihedral_hashes_leave_the_frames_unchanged() {
    let lab = Lab::new();
    for (size, name) in [("320x240", "wide.mp4"), ("64x64", "tiny.mp4")] {
        let path = lab.video(
            &format!("testsrc2=size={size}:rate=25"),
            3.0,
            &codec_args("h264"),
            name,
        );
        let plain = fingerprint(&path, &no_sheet(1.0), None).expect("plain");
        let mut variants = Vec::new();
        let with = spoor_video::fingerprint_with(
            &path,
            &VideoSettings {
                dihedral: true,
                ..no_sheet(1.0)
            },
            None,
            &mut |f, d| variants.push((*f, d.copied())),
        )
        .expect("with dihedral hashes");
        // The frames (and their hashes: at 64x64 too) do not change.
        assert_eq!(plain.frames, with.frames, "{name}");
        assert_eq!(variants.len(), with.frames.len(), "{name}");
        for (frame, d) in &variants {
            let d = d.expect("dihedral hashes were asked for");
            assert_eq!(d.quality, frame.quality, "{name}");
            if size != "64x64" {
                assert_eq!(d.original, frame.hash, "{name}");
            }
            // A rotated frame is far from the frame as stored.
            assert!(d.rotate90.hamming(&frame.hash) > 31, "{name}");
        }
    }
    // Without the setting the callback gets none.
    let path = lab.video(
        "testsrc2=size=320x240:rate=25",
        2.0,
        &codec_args("h264"),
        "none.mp4",
    );
    let mut seen = 0;
    spoor_video::fingerprint_with(&path, &no_sheet(1.0), None, &mut |_, d| {
        assert!(d.is_none());
        seen += 1;
    })
    .expect("fingerprint");
    assert_eq!(seen, 2);
}
