//! `quire import forum`: brings a discussion from a ForumMagnum forum (LessWrong, the AI
//! Alignment Forum, the EA Forum) into `content/comments.toml`, and keeps it in step.
//!
//! A stage before the build, not part of it: [`forum`] reads the GraphQL answer (a saved
//! file, or pages [`fetch`]ed over HTTPS), [`markdown`] converts each body, [`merge`] edits
//! the author's file in place, and the result is checked the way `quire build` checks it
//! before anything is written. The file is replaced atomically (temporary file, rename), so
//! a failed import leaves it as it was. The build never reads the forum.

pub mod fetch;
pub mod forum;
pub mod markdown;
pub mod merge;

use std::path::{Path, PathBuf};

use crate::content::{self, Thread};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

pub use merge::{Base, Merged, ThreadSource};

/// Where comments.toml lives in a project.
pub const COMMENTS: &str = "content/comments.toml";
/// What the last import wrote, so the next can tell the author's edits from the forum's.
pub const BASE: &str = ".quire/forum-import.json";

/// What `quire import forum` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub root: PathBuf,
    /// A saved GraphQL answer.
    pub file: Option<PathBuf>,
    /// A post's address; its forum's API is asked.
    pub url: Option<String>,
    /// The forum's name or short name (`lesswrong`, `af`, `ea`), when not from the URL.
    pub forum: Option<String>,
    /// Ask this GraphQL endpoint instead of the one of the URL's host (tests, mirrors).
    pub endpoint: Option<String>,
    /// A reply whose parent the answer lacks: an error, or a deleted placeholder parent.
    pub missing_parents: forum::MissingParents,
    /// Per request; the default is a minute.
    pub timeout: Option<std::time::Duration>,
    pub dry_run: bool,
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug)]
pub struct ImportReport {
    pub comments: usize,
    pub merged: Merged,
    pub written: bool,
    pub path: PathBuf,
}

/// A forum quire knows: its name, address and the scores its comments show.
struct Forum {
    names: &'static [&'static str],
    host: &'static str,
    name: &'static str,
    /// Score keys in the order the forum shows them, with its labels.
    scores: &'static [(&'static str, &'static str)],
}

const FORUMS: &[Forum] = &[
    Forum {
        names: &["lesswrong", "lw", "lesswrong.com", "www.lesswrong.com"],
        host: "www.lesswrong.com",
        name: "LessWrong",
        scores: &[
            ("af_karma", "Alignment Forum karma"),
            ("karma", "karma"),
            ("agreement", "agreement"),
        ],
    },
    Forum {
        names: &[
            "alignmentforum",
            "af",
            "alignmentforum.org",
            "www.alignmentforum.org",
        ],
        host: "www.alignmentforum.org",
        name: "AI Alignment Forum",
        scores: &[("af_karma", "karma"), ("agreement", "agreement")],
    },
    Forum {
        names: &[
            "eaforum",
            "ea",
            "forum.effectivealtruism.org",
            "effectivealtruism.org",
        ],
        host: "forum.effectivealtruism.org",
        name: "EA Forum",
        scores: &[("karma", "karma"), ("agreement", "agreement")],
    },
];

/// Labels for a forum quire doesn't know (named with `--forum`).
const GENERIC_SCORES: &[(&str, &str)] = &[
    ("af_karma", "Alignment Forum karma"),
    ("karma", "karma"),
    ("agreement", "agreement"),
];

fn known_forum(name: &str) -> Option<&'static Forum> {
    let name = name.trim().to_ascii_lowercase();
    FORUMS
        .iter()
        .find(|f| f.names.contains(&name.as_str()) || f.name.to_ascii_lowercase() == name)
}

