//! Bad input is refused with exit status 2 and a message that names the
//! problem, and it changes nothing: not the case, not the library, not a
//! file that is not a case. A tampered case fails verification (exit 1).

#[macro_use]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The commands that open a case, each with the case path in it.
fn case_commands(case: &Path, evidence: &Path) -> Vec<Vec<std::ffi::OsString>> {
    vec![
        args!["case", "show", case],
        args!["hits", case, "--json"],
        args!["warnings", case],
        args!["scan", case],
        args!["evidence", "add", case, "--id", "ITEM-009", "--path", evidence],
    ]
}

/// The SHA-256 of the file's bytes and which `-wal`/`-shm`/`-journal`
/// files sit beside it.
fn snapshot(path: &Path) -> (String, Vec<String>) {
    let bytes = sha256_hex(&fs::read(path).expect("read the file"));
    let beside = ["-wal", "-shm", "-journal"]
        .iter()
        .filter(|s| Path::new(&format!("{}{s}", path.display())).exists())
        .map(|s| (*s).to_string())
        .collect();
    (bytes, beside)
}

#[test]
fn evidence_add_with_a_missing_path_names_it_and_changes_nothing() {
    let ws = Workspace::new();
    let case = ws.path("case.spoor");
    ws.spoor(&args!["case", "init", case, "--number", "2026-0042", "--examiner", "A. de Vries"]).ok();
    let before = snapshot(&case);
    let missing = ws.path("mnt/item1-not-mounted");
    let run = ws.spoor(&args!["evidence", "add", case, "--id", ITEM, "--path", missing]);
    run.expect_code(2);
    assert!(run.stderr.contains(&missing.display().to_string()), "the message names the path\n{}", run.describe());
    assert_eq!(snapshot(&case), before, "the case file changed");
    ws.verify_intact(&case);
    let list = ws.spoor(&args!["evidence", "list", case, "--json"]);
    list.ok();
    assert_eq!(list.json(), serde_json::json!([]), "{}", list.describe());
}

/// The reason of an I/O error appears once, not once per layer of the
/// error chain.
#[test]
fn a_missing_evidence_path_error_says_its_reason_once() {
    let ws = Workspace::new();
    let case = ws.path("case.spoor");
    ws.spoor(&args!["case", "init", case, "--number", "2026-0042", "--examiner", "A. de Vries"]).ok();
    let run = ws.spoor(&args!["evidence", "add", case, "--id", ITEM, "--path", ws.path("absent")]);
    run.expect_code(2);
    assert_eq!(run.stderr.matches("No such file or directory").count(), 1, "the reason is repeated\n{}", run.describe());
}

#[test]
fn a_file_that_is_not_a_case_is_refused_and_left_alone() {
    let ws = Workspace::new();
    let evidence = ws.path("evidence");
    fs::create_dir_all(&evidence).expect("mkdir");
    let text = ws.path("notes.txt");
    fs::write(&text, "This is not a case file.\n").expect("write");
    let other_app = ws.path("other-app.sqlite");
    {
        let conn = rusqlite::Connection::open(&other_app).expect("create another app's database");
        conn.execute_batch(
            "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts (name) VALUES ('Alex');",
        )
        .expect("fill it");
    }
    let missing = ws.spoor(&args!["verify", ws.path("missing.spoor")]);
    missing.expect_code(2);
    assert!(missing.stderr.contains("missing.spoor"), "{}", missing.describe());
    for file in [&text, &other_app] {
        let before = snapshot(file);
        for args in case_commands(file, &evidence) {
            let run = ws.spoor(&args);
            run.expect_code(2);
            assert!(run.stderr.contains("not a Spoor case"), "{}", run.describe());
            assert_eq!(snapshot(file), before, "{} was changed by spoor {args:?}", file.display());
        }
        // Not a case is an input error (2), not a failed verification (1).
        let run = ws.spoor(&args!["verify", file]);
        run.expect_code(2);
        assert!(run.stderr.contains("not a Spoor case"), "{}", run.describe());
    }
}

