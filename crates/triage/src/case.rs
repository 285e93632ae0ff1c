//! Triage of a case file: reads the latest run of every evidence item, runs
//! [`crate::triage_with`] and returns what `spoor triage --json` prints and
//! the reports show, with paths and metadata beside every id. Read-only;
//! the result is computed each time, never stored.
//!
//! **Unknown** = a regular file that was read, matched no alert set and was
//! not set aside by an ignore set. The unknown *view* lists the unknown
//! pictures and videos; other unknown files are only counted. Pictures (by
//! their PDQ) and videos (by their sampled frames, the case's `frames`
//! table) are clustered together. Known material for near-known = the PDQ
//! and frames of this case's files with alert hits, any PDQ entries the
//! caller passes ([`KnownPdq`]), and the library's alert PDQ and vPDQ sets
//! ([`crate::library`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use spoor_case::{Case, NewMetadata, TriageFileRow};
use spoor_metadata::{GpsPosition, MediaMetadata};
use spoor_pdq::{Dihedral, PdqHash};

use crate::library::{KnownSet, LoadedLibrary, PdqSets, unkey};
use crate::near::Known;
use crate::priority::{Reason, ReferenceDate, ReferenceSource};
use crate::summary::{
    CaseTriageInput, FileRecord, FrameRecord, FrameRef, HitCategory, KnownSource, NearIndex, TriageSettings, VariantRecord, triage_with,
};
use crate::vics::{VicsFile, VicsMedia};
use crate::{Error, Result};

/// A known PDQ fingerprint from outside the case's own hits (a PDQ hash
/// set's record). `label` says where it came from, e.g. `set "X" record 12`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPdq {
    pub label: String,
    pub pdq: PdqHash,
    pub quality: Option<u32>,
}

/// The triage of a case (`spoor triage --json`). Field names are a public
/// contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseTriage {
    pub settings: TriageSettings,
    /// Highest priority first.
    pub evidence: Vec<EvidenceTriage>,
    /// Unknown pictures and videos, by evidence item and path.
    pub unknown: Vec<UnknownMedia>,
    /// Unknown regular files of any type.
    pub unknown_files: u64,
    /// Unknown pictures with a PDQ fingerprint (clustered).
    pub unknown_pictures: u64,
    /// Unknown videos with sampled frames (clustered through their frames).
    pub unknown_videos: u64,
    /// Distinct frames of those videos.
    pub unknown_frames: u64,
    /// Unknown camera originals (pictures and videos), by file id.
    pub camera_originals: Vec<i64>,
    /// Series of two or more unknown pictures and videos, largest first.
    pub series: Vec<Series>,
    /// Unknown pictures and videos near known material, nearest first.
    pub near_known: Vec<NearKnownEntry>,
    /// Known PDQ fingerprints compared with: from this case's hits
    /// (pictures and video frames), and from outside (the library's sets
    /// and any given).
    pub known_pdq_from_hits: u64,
    pub known_pdq_from_sets: u64,
    /// The library sets compared with (name, version, id, what they hold).
    pub known_sets: Vec<KnownSet>,
    /// What of the library was not used, and why.
    pub library_notes: Vec<String>,
}

/// One evidence item's priority and counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceTriage {
    pub evidence_id: String,
    /// 1 = look at first.
    pub rank: u32,
    pub score: u32,
    /// Where the score comes from (`code`, `points`, `count`, `text`).
    pub reasons: Vec<Reason>,
    /// What could not be scored and why.
    pub notes: Vec<String>,
    /// The date "recent" is measured from, and where it came from.
    pub reference: Option<ReferenceDate>,
    pub files: u64,
    /// Files with an alert hit.
    pub known_files: u64,
    pub known_good_files: u64,
    pub unknown_files: u64,
    pub unknown_pictures: u64,
    /// Unknown videos with sampled frames.
    pub unknown_videos: u64,
    pub camera_originals: u64,
    /// Series holding at least one of this item's unknown pictures or videos.
    pub series: u64,
    pub near_known: u64,
    /// Unknown pictures with a GPS position.
    pub gps: u64,
}

/// An unknown picture or video with what its metadata says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnknownMedia {
    pub file_id: i64,
    pub evidence_id: String,
    pub path: String,
    pub file_type: Option<String>,
    pub size: u64,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub pdq: Option<String>,
    pub pdq_quality: Option<u32>,
    /// `present`, `absent`, `damaged`; `null` when the scan did not look.
    pub metadata_state: Option<String>,
    pub camera_original: bool,
    pub verdict_reasons: Vec<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub software: Option<String>,
    pub capture_local: Option<String>,
    pub capture_offset: Option<String>,
    pub capture_utc: Option<String>,
    pub gps: Option<GpsPosition>,
    /// Sampled frames of a video (0 for a picture).
    pub frames: u64,
    /// The series (of two or more) it belongs to.
    pub series_id: Option<u32>,
    /// The distance to the nearest known material, when within the
    /// near-known window.
    pub near_known_distance: Option<u32>,
    /// The examiner's latest category for it, if reviewed.
    pub review_category: Option<String>,
}

