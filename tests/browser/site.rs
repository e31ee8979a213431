//! The real site in a real browser: build it with the `quire` binary, then check every
//! .html page it wrote (console errors, failed and foreign requests, axe-core in light
//! and dark, screenshots at 375 and 1440 px) opened from file:// and served over HTTP.
//!
//! Screenshots: target/screenshots/site-<file|http>-<page>-<width>-<scheme>.png

use crate::harness::*;

fn check_every_page(via: &str) {
    let site = build_site();
    let pages = html_pages(site.path());
    assert!(
        pages.iter().any(|p| p == "index.html"),
        "the built site has no index.html: {pages:?}"
    );
    let server = (via == "http").then(|| StaticServer::start(site.path()));
    let mut page = Browser::launch().new_page();
    let mut dirty = Vec::new();
    for rel in &pages {
        let url = match &server {
            Some(server) => server.url_of(rel),
            None => file_url(&site.path().join(rel)),
        };
        let name = format!(
            "site-{via}-{}",
            rel.trim_end_matches(".html").replace('/', "-")
        );
        let report = check_page(&mut page, &url, &name);
        eprintln!("{report}");
        if !report.is_clean() {
            dirty.push(report.to_string());
        }
    }
    assert!(
        dirty.is_empty(),
        "{} of {} pages opened via {via} have problems:\n{}",
        dirty.len(),
        pages.len(),
        dirty.join("\n")
    );
}

#[test]
fn every_page_is_clean_from_file() {
    check_every_page("file");
}

#[test]
fn every_page_is_clean_over_http() {
    check_every_page("http");
}
