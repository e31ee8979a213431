//! `quire serve` in a real browser: a page open on the dev server updates by itself when
//! the essay is saved (keeping its scroll position), swaps its stylesheet in place when only
//! CSS changed, and shows build errors over the page until they are fixed.
//!
//! Screenshots: target/screenshots/serve-overlay-<width>.png, serve-index-*.png

use crate::harness::*;
use crate::serve_helper::*;
use serde_json::json;

fn essay_path(server: &Server) -> std::path::PathBuf {
    server.root.join("content/essay.md")
}

fn append(original: &str, text: &str) -> String {
    format!("{original}\n\n{text}\n")
}

/// Opens index.html from the dev server and waits until its event stream is connected.
fn open_index(page: &mut Page, server: &Server) {
    page.goto(&format!("{}index.html", server.url));
    // The live-reload script is there, and the page scrolls.
    assert!(page.exists("script#quire-live"));
}

#[test]
fn a_save_reloads_the_page_and_keeps_its_scroll_position() {
    let project = project();
    let server = Server::start(project.path());
    let mut page = Browser::launch().new_page();
    page.set_viewport(1440, 900);
    open_index(&mut page, &server);
    page.eval("window.scrollTo(0, 2400)");
    page.wait_for("window.scrollY === 2400");
    // Survives a stylesheet swap, not a reload.
    page.eval("window.quireTestMarker = true");

    let path = essay_path(&server);
    let original = std::fs::read_to_string(&path).unwrap();
    save_like_vim(
        &path,
        &append(&original, "A paragraph added while the page was open."),
    );

    page.wait_for(
        "!window.quireTestMarker && document.body.innerText.includes('A paragraph added while the page was open.')",
    );
    page.wait_for("document.readyState === 'complete'");
    page.wait_for("Math.abs(window.scrollY - 2400) <= 1");
    let y = page.eval("window.scrollY").as_f64().unwrap();
    assert!((y - 2400.0).abs() <= 1.0, "scroll position lost: {y}");
}

#[test]
fn a_stylesheet_change_applies_without_a_reload() {
    let project = project();
    let server = Server::start(project.path());
    let mut page = Browser::launch().new_page();
    page.set_viewport(1440, 900);
    open_index(&mut page, &server);
    page.eval("window.scrollTo(0, 1200)");
    page.eval("window.quireTestMarker = true");
    let before =
        page.eval("getComputedStyle(document.querySelector('.site-footer')).borderTopWidth");
    assert_ne!(before, json!("7px"));

    let css = server.root.join("themes/default/static/css/00-base.css");
    let original = std::fs::read_to_string(&css).unwrap();
    save_by_rename(
        &css,
        &format!("{original}\n.site-footer {{ border-top: 7px solid currentColor; }}\n"),
    );

    page.wait_for(
        "getComputedStyle(document.querySelector('.site-footer')).borderTopWidth === '7px'",
    );
    assert_eq!(
        page.eval("window.quireTestMarker === true"),
        json!(true),
        "the page reloaded"
    );
    assert_eq!(page.eval("window.scrollY"), json!(1200));
    // Exactly one stylesheet left once the swap is done.
    page.wait_for("document.querySelectorAll('link[rel=stylesheet]').length === 1");
}

#[test]
fn build_errors_show_over_the_page_until_fixed() {
    let project = project();
    let server = Server::start(project.path());
    let browser = Browser::launch();
    let mut page = browser.new_page();
    page.set_viewport(1440, 900);
    open_index(&mut page, &server);
    let title = page.title();

    let path = essay_path(&server);
    let original = std::fs::read_to_string(&path).unwrap();
    save_like_vim(
        &path,
        &append(&original, "See [this cell](cell:no-such-cell)."),
    );

    let overlay_text =
        "document.getElementById('quire-serve-overlay')?.shadowRoot.textContent || ''";
    page.wait_for(&format!(
        "({overlay_text}).includes('content/essay.md:') && ({overlay_text}).includes('no-such-cell')"
    ));
    assert!(page.is_visible("#quire-serve-overlay"));
    // The last good page is still there underneath.
    assert_eq!(page.title(), title);

    // A page opened while the error stands shows it too.
    let mut second = browser.new_page();
    second.set_viewport(375, 812);
    second.goto(&format!("{}references.html", server.url));
    second.wait_for(&format!("({overlay_text}).includes('no-such-cell')"));

    for (width, height, p) in [(375, 812, &mut second), (1440, 900, &mut page)] {
        p.set_viewport(width, height);
        viewport_screenshot(p, &format!("serve-overlay-{width}.png"));
        let violations = axe_violations(p);
        assert!(violations.is_empty(), "axe at {width}px: {violations:#?}");
    }

    save_like_vim(&path, &append(&original, "Fixed."));
    for p in [&page, &second] {
        p.wait_for("!document.getElementById('quire-serve-overlay')");
    }
    page.wait_for("document.body.innerText.includes('Fixed.')");
}

#[test]
fn the_served_page_is_clean() {
    let project = project();
    let server = Server::start(project.path());
    let mut page = Browser::launch().new_page();
    let report = check_page(
        &mut page,
        &format!("{}index.html", server.url),
        "serve-index",
    );
    eprintln!("{report}");
    // What the live-reload script could cause: console errors, failed or foreign requests,
    // accessibility problems. (The site's own layout is browser_site's to check.)
    let problems: Vec<String> = report
        .problems
        .iter()
        .filter(|p| !matches!(p, Problem::Overflow { .. }))
        .map(|p| p.to_string())
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A missing page gets the site's own 404 page, styled (its links rebased to the root).
    page.goto(&format!("{}cells/no-such-page.html", server.url));
    assert!(page.text("h1").contains("Page not found"));
    let styled = page.eval("getComputedStyle(document.querySelector('.skip-link')).position");
    assert_ne!(styled, json!("static"), "404 page without its stylesheet");
}

fn axe_violations(page: &Page) -> Vec<serde_json::Value> {
    let axe = std::fs::read_to_string(repo_root().join("vendor/axe-core/axe.min.js"))
        .expect("vendor/axe-core/axe.min.js");
    page.command(
        "POST",
        "/execute/sync",
        Some(json!({ "script": format!("{axe}\n;return typeof window.axe;"), "args": [] })),
    )
    .expect("injecting axe-core");
    let result = page.eval_async(
        "axe.run(document, { resultTypes: ['violations'] })\
           .then((r) => done(r.violations.map((v) => ({ id: v.id, help: v.help, \
              targets: v.nodes.map((n) => n.target.join(' ')) }))))\
           .catch((e) => done([{ id: 'axe-error', help: String(e) }]));",
        json!([]),
    );
    result.as_array().cloned().unwrap_or_default()
}

/// The overlay is fixed to the viewport: a shot of the viewport shows it as the author sees it.
fn viewport_screenshot(page: &Page, name: &str) {
    let shot = page.cdp("Page.captureScreenshot", json!({ "format": "png" }));
    let data = shot["data"].as_str().expect("screenshot without data");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), decode_base64(data)).unwrap();
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | (u32::from(d) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
