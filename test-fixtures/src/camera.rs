//! Camera pictures for triage tests (only with [`crate::Extras::camera`]):
//! under `evidence/Users/sam/Camera/`, JPEGs with EXIF written by
//! [`crate::exif`] for four made-up cameras (serials synthetic), series of
//! near-duplicates, an edited copy, messenger-style re-encodes without EXIF,
//! damaged and partial EXIF, flat low-quality pictures, a screenshot, a
//! "known" picture listed in `hashsets/camera-known.md5` and a heavier edit
//! of it. What each file should give is recorded in
//! [`crate::CameraManifest`].
//!
//! Every answer below is written by hand next to the picture it describes,
//! not computed by the rules under test.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Cursor};
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, RgbImage};

use crate::at;
use crate::exif::{self, Ifd, TAG_EXIF_IFD, Value, dms};
use crate::manifest::{CameraFile, CameraManifest, ExpectedGps, FixtureFile, FixtureSet};
use crate::scene::{self, Look, SplitMix64};
use crate::tree::Tree;

/// The made-up seizure date of the device holding these pictures.
const SEIZED_UTC: &str = "2024-05-20T09:00:00Z";
/// "Recent": taken at most this many days before [`SEIZED_UTC`].
const RECENT_DAYS: u32 = 30;
/// The alert list naming the known picture.
const KNOWN_LIST: &str = "camera-known.md5";

/// Output size of the camera pictures.
const W: u32 = 800;
const H: u32 = 600;
/// Scenes are drawn this much larger, so that shifted crops stay inside.
const MARGIN: u32 = 48;

/// What a scene shows: one per series or singleton, so that unrelated
/// pictures are far apart in PDQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scene {
    Street,
    Garden,
    Harbour,
    /// One flat colour: PDQ quality near 0.
    Wall,
    Desk,
    Kitchen,
    Attic,
    Screen,
    Market,
}

impl Scene {
    fn render(self) -> RgbImage {
        let (w, h) = (W + MARGIN, H + MARGIN);
        let (seed, grain) = match self {
            Scene::Street => (0xCA01, 10),
            Scene::Garden => (0xCA02, 10),
            Scene::Harbour => (0xCA03, 10),
            Scene::Desk => (0xCA05, 10),
            Scene::Kitchen => (0xCA06, 10),
            Scene::Attic => (0xCA07, 10),
            Scene::Screen => (0xCA08, 0),
            Scene::Market => (0xCA09, 10),
            Scene::Wall => return RgbImage::from_pixel(w, h, image::Rgb([118, 121, 125])),
        };
        busy(w, h, seed, grain)
    }
}

/// A busy synthetic scene: a gradient with many overlapping discs and
/// rectangles of every size, so that the 64x64 picture PDQ looks at is
/// full of edges (quality 100) like a photograph, and small shifts move
/// few of its bits.
fn busy(w: u32, h: u32, seed: u64, grain: u8) -> RgbImage {
    let mut img = scene::render(Look::Gradient, w, h, seed, 0);
    let mut rng = SplitMix64::new(seed ^ 0x5EED);
    let side = w.min(h);
    for i in 0..40 {
        let [r, g, b, ..] = rng.next_u64().to_le_bytes();
        let colour = image::Rgb([r, g, b]);
        // Larger shapes first, smaller on top.
        let size = 16 + rng.below(side / (2 + i / 8));
        let (cx, cy) = (rng.below(w), rng.below(h));
        let disc = rng.below(2) == 0;
        let x0 = cx.saturating_sub(size);
        let y0 = cy.saturating_sub(size);
        for y in y0..(cy + size).min(h) {
            for x in x0..(cx + size).min(w) {
                let inside = if disc {
                    let (dx, dy) = (i64::from(x) - i64::from(cx), i64::from(y) - i64::from(cy));
                    dx * dx + dy * dy <= i64::from(size) * i64::from(size)
                } else {
                    true
                };
                if inside {
                    img.put_pixel(x, y, colour);
                }
            }
        }
    }
    // Soft edges, as a lens gives: most of the energy in low frequencies.
    let mut img = imageops::fast_blur(&img, 5.0);
    if grain > 0 {
        for b in img.iter_mut() {
            *b = b.saturating_add((rng.next_u64() % u64::from(grain)) as u8);
        }
    }
    img
}

