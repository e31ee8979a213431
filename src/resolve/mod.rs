//! Resolving: the one stage that looks at two files at once.
//!
//! It connects the essay's table to `grid.toml`, cells to their readings, `cell:` links and
//! citations to their targets, footnote references to definitions, comments to parents and
//! annotation quotes to the passages they quote. Every broken connection becomes a
//! diagnostic; nothing here writes HTML.

mod annotations;
mod footnotes;
mod grid;
mod links;
mod quotes;
mod references;
mod text;
mod thread;

use std::collections::{BTreeMap, HashMap};

use crate::content::{Content, Reference};
use crate::diagnostic::Diagnostics;

pub use quotes::MAX_QUOTE_MATCHES;
pub use text::{markdown_text, normalize};

use annotations::attach_comments_to_cells;
use footnotes::number_footnotes;
use grid::link_grid;
use links::{Targets, check_essay_links};
use references::{collect_citers, index_references};
use thread::link_thread;

/// The content with every cross-reference checked and indexed.
#[derive(Debug)]
pub struct Linked {
    pub content: Content,
    pub grid: Option<LinkedGrid>,
    /// Footnote label -> number, numbered in order of first reference.
    pub footnote_numbers: HashMap<String, usize>,
    /// Reference key -> index into `content.bibliography.refs`.
    pub ref_index: HashMap<String, usize>,
    /// Reference index -> the places that cite it.
    pub cited_by: BTreeMap<usize, Vec<Citer>>,
    pub thread: LinkedThread,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Citer {
    Cell(String),
    Footnote(String),
    Block(String),
}

#[derive(Debug)]
pub struct LinkedGrid {
    /// Index of the essay's table that the grid replaces.
    pub table: usize,
    pub rows: Vec<AxisInfo>,
    pub columns: Vec<AxisInfo>,
    /// Row-major: `cells[r * columns.len() + c]`.
    pub cells: Vec<LinkedCell>,
}

#[derive(Debug, Clone)]
pub struct AxisInfo {
    pub id: String,
    pub label: String,
    pub meaning: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LinkedCell {
    pub id: String,
    pub row: usize,
    pub column: usize,
    /// The text in the essay's table at this position.
    pub name: String,
    pub summary: String,
    /// Indices into the bibliography.
    pub readings: Vec<usize>,
    /// Ids of essay blocks that link to this cell.
    pub passages: Vec<String>,
    /// Indices of comments whose annotation names this cell.
    pub comments: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct LinkedThread {
    /// Top-level comments, in thread order.
    pub roots: Vec<usize>,
    /// Comment index -> its replies, in thread order.
    pub children: Vec<Vec<usize>>,
    /// One entry per annotation of every comment, in thread order.
    pub annotations: Vec<LinkedAnnotation>,
    /// Comment index -> indices into `annotations` of its annotations.
    pub annotations_of: Vec<Vec<usize>>,
    /// Essay block id -> the comments whose annotations quote it, in thread order.
    pub on_block: BTreeMap<String, Vec<usize>>,
}

#[derive(Debug, Clone)]
pub struct LinkedAnnotation {
    pub comment: usize,
    /// Index of the annotation within its comment.
    pub index: usize,
    /// Id of the essay block the quote was found in; `None` for a removed passage.
    pub block: Option<String>,
    pub cell: Option<String>,
    /// The quote's visible text (Markdown syntax dropped), worked out once here for the
    /// quote index and the page that shows the quote.
    pub quote_text: String,
}

impl LinkedGrid {
    pub fn cell(&self, row: usize, column: usize) -> &LinkedCell {
        &self.cells[row * self.columns.len() + column]
    }

    pub fn find(&self, id: &str) -> Option<&LinkedCell> {
        self.cells.iter().find(|c| c.id == id)
    }
}

impl Linked {
    pub fn reference(&self, key: &str) -> Option<&Reference> {
        self.ref_index
            .get(key)
            .map(|&i| &self.content.bibliography.refs[i])
    }
}

/// Checks and links everything; returns the linked model, or every error found.
pub fn resolve(content: Content, diags: &mut Diagnostics) -> Option<Linked> {
    let ref_index = index_references(&content, diags);
    let grid = content
        .grid
        .as_ref()
        .and_then(|_| link_grid(&content, &ref_index, diags));
    let targets = Targets::new(&content, &ref_index, grid.as_ref());
    check_essay_links(&targets, diags);
    let footnote_numbers = number_footnotes(&content, diags);
    let thread = link_thread(&content, &targets, diags);
    let mut linked = Linked {
        content,
        grid,
        footnote_numbers,
        ref_index,
        cited_by: BTreeMap::new(),
        thread,
    };
    collect_citers(&mut linked);
    attach_comments_to_cells(&mut linked);
    if diags.has_errors() {
        None
    } else {
        Some(linked)
    }
}

fn expected_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        "(none defined)".into()
    } else {
        items.join(", ")
    }
}
