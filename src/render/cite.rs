//! Citations: Pandoc's bracketed ("(see Chomsky 1959, p. 97)") and narrative ("Chomsky
//! (1959)") forms in the text, and the full form used in reading lists and on the
//! bibliography page.

use super::escape;
use crate::content::Reference;
use crate::dialect::CiteItem;
use crate::resolve::Linked;

/// The id of a work's entry on `references.html`.
pub fn ref_anchor(key: &str) -> String {
    format!("ref-{}", super::id_safe(key))
}

/// A Pandoc citation as Pandoc's author-date style prints it, each work linked to its
/// entry: `[see @a, p. 3; @b]` -> "(see Chomsky 1959, p. 3; Skinner 1957)", `[-@a]` -> "(1959)".
/// A key with no entry is left out (resolve has already reported it).
pub fn citation_group(items: &[CiteItem], linked: &Linked, root: &str) -> String {
    let parts: Vec<String> = items
        .iter()
        .filter_map(|item| {
            let r = linked.reference(&item.key)?;
            let shown = if item.suppress_author {
                r.year
                    .map_or_else(|| "year unknown".into(), |y| y.to_string())
            } else {
                r.short_citation()
            };
            let mut part = String::new();
            if !item.prefix.is_empty() {
                part.push_str(&escape(&item.prefix));
                part.push(' ');
            }
            part.push_str(&cite_link(&item.key, r, root, &shown));
            if !item.suffix.is_empty() {
                if !item.suffix.starts_with(',') {
                    part.push_str(", ");
                }
                part.push_str(&escape(&item.suffix));
            }
            Some(part)
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("<cite class=\"citation\">({})</cite>", parts.join("; "))
}

/// `@key` in running text: "Chomsky (1959)", linked to the entry.
pub fn narrative_citation(key: &str, r: &Reference, root: &str) -> String {
    let year = r
        .year
        .map_or_else(|| "year unknown".into(), |y| y.to_string());
    format!(
        "<cite class=\"citation\">{}</cite>",
        cite_link(key, r, root, &format!("{} ({year})", r.short_authors()))
    )
}

/// One work's short citation linking to its entry on the bibliography page; the full
/// citation rides along in `title` for a mouse hover (the footnote popover lists it too).
fn cite_link(key: &str, r: &Reference, root: &str, shown: &str) -> String {
    format!(
        "<a href=\"{root}references.html#{}\" data-ref=\"{}\" title=\"{}\">{}</a>",
        ref_anchor(key),
        escape(key),
        escape(&plain_citation(r)),
        escape(shown)
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
