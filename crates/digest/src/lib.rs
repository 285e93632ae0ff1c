//! One read pass per file: MD5, SHA-1 and SHA-256 together, and the file
//! type from its signature (never from its extension).
//!
//! The three RustCrypto hashers are fed the same buffer chunk by chunk, so a
//! file is read once whatever the number of digests. `sha1` and `sha2` pick
//! their SHA-NI / AVX code paths at run time (`cpufeatures`); `md-5` 0.11 has
//! no separate asm back end (the 0.10 `asm` feature measured the same here).
//!
//! ```
//! let d = spoor_digest::digest_reader(&b"abc"[..], None)?;
//! assert_eq!(d.digests.md5_hex(), "900150983cd24fb0d6963f7d28e17f72");
//! assert_eq!(d.size, 3);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Size of one read: large enough to amortise the syscall, small enough that
/// the chunk stays in L2 while three hashers pass over it.
pub const CHUNK: usize = 256 * 1024;

/// How many leading bytes are kept for signature sniffing.
pub const HEAD_LEN: usize = 8192;

/// The three digests of one byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digests {
    pub md5: [u8; 16],
    pub sha1: [u8; 20],
    pub sha256: [u8; 32],
}

impl Digests {
    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5)
    }
    pub fn sha1_hex(&self) -> String {
        hex::encode(self.sha1)
    }
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// The result of digesting one file or stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    pub digests: Digests,
    /// Bytes actually read (a file that grows or shrinks during the read
    /// gives a size different from its `stat` size; the caller compares).
    pub size: u64,
    /// The first [`HEAD_LEN`] bytes, for [`sniff`].
    pub head: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: cancelled")]
    Cancelled { path: PathBuf },
}

pub type Result<T> = std::result::Result<T, Error>;

/// Digests a stream in one pass. `cancel`, when set during the read, stops it
/// with `io::ErrorKind::Interrupted`.
pub fn digest_reader<R: Read>(mut reader: R, cancel: Option<&AtomicBool>) -> io::Result<FileDigest> {
    let mut md5 = Md5::new();
    let mut sha1 = Sha1::new();
    let mut sha256 = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut head = Vec::with_capacity(HEAD_LEN);
    let mut size: u64 = 0;
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        if head.len() < HEAD_LEN {
            let take = (HEAD_LEN - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        md5.update(chunk);
        sha1.update(chunk);
        sha256.update(chunk);
        size += n as u64;
    }
    Ok(FileDigest {
        digests: Digests { md5: md5.finalize().into(), sha1: sha1.finalize().into(), sha256: sha256.finalize().into() },
        size,
        head,
    })
}

/// Opens an evidence file read-only (no atime update, no link following) and
/// digests it. Returns the digest and whether `O_NOATIME` was granted.
pub fn digest_file(path: &Path, cancel: Option<&AtomicBool>) -> Result<(FileDigest, bool)> {
    let (file, noatime) = spoor_evidence::open_read_only(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    match digest_reader(file, cancel) {
        Ok(d) => Ok((d, noatime)),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(Error::Cancelled { path: path.to_path_buf() }),
        Err(source) => Err(Error::Io { path: path.to_path_buf(), source }),
    }
}

/// A file type found from content.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileType {
    /// MIME type, e.g. `image/jpeg`; `application/x-empty` for an empty
    /// file, `text/plain` for text without a signature,
    /// `application/octet-stream` when nothing is recognised.
    pub mime: String,
    /// The broad class: image, video, audio, archive, document, text, app,
    /// font, book, empty, unknown.
    pub class: String,
    /// The usual extensions of the type (empty when unknown).
    pub extensions: Vec<String>,
}

/// Extensions that stand for the same type as infer's canonical one.
fn extension_aliases(canonical: &str) -> Vec<String> {
    let list: &[&str] = match canonical {
        "jpg" => &["jpg", "jpeg", "jpe", "jfif", "jif"],
        "tif" => &["tif", "tiff"],
        "mp4" => &["mp4", "m4v", "m4p"],
        "mov" => &["mov", "qt"],
        "html" => &["html", "htm", "xhtml"],
        "mkv" => &["mkv", "mk3d"],
        "mpg" => &["mpg", "mpeg", "mpe", "vob"],
        "heif" => &["heif", "heic"],
        "zip" => &["zip", "jar", "apk", "ipa", "cbz"],
        "gz" => &["gz", "tgz"],
        "m4a" => &["m4a", "m4b"],
        "ogg" => &["ogg", "oga", "ogv", "opus"],
        "exe" => &["exe", "dll", "sys", "scr", "com"],
        "3gp" => &["3gp", "3gpp"],
        "avi" => &["avi"],
        other => return vec![other.to_string()],
    };
    list.iter().map(|s| (*s).to_string()).collect()
}

/// Identifies a file type from its first bytes.
pub fn sniff(head: &[u8], size: u64) -> FileType {
    if size == 0 {
        return FileType { mime: "application/x-empty".into(), class: "empty".into(), extensions: vec![] };
    }
    if let Some(t) = infer::get(head) {
        let class = match t.matcher_type() {
            infer::MatcherType::Image => "image",
            infer::MatcherType::Video => "video",
            infer::MatcherType::Audio => "audio",
            infer::MatcherType::Archive => "archive",
            infer::MatcherType::Doc => "document",
            infer::MatcherType::Book => "book",
            infer::MatcherType::Font => "font",
            infer::MatcherType::Text => "text",
            infer::MatcherType::App => "app",
            infer::MatcherType::Custom => "unknown",
        };
        return FileType { mime: t.mime_type().to_string(), class: class.to_string(), extensions: extension_aliases(t.extension()) };
    }
    if looks_like_text(head) {
        return FileType { mime: "text/plain".into(), class: "text".into(), extensions: vec![] };
    }
    FileType { mime: "application/octet-stream".into(), class: "unknown".into(), extensions: vec![] }
}

/// UTF-8 (a truncated last character allowed) without NUL or other control
/// bytes than tab, CR, LF and form feed.
fn looks_like_text(head: &[u8]) -> bool {
    let valid_prefix = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return false,
    };
    !valid_prefix.is_empty() && valid_prefix.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// Signature-less text formats whose extension claims nothing checkable.
const TEXT_EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "xml", "sh", "txt", "csv", "json", "md", "log"];

