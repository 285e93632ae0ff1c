//! The full flow on the fixture tree: import the lists, add the evidence,
//! scan, and check hits, known-good files, warnings, verify and rescans
//! against the fixture manifest's expected answers.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::fs;

use common::*;
use serde_json::Value;

const CAFE: &[u8] = b"Users/alex/Pictures/caf\xe9.jpg";

/// A scanned fixture case (the large picture included, since known.md5
/// lists it) and the outcome of `spoor scan --json`.
fn scanned() -> (Workspace, Manifest, std::path::PathBuf, Value) {
    let ws = Workspace::new();
    let (manifest, case) = ws.fixture_case(true);
    let outcome = ws.scan_completed(&case, &[]);
    (ws, manifest, case, outcome)
}

/// The category column of alert.csv by MD5, read from the list itself:
/// `None` for an empty cell.
fn csv_categories(manifest: &Manifest) -> BTreeMap<String, Option<String>> {
    let text = fs::read_to_string(manifest.hashsets_dir.join("alert.csv")).expect("read alert.csv");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    // The hit method for this list is sha1 because its strongest column is SHA-1.
    assert!(header.starts_with("md5,sha1,category,") && !header.contains("sha256"), "unexpected alert.csv header {header:?}");
    lines
        .map(|line| {
            // The first three cells are never quoted (hex, hex, a number).
            let cells: Vec<&str> = line.splitn(4, ',').collect();
            let category = (!cells[2].is_empty()).then(|| cells[2].to_string());
            (cells[0].to_ascii_lowercase(), category)
        })
        .collect()
}

/// The method a list's hits must carry: its strongest digest.
fn method_of(format: &str) -> &'static str {
    match format {
        "md5sum" => "md5",
        "sha1sum" => "sha1",
        "sha256sum" => "sha256",
        // alert.csv carries md5 and sha1 (checked in csv_categories).
        "csv" => "sha1",
        other => panic!("unknown list format {other}"),
    }
}

fn path_bytes(hit: &Value) -> Vec<u8> {
    hex::decode(hit["path_hex"].as_str().expect("path_hex is a string")).expect("path_hex is hex")
}

#[test]
fn hits_are_exactly_what_the_manifest_lists() {
    let (ws, manifest, case, outcome) = scanned();
    let hits = ws.hits(&case);

    let mut expected: Vec<(Vec<u8>, String)> = Vec::new();
    for (name, set) in alert_lists(&manifest) {
        for path in &set.lists {
            expected.push((path.clone(), name.to_string()));
        }
    }
    expected.sort();
    let mut found: Vec<(Vec<u8>, String)> =
        hits.iter().map(|h| (path_bytes(h), h["hashset"].as_str().expect("hashset is a string").to_string())).collect();
    found.sort();
    assert_eq!(found, expected, "(path, hash set) pairs of the hits differ from the manifest");
    assert_eq!(outcome["counts"]["hits"], expected.len(), "scan --json counts.hits");
    assert!(!expected.is_empty());

    let categories = csv_categories(&manifest);
    let by_name: BTreeMap<&str, &FixtureSet> = alert_lists(&manifest);
    for hit in &hits {
        let path = path_bytes(hit);
        let file = manifest.file(&path).unwrap_or_else(|| panic!("hit on a path the manifest does not know: {hit}"));
        let set_name = hit["hashset"].as_str().expect("hashset");
        let set = by_name[set_name];
        assert_eq!(hit["evidence_id"], ITEM, "{hit}");
        assert_eq!(hit["size"], file.size, "{hit}");
        assert_eq!(hit["md5"], file.md5.as_str(), "{hit}");
        assert_eq!(hit["sha1"], file.sha1.as_str(), "{hit}");
        assert_eq!(hit["sha256"], file.sha256.as_str(), "{hit}");
        for (field, len) in [("md5", 32), ("sha1", 40), ("sha256", 64)] {
            assert!(is_lower_hex(hit[field].as_str().unwrap_or_default(), len), "{field} not lower-case hex: {hit}");
        }
        let path_hex = hit["path_hex"].as_str().unwrap_or_default();
        assert!(is_lower_hex(path_hex, path_hex.len()), "path_hex not lower-case hex: {hit}");
        assert_eq!(hit["method"], method_of(&set.format), "{hit}");
        assert_eq!(hit["distance"], Value::Null, "an exact match has no distance: {hit}");
        let want_category = if set.format == "csv" {
            categories.get(&file.md5).cloned().unwrap_or_else(|| panic!("alert.csv has no row for {}", file.path_lossy))
        } else {
            None
        };
        assert_eq!(hit["category"], serde_json::json!(want_category), "{hit}");
    }

    // The raw categories of the CSV: "0" is a value, an empty cell is null.
    let category_of = |path: &[u8]| hits.iter().find(|h| path_bytes(h) == path).map(|h| h["category"].clone());
    assert_eq!(category_of("Users/alex/Pictures/überblick ☃.png".as_bytes()), Some(Value::from("0")));
    assert_eq!(category_of(b"DCIM/100CAMERA/IMG_0004.JPG"), Some(Value::Null));
    assert_eq!(category_of(b"Users/alex/Pictures/icons/icon32.bmp"), Some(Value::from("2")));
}

