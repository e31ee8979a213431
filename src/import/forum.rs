//! ForumMagnum's GraphQL answer for a post's comments (LessWrong, the AI Alignment Forum,
//! the EA Forum), read into [`ForumComment`]s in thread order.
//!
//! The fields are those of the `CommentsList` fragment in ForumMagnum's
//! `packages/lesswrong/lib/collections/comments/fragments.ts`; `newSchema.ts` beside it says
//! which may be null: `contents` is null for a deleted comment, `user` on the EA Forum too,
//! `baseScore`/`extendedScore`/`afBaseScore` when the karma is hidden. A field that is null
//! or missing stays unknown here: nothing is guessed. This module reads JSON only; it never
//! touches comments.toml.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::content::comments::is_valid_id;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

use super::markdown;

/// What to do with a reply whose parent the answer lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingParents {
    /// Stop with an error naming the reply (the default: the answer may be incomplete).
    #[default]
    Error,
    /// Put a deleted placeholder with the parent's id at the top level. ForumMagnum leaves
    /// out comments deleted without a public trace and rejected ones, but not their replies.
    Placeholder,
}

/// One comment as the forum gives it, converted to what comments.toml holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ForumComment {
    pub id: String,
    pub parent: Option<String>,
    /// `user.displayName`; `None` when the user is hidden, null or missing.
    pub author: Option<String>,
    /// `postedAt`, an ISO 8601 date-time.
    pub date: Option<String>,
    /// `baseScore`.
    pub karma: Option<i64>,
    /// `afBaseScore`, only for a comment on the Alignment Forum (`af` not false).
    pub af_karma: Option<i64>,
    /// `extendedScore.agreement` (two-axis voting).
    pub agreement: Option<i64>,
    pub deleted: bool,
    /// `contents.html` converted to Markdown; `None` for a deleted comment.
    pub body: Option<String>,
}

/// The comments of one answer (or several pages of answers joined), in the order received.
pub type Page = Vec<ForumComment>;

/// Reads one GraphQL response: `{"data": {"comments": {"results": [...]}}}`.
/// Every problem becomes a diagnostic naming the comment's id where there is one.
pub fn parse_page(file: &SourceFile, diags: &mut Diagnostics) -> Option<Page> {
    let value: Value = match serde_json::from_str(&file.text) {
        Ok(v) => v,
        Err(e) => {
            let offset = offset_of(&file.text, e.line(), e.column());
            let message = e.to_string();
            diags.push(
                Diagnostic::error(format!(
                    "{} is not valid JSON: {message}",
                    file.path.display()
                ))
                .at(file, offset..offset)
                .label("here")
                .help("save the whole answer of the forum's GraphQL API, e.g. with `curl -o`"),
            );
            return None;
        }
    };
    if let Some(errors) = value.get("errors").and_then(Value::as_array) {
        let messages: Vec<&str> = errors
            .iter()
            .filter_map(|e| e.get("message").and_then(Value::as_str))
            .collect();
        diags.push(
            Diagnostic::error(format!(
                "the forum answered with an error: {}",
                if messages.is_empty() {
                    "(no message)".to_string()
                } else {
                    messages.join("; ")
                }
            ))
            .in_file(&file.path),
        );
        return None;
    }
    let Some(results) = value
        .pointer("/data/comments/results")
        .and_then(Value::as_array)
    else {
        diags.push(
            Diagnostic::error(format!(
                "{} holds no comments: expected {{\"data\": {{\"comments\": {{\"results\": [...]}}}}}}",
                file.path.display()
            ))
            .in_file(&file.path)
            .help("this is what ForumMagnum's GraphQL API returns for `comments(selector: {postCommentsOld: {postId: ...}}) { results { ... } }`"),
        );
        return None;
    };
    let mut page = Vec::with_capacity(results.len());
    for (i, raw) in results.iter().enumerate() {
        if let Some(c) = read_comment(file, i, raw, diags) {
            page.push(c);
        }
    }
    Some(page)
}

