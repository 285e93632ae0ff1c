//! spoor-evidence
