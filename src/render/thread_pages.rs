//! Which page holds which comment, when a thread is too big for one page.
//!
//! A thread of up to [`WHOLE_UP_TO`] comments stays whole on the essay page. A bigger one
//! is split so that no page holds more than [`PAGE_COMMENTS`] comments, the way LessWrong
//! and Reddit "continue this thread":
//!
//! - the essay page takes the top-level comments in order, each with the first of its
//!   replies (breadth first, so a reader sees the direct answers before the answers to
//!   them), until the page is full;
//! - the replies of a comment that didn't fit continue on `thread/<id>.html` (and, if even
//!   they don't fit on one page, `thread/<id>.2.html`, …), split the same way;
//! - the top-level comments that didn't fit continue on `comments/2.html`, `comments/3.html`,
//!   …, which every top-level page lists.
//!
//! Every comment lives on exactly one page, so its permalink (`<page>#comment-<id>`) is
//! unique. Comment ids are letters, digits, `-` and `_`, so `<id>.<k>` and the `comments/`
//! folder can't collide with another comment's page.

use std::collections::VecDeque;

use serde::Serialize;

use super::partials::Partials;
use super::thread::{DiscussionView, PageLink, PageOf, comment_href, discussion};
use crate::resolve::Linked;

/// A thread of up to this many comments is shown whole on the essay page, as it always was.
pub const WHOLE_UP_TO: usize = 300;

/// The most comments one page of a split thread holds. In a first phone-emulated run of
/// `bench/thread_pages.py` (on a heavily loaded machine), pages of 400 comments still blocked
/// the main thread for about half a second; pages of 150 are measured in bench/RESULTS.md.
pub const PAGE_COMMENTS: usize = 150;

/// Each top item of a page (a top-level comment on the essay page, a reply on a thread
/// page) gets a fair share of the page for itself and its replies, but at least this many
/// comments, so that every thread shown shows some of its conversation.
const MIN_SHARE: usize = 20;

/// One page of comments.
#[derive(Debug, Clone)]
pub struct ThreadPage {
    /// Site path: `index.html`, `comments/<k>.html` or `thread/<id>[.<k>].html`.
    pub path: String,
    /// The comment whose replies this page continues; `None` for top-level pages.
    pub parent: Option<usize>,
    /// 1 for the first page of a parent's replies (or the essay page), then 2, 3, …
    pub part: usize,
    /// The siblings at the top of the page, in thread order.
    pub items: Vec<usize>,
    /// The page continuing this one's list of siblings, if they didn't all fit.
    pub next: Option<usize>,
}

/// The split of a thread into pages. Page 0 is always the essay page.
#[derive(Debug, Clone)]
pub struct ThreadPages {
    pub pages: Vec<ThreadPage>,
    /// Comment index -> index of the page that holds it.
    pub page_of: Vec<usize>,
    /// Comment index -> how many of its replies (a prefix, in thread order) are on its page.
    pub shown_replies: Vec<usize>,
    /// Comment index -> the page where its other replies continue.
    pub continued: Vec<Option<usize>>,
    /// Comment index -> how many replies, replies to replies, … it has in all.
    pub descendants: Vec<usize>,
}

impl ThreadPages {
    /// Splits the thread if it is bigger than [`WHOLE_UP_TO`] and `split` is set;
    /// `None` means one page, as small threads (and the single-file export) have it.
    pub fn new(linked: &Linked, split: bool) -> Option<ThreadPages> {
        Self::with_size(linked, split, WHOLE_UP_TO, PAGE_COMMENTS)
    }

