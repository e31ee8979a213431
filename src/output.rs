//! Writing the site: everything goes into a fresh directory beside the output, which is
//! then swapped into place. A build that fails, or is killed, leaves the previous site
//! exactly as it was; readers of the output (`quire serve`) never see half a site.

use std::io;
use std::path::{Path, PathBuf};

use crate::render::Page;

/// Writes `pages` as the complete content of `out`, replacing what was there.
pub fn write_site(out: &Path, pages: &[Page]) -> io::Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "output path has no folder name",
            )
        })?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    check_replaceable(out)?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.quire-new-{pid}"));
    let retired = parent.join(format!(".{name}.quire-old-{pid}"));
    let _ = std::fs::remove_dir_all(&staging);
    let result = write_all(&staging, pages).and_then(|()| swap(&staging, out, &retired));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(dir: &Path, pages: &[Page]) -> io::Result<()> {
    std::fs::create_dir(dir)?;
    for page in pages {
        if page
            .path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the site: {}", page.path),
            ));
        }
        let path = dir.join(&page.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, &page.bytes)?;
    }
    Ok(())
}

fn swap(staging: &Path, out: &Path, retired: &Path) -> io::Result<()> {
    if out.exists() {
        std::fs::rename(out, retired)?;
        if let Err(e) = std::fs::rename(staging, out) {
            // Put the old site back before reporting.
            let _ = std::fs::rename(retired, out);
            return Err(e);
        }
        std::fs::remove_dir_all(retired)
    } else {
        std::fs::rename(staging, out)
    }
}

/// The output is replaced wholesale, so it must be a site quire wrote (or empty): a typo in
/// `--out` must never delete an author's files.
fn check_replaceable(out: &Path) -> io::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a folder", out.display()),
        ));
    }
    // A project folder that happens to hold an index.html is still not a site.
    if out.join("content/essay.md").exists() || out.join("quire.toml").exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "refusing to replace {}: it holds a quire project (content/ or quire.toml), not a built site",
                out.display()
            ),
        ));
    }
    let mut entries = std::fs::read_dir(out)?.peekable();
    let empty = entries.peek().is_none();
    if empty || out.join("index.html").is_file() || out.join("404.html").is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "refusing to replace {}: it is not empty and doesn't look like a site quire built (no index.html)",
                out.display()
            ),
        ))
    }
}

/// The `Content-Type` of every kind of file a site may hold: what `quire serve` sends, and
/// the media type of the `data:` URLs in a single-file export.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        // CNAME, .nojekyll and the like.
        "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
