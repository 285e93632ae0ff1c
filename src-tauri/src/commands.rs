//! Tauri commands: the whole IPC surface of the desktop app.
//!
//! Each command stays a few lines long and delegates to an engine crate; the
//! engine commands (open case, scan, ...) join [`app_info`] here.

use serde::Serialize;

use crate::error::Result;

/// The engine crates the desktop shell is built on, shown in the About text.
pub const ENGINE_CRATES: &[&str] = &[
    "spoor-evidence",
    "spoor-digest",
    "spoor-hashset",
    "spoor-case",
    "spoor-scan",
];

/// What the start screen shows about this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// Product name.
    pub name: &'static str,
    /// Version of this build, from the workspace version.
    pub version: &'static str,
    /// Engine crates the shell calls into.
    pub engine_crates: &'static [&'static str],
}

/// Name and version of this build.
#[tauri::command]
pub fn app_info() -> Result<AppInfo> {
    Ok(AppInfo {
        name: "Spoor",
        version: env!("CARGO_PKG_VERSION"),
        engine_crates: ENGINE_CRATES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_reports_the_package_version() {
        let info = app_info().expect("app_info never fails");
        assert_eq!(info.name, "Spoor");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(info.engine_crates.contains(&"spoor-scan"));
    }

    #[test]
    fn app_info_serialises_with_snake_case_fields() {
        let json = serde_json::to_value(app_info().expect("app_info")).expect("serialise");
        assert_eq!(json["name"], "Spoor");
        assert!(json["engine_crates"].is_array());
    }
}
