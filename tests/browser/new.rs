//! The site of a fresh `quire new` project in real Chromium: every page is clean (no
//! console errors, no failed or foreign requests, no axe-core violations in light and dark)
//! from file://, and its grid, footnote and annotated thread are there to click.
//!
//! Screenshots: target/screenshots/new-<page>-<width>-<scheme>.png

use std::path::Path;
use std::process::Command;

use crate::harness::*;

fn scaffold_and_build(dir: &Path, extra: &[&str]) {
    let bin = env!("CARGO_BIN_EXE_quire");
    let o = Command::new(bin)
        .arg("new")
        .arg(dir)
        .args(extra)
        .arg("--quiet")
        .output()
        .expect("run quire new");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(bin)
        .arg("build")
        .arg("--root")
        .arg(dir)
        .output()
        .expect("run quire build");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn every_page_of_a_new_project_is_clean() {
    let tmp = tempfile::Builder::new()
        .prefix("quire-new-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    let dir = tmp.path().join("my-essay");
    scaffold_and_build(&dir, &["--rows", "3", "--columns", "4"]);
    let site = dir.join("site");
    let pages = html_pages(&site);
    assert!(pages.contains(&"index.html".to_string()), "{pages:?}");
    assert_eq!(
        pages.iter().filter(|p| p.starts_with("cells/")).count(),
        12,
        "one page per cell: {pages:?}"
    );
    let mut page = Browser::launch().new_page();
    let mut dirty = Vec::new();
    for rel in &pages {
        let name = format!("new-{}", rel.trim_end_matches(".html").replace('/', "-"));
        let report = check_page(&mut page, &file_url(&site.join(rel)), &name);
        if !report.is_clean() {
            dirty.push(report.to_string());
        }
    }
    assert!(dirty.is_empty(), "{}", dirty.join("\n"));

    // What the scaffold promises a newcomer is on the page: a 3x4 grid in place of the
    // table, the footnote, the three comments and the annotation's link into the essay.
    page.goto(&file_url(&site.join("index.html")));
    assert!(page.title().contains("My essay"), "{}", page.title());
    let grid_cells = page.count("a[href='cells/row1-col1.html'], a[href$='cells/row3-col4.html']");
    assert!(grid_cells >= 2, "both corner cells link to their pages");
    assert!(page.text("body").contains("This is the footnote."));
    for who in ["A reader", "Your Name", "Another reader"] {
        assert!(page.text("body").contains(who), "{who}");
    }
}
