//! `content/references.toml`: the bibliography, one `[[ref]]` table per work.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostics, SourceFile};

/// The bibliography: one `[[ref]]` table per work.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bibliography {
    #[serde(skip)]
    pub file: Option<SourceFile>,
    /// The works, in any order (the bibliography page sorts them by author).
    #[serde(rename = "ref", default)]
    pub refs: Vec<Reference>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// One word that cites the work: `[@key]` in the essay, `readings` in grid.toml.
    #[schemars(with = "String", regex(pattern = r"^\S+$"))]
    pub key: Spanned<String>,
    /// Full names, in the work's order. A literal "et al." stands for authors not listed.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The work's title, as printed.
    pub title: String,
    /// Year of publication.
    pub year: Option<i64>,
    /// Where it appeared: a journal with volume and pages, a publisher, a website.
    pub venue: Option<String>,
    /// The work's address. Absent when the work has no link (a printed book); `""` when a
    /// link was looked for and none could be confirmed, which the page says.
    pub url: Option<String>,
    /// Optional, and not a source: reading lists come from `readings` in grid.toml. Where
    /// given, it must name exactly the cells whose `readings` list this key.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub cells: Vec<Spanned<String>>,
    /// reading | footnote | essay: why the work is in the bibliography.
    pub role: Option<String>,
    /// One line on why the work belongs.
    pub note: Option<String>,
    /// How the entry was checked against public sources.
    pub verified_by: Option<String>,
    /// Fields no source confirmed (`"authors"`, `"year"`, `"venue"`, `"url"`). The build
    /// never shows them: the work's author reads "unknown", its year "year unknown", and
    /// so on, on every page. The values may stay in the file for whoever checks them next.
    #[serde(default)]
    pub unverified: Vec<Unverified>,
}

/// A field of a `[[ref]]` that the bibliography marks as not confirmed by any source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unverified {
    Authors,
    Year,
    Venue,
    Url,
}

impl Bibliography {
    pub fn parse(file: &SourceFile, diags: &mut Diagnostics) -> Option<Bibliography> {
        let mut bib: Bibliography = crate::source::parse_toml(file, diags)?;
        bib.file = Some(file.clone());
        for r in &mut bib.refs {
            r.withhold_unverified();
        }
        Some(bib)
    }
}

impl Reference {
    /// Blanks every field the entry marks unverified, once, as the file is read, so that no
    /// page, panel, tooltip or export can show it: an unconfirmed byline must not name anyone.
    fn withhold_unverified(&mut self) {
        for field in self.unverified.clone() {
            match field {
                Unverified::Authors => self.authors.clear(),
                Unverified::Year => self.year = None,
                Unverified::Venue => self.venue = None,
                Unverified::Url => self.url = Some(String::new()),
            }
        }
    }
}

impl Reference {
    /// The work's address, or `""` when there is none.
    pub fn link(&self) -> &str {
        self.url.as_deref().unwrap_or_default()
    }

    /// Surnames for a short citation: "Chomsky 1959", "Goodall & de Waal", "Whiten et al. 1999".
    /// The authors listed by name, and whether the list ends in "et al.".
    fn named_authors(&self) -> (Vec<&str>, bool) {
        let named: Vec<&str> = self
            .authors
            .iter()
            .map(String::as_str)
            .filter(|a| !is_et_al(a))
            .collect();
        let more = named.len() != self.authors.len();
        (named, more)
    }

    pub fn short_authors(&self) -> String {
        let (named, more) = self.named_authors();
        match named.as_slice() {
            [] => "Unknown author".into(),
            [one] if !more => surname(one),
            [a, b] if !more => format!("{} & {}", surname(a), surname(b)),
            [first, ..] => format!("{} et al.", surname(first)),
        }
    }

    /// "Chomsky 1959", or "Chomsky, year unknown".
    pub fn short_citation(&self) -> String {
        match self.year {
            Some(y) => format!("{} {y}", self.short_authors()),
            None => format!("{}, year unknown", self.short_authors()),
        }
    }

    /// Authors for a full citation: all of them up to three, else the first and "et al.".
    pub fn long_authors(&self) -> String {
        let (named, more) = self.named_authors();
        match named.as_slice() {
            [] => "Unknown author".into(),
            list if list.len() > 3 || more => format!("{} et al.", list[0]),
            [one] => (*one).into(),
            [a, b] => format!("{a} and {b}"),
            [a, b, c] => format!("{a}, {b} and {c}"),
            _ => unreachable!("lists longer than three are handled above"),
        }
    }

    /// The sort key for the bibliography: first author's surname, then year, then title.
    pub fn sort_key(&self) -> (String, i64, String) {
        let first = self
            .authors
            .iter()
            .find(|a| !is_et_al(a))
            .map(|a| surname(a))
            .unwrap_or_default();
        // "de Waal" sorts under W, as most style guides do for Dutch names.
        let sortable = first
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_lowercase();
        (
            sortable,
            self.year.unwrap_or(i64::MAX),
            self.title.to_lowercase(),
        )
    }
}

fn is_et_al(a: &str) -> bool {
    a.trim().trim_end_matches('.').eq_ignore_ascii_case("et al")
}

/// The family name of a full name, keeping particles: "Frans de Waal" -> "de Waal".
pub fn surname(full: &str) -> String {
    const PARTICLES: [&str; 10] = [
        "de", "van", "von", "der", "den", "da", "di", "le", "la", "du",
    ];
    let words: Vec<&str> = full.split_whitespace().collect();
    let Some(last) = words.len().checked_sub(1) else {
        return String::new();
    };
    let mut start = last;
    while start > 1 && PARTICLES.contains(&words[start - 1].to_lowercase().as_str()) {
        start -= 1;
    }
    // A lone corporate author ("OpenAI", "MIRI") is its own surname.
    words[start..].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(authors: &[&str], year: Option<i64>) -> Reference {
        Reference {
            key: Spanned::new(0..0, "k".into()),
            authors: authors.iter().map(|s| s.to_string()).collect(),
            title: "T".into(),
            year,
            venue: None,
            url: None,
            cells: vec![],
            role: None,
            note: None,
            verified_by: None,
            unverified: vec![],
        }
    }

    #[test]
    fn short_citations() {
        assert_eq!(
            r(&["Noam Chomsky"], Some(1959)).short_citation(),
            "Chomsky 1959"
        );
        assert_eq!(
            r(&["Frans de Waal"], Some(1982)).short_citation(),
            "de Waal 1982"
        );
        assert_eq!(r(&["A B", "C D"], Some(1)).short_citation(), "B & D 1");
        assert_eq!(
            r(&["A B", "C D", "E F"], Some(1)).short_citation(),
            "B et al. 1"
        );
        assert_eq!(
            r(&["Alex Turner", "et al."], Some(2023)).short_citation(),
            "Turner et al. 2023"
        );
        assert_eq!(r(&["X Y"], None).short_citation(), "Y, year unknown");
    }

    #[test]
    fn long_authors_shorten_past_three() {
        assert_eq!(
            r(&["A B", "C D", "E F"], None).long_authors(),
            "A B, C D and E F"
        );
        assert_eq!(
            r(&["A B", "C D", "E F", "G H"], None).long_authors(),
            "A B et al."
        );
    }
}
