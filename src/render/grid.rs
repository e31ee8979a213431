//! The grid: the essay's table rendered as a native `<table>` whose cells lead to their
//! panels, and the per-cell content shared by the panels and the `cells/<id>.html` pages.

use serde::Serialize;

use super::{cite, escape, markdown::render_snippet};
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

pub fn cell_view(linked: &Linked, grid: &LinkedGrid, cell: &LinkedCell, root: &str) -> CellView {
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
        summary_html: render_snippet(&cell.summary, linked, root),
        readings: cell
            .readings
            .iter()
            .map(|&i| {
                let r = &linked.content.bibliography.refs[i];
                ReadingView {
                    key: r.key.get_ref().clone(),
                    citation_html: cite::full_citation(r),
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
                    excerpt: excerpt(&crate::resolve::markdown_text(&c.body), 120),
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

/// The grid as it stands in the essay: a native table, each cell a link to its page,
/// shaded along the spectrum, with a legend; an empty host for the panel that the
/// script fills (the panels themselves are rendered once, by the page template).
pub fn grid_table(linked: &Linked, grid: &LinkedGrid) -> String {
    let spec = linked.content.grid.as_ref();
    let spectrum = spec.and_then(|g| g.spectrum.as_ref());
    let caption = spec
        .and_then(|g| g.caption.clone())
        .unwrap_or_else(|| "The essay's grid".into());
    let (rows, cols) = (grid.rows.len(), grid.columns.len());
    let ed = editor_glosses(linked);
    let meaning = |m: &Option<String>| meaning(m, ed);
    let mut s = String::new();
    s.push_str("<figure class=\"grid\" id=\"grid\">\n<div class=\"grid-layout\">\n<div class=\"grid-main\">\n<div class=\"table-wrap\">\n");
    s.push_str(&format!(
        "<table class=\"grid-table{}\" data-rows=\"{rows}\" data-columns=\"{cols}\" style=\"--columns:{cols}\">\n",
        if spectrum.is_some() { " has-spectrum" } else { "" }
    ));
    s.push_str(&format!(
        "<caption>{}</caption>\n<thead>\n<tr><td class=\"grid-corner\"></td>",
        escape(&caption)
    ));
    for col in &grid.columns {
        s.push_str(&format!(
            "<th scope=\"col\" id=\"col-{}\"><span class=\"axis-label\">{}</span>{}</th>",
            escape(&col.id),
            escape(&col.label),
            meaning(&col.meaning)
        ));
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for (r, row) in grid.rows.iter().enumerate() {
        s.push_str(&format!(
            "<tr><th scope=\"row\" id=\"row-{}\"><span class=\"axis-label\">{}</span>{}</th>",
            escape(&row.id),
            escape(&row.label),
            meaning(&row.meaning)
        ));
        for c in 0..cols {
            let cell = grid.cell(r, c);
            let position = spectrum_position(grid, r, c);
            let tag = spectrum
                .and_then(|sp| corner_name(grid, r, c, sp))
                .map(|end| {
                    if ed {
                        format!(
                            "<span class=\"spectrum-tag ed-gloss\" title=\"{ED_GLOSS_TITLE}\">[{}]</span>",
                            escape(end)
                        )
                    } else {
                        format!("<span class=\"spectrum-tag\">{}</span>", escape(end))
                    }
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "<td id=\"cell-{0}\" class=\"grid-cell\" style=\"--s:{pos:.3}\"><a class=\"grid-cell-link\" href=\"cells/{0}.html\" data-cell=\"{0}\" data-row=\"{r}\" data-column=\"{c}\"><span class=\"grid-cell-name\">{1}</span>{tag}</a></td>",
                escape(&cell.id),
                escape(&cell.name),
                pos = position,
            ));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n</div>\n");
    s.push_str(&legend(linked, spectrum));
    s.push_str("</div>\n<div class=\"grid-panel-host\" hidden></div>\n</div>\n</figure>\n");
    s
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

/// How to read the grid: the spectrum's two ends, what lies outside it, and the axes.
fn legend(linked: &Linked, spectrum: Option<&crate::content::grid::Spectrum>) -> String {
    let axes = linked.content.grid.as_ref().map(|g| &g.axes);
    let mut s = String::from("<div class=\"grid-legend\">\n");
    if editor_glosses(linked) {
        s.push_str("<p class=\"grid-glosses\"><span class=\"legend-label\">The editor's glosses:</span> the words in square brackets in the table, under the labels and in the corners, are the editor's; the labels and the names in the cells are the author's.</p>\n");
    }
    if let Some(sp) = spectrum {
        s.push_str(&format!(
            "<p class=\"spectrum-scale\" aria-hidden=\"true\"><span class=\"spectrum-end spectrum-from\">{0}</span><span class=\"spectrum-bar\"></span><span class=\"spectrum-end spectrum-to\">{1}</span></p>\n<p>Shading deepens from the top-left corner, <strong>{0}</strong>, to the bottom-right corner, <strong>{1}</strong>: the stronger a cell's tint, the nearer it is to the bottom-right end.</p>\n",
            escape(&sp.from),
            escape(&sp.to),
        ));
        if let Some(outside) = &sp.outside {
            s.push_str(&format!(
                "<p class=\"spectrum-outside\"><span class=\"legend-label\">Outside the grid:</span> {}</p>\n",
                escape(outside)
            ));
        }
    }
    if let Some(axes) = axes {
        for (what, text) in [("Rows", &axes.rows), ("Columns", &axes.columns)] {
            if let Some(text) = text {
                s.push_str(&format!(
                    "<p class=\"grid-axis\"><span class=\"legend-label\">{what}:</span> {}</p>\n",
                    escape(text)
                ));
            }
        }
    }
    s.push_str("<p class=\"grid-hint\">Each cell leads to what the field is, where the essay discusses it, and what to read next.</p>\n</div>\n");
    s
}

const ED_GLOSS_TITLE: &str = "the editor's gloss, not part of the author's table";

/// Are the grid's glosses the editor's (`glosses = "editor"` in grid.toml)?
fn editor_glosses(linked: &Linked) -> bool {
    linked
        .content
        .grid
        .as_ref()
        .is_some_and(|g| g.glosses == crate::content::grid::GlossesBy::Editor)
}

/// A row's or column's meaning under its label; an editor's in square brackets, titled.
fn meaning(m: &Option<String>, editor: bool) -> String {
    m.as_ref()
        .map(|m| {
            if editor {
                format!(
                    "<span class=\"axis-meaning ed-gloss\" title=\"{ED_GLOSS_TITLE}\">[{}]</span>",
                    escape(m)
                )
            } else {
                format!("<span class=\"axis-meaning\">{}</span>", escape(m))
            }
        })
        .unwrap_or_default()
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
