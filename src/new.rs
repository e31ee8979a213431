//! `quire new`: a fresh project for an author to start from.
//!
//! The scaffold is a small, complete essay: a Markdown table that matches a generic grid of
//! the requested size, a three-comment thread with one annotation, two real references, a
//! GitHub Pages workflow and the JSON Schemas that editors use to complete and check the
//! TOML files. It builds untouched. This module only writes files; it never overwrites one
//! unless asked, and it never deletes anything.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::schema;

/// The largest grid `quire new` scaffolds in either direction. A bigger table is unreadable
/// on a phone; an author who needs one can still add rows by hand.
pub const MAX_AXIS: usize = 12;

/// Where the scaffold keeps the JSON Schemas, relative to the project root.
pub const SCHEMA_DIR: &str = ".quire/schemas";

/// What `quire new` was asked to do.
#[derive(Debug, Clone)]
pub struct NewOptions {
    pub dir: PathBuf,
    /// The essay's title; defaults to one made from the folder name.
    pub title: Option<String>,
    pub rows: usize,
    pub columns: usize,
    /// Row labels (`--rows "Alone,Together"`); when given, they set the number of rows and
    /// the row ids are made from them.
    pub row_labels: Vec<String>,
    /// Column labels, as `row_labels`.
    pub column_labels: Vec<String>,
    /// Write into a folder that already has files (files of the same name are replaced).
    pub force: bool,
}

impl Default for NewOptions {
    fn default() -> Self {
        NewOptions {
            dir: PathBuf::from("my-essay"),
            title: None,
            rows: 2,
            columns: 2,
            row_labels: Vec::new(),
            column_labels: Vec::new(),
            force: false,
        }
    }
}

/// One file of the scaffold: a path relative to the project root, and its text.
#[derive(Debug, Clone)]
pub struct ScaffoldFile {
    pub path: PathBuf,
    pub text: String,
}

/// Checks the options, then writes the scaffold. Returns the files written, relative to
/// `options.dir`.
pub fn create(options: &NewOptions) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    let grid = GenericGrid::new(options)?;
    check_size("rows", grid.rows)?;
    check_size("columns", grid.columns)?;
    let dir = &options.dir;
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::error(format!(
            "cannot create a project at {}: it is a file, not a folder",
            dir.display()
        ))
        .help("name a new folder, e.g. `quire new my-essay`")
        .into());
    }
    if dir.is_dir() && !options.force && !is_empty_dir(dir)? {
        return Err(Diagnostic::error(format!(
            "{} already exists and is not empty",
            dir.display()
        ))
        .help(
            "name a new folder, or add --force to write the scaffold into this one \
             (files with the scaffold's names are replaced; other files are left alone)",
        )
        .into());
    }
    let files = files(options)?;
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
        }
        std::fs::write(&path, &file.text).map_err(|e| io_error(&path, &e))?;
        written.push(file.path);
    }
    Ok(written)
}

fn check_size(what: &str, n: usize) -> Result<(), Box<Diagnostic>> {
    if (1..=MAX_AXIS).contains(&n) {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "a grid needs 1 to {MAX_AXIS} {what}; got {n}"
    ))
    .help(format!(
        "e.g. `--rows 3 --columns 3`; past {MAX_AXIS}, add [[row]] or [[column]] tables to content/grid.toml by hand"
    ))
    .into())
}

fn is_empty_dir(dir: &Path) -> Result<bool, Box<Diagnostic>> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    Ok(entries.next().is_none())
}

fn io_error(path: &Path, e: &std::io::Error) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(format!(
        "cannot write {}: {e}",
        path.display()
    )))
}

