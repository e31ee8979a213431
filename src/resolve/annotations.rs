//! Annotations: each quote found in exactly one essay block (through the quote index),
//! the cell it names checked; annotations indexed by comment, by block and by cell.

use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

use super::links::Targets;
use super::quotes::{MAX_QUOTE_MATCHES, QuoteIndex, TooManyMatches, nearest_passage};
use super::text::{markdown_text, normalize, shorten};
use super::{Linked, LinkedAnnotation, LinkedThread};

/// Finds each annotation's quote in the essay (one block, or an error with the nearest
/// passage) and checks the cell it names; indexes annotations by comment and by block.
pub(super) fn link_annotations(
    content: &Content,
    targets: &Targets<'_>,
    file: &SourceFile,
    linked: &mut LinkedThread,
    diags: &mut Diagnostics,
) {
    let thread = &content.thread;
    let n = thread.comments.len();
    let blocks = &content.essay.outline.blocks;
    let normalized: Vec<String> = blocks.iter().map(|b| normalize(&b.text)).collect();
    let mut quote_texts: Vec<Vec<String>> = thread
        .comments
        .iter()
        .map(|c| {
            c.annotations
                .iter()
                .map(|a| markdown_text(a.quote.get_ref()))
                .collect()
        })
        .collect();
    let quotes = match QuoteIndex::new(thread, &quote_texts, &normalized) {
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
                    quote_text: std::mem::take(&mut quote_texts[i][k]),
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
                    quote_text: std::mem::take(&mut quote_texts[i][k]),
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
}

/// The line of content/essay.md at byte `offset`.
fn essay_line(content: &Content, offset: usize) -> usize {
    content.essay.file.line_col(offset).0
}

pub(super) fn attach_comments_to_cells(linked: &mut Linked) {
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