/// A series of near-duplicate unknown pictures and videos.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Series {
    pub series_id: u32,
    /// The member to look at: its picture of highest PDQ quality (then
    /// lowest id); a series of videos only: the video whose linking frame
    /// has the highest quality (shown by its contact sheet).
    pub representative: i64,
    pub representative_path: String,
    /// `picture` or `video`.
    pub representative_kind: String,
    /// File ids, pictures and videos, ascending.
    pub members: Vec<i64>,
    /// Of the members, the videos, with the frames that joined them.
    pub videos: Vec<SeriesVideoEntry>,
    pub camera_originals: u64,
    pub evidence_ids: Vec<String>,
}

/// A video in a series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeriesVideoEntry {
    pub file_id: i64,
    pub path: String,
    /// The frames within the series distance of another member.
    pub frames: Vec<FrameRef>,
}

/// An unknown picture or video near known material.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NearKnownEntry {
    pub unknown_id: i64,
    pub evidence_id: String,
    pub unknown_path: String,
    pub distance: u32,
    /// Known entries within the window, the nearest included.
    pub within: u32,
    /// The variant of the unknown fingerprint that came nearest, by the
    /// name PDQ hits use: `original`, `rotate90`, `rotate180`, `rotate270`,
    /// `flipx`, `flipy`, `flipplus1` or `flipminus1`. A picture scanned
    /// before case format 4, and a video frame, is compared as stored and
    /// transposed only (`original`, `flipplus1`, see [`crate::transposed`]).
    pub variant: String,
    /// The variant in words (`as stored`, `rotated 90° counter-clockwise`,
    /// `mirrored left to right`, ...): the unknown picture, so turned or
    /// mirrored, looks like the known one.
    pub variant_words: String,
    /// For a video: the frame that came nearest.
    pub unknown_frame: Option<FrameRef>,
    pub known: KnownRef,
}

/// What known material a near-known candidate is near.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnownRef {
    /// `case_file` (a file of this case with an alert hit), `pdq_set` (a
    /// record of a PDQ set, or a fingerprint given from outside) or
    /// `vpdq_set` (a frame of a known video of a vPDQ set).
    pub source: String,
    pub file_id: Option<i64>,
    pub evidence_id: Option<String>,
    pub path: Option<String>,
    /// Where the fingerprint came from, in words (e.g. `set "X" version 2
    /// record 12 (line 13), category 1`).
    pub label: Option<String>,
    /// The hash set (library sets).
    pub set: Option<KnownSetRef>,
    /// The record's number in the set (PDQ sets; the entry of its index).
    pub record: Option<u32>,
    /// The record's line in the set's source.
    pub record_line: Option<u64>,
    /// The file name the record gives.
    pub record_name: Option<String>,
    /// The record's raw category and its display name under the set's
    /// profile.
    pub category: Option<String>,
    pub category_name: Option<String>,
    /// The known video's frame (a vPDQ set's video, or a case video with a
    /// hit).
    pub frame: Option<FrameRef>,
}

/// A library set, as a near-known entry names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnownSetRef {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
}

/// The case's rows as triage reads them: files, the frames of their
/// videos, and the reference dates.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRows {
    pub rows: Vec<TriageFileRow>,
    /// Sampled frames by file id (videos only).
    pub frames: HashMap<i64, Vec<FrameRecord>>,
    pub references: BTreeMap<String, ReferenceDate>,
}

/// Reads what [`triage_rows`] needs from the case.
pub fn read_all(case: &Case) -> Result<CaseRows> {
    let rows = read(case)?;
    let mut frames = HashMap::new();
    for f in rows.iter().filter(|f| f.type_class.as_deref() == Some("video") && f.md5.is_some()) {
        let list: Vec<FrameRecord> = case
            .frames(f.file_id)?
            .into_iter()
            .filter_map(|fr| {
                Some(FrameRecord { frame_number: fr.frame_number, timestamp: fr.timestamp, pdq: fr.pdq.parse().ok()?, quality: fr.quality })
            })
            .collect();
        if !list.is_empty() {
            frames.insert(f.file_id, list);
        }
    }
    Ok(CaseRows { rows, frames, references: references(case)? })
}

/// What to export for victim identification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Selection {
    /// Unknown files by id.
    pub files: Vec<i64>,
    /// Every member of these series.
    pub series: Vec<u32>,
    /// Every unknown camera original.
    pub camera_originals: bool,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.series.is_empty() && !self.camera_originals
    }
}

