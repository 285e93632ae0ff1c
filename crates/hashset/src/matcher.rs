//! Looking a file's digests up in the loaded sets.

use std::path::Path;

use crate::index::{Table, table_path};
use crate::library::check_layout;
use crate::records::RecordStore;
use crate::{DigestKind, Record, Result, SetInfo};

/// One set's record that lists one of the file's digests.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactMatch {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// The strongest digest kind by which the record matched.
    pub method: DigestKind,
    /// What the set's record said, with its category's display name filled
    /// in from the set's profile.
    pub record: Record,
}

/// One file's MD5, SHA-1 and SHA-256, as [`Matcher::matches_many`] takes
/// them.
pub type FileDigests = ([u8; 16], [u8; 20], [u8; 32]);

/// A matching record, not yet read: the hot path of a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// Record number inside the set.
    pub record: u32,
    /// The strongest digest kind by which the record matched.
    pub method: DigestKind,
}

/// One loaded set: its mapped tables (indexed by `DigestKind as usize`) and
/// records.
#[derive(Debug)]
struct LoadedSet {
    tables: [Option<Table>; 3],
    records: RecordStore,
}

/// The loaded sets, ready for lookups. Cheap to share: `Send + Sync`, every
/// lookup only reads memory-mapped files.
#[derive(Debug)]
pub struct Matcher {
    infos: Vec<SetInfo>,
    sets: Vec<LoadedSet>,
    /// Known videos per set (vPDQ), indexed like `infos`.
    videos: Vec<Vec<crate::KnownVideo>>,
}

fn digest_of(f: &FileDigests, slot: usize) -> &[u8] {
    match slot {
        0 => &f.0,
        1 => &f.1,
        _ => &f.2,
    }
}

fn slot(kind: DigestKind) -> usize {
    match kind {
        DigestKind::Md5 => 0,
        DigestKind::Sha1 => 1,
        DigestKind::Sha256 => 2,
    }
}

impl Matcher {
    /// Map every set in `infos`, whose folders are `sets_dir/<id>`. Only
    /// headers and checksum lists are read: no table is loaded.
    pub(crate) fn open(sets_dir: &Path, infos: Vec<SetInfo>) -> Result<Matcher> {
        let mut sets = Vec::with_capacity(infos.len());
        let mut videos = Vec::with_capacity(infos.len());
        for info in &infos {
            let dir = sets_dir.join(&info.id);
            check_layout(info, &dir)?;
            let mut tables = [None, None, None];
            for kind in DigestKind::ALL {
                if let Some(&count) = info.digest_counts.get(&kind).filter(|&&c| c > 0) {
                    tables[slot(kind)] = Some(Table::open(&table_path(&dir, kind), kind, count)?);
                }
            }
            let records = RecordStore::open(&dir, info.record_count)?;
            sets.push(LoadedSet { tables, records });
            videos.push(crate::vpdq::load(&dir, info)?);
        }
        Ok(Matcher { infos, sets, videos })
    }

    /// The loaded sets; [`ExactMatch::set`] indexes this.
    pub fn sets(&self) -> &[SetInfo] {
        &self.infos
    }

    /// The records listing one of the digests, appended to `out` (which is
    /// not cleared): per set, each record once with its strongest method.
    /// No record is read, so this is the cost of a lookup that finds
    /// nothing.
    #[inline]
    pub fn matches(
        &self,
        md5: &[u8; 16],
        sha1: &[u8; 20],
        sha256: &[u8; 32],
        out: &mut Vec<RecordRef>,
    ) -> Result<()> {
        let digests: [(DigestKind, &[u8]); 3] = [
            (DigestKind::Md5, md5),
            (DigestKind::Sha1, sha1),
            (DigestKind::Sha256, sha256),
        ];
        for (index, set) in self.sets.iter().enumerate() {
            let first = out.len();
            for (kind, digest) in digests {
                let Some(table) = &set.tables[slot(kind)] else {
                    continue;
                };
                let (start, end) = table.find(digest)?;
                for i in start..end {
                    let record = table.record(i);
                    // Kinds come weakest first: a later kind upgrades.
                    match out[first..].iter_mut().find(|r| r.record == record) {
                        Some(r) => r.method = r.method.max(kind),
                        None => out.push(RecordRef {
                            set: index,
                            record,
                            method: kind,
                        }),
                    }
                }
            }
        }
        Ok(())
    }

