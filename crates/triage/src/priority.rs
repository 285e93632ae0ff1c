//! A score per evidence item, with its reasons, so a unit can order its
//! backlog. The weighting is in the crate documentation ([`crate`]) and in
//! [`WEIGHTS`]; every point comes with a sentence saying where it came from.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cluster::Cluster;
use crate::near::NearKnown;

/// How serious a known-material hit is, from its category and the set's
/// category profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitClass {
    /// VICS 0, CAID non-indecent: counted, no points.
    NonPertinent,
    /// No category, or one of another scheme.
    Other,
    /// VICS 2 (child exploitive / age difficult).
    Exploitive,
    /// VICS 1; CAID A, B, C.
    Abuse,
}

impl HitClass {
    /// The class of a raw category under a profile (`US`, `UK`, `CUSTOM`,
    /// `Default` or none, as the hash-set library records it). The
    /// examiner's reviewed category, when there is one, should be passed
    /// instead of the set's.
    ///
    /// UK (CAID): `A`, `B`, `C` and the default numeric grades `1`, `2`,
    /// `3` are abuse, `0` and `non-indecent` non-pertinent. Otherwise
    /// (VICS US and sets without a profile): `1` abuse, `2` exploitive,
    /// `0` non-pertinent; `3` (CGI/animation), `4` (comparison), other
    /// values and none are "other".
    pub fn of(category: Option<&str>, profile: Option<&str>) -> HitClass {
        let Some(c) = category.map(str::trim).filter(|c| !c.is_empty()) else {
            return HitClass::Other;
        };
        let uk = profile.is_some_and(|p| {
            let p = p.to_ascii_lowercase();
            p == "uk" || p.contains("caid")
        });
        let c = c.to_ascii_lowercase();
        if uk {
            match c.as_str() {
                "a" | "b" | "c" | "1" | "2" | "3" | "category a" | "category b" | "category c" => {
                    HitClass::Abuse
                }
                "0" | "non-indecent" | "non indecent" | "n" => HitClass::NonPertinent,
                _ => HitClass::Other,
            }
        } else {
            match c.as_str() {
                "1" => HitClass::Abuse,
                "2" => HitClass::Exploitive,
                "0" => HitClass::NonPertinent,
                _ => HitClass::Other,
            }
        }
    }

    fn words(self) -> &'static str {
        match self {
            HitClass::Abuse => "known child abuse material (VICS 1, CAID A to C)",
            HitClass::Exploitive => "known exploitive or age-difficult material (VICS 2)",
            HitClass::Other => "other or uncategorised known material",
            HitClass::NonPertinent => "known non-pertinent material (VICS 0, CAID non-indecent)",
        }
    }
}

/// A file of this evidence item with at least one alert hit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownHit {
    pub file_id: i64,
    /// The examiner's category when reviewed, else the set's raw category.
    pub category: Option<String>,
    /// The category profile of the set (or of the review).
    pub profile: Option<String>,
}

/// An unknown picture (no alert hit, not known-good) of this evidence
/// item, with what its metadata says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownFile {
    pub file_id: i64,
    /// [`spoor_metadata::camera_original`]'s verdict.
    pub camera_original: bool,
    /// Capture time, seconds since the Unix epoch
    /// ([`spoor_metadata::CaptureTime::unix_seconds`]).
    pub capture_unix: Option<i64>,
    /// The metadata holds a GPS position.
    pub gps: bool,
}

/// Which date "recent" is measured from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSource {
    /// The date the device was seized.
    Seizure,
    /// The date the evidence was acquired (imaged).
    Acquisition,
    /// The scan's start, when neither is recorded.
    Scan,
}

/// The reference date and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReferenceDate {
    /// RFC 3339, e.g. `2024-05-20T09:00:00Z`.
    pub utc: String,
    pub source: ReferenceSource,
}

