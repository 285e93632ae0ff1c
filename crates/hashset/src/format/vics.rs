//! VICS JSON (Project VIC) 1.x and 2.0, and CAID (its 2.0 UK profile).
//!
//! The top level is `{<header>, "value": [...]}`, the header key
//! (`odata.metadata` in 1.x, `@odata.context` in 2.0) before or after
//! `value`. `value` holds Media records (`#Media`) or Cases (`#Cases`) whose
//! `Media` arrays hold them; an element is taken for a Case when it has a
//! `Media` array, whatever the header says.
//!
//! The file is never loaded whole: a small scanner walks the structure and
//! hands each Media record's bytes to serde_json, so memory is bounded by
//! the largest single record. Errors name the byte offset (and line) where
//! the bad record or token starts.
//!
//! Per Media record: `MD5`, `SHA1` (and `SHA256` when present), any case of
//! hex; `Category` raw (`0` is a value, `null` or absent is none);
//! `MediaSize`; `Series`; `VictimIdentified`, `OffenderIdentified`,
//! `IsDistributed`, `IsPrecategorized` (booleans, or `"true"`/`"false"`,
//! `"yes"`/`"no"`, `1`/`0`); `Tags` (a string or a list); `Comments`;
//! `PhotoDNA` (2.0) or an `AlternativeHashes` entry named `PhotoDNA` (1.x);
//! `MediaFiles[].FileName` (or `FilePath`). Other scalar fields go to
//! [`crate::Record::extra`] as text, fields named `…Date…` normalised to
//! RFC 3339 UTC when they parse as ISO-8601, `/Date(ms)/` or US
//! `MM/DD/YYYY[ hh:mm:ss [AM|PM]]`; other nested fields are dropped.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{ParsedRecord, Parser, RecordSink, SourceMeta, shorten};
use crate::{DigestKind, Error, MAX_NAMES, Profile, Record, Result};

/// Largest single Media record (or header value) accepted, in bytes.
const MAX_ELEMENT: usize = 64 << 20;

/// Parser for VICS JSON.
#[derive(Debug)]
pub(crate) struct Vics {
    /// Read as the UK profile (CAID) whatever the header says.
    pub(crate) force_uk: bool,
}

/// The profile a VICS header URL names: the segment after `2.0.xml/`; VICS
/// 1.x (no segment) is the US scheme.
pub(crate) fn header_profile(text: &str) -> Option<Profile> {
    let at = text.find(".xml")?;
    let rest = &text[at + 4..];
    match rest.strip_prefix('/') {
        Some(rest) => {
            let segment: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            Some(segment.parse().unwrap_or(Profile::Custom))
        }
        None => Some(Profile::Us),
    }
}

/// The VICS version a header URL names (`1.3`, `2.0`, ...).
fn header_version(text: &str) -> Option<String> {
    let end = text.find(".xml")?;
    let start = text[..end].rfind('/')? + 1;
    let version = &text[start..end];
    (!version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then(|| version.to_string())
}

impl Parser for Vics {
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()> {
        let mut walker = Walker {
            scan: Scanner {
                input,
                source,
                offset: 0,
                line: 1,
            },
            sink,
            element: Vec::with_capacity(4096),
            key: Vec::with_capacity(64),
            meta: SourceMeta::default(),
            force_uk: self.force_uk,
            media_only: false,
        };
        walker.document()?;
        let mut meta = walker.meta;
        if self.force_uk {
            meta.profile = Some(Profile::Uk);
        }
        walker.sink.meta(meta);
        Ok(())
    }
}

/// Reads JSON tokens from a stream, keeping the byte offset and line.
struct Scanner<'a> {
    input: &'a mut dyn BufRead,
    source: &'a Path,
    offset: u64,
    line: u64,
}

