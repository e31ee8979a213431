//! A big thread through the real binary: the essay page stays bounded, the rest of the
//! thread continues on `thread/<id>.html` and `comments/<k>.html`, every comment is
//! reachable by following links from the essay page (a link walk over the built files),
//! markers, cell pages and annotation backlinks point at the page that holds each comment,
//! `quire check` passes over every page, and the single file and the EPUB still hold the
//! whole thread.
//! In the browser: tests/browser/thread_pages.rs.

use crate::gen_thread;
use crate::support::{build, output_text, quire};

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

/// The most comments a page of a split thread holds (`render::thread_pages::PAGE_COMMENTS`).
const PAGE_COMMENTS: usize = 150;

/// The biggest thread shown whole (`render::thread_pages::WHOLE_UP_TO`).
const WHOLE_UP_TO: usize = 300;

fn build_ok(root: &Path, out: &Path) {
    let o = build(root, out);
    assert!(
        o.status.success(),
        "build of {} failed:\n{}",
        root.display(),
        output_text(&o)
    );
}

/// Every HTML file of a built site: path (with `/`) -> text.
fn html_files(site: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![site.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let rel = path.strip_prefix(site).unwrap().to_string_lossy();
                files.insert(
                    rel.replace('\\', "/"),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    files
}

/// The values of every `attr="..."` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let start = at + needle.len();
            html[start..].find('"').map(|end| &html[start..start + end])
        })
        .collect()
}

/// The ids of the comments on a page.
fn comment_ids(html: &str) -> Vec<&str> {
    attr_values(html, "id")
        .into_iter()
        .filter_map(|id| id.strip_prefix("comment-"))
        .collect()
}