/// The case's file rows, read once, for [`triage_case`] and [`select`].
pub fn read(case: &Case) -> Result<Vec<TriageFileRow>> {
    Ok(case.triage_files()?)
}

/// Per evidence item: its seizure date, else its acquisition date, else
/// the start of the latest run that scanned it.
pub fn references(case: &Case) -> Result<BTreeMap<String, ReferenceDate>> {
    let mut out = BTreeMap::new();
    let runs: HashMap<i64, String> = case.runs()?.into_iter().map(|r| (r.run_id, r.started_utc)).collect();
    for t in case.evidence_totals()? {
        if let Some(started) = t.run_id.and_then(|id| runs.get(&id)) {
            out.insert(t.evidence_id.clone(), ReferenceDate { utc: started.clone(), source: ReferenceSource::Scan });
        }
    }
    // Acquisition before seizure, so that a seizure date wins.
    let mut dates = case.evidence_dates()?;
    dates.sort_by_key(|d| d.kind == "seizure");
    for d in dates {
        let source = if d.kind == "seizure" { ReferenceSource::Seizure } else { ReferenceSource::Acquisition };
        out.insert(d.evidence_id.clone(), ReferenceDate { utc: d.utc, source });
    }
    Ok(out)
}

fn is_unknown(f: &TriageFileRow) -> bool {
    f.md5.is_some() && f.hits.is_empty() && !f.known_good
}

fn is_media(f: &TriageFileRow) -> bool {
    matches!(f.type_class.as_deref(), Some("image" | "video")) || f.metadata.is_some()
}

fn parse_metadata(m: Option<&NewMetadata>) -> Option<MediaMetadata> {
    m.and_then(|m| m.metadata.as_deref()).and_then(|j| serde_json::from_str(j).ok())
}

/// The triage of the case: see the module documentation. `extra` are
/// known fingerprints given directly; `library` the library sets loaded
/// for it ([`crate::library::LibrarySelection::load`]).
pub fn triage_case(case: &Case, settings: &TriageSettings, extra: &[KnownPdq], library: Option<&LoadedLibrary>) -> Result<CaseTriage> {
    let data = read_all(case)?;
    triage_rows(&data, settings, extra, library)
}

/// What an outside known fingerprint (one of [`CaseTriageInput::extra_known`]) is.
enum Outside {
    Given(usize),
    /// Set index in the matcher, video index in the set, frame index.
    VideoFrame(usize, usize, usize),
}

