//! Triage: what to look at first. Known-hash matching says what was seen
//! before; the urgent cases are the others: material that matches nothing,
//! made with a camera, recently, perhaps of a child who can still be found.
//!
//! * [`cluster`]: unknown pictures grouped into **series** by PDQ
//!   similarity (distance ≤ 31 by default, quality ≥ 50 to link), each with
//!   a representative; an in-memory multi-index keeps it fast (100,000
//!   pictures in well under a second, see `bench/triage.sh`);
//! * [`near_known`]: unknown pictures **near known material** (within 48
//!   by default, wider than a match), listed apart with the distance;
//! * [`priority`] / [`rank`]: a **score per evidence item** with its
//!   reasons, so a unit can order its backlog;
//! * [`vics::render`]: selected unknown material as a VICS 2.0 file for
//!   victim identification;
//! * [`triage`]: all of it over a case's file records;
//! * [`case::triage_case`]: the same over a case file, with paths and
//!   metadata beside every id (`spoor triage`, the reports), and
//!   [`case::select`] for the victim-identification export.
//!
//! Camera originals and capture times come from `spoor-metadata`.
//!
//! # The priority score
//!
//! Simple on purpose: every row counts files (or series) of the evidence
//! item, gives a fixed number of points each, and stops at a cap so that
//! no single sign drowns the others. The score is the sum; each row is
//! shown with its count and points. New material (the first four rows)
//! outweighs possession of known material, because that is where a child
//! may still be protected.
//!
//! | code | counts | points each | at most |
//! | --- | --- | ---: | ---: |
//! | `recent_camera_original` | unknown camera originals taken within `recent_days` (default 90) before the seizure, acquisition or scan date | 30 | 300 |
//! | `camera_original` | unknown camera originals | 20 | 200 |
//! | `series_with_camera_original` | series of ≥ 2 unknown pictures holding a camera original | 40 | 200 |
//! | `near_known` | unknown pictures near known material | 15 | 150 |
//! | `gps` | unknown pictures with a GPS position | 10 | 50 |
//! | `known_abuse` | files matching known child abuse material (VICS 1, CAID A–C) | 10 | 100 |
//! | `known_exploitive` | files matching known exploitive / age-difficult material (VICS 2) | 5 | 50 |
//! | `known_other` | files matching other or uncategorised known material | 2 | 20 |
//! | `known_non_pertinent` | files matching non-pertinent known material (VICS 0, CAID non-indecent) | 0 | 0 |
//!
//! A recent camera original scores in both of the first two rows (50 in
//! all): it is new material and it is recent. The same table is
//! [`WEIGHTS`], which the tests check against this one.
//!
//! ```
//! use spoor_pdq::PdqHash;
//! use spoor_triage::{ClusterSettings, Unknown, cluster};
//!
//! let a = PdqHash([0x5A; 32]);
//! let mut b = a;
//! b.0[0] ^= 0b0000_0111; // 3 bits away
//! let far = PdqHash([0xA5; 32]);
//! let items = [
//!     Unknown { id: 1, pdq: a, quality: 90 },
//!     Unknown { id: 2, pdq: b, quality: 100 },
//!     Unknown { id: 3, pdq: far, quality: 100 },
//! ];
//! let c = cluster(&items, &ClusterSettings::default());
//! assert_eq!(c.clusters[0].members, vec![1, 2]);
//! assert_eq!(c.clusters[0].representative, 2); // the higher quality
//! assert_eq!(c.clusters[1].members, vec![3]);
//! ```

pub mod case;
mod cluster;
pub mod library;
mod mih;
mod near;
mod priority;
mod summary;
pub mod vics;

pub use cluster::{Cluster, ClusterSettings, Clustering, Unknown, cluster, cluster_exhaustive};
pub use near::{Known, NearKnown, NearKnownSettings, near_known, near_known_exhaustive};
pub use priority::{
    EvidenceTriageInput, HitClass, KnownHit, Priority, PrioritySettings, Reason, ReferenceDate,
    ReferenceSource, UnknownFile, WEIGHTS, Weight, priority, rank,
};
pub use summary::{
    CaseTriageInput, FileRecord, FrameRecord, FrameRef, HitCategory, KnownSource, NearCandidate,
    NearIndex, SeriesVideo, TriageSettings, TriageSummary, VariantRecord, transposed, triage, triage_with,
};

/// What can go wrong in this crate (reading a case, exports).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input that cannot be exported as given (a digest of the wrong
    /// length, a record without a file).
    #[error("{0}")]
    Invalid(String),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The case file could not be read.
    #[error(transparent)]
    Case(#[from] spoor_case::Error),
    /// The hash-set library could not be read.
    #[error(transparent)]
    Library(#[from] spoor_hashset::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    /// The table in the crate docs says what [`crate::WEIGHTS`] says.
    #[test]
    fn docs_table_matches_weights() {
        let docs = include_str!("lib.rs");
        for w in crate::WEIGHTS {
            let row = docs
                .lines()
                .find(|l| l.starts_with(&format!("//! | `{}` |", w.code)))
                .unwrap_or_else(|| panic!("no docs row for {}", w.code));
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            assert_eq!(cells[3], w.points_each.to_string(), "{row}");
            assert_eq!(cells[4], w.cap.to_string(), "{row}");
        }
        let rows = docs.lines().filter(|l| l.starts_with("//! | `")).count();
        assert_eq!(rows, crate::WEIGHTS.len());
    }
}

/// The result types declare themselves in TypeScript (for the desktop
/// app's generated bindings, `src-tauri/src/bindings.rs`).
#[cfg(all(test, feature = "ts"))]
mod ts_tests {
    use ts_rs::TS;

    #[test]
    fn result_types_declare_in_typescript() {
        let cfg = ts_rs::Config::new().with_large_int("number");
        let d = <crate::case::CaseTriage as TS>::decl(&cfg);
        assert!(d.contains("near_known: Array<NearKnownEntry>") && d.contains("known_sets: Array<KnownSet>"), "{d}");
        let k = <crate::case::KnownRef as TS>::decl(&cfg);
        assert!(k.contains("frame: FrameRef | null"), "{k}");
        let s = <crate::case::Series as TS>::decl(&cfg);
        assert!(s.contains("videos: Array<SeriesVideoEntry>"), "{s}");
    }
}
