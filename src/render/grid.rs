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

/// The grid as it stands in the essay: a native table, each cell a link to its page.
pub fn grid_table(linked: &Linked, grid: &LinkedGrid) -> String {
    let spec = linked.content.grid.as_ref();
    let caption = spec
        .and_then(|g| g.caption.clone())
        .unwrap_or_else(|| "The essay's grid".into());
    let mut s = String::new();
    s.push_str("<figure class=\"grid\" id=\"grid\">\n<div class=\"table-wrap\">\n<table class=\"grid-table\">\n");
    s.push_str(&format!(
        "<caption>{}</caption>\n<thead>\n<tr><td></td>",
        escape(&caption)
    ));
    for col in &grid.columns {
        s.push_str(&format!(
            "<th scope=\"col\" id=\"col-{}\">{}{}</th>",
            escape(&col.id),
            escape(&col.label),
            meaning(&col.meaning)
        ));
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for (r, row) in grid.rows.iter().enumerate() {
        s.push_str(&format!(
            "<tr><th scope=\"row\" id=\"row-{}\">{}{}</th>",
            escape(&row.id),
            escape(&row.label),
            meaning(&row.meaning)
        ));
        for c in 0..grid.columns.len() {
            let cell = grid.cell(r, c);
            s.push_str(&format!(
                "<td id=\"cell-{0}\" data-cell=\"{0}\"><a href=\"cells/{0}.html\">{1}</a></td>",
                escape(&cell.id),
                escape(&cell.name)
            ));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n</div>\n</figure>\n");
    s
}

fn meaning(m: &Option<String>) -> String {
    m.as_ref()
        .map(|m| format!("<span class=\"axis-meaning\">{}</span>", escape(m)))
        .unwrap_or_default()
}
