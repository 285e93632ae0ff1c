//! Video frames against picture PDQ sets through `spoor scan`: a video made
//! from known fixture pictures is found (method `pdq`, one hit per listed
//! picture, with the frame's time and how many frames matched), a video of
//! unrelated content is not, a picture set of kind `ignore` gives no hit,
//! and a still exported from a known video finds that video's frame (and
//! the still itself) when the set holds the frame's PDQ.

mod common;
mod video_lab;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Workspace, sql_count};
use serde_json::Value;
use spoor_fixtures::generate_pdq;
use video_lab::{H264, ffmpeg, video, vpdq_text};

/// `spoor hash --json` of pictures: file name -> (PDQ, quality).
fn picture_hashes(ws: &Workspace, paths: &[PathBuf]) -> BTreeMap<String, (String, u64)> {
    let mut cmd = args!["hash", "--json"];
    cmd.extend(paths.iter().map(|p| p.clone().into_os_string()));
    let run = ws.spoor(&cmd);
    run.ok();
    run.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("one JSON object per line");
            let name = v["path"].as_str().and_then(|p| p.rsplit('/').next()).expect("path").to_string();
            (name, (v["pdq"].as_str().expect("pdq").to_string(), v["pdq_quality"].as_u64().expect("quality")))
        })
        .collect()
}

/// Imports a PDQ list (CSV `pdq,quality,category,name`) of `kind`.
fn import(ws: &Workspace, file: &str, name: &str, kind: &str, rows: &[(String, u64, String)]) {
    let mut csv = String::from("pdq,quality,category,name\n");
    for (hash, quality, label) in rows {
        csv.push_str(&format!("{hash},{quality},1,{label}\n"));
    }
    let path = ws.path(file);
    std::fs::write(&path, csv).expect("write the list");
    let run = ws.spoor(&args!["hashset", "import", path, "--name", name, "--kind", kind, "--format", "pdq", "--json"]);
    run.ok();
}

/// A slide show of three known pictures, three seconds each, the second
/// mirrored left to right, as H.264 at 25 fps; and an unrelated video.
fn make_videos(originals: &Path, evidence: &Path) {
    let pic = |n: &str| originals.join(n).to_str().expect("utf-8").to_string();
    let (beach, garden, harbour) = (pic("beach.png"), pic("garden.png"), pic("harbour.png"));
    let mut args: Vec<&str> = Vec::new();
    for p in [&beach, &garden, &harbour] {
        args.extend(["-loop", "1", "-framerate", "25", "-t", "3", "-i", p.as_str()]);
    }
    args.extend([
        "-filter_complex",
        "[0:v]scale=640:480,setsar=1[a];[1:v]scale=640:480,setsar=1,hflip[b];[2:v]scale=640:480,setsar=1[c];[a][b][c]concat=n=3:v=1:a=0[v]",
        "-map",
        "[v]",
    ]);
    args.extend_from_slice(H264);
    ffmpeg(&args, &evidence.join("slideshow.mp4"));
    video("life=size=320x240:rate=25:mold=10", 6.0, H264, &evidence.join("other.mp4"));
}

fn pdq_hits_of<'a>(hits: &'a [Value], path: &str) -> Vec<&'a Value> {
    hits.iter().filter(|h| h["path"] == path && h["method"] == "pdq").collect()
}

