//! Reading on a phone (issue 22), measured in real Chromium with touch and mobile
//! emulation at 320 and 375 px, and on a 1440 px desktop, on the default essay and on
//! `tests/fixtures/valid/phone-essay` (other labels, a long title, long notes, a comment
//! with two annotations): the first sentence on the first screen, every comment's words
//! before the editor's note, markers that lead to the annotation about their paragraph,
//! endnotes behind one control, a grid panel that keeps the reader's place, notes as a
//! bottom sheet, tap targets of 24 x 24 px, sidenotes beside their markers and a measure
//! of 45-75 characters.
//!
//! Screenshots: target/screenshots/phone-*.png

use std::path::PathBuf;
use std::process::Command;

use crate::harness::*;
use serde_json::{Value, json};

/// The phones and the desktop of the issue: (width, height).
const PHONES: [(u32, u32); 2] = [(320, 640), (375, 812)];
const DESKTOP: (u32, u32) = (1440, 900);

/// A built essay: its name (for messages and screenshots) and its site.
struct Essay {
    name: &'static str,
    site: tempfile::TempDir,
}

impl Essay {
    fn index(&self) -> String {
        file_url(&self.site.path().join("index.html"))
    }
}

fn fixture_root() -> PathBuf {
    repo_root().join("tests/fixtures/valid/phone-essay")
}

/// The default essay and the phone fixture, built.
fn essays() -> Vec<Essay> {
    let site = tempfile::Builder::new()
        .prefix("quire-phone-essay-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("build")
        .arg("--root")
        .arg(fixture_root())
        .arg("--out")
        .arg(site.path())
        .output()
        .expect("cannot run quire");
    assert!(
        out.status.success(),
        "the phone fixture does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    vec![
        Essay {
            name: "default",
            site: build_site(),
        },
        Essay {
            name: "fixture",
            site,
        },
    ]
}

/// A page at `width` x `height`: a phone (touch, no hover, coarse pointer, mobile
/// viewport) under 600 px, a desktop with a mouse otherwise. Reduced motion, so that
/// WebDriver's clicks land on elements that hold still.
fn page_at(browser: &Browser, width: u32, height: u32) -> Page {
    let mut page = browser.new_page();
    page.set_viewport(width, height);
    let phone = width < 600;
    page.cdp(
        "Emulation.setTouchEmulationEnabled",
        json!({ "enabled": phone, "maxTouchPoints": if phone { 5 } else { 1 } }),
    );
    let (hover, pointer) = if phone {
        ("none", "coarse")
    } else {
        ("hover", "fine")
    };
    page.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [
            { "name": "prefers-reduced-motion", "value": "reduce" },
            { "name": "hover", "value": hover },
            { "name": "any-hover", "value": hover },
            { "name": "pointer", "value": pointer },
            { "name": "any-pointer", "value": pointer },
        ] }),
    );
    page
}

fn shot(page: &Page, name: &str) {
    page.screenshot_viewport(screenshot_dir().join(format!("phone-{name}.png")));
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number `{key}` in {v}"))
}

/// Taps an element the way a finger does (a touch event sequence at its centre), after
/// scrolling it to the middle of the screen.
fn tap(page: &Page, css: &str) {
    let c = page.eval_with(
        "const el = document.querySelector(arguments[0]); \
         if (!el) return null; \
         el.scrollIntoView({ block: 'center', behavior: 'instant' }); \
         const r = el.getBoundingClientRect(); \
         return { x: r.left + r.width / 2, y: r.top + r.height / 2 };",
        json!([css]),
    );
    assert!(!c.is_null(), "nothing to tap at {css}");
    let point = json!([{ "x": num(&c, "x"), "y": num(&c, "y") }]);
    page.cdp(
        "Input.dispatchTouchEvent",
        json!({ "type": "touchStart", "touchPoints": point }),
    );
    page.cdp(
        "Input.dispatchTouchEvent",
        json!({ "type": "touchEnd", "touchPoints": [] }),
    );
}

