//! "Cite this essay": the essay's own citation, in the forms people paste: a formatted
//! reference, a BibTeX entry, CSL-JSON (what Zotero, Pandoc and citeproc read), and the
//! Highwire `citation_*` meta tags Google Scholar and Zotero read from the page.
//!
//! Everything comes from the essay's front matter. A field the front matter doesn't give
//! is left out of every form; nothing is guessed (no name split into given and family
//! names, no publisher read off a URL).

use serde::Serialize;

use crate::content::essay::FrontMatter;

/// The file beside the page that holds the CSL-JSON.
pub const CSL_JSON_PATH: &str = "citation.json";
/// The file beside the page that holds the BibTeX entry.
pub const BIBTEX_PATH: &str = "citation.bib";

/// The essay's citation in every form, for the templates.
#[derive(Debug, Clone, Serialize)]
pub struct EssayCitation {
    /// The BibTeX key, e.g. `ngo2024defining`.
    pub key: String,
    /// The formatted reference as plain text.
    pub text: String,
    pub bibtex: String,
    pub csl_json: String,
    /// The Highwire meta tags, in the order Google Scholar documents them.
    pub meta: Vec<MetaTag>,
    pub csl_json_path: &'static str,
    pub bibtex_path: &'static str,
}

/// `<meta name="{name}" content="{content}">`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaTag {
    pub name: &'static str,
    pub content: String,
}

fn tag(name: &'static str, content: &str) -> MetaTag {
    MetaTag {
        name,
        content: content.to_string(),
    }
}

/// What a citation is made of: the front matter's fields, and the address of the work.
#[derive(Debug, Clone, Default)]
struct Work<'a> {
    title: &'a str,
    author: Option<&'a str>,
    date: Option<(u16, Option<u8>, Option<u8>)>,
    url: Option<&'a str>,
}

/// The citation of the essay. The URL cited is where the essay was first published
/// (`original_url`); without one, this edition's address (`base_url`) when it is known.
/// `page_url` is this edition's front page, for `citation_fulltext_html_url`.
pub fn essay_citation(
    front: &FrontMatter,
    language: &str,
    page_url: Option<&str>,
) -> EssayCitation {
    let date = front.date.and_then(|d| d.date).map(|d| {
        let month = (d.month != 0).then_some(d.month);
        let day = (d.day != 0).then_some(d.day);
        (d.year, month, day)
    });
    let work = Work {
        title: front.title.trim(),
        author: front
            .author
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty()),
        date,
        url: front
            .original_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .or(page_url),
    };
    let key = citation_key(&work);
    let mut meta = vec![tag("citation_title", work.title)];
    if let Some(author) = work.author {
        meta.push(tag("citation_author", author));
    }
    if let Some(date) = work.date {
        meta.push(tag("citation_publication_date", &slash_date(date)));
    }
    if let Some(url) = work.url {
        meta.push(tag("citation_public_url", url));
    }
    if let Some(page) = page_url {
        meta.push(tag("citation_fulltext_html_url", page));
    }
    if !language.is_empty() {
        meta.push(tag("citation_language", language));
    }
    EssayCitation {
        text: formatted(&work),
        bibtex: bibtex(&work, &key),
        csl_json: csl_json(&work, &key, language),
        key,
        meta,
        csl_json_path: CSL_JSON_PATH,
        bibtex_path: BIBTEX_PATH,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `Richard Ngo. “Defining alignment research.” 19 August 2024. https://…`
fn formatted(work: &Work) -> String {
    let mut parts = Vec::new();
    if let Some(author) = work.author {
        parts.push(end_with_period(author));
    }
    let title = work.title.trim_end_matches('.');
    parts.push(format!("“{title}.”"));
    if let Some(date) = work.date {
        parts.push(format!("{}.", long_date(date)));
    }
    if let Some(url) = work.url {
        parts.push(url.to_string());
    }
    parts.join(" ")
}

fn end_with_period(s: &str) -> String {
    if s.ends_with('.') {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn long_date((year, month, day): (u16, Option<u8>, Option<u8>)) -> String {
    let month_name = month.and_then(|m| MONTHS.get(usize::from(m).wrapping_sub(1)));
    match (day, month_name) {
        (Some(d), Some(m)) => format!("{d} {m} {year}"),
        (None, Some(m)) => format!("{m} {year}"),
        _ => year.to_string(),
    }
}

/// Highwire's date form: `2024/08/19`.
fn slash_date((year, month, day): (u16, Option<u8>, Option<u8>)) -> String {
    let mut s = format!("{year:04}");
    if let Some(m) = month {
        s.push_str(&format!("/{m:02}"));
        if let Some(d) = day {
            s.push_str(&format!("/{d:02}"));
        }
    }
    s
}

/// The key BibTeX users expect: the author's last word, the year, the title's first
/// significant word (`ngo2024defining`), each part left out when unknown.
fn citation_key(work: &Work) -> String {
    let ascii = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let name = work
        .author
        .and_then(|a| a.split([',', '&']).next())
        .and_then(|a| a.split_whitespace().last())
        .map(ascii)
        .unwrap_or_default();
    let year = work.date.map(|d| d.0.to_string()).unwrap_or_default();
    const SMALL: [&str; 8] = ["a", "an", "the", "on", "of", "in", "to", "and"];
    let word = work
        .title
        .split_whitespace()
        .map(ascii)
        .find(|w| !w.is_empty() && !SMALL.contains(&w.as_str()))
        .unwrap_or_default();
    let key = format!("{name}{year}{word}");
    if key.is_empty() {
        "essay".to_string()
    } else {
        key
    }
}

/// A `@misc` entry (understood by BibTeX and biblatex alike).
fn bibtex(work: &Work, key: &str) -> String {
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(author) = work.author {
        fields.push(("author", bibtex_escape(author)));
    }
    // Braces keep the title's capitals as written.
    fields.push(("title", format!("{{{}}}", bibtex_escape(work.title))));
    if let Some((year, month, _)) = work.date {
        fields.push(("year", year.to_string()));
        if let Some(m) = month {
            fields.push(("month", m.to_string()));
        }
    }
    if let Some(date) = work.date {
        fields.push(("date", iso_date(date)));
    }
    if let Some(url) = work.url {
        fields.push(("url", url_escape(url)));
    }
    let mut out = format!("@misc{{{key},\n");
    for (name, value) in &fields {
        out.push_str(&format!("  {name:<6} = {{{value}}},\n"));
    }
    out.push_str("}\n");
    out
}

fn iso_date((year, month, day): (u16, Option<u8>, Option<u8>)) -> String {
    let mut s = format!("{year:04}");
    if let Some(m) = month {
        s.push_str(&format!("-{m:02}"));
        if let Some(d) = day {
            s.push_str(&format!("-{d:02}"));
        }
    }
    s
}

/// Text inside a braced BibTeX field: TeX's special characters as commands.
fn bibtex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c => out.push(c),
        }
    }
    out
}