impl Scanner<'_> {
    fn error(&self, offset: u64, line: u64, reason: impl Into<String>) -> Error {
        Error::ParseAt {
            path: self.source.to_path_buf(),
            offset,
            line: Some(line),
            reason: reason.into(),
        }
    }

    fn here(&self, reason: impl Into<String>) -> Error {
        self.error(self.offset, self.line, reason)
    }

    fn consume(&mut self, n: usize) {
        self.input.consume(n);
        self.offset += n as u64;
    }

    /// Skip whitespace; the next byte, not consumed (`None` at the end).
    fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            let buf = self
                .input
                .fill_buf()
                .map_err(|e| Error::io(self.source, e))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let mut newlines = 0;
            let skip = buf
                .iter()
                .position(|&b| {
                    if b == b'\n' {
                        newlines += 1;
                    }
                    !matches!(b, b' ' | b'\t' | b'\r' | b'\n')
                })
                .unwrap_or(buf.len());
            let found = buf.get(skip).copied();
            self.line += newlines - u64::from(found == Some(b'\n'));
            self.consume(skip);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    fn expect(&mut self, want: u8, what: &str) -> Result<()> {
        match self.peek()? {
            Some(b) if b == want => {
                self.consume(1);
                Ok(())
            }
            Some(b) => Err(self.here(format!(
                "expected {what}, found {:?}",
                shorten(&[b])
            ))),
            None => Err(self.here(format!("the file ends where {what} was expected"))),
        }
    }

    /// Read one JSON value, appending its bytes to `out` (when given).
    fn value(&mut self, mut out: Option<&mut Vec<u8>>) -> Result<()> {
        let (start, start_line) = (self.offset, self.line);
        let Some(first) = self.peek()? else {
            return Err(self.here("the file ends where a value was expected"));
        };
        let mut stack: Vec<u8> = Vec::new();
        let mut in_string = false;
        let mut escaped = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        let mut started = false;
        loop {
            let buf = self
                .input
                .fill_buf()
                .map_err(|e| Error::io(self.source, e))?;
            if buf.is_empty() {
                if scalar && started {
                    return Ok(());
                }
                return Err(self.error(start, start_line, "the file ends inside this value"));
            }
            let mut done = None;
            let mut i = 0;
            while i < buf.len() {
                let c = buf[i];
                if scalar {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        done = Some(i);
                        break;
                    }
                    started = true;
                    i += 1;
                    continue;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    // Jump to the next quote or backslash.
                    match buf[i..].iter().position(|&b| b == b'"' || b == b'\\') {
                        None => break,
                        Some(k) => i += k,
                    }
                    if buf[i] == b'\\' {
                        escaped = true;
                    } else {
                        in_string = false;
                        if stack.is_empty() {
                            done = Some(i + 1);
                            break;
                        }
                    }
                    i += 1;
                    continue;
                }
                match c {
                    b'"' => in_string = true,
                    b'{' => stack.push(b'}'),
                    b'[' => stack.push(b']'),
                    b'}' | b']' => {
                        if stack.pop() != Some(c) {
                            let at = self.offset + i as u64;
                            let line =
                                self.line + buf[..i].iter().filter(|&&b| b == b'\n').count() as u64;
                            return Err(self.error(
                                at,
                                line,
                                format!("unbalanced {:?}", char::from(c)),
                            ));
                        }
                        if stack.is_empty() {
                            done = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            let n = done.unwrap_or(buf.len());
            if let Some(out) = out.as_deref_mut() {
                if out.len() + n > MAX_ELEMENT {
                    return Err(self.error(
                        start,
                        start_line,
                        format!("a single value longer than {MAX_ELEMENT} bytes"),
                    ));
                }
                out.extend_from_slice(&buf[..n]);
            }
            // A newline that ended a scalar is not consumed.
            let counted = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            self.line += counted;
            self.consume(n);
            if done.is_some() {
                return Ok(());
            }
        }
    }

    /// Read a string token, decoded.
    fn string(&mut self, raw: &mut Vec<u8>, what: &str) -> Result<String> {
        if self.peek()? != Some(b'"') {
            return Err(self.here(format!("expected {what} (a string)")));
        }
        let (start, line) = (self.offset, self.line);
        raw.clear();
        self.value(Some(raw))?;
        serde_json::from_slice::<String>(raw)
            .map_err(|e| self.error(start, line, format!("bad string: {e}")))
    }
}

struct Walker<'a> {
    scan: Scanner<'a>,
    sink: &'a mut dyn RecordSink,
    element: Vec<u8>,
    key: Vec<u8>,
    meta: SourceMeta,
    force_uk: bool,
    /// The header, seen before `value`, says `#Media`: elements are Media
    /// records, captured whole in one scan (the fast path).
    media_only: bool,
}

impl Walker<'_> {
    fn document(&mut self) -> Result<()> {
        self.scan.expect(b'{', "a JSON object")?;
        let mut saw_value = false;
        if self.scan.peek()? == Some(b'}') {
            self.scan.consume(1);
        } else {
            loop {
                let mut raw = std::mem::take(&mut self.key);
                let key = self.scan.string(&mut raw, "a key")?;
                self.key = raw;
                self.scan.expect(b':', "':'")?;
                if key.eq_ignore_ascii_case("value") {
                    saw_value = true;
                    self.value_array()?;
                } else if key == "odata.metadata" || key == "@odata.context" {
                    let mut raw = Vec::new();
                    let url = self.scan.string(&mut raw, "the metadata URL")?;
                    self.header(&url);
                } else {
                    self.scan.value(None)?;
                }
                match self.scan.peek()? {
                    Some(b',') => self.scan.consume(1),
                    Some(b'}') => {
                        self.scan.consume(1);
                        break;
                    }
                    _ => return Err(self.scan.here("expected ',' or '}' after a top-level value")),
                }
            }
        }
        if let Some(b) = self.scan.peek()? {
            return Err(self.scan.here(format!(
                "unexpected {:?} after the end of the JSON document",
                shorten(&[b])
            )));
        }
        if !saw_value {
            return Err(self.scan.error(0, 1, "no \"value\" array: not a VICS file"));
        }
        Ok(())
    }

    fn header(&mut self, url: &str) {
        self.media_only = url.trim_end().ends_with("#Media");
        let version = header_version(url);
        let major_two = version.as_deref().is_some_and(|v| v.starts_with('2'));
        self.meta.variant = Some(match &version {
            Some(v) => format!("vics-{v}"),
            None => "vics".to_string(),
        });
        self.meta.profile = if self.force_uk {
            Some(Profile::Uk)
        } else if major_two || url.contains(".xml/") {
            header_profile(url)
        } else {
            Some(Profile::Us)
        };
    }

    fn value_array(&mut self) -> Result<()> {
        self.scan.expect(b'[', "the \"value\" array")?;
        if self.scan.peek()? == Some(b']') {
            self.scan.consume(1);
            return Ok(());
        }
        loop {
            if self.scan.peek()? != Some(b'{') {
                return Err(self.scan.here("expected a Media or Case object in \"value\""));
            }
            if self.media_only {
                let (start, line) = (self.scan.offset, self.scan.line);
                let mut element = std::mem::take(&mut self.element);
                element.clear();
                let scanned = self.scan.value(Some(&mut element));
                let result = scanned.and_then(|()| self.media(&element, start, line));
                self.element = element;
                result?;
            } else {
                self.element()?;
            }
            match self.scan.peek()? {
                Some(b',') => self.scan.consume(1),
                Some(b']') => {
                    self.scan.consume(1);
                    return Ok(());
                }
                _ => return Err(self.scan.here("expected ',' or ']' in \"value\"")),
            }
        }
    }

    /// One element of `value`: a Media record, or a Case with `Media`.
    fn element(&mut self) -> Result<()> {
        let (start, line) = (self.scan.offset, self.scan.line);
        self.scan.expect(b'{', "an object")?;
        let mut element = std::mem::take(&mut self.element);
        element.clear();
        element.push(b'{');
        let mut is_case = false;
        let mut first = true;
        if self.scan.peek()? == Some(b'}') {
            self.scan.consume(1);
        } else {
            loop {
                let mut raw = std::mem::take(&mut self.key);
                let key = self.scan.string(&mut raw, "a key")?;
                self.scan.expect(b':', "':'")?;
                if key == "Media" && self.scan.peek()? == Some(b'[') {
                    is_case = true;
                    self.media_array()?;
                } else {
                    if !first {
                        element.push(b',');
                    }
                    element.extend_from_slice(&raw);
                    element.push(b':');
                    self.scan.value(Some(&mut element))?;
                    first = false;
                }
                self.key = raw;
                match self.scan.peek()? {
                    Some(b',') => self.scan.consume(1),
                    Some(b'}') => {
                        self.scan.consume(1);
                        break;
                    }
                    _ => return Err(self.scan.here("expected ',' or '}' in an object")),
                }
            }
        }
        element.push(b'}');
        let result = if is_case {
            self.case_fields(&element);
            Ok(())
        } else {
            self.media(&element, start, line)
        };
        self.element = element;
        result
    }

    fn case_fields(&mut self, bytes: &[u8]) {
        if self.meta.title.is_none()
            && let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(bytes)
            && let Some(number) = map.get("CaseNumber").and_then(|v| v.as_str())
        {
            self.meta.title = Some(format!("case {number}"));
        }
    }

    fn media_array(&mut self) -> Result<()> {
        self.scan.expect(b'[', "the Media array")?;
        if self.scan.peek()? == Some(b']') {
            self.scan.consume(1);
            return Ok(());
        }
        let mut buf = Vec::with_capacity(4096);
        loop {
            if self.scan.peek()? != Some(b'{') {
                return Err(self.scan.here("expected a Media object in \"Media\""));
            }
            let (start, line) = (self.scan.offset, self.scan.line);
            buf.clear();
            self.scan.value(Some(&mut buf))?;
            self.media(&buf, start, line)?;
            match self.scan.peek()? {
                Some(b',') => self.scan.consume(1),
                Some(b']') => {
                    self.scan.consume(1);
                    return Ok(());
                }
                _ => return Err(self.scan.here("expected ',' or ']' in \"Media\"")),
            }
        }
    }

    fn media(&mut self, bytes: &[u8], start: u64, line: u64) -> Result<()> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed = MediaSeed { line }
            .deserialize(&mut de)
            .and_then(|p| de.end().map(|()| p))
            .map_err(|e| {
                self.scan
                    .error(start, line, format!("bad Media record: {e}"))
            })?;
        if !parsed.has_digest() {
            return Err(self.scan.error(
                start,
                line,
                "Media record without MD5, SHA1 or SHA256",
            ));
        }
        self.sink.push(parsed)
    }
}

