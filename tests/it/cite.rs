//! "Cite this essay": the appendix on the front page, `citation.bib`, `citation.json` and
//! the Highwire meta tags, on the default essay and on fixtures with fewer front-matter
//! fields. The BibTeX is read back with a real BibTeX parser (the `biblatex` crate).

use std::path::Path;

use biblatex::{Bibliography, ChunksExt, DateValue, PermissiveType};

use crate::support::{front_matter, output_text, quire, repo};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copies the project at `from` (its `content/`) into a temp dir, with the essay's front
/// matter replaced when `front` is given.
fn project(from: &Path, front: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    for entry in std::fs::read_dir(from.join("content")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), content.join(entry.file_name())).unwrap();
    }
    if let Some(front) = front {
        let essay = read(&content.join("essay.md"));
        let body = essay
            .strip_prefix("+++\n")
            .and_then(|rest| rest.split_once("\n+++\n"))
            .map(|(_, body)| body)
            .expect("front matter");
        std::fs::write(content.join("essay.md"), format!("+++\n{front}+++\n{body}")).unwrap();
    }
    dir
}

fn build(root: &Path, extra: &[&str]) -> std::path::PathBuf {
    let out = root.join("site");
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = quire(&args);
    assert!(o.status.success(), "{}", output_text(&o));
    out
}

