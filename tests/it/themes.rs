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

#[test]
fn overriding_the_footnote_marker_partial_changes_only_the_markers() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    std::fs::create_dir_all(root.join("templates/partials")).unwrap();
    std::fs::write(
        root.join("templates/partials/footnote_marker.html"),
        "<sup class=\"my-marker\"><a id=\"{{ marker.id }}\" href=\"#{{ marker.note_id }}\">[{{ marker.number }}]</a></sup>\n",
    )
    .unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    // The essay's one note (`[^day]`), its marker drawn by the project's partial, with
    // the file's final newline dropped so the sentence goes on.
    assert!(
        index.contains(
            "through the day.<sup class=\"my-marker\"><a id=\"fnref-day\" href=\"#fn-day\">[1]</a></sup> A sketch"
        ),
        "{index}"
    );
    assert!(
        !index.contains("class=\"fnref\""),
        "no built-in marker is left"
    );
    // The rest is the built-in theme's: the citation inside the note, the notes list, the
    // page around them.
    assert!(
        index.contains(
            "<cite class=\"citation\">(<a href=\"references.html#ref-keeper2012\" data-ref=\"keeper2012\" title=\"Lee Keeper (2012). A Made-up Workshop Manual.\">Keeper 2012</a>)</cite>"
        ),
        "{index}"
    );
    assert!(index.contains("<li id=\"fn-day\" value=\"1\" class=\"footnote\""));
    assert!(index.contains("class=\"site-header\""));
}

#[test]
fn overriding_the_citation_partial_changes_every_citation_in_the_essay() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    // A narrative citation beside the bracketed one in the note.
    let essay = root.join("content/essay.md");
    let text = std::fs::read_to_string(&essay).unwrap().replace(
        "left to right through the day.[^day]",
        "left to right through the day, as @keeper2012 has it.[^day]",
    );
    std::fs::write(&essay, text).unwrap();
    std::fs::create_dir_all(root.join("templates/partials")).unwrap();
    std::fs::write(
        root.join("templates/partials/citation.html"),
        "<span class=\"my-cite\">{% if citation.narrative %}N{% else %}B{% endif %}{% for w in citation.works %}|{{ w.key }}|{{ w.shown }}|{{ w.href }}{% endfor %}</span>",
    )
    .unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains(
            "as <span class=\"my-cite\">N|keeper2012|Keeper (2012)|references.html#ref-keeper2012</span> has it."
        ),
        "{index}"
    );
    assert!(
        index.contains(
            "A note citing <span class=\"my-cite\">B|keeper2012|Keeper 2012|references.html#ref-keeper2012</span>."
        ),
        "{index}"
    );
    assert!(!index.contains("<cite class=\"citation\">"));
    // The footnote marker stays the built-in one.
    assert!(index.contains("<sup class=\"fnref\"><a id=\"fnref-day\""));
}

#[test]
fn a_partial_that_fails_to_render_is_an_error_naming_it_and_the_old_site_stays() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let before = std::fs::read(out.join("index.html")).unwrap();
    std::fs::create_dir_all(root.join("templates/partials")).unwrap();
    std::fs::write(
        root.join("templates/partials/footnote_marker.html"),
        "<sup>{{ marker.no_such_field }}</sup>",
    )
    .unwrap();
    let o = build(&root, &out);
    let text = output_text(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("template partials/footnote_marker.html failed to render"),
        "{text}"
    );
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before);
}

#[test]
fn a_whole_theme_without_the_partials_gets_the_built_in_ones() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let dir = root.join("themes/mine");
    let o = quire(&["theme", "export", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", output_text(&o));
    std::fs::remove_file(dir.join("templates/partials/footnote_marker.html")).unwrap();
    std::fs::remove_file(dir.join("templates/partials/citation.html")).unwrap();
    let default = tmp.path().join("default-site");
    let o = build(&root, &default);
    assert!(o.status.success(), "{}", output_text(&o));
    std::fs::write(root.join("quire.toml"), "theme = \"mine\"\n").unwrap();
    let mine = tmp.path().join("mine-site");
    let o = build(&root, &mine);
    assert!(o.status.success(), "{}", output_text(&o));
    assert_eq!(
        std::fs::read_to_string(default.join("index.html")).unwrap(),
        std::fs::read_to_string(mine.join("index.html")).unwrap(),
    );
}

#[test]
fn overriding_the_reference_partial_changes_the_full_citations() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    std::fs::create_dir_all(root.join("templates/partials")).unwrap();
    std::fs::write(
        root.join("templates/partials/reference.html"),
        "<span class=\"my-work\">{{ work.title }} by {{ work.authors }}, {{ work.year }} [{{ work.key }}]</span>\n",
    )
    .unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let mine =
        "<span class=\"my-work\">A Made-up Workshop Manual by Lee Keeper, 2012 [keeper2012]</span>";
    let refs = std::fs::read_to_string(out.join("references.html")).unwrap();
    assert!(refs.contains(mine), "{refs}");
    assert!(!refs.contains("class=\"ref-authors\""), "{refs}");
    // The sources listed under the note that cites it.
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains(&format!(
            "<p class=\"note-sources-title\">Sources</p><ul><li>{mine}</li></ul>"
        )),
        "{index}"
    );
    // The in-text citation stays the built-in one.
    assert!(index.contains("<cite class=\"citation\">(<a href=\"references.html#ref-keeper2012\""));
}