#[test]
fn a_case_of_a_newer_format_is_refused() {
    let ws = Workspace::new();
    let evidence = ws.path("evidence");
    fs::create_dir_all(&evidence).expect("mkdir");
    let case = ws.new_case("case.spoor", &evidence);
    {
        let conn = rusqlite::Connection::open(&case).expect("open the case with SQLite");
        conn.pragma_update(None, "user_version", 99).expect("set user_version");
    }
    // The bytes only: SQLite may leave an empty -wal/-shm pair beside a
    // WAL-mode database that a reader opened.
    let before = snapshot(&case).0;
    for args in case_commands(&case, &evidence) {
        let run = ws.spoor(&args);
        run.expect_code(2);
        assert!(run.stderr.contains("newer"), "{}", run.describe());
        assert_eq!(snapshot(&case).0, before, "the case was changed by spoor {args:?}");
    }
    let run = ws.spoor(&args!["verify", &case]);
    run.expect_code(2);
    assert!(run.stderr.contains("newer"), "{}", run.describe());
}

#[test]
fn a_hash_list_with_a_bad_line_is_refused_whole() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    ws.import_lists(&manifest);
    let list = || {
        let run = ws.spoor(&args!["hashset", "list", "--json"]);
        run.ok();
        run.json()
    };
    let before = list();
    assert_eq!(before.as_array().map(Vec::len), Some(LISTS.len()));
    let bad = manifest.hashset("bad-lines.md5").expect("bad-lines.md5");
    assert_eq!(bad.malformed_line, Some(4));
    let run = ws.spoor(&args![
        "hashset",
        "import",
        manifest.hashsets_dir.join("bad-lines.md5"),
        "--name",
        "Bad lines",
        "--kind",
        "alert"
    ]);
    run.expect_code(2);
    assert!(run.stderr.contains("line 4"), "{}", run.describe());
    assert_eq!(list(), before, "a refused import changed the library");
}

#[test]
fn case_init_never_overwrites() {
    let ws = Workspace::new();
    let existing = ws.path("report.spoor");
    fs::write(&existing, "an examiner's notes, not a case\n").expect("write");
    let init = |path: &PathBuf| ws.spoor(&args!["case", "init", path, "--number", "2026-0042", "--examiner", "A. de Vries"]);
    let run = init(&existing);
    run.expect_code(2);
    assert!(run.stderr.contains("already exists"), "{}", run.describe());
    assert_eq!(fs::read_to_string(&existing).expect("read"), "an examiner's notes, not a case\n");

    let case = ws.path("case.spoor");
    init(&case).ok();
    let before = snapshot(&case);
    init(&case).expect_code(2);
    assert_eq!(snapshot(&case), before, "case init over an existing case changed it");
    ws.verify_intact(&case);
}

#[test]
fn hash_refuses_a_fifo_without_opening_it() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    let fifo = manifest.evidence_path(b"tmp/spoor.fifo");
    // Nobody writes to the FIFO: opening it to read would block for ever.
    let run = ws.spoor(&args!["hash", fifo, "--json"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "", "{}", run.describe());
    assert!(run.stderr.contains("spoor.fifo") && run.stderr.contains("not opened"), "{}", run.describe());

    // One bad argument does not hide the others' results.
    let jpeg = manifest.evidence_path(b"DCIM/100CAMERA/IMG_0001.JPG");
    let run = ws.spoor(&args!["hash", jpeg, fifo, "--json"]);
    run.expect_code(2);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.describe());
}

#[test]
fn hash_prints_one_json_line_per_file_with_type_and_digests() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    let cases: &[(&[u8], &str, bool)] = &[
        (b"DCIM/100CAMERA/IMG_0001.JPG", "image/jpeg", false),
        (b"Users/alex/Downloads/photo.jpg", "image/png", true),
        (b"Users/alex/Documents/report.dat", "image/jpeg", true),
    ];
    let paths: Vec<PathBuf> = cases.iter().map(|(p, _, _)| manifest.evidence_path(p)).collect();
    let mut args = args!["hash"];
    args.extend(paths.iter().map(|p| p.clone().into_os_string()));
    args.extend(args!["--json"]);
    let run = ws.spoor(&args);
    run.ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), cases.len(), "{}", run.describe());
    // A name that is not UTF-8 is shown with its byte escaped.
    let cafe = manifest.file(b"Users/alex/Pictures/caf\xe9.jpg").expect("caf\\xe9.jpg");
    let run_cafe = ws.spoor(&args!["hash", manifest.evidence_path(&cafe.path), "--json"]);
    run_cafe.ok();
    let v = run_cafe.json();
    assert!(v["path"].as_str().unwrap_or_default().ends_with("/Users/alex/Pictures/caf\\xe9.jpg"), "{v}");
    assert_eq!(v["md5"], cafe.md5.as_str(), "{v}");
    for ((rel, mime, mismatch), (line, path)) in cases.iter().zip(lines.iter().zip(&paths)) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        let file = manifest.file(rel).expect("in the manifest");
        assert_eq!(v["path"], path.display().to_string().as_str(), "{v}");
        assert_eq!(v["size"], file.size, "{v}");
        assert_eq!(v["type"], *mime, "{v}");
        assert_eq!(v["md5"], file.md5.as_str(), "{v}");
        assert_eq!(v["sha1"], file.sha1.as_str(), "{v}");
        assert_eq!(v["sha256"], file.sha256.as_str(), "{v}");
        assert_eq!(v["extension_mismatch"], *mismatch, "{v}");
        for (field, len) in [("md5", 32), ("sha1", 40), ("sha256", 64)] {
            assert!(is_lower_hex(v[field].as_str().unwrap_or_default(), len), "{v}");
        }
    }
}

