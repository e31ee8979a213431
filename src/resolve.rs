//! Resolving: the one stage that looks at two files at once.
//!
//! It connects the essay's table to `grid.toml`, cells to their readings, `cell:` links and
//! citations to their targets, footnote references to definitions, comments to parents and
//! annotation quotes to the passages they quote. Every broken connection becomes a
//! diagnostic; nothing here writes HTML.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Parser};

use crate::content::essay::{self, LinkTarget, TableShape};
use crate::content::{Content, Reference};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, closest};

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

fn index_references(content: &Content, diags: &mut Diagnostics) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    let bib = &content.bibliography;
    for (i, r) in bib.refs.iter().enumerate() {
        let key = r.key.get_ref();
        if index.insert(key.clone(), i).is_some()
            && let Some(file) = &bib.file
        {
            diags.push(
                Diagnostic::error(format!("duplicate reference key `{key}`"))
                    .at(file, r.key.span())
                    .label("defined again here")
                    .help("every [[ref]] needs its own key"),
            );
        }
        if (key.is_empty() || key.contains(char::is_whitespace))
            && let Some(file) = &bib.file
        {
            diags.push(
                Diagnostic::error(format!("invalid reference key `{key}`"))
                    .at(file, r.key.span())
                    .help("a key is one word, e.g. \"chomsky1959review\""),
            );
        }
    }
    index
}

fn expected_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        "(none defined)".into()
    } else {
        items.join(", ")
    }
}

