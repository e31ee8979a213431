//! The comment thread: nested replies, scores, permalinks and annotations.
//!
//! Comment bodies are text from strangers. They are rendered from Markdown and then
//! sanitized with ammonia: raw HTML is reduced to a short list of harmless tags (no images,
//! media, forms, SVG or MathML), `javascript:` and `data:` URLs are dropped, and links get
//! `rel="nofollow noopener noreferrer"`. Nothing from a body reaches the page any other way;
//! authors and quotes reach the templates (`partials/thread.html`, `partials/comment.html`)
//! as text, which Tera escapes. Editors' notes are the site author's Markdown, but
//! they live in the same file as the comments, so they are sanitized too (keeping quire's
//! own cell and reference links).
//!
//! Everything works without JavaScript: replies collapse with `<details>`, permalinks are
//! fragments that CSS highlights with `:target`. The walk over the reply tree is iterative,
//! and hands the template a flat list of steps (a comment, the end of a reply list), so a
//! thread nested thousands deep can't overflow the stack, and the HTML stops nesting
//! at [`NESTING_LIMIT`], so the browser's parser never has to flatten it.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::thread_pages::ThreadPages;
use super::{escape, markdown::render_snippet, partials::Partials};
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

/// The link from page `from` (`None`: a thread on one page) to comment `i`, escaped for HTML.
pub fn comment_href(linked: &Linked, from: Option<PageOf>, i: usize) -> String {
    escape(&comment_link(linked, from, i))
}

/// The link from page `from` to comment `i`, as text.
fn comment_link(linked: &Linked, from: Option<PageOf>, i: usize) -> String {
    let id = linked.content.thread.comments[i].id.get_ref();
    match from {
        Some(f) if f.pages.page_of[i] != f.page => {
            format!("{}#comment-{id}", f.link_to(f.pages.path_of(i)))
        }
        _ => format!("#comment-{id}"),
    }
}

/// Someone named in a sentence about a comment ("in reply to …", "replies to …").
#[derive(Debug, Clone, Serialize)]
pub struct Who {
    /// The commenter's name, if the source keeps it.
    pub name: Option<String>,
    pub deleted: bool,
}

impl Who {
    pub fn of(c: &Comment) -> Who {
        Who {
            name: c.author.clone(),
            deleted: c.deleted,
        }
    }
}

/// What `partials/thread.html` draws: one page of the thread (all of it, when it fits).
#[derive(Debug, Clone, Serialize)]
pub struct DiscussionView {
    /// The comments in reading order, as a flat list of steps (see [`ThreadItem`]): a
    /// thread nested thousands deep needs no recursion in the template.
    pub items: Vec<ThreadItem>,
    /// The next page of this page's list of comments, if they didn't all fit.
    pub more: Option<MoreView>,
    /// On the essay page of a split thread: how many of the comments it shows.
    pub shown: Option<usize>,
    /// On the pages of top-level comments of a split thread: every such page, in order.
    pub pages: Vec<PageLink>,
}

/// One step through the thread.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ThreadItem {
    /// A comment. With `replies`, its list of replies opens after it (and an `end` step
    /// closes it); without, the comment's list item ends here (its replies, if it has any
    /// beyond the nesting limit, follow as the next items).
    Comment {
        comment: Box<CommentView>,
        replies: Option<RepliesView>,
        /// Its other replies are on another page.
        continued: Option<ContinueView>,
    },
    /// The end of the reply list the last unclosed `comment` step opened.
    End { continued: Option<ContinueView> },
}

/// The folding of a comment's replies.
#[derive(Debug, Clone, Serialize)]
pub struct RepliesView {
    /// Replies, replies to replies, … shown on this page.
    pub count: usize,
    /// Whose comment they answer.
    pub to: Who,
    /// Past the depth the page indents to ([`VISUAL_DEPTH_CAP`]): not indented further.
    pub flat: bool,
}

/// "Continue this thread": where a comment's other replies are.
#[derive(Debug, Clone, Serialize)]
pub struct ContinueView {
    pub href: String,
    /// How many replies (at any depth) are on the other pages.
    pub count: usize,
    pub to: Who,
}

