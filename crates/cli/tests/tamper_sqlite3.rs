//! Tampering with the plain `sqlite3` CLI, as a defence expert (or anyone
//! with the file) could: every column of every table changed, rows deleted
//! and inserted in every table, the audit log edited, the file truncated.
//! `spoor verify` must fail each variant (exit 1; exit 2 only for a file
//! that is no longer recognisable as a case, said per variant below) and
//! name the table. The tables are read from `sqlite_master`, so a table
//! added by a later migration is tampered with too, and the test fails if
//! the case it builds leaves one empty.
//!
//! `sqlite3` is installed by scripts/setup.sh (Debian package sqlite3).

#[macro_use]
mod common;
mod video_lab;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

fn sqlite3() -> &'static str {
    let found = Command::new("sqlite3").arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "the sqlite3 CLI is missing: install it (scripts/setup.sh does: apt-get install sqlite3)"
    );
    "sqlite3"
}

/// Runs SQL with the plain CLI; `Err` with its message when it refuses.
fn sql(db: &Path, script: &str) -> Result<String, String> {
    let out = Command::new(sqlite3())
        .arg("-bail")
        .arg("-batch")
        .arg(db)
        .arg(script)
        .stdin(Stdio::null())
        .output()
        .expect("run sqlite3");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn sql_lines(db: &Path, script: &str) -> Vec<String> {
    sql(db, script).unwrap_or_else(|e| panic!("{script}: {e}")).lines().map(str::to_string).collect()
}

/// A case with rows in every table: two evidence items scanned in two runs
/// (pictures with their metadata and their seven other dihedral PDQ
/// variants, a known video with its frames and contact sheet), evidence
/// dates, five hash sets, hits, warnings, two reviews and two exports.
fn build_case(ws: &Workspace) -> PathBuf {
    let (manifest, case) = ws.fixture_case(false);
    ws.scan_completed(&case, &args!["--jobs", "2"]);
    let second = ws.path("item2");
    fs::create_dir_all(second.join("sub")).expect("mkdir");
    fs::write(second.join("sub/a.txt"), b"second item\n").expect("write");
    fs::copy(manifest.evidence_path(b"DCIM/100CAMERA/IMG_0001.JPG"), second.join("copy.jpg")).expect("copy");
    // A video the library knows (vPDQ): rows in videos, frames,
    // contact_sheets and video_hits.
    let clip = video_lab::video("testsrc2=size=160x120:rate=10", 4.0, video_lab::H264, &second.join("clip.mp4"));
    let known = ws.path("known-videos");
    fs::create_dir_all(&known).expect("mkdir");
    fs::write(known.join("clip.vpdq.txt"), video_lab::vpdq_text(&clip)).expect("write");
    ws.spoor(&args!["hashset", "import", known, "--name", "Known videos", "--version", "1", "--kind", "alert"]).ok();
    ws.spoor(&args!["evidence", "add", case, "--id", "ITEM-002", "--path", second, "--seized", "2026-11-20T09:00:00Z", "--acquired", "2026-11-21"])
        .ok();
    ws.scan_completed(&case, &[]);
    let hits = ws.hits(&case);
    assert!(hits.len() >= 2, "the fixture case has hits");
    for (i, hit) in hits.iter().take(2).enumerate() {
        let id = hit["file_id"].as_i64().expect("file_id").to_string();
        ws.spoor(&args!["review", case, id, "--category", "1", "--profile", "vics-us", "--note", format!("review {i}")]).ok();
    }
    ws.spoor(&args!["report", case, "--format", "csv", "-o", ws.path("report.csv")]).ok();
    ws.spoor(&args!["report", case, "--format", "html", "-o", ws.path("report.html")]).ok();
    ws.verify_intact(&case);
    // Every fingerprinted picture of both runs has its seven variants.
    let pictures: i64 = sql_lines(&case, "SELECT COUNT(*) FROM files WHERE pdq IS NOT NULL")[0].parse().expect("count");
    let variants: i64 = sql_lines(&case, "SELECT COUNT(*) FROM pdq_variants")[0].parse().expect("count");
    assert!(pictures >= 2 && variants == 7 * pictures, "{pictures} pictures, {variants} pdq_variants rows");
    case
}

/// `spoor verify CASE --json`: the exit status and the report (when the
/// file was still read as a case).
fn verify(ws: &Workspace, case: &Path) -> (Run, Option<Value>) {
    let run = ws.spoor(&args!["verify", case, "--json"]);
    let report = serde_json::from_str(&run.stdout).ok();
    (run, report)
}

struct Variant {
    table: String,
    what: String,
    script: String,
}

/// The tables of the case, from `sqlite_master`.
fn tables(db: &Path) -> Vec<String> {
    sql_lines(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
}

/// (name, declared type, is the INTEGER PRIMARY KEY) of each column.
fn columns(db: &Path, table: &str) -> Vec<(String, String, bool)> {
    sql_lines(db, &format!("SELECT name || '|' || type || '|' || pk FROM pragma_table_info('{table}') ORDER BY cid"))
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            (f[0].to_string(), f[1].to_string(), f[2] == "1")
        })
        .collect()
}

