//! Every fixture hash set, in every format the generator writes, imported
//! with the format detected from its content; every fixture file's digests
//! looked up; the files that match must be exactly the set's `lists`, and
//! the categories and profiles what the set declares.

use std::collections::BTreeSet;
use std::fs;

use spoor_fixtures::{FixtureOptions, FixtureSet, Manifest};
use spoor_hashset::{
    DigestKind, Format, ImportOptions, Library, Matcher, SetKind, detect_file_format,
};
use tempfile::TempDir;

fn bytes<const N: usize>(hex_text: &str) -> [u8; N] {
    let mut out = [0u8; N];
    hex::decode_to_slice(hex_text, &mut out).expect("fixture hex");
    out
}

struct Fixture {
    _dir: TempDir,
    manifest: Manifest,
    library: Library,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest =
        spoor_fixtures::generate(&dir.path().join("out"), &FixtureOptions { large: false })
            .expect("generate fixtures");
    let library = Library::open(&dir.path().join("library")).expect("library");
    Fixture {
        _dir: dir,
        manifest,
        library,
    }
}

/// Import one fixture set with auto-detection and the kind it declares.
fn import(f: &Fixture, set: &FixtureSet) -> spoor_hashset::SetInfo {
    let path = f.manifest.hashsets_dir.join(&set.file);
    let kind: SetKind = set.kind.parse().expect("kind");
    let (info, _) = f
        .library
        .import_with_report(
            &path,
            &ImportOptions {
                name: set.file.display().to_string(),
                kind,
                ..ImportOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("importing {}: {e}", set.file.display()));
    info
}

/// The fixture files any of whose digests the matcher finds.
fn matched_paths(f: &Fixture, matcher: &Matcher) -> BTreeSet<Vec<u8>> {
    let mut found = BTreeSet::new();
    for file in &f.manifest.files {
        let hits = matcher
            .lookup(
                &bytes(&file.md5),
                &bytes(&file.sha1),
                &bytes(&file.sha256),
            )
            .expect("lookup");
        if !hits.is_empty() {
            found.insert(file.path.clone());
        }
    }
    found
}

#[test]
fn every_fixture_set_imports_and_matches_what_it_lists() {
    let f = fixture();
    let mut formats = BTreeSet::new();
    for set in &f.manifest.hashsets {
        let path = f.manifest.hashsets_dir.join(&set.file);
        if set.malformed_line.is_some() {
            continue;
        }
        let detected = detect_file_format(&path)
            .expect("detect")
            .unwrap_or_else(|| panic!("{} undetected", set.file.display()));
        assert_eq!(detected.to_string(), set.format, "{}", set.file.display());
        let info = import(&f, set);
        formats.insert(info.format);
        assert_eq!(info.format.to_string(), set.format, "{}", set.file.display());
        assert_eq!(info.record_count, set.record_count, "{}", set.file.display());
        assert_eq!(info.profile, set.profile, "{}", set.file.display());
        assert!(
            info.importer_version.starts_with("spoor-hashset "),
            "{}",
            info.importer_version
        );

        let matcher = f.library.load(std::slice::from_ref(&info.id)).expect("load");
        let found = matched_paths(&f, &matcher);
        let expected: BTreeSet<Vec<u8>> = set.lists.iter().cloned().collect();
        assert_eq!(
            found.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>(),
            expected.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>(),
            "{}",
            set.file.display()
        );

        // Categories, raw and named.
        for (md5, category) in &set.categories {
            let file = f
                .manifest
                .files
                .iter()
                .find(|x| &x.md5 == md5)
                .expect("a listed file");
            let hits = matcher
                .lookup(&bytes(&file.md5), &bytes(&file.sha1), &bytes(&file.sha256))
                .expect("lookup");
            assert_eq!(hits.len(), 1, "{}: {}", set.file.display(), file.path_lossy);
            let record = &hits[0].record;
            assert_eq!(&record.category, category, "{}: {}", set.file.display(), file.path_lossy);
            assert_eq!(
                record.category_name.is_some(),
                category.is_some(),
                "{}: a named category",
                set.file.display()
            );
        }
    }
    // PDQ sets match pictures by distance, not digests: tests/pdq_sets.rs.
    // vPDQ sets list videos, which the fixture tree does not hold: tests/vpdq.rs.
    for format in Format::ALL.into_iter().filter(|f| *f != Format::Pdq && *f != Format::Vpdq) {
        assert!(formats.contains(&format), "no fixture set imported as {format}");
    }
}

#[test]
fn vics_fields_survive_the_import() {
    let f = fixture();
    let set = f.manifest.hashset("vics-1.3-media.json").expect("vics 1.3");
    let info = import(&f, set);
    assert_eq!(info.importer_version, "spoor-hashset 0.1.0 vics-1.3");
    let matcher = f.library.load(&[info.id]).expect("load");
    let img = f
        .manifest
        .file(b"DCIM/100CAMERA/IMG_0001.JPG")
        .expect("IMG_0001");
    let hits = matcher
        .lookup(&bytes(&img.md5), &bytes(&img.sha1), &bytes(&img.sha256))
        .expect("lookup");
    assert_eq!(hits.len(), 1);
    let r = &hits[0].record;
    assert_eq!(hits[0].method, DigestKind::Sha1);
    assert_eq!(r.category.as_deref(), Some("1"));
    assert_eq!(r.category_name.as_deref(), Some("child abuse material (CAM)"));
    assert_eq!(r.media_size, Some(img.size));
    assert_eq!(r.victim_identified, Some(true));
    assert_eq!(r.offender_identified, Some(false));
    assert_eq!(r.is_distributed, Some(false));
    assert_eq!(r.is_precategorized, Some(true));
    assert_eq!(r.series.as_deref(), Some("Fixture series A"));
    assert_eq!(r.tags, vec!["fixture".to_string()]);
    assert_eq!(r.comments.as_deref(), Some("listed twice in the tree"));
    assert_eq!(r.photodna.as_ref().map(String::len), Some(192), "base64 of 144 bytes");
    assert_eq!(r.name.as_deref(), Some("IMG_0001.JPG"));
    assert_eq!(r.other_names, vec!["copy.jpg".to_string()]);
    assert_eq!(r.extra.get("DateUpdated").map(String::as_str), Some("2023-11-14T22:13:20Z"));

    // Category 0 is a value with a name; null is none.
    let banner = f
        .manifest
        .file(b"Users/alex/Pictures/web/banner.webp")
        .expect("banner");
    let hits = matcher
        .lookup(&bytes(&banner.md5), &bytes(&banner.sha1), &bytes(&banner.sha256))
        .expect("lookup");
    assert_eq!(hits[0].record.category.as_deref(), Some("0"));
    assert_eq!(hits[0].record.category_name.as_deref(), Some("non-pertinent"));

    // CAID grades through the default mapping, and a changed one.
    let caid = f.manifest.hashset("caid-uk.json").expect("caid");
    let info = import(&f, caid);
    let sunset = f
        .manifest
        .file(b"Users/alex/Pictures/holiday/sunset.png")
        .expect("sunset");
    let matcher = f.library.load(&[info.id]).expect("load");
    let hits = matcher
        .lookup(&bytes(&sunset.md5), &bytes(&sunset.sha1), &bytes(&sunset.sha256))
        .expect("lookup");
    assert_eq!(hits[0].record.category_name.as_deref(), Some("Category B"));
    let (swapped, _) = f
        .library
        .import_with_report(
            &f.manifest.hashsets_dir.join(&caid.file),
            &ImportOptions {
                name: "CAID swapped".into(),
                caid_grades: spoor_hashset::CaidGrades {
                    a: "3".into(),
                    b: "2".into(),
                    c: "1".into(),
                    non_indecent: "0".into(),
                },
                ..ImportOptions::default()
            },
        )
        .expect("import");
    assert_eq!(swapped.categories.get("1").map(String::as_str), Some("Category C"));
}

#[test]
fn nsrl_defaults_and_merges_packages() {
    let f = fixture();
    let set = f.manifest.hashset("nsrl-rds3-minimal.db").expect("rds3");
    assert_eq!(Format::NsrlRds3.default_kind(), Some(SetKind::Ignore));
    let info = import(&f, set);
    assert_eq!(info.kind, SetKind::Ignore);
    assert_eq!(info.duplicates_merged, 1, "the archive is in two packages");
    assert_eq!(info.source_title.as_deref(), Some("NSRL RDS 2026.09.1 (Minimal)"));
    assert_eq!(info.digest_counts.len(), 3);
    let matcher = f.library.load(&[info.id]).expect("load");
    let zip = f
        .manifest
        .file(b"Users/alex/Documents/archive.zip")
        .expect("archive");
    let hits = matcher
        .lookup(&bytes(&zip.md5), &bytes(&zip.sha1), &bytes(&zip.sha256))
        .expect("lookup");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].method, DigestKind::Sha256);
    let names: Vec<&str> = hits[0].record.names().collect();
    assert_eq!(names, ["archive.zip", "bundle.zip"]);
    // The source database is untouched: no journal or WAL beside it.
    let dir = &f.manifest.hashsets_dir;
    let siblings: Vec<String> = fs::read_dir(dir)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("nsrl-rds3-minimal.db"))
        .collect();
    assert_eq!(siblings, ["nsrl-rds3-minimal.db"]);
}
