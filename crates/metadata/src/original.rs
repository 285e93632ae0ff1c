//! Is this file a camera original: the file a camera or phone wrote, not
//! an edit, a re-encode or a download?

use serde::{Deserialize, Serialize};

use crate::MediaMetadata;

/// Software that edits, converts, re-encodes or re-publishes pictures and
/// videos, as `(text looked for, what it is)`. The text is looked for in
/// the `Software` tag (or a container's software/encoder tag), ignoring
/// case. A camera or phone writes its firmware or OS version there
/// (`Ver.1.0`, `17.1`, `G991BXXU5CVDD`, `HDR+ 1.0.5`), never one of these.
pub const EDITOR_SOFTWARE: &[(&str, &str)] = &[
    // Desktop and mobile photo editors.
    ("photoshop", "Adobe Photoshop"),
    ("lightroom", "Adobe Lightroom"),
    ("camera raw", "Adobe Camera Raw"),
    ("adobe express", "Adobe Express"),
    ("gimp", "GIMP"),
    ("snapseed", "Snapseed"),
    ("picasa", "Picasa"),
    ("paint.net", "Paint.NET"),
    ("paintshop", "Corel PaintShop Pro"),
    ("paint shop pro", "Corel Paint Shop Pro"),
    ("affinity photo", "Affinity Photo"),
    ("pixelmator", "Pixelmator"),
    ("capture one", "Capture One"),
    ("darktable", "darktable"),
    ("rawtherapee", "RawTherapee"),
    ("acdsee", "ACDSee"),
    ("photoscape", "PhotoScape"),
    ("irfanview", "IrfanView"),
    ("xnview", "XnView"),
    ("faststone", "FastStone"),
    ("windows photo", "Microsoft Photos"),
    ("picsart", "PicsArt"),
    ("vsco", "VSCO"),
    ("facetune", "Facetune"),
    ("meitu", "Meitu"),
    ("canva", "Canva"),
    ("pixlr", "Pixlr"),
    ("luminar", "Luminar"),
    ("dxo photolab", "DxO PhotoLab"),
    // Messengers and social networks (they re-encode what is sent).
    ("whatsapp", "WhatsApp"),
    ("telegram", "Telegram"),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("messenger", "Facebook Messenger"),
    ("snapchat", "Snapchat"),
    ("viber", "Viber"),
    ("skype", "Skype"),
    ("tiktok", "TikTok"),
    // Libraries and converters.
    ("imagemagick", "ImageMagick"),
    ("graphicsmagick", "GraphicsMagick"),
    ("libvips", "libvips"),
    ("lavf", "FFmpeg (libavformat)"),
    ("lavc", "FFmpeg (libavcodec)"),
    ("ffmpeg", "FFmpeg"),
    ("handbrake", "HandBrake"),
    // Video editors.
    ("capcut", "CapCut"),
    ("imovie", "iMovie"),
    ("final cut", "Final Cut Pro"),
    ("premiere", "Adobe Premiere"),
    ("davinci resolve", "DaVinci Resolve"),
    ("inshot", "InShot"),
    ("kinemaster", "KineMaster"),
];

/// The editor a software tag names, if it is one of [`EDITOR_SOFTWARE`].
pub fn editor(software: &str) -> Option<&'static str> {
    let s = software.to_lowercase();
    EDITOR_SOFTWARE
        .iter()
        .find(|(needle, _)| s.contains(needle))
        .map(|(_, name)| *name)
}

/// Types a camera or phone writes: JPEG, HEIF/HEIC, AVIF, TIFF-based raw
/// (`image/tiff`, `image/x-…` raw types, DNG), and MP4/QuickTime/3GPP
/// video. A PNG, GIF, BMP or WebP with camera tags was converted.
pub fn is_camera_format(mime: &str) -> bool {
    let m = mime.trim().to_ascii_lowercase();
    matches!(
        m.as_str(),
        "image/jpeg"
            | "image/heic"
            | "image/heif"
            | "image/heic-sequence"
            | "image/heif-sequence"
            | "image/avif"
            | "image/tiff"
            | "image/dng"
            | "video/mp4"
            | "video/quicktime"
            | "video/3gpp"
            | "video/3gpp2"
    ) || (m.starts_with("image/x-") && RAW_TYPES.iter().any(|r| m.ends_with(r)))
}

/// Suffixes of the `image/x-…` raw types.
const RAW_TYPES: &[&str] = &[
    "canon-cr2",
    "canon-cr3",
    "canon-crw",
    "nikon-nef",
    "nikon-nrw",
    "sony-arw",
    "sony-sr2",
    "fuji-raf",
    "olympus-orf",
    "panasonic-rw2",
    "pentax-pef",
    "adobe-dng",
    "samsung-srw",
    "sigma-x3f",
    "raw",
];

/// The verdict on one file, with the reasons in plain words (positive and
/// negative ones: an examiner reads why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub is_camera_original: bool,
    pub reasons: Vec<String>,
}

