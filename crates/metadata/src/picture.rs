//! EXIF of pictures, through `kamadak-exif`, guarded: a panic in the reader
//! becomes an error, a damaged field becomes a note, and only maker-note-free
//! standard fields are read.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use exif::{Context, Exif, Field, In, Reader, Tag, Value};

use crate::capture::{CaptureTime, parse_datetime, parse_offset};
use crate::{Error, GpsPosition, MediaMetadata, Origin, Result};

/// `CameraSerialNumber` (DNG, in IFD0): kamadak-exif has no name for it.
const CAMERA_SERIAL_NUMBER: Tag = Tag(Context::Tiff, 0xC62F);

/// Reads the EXIF of a picture (JPEG, TIFF and TIFF-based raw, PNG `eXIf`,
/// WebP, HEIF/HEIC/AVIF).
///
/// * `Ok(None)`: no EXIF (or a format that cannot carry it: BMP, GIF).
/// * `Err(Error::Damaged)`: EXIF is there but its structure is broken
///   (a truncated or looping IFD, a JPEG broken before its EXIF segment).
/// * `Ok(Some(m))` with [`MediaMetadata::notes`]: readable, but some part was
///   not (a damaged sub-IFD, a field of the wrong type, a blank date).
///
/// Never panics: the reader runs under `catch_unwind`.
pub fn from_bytes(bytes: &[u8]) -> Result<Option<MediaMetadata>> {
    let read = catch_unwind(AssertUnwindSafe(|| {
        let mut reader = Reader::new();
        reader.continue_on_error(true);
        reader.read_from_container(&mut Cursor::new(bytes))
    }));
    let result = match read {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            return Err(Error::Panicked(message));
        }
    };
    let mut notes = Vec::new();
    let exif = match result {
        Ok(exif) => exif,
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, errors) = partial.into_inner();
            // Nothing at all could be read: the block is damaged, not
            // partly readable.
            if exif.fields().len() == 0 {
                let why = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(Error::Damaged(why));
            }
            notes.extend(
                errors
                    .iter()
                    .map(|e| format!("part of the EXIF could not be read: {e}")),
            );
            exif
        }
        Err(exif::Error::NotFound(_)) => return Ok(None),
        // Not a container kamadak-exif knows (BMP, GIF, text): no EXIF.
        Err(exif::Error::InvalidFormat("Unknown image format")) => return Ok(None),
        Err(e) => return Err(Error::Damaged(e.to_string())),
    };
    // Anything left to go wrong is ours: keep it under the same guard.
    let meta = catch_unwind(AssertUnwindSafe(|| fields(&exif, notes)))
        .map_err(|_| Error::Panicked("while reading EXIF fields".into()))?;
    // A plain TIFF has an IFD0 of geometry tags only: no metadata to speak of.
    Ok((!meta.is_empty()).then_some(meta))
}

