//! `quire.toml`: the site's settings. Optional; every field has a default.
//!
//! Reads one file and knows nothing of the content it configures.

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::source::{parse_toml, read_source};

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
    /// Colours of highlighted code: a syntect theme's name for both colour schemes, or
    /// `{ light = "...", dark = "..." }`; without it, the site theme's own colours.
    pub highlight_theme: Option<HighlightTheme>,
    /// The file these settings were read from, to point errors at a setting's line.
    #[serde(skip)]
    #[schemars(skip)]
    pub file: Option<SourceFile>,
}

/// The `highlight_theme` setting.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum HighlightTheme {
    /// One syntect theme in both colour schemes, e.g. "InspiredGitHub".
    Both(String),
    /// One syntect theme for each colour scheme.
    Schemes {
        /// The theme for a reader in the light scheme, e.g. "InspiredGitHub".
        light: String,
        /// The theme for a reader in the dark scheme, e.g. "base16-ocean.dark".
        dark: String,
    },
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
            highlight_theme: None,
            file: None,
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
        let mut config: Config = parse_toml(&file, diags).unwrap_or_default();
        config.file = Some(file.clone());
        if config.theme.is_empty()
            || config.theme.contains(['/', '\\'])
            || config.theme.starts_with('.')
        {
            diags.push(
                config.locate(
                    "theme",
                    Diagnostic::error(format!("invalid theme name `{}`", config.theme))
                        .help("a theme is the name of a folder under themes/, e.g. \"default\""),
                ),
            );
        }
        if let Some(cname) = &config.cname
            && let Err(why) = validate_cname(cname)
        {
            let diag = Diagnostic::error(format!(
                "`cname` in quire.toml is not a host name: {why}"
            ))
            .help("write the custom domain alone, e.g. cname = \"essays.example.org\", or remove the line");
            let diag = config.locate("cname", diag.label("not a host name"));
            diags.push(diag);
        }
        config
    }

    /// Points `diag` at the value of the top-level setting `key` in `quire.toml`, or at
    /// the file's start when the setting isn't written there; unchanged without a file.
    pub fn locate(&self, key: &str, diag: Diagnostic) -> Diagnostic {
        let Some(file) = &self.file else {
            return diag;
        };
        let span = toml::de::DeTable::parse(&file.text).ok().and_then(|table| {
            table
                .get_ref()
                .iter()
                .find(|(k, _)| k.get_ref() == key)
                .map(|(_, v)| v.span())
        });
        diag.at(file, span.unwrap_or(0..0))
    }
}

/// A `CNAME` value must be a bare host name (`essays.example.org`): no scheme, path or
/// port. Returns it lower-cased, or what is wrong with it.
pub fn validate_cname(value: &str) -> Result<String, String> {
    let host = value.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.contains("://") {
        return Err("it has a scheme; write only the host name".into());
    }
    if host.contains('/') {
        return Err("it has a path; write only the host name".into());
    }
    if host.contains(':') {
        return Err("it has a port; GitHub Pages serves custom domains on 80 and 443 only".into());
    }
    if host.is_empty() || host.len() > 253 {
        return Err("a host name has 1 to 253 characters".into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err("a custom domain has at least two labels, like example.org".into());
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(format!(
                "`{label}` is not a valid label (letters, digits and inner hyphens, at most 63)"
            ));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err("an IP address is not a custom domain".into());
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cname_must_be_a_host_name() {
        assert_eq!(
            validate_cname("Essays.Example.org").unwrap(),
            "essays.example.org"
        );
        assert_eq!(
            validate_cname("www.example.org.\n").unwrap(),
            "www.example.org"
        );
        for bad in [
            "https://example.org",
            "example.org/essay",
            "example.org:8080",
            "localhost",
            "exa mple.org",
            "-x.example.org",
            "10.0.0.1",
            "",
        ] {
            assert!(validate_cname(bad).is_err(), "{bad} accepted");
        }
    }
}
