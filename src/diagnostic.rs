//! Errors as values with a source location, rendered the way rustc renders its own.
//!
//! Every stage reports problems into a [`Diagnostics`] collector instead of stopping
//! at the first one, so an author sees every problem of a build at once. This module
//! knows nothing about essays or grids; it only knows files, byte spans and messages.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A file the build read, kept whole so that an error can quote the offending line.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the author should see it (relative to the project root when possible).
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }
}

/// 1-based line and column (in characters) of a byte offset into `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, optionally pointing into a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where the problem is: the file, and a byte span into it when one is known.
    pub location: Option<(SourceFile, Option<Range<usize>>)>,
    /// The label under the caret: usually what was found.
    pub label: Option<String>,
    /// What was expected, or how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points at a span of `file`.
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        self.location = Some((file.clone(), Some(span)));
        self
    }

    /// Names a file without pointing into it (a missing file, a file that is not UTF-8).
    pub fn in_file(mut self, path: &Path) -> Self {
        self.location = Some((SourceFile::new(path, ""), None));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `path:line:col` of the problem, when it has one.
    pub fn position(&self) -> Option<String> {
        let (file, span) = self.location.as_ref()?;
        Some(match span {
            Some(span) => {
                let (line, col) = file.line_col(span.start);
                format!("{}:{line}:{col}", file.path.display())
            }
            None => file.path.display().to_string(),
        })
    }

    /// Renders the diagnostic as rustc does: header, `--> file:line:col`, the line, a caret.
    pub fn render(&self, styled: bool) -> String {
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = self
            .location
            .as_ref()
            .map(|(file, _)| file.path.display().to_string());
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        let mut groups = Vec::new();
        match (&self.location, &path) {
            (Some((file, Some(span))), Some(path)) => {
                let span = clamp_span(&file.text, span.clone());
                let (excerpt, first_line, span) = excerpt(&file.text, span);
                let mut annotation = AnnotationKind::Primary.span(span);
                if let Some(label) = &self.label {
                    annotation = annotation.label(label.as_str());
                }
                groups.push(
                    group.element(
                        Snippet::source(excerpt)
                            .line_start(first_line)
                            .path(path.as_str())
                            .fold(true)
                            .annotation(annotation),
                    ),
                );
            }
            (_, Some(path)) => {
                group = group.element(annotate_snippets::Origin::path(path.as_str()));
                if let Some(label) = &self.label {
                    group = group.element(Level::NOTE.message(label.as_str()));
                }
                groups.push(group);
            }
            _ => {
                if let Some(label) = &self.label {
                    group = group.element(Level::NOTE.message(label.as_str()));
                }
                groups.push(group);
            }
        }
        if let Some(help) = &self.help {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        renderer.render(&groups)
    }
}

/// Keeps a span inside the text and on character boundaries, and never empty unless the
/// text is (annotate-snippets draws an empty span as a caret between two characters).
fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let mut end = floor_char_boundary(text, span.end.min(text.len())).max(start);
    if end == start && end < text.len() {
        end += text[end..].chars().next().map_or(0, char::len_utf8);
    }
    start..end
}

/// The lines a span touches, their 1-based first line number, and the span within them:
/// rendering one error costs the length of its lines, not of the whole file.
fn excerpt(text: &str, span: Range<usize>) -> (&str, usize, Range<usize>) {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    let line = text.as_bytes()[..start]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    (
        &text[start..end],
        line,
        span.start - start..span.end - start,
    )
}

/// Levenshtein distance in characters, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo
/// (a third of the word's length, at least one edit, case ignored); the first of equals.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        // A long word costs length² to compare; past 200 characters it is no typo.
        .filter(|c| c.len() < 200 && word.len() < 200)
        // More letters apart than the limit can't be within it.
        .filter(|c| c.chars().count().abs_diff(word.chars().count()) <= limit)
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// How many diagnostics [`Diagnostics::render`] prints in full.
pub const MAX_SHOWN: usize = 100;

/// Every problem of one build, in the order they were found.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// The diagnostics, each rendered, separated by blank lines: at most [`MAX_SHOWN`],
    /// then a line saying how many more there are (thousands of copies of one mistake
    /// would bury the first, and take long to print).
    pub fn render(&self, styled: bool) -> String {
        let mut out = String::new();
        for d in self.items.iter().take(MAX_SHOWN) {
            out.push_str(&d.render(styled));
            out.push_str("\n\n");
        }
        if self.items.len() > MAX_SHOWN {
            let rest = self.items.len() - MAX_SHOWN;
            let more = Diagnostic::warning(format!(
                "{rest} more problem{} not shown",
                if rest == 1 { "" } else { "s" }
            ))
            .help("fix the ones above and build again");
            out.push_str(&more.render(styled));
            out.push_str("\n\n");
        }
        out
    }

    /// Returns `Err(self)` when any error was recorded, so a stage can end with `?`.
    pub fn into_result<T>(self, value: T) -> Result<(T, Diagnostics), Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok((value, self))
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let keys = ["gardener2001", "sower1999", "hedger2020"];
        assert_eq!(closest("gardner2001", keys), Some("gardener2001"));
        assert_eq!(closest("Hedger2020", keys), Some("hedger2020"));
        assert_eq!(closest("weekend", keys), None);
        assert_eq!(closest("hedger2020", keys), None, "not itself");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\n“cd” e";
        let offset = text.find('e').unwrap();
        assert_eq!(line_col(text, offset), (2, 6));
        assert_eq!(line_col(text, 0), (1, 1));
    }

    #[test]
    fn rendered_error_names_file_line_and_shows_the_line() {
        let file = SourceFile::new("content/grid.toml", "[[cell]]\nid = \"nope\"\n");
        let d = Diagnostic::error("unknown cell id")
            .at(&file, 14..20)
            .label("no such cell")
            .help("expected one of: a-b");
        let out = d.render(false);
        assert!(out.contains("error: unknown cell id"), "{out}");
        assert!(out.contains("content/grid.toml:2:6"), "{out}");
        assert!(out.contains("id = \"nope\""), "{out}");
        assert!(out.contains("expected one of: a-b"), "{out}");
    }
}
