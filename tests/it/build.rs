//! The real binary on fixture projects: the default essay builds, builds are
//! deterministic, and every kind of bad input fails with a clear error that names the file,
//! line and column while leaving the previous site exactly as it was.

use crate::support::{build, repo};

use std::path::Path;

/// Every file under `dir`, with its bytes, in a stable order.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn default_essay_builds_the_whole_site() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(&repo(), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    // The essay's first and last sentences, the grid, the whole thread.
    assert!(index.contains("is currently a fairly confused one"));
    assert!(index.contains("I’m trying to advance worst-case and/or cognitivist AI research."));
    assert!(index.contains("<table class=\"grid-table"));
    assert_eq!(
        index.matches("<li class=\"comment").count(),
        24,
        "all 24 comments"
    );
    assert!(index.contains("[comment deleted]"));
    // The editor says how the edition was made, and that lost links stay lost.
    assert!(index.contains("class=\"edition-note\""));
    assert!(index.contains("neither could be recovered"));
    // A reader is told, before the essay, which small numbers are notes and which comments.
    assert!(index.contains("class=\"reading-key\""));
    for cell in [
        "engineering-average",
        "behaviorist-pessimistic",
        "cognitivist-worst",
    ] {
        assert!(out.join(format!("cells/{cell}.html")).is_file(), "{cell}");
    }
    assert!(out.join("references.html").is_file());
    // Every internal link is relative and names a file: it works from file://.
    assert!(!index.contains("href=\"/"), "no root-absolute links");
    assert!(!index.contains("src=\"/"), "no root-absolute sources");
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert!(build(&repo(), &a).status.success());
    assert!(build(&repo(), &b).status.success());
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert!(!sa.is_empty());
    assert_eq!(sa, sb);
}

#[test]
fn rebuilding_replaces_the_site_and_leaves_no_staging_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    assert!(build(&repo(), &out).status.success());
    std::fs::write(out.join("stale.html"), "old").unwrap();
    assert!(build(&repo(), &out).status.success());
    assert!(
        !out.join("stale.html").exists(),
        "the new site replaces the old one whole"
    );
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["site".to_string()]);
}