/// [`triage_case`] over rows already read.
pub fn triage_rows(data: &CaseRows, settings: &TriageSettings, extra: &[KnownPdq], library: Option<&LoadedLibrary>) -> Result<CaseTriage> {
    let (rows, references) = (&data.rows, &data.references);
    let files: Vec<FileRecord> = rows
        .iter()
        .map(|f| FileRecord {
            file_id: f.file_id,
            evidence_id: f.evidence_id.clone(),
            path: f.path.clone(),
            pdq: f.pdq.as_deref().and_then(|p| p.parse().ok()),
            pdq_quality: f.pdq_quality,
            // A file that was never read is neither known nor unknown.
            known_good: f.known_good || f.md5.is_none(),
            hits: f.hits.iter().map(|h| HitCategory { category: h.category.clone(), profile: h.profile.clone() }).collect(),
            metadata: parse_metadata(f.metadata.as_ref()),
            camera_original: f.metadata.as_ref().is_some_and(|m| m.camera_original),
            frames: data.frames.get(&f.file_id).cloned().unwrap_or_default(),
            variants: f
                .pdq_variants
                .iter()
                .filter_map(|v| Some(VariantRecord { variant: Dihedral::from_name(&v.variant)?, pdq: v.pdq.parse().ok()? }))
                .collect(),
        })
        .collect();
    // Outside fingerprints: those given, then the frames of the library's
    // known videos (each video's distinct frames).
    let mut outside: Vec<Outside> = (0..extra.len()).map(Outside::Given).collect();
    let mut extra_known: Vec<Known> =
        extra.iter().enumerate().map(|(i, k)| Known { id: i as i64, pdq: k.pdq, quality: k.quality }).collect();
    let matcher = library.and_then(|l| l.matcher.as_ref());
    if let Some(m) = matcher {
        for set in 0..m.sets().len() {
            for (v, video) in m.known_videos(set).iter().enumerate() {
                let mut seen = std::collections::HashSet::new();
                for (fi, fr) in video.frames.iter().enumerate() {
                    if seen.insert(fr.hash) {
                        extra_known.push(Known { id: outside.len() as i64, pdq: fr.hash, quality: Some(fr.quality) });
                        outside.push(Outside::VideoFrame(set, v, fi));
                    }
                }
            }
        }
    }
    let from_sets = extra_known.len() as u64 + library.map_or(0, |l| l.sets.iter().filter(|s| s.fingerprint == "pdq").map(|s| s.fingerprints).sum());
    let input = CaseTriageInput { files, references: references.clone(), extra_known, settings: *settings };
    let index = matcher.map(PdqSets);
    let summary = triage_with(&input, index.as_ref().map(|i| i as &dyn NearIndex));

    let by_id: HashMap<i64, &TriageFileRow> = rows.iter().map(|f| (f.file_id, f)).collect();
    let path_of = |id: i64| by_id.get(&id).map(|f| f.path.clone()).unwrap_or_default();
    let evidence_of = |id: i64| by_id.get(&id).map(|f| f.evidence_id.clone()).unwrap_or_default();
    let mut series_of: HashMap<i64, u32> = HashMap::new();
    let is_video = |id: i64| data.frames.contains_key(&id) && by_id.get(&id).is_some_and(|f| f.pdq.is_none());
    let series: Vec<Series> = summary
        .series
        .iter()
        .map(|c| {
            for m in &c.members {
                series_of.insert(*m, c.id);
            }
            let mut evidence_ids: Vec<String> = c.members.iter().map(|m| evidence_of(*m)).collect();
            evidence_ids.sort();
            evidence_ids.dedup();
            Series {
                series_id: c.id,
                representative: c.representative,
                representative_path: path_of(c.representative),
                representative_kind: if is_video(c.representative) { "video" } else { "picture" }.into(),
                members: c.members.clone(),
                videos: summary
                    .series_videos
                    .iter()
                    .filter(|v| v.series_id == c.id)
                    .map(|v| SeriesVideoEntry { file_id: v.file_id, path: path_of(v.file_id), frames: v.frames.clone() })
                    .collect(),
                camera_originals: c
                    .members
                    .iter()
                    .filter(|m| by_id.get(m).is_some_and(|f| f.metadata.as_ref().is_some_and(|x| x.camera_original)))
                    .count() as u64,
                evidence_ids,
            }
        })
        .collect();
    let near_of: HashMap<i64, u32> = summary.near_known.iter().map(|n| (n.unknown_id, n.distance)).collect();
    let mut near_known: Vec<NearKnownEntry> = Vec::with_capacity(summary.near_known.len());
    for n in &summary.near_known {
        let empty = KnownRef {
            source: String::new(),
            file_id: None,
            evidence_id: None,
            path: None,
            label: None,
            set: None,
            record: None,
            record_line: None,
            record_name: None,
            category: None,
            category_name: None,
            frame: None,
        };
        let known = match n.known {
            KnownSource::CaseFile { file_id, frame } => KnownRef {
                source: "case_file".into(),
                file_id: Some(file_id),
                evidence_id: Some(evidence_of(file_id)),
                path: Some(path_of(file_id)),
                frame,
                ..empty
            },
            KnownSource::Extra { id } => match usize::try_from(id).ok().and_then(|i| outside.get(i)) {
                Some(Outside::Given(i)) => KnownRef { source: "pdq_set".into(), label: extra.get(*i).map(|k| k.label.clone()), ..empty },
                Some(Outside::VideoFrame(set, v, fi)) => match matcher {
                    Some(m) => {
                        let video = &m.known_videos(*set)[*v];
                        let frame = video.frames.get(*fi).map(|f| FrameRef { frame_number: f.frame_number, timestamp: f.timestamp });
                        library_ref("vpdq_set", &m.sets()[*set], None, &video.record, frame)
                    }
                    None => KnownRef { source: "vpdq_set".into(), ..empty },
                },
                None => KnownRef { source: "pdq_set".into(), ..empty },
            },
            KnownSource::Library { key } => {
                let (set, number) = unkey(key);
                match matcher {
                    Some(m) => library_ref("pdq_set", &m.sets()[set], Some(number), &m.pdq_record(set, number)?, None),
                    None => KnownRef { source: "pdq_set".into(), record: Some(number), ..empty },
                }
            }
        };
        near_known.push(NearKnownEntry {
            unknown_id: n.unknown_id,
            evidence_id: evidence_of(n.unknown_id),
            unknown_path: path_of(n.unknown_id),
            distance: n.distance,
            within: n.within,
            variant: n.variant.as_str().into(),
            variant_words: n.variant.describe().into(),
            unknown_frame: n.unknown_frame,
            known,
        });
    }

    let unknown: Vec<UnknownMedia> = rows
        .iter()
        .filter(|f| is_unknown(f) && is_media(f))
        .map(|f| {
            let m = f.metadata.as_ref();
            UnknownMedia {
                file_id: f.file_id,
                evidence_id: f.evidence_id.clone(),
                path: f.path.clone(),
                file_type: f.file_type.clone(),
                size: f.size,
                md5: f.md5.clone(),
                sha1: f.sha1.clone(),
                pdq: f.pdq.clone(),
                pdq_quality: f.pdq_quality,
                metadata_state: m.map(|m| m.state.clone()),
                camera_original: m.is_some_and(|m| m.camera_original),
                verdict_reasons: m.map(|m| m.verdict_reasons.clone()).unwrap_or_default(),
                make: m.and_then(|m| m.make.clone()),
                model: m.and_then(|m| m.model.clone()),
                serial: m.and_then(|m| m.serial.clone()),
                software: m.and_then(|m| m.software.clone()),
                capture_local: m.and_then(|m| m.capture_local.clone()),
                capture_offset: m.and_then(|m| m.capture_offset.clone()),
                capture_utc: m.and_then(|m| m.capture_utc.clone()),
                gps: m.and_then(|m| {
                    Some(GpsPosition { latitude: m.gps_latitude?, longitude: m.gps_longitude?, altitude: m.gps_altitude })
                }),
                frames: data.frames.get(&f.file_id).map_or(0, |v| v.len() as u64),
                series_id: series_of.get(&f.file_id).copied(),
                near_known_distance: near_of.get(&f.file_id).copied(),
                review_category: f.review_category.clone(),
            }
        })
        .collect();

    let evidence: Vec<EvidenceTriage> = summary
        .evidence
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mine: Vec<&TriageFileRow> = rows.iter().filter(|f| f.evidence_id == p.evidence_id).collect();
            let count = |pred: &dyn Fn(&TriageFileRow) -> bool| mine.iter().filter(|f| pred(f)).count() as u64;
            let unknown_pic = |f: &TriageFileRow| is_unknown(f) && f.pdq.is_some();
            EvidenceTriage {
                evidence_id: p.evidence_id.clone(),
                rank: i as u32 + 1,
                score: p.score,
                reasons: p.reasons.clone(),
                notes: p.notes.clone(),
                reference: references.get(&p.evidence_id).cloned(),
                files: mine.len() as u64,
                known_files: count(&|f| !f.hits.is_empty()),
                known_good_files: count(&|f| f.known_good),
                unknown_files: count(&is_unknown),
                unknown_pictures: count(&unknown_pic),
                unknown_videos: count(&|f| is_unknown(f) && data.frames.contains_key(&f.file_id)),
                camera_originals: count(&|f| is_unknown(f) && f.metadata.as_ref().is_some_and(|m| m.camera_original)),
                series: series.iter().filter(|s| s.evidence_ids.contains(&p.evidence_id)).count() as u64,
                near_known: near_known.iter().filter(|n| n.evidence_id == p.evidence_id).count() as u64,
                gps: count(&|f| unknown_pic(f) && f.metadata.as_ref().is_some_and(|m| m.gps_latitude.is_some())),
            }
        })
        .collect();

    Ok(CaseTriage {
        settings: *settings,
        evidence,
        unknown_files: rows.iter().filter(|f| is_unknown(f)).count() as u64,
        unknown,
        unknown_pictures: summary.unknown_pictures,
        unknown_videos: summary.unknown_videos,
        unknown_frames: summary.unknown_frames,
        camera_originals: summary.camera_originals.clone(),
        series,
        near_known,
        known_pdq_from_hits: rows
            .iter()
            .filter(|f| !f.hits.is_empty())
            .map(|f| u64::from(f.pdq.is_some()) + data.frames.get(&f.file_id).map_or(0, |v| v.len() as u64))
            .sum(),
        known_pdq_from_sets: from_sets,
        known_sets: library.map(|l| l.sets.clone()).unwrap_or_default(),
        library_notes: library.map(|l| l.notes.clone()).unwrap_or_default(),
    })
}

