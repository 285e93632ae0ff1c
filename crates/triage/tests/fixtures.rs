//! Every triage rule against the answers the camera fixtures record: the
//! series, the low-quality pictures kept apart, the near-known candidate,
//! the priority counts per evidence item, and the VICS export read back by
//! Spoor's own importer.

use std::collections::{BTreeMap, BTreeSet};

use spoor_fixtures::{CameraFile, Extras, FixtureOptions, Manifest, generate_with};
use spoor_metadata::{MediaMetadata, Verdict, camera_original, from_bytes};
use spoor_pdq::PdqHash;
use spoor_triage::vics::{VicsFile, VicsMedia, render};
use spoor_triage::{
    CaseTriageInput, ClusterSettings, FileRecord, HitCategory, Known, NearKnownSettings,
    PrioritySettings, ReferenceDate, ReferenceSource, TriageSettings, Unknown, WEIGHTS, cluster,
    near_known, triage,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// What the scan would record for one picture.
#[derive(Debug, Clone)]
struct Scanned {
    id: i64,
    path: Vec<u8>,
    pdq: Option<(PdqHash, u32)>,
    meta: Option<MediaMetadata>,
    original: bool,
}

struct Fixture {
    _dir: tempfile::TempDir,
    m: Manifest,
    /// Every picture of the tree, id = position in `m.files` + 1.
    scanned: Vec<Scanned>,
}

impl Fixture {
    fn new() -> Result<Fixture, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let m = generate_with(
            &dir.path().join("out"),
            &FixtureOptions { large: false },
            &Extras { camera: true },
        )?;
        let mut scanned = Vec::new();
        for (i, f) in m.files.iter().enumerate() {
            if f.format.is_none() {
                continue;
            }
            let bytes = std::fs::read(m.evidence_path(&f.path))?;
            let pdq = spoor_pdq::decode::hash_file_bytes(&bytes, &Default::default())
                .ok()
                .map(|(r, _)| (r.hash, r.quality));
            let mime = format!("image/{}", f.format.as_deref().unwrap_or_default());
            let read = from_bytes(&bytes);
            let verdict = match &read {
                Ok(meta) => camera_original(meta.as_ref(), &mime),
                Err(e) => Verdict::unreadable(e),
            };
            scanned.push(Scanned {
                id: i as i64 + 1,
                path: f.path.clone(),
                pdq,
                meta: read.ok().flatten(),
                original: verdict.is_camera_original,
            });
        }
        Ok(Fixture {
            _dir: dir,
            m,
            scanned,
        })
    }

    fn camera(&self) -> &[CameraFile] {
        self.m
            .camera
            .as_ref()
            .map(|c| c.files.as_slice())
            .unwrap_or_default()
    }

    fn scanned(&self, path: &[u8]) -> &Scanned {
        self.scanned
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("{} not scanned", String::from_utf8_lossy(path)))
    }

    fn id(&self, path: &[u8]) -> i64 {
        self.scanned(path).id
    }

    /// The camera pictures that are not known material, as unknowns.
    fn unknown(&self) -> Vec<Unknown> {
        self.camera()
            .iter()
            .filter(|f| !f.known)
            .map(|f| {
                let s = self.scanned(&f.path);
                let (pdq, quality) = s.pdq.expect("every camera picture decodes");
                Unknown {
                    id: s.id,
                    pdq,
                    quality,
                }
            })
            .collect()
    }

    fn known(&self) -> Vec<Known> {
        self.camera()
            .iter()
            .filter(|f| f.known)
            .map(|f| {
                let s = self.scanned(&f.path);
                let (pdq, quality) = s.pdq.expect("decodes");
                Known {
                    id: s.id,
                    pdq,
                    quality: Some(quality),
                }
            })
            .collect()
    }
}

