//! Spoor's desktop shell: a thin Tauri v2 layer over the engine crates.
//!
//! The shell owns no forensic logic. Every command in [`commands`] is a few
//! lines that call an engine crate and map its error to the single IPC error
//! type in [`error`], so the front end switches on a stable
//! [`error::ErrorCode`] and never on message text.

pub mod commands;
pub mod error;

/// Builds and runs the desktop application until its last window closes.
///
/// # Panics
///
/// Panics if Tauri cannot start (no display, WebKit missing, or a broken
/// generated context). There is nothing useful a desktop binary can do then
/// except report it and exit.
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::app_info, commands::case_summary])
        .run(tauri::generate_context!())
        .expect("error while running the Spoor desktop app");
}
