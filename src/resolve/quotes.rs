//! The quote index: where every annotation's quote occurs in the essay, all quotes in one
//! bounded pass (an Aho-Corasick automaton), and the nearest passage for a quote that
//! matches none.

use std::collections::{HashMap, HashSet};

use super::text::{markdown_text, normalize, shorten};

/// The most quote matches (overlapping, all quotes together) the index records. Real
/// threads stay far below it (a quote should match once); quotes built to overlap (`a`,
/// `aa`, `aaa`, … against a run of `a`) would otherwise make quotes × essay length matches.
pub const MAX_QUOTE_MATCHES: usize = 1_000_000;

/// Where each annotation's quote occurs in the essay, found in one pass over the essay's
/// blocks for all quotes together (Aho-Corasick), rather than one search per quote and
/// block: a long thread quoting a long essay would otherwise cost quotes x essay length.
/// The pass stops at [`MAX_QUOTE_MATCHES`], so its cost is bounded whatever the quotes.
pub(super) struct QuoteIndex {
    /// (comment, annotation) -> index into `patterns`, for annotations that need a match.
    pattern_of: HashMap<(usize, usize), usize>,
    /// Pattern -> (block, non-overlapping occurrences in it), blocks ascending.
    blocks_of: Vec<Vec<(usize, usize)>>,
}

/// The index gave up: the quotes match the essay more than [`MAX_QUOTE_MATCHES`] times.
pub(super) struct TooManyMatches {
    /// The annotation whose quote had matched most often, and how often.
    pub(super) worst: (usize, usize),
    pub(super) count: usize,
}

impl QuoteIndex {
    /// `quote_texts[i][k]` is the visible text of annotation `k` of comment `i`.
    pub(super) fn new(
        thread: &crate::content::Thread,
        quote_texts: &[Vec<String>],
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
                let quote = normalize(&quote_texts[i][k]);
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
    pub(super) fn hits(&self, i: usize, k: usize) -> Vec<usize> {
        let Some(&p) = self.pattern_of.get(&(i, k)) else {
            return Vec::new();
        };
        self.blocks_of[p]
            .iter()
            .flat_map(|&(b, n)| std::iter::repeat_n(b, n))
            .collect()
    }
}

/// The essay block that shares the most word pairs with `quote`, and the words of it that
/// match best (as many as the quote has), for "did you mean". `None` when nothing shares
/// a word pair.
pub(super) fn nearest_passage(quote: &str, normalized: &[String]) -> Option<(usize, String)> {
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
}
