//! The generator's promises: same bytes every run, a manifest that tells the
//! truth about the disk, pictures that decode, specials of the right type,
//! and hash lists that name exactly what the manifest says.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use spoor_fixtures::{FixtureOptions, Manifest, generate};
use tempfile::TempDir;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fresh(opts: &FixtureOptions) -> io::Result<(TempDir, Manifest)> {
    let dir = tempfile::tempdir()?;
    let manifest = generate(&dir.path().join("out"), opts)?;
    Ok((dir, manifest))
}

/// Reads an evidence file, or `None` for a mode-000 file when not root.
fn read_evidence(manifest: &Manifest, path: &[u8]) -> io::Result<Option<Vec<u8>>> {
    match fs::read(manifest.evidence_path(path)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e)
            if e.kind() == ErrorKind::PermissionDenied
                && manifest.file(path).is_some_and(|f| f.unreadable) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Every entry under `root` by raw relative path, without following links.
fn walk(root: &Path) -> io::Result<BTreeMap<Vec<u8>, fs::Metadata>> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<Vec<u8>, fs::Metadata>) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let meta = fs::symlink_metadata(entry.path())?;
            let rel = entry
                .path()
                .strip_prefix(root)
                .map_err(io::Error::other)?
                .as_os_str()
                .as_bytes()
                .to_vec();
            if meta.is_dir() {
                go(root, &entry.path(), out)?;
            }
            out.insert(rel, meta);
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    go(root, root, &mut out)?;
    Ok(out)
}

fn hex_of<D: Digest>(bytes: &[u8]) -> String {
    hex::encode(D::digest(bytes))
}

#[test]
fn a_second_process_writes_the_same_bytes() -> TestResult {
    // One tree from this process, one from the binary in a fresh process:
    // the encoders run anew there, so nothing cached can hide a difference.
    let (dir_a, a) = fresh(&FixtureOptions::default())?;
    let dir_b = tempfile::tempdir()?;
    let out_b = dir_b.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_spoor-fixtures"))
        .arg(&out_b)
        .output()?;
    assert!(
        run.status.success(),
        "spoor-fixtures failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8(run.stdout)?;
    assert_eq!(stdout.lines().count(), 1, "one-line summary: {stdout}");
    assert!(
        stdout.starts_with("spoor-fixtures: 34 files (26 pictures"),
        "{stdout}"
    );
    let b = Manifest::read(&out_b.join("manifest.json"))?;

    let summary = |m: &Manifest| -> Vec<_> {
        m.files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    f.size,
                    f.md5.clone(),
                    f.sha1.clone(),
                    f.sha256.clone(),
                )
            })
            .collect()
    };
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(a.hashsets, b.hashsets);

    let walk_a = walk(&a.evidence_root)?;
    let walk_b = walk(&b.evidence_root)?;
    assert_eq!(
        walk_a.keys().collect::<Vec<_>>(),
        walk_b.keys().collect::<Vec<_>>()
    );
    for file in &a.files {
        let (Some(bytes_a), Some(bytes_b)) = (
            read_evidence(&a, &file.path)?,
            read_evidence(&b, &file.path)?,
        ) else {
            continue;
        };
        assert!(
            bytes_a == bytes_b,
            "{} differs between runs",
            file.path_lossy
        );
    }
    for set in &a.hashsets {
        let (text_a, text_b) = (
            fs::read(a.hashsets_dir.join(&set.file))?,
            fs::read(b.hashsets_dir.join(&set.file))?,
        );
        assert!(
            text_a == text_b,
            "{} differs between runs",
            set.file.display()
        );
    }
    // Link targets match too, except the absolute one into each run's OUT.
    for (sa, sb) in a.specials.iter().zip(&b.specials) {
        assert_eq!((&sa.path, &sa.kind), (&sb.path, &sb.kind));
        if sa
            .link_target
            .as_ref()
            .is_some_and(|t| !t.starts_with(b"/"))
        {
            assert_eq!(sa.link_target, sb.link_target);
        }
    }
    drop((dir_a, dir_b));
    Ok(())
}

