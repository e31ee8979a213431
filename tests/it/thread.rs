//! The comment thread through the real binary: its structure on the default essay, the
//! hostile fixture (with a generated 1 MB comment), a generated 10,000-comment thread, and
//! the errors for broken threads. Browser behaviour is in `browser_thread.rs`.

use crate::support::{build, fixture_copy};

use std::path::{Path, PathBuf};
use std::time::Instant;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build_ok(root: &Path, out: &Path) -> String {
    let o = build(root, out);
    assert!(
        o.status.success(),
        "build of {} failed:\n{}",
        root.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(out.join("index.html")).expect("index.html")
}

/// The `<li>` of a comment up to its body's end.
fn comment_html<'a>(index: &'a str, id: &str) -> &'a str {
    let start = index
        .find(&format!("id=\"comment-{id}\""))
        .unwrap_or_else(|| panic!("no comment {id}"));
    let end = index[start..]
        .find("</article>")
        .map_or(index.len(), |e| start + e);
    &index[start..end]
}

#[test]
fn default_thread_has_its_shape_scores_and_annotations() {
    let tmp = tempfile::tempdir().unwrap();
    let index = build_ok(&repo(), &tmp.path().join("site"));
    // 24 comments, the deleted one a placeholder.
    assert_eq!(index.matches("<li class=\"comment").count(), 24);
    let deleted = comment_html(&index, "c03");
    assert!(deleted.contains("[comment deleted]") && deleted.contains("This comment was deleted."));
    // c01 has eight replies below it, c02..c09; the toggle says so.
    assert!(index.contains("Hide 8 replies"), "c01's toggle");
    assert!(index.contains("Show 8 hidden replies"));
    // The post author's replies are marked, nobody else's.
    assert_eq!(index.matches("class=\"comment by-post-author").count(), 2);
    assert!(comment_html(&index, "c02").contains("post author"));
    assert!(comment_html(&index, "c11").contains("post author"));
    // Unknown authors say so.
    assert!(comment_html(&index, "c10").contains("class=\"author unknown\""));
    // Scores: separate and labelled, in LessWrong's order.
    let c15 = comment_html(&index, "c15");
    let af = c15.find("5 <small>AF karma</small>").expect("AF karma");
    let karma = c15.find("7 <small>karma</small>").expect("karma");
    let agree = c15.find("-7 <small>agreement</small>").expect("agreement");
    assert!(af < karma && karma < agree, "{c15}");
    assert!(c15.contains("As the source showed them: Ω57-7"));
    // Beyond the visual cap (depth 4), a reply names whom it answers.
    let c08 = comment_html(&index, "c08"); // depth 5
    assert!(
        c08.contains("in reply to <a href=\"#comment-c07\"><bdi>habryka</bdi></a>"),
        "{c08}"
    );
    assert!(!comment_html(&index, "c05").contains("in reply to"));
    // Annotations: every comment with one links back to its passage, and the passage has a
    // marker that links to that annotation (its own anchor, not the comment's).
    for (id, marker_count) in [("c10", 2), ("c12", 1), ("c24", 1)] {
        let c = comment_html(&index, id);
        // (`class="annotation"`, or `"annotation quoted-below"` where the comment quotes
        // the passage itself, as c24 does.)
        let annotation = c
            .split("<div class=\"annotation")
            .nth(1)
            .and_then(|rest| rest.split(" id=\"").nth(1))
            .unwrap_or_else(|| panic!("{id} has no annotation"));
        let anchor = annotation.split('"').next().unwrap_or_default();
        assert!(anchor.starts_with(&format!("annotation-{id}-")), "{anchor}");
        let back = annotation
            .split("class=\"annotation-backlink\" href=\"#")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{id} has no link back"));
        let marker = format!(
            "<a class=\"comment-marker\" href=\"#{anchor}\" id=\"marker-{back}\" title=\"{marker_count} comment{} on this passage\">{marker_count}<",
            if marker_count == 1 { "" } else { "s" }
        );
        assert!(index.contains(&marker), "no marker {marker}");
    }
    // The removed passage is shown as such, with no link back; c01 quotes it itself, so
    // the card shows it once, in the commenter's words.
    let c01 = comment_html(&index, "c01");
    assert!(c01.contains("About the passage it quotes, <span class=\"removed-label\">since removed</span> from the essay."));
    assert!(!c01.contains("annotation-backlink"));
    assert_eq!(
        c01.matches("the alignment community has caused some confusion")
            .count(),
        1
    );
    // Cell annotations reach the cells' pages and panels.
    let cell = std::fs::read_to_string(tmp.path().join("site/cells/cognitivist-pessimistic.html"))
        .unwrap();
    assert!(cell.contains("#comment-c13") && cell.contains("#comment-c15"));
}