fn read_comment(
    file: &SourceFile,
    index: usize,
    raw: &Value,
    diags: &mut Diagnostics,
) -> Option<ForumComment> {
    let Some(id) = raw.get("_id").and_then(Value::as_str) else {
        diags.push(
            Diagnostic::error(format!(
                "comment number {} of {} has no `_id`",
                index + 1,
                file.path.display()
            ))
            .in_file(&file.path)
            .help("ask the API for `_id` in the comment fields"),
        );
        return None;
    };
    let at = |d: Diagnostic| locate(file, id, d);
    if !is_valid_id(id) {
        diags.push(at(Diagnostic::error(format!(
            "comment `{id}`: its id is not a plain word and can't become a permalink"
        ))));
        return None;
    }
    let mut ok = true;
    let mut bad = |field: &str, what: &str| {
        diags.push(at(Diagnostic::error(format!(
            "comment `{id}`: `{field}` is {what}"
        ))));
        ok = false;
    };
    let parent = match raw.get("parentCommentId") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => {
            bad("parentCommentId", "not a string");
            None
        }
    };
    let hidden = raw.get("hideAuthor").and_then(Value::as_bool) == Some(true);
    let author = match raw.get("user") {
        None | Some(Value::Null) => None,
        Some(user) => match user.get("displayName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) if !name.trim().is_empty() => Some(name.clone()),
            Some(Value::String(_)) => None,
            Some(_) => {
                bad("user.displayName", "not a string");
                None
            }
        },
    }
    .filter(|_| !hidden);
    let date = match raw.get("postedAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.parse::<toml_edit::Datetime>().is_ok() => Some(s.clone()),
        Some(_) => {
            bad("postedAt", "not an ISO 8601 date-time");
            None
        }
    };
    let karma = score(raw.get("baseScore")).unwrap_or_else(|()| {
        bad("baseScore", "not a number");
        None
    });
    let on_af = raw.get("af").and_then(Value::as_bool) != Some(false);
    let af_karma = score(raw.get("afBaseScore"))
        .unwrap_or_else(|()| {
            bad("afBaseScore", "not a number");
            None
        })
        .filter(|_| on_af);
    let agreement = match raw.get("extendedScore") {
        None | Some(Value::Null) => None,
        Some(Value::Object(ext)) => score(ext.get("agreement")).unwrap_or_else(|()| {
            bad("extendedScore.agreement", "not a number");
            None
        }),
        Some(_) => {
            bad("extendedScore", "not an object");
            None
        }
    };
    let deleted = match raw.get("deleted") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            bad("deleted", "not true or false");
            false
        }
    };
    let html = match raw.get("contents") {
        None | Some(Value::Null) => None,
        Some(Value::Object(contents)) => match contents.get("html") {
            None | Some(Value::Null) => None,
            Some(Value::String(html)) => Some(html.as_str()),
            Some(_) => {
                bad("contents.html", "not a string of HTML");
                None
            }
        },
        Some(_) => {
            bad("contents", "not an object");
            None
        }
    };
    let body = match (deleted, html) {
        (true, _) => None,
        (false, None) => Some(String::new()),
        (false, Some(html)) => match markdown::from_html(html) {
            Ok(md) => Some(md),
            Err(why) => {
                diags.push(at(Diagnostic::error(format!(
                    "comment `{id}`: its HTML body can't be converted to Markdown: {why}"
                ))));
                ok = false;
                None
            }
        },
    };
    // A deleted comment is a placeholder, as the forum shows it: no author, scores or words.
    let kept = |v| if deleted { None } else { v };
    ok.then(|| ForumComment {
        id: id.to_string(),
        parent,
        author: if deleted { None } else { author },
        date,
        karma: kept(karma),
        af_karma: kept(af_karma),
        agreement: kept(agreement),
        deleted,
        body,
    })
}

/// A score: a number (the API's `Float`, whole in practice; rounded), or null/missing.
fn score(value: Option<&Value>) -> Result<Option<i64>, ()> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => n
                .as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| Some(f.round() as i64))
                .ok_or(()),
        },
        Some(_) => Err(()),
    }
}

