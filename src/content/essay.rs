//! `content/essay.md`: TOML front matter between `+++` lines, then CommonMark with GFM
//! tables and footnotes.
//!
//! This module parses the essay alone and records its outline: anchorable blocks with
//! their plain text, headings, tables, footnotes, and every `cell:`/`ref:` link and `[@key]`
//! citation with its position. It does not know whether those targets exist (`resolve`
//! does) and it writes no HTML (`render` does, walking the same events).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
pub use crate::dialect::{
    BrokenRef, CiteItem, citation_items, citation_keys, citation_keys_after, heading_level,
    inline_text, is_citation, matching_end, options, parse_body, parse_citation_group,
};

/// The essay's front matter: the TOML between the `+++` lines at the top of `content/essay.md`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The essay's title, shown in its header and the page `<title>`.
    pub title: String,
    /// Who wrote the essay, as the byline should read.
    pub author: Option<String>,
    /// A TOML date (`2024-08-19`), or the same date as text (`"2024-08-19"`).
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "date_or_text")]
    pub date: Option<toml::value::Datetime>,
    /// Where the essay was first published.
    pub original_url: Option<String>,
    /// One sentence for search engines and link previews.
    pub description: Option<String>,
    /// A note from the editor of this edition (Markdown), shown under the title: how the
    /// text was obtained, what was restored or could not be.
    pub editor_note: Option<String>,
    /// The heading over the footnotes and its entry in the contents; "Notes" when absent.
    /// An edition whose footnotes are the editor's, not the author's, says so here, e.g.
    /// `notes_heading = "Editor's notes"`.
    pub notes_heading: Option<String>,
}

/// A front-matter date: a TOML date, or text that reads as one (as comments.toml allows).
fn date_or_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<toml::value::Datetime>, D::Error> {
    use serde::de::Error;
    let wrong = |shown: String| {
        D::Error::custom(format!(
            "`date` must be a date like 2024-08-19 (with or without quotes); got {shown}"
        ))
    };
    match toml::Value::deserialize(d)? {
        toml::Value::Datetime(date) if date.date.is_some() => Ok(Some(date)),
        toml::Value::String(text) => match text.trim().parse::<toml::value::Datetime>() {
            Ok(date) if date.date.is_some() => Ok(Some(date)),
            _ => Err(wrong(format!("\"{text}\""))),
        },
        other => Err(wrong(other.to_string())),
    }
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
    /// The body as parsed, so that no later stage parses it again.
    pub parsed: Parsed,
}

/// The essay's body as parsed once: render walks these events and reads what the walk
/// needs to know from the indexes beside them instead of working it out again.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// pulldown-cmark's events, with their byte ranges in the body.
    pub events: Vec<(Event<'static>, Range<usize>)>,
    /// Event index -> the index of the End event that closes it (for a Start), else itself.
    pub ends: Vec<usize>,
    /// Event index -> the number of the anchorable block it opens (see [`block_starts`]).
    pub block_starts: Vec<Option<usize>>,
    /// Event index of a `[@key]` citation link -> the works it cites.
    pub citations: HashMap<usize, Vec<CiteItem>>,
    /// Event index of an image -> its alt text.
    pub alts: HashMap<usize, String>,
    /// Event index of a text event -> its narrative `@key`s (span in the text, key), known
    /// keys or not: which keys exist is `resolve`'s business.
    pub narratives: HashMap<usize, Vec<(Range<usize>, String)>>,
}

