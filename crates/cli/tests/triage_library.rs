//! `spoor triage` against the hash-set library and with videos, on the
//! camera fixtures: the known picture is taken out of the evidence and
//! listed instead in a PDQ set (and, as a video made from it, in a vPDQ
//! set), so the heavier edit of it that the manifest names is near-known
//! only through the library, at the distance its PDQ says; a video made
//! from a series picture joins that series through its frames; an
//! unrelated video stays alone. Known answers come from the manifest and
//! the PDQ hashes computed here.

mod common;
mod video_lab;

use std::path::PathBuf;

use common::Workspace;
use serde_json::Value;
use spoor_fixtures::{CameraFile, Extras, FixtureOptions, Manifest};
use spoor_pdq::PdqHash;
use video_lab::{H264, ffmpeg, video, vpdq_text};

const CAMERA: &str = "CAMERA";

struct Setup {
    ws: Workspace,
    m: Manifest,
    case: PathBuf,
    /// The known picture's PDQ (listed in the PDQ set as record 1).
    known_pdq: PdqHash,
    /// The heavier edit of it (path relative to the camera item).
    near_path: String,
    /// The series picture the series video was made from, and its label.
    series_path: String,
    series_label: String,
}

fn rel(f: &CameraFile) -> String {
    f.path_lossy.trim_start_matches("Users/sam/Camera/").to_string()
}

fn pdq_of(path: &std::path::Path) -> (PdqHash, u32) {
    let bytes = std::fs::read(path).expect("read the picture");
    let (r, _) = spoor_pdq::decode::hash_file_bytes(&bytes, &Default::default()).expect("decode");
    (r.hash, r.quality)
}

/// A 3-second H.264 video showing one picture.
fn still_video(picture: &std::path::Path, out: &std::path::Path) {
    let p = picture.to_string_lossy().into_owned();
    let mut args = vec!["-loop", "1", "-i", &p, "-t", "3", "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-r", "10"];
    args.extend_from_slice(H264);
    ffmpeg(&args, out);
}

impl Setup {
    fn new() -> Setup {
        let ws = Workspace::new();
        let m = spoor_fixtures::generate_with(&ws.path("fixture"), &FixtureOptions { large: false }, &Extras { camera: true })
            .expect("generate the fixtures");
        let cam = m.camera.clone().expect("camera extras");
        let known = cam.files.iter().find(|f| f.known).expect("a known picture").clone();
        let near = cam.files.iter().find(|f| f.near_known_of.as_deref() == Some(known.path.as_slice())).expect("its heavier edit").clone();
        let series = cam
            .files
            .iter()
            .find(|f| !f.known && !f.low_quality && f.series.is_some() && f.camera_original)
            .expect("a series picture")
            .clone();

        // The known picture leaves the evidence: only the library knows it.
        let known_copy = ws.path("known.jpg");
        std::fs::rename(m.evidence_path(&known.path), &known_copy).expect("move the known picture out");
        let (known_pdq, known_quality) = pdq_of(&known_copy);

        // A PDQ set: an unrelated hash, then the known picture (record 1, line 3).
        let list = ws.path("known-pdq.csv");
        std::fs::write(
            &list,
            format!("pdq,quality,category,name\n{},100,2,unrelated.jpg\n{known_pdq},{known_quality},1,known.jpg\n", PdqHash([0xA5; 32])),
        )
        .expect("write the PDQ list");
        ws.spoor(&args!["hashset", "import", list, "--name", "pdq-known", "--version", "2026-11", "--kind", "alert"]).ok();
        // A vPDQ set: a video made from the known picture.
        let kvideo = ws.path("known-video.mp4");
        still_video(&known_copy, &kvideo);
        let vdir = ws.path("vpdq");
        std::fs::create_dir_all(&vdir).expect("mkdir");
        std::fs::write(vdir.join("known-video.txt"), vpdq_text(&kvideo)).expect("write vPDQ");
        ws.spoor(&args!["hashset", "import", vdir, "--name", "vpdq-known", "--version", "1", "--kind", "alert"]).ok();

        // Two videos in the evidence: one of a series picture, one unrelated.
        let videos = m.evidence_root.join("Users/sam/Camera/Video");
        std::fs::create_dir_all(&videos).expect("mkdir");
        still_video(&m.evidence_path(&series.path), &videos.join("VID_series.mp4"));
        video("testsrc2=size=320x240:rate=10", 3.0, H264, &videos.join("VID_other.mp4"));

        let case = ws.path("case.spoor");
        ws.spoor(&args!["case", "init", case, "--number", "2026-0043", "--examiner", "A. de Vries"]).ok();
        ws.spoor(&args!["evidence", "add", case, "--id", CAMERA, "--path", m.evidence_root.join("Users/sam/Camera"), "--seized", cam.seized_utc])
            .ok();
        ws.scan_completed(&case, &args!["--jobs", "2", "--hashset", "pdq-known", "--hashset", "vpdq-known"]);
        Setup {
            ws,
            case,
            known_pdq,
            near_path: rel(&near),
            series_path: rel(&series),
            series_label: series.series.clone().unwrap_or_default(),
            m,
        }
    }

