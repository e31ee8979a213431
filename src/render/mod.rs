//! Rendering: the linked model to pages, through the theme's Tera templates.
//!
//! Rust gathers each page's view data (plain text, numbers, links, and HTML only where quire
//! produced or sanitized it) and the theme's templates make the HTML: the grid
//! (`partials/grid.html`, rendered first because it stands inside the essay) and the thread
//! (`partials/thread.html`, `partials/comment.html`) included. The essay's body, built from
//! its Markdown event stream, still reaches templates as HTML.
//! Every link is relative and names a file, so the site works from `file://` and under any
//! sub-path. Nothing here touches the file system: pages come back as bytes for `output`.

pub mod cite;
pub mod essay_citation;
pub mod grid;
pub mod highlight;
pub mod markdown;
pub mod partials;
pub mod preview;
pub mod publish;
pub mod thread;
pub mod thread_pages;
pub mod tidy;

use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::output::Page;
use crate::resolve::{Citer, Linked};
use crate::theme::Theme;

/// Settings that change output but aren't content.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Absolute URL of the published site, ending in `/`.
    pub base_url: Option<String>,
    /// Keep the whole thread on the essay page however big it is (the single-file export);
    /// otherwise a big thread continues on pages of its own (see `thread_pages`).
    pub whole_thread: bool,
    /// The previous build's `preview.png`, reused when it was drawn from the same source.
    pub previous_preview: Option<Vec<u8>>,
}

/// The preview image, for the `<head>` of every page.
#[derive(Serialize)]
struct PreviewImage {
    path: &'static str,
    width: u32,
    height: u32,
    alt: String,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A string safe to use inside an `id` and a URL fragment.
pub fn id_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    lang: &'a str,
    author: String,
    date: Option<String>,
    original_url: Option<&'a str>,
    description: Option<&'a str>,
    base_url: Option<&'a str>,
}

#[derive(Serialize)]
struct RefEntry {
    key: String,
    anchor: String,
    citation_html: String,
    note: Option<String>,
    cited_by: Vec<Backlink>,
}

#[derive(Serialize)]
struct Backlink {
    href: String,
    label: String,
}

/// The partial that draws the grid inside the essay.
const GRID_TEMPLATE: &str = "partials/grid.html";

/// A template rendered on its own into a fragment of a page; an error names the template.
fn render_fragment(
    tera: &Tera,
    theme: &Theme,
    template: &str,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> String {
    tera.render(template, ctx).unwrap_or_else(|e| {
        diags.push(render_failed(theme, template, &e));
        String::new()
    })
}

/// The error for a theme's template that parsed but failed to render, in that template.
fn render_failed(theme: &Theme, template: &str, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("template {template} failed to render: {e}"))
        .in_file(&theme.origin.join("templates").join(template))
}

