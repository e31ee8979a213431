//! Text as resolve compares it: a Markdown snippet's visible text, quotes normalized,
//! long quotes shortened for messages.

pub use crate::dialect::plain_text as markdown_text;

pub(super) fn shorten(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s
    }
}

/// Text as compared for quotes: straight quotes, one space between words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.push(match c {
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
                '\u{00A0}' => ' ',
                c => c,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_ignores_quote_style_and_spacing() {
        assert_eq!(normalize("“aligned”  it’s\nfine"), "\"aligned\" it's fine");
        assert_eq!(
            normalize(&markdown_text("*internally-represented* [goals](x)")).trim(),
            "internally-represented goals"
        );
    }
}