/// How a picture is cut from its scene and stored.
#[derive(Debug, Clone, Copy)]
struct Edit {
    /// Crop window in the scene.
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    /// Added to every byte (saturating).
    brightness: i16,
    /// Stored size (the crop is resized to it when different).
    out_w: u32,
    out_h: u32,
    /// JPEG quality; 0 for PNG.
    quality: u8,
}

const PLAIN: Edit = Edit {
    x: 0,
    y: 0,
    w: W,
    h: H,
    brightness: 0,
    out_w: W,
    out_h: H,
    quality: 90,
};

const fn shifted(x: u32, y: u32, brightness: i16) -> Edit {
    Edit {
        x,
        y,
        brightness,
        ..PLAIN
    }
}

/// A made-up camera. Serials are synthetic (`SYN…`).
#[derive(Debug, Clone, Copy)]
struct Camera {
    make: &'static str,
    model: &'static str,
    serial: Option<&'static str>,
    lens_make: Option<&'static str>,
    lens_model: Option<&'static str>,
    firmware: &'static str,
    big_endian: bool,
}

const IPHONE: Camera = Camera {
    make: "Apple",
    model: "iPhone 13",
    serial: None,
    lens_make: Some("Apple"),
    lens_model: Some("iPhone 13 back dual wide camera 5.1mm f/1.6"),
    firmware: "17.4.1",
    big_endian: true,
};

const CANON: Camera = Camera {
    make: "Canon",
    model: "Canon EOS 5D Mark IV",
    serial: Some("SYN0347021"),
    lens_make: None,
    lens_model: Some("EF24-70mm f/2.8L II USM"),
    firmware: "Firmware Version 1.0.4",
    big_endian: false,
};

const NIKON: Camera = Camera {
    make: "NIKON CORPORATION",
    model: "NIKON D750",
    serial: Some("SYN3004417"),
    lens_make: None,
    lens_model: Some("24.0-120.0 mm f/4.0"),
    firmware: "Ver.1.10",
    big_endian: true,
};

const GALAXY: Camera = Camera {
    make: "samsung",
    model: "SM-G991B",
    serial: None,
    lens_make: None,
    lens_model: None,
    firmware: "G991BXXU5CVDD",
    big_endian: false,
};

/// A GPS fix as EXIF stores it: references and degrees, minutes,
/// hundredths of seconds; altitude in centimetres, negative below sea level.
#[derive(Debug, Clone, Copy)]
struct Fix {
    lat: (u8, u32, u32, u32),
    lon: (u8, u32, u32, u32),
    altitude_cm: Option<i64>,
}

impl Fix {
    fn decimal(part: (u8, u32, u32, u32)) -> f64 {
        let (r, d, m, s) = part;
        let v = f64::from(d) + f64::from(m) / 60.0 + f64::from(s) / 100.0 / 3600.0;
        if r == b'S' || r == b'W' { -v } else { v }
    }

    fn expected(&self) -> ExpectedGps {
        ExpectedGps {
            latitude_e7: (Self::decimal(self.lat) * 1e7).round() as i64,
            longitude_e7: (Self::decimal(self.lon) * 1e7).round() as i64,
            altitude_cm: self.altitude_cm,
        }
    }

    fn ifd(&self) -> Ifd {
        let mut ifd: Ifd = vec![
            (0x0000, Value::Byte(vec![2, 3, 0, 0])),
            (0x0001, Value::Ascii(char::from(self.lat.0).to_string())),
            (0x0002, dms(self.lat.1, self.lat.2, self.lat.3)),
            (0x0003, Value::Ascii(char::from(self.lon.0).to_string())),
            (0x0004, dms(self.lon.1, self.lon.2, self.lon.3)),
        ];
        if let Some(cm) = self.altitude_cm {
            ifd.push((0x0005, Value::Byte(vec![u8::from(cm < 0)])));
            ifd.push((
                0x0006,
                Value::Rational(vec![(cm.unsigned_abs() as u32, 100)]),
            ));
        }
        ifd
    }
}

