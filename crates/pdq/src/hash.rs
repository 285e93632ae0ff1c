//! The 256-bit hash value and its text form.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A PDQ hash: 256 bits, stored as the big-endian bytes of the 256-bit number
/// the reference prints.
///
/// Bit `k = i * 16 + j` (value `2^k`) is set when coefficient `[i][j]` of the
/// 16×16 DCT is above the median. The reference keeps sixteen 16-bit words
/// with bit `k` in word `k / 16` and prints them from word 15 down to word 0
/// (`"%04hx"` each), so its text is exactly the big-endian hex of this array:
/// bit `k` lives in byte `31 - k / 8`, mask `1 << (k % 8)`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PdqHash(pub [u8; 32]);

impl PdqHash {
    /// The all-zero hash the reference returns for pictures too small to hash.
    pub const ZERO: PdqHash = PdqHash([0; 32]);

    /// Number of differing bits (0..=256).
    pub fn hamming(&self, other: &PdqHash) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// Whether bit `k` (0..256, `k = i * 16 + j`) is set.
    pub fn bit(&self, k: usize) -> bool {
        self.0[31 - k / 8] & (1 << (k % 8)) != 0
    }

    pub(crate) fn set_bit(&mut self, k: usize) {
        self.0[31 - k / 8] |= 1 << (k % 8);
    }
}

impl fmt::Display for PdqHash {
    /// 64 lower-case hex digits, as the reference prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({self})")
    }
}

/// Why a text is not a PDQ hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHashError {
    #[error("a PDQ hash has 64 hex digits, this text has {0} characters")]
    Length(usize),
    #[error("{0:?} is not a hex digit")]
    Digit(char),
}

impl FromStr for PdqHash {
    type Err = ParseHashError;

    /// Reads 64 hex digits, either case (the reference's `sscanf("%04hx")`
    /// accepts both).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(ParseHashError::Length(s.chars().count()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Ok(PdqHash(out))
    }
}

fn hex_digit(c: u8) -> Result<u8, ParseHashError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(ParseHashError::Digit(char::from(c))),
    }
}

impl Serialize for PdqHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PdqHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    #[test]
    fn hex_round_trip() {
        let h: PdqHash = SAMPLE.parse().expect("valid hash");
        assert_eq!(h.to_string(), SAMPLE);
        let upper: PdqHash = SAMPLE.to_uppercase().parse().expect("valid hash");
        assert_eq!(upper, h);
    }

    #[test]
    fn bit_order_matches_reference_words() {
        // Bit 0 is the lowest bit of word 0, printed last; bit 255 the top
        // bit of word 15, printed first.
        let mut h = PdqHash::ZERO;
        h.set_bit(0);
        assert_eq!(h.to_string(), format!("{}1", "0".repeat(63)));
        let mut h = PdqHash::ZERO;
        h.set_bit(255);
        assert_eq!(h.to_string(), format!("8{}", "0".repeat(63)));
        let mut h = PdqHash::ZERO;
        h.set_bit(16 + 4); // word 1, bit 4
        assert!(h.bit(20));
        assert_eq!(h.to_string(), format!("{}00100000", "0".repeat(56)));
    }

    #[test]
    fn hamming_counts_bits() {
        let a: PdqHash = SAMPLE.parse().expect("valid hash");
        assert_eq!(a.hamming(&a), 0);
        assert_eq!(a.hamming(&PdqHash::ZERO), SAMPLE_ONES);
        let mut b = a;
        b.0[0] ^= 0b1010_0000;
        assert_eq!(a.hamming(&b), 2);
    }
    const SAMPLE_ONES: u32 = 128; // PDQ hashes are balanced around the median

    #[test]
    fn rejects_bad_text() {
        assert_eq!("abc".parse::<PdqHash>(), Err(ParseHashError::Length(3)));
        let bad = format!("{}g", &SAMPLE[..63]);
        assert_eq!(bad.parse::<PdqHash>(), Err(ParseHashError::Digit('g')));
    }

    #[test]
    fn serializes_as_hex_string() {
        let h: PdqHash = SAMPLE.parse().expect("valid hash");
        let json = serde_json::to_string(&h).expect("serialize");
        assert_eq!(json, format!("\"{SAMPLE}\""));
        let back: PdqHash = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, h);
    }
}
