//! The VICS 2.0 case export (Project VIC): `{"@odata.context": ...#Cases,
//! "value": [Case]}`, the Case holding one Media record per distinct MD5
//! among the hits shown, each with every file of that content as a
//! MediaFile.
//!
//! A Media record's `Category` is the examiner's reviewed category when
//! there is one (then `IsPrecategorized` is false), else the hash set's;
//! numbers are written as JSON numbers, other values (CAID letters) as
//! strings, and none as `null` (uncategorised; `0` is a value). Digests
//! are lower-case hex; `SHA256` is a field of its own (VICS 2.0 has none;
//! readers ignore unknown fields and Spoor's importer reads it), PDQ
//! travels in `AlternativeHashes`.
//! Times are the file system's, UTC: `Created` is the birth time,
//! `Written` the modification time, `Accessed` the access time.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Result;
use crate::category::{self, Scheme};
use crate::model::{Report, ReportHit};

/// The `@odata.context` of a VICS 2.0 case file with `profile`.
pub fn context(profile: &str) -> String {
    format!("http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{profile}/$metadata#Cases")
}

/// A stable GUID for the case, derived from its number and creation time.
fn case_guid(report: &Report) -> String {
    let d = Sha256::digest(format!("{}\n{}", report.case.case_number, report.case.created_utc).as_bytes());
    let h = hex::encode(&d[..16]);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn category_value(raw: &str) -> Value {
    match raw.trim().parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(raw),
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn media_file(h: &ReportHit) -> Value {
    json!({
        "MD5": h.md5,
        "FileName": file_name(&h.path),
        "FilePath": h.path,
        "SourceID": h.evidence_id,
        "Created": h.btime_utc,
        "Written": h.mtime_utc,
        "Accessed": h.atime_utc,
        "Deleted": false,
        "Unallocated": false,
    })
}

/// Renders the hits shown as a VICS 2.0 case file.
pub fn render(report: &Report, digest: &str) -> Result<Vec<u8>> {
    // One Media record per distinct content, in the order first met.
    let mut media: Vec<(String, Vec<&ReportHit>)> = Vec::new();
    for h in &report.hits {
        let key = h.md5.clone().or_else(|| h.sha256.clone()).unwrap_or_else(|| format!("file-{}", h.file_id));
        match media.iter_mut().find(|(k, _)| *k == key) {
            Some((_, hits)) => hits.push(h),
            None => media.push((key, vec![h])),
        }
    }
    let mut precategorized = 0u64;
    let mut files = 0u64;
    let mut uk_only = true;
    let mut any_categorised = false;
    let records: Vec<Value> = media
        .iter()
        .enumerate()
        .map(|(i, (_, hits))| {
            let first = hits[0];
            let reviewed = hits.iter().find_map(|h| h.review.as_ref().and_then(|r| r.category.clone()));
            let from_set = hits.iter().find_map(|h| h.category.clone().map(|c| (c, h)));
            let (category, precat, source) = match (&reviewed, &from_set) {
                (Some(c), _) => (Some(c.clone()), false, None),
                (None, Some((c, h))) => (
                    Some(c.clone()),
                    true,
                    Some(format!("{}{}", h.hashset, h.hashset_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default())),
                ),
                (None, None) => (None, false, None),
            };
            for h in hits.iter().filter(|h| h.category.is_some()) {
                any_categorised = true;
                uk_only &= category::scheme(h.profile.as_deref()) == Scheme::Caid;
            }
            precategorized += u64::from(precat);
            // The same file can be a hit of several sets: list it once.
            let mut seen = Vec::new();
            let mut mfiles = Vec::new();
            for h in hits {
                if !seen.contains(&(h.evidence_id.as_str(), h.path_hex.as_str())) {
                    seen.push((h.evidence_id.as_str(), h.path_hex.as_str()));
                    mfiles.push(media_file(h));
                }
            }
            files += mfiles.len() as u64;
            let mut alternative = Vec::new();
            if let Some(p) = &first.pdq {
                alternative.push(json!({ "HashName": "PDQ", "HashValue": p }));
            }
            let note = hits.iter().find_map(|h| h.review.as_ref().map(|r| r.note.clone()).filter(|n| !n.is_empty()));
            let mut record = json!({
                "MediaID": i + 1,
                "Category": category.as_deref().map(category_value).unwrap_or(Value::Null),
                "MD5": first.md5,
                "SHA1": first.sha1,
                "SHA256": first.sha256,
                "MediaSize": first.size,
                "IsPrecategorized": precat,
                "AlternativeHashes": alternative,
                "MediaFiles": mfiles,
            });
            if let (Some(obj), Some(source)) = (record.as_object_mut(), source) {
                obj.insert("PrecategorizationSource".into(), json!(source));
            }
            if let (Some(obj), Some(note)) = (record.as_object_mut(), note) {
                obj.insert("Comments".into(), json!(note));
            }
            record
        })
        .collect();
    let profile = if any_categorised && uk_only { "UK" } else { "US" };
    let meta = |name: &str, value: &str| json!({ "PropertyName": name, "PropertyValue": value });
    let case = json!({
        "CaseID": case_guid(report),
        "CaseNumber": report.case.case_number,
        "ContactName": report.case.examiner,
        "TotalMediaFiles": files,
        "TotalPrecategorized": precategorized,
        "SourceApplicationName": "Spoor",
        "SourceApplicationVersion": format!("{} ({})", report.generator.version, report.generator.commit),
        "CaseMetadata": [
            meta("Title", &report.case.title),
            meta("Agency", &report.case.agency),
            meta("Examiner", &report.case.examiner),
            meta("TimeZone", &report.case.time_zone),
            meta("GeneratedUtc", &report.generated_utc),
            meta("Filters", &report.filters_command_line),
            meta("ReportDigest", digest),
            meta("AuditChainHead", &format!("{} {}", report.chain_head.seq, report.chain_head.hash)),
        ],
        "Media": records,
    });
    let doc = json!({ "@odata.context": context(profile), "value": [case] });
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_keep_their_type_and_names_their_last_component() {
        assert_eq!(category_value("1"), json!(1));
        assert_eq!(category_value("0"), json!(0));
        assert_eq!(category_value("A"), json!("A"));
        assert_eq!(file_name("Users/alex/a b.jpg"), "a b.jpg");
        assert_eq!(file_name("top.jpg"), "top.jpg");
        assert!(context("US").ends_with("2.0.xml/US/$metadata#Cases"));
    }
}
