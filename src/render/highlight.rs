//! Code highlighting with syntect, as CSS classes so both colour schemes can style it.
//!
//! The syntax set is loaded on the first code block, never before: most essays have none,
//! and loading it costs more than the rest of a build.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::escape;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

/// Whether a code block has made this process load the syntax set (for tests: a build of
/// an essay without code must not pay for it).
pub fn syntaxes_loaded() -> bool {
    SYNTAXES.get().is_some()
}

/// A `<pre><code>` block; highlighted when the language is known, escaped text otherwise.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.split([' ', ',']).next().unwrap_or_default();
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(lang))
    };
    if !lang.is_empty() {
        let set = SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines);
        if let Some(syntax) = set.find_syntax_by_token(lang) {
            let mut generator = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                set,
                ClassStyle::SpacedPrefixed { prefix: "hl-" },
            );
            let ok = LinesWithEndings::from(code).all(|line| {
                generator
                    .parse_html_for_line_which_includes_newline(line)
                    .is_ok()
            });
            if ok {
                return format!(
                    "<pre class=\"code\"><code{class}>{}</code></pre>\n",
                    generator.finalize()
                );
            }
        }
    }
    format!(
        "<pre class=\"code\"><code{class}>{}</code></pre>\n",
        escape(code)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_language_gets_classes_unknown_is_escaped() {
        let rust = super::code_block("rust", "fn main() {}\n");
        assert!(rust.contains("hl-"), "{rust}");
        let plain = super::code_block("nosuchlang", "<b>\n");
        assert!(plain.contains("&lt;b&gt;"), "{plain}");
    }
}
