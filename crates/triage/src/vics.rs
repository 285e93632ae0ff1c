//! Export of selected unknown material for victim identification: a VICS
//! 2.0 `#Media` file (Project VIC) with each picture's MD5, SHA-1, size,
//! the examiner's category (or `null`), PDQ, EXIF and file names, for the
//! unit's victim-identification team or database.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spoor_metadata::MediaMetadata;
use spoor_pdq::PdqHash;

use crate::{Error, Result};

/// The `@odata.context` of the export.
pub const CONTEXT: &str =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media";

/// A name and place of one copy of the content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VicsFile {
    /// The last component of the path.
    pub file_name: String,
    /// The path relative to the evidence root (display form).
    pub file_path: String,
    /// The evidence item (VICS `SourceID`).
    pub evidence_id: Option<String>,
}

/// One distinct content to export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VicsMedia {
    /// Lower- or upper-case hex; written lower-case.
    pub md5: String,
    pub sha1: String,
    pub sha256: Option<String>,
    pub size: u64,
    /// The examiner's category, raw (`"1"`, `"A"`); `None` is written as
    /// `null` (uncategorised).
    pub category: Option<String>,
    pub pdq: Option<PdqHash>,
    pub metadata: Option<MediaMetadata>,
    /// Every copy; at least one.
    pub files: Vec<VicsFile>,
    /// Free text for `Comments` (the series, "camera original", ...).
    pub comments: Option<String>,
}

/// Writes the media as a VICS 2.0 `#Media` document (pretty JSON, one
/// trailing newline). Digests are checked (MD5 32 hex digits, SHA-1 40,
/// SHA-256 64) and written lower-case; a category that is a whole number
/// is written as a JSON number, as VICS readers expect, other values as
/// strings. `IsPrecategorized` is false: these are new, examiner-judged
/// records. The same input gives the same bytes.
///
/// ```
/// use spoor_triage::vics::{VicsFile, VicsMedia, render};
/// let media = VicsMedia {
///     md5: "d41d8cd98f00b204e9800998ecf8427e".into(),
///     sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709".into(),
///     sha256: None,
///     size: 0,
///     category: None,
///     pdq: None,
///     metadata: None,
///     files: vec![VicsFile { file_name: "a.jpg".into(), file_path: "DCIM/a.jpg".into(), evidence_id: Some("E1".into()) }],
///     comments: None,
/// };
/// let json: serde_json::Value = serde_json::from_slice(&render(&[media])?)?;
/// assert_eq!(json["value"][0]["Category"], serde_json::Value::Null);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render(media: &[VicsMedia]) -> Result<Vec<u8>> {
    let mut records = Vec::with_capacity(media.len());
    for (i, m) in media.iter().enumerate() {
        let md5 = digest(&m.md5, 32, "MD5")?;
        let sha1 = digest(&m.sha1, 40, "SHA-1")?;
        let sha256 = m
            .sha256
            .as_deref()
            .map(|s| digest(s, 64, "SHA-256"))
            .transpose()?;
        if m.files.is_empty() {
            return Err(Error::Invalid(format!("media {md5} has no file")));
        }
        let alternative: Vec<Value> = m
            .pdq
            .iter()
            .map(|p| json!({ "HashName": "PDQ", "HashValue": p.to_string() }))
            .collect();
        let exifs: Vec<Value> = m
            .metadata
            .as_ref()
            .map(|meta| {
                meta.properties()
                    .into_iter()
                    .map(|(name, value)| json!({ "PropertyName": name, "PropertyValue": value }))
                    .collect()
            })
            .unwrap_or_default();
        let files: Vec<Value> = m
            .files
            .iter()
            .map(|f| {
                let mut v = json!({ "MD5": md5, "FileName": f.file_name, "FilePath": f.file_path });
                if let (Some(obj), Some(src)) = (v.as_object_mut(), &f.evidence_id) {
                    obj.insert("SourceID".into(), json!(src));
                }
                v
            })
            .collect();
        let mut record = json!({
            "MediaID": i + 1,
            "Category": m.category.as_deref().map(category_value).unwrap_or(Value::Null),
            "MD5": md5,
            "SHA1": sha1,
            "MediaSize": m.size,
            "IsPrecategorized": false,
            "AlternativeHashes": alternative,
            "Exifs": exifs,
            "MediaFiles": files,
        });
        if let Some(obj) = record.as_object_mut() {
            if let Some(s) = sha256 {
                obj.insert("SHA256".into(), json!(s));
            }
            if let Some(c) = &m.comments {
                obj.insert("Comments".into(), json!(c));
            }
        }
        records.push(record);
    }
    let doc = json!({ "@odata.context": CONTEXT, "value": records });
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}

fn digest(text: &str, len: usize, what: &str) -> Result<String> {
    let t = text.trim().to_ascii_lowercase();
    if t.len() != len || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Invalid(format!(
            "{what} {text:?} is not {len} hexadecimal digits"
        )));
    }
    Ok(t)
}

fn category_value(raw: &str) -> Value {
    match raw.trim().parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(raw.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media() -> VicsMedia {
        VicsMedia {
            md5: "D41D8CD98F00B204E9800998ECF8427E".into(),
            sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709".into(),
            sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
            size: 0,
            category: Some("1".into()),
            pdq: Some(PdqHash([0xAB; 32])),
            metadata: None,
            files: vec![VicsFile {
                file_name: "a.jpg".into(),
                file_path: "DCIM/a.jpg".into(),
                evidence_id: None,
            }],
            comments: Some("camera original".into()),
        }
    }

    #[test]
    fn fields_and_types() -> Result<()> {
        let out = render(&[media()])?;
        let v: Value = serde_json::from_slice(&out)?;
        assert_eq!(v["@odata.context"], CONTEXT);
        let m = &v["value"][0];
        assert_eq!(m["MD5"], "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(m["Category"], json!(1));
        assert_eq!(m["AlternativeHashes"][0]["HashName"], "PDQ");
        assert_eq!(m["AlternativeHashes"][0]["HashValue"], "ab".repeat(32));
        assert_eq!(m["MediaFiles"][0]["FilePath"], "DCIM/a.jpg");
        assert!(m["MediaFiles"][0].get("SourceID").is_none());
        assert_eq!(m["Comments"], "camera original");
        assert_eq!(m["IsPrecategorized"], false);
        assert_eq!(out, render(&[media()])?, "same input, same bytes");
        let mut letter = media();
        letter.category = Some("B".into());
        let v: Value = serde_json::from_slice(&render(&[letter])?)?;
        assert_eq!(v["value"][0]["Category"], "B");
        Ok(())
    }

    #[test]
    fn bad_digests_and_missing_files_are_refused() {
        let mut m = media();
        m.md5 = "xyz".into();
        assert!(matches!(render(&[m]), Err(Error::Invalid(e)) if e.contains("MD5")));
        let mut m = media();
        m.sha256 = Some("00".into());
        assert!(matches!(render(&[m]), Err(Error::Invalid(e)) if e.contains("SHA-256")));
        let mut m = media();
        m.files.clear();
        assert!(matches!(render(&[m]), Err(Error::Invalid(e)) if e.contains("no file")));
    }
}
