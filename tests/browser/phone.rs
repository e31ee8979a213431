//! Reading on a phone (issue 22), measured in real Chromium with touch and mobile
//! emulation at 320 and 375 px, and on a 1440 px desktop, on the default essay and on
//! `tests/fixtures/valid/phone-essay` (other labels, a long title, long notes, three of
//! them within a few lines of each other, a comment with two annotations): the first
//! sentence on the first screen, every comment's words
//! before the editor's note, markers that lead to the annotation about their paragraph,
//! endnotes behind one control, a grid panel that keeps the reader's place, notes as a
//! bottom sheet, tap targets of 24 x 24 px, sidenotes beside their markers and a measure
//! of 45-75 characters.
//!
//! Screenshots: target/screenshots/phone-*.png

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

/// `tests/fixtures/valid/<name>`, built into a temporary directory.
fn built_fixture(name: &str) -> tempfile::TempDir {
    let site = tempfile::Builder::new()
        .prefix(&format!("quire-{name}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    let root = repo_root().join("tests/fixtures/valid").join(name);
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("build")
        .arg("--root")
        .arg(&root)
        .arg("--out")
        .arg(site.path())
        .output()
        .expect("cannot run quire");
    assert!(
        out.status.success(),
        "{} does not build:\n{}",
        root.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    site
}

/// The default essay and the phone fixture, built.
fn essays() -> Vec<Essay> {
    vec![
        Essay {
            name: "default",
            site: build_site(),
        },
        Essay {
            name: "fixture",
            site: built_fixture("phone-essay"),
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
    media(&page, phone, "light");
    page
}

/// The media features of a phone (no hover, coarse pointer) or a desktop, in a scheme.
fn media(page: &Page, phone: bool, scheme: &str) {
    let (hover, pointer) = if phone {
        ("none", "coarse")
    } else {
        ("hover", "fine")
    };
    page.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": [
            { "name": "prefers-reduced-motion", "value": "reduce" },
            { "name": "prefers-color-scheme", "value": scheme },
            { "name": "hover", "value": hover },
            { "name": "any-hover", "value": hover },
            { "name": "pointer", "value": pointer },
            { "name": "any-pointer", "value": pointer },
        ] }),
    );
}

fn shot(page: &Page, name: &str) {
    page.screenshot_viewport(screenshot_dir().join(format!("phone-{name}.png")));
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number `{key}` in {v}"))
}

/// Taps an element the way a finger does (a WebDriver touch pointer at its centre), after
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
    page.command(
        "POST",
        "/actions",
        Some(json!({ "actions": [{
            "type": "pointer", "id": "finger", "parameters": { "pointerType": "touch" },
            "actions": [
                { "type": "pointerMove", "x": num(&c, "x").round() as i64, "y": num(&c, "y").round() as i64, "origin": "viewport" },
                { "type": "pointerDown", "button": 0 },
                { "type": "pause", "duration": 40 },
                { "type": "pointerUp", "button": 0 }
            ]
        }] })),
    )
    .unwrap_or_else(|e| panic!("tap on {css} failed: {e}"));
    let _ = page.command("DELETE", "/actions", None);
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
        // On a desktop the notes sit in the empty margin beside their comment.
        let (w, h) = DESKTOP;
        let mut page = page_at(&browser, w, h);
        page.goto(&essay.index());
        let m = page.eval(
            "return [...document.querySelectorAll('.annotation-notes')].map((n) => {                const r = n.getBoundingClientRect(); const c = n.closest('.comment-card').getBoundingClientRect();                return { left: r.left, right: r.right, cardRight: c.right, top: r.top, cardTop: c.top, vw: innerWidth }; });",
        );
        for n in m.as_array().expect("notes") {
            assert!(
                num(n, "left") >= num(n, "cardRight") && num(n, "right") <= num(n, "vw"),
                "{} at {w}: an editor's note outside the margin: {n}",
                essay.name
            );
            assert!(
                (num(n, "top") - num(n, "cardTop")).abs() < 24.0,
                "{} at {w}: an editor's note away from its comment: {n}",
                essay.name
            );
        }
        page.click(".thread .editor-note > summary");
        page.eval("document.querySelector('.thread .editor-note').scrollIntoView({ block: 'center', behavior: 'instant' }); return true;");
        shot(&page, &format!("thread-notes-{}-{w}", essay.name));
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

// ---------------------------------------------------------------------------------------
// 3. Endnotes behind one control; the essay's end leads straight on to the thread.

#[test]
fn endnotes_fold_behind_one_button_and_the_essay_leads_on_to_the_thread() {
    let browser = Browser::launch();
    for essay in essays() {
        let (w, h) = PHONES[1];
        let mut page = page_at(&browser, w, h);
        page.goto(&essay.index());
        let m = page.eval(
            "const s = document.getElementById('footnotes'); \
             const last = [...document.querySelectorAll('.essay-body > p')].pop().getBoundingClientRect(); \
             const thread = document.getElementById('comments').getBoundingClientRect(); \
             const b = s.querySelector('button.footnotes-toggle'); \
             return { notes: s.querySelectorAll('li.footnote').length, \
                      listHeight: s.querySelector('ol').getBoundingClientRect().height, \
                      button: b ? b.textContent : null, expanded: b && b.getAttribute('aria-expanded'), \
                      gap: (thread.top - last.bottom) / innerHeight };",
        );
        eprintln!(
            "{}: {} screens from the essay's last paragraph to the thread with the notes folded",
            essay.name,
            num(&m, "gap")
        );
        assert_eq!(m["expanded"], json!("false"), "{}: {m}", essay.name);
        // The button counts the notes in words that fit the count.
        let n = num(&m, "notes") as usize;
        let label = if n == 1 {
            "Show the note".to_string()
        } else {
            format!("Show all {n} notes")
        };
        assert_eq!(m["button"], json!(label), "{}: {m}", essay.name);
        assert!(
            num(&m, "listHeight") < 1.0,
            "{}: the folded list takes no room: {m}",
            essay.name
        );
        assert!(
            num(&m, "gap") < 1.0,
            "{}: less than a screen between the essay's end and the thread: {m}",
            essay.name
        );
        // The essay's end links to the thread.
        assert!(
            page.exists(".to-thread a[href='#comments']"),
            "{}",
            essay.name
        );
        page.click(".to-thread a[href='#comments']");
        page.wait_for("location.hash === '#comments'");
        // One button unfolds every note.
        page.click("button.footnotes-toggle");
        page.wait_for("document.querySelector('button.footnotes-toggle').getAttribute('aria-expanded') === 'true'");
        let height =
            page.eval("document.querySelector('#footnotes ol').getBoundingClientRect().height");
        assert!(
            height.as_f64().unwrap_or(0.0) > 100.0,
            "{}: unfolded list {height}",
            essay.name
        );
        // A link to a note unfolds the list by itself.
        page.goto(&essay.index());
        let first = page.eval("document.querySelector('#footnotes li.footnote').id");
        let first = first.as_str().expect("a note id").to_string();
        page.goto(&format!("{}#{first}", essay.index()));
        page.wait_for(&format!(
            "(() => {{ const r = document.getElementById('{first}').getBoundingClientRect(); \
             return r.height > 0 && r.top >= 0 && r.top < innerHeight; }})()"
        ));
        // In print, and without JavaScript, the notes are all there.
        page.goto(&essay.index());
        page.emulate_media_type("print");
        let print =
            page.eval("document.querySelector('#footnotes ol').getBoundingClientRect().height");
        assert!(
            print.as_f64().unwrap_or(0.0) > 100.0,
            "{}: print shows {print}",
            essay.name
        );
        page.emulate_media_type("screen");
        let mut nojs = page_at(&browser, w, h);
        nojs.goto(&essay.index());
        nojs.disable_javascript();
        assert!(!nojs.exists("button.footnotes-toggle"));
        let plain =
            nojs.eval("document.querySelector('#footnotes ol').getBoundingClientRect().height");
        assert!(
            plain.as_f64().unwrap_or(0.0) > 100.0,
            "{}: without JS {plain}",
            essay.name
        );
    }
}

// ---------------------------------------------------------------------------------------
// 6. Tap targets of 24 x 24 px, and no invisible link near them on a touch screen.

#[test]
fn markers_are_big_enough_to_tap_and_no_invisible_link_is_near_them() {
    let browser = Browser::launch();
    for essay in essays() {
        for (w, h) in PHONES {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            let m = page.eval(
                "const size = (a) => { const r = a.getBoundingClientRect(); return [r.width, r.height]; }; \
                 const markers = [...document.querySelectorAll('.essay-body sup.fnref a, .essay-body a.comment-marker')]; \
                 const small = markers.map((a) => [a.getAttribute('href'), ...size(a)]) \
                   .filter(([, w, h]) => w < 24 || h < 24); \
                 const min = markers.reduce((m, a) => Math.min(m, ...size(a)), Infinity); \
                 const invisible = [...document.querySelectorAll('.essay-body a[href]')].filter((a) => { \
                   const r = a.getBoundingClientRect(); \
                   return r.width > 0 && r.height > 0 && parseFloat(getComputedStyle(a).opacity) < 0.3; \
                 }).map((a) => a.getAttribute('href')); \
                 return { n: markers.length, small, min, invisible };",
            );
            eprintln!(
                "{} at {w}: {} markers, the smallest side {} px",
                essay.name, m["n"], m["min"]
            );
            assert!(num(&m, "n") >= 3.0, "{}: {m}", essay.name);
            assert_eq!(
                m["small"],
                json!([]),
                "{} at {w}: markers under 24 x 24 px: {m}",
                essay.name
            );
            assert_eq!(
                m["invisible"],
                json!([]),
                "{} at {w}: invisible links a finger can hit: {m}",
                essay.name
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. The grid panel keeps the reader's place.

#[test]
fn a_grid_panel_keeps_the_readers_place() {
    let browser = Browser::launch();
    for essay in essays() {
        for (w, h) in PHONES.into_iter().chain([DESKTOP, (1152, 800)]) {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            // A cell in the grid's last row, from the grid's top at the screen's top.
            let cell = page.eval(
                "const links = document.querySelectorAll('a.grid-cell-link'); \
                 document.querySelector('table.grid-table').scrollIntoView({ behavior: 'instant' }); \
                 return links[links.length - 2].getAttribute('data-cell');",
            );
            let cell = cell.as_str().expect("a cell").to_string();
            let link = format!("td#cell-{cell} a.grid-cell-link");
            let before = page.eval("scrollY");
            if w < 600 {
                tap(&page, &link);
            } else {
                page.click(&link);
            }
            page.wait_for(&format!("location.hash === '#cell-{cell}'"));
            let m = page.eval_with(
                "const panel = document.getElementById('panel-' + arguments[0]); \
                 const host = panel.parentElement.getBoundingClientRect(); \
                 const cell = document.getElementById('cell-' + arguments[0]).getBoundingClientRect(); \
                 const grid = document.querySelector('.grid').getBoundingClientRect(); \
                 const table = document.querySelector('table.grid-table').getBoundingClientRect(); \
                 const next = document.querySelector('.grid').nextElementSibling.getBoundingClientRect(); \
                 const closes = [...panel.querySelectorAll('button.cell-panel-close')]; \
                 return { vh: innerHeight, hostTop: host.top, hostBottom: host.bottom, \
                   cellTop: cell.top, cellBottom: cell.bottom, gridBottom: grid.bottom, \
                   tableBottom: table.bottom, nextTop: next.top, closes: closes.length, \
                   firstClose: closes[0] === panel.querySelector('button'), \
                   lastClose: !!closes.length && !!(closes[closes.length - 1].compareDocumentPosition( \
                     panel.querySelector('.cell-panel-neighbours')) & Node.DOCUMENT_POSITION_PRECEDING), \
                   neighbours: [...panel.querySelectorAll('.cell-panel-neighbours a[data-cell]')].map((a) => a.dataset.cell), \
                   focus: document.activeElement.className, scrolled: scrollY };",
                json!([cell]),
            );
            shot(&page, &format!("grid-panel-{}-{w}", essay.name));
            let at = format!("{} at {w}x{h}", essay.name);
            assert_eq!(m["closes"], json!(2), "{at}: Close at top and bottom: {m}");
            assert_eq!(m["firstClose"], json!(true), "{at}: {m}");
            assert_eq!(
                m["lastClose"],
                json!(true),
                "{at}: the last Close ends the panel: {m}"
            );
            let neighbours = m["neighbours"].as_array().expect("neighbours").len();
            assert!(neighbours >= 2, "{at}: links to neighbouring cells: {m}");
            if w < 600 {
                // A sheet: the tapped cell stays on screen above it; focus on its heading.
                assert!(
                    num(&m, "cellTop") >= 0.0 && num(&m, "cellBottom") <= num(&m, "hostTop"),
                    "{at}: the tapped cell is hidden: {m}"
                );
                assert!(
                    (num(&m, "hostBottom") - num(&m, "vh")).abs() < 1.0,
                    "{at}: the sheet sits at the bottom of the screen: {m}"
                );
                assert!(
                    num(&m, "hostTop") >= num(&m, "vh") * 0.3,
                    "{at}: the sheet leaves the grid room: {m}"
                );
                assert!(
                    num(&m, "scrolled") - before.as_f64().unwrap_or(0.0) < num(&m, "vh"),
                    "{at}: the page jumped a screen or more: {m}"
                );
                assert!(
                    page.focused_matches(&format!("#panel-{cell}-title")),
                    "{at}: focus on the panel's heading, not {}",
                    page.focused()
                );
            } else {
                // Beside the grid; the text after the grid follows it with no gap.
                let gap = num(&m, "nextTop") - num(&m, "gridBottom");
                eprintln!("{at}: {gap:.0} px from the grid's foot to the next paragraph");
                assert!(
                    gap < 80.0,
                    "{at}: a blank gap of {gap} px under the grid: {m}"
                );
            }
            // A neighbour link opens that cell in place.
            let neighbour = m["neighbours"][0].as_str().expect("neighbour").to_string();
            page.eval_with(
                "document.querySelector('#panel-' + arguments[0] + ' .cell-panel-neighbours a').click(); return true;",
                json!([cell]),
            );
            page.wait_for(&format!("location.hash === '#cell-{neighbour}'"));
            // The bottom Close closes it, and focus goes back to that cell in the grid.
            page.eval_with(
                "const b = document.querySelectorAll('#panel-' + arguments[0] + ' button.cell-panel-close'); \
                 b[b.length - 1].click(); return true;",
                json!([neighbour]),
            );
            page.wait_for("!location.hash.startsWith('#cell-')");
            assert!(
                page.focused_matches(&format!("td#cell-{neighbour} a.grid-cell-link")),
                "{at}: focus back on the cell, not {}",
                page.focused()
            );
            let cell_box = page.eval_with(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
                 return r.top >= 0 && r.bottom <= innerHeight;",
                json!([format!("td#cell-{neighbour}")]),
            );
            assert_eq!(
                cell_box,
                json!(true),
                "{at}: the cell is on screen after Close"
            );
            if w < 600 {
                // A link to an open cell (a fresh load) shows the sheet with the cell in
                // view above it.
                page.goto("about:blank");
                page.goto(&format!("{}#cell-{cell}", essay.index()));
                let check = format!(
                    "(() => {{ const p = document.getElementById('panel-{cell}'); \
                     if (!p || p.hidden) return false; \
                     const s = p.parentElement.getBoundingClientRect(); \
                     const c = document.getElementById('cell-{cell}').getBoundingClientRect(); \
                     return c.top >= 0 && c.bottom <= s.top + 1; }})()"
                );
                page.wait_for(&check);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The grid's labels keep their words whole on a phone.

/// Words of the grid table's text (labels, glosses, the editor's tags) that run over two
/// lines; a hyphenated word may break after its hyphen. With the size of a cell's name.
fn split_grid_words(page: &Page) -> Value {
    page.eval(
        "const t = document.querySelector('table.grid-table'); \
         const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT); \
         const range = document.createRange(); const split = []; let words = 0; \
         for (let n = walker.nextNode(); n; n = walker.nextNode()) { \
           for (const m of n.data.matchAll(/[^\\s-]+-?/g)) { \
             range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length); \
             const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0) \
               .map((r) => Math.round(r.top))); \
             words++; if (tops.size > 1) split.push(m[0]); } } \
         const name = t.querySelector('.grid-cell-name') || t.querySelector('.grid-cell-link'); \
         return { split, words, name: parseFloat(getComputedStyle(name).fontSize), \
                  overflow: document.documentElement.scrollWidth - innerWidth };",
    )
}

#[test]
fn grid_labels_keep_their_words_whole_on_a_phone() {
    let browser = Browser::launch();
    let mut sites = essays();
    // The second essay's four narrow columns hold the longest word for its width.
    sites.push(Essay {
        name: "second",
        site: built_fixture("second-essay"),
    });
    for essay in &sites {
        for (w, h) in PHONES {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            page.wait_for("document.fonts.status === 'loaded'");
            page.eval("document.querySelector('table.grid-table').scrollIntoView({ behavior: 'instant' }); return true;");
            // Settled: the script fits the type after the fonts and on resize.
            page.eval_async(
                "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                json!([]),
            );
            let m = split_grid_words(&page);
            shot(&page, &format!("grid-labels-{}-{w}", essay.name));
            let at = format!("{} at {w}", essay.name);
            eprintln!(
                "{at}: {} words, the cells' names at {} px",
                m["words"], m["name"]
            );
            assert!(num(&m, "words") >= 8.0, "{at}: no grid text to check: {m}");
            assert_eq!(
                m["split"],
                json!([]),
                "{at}: grid words broken over two lines: {m}"
            );
            assert!(
                num(&m, "name") >= 10.0,
                "{at}: the cells' names shrank below 10 px: {m}"
            );
            assert_eq!(
                m["overflow"],
                json!(0),
                "{at}: the page scrolls sideways: {m}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 5. Long notes as a bottom sheet with a visible Close; scrolling never dismisses a note.

#[test]
fn a_long_note_opens_as_a_sheet_that_scrolling_leaves_open() {
    let browser = Browser::launch();
    for essay in essays() {
        for (w, h) in PHONES {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            // The longest note, by its text.
            let marker = page.eval(
                "const ms = [...document.querySelectorAll('.essay-body sup.fnref a[data-note]')]; \
                 const len = (m) => document.getElementById(m.dataset.note).textContent.length; \
                 const m = ms.reduce((a, b) => len(b) > len(a) ? b : a); return '#' + m.id;",
            );
            let marker = marker.as_str().expect("a marker").to_string();
            tap(&page, &marker);
            let state = format!(
                "(() => {{ const m = document.querySelector('{marker}'); \
                 const p = document.getElementById(m.getAttribute('aria-controls')); \
                 const r = p.getBoundingClientRect(); \
                 const c = p.querySelector('.fn-popover-close').getBoundingClientRect(); \
                 return {{ open: p.matches(':popover-open'), sheet: p.classList.contains('is-sheet'), \
                   top: r.top, bottom: r.bottom, left: r.left, right: r.right, vh: innerHeight, vw: innerWidth, \
                   close: {{ top: c.top, bottom: c.bottom, width: c.width, height: c.height }}, \
                   scrolls: p.scrollHeight > p.clientHeight }}; }})()"
            );
            page.wait_for(&format!("{state}.open"));
            let s = page.eval(&format!("return {state};"));
            shot(&page, &format!("note-sheet-{}-{w}", essay.name));
            let at = format!("{} at {w}x{h}, note {marker}", essay.name);
            assert_eq!(s["sheet"], json!(true), "{at}: a long note is a sheet: {s}");
            assert!(
                (num(&s, "bottom") - num(&s, "vh")).abs() < 1.0
                    && num(&s, "left").abs() < 1.0
                    && (num(&s, "right") - num(&s, "vw")).abs() < 1.0,
                "{at}: the sheet spans the bottom of the screen: {s}"
            );
            assert!(
                num(&s, "top") >= num(&s, "vh") * 0.25,
                "{at}: the sheet leaves the text around the marker in view: {s}"
            );
            let close = &s["close"];
            assert!(
                num(close, "top") >= num(&s, "top")
                    && num(close, "bottom") <= num(&s, "vh")
                    && num(close, "width") >= 24.0
                    && num(close, "height") >= 24.0,
                "{at}: a visible Close: {s}"
            );
            // A finger scrolling the page (outside the sheet) leaves the note open.
            page.cdp(
                "Input.synthesizeScrollGesture",
                json!({ "x": w / 2, "y": 40, "yDistance": -120, "gestureSourceType": "touch", "speed": 800 }),
            );
            page.cdp(
                "Input.synthesizeScrollGesture",
                json!({ "x": w / 2, "y": 40, "yDistance": 100, "gestureSourceType": "touch", "speed": 800 }),
            );
            let still = page.eval(&format!("return {state}.open;"));
            assert_eq!(still, json!(true), "{at}: scrolling closed the note");
            // Close closes it.
            let close_css = format!(
                "#{} .fn-popover-close",
                page.eval(&format!(
                    "document.querySelector('{marker}').getAttribute('aria-controls')"
                ))
                .as_str()
                .expect("popover id")
            );
            tap(&page, &close_css);
            page.wait_for(&format!("!{state}.open"));
        }
    }
    // A short note on a phone stays a popover beside its marker.
    let essay = &essays()[1];
    let mut page = page_at(&browser, 375, 812);
    page.goto(&essay.index());
    tap(&page, "#fnref-habit");
    page.wait_for("document.querySelector('.fn-popover:popover-open') !== null");
    let s = page.eval(
        "const p = document.querySelector('.fn-popover:popover-open'); \
         const m = document.querySelector('#fnref-habit').getBoundingClientRect(); \
         const r = p.getBoundingClientRect(); \
         return { sheet: p.classList.contains('is-sheet'), gap: r.top - m.bottom };",
    );
    assert_eq!(s["sheet"], json!(false), "{s}");
    assert!(num(&s, "gap").abs() < 40.0, "beside its marker: {s}");
}

// ---------------------------------------------------------------------------------------
// 8. The desktop: sidenotes by their markers, one note at a time, a readable measure.

/// Characters per line of the paragraphs matching `css`: the text box's width over the
/// average width of a character of its own text in its own font (paragraphs of a few
/// lines or more). Returns [min, max] over them, with how many were measured.
fn measure(page: &Page, css: &str) -> Value {
    page.eval_with(
        "const probe = document.createElement('span'); \
         probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;left:-9999px'; \
         const out = []; \
         for (const p of document.querySelectorAll(arguments[0])) { \
           const text = p.textContent.replace(/\\s+/g, ' ').trim(); \
           const cs = getComputedStyle(p); \
           if (text.length < 200 || p.getBoundingClientRect().height < 3 * parseFloat(cs.lineHeight)) continue; \
           probe.style.font = cs.font; probe.textContent = text; p.append(probe); \
           const perChar = probe.getBoundingClientRect().width / text.length; probe.remove(); \
           const width = p.getBoundingClientRect().width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); \
           out.push(width / perChar); \
         } \
         return { n: out.length, min: Math.min(...out), max: Math.max(...out) };",
        json!([css]),
    )
}

/// What 30-footnotes.js keeps between stacked sidenotes, and the fewest lines a cut note
/// shows.
const STACK_GAP: f64 = 10.0;
const MIN_LINES: f64 = 3.0;

/// Every sidenote in page coordinates: its box, its marker's top, its line height and
/// vertical padding, whether its text is cut short, whether its "more" shows inside its
/// box, and where the essay's text ends.
fn sidenotes(page: &Page) -> Value {
    page.eval(
        "const end = document.querySelector('.essay-body').getBoundingClientRect().bottom + scrollY; \
         return [...document.querySelectorAll('.sidenote')].map((s) => { \
           const r = s.getBoundingClientRect(); const cs = getComputedStyle(s); \
           const m = document.querySelector('sup.fnref a[data-note=\"' + s.dataset.note + '\"]').getBoundingClientRect(); \
           const more = s.querySelector('.sidenote-more'); const mr = more.getBoundingClientRect(); \
           return { id: s.dataset.note, top: r.top + scrollY, bottom: r.bottom + scrollY, height: r.height, \
             marker: m.top + scrollY, lh: parseFloat(cs.lineHeight), \
             pad: parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom), \
             cut: s.scrollHeight > s.clientHeight + 1, hidden: s.scrollHeight - s.clientHeight, \
             more: getComputedStyle(more).display !== 'none' && mr.height > 0 && \
               mr.top >= r.top && mr.bottom <= r.bottom + 1 && more.textContent === 'more', \
             end }; });",
    )
}

#[test]
fn on_a_desktop_notes_sit_by_their_markers_and_lines_are_readable() {
    let browser = Browser::launch();
    for essay in essays() {
        for (w, h) in [DESKTOP, (1152, 800)] {
            let mut page = page_at(&browser, w, h);
            page.goto(&essay.index());
            let at = format!("{} at {w}", essay.name);
            // Sidenotes: each level with its marker's line, or, where the note before
            // reaches past that line, exactly STACK_GAP below it (and then only because
            // the note before is already as short as a cut note gets). A long note is cut
            // to the room before the next marker, and says so with a "more".
            let notes = sidenotes(&page);
            let notes = notes.as_array().expect("sidenotes");
            assert!(!notes.is_empty(), "{at}: no sidenotes");
            let (mut worst, mut pushed, mut cut) = (0.0_f64, 0, 0);
            for (i, s) in notes.iter().enumerate() {
                let id = &s["id"];
                let drift = num(s, "top") - num(s, "marker");
                worst = worst.max(drift.abs());
                let (lh, pad) = (num(s, "lh"), num(s, "pad"));
                let shortest = MIN_LINES * lh + pad + 1.0;
                let prev = i.checked_sub(1).map(|p| &notes[p]);
                match prev.filter(|p| num(p, "bottom") + STACK_GAP > num(s, "marker") + 8.0) {
                    Some(p) => {
                        pushed += 1;
                        let below = num(s, "top") - num(p, "bottom");
                        assert!(
                            (below - STACK_GAP).abs() <= 1.0,
                            "{at}: sidenote {id} is pushed {drift:.0} px below its marker, \
                             but sits {below:.0} px (not {STACK_GAP}) below the note before: {s} / {p}"
                        );
                        assert!(
                            num(p, "height") <= shortest,
                            "{at}: sidenote {} pushes {id} {drift:.0} px down though it could be cut \
                             shorter ({} px tall, {shortest:.0} px the least): {p}",
                            p["id"],
                            num(p, "height")
                        );
                    }
                    None => assert!(
                        drift.abs() <= 8.0,
                        "{at}: sidenote {id} is {drift:.0} px from its marker's line and nothing \
                         above pushes it: {s}"
                    ),
                }
                // Cut short if and only if it shows a "more" on its last line, and then
                // only as far as the room before the next marker (or the essay's end)
                // requires: within a line of it, or at the three lines it keeps at least.
                let is_cut = s["cut"] == json!(true);
                assert_eq!(
                    s["more"], s["cut"],
                    "{at}: sidenote {id}: a cut note, and only a cut note, shows its \"more\": {s}"
                );
                if is_cut {
                    cut += 1;
                    // What "more" promises is there: a line's worth of text at least.
                    assert!(
                        num(s, "hidden") >= lh - 1.0,
                        "{at}: sidenote {id} says \"more\" over {} px of nothing: {s}",
                        num(s, "hidden")
                    );
                    let end = notes
                        .get(i + 1)
                        .map_or(num(s, "end"), |n| num(n, "marker") - STACK_GAP);
                    let h = num(s, "height");
                    assert!(
                        end - num(s, "bottom") < lh + 1.0 || h <= shortest,
                        "{at}: sidenote {id} is cut to {h:.0} px with {:.0} px of room left: {s}",
                        end - num(s, "bottom")
                    );
                }
            }
            eprintln!(
                "{at}: {} sidenotes, {cut} cut short, {pushed} pushed below the one before; \
                 the furthest sits {worst:.0} px from its marker's line",
                notes.len()
            );
            if essay.name == "fixture" {
                // Its long notes come within a line or two of each other.
                assert!(
                    cut >= 2 && pushed >= 1,
                    "{at}: the fixture's close notes: {cut} cut, {pushed} pushed"
                );
            }
            // The last one ends before the thread, whose margin holds the editor's notes.
            let last = notes.last().map_or(0.0, |s| num(s, "bottom"));
            let thread = page
                .eval("document.getElementById('comments').getBoundingClientRect().top + scrollY");
            assert!(
                last < thread.as_f64().unwrap_or(0.0),
                "{at}: the last sidenote runs into the thread's margin ({last} > {thread})"
            );
            // Hovering the marker of a cut note whose sidenote is on screen highlights the
            // sidenote: no popover repeats it.
            if let Some(s) = notes.iter().find(|s| s["cut"] == json!(true)) {
                let note = s["id"].as_str().expect("id").to_string();
                let c = page.eval_with(
                    "const m = document.querySelector('sup.fnref a[data-note=\"' + arguments[0] + '\"]'); \
                     m.scrollIntoView({ block: 'center', behavior: 'instant' }); \
                     const r = m.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 };",
                    json!([note]),
                );
                page.cdp(
                    "Input.dispatchMouseEvent",
                    json!({ "type": "mouseMoved", "x": num(&c, "x"), "y": num(&c, "y") }),
                );
                page.wait_for(&format!(
                    "document.querySelector('.sidenote[data-note=\"{note}\"]').classList.contains('is-active')"
                ));
                assert_eq!(
                    page.eval("document.querySelectorAll('.fn-popover:popover-open').length"),
                    json!(0),
                    "{at}: hover on {note} opens a popover beside its visible sidenote"
                );
                page.cdp(
                    "Input.dispatchMouseEvent",
                    json!({ "type": "mouseMoved", "x": 2, "y": 2 }),
                );
                page.wait_for("document.querySelector('.sidenote.is-active') === null");
            }
            // A click on a marker whose sidenote is on screen highlights it; no popover.
            let visible = page.eval(
                "const s = [...document.querySelectorAll('.sidenote')].find((s) => { \
                   s.scrollIntoView({ block: 'center', behavior: 'instant' }); \
                   const r = s.getBoundingClientRect(); \
                   const m = document.querySelector('sup.fnref a[data-note=\"' + s.dataset.note + '\"]').getBoundingClientRect(); \
                   return r.top >= 0 && r.bottom <= innerHeight && m.top >= 0 && m.bottom <= innerHeight; }); \
                 return s ? s.dataset.note : null;",
            );
            let note = visible
                .as_str()
                .expect("a sidenote fully on screen")
                .to_string();
            page.eval_with(
                "document.querySelector('sup.fnref a[data-note=\"' + arguments[0] + '\"]').click(); return true;",
                json!([note]),
            );
            page.wait_for(&format!(
                "document.querySelector('.sidenote[data-note=\"{note}\"]').classList.contains('is-active')"
            ));
            assert_eq!(
                page.eval("document.querySelectorAll('.fn-popover:popover-open').length"),
                json!(0),
                "{at}: a popover duplicates the visible sidenote {note}"
            );
            shot(&page, &format!("sidenote-click-{}-{w}", essay.name));
            // A sidenote cut short unfolds in place on a click, again without a popover.
            page.eval("document.body.click(); return true;");
            page.wait_for("document.querySelector('.sidenote.is-active') === null");
            // (The marker's click does the same as the note's own "more", below.)
            let clamped = page.eval(
                "const s = document.querySelector('.sidenote.is-clamped'); \
                 if (!s) return null; s.scrollIntoView({ block: 'start', behavior: 'instant' }); \
                 scrollBy(0, -80); return s.dataset.note;",
            );
            if let Some(note) = clamped.as_str() {
                let unfolded = format!(
                    "(() => {{ const s = document.querySelector('.sidenote[data-note=\"{note}\"]'); \
                     return s.classList.contains('is-open') && s.scrollHeight <= s.clientHeight + 1; }})()"
                );
                page.eval_with(
                    "document.querySelector('sup.fnref a[data-note=\"' + arguments[0] + '\"]').click(); return true;",
                    json!([note]),
                );
                page.wait_for(&unfolded);
                assert_eq!(
                    page.eval("document.querySelectorAll('.fn-popover:popover-open').length"),
                    json!(0),
                    "{at}: a popover duplicates the unfolded sidenote {note}"
                );
                page.eval("document.body.click(); return true;");
                page.wait_for(&format!("!{unfolded}"));
                // Its "more", clicked with the mouse, unfolds it too; its "less" folds it,
                // and the notes are back by their markers.
                let more = format!(".sidenote[data-note=\"{note}\"] .sidenote-more");
                page.click(&more);
                page.wait_for(&unfolded);
                shot(&page, &format!("sidenote-unfold-{}-{w}", essay.name));
                assert_eq!(page.text(&more), "less", "{at}");
                // The margin, cut notes and an unfolded one, passes axe in both schemes.
                for scheme in ["dark", "light"] {
                    media(&page, false, scheme);
                    let v = crate::footnotes::axe_violations(&page);
                    assert!(v.is_empty(), "{at}, {scheme}, sidenotes: {v:#?}");
                }
                page.click(&more);
                page.wait_for(&format!("!{unfolded}"));
                page.wait_for(&format!(
                    "document.querySelector('.sidenote[data-note=\"{note}\"]').classList.contains('is-clamped')"
                ));
                assert_eq!(
                    sidenotes(&page),
                    Value::Array(notes.clone()),
                    "{at}: refolded"
                );
            }
            // 45-75 characters a line, in the essay and in the comments.
            for (what, css) in [
                ("essay", ".essay-body > p"),
                ("comments", ".thread > li > .comment-card > .comment-body p"),
            ] {
                let m = measure(&page, css);
                eprintln!("{at}: {what}: {m}");
                if num(&m, "n") == 0.0 {
                    continue;
                }
                assert!(
                    num(&m, "min") >= 45.0 && num(&m, "max") <= 75.0,
                    "{at}: {what} lines of {m} characters"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// axe-core and contrast with every new piece open, in both schemes, on a phone.

#[test]
fn open_sheets_and_folds_pass_axe_in_both_schemes() {
    let browser = Browser::launch();
    for essay in essays() {
        let (w, h) = PHONES[1];
        let mut page = page_at(&browser, w, h);
        page.goto(&essay.index());
        for scheme in ["light", "dark"] {
            media(&page, true, scheme);
            let at = format!("{} at {w}, {scheme}", essay.name);
            // Folded front matter, thread key and notes.
            let v = crate::footnotes::axe_violations(&page);
            assert!(v.is_empty(), "{at}, folded: {v:#?}");
            // Everything unfolded.
            page.eval(
                "document.querySelectorAll('details').forEach((d) => d.open = true);                  document.querySelector('button.footnotes-toggle').click(); return true;",
            );
            let v = crate::footnotes::axe_violations(&page);
            assert!(v.is_empty(), "{at}, unfolded: {v:#?}");
            // The grid's sheet.
            let cell = page.eval("document.querySelector('a.grid-cell-link').dataset.cell");
            let cell = cell.as_str().expect("a cell").to_string();
            tap(&page, &format!("td#cell-{cell} a.grid-cell-link"));
            page.wait_for(&format!("location.hash === '#cell-{cell}'"));
            shot(&page, &format!("sheet-grid-{}-{scheme}", essay.name));
            let v = crate::footnotes::axe_violations(&page);
            assert!(v.is_empty(), "{at}, grid sheet: {v:#?}");
            page.eval("document.querySelector('.cell-panel:not([hidden]) button.cell-panel-close').click(); return true;");
            page.wait_for("!location.hash.startsWith('#cell-')");
            // A long note's sheet.
            let marker = page.eval(
                "const ms = [...document.querySelectorAll('.essay-body sup.fnref a[data-note]')]; \
                 const len = (m) => document.getElementById(m.dataset.note).textContent.length; \
                 return '#' + ms.reduce((a, b) => len(b) > len(a) ? b : a).id;",
            );
            let marker = marker.as_str().expect("marker").to_string();
            tap(&page, &marker);
            page.wait_for("document.querySelector('.fn-popover.is-sheet:popover-open') !== null");
            shot(&page, &format!("sheet-note-{}-{scheme}", essay.name));
            let v = crate::footnotes::axe_violations(&page);
            assert!(v.is_empty(), "{at}, note sheet: {v:#?}");
            page.eval("document.querySelector('.fn-popover.is-sheet .fn-popover-close').click(); return true;");
            page.wait_for("document.querySelector('.fn-popover:popover-open') === null");
            page.goto(&essay.index());
        }
    }
}