    fn with_size(
        linked: &Linked,
        split: bool,
        whole_up_to: usize,
        page_size: usize,
    ) -> Option<ThreadPages> {
        let t = &linked.thread;
        let comments = &linked.content.thread.comments;
        let n = comments.len();
        if !split || n <= whole_up_to {
            return None;
        }
        let mut out = ThreadPages {
            pages: Vec::new(),
            page_of: vec![usize::MAX; n],
            shown_replies: vec![0; n],
            continued: vec![None; n],
            descendants: descendant_counts(linked),
        };
        // (parent, first sibling of the run, part): each run of siblings to place, in
        // the order its page was discovered, so page numbering is deterministic.
        let mut runs: VecDeque<(Option<usize>, usize, usize)> = VecDeque::from([(None, 0, 1)]);
        while let Some((parent, start, part)) = runs.pop_front() {
            let siblings = match parent {
                None => &t.roots,
                Some(p) => &t.children[p],
            };
            let here = out.pages.len();
            let path = match (parent, part) {
                (None, 1) => "index.html".to_string(),
                (None, k) => format!("comments/{k}.html"),
                (Some(p), 1) => format!("thread/{}.html", comments[p].id.get_ref()),
                (Some(p), k) => format!("thread/{}.{k}.html", comments[p].id.get_ref()),
            };
            let mut page = ThreadPage {
                path,
                parent,
                part,
                items: Vec::new(),
                next: None,
            };
            let mut left = page_size;
            let mut placed_here = Vec::new();
            for (j, &item) in siblings.iter().enumerate().skip(start) {
                if left == 0 {
                    break;
                }
                if out.page_of[item] != usize::MAX {
                    continue; // defensive: resolve rejects cycles
                }
                let items_left = siblings.len() - j;
                let share = (left / items_left).max(MIN_SHARE).min(left);
                // Breadth first from the item: a node's placed replies are a prefix of
                // its replies, because they enter the queue together and in order.
                let mut queue = VecDeque::from([(item, None)]);
                let mut taken = 0;
                while taken < share {
                    let Some((c, from)) = queue.pop_front() else {
                        break;
                    };
                    if out.page_of[c] != usize::MAX {
                        continue;
                    }
                    out.page_of[c] = here;
                    placed_here.push(c);
                    if let Some(p) = from {
                        out.shown_replies[p] += 1;
                    }
                    taken += 1;
                    queue.extend(t.children[c].iter().map(|&r| (r, Some(c))));
                }
                left -= taken;
                page.items.push(item);
            }
            let placed_items = page.items.len();
            let first_unplaced = start + placed_items;
            if first_unplaced < siblings.len() {
                page.next = Some(here + 1 + runs.len());
                runs.push_back((parent, first_unplaced, part + 1));
            }
            for &c in &placed_here {
                // The replies shown here are a prefix; the rest continue on a page of c's.
                if out.shown_replies[c] < t.children[c].len() {
                    out.continued[c] = Some(here + 1 + runs.len());
                    runs.push_back((Some(c), out.shown_replies[c], 1));
                }
            }
            out.pages.push(page);
        }
        Some(out)
    }

    /// The site path of the page holding comment `i`.
    pub fn path_of(&self, i: usize) -> &str {
        &self.pages[self.page_of[i]].path
    }

    /// How many of comment `i`'s descendants are on its page (at most a page's worth).
    pub fn shown_descendants(&self, linked: &Linked, i: usize) -> usize {
        let children = &linked.thread.children;
        let mut stack = vec![i];
        let mut count = 0;
        while let Some(c) = stack.pop() {
            for &r in &children[c][..self.shown_replies[c]] {
                count += 1;
                stack.push(r);
            }
        }
        count
    }
}

/// Every comment's number of descendants, counted bottom-up after one iterative walk.
fn descendant_counts(linked: &Linked) -> Vec<usize> {
    let t = &linked.thread;
    let n = t.children.len();
    let mut order = Vec::with_capacity(n);
    let mut parent = vec![None; n];
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = t.roots.clone();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push(i);
        for &c in &t.children[i] {
            parent[c] = Some(i);
            stack.push(c);
        }
    }
    let mut count = vec![0; n];
    for &i in order.iter().rev() {
        if let Some(p) = parent[i] {
            count[p] += count[i] + 1;
        }
    }
    count
}

