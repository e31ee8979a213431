//! The files a host needs besides the pages: `.nojekyll` (GitHub Pages must serve the site
//! as it is), `CNAME` for a custom domain, and, when the site's absolute address is known
//! (`base_url`), `sitemap.xml` and `robots.txt` for search engines.
//!
//! Pages never depend on `base_url`: links stay relative so the site works at any sub-path
//! and from disk. Only these files and the `<head>` tags that must be absolute use it.

use super::{Page, escape};

/// `.nojekyll`, `CNAME`, `sitemap.xml` and `robots.txt` for the given pages.
pub fn host_files(pages: &[Page], base_url: Option<&str>, cname: Option<&str>) -> Vec<Page> {
    let mut out = vec![Page {
        path: ".nojekyll".into(),
        bytes: Vec::new(),
    }];
    if let Some(host) = cname.and_then(|c| crate::config::validate_cname(c).ok()) {
        out.push(Page {
            path: "CNAME".into(),
            bytes: format!("{host}\n").into_bytes(),
        });
    }
    if let Some(base) = base_url {
        let mut paths: Vec<&str> = pages
            .iter()
            .map(|p| p.path.as_str())
            .filter(|p| p.ends_with(".html") && *p != "404.html")
            .collect();
        paths.sort_by_key(|p| (*p != "index.html", *p));
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for path in paths {
            xml.push_str(&format!(
                "<url><loc>{}</loc></url>\n",
                escape(&page_url(base, path))
            ));
        }
        xml.push_str("</urlset>\n");
        out.push(Page {
            path: "sitemap.xml".into(),
            bytes: xml.into_bytes(),
        });
        out.push(Page {
            path: "robots.txt".into(),
            bytes: format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n").into_bytes(),
        });
    }
    out
}

/// The absolute URL of a page: `base_url` plus its path, the front page as the folder
/// itself (the address people share).
pub fn page_url(base: &str, path: &str) -> String {
    if path == "index.html" {
        base.to_string()
    } else {
        format!("{base}{path}")
    }
}

/// CSS to put inside `<style>`: it must not end the element early. HTML ends it at
/// `</style` in any case (`</STYLE>`, `</Style>`), so the match is case-blind; `\/` is `/`
/// to CSS.
pub fn inline_style(css: &str) -> String {
    escape_ascii_case_blind(css, &["</style"], |m| format!("<\\/{}", &m[2..]))
}

/// JavaScript to put inside `<script>`: it must not end the element early (`</script` in
/// any case), nor open the comment-like state in which `<script` changes how it ends
/// (`<!--`). `\/` and `\!` are `/` and `!` in JavaScript strings and regular expressions.
pub fn inline_script(js: &str) -> String {
    escape_ascii_case_blind(js, &["</script", "<!--"], |m| format!("<\\{}", &m[1..]))
}

/// Replaces every ASCII-case-insensitive occurrence of the `needles` with what `replace`
/// makes of the text as written.
fn escape_ascii_case_blind(
    text: &str,
    needles: &[&str],
    replace: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        for needle in needles {
            if rest
                .as_bytes()
                .get(..needle.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(needle.as_bytes()))
            {
                out.push_str(&replace(&rest[..needle.len()]));
                rest = &rest[needle.len()..];
                continue 'outer;
            }
        }
        out.push('<');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Plain text of an HTML fragment, whitespace collapsed, cut at a word boundary after at
/// most `max` characters (for `<meta name="description">`).
pub fn summary_text(html_fragment: &str, max: usize) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html_fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = crate::html::decode_entities(&text);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        if out.chars().count() + word.chars().count() + 1 > max {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_lists_pages_but_not_the_404() {
        let pages: Vec<Page> = ["index.html", "404.html", "cells/a.html", "quire.css"]
            .iter()
            .map(|p| Page {
                path: p.to_string(),
                bytes: vec![],
            })
            .collect();
        let files = host_files(
            &pages,
            Some("https://u.github.io/r/"),
            Some("a.example.org"),
        );
        let names: Vec<&str> = files.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(names, [".nojekyll", "CNAME", "sitemap.xml", "robots.txt"]);
        let sitemap = String::from_utf8(files[2].bytes.clone()).unwrap();
        assert!(sitemap.contains("<loc>https://u.github.io/r/</loc>"));
        assert!(sitemap.contains("<loc>https://u.github.io/r/cells/a.html</loc>"));
        assert!(!sitemap.contains("404"));
        assert!(host_files(&pages, None, None).len() == 1);
    }

    #[test]
    fn summary_text_strips_tags_and_cuts_at_a_word() {
        assert_eq!(
            summary_text(
                "<p>Worst-case <em>and</em> cognitivist &amp; more words</p>",
                30
            ),
            "Worst-case and cognitivist &…"
        );
    }
}
