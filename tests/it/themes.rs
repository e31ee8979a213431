//! Themes a piece at a time: the project's templates/ and static/css/ override the built-in
//! theme file by file while the rest stays; `quire theme export` writes the whole theme,
//! which builds the same site. On the second-essay fixture.

use crate::support::{build, fixture_copy, output_text, quire};

#[test]
fn one_overridden_template_and_one_added_stylesheet_take_effect_and_the_rest_stays() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/references.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>Works cited</h1><p class=\"mine\">{{ references | length }} works</p>{% endblock main %}",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("static/css")).unwrap();
    std::fs::write(
        root.join("static/css/95-mine.css"),
        ".mine { color: teal; }\n",
    )
    .unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let refs = std::fs::read_to_string(out.join("references.html")).unwrap();
    assert!(
        refs.contains("<h1>Works cited</h1><p class=\"mine\">1 works</p>"),
        "{refs}"
    );
    assert!(
        refs.contains("class=\"site-header\""),
        "the built-in base.html still wraps it"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("<details class=\"toc\">"),
        "the built-in index.html stays"
    );
    let css = std::fs::read_to_string(out.join("quire.css")).unwrap();
    assert!(
        css.contains(".mine { color: teal; }"),
        "the added piece is in the bundle"
    );
    assert!(
        css.contains("/* css/00-base.css */"),
        "the built-in pieces stay"
    );
    assert!(
        !out.join("css/95-mine.css").exists(),
        "a piece is joined, not copied"
    );
}

#[test]
fn a_project_stylesheet_piece_replaces_the_themes_piece_of_that_name() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    std::fs::create_dir_all(root.join("static/css")).unwrap();
    std::fs::write(
        root.join("static/css/25-code.css"),
        "/* my code colours */\n",
    )
    .unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let css = std::fs::read_to_string(out.join("quire.css")).unwrap();
    assert!(css.contains("/* my code colours */"));
    assert!(
        !css.contains("--code-keyword"),
        "the theme's piece is replaced"
    );
}

#[test]
fn the_exported_theme_builds_the_same_site() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let dir = root.join("themes/mine");
    let o = quire(&["theme", "export", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", output_text(&o));
    for file in [
        "templates/base.html",
        "templates/index.html",
        "static/css/00-base.css",
        "static/favicon.svg",
    ] {
        assert!(dir.join(file).is_file(), "{file} exported");
    }
    let default = tmp.path().join("default-site");
    let o = build(&root, &default);
    assert!(o.status.success(), "{}", output_text(&o));
    std::fs::write(root.join("quire.toml"), "theme = \"mine\"\n").unwrap();
    let mine = tmp.path().join("mine-site");
    let o = build(&root, &mine);
    assert!(o.status.success(), "{}", output_text(&o));
    for page in ["index.html", "references.html", "quire.css", "quire.js"] {
        assert_eq!(
            std::fs::read(default.join(page)).unwrap(),
            std::fs::read(mine.join(page)).unwrap(),
            "{page} is the same from the exported theme"
        );
    }
    // A second export into the same, now non-empty, folder is refused.
    let o = quire(&["theme", "export", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists and is not empty"));
}