/// The EXIF a picture carries.
#[derive(Debug, Clone)]
struct Tags {
    camera: Camera,
    /// Overrides the camera's firmware (an editor's name).
    software: Option<&'static str>,
    /// `DateTimeOriginal` as written (may be blank on purpose).
    original: Option<&'static str>,
    offset: Option<&'static str>,
    /// `DateTime`; the capture time when `None`.
    modified: Option<&'static str>,
    orientation: u16,
    gps: Option<Fix>,
}

/// What the file holds besides pixels.
#[derive(Debug, Clone)]
enum Meta {
    /// No EXIF (a messenger re-encode, a download, a screenshot).
    None,
    Exif(Tags),
    /// IFD0 points past the end of the block: nothing can be read.
    Damaged,
    /// IFD0 readable (make, model), the Exif sub-IFD pointer broken.
    Partial(Camera),
}

/// One picture and the answers it must give.
#[derive(Debug, Clone)]
struct Shot {
    path: &'static str,
    scene: Scene,
    edit: Edit,
    meta: Meta,
    camera_original: bool,
    recent: bool,
    series: Option<&'static str>,
    low_quality: bool,
    known: bool,
    near_known_of: Option<&'static str>,
}

const fn shot(path: &'static str, scene: Scene, edit: Edit, meta: Meta) -> Shot {
    Shot {
        path,
        scene,
        edit,
        meta,
        camera_original: false,
        recent: false,
        series: None,
        low_quality: false,
        known: false,
        near_known_of: None,
    }
}

impl Shot {
    const fn original(mut self, recent: bool) -> Self {
        self.camera_original = true;
        self.recent = recent;
        self
    }
    const fn series(mut self, label: &'static str) -> Self {
        self.series = Some(label);
        self
    }
}

const fn tags(camera: Camera, original: &'static str, offset: Option<&'static str>) -> Tags {
    Tags {
        camera,
        software: None,
        original: Some(original),
        offset,
        modified: None,
        orientation: 1,
        gps: None,
    }
}

const AMSTERDAM: Fix = Fix {
    lat: (b'N', 52, 22, 1272),
    lon: (b'E', 4, 53, 4272),
    altitude_cm: Some(500),
};
const AMSTERDAM_2: Fix = Fix {
    lat: (b'N', 52, 22, 1301),
    lon: (b'E', 4, 53, 4250),
    altitude_cm: Some(500),
};
/// Southern and western hemisphere, below sea level: every sign flips.
const SOUTH_WEST: Fix = Fix {
    lat: (b'S', 33, 27, 0),
    lon: (b'W', 70, 38, 3000),
    altitude_cm: Some(-1250),
};
const KNOWN: &str = "Users/sam/Camera/Downloads/known-0001.jpg";