#[test]
fn hostile_thread_builds_and_nothing_dangerous_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("hostile");
    crate::gen_thread::hostile_project(&project).unwrap();
    let comments = std::fs::read_to_string(project.join("content/comments.toml")).unwrap();
    assert!(comments.len() > 1_048_576, "the 1 MB comment is there");
    let index = build_ok(&project, &tmp.path().join("site"));
    let thread = &index[index.find("<section class=\"comments\"").unwrap()..];
    let lower = thread.to_ascii_lowercase();
    for bad in [
        "<script",
        "<svg",
        "<math",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<style",
        "<form",
        "<input",
        "<base",
        "<meta",
        "<link",
        "<textarea",
        "<plaintext",
        "<video",
        "<audio",
        "<template",
        "<bdo",
        " onerror=\"",
        " onload=\"",
        " onclick=\"",
        " onmouseover=\"",
        " onfocus=\"",
        " ontoggle=\"",
        " style=\"",
        "href=\"javascript",
        "href=\"data:",
        "href=\"vbscript",
        "href=\"/",
        "id=\"comments\" name",
    ] {
        // The page's own script tag sits after the section; this is the thread only.
        let thread_only = &lower[..lower.find("</section>").unwrap_or(lower.len())];
        assert!(!thread_only.contains(bad), "`{bad}` survived sanitizing");
    }
    // Every comment is there, down to the bottom of the 200-deep chain and after the 1 MB.
    assert!(index.contains("id=\"comment-deep-200\" data-depth=\"199\""));
    // The HTML nests 100 levels deep; deeper replies follow as siblings, in order.
    assert!(index.contains("</li>\n<li class=\"comment beyond-cap\" id=\"comment-deep-101\""));
    assert!(index.contains("</li>\n<li class=\"comment beyond-cap\" id=\"comment-deep-200\""));
    assert!(
        index.contains("id=\"comment-deep-099\"")
            && index[index.find("id=\"comment-deep-099\"").unwrap()..]
                .split("id=\"comment-deep-100\"")
                .next()
                .unwrap()
                .contains("<ol class=\"replies flat\">"),
        "deep-100 is still nested in deep-099"
    );
    assert!(index.contains("id=\"comment-sentinel\""));
    // Markup nested hundreds deep is shown as text.
    let deep = comment_html(&index, "deep-markup");
    assert!(
        deep.contains("nested too deeply") && deep.contains("&lt;script&gt;"),
        "{deep}"
    );
    assert!(index.contains("A reply after the 1 MB comment."));
    // Authors are escaped and isolated.
    assert!(index.contains("<bdi class=\"author\">&lt;script&gt;"));
    assert!(index.contains("<bdi class=\"author\">\u{202E}nimda\u{202C}</bdi>"));
}

/// Builds a 10,000-comment thread and reports the build time and the page's size.
#[test]
fn ten_thousand_comments_build() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("big");
    crate::gen_thread::scale_project(&project, 10_000).unwrap();
    let started = Instant::now();
    let index = build_ok(&project, &tmp.path().join("site"));
    let elapsed = started.elapsed();
    // The essay page holds the first 150; tests/it/thread_pages.rs follows the rest.
    assert_eq!(index.matches("<li class=\"comment").count(), 150);
    assert!(index.contains("class=\"thread-continue\""));
    eprintln!(
        "10,000 comments: build {:.2} s ({} profile), index.html {:.1} MiB",
        elapsed.as_secs_f64(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        index.len() as f64 / 1_048_576.0
    );
}