/// Whether the extension contradicts the content: the content has a known
/// signature and the extension is not one of that type's, or the extension
/// names a type with a signature that the content does not carry. A missing
/// extension is not a mismatch.
pub fn extension_mismatch(file_type: &FileType, extension: Option<&str>) -> bool {
    let Some(ext) = extension.map(str::to_lowercase) else { return false };
    if ext.is_empty() {
        return false;
    }
    if !file_type.extensions.is_empty() {
        if file_type.class == "text" && TEXT_EXTENSIONS.contains(&ext.as_str()) {
            return false;
        }
        return !file_type.extensions.contains(&ext);
    }
    // No signature found: only an extension that promises one contradicts.
    !TEXT_EXTENSIONS.contains(&ext.as_str()) && infer::is_supported(&ext) && file_type.class != "empty"
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG_HEAD: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    const PNG_HEAD: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];

    #[test]
    fn known_vectors() -> io::Result<()> {
        let d = digest_reader(&b""[..], None)?;
        assert_eq!(d.digests.md5_hex(), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(d.digests.sha1_hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(d.digests.sha256_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let d = digest_reader(&b"abc"[..], None)?;
        assert_eq!(d.digests.sha1_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(d.digests.sha256_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        Ok(())
    }

    #[test]
    fn multi_chunk_stream_equals_one_shot_and_keeps_head() -> io::Result<()> {
        let data: Vec<u8> = (0..(CHUNK * 3 + 17)).map(|i| (i * 31 % 251) as u8).collect();
        let d = digest_reader(&data[..], None)?;
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.head, &data[..HEAD_LEN]);
        assert_eq!(d.digests.md5, <[u8; 16]>::from(Md5::digest(&data)));
        assert_eq!(d.digests.sha256, <[u8; 32]>::from(Sha256::digest(&data)));
        Ok(())
    }

    #[test]
    fn cancel_stops_the_read() {
        let flag = AtomicBool::new(true);
        let err = digest_reader(&b"abc"[..], Some(&flag)).err().map(|e| e.kind());
        assert_eq!(err, Some(io::ErrorKind::Interrupted));
    }

    #[test]
    fn sniff_by_content() {
        assert_eq!(sniff(JPEG_HEAD, 100).mime, "image/jpeg");
        assert_eq!(sniff(PNG_HEAD, 100).mime, "image/png");
        assert_eq!(sniff(b"hello world\n", 12).mime, "text/plain");
        assert_eq!(sniff(&[0, 1, 2, 3, 0xff], 5).mime, "application/octet-stream");
        assert_eq!(sniff(b"", 0).class, "empty");
    }

    #[test]
    fn mismatch_rules() {
        let jpeg = sniff(JPEG_HEAD, 100);
        assert!(!extension_mismatch(&jpeg, Some("JPG")));
        assert!(!extension_mismatch(&jpeg, Some("jpeg")));
        assert!(extension_mismatch(&jpeg, Some("dat")));
        assert!(extension_mismatch(&jpeg, Some("png")));
        assert!(!extension_mismatch(&jpeg, None));
        let png = sniff(PNG_HEAD, 100);
        assert!(extension_mismatch(&png, Some("jpg")));
        let text = sniff(b"just text", 9);
        assert!(extension_mismatch(&text, Some("jpg")));
        assert!(!extension_mismatch(&text, Some("txt")));
        assert!(!extension_mismatch(&text, Some("html")));
        let unknown = sniff(&[0, 1, 2, 3], 4);
        assert!(!extension_mismatch(&unknown, Some("bin")));
        assert!(extension_mismatch(&unknown, Some("png")));
    }

    #[test]
    fn digest_file_reads_a_file() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("f.bin");
        std::fs::write(&p, b"abc")?;
        let (d, _noatime) = digest_file(&p, None)?;
        assert_eq!(d.digests.md5_hex(), "900150983cd24fb0d6963f7d28e17f72");
        assert!(matches!(digest_file(&dir.path().join("missing"), None), Err(Error::Io { .. })));
        Ok(())
    }
}
