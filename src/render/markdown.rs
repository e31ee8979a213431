//! The essay's Markdown to HTML, in one walk over the events `content` parsed (kept in the
//! essay's outline with their block starts, ends, citations and alt texts: nothing is parsed
//! twice); small snippets (cell summaries, notes) are parsed here with `crate::dialect`.
//!
//! Ordinary Markdown passes through pulldown-cmark's own HTML writer; this module only
//! rewrites what quire gives meaning to: headings and paragraphs get ids and permalinks,
//! the grid's table becomes the grid, `cell:`/`ref:` links and `[@key]` citations point at
//! their targets, footnotes are numbered and collected, code is highlighted, and passages
//! that comments are about get a marker. It trusts the essay (its author owns the site);
//! untrusted comment bodies are rendered by `thread`, not here.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

use super::partials::{CommentMarker, Marker, NoteSource, Partials, Permalink};
use super::{cite, escape};
use crate::content::essay::Parsed;
use crate::dialect::{citation_items, is_citation, matching_end, narrative_spans, parse_body};
use crate::resolve::Linked;

/// A table-of-contents entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A footnote, rendered, in order of first reference.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FootnoteHtml {
    pub number: usize,
    pub label: String,
    /// `fn-<label>`
    pub id: String,
    /// The note's own text, then the full citation of every work it cites (so a popover,
    /// a sidenote and a printed endnote all show where the claim comes from).
    pub html: String,
    /// Ids of each place that references the note (`fnref-<label>`, `fnref-<label>-2`...).
    pub backrefs: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EssayHtml {
    pub body: String,
    /// Code blocks whose language tag the highlighter doesn't know: (tag, span in the body).
    pub unknown_languages: Vec<(String, Range<usize>)>,
    pub toc: Vec<TocEntry>,
    pub footnotes: Vec<FootnoteHtml>,
    /// What the editor added inside the author's words, for the page's reading key.
    pub editorial: Editorial,
}

/// Counts of the editor's marked additions in the essay body.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Editorial {
    /// Links whose title marks them as the editor's (`"editor"` or `"editor: why"`).
    pub links: usize,
    /// `<ins>...</ins>` repairs of the author's words.
    pub insertions: usize,
}

/// The title an editor's link carries when its Markdown title is just `"editor"`.
pub const EDITOR_LINK_TITLE: &str = "link added by the editor; the original link was lost";

/// A link is the editor's, not the author's, when its Markdown title is `"editor"` (then
/// it reads [`EDITOR_LINK_TITLE`]) or `"editor: why"` (then "link added by the editor;
/// why"). Returns the title the rendered link carries.
pub fn editorial_title(title: &str) -> Option<String> {
    let t = title.trim();
    let head = t.get(..6)?;
    if !head.eq_ignore_ascii_case("editor") {
        return None;
    }
    let rest = t[6..].trim_start();
    if rest.is_empty() {
        return Some(EDITOR_LINK_TITLE.into());
    }
    let why = rest.strip_prefix(':')?.trim();
    Some(if why.is_empty() {
        EDITOR_LINK_TITLE.into()
    } else {
        format!("link added by the editor; {why}")
    })
}

/// The visible mark after an editor's link; the title says it in words.
pub const ED_MARK: &str = "<span class=\"ed-mark\" aria-hidden=\"true\">ed.</span>";
/// What an editor's insertion (`<ins>`) becomes: the inserted words in square brackets,
/// the scholarly editor's sign, with a title for a mouse hover.
const INS_OPEN: &str =
    "<ins class=\"ed-insert\" title=\"inserted by the editor; not in the source text\">[";
const INS_CLOSE: &str = "]</ins>";

/// How the rest of the page wants pieces rendered that this module doesn't own.
pub struct Parts<'a> {
    /// HTML that replaces the grid's table, if the essay has a grid.
    pub grid: Option<String>,
    /// Block id -> comment indices whose annotation quotes that block.
    pub comments_on: &'a BTreeMap<String, Vec<usize>>,
    /// Comment index -> the link to the comment from the essay page.
    pub comment_hrefs: &'a [String],
    /// The theme's footnote markers and citations.
    pub partials: &'a Partials<'a>,
}

