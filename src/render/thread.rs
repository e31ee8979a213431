//! The comment thread: nested replies, scores, permalinks and annotations.
//!
//! Comment bodies are text from strangers. They are rendered from Markdown and then
//! sanitized with ammonia: raw HTML is reduced to a short list of harmless tags (no images,
//! media, forms, SVG or MathML), `javascript:` and `data:` URLs are dropped, and links get
//! `rel="nofollow noopener noreferrer"`. Nothing from a body reaches the page any other way;
//! authors and quotes are escaped text. Editors' notes are the site author's Markdown, but
//! they live in the same file as the comments, so they are sanitized too (keeping quire's
//! own cell and reference links).
//!
//! Everything works without JavaScript: replies collapse with `<details>`, permalinks are
//! fragments that CSS highlights with `:target`. The walk over the reply tree is iterative,
//! so a thread nested thousands deep can't overflow the stack, and the HTML stops nesting
//! at [`NESTING_LIMIT`], so the browser's parser never has to flatten it.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::thread_pages::ThreadPages;
use super::{escape, markdown::render_snippet};
use crate::content::Comment;
use crate::content::comments::ScoreKind;
use crate::resolve::Linked;

/// Replies deeper than this are not indented any further; they say whom they answer.
pub const VISUAL_DEPTH_CAP: usize = 4;

/// Replies nest in the HTML down to this depth; deeper ones are listed in order inside the
/// reply list of their ancestor at this depth (each says whom it answers). Browsers'
/// HTML parsers stop nesting elements about 512 deep (Chromium: 512), and every level
/// of the thread costs three (`li`, `details`, `ol`).
pub const NESTING_LIMIT: usize = 100;

/// Tags a comment body may keep. Everything else is unwrapped to its text, except
/// `script` and `style`, whose content is dropped too.
const BODY_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dfn",
    "dl",
    "dt",
    "em",
    "hr",
    "i",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

fn body_sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.tags(BODY_TAGS.iter().copied().collect())
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow noopener noreferrer"))
            .url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

/// Editors' notes keep quire's own links (relative `cells/…`, `references.html#…`) and
/// the classes and data attributes that the grid and citation scripts look for.
fn note_sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.tags(BODY_TAGS.iter().copied().collect())
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(None)
            .url_relative(ammonia::UrlRelative::PassThrough)
            .add_generic_attributes(["class"])
            .add_generic_attribute_prefixes(["data-", "aria-"]);
        b
    })
}

/// Deepest element nesting a body may have. Parsing HTML costs time in proportion to the
/// nesting depth for every tag, so a megabyte of `<div>`s would stall the build for minutes;
/// no real comment comes near this.
const MAX_BODY_NESTING: usize = 200;

/// A comment body, Markdown in, safe HTML out. Headings become bold paragraphs, so that a
/// comment can't break the page's outline. A body nested deeper than [`MAX_BODY_NESTING`]
/// is shown as its plain source text instead.
pub fn sanitize_body(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .flat_map(|event| match event {
        Event::Start(Tag::Heading { .. }) => {
            vec![Event::Start(Tag::Paragraph), Event::Start(Tag::Strong)]
        }
        Event::End(TagEnd::Heading(_)) => {
            vec![Event::End(TagEnd::Strong), Event::End(TagEnd::Paragraph)]
        }
        e => vec![e],
    });
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut html, parser);
    if nesting_exceeds(&html, MAX_BODY_NESTING) {
        return as_source(
            "This comment's markup is nested too deeply to display, so here is its text as written:",
            markdown,
        );
    }
    let clean = body_sanitizer().clean(&html).to_string();
    super::tidy::tidy(&clean).unwrap_or_else(|| {
        as_source(
            "This comment's markup nests elements in a way HTML does not allow, so here is its text as written:",
            markdown,
        )
    })
}

/// A body shown as its source text, with a line saying why.
fn as_source(why: &str, markdown: &str) -> String {
    format!(
        "<p class=\"too-deep\"><em>{why}</em></p>\n<div class=\"comment-source\">{}</div>\n",
        escape(markdown)
    )
}

