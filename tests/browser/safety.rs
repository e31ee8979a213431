//! What an author types never runs as script, checked where it would run: in Chromium
//! (issue 14). A heading id written as `{#g"onmouseover="…"}` and a theme whose JS and CSS
//! hold `</SCRIPT>` / `</STYLE>` followed by an `<img onerror>` are built into a site and a
//! single-file export; every element then gets a `mouseover`, and the handlers must not have
//! run.

use std::path::Path;
use std::process::Command;

use crate::harness::*;

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn quire(root: &Path, args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .expect("run quire");
    assert!(
        o.status.success(),
        "quire {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn payloads_in_heading_ids_and_theme_files_do_not_run() {
    let tmp = tempfile::Builder::new()
        .prefix("quire-safety-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let root = tmp.path().join("p");
    let repo = repo_root();
    copy_dir(&repo.join("tests/fixtures/valid/grid-2x4"), &root);
    copy_dir(&repo.join("themes/default"), &root.join("themes/loud"));
    std::fs::write(root.join("quire.toml"), "theme = \"loud\"\n").unwrap();
    std::fs::write(
        root.join("themes/loud/static/js/95-payload.js"),
        "var quirePayload = \"</SCRIPT><img src=x onerror=window.__pwned='js'>\";\n",
    )
    .unwrap();
    std::fs::write(
        root.join("themes/loud/static/css/95-payload.css"),
        ".payload::after { content: \"</STYLE><img src=y onerror=window.__pwned='css'>\"; }\n",
    )
    .unwrap();
    let essay = root.join("content/essay.md");
    let mut text = std::fs::read_to_string(&essay).unwrap();
    text.push_str(
        "\n## Hover me {#g\"onmouseover=\"window.__pwned='id'\"}\n\nAfter the heading.\n",
    );
    std::fs::write(&essay, text).unwrap();
    quire(&root, &["build"]);
    quire(&root, &["build", "--single-file", "essay.html"]);

    let mut page = Browser::launch().new_page();
    for file in ["site/index.html", "site/404.html", "essay.html"] {
        page.goto(&file_url(&root.join(file)));
        page.wait_for("document.readyState === 'complete'");
        page.eval(
            "document.querySelectorAll('*').forEach(e => e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))",
        );
        // Images that fail to load fire onerror before they count as complete.
        page.wait_for("Array.from(document.images).every(i => i.complete)");
        let pwned = page.eval("String(window.__pwned)");
        assert_eq!(pwned.as_str(), Some("undefined"), "{file}: a payload ran");
        let stray = page.count("img[src=x], img[src=y]");
        assert_eq!(stray, 0, "{file}: a payload's <img> is in the page");
        if file != "site/404.html" {
            let heading = page.eval(
                "(document.getElementById('g\"onmouseover=\"window.__pwned=\\'id\\'\"') || {}).tagName || ''",
            );
            assert_eq!(
                heading.as_str(),
                Some("H2"),
                "{file}: the heading keeps its id"
            );
        }
    }
}