fn link_grid(
    content: &Content,
    ref_index: &HashMap<String, usize>,
    diags: &mut Diagnostics,
) -> Option<LinkedGrid> {
    let spec = content.grid.as_ref()?;
    let file = spec.file.as_ref()?;
    let before = diags.error_count();
    let rows = axes(&spec.rows, "row", file, diags);
    let columns = axes(&spec.columns, "column", file, diags);
    if rows.is_empty() || columns.is_empty() {
        diags.push(
            Diagnostic::error("grid.toml needs at least one [[row]] and one [[column]]")
                .at(file, 0..0)
                .label(if rows.is_empty() { "no [[row]] in this file" } else { "no [[column]] in this file" })
                .help("a grid has [[row]] tables (id, label) and [[column]] tables (id, label), and a [[cell]] for each pair"),
        );
        return None;
    }
    let mut by_position: HashMap<(usize, usize), usize> = HashMap::new();
    // Cells whose id names a row or column grid.toml doesn't have, grouped by that name:
    // renaming a [[row]] but not its cells is one mistake, reported once.
    let mut stray_rows: Vec<(String, Vec<usize>)> = Vec::new();
    let mut stray_columns: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, cell) in spec.cells.iter().enumerate() {
        let id = cell.id.get_ref();
        let Some((r, c)) = split_cell_id(id, &rows, &columns) else {
            match id.split_once('-') {
                Some((row, column)) if !row.is_empty() && !column.is_empty() => {
                    let note = |groups: &mut Vec<(String, Vec<usize>)>, name: &str| match groups
                        .iter_mut()
                        .find(|(n, _)| n == name)
                    {
                        Some((_, cells)) => cells.push(i),
                        None => groups.push((name.to_string(), vec![i])),
                    };
                    if !rows.iter().any(|a| a.id == row) {
                        note(&mut stray_rows, row);
                    }
                    if !columns.iter().any(|a| a.id == column) {
                        note(&mut stray_columns, column);
                    }
                }
                _ => {
                    let row_ids = expected_list(rows.iter().map(|a| a.id.as_str()));
                    let col_ids = expected_list(columns.iter().map(|a| a.id.as_str()));
                    diags.push(
                        Diagnostic::error(format!("cell id `{id}` is not a row-column pair"))
                            .at(file, cell.id.span())
                            .label("unknown row or column")
                            .help(format!(
                                "a cell id is <row-id>-<column-id>; rows: {row_ids}; columns: {col_ids}"
                            )),
                    );
                }
            }
            continue;
        };
        if let Some(&first) = by_position.get(&(r, c)) {
            diags.push(
                Diagnostic::error(format!(
                    "two cells at one position: `{id}` is defined again"
                ))
                .at(file, cell.id.span())
                .label("second definition")
                .help(format!(
                    "the first [[cell]] for this position is number {} in grid.toml; remove one",
                    first + 1
                )),
            );
            continue;
        }
        by_position.insert((r, c), i);
        for key in &cell.readings {
            if !ref_index.contains_key(key.get_ref())
                && !content.is_unreadable("content/references.toml")
            {
                diags.push(unknown_ref(key.get_ref(), file, key.span(), ref_index));
            }
        }
    }
    let row_has_cells: Vec<bool> = (0..rows.len())
        .map(|r| (0..columns.len()).any(|c| by_position.contains_key(&(r, c))))
        .collect();
    let column_has_cells: Vec<bool> = (0..columns.len())
        .map(|c| (0..rows.len()).any(|r| by_position.contains_key(&(r, c))))
        .collect();
    stray_axis_errors(spec, file, "row", &rows, &row_has_cells, &stray_rows, diags);
    stray_axis_errors(
        spec,
        file,
        "column",
        &columns,
        &column_has_cells,
        &stray_columns,
        diags,
    );
    for (r, row) in rows.iter().enumerate() {
        // A row or column with no cell at all, while some cells name a row or column that
        // doesn't exist, is the rename already reported above.
        let explained = |c: usize| {
            (!row_has_cells[r] && !stray_rows.is_empty())
                || (!column_has_cells[c] && !stray_columns.is_empty())
        };
        let missing: Vec<&AxisInfo> = columns
            .iter()
            .enumerate()
            .filter(|&(c, _)| !by_position.contains_key(&(r, c)) && !explained(c))
            .map(|(_, column)| column)
            .collect();
        let Some(first) = missing.first() else {
            continue;
        };
        let message = if missing.len() == 1 {
            format!("grid.toml has no [[cell]] for `{}-{}`", row.id, first.id)
        } else {
            format!(
                "grid.toml has no [[cell]] for {} cells of row `{}`: {}",
                missing.len(),
                row.id,
                missing
                    .iter()
                    .map(|c| format!("`{}-{}`", row.id, c.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        diags.push(
            Diagnostic::error(message)
                .at(file, spec.rows[r].id.span())
                .label(if missing.len() == 1 {
                    format!("row `{}` has no cell in column `{}`", row.id, first.id)
                } else {
                    format!("row `{}` lacks {} cells", row.id, missing.len())
                })
                .help(format!(
                    "add{}:\n[[cell]]\nid = \"{}-{}\"\nsummary = \"...\"",
                    if missing.len() == 1 {
                        ""
                    } else {
                        ", for each of them"
                    },
                    row.id,
                    first.id
                )),
        );
    }
    // The grid is the essay's table whose header reads grid.toml's column labels, wherever
    // it stands; with none, the closest table is compared label by label.
    let tables = &content.essay.outline.tables;
    if tables.is_empty() {
        diags.push(
            Diagnostic::error("grid.toml describes a grid, but the essay has no table")
                .at(&content.essay.file, content.essay.body_offset..content.essay.body_offset)
                .label("no Markdown table in the essay")
                .help("add the grid as a Markdown table: a header row with the column labels, then one row per grid row"),
        );
        return None;
    }
    let header_matches = |t: &TableShape| {
        t.header.len() == columns.len() + 1
            && t.header[1..]
                .iter()
                .zip(&columns)
                .all(|(h, c)| h.text == c.label)
            && t.rows.len() == rows.len()
            && t.rows
                .iter()
                .zip(&rows)
                .all(|(r, a)| r.first().is_some_and(|cell| cell.text == a.label))
    };
    let matching: Vec<usize> = (0..tables.len())
        .filter(|&t| header_matches(&tables[t]))
        .collect();
    let table_index = match matching.as_slice() {
        [one] => *one,
        [first, second, ..] => {
            let (line, _) = content.essay.file.line_col(tables[*first].span.start);
            diags.push(
                Diagnostic::error("two tables in the essay have grid.toml's row and column labels")
                    .at(
                        &content.essay.file,
                        tables[*second].span.start
                            ..tables[*second].span.start
                                + first_line_len(&content.essay.file, tables[*second].span.start),
                    )
                    .label("this table matches grid.toml too")
                    .help(format!(
                        "the grid is one table; the other at line {line} has the same labels: change one of them"
                    )),
            );
            return None;
        }
        [] => {
            // The table sharing most labels with grid.toml, the first of equals.
            let score = |t: &TableShape| {
                let labels = t
                    .header
                    .iter()
                    .chain(t.rows.iter().filter_map(|r| r.first()));
                labels
                    .filter(|cell| columns.iter().chain(&rows).any(|a| a.label == cell.text))
                    .count()
            };
            (0..tables.len())
                .rev()
                .max_by_key(|&t| score(&tables[t]))
                .unwrap_or(0)
        }
    };
    let table = &tables[table_index];
    check_table(table, &content.essay.file, file, &rows, &columns, diags);
    // Reading lists come from grid.toml's `readings`. A `cells` list in references.toml is
    // optional; where given it must say the same, so that editing it alone can't silently
    // do nothing.
    if let Some(bib) = &content.bibliography.file {
        for r in &content.bibliography.refs {
            if r.cells.is_empty() {
                continue;
            }
            let key = r.key.get_ref();
            for cell in &r.cells {
                let id = cell.get_ref();
                let lists_it = spec
                    .cells
                    .iter()
                    .any(|c| c.id.get_ref() == id && c.readings.iter().any(|k| k.get_ref() == key));
                // A misspelt reading is reported already; this would be its echo.
                let misspelt = spec.cells.iter().any(|c| {
                    c.id.get_ref() == id
                        && c.readings
                            .iter()
                            .any(|k| !ref_index.contains_key(k.get_ref()))
                });
                if lists_it || misspelt {
                    continue;
                }
                let known = spec.cells.iter().any(|c| c.id.get_ref() == id);
                let help = if known {
                    format!(
                        "reading lists come from grid.toml: add \"{key}\" to `readings` of the [[cell]] `{id}` there, or remove `{id}` from this `cells` (the field is optional)"
                    )
                } else {
                    let ids: Vec<&str> =
                        spec.cells.iter().map(|c| c.id.get_ref().as_str()).collect();
                    match closest(id, ids.iter().copied()) {
                        Some(near) => format!(
                            "did you mean `{near}`? known cells: {}",
                            expected_list(ids.into_iter())
                        ),
                        None => format!("known cells: {}", expected_list(ids.into_iter())),
                    }
                };
                diags.push(
                    Diagnostic::error(if known {
                        format!("reference `{key}` lists cell `{id}`, but that cell's readings in grid.toml don't include it")
                    } else {
                        format!("reference `{key}` names unknown cell `{id}`")
                    })
                    .at(bib, cell.span())
                    .label(if known { "not in grid.toml's reading list" } else { "no such cell in grid.toml" })
                    .help(help),
                );
            }
            for c in &spec.cells {
                let id = c.id.get_ref();
                if let Some(reading) = c.readings.iter().find(|k| k.get_ref() == key)
                    && !r.cells.iter().any(|x| x.get_ref() == id)
                {
                    diags.push(
                        Diagnostic::error(format!(
                            "cell `{id}` reads `{key}`, but that reference's `cells` leaves `{id}` out"
                        ))
                        .at(file, reading.span())
                        .label("listed here")
                        .help(format!("add \"{id}\" to `cells` of `{key}` in references.toml, or remove the `cells` list there (grid.toml alone decides reading lists)")),
                    );
                }
            }
        }
    }
    if diags.error_count() > before {
        return None;
    }
    let mut cells = Vec::with_capacity(rows.len() * columns.len());
    for (r, row) in rows.iter().enumerate() {
        for (c, column) in columns.iter().enumerate() {
            let spec_cell = &spec.cells[by_position[&(r, c)]];
            cells.push(LinkedCell {
                id: format!("{}-{}", row.id, column.id),
                row: r,
                column: c,
                name: table.rows[r]
                    .get(c + 1)
                    .map(|cell| cell.text.clone())
                    .unwrap_or_default(),
                summary: spec_cell.summary.clone(),
                readings: spec_cell
                    .readings
                    .iter()
                    .filter_map(|k| ref_index.get(k.get_ref()).copied())
                    .collect(),
                passages: Vec::new(),
                comments: Vec::new(),
            });
        }
    }
    let mut grid = LinkedGrid {
        table: table_index,
        rows,
        columns,
        cells,
    };
    for link in &content.essay.outline.links {
        if let (LinkTarget::Cell(id), Some(b)) = (&link.target, link.block) {
            let block = content.essay.outline.blocks[b].id.clone();
            if let Some(cell) = grid.cells.iter_mut().find(|c| &c.id == id)
                && !cell.passages.contains(&block)
            {
                cell.passages.push(block);
            }
        }
    }
    Some(grid)
}

/// One error per row (or column) name that cells use but grid.toml doesn't define, with
/// the likely new name: the defined row that no cell uses, in the same order, or the
/// closest by spelling.
/// The likely new name of the `k`-th of `strays` names that cells use but grid.toml
/// doesn't define: the `k`-th name no cell uses when there are as many, else the closest
/// by spelling.
fn guess_rename<'a>(
    k: usize,
    name: &str,
    strays: usize,
    unused: &[&'a str],
    all: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    if unused.len() == strays {
        unused.get(k).copied()
    } else {
        closest(name, all)
    }
}

/// Rows and columns renamed in grid.toml but not in the `[[cell]]` ids: (old, new) pairs,
/// rows first, so that a `cell:` link to an old id can be told the new one.
fn renames(spec: &crate::content::Grid) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row_side in [true, false] {
        let axes = if row_side { &spec.rows } else { &spec.columns };
        let names: Vec<&str> = axes.iter().map(|a| a.id.get_ref().as_str()).collect();
        let mut strays: Vec<&str> = Vec::new();
        let mut used: HashSet<&str> = HashSet::new();
        for cell in &spec.cells {
            let Some((r, c)) = cell.id.get_ref().split_once('-') else {
                continue;
            };
            let part = if row_side { r } else { c };
            if names.contains(&part) {
                used.insert(part);
            } else if !strays.contains(&part) {
                strays.push(part);
            }
        }
        let unused: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !used.contains(n))
            .collect();
        for (k, name) in strays.iter().enumerate() {
            if let Some(new) = guess_rename(k, name, strays.len(), &unused, names.iter().copied()) {
                out.push((format!("{row_side}:{name}"), new.to_string()));
            }
        }
    }
    out
}

fn stray_axis_errors(
    spec: &crate::content::Grid,
    file: &SourceFile,
    what: &str,
    axes: &[AxisInfo],
    has_cells: &[bool],
    strays: &[(String, Vec<usize>)],
    diags: &mut Diagnostics,
) {
    let unused: Vec<&str> = axes
        .iter()
        .zip(has_cells)
        .filter(|(_, has)| !**has)
        .map(|(a, _)| a.id.as_str())
        .collect();
    for (k, (name, cells)) in strays.iter().enumerate() {
        let guess = guess_rename(
            k,
            name,
            strays.len(),
            &unused,
            axes.iter().map(|a| a.id.as_str()),
        );
        let ids: Vec<&str> = cells
            .iter()
            .map(|&i| spec.cells[i].id.get_ref().as_str())
            .collect();
        let shown = if ids.len() > 6 {
            format!("{}, …", ids[..6].join(", "))
        } else {
            ids.join(", ")
        };
        let pattern = if what == "row" {
            format!("`{name}-`")
        } else {
            format!("`-{name}`")
        };
        let help = match guess {
            Some(new) => format!(
                "if the {what} `{name}` was renamed `{new}`, rename it in these cell ids too: {shown}"
            ),
            None => format!(
                "{what}s: {}; cells using it: {shown}",
                expected_list(axes.iter().map(|a| a.id.as_str()))
            ),
        };
        diags.push(
            Diagnostic::error(format!(
                "{} [[cell]] id{} use{} {pattern}, but grid.toml has no {what} `{name}`",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                if ids.len() == 1 { "s" } else { "" },
            ))
            .at(file, spec.cells[cells[0]].id.span())
            .label(format!("no [[{what}]] has id `{name}`"))
            .help(help),
        );
    }
}

fn axes(
    specs: &[crate::content::grid::Axis],
    what: &str,
    file: &SourceFile,
    diags: &mut Diagnostics,
) -> Vec<AxisInfo> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for a in specs {
        let id = a.id.get_ref();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            diags.push(
                Diagnostic::error(format!("invalid {what} id `{id}`"))
                    .at(file, a.id.span())
                    .label("not a plain word")
                    .help("ids are letters, digits and underscores (they become URLs, and `-` joins a row id to a column id)"),
            );
        }
        if !seen.insert(id.clone()) {
            diags.push(
                Diagnostic::error(format!("duplicate {what} id `{id}`"))
                    .at(file, a.id.span())
                    .label("defined again here"),
            );
        }
        out.push(AxisInfo {
            id: id.clone(),
            label: a.label.get_ref().clone(),
            meaning: a.meaning.clone(),
        });
    }
    out
}

