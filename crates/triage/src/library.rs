//! Known material from the hash-set library, for near-known candidates:
//! the alert PDQ sets, queried through their on-disk multi-index
//! ([`spoor_hashset::Matcher::pdq_near`], so a national set of millions
//! is never loaded), and the frames of the known videos of alert vPDQ sets
//! (thousands of videos: compared in memory like the case's own hits).
//!
//! Which sets: by default the alert sets the case's scans used (by the
//! library's set id, so exactly the versions the case records); `--hashset`
//! names others. Ignore sets and sets without PDQ or vPDQ fingerprints are
//! not known material here. The sets used are listed with the triage, so
//! the result can be reproduced.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use spoor_case::Case;
use spoor_hashset::{FingerprintKind, Library, Matcher, SetInfo, SetKind};
use spoor_pdq::PdqHash;

use crate::summary::NearIndex;
use crate::{Error, Result};

/// Where the library is and which of its sets to use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LibrarySelection {
    /// The library folder (`--library`, `SPOOR_LIBRARY`).
    pub root: PathBuf,
    /// Sets by name (every version) or id; empty: the alert sets the
    /// case's scans used.
    pub sets: Vec<String>,
}

/// A set compared with, as the triage output names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnownSet {
    /// The library's id of the set (the case's `set_uid`).
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    /// `pdq` (picture fingerprints, through the set's index) or `vpdq`
    /// (frames of known videos).
    pub fingerprint: String,
    /// PDQ records, or frames of known videos.
    pub fingerprints: u64,
    /// Known videos (vPDQ).
    pub videos: u64,
    /// SHA-256 of the set's source, as the library records it.
    pub source_sha256: String,
}

/// The library sets loaded for a triage.
#[derive(Debug)]
pub struct LoadedLibrary {
    /// `None` when no set qualifies.
    pub matcher: Option<Matcher>,
    /// The sets compared with.
    pub sets: Vec<KnownSet>,
    /// What was not used and why (a set the case used that the library
    /// no longer holds, a named set without fingerprints).
    pub notes: Vec<String>,
}

impl LoadedLibrary {
    /// No library: only the case's own known material.
    pub fn none() -> LoadedLibrary {
        LoadedLibrary { matcher: None, sets: Vec::new(), notes: Vec::new() }
    }
}

fn fingerprinted(info: &SetInfo) -> bool {
    info.fingerprint.as_ref().is_some_and(|f| f.kind == FingerprintKind::Pdq) || info.vpdq_videos > 0
}

impl LibrarySelection {
    /// Opens the library and loads the selected alert sets that hold PDQ
    /// or vPDQ fingerprints. A named set the library does not hold is an
    /// error; a set the case used that it no longer holds is a note.
    pub fn load(&self, case: &Case) -> Result<LoadedLibrary> {
        let library = Library::open(&self.root)?;
        let infos = library.list()?;
        let mut notes = Vec::new();
        let mut chosen: BTreeSet<usize> = BTreeSet::new();
        if self.sets.is_empty() {
            let mut seen = BTreeSet::new();
            for used in case.hashsets()?.into_iter().filter(|h| h.kind == "alert") {
                if !seen.insert(used.set_uid.clone()) {
                    continue;
                }
                match infos.iter().position(|i| i.id == used.set_uid) {
                    Some(i) => {
                        chosen.insert(i);
                    }
                    None => notes.push(format!(
                        "hash set {:?} (version {}, id {}) used by the scan is not in the library {}: its fingerprints, if any, were not compared",
                        used.name,
                        used.version.as_deref().unwrap_or("none"),
                        used.set_uid,
                        self.root.display()
                    )),
                }
            }
        } else {
            for wanted in &self.sets {
                let found: Vec<usize> =
                    infos.iter().enumerate().filter(|(_, s)| &s.name == wanted || &s.id == wanted).map(|(i, _)| i).collect();
                if found.is_empty() {
                    return Err(Error::Invalid(format!("there is no hash set {wanted:?} in the library {}", self.root.display())));
                }
                for i in found {
                    let s = &infos[i];
                    if s.kind != SetKind::Alert {
                        notes.push(format!("hash set {:?} is an ignore set: not known material", s.name));
                    } else if !fingerprinted(s) {
                        notes.push(format!("hash set {:?} holds no PDQ or vPDQ fingerprints: nothing to compare", s.name));
                    }
                    chosen.insert(i);
                }
            }
        }
        let ids: Vec<String> = chosen
            .into_iter()
            .map(|i| &infos[i])
            .filter(|s| s.kind == SetKind::Alert && fingerprinted(s))
            .map(|s| s.id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(LoadedLibrary { matcher: None, sets: Vec::new(), notes });
        }
        let matcher = library.load(&ids)?;
        let mut sets = Vec::new();
        for (i, s) in matcher.sets().iter().enumerate() {
            let frames: u64 = matcher.known_videos(i).iter().map(|v| v.frames.len() as u64).sum();
            if let Some(f) = s.fingerprint.as_ref().filter(|f| f.kind == FingerprintKind::Pdq) {
                sets.push(KnownSet {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    version: s.version.clone(),
                    fingerprint: "pdq".into(),
                    fingerprints: f.count,
                    videos: 0,
                    source_sha256: s.source_sha256.clone(),
                });
            }
            if s.vpdq_videos > 0 {
                sets.push(KnownSet {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    version: s.version.clone(),
                    fingerprint: "vpdq".into(),
                    fingerprints: frames,
                    videos: s.vpdq_videos,
                    source_sha256: s.source_sha256.clone(),
                });
            }
        }
        Ok(LoadedLibrary { matcher: Some(matcher), sets, notes })
    }
}

/// The key of a PDQ set's record in [`NearIndex`] answers: the set's
/// index in the matcher (high 32 bits) and the record number.
pub(crate) fn key(set: usize, number: u32) -> u64 {
    ((set as u64) << 32) | u64::from(number)
}

pub(crate) fn unkey(key: u64) -> (usize, u32) {
    ((key >> 32) as usize, key as u32)
}

/// The library's PDQ sets as a [`NearIndex`].
pub(crate) struct PdqSets<'a>(pub &'a Matcher);

impl NearIndex for PdqSets<'_> {
    fn near(&self, hash: &PdqHash, max_distance: u32, min_quality: u32) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        self.0.pdq_near(hash, max_distance, min_quality.min(255) as u8, &mut out);
        out.into_iter().map(|m| (m.distance, key(m.set, m.number))).collect()
    }
}
