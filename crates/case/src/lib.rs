//! spoor-case