/// "More comments", "More replies to …": the page continuing this one's list.
#[derive(Debug, Clone, Serialize)]
pub struct MoreView {
    pub href: String,
    /// The comment whose replies the list is; nothing for top-level comments.
    pub parent: Option<Who>,
}

/// A page of top-level comments, in the list of them.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    /// Nothing for the page being rendered.
    pub href: Option<String>,
}

/// One comment, without its replies.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: String,
    /// 0 for a top-level comment.
    pub depth: usize,
    /// Deeper than the page indents ([`VISUAL_DEPTH_CAP`]).
    pub beyond_cap: bool,
    /// The commenter's name; nothing when the source doesn't keep it.
    pub author: Option<String>,
    /// The name is inferred from what the comment says.
    pub author_inferred: bool,
    pub deleted: bool,
    /// Written by the essay's author.
    pub by_post_author: bool,
    /// On a comment beyond the indented depth: the comment it answers.
    pub in_reply_to: Option<ReplyTo>,
    /// `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// The declared scores of the comment (see `scores`); nothing when none are declared.
    pub scores: Option<ScoresView>,
    /// The passages of the essay the comment is about.
    pub annotations: Vec<AnnotationView>,
    /// *safe HTML*: the body, sanitized; nothing for a deleted comment.
    pub body_html: Option<String>,
    /// What the edition adds after the body, one entry per annotation that adds something.
    pub notes: Vec<NoteView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyTo {
    pub id: String,
    pub who: Who,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoresView {
    /// The forum shows scores, but the source lost this comment's.
    pub unknown: bool,
    pub parts: Vec<ScoreView>,
    /// The scores as the source showed them, when the edition split them.
    pub raw: Option<String>,
    /// The reading of the scores is uncertain.
    pub uncertain: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    /// `karma`, `af-karma`, `agreement`.
    pub class: &'static str,
    pub label: String,
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnotationView {
    /// The anchor: `annotation-<comment>-<n>`.
    pub id: String,
    /// The paragraph's id (`p12`) and number (`12`); nothing if the passage was removed.
    pub block: Option<String>,
    pub paragraph: Option<String>,
    /// Where the paragraph is: `#p12` on the essay page, `../index.html#p12` elsewhere.
    pub href: Option<String>,
    /// The quoted passage, as text.
    pub quote: String,
    /// The comment's body quotes the passage itself (in a blockquote), so the card need
    /// not show it twice.
    pub quoted_in_body: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    /// The paragraph the annotation is about (its number), if it is still in the essay.
    pub paragraph: Option<String>,
    /// The comment has more than one annotation (so each note says which it is about).
    pub several: bool,
    /// Other comments about the same paragraph.
    pub others: Vec<OtherComment>,
    /// The grid cell the annotation names.
    pub cell: Option<CellRef>,
    /// *safe HTML*: the editor's note, sanitized.
    pub note_html: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherComment {
    pub href: String,
    pub who: Who,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellRef {
    pub id: String,
    pub name: String,
}

/// The thread's view data: all of it, or with `split`, one page of it. `root` prefixes
/// links to other pages (cells).
pub fn discussion(
    linked: &Linked,
    root: &str,
    split: Option<PageOf>,
    partials: &Partials<'_>,
) -> DiscussionView {
    let comments = &linked.content.thread.comments;
    let t = &linked.thread;
    let n = comments.len();
    let mut view = DiscussionView {
        items: Vec::new(),
        more: None,
        shown: None,
        pages: Vec::new(),
    };
    if n == 0 {
        return view;
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
    let continued = |i: usize| split.and_then(|f| continue_view(linked, f, i));

    enum Step {
        Open(usize),
        Close(usize),
    }
    let mut steps: Vec<Step> = tops.iter().rev().map(|&i| Step::Open(i)).collect();
    let mut opened = HashSet::new();
    view.items.reserve(order.len());
    while let Some(step) = steps.pop() {
        let i = match step {
            Step::Close(i) => {
                view.items.push(ThreadItem::End {
                    continued: continued(i),
                });
                continue;
            }
            Step::Open(i) => i,
        };
        if !opened.insert(i) {
            continue;
        }
        let c = &comments[i];
        let comment = Box::new(
            CommentContext {
                linked,
                root,
                partials,
                c,
                index: i,
                depth: depth[i],
                parent: parent[i],
                is_op: !c.deleted && c.author.is_some() && c.author.as_deref() == essay_author,
                split,
                essay: &essay,
            }
            .view(),
        );
        let children = replies(i);
        if children.is_empty() || depth[i] + 1 >= NESTING_LIMIT {
            // A leaf, or too deep to nest further: the replies follow as siblings, in order.
            view.items.push(ThreadItem::Comment {
                comment,
                replies: None,
                continued: continued(i),
            });
            for &child in children.iter().rev() {
                steps.push(Step::Open(child));
            }
            continue;
        }
        view.items.push(ThreadItem::Comment {
            comment,
            replies: Some(RepliesView {
                count: descendants[i],
                to: Who::of(c),
                flat: depth[i] + 1 > VISUAL_DEPTH_CAP,
            }),
            continued: None,
        });
        steps.push(Step::Close(i));
        for &child in children.iter().rev() {
            steps.push(Step::Open(child));
        }
    }
    if let Some(f) = split
        && let Some(next) = f.pages.pages[f.page].next
    {
        view.more = Some(MoreView {
            href: f.link_to(&f.pages.pages[next].path),
            parent: f.pages.pages[f.page].parent.map(|p| Who::of(&comments[p])),
        });
    }
    view
}

/// "Continue this thread": the page where comment `i`'s other replies are, if some are
/// on another page.
fn continue_view(linked: &Linked, f: PageOf, i: usize) -> Option<ContinueView> {
    let page = f.pages.continued[i]?;
    let shown = f.pages.shown_descendants(linked, i);
    Some(ContinueView {
        href: f.link_to(&f.pages.pages[page].path),
        count: f.pages.descendants[i] - shown,
        to: Who::of(&linked.content.thread.comments[i]),
    })
}

/// What a comment's view is made from.
struct CommentContext<'a> {
    linked: &'a Linked,
    root: &'a str,
    partials: &'a Partials<'a>,
    c: &'a Comment,
    index: usize,
    depth: usize,
    parent: Option<usize>,
    is_op: bool,
    split: Option<PageOf<'a>>,
    /// Prefix of links to the essay's paragraphs: empty on the essay page.
    essay: &'a str,
}

impl CommentContext<'_> {
    fn view(&self) -> CommentView {
        let c = self.c;
        let linked = self.linked;
        let comments = &linked.content.thread.comments;
        let shown = linked
            .content
            .thread
            .source
            .as_ref()
            .map_or(&[][..], |t| &t.scores[..]);
        CommentView {
            id: c.id.get_ref().clone(),
            depth: self.depth,
            beyond_cap: self.depth > VISUAL_DEPTH_CAP,
            author: c.author.clone(),
            author_inferred: c.author_inferred,
            deleted: c.deleted,
            by_post_author: self.is_op,
            in_reply_to: self
                .parent
                .filter(|_| self.depth > VISUAL_DEPTH_CAP)
                .map(|p| ReplyTo {
                    id: comments[p].id.get_ref().clone(),
                    who: Who::of(&comments[p]),
                }),
            date: c
                .date
                .as_ref()
                .and_then(|d| crate::content::comments::parse_date(d.get_ref()))
                .map(|d| d.to_string()),
            scores: scores(c, shown),
            annotations: self.annotations(),
            body_html: (!c.deleted)
                .then(|| mark_editor_links(sanitize_body(&c.body), &c.editor_links)),
            notes: self.notes(),
        }
    }

    /// The passages the comment is about, before its body: each has its own anchor, so
    /// that a marker in the essay leads to the annotation about its own paragraph.
    fn annotations(&self) -> Vec<AnnotationView> {
        let linked = self.linked;
        linked.thread.annotations_of[self.index]
            .iter()
            .map(|&k| &linked.thread.annotations[k])
            .map(|la| AnnotationView {
                id: format!("annotation-{}-{}", self.c.id.get_ref(), la.index + 1),
                block: la.block.clone(),
                paragraph: la.block.as_deref().map(paragraph_number),
                href: la.block.as_ref().map(|b| format!("{}#{b}", self.essay)),
                quote: la.quote_text.trim().to_string(),
                quoted_in_body: quoted_in(&self.c.body, &la.quote_text),
            })
            .collect()
    }

    /// What the edition adds to the comment, after the commenter's own words: the other
    /// comments on the same passage, the grid cell, and the editor's note.
    fn notes(&self) -> Vec<NoteView> {
        let linked = self.linked;
        let comments = &linked.content.thread.comments;
        let several = linked.thread.annotations_of[self.index].len() > 1;
        linked.thread.annotations_of[self.index]
            .iter()
            .map(|&k| &linked.thread.annotations[k])
            .filter_map(|la| {
                let a = self.c.annotations.get(la.index)?;
                let others = la
                    .block
                    .as_ref()
                    .and_then(|block| linked.thread.on_block.get(block))
                    .into_iter()
                    .flatten()
                    .filter(|&&j| j != self.index)
                    .map(|&j| OtherComment {
                        href: comment_link(linked, self.split, j),
                        who: Who::of(&comments[j]),
                    })
                    .collect::<Vec<_>>();
                let cell = la.cell.as_ref().map(|cell| CellRef {
                    id: cell.clone(),
                    name: linked
                        .grid
                        .as_ref()
                        .and_then(|g| g.find(cell))
                        .map_or(cell.clone(), |c| c.name.clone()),
                });
                let note_html = a.note.as_ref().map(|note| {
                    sanitize_note(&render_snippet(note, linked, self.root, self.partials))
                });
                (!others.is_empty() || cell.is_some() || note_html.is_some()).then(|| NoteView {
                    paragraph: la.block.as_deref().map(paragraph_number),
                    several,
                    others,
                    cell,
                    note_html,
                })
            })
            .collect()
    }
}

/// "12" for the paragraph `p12`.
fn paragraph_number(block: &str) -> String {
    block.trim_start_matches('p').to_string()
}

/// The anchor of a comment's `n`th annotation (counting from 1), escaped for HTML.
pub fn annotation_id(comment: &str, n: usize) -> String {
    escape(&format!("annotation-{comment}-{n}"))
}

/// The scores the thread's `[thread.scores]` declares, in its order and with its labels;
/// nothing when it declares none.
fn scores(c: &Comment, shown: &[(ScoreKind, String)]) -> Option<ScoresView> {
    let parts: Vec<ScoreView> = shown
        .iter()
        .filter_map(|(kind, label)| {
            Some(ScoreView {
                class: kind.class(),
                label: label.clone(),
                value: kind.of(c)?,
            })
        })
        .collect();
    if parts.is_empty() {
        // The forum shows scores on every comment; a live comment without any lost them.
        return (!shown.is_empty() && !c.deleted).then_some(ScoresView {
            unknown: true,
            parts,
            raw: None,
            uncertain: false,
        });
    }
    Some(ScoresView {
        unknown: false,
        parts,
        raw: c.scores_raw.clone(),
        uncertain: c.scores_uncertain,
    })
}

/// Whether a blockquote of the comment's Markdown `body` holds `quote` (compared as the
/// quote index compares text: whitespace and typographic quotes normalized).
fn quoted_in(body: &str, quote: &str) -> bool {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let quote = crate::resolve::normalize(quote);
    if quote.is_empty() {
        return false;
    }
    let mut depth = 0usize;
    let mut text = String::new();
    for event in Parser::new_ext(body, crate::dialect::options()) {
        match event {
            Event::Start(Tag::BlockQuote(_)) => depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if crate::resolve::normalize(&text).contains(&quote) {
                        return true;
                    }
                    text.clear();
                }
            }
            Event::Text(t) | Event::Code(t) if depth > 0 => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if depth > 0 => text.push(' '),
            Event::End(TagEnd::Paragraph) if depth > 0 => text.push(' '),
            _ => {}
        }
    }
    false
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