/// `engineering-worst` -> (row, column) indices, if both ids exist.
fn split_cell_id(id: &str, rows: &[AxisInfo], columns: &[AxisInfo]) -> Option<(usize, usize)> {
    rows.iter().enumerate().find_map(|(r, row)| {
        let rest = id.strip_prefix(row.id.as_str())?.strip_prefix('-')?;
        let c = columns.iter().position(|col| col.id == rest)?;
        Some((r, c))
    })
}

fn check_table(
    table: &TableShape,
    essay: &SourceFile,
    grid_file: &SourceFile,
    rows: &[AxisInfo],
    columns: &[AxisInfo],
    diags: &mut Diagnostics,
) {
    let header = &table.header;
    if header.len() != columns.len() + 1 {
        diags.push(
            Diagnostic::error(format!(
                "the essay's table has {} columns but grid.toml has {} (plus the row-label column)",
                header.len().saturating_sub(1),
                columns.len()
            ))
            .at(
                essay,
                table.span.start..table.span.start + first_line_len(essay, table.span.start),
            )
            .label("this table becomes the grid")
            .help(format!(
                "expected header: | | {} |",
                columns
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            )),
        );
    } else {
        for (cell, column) in header[1..].iter().zip(columns) {
            if cell.text != column.label {
                diags.push(label_mismatch(
                    "column",
                    &cell.text,
                    column,
                    essay,
                    cell.span.clone(),
                    grid_file,
                ));
            }
        }
    }
    if table.rows.len() != rows.len() {
        diags.push(
            Diagnostic::error(format!(
                "the essay's table has {} rows but grid.toml has {}",
                table.rows.len(),
                rows.len()
            ))
            .at(
                essay,
                table.span.start..table.span.start + first_line_len(essay, table.span.start),
            )
            .label("this table becomes the grid")
            .help(format!(
                "expected rows: {}",
                rows.iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    } else {
        for (body_row, row) in table.rows.iter().zip(rows) {
            if let Some(first) = body_row.first()
                && first.text != row.label
            {
                diags.push(label_mismatch(
                    "row",
                    &first.text,
                    row,
                    essay,
                    first.span.clone(),
                    grid_file,
                ));
            }
        }
    }
    // GFM pads a short row with empty cells and drops extra ones; count them as written.
    for (body_row, (written, span)) in table.rows.iter().zip(&table.written) {
        if *written != columns.len() + 1 {
            let name = body_row.first().map_or("", |c| c.text.as_str());
            diags.push(
                Diagnostic::error(format!(
                    "table row `{name}` has {written} cell{}, expected {}",
                    if *written == 1 { "" } else { "s" },
                    columns.len() + 1
                ))
                .at(essay, span.clone())
                .label(if *written < columns.len() + 1 {
                    "too few cells: GFM would leave the last ones empty"
                } else {
                    "too many cells: GFM would drop the last ones"
                })
                .help(format!(
                    "a row holds its label and one cell per column: | {name} | {} |",
                    columns
                        .iter()
                        .map(|c| format!("<{}>", c.label))
                        .collect::<Vec<_>>()
                        .join(" | ")
                )),
            );
        }
    }
}

fn first_line_len(file: &SourceFile, start: usize) -> usize {
    file.text[start..]
        .find('\n')
        .unwrap_or(file.text.len() - start)
}

fn label_mismatch(
    what: &str,
    found: &str,
    axis: &AxisInfo,
    essay: &SourceFile,
    span: std::ops::Range<usize>,
    grid_file: &SourceFile,
) -> Diagnostic {
    Diagnostic::error(format!(
        "the essay's table doesn't match grid.toml: {what} label `{found}` differs from `{}`",
        axis.label
    ))
    .at(essay, span)
    .label(format!(
        "grid.toml's {what} `{}` has label \"{}\"",
        axis.id, axis.label
    ))
    .help(format!(
        "make the table read \"{}\" or change the label in {}",
        axis.label,
        grid_file.path.display()
    ))
}

fn unknown_ref(
    key: &str,
    file: &SourceFile,
    span: Range<usize>,
    ref_index: &HashMap<String, usize>,
) -> Diagnostic {
    let mut keys: Vec<&str> = ref_index.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let help = match closest(key, keys.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "add a [[ref]] with this key to content/references.toml".to_string(),
    };
    Diagnostic::error(format!("unknown reference key `{key}`"))
        .at(file, span)
        .label("not in content/references.toml")
        .help(help)
}

/// Judges the targets of `cell:`/`ref:` links and citations, wherever they stand: the
/// essay, its footnotes, the editor's note, cell summaries and annotation notes.
struct Targets<'a> {
    content: &'a Content,
    ref_index: &'a HashMap<String, usize>,
    /// The cells a link may name: the linked grid's, or every row-column pair grid.toml
    /// declares when the grid could not be linked (so a table that doesn't match grid.toml
    /// hides no wrong link); empty without a grid.toml; `None` when grid.toml failed to parse.
    cells: Option<Vec<String>>,
    /// `@word` -> the key it nearly is: a long essay repeats its words.
    near_keys: std::cell::RefCell<HashMap<String, Option<String>>>,
    /// The reference keys, sorted, so that "did you mean" picks the same one every build.
    keys: Vec<&'a str>,
    /// Rows and columns renamed in grid.toml but not in the cells (see [`renames`]).
    renames: Vec<(String, String)>,
}

impl<'a> Targets<'a> {
    fn new(
        content: &'a Content,
        ref_index: &'a HashMap<String, usize>,
        grid: Option<&LinkedGrid>,
    ) -> Self {
        let cells = match (grid, &content.grid) {
            (Some(g), _) => Some(g.cells.iter().map(|c| c.id.clone()).collect()),
            (None, Some(spec)) => {
                let plain = |id: &str| {
                    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                };
                let ids: Vec<String> = spec
                    .rows
                    .iter()
                    .filter(|r| plain(r.id.get_ref()))
                    .flat_map(|r| {
                        spec.columns
                            .iter()
                            .filter(|c| plain(c.id.get_ref()))
                            .map(move |c| format!("{}-{}", r.id.get_ref(), c.id.get_ref()))
                    })
                    .collect();
                (!ids.is_empty()).then_some(ids)
            }
            (None, None) => (!content.is_unreadable("content/grid.toml")).then(Vec::new),
        };
        Targets {
            content,
            ref_index,
            cells,
            near_keys: Default::default(),
            renames: content.grid.as_ref().map(renames).unwrap_or_default(),
            keys: {
                let mut keys: Vec<&str> = ref_index.keys().map(String::as_str).collect();
                keys.sort_unstable();
                keys
            },
        }
    }

    /// Is `id` a cell that doesn't exist? Unanswered (false) when grid.toml couldn't be
    /// read: its own errors say why, so don't pile on.
    fn is_unknown_cell(&self, id: &str) -> bool {
        self.cells
            .as_ref()
            .is_some_and(|cells| !cells.iter().any(|c| c == id))
    }

    /// The error for an unknown cell `id` at `span`, with the closest known cell.
    fn unknown_cell(
        &self,
        message: String,
        id: &str,
        file: &SourceFile,
        span: Range<usize>,
    ) -> Diagnostic {
        let cells = self.cells.as_deref().unwrap_or_default();
        let list = if cells.is_empty() {
            "(there is no content/grid.toml)".to_string()
        } else {
            expected_list(cells.iter().map(String::as_str))
        };
        // A link to a cell whose row or column was renamed: the id with the new name.
        let renamed = id.split_once('-').and_then(|(r, c)| {
            let new = |side: bool, part: &str| {
                self.renames
                    .iter()
                    .find(|(old, _)| *old == format!("{side}:{part}"))
                    .map_or(part.to_string(), |(_, new)| new.clone())
            };
            let guess = format!("{}-{}", new(true, r), new(false, c));
            (guess != id && cells.contains(&guess)).then_some(guess)
        });
        let help = match renamed
            .as_deref()
            .or_else(|| closest(id, cells.iter().map(String::as_str)))
        {
            Some(near) => format!("did you mean `{near}`? known cells: {list}"),
            None => format!("known cells: {list}"),
        };
        Diagnostic::error(message)
            .at(file, span)
            .label("no such cell")
            .help(help)
    }

    fn check(
        &self,
        target: &LinkTarget,
        file: &SourceFile,
        span: Range<usize>,
        diags: &mut Diagnostics,
    ) {
        match target {
            LinkTarget::Cell(id) => {
                if self.is_unknown_cell(id) {
                    diags.push(self.unknown_cell(
                        format!("unknown cell `{id}` in a `cell:` link"),
                        id,
                        file,
                        span,
                    ));
                }
            }
            LinkTarget::Ref(key) | LinkTarget::Citation(key) => {
                if !self.ref_index.contains_key(key)
                    && !self.content.is_unreadable("content/references.toml")
                {
                    diags.push(unknown_ref(key, file, span, self.ref_index));
                }
            }
            LinkTarget::Narrative(key) => {
                // Any `@word` may be a handle or a name; only a near miss of a key is worth
                // a word, and it stays text (as Pandoc leaves an unknown key).
                if self.ref_index.contains_key(key) {
                    return;
                }
                let near = self
                    .near_keys
                    .borrow_mut()
                    .entry(key.clone())
                    .or_insert_with(|| closest(key, self.keys.iter().copied()).map(str::to_string))
                    .clone();
                if let Some(near) = near {
                    diags.push(
                        Diagnostic::warning(format!(
                            "`@{key}` is not a reference key, so it is printed as text"
                        ))
                        .at(file, span)
                        .label("not in content/references.toml")
                        .help(format!(
                            "did you mean `@{near}`? (write `\\@{key}` to keep an @ that is no citation)"
                        )),
                    );
                }
            }
        }
    }

    /// Checks the quire links of a Markdown snippet stored in a TOML string; `region` is the
    /// part of `file` that holds it (its table), searched for each target to point at it.
    fn check_snippet(
        &self,
        md: &str,
        file: &SourceFile,
        region: Range<usize>,
        diags: &mut Diagnostics,
    ) {
        let locate = |needle: &str| {
            file.text
                .get(region.clone())
                .and_then(|r| r.find(needle))
                .map_or(region.clone(), |at| {
                    region.start + at..region.start + at + needle.len()
                })
        };
        for target in essay::snippet_spaced_targets(md) {
            diags.push(essay::spaced_target_warning(target, file, locate(target)));
        }
        for (target, _) in essay::snippet_links(md) {
            let needle = match &target {
                LinkTarget::Cell(id) => format!("cell:{id}"),
                LinkTarget::Ref(key) => format!("ref:{key}"),
                LinkTarget::Citation(key) | LinkTarget::Narrative(key) => format!("@{key}"),
            };
            let span = file
                .text
                .get(region.clone())
                .and_then(|r| r.find(&needle))
                .map_or(region.clone(), |at| {
                    region.start + at..region.start + at + needle.len()
                });
            self.check(&target, file, span, diags);
        }
    }
}

/// The lines of the TOML table (`[[cell]]`, `[[comment.annotation]]`...) around `anchor`:
/// from its header to the next header.
fn table_region(text: &str, anchor: Range<usize>) -> Range<usize> {
    let start = text
        .get(..anchor.start)
        .and_then(|t| t.rfind("\n["))
        .map_or(0, |i| i + 1);
    let end = text
        .get(anchor.end..)
        .and_then(|t| t.find("\n["))
        .map_or(text.len(), |i| anchor.end + i);
    start..end
}

fn check_essay_links(targets: &Targets<'_>, diags: &mut Diagnostics) {
    let content = targets.content;
    let file = &content.essay.file;
    for link in &content.essay.outline.links {
        targets.check(&link.target, file, link.span.clone(), diags);
    }
    if let Some(note) = &content.essay.front.editor_note {
        let region = file.text[..content.essay.body_offset]
            .find("editor_note")
            .map_or(0..content.essay.body_offset, |at| {
                at..content.essay.body_offset
            });
        targets.check_snippet(note, file, region, diags);
    }
    if let Some(spec) = &content.grid
        && let Some(grid_file) = &spec.file
    {
        for cell in &spec.cells {
            let region = table_region(&grid_file.text, cell.id.span());
            targets.check_snippet(&cell.summary, grid_file, region, diags);
        }
    }
    if let Some(thread_file) = &content.thread.file {
        for c in &content.thread.comments {
            for a in &c.annotations {
                if let Some(note) = &a.note {
                    let region = table_region(&thread_file.text, a.quote.span());
                    targets.check_snippet(note, thread_file, region, diags);
                }
            }
        }
    }
}

fn number_footnotes(content: &Content, diags: &mut Diagnostics) -> HashMap<String, usize> {
    let outline = &content.essay.outline;
    let mut numbers = HashMap::new();
    for r in &outline.footnote_refs {
        let next = numbers.len() + 1;
        numbers.entry(r.label.clone()).or_insert(next);
    }
    let mut defined = HashSet::new();
    for d in &outline.footnote_defs {
        if !defined.insert(d.label.clone()) {
            diags.push(
                Diagnostic::error(format!("footnote `[^{}]` is defined twice", d.label))
                    .at(&content.essay.file, d.span.clone())
                    .label("second definition"),
            );
        }
        if !numbers.contains_key(&d.label) {
            diags.push(
                Diagnostic::warning(format!("footnote `[^{}]` is never referenced", d.label))
                    .at(&content.essay.file, d.span.clone())
                    .label("defined here")
                    .help(format!(
                        "reference it in the text with [^{}], or remove it",
                        d.label
                    )),
            );
        }
    }
    numbers
}

fn link_thread(content: &Content, targets: &Targets<'_>, diags: &mut Diagnostics) -> LinkedThread {
    let thread = &content.thread;
    let n = thread.comments.len();
    let mut linked = LinkedThread {
        children: vec![Vec::new(); n],
        ..LinkedThread::default()
    };
    let Some(file) = &thread.file else {
        return linked;
    };
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, c) in thread.comments.iter().enumerate() {
        if by_id.insert(c.id.get_ref(), i).is_some() {
            diags.push(
                Diagnostic::error(format!("duplicate comment id `{}`", c.id.get_ref()))
                    .at(file, c.id.span())
                    .label("used again here")
                    .help("every [[comment]] needs its own id"),
            );
        }
    }
    let mut parent_of = vec![None; n];
    let mut unknown_parents = 0usize;
    for (i, c) in thread.comments.iter().enumerate() {
        match &c.parent {
            None => linked.roots.push(i),
            Some(p) => match by_id.get(p.get_ref().as_str()) {
                Some(&j) => {
                    parent_of[i] = Some(j);
                    linked.children[j].push(i);
                }
                None => {
                    unknown_parents += 1;
                    // Each guess compares with every comment: only for the errors shown.
                    let near = (unknown_parents <= crate::diagnostic::MAX_SHOWN)
                        .then(|| {
                            closest(
                                p.get_ref(),
                                thread
                                    .comments
                                    .iter()
                                    .map(|o| o.id.get_ref().as_str())
                                    .filter(|o| *o != c.id.get_ref()),
                            )
                        })
                        .flatten();
                    let what = "a parent is the id of another [[comment]]; leave it out for a top-level comment";
                    diags.push(
                        Diagnostic::error(format!(
                            "comment `{}` replies to `{}`, which doesn't exist",
                            c.id.get_ref(),
                            p.get_ref()
                        ))
                        .at(file, p.span())
                        .label("unknown parent")
                        .help(match near {
                            Some(near) => format!("did you mean `{near}`? {what}"),
                            None => what.to_string(),
                        }),
                    );
                }
            },
        }
    }
    // An editor's link the body doesn't have would leave the restored link unmarked.
    for c in thread
        .comments
        .iter()
        .filter(|c| !c.editor_links.is_empty())
    {
        let targets: Vec<String> = pulldown_cmark::Parser::new(&c.body)
            .filter_map(|e| match e {
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                    Some(dest_url.to_string())
                }
                _ => None,
            })
            .collect();
        for url in &c.editor_links {
            if !targets.iter().any(|t| t == url.get_ref()) {
                diags.push(
                    Diagnostic::error(format!(
                        "comment `{}` has no link to {} for `editor_links` to mark",
                        c.id.get_ref(),
                        url.get_ref()
                    ))
                    .at(file, url.span())
                    .label("not in the comment's body")
                    .help("write each URL of `editor_links` exactly as the body's link has it"),
                );
            }
        }
    }
    // A cycle has no root: walking up from any member never ends. Each comment is walked
    // over once (`state` remembers finished walks), so a 10,000-deep chain costs 10,000 steps.
    const UNSEEN: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    let mut state = vec![UNSEEN; n];
    for start in 0..n {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if state[i] == DONE {
                break;
            }
            if state[i] == start {
                // Back at a comment of this very walk: `i` closes a cycle.
                let c = &thread.comments[i];
                let from = path.iter().position(|&k| k == i).unwrap_or(0);
                let members: Vec<&str> = path[from..]
                    .iter()
                    .chain(std::iter::once(&i))
                    .map(|&k| thread.comments[k].id.get_ref().as_str())
                    .collect();
                diags.push(
                    Diagnostic::error(format!(
                        "comment `{}` is part of a reply cycle: `{}`",
                        c.id.get_ref(),
                        members.join(" → ")
                    ))
                    .at(file, c.parent.as_ref().map_or(c.id.span(), |p| p.span()))
                    .label("following parents from here comes back around")
                    .help("one comment in the cycle must be top-level or reply to a comment outside it"),
                );
                break;
            }
            state[i] = start;
            path.push(i);
            at = parent_of[i];
        }
        for i in path {
            state[i] = DONE;
        }
    }
    let blocks = &content.essay.outline.blocks;
    let normalized: Vec<String> = blocks.iter().map(|b| normalize(&b.text)).collect();
    let quotes = match QuoteIndex::new(thread, &normalized) {
        Ok(quotes) => Some(quotes),
        Err(TooManyMatches {
            worst: (i, k),
            count,
        }) => {
            let c = &thread.comments[i];
            let a = &c.annotations[k];
            diags.push(
                Diagnostic::error(format!(
                    "the annotation quotes match the essay more than {MAX_QUOTE_MATCHES} times between them, quire's limit"
                ))
                .at(file, a.quote.span())
                .label(format!(
                    "comment `{}`: this quote alone matched {count} times before quire stopped counting",
                    c.id.get_ref()
                ))
                .help("a quote should match exactly one passage: quote whole phrases, not a few letters"),
            );
            None
        }
    };
    let mut unmatched = 0usize;
    for (i, c) in thread.comments.iter().enumerate() {
        for (k, a) in c.annotations.iter().enumerate() {
            if let Some(cell) = &a.cell
                && targets.is_unknown_cell(cell.get_ref())
            {
                diags.push(targets.unknown_cell(
                    format!(
                        "comment `{}`: annotation names unknown cell `{}`",
                        c.id.get_ref(),
                        cell.get_ref()
                    ),
                    cell.get_ref(),
                    file,
                    cell.span(),
                ));
            }
            if a.removed {
                linked.annotations.push(LinkedAnnotation {
                    comment: i,
                    index: k,
                    block: None,
                    cell: a.cell.as_ref().map(|c| c.get_ref().clone()),
                });
                continue;
            }
            // When the index gave up, its error stands for every quote.
            let Some(quotes) = &quotes else { continue };
            let hits = quotes.hits(i, k);
            match hits.as_slice() {
                [b] => linked.annotations.push(LinkedAnnotation {
                    comment: i,
                    index: k,
                    block: Some(blocks[*b].id.clone()),
                    cell: a.cell.as_ref().map(|c| c.get_ref().clone()),
                }),
                [] => {
                    // Searching for the nearest passage costs a pass over the essay; past
                    // the errors anyone reads, skip it.
                    unmatched += 1;
                    let near = (unmatched <= crate::diagnostic::MAX_SHOWN)
                        .then(|| nearest_passage(a.quote.get_ref(), &normalized))
                        .flatten();
                    let exact = "quote the essay exactly (whitespace, curly quotes and emphasis are ignored), or mark the annotation `removed = true` if the passage was cut";
                    let help = match near {
                        Some((b, excerpt)) => format!(
                            "the closest passage is content/essay.md line {}: \"{excerpt}\"\n{exact}",
                            essay_line(content, blocks[b].span.start)
                        ),
                        None => exact.to_string(),
                    };
                    diags.push(
                        Diagnostic::error(format!(
                            "comment `{}`: quote not found in the essay: \"{}\"",
                            c.id.get_ref(),
                            shorten(a.quote.get_ref())
                        ))
                        .at(file, a.quote.span())
                        .label("matches no passage of content/essay.md")
                        .help(help),
                    );
                }
                many => diags.push(
                    Diagnostic::error(format!(
                        "comment `{}`: quote matches {} passages of the essay: \"{}\"",
                        c.id.get_ref(),
                        many.len(),
                        shorten(a.quote.get_ref())
                    ))
                    .at(file, a.quote.span())
                    .label(format!(
                        "found at content/essay.md lines {}",
                        many.iter()
                            .map(|b| essay_line(content, blocks[*b].span.start).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .help("quote more of the passage so that it matches exactly once"),
                ),
            }
        }
    }
    linked.annotations_of = vec![Vec::new(); n];
    for (k, a) in linked.annotations.iter().enumerate() {
        linked.annotations_of[a.comment].push(k);
        if let Some(block) = &a.block {
            let on = linked.on_block.entry(block.clone()).or_default();
            if !on.contains(&a.comment) {
                on.push(a.comment);
            }
        }
    }
    linked
}

/// The most quote matches (overlapping, all quotes together) the index records. Real
/// threads stay far below it (a quote should match once); quotes built to overlap (`a`,
/// `aa`, `aaa`, … against a run of `a`) would otherwise make quotes × essay length matches.
pub const MAX_QUOTE_MATCHES: usize = 1_000_000;

/// Where each annotation's quote occurs in the essay, found in one pass over the essay's
/// blocks for all quotes together (Aho-Corasick), rather than one search per quote and
/// block: a long thread quoting a long essay would otherwise cost quotes x essay length.
/// The pass stops at [`MAX_QUOTE_MATCHES`], so its cost is bounded whatever the quotes.
struct QuoteIndex {
    /// (comment, annotation) -> index into `patterns`, for annotations that need a match.
    pattern_of: HashMap<(usize, usize), usize>,
    /// Pattern -> (block, non-overlapping occurrences in it), blocks ascending.
    blocks_of: Vec<Vec<(usize, usize)>>,
}

/// The index gave up: the quotes match the essay more than [`MAX_QUOTE_MATCHES`] times.
struct TooManyMatches {
    /// The annotation whose quote had matched most often, and how often.
    worst: (usize, usize),
    count: usize,
}

impl QuoteIndex {
    fn new(
        thread: &crate::content::Thread,
        normalized: &[String],
    ) -> Result<QuoteIndex, TooManyMatches> {
        let mut pattern_of = HashMap::new();
        let mut by_text: HashMap<String, usize> = HashMap::new();
        let mut patterns = Vec::new();
        for (i, c) in thread.comments.iter().enumerate() {
            for (k, a) in c.annotations.iter().enumerate() {
                if a.removed {
                    continue;
                }
                let quote = normalize(&markdown_text(a.quote.get_ref()));
                if quote.is_empty() {
                    continue;
                }
                let p = *by_text.entry(quote).or_insert_with_key(|q| {
                    patterns.push(q.clone());
                    patterns.len() - 1
                });
                pattern_of.insert((i, k), p);
            }
        }
        let mut blocks_of: Vec<Vec<(usize, usize)>> = vec![Vec::new(); patterns.len()];
        let automaton = QuoteAutomaton::new(&patterns);
        // Per pattern: where its last counted occurrence ended, to count non-overlapping
        // occurrences (as `str::matches` does) from the overlapping ones.
        let mut last_end = vec![0usize; patterns.len()];
        let mut seen = vec![0usize; patterns.len()];
        let mut total = 0usize;
        for (b, text) in normalized.iter().enumerate() {
            let stopped = automaton.find_overlapping(text.as_bytes(), |p, end| {
                total += 1;
                seen[p] += 1;
                if total > MAX_QUOTE_MATCHES {
                    return false;
                }
                let start = end - patterns[p].len();
                let list = &mut blocks_of[p];
                if list.last().is_none_or(|&(last, _)| last != b) {
                    list.push((b, 0));
                    last_end[p] = 0;
                }
                if start >= last_end[p] {
                    last_end[p] = end;
                    if let Some(entry) = list.last_mut() {
                        entry.1 += 1;
                    }
                }
                true
            });
            if stopped {
                let worst = (0..patterns.len()).max_by_key(|&p| seen[p]).unwrap_or(0);
                let annotation = pattern_of
                    .iter()
                    .filter(|(_, q)| **q == worst)
                    .map(|(a, _)| *a)
                    .min()
                    .unwrap_or_default();
                return Err(TooManyMatches {
                    worst: annotation,
                    count: seen[worst],
                });
            }
        }
        Ok(QuoteIndex {
            pattern_of,
            blocks_of,
        })
    }

    /// The blocks that annotation `k` of comment `i` matches, a block repeated once per
    /// (non-overlapping) occurrence; empty for an empty quote.
    fn hits(&self, i: usize, k: usize) -> Vec<usize> {
        let Some(&p) = self.pattern_of.get(&(i, k)) else {
            return Vec::new();
        };
        self.blocks_of[p]
            .iter()
            .flat_map(|&(b, n)| std::iter::repeat_n(b, n))
            .collect()
    }
}

/// The line of content/essay.md at byte `offset`.
fn essay_line(content: &Content, offset: usize) -> usize {
    content.essay.file.line_col(offset).0
}

/// The essay block that shares the most word pairs with `quote`, and the words of it that
/// match best (as many as the quote has), for "did you mean". `None` when nothing shares
/// a word pair.
fn nearest_passage(quote: &str, normalized: &[String]) -> Option<(usize, String)> {
    let words = |t: &str| -> Vec<String> {
        t.split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .collect()
    };
    let q = words(&normalize(&markdown_text(quote)));
    let pairs: HashSet<(&str, &str)> = q
        .windows(2)
        .map(|w| (w[0].as_str(), w[1].as_str()))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize, usize)> = None; // (shared, block, first word)
    for (b, text) in normalized.iter().enumerate() {
        let w = words(text);
        let hits: Vec<usize> = (0..w.len().saturating_sub(1))
            .filter(|&i| pairs.contains(&(w[i].as_str(), w[i + 1].as_str())))
            .collect();
        // The window of the quote's length that holds the most shared pairs.
        let (mut shared, mut from) = (0, 0);
        for (k, &start) in hits.iter().enumerate() {
            let n = hits[k..]
                .iter()
                .take_while(|&&h| h < start + q.len())
                .count();
            if n > shared {
                (shared, from) = (n, start);
            }
        }
        if shared > 0 && best.is_none_or(|(s, _, _)| shared > s) {
            best = Some((shared, b, from));
        }
    }
    let (_, b, from) = best?;
    let original: Vec<&str> = normalized[b].split_whitespace().collect();
    let excerpt = original
        .iter()
        .skip(from)
        .take(q.len().max(3))
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Some((b, shorten(&excerpt)))
}

/// An Aho-Corasick automaton over the quotes, with dictionary suffix links instead of the
/// per-state match lists general-purpose crates copy: those lists are quadratic for quotes
/// that are suffixes of each other (`a`, `aa`, … `a` x 10,000 makes 50 million entries),
/// while these links cost one word per state. Every occurrence is still reported, one call
/// each, so the caller bounds the work by stopping.
struct QuoteAutomaton {
    /// Per state: its transitions (byte, state), sorted by byte.
    next: Vec<Vec<(u8, u32)>>,
    /// Per state: the longest proper suffix that is also a state.
    fail: Vec<u32>,
    /// Per state: the pattern that ends here, if any.
    pattern: Vec<Option<u32>>,
    /// Per state: the nearest state on the fail chain where a pattern ends (`NONE` if none).
    output: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl QuoteAutomaton {
    fn new(patterns: &[String]) -> QuoteAutomaton {
        let mut a = QuoteAutomaton {
            next: vec![Vec::new()],
            fail: vec![0],
            pattern: vec![None],
            output: vec![NONE],
        };
        for (p, text) in patterns.iter().enumerate() {
            let mut state = 0u32;
            for &byte in text.as_bytes() {
                state = match a.step(state, byte) {
                    Some(s) => s,
                    None => {
                        let new = a.next.len() as u32;
                        a.next.push(Vec::new());
                        a.fail.push(0);
                        a.pattern.push(None);
                        a.output.push(NONE);
                        let edges = &mut a.next[state as usize];
                        let at = edges.partition_point(|&(b, _)| b < byte);
                        edges.insert(at, (byte, new));
                        new
                    }
                };
            }
            a.pattern[state as usize] = Some(p as u32);
        }
        // Breadth first, so that every state's fail target is done before the state.
        let mut queue = std::collections::VecDeque::new();
        for &(_, child) in &a.next[0] {
            queue.push_back(child);
        }
        while let Some(state) = queue.pop_front() {
            for k in 0..a.next[state as usize].len() {
                let (byte, child) = a.next[state as usize][k];
                queue.push_back(child);
                let mut f = a.fail[state as usize];
                let target = loop {
                    if let Some(t) = a.step(f, byte).filter(|&t| t != child) {
                        break t;
                    }
                    if f == 0 {
                        break 0;
                    }
                    f = a.fail[f as usize];
                };
                a.fail[child as usize] = target;
                a.output[child as usize] = if a.pattern[target as usize].is_some() {
                    target
                } else {
                    a.output[target as usize]
                };
            }
        }
        a
    }

    fn step(&self, state: u32, byte: u8) -> Option<u32> {
        let edges = &self.next[state as usize];
        edges
            .binary_search_by_key(&byte, |&(b, _)| b)
            .ok()
            .map(|i| edges[i].1)
    }

    /// Calls `found(pattern, end)` for every occurrence of every pattern in `text`, in order
    /// of end; stops, returning true, as soon as `found` returns false.
    fn find_overlapping(&self, text: &[u8], mut found: impl FnMut(usize, usize) -> bool) -> bool {
        let mut state = 0u32;
        for (i, &byte) in text.iter().enumerate() {
            state = loop {
                if let Some(t) = self.step(state, byte) {
                    break t;
                }
                if state == 0 {
                    break 0;
                }
                state = self.fail[state as usize];
            };
            let mut at = if self.pattern[state as usize].is_some() {
                state
            } else {
                self.output[state as usize]
            };
            while at != NONE {
                if let Some(p) = self.pattern[at as usize]
                    && !found(p as usize, i + 1)
                {
                    return true;
                }
                at = self.output[at as usize];
            }
        }
        false
    }
}

fn shorten(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s
    }
}

/// The visible text of a Markdown snippet: emphasis and link syntax dropped.
pub fn markdown_text(md: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(pulldown_cmark::TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// Text as compared for quotes: straight quotes, one space between words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.push(match c {
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
                '\u{00A0}' => ' ',
                c => c,
            });
        }
    }
    out
}

