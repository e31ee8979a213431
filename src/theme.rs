//! Themes: Tera templates and static assets, from the project's `themes/<name>/` or, when
//! the project has none, the default theme built into the binary.
//!
//! Static files under `static/css/` and `static/js/` are joined (in file-name order) into
//! one `quire.css` and one `quire.js`: each feature keeps its own file in the theme, and a
//! reader's browser makes one request for each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// A template of the built-in theme (`name` is its path under `templates/`).
pub fn builtin_template(name: &str) -> Option<&'static str> {
    let path = format!("templates/{name}");
    DEFAULT_THEME
        .iter()
        .find(|(p, _)| *p == path)
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
}

pub struct Theme {
    /// Where the theme came from, for error messages.
    pub origin: PathBuf,
    /// Template name (path under `templates/`) -> source.
    pub templates: BTreeMap<String, String>,
    /// Output path -> bytes, bundles already joined.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// The fonts under `fonts/` (TrueType or OpenType), in file-name order: what the
    /// preview image is drawn with. Not published.
    pub fonts: Vec<Vec<u8>>,
}

impl Theme {
    /// Loads `themes/<name>` under `root`, falling back to the built-in default theme.
    pub fn load(root: &Path, config: &Config, diags: &mut Diagnostics) -> Option<Theme> {
        let name = config.theme.as_str();
        let dir = root.join("themes").join(name);
        let files: Vec<(String, Vec<u8>)> = if dir.is_dir() {
            let mut files = Vec::new();
            for entry in WalkDir::new(&dir).sort_by_file_name() {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(format!("cannot read theme: {e}")).in_file(&dir),
                        );
                        return None;
                    }
                };
                if !entry.file_type().is_file() || is_editor_litter(entry.file_name()) {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                match crate::source::read_file(entry.path()) {
                    Ok(bytes) => files.push((rel, bytes)),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("cannot read {}: {e}", entry.path().display()))
                            .in_file(entry.path()),
                    ),
                }
            }
            files
        } else if name == "default" {
            DEFAULT_THEME
                .iter()
                .map(|(p, b)| (p.to_string(), b.to_vec()))
                .collect()
        } else {
            diags.push(
                config.locate(
                    "theme",
                    Diagnostic::error(format!("theme `{name}` not found"))
                        .help(format!("expected a folder {}", dir.display())),
                ),
            );
            return None;
        };
        let mut files = files;
        overlay_project(root, &mut files, diags);
        let origin = Path::new("themes").join(name);
        let mut theme = Theme {
            origin: origin.clone(),
            templates: BTreeMap::new(),
            assets: BTreeMap::new(),
            fonts: Vec::new(),
        };
        let mut css = Vec::new();
        let mut js = Vec::new();
        for (rel, bytes) in files {
            if let Some(name) = rel.strip_prefix("templates/") {
                match String::from_utf8(bytes) {
                    Ok(text) => {
                        theme.templates.insert(name.to_string(), text);
                    }
                    Err(_) => diags.push(
                        Diagnostic::error(format!("template {rel} is not valid UTF-8"))
                            .in_file(&origin.join(&rel)),
                    ),
                }
            } else if rel.starts_with("fonts/") && (rel.ends_with(".ttf") || rel.ends_with(".otf"))
            {
                theme.fonts.push(bytes);
            } else if let Some(name) = rel.strip_prefix("static/") {
                if name.starts_with("css/") && name.ends_with(".css") {
                    css.push((name.to_string(), bytes));
                } else if name.starts_with("js/") && name.ends_with(".js") {
                    js.push((name.to_string(), bytes));
                } else {
                    theme.assets.insert(name.to_string(), bytes);
                }
            }
        }
        if !css.is_empty() {
            theme
                .assets
                .insert("quire.css".into(), bundle(css, "/*", "*/"));
        }
        if !js.is_empty() {
            theme
                .assets
                .insert("quire.js".into(), bundle(js, "/*", "*/"));
        }
        Some(theme)
    }
}

