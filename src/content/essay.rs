//! `content/essay.md`: TOML front matter between `+++` lines, then CommonMark with GFM
//! tables and footnotes.
//!
//! This module parses the essay alone and records its outline: anchorable blocks with
//! their plain text, headings, tables, footnotes, and every `cell:`/`ref:` link and `[@key]`
//! citation with its position. It does not know whether those targets exist (`resolve`
//! does) and it writes no HTML (`render` does, walking the same events).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

/// The essay's front matter: the TOML between the `+++` lines at the top of `content/essay.md`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The essay's title, shown in its header and the page `<title>`.
    pub title: String,
    /// Who wrote the essay, as the byline should read.
    pub author: Option<String>,
    /// A TOML date (`2024-08-19`), not a quoted string.
    #[schemars(with = "Option<String>")]
    pub date: Option<toml::value::Datetime>,
    /// Where the essay was first published.
    pub original_url: Option<String>,
    /// One sentence for search engines and link previews.
    pub description: Option<String>,
    /// A note from the editor of this edition (Markdown), shown under the title: how the
    /// text was obtained, what was restored or could not be.
    pub editor_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Essay {
    pub file: SourceFile,
    pub front: FrontMatter,
    /// Byte offset of the Markdown body in `file.text`.
    pub body_offset: usize,
    pub outline: Outline,
}

/// What the rest of the build needs to know about the essay's structure.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub blocks: Vec<Block>,
    pub headings: Vec<Heading>,
    pub tables: Vec<TableShape>,
    pub links: Vec<LinkUse>,
    pub footnote_refs: Vec<FootnoteUse>,
    pub footnote_defs: Vec<FootnoteUse>,
    /// Relative links and images that name a file (`figures/a.png`), in essay order.
    pub files: Vec<super::files::FileUse>,
}

/// A paragraph or top-level list item: something a reader can link to and a comment can
/// be about.
#[derive(Debug, Clone)]
pub struct Block {
    pub id: String,
    /// The visible text, footnote markers left out.
    pub text: String,
    /// Span in the file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct TableShape {
    /// Span in the file.
    pub span: Range<usize>,
    /// Header row texts, including the corner cell.
    pub header: Vec<TableCell>,
    /// Body rows, each including its first column.
    pub rows: Vec<Vec<TableCell>>,
}

#[derive(Debug, Clone)]
pub struct TableCell {
    pub text: String,
    /// Span in the file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `[text](cell:<id>)`
    Cell(String),
    /// `[text](ref:<key>)`
    Ref(String),
    /// `[@key]`
    Citation(String),
}

