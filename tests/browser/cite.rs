//! "Cite this essay" in a real browser: with JavaScript, the copy button puts the BibTeX
//! entry on the clipboard (and selects it, so the reader sees what was copied); without,
//! the entry is plain visible text and no dead button is shown.

use crate::harness::*;
use serde_json::json;

#[test]
fn copy_button_copies_the_bibtex_entry() {
    let site = build_site();
    let bib = std::fs::read_to_string(site.path().join("citation.bib")).expect("citation.bib");
    let server = StaticServer::start(site.path());
    let mut page = Browser::launch().new_page();
    // http://127.0.0.1 is a secure context, where the clipboard API exists.
    page.goto(&server.url_of("index.html"));
    page.cdp(
        "Browser.grantPermissions",
        json!({ "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
    );
    assert!(
        page.is_visible("button.cite-copy"),
        "the copy button shows with JS"
    );
    page.eval(
        "document.documentElement.style.scrollBehavior = 'auto'; \
         document.querySelector('button.cite-copy').scrollIntoView({ block: 'center' }); return true;",
    );
    page.click_by_name("Copy BibTeX");
    page.wait_for("document.querySelector('button.cite-copy').textContent === 'Copied'");
    let selected = page.eval("window.getSelection().toString()");
    // A selection's text drops the final line break.
    assert_eq!(
        selected.as_str().map(str::trim_end),
        Some(bib.trim_end()),
        "the entry is selected"
    );
    let clipboard = page.eval_async(
        "navigator.clipboard.readText().then(done, (e) => done('error: ' + e))",
        json!([]),
    );
    assert_eq!(
        clipboard.as_str(),
        Some(bib.as_str()),
        "what the clipboard holds"
    );
    page.screenshot_viewport(screenshot_dir().join("cite-copied.png"));
}

#[test]
fn without_javascript_the_entry_is_text_and_no_button_shows() {
    let site = build_site();
    let bib = std::fs::read_to_string(site.path().join("citation.bib")).expect("citation.bib");
    let mut page = Browser::open(&file_url(&site.path().join("index.html")));
    page.disable_javascript();
    assert!(
        !page.is_visible("button.cite-copy"),
        "a button that can't work is hidden"
    );
    assert!(page.is_visible("#cite-bibtex"));
    assert_eq!(page.text("#cite-bibtex").trim_end(), bib.trim_end());
    assert!(
        page.text("#cite-text")
            .starts_with("Richard Ngo. “Defining alignment research.”")
    );
}
