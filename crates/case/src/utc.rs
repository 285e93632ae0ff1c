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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(from_unix(0, 0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(from_unix(1_764_562_394, 5).as_deref(), Some("2025-12-01T04:13:14.000000005Z"));
        let n = now();
        assert!(n.ends_with('Z') && n.len() == 24, "{n}");
    }
}
