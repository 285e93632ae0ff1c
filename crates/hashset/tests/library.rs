//! Library-level tests: each gets a fresh temporary folder holding the
//! sources and the library.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use spoor_hashset::{
    DigestKind, Error, ExactMatch, Format, ImportOptions, Library, SetInfo, SetKind, detect_format,
};
use tempfile::TempDir;

const ABC_MD5: &str = "900150983cd24fb0d6963f7d28e17f72";
const ABC_SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/// A fresh folder with a library inside it and room for source files.
struct Harness {
    dir: TempDir,
    library: Library,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let library = Library::open(&dir.path().join("library")).expect("open library");
        Harness { dir, library }
    }

    fn source(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, content).expect("write source");
        path
    }

    fn import(
        &self,
        name: &str,
        version: Option<&str>,
        source: &Path,
    ) -> spoor_hashset::Result<SetInfo> {
        self.library.import(source, &opts(name, version, None))
    }

    fn lookup_all(&self, md5: &str, sha1: &str, sha256: &str) -> Vec<ExactMatch> {
        self.library
            .load(&[])
            .expect("load")
            .lookup(&bytes(md5), &bytes(sha1), &bytes(sha256))
            .expect("lookup")
    }

    /// Entries of the library root other than `sets` and the lock file.
    fn stray_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.library.root())
            .expect("read root")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "sets" && n != ".lock")
            .collect();
        names.sort();
        names
    }
}

fn opts(name: &str, version: Option<&str>, format: Option<Format>) -> ImportOptions {
    ImportOptions {
        name: name.to_string(),
        version: version.map(str::to_string),
        kind: SetKind::Alert,
        format,
        ..ImportOptions::default()
    }
}

fn bytes<const N: usize>(hex_text: &str) -> [u8; N] {
    let mut out = [0u8; N];
    if !hex_text.is_empty() {
        hex::decode_to_slice(hex_text, &mut out).expect("test hex");
    }
    out
}

/// A digest of `width` bytes that is all `byte`, as hex.
fn filled(byte: u8, width: usize) -> String {
    hex::encode(vec![byte; width])
}

fn summary(matches: &[ExactMatch]) -> Vec<(usize, DigestKind, u64, Option<String>)> {
    matches
        .iter()
        .map(|m| (m.set, m.method, m.record.line, m.record.name.clone()))
        .collect()
}

#[test]
fn md5sum_import_and_lookup() {
    let h = Harness::new();
    let content = format!(
        "# known\n{ABC_MD5}  abc.txt\n{}  other.bin\n",
        filled(7, 16)
    );
    let source = h.source("known.md5", &content);
    let info = h.import("Known", Some("1"), &source).expect("import");

    assert_eq!(info.format, Format::Md5sum);
    assert_eq!(info.record_count, 2);
    assert_eq!(info.digest_counts.get(&DigestKind::Md5), Some(&2));
    assert_eq!(info.digest_counts.len(), 1);
    assert_eq!(info.source_name, "known.md5");
    assert_eq!(
        info.source_sha256,
        hex::encode(Sha256::digest(content.as_bytes()))
    );
    assert_eq!(info.id, format!("known-1-{}", &info.source_sha256[..8]));
    assert_eq!(info.format_version, 2);
    assert_eq!(info.importer_version, "spoor-hashset 0.1.0 md5sum");
    assert_eq!(info.profile, None);
    assert_eq!(info.kind, SetKind::Alert);
    assert!(info.imported_utc.ends_with('Z') && info.imported_utc.len() == 20);

    let set_dir = h.library.root().join("sets").join(&info.id);
    for file in [
        "manifest.json",
        "md5.idx",
        "records.jsonl",
        "records.off",
        "records.sum",
        "conflicts.jsonl",
    ] {
        assert!(set_dir.join(file).is_file(), "{file} missing");
    }
    assert!(!set_dir.join("sha1.idx").exists());

    let hits = h.lookup_all(ABC_MD5, ABC_SHA1, ABC_SHA256);
    assert_eq!(
        summary(&hits),
        vec![(0, DigestKind::Md5, 2, Some("abc.txt".into()))]
    );
    assert_eq!(hits[0].record.md5.as_deref(), Some(ABC_MD5));
    assert_eq!(hits[0].record.sha1, None);

    let other = h.lookup_all(&filled(7, 16), "", "");
    assert_eq!(
        summary(&other),
        vec![(0, DigestKind::Md5, 3, Some("other.bin".into()))]
    );

    assert!(
        h.lookup_all(&filled(8, 16), ABC_SHA1, ABC_SHA256)
            .is_empty()
    );
    assert!(h.lookup_all("", "", "").is_empty());
}