/// Deserialises one Media record straight into a [`ParsedRecord`].
struct MediaSeed {
    line: u64,
}

impl<'de> DeserializeSeed<'de> for MediaSeed {
    type Value = ParsedRecord;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<ParsedRecord, D::Error> {
        d.deserialize_map(MediaVisitor { line: self.line })
    }
}

struct MediaVisitor {
    line: u64,
}

/// A key, borrowed from the input when it can be.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Visitor<'de> for MediaVisitor {
    type Value = ParsedRecord;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Media object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<ParsedRecord, A::Error> {
        let mut p = ParsedRecord::default();
        p.record.line = self.line;
        let mut names: Vec<String> = Vec::new();
        let (mut merged, mut omitted) = (0u64, 0u64);
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let k = key.to_ascii_lowercase();
            match k.as_str() {
                "md5" | "sha1" | "sha256" | "sha-256" | "sha-1" => {
                    let kind = match k.as_str() {
                        "md5" => DigestKind::Md5,
                        "sha1" | "sha-1" => DigestKind::Sha1,
                        _ => DigestKind::Sha256,
                    };
                    if let Some(text) = map.next_value::<Flex>()?.0 {
                        p.set_digest(kind, text.trim().as_bytes())
                            .map_err(|e| de::Error::custom(format!("{key}: {e}")))?;
                    }
                }
                "category" => p.record.category = map.next_value::<Flex>()?.0,
                "series" => p.record.series = map.next_value::<Flex>()?.0,
                "comments" => p.record.comments = map.next_value::<Flex>()?.0,
                "photodna" => p.record.photodna = map.next_value::<Flex>()?.0,
                "mediasize" => {
                    if let Some(text) = map.next_value::<Flex>()?.0 {
                        match text.parse::<u64>() {
                            Ok(size) => p.record.media_size = Some(size),
                            Err(_) => {
                                p.record.extra.insert(key.into_owned(), text);
                            }
                        }
                    }
                }
                "victimidentified" => p.record.victim_identified = flag(&mut map, &key)?,
                "offenderidentified" => p.record.offender_identified = flag(&mut map, &key)?,
                "isdistributed" => p.record.is_distributed = flag(&mut map, &key)?,
                "isprecategorized" => p.record.is_precategorized = flag(&mut map, &key)?,
                "tags" => p.record.tags = map.next_value::<Tags>()?.0,
                // Spoor's own bookkeeping, written by its VICS export so
                // that a round trip keeps every field (see export.rs).
                "spoormerged" => merged = count(&mut map, &key)?,
                "spoornamesomitted" => omitted = count(&mut map, &key)?,
                "spoorothercategories" => p.record.other_categories = map.next_value::<Tags>()?.0,
                "mediafiles" => {
                    for file in map.next_value::<Items<MediaFile>>()?.0 {
                        if let Some(name) = file.0 {
                            names.push(name);
                        }
                    }
                }
                "alternativehashes" => {
                    for alt in map.next_value::<Items<AltHash>>()?.0 {
                        let (Some(name), Some(value)) = (alt.name, alt.value) else {
                            continue;
                        };
                        let n = name.to_ascii_lowercase().replace(['-', '_', ' '], "");
                        match n.as_str() {
                            "photodna" => p.record.photodna = Some(value),
                            "sha256" if p.sha256.is_none() => p
                                .set_digest(DigestKind::Sha256, value.trim().as_bytes())
                                .map_err(|e| de::Error::custom(format!("{name}: {e}")))?,
                            _ => {
                                p.record.extra.insert(name, value);
                            }
                        }
                    }
                }
                _ => {
                    if let Some(text) = map.next_value::<Scalar>()?.0 {
                        let text = if key.contains("Date") {
                            normalise_date(&text).unwrap_or(text)
                        } else {
                            text
                        };
                        p.record.extra.insert(key.into_owned(), text);
                    }
                }
            }
        }
        let mut names = names.into_iter();
        p.record.name = names.next();
        for name in names {
            add_name(&mut p.record, name);
        }
        p.record.merged = merged;
        p.record.names_omitted += omitted;
        Ok(p)
    }
}

