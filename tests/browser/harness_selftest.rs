//! Self-test of the browser harness (tests/browser/): each broken fixture page in
//! tests/fixtures/browser/ must be reported for its specific problem, the clean one
//! must pass, and the interaction API must drive a real page.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use crate::harness::*;

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/browser").join(name)
}

fn fixture_url(name: &str) -> String {
    file_url(&fixture(name))
}

fn check_fixture(name: &str) -> Report {
    let mut page = Browser::launch().new_page();
    let report = check_page(&mut page, &fixture_url(name), &format!("fixture-{name}"));
    eprintln!("{report}");
    report
}

#[test]
fn external_script_is_reported_as_foreign_request() {
    let report = check_fixture("external-script.html");
    assert_eq!(
        report.foreign_requests(),
        vec!["https://example.com/x.js"],
        "{report}"
    );
    let message = report.to_string();
    assert!(
        message.contains("fixture-external-script.html"),
        "{message}"
    );
    assert!(
        message.contains("foreign origin: https://example.com/x.js"),
        "{message}"
    );
}

#[test]
fn image_without_alt_is_reported_by_axe() {
    let report = check_fixture("img-no-alt.html");
    let in_light = report.problems.iter().any(
        |p| matches!(p, Problem::Axe { id, scheme, .. } if id == "image-alt" && scheme == "light"),
    );
    let in_dark = report.problems.iter().any(
        |p| matches!(p, Problem::Axe { id, scheme, .. } if id == "image-alt" && scheme == "dark"),
    );
    assert!(in_light && in_dark, "{report}");
    let message = report.to_string();
    assert!(message.contains("fixture-img-no-alt.html"), "{message}");
    assert!(
        message.contains("axe image-alt (critical) in light scheme"),
        "{message}"
    );
    assert!(message.contains("at img"), "{message}");
}

#[test]
fn console_error_is_reported() {
    let report = check_fixture("console-error.html");
    assert_eq!(report.console_errors().len(), 1, "{report}");
    assert!(report.console_errors()[0].contains("boom"), "{report}");
    let message = report.to_string();
    assert!(message.contains("fixture-console-error.html"), "{message}");
    assert!(
        message.contains("console error:") && message.contains("boom"),
        "{message}"
    );
    assert_eq!(report.problems.len(), 1, "only the console error: {report}");
}

#[test]
fn horizontal_overflow_is_reported_at_phone_width_only() {
    let report = check_fixture("overflow.html");
    assert_eq!(report.overflows(), vec![375], "{report}");
    let message = report.to_string();
    assert!(message.contains("fixture-overflow.html"), "{message}");
    assert!(
        message.contains("horizontal overflow at 375 px") && message.contains("div#too-wide.wide"),
        "{message}"
    );
    assert_eq!(report.problems.len(), 1, "{report}");
}

#[test]
fn missing_asset_is_reported_as_failed_request_from_file_and_http() {
    let report = check_fixture("missing-asset.html");
    assert_eq!(report.failed_requests().len(), 1, "{report}");
    assert!(
        report.failed_requests()[0].ends_with("does-not-exist.css"),
        "{report}"
    );

    let server = StaticServer::start(fixture(""));
    let mut page = Browser::launch().new_page();
    let report = check_page(
        &mut page,
        &server.url_of("missing-asset.html"),
        "fixture-http-missing-asset",
    );
    assert!(report.to_string().contains("HTTP 404"), "{report}");
    assert_eq!(report.failed_requests().len(), 1, "{report}");
}

#[test]
fn clean_page_passes_from_file_and_http_and_takes_screenshots() {
    let report = check_fixture("clean.html");
    report.assert_clean();
    assert_eq!(report.screenshots.len(), 4);
    for shot in &report.screenshots {
        let bytes = std::fs::read(shot).expect("screenshot written");
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "{} is not a PNG",
            shot.display()
        );
    }
    assert!(
        report.screenshots[0].ends_with("fixture-clean.html-375-light.png"),
        "{:?}",
        report.screenshots
    );

    let server = StaticServer::start(fixture(""));
    let mut page = Browser::launch().new_page();
    check_page(
        &mut page,
        &server.url_of("clean.html"),
        "fixture-http-clean",
    )
    .assert_clean();
    // The same session can check a second page; problems do not leak between them.
    let report = check_page(
        &mut page,
        &server.url_of("external-script.html"),
        "fixture-http-external",
    );
    assert_eq!(
        report.foreign_requests(),
        vec!["https://example.com/x.js"],
        "{report}"
    );
    check_page(
        &mut page,
        &server.url_of("clean.html"),
        "fixture-http-clean-again",
    )
    .assert_clean();
}