#[test]
fn sha1sum_and_sha256sum_import() {
    let h = Harness::new();
    let sha1 = h.source("list.sha1", format!("{ABC_SHA1}  abc\n"));
    let sha256 = h.source(
        "list.sha256",
        format!("{ABC_SHA256}  abc\n{}\n", filled(1, 32)),
    );
    let a = h.import("A", None, &sha1).expect("sha1 import");
    let b = h.import("B", None, &sha256).expect("sha256 import");
    assert_eq!(a.format, Format::Sha1sum);
    assert_eq!(b.format, Format::Sha256sum);
    assert_eq!(b.digest_counts.get(&DigestKind::Sha256), Some(&2));

    let hits = h.lookup_all(ABC_MD5, ABC_SHA1, ABC_SHA256);
    assert_eq!(
        summary(&hits),
        vec![
            (0, DigestKind::Sha1, 1, Some("abc".into())),
            (1, DigestKind::Sha256, 1, Some("abc".into())),
        ]
    );
    let bare = h.lookup_all("", "", &filled(1, 32));
    assert_eq!(summary(&bare), vec![(1, DigestKind::Sha256, 2, None)]);
    // A sha1 digest never matches through another kind's table.
    assert!(
        h.lookup_all("", ABC_SHA256.get(..40).unwrap_or(""), "")
            .is_empty()
    );
}

#[test]
fn upper_case_hex_is_stored_lower_case() {
    let h = Harness::new();
    let source = h.source(
        "upper.md5",
        format!("{}  ABC.TXT\n", ABC_MD5.to_uppercase()),
    );
    h.import("Upper", None, &source).expect("import");
    let hits = h.lookup_all(ABC_MD5, "", "");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.md5.as_deref(), Some(ABC_MD5));
    assert_eq!(hits[0].record.name.as_deref(), Some("ABC.TXT"));
}

#[test]
fn bom_and_crlf_are_tolerated() {
    let h = Harness::new();
    let content = format!(
        "\u{feff}{ABC_SHA1}  abc.txt\r\n\r\n{}  two\r\n",
        filled(2, 20)
    );
    let source = h.source("windows.sha1", &content);
    let info = h.import("Windows", None, &source).expect("import");
    assert_eq!(info.format, Format::Sha1sum);
    assert_eq!(info.record_count, 2);
    // The source hash covers the file as it is, BOM included.
    assert_eq!(
        info.source_sha256,
        hex::encode(Sha256::digest(content.as_bytes()))
    );

    let hits = h.lookup_all("", ABC_SHA1, "");
    assert_eq!(
        summary(&hits),
        vec![(0, DigestKind::Sha1, 1, Some("abc.txt".into()))]
    );
    let hits = h.lookup_all("", &filled(2, 20), "");
    assert_eq!(
        summary(&hits),
        vec![(0, DigestKind::Sha1, 3, Some("two".into()))]
    );
}

#[test]
fn binary_mode_names_lose_the_star() {
    let h = Harness::new();
    let source = h.source("bin.sha256", format!("{ABC_SHA256} *setup.exe\n"));
    h.import("Bin", None, &source).expect("import");
    let hits = h.lookup_all("", "", ABC_SHA256);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.name.as_deref(), Some("setup.exe"));
}

#[test]
fn csv_with_quotes_category_and_extra_columns() {
    let h = Harness::new();
    let content = format!(
        "FileName,MD5,SHA-1,SHA256,Category,Source,Comment\n\
         \"holiday, 2019.jpg\",{ABC_MD5},,,1,\"Case \"\"A\"\"\",\"x, y\"\n\
         plain.doc,,{},,,Case B,\n",
        filled(3, 20).to_uppercase()
    );
    let source = h.source("list.csv", &content);
    let info = h.import("Csv", None, &source).expect("import");
    assert_eq!(info.format, Format::Csv);
    assert_eq!(info.record_count, 2);
    assert_eq!(info.digest_counts.get(&DigestKind::Md5), Some(&1));
    assert_eq!(info.digest_counts.get(&DigestKind::Sha1), Some(&1));
    assert_eq!(info.digest_counts.get(&DigestKind::Sha256), None);

    let hits = h.lookup_all(ABC_MD5, ABC_SHA1, ABC_SHA256);
    assert_eq!(hits.len(), 1);
    let record = &hits[0].record;
    assert_eq!(hits[0].method, DigestKind::Md5);
    assert_eq!(record.line, 2);
    assert_eq!(record.name.as_deref(), Some("holiday, 2019.jpg"));
    assert_eq!(record.category.as_deref(), Some("1"));
    assert_eq!(record.extra.len(), 2);
    assert_eq!(
        record.extra.get("Source").map(String::as_str),
        Some("Case \"A\"")
    );
    assert_eq!(
        record.extra.get("Comment").map(String::as_str),
        Some("x, y")
    );

    let hits = h.lookup_all("", &filled(3, 20), "");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.line, 3);
    assert_eq!(hits[0].record.sha1.as_deref(), Some(filled(3, 20).as_str()));
    assert_eq!(hits[0].record.md5, None);
    assert_eq!(hits[0].record.category, None);
    assert_eq!(
        hits[0].record.extra.get("Comment").map(String::as_str),
        Some("")
    );
}

