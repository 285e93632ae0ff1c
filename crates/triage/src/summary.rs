//! The whole triage of a case in one call, from one flat record per file:
//! what `spoor triage CASE --json` prints.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spoor_metadata::MediaMetadata;
use spoor_pdq::{Dihedral, PdqHash};

use crate::cluster::{Cluster, ClusterSettings, Unknown, cluster};
use crate::near::{Known, NearKnown, NearKnownSettings, near_known};
use crate::priority::{
    EvidenceTriageInput, KnownHit, Priority, PrioritySettings, ReferenceDate, UnknownFile, rank,
};

/// Every setting of a triage, recorded with its output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TriageSettings {
    pub cluster: ClusterSettings,
    pub near_known: NearKnownSettings,
    pub priority: PrioritySettings,
}

impl TriageSettings {
    /// Checks settings given from outside (the CLI's flags, the app's
    /// form): distances within 0–256 bits, qualities within 0–100, and a
    /// near-known window whose start is not past its end.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |what: String| Err(crate::Error::Invalid(what));
        if self.cluster.max_distance > 256 || self.near_known.max_distance > 256 {
            return bad("a PDQ distance is at most 256 bits".into());
        }
        if self.cluster.min_quality > 100 || self.near_known.min_quality > 100 {
            return bad("a PDQ quality is at most 100".into());
        }
        if self.near_known.min_distance > self.near_known.max_distance {
            return bad(format!(
                "the near-known window starts at {} bits, past its end at {}",
                self.near_known.min_distance, self.near_known.max_distance
            ));
        }
        Ok(())
    }
}

/// An alert hit's category, as the case stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitCategory {
    pub category: Option<String>,
    pub profile: Option<String>,
}

/// One file of the case (the latest run per evidence item).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub file_id: i64,
    pub evidence_id: String,
    pub path: String,
    pub pdq: Option<PdqHash>,
    pub pdq_quality: Option<u32>,
    /// Set aside by an ignore set: never "unknown".
    pub known_good: bool,
    /// Alert hits (the examiner's reviewed category in place of the set's
    /// when there is one). Non-empty: known material.
    pub hits: Vec<HitCategory>,
    pub metadata: Option<MediaMetadata>,
    /// The stored [`spoor_metadata::camera_original`] verdict.
    pub camera_original: bool,
    /// A video's sampled frames (vPDQ), in order; none for a picture.
    #[serde(default)]
    pub frames: Vec<FrameRecord>,
    /// A picture's other dihedral variants (rotations, mirror images) as
    /// the scan stored them (case format 4); empty when not stored, and
    /// then near-known compares the picture as stored and transposed only.
    #[serde(default)]
    pub variants: Vec<VariantRecord>,
}

/// One stored dihedral variant of a picture's PDQ.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantRecord {
    #[serde(with = "dihedral_name")]
    pub variant: Dihedral,
    pub pdq: PdqHash,
}

/// One sampled frame of a video, as the case stores it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameRecord {
    pub frame_number: u64,
    /// Seconds from the first frame.
    pub timestamp: f64,
    pub pdq: PdqHash,
    pub quality: u32,
}

impl FrameRecord {
    pub fn at(&self) -> FrameRef {
        FrameRef {
            frame_number: self.frame_number,
            timestamp: self.timestamp,
        }
    }
}

/// Where a frame sits in its video.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrameRef {
    pub frame_number: u64,
    /// Seconds from the first frame.
    pub timestamp: f64,
}

/// Known material too large to hold in memory, queried by fingerprint: the
/// PDQ sets of the hash-set library (see [`crate::library`]).
pub trait NearIndex: Sync {
    /// Every listed fingerprint within `max_distance` of `hash` whose
    /// listed quality is at least `min_quality`, as `(distance, key)`; the
    /// key is the index's own (it comes back in [`KnownSource::Library`]).
    fn near(&self, hash: &PdqHash, max_distance: u32, min_quality: u32) -> Vec<(u32, u64)>;
}

/// What known material a near-known candidate is nearest to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum KnownSource {
    /// A file of this case with an alert hit: its PDQ, or one of its frames
    /// when it is a video.
    CaseFile {
        file_id: i64,
        frame: Option<FrameRef>,
    },
    /// An entry of [`CaseTriageInput::extra_known`], by its id.
    Extra { id: i64 },
    /// A fingerprint of a [`NearIndex`], by its key.
    Library { key: u64 },
}