/// Every way to tamper with one table: each column changed in one row,
/// rows deleted (first, middle, last, all), rows inserted (a copy with its
/// seal, an unsealed copy).
fn variants(db: &Path, table: &str) -> Vec<Variant> {
    let cols = columns(db, table);
    let key = cols.iter().find(|c| c.2).map(|c| c.0.clone()).unwrap_or_else(|| "rowid".into());
    let count: i64 = sql_lines(db, &format!("SELECT COUNT(*) FROM {table}"))[0].parse().expect("count");
    assert!(count >= 1, "table {table} has no rows: extend build_case so that every table can be tampered with");
    let middle = format!("(SELECT {key} FROM {table} ORDER BY {key} LIMIT 1 OFFSET {})", count / 2);
    let first = format!("(SELECT MIN({key}) FROM {table})");
    let last = format!("(SELECT MAX({key}) FROM {table})");
    // Check constraints (kind IN (...), id = 1) and foreign keys do not stop
    // someone with sqlite3.
    let lax = "PRAGMA ignore_check_constraints = ON; PRAGMA foreign_keys = OFF;";
    let mut out = Vec::new();
    let v = |what: String, script: String| Variant { table: table.to_string(), what, script };
    for (name, _, is_key) in &cols {
        let new = if *is_key {
            format!("{name} + 1000000")
        } else {
            format!(
                "CASE WHEN {name} IS NULL THEN 1 WHEN typeof({name}) = 'integer' THEN {name} + 1 WHEN typeof({name}) = 'real' THEN {name} + 0.5 \
                 WHEN typeof({name}) = 'blob' THEN {name} || x'00' ELSE {name} || 'x' END"
            )
        };
        let update = |value: &str| format!("{lax} UPDATE {table} SET {name} = {value} WHERE {key} = {middle};");
        // A column under a UNIQUE index (file_metadata.file_id) refuses a
        // neighbour's value: then one no row has.
        let probe = tempfile::NamedTempFile::new().expect("temp file");
        fs::copy(db, probe.path()).expect("copy");
        let script = if *is_key || sql(probe.path(), &update(&new)).is_ok() {
            update(&new)
        } else {
            update(&format!(
                "CASE WHEN typeof({name}) = 'integer' THEN {name} + 1000000 WHEN typeof({name}) = 'blob' THEN {name} || x'0000' ELSE {name} || '-tampered' END"
            ))
        };
        out.push(v(format!("change {name} of the middle row"), script));
    }
    for (which, pick) in [("first", &first), ("middle", &middle), ("last", &last)] {
        out.push(v(format!("delete the {which} row"), format!("{lax} DELETE FROM {table} WHERE {key} = {pick};")));
    }
    out.push(v("delete every row".into(), format!("{lax} DELETE FROM {table};")));
    // Inserts: a copy of the last row under a new key, first verbatim
    // (seal and row hash included), then with unique text made unique.
    let names: Vec<String> = cols.iter().map(|c| c.0.clone()).collect();
    let copy_exprs = |tweak: bool, unsealed: bool| -> Vec<String> {
        cols.iter()
            .map(|(name, ty, is_key)| {
                if *is_key {
                    format!("(SELECT MAX({name}) + 1 FROM {table})")
                } else if unsealed && (name == "seal" || name == "row_hash") {
                    "NULL".into()
                } else if tweak && ty.eq_ignore_ascii_case("TEXT") && name != "row_hash" {
                    format!("{name} || '-copy'")
                } else if tweak && ty.eq_ignore_ascii_case("BLOB") {
                    format!("{name} || x'00'")
                } else if tweak && ty.eq_ignore_ascii_case("INTEGER") && name != "seal" {
                    format!("{name} + 1000")
                } else {
                    name.clone()
                }
            })
            .collect()
    };
    for (what, unsealed) in [("insert a copy of the last row, seal and row hash included", false), ("insert an unsealed copy of the last row", true)] {
        let insert = |tweak: bool| {
            format!(
                "{lax} INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {key} = {last};",
                names.join(", "),
                copy_exprs(tweak, unsealed).join(", ")
            )
        };
        // A verbatim copy may break a UNIQUE constraint: then the tweaked one.
        let probe = tempfile::NamedTempFile::new().expect("temp file");
        fs::copy(db, probe.path()).expect("copy");
        let script = if sql(probe.path(), &insert(false)).is_ok() { insert(false) } else { insert(true) };
        out.push(v(what.into(), script));
    }
    out
}

