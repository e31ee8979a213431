//! Footnotes in a real browser: the popover on hover, focus and tap (inside the viewport,
//! kept open while the pointer is over it, closed by Escape), sidenotes beside their
//! paragraphs at 1600 px, plain jump-and-return links without JavaScript, endnotes in
//! print, and axe-core with a popover open in light and dark.
//!
//! Screenshots: target/screenshots/footnotes-*.png

use std::time::Duration;

use crate::harness::*;
use serde_json::{Value, json};

const MARKERS: &str = "sup.fnref a[data-note]";
const AXE_JS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/vendor/axe-core/axe.min.js"
));

/// JS helpers installed on the page: the i-th marker, scrolling it to the middle of the
/// viewport, and the state of its popover and sidenote.
const HELPERS: &str = r#"
// Jumps, not smooth scrolls, so that coordinates taken now still hold at the next input.
document.documentElement.style.scrollBehavior = 'auto';
window.__fn = {
  marker(i) { return document.querySelectorAll('sup.fnref a[data-note]')[i]; },
  center(i) {
    const m = this.marker(i);
    m.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
    const r = m.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  },
  rect(el) {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  },
  // A point on screen, outside the open popover, where a tap activates nothing.
  quietPoint() {
    const v = visualViewport;
    const pops = [...document.querySelectorAll('.fn-popover')].filter((p) => p.matches(':popover-open'));
    for (let y = v.offsetTop + 10; y < v.offsetTop + v.height - 10; y += 17) {
      for (let x = v.offsetLeft + 10; x < v.offsetLeft + v.width - 10; x += 23) {
        // Touch input snaps to a nearby link, so keep well clear of any.
        const busy = [-24, 0, 24].some((dx) => [-24, 0, 24].some((dy) => {
          const el = document.elementFromPoint(x + dx, y + dy);
          return !el || el.closest('a, button, summary, input, [tabindex], [role=button], .fn-popover');
        }));
        if (busy) continue;
        if (pops.some((p) => { const r = p.getBoundingClientRect(); return x >= r.left - 4 && x <= r.right + 4 && y >= r.top - 4 && y <= r.bottom + 4; })) continue;
        return { x, y };
      }
    }
    return null;
  },
  state(i) {
    const m = this.marker(i);
    const pop = document.getElementById(m.getAttribute('aria-controls'));
    const note = document.getElementById(m.getAttribute('data-note'));
    const side = document.querySelector('.sidenote[data-note="' + m.getAttribute('data-note') + '"]');
    const first = note.querySelector('p').textContent.trim().slice(0, 40);
    return {
      id: m.id,
      open: pop.matches(':popover-open'),
      expanded: m.getAttribute('aria-expanded'),
      pop: this.rect(pop),
      popText: pop.innerText,
      popScrolls: pop.scrollHeight > pop.clientHeight + 1,
      sources: note.querySelectorAll('.note-sources li').length,
      popSources: pop.querySelectorAll('.note-sources li').length,
      first,
      sideActive: !!side && side.classList.contains('is-active'),
      side: side ? this.rect(side) : null,
      // The part of the page on screen, in the same coordinates as the rects.
      screen: { left: visualViewport.offsetLeft, top: visualViewport.offsetTop,
                right: visualViewport.offsetLeft + visualViewport.width,
                bottom: visualViewport.offsetTop + visualViewport.height },
      hash: location.hash,
    };
  },
};
return true;
"#;

fn open_index(width: u32, height: u32) -> (tempfile::TempDir, Page) {
    let site = build_site();
    let browser = Browser::launch();
    let mut page = browser.new_page();
    page.set_viewport(width, height);
    page.goto(&file_url(&site.path().join("index.html")));
    page.eval(HELPERS);
    (site, page)
}

fn marker_count(page: &Page) -> usize {
    let n = page.count(MARKERS);
    assert!(n >= 11, "expected the essay's footnote markers, found {n}");
    n
}

fn center(page: &Page, i: usize) -> (f64, f64) {
    let c = page.eval_with("return __fn.center(arguments[0]);", json!([i]));
    (c["x"].as_f64().unwrap(), c["y"].as_f64().unwrap())
}

fn state(page: &Page, i: usize) -> Value {
    page.eval_with("return __fn.state(arguments[0]);", json!([i]))
}

fn mouse_to(page: &Page, x: f64, y: f64) {
    page.cdp(
        "Input.dispatchMouseEvent",
        json!({ "type": "mouseMoved", "x": x, "y": y }),
    );
}

