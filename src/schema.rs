//! JSON Schemas for the author's TOML files, generated from the very types the build parses
//! them with, so an editor's completion and validation cannot drift from `quire build`.
//!
//! Taplo-based editors (VS Code's Even Better TOML, Helix, Zed) read a `#:schema <path>`
//! comment at the top of a TOML file and validate the file against that schema. The
//! schemas are committed in `docs/schemas/` and written into every project `quire new`
//! creates. They describe the shape of each file alone; what needs two files (does this
//! cell exist? is this quote in the essay?) stays with `resolve`.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

use crate::config::Config;
use crate::content::essay::FrontMatter;
use crate::content::{Bibliography, Grid, Thread};

/// One schema file.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// The file name, e.g. `grid.schema.json`.
    pub name: &'static str,
    /// The TOML file it describes, relative to the project root.
    pub describes: &'static str,
    /// Pretty-printed JSON with a trailing newline.
    pub json: String,
}

/// Every schema, in a fixed order: `quire.toml`, then the content files, then the essay's
/// front matter (which editors don't validate, but tests and tools can).
pub fn all() -> Vec<SchemaFile> {
    vec![
        file::<Config>(
            "quire.schema.json",
            "quire.toml",
            "quire.toml: site settings",
        ),
        file::<Grid>(
            "grid.schema.json",
            "content/grid.toml",
            "content/grid.toml: the grid's rows, columns and cells",
        ),
        file::<Thread>(
            "comments.schema.json",
            "content/comments.toml",
            "content/comments.toml: the comment thread",
        ),
        file::<Bibliography>(
            "references.schema.json",
            "content/references.toml",
            "content/references.toml: the bibliography",
        ),
        file::<FrontMatter>(
            "essay-front-matter.schema.json",
            "content/essay.md",
            "content/essay.md: the front matter between the +++ lines",
        ),
    ]
}

/// The schema named `name` (e.g. `grid.schema.json`), if there is one.
pub fn named(name: &str) -> Option<SchemaFile> {
    all().into_iter().find(|s| s.name == name)
}

fn file<T: JsonSchema>(name: &'static str, describes: &'static str, title: &str) -> SchemaFile {
    // Draft 7 is the newest draft every Taplo release understands.
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema: Schema = generator.into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    let mut json = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|e| panic!("a generated schema always serializes: {e}"));
    json.push('\n');
    SchemaFile {
        name,
        describes,
        json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_forbids_unknown_fields_at_the_top() {
        for s in all() {
            let v: serde_json::Value = serde_json::from_str(&s.json).expect(s.name);
            assert_eq!(v["additionalProperties"], false, "{}", s.name);
            assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        }
    }
}
