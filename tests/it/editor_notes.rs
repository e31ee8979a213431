//! The editor's notes on comments (issue 22, item 1): a note is read right after its
//! comment, before the replies, so it never tells what a later reply says. Checked on the
//! default thread and on every fixture thread: a note may quote the essay, its own comment
//! or a comment above it, but not words found only in comments further down; and it does
//! not speak of "the reply" or "the replies" (a note on a reply calls it "this reply").

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whitespace collapsed, curly quotes and apostrophes made straight, lower case.
fn norm(s: &str) -> String {
    s.replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The phrases a note puts in double quotes (straight or curly).
fn quoted(note: &str) -> Vec<String> {
    norm(note)
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .filter(|q| !q.trim().is_empty())
        .collect()
}

/// Words that speak of other replies: "the reply", "a reply", "the replies below"...
fn speaks_of_replies(note: &str) -> Option<String> {
    let words: Vec<String> = norm(note)
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words.windows(2).find_map(|w| {
        let other = [
            "the", "a", "one", "first", "second", "other", "later", "next", "last", "each",
            "every", "some", "two", "three",
        ];
        (other.contains(&w[0].as_str()) && (w[1] == "reply" || w[1] == "replies"))
            .then(|| format!("{} {}", w[0], w[1]))
    })
}

/// Every problem with the notes of the thread under `root` (its content/comments.toml and
/// content/essay.md): `(comment id, what is wrong)`.
fn problems(root: &Path) -> Vec<(String, String)> {
    let comments = root.join("content/comments.toml");
    let text = std::fs::read_to_string(&comments)
        .unwrap_or_else(|e| panic!("{}: {e}", comments.display()));
    let doc: toml::Table = text.parse().expect("comments.toml parses");
    let essay = std::fs::read_to_string(root.join("content/essay.md")).unwrap_or_default();
    let list = doc
        .get("comment")
        .and_then(|c| c.as_array())
        .cloned()
        .unwrap_or_default();
    let body = |c: &toml::Value| norm(c.get("body").and_then(|b| b.as_str()).unwrap_or(""));
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let id = c["id"].as_str().unwrap_or("?").to_string();
        // What the reader has read by the end of this comment, and what comes later.
        let mut before = norm(&essay);
        for earlier in &list[..=i] {
            before.push(' ');
            before.push_str(&body(earlier));
        }
        let later: Vec<(String, String)> = list[i + 1..]
            .iter()
            .map(|l| (l["id"].as_str().unwrap_or("?").to_string(), body(l)))
            .collect();
        let annotations = c
            .get("annotation")
            .and_then(|a| a.as_array())
            .cloned()
            .unwrap_or_default();
        for a in annotations {
            let Some(note) = a.get("note").and_then(|n| n.as_str()) else {
                continue;
            };
            for q in quoted(note) {
                if before.contains(&q) {
                    continue;
                }
                if let Some((later_id, _)) = later.iter().find(|(_, b)| b.contains(&q)) {
                    out.push((
                        id.clone(),
                        format!("quotes {later_id}, a reply further down: \"{q}\""),
                    ));
                }
            }
            if let Some(words) = speaks_of_replies(note) {
                out.push((id.clone(), format!("speaks of other replies: \"{words}\"")));
            }
        }
    }
    out
}

#[test]
fn no_editors_note_tells_what_a_later_reply_says() {
    let mut roots = vec![repo()];
    let fixtures = repo().join("tests/fixtures/valid");
    let mut names: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("content/comments.toml").is_file())
        .collect();
    names.sort();
    roots.extend(names);
    let mut notes = 0;
    for root in &roots {
        let p = problems(root);
        assert!(
            p.is_empty(),
            "{}: editor's notes that tell what later replies say: {p:#?}",
            root.display()
        );
        let text = std::fs::read_to_string(root.join("content/comments.toml")).unwrap();
        notes += text.lines().filter(|l| l.starts_with("note =")).count();
    }
    // The default thread and the phone fixture have notes to check.
    assert!(notes >= 12, "only {notes} notes checked");
}

/// The check finds what it is for: the notes this edition had before issue 22 told what
/// the replies below concluded.
#[test]
fn the_check_catches_a_note_that_summarises_later_replies() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("content/essay.md"), "An essay about hedges.\n").unwrap();
    let thread = |note: &str| {
        format!(
            "[[comment]]\nid = \"a\"\nbody = \"Hedges need laying.\"\n\
             [[comment.annotation]]\nquote = \"hedges\"\nnote = '''{note}'''\n\
             [[comment]]\nid = \"b\"\nparent = \"a\"\nbody = \"No: they need trimming, every year.\"\n"
        )
    };
    let write =
        |note: &str| std::fs::write(root.join("content/comments.toml"), thread(note)).unwrap();
    write("The comment says hedges \"need laying\".");
    assert_eq!(problems(root), vec![]);
    write("The answer is \"they need trimming, every year\".");
    assert_eq!(
        problems(root),
        vec![(
            "a".to_string(),
            "quotes b, a reply further down: \"they need trimming, every year\"".to_string()
        )]
    );
    write("The replies below disagree.");
    assert_eq!(
        problems(root),
        vec![(
            "a".to_string(),
            "speaks of other replies: \"the replies\"".to_string()
        )]
    );
}