/// `href` from page `from`, as a site path and fragment (`None` if it leaves the site).
fn resolve(from: &str, href: &str) -> Option<(String, Option<String>)> {
    if href.contains(':') {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    if path.is_empty() {
        return Some((from.to_string(), fragment));
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            ".." => {
                parts.pop()?;
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    Some((parts.join("/"), fragment))
}

/// Follows every link from `index.html`, breadth first: for each comment, the fewest
/// clicks from the essay page to a page that holds it.
fn walk(files: &BTreeMap<String, String>) -> BTreeMap<String, usize> {
    let mut clicks_to_page = BTreeMap::from([("index.html".to_string(), 0usize)]);
    let mut queue = VecDeque::from(["index.html".to_string()]);
    let mut comment_clicks = BTreeMap::new();
    while let Some(page) = queue.pop_front() {
        let clicks = clicks_to_page[&page];
        let html = &files[&page];
        for id in comment_ids(html) {
            comment_clicks.entry(id.to_string()).or_insert(clicks);
        }
        for href in attr_values(html, "href") {
            let Some((target, _)) = resolve(&page, href) else {
                continue;
            };
            if files.contains_key(&target) && !clicks_to_page.contains_key(&target) {
                clicks_to_page.insert(target.clone(), clicks + 1);
                queue.push_back(target);
            }
        }
    }
    comment_clicks
}

/// Asserts the shape every split site must have; returns the page holding each comment.
fn assert_split_site(site: &Path, total: usize) -> BTreeMap<String, String> {
    let files = html_files(site);
    let thread_pages: Vec<&String> = files
        .keys()
        .filter(|p| p.starts_with("thread/") || p.starts_with("comments/"))
        .collect();
    assert!(!thread_pages.is_empty(), "no thread pages were written");
    // Every comment on exactly one page, every page bounded.
    let mut home = BTreeMap::new();
    for (path, html) in &files {
        let ids = comment_ids(html);
        if path == "index.html" || thread_pages.contains(&path) {
            assert!(
                ids.len() <= PAGE_COMMENTS,
                "{path} holds {} comments",
                ids.len()
            );
        }
        if thread_pages.contains(&path) {
            assert!(!ids.is_empty(), "{path} holds no comment");
        }
        for id in ids {
            if let Some(other) = home.insert(id.to_string(), path.clone()) {
                panic!("comment {id} is on both {other} and {path}");
            }
        }
    }
    assert_eq!(home.len(), total, "every comment is on some page");
    // The essay page stays small: a rough count of its elements.
    let index = &files["index.html"];
    let elements = index.matches('<').count() - index.matches("</").count();
    assert!(elements < 15_000, "index.html has {elements} elements");
    assert!(
        index.contains("class=\"thread-continue\""),
        "no continue link"
    );
    // Every comment can be reached by following links from the essay page.
    let clicks = walk(&files);
    let unreached: Vec<&String> = home.keys().filter(|id| !clicks.contains_key(*id)).collect();
    assert!(
        unreached.is_empty(),
        "{} comments unreachable by links, e.g. {:?}",
        unreached.len(),
        &unreached[..unreached.len().min(5)]
    );
    let most = clicks.values().max().copied().unwrap_or(0);
    eprintln!(
        "{total} comments on {} pages; the essay page holds {}; at most {most} clicks to any comment",
        thread_pages.len() + 1,
        comment_ids(index).len()
    );
    assert!(most <= 8, "a comment needs {most} clicks");
    // Every permalink of a comment points at the page that holds it.
    for (path, html) in &files {
        for href in attr_values(html, "href") {
            let Some((target, Some(fragment))) = resolve(path, href) else {
                continue;
            };
            if let Some(id) = fragment.strip_prefix("comment-") {
                assert_eq!(
                    home.get(id),
                    Some(&target),
                    "{path} links to comment {id} as {href}"
                );
            }
        }
    }
    home
}

fn check_passes(root: &Path, site: &Path) {
    let o = quire(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--site",
        site.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(": 0 problems"),
        "{}",
        output_text(&o)
    );
}

#[test]
fn ten_thousand_comments_are_split_into_bounded_linked_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("big");
    gen_thread::scale_project(&project, 10_000).unwrap();
    let site = tmp.path().join("site");
    build_ok(&project, &site);
    let home = assert_split_site(&site, 10_000);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    // The essay's own comments (the first 24, top-level threads first) open the thread.
    assert_eq!(home["c01"], "index.html");
    assert!(index.contains("<h2 id=\"comments-title\">10000 comments"));
    assert!(
        index.contains("class=\"thread-pages\""),
        "pages of top-level comments"
    );
    // A comment deep in a long chain is on a thread page, which says what it continues.
    let deep = home
        .iter()
        .find(|(_, page)| page.starts_with("thread/"))
        .map(|(id, page)| (id.clone(), page.clone()))
        .expect("some comment on a thread page");
    let page = std::fs::read_to_string(site.join(&deep.1)).unwrap();
    assert!(page.contains("Continuing the replies to"), "{}", deep.1);
    assert!(page.contains("../index.html#comments"));
    check_passes(&project, &site);
    // `quire check` follows the thread pages: a broken permalink on one is reported.
    let broken = page.replacen("id=\"comment-", "id=\"gone-", 1);
    std::fs::write(site.join(&deep.1), broken).unwrap();
    let o = quire(&[
        "check",
        "--root",
        project.to_str().unwrap(),
        "--site",
        site.to_str().unwrap(),
    ]);
    assert!(
        !o.status.success(),
        "a missing comment anchor passes the check"
    );

    // The single file holds the whole thread, every link in it in-page.
    let single = tmp.path().join("one.html");
    let o = quire(&[
        "build",
        "--root",
        project.to_str().unwrap(),
        "--single-file",
        single.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
    let doc = std::fs::read_to_string(&single).unwrap();
    assert_eq!(comment_ids(&doc).len(), 10_000);
    assert!(!doc.contains("class=\"thread-continue\"") && !doc.contains("href=\"thread/"));
}

/// The default essay and every thread up to a few hundred comments stay on one page.
#[test]
fn small_threads_stay_on_the_essay_page() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, total) in [("default", 24), ("few-hundred", WHOLE_UP_TO)] {
        let project = tmp.path().join(name);
        gen_thread::scale_project(&project, total).unwrap();
        let site = tmp.path().join(format!("{name}-site"));
        build_ok(&project, &site);
        let files = html_files(&site);
        assert!(
            !files
                .keys()
                .any(|p| p.starts_with("thread/") || p.starts_with("comments/")),
            "{name}: thread pages written"
        );
        let index = &files["index.html"];
        assert_eq!(comment_ids(index).len(), total, "{name}");
        assert!(!index.contains("thread-continue"), "{name}");
        assert!(!index.contains("thread-split-note"), "{name}");
    }
}

/// A second essay (the 2x4 garden grid) with 1,500 comments, and annotated comments at the
/// end of the thread: the margin markers, the cell page and the "also about this passage"
/// links lead to the thread pages, and the comment leads back to the essay's paragraph.
#[test]
fn a_second_essay_links_markers_and_cells_to_thread_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("garden");
    gen_thread::garden_project(&project, 1_500).unwrap();
    let site = tmp.path().join("site");
    build_ok(&project, &site);
    let home = assert_split_site(&site, 1_503);
    let late = &home["late-a"];
    assert_ne!(late, "index.html", "the late replies are on a thread page");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    // The first paragraph's marker leads to late-b on its thread page; the watering
    // passage's counts c1 and late-a and leads to c1, on the essay page.
    let marker = |block: &str| {
        let start = index
            .find(&format!("id=\"marker-{block}\""))
            .unwrap_or_else(|| panic!("no marker on {block}"));
        let open = index[..start].rfind("<a ").unwrap();
        index[open..start + index[start..].find("</a>").unwrap()].to_string()
    };
    let first = marker("p1");
    assert!(
        first.contains(&format!("href=\"{}#annotation-late-b-1\"", home["late-b"])),
        "{first}"
    );
    assert!(first.contains(">1<"), "{first}");
    let watering = marker("p2");
    assert!(watering.contains("href=\"#annotation-c1-"), "{watering}");
    assert!(watering.contains(">2<"), "{watering}");
    // c1's "also about this passage" leads to the late replies' page.
    let also = format!("href=\"{late}#comment-late-a\"");
    assert!(index.contains(&also), "no {also} in index.html");
    // The late reply leads back to the paragraph on the essay page.
    let page = std::fs::read_to_string(site.join(late)).unwrap();
    let back = attr_values(&page, "href")
        .into_iter()
        .find(|h| h.starts_with("../index.html#p"))
        .expect("a backlink to the essay");
    let para = back.trim_start_matches("../index.html#");
    assert!(index.contains(&format!("id=\"{para}\"")), "{back}");
    // The cell page lists the late replies on their page.
    let cell = std::fs::read_to_string(site.join("cells/perennial-summer.html")).unwrap();
    let link = format!("href=\"../{late}#comment-late-b\"");
    assert!(cell.contains(&link), "no {link} on the cell page");
    check_passes(&project, &site);

    // The EPUB holds the whole thread in one document, whatever the site splits.
    let book = crate::epub::documents(&crate::epub::epub(&project, &tmp.path().join("g.epub")));
    let thread = book
        .iter()
        .find(|(name, _)| name.ends_with("thread.xhtml"))
        .map(|(_, text)| text)
        .expect("a thread document in the EPUB");
    assert_eq!(comment_ids(thread).len(), 1_503);
    assert!(!thread.contains("thread-continue"));
}

/// A theme made before thread pages existed (no `thread.html` template) still builds a big
/// thread: whole, on the essay page, as before.
#[test]
fn a_theme_without_a_thread_template_keeps_the_thread_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("garden");
    gen_thread::garden_project(&project, 400).unwrap();
    let theme = project.join("themes/older");
    let source = crate::support::repo().join("themes/default");
    for dir in ["templates/partials", "static/css", "static/js"] {
        std::fs::create_dir_all(theme.join(dir)).unwrap();
        for entry in std::fs::read_dir(source.join(dir)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), theme.join(dir).join(entry.file_name())).unwrap();
            }
        }
    }
    for entry in std::fs::read_dir(source.join("templates")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() && entry.file_name() != "thread.html" {
            std::fs::copy(
                entry.path(),
                theme.join("templates").join(entry.file_name()),
            )
            .unwrap();
        }
    }
    std::fs::write(project.join("quire.toml"), "theme = \"older\"\n").unwrap();
    let site = tmp.path().join("site");
    build_ok(&project, &site);
    let files = html_files(&site);
    assert!(
        !files.keys().any(|p| p.starts_with("thread/")),
        "thread pages without a template"
    );
    assert_eq!(comment_ids(&files["index.html"]).len(), 403);
    check_passes(&project, &site);
}
