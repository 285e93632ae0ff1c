//! Every fixture hash set, in every format the generator writes (VICS 1.x
//! and 2.0, CAID, NSRL RDS v3 and 2.x, HashKeeper, EnCase, Sleuth Kit idx
//! and kdb, the md5sum family, CSV), imported with `spoor hashset import`
//! and its format detected from the content; then the fixture tree is
//! scanned against all of them at once and the hits are exactly the
//! (file, set) pairs the manifest lists for the alert sets.

#[macro_use]
mod common;

use std::collections::{BTreeMap, BTreeSet};

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

    // The same sets asked digest by digest (`spoor hashset lookup`): every
    // evidence file's MD5, SHA-1 and SHA-256 together find exactly the sets,
    // alert and ignore alike, that list a file with its content.
    let by_path: BTreeMap<&[u8], &spoor_fixtures::FixtureFile> =
        manifest.files.iter().map(|f| (f.path.as_slice(), f)).collect();
    let mut listing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for set in manifest.hashsets.iter().filter(|s| s.malformed_line.is_none()) {
        for path in &set.lists {
            let file = by_path[path.as_slice()];
            listing.entry(file.sha256.as_str()).or_default().insert(set.file.to_string_lossy().into_owned());
        }
    }
    let mut list = String::from("# every evidence file's digests, SHA-1 in upper case, CRLF line ends\r\n\r\n");
    for f in &manifest.files {
        list.push_str(&format!("{}  {}\r\n{}\r\n{},size\r\n", f.md5, f.path_lossy, f.sha1.to_uppercase(), f.sha256));
    }
    list.push_str("md5,sha1\r\n");
    std::fs::write(ws.path("digests.txt"), &list).expect("write");
    let run = ws.spoor(&args!["hashset", "lookup", ws.path("digests.txt"), "--json"]);
    run.ok();
    assert!(run.stderr.contains("line ") && run.stderr.contains("1 line(s) skipped"), "{}", run.describe());
    let mut sets_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut line = 2;
    for text in run.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(text).expect("a JSON line");
        line += 1;
        assert_eq!(v["line"], line, "{text}");
        let digest = v["digest"].as_str().expect("digest").to_string();
        let kind = v["kind"].as_str().expect("kind");
        for m in v["matches"].as_array().expect("matches") {
            assert_eq!(m["record"][kind], digest.as_str(), "the record lists the digest: {text}");
            sets_of.entry(digest.clone()).or_default().insert(m["set"].as_str().expect("set").to_string());
        }
    }
    assert_eq!(line - 2, 3 * manifest.files.len(), "one JSON line a digest");
    let mut found_some = 0;
    for f in &manifest.files {
        let found: BTreeSet<String> =
            [&f.md5, &f.sha1, &f.sha256].iter().flat_map(|d| sets_of.get(*d).cloned().unwrap_or_default()).collect();
        let want = listing.get(f.sha256.as_str()).cloned().unwrap_or_default();
        assert_eq!(found, want, "{}", f.path_lossy);
        found_some += usize::from(!found.is_empty());
    }
    assert!(found_some > 0, "the sets list some of the files");

    // The text form: a line a match or "not found", `--found-only`, and a
    // `--hashset` selection.
    let some = sets_of.keys().next().expect("a digest found").to_string();
    std::fs::write(ws.path("two.txt"), format!("{some}\n{}\n", "0".repeat(64))).expect("write");
    let text = ws.spoor(&args!["hashset", "lookup", ws.path("two.txt")]);
    text.ok();
    assert!(text.stdout.lines().any(|l| l.starts_with(&some) && !l.ends_with("not found")), "{}", text.describe());
    assert!(text.stdout.contains(&format!("{}\tnot found", "0".repeat(64))), "{}", text.describe());
    let only = ws.spoor(&args!["hashset", "lookup", ws.path("two.txt"), "--found-only"]);
    assert!(!only.ok().stdout.contains("not found"), "{}", only.describe());
    let first_set = sets_of[&some].iter().next().expect("a set").clone();
    let picked = ws.spoor(&args!["hashset", "lookup", ws.path("two.txt"), "--hashset", &first_set, "--json"]);
    let v: serde_json::Value = serde_json::from_str(picked.ok().stdout.lines().next().expect("a line")).expect("json");
    let names: BTreeSet<&str> = v["matches"].as_array().expect("matches").iter().map(|m| m["set"].as_str().expect("set")).collect();
    assert_eq!(names, BTreeSet::from([first_set.as_str()]), "{}", picked.describe());
    ws.spoor(&args!["hashset", "lookup", ws.path("two.txt"), "--hashset", "no such set"]).expect_code(2);
}