/// Whether the problems name `table` (for the audit log: the log itself,
/// or rows whose audit entry is gone).
fn names_table(report: &Value, table: &str) -> bool {
    report["problems"].as_array().is_some_and(|ps| {
        ps.iter().any(|p| {
            let t = p["table"].as_str().unwrap_or_default();
            let m = p["message"].as_str().unwrap_or_default();
            t == table || (table == "audit_log" && m.contains("audit entry")) || (t == "file" && m.contains(table))
        })
    })
}

#[test]
fn every_change_delete_and_insert_in_every_table_is_named_by_verify() {
    let ws = Workspace::new();
    let pristine = build_case(&ws);
    let tables = tables(&pristine);
    for wanted in ["audit_log", "files", "hits", "warnings", "reviews", "exports", "case_info", "pdq_variants"] {
        assert!(tables.iter().any(|t| t == wanted), "no {wanted} table in {tables:?}");
    }
    let mut checked = 0;
    let mut missed = Vec::new();
    let mut counts = Vec::new();
    for table in &tables {
        let rows = sql_lines(&pristine, &format!("SELECT COUNT(*) FROM {table}"))[0].clone();
        counts.push(format!("{table} {rows}"));
        for variant in variants(&pristine, table) {
            let case = ws.path("tampered.spoor");
            let _ = fs::remove_file(&case);
            fs::copy(&pristine, &case).expect("copy the case");
            if let Err(e) = sql(&case, &variant.script) {
                missed.push(format!("{table}: {}: sqlite3 refused: {e} ({})", variant.what, variant.script));
                continue;
            }
            let (run, report) = verify(&ws, &case);
            checked += 1;
            let ok = run.code == 1 && report.as_ref().is_some_and(|r| r["intact"] == false && names_table(r, &variant.table));
            if !ok {
                missed.push(format!("{table}: {}: exit {} (want 1, naming {table})\n  {}\n  {}", variant.what, run.code, variant.script, run.stdout.trim()));
            }
        }
    }
    println!("rows per table: {}", counts.join(", "));
    println!("{checked} tampered copies checked over {} tables", tables.len());
    assert!(missed.is_empty(), "{} variant(s) not detected or not named:\n{}", missed.len(), missed.join("\n"));
}