#[test]
fn series_are_the_manifest_labels_exactly() -> TestResult {
    let fx = Fixture::new()?;
    let unknown = fx.unknown();
    let c = cluster(&unknown, &ClusterSettings::default());
    let by_file = c.by_file();
    let files: Vec<&CameraFile> = fx.camera().iter().filter(|f| !f.known).collect();
    assert!(files.iter().filter(|f| f.series.is_some()).count() >= 6);
    for a in &files {
        for b in &files {
            if a.path == b.path {
                continue;
            }
            let same = by_file[&fx.id(&a.path)] == by_file[&fx.id(&b.path)];
            let want = a.series.is_some() && a.series == b.series;
            assert_eq!(same, want, "{} / {}", a.path_lossy, b.path_lossy);
        }
    }
    // Each series has its highest-quality, lowest-id member as representative.
    for s in c.series() {
        let best = unknown
            .iter()
            .filter(|u| s.members.contains(&u.id))
            .max_by(|a, b| a.quality.cmp(&b.quality).then(b.id.cmp(&a.id)))
            .map(|u| u.id);
        assert_eq!(Some(s.representative), best);
    }
    // The flat pictures are as alike as pictures get, and still alone:
    // their quality is what keeps them apart.
    let flat: Vec<&Unknown> = files
        .iter()
        .filter(|f| f.low_quality)
        .map(|f| {
            unknown
                .iter()
                .find(|u| u.id == fx.id(&f.path))
                .expect("unknown")
        })
        .collect();
    assert_eq!(flat.len(), 2);
    assert!(flat[0].pdq.hamming(&flat[1].pdq) <= 31);
    assert!(flat.iter().all(|u| u.quality < 50));
    // And every other camera picture is of linkable quality.
    for f in files.iter().filter(|f| !f.low_quality) {
        let q = unknown
            .iter()
            .find(|u| u.id == fx.id(&f.path))
            .map(|u| u.quality);
        assert!(q >= Some(50), "{}: quality {q:?}", f.path_lossy);
    }
    Ok(())
}

#[test]
fn near_known_lists_the_heavier_edit_only() -> TestResult {
    let fx = Fixture::new()?;
    let unknown = fx.unknown();
    let known = fx.known();
    assert_eq!(known.len(), 1);
    let want: Vec<(i64, i64)> = fx
        .camera()
        .iter()
        .filter_map(|f| Some((fx.id(&f.path), fx.id(f.near_known_of.as_ref()?))))
        .collect();
    assert_eq!(want.len(), 1);
    for settings in [
        NearKnownSettings::default(),
        NearKnownSettings {
            min_distance: 32,
            ..NearKnownSettings::default()
        },
    ] {
        let got = near_known(&unknown, &known, &settings);
        let pairs: Vec<(i64, i64)> = got.iter().map(|n| (n.unknown_id, n.known_id)).collect();
        assert_eq!(pairs, want);
        assert!(
            (32..=40).contains(&got[0].distance),
            "distance {}",
            got[0].distance
        );
    }
    // Not a match: at the match threshold nothing is near.
    let strict = NearKnownSettings {
        max_distance: 31,
        ..NearKnownSettings::default()
    };
    assert!(near_known(&unknown, &known, &strict).is_empty());
    Ok(())
}

