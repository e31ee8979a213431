//! `quire build --epub PATH`: the book passes epubcheck with no error and no warning, on
//! the default essay and on the 2x4 fixture; it is byte-identical across builds; its
//! container, footnotes, cell sections, thread and metadata are what the issue asks; and
//! it never replaces a file that isn't an EPUB.
//!
//! epubcheck comes from Debian's `epubcheck` package (the test command installs it); a
//! missing epubcheck fails the test with that instruction.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{output_text, quire, repo};

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn fixture_2x4() -> PathBuf {
    repo().join("tests/fixtures/valid/grid-2x4")
}

/// `quire build --root ROOT --epub PATH`, which must succeed.
pub fn epub(root: &Path, path: &Path) -> Vec<u8> {
    let o = quire(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--epub",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
    std::fs::read(path).unwrap()
}

/// Every entry of the zip, in order, with its compression method and contents.
fn entries(bytes: &[u8]) -> Vec<(String, zip::CompressionMethod, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().to_string(), file.compression(), data)
        })
        .collect()
}

/// Every entry but the images, as text, by name.
pub fn documents(bytes: &[u8]) -> BTreeMap<String, String> {
    entries(bytes)
        .into_iter()
        .filter(|(name, _, _)| !name.ends_with(".png"))
        .map(|(name, _, data)| (name, String::from_utf8(data).expect("UTF-8")))
        .collect()
}

/// Runs Debian's epubcheck (a jar: run with `java -jar` where the system doesn't execute
/// jars directly) and returns its full report.
pub fn epubcheck(path: &Path) -> std::process::Output {
    let jar = ["/usr/share/java/epubcheck.jar", "/usr/bin/epubcheck"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!("epubcheck is not installed: `apt-get install -y epubcheck` (the test command does this)")
        });
    Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run java -jar {}: {e} (apt-get install -y epubcheck)",
                jar.display()
            )
        })
}

fn assert_epubcheck_clean(path: &Path) {
    let o = epubcheck(path);
    let report = output_text(&o);
    assert!(
        o.status.success(),
        "epubcheck failed on {}:\n{report}",
        path.display()
    );
    assert!(
        report.contains("No errors or warnings detected."),
        "epubcheck found problems in {}:\n{report}",
        path.display()
    );
}

/// The targets of the grid's cell links (`<a href="cells.xhtml#panel-…" class="grid-cell-link">`).
fn grid_cell_links(essay: &str) -> Vec<String> {
    essay
        .match_indices("<a href=\"cells.xhtml#")
        .filter_map(|(at, _)| {
            let rest = &essay[at + "<a href=\"cells.xhtml#".len()..];
            let end = rest.find('"')?;
            rest[end..]
                .starts_with("\" class=\"grid-cell-link\"")
                .then(|| rest[..end].to_string())
        })
        .collect()
}

#[test]
fn default_essay_passes_epubcheck() {
    let dir = temp();
    let path = dir.path().join("essay.epub");
    epub(&repo(), &path);
    assert_epubcheck_clean(&path);
}

#[test]
fn grid_2x4_passes_epubcheck() {
    let dir = temp();
    let path = dir.path().join("garden.epub");
    epub(&fixture_2x4(), &path);
    assert_epubcheck_clean(&path);
}

#[test]
fn byte_identical_across_builds_with_mimetype_first_and_stored() {
    let dir = temp();
    let a = epub(&repo(), &dir.path().join("a.epub"));
    // The second build replaces an existing EPUB (allowed) and must not differ.
    let b = epub(&repo(), &dir.path().join("a.epub"));
    assert!(a == b, "two builds differ");
    let c = epub(&fixture_2x4(), &dir.path().join("c.epub"));
    assert!(a != c, "two essays make the same book");
    // The OCF rule: the first local header is `mimetype`, stored, with no extra field.
    assert_eq!(&a[..4], b"PK\x03\x04");
    assert_eq!(&a[8..10], &[0, 0], "mimetype is stored, not compressed");
    assert_eq!(&a[28..30], &[0, 0], "no extra field before the media type");
    assert_eq!(&a[30..58], b"mimetypeapplication/epub+zip");
    let all = entries(&a);
    assert_eq!(all[0].0, "mimetype");
    assert_eq!(all[0].1, zip::CompressionMethod::Stored);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        let t = file.last_modified().expect("a timestamp");
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute()),
            (1980, 1, 1, 0, 0),
            "{} has the build's time",
            file.name()
        );
    }
}

