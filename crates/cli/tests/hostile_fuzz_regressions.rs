//! Every crash the fuzzers found (fuzz/regressions/<target>/<input>),
//! replayed through the `spoor` command an examiner would run on such a
//! file, on the stable toolchain: it must end with an answer (an exit
//! status of 0, 1 or 2 and a message), never a panic (exit 101) or a
//! signal. fuzz/run.sh replays the same inputs into the fuzz targets.

#[macro_use]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

/// The bytes of the case `case_patch` mutates, built with the CLI.
fn template_case(ws: &Workspace) -> Vec<u8> {
    let evidence = ws.path("evidence");
    fs::create_dir_all(&evidence).expect("mkdir");
    fs::write(evidence.join("a.txt"), b"a\n").expect("write");
    fs::write(ws.path("one.md5"), format!("{}  a.txt\n", "0".repeat(32))).expect("write");
    ws.spoor(&args!["hashset", "import", ws.path("one.md5"), "--name", "one", "--kind", "alert"]).ok();
    let case = ws.new_case("template.spoor", &evidence);
    ws.scan_completed(&case, &[]);
    fs::read(&case).expect("read the case")
}

/// Applies a `case_patch` input (see fuzz/fuzz_targets/case_patch.rs).
fn patch(template: &[u8], data: &[u8]) -> Vec<u8> {
    let mut bytes = template.to_vec();
    let mut rest = data;
    if let Some((&flag, tail)) = rest.split_first() {
        rest = tail;
        if flag & 1 == 1 && rest.len() >= 4 {
            let cut = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize % bytes.len();
            bytes.truncate(cut);
            rest = &rest[4..];
        }
    }
    for p in rest.chunks_exact(5) {
        if bytes.is_empty() {
            break;
        }
        let at = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize % bytes.len();
        bytes[at] ^= p[4];
    }
    bytes
}

/// The `--format` a hash-set target's first byte picks.
fn format_of(target: &str, first: u8) -> Option<&'static str> {
    let choices: &[&str] = match target {
        "hashset_sumfile" => &["md5sum", "sha1sum", "sha256sum"],
        "hashset_csv" => &["csv", "hashkeeper", "nsrl-rds2"],
        "hashset_vics" => &["vics", "caid"],
        "hashset_encase" => &["encase"],
        "hashset_tsk_idx" => &["tsk-idx"],
        "hashset_sqlite" => &["nsrl-rds3", "tsk-kdb"],
        _ => return None,
    };
    Some(choices[usize::from(first) % choices.len()])
}

#[test]
fn every_fuzz_crash_is_answered_without_a_panic() {
    let ws = Workspace::new();
    let mut template = None;
    let mut replayed = 0;
    let mut crashed = Vec::new();
    let mut targets: Vec<PathBuf> = fs::read_dir(regressions()).expect("fuzz/regressions").map(|e| e.expect("entry").path()).collect();
    targets.sort();
    for dir in targets.iter().filter(|p| p.is_dir()) {
        let target = dir.file_name().and_then(|n| n.to_str()).expect("a target name").to_string();
        let mut inputs: Vec<PathBuf> = fs::read_dir(dir).expect("list").map(|e| e.expect("entry").path()).collect();
        inputs.sort();
        for input in inputs {
            let data = fs::read(&input).expect("read the input");
            let file = ws.path(&format!("input-{replayed}"));
            let run = match target.as_str() {
                "case_open" => {
                    fs::write(&file, &data).expect("write");
                    ws.spoor(&args!["verify", file])
                }
                "case_patch" => {
                    let template = template.get_or_insert_with(|| template_case(&ws));
                    fs::write(&file, patch(template, &data)).expect("write");
                    ws.spoor(&args!["verify", file])
                }
                "hashset_detect" => {
                    fs::write(&file, &data).expect("write");
                    ws.spoor(&args!["hashset", "import", file, "--name", format!("r{replayed}"), "--kind", "alert"])
                }
                "picture_pdq" => {
                    fs::write(&file, &data).expect("write");
                    ws.spoor(&args!["hash", file, "--json"])
                }
                "video_probe" => {
                    // No command decodes videos yet; the scan will (then
                    // replay through `spoor scan`).
                    println!("{}: no video command yet, replayed by fuzz/run.sh only", input.display());
                    continue;
                }
                other => {
                    let format = format_of(other, data.first().copied().unwrap_or(0))
                        .unwrap_or_else(|| panic!("fuzz/regressions/{other}: no replay for this target; add one here"));
                    fs::write(&file, data.get(1..).unwrap_or_default()).expect("write");
                    ws.spoor(&args!["hashset", "import", file, "--format", format, "--name", format!("r{replayed}"), "--kind", "alert"])
                }
            };
            replayed += 1;
            let verdict = format!("{target}/{}: exit {}", input.file_name().and_then(|n| n.to_str()).unwrap_or("?"), run.code);
            println!("{verdict}: {}", run.stderr.lines().chain(run.stdout.lines()).find(|l| !l.trim().is_empty()).unwrap_or("").trim());
            if !(0..=2).contains(&run.code) || run.stderr.contains("panicked") {
                crashed.push(format!("{verdict}\n{}", run.describe()));
            }
        }
    }
    assert!(replayed > 0, "fuzz/regressions holds no inputs");
    assert!(crashed.is_empty(), "{} input(s) crashed spoor:\n{}", crashed.len(), crashed.join("\n\n"));
}