/// A library set's record as a near-known entry names it.
fn library_ref(source: &str, info: &spoor_hashset::SetInfo, number: Option<u32>, record: &spoor_hashset::Record, frame: Option<FrameRef>) -> KnownRef {
    let mut label = format!("set {:?}", info.name);
    if let Some(v) = &info.version {
        label.push_str(&format!(" version {v}"));
    }
    match number {
        Some(n) => label.push_str(&format!(" record {n} (line {})", record.line)),
        None => label.push_str(&format!(" line {}", record.line)),
    }
    if let Some(name) = &record.name {
        label.push_str(&format!(" {name:?}"));
    }
    if let Some(f) = &frame {
        label.push_str(&format!(" frame at {:.3} s", f.timestamp));
    }
    match (&record.category, &record.category_name) {
        (Some(c), Some(n)) => label.push_str(&format!(", category {c} ({n})")),
        (Some(c), None) => label.push_str(&format!(", category {c}")),
        _ => label.push_str(", uncategorised"),
    }
    KnownRef {
        source: source.into(),
        file_id: None,
        evidence_id: None,
        path: None,
        label: Some(label),
        set: Some(KnownSetRef { id: info.id.clone(), name: info.name.clone(), version: info.version.clone() }),
        record: number,
        record_line: Some(record.line),
        record_name: record.name.clone(),
        category: record.category.clone(),
        category_name: record.category_name.clone(),
        frame,
    }
}

