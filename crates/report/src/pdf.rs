//! The PDF report, drawn with krilla from the same blocks as the HTML.
//!
//! A small layout engine: A4 portrait pages; text wrapped at spaces (and
//! inside a word that is wider than its column, such as a digest or a long
//! path); tables whose rows never split unless one row is taller than a
//! page, with the header row repeated on every page; the case number, the
//! generation time, the report digest and "Page n of N" on every page.
//! DejaVu fonts are embedded (subset) from the crate, so the output does
//! not depend on the fonts of the machine that writes or reads it. Layout
//! runs first, drawing second, so the page count is known when the page
//! footers are drawn. The same report gives the same bytes.

use krilla::color::{luma, rgb};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font as KrillaFont, TextDirection};

use crate::doc::{self, Block, Line, PictureCell, Style, Table};
use crate::model::Report;
use crate::{Error, Result};

static SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
static MONO: &[u8] = include_bytes!("../fonts/DejaVuSansMono.ttf");

/// A4, in points.
const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
const LEFT: f32 = 42.0;
const TOP: f32 = 62.0;

/// Width and height of a page.
fn page_size(landscape: bool) -> (f32, f32) {
    if landscape { (A4_LONG, A4_SHORT) } else { (A4_SHORT, A4_LONG) }
}

const BODY: f32 = 9.0;
const TABLE: f32 = 7.2;
const PAD: f32 = 3.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FontId {
    Sans,
    Bold,
    Mono,
}

struct Face {
    krilla: KrillaFont,
    parsed: ttf_parser::Face<'static>,
    scale: f32,
}

struct Fonts {
    sans: Face,
    bold: Face,
    mono: Face,
}

impl Fonts {
    fn load() -> Result<Fonts> {
        let face = |bytes: &'static [u8], name: &str| -> Result<Face> {
            let parsed = ttf_parser::Face::parse(bytes, 0).map_err(|e| render_err(format!("font {name}: {e}")))?;
            let krilla = KrillaFont::new(bytes.into(), 0).ok_or_else(|| render_err(format!("font {name} cannot be used")))?;
            let scale = 1.0 / f32::from(parsed.units_per_em());
            Ok(Face { krilla, parsed, scale })
        };
        Ok(Fonts { sans: face(SANS, "DejaVuSans")?, bold: face(SANS_BOLD, "DejaVuSans-Bold")?, mono: face(MONO, "DejaVuSansMono")? })
    }

    fn get(&self, id: FontId) -> &Face {
        match id {
            FontId::Sans => &self.sans,
            FontId::Bold => &self.bold,
            FontId::Mono => &self.mono,
        }
    }

    /// The font that draws `ch`: the wanted one, else the first of the
    /// others that has a glyph for it (DejaVu Sans covers the most).
    fn covering(&self, wanted: FontId, ch: char) -> FontId {
        if self.get(wanted).parsed.glyph_index(ch).is_some() {
            return wanted;
        }
        [FontId::Sans, FontId::Bold, FontId::Mono]
            .into_iter()
            .find(|f| self.get(*f).parsed.glyph_index(ch).is_some())
            .unwrap_or(wanted)
    }

    fn char_width(&self, font: FontId, size: f32, ch: char) -> f32 {
        let face = self.get(font);
        let advance = face.parsed.glyph_index(ch).and_then(|g| face.parsed.glyph_hor_advance(g)).unwrap_or(0);
        f32::from(advance) * face.scale * size
    }
}

fn render_err(message: String) -> Error {
    Error::Render { format: "pdf", message }
}

/// A piece of text in one font, size and colour.
#[derive(Clone, Debug, PartialEq)]
struct Piece {
    text: String,
    font: FontId,
    size: f32,
    grey: u8,
    width: f32,
}

/// One wrapped line: its pieces and height.
#[derive(Clone, Debug, Default, PartialEq)]
struct TextLine {
    pieces: Vec<Piece>,
    height: f32,
    ascent: f32,
}

fn style_of(style: Style, base: f32) -> (FontId, f32, u8) {
    match style {
        Style::Normal => (FontId::Sans, base, 0),
        Style::Strong => (FontId::Bold, base, 0),
        Style::Code => (FontId::Mono, base * 0.92, 0),
        Style::Muted => (FontId::Sans, base * 0.9, 85),
    }
}

