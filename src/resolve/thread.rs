//! The thread: comment ids, each reply to its parent, reply cycles, and the links an
//! `editor_links` entry marks; then the annotations (see `annotations`).

use std::collections::HashMap;

use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, closest};

use super::LinkedThread;
use super::annotations::link_annotations;
use super::links::Targets;

pub(super) fn link_thread(
    content: &Content,
    targets: &Targets<'_>,
    diags: &mut Diagnostics,
) -> LinkedThread {
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
    link_annotations(content, targets, file, &mut linked, diags);
    linked
}
