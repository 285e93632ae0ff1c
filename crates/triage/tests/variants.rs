//! Near-known through the dihedral variants the case stores (format 4): a
//! synthetic picture, rotated 90° and mirrored and saved again as JPEG, is
//! found near the original's known fingerprint through the variant that
//! undoes the transform; compared only as stored and transposed (what a
//! picture scanned before format 4 gets), it is not.

use image::{ImageFormat, RgbImage, imageops};
use spoor_pdq::decode::{Limits, fingerprint_file_bytes};
use spoor_triage::{CaseTriageInput, FileRecord, HitCategory, TriageSettings, VariantRecord, triage};

/// A benign picture with no symmetry: overlapping gradients and blocks.
fn picture() -> RgbImage {
    RgbImage::from_fn(360, 240, |x, y| {
        let (xi, yi) = (i64::from(x), i64::from(y));
        let block = if (60..170).contains(&x) && (30..110).contains(&y) { 90 } else { 0 };
        let disc = if (xi - 270).pow(2) + (yi - 170).pow(2) < 45 * 45 { 120 } else { 0 };
        let r = ((xi * 255 / 360) + block) % 256;
        let g = ((yi * yi / 230) + disc) % 256;
        let b = ((xi * 3 + yi * 5) / 7 + (xi * yi) % 37) % 256;
        image::Rgb([r as u8, g as u8, b as u8])
    })
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// What the scan records for a picture's bytes: its PDQ, quality and the
/// seven other variants.
fn scanned(id: i64, bytes: &[u8], hits: usize) -> FileRecord {
    let (pdq, variants, _) = fingerprint_file_bytes(bytes, &Limits::default()).expect("fingerprint");
    FileRecord {
        file_id: id,
        evidence_id: "ITEM-1".into(),
        path: format!("{id}.jpg"),
        pdq: Some(pdq.hash),
        pdq_quality: Some(pdq.quality),
        known_good: false,
        hits: (0..hits).map(|_| HitCategory { category: Some("1".into()), profile: None }).collect(),
        metadata: None,
        camera_original: false,
        frames: Vec::new(),
        variants: variants
            .iter()
            .filter(|(d, _)| *d != spoor_pdq::Dihedral::Original)
            .map(|(variant, pdq)| VariantRecord { variant, pdq })
            .collect(),
    }
}

#[test]
fn a_rotated_and_mirrored_jpeg_copy_is_near_known_through_its_variant() {
    let original = picture();
    let known = scanned(1, &encode(&original, ImageFormat::Png), 1);
    // image's rotate90 turns clockwise; then mirrored top to bottom: a
    // reflection in the anti-diagonal, its own inverse. (Mirrored left to
    // right instead it would be the transposition, which the hash alone
    // gives and triage found before format 4.)
    let copy = imageops::flip_vertical(&imageops::rotate90(&original));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80).encode_image(&copy).expect("jpeg");
    let unknown = scanned(2, &jpeg, 0);
    assert!(unknown.pdq_quality.is_some_and(|q| q >= 50), "the copy is hashable");

    let input = CaseTriageInput {
        files: vec![known.clone(), unknown.clone()],
        references: Default::default(),
        extra_known: Vec::new(),
        settings: TriageSettings::default(),
    };
    let t = triage(&input);
    assert_eq!(t.near_known.len(), 1, "{:?}", t.near_known);
    let n = &t.near_known[0];
    assert_eq!(n.unknown_id, 2);
    assert_eq!(n.variant, spoor_pdq::Dihedral::FlipMinus1);
    assert_eq!(n.variant.as_str(), "flipminus1");
    assert!(n.distance <= 20, "a re-encoded copy comes near: {}", n.distance);
    assert_eq!(serde_json::to_value(n).expect("json")["variant"], "flipminus1");

    // Without stored variants (a case scanned before format 4), the copy
    // as stored and transposed is nowhere near: it was not near-known.
    let mut before = input.clone();
    before.files[1].variants.clear();
    let t = triage(&before);
    assert!(t.near_known.is_empty(), "{:?}", t.near_known);
    let far = |h: spoor_pdq::PdqHash| known.pdq.expect("pdq").hamming(&h);
    let unknown_pdq = unknown.pdq.expect("pdq");
    assert!(far(unknown_pdq) > 48 && far(spoor_triage::transposed(&unknown_pdq)) > 48);
}
