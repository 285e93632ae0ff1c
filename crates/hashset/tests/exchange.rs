//! Export and round trips, large imports through the external sort,
//! atomic failure on a bad record deep in a file, and damaged sets.

use std::fs;
use std::path::{Path, PathBuf};

use spoor_hashset::{
    DigestKind, Error, Format, ImportOptions, Library, Record, SetInfo, SetKind,
};
use tempfile::TempDir;

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

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn import(&self, name: &str, source: &Path, sort_memory: usize) -> spoor_hashset::Result<SetInfo> {
        self.library.import(
            source,
            &ImportOptions {
                name: name.into(),
                kind: SetKind::Alert,
                sort_memory,
                ..ImportOptions::default()
            },
        )
    }

    fn export(&self, name: &str, format: Format) -> Vec<u8> {
        let mut out = Vec::new();
        self.library
            .export(name, None, format, &mut out)
            .expect("export");
        out
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

/// A deterministic digest of `n` bytes for record `i` of stream `salt`.
fn digest(i: u64, salt: u64, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_be_bytes());
    }
    out.truncate(n);
    out
}

/// A VICS 2.0 US file of `count` Media records; record `bad` (if any) has a
/// broken MD5. Every 1000th record repeats the one before it.
fn vics_file(count: u64, bad: Option<u64>) -> String {
    let mut text = String::from(
        "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media\",\"value\":[\n",
    );
    for i in 0..count {
        let j = if i % 1000 == 999 { i - 1 } else { i };
        let md5 = if Some(i) == bad {
            "NOT-A-DIGEST".to_string()
        } else {
            hex::encode(digest(j, 1, 16)).to_uppercase()
        };
        let sha1 = hex::encode(digest(j, 2, 20));
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "{{\"MediaID\":{i},\"Category\":{},\"MD5\":\"{md5}\",\"SHA1\":\"{sha1}\",\"MediaSize\":{},\"IsDistributed\":\"true\",\"MediaFiles\":[{{\"FileName\":\"f{i}.jpg\"}}]}}",
            j % 5,
            1000 + j
        ));
    }
    text.push_str("\n]}\n");
    text
}

fn without_line(mut r: Record) -> Record {
    r.line = 0;
    r
}

