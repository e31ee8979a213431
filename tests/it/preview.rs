//! The link-preview image: `preview.png` is 1200x630, the same bytes on every build, shows
//! the grid with the page's shading (checked pixel by pixel on the 2x4 fixture), is reused
//! when nothing it shows changed and redrawn when something did, can be redrawn by a
//! theme's own `preview.svg` (opaque cards stored as RGB, transparent ones with their
//! alpha), and is announced with og:image tags when `base_url` is set.

use std::path::Path;

use resvg::tiny_skia::Pixmap;

use crate::support::{build, output_text, repo};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temp project with the `content/` of `from`.
fn project(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&from.join("content"), &dir.path().join("content"));
    dir
}

fn built_preview(root: &Path, out: &Path) -> Vec<u8> {
    let o = build(root, out);
    assert!(o.status.success(), "{}", output_text(&o));
    std::fs::read(out.join("preview.png")).expect("preview.png is written")
}

fn pixel(p: &Pixmap, x: u32, y: u32) -> (u8, u8, u8) {
    let c = p.pixel(x, y).expect("inside the image").demultiply();
    (c.red(), c.green(), c.blue())
}

fn hex(rgb: &str) -> (u8, u8, u8) {
    let v = |i: usize| u8::from_str_radix(&rgb[i..i + 2], 16).unwrap();
    (v(1), v(3), v(5))
}

#[test]
fn default_essay_preview_is_1200x630_deterministic_and_shows_the_grid() {
    let p = project(&repo());
    let a = built_preview(p.path(), &p.path().join("a"));
    let b = built_preview(p.path(), &p.path().join("b"));
    assert!(a == b, "two fresh builds draw different images");
    let img = Pixmap::decode_png(&a).expect("a PNG");
    assert_eq!((img.width(), img.height()), (1200, 630));
    // The grid's region (right half) is not blank: many colours, dark text in it.
    let mut colours = std::collections::BTreeSet::new();
    let mut dark = 0;
    for y in (120..570).step_by(3) {
        for x in (700..1140).step_by(3) {
            let (r, g, b) = pixel(&img, x, y);
            colours.insert((r, g, b));
            if u32::from(r) + u32::from(g) + u32::from(b) < 200 {
                dark += 1;
            }
        }
    }
    assert!(
        colours.len() > 20,
        "the grid region has {} colours",
        colours.len()
    );
    assert!(
        dark > 100,
        "no text in the grid region ({dark} dark pixels)"
    );
    // The title's region has text too.
    let title_dark = (60..260)
        .step_by(2)
        .flat_map(|y| (56..500).step_by(2).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let (r, g, b) = pixel(&img, x, y);
            u32::from(r) + u32::from(g) + u32::from(b) < 200
        })
        .count();
    assert!(
        title_dark > 500,
        "no title drawn ({title_dark} dark pixels)"
    );
}

/// The 2x4 fixture: eight cells in two rows of four, each filled with the page's shade
/// for its place on the spectrum (0 top-left to 1 bottom-right).
#[test]
fn grid_2x4_cells_carry_the_pages_shading() {
    let p = project(&repo().join("tests/fixtures/valid/grid-2x4"));
    let png = built_preview(p.path(), &p.path().join("site"));
    let img = Pixmap::decode_png(&png).unwrap();
    // The layout quire computes for a 2x4 grid (src/render/preview.rs).
    let (x0, y0, width, height) = (560.0, 56.0, 584.0, 518.0);
    let (label_w, label_h) = (width * 0.24_f64, 64.0);
    let (cell_w, cell_h) = ((width - label_w) / 4.0, (height - label_h) / 2.0);
    for r in 0..2 {
        for c in 0..4 {
            let x = (x0 + label_w + c as f64 * cell_w + 6.0) as u32;
            let y = (y0 + label_h + r as f64 * cell_h + 6.0) as u32;
            let s = (r + c) as f64 / 4.0;
            let expected = hex(&quire::epub::shade(s));
            let got = pixel(&img, x, y);
            let close = |a: u8, b: u8| a.abs_diff(b) <= 1;
            assert!(
                close(got.0, expected.0) && close(got.1, expected.1) && close(got.2, expected.2),
                "cell ({r}, {c}) at ({x}, {y}) is {got:?}, the page's shade is {expected:?}"
            );
        }
    }
    assert_ne!(hex(&quire::epub::shade(0.0)), hex(&quire::epub::shade(1.0)));
}

