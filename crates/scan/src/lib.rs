//! spoor-scan
