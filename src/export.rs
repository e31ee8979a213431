//! The single-file export: the whole site as one self-contained HTML document, for reading
//! on a plane or keeping.
//!
//! It is made from the pages `render` produced, not from templates of its own: the front
//! page (essay, grid with every cell's panel, footnotes, comments) gets the references
//! page appended as a section, the stylesheet and script inlined, every link between
//! pages rewritten to an in-page anchor, and any other site file a page loads embedded as a
//! `data:` URL. The result makes no network request and opens from any folder.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::BuildOptions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::html;
use crate::output::{Page, data_url};
use crate::render::publish::{inline_script, inline_style};

/// The id of the section that holds the references page.
pub const REFERENCES_ID: &str = "references";

/// The comment every export starts with, after its doctype: how quire knows a file it may
/// replace without `--force`.
pub const EXPORT_MARKER: &str =
    "<!-- quire single-file export: quire build --single-file replaces this file -->";

/// Whether the first bytes of a file are those of a previous export.
pub fn is_previous_export(head: &[u8]) -> bool {
    String::from_utf8_lossy(head).contains(EXPORT_MARKER)
}

/// `quire build --single-file PATH`: renders the site in memory and writes it as one file.
/// Returns the number of bytes written; on error nothing is written.
pub fn export(options: &BuildOptions, path: &Path) -> Result<(usize, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    // `site/../essay.html` names essay.html even when site/ does not exist.
    let resolved = crate::output::resolve(path);
    let path = resolved.as_deref().unwrap_or(path);
    if let Err(d) = check_destination(path) {
        diags.push(*d);
        return Err(diags);
    }
    if let Err((message, help)) =
        crate::output::check_export_target(path, &options.root, options.force, is_previous_export)
    {
        diags.push(Diagnostic::error(message).help(help));
        return Err(diags);
    }
    let Some((pages, _)) =
        crate::render_site_whole_thread(options, &mut diags).filter(|_| !diags.has_errors())
    else {
        return Err(diags);
    };
    let Some(doc) = single_file(&pages, &mut diags).filter(|_| !diags.has_errors()) else {
        return Err(diags);
    };
    if let Err(d) = write(path, &doc) {
        diags.push(*d);
        return Err(diags);
    }
    Ok((doc.len(), diags))
}