    fn triage(&self, extra: &[std::ffi::OsString]) -> Value {
        let mut a = args!["triage", self.case, "--json"];
        a.extend_from_slice(extra);
        let run = self.ws.spoor(&a);
        run.ok();
        run.json()
    }
}

fn by_path<'a>(t: &'a Value, path: &str) -> &'a Value {
    t["unknown"].as_array().expect("unknown").iter().find(|u| u["path"] == path).unwrap_or_else(|| panic!("{path} is not unknown"))
}

fn near_of<'a>(t: &'a Value, path: &str) -> Option<&'a Value> {
    t["near_known"].as_array().expect("near_known").iter().find(|n| n["unknown_path"] == path)
}

#[test]
fn near_known_through_the_library_and_videos_in_series() {
    let s = Setup::new();
    // Nothing of the case is known: no hits at all.
    assert!(s.ws.hits(&s.case).is_empty());
    let t = s.triage(&[]);

    // The sets compared with are named: by default those the scan used.
    let sets: Vec<(String, String)> = t["known_sets"]
        .as_array()
        .expect("known_sets")
        .iter()
        .map(|k| (k["name"].as_str().unwrap_or_default().to_string(), k["fingerprint"].as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(sets, vec![("pdq-known".to_string(), "pdq".to_string()), ("vpdq-known".to_string(), "vpdq".to_string())], "{}", t["known_sets"]);
    assert_eq!(t["known_sets"][0]["version"], "2026-11");
    assert_eq!(t["known_sets"][0]["fingerprints"], 2);
    assert!(t["known_sets"][1]["fingerprints"].as_u64() > Some(0));
    assert_eq!(t["known_pdq_from_hits"], 0);

    // The heavier edit: 32 to 48 bits from the listed picture.
    let near_pdq: PdqHash = by_path(&t, &s.near_path)["pdq"].as_str().expect("pdq").parse().expect("hex");
    let d = u64::from(near_pdq.hamming(&s.known_pdq));
    assert!((32..=48).contains(&d), "the fixture's edit is {d} bits away");
    let n = near_of(&t, &s.near_path).expect("the edit is near-known");
    assert!(n["distance"].as_u64() <= Some(d));
    assert!(["pdq_set", "vpdq_set"].contains(&n["known"]["source"].as_str().unwrap_or_default()), "{n}");

    // Through the PDQ set alone: set, version, record, line, category, distance, variant.
    let p = s.triage(&args!["--hashset", "pdq-known"]);
    assert_eq!(p["known_sets"].as_array().map(Vec::len), Some(1));
    let n = near_of(&p, &s.near_path).expect("near the PDQ set");
    assert_eq!(n["distance"].as_u64(), Some(d));
    assert_eq!(n["variant"], "original");
    assert!(n["unknown_frame"].is_null());
    let k = &n["known"];
    assert_eq!(k["source"], "pdq_set");
    assert_eq!(k["set"]["name"], "pdq-known");
    assert_eq!(k["set"]["version"], "2026-11");
    assert_eq!(k["set"]["id"], p["known_sets"][0]["id"]);
    assert_eq!(k["record"], 1);
    assert_eq!(k["record_line"], 3);
    assert_eq!(k["record_name"], "known.jpg");
    assert_eq!(k["category"], "1");
    assert!(k["label"].as_str().is_some_and(|l| l.contains("pdq-known") && l.contains("record 1")), "{k}");
    assert_eq!(by_path(&p, &s.near_path)["near_known_distance"].as_u64(), Some(d));
    // The window is a setting: below the distance, nothing.
    let narrow = s.triage(&args!["--hashset", "pdq-known", "--near-max", (d - 1).to_string()]);
    assert!(near_of(&narrow, &s.near_path).is_none());

    // Through the vPDQ set alone: a frame of the known video.
    let v = s.triage(&args!["--hashset", "vpdq-known"]);
    let n = near_of(&v, &s.near_path).expect("near a known video's frame");
    assert_eq!(n["known"]["source"], "vpdq_set");
    assert_eq!(n["known"]["set"]["name"], "vpdq-known");
    assert_eq!(n["known"]["record_name"], "known-video.txt");
    assert!(n["known"]["frame"]["timestamp"].is_number(), "{n}");
    assert!((32..=48).contains(&n["distance"].as_u64().unwrap_or(0)), "{n}");

    // Without the library the edit is near nothing the case knows.
    let none = s.triage(&args!["--no-library"]);
    assert!(none["known_sets"].as_array().is_some_and(Vec::is_empty));
    assert!(near_of(&none, &s.near_path).is_none());
    // A set the library does not hold is refused.
    let run = s.ws.spoor(&args!["triage", s.case, "--hashset", "no-such-set"]);
    run.expect_code(2);

    // Videos: two unknown, one joins the series of the picture it shows.
    assert_eq!(t["unknown_videos"], 2);
    let series_vid = by_path(&t, "Video/VID_series.mp4");
    let other_vid = by_path(&t, "Video/VID_other.mp4");
    assert!(series_vid["frames"].as_u64() >= Some(3));
    assert!(other_vid["series_id"].is_null(), "the unrelated video stands alone");
    let picture = by_path(&t, &s.series_path);
    assert_eq!(series_vid["series_id"], picture["series_id"]);
    let id = series_vid["series_id"].as_u64().expect("in a series");
    let series = t["series"].as_array().expect("series").iter().find(|x| x["series_id"].as_u64() == Some(id)).expect("the series");
    let cam = s.m.camera.as_ref().expect("camera");
    let label_members = cam.files.iter().filter(|f| f.series.as_deref() == Some(&s.series_label)).count();
    assert_eq!(series["members"].as_array().map(Vec::len), Some(label_members + 1), "{series}");
    assert_eq!(series["representative_kind"], "picture");
    assert_ne!(series["representative"], series_vid["file_id"]);
    assert_eq!(series["videos"][0]["file_id"], series_vid["file_id"]);
    assert_eq!(series["videos"][0]["path"], "Video/VID_series.mp4");
    assert!(series["videos"][0]["frames"].as_array().is_some_and(|f| !f.is_empty() && f.iter().all(|x| x["timestamp"].is_number())));
    // Priority: the near-known candidate counts.
    let reasons = t["evidence"][0]["reasons"].as_array().expect("reasons");
    assert!(reasons.iter().any(|r| r["code"] == "near_known" && r["count"].as_u64() >= Some(1)), "{reasons:?}");
    assert_eq!(t["evidence"][0]["unknown_videos"], 2);

    // The text form names the set and the video.
    let text = s.ws.spoor(&args!["triage", s.case, "--hashset", "pdq-known"]);
    text.ok();
    assert!(text.stdout.contains("pdq-known"), "{}", text.stdout);
    assert!(text.stdout.contains("VID_series.mp4"), "{}", text.stdout);

    // The victim-identification export says what the edit is near, and records the sets.
    let out = s.ws.path("victim-id.json");
    let id = n_id(&p, &s.near_path);
    s.ws.spoor(&args!["triage", "export", s.case, "-o", out, "--file", id.to_string(), "--hashset", "pdq-known"]).ok();
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).expect("the export")).expect("JSON");
    let comment = doc["value"][0]["Comments"].as_str().unwrap_or_default().to_string();
    assert!(comment.contains(&format!("PDQ distance {d}")) && comment.contains("pdq-known") && comment.contains("record 1"), "{comment}");
    let audit = s.ws.spoor(&args!["audit", s.case, "--json"]);
    let entry = audit.json().as_array().and_then(|a| a.iter().rev().find(|e| e["action"] == "report.export").cloned()).expect("export entry");
    assert_eq!(entry["details"]["filters"]["known_sets"][0]["name"], "pdq-known", "{entry}");

    // The report's triage section lists the candidate and the sets compared with.
    let html = s.ws.path("report.html");
    s.ws.spoor(&args!["report", s.case, "--format", "html", "-o", html]).ok();
    let page = std::fs::read_to_string(&html).expect("the report");
    let section = &page[page.find("id=\"triage\"").expect("the triage section")..];
    assert!(section.contains("pdq-known") && section.contains("vpdq-known"), "the sets are named");
    let file_name = s.near_path.rsplit('/').next().unwrap_or_default();
    assert!(section.contains(file_name), "the near-known candidate is listed");
    s.ws.verify_intact(&s.case);
}

fn n_id(t: &Value, path: &str) -> i64 {
    by_path(t, path)["file_id"].as_i64().expect("file id")
}
