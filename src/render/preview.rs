//! The link-preview image (`preview.png`, 1200×630): the essay's title, its author and the
//! grid with its shading, for the card a forum or chat shows when the link is shared.
//!
//! The layout (where each line and cell goes) is computed here; the theme's
//! `templates/preview.svg` turns it into SVG, so a theme can redraw the card; resvg
//! rasterizes it with the fonts in the theme's `fonts/` folder only (never the system's),
//! so the image is the same on every machine.
//!
//! Drawing is over a third of a build from a clean folder (bench/RESULTS.md, "The preview
//! image's cost"), so the PNG carries a hash of what it
//! was drawn from (its SVG, fonts and quire's version) in a `tEXt` chunk; the build passes
//! the previous site's `preview.png` back in, and an unchanged card is reused as it is.

use serde::Serialize;

use crate::resolve::Linked;

/// Where the image is written in the site.
pub const PATH: &str = "preview.png";
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
/// The template a theme provides to draw the image.
pub const TEMPLATE: &str = "preview.svg";

/// What the template draws, with every position already computed.
#[derive(Debug, Serialize)]
pub struct PreviewLayout {
    pub width: u32,
    pub height: u32,
    pub title: Vec<TextLine>,
    pub title_size: f64,
    pub byline: Option<TextLine>,
    pub grid: Option<GridLayout>,
    /// What the image shows, in words (`og:image:alt`).
    pub alt: String,
}

#[derive(Debug, Serialize)]
pub struct TextLine {
    pub text: String,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Serialize)]
pub struct GridLayout {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub font_size: f64,
    pub columns: Vec<Label>,
    pub rows: Vec<Label>,
    pub cells: Vec<CellBox>,
}

/// An axis label, with its lines and the box it sits in.
#[derive(Debug, Serialize)]
pub struct Label {
    pub lines: Vec<TextLine>,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Serialize)]
pub struct CellBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The shading, as on the page: `#rrggbb`.
    pub fill: String,
    /// The cell's name, wrapped to fit; empty when the cell is too small for text.
    pub lines: Vec<TextLine>,
}

/// Average advance of a DejaVu Sans glyph, in ems: enough to wrap lines, which need not
/// be exact (the font is fixed, so the result is the same everywhere).
const EM_ADVANCE: f64 = 0.56;