#[derive(Debug, Clone)]
pub struct LinkUse {
    pub target: LinkTarget,
    /// Span in the file.
    pub span: Range<usize>,
    /// Index into `Outline::blocks` of the block the link stands in, if any.
    pub block: Option<usize>,
    /// Label of the footnote definition the link stands in, if any.
    pub footnote: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FootnoteUse {
    pub label: String,
    /// Span in the file.
    pub span: Range<usize>,
    pub block: Option<usize>,
}

/// `[@key]` and `[^label]` that pulldown-cmark could not resolve by itself.
#[derive(Debug, Clone)]
pub struct BrokenRef {
    pub reference: String,
    /// Span in the body.
    pub span: Range<usize>,
}

/// The Markdown dialect of every essay: GFM tables, footnotes and strikethrough.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The essay body's events with their byte ranges (relative to the body). `[@key]` becomes
/// a link to `ref:key`; any other unresolved reference is returned in the second vector.
pub fn parse_body(body: &str) -> (Vec<(Event<'_>, Range<usize>)>, Vec<BrokenRef>) {
    let mut broken = Vec::new();
    let callback = |link: BrokenLink<'_>| {
        let reference = link.reference.trim();
        if let Some(key) = reference.strip_prefix('@') {
            return Some((CowStr::from(format!("ref:{key}")), CowStr::from("@")));
        }
        broken.push(BrokenRef {
            reference: reference.to_string(),
            span: link.span.clone(),
        });
        None
    };
    let events = Parser::new_with_broken_link_callback(body, options(), Some(callback))
        .into_offset_iter()
        .collect();
    (events, broken)
}

/// Marks the events that open an anchorable block, with the block's id. Render and outline
/// both use this, so their numbering cannot disagree.
pub fn block_starts(events: &[(Event<'_>, Range<usize>)]) -> Vec<Option<usize>> {
    let mut marks = vec![None; events.len()];
    let (mut in_item, mut in_note, mut in_table, mut n) = (0usize, 0usize, 0usize, 0usize);
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => in_note += 1,
            Event::End(TagEnd::FootnoteDefinition) => in_note -= 1,
            Event::Start(Tag::Table(_)) => in_table += 1,
            Event::End(TagEnd::Table) => in_table -= 1,
            Event::Start(Tag::Item) => {
                if in_item == 0 && in_note == 0 && in_table == 0 {
                    marks[i] = Some(n);
                    n += 1;
                }
                in_item += 1;
            }
            Event::End(TagEnd::Item) => in_item -= 1,
            Event::Start(Tag::Paragraph) if in_item == 0 && in_note == 0 && in_table == 0 => {
                marks[i] = Some(n);
                n += 1;
            }
            _ => {}
        }
    }
    marks
}

/// The id of block number `n` (0-based): `p1`, `p2`, ...
pub fn block_id(n: usize) -> String {
    format!("p{}", n + 1)
}

/// A URL fragment for a heading: lowercase words joined by hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty()
            && !slug.ends_with('-')
            && (c.is_whitespace() || "-_/".contains(c))
        {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// Heading ids, unique within the page, in document order.
pub fn heading_ids(events: &[(Event<'_>, Range<usize>)]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    // The next suffix to try for each base, so thousands of equal headings stay linear.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, .. }) = &events[i].0 {
            let explicit = id.as_ref().map(|s| s.to_string());
            let (text, end) = inline_text(events, i);
            let base = explicit.unwrap_or_else(|| slugify(&text));
            // A suffix can't take a slug out of a reserved prefix (`comment-...`); a word
            // in front can.
            let base = if RESERVED_PREFIXES.iter().any(|p| base.starts_with(p)) {
                format!("section-{base}")
            } else {
                base
            };
            let mut candidate = base.clone();
            let k = next_suffix.entry(base.clone()).or_insert(2);
            // Block ids (`p1`...), quire's own ids and heading ids share the page, so they
            // must not collide: a clash gets a suffix, as GitHub does for a repeated heading.
            while taken.contains(&candidate)
                || is_block_id(&candidate)
                || RESERVED_IDS.contains(&candidate.as_str())
            {
                candidate = format!("{base}-{k}");
                *k += 1;
            }
            taken.insert(candidate.clone());
            ids.push(candidate);
            i = end;
        }
        i += 1;
    }
    ids
}

/// Ids of quire's own page sections (the default theme's and the single-file export's),
/// and prefixes of the ids it gives cells, comments, notes and references. A heading never
/// takes one, so the site's "Comments" link can't land on an author's `## Comments`.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "grid",
    "comments",
    "comments-title",
    "footnotes",
    "footnotes-title",
    "toc-title",
    "neighbours-title",
    "references",
];
const RESERVED_PREFIXES: &[&str] = &[
    "cell-", "col-", "row-", "panel-", "comment-", "marker-", "fn-", "fnref-", "ref-",
];

fn is_block_id(s: &str) -> bool {
    s.strip_prefix('p')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Plain text of the events from `start` (a Start event) to its matching End; returns the
/// text and the index of the End event.
pub fn inline_text(events: &[(Event<'_>, Range<usize>)], start: usize) -> (String, usize) {
    let mut text = String::new();
    let mut depth = 0usize;
    let mut skip_citation = 0usize;
    for (i, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if is_citation(dest_url, events, i) => {
                depth += 1;
                skip_citation = depth;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                if skip_citation == depth {
                    skip_citation = 0;
                }
                depth -= 1;
                if depth == 0 {
                    return (text, i);
                }
            }
            Event::Text(t) | Event::Code(t) if skip_citation == 0 => text.push_str(t),
            Event::SoftBreak | Event::HardBreak if skip_citation == 0 => text.push(' '),
            _ => {}
        }
    }
    (text, events.len().saturating_sub(1))
}

/// Is the link starting at `i` a `[@key]` citation (rather than `[words](ref:key)`)?
pub fn is_citation(dest: &str, events: &[(Event<'_>, Range<usize>)], i: usize) -> bool {
    dest.starts_with("ref:")
        && matches!(&events[i].0, Event::Start(Tag::Link { title, .. }) if title.as_ref() == "@")
}

impl Essay {
    pub fn parse(file: SourceFile, diags: &mut Diagnostics) -> Option<Essay> {
        let text = file.text.clone();
        let text = &*text;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let rest = &text[bom..];
        let Some(after_open) = rest
            .strip_prefix("+++\n")
            .or_else(|| rest.strip_prefix("+++\r\n"))
        else {
            diags.push(
                Diagnostic::error("the essay has no front matter")
                    .at(&file, bom..bom + rest.find('\n').unwrap_or(rest.len()))
                    .label("expected `+++` on the first line")
                    .help(
                        "start content/essay.md with TOML front matter:\n+++\ntitle = \"...\"\n+++",
                    ),
            );
            return None;
        };
        let fm_start = text.len() - after_open.len();
        let Some(close) = find_closing_fence(after_open) else {
            diags.push(
                Diagnostic::error("the essay's front matter is never closed")
                    .at(&file, bom..bom + 3)
                    .label("opened here")
                    .help("end the front matter with a line holding only `+++`"),
            );
            return None;
        };
        let fm_text = &after_open[..close];
        let after_close = &after_open[close..];
        let body_rel = after_close.find('\n').map_or(after_close.len(), |i| i + 1);
        let body_offset = fm_start + close + body_rel;
        let front: FrontMatter = super::parse_toml_at(&file, fm_text, fm_start, diags)?;
        let outline = Outline::of(&file, body_offset, diags);
        Some(Essay {
            file,
            front,
            body_offset,
            outline,
        })
    }

    pub fn body(&self) -> &str {
        &self.file.text[self.body_offset..]
    }
}

/// Offset (in `s`) of the line that holds only `+++`.
fn find_closing_fence(s: &str) -> Option<usize> {
    let mut offset = 0;
    for line in s.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

impl Outline {
    fn of(file: &SourceFile, base: usize, diags: &mut Diagnostics) -> Outline {
        let body = &file.text[base..];
        let (events, broken) = parse_body(body);
        for b in broken {
            if let Some(label) = b.reference.strip_prefix('^') {
                diags.push(
                    Diagnostic::error(format!("footnote `[^{label}]` is never defined"))
                        .at(file, base + b.span.start..base + b.span.end)
                        .label("no definition")
                        .help(format!("add a definition: `[^{label}]: The note's text.`")),
                );
            }
        }
        for (label, span) in undefined_footnotes(&events) {
            diags.push(
                Diagnostic::error(format!("footnote `[^{label}]` is never defined"))
                    .at(file, base + span.start..base + span.end)
                    .label("no definition")
                    .help(format!("add a definition: `[^{label}]: The note's text.`")),
            );
        }
        let starts = block_starts(&events);
        let headings_ids = heading_ids(&events);
        let mut outline = Outline::default();
        let shift = |r: &Range<usize>| base + r.start..base + r.end;
        let mut current_block: Option<(usize, usize)> = None; // (block index, end event index)
        let mut current_note: Option<(String, usize)> = None;
        let mut heading_n = 0;
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            if current_block.is_some_and(|(_, end)| i > end) {
                current_block = None;
            }
            if let Some(n) = starts[i] {
                let (text, end) = inline_text(&events, i);
                outline.blocks.push(Block {
                    id: block_id(n),
                    text: text.trim().to_string(),
                    span: shift(range),
                });
                current_block = Some((outline.blocks.len() - 1, end));
            }
            let block = current_block.map(|(b, _)| b);
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    let (text, _) = inline_text(&events, i);
                    outline.headings.push(Heading {
                        level: heading_level(*level),
                        id: headings_ids[heading_n].clone(),
                        text,
                    });
                    heading_n += 1;
                }
                Event::Start(Tag::Table(_)) => {
                    let end = matching_end(&events, i);
                    outline.tables.push(table_shape(&events[i..=end], base));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let end = matching_end(&events, i);
                    current_note = Some((label.to_string(), end));
                    outline.footnote_defs.push(FootnoteUse {
                        label: label.to_string(),
                        span: shift(range),
                        block: None,
                    });
                }
                Event::FootnoteReference(label) => outline.footnote_refs.push(FootnoteUse {
                    label: label.to_string(),
                    span: shift(range),
                    block,
                }),
                Event::Start(Tag::Image { dest_url, .. }) => {
                    let (alt, _) = inline_text(&events, i);
                    if super::files::local_path(dest_url).is_none() && alt.trim().is_empty() {
                        // A local image's alt text is checked with its file (files.rs).
                        diags.push(
                            Diagnostic::error("an image without alt text")
                                .at(file, shift(range))
                                .label("no text between the brackets")
                                .help("say what the image shows: ![A diagram of the two axes](figures/axes.svg)"),
                        );
                    }
                    outline.file_use(file, dest_url, shift(range), Some(alt), diags);
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    if !dest_url.starts_with("ref:") && !dest_url.starts_with("cell:") {
                        outline.file_use(file, dest_url, shift(range), None, diags);
                    }
                    let target = if is_citation(dest_url, &events, i) {
                        dest_url
                            .strip_prefix("ref:")
                            .map(|k| LinkTarget::Citation(k.into()))
                    } else if let Some(k) = dest_url.strip_prefix("ref:") {
                        Some(LinkTarget::Ref(k.into()))
                    } else {
                        dest_url
                            .strip_prefix("cell:")
                            .map(|c| LinkTarget::Cell(c.into()))
                    };
                    if let Some(target) = target {
                        outline.links.push(LinkUse {
                            target,
                            span: shift(range),
                            block,
                            footnote: current_note.as_ref().map(|(l, _)| l.clone()),
                        });
                    }
                }
                _ => {}
            }
            if current_note.as_ref().is_some_and(|(_, end)| i >= *end) {
                current_note = None;
            }
            i += 1;
        }
        outline
    }
}

impl Outline {
    /// Records a link or image that names a local file; an image always does.
    fn file_use(
        &mut self,
        file: &SourceFile,
        url: &str,
        span: Range<usize>,
        alt: Option<String>,
        diags: &mut Diagnostics,
    ) {
        match super::files::local_path(url) {
            Some(Ok(path)) => {
                if alt.is_none() && super::files::is_generated_page(&path) {
                    return;
                }
                self.files.push(super::files::FileUse {
                    url: url.to_string(),
                    path,
                    span,
                    alt,
                });
            }
            Some(Err(why)) => diags.push(
                Diagnostic::error(format!("link to `{url}` cannot be published: {why}"))
                    .at(file, span)
                    .label("outside content/")
                    .help("move the file under content/ (or static/) and link to it from there"),
            ),
            None => {}
        }
    }
}

/// `[^label]` left as literal text: GFM footnote references that have no definition.
/// pulldown-cmark splits text at brackets, so adjacent text events are joined first.
fn undefined_footnotes(events: &[(Event<'_>, Range<usize>)]) -> Vec<(String, Range<usize>)> {
    let mut found = Vec::new();
    let mut run = String::new();
    let mut run_start = 0;
    let mut flush = |run: &mut String, start: usize| {
        let mut from = 0;
        while let Some(open) = run[from..].find("[^") {
            let open = from + open;
            let Some(close) = run[open..].find(']') else {
                break;
            };
            let label = &run[open + 2..open + close];
            if !label.is_empty() && !label.contains(char::is_whitespace) {
                found.push((label.to_string(), start + open..start + open + close + 1));
            }
            from = open + close + 1;
        }
        run.clear();
    };
    let mut last_end = usize::MAX;
    for (event, range) in events {
        match event {
            Event::Text(t) => {
                if range.start != last_end {
                    flush(&mut run, run_start);
                    run_start = range.start;
                }
                // Only raw text can be mapped back byte for byte; escapes change lengths.
                run.push_str(t);
                last_end = range.end;
            }
            _ => {
                flush(&mut run, run_start);
                last_end = usize::MAX;
            }
        }
    }
    flush(&mut run, run_start);
    found
}

pub fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Index of the End event matching the Start event at `start`.
pub fn matching_end(events: &[(Event<'_>, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

fn table_shape(events: &[(Event<'_>, Range<usize>)], base: usize) -> TableShape {
    let mut shape = TableShape {
        span: base + events[0].1.start..base + events[0].1.end,
        header: Vec::new(),
        rows: Vec::new(),
    };
    let mut in_head = false;
    let mut i = 0;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => shape.rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                let (text, end) = inline_text(events, i);
                let r = &events[i].1;
                let cell = TableCell {
                    text: text.trim().to_string(),
                    span: base + r.start..base + r.end,
                };
                if in_head {
                    shape.header.push(cell);
                } else if let Some(row) = shape.rows.last_mut() {
                    row.push(cell);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn essay(text: &str) -> (Option<Essay>, Diagnostics) {
        let mut d = Diagnostics::new();
        let e = Essay::parse(SourceFile::new("content/essay.md", text), &mut d);
        (e, d)
    }

    #[test]
    fn outline_records_blocks_links_and_tables() {
        let (e, d) = essay(
            "+++\ntitle = \"T\"\n+++\n## A heading\n\nSee [RLHF](cell:e-p) and [@k1].[^n]\n\n- one [x](ref:k2)\n- two\n\n| | A |\n|-|-|\n| R | x |\n\n[^n]: Note [@k3].\n",
        );
        assert!(!d.has_errors(), "{d}");
        let e = e.unwrap();
        let o = &e.outline;
        assert_eq!(o.headings[0].id, "a-heading");
        assert_eq!(o.blocks.len(), 3);
        assert_eq!(o.blocks[0].text, "See RLHF and .");
        let targets: Vec<_> = o.links.iter().map(|l| l.target.clone()).collect();
        assert_eq!(
            targets,
            vec![
                LinkTarget::Cell("e-p".into()),
                LinkTarget::Citation("k1".into()),
                LinkTarget::Ref("k2".into()),
                LinkTarget::Citation("k3".into()),
            ]
        );
        assert_eq!(o.links[3].footnote.as_deref(), Some("n"));
        assert_eq!(o.links[2].block, Some(1));
        assert_eq!(o.tables[0].header[1].text, "A");
        assert_eq!(o.tables[0].rows[0][0].text, "R");
        assert_eq!(o.footnote_refs[0].label, "n");
        assert_eq!(o.footnote_defs[0].label, "n");
    }

    #[test]
    fn undefined_footnote_is_an_error_with_position() {
        let (_, d) = essay("+++\ntitle = \"T\"\n+++\nText[^missing].\n");
        let out = d.render(false);
        assert!(
            out.contains("footnote `[^missing]` is never defined"),
            "{out}"
        );
        assert!(out.contains("content/essay.md:4:5"), "{out}");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("“Alignment” and “capabilities” are"),
            "alignment-and-capabilities-are"
        );
        assert_eq!(
            slugify("Valuable property 1: worst-case focus"),
            "valuable-property-1-worst-case-focus"
        );
    }
}
