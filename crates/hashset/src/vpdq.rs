//! vPDQ video sets: known videos as lists of PDQ-hashed frames.
//!
//! Sources (format `vpdq`, detected from the content):
//!
//! * one file in the vPDQ reference's text format, one line per sampled
//!   frame, `frame_number,quality,pdq_hex,timestamp_seconds` (what the
//!   reference's `vpdq-hash-video` writes): one video, named after the file;
//! * a folder of such files, one per video, imported as one set. The folder
//!   is read as one stream, its regular files (hidden ones left out) in byte
//!   order of their names, each introduced by a line `# <file name>`; the
//!   set's source SHA-256 is the SHA-256 of that stream, so the same folder
//!   always gives the same provenance. A file holding such `# <name>` lines
//!   is read the same way (it is what `spoor hashset export --format vpdq`
//!   writes);
//! * a VICS file whose Media records carry a vPDQ list, as an
//!   `AlternativeHashes` entry `{"HashName": "vPDQ", "HashValue": "<lines>"}`
//!   or a `vPDQ` field, lines separated by newlines, `;` or spaces. The
//!   record's digests, category and names are imported as usual; the frames
//!   go to the set's vPDQ table with a copy of the record.
//!
//! In the set folder, `vpdq.jsonl` holds one JSON object per known video
//! (`{"record": Record, "frames": [Frame, ...]}`) and `vpdq.sum` its
//! SHA-256 and video count, checked whenever the set is loaded or verified:
//! a damaged table is an error, never a wrong answer. Matching follows the
//! vPDQ reference ([`spoor_video::vpdq_match`]). With few known frames
//! (under [`INDEX_MIN_FRAMES`]) every known video is compared frame by
//! frame; with more, the first match builds a multi-index-hashing index
//! ([`spoor_pdq::index`]) over every known video's unique frames in a
//! private temporary folder, and each scanned frame is looked up in it
//! once: only the known videos that share a near frame are counted, with
//! exactly the figures the frame-by-frame comparison gives.

use std::fs::{self, File};
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spoor_pdq::PdqHash;
use spoor_video::{Frame, MatchSettings, VpdqMatch, parse_vpdq_line, vpdq_match};

use crate::format::{ParsedRecord, Parser, RecordSink};
use crate::{Error, Record, Result, SetInfo};

/// The known videos of a set.
pub(crate) const TABLE_FILE: &str = "vpdq.jsonl";
/// Their checksum: `<sha256 hex> <video count>`.
pub(crate) const SUM_FILE: &str = "vpdq.sum";
/// The key under which a vPDQ list travels in [`Record::extra`] from a
/// parser to the set builder.
const EXTRA_KEY: &str = "vPDQ";
/// The line that starts a new video in a vPDQ stream.
const VIDEO_PREFIX: &str = "# ";

/// One known video: what its source said about it, and its frames.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownVideo {
    pub record: Record,
    pub frames: Vec<Frame>,
}

/// A scanned video that matches a known one under the vPDQ rule.
#[derive(Clone, Debug, PartialEq)]
pub struct VpdqHit {
    /// Index into [`crate::Matcher::sets`].
    pub set: usize,
    /// The known video's record, with its category's display name.
    pub record: Record,
    /// How much of the two videos matched.
    pub matched: VpdqMatch,
}

/// Whether `head` (the start of a source) is vPDQ text: its first line that
/// is not blank is a frame line or a `# <name>` line followed by one.
pub(crate) fn detect(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(mut first) = lines.next() else {
        return false;
    };
    if first.starts_with(VIDEO_PREFIX) {
        match lines.next() {
            Some(next) => first = next,
            None => return false,
        }
    }
    parse_vpdq_line(first).is_ok()
}