/// The card's layout for the linked essay.
pub fn layout(linked: &Linked, essay_title: &str) -> PreviewLayout {
    let front = &linked.content.essay.front;
    let margin = 56.0;
    let has_grid = linked.grid.is_some();
    let text_width = if has_grid { 440.0 } else { 1088.0 };

    // The title: as large as fits in five lines.
    let mut title_size = 60.0;
    let mut title_lines = wrap(essay_title, text_width, title_size);
    while title_lines.len() > 5 && title_size > 28.0 {
        title_size -= 4.0;
        title_lines = wrap(essay_title, text_width, title_size);
    }
    title_lines.truncate(5);
    let line_height = title_size * 1.18;
    let top = margin + title_size;
    let title: Vec<TextLine> = title_lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| TextLine {
            text,
            x: margin,
            y: top + i as f64 * line_height,
        })
        .collect();
    let after_title = title.last().map_or(top, |l| l.y) + 64.0;
    let byline_text = [
        front.author.clone(),
        front.date.and_then(|d| d.date).map(|d| d.year.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let byline = (!byline_text.is_empty()).then(|| TextLine {
        text: byline_text,
        x: margin,
        y: after_title.min(f64::from(HEIGHT) - margin),
    });

    let grid = linked.grid.as_ref().map(|g| {
        let (x0, y0) = (560.0, margin);
        let (width, height) = (
            f64::from(WIDTH) - margin - x0,
            f64::from(HEIGHT) - 2.0 * margin,
        );
        let (rows, cols) = (g.rows.len().max(1), g.columns.len().max(1));
        let label_width = (width * 0.24).min(150.0);
        let label_height = (height * 0.16).min(64.0);
        let cell_w = (width - label_width) / cols as f64;
        let cell_h = (height - label_height) / rows as f64;
        // One size for the whole grid, small enough that its longest word fits a cell
        // (a word is never cut while the size can still shrink).
        let longest = g
            .cells
            .iter()
            .map(|c| c.name.as_str())
            .chain(g.columns.iter().map(|c| c.label.as_str()))
            .flat_map(|t| t.split(|ch: char| ch.is_whitespace() || ch == '-'))
            .map(|w| w.chars().count() + 1)
            .max()
            .unwrap_or(1) as f64;
        let row_longest = g
            .rows
            .iter()
            .flat_map(|r| r.label.split(|ch: char| ch.is_whitespace() || ch == '-'))
            .map(|w| w.chars().count() + 1)
            .max()
            .unwrap_or(1) as f64;
        let font_size = (cell_h / 3.2)
            .clamp(11.0, 18.0)
            .min((cell_w - 12.0) / (longest * EM_ADVANCE))
            .min((label_width - 12.0) / (row_longest * EM_ADVANCE))
            .max(9.0);
        let columns = g
            .columns
            .iter()
            .enumerate()
            .map(|(c, axis)| {
                let x = x0 + label_width + c as f64 * cell_w;
                label(&axis.label, x, y0, cell_w, label_height, font_size)
            })
            .collect();
        let row_labels = g
            .rows
            .iter()
            .enumerate()
            .map(|(r, axis)| {
                let y = y0 + label_height + r as f64 * cell_h;
                label(&axis.label, x0, y, label_width, cell_h, font_size)
            })
            .collect();
        let cells = g
            .cells
            .iter()
            .map(|cell| {
                let x = x0 + label_width + cell.column as f64 * cell_w;
                let y = y0 + label_height + cell.row as f64 * cell_h;
                let s = super::grid::spectrum_position(g, cell.row, cell.column);
                let boxed = label(&cell.name, x, y, cell_w, cell_h, font_size);
                CellBox {
                    x,
                    y,
                    width: cell_w,
                    height: cell_h,
                    fill: shade(s),
                    lines: boxed.lines,
                }
            })
            .collect();
        GridLayout {
            x: x0,
            y: y0,
            width,
            height,
            font_size,
            columns,
            rows: row_labels,
            cells,
        }
    });

    let mut alt = format!("“{essay_title}”");
    if let Some(author) = &front.author {
        alt.push_str(&format!(" by {author}"));
    }
    if let Some(g) = &linked.grid {
        alt.push_str(&format!(
            ", beside the essay’s grid of {} rows ({}) by {} columns ({}), shaded from one corner to the other",
            g.rows.len(),
            g.rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>().join(", "),
            g.columns.len(),
            g.columns.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(", "),
        ));
    }
    alt.push('.');
    PreviewLayout {
        width: WIDTH,
        height: HEIGHT,
        title,
        title_size,
        byline,
        grid,
        alt,
    }
}

/// Text wrapped into a box and centred in it; lines that don't fit are dropped, the
/// last kept one ending in an ellipsis.
fn label(text: &str, x: f64, y: f64, width: f64, height: f64, size: f64) -> Label {
    let pad = 6.0;
    let line_height = size * 1.2;
    let max_lines = ((height - 2.0 * pad) / line_height).floor().max(0.0) as usize;
    let mut lines = wrap(text, width - 2.0 * pad, size);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    let block = lines.len() as f64 * line_height;
    let first = y + (height - block) / 2.0 + size * 0.9;
    Label {
        lines: lines
            .into_iter()
            .enumerate()
            .map(|(i, text)| TextLine {
                text,
                x: x + width / 2.0,
                y: first + i as f64 * line_height,
            })
            .collect(),
        x,
        y,
        width,
        height,
    }
}

/// Greedy word wrap by estimated advance; a word longer than a line is cut.
fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let per_line = ((width / (size * EM_ADVANCE)).floor() as usize).max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // Break after a hyphen too ("Concept-based" over two lines as "Concept-" "based").
    let words = text.split_whitespace().flat_map(|w| {
        let mut parts = Vec::new();
        let mut start = 0;
        for (i, ch) in w.char_indices() {
            if ch == '-' && i + 1 < w.len() && i > 0 {
                parts.push((&w[start..=i], false));
                start = i + 1;
            }
        }
        parts.push((&w[start..], true));
        parts
    });
    let mut glue = false;
    for (word, ends_word) in words {
        let mut word: String = word.to_string();
        while word.chars().count() > per_line {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let cut: String = word.chars().take(per_line).collect();
            word = word.chars().skip(per_line).collect();
            lines.push(cut);
        }
        let space = usize::from(!line.is_empty() && !glue);
        let needed = line.chars().count() + space + word.chars().count();
        if needed > per_line && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() && !glue {
            line.push(' ');
        }
        line.push_str(&word);
        // The part after a hyphen joins it without a space.
        glue = !ends_word;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The eight bytes every PNG file starts with.
#[cfg_attr(not(feature = "preview"), allow(dead_code))]
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// The `tEXt` keyword under which the PNG records what it was drawn from.
const HASH_KEYWORD: &str = "quire-preview";

/// The hash of everything that decides the image's pixels: FNV-1a over 8-byte words
/// (a byte at a time took 1.7 ms over the 1.4 MB of the built-in fonts, paid on every
/// build; a word at a time is an eighth of that). Each step is a bijection of the state,
/// so any one changed word changes the hash.
pub fn source_hash(svg: &str, fonts: &[Vec<u8>]) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        let words = bytes.chunks_exact(8);
        let tail = words.remainder();
        for w in words {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            h = (h ^ w).wrapping_mul(PRIME);
        }
        for &b in tail {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        // The length ends the field, so moving bytes between fields changes the hash.
        h = (h ^ bytes.len() as u64 ^ 0xff00_0000_0000_0000).wrapping_mul(PRIME);
    };
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    feed(svg.as_bytes());
    for font in fonts {
        feed(font);
    }
    format!("{h:016x}")
}

/// The hash a PNG of ours records, if any.
pub fn recorded_hash(png: &[u8]) -> Option<String> {
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().ok()?) as usize;
        let kind = &png[at + 4..at + 8];
        let data = png.get(at + 8..at + 8 + len)?;
        if kind == b"tEXt" {
            let mut parts = data.splitn(2, |&b| b == 0);
            if parts.next() == Some(HASH_KEYWORD.as_bytes()) {
                return parts
                    .next()
                    .map(|t| String::from_utf8_lossy(t).into_owned());
            }
        }
        if kind == b"IDAT" {
            return None;
        }
        at += 12 + len;
    }
    None
}