/// Marks the links of a sanitized body whose URL the editor restored (the comment's
/// `editor_links`): the `ed-link` class, the editor's title and a raised "ed.", as in the
/// essay. Works on the sanitizer's output, so nothing in the body itself can ask for it.
fn mark_editor_links(mut html: String, urls: &[toml::Spanned<String>]) -> String {
    for url in urls {
        let needle = format!("<a href=\"{}\"", escape(url.get_ref()));
        let mut from = 0;
        while let Some(at) = html[from..].find(&needle).map(|i| i + from) {
            let Some(gt) = html[at..].find('>').map(|i| i + at) else {
                break;
            };
            let attrs = format!(
                " class=\"ed-link\" title=\"{}\"",
                super::markdown::EDITOR_LINK_TITLE
            );
            html.insert_str(gt, &attrs);
            let after = gt + attrs.len();
            let Some(end) = html[after..].find("</a>").map(|i| i + after) else {
                break;
            };
            html.insert_str(end, super::markdown::ED_MARK);
            from = end + super::markdown::ED_MARK.len();
        }
    }
    html
}

/// Does the HTML open elements more than `limit` deep? A quick, conservative count of
/// start and end tags (unclosed tags count as open), linear in the length.
fn nesting_exceeds(html: &str, limit: usize) -> bool {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        i += offset + 1;
        match bytes.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = html[i..]
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(html.len(), |e| i + e);
                let name = html[i..name_end].to_ascii_lowercase();
                let self_closing = html[name_end..]
                    .find('>')
                    .is_some_and(|e| html[..name_end + e].ends_with('/'));
                if !VOID.contains(&name.as_str()) && !self_closing {
                    depth += 1;
                    if depth > limit {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

fn sanitize_note(html: &str) -> String {
    let clean = note_sanitizer().clean(html).to_string();
    super::tidy::tidy(&clean).unwrap_or_else(|| {
        as_source(
            "This note's markup nests elements in a way HTML does not allow, so here is its text as written:",
            html,
        )
    })
}

/// How a comment's author is named.
fn author_html(c: &Comment) -> String {
    match (&c.author, c.deleted) {
        (_, true) => "<span class=\"author deleted\">[comment deleted]</span>".into(),
        (Some(a), _) if c.author_inferred => format!(
            "<bdi class=\"author\">{}</bdi> <span class=\"inferred\" title=\"The source doesn't name this commenter; the name is inferred from what the comment says\">(name inferred)</span>",
            escape(a)
        ),
        (Some(a), _) => format!("<bdi class=\"author\">{}</bdi>", escape(a)),
        (None, _) => "<span class=\"author unknown\" title=\"The source doesn't name this commenter\">unknown</span>".into(),
    }
}

/// The author in a sentence ("in reply to …", "replies to …").
pub(super) fn author_plain(c: &Comment) -> String {
    match (&c.author, c.deleted) {
        (_, true) => "a deleted comment".into(),
        (Some(a), _) => format!("<bdi>{}</bdi>", escape(a)),
        (None, _) => "an unknown commenter".into(),
    }
}

/// Which comments of a split thread one page shows, and where the others are.
#[derive(Clone, Copy)]
pub struct PageOf<'a> {
    pub pages: &'a ThreadPages,
    /// Index into `pages.pages` of the page being rendered.
    pub page: usize,
}

impl PageOf<'_> {
    fn path(&self) -> &str {
        &self.pages.pages[self.page].path
    }

    /// A link from this page to the site path `to`.
    pub(super) fn link_to(&self, to: &str) -> String {
        format!("{}{to}", "../".repeat(self.path().matches('/').count()))
    }
}

/// The link from page `from` (`None`: a thread on one page) to comment `i`.
pub fn comment_href(linked: &Linked, from: Option<PageOf>, i: usize) -> String {
    let id = escape(linked.content.thread.comments[i].id.get_ref());
    match from {
        Some(f) if f.pages.page_of[i] != f.page => {
            format!("{}#comment-{id}", f.link_to(f.pages.path_of(i)))
        }
        _ => format!("#comment-{id}"),
    }
}

/// The thread as nested HTML: all of it, or with `split`, one page of it. `root` prefixes
/// links to other pages (cells).
pub fn thread_html(linked: &Linked, root: &str, split: Option<PageOf>) -> String {
    let comments = &linked.content.thread.comments;
    let t = &linked.thread;
    let n = comments.len();
    if n == 0 {
        return "<p class=\"none\">No comments.</p>\n".into();
    }
    let tops: &[usize] = match split {
        Some(f) => &f.pages.pages[f.page].items,
        None => &t.roots,
    };
    // The replies shown on this page: all, or the prefix that `thread_pages` placed here.
    let replies = |i: usize| -> &[usize] {
        match split {
            Some(f) => &t.children[i][..f.pages.shown_replies[i]],
            None => &t.children[i],
        }
    };

    // Pre-order walk (iterative): depth of each comment, then descendant counts bottom-up.
    let mut depth = vec![0usize; n];
    let mut parent = vec![None; n];
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<usize> = tops.iter().rev().copied().collect();
    let mut seen = HashSet::new();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        order.push(i);
        for &c in replies(i).iter().rev() {
            depth[c] = depth[i] + 1;
            parent[c] = Some(i);
            stack.push(c);
        }
    }
    let mut descendants = vec![0usize; n];
    for &i in order.iter().rev() {
        if let Some(p) = parent[i] {
            descendants[p] += descendants[i] + 1;
        }
    }

    let essay_author = linked.content.essay.front.author.as_deref();
    // Where "back to paragraph N" leads: this page, or the essay page from a thread page.
    let essay = match split {
        Some(f) if f.page != 0 => f.link_to("index.html"),
        _ => String::new(),
    };
    let mut s = String::with_capacity(order.len() * 1500);
    s.push_str("<ol class=\"thread\">\n");

    enum Step {
        Open(usize),
        Close(usize),
    }
    let mut steps: Vec<Step> = tops.iter().rev().map(|&i| Step::Open(i)).collect();
    let mut opened = HashSet::new();
    while let Some(step) = steps.pop() {
        let i = match step {
            Step::Close(i) => {
                if let Some(f) = split {
                    continue_link(linked, f, i, "li", &mut s);
                }
                s.push_str("</ol>\n</details>\n</li>\n");
                continue;
            }
            Step::Open(i) => i,
        };
        if !opened.insert(i) {
            continue;
        }
        let c = &comments[i];
        let view = CommentView {
            linked,
            root,
            c,
            index: i,
            depth: depth[i],
            parent: parent[i].map(|p| &comments[p]),
            parent_id: parent[i].map(|p| comments[p].id.get_ref().as_str()),
            is_op: !c.deleted && c.author.is_some() && c.author.as_deref() == essay_author,
            on_block: &linked.thread.on_block,
            split,
            essay: &essay,
        };
        view.open(&mut s);
        let children = replies(i);
        if children.is_empty() {
            if let Some(f) = split {
                continue_link(linked, f, i, "p", &mut s);
            }
            s.push_str("</li>\n");
            continue;
        }
        if depth[i] + 1 >= NESTING_LIMIT {
            // Too deep to nest further: the replies follow as siblings, in order.
            if let Some(f) = split {
                continue_link(linked, f, i, "p", &mut s);
            }
            s.push_str("</li>\n");
            for &child in children.iter().rev() {
                steps.push(Step::Open(child));
            }
            continue;
        }
        let hidden = descendants[i];
        let replies = if hidden == 1 { "reply" } else { "replies" };
        let to = match (&c.author, c.deleted) {
            (_, true) => " to the deleted comment".to_string(),
            (Some(a), _) => format!(" to <bdi>{}</bdi>", escape(a)),
            (None, _) => " to this comment".to_string(),
        };
        let flat = if depth[i] + 1 > VISUAL_DEPTH_CAP {
            " flat"
        } else {
            ""
        };
        s.push_str(&format!(
            "<details class=\"replies-toggle\" open>\n<summary><span class=\"when-open\">Hide {hidden} {replies}</span><span class=\"when-closed\">Show {hidden} hidden {replies}</span><span class=\"visually-hidden\">{to}</span></summary>\n<ol class=\"replies{flat}\">\n"
        ));
        steps.push(Step::Close(i));
        for &child in children.iter().rev() {
            steps.push(Step::Open(child));
        }
    }
    if let Some(f) = split
        && let Some(next) = f.pages.pages[f.page].next
    {
        let more = f.link_to(&f.pages.pages[next].path);
        let what = match f.pages.pages[f.page].parent {
            None => "More comments".to_string(),
            Some(p) => format!("More replies to {}", author_plain(&comments[p])),
        };
        s.push_str(&format!(
            "<li class=\"thread-next\"><a href=\"{more}\">{what}<span aria-hidden=\"true\"> →</span></a></li>\n"
        ));
    }
    s.push_str("</ol>\n");
    s
}

