//! `spoor triage` and `spoor triage export` against the camera fixtures
//! (`Extras { camera: true }`), whose answers are written by hand in the
//! manifest: camera originals with reasons, series, the near-known
//! candidate and its distance, priority order, metadata warnings, the
//! victim-identification export read back by Spoor's VICS importer, and
//! tampering with the stored metadata caught by `spoor verify`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::Workspace;
use serde_json::Value;
use spoor_fixtures::{CameraFile, Extras, FixtureOptions, Manifest};

const CAMERA: &str = "CAMERA";
const HOME: &str = "HOME";

struct Setup {
    ws: Workspace,
    m: Manifest,
    case: PathBuf,
}

impl Setup {
    /// The camera pictures as one evidence item (seized on the manifest's
    /// date), the rest of the user folders as another, scanned with the
    /// camera list and the fixture alert lists.
    fn new() -> Setup {
        let ws = Workspace::new();
        let m = spoor_fixtures::generate_with(&ws.path("fixture"), &FixtureOptions { large: false }, &Extras { camera: true })
            .expect("generate the fixtures");
        let cam = m.camera.as_ref().expect("camera extras");
        ws.spoor(&args!["hashset", "import", m.hashsets_dir.join(&cam.known_list), "--name", "camera-known", "--kind", "alert"]).ok();
        ws.spoor(&args!["hashset", "import", m.hashsets_dir.join("known.md5"), "--name", "known", "--kind", "alert"]).ok();
        let case = ws.path("case.spoor");
        ws.spoor(&args!["case", "init", case, "--number", "2026-0042", "--examiner", "A. de Vries"]).ok();
        let added = ws.spoor(&args![
            "evidence",
            "add",
            case,
            "--id",
            CAMERA,
            "--path",
            m.evidence_root.join("Users/sam/Camera"),
            "--seized",
            cam.seized_utc,
            "--json"
        ]);
        added.ok();
        assert_eq!(added.json()["dates"][0]["utc"], cam.seized_utc.as_str());
        ws.spoor(&args!["evidence", "add", case, "--id", HOME, "--path", m.evidence_root.join("Users/alex")]).ok();
        ws.scan_completed(&case, &args!["--jobs", "2"]);
        Setup { ws, m, case }
    }

    fn camera(&self) -> &[CameraFile] {
        self.m.camera.as_ref().map(|c| c.files.as_slice()).unwrap_or_default()
    }

    fn triage(&self, extra: &[std::ffi::OsString]) -> Value {
        let mut a = args!["triage", self.case, "--json", "--recent-days", self.m.camera.as_ref().map(|c| c.recent_days).unwrap_or(0).to_string()];
        a.extend_from_slice(extra);
        let run = self.ws.spoor(&a);
        run.ok();
        run.json()
    }
}

/// The camera item's path of a fixture file (relative to its root).
fn rel(f: &CameraFile) -> String {
    f.path_lossy.trim_start_matches("Users/sam/Camera/").to_string()
}

fn unknown_by_path(t: &Value) -> BTreeMap<String, Value> {
    t["unknown"]
        .as_array()
        .expect("unknown list")
        .iter()
        .filter(|u| u["evidence_id"] == CAMERA)
        .map(|u| (u["path"].as_str().unwrap_or_default().to_string(), u.clone()))
        .collect()
}