/// Every file of the scaffold, without touching the disk.
pub fn files(options: &NewOptions) -> Result<Vec<ScaffoldFile>, Box<Diagnostic>> {
    let grid = GenericGrid::new(options)?;
    check_size("rows", grid.rows)?;
    check_size("columns", grid.columns)?;
    let title = match &options.title {
        Some(t) if t.trim().is_empty() => {
            return Err(Diagnostic::error("the title is empty")
                .help("give the essay a title, e.g. --title \"On grids\"")
                .into());
        }
        Some(t) => t.trim().to_string(),
        None => title_from_dir(&options.dir),
    };
    let today = today();
    let mut files = vec![
        file("quire.toml", quire_toml()),
        file("content/essay.md", essay_md(&title, &today, &grid)),
        file("content/grid.toml", grid_toml(&grid)),
        file("content/comments.toml", comments_toml(&today, &grid)),
        file("content/references.toml", references_toml()),
        file(".github/workflows/pages.yml", pages_workflow()),
        file(
            ".gitignore",
            "# The built site: quire build writes it, the Pages workflow publishes it.\n/site/\n# What a build that was killed half-way leaves beside it (the next build removes it).\n/.site.quire-*\n"
                .into(),
        ),
        file("README.md", readme(&title)),
    ];
    for s in schema::all() {
        files.push(file(&format!("{SCHEMA_DIR}/{}", s.name), s.json));
    }
    Ok(files)
}

fn file(path: &str, text: String) -> ScaffoldFile {
    ScaffoldFile {
        path: PathBuf::from(path),
        text,
    }
}

/// "my-essay" -> "My essay".
fn title_from_dir(dir: &Path) -> String {
    // `quire new .` names the current folder.
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let words: Vec<&str> = name
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "My essay".into(),
    }
}

/// A TOML string literal for `s`, escaped as TOML needs.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `#:schema` tells Taplo-based editors which schema a TOML file follows. The path is
/// relative to the file.
fn schema_line(name: &str, depth: usize) -> String {
    format!("#:schema {}{SCHEMA_DIR}/{name}\n", "../".repeat(depth))
}

struct GenericGrid {
    rows: usize,
    columns: usize,
    /// Per row: id and label ("row1", "Row 1" unless labels were given).
    row_axis: Vec<(String, String)>,
    column_axis: Vec<(String, String)>,
}

impl GenericGrid {
    fn new(options: &NewOptions) -> Result<GenericGrid, Box<Diagnostic>> {
        let row_axis = axis(&options.row_labels, options.rows, "row", "Row", "--rows")?;
        let column_axis = axis(
            &options.column_labels,
            options.columns,
            "col",
            "Column",
            "--columns",
        )?;
        Ok(GenericGrid {
            rows: row_axis.len(),
            columns: column_axis.len(),
            row_axis,
            column_axis,
        })
    }
    fn row_id(&self, r: usize) -> &str {
        &self.row_axis[r - 1].0
    }
    fn row_label(&self, r: usize) -> &str {
        &self.row_axis[r - 1].1
    }
    fn column_id(&self, c: usize) -> &str {
        &self.column_axis[c - 1].0
    }
    fn column_label(&self, c: usize) -> &str {
        &self.column_axis[c - 1].1
    }
    fn cell_id(&self, r: usize, c: usize) -> String {
        format!("{}-{}", self.row_id(r), self.column_id(c))
    }
    fn first_cell(&self) -> String {
        self.cell_id(1, 1)
    }
    fn last_cell(&self) -> String {
        self.cell_id(self.rows, self.columns)
    }
    fn is_single(&self) -> bool {
        self.rows == 1 && self.columns == 1
    }
}

/// Ids and labels of one axis: from the labels given (ids made from them: lowercase
/// letters and digits, `_` between words), else `n` generic ones.
fn axis(
    labels: &[String],
    n: usize,
    id_prefix: &str,
    label_prefix: &str,
    flag: &str,
) -> Result<Vec<(String, String)>, Box<Diagnostic>> {
    if labels.is_empty() {
        return Ok((1..=n)
            .map(|k| (format!("{id_prefix}{k}"), format!("{label_prefix} {k}")))
            .collect());
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, label) in labels.iter().enumerate() {
        let label = label.trim();
        if label.is_empty() {
            return Err(Diagnostic::error(format!("{flag} has an empty label"))
                .help(format!(
                    "separate labels with commas and give each one words, e.g. {flag} \"Alone,Together\""
                ))
                .into());
        }
        if out.iter().any(|(_, l)| l == label) {
            return Err(Diagnostic::error(format!("{flag} names `{label}` twice"))
                .help("every row and every column needs its own label")
                .into());
        }
        let mut id = String::new();
        for c in label.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                id.push(c);
            } else if !id.is_empty() && !id.ends_with('_') {
                id.push('_');
            }
        }
        let mut id = id.trim_end_matches('_').to_string();
        if id.is_empty() {
            id = format!("{id_prefix}{}", k + 1);
        }
        let base = id.clone();
        let mut n = 2;
        while out.iter().any(|(i, _)| *i == id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        out.push((id, label.to_string()));
    }
    Ok(out)
}

