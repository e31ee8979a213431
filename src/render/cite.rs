//! Citations: Pandoc's bracketed ("(see Chomsky 1959, p. 97)") and narrative ("Chomsky
//! (1959)") forms in the text, and the full form used in reading lists and on the
//! bibliography page.

use super::partials::{Citation, CitedWork, Partials, Work};
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
/// Drawn by the theme's `partials/citation.html`.
pub fn citation_group(
    items: &[CiteItem],
    linked: &Linked,
    root: &str,
    partials: &Partials<'_>,
) -> String {
    let works: Vec<CitedWork> = items
        .iter()
        .filter_map(|item| {
            let r = linked.reference(&item.key)?;
            let shown = if item.suppress_author {
                r.year
                    .map_or_else(|| "year unknown".into(), |y| y.to_string())
            } else {
                r.short_citation()
            };
            let mut work = cited_work(&item.key, r, root, shown);
            work.prefix = item.prefix.clone();
            work.comma = !item.suffix.starts_with(',');
            work.suffix = item.suffix.clone();
            Some(work)
        })
        .collect();
    if works.is_empty() {
        return String::new();
    }
    partials.citation(&Citation {
        narrative: false,
        works,
    })
}

/// `@key` in running text: "Chomsky (1959)", linked to the entry; drawn by the theme's
/// `partials/citation.html`.
pub fn narrative_citation(key: &str, r: &Reference, root: &str, partials: &Partials<'_>) -> String {
    let year = r
        .year
        .map_or_else(|| "year unknown".into(), |y| y.to_string());
    let shown = format!("{} ({year})", r.short_authors());
    partials.citation(&Citation {
        narrative: true,
        works: vec![cited_work(key, r, root, shown)],
    })
}

/// One work's short citation linking to its entry on the bibliography page; the full
/// citation rides along as `title` for a mouse hover (the footnote popover lists it too).
fn cited_work(key: &str, r: &Reference, root: &str, shown: String) -> CitedWork {
    CitedWork {
        key: key.to_string(),
        href: format!("{root}references.html#{}", ref_anchor(key)),
        title: plain_citation(r),
        shown,
        prefix: String::new(),
        suffix: String::new(),
        comma: false,
    }
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

/// The full citation as HTML (authors shortened past three, year, linked title, venue),
/// drawn by the theme's `partials/reference.html`.
pub fn full_citation(r: &Reference, partials: &Partials<'_>) -> String {
    partials.reference(&Work {
        key: r.key.get_ref(),
        authors: r.long_authors(),
        year: year(r),
        title: &r.title,
        url: r.url.as_deref().filter(|u| !u.is_empty()),
        // The content says a link was looked for and not found.
        no_link: r.url.as_deref() == Some(""),
        venue: r.venue.as_deref(),
    })
}