#[test]
fn manifest_digests_match_the_disk() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions::default())?;
    let on_disk = walk(&m.evidence_root)?;
    let regular: BTreeSet<&Vec<u8>> = on_disk
        .iter()
        .filter(|(_, meta)| meta.is_file())
        .map(|(p, _)| p)
        .collect();
    let listed: BTreeSet<&Vec<u8>> = m.files.iter().map(|f| &f.path).collect();
    assert_eq!(
        regular, listed,
        "every regular file is in the manifest, and only those"
    );

    let mut checked = 0;
    for f in &m.files {
        let meta = &on_disk[&f.path];
        assert_eq!(meta.len(), f.size, "{}", f.path_lossy);
        assert_eq!(
            meta.permissions().mode() & 0o777 == 0,
            f.unreadable,
            "{}",
            f.path_lossy
        );
        assert_eq!(f.path_lossy, String::from_utf8_lossy(&f.path));
        let Some(bytes) = read_evidence(&m, &f.path)? else {
            continue;
        };
        assert_eq!(hex_of::<Md5>(&bytes), f.md5, "{}", f.path_lossy);
        assert_eq!(hex_of::<Sha1>(&bytes), f.sha1, "{}", f.path_lossy);
        assert_eq!(hex_of::<Sha256>(&bytes), f.sha256, "{}", f.path_lossy);
        checked += 1;
    }
    assert!(checked >= m.files.len() - 1);
    Ok(())
}

#[test]
fn pictures_decode_to_their_stated_format_and_size() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions::default())?;
    let mut formats = BTreeSet::new();
    for f in m.files.iter().filter(|f| f.format.is_some()) {
        if read_evidence(&m, &f.path)?.is_none() {
            continue; // mode 000 and not root
        }
        let reader = image::ImageReader::open(m.evidence_path(&f.path))?.with_guessed_format()?;
        let sniffed = match reader.format() {
            Some(image::ImageFormat::Jpeg) => "jpeg",
            Some(image::ImageFormat::Png) => "png",
            Some(image::ImageFormat::Gif) => "gif",
            Some(image::ImageFormat::Bmp) => "bmp",
            Some(image::ImageFormat::Tiff) => "tiff",
            Some(image::ImageFormat::WebP) => "webp",
            other => panic!("{}: unexpected format {other:?}", f.path_lossy),
        };
        assert_eq!(Some(sniffed), f.format.as_deref(), "{}", f.path_lossy);
        let img = reader.decode()?;
        assert_eq!(
            (Some(img.width()), Some(img.height())),
            (f.width, f.height),
            "{}",
            f.path_lossy
        );
        formats.insert(sniffed);
    }
    assert_eq!(formats.len(), 6, "all six formats present: {formats:?}");
    for f in m.files.iter().filter(|f| f.format.is_none()) {
        assert!(
            f.width.is_none() && f.height.is_none() && !f.extension_mismatch,
            "{}",
            f.path_lossy
        );
    }
    Ok(())
}

#[test]
fn specials_exist_with_their_file_types() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions { large: false })?;
    let on_disk = walk(&m.evidence_root)?;
    let non_regular: BTreeSet<&Vec<u8>> = on_disk
        .iter()
        .filter(|(_, meta)| !meta.is_file())
        .map(|(p, _)| p)
        .collect();
    let listed: BTreeSet<&Vec<u8>> = m.specials.iter().map(|s| &s.path).collect();
    assert_eq!(
        non_regular, listed,
        "every other entry is a special, and only those"
    );

    for s in &m.specials {
        let path = m.evidence_path(&s.path);
        let kind = fs::symlink_metadata(&path)?.file_type();
        let ok = match s.kind.as_str() {
            "symlink" => kind.is_symlink(),
            "fifo" => kind.is_fifo(),
            "socket" => kind.is_socket(),
            "dir" => kind.is_dir(),
            other => panic!("unknown kind {other}"),
        };
        assert!(ok, "{} is not a {}", s.path_lossy, s.kind);
        assert_eq!(
            s.kind == "symlink",
            s.link_target.is_some(),
            "{}",
            s.path_lossy
        );
        if let Some(target) = &s.link_target {
            assert_eq!(
                fs::read_link(&path)?.as_os_str().as_bytes(),
                target.as_slice()
            );
        }
    }

    let target = |name: &str| -> Option<Vec<u8>> {
        m.special(format!("Users/alex/Desktop/{name}").as_bytes())
            .and_then(|s| s.link_target.clone())
    };
    let outside = m
        .evidence_root
        .parent()
        .map(|p| p.join("outside/secret.txt"));
    assert_eq!(
        target("secret.txt"),
        outside.map(|p| p.as_os_str().as_bytes().to_vec())
    );
    assert_eq!(target("loop-a").as_deref(), Some(&b"loop-b"[..]));
    assert_eq!(target("loop-b").as_deref(), Some(&b"loop-a"[..]));
    assert_eq!(target("up").as_deref(), Some(&b".."[..]));
    let dangling = m.evidence_path(b"Users/alex/Desktop/dangling.jpg");
    assert_eq!(
        fs::metadata(dangling).map_err(|e| e.kind()).err(),
        Some(ErrorKind::NotFound)
    );
    assert!(
        fs::read(m.evidence_path(b"Users/alex/Desktop/secret.txt")).is_ok(),
        "outside target exists"
    );
    for kind in ["fifo", "socket"] {
        assert_eq!(
            m.specials.iter().filter(|s| s.kind == kind).count(),
            1,
            "{kind}"
        );
    }
    Ok(())
}