/// A label as a GFM table cell: a `|` would end the cell.
fn table_text(label: &str) -> String {
    label.replace('|', "\\|")
}

fn quire_toml() -> String {
    let mut s = schema_line("quire.schema.json", 0);
    s.push_str(
        r#"# Site settings. Every field is optional; the values below are the defaults.
# The format of every file is described in docs/content-format.md in quire's repository.

# The language of the pages (the `lang` attribute).
language = "en"
# Where `quire build` writes the site.
output_dir = "site"

# The address the site is published at, for canonical links and link previews.
# The Pages workflow passes it on the command line, so it can stay commented out.
# base_url = "https://USER.github.io/REPOSITORY/"
"#,
    );
    s
}

fn essay_md(title: &str, today: &str, grid: &GenericGrid) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "+++");
    let _ = writeln!(s, "title = {}", toml_string(title));
    let _ = writeln!(s, "author = \"Your Name\"");
    let _ = writeln!(s, "date = {today}");
    let _ = writeln!(
        s,
        "description = \"One sentence on what the essay argues, for search engines and link previews.\""
    );
    let _ = writeln!(s, "+++");
    s.push_str(
        "This is the opening paragraph of your essay; replace it with your own. The whole \
         file is Markdown, so it reads well anywhere, and quire turns it into a website: \
         the table below becomes a clickable grid, footnotes open in place, and the \
         discussion in `content/comments.toml` is tied to the passages it is about.\n\n",
    );
    s.push_str("## The grid\n\n");
    s.push_str(
        "One table is at the heart of the essay. It stays an ordinary Markdown table, but \
         because its header row and its first column match the columns and rows of \
         `content/grid.toml`, quire draws it as a grid. Each cell opens a panel with the \
         cell's summary, its reading list and the comments about it.\n\n",
    );
    // The table: a corner, then the column labels; one line per row.
    s.push('|');
    s.push_str(" |");
    for c in 1..=grid.columns {
        let _ = write!(s, " {} |", table_text(grid.column_label(c)));
    }
    s.push('\n');
    s.push('|');
    for _ in 0..=grid.columns {
        s.push_str("---|");
    }
    s.push('\n');
    for r in 1..=grid.rows {
        let _ = write!(s, "| {} |", table_text(grid.row_label(r)));
        for c in 1..=grid.columns {
            let _ = write!(s, " Cell {r}.{c} |");
        }
        s.push('\n');
    }
    s.push('\n');
    if grid.is_single() {
        let _ = writeln!(
            s,
            "Prose points into the grid with a link whose target is `cell:` and a cell id, like \
             this link to [the only cell](cell:{}).\n",
            grid.first_cell()
        );
    } else {
        let _ = writeln!(
            s,
            "Prose points into the grid with a link whose target is `cell:` and a cell id: \
             here is [the top-left cell](cell:{}), and here is [the bottom-right one](cell:{}).\n",
            grid.first_cell(),
            grid.last_cell()
        );
    }
    s.push_str("## Notes and references\n\n");
    s.push_str(
        "A footnote is written as on GitHub.[^example] A citation names a work of \
         `content/references.toml` by its key: Noam Chomsky's review [@chomsky1959review] \
         of B. F. Skinner's *Verbal Behavior* [@skinner1957verbal], for example. Every \
         work cited gets an entry on the bibliography page.\n\n",
    );
    s.push_str(
        "[^example]: This is the footnote. A note can cite works too [@skinner1957verbal].\n",
    );
    s
}

/// The phrase of the essay that the scaffold's annotation quotes; it occurs exactly once.
pub const ANNOTATED_QUOTE: &str = "replace it with your own";

