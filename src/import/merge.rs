//! Merges a forum thread into comments.toml, editing the author's file in place
//! (toml_edit keeps its comments, order, spacing and quoting).
//!
//! The import owns eight fields of a comment: `author`, `parent`, `date`, `af_karma`,
//! `karma`, `agreement`, `deleted` and `body`. Everything else (annotations, editor's notes,
//! `author_inferred`, `scores_raw`, hand-written comments) is the author's and is never
//! touched. To tell the author's edits from the forum's, the values of the last import are
//! kept in a [`Base`]: a field still equal to what the last import wrote takes the forum's
//! new value; a field the author changed is kept, and the change is reported. Without a
//! record of the last import, a field the file already has and the forum disagrees with is
//! kept too: an author's words are never lost to an import.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Table, Value};

use super::forum::ForumComment;

/// What the last import wrote, per comment id and field, in a canonical text form
/// (`s:` string, `i:` integer, `b:` boolean, `d:` date-time). Stored beside the project.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Base {
    pub comments: BTreeMap<String, BTreeMap<String, String>>,
}

/// Where the thread comes from, for the `[thread]` table.
#[derive(Debug, Clone, Default)]
pub struct ThreadSource {
    pub forum: Option<String>,
    pub url: Option<String>,
    /// Score keys (`karma`, `af_karma`, `agreement`) with the forum's labels, in its order.
    pub scores: Vec<(&'static str, &'static str)>,
}

/// The merged file and what changed.
#[derive(Debug)]
pub struct Merged {
    pub text: String,
    pub base: Base,
    /// One line per change, for `--dry-run` and the summary.
    pub changes: Vec<String>,
    /// Fields kept because the author changed them (or the file had them before any import).
    pub kept: Vec<String>,
    pub added: usize,
    pub updated: usize,
}

/// The top of a comments.toml the import creates.
const HEADER: &str = "\
# Imported with `quire import forum`. Run it again to bring in new replies and edits:
# annotations, editor's notes and any field you change here are kept (docs/import.md).

";

/// One field's value as the forum gives it: canonical form and the TOML value to write.
type Field = Option<(String, Value)>;

fn fields(c: &ForumComment) -> Vec<(&'static str, Field)> {
    let s = |v: &Option<String>| {
        v.as_ref()
            .map(|v| (format!("s:{}", v.trim_end()), Value::from(v.as_str())))
    };
    let i = |v: Option<i64>| v.map(|v| (format!("i:{v}"), Value::from(v)));
    let date = c.date.as_ref().and_then(|d| {
        let dt: toml_edit::Datetime = d.parse().ok()?;
        // Written as the forum wrote it (`.000Z` stays), compared as a date-time.
        let value = d.parse::<Value>().unwrap_or_else(|_| Value::from(dt));
        Some((format!("d:{dt}"), value))
    });
    let body = c
        .body
        .as_ref()
        .map(|b| (format!("s:{}", b.trim_end()), multiline(b)));
    vec![
        ("author", s(&c.author)),
        ("parent", s(&c.parent)),
        ("date", date),
        ("af_karma", i(c.af_karma)),
        ("karma", i(c.karma)),
        ("agreement", i(c.agreement)),
        (
            "deleted",
            c.deleted.then(|| ("b:true".to_string(), Value::from(true))),
        ),
        ("body", body),
    ]
}

/// A field of the author's file in canonical form; `deleted = false` is the same as none.
fn canon(key: &str, item: Option<&Item>) -> Option<String> {
    let value = item?.as_value()?;
    Some(match value {
        Value::String(s) => format!("s:{}", s.value().trim_end()),
        Value::Integer(i) => format!("i:{}", i.value()),
        Value::Boolean(b) if key == "deleted" && !*b.value() => return None,
        Value::Boolean(b) => format!("b:{}", b.value()),
        Value::Datetime(d) => format!("d:{}", d.value()),
        other => format!("x:{}", other.to_string().trim()),
    })
}