#[test]
fn manifest_round_trips_through_json() -> TestResult {
    let (dir, m) = fresh(&FixtureOptions { large: false })?;
    let path = dir.path().join("manifest.json");
    m.write(&path)?;
    let back = Manifest::read(&path)?;
    assert_eq!(back, m);
    assert!(
        back.file(b"Users/alex/Pictures/caf\xe9.jpg").is_some(),
        "non-UTF-8 path survives"
    );
    assert!(
        back.file(b"tmp/cache/a/b/\xff\xfe-raw.bin").is_some(),
        "non-UTF-8 path survives"
    );
    Ok(())
}

/// Parses a `*sum` list: (lower-case digests of good lines, bad line numbers).
fn parse_sum(text: &[u8], hex_len: usize) -> (BTreeSet<String>, Vec<u64>, bool) {
    let (mut digests, mut bad, mut upper) = (BTreeSet::new(), Vec::new(), false);
    for (i, line) in text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let hex = line.split(|&b| b == b' ').next().unwrap_or_default();
        if hex.len() == hex_len
            && hex.iter().all(u8::is_ascii_hexdigit)
            && line[hex_len..].starts_with(b"  ")
        {
            upper |= hex.iter().any(u8::is_ascii_uppercase);
            digests.insert(String::from_utf8_lossy(hex).to_ascii_lowercase());
        } else {
            bad.push(i as u64 + 1);
        }
    }
    (digests, bad, upper)
}

#[test]
fn hash_lists_name_exactly_what_the_manifest_says() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions::default())?;
    let mut saw_upper = false;
    for set in &m.hashsets {
        let text = fs::read(m.hashsets_dir.join(&set.file))?;
        let (algo, hex_len): (fn(&spoor_fixtures::FixtureFile) -> String, usize) =
            match set.format.as_str() {
                "md5sum" => (|f| f.md5.clone(), 32),
                "sha1sum" => (|f| f.sha1.clone(), 40),
                "sha256sum" => (|f| f.sha256.clone(), 64),
                "csv" => {
                    let text = String::from_utf8(text)?;
                    let mut lines = text.lines();
                    assert_eq!(lines.next(), Some("md5,sha1,category,name,series"));
                    let rows: Vec<Vec<&str>> = lines.map(|l| l.splitn(3, ',').collect()).collect();
                    let named: BTreeSet<Vec<u8>> = m
                        .files
                        .iter()
                        .filter(|f| rows.iter().any(|r| r[0] == f.md5 || r[1] == f.sha1))
                        .map(|f| f.path.clone())
                        .collect();
                    assert_eq!(
                        named,
                        set.lists.iter().cloned().collect(),
                        "{}",
                        set.file.display()
                    );
                    assert_eq!(rows.len() as u64, set.record_count);
                    for category in [",1,", ",2,", ",0,", ",,"] {
                        assert!(text.contains(category), "category {category}");
                    }
                    assert!(text.contains("\"photo, downloaded\""), "quoted comma");
                    continue;
                }
                // Checked by exchange_sets_are_described below, and by
                // importing them in the hashset crate's tests.
                "vics" | "caid" | "nsrl-rds3" | "nsrl-rds2" | "hashkeeper" | "encase"
                | "tsk-idx" | "tsk-kdb" => continue,
                other => panic!("unknown format {other}"),
            };
        let (digests, bad, upper) = parse_sum(&text, hex_len);
        saw_upper |= upper;
        let named: BTreeSet<Vec<u8>> = m
            .files
            .iter()
            .filter(|f| digests.contains(&algo(f)))
            .map(|f| f.path.clone())
            .collect();
        assert_eq!(
            named,
            set.lists.iter().cloned().collect(),
            "{}",
            set.file.display()
        );
        assert_eq!(
            digests.len() as u64,
            set.record_count,
            "{}",
            set.file.display()
        );
        assert_eq!(
            bad.first().copied(),
            set.malformed_line,
            "{}",
            set.file.display()
        );
        assert!(bad.len() <= 1);
        let mut sorted = set.lists.clone();
        sorted.sort();
        assert_eq!(sorted, set.lists, "lists is sorted");
    }
    assert!(saw_upper, "some list has upper-case hex");

    let set = |name: &str| m.hashset(name).unwrap_or_else(|| panic!("{name} written"));
    let known = set("known.md5");
    assert_eq!(known.kind, "alert");
    assert_eq!(known.record_count, 7 + 20);
    for path in [
        &b"Users/alex/Documents/report.dat"[..],
        b"Users/alex/Pictures/caf\xe9.jpg",
        b"tmp/cache/a/b/thumb-7f3a.jpg",
    ] {
        assert!(
            known.lists.iter().any(|p| p == path),
            "{}",
            String::from_utf8_lossy(path)
        );
    }
    assert_eq!(set("bad-lines.md5").malformed_line, Some(4));
    let nsrl = set("nsrl-sample.sha1");
    assert_eq!(nsrl.kind, "ignore");
    assert!(
        nsrl.lists
            .iter()
            .any(|p| p == b"Users/alex/Documents/empty.txt")
    );
    assert!(
        nsrl.lists
            .iter()
            .all(|p| m.file(p).is_some_and(|f| f.format.is_none()))
    );
    // The mode-000 file is named by no list, so match counts do not depend
    // on whether the tests run as root.
    let locked = m
        .files
        .iter()
        .find(|f| f.unreadable)
        .map(|f| f.path.clone());
    assert!(
        m.hashsets
            .iter()
            .all(|s| !s.lists.contains(locked.as_ref().unwrap_or(&Vec::new())))
    );
    Ok(())
}

