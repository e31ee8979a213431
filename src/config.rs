//! `quire.toml`: the site's settings. Optional; every field has a default.
//!
//! Reads one file and knows nothing of the content it configures.

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::{parse_toml, read_source};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Site settings for a quire project. Every field is optional.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Overrides the essay's own title in the page `<title>` and header.
    pub title: Option<String>,
    /// Absolute URL the site is published at; used only where a URL must be absolute.
    #[schemars(regex(pattern = r"^https?://[^/\s]+\S*$"))]
    pub base_url: Option<String>,
    /// The `lang` of every page.
    pub language: String,
    /// A folder under `themes/`; "default" is built into quire.
    #[schemars(regex(pattern = r"^[^./\\][^/\\]*$"))]
    pub theme: String,
    /// Where `quire build` writes the site, relative to the project root.
    pub output_dir: String,
    /// A custom domain for GitHub Pages, written to `CNAME`.
    pub cname: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: None,
            base_url: None,
            language: "en".into(),
            theme: "default".into(),
            output_dir: "site".into(),
            cname: None,
        }
    }
}

impl Config {
    /// Reads `quire.toml` under `root`, or the defaults when there is none.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> Config {
        let path = root.join("quire.toml");
        if !path.exists() {
            return Config::default();
        }
        let Some(file) = read_source(root, Path::new("quire.toml"), diags) else {
            return Config::default();
        };
        let config: Config = parse_toml(&file, diags).unwrap_or_default();
        if config.theme.is_empty()
            || config.theme.contains(['/', '\\'])
            || config.theme.starts_with('.')
        {
            diags.push(
                Diagnostic::error(format!("invalid theme name `{}`", config.theme))
                    .in_file(&file.path)
                    .help("a theme is the name of a folder under themes/, e.g. \"default\""),
            );
        }
        if let Some(cname) = &config.cname
            && let Err(why) = crate::render::publish::validate_cname(cname)
        {
            let diag = Diagnostic::error(format!(
                "`cname` in quire.toml is not a host name: {why}"
            ))
            .help("write the custom domain alone, e.g. cname = \"essays.example.org\", or remove the line");
            let diag = match file.text.find(cname.as_str()).filter(|_| !cname.is_empty()) {
                Some(at) => diag
                    .at(&file, at..at + cname.len())
                    .label("not a host name"),
                None => diag.in_file(&file.path),
            };
            diags.push(diag);
        }
        config
    }
}