#[test]
fn triage_gives_the_manifest_answers() {
    let s = Setup::new();
    let t = s.triage(&[]);
    let unknown = unknown_by_path(&t);
    let files = s.camera();
    assert_eq!(files.len(), 16);

    // The unknown view: every camera picture but the known one.
    for f in files {
        let u = unknown.get(&rel(f));
        assert_eq!(u.is_none(), f.known, "{}: unknown view", f.path_lossy);
        let Some(u) = u else { continue };
        assert_eq!(u["camera_original"], f.camera_original, "{}: {}", f.path_lossy, u["verdict_reasons"]);
        let reasons = u["verdict_reasons"].as_array().expect("reasons");
        assert!(!reasons.is_empty(), "{}: a verdict always says why", f.path_lossy);
        assert_eq!(u["make"].as_str(), f.make.as_deref(), "{}", f.path_lossy);
        assert_eq!(u["model"].as_str(), f.model.as_deref(), "{}", f.path_lossy);
        assert_eq!(u["serial"].as_str(), f.serial.as_deref(), "{}", f.path_lossy);
        assert_eq!(u["capture_local"].as_str(), f.capture_local.as_deref(), "{}", f.path_lossy);
        assert_eq!(u["capture_utc"].as_str(), f.capture_utc.as_deref(), "{}", f.path_lossy);
        assert_eq!(u["gps"].is_object(), f.gps.is_some(), "{}", f.path_lossy);
        if let Some(g) = f.gps {
            let lat = u["gps"]["latitude"].as_f64().unwrap_or(f64::NAN);
            assert!((lat * 1e7 - g.latitude_e7 as f64).abs() < 2.0, "{}: latitude {lat}", f.path_lossy);
        }
        let state = match f.exif.as_str() {
            "present" | "partial" => "present",
            other => other,
        };
        assert_eq!(u["metadata_state"], state, "{}", f.path_lossy);
    }
    // An editor's copy, a messenger re-encode and a screenshot say why not.
    let why = |p: &str| unknown[p]["verdict_reasons"].to_string().to_lowercase();
    assert!(why("Edited/IMG_2001-edit.jpg").contains("editor") || why("Edited/IMG_2001-edit.jpg").contains("photoshop"));
    assert!(why("WhatsApp/Media/WhatsApp Images/IMG-20240501-WA0003.jpg").contains("messenger"));

    // Series: same id exactly when the manifest gives the same label.
    for a in files.iter().filter(|f| !f.known) {
        for b in files.iter().filter(|f| !f.known && f.path != a.path) {
            let (sa, sb) = (&unknown[&rel(a)]["series_id"], &unknown[&rel(b)]["series_id"]);
            let same = !sa.is_null() && sa == sb;
            assert_eq!(same, a.series.is_some() && a.series == b.series, "{} / {}", a.path_lossy, b.path_lossy);
        }
        if a.series.is_none() {
            assert!(unknown[&rel(a)]["series_id"].is_null(), "{} stands alone", a.path_lossy);
        }
    }
    let labels: BTreeSet<&str> = files.iter().filter_map(|f| f.series.as_deref()).collect();
    let camera_series: Vec<&Value> =
        t["series"].as_array().expect("series").iter().filter(|x| x["evidence_ids"][0] == CAMERA).collect();
    assert_eq!(camera_series.len(), labels.len());
    for x in &camera_series {
        let members = x["members"].as_array().expect("members");
        assert!(members.contains(&x["representative"]), "the representative is a member");
    }

    // Near-known: exactly the heavier edit, at 32..=40, naming the known picture.
    let cam_near: Vec<&Value> =
        t["near_known"].as_array().expect("near_known").iter().filter(|n| n["evidence_id"] == CAMERA).collect();
    let want: Vec<&CameraFile> = files.iter().filter(|f| f.near_known_of.is_some()).collect();
    assert_eq!(cam_near.len(), want.len(), "{cam_near:?}");
    for f in want {
        let n = cam_near.iter().find(|n| n["unknown_path"] == rel(f).as_str()).expect("the near-known candidate");
        let d = n["distance"].as_u64().unwrap_or(0);
        assert!((32..=40).contains(&d), "{}: distance {d}", f.path_lossy);
        let of = String::from_utf8_lossy(f.near_known_of.as_deref().unwrap_or_default()).into_owned();
        assert_eq!(n["known"]["source"], "case_file");
        assert_eq!(n["known"]["path"].as_str(), Some(of.trim_start_matches("Users/sam/Camera/")));
        assert_eq!(unknown[&rel(f)]["near_known_distance"], n["distance"]);
    }
    // Narrowing the window below the candidate's distance removes it.
    let narrow = s.triage(&args!["--near-max", "31"]);
    assert!(narrow["near_known"].as_array().expect("list").iter().all(|n| n["evidence_id"] != CAMERA));

    // Priority: the camera item first, every count as the manifest implies.
    let ev = t["evidence"].as_array().expect("evidence");
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["evidence_id"], CAMERA);
    assert_eq!(ev[0]["rank"], 1);
    assert_eq!(ev[1]["evidence_id"], HOME);
    assert!(ev[0]["score"].as_u64() > ev[1]["score"].as_u64());
    assert_eq!(ev[0]["reference"]["source"], "seizure");
    let count = |code: &str| {
        ev[0]["reasons"].as_array().expect("reasons").iter().find(|r| r["code"] == code).map(|r| r["count"].as_u64().unwrap_or(0)).unwrap_or(0)
    };
    let unknown_files = || files.iter().filter(|f| !f.known);
    let originals = unknown_files().filter(|f| f.camera_original).count() as u64;
    assert_eq!(count("camera_original"), originals);
    assert_eq!(count("recent_camera_original"), unknown_files().filter(|f| f.camera_original && f.recent).count() as u64);
    assert!(count("recent_camera_original") > 0 && count("recent_camera_original") < originals);
    let series_with_original: BTreeSet<&str> =
        unknown_files().filter(|f| f.camera_original).filter_map(|f| f.series.as_deref()).collect();
    assert_eq!(count("series_with_camera_original"), series_with_original.len() as u64);
    assert_eq!(count("near_known"), 1);
    assert_eq!(count("gps"), unknown_files().filter(|f| f.gps.is_some()).count() as u64);
    assert_eq!(count("known_other"), files.iter().filter(|f| f.known).count() as u64);
    let sum: u64 = ev[0]["reasons"].as_array().expect("reasons").iter().map(|r| r["points"].as_u64().unwrap_or(0)).sum();
    assert_eq!(ev[0]["score"].as_u64(), Some(sum), "the score is the sum of its reasons");
    assert_eq!(ev[0]["camera_originals"].as_u64(), Some(originals));
    // Without the seizure date the scan's start is the reference: nothing in the fixtures is that recent.
    assert!(ev[1]["reference"]["source"] == "scan");

    // The same case gives the same triage.
    assert_eq!(s.triage(&[]), t);

    // The text form names the same things.
    let text = s.ws.spoor(&args!["triage", s.case, "--recent-days", "30"]);
    text.ok();
    assert!(text.stdout.contains("1. CAMERA"), "{}", text.stdout);
    assert!(text.stdout.contains("camera original"), "{}", text.stdout);
    assert!(text.stdout.contains("Near known material"), "{}", text.stdout);
}

