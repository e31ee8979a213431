//! `quire check` on the real binary: it passes on the site `quire build` writes and fails,
//! naming the page and the link, on built-site fixtures with one problem each
//! (tests/fixtures/site-broken-*/).

use crate::support::{output_text, quire, repo};

use std::path::Path;
use std::process::Output;

fn check_site(site: &Path, extra: &[&str]) -> Output {
    let repo = repo();
    let mut args = vec![
        "check",
        "--root",
        repo.to_str().unwrap(),
        "--site",
        site.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    quire(&args)
}

#[test]
fn the_real_site_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let repo = repo();
    for base in [None, Some("https://user.github.io/repo/")] {
        let mut args = vec![
            "build",
            "--root",
            repo.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
        ];
        if let Some(b) = base {
            args.extend(["--base-url", b]);
        }
        let built = quire(&args);
        assert!(built.status.success(), "{}", output_text(&built));
        let o = check_site(&site, &[]);
        assert!(o.status.success(), "base_url {base:?}: {}", output_text(&o));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(": 0 problems"), "{}", output_text(&o));
        assert!(stderr.contains("checked 12 pages"), "{}", output_text(&o));
    }
}

#[test]
fn external_links_are_listed_not_fetched() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let built = quire(&[
        "build",
        "--root",
        repo().to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{}", output_text(&built));
    let o = check_site(&site, &["--external"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("external links (listed, not fetched):"),
        "{out}"
    );
    // The essay's original publication, linked from every page's footer.
    assert!(
        out.contains("https://www.lesswrong.com/posts/67fNBeHrjdrZZNDDK/defining-alignment-research  (404.html, cells/"),
        "{out}"
    );
}

fn fails_naming(fixture: &str, expected: &[&str]) {
    let site = repo().join("tests/fixtures").join(fixture);
    let o = check_site(&site, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for e in expected {
        assert!(
            out.contains(e),
            "expected {e:?} in the output of check on {fixture}:\n{}",
            output_text(&o)
        );
    }
    assert_eq!(
        out.lines().count(),
        1,
        "one problem only:\n{}",
        output_text(&o)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(": 1 problem\n"),
        "{}",
        output_text(&o)
    );
}

#[test]
fn a_broken_link_fails_naming_page_and_link() {
    fails_naming(
        "site-broken-link",
        &[
            "site-broken-link/index.html:7:",
            "no such file `cells/no-such-cell.html`",
        ],
    );
}

#[test]
fn a_missing_anchor_fails_naming_page_and_link() {
    fails_naming(
        "site-broken-anchor",
        &[
            "site-broken-anchor/index.html:6:",
            "`cells/engineering-average.html#readings`",
            "has no element with id `readings`",
        ],
    );
}

#[test]
fn a_remote_script_fails_naming_page_and_link() {
    fails_naming(
        "site-broken-remote-script",
        &[
            "site-broken-remote-script/index.html:4:",
            "`https://cdn.example.com/analytics.js`",
            "loads a resource from another host",
        ],
    );
}

#[test]
fn content_errors_fail_the_check_too() {
    let project = crate::support::invalid_fixture("unknown-cell");
    let root = project.path();
    let site = repo().join("tests/fixtures/site-broken-link");
    let o = quire(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--site",
        site.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("essay.md"), "{}", output_text(&o));
    assert!(
        stderr.contains("error: the content has"),
        "{}",
        output_text(&o)
    );
}

#[test]
fn a_site_that_was_never_built_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = check_site(&tmp.path().join("nothing-here"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("cannot read the site in"),
        "{}",
        output_text(&o)
    );
    assert!(stderr.contains("quire build"), "{}", output_text(&o));
}
