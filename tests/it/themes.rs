//! Themes a piece at a time: the project's templates/ and static/css/ override the built-in
//! theme file by file while the rest stays; `quire theme export` writes the whole theme,
//! which builds the same site. The grid's and the thread's markup come from partials that a
//! project can override one at a time. On the second-essay fixture.

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
        "templates/partials/grid.html",
        "templates/partials/grid_cell.html",
        "templates/partials/cell_panel.html",
        "templates/partials/thread.html",
        "templates/partials/comment.html",
        "templates/partials/components.html",
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

/// `html` without every piece that starts with `start` and ends with the first `end` after it.
fn without(html: &str, start: &str, end: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(a) = rest.find(start) {
        out.push_str(&rest[..a]);
        let b = rest[a..]
            .find(end)
            .unwrap_or_else(|| panic!("{start} without {end}"));
        rest = &rest[a + b + end.len()..];
    }
    out.push_str(rest);
    out
}

/// Builds the second essay as it is and with one template of the project's, and gives
/// back both sites' folders (in a temporary folder that lives as long as the guard).
fn with_and_without(
    template: &str,
    source: &str,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let plain = tmp.path().join("plain");
    let o = build(&root, &plain);
    assert!(o.status.success(), "{}", output_text(&o));
    let path = root.join("templates").join(template);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, source).unwrap();
    let mine = tmp.path().join("mine");
    let o = build(&root, &mine);
    assert!(o.status.success(), "{}", output_text(&o));
    (tmp, plain, mine)
}

/// The example in docs/themes.md ("A smaller override: one comment").
fn comment_example() -> String {
    let doc = std::fs::read_to_string(crate::support::repo().join("docs/themes.md")).unwrap();
    let section = &doc[doc
        .find("### A smaller override: one comment")
        .expect("the section")..];
    let start = section.find("```html\n").expect("its example") + "```html\n".len();
    let end = start + section[start..].find("```").unwrap();
    section[start..end].to_string()
}

#[test]
fn overriding_only_the_comment_partial_changes_each_comment_and_nothing_else() {
    let (_tmp, plain, mine) = with_and_without("partials/comment.html", &comment_example());
    let before = std::fs::read_to_string(plain.join("index.html")).unwrap();
    let after = std::fs::read_to_string(mine.join("index.html")).unwrap();
    assert_eq!(
        before.matches("<article class=\"comment-card\"").count(),
        2,
        "{before}"
    );
    assert!(!after.contains("comment-card"), "{after}");
    for (id, author) in [("a1", "first reader"), ("a2", "second reader")] {
        let card = format!("<article class=\"my-comment\" id=\"card-{id}\">\n<p><b>{author}</b>");
        assert!(after.contains(&card), "{card} in {after}");
    }
    assert!(
        after.contains("<p>The Python version is shorter.</p>"),
        "{after}"
    );
    // The list items around each comment (partials/thread.html), the essay, the grid and
    // the rest of the page are still the built-in theme's.
    assert!(
        after.contains("<ol class=\"thread\">\n<li class=\"comment\""),
        "{after}"
    );
    assert_eq!(
        without(&before, "<article class=\"comment-card\"", "</article>\n"),
        without(&after, "<article class=\"my-comment\"", "</article>\n"),
    );
    for page in ["references.html", "quire.css", "quire.js"] {
        assert_eq!(
            std::fs::read(plain.join(page)).unwrap(),
            std::fs::read(mine.join(page)).unwrap(),
            "{page} is unchanged"
        );
    }
}