/// Renders every page of the site.
pub fn render(
    linked: &Linked,
    config: &Config,
    theme: &Theme,
    options: &RenderOptions,
    diags: &mut Diagnostics,
) -> Option<Vec<Page>> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    // All at once: templates extend and include each other.
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    ) {
        diags.push(template_error(theme, &e.to_string()));
    }
    // A theme without the partials the essay's walk uses gets the built-in ones.
    let missing: Vec<(&str, &str)> = partials::ALL
        .iter()
        .filter(|name| !theme.templates.contains_key(**name))
        .filter_map(|name| Some((*name, crate::theme::builtin_template(name)?)))
        .collect();
    if !missing.is_empty()
        && let Err(e) = tera.add_raw_templates(missing)
    {
        diags.push(template_error(theme, &e.to_string()));
    }
    let partials = partials::Partials::new(&tera);
    let content = &linked.content;
    let mut assets = theme.assets.clone();
    if let Some(choice) = &config.highlight_theme {
        match highlight::theme_css(choice) {
            Ok(css) => {
                let bundle = assets.entry("quire.css".into()).or_default();
                bundle.extend_from_slice(css.as_bytes());
            }
            Err((name, known)) => diags.push(
                config.locate(
                    "highlight_theme",
                    Diagnostic::error(format!("unknown highlight theme `{name}`"))
                        .help(format!("syntect's themes: {}", known.join(", "))),
                ),
            ),
        }
    }
    if diags.has_errors() {
        return None;
    }
    let front = &content.essay.front;
    let title = config.title.as_deref().unwrap_or(&front.title);
    let site = SiteInfo {
        title,
        lang: &config.language,
        author: front.author.clone().unwrap_or_else(|| "unknown".into()),
        date: front.date.map(|d| d.to_string()),
        original_url: front.original_url.as_deref(),
        description: front.description.as_deref(),
        base_url: options.base_url.as_deref(),
    };

    // A big thread is split over several pages, if the theme has a template for them.
    let split = !options.whole_thread && tera.get_template_names().any(|n| n == "thread.html");
    let thread_pages = thread_pages::ThreadPages::new(linked, split);
    let essay_page = thread_pages
        .as_ref()
        .map(|pages| thread::PageOf { pages, page: 0 });
    let comment_hrefs: Vec<String> = (0..content.thread.comments.len())
        .map(|i| thread::comment_href(linked, essay_page, i))
        .collect();
    // The grid stands inside the essay's body, so its partial is rendered first.
    let grid_html = linked.grid.as_ref().map(|g| {
        let mut ctx = Context::new();
        ctx.insert("grid", &grid::grid_view(linked, g));
        render_fragment(&tera, theme, GRID_TEMPLATE, &ctx, diags)
    });
    let essay = markdown::render_essay(
        linked,
        &markdown::Parts {
            grid: grid_html,
            comments_on: &linked.thread.on_block,
            comment_hrefs: &comment_hrefs,
            partials: &partials,
        },
    );

    for (lang, span) in &essay.unknown_languages {
        let offset = content.essay.body_offset;
        diags.push(
            Diagnostic::warning(format!("unknown language `{lang}` in a code block"))
                .at(&content.essay.file, offset + span.start..offset + span.start + 3)
                .label("shown as plain text")
                .help("write a language the highlighter knows after the ```, such as rust, python, js, toml, sh"),
        );
    }
    let mut preview_png = None;
    let preview_image = if cfg!(feature = "preview")
        && theme.templates.contains_key(preview::TEMPLATE)
    {
        let layout = preview::layout(linked, title);
        let mut ctx = Context::new();
        ctx.insert("preview", &layout);
        let template_path = theme.origin.join("templates").join(preview::TEMPLATE);
        match tera.render(preview::TEMPLATE, &ctx) {
            Ok(svg) => {
                let fonts = if theme.fonts.is_empty() {
                    crate::theme::default_fonts()
                } else {
                    theme.fonts.clone()
                };
                match preview::rasterize(&svg, fonts, options.previous_preview.as_deref()) {
                    Ok(png) => preview_png = Some(png),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("the preview image's SVG does not render: {e}"))
                            .in_file(&template_path),
                    ),
                }
            }
            Err(e) => diags.push(render_failed(theme, preview::TEMPLATE, &e)),
        }
        preview_png.as_ref().map(|_| PreviewImage {
            path: preview::PATH,
            width: preview::WIDTH,
            height: preview::HEIGHT,
            alt: layout.alt,
        })
    } else {
        None
    };

    let default_description = match front.description.as_deref() {
        Some(d) => d.to_string(),
        None => format!("“{title}”, an essay by {}", site.author),
    };
    let icon = site_icon(&assets, &content.files.copies);
    let mut pages = Vec::new();
    let mut render_page =
        |path: &str, template: &str, ctx: &mut Context, diags: &mut Diagnostics| {
            let depth = path.matches('/').count();
            let root = match &options.base_url {
                // Served at any depth: only an absolute address leads home from there.
                Some(base) if path == "404.html" => base.clone(),
                _ => "../".repeat(depth),
            };
            if !ctx.contains_key("page_description") {
                ctx.insert("page_description", &default_description);
            }
            if let Some(base) = &options.base_url {
                ctx.insert("page_url", &publish::page_url(base, path));
            }
            // The page's icon (so no browser asks for a missing /favicon.ico); on the 404
            // page, served at any depth, inline like its style.
            if let Some((name, bytes)) = &icon {
                let href = if path == "404.html" {
                    crate::output::data_url(name, bytes)
                } else {
                    format!("{root}{name}")
                };
                ctx.insert("icon_href", &href);
                ctx.insert(
                    "icon_type",
                    crate::output::content_type(std::path::Path::new(name.as_str())),
                );
            }
            ctx.insert("site", &site);
            ctx.insert("preview_image", &preview_image);
            ctx.insert("root", &root);
            ctx.insert("path", path);
            match tera.render(template, ctx) {
                Ok(html) => pages.push(Page {
                    path: path.to_string(),
                    bytes: html.into_bytes(),
                }),
                Err(e) => diags.push(
                    Diagnostic::error(format!("template {template} failed to render {path}: {e}"))
                        .in_file(&theme.origin.join("templates").join(template)),
                ),
            }
        };

    // The page of the thread that holds each comment a cell links to.
    let place_comments = |view: &mut grid::CellView| {
        if let Some(pages) = &thread_pages {
            for link in &mut view.comments {
                if let Some(i) = content
                    .thread
                    .comments
                    .iter()
                    .position(|c| c.id.get_ref() == &link.id)
                {
                    link.page = pages.path_of(i).to_string();
                }
            }
        }
    };
    let cells: Vec<grid::CellView> = linked
        .grid
        .as_ref()
        .map(|g| {
            g.cells
                .iter()
                .map(|c| {
                    let mut view = grid::cell_view(linked, g, c, "", &partials);
                    place_comments(&mut view);
                    view
                })
                .collect()
        })
        .unwrap_or_default();

    let mut ctx = Context::new();
    ctx.insert("essay_html", &essay.body);
    ctx.insert("toc", &essay.toc);
    ctx.insert("footnotes", &essay.footnotes);
    ctx.insert(
        "notes_heading",
        front.notes_heading.as_deref().unwrap_or("Notes"),
    );
    ctx.insert("editorial", &essay.editorial);
    ctx.insert("cells", &cells);
    // Panels sit under the essay's h2 sections; a cell page is a page of its own.
    ctx.insert("heading", "h3");
    ctx.insert("subheading", "h4");
    ctx.insert(
        "discussion",
        &match &thread_pages {
            Some(pages) => thread_pages::split_discussion(linked, pages, 0, &partials),
            None => thread::discussion(linked, "", None, &partials),
        },
    );
    ctx.insert("comment_count", &content.thread.comments.len());
    ctx.insert(
        "deleted_count",
        &content.thread.comments.iter().filter(|c| c.deleted).count(),
    );
    ctx.insert("thread", &thread_view(content));
    ctx.insert("comments_on_passages", &!linked.thread.on_block.is_empty());
    ctx.insert(
        "unknown_authors",
        &content
            .thread
            .comments
            .iter()
            .any(|c| c.author.is_none() && !c.deleted),
    );
    ctx.insert("page_title", title);
    let editor_note = front
        .editor_note
        .as_deref()
        .map(|note| markdown::render_snippet(note, linked, "", &partials));
    ctx.insert("editor_note_html", &editor_note);
    let citation = essay_citation::essay_citation(
        front,
        &config.language,
        options
            .base_url
            .as_deref()
            .map(|base| publish::page_url(base, "index.html"))
            .as_deref(),
    );
    ctx.insert("citation", &citation);
    render_page("index.html", "index.html", &mut ctx, diags);

    if let Some(g) = &linked.grid {
        for cell in &g.cells {
            let mut view = grid::cell_view(linked, g, cell, "../", &partials);
            place_comments(&mut view);
            let mut ctx = Context::new();
            ctx.insert("page_title", &format!("{} · {}", cell.name, title));
            ctx.insert(
                "page_description",
                &publish::summary_text(&view.summary_html, 200),
            );
            ctx.insert("cell", &view);
            ctx.insert("heading", "h1");
            ctx.insert("subheading", "h2");
            ctx.insert(
                "grid_caption",
                &content
                    .grid
                    .as_ref()
                    .and_then(|g| g.caption.clone())
                    .unwrap_or_default(),
            );
            render_page(
                &format!("cells/{}.html", cell.id),
                "cell.html",
                &mut ctx,
                diags,
            );
        }
    }

    if let Some(pages) = &thread_pages {
        for (k, page) in pages.pages.iter().enumerate().skip(1) {
            let mut ctx = Context::new();
            let view = thread_pages::page_view(linked, pages, k);
            ctx.insert("page_title", &format!("{} · {title}", view.heading));
            ctx.insert("page_description", &view.description);
            ctx.insert("thread_page", &view);
            ctx.insert("comment_count", &content.thread.comments.len());
            ctx.insert(
                "discussion",
                &thread_pages::split_discussion(linked, pages, k, &partials),
            );
            render_page(&page.path, "thread.html", &mut ctx, diags);
        }
    }

    let mut ctx = Context::new();
    ctx.insert("page_title", &format!("References · {title}"));
    ctx.insert(
        "page_description",
        &format!("Every work cited by “{title}”, with links to the notes and cells that cite it."),
    );
    ctx.insert(
        "references",
        &reference_entries(linked, &essay.footnotes, &partials),
    );
    render_page("references.html", "references.html", &mut ctx, diags);
    for (template, e) in partials.errors() {
        diags.push(render_failed(theme, template, &e));
    }

    let mut ctx = Context::new();
    ctx.insert("page_title", &format!("Page not found · {title}"));
    // GitHub Pages serves 404.html for a missing URL at any depth, where relative links
    // to the stylesheet would miss: the page carries its style and script inline, and
    // links to the site's absolute address when it is known.
    let asset = |name: &str| {
        assets
            .get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    ctx.insert("inline_css", &publish::inline_style(&asset("quire.css")));
    ctx.insert("inline_js", &publish::inline_script(&asset("quire.js")));
    render_page("404.html", "404.html", &mut ctx, diags);

    if diags.has_errors() {
        return None;
    }
    if let Some(png) = preview_png {
        pages.push(Page {
            path: preview::PATH.into(),
            bytes: png,
        });
    }
    pages.push(Page {
        path: essay_citation::CSL_JSON_PATH.into(),
        bytes: citation.csl_json.clone().into_bytes(),
    });
    pages.push(Page {
        path: essay_citation::BIBTEX_PATH.into(),
        bytes: citation.bibtex.clone().into_bytes(),
    });
    // The theme's static files, then the project's: a project file of the same name
    // replaces the theme's. A page quire writes is never replaced.
    for (path, bytes) in &content.files.copies {
        if pages.iter().any(|p| &p.path == path) {
            diags.push(
                Diagnostic::error(format!("static/{path} would replace a page quire writes"))
                    .in_file(&std::path::Path::new("static").join(path))
                    .help("rename the file, or override the page's template instead"),
            );
            continue;
        }
        assets.insert(path.clone(), bytes.clone());
    }
    if diags.has_errors() {
        return None;
    }
    for (path, bytes) in assets {
        pages.push(Page { path, bytes });
    }
    let host_files =
        publish::host_files(&pages, options.base_url.as_deref(), config.cname.as_deref());
    pages.extend(host_files);
    Some(pages)
}