#[test]
fn damaged_metadata_is_a_warning_and_the_scan_goes_on() {
    let s = Setup::new();
    let run = s.ws.spoor(&args!["warnings", s.case, "--json"]);
    run.ok();
    let warnings: Vec<Value> = run.json().as_array().cloned().unwrap_or_default();
    let meta: Vec<&Value> = warnings.iter().filter(|w| w["stage"] == "metadata").collect();
    for f in s.camera().iter().filter(|f| matches!(f.exif.as_str(), "damaged" | "partial")) {
        assert!(
            meta.iter().any(|w| w["path"] == rel(f).as_str()),
            "{} ({} EXIF) has no metadata warning: {meta:?}",
            f.path_lossy,
            f.exif
        );
    }
    for f in s.camera().iter().filter(|f| f.exif == "absent") {
        assert!(!meta.iter().any(|w| w["path"] == rel(f).as_str()), "{}: absent metadata is not a warning", f.path_lossy);
    }
    let dmg = meta.iter().find(|w| w["reason"].as_str().is_some_and(|r| r.contains("exif_damaged"))).expect("a damaged EXIF warning");
    assert!(dmg["path"].as_str().is_some());
}

#[test]
fn victim_identification_export_round_trip() {
    let s = Setup::new();
    let t = s.triage(&[]);
    let series = t["series"].as_array().expect("series").iter().find(|x| x["evidence_ids"][0] == CAMERA).expect("a series").clone();
    let near = t["near_known"].as_array().expect("near").iter().find(|n| n["evidence_id"] == CAMERA).expect("near-known").clone();
    let out = s.ws.path("victim-id.json");
    let run = s.ws.spoor(&args![
        "triage",
        "export",
        s.case,
        "--format",
        "vics",
        "-o",
        out,
        "--series",
        series["series_id"].to_string(),
        "--file",
        near["unknown_id"].to_string(),
        "--recent-days",
        "30",
        "--json"
    ]);
    run.ok();
    let outcome = run.json();
    let members: Vec<i64> = series["members"].as_array().expect("members").iter().filter_map(Value::as_i64).collect();
    assert_eq!(outcome["files"].as_u64(), Some(members.len() as u64 + 1));

    // What went out: the selected files' digests, PDQ and EXIF.
    let unknown: BTreeMap<i64, &Value> =
        t["unknown"].as_array().expect("unknown").iter().map(|u| (u["file_id"].as_i64().unwrap_or(0), u)).collect();
    let mut want_md5: BTreeSet<String> = members.iter().map(|id| unknown[id]["md5"].as_str().unwrap_or_default().to_string()).collect();
    want_md5.insert(unknown[&near["unknown_id"].as_i64().unwrap_or(0)]["md5"].as_str().unwrap_or_default().to_string());
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).expect("the export")).expect("JSON");
    assert!(doc["@odata.context"].as_str().unwrap_or_default().contains("2.0.xml"));
    let media = doc["value"].as_array().expect("media");
    assert_eq!(outcome["media"].as_u64(), Some(media.len() as u64));
    let got: BTreeSet<String> = media.iter().map(|m| m["MD5"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(got, want_md5);
    for m in media {
        assert_eq!(m["AlternativeHashes"][0]["HashName"], "PDQ", "{m}");
        assert!(m["Category"].is_null(), "not reviewed: uncategorised");
    }
    assert!(media.iter().any(|m| m["Exifs"].as_array().is_some_and(|e| e.iter().any(|p| p["PropertyName"] == "Make"))));
    assert!(media.iter().any(|m| m["Comments"].as_str().is_some_and(|c| c.contains("camera original"))));

    // Logged: an export record, recognised by verify-report.
    s.ws.spoor(&args!["verify-report", s.case, out]).ok();
    let audit = s.ws.spoor(&args!["audit", s.case, "--json"]);
    let entry = audit.json().as_array().and_then(|a| a.iter().rev().find(|e| e["action"] == "report.export").cloned()).expect("export entry");
    assert_eq!(entry["details"]["filters"]["export"], "victim-identification");
    assert_eq!(entry["details"]["format"], "vics");

    // Read back by Spoor's own VICS importer: the same digests.
    s.ws.spoor(&args!["hashset", "import", out, "--name", "victim-id", "--kind", "alert"]).ok();
    let back = s.ws.path("back.md5");
    s.ws.spoor(&args!["hashset", "export", "victim-id", "--format", "md5sum", "-o", back]).ok();
    let read: BTreeSet<String> = std::fs::read_to_string(&back)
        .expect("md5sum export")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_lowercase))
        .collect();
    assert_eq!(read, want_md5);

    // A reviewed category goes out with the media.
    let first = members[0];
    s.ws.spoor(&args!["review", s.case, first.to_string(), "--category", "1", "--profile", "vics-us"]).ok();
    let out2 = s.ws.path("victim-id-2.json");
    s.ws.spoor(&args!["triage", "export", s.case, "-o", out2, "--file", first.to_string()]).ok();
    let doc: Value = serde_json::from_slice(&std::fs::read(&out2).expect("export")).expect("JSON");
    assert_eq!(doc["value"][0]["Category"], 1);
    s.ws.verify_intact(&s.case);
}