/// "Continue this thread": the link to the page where comment `i`'s other replies are,
/// if some are on another page, as a `<li>` in its reply list or a `<p>` after it.
fn continue_link(linked: &Linked, f: PageOf, i: usize, tag: &str, s: &mut String) {
    let Some(page) = f.pages.continued[i] else {
        return;
    };
    let shown = f.pages.shown_descendants(linked, i);
    let more = f.pages.descendants[i] - shown;
    let replies = if more == 1 { "reply" } else { "replies" };
    let to = author_plain(&linked.content.thread.comments[i]);
    s.push_str(&format!(
        "<{tag} class=\"thread-continue\"><a href=\"{}\">Continue this thread<span aria-hidden=\"true\"> →</span></a> <span class=\"thread-continue-count\">{more} more {replies}<span class=\"visually-hidden\"> to {to}</span></span></{tag}>\n",
        f.link_to(&f.pages.pages[page].path)
    ));
}

struct CommentView<'a> {
    linked: &'a Linked,
    root: &'a str,
    c: &'a Comment,
    index: usize,
    depth: usize,
    parent: Option<&'a Comment>,
    parent_id: Option<&'a str>,
    is_op: bool,
    on_block: &'a BTreeMap<String, Vec<usize>>,
    split: Option<PageOf<'a>>,
    /// Prefix of links to the essay's paragraphs: empty on the essay page.
    essay: &'a str,
}

