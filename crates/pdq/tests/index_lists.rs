//! Importing PDQ sets: plain lists (`hash` or `hash,quality`) and PDQ
//! columns in CSV, with line-numbered errors that do not stop the import.

use spoor_pdq::PdqHash;
use spoor_pdq::index::{
    BARE_HASH_QUALITY, IndexBuilder, ListErrorKind, PdqCsv, PdqEntry, PdqIndex, parse_pdq_list,
};

const A: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const B: &str = "63f1fff33c1600bf1fc7676303bc7e00fffffc80a00007ff3ff8fe00c0007000";

fn hash(s: &str) -> PdqHash {
    s.parse().expect("hash")
}

#[test]
fn plain_list_lines() {
    let text = format!(
        "\u{feff}# exported 2024-06-01\r\n\
         {A}\r\n\
         \r\n\
         {B},87\n\
         \t{}  ,  12 \n\
         # trailing comment\n\
         {A},0",
        B.to_uppercase()
    );
    let got: Vec<(u64, PdqEntry)> = parse_pdq_list(text.as_bytes())
        .collect::<Result<_, _>>()
        .expect("all lines good");
    let e = |h: &str, q: u8| PdqEntry {
        hash: hash(h),
        quality: q,
    };
    assert_eq!(
        got,
        vec![
            (2, e(A, BARE_HASH_QUALITY)),
            (4, e(B, 87)),
            (5, e(B, 12)),
            (7, e(A, 0)),
        ]
    );
}

#[test]
fn bad_lines_are_named_and_reading_goes_on() {
    let text = format!(
        "{A}\n\
         {}\n\
         {A},101\n\
         {A},-3\n\
         {A},\n\
         {A},50,photo.jpg\n\
         zz{}\n\
         {B},50\n",
        &A[..60],
        &A[2..]
    );
    let results: Vec<_> = parse_pdq_list(text.as_bytes()).collect();
    assert_eq!(results.len(), 8);
    assert_eq!(results[0].as_ref().expect("line 1").0, 1);
    assert_eq!(results[7].as_ref().expect("line 8").0, 8);
    let errors: Vec<(u64, String)> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.line, e.to_string()))
        .collect();
    let lines: Vec<u64> = errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6, 7]);
    assert!(
        errors[0].1.starts_with("line 2: bad PDQ hash"),
        "{}",
        errors[0].1
    );
    assert!(errors[0].1.contains("60 characters"), "{}", errors[0].1);
    assert!(
        errors[1].1.contains("bad quality \"101\""),
        "{}",
        errors[1].1
    );
    assert!(
        errors[2].1.contains("bad quality \"-3\""),
        "{}",
        errors[2].1
    );
    assert!(errors[3].1.contains("bad quality"), "{}", errors[3].1);
    assert!(
        errors[4].1.contains("3 comma-separated fields"),
        "{}",
        errors[4].1
    );
    assert!(
        errors[5].1.contains("'z' is not a hex digit"),
        "{}",
        errors[5].1
    );
    let kinds: Vec<bool> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| matches!(e.kind, ListErrorKind::Hash { .. }))
        .collect();
    assert_eq!(kinds, vec![true, false, false, false, false, true]);
}

#[test]
fn non_utf8_line_is_an_error_for_that_line_only() {
    let mut bytes = format!("{A}\n").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe\n");
    bytes.extend_from_slice(format!("{B}\n").as_bytes());
    let results: Vec<_> = parse_pdq_list(&bytes[..]).collect();
    assert_eq!(results.len(), 3);
    let err = results[1].as_ref().expect_err("line 2");
    assert_eq!(err.line, 2);
    assert!(matches!(err.kind, ListErrorKind::NotText));
    assert!(results[2].is_ok());
}

/// A reader that fails after its first line.
struct Failing(bool);

impl std::io::Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if std::mem::replace(&mut self.0, true) {
            return Err(std::io::Error::other("disk gone"));
        }
        let line = format!("{A}\n");
        buf[..line.len()].copy_from_slice(line.as_bytes());
        Ok(line.len())
    }
}

#[test]
fn read_error_ends_the_list() {
    let results: Vec<_> = parse_pdq_list(std::io::BufReader::new(Failing(false))).collect();
    assert_eq!(results.len(), 2);
    let err = results[1].as_ref().expect_err("read error");
    assert_eq!(err.line, 2);
    assert!(err.to_string().contains("disk gone"), "{err}");
}

#[test]
fn csv_pdq_column_by_header_name() {
    let text = format!(
        "id,Signal Type,PDQ Hash,PDQ-Quality,tags\n\
         1,pdq,{A},90,\"a, b\"\n\
         2,pdq,\"{B}\",,x\n\
         3,pdq,{A},200,x\n\
         4,pdq,,50,x\n\
         5,pdq,{B},49,x\n"
    );
    let results: Vec<_> = PdqCsv::new(text.as_bytes()).expect("header").collect();
    assert_eq!(results.len(), 5);
    let ok: Vec<(u64, PdqEntry)> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(
        ok,
        vec![
            (
                2,
                PdqEntry {
                    hash: hash(A),
                    quality: 90
                }
            ),
            (
                3,
                PdqEntry {
                    hash: hash(B),
                    quality: BARE_HASH_QUALITY
                }
            ),
            (
                6,
                PdqEntry {
                    hash: hash(B),
                    quality: 49
                }
            ),
        ]
    );
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0].starts_with("line 4: bad quality \"200\""),
        "{}",
        errors[0]
    );
    assert_eq!(errors[1], "line 5: the row has no PDQ Hash cell");
}

#[test]
fn csv_explicit_columns_and_missing_ones() {
    let text = format!("md5,phash,q\nd41d8cd98f00b204e9800998ecf8427e,{A},77\n");
    let got: Vec<_> = PdqCsv::with_columns(text.as_bytes(), "phash", Some("q"))
        .expect("columns")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        got,
        vec![(
            2,
            PdqEntry {
                hash: hash(A),
                quality: 77
            }
        )]
    );
    let err = PdqCsv::new(text.as_bytes()).expect_err("no known hash column");
    assert_eq!(err.line, 1);
    assert!(err.to_string().contains("no pdq / pdqhash / hash"), "{err}");
    let err = PdqCsv::with_columns(text.as_bytes(), "phash", Some("quality"))
        .expect_err("no quality column");
    assert!(err.to_string().contains("no quality column"), "{err}");
}

/// A list imported and indexed answers a query for a near copy.
#[test]
fn list_to_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("list.pdqidx");
    let text = format!("{A},100\n{B},30\n");
    let mut b = IndexBuilder::new();
    for r in parse_pdq_list(text.as_bytes()) {
        b.push(r.expect("line").1);
    }
    b.build(&path).expect("build");
    let index = PdqIndex::open(&path).expect("open");
    let mut near = hash(A);
    near.0[5] ^= 0xff;
    let mut out = Vec::new();
    index.query(&near, 31, 50, &mut out);
    assert_eq!(out, vec![(0, 8)]);
    // B is stored but below the default quality threshold.
    index.query(&hash(B), 31, 50, &mut out);
    assert!(out.is_empty());
    index.query(&hash(B), 31, 0, &mut out);
    assert_eq!(out, vec![(1, 0)]);
}