/// Wraps a paragraph into lines no wider than `width`.
fn wrap(fonts: &Fonts, line: &Line, base: f32, width: f32) -> Vec<TextLine> {
    // Tokens: runs of spaces or of non-spaces, each with its style.
    let mut tokens: Vec<(String, Style)> = Vec::new();
    for span in line {
        let mut cur = String::new();
        let mut cur_space = None;
        for ch in span.text.chars() {
            let space = ch == ' ';
            if cur_space.is_some_and(|s| s != space) {
                tokens.push((std::mem::take(&mut cur), span.style));
            }
            cur.push(ch);
            cur_space = Some(space);
        }
        if !cur.is_empty() {
            tokens.push((cur, span.style));
        }
    }
    let line_height = base * 1.32;
    let mut lines: Vec<TextLine> = Vec::new();
    let mut cur = TextLine { pieces: Vec::new(), height: line_height, ascent: base };
    let mut x = 0.0f32;
    let push_piece = |cur: &mut TextLine, fonts: &Fonts, text: &str, style: Style| -> f32 {
        let (font, size, grey) = style_of(style, base);
        let mut added = 0.0;
        // Split by the font that covers each character.
        let mut run = String::new();
        let mut run_font = None;
        let mut run_w = 0.0;
        for ch in text.chars() {
            let f = fonts.covering(font, ch);
            if run_font.is_some_and(|rf| rf != f) {
                cur.pieces.push(Piece { text: std::mem::take(&mut run), font: run_font.unwrap_or(font), size, grey, width: run_w });
                added += run_w;
                run_w = 0.0;
            }
            run_font = Some(f);
            run.push(ch);
            run_w += fonts.char_width(f, size, ch);
        }
        if !run.is_empty() {
            cur.pieces.push(Piece { text: run, font: run_font.unwrap_or(font), size, grey, width: run_w });
            added += run_w;
        }
        added
    };
    let measure = |fonts: &Fonts, text: &str, style: Style| -> f32 {
        let (font, size, _) = style_of(style, base);
        text.chars().map(|ch| fonts.char_width(fonts.covering(font, ch), size, ch)).sum()
    };
    for (text, style) in tokens {
        let is_space = text.starts_with(' ');
        let w = measure(fonts, &text, style);
        if is_space {
            // Spaces at a line start are dropped; at a line end they do not count.
            if !cur.pieces.is_empty() && x + w <= width {
                x += push_piece(&mut cur, fonts, &text, style);
            }
            continue;
        }
        if x + w <= width {
            x += push_piece(&mut cur, fonts, &text, style);
            continue;
        }
        // A word too wide for any line is split from where the line is,
        // unless little room is left; a word that fits a line starts one.
        let splits_anyway = w > width && width - x > width * 0.3;
        if !cur.pieces.is_empty() && !splits_anyway {
            trim_trailing_space(&mut cur);
            lines.push(std::mem::replace(&mut cur, TextLine { pieces: Vec::new(), height: line_height, ascent: base }));
            x = 0.0;
        }
        if w <= width {
            x += push_piece(&mut cur, fonts, &text, style);
            continue;
        }
        // A word wider than the column (a digest, a long path): split it.
        let mut part = String::new();
        let mut part_w = 0.0;
        for ch in text.chars() {
            let (font, size, _) = style_of(style, base);
            let cw = fonts.char_width(fonts.covering(font, ch), size, ch);
            if x + part_w + cw > width && !part.is_empty() {
                // Break after the last `/` of a path if there is one, else here.
                let cut = part.rfind('/').map(|i| i + 1).filter(|&i| i < part.len()).unwrap_or(part.len());
                let carry = part.split_off(cut);
                push_piece(&mut cur, fonts, &part, style);
                lines.push(std::mem::replace(&mut cur, TextLine { pieces: Vec::new(), height: line_height, ascent: base }));
                x = 0.0;
                part_w = measure(fonts, &carry, style);
                part = carry;
            }
            part.push(ch);
            part_w += cw;
        }
        if !part.is_empty() {
            x += push_piece(&mut cur, fonts, &part, style);
        }
    }
    trim_trailing_space(&mut cur);
    lines.push(cur);
    lines
}

fn trim_trailing_space(line: &mut TextLine) {
    while line.pieces.last().is_some_and(|p| p.text.chars().all(|c| c == ' ')) {
        line.pieces.pop();
    }
}