#[test]
fn footnotes_cells_thread_and_bibliography_are_linked_both_ways() {
    let dir = temp();
    let docs = documents(&epub(&repo(), &dir.path().join("e.epub")));
    let essay = &docs["OEBPS/essay.xhtml"];
    // Footnotes as EPUB footnotes.
    assert!(
        essay.contains(
            "<a href=\"essay.xhtml#fn-physics\" epub:type=\"noteref\" id=\"fnref-physics\""
        )
    );
    assert!(essay.contains("<aside epub:type=\"footnote\" id=\"fn-physics\" class=\"footnote\">"));
    assert_eq!(
        essay.matches("epub:type=\"footnote\"").count(),
        essay.matches("<aside").count()
    );
    // The grid: nine cells, each linking to its own section in cells.xhtml, shaded.
    let cells = &docs["OEBPS/cells.xhtml"];
    let cell_links = grid_cell_links(essay);
    assert_eq!(cell_links.len(), 9, "{cell_links:?}");
    for id in &cell_links {
        assert!(
            cells.contains(&format!("<section class=\"cell-panel\" id=\"{id}\"")),
            "{id}"
        );
    }
    assert!(essay.contains("class=\"grid-cell\" style=\"background-color: #"));
    // Each cell's section: what it is, where the essay discusses it, its reading list.
    assert!(cells.contains("In the essay"));
    assert!(cells.contains("Reading list"));
    assert!(cells.contains("href=\"essay.xhtml#p"));
    // The thread: nested, and annotations link to their passage and back.
    let thread = &docs["OEBPS/thread.xhtml"];
    assert!(
        thread.contains("<ol class=\"replies"),
        "replies are nested lists"
    );
    assert!(essay.contains("<a href=\"thread.xhtml#annotation-c24-1\" class=\"comment-marker\""));
    assert!(thread.contains("id=\"annotation-c24-1\""));
    assert!(thread.contains("<li class=\"comment\" id=\"comment-c24\""));
    assert!(
        thread.contains("href=\"essay.xhtml#p3\""),
        "annotation back to its passage"
    );
    // Web-only chrome is gone (the nav document's landmarks are hidden by design).
    for (name, doc) in &docs {
        for absent in ["<button", "<script", " data-", "popover", " hidden="] {
            let allowed = absent == " hidden=" && name.ends_with("nav.xhtml");
            assert!(allowed || !doc.contains(absent), "{absent} in {name}");
        }
    }
    // The bibliography, with the essay's citations pointing into it.
    assert!(docs["OEBPS/bibliography.xhtml"].contains("id=\"ref-newton1687principia\""));
    assert!(essay.contains("href=\"bibliography.xhtml#ref-newton1687principia\""));
    // Navigation: a nav document and an NCX listing the same documents.
    let nav = &docs["OEBPS/nav.xhtml"];
    let ncx = &docs["OEBPS/toc.ncx"];
    for file in [
        "title.xhtml",
        "essay.xhtml",
        "cells.xhtml",
        "thread.xhtml",
        "bibliography.xhtml",
    ] {
        assert!(nav.contains(&format!("href=\"{file}\"")), "{file} in nav");
        assert!(ncx.contains(&format!("src=\"{file}\"")), "{file} in ncx");
    }
    assert!(nav.contains("essay.xhtml#a-better-definition-of-alignment-research"));
}

