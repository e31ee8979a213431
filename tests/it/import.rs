//! `quire import forum`: the real binary on copies of tests/fixtures/import/project (and of
//! the minimal project, for a second essay and forum), fed the synthetic ForumMagnum answers
//! of tests/fixtures/import/, from files and from a GraphQL server on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::support::{build, output_text, parse_toml, quire, repo};

const V1: &str = "tests/fixtures/import/lesswrong-v1.json";
const V2: &str = "tests/fixtures/import/lesswrong-v2.json";
const EA: &str = "tests/fixtures/import/eaforum.json";

const A: &str = "cmTaDa00000000001";
const B: &str = "cmTbO000000000001";
const C: &str = "cmTc0000000000001";
const D: &str = "cmTdElEtEd0000001";
const E: &str = "cmTe0000000000001";
const F: &str = "cmTf0000000000001";
const G: &str = "cmTg0000000000001";
const H: &str = "cmTh0000000000001";

fn fixture(rel: &str) -> String {
    repo().join(rel).to_str().expect("UTF-8 path").to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of a fixture project.
fn project(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("quire-import-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let root = dir.path().join("essay");
    copy_dir(&repo().join(rel), &root);
    (dir, root)
}

fn import(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["import", "forum", "--root", root.to_str().unwrap()];
    all.extend_from_slice(args);
    quire(&all)
}

fn import_ok(root: &Path, args: &[&str]) -> String {
    let o = import(root, args);
    assert!(o.status.success(), "{}", output_text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn comments_toml(root: &Path) -> String {
    std::fs::read_to_string(root.join("content/comments.toml")).unwrap()
}

fn comments(root: &Path) -> Vec<Value> {
    parse_toml(&comments_toml(root), "comments.toml")["comment"]
        .as_array()
        .expect("[[comment]] tables")
        .clone()
}

fn by_id<'a>(comments: &'a [Value], id: &str) -> &'a Value {
    comments
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no comment {id} in {comments:#?}"))
}

fn ids(comments: &[Value]) -> Vec<String> {
    comments
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// The keys of a comment table, to check that nothing unknown was written.
fn keys(c: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

#[test]
fn first_import_writes_every_field_the_answer_carries_and_nothing_it_does_not() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let all = comments(&root);
    // Depth first, replies oldest first, although the API listed the deleted one last.
    assert_eq!(ids(&all), [A, B, D, E, C, F]);

    let a = by_id(&all, A);
    assert_eq!(a["author"], "Ada Example");
    assert!(
        comments_toml(&root).contains("date = 2026-03-01T10:00:00.000Z\n"),
        "postedAt as the forum wrote it, a TOML date-time"
    );
    assert_eq!(
        (&a["af_karma"], &a["karma"], &a["agreement"]),
        (&json!(5), &json!(12), &json!(4))
    );
    let body = a["body"].as_str().unwrap();
    for md in [
        "*calibration* matters **more**",
        "[the Brier score](https://example.org/brier)",
        "> A forecaster who is always 70% sure",
        "1. Base rates move.",
        "2. Resolution is what pays.",
        "`brier(p, o) = (p - o)^2`",
        "```python\ndef brier(p, o):\n    return (p - o) ** 2\n```",
        "[image: calibration curve](<https://example.org/calibration.png>)",
    ] {
        assert!(body.contains(md), "body lacks {md:?}:\n{body}");
    }
    for tag in ["<p", "</", "<em", "<img", "<code", "<li"] {
        assert!(!body.contains(tag), "no HTML left: {body}");
    }

    // `af: false`: its afBaseScore is not Alignment Forum karma anyone sees.
    let b = by_id(&all, B);
    assert_eq!(
        keys(b),
        [
            "agreement",
            "author",
            "body",
            "date",
            "id",
            "karma",
            "parent"
        ]
    );
    assert_eq!((&b["parent"], &b["agreement"]), (&json!(A), &json!(-2)));
    // Deleted: a placeholder that keeps its place and its reply.
    assert_eq!(keys(by_id(&all, D)), ["date", "deleted", "id", "parent"]);
    assert_eq!(by_id(&all, D)["deleted"], true);
    assert_eq!(by_id(&all, E)["parent"], D);
    // extendedScore null and afBaseScore missing: no agreement, no AF karma.
    assert_eq!(
        keys(by_id(&all, E)),
        ["author", "body", "date", "id", "karma", "parent"]
    );
    // user null, hidden karma: no author, no scores.
    assert_eq!(keys(by_id(&all, C)), ["body", "date", "id"]);
    // hideAuthor: the forum shows [deleted] for the name, so it stays unknown.
    assert_eq!(
        keys(by_id(&all, F)),
        ["agreement", "body", "date", "id", "karma"]
    );

    let thread = &parse_toml(&comments_toml(&root), "comments.toml")["thread"];
    assert_eq!(thread["forum"], "LessWrong");
    assert_eq!(
        thread["url"],
        "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1"
    );
    let text = comments_toml(&root);
    let scores = &text[text.find("[thread.scores]").unwrap()..text.find("[[comment]]").unwrap()];
    assert_eq!(
        scores.trim(),
        "[thread.scores]\naf_karma = \"Alignment Forum karma\"\nkarma = \"karma\"\nagreement = \"agreement\"",
        "the forum's order and labels"
    );
    assert!(
        root.join(".quire/forum-import.json").is_file(),
        "the record of the import is kept for the next"
    );
}

#[test]
fn the_imported_thread_builds_with_names_dates_scores_nesting_and_formatting() {
    let (dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let out = dir.path().join("site");
    let o = build(&root, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    for html in [
        "Ada Example",
        "2026-03-01",
        "<em>calibration</em>",
        "<blockquote>",
        "<ol>",
        "<pre>",
        "href=\"https://example.org/brier\"",
        "href=\"https://example.org/calibration.png\"",
    ] {
        assert!(index.contains(html), "index.html lacks {html}");
    }
    // The reply to the deleted comment is nested inside the deleted comment's element.
    let d = index
        .find(&format!("id=\"comment-{D}\""))
        .expect("deleted placeholder");
    let e = index
        .find(&format!("id=\"comment-{E}\""))
        .expect("its reply");
    let c = index
        .find(&format!("id=\"comment-{C}\""))
        .expect("next top-level");
    assert!(d < e && e < c, "thread order on the page");
}

/// The author's work on the file between two imports.
fn edit_like_an_author(root: &Path) {
    let path = root.join("content/comments.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replacen(
            &format!("[[comment]]\nid = \"{A}\""),
            &format!("# Ada opens with two objections.\n[[comment]]\nid = \"{A}\""),
            1,
        )
        .replacen("karma = 12\n", "karma = 12  # as of March\n", 1)
        .replacen(
            "(<https://example.org/calibration.png>)\n\"\"\"\n",
            "(<https://example.org/calibration.png>)\n\"\"\"\n\n[[comment.annotation]]\nquote = \"Calibration matters more than resolution for a new forecaster\"\nnote = \"Editor's note: Ada disputes the second paragraph.\"\n",
            1,
        )
        .replacen(
            &format!("id = \"{C}\"\n"),
            &format!("id = \"{C}\"\nauthor = \"Cy Writer\"\nauthor_inferred = true\n"),
            1,
        )
        .replacen("`n = 30` is too few.", "*n = 30* is too few (edited by hand).", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
}

#[test]
fn a_second_import_adds_replies_updates_and_keeps_every_annotation_and_edit() {
    let (dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    edit_like_an_author(&root);
    let stdout = import_ok(&root, &[&fixture(V2), "--forum", "lesswrong"]);
    let text = comments_toml(&root);
    let all = comments(&root);

    // New comments in thread order: G replies to B (so before D, B's younger sibling), H last.
    assert_eq!(ids(&all), [A, B, G, D, E, C, F, H]);
    assert_eq!(by_id(&all, G)["parent"], B);
    // Updated from the forum.
    let a = by_id(&all, A);
    assert_eq!((&a["karma"], &a["agreement"]), (&json!(15), &json!(6)));
    assert!(
        by_id(&all, B)["body"]
            .as_str()
            .unwrap()
            .contains("*Edit:* see the reply below.")
    );
    // Kept: the annotation and its note, the comments and formatting of the file, the
    // author's own fields, and the body edited by hand.
    let note = &a["annotation"][0];
    assert_eq!(
        note["quote"],
        "Calibration matters more than resolution for a new forecaster"
    );
    assert_eq!(
        note["note"],
        "Editor's note: Ada disputes the second paragraph."
    );
    assert!(
        text.contains("# Ada opens with two objections.\n[[comment]]"),
        "{text}"
    );
    assert!(text.contains("karma = 15  # as of March\n"), "{text}");
    assert!(
        text.starts_with("# Imported with `quire import forum`."),
        "{text}"
    );
    assert_eq!(by_id(&all, C)["author"], "Cy Writer");
    assert_eq!(by_id(&all, C)["author_inferred"], true);
    assert!(
        by_id(&all, E)["body"]
            .as_str()
            .unwrap()
            .contains("(edited by hand)")
    );
    // Deleted on the forum (publicly, and gone altogether): placeholders.
    for id in [C, F] {
        let c = by_id(&all, id);
        assert_eq!(c["deleted"], true, "{id}");
        assert!(
            c.get("body").is_none() && c.get("karma").is_none(),
            "{id}: {c}"
        );
    }
    for line in [
        format!("+ `{G}`: new reply to `{B}`"),
        format!("+ `{H}`: new comment"),
        format!("~ `{A}`: updated karma, agreement"),
        format!("- `{C}`: deleted on the forum; now a placeholder"),
        format!("- `{F}`: deleted on the forum; now a placeholder"),
    ] {
        assert!(stdout.contains(&line), "stdout lacks {line}:\n{stdout}");
    }

    // And the merged thread, annotation included, builds.
    let o = build(&root, &dir.path().join("site"));
    assert!(o.status.success(), "{}", output_text(&o));
}

#[test]
fn an_author_edit_the_forum_contradicts_is_kept_and_reported() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let path = root.join("content/comments.toml");
    let text = comments_toml(&root).replacen(
        "underrated.\n\"\"\"",
        "underrated (the author's wording).\n\"\"\"",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let stdout = import_ok(&root, &[&fixture(V2), "--forum", "lesswrong"]);
    let b = by_id(&comments(&root), B).clone();
    assert!(
        b["body"]
            .as_str()
            .unwrap()
            .contains("(the author's wording)"),
        "{b}"
    );
    assert_eq!(b["karma"], 5, "other fields still update");
    assert!(
        stdout.contains(&format!("`{B}`: kept your body")),
        "{stdout}"
    );
}

#[test]
fn a_comment_the_author_removed_stays_out_with_its_new_replies() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    // The author cuts B (which has no replies yet) from the file.
    let text = comments_toml(&root);
    let start = text.find(&format!("[[comment]]\nid = \"{B}\"")).unwrap();
    let end = start + text[start..].find("\n[[comment]]").unwrap() + 1;
    std::fs::write(
        root.join("content/comments.toml"),
        format!("{}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let stdout = import_ok(&root, &[&fixture(V2), "--forum", "lesswrong"]);
    let all = comments(&root);
    assert!(!ids(&all).contains(&B.to_string()), "B stays out");
    assert!(
        !ids(&all).contains(&G.to_string()),
        "and so does G, the new reply to B"
    );
    assert!(
        ids(&all).contains(&H.to_string()),
        "other new comments come in"
    );
    assert!(
        stdout.contains(&format!("`{B}`: left out, as you removed it from the file")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("`{G}`: left out, a reply below `{B}`")),
        "{stdout}"
    );
}

#[test]
fn dry_run_prints_what_would_change_and_writes_nothing() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let before = comments_toml(&root);
    let record = std::fs::read(root.join(".quire/forum-import.json")).unwrap();
    let o = import(&root, &[&fixture(V2), "--forum", "lesswrong", "--dry-run"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(&format!("+ `{G}`: new reply to `{B}`")),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("not written (dry run)"));
    assert_eq!(comments_toml(&root), before);
    assert_eq!(
        std::fs::read(root.join(".quire/forum-import.json")).unwrap(),
        record
    );
}

#[test]
fn importing_the_same_answer_again_changes_nothing() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let before = comments_toml(&root);
    let o = import(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert_eq!(comments_toml(&root), before);
    assert!(o.stdout.is_empty(), "{}", output_text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unchanged"));
}

#[test]
fn ea_forum_thread_merges_into_a_hand_written_file_of_another_essay() {
    let (_dir, root) = project("tests/fixtures/valid/minimal");
    let before = comments_toml(&root);
    import_ok(&root, &[&fixture(EA), "--forum", "ea"]);
    let text = comments_toml(&root);
    // The hand-written comments stay first and untouched, byte for byte.
    let hand = before.trim_end();
    assert!(text.contains(hand), "hand-written part changed:\n{text}");
    let all = comments(&root);
    assert_eq!(ids(&all), ["a", "b", A, B, D]);
    assert!(all.iter().all(|c| c.get("af_karma").is_none()));
    assert!(by_id(&all, D).get("author").is_none());
    let thread = &parse_toml(&text, "comments.toml")["thread"];
    assert_eq!(thread["forum"], "EA Forum");
    assert_eq!(
        thread["url"],
        "https://forum.effectivealtruism.org/posts/eAfOrUmPoSt000001"
    );
    assert_eq!(
        thread["scores"],
        json!({"karma": "karma", "agreement": "agreement"}),
        "no Alignment Forum karma on the EA Forum"
    );
}

#[test]
fn without_a_forum_no_thread_table_is_guessed() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1)]);
    let text = comments_toml(&root);
    assert!(!text.contains("[thread]"), "{text}");
    assert_eq!(comments(&root).len(), 6);
}

/// Runs an import expected to fail, and checks that comments.toml and the record are
/// exactly as before and no temporary file is left.
fn fails_cleanly(root: &Path, args: &[&str]) -> String {
    let before = std::fs::read(root.join("content/comments.toml")).ok();
    let listing = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let files = listing(&root.join("content"));
    let o = import(root, args);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert_eq!(
        std::fs::read(root.join("content/comments.toml")).ok(),
        before
    );
    assert_eq!(listing(&root.join("content")), files);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("comments.toml was left as it was"),
        "{stderr}"
    );
    stderr
}

/// v1 imported, then a bad answer in `bad.json`.
fn after_v1_with(bad: &str) -> (tempfile::TempDir, PathBuf, String) {
    let (dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bad).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, root, path)
}

fn v1_with(edit: impl Fn(&mut Vec<Value>)) -> String {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(V1)).unwrap()).unwrap();
    let results = v["data"]["comments"]["results"].as_array_mut().unwrap();
    edit(results);
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn malformed_json_is_an_error_with_its_place() {
    let v1 = std::fs::read_to_string(fixture(V1)).unwrap();
    let (_dir, root, bad) = after_v1_with(&v1[..v1.len() / 2]);
    let stderr = fails_cleanly(&root, &[&bad]);
    assert!(stderr.contains("is not valid JSON"), "{stderr}");
    assert!(stderr.contains("bad.json:"), "file:line:col: {stderr}");
}

#[test]
fn an_answer_without_comments_is_an_error() {
    let (_dir, root, bad) = after_v1_with(r#"{"data":{"comments":{"results":[]}}}"#);
    assert!(fails_cleanly(&root, &[&bad]).contains("has no comments"));
    let (_dir, root, bad) = after_v1_with(r#"{"data":{"post":{}}}"#);
    assert!(fails_cleanly(&root, &[&bad]).contains("holds no comments"));
    let (_dir, root, bad) =
        after_v1_with(r#"{"errors":[{"message":"Invalid postId"}],"data":null}"#);
    assert!(fails_cleanly(&root, &[&bad]).contains("Invalid postId"));
}

#[test]
fn a_parent_outside_the_thread_is_an_error_naming_the_comment() {
    let (_dir, root, bad) = after_v1_with(&v1_with(|r| {
        r[1]["parentCommentId"] = json!("nOtInThReAd000001");
    }));
    let stderr = fails_cleanly(&root, &[&bad]);
    assert!(
        stderr.contains(&format!(
            "comment `{B}` replies to `nOtInThReAd000001`, which is not in the thread"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("--missing-parents placeholder"),
        "the way out: {stderr}"
    );
}

#[test]
fn a_parent_the_forum_hides_can_become_a_placeholder() {
    let (dir, root, bad) = after_v1_with(&v1_with(|r| {
        r[1]["parentCommentId"] = json!("hIdDeNpArEnT00001");
    }));
    let o = import(
        &root,
        &[
            &bad,
            "--forum",
            "lesswrong",
            "--missing-parents",
            "placeholder",
        ],
    );
    assert!(o.status.success(), "{}", output_text(&o));
    let all = comments(&root);
    let hidden = by_id(&all, "hIdDeNpArEnT00001");
    assert_eq!(keys(hidden), ["deleted", "id"], "nothing about it is known");
    assert_eq!(by_id(&all, B)["parent"], "hIdDeNpArEnT00001");
    let o = build(&root, &dir.path().join("site"));
    assert!(o.status.success(), "{}", output_text(&o));
}

#[test]
fn duplicate_ids_are_an_error_naming_the_comment() {
    let (_dir, root, bad) = after_v1_with(&v1_with(|r| {
        let copy = r[0].clone();
        r.push(copy);
    }));
    let stderr = fails_cleanly(&root, &[&bad]);
    assert!(
        stderr.contains(&format!("comment `{A}` appears twice")),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_body_is_an_error_naming_the_comment() {
    let (_dir, root, bad) = after_v1_with(&v1_with(|r| {
        r[2]["contents"]["html"] = json!("<div>".repeat(2000));
        r[3]["contents"]["html"] = json!(42);
    }));
    let stderr = fails_cleanly(&root, &[&bad]);
    assert!(
        stderr.contains(&format!("comment `{E}`: its HTML body can't be converted")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("comment `{C}`: `contents.html` is not a string")),
        "{stderr}"
    );
}

#[test]
fn an_annotation_that_no_longer_matches_fails_the_import() {
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let path = root.join("content/comments.toml");
    let text = comments_toml(&root).replacen(
        "\n[[comment]]\nid = \"cmTbO",
        "\n[[comment.annotation]]\nquote = \"A sentence the essay never had\"\n\n[[comment]]\nid = \"cmTbO",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let stderr = fails_cleanly(&root, &[&fixture(V2), "--forum", "lesswrong"]);
    assert!(
        stderr.contains(&format!("comment `{A}`: quote not found in the essay")),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/comments.toml:"),
        "located: {stderr}"
    );
}

// --url: a GraphQL server on loopback stands in for the forum.

/// Serves ForumMagnum-style answers: `respond(variables)` gives each one. Records every
/// request body. Runs until the test process ends.
struct Forum {
    endpoint: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

fn forum(respond: impl Fn(&Value) -> (u16, String) + Send + 'static) -> Forum {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/graphql", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let Some(body) = read_request(&stream) else {
                continue;
            };
            let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let (status, answer) = respond(&request["variables"]);
            seen.lock().unwrap().push(request);
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    Forum { endpoint, requests }
}

fn read_request(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// v1 plus `extra` generated replies to its first comment: a thread that needs pages.
fn big_thread(extra: usize) -> Vec<Value> {
    let v1: Value = serde_json::from_str(&std::fs::read_to_string(fixture(V1)).unwrap()).unwrap();
    let mut results = v1["data"]["comments"]["results"]
        .as_array()
        .unwrap()
        .clone();
    let template = results[1].clone();
    for i in 0..extra {
        let mut c = template.clone();
        c["_id"] = json!(format!("gEnErAtEd{i:08}"));
        c["postedAt"] = json!(format!(
            "2026-04-01T00:{:02}:{:02}.000Z",
            i / 60 % 60,
            i % 60
        ));
        c["contents"]["html"] = json!(format!("<p>Generated reply {i}.</p>"));
        results.push(c);
    }
    results
}

#[test]
fn url_fetches_every_page_from_the_forum_api() {
    let thread = big_thread(1100);
    let total = thread.len();
    let server = forum(move |vars| {
        let offset = vars["offset"].as_u64().unwrap_or(0) as usize;
        let limit = vars["limit"].as_u64().unwrap_or(50) as usize;
        let page: Vec<Value> = thread.iter().skip(offset).take(limit).cloned().collect();
        (
            200,
            json!({"data": {"comments": {"results": page}}}).to_string(),
        )
    });
    let (_dir, root) = project("tests/fixtures/import/project");
    let url = "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1/scoring-forecasts";
    import_ok(&root, &["--url", url, "--endpoint", &server.endpoint]);

    let all = comments(&root);
    assert_eq!(all.len(), total, "every page read");
    let requests = server.requests.lock().unwrap().clone();
    let offsets: Vec<u64> = requests
        .iter()
        .map(|r| r["variables"]["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [0, 500, 1000, 1106], "paged until an empty page");
    for r in &requests {
        assert_eq!(
            r["variables"]["postId"], "pOsTfIxTuRe0000a1",
            "the post id from the URL"
        );
        let query = r["query"].as_str().unwrap();
        assert!(query.contains("postCommentsOld"), "{query}");
    }
    let thread = &parse_toml(&comments_toml(&root), "comments.toml")["thread"];
    assert_eq!(thread["forum"], "LessWrong", "from the URL's host");
    assert_eq!(thread["url"], url);
}

#[test]
fn url_reads_on_when_the_server_sends_fewer_than_asked() {
    let thread = big_thread(250);
    let total = thread.len();
    let server = forum(move |vars| {
        let offset = vars["offset"].as_u64().unwrap_or(0) as usize;
        let page: Vec<Value> = thread.iter().skip(offset).take(100).cloned().collect();
        (
            200,
            json!({"data": {"comments": {"results": page}}}).to_string(),
        )
    });
    let (_dir, root) = project("tests/fixtures/import/project");
    let url = "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1";
    import_ok(&root, &["--url", url, "--endpoint", &server.endpoint]);
    assert_eq!(comments(&root).len(), total, "no page cut short the thread");
    let offsets: Vec<u64> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r["variables"]["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [0, 100, 200, 256]);
}

#[test]
fn url_refuses_a_server_that_ignores_the_offset() {
    let page = big_thread(0);
    let server = forum(move |_| {
        (
            200,
            json!({"data": {"comments": {"results": page}}}).to_string(),
        )
    });
    let (_dir, root) = project("tests/fixtures/import/project");
    let stderr = fails_cleanly(
        &root,
        &[
            "--url",
            "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1",
            "--endpoint",
            &server.endpoint,
        ],
    );
    assert!(stderr.contains("returned the same page twice"), "{stderr}");
}

#[test]
fn url_when_the_forum_cannot_be_reached_is_a_clear_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_dir, root) = project("tests/fixtures/import/project");
    import_ok(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    let endpoint = format!("http://127.0.0.1:{port}/graphql");
    let stderr = fails_cleanly(
        &root,
        &[
            "--url",
            "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1",
            "--endpoint",
            &endpoint,
        ],
    );
    assert!(
        stderr.contains(&format!("cannot reach {endpoint}")),
        "{stderr}"
    );
    assert!(stderr.contains("check the network connection"), "{stderr}");
}

#[test]
fn url_gives_up_after_the_timeout() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/graphql", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    let (_dir, root) = project("tests/fixtures/import/project");
    let stderr = fails_cleanly(
        &root,
        &[
            "--url",
            "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1",
            "--endpoint",
            &endpoint,
            "--timeout",
            "1",
        ],
    );
    assert!(
        stderr.to_lowercase().contains("timeout") || stderr.contains("timed out"),
        "{stderr}"
    );
}

#[test]
fn url_answers_that_are_errors_are_reported() {
    let server = forum(|_| (500, "{\"errors\":[{\"message\":\"boom\"}]}".to_string()));
    let (_dir, root) = project("tests/fixtures/import/project");
    let args = [
        "--url",
        "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1",
        "--endpoint",
        &server.endpoint,
    ];
    let stderr = fails_cleanly(&root, &args);
    assert!(stderr.contains("answered 500"), "{stderr}");

    let server = forum(|_| {
        (
            200,
            "{\"errors\":[{\"message\":\"Unknown post\"}]}".to_string(),
        )
    });
    let args = [
        "--url",
        "https://www.lesswrong.com/posts/pOsTfIxTuRe0000a1",
        "--endpoint",
        &server.endpoint,
    ];
    let stderr = fails_cleanly(&root, &args);
    assert!(
        stderr.contains("the forum answered with an error: Unknown post"),
        "{stderr}"
    );
}

#[test]
fn a_url_that_is_not_a_post_is_refused_before_any_request() {
    let (_dir, root) = project("tests/fixtures/import/project");
    let stderr = fails_cleanly(&root, &["--url", "https://www.lesswrong.com/tag/ai"]);
    assert!(stderr.contains("is not a post's address"), "{stderr}");
}

#[test]
fn help_shows_the_command_with_examples_and_hides_the_test_flags() {
    let help = String::from_utf8_lossy(&quire(&["--help"]).stdout).into_owned();
    assert!(help.contains("  import "), "{help}");
    let o = quire(&["import", "forum", "--help"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let help = String::from_utf8_lossy(&o.stdout);
    for text in [
        "Examples:",
        "quire import forum --url",
        "--forum",
        "--dry-run",
        "--root",
    ] {
        assert!(help.contains(text), "{text} in:\n{help}");
    }
    for hidden in ["--endpoint", "--timeout"] {
        assert!(!help.contains(hidden), "{hidden} is for tests:\n{help}");
    }
    // Neither a file nor a URL: a usage error, exit 2.
    assert_eq!(quire(&["import", "forum"]).status.code(), Some(2));
}

#[test]
fn importing_a_thread_in_two_steps_gives_the_file_one_import_gives() {
    // 400 comments, replies scattered over the tree, dates increasing.
    let mut thread = big_thread(0);
    let template = thread[1].clone();
    for i in 0..400usize {
        let mut c = template.clone();
        c["_id"] = json!(format!("sTeP{i:013}"));
        c["parentCommentId"] = if i % 9 == 0 {
            Value::Null
        } else {
            json!(format!("sTeP{:013}", (i * 7919) % i.max(1)))
        };
        c["postedAt"] = json!(format!("2026-05-01T{:02}:{:02}:00.000Z", i / 60, i % 60));
        c["contents"]["html"] = json!(format!("<p>Step comment {i}.</p>"));
        thread.push(c);
    }
    let answer =
        |results: &[Value]| json!({"data": {"comments": {"results": results}}}).to_string();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let half = dir.path().join("half.json");
    let whole = dir.path().join("whole.json");
    std::fs::write(&half, answer(&thread[..250])).unwrap();
    std::fs::write(&whole, answer(&thread)).unwrap();

    let (_a, stepwise) = project("tests/fixtures/import/project");
    import_ok(&stepwise, &[half.to_str().unwrap(), "--forum", "lesswrong"]);
    import_ok(
        &stepwise,
        &[whole.to_str().unwrap(), "--forum", "lesswrong"],
    );
    let (_b, at_once) = project("tests/fixtures/import/project");
    import_ok(&at_once, &[whole.to_str().unwrap(), "--forum", "lesswrong"]);
    assert_eq!(comments(&stepwise).len(), thread.len());
    assert!(
        comments_toml(&stepwise) == comments_toml(&at_once),
        "new replies land where a fresh import puts them"
    );
}

#[test]
fn a_comments_toml_that_is_not_toml_is_left_alone() {
    let (_dir, root) = project("tests/fixtures/import/project");
    std::fs::write(
        root.join("content/comments.toml"),
        "[[comment]\nid = \"a\"\n",
    )
    .unwrap();
    let stderr = fails_cleanly(&root, &[&fixture(V1), "--forum", "lesswrong"]);
    assert!(
        stderr.contains("content/comments.toml is not valid TOML"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/comments.toml:1:11"),
        "located: {stderr}"
    );
}

#[test]
fn a_folder_that_is_not_a_project_is_refused() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let o = import(dir.path(), &[&fixture(V1)]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a quire project"));
    assert!(!dir.path().join("content").exists(), "nothing created");
}