#[test]
fn audit_log_edits_reorders_and_cuts_are_named() {
    let ws = Workspace::new();
    let pristine = build_case(&ws);
    let head: i64 = sql_lines(&pristine, "SELECT MAX(seq) FROM audit_log")[0].parse().expect("head");
    assert!(head >= 6, "the case has {head} audit entries");
    let mid = head / 2;
    let cases: Vec<(String, String)> = vec![
        ("swap two entries".into(), format!("UPDATE audit_log SET seq = -1 WHERE seq = {mid}; UPDATE audit_log SET seq = {mid} WHERE seq = {mid} + 1; UPDATE audit_log SET seq = {mid} + 1 WHERE seq = -1;")),
        ("rewrite an actor and recompute nothing".into(), format!("UPDATE audit_log SET actor = 'Mallory' WHERE seq = {mid};")),
        ("replace the details".into(), format!("UPDATE audit_log SET details = '{{}}' WHERE seq = {mid};")),
        ("empty the seals".into(), format!("UPDATE audit_log SET seals = '{{}}' WHERE seq = {mid};")),
        ("cut the first entry".into(), "DELETE FROM audit_log WHERE seq = 1;".into()),
        ("cut the last entry".into(), format!("DELETE FROM audit_log WHERE seq = {head};")),
        ("cut the last three entries".into(), format!("DELETE FROM audit_log WHERE seq > {head} - 3;")),
        ("empty the log".into(), "DELETE FROM audit_log;".into()),
        ("renumber from 2".into(), "UPDATE audit_log SET seq = seq + 1000; UPDATE audit_log SET seq = seq - 999;".into()),
        ("drop the table".into(), "DROP TABLE audit_log;".into()),
        ("add a trigger that hides inserts".into(), "CREATE TRIGGER hide AFTER INSERT ON hits BEGIN DELETE FROM hits WHERE id = NEW.id; END;".into()),
        ("add an index".into(), "CREATE INDEX sneaky ON files(size);".into()),
        ("add a table".into(), "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('x');".into()),
    ];
    let mut missed = Vec::new();
    for (what, script) in &cases {
        let case = ws.path("tampered.spoor");
        let _ = fs::remove_file(&case);
        fs::copy(&pristine, &case).expect("copy");
        sql(&case, script).unwrap_or_else(|e| panic!("{what}: sqlite3 refused: {e}"));
        let (run, report) = verify(&ws, &case);
        let first = report.as_ref().and_then(|r| r["problems"][0].as_object().cloned());
        if run.code != 1 || report.as_ref().is_none_or(|r| r["intact"] != false) {
            missed.push(format!("{what}: exit {}\n{}", run.code, run.describe()));
        } else {
            println!("{what}: {:?}", first);
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// Cuts the last audit entry off a copy of `pristine` together with every
/// row it sealed: a shorter case that is consistent in itself.
fn cut_tail(ws: &Workspace, pristine: &Path, head: i64) -> PathBuf {
    let case = ws.path("cut.spoor");
    let _ = fs::remove_file(&case);
    fs::copy(pristine, &case).expect("copy");
    let mut script = String::new();
    for table in tables(pristine).iter().filter(|t| *t != "audit_log") {
        if columns(pristine, table).iter().any(|c| c.0 == "seal") {
            script.push_str(&format!("DELETE FROM {table} WHERE seal = {head}; "));
        }
    }
    script.push_str(&format!("DELETE FROM audit_log WHERE seq = {head};"));
    sql(&case, &script).expect("cut the tail");
    case
}

/// `spoor verify CASE --json ARGS` with `SPOOR_ANCHORS` set to `ledger`.
fn verify_against(ws: &Workspace, case: &Path, ledger: &Path, more: &[std::ffi::OsString]) -> (Run, Value) {
    let mut all = args!["verify", case, "--json"];
    all.extend_from_slice(more);
    let out = ws.command(&all).env("SPOOR_ANCHORS", ledger).output().expect("run spoor");
    let run = Run {
        args: all,
        code: exit_code(out.status),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    let report = serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("verify --json\n{}", run.describe()));
    (run, report)
}

fn messages(report: &Value) -> Vec<String> {
    report["problems"].as_array().map(|ps| ps.iter().map(|p| format!("{} {}: {}", p["table"], p["row"], p["message"])).collect()).unwrap_or_default()
}

/// Cutting the last entry off the log together with every row it sealed
/// leaves a shorter case that is consistent in itself: no self-contained
/// file can show that. Every command that writes a case records the new
/// chain head in the anchor ledger outside it (`SPOOR_ANCHORS`, else the
/// user's data folder), and plain `spoor verify` checks the case against
/// every head recorded for it: the cut is named with the missing entry, its
/// hash and time. Without the ledger, a head noted from a report
/// (`--expect-head SEQ:HASH`) shows it. The genuine report is disowned by
/// `verify-report` either way — the damage this tampering does.
#[test]
fn cutting_the_tail_with_its_rows_is_caught_by_the_anchor_ledger() {
    let ws = Workspace::new();
    let pristine = build_case(&ws);
    let (_, noted) = verify(&ws, &pristine);
    let noted = noted.expect("verify --json");
    let head = noted["head_seq"].as_i64().expect("head_seq");
    let hash = noted["head_hash"].as_str().expect("head_hash").to_string();
    assert_eq!(noted["anchors"]["latest_seq"], head, "the ledger holds the head\n{noted}");
    assert_eq!(noted["anchors"]["confirmed"], noted["anchors"]["case_anchors"], "{noted}");
    let action = sql_lines(&pristine, &format!("SELECT action FROM audit_log WHERE seq = {head}"));
    assert_eq!(action, ["report.export"], "the last entry records the last export");
    let case = cut_tail(&ws, &pristine, head);

    let (run, after) = verify_against(&ws, &case, &ws.anchors(), &[]);
    let found = messages(&after);
    println!("plain verify after cutting entry {head} and its rows: exit {}, head {}; {found:?}", run.code, after["head_seq"]);
    assert_eq!(run.code, 1, "the cut is caught by plain verify\n{}", run.describe());
    assert_eq!(after["head_seq"], head - 1);
    let cut = format!("the audit log ends at entry {} but entry {head} (hash {hash}) was recorded on", head - 1);
    assert!(found.iter().any(|m| m.contains(&cut) && m.contains("the log was cut")), "{found:?}");
    assert!(run.stdout.contains("the log was cut") || after["problems"][0]["table"] == "audit_log", "{}", run.describe());
    let text = ws.command(&args!["verify", case]).output().expect("run spoor");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&format!("chain head seen #{}", head - 1)) && text.contains("the log was cut"), "{text}");

    // On a machine without the ledger: the cut case verifies (with a note
    // that no anchor was found), and a head noted from a report shows it.
    let elsewhere = ws.path("elsewhere/anchors.jsonl");
    let (run, alone) = verify_against(&ws, &case, &elsewhere, &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(alone["anchors"]["notes"].to_string().contains("no anchor"), "{alone}");
    let (run, expected) = verify_against(&ws, &case, &elsewhere, &args!["--expect-head", format!("{head}:{hash}")]);
    println!("verify --expect-head {head}:{} without a ledger: exit {}; {:?}", &hash[..16], run.code, messages(&expected));
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(expected["anchors"]["expected_head_found"], false);
    assert!(messages(&expected).iter().any(|m| m.contains("the log was cut")), "{expected}");
    let (run, _) = verify_against(&ws, &pristine, &elsewhere, &args!["--expect-head", format!("{head}:{}", &hash[..16])]);
    assert_eq!(run.code, 0, "the pristine case holds the noted head (16-digit prefix)\n{}", run.describe());
    let bad = ws.spoor(&args!["verify", pristine, "--expect-head", "twelve"]);
    assert_eq!(bad.code, 2, "{}", bad.describe());

    let vr = ws.spoor(&args!["verify-report", case, ws.path("report.html")]);
    println!("verify-report of the genuine report against the cut case: exit {}", vr.code);
    assert_eq!(vr.code, 1, "the genuine report is disowned by the cut case\n{}", vr.describe());
}

/// Each line of the anchor ledger holds the hash of the line before it: a
/// line edited or removed (anywhere but at the very end) is named, so the
/// ledger cannot be quietly trimmed to match a cut case. A case whose
/// heads are all in the ledger but which was rewritten from some entry on
/// (cut, then written to again) is named too.
#[test]
fn an_edited_anchor_ledger_is_named() {
    let ws = Workspace::new();
    let pristine = build_case(&ws);
    let ledger = fs::read_to_string(ws.anchors()).expect("the ledger");
    let lines: Vec<&str> = ledger.lines().collect();
    assert!(lines.len() > 10, "{} lines", lines.len());
    let (run, report) = verify_against(&ws, &pristine, &ws.anchors(), &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(report["anchors"]["ledger_lines"], lines.len() as u64);

    let mid = lines.len() / 2;
    let edit = |f: &dyn Fn(&mut Vec<String>)| {
        let mut l: Vec<String> = lines.iter().map(|x| x.to_string()).collect();
        f(&mut l);
        l.join("\n") + "\n"
    };
    let variants: Vec<(&str, String)> = vec![
        ("a line's head changed", edit(&|l| l[mid] = l[mid].replacen("\"seq\":", "\"seq\":1", 1))),
        ("a line removed", edit(&|l| {
            l.remove(mid);
        })),
        ("two lines swapped", edit(&|l| l.swap(mid, mid + 1))),
        ("the first line removed", edit(&|l| {
            l.remove(0);
        })),
        ("a line inserted", edit(&|l| {
            let copy = l[mid].clone();
            l.insert(mid, copy);
        })),
    ];
    let mut missed = Vec::new();
    for (what, text) in variants {
        let edited = ws.path("edited.jsonl");
        fs::write(&edited, text).expect("write");
        let (run, report) = verify_against(&ws, &pristine, &edited, &[]);
        let found = messages(&report);
        println!("{what}: exit {}; {:?}", run.code, found.first());
        if run.code != 1 || !found.iter().any(|m| m.starts_with("\"anchors\"") && m.contains("was edited")) {
            missed.push(format!("{what}: exit {} {found:?}", run.code));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));

    // Cut, then written to again: the new entry has the old one's number.
    let head = report["head_seq"].as_i64().expect("head");
    let case = cut_tail(&ws, &pristine, head);
    ws.spoor(&args!["evidence", "add", case, "--id", "ITEM-003", "--path", ws.path("item2")]).ok();
    let (run, report) = verify_against(&ws, &case, &ws.anchors(), &[]);
    let found = messages(&report);
    println!("cut and written to again: exit {}; {found:?}", run.code);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(found.iter().any(|m| m.contains(&format!("entry {head} has hash")) && m.contains("rewritten")), "{found:?}");
}

/// A case verified where its ledger is not (another machine, a colleague's
/// account) still verifies, and says that no anchor was found.
#[test]
fn a_case_verified_without_its_ledger_verifies_with_a_note() {
    let ws = Workspace::new();
    let (_, case) = ws.fixture_case(false);
    ws.scan_completed(&case, &[]);
    // Another machine's ledger: other cases only.
    let other = Workspace::new();
    let (_, _other_case) = other.fixture_case(false);
    let (run, report) = verify_against(&ws, &case, &other.anchors(), &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(report["anchors"]["case_anchors"], 0);
    assert!(report["anchors"]["notes"].to_string().contains("no anchor was found"), "{report}");
    let text = ws.command(&args!["verify", case]).env("SPOOR_ANCHORS", ws.path("none/anchors.jsonl")).output().expect("run spoor");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("INTACT") && text.contains("note: no anchor ledger at"), "{text}");
    // A ledger this account cannot read (here a folder where the file
    // should be) is the same: not a sign that the case changed.
    std::fs::create_dir_all(ws.path("folder/anchors.jsonl")).expect("mkdir");
    let (run, report) = verify_against(&ws, &case, &ws.path("folder/anchors.jsonl"), &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(report["anchors"]["ledger_found"], false, "{report}");
    assert!(report["anchors"]["notes"].to_string().contains("cannot be read"), "{report}");
    // With its own ledger every head is confirmed.
    let (run, report) = verify_against(&ws, &case, &ws.anchors(), &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(report["anchors"]["confirmed"].as_u64().unwrap_or(0) >= 3, "{report}");
    assert_eq!(report["anchors"]["confirmed"], report["anchors"]["case_anchors"]);
}

#[test]
fn truncated_case_files_fail_verification_without_a_crash() {
    let ws = Workspace::new();
    let pristine = build_case(&ws);
    let bytes = fs::read(&pristine).expect("read the case");
    let page: usize = sql_lines(&pristine, "PRAGMA page_size")[0].parse().expect("page size");
    let len = bytes.len();
    assert!(len > 8 * page, "the case is {len} bytes");
    // (what, length, expected exit): 2 = no longer recognisable as a Spoor
    // case (nothing, or too little of the header to read the application
    // id at bytes 68..72); 1 = recognisable and damaged.
    let cuts: Vec<(String, usize, i32)> = vec![
        ("to zero bytes".into(), 0, 2),
        ("to 10 bytes (inside the SQLite magic)".into(), 10, 2),
        ("to 50 bytes (magic, no application id)".into(), 50, 2),
        ("to 100 bytes (the SQLite header only)".into(), 100, 1),
        ("to 1,000 bytes".into(), 1000, 1),
        ("to one page".into(), page, 1),
        ("to two pages".into(), 2 * page, 1),
        ("to half".into(), len / 2, 1),
        ("to half, on a page boundary".into(), len / 2 / page * page, 1),
        ("by one page".into(), len - page, 1),
        ("by one byte".into(), len - 1, 1),
    ];
    let mut wrong = Vec::new();
    for (what, cut, want) in &cuts {
        let case = ws.path("truncated.spoor");
        fs::write(&case, &bytes[..*cut]).expect("write");
        let (run, _) = verify(&ws, &case);
        // Exit 2 names the file in its message; exit 1 names the file or
        // lists what no longer matches.
        let named = run.stdout.contains("truncated.spoor")
            || run.stderr.contains("truncated.spoor")
            || serde_json::from_str::<Value>(&run.stdout).is_ok_and(|r| r["problems"].as_array().is_some_and(|p| !p.is_empty()));
        let said = format!("{}{}", run.stdout, run.stderr);
        println!("truncated {what}: exit {} — {}", run.code, said.lines().find(|l| l.contains("truncated.spoor")).unwrap_or("").trim());
        if run.code != *want || !named || said.contains("panicked") {
            wrong.push(format!("truncated {what} ({cut} bytes): want exit {want} naming the file\n{}", run.describe()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
