//! Citations: the short inline form ("Chomsky 1959") and the full form used in reading
//! lists and on the bibliography page.

use super::escape;
use crate::content::Reference;

/// The id of a work's entry on `references.html`.
pub fn ref_anchor(key: &str) -> String {
    format!("ref-{}", super::id_safe(key))
}

/// `(Chomsky 1959)` linking to the bibliography entry; the full citation rides along in
/// `data-full` for the footnote popover, and in `title` for a mouse hover.
pub fn inline_citation(key: &str, r: &Reference, root: &str) -> String {
    format!(
        "<cite class=\"citation\"><a href=\"{root}references.html#{}\" data-ref=\"{}\" title=\"{}\">{}</a></cite>",
        ref_anchor(key),
        escape(key),
        escape(&plain_citation(r)),
        escape(&r.short_citation())
    )
}

/// The full citation as plain text, for tooltips.
pub fn plain_citation(r: &Reference) -> String {
    let mut s = format!("{} ({}). {}.", r.long_authors(), year(r), r.title);
    if let Some(venue) = &r.venue {
        s.push(' ');
        s.push_str(venue);
        if !venue.ends_with('.') {
            s.push('.');
        }
    }
    s
}

fn year(r: &Reference) -> String {
    r.year
        .map_or_else(|| "year unknown".into(), |y| y.to_string())
}

/// The full citation as HTML: authors (shortened past three), year, linked title, venue.
pub fn full_citation(r: &Reference) -> String {
    let title = match r.url.as_deref() {
        // The content says a link was looked for and not found.
        Some("") => format!(
            "<span class=\"ref-title\">{}</span> <span class=\"no-link\">(no link could be confirmed)</span>",
            escape(&r.title)
        ),
        None => format!("<span class=\"ref-title\">{}</span>", escape(&r.title)),
        Some(url) => format!(
            "<a class=\"ref-title\" href=\"{}\">{}</a>",
            escape(url),
            escape(&r.title)
        ),
    };
    let venue = r
        .venue
        .as_ref()
        .map(|v| format!(" <span class=\"ref-venue\">{}</span>", escape(v)))
        .unwrap_or_default();
    format!(
        "<span class=\"ref-authors\">{}</span> <span class=\"ref-year\">({})</span>. {title}.{venue}",
        escape(&r.long_authors()),
        year(r)
    )
}
