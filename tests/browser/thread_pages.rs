//! A thread split over pages, in real Chromium, with JavaScript off and on: a permalink to a
//! comment deep in the thread lands on its thread page and highlights it; the essay's
//! margin marker leads to a comment on another page and its backlink returns to the
//! passage; "continue this thread" opens the page of the rest of a conversation.
//!
//! The project: the 2x4 garden fixture with 1,500 generated comments and two annotated
//! replies at the thread's end (`gen_thread::garden_project`).
//!
//! Screenshots: target/screenshots/thread-pages-*.png

use std::path::Path;
use std::process::Command;

use crate::harness::*;
use serde_json::json;

/// Builds the garden project with a split thread; returns the temporary folder (with
/// `site/` inside) and the site path of the page holding `late-a` and `late-b`.
fn split_site() -> (tempfile::TempDir, String) {
    let tmp = tempfile::Builder::new()
        .prefix("quire-thread-pages-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary folder");
    let project = tmp.path().join("garden");
    crate::gen_thread::garden_project(&project, 1_500).expect("generate the project");
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("build")
        .arg("--root")
        .arg(&project)
        .arg("--out")
        .arg(tmp.path().join("site"))
        .output()
        .expect("run quire");
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = tmp.path().join("site");
    let page = html_pages(&site)
        .into_iter()
        .find(|p| {
            p.starts_with("thread/")
                && std::fs::read_to_string(site.join(p))
                    .is_ok_and(|t| t.contains("id=\"comment-late-b\""))
        })
        .expect("late-b is on a thread page");
    (tmp, page)
}

fn open(site: &Path, path: &str, javascript: bool) -> Page {
    let mut page = Browser::launch().new_page();
    page.set_viewport(375, 812);
    page.emulate_media("prefers-reduced-motion", "reduce");
    page.goto(&file_url(&site.join(path)));
    if !javascript {
        page.disable_javascript();
    }
    page
}

/// `#comment-<id>` is the `:target`, highlighted, and its card is in the viewport.
/// A marker leads to the annotation about its passage (inside the comment): the page
/// landed there, on the right comment, with the annotation in view.
fn assert_landed_on_annotation(page: &Page, id: &str, how: &str) {
    page.wait_for(&format!(
        "location.hash.startsWith('#annotation-{id}-') && (() => {{ const t = document.querySelector(':target'); \
         if (!t || !t.closest('#comment-{id}')) return false; const r = t.getBoundingClientRect(); \
         return r.top >= -1 && r.top < window.innerHeight; }})()"
    ));
    let _ = how;
}

fn assert_landed(page: &Page, id: &str, how: &str) {
    let css = format!("#comment-{id} > .comment-card");
    page.wait_for(&format!(
        "location.hash === '#comment-{id}' && (() => {{ const r = document.querySelector('{css}').getBoundingClientRect(); return r.top >= -1 && r.top < window.innerHeight; }})()"
    ));
    let state = page.eval_with(
        "const li = document.getElementById(arguments[0]); \
         return { target: li.matches(':target'), outline: getComputedStyle(li.querySelector('.comment-card')).outlineStyle };",
        json!([format!("comment-{id}")]),
    );
    assert_eq!(state["target"], json!(true), "{how}: {state}");
    assert_eq!(
        state["outline"],
        json!("solid"),
        "{how}: not highlighted: {state}"
    );
}

