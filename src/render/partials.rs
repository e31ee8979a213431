//! The small pieces of markup the essay's walk writes many times, footnote markers,
//! citations and works' full citations, drawn by the theme's `partials/*.html` from data (so a theme can change
//! them) rather than built in Rust strings.
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
/// Every partial rendered from Rust, each filled from the built-in theme when a theme lacks it.
pub const ALL: [&str; 3] = [FOOTNOTE_MARKER, CITATION, REFERENCE];

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

    fn render(&self, template: &'static str, name: &'static str, data: &impl Serialize) -> String {
        let mut ctx = Context::new();
        ctx.insert(name, data);
        match self.tera.render(template, &ctx) {
            // Markers and citations stand inside a sentence: a file's final newline isn't
            // meant as a space before the next word.
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