/// Opens an import source: a file as it is, a folder as the stream of its
/// files described in the module docs.
pub(crate) fn open_source(source: &Path) -> Result<Box<dyn Read + Send>> {
    let meta = fs::metadata(source).map_err(|e| Error::io(source, e))?;
    if !meta.is_dir() {
        return Ok(Box::new(
            File::open(source).map_err(|e| Error::io(source, e))?,
        ));
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(source).map_err(|e| Error::io(source, e))? {
        let entry = entry.map_err(|e| Error::io(source, e))?;
        let name = entry.file_name();
        let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
        if kind.is_file() && !name.to_string_lossy().starts_with('.') {
            files.push(entry.path());
        }
    }
    files.sort_by(|a, b| {
        use std::os::unix::ffi::OsStrExt;
        a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes())
    });
    if files.is_empty() {
        return Err(Error::EmptySet {
            path: source.to_path_buf(),
        });
    }
    Ok(Box::new(FolderStream {
        files: files.into_iter(),
        current: None,
    }))
}

/// The files of a folder, each after a `# <name>` line.
struct FolderStream {
    files: std::vec::IntoIter<PathBuf>,
    current: Option<Box<dyn Read + Send>>,
}

impl Read for FolderStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(r) = &mut self.current {
                let n = r.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.current = None;
            }
            let Some(path) = self.files.next() else {
                return Ok(0);
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().replace(['\n', '\r'], " "))
                .unwrap_or_default();
            let file = File::open(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            // The header, the file, and a newline in case the file lacks one.
            let header = io::Cursor::new(format!("{VIDEO_PREFIX}{name}\n").into_bytes());
            self.current = Some(Box::new(header.chain(file).chain(&b"\n"[..])));
        }
    }
}

/// The vPDQ text parser: one video per file or per `# <name>` section.
#[derive(Debug)]
pub(crate) struct TextParser;

impl Parser for TextParser {
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()> {
        let default_name = source.file_name().map(|n| n.to_string_lossy().into_owned());
        // The video being read: its first line, name and frame lines.
        let mut video: Option<(u64, Option<String>, String)> = None;
        let flush = |video: &mut Option<(u64, Option<String>, String)>,
                     sink: &mut dyn RecordSink|
         -> Result<()> {
            if let Some((line, name, text)) = video.take() {
                if text.is_empty() {
                    return Err(Error::Parse {
                        path: source.to_path_buf(),
                        line,
                        reason: format!("video {:?} has no frames", name.unwrap_or_default()),
                    });
                }
                let mut parsed = ParsedRecord::default();
                parsed.record.line = line;
                parsed.record.name = name;
                parsed.record.extra.insert(EXTRA_KEY.to_string(), text);
                sink.push(parsed)?;
            }
            Ok(())
        };
        let mut buf = String::new();
        let mut n = 0u64;
        loop {
            buf.clear();
            let read = input
                .read_line(&mut buf)
                .map_err(|e| Error::io(source, e))?;
            if read == 0 {
                break;
            }
            n += 1;
            let line = buf.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix(VIDEO_PREFIX) {
                flush(&mut video, sink)?;
                video = Some((n, Some(name.trim().to_string()), String::new()));
                continue;
            }
            parse_vpdq_line(line).map_err(|reason| Error::Parse {
                path: source.to_path_buf(),
                line: n,
                reason,
            })?;
            let v = video.get_or_insert_with(|| (n, default_name.clone(), String::new()));
            v.2.push_str(line);
            v.2.push('\n');
        }
        flush(&mut video, sink)
    }
}