/// Appends one PNG chunk to `png`: its length, type, data and the CRC of type and data.
#[cfg_attr(not(feature = "preview"), allow(dead_code))]
fn push_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// The data of the `tEXt` chunk that records `hash` (read back by [`recorded_hash`]).
#[cfg_attr(not(feature = "preview"), allow(dead_code))]
fn hash_text(hash: &str) -> Vec<u8> {
    let mut data = Vec::from(HASH_KEYWORD.as_bytes());
    data.push(0);
    data.extend_from_slice(hash.as_bytes());
    data
}

/// The PNG for `svg`: the previous one when it was drawn from the same source, else a
/// new one. Errors are messages about the SVG (a theme's template can be wrong).
#[cfg(feature = "preview")]
pub fn rasterize(
    svg: &str,
    fonts: Vec<Vec<u8>>,
    previous: Option<&[u8]>,
) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let hash = source_hash(svg, &fonts);
    if let Some(old) = previous
        && recorded_hash(old).as_deref() == Some(hash.as_str())
    {
        return Ok(old.to_vec());
    }
    let mut options = usvg::Options::default();
    // Only the theme's fonts: a system font would make the image differ between machines.
    let db = options.fontdb_mut();
    // Moved in, not copied: 1.4 MB of fresh pages for the built-in fonts.
    for font in fonts {
        db.load_font_data(font);
    }
    let family = db
        .faces()
        .next()
        .and_then(|face| face.families.first())
        .map(|(family, _)| family.clone());
    if let Some(family) = family {
        options.font_family = family;
    }
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or("the image has no size")?;
    let size = tree.size();
    let scale = tiny_skia::Transform::from_scale(
        WIDTH as f32 / size.width(),
        HEIGHT as f32 / size.height(),
    );
    resvg::render(&tree, scale, &mut pixmap.as_mut());
    encode(&pixmap, &hash).map_err(|e| e.to_string())
}

/// The pixmap as a PNG, with a `tEXt` chunk recording `hash`. A card with no transparency (the built-in one: its first rect
/// covers it) is stored as RGB, a quarter fewer bytes to filter and compress; otherwise
/// RGBA, un-premultiplied. Every row is filtered by the row above (`Up`) and the whole
/// image deflated at zlib's fastest level in one call: about 3 ms and 56 KB for the
/// built-in card, where tiny-skia's encoder (zlib's default level, adaptive filters, the
/// rows fed to the compressor one by one) took 10 to 15 ms for 42 KB
/// (bench/RESULTS.md, "The preview image's cost").
#[cfg(feature = "preview")]
fn encode(pixmap: &resvg::tiny_skia::Pixmap, hash: &str) -> Result<Vec<u8>, std::io::Error> {
    use std::io::Write;
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == u8::MAX);
    let (channels, colour_type) = if opaque { (3, 2) } else { (4, 6) };
    let (width, height) = (pixmap.width(), pixmap.height());
    let stride = width as usize * channels;
    // Each row: the filter type (2, Up), then each byte less the one above it (the row
    // above the first is zeros). An opaque card is filtered straight from the pixmap: its
    // premultiplied colour is the colour itself, and the alpha byte is dropped.
    let mut filtered = vec![0; (stride + 1) * height as usize];
    if opaque {
        up::<4, 3>(&mut filtered, pixmap.data(), width as usize);
    } else {
        let raw: Vec<u8> = pixmap
            .pixels()
            .iter()
            .flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            })
            .collect();
        up::<4, 4>(&mut filtered, &raw, width as usize);
    }
    let mut zlib = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(filtered.len() / 16),
        flate2::Compression::fast(),
    );
    zlib.write_all(&filtered)?;
    let idat = zlib.finish()?;

    let mut png = PNG_SIGNATURE.to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, the colour type, deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, colour_type, 0, 0, 0]);
    push_chunk(&mut png, b"IHDR", &header);
    push_chunk(&mut png, b"tEXt", &hash_text(hash));
    push_chunk(&mut png, b"IDAT", &idat);
    push_chunk(&mut png, b"IEND", &[]);
    Ok(png)
}

