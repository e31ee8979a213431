//! quire turns an essay, the table at its heart and the discussion it provoked into a
//! static website.
//!
//! The pipeline, one module per stage of the data flow:
//! [`content`] loads each file alone, [`resolve`] links them and collects every error,
//! [`render`] turns the linked model into pages through the [`theme`], and [`output`]
//! swaps the new site into place. [`serve`] runs that pipeline again on every save;
//! `import` (a stage before it) brings a forum discussion into `content/comments.toml`.

pub mod check;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod dialect;
pub mod epub;
pub mod export;
pub mod html;
#[cfg(feature = "import")]
pub mod import;
pub mod new;
pub mod output;
pub mod render;
pub mod resolve;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod theme;

use std::path::{Path, PathBuf};

use diagnostic::{Diagnostic, Diagnostics};
use render::{Page, RenderOptions};

/// What `quire build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project root (holds `content/` and optionally `quire.toml` and `themes/`).
    pub root: PathBuf,
    /// Output folder; defaults to `output_dir` from `quire.toml` under the root.
    pub out: Option<PathBuf>,
    /// Overrides `base_url` from `quire.toml`.
    pub base_url: Option<String>,
    /// `--force`: replace an output folder (or exported file) quire did not write.
    pub force: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    pub bytes: usize,
    /// Warnings (never errors: a build with errors returns `Err`).
    pub warnings: Diagnostics,
}

/// Load, resolve and render: every page of the site, in memory.
pub fn render_site(
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<(Vec<Page>, PathBuf)> {
    render_site_as(options, false, diags)
}

/// [`render_site`], with the whole thread on the essay page however big it is (for the
/// single-file export, which is one page).
pub fn render_site_whole_thread(
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<(Vec<Page>, PathBuf)> {
    render_site_as(options, true, diags)
}

fn render_site_as(
    options: &BuildOptions,
    whole_thread: bool,
    diags: &mut Diagnostics,
) -> Option<(Vec<Page>, PathBuf)> {
    let config = config::Config::load(&options.root, diags);
    let content = content::load(&options.root, diags)?;
    let base_url = match (&options.base_url, &config.base_url) {
        (Some(flag), _) => normalize_base_url(flag)
            .map_err(|d| diags.push((*d).label("given with --base-url")))
            .ok(),
        (None, Some(setting)) => normalize_base_url(setting)
            .map_err(|d| diags.push(config.locate("base_url", *d)))
            .ok(),
        (None, None) => None,
    };
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.root.join(&config.output_dir));
    let theme = theme::Theme::load(&options.root, &config, diags);
    let linked = resolve::resolve(content, diags)?;
    if diags.has_errors() {
        return None;
    }
    // The previous build's preview image, reused if nothing it shows has changed.
    let previous_preview = out
        .join(render::preview::PATH)
        .symlink_metadata()
        .ok()
        .filter(|m| m.is_file() && m.len() < 8 << 20)
        .and_then(|_| std::fs::read(out.join(render::preview::PATH)).ok());
    let render_options = RenderOptions {
        base_url,
        whole_thread,
        previous_preview,
    };
    let pages = render::render(&linked, &config, &theme?, &render_options, diags)?;
    Some((pages, out))
}

/// Why a build failed, and whether the previous site is still in place.
#[derive(Debug)]
pub struct BuildFailure {
    pub diags: Diagnostics,
    /// False only when a swap failed half-way and the old site could not be put back (the
    /// diagnostic says where it is).
    pub previous_kept: bool,
}

/// The whole build: render, then write atomically. On error the old site is untouched.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let mut diags = Diagnostics::new();
    let rendered = render_site(options, &mut diags);
    let Some((pages, out)) = rendered.filter(|_| !diags.has_errors()) else {
        return Err(BuildFailure {
            diags,
            previous_kept: true,
        });
    };
    let guard = output::Guard {
        root: &options.root,
        force: options.force,
    };
    if let Err(e) = output::write_site(&out, &pages, guard) {
        let mut d = Diagnostic::error(format!("cannot write the site to {}: {e}", out.display()));
        if let Some(help) = e.help {
            d = d.help(help);
        }
        diags.push(d);
        return Err(BuildFailure {
            diags,
            previous_kept: e.previous_kept,
        });
    }
    Ok(BuildReport {
        out,
        pages: pages.iter().filter(|p| p.path.ends_with(".html")).count(),
        bytes: pages.iter().map(|p| p.bytes.len()).sum(),
        warnings: diags,
    })
}

/// `base_url` must be an absolute http(s) URL; it is kept with one trailing slash.
pub fn normalize_base_url(url: &str) -> Result<String, Box<Diagnostic>> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let valid = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or_default();
        !host.is_empty() && !r.contains(char::is_whitespace)
    });
    if !valid {
        let d = Diagnostic::error(format!("base URL `{url}` is not an absolute http(s) URL"))
            .help("write the address the site is published at, e.g. https://user.github.io/repo/");
        return Err(Box::new(d));
    }
    Ok(format!("{}/", url.trim_end_matches('/')))
}

/// The project root: the given folder, or the nearest ancestor of the working directory
/// that holds `content/essay.md` or `quire.toml`.
pub fn find_root(given: Option<&Path>) -> PathBuf {
    if let Some(root) = given {
        return root.to_path_buf();
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|dir| dir.join("quire.toml").is_file() || dir.join("content/essay.md").is_file())
        .map_or(cwd.clone(), Path::to_path_buf)
}