/// A project whose comments.toml is `comments`, on the minimal fixture's essay.
fn broken_thread(comments: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    crate::gen_thread::copy_project(&repo().join("tests/fixtures/valid/minimal"), &project)
        .unwrap();
    std::fs::write(project.join("content/comments.toml"), comments).unwrap();
    let o = build(&project, &tmp.path().join("site"));
    assert!(!o.status.success(), "a broken thread must fail the build");
    (tmp, String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn a_comment_id_that_cannot_be_a_permalink_is_an_error() {
    let (_tmp, err) = broken_thread("[[comment]]\nid = \"a b\"\nbody = \"x\"\n");
    assert!(
        err.contains("comment id `a b` is not a plain word"),
        "{err}"
    );
    assert!(err.contains("content/comments.toml:2:6"), "{err}");
}

#[test]
fn a_comment_replying_to_itself_is_a_cycle() {
    let (_tmp, err) = broken_thread(
        "[[comment]]\nid = \"ok\"\nbody = \"x\"\n\n[[comment]]\nid = \"self\"\nparent = \"self\"\nbody = \"y\"\n",
    );
    assert!(
        err.contains("comment `self` is part of a reply cycle: `self → self`"),
        "{err}"
    );
    assert!(err.contains("content/comments.toml:7:10"), "{err}");
    assert_eq!(
        err.matches("reply cycle").count(),
        1,
        "reported once: {err}"
    );
}

#[test]
fn every_broken_comment_is_reported_at_once() {
    let (_tmp, err) = broken_thread(
        r#"[[comment]]
id = "a"
date = "someday"
body = "x"

[[comment]]
id = "b"
parent = "nobody"
body = "y"

[[comment.annotation]]
quote = "words that the essay never says"

[[comment]]
id = "a"
body = "z"
"#,
    );
    for expected in [
        "comment `a` has a date that doesn't parse",
        "content/comments.toml:3:8",
        "comment `b` replies to `nobody`, which doesn't exist",
        "content/comments.toml:8:10",
        "comment `b`: quote not found in the essay",
        "content/comments.toml:12:9",
        "duplicate comment id `a`",
        "content/comments.toml:15:6",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
}

/// A comment that quotes the passage it is about in its own words shows it once: the
/// annotation box then only says which paragraph it is and leads back to it. A comment that
/// doesn't quote it gets the passage in the box, as before. (The second essay.)
#[test]
fn a_passage_the_comment_quotes_itself_is_shown_once() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let thread = root.join("content/comments.toml");
    let text = std::fs::read_to_string(&thread).unwrap().replace(
        "body = \"The Python version is shorter.\"",
        "body = \"\"\"\n> The same   counting, once\n> in Rust:\n\nThe Python version is shorter.\n\"\"\"",
    ) + "\n[[comment]]\nid = \"a3\"\nauthor = \"third reader\"\nbody = \"No quote here.\"\n\n[[comment.annotation]]\nquote = \"The same counting, once in Rust\"\n";
    std::fs::write(&thread, text).unwrap();
    let index = build_ok(&root, &tmp.path().join("site"));
    let a1 = comment_html(&index, "a1");
    assert!(a1.contains("quoted-below"), "{a1}");
    assert!(
        a1.contains("About the passage of the essay it quotes: <a class=\"annotation-backlink\""),
        "{a1}"
    );
    assert!(!a1.contains("annotation-quote"), "{a1}");
    assert_eq!(a1.matches("once").count(), 1, "{a1}");
    let a3 = comment_html(&index, "a3");
    assert!(!a3.contains("quoted-below"), "{a3}");
    assert!(a3.contains("<blockquote class=\"annotation-quote\"><p>The same counting, once in Rust</p></blockquote>"), "{a3}");
}
