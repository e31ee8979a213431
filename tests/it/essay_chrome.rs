//! Chrome that belongs to the essay: the thread's forum and score labels come from the
//! `[thread]` table of comments.toml, never from the theme; the comment count says how many
//! are deleted. On the second-essay fixture (no `[thread]`) and an edited copy of it.

use crate::support::{build, fixture_copy, output_text};

fn built_index(root: &std::path::Path, out: &std::path::Path) -> String {
    let o = build(root, out);
    assert!(o.status.success(), "{}", output_text(&o));
    std::fs::read_to_string(out.join("index.html")).unwrap()
}

#[test]
fn a_thread_without_a_thread_table_names_no_forum_and_no_scores() {
    let tmp = fixture_copy("second-essay");
    let index = built_index(&tmp.path().join("project"), &tmp.path().join("site"));
    for word in [
        "LessWrong",
        "Alignment Forum",
        "karma",
        "scores unknown",
        "no link could be confirmed",
        "class=\"author unknown\"",
        "Ω",
    ] {
        assert!(
            !index.contains(word),
            "{word:?} on a page whose content never says it"
        );
    }
    assert!(
        index.contains("<h2 id=\"comments-title\">2 comments</h2>"),
        "count"
    );
}

#[test]
fn the_thread_table_names_the_forum_and_orders_its_scores() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let comments = root.join("content/comments.toml");
    let text = std::fs::read_to_string(&comments).unwrap();
    let text = format!(
        "[thread]\nforum = \"Example Board\"\nurl = \"https://forum.example/t/1\"\n\n[thread.scores]\nagreement = \"votes for\"\nkarma = \"points\"\n\n{}",
        text.replace(
            "author = \"first reader\"",
            "author = \"first reader\"\nkarma = 3\nagreement = 5\naf_karma = 9"
        )
        .replace(
            "author = \"second reader\"",
            "author = \"second reader\"\n[[comment]]\nid = \"gone\"\ndeleted = true\nparent = \"a1\"\n[[comment]]\nid = \"a3\"\nauthor = \"third reader\"\nbody = \"No scores survived.\"\n[[comment]]\nid = \"a2b\"\nparent = \"a1\""
        )
    );
    std::fs::write(&comments, text).unwrap();
    let index = built_index(&root, &tmp.path().join("site"));
    assert!(
        index.contains("The discussion on <a href=\"https://forum.example/t/1\">Example Board</a>, with the scores Example Board shows: votes for, points."),
        "legend from the table"
    );
    let votes = index
        .find("5 <small>votes for</small>")
        .expect("agreement shown with its label");
    let points = index
        .find("3 <small>points</small>")
        .expect("karma shown with its label");
    assert!(votes < points, "in the order the table lists them");
    assert!(
        !index.contains(">9 <small>"),
        "a score the table doesn't list is not shown"
    );
    assert!(
        index.contains("scores unknown"),
        "a live comment without any score says so"
    );
    assert!(
        index.contains("<h2 id=\"comments-title\">5 comments <span class=\"deleted-count\">(1 deleted)</span></h2>"),
        "the count says how many are deleted"
    );
    assert!(!index.contains("LessWrong"));
}

#[test]
fn a_reference_without_a_url_says_nothing_unless_marked_unconfirmed() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let refs = root.join("content/references.toml");
    let text = std::fs::read_to_string(&refs)
        .unwrap()
        .replace("url = \"https://example.org/manual\"\n", "");
    let text = format!(
        "{text}\n[[ref]]\nkey = \"lost2000\"\nauthors = [\"Pat Lost\"]\ntitle = \"A Made-up Lost Pamphlet\"\nurl = \"\"\n"
    );
    std::fs::write(&refs, text).unwrap();
    let out = tmp.path().join("site");
    built_index(&root, &out);
    let page = std::fs::read_to_string(out.join("references.html")).unwrap();
    let manual = page.split("A Made-up Workshop Manual").nth(1).unwrap();
    let manual = &manual[..manual.find("</li>").unwrap_or(manual.len())];
    assert!(!manual.contains("no link could be confirmed"), "{manual}");
    let lost = page.split("A Made-up Lost Pamphlet").nth(1).unwrap();
    assert!(
        lost.contains("(no link could be confirmed)"),
        "url = \"\" marks it"
    );
}

#[test]
fn headings_named_like_quires_sections_get_ids_of_their_own() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    let index = built_index(&root, &out);
    for (heading, id) in [
        ("Comments", "comments-2"),
        ("Grid", "grid-2"),
        ("Notes", "notes"),
        ("Notes", "notes-2"),
        ("Comment threads", "section-comment-threads"),
    ] {
        assert!(
            index.contains(&format!("<h2 id=\"{id}\">{heading} <a")),
            "## {heading} gets #{id}"
        );
    }
    // quire's own sections keep their ids, once each: `quire check` finds no duplicate.
    assert_eq!(index.matches("id=\"comments\"").count(), 1);
    assert_eq!(index.matches("id=\"grid\"").count(), 1);
    let o = crate::support::quire(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--site",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
}
