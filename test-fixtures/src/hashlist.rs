//! Hash lists naming pictures and documents of the evidence tree, in the
//! formats the hashset crate reads: md5sum/sha1sum/sha256sum lines and CSV.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::at;
use crate::manifest::{FixtureFile, FixtureSet};
use crate::scene::SplitMix64;
use crate::tree::paths::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algo {
    Md5,
    Sha1,
    Sha256,
}

impl Algo {
    fn hex_len(self) -> usize {
        match self {
            Self::Md5 => 32,
            Self::Sha1 => 40,
            Self::Sha256 => 64,
        }
    }

    fn of(self, file: &FixtureFile) -> &str {
        match self {
            Self::Md5 => &file.md5,
            Self::Sha1 => &file.sha1,
            Self::Sha256 => &file.sha256,
        }
    }

    fn sum_format(self) -> &'static str {
        match self {
            Self::Md5 => "md5sum",
            Self::Sha1 => "sha1sum",
            Self::Sha256 => "sha256sum",
        }
    }
}

/// A `*sum`-style line: (evidence path, upper-case hex?).
type Line = (&'static [u8], bool);

/// Writes every list into `dir` and describes each.
pub(crate) fn write_all(dir: &Path, files: &[FixtureFile]) -> io::Result<Vec<FixtureSet>> {
    fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
    let mut writer = Writer {
        dir,
        files,
        rng: SplitMix64::new(0x4A54),
    };
    Ok(vec![
        // About a third of the pictures: a duplicated one, the JPEG named
        // .dat, the Latin-1-named one and the large one (when present).
        writer.sum_list(
            "known.md5",
            Algo::Md5,
            "alert",
            &[
                (IMG_0001, false),
                (IMG_0002, true),
                (IMG_0003_LARGE, false),
                (REPORT_DAT, false),
                (CAFE_LATIN1, false),
                (SPINNER, true),
                (PAGE2, false),
            ],
            20,
            &[3, 11],
            None,
        )?,
        writer.sum_list(
            "known.sha256",
            Algo::Sha256,
            "alert",
            &[
                (SUNSET, false),
                (HERO, false),
                (IMG_0005, false),
                (BADGE, false),
            ],
            0,
            &[],
            None,
        )?,
        writer.alert_csv("alert.csv")?,
        // Known-good files: the documents, the empty file, the binaries.
        writer.sum_list(
            "nsrl-sample.sha1",
            Algo::Sha1,
            "ignore",
            &[
                (NOTES, false),
                (BUDGET, false),
                (PAGE_HTML, false),
                (EMPTY, false),
                (ARCHIVE, false),
                (BLOB, false),
                (RAW_BIN, false),
            ],
            5,
            &[],
            None,
        )?,
        writer.sum_list(
            "bad-lines.md5",
            Algo::Md5,
            "alert",
            &[
                (ICON16, false),
                (LOGO, false),
                (NOISE, false),
                (PAGE1, false),
            ],
            0,
            &[],
            Some(4),
        )?,
    ])
}

struct Writer<'a> {
    dir: &'a Path,
    files: &'a [FixtureFile],
    rng: SplitMix64,
}

