//! docs/content-format.md stays true: its minimal and full example projects build without
//! a warning, and every error and warning the build gives on the bad-input fixtures (and that
//! `quire new` gives on bad requests) is explained there.

use std::path::Path;
use std::process::Output;

use crate::support::{doc, quire, write_example};

fn build(root: &Path) -> Output {
    quire(&["build", "--root", root.to_str().unwrap()])
}

#[test]
fn the_examples_build_without_warnings() {
    for (name, files) in [("minimal", 1), ("full", 5)] {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(write_example(name, tmp.path()), files, "{name}");
        let o = build(tmp.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "example={name}:\n{err}");
        assert!(!err.contains("warning"), "example={name}:\n{err}");
        assert!(tmp.path().join("site/index.html").is_file());
    }
    // The full example really uses its grid, annotations and references.
    let tmp = tempfile::tempdir().unwrap();
    write_example("full", tmp.path());
    assert!(build(tmp.path()).status.success());
    let site = tmp.path().join("site");
    for id in ["fast-cheap", "fast-good", "slow-cheap", "slow-good"] {
        assert!(site.join(format!("cells/{id}.html")).is_file(), "{id}");
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("really rare?"));
    assert!(
        !index.contains("<script>alert"),
        "comment HTML is sanitized"
    );
}

/// The literal words of a message: what's left after taking out `code spans`, "quoted
/// text", numbers and paths with a `/`, which differ from project to project.
fn literal_pieces(message: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut chars = message.chars();
    let mut flush = |current: &mut String| {
        // A path splits the text around it into two pieces.
        for words in current
            .split(|c: char| c.is_whitespace())
            .collect::<Vec<_>>()
            .split(|w| w.contains('/'))
        {
            let piece = words
                .iter()
                .filter(|w| !w.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_matches(|c: char| c.is_whitespace() || ":,;()".contains(c))
                .to_string();
            if piece.len() >= 4 {
                pieces.push(piece);
            }
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '`' | '"' => {
                flush(&mut current);
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
            }
            c if c.is_ascii_digit() => flush(&mut current),
            c => current.push(c),
        }
    }
    flush(&mut current);
    pieces
}

fn error_messages(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("error: ")
                .or_else(|| l.strip_prefix("warning: "))
        })
        .filter(|m| !m.starts_with("build failed with"))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_error_message_is_explained() {
    let doc = doc();
    let mut messages = Vec::new();
    for name in crate::support::invalid_fixtures() {
        let project = crate::support::invalid_fixture(&name);
        let dir = project.path();
        let tmp = tempfile::tempdir().unwrap();
        let o = quire(&[
            "build",
            "--root",
            dir.to_str().unwrap(),
            "--out",
            tmp.path().to_str().unwrap(),
        ]);
        let found = error_messages(&o);
        assert!(
            !found.is_empty(),
            "{} gives no error or warning",
            dir.display()
        );
        messages.extend(found);
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let busy = tmp.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("x"), "x").unwrap();
    for args in [
        vec!["new", file.to_str().unwrap()],
        vec!["new", busy.to_str().unwrap()],
        vec!["new", "nowhere", "--rows", "0"],
        vec!["new", "nowhere", "--columns", "13"],
        vec!["new", "nowhere", "--title", " "],
    ] {
        messages.extend(error_messages(&quire(&args)));
    }
    assert!(messages.len() > 20, "{messages:?}");
    let mut missing = Vec::new();
    for m in &messages {
        // TOML's own syntax messages are many; the reference explains the family.
        let pieces = if m.starts_with("invalid TOML in") {
            vec!["invalid TOML in".to_string()]
        } else if m.starts_with("template ") && m.contains(" does not parse: ") {
            // So are Tera's; the reference explains the family.
            vec!["does not parse: ".to_string()]
        } else {
            literal_pieces(m)
        };
        for p in pieces {
            if !doc.contains(&p) {
                missing.push(format!("{p:?} of: {m}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/content-format.md doesn't explain:\n{}",
        missing.join("\n")
    );
}

#[test]
fn pieces_of_a_message() {
    assert_eq!(
        literal_pieces("cannot create a project at /tmp/x: it is a file"),
        vec!["cannot create a project at", "it is a file"]
    );
    assert_eq!(
        literal_pieces("unknown cell `slow-great` in a `cell:` link"),
        vec!["unknown cell", "in a", "link"]
    );
    assert_eq!(
        literal_pieces("the essay's table has 3 rows but grid.toml has 2"),
        vec!["the essay's table has", "rows but grid.toml has"]
    );
}
