//! The real binary on fixture projects: the default essay builds, builds are
//! deterministic, and every kind of bad input fails with a clear error that names the file,
//! line and column while leaving the previous site exactly as it was.

use crate::support::{build, invalid_fixture, repo};
use expect_test::expect_file;

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
    assert!(index.contains("neither target was found"));
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

/// Builds a broken fixture (the base project with its changed files) over an existing
/// site: exit status 1, the whole output as the snapshot expects it (a changed message is a
/// reviewed diff: `UPDATE_EXPECT=1 cargo test --test it build::` rewrites the snapshots),
/// and the old site untouched.
fn assert_fails(fixture: &str, expected: expect_test::ExpectFile) {
    let project = invalid_fixture(fixture);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "previous site").unwrap();
    std::fs::write(out.join(".quire-site"), "").unwrap();
    let before = snapshot(tmp.path());
    let o = build(project.path(), &out);
    let err = String::from_utf8_lossy(&o.stderr)
        .replace(project.path().to_str().unwrap(), "$PROJECT")
        .replace(tmp.path().to_str().unwrap(), "$OUT_PARENT");
    expected.assert_eq(&format!("exit status: {:?}\n{err}", o.status.code()));
    assert_eq!(o.status.code(), Some(1), "{fixture}: exit status 1\n{err}");
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
        expect_file!["../fixtures/invalid/malformed-toml/expected.txt"],
    );
}

#[test]
fn malformed_front_matter() {
    assert_fails(
        "malformed-front-matter",
        expect_file!["../fixtures/invalid/malformed-front-matter/expected.txt"],
    );
}

#[test]
fn unclosed_front_matter() {
    assert_fails(
        "unclosed-front-matter",
        expect_file!["../fixtures/invalid/unclosed-front-matter/expected.txt"],
    );
}

#[test]
fn missing_file() {
    assert_fails(
        "missing-file",
        expect_file!["../fixtures/invalid/missing-file/expected.txt"],
    );
}

#[test]
fn missing_required_field() {
    assert_fails(
        "missing-field",
        expect_file!["../fixtures/invalid/missing-field/expected.txt"],
    );
}

#[test]
fn unknown_cell_in_a_link() {
    assert_fails(
        "unknown-cell",
        expect_file!["../fixtures/invalid/unknown-cell/expected.txt"],
    );
}

#[test]
fn unknown_reading_key() {
    assert_fails(
        "unknown-reading",
        expect_file!["../fixtures/invalid/unknown-reading/expected.txt"],
    );
}

#[test]
fn unknown_citation_key() {
    assert_fails(
        "unknown-citation",
        expect_file!["../fixtures/invalid/unknown-citation/expected.txt"],
    );
}

#[test]
fn unknown_parent() {
    assert_fails(
        "unknown-parent",
        expect_file!["../fixtures/invalid/unknown-parent/expected.txt"],
    );
}

#[test]
fn duplicate_comment_id() {
    assert_fails(
        "duplicate-id",
        expect_file!["../fixtures/invalid/duplicate-id/expected.txt"],
    );
}

#[test]
fn two_cells_at_one_position() {
    assert_fails(
        "duplicate-cell",
        expect_file!["../fixtures/invalid/duplicate-cell/expected.txt"],
    );
}

#[test]
fn cell_id_that_is_not_a_row_column_pair() {
    assert_fails(
        "bad-cell-id",
        expect_file!["../fixtures/invalid/bad-cell-id/expected.txt"],
    );
}

#[test]
fn table_that_does_not_match_the_grid() {
    assert_fails(
        "table-mismatch",
        expect_file!["../fixtures/invalid/table-mismatch/expected.txt"],
    );
}

#[test]
fn file_that_is_not_utf8() {
    assert_fails(
        "not-utf8",
        expect_file!["../fixtures/invalid/not-utf8/expected.txt"],
    );
}

#[test]
fn reply_cycle() {
    assert_fails(
        "reply-cycle",
        expect_file!["../fixtures/invalid/reply-cycle/expected.txt"],
    );
}

#[test]
fn date_that_does_not_parse() {
    assert_fails(
        "bad-date",
        expect_file!["../fixtures/invalid/bad-date/expected.txt"],
    );
}

#[test]
fn quote_that_matches_nothing() {
    assert_fails(
        "quote-not-found",
        expect_file!["../fixtures/invalid/quote-not-found/expected.txt"],
    );
}

#[test]
fn quote_that_matches_twice() {
    assert_fails(
        "quote-ambiguous",
        expect_file!["../fixtures/invalid/quote-ambiguous/expected.txt"],
    );
}

#[test]
fn undefined_footnote() {
    assert_fails(
        "undefined-footnote",
        expect_file!["../fixtures/invalid/undefined-footnote/expected.txt"],
    );
}

#[test]
fn every_error_of_a_build_is_reported_together() {
    assert_fails(
        "many-errors",
        expect_file!["../fixtures/invalid/many-errors/expected.txt"],
    );
}

#[test]
fn theme_not_found_points_at_the_setting() {
    assert_fails(
        "theme-not-found",
        expect_file!["../fixtures/invalid/theme-not-found/expected.txt"],
    );
}

#[test]
fn too_many_errors_are_counted_not_all_printed() {
    assert_fails(
        "too-many-errors",
        expect_file!["../fixtures/invalid/too-many-errors/expected.txt"],
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
        expect_file!["../fixtures/invalid/template-syntax/expected.txt"],
    );
}

/// `site/` is committed so that a reader of the repository can open `site/index.html`
/// with no toolchain; it must be exactly what `quire build` makes of the content today.
#[test]
fn committed_site_is_current() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(&repo(), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (built, committed) = (snapshot(&out), snapshot(&repo().join("site")));
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let stale = "site/ is stale: run `cargo run -- build` and commit site/";
    for name in names(&built) {
        if !names(&committed).contains(&name) {
            panic!("{stale} (site/{name} is missing)");
        }
    }
    for (name, bytes) in &committed {
        match built.iter().find(|(n, _)| n == name) {
            None => panic!("{stale} (site/{name} is no longer built)"),
            Some((_, new)) if new != bytes => panic!("{stale} (site/{name} differs)"),
            Some(_) => {}
        }
    }
}