#[test]
fn metadata_is_the_front_matter_and_nothing_more() {
    let dir = temp();
    let docs = documents(&epub(&repo(), &dir.path().join("e.epub")));
    let opf = &docs["OEBPS/content.opf"];
    assert!(opf.contains("<dc:title>Defining alignment research</dc:title>"));
    assert!(opf.contains("<dc:creator>Richard Ngo</dc:creator>"));
    assert!(opf.contains("<dc:date>2024-08-19</dc:date>"));
    assert!(opf.contains("<dc:language>en</dc:language>"));
    assert!(opf.contains(
        "<dc:source>https://www.lesswrong.com/posts/67fNBeHrjdrZZNDDK/defining-alignment-research</dc:source>"
    ));
    assert!(opf.contains("<dc:identifier id=\"uid\">urn:uuid:"));
    // The preview image is the cover.
    #[cfg(feature = "preview")]
    {
        assert!(opf.contains(
            "<item id=\"cover-image\" href=\"cover.png\" media-type=\"image/png\" properties=\"cover-image\"/>"
        ));
        let book = std::fs::read(dir.path().join("e.epub")).unwrap();
        let cover = entries(&book)
            .into_iter()
            .find(|(name, _, _)| name == "OEBPS/cover.png")
            .expect("the cover is in the book");
        assert!(cover.2.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
    let title = &docs["OEBPS/title.xhtml"];
    assert!(title.contains(
        "<a href=\"https://www.lesswrong.com/posts/67fNBeHrjdrZZNDDK/defining-alignment-research\">Read the original publication</a>"
    ));

    // The 2x4 fixture has no original URL: the book names no source.
    let docs = documents(&epub(&fixture_2x4(), &dir.path().join("g.epub")));
    let opf = &docs["OEBPS/content.opf"];
    assert!(opf.contains("<dc:title>A garden through the year</dc:title>"));
    assert!(opf.contains("<dc:creator>Test Author</dc:creator>"));
    assert!(!opf.contains("<dc:source>"), "{opf}");
    let essay = &docs["OEBPS/essay.xhtml"];
    let links = grid_cell_links(essay);
    assert_eq!(links.len(), 8, "a 2x4 grid has eight cells: {links:?}");
    for id in &links {
        assert!(
            docs["OEBPS/cells.xhtml"].contains(&format!("id=\"{id}\"")),
            "{id}"
        );
    }
}

#[test]
fn never_replaces_a_file_that_is_not_an_epub() {
    let dir = temp();
    let notes = dir.path().join("notes.epub");
    std::fs::write(&notes, "my notes, not a book").unwrap();
    let o = quire(&[
        "build",
        "--root",
        repo().to_str().unwrap(),
        "--epub",
        notes.to_str().unwrap(),
    ]);
    assert!(!o.status.success(), "{}", output_text(&o));
    let text = output_text(&o);
    assert!(text.contains("refusing to replace"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "my notes, not a book"
    );
    let o = quire(&[
        "build",
        "--root",
        repo().to_str().unwrap(),
        "--epub",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        output_text(&o).contains("it is a folder"),
        "{}",
        output_text(&o)
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no stray file"
    );
}

/// The EPUB shares the single file's guard: nothing is written inside the project's
/// sources (a typo like `--epub content/essay.epub`) unless --force.
#[test]
fn never_writes_into_the_projects_sources_without_force() {
    let dir = temp();
    let project = dir.path().join("project");
    crate::support::copy_tree(&repo().join("tests/fixtures/valid/grid-2x4"), &project);
    let target = project.join("content/essay.epub");
    let args = |force: bool| {
        let mut a = vec![
            "build".to_string(),
            "--root".into(),
            project.to_str().unwrap().into(),
            "--epub".into(),
            target.to_str().unwrap().into(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let a = args(false);
    let o = quire(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!o.status.success(), "{}", output_text(&o));
    assert!(
        output_text(&o).contains("it is inside the project's content/"),
        "{}",
        output_text(&o)
    );
    assert!(!target.exists());
    let a = args(true);
    let o = quire(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(target.is_file());
}