/// A finger tap (WebDriver touch pointer) at CSS pixel (x, y) of the layout viewport.
fn tap(page: &Page, x: f64, y: f64) {
    // Touch input is in screen pixels; they differ from CSS pixels when a mobile page is
    // zoomed out to fit content wider than the screen.
    let o = page.eval("return { x: visualViewport.offsetLeft, y: visualViewport.offsetTop, k: visualViewport.scale };");
    let (ox, oy, k) = (f(&o, &["x"]), f(&o, &["y"]), f(&o, &["k"]));
    let (x, y) = (((x - ox) * k).round() as i64, ((y - oy) * k).round() as i64);
    page.command(
        "POST",
        "/actions",
        Some(json!({ "actions": [{
            "type": "pointer", "id": "finger", "parameters": { "pointerType": "touch" },
            "actions": [
                { "type": "pointerMove", "x": x, "y": y, "origin": "viewport" },
                { "type": "pointerDown", "button": 0 },
                { "type": "pause", "duration": 40 },
                { "type": "pointerUp", "button": 0 }
            ]
        }] })),
    )
    .unwrap_or_else(|e| panic!("tap at {x},{y} failed: {e}"));
    let _ = page.command("DELETE", "/actions", None);
}

fn sleep(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

fn f(v: &Value, path: &[&str]) -> f64 {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?} in {v}"))
}

/// The popover is open, entirely inside the viewport, and shows the note with the full
/// citation of every work the note cites.
fn assert_popover_on_screen(s: &Value, how: &str) {
    let id = &s["id"];
    assert_eq!(s["open"], json!(true), "{how} {id}: popover not open: {s}");
    assert_eq!(
        s["expanded"],
        json!("true"),
        "{how} {id}: aria-expanded: {s}"
    );
    let p = &s["pop"];
    let v = &s["screen"];
    assert!(
        f(p, &["left"]) >= f(v, &["left"]) - 0.5
            && f(p, &["top"]) >= f(v, &["top"]) - 0.5
            && f(p, &["right"]) <= f(v, &["right"]) + 0.5
            && f(p, &["bottom"]) <= f(v, &["bottom"]) + 0.5,
        "{how} {id}: popover {p} is not inside the visible area {v}"
    );
    assert!(
        f(p, &["width"]) > 150.0,
        "{how} {id}: popover too narrow: {p}"
    );
    let first = s["first"].as_str().unwrap();
    assert!(
        s["popText"].as_str().unwrap().contains(first),
        "{how} {id}: popover lacks the note's text {first:?}: {}",
        s["popText"]
    );
    assert_eq!(
        s["popSources"], s["sources"],
        "{how} {id}: the popover must show every full citation of the note"
    );
}