/// A body as a TOML multi-line basic string, the way authors write them:
/// `"""` on its own line, the Markdown, `"""` on its own line.
pub fn multiline(text: &str) -> Value {
    let mut out = String::from("\"\"\"\n");
    let mut quotes = 0;
    for c in text.trim_end().chars() {
        match c {
            '"' if quotes == 2 => {
                out.push_str("\\\"");
                quotes = 0;
                continue;
            }
            '"' => {
                out.push('"');
                quotes += 1;
                continue;
            }
            '\\' => out.push_str("\\\\"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
        quotes = 0;
    }
    out.push_str("\n\"\"\"");
    out.parse::<Value>()
        .unwrap_or_else(|_| Value::from(text.trim_end()))
}

/// Merges `upstream` (in thread order) into `existing` (the text of comments.toml, if any).
pub fn merge(
    existing: Option<&str>,
    base: &Base,
    upstream: &[ForumComment],
    source: &ThreadSource,
) -> Result<Merged, String> {
    let mut doc: DocumentMut = match existing {
        Some(text) => text
            .parse()
            .map_err(|e| format!("content/comments.toml is not valid TOML: {e}"))?,
        None => DocumentMut::new(),
    };
    let mut changes = Vec::new();
    let mut kept = Vec::new();
    let (mut added, mut updated) = (0, 0);

    let mut tables: Vec<Table> = match doc.remove("comment") {
        None => Vec::new(),
        Some(Item::ArrayOfTables(array)) => array.into_iter().collect(),
        Some(_) => {
            return Err(
                "`comment` in content/comments.toml is not a list of [[comment]] tables".into(),
            );
        }
    };
    let id_of = |t: &Table| t.get("id").and_then(Item::as_str).map(str::to_string);

    // The forum's view of every comment it has: the new answer, and for a comment the last
    // import saw but the forum no longer returns, a placeholder (it was deleted).
    let upstream_ids: HashMap<&str, usize> = upstream
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut new_base = Base::default();
    let mut theirs_of: HashMap<String, Vec<(&'static str, Field)>> = HashMap::new();
    for c in upstream {
        let f = fields(c);
        new_base.comments.insert(c.id.clone(), record(&f));
        theirs_of.insert(c.id.clone(), f);
    }
    let in_file: std::collections::HashSet<String> = tables.iter().filter_map(id_of).collect();
    for (id, fields_then) in &base.comments {
        if upstream_ids.contains_key(id.as_str()) || !in_file.contains(id) {
            continue;
        }
        let gone = ForumComment {
            id: id.clone(),
            parent: fields_then
                .get("parent")
                .and_then(|p| p.strip_prefix("s:"))
                .map(str::to_string),
            author: None,
            date: fields_then
                .get("date")
                .and_then(|d| d.strip_prefix("d:"))
                .map(str::to_string),
            karma: None,
            af_karma: None,
            agreement: None,
            deleted: true,
            body: None,
        };
        let f = fields(&gone);
        new_base.comments.insert(id.clone(), record(&f));
        theirs_of.insert(id.clone(), f);
    }

    // Existing comments: field by field.
    for table in &mut tables {
        let Some(id) = id_of(table) else { continue };
        let Some(theirs) = theirs_of.get(&id) else {
            continue;
        };
        let then = base.comments.get(&id);
        let was_deleted = canon("deleted", table.get("deleted")).is_some();
        let mut touched = Vec::new();
        let mut inserted = false;
        for (key, their) in theirs {
            let ours = canon(key, table.get(key));
            let their_canon = their.as_ref().map(|(c, _)| c.clone());
            if ours == their_canon {
                continue;
            }
            let take = match then {
                Some(then) => ours.as_ref() == then.get(*key),
                None => ours.is_none(),
            };
            if !take {
                // Reported only when the forum has something new the author's value hides.
                let forum_moved = then.is_none_or(|t| t.get(*key) != their_canon.as_ref());
                if !forum_moved {
                    continue;
                }
                kept.push(format!(
                    "`{id}`: kept your {key} (the forum has {})",
                    describe(their_canon.as_deref())
                ));
                continue;
            }
            match their {
                Some((_, value)) => {
                    let mut value = value.clone();
                    if let Some(old) = table.get(key).and_then(Item::as_value) {
                        *value.decor_mut() = old.decor().clone();
                    } else {
                        inserted = true;
                    }
                    table.insert(key, Item::Value(value));
                }
                None => {
                    table.remove(key);
                }
            }
            touched.push(*key);
        }
        if inserted {
            // New keys go before the body, where an author would put them.
            table.sort_values_by(|a, _, b, _| (a.get() == "body").cmp(&(b.get() == "body")));
        }
        if !touched.is_empty() {
            updated += 1;
            let now_deleted = canon("deleted", table.get("deleted")).is_some();
            if now_deleted && !was_deleted {
                changes.push(format!("- `{id}`: deleted on the forum; now a placeholder"));
            } else {
                changes.push(format!("~ `{id}`: updated {}", touched.join(", ")));
            }
        }
    }

    // New comments, each after its parent's subtree (or at the end when top-level). A new
    // comment hangs below its nearest ancestor already in the file (its anchor); all new
    // comments with one anchor go, in thread order, right after the anchor's subtree; where
    // several anchors' subtrees end at one place, the deeper anchor's come first.
    let ids: Vec<Option<String>> = tables.iter().map(id_of).collect();
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| Some((id.as_deref()?, i)))
        .collect();
    let parent_of: HashMap<&str, Option<&str>> = tables
        .iter()
        .zip(&ids)
        .filter_map(|(t, id)| Some((id.as_deref()?, t.get("parent").and_then(Item::as_str))))
        .collect();
    let upstream_parent: HashMap<&str, Option<&str>> = upstream
        .iter()
        .map(|c| (c.id.as_str(), c.parent.as_deref()))
        .collect();
    let mut subtree_end: HashMap<usize, usize> = HashMap::new();
    // (insert before this index, -depth of the anchor, thread order) -> table
    let mut inserts: Vec<(usize, isize, usize, Table)> = Vec::new();
    // A comment the last import wrote and the author has since taken out of the file stays
    // out, and so do new replies below it.
    let cut = |id: &str| base.comments.contains_key(id) && !index.contains_key(id);
    for (order, c) in upstream.iter().enumerate() {
        if index.contains_key(c.id.as_str()) {
            continue;
        }
        let mut up = Some(c.id.as_str());
        let mut removed = None;
        for _ in 0..=upstream.len() {
            match up {
                Some(id) if cut(id) => {
                    removed = Some(id);
                    break;
                }
                Some(id) => up = upstream_parent.get(id).copied().flatten(),
                None => break,
            }
        }
        if let Some(removed) = removed {
            kept.push(if removed == c.id {
                format!("`{removed}`: left out, as you removed it from the file")
            } else {
                format!(
                    "`{}`: left out, a reply below `{removed}`, which you removed",
                    c.id
                )
            });
            continue;
        }
        let mut anchor = c.parent.as_deref();
        for _ in 0..=upstream.len() {
            match anchor {
                Some(a) if !index.contains_key(a) => {
                    anchor = upstream_parent.get(a).copied().flatten()
                }
                _ => break,
            }
        }
        let (at, depth) = match anchor.and_then(|a| index.get(a).map(|&i| (a, i))) {
            None => (tables.len(), -1),
            Some((a, i)) => {
                let end = *subtree_end.entry(i).or_insert_with(|| {
                    let mut j = i + 1;
                    while j < tables.len()
                        && ids[j]
                            .as_deref()
                            .is_some_and(|id| descends(id, a, &parent_of))
                    {
                        j += 1;
                    }
                    j
                });
                (end, depth_of(a, &parent_of))
            }
        };
        inserts.push((at, -depth, order, new_table(&theirs_of[&c.id], &c.id)));
        added += 1;
        changes.push(match &c.parent {
            Some(p) => format!("+ `{}`: new reply to `{p}`", c.id),
            None => format!("+ `{}`: new comment", c.id),
        });
    }
    inserts.sort_by_key(|(at, depth, order, _)| (*at, *depth, *order));
    let mut inserts = inserts.into_iter().peekable();
    let mut ordered = Vec::with_capacity(tables.len() + added);
    for (i, table) in tables.into_iter().enumerate() {
        while let Some((_, _, _, t)) = inserts.next_if(|(at, ..)| *at <= i) {
            ordered.push(t);
        }
        ordered.push(table);
    }
    ordered.extend(inserts.map(|(_, _, _, t)| t));
    let tables = ordered;

    let thread_change = merge_thread(&mut doc, source, &mut kept);
    if let Some(change) = thread_change {
        changes.insert(0, change);
    }

    // The file header (comments above the first blank line of the first table's prefix)
    // stays at the top when a [thread] table is put before the comments.
    let mut array = toml_edit::ArrayOfTables::new();
    for (i, mut t) in tables.into_iter().enumerate() {
        if i > 0
            && t.decor()
                .prefix()
                .is_none_or(|p| p.as_str().is_none_or(str::is_empty))
        {
            t.decor_mut().set_prefix("\n");
        }
        array.push(t);
    }
    if !array.is_empty() {
        doc.insert("comment", Item::ArrayOfTables(array));
    }
    if existing.is_none() {
        doc.decor_mut().set_prefix(HEADER);
    }
    order_tables(&mut doc);
    Ok(Merged {
        text: doc.to_string(),
        base: new_base,
        changes,
        kept,
        added,
        updated,
    })
}

fn record(fields: &[(&'static str, Field)]) -> BTreeMap<String, String> {
    fields
        .iter()
        .filter_map(|(k, f)| Some((k.to_string(), f.as_ref()?.0.clone())))
        .collect()
}

fn describe(canon: Option<&str>) -> String {
    match canon {
        None => "none".to_string(),
        Some(c) => {
            let v = c.get(2..).unwrap_or_default();
            if v.contains('\n') || v.chars().count() > 40 {
                let short: String = v.chars().take(40).collect();
                format!("\"{}…\"", short.replace('\n', " "))
            } else if c.starts_with("s:") {
                format!("\"{v}\"")
            } else {
                v.to_string()
            }
        }
    }
}

/// Is `id` below `ancestor` in the reply tree (of the file's comments)?
fn descends(id: &str, ancestor: &str, parent_of: &HashMap<&str, Option<&str>>) -> bool {
    let mut current = id;
    for _ in 0..=parent_of.len() {
        match parent_of.get(current).copied().flatten() {
            Some(p) if p == ancestor => return true,
            Some(p) => current = p,
            None => return false,
        }
    }
    false
}

/// How many ancestors a comment of the file has (bounded, in case of a cycle).
fn depth_of(id: &str, parent_of: &HashMap<&str, Option<&str>>) -> isize {
    let mut depth = 0;
    let mut current = id;
    while let Some(p) = parent_of.get(current).copied().flatten() {
        depth += 1;
        current = p;
        if depth as usize > parent_of.len() {
            break;
        }
    }
    depth
}

fn new_table(fields: &[(&'static str, Field)], id: &str) -> Table {
    let mut table = Table::new();
    table.insert("id", toml_edit::value(id));
    for (key, field) in fields {
        if let Some((_, value)) = field {
            table.insert(key, Item::Value(value.clone()));
        }
    }
    table
}

/// Adds the `[thread]` table, or the keys it lacks; the author's values are kept.
fn merge_thread(
    doc: &mut DocumentMut,
    source: &ThreadSource,
    kept: &mut Vec<String>,
) -> Option<String> {
    let exists = doc.contains_key("thread");
    if !exists && source.forum.is_none() {
        return None;
    }
    let thread = doc
        .entry("thread")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()?;
    let mut added = Vec::new();
    for (key, value) in [("forum", &source.forum), ("url", &source.url)] {
        let Some(value) = value else { continue };
        match thread.get(key).and_then(Item::as_str) {
            None if !thread.contains_key(key) => {
                thread.insert(key, toml_edit::value(value.as_str()));
                added.push(key);
            }
            Some(ours) if ours == value => {}
            _ => kept.push(format!(
                "[thread]: kept your {key} (the import has \"{value}\")"
            )),
        }
    }
    if !thread.contains_key("scores") && !source.scores.is_empty() {
        let mut scores = Table::new();
        for (key, label) in &source.scores {
            scores.insert(key, toml_edit::value(*label));
        }
        thread.insert("scores", Item::Table(scores));
        added.push("scores");
    }
    if added.is_empty() {
        None
    } else if exists {
        Some(format!("~ [thread]: added {}", added.join(", ")))
    } else {
        Some(format!(
            "+ [thread]: forum = \"{}\"",
            source.forum.as_deref().unwrap_or_default()
        ))
    }
}

/// Numbers every table in the order it should appear: `[thread]` first, then the rest in
/// the document's order, each table followed by its sub-tables. If `[thread]` is new, it
/// takes the file header (the first table's comments up to its last blank line).
fn order_tables(doc: &mut DocumentMut) {
    let thread_is_new = doc
        .get("thread")
        .and_then(Item::as_table)
        .is_some_and(|t| t.position().is_none());
    let first_prefix = doc
        .get("comment")
        .and_then(Item::as_array_of_tables)
        .and_then(|a| a.get(0))
        .map(|t| {
            t.decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or_default()
                .to_string()
        });
    if thread_is_new && let Some(prefix) = first_prefix {
        let (header, rest) = match prefix.rfind("\n\n") {
            Some(split) => prefix.split_at(split + 1),
            None => ("", prefix.as_str()),
        };
        if let Some(thread) = doc.get_mut("thread").and_then(Item::as_table_mut) {
            thread.decor_mut().set_prefix(header.to_string());
        }
        if let Some(first) = doc
            .get_mut("comment")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| a.get_mut(0))
        {
            first
                .decor_mut()
                .set_prefix(format!("\n{}", rest.trim_start_matches('\n')));
        }
    }
    let mut next = 1isize;
    let root = doc.as_table_mut();
    let mut keys: Vec<String> = root.iter().map(|(k, _)| k.to_string()).collect();
    keys.sort_by_key(|k| k != "thread");
    for key in keys {
        if let Some(item) = root.get_mut(&key) {
            number(item, &mut next);
        }
    }
}

fn number(item: &mut Item, next: &mut isize) {
    match item {
        Item::Table(t) => number_table(t, next),
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                number_table(t, next);
            }
        }
        _ => {}
    }
}

fn number_table(table: &mut Table, next: &mut isize) {
    if !table.is_dotted() {
        table.set_position(Some(*next));
        *next += 1;
    }
    for (_, item) in table.iter_mut() {
        number(item, next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_bodies_round_trip() {
        for text in [
            "plain",
            "a \"quoted\" word",
            "three \"\"\" quotes and \"\"\"\" four",
            "ends with a quote\"",
            "back\\slash, tab\tand\r\nCRLF, bell \u{7}",
        ] {
            let toml = format!("body = {}\n", multiline(text));
            let doc: DocumentMut = toml.parse().unwrap_or_else(|e| panic!("{toml}: {e}"));
            assert_eq!(
                doc["body"].as_str(),
                Some(format!("{text}\n").as_str()),
                "{toml}"
            );
        }
    }
}
