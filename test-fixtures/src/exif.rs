//! A small EXIF writer: a TIFF structure (IFD0, the Exif sub-IFD, the GPS
//! IFD) in either byte order, wrapped as a JPEG APP1 segment and spliced
//! after the SOI marker of a JPEG the `image` crate encoded.
//!
//! Written here, not taken from the reader's crate, so that the metadata
//! reader is tested against an independent writer: a misread offset or a
//! byte-order slip on either side shows up as a wrong value.

/// TIFF field types used here (TIFF 6.0 / EXIF 2.32 numbering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Byte(Vec<u8>),
    /// Written with its terminating NUL.
    Ascii(String),
    Short(u16),
    Long(u32),
    Rational(Vec<(u32, u32)>),
    Undefined(Vec<u8>),
}

impl Value {
    fn type_code(&self) -> u16 {
        match self {
            Value::Byte(_) => 1,
            Value::Ascii(_) => 2,
            Value::Short(_) => 3,
            Value::Long(_) => 4,
            Value::Rational(_) => 5,
            Value::Undefined(_) => 7,
        }
    }

    fn count(&self) -> u32 {
        match self {
            Value::Byte(v) | Value::Undefined(v) => v.len() as u32,
            Value::Ascii(s) => s.len() as u32 + 1,
            Value::Short(_) | Value::Long(_) => 1,
            Value::Rational(v) => v.len() as u32,
        }
    }

    fn bytes(&self, be: bool) -> Vec<u8> {
        let u16b = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let u32b = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        match self {
            Value::Byte(v) | Value::Undefined(v) => v.clone(),
            Value::Ascii(s) => {
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                b
            }
            Value::Short(v) => u16b(*v).to_vec(),
            Value::Long(v) => u32b(*v).to_vec(),
            Value::Rational(v) => v
                .iter()
                .flat_map(|&(n, d)| [u32b(n), u32b(d)].concat())
                .collect(),
        }
    }
}

/// One IFD: `(tag, value)` pairs, written sorted by tag as TIFF requires.
pub(crate) type Ifd = Vec<(u16, Value)>;

pub(crate) const TAG_EXIF_IFD: u16 = 0x8769;
pub(crate) const TAG_GPS_IFD: u16 = 0x8825;

/// A TIFF structure: IFD0 at offset 8, then the Exif IFD, then the GPS IFD
/// (each followed by its out-of-line values, word-aligned). The pointers to
/// the sub-IFDs are added to IFD0 when they are non-empty.
pub(crate) fn tiff(big_endian: bool, ifd0: &Ifd, exif: &Ifd, gps: &Ifd) -> Vec<u8> {
    let be = big_endian;
    let mut ifd0 = ifd0.clone();
    // Placeholders, fixed below once the sizes are known (pointers are
    // LONGs stored inline, so they do not change any size).
    if !exif.is_empty() {
        ifd0.push((TAG_EXIF_IFD, Value::Long(0)));
    }
    if !gps.is_empty() {
        ifd0.push((TAG_GPS_IFD, Value::Long(0)));
    }
    let at0 = 8u32;
    let at_exif = at0 + ifd_size(&ifd0);
    let at_gps = at_exif + ifd_size(exif);
    for (tag, v) in &mut ifd0 {
        match *tag {
            TAG_EXIF_IFD => *v = Value::Long(at_exif),
            TAG_GPS_IFD => *v = Value::Long(at_gps),
            _ => {}
        }
    }
    let mut out = if be {
        b"MM\x00\x2a".to_vec()
    } else {
        b"II\x2a\x00".to_vec()
    };
    out.extend_from_slice(&if be {
        at0.to_be_bytes()
    } else {
        at0.to_le_bytes()
    });
    write_ifd(&mut out, be, &ifd0);
    if !exif.is_empty() {
        write_ifd(&mut out, be, exif);
    }
    if !gps.is_empty() {
        write_ifd(&mut out, be, gps);
    }
    out
}

/// Bytes an IFD takes: count, entries, next-IFD offset, then the values
/// over four bytes, each padded to an even length.
fn ifd_size(ifd: &Ifd) -> u32 {
    let data: u32 = ifd
        .iter()
        .map(|(_, v)| {
            let n = v.bytes(false).len() as u32;
            if n > 4 { n + (n & 1) } else { 0 }
        })
        .sum();
    2 + 12 * ifd.len() as u32 + 4 + data
}

