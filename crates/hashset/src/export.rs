//! Writing a set back out: VICS JSON 2.0, md5sum lines or CSV.
//!
//! VICS: `{"@odata.context": ".../2.0.xml/<profile>/$metadata#Media",
//! "value": [...]}` with one Media record per line, the profile the set was
//! imported with (`CUSTOM` when it has none). Each record gives `MediaID`
//! (its own when the source had one, else its 1-based position), `Category`
//! (a number when the raw value is one), upper-case `MD5`, `SHA1` (and
//! `SHA256` when listed), `MediaSize`, `Series`, the four flags, `Tags` (a
//! string for one tag, a list for several), `Comments`, `PhotoDNA`,
//! `MediaFiles` (one per name) and the record's other fields as strings.
//! Spoor's own bookkeeping goes in three fields of its own, written only
//! when set: `SpoorMerged` (source records merged into this one),
//! `SpoorNamesOmitted` (names beyond the kept ones) and
//! `SpoorOtherCategories` (the categories merged duplicates gave besides
//! `Category`, a list); the VICS importer reads them back, other tools
//! keep them as unknown fields. Importing that file gives back the same
//! records with every field (the line numbers are those of the new file:
//! record `n` on line `n + 1`).

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Map, Value};

use crate::records::RecordStore;
use crate::{Error, Format, Record, Result, SetInfo};

/// Write the records of `info` (read from `records`) to `out` in `format`.
pub(crate) fn export(
    info: &SetInfo,
    records: &RecordStore,
    videos: &[crate::KnownVideo],
    format: Format,
    out: &mut dyn Write,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io(format!("<export of {}>", info.id), e);
    let mut written = 0u64;
    match format {
        Format::Vics | Format::Caid => {
            let profile = match format {
                Format::Caid => "UK",
                _ => info.profile.as_deref().unwrap_or("CUSTOM"),
            };
            write!(
                out,
                "{{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{profile}/$metadata#Media\",\"value\":["
            )
            .map_err(io)?;
            for n in 0..records.len() {
                let mut record = records.get(n as u32)?;
                // A known video's frames travel in a `vPDQ` field.
                if let Some(text) = crate::vpdq::frames_text_for(videos, &record) {
                    record.extra.insert("vPDQ".into(), text);
                }
                let media = vics_media(&record, n + 1);
                out.write_all(if n == 0 { b"\n" } else { b",\n" }).map_err(io)?;
                serde_json::to_writer(&mut *out, &media).map_err(|e| io(e.into()))?;
                written += 1;
            }
            out.write_all(b"\n]}\n").map_err(io)?;
        }
        Format::Md5sum | Format::Sha1sum | Format::Sha256sum => {
            let kind = match format {
                Format::Md5sum => crate::DigestKind::Md5,
                Format::Sha1sum => crate::DigestKind::Sha1,
                _ => crate::DigestKind::Sha256,
            };
            for n in 0..records.len() {
                let record = records.get(n as u32)?;
                let Some(hex) = record.digest(kind) else {
                    continue;
                };
                match &record.name {
                    None => writeln!(out, "{hex}").map_err(io)?,
                    Some(name) if name.contains(['\\', '\n', '\r']) => {
                        let escaped = name
                            .replace('\\', "\\\\")
                            .replace('\n', "\\n")
                            .replace('\r', "\\r");
                        writeln!(out, "\\{hex}  {escaped}").map_err(io)?
                    }
                    Some(name) => writeln!(out, "{hex}  {name}").map_err(io)?,
                }
                written += 1;
            }
        }
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(&mut *out);
            let header = [
                "md5",
                "sha1",
                "sha256",
                "name",
                "category",
                "category_name",
                "series",
                "media_size",
                "victim_identified",
                "offender_identified",
                "is_distributed",
                "is_precategorized",
                "tags",
                "comments",
                "photodna",
                "other_names",
                "line",
            ];
            csv.write_record(header).map_err(|e| io(e.into()))?;
            for n in 0..records.len() {
                let r = records.get(n as u32)?;
                let opt = |v: &Option<String>| v.clone().unwrap_or_default();
                let flag = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
                let category_name = r
                    .category
                    .as_ref()
                    .and_then(|c| info.categories.get(c).cloned())
                    .unwrap_or_default();
                csv.write_record([
                    opt(&r.md5),
                    opt(&r.sha1),
                    opt(&r.sha256),
                    opt(&r.name),
                    opt(&r.category),
                    category_name,
                    opt(&r.series),
                    r.media_size.map(|s| s.to_string()).unwrap_or_default(),
                    flag(r.victim_identified),
                    flag(r.offender_identified),
                    flag(r.is_distributed),
                    flag(r.is_precategorized),
                    r.tags.join("; "),
                    opt(&r.comments),
                    opt(&r.photodna),
                    r.other_names.join("; "),
                    r.line.to_string(),
                ])
                .map_err(|e| io(e.into()))?;
                written += 1;
            }
            csv.flush().map_err(io)?;
        }
        other => {
            return Err(Error::UnsupportedFormat {
                path: std::path::PathBuf::from(&info.id),
                reason: format!("export writes vics, caid, md5sum, sha1sum, sha256sum or csv, not {other}"),
            });
        }
    }
    out.flush().map_err(io)?;
    Ok(written)
}