#[test]
fn exchange_sets_are_described() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions { large: false })?;
    let formats: BTreeSet<&str> = m.hashsets.iter().map(|s| s.format.as_str()).collect();
    for f in [
        "vics", "caid", "nsrl-rds3", "nsrl-rds2", "hashkeeper", "encase", "tsk-idx", "tsk-kdb",
    ] {
        assert!(formats.contains(f), "no {f} set in {formats:?}");
    }
    let by_file = |name: &str| m.hashset(name).unwrap_or_else(|| panic!("{name} written"));
    for set in &m.hashsets {
        let bytes = fs::read(m.hashsets_dir.join(&set.file))?;
        assert!(!bytes.is_empty(), "{}", set.file.display());
        assert!(!set.lists.is_empty(), "{} lists nothing", set.file.display());
        assert!(set.record_count as usize >= set.lists.len().min(1));
        let listed: BTreeSet<&str> = set
            .lists
            .iter()
            .filter_map(|p| m.file(p))
            .map(|f| f.md5.as_str())
            .collect();
        for md5 in set.categories.keys() {
            assert!(listed.contains(md5.as_str()), "{}: {md5}", set.file.display());
        }
    }
    let v13 = by_file("vics-1.3-media.json");
    assert_eq!(v13.profile.as_deref(), Some("US"));
    let cats: BTreeSet<Option<&str>> = v13.categories.values().map(|c| c.as_deref()).collect();
    assert!(cats.contains(&Some("0")) && cats.contains(&None), "0 and null: {cats:?}");
    let text = fs::read(m.hashsets_dir.join("vics-1.3-media.json"))?;
    assert!(text.starts_with(b"\xEF\xBB\xBF{"), "a BOM");
    let caid = by_file("caid-uk.json");
    assert_eq!((caid.format.as_str(), caid.profile.as_deref()), ("caid", Some("UK")));
    assert_eq!(by_file("nsrl-rds3-minimal.db").kind, "ignore");
    let db = fs::read(m.hashsets_dir.join("nsrl-rds3-minimal.db"))?;
    assert!(db.starts_with(b"SQLite format 3\0"));
    let enc = fs::read(m.hashsets_dir.join("encase.hash"))?;
    assert_eq!(enc.len(), 0x480 + 18 * by_file("encase.hash").record_count as usize);
    // Both NSRL 2.x column orders.
    let heads: Vec<String> = ["NSRLFile.txt", "NSRLFile-md5-first.txt"]
        .iter()
        .map(|f| {
            let t = fs::read_to_string(m.hashsets_dir.join(f)).unwrap_or_default();
            t.lines().next().unwrap_or_default().to_string()
        })
        .collect();
    assert!(heads[0].starts_with("\"SHA-1\",\"FileName\""), "{heads:?}");
    assert!(heads[1].starts_with("\"SHA-1\",\"MD5\""), "{heads:?}");
    Ok(())
}

