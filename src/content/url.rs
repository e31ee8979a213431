//! The rule every URL an author supplies follows: `http`, `https`, `mailto`, a relative
//! path or a `#fragment`, and in Markdown quire's own `cell:` and `ref:` targets. Anything
//! else (`javascript:`, `data:`, `vbscript:`, `file:` …) is an error at its file and line,
//! so a typo or a pasted snippet can never become script on the page.
//!
//! This module only reads what `content` loaded; it writes nothing. Raw HTML in the essay is
//! the author's own markup and is not looked into here (`quire check` reports a dangerous
//! link anywhere in the built site).

use std::ops::Range;

use pulldown_cmark::{Event, Tag};

use super::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

/// The schemes an author's link may use (compared in lower case).
const ALLOWED: [&str; 3] = ["http", "https", "mailto"];

/// quire's own link targets, resolved before rendering; only meaningful in Markdown.
const QUIRE_TARGETS: [&str; 2] = ["cell", "ref"];

/// The scheme of `url` as a browser reads it, in lower case; `None` for a relative URL.
/// Browsers drop leading spaces and control characters and every tab and newline before
/// looking, so `" java\tscript:"` is `javascript`.
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = cleaned.find([':', '/', '?', '#'])?;
    if cleaned.as_bytes()[end] != b':' {
        return None;
    }
    let name = &cleaned[..end];
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| name.to_ascii_lowercase())
}

/// Whether a URL from a plain field (a reference's `url`, `original_url`) is allowed.
pub fn is_allowed(url: &str) -> bool {
    scheme(url).is_none_or(|s| ALLOWED.contains(&s.as_str()))
}

/// Whether a link or image target written in Markdown is allowed.
fn is_allowed_in_markdown(url: &str) -> bool {
    scheme(url).is_none_or(|s| ALLOWED.contains(&s.as_str()) || QUIRE_TARGETS.contains(&s.as_str()))
}

/// The error for a URL that breaks the rule; `span` is where it is in `file`, when known.
pub fn diagnostic(url: &str, file: &SourceFile, span: Option<Range<usize>>) -> Diagnostic {
    let scheme = scheme(url).unwrap_or_default();
    let d = Diagnostic::error(format!(
        "`{scheme}:` URL in {}: only http, https and mailto links and relative paths are allowed",
        file.path.display()
    ));
    let d = match span {
        Some(span) => d.at(file, span).label(format!("a `{scheme}:` URL")),
        None => d.in_file(&file.path),
    };
    d.help("link to a web page (https://…), an address (mailto:…) or a file of the site (a relative path)")
}

/// Every link and image target in a Markdown text that breaks the rule, with its range in
/// `md`.
pub fn bad_markdown_urls(md: &str) -> Vec<(String, Range<usize>)> {
    let (events, _) = super::essay::parse_body(md);
    events
        .into_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !is_allowed_in_markdown(&dest_url) =>
            {
                Some((dest_url.to_string(), range))
            }
            _ => None,
        })
        .collect()
}

/// Checks every author-supplied URL of the loaded content.
pub fn check(content: &Content, diags: &mut Diagnostics) {
    let essay = &content.essay;
    let file = &essay.file;
    // The essay body: exact positions.
    for (url, range) in bad_markdown_urls(essay.body()) {
        let span = essay.body_offset + range.start..essay.body_offset + range.end;
        diags.push(diagnostic(&url, file, Some(span)));
    }
    // Front matter fields: found by their text (TOML has decoded any escapes).
    let front_matter = &file.text[..essay.body_offset];
    if let Some(url) = essay
        .front
        .original_url
        .as_deref()
        .filter(|u| !is_allowed(u))
    {
        diags.push(diagnostic(url, file, locate(front_matter, url)));
    }
    if let Some(note) = &essay.front.editor_note {
        for (url, _) in bad_markdown_urls(note) {
            diags.push(diagnostic(&url, file, locate(front_matter, &url)));
        }
    }
    if let Some(grid) = &content.grid
        && let Some(file) = &grid.file
    {
        let mut fields: Vec<&str> = Vec::new();
        fields.extend(grid.caption.as_deref());
        fields.extend(grid.axes.rows.as_deref());
        fields.extend(grid.axes.columns.as_deref());
        if let Some(s) = &grid.spectrum {
            fields.extend([s.from.as_str(), s.to.as_str()]);
            fields.extend(s.outside.as_deref());
        }
        for axis in grid.rows.iter().chain(&grid.columns) {
            fields.extend(axis.meaning.as_deref());
        }
        fields.extend(grid.cells.iter().map(|c| c.summary.as_str()));
        for field in fields {
            for (url, _) in bad_markdown_urls(field) {
                diags.push(diagnostic(&url, file, locate(&file.text, &url)));
            }
        }
    }
    if let Some(file) = &content.bibliography.file {
        for r in &content.bibliography.refs {
            if !is_allowed(r.link()) {
                diags.push(diagnostic(r.link(), file, locate(&file.text, r.link())));
            }
            for (url, _) in r.note.as_deref().map(bad_markdown_urls).unwrap_or_default() {
                diags.push(diagnostic(&url, file, locate(&file.text, &url)));
            }
        }
    }
}

/// Where `needle` is written in `text`, if it is written as is.
fn locate(text: &str, needle: &str) -> Option<Range<usize>> {
    if needle.is_empty() {
        return None;
    }
    text.find(needle).map(|at| at..at + needle.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_read_the_way_browsers_read_them() {
        assert_eq!(scheme("javascript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(scheme(" JavaScript:x").as_deref(), Some("javascript"));
        assert_eq!(
            scheme("\u{1}java\tscr\nipt:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme("DATA:text/html,x").as_deref(), Some("data"));
        assert_eq!(scheme("https://example.org/").as_deref(), Some("https"));
        assert_eq!(scheme("cells/a-b.html"), None);
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("#x:y"), None);
        assert_eq!(scheme("?q=a:b"), None);
        assert_eq!(scheme("//example.org/a:b"), None);
        assert_eq!(scheme("1a:b"), None);
    }

    #[test]
    fn only_safe_schemes_are_allowed() {
        for ok in [
            "https://a.org",
            "http://a.org",
            "mailto:a@b.org",
            "x.html#y",
            "",
            "#top",
        ] {
            assert!(is_allowed(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "file:///etc/passwd",
            " javascript:x",
        ] {
            assert!(!is_allowed(bad), "{bad}");
        }
        assert!(!is_allowed("cell:a-b"), "quire's targets are Markdown-only");
        let bad = bad_markdown_urls(
            "[a](cell:a-b) [b](ref:x) [c](JAVASCRIPT:x) ![d](data:image/png;base64,AA) <vbscript:y> [e](https://a.org)",
        );
        let urls: Vec<&str> = bad.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(
            urls,
            ["JAVASCRIPT:x", "data:image/png;base64,AA", "vbscript:y"]
        );
    }
}
