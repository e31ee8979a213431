//! Publishing: what `quire build` writes for GitHub Pages and search engines (`.nojekyll`,
//! `CNAME`, `sitemap.xml`, `robots.txt`, canonical and preview tags, a self-styled
//! `404.html`), the single-file export, and the bad input around them.

use crate::support::{output_text, quire, repo};

use std::path::Path;
use std::process::Output;

/// A project with the default essay's content and the given quire.toml.
fn project(quire_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    for entry in std::fs::read_dir(repo().join("content")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), content.join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.path().join("quire.toml"), quire_toml).unwrap();
    dir
}

fn build(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    quire(&args)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn without_base_url_links_stay_relative_and_no_absolute_tags_are_written() {
    let p = project("");
    let o = build(p.path(), &[]);
    assert!(o.status.success(), "{}", output_text(&o));
    let site = p.path().join("site");
    assert!(
        site.join(".nojekyll").is_file(),
        ".nojekyll is always written"
    );
    for absent in ["CNAME", "sitemap.xml", "robots.txt"] {
        assert!(
            !site.join(absent).exists(),
            "{absent} written without base_url/cname"
        );
    }
    let index = read(&site.join("index.html"));
    assert!(index.contains("<meta name=\"description\" content=\"Richard Ngo argues"));
    assert!(!index.contains("rel=\"canonical\""));
    assert!(!index.contains("og:"));
    assert!(!index.contains("twitter:"));
    let cell = read(&site.join("cells/cognitivist-worst.html"));
    assert!(
        cell.contains("<meta name=\"description\" content=\""),
        "every page has a description"
    );
    assert!(cell.contains("href=\"../quire.css\""));
}

#[test]
fn base_url_and_cname_from_quire_toml() {
    let p = project("base_url = \"https://essays.example.org\"\ncname = \"Essays.Example.org\"\n");
    let o = build(p.path(), &[]);
    assert!(o.status.success(), "{}", output_text(&o));
    let site = p.path().join("site");
    assert_eq!(read(&site.join("CNAME")), "essays.example.org\n");
    let index = read(&site.join("index.html"));
    // With the preview image (the default `preview` feature) the card is the large one.
    let card = if cfg!(feature = "preview") {
        "<meta name=\"twitter:card\" content=\"summary_large_image\">"
    } else {
        "<meta name=\"twitter:card\" content=\"summary\">"
    };
    for tag in [
        card,
        "<link rel=\"canonical\" href=\"https://essays.example.org/\">",
        "<meta property=\"og:url\" content=\"https://essays.example.org/\">",
        "<meta property=\"og:title\" content=\"Defining alignment research\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:description\" content=\"Richard Ngo argues",
        "<meta property=\"article:published_time\" content=\"2024-08-19\">",
    ] {
        assert!(index.contains(tag), "index.html lacks {tag}");
    }
    // Links between pages stay relative.
    assert!(index.contains("href=\"quire.css\""));
    assert!(index.contains("href=\"references.html\""));
    let cell = read(&site.join("cells/cognitivist-worst.html"));
    assert!(cell.contains(
        "<link rel=\"canonical\" href=\"https://essays.example.org/cells/cognitivist-worst.html\">"
    ));
    let sitemap = read(&site.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://essays.example.org/</loc>"));
    assert!(sitemap.contains("<loc>https://essays.example.org/references.html</loc>"));
    assert_eq!(
        sitemap.matches("<loc>").count(),
        11,
        "index, 9 cells, references: {sitemap}"
    );
    assert!(!sitemap.contains("404"));
    assert!(
        read(&site.join("robots.txt")).contains("Sitemap: https://essays.example.org/sitemap.xml")
    );
}

#[test]
fn the_404_page_carries_its_own_style_and_script() {
    let p = project("");
    let o = build(p.path(), &["--base-url", "https://user.github.io/repo"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let site = p.path().join("site");
    let page = read(&site.join("404.html"));
    let css = read(&site.join("quire.css"));
    assert!(page.contains("<style>"), "404.html inlines the stylesheet");
    assert!(
        page.contains(css.lines().nth(1).unwrap()),
        "with the theme's CSS"
    );
    assert!(
        !page.contains("href=\"quire.css\""),
        "no relative stylesheet link"
    );
    assert!(!page.contains("src=\"quire.js\""), "no relative script");
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!page.contains("rel=\"canonical\""));
    // Served at any depth: links home use the absolute address.
    assert!(
        page.contains("href=\"https://user.github.io/repo/index.html\""),
        "{page}"
    );
}

#[test]
fn a_cname_that_is_not_a_host_name_is_a_clear_error() {
    for bad in [
        "https://essays.example.org/",
        "essays.example.org/blog",
        "localhost",
    ] {
        let p = project(&format!("title = \"T\"\ncname = \"{bad}\"\n"));
        let o = build(p.path(), &[]);
        assert_eq!(o.status.code(), Some(1), "{bad}: {}", output_text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("`cname` in quire.toml is not a host name"),
            "{bad}: {err}"
        );
        assert!(err.contains("quire.toml:2:9"), "{bad}: {err}");
        assert!(
            err.contains("essays.example.org"),
            "the help shows an example: {err}"
        );
        assert!(!p.path().join("site").exists());
    }
}

#[test]
fn a_base_url_that_is_not_absolute_is_a_clear_error() {
    let p = project("");
    for bad in ["user.github.io/repo", "/repo/", "ftp://example.org/"] {
        let o = build(p.path(), &["--base-url", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad}: {}", output_text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("is not an absolute http(s) URL"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn single_file_into_a_missing_folder_is_a_clear_error() {
    let p = project("");
    let target = p.path().join("no-such-folder/essay.html");
    let o = build(p.path(), &["--single-file", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the folder"), "{err}");
    assert!(err.contains("no-such-folder"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!target.exists());
    assert!(
        !p.path().join("site").exists(),
        "--single-file writes no site"
    );

    let o = build(p.path(), &["--single-file", p.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("it is a folder"));
}

#[test]
fn single_file_holds_the_whole_site_and_loads_nothing() {
    let p = project("");
    let out = p.path().join("essay.html");
    let o = build(p.path(), &["--single-file", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", output_text(&o));
    let doc = read(&out);
    // Essay (first and last sentences), every cell's panel, notes, comments, references.
    assert!(doc.contains("is currently a fairly confused one"));
    assert!(doc.contains("I’m trying to advance worst-case and/or cognitivist AI research."));
    assert_eq!(doc.matches("class=\"cell-panel\"").count(), 9);
    assert!(doc.contains("id=\"footnotes\""));
    assert!(doc.contains("id=\"comments\""));
    assert!(doc.contains("<section class=\"references-section\" id=\"references\">"));
    assert!(doc.contains("id=\"ref-chomsky1959review\""));
    // Styles and script inline; no file of the site is referenced.
    assert!(doc.contains("<style>") && doc.contains("<script>"));
    for file_link in [
        "href=\"quire.css\"",
        "src=\"quire.js\"",
        "href=\"cells/",
        "href=\"references.html",
        "href=\"index.html",
    ] {
        assert!(
            !doc.contains(file_link),
            "the single file still has {file_link}"
        );
    }
    assert_eq!(doc.matches("<h1").count(), 1, "one document, one h1");

    // And it passes the checker on its own: every anchor resolves, nothing is loaded.
    let alone = tempfile::tempdir().unwrap();
    std::fs::copy(&out, alone.path().join("essay.html")).unwrap();
    let o = quire(&[
        "check",
        "--root",
        p.path().to_str().unwrap(),
        "--site",
        alone.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
}

#[test]
fn the_pages_workflow_builds_with_quire_and_deploys_with_the_official_actions() {
    let wf = read(&repo().join(".github/workflows/pages.yml"));
    for needle in [
        "cargo build --release",
        "./target/release/quire build",
        "./target/release/quire check",
        "actions/upload-pages-artifact@",
        "include-hidden-files: true",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
    ] {
        assert!(wf.contains(needle), "pages.yml lacks {needle}");
    }
}