fn shots() -> Vec<Shot> {
    let mut a1 = tags(IPHONE, "2024:05:01 10:11:12", Some("+02:00"));
    a1.gps = Some(AMSTERDAM);
    let mut a2 = tags(IPHONE, "2024:05:01 10:11:19", Some("+02:00"));
    a2.gps = Some(AMSTERDAM_2);
    let mut a3 = tags(IPHONE, "2024:05:01 10:11:25", Some("+02:00"));
    a3.gps = Some(AMSTERDAM_2);
    a3.orientation = 6;
    let b1 = tags(CANON, "2019:06:01 14:00:00", None);
    let b2 = tags(CANON, "2019:06:01 14:00:04", None);
    let mut b3 = b1.clone();
    b3.software = Some("Adobe Photoshop 25.0 (Windows)");
    b3.modified = Some("2024:05:10 21:03:44");
    let mut c1 = tags(NIKON, "2024:05:12 08:30:00", Some("-04:00"));
    c1.gps = Some(SOUTH_WEST);
    c1.orientation = 8;
    let wall = tags(GALAXY, "2024:03:01 12:00:00", Some("+01:00"));
    let mut no_date = tags(GALAXY, "0000:00:00 00:00:00", None);
    no_date.modified = Some("2024:04:02 09:15:00");

    let zoom = Edit {
        x: 4,
        y: 3,
        w: 792,
        h: 594,
        ..PLAIN
    };
    let whatsapp = Edit {
        out_w: 400,
        out_h: 300,
        quality: 60,
        ..PLAIN
    };
    let photoshop = Edit {
        x: 2,
        y: 2,
        w: 792,
        h: 594,
        brightness: 14,
        ..PLAIN
    };
    let variant = Edit {
        x: 14,
        y: 10,
        w: 780,
        h: 585,
        brightness: -20,
        out_w: 640,
        out_h: 480,
        quality: 75,
    };
    let png = Edit {
        quality: 0,
        ..PLAIN
    };
    let flat_copy = Edit {
        quality: 70,
        ..PLAIN
    };

    vec![
        // Series A: a phone, recent, with GPS; and a messenger copy.
        shot(
            "Users/sam/Camera/DCIM/100APPLE/IMG_1001.JPG",
            Scene::Street,
            PLAIN,
            Meta::Exif(a1),
        )
        .original(true)
        .series("A"),
        shot(
            "Users/sam/Camera/DCIM/100APPLE/IMG_1002.JPG",
            Scene::Street,
            shifted(2, 1, 6),
            Meta::Exif(a2),
        )
        .original(true)
        .series("A"),
        shot(
            "Users/sam/Camera/DCIM/100APPLE/IMG_1003.JPG",
            Scene::Street,
            zoom,
            Meta::Exif(a3),
        )
        .original(true)
        .series("A"),
        shot(
            "Users/sam/Camera/WhatsApp/Media/WhatsApp Images/IMG-20240501-WA0003.jpg",
            Scene::Street,
            whatsapp,
            Meta::None,
        )
        .series("A"),
        // Series B: a camera, years ago, no GPS; and a Photoshop edit.
        shot(
            "Users/sam/Camera/Canon/100CANON/IMG_2001.JPG",
            Scene::Garden,
            PLAIN,
            Meta::Exif(b1),
        )
        .original(false)
        .series("B"),
        shot(
            "Users/sam/Camera/Canon/100CANON/IMG_2002.JPG",
            Scene::Garden,
            shifted(3, 2, -5),
            Meta::Exif(b2),
        )
        .original(false)
        .series("B"),
        shot(
            "Users/sam/Camera/Edited/IMG_2001-edit.jpg",
            Scene::Garden,
            photoshop,
            Meta::Exif(b3),
        )
        .series("B"),
        // An unrelated camera original, recent, south-west, below sea level.
        shot(
            "Users/sam/Camera/Nikon/DSC_3001.JPG",
            Scene::Harbour,
            PLAIN,
            Meta::Exif(c1),
        )
        .original(true),
        // Flat pictures: identical hashes, quality too low to link.
        Shot {
            low_quality: true,
            ..shot(
                "Users/sam/Camera/Other/IMG_4001.JPG",
                Scene::Wall,
                PLAIN,
                Meta::Exif(wall),
            )
            .original(false)
        },
        Shot {
            low_quality: true,
            ..shot(
                "Users/sam/Camera/Other/wall.jpg",
                Scene::Wall,
                flat_copy,
                Meta::None,
            )
        },
        // Camera tags but the clock was never set.
        shot(
            "Users/sam/Camera/Other/IMG_5001.JPG",
            Scene::Desk,
            PLAIN,
            Meta::Exif(no_date),
        ),
        shot(
            "Users/sam/Camera/Other/IMG_5002.JPG",
            Scene::Kitchen,
            PLAIN,
            Meta::Damaged,
        ),
        shot(
            "Users/sam/Camera/Other/IMG_5003.JPG",
            Scene::Attic,
            PLAIN,
            Meta::Partial(GALAXY),
        ),
        shot(
            "Users/sam/Camera/Screenshots/Screenshot_20240502-101500.png",
            Scene::Screen,
            png,
            Meta::None,
        ),
        // Known material and a heavier edit of it (PDQ 32..=40 away).
        Shot {
            known: true,
            ..shot(KNOWN, Scene::Market, PLAIN, Meta::None)
        },
        Shot {
            near_known_of: Some(KNOWN),
            ..shot(
                "Users/sam/Camera/Downloads/IMG_20240503_221014.jpg",
                Scene::Market,
                variant,
                Meta::None,
            )
        },
    ]
}