/// Runs the import: read, convert, merge, check, and (unless a dry run) write.
pub fn import(options: &ImportOptions) -> Result<ImportReport, Diagnostics> {
    let mut diags = Diagnostics::new();
    let fail = |d: Diagnostic| {
        let mut diags = Diagnostics::new();
        diags.push(d);
        diags
    };
    if !options.root.join("content").is_dir() {
        return Err(fail(
            Diagnostic::error(format!(
                "{} is not a quire project: it has no content/ folder",
                options.root.display()
            ))
            .help("run the import in the project folder, or name it with --root (create one with `quire new`)"),
        ));
    }

    // The forum: from --forum, else from the URL's host.
    let post = match &options.url {
        Some(url) => Some(fetch::parse_post_url(url).map_err(|m| {
            fail(Diagnostic::error(m).help(
                "give the post's address as the forum shows it, e.g. https://www.lesswrong.com/posts/ID/slug",
            ))
        })?),
        None => None,
    };
    let forum = match (&options.forum, &post) {
        (Some(name), _) => Some(
            known_forum(name)
                .map(|f| (f.name.to_string(), f.scores, Some(f.host)))
                .unwrap_or_else(|| (name.trim().to_string(), GENERIC_SCORES, None)),
        ),
        (None, Some(post)) => {
            known_forum(&post.host).map(|f| (f.name.to_string(), f.scores, Some(f.host)))
        }
        (None, None) => None,
    };

    // The comments.
    let sources: Vec<SourceFile> = match (&options.file, &post) {
        (Some(path), None) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                fail(
                    Diagnostic::error(format!("cannot read {}: {e}", path.display())).in_file(path),
                )
            })?;
            vec![SourceFile::new(path, text)]
        }
        (None, Some(post)) => {
            let mut post = post.clone();
            if let Some(endpoint) = &options.endpoint {
                post.endpoint = endpoint.clone();
            }
            fetch::fetch(&post, options.timeout).map_err(|d| fail(*d))?
        }
        _ => {
            return Err(fail(
                Diagnostic::error("give either a saved JSON file or --url, not both")
                    .help("quire import forum thread.json   or   quire import forum --url https://www.lesswrong.com/posts/ID/slug"),
            ));
        }
    };
    let mut pages = Vec::new();
    for file in &sources {
        if let Some(page) = forum::parse_page(file, &mut diags) {
            pages.push(page);
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let Some(thread) = forum::thread(&sources[0], pages, options.missing_parents, &mut diags)
    else {
        return Err(diags);
    };

    let source = ThreadSource {
        forum: forum.as_ref().map(|(name, _, _)| name.clone()),
        url: match (&options.url, &forum) {
            (Some(url), _) => Some(url.split(['?', '#']).next().unwrap_or(url).to_string()),
            (None, Some((_, _, Some(host)))) => {
                post_id(&sources).map(|id| format!("https://{host}/posts/{id}"))
            }
            _ => None,
        },
        scores: forum
            .as_ref()
            .map(|(_, scores, _)| {
                scores
                    .iter()
                    .copied()
                    .filter(|(key, _)| {
                        thread.iter().any(|c| match *key {
                            "karma" => c.karma.is_some(),
                            "af_karma" => c.af_karma.is_some(),
                            _ => c.agreement.is_some(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };

    // The author's file and the record of the last import.
    let path = options.root.join(COMMENTS);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(fail(
                Diagnostic::error(format!("cannot read {COMMENTS}: {e}"))
                    .in_file(Path::new(COMMENTS)),
            ));
        }
    };
    let base_path = options.root.join(BASE);
    let base: Base = match std::fs::read_to_string(&base_path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            fail(
                Diagnostic::error(format!("{BASE} is not a record quire wrote: {e}"))
                    .in_file(Path::new(BASE))
                    .help("delete it to import as if for the first time (fields you edited that differ from the forum are still kept)"),
            )
        })?,
        Err(_) => Base::default(),
    };
    if let Some(text) = &existing
        && let Err(e) = text.parse::<toml_edit::DocumentMut>()
    {
        let file = SourceFile::new(COMMENTS, text.clone());
        let message = e.message().trim_end().to_string();
        let span = e.span().unwrap_or(0..0);
        return Err(fail(
            Diagnostic::error(format!("{COMMENTS} is not valid TOML: {message}"))
                .at(&file, span)
                .label(message)
                .help("fix it (quire build shows the same error), then import again"),
        ));
    }
    let merged = merge::merge(existing.as_deref(), &base, &thread, &source)
        .map_err(|m| fail(Diagnostic::error(m).in_file(Path::new(COMMENTS))))?;

    // Checked as the build checks it: a comment, parent or annotation that would fail the
    // build fails the import, and nothing is written.
    check(&options.root, &merged.text, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let report = ImportReport {
        comments: thread.len(),
        written: !options.dry_run,
        merged,
        path,
    };
    if options.dry_run {
        return Ok(report);
    }
    let base_json = serde_json::to_string_pretty(&report.merged.base).unwrap_or_default() + "\n";
    if let Err(e) = write_atomically(&report.path, &report.merged.text)
        .and_then(|()| write_atomically(&base_path, &base_json))
    {
        return Err(fail(Diagnostic::error(format!(
            "cannot write {COMMENTS}: {e}"
        ))));
    }
    Ok(report)
}

/// The post id the answer names (every comment carries `postId`), when they agree.
fn post_id(sources: &[SourceFile]) -> Option<String> {
    let mut ids = sources.iter().flat_map(|s| {
        let value: serde_json::Value = serde_json::from_str(&s.text).unwrap_or_default();
        value
            .pointer("/data/comments/results")
            .and_then(serde_json::Value::as_array)
            .map(|r| {
                r.iter()
                    .map(|c| {
                        c.get("postId")
                            .and_then(serde_json::Value::as_str)
                            .map(str::to_string)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let first = ids.next()??;
    let valid = first.chars().all(|c| c.is_ascii_alphanumeric()) && !first.is_empty();
    (valid && ids.all(|id| id.as_deref() == Some(first.as_str()))).then_some(first)
}

/// Loads the project with the merged thread in place of the file on disk and resolves it;
/// keeps only the problems located in comments.toml (the rest are the build's business).
fn check(root: &Path, merged: &str, diags: &mut Diagnostics) {
    let file = SourceFile::new(COMMENTS, merged.to_string());
    let mut found = Diagnostics::new();
    let Some(thread) = Thread::parse(&file, &mut found) else {
        diags.extend(found);
        return;
    };
    if found.has_errors() {
        diags.extend(found);
        return;
    }
    if !root.join("content/essay.md").is_file() {
        return;
    }
    // The other files' own problems (and the file on disk, being replaced) are the build's
    // business; only what resolving the new thread finds in it counts here.
    let Some(mut content) = content::load(root, &mut Diagnostics::new()) else {
        return;
    };
    content.thread = thread;
    content.unreadable.retain(|f| *f != COMMENTS);
    let mut resolved = Diagnostics::new();
    let _ = crate::resolve::resolve(content, &mut resolved);
    for d in resolved.iter() {
        let in_comments = d
            .location
            .as_ref()
            .is_some_and(|(f, _)| f.path == Path::new(COMMENTS));
        if in_comments {
            diags.push(d.clone());
        }
    }
}

/// Writes beside the target and renames over it, so readers see the old file or the new.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    crate::output::write_file(path, text.as_bytes())
}
