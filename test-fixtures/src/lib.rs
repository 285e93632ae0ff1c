//! spoor-fixtures
