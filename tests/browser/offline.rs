//! Publishing and offline reading, in a real Chromium:
//! - the site served under a `/repo/` prefix the way GitHub Pages serves a project site:
//!   every link crawled from the front page answers 200, and the 404 page (served for a
//!   missing URL at any depth) keeps its styles;
//! - every page opened from disk with the network cut;
//! - the single-file export opened from an empty folder with the network cut: no request,
//!   and its interactions work;
//! - print-to-PDF contains the whole essay.
//!
//! Screenshots: target/screenshots/offline-*.png

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;
use serde_json::{Value, json};

/// The essay's last sentence.
const LAST_SENTENCE: &str = "I’m trying to advance worst-case and/or cognitivist AI research.";

fn quire(args: &[&str]) {
    let bin = env!("CARGO_BIN_EXE_quire");
    let o = Command::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    assert!(
        o.status.success(),
        "quire {args:?} failed: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir")
}

/// `quire build` of the repository's essay into `out`, optionally with a base URL.
fn build_into(out: &Path, base_url: Option<&str>) {
    let root = repo_root();
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(b) = base_url {
        args.extend(["--base-url", b]);
    }
    quire(&args);
}

/// The single-file export, written into a fresh empty folder.
fn export_alone() -> (tempfile::TempDir, PathBuf) {
    let dir = temp_dir("quire-export-");
    let file = dir.path().join("essay.html");
    let root = repo_root();
    quire(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--single-file",
        file.to_str().unwrap(),
    ]);
    let listing: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(listing.len(), 1, "the export is one file");
    (dir, file)
}

/// Joins a relative reference onto a page URL (`http://h/repo/cells/a.html` + `../b.html`).
fn join(page: &str, reference: &str) -> String {
    let reference = reference.split('#').next().unwrap_or("");
    if reference.contains("://") {
        return reference.to_string();
    }
    let (origin, path) = {
        let after = page.find("://").map_or(0, |i| i + 3);
        let slash = page[after..].find('/').map_or(page.len(), |i| after + i);
        (&page[..slash], &page[slash..])
    };
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    if reference.is_empty() {
        return page.split('#').next().unwrap_or(page).to_string();
    }
    for seg in reference.split('/') {
        match seg {
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
            }
            s => parts.push(s),
        }
    }
    format!("{origin}{}", parts.join("/"))
}

