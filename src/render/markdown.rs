//! The essay's Markdown to HTML, in one walk over pulldown-cmark's events.
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

use super::{cite, escape};
use crate::content::essay::{self, block_id, block_starts, heading_ids, is_citation, matching_end};
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
    pub toc: Vec<TocEntry>,
    pub footnotes: Vec<FootnoteHtml>,
}

/// How the rest of the page wants pieces rendered that this module doesn't own.
pub struct Parts<'a> {
    /// HTML that replaces the grid's table, if the essay has a grid.
    pub grid: Option<String>,
    /// Block id -> comment indices whose annotation quotes that block.
    pub comments_on: &'a BTreeMap<String, Vec<usize>>,
    /// Comment index -> the link to the comment from the essay page.
    pub comment_hrefs: &'a [String],
}

pub fn render_essay(linked: &Linked, parts: &Parts<'_>) -> EssayHtml {
    let body = linked.content.essay.body();
    let (events, _) = essay::parse_body(body);
    let starts = block_starts(&events);
    let ids = heading_ids(&events);
    let mut block_ends = vec![false; events.len()];
    for (i, s) in starts.iter().enumerate() {
        if s.is_some() {
            block_ends[matching_end(&events, i)] = true;
        }
    }
    let mut w = Walker {
        block_ends: &block_ends,
        linked,
        parts,
        events: &events,
        starts: &starts,
        heading_ids: &ids,
        heading_n: 0,
        table_n: 0,
        fn_uses: HashMap::new(),
        toc: Vec::new(),
        notes: Vec::new(),
        note_cites: None,
        link_stack: Vec::new(),
        block_stack: Vec::new(),
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
        toc: w.toc,
        footnotes,
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

struct Walker<'a, 'e> {
    linked: &'a Linked,
    parts: &'a Parts<'a>,
    events: &'a [(Event<'e>, Range<usize>)],
    starts: &'a [Option<usize>],
    /// Marks the End events that close an anchorable block.
    block_ends: &'a [bool],
    heading_ids: &'a [String],
    heading_n: usize,
    table_n: usize,
    /// Footnote label -> how many references so far.
    fn_uses: HashMap<String, usize>,
    toc: Vec<TocEntry>,
    notes: Vec<(String, String)>,
    /// While walking a footnote definition: the keys it cites, in order of first mention.
    note_cites: Option<Vec<String>>,
    /// For each open link: does its End need a literal `</a>`?
    link_stack: Vec<bool>,
    /// For each open anchorable block: its id.
    block_stack: Vec<(String, bool)>,
}