fn grid_toml(grid: &GenericGrid) -> String {
    let mut s = schema_line("grid.schema.json", 1);
    s.push_str(
        r#"# The grid that replaces the essay's table. The table's header must read the column
# labels and its first column the row labels, in this order. Ids are letters, digits and
# underscores: a cell's id is its row id, a hyphen, and its column id.

caption = "What the grid sorts, in a few words"

[axes]
rows = "What the rows vary along"
columns = "What the columns vary along"
"#,
    );
    for r in 1..=grid.rows {
        let _ = write!(
            s,
            "\n[[row]]\nid = \"{}\"\nlabel = {}\nmeaning = \"What this row stands for.\"\n",
            grid.row_id(r),
            toml_string(grid.row_label(r))
        );
    }
    for c in 1..=grid.columns {
        let _ = write!(
            s,
            "\n[[column]]\nid = \"{}\"\nlabel = {}\nmeaning = \"What this column stands for.\"\n",
            grid.column_id(c),
            toml_string(grid.column_label(c))
        );
    }
    for r in 1..=grid.rows {
        for c in 1..=grid.columns {
            let id = grid.cell_id(r, c);
            let _ = write!(
                s,
                "\n[[cell]]\nid = \"{id}\"\nsummary = \"One paragraph of Markdown on what belongs in row {r}, column {c}.\"\n"
            );
            let mut readings = Vec::new();
            if id == grid.first_cell() {
                readings.push("\"skinner1957verbal\"");
            }
            if id == grid.last_cell() {
                readings.push("\"chomsky1959review\"");
            }
            if !readings.is_empty() {
                let _ = writeln!(s, "readings = [{}]", readings.join(", "));
            }
        }
    }
    s
}

fn comments_toml(today: &str, grid: &GenericGrid) -> String {
    let mut s = schema_line("comments.schema.json", 1);
    let _ = write!(
        s,
        r#"# The discussion of the essay, one [[comment]] per comment, in the order shown.
# A reply names its parent. Bodies are Markdown; raw HTML in them is removed.

# Where the discussion took place, if it has a home: uncomment to name the forum, link to
# it, and show the scores it gives comments (keys karma, af_karma, agreement, in the order
# the forum shows them, each with the forum's label; a comment then carries e.g. karma = 4).
# [thread]
# forum = "The forum's name"
# url = "https://forum.example/the-discussion"
# [thread.scores]
# karma = "points"

[[comment]]
id = "c1"
author = "A reader"
date = {today}
body = """
Could the opening say what the essay argues? A reader decides in the first paragraph
whether to read on.
"""

# An annotation ties the comment to the passage it is about. The quote must match the
# essay exactly once; the cell is optional.
[[comment.annotation]]
quote = "{ANNOTATED_QUOTE}"
cell = "{cell}"
note = "An editor's note on the exchange, shown beside the comment."

[[comment]]
id = "c2"
parent = "c1"
author = "Your Name"
date = {today}
body = """
Good point; the next draft will open with the claim. (A comment whose author matches the
essay's author is marked as the post author's.)
"""

[[comment]]
id = "c3"
author = "Another reader"
date = {today}
body = "A top-level comment: it has no `parent`."
"#,
        cell = grid.first_cell(),
    );
    s
}

fn references_toml() -> String {
    let mut s = schema_line("references.schema.json", 1);
    // Two real works, as checked for quire's own bibliography; replace them with yours.
    s.push_str(
        r#"# The bibliography, one [[ref]] per work. The essay cites a work with [@key] (or
# [see @key, p. 3], [@key; @other], or @key in a sentence); a cell of the grid lists its
# readings by key, in `readings` in grid.toml.

[[ref]]
key = "skinner1957verbal"
authors = ["B. F. Skinner"]
title = "Verbal Behavior"
year = 1957
venue = "Book (New York: Appleton-Century-Crofts)"
url = "https://en.wikipedia.org/wiki/Verbal_Behavior"
note = "Skinner's behaviorist account of language."

[[ref]]
key = "chomsky1959review"
authors = ["Noam Chomsky"]
title = "A Review of B. F. Skinner's Verbal Behavior"
year = 1959
venue = "Language 35(1): 26–58"
url = "https://doi.org/10.2307/411334"
note = "Chomsky's critique of Skinner's book."
"#,
    );
    s
}