/// Add a file name to a record: as `name` if it has none, else to
/// `other_names` without repeats, up to [`MAX_NAMES`].
pub(crate) fn add_name(record: &mut Record, name: String) {
    if record.name.is_none() {
        record.name = Some(name);
        return;
    }
    if record.name.as_deref() == Some(name.as_str()) || record.other_names.contains(&name) {
        return;
    }
    if record.other_names.len() < MAX_NAMES {
        record.other_names.push(name);
    } else {
        record.names_omitted += 1;
    }
}

/// A count written as a number or a string of digits; null is 0.
fn count<'de, A: MapAccess<'de>>(map: &mut A, key: &str) -> std::result::Result<u64, A::Error> {
    let Some(text) = map.next_value::<Flex>()?.0 else {
        return Ok(0);
    };
    text.parse().map_err(|_| {
        de::Error::custom(format!("{key}: not a count: {:?}", shorten(text.as_bytes())))
    })
}

fn flag<'de, A: MapAccess<'de>>(map: &mut A, key: &str) -> std::result::Result<Option<bool>, A::Error> {
    let Some(text) = map.next_value::<Flex>()?.0 else {
        return Ok(None);
    };
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "y" => Ok(Some(true)),
        "false" | "no" | "0" | "n" => Ok(Some(false)),
        _ => Err(de::Error::custom(format!(
            "{key}: not a boolean: {:?}",
            shorten(text.as_bytes())
        ))),
    }
}

