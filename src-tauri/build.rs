//! Generates the Tauri context (config, capabilities, icons) at compile time
//! and records the git commit the app is built from (for scan runs and
//! reports: "which tool version found this").

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
    let value = match commit {
        Some(c) if dirty => format!("{c}-dirty"),
        Some(c) => c,
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=SPOOR_GIT_COMMIT={value}");
    // The real paths (a worktree's .git is a file pointing elsewhere).
    for name in ["HEAD", "index"] {
        if let Some(p) = git(&["rev-parse", "--path-format=absolute", "--git-path", name]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    ensure_front_end();
    tauri_build::build();
}

/// `cargo build` and `cargo test` must work without npm: when the Vite
/// build (`ui/dist`, the `frontendDist`) is missing, put a page there that
/// says how to build it. `npm run build` empties the folder and replaces it.
fn ensure_front_end() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    let index = dist.join("index.html");
    if index.exists() {
        return;
    }
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Spoor</title></head>\
<body><h1>Spoor</h1><p>The user interface has not been built. Run <code>npm ci &amp;&amp; npm run build</code> in \
<code>ui/</code> (scripts/test.sh and scripts/demo.sh do), then build the app again.</p></body></html>\n";
    if std::fs::create_dir_all(&dist).and_then(|()| std::fs::write(&index, page)).is_err() {
        println!("cargo:warning=could not write the placeholder {}", index.display());
    }
}