/// Rows of `width` pixels of `C` bytes in `raw`, Up-filtered into `filtered` keeping the
/// first `K` bytes of each pixel (constants, so the compiler unrolls the inner loop).
#[cfg(feature = "preview")]
fn up<const C: usize, const K: usize>(filtered: &mut [u8], raw: &[u8], width: usize) {
    let raw_stride = width * C;
    for (y, out) in filtered.chunks_exact_mut(K * width + 1).enumerate() {
        out[0] = 2;
        let row = raw[y * raw_stride..(y + 1) * raw_stride].chunks_exact(C);
        let out = out[1..].chunks_exact_mut(K);
        if y == 0 {
            for (o, px) in out.zip(row) {
                o.copy_from_slice(&px[..K]);
            }
        } else {
            let above = raw[(y - 1) * raw_stride..y * raw_stride].chunks_exact(C);
            for ((o, px), a) in out.zip(row).zip(above) {
                for i in 0..K {
                    o[i] = px[i].wrapping_sub(a[i]);
                }
            }
        }
    }
}

/// Without the `preview` feature there is no rasterizer: no image.
#[cfg(not(feature = "preview"))]
pub fn rasterize(_: &str, _: Vec<Vec<u8>>, _: Option<&[u8]>) -> Result<Vec<u8>, String> {
    Err("quire was built without the `preview` feature".into())
}

/// The grid's capabilities-to-alignment shading for a position `s` in 0..=1, as the web
/// page computes it in CSS (`20-grid.css`): the accent colour, 4 % to 34 %, over the page's
/// background.
pub fn shade(s: f64) -> String {
    let s = s.clamp(0.0, 1.0);
    let accent = [0xa3, 0x3b, 0x20];
    let background = [0xff, 0xff, 0xf8];
    let share = 0.04 + s * 0.30;
    let mix = |i: usize| {
        (f64::from(accent[i]) * share + f64::from(background[i]) * (1.0 - share)).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries() {
        let lines = wrap("Defining alignment research", 300.0, 40.0);
        assert_eq!(lines, ["Defining", "alignment", "research"]);
        assert_eq!(wrap("a b c", 1000.0, 10.0), ["a b c"]);
        assert_eq!(wrap("Concept-based x", 1000.0, 10.0), ["Concept-based x"]);
        assert_eq!(wrap("Concept-based", 60.0, 10.0), ["Concept-", "based"]);
    }

    #[test]
    fn the_source_hash_sees_every_byte_and_every_boundary() {
        let font: Vec<u8> = (0..1001u32).map(|i| (i * 7) as u8).collect();
        let base = source_hash("<svg/>", std::slice::from_ref(&font));
        assert_eq!(base, source_hash("<svg/>", std::slice::from_ref(&font)));
        // One byte changed anywhere: inside a word, in the tail, high or low bits.
        for at in [0, 7, 8, 500, 999, 1000] {
            for bit in [0x01, 0x80] {
                let mut changed = font.clone();
                changed[at] ^= bit;
                assert_ne!(
                    base,
                    source_hash("<svg/>", &[changed]),
                    "byte {at} bit {bit:#x}"
                );
            }
        }
        assert_ne!(base, source_hash("<svg />", std::slice::from_ref(&font)));
        // The same bytes split differently between the fonts.
        let (a, b) = font.split_at(400);
        assert_ne!(
            source_hash("", &[a.to_vec(), b.to_vec()]),
            source_hash("", &[font[..401].to_vec(), font[401..].to_vec()])
        );
    }

    #[test]
    fn hash_round_trips_through_the_png() {
        // A minimal PNG: signature, IHDR, IEND; then with the tEXt chunk after IHDR.
        let png = |text: Option<&str>| {
            let mut png = PNG_SIGNATURE.to_vec();
            push_chunk(&mut png, b"IHDR", &[0; 13]);
            if let Some(hash) = text {
                push_chunk(&mut png, b"tEXt", &hash_text(hash));
            }
            push_chunk(&mut png, b"IEND", &[]);
            png
        };
        assert_eq!(recorded_hash(&png(None)), None);
        let tagged = png(Some("0123abcd"));
        assert_eq!(recorded_hash(&tagged).as_deref(), Some("0123abcd"));
    }
}