#[test]
fn a_file_listed_by_two_alert_sets_gives_two_hits_and_alert_beats_ignore() {
    let ws = Workspace::new();
    let (manifest, case) = ws.fixture_case(false);
    // A second alert list: every line of known.sha256, and the SHA-256 of
    // notes.txt, which the ignore set lists as known-good.
    let notes = manifest.file(b"Users/alex/Documents/notes.txt").expect("notes.txt");
    let mut partner = fs::read_to_string(manifest.hashsets_dir.join("known.sha256")).expect("read known.sha256");
    partner.push_str(&format!("{}  notes.txt\n", notes.sha256));
    let partner_path = ws.path("partner.sha256");
    fs::write(&partner_path, partner).expect("write partner.sha256");
    ws.spoor(&args!["hashset", "import", partner_path, "--name", "Partner list", "--kind", "alert"]).ok();
    ws.scan_completed(&case, &[]);
    let hits = ws.hits(&case);

    let sha256_set = manifest.hashset("known.sha256").expect("known.sha256");
    for path in &sha256_set.lists {
        let mut sets: Vec<&str> =
            hits.iter().filter(|h| path_bytes(h) == *path).map(|h| h["hashset"].as_str().unwrap_or_default()).collect();
        sets.sort_unstable();
        assert_eq!(sets, vec!["Partner list", "Unit list SHA-256"], "hits of {}", String::from_utf8_lossy(path));
    }
    // Known material is never set aside: the hit stands, and the conflict
    // is a warning.
    let notes_hits: Vec<&Value> = hits.iter().filter(|h| path_bytes(h) == notes.path).collect();
    assert_eq!(notes_hits.len(), 1, "{notes_hits:?}");
    assert_eq!(notes_hits[0]["hashset"], "Partner list");
    assert_eq!(notes_hits[0]["method"], "sha256");
    assert_eq!(notes_hits[0]["known_good"], false);
    let warnings = ws.warnings(&case);
    let notes_warnings: Vec<&Value> = warnings.iter().filter(|w| w["path"] == notes.path_lossy.as_str()).collect();
    assert_eq!(notes_warnings.len(), 1, "{warnings:?}");
    assert!(notes_warnings[0]["reason"].as_str().unwrap_or_default().contains("known-good"), "{notes_warnings:?}");
}

#[test]
fn known_good_files_are_set_aside_not_hit() {
    let (ws, manifest, case, outcome) = scanned();
    let hits = ws.hits(&case);
    let ignore = manifest.hashset("nsrl-sample.sha1").expect("nsrl-sample.sha1");
    let alerts = alert_lists(&manifest);
    let in_alert = |p: &Vec<u8>| alerts.values().any(|s| s.lists.contains(p));
    let only_ignore: Vec<&Vec<u8>> = ignore.lists.iter().filter(|p| !in_alert(p)).collect();
    assert!(!only_ignore.is_empty());
    for path in &only_ignore {
        assert!(
            !hits.iter().any(|h| path_bytes(h) == **path),
            "known-good file {} is among the hits",
            String::from_utf8_lossy(path)
        );
    }
    assert_eq!(outcome["counts"]["known_good"], only_ignore.len(), "scan --json counts.known_good\n{outcome:#}");
    let runs = ws.runs(&case);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["counts"]["known_good"], only_ignore.len(), "case show --json\n{runs:?}");
}

#[test]
fn every_link_fifo_and_socket_gets_exactly_one_warning() {
    let (ws, manifest, case, outcome) = scanned();
    let warnings = ws.warnings(&case);
    let named =
        |path: &[u8]| -> Vec<&Value> { warnings.iter().filter(|w| w["path_hex"] == hex::encode(path).as_str()).collect() };
    let specials: &[(&[u8], &str)] = &[
        (b"tmp/spoor.fifo", "FIFO"),
        (b"tmp/agent.sock", "socket"),
        (b"Users/alex/Desktop/loop-a", "loop"),
        (b"Users/alex/Desktop/loop-b", "loop"),
        (b"Users/alex/Desktop/dangling.jpg", "dangling"),
        (b"Users/alex/Desktop/secret.txt", "outside"),
    ];
    for (path, word) in specials {
        assert!(manifest.special(path).is_some(), "the fixtures have no {}", String::from_utf8_lossy(path));
        let found = named(path);
        assert_eq!(found.len(), 1, "warnings for {}: {found:?}", String::from_utf8_lossy(path));
        let w = found[0];
        assert_eq!(w["evidence_id"], ITEM, "{w}");
        assert_eq!(w["path"], String::from_utf8_lossy(path).as_ref(), "{w}");
        assert!(!w["stage"].as_str().unwrap_or_default().is_empty(), "{w}");
        assert!(w["reason"].as_str().unwrap_or_default().contains(word), "reason should say {word:?}: {w}");
    }
    // Links that stay inside the evidence are not a problem.
    for path in [&b"Users/alex/Desktop/up"[..], b"Users/alex/Desktop/sunset.png"] {
        assert!(named(path).is_empty(), "unexpected warning for {}", String::from_utf8_lossy(path));
    }
    // And nothing else warns, except the mode-000 file for a user who
    // cannot read it.
    let locked = manifest.files.iter().find(|f| f.unreadable).expect("the mode-000 file");
    let extra = usize::from(!readable(&manifest.evidence_path(&locked.path)));
    assert_eq!(warnings.len(), specials.len() + extra, "{warnings:#?}");
    assert_eq!(outcome["counts"]["warnings"], warnings.len());
}

