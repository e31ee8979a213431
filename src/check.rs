//! `quire check`: the link and anchor checker over a built site.
//!
//! Every page's internal `href` and `src` must name a file of the site (never a folder,
//! never a `/`-rooted path: both break from `file://` or under a sub-path), every
//! `#fragment` an `id` of the target page, and no page may load anything (scripts,
//! stylesheets, images, frames, fonts) from another host. External links are collected,
//! never fetched: the checker works offline and never touches the network.
//!
//! It reads files and reports problems; it never changes the site.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::BuildOptions;
use crate::diagnostic::{Diagnostics, line_col};
use crate::html::{self, Tag};

/// One problem with one link of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The page (or stylesheet), relative to the site folder, with `/`.
    pub page: String,
    pub line: usize,
    pub column: usize,
    /// The link as written (entities decoded).
    pub link: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: `{}`: {}",
            self.page, self.line, self.column, self.link, self.message
        )
    }
}

/// What the checker found in a site.
#[derive(Debug, Default)]
pub struct SiteReport {
    /// Sorted by page, then position.
    pub problems: Vec<Problem>,
    /// External link -> the pages that link to it (both sorted).
    pub external: BTreeMap<String, BTreeSet<String>>,
    /// HTML pages read.
    pub pages: usize,
    /// Internal links and resource references followed.
    pub links: usize,
}

/// What `quire check` found: content errors (everything `build` reports) and the
/// problems of the built site.
#[derive(Debug)]
pub struct CheckReport {
    pub content: Diagnostics,
    /// The site folder that was checked.
    pub site_dir: PathBuf,
    /// `Err` when the site folder can't be read (not built yet).
    pub site: Result<SiteReport, String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        !self.content.has_errors() && self.site.as_ref().is_ok_and(|s| s.problems.is_empty())
    }
}

/// `quire check`: validates the content as `build` would (without writing anything),
/// then checks the site already built in `site` (default: the project's output folder).
pub fn run(options: &BuildOptions, site: Option<&Path>) -> CheckReport {
    let mut content = Diagnostics::new();
    let _ = crate::render_site(options, &mut content);
    let site_dir = match site {
        Some(dir) => dir.to_path_buf(),
        None => {
            let config = crate::config::Config::load(&options.root, &mut Diagnostics::new());
            options.root.join(config.output_dir)
        }
    };
    let site = read_site(&site_dir)
        .map(|files| check_files(&files))
        .map_err(|e| format!("cannot read the site in {}: {e}", site_dir.display()));
    if site.is_ok()
        && let Some(source) = newer_source(&options.root, &site_dir)
        && !content.has_errors()
    {
        let shown = site_dir
            .strip_prefix(&options.root)
            .unwrap_or(&site_dir)
            .display()
            .to_string();
        content.push(
            crate::diagnostic::Diagnostic::warning(format!(
                "{shown}/ is older than {}: run quire build",
                source.display()
            ))
            .in_file(&source)
            .help("the site checked is not the one these sources build"),
        );
    }
    CheckReport {
        content,
        site_dir,
        site,
    }
}

/// The newest source (quire.toml, a file under content/, static/ or themes/) changed
/// after the site's `index.html` was written, relative to `root`; `None` when the site is
/// up to date or its age is unknown.
fn newer_source(root: &Path, site: &Path) -> Option<PathBuf> {
    let built = std::fs::metadata(site.join("index.html"))
        .and_then(|m| m.modified())
        .ok()?;
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    let mut consider = |path: &Path| {
        if let Ok(modified) = std::fs::metadata(path).and_then(|m| m.modified())
            && modified > built
            && newest.as_ref().is_none_or(|(t, _)| modified > *t)
        {
            let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            newest = Some((modified, rel));
        }
    };
    consider(&root.join("quire.toml"));
    for dir in ["content", "static", "themes"] {
        for entry in WalkDir::new(root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            consider(entry.path());
        }
    }
    newest.map(|(_, path)| path)
}

/// Every file of a site folder: relative path (with `/`) -> bytes.
pub fn read_site(dir: &Path) -> io::Result<BTreeMap<String, Vec<u8>>> {
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} is not a folder", dir.display()),
        ));
    }
    let mut files = BTreeMap::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.insert(rel, std::fs::read(entry.path())?);
    }
    Ok(files)
}

/// Whether a reference follows a link (`<a href>`) or loads a resource into the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Link,
    Load,
}

/// `<link rel>` values that make the browser fetch the target.
const LOADING_RELS: &[&str] = &[
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "prefetch",
    "modulepreload",
    "preconnect",
    "dns-prefetch",
    "prerender",
];

