//! Footnotes: numbered in order of first reference; a label defined twice or never
//! referenced is reported.

use std::collections::{HashMap, HashSet};

use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics};

pub(super) fn number_footnotes(
    content: &Content,
    diags: &mut Diagnostics,
) -> HashMap<String, usize> {
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
