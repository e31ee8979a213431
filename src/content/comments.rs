//! `content/comments.toml`: the comment thread, one `[[comment]]` table per comment, in
//! thread order, each with zero or more `[[comment.annotation]]` tables.
//!
//! Comment bodies are text from strangers; this module only parses them. Sanitizing is the
//! renderer's job, and linking parents and quotes is `resolve`'s.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

/// The comment thread: one `[[comment]]` table per comment, in thread order.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Thread {
    #[serde(skip)]
    pub file: Option<SourceFile>,
    /// Where the discussion took place. Without it the page names no forum and shows no
    /// scores.
    #[serde(rename = "thread")]
    pub source: Option<ThreadSource>,
    /// The comments, in the order they are shown; a reply names its parent.
    #[serde(rename = "comment", default)]
    pub comments: Vec<Comment>,
}

/// The `[thread]` table: the forum the discussion comes from and the scores it shows.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadSource {
    /// The forum's name, shown in the thread's legend ("LessWrong").
    pub forum: String,
    /// The discussion's page on the forum.
    pub url: Option<String>,
    /// The scores the forum shows, in the order it shows them, each with the forum's own
    /// label: keys `karma`, `af_karma`, `agreement`. A score absent here is not shown.
    #[serde(default, deserialize_with = "scores_in_file_order")]
    #[schemars(with = "std::collections::BTreeMap<ScoreKind, String>")]
    pub scores: Vec<(ScoreKind, String)>,
}

/// `[thread.scores]` in the order the file lists them (a TOML table has no order of its
/// own once parsed, so each label's position in the file decides).
fn scores_in_file_order<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(ScoreKind, String)>, D::Error> {
    let map: std::collections::BTreeMap<ScoreKind, Spanned<String>> =
        Deserialize::deserialize(deserializer)?;
    let mut scores: Vec<(ScoreKind, Spanned<String>)> = map.into_iter().collect();
    scores.sort_by_key(|(_, label)| label.span().start);
    Ok(scores
        .into_iter()
        .map(|(kind, label)| (kind, label.into_inner()))
        .collect())
}

/// A score a comment can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    Karma,
    AfKarma,
    Agreement,
}

impl ScoreKind {
    /// The comment's value of this score.
    pub fn of(self, c: &Comment) -> Option<i64> {
        match self {
            ScoreKind::Karma => c.karma,
            ScoreKind::AfKarma => c.af_karma,
            ScoreKind::Agreement => c.agreement,
        }
    }

    /// The class of its element on the page.
    pub fn class(self) -> &'static str {
        match self {
            ScoreKind::Karma => "karma",
            ScoreKind::AfKarma => "af-karma",
            ScoreKind::Agreement => "agreement",
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Unique within the thread; becomes the comment's permalink.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Absent when the source doesn't say who wrote it.
    pub author: Option<String>,
    /// The source doesn't name the author; `author` was inferred (e.g. from the comment's
    /// own words), and readers are told so.
    #[serde(default)]
    pub author_inferred: bool,
    /// The id of the comment this one replies to; absent for a top-level comment.
    #[schemars(with = "Option<String>")]
    pub parent: Option<Spanned<String>>,
    /// A TOML date or an ISO 8601 string; absent when unknown.
    #[schemars(with = "Option<String>")]
    pub date: Option<Spanned<toml::Value>>,
    /// The comment's score, when the source shows one.
    pub karma: Option<i64>,
    /// Alignment Forum karma (LessWrong shows it after an Ω).
    pub af_karma: Option<i64>,
    /// Agreement votes, when the source shows them.
    pub agreement: Option<i64>,
    /// The scores exactly as the source showed them, when they had to be read apart.
    pub scores_raw: Option<String>,
    /// The scores in `scores_raw` can be read apart in more than one way, and the split
    /// given is the editor's best reading: the page says the split is uncertain.
    #[serde(default)]
    pub scores_uncertain: bool,
    /// Links in `body` that the editor restored (the source lost them), by their exact URL.
    /// The page marks each as the editor's, not the commenter's. A body's own links cannot
    /// mark themselves, so that a commenter can't pass a link off as the editor's.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub editor_links: Vec<Spanned<String>>,
    /// The comment was deleted: it is shown as a placeholder that keeps its replies in place.
    #[serde(default)]
    pub deleted: bool,
    /// Markdown; untrusted.
    #[serde(default)]
    pub body: String,
    /// Passages of the essay this comment is about.
    #[serde(rename = "annotation", default)]
    pub annotations: Vec<Annotation>,
}

/// Ties a comment to the passage of the essay it argues about.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// The passage, quoted exactly as it stands in the essay (or stood, if `removed`).
    #[schemars(with = "String")]
    pub quote: Spanned<String>,
    /// An editor's note, Markdown.
    pub note: Option<String>,
    /// The grid cell the exchange touches.
    #[schemars(with = "Option<String>")]
    pub cell: Option<Spanned<String>>,
    /// The passage was cut from the essay after the comment was written.
    #[serde(default)]
    pub removed: bool,
}

impl Thread {
    pub fn parse(file: &SourceFile, diags: &mut Diagnostics) -> Option<Thread> {
        let mut thread: Thread = crate::source::parse_toml(file, diags)?;
        thread.file = Some(file.clone());
        for comment in &thread.comments {
            let id = comment.id.get_ref();
            if !is_valid_id(id) {
                diags.push(
                    Diagnostic::error(format!("comment id `{id}` is not a plain word"))
                        .at(file, comment.id.span())
                        .label("not usable in a link")
                        .help("ids become permalinks (#comment-<id>): use letters, digits, `-` and `_`, e.g. \"c01\""),
                );
            }
            if let Some(date) = &comment.date
                && parse_date(date.get_ref()).is_none()
            {
                diags.push(
                    Diagnostic::error(format!(
                        "comment `{}` has a date that doesn't parse",
                        comment.id.get_ref()
                    ))
                    .at(file, date.span())
                    .label("not a date")
                    .help("write a TOML date (2024-08-19) or an ISO 8601 string (\"2024-08-19T20:42:29Z\"), or leave the date out when unknown"),
                );
            }
        }
        Some(thread)
    }
}

/// Comment ids end up in `id` attributes and URL fragments, so they are kept to characters
/// that need no escaping in either.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A comment date as shown to readers (`2024-08-19`), if the value is a date.
pub fn parse_date(value: &toml::Value) -> Option<String> {
    let datetime = match value {
        toml::Value::Datetime(d) => *d,
        toml::Value::String(s) => s.parse::<toml::value::Datetime>().ok()?,
        _ => return None,
    };
    let date = datetime.date?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year, date.month, date.day
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_from_toml_dates_and_strings() {
        assert_eq!(
            parse_date(&toml::Value::String("2024-08-19T20:42:29Z".into())).as_deref(),
            Some("2024-08-19")
        );
        assert_eq!(
            parse_date(&toml::Value::String("last tuesday".into())),
            None
        );
        assert_eq!(parse_date(&toml::Value::Integer(3)), None);
    }

    #[test]
    fn ids_are_plain_words() {
        assert!(is_valid_id("c01"));
        assert!(is_valid_id("a_b-2"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("x\"><script>"));
        assert!(!is_valid_id("é"));
    }
}
