//! The edition tells the truth about itself: what the editor added to the author's and the
//! commenters' words is marked as the editor's, every editor's note cites a checked source,
//! and a reference field the bibliography marks unverified is shown on no page. Checked on
//! the default essay (its content is the promise) and on a second essay,
//! tests/fixtures/valid/edition, for the marking features themselves.

use std::path::{Path, PathBuf};

use crate::support::{build, output_text, repo};

const EDITOR_LINK_TITLE: &str = "link added by the editor; the original link was lost";

/// Builds a project into a fresh folder; returns the folder (kept alive) and the site path.
fn built(root: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let o = build(root, &site);
    assert!(o.status.success(), "{}", output_text(&o));
    (tmp, site)
}

/// Every HTML page of a built site, with its path relative to the site.
fn pages(site: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![site.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let name = path.strip_prefix(site).unwrap().display().to_string();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    assert!(out.len() > 2, "no pages in {}", site.display());
    out
}

/// The text between `start` and the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Every start tag `<a ...>` in `html`, with the element's inner HTML up to its `</a>`.
fn links(html: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        rest = &rest[at..];
        let tag_end = rest.find('>').expect("a closed tag") + 1;
        let close = rest.find("</a>").unwrap_or(rest.len());
        out.push((&rest[..tag_end], &rest[tag_end..close.max(tag_end)]));
        rest = &rest[tag_end..];
    }
    out
}

/// The essay's body: from its first paragraph to the end of the last, without the grid
/// (its cells are the page's own navigation, not links in the author's words).
fn essay_body(index: &str) -> String {
    let body = between(
        index,
        "<div class=\"essay-body\">",
        "<p class=\"to-thread\">",
    );
    let mut s = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("<figure class=\"grid\"") {
        s.push_str(&rest[..at]);
        let after = rest[at..].find("</figure>").expect("grid figure closes") + at;
        rest = &rest[after..];
    }
    s.push_str(rest);
    s
}

/// A link of quire's own making in the essay body: permalinks, footnote markers,
/// comment markers and `[@key]` citations (which are the editor's notes' business).
fn is_chrome(tag: &str) -> bool {
    [
        "class=\"anchor\"",
        "class=\"permalink\"",
        "class=\"comment-marker\"",
        "role=\"doc-noteref\"",
    ]
    .iter()
    .any(|c| tag.contains(c))
        || tag.contains("href=\"references.html#")
}

#[test]
fn every_link_in_the_default_essays_words_is_marked_as_the_editors() {
    let (_tmp, site) = built(&repo());
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let body = essay_body(&index);
    let mut outbound = 0;
    let mut marked = 0;
    for (tag, inner) in links(&body) {
        if is_chrome(tag) {
            continue;
        }
        marked += 1;
        assert!(
            tag.contains("ed-link") && tag.contains("title=\"link added by the editor;"),
            "a link in the essay's words is not marked as the editor's: {tag}{inner}"
        );
        assert!(
            inner.contains("class=\"ed-mark\""),
            "an editor's link has no visible mark: {tag}{inner}"
        );
        if tag.contains("href=\"http") {
            outbound += 1;
            assert!(
                tag.contains(&format!("title=\"{EDITOR_LINK_TITLE}\"")),
                "an outbound editor's link doesn't say the original was lost: {tag}"
            );
        }
    }
    // The kept links: the paper the essay quotes, Skinner's book and Chomsky's review; the
    // rest of the essay's lost links stay plain words.
    assert_eq!(outbound, 3, "outbound links in the essay body:\n{body}");
    assert!(marked > outbound, "the cell links are the editor's too");
    for plain in [
        "via activation steering)",
        "their secrecy about it",
        "tool use",
    ] {
        assert!(body.contains(plain), "{plain:?} should be plain text");
    }
    // The reading key explains the mark, and both repairs of run-together words show.
    assert!(index.contains("id=\"editorial-key\""));
    assert_eq!(
        body.matches("<ins class=\"ed-insert\" title=\"inserted by the editor; not in the source text\">[,]</ins>")
            .count(),
        2
    );
    // Links the editor restored inside comments are marked too; the commenters' own URLs
    // (written out in their text) are not.
    let thread = between(&index, "id=\"comments\"", "</footer>");
    for restored in [
        ">the hard bits of the alignment challenge",
        ">Steering subsystems: capabilities",
    ] {
        let (tag, _) = links(thread)
            .into_iter()
            .find(|(tag, inner)| format!(">{inner}").starts_with(restored) && !tag.is_empty())
            .unwrap_or_else(|| panic!("no link {restored:?} in the thread"));
        assert!(
            tag.contains("ed-link"),
            "restored comment link unmarked: {tag}"
        );
    }
    // The post author's replies are inferred from their words, and the page says so.
    for id in ["c02", "c11"] {
        let c = between(thread, &format!("id=\"comment-{id}\""), "</header>");
        assert!(c.contains(">post author (inferred)</span>"), "{c}");
    }
    let bai = links(thread)
        .into_iter()
        .find(|(tag, _)| tag.contains("https://arxiv.org/abs/2204.05862"))
        .expect("LawrenceC's link");
    assert!(
        !bai.0.contains("ed-link"),
        "a commenter's own link is the commenter's"
    );
}