/// The site's icon: a `favicon.svg`, `.png` or `.ico` from the project's `static/`, else
/// the theme's.
fn site_icon(
    theme_assets: &std::collections::BTreeMap<String, Vec<u8>>,
    project: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Option<(String, Vec<u8>)> {
    let names = ["favicon.svg", "favicon.png", "favicon.ico"];
    [project, theme_assets].into_iter().find_map(|files| {
        names
            .iter()
            .find_map(|n| files.get(*n).map(|b| (n.to_string(), b.clone())))
    })
}

/// The `[thread]` table for templates: the forum, its page, the labels of its scores.
#[derive(Serialize)]
struct ThreadView<'a> {
    forum: &'a str,
    url: Option<&'a str>,
    scores: Vec<&'a str>,
}

fn thread_view(content: &crate::content::Content) -> Option<ThreadView<'_>> {
    let source = content.thread.source.as_ref()?;
    Some(ThreadView {
        forum: &source.forum,
        url: source.url.as_deref(),
        scores: source.scores.iter().map(|(_, l)| l.as_str()).collect(),
    })
}

fn reference_entries(
    linked: &Linked,
    footnotes: &[markdown::FootnoteHtml],
    partials: &partials::Partials<'_>,
) -> Vec<RefEntry> {
    let refs = &linked.content.bibliography.refs;
    let mut order: Vec<usize> = (0..refs.len()).collect();
    order.sort_by_cached_key(|&i| refs[i].sort_key());
    let number_of = |label: &str| {
        footnotes
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.number)
            .unwrap_or(0)
    };
    order
        .into_iter()
        .map(|i| {
            let r = &refs[i];
            let cited_by = linked
                .cited_by
                .get(&i)
                .map(|citers| {
                    citers
                        .iter()
                        .map(|c| match c {
                            Citer::Cell(id) => Backlink {
                                href: format!("cells/{id}.html"),
                                label: linked
                                    .grid
                                    .as_ref()
                                    .and_then(|g| g.find(id))
                                    .map_or(id.clone(), |c| format!("Reading list: {}", c.name)),
                            },
                            Citer::Footnote(label) => Backlink {
                                href: format!("index.html#{}", markdown::note_id(label)),
                                label: format!("Footnote {}", number_of(label)),
                            },
                            Citer::Block(id) => Backlink {
                                href: format!("index.html#{id}"),
                                label: format!("Essay, paragraph {}", &id[1..]),
                            },
                        })
                        .collect()
                })
                .unwrap_or_default();
            RefEntry {
                key: r.key.get_ref().clone(),
                anchor: cite::ref_anchor(r.key.get_ref()),
                citation_html: cite::full_citation(r, partials),
                note: r.note.clone(),
                cited_by,
            }
        })
        .collect()
}

