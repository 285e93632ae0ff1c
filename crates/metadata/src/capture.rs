//! Capture times: the camera clock's reading, its offset from UTC when the
//! camera recorded one, and the instant in UTC when both are known.

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// When a picture or video was taken.
///
/// EXIF stores the camera's local clock (`DateTimeOriginal`) and, since
/// EXIF 2.31, its offset from UTC (`OffsetTimeOriginal`); many cameras
/// write no offset. Containers store either (QuickTime's
/// `com.apple.quicktime.creationdate` has both, `creation_time` is UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureTime {
    /// The clock's reading, `YYYY-MM-DDTHH:MM:SS`, no zone.
    pub local: String,
    /// Its offset from UTC, `+HH:MM`, when recorded.
    pub offset: Option<String>,
    /// The instant in UTC, `YYYY-MM-DDTHH:MM:SSZ`, when the offset is known.
    pub utc: Option<String>,
}

impl CaptureTime {
    pub(crate) fn new(local: PrimitiveDateTime, offset: Option<UtcOffset>) -> CaptureTime {
        let utc = offset.map(|o| {
            let instant = local.assume_offset(o).to_offset(UtcOffset::UTC);
            format!(
                "{}Z",
                fmt_local(PrimitiveDateTime::new(instant.date(), instant.time()))
            )
        });
        CaptureTime {
            local: fmt_local(local),
            offset: offset.map(fmt_offset),
            utc,
        }
    }

    /// Seconds since the Unix epoch: of [`CaptureTime::utc`] when the
    /// offset is known, else of the local reading taken as UTC (then off by
    /// the unknown zone, at most 14 hours: fine for "taken within N days",
    /// not for ordering pictures minutes apart). `None` when the fields do
    /// not parse (a hand-edited value).
    pub fn unix_seconds(&self) -> Option<i64> {
        let parsed = parse_datetime(&self.local).ok()?;
        let offset = match &self.offset {
            Some(o) => parse_offset(o)?,
            None => UtcOffset::UTC,
        };
        Some(parsed.local.assume_offset(offset).unix_timestamp())
    }
}

/// A date-time as written, split into the clock reading and an optional zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) local: PrimitiveDateTime,
    pub(crate) offset: Option<UtcOffset>,
}

/// Why a date-time text was refused, in plain words.
pub(crate) type Refusal = String;

/// Reads `YYYY:MM:DD HH:MM:SS` (EXIF) and the ISO-8601 forms containers use
/// (`YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM|±HH]`). Trailing NULs and
/// spaces are ignored; a fraction of a second is dropped.
pub(crate) fn parse_datetime(text: &str) -> Result<Parsed, Refusal> {
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let b = t.as_bytes();
    if b.is_empty()
        || t.bytes()
            .all(|c| matches!(c, b' ' | b':' | b'-' | b'0' | b'T'))
    {
        return Err(format!(
            "{t:?} is blank or all zeros (the camera clock was not set)"
        ));
    }
    if b.len() < 19 {
        return Err(format!("{t:?} is too short for a date and time"));
    }
    let seps_ok = matches!(b[4], b':' | b'-')
        && b[7] == b[4]
        && matches!(b[10], b' ' | b'T')
        && b[13] == b':'
        && b[16] == b':';
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = t.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s), true) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
        seps_ok,
    ) else {
        return Err(format!("{t:?} is not a date and time"));
    };
    let date = Month::try_from(mo as u8)
        .ok()
        .and_then(|m| Date::from_calendar_date(y as i32, m, d as u8).ok());
    // EXIF allows second 60 (a leap second); clamp it rather than refuse.
    let clock = Time::from_hms(h as u8, mi as u8, (s as u8).min(59)).ok();
    let (Some(date), Some(clock)) = (date, clock) else {
        return Err(format!("{t:?} is not a valid date and time"));
    };
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let rest = rest.trim();
    let offset = if rest.is_empty() {
        None
    } else {
        Some(
            parse_offset(rest)
                .ok_or_else(|| format!("{t:?} has an unreadable time zone {rest:?}"))?,
        )
    };
    Ok(Parsed {
        local: PrimitiveDateTime::new(date, clock),
        offset,
    })
}

