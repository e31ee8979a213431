//! References: the bibliography's keys indexed (each once), unknown keys with the nearest
//! one, and the places that cite each reference.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::content::Content;
use crate::content::essay::LinkTarget;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, closest};

use super::{Citer, Linked};

pub(super) fn index_references(
    content: &Content,
    diags: &mut Diagnostics,
) -> HashMap<String, usize> {
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

pub(super) fn unknown_ref(
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

pub(super) fn collect_citers(linked: &mut Linked) {
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
