//! The editor's marks as a reader meets them in Chromium: an editor's link looks different
//! from an author's (dotted, with a visible raised "ed.") and screen readers get its
//! description; the reading key, the bracketed insertions, the grid's bracketed glosses
//! and the uncertain score split are on screen; and the marked page passes axe-core in
//! both colour schemes. On the default essay and on tests/fixtures/valid/edition.
//!
//! Screenshots: target/screenshots/edition-*.png

use std::process::Command;

use crate::harness::*;
use serde_json::{Value, json};

/// `quire build` of the second-essay fixture into a temporary folder.
fn build_fixture() -> tempfile::TempDir {
    let out = tempfile::Builder::new()
        .prefix("quire-edition-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let root = repo_root().join("tests/fixtures/valid/edition");
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["build", "--root"])
        .arg(&root)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// What a reader sees of each link in the essay's body: its text, the underline's style,
/// whether its raised "ed." is rendered, and its title.
const LINKS_JS: &str = r#"
return [...document.querySelectorAll('.essay-body > p a, .essay-body > ul > li a, .essay-body > ol > li a, .essay-body > blockquote a')]
  .filter((a) => !a.closest('sup, cite, .sidenote, .sidenotes, .note-sources, .fn-popover, [popover]') && !a.matches('.permalink, .comment-marker, .anchor'))
  .map((a) => {
    const mark = a.querySelector('.ed-mark');
    const r = mark && mark.getBoundingClientRect();
    return {
      text: a.textContent,
      editor: a.classList.contains('ed-link'),
      underline: getComputedStyle(a).textDecorationStyle,
      mark: !!(mark && r.width > 2 && r.height > 2 && getComputedStyle(mark).visibility === 'visible'),
      title: a.getAttribute('title'),
    };
  });
"#;

/// The accessible name -> description of every link, from Chromium's accessibility tree.
fn link_descriptions(page: &Page) -> Vec<(String, String)> {
    page.cdp("Accessibility.enable", json!({}));
    let tree = page.cdp("Accessibility.getFullAXTree", json!({}));
    let field = |n: &Value, k: &str| {
        n.get(k)
            .and_then(|v| v.get("value"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    tree["nodes"]
        .as_array()
        .expect("an accessibility tree")
        .iter()
        .filter(|n| field(n, "role") == "link")
        .map(|n| (field(n, "name"), field(n, "description")))
        .collect()
}

fn links(page: &Page) -> Vec<Value> {
    page.eval(LINKS_JS)
        .as_array()
        .expect("a list of links")
        .clone()
}

#[test]
fn the_default_essays_editor_links_look_and_read_as_the_editors() {
    let site = build_site();
    let mut page = Browser::open(&file_url(&site.path().join("index.html")));
    page.set_viewport(1280, 900);
    page.wait_for("document.readyState === 'complete'");
    let all = links(&page);
    assert!(!all.is_empty());
    for l in &all {
        assert_eq!(
            l["editor"],
            json!(true),
            "an unmarked link in the essay: {l}"
        );
        assert_eq!(l["underline"], json!("dotted"), "{l}");
        assert_eq!(l["mark"], json!(true), "no visible \"ed.\" on {l}");
    }
    let descriptions = link_descriptions(&page);
    let this_paper = descriptions
        .iter()
        .find(|(name, _)| name == "this paper")
        .unwrap_or_else(|| panic!("no link named \"this paper\": {descriptions:?}"));
    assert_eq!(
        this_paper.1, "link added by the editor; the original link was lost",
        "the link's accessible name stays its words; the description says whose it is"
    );
    // The key, the repairs and the glosses are on screen, not only in the markup. The key
    // is in the edition note, folded to one line: one tap opens it.
    assert!(
        !page.is_visible("#editorial-key"),
        "folded with the edition note"
    );
    page.click("details.edition-note > summary");
    assert!(page.is_visible("#editorial-key"));
    assert_eq!(page.count(".essay-body ins.ed-insert"), 2);
    assert!(page.is_visible(".essay-body ins.ed-insert"));
    assert_eq!(page.text(".essay-body ins.ed-insert"), "[,]");
    assert_eq!(
        page.eval("return getComputedStyle(document.querySelector('.essay-body ins.ed-insert')).textDecorationLine"),
        json!("none"),
        "the brackets mark the insertion; an underline would read as a link"
    );
    assert!(page.is_visible(".grid-table th .ed-gloss"));
    assert!(page.text(".grid-table th .ed-gloss").starts_with('['));
    assert!(page.is_visible(".grid-glosses"));
    page.eval("document.getElementById('comment-c01').scrollIntoView(); return 0");
    assert!(
        page.is_visible("#comment-c01 .scores-uncertain"),
        "c01's score split is shown as uncertain"
    );
    assert!(
        page.text("#comment-c01 .scores-uncertain")
            .contains("uncertain")
    );
    page.eval(
        "document.documentElement.style.scrollBehavior = 'auto'; document.querySelector('.essay-body a.ed-link[data-ref]').scrollIntoView({ block: 'center' }); return 0",
    );
    page.screenshot_viewport(screenshot_dir().join("edition-default-links.png"));
}

#[test]
fn a_second_essay_tells_its_authors_links_from_its_editors_and_passes_axe() {
    let site = build_fixture();
    let index = site.path().join("index.html");
    let mut page = Browser::open(&file_url(&index));
    page.set_viewport(1280, 900);
    page.wait_for("document.readyState === 'complete'");
    let all = links(&page);
    let by_text = |t: &str| {
        all.iter()
            .find(|l| l["text"].as_str().unwrap_or_default().starts_with(t))
            .unwrap_or_else(|| panic!("no link {t:?} in {all:?}"))
            .clone()
    };
    for editor in ["marsh residents", "survey", "handbook"] {
        let l = by_text(editor);
        assert_eq!(l["underline"], json!("dotted"), "{l}");
        assert_eq!(l["mark"], json!(true), "{l}");
    }
    for author in ["the society", "the almanac", "the owl"] {
        let l = by_text(author);
        assert_eq!(l["editor"], json!(false), "{l}");
        assert_ne!(
            l["underline"],
            json!("dotted"),
            "the author's link looks like the editor's: {l}"
        );
        assert_eq!(l["mark"], json!(false), "{l}");
    }
    let descriptions = link_descriptions(&page);
    let survey = descriptions
        .iter()
        .find(|(name, _)| name == "survey")
        .unwrap_or_else(|| panic!("{descriptions:?}"));
    assert_eq!(
        survey.1,
        "link added by the editor; the printing names no survey"
    );
    assert_eq!(page.text(".essay-body ins.ed-insert"), "[, egrets]");
    // In the thread, only the link the editor restored carries the mark.
    assert_eq!(page.count("#comment-k1 a.ed-link"), 1);
    assert_eq!(page.count("#comment-k2 a.ed-link"), 0);
    assert!(page.is_visible("#comment-k1 .scores-uncertain"));
    drop(page);

    let mut page = Browser::launch().new_page();
    let report = check_page(&mut page, &file_url(&index), "edition-fixture");
    report.assert_clean();
}
