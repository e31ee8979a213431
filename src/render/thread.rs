//! The comment thread: nested replies, scores, permalinks and annotations.
//!
//! Comment bodies are text from strangers. They are rendered from Markdown and then
//! sanitized with ammonia: raw HTML is reduced to harmless tags, `javascript:` and `data:`
//! URLs are dropped, and links get `rel="nofollow noopener noreferrer"`. Nothing from a
//! body reaches the page any other way.

use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser};

use super::{escape, markdown::render_snippet};
use crate::resolve::Linked;

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow noopener noreferrer"))
            .url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

/// A comment body, Markdown in, safe HTML out.
pub fn sanitize_body(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        Parser::new_ext(
            markdown,
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
        ),
    );
    sanitizer().clean(&html).to_string()
}

/// The whole thread as nested HTML. `root` prefixes links to other pages.
pub fn thread_html(linked: &Linked, root: &str) -> String {
    let mut s = String::new();
    let t = &linked.thread;
    s.push_str("<ol class=\"thread\">\n");
    for &i in &t.roots {
        comment_html(linked, i, 0, root, &mut s);
    }
    s.push_str("</ol>\n");
    s
}

fn comment_html(linked: &Linked, i: usize, depth: usize, root: &str, s: &mut String) {
    let c = &linked.content.thread.comments[i];
    let id = escape(c.id.get_ref());
    let essay_author = linked.content.essay.front.author.as_deref();
    let is_op = c.author.is_some() && c.author.as_deref() == essay_author;
    s.push_str(&format!(
        "<li class=\"comment{}{}\" id=\"comment-{id}\" data-depth=\"{depth}\">\n<article aria-labelledby=\"comment-{id}-by\">\n<header class=\"comment-meta\">",
        if is_op { " by-post-author" } else { "" },
        if c.deleted { " deleted" } else { "" },
    ));
    let author = match (&c.author, c.deleted) {
        (_, true) => "<span class=\"author unknown\">[comment deleted]</span>".to_string(),
        (Some(a), _) => format!("<span class=\"author\">{}</span>", escape(a)),
        (None, _) => "<span class=\"author unknown\">unknown author</span>".to_string(),
    };
    s.push_str(&format!("<span id=\"comment-{id}-by\">{author}</span>"));
    if is_op {
        s.push_str(" <span class=\"badge\" title=\"The essay's author\">post author</span>");
    }
    if let Some(date) = c
        .date
        .as_ref()
        .and_then(|d| crate::content::comments::parse_date(d.get_ref()))
    {
        s.push_str(&format!(" <time datetime=\"{date}\">{date}</time>"));
    } else {
        s.push_str(" <span class=\"date unknown\">date unknown</span>");
    }
    s.push_str(&scores(c));
    s.push_str(&format!(
        " <a class=\"permalink\" href=\"#comment-{id}\" aria-label=\"Permalink to this comment\">#</a></header>\n"
    ));
    for (k, a) in c.annotations.iter().enumerate() {
        let Some(la) = linked
            .thread
            .annotations
            .iter()
            .find(|la| la.comment == i && la.index == k)
        else {
            continue;
        };
        s.push_str("<aside class=\"annotation\">");
        match &la.block {
            Some(block) => s.push_str(&format!(
                "<p class=\"annotation-label\">About this passage (<a href=\"{root}index.html#{block}\">in the essay</a>):</p>"
            )),
            None => s.push_str(
                "<p class=\"annotation-label\">About a passage since removed from the essay:</p>",
            ),
        }
        s.push_str(&format!(
            "<blockquote class=\"annotation-quote{}\">{}</blockquote>",
            if la.block.is_none() { " removed" } else { "" },
            escape(a.quote.get_ref())
        ));
        if let Some(note) = &a.note {
            s.push_str(&format!(
                "<div class=\"editor-note\"><span class=\"note-label\">Editor's note:</span> {}</div>",
                render_snippet(note, linked, root)
            ));
        }
        if let Some(cell) = &la.cell {
            s.push_str(&format!(
                "<p class=\"annotation-cell\">Grid cell: <a href=\"{root}cells/{0}.html\" data-cell=\"{0}\">{1}</a></p>",
                escape(cell),
                escape(
                    &linked
                        .grid
                        .as_ref()
                        .and_then(|g| g.find(cell))
                        .map_or(cell.clone(), |c| c.name.clone())
                )
            ));
        }
        s.push_str("</aside>\n");
    }
    if c.deleted {
        s.push_str("<div class=\"comment-body\"><p><em>This comment was deleted.</em></p></div>\n");
    } else {
        s.push_str(&format!(
            "<div class=\"comment-body\">{}</div>\n",
            sanitize_body(&c.body)
        ));
    }
    s.push_str("</article>\n");
    let children = &linked.thread.children[i];
    if !children.is_empty() {
        s.push_str("<ol class=\"replies\">\n");
        for &child in children {
            comment_html(linked, child, depth + 1, root, s);
        }
        s.push_str("</ol>\n");
    }
    s.push_str("</li>\n");
}

fn scores(c: &crate::content::Comment) -> String {
    let mut parts = Vec::new();
    if let Some(k) = c.karma {
        parts.push(format!(
            "<span class=\"score karma\" title=\"Karma\">{k} karma</span>"
        ));
    }
    if let Some(k) = c.af_karma {
        parts.push(format!(
            "<span class=\"score af-karma\" title=\"AI Alignment Forum karma\">Ω {k} <span class=\"score-label\">AF karma</span></span>"
        ));
    }
    if let Some(k) = c.agreement {
        parts.push(format!(
            "<span class=\"score agreement\" title=\"Agreement votes\">{k} agreement</span>"
        ));
    }
    if parts.is_empty() {
        return " <span class=\"scores unknown\">scores unknown</span>".into();
    }
    let raw = c
        .scores_raw
        .as_ref()
        .map(|r| format!(" title=\"As shown in the source: {}\"", escape(r)))
        .unwrap_or_default();
    format!(" <span class=\"scores\"{raw}>{}</span>", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::sanitize_body;

    #[test]
    fn hostile_markup_is_neutralized() {
        let out = sanitize_body(
            "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"data:text/html,hi\">d</a> [ok](https://example.org)",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("href=\"javascript:"), "{out}");
        assert!(!out.contains("href=\"data:"), "{out}");
        assert!(
            out.contains("rel=\"nofollow noopener noreferrer\""),
            "{out}"
        );
    }
}
