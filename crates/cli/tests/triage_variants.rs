//! Near-known through the dihedral variants a case stores (format 4), end
//! to end: the originals of the PDQ fixtures are known material (an MD5
//! alert list, scanned as one evidence item); their rotated, mirrored and
//! re-encoded copies (another item) match no list and are unknown. The
//! scan stores every picture's seven other variants, `spoor verify` covers
//! them, and `spoor triage` finds each copy near its original through the
//! variant that undoes its transform, in JSON and in words. With the
//! variants removed (what a picture scanned before format 4 has), the
//! copies that are neither as stored nor transposed are not near-known.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::{Workspace, sql_count};
use serde_json::Value;
use spoor_fixtures::generate_pdq;

fn near_by_path(t: &Value) -> BTreeMap<String, Value> {
    t["near_known"]
        .as_array()
        .expect("near_known")
        .iter()
        .map(|n| (n["unknown_path"].as_str().unwrap_or_default().to_string(), n.clone()))
        .collect()
}

#[test]
fn rotated_and_mirrored_copies_are_near_known_through_their_variant() {
    let ws = Workspace::new();
    let m = generate_pdq(&ws.path("pdq")).expect("generate the pictures");
    let mut cmd = args!["hash", "--json"];
    cmd.extend(m.originals.iter().map(|n| m.originals_dir.join(n).into_os_string()));
    let hashed = ws.spoor(&cmd);
    hashed.ok();
    let mut list = String::new();
    for line in hashed.stdout.lines() {
        let v: Value = serde_json::from_str(line).expect("JSON line");
        let name = v["path"].as_str().and_then(|p| p.rsplit('/').next()).expect("path");
        list.push_str(&format!("{}  {name}\n", v["md5"].as_str().expect("md5")));
    }
    let list_path = ws.path("originals.md5");
    fs::write(&list_path, list).expect("write the list");
    ws.spoor(&args!["hashset", "import", list_path, "--name", "Originals", "--kind", "alert"]).ok();
    let case = ws.new_case("case.spoor", &m.evidence_dir);
    ws.spoor(&args!["evidence", "add", case, "--id", "ORIGINALS", "--path", m.originals_dir]).ok();
    ws.scan_completed(&case, &args!["--jobs", "2"]);
    ws.verify_intact(&case);
    // Seven variants of every fingerprinted picture, none of anything else.
    let pictures = sql_count(&case, "SELECT COUNT(*) FROM files WHERE pdq IS NOT NULL");
    assert!(pictures > m.copies.len() as i64);
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM pdq_variants"), 7 * pictures);
    assert_eq!(sql_count(&case, "SELECT COUNT(*) FROM pdq_variants v JOIN files f ON f.id = v.file_id WHERE f.pdq IS NULL"), 0);
    assert_eq!(sql_count(&case, "SELECT COUNT(DISTINCT variant) FROM pdq_variants"), 7);

    let t = ws.spoor(&args!["triage", case, "--json"]).json();
    let near = near_by_path(&t);
    let turned: Vec<_> = m.copies.iter().filter(|c| !["original", "flipplus1"].contains(&c.variant)).collect();
    assert!(turned.len() >= 4, "the fixtures have rotated and mirrored copies");
    for copy in &m.copies {
        let n = near.get(&copy.path).unwrap_or_else(|| panic!("{} ({}) is not near-known: {:#}", copy.path, copy.transform, t["near_known"]));
        assert_eq!(n["variant"], copy.variant, "{} ({}): {n}", copy.path, copy.transform);
        assert_eq!(n["known"]["source"], "case_file", "{n}");
        assert_eq!(n["known"]["path"], copy.original.as_str(), "{n}");
        assert!(n["distance"].as_u64().is_some_and(|d| d <= 31), "{n}");
        let words = n["variant_words"].as_str().unwrap_or_default();
        assert!(!words.is_empty() && words != copy.variant, "{n}");
    }
    let mirrored = near.values().find(|n| n["variant"] == "flipy").expect("a copy mirrored left to right");
    assert_eq!(mirrored["variant_words"], "mirrored left to right");
    let text = ws.spoor(&args!["triage", case]);
    text.ok();
    for copy in &turned {
        let n = &near[&copy.path];
        let how = format!("{} ({})", n["variant_words"].as_str().unwrap_or_default(), copy.variant);
        assert!(text.stdout.lines().any(|l| l.contains(&copy.path) && l.contains(&how)), "{how} for {}:\n{}", copy.path, text.stdout);
    }

    // The same case without stored variants: compared as stored and
    // transposed only, the turned copies are not near their originals.
    let old = ws.path("old.spoor");
    fs::copy(&case, &old).expect("copy the case");
    let conn = rusqlite::Connection::open(&old).expect("open the copy");
    conn.execute("DELETE FROM pdq_variants", []).expect("delete the variants");
    drop(conn);
    let before = near_by_path(&ws.spoor(&args!["triage", old, "--json"]).json());
    for copy in &turned {
        assert!(before.get(&copy.path).is_none_or(|n| n["known"]["path"] != copy.original.as_str()), "{}: {:?}", copy.path, before.get(&copy.path));
    }
    for copy in m.copies.iter().filter(|c| c.variant == "original") {
        assert_eq!(before[&copy.path]["variant"], "original");
    }
}
