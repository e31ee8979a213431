//! Loading: each input file is read and parsed on its own, with no knowledge of the others.
//!
//! Cross-file questions (does this cell exist? is this key in the bibliography?) belong to
//! `resolve`, never here. A file that can't be read or parsed becomes a diagnostic and the
//! load goes on, so one build reports every broken file.

pub mod comments;
pub mod essay;
pub mod grid;
pub mod references;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

pub use comments::{Annotation, Comment, Thread};
pub use essay::Essay;
pub use grid::Grid;
pub use references::{Bibliography, Reference};

/// Everything under `content/`, each file parsed alone.
#[derive(Debug)]
pub struct Content {
    pub root: PathBuf,
    pub config: Config,
    pub essay: Essay,
    pub grid: Option<Grid>,
    pub thread: Thread,
    pub bibliography: Bibliography,
    /// Files that exist but could not be parsed: their errors are already reported, so
    /// `resolve` doesn't pile "unknown id" errors on top of them.
    pub unreadable: Vec<&'static str>,
}

impl Content {
    pub fn is_unreadable(&self, rel: &str) -> bool {
        self.unreadable.contains(&rel)
    }
}

/// Reads the project at `root`. Returns `None` when a required file is unusable; every
/// problem found on the way is in `diags`.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Content> {
    let config = Config::load(root, diags);
    let mut unreadable = Vec::new();
    let mut note = |rel: &'static str, ok: bool| {
        if !ok && root.join(rel).exists() {
            unreadable.push(rel);
        }
    };
    let essay = read_source(root, Path::new("content/essay.md"), diags)
        .and_then(|file| Essay::parse(file, diags));
    let grid = read_optional(root, "content/grid.toml", diags).and_then(|f| Grid::parse(&f, diags));
    let thread =
        read_optional(root, "content/comments.toml", diags).and_then(|f| Thread::parse(&f, diags));
    let bibliography = read_optional(root, "content/references.toml", diags)
        .and_then(|f| Bibliography::parse(&f, diags));
    note("content/grid.toml", grid.is_some());
    note("content/comments.toml", thread.is_some());
    note("content/references.toml", bibliography.is_some());
    let thread = thread.unwrap_or_default();
    let bibliography = bibliography.unwrap_or_default();
    Some(Content {
        root: root.to_path_buf(),
        config,
        essay: essay?,
        grid,
        thread,
        bibliography,
        unreadable,
    })
}

fn read_optional(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<SourceFile> {
    if root.join(rel).exists() {
        read_source(root, Path::new(rel), diags)
    } else {
        None
    }
}

/// Reads a file as UTF-8 text. `rel` is relative to `root` and is how errors name it.
pub fn read_source(root: &Path, rel: &Path, diags: &mut Diagnostics) -> Option<SourceFile> {
    let path = root.join(rel);
    match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile::new(rel, text)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                // The lossy text is identical up to the bad byte, so offsets still match.
                let lossy =
                    SourceFile::new(rel, String::from_utf8_lossy(e.as_bytes()).into_owned());
                diags.push(
                    Diagnostic::error(format!("{} is not valid UTF-8", rel.display()))
                        .at(&lossy, valid..valid + 1)
                        .label("this byte is not UTF-8")
                        .help("save the file as UTF-8"),
                );
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(
                Diagnostic::error(format!("missing file {}", rel.display()))
                    .in_file(rel)
                    .help(format!(
                        "expected {} under the project root {}",
                        rel.display(),
                        root.display()
                    )),
            );
            None
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read {}: {e}", rel.display())).in_file(rel),
            );
            None
        }
    }
}

/// Parses a whole TOML file into `T`, turning a syntax or shape error into a diagnostic
/// that points at the offending span.
pub fn parse_toml<T: DeserializeOwned>(file: &SourceFile, diags: &mut Diagnostics) -> Option<T> {
    parse_toml_at(file, &file.text, 0, diags)
}

/// Parses `text`, which starts at byte `offset` of `file` (front matter inside a Markdown file).
pub fn parse_toml_at<T: DeserializeOwned>(
    file: &SourceFile,
    text: &str,
    offset: usize,
    diags: &mut Diagnostics,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let message = e.message().trim_end().to_string();
            let span = e.span().map(|s| s.start + offset..s.end + offset);
            diags.push(toml_diagnostic(file, offset, &message, span));
            None
        }
    }
}

/// Names a TOML error as what it is: a misplaced `[[a.b]]` header, an unknown field (with
/// the closest expected one), a missing field, a wrong value; or, for broken syntax,
/// "invalid TOML".
fn toml_diagnostic(
    file: &SourceFile,
    offset: usize,
    message: &str,
    span: Option<std::ops::Range<usize>>,
) -> Diagnostic {
    let path = file.path.display();
    let locate = |d: Diagnostic, label: &str| match &span {
        Some(span) => d.at(file, span.clone()).label(label.to_string()),
        None => d.in_file(&file.path),
    };
    let line_at = |at: usize| {
        file.text[..at.min(file.text.len())]
            .lines()
            .last()
            .unwrap_or("")
    };
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once("`, expected ")
    {
        let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let header = span.as_ref().is_some_and(|s| {
            let start = file.text[..s.start].rfind('\n').map_or(0, |i| i + 1);
            file.text[start..s.start].trim_start().starts_with('[')
        });
        let shown = |n: &str| {
            if header {
                format!("[[{n}]]")
            } else {
                n.to_string()
            }
        };
        let label = match crate::diagnostic::closest(field, names.iter().copied()) {
            Some(near) => format!("did you mean `{}`?", shown(near)),
            None if header => "quire reads no table of this name".to_string(),
            None => "quire reads no field of this name".to_string(),
        };
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = Diagnostic::error(format!(
            "unknown field `{field}` in {path}; expected {}{list}",
            if names.len() > 1 { "one of " } else { "" }
        ));
        return locate(d, &label);
    }
    if message == "duplicate key"
        && let Some(span) = &span
    {
        // `[[comment.annotation]]` above every `[[comment]]` makes `comment` a table, and
        // the first real `[[comment]]` then reads as a duplicate.
        let name = file.text[span.clone()].trim().to_string();
        let header = format!("[[{name}.");
        let before = &file.text[offset..span.start];
        if line_at(span.end).trim_start().starts_with("[[")
            && let Some(at) = before.find(&header)
        {
            let at = offset + at;
            let end = file.text[at..]
                .find('\n')
                .map_or(file.text.len(), |i| at + i);
            let child = file.text[at..end].trim().to_string();
            return Diagnostic::error(format!(
                "`{child}` comes before any `[[{name}]]` in {path}"
            ))
            .at(file, at..end)
            .label(format!("this belongs to a `[[{name}]]`, and none stands above it"))
            .help(format!(
                "move it below the `[[{name}]]` it belongs to: a `{child}` table adds to the last `[[{name}]]` before it"
            ));
        }
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        let d = Diagnostic::error(format!("missing field `{field}` in {path}"));
        return locate(d, &format!("this table needs `{field}`"));
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("`date`")
    {
        let d = Diagnostic::error(format!("wrong value in {path}: {message}"));
        return locate(d, "this value");
    }
    let d = Diagnostic::error(format!("invalid TOML in {path}: {message}"));
    locate(d, message)
}