#[test]
fn every_editors_note_of_the_default_essay_cites_a_reference_and_says_it_is_the_editors() {
    let (_tmp, site) = built(&repo());
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let notes = between(&index, "<section class=\"footnotes\"", "</section>");
    assert!(
        notes.contains("<h2 id=\"footnotes-title\">Editor&#39;s notes</h2>"),
        "{notes}"
    );
    let items: Vec<&str> = notes.split("<li id=\"fn-").skip(1).collect();
    assert!(items.len() >= 10, "only {} notes", items.len());
    for item in items {
        let label = &item[..item.find('"').unwrap()];
        assert!(
            item.contains("<cite class=\"citation\">"),
            "note {label} cites no reference"
        );
        // The note's first words say whose it is: it speaks of "the essay" or "the editor".
        let text = between(item, "<p>", "</p>");
        let opening: String = text.chars().take(70).collect();
        assert!(
            opening.contains("The essay") || opening.contains("the editor"),
            "note {label} doesn't open as the editor's: {opening}"
        );
    }
}

/// `(key, title, values that must not show)` for each reference with `unverified` fields.
fn unverified_fields(references_toml: &Path) -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(references_toml).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    let mut out = Vec::new();
    for r in doc["ref"].as_array().unwrap() {
        let Some(fields) = r.get("unverified").and_then(|u| u.as_array()) else {
            continue;
        };
        let mut hidden = Vec::new();
        for field in fields {
            match field.as_str().unwrap() {
                "authors" => {
                    for a in r["authors"].as_array().unwrap() {
                        let a = a.as_str().unwrap();
                        hidden.push(a.to_string());
                        hidden.push(a.split_whitespace().last().unwrap().to_string());
                    }
                }
                "year" => hidden.push(r["year"].as_integer().unwrap().to_string()),
                "venue" => hidden.push(r["venue"].as_str().unwrap().to_string()),
                "url" => hidden.push(r["url"].as_str().unwrap().to_string()),
                other => panic!("unexpected unverified field {other}"),
            }
        }
        out.push((
            r["key"].as_str().unwrap().to_string(),
            r["title"].as_str().unwrap().to_string(),
            hidden,
        ));
    }
    out
}

/// Every place a page shows a work: each inline citation of it (`<cite>` with its
/// `data-ref`), and each list item whose text carries its title (full citations in
/// reading lists, note sources and the bibliography).
fn citations_of<'a>(html: &'a str, key: &str, title: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (at, _) in html.match_indices("<cite class=\"citation\">") {
        let cite = between(&html[at..], "<cite", "</cite>");
        if cite.contains(&format!("data-ref=\"{key}\"")) {
            out.push(cite);
        }
    }
    let title = title.replace('\'', "&#39;");
    for (at, _) in html.match_indices(&format!(">{title}</")) {
        let Some(start) = html[..at].rfind("<li") else {
            continue;
        };
        // Only a list item that really encloses the title.
        if html[start..at].contains("</li>") {
            continue;
        }
        let end = html[at..].find("</li>").map_or(html.len(), |e| at + e);
        out.push(&html[start..end]);
    }
    out
}