/// Reads `Z`, `±HH:MM`, `±HHMM` or `±HH` (at most 14 hours either way).
pub(crate) fn parse_offset(text: &str) -> Option<UtcOffset> {
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if t == "Z" || t == "z" {
        return Some(UtcOffset::UTC);
    }
    let (sign, digits) = match t.as_bytes().first()? {
        b'+' => (1i32, &t[1..]),
        b'-' => (-1i32, &t[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = match digits.len() {
        2 => (digits.parse().ok()?, 0),
        4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    if h > 14 || m > 59 || (h == 14 && m > 0) {
        return None;
    }
    UtcOffset::from_whole_seconds(sign * (h * 3600 + m * 60)).ok()
}

fn fmt_local(dt: PrimitiveDateTime) -> String {
    dt.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap_or_else(|_| dt.to_string())
}

fn fmt_offset(o: UtcOffset) -> String {
    o.format(format_description!(
        "[offset_hour sign:mandatory]:[offset_minute]"
    ))
    .unwrap_or_else(|_| o.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ct(text: &str, offset: Option<&str>) -> CaptureTime {
        let p = parse_datetime(text).expect("parses");
        CaptureTime::new(
            p.local,
            offset
                .map(|o| parse_offset(o).expect("offset"))
                .or(p.offset),
        )
    }

    #[test]
    fn exif_form_with_and_without_offset() {
        let c = ct("2024:05:01 10:11:12", Some("+02:00"));
        assert_eq!(c.local, "2024-05-01T10:11:12");
        assert_eq!(c.offset.as_deref(), Some("+02:00"));
        assert_eq!(c.utc.as_deref(), Some("2024-05-01T08:11:12Z"));
        assert_eq!(c.unix_seconds(), Some(1_714_551_072));
        let c = ct("2024:05:01 10:11:12\0", None);
        assert_eq!(c.utc, None);
        // Taken as UTC when no offset is known.
        assert_eq!(c.unix_seconds(), Some(1_714_551_072 + 7200));
        // Crossing midnight backwards.
        let c = ct("2019:01:01 00:30:00", Some("+05:30"));
        assert_eq!(c.utc.as_deref(), Some("2018-12-31T19:00:00Z"));
    }

    #[test]
    fn container_forms() {
        let c = ct("2024-05-01T10:11:12+0200", None);
        assert_eq!(c.utc.as_deref(), Some("2024-05-01T08:11:12Z"));
        assert_eq!(c.offset.as_deref(), Some("+02:00"));
        let c = ct("2024-05-01T08:11:12.000000Z", None);
        assert_eq!(c.utc.as_deref(), Some("2024-05-01T08:11:12Z"));
        assert_eq!(c.offset.as_deref(), Some("+00:00"));
        let c = ct("2024-05-01 08:11:12-05", None);
        assert_eq!(c.utc.as_deref(), Some("2024-05-01T13:11:12Z"));
    }

    #[test]
    fn refusals_say_why() {
        for (text, why) in [
            ("0000:00:00 00:00:00", "all zeros"),
            ("    :  :     :  :  ", "blank"),
            ("", "blank"),
            ("2024:13:01 10:11:12", "not a valid"),
            ("2024:02:30 10:11:12", "not a valid"),
            ("2024:05:01 25:11:12", "not a valid"),
            ("2024/05/01 10:11:12", "not a date"),
            ("2024:05-01 10:11:12", "not a date"),
            ("2024:05:01", "too short"),
            ("2024-05-01T10:11:12 CEST", "time zone"),
        ] {
            let err = parse_datetime(text).expect_err(text);
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+02:00"), UtcOffset::from_hms(2, 0, 0).ok());
        assert_eq!(parse_offset("-09:30"), UtcOffset::from_hms(-9, -30, 0).ok());
        assert_eq!(parse_offset("+14:00"), UtcOffset::from_hms(14, 0, 0).ok());
        for bad in [
            "+15:00", "+14:30", "02:00", "+2", "+02:60", "   :  ", "+ab:cd",
        ] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