impl CommentView<'_> {
    /// Everything of the comment up to (not including) its replies and `</li>`.
    fn open(&self, s: &mut String) {
        let c = self.c;
        let id = escape(c.id.get_ref());
        let mut classes = String::from("comment");
        if self.is_op {
            classes.push_str(" by-post-author");
        }
        if c.deleted {
            classes.push_str(" deleted");
        }
        if self.depth > VISUAL_DEPTH_CAP {
            classes.push_str(" beyond-cap");
        }
        let label = match (&c.author, c.deleted) {
            (_, true) => "Deleted comment".to_string(),
            (Some(a), _) => format!("Comment by {}", escape(a)),
            (None, _) => "Comment by an unknown commenter".to_string(),
        };
        s.push_str(&format!(
            "<li class=\"{classes}\" id=\"comment-{id}\" data-depth=\"{}\">\n<article class=\"comment-card\" aria-label=\"{label}\">\n<header class=\"comment-meta\">{}",
            self.depth,
            author_html(c)
        ));
        if self.is_op && c.author_inferred {
            // The name is inferred, so being the post's author is too: say so, never assert it.
            s.push_str(
                " <span class=\"badge post-author\" title=\"Inferred from the comment's own words; the source doesn't name its author\">post author (inferred)</span>",
            );
        } else if self.is_op {
            s.push_str(
                " <span class=\"badge post-author\" title=\"The essay's author\">post author</span>",
            );
        }
        if self.depth > VISUAL_DEPTH_CAP
            && let (Some(p), Some(pid)) = (self.parent, self.parent_id)
        {
            s.push_str(&format!(
                " <span class=\"in-reply-to\">in reply to <a href=\"#comment-{}\">{}</a></span>",
                escape(pid),
                author_plain(p)
            ));
        }
        if let Some(date) = c
            .date
            .as_ref()
            .and_then(|d| crate::content::comments::parse_date(d.get_ref()))
        {
            s.push_str(&format!(" <time datetime=\"{date}\">{date}</time>"));
        }
        let shown = self
            .linked
            .content
            .thread
            .source
            .as_ref()
            .map_or(&[][..], |t| &t.scores[..]);
        s.push_str(&scores(c, shown));
        s.push_str(&format!(
            " <a class=\"permalink\" href=\"#comment-{id}\">Link<span class=\"visually-hidden\"> to this comment</span></a></header>\n"
        ));
        self.annotations(s);
        if c.deleted {
            s.push_str(
                "<div class=\"comment-body\"><p><em>This comment was deleted.</em></p></div>\n",
            );
        } else {
            s.push_str("<div class=\"comment-body\" dir=\"auto\">");
            s.push_str(&mark_editor_links(sanitize_body(&c.body), &c.editor_links));
            s.push_str("</div>\n");
        }
        self.annotation_notes(s);
        s.push_str("</article>\n");
    }

    /// The passages the comment is about, before its body: each has its own anchor, so
    /// that a marker in the essay leads to the annotation about its own paragraph.
    fn annotations(&self, s: &mut String) {
        let linked = self.linked;
        for la in linked.thread.annotations_of[self.index]
            .iter()
            .map(|&k| &linked.thread.annotations[k])
        {
            let Some(a) = self.c.annotations.get(la.index) else {
                continue;
            };
            let quote = escape(crate::resolve::markdown_text(a.quote.get_ref()).trim());
            s.push_str(&format!(
                "<div class=\"annotation\" id=\"{}\">\n",
                annotation_id(self.c.id.get_ref(), la.index + 1)
            ));
            match &la.block {
                Some(block) => s.push_str(&format!(
                    "<p class=\"annotation-label\">About this passage of the essay: <a class=\"annotation-backlink\" href=\"{2}#{0}\">back to paragraph {1}<span aria-hidden=\"true\"> ↩</span></a></p>\n<blockquote class=\"annotation-quote\"><p>{quote}</p></blockquote>\n",
                    escape(block),
                    escape(block.trim_start_matches('p')),
                    self.essay,
                )),
                None => s.push_str(&format!(
                    "<p class=\"annotation-label\">About a passage since removed from the essay:</p>\n<blockquote class=\"annotation-quote removed\"><p><span class=\"removed-label\">Removed passage</span> <del>{quote}</del></p></blockquote>\n"
                )),
            }
            s.push_str("</div>\n");
        }
    }

    /// What the edition adds to the comment, after the commenter's own words: the other
    /// comments on the same passage, the grid cell, and the editor's note folded to one line.
    fn annotation_notes(&self, s: &mut String) {
        let linked = self.linked;
        let comments = &linked.content.thread.comments;
        let several = linked.thread.annotations_of[self.index].len() > 1;
        let mut part = String::new();
        for la in linked.thread.annotations_of[self.index]
            .iter()
            .map(|&k| &linked.thread.annotations[k])
        {
            let Some(a) = self.c.annotations.get(la.index) else {
                continue;
            };
            if let Some(block) = &la.block {
                let others: Vec<String> = self
                    .on_block
                    .get(block)
                    .into_iter()
                    .flatten()
                    .filter(|&&j| j != self.index)
                    .map(|&j| {
                        format!(
                            "<a href=\"{}\">{}</a>",
                            comment_href(self.linked, self.split, j),
                            author_plain(&comments[j])
                        )
                    })
                    .collect();
                if !others.is_empty() {
                    part.push_str(&format!(
                        "<p class=\"annotation-others\">Also about {}: the comment by {}.</p>\n",
                        if several {
                            format!("paragraph {}", escape(block.trim_start_matches('p')))
                        } else {
                            "this passage".into()
                        },
                        others.join(", the comment by ")
                    ));
                }
            }
            if let Some(cell) = &la.cell {
                let name = linked
                    .grid
                    .as_ref()
                    .and_then(|g| g.find(cell))
                    .map_or(cell.clone(), |c| c.name.clone());
                part.push_str(&format!(
                    "<p class=\"annotation-cell\">Grid cell: <a href=\"{}cells/{1}.html\" data-cell=\"{1}\">{2}</a></p>\n",
                    self.root,
                    escape(cell),
                    escape(&name)
                ));
            }
            if let Some(note) = &a.note {
                let note_html = sanitize_note(&render_snippet(note, linked, self.root));
                let about = match (&la.block, several) {
                    (Some(block), true) => {
                        format!(" on paragraph {}", escape(block.trim_start_matches('p')))
                    }
                    (None, true) => " on the removed passage".into(),
                    _ => String::new(),
                };
                part.push_str(&format!(
                    "<details class=\"editor-note\"><summary><span class=\"note-label\">Editor's note</span>{about}</summary>\n{note_html}</details>\n"
                ));
            }
        }
        if !part.is_empty() {
            s.push_str("<div class=\"annotation-notes\">\n");
            s.push_str(&part);
            s.push_str("</div>\n");
        }
    }
}