/// An unknown picture or video near known material, with the fingerprint
/// that came nearest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearCandidate {
    pub unknown_id: i64,
    pub distance: u32,
    /// Known fingerprints within the window of the unknown file's nearest
    /// fingerprint, the nearest included.
    pub within: u32,
    /// The variant of the unknown fingerprint that came nearest, written
    /// by its name ([`Dihedral::as_str`]): any of the eight for a picture
    /// whose variants the case stores, else [`Dihedral::Original`] or
    /// [`Dihedral::FlipPlus1`] (transposed, computed from the hash).
    #[serde(with = "dihedral_name")]
    pub variant: Dihedral,
    /// For a video: the frame that came nearest.
    pub unknown_frame: Option<FrameRef>,
    pub known: KnownSource,
}

/// A video in a series, with the frames through which it joined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesVideo {
    pub series_id: u32,
    pub file_id: i64,
    /// The frames within the series distance of another member, in order.
    pub frames: Vec<FrameRef>,
}

/// The transposed hash (reflection in the main diagonal, the reference's
/// `FLIPPLUS1`). Of the eight dihedral variants it is the only one the 256
/// bits determine: transposing a picture transposes its 16x16 DCT
/// coefficients without changing any value, so their median and every bit
/// stay, moved from `(i, j)` to `(j, i)`. The other variants change the
/// signs of some coefficients, hence the median, and need the pixels: the
/// scan computes them and stores them from case format 4 on
/// ([`FileRecord::variants`]); this is the fallback for older pictures and
/// for video frames.
pub fn transposed(h: &PdqHash) -> PdqHash {
    let mut out = PdqHash::ZERO;
    for i in 0..16 {
        for j in 0..16 {
            if h.bit(i * 16 + j) {
                let k = j * 16 + i;
                out.0[31 - k / 8] |= 1 << (k % 8);
            }
        }
    }
    out
}

/// What [`triage`] needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseTriageInput {
    pub files: Vec<FileRecord>,
    /// Per evidence id: the seizure or acquisition date, else the scan's.
    pub references: BTreeMap<String, ReferenceDate>,
    /// Known PDQ entries besides the hits' own (e.g. a PDQ hash set).
    pub extra_known: Vec<Known>,
    pub settings: TriageSettings,
}

/// The triage of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriageSummary {
    pub settings: TriageSettings,
    /// Highest priority first.
    pub evidence: Vec<Priority>,
    /// Series of two or more unknown pictures, largest first (across
    /// evidence items: the same material on two devices is one series).
    pub series: Vec<Cluster>,
    /// Unknown pictures and videos near known material, nearest first
    /// (then by file id).
    pub near_known: Vec<NearCandidate>,
    /// Unknown camera originals (pictures and videos), by file id.
    pub camera_originals: Vec<i64>,
    /// Pictures considered unknown (a PDQ, no alert hit, not known-good).
    pub unknown_pictures: u64,
    /// Videos considered unknown with sampled frames (clustered through
    /// their frames).
    pub unknown_videos: u64,
    /// Distinct frames of those videos that were clustered.
    pub unknown_frames: u64,
    /// The videos in the series, with the frames that joined them.
    pub series_videos: Vec<SeriesVideo>,
}

/// Where a clustered or compared fingerprint came from.
#[derive(Clone, Copy, Debug)]
struct Origin {
    file_id: i64,
    variant: Dihedral,
    frame: Option<FrameRef>,
}

/// The fingerprints of the unknown files: each picture's PDQ and each
/// video's distinct frames (the first of identical ones), as cluster items
/// with their origins.
fn fingerprints(files: &[&FileRecord]) -> (Vec<Unknown>, Vec<Origin>) {
    let mut items = Vec::new();
    let mut origins = Vec::new();
    for f in files {
        if let Some(pdq) = f.pdq {
            items.push(Unknown { id: f.file_id, pdq, quality: f.pdq_quality.unwrap_or(0) });
            origins.push(Origin { file_id: f.file_id, variant: Dihedral::Original, frame: None });
        }
        let mut seen = std::collections::HashSet::new();
        for fr in &f.frames {
            if seen.insert(fr.pdq) {
                items.push(Unknown { id: f.file_id, pdq: fr.pdq, quality: fr.quality });
                origins.push(Origin { file_id: f.file_id, variant: Dihedral::Original, frame: Some(fr.at()) });
            }
        }
    }
    (items, origins)
}