#[test]
fn a_permalink_to_a_deep_comment_lands_on_its_thread_page() {
    let (tmp, late_page) = split_site();
    let site = tmp.path().join("site");
    for javascript in [false, true] {
        let how = format!("JavaScript {}", if javascript { "on" } else { "off" });
        let mut page = open(&site, "index.html", javascript);
        assert!(
            !page.exists("#comment-late-a"),
            "late-a is not on the essay page"
        );
        page.goto(&format!(
            "{}#comment-late-a",
            file_url(&site.join(&late_page))
        ));
        assert_landed(&page, "late-a", &how);
        if !javascript {
            page.screenshot_viewport(screenshot_dir().join("thread-pages-permalink-375.png"));
        }
        // The page says what it continues, and leads back to the thread's start.
        assert!(page.text("h1").starts_with("Replies to"), "{how}");
        assert!(page.exists(".thread-context a[href*='#comment-']"), "{how}");
        // Its own permalink works from the page too.
        page.eval("window.scrollTo(0, 0); return true;");
        page.click("#comment-late-b .permalink");
        assert_landed(&page, "late-b", &how);
    }
}

#[test]
fn a_marker_leads_to_a_comment_on_another_page_and_back() {
    let (tmp, late_page) = split_site();
    let site = tmp.path().join("site");
    for javascript in [false, true] {
        let how = format!("JavaScript {}", if javascript { "on" } else { "off" });
        let mut page = open(&site, "index.html", javascript);
        let marker = "#marker-p1";
        assert_eq!(
            page.text(marker).split_whitespace().next(),
            Some("1"),
            "{how}: one comment on the first paragraph"
        );
        page.eval_with(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true;",
            json!([marker]),
        );
        page.click(marker);
        page.wait_for(&format!("location.pathname.endsWith('/{late_page}')"));
        assert_landed_on_annotation(&page, "late-b", &how);
        if javascript {
            page.screenshot_viewport(screenshot_dir().join("thread-pages-marker-375.png"));
        }
        // And back to the passage on the essay page.
        page.click("#comment-late-b a.annotation-backlink");
        page.wait_for("location.pathname.endsWith('/index.html') && location.hash === '#p1'");
        page.wait_for(
            "(() => { const r = document.getElementById('p1').getBoundingClientRect(); return r.top >= -1 && r.top < window.innerHeight; })()",
        );
        // The other comment about the watering passage: c1's "also about" link leads to
        // late-a on the thread page.
        page.goto(&file_url(&site.join("index.html")));
        if !javascript {
            page.disable_javascript();
        }
        page.eval(
            "document.querySelector('#comment-c1 .annotation-others a').scrollIntoView({block: 'center'}); return true;",
        );
        page.click("#comment-c1 .annotation-others a");
        page.wait_for(&format!("location.pathname.endsWith('/{late_page}')"));
        assert_landed(&page, "late-a", &how);
    }
}

#[test]
fn continue_this_thread_opens_the_rest_of_the_conversation() {
    let (tmp, _) = split_site();
    let site = tmp.path().join("site");
    let mut page = open(&site, "index.html", false);
    let link = ".thread-continue a";
    let parent =
        page.eval("return document.querySelector('.thread-continue').closest('li.comment').id;");
    let parent = parent
        .as_str()
        .expect("a continue link inside a comment")
        .to_string();
    let href = page.attr(link, "href").expect("href");
    page.eval(
        "document.querySelector('.thread-continue a').scrollIntoView({block: 'center'}); return true;",
    );
    page.click(link);
    page.wait_for(&format!("location.pathname.endsWith('/{href}')"));
    page.screenshot_viewport(screenshot_dir().join("thread-pages-continued-375.png"));
    assert!(
        page.count("li.comment") >= 1,
        "the thread page shows comments"
    );
    assert!(page.text("h1").starts_with("Replies to"));
    // The context leads back to the comment on the essay page.
    page.click(".thread-context a");
    page.wait_for(&format!("location.hash === '#{parent}'"));
    assert!(page.url().ends_with(&format!("index.html#{parent}")));
    // No page of the thread scrolls sideways on a phone.
    page.goto(&file_url(&site.join(&href)));
    let widths = page.eval("return [document.documentElement.scrollWidth, window.innerWidth];");
    assert!(
        widths[0].as_f64() <= widths[1].as_f64(),
        "the thread page scrolls sideways: {widths}"
    );
}
