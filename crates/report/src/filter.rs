//! What a report includes: the examiner's filters, stated verbatim in the
//! report's header and recorded with the export.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Match methods a filter can name.
pub const METHODS: &[&str] = &["md5", "sha1", "sha256", "pdq", "vpdq"];

/// The filters of a report. Empty lists mean "all".
///
/// - `evidence`: only these evidence items (hits, summary rows, warnings);
/// - `category`: only hits whose hash-set category or examiner's category
///   is one of these raw values (`uncategorised` names a hit with neither);
/// - `method`: only hits found by these match methods;
/// - `reviewed_only`: only hits of files the examiner has reviewed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Filters {
    pub evidence: Vec<String>,
    pub category: Vec<String>,
    pub method: Vec<String>,
    pub reviewed_only: bool,
}

impl Filters {
    /// Checks the values: methods must be known ones, nothing empty.
    pub fn validate(&self) -> Result<()> {
        for m in &self.method {
            if !METHODS.contains(&m.as_str()) {
                return Err(Error::Filter(format!("method {m:?}: use one of {}", METHODS.join(", "))));
            }
        }
        for (what, list) in [("evidence", &self.evidence), ("category", &self.category)] {
            if list.iter().any(|v| v.trim().is_empty()) {
                return Err(Error::Filter(format!("an empty --{what} value")));
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.evidence.is_empty() && self.category.is_empty() && self.method.is_empty() && !self.reviewed_only
    }

    /// The filters as the command line gives them, e.g.
    /// `--evidence ITEM-001 --reviewed-only`; `none` without filters.
    pub fn command_line(&self) -> String {
        let mut parts = Vec::new();
        for (flag, list) in [("--evidence", &self.evidence), ("--category", &self.category), ("--method", &self.method)] {
            for v in list {
                parts.push(format!("{flag} {}", quote(v)));
            }
        }
        if self.reviewed_only {
            parts.push("--reviewed-only".into());
        }
        if parts.is_empty() { "none".into() } else { parts.join(" ") }
    }

    pub(crate) fn wants_evidence(&self, id: &str) -> bool {
        self.evidence.is_empty() || self.evidence.iter().any(|e| e == id)
    }

    pub(crate) fn wants_method(&self, method: &str) -> bool {
        self.method.is_empty() || self.method.iter().any(|m| m == method)
    }

    /// Whether a hit with this hash-set category and examiner's category
    /// passes the category filter.
    pub(crate) fn wants_category(&self, set_category: Option<&str>, review_category: Option<&str>) -> bool {
        if self.category.is_empty() {
            return true;
        }
        self.category.iter().any(|c| {
            let c = c.trim();
            if c.eq_ignore_ascii_case("uncategorised") || c.eq_ignore_ascii_case("uncategorized") {
                set_category.is_none() && review_category.is_none()
            } else {
                set_category.map(str::trim) == Some(c) || review_category.map(str::trim) == Some(c)
            }
        })
    }
}

/// A value as a shell would need it: bare when it is plain, else in single
/// quotes.
fn quote(v: &str) -> String {
    let plain = !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:/@+".contains(&b));
    if plain { v.to_string() } else { format!("'{}'", v.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_form_is_verbatim_and_quoted() {
        assert_eq!(Filters::default().command_line(), "none");
        let f = Filters {
            evidence: vec!["ITEM-001".into(), "USB stick".into()],
            category: vec!["1".into()],
            method: vec!["md5".into()],
            reviewed_only: true,
        };
        assert_eq!(f.command_line(), "--evidence ITEM-001 --evidence 'USB stick' --category 1 --method md5 --reviewed-only");
        let odd = Filters { evidence: vec!["it's".into()], ..Filters::default() };
        assert_eq!(odd.command_line(), r"--evidence 'it'\''s'");
    }

    #[test]
    fn unknown_methods_and_empty_values_are_refused() {
        assert!(Filters { method: vec!["crc32".into()], ..Filters::default() }.validate().is_err());
        assert!(Filters { evidence: vec![" ".into()], ..Filters::default() }.validate().is_err());
        assert!(Filters { method: vec!["pdq".into()], ..Filters::default() }.validate().is_ok());
    }

    #[test]
    fn the_category_filter_matches_set_or_review_and_uncategorised() {
        let f = Filters { category: vec!["1".into()], ..Filters::default() };
        assert!(f.wants_category(Some("1"), None));
        assert!(f.wants_category(Some("0"), Some("1")));
        assert!(!f.wants_category(Some("0"), None));
        assert!(!f.wants_category(None, None));
        let u = Filters { category: vec!["uncategorised".into()], ..Filters::default() };
        assert!(u.wants_category(None, None));
        assert!(!u.wants_category(Some("0"), None), "category 0 is a value, not uncategorised");
    }
}