/// Triage of a case without a library index: see [`triage_with`].
pub fn triage(input: &CaseTriageInput) -> TriageSummary {
    triage_with(input, None)
}

/// Triage of a case: unknown files are those read, with no alert hit and
/// not known-good; their pictures (PDQ) and the frames of their videos are
/// clustered across the case, compared with the known material (the hits'
/// PDQs and frames, `extra_known`, and `library` when given), and every
/// evidence item is scored.
pub fn triage_with(input: &CaseTriageInput, library: Option<&dyn NearIndex>) -> TriageSummary {
    let s = &input.settings;
    let is_unknown = |f: &FileRecord| f.hits.is_empty() && !f.known_good;
    let unknown_files: Vec<&FileRecord> = input.files.iter().filter(|f| is_unknown(f)).collect();
    let (items, origins) = fingerprints(&unknown_files);

    let clustering = cluster(&items, &s.cluster);
    // A series' representative: its best picture, else its video whose
    // linking frame is best (then the lowest id).
    let by_file = clustering.by_file();
    let mut best: HashMap<u32, (bool, u32, std::cmp::Reverse<i64>)> = HashMap::new();
    for (it, o) in items.iter().zip(&origins) {
        let Some(&c) = by_file.get(&it.id) else { continue };
        let cand = (o.frame.is_none(), it.quality, std::cmp::Reverse(it.id));
        let e = best.entry(c).or_insert(cand);
        if cand > *e {
            *e = cand;
        }
    }
    let series: Vec<Cluster> = clustering
        .series()
        .map(|c| {
            let mut c = c.clone();
            if let Some((_, _, std::cmp::Reverse(id))) = best.get(&c.id) {
                c.representative = *id;
            }
            c
        })
        .collect();
    let mut joined: BTreeMap<(u32, i64), Vec<FrameRef>> = BTreeMap::new();
    for &i in &clustering.linked {
        let o = &origins[i as usize];
        if let (Some(frame), Some(&c)) = (o.frame, by_file.get(&o.file_id)) {
            joined.entry((c, o.file_id)).or_default().push(frame);
        }
    }
    let series_videos: Vec<SeriesVideo> = joined
        .into_iter()
        .filter(|((c, _), _)| series.iter().any(|x| x.id == *c))
        .map(|((series_id, file_id), mut frames)| {
            frames.sort_by(|a, b| a.frame_number.cmp(&b.frame_number).then(a.timestamp.total_cmp(&b.timestamp)));
            SeriesVideo { series_id, file_id, frames }
        })
        .collect();

    let near = near_candidates(input, &items, &origins, library);

    let mut per_item: BTreeMap<&str, EvidenceTriageInput> = BTreeMap::new();
    for f in &input.files {
        let item = per_item
            .entry(f.evidence_id.as_str())
            .or_insert_with(|| EvidenceTriageInput {
                evidence_id: f.evidence_id.clone(),
                reference: input.references.get(&f.evidence_id).cloned(),
                known_hits: Vec::new(),
                unknown: Vec::new(),
                clusters: Vec::new(),
                near_known: Vec::new(),
                settings: s.priority,
            });
        for h in &f.hits {
            item.known_hits.push(KnownHit {
                file_id: f.file_id,
                category: h.category.clone(),
                profile: h.profile.clone(),
            });
        }
        if is_unknown(f) && (f.pdq.is_some() || !f.frames.is_empty() || f.metadata.is_some()) {
            let meta = f.metadata.as_ref();
            item.unknown.push(UnknownFile {
                file_id: f.file_id,
                camera_original: f.camera_original,
                capture_unix: meta
                    .and_then(|m| m.capture.as_ref())
                    .and_then(|c| c.unix_seconds()),
                gps: meta.is_some_and(|m| m.gps.is_some()),
            });
        }
    }
    // Each item sees the series and candidates touching its files.
    let item_of: HashMap<i64, &str> = input
        .files
        .iter()
        .map(|f| (f.file_id, f.evidence_id.as_str()))
        .collect();
    for c in &series {
        let mut items: Vec<&str> = c
            .members
            .iter()
            .filter_map(|m| item_of.get(m).copied())
            .collect();
        items.sort_unstable();
        items.dedup();
        for e in items {
            if let Some(item) = per_item.get_mut(e) {
                item.clusters.push(c.clone());
            }
        }
    }
    for n in &near {
        if let Some(item) = item_of.get(&n.unknown_id).and_then(|e| per_item.get_mut(e)) {
            item.near_known.push(NearKnown {
                unknown_id: n.unknown_id,
                known_id: 0,
                distance: n.distance,
                within: n.within,
            });
        }
    }
    let inputs: Vec<EvidenceTriageInput> = per_item.into_values().collect();
    let mut camera_originals: Vec<i64> = input
        .files
        .iter()
        .filter(|f| is_unknown(f) && f.camera_original)
        .map(|f| f.file_id)
        .collect();
    camera_originals.sort_unstable();
    TriageSummary {
        settings: *s,
        evidence: rank(&inputs),
        series,
        near_known: near,
        camera_originals,
        unknown_pictures: unknown_files.iter().filter(|f| f.pdq.is_some()).count() as u64,
        unknown_videos: unknown_files.iter().filter(|f| !f.frames.is_empty()).count() as u64,
        unknown_frames: origins.iter().filter(|o| o.frame.is_some()).count() as u64,
        series_videos,
    }
}

