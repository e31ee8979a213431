//! A small, tolerant scanner over HTML that quire itself wrote: start tags with their
//! attributes (and the byte range of each value), and the text of `<style>` elements.
//!
//! It is what `check` reads links with and what `export` rewrites them with. It does not
//! build a tree or validate anything: comments, doctypes and end tags are skipped, the
//! contents of `<script>` and `<style>` are raw text, and attribute values may be double-,
//! single- or un-quoted. It never fails: malformed input ends the scan early.

use std::ops::Range;

/// One start tag.
#[derive(Debug, Clone)]
pub struct Tag {
    /// Lower-cased element name.
    pub name: String,
    pub attrs: Vec<Attr>,
    /// Byte range of the whole tag, `<` to `>`.
    pub span: Range<usize>,
    /// For `<style>` and `<script>`: the byte range of the raw text up to the end tag.
    pub raw_text: Option<Range<usize>>,
}

#[derive(Debug, Clone)]
pub struct Attr {
    /// Lower-cased attribute name.
    pub name: String,
    /// The value with character references decoded (empty for a bare attribute).
    pub value: String,
    /// Byte range of the value as written (inside the quotes), for rewriting.
    pub value_span: Range<usize>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.attr(name).map(|a| a.value.as_str())
    }
}

/// Every start tag of `html`, in document order.
pub fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rel) = html[i..].find('<') {
        let start = i + rel;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = match rest.find("-->") {
                Some(end) => start + end + 3,
                None => return out,
            };
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = match rest.find('>') {
                Some(end) => start + end + 1,
                None => return out,
            };
            continue;
        }
        let name_len = rest[1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        if name_len == 0 || !bytes[start + 1].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = rest[1..1 + name_len].to_ascii_lowercase();
        let (attrs, end) = attributes(html, start + 1 + name_len);
        let mut tag = Tag {
            name,
            attrs,
            span: start..end,
            raw_text: None,
        };
        i = end;
        if tag.name == "script" || tag.name == "style" {
            let close = format!("</{}", tag.name);
            let text_end = find_ci(&html[end..], &close).map_or(html.len(), |p| end + p);
            tag.raw_text = Some(end..text_end);
            i = text_end;
        }
        out.push(tag);
    }
    out
}

/// Attributes from `i` (just after the tag name) to the closing `>`; returns them and the
/// offset just past the tag.
fn attributes(html: &str, mut i: usize) -> (Vec<Attr>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/".contains(&b[i]) {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let (span, next) = match b.get(j) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |p| j + 1 + p);
                    (j + 1..end, (end + 1).min(b.len()))
                }
                _ => {
                    let mut end = j;
                    while end < b.len() && !b[end].is_ascii_whitespace() && b[end] != b'>' {
                        end += 1;
                    }
                    (j..end, end)
                }
            };
            attrs.push(Attr {
                name,
                value: decode_entities(&html[span.clone()]),
                value_span: span,
            });
            i = next;
        } else {
            attrs.push(Attr {
                name,
                value: String::new(),
                value_span: i..i,
            });
        }
    }
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Decodes the character references quire and its templates write (`&amp;` and friends,
/// numeric references); anything else is kept as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .map(|e| e + 1);
        let decoded = match end {
            Some(e) if rest.as_bytes()[e] == b';' => {
                let name = &rest[1..e];
                let c = match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    _ => name.strip_prefix('#').and_then(|n| {
                        let code = match n.strip_prefix(['x', 'X']) {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => n.parse().ok(),
                        };
                        code.and_then(char::from_u32)
                    }),
                };
                c.map(|c| (c, e + 1))
            }
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Percent-decodes a URL path or fragment; `None` when it is not valid UTF-8 afterwards.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The `url(...)` and `@import "..."` references of a stylesheet, with their byte ranges.
pub fn css_urls(css: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let lower = css.to_ascii_lowercase();
    let mut i = 0;
    while let Some(p) = lower[i..].find("url(") {
        let start = i + p + 4;
        let Some(close) = css[start..].find(')') else {
            break;
        };
        let raw = &css[start..start + close];
        let trimmed = raw.trim().trim_matches(['"', '\'']);
        let offset = raw.find(trimmed).unwrap_or(0);
        out.push((
            trimmed.to_string(),
            start + offset..start + offset + trimmed.len(),
        ));
        i = start + close;
    }
    let mut i = 0;
    while let Some(p) = lower[i..].find("@import") {
        let start = i + p + 7;
        let rest = &css[start..];
        let trimmed = rest.trim_start();
        let lead = rest.len() - trimmed.len();
        if let Some(q) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'')
            && let Some(end) = trimmed[1..].find(q)
        {
            let s = start + lead + 1;
            out.push((trimmed[1..1 + end].to_string(), s..s + end));
        }
        i = start;
    }
    out
}

/// Whether a URL names another host (or is protocol-relative), as opposed to a file of
/// the site or a `data:`/`mailto:` URL.
pub fn is_remote(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("//")
}

/// Whether a URL has a scheme (`https:`, `mailto:`, `data:`...), i.e. is not a relative
/// reference to a file of the site.
pub fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_tags_and_attributes() {
        let html = r#"<!doctype html><!-- <a href="no"> --><p id=x class='a b'>t</p>
<a href="a.html#f&amp;g" data-x>y</a><script>if (a<b) { "<a href='z'>" }</script><IMG SRC=pic.png alt="">"#;
        let tags = tags(html);
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["p", "a", "script", "img"]);
        assert_eq!(tags[0].get("id"), Some("x"));
        assert_eq!(tags[0].get("class"), Some("a b"));
        assert_eq!(tags[1].get("href"), Some("a.html#f&g"));
        assert_eq!(tags[1].get("data-x"), Some(""));
        let span = tags[1].attr("href").unwrap().value_span.clone();
        assert_eq!(&html[span], "a.html#f&amp;g");
        assert_eq!(tags[3].get("src"), Some("pic.png"));
    }

    #[test]
    fn finds_css_urls() {
        let css = "@import 'x.css'; a { background: url( \"i.png\" ) } b { src: url(f.woff2) }";
        let urls: Vec<String> = css_urls(css).into_iter().map(|(u, _)| u).collect();
        assert_eq!(urls, ["i.png", "f.woff2", "x.css"]);
    }

    #[test]
    fn classifies_urls() {
        assert!(is_remote("https://example.org/x.js"));
        assert!(is_remote("//cdn.example.org/x.js"));
        assert!(!is_remote("cells/a.html"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("cells/a.html#x:y"));
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(decode_entities("&lt;&#39;&#x41;&bogus;"), "<'A&bogus;");
    }
}
