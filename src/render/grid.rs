//! The grid: the essay's table rendered as a native `<table>` whose cells lead to their
//! panels, and the per-cell content shared by the panels and the `cells/<id>.html` pages.

use serde::Serialize;

use super::{cite, markdown::render_snippet, partials::Partials};
use crate::resolve::{Linked, LinkedCell, LinkedGrid};

/// Everything a cell's panel or page shows, ready for a template.
#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    pub id: String,
    pub name: String,
    pub row_label: String,
    pub column_label: String,
    pub row_meaning: Option<String>,
    pub column_meaning: Option<String>,
    /// "Top-left corner: Capabilities research" for the spectrum's two corner cells.
    pub spectrum_note: Option<String>,
    /// The meanings, spectrum note and summary are the editor's, not the author's.
    pub editor_glosses: bool,
    pub summary_html: String,
    pub readings: Vec<ReadingView>,
    /// Links to the essay's paragraphs that discuss the cell.
    pub passages: Vec<PassageView>,
    /// Comments whose annotation names the cell.
    pub comments: Vec<CommentLink>,
    pub neighbours: Vec<Neighbour>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadingView {
    pub key: String,
    pub citation_html: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageView {
    pub id: String,
    pub excerpt: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentLink {
    pub id: String,
    pub author: String,
    pub excerpt: String,
    /// The site path of the page that holds the comment (a big thread has several).
    pub page: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    /// "left", "right", "up", "down".
    pub direction: String,
    pub id: String,
    pub name: String,
}

pub fn cell_view(
    linked: &Linked,
    grid: &LinkedGrid,
    cell: &LinkedCell,
    root: &str,
    partials: &Partials<'_>,
) -> CellView {
    let blocks = &linked.content.essay.outline.blocks;
    let comments = &linked.content.thread.comments;
    let mut neighbours = Vec::new();
    let (r, c) = (cell.row as isize, cell.column as isize);
    for (direction, dr, dc) in [
        ("left", 0, -1),
        ("right", 0, 1),
        ("up", -1, 0),
        ("down", 1, 0),
    ] {
        let (nr, nc) = (r + dr, c + dc);
        if nr >= 0
            && nc >= 0
            && (nr as usize) < grid.rows.len()
            && (nc as usize) < grid.columns.len()
        {
            let n = grid.cell(nr as usize, nc as usize);
            neighbours.push(Neighbour {
                direction: direction.into(),
                id: n.id.clone(),
                name: n.name.clone(),
            });
        }
    }
    CellView {
        id: cell.id.clone(),
        name: cell.name.clone(),
        row_label: grid.rows[cell.row].label.clone(),
        column_label: grid.columns[cell.column].label.clone(),
        row_meaning: grid.rows[cell.row].meaning.clone(),
        column_meaning: grid.columns[cell.column].meaning.clone(),
        spectrum_note: linked
            .content
            .grid
            .as_ref()
            .and_then(|g| g.spectrum.as_ref())
            .and_then(|sp| corner_name(grid, cell.row, cell.column, sp))
            .map(|end| {
                let corner = if cell.row == 0 && cell.column == 0 {
                    "Top-left"
                } else {
                    "Bottom-right"
                };
                format!("{corner} corner of the grid: {end}")
            }),
        editor_glosses: editor_glosses(linked),
        summary_html: render_snippet(&cell.summary, linked, root, partials),
        readings: cell
            .readings
            .iter()
            .map(|&i| {
                let r = &linked.content.bibliography.refs[i];
                ReadingView {
                    key: r.key.get_ref().clone(),
                    citation_html: cite::full_citation(r, partials),
                    note: r.note.clone(),
                }
            })
            .collect(),
        passages: cell
            .passages
            .iter()
            .filter_map(|id| blocks.iter().find(|b| &b.id == id))
            .map(|b| PassageView {
                id: b.id.clone(),
                excerpt: excerpt(&b.text, 140),
            })
            .collect(),
        comments: cell
            .comments
            .iter()
            .map(|&i| {
                let c = &comments[i];
                CommentLink {
                    id: c.id.get_ref().clone(),
                    author: c.author.clone().unwrap_or_else(|| "unknown".into()),
                    excerpt: excerpt(&crate::dialect::plain_text(&c.body), 120),
                    page: "index.html".into(),
                }
            })
            .collect(),
        neighbours,
    }
}

/// The first `max` characters of `text`, cut at a word boundary.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// Where a cell sits on the grid's spectrum: 0 at the top-left corner, 1 at the
/// bottom-right, by `(row + column) / (rows + columns - 2)`. A 1x1 grid is all 0.
pub fn spectrum_position(grid: &LinkedGrid, row: usize, column: usize) -> f64 {
    let span = grid.rows.len() + grid.columns.len();
    if span <= 2 {
        return 0.0;
    }
    (row + column) as f64 / (span - 2) as f64
}

/// The grid as it stands in the essay, for `partials/grid.html`: a native table, each
/// cell a link to its page, shaded along the spectrum, with a legend. Plain text
/// throughout (the template escapes it).
#[derive(Debug, Clone, Serialize)]
pub struct GridView {
    /// The table's caption: grid.toml's `caption`, or "The essay's grid".
    pub caption: String,
    /// How many rows and columns of cells.
    pub rows: usize,
    pub columns: usize,
    /// The column heads, left to right.
    pub column_heads: Vec<AxisView>,
    /// The rows, top to bottom, each with its cells.
    pub body: Vec<GridRowView>,
    /// The spectrum the shading runs along, if grid.toml declares one.
    pub spectrum: Option<SpectrumView>,
    /// What the rows and the columns vary along (grid.toml's `[axes]`).
    pub rows_axis: Option<String>,
    pub columns_axis: Option<String>,
    /// The meanings and corner names are the editor's glosses (`glosses = "editor"`).
    pub editor_glosses: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AxisView {
    pub id: String,
    pub label: String,
    pub meaning: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridRowView {
    #[serde(flatten)]
    pub head: AxisView,
    pub cells: Vec<GridCellView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridCellView {
    pub id: String,
    pub name: String,
    /// Counting from 0.
    pub row: usize,
    pub column: usize,
    /// Where the cell sits on the spectrum, 0 to 1, with three decimals ("0.333").
    pub position: String,
    /// The spectrum's end at this cell, if it is one of the two corners.
    pub spectrum_end: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpectrumView {
    pub from: String,
    pub to: String,
    pub outside: Option<String>,
}

pub fn grid_view(linked: &Linked, grid: &LinkedGrid) -> GridView {
    let spec = linked.content.grid.as_ref();
    let spectrum = spec.and_then(|g| g.spectrum.as_ref());
    let axis = |a: &crate::resolve::AxisInfo| AxisView {
        id: a.id.clone(),
        label: a.label.clone(),
        meaning: a.meaning.clone(),
    };
    GridView {
        caption: spec
            .and_then(|g| g.caption.clone())
            .unwrap_or_else(|| "The essay's grid".into()),
        rows: grid.rows.len(),
        columns: grid.columns.len(),
        column_heads: grid.columns.iter().map(axis).collect(),
        body: grid
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| GridRowView {
                head: axis(row),
                cells: (0..grid.columns.len())
                    .map(|c| {
                        let cell = grid.cell(r, c);
                        GridCellView {
                            id: cell.id.clone(),
                            name: cell.name.clone(),
                            row: r,
                            column: c,
                            position: format!("{:.3}", spectrum_position(grid, r, c)),
                            spectrum_end: spectrum
                                .and_then(|sp| corner_name(grid, r, c, sp))
                                .map(str::to_string),
                        }
                    })
                    .collect(),
            })
            .collect(),
        spectrum: spectrum.map(|sp| SpectrumView {
            from: sp.from.clone(),
            to: sp.to.clone(),
            outside: sp.outside.clone(),
        }),
        rows_axis: spec.and_then(|g| g.axes.rows.clone()),
        columns_axis: spec.and_then(|g| g.axes.columns.clone()),
        editor_glosses: editor_glosses(linked),
    }
}

/// The name of the spectrum's end that sits at this cell, if the cell is a corner.
fn corner_name<'a>(
    grid: &LinkedGrid,
    row: usize,
    column: usize,
    spectrum: &'a crate::content::grid::Spectrum,
) -> Option<&'a str> {
    let last = (grid.rows.len() - 1, grid.columns.len() - 1);
    if (row, column) == (0, 0) {
        Some(&spectrum.from)
    } else if (row, column) == last {
        Some(&spectrum.to)
    } else {
        None
    }
}

/// Are the grid's glosses the editor's (`glosses = "editor"` in grid.toml)?
fn editor_glosses(linked: &Linked) -> bool {
    linked
        .content
        .grid
        .as_ref()
        .is_some_and(|g| g.glosses == crate::content::grid::GlossesBy::Editor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::AxisInfo;

    fn grid(rows: usize, columns: usize) -> LinkedGrid {
        let axis = |i: usize| AxisInfo {
            id: format!("a{i}"),
            label: format!("A{i}"),
            meaning: None,
        };
        LinkedGrid {
            table: 0,
            rows: (0..rows).map(axis).collect(),
            columns: (0..columns).map(axis).collect(),
            cells: Vec::new(),
        }
    }

    #[test]
    fn spectrum_runs_from_top_left_to_bottom_right_at_any_size() {
        let g = grid(2, 4);
        assert_eq!(spectrum_position(&g, 0, 0), 0.0);
        assert_eq!(spectrum_position(&g, 1, 3), 1.0);
        assert_eq!(spectrum_position(&g, 1, 1), 0.5);
        let g = grid(3, 3);
        assert_eq!(spectrum_position(&g, 1, 1), 0.5);
        assert_eq!(spectrum_position(&grid(1, 1), 0, 0), 0.0);
    }
}