#[test]
fn a_video_made_of_known_pictures_is_found_frame_by_frame() {
    let ws = Workspace::new();
    let m = generate_pdq(&ws.path("pdq")).expect("generate the pictures");
    let evidence = ws.path("evidence");
    std::fs::create_dir_all(&evidence).expect("mkdir");
    make_videos(&m.originals_dir, &evidence);
    let names = ["beach.png", "garden.png", "harbour.png"];
    let hashes = picture_hashes(&ws, &names.map(|n| m.originals_dir.join(n)));
    let rows: Vec<(String, u64, String)> = names.iter().map(|n| (hashes[*n].0.clone(), hashes[*n].1, n.to_string())).collect();

    // An ignore set of the same pictures first: frames like known-good
    // pictures are no hit and do not set the video aside.
    import(&ws, "good.csv", "Known-good pictures", "ignore", &rows);
    let ignored = ws.new_case("ignored.spoor", &evidence);
    let out = ws.scan_completed(&ignored, &[]);
    assert_eq!(out["counts"]["hits"], 0, "{out}");
    assert_eq!(out["counts"]["warnings"], 0, "{out}");
    assert_eq!(sql_count(&ignored, "SELECT COUNT(*) FROM files WHERE known_good = 1"), 0);
    assert_eq!(sql_count(&ignored, "SELECT COUNT(*) FROM frames"), 9 + 6);

    import(&ws, "known.csv", "Known pictures", "alert", &rows);
    let case = ws.new_case("case.spoor", &evidence);
    let out = ws.scan_completed(&case, &[]);
    assert_eq!(out["counts"]["warnings"], 0, "{out}");
    let hits = ws.hits(&case);
    assert!(pdq_hits_of(&hits, "other.mp4").is_empty(), "unrelated video: {hits:#?}");
    let found = pdq_hits_of(&hits, "slideshow.mp4");
    assert_eq!(found.len(), 3, "one hit per known picture: {hits:#?}");
    assert_eq!(hits.len(), 3);
    // picture, its segment, the variant that matched
    let expect = [("beach.png", 0.0, "original"), ("garden.png", 3.0, "flipy"), ("harbour.png", 6.0, "original")];
    for (name, start, variant) in expect {
        let h = found.iter().find(|h| h["record"]["name"] == name).unwrap_or_else(|| panic!("no hit for {name}: {hits:#?}"));
        assert_eq!(h["hashset"], "Known pictures");
        assert_eq!(h["variant"], variant, "{h}");
        let d = h["distance"].as_u64().expect("distance");
        assert!(d <= 31, "{h}");
        let mt = &h["record"]["match"];
        assert_eq!(mt["distance"], d, "{h}");
        assert_eq!(mt["variant"], variant);
        // One frame a second, three seconds a picture: all three match.
        assert_eq!(mt["frames"], 3, "{h}");
        assert_eq!(mt["first_timestamp"].as_f64(), Some(start), "{h}");
        assert_eq!(mt["last_timestamp"].as_f64(), Some(start + 2.0), "{h}");
        let t = h["video"]["frame_timestamp"].as_f64().expect("the frame's time");
        assert!((start..=start + 2.0).contains(&t), "{h}");
        assert_eq!(mt["timestamp"].as_f64(), Some(t));
        let n = h["video"]["frame_number"].as_u64().expect("frame number");
        assert_eq!(n, (t * 25.0).round() as u64, "{h}");
        assert_eq!(mt["frame_number"], n);
        assert!(h["video"].get("query_match_percent").is_none(), "{h}");
        assert_eq!(mt["frame_hash"].as_str().map(str::len), Some(64));
    }
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM video_hits WHERE frame_timestamp IS NOT NULL AND frame_number IS NOT NULL"), 3);

    // Shown with its time in the listing and every report format.
    let text = ws.spoor(&args!["hits", case]);
    text.ok();
    assert_eq!(text.stdout.matches("frame at ").count(), 3, "{}", text.stdout);
    assert!(text.stdout.contains("3 frame(s) matched"), "{}", text.stdout);
    let csv = ws.path("hits.csv");
    ws.spoor(&args!["report", case, "--format", "csv", "-o", csv]).ok();
    let csv = std::fs::read_to_string(csv).expect("read the CSV");
    assert!(csv.lines().next().unwrap_or_default().contains("frame_timestamp"));
    let html = ws.path("report.html");
    ws.spoor(&args!["report", case, "--format", "html", "-o", html]).ok();
    let html = std::fs::read_to_string(html).expect("read the report");
    assert_eq!(html.matches("3 frame(s) matched").count(), 3, "the frame counts in the HTML report");

    // The distance is the pictures' setting: at 0 only an identical frame
    // would do, and the H.264 frames are several bits from the pictures.
    let strict = ws.new_case("strict.spoor", &evidence);
    ws.scan_completed(&strict, &args!["--pdq-distance", "0"]);
    let strict_hits = ws.hits(&strict);
    assert!(strict_hits.is_empty(), "{strict_hits:#?}");
    assert_eq!(ws.runs(&strict)[0]["settings"]["pdq_max_distance"], 0);
    ws.verify_intact(&case);
}

#[test]
fn a_still_from_a_known_video_finds_the_video_and_itself() {
    let ws = Workspace::new();
    let evidence = ws.path("evidence");
    std::fs::create_dir_all(&evidence).expect("mkdir");
    let clip = video("testsrc2=size=320x240:rate=25", 10.0, H264, &evidence.join("clip.mp4"));
    // The frame at 5 s exported as a picture.
    ffmpeg(&["-ss", "5", "-i", clip.to_str().expect("utf-8"), "-frames:v", "1"], &evidence.join("still.png"));
    // The set holds that frame's PDQ, as the known video's vPDQ list has it.
    let text = vpdq_text(&clip);
    let line = text.lines().find(|l| l.ends_with(",5.000")).expect("a frame at 5 s");
    let fields: Vec<&str> = line.split(',').collect();
    let (hash, quality) = (fields[2].to_string(), fields[1].parse::<u64>().expect("quality"));
    import(&ws, "frame.csv", "Known frame", "alert", &[(hash, quality, "clip frame 125".into())]);

    let case = ws.new_case("case.spoor", &evidence);
    let out = ws.scan_completed(&case, &[]);
    assert_eq!(out["counts"]["warnings"], 0, "{out}");
    let hits = ws.hits(&case);
    let video_hits = pdq_hits_of(&hits, "clip.mp4");
    assert_eq!(video_hits.len(), 1, "{hits:#?}");
    let h = video_hits[0];
    assert_eq!(h["distance"], 0, "the very frame: {h}");
    assert_eq!(h["variant"], "original");
    assert_eq!(h["video"]["frame_timestamp"].as_f64(), Some(5.0), "{h}");
    assert_eq!(h["video"]["frame_number"], 125);
    let mt = &h["record"]["match"];
    assert!(mt["frames"].as_u64().unwrap_or(0) >= 1);
    assert!(mt["first_timestamp"].as_f64().unwrap_or(99.0) <= 5.0);
    assert!(mt["last_timestamp"].as_f64().unwrap_or(0.0) >= 5.0);
    // The still, a picture, matches the frame's PDQ too.
    let still = pdq_hits_of(&hits, "still.png");
    assert_eq!(still.len(), 1, "{hits:#?}");
    assert!(still[0]["distance"].as_u64().unwrap_or(99) <= 31);
    assert!(still[0]["video"].is_null());
}
