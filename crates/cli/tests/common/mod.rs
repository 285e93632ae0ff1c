//! The harness shared by the `spoor` CLI integration tests.
//!
//! Every test gets a [`Workspace`]: a fresh temporary folder holding its own
//! hash-set library (`SPOOR_LIBRARY` points there), its fixtures and its case
//! files. The binary under test is the one Cargo built for this package
//! (`CARGO_BIN_EXE_spoor`), run as a child process like an examiner would.
// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};
pub use spoor_fixtures::{FixtureOptions, FixtureSet, Manifest};
use tempfile::TempDir;

/// The binary under test.
pub const SPOOR: &str = env!("CARGO_BIN_EXE_spoor");

/// Builds a `Vec<OsString>` from mixed `&str`, `String`, `Path` and
/// `PathBuf` arguments: `args!["scan", case, "--json"]`.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        ::std::vec::Vec::<::std::ffi::OsString>::from([$(::std::ffi::OsString::from(::std::convert::AsRef::<::std::ffi::OsStr>::as_ref(&$arg))),*])
    };
}

/// What one run of `spoor` gave.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<OsString>,
    /// The exit status; 128 + N when killed by signal N.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit status, showing the whole run when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit status\n{}", self.describe());
        self
    }

    /// Asserts exit status 0.
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.expect_code(0)
    }

    /// Standard output parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e})\n{}", self.describe()))
    }

    /// The command line, status and both streams, for failure messages.
    pub fn describe(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        format!(
            "$ spoor {}\nexit status {}\n--- stdout\n{}--- stderr\n{}---",
            args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

/// An exit status as a shell shows it: the code, or 128 + the signal.
pub fn exit_code(status: ExitStatus) -> i32 {
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// A hash list of the fixtures and how the tests import it.
#[derive(Debug, Clone, Copy)]
pub struct ListImport {
    /// File name under the fixture's `hashsets/`.
    pub file: &'static str,
    pub name: &'static str,
    pub version: Option<&'static str>,
    pub kind: &'static str,
}

/// Every fixture list the standard case uses (not `bad-lines.md5`, which
/// cannot be imported).
pub const LISTS: &[ListImport] = &[
    ListImport { file: "known.md5", name: "Unit list 2026-11", version: Some("2026-11"), kind: "alert" },
    ListImport { file: "known.sha256", name: "Unit list SHA-256", version: None, kind: "alert" },
    ListImport { file: "alert.csv", name: "Alert CSV", version: Some("1"), kind: "alert" },
    ListImport { file: "nsrl-sample.sha1", name: "Known good", version: None, kind: "ignore" },
];

/// The import of a fixture list, by its file name.
pub fn list_import(file: &str) -> &'static ListImport {
    LISTS.iter().find(|l| l.file == file).unwrap_or_else(|| panic!("{file} is not one of the imported lists"))
}

/// The evidence item id every test case uses.
pub const ITEM: &str = "ITEM-001";

/// A fresh temporary folder with its own hash-set library.
#[derive(Debug)]
pub struct Workspace {
    tmp: TempDir,
    pub library: PathBuf,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

impl Workspace {
    pub fn new() -> Workspace {
        let tmp = tempfile::Builder::new().prefix("spoor-cli-test-").tempdir().expect("create a temporary folder");
        let library = tmp.path().join("library");
        Workspace { tmp, library }
    }

    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// This workspace's anchor ledger (`SPOOR_ANCHORS` for every command),
    /// so tests neither write to nor read the user's.
    pub fn anchors(&self) -> PathBuf {
        self.tmp.path().join("anchors.jsonl")
    }

    /// `spoor ARGS` ready to run, with this workspace's library, no
    /// inherited log filter and no standard input.
    pub fn command(&self, args: &[OsString]) -> Command {
        let mut cmd = Command::new(SPOOR);
        cmd.args(args)
            .env("SPOOR_LIBRARY", &self.library)
            .env("SPOOR_ANCHORS", self.anchors())
            .env_remove("SPOOR_LOG")
            .current_dir(self.tmp.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `spoor ARGS` to its end.
    pub fn spoor(&self, args: &[OsString]) -> Run {
        let out = self.command(args).output().expect("run spoor");
        Run {
            args: args.to_vec(),
            code: exit_code(out.status),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts `spoor ARGS` in the background; it is killed if the test
    /// ends (or fails) before it does.
    pub fn spawn(&self, args: &[OsString], stdout: Stdio, stderr: Stdio) -> Background {
        let child = self.command(args).stdout(stdout).stderr(stderr).spawn().expect("start spoor");
        Background { child: Some(child) }
    }

    /// Generates the fixture tree into `<workspace>/<name>`.
    pub fn fixtures(&self, name: &str, large: bool) -> Manifest {
        spoor_fixtures::generate(&self.path(name), &FixtureOptions { large }).expect("generate the fixtures")
    }

    /// Imports the fixture lists of [`LISTS`] into the library.
    pub fn import_lists(&self, manifest: &Manifest) {
        for list in LISTS {
            let set = manifest.hashset(list.file).unwrap_or_else(|| panic!("the fixtures have no {}", list.file));
            assert_eq!(set.kind, list.kind, "{} is an {} list", list.file, set.kind);
            let mut args =
                args!["hashset", "import", manifest.hashsets_dir.join(list.file), "--name", list.name, "--kind", list.kind];
            if let Some(v) = list.version {
                args.extend(args!["--version", v]);
            }
            self.spoor(&args).ok();
        }
    }

    /// `spoor case init` + `spoor evidence add`: a case named `name` in the
    /// workspace with one evidence item, `evidence`.
    pub fn new_case(&self, name: &str, evidence: &Path) -> PathBuf {
        let case = self.path(name);
        self.spoor(&args![
            "case",
            "init",
            case,
            "--number",
            "2026-0042",
            "--examiner",
            "A. de Vries",
            "--agency",
            "Team Digitale Opsporing",
            "--title",
            "Operation Example"
        ])
        .ok();
        self.spoor(&args![
            "evidence",
            "add",
            case,
            "--id",
            ITEM,
            "--path",
            evidence,
            "--description",
            "Laptop HDD, mounted read-only",
            "--acquisition-hash",
            format!("sha256:{}", "ab".repeat(32))
        ])
        .ok();
        case
    }

    /// The fixture tree with every list imported and a case over it, not
    /// scanned yet.
    pub fn fixture_case(&self, large: bool) -> (Manifest, PathBuf) {
        let manifest = self.fixtures("fixture", large);
        self.import_lists(&manifest);
        let case = self.new_case("case.spoor", &manifest.evidence_root);
        (manifest, case)
    }

    /// `spoor scan CASE --json ARGS...`, asserted to complete; its outcome.
    #[track_caller]
    pub fn scan_completed(&self, case: &Path, extra: &[OsString]) -> Value {
        let mut args = args!["scan", case, "--json"];
        args.extend_from_slice(extra);
        let run = self.spoor(&args);
        run.ok();
        let out = run.json();
        assert_eq!(out["outcome"], "completed", "{}", run.describe());
        out
    }

    /// `spoor hits CASE --json`.
    #[track_caller]
    pub fn hits(&self, case: &Path) -> Vec<Value> {
        let run = self.spoor(&args!["hits", case, "--json"]);
        run.ok();
        run.json().as_array().cloned().unwrap_or_else(|| panic!("hits --json is not an array\n{}", run.describe()))
    }

    /// `spoor warnings CASE --json`.
    #[track_caller]
    pub fn warnings(&self, case: &Path) -> Vec<Value> {
        let run = self.spoor(&args!["warnings", case, "--json"]);
        run.ok();
        run.json().as_array().cloned().unwrap_or_else(|| panic!("warnings --json is not an array\n{}", run.describe()))
    }

    /// `spoor case show CASE --json`.
    #[track_caller]
    pub fn show(&self, case: &Path) -> Value {
        let run = self.spoor(&args!["case", "show", case, "--json"]);
        run.ok();
        run.json()
    }

    /// The scan runs recorded in the case (from `case show --json`).
    #[track_caller]
    pub fn runs(&self, case: &Path) -> Vec<Value> {
        self.show(case)["runs"].as_array().cloned().expect("case show --json has runs")
    }

    /// `spoor verify CASE`, asserted to pass.
    #[track_caller]
    pub fn verify_intact(&self, case: &Path) {
        let run = self.spoor(&args!["verify", case]);
        run.ok();
        assert!(run.stdout.contains("INTACT"), "verify did not say INTACT\n{}", run.describe());
    }
}

/// A `spoor` started in the background. Dropping it kills the process (even
/// a stopped one), so a failing test leaves nothing running.
#[derive(Debug)]
pub struct Background {
    child: Option<Child>,
}

impl Background {
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("running")
    }

    pub fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("running")
    }

    /// Sends a signal by name ("INT", "STOP", "CONT", "KILL").
    pub fn signal(&self, name: &str) {
        signal(self.pid(), name);
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        // Fails harmlessly when the process has already exited.
        let _ = child.kill();
        child.wait().expect("wait for spoor")
    }

    /// Waits for the process to exit by itself.
    pub fn wait(mut self) -> ExitStatus {
        self.child.take().expect("running").wait().expect("wait for spoor")
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sends signal `name` to `pid` with kill(1).
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().expect("run kill");
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// SplitMix64: a small seeded generator, for file contents and delays.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Adds `small` files of 0.5–8 KiB and `big` files of `big_bytes` under
/// `evidence/bulk/`, deterministic content; returns the bytes written.
pub fn add_bulk(evidence: &Path, small: usize, big: usize, big_bytes: usize) -> u64 {
    let bulk = evidence.join("bulk");
    let mut rng = SplitMix64::new(0x5EED_0B01);
    let mut total = 0u64;
    for i in 0..small {
        let dir = bulk.join(format!("d{:02}", i % 40));
        fs::create_dir_all(&dir).expect("create a bulk folder");
        let mut bytes = vec![0u8; 512 + rng.below(7 * 1024 + 512) as usize];
        rng.fill(&mut bytes);
        fs::write(dir.join(format!("file-{i:05}.bin")), &bytes).expect("write a bulk file");
        total += bytes.len() as u64;
    }
    let mut buf = vec![0u8; 1 << 20];
    for i in 0..big {
        fs::create_dir_all(&bulk).expect("create the bulk folder");
        let path = bulk.join(format!("big-{i}.bin"));
        let mut f = fs::File::create(&path).expect("create a big file");
        let mut left = big_bytes;
        while left > 0 {
            let n = left.min(buf.len());
            rng.fill(&mut buf[..n]);
            f.write_all(&buf[..n]).expect("write a big file");
            left -= n;
        }
        total += big_bytes as u64;
    }
    total
}

/// Lower-case hex of exactly `len` digits.
pub fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hits with `run_id` removed, for comparing two cases or runs.
pub fn without_run_id(hits: &[Value]) -> Vec<Value> {
    hits.iter()
        .map(|h| {
            let mut h = h.clone();
            if let Some(obj) = h.as_object_mut() {
                // Row ids depend on the order the workers finished in.
                obj.remove("run_id");
                obj.remove("file_id");
            }
            h
        })
        .collect()
}

/// The warnings with the fields that differ between runs (`run_id`,
/// `time_utc`) removed.
pub fn warnings_comparable(warnings: &[Value]) -> Vec<Value> {
    warnings
        .iter()
        .map(|w| {
            let mut w = w.clone();
            if let Some(obj) = w.as_object_mut() {
                obj.remove("run_id");
                obj.remove("time_utc");
            }
            w
        })
        .collect()
}

/// Counts rows of the case with an SQL query, read-only, outside the tool
/// (to check what the contract promises about the rows themselves).
pub fn sql_count(case: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the case with SQLite");
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Evidence paths listed by each imported alert set, keyed by set name.
pub fn alert_lists(manifest: &Manifest) -> BTreeMap<&'static str, &FixtureSet> {
    LISTS
        .iter()
        .filter(|l| l.kind == "alert")
        .map(|l| (l.name, manifest.hashset(l.file).unwrap_or_else(|| panic!("no {}", l.file))))
        .collect()
}

/// Whether this process can read `path` (false for the mode-000 fixture
/// file unless running as root).
pub fn readable(path: &Path) -> bool {
    fs::File::open(path).is_ok()
}
