//! quire's Markdown dialect, shared by the stages that read Markdown: the parser's options,
//! Pandoc citations (`[see @a, p. 3; @b]`, narrative `@key`), and walks over parsed events.
//!
//! A leaf: `content` parses the essay with it once, `render` parses the small Markdown
//! snippets (cell summaries, notes) with it; it knows no stage.

use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, Options, Parser, Tag};

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

/// The essay body's events with their byte ranges (relative to the body). A Pandoc
/// citation (`[@key]`, `[see @a, p. 3; @b]`) becomes a link to `ref:<first key>` whose title
/// is a mark and the text between the brackets (see [`citation_items`]); any other unresolved
/// reference is returned in the second vector.
pub fn parse_body(body: &str) -> (Vec<(Event<'_>, Range<usize>)>, Vec<BrokenRef>) {
    let mut broken = Vec::new();
    let callback = |link: BrokenLink<'_>| {
        let reference = link.reference.trim();
        let raw = body.get(link.span.clone()).unwrap_or_default();
        let inner = raw
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .unwrap_or(reference);
        // A link label is at most 999 characters (CommonMark), and a citation holds no
        // brackets; checking that first keeps `[@a][@a][@a]...` linear.
        if !inner.starts_with('^')
            && inner.len() <= 999
            && !inner.contains(['[', ']'])
            && let Some(items) = parse_citation_group(inner)
        {
            return Some((
                CowStr::from(format!("ref:{}", items[0].key)),
                CowStr::from(format!("{CITATION_MARK}{inner}")),
            ));
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
        && matches!(&events[i].0, Event::Start(Tag::Link { title, .. }) if title.starts_with(CITATION_MARK))
}

/// How [`parse_body`] marks a citation's link title, before the text between the brackets.
/// A NUL can't occur in Markdown (it is read as U+FFFD), so no author's title starts so.
const CITATION_MARK: &str = "\u{0}@";

/// The works a citation link cites, from the title [`parse_body`] gave it.
pub fn citation_items(title: &str) -> Vec<CiteItem> {
    title
        .strip_prefix(CITATION_MARK)
        .and_then(parse_citation_group)
        .unwrap_or_default()
}

/// One work cited in a Pandoc citation: `see @key, p. 97` inside `[...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteItem {
    /// Words before the key ("see").
    pub prefix: String,
    pub key: String,
    /// Words after the key, usually a locator (", p. 97").
    pub suffix: String,
    /// `-@key`: the sentence names the author, so only the year is shown.
    pub suppress_author: bool,
    /// Byte range of `@key` in the text that was parsed.
    pub key_span: Range<usize>,
}

/// Reads the text between the brackets of a Pandoc citation: items separated by `;`, each
/// `prefix @key suffix` (or `-@key`). `None` when any item has no key at the start of a word,
/// so `[mail me@example.org]` stays text.
pub fn parse_citation_group(text: &str) -> Option<Vec<CiteItem>> {
    let mut items = Vec::new();
    let mut start = 0;
    for part in text.split(';') {
        let (at, key) = citation_keys(part).into_iter().next()?;
        let suppress_author = part[..at.start].ends_with('-')
            && part[..at.start - 1]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace());
        let prefix_end = if suppress_author {
            at.start - 1
        } else {
            at.start
        };
        items.push(CiteItem {
            prefix: part[..prefix_end].trim().to_string(),
            key: key.to_string(),
            suffix: part[at.end..].trim().to_string(),
            suppress_author,
            key_span: start + at.start..start + at.end,
        });
        start += part.len() + 1;
    }
    Some(items)
}

/// Every `@key` in `text` that stands at the start of a word, as Pandoc finds them: the
/// `@` follows the start, a space or an opening bracket or quote (not a letter, so
/// `me@example.org` is no citation), and the key is letters, digits and `_`, with inner
/// punctuation `:.#$%&-+?<>~/` allowed where a letter or digit follows it.
/// Returns the span of `@key` and the key.
pub fn citation_keys(text: &str) -> Vec<(Range<usize>, &str)> {
    citation_keys_after(None, text)
}

/// [`citation_keys`], where `before` is the character just before `text` in its source.
pub fn citation_keys_after(before: Option<char>, text: &str) -> Vec<(Range<usize>, &str)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let before = if at == 0 {
            before
        } else {
            text[..at].chars().next_back()
        };
        let word_start = before.is_none_or(|c| {
            c.is_whitespace() || "([{\"'\u{201C}\u{2018}\u{2014}\u{2013}-".contains(c)
        });
        if !word_start {
            continue;
        }
        let key_start = at + 1;
        let mut end = key_start;
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let mut chars = text[key_start..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_word(c) {
                end = key_start + i + c.len_utf8();
            } else if ":.#$%&-+?<>~/".contains(c)
                && end == key_start + i
                && end > key_start
                && chars.peek().is_some_and(|&(_, n)| is_word(n))
            {
                continue;
            } else {
                break;
            }
        }
        if end > key_start {
            found.push((at..end, &text[key_start..end]));
        }
    }
    found
}

pub fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// The narrative citations (`@key`) of one text event: each key's span in `text` and the
/// key. `range` is the event's span in `source`, whose character before it decides whether
/// an `@` at the start of `text` starts a word; `\@key` in the source is an @ kept as text.
pub fn narrative_spans<'t>(
    text: &'t str,
    range: &Range<usize>,
    source: &str,
) -> Vec<(Range<usize>, &'t str)> {
    if !text.contains('@') {
        return Vec::new();
    }
    citation_keys_after(
        source
            .get(..range.start)
            .and_then(|b| b.chars().next_back()),
        text,
    )
    .into_iter()
    .filter(|(_, key)| {
        source
            .get(range.clone())
            .is_none_or(|raw| raw == text || !raw.contains(&format!("\\@{key}")))
    })
    .collect()
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

/// The visible text of a Markdown snippet: emphasis and link syntax dropped.
pub fn plain_text(md: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(pulldown_cmark::TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out
}