/// The case-level triage over the whole fixture tree: the camera folder as
/// one evidence item, everything else as another, hits from the alert lists.
#[test]
fn priority_counts_are_the_manifest_answers() -> TestResult {
    let fx = Fixture::new()?;
    let cam = fx.m.camera.as_ref().ok_or("no camera manifest")?;
    let camera_paths: BTreeSet<&[u8]> = cam.files.iter().map(|f| f.path.as_slice()).collect();
    // Alert hits by path, with the list's category for that content.
    let mut hits: BTreeMap<Vec<u8>, Vec<HitCategory>> = BTreeMap::new();
    for set in fx.m.hashsets.iter().filter(|s| s.kind == "alert") {
        for path in &set.lists {
            let md5 = fx.m.file(path).map(|f| f.md5.clone()).unwrap_or_default();
            hits.entry(path.clone()).or_default().push(HitCategory {
                category: set.categories.get(&md5).cloned().flatten(),
                profile: set.profile.clone(),
            });
        }
    }
    let files: Vec<FileRecord> = fx
        .scanned
        .iter()
        .map(|s| FileRecord {
            file_id: s.id,
            evidence_id: if camera_paths.contains(s.path.as_slice()) {
                "E1-phone"
            } else {
                "E2-laptop"
            }
            .into(),
            path: String::from_utf8_lossy(&s.path).into_owned(),
            pdq: s.pdq.map(|p| p.0),
            pdq_quality: s.pdq.map(|p| p.1),
            known_good: false,
            hits: hits.get(&s.path).cloned().unwrap_or_default(),
            metadata: s.meta.clone(),
            camera_original: s.original,
            frames: Vec::new(),
            variants: Vec::new(),
        })
        .collect();
    let reference = ReferenceDate {
        utc: cam.seized_utc.clone(),
        source: ReferenceSource::Seizure,
    };
    let settings = TriageSettings {
        priority: PrioritySettings {
            recent_days: cam.recent_days,
        },
        ..TriageSettings::default()
    };
    let summary = triage(&CaseTriageInput {
        files,
        references: [
            ("E1-phone".to_string(), reference.clone()),
            ("E2-laptop".to_string(), reference),
        ]
        .into(),
        extra_known: Vec::new(),
        settings,
    });

    // The answers, from the manifest alone.
    let unknown: Vec<&CameraFile> = cam.files.iter().filter(|f| !f.known).collect();
    let originals = unknown.iter().filter(|f| f.camera_original).count() as u64;
    let recent = unknown
        .iter()
        .filter(|f| f.camera_original && f.recent)
        .count() as u64;
    let labels_with_original: BTreeSet<&str> = unknown
        .iter()
        .filter(|f| f.camera_original)
        .filter_map(|f| f.series.as_deref())
        .collect();
    let near = cam
        .files
        .iter()
        .filter(|f| f.near_known_of.is_some())
        .count() as u64;
    let gps = unknown.iter().filter(|f| f.gps.is_some()).count() as u64;
    let want: BTreeMap<&str, u64> = [
        ("recent_camera_original", recent),
        ("camera_original", originals),
        (
            "series_with_camera_original",
            labels_with_original.len() as u64,
        ),
        ("near_known", near),
        ("gps", gps),
        // The known picture's list has no categories.
        (
            "known_other",
            cam.files.iter().filter(|f| f.known).count() as u64,
        ),
    ]
    .into();
    assert!(
        want.values().all(|&n| n > 0),
        "every rule is exercised: {want:?}"
    );

    let phone = summary
        .evidence
        .iter()
        .find(|p| p.evidence_id == "E1-phone")
        .ok_or("no phone")?;
    let got: BTreeMap<&str, u64> = phone
        .reasons
        .iter()
        .map(|r| (r.code.as_str(), r.count))
        .collect();
    assert_eq!(got, want, "{phone:#?}");
    let expected_score: u32 = want
        .iter()
        .map(|(code, n)| {
            let w = WEIGHTS.iter().find(|w| w.code == *code).expect("a weight");
            (*n as u32 * w.points_each).min(w.cap)
        })
        .sum();
    assert_eq!(phone.score, expected_score);
    assert!(phone.notes.is_empty());

    // New material first: the phone outranks the laptop with its known hits.
    assert_eq!(summary.evidence[0].evidence_id, "E1-phone");
    let laptop = &summary.evidence[1];
    assert!(
        laptop.reasons.iter().any(|r| r.code == "known_abuse"),
        "{laptop:#?}"
    );
    assert!(
        laptop.reasons.iter().all(|r| r.code.starts_with("known_")),
        "{laptop:#?}"
    );
    assert!(laptop.score < phone.score);

    // The summary lists what it scored.
    let camera_originals: Vec<i64> = {
        let mut v: Vec<i64> = unknown
            .iter()
            .filter(|f| f.camera_original)
            .map(|f| fx.id(&f.path))
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(summary.camera_originals, camera_originals);
    assert_eq!(summary.near_known.len(), 1);
    let json = serde_json::to_value(&summary)?;
    assert_eq!(json["settings"]["cluster"]["max_distance"], 31);
    assert_eq!(
        json["evidence"][0]["reasons"][0]["points"],
        phone.reasons[0].points
    );
    Ok(())
}

/// Unknown camera originals exported as VICS 2.0 and imported again by
/// `spoor-hashset` (format detected): digests, size, category and file
/// names survive.
#[test]
fn vics_export_reads_back() -> TestResult {
    let fx = Fixture::new()?;
    let mut media = Vec::new();
    for (i, f) in fx
        .camera()
        .iter()
        .filter(|f| f.camera_original && !f.known)
        .enumerate()
    {
        let file = fx.m.file(&f.path).ok_or("in the file list")?;
        let s = fx.scanned(&f.path);
        media.push(VicsMedia {
            md5: file.md5.to_uppercase(),
            sha1: file.sha1.clone(),
            sha256: Some(file.sha256.clone()),
            size: file.size,
            // The examiner categorised the first two; the rest are null.
            category: match i {
                0 => Some("1".into()),
                1 => Some("2".into()),
                _ => None,
            },
            pdq: s.pdq.map(|p| p.0),
            metadata: s.meta.clone(),
            files: vec![VicsFile {
                file_name: f.path_lossy.rsplit('/').next().unwrap_or_default().into(),
                file_path: f.path_lossy.clone(),
                evidence_id: Some("E1-phone".into()),
            }],
            comments: Some("unknown material, camera original".into()),
        });
    }
    assert!(media.len() >= 4);
    let bytes = render(&media)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)?;
    assert_eq!(
        json["@odata.context"],
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
    );
    let exifs = json["value"][0]["Exifs"].as_array().ok_or("Exifs")?;
    assert!(exifs.iter().any(|e| e["PropertyName"] == "Model"));
    assert!(json["value"].as_array().ok_or("value")?.iter().any(|m| {
        m["Exifs"]
            .as_array()
            .is_some_and(|e| e.iter().any(|p| p["PropertyName"] == "GPSLatitude"))
    }));

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("unknown-material.json");
    std::fs::write(&path, &bytes)?;
    let library = spoor_hashset::Library::open(&dir.path().join("library"))?;
    let info = library.import(
        &path,
        &spoor_hashset::ImportOptions {
            name: "Spoor triage export".into(),
            version: Some("1".into()),
            kind: spoor_hashset::SetKind::Alert,
            format: None,
            ..spoor_hashset::ImportOptions::default()
        },
    )?;
    assert_eq!(info.format, spoor_hashset::Format::Vics);
    assert_eq!(info.record_count, media.len() as u64);
    let matcher = library.load(&[])?;
    for m in &media {
        let md5: [u8; 16] = hex::decode(m.md5.to_lowercase())?
            .try_into()
            .map_err(|_| "md5")?;
        let sha1: [u8; 20] = hex::decode(&m.sha1)?.try_into().map_err(|_| "sha1")?;
        let found = matcher.lookup(&md5, &sha1, &[0u8; 32])?;
        assert_eq!(found.len(), 1, "{}", m.md5);
        let r = &found[0].record;
        assert_eq!(r.md5.as_deref(), Some(m.md5.to_lowercase().as_str()));
        assert_eq!(r.sha1.as_deref(), Some(m.sha1.as_str()));
        assert_eq!(r.sha256, m.sha256);
        assert_eq!(r.category, m.category, "{}", m.md5);
        assert_eq!(r.media_size, Some(m.size));
        assert_eq!(r.name.as_deref(), Some(m.files[0].file_name.as_str()));
    }
    Ok(())
}