/// What is drawn on a page.
#[derive(Clone, Debug, PartialEq)]
enum Op {
    Text { x: f32, baseline: f32, piece: Piece },
    Fill { rect: (f32, f32, f32, f32), grey: u8 },
    Stroke { rect: (f32, f32, f32, f32), grey: u8, width: f32 },
    Rule { x1: f32, x2: f32, y: f32, width: f32 },
    /// A JPEG drawn into a rectangle.
    Image { rect: (f32, f32, f32, f32), jpeg: std::sync::Arc<Vec<u8>> },
}

/// A heading's place, for the document outline.
struct Mark {
    level: u8,
    text: String,
    page: usize,
    y: f32,
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<PageOut>,
    y: f32,
    marks: Vec<Mark>,
}

/// A laid-out page: its orientation and what is drawn on it.
struct PageOut {
    landscape: bool,
    ops: Vec<Op>,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Layout<'f> {
        Layout { fonts, pages: vec![PageOut { landscape: false, ops: Vec::new() }], y: TOP, marks: Vec::new() }
    }

    fn landscape(&self) -> bool {
        self.pages.last().is_some_and(|p| p.landscape)
    }

    fn right(&self) -> f32 {
        page_size(self.landscape()).0 - LEFT
    }

    fn width(&self) -> f32 {
        self.right() - LEFT
    }

    fn bottom(&self) -> f32 {
        page_size(self.landscape()).1 - 52.0
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(PageOut { landscape: false, ops: Vec::new() });
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last].ops
    }

    fn new_page(&mut self) {
        let landscape = self.landscape();
        self.pages.push(PageOut { landscape, ops: Vec::new() });
        self.y = TOP;
    }

    /// Goes on in another orientation, on a new page unless this one is
    /// still empty.
    fn orientation(&mut self, landscape: bool) {
        if self.landscape() == landscape {
            return;
        }
        let empty = self.pages.last().is_some_and(|p| p.ops.is_empty());
        if empty {
            if let Some(p) = self.pages.last_mut() {
                p.landscape = landscape;
            }
        } else {
            self.pages.push(PageOut { landscape, ops: Vec::new() });
        }
        self.y = TOP;
    }

    fn room(&self) -> f32 {
        self.bottom() - self.y
    }

    fn ensure(&mut self, h: f32) {
        if h > self.room() && self.y > TOP {
            self.new_page();
        }
    }

    fn draw_line(&mut self, l: &TextLine, x: f32) {
        let baseline = self.y + l.ascent;
        let mut px = x;
        let pieces = l.pieces.clone();
        for p in pieces {
            let w = p.width;
            self.page().push(Op::Text { x: px, baseline, piece: p });
            px += w;
        }
        self.y += l.height;
    }

    fn paragraph(&mut self, line: &Line, base: f32, x: f32, width: f32) {
        for l in wrap(self.fonts, line, base, width) {
            self.ensure(l.height);
            self.draw_line(&l, x);
        }
    }

    fn title(&mut self, title: &str, subtitle: &str) {
        let w = self.width();
        self.paragraph(&vec![doc::Span { text: title.into(), style: Style::Strong }], 16.0, LEFT, w);
        self.y += 2.0;
        self.paragraph(&vec![doc::Span { text: subtitle.into(), style: Style::Normal }], 11.0, LEFT, w);
        self.y += 8.0;
    }

    fn heading(&mut self, level: u8, text: &str) {
        let size = if level <= 1 { 13.0 } else { 10.5 };
        let lines = wrap(self.fonts, &vec![doc::Span { text: text.into(), style: Style::Strong }], size, self.width());
        let h: f32 = lines.iter().map(|l| l.height).sum::<f32>() + if level <= 1 { 14.0 } else { 8.0 };
        // Keep a heading with what follows it.
        self.ensure(h + 48.0);
        self.y += if level <= 1 { 8.0 } else { 4.0 };
        self.marks.push(Mark { level, text: text.into(), page: self.pages.len() - 1, y: self.y });
        for l in &lines {
            self.draw_line(l, LEFT);
        }
        if level <= 1 {
            let y = self.y + 1.0;
            let x2 = self.right();
            self.page().push(Op::Rule { x1: LEFT, x2, y, width: 1.2 });
            self.y += 5.0;
        } else {
            self.y += 2.0;
        }
    }

    fn bullets(&mut self, items: &[Line]) {
        for item in items {
            let lines = wrap(self.fonts, item, BODY, self.width() - 12.0);
            for (i, l) in lines.iter().enumerate() {
                self.ensure(l.height);
                if i == 0 {
                    let bullet = Piece { text: "•".into(), font: FontId::Sans, size: BODY, grey: 0, width: 0.0 };
                    let baseline = self.y + l.ascent;
                    self.page().push(Op::Text { x: LEFT + 2.0, baseline, piece: bullet });
                }
                self.draw_line(l, LEFT + 12.0);
            }
            self.y += 2.5;
        }
        self.y += 3.0;
    }

    fn notice(&mut self, line: &Line) {
        let width = self.width();
        let lines = wrap(self.fonts, line, BODY, width - 2.0 * 6.0);
        let h: f32 = lines.iter().map(|l| l.height).sum::<f32>() + 2.0 * 5.0;
        self.ensure(h);
        let top = self.y;
        self.page().push(Op::Fill { rect: (LEFT, top, width, h), grey: 243 });
        self.page().push(Op::Stroke { rect: (LEFT, top, width, h), grey: 136, width: 0.6 });
        self.y += 5.0;
        for l in &lines {
            self.draw_line(l, LEFT + 6.0);
        }
        self.y = top + h + 6.0;
    }

    /// Thumbnails in rows, each in a grey frame with its caption below. The
    /// PDF cannot hide a picture until asked, so it draws only the blurred,
    /// grey copy.
    fn pictures(&mut self, cells: &[PictureCell]) {
        const FRAME: f32 = 112.0;
        const GAP: f32 = 12.0;
        if cells.is_empty() {
            let w = self.width();
            self.paragraph(&vec![doc::Span { text: "No file with a hit is shown.".into(), style: Style::Muted }], BODY, LEFT, w);
            return;
        }
        let per_row = (((self.width() + GAP) / (FRAME + GAP)).floor() as usize).max(1);
        for row in cells.chunks(per_row) {
            let captions: Vec<Vec<TextLine>> =
                row.iter().map(|c| c.caption.iter().flat_map(|l| wrap(self.fonts, l, TABLE, FRAME)).collect()).collect();
            let caption_h = captions.iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max);
            self.ensure(FRAME + 4.0 + caption_h);
            let top = self.y;
            for (i, (cell, caption)) in row.iter().zip(&captions).enumerate() {
                let x = LEFT + i as f32 * (FRAME + GAP);
                self.page().push(Op::Fill { rect: (x, top, FRAME, FRAME), grey: 221 });
                match &cell.thumbnail {
                    Some(t) if t.width > 0 && t.height > 0 => {
                        let scale = FRAME / t.width.max(t.height) as f32;
                        let (w, h) = (t.width as f32 * scale, t.height as f32 * scale);
                        let rect = (x + (FRAME - w) / 2.0, top + (FRAME - h) / 2.0, w, h);
                        self.page().push(Op::Image { rect, jpeg: std::sync::Arc::new(t.blurred_jpeg.clone()) });
                    }
                    _ => {
                        self.y = top + FRAME / 2.0 - 4.0;
                        let none = wrap(self.fonts, &vec![doc::Span { text: "no thumbnail".into(), style: Style::Muted }], TABLE, FRAME);
                        for l in &none {
                            self.draw_line(l, x + 6.0);
                        }
                    }
                }
                self.y = top + FRAME + 4.0;
                for l in caption {
                    self.draw_line(l, x);
                }
            }
            self.y = top + FRAME + 4.0 + caption_h + GAP;
        }
    }

    fn fields(&mut self, fields: &[(String, Vec<Line>)]) {
        let label_w = 108.0;
        for (label, value) in fields {
            let label_lines = wrap(self.fonts, &vec![doc::Span { text: label.clone(), style: Style::Strong }], 8.5, label_w - 6.0);
            let value_w = self.width() - label_w;
            let value_lines: Vec<TextLine> = value.iter().flat_map(|l| wrap(self.fonts, l, 8.5, value_w)).collect();
            let h = label_lines.iter().map(|l| l.height).sum::<f32>().max(value_lines.iter().map(|l| l.height).sum::<f32>()) + 4.0;
            self.ensure(h);
            let top = self.y;
            for l in &label_lines {
                self.draw_line(l, LEFT);
            }
            self.y = top;
            for l in &value_lines {
                self.draw_line(l, LEFT + label_w);
            }
            self.y = top + h;
            let y = self.y - 1.5;
            let x2 = self.right();
            self.page().push(Op::Rule { x1: LEFT, x2, y, width: 0.3 });
        }
        self.y += 6.0;
    }

    fn table(&mut self, t: &Table) {
        if t.rows.is_empty() {
            if !t.empty.is_empty() {
                let w = self.width();
                self.paragraph(&vec![doc::Span { text: t.empty.clone(), style: Style::Muted }], BODY, LEFT, w);
                self.y += 4.0;
            }
            return;
        }
        let total: f32 = t.columns.iter().map(|(_, w)| w).sum();
        let full = self.width();
        let widths: Vec<f32> = t.columns.iter().map(|(_, w)| w / total * full).collect();
        let header: Vec<Vec<TextLine>> = t
            .columns
            .iter()
            .zip(&widths)
            .map(|((title, _), w)| wrap(self.fonts, &vec![doc::Span { text: title.clone(), style: Style::Strong }], TABLE, w - 2.0 * PAD))
            .collect();
        let header_h = header.iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * PAD;
        let cells_of = |row: &Vec<Vec<Line>>| -> Vec<Vec<TextLine>> {
            row.iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    let mut ls = Vec::new();
                    for (i, l) in cell.iter().enumerate() {
                        let mut wrapped = wrap(self.fonts, l, TABLE, w - 2.0 * PAD);
                        if i > 0
                            && let Some(first) = wrapped.first_mut()
                        {
                            first.height += 1.2;
                            first.ascent += 1.2;
                        }
                        ls.extend(wrapped);
                    }
                    ls
                })
                .collect()
        };
        // The first row must fit under the header, or both go to a new page.
        let first_h = cells_of(&t.rows[0]).iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * PAD;
        let page_room = self.bottom() - TOP - header_h;
        self.ensure(header_h + first_h.min(page_room));
        self.table_header(&header, &widths, header_h);
        for (index, row) in t.rows.iter().enumerate() {
            let mut rest: Vec<Vec<TextLine>> = cells_of(row);
            loop {
                let need = rest.iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * PAD;
                let fresh = (self.y - (TOP + header_h)).abs() < 0.01;
                if need <= self.room() {
                    self.table_row(&rest, &widths, need, index);
                    break;
                }
                if !fresh {
                    self.new_page();
                    self.table_header(&header, &widths, header_h);
                    continue;
                }
                // Taller than a whole page: draw what fits, continue on the next.
                let avail = self.room() - 2.0 * PAD;
                let mut now = Vec::new();
                let mut later = Vec::new();
                for cell in rest {
                    let mut used = 0.0;
                    let mut take = 0;
                    for l in &cell {
                        if used + l.height > avail {
                            break;
                        }
                        used += l.height;
                        take += 1;
                    }
                    let mut cell = cell;
                    let tail = cell.split_off(take.max(usize::from(cell.len() == 1)).min(cell.len()));
                    now.push(cell);
                    later.push(tail);
                }
                let h = self.room();
                self.table_row(&now, &widths, h, index);
                rest = later;
                self.new_page();
                self.table_header(&header, &widths, header_h);
            }
        }
        self.y += 8.0;
    }

    fn table_header(&mut self, header: &[Vec<TextLine>], widths: &[f32], h: f32) {
        let top = self.y;
        let mut x = LEFT;
        for (cell, w) in header.iter().zip(widths) {
            self.page().push(Op::Fill { rect: (x, top, *w, h), grey: 225 });
            self.page().push(Op::Stroke { rect: (x, top, *w, h), grey: 120, width: 0.5 });
            self.y = top + PAD;
            for l in cell {
                self.draw_line(l, x + PAD);
            }
            x += w;
        }
        self.y = top + h;
    }

    fn table_row(&mut self, cells: &[Vec<TextLine>], widths: &[f32], h: f32, index: usize) {
        let top = self.y;
        let mut x = LEFT;
        for (cell, w) in cells.iter().zip(widths) {
            if index % 2 == 1 {
                self.page().push(Op::Fill { rect: (x, top, *w, h), grey: 246 });
            }
            self.page().push(Op::Stroke { rect: (x, top, *w, h), grey: 170, width: 0.4 });
            self.y = top + PAD;
            for l in cell {
                self.draw_line(l, x + PAD);
            }
            x += w;
        }
        self.y = top + h;
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w.max(0.01), h.max(0.01))?);
    pb.finish()
}