#[test]
fn bad_requests_are_refused_and_write_nothing() {
    let s = Setup::new();
    let t = s.triage(&[]);
    let known_id = s.ws.hits(&s.case)[0]["file_id"].clone();
    let out = s.ws.path("x.json");
    let refused = |a: Vec<std::ffi::OsString>| {
        let run = s.ws.spoor(&a);
        run.expect_code(2);
        assert!(!run.stderr.is_empty(), "{}", run.describe());
        assert!(!out.exists());
    };
    refused(args!["triage", "export", s.case, "-o", out, "--file", known_id.to_string()]);
    refused(args!["triage", "export", s.case, "-o", out, "--file", "999999"]);
    refused(args!["triage", "export", s.case, "-o", out, "--series", "999999"]);
    refused(args!["triage", "export", s.case, "-o", out]);
    refused(args!["triage", s.case, "--near-min", "41", "--near-max", "40"]);
    refused(args!["triage", s.ws.path("missing.spoor")]);
    refused(args!["evidence", "add", s.case, "--id", "X", "--path", s.m.evidence_root, "--seized", "yesterday"]);
    assert_eq!(s.ws.spoor(&args!["evidence", "list", s.case, "--json"]).json().as_array().map(Vec::len), Some(2));
    // An existing output is never replaced.
    std::fs::write(&out, b"keep").expect("write");
    s.ws.spoor(&args!["triage", "export", s.case, "-o", out, "--camera-originals"]).expect_code(2);
    assert_eq!(std::fs::read(&out).expect("read"), b"keep");
    assert!(t["camera_originals"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn evidence_dates_are_recorded_and_latest_wins() {
    let s = Setup::new();
    s.ws.spoor(&args!["evidence", "dates", s.case, HOME, "--acquired", "2024-06-01"]).ok();
    s.ws.spoor(&args!["evidence", "dates", s.case, HOME, "--acquired", "2024-06-02T10:00:00+02:00"]).ok();
    let listed = s.ws.spoor(&args!["evidence", "dates", s.case, "--json"]).json();
    let dates = listed.as_array().expect("dates");
    assert_eq!(dates.len(), 2, "{listed}");
    let home = dates.iter().find(|d| d["evidence_id"] == HOME).expect("home");
    assert_eq!(home["kind"], "acquisition");
    assert_eq!(home["utc"], "2024-06-02T08:00:00Z");
    let t = s.triage(&[]);
    let ev = t["evidence"].as_array().expect("evidence").iter().find(|e| e["evidence_id"] == HOME).cloned().expect("home");
    assert_eq!(ev["reference"]["source"], "acquisition");
    assert_eq!(ev["reference"]["utc"], "2024-06-02T08:00:00Z");
    s.ws.verify_intact(&s.case);
}

#[test]
fn tampered_metadata_fails_verification() {
    let s = Setup::new();
    s.ws.verify_intact(&s.case);
    tamper(&s.case, "UPDATE file_metadata SET camera_original = 1 - camera_original WHERE id = (SELECT MIN(id) FROM file_metadata)");
    let run = s.ws.spoor(&args!["verify", s.case, "--json"]);
    run.expect_code(1);
    let first = run.json()["problems"][0].clone();
    assert_eq!(first["table"], "file_metadata", "{}", run.describe());
    assert!(first["message"].as_str().unwrap_or_default().contains("changed"));
    // A report or export refuses a case that fails verification.
    s.ws.spoor(&args!["triage", "export", s.case, "-o", s.ws.path("v.json"), "--camera-originals"]).expect_code(1);
}

#[test]
fn deleted_metadata_fails_verification() {
    let s = Setup::new();
    tamper(&s.case, "DELETE FROM file_metadata WHERE id = (SELECT MAX(id) FROM file_metadata)");
    let run = s.ws.spoor(&args!["verify", s.case, "--json"]);
    run.expect_code(1);
    let text = run.stdout.clone();
    assert!(text.contains("file_metadata") && text.contains("deleted"), "{text}");
}

fn tamper(case: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(case).expect("open");
    conn.execute_batch(sql).expect("tamper");
}
