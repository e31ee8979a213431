//! The second-essay fixture (another subject, a 2x4 grid, Rust and Python code, a PNG and
//! an SVG figure, a thread from no named forum) in a real browser: from file://, over HTTP
//! and as the single file, every page is clean (no failed request, axe in both schemes),
//! both figures are shown at the size their files declare, and code is coloured in both
//! colour schemes.

use crate::harness::*;
use crate::support::{fixture_copy, output_text};

/// Builds the fixture into `<tmp>/site` and exports `<tmp>/single.html`.
fn built() -> tempfile::TempDir {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    for args in [
        vec!["build", "--out", "../site"],
        vec!["build", "--single-file", "../single.html"],
    ] {
        let mut all = args.clone();
        all.extend(["--root", root.to_str().unwrap()]);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(&all)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(o.status.success(), "{all:?}: {}", output_text(&o));
    }
    tmp
}

/// Each figure has loaded and is laid out at the width and height of its file.
fn assert_figures_at_size(page: &mut Page, via: &str) {
    for (src, w, h) in [("rows.svg", 240, 100), ("box.png", 48, 32)] {
        let alt = if src == "rows.svg" {
            "A sketch"
        } else {
            "A grey square"
        };
        let find = format!("[...document.images].find(i => i.alt.startsWith('{alt}'))");
        page.wait_for(&format!(
            "(i => !!i && i.complete && i.naturalWidth > 0)({find})"
        ));
        let size = page.eval(&format!(
            "(r => [r.width, r.height])({find}.getBoundingClientRect())"
        ));
        assert_eq!(
            size,
            serde_json::json!([w, h]),
            "{via}: {src} shown at its file's size"
        );
    }
}

/// A keyword's colour differs from the code's plain text, in light and in dark.
fn assert_code_coloured(page: &mut Page, via: &str) {
    for scheme in ["light", "dark"] {
        page.emulate_media("prefers-color-scheme", scheme);
        let colours = page.eval(
            "const k = document.querySelector('code.language-rust .hl-storage, code.language-rust .hl-keyword');
             const s = document.querySelector('code.language-python .hl-string, code.language-python .hl-keyword');
             const pre = document.querySelector('pre.code');
             return [k && getComputedStyle(k).color, s && getComputedStyle(s).color, getComputedStyle(pre).color]",
        );
        let [keyword, python, plain] = [&colours[0], &colours[1], &colours[2]];
        assert!(
            keyword.is_string() && python.is_string(),
            "{via} {scheme}: {colours}"
        );
        assert_ne!(keyword, plain, "{via} {scheme}: Rust keyword coloured");
        assert_ne!(python, plain, "{via} {scheme}: Python token coloured");
    }
    page.emulate_media("prefers-color-scheme", "light");
}

#[test]
fn figures_and_code_from_file_over_http_and_in_the_single_file() {
    let tmp = built();
    let site = tmp.path().join("site");
    let server = StaticServer::start(&site);
    let mut page = Browser::launch().new_page();
    let mut dirty = Vec::new();
    for (via, url) in [
        ("file", file_url(&site.join("index.html"))),
        ("http", server.url_of("index.html")),
        ("single", file_url(&tmp.path().join("single.html"))),
    ] {
        let report = check_page(&mut page, &url, &format!("second-essay-{via}"));
        if !report.is_clean() {
            dirty.push(report.to_string());
        }
        page.goto(&url);
        assert_figures_at_size(&mut page, via);
        assert_code_coloured(&mut page, via);
    }
    assert!(dirty.is_empty(), "{}", dirty.join("\n"));
}

/// An essay with a single note: its fold button speaks of "the note", not "all 1 notes".
#[test]
fn a_single_endnote_is_shown_and_hidden_as_the_note() {
    let tmp = built();
    let mut page = Browser::launch().new_page();
    page.goto(&file_url(&tmp.path().join("site/index.html")));
    page.wait_for("document.querySelector('#footnotes button.footnotes-toggle')");
    assert_eq!(page.count("#footnotes li.footnote"), 1);
    let button = "#footnotes button.footnotes-toggle";
    assert_eq!(page.text(button), "Show the note");
    page.click(button);
    page.wait_for(&format!(
        "document.querySelector('{button}').textContent === 'Hide the note'"
    ));
}
