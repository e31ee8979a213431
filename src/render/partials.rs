//! The small pieces of markup the essay's walk writes many times, footnote markers,
//! citations, works' full citations, permalinks, comment markers and a note's sources,
//! drawn by the theme's `partials/*.html` from data (so a theme can change them) rather
//! than built in Rust strings.
//!
//! A theme without one of these partials gets the built-in one. A partial that fails to
//! render is reported once, by name, and leaves its place empty.

use std::cell::RefCell;

use serde::Serialize;
use tera::{Context, Tera};

/// A footnote's marker in the text (`[^label]`).
pub const FOOTNOTE_MARKER: &str = "partials/footnote_marker.html";
/// A citation in the text (`[see @key, p. 3]` or `@key`).
pub const CITATION: &str = "partials/citation.html";
/// A work's full citation (references page, a note's sources, a cell's reading list).
pub const REFERENCE: &str = "partials/reference.html";
/// A paragraph's or a heading's link to itself (the ¶ and the #).
pub const PERMALINK: &str = "partials/permalink.html";
/// The count of comments on a passage, in the essay's margin.
pub const COMMENT_MARKER: &str = "partials/comment_marker.html";
/// The list of the works a footnote cites, after its text.
pub const NOTE_SOURCES: &str = "partials/note_sources.html";
/// Every partial rendered from Rust, each filled from the built-in theme when a theme lacks it.
pub const ALL: [&str; 6] = [
    FOOTNOTE_MARKER,
    CITATION,
    REFERENCE,
    PERMALINK,
    COMMENT_MARKER,
    NOTE_SOURCES,
];

/// Renders the partials with one Tera; remembers the first error of each.
pub struct Partials<'a> {
    tera: &'a Tera,
    /// (template, error) for each partial that failed, in the order they failed.
    errors: RefCell<Vec<(&'static str, String)>>,
}

/// What `partials/footnote_marker.html` receives, as `marker`.
#[derive(Serialize)]
pub struct Marker<'a> {
    pub number: usize,
    /// This reference's own id (`fnref-<label>`, `fnref-<label>-2` for a second one).
    pub id: &'a str,
    /// The note's id (`fn-<label>`).
    pub note_id: &'a str,
}

/// What `partials/citation.html` receives, as `citation`.
#[derive(Serialize)]
pub struct Citation {
    /// `@key` in running text rather than `[@key]`.
    pub narrative: bool,
    pub works: Vec<CitedWork>,
}

/// One work of a citation.
#[derive(Serialize)]
pub struct CitedWork {
    pub key: String,
    /// Its entry on the bibliography page.
    pub href: String,
    /// The full citation as plain text (a hover shows it).
    pub title: String,
    /// The short form shown: "Chomsky 1959", or "1959" for `-@key`, "Chomsky (1959)" when
    /// narrative.
    pub shown: String,
    /// Words before the key ("see").
    pub prefix: String,
    /// Words after it, usually a locator ("p. 3").
    pub suffix: String,
    /// Whether a comma goes between the work and its suffix (not when the suffix has one).
    pub comma: bool,
}

/// What `partials/reference.html` receives, as `work`.
#[derive(Serialize)]
pub struct Work<'a> {
    pub key: &'a str,
    /// The authors, shortened past three.
    pub authors: String,
    /// The year, or "year unknown".
    pub year: String,
    pub title: &'a str,
    /// The work's address; `None` when unknown or unconfirmed.
    pub url: Option<&'a str>,
    /// The content says a link was looked for and none could be confirmed.
    pub no_link: bool,
    pub venue: Option<&'a str>,
}

/// What `partials/permalink.html` receives, as `permalink`.
#[derive(Serialize)]
pub struct Permalink<'a> {
    /// The id of the paragraph, list item or heading it links to.
    pub id: &'a str,
    /// A paragraph's (or list item's) number, as in its id `p<number>`; `None` for a heading.
    pub paragraph: Option<&'a str>,
    /// A heading's text; `None` for a paragraph.
    pub section: Option<&'a str>,
}

/// What `partials/comment_marker.html` receives, as `comments`.
#[derive(Serialize)]
pub struct CommentMarker<'a> {
    /// How many comments are about the passage.
    pub count: usize,
    /// The first one's annotation of this passage (on this page or a thread page).
    pub href: &'a str,
    /// The passage's id (`p<number>`).
    pub block: &'a str,
}

/// What `partials/note_sources.html` receives, as `sources`: the works a note cites, in
/// order of first mention.
#[derive(Serialize)]
pub struct NoteSource<'a> {
    pub key: &'a str,
    /// The work's full citation, drawn by `partials/reference.html`.
    pub citation_html: String,
}

impl<'a> Partials<'a> {
    pub fn new(tera: &'a Tera) -> Self {
        Partials {
            tera,
            errors: RefCell::new(Vec::new()),
        }
    }

    pub fn footnote_marker(&self, marker: &Marker<'_>) -> String {
        self.render(FOOTNOTE_MARKER, "marker", marker)
    }

    pub fn citation(&self, citation: &Citation) -> String {
        self.render(CITATION, "citation", citation)
    }

    pub fn reference(&self, work: &Work<'_>) -> String {
        self.render(REFERENCE, "work", work)
    }

    pub fn permalink(&self, permalink: &Permalink<'_>) -> String {
        self.render(PERMALINK, "permalink", permalink)
    }

    pub fn comment_marker(&self, comments: &CommentMarker<'_>) -> String {
        self.render(COMMENT_MARKER, "comments", comments)
    }

    pub fn note_sources(&self, sources: &[NoteSource<'_>]) -> String {
        self.render(NOTE_SOURCES, "sources", &sources)
    }

    fn render(&self, template: &'static str, name: &'static str, data: &impl Serialize) -> String {
        let mut ctx = Context::new();
        ctx.insert(name, data);
        match self.tera.render(template, &ctx) {
            // Markers and citations stand inside a sentence: a file's final newline isn't
            // meant as a space before the next word (the caller writes what follows).
            Ok(mut html) => {
                if html.ends_with('\n') {
                    html.pop();
                }
                html
            }
            Err(e) => {
                let mut errors = self.errors.borrow_mut();
                if !errors.iter().any(|(t, _)| *t == template) {
                    errors.push((template, e.to_string()));
                }
                String::new()
            }
        }
    }

    /// The partials that failed to render: (template, error).
    pub fn errors(&self) -> Vec<(&'static str, String)> {
        self.errors.borrow().clone()
    }
}
