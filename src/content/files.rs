//! Files beside the essay: images and other files the essay links to under `content/`
//! (copied to the same relative path in the site, as Zola does with colocated assets), and
//! a project-level `static/` folder (copied to the site root).
//!
//! A link to a file that exists nowhere is an error at the link; an image gets its width
//! and height from the file's header so the page doesn't shift as it loads, and an image
//! without alt text is an error.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use walkdir::WalkDir;

use super::essay::Essay;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// A relative link or image in the essay that names a file.
#[derive(Debug, Clone)]
pub struct FileUse {
    /// The destination as written.
    pub url: String,
    /// The file's path relative to `content/` (and to the site root), `/`-separated.
    pub path: String,
    /// Span in the essay file.
    pub span: Range<usize>,
    /// For an image: its alt text.
    pub alt: Option<String>,
}

/// Every file the site carries besides the pages quire writes.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Site path -> bytes: files under `content/` the essay links to, then `static/`.
    pub copies: BTreeMap<String, Vec<u8>>,
    /// Destination as written in the essay -> the image's (width, height) in CSS pixels.
    pub image_sizes: HashMap<String, (u64, u64)>,
}

/// Pages quire writes itself: a link to one of them is not a file beside the essay.
pub fn is_generated_page(path: &str) -> bool {
    matches!(path, "index.html" | "references.html" | "404.html")
        || path
            .strip_prefix("cells/")
            .is_some_and(|p| p.ends_with(".html") && !p.contains('/'))
}

/// The site path a relative URL names, or `None` when the URL is not a local file: a
/// fragment, a URL with a scheme, a `/`-rooted or protocol-relative URL.
pub fn local_path(url: &str) -> Option<Result<String, &'static str>> {
    let url = url.trim();
    if url.is_empty()
        || url.starts_with('#')
        || url.starts_with('/')
        || crate::html::has_scheme(url)
    {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() {
        return None;
    }
    let decoded = crate::html::percent_decode(path).unwrap_or_else(|| path.to_string());
    let mut parts: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some(Err("it leads out of content/"));
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(Ok(parts.join("/")))
}

/// Reads `static/` and every file the essay links to; reports missing ones at the link.
pub fn load(root: &Path, essay: Option<&Essay>, diags: &mut Diagnostics) -> Files {
    let mut files = Files::default();
    let statics = read_static(root, diags);
    if let Some(essay) = essay {
        for use_ in &essay.outline.files {
            let bytes = if let Some(bytes) = files.copies.get(&use_.path) {
                Some(bytes.clone())
            } else if let Some(bytes) = read_content_file(root, essay, use_, diags) {
                files.copies.insert(use_.path.clone(), bytes.clone());
                Some(bytes)
            } else if let Some(bytes) = statics.get(&use_.path) {
                Some(bytes.clone())
            } else {
                if use_.alt.is_some() || !is_generated_page(&use_.path) {
                    diags.push(
                        Diagnostic::error(format!("missing file content/{}", use_.path))
                            .at(&essay.file, use_.span.clone())
                            .label(format!("`{}` is not a file", use_.url))
                            .help(format!(
                                "put the file at content/{0} (or static/{0} for the site root)",
                                use_.path
                            )),
                    );
                }
                None
            };
            let Some(alt) = &use_.alt else { continue };
            if alt.trim().is_empty() {
                diags.push(
                    Diagnostic::error("an image without alt text")
                        .at(&essay.file, use_.span.clone())
                        .label("no text between the brackets")
                        .help("say what the image shows: ![A diagram of the two axes](figures/axes.svg)"),
                );
            }
            let Some(bytes) = bytes else { continue };
            match image_size(&use_.path, &bytes) {
                Some(size) => {
                    files.image_sizes.insert(use_.url.clone(), size);
                }
                None => diags.push(
                    Diagnostic::warning(format!("cannot read the size of the image {}", use_.path))
                        .at(&essay.file, use_.span.clone())
                        .label("not a PNG, JPEG, GIF, WebP or SVG file quire can measure")
                        .help("the page may shift while the image loads"),
                ),
            }
        }
    }
    for (path, bytes) in statics {
        files.copies.entry(path).or_insert(bytes);
    }
    files
}