/// A URL is verbatim in biblatex; only what would unbalance the braces is percent-encoded.
fn url_escape(url: &str) -> String {
    url.replace('{', "%7B")
        .replace('}', "%7D")
        .replace('\\', "%5C")
}

/// One CSL-JSON item in an array, as Zotero and Pandoc import it.
fn csl_json(work: &Work, key: &str, language: &str) -> String {
    let mut item = serde_json::Map::new();
    item.insert("id".into(), key.into());
    item.insert("type".into(), "post-weblog".into());
    item.insert("title".into(), work.title.into());
    if let Some(author) = work.author {
        // The name as the byline writes it: splitting it into family and given names
        // would be a guess.
        item.insert("author".into(), serde_json::json!([{ "literal": author }]));
    }
    if let Some((year, month, day)) = work.date {
        let mut parts = vec![serde_json::Value::from(year)];
        if let Some(m) = month {
            parts.push(m.into());
            if let Some(d) = day {
                parts.push(d.into());
            }
        }
        item.insert(
            "issued".into(),
            serde_json::json!({ "date-parts": [parts] }),
        );
    }
    if let Some(url) = work.url {
        item.insert("URL".into(), url.into());
    }
    if !language.is_empty() {
        item.insert("language".into(), language.into());
    }
    let mut text =
        serde_json::to_string_pretty(&serde_json::Value::Array(vec![serde_json::Value::Object(
            item,
        )]))
        .unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(toml_text: &str) -> FrontMatter {
        toml::from_str(toml_text).expect("front matter")
    }

    #[test]
    fn every_field_in_every_form() {
        let c = essay_citation(
            &front(
                "title = \"Defining alignment research\"\nauthor = \"Richard Ngo\"\ndate = 2024-08-19\noriginal_url = \"https://example.org/post\"",
            ),
            "en",
            Some("https://ed.example/"),
        );
        assert_eq!(c.key, "ngo2024defining");
        assert_eq!(
            c.text,
            "Richard Ngo. “Defining alignment research.” 19 August 2024. https://example.org/post"
        );
        assert!(c.bibtex.starts_with("@misc{ngo2024defining,\n"));
        assert!(
            c.bibtex
                .contains("title  = {{Defining alignment research}},")
        );
        assert!(c.bibtex.contains("date   = {2024-08-19},"));
        assert!(
            c.meta
                .contains(&tag("citation_publication_date", "2024/08/19"))
        );
        assert!(
            c.meta
                .contains(&tag("citation_fulltext_html_url", "https://ed.example/"))
        );
        let csl: serde_json::Value = serde_json::from_str(&c.csl_json).unwrap();
        assert_eq!(
            csl[0]["issued"]["date-parts"][0],
            serde_json::json!([2024, 8, 19])
        );
        assert_eq!(csl[0]["author"][0]["literal"], "Richard Ngo");
    }

    #[test]
    fn missing_fields_are_left_out() {
        let c = essay_citation(&front("title = \"On grids\""), "", None);
        assert_eq!(c.text, "“On grids.”");
        assert_eq!(c.key, "grids");
        assert_eq!(c.meta, vec![tag("citation_title", "On grids")]);
        for absent in ["author", "year", "date", "url"] {
            assert!(!c.bibtex.contains(absent), "{absent} in {}", c.bibtex);
        }
        let csl: serde_json::Value = serde_json::from_str(&c.csl_json).unwrap();
        assert_eq!(
            csl[0].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["id", "title", "type"]
        );
    }

    #[test]
    fn tex_specials_are_escaped() {
        assert_eq!(bibtex_escape("R&D 100% {x}"), "R\\&D 100\\% \\{x\\}");
    }
}