impl Writer<'_> {
    fn file(&self, path: &[u8]) -> Option<&FixtureFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Every evidence path whose `algo` digest is `digest`: a listed file's
    /// duplicates match too.
    fn paths_with(&self, algo: Algo, digest: &str, into: &mut BTreeSet<Vec<u8>>) {
        for f in self.files.iter().filter(|f| algo.of(f) == digest) {
            into.insert(f.path.clone());
        }
    }

    /// A digest of nothing in the tree.
    fn unrelated(&mut self, algo: Algo) -> String {
        loop {
            let hex = hex::encode(self.rng.bytes(algo.hex_len() / 2));
            if !self.files.iter().any(|f| algo.of(f) == hex) {
                return hex;
            }
        }
    }

    /// `<hex>  <name>` lines for `lines` (paths absent from this tree, such as
    /// the large picture without `large`, are left out), then `fakes` unrelated
    /// digests; `fake_upper` picks fakes by index to write in upper case.
    /// `malformed` puts a bad line at that 1-based line number.
    #[allow(clippy::too_many_arguments)]
    fn sum_list(
        &mut self,
        name: &str,
        algo: Algo,
        kind: &str,
        lines: &[Line],
        fakes: usize,
        fake_upper: &[usize],
        malformed: Option<u64>,
    ) -> io::Result<FixtureSet> {
        let mut records: Vec<(String, Vec<u8>)> = Vec::new();
        let mut lists = BTreeSet::new();
        for &(path, upper) in lines {
            let Some(file) = self.file(path) else {
                continue;
            };
            let digest = algo.of(file).to_owned();
            self.paths_with(algo, &digest, &mut lists);
            let hex = if upper {
                digest.to_ascii_uppercase()
            } else {
                digest
            };
            records.push((hex, path.to_vec()));
        }
        for i in 0..fakes {
            let hex = self.unrelated(algo);
            let hex = if fake_upper.contains(&i) {
                hex.to_ascii_uppercase()
            } else {
                hex
            };
            records.push((hex, format!("lost/unrelated-{i:03}.jpg").into_bytes()));
        }
        let record_count = records.len() as u64;

        let mut text = Vec::new();
        let mut line_no = 0;
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() || malformed.is_some_and(|m| line_no < m) {
            line_no += 1;
            if Some(line_no) == malformed {
                // Sixteen hex digits: the right shape, the wrong length.
                text.extend_from_slice(b"0123456789abcdef  truncated-digest.jpg\n");
            } else if let Some((hex, name)) = records.next() {
                text.extend_from_slice(hex.as_bytes());
                text.extend_from_slice(b"  ");
                text.extend_from_slice(&name);
                text.push(b'\n');
            }
        }
        self.save(name, &text)?;
        Ok(FixtureSet {
            file: PathBuf::from(name),
            format: algo.sum_format().into(),
            kind: kind.into(),
            malformed_line: malformed,
            lists: lists.into_iter().collect(),
            record_count,
            categories: Default::default(),
            profile: None,
        })
    }

    /// `md5,sha1,category,name,series`: categories 1, 2, 0 and one empty;
    /// a name holding a comma is quoted.
    fn alert_csv(&mut self, name: &str) -> io::Result<FixtureSet> {
        let rows: &[(&[u8], &str, &str, &str)] = &[
            (BANNER, "1", "web banner", "S-001"),
            (ICON32, "2", "icon 32", "S-001"),
            (UEBERBLICK, "0", "überblick ☃", "S-002"),
            (IMG_0004, "", "camera 4", "S-002"),
            (PHOTO_PNG_AS_JPG, "1", "photo, downloaded", "S-003"),
        ];
        let mut text = String::from("md5,sha1,category,name,series\n");
        let mut lists = BTreeSet::new();
        let mut record_count = 0;
        for &(path, category, label, series) in rows {
            let Some(file) = self.file(path) else {
                continue;
            };
            self.paths_with(Algo::Md5, &file.md5, &mut lists);
            self.paths_with(Algo::Sha1, &file.sha1, &mut lists);
            let (md5, sha1) = (file.md5.clone(), file.sha1.clone());
            push_csv_row(&mut text, &[&md5, &sha1, category, label, series]);
            record_count += 1;
        }
        let (md5, sha1) = (self.unrelated(Algo::Md5), self.unrelated(Algo::Sha1));
        push_csv_row(&mut text, &[&md5, &sha1, "2", "not in this tree", ""]);
        record_count += 1;
        self.save(name, text.as_bytes())?;
        Ok(FixtureSet {
            file: PathBuf::from(name),
            format: "csv".into(),
            kind: "alert".into(),
            malformed_line: None,
            lists: lists.into_iter().collect(),
            record_count,
            categories: Default::default(),
            profile: None,
        })
    }

    fn save(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.dir.join(name);
        fs::write(&path, bytes).map_err(|e| at(&path, e))
    }
}

fn push_csv_row(text: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        if field.contains([',', '"', '\n']) {
            text.push('"');
            text.push_str(&field.replace('"', "\"\""));
            text.push('"');
        } else {
            text.push_str(field);
        }
    }
    text.push('\n');
}