impl Parsed {
    fn of(
        events: Vec<(Event<'_>, Range<usize>)>,
        starts: Vec<Option<usize>>,
        body: &str,
    ) -> Parsed {
        let mut ends: Vec<usize> = (0..events.len()).collect();
        let mut open = Vec::new();
        let mut citations = HashMap::new();
        let mut alts = HashMap::new();
        let mut narratives = HashMap::new();
        for (i, (event, range)) in events.iter().enumerate() {
            match event {
                Event::Start(tag) => {
                    open.push(i);
                    match tag {
                        Tag::Link {
                            dest_url, title, ..
                        } if is_citation(dest_url, &events, i) => {
                            citations.insert(i, citation_items(title));
                        }
                        Tag::Image { .. } => {
                            alts.insert(i, inline_text(&events, i).0);
                        }
                        _ => {}
                    }
                }
                Event::End(_) => {
                    if let Some(start) = open.pop() {
                        ends[start] = i;
                    }
                }
                Event::Text(text) => {
                    let found = crate::dialect::narrative_spans(text, range, body);
                    if !found.is_empty() {
                        let found = found.into_iter().map(|(span, key)| (span, key.to_string()));
                        narratives.insert(i, found.collect());
                    }
                }
                _ => {}
            }
        }
        Parsed {
            events: events
                .into_iter()
                .map(|(event, range)| (event.into_static(), range))
                .collect(),
            ends,
            block_starts: starts,
            citations,
            alts,
            narratives,
        }
    }
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
    /// For each body row: how many cells its line holds as written, and the line's span.
    /// GFM pads a short row and drops extra cells, so `rows` alone can't tell.
    pub written: Vec<(usize, Range<usize>)>,
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
    /// `[@key]`, or one key of `[see @a, p. 3; @b]`
    Citation(String),
    /// `@key` in running text, Pandoc's narrative citation. Only a known key is a
    /// citation; any other `@word` stays text.
    Narrative(String),
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
        let front: FrontMatter = crate::source::parse_toml_at(&file, fm_text, fm_start, diags)?;
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
        for span in spaced_targets(body, &events) {
            diags.push(spaced_target_warning(
                &body[span.clone()],
                file,
                base + span.start..base + span.end,
            ));
        }
        let starts = block_starts(&events);
        let headings_ids = heading_ids(&events);
        let mut outline = Outline::default();
        let shift = |r: &Range<usize>| base + r.start..base + r.end;
        let mut current_block: Option<(usize, usize)> = None; // (block index, end event index)
        let mut current_note: Option<(String, usize)> = None;
        let mut heading_n = 0;
        let links = quire_links(&events, body);
        let mut next_link = links.into_iter().peekable();
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
            while let Some((_, target, span)) = next_link.next_if(|(at, _, _)| *at == i) {
                outline.links.push(LinkUse {
                    target,
                    span: shift(&span),
                    block,
                    footnote: current_note.as_ref().map(|(l, _)| l.clone()),
                });
            }
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
                    outline
                        .tables
                        .push(table_shape(&events[i..=end], body, base));
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
                Event::Start(Tag::Link { dest_url, .. })
                    if !dest_url.starts_with("ref:")
                        && !dest_url.starts_with("cell:")
                        && !is_citation(dest_url, &events, i) =>
                {
                    outline.file_use(file, dest_url, shift(range), None, diags);
                }
                _ => {}
            }
            if current_note.as_ref().is_some_and(|(_, end)| i >= *end) {
                current_note = None;
            }
            i += 1;
        }
        outline.parsed = Parsed::of(events, starts, body);
        outline
    }
}