fn fields(exif: &Exif, mut notes: Vec<String>) -> MediaMetadata {
    let mut text = |tag: Tag| -> Option<String> {
        let field = exif.get_field(tag, In::PRIMARY)?;
        match ascii(field) {
            Ok(v) => v,
            Err(why) => {
                notes.push(why);
                None
            }
        }
    };
    let make = text(Tag::Make);
    let model = text(Tag::Model);
    let serial = text(Tag::BodySerialNumber).or_else(|| text(CAMERA_SERIAL_NUMBER));
    let lens_make = text(Tag::LensMake);
    let lens_model = text(Tag::LensModel);
    let lens_serial = text(Tag::LensSerialNumber);
    let software = text(Tag::Software);
    let image_unique_id = text(Tag::ImageUniqueID);
    let original = text(Tag::DateTimeOriginal);
    let offset_original = text(Tag::OffsetTimeOriginal);
    let modified = text(Tag::DateTime);

    let capture = original.and_then(|t| match parse_datetime(&t) {
        Ok(p) => {
            let offset = match offset_original.as_deref() {
                Some(o) => match parse_offset(o) {
                    Some(o) => Some(o),
                    None => {
                        notes.push(format!(
                            "OffsetTimeOriginal {o:?} is not an offset from UTC: ignored"
                        ));
                        None
                    }
                },
                None => p.offset,
            };
            Some(CaptureTime::new(p.local, offset))
        }
        Err(why) => {
            notes.push(format!("DateTimeOriginal {why}: no capture time"));
            None
        }
    });
    let modified = modified.and_then(|t| match parse_datetime(&t) {
        Ok(p) => Some(CaptureTime::new(p.local, None).local),
        Err(why) => {
            notes.push(format!("DateTime {why}"));
            None
        }
    });

    let orientation =
        exif.get_field(Tag::Orientation, In::PRIMARY)
            .and_then(|f| match f.value.get_uint(0) {
                Some(v @ 1..=8) => Some(v as u16),
                other => {
                    notes.push(format!("Orientation {other:?} is not 1 to 8: ignored"));
                    None
                }
            });
    let gps = gps(exif, &mut notes);

    MediaMetadata {
        origin: Origin::Exif,
        make,
        model,
        serial,
        lens_make,
        lens_model,
        lens_serial,
        software,
        capture,
        modified,
        gps,
        orientation,
        image_unique_id,
        notes,
    }
}

/// An ASCII field as trimmed text (`Ok(None)` when blank). Cameras pad
/// with NULs and spaces; a few write UTF-8, which is kept.
fn ascii(field: &Field) -> std::result::Result<Option<String>, String> {
    let Value::Ascii(values) = &field.value else {
        // Some writers use UNDEFINED or BYTE for text.
        if let Value::Undefined(bytes, _) | Value::Byte(bytes) = &field.value {
            return Ok(clean(bytes));
        }
        return Err(format!("{} is not text: ignored", field.tag));
    };
    Ok(values.iter().find_map(|v| clean(v)))
}

