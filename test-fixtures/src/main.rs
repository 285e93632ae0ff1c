//! `spoor-fixtures OUT [--no-large] [--camera]`: writes the benign fixture
//! tree, the hash lists and `OUT/manifest.json`, then prints a one-line
//! summary. `--camera` adds the camera pictures for triage
//! ([`spoor_fixtures::Extras::camera`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use spoor_fixtures::{Extras, FixtureOptions, generate_with};

const USAGE: &str = "usage: spoor-fixtures OUT [--no-large] [--camera]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("spoor-fixtures: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut out: Option<PathBuf> = None;
    let mut opts = FixtureOptions::default();
    let mut extras = Extras::default();
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--no-large") => opts.large = false,
            Some("--camera") => extras.camera = true,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return Ok(());
            }
            Some(flag) if flag.starts_with('-') => bail!("unknown option {flag}\n{USAGE}"),
            _ if out.is_none() => out = Some(PathBuf::from(arg)),
            _ => bail!("more than one output folder\n{USAGE}"),
        }
    }
    let Some(out) = out else { bail!("{USAGE}") };

    let started = Instant::now();
    let manifest =
        generate_with(&out, &opts, &extras).with_context(|| format!("generating into {}", out.display()))?;
    let manifest_path = out.join("manifest.json");
    manifest
        .write(&manifest_path)
        .with_context(|| format!("writing {}", manifest_path.display()))?;

    let bytes: u64 = manifest.files.iter().map(|f| f.size).sum();
    let pictures = manifest.files.iter().filter(|f| f.format.is_some()).count();
    println!(
        "spoor-fixtures: {} files ({pictures} pictures, {:.1} MB), {} specials, {} hash lists in {} ({:.2} s)",
        manifest.files.len(),
        bytes as f64 / 1e6,
        manifest.specials.len(),
        manifest.hashsets.len(),
        out.display(),
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}
