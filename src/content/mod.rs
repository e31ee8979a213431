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
pub mod url;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::source::read_source;

pub use comments::{Annotation, Comment, Thread};
pub use essay::Essay;
pub use grid::Grid;
pub use references::{Bibliography, Reference};

/// Everything under `content/`, each file parsed alone.
#[derive(Debug)]
pub struct Content {
    pub root: PathBuf,
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
    unused_markdown(root, diags);
    let files = files::load(root, essay.as_ref(), diags);
    note("content/grid.toml", grid.is_some());
    note("content/comments.toml", thread.is_some());
    note("content/references.toml", bibliography.is_some());
    let thread = thread.unwrap_or_default();
    let bibliography = bibliography.unwrap_or_default();
    let content = Content {
        root: root.to_path_buf(),
        essay: essay?,
        grid,
        thread,
        bibliography,
        files,
        unreadable,
    };
    url::check(&content, diags);
    Some(content)
}

/// A `.md` file in content/ other than essay.md is read by nothing: say so, since an
/// author may expect it to become a page.
fn unused_markdown(root: &Path, diags: &mut Diagnostics) {
    let content = root.join("content");
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .max_depth(4)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("md"))
        })
        .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|rel| rel != Path::new("content/essay.md"))
        .collect();
    found.sort();
    for rel in found {
        diags.push(
            Diagnostic::warning(format!("{} is not used", rel.display()))
                .in_file(&rel)
                .label("quire reads one Markdown file, content/essay.md")
                .help("move the text into content/essay.md, or keep drafts and notes outside content/"),
        );
    }
}

fn read_optional(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<SourceFile> {
    if root.join(rel).exists() {
        read_source(root, Path::new(rel), diags)
    } else {
        None
    }
}
