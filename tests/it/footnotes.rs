//! Footnotes through the real binary: bad input is reported with file, line and column
//! (an unused note is a warning and the build goes on; a note defined twice is an error
//! that leaves the previous site alone), and the notes list links back to every reference.

use crate::support::{build, invalid_fixture};

#[test]
fn an_unused_footnote_is_a_warning_with_its_position_and_the_build_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(invalid_fixture("unused-footnote").path(), &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the build must succeed:\n{err}");
    for needle in [
        "warning: footnote `[^spare]` is never referenced",
        "content/essay.md:17:1",
        "[^spare]: A note nobody refers to.",
        "reference it in the text with [^spare], or remove it",
    ] {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    assert!(!err.contains("error"), "a warning only:\n{err}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !index.contains("A note nobody refers to"),
        "an unreferenced note is left out of the page"
    );
}

#[test]
fn a_note_referenced_twice_links_back_to_both_references() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(invalid_fixture("unused-footnote").path(), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<a id=\"fnref-one\" href=\"#fn-one\""));
    assert!(index.contains("<a id=\"fnref-one-2\" href=\"#fn-one\""));
    assert!(index.contains(
        "<a href=\"#fnref-one\" class=\"backref\" aria-label=\"Back to reference 1 of 2 to note 1 in the text\">"
    ));
    assert!(index.contains(
        "<a href=\"#fnref-one-2\" class=\"backref\" aria-label=\"Back to reference 2 of 2 to note 1 in the text\">"
    ));
    // The note's citation is given in full under it.
    let note = &index[index.find("<li id=\"fn-one\"").expect("the note")..];
    let note = &note[..note.find("</li>\n").unwrap()];
    assert!(note.contains("class=\"note-sources\""), "{note}");
    assert!(note.contains("class=\"ref-title\""), "{note}");
}

#[test]
fn a_footnote_defined_twice_is_an_error_with_its_position() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "previous site").unwrap();
    let o = build(invalid_fixture("duplicate-footnote").path(), &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for needle in [
        "error: footnote `[^one]` is defined twice",
        "content/essay.md:17:1",
        "[^one]: The same label again.",
    ] {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "previous site"
    );
}