#[test]
fn many_records_sort_in_runs_and_all_are_found() {
    let h = Harness::new();
    let source = h.path("big.json");
    let count = 30_000u64;
    fs::write(&source, vics_file(count, None)).expect("write");
    // 64 KiB of sort memory: dozens of runs for the records and the SHA-1 table.
    let (info, report) = h
        .library
        .import_with_report(
            &source,
            &ImportOptions {
                name: "Big".into(),
                sort_memory: 64 * 1024,
                ..ImportOptions::default()
            },
        )
        .expect("import");
    let dups = count / 1000;
    assert_eq!(info.record_count, count - dups);
    assert_eq!(report.duplicates_merged, dups);
    assert_eq!(info.digest_counts.get(&DigestKind::Md5), Some(&(count - dups)));
    assert_eq!(info.digest_counts.get(&DigestKind::Sha1), Some(&(count - dups)));
    assert_eq!(info.profile.as_deref(), Some("US"));
    assert_eq!(info.importer_version, "spoor-hashset 0.1.0 vics-2.0");
    assert!(report.conflicts.is_empty());

    let matcher = h.library.load(&[]).expect("load");
    for i in (0..count).step_by(7) {
        let j = if i % 1000 == 999 { i - 1 } else { i };
        let md5: [u8; 16] = digest(j, 1, 16).try_into().expect("16");
        let sha1: [u8; 20] = digest(j, 2, 20).try_into().expect("20");
        let hits = matcher.lookup(&md5, &sha1, &[0; 32]).expect("lookup");
        assert_eq!(hits.len(), 1, "record {i}");
        let r = &hits[0].record;
        assert_eq!(hits[0].method, DigestKind::Sha1);
        assert_eq!(r.category.as_deref(), Some((j % 5).to_string().as_str()));
        assert_eq!(r.media_size, Some(1000 + j));
        assert_eq!(r.is_distributed, Some(true));
        assert_eq!(r.name.as_deref(), Some(format!("f{j}.jpg").as_str()));
        if j != i {
            assert_eq!(r.other_names, vec![format!("f{i}.jpg")]);
        }
        // By one digest alone too.
        assert_eq!(matcher.lookup(&md5, &[0; 20], &[0; 32]).expect("md5").len(), 1);
        assert_eq!(matcher.lookup(&[0; 16], &sha1, &[0; 32]).expect("sha1").len(), 1);
    }
    let absent: [u8; 16] = digest(count + 5, 1, 16).try_into().expect("16");
    assert!(matcher.lookup(&absent, &[0; 20], &[0; 32]).expect("lookup").is_empty());

    // The batched form finds exactly what one-by-one lookups find.
    let files: Vec<([u8; 16], [u8; 20], [u8; 32])> = (0..count + 50)
        .step_by(3)
        .map(|i| {
            let md5: [u8; 16] = digest(i, 1, 16).try_into().expect("16");
            let sha1: [u8; 20] = if i % 2 == 0 { digest(i, 2, 20).try_into().expect("20") } else { [0; 20] };
            (md5, sha1, [0; 32])
        })
        .collect();
    let mut batched = Vec::new();
    matcher.matches_many(&files, &mut batched).expect("batched");
    let mut single = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let mut refs = Vec::new();
        matcher.matches(&f.0, &f.1, &f.2, &mut refs).expect("single");
        single.extend(refs.into_iter().map(|r| (i, r)));
    }
    assert_eq!(batched, single);
    assert!(batched.len() > files.len() * 9 / 10, "{} of {}", batched.len(), files.len());
    h.library.verify_set("Big", None).expect("verifies");
    assert_eq!(h.stray_entries(), Vec::<String>::new(), "runs removed");
}

#[test]
fn a_bad_record_deep_in_a_file_fails_the_import_atomically() {
    let h = Harness::new();
    let good = h.path("good.json");
    fs::write(&good, vics_file(10, None)).expect("write");
    h.import("Existing", &good, 64 * 1024).expect("import");
    let before = h.library.list().expect("list");

    let text = vics_file(20_000, Some(15_000));
    let at = text.find("NOT-A-DIGEST").expect("the bad one");
    let record_start = text[..at].rfind('{').expect("its object") as u64;
    let bad = h.path("bad.json");
    fs::write(&bad, &text).expect("write");
    let err = h.import("Bad", &bad, 64 * 1024).expect_err("bad record");
    match &err {
        Error::ParseAt { offset, line, reason, .. } => {
            assert_eq!(*offset, record_start);
            assert_eq!(*line, Some(15_002));
            assert!(reason.contains("MD5"), "{reason}");
        }
        other => panic!("expected ParseAt, got {other:?}"),
    }
    assert!(err.to_string().contains(&format!("byte {record_start}")), "{err}");
    assert_eq!(h.library.list().expect("list"), before);
    assert_eq!(h.stray_entries(), Vec::<String>::new(), "temp folder left behind");

    // Truncated JSON, the same.
    fs::write(&bad, &text[..text.len() / 2]).expect("write");
    let err = h.import("Bad", &bad, 64 * 1024).expect_err("truncated");
    assert_eq!(err.code(), "parse", "{err}");
    assert_eq!(h.library.list().expect("list"), before);
    assert_eq!(h.stray_entries(), Vec::<String>::new());
}

