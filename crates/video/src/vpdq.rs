//! vPDQ frames, the reference's text format, and matching as
//! python-threatexchange defines it.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};

use serde::{Deserialize, Serialize};
use spoor_pdq::PdqHash;

use crate::error::VpdqFileError;

/// One hashed frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Index among the decoded frames, from 0.
    pub frame_number: u64,
    /// Presentation time in seconds since the first decoded frame.
    pub timestamp: f64,
    pub hash: PdqHash,
    /// PDQ quality, 0..=100.
    pub quality: u32,
}

/// Reads the reference's text format: one frame per line,
/// `frame_number,quality,pdq_hex,timestamp_seconds` (the reference's
/// `vpdq-hash-video` output and its `sample-hashes/`). Blank lines are
/// skipped; anything else malformed is an error naming the line (from 1).
pub fn read_vpdq<R: Read>(reader: R) -> Result<Vec<Frame>, VpdqFileError> {
    let mut frames = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        frames.push(parse_vpdq_line(text).map_err(|reason| VpdqFileError::Line {
            line: i + 1,
            reason,
        })?);
    }
    Ok(frames)
}

/// Parses one line of the reference's text format
/// (`frame_number,quality,pdq_hex,timestamp_seconds`), saying why not.
pub fn parse_vpdq_line(text: &str) -> Result<Frame, String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let [number, quality, hash, timestamp] = fields[..] else {
        return Err(format!(
            "expected 4 fields (frame_number,quality,pdq_hex,timestamp), found {}",
            fields.len()
        ));
    };
    let frame_number = number
        .parse::<u64>()
        .map_err(|_| format!("frame number {number:?} is not a non-negative integer"))?;
    let quality = quality
        .parse::<u32>()
        .ok()
        .filter(|q| *q <= 100)
        .ok_or_else(|| format!("quality {quality:?} is not an integer from 0 to 100"))?;
    let hash = hash
        .parse::<PdqHash>()
        .map_err(|e| format!("PDQ hash {hash:?}: {e}"))?;
    let timestamp = timestamp
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite() && *t >= 0.0)
        .ok_or_else(|| format!("timestamp {timestamp:?} is not a non-negative number"))?;
    Ok(Frame {
        frame_number,
        timestamp,
        hash,
        quality,
    })
}

/// Writes frames in the reference's text format (timestamps with three
/// decimals, as the reference prints them).
pub fn write_vpdq<W: Write>(mut writer: W, frames: &[Frame]) -> std::io::Result<()> {
    for f in frames {
        writeln!(
            writer,
            "{},{},{},{:.3}",
            f.frame_number, f.quality, f.hash, f.timestamp
        )?;
    }
    writer.flush()
}

/// Thresholds for [`vpdq_match`]; the defaults are python-threatexchange's
/// (`vpdq_util.py`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchSettings {
    /// Largest Hamming distance at which two frames match
    /// (`VPDQ_DISTANCE_THRESHOLD = 31`).
    pub max_distance: u32,
    /// Frames of lower quality are ignored on both sides
    /// (`VPDQ_QUALITY_THRESHOLD = 50`).
    pub min_quality: u32,
    /// Share of the query's unique frames that must match, in percent
    /// (`VPDQ_QUERY_MATCH_THRESHOLD_PERCENT = 80`).
    pub query_match_threshold: f64,
    /// Share of the known video's unique frames that must match, in percent
    /// (`VPDQ_INDEX_MATCH_THRESHOLD_PERCENT = 0`).
    pub known_match_threshold: f64,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings {
            max_distance: 31,
            min_quality: 50,
            query_match_threshold: 80.0,
            known_match_threshold: 0.0,
        }
    }
}

/// How much of two videos matches.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct VpdqMatch {
    /// Unique query frames with a match in the known video, in percent of
    /// the query's unique frames.
    pub query_match_percent: f64,
    /// Unique known frames with a match in the query, in percent of the
    /// known video's unique frames.
    pub known_match_percent: f64,
    /// Unique query frames with a match.
    pub matched_frames: usize,
    /// Unique frames (quality-filtered, then deduplicated by exact hash).
    pub query_unique_frames: usize,
    pub known_unique_frames: usize,
    /// Both percentages reach their thresholds (and something matched).
    pub is_match: bool,
}

/// Compares a scanned video (`query`) with a known one, as
/// python-threatexchange's vPDQ index does: frames under the quality
/// threshold are dropped, the rest deduplicated by exact hash (first
/// occurrence kept); a unique frame matches when some unique frame on the
/// other side is within the distance. The query matches when at least
/// `query_match_threshold` percent of its unique frames match and at least
/// `known_match_threshold` percent of the known video's do. A side with no
/// frames left has 0 %.
pub fn vpdq_match(query: &[Frame], known: &[Frame], settings: &MatchSettings) -> VpdqMatch {
    let q = unique_hashes(query, settings.min_quality);
    let k = unique_hashes(known, settings.min_quality);
    let matched_q = count_matched(&q, &k, settings.max_distance);
    let matched_k = count_matched(&k, &q, settings.max_distance);
    let query_match_percent = percent(matched_q, q.len());
    let known_match_percent = percent(matched_k, k.len());
    VpdqMatch {
        query_match_percent,
        known_match_percent,
        matched_frames: matched_q,
        query_unique_frames: q.len(),
        known_unique_frames: k.len(),
        is_match: matched_q > 0
            && query_match_percent >= settings.query_match_threshold
            && known_match_percent >= settings.known_match_threshold,
    }
}

/// The hash as four words, for a fast Hamming distance.
type Words = [u64; 4];