/// Settings of the priority score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrioritySettings {
    /// A capture is recent when it lies at most this many days before the
    /// reference date (default 90), or up to one day after it (capture
    /// times without a zone are read as UTC and may be up to 14 hours off).
    pub recent_days: u32,
}

impl Default for PrioritySettings {
    fn default() -> Self {
        PrioritySettings { recent_days: 90 }
    }
}

/// Everything the score of one evidence item is computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceTriageInput {
    pub evidence_id: String,
    /// `None`: recency is not scored (said in the notes).
    pub reference: Option<ReferenceDate>,
    /// One entry per file with alert hits (a file listed twice counts once,
    /// at its most serious class).
    pub known_hits: Vec<KnownHit>,
    pub unknown: Vec<UnknownFile>,
    /// Series from [`crate::cluster`] (over this item or the whole case;
    /// only members that are this item's unknown files count).
    pub clusters: Vec<Cluster>,
    /// From [`crate::near_known`] (entries of other items are ignored).
    pub near_known: Vec<NearKnown>,
    pub settings: PrioritySettings,
}

/// One line of the score: points and the sentence that explains them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reason {
    /// Stable, for programs: see [`WEIGHTS`].
    pub code: String,
    pub points: u32,
    /// How many files (or series) it counts.
    pub count: u64,
    pub text: String,
}

/// The score of one evidence item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    pub evidence_id: String,
    pub score: u32,
    /// Most points first; reasons worth nothing (non-pertinent hits) last.
    pub reasons: Vec<Reason>,
    /// What could not be scored and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One row of the weighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Weight {
    pub code: &'static str,
    /// What is counted.
    pub counts: &'static str,
    pub points_each: u32,
    /// The most this row can give.
    pub cap: u32,
}

/// The weighting, one row per reason (the table in the crate docs).
pub const WEIGHTS: &[Weight] = &[
    Weight {
        code: "recent_camera_original",
        counts: "unknown camera originals taken within the recent window before the reference date",
        points_each: 30,
        cap: 300,
    },
    Weight {
        code: "camera_original",
        counts: "unknown camera originals",
        points_each: 20,
        cap: 200,
    },
    Weight {
        code: "series_with_camera_original",
        counts: "series of two or more unknown pictures holding a camera original",
        points_each: 40,
        cap: 200,
    },
    Weight {
        code: "near_known",
        counts: "unknown pictures near known material",
        points_each: 15,
        cap: 150,
    },
    Weight {
        code: "gps",
        counts: "unknown pictures with a GPS position",
        points_each: 10,
        cap: 50,
    },
    Weight {
        code: "known_abuse",
        counts: "files matching known child abuse material (VICS 1, CAID A to C)",
        points_each: 10,
        cap: 100,
    },
    Weight {
        code: "known_exploitive",
        counts: "files matching known exploitive or age-difficult material (VICS 2)",
        points_each: 5,
        cap: 50,
    },
    Weight {
        code: "known_other",
        counts: "files matching other or uncategorised known material",
        points_each: 2,
        cap: 20,
    },
    Weight {
        code: "known_non_pertinent",
        counts: "files matching known non-pertinent material (VICS 0, CAID non-indecent)",
        points_each: 0,
        cap: 0,
    },
];

fn weight(code: &str) -> Weight {
    WEIGHTS
        .iter()
        .copied()
        .find(|w| w.code == code)
        .unwrap_or(Weight {
            code: "unknown",
            counts: "",
            points_each: 0,
            cap: 0,
        })
}