impl Verdict {
    /// The verdict on a file whose EXIF is there but damaged
    /// ([`crate::from_bytes`] gave an error): not original, because
    /// nothing can be shown for it, with the reader's reason.
    pub fn unreadable(err: &crate::Error) -> Verdict {
        Verdict {
            is_camera_original: false,
            reasons: vec![format!(
                "metadata present but unreadable ({err}): nothing shows a camera wrote it"
            )],
        }
    }
}

/// Decides whether a file is a camera original.
///
/// The rule, in this order:
///
/// 1. No metadata at all: **not original**. For a JPEG this is what
///    messengers and web services leave when they re-encode (cameras and
///    phones always write EXIF); a PNG, GIF, BMP or WebP without it is a
///    screenshot, a graphic or a conversion.
/// 2. The type is not one cameras write ([`is_camera_format`]): **not
///    original** (a converted copy that kept the tags).
/// 3. The software tag names an editor, messenger or converter
///    ([`EDITOR_SOFTWARE`]): **not original**.
/// 4. Camera make or model missing: **not original**.
/// 5. No readable capture time (`DateTimeOriginal`, or the container's
///    creation date): **not original**.
/// 6. Otherwise: **camera original**.
///
/// Every rule that applies adds a reason, so a file failing two rules says
/// both. A last-modified time (`DateTime`) later than the capture time is
/// mentioned as a hint, not a rule: some phones' gallery apps set it when
/// they only rotate.
///
/// `meta` is `None` when the file has no metadata ([`crate::from_bytes`]
/// gave `Ok(None)`); for a file whose EXIF is damaged use
/// [`Verdict::unreadable`] (and record the warning).
///
/// ```
/// let meta = spoor_metadata::MediaMetadata::from_container_tags([
///     ("com.apple.quicktime.make", "Apple"),
///     ("com.apple.quicktime.model", "iPhone 13"),
///     ("com.apple.quicktime.creationdate", "2024-05-01T10:11:12+0200"),
/// ]);
/// let v = spoor_metadata::camera_original(meta.as_ref(), "video/quicktime");
/// assert!(v.is_camera_original, "{:?}", v.reasons);
/// let v = spoor_metadata::camera_original(None, "image/jpeg");
/// assert!(!v.is_camera_original);
/// assert!(v.reasons[0].contains("messenger"));
/// ```
pub fn camera_original(meta: Option<&MediaMetadata>, file_type_mime: &str) -> Verdict {
    let mime = file_type_mime.trim().to_ascii_lowercase();
    let Some(meta) = meta else {
        let reason = if mime == "image/jpeg" {
            "JPEG without EXIF: cameras and phones always write it; messengers and web services strip it when they re-encode".to_string()
        } else if mime.starts_with("video/") {
            "no camera tags in the container (make, model, capture time)".to_string()
        } else if is_camera_format(&mime) {
            format!("{mime} without camera metadata")
        } else {
            format!(
                "{} without camera metadata: screenshots, graphics and conversions look like this",
                short(&mime)
            )
        };
        return Verdict {
            is_camera_original: false,
            reasons: vec![reason],
        };
    };
    let mut against = Vec::new();
    let mut for_it = Vec::new();
    if !is_camera_format(&mime) {
        against.push(format!(
            "{} is not a type cameras write: a converted copy",
            short(&mime)
        ));
    }
    match meta.software.as_deref() {
        Some(s) => match editor(s) {
            Some(name) => against.push(format!(
                "software {s:?} is {name}: edited, converted or re-sent"
            )),
            None => for_it.push(format!(
                "software {s:?} is not a known editor, messenger or converter"
            )),
        },
        None => for_it.push("no editing software recorded".to_string()),
    }
    match (&meta.make, &meta.model) {
        (Some(make), Some(model)) => {
            let serial = meta
                .serial
                .as_ref()
                .map(|s| format!(", serial {s}"))
                .unwrap_or_default();
            // "Canon" + "Canon EOS 5D Mark IV" reads as the model alone.
            let camera = if model.to_lowercase().starts_with(&make.to_lowercase()) {
                model.clone()
            } else {
                format!("{make} {model}")
            };
            for_it.push(format!("camera recorded: {camera}{serial}"));
        }
        (None, None) => against.push("no camera make or model recorded".to_string()),
        (None, Some(_)) => against.push("no camera make recorded".to_string()),
        (Some(_), None) => against.push("no camera model recorded".to_string()),
    }
    match &meta.capture {
        Some(c) => {
            let zone = c
                .offset
                .as_ref()
                .map(|o| format!(" {o}"))
                .unwrap_or_else(|| " (time zone not recorded)".into());
            for_it.push(format!("capture time recorded: {}{zone}", c.local));
            if let Some(m) = &meta.modified
                && m.as_str() > c.local.as_str()
            {
                for_it.push(format!(
                    "hint, not a rule: changed after capture (last modified {m})"
                ));
            }
        }
        None => against.push("no readable capture time".to_string()),
    }
    let is_camera_original = against.is_empty();
    let reasons = if is_camera_original { for_it } else { against };
    Verdict {
        is_camera_original,
        reasons,
    }
}