/// Takes a vPDQ list out of a parsed record (see [`EXTRA_KEY`]; VICS
/// records bring it under any spelling of `vPDQ`): `None` when it has none.
pub(crate) fn take_frames(record: &mut Record) -> Option<std::result::Result<Vec<Frame>, String>> {
    let key = record
        .extra
        .keys()
        .find(|k| k.to_ascii_lowercase().replace(['-', '_', ' '], "") == "vpdq")
        .cloned()?;
    let text = record.extra.remove(&key)?;
    let mut frames = Vec::new();
    for part in text
        .split(['\n', '\r', ';', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match parse_vpdq_line(part) {
            Ok(f) => frames.push(f),
            Err(reason) => return Some(Err(format!("vPDQ frame {}: {reason}", frames.len() + 1))),
        }
    }
    if frames.is_empty() {
        return Some(Err("the vPDQ list holds no frames".to_string()));
    }
    Some(Ok(frames))
}

/// Writes a set's known videos while it is built.
#[derive(Debug)]
pub(crate) struct TableWriter {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    hasher: Sha256,
    videos: u64,
}

impl TableWriter {
    pub(crate) fn new(dir: &Path) -> TableWriter {
        TableWriter {
            path: dir.join(TABLE_FILE),
            out: None,
            hasher: Sha256::new(),
            videos: 0,
        }
    }

    pub(crate) fn push(&mut self, record: &Record, frames: Vec<Frame>) -> Result<()> {
        let video = KnownVideo {
            record: record.clone(),
            frames,
        };
        let mut line =
            serde_json::to_vec(&video).map_err(|e| Error::io(&self.path, io::Error::other(e)))?;
        line.push(b'\n');
        if self.out.is_none() {
            let file = File::create_new(&self.path).map_err(|e| Error::io(&self.path, e))?;
            self.out = Some(BufWriter::new(file));
        }
        if let Some(out) = &mut self.out {
            out.write_all(&line).map_err(|e| Error::io(&self.path, e))?;
        }
        self.hasher.update(&line);
        self.videos += 1;
        Ok(())
    }

    /// Syncs the table and writes its checksum; returns the video count.
    pub(crate) fn finish(self) -> Result<u64> {
        let Some(out) = self.out else {
            return Ok(0);
        };
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.path, e))?;
        let sum_path = self.path.with_file_name(SUM_FILE);
        let sum = format!("{} {}\n", hex::encode(self.hasher.finalize()), self.videos);
        let mut f = File::create_new(&sum_path).map_err(|e| Error::io(&sum_path, e))?;
        f.write_all(sum.as_bytes())
            .map_err(|e| Error::io(&sum_path, e))?;
        f.sync_all().map_err(|e| Error::io(&sum_path, e))?;
        Ok(self.videos)
    }
}

/// Reads and checks a set's known videos (none when the set has none).
pub(crate) fn load(dir: &Path, info: &SetInfo) -> Result<Vec<KnownVideo>> {
    if info.vpdq_videos == 0 {
        return Ok(Vec::new());
    }
    let path = dir.join(TABLE_FILE);
    let sum_path = dir.join(SUM_FILE);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let sum = fs::read_to_string(&sum_path).map_err(|e| Error::io(&sum_path, e))?;
    let expected = format!(
        "{} {}",
        hex::encode(Sha256::digest(&bytes)),
        info.vpdq_videos
    );
    if sum.trim() != expected {
        return Err(Error::corrupt(
            &path,
            "the vPDQ table does not match its checksum (vpdq.sum)",
        ));
    }
    let mut videos = Vec::with_capacity(info.vpdq_videos as usize);
    for (i, line) in bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let mut video: KnownVideo = serde_json::from_slice(line)
            .map_err(|e| Error::corrupt(&path, format!("video {}: {e}", i + 1)))?;
        if let Some(c) = &video.record.category {
            video.record.category_name = info.categories.get(c).cloned();
        }
        videos.push(video);
    }
    if videos.len() as u64 != info.vpdq_videos {
        return Err(Error::corrupt(
            &path,
            format!(
                "{} videos, the manifest says {}",
                videos.len(),
                info.vpdq_videos
            ),
        ));
    }
    Ok(videos)
}

/// Known videos holding at least this many unique frames in all are
/// matched through a PDQ index (built on the first match); fewer are
/// compared frame by frame, which is then as fast and needs no index.
pub(crate) const INDEX_MIN_FRAMES: usize = 20_000;

