//! A forum comment's HTML (`contents.html`) to the Markdown comments.toml holds, with
//! [htmd](https://docs.rs/htmd) (html5ever underneath, so any input parses).
//!
//! Links, emphasis, lists, quotes, code and tables come through as Markdown. Images become
//! links to the image, because quire's sanitizer shows no images in comments. The result is
//! still untrusted text: the renderer sanitizes it like any other comment body.

use std::rc::Rc;
use std::sync::OnceLock;

use htmd::options::{BulletListMarker, HrStyle, Options};
use htmd::{Element, HtmlToMarkdown};

/// Deeper markup than this is refused: the converter walks the tree recursively, and no
/// real comment nests a hundred elements (quire's thread renders such bodies as text anyway).
pub const MAX_DEPTH: usize = 100;

fn converter() -> &'static HtmlToMarkdown {
    static CONVERTER: OnceLock<HtmlToMarkdown> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        HtmlToMarkdown::builder()
            .options(Options {
                bullet_list_marker: BulletListMarker::Dash,
                hr_style: HrStyle::Dashes,
                ul_bullet_spacing: 1,
                ol_number_spacing: 1,
                ..Options::default()
            })
            .skip_tags(vec!["script", "style", "head"])
            .add_handler(
                vec!["img"],
                |_: &dyn htmd::element_handler::Handlers, img: Element| {
                    let attr = |name: &str| {
                        img.attrs
                            .iter()
                            .find(|a| &*a.name.local == name)
                            .map(|a| a.value.to_string())
                    };
                    let src = attr("src").filter(|s| !s.trim().is_empty())?;
                    let alt =
                        attr("alt").map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "));
                    let label = match alt.filter(|a| !a.is_empty()) {
                        Some(alt) => format!("image: {}", escape_label(&alt)),
                        None => "image".to_string(),
                    };
                    Some(format!("[{label}](<{}>)", src.trim().replace(['<', '>'], "")).into())
                },
            )
            .add_handler(
                vec!["span"],
                |handlers: &dyn htmd::element_handler::Handlers, span: Element| {
                    // ForumMagnum's footnotes: the "^" link back to the reference means nothing
                    // once the note is a list item under the comment.
                    let class = span
                        .attrs
                        .iter()
                        .find(|a| &*a.name.local == "class")
                        .map(|a| a.value.to_string())
                        .unwrap_or_default();
                    if class.split_whitespace().any(|c| c == "footnote-back-link") {
                        return Some("".into());
                    }
                    handlers.fallback(span)
                },
            )
            .build()
    })
}

fn escape_label(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '[' | ']' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

/// Converts one body. Fails only on markup nested deeper than [`MAX_DEPTH`].
pub fn from_html(html: &str) -> Result<String, String> {
    let tree = converter().html_to_tree(html).map_err(|e| e.to_string())?;
    let depth = depth(&tree);
    // The document adds html and body around the comment's own elements, and text is a
    // node below its element.
    if depth > MAX_DEPTH + 3 {
        return Err(format!(
            "its elements are nested {} deep (at most {MAX_DEPTH} are read)",
            depth - 3
        ));
    }
    Ok(converter().tree_to_markdown(&tree).trim().to_string())
}

/// The deepest nesting of nodes, counted without recursion.
fn depth(root: &Rc<htmd::Node>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(Rc::clone(root), 0usize)];
    while let Some((node, d)) = stack.pop() {
        deepest = deepest.max(d);
        for child in node.children.borrow().iter() {
            stack.push((Rc::clone(child), d + 1));
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        from_html(html).unwrap()
    }

    #[test]
    fn formatting_survives() {
        assert_eq!(
            md(
                r#"<p>See <a href="https://example.org/a">this</a>, <em>really</em> <strong>now</strong>.</p>"#
            ),
            "See [this](https://example.org/a), *really* **now**."
        );
        assert_eq!(md("<ul><li>one</li><li>two</li></ul>"), "- one\n- two");
        assert_eq!(md("<ol><li>one</li><li>two</li></ol>"), "1. one\n2. two");
        assert_eq!(
            md("<blockquote><p>quoted</p></blockquote><p>reply</p>"),
            "> quoted\n\nreply"
        );
        assert_eq!(md("<p>use <code>x[0]</code></p>"), "use `x[0]`");
        assert_eq!(
            md("<pre><code class=\"language-rust\">fn main() {}\n</code></pre>"),
            "```rust\nfn main() {}\n```"
        );
    }

    #[test]
    fn forum_footnotes_lose_their_back_links() {
        let html = r##"<p>Claim<span class="footnote-reference" role="doc-noteref" id="fnrefabc"><sup><a href="#fnabc">[1]</a></sup></span></p><ol class="footnote-section footnotes" role="doc-endnotes"><li class="footnote-item" role="doc-endnote" id="fnabc"><span class="footnote-back-link"><sup><strong><a href="#fnrefabc">^</a></strong></sup></span><div class="footnote-content"><p>The note.</p></div></li></ol>"##;
        let out = md(html);
        assert!(!out.contains('^'), "{out}");
        assert!(out.contains("The note."), "{out}");
        assert!(!out.contains("<span") && out.contains("Claim"), "{out}");
    }

    #[test]
    fn images_become_links() {
        assert_eq!(
            md(r#"<p><img src="https://example.org/p.png" alt="a [plot]"></p>"#),
            r"[image: a \[plot\]](<https://example.org/p.png>)"
        );
        assert_eq!(
            md(r#"<img src="https://example.org/p.png">"#),
            "[image](<https://example.org/p.png>)"
        );
    }

    #[test]
    fn absurd_nesting_is_refused_not_overflowed() {
        let html = "<div>".repeat(5000) + "x";
        let err = from_html(&html).unwrap_err();
        assert!(err.contains("nested"), "{err}");
        assert!(from_html(&("<div>".repeat(50) + "x")).is_ok());
    }
}
