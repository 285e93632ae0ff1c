//! Times as the case stores them: UTC, ISO-8601, with `Z`.

use time::OffsetDateTime;

/// Now, to the millisecond: `2026-12-01T04:13:14.123Z`.
pub fn now() -> String {
    let t = OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A file-system time (seconds and nanoseconds since the epoch) at full
/// precision: `2026-12-01T04:13:14Z` or `2026-12-01T04:13:14.000000123Z`.
/// `None` when the time is outside what ISO-8601 years can hold.
pub fn from_unix(secs: i64, nanos: u32) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp(secs).ok()?;
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Some(if nanos == 0 { format!("{base}Z") } else { format!("{base}.{nanos:09}Z") })
}

/// An examiner's date: RFC 3339 with any offset (`2024-05-20T11:00:00+02:00`),
/// or a bare date (`2024-05-20`, read as midnight UTC). Returned in UTC with
/// `Z`, whole seconds unless fractions were given; `None` when it does not parse.
pub fn parse_to_utc(text: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    let t = match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let date = time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
            date.midnight().assume_utc()
        }
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    from_unix(t.unix_timestamp(), t.nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examiner_dates() {
        assert_eq!(parse_to_utc("2024-05-20T11:00:00+02:00").as_deref(), Some("2024-05-20T09:00:00Z"));
        assert_eq!(parse_to_utc(" 2024-05-20T09:00:00Z ").as_deref(), Some("2024-05-20T09:00:00Z"));
        assert_eq!(parse_to_utc("2024-05-20").as_deref(), Some("2024-05-20T00:00:00Z"));
        assert_eq!(parse_to_utc("20 May 2024"), None);
        assert_eq!(parse_to_utc("2024-02-30"), None);
    }

    #[test]
    fn formats() {
        assert_eq!(from_unix(0, 0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(from_unix(1_764_562_394, 5).as_deref(), Some("2025-12-01T04:13:14.000000005Z"));
        let n = now();
        assert!(n.ends_with('Z') && n.len() == 24, "{n}");
    }
}
