//! PDQ matching end to end: a PDQ list made with `spoor hash` from
//! generated pictures, imported into the library; a scan of resized,
//! re-encoded, rotated and mirrored copies finds each with method `pdq`, its
//! distance and the dihedral variant; low-quality pictures are recorded but
//! not matched; the `--pdq-*` settings are recorded and change the result.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::Workspace;
use serde_json::Value;
use spoor_fixtures::{PdqManifest, generate_pdq};

/// `spoor hash --json` of every original: name -> (hash, quality).
fn original_hashes(ws: &Workspace, m: &PdqManifest) -> BTreeMap<String, (String, u64)> {
    let mut cmd = args!["hash", "--json"];
    cmd.extend(m.originals.iter().map(|n| m.originals_dir.join(n).into_os_string()));
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

/// The PDQ list as CSV: every original, category 1, named; the flat
/// picture listed with quality 100 so that only the picture's own quality
/// keeps it from matching.
fn write_list(ws: &Workspace, m: &PdqManifest) -> std::path::PathBuf {
    let hashes = original_hashes(ws, m);
    assert_eq!(hashes.len(), m.originals.len());
    let mut csv = String::from("pdq,quality,category,name\n");
    for (name, (hash, quality)) in &hashes {
        let quality = if *name == m.low_quality { 100 } else { *quality };
        csv.push_str(&format!("{hash},{quality},1,{name}\n"));
    }
    let path = ws.path("known-pictures.csv");
    fs::write(&path, csv).expect("write the list");
    path
}

/// Scans a new case of the evidence folder with extra flags; returns the
/// case and its hits.
fn scan(ws: &Workspace, m: &PdqManifest, name: &str, flags: &[&str]) -> (std::path::PathBuf, Vec<Value>) {
    let case = ws.new_case(name, &m.evidence_dir);
    let mut cmd = args!["scan", case, "--jobs", "2", "--progress", "none", "--json"];
    cmd.extend(flags.iter().map(std::ffi::OsString::from));
    ws.spoor(&cmd).ok();
    let hits = ws.spoor(&args!["hits", case, "--json"]);
    hits.ok();
    let hits = hits.json().as_array().expect("an array of hits").clone();
    (case, hits)
}

fn file_name(hit: &Value) -> &str {
    hit["path"].as_str().expect("path")
}

fn run_settings(case: &std::path::Path) -> Value {
    let conn = rusqlite::Connection::open(case).expect("open the case");
    let text: String = conn.query_row("SELECT settings FROM scan_runs ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).expect("a run");
    serde_json::from_str(&text).expect("settings JSON")
}

#[test]
fn copies_match_with_distance_and_variant_and_settings_change_results() {
    let ws = Workspace::new();
    let m = generate_pdq(&ws.path("pdq")).expect("generate the pictures");
    let list = write_list(&ws, &m);
    let imported = ws.spoor(&args!["hashset", "import", list, "--name", "Known pictures", "--kind", "alert", "--json"]);
    imported.ok();
    let info = imported.json();
    assert_eq!(info["format"], "pdq", "{info}");
    assert_eq!(info["fingerprint"]["count"], m.originals.len() as u64);
    ws.spoor(&args!["hashset", "verify", "Known pictures"]).ok();

    // Defaults: distance 31, quality 50.
    let (case, hits) = scan(&ws, &m, "default.spoor", &[]);
    let mut by_path: BTreeMap<String, &Value> = BTreeMap::new();
    for h in &hits {
        assert_eq!(h["method"], "pdq", "{h}");
        assert!(by_path.insert(file_name(h).to_string(), h).is_none(), "one hit per copy: {h}");
    }
    let mut distances = Vec::new();
    for copy in &m.copies {
        let h = by_path.get(&copy.path).unwrap_or_else(|| panic!("{} ({}) was not matched: {hits:#?}", copy.path, copy.transform));
        let d = h["distance"].as_u64().expect("a distance");
        assert!(d <= 31, "{}: distance {d}", copy.path);
        assert_eq!(h["variant"], copy.variant, "{} ({}): {h}", copy.path, copy.transform);
        assert_eq!(h["record"]["name"], copy.original.as_str(), "{h}");
        assert_eq!(h["record"]["match"]["variant"], copy.variant);
        assert_eq!(h["category"], "1");
        assert_eq!(h["hashset"], "Known pictures");
        distances.push((copy.path.clone(), d));
    }
    eprintln!("distances: {distances:?}");
    // Lossless mirrors come out nearly exact (the filter windows along the
    // mirrored axis are odd, so only rounding differs). Rotations drift
    // more: the decimation samples other pixels of a rotated picture.
    for copy in m.copies.iter().filter(|c| c.variant.starts_with("flip")) {
        let d = distances.iter().find(|(p, _)| *p == copy.path).map(|(_, d)| *d);
        assert!(d.is_some_and(|d| d <= 6), "{}: distance {d:?}", copy.path);
    }
    for not_matched in [&m.low_quality, &m.unrelated, &m.broken] {
        assert!(!by_path.contains_key(not_matched.as_str()), "{not_matched} matched: {hits:#?}");
    }
    assert_eq!(hits.len(), m.copies.len());

    // The flat picture is fingerprinted and stored, under quality 50.
    let conn = rusqlite::Connection::open(&case).expect("open the case");
    let (pdq, quality): (Option<String>, Option<i64>) = conn
        .query_row("SELECT pdq, pdq_quality FROM files WHERE path_display = ?1", [&m.low_quality], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("the flat picture is recorded");
    assert!(pdq.is_some() && quality.is_some_and(|q| q < 50), "{pdq:?} {quality:?}");
    // The animated GIF: two frames recorded, the first one hashed.
    let frames: Option<i64> = conn
        .query_row("SELECT frames FROM files WHERE path_display = 'copies/harbour_anim.gif'", [], |r| r.get(0))
        .expect("the GIF");
    assert_eq!(frames, Some(2));
    // The truncated picture is a warning, not a crash.
    let warnings = ws.spoor(&args!["warnings", case, "--json"]);
    warnings.ok();
    let warnings = warnings.json();
    // (The metadata step may add its own warning about the same bytes.)
    let broken: Vec<&Value> =
        warnings.as_array().expect("array").iter().filter(|w| w["path"] == m.broken.as_str() && w["stage"] == "decode").collect();
    assert_eq!(broken.len(), 1, "{warnings:#}");
    let settings = run_settings(&case);
    assert_eq!((settings["pdq_max_distance"].as_u64(), settings["pdq_min_quality"].as_u64()), (Some(31), Some(50)), "{settings}");
    ws.spoor(&args!["verify", case]).ok();

    // The report's CSV carries distance and variant.
    let csv_path = ws.path("hits.csv");
    ws.spoor(&args!["report", case, "--format", "csv", "-o", csv_path]).ok();
    let csv = fs::read_to_string(&csv_path).expect("the CSV");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no {name} column"));
    let (method, distance, variant) = (col("method"), col("distance"), col("variant"));
    let rot = csv.lines().find(|l| l.contains("garden_rot90.png")).expect("the rotated copy's row");
    let cells: Vec<&str> = rot.split(',').collect();
    assert_eq!((cells[method], cells[variant]), ("pdq", "rotate90"));
    assert!(cells[distance].parse::<u32>().is_ok());

    // A lower minimum quality lets the flat picture match its listed hash.
    let (_, hits) = scan(&ws, &m, "quality0.spoor", &["--pdq-min-quality", "0"]);
    let flat: Vec<&Value> = hits.iter().filter(|h| file_name(h) == m.low_quality).collect();
    assert_eq!(flat.len(), 1, "{hits:#?}");
    assert_eq!((flat[0]["distance"].as_u64(), flat[0]["variant"].as_str()), (Some(0), Some("original")));
    assert_eq!(hits.len(), m.copies.len() + 1);

    // A tighter distance drops the copies that drifted further.
    let tight = 6;
    let (case, hits) = scan(&ws, &m, "tight.spoor", &["--pdq-distance", &tight.to_string()]);
    let expected: Vec<&String> = distances.iter().filter(|(_, d)| *d <= tight).map(|(p, _)| p).collect();
    let mut got: Vec<&str> = hits.iter().map(file_name).collect();
    got.sort();
    let mut want: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
    want.sort();
    assert_eq!(got, want);
    assert!(want.len() < m.copies.len(), "every copy within {tight}: {distances:?}");
    assert_eq!(run_settings(&case)["pdq_max_distance"], tight);

    // Out-of-range settings are usage errors.
    let case = ws.new_case("bad.spoor", &m.evidence_dir);
    ws.spoor(&args!["scan", case, "--pdq-distance", "300"]).expect_code(2);
    ws.spoor(&args!["scan", case, "--pdq-min-quality", "101"]).expect_code(2);
}

#[test]
fn an_ignore_pdq_set_never_sets_a_picture_aside() {
    let ws = Workspace::new();
    let m = generate_pdq(&ws.path("pdq")).expect("generate the pictures");
    let list = write_list(&ws, &m);
    ws.spoor(&args!["hashset", "import", list, "--name", "Harmless pictures", "--kind", "ignore", "--format", "pdq"]).ok();
    let (case, hits) = scan(&ws, &m, "ignore.spoor", &[]);
    assert!(hits.is_empty(), "{hits:#?}");
    let conn = rusqlite::Connection::open(&case).expect("open the case");
    let known_good: i64 = conn.query_row("SELECT COUNT(*) FROM files WHERE known_good = 1", [], |r| r.get(0)).expect("count");
    assert_eq!(known_good, 0);
    // Export as a plain list round-trips the hashes.
    let out = ws.spoor(&args!["hashset", "export", "Harmless pictures", "--format", "pdq"]);
    out.ok();
    assert_eq!(out.stdout.lines().count(), m.originals.len());
    assert!(out.stdout.lines().all(|l| l.len() > 65 && l.as_bytes()[64] == b','), "{}", out.stdout);
}

/// `--picture-timeout 0` stops every picture's decoding at its first check
/// (no clock is involved: a zero cap has always passed): the scan completes,
/// every picture keeps its digests, has no PDQ and one `decode` warning
/// `(timed_out)`, and the cap is recorded. `none` records no cap; a bad
/// value is a usage error.
#[test]
fn a_zero_picture_timeout_warns_for_every_picture() {
    let ws = Workspace::new();
    let m = generate_pdq(&ws.path("pdq")).expect("generate the pictures");
    let (case, hits) = scan(&ws, &m, "timeout0.spoor", &["--picture-timeout", "0"]);
    assert!(hits.is_empty(), "{hits:#?}");
    assert_eq!(run_settings(&case)["picture_timeout_secs"], 0.0);
    let conn = rusqlite::Connection::open(&case).expect("open the case");
    let pictures: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare("SELECT path_display, sha256, pdq FROM files WHERE type_class = 'image' ORDER BY path_display")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(pictures.len() > m.copies.len(), "{pictures:?}");
    let warnings = ws.spoor(&args!["warnings", case, "--json"]);
    warnings.ok();
    let warnings = warnings.json();
    for (path, sha256, pdq) in &pictures {
        assert!(sha256.is_some(), "{path}: digests are kept");
        assert_eq!(pdq, &None, "{path}");
        let decode: Vec<&Value> = warnings
            .as_array()
            .expect("array")
            .iter()
            .filter(|w| w["path"] == path.as_str() && w["stage"] == "decode")
            .collect();
        assert_eq!(decode.len(), 1, "{path}: {decode:?}");
        let reason = decode[0]["reason"].as_str().expect("reason");
        assert!(reason.contains("(timed_out)") && reason.contains("time cap of 0 s"), "{path}: {reason}");
    }
    ws.spoor(&args!["verify", case]).ok();

    // The default cap is recorded; `none` records none; nonsense is refused.
    let (case, _) = scan(&ws, &m, "default.spoor", &[]);
    assert_eq!(run_settings(&case)["picture_timeout_secs"], 20.0);
    assert_eq!(run_settings(&case)["picture_max_jpeg_scans"], 500);
    let (case, _) = scan(&ws, &m, "none.spoor", &["--picture-timeout", "none"]);
    assert_eq!(run_settings(&case)["picture_timeout_secs"], Value::Null);
    let case = ws.new_case("bad.spoor", &m.evidence_dir);
    ws.spoor(&args!["scan", case, "--picture-timeout", "-1"]).expect_code(2);
    ws.spoor(&args!["scan", case, "--picture-timeout", "soon"]).expect_code(2);
}