/// A screenshot of the viewport only (a popover is fixed to it).
fn viewport_shot(page: &Page, name: &str) {
    let shot = page.cdp("Page.captureScreenshot", json!({ "format": "png" }));
    let bytes = base64_decode(shot["data"].as_str().unwrap());
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::create_dir_all(screenshot_dir()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    eprintln!("screenshot: {}", path.display());
}

/// Standard base64 (the harness keeps its decoder private).
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
    {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("not base64: {c}"));
        acc = ((acc << 6) | v as u32) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

pub(crate) fn axe_violations(page: &Page) -> Vec<String> {
    if page.eval("typeof window.axe") != json!("object") {
        page.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": format!("{AXE_JS}\n;return 1;"), "args": [] })),
        )
        .unwrap();
    }
    let r = page.eval_async(
        "axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations.map((v) => v.id + ': ' + v.help + ' at ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))).catch((e) => done(['axe failed: ' + e]));",
        json!([]),
    );
    r.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn hover_opens_each_note_and_it_stays_while_the_pointer_is_over_it() {
    let (_site, mut page) = open_index(1024, 768);
    let n = marker_count(&page);
    for i in 0..n {
        let (x, y) = center(&page, i);
        mouse_to(&page, x, y);
        page.wait_for(&format!("__fn.state({i}).open"));
        let s = state(&page, i);
        assert_popover_on_screen(&s, "hover");

        // WCAG 1.4.13 hoverable: move onto the popover, across the gap; it stays.
        let p = &s["pop"];
        let px = (f(p, &["left"]) + f(p, &["right"])) / 2.0;
        let py = (f(p, &["top"]) + f(p, &["bottom"])) / 2.0;
        mouse_to(&page, px, py);
        sleep(500);
        assert_eq!(
            state(&page, i)["open"],
            json!(true),
            "note {i} closed while the pointer was over it"
        );

        if i % 2 == 0 {
            // Escape dismisses it without moving the pointer.
            page.press("Escape");
            assert_eq!(
                state(&page, i)["open"],
                json!(false),
                "Escape left note {i} open"
            );
        } else {
            // Pointer away: it closes after the short delay.
            mouse_to(&page, 2.0, 2.0);
            page.wait_for(&format!("!__fn.state({i}).open"));
        }
        assert_eq!(state(&page, i)["expanded"], json!("false"));
    }
}

#[test]
fn focus_opens_each_note_escape_closes_it_and_tab_reaches_its_links() {
    let (_site, mut page) = open_index(1024, 768);
    let n = marker_count(&page);
    for i in 0..n {
        center(&page, i);
        page.eval_with(
            "__fn.marker(arguments[0]).focus(); return true;",
            json!([i]),
        );
        page.wait_for(&format!("__fn.state({i}).open"));
        assert_popover_on_screen(&state(&page, i), "focus");
        page.press("Escape");
        let s = state(&page, i);
        assert_eq!(s["open"], json!(false), "Escape left note {i} open");
        assert!(
            page.eval_with(
                "return document.activeElement === __fn.marker(arguments[0]);",
                json!([i])
            ) == json!(true),
            "focus left marker {i} after Escape: {}",
            page.focused()
        );
    }

    // Keyboard users can reach the citation links inside an open popover, and it stays
    // open while focus is inside; Escape from inside returns focus to the marker.
    center(&page, 0);
    page.eval("__fn.marker(0).blur(), __fn.marker(0).focus(), true");
    page.wait_for("__fn.state(0).open");
    page.tab();
    assert!(
        page.eval("document.getElementById(__fn.marker(0).getAttribute('aria-controls')).contains(document.activeElement)")
            == json!(true),
        "Tab from an open note's marker should enter the note, focused: {}",
        page.focused()
    );
    sleep(500);
    assert_eq!(state(&page, 0)["open"], json!(true));
    page.press("Escape");
    assert_eq!(state(&page, 0)["open"], json!(false));
    assert!(page.eval("document.activeElement === __fn.marker(0)") == json!(true));
}

#[test]
fn a_tap_at_375_px_opens_the_whole_note_on_screen() {
    let (_site, page) = open_index(375, 812);
    let n = marker_count(&page);
    for i in 0..n {
        let (x, y) = center(&page, i);
        tap(&page, x, y);
        page.wait_for(&format!("__fn.state({i}).open"));
        let s = state(&page, i);
        assert_popover_on_screen(&s, "tap");
        assert!(
            !s["hash"].as_str().unwrap_or("").starts_with("#fn-"),
            "a tap with JS must not jump to the note: {}",
            s["hash"]
        );
        if i == 0 {
            viewport_shot(&page, "footnotes-tap-375");
            let v = axe_violations(&page);
            assert!(v.is_empty(), "axe with a popover open (light): {v:#?}");
        }
        // A tap elsewhere closes it.
        let away = page.eval("return __fn.quietPoint();");
        assert!(away.is_object(), "no free spot to tap beside note {i}");
        tap(&page, f(&away, &["x"]), f(&away, &["y"]));
        page.wait_for(&format!("!__fn.state({i}).open"));
    }
    // A second tap on the marker closes the note it opened.
    let (x, y) = center(&page, 2);
    tap(&page, x, y);
    page.wait_for("__fn.state(2).open");
    tap(&page, x, y);
    page.wait_for("!__fn.state(2).open");
}

#[test]
fn sidenotes_sit_beside_their_paragraphs_at_1600_px_without_overlapping() {
    let (_site, page) = open_index(1600, 1000);
    let notes = page.eval(
        r#"
        const col = document.querySelector('.essay-body').getBoundingClientRect();
        return [...document.querySelectorAll('.sidenote')].map((s) => {
          const r = s.getBoundingClientRect();
          const id = s.getAttribute('data-note');
          const m = document.querySelector('sup.fnref a[data-note="' + id + '"]').getBoundingClientRect();
          const block = s.closest('p, li').getBoundingClientRect();
          return { id, top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right,
                   height: r.height, markerTop: m.top + scrollY, blockTop: block.top + scrollY,
                   blockBottom: block.bottom + scrollY, colRight: col.right,
                   vw: document.documentElement.clientWidth,
                   shown: getComputedStyle(s).display !== 'none' };
        });
        "#,
    );
    let notes = notes.as_array().unwrap();
    let distinct = page.eval(
        "new Set([...document.querySelectorAll('sup.fnref a[data-note]')].map((a) => a.dataset.note)).size",
    );
    assert_eq!(
        notes.len() as u64,
        distinct.as_u64().unwrap(),
        "one sidenote per note"
    );
    let mut prev: Option<&Value> = None;
    let mut beside = 0;
    for s in notes {
        let id = &s["id"];
        assert_eq!(s["shown"], json!(true), "sidenote {id} hidden at 1600 px");
        assert!(f(s, &["height"]) > 20.0, "sidenote {id} is empty: {s}");
        assert!(
            f(s, &["left"]) >= f(s, &["colRight"]) + 16.0 && f(s, &["right"]) <= f(s, &["vw"]),
            "sidenote {id} must sit in the right margin, inside the window: {s}"
        );
        let top = f(s, &["top"]);
        assert!(
            top >= f(s, &["markerTop"]) - 8.0,
            "sidenote {id} starts above its marker's line: {s}"
        );
        let at_marker = top <= f(s, &["markerTop"]) + 24.0;
        if at_marker {
            beside += 1;
            assert!(
                top <= f(s, &["blockBottom"]),
                "sidenote {id} is not beside its paragraph: {s}"
            );
        }
        if let Some(p) = prev {
            let gap = top - f(p, &["bottom"]);
            assert!(gap >= 0.0, "sidenote {id} overlaps {}: {p} / {s}", p["id"]);
            // Pushed down from its marker only because the one before it is in the way.
            assert!(
                at_marker || gap < 24.0,
                "sidenote {id} is neither beside its marker nor stacked right under {}: {s} / {p}",
                p["id"]
            );
        } else {
            assert!(
                at_marker,
                "the first sidenote must be beside its marker: {s}"
            );
        }
        prev = Some(s);
    }
    eprintln!(
        "{beside} of {} sidenotes sit level with their marker; the rest are stacked under the one before",
        notes.len()
    );

    // Hover at 1600: the note is on screen, as the highlighted sidenote if that is fully
    // visible, else as the popover.
    let n = marker_count(&page);
    let mut highlighted = 0;
    for i in 0..n {
        let (x, y) = center(&page, i);
        mouse_to(&page, x, y);
        page.wait_for(&format!(
            "__fn.state({i}).open || __fn.state({i}).sideActive"
        ));
        let s = state(&page, i);
        if s["sideActive"] == json!(true) {
            highlighted += 1;
            assert_eq!(s["open"], json!(false), "both popover and sidenote for {i}");
            let r = &s["side"];
            assert!(
                f(r, &["top"]) >= f(&s["screen"], &["top"])
                    && f(r, &["bottom"]) <= f(&s["screen"], &["bottom"]),
                "highlighted sidenote {i} is not fully on screen: {s}"
            );
            if i == 0 {
                viewport_shot(&page, "footnotes-sidenote-hover-1600");
            }
        } else {
            assert_popover_on_screen(&s, "hover at 1600");
        }
        mouse_to(&page, 2.0, 2.0);
        page.wait_for(&format!(
            "!__fn.state({i}).open && !__fn.state({i}).sideActive"
        ));
    }
    assert!(highlighted > 0, "no sidenote was highlighted on hover");

    // A click where the sidenote is fully on screen highlights it (no duplicate popover);
    // where it is not, the click pins the popover.
    let (x, y) = center(&page, 0);
    mouse_to(&page, x, y);
    page.eval("__fn.marker(0).click(), true");
    page.wait_for("__fn.state(0).open || __fn.state(0).sideActive");
    let s = state(&page, 0);
    if s["sideActive"] == json!(true) {
        assert_eq!(
            s["open"],
            json!(false),
            "a popover duplicates sidenote 0: {s}"
        );
    } else {
        assert_popover_on_screen(&s, "click at 1600");
    }
    viewport_shot(&page, "footnotes-popover-1600");
}

#[test]
fn without_javascript_a_marker_jumps_to_its_note_and_every_back_link_returns() {
    let (_site, mut page) = open_index(1024, 768);
    page.disable_javascript();
    page.eval(HELPERS);
    assert_eq!(page.count(".fn-popover"), 0);
    assert_eq!(page.count(".sidenote"), 0);
    // Every reference has its own back-link, in order.
    let pairs = page.eval(
        r#"
        const out = [];
        for (const li of document.querySelectorAll('.footnotes li.footnote')) {
          const refs = [...document.querySelectorAll('sup.fnref a[data-note="' + li.id + '"]')].map((a) => '#' + a.id);
          const back = [...li.querySelectorAll('a.backref')].map((a) => a.getAttribute('href'));
          out.push({ note: li.id, refs, back });
        }
        return out;
        "#,
    );
    let mut multi = 0;
    for p in pairs.as_array().unwrap() {
        assert_eq!(p["refs"], p["back"], "back-links of {}", p["note"]);
        if p["refs"].as_array().unwrap().len() > 1 {
            multi += 1;
        }
    }
    assert!(
        multi >= 1,
        "the essay should reference at least one note twice"
    );

    let in_view = |page: &Page, css: &str| {
        page.eval_with(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;",
            json!([css]),
        ) == json!(true)
    };
    for marker in ["#fnref-physics", "#fnref-ethology-2"] {
        let note = page.attr(marker, "href").unwrap();
        page.eval_with(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' }); return true;",
            json!([marker]),
        );
        page.click(marker);
        page.wait_for(&format!("location.hash === '{note}'"));
        page.wait_for_timeout(
            &format!(
                "(() => {{ const r = document.querySelector('{note}').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }})()"
            ),
            Duration::from_secs(5),
        );
        let back = format!("{note} a.backref[href='{marker}']");
        page.eval_with(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' }); return true;",
            json!([back]),
        );
        page.click(&back);
        page.wait_for(&format!("location.hash === '{marker}'"));
        page.wait_for_timeout(
            &format!(
                "(() => {{ const r = document.querySelector('{marker}').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }})()"
            ),
            Duration::from_secs(5),
        );
        assert!(in_view(&page, marker));
    }
}

#[test]
fn print_shows_endnotes_only() {
    let (_site, mut page) = open_index(1600, 1000);
    let (x, y) = center(&page, 0);
    mouse_to(&page, x, y);
    page.eval("__fn.marker(0).click(), true");
    page.wait_for("__fn.state(0).open || __fn.state(0).sideActive");
    page.emulate_media_type("print");
    let shown = page.eval(
        r#"
        const vis = (el) => getComputedStyle(el).display !== 'none';
        return {
          sidenotes: [...document.querySelectorAll('.sidenote')].filter(vis).length,
          popovers: [...document.querySelectorAll('.fn-popover')].filter(vis).length,
          endnotes: [...document.querySelectorAll('#footnotes li.footnote')].filter(vis).length,
          sources: [...document.querySelectorAll('#footnotes .note-sources')].filter(vis).length,
        };
        "#,
    );
    assert_eq!(shown["sidenotes"], json!(0), "{shown}");
    assert_eq!(shown["popovers"], json!(0), "{shown}");
    assert!(shown["endnotes"].as_u64().unwrap() >= 11, "{shown}");
    assert!(shown["sources"].as_u64().unwrap() >= 11, "{shown}");
}

#[test]
fn the_page_is_clean_and_a_popover_passes_axe_in_both_schemes() {
    let site = build_site();
    let url = file_url(&site.path().join("index.html"));
    let mut page = Browser::launch().new_page();
    let report = check_page(&mut page, &url, "footnotes-index");
    eprintln!("{report}");
    report.assert_clean();

    for scheme in ["light", "dark"] {
        page.emulate_media("prefers-color-scheme", scheme);
        page.set_viewport(1024, 768);
        page.goto(&url);
        page.eval(HELPERS);
        let i = 9; // a note with several citations
        let (x, y) = center(&page, i);
        mouse_to(&page, x, y);
        page.wait_for(&format!("__fn.state({i}).open"));
        viewport_shot(&page, &format!("footnotes-popover-1024-{scheme}"));
        let v = axe_violations(&page);
        assert!(v.is_empty(), "axe with a popover open ({scheme}): {v:#?}");
    }
    for (w, h) in [(375, 812), (1600, 1000)] {
        page.set_viewport(w, h);
        page.emulate_media("prefers-color-scheme", "light");
        page.goto(&format!("{url}#p7"));
        sleep(300);
        viewport_shot(&page, &format!("footnotes-page-{w}"));
    }
}
