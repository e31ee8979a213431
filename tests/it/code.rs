//! Highlighted code on the second-essay fixture: classes in the page and colours in the
//! stylesheet, `highlight_theme` from quire.toml, and an unknown language tag as a warning
//! that names the file and line while the block stays plain.

use crate::support::{build, fixture_copy, line_of, output_text};

#[test]
fn code_gets_classes_and_the_stylesheet_colours_them() {
    let tmp = fixture_copy("second-essay");
    let out = tmp.path().join("site");
    let o = build(&tmp.path().join("project"), &out);
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("warning"),
        "{}",
        output_text(&o)
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<code class=\"language-rust\"><span class=\"hl-source hl-rust\">"));
    assert!(index.contains("<code class=\"language-python\"><span class=\"hl-source hl-python\">"));
    let css = std::fs::read_to_string(out.join("quire.css")).unwrap();
    assert!(
        css.contains(".code .hl-keyword"),
        "the default theme colours keywords"
    );
}

#[test]
fn an_unknown_language_is_a_warning_and_the_block_stays_plain() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let essay = root.join("content/essay.md");
    let text = std::fs::read_to_string(&essay)
        .unwrap()
        .replace("```python", "```pythonish");
    std::fs::write(&essay, &text).unwrap();
    let out = tmp.path().join("site");
    let o = build(&root, &out);
    assert!(
        o.status.success(),
        "a warning, not an error: {}",
        output_text(&o)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let line = line_of(&text, "```pythonish");
    assert!(err.contains("unknown language `pythonish`"), "{err}");
    assert!(err.contains(&format!("content/essay.md:{line}:1")), "{err}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<code class=\"language-pythonish\">def count(chores):"));
}

#[test]
fn highlight_theme_picks_syntect_colours_and_an_unknown_one_is_an_error() {
    let tmp = fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    std::fs::write(
        root.join("quire.toml"),
        "highlight_theme = { light = \"InspiredGitHub\", dark = \"base16-ocean.dark\" }\n",
    )
    .unwrap();
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let css = std::fs::read_to_string(out.join("quire.css")).unwrap();
    assert!(
        css.contains("/* highlight_theme: InspiredGitHub (light), base16-ocean.dark (dark) */")
    );
    assert!(css.contains("@media (prefers-color-scheme: dark)"));

    std::fs::write(root.join("quire.toml"), "highlight_theme = \"Nope\"\n").unwrap();
    let o = build(&root, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(err.contains("unknown highlight theme `Nope`"), "{err}");
    assert!(err.contains("quire.toml:1:"), "{err}");
    assert!(
        err.contains("InspiredGitHub"),
        "the hint lists the themes: {err}"
    );
}
