//! `content/grid.toml`: the rows, columns and cells of the essay's table.
//!
//! Parsed alone: whether the essay's table matches, and whether readings exist, is
//! checked in `resolve`.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostics, SourceFile};

/// The grid that replaces the essay's Markdown table: its rows, columns and cells.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    #[serde(skip)]
    pub file: Option<SourceFile>,
    /// The table's caption; defaults to the axes' names.
    pub caption: Option<String>,
    /// Names for what the rows and the columns vary along.
    #[serde(default)]
    pub axes: Axes,
    pub spectrum: Option<Spectrum>,
    /// Who wrote the words this file adds to the essay's table: the rows' and columns'
    /// `meaning`, the spectrum's corner names and the cells' summaries. `"author"` (the
    /// default) or `"editor"`: an editor's glosses are set apart from the author's table
    /// text (in square brackets, with a title, and a line in the legend that says so).
    #[serde(default)]
    pub glosses: GlossesBy,
    /// The rows, top to bottom: one `[[row]]` table each.
    #[serde(rename = "row", default)]
    pub rows: Vec<Axis>,
    /// The columns, left to right: one `[[column]]` table each.
    #[serde(rename = "column", default)]
    pub columns: Vec<Axis>,
    /// One `[[cell]]` table for every row-column pair.
    #[serde(rename = "cell", default)]
    pub cells: Vec<CellSpec>,
}

/// Who wrote the grid's glosses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GlossesBy {
    #[default]
    Author,
    Editor,
}

/// What the rows and the columns vary along.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Axes {
    /// What the rows vary along, e.g. "Method".
    pub rows: Option<String>,
    /// What the columns vary along, e.g. "Focus".
    pub columns: Option<String>,
}

/// A gradient across the grid from its top-left corner to its bottom-right corner.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spectrum {
    /// The name of the top-left end.
    pub from: String,
    /// The name of the bottom-right end.
    pub to: String,
    /// What lies outside the grid altogether.
    pub outside: Option<String>,
}

/// A row or a column.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Letters, digits and underscores; part of every cell id in this row or column.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_]+$"))]
    pub id: Spanned<String>,
    /// Must equal the text of the essay table's header cell or first-column cell.
    #[schemars(with = "String")]
    pub label: Spanned<String>,
    /// One line on what this row or column means.
    pub meaning: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CellSpec {
    /// `<row-id>-<column-id>`.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_]+-[A-Za-z0-9_]+$"))]
    pub id: Spanned<String>,
    /// One paragraph of Markdown.
    pub summary: String,
    /// Keys into the bibliography, in reading order.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub readings: Vec<Spanned<String>>,
}

impl Grid {
    pub fn parse(file: &SourceFile, diags: &mut Diagnostics) -> Option<Grid> {
        let mut grid: Grid = crate::source::parse_toml(file, diags)?;
        grid.file = Some(file.clone());
        Some(grid)
    }
}