    /// [`Matcher::matches`] for many files at once: `(file index, record)`
    /// pairs appended to `out`. Lookups are interleaved in groups so that
    /// the memory loads of several files overlap (a lookup in a table of
    /// tens of millions of entries waits on memory, not on the CPU): the
    /// way to check a whole list against the library quickly.
    pub fn matches_many(
        &self,
        files: &[FileDigests],
        out: &mut Vec<(usize, RecordRef)>,
    ) -> Result<()> {
        const GROUP: usize = 16;
        let prefetch = |group: &[FileDigests], bucket: bool| {
            for set in &self.sets {
                for (slot, table) in set.tables.iter().enumerate() {
                    let Some(table) = table else { continue };
                    for f in group {
                        if bucket {
                            table.prefetch_bucket(digest_of(f, slot));
                        } else {
                            table.prefetch_fanout(digest_of(f, slot));
                        }
                    }
                }
            }
        };
        let groups: Vec<&[FileDigests]> = files.chunks(GROUP).collect();
        for g in groups.iter().take(2) {
            prefetch(g, false);
        }
        if let Some(first) = groups.first() {
            prefetch(first, true);
        }
        let mut refs = Vec::with_capacity(4);
        for (g, group) in groups.iter().enumerate() {
            // A software pipeline, three groups deep: the buckets of the
            // next group (whose fan-out entries were asked for a group ago),
            // the fan-out of the one after, then this group's searches,
            // whose lines have had a group's time to arrive.
            if let Some(next) = groups.get(g + 1) {
                prefetch(next, true);
            }
            if let Some(after) = groups.get(g + 2) {
                prefetch(after, false);
            }
            for (i, f) in group.iter().enumerate() {
                refs.clear();
                self.matches(&f.0, &f.1, &f.2, &mut refs)?;
                out.extend(refs.iter().map(|r| (g * GROUP + i, *r)));
            }
        }
        Ok(())
    }

    /// Whether any loaded set holds known videos (vPDQ).
    pub fn has_videos(&self) -> bool {
        self.videos.iter().any(|v| !v.is_empty())
    }

    /// The known videos (vPDQ) that a scanned video's frames match under
    /// the vPDQ rule, in set order, then source order.
    pub fn vpdq_matches(
        &self,
        frames: &[spoor_video::Frame],
        settings: &spoor_video::MatchSettings,
    ) -> Vec<crate::VpdqHit> {
        crate::vpdq::matches(&self.videos, frames, settings)
    }

    /// Read one matching record, with its category's display name.
    pub fn record(&self, r: &RecordRef) -> Result<Record> {
        let mut record = self.sets[r.set].records.get(r.record)?;
        if let Some(c) = &record.category {
            record.category_name = self.infos[r.set].categories.get(c).cloned();
        }
        Ok(record)
    }

    /// Every (set, record) whose listed digest equals the file's. A record
    /// that matches by several digests is reported once, with the strongest
    /// method (sha256 > sha1 > md5). Ordered by set index, then record line.
    pub fn lookup(
        &self,
        md5: &[u8; 16],
        sha1: &[u8; 20],
        sha256: &[u8; 32],
    ) -> Result<Vec<ExactMatch>> {
        let mut refs = Vec::new();
        self.matches(md5, sha1, sha256, &mut refs)?;
        let mut matches = Vec::with_capacity(refs.len());
        for r in &refs {
            matches.push(ExactMatch {
                set: r.set,
                method: r.method,
                record: self.record(r)?,
            });
        }
        matches.sort_by_key(|m| (m.set, m.record.line));
        Ok(matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
    }
}