/// A scalar as trimmed text: strings, numbers, booleans; `None` for null
/// and empty strings.
struct Flex(Option<String>);

impl<'de> de::Deserialize<'de> for Flex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(FlexVisitor { lenient: false })
            .map(Flex)
    }
}

/// Like [`Flex`] but objects and arrays give `None` (unknown nested fields
/// are dropped).
struct Scalar(Option<String>);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(FlexVisitor { lenient: true })
            .map(Scalar)
    }
}

struct FlexVisitor {
    lenient: bool,
}

impl<'de> Visitor<'de> for FlexVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Option<String>, E> {
        let v = v.trim();
        Ok((!v.is_empty()).then(|| v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Option<String>, E> {
        if v.trim().len() == v.len() {
            Ok((!v.is_empty()).then_some(v))
        } else {
            self.visit_str(&v)
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Option<String>, A::Error> {
        if !self.lenient {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Option<String>, A::Error> {
        if !self.lenient {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// `Tags`: a string (one tag, as written) or a list of strings.
struct Tags(Vec<String>);

impl<'de> de::Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Vec<String>, E> {
                let v = v.trim();
                Ok(if v.is_empty() { Vec::new() } else { vec![v.to_string()] })
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Vec<String>, E> {
                Ok(Vec::new())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<String>, A::Error> {
                let mut tags = Vec::new();
                while let Some(Flex(tag)) = seq.next_element::<Flex>()? {
                    tags.extend(tag);
                }
                Ok(tags)
            }
        }
        d.deserialize_any(V).map(Tags)
    }
}

/// A list that may be `null`.
struct Items<T>(Vec<T>);

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Option::<Vec<T>>::deserialize(d).map(|v| Items(v.unwrap_or_default()))
    }
}

/// A `MediaFiles` entry: its file name (or path).
struct MediaFile(Option<String>);

impl<'de> de::Deserialize<'de> for MediaFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a MediaFiles object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Option<String>, A::Error> {
                let (mut name, mut path) = (None, None);
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    if key.eq_ignore_ascii_case("FileName") {
                        name = map.next_value::<Scalar>()?.0;
                    } else if key.eq_ignore_ascii_case("FilePath") {
                        path = map.next_value::<Scalar>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(name.or(path))
            }
        }
        d.deserialize_map(V).map(MediaFile)
    }
}

/// An `AlternativeHashes` entry.
struct AltHash {
    name: Option<String>,
    value: Option<String>,
}

impl<'de> de::Deserialize<'de> for AltHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AltHash;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an AlternativeHashes object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<AltHash, A::Error> {
                let mut alt = AltHash { name: None, value: None };
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    if key.eq_ignore_ascii_case("HashName") {
                        alt.name = map.next_value::<Scalar>()?.0;
                    } else if key.eq_ignore_ascii_case("HashValue") {
                        alt.value = map.next_value::<Scalar>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(alt)
            }
        }
        d.deserialize_map(V)
    }
}

/// A date as RFC 3339 UTC, from ISO-8601 (with or without an offset),
/// .NET `/Date(ms)/` (with an optional `+hhmm`) or US `MM/DD/YYYY` with an
/// optional time and AM/PM. `None` when it is none of these.
pub(crate) fn normalise_date(text: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    let text = text.trim();
    let out = |t: OffsetDateTime| t.to_offset(UtcOffset::UTC).format(&Rfc3339).ok();
    if let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    {
        let digits_end = inner
            .char_indices()
            .skip(1)
            .find(|(_, c)| !c.is_ascii_digit())
            .map(|(i, _)| i)
            .unwrap_or(inner.len());
        let ms: i128 = inner[..digits_end].parse().ok()?;
        let t = OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).ok()?;
        return out(t);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return out(t);
    }
    let iso = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day][optional [T[hour]:[minute][optional [:[second][optional [.[subsecond]]]]]]]"
    );
    if let Ok(t) = PrimitiveDateTime::parse(text, &iso) {
        return out(t.assume_utc());
    }
    if let Ok(d) = Date::parse(text, &iso) {
        return out(d.midnight().assume_utc());
    }
    // US: MM/DD/YYYY[ hh:mm[:ss][ AM|PM]]
    let (date, rest) = text.split_once(' ').unwrap_or((text, ""));
    let parts: Vec<&str> = date.split('/').collect();
    if parts.len() != 3 {
        return None;
    }
    let month: u8 = parts[0].parse().ok()?;
    let day: u8 = parts[1].parse().ok()?;
    let year: i32 = parts[2].parse().ok()?;
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let rest = rest.trim();
    let (clock, ampm) = match rest.rsplit_once(' ') {
        Some((c, m)) if m.eq_ignore_ascii_case("AM") || m.eq_ignore_ascii_case("PM") => {
            (c, Some(m.to_ascii_uppercase()))
        }
        _ => (rest, None),
    };
    let time = if clock.is_empty() {
        Time::MIDNIGHT
    } else {
        let c: Vec<u8> = clock
            .split(':')
            .map(|p| p.parse::<u8>().ok())
            .collect::<Option<Vec<u8>>>()?;
        let (mut h, m, s) = (c.first().copied()?, c.get(1).copied()?, c.get(2).copied().unwrap_or(0));
        match ampm.as_deref() {
            Some("PM") if h < 12 => h += 12,
            Some("AM") if h == 12 => h = 0,
            _ => {}
        }
        Time::from_hms(h, m, s).ok()?
    };
    out(PrimitiveDateTime::new(date, time).assume_utc())
}