/// The known videos of the loaded sets (indexed like them), and, once the
/// first scanned video is matched, a multi-index-hashing index
/// ([`spoor_pdq::index`]) over their unique frames when they hold many.
#[derive(Debug, Default)]
pub(crate) struct KnownVideos {
    sets: Vec<Vec<KnownVideo>>,
    /// `None` inside: matched frame by frame (few frames, or the index
    /// could not be written: the same answer, only slower).
    index: std::sync::OnceLock<Option<FrameIndex>>,
    /// Frames from which the index is used.
    min_frames: usize,
}

/// A PDQ index over every known video's unique frames (distinct hashes,
/// each with the best quality it has in that video), in a private
/// temporary folder that goes with it.
#[derive(Debug)]
struct FrameIndex {
    _dir: tempfile::TempDir,
    index: spoor_pdq::index::PdqIndex,
    /// The entries of each video, by set then video: entry ids `start..end`.
    spans: Vec<Vec<std::ops::Range<u32>>>,
    /// Each entry's `(set, video)`.
    owners: Vec<(u32, u32)>,
}

impl KnownVideos {
    pub(crate) fn new(sets: Vec<Vec<KnownVideo>>) -> KnownVideos {
        KnownVideos {
            sets,
            index: std::sync::OnceLock::new(),
            min_frames: INDEX_MIN_FRAMES,
        }
    }

    /// The same videos, indexed from `min_frames` unique frames (tests).
    #[cfg(test)]
    fn with_index_from(sets: Vec<Vec<KnownVideo>>, min_frames: usize) -> KnownVideos {
        KnownVideos {
            min_frames,
            ..KnownVideos::new(sets)
        }
    }

    /// The known videos of loaded set `set`: none for a set without any.
    pub(crate) fn of_set(&self, set: usize) -> &[KnownVideo] {
        self.sets.get(set).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sets.iter().all(Vec::is_empty)
    }

    /// Every known video that the scanned `frames` match under the vPDQ
    /// rule ([`spoor_video::vpdq_match`]), in set order, then the order of
    /// the set's source. Through the index when there is one: exactly the
    /// videos and figures that comparing with every video gives
    /// ([`brute_force`]; property-tested).
    pub(crate) fn matches(&self, frames: &[Frame], settings: &MatchSettings) -> Vec<VpdqHit> {
        match self.index.get_or_init(|| self.build_index()) {
            Some(index) => self.indexed(index, frames, settings),
            None => brute_force(&self.sets, frames, settings),
        }
    }

    fn build_index(&self) -> Option<FrameIndex> {
        let frames: usize = self.sets.iter().flatten().map(|v| v.frames.len()).sum();
        if frames < self.min_frames {
            return None;
        }
        let mut builder = spoor_pdq::index::IndexBuilder::new();
        builder.reserve(frames);
        let mut spans = Vec::with_capacity(self.sets.len());
        let mut owners = Vec::with_capacity(frames);
        for (s, videos) in self.sets.iter().enumerate() {
            let mut set_spans = Vec::with_capacity(videos.len());
            for (v, video) in videos.iter().enumerate() {
                let start = owners.len() as u32;
                for (hash, quality) in unique_best_quality(&video.frames) {
                    builder.push(spoor_pdq::index::PdqEntry {
                        hash,
                        quality: u8::try_from(quality).unwrap_or(u8::MAX),
                    });
                    owners.push((s as u32, v as u32));
                }
                set_spans.push(start..owners.len() as u32);
            }
            spans.push(set_spans);
        }
        // Only this process reads it; it is removed with the matcher.
        let dir = tempfile::Builder::new().prefix("spoor-vpdq-").tempdir().ok()?;
        let path = dir.path().join("frames.pdqidx");
        builder.build(&path).ok()?;
        let index = spoor_pdq::index::PdqIndex::open(&path).ok()?;
        Some(FrameIndex {
            _dir: dir,
            index,
            spans,
            owners,
        })
    }

