//! The camera extras add pictures and one list and change nothing else;
//! their bytes are reproducible; their answers describe the files written.

use std::collections::BTreeSet;
use std::fs;

use spoor_fixtures::{Extras, FixtureOptions, Manifest, generate, generate_with};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn both() -> Result<(tempfile::TempDir, Manifest, Manifest), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let opts = FixtureOptions { large: false };
    let plain = generate(&dir.path().join("plain"), &opts)?;
    let camera = generate_with(&dir.path().join("camera"), &opts, &Extras { camera: true })?;
    Ok((dir, plain, camera))
}

#[test]
fn camera_extras_change_nothing_else() -> TestResult {
    let (_dir, plain, camera) = both()?;
    assert!(plain.camera.is_none());
    let answers = camera.camera.as_ref().ok_or("camera answers")?;
    let camera_paths: BTreeSet<&[u8]> = answers.files.iter().map(|f| f.path.as_slice()).collect();
    // Every plain file is there, the same; the others are the camera ones.
    let others: Vec<_> = camera
        .files
        .iter()
        .filter(|f| !camera_paths.contains(f.path.as_slice()))
        .cloned()
        .collect();
    assert_eq!(others, plain.files);
    assert_eq!(camera.files.len(), plain.files.len() + answers.files.len());
    assert!(
        camera_paths
            .iter()
            .all(|p| p.starts_with(b"Users/sam/Camera/"))
    );
    // Every plain list is there, the same, with the same bytes on disk.
    assert_eq!(
        &camera.hashsets[..plain.hashsets.len()],
        &plain.hashsets[..]
    );
    for set in &plain.hashsets {
        let a = fs::read(plain.hashsets_dir.join(&set.file))?;
        let b = fs::read(camera.hashsets_dir.join(&set.file))?;
        assert!(a == b, "{} differs", set.file.display());
    }
    // Plus one: the known camera picture's list.
    let extra = &camera.hashsets[plain.hashsets.len()..];
    assert_eq!(extra.len(), 1);
    assert_eq!(extra[0].file, answers.known_list);
    assert_eq!(extra[0].kind, "alert");
    let known: Vec<&[u8]> = answers
        .files
        .iter()
        .filter(|f| f.known)
        .map(|f| f.path.as_slice())
        .collect();
    assert_eq!(
        extra[0].lists.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        known
    );
    let text = fs::read_to_string(camera.hashsets_dir.join(&answers.known_list))?;
    let md5 = &camera.file(known[0]).ok_or("known file")?.md5;
    assert_eq!(text, format!("{md5}  known-0001.jpg\n"));
    Ok(())
}

#[test]
fn camera_answers_describe_the_files() -> TestResult {
    let (_dir, _plain, camera) = both()?;
    let answers = camera.camera.as_ref().ok_or("camera answers")?;
    for a in &answers.files {
        let f = camera.file(&a.path).ok_or("listed in files")?;
        let bytes = fs::read(camera.evidence_path(&a.path))?;
        assert_eq!(bytes.len() as u64, f.size);
        let format = f.format.as_deref().ok_or("a picture")?;
        assert_eq!(a.mime, format!("image/{format}"));
        let decoded = image::load_from_memory(&bytes)?;
        assert_eq!(
            (Some(decoded.width()), Some(decoded.height())),
            (f.width, f.height),
            "{}",
            a.path_lossy
        );
        // JPEGs with EXIF carry it in an APP1 segment right after SOI.
        let has_app1 =
            bytes.len() > 10 && bytes[2..4] == [0xFF, 0xE1] && &bytes[6..12] == b"Exif\0\0";
        assert_eq!(has_app1, a.exif != "absent", "{}", a.path_lossy);
        // Answers hang together.
        assert!(
            !a.camera_original || a.exif == "present",
            "{}",
            a.path_lossy
        );
        assert!(!a.recent || a.camera_original, "{}", a.path_lossy);
        if let Some(of) = &a.near_known_of {
            assert!(answers.files.iter().any(|k| &k.path == of && k.known));
        }
    }
    // Round trip through JSON.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("manifest.json");
    camera.write(&path)?;
    assert_eq!(Manifest::read(&path)?, camera);
    Ok(())
}

#[test]
fn camera_pictures_are_reproducible() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = FixtureOptions { large: false };
    let a = generate_with(&dir.path().join("a"), &opts, &Extras { camera: true })?;
    let b = generate_with(&dir.path().join("b"), &opts, &Extras { camera: true })?;
    let answers = a.camera.as_ref().ok_or("camera answers")?;
    assert_eq!(a.camera, b.camera);
    for f in &answers.files {
        let (x, y) = (
            fs::read(a.evidence_path(&f.path))?,
            fs::read(b.evidence_path(&f.path))?,
        );
        assert!(x == y, "{} differs", f.path_lossy);
    }
    Ok(())
}