/// Field names the VICS writer sets itself (an extra field of the same name,
/// case aside, is not written twice).
const KNOWN: [&str; 19] = [
    "MediaID",
    "Category",
    "MD5",
    "SHA1",
    "SHA256",
    "MediaSize",
    "Series",
    "VictimIdentified",
    "OffenderIdentified",
    "IsDistributed",
    "IsPrecategorized",
    "Tags",
    "Comments",
    "PhotoDNA",
    "MediaFiles",
    "AlternativeHashes",
    "SpoorMerged",
    "SpoorNamesOmitted",
    "SpoorOtherCategories",
];

/// One record as a VICS 2.0 Media object; `position` is 1-based.
fn vics_media(r: &Record, position: u64) -> Map<String, Value> {
    let mut m = Map::new();
    let media_id = match r.extra.get("MediaID") {
        Some(id) => id
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(id.clone())),
        None => Value::from(position),
    };
    m.insert("MediaID".into(), media_id);
    m.insert(
        "Category".into(),
        match &r.category {
            None => Value::Null,
            Some(c) => c
                .parse::<i64>()
                .ok()
                .filter(|n| n.to_string() == *c)
                .map(Value::from)
                .unwrap_or_else(|| Value::from(c.clone())),
        },
    );
    let upper = |v: &Option<String>| v.as_ref().map(|h| Value::from(h.to_ascii_uppercase()));
    if let Some(v) = upper(&r.md5) {
        m.insert("MD5".into(), v);
    }
    if let Some(v) = upper(&r.sha1) {
        m.insert("SHA1".into(), v);
    }
    if let Some(v) = upper(&r.sha256) {
        m.insert("SHA256".into(), v);
    }
    if let Some(size) = r.media_size {
        m.insert("MediaSize".into(), Value::from(size));
    }
    if let Some(s) = &r.series {
        m.insert("Series".into(), Value::from(s.clone()));
    }
    for (key, flag) in [
        ("VictimIdentified", r.victim_identified),
        ("OffenderIdentified", r.offender_identified),
        ("IsDistributed", r.is_distributed),
        ("IsPrecategorized", r.is_precategorized),
    ] {
        if let Some(b) = flag {
            m.insert(key.into(), Value::from(b));
        }
    }
    match r.tags.len() {
        0 => {}
        1 => {
            m.insert("Tags".into(), Value::from(r.tags[0].clone()));
        }
        _ => {
            m.insert("Tags".into(), Value::from(r.tags.clone()));
        }
    }
    if let Some(c) = &r.comments {
        m.insert("Comments".into(), Value::from(c.clone()));
    }
    if let Some(p) = &r.photodna {
        m.insert("PhotoDNA".into(), Value::from(p.clone()));
    }
    let files: Vec<Value> = r
        .names()
        .map(|n| {
            let mut f = Map::new();
            f.insert("FileName".into(), Value::from(n));
            Value::Object(f)
        })
        .collect();
    if !files.is_empty() {
        m.insert("MediaFiles".into(), Value::Array(files));
    }
    if r.merged > 0 {
        m.insert("SpoorMerged".into(), Value::from(r.merged));
    }
    if r.names_omitted > 0 {
        m.insert("SpoorNamesOmitted".into(), Value::from(r.names_omitted));
    }
    if !r.other_categories.is_empty() {
        m.insert(
            "SpoorOtherCategories".into(),
            Value::from(r.other_categories.clone()),
        );
    }
    let taken: BTreeSet<String> = KNOWN.iter().map(|k| k.to_ascii_lowercase()).collect();
    for (k, v) in &r.extra {
        if !taken.contains(&k.to_ascii_lowercase()) {
            m.insert(k.clone(), Value::from(v.clone()));
        }
    }
    m
}
