//! Hash sets in the exchange formats examiners receive: VICS JSON 1.3 and
//! 2.0 (US `#Cases`, UK/CAID `#Media`), NSRL RDS v3 (SQLite, minimal build)
//! and RDS 2.x `NSRLFile.txt` in both column orders, HashKeeper, EnCase,
//! and the Sleuth Kit's `.idx` and `.kdb`.
//!
//! Each names a few files of the evidence tree (plus digests of nothing in
//! it) and carries the quirks importers must survive: a BOM, upper-case
//! hex, booleans as strings, `Category: 0` beside `null`, three date forms,
//! PhotoDNA in both places, the header after `value`, one NSRL file listed
//! by two packages. Written after the md5sum/CSV lists from an RNG of its
//! own, so those stay byte-identical.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::at;
use crate::manifest::{FixtureFile, FixtureSet};
use crate::scene::SplitMix64;
use crate::tree::paths::*;

/// Writes every exchange-format set into `dir` and describes each.
pub(crate) fn write_all(dir: &Path, files: &[FixtureFile]) -> io::Result<Vec<FixtureSet>> {
    let mut w = Writer {
        dir,
        files,
        rng: SplitMix64::new(0x5643_4953),
    };
    Ok(vec![
        w.vics_1_3()?,
        w.vics_2_us_cases()?,
        w.caid()?,
        w.nsrl_rds3()?,
        w.nsrl_rds2("NSRLFile.txt", false, &[TODO, BLOB, RAW_BIN])?,
        w.nsrl_rds2("NSRLFile-md5-first.txt", true, &[NOTES, EMPTY])?,
        w.hashkeeper()?,
        w.encase()?,
        w.tsk_idx()?,
        w.tsk_kdb()?,
    ])
}

struct Writer<'a> {
    dir: &'a Path,
    files: &'a [FixtureFile],
    rng: SplitMix64,
}

/// One listed item: a fixture file (by path) or a fake digest triple.
struct Item {
    md5: String,
    sha1: String,
    sha256: String,
    size: u64,
    name: String,
    category: Option<&'static str>,
}

/// Collects what a set lists, for its [`FixtureSet`].
#[derive(Default)]
struct Listed {
    lists: BTreeSet<Vec<u8>>,
    categories: BTreeMap<String, Option<String>>,
    records: u64,
}