#[test]
fn a_scan_with_warnings_exits_0_and_says_how_many() {
    let ws = Workspace::new();
    let (manifest, case) = ws.fixture_case(false);
    let run = ws.spoor(&args!["scan", case]);
    run.ok();
    let locked = manifest.files.iter().find(|f| f.unreadable).expect("the mode-000 file");
    let n = 6 + usize::from(!readable(&manifest.evidence_path(&locked.path)));
    assert!(run.stdout.contains(&format!("{n} warning(s)")), "{}", run.describe());
    let listed = ws.spoor(&args!["warnings", case]);
    listed.ok();
    assert!(listed.stdout.contains(&format!("{n} warning(s)")), "{}", listed.describe());
}

#[test]
fn names_that_are_not_utf8_round_trip() {
    let (ws, manifest, case, _) = scanned();
    assert!(manifest.file(CAFE).is_some(), "the fixtures have caf\\xe9.jpg");
    let hits = ws.hits(&case);
    let cafe: Vec<&Value> = hits.iter().filter(|h| path_bytes(h) == CAFE).collect();
    assert_eq!(cafe.len(), 1, "one hit on caf\\xe9.jpg: {hits:#?}");
    assert_eq!(cafe[0]["path_hex"], hex::encode(CAFE).as_str());
    assert_eq!(cafe[0]["path"], "Users/alex/Pictures/caf\\xe9.jpg");
}

#[test]
fn verify_passes_a_second_scan_has_nothing_to_do_and_rescan_agrees() {
    let (ws, _manifest, case, first) = scanned();
    let digest = first["content_digest"].as_str().expect("a completed scan has a content digest").to_string();
    assert!(is_lower_hex(&digest, 64), "{digest}");
    ws.verify_intact(&case);

    let again = ws.spoor(&args!["scan", case]);
    again.ok();
    assert!(again.stdout.contains("Nothing to scan"), "{}", again.describe());
    let again_json = ws.spoor(&args!["scan", case, "--json"]);
    again_json.ok();
    assert_eq!(again_json.json()["outcome"], "nothing_to_scan");
    assert_eq!(ws.runs(&case).len(), 1, "a scan with nothing to do makes no run");

    let hits_before = ws.hits(&case);
    let rescan = ws.scan_completed(&case, &args!["--rescan"]);
    assert_ne!(rescan["run_id"], first["run_id"], "--rescan makes a new run");
    assert_eq!(rescan["resumed"], false);
    assert_eq!(rescan["content_digest"], digest.as_str(), "same evidence, same content digest");
    assert_eq!(rescan["counts"], first["counts"]);
    let runs = ws.runs(&case);
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["state"] == "completed" && r["content_digest"] == digest.as_str()), "{runs:#?}");
    assert_eq!(without_run_id(&ws.hits(&case)), without_run_id(&hits_before), "hits of the rescan");
    ws.verify_intact(&case);
}

#[test]
fn hashset_list_describes_every_imported_set() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    ws.import_lists(&manifest);
    let run = ws.spoor(&args!["hashset", "list", "--json"]);
    run.ok();
    let sets = run.json().as_array().cloned().expect("an array");
    assert_eq!(sets.len(), LISTS.len(), "{sets:#?}");
    for list in LISTS {
        let set = sets.iter().find(|s| s["name"] == list.name).unwrap_or_else(|| panic!("{} is not listed", list.name));
        let fixture = manifest.hashset(list.file).expect("fixture list");
        let bytes = fs::read(manifest.hashsets_dir.join(list.file)).expect("read the list");
        assert_eq!(set["version"], serde_json::json!(list.version), "{set}");
        assert_eq!(set["kind"], list.kind, "{set}");
        assert_eq!(set["format"], fixture.format.as_str(), "{set}");
        assert_eq!(set["source_sha256"], sha256_hex(&bytes).as_str(), "{set}");
        assert_eq!(set["record_count"], fixture.record_count, "{set}");
        let imported = set["imported_utc"].as_str().unwrap_or_default();
        assert!(imported.len() >= 20 && imported.ends_with('Z'), "imported_utc {imported:?}");
    }
}
