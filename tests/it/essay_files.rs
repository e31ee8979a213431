//! Files beside the essay: images and linked files under content/ are copied to the same
//! path, static/ to the site root; images carry their size and lazy loading; a missing
//! file, an image without alt text or a link out of content/ is an error at the link; the
//! single file inlines every image. On the second-essay fixture, never the default essay.

use crate::support::{build, fixture_copy, line_of, output_text, quire};

use std::path::Path;

fn essay(root: &Path) -> String {
    std::fs::read_to_string(root.join("content/essay.md")).unwrap()
}

fn edit_essay(root: &Path, from: &str, to: &str) {
    let text = essay(root);
    assert!(text.contains(from), "{from:?} not in the essay");
    std::fs::write(root.join("content/essay.md"), text.replacen(from, to, 1)).unwrap();
}

#[test]
fn figures_linked_files_and_static_are_copied_with_their_sizes() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    for (site, source) in [
        ("figures/rows.svg", "content/figures/rows.svg"),
        ("figures/box.png", "content/figures/box.png"),
        ("figures/notes.txt", "content/figures/notes.txt"),
        ("welcome.txt", "static/welcome.txt"),
    ] {
        assert_eq!(
            std::fs::read(out.join(site)).unwrap_or_default(),
            std::fs::read(root.join(source)).unwrap(),
            "{site} is a copy of {source}"
        );
    }
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains(r#"<img src="figures/rows.svg" alt="A sketch of two rows of boxes" width="240" height="100" loading="lazy""#),
        "SVG size from its viewBox:\n{index}"
    );
    assert!(
        index.contains(r#"alt="A grey square standing for one cell" title="One cell" width="48" height="32" loading="lazy""#),
        "PNG size from its header"
    );
}

#[test]
fn a_missing_figure_is_an_error_at_the_image() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    std::fs::remove_file(root.join("content/figures/rows.svg")).unwrap();
    let out = tmp.path().join("site");
    let o = build(&root, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let line = line_of(&essay(&root), "figures/rows.svg");
    assert!(
        err.contains("missing file content/figures/rows.svg"),
        "{err}"
    );
    assert!(err.contains(&format!("content/essay.md:{line}:1")), "{err}");
    assert!(!out.exists(), "no half-written site");
}

#[test]
fn a_missing_linked_file_is_an_error_at_the_link() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    edit_essay(&root, "figures/notes.txt", "figures/nothing-here.txt");
    let o = build(&root, &tmp.path().join("site"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let text = essay(&root);
    let line = line_of(&text, "nothing-here.txt");
    let col = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("[the notes")
        .unwrap()
        + 1;
    assert!(
        err.contains("missing file content/figures/nothing-here.txt"),
        "{err}"
    );
    assert!(
        err.contains(&format!("content/essay.md:{line}:{col}")),
        "{err}"
    );
}

#[test]
fn an_image_without_alt_text_is_an_error() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    edit_essay(&root, "![A sketch of two rows of boxes]", "![]");
    let o = build(&root, &tmp.path().join("site"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let line = line_of(&essay(&root), "figures/rows.svg");
    assert!(err.contains("an image without alt text"), "{err}");
    assert!(err.contains(&format!("content/essay.md:{line}:1")), "{err}");
}

#[test]
fn a_remote_image_without_alt_text_is_an_error_too() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    edit_essay(
        &root,
        "And a small picture",
        "![](https://example.org/a.png)\n\nAnd a small picture",
    );
    let o = build(&root, &tmp.path().join("site"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let line = line_of(&essay(&root), "https://example.org/a.png");
    assert!(err.contains("an image without alt text"), "{err}");
    assert!(err.contains(&format!("content/essay.md:{line}:1")), "{err}");
}

#[test]
fn a_link_out_of_content_is_an_error() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    edit_essay(&root, "(figures/notes.txt)", "(../quire.toml)");
    let o = build(&root, &tmp.path().join("site"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(err.contains("leads out of content/"), "{err}");
}

#[test]
fn a_static_file_cannot_replace_a_page() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    std::fs::write(root.join("static/references.html"), "mine").unwrap();
    let o = build(&root, &tmp.path().join("site"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(
        err.contains("static/references.html would replace a page"),
        "{err}"
    );
}

#[test]
fn the_single_file_inlines_every_image() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let single = tmp.path().join("essay.html");
    let o = quire(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--single-file",
        single.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
    let doc = std::fs::read_to_string(&single).unwrap();
    assert!(
        doc.contains(r#"<img src="data:image/svg+xml;base64,"#),
        "SVG inlined"
    );
    assert!(
        doc.contains(r#"<img src="data:image/png;base64,iVBORw0KGgo"#),
        "PNG inlined"
    );
    assert!(
        !doc.contains(r#"src="figures/"#),
        "no image left to load from a folder"
    );
}

#[test]
fn every_page_declares_an_icon_and_static_can_replace_it() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let icon = r#"<link rel="icon" href="favicon.svg" type="image/svg+xml">"#;
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains(icon)
    );
    let cell = std::fs::read_to_string(out.join("cells/floor-noon.html")).unwrap();
    assert!(
        cell.contains(r#"<link rel="icon" href="../favicon.svg""#),
        "cell pages too"
    );
    let not_found = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(
        not_found.contains(r#"<link rel="icon" href="data:image/svg+xml;base64,"#),
        "the 404 page, served at any depth, carries its icon inline"
    );
    assert!(
        out.join("favicon.svg").is_file(),
        "the theme's icon is published"
    );

    std::fs::write(root.join("static/favicon.ico"), b"\0\0\x01\0").unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains(r#"<link rel="icon" href="favicon.ico" type="image/x-icon">"#),
        "the project's icon wins"
    );
}
