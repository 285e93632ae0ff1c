//! Writes a case with many hits, for checking by hand and in the
//! end-to-end test that the hits screens stay usable at scale:
//!
//! ```sh
//! cargo run -p spoor-app --example big_case -- /tmp/big.spoor 100000
//! ```
//!
//! The files it records do not exist (their thumbnails say so); everything
//! else is a real, sealed case written through the engine's own API.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use spoor_case::{Batch, Case, HashSetRecord, NewCase, NewEvidence, NewFile, NewHit, RunEnd, RunStart};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().ok_or("usage: big_case CASE [HITS]")?);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let info = NewCase {
        case_number: "BIG-1".into(),
        title: format!("{n} hits"),
        agency: "Spoor tests".into(),
        examiner: "Load Test".into(),
        time_zone: "UTC".into(),
    };
    let mut case = Case::create(&path, &info, "big_case example")?;
    let root = path.with_extension("evidence");
    std::fs::create_dir_all(&root)?;
    let ev = case.add_evidence(&NewEvidence {
        evidence_id: "ITEM-001".into(),
        description: "generated".into(),
        source_path: root.canonicalize()?.as_os_str().as_bytes().to_vec(),
        acquisition_hashes: vec![],
    })?;
    let set = HashSetRecord {
        set_uid: "big-set".into(),
        name: "Generated".into(),
        version: Some("1".into()),
        kind: "alert".into(),
        format: "csv".into(),
        profile: Some("US".into()),
        importer_version: "big_case".into(),
        source_name: "generated.csv".into(),
        source_sha256: "0".repeat(64),
        record_count: n as u64,
        digest_counts: serde_json::json!({ "md5": n }),
        imported_utc: spoor_case::utc::now(),
    };
    let run = case.start_run(&RunStart {
        tool_name: "big_case".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: "none".into(),
        host: "generated".into(),
        settings: serde_json::json!({ "evidence": ["ITEM-001"] }),
        hashsets: vec![set],
    })?;
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let mut batch = Batch::default();
        for &i in chunk {
            let name = format!("Users/alex/Pictures/{:03}/IMG_{i:06}.jpg", i / 1000);
            let md5 = format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15);
            batch.files.push(NewFile {
                evidence_row: ev.row_id,
                path: name.clone().into_bytes(),
                path_display: name,
                kind: "file".into(),
                size: 40_000 + (i as u64 * 37) % 90_000,
                status: "hashed".into(),
                file_type: Some("image/jpeg".into()),
                type_class: Some("image".into()),
                md5: Some(md5.clone()),
                hits: vec![NewHit {
                    hashset_row: run.hashset_rows[0],
                    method: "md5".into(),
                    distance: None,
                    category: Some(((i % 5) as u8).to_string()).filter(|_| i % 7 != 0),
                    record: serde_json::json!({ "md5": md5, "series": format!("S{}", i % 40) }),
                }],
                ..NewFile::default()
            });
        }
        case.write_batch(run.run_id, &batch)?;
    }
    case.end_run(run.run_id, &RunEnd::Completed)?;
    println!("{}: {n} hits", path.display());
    Ok(())
}
