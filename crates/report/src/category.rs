//! Category names: a category is stored raw with its set's profile; the
//! report shows both, and the name only where the profile defines it.

/// Project VIC (VICS) US categories.
pub const VICS_US: [(&str, &str); 5] = [
    ("0", "non-pertinent"),
    ("1", "child abuse material (CAM)"),
    ("2", "child exploitive (non-CAM) / age difficult"),
    ("3", "CGI / animation"),
    ("4", "comparison images"),
];

/// UK CAID grades written as letters. Their numeric codes are a setting of
/// the import, so numbers are named only from the matched record (the
/// name the importer gave under the mapping in force).
pub const CAID_LETTERS: [(&str, &str); 4] =
    [("A", "Category A"), ("B", "Category B"), ("C", "Category C"), ("NON-INDECENT", "non-indecent")];

/// Which scheme a profile string names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    VicsUs,
    Caid,
    Other,
}

/// The scheme of a set or review profile (`US`, `Default`, `vics-us`;
/// `UK`, `caid`, `vics-uk`; anything else is a custom scheme).
pub fn scheme(profile: Option<&str>) -> Scheme {
    match profile.map(|p| p.trim().to_ascii_lowercase()).as_deref() {
        Some("us" | "default" | "vics-us" | "vics" | "vics us") => Scheme::VicsUs,
        Some("uk" | "caid" | "vics-uk" | "vics uk") => Scheme::Caid,
        _ => Scheme::Other,
    }
}

/// The display name of a raw category under a profile, if the profile
/// defines one.
pub fn name(profile: Option<&str>, raw: &str) -> Option<&'static str> {
    let raw = raw.trim();
    match scheme(profile) {
        Scheme::VicsUs => VICS_US.iter().find(|(r, _)| *r == raw).map(|(_, n)| *n),
        Scheme::Caid => {
            let up = raw.to_ascii_uppercase();
            let up = up.strip_prefix("CATEGORY ").unwrap_or(&up);
            CAID_LETTERS.iter().find(|(r, _)| *r == up).map(|(_, n)| *n)
        }
        Scheme::Other => None,
    }
}

/// A human label for a profile.
pub fn profile_label(profile: Option<&str>) -> String {
    match (scheme(profile), profile) {
        (Scheme::VicsUs, Some(p)) => format!("VICS US ({p})"),
        (Scheme::Caid, Some(p)) => format!("UK CAID ({p})"),
        (_, Some(p)) if !p.trim().is_empty() => format!("custom ({p})"),
        _ => "none recorded".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_profile() {
        assert_eq!(name(Some("US"), "0"), Some("non-pertinent"));
        assert_eq!(name(Some("vics-us"), "1"), Some("child abuse material (CAM)"));
        assert_eq!(name(Some("Default"), "4"), Some("comparison images"));
        assert_eq!(name(Some("caid"), "a"), Some("Category A"));
        assert_eq!(name(Some("UK"), "Category C"), Some("Category C"));
        assert_eq!(name(Some("UK"), "non-indecent"), Some("non-indecent"));
        // CAID numbers depend on the import's mapping: not guessed here.
        assert_eq!(name(Some("UK"), "1"), None);
        assert_eq!(name(None, "1"), None, "no profile, no name");
        assert_eq!(name(Some("CUSTOM"), "1"), None);
        assert_eq!(name(Some("US"), "9"), None);
    }
}