/// `image/png` → `PNG`, for sentences.
fn short(mime: &str) -> String {
    let sub = mime.rsplit('/').next().unwrap_or(mime);
    let sub = sub.strip_prefix("x-").unwrap_or(sub);
    if sub.is_empty() {
        "this file type".into()
    } else {
        sub.to_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CaptureTime, Origin};

    fn camera() -> MediaMetadata {
        MediaMetadata {
            origin: Origin::Exif,
            make: Some("Canon".into()),
            model: Some("Canon EOS 5D Mark IV".into()),
            serial: Some("SYN0001".into()),
            lens_make: None,
            lens_model: None,
            lens_serial: None,
            software: Some("Firmware Version 1.0.4".into()),
            capture: Some(CaptureTime {
                local: "2019-06-01T12:00:00".into(),
                offset: None,
                utc: None,
            }),
            modified: Some("2019-06-01T12:00:00".into()),
            gps: None,
            orientation: Some(1),
            image_unique_id: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn each_rule_decides_alone() {
        let v = camera_original(Some(&camera()), "image/jpeg");
        assert!(v.is_camera_original, "{v:?}");
        assert!(
            v.reasons
                .iter()
                .any(|r| r == "camera recorded: Canon EOS 5D Mark IV, serial SYN0001"),
            "{v:?}"
        );

        let mut m = camera();
        m.software = Some("Adobe Photoshop 25.0 (Windows)".into());
        let v = camera_original(Some(&m), "image/jpeg");
        assert!(!v.is_camera_original);
        assert_eq!(
            v.reasons,
            vec![
                "software \"Adobe Photoshop 25.0 (Windows)\" is Adobe Photoshop: edited, converted or re-sent"
            ]
        );

        let mut m = camera();
        m.make = None;
        assert_eq!(
            camera_original(Some(&m), "image/jpeg").reasons,
            vec!["no camera make recorded"]
        );
        let mut m = camera();
        m.model = None;
        assert_eq!(
            camera_original(Some(&m), "image/jpeg").reasons,
            vec!["no camera model recorded"]
        );
        let mut m = camera();
        m.capture = None;
        assert_eq!(
            camera_original(Some(&m), "image/jpeg").reasons,
            vec!["no readable capture time"]
        );
        let v = camera_original(Some(&camera()), "image/png");
        assert_eq!(
            v.reasons,
            vec!["PNG is not a type cameras write: a converted copy"]
        );

        // Two failures, two reasons.
        let mut m = camera();
        m.make = None;
        m.model = None;
        m.software = Some("WhatsApp".into());
        let v = camera_original(Some(&m), "image/jpeg");
        assert_eq!(v.reasons.len(), 2, "{v:?}");
    }

    #[test]
    fn no_metadata_is_never_original() {
        for (mime, says) in [
            ("image/jpeg", "messengers"),
            ("image/png", "PNG without camera metadata"),
            ("video/mp4", "container"),
            ("image/heic", "image/heic without camera metadata"),
        ] {
            let v = camera_original(None, mime);
            assert!(!v.is_camera_original);
            assert!(v.reasons[0].contains(says), "{mime}: {v:?}");
        }
    }

    #[test]
    fn editors_are_found_without_case_and_firmware_is_not_an_editor() {
        assert_eq!(editor("GIMP 2.10.34"), Some("GIMP"));
        assert_eq!(editor("Picasa"), Some("Picasa"));
        assert_eq!(editor("ImageMagick 7.1.1-15"), Some("ImageMagick"));
        assert_eq!(editor("Lavf60.3.100"), Some("FFmpeg (libavformat)"));
        assert_eq!(
            editor("Adobe Lightroom Classic 13.0 (Windows)"),
            Some("Adobe Lightroom")
        );
        for firmware in [
            "Ver.1.00",
            "17.1",
            "G991BXXU5CVDD",
            "HDR+ 1.0.540104767zd",
            "Firmware Version 1.0.4",
            "NIKON D750 Ver.1.10",
        ] {
            assert_eq!(editor(firmware), None, "{firmware}");
        }
    }

    #[test]
    fn later_modification_is_a_hint_only() {
        let mut m = camera();
        m.modified = Some("2019-06-02T08:00:00".into());
        let v = camera_original(Some(&m), "image/jpeg");
        assert!(v.is_camera_original);
        assert!(v.reasons.iter().any(|r| r.starts_with("hint")), "{v:?}");
    }

    #[test]
    fn camera_formats() {
        for yes in [
            "image/jpeg",
            "IMAGE/HEIC",
            "video/quicktime",
            "image/x-canon-cr2",
            "image/x-adobe-dng",
            "image/tiff",
        ] {
            assert!(is_camera_format(yes), "{yes}");
        }
        for no in [
            "image/png",
            "image/gif",
            "image/bmp",
            "image/webp",
            "image/x-icon",
            "application/zip",
            "",
        ] {
            assert!(!is_camera_format(no), "{no}");
        }
    }
}