/// What the page's `<pre id="cite-bibtex">` holds, unescaped.
fn bibtex_on_page(index: &str) -> String {
    let start = index
        .find("<pre id=\"cite-bibtex\"")
        .expect("the page has the BibTeX entry");
    let code = &index[start..];
    let code = &code[code.find("<code>").expect("<code>") + 6..code.find("</code>").unwrap()];
    code.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn meta(index: &str, name: &str) -> Vec<String> {
    let needle = format!("<meta name=\"{name}\" content=\"");
    index
        .match_indices(&needle)
        .map(|(at, _)| {
            let rest = &index[at + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn default_essay_bibtex_parses_and_matches_the_front_matter() {
    let p = project(&repo(), None);
    let site = build(p.path(), &["--base-url", "https://example.org/essay/"]);
    let front = front_matter(&read(&repo().join("content/essay.md")), "essay.md");
    let index = read(&site.join("index.html"));

    let file = read(&site.join("citation.bib"));
    assert_eq!(
        bibtex_on_page(&index),
        file,
        "the page shows the .bib file's entry"
    );
    let bib = Bibliography::parse(&file).unwrap_or_else(|e| panic!("{e:?}\n{file}"));
    assert_eq!(bib.len(), 1, "{file}");
    let entry = bib.iter().next().unwrap();
    assert_eq!(entry.key, "ngo2024defining");
    assert_eq!(
        entry.get("title").unwrap().format_verbatim(),
        front["title"].as_str().unwrap()
    );
    let authors = entry.author().expect("author");
    assert_eq!(authors.len(), 1);
    assert_eq!(
        format!("{} {}", authors[0].given_name, authors[0].name),
        front["author"].as_str().unwrap()
    );
    let PermissiveType::Typed(date) = entry.date().expect("date") else {
        panic!("date does not parse: {file}")
    };
    let DateValue::At(at) = date.value else {
        panic!("{date:?}")
    };
    // biblatex counts months and days from zero.
    assert_eq!(
        (at.year, at.month.map(|m| m + 1), at.day.map(|d| d + 1)),
        (2024, Some(8), Some(19))
    );
    assert_eq!(front["date"], "2024-08-19");
    assert_eq!(
        entry.url().expect("url"),
        front["original_url"].as_str().unwrap()
    );

    // The formatted citation, CSL-JSON and Highwire tags carry the same facts.
    assert!(index.contains(
        "<p class=\"cite-text\" id=\"cite-text\">Richard Ngo. “Defining alignment research.” 19 August 2024. https://www.lesswrong.com/posts/67fNBeHrjdrZZNDDK/defining-alignment-research</p>"
    ), "formatted citation");
    let csl: serde_json::Value = serde_json::from_str(&read(&site.join("citation.json"))).unwrap();
    assert_eq!(csl[0]["title"], front["title"]);
    assert_eq!(csl[0]["author"][0]["literal"], front["author"]);
    assert_eq!(
        csl[0]["issued"]["date-parts"][0],
        serde_json::json!([2024, 8, 19])
    );
    assert_eq!(csl[0]["URL"], front["original_url"]);
    assert_eq!(
        meta(&index, "citation_title"),
        [front["title"].as_str().unwrap()]
    );
    assert_eq!(meta(&index, "citation_author"), ["Richard Ngo"]);
    assert_eq!(meta(&index, "citation_publication_date"), ["2024/08/19"]);
    assert_eq!(
        meta(&index, "citation_public_url"),
        [front["original_url"].as_str().unwrap()]
    );
    assert_eq!(
        meta(&index, "citation_fulltext_html_url"),
        ["https://example.org/essay/"]
    );
    // Only the essay's page is the essay.
    let cell = read(&site.join("cells/cognitivist-worst.html"));
    assert!(
        !cell.contains("citation_title"),
        "a cell page is not the essay"
    );
    assert!(index.contains("<a href=\"citation.json\""));
    assert!(index.contains("<a href=\"citation.bib\""));
}

/// The 2x4 fixture has a title, an author and a date but no original URL; with one more
/// field taken away at a time, no form of the citation shows what the front matter lacks.
#[test]
fn fewer_front_matter_fields_invent_nothing() {
    let fixture = repo().join("tests/fixtures/valid/grid-2x4");
    // As the fixture is: no URL (and no base_url, so no address at all).
    let p = project(&fixture, None);
    let site = build(p.path(), &[]);
    let index = read(&site.join("index.html"));
    let bib = read(&site.join("citation.bib"));
    let entry_text = bibtex_on_page(&index);
    assert_eq!(entry_text, bib);
    let parsed = Bibliography::parse(&bib).unwrap_or_else(|e| panic!("{e:?}\n{bib}"));
    let entry = parsed.iter().next().unwrap();
    assert_eq!(entry.key, "author2023garden");
    assert_eq!(
        entry.get("title").unwrap().format_verbatim(),
        "A garden through the year"
    );
    assert!(entry.get("url").is_none(), "{bib}");
    assert!(meta(&index, "citation_public_url").is_empty());
    assert!(meta(&index, "citation_fulltext_html_url").is_empty());
    let csl: serde_json::Value = serde_json::from_str(&read(&site.join("citation.json"))).unwrap();
    assert!(csl[0].get("URL").is_none(), "{csl}");
    assert!(index.contains(
        "<p class=\"cite-text\" id=\"cite-text\">Test Author. “A garden through the year.” 6 May 2023.</p>"
    ));

    // Only a title: no author, date or URL anywhere, and no "unknown" placeholder either.
    let p = project(&fixture, Some("title = \"A garden through the year\"\n"));
    let site = build(p.path(), &["--base-url", "https://example.org/garden/"]);
    let index = read(&site.join("index.html"));
    let bib = read(&site.join("citation.bib"));
    let parsed = Bibliography::parse(&bib).unwrap_or_else(|e| panic!("{e:?}\n{bib}"));
    let entry = parsed.iter().next().unwrap();
    let fields: Vec<&str> = entry.fields.keys().map(String::as_str).collect();
    // The edition's own address is a fact the author gave (base_url); it stands in for
    // the missing original URL.
    assert_eq!(fields, ["title", "url"], "{bib}");
    assert_eq!(entry.url().unwrap(), "https://example.org/garden/");
    for name in ["citation_author", "citation_publication_date"] {
        assert!(meta(&index, name).is_empty(), "{name} written");
    }
    let csl: serde_json::Value = serde_json::from_str(&read(&site.join("citation.json"))).unwrap();
    let keys: Vec<&String> = csl[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["URL", "id", "language", "title", "type"], "{csl}");
    let text = index
        .split("<p class=\"cite-text\" id=\"cite-text\">")
        .nth(1)
        .and_then(|t| t.split("</p>").next())
        .unwrap();
    assert_eq!(
        text,
        "“A garden through the year.” https://example.org/garden/"
    );
}