#[test]
fn csv_header_without_hash_column_is_refused() {
    let h = Harness::new();
    let source = h.source("nohash.csv", "name,size\na,1\n");
    let err = h
        .library
        .import(&source, &opts("X", None, Some(Format::Csv)))
        .expect_err("no hash column");
    assert!(
        err.to_string()
            .contains("line 1: the header names no hash column"),
        "{err}"
    );
    assert!(err.to_string().contains("name,size"), "{err}");
    // Auto-detection does not take it for CSV either.
    let err = h.import("X", None, &source).expect_err("undetectable");
    assert!(matches!(err, Error::UndetectableFormat { .. }), "{err:?}");
}

#[test]
fn duplicate_digests_merge_into_one_record() {
    let h = Harness::new();
    let source = h.source(
        "dups.md5",
        format!(
            "{ABC_MD5}  first\n{}  between\n{ABC_MD5}  second\n{ABC_MD5}  first\n",
            filled(9, 16)
        ),
    );
    let (info, report) = h
        .library
        .import_with_report(&source, &opts("Dups", None, None))
        .expect("import");
    assert_eq!(info.record_count, 2);
    assert_eq!(info.duplicates_merged, 2);
    assert_eq!(report.duplicates_merged, 2);
    assert!(report.conflicts.is_empty());
    let hits = h.lookup_all(ABC_MD5, "", "");
    assert_eq!(
        summary(&hits),
        vec![(0, DigestKind::Md5, 1, Some("first".into()))]
    );
    assert_eq!(hits[0].record.other_names, vec!["second".to_string()]);
    assert_eq!(hits[0].record.merged, 2);
}

#[test]
fn conflicting_categories_are_reported_and_kept() {
    let h = Harness::new();
    let other = filled(4, 20);
    let source = h.source(
        "conflict.csv",
        format!(
            "md5,sha1,category,name\n{ABC_MD5},{ABC_SHA1},1,a.jpg\n{ABC_MD5},{other},2,x\n\
             {ABC_MD5},{ABC_SHA1},2,b.jpg\n{ABC_MD5},{ABC_SHA1},,c.jpg\n{ABC_MD5},{ABC_SHA1},1,a.jpg\n"
        ),
    );
    let (info, report) = h
        .library
        .import_with_report(&source, &opts("Conflicts", None, None))
        .expect("import");
    assert_eq!(info.record_count, 2, "same md5, another sha1: a record of its own");
    assert_eq!(report.duplicates_merged, 3);
    assert_eq!(info.conflict_count, 1);
    assert_eq!(
        report.conflicts,
        vec![spoor_hashset::Conflict {
            digest: format!("sha1:{ABC_SHA1}"),
            categories: vec!["1".into(), "2".into()],
            lines: vec![2, 4, 5, 6],
        }]
    );
    assert_eq!(
        h.library.conflicts("Conflicts", None).expect("stored"),
        report.conflicts
    );
    let hits = h.lookup_all(ABC_MD5, ABC_SHA1, "");
    assert_eq!(hits.len(), 2);
    let merged = &hits[0].record;
    assert_eq!((hits[0].method, merged.line), (DigestKind::Sha1, 2));
    assert_eq!(merged.category.as_deref(), Some("1"));
    assert_eq!(merged.other_categories, vec!["2".to_string()]);
    assert_eq!(merged.name.as_deref(), Some("a.jpg"));
    assert_eq!(merged.other_names, vec!["b.jpg".to_string(), "c.jpg".to_string()]);
    assert_eq!((hits[1].method, hits[1].record.line), (DigestKind::Md5, 3));
}