fn words(h: &PdqHash) -> Words {
    let mut w = [0u64; 4];
    for (i, chunk) in h.0.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        w[i] = u64::from_be_bytes(b);
    }
    w
}

fn unique_hashes(frames: &[Frame], min_quality: u32) -> Vec<Words> {
    let mut seen = HashSet::new();
    frames
        .iter()
        .filter(|f| f.quality >= min_quality)
        .filter(|f| seen.insert(f.hash))
        .map(|f| words(&f.hash))
        .collect()
}

fn count_matched(from: &[Words], to: &[Words], max_distance: u32) -> usize {
    from.iter()
        .filter(|a| {
            to.iter().any(|b| {
                (a[0] ^ b[0]).count_ones()
                    + (a[1] ^ b[1]).count_ones()
                    + (a[2] ^ b[2]).count_ones()
                    + (a[3] ^ b[3]).count_ones()
                    <= max_distance
            })
        })
        .count()
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 * 100.0 / of as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_with_bits(bits: &[usize]) -> PdqHash {
        let mut h = PdqHash::ZERO;
        for &k in bits {
            h.0[31 - k / 8] |= 1 << (k % 8);
        }
        h
    }

    fn frame(n: u64, hash: PdqHash, quality: u32) -> Frame {
        Frame {
            frame_number: n,
            timestamp: n as f64,
            hash,
            quality,
        }
    }

    #[test]
    fn reads_and_writes_the_reference_format() {
        let text = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n\
                    1,47,C0F11178372C6AACCDDEA259648FBFD62F434C89C9E99B249772BE216C8D055C,0.033\r\n\
                    \n";
        let frames = read_vpdq(text.as_bytes()).expect("valid");
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].frame_number, 1);
        assert_eq!(frames[1].quality, 47);
        assert_eq!(frames[1].timestamp, 0.033);
        let mut out = Vec::new();
        write_vpdq(&mut out, &frames).expect("write");
        let out = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            out,
            "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n\
             1,47,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,0.033\n"
        );
        assert_eq!(read_vpdq(out.as_bytes()).expect("round trip"), frames);
    }

    #[test]
    fn malformed_lines_name_their_number() {
        let good = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000";
        let cases = [
            ("1,100,abc,0.0", "PDQ hash"),
            (
                "x,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.0",
                "frame number",
            ),
            (
                "1,101,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.0",
                "quality",
            ),
            (
                "1,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,-1",
                "timestamp",
            ),
            (
                "1,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c",
                "4 fields",
            ),
        ];
        for (bad, what) in cases {
            let text = format!("{good}\n\n{bad}\n");
            match read_vpdq(text.as_bytes()) {
                Err(VpdqFileError::Line { line, reason }) => {
                    assert_eq!(line, 3, "{bad}");
                    assert!(reason.contains(what), "{bad}: {reason}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn matching_follows_python_threatexchange() {
        let a = hash_with_bits(&[]);
        let a_near = hash_with_bits(&(0..31).collect::<Vec<_>>()); // 31 bits: matches
        let b = hash_with_bits(&(0..128).collect::<Vec<_>>());
        let c = hash_with_bits(&(128..256).collect::<Vec<_>>());
        let d = hash_with_bits(&(0..32).collect::<Vec<_>>()); // 32 from a: no match
        // Query: a (three times: one unique frame), b, and c at low quality.
        let query = [
            frame(0, a, 100),
            frame(1, a, 100),
            frame(2, a, 90),
            frame(3, b, 100),
            frame(4, c, 49),
        ];
        let known = [frame(0, a_near, 100), frame(1, d, 100), frame(2, c, 100)];
        let m = vpdq_match(&query, &known, &MatchSettings::default());
        // Unique query frames {a, b}: a matches a_near (31 bits), b nothing.
        assert_eq!(m.query_unique_frames, 2);
        assert_eq!(m.matched_frames, 1);
        assert_eq!(m.query_match_percent, 50.0);
        // Known {a_near, d, c}: a_near matches a; d is 1 bit from a_near
        // but 32 from a; c only matches the query's low-quality frame.
        assert_eq!(m.known_unique_frames, 3);
        assert!((m.known_match_percent - 100.0 / 3.0).abs() < 1e-9);
        assert!(!m.is_match);

        let loose = MatchSettings {
            query_match_threshold: 50.0,
            ..MatchSettings::default()
        };
        assert!(vpdq_match(&query, &known, &loose).is_match);
        let strict_known = MatchSettings {
            query_match_threshold: 50.0,
            known_match_threshold: 50.0,
            ..MatchSettings::default()
        };
        assert!(!vpdq_match(&query, &known, &strict_known).is_match);
    }

    #[test]
    fn dedupe_comes_after_the_quality_filter() {
        // The first copy of `a` is low quality: the second must still count.
        let a = hash_with_bits(&[1, 2, 3]);
        let query = [frame(0, a, 10), frame(1, a, 80)];
        let m = vpdq_match(&query, &query, &MatchSettings::default());
        assert_eq!(m.query_unique_frames, 1);
        assert!(m.is_match);
    }

    #[test]
    fn empty_sides_never_match() {
        let a = hash_with_bits(&[1]);
        let m = vpdq_match(&[], &[frame(0, a, 100)], &MatchSettings::default());
        assert_eq!(m.query_match_percent, 0.0);
        assert!(!m.is_match);
        let zero = MatchSettings {
            query_match_threshold: 0.0,
            ..MatchSettings::default()
        };
        assert!(!vpdq_match(&[frame(0, a, 100)], &[], &zero).is_match);
    }
}
