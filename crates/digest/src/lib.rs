//! spoor-digest