#[test]
fn vics_round_trip_keeps_records_and_fields() {
    let h = Harness::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = spoor_fixtures::generate(
        &dir.path().join("out"),
        &spoor_fixtures::FixtureOptions { large: false },
    )
    .expect("fixtures");
    for (i, file) in ["vics-1.3-media.json", "vics-2.0-us-cases.json", "caid-uk.json"]
        .into_iter()
        .enumerate()
    {
        let first = h
            .import(&format!("first {i}"), &manifest.hashsets_dir.join(file), 1 << 20)
            .expect("import");
        let exported = h.path(&format!("export-{i}.json"));
        fs::write(&exported, h.export(&first.name, Format::Vics)).expect("write");
        let second = h.import(&format!("second {i}"), &exported, 1 << 20).expect("re-import");
        assert_eq!(second.format, first.format, "{file}");
        assert_eq!(second.profile, first.profile, "{file}");
        assert_eq!(second.record_count, first.record_count, "{file}");
        assert_eq!(second.digest_counts, first.digest_counts, "{file}");
        assert_eq!(second.categories, first.categories, "{file}");

        // Record by record, every field but the source line.
        let a = h.library.load(std::slice::from_ref(&first.id)).expect("load");
        let b = h.library.load(std::slice::from_ref(&second.id)).expect("load");
        let mut compared = 0;
        for line in String::from_utf8(h.export(&first.name, Format::Csv))
            .expect("utf-8")
            .lines()
            .skip(1)
        {
            let cells: Vec<&str> = line.splitn(3, ',').collect();
            let md5: [u8; 16] = if cells[0].is_empty() {
                [0; 16]
            } else {
                hex::decode(cells[0]).expect("hex").try_into().expect("16")
            };
            let sha1: [u8; 20] = if cells[1].is_empty() {
                [0; 20]
            } else {
                hex::decode(cells[1]).expect("hex").try_into().expect("20")
            };
            let ra: Vec<Record> = a.lookup(&md5, &sha1, &[0; 32]).expect("a").into_iter().map(|m| without_line(m.record)).collect();
            let rb: Vec<Record> = b.lookup(&md5, &sha1, &[0; 32]).expect("b").into_iter().map(|m| without_line(m.record)).collect();
            assert!(!ra.is_empty(), "{file}: {line}");
            assert_eq!(ra, rb, "{file}");
            compared += 1;
        }
        assert_eq!(compared, first.record_count, "{file}");
        // And a second export is byte for byte the first.
        assert_eq!(h.export(&first.name, Format::Vics), h.export(&second.name, Format::Vics));
    }
}

/// Every record of a set, in record order, read back through lookups of
/// its own export.
fn all_records(h: &Harness, info: &SetInfo) -> Vec<Record> {
    let matcher = h.library.load(std::slice::from_ref(&info.id)).expect("load");
    let mut seen = Vec::new();
    for line in String::from_utf8(h.export(&info.name, Format::Csv)).expect("utf-8").lines().skip(1) {
        let mut cells = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let row = cells.records().next().expect("row").expect("csv");
        let parse = |cell: &str, n: usize| -> Vec<u8> {
            if cell.is_empty() { vec![0; n] } else { hex::decode(cell).expect("hex") }
        };
        let md5: [u8; 16] = parse(&row[0], 16).try_into().expect("16");
        let sha1: [u8; 20] = parse(&row[1], 20).try_into().expect("20");
        let sha256: [u8; 32] = parse(&row[2], 32).try_into().expect("32");
        let found = matcher.lookup(&md5, &sha1, &sha256).expect("lookup");
        seen.extend(found.into_iter().map(|m| m.record));
    }
    seen.sort_by(|x, y| (&x.md5, &x.sha1, &x.sha256).cmp(&(&y.md5, &y.sha1, &y.sha256)));
    seen.dedup();
    seen
}