pub fn render_essay(linked: &Linked, parts: &Parts<'_>) -> EssayHtml {
    let body = linked.content.essay.body();
    let parsed = &linked.content.essay.outline.parsed;
    let events = &parsed.events;
    let mut block_ends = vec![false; events.len()];
    for (i, s) in parsed.block_starts.iter().enumerate() {
        if s.is_some() {
            block_ends[parsed.ends[i]] = true;
        }
    }
    let mut w = Walker {
        block_ends: &block_ends,
        linked,
        parts,
        events,
        parsed,
        heading_n: 0,
        table_n: 0,
        fn_uses: HashMap::new(),
        unknown_languages: Vec::new(),
        toc: Vec::new(),
        notes: Vec::new(),
        note_cites: None,
        link_stack: Vec::new(),
        block_stack: Vec::new(),
        editorial: Editorial::default(),
    };
    let mut out = Vec::with_capacity(events.len());
    w.walk(0, events.len(), &mut out);
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());

    let mut footnotes: Vec<FootnoteHtml> = w
        .notes
        .into_iter()
        .filter_map(|(label, html)| {
            let number = *linked.footnote_numbers.get(&label)?;
            let uses = w.fn_uses.get(&label).copied().unwrap_or(0);
            Some(FootnoteHtml {
                number,
                id: note_id(&label),
                backrefs: (1..=uses).map(|k| ref_id(&label, k)).collect(),
                label,
                html,
            })
        })
        .collect();
    footnotes.sort_by_key(|f| f.number);
    EssayHtml {
        body: html,
        unknown_languages: w.unknown_languages,
        toc: w.toc,
        footnotes,
        editorial: w.editorial,
    }
}

pub fn note_id(label: &str) -> String {
    format!("fn-{}", super::id_safe(label))
}

fn ref_id(label: &str, k: usize) -> String {
    if k == 1 {
        format!("fnref-{}", super::id_safe(label))
    } else {
        format!("fnref-{}-{k}", super::id_safe(label))
    }
}

struct Walker<'a> {
    linked: &'a Linked,
    parts: &'a Parts<'a>,
    events: &'a [(Event<'static>, Range<usize>)],
    /// What the essay's parse recorded about these events (block starts, ends, citations).
    parsed: &'a Parsed,
    /// Marks the End events that close an anchorable block.
    block_ends: &'a [bool],
    heading_n: usize,
    table_n: usize,
    /// Footnote label -> how many references so far.
    fn_uses: HashMap<String, usize>,
    unknown_languages: Vec<(String, Range<usize>)>,
    toc: Vec<TocEntry>,
    notes: Vec<(String, String)>,
    /// While walking a footnote definition: the keys it cites, in order of first mention.
    note_cites: Option<Vec<String>>,
    /// For each open link: the literal HTML that closes it, or `None` for pulldown-cmark's.
    link_stack: Vec<Option<String>>,
    /// For each open anchorable block: its id.
    block_stack: Vec<(String, bool)>,
    editorial: Editorial,
}