#[test]
fn an_unchanged_preview_is_reused_and_a_changed_one_redrawn() {
    let p = project(&repo().join("tests/fixtures/valid/grid-2x4"));
    let out = p.path().join("site");
    let first = built_preview(p.path(), &out);
    // Mark the image so a reuse shows: flip a byte of its last chunk's CRC (the recorded
    // hash, which comes before the pixels, is untouched).
    let mut marked = first.clone();
    let at = marked.len() - 1;
    marked[at] ^= 0xff;
    std::fs::write(out.join("preview.png"), &marked).unwrap();
    let second = built_preview(p.path(), &out);
    assert!(second == marked, "an unchanged preview was drawn again");
    // A new title is a new image.
    let essay = p.path().join("content/essay.md");
    let text = std::fs::read_to_string(&essay).unwrap();
    std::fs::write(
        &essay,
        text.replace("A garden through the year", "A garden in four seasons"),
    )
    .unwrap();
    let third = built_preview(p.path(), &out);
    assert!(
        third != marked && third != first,
        "a changed title kept the old image"
    );
    assert_eq!(Pixmap::decode_png(&third).unwrap().width(), 1200);
}

#[test]
fn a_theme_can_replace_the_svg_template() {
    let p = project(&repo().join("tests/fixtures/valid/grid-2x4"));
    let theme = p.path().join("themes/default");
    copy_dir(
        &repo().join("themes/default/templates"),
        &theme.join("templates"),
    );
    copy_dir(&repo().join("themes/default/static"), &theme.join("static"));
    std::fs::write(
        theme.join("templates/preview.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{{ preview.width }}" height="{{ preview.height }}"><rect width="100%" height="100%" fill="#00ff00"/><text x="40" y="300" font-size="80">{{ preview.title[0].text }}</text></svg>"##,
    )
    .unwrap();
    let png = built_preview(p.path(), &p.path().join("site"));
    let img = Pixmap::decode_png(&png).unwrap();
    assert_eq!((img.width(), img.height()), (1200, 630));
    assert_eq!(
        pixel(&img, 1100, 600),
        (0, 255, 0),
        "the theme's background"
    );
    // Text in the theme's template is drawn with the default theme's fonts (the theme
    // brings none).
    let dark = (230..310)
        .flat_map(|y| (40..700).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&img, x, y).1 < 100)
        .count();
    assert!(dark > 300, "the title was not drawn ({dark} dark pixels)");
}

/// A card with no transparency is stored as RGB (the smaller, faster encoding), one with
/// transparency keeps its alpha: a theme's template that leaves half the card clear.
#[test]
fn an_opaque_card_is_rgb_and_a_transparent_one_keeps_its_alpha() {
    // PNG colour type: byte 25 of the file (signature 8, IHDR length and type 8, width and
    // height 8, bit depth 1). 2 is RGB, 6 is RGBA.
    let colour_type = |png: &[u8]| png[25];
    let p = project(&repo());
    let opaque = built_preview(p.path(), &p.path().join("site"));
    assert_eq!(colour_type(&opaque), 2, "the built-in card is opaque: RGB");

    let p = project(&repo().join("tests/fixtures/valid/grid-2x4"));
    let theme = p.path().join("themes/default");
    copy_dir(
        &repo().join("themes/default/templates"),
        &theme.join("templates"),
    );
    copy_dir(&repo().join("themes/default/static"), &theme.join("static"));
    std::fs::write(
        theme.join("templates/preview.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{{ preview.width }}" height="{{ preview.height }}"><rect width="600" height="100%" fill="#0000ff" fill-opacity="0.5"/></svg>"##,
    )
    .unwrap();
    let png = built_preview(p.path(), &p.path().join("site"));
    assert_eq!(colour_type(&png), 6, "a card with transparency: RGBA");
    let img = Pixmap::decode_png(&png).unwrap();
    let half = img.pixel(300, 300).unwrap().demultiply();
    assert_eq!(
        (half.red(), half.green(), half.blue()),
        (0, 0, 255),
        "the half-clear blue keeps its colour"
    );
    assert!(
        (126..=129).contains(&half.alpha()),
        "and its half alpha: {}",
        half.alpha()
    );
    assert_eq!(img.pixel(900, 300).unwrap().alpha(), 0, "the rest is clear");
}

#[test]
fn og_image_tags_only_with_base_url() {
    let p = project(&repo());
    std::fs::write(
        p.path().join("quire.toml"),
        "base_url = \"https://example.org/essay\"\n",
    )
    .unwrap();
    let out = p.path().join("site");
    built_preview(p.path(), &out);
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains(
        "<meta property=\"og:image\" content=\"https://example.org/essay/preview.png\">"
    ));
    assert!(index.contains("<meta property=\"og:image:width\" content=\"1200\">"));
    assert!(index.contains("<meta property=\"og:image:alt\" content=\"“Defining alignment research” by Richard Ngo, beside the essay’s grid of 3 rows"));
    assert!(index.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    let cell = std::fs::read_to_string(out.join("cells/cognitivist-worst.html")).unwrap();
    assert!(
        cell.contains("content=\"https://example.org/essay/preview.png\""),
        "every page shares the card"
    );

    let p = project(&repo());
    let out = p.path().join("site");
    built_preview(p.path(), &out);
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !index.contains("og:image"),
        "a relative og:image is useless to a crawler"
    );
}