#[test]
fn a_record_matching_by_several_digests_is_reported_once_with_the_strongest() {
    let h = Harness::new();
    let source = h.source(
        "both.csv",
        format!(
            "md5,sha1,sha256,name\n{ABC_MD5},{ABC_SHA1},,abc\n{ABC_MD5},,,md5 only\n\
             ,{ABC_SHA1},{ABC_SHA256},strong\n"
        ),
    );
    h.import("Both", None, &source).expect("import");
    let hits = h.lookup_all(ABC_MD5, ABC_SHA1, ABC_SHA256);
    assert_eq!(
        summary(&hits),
        vec![
            (0, DigestKind::Sha1, 2, Some("abc".into())),
            (0, DigestKind::Md5, 3, Some("md5 only".into())),
            (0, DigestKind::Sha256, 4, Some("strong".into())),
        ]
    );
    // With only the md5 agreeing, the first record matches by md5.
    let hits = h.lookup_all(ABC_MD5, "", "");
    assert_eq!(
        hits.iter()
            .map(|m| (m.record.line, m.method))
            .collect::<Vec<_>>(),
        vec![(2, DigestKind::Md5), (3, DigestKind::Md5)]
    );
}

#[test]
fn malformed_line_aborts_the_import_and_leaves_nothing() {
    let h = Harness::new();
    let existing = h.source("ok.md5", format!("{ABC_MD5}  ok\n"));
    h.import("Existing", None, &existing).expect("import");

    let mut content = String::from("# comment\n\n");
    for i in 0..4 {
        content.push_str(&format!("{}  f{i}\n", filled(i, 16)));
    }
    content.push_str("not-a-digest  f7\n");
    content.push_str(&format!("{}  f8\n", filled(8, 16)));
    let source = h.source("known.md5", &content);
    let err = h
        .import("Broken", None, &source)
        .expect_err("line 7 is bad");
    assert!(matches!(err, Error::Parse { line: 7, .. }), "{err:?}");
    assert!(err.to_string().contains("line 7"), "{err}");
    assert!(
        err.to_string()
            .contains("not a hexadecimal digest: \"not-a-digest\""),
        "{err}"
    );
    assert!(err.to_string().contains("known.md5"), "{err}");

    let names: Vec<String> = h
        .library
        .list()
        .expect("list")
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, vec!["Existing"]);
    assert_eq!(
        h.stray_entries(),
        Vec::<String>::new(),
        "temp folder left behind"
    );
    assert_eq!(
        fs::read_dir(h.library.root().join("sets"))
            .expect("sets")
            .count(),
        1
    );

    // A wrong-width line in a forced format is refused the same way.
    let sha1 = h.source("forced.txt", format!("{ABC_SHA1}  x\n"));
    let err = h
        .library
        .import(&sha1, &opts("Forced", None, Some(Format::Md5sum)))
        .expect_err("40 digits in md5sum");
    assert!(
        err.to_string()
            .contains("line 1: md5 digest needs 32 hexadecimal digits, found 40"),
        "{err}"
    );
    assert_eq!(h.library.list().expect("list").len(), 1);
}