fn write_ifd(out: &mut Vec<u8>, be: bool, ifd: &Ifd) {
    let u16b = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
    let u32b = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut sorted: Vec<&(u16, Value)> = ifd.iter().collect();
    sorted.sort_by_key(|(tag, _)| *tag);
    let start = out.len() as u32;
    let mut data_at = start + 2 + 12 * sorted.len() as u32 + 4;
    let mut data = Vec::new();
    out.extend_from_slice(&u16b(sorted.len() as u16));
    for (tag, v) in sorted {
        out.extend_from_slice(&u16b(*tag));
        out.extend_from_slice(&u16b(v.type_code()));
        out.extend_from_slice(&u32b(v.count()));
        let bytes = v.bytes(be);
        if bytes.len() <= 4 {
            // Inline, left-justified.
            let mut inline = bytes;
            inline.resize(4, 0);
            out.extend_from_slice(&inline);
        } else {
            out.extend_from_slice(&u32b(data_at));
            let padded = bytes.len() + (bytes.len() & 1);
            data.extend_from_slice(&bytes);
            data.resize(data.len() + (padded - bytes.len()), 0);
            data_at += padded as u32;
        }
    }
    out.extend_from_slice(&u32b(0)); // no next IFD: no thumbnail
    out.extend_from_slice(&data);
}

/// An APP1 segment (`FF E1`, length, `Exif\0\0`, TIFF).
pub(crate) fn app1(tiff: &[u8]) -> Vec<u8> {
    let mut seg = vec![0xFF, 0xE1];
    let len = (tiff.len() + 8) as u16; // length field + "Exif\0\0" + TIFF
    seg.extend_from_slice(&len.to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(tiff);
    seg
}

/// Puts `segment` right after the SOI marker. With `drop_jfif`, a JFIF
/// APP0 segment the encoder wrote first is removed, as camera files carry
/// EXIF instead.
pub(crate) fn splice(jpeg: &[u8], segment: &[u8], drop_jfif: bool) -> Vec<u8> {
    let mut rest = &jpeg[2..];
    if drop_jfif && rest.len() > 4 && rest[0] == 0xFF && rest[1] == 0xE0 {
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        rest = &rest[2 + len..];
    }
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(segment);
    out.extend_from_slice(rest);
    out
}

/// Degrees, minutes and seconds (hundredths) as EXIF's three rationals.
pub(crate) fn dms(d: u32, m: u32, s_hundredths: u32) -> Value {
    Value::Rational(vec![(d, 1), (m, 1), (s_hundredths, 100)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_what_tiff_says() {
        let ifd0: Ifd = vec![
            (0x0110, Value::Ascii("Model X".into())),
            (0x010F, Value::Ascii("Make".into())),
            (0x0112, Value::Short(6)),
        ];
        let exif: Ifd = vec![(0x9003, Value::Ascii("2024:05:01 10:11:12".into()))];
        for be in [false, true] {
            let t = tiff(be, &ifd0, &exif, &Vec::new());
            let u16at = |o: usize| {
                let b = [t[o], t[o + 1]];
                if be {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                }
            };
            let u32at = |o: usize| {
                let b = [t[o], t[o + 1], t[o + 2], t[o + 3]];
                if be {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            };
            assert_eq!(u16at(2), 42);
            assert_eq!(u32at(4), 8);
            // Four entries (three + the Exif pointer), sorted by tag.
            assert_eq!(u16at(8), 4);
            let tags: Vec<u16> = (0..4).map(|i| u16at(10 + 12 * i)).collect();
            assert_eq!(tags, vec![0x010F, 0x0110, 0x0112, TAG_EXIF_IFD]);
            // "Make\0" is five bytes: out of line, where its offset says.
            let make_at = u32at(10 + 8) as usize;
            assert_eq!(&t[make_at..make_at + 5], b"Make\0");
            // Orientation inline, left-justified.
            assert_eq!(u16at(10 + 24 + 8), 6);
            // The Exif pointer leads to a one-entry IFD.
            let exif_at = u32at(10 + 36 + 8) as usize;
            assert_eq!(u16at(exif_at), 1);
            assert_eq!(u16at(exif_at + 2), 0x9003);
            let dt_at = u32at(exif_at + 2 + 8) as usize;
            assert_eq!(&t[dt_at..dt_at + 20], b"2024:05:01 10:11:12\0");
            assert_eq!(dt_at % 2, 0, "values start on a word boundary");
        }
    }

    #[test]
    fn splice_keeps_the_rest() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB, 0xFF, 0xD9];
        let seg = app1(b"II*\0");
        assert_eq!(&seg[..4], &[0xFF, 0xE1, 0x00, 12]);
        let kept = splice(&jpeg, &seg, false);
        assert_eq!(kept.len(), jpeg.len() + seg.len());
        assert_eq!(&kept[2..4], &[0xFF, 0xE1]);
        let dropped = splice(&jpeg, &seg, true);
        assert_eq!(&dropped[2 + seg.len()..], &[0xFF, 0xD9]);
    }
}