/// What [`build`] wrote, for the manifest and the known list.
#[derive(Debug)]
pub(crate) struct Built {
    files: Vec<CameraFile>,
    /// `(path, format, width, height)` of each picture.
    pictures: Vec<(Vec<u8>, &'static str, u32, u32)>,
}

/// Writes the camera pictures into the tree.
pub(crate) fn build(tree: &mut Tree) -> io::Result<Built> {
    let mut scenes: Vec<(Scene, RgbImage)> = Vec::new();
    let mut built = Built {
        files: Vec::new(),
        pictures: Vec::new(),
    };
    for (i, s) in shots().into_iter().enumerate() {
        if !scenes.iter().any(|(k, _)| *k == s.scene) {
            scenes.push((s.scene, s.scene.render()));
        }
        let base = scenes
            .iter()
            .find(|(k, _)| *k == s.scene)
            .map(|(_, img)| img)
            .ok_or_else(|| io::Error::other("scene rendered above"))?;
        let pixels = apply(base, &s.edit);
        let unique_id = {
            let mut rng = SplitMix64::new(0xC0FF_EE00 + i as u64);
            hex::encode(rng.bytes(16)).to_uppercase()
        };
        let bytes = encode(&pixels, &s, &unique_id)
            .map_err(|e| io::Error::other(format!("{}: {e}", s.path)))?;
        tree.file(s.path.as_bytes(), &bytes)?;
        let format = if s.edit.quality == 0 { "png" } else { "jpeg" };
        built.pictures.push((
            s.path.as_bytes().to_vec(),
            format,
            s.edit.out_w,
            s.edit.out_h,
        ));
        built.files.push(answers(&s, format, &unique_id));
    }
    built.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(built)
}

impl Built {
    /// Gives the camera pictures their format and size in the file list.
    pub(crate) fn annotate(&self, files: &mut [FixtureFile]) {
        for (path, format, w, h) in &self.pictures {
            if let Some(f) = files.iter_mut().find(|f| &f.path == path) {
                f.format = Some((*format).into());
                f.width = Some(*w);
                f.height = Some(*h);
            }
        }
    }

    /// Writes `hashsets/camera-known.md5` (alert) naming the known picture.
    pub(crate) fn write_known_list(
        &self,
        dir: &Path,
        files: &[FixtureFile],
    ) -> io::Result<FixtureSet> {
        let mut text = String::new();
        let mut lists = BTreeSet::new();
        let mut record_count = 0;
        for known in self.files.iter().filter(|f| f.known) {
            let file = files
                .iter()
                .find(|f| f.path == known.path)
                .ok_or_else(|| io::Error::other("known picture not in the tree"))?;
            let name = known.path_lossy.rsplit('/').next().unwrap_or_default();
            text.push_str(&format!("{}  {name}\n", file.md5));
            lists.extend(
                files
                    .iter()
                    .filter(|f| f.md5 == file.md5)
                    .map(|f| f.path.clone()),
            );
            record_count += 1;
        }
        let path = dir.join(KNOWN_LIST);
        fs::write(&path, text).map_err(|e| at(&path, e))?;
        Ok(FixtureSet {
            file: PathBuf::from(KNOWN_LIST),
            format: "md5sum".into(),
            kind: "alert".into(),
            malformed_line: None,
            lists: lists.into_iter().collect(),
            record_count,
            categories: Default::default(),
            profile: None,
        })
    }