fn grey_fill(g: u8) -> Fill {
    Fill { paint: luma::Color::new(g).into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text { x, baseline, piece } => {
            surface.set_stroke(None);
            surface.set_fill(Some(grey_fill(piece.grey)));
            surface.draw_text(
                Point::from_xy(*x, *baseline),
                fonts.get(piece.font).krilla.clone(),
                piece.size,
                &piece.text,
                false,
                TextDirection::LeftToRight,
            );
        }
        Op::Fill { rect: (x, y, w, h), grey } => {
            if let Some(path) = rect(*x, *y, *w, *h) {
                surface.set_stroke(None);
                surface.set_fill(Some(grey_fill(*grey)));
                surface.draw_path(&path);
            }
        }
        Op::Stroke { rect: (x, y, w, h), grey, width } => {
            if let Some(path) = rect(*x, *y, *w, *h) {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { paint: luma::Color::new(*grey).into(), width: *width, ..Stroke::default() }));
                surface.draw_path(&path);
            }
        }
        Op::Image { rect: (x, y, w, h), jpeg } => {
            let data: krilla::Data = jpeg.as_ref().clone().into();
            // Made by this crate's own encoder, so it always parses; if it
            // did not, the grey frame would stay empty rather than fail.
            if let (Ok(image), Some(size)) = (Image::from_jpeg(data, true), Size::from_wh(*w, *h)) {
                surface.push_transform(&Transform::from_translate(*x, *y));
                surface.draw_image(image, size);
                surface.pop();
            }
        }
        Op::Rule { x1, x2, y, width } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y);
            pb.line_to(*x2, *y);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { paint: rgb::Color::new(40, 40, 40).into(), width: *width, ..Stroke::default() }));
                surface.draw_path(&path);
            }
        }
    }
}

