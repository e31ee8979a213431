//! The EPUB's documents in a real Chromium, from the unzipped book: each XHTML document
//! parses as XML, loads with no console error or failed request (axe-core included), and
//! every link between the book's documents resolves to a file and an element of the book.
//! On the default essay and on the 2x4 fixture.
//!
//! Screenshots: target/screenshots/epub-*.png

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::harness::*;

/// `quire build --epub` of the project at `root`, unzipped into a fresh folder.
fn unzipped_book(root: &Path) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("quire-epub-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let book = dir.path().join("book.epub");
    let bin = env!("CARGO_BIN_EXE_quire");
    let o = Command::new(bin)
        .args(["build", "--root"])
        .arg(root)
        .arg("--epub")
        .arg(&book)
        .output()
        .expect("run quire");
    assert!(
        o.status.success(),
        "quire build --epub failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let file = std::fs::File::open(&book).unwrap();
    let mut archive = zip::ZipArchive::new(file).expect("the EPUB is a zip");
    archive
        .extract(dir.path().join("book"))
        .expect("unzip the EPUB");
    dir
}

fn check_book(root: &Path, name: &str) {
    let dir = unzipped_book(root);
    let oebps = dir.path().join("book/OEBPS");
    let mut docs: Vec<String> = std::fs::read_dir(&oebps)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xhtml"))
        .collect();
    docs.sort();
    assert!(docs.len() >= 6, "{docs:?}");
    let mut page = Browser::launch().new_page();
    let options = CheckOptions {
        schemes: vec!["light"],
        viewports: vec![(800, 1000)],
        screenshots: true,
        axe: true,
        overflow: false,
    };
    // Every document's ids, and every link it makes to another file of the book.
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for doc in &docs {
        let url = file_url(&oebps.join(doc));
        let report = check_page_with(
            &mut page,
            &url,
            &format!("epub-{name}-{}", doc.trim_end_matches(".xhtml")),
            &options,
        );
        report.assert_clean();
        let parsed = page.eval(
            "return document.contentType + ' ' + (document.getElementsByTagName('parsererror').length === 0)",
        );
        assert_eq!(
            parsed.as_str(),
            Some("application/xhtml+xml true"),
            "{doc} is not well-formed XHTML"
        );
        let found = page.eval("return [...document.querySelectorAll('[id]')].map(e => e.id)");
        ids.insert(
            doc.clone(),
            found
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
        );
        let hrefs = page.eval("return [...document.querySelectorAll('a[href]')].map(a => a.href)");
        for href in hrefs.as_array().unwrap() {
            let href = href.as_str().unwrap();
            if href.starts_with("file://") {
                links.push((doc.clone(), href.to_string()));
            } else {
                assert!(
                    href.starts_with("https://")
                        || href.starts_with("http://")
                        || href.starts_with("mailto:"),
                    "{doc}: a link that leads nowhere: {href}"
                );
            }
        }
    }
    assert!(links.len() > 50, "only {} internal links", links.len());
    let base = file_url(&oebps);
    for (from, href) in &links {
        let rest = href
            .strip_prefix(&format!("{base}/"))
            .unwrap_or_else(|| panic!("{from}: {href} leaves the book's folder"));
        let (file, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let targets = ids
            .get(file)
            .unwrap_or_else(|| panic!("{from}: {href} names no document of the book"));
        assert!(
            fragment.is_empty() || targets.contains(fragment),
            "{from}: {href}: no element #{fragment} in {file}"
        );
    }
}

#[test]
fn default_essay_book_opens_cleanly_and_every_link_resolves() {
    check_book(&repo_root(), "default");
}

#[test]
fn grid_2x4_book_opens_cleanly_and_every_link_resolves() {
    check_book(
        &repo_root().join("tests/fixtures/valid/grid-2x4"),
        "grid-2x4",
    );
}