fn collect_citers(linked: &mut Linked) {
    let mut cited: BTreeMap<usize, Vec<Citer>> = BTreeMap::new();
    let mut add = |i: usize, c: Citer| {
        let list = cited.entry(i).or_default();
        if !list.contains(&c) {
            list.push(c);
        }
    };
    if let Some(grid) = &linked.grid {
        for cell in &grid.cells {
            for &r in &cell.readings {
                add(r, Citer::Cell(cell.id.clone()));
            }
        }
    }
    let outline = &linked.content.essay.outline;
    for link in &outline.links {
        let (LinkTarget::Ref(key) | LinkTarget::Citation(key) | LinkTarget::Narrative(key)) =
            &link.target
        else {
            continue;
        };
        let Some(&i) = linked.ref_index.get(key) else {
            continue;
        };
        if let Some(label) = &link.footnote {
            add(i, Citer::Footnote(label.clone()));
        } else if let Some(b) = link.block {
            add(i, Citer::Block(outline.blocks[b].id.clone()));
        }
    }
    linked.cited_by = cited;
}

fn attach_comments_to_cells(linked: &mut Linked) {
    let Some(grid) = &mut linked.grid else { return };
    for a in &linked.thread.annotations {
        if let Some(id) = &a.cell
            && let Some(cell) = grid.cells.iter_mut().find(|c| &c.id == id)
            && !cell.comments.contains(&a.comment)
        {
            cell.comments.push(a.comment);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quote_automaton_finds_every_occurrence() {
        let patterns: Vec<String> = ["he", "she", "his", "hers", "e", "a", "aa", "aaa"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let a = QuoteAutomaton::new(&patterns);
        for text in [
            "ushers",
            "aaaa",
            "she sells his hers",
            "",
            "xyz",
            "hhehheaaeaa",
        ] {
            let mut found = Vec::new();
            a.find_overlapping(text.as_bytes(), |p, end| {
                found.push((end - patterns[p].len(), p));
                true
            });
            found.sort();
            let mut expected = Vec::new();
            for (p, pattern) in patterns.iter().enumerate() {
                for start in 0..text.len() {
                    if text[start..].starts_with(pattern.as_str()) {
                        expected.push((start, p));
                    }
                }
            }
            expected.sort();
            assert_eq!(found, expected, "{text}");
        }
        // Stopping is immediate.
        let mut calls = 0;
        assert!(a.find_overlapping(b"aaaa", |_, _| {
            calls += 1;
            calls < 3
        }));
        assert_eq!(calls, 3);
    }

    #[test]
    fn normalize_ignores_quote_style_and_spacing() {
        assert_eq!(normalize("“aligned”  it’s\nfine"), "\"aligned\" it's fine");
        assert_eq!(
            normalize(&markdown_text("*internally-represented* [goals](x)")).trim(),
            "internally-represented goals"
        );
    }
}
