//! Reading project files: the one bounded way a file is read, and TOML parsed into a type
//! with its errors located in the file.
//!
//! A leaf: `config` and `content` both use it, and it knows neither.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

/// The largest file quire reads from a project (content, theme, static files).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. A FIFO, a device, a socket or a
/// larger file is an error, never a hang: the file type is asked before the file is opened
/// (opening a FIFO waits for a writer), and the read stops past the limit (a file that
/// grows as it is read, or a symlink to a device, ends there).
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, device or socket)"
        };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("it is {what}; quire reads only regular files"),
        ));
    }
    let too_big = || {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "it is larger than {} MiB, the most quire reads from one file",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Reads a file as UTF-8 text. `rel` is relative to `root` and is how errors name it.
pub fn read_source(root: &Path, rel: &Path, diags: &mut Diagnostics) -> Option<SourceFile> {
    let path = root.join(rel);
    match read_file(&path) {
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

/// The error for a `[[name.child]]` header that stands above every `[[name]]`, when the
/// TOML error at `span` (which names `name`) comes from one.
fn misplaced_child(
    file: &SourceFile,
    offset: usize,
    span: &std::ops::Range<usize>,
) -> Option<Diagnostic> {
    let name = file.text.get(span.clone())?.trim().to_string();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let own = format!("[[{name}]]");
    let child_prefix = format!("[[{name}.");
    let mut headers = Vec::new(); // (offset, header text)
    let mut at = offset;
    for line in file.text[offset..].split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("[[") {
            headers.push((
                at + line.len() - line.trim_start().len(),
                trimmed.to_string(),
            ));
        }
        at += line.len();
    }
    // The first child header that has no `[[name]]` above it.
    let mut seen_own = false;
    let (child_at, child) = headers.iter().find_map(|(at, h)| {
        if *h == own {
            seen_own = true;
        }
        (!seen_own && h.starts_with(&child_prefix)).then(|| (*at, h.clone()))
    })?;
    let path = file.path.display();
    let misspelt = headers
        .iter()
        .rev()
        .filter(|(at, _)| *at < child_at)
        .filter_map(|(at, h)| {
            let inner = h.strip_prefix("[[")?.strip_suffix("]]")?;
            crate::diagnostic::closest(&name, [inner]).map(|_| (*at, h.clone()))
        })
        .next();
    if let Some((at, h)) = misspelt {
        let (line, _) = file.line_col(child_at);
        return Some(
            Diagnostic::error(format!("unknown field `{h}` in {path}; expected `{own}`"))
                .at(file, at..at + h.len())
                .label(format!("did you mean `{own}`?"))
                .help(format!(
                    "the `{child}` at line {line} belongs to the last `{own}` above it, and there is none"
                )),
        );
    }
    let end = child_at + child.len();
    Some(
        Diagnostic::error(format!("`{child}` comes before any `{own}` in {path}"))
            .at(file, child_at..end)
            .label(format!("this belongs to a `{own}`, and none stands above it"))
            .help(format!(
                "move it below the `{own}` it belongs to: a `{child}` table adds to the last `{own}` above it"
            )),
    )
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
    // `[[comment.annotation]]` with no `[[comment]]` above it (misplaced, or the
    // `[[comment]]` above is misspelt) makes `comment` a plain table: the next real
    // `[[comment]]` reads as a "duplicate key", and serde sees "a map, not a sequence".
    if (message == "duplicate key" || message.contains("expected a sequence"))
        && let Some(span) = &span
        && let Some(d) = misplaced_child(file, offset, span)
    {
        return d;
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