// ---------------------------------------------------------------------------------------
// 2. The first sentence on the first screen.

#[test]
fn the_first_sentence_is_on_a_phones_first_screen() {
    let browser = Browser::launch();
    for essay in essays() {
        for (w, h) in PHONES.into_iter().chain([DESKTOP]) {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            let m = page.eval(
                "const p = document.querySelector('.essay-body > p'); \
                 const r = p.getBoundingClientRect(); \
                 const fold = (sel) => { const d = document.querySelector(sel); \
                   return d ? { open: d.open, height: d.getBoundingClientRect().height } : null; }; \
                 return { top: r.top + scrollY, line: parseFloat(getComputedStyle(p).lineHeight), \
                          vh: innerHeight, note: fold('details.edition-note'), toc: fold('details.toc'), \
                          key: !!document.querySelector('.reading-key') && \
                               !!document.querySelector('details .reading-key') };",
            );
            shot(&page, &format!("first-screen-{}-{w}", essay.name));
            eprintln!(
                "{} at {w}x{h}: the first sentence's top at {:.0} px",
                essay.name,
                num(&m, "top")
            );
            // The first line of the first paragraph is fully on the first screen.
            assert!(
                num(&m, "top") + num(&m, "line") <= num(&m, "vh"),
                "{} at {w}x{h}: the first sentence starts at {} px, below the first screen: {m}",
                essay.name,
                num(&m, "top")
            );
            // The edition note and the contents are one line each, the reading key inside.
            for fold in ["note", "toc"] {
                let f = &m[fold];
                assert_eq!(
                    f["open"],
                    json!(false),
                    "{}: {fold} starts closed: {m}",
                    essay.name
                );
                assert!(
                    num(f, "height") <= 2.0 * 24.0,
                    "{}: the closed {fold} takes one line: {m}",
                    essay.name
                );
            }
            assert_eq!(
                m["key"],
                json!(true),
                "{}: the reading key is folded in: {m}",
                essay.name
            );
            // A tap opens the contents, and its links still lead into the essay.
            page.click("details.toc > summary");
            page.wait_for("document.querySelector('details.toc').open");
            assert!(page.is_visible("details.toc nav a[href='#comments']"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// 1. The commenter's words first, the editor's note after them, folded.

#[test]
fn every_comment_is_read_before_the_editors_note_about_it() {
    let browser = Browser::launch();
    for essay in essays() {
        for (w, h) in PHONES {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            let m = page.eval(
                "const head = document.querySelector('#comments-title').getBoundingClientRect(); \
                 const body = document.querySelector('.thread .comment-body').getBoundingClientRect(); \
                 const order = [...document.querySelectorAll('.comment-card')].map((card) => { \
                   const body = card.querySelector(':scope > .comment-body'); \
                   const notes = [...card.querySelectorAll('.editor-note')]; \
                   return { body: !!body, after: notes.every((n) => \
                       body.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING), \
                     closed: notes.every((n) => n.tagName === 'DETAILS' && !n.open), \
                     oneLine: notes.every((n) => n.getBoundingClientRect().height <= 2 * 24), heights: notes.map((n) => n.getBoundingClientRect().height), \
                     notes: notes.length }; }); \
                 return { gap: body.top - head.top, vh: innerHeight, order };",
            );
            let gap = num(&m, "gap");
            page.eval("document.querySelector('#comments-title').scrollIntoView({ behavior: 'instant' }); return true;");
            shot(&page, &format!("thread-top-{}-{w}", essay.name));
            eprintln!(
                "{} at {w}: the first commenter's words start {gap:.0} px below the thread heading",
                essay.name
            );
            assert!(
                gap <= num(&m, "vh") / 2.0,
                "{} at {w}x{h}: the first comment's words are {gap} px below the heading, more than half a screen",
                essay.name
            );
            let order = m["order"].as_array().expect("comments");
            let with_notes = order.iter().filter(|c| num(c, "notes") > 0.0).count();
            assert!(with_notes > 0, "{}: no editor's notes to check", essay.name);
            for (i, c) in order.iter().enumerate() {
                assert_eq!(
                    c["body"],
                    json!(true),
                    "{}: comment {i} has a body",
                    essay.name
                );
                assert_eq!(
                    c["after"],
                    json!(true),
                    "{}: comment {i}'s note comes before its words",
                    essay.name
                );
                assert_eq!(
                    c["closed"],
                    json!(true),
                    "{}: comment {i}'s note is not folded",
                    essay.name
                );
                assert_eq!(
                    c["oneLine"],
                    json!(true),
                    "{}: comment {i}'s folded note is taller than a line: {c}",
                    essay.name
                );
            }
            // One tap opens a note.
            page.click(".thread .editor-note > summary");
            page.wait_for("document.querySelector('.thread .editor-note').open");
            assert!(page.text(".thread .editor-note").len() > 40);
        }
    }
}

// ---------------------------------------------------------------------------------------
// 7. Every annotation its own anchor; a marker leads to the annotation about its paragraph.

#[test]
fn a_comment_marker_leads_to_the_annotation_about_its_paragraph() {
    let browser = Browser::launch();
    for essay in essays() {
        let (w, h) = PHONES[1];
        let mut page = page_at(&browser, w, h);
        page.goto(&essay.index());
        let markers = page.eval(
            "return [...document.querySelectorAll('.essay-body a.comment-marker')].map((m) => ({ \
               href: m.getAttribute('href'), block: m.parentElement.closest('[id]').id }));",
        );
        let markers = markers.as_array().expect("markers").clone();
        assert!(markers.len() >= 2, "{}: {markers:?}", essay.name);
        for m in &markers {
            let href = m["href"].as_str().expect("href");
            let block = m["block"].as_str().expect("block");
            // The target is an annotation whose way back is this very paragraph.
            let back = page.eval_with(
                "const t = document.getElementById(arguments[0].slice(1)); \
                 if (!t) return 'no target'; \
                 if (!t.matches('.annotation')) return 'not an annotation: ' + t.className; \
                 const a = t.querySelector('a.annotation-backlink'); \
                 return a ? a.getAttribute('href') : 'no way back';",
                json!([href]),
            );
            assert_eq!(
                back,
                json!(format!("#{block}")),
                "{}: the marker of {block} leads to {href}",
                essay.name
            );
        }
        // Every annotation has its own id, and they are all different.
        let ids = page.eval(
            "const ids = [...document.querySelectorAll('.annotation')].map((a) => a.id); \
             return { n: ids.length, distinct: new Set(ids.filter(Boolean)).size };",
        );
        assert_eq!(ids["n"], ids["distinct"], "{}: {ids}", essay.name);
        // Following a marker puts its annotation on screen, highlighted.
        let last = markers.last().expect("a marker");
        let href = last["href"].as_str().expect("href").to_string();
        tap(&page, &format!("a.comment-marker[href='{href}']"));
        page.wait_for(&format!("location.hash === '{href}'"));
        page.wait_for(&format!(
            "(() => {{ const r = document.querySelector('{href}').getBoundingClientRect(); \
             return r.top >= -1 && r.top < innerHeight / 2; }})()"
        ));
        shot(&page, &format!("annotation-target-{}-{w}", essay.name));
        assert_eq!(
            page.eval(&format!(
                "getComputedStyle(document.querySelector('{href}')).outlineStyle"
            )),
            json!("solid")
        );
    }
    // The fixture's comment `third` annotates two paragraphs; the marker of the second
    // leads to its second annotation.
    let essay = &essays()[1];
    let mut page = page_at(&browser, 375, 812);
    page.goto(&essay.index());
    let hedges = page.eval(
        "const m = [...document.querySelectorAll('a.comment-marker')].find((a) => \
           a.closest('p').textContent.includes('Hedges in winter')); \
         return m ? m.getAttribute('href') : null;",
    );
    assert_eq!(hedges, json!("#annotation-third-2"));
}