/// The unknown files a selection names, as VICS media: one per distinct
/// MD5, every copy listed, the examiner's reviewed category (or none), the
/// PDQ, the metadata and a comment saying why it is there. A file id that
/// is not unknown material of this case, or a series id that does not
/// exist, is an error: nothing is exported by guess.
pub fn select(triage: &CaseTriage, rows: &[TriageFileRow], selection: &Selection) -> Result<Vec<VicsMedia>> {
    if selection.is_empty() {
        return Err(Error::Invalid("nothing selected: name files, series or camera originals".into()));
    }
    let unknown: HashMap<i64, &UnknownMedia> = triage.unknown.iter().map(|u| (u.file_id, u)).collect();
    let mut ids: Vec<i64> = Vec::new();
    for id in &selection.files {
        if !unknown.contains_key(id) {
            return Err(Error::Invalid(format!(
                "file {id} is not an unknown picture or video of this case (it matched known material, was set aside as known-good, or does not exist)"
            )));
        }
        ids.push(*id);
    }
    for s in &selection.series {
        let series = triage
            .series
            .iter()
            .find(|x| x.series_id == *s)
            .ok_or_else(|| Error::Invalid(format!("there is no series {s} (see `spoor triage`)")))?;
        ids.extend(series.members.iter().copied());
    }
    if selection.camera_originals {
        ids.extend(triage.camera_originals.iter().copied());
    }
    ids.sort_unstable();
    ids.dedup();
    let by_id: HashMap<i64, &TriageFileRow> = rows.iter().map(|f| (f.file_id, f)).collect();
    let series_size: HashMap<u32, usize> = triage.series.iter().map(|s| (s.series_id, s.members.len())).collect();
    // One media record per MD5, in the order of the first copy's id.
    let mut order: Vec<String> = Vec::new();
    let mut media: HashMap<String, VicsMedia> = HashMap::new();
    for id in ids {
        let (Some(u), Some(row)) = (unknown.get(&id), by_id.get(&id)) else { continue };
        let (Some(md5), Some(sha1)) = (row.md5.clone(), row.sha1.clone()) else { continue };
        let file = VicsFile {
            file_name: row.path.rsplit('/').next().unwrap_or(&row.path).to_string(),
            file_path: row.path.clone(),
            evidence_id: Some(row.evidence_id.clone()),
        };
        if let Some(m) = media.get_mut(&md5) {
            m.files.push(file);
            continue;
        }
        let mut comments = Vec::new();
        if u.camera_original {
            comments.push("camera original".to_string());
        }
        if let Some(s) = u.series_id {
            comments.push(format!("series {s} of {} pictures and videos", series_size.get(&s).copied().unwrap_or(0)));
        }
        if let Some(d) = u.near_known_distance {
            let near = triage.near_known.iter().find(|n| n.unknown_id == id);
            let what = near.and_then(|n| n.known.label.clone().or_else(|| n.known.path.as_ref().map(|p| format!("case file {p}"))));
            match what {
                Some(w) => comments.push(format!("PDQ distance {d} to known material: {w}")),
                None => comments.push(format!("PDQ distance {d} to known material")),
            }
        }
        order.push(md5.clone());
        media.insert(
            md5.clone(),
            VicsMedia {
                md5,
                sha1,
                sha256: row.sha256.clone(),
                size: row.size,
                category: row.review_category.clone(),
                pdq: row.pdq.as_deref().and_then(|p| p.parse().ok()),
                metadata: parse_metadata(row.metadata.as_ref()),
                files: vec![file],
                comments: (!comments.is_empty()).then(|| comments.join("; ")),
            },
        );
    }
    Ok(order.into_iter().filter_map(|k| media.remove(&k)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, evidence: &str, pdq: PdqHash, hits: usize, original: bool) -> TriageFileRow {
        TriageFileRow {
            file_id: id,
            evidence_id: evidence.into(),
            path: format!("DCIM/{id}.jpg"),
            size: 100,
            type_class: Some("image".into()),
            file_type: Some("image/jpeg".into()),
            md5: Some(format!("{id:032x}")),
            sha1: Some(format!("{id:040x}")),
            sha256: None,
            pdq: Some(pdq.to_string()),
            pdq_quality: Some(100),
            known_good: false,
            hits: (0..hits).map(|_| spoor_case::TriageHit { category: Some("1".into()), profile: None }).collect(),
            review_category: None,
            review_profile: None,
            pdq_variants: Vec::new(),
            metadata: Some(NewMetadata {
                state: "present".into(),
                camera_original: original,
                verdict_reasons: vec!["test".into()],
                ..NewMetadata::default()
            }),
        }
    }

    fn flip(mut h: PdqHash, bits: usize) -> PdqHash {
        for i in 0..bits {
            h.0[i / 8] ^= 1 << (i % 8);
        }
        h
    }

    /// The seam for PDQ hash sets: a fingerprint passed from outside the
    /// case is known material for near-known, named by its label.
    #[test]
    fn outside_pdq_fingerprints_are_known_material() {
        let base = PdqHash([0x5A; 32]);
        let rows = vec![row(1, "E1", flip(base, 35), 0, true), row(2, "E1", PdqHash([0xA5; 32]), 0, false)];
        let settings = TriageSettings::default();
        let data = CaseRows { rows, frames: HashMap::new(), references: BTreeMap::new() };
        let without = triage_rows(&data, &settings, &[], None).expect("triage");
        assert!(without.near_known.is_empty());
        let extra = [KnownPdq { label: "set \"PDQ list\" record 7".into(), pdq: base, quality: Some(100) }];
        let with = triage_rows(&data, &settings, &extra, None).expect("triage");
        assert_eq!(with.near_known.len(), 1);
        let n = &with.near_known[0];
        assert_eq!((n.unknown_id, n.distance), (1, 35));
        assert_eq!(n.known.source, "pdq_set");
        assert_eq!(n.known.label.as_deref(), Some("set \"PDQ list\" record 7"));
        assert_eq!(n.known.file_id, None);
        assert_eq!(with.known_pdq_from_sets, 1);
        assert_eq!(with.unknown[0].near_known_distance, Some(35));
        let reasons: Vec<&str> = with.evidence[0].reasons.iter().map(|r| r.code.as_str()).collect();
        assert!(reasons.contains(&"near_known"), "{reasons:?}");
    }

    fn video(id: i64, evidence: &str, original: bool) -> TriageFileRow {
        let mut r = row(id, evidence, PdqHash::ZERO, 0, original);
        r.path = format!("DCIM/{id}.mp4");
        r.type_class = Some("video".into());
        r.file_type = Some("video/mp4".into());
        r.pdq = None;
        r.pdq_quality = None;
        r
    }

    fn frame(n: u64, pdq: PdqHash) -> FrameRecord {
        FrameRecord { frame_number: n * 30, timestamp: n as f64, pdq, quality: 90 }
    }

    /// Videos join series through their frames, the representative stays
    /// a picture, a series of videos only is represented by a video, a
    /// camera-original video counts in the priority, and a frame near a
    /// hit is a near-known candidate naming the frame.
    #[test]
    fn videos_join_series_through_their_frames() {
        let base = PdqHash([0x5A; 32]);
        let other = PdqHash([0x3C; 32]);
        let known = PdqHash([0x0F; 32]);
        let rows = vec![
            row(1, "E1", base, 0, false),
            row(2, "E1", flip(base, 4), 0, false),
            video(3, "E1", true),
            video(4, "E2", false),
            video(5, "E2", false),
            row(6, "E2", known, 1, false),
        ];
        let mut frames = HashMap::new();
        // Video 3: an unrelated frame, then one 6 bits from picture 1.
        frames.insert(3, vec![frame(0, PdqHash([0xF0; 32])), frame(1, flip(base, 6)), frame(2, PdqHash([0xF0; 32]))]);
        // Videos 4 and 5 share a scene; 5 also has a frame 36 bits from the hit.
        frames.insert(4, vec![frame(0, other), frame(1, other)]);
        frames.insert(5, vec![frame(0, flip(other, 3)), frame(4, flip(known, 36))]);
        let data = CaseRows { rows, frames, references: BTreeMap::new() };
        let t = triage_rows(&data, &TriageSettings::default(), &[], None).expect("triage");
        assert_eq!((t.unknown_pictures, t.unknown_videos), (2, 3));
        assert_eq!(t.unknown_frames, 5, "identical frames of a video count once");
        assert_eq!(t.series.len(), 2);
        let mixed = &t.series[0];
        assert_eq!(mixed.members, vec![1, 2, 3]);
        assert_eq!(mixed.representative_kind, "picture");
        assert_eq!(mixed.videos.len(), 1);
        assert_eq!(mixed.videos[0].file_id, 3);
        assert_eq!(mixed.videos[0].frames, vec![FrameRef { frame_number: 30, timestamp: 1.0 }]);
        assert_eq!(mixed.camera_originals, 1);
        let videos_only = &t.series[1];
        assert_eq!(videos_only.members, vec![4, 5]);
        assert_eq!(videos_only.representative_kind, "video");
        assert!(videos_only.members.contains(&videos_only.representative));
        assert_eq!(t.camera_originals, vec![3]);
        let e1 = t.evidence.iter().find(|e| e.evidence_id == "E1").expect("E1");
        let code = |c: &str| e1.reasons.iter().find(|r| r.code == c).map(|r| r.count);
        assert_eq!(code("camera_original"), Some(1), "{:?}", e1.reasons);
        assert_eq!(code("series_with_camera_original"), Some(1));
        assert_eq!(t.near_known.len(), 1);
        let n = &t.near_known[0];
        assert_eq!((n.unknown_id, n.distance, n.variant.as_str()), (5, 36, "original"));
        assert_eq!(n.unknown_frame, Some(FrameRef { frame_number: 120, timestamp: 4.0 }));
        assert_eq!((n.known.source.as_str(), n.known.file_id), ("case_file", Some(6)));
        assert_eq!(t.unknown.iter().find(|u| u.file_id == 4).map(|u| u.frames), Some(2));
    }

    /// A mirrored copy in the main diagonal is found through the
    /// transposed hash, and named so.
    #[test]
    fn transposed_copies_are_near_known() {
        let base = PdqHash([0x5A, 0x11, 0x0F, 0xF0, 0x3C, 0xC3, 0x99, 0x66, 0x5A, 0x11, 0x0F, 0xF0, 0x3C, 0xC3, 0x99, 0x66, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x0F, 0xED, 0xCB, 0xA9, 0x87, 0x65, 0x43, 0x21]);
        let mirrored = flip(crate::transposed(&base), 40);
        assert!(base.hamming(&mirrored) > 48, "not near as stored");
        let rows = vec![row(1, "E1", mirrored, 0, false)];
        let data = CaseRows { rows, frames: HashMap::new(), references: BTreeMap::new() };
        let extra = [KnownPdq { label: "listed".into(), pdq: base, quality: None }];
        let settings = TriageSettings { near_known: crate::NearKnownSettings { min_distance: 32, max_distance: 48, min_quality: 50 }, ..TriageSettings::default() };
        let t = triage_rows(&data, &settings, &extra, None).expect("triage");
        assert_eq!(t.near_known.len(), 1);
        assert_eq!((t.near_known[0].distance, t.near_known[0].variant.as_str()), (40, "flipplus1"));
    }

    #[test]
    fn hits_are_known_and_selections_are_checked() {
        let base = PdqHash([0x5A; 32]);
        let rows = vec![
            row(1, "E1", base, 1, false),
            row(2, "E1", flip(base, 3), 0, true),
            row(3, "E1", flip(base, 6), 0, false),
            row(4, "E2", PdqHash([0xA5; 32]), 0, true),
        ];
        let data = CaseRows { rows: rows.clone(), frames: HashMap::new(), references: BTreeMap::new() };
        let t = triage_rows(&data, &TriageSettings::default(), &[], None).expect("triage");
        assert_eq!(t.unknown.iter().map(|u| u.file_id).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(t.camera_originals, vec![2, 4]);
        assert_eq!(t.series.len(), 1);
        assert_eq!(t.series[0].members, vec![2, 3]);
        assert_eq!(t.series[0].camera_originals, 1);
        assert_eq!(t.near_known.len(), 2, "both series members are near the hit");
        assert_eq!(t.near_known[0].known.file_id, Some(1));
        assert_eq!(t.evidence[0].evidence_id, "E1");
        assert_eq!(t.evidence.iter().map(|e| e.rank).collect::<Vec<_>>(), vec![1, 2]);

        let sel = |files: Vec<i64>, series: Vec<u32>, camera_originals: bool| select(&t, &rows, &Selection { files, series, camera_originals });
        assert!(matches!(sel(vec![1], vec![], false), Err(Error::Invalid(e)) if e.contains("file 1")));
        assert!(matches!(sel(vec![], vec![99], false), Err(Error::Invalid(e)) if e.contains("series 99")));
        assert!(matches!(sel(vec![], vec![], false), Err(Error::Invalid(_))));
        let media = sel(vec![3], vec![t.series[0].series_id], true).unwrap_or_default();
        let md5s: Vec<&str> = media.iter().map(|m| m.md5.as_str()).collect();
        assert_eq!(md5s, vec![format!("{:032x}", 2), format!("{:032x}", 3), format!("{:032x}", 4)]);
        assert!(media[0].comments.as_deref().is_some_and(|c| c.contains("camera original") && c.contains("series")));
    }
}