#[test]
fn overriding_only_the_grid_cell_partial_changes_each_cell_of_the_table_and_nothing_else() {
    let (_tmp, plain, mine) = with_and_without(
        "partials/grid_cell.html",
        "<td class=\"my-cell\" data-at=\"{{ cell.row }},{{ cell.column }}\">{{ cell.name }}</td>",
    );
    let before = std::fs::read_to_string(plain.join("index.html")).unwrap();
    let after = std::fs::read_to_string(mine.join("index.html")).unwrap();
    let cells = before.matches("<td id=\"cell-").count();
    assert!(cells >= 4, "the second essay's grid has cells: {before}");
    assert_eq!(
        after.matches("<td class=\"my-cell\"").count(),
        cells,
        "{after}"
    );
    assert!(!after.contains("grid-cell-link"), "{after}");
    assert!(
        after.contains("<td class=\"my-cell\" data-at=\"0,0\">"),
        "{after}"
    );
    // The table's frame (partials/grid.html), its legend and the rest of the page stay.
    assert!(
        after.contains("<figure class=\"grid\" id=\"grid\">"),
        "{after}"
    );
    assert_eq!(
        without(&before, "<td id=\"cell-", "</td>"),
        without(&after, "<td class=\"my-cell\"", "</td>"),
    );
    // The cell pages don't draw the table.
    let page = |dir: &std::path::Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir.join("cells"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| std::fs::read(dir.join("cells").join(n)).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(page(&plain), page(&mine), "cell pages are unchanged");
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
    // And one in a cell's summary and one in an editor's note on a comment.
    let grid = root.join("content/grid.toml");
    let text = std::fs::read_to_string(&grid).unwrap().replace(
        "summary = \"Sweeping before work starts.\"",
        "summary = \"Sweeping before work starts [@keeper2012].\"",
    );
    std::fs::write(&grid, text).unwrap();
    let thread = root.join("content/comments.toml");
    let text = std::fs::read_to_string(&thread).unwrap().replace(
        "quote = \"The same counting, once in Rust\"",
        "quote = \"The same counting, once in Rust\"\nnote = \"Compare [@keeper2012].\"",
    );
    std::fs::write(&thread, text).unwrap();
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
    // The cell's summary (in its panel and on its page) and the editor's note use it too.
    let summary = "Sweeping before work starts <span class=\"my-cite\">B|keeper2012|Keeper 2012|";
    assert!(index.contains(summary), "no {summary}… in the panel");
    let cell = std::fs::read_to_string(out.join("cells/floor-morning.html")).unwrap();
    assert!(cell.contains(summary), "no {summary}… on the cell page");
    assert!(
        index.contains("Compare <span class=\"my-cite\">B|keeper2012|"),
        "the editor's note"
    );
    assert!(!index.contains("<cite class=\"citation\">"));
    assert!(!cell.contains("<cite class=\"citation\">"));
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
    // A cell's reading list, on its page and in its panel.
    let cell = std::fs::read_to_string(out.join("cells/floor-morning.html")).unwrap();
    assert!(cell.contains(mine), "the cell page's readings: {cell}");
    assert!(
        index.matches(mine).count() >= 2,
        "the panels' readings and the note's sources"
    );
    // The in-text citation stays the built-in one.
    assert!(index.contains("<cite class=\"citation\">(<a href=\"references.html#ref-keeper2012\""));
}

/// The second essay's index.html built as it is and with `partial` (under
/// templates/partials/) overridden by `source`: (built-in, overridden).
fn index_with_and_without(partial: &str, source: &str) -> (String, String) {
    let (_tmp, plain, mine) = with_and_without(&format!("partials/{partial}"), source);
    (
        std::fs::read_to_string(plain.join("index.html")).unwrap(),
        std::fs::read_to_string(mine.join("index.html")).unwrap(),
    )
}

#[test]
fn overriding_the_permalink_partial_changes_only_the_paragraphs_and_headings_links() {
    let (plain, index) = index_with_and_without(
        "permalink.html",
        "<a class=\"my-link\" href=\"#{{ permalink.id }}\">{% if permalink.section %}§ {{ permalink.section }}{% else %}{{ permalink.paragraph }}{% endif %}</a>\n",
    );
    assert!(
        index.contains("<h2 id=\"the-grid\">The grid <a class=\"my-link\" href=\"#the-grid\">§ The grid</a></h2>"),
        "{index}"
    );
    // After the comment marker, which stays the built-in one.
    assert!(
        index.contains("on this passage</span></a> <a class=\"my-link\" href=\"#p6\">6</a></p>"),
        "{index}"
    );
    assert!(!index.contains("¶</a>") && !index.contains("class=\"anchor\""));
    // Nothing else changed: without the links, both pages are the same.
    let links = plain.matches(" <a class=\"permalink\" href=\"#p").count()
        + plain.matches(" <a class=\"anchor\" href=").count();
    assert!(links > 6, "only {links} permalinks in {plain}");
    assert_eq!(index.matches(" <a class=\"my-link\"").count(), links);
    let plain_rest = without(
        &without(&plain, " <a class=\"permalink\" href=\"#p", "</a>"),
        " <a class=\"anchor\" href=",
        "</a>",
    );
    assert_eq!(without(&index, " <a class=\"my-link\"", "</a>"), plain_rest);
}

#[test]
fn overriding_the_comment_marker_partial_changes_only_the_markers() {
    let (plain, index) = index_with_and_without(
        "comment_marker.html",
        "<a class=\"my-count\" href=\"{{ comments.href }}\">{{ comments.count }} on {{ comments.block }}</a>\n",
    );
    // The one comment annotating paragraph 6 (a1), before the paragraph's permalink.
    assert!(
        index.contains(
            "once in Rust: <a class=\"my-count\" href=\"#annotation-a1-1\">1 on p6</a> <a class=\"permalink\" href=\"#p6\""
        ),
        "{index}"
    );
    assert!(!index.contains("class=\"comment-marker\""));
    assert_eq!(plain.matches(" <a class=\"comment-marker\"").count(), 1);
    assert_eq!(index.matches(" <a class=\"my-count\"").count(), 1);
    assert_eq!(
        without(&index, " <a class=\"my-count\"", "</a>"),
        without(&plain, " <a class=\"comment-marker\"", "</a>")
    );
}

#[test]
fn overriding_the_note_sources_partial_changes_only_the_notes_sources() {
    let (plain, index) = index_with_and_without(
        "note_sources.html",
        "<aside class=\"my-sources\">{% for s in sources %}<p data-key=\"{{ s.key }}\">{{ s.citation_html | safe }}</p>{% endfor %}</aside>\n",
    );
    // The note `[^day]` cites one work; its full citation is still the built-in
    // reference partial's.
    assert!(
        index.contains(
            "</cite>.</p>\n<aside class=\"my-sources\"><p data-key=\"keeper2012\"><span class=\"ref-authors\">Lee Keeper</span> <span class=\"ref-year\">(2012)</span>. <a class=\"ref-title\" href=\"https://example.org/manual\">A Made-up Workshop Manual</a>.</p></aside>\n<p class=\"backrefs\">"
        ),
        "{index}"
    );
    assert!(!index.contains("note-sources"));
    assert_eq!(plain.matches("<div class=\"note-sources\">").count(), 1);
    assert_eq!(
        without(&index, "<aside class=\"my-sources\">", "</aside>"),
        without(&plain, "<div class=\"note-sources\">", "</div>")
    );
}