/// The running header and footer of page `n` of `total`.
fn page_furniture(fonts: &Fonts, report: &Report, digest: &str, n: usize, total: usize, landscape: bool) -> Vec<Op> {
    let (page_w, page_h) = page_size(landscape);
    let right = page_w - LEFT;
    let piece = |text: String, font: FontId, size: f32, grey: u8| {
        let width = text.chars().map(|ch| fonts.char_width(fonts.covering(font, ch), size, ch)).sum();
        Piece { text, font, size, grey, width }
    };
    let left = piece(format!("Spoor report · case {}", report.case.case_number), FontId::Bold, 8.0, 40);
    let generated = piece(format!("generated {} UTC", report.generated_utc), FontId::Sans, 7.5, 70);
    let digest_piece = piece(format!("report digest {digest}"), FontId::Mono, 6.6, 40);
    let page = piece(format!("Page {n} of {total}"), FontId::Sans, 8.0, 40);
    let mut ops = vec![
        Op::Rule { x1: LEFT, x2: right, y: 42.0, width: 0.5 },
        Op::Rule { x1: LEFT, x2: right, y: page_h - 40.0, width: 0.5 },
    ];
    ops.push(Op::Text { x: right - generated.width, baseline: 36.0, piece: generated });
    ops.push(Op::Text { x: LEFT, baseline: 36.0, piece: left });
    ops.push(Op::Text { x: right - page.width, baseline: page_h - 28.0, piece: page });
    ops.push(Op::Text { x: LEFT, baseline: page_h - 28.0, piece: digest_piece });
    ops
}