/// The references of one tag: (url, kind, byte range of the value).
fn references(tag: &Tag) -> Vec<(String, Kind, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut push = |name: &str, kind: Kind| {
        if let Some(a) = tag.attr(name) {
            out.push((a.value.clone(), kind, a.value_span.clone()));
        }
    };
    match tag.name.as_str() {
        "a" | "area" => push("href", Kind::Link),
        "form" => push("action", Kind::Link),
        "link" => {
            let rel = tag.get("rel").unwrap_or("").to_ascii_lowercase();
            let loads = rel.split_whitespace().any(|r| LOADING_RELS.contains(&r));
            push("href", if loads { Kind::Load } else { Kind::Link });
        }
        "script" | "img" | "iframe" | "frame" | "audio" | "video" | "source" | "track"
        | "embed" | "input" => push("src", Kind::Load),
        "object" => push("data", Kind::Load),
        _ => {}
    }
    if tag.name == "video" {
        push("poster", Kind::Load);
    }
    if let Some(a) = tag.attr("srcset") {
        for candidate in a.value.split(',') {
            if let Some(url) = candidate.split_whitespace().next() {
                out.push((url.to_string(), Kind::Load, a.value_span.clone()));
            }
        }
    }
    if let Some(a) = tag.attr("style") {
        for (url, _) in html::css_urls(&a.value) {
            out.push((url, Kind::Load, a.value_span.clone()));
        }
    }
    out
}

/// Why a URL can run script, if it can: `javascript:` and `vbscript:` anywhere, and a
/// `data:` URL whose media type is a document or a script (HTML, XML, SVG as a link,
/// JavaScript). A `data:` image, or a `data:` download of JSON or BibTeX (the single-file
/// export embeds the citation files so), runs nothing.
fn dangerous(url: &str, kind: Kind) -> Option<&'static str> {
    let scheme = crate::content::url::scheme(url)?;
    match scheme.as_str() {
        "javascript" | "vbscript" => {
            Some("a `javascript:` or `vbscript:` URL runs script; link to a page or a file instead")
        }
        "data" => {
            let media = url
                .split_once(':')
                .map_or("", |(_, rest)| rest)
                .split([';', ','])
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let runs = media.contains("html")
                || media.contains("javascript")
                || media.contains("ecmascript")
                || media.contains("xml") && !media.starts_with("image/");
            let opens_as_document =
                kind == Kind::Link && (media.is_empty() || media.contains("svg"));
            (runs || opens_as_document).then_some(
                "a `data:` URL can carry a page with script; link to a file of the site instead",
            )
        }
        _ => None,
    }
}

struct Reference {
    page: String,
    offset: usize,
    url: String,
    kind: Kind,
}

/// Checks a site given as its files (relative path with `/` -> bytes).
pub fn check_files(files: &BTreeMap<String, Vec<u8>>) -> SiteReport {
    let mut report = SiteReport::default();
    let mut ids: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
    let mut refs = Vec::new();
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    let folders: HashSet<String> = files
        .keys()
        .flat_map(|path| {
            let parts: Vec<&str> = path.split('/').collect();
            (1..parts.len()).map(move |n| parts[..n].join("/"))
        })
        .collect();

    for (path, bytes) in files {
        let is_html = path.ends_with(".html") || path.ends_with(".htm");
        let is_css = path.ends_with(".css");
        if !is_html && !is_css {
            continue;
        }
        let text = String::from_utf8_lossy(bytes).into_owned();
        if is_css {
            for (url, span) in html::css_urls(&text) {
                refs.push(Reference {
                    page: path.clone(),
                    offset: span.start,
                    url,
                    kind: Kind::Load,
                });
            }
            texts.insert(path, text);
            continue;
        }
        report.pages += 1;
        let page_ids = ids.entry(path).or_default();
        for tag in html::tags(&text) {
            if let Some(id) = tag.get("id")
                && !page_ids.insert(id.to_string())
            {
                // Two elements with one id: a link to it reaches only the first.
                let (line, column) = line_col(&text, tag.span.start);
                report.problems.push(Problem {
                    page: path.clone(),
                    line,
                    column,
                    link: format!("#{id}"),
                    message: "this id is already used earlier in the page; links to it reach only the first".into(),
                });
            }
            if tag.name == "a"
                && let Some(name) = tag.get("name")
            {
                page_ids.insert(name.to_string());
            }
            for (url, kind, span) in references(&tag) {
                refs.push(Reference {
                    page: path.clone(),
                    offset: span.start,
                    url,
                    kind,
                });
            }
            if tag.name == "style"
                && let Some(raw) = &tag.raw_text
            {
                for (url, span) in html::css_urls(&text[raw.clone()]) {
                    refs.push(Reference {
                        page: path.clone(),
                        offset: raw.start + span.start,
                        url,
                        kind: Kind::Load,
                    });
                }
            }
        }
        texts.insert(path, text);
    }

    for r in refs {
        let problem = |message: String| {
            let (line, column) = texts
                .get(r.page.as_str())
                .map_or((0, 0), |t| line_col(t, r.offset));
            Problem {
                page: r.page.clone(),
                line,
                column,
                link: r.url.clone(),
                message,
            }
        };
        let url = r.url.trim();
        if let Some(message) = dangerous(url, r.kind) {
            report.problems.push(problem(message.into()));
            continue;
        }
        if html::is_remote(url) {
            match r.kind {
                Kind::Load => report.problems.push(problem(
                    "loads a resource from another host; a page must work offline, so keep a copy in the theme's static/ folder".into(),
                )),
                Kind::Link => {
                    report
                        .external
                        .entry(url.to_string())
                        .or_default()
                        .insert(r.page.clone());
                }
            }
            continue;
        }
        if html::has_scheme(url) {
            // data:, mailto:, tel: and the like name no file.
            continue;
        }
        report.links += 1;
        if url.starts_with('/') {
            report.problems.push(problem(
                "is rooted at `/`, which breaks under a sub-path and from file://; link relative to the page".into(),
            ));
            continue;
        }
        let (before_fragment, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let path_part = before_fragment.split('?').next().unwrap_or("");
        let target = if path_part.is_empty() {
            r.page.clone()
        } else {
            let Some(decoded) = html::percent_decode(path_part) else {
                report
                    .problems
                    .push(problem("is not valid percent-encoded UTF-8".into()));
                continue;
            };
            match resolve(&r.page, &decoded) {
                Some(t) => t,
                None => {
                    report
                        .problems
                        .push(problem("points outside the site".into()));
                    continue;
                }
            }
        };
        if !files.contains_key(&target) {
            let message = if target.is_empty() || folders.contains(&target) {
                let index = if target.is_empty() {
                    "index.html".to_string()
                } else {
                    format!("{target}/index.html")
                };
                format!("names a folder, which file:// does not open; link to the file `{index}`")
            } else {
                format!("no such file `{target}` in the site")
            };
            report.problems.push(problem(message));
            continue;
        }
        let Some(fragment) = fragment else { continue };
        if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
            continue;
        }
        let Some(target_ids) = ids.get(target.as_str()) else {
            continue; // not an HTML page: fragments mean something else there
        };
        let fragment = html::percent_decode(fragment).unwrap_or_else(|| fragment.to_string());
        if !target_ids.contains(&fragment) {
            report.problems.push(problem(format!(
                "`{target}` has no element with id `{fragment}`"
            )));
        }
    }
    report.problems.sort_by(|a, b| {
        (&a.page, a.line, a.column, &a.link).cmp(&(&b.page, b.line, b.column, &b.link))
    });
    report.problems.dedup();
    report
}