fn clean(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let s = String::from_utf8_lossy(&bytes[..end]);
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// GPS position in decimal degrees. Refused (with a note) when a reference
/// is missing or unknown, a denominator is zero, or the value is out of
/// range. 0°, 0° is refused too: phones write it when they have no fix.
fn gps(exif: &Exif, notes: &mut Vec<String>) -> Option<GpsPosition> {
    let lat = exif.get_field(Tag::GPSLatitude, In::PRIMARY);
    let lon = exif.get_field(Tag::GPSLongitude, In::PRIMARY);
    if lat.is_none() && lon.is_none() {
        return None;
    }
    let reference = |tag: Tag| -> Option<u8> {
        let f = exif.get_field(tag, In::PRIMARY)?;
        match &f.value {
            Value::Ascii(v) => v
                .first()
                .and_then(|s| s.first())
                .map(u8::to_ascii_uppercase),
            _ => None,
        }
    };
    let coordinate = |f: Option<&Field>, r: Option<u8>, pos: u8, neg: u8, max: f64, name: &str| {
        let f = f.ok_or_else(|| format!("GPS {name} is missing"))?;
        let Value::Rational(parts) = &f.value else {
            return Err(format!("GPS {name} is not degrees, minutes, seconds"));
        };
        if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.denom == 0) {
            return Err(format!(
                "GPS {name} has a zero denominator or a wrong count"
            ));
        }
        let mut value = 0.0;
        for (p, scale) in parts.iter().zip([1.0, 60.0, 3600.0]) {
            value += p.to_f64() / scale;
        }
        let sign = match r {
            Some(c) if c == pos => 1.0,
            Some(c) if c == neg => -1.0,
            _ => return Err(format!("GPS {name} reference is missing or unknown")),
        };
        if value > max {
            return Err(format!("GPS {name} {value} is out of range"));
        }
        Ok(sign * value)
    };
    let latitude = coordinate(
        lat,
        reference(Tag::GPSLatitudeRef),
        b'N',
        b'S',
        90.0,
        "latitude",
    );
    let longitude = coordinate(
        lon,
        reference(Tag::GPSLongitudeRef),
        b'E',
        b'W',
        180.0,
        "longitude",
    );
    let (latitude, longitude) = match (latitude, longitude) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(why), _) | (_, Err(why)) => {
            notes.push(format!("{why}: no GPS position"));
            return None;
        }
    };
    if latitude == 0.0 && longitude == 0.0 {
        notes.push("GPS position is 0°, 0° (written when there is no fix): no GPS position".into());
        return None;
    }
    let altitude = exif
        .get_field(Tag::GPSAltitude, In::PRIMARY)
        .and_then(|f| match &f.value {
            Value::Rational(v) if v.first().is_some_and(|r| r.denom != 0) => {
                let below = exif
                    .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                    .and_then(|r| r.value.get_uint(0))
                    == Some(1);
                let a = v[0].to_f64();
                Some(if below { -a } else { a })
            }
            _ => {
                notes.push("GPS altitude is not a number: ignored".into());
                None
            }
        });
    Some(GpsPosition {
        latitude,
        longitude,
        altitude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF: IFD0 entries `(tag, type, count, inline or
    /// out-of-line value bytes)`, optional GPS IFD entries likewise.
    fn tiff(ifd0: &[(u16, u16, u32, Vec<u8>)], gps: &[(u16, u16, u32, Vec<u8>)]) -> Vec<u8> {
        fn ifd(out: &mut Vec<u8>, entries: &[(u16, u16, u32, Vec<u8>)], extra: Option<(u16, u32)>) {
            let start = out.len();
            let n = entries.len() + usize::from(extra.is_some());
            let mut data_at = (start + 2 + 12 * n + 4) as u32;
            let mut data = Vec::new();
            out.extend_from_slice(&(n as u16).to_le_bytes());
            let mut all: Vec<(u16, u16, u32, Vec<u8>)> = entries.to_vec();
            if let Some((tag, at)) = extra {
                all.push((tag, 4, 1, at.to_le_bytes().to_vec()));
            }
            all.sort_by_key(|e| e.0);
            for (tag, typ, count, bytes) in all {
                out.extend_from_slice(&tag.to_le_bytes());
                out.extend_from_slice(&typ.to_le_bytes());
                out.extend_from_slice(&count.to_le_bytes());
                if bytes.len() <= 4 {
                    let mut b = bytes.clone();
                    b.resize(4, 0);
                    out.extend_from_slice(&b);
                } else {
                    out.extend_from_slice(&data_at.to_le_bytes());
                    data_at += bytes.len() as u32;
                    data.extend_from_slice(&bytes);
                }
            }
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&data);
        }
        let mut out = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        let gps_at = if gps.is_empty() {
            None
        } else {
            // IFD0 size: count + entries (+ pointer) + next + data.
            let data: usize = ifd0
                .iter()
                .map(|e| if e.3.len() > 4 { e.3.len() } else { 0 })
                .sum();
            Some((0x8825, (8 + 2 + 12 * (ifd0.len() + 1) + 4 + data) as u32))
        };
        ifd(&mut out, ifd0, gps_at);
        if !gps.is_empty() {
            ifd(&mut out, gps, None);
        }
        out
    }

    fn ascii(s: &str) -> Vec<u8> {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        b
    }

    fn rational(parts: &[(u32, u32)]) -> Vec<u8> {
        parts
            .iter()
            .flat_map(|(n, d)| [n.to_le_bytes(), d.to_le_bytes()].concat())
            .collect()
    }

    #[test]
    fn bad_fields_become_notes_not_errors() -> Result<()> {
        let t = tiff(
            &[
                (0x010F, 2, 6, ascii("Maker")),
                (0x0110, 2, 8, ascii("Model 1")),
                // Orientation 9: out of range.
                (0x0112, 3, 1, 9u16.to_le_bytes().to_vec()),
                // Software as a LONG: not text.
                (0x0131, 4, 1, 7u32.to_le_bytes().to_vec()),
            ],
            &[
                (0x0001, 2, 2, ascii("N")),
                // A zero denominator.
                (0x0002, 5, 3, rational(&[(52, 1), (0, 0), (0, 1)])),
                (0x0003, 2, 2, ascii("E")),
                (0x0004, 5, 3, rational(&[(4, 1), (53, 1), (0, 1)])),
            ],
        );
        let m = from_bytes(&t)?.expect("metadata");
        assert_eq!(m.make.as_deref(), Some("Maker"));
        assert_eq!(m.model.as_deref(), Some("Model 1"));
        assert_eq!(m.orientation, None);
        assert_eq!(m.software, None);
        assert_eq!(m.gps, None);
        assert_eq!(m.notes.len(), 3, "{:?}", m.notes);
        assert!(m.notes.iter().any(|n| n.contains("zero denominator")));
        Ok(())
    }

    #[test]
    fn gps_signs_and_null_island() -> Result<()> {
        let gps = |lat_ref: &str, lon_ref: &str, lat: u32, lon: u32| {
            vec![
                (0x0001, 2, 2, ascii(lat_ref)),
                (0x0002, 5, 3, rational(&[(lat, 1), (30, 1), (0, 1)])),
                (0x0003, 2, 2, ascii(lon_ref)),
                (0x0004, 5, 3, rational(&[(lon, 1), (15, 1), (3600, 100)])),
                (0x0005, 1, 1, vec![1]),
                (0x0006, 5, 1, rational(&[(125, 10)])),
            ]
        };
        let make = [(0x010F, 2, 2, ascii("X"))];
        let m = from_bytes(&tiff(&make, &gps("S", "W", 10, 20)))?.expect("metadata");
        let g = m.gps.expect("gps");
        assert!((g.latitude + 10.5).abs() < 1e-12);
        assert!((g.longitude + (20.0 + 15.0 / 60.0 + 36.0 / 3600.0)).abs() < 1e-12);
        assert_eq!(g.altitude, Some(-12.5));
        let m = from_bytes(&tiff(&make, &gps("N", "E", 10, 20)))?.expect("metadata");
        assert!(m.gps.is_some_and(|g| g.latitude > 0.0 && g.longitude > 0.0));
        // A missing reference: no position rather than a guessed hemisphere.
        let m = from_bytes(&tiff(&make, &gps("", "E", 10, 20)))?.expect("metadata");
        assert_eq!(m.gps, None);
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        // 0 degrees, 0 minutes... at 0, 0: no fix.
        let zero = vec![
            (0x0001, 2, 2, ascii("N")),
            (0x0002, 5, 3, rational(&[(0, 1), (0, 1), (0, 1)])),
            (0x0003, 2, 2, ascii("E")),
            (0x0004, 5, 3, rational(&[(0, 1), (0, 1), (0, 1)])),
        ];
        let m = from_bytes(&tiff(&make, &zero))?.expect("metadata");
        assert_eq!(m.gps, None);
        assert!(m.notes[0].contains("no fix"));
        Ok(())
    }

    #[test]
    fn no_exif_damaged_exif_and_plain_tiff() {
        // Not a container: no metadata.
        assert_eq!(from_bytes(b"GIF89a...."), Ok(None));
        assert_eq!(from_bytes(b""), Ok(None));
        // A plain TIFF with geometry only: nothing to record.
        let plain = tiff(&[(0x0100, 3, 1, 16u16.to_le_bytes().to_vec())], &[]);
        assert_eq!(from_bytes(&plain), Ok(None));
        // IFD0 past the end.
        let broken = b"II\x2a\x00\xff\x00\x00\x00".to_vec();
        assert!(matches!(from_bytes(&broken), Err(Error::Damaged(_))));
        // A JPEG cut inside its EXIF segment.
        let cut = b"\xff\xd8\xff\xe1\x01\x00Exif\0\0II*\0".to_vec();
        let err = from_bytes(&cut).expect_err("broken");
        assert_eq!(err.code(), "exif_damaged");
    }
}