impl<'a> Walker<'a> {
    fn walk(&mut self, from: usize, to: usize, out: &mut Vec<Event<'a>>) {
        let events = self.events;
        let mut i = from;
        while i < to {
            let event = &events[i].0;
            if let Some(n) = self.parsed.block_starts[i] {
                // Block `n` is the n-th of the outline's blocks, which holds its id.
                let blocks = &self.linked.content.essay.outline.blocks;
                let id = blocks.get(n).map(|b| b.id.clone()).unwrap_or_default();
                let is_item = matches!(event, Event::Start(Tag::Item));
                out.push(html(format!(
                    "<{} id=\"{id}\">",
                    if is_item { "li" } else { "p" }
                )));
                self.block_stack.push((id, is_item));
                i += 1;
                continue;
            }
            match event {
                Event::End(TagEnd::Paragraph | TagEnd::Item) if self.block_ends[i] => {
                    let (id, is_item) = self.block_stack.pop().unwrap_or_default();
                    out.push(html(self.block_end(&id, is_item)));
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let end = self.parsed.ends[i];
                    let heading = self
                        .linked
                        .content
                        .essay
                        .outline
                        .headings
                        .get(self.heading_n);
                    let id = heading.map(|h| h.id.clone()).unwrap_or_default();
                    let text = heading.map(|h| h.text.clone()).unwrap_or_default();
                    self.heading_n += 1;
                    let level = *level as u8;
                    self.toc.push(TocEntry {
                        level,
                        id: id.clone(),
                        text: text.clone(),
                    });
                    // An explicit `{#id}` is the author's text: escaped like any attribute.
                    let id = escape(&id);
                    out.push(html(format!("<h{level} id=\"{id}\">")));
                    self.walk(i + 1, end, out);
                    let anchor = self.parts.partials.permalink(&Permalink {
                        id: heading.map_or("", |h| &h.id),
                        paragraph: None,
                        section: Some(&text),
                    });
                    out.push(html(format!(" {anchor}</h{level}>\n")));
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Table(_)) => {
                    let end = self.parsed.ends[i];
                    let is_grid = self
                        .linked
                        .grid
                        .as_ref()
                        .is_some_and(|g| g.table == self.table_n);
                    self.table_n += 1;
                    match (&self.parts.grid, is_grid) {
                        (Some(grid), true) => out.push(html(grid.clone())),
                        _ => {
                            out.push(html("<div class=\"table-wrap\">".into()));
                            out.push(borrowed(event));
                            self.walk(i + 1, end, out);
                            out.push(borrowed(&events[end].0));
                            out.push(html("</div>".into()));
                        }
                    }
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let end = self.parsed.ends[i];
                    let mut inner = Vec::new();
                    let outer = self.note_cites.replace(Vec::new());
                    self.walk(i + 1, end, &mut inner);
                    let cites = std::mem::replace(&mut self.note_cites, outer).unwrap_or_default();
                    let mut note = String::new();
                    pulldown_cmark::html::push_html(&mut note, inner.into_iter());
                    note.push_str(&self.note_sources(&cites));
                    self.notes.push((label.to_string(), note));
                    i = end + 1;
                    continue;
                }
                Event::FootnoteReference(label) => {
                    out.push(html(self.footnote_ref(label)));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let end = self.parsed.ends[i];
                    let code: String = self.events[i + 1..end]
                        .iter()
                        .filter_map(|(e, _)| match e {
                            Event::Text(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    let lang = match kind {
                        CodeBlockKind::Fenced(lang) => lang.as_ref(),
                        CodeBlockKind::Indented => "",
                    };
                    if !super::highlight::knows(lang) {
                        self.unknown_languages
                            .push((lang.to_string(), self.events[i].1.clone()));
                    }
                    out.push(html(super::highlight::code_block(lang, &code)));
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => {
                    let alt = self.parsed.alts.get(&i).map_or("", String::as_str);
                    let end = self.parsed.ends[i];
                    out.push(html(self.image(dest_url, title, alt)));
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Link { .. }) if self.parsed.citations.contains_key(&i) => {
                    let end = self.parsed.ends[i];
                    let items = &self.parsed.citations[&i];
                    out.push(html(cite::citation_group(
                        items,
                        self.linked,
                        "",
                        self.parts.partials,
                    )));
                    for item in items {
                        self.note_cites_push(&item.key);
                    }
                    i = end + 1;
                    continue;
                }
                Event::Text(text) if self.link_stack.is_empty() => {
                    let found = self
                        .parsed
                        .narratives
                        .get(&i)
                        .map_or(&[][..], Vec::as_slice);
                    let found = found.iter().map(|(span, key)| (span.clone(), key.as_str()));
                    let partials = self.parts.partials;
                    match narrative_html(text, found.collect(), self.linked, "", partials) {
                        Some((rendered, keys)) => {
                            out.push(html(rendered));
                            for key in keys {
                                self.note_cites_push(&key);
                            }
                        }
                        None => out.push(borrowed(event)),
                    }
                }
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => {
                    let ed_title = editorial_title(title);
                    if ed_title.is_some() {
                        self.editorial.links += 1;
                    }
                    let close = if ed_title.is_some() {
                        format!("{ED_MARK}</a>")
                    } else {
                        "</a>".into()
                    };
                    if let Some(start) = self.special_link(dest_url, title, ed_title.as_deref()) {
                        out.push(html(start));
                        self.link_stack.push(Some(close));
                    } else if let Some(t) = &ed_title {
                        out.push(html(format!(
                            "<a class=\"ed-link\" href=\"{}\" title=\"{}\">",
                            escape(dest_url),
                            escape(t)
                        )));
                        self.link_stack.push(Some(close));
                    } else {
                        out.push(borrowed(event));
                        self.link_stack.push(None);
                    }
                }
                Event::End(TagEnd::Link) => match self.link_stack.pop().flatten() {
                    Some(close) => out.push(html(close)),
                    None => out.push(borrowed(event)),
                },
                Event::InlineHtml(tag) if tag.eq_ignore_ascii_case("<ins>") => {
                    self.editorial.insertions += 1;
                    out.push(html(INS_OPEN.into()));
                }
                Event::InlineHtml(tag) if tag.eq_ignore_ascii_case("</ins>") => {
                    out.push(html(INS_CLOSE.into()));
                }
                _ => out.push(borrowed(event)),
            }
            i += 1;
        }
    }

    /// An image with its size from the file's header (no layout shift), loaded lazily.
    fn image(&self, src: &str, title: &str, alt: &str) -> String {
        let mut tag = format!("<img src=\"{}\" alt=\"{}\"", escape(src), escape(alt));
        if !title.is_empty() {
            tag.push_str(&format!(" title=\"{}\"", escape(title)));
        }
        if let Some((w, h)) = self.linked.content.files.image_sizes.get(src) {
            tag.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        tag.push_str(" loading=\"lazy\" decoding=\"async\">");
        tag
    }

    fn block_end(&self, id: &str, is_item: bool) -> String {
        let n = &id[1..];
        let mut s = String::new();
        if let Some(comments) = self.parts.comments_on.get(id) {
            // The count is the link's visible text and starts its accessible name; CSS moves
            // the marker into the margin where there is room for it. A bare number is easy to
            // mistake for a footnote marker, so the title says what it counts on hover.
            // The marker leads to the first comment's annotation about this very passage
            // (a comment may annotate several), not to the top of the comment.
            let first = &self.parts.comment_hrefs[comments[0]];
            // The page that holds the comment ("" for this one, or a thread page).
            let page = first.split('#').next().unwrap_or_default();
            let comment_id = self.linked.content.thread.comments[comments[0]]
                .id
                .get_ref();
            let annotation = self.linked.thread.annotations_of[comments[0]]
                .iter()
                .map(|&k| &self.linked.thread.annotations[k])
                .find(|a| a.block.as_deref() == Some(id))
                .map_or(1, |a| a.index + 1);
            let href = format!(
                "{page}#{}",
                super::thread::annotation_id(comment_id, annotation)
            );
            s.push(' ');
            s.push_str(&self.parts.partials.comment_marker(&CommentMarker {
                count: comments.len(),
                href: &href,
                block: id,
            }));
        }
        s.push(' ');
        s.push_str(&self.parts.partials.permalink(&Permalink {
            id,
            paragraph: Some(n),
            section: None,
        }));
        s.push_str(if is_item { "</li>\n" } else { "</p>\n" });
        s
    }

    fn footnote_ref(&mut self, label: &str) -> String {
        let Some(&number) = self.linked.footnote_numbers.get(label) else {
            return escape(&format!("[^{label}]"));
        };
        let uses = self.fn_uses.entry(label.to_string()).or_insert(0);
        *uses += 1;
        let id = ref_id(label, *uses);
        self.parts.partials.footnote_marker(&Marker {
            number,
            id: &id,
            note_id: &note_id(label),
        })
    }

    /// Records a work cited inside the footnote being walked (once per note).
    fn note_cites_push(&mut self, key: &str) {
        if let Some(cites) = &mut self.note_cites
            && !cites.iter().any(|k| k == key)
        {
            cites.push(key.to_string());
        }
    }

    /// The full citations of the works a note cites, after its text; empty for none.
    fn note_sources(&self, keys: &[String]) -> String {
        let sources: Vec<NoteSource> = keys
            .iter()
            .filter_map(|key| {
                let r = self.linked.reference(key)?;
                Some(NoteSource {
                    key,
                    citation_html: cite::full_citation(r, self.parts.partials),
                })
            })
            .collect();
        if sources.is_empty() {
            return String::new();
        }
        let mut html = self.parts.partials.note_sources(&sources);
        html.push('\n');
        html
    }

    /// Opening tag for `cell:` and `ref:` links; `None` for an ordinary link. `ed_title`
    /// is the title of a link the editor added (it then also gets the `ed-link` class).
    fn special_link(&mut self, dest: &str, title: &str, ed_title: Option<&str>) -> Option<String> {
        let title = ed_title.unwrap_or(title);
        let title_attr = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape(title))
        };
        let ed = if ed_title.is_some() { " ed-link" } else { "" };
        if let Some(id) = dest.strip_prefix("cell:") {
            return Some(format!(
                "<a class=\"cell-link{ed}\" href=\"cells/{0}.html\" data-cell=\"{0}\"{title_attr}>",
                escape(id)
            ));
        }
        let key = dest.strip_prefix("ref:")?;
        let r = self.linked.reference(key)?;
        self.note_cites_push(key);
        let href = if r.link().is_empty() {
            format!("references.html#{}", cite::ref_anchor(key))
        } else {
            escape(r.link())
        };
        Some(format!(
            "<a class=\"ref-link{ed}\" href=\"{href}\" data-ref=\"{}\"{title_attr}>",
            escape(key)
        ))
    }
}

/// A text event with its narrative citations (`@key` of a known key; `found` holds every
/// `@key` of the text) rendered, and the keys cited; `None` when it has none, so the text
/// passes through untouched.
fn narrative_html(
    text: &str,
    found: Vec<(Range<usize>, &str)>,
    linked: &Linked,
    root: &str,
    partials: &Partials<'_>,
) -> Option<(String, Vec<String>)> {
    let found: Vec<(Range<usize>, &str)> = found
        .into_iter()
        .filter(|(_, key)| linked.reference(key).is_some())
        .collect();
    if found.is_empty() {
        return None;
    }
    let mut s = String::new();
    let mut keys = Vec::new();
    let mut last = 0;
    for (span, key) in found {
        s.push_str(&escape(&text[last..span.start]));
        if let Some(r) = linked.reference(key) {
            s.push_str(&cite::narrative_citation(key, r, root, partials));
        }
        keys.push(key.to_string());
        last = span.end;
    }
    s.push_str(&escape(&text[last..]));
    Some((s, keys))
}

/// An event of the parsed essay, its text borrowed rather than copied (the events the walk
/// passes through unchanged are most of them).
fn borrowed<'a>(event: &'a Event<'static>) -> Event<'a> {
    match event {
        Event::Text(t) => Event::Text(CowStr::Borrowed(t)),
        Event::Code(t) => Event::Code(CowStr::Borrowed(t)),
        Event::Html(t) => Event::Html(CowStr::Borrowed(t)),
        Event::InlineHtml(t) => Event::InlineHtml(CowStr::Borrowed(t)),
        other => other.clone(),
    }
}

fn html<'e>(s: String) -> Event<'e> {
    Event::Html(CowStr::from(s))
}

/// Renders a trusted Markdown snippet (a cell summary, an editor's note) with quire's links:
/// `cell:` and `ref:` targets and `[@key]` citations. `root` prefixes site-relative links
/// ("" on the front page, "../" on a cell page). Its footnote markers and citations come
/// from the theme's partials.
pub fn render_snippet(md: &str, linked: &Linked, root: &str, partials: &Partials<'_>) -> String {
    let (events, _) = parse_body(md);
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut in_link = 0usize;
    let mut i = 0;
    while i < events.len() {
        let event = &events[i].0;
        match event {
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) if is_citation(dest_url, &events, i) => {
                let items = citation_items(title);
                out.push(html(cite::citation_group(&items, linked, root, partials)));
                i = matching_end(&events, i) + 1;
                continue;
            }
            Event::Text(text) if in_link == 0 => {
                let found = narrative_spans(text, &events[i].1, md);
                match narrative_html(text, found, linked, root, partials) {
                    Some((rendered, _)) => out.push(html(rendered)),
                    None => out.push(event.clone()),
                }
            }
            Event::Start(Tag::Image { .. }) => {
                in_link += 1;
                out.push(event.clone());
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                in_link = in_link.saturating_sub(1);
                out.push(event.clone());
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if let Some(cell) = dest_url.strip_prefix("cell:") {
                    CowStr::from(format!("{root}cells/{cell}.html"))
                } else if let Some(key) = dest_url.strip_prefix("ref:") {
                    match linked.reference(key) {
                        Some(r) if !r.link().is_empty() => CowStr::from(r.link().to_string()),
                        _ => {
                            CowStr::from(format!("{root}references.html#{}", cite::ref_anchor(key)))
                        }
                    }
                } else {
                    dest_url.clone()
                };
                in_link += 1;
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            _ => out.push(event.clone()),
        }
        i += 1;
    }
    let mut s = String::new();
    pulldown_cmark::html::push_html(&mut s, out.into_iter());
    s
}