/// Where the Pages workflow installs quire from: the repository named in Cargo.toml, or a
/// placeholder that the workflow refuses to use.
pub const QUIRE_GIT_PLACEHOLDER: &str = "https://github.com/OWNER/quire";

fn quire_git() -> &'static str {
    match option_env!("CARGO_PKG_REPOSITORY") {
        Some(url) if !url.is_empty() => url,
        _ => QUIRE_GIT_PLACEHOLDER,
    }
}

fn pages_workflow() -> String {
    format!(
        r#"# Builds the essay with quire, checks it, and publishes it on GitHub Pages at every push
# to main.
# Once per repository: Settings > Pages > Build and deployment > Source: "GitHub Actions".
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

env:
  # The Git repository quire is installed from (`cargo install --git`).
  QUIRE_GIT: {git}

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install quire
        run: |
{guard}          rustup update stable --no-self-update
          cargo install --locked --git "$QUIRE_GIT" quire
      - id: pages
        uses: actions/configure-pages@v5
      - name: Build the site
        # base_url in quire.toml wins when set; otherwise the address GitHub gives the site.
        run: |
          if grep -qE '^\s*base_url\s*=' quire.toml 2>/dev/null; then
            quire build --out site
          else
            quire build --out site --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
          fi
      - name: Check links and anchors
        run: quire check --site site
      - uses: actions/upload-pages-artifact@v5
        with:
          path: site
          # .nojekyll is a dotfile, which the action leaves out unless asked.
          include-hidden-files: true

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#,
        git = quire_git(),
        guard = if quire_git() == QUIRE_GIT_PLACEHOLDER {
            // This build of quire doesn't know its own repository: stop with a clear message
            // rather than fail inside cargo.
            format!(
                "          if [ \"$QUIRE_GIT\" = \"{QUIRE_GIT_PLACEHOLDER}\" ]; then\n            echo \"::error file=.github/workflows/pages.yml::set QUIRE_GIT to the Git URL of quire's repository\"\n            exit 1\n          fi\n"
            )
        } else {
            String::new()
        },
    )
}

fn readme(title: &str) -> String {
    format!(
        r#"# {title}

An essay published with quire.

| file | what it holds |
| --- | --- |
| `content/essay.md` | the essay: TOML front matter between `+++` lines, then Markdown |
| `content/grid.toml` | the rows, columns and cells of the grid that replaces the essay's table |
| `content/comments.toml` | the comment thread, with annotations tied to passages of the essay |
| `content/references.toml` | the bibliography |
| `quire.toml` | site settings (all optional) |
| `.github/workflows/pages.yml` | publishes the site on GitHub Pages at every push to `main` |
| `.quire/schemas/` | JSON Schemas that let editors complete and check the TOML files |

Build the site into `site/` and open `site/index.html` in a browser:

    quire build

Every field and every error message is described in `docs/content-format.md` in quire's
repository.
"#
    )
}

/// Today's date (UTC) as a TOML date, `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_954), (2024, 8, 19));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn titles_from_folder_names() {
        assert_eq!(title_from_dir(Path::new("my-essay")), "My essay");
        assert_eq!(title_from_dir(Path::new("/tmp/on_grids")), "On grids");
        assert_eq!(title_from_dir(Path::new("/")), "My essay");
        assert_eq!(title_from_dir(Path::new("/tmp/on-grids/.")), "On grids");
    }

    #[test]
    fn the_annotated_quote_occurs_once() {
        for (rows, columns) in [(1, 1), (2, 3), (12, 12)] {
            let opts = NewOptions {
                rows,
                columns,
                ..NewOptions::default()
            };
            let essay = essay_md("T", "2024-01-01", &GenericGrid::new(&opts).unwrap());
            assert_eq!(essay.matches(ANNOTATED_QUOTE).count(), 1);
            assert!(files(&opts).is_ok());
        }
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        for (rows, columns) in [(0, 2), (2, 0), (13, 2), (2, 13)] {
            let opts = NewOptions {
                rows,
                columns,
                ..NewOptions::default()
            };
            let err = files(&opts).unwrap_err();
            assert!(err.message.contains("1 to 12"), "{}", err.message);
        }
    }
}
