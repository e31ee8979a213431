//! The last step for untrusted HTML, after the sanitizer: what ammonia leaves can still be
//! invalid HTML. A link whose URL it removed stays an `<a>` with no `href` (no link to a
//! reader or a crawler, and invalid with `rel`), and raw HTML in a comment can nest what
//! HTML forbids (a `<table>` inside an `<i>`) because the parser accepts it.
//!
//! Input is ammonia's serialization: every element is closed, attribute values are
//! quoted, and a `<` in text is escaped, so a scan of tags is exact. This module knows
//! nothing of comments; it may not allow anything the sanitizer removed.

use crate::html;

/// Elements whose content must be phrasing content.
const PHRASING_ONLY: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "dfn", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "i", "kbd", "mark", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "u", "var",
];

/// Elements that are flow content but not phrasing content.
const FLOW_ONLY: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Elements that may only stand in certain parents (the parser fixes tables' inner
/// structure itself, but not a stray `<li>` or `<dd>`).
fn allowed_parent(child: &str, parent: Option<&str>) -> bool {
    match child {
        "li" => matches!(parent, Some("ul" | "ol" | "menu")),
        "dt" | "dd" => matches!(parent, Some("dl" | "div")),
        _ => true,
    }
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Sanitized HTML made valid: links without an `href` become their text. Returns `None`
/// when the markup nests elements in a way HTML forbids; the caller then shows the
/// source as text.
pub fn tidy(html: &str) -> Option<String> {
    let html = unwrap_hrefless_links(html);
    nesting_is_valid(&html).then_some(html)
}

/// `<a rel="…">text</a>` with no `href` -> `text`. Links can't nest (the parser closes an
/// open `<a>` when another starts), so the next `</a>` is the one that closes it.
fn unwrap_hrefless_links(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut at = 0;
    for tag in html::tags(input) {
        if tag.name != "a" || tag.attr("href").is_some() || tag.span.start < at {
            continue;
        }
        out.push_str(&input[at..tag.span.start]);
        let after = tag.span.end;
        match input[after..].find("</a>") {
            Some(rel) => {
                out.push_str(&input[after..after + rel]);
                at = after + rel + "</a>".len();
            }
            None => at = after,
        }
    }
    out.push_str(&input[at..]);
    out
}

/// Whether every element stands where HTML's content models allow it (for the elements a
/// comment may contain).
fn nesting_is_valid(input: &str) -> bool {
    let starts = html::tags(input);
    let mut next_start = starts.iter().peekable();
    let mut stack: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(rel) = input[i..].find('<') {
        let pos = i + rel;
        if let Some(tag) = next_start.peek().filter(|t| t.span.start == pos) {
            let name = tag.name.as_str();
            let parent = stack.last().copied();
            if FLOW_ONLY.contains(&name) && stack.iter().any(|open| PHRASING_ONLY.contains(open)) {
                return false;
            }
            if !allowed_parent(name, parent) {
                return false;
            }
            if !VOID.contains(&name) && !input[..tag.span.end].ends_with("/>") {
                stack.push(name);
            }
            i = tag.span.end;
            next_start.next();
        } else if input[pos..].starts_with("</") {
            let end = input[pos..].find('>').map_or(input.len(), |e| pos + e + 1);
            let name = input[pos + 2..end.saturating_sub(1)]
                .trim()
                .to_ascii_lowercase();
            if let Some(depth) = stack.iter().rposition(|open| *open == name) {
                stack.truncate(depth);
            }
            i = end;
        } else {
            i = pos + 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_without_href_becomes_its_text() {
        assert_eq!(
            tidy(r#"<p>see <a rel="nofollow noopener noreferrer">here</a> and <a href="https://example.org/" rel="nofollow">there</a></p>"#).unwrap(),
            r#"<p>see here and <a href="https://example.org/" rel="nofollow">there</a></p>"#
        );
        assert_eq!(tidy("<a>one</a><a>two</a>").unwrap(), "onetwo");
    }

    #[test]
    fn flow_content_inside_phrasing_is_refused() {
        assert_eq!(
            tidy("<i><table><tbody><tr><td>x</td></tr></tbody></table></i>"),
            None
        );
        assert_eq!(tidy("<p><span><div>x</div></span></p>"), None);
        assert_eq!(tidy("<div><li>stray</li></div>"), None);
    }

    #[test]
    fn valid_markup_is_kept_as_it_is() {
        let ok = "<blockquote><p><em>a</em> <a href=\"#x\" title=\"a>b\">b</a></p></blockquote>\
                  <ul><li><p>c</p><table><tbody><tr><td><b>d</b></td></tr></tbody></table></li></ul>\
                  <dl><dt>t</dt><dd><p>e</p></dd></dl><p>f<br>g</p>";
        assert_eq!(tidy(ok).as_deref(), Some(ok));
    }
}