impl<'e> Walker<'_, 'e> {
    fn walk(&mut self, from: usize, to: usize, out: &mut Vec<Event<'e>>) {
        let mut i = from;
        while i < to {
            let event = &self.events[i].0;
            if let Some(n) = self.starts[i] {
                let id = block_id(n);
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
                    let end = matching_end(self.events, i);
                    let id = self
                        .heading_ids
                        .get(self.heading_n)
                        .cloned()
                        .unwrap_or_default();
                    self.heading_n += 1;
                    let (text, _) = essay::inline_text(self.events, i);
                    let level = essay::heading_level(*level);
                    self.toc.push(TocEntry {
                        level,
                        id: id.clone(),
                        text: text.clone(),
                    });
                    out.push(html(format!("<h{level} id=\"{id}\">")));
                    self.walk(i + 1, end, out);
                    out.push(html(format!(
                        " <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to section: {}\">#</a></h{level}>\n",
                        escape(&text)
                    )));
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Table(_)) => {
                    let end = matching_end(self.events, i);
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
                            out.push(event.clone());
                            self.walk(i + 1, end, out);
                            out.push(self.events[end].0.clone());
                            out.push(html("</div>".into()));
                        }
                    }
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let end = matching_end(self.events, i);
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
                    let end = matching_end(self.events, i);
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
                    out.push(html(super::highlight::code_block(lang, &code)));
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Link { dest_url, .. })
                    if is_citation(dest_url, self.events, i) =>
                {
                    let end = matching_end(self.events, i);
                    let key = &dest_url["ref:".len()..];
                    if let Some(r) = self.linked.reference(key) {
                        out.push(html(cite::inline_citation(key, r, "")));
                        self.note_cites_push(key);
                    }
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => {
                    if let Some(start) = self.special_link(dest_url, title) {
                        out.push(html(start));
                        self.link_stack.push(true);
                    } else {
                        out.push(event.clone());
                        self.link_stack.push(false);
                    }
                }
                Event::End(TagEnd::Link) => {
                    if self.link_stack.pop().unwrap_or(false) {
                        out.push(html("</a>".into()));
                    } else {
                        out.push(event.clone());
                    }
                }
                _ => out.push(event.clone()),
            }
            i += 1;
        }
    }

    fn block_end(&self, id: &str, is_item: bool) -> String {
        let n = &id[1..];
        let mut s = String::new();
        if let Some(comments) = self.parts.comments_on.get(id) {
            // The count is the link's visible text and starts its accessible name; CSS moves
            // the marker into the margin where there is room for it. A bare number is easy to
            // mistake for a footnote marker, so the title says what it counts on hover.
            let first = &self.parts.comment_hrefs[comments[0]];
            let count = comments.len();
            let what = format!(
                "comment{} on this passage",
                if count == 1 { "" } else { "s" }
            );
            s.push_str(&format!(
                " <a class=\"comment-marker\" href=\"{first}\" id=\"marker-{id}\" title=\"{count} {what}\">{count}<span class=\"visually-hidden\"> {what}</span></a>",
            ));
        }
        s.push_str(&format!(
            " <a class=\"permalink\" href=\"#{id}\" aria-label=\"Link to paragraph {n}\">¶</a>"
        ));
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
        format!(
            "<sup class=\"fnref\"><a id=\"{id}\" href=\"#{}\" role=\"doc-noteref\" aria-label=\"Footnote {number}\" data-note=\"{}\">{number}</a></sup>",
            note_id(label),
            note_id(label)
        )
    }

    /// Records a work cited inside the footnote being walked (once per note).
    fn note_cites_push(&mut self, key: &str) {
        if let Some(cites) = &mut self.note_cites {
            if !cites.iter().any(|k| k == key) {
                cites.push(key.to_string());
            }
        }
    }

    /// The full citations of the works a note cites, after its text; empty for none.
    fn note_sources(&self, keys: &[String]) -> String {
        let items: String = keys
            .iter()
            .filter_map(|key| {
                let r = self.linked.reference(key)?;
                Some(format!("<li>{}</li>", cite::full_citation(r)))
            })
            .collect();
        if items.is_empty() {
            return String::new();
        }
        format!(
            "<div class=\"note-sources\"><p class=\"note-sources-title\">Sources</p><ul>{items}</ul></div>\n"
        )
    }

    /// Opening tag for `cell:` and `ref:` links; `None` for an ordinary link.
    fn special_link(&mut self, dest: &str, title: &str) -> Option<String> {
        let title_attr = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape(title))
        };
        if let Some(id) = dest.strip_prefix("cell:") {
            return Some(format!(
                "<a class=\"cell-link\" href=\"cells/{0}.html\" data-cell=\"{0}\"{title_attr}>",
                escape(id)
            ));
        }
        let key = dest.strip_prefix("ref:")?;
        let r = self.linked.reference(key)?;
        self.note_cites_push(key);
        let href = if r.url.is_empty() {
            format!("references.html#{}", cite::ref_anchor(key))
        } else {
            escape(&r.url)
        };
        Some(format!(
            "<a class=\"ref-link\" href=\"{href}\" data-ref=\"{}\"{title_attr}>",
            escape(key)
        ))
    }
}

fn html<'e>(s: String) -> Event<'e> {
    Event::Html(CowStr::from(s))
}

/// Renders a trusted Markdown snippet (a cell summary, an editor's note) with quire's links:
/// `cell:` and `ref:` targets and `[@key]` citations. `root` prefixes site-relative links
/// ("" on the front page, "../" on a cell page).
pub fn render_snippet(md: &str, linked: &Linked, root: &str) -> String {
    let (events, _) = essay::parse_body(md);
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let event = &events[i].0;
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if is_citation(dest_url, &events, i) => {
                let key = &dest_url["ref:".len()..];
                if let Some(r) = linked.reference(key) {
                    out.push(html(cite::inline_citation(key, r, root)));
                }
                i = matching_end(&events, i) + 1;
                continue;
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
                        Some(r) if !r.url.is_empty() => CowStr::from(r.url.clone()),
                        _ => {
                            CowStr::from(format!("{root}references.html#{}", cite::ref_anchor(key)))
                        }
                    }
                } else {
                    dest_url.clone()
                };
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