fn pdf_date(utc: &str) -> Option<DateTime> {
    let t = time::OffsetDateTime::parse(utc, &time::format_description::well_known::Rfc3339).ok()?;
    Some(
        DateTime::new(u16::try_from(t.year()).ok()?)
            .month(u8::from(t.month()))
            .day(t.day())
            .hour(t.hour())
            .minute(t.minute())
            .second(t.second())
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// Lays the report out into pages (without drawing them).
fn lay_out<'f>(fonts: &'f Fonts, report: &Report, digest: &str) -> Layout<'f> {
    let mut layout = Layout::new(fonts);
    for block in doc::document(report, digest) {
        match &block {
            Block::Title { title, subtitle } => layout.title(title, subtitle),
            Block::Heading { level, text, .. } => layout.heading(*level, text),
            Block::Orientation { landscape } => layout.orientation(*landscape),
            Block::Para(l) => {
                let w = layout.width();
                layout.paragraph(l, BODY, LEFT, w);
                layout.y += 4.0;
            }
            Block::Bullets(items) => layout.bullets(items),
            Block::Fields(f) => layout.fields(f),
            Block::Table(t) => layout.table(t),
            Block::Notice(l) => layout.notice(l),
            Block::Pictures(cells) => layout.pictures(cells),
        }
    }
    layout
}

