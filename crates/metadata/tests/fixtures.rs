//! Every camera picture of the fixture tree against the answers its
//! manifest records: each field, the EXIF state, and the camera-original
//! verdict. Plus hostile input: every cut and many corruptions of a real
//! camera JPEG return, never panic.

use spoor_fixtures::{CameraFile, Extras, FixtureOptions, Manifest, generate_with};
use spoor_metadata::{Error, MediaMetadata, Verdict, camera_original, from_bytes};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture() -> Result<(tempfile::TempDir, Manifest), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = generate_with(
        &dir.path().join("out"),
        &FixtureOptions { large: false },
        &Extras { camera: true },
    )?;
    Ok((dir, m))
}

fn read(m: &Manifest, f: &CameraFile) -> std::io::Result<Vec<u8>> {
    std::fs::read(m.evidence_path(&f.path))
}

/// The verdict the scan would store for this file.
fn verdict(result: &Result<Option<MediaMetadata>, Error>, mime: &str) -> Verdict {
    match result {
        Ok(meta) => camera_original(meta.as_ref(), mime),
        Err(e) => Verdict::unreadable(e),
    }
}

#[test]
fn every_field_of_every_camera_picture() -> TestResult {
    let (_dir, m) = fixture()?;
    let cam = m.camera.as_ref().ok_or("no camera manifest")?;
    assert!(cam.files.len() >= 12, "{} camera pictures", cam.files.len());
    let mut states = std::collections::BTreeMap::new();
    for f in &cam.files {
        let name = &f.path_lossy;
        let result = from_bytes(&read(&m, f)?);
        *states.entry(f.exif.clone()).or_insert(0) += 1;
        match f.exif.as_str() {
            "absent" => assert_eq!(result, Ok(None), "{name}"),
            "damaged" => assert!(
                matches!(result, Err(Error::Damaged(_))),
                "{name}: {result:?}"
            ),
            "present" | "partial" => {
                let meta = result
                    .clone()
                    .map_err(|e| format!("{name}: {e}"))?
                    .ok_or(format!("{name}: no EXIF"))?;
                assert_eq!(meta.make, f.make, "{name} make");
                assert_eq!(meta.model, f.model, "{name} model");
                assert_eq!(meta.serial, f.serial, "{name} serial");
                assert_eq!(meta.lens_model, f.lens_model, "{name} lens");
                assert_eq!(meta.software, f.software, "{name} software");
                assert_eq!(meta.orientation, f.orientation, "{name} orientation");
                assert_eq!(meta.image_unique_id, f.image_unique_id, "{name} unique id");
                let c = meta.capture.as_ref();
                assert_eq!(
                    c.map(|c| c.local.clone()),
                    f.capture_local,
                    "{name} capture"
                );
                assert_eq!(
                    c.and_then(|c| c.offset.clone()),
                    f.capture_offset,
                    "{name} offset"
                );
                assert_eq!(c.and_then(|c| c.utc.clone()), f.capture_utc, "{name} utc");
                match (&meta.gps, &f.gps) {
                    (None, None) => {}
                    (Some(got), Some(want)) => {
                        assert_eq!(
                            (got.latitude * 1e7).round() as i64,
                            want.latitude_e7,
                            "{name} latitude"
                        );
                        assert_eq!(
                            (got.longitude * 1e7).round() as i64,
                            want.longitude_e7,
                            "{name} longitude"
                        );
                        assert_eq!(
                            got.altitude.map(|a| (a * 100.0).round() as i64),
                            want.altitude_cm,
                            "{name} altitude"
                        );
                    }
                    (got, want) => panic!("{name}: gps {got:?}, expected {want:?}"),
                }
                // A partial block says what it could not read; a blank
                // capture time is said too.
                let expect_notes =
                    f.exif == "partial" || (f.make.is_some() && f.capture_local.is_none());
                assert_eq!(
                    !meta.notes.is_empty(),
                    expect_notes,
                    "{name}: {:?}",
                    meta.notes
                );
            }
            other => panic!("{name}: unknown exif state {other}"),
        }
        let v = verdict(&result, &f.mime);
        assert_eq!(
            v.is_camera_original, f.camera_original,
            "{name}: {:?}",
            v.reasons
        );
        assert!(!v.reasons.is_empty(), "{name}: a verdict says why");
    }
    // Every state is exercised.
    for state in ["present", "partial", "damaged", "absent"] {
        assert!(
            states.get(state).copied().unwrap_or(0) > 0,
            "no {state} EXIF in the fixture: {states:?}"
        );
    }
    let originals = cam.files.iter().filter(|f| f.camera_original).count();
    assert!(
        originals >= 4 && originals < cam.files.len(),
        "{originals} originals"
    );
    Ok(())
}