#[test]
fn duplicate_import_is_refused() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}\n"));
    h.import("NSRL", Some("2024.12"), &source)
        .expect("first import");
    let err = h
        .import("NSRL", Some("2024.12"), &source)
        .expect_err("second import");
    match &err {
        Error::AlreadyExists { name, version } => {
            assert_eq!(name, "NSRL");
            assert_eq!(version.as_deref(), Some("2024.12"));
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert!(err.to_string().contains("already imported"), "{err}");
    // Another version of the same source is a different set.
    let other = h
        .import("NSRL", Some("2025.03"), &source)
        .expect("new version");
    assert_ne!(other.id, h.library.list().expect("list")[0].id);
    assert_eq!(h.library.list().expect("list").len(), 2);
    assert_eq!(h.stray_entries(), Vec::<String>::new());
}

#[test]
fn remove_by_name_and_version() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}  a\n"));
    h.import("Solo", None, &source).expect("import");
    h.import("Multi", Some("1"), &source).expect("import");
    h.import("Multi", Some("2"), &source).expect("import");
    assert_eq!(h.lookup_all(ABC_MD5, "", "").len(), 3);

    let err = h.library.remove("Multi", None).expect_err("ambiguous");
    match &err {
        Error::Ambiguous { versions, .. } => assert_eq!(versions, &["1", "2"]),
        other => panic!("expected Ambiguous, got {other:?}"),
    }

    let removed = h.library.remove("Multi", Some("1")).expect("remove v1");
    assert_eq!(removed.version.as_deref(), Some("1"));
    assert!(!h.library.root().join("sets").join(&removed.id).exists());
    let removed = h.library.remove("Multi", None).expect("now unambiguous");
    assert_eq!(removed.version.as_deref(), Some("2"));
    h.library.remove("Solo", None).expect("remove solo");

    assert!(h.library.list().expect("list").is_empty());
    assert!(h.lookup_all(ABC_MD5, "", "").is_empty());
    assert!(matches!(
        h.library.remove("Solo", None),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(h.stray_entries(), Vec::<String>::new());
    // The name can be imported again.
    h.import("Solo", None, &source).expect("re-import");
}

#[test]
fn list_is_sorted_by_name_then_version() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}\n"));
    for (name, version) in [
        ("b", Some("2")),
        ("a", Some("1")),
        ("b", None),
        ("b", Some("10")),
        ("A", None),
    ] {
        h.import(name, version, &source).expect("import");
    }
    let listed: Vec<(String, Option<String>)> = h
        .library
        .list()
        .expect("list")
        .into_iter()
        .map(|s| (s.name, s.version))
        .collect();
    let expected = vec![
        ("A".to_string(), None),
        ("a".to_string(), Some("1".to_string())),
        ("b".to_string(), None),
        ("b".to_string(), Some("10".to_string())),
        ("b".to_string(), Some("2".to_string())),
    ];
    assert_eq!(listed, expected);

    // The matcher keeps the same order: set indexes follow list().
    let matcher = h.library.load(&[]).expect("load");
    let names: Vec<&str> = matcher.sets().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["A", "a", "b", "b", "b"]);
    let hits = matcher
        .lookup(&bytes(ABC_MD5), &[0; 20], &[0; 32])
        .expect("lookup");
    assert_eq!(
        hits.iter().map(|m| m.set).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
}

#[test]
fn load_selects_sets_by_name_or_id() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}\n"));
    let alert = h.import("Alert", None, &source).expect("import");
    h.library
        .import(
            &source,
            &ImportOptions {
                kind: SetKind::Ignore,
                ..opts("Ignore", Some("1"), None)
            },
        )
        .expect("import");
    h.library
        .import(
            &source,
            &ImportOptions {
                kind: SetKind::Ignore,
                ..opts("Ignore", Some("2"), None)
            },
        )
        .expect("import");

    let only = h
        .library
        .load(&["Ignore".to_string()])
        .expect("load by name");
    assert_eq!(only.sets().len(), 2, "every version of a name");
    assert!(only.sets().iter().all(|s| s.kind == SetKind::Ignore));

    let by_id = h
        .library
        .load(&[alert.id.clone(), "Alert".to_string()])
        .expect("load by id");
    assert_eq!(by_id.sets(), std::slice::from_ref(&alert));

    let err = h.library.load(&["Nope".to_string()]).expect_err("unknown");
    assert!(
        matches!(&err, Error::NotFound { name, .. } if name == "Nope"),
        "{err:?}"
    );
}

#[test]
fn corrupt_index_header_fails_the_load() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}\n"));
    let info = h.import("Set", None, &source).expect("import");
    let idx = h.library.root().join("sets").join(&info.id).join("md5.idx");
    let mut data = fs::read(&idx).expect("read idx");
    assert_eq!(&data[..8], b"SPOORIDX");
    data[..8].copy_from_slice(b"GARBAGE!");
    fs::write(&idx, &data).expect("write idx");

    let err = h.library.load(&[]).expect_err("bad magic");
    match &err {
        Error::Corrupt { path, reason } => {
            assert_eq!(path, &idx);
            assert!(reason.contains("bad magic"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }

    // A truncated offsets file is caught too.
    data[..8].copy_from_slice(b"SPOORIDX");
    fs::write(&idx, &data).expect("restore idx");
    assert!(h.library.load(&[]).is_ok());
    let off = h
        .library
        .root()
        .join("sets")
        .join(&info.id)
        .join("records.off");
    fs::write(&off, [0u8; 3]).expect("truncate");
    assert!(matches!(h.library.load(&[]), Err(Error::Corrupt { .. })));
}

#[test]
fn corrupt_manifest_version_fails_the_load() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}\n"));
    let info = h.import("Set", None, &source).expect("import");
    let manifest = h
        .library
        .root()
        .join("sets")
        .join(&info.id)
        .join("manifest.json");
    let text = fs::read_to_string(&manifest).expect("read");
    fs::write(
        &manifest,
        text.replace("\"format_version\": 2", "\"format_version\": 9"),
    )
    .expect("write");
    let err = h.library.load(&[]).expect_err("future layout");
    assert!(err.to_string().contains("layout version 9"), "{err}");
}