    pub(crate) fn manifest(self) -> CameraManifest {
        CameraManifest {
            seized_utc: SEIZED_UTC.into(),
            recent_days: RECENT_DAYS,
            known_list: PathBuf::from(KNOWN_LIST),
            files: self.files,
        }
    }
}

fn apply(base: &RgbImage, e: &Edit) -> RgbImage {
    let mut img = imageops::crop_imm(base, e.x, e.y, e.w, e.h).to_image();
    if e.brightness != 0 {
        for b in img.iter_mut() {
            *b = (i16::from(*b) + e.brightness).clamp(0, 255) as u8;
        }
    }
    if (e.w, e.h) != (e.out_w, e.out_h) {
        img = imageops::resize(&img, e.out_w, e.out_h, FilterType::Triangle);
    }
    img
}

fn encode(img: &RgbImage, s: &Shot, unique_id: &str) -> Result<Vec<u8>, image::ImageError> {
    let (w, h) = img.dimensions();
    let mut out = Cursor::new(Vec::new());
    if s.edit.quality == 0 {
        PngEncoder::new(&mut out).write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8)?;
        return Ok(out.into_inner());
    }
    JpegEncoder::new_with_quality(&mut out, s.edit.quality).write_image(
        img.as_raw(),
        w,
        h,
        ExtendedColorType::Rgb8,
    )?;
    let jpeg = out.into_inner();
    Ok(match &s.meta {
        Meta::None => jpeg,
        Meta::Exif(t) => exif::splice(&jpeg, &exif::app1(&tiff_of(t, w, h, unique_id)), true),
        Meta::Damaged => {
            // A TIFF header whose IFD0 lies far past the end of the block.
            let tiff = b"II\x2a\x00\x00\x10\x00\x00\x00\x00\x00\x00".to_vec();
            exif::splice(&jpeg, &exif::app1(&tiff), true)
        }
        Meta::Partial(camera) => {
            let ifd0: Ifd = vec![
                (0x010F, Value::Ascii(camera.make.into())),
                (0x0110, Value::Ascii(camera.model.into())),
                (0x0131, Value::Ascii(camera.firmware.into())),
                // The Exif sub-IFD pointer leads nowhere.
                (TAG_EXIF_IFD, Value::Long(0x00FF_FFF0)),
            ];
            let tiff = exif::tiff(camera.big_endian, &ifd0, &Vec::new(), &Vec::new());
            exif::splice(&jpeg, &exif::app1(&tiff), true)
        }
    })
}

fn tiff_of(t: &Tags, w: u32, h: u32, unique_id: &str) -> Vec<u8> {
    let c = &t.camera;
    let ascii = |s: &str| Value::Ascii(s.into());
    let mut ifd0: Ifd = vec![
        (0x010F, ascii(c.make)),
        (0x0110, ascii(c.model)),
        (0x0112, Value::Short(t.orientation)),
        (0x011A, Value::Rational(vec![(72, 1)])),
        (0x011B, Value::Rational(vec![(72, 1)])),
        (0x0128, Value::Short(2)),
        (0x0131, ascii(t.software.unwrap_or(c.firmware))),
    ];
    if let Some(dt) = t.modified.or(t.original) {
        ifd0.push((0x0132, ascii(dt)));
    }
    let mut sub: Ifd = vec![
        (0x9000, Value::Undefined(b"0232".to_vec())),
        (0xA002, Value::Long(w)),
        (0xA003, Value::Long(h)),
        (0xA420, ascii(unique_id)),
    ];
    if let Some(o) = t.original {
        sub.push((0x9003, ascii(o)));
        sub.push((0x9004, ascii(o)));
    }
    if let Some(o) = t.offset {
        sub.push((0x9011, ascii(o)));
    }
    if let Some(s) = c.serial {
        sub.push((0xA431, ascii(s)));
    }
    if let Some(s) = c.lens_make {
        sub.push((0xA433, ascii(s)));
    }
    if let Some(s) = c.lens_model {
        sub.push((0xA434, ascii(s)));
    }
    let gps = t.gps.map(|g| g.ifd()).unwrap_or_default();
    exif::tiff(c.big_endian, &ifd0, &sub, &gps)
}