#[test]
fn the_tree_has_what_the_scanner_tests_need() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions::default())?;
    let pictures: Vec<_> = m.files.iter().filter(|f| f.format.is_some()).collect();
    let dims: BTreeSet<(u32, u32)> = pictures
        .iter()
        .filter_map(|f| Some((f.width?, f.height?)))
        .collect();
    for d in [
        (16, 16),
        (64, 48),
        (320, 240),
        (640, 480),
        (1024, 768),
        (4000, 3000),
    ] {
        assert!(dims.contains(&d), "{d:?} in {dims:?}");
    }
    let mismatched: BTreeSet<&str> = pictures
        .iter()
        .filter(|f| f.extension_mismatch)
        .map(|f| f.path_lossy.as_str())
        .collect();
    assert_eq!(
        mismatched,
        BTreeSet::from([
            "Users/alex/Documents/report.dat",
            "Users/alex/Downloads/photo.jpg"
        ])
    );

    let mut by_digest: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
    for f in &m.files {
        by_digest.entry(&f.sha256).or_default().push(&f.path);
    }
    let biggest_group = by_digest.values().map(Vec::len).max().unwrap_or(0);
    assert!(
        biggest_group >= 3,
        "a file stored under three or more names"
    );
    assert!(m.files.iter().any(|f| f.size == 0), "an empty file");
    assert_eq!(m.files.iter().filter(|f| f.unreadable).count(), 1);
    assert!(
        m.files
            .iter()
            .any(|f| std::str::from_utf8(&f.path).is_err() && f.format.is_some())
    );
    assert!(m.files.iter().any(|f| f.path_lossy.contains(' ')));
    assert!(
        m.file("Users/alex/Pictures/überblick ☃.png".as_bytes())
            .is_some()
    );
    let depth = m
        .files
        .iter()
        .map(|f| f.path.iter().filter(|&&b| b == b'/').count())
        .max()
        .unwrap_or(0);
    assert!(depth >= 4, "nested at least three folders deep");
    let total: u64 = m.files.iter().map(|f| f.size).sum();
    assert!(total < 25_000_000, "tree is {total} bytes");
    Ok(())
}

#[test]
fn without_large_the_big_jpeg_is_left_out() -> TestResult {
    let (_dir, m) = fresh(&FixtureOptions { large: false })?;
    assert!(m.files.iter().all(|f| f.width != Some(4000)));
    assert!(m.file(b"DCIM/100CAMERA/IMG_0003.JPG").is_none());
    let known = m.hashset("known.md5").map(|s| s.record_count);
    assert_eq!(known, Some(6 + 20));
    Ok(())
}

#[test]
fn a_non_empty_output_folder_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    fs::write(dir.path().join("keep.txt"), b"mine")?;
    let err = generate(dir.path(), &FixtureOptions { large: false })
        .err()
        .map(|e| e.kind());
    assert_eq!(err, Some(ErrorKind::AlreadyExists));
    assert_eq!(fs::read_dir(dir.path())?.count(), 1, "nothing written");
    // An existing empty folder is fine.
    let empty = tempfile::tempdir()?;
    generate(empty.path(), &FixtureOptions { large: false })?;
    Ok(())
}

#[test]
fn a_deep_output_folder_still_gets_its_socket() -> TestResult {
    // Past ~108 bytes a socket path no longer fits in sun_path.
    let dir = tempfile::tempdir()?;
    let deep: PathBuf = dir
        .path()
        .join("a-rather-long-folder-name-for-testing".repeat(2))
        .join("and-another-one-below-it");
    let m = generate(&deep, &FixtureOptions { large: false })?;
    let sock = m.evidence_path(b"tmp/agent.sock");
    assert!(sock.as_os_str().len() > 108);
    assert!(fs::symlink_metadata(&sock)?.file_type().is_socket());
    Ok(())
}
