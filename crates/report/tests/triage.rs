//! The report's metadata of hits and its triage section, over the camera
//! fixtures (`Extras { camera: true }`): a camera original made a hit by a
//! list naming it shows its camera, capture time and GPS position in the
//! HTML and on the PDF pages, and the triage section ranks the evidence
//! items with the counts the manifest implies.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use spoor_case::{Case, NewCase, NewEvidence};
use spoor_fixtures::{Extras, FixtureOptions};
use spoor_hashset::{ImportOptions, Library, SetKind};
use spoor_report::{BuildOptions, Filters, Generator, Report, html, pdf};

#[test]
fn hits_show_their_metadata_and_the_report_ranks_the_evidence() {
    let dir = tempfile::tempdir().expect("tmp");
    let m = spoor_fixtures::generate_with(&dir.path().join("fx"), &FixtureOptions { large: false }, &Extras { camera: true })
        .expect("fixtures");
    let cam = m.camera.clone().expect("camera extras");
    // A list naming one camera original (with GPS) and the known picture.
    let original = cam.files.iter().find(|f| f.camera_original && f.gps.is_some()).expect("an original with GPS");
    let (d, _) = spoor_digest::digest_file(&m.evidence_path(&original.path), None).expect("digest");
    let list = dir.path().join("seen.md5");
    std::fs::write(&list, format!("{}  seen.jpg\n", d.digests.md5_hex())).expect("list");
    let library = Library::open(&dir.path().join("lib")).expect("library");
    for (file, name) in [(list.clone(), "Seen before"), (m.hashsets_dir.join(&cam.known_list), "Camera known")] {
        library
            .import(&file, &ImportOptions { name: name.into(), kind: SetKind::Alert, format: None, ..ImportOptions::default() })
            .expect("import");
    }
    let case_path = dir.path().join("case.spoor");
    let mut case = Case::create(
        &case_path,
        &NewCase { case_number: "2026-0099".into(), title: "Triage".into(), agency: "Unit".into(), examiner: "A. de Vries".into(), time_zone: "UTC".into() },
        "spoor test",
    )
    .expect("case");
    for (id, rel) in [("CAMERA", "Users/sam/Camera"), ("HOME", "Users/alex")] {
        case.add_evidence(&NewEvidence {
            evidence_id: id.into(),
            description: String::new(),
            source_path: m.evidence_root.join(rel).as_os_str().as_encoded_bytes().to_vec(),
            acquisition_hashes: Vec::new(),
        })
        .expect("evidence");
    }
    case.add_evidence_date("CAMERA", "seizure", &cam.seized_utc).expect("date");
    let opts = spoor_scan::ScanOptions { jobs: Some(1), ..spoor_scan::ScanOptions::default() };
    let outcome = spoor_scan::scan(case, &library, &opts, Arc::new(AtomicBool::new(false)), &spoor_scan::NoProgress).expect("scan");
    assert!(matches!(outcome, spoor_scan::Outcome::Completed(_)));

    let verification = spoor_case::verify::verify(&case_path).expect("verify");
    assert!(verification.is_intact(), "{:?}", verification.problems);
    let c = Case::open_read_only(&case_path).expect("open");
    let build = |filters: Filters| {
        Report::build(
            &c,
            &verification,
            &BuildOptions {
                filters,
                generator: Generator { name: "spoor".into(), version: "0.1.0".into(), commit: "abc".into() },
                generated_utc: "2026-12-01T12:00:00.000Z".into(),
                thumbnails: false,
            },
        )
        .expect("build")
    };
    let report = build(Filters::default());

    // The hit on the camera original carries what its EXIF says.
    let hit = report.hits.iter().find(|h| h.path == original.path_lossy.trim_start_matches("Users/sam/Camera/")).expect("the hit");
    let md = hit.metadata.as_ref().expect("metadata of the hit");
    assert_eq!(md.make.as_deref(), original.make.as_deref());
    assert_eq!(md.model.as_deref(), original.model.as_deref());
    assert_eq!(md.capture_utc.as_deref(), original.capture_utc.as_deref());
    assert!(md.camera_original);
    let gps = original.gps.expect("gps");
    assert!((md.gps_latitude.unwrap_or(f64::NAN) * 1e7 - gps.latitude_e7 as f64).abs() < 2.0);
    let known = report.hits.iter().find(|h| h.path.ends_with("known-0001.jpg")).expect("the known picture");
    assert_eq!(known.metadata.as_ref().map(|m| m.state.as_str()), Some("absent"));

    // Both renderings say it.
    let digest = report.digest().expect("digest");
    let page = html::render(&report, &digest);
    let model = original.model.clone().unwrap_or_default();
    let lat = format!("{:.6}", gps.latitude_e7 as f64 / 1e7);
    for needle in [model.as_str(), lat.as_str(), "camera original", "7. Triage: new material", "metadata: none in the file"] {
        assert!(page.contains(needle), "the HTML lacks {needle:?}");
    }
    let pages = pdf::page_texts(&report, &digest).expect("pdf layout").join("\n");
    for needle in [model.as_str(), lat.as_str(), "camera original", "7. Triage: new material"] {
        assert!(pages.contains(needle), "the PDF lacks {needle:?}");
    }

    // The triage section: the camera item first, with the manifest's counts
    // (the original that is now a hit no longer counts as unknown).
    let t = &report.triage;
    assert_eq!(t.evidence.len(), 2);
    assert_eq!(t.evidence[0].evidence_id, "CAMERA");
    assert_eq!(t.evidence[0].rank, 1);
    let originals = cam.files.iter().filter(|f| f.camera_original && !f.known).count() as u64 - 1;
    assert_eq!(t.evidence[0].camera_originals, originals);
    assert_eq!(t.camera_originals, originals);
    // The heavier edit of the known picture, and the original's own series
    // (now near known material: one of them is a hit).
    let same_series = cam.files.iter().filter(|f| f.path != original.path && f.series.is_some() && f.series == original.series).count();
    let edits = cam.files.iter().filter(|f| f.near_known_of.is_some()).count();
    assert_eq!(t.near_known, (same_series + edits) as u64);
    let labels: std::collections::BTreeSet<&str> = cam.files.iter().filter_map(|f| f.series.as_deref()).collect();
    assert_eq!(t.series, labels.len() as u64);
    assert!(t.evidence[0].reasons.iter().any(|r| r.code == "recent_camera_original"));
    assert_eq!(t.evidence[0].reference.as_ref().map(|r| r.utc.as_str()), Some(cam.seized_utc.as_str()));
    assert!(page.contains(&format!("seizure date </span><code>{}</code>", cam.seized_utc)));

    // An evidence filter keeps only that item's triage.
    let home = build(Filters { evidence: vec!["HOME".into()], ..Filters::default() });
    assert_eq!(home.triage.evidence.len(), 1);
    assert_eq!(home.triage.evidence[0].evidence_id, "HOME");
    assert_eq!(home.triage.evidence[0].rank, 2, "ranks are over the whole case");
    assert_eq!(home.triage.camera_originals, 0);
}