/// Every quire link in `events` (parsed from `body`): `cell:` and `ref:` links, each key of
/// a bracketed citation, and each `@key` in running text (not in links, images or code),
/// with the index of the event it stands in and its span in `body`.
pub fn quire_links(
    events: &[(Event<'_>, Range<usize>)],
    body: &str,
) -> Vec<(usize, LinkTarget, Range<usize>)> {
    let mut found = Vec::new();
    let (mut in_link, mut in_code) = (0usize, 0usize);
    for (i, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                in_link += 1;
                if is_citation(dest_url, events, i) {
                    let raw = body.get(range.clone()).unwrap_or_default();
                    let items = citation_items(title);
                    if let [item] = items.as_slice() {
                        // `[@key]`: the whole citation is the key.
                        found.push((i, LinkTarget::Citation(item.key.clone()), range.clone()));
                        continue;
                    }
                    for item in items {
                        // The items were read from the text between the brackets.
                        let at = range.start + 1 + item.key_span.start
                            ..range.start + 1 + item.key_span.end;
                        let span = if raw.get(1 + item.key_span.start..1 + item.key_span.end)
                            == Some(&format!("@{}", item.key))
                        {
                            at
                        } else {
                            range.clone()
                        };
                        found.push((i, LinkTarget::Citation(item.key), span));
                    }
                } else if let Some(k) = dest_url.strip_prefix("ref:") {
                    found.push((i, LinkTarget::Ref(k.into()), range.clone()));
                } else if let Some(c) = dest_url.strip_prefix("cell:") {
                    found.push((i, LinkTarget::Cell(c.into()), range.clone()));
                }
            }
            Event::Start(Tag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(text) if in_link == 0 && in_code == 0 => {
                for (span, key) in narrative_keys(text, range, body) {
                    found.push((i, LinkTarget::Narrative(key), span));
                }
            }
            _ => {}
        }
    }
    found
}

/// The `@key`s of one text event, with their spans in `body` (the whole event's span when
/// the text is not the source byte for byte, e.g. after an escape).
pub fn narrative_keys(text: &str, range: &Range<usize>, body: &str) -> Vec<(Range<usize>, String)> {
    if !text.contains('@') {
        return Vec::new();
    }
    let exact = body.get(range.clone()) == Some(text);
    let before = if exact {
        body[..range.start].chars().next_back()
    } else {
        None
    };
    let raw = body.get(range.clone()).unwrap_or_default();
    citation_keys_after(before, text)
        .into_iter()
        // `\@key` is an @ kept as text.
        .filter(|(_, key)| exact || !raw.contains(&format!("\\@{key}")))
        .map(|(span, key)| {
            let span = if exact {
                range.start + span.start..range.start + span.end
            } else {
                range.clone()
            };
            (span, key.to_string())
        })
        .collect()
}

/// The quire links of a Markdown snippet (a cell summary, an annotation note, the
/// editor's note), with their spans in `md`.
pub fn snippet_links(md: &str) -> Vec<(LinkTarget, Range<usize>)> {
    let (events, _) = parse_body(md);
    quire_links(&events, md)
        .into_iter()
        .map(|(_, target, span)| (target, span))
        .collect()
}

/// The warning for `[words](cell:two words)`, which is no link.
pub fn spaced_target_warning(target: &str, file: &SourceFile, span: Range<usize>) -> Diagnostic {
    Diagnostic::warning(format!(
        "`{target}` has a space, so it is no link: Markdown prints it as text"
    ))
    .at(file, span)
    .label("a link target ends at the first space")
    .help(if target.starts_with("cell:") {
        "name the cell by its id (`<row-id>-<column-id>`, no spaces), as in grid.toml"
    } else {
        "name the work by its key (one word), as in references.toml"
    })
}

/// The `cell:`/`ref:` targets with a space in a Markdown snippet (see [`spaced_targets`]).
pub fn snippet_spaced_targets(md: &str) -> Vec<&str> {
    let (events, _) = parse_body(md);
    spaced_targets(md, &events)
        .into_iter()
        .map(|span| &md[span])
        .collect()
}

/// `](cell:two words)` and `](ref:a key)` outside code: CommonMark ends a link target at a
/// space, so these are no links at all. The spans cover `cell:...`.
fn spaced_targets(body: &str, events: &[(Event<'_>, Range<usize>)]) -> Vec<Range<usize>> {
    let code: Vec<&Range<usize>> = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect();
    let mut found = Vec::new();
    for scheme in ["](cell:", "](ref:"] {
        for (at, _) in body.match_indices(scheme) {
            let start = at + 2;
            let line_end = body[start..].find('\n').map_or(body.len(), |i| start + i);
            let Some(close) = body[start..line_end].find(')') else {
                continue;
            };
            let end = start + close;
            let target = &body[start..end];
            // `(cell:x "a title")` is a link with a title, not a spaced target.
            let titled = target
                .split_once(char::is_whitespace)
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(['"', '\'', '(']));
            if target.contains(char::is_whitespace)
                && !titled
                && !code.iter().any(|r| r.contains(&at))
            {
                found.push(start..end);
            }
        }
    }
    found.sort_by_key(|r| r.start);
    found
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

/// How many cells a GFM table line holds: its unescaped pipes, less a leading and a
/// trailing one.
fn written_cells(line: &str) -> usize {
    let (mut pipes, mut leading, mut last_is_pipe, mut escaped) = (0, false, false, false);
    for (i, c) in line.trim().chars().enumerate() {
        last_is_pipe = false;
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '|' => {
                pipes += 1;
                last_is_pipe = true;
                leading |= i == 0;
            }
            _ => {}
        }
    }
    let trailing = last_is_pipe && !(leading && pipes == 1);
    pipes + 1 - usize::from(leading) - usize::from(trailing)
}

fn table_shape(events: &[(Event<'_>, Range<usize>)], body: &str, base: usize) -> TableShape {
    let mut shape = TableShape {
        span: base + events[0].1.start..base + events[0].1.end,
        header: Vec::new(),
        rows: Vec::new(),
        written: Vec::new(),
    };
    let mut in_head = false;
    let mut i = 0;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => {
                shape.rows.push(Vec::new());
                let r = &events[i].1;
                let line = body[r.start..].lines().next().unwrap_or_default();
                shape.written.push((
                    written_cells(line),
                    base + r.start..base + r.start + line.len(),
                ));
            }
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
    fn pandoc_citation_groups() {
        let items =
            parse_citation_group("see @kahneman2011thinking, ch. 2; -@doe99; @a:b.c").unwrap();
        let got: Vec<(&str, &str, &str, bool)> = items
            .iter()
            .map(|i| {
                (
                    i.prefix.as_str(),
                    i.key.as_str(),
                    i.suffix.as_str(),
                    i.suppress_author,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("see", "kahneman2011thinking", ", ch. 2", false),
                ("", "doe99", "", true),
                ("", "a:b.c", "", false),
            ]
        );
        assert_eq!(items[1].key_span, 35..41);
        // No key at the start of a word: no citation.
        assert!(parse_citation_group("mail me@example.org").is_none());
        assert!(parse_citation_group("@a; no key here").is_none());
        assert!(parse_citation_group("").is_none());
    }

    #[test]
    fn narrative_keys_start_a_word_and_drop_trailing_punctuation() {
        let keys: Vec<&str> = citation_keys("(@smith2020), me@x.org, @a.b. and @end.")
            .into_iter()
            .map(|(_, k)| k)
            .collect();
        assert_eq!(keys, vec!["smith2020", "a.b", "end"]);
        assert!(citation_keys_after(Some('e'), "@x").is_empty(), "mid-word");
    }

    #[test]
    fn cells_are_counted_as_written() {
        assert_eq!(written_cells("| a | b | c |"), 3);
        assert_eq!(written_cells("a | b"), 2);
        assert_eq!(written_cells("| a \\| b | c |"), 2);
        assert_eq!(written_cells("| a | b"), 2);
        assert_eq!(written_cells("|"), 1);
    }

    #[test]
    fn citations_and_links_are_found_in_every_form() {
        let (e, d) = essay(
            "+++\ntitle = \"T\"\n+++\nAs @k1 says [see @k2, p. 3; @k3], and [@k4, ch. 2]; `@k5` and a@k6.org.\n\n```\n@k7\n```\n",
        );
        assert!(!d.has_errors(), "{d}");
        let e = e.unwrap();
        let targets: Vec<_> = e.outline.links.iter().map(|l| l.target.clone()).collect();
        assert_eq!(
            targets,
            vec![
                LinkTarget::Narrative("k1".into()),
                LinkTarget::Citation("k2".into()),
                LinkTarget::Citation("k3".into()),
                LinkTarget::Citation("k4".into()),
            ]
        );
        let text = &e.file.text;
        assert_eq!(&text[e.outline.links[1].span.clone()], "@k2");
        assert_eq!(&text[e.outline.links[3].span.clone()], "[@k4, ch. 2]");
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