/// Resolves a relative path against the folder of `page`; `None` if it climbs out of
/// the site.
fn resolve(page: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop(); // the page's own file name
    let trailing_slash = relative.ends_with('/');
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if trailing_slash && !out.is_empty() {
        // A folder: reported as such by the caller.
        out.truncate(out.trim_end_matches('/').len());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn a_duplicate_id_is_a_problem_at_its_second_use() {
        let report = check_files(&site(&[(
            "index.html",
            "<h2 id=\"comments\">A</h2>\n<section id=\"comments\"></section>",
        )]));
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        let p = &report.problems[0];
        assert_eq!((p.line, p.column, p.link.as_str()), (2, 1, "#comments"));
        assert!(p.message.contains("already used"), "{}", p.message);
    }

    #[test]
    fn a_clean_site_has_no_problems() {
        let report = check_files(&site(&[
            (
                "index.html",
                r##"<link rel="stylesheet" href="quire.css"><a href="cells/a.html#x">a</a><a href="https://example.org/">e</a><a href="#top">t</a><a href="mailto:a@b.c">m</a>"##,
            ),
            (
                "cells/a.html",
                r#"<p id="x"><a href="../index.html">back</a><img src="data:image/png;base64,AA" alt=""></p>"#,
            ),
            ("quire.css", "body { color: red }"),
        ]));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.pages, 2);
        assert_eq!(
            report.external.keys().collect::<Vec<_>>(),
            ["https://example.org/"]
        );
    }

    #[test]
    fn reports_each_kind_of_problem_with_its_position() {
        let report = check_files(&site(&[
            (
                "index.html",
                "<p>\n<a href=\"gone.html\">a</a> <a href='cells/a.html#nope'>b</a>\n<script src=\"https://cdn.example.org/x.js\"></script><a href=\"/abs.html\">c</a><a href=\"cells/\">d</a><a href=\"../up.html\">e</a><style>p{background:url(//x.example/i.png)}</style>",
            ),
            ("cells/a.html", "<p id=\"x\">"),
        ]));
        let lines: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(lines.len(), 7, "{lines:#?}");
        assert!(lines[0].starts_with("index.html:2:10: `gone.html`: no such file"));
        assert!(
            lines[1].contains("`cells/a.html#nope`: `cells/a.html` has no element with id `nope`")
        );
        assert!(lines.iter().any(|l| {
            l.contains("`https://cdn.example.org/x.js`: loads a resource from another host")
        }));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("`//x.example/i.png`: loads"))
        );
        assert!(lines.iter().any(|l| l.contains("`/abs.html`: is rooted")));
        assert!(lines.iter().any(|l| l.contains("`cells/`: names a folder")));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("`../up.html`: points outside"))
        );
    }
}
