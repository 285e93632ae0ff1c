//! Spoor's desktop shell: a thin Tauri v2 layer over the engine crates.
//!
//! The shell owns no forensic logic. Every command in [`commands`] is a few
//! lines that call an engine crate and map its error to the single IPC error
//! type in [`error`], so the front end switches on a stable
//! [`error::ErrorCode`] and never on message text. The TypeScript types of
//! the IPC surface are generated from the Rust types ([`bindings`]).

pub mod bindings;
pub mod commands;
pub mod error;
pub mod ledger;
pub mod recent;

use std::path::PathBuf;
use std::sync::Mutex;

use tauri::Manager;

/// Builds and runs the desktop application until its last window closes.
///
/// The hash-set library is `$SPOOR_LIBRARY` (as for the CLI), else the
/// platform default; the recent-cases list lives in `$SPOOR_APP_DATA`, else
/// the app's data folder.
///
/// # Panics
///
/// Panics if Tauri cannot start (no display, WebKit missing, or a broken
/// generated context). There is nothing useful a desktop binary can do then
/// except report it and exit.
pub fn run() {
    // Warnings (a failed anchor-ledger append among them) on stderr;
    // `SPOOR_LOG` as for the CLI.
    let filter = tracing_subscriber::EnvFilter::try_from_env("SPOOR_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let library_root = std::env::var_os("SPOOR_LIBRARY").map(PathBuf::from).unwrap_or_else(spoor_hashset::Library::default_root);
            let data_dir = match std::env::var_os("SPOOR_APP_DATA") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_data_dir()?,
            };
            app.manage(commands::AppState { library_root, data_dir, scan_cancel: Mutex::new(None) });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::recent_cases,
            commands::create_case,
            commands::open_case,
            commands::case_overview,
            commands::add_evidence,
            commands::library_sets,
            commands::detect_format,
            commands::import_hashset,
            commands::remove_hashset,
            commands::scan,
            commands::cancel_scan,
            commands::hits,
            commands::file_detail,
            commands::thumbnail,
            commands::contact_sheet,
            commands::triage,
            commands::export_victim_id,
            commands::review,
            commands::warnings,
            commands::audit_log,
            commands::verify_case,
            commands::export_report,
            commands::verify_report,
            ledger::ledger_status,
            ledger::dismiss_ledger_failures,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Spoor desktop app");
}
