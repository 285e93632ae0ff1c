//! The HTML report: one self-contained file. No external resource, no
//! script, no web font; a Content-Security-Policy that forbids loading
//! anything, so even a browser that would fetch something cannot. Inline
//! CSS with print rules: A4 pages, the case number, report digest and page
//! numbers in the page margins, table headers repeated on every page, rows
//! never split.

use std::fmt::Write as _;

use base64::prelude::{BASE64_STANDARD, Engine as _};

use crate::doc::{self, Block, Line, Span, Style, Table};
use crate::model::Report;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A CSS string literal: quotes, backslashes, line ends and `<` escaped,
/// so no value can end the string or the style element.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' | '\\' | '<' | '>' | '&' => {
                let _ = write!(out, "\\{:x} ", ch as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\{:x} ", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 70rem; padding: 1.5rem 2rem 3rem; font: 14px/1.45 "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #111; background: #fff; }
.running { display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; font-size: 11px; color: #555; border-bottom: 1px solid #bbb; padding-bottom: .3rem; margin-bottom: 1rem; }
h1.title { font-size: 1.6rem; margin: .2rem 0 0; }
p.subtitle { margin: 0 0 1rem; font-size: 1.1rem; color: #333; }
h2 { font-size: 1.25rem; margin: 1.8rem 0 .5rem; padding-bottom: .15rem; border-bottom: 2px solid #222; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; break-after: avoid; page-break-after: avoid; }
p { margin: .4rem 0 .6rem; }
ul { margin: .3rem 0 .8rem; padding-left: 1.4rem; }
li { margin: .25rem 0; }
code { font-family: "DejaVu Sans Mono", Consolas, "Liberation Mono", monospace; font-size: .86em; overflow-wrap: anywhere; word-break: break-all; }
.muted { color: #555; font-size: .9em; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .45rem; overflow-wrap: anywhere; }
table.grid { font-size: 12px; }
table.grid th { background: #e8e8e8; border: 1px solid #999; }
table.grid td { border: 1px solid #bbb; }
table.grid tbody tr:nth-child(even) td { background: #f6f6f6; }
table.fields th { width: 11rem; font-weight: 600; color: #333; border-bottom: 1px solid #ddd; }
table.fields td { border-bottom: 1px solid #ddd; }
td > div + div { margin-top: .15rem; }
p.notice { border: 1px solid #888; background: #f3f3f3; padding: .5rem .7rem; }
p.empty { font-style: italic; color: #444; }
div.pictures { display: flex; flex-wrap: wrap; gap: .8rem; margin: .6rem 0 1rem; }
div.pictures > input { position: absolute; opacity: 0; pointer-events: none; }
figure.pic { position: relative; width: 212px; margin: 0; border: 1px solid #bbb; padding: .4rem; font-size: 11px; break-inside: avoid; page-break-inside: avoid; }
figure.pic > input { position: absolute; opacity: 0; pointer-events: none; }
figure.pic .frame { position: relative; display: flex; align-items: center; justify-content: center; width: 200px; height: 200px; background: #ddd; overflow: hidden; }
figure.pic .frame img { max-width: 100%; max-height: 100%; object-fit: contain; filter: blur(14px) grayscale(1); }
figure.pic .frame label { position: absolute; inset: 0; cursor: pointer; }
figure.pic .frame label.hide { display: none; }
figure.pic > input:checked ~ .frame img { filter: none; }
figure.pic > input:checked ~ .frame label.show { display: none; }
figure.pic > input:checked ~ .frame label.hide { display: block; }
figure.pic > input:focus-visible ~ .frame { outline: 2px solid #225; }
figure.pic .frame span.none { padding: .5rem; color: #333; text-align: center; }
figure.pic figcaption { margin-top: .3rem; overflow-wrap: anywhere; }
footer { margin-top: 2rem; border-top: 1px solid #bbb; padding-top: .4rem; font-size: 11px; color: #555; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .running, footer { display: none; }
  table.grid { font-size: 8pt; }
  thead { display: table-header-group; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-before: auto; }
  section.landscape { page: landscape; }
  a { color: inherit; text-decoration: none; }
  figure.pic .frame img { filter: blur(14px) grayscale(1) !important; }
}
"#;

fn spans(out: &mut String, line: &Line) {
    for Span { text, style } in line {
        let text = escape(text);
        match style {
            Style::Normal => out.push_str(&text),
            Style::Strong => {
                let _ = write!(out, "<strong>{text}</strong>");
            }
            Style::Code => {
                let _ = write!(out, "<code>{text}</code>");
            }
            Style::Muted => {
                let _ = write!(out, "<span class=\"muted\">{text}</span>");
            }
        }
    }
}

fn lines(out: &mut String, cell: &[Line]) {
    for l in cell {
        out.push_str("<div>");
        spans(out, l);
        out.push_str("</div>");
    }
}

fn table(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        if !t.empty.is_empty() {
            let _ = writeln!(out, "<p class=\"empty\">{}</p>", escape(&t.empty));
        }
        return;
    }
    let total: f32 = t.columns.iter().map(|(_, w)| w).sum();
    out.push_str("<table class=\"grid\">\n<colgroup>");
    for (_, w) in &t.columns {
        let _ = write!(out, "<col style=\"width:{:.1}%\">", w / total * 100.0);
    }
    out.push_str("</colgroup>\n<thead><tr>");
    for (title, _) in &t.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(title));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str("<td>");
            lines(out, cell);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// A grid of blurred, grey thumbnails. Radio buttons (no script) reveal
/// one at a time: a click on a picture shows it clearly, a click on the
/// clear picture blurs it again, revealing another blurs the first.
fn pictures(out: &mut String, cells: &[doc::PictureCell]) {
    if cells.is_empty() {
        out.push_str("<p class=\"empty\">No file with a hit is shown.</p>\n");
        return;
    }
    out.push_str("<div class=\"pictures\">\n<input type=\"radio\" name=\"reveal\" id=\"reveal-none\" checked aria-label=\"all pictures blurred\">\n");
    for (i, cell) in cells.iter().enumerate() {
        let _ = write!(out, "<figure class=\"pic\"><input type=\"radio\" name=\"reveal\" id=\"reveal-{i}\" aria-label=\"reveal picture {}\"><div class=\"frame\">", i + 1);
        match &cell.thumbnail {
            Some(t) => {
                let _ = write!(
                    out,
                    "<img alt=\"thumbnail, blurred until revealed\" width=\"{}\" height=\"{}\" src=\"data:image/jpeg;base64,{}\"><label class=\"show\" for=\"reveal-{i}\" title=\"Click to reveal this picture\"></label><label class=\"hide\" for=\"reveal-none\" title=\"Click to blur it again\"></label>",
                    t.width,
                    t.height,
                    BASE64_STANDARD.encode(&t.jpeg)
                );
            }
            None => out.push_str("<span class=\"none\">no thumbnail</span>"),
        }
        out.push_str("</div><figcaption>");
        lines(out, &cell.caption);
        out.push_str("</figcaption></figure>\n");
    }
    out.push_str("</div>\n");
}

/// Renders the report as one HTML document.
pub fn render(report: &Report, digest: &str) -> String {
    let title = doc::title(report);
    let case_number = &report.case.case_number;
    let mut out = String::with_capacity(64 * 1024 + report.hits.len() * 2048);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may be loaded from anywhere: not even an image or a font.
    // Thumbnails, when asked for, are inside the file as data: URLs.
    let img_src = if report.pictures.is_empty() { "'none'" } else { "data:" };
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src {img_src}; base-uri 'none'; form-action 'none'\">"
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let _ = writeln!(out, "<meta name=\"generator\" content=\"{}\">", escape(&report.generator.label()));
    let _ = writeln!(out, "<meta name=\"spoor-report-digest\" content=\"{digest}\">");
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    out.push_str("<style>");
    out.push_str(CSS);
    // The page margins of a printout: case number, digest, page numbers.
    let _ = writeln!(
        out,
        "@page {{ size: A4; margin: 16mm 12mm 18mm; @top-left {{ content: {}; font: 8pt sans-serif; color: #444; }} @top-right {{ content: {}; font: 8pt sans-serif; color: #444; }} @bottom-left {{ content: {}; font: 7pt monospace; color: #444; }} @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 8pt sans-serif; color: #444; }} }}",
        css_string(&format!("Spoor report · case {case_number}")),
        css_string(&format!("generated {} UTC", report.generated_utc)),
        css_string(&format!("report digest {digest}")),
    );
    out.push_str("@page landscape { size: A4 landscape; }\n");
    out.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        out,
        "<div class=\"running\"><span>Spoor report · case {}</span><span>report digest <code>{digest}</code></span></div>",
        escape(case_number)
    );
    out.push_str("<main>\n");
    for block in doc::document(report, digest) {
        match &block {
            Block::Title { title, subtitle } => {
                let _ = writeln!(out, "<h1 class=\"title\">{}</h1>\n<p class=\"subtitle\">{}</p>", escape(title), escape(subtitle));
            }
            Block::Heading { level, id, text } => {
                let h = if *level <= 1 { "h2" } else { "h3" };
                let _ = writeln!(out, "<{h} id=\"{}\">{}</{h}>", escape(id), escape(text));
            }
            Block::Para(l) => {
                out.push_str("<p>");
                spans(&mut out, l);
                out.push_str("</p>\n");
            }
            Block::Notice(l) => {
                out.push_str("<p class=\"notice\">");
                spans(&mut out, l);
                out.push_str("</p>\n");
            }
            Block::Bullets(items) => {
                out.push_str("<ul>\n");
                for l in items {
                    out.push_str("<li>");
                    spans(&mut out, l);
                    out.push_str("</li>\n");
                }
                out.push_str("</ul>\n");
            }
            Block::Fields(fields) => {
                out.push_str("<table class=\"fields\">\n");
                for (label, value) in fields {
                    let _ = write!(out, "<tr><th scope=\"row\">{}</th><td>", escape(label));
                    lines(&mut out, value);
                    out.push_str("</td></tr>\n");
                }
                out.push_str("</table>\n");
            }
            Block::Table(t) => table(&mut out, t),
            Block::Orientation { landscape: true } => out.push_str("<section class=\"landscape\">\n"),
            Block::Orientation { landscape: false } => out.push_str("</section>\n"),
            Block::Pictures(cells) => pictures(&mut out, cells),
        }
    }
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer>{} · case {} · generated {} UTC by {} · report digest <code>{digest}</code></footer>",
        escape(&title),
        escape(case_number),
        escape(&report.generated_utc),
        escape(&report.generator.label())
    );
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_css_strings_cannot_break_out() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        let s = css_string("a\"b\\c</style>\n");
        assert!(!s[1..s.len() - 1].contains('"'), "{s}");
        assert!(!s.contains("</style>") && !s.contains('\n'), "{s}");
    }
}