/// A query's nearest known fingerprint `(distance, source order: 0 in
/// memory, 1 library, key)` and how many are within the window.
type QueryNearest = (Option<(u32, u8, u64)>, u32);

/// The nearest known fingerprint of every unknown file within the
/// near-known window: each of its fingerprints in every variant there is
/// (a picture's eight dihedral variants when the case stores them, else as
/// stored and transposed; a video frame as stored and transposed), against
/// the known material in memory (multi-index join) and the
/// library index (one query per distinct fingerprint, on rayon).
fn near_candidates(
    input: &CaseTriageInput,
    items: &[Unknown],
    origins: &[Origin],
    library: Option<&dyn NearIndex>,
) -> Vec<NearCandidate> {
    let settings = &input.settings.near_known;
    // Known in memory: the hits' pictures and frames, then the caller's.
    let mut sources: Vec<KnownSource> = Vec::new();
    let mut known: Vec<Known> = Vec::new();
    for f in input.files.iter().filter(|f| !f.hits.is_empty()) {
        if let Some(pdq) = f.pdq {
            known.push(Known { id: sources.len() as i64, pdq, quality: f.pdq_quality });
            sources.push(KnownSource::CaseFile { file_id: f.file_id, frame: None });
        }
        let mut seen = std::collections::HashSet::new();
        for fr in f.frames.iter().filter(|fr| seen.insert(fr.pdq)) {
            known.push(Known { id: sources.len() as i64, pdq: fr.pdq, quality: Some(fr.quality) });
            sources.push(KnownSource::CaseFile { file_id: f.file_id, frame: Some(fr.at()) });
        }
    }
    for k in &input.extra_known {
        known.push(Known { id: sources.len() as i64, pdq: k.pdq, quality: k.quality });
        sources.push(KnownSource::Extra { id: k.id });
    }
    // Every unknown fingerprint in each of its variants: a picture's
    // stored ones, else as stored and transposed. The id is the query's
    // index.
    let stored: HashMap<i64, &[VariantRecord]> = input
        .files
        .iter()
        .filter(|f| !f.variants.is_empty())
        .map(|f| (f.file_id, f.variants.as_slice()))
        .collect();
    let mut queries: Vec<Unknown> = Vec::with_capacity(items.len() * 2);
    let mut query_origin: Vec<Origin> = Vec::with_capacity(items.len() * 2);
    for (it, o) in items.iter().zip(origins) {
        let mut variants = vec![(Dihedral::Original, it.pdq)];
        if let Some(list) = stored.get(&o.file_id).filter(|_| o.frame.is_none()) {
            variants.extend(list.iter().filter(|v| v.variant != Dihedral::Original).map(|v| (v.variant, v.pdq)));
        }
        // The transposed hash needs no pixels: always compared.
        if !variants.iter().any(|(d, _)| *d == Dihedral::FlipPlus1) {
            variants.push((Dihedral::FlipPlus1, transposed(&it.pdq)));
        }
        for (variant, pdq) in variants {
            queries.push(Unknown { id: queries.len() as i64, pdq, quality: it.quality });
            query_origin.push(Origin { variant, ..*o });
        }
    }
    let all = NearKnownSettings { min_distance: 0, ..*settings };
    // Per query: the nearest (distance, source order, key) and the count.
    let mut per_query: Vec<QueryNearest> = vec![(None, 0); queries.len()];
    for n in near_known(&queries, &known, &all) {
        per_query[n.unknown_id as usize] = (Some((n.distance, 0, n.known_id as u64)), n.within);
    }
    if let Some(index) = library {
        let mut distinct: Vec<PdqHash> = queries
            .iter()
            .filter(|q| q.quality >= settings.min_quality)
            .map(|q| q.pdq)
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        let answers: HashMap<PdqHash, (Option<(u32, u64)>, u32)> = distinct
            .par_iter()
            .map(|h| {
                let found = index.near(h, settings.max_distance, settings.min_quality);
                (*h, (found.iter().copied().min(), found.len() as u32))
            })
            .collect();
        for (q, slot) in queries.iter().zip(per_query.iter_mut()) {
            let Some((nearest, count)) = answers.get(&q.pdq) else { continue };
            if let Some((d, key)) = nearest {
                let cand = (*d, 1, *key);
                if slot.0.is_none_or(|b| cand < b) {
                    slot.0 = Some(cand);
                }
            }
            slot.1 += count;
        }
    }
    // Per file: its nearest query.
    let mut by_file: BTreeMap<i64, (u32, u8, u64, usize, u32)> = BTreeMap::new();
    for (i, (nearest, within)) in per_query.iter().enumerate() {
        let Some((d, order, key)) = *nearest else { continue };
        let file = query_origin[i].file_id;
        let e = by_file.entry(file).or_insert((d, order, key, i, *within));
        if (d, order, key, i) < (e.0, e.1, e.2, e.3) {
            *e = (d, order, key, i, e.4.max(*within));
        } else {
            e.4 = e.4.max(*within);
        }
    }
    let mut out: Vec<NearCandidate> = by_file
        .into_iter()
        .filter(|(_, e)| e.0 >= settings.min_distance)
        .map(|(unknown_id, (distance, order, key, i, within))| NearCandidate {
            unknown_id,
            distance,
            within,
            variant: query_origin[i].variant,
            unknown_frame: query_origin[i].frame,
            known: if order == 0 {
                sources[key as usize]
            } else {
                KnownSource::Library { key }
            },
        })
        .collect();
    out.sort_by_key(|n| (n.distance, n.unknown_id));
    out
}

