//! Links: the targets of `cell:`/`ref:` links and citations judged wherever they stand
//! (the essay, its footnotes, the editor's note, cell summaries, annotation notes).

use std::collections::HashMap;
use std::ops::Range;

use crate::content::Content;
use crate::content::essay::{self, LinkTarget};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, closest};

use super::grid::renames;
use super::references::unknown_ref;
use super::{LinkedGrid, expected_list};

/// Judges the targets of `cell:`/`ref:` links and citations, wherever they stand: the
/// essay, its footnotes, the editor's note, cell summaries and annotation notes.
pub(super) struct Targets<'a> {
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
    pub(super) fn new(
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
    pub(super) fn is_unknown_cell(&self, id: &str) -> bool {
        self.cells
            .as_ref()
            .is_some_and(|cells| !cells.iter().any(|c| c == id))
    }

    /// The error for an unknown cell `id` at `span`, with the closest known cell.
    pub(super) fn unknown_cell(
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
    pub(super) fn check_snippet(
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

pub(super) fn check_essay_links(targets: &Targets<'_>, diags: &mut Diagnostics) {
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
