//! Every fixture hash set, in every format the generator writes (VICS 1.x
//! and 2.0, CAID, NSRL RDS v3 and 2.x, HashKeeper, EnCase, Sleuth Kit idx
//! and kdb, the md5sum family, CSV), imported with `spoor hashset import`
//! and its format detected from the content; then the fixture tree is
//! scanned against all of them at once and the hits are exactly the
//! (file, set) pairs the manifest lists for the alert sets.

#[macro_use]
mod common;

use std::collections::BTreeSet;

use common::*;

#[test]
fn the_fixture_tree_scanned_against_a_set_of_every_format() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    let mut formats = BTreeSet::new();
    let mut expected: BTreeSet<(Vec<u8>, String)> = BTreeSet::new();
    let mut ignore_lists = BTreeSet::new();
    let mut alert_lists = BTreeSet::new();
    for set in manifest.hashsets.iter().filter(|s| s.malformed_line.is_none()) {
        let name = set.file.to_string_lossy().into_owned();
        let run = ws.spoor(&args![
            "hashset",
            "import",
            manifest.hashsets_dir.join(&set.file),
            "--name",
            &name,
            "--kind",
            &set.kind,
            "--json"
        ]);
        run.ok();
        let info = run.json();
        assert_eq!(info["format"], set.format.as_str(), "{name}: {}", run.describe());
        assert_eq!(info["record_count"], set.record_count, "{name}");
        formats.insert(set.format.clone());
        match set.kind.as_str() {
            "alert" => {
                for path in &set.lists {
                    expected.insert((path.clone(), name.clone()));
                    alert_lists.insert(path.clone());
                }
            }
            _ => ignore_lists.extend(set.lists.iter().cloned()),
        }
    }
    for format in [
        "md5sum", "sha1sum", "sha256sum", "csv", "vics", "caid", "nsrl-rds3", "nsrl-rds2", "hashkeeper", "encase",
        "tsk-idx", "tsk-kdb",
    ] {
        assert!(formats.contains(format), "no fixture set of format {format}: {formats:?}");
    }

    let case = ws.new_case("case.spoor", &manifest.evidence_root);
    let outcome = ws.scan_completed(&case, &[]);
    let hits = ws.hits(&case);
    let found: BTreeSet<(Vec<u8>, String)> = hits
        .iter()
        .map(|h| {
            let path = hex::decode(h["path_hex"].as_str().expect("path_hex")).expect("hex");
            (path, h["hashset"].as_str().expect("hashset").to_string())
        })
        .collect();
    assert_eq!(found.len(), hits.len(), "a (file, set) pair twice");
    let lossy = |s: &BTreeSet<(Vec<u8>, String)>| -> Vec<(String, String)> {
        s.iter().map(|(p, n)| (String::from_utf8_lossy(p).into_owned(), n.clone())).collect()
    };
    assert_eq!(lossy(&found), lossy(&expected));
    // Files only ignore sets list are set aside as known-good.
    if ignore_lists.difference(&alert_lists).next().is_some() {
        assert!(outcome["counts"]["known_good"].as_u64().unwrap_or(0) > 0, "{outcome}");
    }
    ws.verify_intact(&case);
}