/// Checks that `path` can be written (its folder exists, it isn't a folder), before any
/// work is done.
pub fn check_destination(path: &Path) -> Result<(), Box<Diagnostic>> {
    let help = "give a file path in an existing folder, e.g. --single-file essay.html";
    if path.as_os_str().is_empty() || path.is_dir() {
        return Err(Box::new(
            Diagnostic::error(format!(
                "cannot write the single file to {}: it is a folder",
                path.display()
            ))
            .help(help),
        ));
    }
    let parent = folder_of(path);
    if !parent.is_dir() {
        return Err(Box::new(
            Diagnostic::error(format!(
                "cannot write the single file {}: the folder {} does not exist",
                path.display(),
                parent.display()
            ))
            .help(help),
        ));
    }
    Ok(())
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `html` to `path` through a temporary file beside it, so a reader never opens
/// half a file.
pub fn write(path: &Path, html: &str) -> Result<(), Box<Diagnostic>> {
    check_destination(path)?;
    crate::output::write_file(path, html.as_bytes()).map_err(|e| {
        Box::new(Diagnostic::error(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    })
}

/// One self-contained HTML document from the pages of a rendered site.
pub fn single_file(pages: &[Page], diags: &mut Diagnostics) -> Option<String> {
    let files: BTreeMap<&str, &[u8]> = pages
        .iter()
        .map(|p| (p.path.as_str(), p.bytes.as_slice()))
        .collect();
    let text = |name: &str| {
        files
            .get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let Some(index) = text("index.html") else {
        diags.push(Diagnostic::error(
            "the site has no index.html to export (does the theme have an index.html template?)",
        ));
        return None;
    };

    // The references page's main content, as a section at the end of the front page's.
    let mut doc = index;
    if let Some(references) = text("references.html").and_then(|r| main_content(&r)) {
        let section = format!(
            "<section class=\"references-section\" id=\"{REFERENCES_ID}\">\n{}\n</section>\n",
            demote_h1(&references)
        );
        match doc.rfind("</main>") {
            Some(at) => doc.insert_str(at, &section),
            None => {
                diags.push(Diagnostic::error(
                    "index.html has no </main>: the theme's base.html must wrap content in <main>",
                ));
                return None;
            }
        }
    }

    let ids: HashSet<String> = html::tags(&doc)
        .iter()
        .filter_map(|t| t.get("id").map(str::to_string))
        .collect();
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for tag in html::tags(&doc) {
        // The site's own stylesheet and script, inlined in place of the tags that load them.
        if tag.name == "link"
            && tag.get("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("stylesheet"))
            })
            && let Some(href) = tag.get("href").filter(|h| !html::has_scheme(h))
        {
            let css = text(site_path(href).as_str()).unwrap_or_default();
            let css = embed_css_urls(&css, &files);
            edits.push((
                tag.span.clone(),
                format!("<style>\n{}</style>", inline_style(&css)),
            ));
            continue;
        }
        if tag.name == "script"
            && let Some(src) = tag.get("src").filter(|s| !html::has_scheme(s))
        {
            let js = text(site_path(src).as_str()).unwrap_or_default();
            let end = tag
                .raw_text
                .as_ref()
                .and_then(|r| doc[r.end..].find('>').map(|p| r.end + p + 1))
                .unwrap_or(tag.span.end);
            edits.push((
                tag.span.start..end,
                format!("<script>\n{}</script>", inline_script(&js)),
            ));
            continue;
        }
        for attr in &tag.attrs {
            let is_link = matches!(attr.name.as_str(), "href" | "action");
            let is_load = matches!(attr.name.as_str(), "src" | "poster" | "data");
            if !is_link && !is_load {
                continue;
            }
            let url = attr.value.trim();
            if url.is_empty()
                || url.starts_with('#')
                || html::has_scheme(url)
                || html::is_remote(url)
            {
                continue;
            }
            let (path, fragment) = match url.split_once('#') {
                Some((p, f)) => (site_path(p), Some(f)),
                None => (site_path(url), None),
            };
            let replacement = if path.ends_with(".html") {
                Some(anchor_for(&path, fragment, &ids))
            } else {
                files.get(path.as_str()).map(|bytes| data_url(&path, bytes))
            };
            match replacement {
                Some(new) => edits.push((attr.value_span.clone(), escape_attr(&new))),
                // Left as it is, the file would be missing wherever the document is opened.
                None if is_load => diags.push(
                    Diagnostic::error(format!(
                        "cannot inline `{url}` into the single file: the site has no such file"
                    ))
                    .help("put the file under content/ or static/, or link to it by its full https:// address"),
                ),
                None => {}
            }
        }
    }
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    for (span, new) in edits {
        doc.replace_range(span, &new);
    }
    Some(mark_export(doc))
}

/// The export marker, after the doctype (before it, a comment would put browsers in quirks
/// mode).
fn mark_export(mut doc: String) -> String {
    let at = if doc
        .get(..9)
        .is_some_and(|d| d.eq_ignore_ascii_case("<!doctype"))
    {
        doc.find('>').map_or(0, |i| i + 1)
    } else {
        0
    };
    doc.insert_str(at, &format!("\n{EXPORT_MARKER}"));
    doc
}

/// A link to another page, as an anchor in the single document.
fn anchor_for(path: &str, fragment: Option<&str>, ids: &HashSet<String>) -> String {
    if let Some(f) = fragment.filter(|f| !f.is_empty())
        && (path == "index.html" || path == "references.html" || ids.contains(f))
    {
        return format!("#{f}");
    }
    let page = path.trim_end_matches(".html");
    let candidates = match page.strip_prefix("cells/") {
        // A cell's own page: its panel, which the front page carries.
        Some(cell) => vec![format!("panel-{cell}"), format!("cell-{cell}")],
        None if page == "references" => vec![REFERENCES_ID.to_string()],
        None => vec![
            html::percent_decode(page)
                .unwrap_or_default()
                .replace('/', "-"),
        ],
    };
    candidates
        .into_iter()
        .find(|c| ids.contains(c))
        .map_or_else(|| "#top".to_string(), |c| format!("#{c}"))
}

/// A reference from a root-level page to a file of the site (`./a.css` -> `a.css`).
fn site_path(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = html::percent_decode(path).unwrap_or_else(|| path.to_string());
    let mut parts: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// What is between `<main ...>` and `</main>`.
fn main_content(page: &str) -> Option<String> {
    let tag = html::tags(page).into_iter().find(|t| t.name == "main")?;
    let end = page.rfind("</main>")?;
    (end >= tag.span.end).then(|| page[tag.span.end..end].trim().to_string())
}

/// One document has one `<h1>`: the appended page's becomes an `<h2>`.
fn demote_h1(fragment: &str) -> String {
    fragment
        .replace("<h1>", "<h2>")
        .replace("<h1 ", "<h2 ")
        .replace("</h1>", "</h2>")
}

/// `url(...)` references to site files inside CSS, embedded as `data:` URLs.
fn embed_css_urls(css: &str, files: &BTreeMap<&str, &[u8]>) -> String {
    let mut out = css.to_string();
    let mut urls = html::css_urls(css);
    urls.sort_by_key(|(_, span)| std::cmp::Reverse(span.start));
    for (url, span) in urls {
        if html::has_scheme(&url) || html::is_remote(&url) || url.starts_with('#') {
            continue;
        }
        let path = site_path(&url);
        if let Some(bytes) = files.get(path.as_str()) {
            out.replace_range(span, &data_url(&path, bytes));
        }
    }
    out
}

fn escape_attr(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> Page {
        Page {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn an_image_the_site_lacks_is_an_error() {
        let pages = vec![page(
            "index.html",
            r#"<html><body><main id="main"><img src="figures/gone.png" alt="x"></main></body></html>"#,
        )];
        let mut diags = Diagnostics::new();
        let _ = single_file(&pages, &mut diags);
        assert!(diags.has_errors());
        let text = diags.render(false);
        assert!(text.contains("cannot inline `figures/gone.png`"), "{text}");
    }

    #[test]
    fn one_document_with_in_page_links() {
        let pages = [
            page(
                "index.html",
                r#"<html><head><link rel="stylesheet" href="quire.css"></head><body><main id="main"><h1>E</h1><a href="cells/a-b.html">cell</a><a href="references.html#ref-x">cite</a><a href="index.html#p1">p1</a><p id="p1"><img src="logo.png" alt=""></p><section id="panel-a-b"></section><a href="https://example.org/">out</a></main><script src="quire.js"></script></body></html>"#,
            ),
            page(
                "references.html",
                r#"<main id="main"><h1>References</h1><li id="ref-x"><a href="cells/a-b.html">back</a></li></main>"#,
            ),
            page("cells/a-b.html", "<main id=\"main\"></main>"),
            page("quire.css", "body { background: url(logo.png) }"),
            page("quire.js", "console.log('</script>')"),
            page("logo.png", "PNG"),
        ];
        let mut diags = Diagnostics::new();
        let doc = single_file(&pages, &mut diags).expect("exported");
        assert!(
            doc.contains("<style>\nbody { background: url(data:image/png;base64,UE5H) }</style>")
        );
        assert!(doc.contains(r#"console.log('<\/script>')"#), "{doc}");
        assert!(doc.contains(r##"<a href="#panel-a-b">cell</a>"##));
        assert!(doc.contains(r##"<a href="#ref-x">cite</a>"##));
        assert!(doc.contains(r##"<a href="#p1">p1</a>"##));
        assert!(doc.contains(r#"<img src="data:image/png;base64,UE5H""#));
        assert!(doc.contains(r#"<section class="references-section" id="references">"#));
        assert!(doc.contains("<h2>References</h2>"));
        assert!(doc.contains(r##"<li id="ref-x"><a href="#panel-a-b">back</a>"##));
        assert!(doc.contains("https://example.org/"));
        let files = BTreeMap::from([("export.html".to_string(), doc.into_bytes())]);
        let report = crate::check::check_files(&files);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
}