    fn indexed(&self, ix: &FrameIndex, frames: &[Frame], settings: &MatchSettings) -> Vec<VpdqHit> {
        let min_quality = u8::try_from(settings.min_quality).unwrap_or(u8::MAX);
        let query = unique_query(frames, settings.min_quality);
        // Per known video with a pair within the distance: the query frames
        // and the known entries that have one.
        let mut pairs: std::collections::BTreeMap<(u32, u32), (Vec<usize>, Vec<u32>)> = Default::default();
        let mut near = Vec::new();
        for (qi, hash) in query.iter().enumerate() {
            ix.index.query(hash, settings.max_distance, min_quality, &mut near);
            for &(id, _) in &near {
                let Some(&owner) = ix.owners.get(id as usize) else {
                    continue;
                };
                let (q, k) = pairs.entry(owner).or_default();
                if q.last() != Some(&qi) {
                    q.push(qi);
                }
                k.push(id);
            }
        }
        let mut hits = Vec::new();
        for ((s, v), (q, mut k)) in pairs {
            k.sort_unstable();
            k.dedup();
            let (s, v) = (s as usize, v as usize);
            let known_unique = ix.spans[s][v]
                .clone()
                .filter(|&id| ix.index.entry(id).quality >= min_quality)
                .count();
            let m = figures(q.len(), query.len(), k.len(), known_unique, settings);
            if m.is_match {
                hits.push(VpdqHit {
                    set: s,
                    record: self.sets[s][v].record.clone(),
                    matched: m,
                });
            }
        }
        hits
    }
}

/// A video's distinct hashes in first-seen order, each with the highest
/// quality it has: a hash is among the video's unique frames at a quality
/// threshold exactly when one of its frames reaches it.
fn unique_best_quality(frames: &[Frame]) -> Vec<(PdqHash, u32)> {
    let mut at: std::collections::HashMap<PdqHash, usize> = Default::default();
    let mut out: Vec<(PdqHash, u32)> = Vec::new();
    for f in frames {
        match at.get(&f.hash) {
            Some(&i) => out[i].1 = out[i].1.max(f.quality),
            None => {
                at.insert(f.hash, out.len());
                out.push((f.hash, f.quality));
            }
        }
    }
    out
}

/// The scanned video's unique frames as the rule counts them: quality
/// filter first, then distinct hashes.
fn unique_query(frames: &[Frame], min_quality: u32) -> Vec<PdqHash> {
    let mut seen = std::collections::HashSet::new();
    frames
        .iter()
        .filter(|f| f.quality >= min_quality && seen.insert(f.hash))
        .map(|f| f.hash)
        .collect()
}

/// The rule's figures from the counts, as [`spoor_video::vpdq_match`]
/// computes them.
fn figures(matched_q: usize, query_unique: usize, matched_k: usize, known_unique: usize, settings: &MatchSettings) -> VpdqMatch {
    let percent = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 * 100.0 / of as f64 };
    let query_match_percent = percent(matched_q, query_unique);
    let known_match_percent = percent(matched_k, known_unique);
    VpdqMatch {
        query_match_percent,
        known_match_percent,
        matched_frames: matched_q,
        query_unique_frames: query_unique,
        known_unique_frames: known_unique,
        is_match: matched_q > 0
            && query_match_percent >= settings.query_match_threshold
            && known_match_percent >= settings.known_match_threshold,
    }
}

/// Every known video of `sets` (indexed like them) that the scanned
/// `frames` match, compared one by one ([`spoor_video::vpdq_match`]), in
/// set order, then the order of the set's source.
pub(crate) fn brute_force(
    sets: &[Vec<KnownVideo>],
    frames: &[Frame],
    settings: &MatchSettings,
) -> Vec<VpdqHit> {
    let mut hits = Vec::new();
    for (set, videos) in sets.iter().enumerate() {
        for video in videos {
            let m = vpdq_match(frames, &video.frames, settings);
            if m.is_match {
                hits.push(VpdqHit {
                    set,
                    record: video.record.clone(),
                    matched: m,
                });
            }
        }
    }
    hits
}