#[test]
fn vics_round_trip_keeps_every_field_of_merged_records() {
    let h = Harness::new();
    let md5 = |i: u64| hex::encode(digest(i, 7, 16)).to_uppercase();
    let sha1 = |i: u64| hex::encode(digest(i, 8, 20));
    let sha256 = |i: u64| hex::encode(digest(i, 9, 32));
    let many: Vec<String> = (0..70).map(|n| format!("{{\"FileName\":\"n{n}.jpg\"}}")).collect();
    let source = format!(
        "\u{feff}{{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media\",\"value\":[\n\
{{\"MediaID\":10,\"Category\":1,\"MD5\":\"{m0}\",\"SHA1\":\"{s0}\",\"Series\":\"S\",\"Tags\":[\"a\"],\"MediaFiles\":[{{\"FileName\":\"x.jpg\"}}]}},\n\
{{\"MediaID\":11,\"Category\":2,\"MD5\":\"{m0}\",\"SHA1\":\"{s0}\",\"Tags\":[\"b\"],\"Comments\":\"later\",\"MediaFiles\":[{{\"FileName\":\"y.jpg\"}}]}},\n\
{{\"MediaID\":12,\"Category\":\"0\",\"MD5\":\"{m0}\",\"SHA1\":\"{s0}\",\"VictimIdentified\":\"true\"}},\n\
{{\"MediaID\":13,\"Category\":null,\"MD5\":\"{m1}\",\"SHA256\":\"{h1}\",\"MediaSize\":\"77\",\"IsDistributed\":false,\"IsPrecategorized\":1,\"OffenderIdentified\":\"no\",\"PhotoDNA\":\"QUJD\",\"DateUpdated\":\"/Date(1700000000000)/\",\"Odd\":\"kept\",\"MediaFiles\":[{many}]}},\n\
{{\"MediaID\":14,\"Category\":3,\"SHA1\":\"{s2}\",\"MediaFiles\":[{many}]}},\n\
{{\"MediaID\":15,\"Category\":4,\"SHA1\":\"{s2}\",\"MediaFiles\":[{{\"FileName\":\"z.jpg\"}}]}}\n\
]}}\n",
        m0 = md5(0),
        s0 = sha1(0),
        m1 = md5(1),
        h1 = sha256(1),
        s2 = sha1(2),
        many = many.join(","),
    );
    let first_path = h.path("merged.json");
    fs::write(&first_path, source).expect("write");
    let first = h.import("first", &first_path, 1 << 20).expect("import");
    assert_eq!(first.record_count, 3);
    assert_eq!(first.duplicates_merged, 3);
    assert_eq!(first.conflict_count, 2);
    let a = all_records(&h, &first);
    assert_eq!(a.len(), 3);
    // The bookkeeping fields are really set, so the test can fail.
    let merged: Vec<(u64, u64, usize)> = a
        .iter()
        .map(|r| (r.merged, r.names_omitted, r.other_categories.len()))
        .collect();
    assert!(merged.contains(&(2, 0, 2)), "{merged:?}");
    assert!(merged.contains(&(1, 6, 1)), "{merged:?}");
    assert!(merged.contains(&(0, 5, 0)), "{merged:?}");

    let exported = h.export("first", Format::Vics);
    let text = String::from_utf8(exported.clone()).expect("utf-8");
    assert!(text.contains("\"SpoorMerged\":2") && text.contains("\"SpoorNamesOmitted\":6"), "{text}");
    let second_path = h.path("export.json");
    fs::write(&second_path, &exported).expect("write");
    let second = h.import("second", &second_path, 1 << 20).expect("re-import");
    assert_eq!(second.record_count, first.record_count);
    assert_eq!(second.digest_counts, first.digest_counts);
    assert_eq!((second.format, &second.profile), (first.format, &first.profile));
    let b = all_records(&h, &second);
    assert_eq!(b.len(), a.len());
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!(without_line(ra.clone()), without_line(rb.clone()));
    }
    // The line is where the record stands in the file read: one per line
    // after the header line.
    let mut lines: Vec<u64> = b.iter().map(|r| r.line).collect();
    lines.sort_unstable();
    assert_eq!(lines, vec![2, 3, 4]);
    // And the export of the re-import is byte for byte the first export.
    assert_eq!(h.export("second", Format::Vics), exported);

    // A bookkeeping field that is not a count is a clear error.
    let bad = text.replace("\"SpoorMerged\":2", "\"SpoorMerged\":\"two\"");
    fs::write(&second_path, bad).expect("write");
    let err = h.import("third", &second_path, 1 << 20).expect_err("not a count");
    assert!(err.to_string().contains("SpoorMerged: not a count"), "{err}");
}