/// Every URL a page links to or loads.
fn references_of(html: &str) -> Vec<String> {
    quire::html::tags(html)
        .iter()
        .flat_map(|t| {
            ["href", "src"]
                .iter()
                .filter_map(|a| t.get(a).map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_link_from_the_front_page_answers_200_under_a_sub_path() {
    let dir = temp_dir("quire-pages-");
    let site = dir.path().join("site");
    let server = PagesServer::start(&site, "repo");
    build_into(&site, Some(&server.url()));

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let get = |url: &str| -> (u16, String) {
        let mut res = agent
            .get(url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = res.status().as_u16();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        (status, body)
    };

    let origin = server.url().trim_end_matches("repo/").to_string();
    let mut queue: VecDeque<(String, String)> =
        VecDeque::from([(server.url(), "(start)".to_string())]);
    let mut seen = BTreeSet::new();
    let mut bad = Vec::new();
    while let Some((url, from)) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let (status, body) = get(&url);
        if status != 200 {
            bad.push(format!("{url} (linked from {from}): HTTP {status}"));
            continue;
        }
        let is_html = url.ends_with(".html") || url.ends_with('/');
        if is_html {
            for r in references_of(&body) {
                if r.starts_with('#') || r.starts_with("mailto:") || r.starts_with("data:") {
                    continue;
                }
                let next = join(&url, &r);
                // Other hosts are never fetched; the canonical link names this server.
                if next.starts_with(&origin) {
                    queue.push_back((next, url.clone()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "broken under /repo/:\n{}", bad.join("\n"));
    let pages: Vec<&String> = seen.iter().filter(|u| u.ends_with(".html")).collect();
    assert!(pages.len() >= 11, "crawled only {pages:?}");
    for asset in [
        "quire.css",
        "quire.js",
        "cells/cognitivist-worst.html",
        "references.html",
    ] {
        assert!(
            seen.contains(&server.url_of(asset)),
            "{asset} not reached: {seen:#?}"
        );
    }
    // Every address in the sitemap answers too.
    let (status, sitemap) = get(&server.url_of("sitemap.xml"));
    assert_eq!(status, 200);
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    assert_eq!(locs.len(), 11);
    for loc in locs {
        assert_eq!(get(loc).0, 200, "{loc} from sitemap.xml");
    }
    for file in [".nojekyll", "robots.txt"] {
        assert_eq!(get(&server.url_of(file)).0, 200, "{file}");
    }
    eprintln!("crawled {} URLs under /repo/, all 200", seen.len());
}

/// Styles that only the theme gives a page (the browser's defaults differ on each).
const STYLE_PROBE: &str = r#"
const b = getComputedStyle(document.body);
const h = document.querySelector('.site-header');
const f = document.querySelector('.site-footer');
return {
  background: b.backgroundColor,
  font: b.fontFamily,
  margin: b.marginTop,
  header_border: h ? getComputedStyle(h).borderBottomStyle : 'no header',
  footer_align: f ? getComputedStyle(f).textAlign : 'no footer',
};
"#;

#[test]
fn the_404_page_keeps_its_styles_at_any_depth() {
    let browser = Browser::launch();
    for base in [false, true] {
        let dir = temp_dir("quire-404-");
        let site = dir.path().join("site");
        let server = PagesServer::start(&site, "repo");
        build_into(&site, base.then(|| server.url()).as_deref());
        let mut page = browser.new_page();
        page.goto(&server.url_of("index.html"));
        let expected = page.eval(STYLE_PROBE);
        assert_eq!(expected["header_border"], json!("solid"), "{expected}");

        for missing in ["missing.html", "no/such/deep/page.html", "cells/gone/x/"] {
            page.logs("browser");
            page.goto(&server.url_of(missing));
            assert!(
                page.title().starts_with("Page not found"),
                "{missing}: {}",
                page.title()
            );
            let got = page.eval(STYLE_PROBE);
            assert_eq!(got, expected, "404.html at /repo/{missing} lost its styles");
            let errors: Vec<Value> = page
                .logs("browser")
                .into_iter()
                .filter(|e| e["level"] == json!("SEVERE"))
                .filter(|e| {
                    !e["message"]
                        .as_str()
                        .unwrap_or("")
                        .contains("404 (Not Found)")
                })
                .collect();
            assert!(errors.is_empty(), "{missing}: console errors {errors:?}");
        }
        // The 404 page asked for nothing: no stylesheet or script left to miss at depth.
        let allowed = |r: &str| {
            [
                "/repo/index.html",
                "/repo/quire.css",
                "/repo/quire.js",
                "/repo/favicon.svg",
            ]
            .contains(&r)
                || ["missing.html", "no/such/deep/page.html", "cells/gone/x/"]
                    .iter()
                    .any(|m| r == format!("/repo/{m}"))
        };
        let unexpected: Vec<String> = server
            .requests()
            .into_iter()
            .filter(|r| !allowed(r))
            .collect();
        assert!(unexpected.is_empty(), "unexpected requests: {unexpected:?}");
        if base {
            // The way home works from any depth when base_url is known.
            page.set_viewport(1440, 900);
            page.screenshot(screenshot_dir().join("offline-404-deep-1440.png"));
            page.set_viewport(375, 812);
            page.screenshot(screenshot_dir().join("offline-404-deep-375.png"));
            page.click_by_name("the essay");
            page.wait_for("document.readyState === 'complete' && !document.title.startsWith('Page not found')");
            assert_eq!(page.url(), server.url_of("index.html"));
        }
    }
}

/// Network requests in the performance log since it was last read: (url, failed?).
fn requests_logged(page: &Page) -> Vec<String> {
    page.logs("performance")
        .into_iter()
        .filter_map(|e| {
            let m: Value = serde_json::from_str(e["message"].as_str()?).ok()?;
            (m["message"]["method"] == json!("Network.requestWillBeSent")).then(|| {
                m["message"]["params"]["request"]["url"]
                    .as_str()
                    .map(String::from)
            })?
        })
        .collect()
}

#[test]
fn every_page_works_from_disk_with_the_network_cut() {
    let site = build_site();
    let mut page = Browser::launch().new_page();
    page.offline();
    // Network and console only: layout and axe-core are browser_site's business.
    let options = CheckOptions {
        screenshots: false,
        axe: false,
        overflow: false,
        ..CheckOptions::default()
    };
    let mut dirty = Vec::new();
    for rel in html_pages(site.path()) {
        let report = check_page_with(
            &mut page,
            &file_url(&site.path().join(&rel)),
            &format!("offline-file-{rel}"),
            &options,
        );
        if !report.is_clean() {
            dirty.push(report.to_string());
        }
    }
    assert!(dirty.is_empty(), "{}", dirty.join("\n"));

    // Following links by clicking, offline: the front page to a cell page and back.
    // (Reduced motion: WebDriver clicks where an element is, not where smooth scrolling
    // will bring it.)
    page.emulate_media("prefers-reduced-motion", "reduce");
    page.goto(&file_url(&site.path().join("index.html")));
    page.click("a[href='references.html']");
    page.wait_for("location.pathname.endsWith('/references.html')");
    assert!(page.text("h1").contains("References"));
    page.click("a[href='cells/cognitivist-worst.html']");
    page.wait_for("location.pathname.endsWith('/cells/cognitivist-worst.html')");
    page.click("a[href='../index.html#grid']");
    page.wait_for("location.pathname.endsWith('/index.html')");
}

#[test]
fn the_single_file_reads_and_clicks_offline_from_an_empty_folder() {
    let (_dir, file) = export_alone();
    let mut page = Browser::launch().new_page();
    page.offline();
    let url = file_url(&file);
    // Everything but horizontal overflow, which belongs to each feature's own layout
    // and is checked on the site's pages by browser_site.
    let options = CheckOptions {
        overflow: false,
        ..CheckOptions::default()
    };
    let report = check_page_with(&mut page, &url, "offline-single-file", &options);
    eprintln!("{report}");
    report.assert_clean();

    page.emulate_media("prefers-reduced-motion", "reduce");
    page.logs("performance");
    page.goto(&url);
    page.wait_for("document.readyState === 'complete'");
    let requests = requests_logged(&page);
    let others: Vec<&String> = requests.iter().filter(|r| **r != url).collect();
    assert!(
        others.is_empty(),
        "the single file made requests: {others:?}"
    );

    let dupes = page.eval(
        "const ids = [...document.querySelectorAll('[id]')].map((e) => e.id); \
         return ids.filter((id, i) => ids.indexOf(id) !== i);",
    );
    assert_eq!(dupes, json!([]), "duplicate ids in the single file");

    // Links that led to other pages now stay in the document.
    page.click("a[href='#references']");
    page.wait_for("location.hash === '#references'");
    assert!(page.text("#references h2").contains("References"));
    assert_eq!(page.url().split('#').next(), url.split('#').next());

    // A citation jumps to its entry in the references section. The default essay cites
    // works only in its notes: the one clicked is in the list of notes, unfolded (its
    // copies in a sidenote may be cut short, and in a popover are hidden).
    if page.exists(".footnotes-toggle") {
        page.click(".footnotes-toggle");
    }
    let in_text = "#footnotes a[href^='#ref-']";
    let citation = page.eval_with(
        "return document.querySelector(arguments[0]).getAttribute('href')",
        json!([in_text]),
    );
    let citation = citation.as_str().expect("a citation link").to_string();
    page.click(&format!("#footnotes a[href='{citation}']"));
    page.wait_for(&format!("location.hash === '{citation}'"));
    assert!(page.is_visible(&citation));

    // The grid: every cell's panel is in the document, and a cell leads to its panel.
    assert_eq!(page.count(".cell-panel"), 9);
    assert_no_outside_links(&page, &url);
    grid_cell_opens_its_panel(&mut page);
    footnote_opens(&mut page);
    comment_toggles(&mut page);
    eprintln!("interactions checked in the single file, offline: {INTERACTIONS:?}");
}

/// What the interaction checks look for; each falls back to the no-script behaviour when
/// the feature's script isn't part of the theme.
const INTERACTIONS: [&str; 3] = [
    "grid: a.grid-cell-link opens .cell-panel (20-grid.js), else #panel-<id> is a jump",
    "footnotes: focus on sup.fnref a[data-note] opens its popover (30-footnotes.js), else the note is a jump",
    "comments: a <details> comment toggles on its <summary>",
];

/// Whether the theme has a feature's script: then its interaction must work in the export.
fn theme_has(script: &str) -> bool {
    repo_root()
        .join("themes/default/static/js")
        .join(script)
        .is_file()
}

fn grid_cell_opens_its_panel(page: &mut Page) {
    let id = "cognitivist-worst";
    if theme_has("20-grid.js") {
        page.click(&format!("a.grid-cell-link[data-cell='{id}']"));
        page.wait_for(&format!(
            "document.querySelector('#panel-{id}').offsetParent !== null"
        ));
        let open = page.eval(
            "return [...document.querySelectorAll('.cell-panel')]\
             .filter((p) => p.offsetParent !== null).map((p) => p.dataset.cell);",
        );
        assert_eq!(
            open,
            json!([id]),
            "exactly the clicked cell's panel is open"
        );
        page.press("Escape");
        page.wait_for(&format!(
            "document.querySelector('#panel-{id}').offsetParent === null"
        ));
    } else {
        eprintln!("no 20-grid.js in the theme: checking the grid's links jump to the panels");
        page.goto(&format!(
            "{}#panel-{id}",
            page.url().split('#').next().unwrap_or("")
        ));
        assert!(page.exists(&format!("#panel-{id}")));
    }
}

fn footnote_opens(page: &mut Page) {
    // 30-footnotes.js ties each marker to its popover with aria-controls.
    let marker = "sup.fnref a[data-note][aria-controls]";
    if theme_has("30-footnotes.js") {
        page.set_viewport(375, 812);
        page.eval("document.documentElement.style.scrollBehavior = 'auto'; return 0");
        page.focus(marker);
        page.wait_for(&format!(
            "(() => {{ const m = document.querySelector(\"{marker}\"); \
               const p = document.getElementById(m.getAttribute('aria-controls')); \
               return p && p.matches(':popover-open'); }})()"
        ));
        page.press("Escape");
        page.set_viewport(1440, 900);
    } else {
        eprintln!("no 30-footnotes.js in the theme: checking a note marker jumps to its note");
        let href = page.eval("return document.querySelector('sup.fnref a').getAttribute('href')");
        let href = href.as_str().expect("a footnote marker").to_string();
        page.click(&format!("sup.fnref a[href='{href}']"));
        page.wait_for(&format!("location.hash === '{href}'"));
    }
}

fn comment_toggles(page: &mut Page) {
    let summary = "#comments details > summary";
    if !theme_has("40-thread.js") && !page.exists(summary) {
        eprintln!(
            "the thread has no <details> yet (40-thread not merged): comment toggle not checked"
        );
        return;
    }
    let before = page.eval("return document.querySelector('#comments details').open");
    page.click(summary);
    let after = page.eval("return document.querySelector('#comments details').open");
    assert_ne!(before, after, "clicking a comment's summary toggles it");
}

/// No link in the single file leads to a file beside it.
fn assert_no_outside_links(page: &Page, url: &str) {
    let outside = page.eval(
        "return [...document.querySelectorAll('a[href], link[href], script[src], img[src]')] \
         .map((e) => e.href || e.src) \
         .filter((u) => u.startsWith('file:') && u.split('#')[0] !== arguments[0].split('#')[0]);"
            .replace("arguments[0]", &format!("{url:?}"))
            .as_str(),
    );
    assert_eq!(outside, json!([]), "links out of the single file");
}

fn base64_decode(s: &str) -> Vec<u8> {
    let mut table = [255u8; 256];
    for (i, c) in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        .iter()
        .enumerate()
    {
        table[*c as usize] = i as u8;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &b in s.as_bytes() {
        let v = table[b as usize];
        if v == 255 {
            continue;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Chromium's print-to-PDF of a page, as text (poppler's pdftotext), whitespace collapsed.
fn print_to_text(page: &Page, name: &str) -> String {
    let pdf = page.cdp(
        "Page.printToPDF",
        json!({ "printBackground": false, "preferCSSPageSize": true }),
    );
    let data = pdf["data"].as_str().expect("printToPDF returns data");
    let path = screenshot_dir().join(format!("{name}.pdf"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, base64_decode(data)).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is missing: apt-get install -y poppler-utils (scripts/test.sh does it)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn printing_gives_the_whole_essay_without_the_chrome() {
    let site = build_site();
    let (_dir, file) = export_alone();
    let mut page = Browser::launch().new_page();
    for (name, url) in [
        (
            "offline-print-site",
            file_url(&site.path().join("index.html")),
        ),
        ("offline-print-single-file", file_url(&file)),
    ] {
        page.goto(&url);
        let text = print_to_text(&page, name);
        assert!(
            text.contains(LAST_SENTENCE),
            "{name}: the PDF lacks the essay's last sentence"
        );
        assert!(
            text.contains("is currently a fairly confused one"),
            "{name}: first sentence"
        );
        assert!(
            !text.contains("Skip to content"),
            "{name}: interactive chrome printed"
        );
        assert!(
            text.contains("Appendix:"),
            "{name}: comments as an appendix"
        );
        // Footnotes as endnotes: the notes section (the editor's, in this edition) with the
        // note text.
        assert!(
            text.contains("Editor's notes") || text.contains("Editor’s notes"),
            "{name}"
        );
        assert!(
            text.contains("Verbal Behavior"),
            "{name}: a footnote's text"
        );
        // The grid's labels, as a table.
        for label in ["Engineering", "Worst-case"] {
            assert!(
                text.to_lowercase().contains(&label.to_lowercase()),
                "{name}: grid label {label}"
            );
        }
        // Printed pages show where outside links go.
        assert!(
            text.contains("<https://"),
            "{name}: link addresses written out"
        );
    }
}