#[test]
fn verify_names_a_tampered_row() {
    let ws = Workspace::new();
    let (_manifest, case) = ws.fixture_case(false);
    ws.scan_completed(&case, &[]);
    ws.verify_intact(&case);
    {
        let conn = rusqlite::Connection::open(&case).expect("open the case with SQLite");
        let changed = conn.execute("UPDATE files SET size = size + 1 WHERE id = 3", []).expect("tamper");
        assert_eq!(changed, 1);
    }
    let run = ws.spoor(&args!["verify", case]);
    run.expect_code(1);
    assert!(run.stdout.contains("VERIFICATION FAILED"), "{}", run.describe());
    assert!(run.stdout.contains("files row 3"), "{}", run.describe());
    let json = ws.spoor(&args!["verify", case, "--json"]);
    json.expect_code(1);
    let report = json.json();
    assert_eq!(report["intact"], false);
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    assert!(problems.iter().any(|p| p["table"] == "files" && p["row"] == 3), "{report:#}");
}

/// `spoor hits CASE | head -1`: a reader that stops early closes the pipe.
/// That is no crash and no error: no panic, no message, exit 0 (or death
/// by SIGPIPE, as `head`'s other writers do), never Rust's 101 or 2.
#[test]
fn a_closed_stdout_is_not_a_crash() {
    let ws = Workspace::new();
    let (_manifest, case) = ws.fixture_case(false);
    ws.scan_completed(&case, &[]);
    let mut crashed = Vec::new();
    for args in [args!["hits", case], args!["verify", case], args!["warnings", case], args!["hits", case, "--json"]] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        // The reader is gone before spoor writes its first byte.
        drop(reader);
        let out = ws.command(&args).stdout(writer).output().expect("run spoor");
        let code = exit_code(out.status);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("panicked") || stderr.contains("error") || ![0, 141].contains(&code) {
            let first = stderr.lines().take(3).collect::<Vec<_>>().join(" | ");
            crashed.push(format!("spoor {}: exit status {code}: {first}", args[0].to_string_lossy()));
        }
    }
    assert!(crashed.is_empty(), "with a closed stdout:\n{}", crashed.join("\n"));
}

#[test]
fn evidence_add_refuses_a_file_and_a_duplicate_id() {
    let ws = Workspace::new();
    let evidence = ws.path("evidence");
    fs::create_dir_all(&evidence).expect("mkdir");
    let case = ws.new_case("case.spoor", &evidence);
    let file = ws.path("disk.img");
    fs::write(&file, b"not a folder").expect("write");
    let run = ws.spoor(&args!["evidence", "add", case, "--id", "ITEM-002", "--path", file]);
    run.expect_code(2);
    assert!(run.stderr.contains("not a folder"), "{}", run.describe());
    let run = ws.spoor(&args!["evidence", "add", case, "--id", ITEM, "--path", evidence]);
    run.expect_code(2);
    assert!(run.stderr.contains(ITEM) && run.stderr.contains("already exists"), "{}", run.describe());
    let bad_hash =
        ws.spoor(&args!["evidence", "add", case, "--id", "ITEM-003", "--path", evidence, "--acquisition-hash", "sha256:1234"]);
    bad_hash.expect_code(2);
    assert!(bad_hash.stderr.contains("sha256"), "{}", bad_hash.describe());
    let list = ws.spoor(&args!["evidence", "list", case, "--json"]);
    list.ok();
    assert_eq!(list.json().as_array().map(Vec::len), Some(1), "{}", list.describe());
    ws.verify_intact(&case);
}
