//! The grid: grid.toml's rows, columns and cells linked to the essay's table whose labels
//! match, each cell to its readings; renamed rows and columns named as such.

use std::collections::{HashMap, HashSet};

use crate::content::Content;
use crate::content::essay::{LinkTarget, TableShape};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, closest};

use super::references::unknown_ref;
use super::{AxisInfo, LinkedCell, LinkedGrid, expected_list};

pub(super) fn link_grid(
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
pub(super) fn renames(spec: &crate::content::Grid) -> Vec<(String, String)> {
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
