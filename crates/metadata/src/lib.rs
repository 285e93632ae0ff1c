//! What a picture or video says about where it came from: camera make,
//! model and serial, lens, software, capture time and zone, GPS position,
//! orientation and unique id; and whether it is a **camera original** (the
//! file a camera or phone wrote) rather than an edit, a re-encode or a
//! download.
//!
//! * [`from_bytes`] reads a picture's EXIF (JPEG, TIFF and TIFF-based raw,
//!   PNG, WebP, HEIF) with `kamadak-exif`, under `catch_unwind`: `Ok(None)`
//!   when there is none, [`Error::Damaged`] when it is broken, notes in
//!   [`MediaMetadata::notes`] for parts that could not be read. Only
//!   standard fields are read, never maker notes.
//! * [`MediaMetadata::from_container_tags`] builds the same record from a
//!   video container's tags (QuickTime, Android, ISO 6709 locations), for
//!   the video stage to call with what its demuxer reports.
//! * [`camera_original`] applies a short, documented rule and says why.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A JPEG without EXIF, as a messenger re-encode leaves it.
//! let jpeg = [0xFF, 0xD8, 0xFF, 0xD9];
//! assert_eq!(spoor_metadata::from_bytes(&jpeg)?, None);
//! let verdict = spoor_metadata::camera_original(None, "image/jpeg");
//! assert!(!verdict.is_camera_original);
//!
//! // A phone video's tags.
//! let meta = spoor_metadata::MediaMetadata::from_container_tags([
//!     ("com.android.manufacturer", "samsung"),
//!     ("com.android.model", "SM-G991B"),
//!     ("creation_time", "2024-04-30T18:00:00.000000Z"),
//!     ("location", "+48.8566+002.3522/"),
//! ]).expect("tags");
//! assert_eq!(meta.gps.map(|g| g.latitude), Some(48.8566));
//! assert!(spoor_metadata::camera_original(Some(&meta), "video/mp4").is_camera_original);
//! # Ok(()) }
//! ```

mod capture;
mod container;
mod error;
mod original;
mod picture;

use serde::{Deserialize, Serialize};

pub use capture::CaptureTime;
pub use container::parse_iso6709;
pub use error::{Error, Result};
pub use original::{EDITOR_SOFTWARE, Verdict, camera_original, editor, is_camera_format};
pub use picture::from_bytes;

/// Where the metadata was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A picture's EXIF.
    Exif,
    /// A video container's tags.
    Container,
}

/// A position in decimal degrees (WGS 84, as EXIF and ISO 6709 store it):
/// north and east positive; altitude in metres above sea level, negative
/// below.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GpsPosition {
    pub latitude: f64,
    pub longitude: f64,
    pub altitude: Option<f64>,
}

/// What a file's metadata says. Every field is optional: absent, blank and
/// unreadable values are `None` (unreadable ones also leave a note).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaMetadata {
    pub origin: Origin,
    /// Camera make (`Make`, `com.apple.quicktime.make`,
    /// `com.android.manufacturer`), as written.
    pub make: Option<String>,
    /// Camera model (`Model`, `com.apple.quicktime.model`, `com.android.model`).
    pub model: Option<String>,
    /// Camera body serial (`BodySerialNumber`, else DNG's
    /// `CameraSerialNumber`); maker notes are not read.
    pub serial: Option<String>,
    pub lens_make: Option<String>,
    pub lens_model: Option<String>,
    pub lens_serial: Option<String>,
    /// `Software` (firmware or OS version on a camera; an editor's name
    /// after editing), or a container's software/encoder tag.
    pub software: Option<String>,
    /// `DateTimeOriginal` with `OffsetTimeOriginal`, or the container's
    /// creation date.
    pub capture: Option<CaptureTime>,
    /// `DateTime` (last changed, by the camera or an editor), as the clock
    /// showed it: `YYYY-MM-DDTHH:MM:SS`.
    pub modified: Option<String>,
    pub gps: Option<GpsPosition>,
    /// EXIF orientation, 1–8.
    pub orientation: Option<u16>,
    /// `ImageUniqueID`, or QuickTime's content identifier.
    pub image_unique_id: Option<String>,
    /// What could not be read, in plain words (for the case's warnings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The metadata of a picture: the same record, with
/// [`MediaMetadata::origin`] [`Origin::Exif`].
pub type PictureMetadata = MediaMetadata;

impl MediaMetadata {
    /// No field and no note: nothing worth recording.
    pub fn is_empty(&self) -> bool {
        self.make.is_none()
            && self.model.is_none()
            && self.serial.is_none()
            && self.lens_make.is_none()
            && self.lens_model.is_none()
            && self.lens_serial.is_none()
            && self.software.is_none()
            && self.capture.is_none()
            && self.modified.is_none()
            && self.gps.is_none()
            && self.orientation.is_none()
            && self.image_unique_id.is_none()
            && self.notes.is_empty()
    }

    /// The fields as `(EXIF-style name, value)` pairs, in a fixed order,
    /// for exports (VICS `Exifs`) and reports. Absent fields are left out.
    pub fn properties(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |name: &'static str, v: Option<String>| {
            if let Some(v) = v {
                out.push((name, v));
            }
        };
        put("Make", self.make.clone());
        put("Model", self.model.clone());
        put("BodySerialNumber", self.serial.clone());
        put("LensMake", self.lens_make.clone());
        put("LensModel", self.lens_model.clone());
        put("LensSerialNumber", self.lens_serial.clone());
        put("Software", self.software.clone());
        put(
            "DateTimeOriginal",
            self.capture.as_ref().map(|c| c.local.clone()),
        );
        put(
            "OffsetTimeOriginal",
            self.capture.as_ref().and_then(|c| c.offset.clone()),
        );
        put("DateTime", self.modified.clone());
        put(
            "GPSLatitude",
            self.gps.map(|g| format!("{:.7}", g.latitude)),
        );
        put(
            "GPSLongitude",
            self.gps.map(|g| format!("{:.7}", g.longitude)),
        );
        put(
            "GPSAltitude",
            self.gps.and_then(|g| g.altitude).map(|a| format!("{a:.2}")),
        );
        put("Orientation", self.orientation.map(|o| o.to_string()));
        put("ImageUniqueID", self.image_unique_id.clone());
        out
    }
}