/// Tera reports a template syntax error as text ("error: Found `}}` ...\n --> 404.html:3:10");
/// read the position back out so the diagnostic points into the template like any other.
fn template_error(theme: &Theme, report: &str) -> Diagnostic {
    let message = report
        .lines()
        .next()
        .unwrap_or(report)
        .trim_start_matches("error: ")
        .to_string();
    let position = report.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("--> ")?;
        let mut parts = rest.rsplitn(3, ':');
        let col: usize = parts.next()?.trim().parse().ok()?;
        let line: usize = parts.next()?.trim().parse().ok()?;
        Some((parts.next()?.to_string(), line, col))
    });
    let fallback = Diagnostic::error(format!(
        "a template of {} does not parse",
        theme.origin.display()
    ))
    .in_file(&theme.origin.join("templates"))
    .label(report.to_string());
    let Some((name, line, col)) = position else {
        return fallback;
    };
    let Some(source) = theme.templates.get(&name) else {
        return fallback;
    };
    let file = crate::diagnostic::SourceFile::new(
        theme.origin.join("templates").join(&name),
        source.as_str(),
    );
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = source[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(source.len(), |(i, _)| line_start + i);
    Diagnostic::error(format!("template {name} does not parse: {message}"))
        .at(&file, offset..offset + 1)
        .label(message)
}
