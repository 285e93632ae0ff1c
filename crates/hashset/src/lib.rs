//! spoor-hashset