#[test]
fn interaction_api_drives_a_page() {
    let mut page = Browser::open(&fixture_url("interactive.html"));
    assert_eq!(page.title(), "Interactive fixture");
    assert_eq!(page.text("#status"), "script ran");
    assert!(!page.is_visible("#panel"));

    // aria-labelledby name; the panel opens and takes focus.
    page.click_by_name("Open cell");
    assert!(page.is_visible("#panel"));
    assert_eq!(page.attr("#open", "aria-expanded").as_deref(), Some("true"));
    assert_eq!(page.focused(), r#"div#panel[role=dialog] "Cell panel""#);
    assert_eq!(page.text("#panel-text"), "Panel content");

    // Escape closes and returns focus.
    page.press("Escape");
    page.wait_for("document.getElementById('panel').hidden");
    assert!(page.focused_matches("#open"), "{}", page.focused());

    // Tab order: #open -> #other (aria-label) -> link.
    page.tab();
    assert_eq!(page.focused(), r#"button#other "Other button""#);
    page.press("Shift+Tab");
    assert!(page.focused_matches("#open"));
    page.press_on("#other", "Tab");
    assert!(page.focused_matches("#nojs-link"), "{}", page.focused());

    // Visible text name, and CSS click.
    page.click("#open");
    page.click_by_name("Close panel");
    assert!(!page.is_visible("#panel"));

    // Viewport and media emulation.
    assert!(page.is_visible("#wide"));
    page.set_viewport(375, 812);
    assert!(!page.is_visible("#wide"));
    assert_eq!(page.eval("window.innerWidth"), serde_json::json!(375));
    page.emulate_media("prefers-color-scheme", "dark");
    assert_eq!(
        page.eval("matchMedia('(prefers-color-scheme: dark)').matches"),
        serde_json::json!(true)
    );
    assert_eq!(
        page.eval("getComputedStyle(document.body).backgroundColor"),
        serde_json::json!("rgb(17, 17, 17)")
    );
    let shot = screenshot_dir().join("harness-interactive-375-dark.png");
    page.screenshot(&shot);
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);

    // Function-body scripts, and a missing name lists what is there.
    assert_eq!(
        page.eval("const a = 20; return a + 22;"),
        serde_json::json!(42)
    );
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        page.find_by_name("No such button");
    }))
    .expect_err("must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("Other button"), "{msg}");
}

#[test]
fn javascript_can_be_disabled_and_network_cut() {
    let server = StaticServer::start(fixture(""));
    let mut page = Browser::open(&server.url_of("interactive.html"));
    assert_eq!(page.text("#status"), "script ran");
    page.disable_javascript();
    assert_eq!(page.text("#status"), "no script");
    // Without JavaScript the link is an ordinary jump.
    page.click_by_name("Plain link");
    assert!(page.url().ends_with("#panel"), "{}", page.url());

    page.offline();
    let err = page
        .try_goto(&server.url_of("clean.html"))
        .expect_err("offline navigation must fail");
    assert!(
        err.to_string().contains("ERR_INTERNET_DISCONNECTED"),
        "{err}"
    );
    page.online();
    page.goto(&server.url_of("clean.html"));
    assert_eq!(page.title(), "Clean fixture");
}

// ----- the static server, without a browser ------------------------------------------

fn raw_get(server: &StaticServer, target: &str) -> String {
    let addr = server.origin().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn static_server_serves_files_with_types_and_refuses_escapes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cells")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<p>home</p>").unwrap();
    std::fs::write(dir.path().join("cells/a b.html"), "<p>cell</p>").unwrap();
    for (name, _) in [
        ("s.css", ""),
        ("a.js", ""),
        ("i.svg", ""),
        ("d.json", ""),
        ("f.xml", ""),
        ("t.txt", ""),
        ("p.png", ""),
    ] {
        std::fs::write(dir.path().join(name), "x").unwrap();
    }
    let server = StaticServer::start(dir.path().join("cells"));
    let root_server = StaticServer::start(dir.path());

    let r = raw_get(&root_server, "/");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(
        r.contains("Content-Type: text/html; charset=utf-8") && r.ends_with("<p>home</p>"),
        "{r}"
    );
    let r = raw_get(&root_server, "/cells/a%20b.html?x=1");
    assert!(
        r.starts_with("HTTP/1.1 200") && r.ends_with("<p>cell</p>"),
        "{r}"
    );
    for (name, ty) in [
        ("s.css", "text/css"),
        ("a.js", "text/javascript"),
        ("i.svg", "image/svg+xml"),
        ("d.json", "application/json"),
        ("f.xml", "application/xml"),
        ("t.txt", "text/plain"),
        ("p.png", "image/png"),
    ] {
        let r = raw_get(&root_server, &format!("/{name}"));
        assert!(r.contains(&format!("Content-Type: {ty}")), "{name}: {r}");
    }
    assert!(raw_get(&root_server, "/missing.html").starts_with("HTTP/1.1 404"));
    assert!(raw_get(&root_server, "/cells").starts_with("HTTP/1.1 301"));
    // The cells server must not reach index.html one level up.
    assert!(raw_get(&server, "/../index.html").starts_with("HTTP/1.1 403"));
    assert!(raw_get(&server, "/%2e%2e/index.html").starts_with("HTTP/1.1 403"));
    assert!(raw_get(&server, "/a%20b.html").starts_with("HTTP/1.1 200"));
}