/// The project's own pieces over the theme's, file by file (Zola's model): each file of
/// `templates/` replaces the theme's template of that name or adds one, and each
/// `static/css/*.css` or `static/js/*.js` replaces or adds a piece of the joined stylesheet
/// or script. The rest of `static/` is copied to the site by `content::files`.
fn overlay_project(root: &Path, files: &mut Vec<(String, Vec<u8>)>, diags: &mut Diagnostics) {
    let mut overrides = Vec::new();
    for (dir, prefix, is_piece) in [
        (
            "templates",
            "templates/",
            (|_: &str| true) as fn(&str) -> bool,
        ),
        ("static", "static/", is_bundle_piece as fn(&str) -> bool),
    ] {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        for entry in WalkDir::new(&base).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() || is_editor_litter(entry.file_name()) {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&base)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !is_piece(&rel) {
                continue;
            }
            match std::fs::read(entry.path()) {
                Ok(bytes) => overrides.push((format!("{prefix}{rel}"), bytes)),
                Err(e) => diags.push(
                    Diagnostic::error(format!("cannot read {dir}/{rel}: {e}"))
                        .in_file(&Path::new(dir).join(&rel)),
                ),
            }
        }
    }
    for (rel, bytes) in overrides {
        match files.iter_mut().find(|(r, _)| *r == rel) {
            Some(existing) => existing.1 = bytes,
            None => files.push((rel, bytes)),
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
}

/// A piece of the joined `quire.css` or `quire.js` (path under `static/`).
pub fn is_bundle_piece(rel: &str) -> bool {
    (rel.starts_with("css/") && rel.ends_with(".css"))
        || (rel.starts_with("js/") && rel.ends_with(".js"))
}

/// Writes every file of the built-in default theme under `dir` (`quire theme export`), to
/// start a theme of one's own. Refuses a folder that holds anything.
pub fn export_default(dir: &Path) -> Result<usize, Box<Diagnostic>> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        let d = Diagnostic::error(format!("{} exists and is not empty", dir.display()))
            .help("name a new folder, e.g. themes/mine (then set theme = \"mine\" in quire.toml)");
        return Err(Box::new(d));
    }
    for (rel, bytes) in DEFAULT_THEME {
        let path = dir.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, bytes));
        if let Err(e) = written {
            return Err(Box::new(Diagnostic::error(format!(
                "cannot write {}: {e}",
                path.display()
            ))));
        }
    }
    Ok(DEFAULT_THEME.len())
}

/// The default theme's fonts: what the preview image is drawn with when a theme brings
/// none of its own.
pub fn default_fonts() -> Vec<Vec<u8>> {
    DEFAULT_THEME
        .iter()
        .filter(|(p, _)| p.starts_with("fonts/") && (p.ends_with(".ttf") || p.ends_with(".otf")))
        .map(|(_, b)| b.to_vec())
        .collect()
}

/// Hidden files, editor backups and swap files never belong in a published site.
pub(crate) fn is_editor_litter(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || [".swp", ".swo", ".swx", ".tmp", ".bak"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

fn bundle(parts: Vec<(String, Vec<u8>)>, open: &str, close: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in parts {
        out.extend_from_slice(format!("{open} {name} {close}\n").as_bytes());
        out.extend_from_slice(&bytes);
        if !bytes.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_litter_in_a_theme_is_not_published() {
        let tmp = tempfile::tempdir().unwrap();
        let css = tmp.path().join("themes/t/static/css");
        std::fs::create_dir_all(&css).unwrap();
        std::fs::create_dir_all(tmp.path().join("themes/t/templates")).unwrap();
        std::fs::write(css.join("00-a.css"), "a{}").unwrap();
        std::fs::write(css.join(".00-a.css.swp"), "junk").unwrap();
        std::fs::write(css.join("00-a.css~"), "junk").unwrap();
        let mut diags = Diagnostics::new();
        let theme = Theme::load(
            tmp.path(),
            &Config {
                theme: "t".into(),
                ..Config::default()
            },
            &mut diags,
        )
        .unwrap();
        let bundle = String::from_utf8(theme.assets["quire.css"].clone()).unwrap();
        assert!(bundle.contains("a{}"));
        assert!(!bundle.contains("junk"), "{bundle}");
        assert_eq!(theme.assets.len(), 1);
    }
}