/// Scores one evidence item. See the crate documentation for the table.
pub fn priority(input: &EvidenceTriageInput) -> Priority {
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    let mut add = |code: &str, count: u64, text: String| {
        if count == 0 {
            return;
        }
        let w = weight(code);
        let points = (count.saturating_mul(u64::from(w.points_each))).min(u64::from(w.cap)) as u32;
        let capped = if count.saturating_mul(u64::from(w.points_each)) > u64::from(w.cap) {
            format!(": {} points each, at most {}", w.points_each, w.cap)
        } else if w.points_each > 0 {
            format!(": {} points each", w.points_each)
        } else {
            ": no points".to_string()
        };
        reasons.push(Reason {
            code: code.to_string(),
            points,
            count,
            text: format!("{text}{capped}"),
        });
    };

    // Unknown camera originals, and the recent ones.
    let originals: Vec<&UnknownFile> = input.unknown.iter().filter(|u| u.camera_original).collect();
    let reference = match &input.reference {
        Some(r) => match OffsetDateTime::parse(&r.utc, &Rfc3339) {
            Ok(t) => Some((t.unix_timestamp(), r)),
            Err(e) => {
                notes.push(format!(
                    "reference date {:?} is not RFC 3339 ({e}): recency not scored",
                    r.utc
                ));
                None
            }
        },
        None => {
            notes.push("no seizure, acquisition or scan date given: recency not scored".into());
            None
        }
    };
    if let Some((at, r)) = reference {
        let days = i64::from(input.settings.recent_days);
        let recent = originals
            .iter()
            .filter(|u| {
                u.capture_unix
                    .is_some_and(|t| t >= at - days * 86_400 && t <= at + 86_400)
            })
            .count() as u64;
        let what = match r.source {
            ReferenceSource::Seizure => "seizure",
            ReferenceSource::Acquisition => "acquisition",
            ReferenceSource::Scan => "scan",
        };
        add(
            "recent_camera_original",
            recent,
            format!(
                "{recent} unknown camera original{} taken within {days} days before the {what} date {}",
                plural(recent),
                r.utc
            ),
        );
    }
    let n = originals.len() as u64;
    add(
        "camera_original",
        n,
        format!(
            "{n} unknown camera original{} (no known-hash match)",
            plural(n)
        ),
    );

    // Series holding one of this item's camera originals.
    let original_ids: HashSet<i64> = originals.iter().map(|u| u.file_id).collect();
    let unknown_ids: HashSet<i64> = input.unknown.iter().map(|u| u.file_id).collect();
    let series: Vec<&Cluster> = input
        .clusters
        .iter()
        .filter(|c| c.members.iter().filter(|m| unknown_ids.contains(m)).count() > 1)
        .filter(|c| c.members.iter().any(|m| original_ids.contains(m)))
        .collect();
    let pictures: usize = series
        .iter()
        .map(|c| c.members.iter().filter(|m| unknown_ids.contains(m)).count())
        .sum();
    let s = series.len() as u64;
    add(
        "series_with_camera_original",
        s,
        format!(
            "{s} series of near-duplicate unknown pictures ({pictures} pictures) with a camera original"
        ),
    );

    // Near-known candidates of this item.
    let near: BTreeSet<i64> = input
        .near_known
        .iter()
        .filter(|k| unknown_ids.contains(&k.unknown_id))
        .map(|k| k.unknown_id)
        .collect();
    let k = near.len() as u64;
    add(
        "near_known",
        k,
        format!(
            "{k} unknown picture{} near known material (not a match)",
            plural(k)
        ),
    );

    let gps = input.unknown.iter().filter(|u| u.gps).count() as u64;
    add(
        "gps",
        gps,
        format!("{gps} unknown picture{} with a GPS position", plural(gps)),
    );

    // Known hits, each file once at its most serious class.
    let mut by_file: BTreeMap<i64, HitClass> = BTreeMap::new();
    for h in &input.known_hits {
        let class = HitClass::of(h.category.as_deref(), h.profile.as_deref());
        let e = by_file.entry(h.file_id).or_insert(class);
        *e = (*e).max(class);
    }
    for (class, code) in [
        (HitClass::Abuse, "known_abuse"),
        (HitClass::Exploitive, "known_exploitive"),
        (HitClass::Other, "known_other"),
        (HitClass::NonPertinent, "known_non_pertinent"),
    ] {
        let c = by_file.values().filter(|v| **v == class).count() as u64;
        add(
            code,
            c,
            format!("{c} file{} matching {}", plural(c), class.words()),
        );
    }

    reasons.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.code.cmp(&b.code)));
    Priority {
        evidence_id: input.evidence_id.clone(),
        score: reasons.iter().map(|r| r.points).sum(),
        reasons,
        notes,
    }
}

