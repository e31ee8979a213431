//! Code highlighting with syntect, as CSS classes so both colour schemes can style it.
//!
//! The syntax set is loaded on the first code block, never before: most essays have none,
//! and loading it costs more than the rest of a build.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::escape;
use crate::config::HighlightTheme;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

/// Whether a code block has made this process load the syntax set (for tests: a build of
/// an essay without code must not pay for it).
pub fn syntaxes_loaded() -> bool {
    SYNTAXES.get().is_some()
}

/// Whether syntect knows the language of a code block's info string (empty: no language).
pub fn knows(lang: &str) -> bool {
    let lang = lang.split([' ', ',']).next().unwrap_or_default();
    lang.is_empty() || is_plain(lang) || syntaxes().find_syntax_by_token(lang).is_some()
}

/// Tags that ask for no highlighting at all.
fn is_plain(lang: &str) -> bool {
    ["text", "plain", "plaintext", "txt", "none", "output"]
        .iter()
        .any(|p| lang.eq_ignore_ascii_case(p))
}

fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre><code>` block; highlighted when the language is known, escaped text otherwise.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.split([' ', ',']).next().unwrap_or_default();
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(lang))
    };
    if !lang.is_empty() && !is_plain(lang) {
        let set = syntaxes();
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

/// CSS for the `highlight_theme` of quire.toml: syntect's themes turned into rules for the
/// `hl-` classes, the dark one inside `prefers-color-scheme: dark`. Appended after the site
/// theme's stylesheet; its first rule resets the site theme's own code colours. Returns the
/// names syntect knows when one isn't among them.
pub fn theme_css(choice: &HighlightTheme) -> Result<String, (String, Vec<String>)> {
    let themes = syntect::highlighting::ThemeSet::load_defaults().themes;
    let css_of = |name: &str| -> Result<String, (String, Vec<String>)> {
        let theme = themes
            .get(name)
            .ok_or_else(|| (name.to_string(), themes.keys().cloned().collect()))?;
        let css = syntect::html::css_for_theme_with_class_style(
            theme,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        )
        .map_err(|_| (name.to_string(), themes.keys().cloned().collect()))?;
        Ok(scoped(&css))
    };
    let reset = ".code [class*=\"hl-\"] { color: inherit; background: none; font-style: normal; font-weight: normal; text-decoration: none; }\n";
    Ok(match choice {
        HighlightTheme::Both(name) => {
            format!("/* highlight_theme: {name} */\n{reset}{}", css_of(name)?)
        }
        HighlightTheme::Schemes { light, dark } => format!(
            "/* highlight_theme: {light} (light), {dark} (dark) */\n{reset}{}@media (prefers-color-scheme: dark) {{\n{}}}\n",
            css_of(light)?,
            css_of(dark)?
        ),
    })
}

/// syntect's rules, each selector put under `.code` (its `.hl-code` is the block itself).
fn scoped(css: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for line in css.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('.') && trimmed.trim_end().ends_with('{') {
            let selectors = trimmed.trim_end().trim_end_matches('{');
            let scoped: Vec<String> = selectors
                .split(',')
                .map(|s| match s.trim() {
                    ".hl-code" => "pre.code".to_string(),
                    s => format!(".code {s}"),
                })
                .collect();
            out.push_str(&scoped.join(", "));
            out.push_str(" {\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_syntect_theme_becomes_scoped_rules_for_both_schemes() {
        use crate::config::HighlightTheme;
        let css = super::theme_css(&HighlightTheme::Schemes {
            light: "InspiredGitHub".into(),
            dark: "base16-ocean.dark".into(),
        })
        .unwrap();
        assert!(css.contains(".code .hl-keyword"), "{css}");
        assert!(css.contains("pre.code {"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
        let (name, known) = super::theme_css(&HighlightTheme::Both("Nope".into())).unwrap_err();
        assert_eq!(name, "Nope");
        assert!(known.iter().any(|k| k == "InspiredGitHub"), "{known:?}");
    }

    #[test]
    fn known_language_gets_classes_unknown_is_escaped() {
        let rust = super::code_block("rust", "fn main() {}\n");
        assert!(rust.contains("hl-"), "{rust}");
        let plain = super::code_block("nosuchlang", "<b>\n");
        assert!(plain.contains("&lt;b&gt;"), "{plain}");
    }
}