#[test]
fn leftover_temp_folders_are_ignored_then_cleaned() {
    let h = Harness::new();
    let source = h.source("a.md5", format!("{ABC_MD5}\n"));
    h.import("Real", None, &source).expect("import");
    // What a crashed import leaves: a temp folder with partial files.
    let crashed = h.library.root().join(".tmp-crashed");
    fs::create_dir(&crashed).expect("mkdir");
    fs::write(crashed.join("records.jsonl"), b"{").expect("write");
    let hidden = h.library.root().join("sets").join(".partial");
    fs::create_dir(&hidden).expect("mkdir");

    assert_eq!(h.library.list().expect("list").len(), 1);
    assert_eq!(h.library.load(&[]).expect("load").sets().len(), 1);

    let reopened = Library::open(h.library.root()).expect("reopen");
    assert!(!crashed.exists(), "open removes leftovers");
    assert_eq!(reopened.list().expect("list").len(), 1);
}

#[test]
fn empty_and_undetectable_sources() {
    let h = Harness::new();
    let empty = h.source("empty.md5", "# nothing here\n\n");
    let err = h
        .library
        .import(&empty, &opts("Empty", None, Some(Format::Md5sum)))
        .expect_err("no records");
    assert!(matches!(err, Error::EmptySet { .. }), "{err:?}");
    let err = h
        .import("Empty", None, &empty)
        .expect_err("nothing to detect");
    assert!(matches!(err, Error::UndetectableFormat { .. }), "{err:?}");
    let header_only = h.source("header.csv", "md5,name\n");
    let err = h.import("Header", None, &header_only).expect_err("no rows");
    assert!(matches!(err, Error::EmptySet { .. }), "{err:?}");

    let missing = h.dir.path().join("missing.md5");
    match h.import("Missing", None, &missing) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected an I/O error naming the path, got {other:?}"),
    }
    let err = h.import("  ", None, &empty).expect_err("empty name");
    assert!(matches!(err, Error::InvalidOptions(_)), "{err:?}");
    assert!(h.library.list().expect("list").is_empty());
    assert_eq!(h.stray_entries(), Vec::<String>::new());
}

#[test]
fn detect_format_on_real_heads() {
    assert_eq!(
        detect_format(format!("{ABC_MD5}  a\n").as_bytes()),
        Some(Format::Md5sum)
    );
    assert_eq!(
        detect_format(format!("{ABC_SHA1} *a\n").as_bytes()),
        Some(Format::Sha1sum)
    );
    assert_eq!(
        detect_format(format!("\u{feff}{ABC_SHA256}\r\n").as_bytes()),
        Some(Format::Sha256sum)
    );
    assert_eq!(detect_format(b"Name,SHA-1,Category\n"), Some(Format::Csv));
    assert_eq!(detect_format(b"hello world\n"), None);
    assert_eq!(detect_format(b""), None);
}

#[test]
fn library_root_must_be_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    fs::write(&file, b"x").expect("write");
    let err = Library::open(&file).expect_err("a file is no library");
    assert!(
        matches!(err, Error::Library { .. } | Error::Io { .. }),
        "{err:?}"
    );
    let lib = Library::open(&dir.path().join("a").join("b")).expect("nested root is created");
    assert!(lib.root().join("sets").is_dir());
    assert!(Library::default_root().ends_with("spoor/library"));
}

#[test]
fn matcher_is_shared_across_threads() {
    let h = Harness::new();
    let mut content = String::new();
    for i in 0..=255u8 {
        content.push_str(&format!("{}  f{i}\n", filled(i, 16)));
    }
    let source = h.source("many.md5", &content);
    h.import("Many", None, &source).expect("import");
    let matcher = h.library.load(&[]).expect("load");
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            let matcher = &matcher;
            scope.spawn(move || {
                for i in (t..=255).step_by(4) {
                    let hits = matcher
                        .lookup(&[i; 16], &[0; 20], &[0; 32])
                        .expect("lookup");
                    assert_eq!(hits.len(), 1);
                    assert_eq!(hits[0].record.line, u64::from(i) + 1);
                }
            });
        }
    });
}