#[test]
fn no_page_of_the_default_edition_shows_an_unverified_reference_field() {
    let (_tmp, site) = built(&repo());
    let refs = unverified_fields(&repo().join("content/references.toml"));
    let keys: Vec<&str> = refs.iter().map(|(k, _, _)| k.as_str()).collect();
    assert!(keys.contains(&"herd2023steering"), "{keys:?}");
    let pages = pages(&site);
    for (key, title, hidden) in &refs {
        let mut seen = 0;
        for (page, html) in &pages {
            for shown in citations_of(html, key, title) {
                seen += 1;
                // The key itself (in ids and data attributes) may spell a year.
                let visible = shown.replace(key.as_str(), "");
                for value in hidden {
                    assert!(
                        !visible.contains(value.as_str()),
                        "{page} shows {key}'s unverified {value:?}:\n{shown}"
                    );
                }
                assert!(
                    visible.contains("Unknown author"),
                    "{page}: {key}'s byline is unverified, so it reads \"Unknown author\":\n{shown}"
                );
            }
        }
        assert!(seen > 0, "{key} is shown nowhere, so nothing was checked");
    }
    // The commenter who linked their own post is anonymous in the source: no page may name
    // them through the post's unconfirmed byline.
    for (page, html) in &pages {
        assert!(
            !html.contains("Seth Herd"),
            "{page} names the post's author"
        );
    }
}

#[test]
fn a_second_essay_marks_its_editors_links_insertions_notes_glosses_and_scores() {
    let root = repo().join("tests/fixtures/valid/edition");
    let (_tmp, site) = built(&root);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let body = essay_body(&index);
    let marked: Vec<(&str, &str)> = links(&body)
        .into_iter()
        .filter(|(tag, _)| tag.contains("ed-link"))
        .collect();
    let hrefs: Vec<&str> = marked
        .iter()
        .map(|(tag, _)| between(tag, "href=\"", "\" ").trim_start_matches("href=\""))
        .collect();
    assert_eq!(
        hrefs,
        [
            "cells/resident-wetland.html",
            "https://survey.example.org/1930",
            "https://handbook.example.org/"
        ],
        "editor's links: a cell:, an https: and a ref: link"
    );
    assert!(
        marked[0]
            .0
            .contains(&format!("title=\"{EDITOR_LINK_TITLE}\""))
    );
    assert!(
        marked[1]
            .0
            .contains("title=\"link added by the editor; the printing names no survey\""),
        "an \"editor: why\" title says why: {}",
        marked[1].0
    );
    assert!(marked.iter().all(|(_, inner)| inner.contains("ed-mark")));
    // The author's own links, titled or not, stay the author's.
    for own in [
        "https://society.example.org/",
        "https://almanac.example.org/",
        "cells/resident-woodland.html",
    ] {
        let (tag, _) = links(&body)
            .into_iter()
            .find(|(tag, _)| tag.contains(own))
            .unwrap_or_else(|| panic!("no link to {own}"));
        assert!(
            !tag.contains("ed-link"),
            "the author's link is marked: {tag}"
        );
    }
    assert!(body.contains("title=\"The 1931 almanac\""));
    // The insertion, in brackets, titled.
    assert!(body.contains(
        "Herons<ins class=\"ed-insert\" title=\"inserted by the editor; not in the source text\">[, egrets]</ins> and rails"
    ));
    // The reading key explains both marks; the notes carry the heading the front matter asks.
    let key = between(&index, "id=\"editorial-key\"", "</p>");
    assert!(
        key.contains("added by the editor") && key.contains("square brackets"),
        "{key}"
    );
    assert!(index.contains("<h2 id=\"footnotes-title\">Notes by the editor</h2>"));
    assert!(index.contains("<a href=\"#footnotes\">Notes by the editor</a>"));
    // The grid's glosses and corner names are in brackets and titled; the labels are not.
    let grid = between(&index, "<figure class=\"grid\"", "</figure>");
    for gloss in [
        "[Here in every season.]",
        "[Reeds, pools and mud.]",
        "[Stay-at-homes]",
        "[Travellers]",
    ] {
        assert!(grid.contains(gloss), "{gloss} in\n{grid}");
    }
    assert_eq!(
        grid.matches("title=\"the editor's gloss, not part of the author's table\"")
            .count(),
        4
    );
    assert!(grid.contains("<span class=\"axis-label\">Resident</span><span"));
    assert!(grid.contains("class=\"grid-glosses\""));
    let cell = std::fs::read_to_string(site.join("cells/resident-wetland.html")).unwrap();
    assert!(
        cell.contains("class=\"ed-label\""),
        "the cell page says what is the editor's"
    );
    // Comments: only the link the editor listed is marked, not a commenter's own link that
    // asks for the mark with its title, and not the same URL in a comment that doesn't list it.
    let thread = between(&index, "id=\"comments\"", "</footer>");
    let k1 = between(thread, "id=\"comment-k1\"", "</article>");
    let k2 = between(thread, "id=\"comment-k2\"", "</article>");
    let count = links(k1)
        .into_iter()
        .find(|(tag, _)| tag.contains("https://count.example.org/rails"))
        .unwrap();
    assert!(
        count.0.contains("ed-link") && count.1.contains("ed-mark"),
        "{count:?}"
    );
    let forged = links(k1)
        .into_iter()
        .find(|(tag, _)| tag.contains("https://notes.example.org/mine"))
        .unwrap();
    assert!(
        !forged.0.contains("ed-link") && !forged.1.contains("ed-mark"),
        "{forged:?}"
    );
    assert!(!k2.contains("ed-link"), "{k2}");
    // k2's author is inferred to be the essay's: the badge says it is inferred.
    assert!(k2.contains(">post author (inferred)</span>"), "{k2}");
    assert!(!k1.contains("post author"), "{k1}");
    // The uncertain split of k1's scores is said on the page; k2's certain one isn't.
    assert!(
        k1.contains("class=\"scores-uncertain\"") && k1.contains("Ω31212"),
        "{k1}"
    );
    assert!(!k2.contains("scores-uncertain"), "{k2}");
    // The handbook's byline, year and venue are unverified: no page shows them.
    for (page, html) in pages(&site) {
        for hidden in ["Fenwright", "1920", "Quillby"] {
            assert!(
                !html.contains(hidden),
                "{page} shows the unverified {hidden:?}"
            );
        }
    }
    let refs = std::fs::read_to_string(site.join("references.html")).unwrap();
    let entry = between(&refs, "id=\"ref-handbook\"", "</li>");
    assert!(
        entry.contains("Unknown author") && entry.contains("year unknown"),
        "{entry}"
    );
}