#[test]
fn the_reasons_name_the_rule() -> TestResult {
    let (_dir, m) = fixture()?;
    let cam = m.camera.as_ref().ok_or("no camera manifest")?;
    let reasons = |suffix: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let f = cam
            .files
            .iter()
            .find(|f| f.path_lossy.ends_with(suffix))
            .ok_or(format!("no {suffix}"))?;
        Ok(verdict(&from_bytes(&read(&m, f)?), &f.mime).reasons)
    };
    assert!(
        reasons("IMG_2001-edit.jpg")?
            .iter()
            .any(|r| r.contains("Adobe Photoshop"))
    );
    assert!(reasons("WA0003.jpg")?[0].starts_with("JPEG without EXIF"));
    assert!(reasons(".png")?[0].starts_with("PNG without camera metadata"));
    assert!(reasons("Other/IMG_5001.JPG")?.contains(&"no readable capture time".to_string()));
    assert!(reasons("Other/IMG_5002.JPG")?[0].contains("unreadable"));
    assert!(
        reasons("DSC_3001.JPG")?
            .iter()
            .any(|r| r.contains("NIKON D750, serial SYN3004417"))
    );
    Ok(())
}

/// Pictures of the ordinary tree: none has EXIF (the encoders write none),
/// every one reads without error, TIFF files included.
#[test]
fn ordinary_fixture_pictures_have_no_metadata() -> TestResult {
    let (_dir, m) = fixture()?;
    let cam: Vec<&[u8]> = m
        .camera
        .iter()
        .flat_map(|c| c.files.iter().map(|f| f.path.as_slice()))
        .collect();
    let mut seen = 0;
    for f in m
        .files
        .iter()
        .filter(|f| f.format.is_some() && !f.unreadable && !cam.contains(&f.path.as_slice()))
    {
        let bytes = std::fs::read(m.evidence_path(&f.path))?;
        assert_eq!(from_bytes(&bytes), Ok(None), "{}", f.path_lossy);
        seen += 1;
    }
    assert!(seen >= 20, "{seen}");
    Ok(())
}

/// Hostile input: every prefix of a camera JPEG's first 4 KiB and 3000
/// seeded corruptions of its EXIF segment must return (an answer or an
/// error), never panic or hang.
#[test]
fn cut_and_corrupted_exif_never_panics() -> TestResult {
    let (_dir, m) = fixture()?;
    let cam = m.camera.as_ref().ok_or("no camera manifest")?;
    let f = cam
        .files
        .iter()
        .find(|f| f.gps.is_some())
        .ok_or("no GPS picture")?;
    let bytes = read(&m, f)?;
    let mut errors = 0;
    for cut in 0..4096.min(bytes.len()) {
        if from_bytes(&bytes[..cut]).is_err() {
            errors += 1;
        }
    }
    assert!(
        errors > 100,
        "cuts inside the EXIF segment are errors ({errors})"
    );
    let exif_len = usize::from(u16::from_be_bytes([bytes[4], bytes[5]])) + 4;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Answers, no EXIF, damaged, reader panics (caught: still an answer).
    let mut outcomes = [0u32; 4];
    for _ in 0..3000 {
        let mut b = bytes[..exif_len + 64].to_vec();
        for _ in 0..1 + next() % 4 {
            let at = 12 + (next() as usize) % (exif_len - 12);
            b[at] = next() as u8;
        }
        match from_bytes(&b) {
            Ok(Some(_)) => outcomes[0] += 1,
            Ok(None) => outcomes[1] += 1,
            Err(Error::Damaged(_)) => outcomes[2] += 1,
            Err(Error::Panicked(_)) => outcomes[3] += 1,
        }
    }
    assert!(outcomes[0] > 0 && outcomes[2] > 0, "{outcomes:?}");
    Ok(())
}
