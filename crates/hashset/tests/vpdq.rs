//! vPDQ video sets: text files, folders and VICS carrying vPDQ lists;
//! list, verify, export, re-import and matching.

use std::fs;

use spoor_hashset::{Error, Format, ImportOptions, Library, SetKind};
use spoor_video::{MatchSettings, read_vpdq};

const A: &str = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c";
const B: &str = "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c";
/// B with every bit flipped: far from A and B (A and B are 12 bits apart).
const C: &str = "3f0eee87c8d39553322115da9b70402bd0bcb376361664db688d41dede7f2aa3";
const MD5: &str = "900150983cd24fb0d6963f7d28e17f72";

fn opts(name: &str) -> ImportOptions {
    ImportOptions {
        name: name.into(),
        kind: SetKind::Alert,
        ..ImportOptions::default()
    }
}

fn video(hashes: &[&str]) -> String {
    hashes
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{},100,{h},{}.000\n", i * 30, i))
        .collect()
}

#[test]
fn a_folder_of_vpdq_files_is_one_set_and_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Library::open(&dir.path().join("lib")).expect("library");
    let src = dir.path().join("known");
    fs::create_dir(&src).expect("mkdir");
    fs::write(src.join("one.txt"), video(&[A, C])).expect("write");
    fs::write(src.join("two.txt"), video(&[C])).expect("write");
    fs::write(src.join(".hidden"), "not a video").expect("write");

    assert_eq!(
        spoor_hashset::detect_file_format(&src).expect("detect"),
        Some(Format::Vpdq)
    );
    let info = lib.import(&src, &opts("videos")).expect("import folder");
    assert_eq!(info.format, Format::Vpdq);
    assert_eq!(info.vpdq_videos, 2);
    assert_eq!(info.record_count, 0);
    assert_eq!(info.source_name, "known");
    // The same folder gives the same provenance.
    let again = lib
        .import(
            &src,
            &ImportOptions {
                version: Some("2".into()),
                ..opts("videos")
            },
        )
        .expect("import again");
    assert_eq!(again.source_sha256, info.source_sha256);
    lib.remove("videos", Some("2")).expect("remove");

    let listed = lib.list().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].vpdq_videos, 2);
    lib.verify_set("videos", None).expect("verify");

    // Matching: a query made of A alone is 100 % inside video one.
    let matcher = lib.load(&[]).expect("load");
    assert!(matcher.has_videos());
    let query = read_vpdq(video(&[A]).as_bytes()).expect("frames");
    let hits = matcher.vpdq_matches(&query, &MatchSettings::default());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.name.as_deref(), Some("one.txt"));
    assert_eq!(hits[0].matched.query_match_percent, 100.0);
    assert_eq!(hits[0].matched.known_match_percent, 50.0);
    assert_eq!(hits[0].matched.matched_frames, 1);

    // Export as a vPDQ stream, import that file: the same videos.
    let mut out = Vec::new();
    assert_eq!(
        lib.export("videos", None, Format::Vpdq, &mut out)
            .expect("export"),
        2
    );
    let exported = dir.path().join("exported.vpdq");
    fs::write(&exported, &out).expect("write");
    let back = lib.import(&exported, &opts("back")).expect("re-import");
    assert_eq!(back.vpdq_videos, 2);
    let mut out2 = Vec::new();
    lib.export("back", None, Format::Vpdq, &mut out2)
        .expect("export");
    assert_eq!(out, out2);

    // A damaged table is an error, never a wrong answer.
    let table = lib.root().join("sets").join(&info.id).join("vpdq.jsonl");
    let mut bytes = fs::read(&table).expect("read");
    let at = bytes.iter().position(|&b| b == b'e').expect("a hex digit");
    bytes[at] = b'f';
    fs::write(&table, bytes).expect("write");
    assert!(matches!(
        lib.verify_set("videos", None),
        Err(Error::Corrupt { .. })
    ));
    assert!(matches!(
        lib.load(&["videos".into()]),
        Err(Error::Corrupt { .. })
    ));
}

#[test]
fn a_malformed_frame_line_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Library::open(&dir.path().join("lib")).expect("library");
    let src = dir.path().join("bad.txt");
    fs::write(&src, format!("{}1,100,nothex,1.0\n", video(&[A]))).expect("write");
    match lib.import(&src, &opts("bad")) {
        Err(Error::Parse { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
    assert!(lib.list().expect("list").is_empty());
}

#[test]
fn vics_media_carry_vpdq_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Library::open(&dir.path().join("lib")).expect("library");
    let frames = video(&[A, B]).replace('\n', ";");
    let vics = format!(
        r#"{{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media","value":[
{{"MediaID":1,"MD5":"{MD5}","Category":1,"MediaFiles":[{{"FileName":"clip.mp4"}}],"AlternativeHashes":[{{"HashName":"vPDQ","HashValue":"{frames}"}}]}},
{{"MediaID":2,"MD5":"d41d8cd98f00b204e9800998ecf8427e","Category":0}}
]}}"#
    );
    let src = dir.path().join("set.json");
    fs::write(&src, vics).expect("write");
    let info = lib.import(&src, &opts("vics")).expect("import");
    assert_eq!(info.format, Format::Vics);
    assert_eq!(info.record_count, 2);
    assert_eq!(info.vpdq_videos, 1);
    let matcher = lib.load(&[]).expect("load");
    let query = read_vpdq(video(&[B]).as_bytes()).expect("frames");
    let hits = matcher.vpdq_matches(&query, &MatchSettings::default());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.category.as_deref(), Some("1"));
    assert_eq!(hits[0].record.md5.as_deref(), Some(MD5));
    assert_eq!(hits[0].record.name.as_deref(), Some("clip.mp4"));
    assert!(hits[0].record.category_name.is_some());
    // The record keeps no copy of the frames.
    assert!(
        !hits[0]
            .record
            .extra
            .keys()
            .any(|k| k.eq_ignore_ascii_case("vpdq")),
        "{:?}",
        hits[0].record.extra
    );

    // A VICS export carries the frames again, and imports back.
    let mut out = Vec::new();
    lib.export("vics", None, Format::Vics, &mut out)
        .expect("export");
    let exported = dir.path().join("exported.json");
    fs::write(&exported, &out).expect("write");
    let back = lib.import(&exported, &opts("back")).expect("re-import");
    assert_eq!(back.vpdq_videos, 1);
    assert_eq!(back.record_count, 2);
}
