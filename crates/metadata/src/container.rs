//! Video (and other container) metadata, from the key/value tags a demuxer
//! reports (FFmpeg's `format` and stream metadata dictionaries).

use crate::capture::{CaptureTime, parse_datetime};
use crate::{GpsPosition, MediaMetadata, Origin};

/// Keys read, in order of preference (compared without case).
const MAKE: &[&str] = &[
    "com.apple.quicktime.make",
    "com.android.manufacturer",
    "make",
];
const MODEL: &[&str] = &["com.apple.quicktime.model", "com.android.model", "model"];
/// `encoder` last: it names the muxer of a re-encode (`Lavf60.3.100`), which
/// is what [`crate::camera_original`] must see when nothing better is there.
const SOFTWARE: &[&str] = &["com.apple.quicktime.software", "software", "encoder"];
const CREATION: &[&str] = &["com.apple.quicktime.creationdate", "creation_time", "date"];
const LOCATION: &[&str] = &[
    "com.apple.quicktime.location.iso6709",
    "location",
    "location-eng",
];
const UNIQUE_ID: &[&str] = &["com.apple.quicktime.content.identifier"];

impl MediaMetadata {
    /// Metadata from container tags (`com.apple.quicktime.make`,
    /// `com.android.manufacturer`, `com.apple.quicktime.location.ISO6709`,
    /// `location`, `creation_time`, ...). Keys are compared without case;
    /// `None` when no tag this crate reads is present.
    ///
    /// `com.apple.quicktime.creationdate` (local time with offset) is
    /// preferred to `creation_time` (UTC, which an editor or re-encode may
    /// set to its own time).
    ///
    /// ```
    /// // As `spoor_video::VideoInfo::metadata` holds them.
    /// let mut tags = std::collections::BTreeMap::new();
    /// tags.insert("com.apple.quicktime.make".to_string(), "Apple".to_string());
    /// tags.insert("com.apple.quicktime.model".to_string(), "iPhone 13".to_string());
    /// tags.insert("com.apple.quicktime.location.ISO6709".to_string(), "+52.3702+004.8952+005.000/".to_string());
    /// let meta = spoor_metadata::MediaMetadata::from_container_tags(&tags).expect("tags");
    /// assert_eq!(meta.origin, spoor_metadata::Origin::Container);
    /// assert_eq!(meta.gps.and_then(|g| g.altitude), Some(5.0));
    /// ```
    pub fn from_container_tags<I, K, V>(tags: I) -> Option<MediaMetadata>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let tags: Vec<(String, String)> = tags
            .into_iter()
            .map(|(k, v)| {
                (
                    k.as_ref().to_ascii_lowercase(),
                    v.as_ref().trim().to_string(),
                )
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let get = |keys: &[&str]| -> Option<(String, String)> {
            keys.iter().find_map(|k| {
                tags.iter()
                    .find(|(key, _)| key == k)
                    .map(|(key, v)| (key.clone(), v.clone()))
            })
        };
        let mut notes = Vec::new();
        let capture = get(CREATION).and_then(|(key, v)| match parse_datetime(&v) {
            Ok(p) => Some(CaptureTime::new(p.local, p.offset)),
            Err(why) => {
                notes.push(format!("{key} {why}: no capture time"));
                None
            }
        });
        let gps = get(LOCATION).and_then(|(key, v)| match parse_iso6709(&v) {
            Some(g) if g.latitude == 0.0 && g.longitude == 0.0 => {
                notes.push(format!(
                    "{key} is 0°, 0° (written when there is no fix): no GPS position"
                ));
                None
            }
            Some(g) => Some(g),
            None => {
                notes.push(format!(
                    "{key} {v:?} is not an ISO 6709 position: no GPS position"
                ));
                None
            }
        });
        let meta = MediaMetadata {
            origin: Origin::Container,
            make: get(MAKE).map(|(_, v)| v),
            model: get(MODEL).map(|(_, v)| v),
            serial: None,
            lens_make: None,
            lens_model: None,
            lens_serial: None,
            software: get(SOFTWARE).map(|(_, v)| v),
            capture,
            modified: None,
            gps,
            orientation: None,
            image_unique_id: get(UNIQUE_ID).map(|(_, v)| v),
            notes,
        };
        (!meta.is_empty()).then_some(meta)
    }
}

/// An ISO 6709 point as QuickTime and MP4 store it: `±DD.DDDD±DDD.DDDD`,
/// optionally `±AAA.AAA` altitude, a `CRS…` suffix and a closing `/`. The
/// degree parts may also be `±DDMM.MM` / `±DDDMM.MM` or `±DDMMSS.S` /
/// `±DDDMMSS.S`, told apart by their number of integer digits.
pub fn parse_iso6709(text: &str) -> Option<GpsPosition> {
    let t = text.trim().trim_end_matches('/');
    let t = t.split("CRS").next().unwrap_or(t);
    // Split at each sign.
    let mut parts = Vec::new();
    let mut start = None;
    for (i, c) in t.char_indices() {
        if c == '+' || c == '-' {
            if let Some(s) = start {
                parts.push(&t[s..i]);
            }
            start = Some(i);
        } else if !(c.is_ascii_digit() || c == '.') {
            return None;
        }
    }
    parts.push(&t[start?..]);
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let latitude = degrees(parts[0], 2)?;
    let longitude = degrees(parts[1], 3)?;
    if latitude.abs() > 90.0 || longitude.abs() > 180.0 {
        return None;
    }
    let altitude = match parts.get(2) {
        Some(a) => Some(a.parse::<f64>().ok().filter(|v| v.is_finite())?),
        None => None,
    };
    Some(GpsPosition {
        latitude,
        longitude,
        altitude,
    })
}

/// `±D…[.d]` with `deg_digits` integer digits for degrees, `+2` with
/// minutes, `+4` with seconds.
fn degrees(part: &str, deg_digits: usize) -> Option<f64> {
    let (sign, body) = match part.as_bytes().first()? {
        b'+' => (1.0, &part[1..]),
        b'-' => (-1.0, &part[1..]),
        _ => return None,
    };
    let int_len = body.find('.').unwrap_or(body.len());
    if int_len == 0 || body.matches('.').count() > 1 {
        return None;
    }
    let whole: f64 = body.parse().ok()?;
    let int_part = &body[..int_len];
    let frac: f64 = body[int_len..].parse().unwrap_or(0.0);
    let value = if int_len <= deg_digits {
        whole
    } else if int_len == deg_digits + 2 {
        let d: f64 = int_part[..deg_digits].parse().ok()?;
        let m: f64 = int_part[deg_digits..].parse().ok()?;
        if m >= 60.0 {
            return None;
        }
        d + (m + frac) / 60.0
    } else if int_len == deg_digits + 4 {
        let d: f64 = int_part[..deg_digits].parse().ok()?;
        let m: f64 = int_part[deg_digits..deg_digits + 2].parse().ok()?;
        let s: f64 = int_part[deg_digits + 2..].parse().ok()?;
        if m >= 60.0 || s >= 60.0 {
            return None;
        }
        d + m / 60.0 + (s + frac) / 3600.0
    } else {
        return None;
    };
    Some(sign * value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn iso6709_forms() {
        let p = parse_iso6709("+52.3702+004.8952+005.000/").expect("parses");
        assert!(close(p.latitude, 52.3702) && close(p.longitude, 4.8952));
        assert_eq!(p.altitude, Some(5.0));
        let p = parse_iso6709("-33.8688+151.2093/").expect("parses");
        assert!(close(p.latitude, -33.8688) && close(p.longitude, 151.2093));
        assert_eq!(p.altitude, None);
        // Degrees and minutes; degrees, minutes and seconds.
        let p = parse_iso6709("+5222.212-00053.712/").expect("parses");
        assert!(close(p.latitude, 52.0 + 22.212 / 60.0));
        assert!(close(p.longitude, -(53.712 / 60.0)));
        let p = parse_iso6709("+522213.5+0045342.7-012.5CRSWGS_84/").expect("parses");
        assert!(close(p.latitude, 52.0 + 22.0 / 60.0 + 13.5 / 3600.0));
        assert!(close(p.longitude, 4.0 + 53.0 / 60.0 + 42.7 / 3600.0));
        assert_eq!(p.altitude, Some(-12.5));
        for bad in [
            "",
            "/",
            "+52.37",
            "52.37+4.89",
            "+95.0+004.0/",
            "+52.0+190.0/",
            "+52.x+4.0",
            "+526060+0040000/",
        ] {
            assert_eq!(parse_iso6709(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn apple_and_android_tags() {
        let apple = MediaMetadata::from_container_tags([
            ("com.apple.quicktime.make", "Apple"),
            ("com.apple.quicktime.model", "iPhone 13"),
            ("com.apple.quicktime.software", "17.1"),
            (
                "com.apple.quicktime.creationdate",
                "2024-05-01T10:11:12+0200",
            ),
            (
                "com.apple.quicktime.location.ISO6709",
                "+52.3702+004.8952+005.000/",
            ),
            ("creation_time", "2024-05-01T08:11:13.000000Z"),
        ])
        .expect("tags");
        assert_eq!(apple.origin, Origin::Container);
        assert_eq!(apple.make.as_deref(), Some("Apple"));
        assert_eq!(apple.model.as_deref(), Some("iPhone 13"));
        assert_eq!(apple.software.as_deref(), Some("17.1"));
        let c = apple.capture.as_ref().expect("capture");
        assert_eq!(
            (c.local.as_str(), c.offset.as_deref()),
            ("2024-05-01T10:11:12", Some("+02:00"))
        );
        assert_eq!(apple.gps.as_ref().and_then(|g| g.altitude), Some(5.0));

        let android = MediaMetadata::from_container_tags(vec![
            (
                "COM.ANDROID.MANUFACTURER".to_string(),
                "samsung".to_string(),
            ),
            ("com.android.model".to_string(), "SM-G991B".to_string()),
            ("location".to_string(), "+48.8566+002.3522/".to_string()),
            (
                "creation_time".to_string(),
                "2024-04-30T18:00:00.000000Z".to_string(),
            ),
        ])
        .expect("tags");
        assert_eq!(android.make.as_deref(), Some("samsung"));
        assert_eq!(
            android.capture.and_then(|c| c.utc).as_deref(),
            Some("2024-04-30T18:00:00Z")
        );
        assert!(android.software.is_none());

        let reencoded = MediaMetadata::from_container_tags([
            ("encoder", "Lavf60.3.100"),
            ("major_brand", "isom"),
        ])
        .expect("tags");
        assert_eq!(reencoded.software.as_deref(), Some("Lavf60.3.100"));
        assert!(reencoded.make.is_none());

        assert_eq!(
            MediaMetadata::from_container_tags([("major_brand", "isom"), ("title", "x")]),
            None
        );
        let bad = MediaMetadata::from_container_tags([
            ("location", "+0.0+0.0/"),
            ("creation_time", "0000-00-00T00:00:00Z"),
        ])
        .expect("notes count");
        assert!(bad.gps.is_none() && bad.capture.is_none());
        assert_eq!(bad.notes.len(), 2, "{:?}", bad.notes);
    }
}