/// Writes known videos as a vPDQ stream (`# <name>` lines, then frames):
/// what an import reads back as the same videos.
pub(crate) fn export(videos: &[KnownVideo], out: &mut dyn Write) -> io::Result<u64> {
    for (i, v) in videos.iter().enumerate() {
        let name = v
            .record
            .name
            .clone()
            .unwrap_or_else(|| format!("video-{}", i + 1))
            .replace(['\n', '\r'], " ");
        writeln!(out, "{VIDEO_PREFIX}{name}")?;
        spoor_video::write_vpdq(&mut *out, &v.frames)?;
    }
    Ok(videos.len() as u64)
}

/// The vPDQ list of the known video whose record lists the same digests as
/// `record`, as the text a VICS export carries in a `vPDQ` field.
pub(crate) fn frames_text_for(videos: &[KnownVideo], record: &Record) -> Option<String> {
    let has_digest = record.md5.is_some() || record.sha1.is_some() || record.sha256.is_some();
    let v = videos.iter().find(|v| {
        has_digest
            && v.record.md5 == record.md5
            && v.record.sha1 == record.sha1
            && v.record.sha256 == record.sha256
    })?;
    let mut text = Vec::new();
    spoor_video::write_vpdq(&mut text, &v.frames).ok()?;
    String::from_utf8(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000";
    const B: &str = "30,90,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,1.000";

    #[test]
    fn detects_text_and_sections() {
        assert!(detect(format!("{A}\n{B}\n").as_bytes()));
        assert!(detect(format!("\n# clip.txt\n{A}\n").as_bytes()));
        assert!(!detect(b"# clip.txt\n"));
        assert!(!detect(b"d41d8cd98f00b204e9800998ecf8427e  x\n"));
    }

    #[test]
    fn parses_sections_into_videos() {
        let text = format!("# one.txt\n{A}\n{B}\n\n# two.txt\n{B}\n");
        let mut out: Vec<ParsedRecord> = Vec::new();
        TextParser
            .parse(Path::new("set"), &mut text.as_bytes(), &mut out)
            .expect("parse");
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].record.name.as_deref(), Some("one.txt"));
        assert_eq!(out[1].record.line, 5);
        let frames = take_frames(&mut out[0].record).expect("some").expect("ok");
        assert_eq!(frames.len(), 2);
        assert!(out[0].record.extra.is_empty());

        let mut out: Vec<ParsedRecord> = Vec::new();
        TextParser
            .parse(
                Path::new("dir/clip.txt"),
                &mut format!("{A}\n").as_bytes(),
                &mut out,
            )
            .expect("parse");
        assert_eq!(out[0].record.name.as_deref(), Some("clip.txt"));

        let bad = format!("{A}\n1,100,zz,0.0\n");
        let err = TextParser
            .parse(
                Path::new("x"),
                &mut bad.as_bytes(),
                &mut Vec::<ParsedRecord>::new(),
            )
            .expect_err("bad line");
        assert!(matches!(err, Error::Parse { line: 2, .. }), "{err}");
    }

    /// SplitMix64: deterministic cases without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn hash(&mut self) -> PdqHash {
            let mut h = PdqHash::ZERO;
            for chunk in h.0.chunks_exact_mut(8) {
                chunk.copy_from_slice(&self.next().to_le_bytes());
            }
            h
        }

        /// `base` with up to `max_flips` random bits flipped.
        fn near(&mut self, base: PdqHash, max_flips: u64) -> PdqHash {
            let mut h = base;
            for _ in 0..self.below(max_flips + 1) {
                let bit = self.below(256) as usize;
                h.0[bit / 8] ^= 1 << (bit % 8);
            }
            h
        }

        /// Frames near a pool of scenes: repeated hashes, near copies,
        /// unrelated ones, qualities on both sides of the thresholds.
        fn frames(&mut self, pool: &[PdqHash], max: u64) -> Vec<Frame> {
            let mut frames: Vec<Frame> = Vec::new();
            for n in 0..self.below(max + 1) {
                let hash = match self.below(6) {
                    0 => self.hash(),
                    1 if !frames.is_empty() => frames[self.below(frames.len() as u64) as usize].hash,
                    _ => {
                        let base = pool[self.below(pool.len() as u64) as usize];
                        self.near(base, 48)
                    }
                };
                let quality = match self.below(4) {
                    0 => self.below(101) as u32,
                    _ => 50 + self.below(51) as u32,
                };
                frames.push(Frame { frame_number: n, timestamp: n as f64, hash, quality });
            }
            frames
        }
    }

    #[test]
    fn the_index_gives_exactly_what_brute_force_gives() {
        let distances = [0, 8, 31, 32, 47, 64, 256];
        let qualities = [0, 50, 75, 100, 101];
        let query_thresholds = [0.0, 50.0, 80.0, 100.0];
        let known_thresholds = [0.0, 30.0, 100.0];
        let mut rng = Rng(5);
        let mut indexed_hits = 0;
        for case in 0..200 {
            let pool: Vec<PdqHash> = (0..1 + rng.below(8)).map(|_| rng.hash()).collect();
            let sets: Vec<Vec<KnownVideo>> = (0..1 + rng.below(3))
                .map(|_| {
                    (0..rng.below(7))
                        .map(|v| KnownVideo {
                            record: Record { name: Some(format!("video {v}")), line: v + 1, ..Record::default() },
                            frames: rng.frames(&pool, 40),
                        })
                        .collect()
                })
                .collect();
            let query = rng.frames(&pool, 30);
            let settings = MatchSettings {
                max_distance: distances[rng.below(distances.len() as u64) as usize],
                min_quality: qualities[rng.below(qualities.len() as u64) as usize],
                query_match_threshold: query_thresholds[rng.below(query_thresholds.len() as u64) as usize],
                known_match_threshold: known_thresholds[rng.below(known_thresholds.len() as u64) as usize],
            };
            let want = brute_force(&sets, &query, &settings);
            let known = KnownVideos::with_index_from(sets.clone(), 1);
            let got = known.matches(&query, &settings);
            let frames: usize = sets.iter().flatten().map(|v| v.frames.len()).sum();
            assert_eq!(
                known.index.get().is_some_and(Option::is_some),
                frames > 0,
                "case {case}: the index was used"
            );
            assert_eq!(got, want, "case {case}: {settings:?}");
            // The matcher answers many videos with the index it built once.
            let other = rng.frames(&pool, 30);
            assert_eq!(known.matches(&other, &settings), brute_force(&sets, &other, &settings), "case {case}");
            indexed_hits += got.len();
        }
        // The cases are not all misses.
        assert!(indexed_hits > 60, "{indexed_hits}");
        // Few frames: no index.
        let scene = [rng.hash()];
        let few = KnownVideos::new(vec![vec![KnownVideo { record: Record::default(), frames: rng.frames(&scene, 5) }]]);
        few.matches(&[], &MatchSettings::default());
        assert!(few.index.get().is_some_and(Option::is_none));
    }

    #[test]
    fn vics_lists_take_any_separator() {
        let mut r = Record::default();
        r.extra.insert("VPDQ".into(), format!("{A};{B}"));
        assert_eq!(take_frames(&mut r).expect("some").expect("ok").len(), 2);
        r.extra.insert("vPDQ".into(), "nonsense".into());
        assert!(take_frames(&mut r).expect("some").is_err());
        assert!(take_frames(&mut Record::default()).is_none());
    }
}