/// Joins pages, checks the thread as a whole (no duplicate ids, every parent present, no
/// cycles, not empty) and orders it: depth first, replies oldest first, as the forum's
/// "oldest" sort shows a thread.
pub fn thread(
    file: &SourceFile,
    pages: Vec<Page>,
    missing_parents: MissingParents,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let mut comments: Vec<ForumComment> = pages.into_iter().flatten().collect();
    if comments.is_empty() {
        diags.push(
            Diagnostic::error(format!(
                "{} has no comments: `results` is empty",
                file.path.display()
            ))
            .in_file(&file.path)
            .help("check the post id; a post without comments has nothing to import"),
        );
        return None;
    }
    let before = diags.error_count();
    let mut seen: HashSet<String> = HashSet::new();
    for c in &comments {
        if !seen.insert(c.id.clone()) {
            diags.push(locate(
                file,
                &c.id,
                Diagnostic::error(format!("comment `{}` appears twice in the answer", c.id)),
            ));
        }
    }
    let mut placeholders = Vec::new();
    for c in &comments {
        let Some(p) = &c.parent else { continue };
        if seen.contains(p.as_str()) {
            continue;
        }
        if missing_parents == MissingParents::Placeholder && is_valid_id(p) {
            seen.insert(p.clone());
            placeholders.push(ForumComment {
                id: p.clone(),
                parent: None,
                author: None,
                date: None,
                karma: None,
                af_karma: None,
                agreement: None,
                deleted: true,
                body: None,
            });
            continue;
        }
        diags.push(locate(
            file,
            &c.id,
            Diagnostic::error(format!(
                "comment `{}` replies to `{p}`, which is not in the thread",
                c.id
            ))
            .help("fetch the whole thread (every page), not a part of it; if the forum hides that comment (deleted without a trace, or rejected), --missing-parents placeholder keeps the reply under a deleted placeholder"),
        ));
    }
    comments.extend(placeholders);
    if diags.error_count() > before {
        return None;
    }
    let index: HashMap<&str, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, c) in comments.iter().enumerate() {
        let parent = c.parent.as_deref().map(|p| index[p]);
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        // Oldest first; an unknown date keeps the answer's order, after the dated ones.
        list.sort_by(|&a, &b| match (&comments[a].date, &comments[b].date) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }
    let mut order = Vec::with_capacity(comments.len());
    let mut stack: Vec<usize> = children.get(&None).cloned().unwrap_or_default();
    stack.reverse();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(&Some(i)) {
            stack.extend(kids.iter().rev());
        }
    }
    if order.len() < comments.len() {
        let placed: HashSet<usize> = order.iter().copied().collect();
        let stuck = (0..comments.len())
            .find(|i| !placed.contains(i))
            .unwrap_or_default();
        diags.push(locate(
            file,
            &comments[stuck].id,
            Diagnostic::error(format!(
                "comment `{}` is in a reply cycle: following its parents never reaches a top-level comment",
                comments[stuck].id
            )),
        ));
        return None;
    }
    let mut slots: Vec<Option<ForumComment>> = comments.into_iter().map(Some).collect();
    Some(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// Points a diagnostic at the comment's `_id` in the JSON when it can be found there.
fn locate(file: &SourceFile, id: &str, diag: Diagnostic) -> Diagnostic {
    let needle = format!("\"{id}\"");
    match file.text.find(&needle) {
        Some(start) if file.text.len() < 64 << 20 => diag
            .at(file, start..start + needle.len())
            .label("this comment"),
        _ => diag.in_file(&file.path),
    }
}

/// serde_json reports 1-based line and column; diagnostics want a byte offset.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> (Option<Page>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let file = SourceFile::new("t.json", json.to_string());
        let page = parse_page(&file, &mut diags);
        (page, diags)
    }

    #[test]
    fn nulls_and_missing_fields_stay_unknown() {
        let (p, d) = page(
            r#"{"data":{"comments":{"results":[{"_id":"a1","user":null,"baseScore":null,"extendedScore":null,"contents":{"html":"<p>x</p>"}}]}}}"#,
        );
        assert!(d.is_empty(), "{}", d.render(false));
        let c = &p.unwrap()[0];
        assert_eq!(
            (c.author.as_deref(), c.karma, c.agreement, c.date.as_deref()),
            (None, None, None, None)
        );
        assert_eq!(c.body.as_deref(), Some("x"));
    }

    #[test]
    fn af_karma_only_for_alignment_forum_comments() {
        let (p, _) = page(
            r#"{"data":{"comments":{"results":[{"_id":"a","af":false,"afBaseScore":3},{"_id":"b","af":true,"afBaseScore":4}]}}}"#,
        );
        let p = p.unwrap();
        assert_eq!((p[0].af_karma, p[1].af_karma), (None, Some(4)));
    }

    #[test]
    fn offsets_from_line_and_column() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use crate::import::merge;

    /// Every field of a real-shaped comment, nested ones too, replaced by every JSON type:
    /// the import either reads it or reports an error; it never panics, and whatever it
    /// writes is a comments.toml the build parses.
    #[test]
    fn any_field_of_any_type_is_read_or_reported() {
        let text = include_str!("../../tests/fixtures/import/lesswrong-v1.json");
        let original: Value = serde_json::from_str(text).unwrap();
        let first = original
            .pointer("/data/comments/results/0")
            .unwrap()
            .clone();
        let mut paths: Vec<String> = Vec::new();
        for (key, value) in first.as_object().unwrap() {
            paths.push(format!("/{key}"));
            if let Some(inner) = value.as_object() {
                paths.extend(inner.keys().map(|k| format!("/{key}/{k}")));
            }
        }
        let replacements = [
            Value::Null,
            serde_json::json!(-3.5),
            serde_json::json!(1e300),
            serde_json::json!("x\"\"\"\u{0}"),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!(true),
        ];
        let mut runs = 0;
        for path in &paths {
            for replacement in &replacements {
                let mut answer = original.clone();
                *answer
                    .pointer_mut(&format!("/data/comments/results/0{path}"))
                    .unwrap() = replacement.clone();
                let file = SourceFile::new("t.json", answer.to_string());
                let mut diags = Diagnostics::new();
                let page = parse_page(&file, &mut diags);
                let Some(thread) =
                    page.and_then(|p| thread(&file, vec![p], MissingParents::Error, &mut diags))
                else {
                    assert!(
                        diags.has_errors(),
                        "{path} = {replacement}: nothing read, nothing said"
                    );
                    continue;
                };
                if diags.has_errors() {
                    continue;
                }
                let source = merge::ThreadSource::default();
                let merged = merge::merge(None, &merge::Base::default(), &thread, &source)
                    .unwrap_or_else(|e| panic!("{path} = {replacement}: {e}"));
                let toml = SourceFile::new("content/comments.toml", merged.text.clone());
                let mut found = Diagnostics::new();
                let parsed = crate::content::Thread::parse(&toml, &mut found);
                assert!(
                    parsed.is_some() && !found.has_errors(),
                    "{path} = {replacement}: wrote a file the build rejects:\n{}\n{}",
                    found.render(false),
                    merged.text
                );
                runs += 1;
            }
        }
        assert!(
            runs > 100,
            "most mutations are harmless extra fields: {runs}"
        );
    }
}