/// Scores every item and orders them: highest score first, then by
/// evidence id.
pub fn rank(inputs: &[EvidenceTriageInput]) -> Vec<Priority> {
    let mut out: Vec<Priority> = inputs.iter().map(priority).collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.evidence_id.cmp(&b.evidence_id))
    });
    out
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(id: i64, original: bool, capture: Option<i64>, gps: bool) -> UnknownFile {
        UnknownFile {
            file_id: id,
            camera_original: original,
            capture_unix: capture,
            gps,
        }
    }

    /// 2024-05-20T09:00:00Z
    const SEIZED: i64 = 1_716_195_600;
    const DAY: i64 = 86_400;

    fn input() -> EvidenceTriageInput {
        EvidenceTriageInput {
            evidence_id: "E1".into(),
            reference: Some(ReferenceDate {
                utc: "2024-05-20T09:00:00Z".into(),
                source: ReferenceSource::Seizure,
            }),
            known_hits: Vec::new(),
            unknown: Vec::new(),
            clusters: Vec::new(),
            near_known: Vec::new(),
            settings: PrioritySettings { recent_days: 30 },
        }
    }

    fn points(p: &Priority, code: &str) -> Option<(u32, u64)> {
        p.reasons
            .iter()
            .find(|r| r.code == code)
            .map(|r| (r.points, r.count))
    }

    #[test]
    fn classes_follow_the_profile() {
        assert_eq!(HitClass::of(Some("1"), Some("US")), HitClass::Abuse);
        assert_eq!(HitClass::of(Some("2"), None), HitClass::Exploitive);
        assert_eq!(HitClass::of(Some("0"), Some("US")), HitClass::NonPertinent);
        assert_eq!(HitClass::of(Some("3"), Some("US")), HitClass::Other);
        assert_eq!(HitClass::of(None, Some("US")), HitClass::Other);
        assert_eq!(HitClass::of(Some(" "), None), HitClass::Other);
        assert_eq!(HitClass::of(Some("B"), Some("UK")), HitClass::Abuse);
        assert_eq!(HitClass::of(Some("3"), Some("UK")), HitClass::Abuse);
        assert_eq!(HitClass::of(Some("0"), Some("UK")), HitClass::NonPertinent);
        assert_eq!(HitClass::of(Some("B"), Some("US")), HitClass::Other);
    }

    #[test]
    fn every_rule_counts_and_caps() {
        let mut i = input();
        i.unknown = vec![
            unknown(1, true, Some(SEIZED - 10 * DAY), true),
            unknown(2, true, Some(SEIZED - 40 * DAY), false),
            unknown(3, true, None, false),
            unknown(4, false, Some(SEIZED - DAY), true),
            // After the seizure by less than a day (zone unknown): recent.
            unknown(5, true, Some(SEIZED + DAY / 2), false),
            // Two days after: a wrong clock, not recent.
            unknown(6, true, Some(SEIZED + 2 * DAY), false),
        ];
        i.clusters = vec![
            Cluster {
                id: 1,
                representative: 1,
                members: vec![1, 4, 99],
            },
            // Only one member here: not a series of this item.
            Cluster {
                id: 2,
                representative: 2,
                members: vec![2, 98],
            },
            Cluster {
                id: 3,
                representative: 3,
                members: vec![4],
            },
        ];
        i.near_known = vec![
            NearKnown {
                unknown_id: 4,
                known_id: 50,
                distance: 36,
                within: 1,
            },
            NearKnown {
                unknown_id: 77,
                known_id: 50,
                distance: 36,
                within: 1,
            },
        ];
        i.known_hits = (0..12)
            .map(|f| KnownHit {
                file_id: 100 + f,
                category: Some("1".into()),
                profile: Some("US".into()),
            })
            .chain([
                // The same file in a VICS 2 set: counted once, as abuse.
                KnownHit {
                    file_id: 100,
                    category: Some("2".into()),
                    profile: Some("US".into()),
                },
                KnownHit {
                    file_id: 200,
                    category: Some("2".into()),
                    profile: Some("US".into()),
                },
                KnownHit {
                    file_id: 201,
                    category: None,
                    profile: None,
                },
                KnownHit {
                    file_id: 202,
                    category: Some("0".into()),
                    profile: Some("US".into()),
                },
            ])
            .collect();
        let p = priority(&i);
        assert_eq!(points(&p, "recent_camera_original"), Some((60, 2)));
        assert_eq!(points(&p, "camera_original"), Some((100, 5)));
        assert_eq!(points(&p, "series_with_camera_original"), Some((40, 1)));
        assert_eq!(points(&p, "near_known"), Some((15, 1)));
        assert_eq!(points(&p, "gps"), Some((20, 2)));
        assert_eq!(points(&p, "known_abuse"), Some((100, 12)), "capped at 100");
        assert_eq!(points(&p, "known_exploitive"), Some((5, 1)));
        assert_eq!(points(&p, "known_other"), Some((2, 1)));
        assert_eq!(points(&p, "known_non_pertinent"), Some((0, 1)));
        assert_eq!(p.score, 60 + 100 + 40 + 15 + 20 + 100 + 5 + 2);
        assert_eq!(
            p.reasons.last().map(|r| r.code.as_str()),
            Some("known_non_pertinent")
        );
        assert!(p.notes.is_empty());
        let abuse = p
            .reasons
            .iter()
            .find(|r| r.code == "known_abuse")
            .map(|r| r.text.clone());
        assert_eq!(
            abuse.as_deref(),
            Some(
                "12 files matching known child abuse material (VICS 1, CAID A to C): 10 points each, at most 100"
            )
        );
    }

    #[test]
    fn no_reference_no_recency_and_a_note() {
        let mut i = input();
        i.reference = None;
        i.unknown = vec![unknown(1, true, Some(SEIZED), false)];
        let p = priority(&i);
        assert_eq!(points(&p, "recent_camera_original"), None);
        assert_eq!(p.score, 20);
        assert_eq!(p.notes.len(), 1);
        i.reference = Some(ReferenceDate {
            utc: "20 May 2024".into(),
            source: ReferenceSource::Scan,
        });
        assert_eq!(priority(&i).notes.len(), 1);
    }

    #[test]
    fn new_material_outranks_possession_and_ties_go_by_id() {
        let mut possession = input();
        possession.evidence_id = "E2".into();
        possession.known_hits = (0..500)
            .map(|f| KnownHit {
                file_id: f,
                category: Some("1".into()),
                profile: None,
            })
            .collect();
        let mut camera = input();
        camera.evidence_id = "E3".into();
        camera.unknown = (0..3)
            .map(|f| unknown(f, true, Some(SEIZED - DAY), false))
            .collect();
        let mut same = possession.clone();
        same.evidence_id = "E1".into();
        let ranked = rank(&[possession, camera, same]);
        let order: Vec<(&str, u32)> = ranked
            .iter()
            .map(|p| (p.evidence_id.as_str(), p.score))
            .collect();
        assert_eq!(order, vec![("E3", 150), ("E1", 100), ("E2", 100)]);
    }

    #[test]
    fn weights_table_has_every_code_once() {
        let codes: BTreeSet<&str> = WEIGHTS.iter().map(|w| w.code).collect();
        assert_eq!(codes.len(), WEIGHTS.len());
        for w in WEIGHTS {
            assert!(
                w.points_each == 0 || w.cap % w.points_each == 0,
                "{}",
                w.code
            );
        }
    }
}
