//! The start screen's list of recently opened cases (app state, not case
//! data): a small JSON file in the app's data folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How many cases the list keeps.
pub const KEEP: usize = 12;

/// A case the examiner opened or created in this app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RecentCase {
    pub path: PathBuf,
    pub case_number: String,
    pub title: String,
    pub opened_utc: String,
}

fn file(dir: &Path) -> PathBuf {
    dir.join("recent-cases.json")
}

/// The list, newest first. A missing or unreadable list is an empty one
/// (it is a convenience, never evidence).
pub fn load(dir: &Path) -> Vec<RecentCase> {
    std::fs::read(file(dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Puts `case` first, drops older entries for the same path, keeps [`KEEP`].
pub fn remember(dir: &Path, case: RecentCase) -> std::io::Result<Vec<RecentCase>> {
    let mut list = load(dir);
    list.retain(|c| c.path != case.path);
    list.insert(0, case);
    list.truncate(KEEP);
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join("recent-cases.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&list).map_err(std::io::Error::other)?)?;
    std::fs::rename(&tmp, file(dir))?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> RecentCase {
        RecentCase { path: path.into(), case_number: "N".into(), title: "T".into(), opened_utc: "2026-01-01T00:00:00Z".into() }
    }

    #[test]
    fn newest_first_without_duplicates_and_bounded() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        assert!(load(dir.path()).is_empty());
        for i in 0..20 {
            remember(dir.path(), entry(&format!("/c/{i}.spoor")))?;
        }
        let list = remember(dir.path(), entry("/c/5.spoor"))?;
        assert_eq!(list.len(), KEEP);
        assert_eq!(list[0].path, PathBuf::from("/c/5.spoor"));
        assert_eq!(list.iter().filter(|c| c.path.as_path() == Path::new("/c/5.spoor")).count(), 1);
        assert_eq!(load(dir.path()), list);
        Ok(())
    }

    #[test]
    fn a_damaged_list_reads_as_empty() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("recent-cases.json"), b"{not json")?;
        assert!(load(dir.path()).is_empty());
        Ok(())
    }
}