/// The view of page `k` of a split thread: its comments and "more" links, and on the
/// pages of top-level comments, the list of those pages.
pub fn split_discussion(
    linked: &Linked,
    pages: &ThreadPages,
    k: usize,
    partials: &Partials<'_>,
) -> DiscussionView {
    let f = PageOf { pages, page: k };
    let mut view = discussion(linked, &f.link_to(""), Some(f), partials);
    if k == 0 {
        view.shown = Some(pages.page_of.iter().filter(|&&p| p == 0).count());
    }
    let top_level: Vec<usize> = (0..pages.pages.len())
        .filter(|&j| pages.pages[j].parent.is_none())
        .collect();
    if pages.pages[k].parent.is_none() && top_level.len() > 1 {
        view.pages = top_level
            .iter()
            .enumerate()
            .map(|(number, &j)| PageLink {
                number: number + 1,
                href: (j != k).then(|| match j {
                    0 => format!("{}#comments", f.link_to("index.html")),
                    _ => f.link_to(&pages.pages[j].path),
                }),
            })
            .collect();
    }
    view
}

/// What the `thread.html` template shows around a thread page's comments.
#[derive(Debug, Serialize)]
pub struct ThreadPageView {
    /// "Replies to Alice's comment", "Comments, page 3" (text; the template escapes it).
    pub heading: String,
    pub description: String,
    /// The comment whose replies the page continues.
    pub parent: Option<ParentView>,
    /// Where the page before this one in its list is (for a continued list of replies).
    pub previous: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ParentView {
    pub author: String,
    pub excerpt: String,
    /// Link to the comment on its page.
    pub href: String,
}

/// The frame of thread page `k` (k > 0).
pub fn page_view(linked: &Linked, pages: &ThreadPages, k: usize) -> ThreadPageView {
    let page = &pages.pages[k];
    let comments = &linked.content.thread.comments;
    let f = PageOf { pages, page: k };
    let previous = pages
        .pages
        .iter()
        .position(|q| q.next == Some(k))
        .map(|j| match j {
            0 => format!("{}#comments", f.link_to("index.html")),
            _ => f.link_to(&pages.pages[j].path),
        });
    let part = if page.part > 1 {
        format!(" (part {})", page.part)
    } else {
        String::new()
    };
    match page.parent {
        None => ThreadPageView {
            heading: format!("Comments, page {}", page.part),
            description: format!(
                "Top-level comments on the essay, page {}, with the first of their replies.",
                page.part
            ),
            parent: None,
            previous,
        },
        Some(p) => {
            let c = &comments[p];
            let author = match (&c.author, c.deleted) {
                (_, true) => "a deleted comment".to_string(),
                (Some(a), _) => a.clone(),
                (None, _) => "an unknown commenter".to_string(),
            };
            let heading = match (&c.author, c.deleted) {
                (_, true) => format!("Replies to a deleted comment{part}"),
                (Some(a), _) => format!("Replies to {a}’s comment{part}"),
                (None, _) => format!("Replies to a comment by an unknown commenter{part}"),
            };
            let excerpt = if c.deleted {
                String::new()
            } else {
                super::grid::excerpt(&crate::dialect::plain_text(&c.body), 240)
            };
            ThreadPageView {
                description: format!("{heading}: the rest of a conversation under the essay."),
                heading,
                parent: Some(ParentView {
                    author,
                    excerpt,
                    href: comment_href(linked, Some(f), p),
                }),
                previous,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;

    fn linked(toml: &str) -> Linked {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/valid/minimal/content");
        std::fs::create_dir_all(root.join("content")).unwrap();
        for entry in std::fs::read_dir(&fixture).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), root.join("content").join(entry.file_name())).unwrap();
        }
        std::fs::write(root.join("content/comments.toml"), toml).unwrap();
        let mut diags = Diagnostics::new();
        let content = crate::content::load(root, &mut diags).expect("loads");
        let linked = crate::resolve::resolve(content, &mut diags).expect("resolves");
        assert!(!diags.has_errors(), "{diags:?}");
        linked
    }

    /// `roots` top-level comments; the first has a chain of `chain` replies, the second
    /// `wide` direct replies.
    fn thread(roots: usize, chain: usize, wide: usize) -> String {
        let mut s = String::new();
        for r in 0..roots {
            s.push_str(&format!("[[comment]]\nid = \"r{r}\"\nbody = \"x\"\n"));
        }
        for k in 0..chain {
            let parent = if k == 0 {
                "r0".to_string()
            } else {
                format!("c{}", k - 1)
            };
            s.push_str(&format!(
                "[[comment]]\nid = \"c{k}\"\nparent = \"{parent}\"\nbody = \"x\"\n"
            ));
        }
        for k in 0..wide {
            s.push_str(&format!(
                "[[comment]]\nid = \"w{k}\"\nparent = \"r1\"\nbody = \"x\"\n"
            ));
        }
        s
    }

    fn check_partition(l: &Linked, p: &ThreadPages, size: usize) {
        let n = l.content.thread.comments.len();
        let mut per_page = vec![0; p.pages.len()];
        for i in 0..n {
            assert_ne!(p.page_of[i], usize::MAX, "comment {i} has no page");
            per_page[p.page_of[i]] += 1;
        }
        for (k, count) in per_page.iter().enumerate() {
            assert!(*count >= 1 && *count <= size, "page {k} holds {count}");
        }
        // Every page but the essay page is linked from the page before it in its run or
        // from the comment whose replies it continues.
        for (k, page) in p.pages.iter().enumerate().skip(1) {
            let linked_from =
                p.pages.iter().any(|q| q.next == Some(k)) || p.continued.contains(&Some(k));
            assert!(linked_from, "page {} is unreachable", page.path);
        }
    }

    #[test]
    fn small_threads_stay_whole() {
        let l = linked(&thread(3, 5, 5));
        assert!(ThreadPages::with_size(&l, true, 13, 5).is_none());
        assert!(ThreadPages::with_size(&l, false, 2, 2).is_none());
        assert!(ThreadPages::with_size(&l, true, 12, 5).is_some());
    }

    #[test]
    fn a_long_chain_continues_on_thread_pages() {
        let l = linked(&thread(2, 100, 0));
        let p = ThreadPages::with_size(&l, true, 30, 30).expect("split");
        check_partition(&l, &p, 30);
        assert_eq!(p.pages[0].path, "index.html");
        assert_eq!(p.pages[0].items.len(), 2, "both top-level comments fit");
        // The chain breaks where r0's share of the page ends and continues on the page
        // named after the last comment shown.
        let cut = (0..100)
            .map(|k| format!("c{k}"))
            .position(|id| {
                p.path_of(
                    l.content
                        .thread
                        .comments
                        .iter()
                        .position(|c| c.id.get_ref() == &id)
                        .unwrap(),
                ) != "index.html"
            })
            .expect("the chain leaves the essay page");
        let last_shown = format!("c{}", cut - 1);
        assert!(
            p.pages
                .iter()
                .any(|pg| pg.path == format!("thread/{last_shown}.html")),
            "{:?}",
            p.pages.iter().map(|p| &p.path).collect::<Vec<_>>()
        );
    }

    #[test]
    fn many_replies_to_one_comment_take_several_pages() {
        let l = linked(&thread(50, 0, 100));
        let p = ThreadPages::with_size(&l, true, 30, 30).expect("split");
        check_partition(&l, &p, 30);
        let paths: Vec<&str> = p.pages.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"comments/2.html"), "{paths:?}");
        assert!(paths.contains(&"thread/r1.html"), "{paths:?}");
        assert!(paths.contains(&"thread/r1.2.html"), "{paths:?}");
    }
}