#[test]
fn refuses_to_replace_a_folder_that_is_not_a_site() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("notes");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let o = build(&repo(), &out);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("refusing to replace"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn valid_fixture_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build(
        &repo().join("tests/fixtures/valid/minimal"),
        &tmp.path().join("site"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Builds a broken fixture over an existing site and checks the error and the old site.
fn assert_fails(fixture: &str, expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "previous site").unwrap();
    std::fs::write(out.join(".quire-site"), "").unwrap();
    let before = snapshot(tmp.path());
    let root = repo().join("tests/fixtures/invalid").join(fixture);
    let o = build(&root, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{fixture}: exit status 1\n{err}");
    for needle in expected {
        assert!(
            err.contains(needle),
            "{fixture}: expected {needle:?} in:\n{err}"
        );
    }
    assert!(!err.contains("panicked"), "{fixture}: panicked:\n{err}");
    assert_eq!(
        snapshot(tmp.path()),
        before,
        "{fixture}: the previous site must be untouched"
    );
}

#[test]
fn malformed_toml() {
    assert_fails(
        "malformed-toml",
        &[
            "invalid TOML in content/grid.toml",
            "content/grid.toml:22:14",
            "label = \"Good",
        ],
    );
}

#[test]
fn malformed_front_matter() {
    assert_fails(
        "malformed-front-matter",
        &[
            "invalid TOML in content/essay.md",
            "content/essay.md:3:10",
            "author = Test Author",
        ],
    );
}

#[test]
fn unclosed_front_matter() {
    assert_fails(
        "unclosed-front-matter",
        &["front matter is never closed", "content/essay.md:1:1"],
    );
}

#[test]
fn missing_file() {
    assert_fails("missing-file", &["missing file content/essay.md"]);
}

#[test]
fn missing_required_field() {
    assert_fails(
        "missing-field",
        &["missing field `title`", "content/references.toml:1:1"],
    );
}

#[test]
fn unknown_cell_in_a_link() {
    assert_fails(
        "unknown-cell",
        &[
            "unknown cell `slow-great`",
            "content/essay.md:6:63",
            "known cells: fast-cheap",
        ],
    );
}

#[test]
fn unknown_reading_key() {
    assert_fails(
        "unknown-reading",
        &[
            "unknown reference key `smyth2020`",
            "content/grid.toml:27:13",
            "similar keys: smith2020",
        ],
    );
}

#[test]
fn unknown_citation_key() {
    assert_fails(
        "unknown-citation",
        &[
            "unknown reference key `nobody1999`",
            "content/essay.md:13:28",
        ],
    );
}

#[test]
fn unknown_parent() {
    assert_fails(
        "unknown-parent",
        &[
            "comment `b` replies to `zz`, which doesn't exist",
            "content/comments.toml:14:10",
        ],
    );
}

#[test]
fn duplicate_comment_id() {
    assert_fails(
        "duplicate-id",
        &["duplicate comment id `a`", "content/comments.toml:13:6"],
    );
}

#[test]
fn two_cells_at_one_position() {
    assert_fails(
        "duplicate-cell",
        &[
            "two cells at one position: `fast-cheap`",
            "content/grid.toml:30:6",
        ],
    );
}

#[test]
fn cell_id_that_is_not_a_row_column_pair() {
    assert_fails(
        "bad-cell-id",
        &[
            "cell id `slowcheap` is not a row-column pair",
            "content/grid.toml:34:6",
            "rows: fast, slow",
        ],
    );
}

#[test]
fn table_that_does_not_match_the_grid() {
    assert_fails(
        "table-mismatch",
        &[
            "row label `Sluggish` differs from `Slow`",
            "content/essay.md:11:2",
        ],
    );
}

#[test]
fn file_that_is_not_utf8() {
    assert_fails(
        "not-utf8",
        &[
            "content/essay.md is not valid UTF-8",
            "content/essay.md:13:11",
        ],
    );
}

#[test]
fn reply_cycle() {
    assert_fails(
        "reply-cycle",
        &["part of a reply cycle", "content/comments.toml:3:10"],
    );
}

#[test]
fn date_that_does_not_parse() {
    assert_fails(
        "bad-date",
        &[
            "comment `a` has a date that doesn't parse",
            "content/comments.toml:5:8",
        ],
    );
}

#[test]
fn quote_that_matches_nothing() {
    assert_fails(
        "quote-not-found",
        &[
            "comment `a`: quote not found in the essay",
            "A paragraph nobody wrote",
            "content/comments.toml:8:9",
        ],
    );
}

#[test]
fn quote_that_matches_twice() {
    assert_fails(
        "quote-ambiguous",
        &[
            "comment `a`: quote matches 2 passages",
            "content/comments.toml:8:9",
        ],
    );
}

#[test]
fn undefined_footnote() {
    assert_fails(
        "undefined-footnote",
        &[
            "footnote `[^two]` is never defined",
            "content/essay.md:6:99",
        ],
    );
}

#[test]
fn every_error_of_a_build_is_reported_together() {
    assert_fails(
        "many-errors",
        &[
            "unknown cell `nowhere`",
            "comment `b` replies to `ghost`",
            "build failed with 2 errors",
        ],
    );
}

#[test]
fn theme_not_found_points_at_the_setting() {
    assert_fails(
        "theme-not-found",
        &["theme `plain` not found", "quire.toml:2:9"],
    );
}

#[test]
fn too_many_errors_are_counted_not_all_printed() {
    assert_fails(
        "too-many-errors",
        &[
            "unknown reference key `nokey`",
            "content/essay.md:17:",
            "warning: 5 more problems not shown",
            "build failed with 105 errors",
        ],
    );
}

#[test]
fn refuses_to_replace_the_project_itself() {
    // A project root that holds an index.html (a landing page, say) is not a site: building
    // into it must not delete content/.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let minimal = repo().join("tests/fixtures/valid/minimal/content");
    std::fs::create_dir(root.join("content")).unwrap();
    for e in std::fs::read_dir(&minimal).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join("content").join(e.file_name())).unwrap();
    }
    std::fs::write(root.join("index.html"), "landing page").unwrap();
    let before = snapshot(root);
    let o = build(root, root);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("it holds the project"), "{err}");
    assert_eq!(snapshot(root), before);
}

#[test]
fn template_syntax_error_points_into_the_template() {
    assert_fails(
        "template-syntax",
        &[
            "template index.html does not parse",
            "themes/broken/templates/index.html:3:16",
            "<main>{{ oops( }}</main>",
        ],
    );
}