/// A [`Dihedral`] as its recorded name ([`Dihedral::as_str`]).
pub(crate) mod dihedral_name {
    use serde::{Deserialize, Deserializer, Serializer};
    use spoor_pdq::Dihedral;

    pub fn serialize<S: Serializer>(d: &Dihedral, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(d.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Dihedral, D::Error> {
        let name = String::deserialize(d)?;
        Dihedral::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("no dihedral variant {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The transposed hash is exactly the reference's FLIPPLUS1 variant of
    /// the picture, on pictures that are not symmetric.
    #[test]
    fn transposed_is_the_flipplus1_variant() {
        for seed in 0..4u32 {
            let (w, h) = (96u32, 64u32);
            let rgb: Vec<u8> = (0..w * h)
                .flat_map(|i| {
                    let (x, y) = (i % w, i / w);
                    let v = (x * (3 + seed) + y * y / (2 + seed) + (x * y) % (7 + seed)) as u8;
                    [v, v.wrapping_mul(3), (x * 2 + y * 5 + seed * 40) as u8]
                })
                .collect();
            let d = spoor_pdq::dihedral_rgb(w, h, &rgb);
            assert!(d.quality > 0);
            assert_ne!(d.original, d.flip_plus1);
            assert_eq!(transposed(&d.original), d.flip_plus1, "seed {seed}");
            assert_eq!(transposed(&transposed(&d.original)), d.original);
        }
    }

    #[test]
    fn settings_from_outside_are_checked() {
        assert!(TriageSettings::default().validate().is_ok());
        let mut s = TriageSettings::default();
        s.near_known.min_distance = 41;
        s.near_known.max_distance = 40;
        assert!(matches!(s.validate(), Err(crate::Error::Invalid(e)) if e.contains("41")));
        let mut s = TriageSettings::default();
        s.cluster.max_distance = 257;
        assert!(s.validate().is_err());
        let mut s = TriageSettings::default();
        s.near_known.min_quality = 101;
        assert!(s.validate().is_err());
    }
}