/// The manifest's answers for one shot, from its spec (not from reading
/// the file back).
fn answers(s: &Shot, format: &str, unique_id: &str) -> CameraFile {
    let mime = if format == "png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let none = CameraFile {
        path: s.path.as_bytes().to_vec(),
        path_lossy: s.path.into(),
        mime: mime.into(),
        exif: "absent".into(),
        make: None,
        model: None,
        serial: None,
        lens_model: None,
        software: None,
        capture_local: None,
        capture_offset: None,
        capture_utc: None,
        gps: None,
        orientation: None,
        image_unique_id: None,
        camera_original: s.camera_original,
        recent: s.recent,
        series: s.series.map(String::from),
        low_quality: s.low_quality,
        known: s.known,
        near_known_of: s.near_known_of.map(|p| p.as_bytes().to_vec()),
    };
    match &s.meta {
        Meta::None => none,
        Meta::Damaged => CameraFile {
            exif: "damaged".into(),
            ..none
        },
        Meta::Partial(c) => CameraFile {
            exif: "partial".into(),
            make: Some(c.make.into()),
            model: Some(c.model.into()),
            software: Some(c.firmware.into()),
            ..none
        },
        Meta::Exif(t) => {
            let c = &t.camera;
            let valid_time = t.original.filter(|o| !o.starts_with("0000"));
            CameraFile {
                exif: "present".into(),
                make: Some(c.make.into()),
                model: Some(c.model.into()),
                serial: c.serial.map(String::from),
                lens_model: c.lens_model.map(String::from),
                software: Some(t.software.unwrap_or(c.firmware).into()),
                capture_local: valid_time.map(iso),
                capture_offset: valid_time.and(t.offset.map(String::from)),
                capture_utc: valid_time.and_then(|o| utc(o, t.offset?)),
                gps: t.gps.map(|g| g.expected()),
                orientation: Some(t.orientation),
                image_unique_id: Some(unique_id.into()),
                ..none
            }
        }
    }
}

/// `2024:05:01 10:11:12` → `2024-05-01T10:11:12`.
fn iso(exif_time: &str) -> String {
    let mut s = exif_time.replacen(':', "-", 2);
    s.replace_range(10..11, "T");
    s
}

/// The UTC instant of an EXIF time and a whole-hour offset (`±HH:00`), by
/// hand: these fixtures never cross a month boundary when converted.
fn utc(exif_time: &str, offset: &str) -> Option<String> {
    let local = iso(exif_time);
    let hours: i32 = offset.get(..3)?.parse().ok()?;
    let day: i32 = local.get(8..10)?.parse().ok()?;
    let hour: i32 = local.get(11..13)?.parse().ok()?;
    let mut h = hour - hours;
    let mut d = day;
    if h < 0 {
        h += 24;
        d -= 1;
    } else if h >= 24 {
        h -= 24;
        d += 1;
    }
    (1..=28)
        .contains(&d)
        .then(|| format!("{}{d:02}T{h:02}{}Z", &local[..8], &local[13..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_by_hand() {
        assert_eq!(iso("2024:05:01 10:11:12"), "2024-05-01T10:11:12");
        assert_eq!(
            utc("2024:05:01 10:11:12", "+02:00").as_deref(),
            Some("2024-05-01T08:11:12Z")
        );
        assert_eq!(
            utc("2024:05:12 22:30:00", "-04:00").as_deref(),
            Some("2024-05-13T02:30:00Z")
        );
        // Crossing into another month is refused, not guessed.
        assert_eq!(utc("2024:05:01 01:00:00", "+02:00"), None);
    }

    #[test]
    fn every_series_has_two_or_more_and_labels_are_consistent() {
        let all = shots();
        assert!(all.iter().all(|s| s.path.starts_with("Users/sam/Camera/")));
        let mut labels: Vec<&str> = all.iter().filter_map(|s| s.series).collect();
        labels.sort_unstable();
        for l in ["A", "B"] {
            assert!(labels.iter().filter(|x| **x == l).count() >= 2, "{l}");
        }
        // Different series never share a scene; singletons have a scene of their own.
        for s in &all {
            for t in &all {
                if s.path != t.path
                    && s.scene == t.scene
                    && !matches!(s.scene, Scene::Wall | Scene::Market)
                {
                    assert_eq!(s.series, t.series, "{} / {}", s.path, t.path);
                    assert!(s.series.is_some());
                }
            }
        }
    }
}