impl Writer<'_> {
    fn file(&self, path: &[u8]) -> &FixtureFile {
        self.files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("the tree lacks {}", String::from_utf8_lossy(path)))
    }

    /// A listed fixture file; `by` says which digests the list carries (the
    /// files sharing any of them match too).
    fn item(
        &self,
        path: &[u8],
        category: Option<&'static str>,
        by: &[&str],
        listed: &mut Listed,
    ) -> Item {
        let f = self.file(path);
        for other in self.files {
            let same = by.iter().any(|k| match *k {
                "md5" => other.md5 == f.md5,
                "sha1" => other.sha1 == f.sha1,
                _ => other.sha256 == f.sha256,
            });
            if same {
                listed.lists.insert(other.path.clone());
            }
        }
        listed.categories.insert(f.md5.clone(), category.map(str::to_string));
        listed.records += 1;
        let name = String::from_utf8_lossy(path)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        Item {
            md5: f.md5.clone(),
            sha1: f.sha1.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
            name,
            category,
        }
    }

    /// Digests of nothing in the tree.
    fn fake(&mut self, category: Option<&'static str>, listed: &mut Listed) -> Item {
        loop {
            let md5 = hex::encode(self.rng.bytes(16));
            if self.files.iter().any(|f| f.md5 == md5) {
                continue;
            }
            listed.records += 1;
            let n = listed.records;
            return Item {
                md5,
                sha1: hex::encode(self.rng.bytes(20)),
                sha256: hex::encode(self.rng.bytes(32)),
                size: 1000 + self.rng.next_u64() % 100_000,
                name: format!("unrelated-{n:03}.jpg"),
                category,
            };
        }
    }

    fn photodna(&mut self) -> String {
        base64(&self.rng.bytes(144))
    }

    fn save(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.dir.join(name);
        fs::write(&path, bytes).map_err(|e| at(&path, e))
    }

    fn set(
        name: &str,
        format: &str,
        kind: &str,
        profile: Option<&str>,
        listed: Listed,
    ) -> FixtureSet {
        FixtureSet {
            file: PathBuf::from(name),
            format: format.into(),
            kind: kind.into(),
            malformed_line: None,
            lists: listed.lists.into_iter().collect(),
            record_count: listed.records,
            categories: listed.categories,
            profile: profile.map(str::to_string),
        }
    }

    /// VICS 1.3 `#Media`: BOM, CRLF, upper-case hex, booleans as strings,
    /// `Category: 0` and `null`, PhotoDNA in `AlternativeHashes`, .NET dates.
    fn vics_1_3(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let a = self.item(IMG_0001, Some("1"), &["md5", "sha1"], &mut l);
        let b = self.item(BANNER, Some("0"), &["sha1"], &mut l);
        let c = self.item(HERO, None, &["md5"], &mut l);
        let f1 = self.fake(Some("2"), &mut l);
        let f2 = self.fake(Some("3"), &mut l);
        let pdna = self.photodna();
        let media = vec![
            json!({
                "MediaID": 1, "Category": 1, "MD5": a.md5.to_uppercase(), "SHA1": a.sha1.to_uppercase(),
                "MediaSize": a.size.to_string(), "DateUpdated": "/Date(1700000000000)/",
                "IsPrecategorized": "true", "VictimIdentified": "true", "OffenderIdentified": "False",
                "IsDistributed": "false", "Series": "Fixture series A", "Tags": "fixture",
                "Comments": "listed twice in the tree",
                "AlternativeHashes": [{"HashName": "PhotoDNA", "HashValue": pdna}],
                "MediaFiles": [{"FileName": a.name, "FilePath": "DCIM\\100CAMERA"}, {"FileName": "copy.jpg"}],
                "Exifs": [{"PropertyName": "Make", "PropertyValue": "Spoor"}]
            }),
            json!({"MediaID": 2, "Category": 0, "SHA1": b.sha1.to_uppercase(), "MediaSize": b.size,
                   "MediaFiles": [{"FileName": b.name}], "DateUpdated": "2023-06-07T02:31:49.8300Z"}),
            json!({"MediaID": 3, "Category": null, "MD5": c.md5, "MediaSize": c.size, "IsDistributed": true}),
            json!({"MediaID": 4, "Category": 2, "MD5": f1.md5.to_uppercase(), "SHA1": f1.sha1, "MediaSize": f1.size}),
            json!({"MediaID": 5, "Category": "3", "MD5": f2.md5, "SHA1": f2.sha1, "MediaFiles": [{"FileName": f2.name}]}),
        ];
        let mut text = String::from("\u{feff}{\r\n");
        text.push_str(
            "  \"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\",\r\n  \"value\": [\r\n",
        );
        push_values(&mut text, &media, "\r\n");
        text.push_str("  ]\r\n}\r\n");
        self.save("vics-1.3-media.json", text.as_bytes())?;
        Ok(Self::set("vics-1.3-media.json", "vics", "alert", Some("US"), l))
    }

    /// VICS 2.0 US `#Cases`, the header after `value`, PhotoDNA on the
    /// record, a tag list, a US date.
    fn vics_2_us_cases(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let a = self.item(IMG_0002, Some("2"), &["md5", "sha1"], &mut l);
        let b = self.item(ICON16, Some("4"), &["md5", "sha1"], &mut l);
        let f = self.fake(Some("3"), &mut l);
        let pdna = self.photodna();
        let media = vec![
            json!({"MediaID": 10, "Category": 2, "MD5": a.md5, "SHA1": a.sha1, "MediaSize": a.size,
                   "PhotoDNA": pdna, "Tags": ["camera", "fixture"], "OffenderIdentified": false,
                   "DateUpdated": "06/07/2023 2:05:09 PM", "MediaFiles": [{"FileName": a.name}]}),
            json!({"MediaID": 11, "Category": 4, "MD5": b.md5, "SHA1": b.sha1, "Series": "S-9",
                   "VictimIdentified": "no", "MediaFiles": [{"FileName": b.name}]}),
            json!({"MediaID": 12, "Category": 3, "MD5": f.md5, "SHA1": f.sha1}),
        ];
        let mut text = String::from("{\n  \"value\": [\n    {\n      \"CaseID\": \"6f1c2a4e-0000-4000-8000-000000000001\",\n      \"CaseNumber\": \"FIX-2026-001\",\n      \"Media\": [\n");
        push_values(&mut text, &media, "\n");
        text.push_str("      ],\n      \"SourceApplicationName\": \"spoor-fixtures\"\n    }\n  ],\n");
        text.push_str("  \"@odata.context\": \"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases\"\n}\n");
        self.save("vics-2.0-us-cases.json", text.as_bytes())?;
        Ok(Self::set("vics-2.0-us-cases.json", "vics", "alert", Some("US"), l))
    }

    /// VICS 2.0 UK profile (CAID) `#Media`: grades A, B, C, non-indecent.
    fn caid(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let items = [
            self.item(IMG_0005, Some("1"), &["md5", "sha1"], &mut l),
            self.item(SUNSET, Some("2"), &["md5", "sha1"], &mut l),
            self.item(MAP, Some("3"), &["md5", "sha1"], &mut l),
            self.item(LOGO, Some("0"), &["md5", "sha1"], &mut l),
            self.fake(Some("1"), &mut l),
        ];
        let media: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let category: Value = it
                    .category
                    .and_then(|c| c.parse::<u32>().ok())
                    .map(Value::from)
                    .unwrap_or(Value::Null);
                json!({"MediaID": i + 1, "Category": category, "MD5": it.md5.to_uppercase(),
                       "SHA1": it.sha1.to_uppercase(), "MediaSize": it.size,
                       "IsPrecategorized": "False", "MediaFiles": [{"FileName": it.name}]})
            })
            .collect();
        let mut text = String::from(
            "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media\",\"value\":[\n",
        );
        push_values(&mut text, &media, "\n");
        text.push_str("]}\n");
        self.save("caid-uk.json", text.as_bytes())?;
        Ok(Self::set("caid-uk.json", "caid", "alert", Some("UK"), l))
    }

    /// NSRL RDS v3, minimal build: the `FILE` table (upper-case hex), with
    /// one file listed by two packages, and `PKG`, `OS`, `MFG`, `VERSION`.
    fn nsrl_rds3(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let items = [
            self.item(NOTES, None, &["md5", "sha1", "sha256"], &mut l),
            self.item(BUDGET, None, &["md5", "sha1", "sha256"], &mut l),
            self.item(PAGE_HTML, None, &["md5", "sha1", "sha256"], &mut l),
            self.item(EMPTY, None, &["md5", "sha1", "sha256"], &mut l),
            self.item(ARCHIVE, None, &["md5", "sha1", "sha256"], &mut l),
            self.fake(None, &mut l),
            self.fake(None, &mut l),
        ];
        l.categories.clear();
        let name = "nsrl-rds3-minimal.db";
        let path = self.dir.join(name);
        let db = |e: rusqlite::Error| at(&path, io::Error::other(e));
        let conn = rusqlite::Connection::open(&path).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode=OFF;
             BEGIN;
             CREATE TABLE VERSION (version TEXT, build_set TEXT, build_date TEXT, release_date TEXT, description TEXT);
             CREATE TABLE MFG (manufacturer_id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE OS (operating_system_id INTEGER PRIMARY KEY, name TEXT, version TEXT, manufacturer_id INTEGER);
             CREATE TABLE PKG (package_id INTEGER PRIMARY KEY, name TEXT, version TEXT, operating_system_id INTEGER, manufacturer_id INTEGER, language TEXT, application_type TEXT);
             CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INTEGER, package_id INTEGER);
             CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5 FROM FILE;
             INSERT INTO VERSION VALUES ('2026.09.1', 'Minimal', '2026-09-01', '2026-09-15', 'Spoor fixture');
             INSERT INTO MFG VALUES (1, 'Fixture Software');
             INSERT INTO OS VALUES (1, 'FixtureOS', '1', 1);
             INSERT INTO PKG VALUES (100, 'Office Suite', '1.0', 1, 1, 'English', 'Office');
             INSERT INTO PKG VALUES (200, 'Archiver', '2.1', 1, 1, 'English', 'Utility');",
        )
        .map_err(db)?;
        let mut rows: Vec<(&Item, i64, String)> = items.iter().map(|i| (i, 100, i.name.clone())).collect();
        // The archive ships in a second package under another name: one
        // record after the import, with both names.
        rows.push((&items[4], 200, "bundle.zip".into()));
        for (it, pkg, file_name) in rows {
            conn.execute(
                "INSERT INTO FILE VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    it.sha256.to_uppercase(),
                    it.sha1.to_uppercase(),
                    it.md5.to_uppercase(),
                    "00000000",
                    file_name,
                    it.size as i64,
                    pkg
                ],
            )
            .map_err(db)?;
        }
        conn.execute_batch("COMMIT;").map_err(db)?;
        drop(conn);
        Ok(Self::set(name, "nsrl-rds3", "ignore", None, l))
    }

    /// NSRL RDS 2.x `NSRLFile.txt`, in the first column order or (with
    /// `md5_first`) the second.
    fn nsrl_rds2(&mut self, name: &str, md5_first: bool, paths: &[&[u8]]) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let mut items: Vec<Item> = paths
            .iter()
            .map(|p| self.item(p, None, &["md5", "sha1"], &mut l))
            .collect();
        items.push(self.fake(None, &mut l));
        l.categories.clear();
        let mut text = String::new();
        if md5_first {
            text.push_str("\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\r\n");
        } else {
            text.push_str("\"SHA-1\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"MD4\",\"MD5\",\"CRC32\",\"SpecialCode\"\r\n");
        }
        for it in &items {
            let (sha1, md5) = (it.sha1.to_uppercase(), it.md5.to_uppercase());
            let file_name = it.name.replace('"', "");
            if md5_first {
                text.push_str(&format!(
                    "\"{sha1}\",\"{md5}\",\"00000000\",\"{file_name}\",{},1234,\"WIN\",\"\"\r\n",
                    it.size
                ));
            } else {
                text.push_str(&format!(
                    "\"{sha1}\",\"{file_name}\",{},1234,\"WIN\",\"{}\",\"{md5}\",\"00000000\",\"\"\r\n",
                    it.size,
                    "0".repeat(32)
                ));
            }
        }
        self.save(name, text.as_bytes())?;
        Ok(Self::set(name, "nsrl-rds2", "ignore", None, l))
    }

    /// HashKeeper: CSV whose MD5 column is `hash`.
    fn hashkeeper(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let items = [
            self.item(PAGE1, None, &["md5"], &mut l),
            self.item(NOISE, None, &["md5"], &mut l),
            self.fake(None, &mut l),
        ];
        l.categories.clear();
        let mut text = String::from(
            "\"file_id\",\"hash\",\"file_name\",\"directory\",\"file_size\",\"date_modified\",\"time_modified\",\"time_zone\",\"comments\",\"date_accessed\",\"time_accessed\"\r\n",
        );
        for (i, it) in items.iter().enumerate() {
            text.push_str(&format!(
                "{},\"{}\",\"{}\",\"C:\\\\fixture\",{},\"06/07/2023\",\"14:05:09\",\"UTC\",\"\",\"06/07/2023\",\"14:05:09\"\r\n",
                i + 1,
                it.md5,
                it.name,
                it.size
            ));
        }
        self.save("hashkeeper.hsh", text.as_bytes())?;
        Ok(Self::set("hashkeeper.hsh", "hashkeeper", "alert", None, l))
    }

    /// EnCase `.hash`: binary MD5 records after a 0x480-byte header.
    fn encase(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let items = [
            self.item(CAFE_LATIN1, None, &["md5"], &mut l),
            self.item(SPINNER, None, &["md5"], &mut l),
            self.item(BADGE, None, &["md5"], &mut l),
            self.fake(None, &mut l),
            self.fake(None, &mut l),
        ];
        l.categories.clear();
        let mut out = vec![0u8; 0x480];
        out[..16].copy_from_slice(&[
            0x48, 0x41, 0x53, 0x48, 0x0D, 0x0A, 0xFF, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,
            0x00, 0x00,
        ]);
        out[0x10..0x14].copy_from_slice(&(items.len() as u32).to_le_bytes());
        for (at, text) in [(0x408, "Fixture known bad"), (0x458, "Notable")] {
            for (i, u) in text.encode_utf16().enumerate() {
                out[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
        }
        for it in &items {
            out.extend_from_slice(&hex::decode(&it.md5).map_err(io::Error::other)?);
            out.extend_from_slice(&[0, 0]);
        }
        self.save("encase.hash", &out)?;
        Ok(Self::set("encase.hash", "encase", "alert", None, l))
    }

    /// Sleuth Kit `.idx`: the name line of zeros, then sorted `md5|offset`.
    fn tsk_idx(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let mut items = [
            self.item(PAGE2, None, &["md5"], &mut l),
            self.item(REPORT_DAT, None, &["md5"], &mut l),
            self.item(PHOTO_PNG_AS_JPG, None, &["md5"], &mut l),
            self.fake(None, &mut l),
        ];
        l.categories.clear();
        items.sort_by(|a, b| a.md5.cmp(&b.md5));
        let mut text = format!("{}|Fixture TSK index\n", "0".repeat(32));
        for (i, it) in items.iter().enumerate() {
            text.push_str(&format!("{}|{}\n", it.md5, i * 64));
        }
        self.save("tsk-md5.idx", text.as_bytes())?;
        Ok(Self::set("tsk-md5.idx", "tsk-idx", "alert", None, l))
    }

    /// Sleuth Kit `.kdb`: binary digests, file names, comments, properties.
    fn tsk_kdb(&mut self) -> io::Result<FixtureSet> {
        let mut l = Listed::default();
        let items = [
            self.item(ICON32, None, &["md5", "sha1"], &mut l),
            self.item(UEBERBLICK, None, &["md5", "sha1"], &mut l),
            self.fake(None, &mut l),
        ];
        l.categories.clear();
        let name = "tsk-hashdb.kdb";
        let path = self.dir.join(name);
        let db = |e: rusqlite::Error| at(&path, io::Error::other(e));
        let conn = rusqlite::Connection::open(&path).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode=OFF;
             BEGIN;
             CREATE TABLE db_properties (name TEXT NOT NULL, value TEXT);
             CREATE TABLE hashes (id INTEGER PRIMARY KEY AUTOINCREMENT, md5 BINARY(16) UNIQUE, sha1 BINARY(20), sha2_256 BINARY(32));
             CREATE TABLE file_names (name TEXT NOT NULL, hash_id INTEGER NOT NULL, PRIMARY KEY(name, hash_id));
             CREATE TABLE comments (comment TEXT NOT NULL, hash_id INTEGER NOT NULL, PRIMARY KEY(comment, hash_id));
             INSERT INTO db_properties VALUES ('Schema Major Version', '1');
             INSERT INTO db_properties VALUES ('Schema Minor Version', '0');
             INSERT INTO db_properties VALUES ('Hash Set Name', 'Fixture TSK database');",
        )
        .map_err(db)?;
        for (i, it) in items.iter().enumerate() {
            let id = i as i64 + 1;
            let md5 = hex::decode(&it.md5).map_err(io::Error::other)?;
            let sha1 = hex::decode(&it.sha1).map_err(io::Error::other)?;
            conn.execute(
                "INSERT INTO hashes (id, md5, sha1, sha2_256) VALUES (?1, ?2, ?3, NULL)",
                rusqlite::params![id, md5, sha1],
            )
            .map_err(db)?;
            conn.execute(
                "INSERT INTO file_names VALUES (?1, ?2)",
                rusqlite::params![it.name, id],
            )
            .map_err(db)?;
            if i == 0 {
                conn.execute(
                    "INSERT INTO comments VALUES ('seen in case FIX-1', ?1)",
                    rusqlite::params![id],
                )
                .map_err(db)?;
            }
        }
        conn.execute_batch("COMMIT;").map_err(db)?;
        drop(conn);
        Ok(Self::set(name, "tsk-kdb", "alert", None, l))
    }
}

/// `values` as JSON, one per line, comma-separated, each line indented.
fn push_values(text: &mut String, values: &[Value], eol: &str) {
    for (i, v) in values.iter().enumerate() {
        text.push_str("    ");
        text.push_str(&v.to_string());
        if i + 1 < values.len() {
            text.push(',');
        }
        text.push_str(eol);
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