fn read_content_file(
    root: &Path,
    essay: &Essay,
    use_: &FileUse,
    diags: &mut Diagnostics,
) -> Option<Vec<u8>> {
    let path = root.join("content").join(&use_.path);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() {
        if meta.is_dir() || meta.file_type().is_symlink() {
            diags.push(
                Diagnostic::error(format!("content/{} is not a regular file", use_.path))
                    .at(&essay.file, use_.span.clone())
                    .label("only regular files are copied into the site"),
            );
        }
        return None;
    }
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read content/{}: {e}", use_.path))
                    .at(&essay.file, use_.span.clone()),
            );
            None
        }
    }
}

/// Every regular file under `static/`, by path relative to it.
fn read_static(root: &Path, diags: &mut Diagnostics) -> BTreeMap<String, Vec<u8>> {
    let dir = root.join("static");
    let mut out = BTreeMap::new();
    if !dir.is_dir() {
        return out;
    }
    for entry in WalkDir::new(&dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::error(format!("cannot read static/: {e}")).in_file(&dir));
                continue;
            }
        };
        if !entry.file_type().is_file() || crate::theme::is_editor_litter(entry.file_name()) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        // Pieces of the joined stylesheet and script go to the theme instead.
        if rel.split('/').any(|part| part.starts_with('.')) || crate::theme::is_bundle_piece(&rel) {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                out.insert(rel, bytes);
            }
            Err(e) => diags.push(
                Diagnostic::error(format!("cannot read static/{rel}: {e}"))
                    .in_file(&Path::new("static").join(&rel)),
            ),
        }
    }
    out
}

/// An image's width and height from its header (SVG: its `width`/`height` or `viewBox`).
pub fn image_size(path: &str, bytes: &[u8]) -> Option<(u64, u64)> {
    if path.to_ascii_lowercase().ends_with(".svg") {
        return svg_size(&String::from_utf8_lossy(bytes));
    }
    let size = imagesize::blob_size(bytes).ok()?;
    Some((size.width as u64, size.height as u64))
}

fn svg_size(text: &str) -> Option<(u64, u64)> {
    let tags = crate::html::tags(text);
    let svg = tags.iter().find(|t| t.name == "svg")?;
    let length = |name: &str| -> Option<f64> {
        let v = svg.get(name)?.trim();
        let v = v.strip_suffix("px").unwrap_or(v);
        v.parse::<f64>().ok().filter(|n| *n > 0.0 && n.is_finite())
    };
    let view_box: Option<(f64, f64)> = svg.get("viewbox").and_then(|v| {
        let n: Vec<f64> = v
            .split([' ', ',', '\t', '\n'])
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        (n.len() == 4 && n[2] > 0.0 && n[3] > 0.0).then(|| (n[2], n[3]))
    });
    let (w, h) = match (length("width"), length("height"), view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (_, _, Some(vb)) => vb,
        _ => return None,
    };
    Some((w.round() as u64, h.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_normalised_and_confined() {
        assert_eq!(
            local_path("figures/./a%20b.png?x#y"),
            Some(Ok("figures/a b.png".into()))
        );
        assert_eq!(local_path("https://example.org/a.png"), None);
        assert_eq!(local_path("#p1"), None);
        assert_eq!(local_path("/a.png"), None);
        assert!(matches!(local_path("../secret.txt"), Some(Err(_))));
    }

    #[test]
    fn svg_sizes_come_from_width_height_or_viewbox() {
        assert_eq!(
            svg_size(
                r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80">"#
            ),
            Some((120, 80))
        );
        assert_eq!(
            svg_size(r#"<svg viewBox="0 0 300 150"></svg>"#),
            Some((300, 150))
        );
        assert_eq!(
            svg_size(r#"<svg width="600" viewBox="0 0 300 150"></svg>"#),
            Some((600, 300))
        );
        assert_eq!(svg_size(r#"<svg width="100%"></svg>"#), None);
    }
}
