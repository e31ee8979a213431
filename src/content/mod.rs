//! Loading: each input file is read and parsed on its own, with no knowledge of the others.
//!
//! Cross-file questions (does this cell exist? is this key in the bibliography?) belong to
//! `resolve`, never here. A file that can't be read or parsed becomes a diagnostic and the
//! load goes on, so one build reports every broken file.

pub mod comments;
pub mod essay;
pub mod files;
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
    /// Files beside the essay and under `static/`, copied into the site.
    pub files: files::Files,
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
    let files = files::load(root, essay.as_ref(), diags);
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
        files,
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
            let diag = Diagnostic::error(format!(
                "invalid TOML in {}: {message}",
                file.path.display()
            ));
            let diag = match e.span() {
                Some(span) => diag
                    .at(file, span.start + offset..span.end + offset)
                    .label(message),
                None => diag.in_file(&file.path),
            };
            diags.push(diag);
            None
        }
    }
}