/// The anchor of a comment's `n`th annotation (counting from 1), escaped for HTML.
pub fn annotation_id(comment: &str, n: usize) -> String {
    escape(&format!("annotation-{comment}-{n}"))
}

/// The scores the thread's `[thread.scores]` declares, in its order and with its labels;
/// nothing when it declares none. Kept short: a big thread repeats this ten thousand times.
fn scores(c: &Comment, shown: &[(ScoreKind, String)]) -> String {
    let parts: Vec<String> = shown
        .iter()
        .filter_map(|(kind, label)| {
            let k = kind.of(c)?;
            let label = escape(label);
            Some(format!(
                "<span class=\"score {}\" title=\"{label}\">{k} <small>{label}</small></span>",
                kind.class()
            ))
        })
        .collect();
    if parts.is_empty() {
        // The forum shows scores on every comment; a live comment without any lost them.
        if shown.is_empty() || c.deleted {
            return String::new();
        }
        return " <span class=\"scores unknown\">scores unknown</span>".into();
    }
    let raw = c
        .scores_raw
        .as_ref()
        .map(|r| {
            format!(
                " title=\"As the source showed them: {}. The split into three scores is this edition's reading.\"",
                escape(r)
            )
        })
        .unwrap_or_default();
    let uncertain = match (&c.scores_raw, c.scores_uncertain) {
        (Some(r), true) => format!(
            " <span class=\"scores-uncertain\">(split of “{}” uncertain)</span>",
            escape(r)
        ),
        (None, true) => " <span class=\"scores-uncertain\">(uncertain reading)</span>".into(),
        _ => String::new(),
    };
    format!(
        " <span class=\"scores\"{raw}>{}{uncertain}</span>",
        parts.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::{sanitize_body, sanitize_note};

    #[test]
    fn hostile_markup_is_neutralized() {
        let out = sanitize_body(
            "<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <a href=\"data:text/html,hi\">d</a> [ok](https://example.org)",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("href=\"javascript:"), "{out}");
        assert!(!out.contains("href=\"data:"), "{out}");
        assert!(
            out.contains("rel=\"nofollow noopener noreferrer\""),
            "{out}"
        );
    }

    #[test]
    fn svg_mathml_and_styles_are_dropped() {
        let out = sanitize_body(
            "<svg onload=alert(1)><use href=\"#x\"/></svg><math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math><div style=\"position:fixed\" id=\"comments\" class=\"x\">t</div><iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        );
        for bad in [
            "<svg", "<math", "<style", "<img", "style=", "id=", "class=", "<iframe", "onload",
        ] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
    }

    #[test]
    fn headings_become_bold_paragraphs() {
        let out = sanitize_body("# Big\n\ntext");
        assert!(out.contains("<p><strong>Big</strong></p>"), "{out}");
        assert!(!out.contains("<h1"), "{out}");
    }

    #[test]
    fn deep_nesting_is_shown_as_text_quickly() {
        let started = std::time::Instant::now();
        let deep = "<div>".repeat(200_000) + "x<script>alert(1)</script>";
        let out = sanitize_body(&deep);
        assert!(out.contains("nested too deeply"), "{}", &out[..200]);
        assert!(out.contains("&lt;script&gt;") && !out.contains("<script"));
        let quotes = "> ".repeat(100_000) + "deep";
        let out = sanitize_body(&quotes);
        assert!(out.contains("nested too deeply") && out.contains("deep"));
        // Even unoptimized, both take well under the seconds a full HTML parse would.
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        // Ordinary nesting is rendered as usual.
        let out = sanitize_body("> > > quoted\n\n- a\n  - b\n\n<b><i>x</i></b><br/>");
        assert!(
            out.contains("<blockquote>") && out.contains("<b><i>x</i></b>"),
            "{out}"
        );
        assert!(!out.contains("nested too deeply"));
    }

    #[test]
    fn nesting_count() {
        use super::nesting_exceeds;
        assert!(!nesting_exceeds("<p>a<br>b<img src=x><hr/></p>", 1));
        assert!(nesting_exceeds("<p><b>x</b></p>", 1));
        assert!(!nesting_exceeds("<p>a</p><p>b</p>", 1));
        assert!(nesting_exceeds(&"<div>".repeat(201), 200));
        assert!(!nesting_exceeds("a < b and c <3", 0));
    }

    #[test]
    fn notes_keep_quire_links_but_lose_scripts() {
        let out = sanitize_note(
            "<p><a class=\"cell-link\" href=\"cells/a-b.html\" data-cell=\"a-b\">x</a><script>alert(1)</script><a href=\"javascript:alert(1)\">y</a></p>",
        );
        assert!(out.contains("href=\"cells/a-b.html\""), "{out}");
        assert!(out.contains("data-cell=\"a-b\""), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
    }
}