#[test]
fn an_essay_without_editors_marks_has_no_editors_legend() {
    let (_tmp, site) = built(&repo().join("tests/fixtures/valid/grid-2x4"));
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(!index.contains("editorial-key"));
    assert!(!index.contains("ed-link"));
    assert!(!index.contains("grid-glosses") && !index.contains("ed-gloss"));
    assert!(index.contains("<h2 id=\"footnotes-title\">Notes</h2>"));
}

#[test]
fn an_editors_link_missing_from_its_comment_is_an_error_at_the_url() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = repo().join("tests/fixtures/valid/edition/content");
    let content = tmp.path().join("content");
    std::fs::create_dir(&content).unwrap();
    for f in ["essay.md", "grid.toml", "references.toml", "comments.toml"] {
        std::fs::copy(fixture.join(f), content.join(f)).unwrap();
    }
    let comments = std::fs::read_to_string(content.join("comments.toml")).unwrap();
    let wrong = comments.replace(
        "editor_links = [\"https://count.example.org/rails\"]",
        "editor_links = [\"https://count.example.org/rail\"]",
    );
    assert_ne!(wrong, comments);
    std::fs::write(content.join("comments.toml"), wrong).unwrap();
    let o = build(tmp.path(), &tmp.path().join("site"));
    let text = output_text(&o);
    assert!(!o.status.success(), "{text}");
    assert!(
        text.contains(
            "comment `k1` has no link to https://count.example.org/rail for `editor_links` to mark"
        ),
        "{text}"
    );
    assert!(
        text.contains("comments.toml:21:17"),
        "located at the URL: {text}"
    );
    assert!(!tmp.path().join("site/index.html").exists());
}