#[test]
fn md5sum_and_csv_exports() {
    let h = Harness::new();
    let source = h.path("list.csv");
    fs::write(
        &source,
        "md5,sha1,name,category,series\n\
         900150983cd24fb0d6963f7d28e17f72,a9993e364706816aba3e25717850c26c9cd0d89d,\"a, b.jpg\",1,S\n\
         ,a9993e364706816aba3e25717850c26c9cd0d89e,no md5,,\n\
         00000000000000000000000000000001,,\"two\nlines\",,\n",
    )
    .expect("write");
    h.import("List", &source, 1 << 20).expect("import");
    let md5sum = String::from_utf8(h.export("List", Format::Md5sum)).expect("utf-8");
    assert_eq!(
        md5sum,
        "\\00000000000000000000000000000001  two\\nlines\n900150983cd24fb0d6963f7d28e17f72  a, b.jpg\n"
    );
    // The md5sum export imports back.
    let again = h.path("again.md5");
    fs::write(&again, &md5sum).expect("write");
    let info = h.import("Again", &again, 1 << 20).expect("import");
    assert_eq!((info.format, info.record_count), (Format::Md5sum, 2));

    let csv = String::from_utf8(h.export("List", Format::Csv)).expect("utf-8");
    let mut lines = csv.lines();
    assert!(lines.next().expect("header").starts_with("md5,sha1,sha256,name,category,"));
    assert_eq!(csv.matches("\"a, b.jpg\"").count(), 1, "{csv}");
    assert!(csv.contains(",S,"), "{csv}");

    let mut out = Vec::new();
    let err = h
        .library
        .export("List", None, Format::EnCase, &mut out)
        .expect_err("not an export format");
    assert_eq!(err.code(), "unsupported_format");
    assert!(matches!(
        h.library.export("Nope", None, Format::Csv, &mut out),
        Err(Error::NotFound { .. })
    ));
}

/// The set folder of the only set named `name`.
fn set_dir(h: &Harness, name: &str) -> PathBuf {
    let info = h
        .library
        .list()
        .expect("list")
        .into_iter()
        .find(|s| s.name == name)
        .expect("the set");
    h.library.root().join("sets").join(info.id)
}

