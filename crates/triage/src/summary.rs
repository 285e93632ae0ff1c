//! The whole triage of a case in one call, from one flat record per file:
//! what `spoor triage CASE --json` prints.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use spoor_metadata::MediaMetadata;
use spoor_pdq::PdqHash;

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
    /// Unknown pictures near known material, nearest first. `known_id` is
    /// a file id when it is a hit's picture, else the caller's id from
    /// `extra_known`.
    pub near_known: Vec<NearKnown>,
    /// Unknown camera originals, by file id.
    pub camera_originals: Vec<i64>,
    /// Pictures considered unknown (a PDQ, no alert hit, not known-good).
    pub unknown_pictures: u64,
}

/// Triage of a case: unknown pictures are those with a PDQ fingerprint, no
/// alert hit and not known-good; they are clustered across the case,
/// compared with the known pictures (the hits' PDQs and `extra_known`),
/// and every evidence item is scored.
pub fn triage(input: &CaseTriageInput) -> TriageSummary {
    let s = &input.settings;
    let is_unknown = |f: &FileRecord| f.pdq.is_some() && f.hits.is_empty() && !f.known_good;
    let unknown: Vec<Unknown> = input
        .files
        .iter()
        .filter(|f| is_unknown(f))
        .filter_map(|f| {
            Some(Unknown {
                id: f.file_id,
                pdq: f.pdq?,
                quality: f.pdq_quality.unwrap_or(0),
            })
        })
        .collect();
    let mut known: Vec<Known> = input
        .files
        .iter()
        .filter(|f| !f.hits.is_empty())
        .filter_map(|f| {
            Some(Known {
                id: f.file_id,
                pdq: f.pdq?,
                quality: f.pdq_quality,
            })
        })
        .collect();
    known.extend(input.extra_known.iter().copied());

    let clustering = cluster(&unknown, &s.cluster);
    let near = near_known(&unknown, &known, &s.near_known);

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
        if is_unknown(f) {
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
    let series: Vec<Cluster> = clustering.series().cloned().collect();
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
            item.near_known.push(*n);
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
        unknown_pictures: unknown.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