/// For tests: the source path in errors.
#[cfg(test)]
fn parse_text(text: &str) -> Result<(Vec<ParsedRecord>, SourceMeta)> {
    struct Collect(Vec<ParsedRecord>, SourceMeta);
    impl RecordSink for Collect {
        fn push(&mut self, r: ParsedRecord) -> Result<()> {
            self.0.push(r);
            Ok(())
        }
        fn meta(&mut self, meta: SourceMeta) {
            self.1 = meta;
        }
    }
    let mut sink = Collect(Vec::new(), SourceMeta::default());
    let path = std::path::PathBuf::from("set.json");
    Vics { force_uk: false }.parse(&path, &mut text.as_bytes(), &mut sink)?;
    Ok((sink.0, sink.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD5: &str = "900150983cd24fb0d6963f7d28e17f72";
    const SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

    #[test]
    fn vics_1_3_media_with_alternative_hashes() {
        let text = format!(
            r#"{{"odata.metadata":"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
"value":[
  {{"MediaID":1,"Category":0,"MD5":"{up}","SHA1":"{SHA1}","MediaSize":"2835",
    "VictimIdentified":"true","OffenderIdentified":false,"IsDistributed":"False","IsPrecategorized":1,
    "Series":"S-1","Tags":"tag a, tag b","Comments":"note","DateUpdated":"/Date(1700000000000)/",
    "AlternativeHashes":[{{"HashName":"PhotoDNA","HashValue":"AAAA"}}],
    "MediaFiles":[{{"FileName":"a.jpg","FilePath":"C:\\x\\a.jpg"}},{{"FileName":"b.jpg"}},{{"FileName":"a.jpg"}}],
    "Exifs":[{{"PropertyName":"Make","PropertyValue":"X"}}],"Unknown":null}},
  {{"MD5":"{md5b}","Category":null}}
]}}"#,
            up = MD5.to_uppercase(),
            md5b = "0".repeat(32)
        );
        let (records, meta) = parse_text(&text).expect("parses");
        assert_eq!(meta.variant.as_deref(), Some("vics-1.3"));
        assert_eq!(meta.profile, Some(Profile::Us));
        assert_eq!(records.len(), 2);
        let r = &records[0].record;
        assert_eq!(r.line, 3);
        assert_eq!(r.md5.as_deref(), Some(MD5));
        assert_eq!(r.sha1.as_deref(), Some(SHA1));
        assert_eq!(r.category.as_deref(), Some("0"));
        assert_eq!(r.media_size, Some(2835));
        assert_eq!(r.victim_identified, Some(true));
        assert_eq!(r.offender_identified, Some(false));
        assert_eq!(r.is_distributed, Some(false));
        assert_eq!(r.is_precategorized, Some(true));
        assert_eq!(r.series.as_deref(), Some("S-1"));
        assert_eq!(r.tags, vec!["tag a, tag b".to_string()]);
        assert_eq!(r.comments.as_deref(), Some("note"));
        assert_eq!(r.photodna.as_deref(), Some("AAAA"));
        assert_eq!(r.name.as_deref(), Some("a.jpg"));
        assert_eq!(r.other_names, vec!["b.jpg".to_string()]);
        assert_eq!(r.extra.get("MediaID").map(String::as_str), Some("1"));
        assert_eq!(
            r.extra.get("DateUpdated").map(String::as_str),
            Some("2023-11-14T22:13:20Z")
        );
        assert!(!r.extra.contains_key("Exifs") && !r.extra.contains_key("Unknown"));
        assert_eq!(records[1].record.category, None);
        assert_eq!(records[1].record.line, 9);
        assert!(records[0].md5.is_some() && records[0].sha1.is_some());
    }

    #[test]
    fn vics_2_cases_with_header_after_value() {
        let text = format!(
            "\n{{\"value\":[{{\"CaseID\":\"x\",\"Media\":[{{\"MD5\":\"{MD5}\",\"Category\":\"2\",\"PhotoDNA\":\"QUJD\",\"Tags\":[\"t1\",\"t2\"]}},\n{{\"SHA1\":\"{SHA1}\"}}],\"CaseNumber\":\"2026-1\"}}],\
             \"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases\"}}\n"
        );
        let (records, meta) = parse_text(&text).expect("parses");
        assert_eq!(meta.variant.as_deref(), Some("vics-2.0"));
        assert_eq!(meta.profile, Some(Profile::Uk));
        assert_eq!(meta.title.as_deref(), Some("case 2026-1"));
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].record.category.as_deref(), Some("2"));
        assert_eq!(records[0].record.photodna.as_deref(), Some("QUJD"));
        assert_eq!(records[0].record.tags, vec!["t1".to_string(), "t2".to_string()]);
        assert_eq!((records[0].record.line, records[1].record.line), (2, 3));
        assert_eq!(records[1].record.sha1.as_deref(), Some(SHA1));
    }

    #[test]
    fn profiles_from_headers() {
        let url = |p: &str| format!("http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{p}/$metadata#Media");
        assert_eq!(header_profile(&url("US")), Some(Profile::Us));
        assert_eq!(header_profile(&url("CUSTOM")), Some(Profile::Custom));
        assert_eq!(header_profile(&url("Default")), Some(Profile::Default));
        assert_eq!(header_profile(&url("XX")), Some(Profile::Custom));
        assert_eq!(header_version(&url("US")).as_deref(), Some("2.0"));
        assert_eq!(
            header_version("http://github.com/ICMEC/ProjectVic/DataModels/1.1.xml#Media").as_deref(),
            Some("1.1")
        );
    }

    #[test]
    fn errors_name_the_offset() {
        let good = format!("{{\"MD5\":\"{MD5}\"}}");
        let text = format!("{{\"value\":[{good},\n{good},\n{{\"MD5\":\"xyz\"}},{good}]}}");
        let err = parse_text(&text).expect_err("bad hex");
        let at = text.find("{\"MD5\":\"xyz").expect("there") as u64;
        match &err {
            Error::ParseAt { offset, line, reason, .. } => {
                assert_eq!(*offset, at);
                assert_eq!(*line, Some(3));
                assert!(reason.contains("not a hexadecimal digest"), "{reason}");
            }
            other => panic!("expected ParseAt, got {other:?}"),
        }
        assert!(err.to_string().contains(&format!("byte {at} (line 3)")), "{err}");

        // Truncated in the middle of a record.
        let text = format!("{{\"value\":[{good},{{\"MD5\":\"{MD5}");
        let err = parse_text(&text).expect_err("truncated");
        assert!(err.to_string().contains("ends inside"), "{err}");
        // Mismatched bracket.
        let err = parse_text(&format!("{{\"value\":[{{\"MD5\":\"{MD5}\"]]}}")).expect_err("bad");
        assert!(err.to_string().contains("expected ',' or '}'"), "{err}");
        let err = parse_text(&format!(
            "{{\"value\":[{{\"MD5\":\"{MD5}\",\"MediaFiles\":[{{\"FileName\":\"a\"]]}}]}}"
        ))
        .expect_err("bad");
        assert!(err.to_string().contains("unbalanced"), "{err}");
        // A bad boolean, trailing garbage, no value, no digest.
        let err = parse_text(&format!("{{\"value\":[{{\"MD5\":\"{MD5}\",\"IsDistributed\":\"maybe\"}}]}}"))
            .expect_err("bad flag");
        assert!(err.to_string().contains("not a boolean"), "{err}");
        assert!(parse_text(&format!("{{\"value\":[{good}]}} x")).is_err());
        assert!(parse_text("{\"odata.metadata\":\"x\"}").is_err());
        let err = parse_text("{\"value\":[{\"Category\":1}]}").expect_err("no digest");
        assert!(err.to_string().contains("without MD5"), "{err}");
        assert!(parse_text("{\"value\":[]}").expect("empty").0.is_empty());
    }

    #[test]
    fn dates() {
        assert_eq!(normalise_date("2023-06-07T02:31:49.8300Z").as_deref(), Some("2023-06-07T02:31:49.83Z"));
        assert_eq!(normalise_date("2023-06-07T02:31:49+02:00").as_deref(), Some("2023-06-07T00:31:49Z"));
        assert_eq!(normalise_date("2023-06-07T02:31:49").as_deref(), Some("2023-06-07T02:31:49Z"));
        assert_eq!(normalise_date("2023-06-07").as_deref(), Some("2023-06-07T00:00:00Z"));
        assert_eq!(normalise_date("/Date(1700000000000+0100)/").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(normalise_date("06/07/2023").as_deref(), Some("2023-06-07T00:00:00Z"));
        assert_eq!(normalise_date("6/7/2023 2:05:09 PM").as_deref(), Some("2023-06-07T14:05:09Z"));
        assert_eq!(normalise_date("12/31/2023 12:00 AM").as_deref(), Some("2023-12-31T00:00:00Z"));
        assert_eq!(normalise_date("yesterday"), None);
        assert_eq!(normalise_date("13/01/2023"), None);
    }
}