#[test]
fn a_damaged_table_gives_errors_never_wrong_answers() {
    let h = Harness::new();
    let source = h.path("big.json");
    fs::write(&source, vics_file(20_000, None)).expect("write");
    h.import("Set", &source, 1 << 20).expect("import");
    let dir = set_dir(&h, "Set");
    let idx = dir.join("md5.idx");
    let good = fs::read(&idx).expect("read");

    // Flip one bit of one entry's digest deep in the table.
    let entry = 12_345usize;
    let at = 64 + entry * 20 + 3;
    let mut bad = good.clone();
    bad[at] ^= 0x10;
    fs::write(&idx, &bad).expect("write");

    let started = std::time::Instant::now();
    let matcher = h.library.load(&[]).expect("opening does not read the table");
    assert!(started.elapsed().as_secs() < 5);
    // Look up every record's MD5: never a wrong hit; the ones in the damaged
    // block fail; the others still work.
    let (mut errors, mut found) = (0, 0);
    let (mut intact, mut damaged) = (Vec::new(), Vec::new());
    for i in 0..20_000u64 {
        let j = if i % 1000 == 999 { i - 1 } else { i };
        let md5: [u8; 16] = digest(j, 1, 16).try_into().expect("16");
        match matcher.lookup(&md5, &[0; 20], &[0; 32]) {
            Ok(hits) => {
                assert_eq!(hits.len(), 1, "record {i}: a wrong answer");
                assert_eq!(hits[0].record.md5.as_deref(), Some(hex::encode(md5).as_str()));
                found += 1;
                intact.push((md5, [0; 20], [0; 32]));
            }
            Err(Error::Corrupt { path, reason }) => {
                assert_eq!(path, idx);
                assert!(reason.contains("checksum mismatch"), "{reason}");
                errors += 1;
                damaged.push((md5, [0; 20], [0; 32]));
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(errors > 0 && found > 0, "{errors} errors, {found} found");
    // The batched path: a batch that reaches the damaged block fails as a
    // whole, never with a wrong or partial answer; one that does not finds
    // every record.
    let mut mixed = intact.clone();
    mixed.insert(intact.len() / 2, damaged[0]);
    let mut pairs = Vec::new();
    match matcher.matches_many(&mixed, &mut pairs) {
        Err(Error::Corrupt { path, reason }) => {
            assert_eq!(path, idx);
            assert!(reason.contains("checksum mismatch"), "{reason}");
            assert!(pairs.is_empty(), "{} pairs from a failed batch", pairs.len());
        }
        other => panic!("a batch through a damaged block gave {other:?}"),
    }
    pairs.clear();
    matcher.matches_many(&intact, &mut pairs).expect("the intact blocks");
    assert_eq!(pairs.len(), intact.len());
    for (n, (file, r)) in pairs.iter().enumerate() {
        assert_eq!(*file, n, "one pair a file, in file order");
        let record = matcher.record(r).expect("record");
        assert_eq!(record.md5.as_deref(), Some(hex::encode(intact[n].0).as_str()));
    }
    let err = h.library.verify_set("Set", None).expect_err("damaged");
    assert!(err.to_string().contains("md5.idx"), "{err}");

    // A damaged record is caught too.
    fs::write(&idx, &good).expect("restore");
    h.library.verify_set("Set", None).expect("intact again");
    let records = dir.join("records.jsonl");
    let mut text = fs::read(&records).expect("read");
    let pos = text.len() / 2;
    let digit = text[pos..].iter().position(u8::is_ascii_digit).expect("a digit") + pos;
    text[digit] = if text[digit] == b'9' { b'8' } else { text[digit] + 1 };
    fs::write(&records, &text).expect("write");
    let err = h.library.verify_set("Set", None).expect_err("damaged records");
    assert!(err.to_string().contains("records.jsonl"), "{err}");

    // A damaged header is refused at load.
    fs::write(&records, fs::read(&records).expect("read")).expect("noop");
    let mut bad = good.clone();
    bad[16] ^= 1;
    fs::write(&idx, &bad).expect("write");
    let err = h.library.load(&[]).expect_err("bad header");
    assert!(err.to_string().contains("header checksum"), "{err}");
}

#[test]
fn layout_1_sets_are_listed_but_refused_with_advice() {
    let h = Harness::new();
    let source = h.path("a.md5");
    fs::write(&source, "900150983cd24fb0d6963f7d28e17f72  a\n").expect("write");
    h.import("Old", &source, 1 << 20).expect("import");
    let manifest = set_dir(&h, "Old").join("manifest.json");
    let text = fs::read_to_string(&manifest).expect("read");
    // A layout-1 manifest: no profile, importer version or newer fields.
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let obj = json.as_object_mut().expect("object");
    for key in ["profile", "importer_version", "duplicates_merged", "conflict_count"] {
        obj.remove(key);
    }
    obj.insert("format_version".into(), 1.into());
    fs::write(&manifest, serde_json::to_vec_pretty(&json).expect("json")).expect("write");

    let listed = h.library.list().expect("old manifests still list");
    assert_eq!(listed[0].format_version, 1);
    assert_eq!(listed[0].importer_version, "");
    let err = h.library.load(&[]).expect_err("layout 1");
    assert_eq!(err.code(), "old_layout");
    assert!(err.to_string().contains("import its source again"), "{err}");
    h.library.remove("Old", None).expect("can still be removed");
}
