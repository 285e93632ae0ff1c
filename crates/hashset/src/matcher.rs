//! Looking a file's digests up in the loaded sets.

use std::collections::BTreeMap;
use std::path::Path;

use crate::index::{Table, table_path};
use crate::library::MANIFEST_FILE;
use crate::records::RecordStore;
use crate::{DigestKind, Error, FORMAT_VERSION, Record, Result, SetInfo};

/// One set's record that lists one of the file's digests.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactMatch {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// The strongest digest kind by which the record matched.
    pub method: DigestKind,
    /// What the set's line said.
    pub record: Record,
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
}

fn slot(kind: DigestKind) -> usize {
    match kind {
        DigestKind::Md5 => 0,
        DigestKind::Sha1 => 1,
        DigestKind::Sha256 => 2,
    }
}

impl Matcher {
    /// Map every set in `infos`, whose folders are `sets_dir/<id>`.
    pub(crate) fn open(sets_dir: &Path, infos: Vec<SetInfo>) -> Result<Matcher> {
        let mut sets = Vec::with_capacity(infos.len());
        for info in &infos {
            let dir = sets_dir.join(&info.id);
            if info.format_version != FORMAT_VERSION {
                return Err(Error::corrupt(
                    dir.join(MANIFEST_FILE),
                    format!(
                        "set layout version {}, this build reads {FORMAT_VERSION}",
                        info.format_version
                    ),
                ));
            }
            let mut tables = [None, None, None];
            for kind in DigestKind::ALL {
                if let Some(&count) = info.digest_counts.get(&kind).filter(|&&c| c > 0) {
                    tables[slot(kind)] = Some(Table::open(&table_path(&dir, kind), kind, count)?);
                }
            }
            let records = RecordStore::open(&dir, info.record_count)?;
            sets.push(LoadedSet { tables, records });
        }
        Ok(Matcher { infos, sets })
    }

    /// The loaded sets; [`ExactMatch::set`] indexes this.
    pub fn sets(&self) -> &[SetInfo] {
        &self.infos
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
        let digests: [(DigestKind, &[u8]); 3] = [
            (DigestKind::Md5, md5),
            (DigestKind::Sha1, sha1),
            (DigestKind::Sha256, sha256),
        ];
        let mut matches = Vec::new();
        for (index, set) in self.sets.iter().enumerate() {
            // Record number -> strongest method. Record numbers follow the
            // source's line order, so this map's order is the line order.
            let mut hits: BTreeMap<u32, DigestKind> = BTreeMap::new();
            for (kind, digest) in digests {
                let Some(table) = &set.tables[slot(kind)] else {
                    continue;
                };
                for number in table.find(digest) {
                    let method = hits.entry(number).or_insert(kind);
                    *method = (*method).max(kind);
                }
            }
            for (number, method) in hits {
                matches.push(ExactMatch {
                    set: index,
                    method,
                    record: set.records.get(number)?,
                });
            }
        }
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