/// The text of every page as drawn, header and footer included, pieces
/// joined without separators (a word wrapped over two lines reads whole).
/// For tests and for checking what each page carries.
pub fn page_texts(report: &Report, digest: &str) -> Result<Vec<String>> {
    let fonts = Fonts::load()?;
    let pages = lay_out(&fonts, report, digest).pages;
    let total = pages.len();
    Ok(pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let furniture = page_furniture(&fonts, report, digest, i + 1, total, page.landscape);
            page.ops
                .iter()
                .chain(furniture.iter())
                .filter_map(|op| match op {
                    Op::Text { piece, .. } => Some(piece.text.as_str()),
                    _ => None,
                })
                .collect::<String>()
        })
        .collect())
}

/// Renders the report as a PDF.
pub fn render(report: &Report, digest: &str) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    let layout = lay_out(&fonts, report, digest);
    let Layout { pages, marks, .. } = layout;
    let total = pages.len();

    let mut document = krilla::Document::new();
    let title = doc::title(report);
    let mut metadata = Metadata::new()
        .title(title.clone())
        .creator(report.generator.label())
        .producer(format!("spoor-report {} (krilla)", env!("CARGO_PKG_VERSION")))
        .authors(vec![report.case.examiner.clone()])
        .description(format!("Case {}; report digest {digest}", report.case.case_number))
        .language("en".into());
    if let Some(date) = pdf_date(&report.generated_utc) {
        metadata = metadata.creation_date(date);
    }
    document.set_metadata(metadata);
    for (i, out) in pages.iter().enumerate() {
        let (w, h) = page_size(out.landscape);
        let settings = PageSettings::from_wh(w, h).ok_or_else(|| render_err("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in out.ops.iter().chain(page_furniture(&fonts, report, digest, i + 1, total, out.landscape).iter()) {
            draw(&mut surface, &fonts, op);
        }
        surface.finish();
        page.finish();
    }
    // The outline (bookmarks): level-1 headings with their level-2 children.
    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for mark in marks {
        let node = OutlineNode::new(mark.text, XyzDestination::new(mark.page, Point::from_xy(LEFT, mark.y)));
        if mark.level <= 1 {
            if let Some(done) = current.take() {
                outline.push_child(done);
            }
            current = Some(node);
        } else if let Some(parent) = current.as_mut() {
            parent.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(done) = current.take() {
        outline.push_child(done);
    }
    document.set_outline(outline);
    document.finish().map_err(|e| render_err(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Span;

    fn fonts() -> Fonts {
        Fonts::load().expect("the embedded fonts load")
    }

    #[test]
    fn wrapping_keeps_every_character_and_respects_the_width() {
        let f = fonts();
        let text = "Users/alex/Pictures/überblick ☃.png and a long digest 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let line = vec![Span { text: text.into(), style: Style::Normal }];
        let lines = wrap(&f, &line, 8.0, 80.0);
        assert!(lines.len() > 3, "{lines:?}");
        for l in &lines {
            let w: f32 = l.pieces.iter().map(|p| p.width).sum();
            assert!(w <= 80.0 + 0.01, "line wider than the column: {w}");
        }
        let joined: String = lines.iter().flat_map(|l| l.pieces.iter().map(|p| p.text.as_str())).collect::<Vec<_>>().join("");
        assert_eq!(joined.replace(' ', ""), text.replace(' ', ""), "no character may be lost");
    }

    #[test]
    fn characters_the_mono_font_lacks_fall_back_to_sans() {
        let f = fonts();
        // DejaVu Sans Mono lacks some symbols Sans has; whichever font is
        // picked must have the glyph.
        for ch in ['☃', 'ü', 'é', '€'] {
            let chosen = f.covering(FontId::Mono, ch);
            assert!(f.get(chosen).parsed.glyph_index(ch).is_some(), "{ch} has no glyph in {chosen:?}");
        }
    }
}
