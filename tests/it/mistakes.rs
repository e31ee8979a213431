//! Every mistake an author makes is caught, all at once, with the fix it needs (issue 16).
//!
//! Each case is the second essay (`tests/fixtures/valid/grid-2x4`, a 2×4 garden grid with
//! nothing in common with the default essay) plus the files the test changes, built by the
//! real binary over a previous site. A failing case asserts the whole error output, the
//! exit status, and that the previous site is untouched; a case that should build asserts
//! what it printed and what it rendered.

use std::path::PathBuf;

use crate::support::{build, output_text, quire, repo};

/// A copy of the base project in a temporary folder, with a previous site in `site/`.
struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("essay");
        let base = repo().join("tests/fixtures/valid/grid-2x4");
        for entry in walkdir::WalkDir::new(&base) {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&base).unwrap();
            let to = root.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let out = tmp.path().join("site");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("index.html"), "previous site").unwrap();
        std::fs::write(out.join(quire::output::MARKER), "").unwrap();
        Project {
            _tmp: tmp,
            root,
            out,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Replaces `from` (which must occur) by `to` in a file of the project.
    fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1))
    }

    fn build(&self) -> std::process::Output {
        build(&self.root, &self.out)
    }

    /// Builds, expecting failure with exactly `expected` on stderr and the old site intact.
    fn fails_with(&self, expected: &str) {
        let o = self.build();
        assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            expected,
            "whole error output"
        );
        assert!(o.stdout.is_empty(), "{}", output_text(&o));
        self.site_untouched();
    }

    /// Builds, expecting success with exactly `expected` on stderr (`-q` hides the summary).
    fn builds_with(&self, expected: &str) -> String {
        let o = quire(&[
            "build",
            "-q",
            "--root",
            self.root.to_str().unwrap(),
            "--out",
            self.out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", output_text(&o));
        assert_eq!(String::from_utf8_lossy(&o.stderr), expected, "whole output");
        std::fs::read_to_string(self.out.join("index.html")).unwrap()
    }

    fn site_untouched(&self) {
        let names: Vec<String> = std::fs::read_dir(&self.out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(
            names,
            vec![quire::output::MARKER.to_string(), "index.html".to_string()],
            "site/ unchanged"
        );
        assert_eq!(
            std::fs::read_to_string(self.out.join("index.html")).unwrap(),
            "previous site"
        );
        let staging: Vec<_> = std::fs::read_dir(self.out.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("quire-new"))
            .collect();
        assert!(staging.is_empty(), "no staging folder left behind");
    }
}

const FAILED_1: &str = "error: build failed with 1 error; the previous site was left as it was\n";

fn failed(n: usize) -> String {
    format!("error: build failed with {n} errors; the previous site was left as it was\n")
}

/// The paragraph with id `id` in a built page, without its permalink.
fn paragraph<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<p id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no paragraph {id}"));
    let end = start + html[start..].find(" <a class=\"permalink\"").unwrap();
    &html[start..end]
}

// ---- What was seen, one case each ----

#[test]
fn a_row_with_a_cell_too_few_is_an_error_at_that_row() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "| Long-lived plants | Pruning | Watering | Planting bulbs | Hedges |",
        "| Long-lived plants | Pruning | Watering | Planting bulbs |",
    );
    p.fails_with(&format!(
        "\
error: table row `Long-lived plants` has 4 cells, expected 5
  --> content/essay.md:13:1
   |
13 | | Long-lived plants | Pruning | Watering | Planting bulbs |
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ too few cells: GFM would leave the last ones empty
   |
help: a row holds its label and one cell per column: | Long-lived plants | <Spring> | <Summer> | <Autumn> | <Winter> |

{FAILED_1}"
    ));
}

#[test]
fn a_row_with_an_extra_cell_is_an_error_at_that_row() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "| Short-lived plants | Seedlings | Bedding | Seed saving | Cold frames |",
        "| Short-lived plants | Seedlings | Bedding | Seed saving | Cold frames | Tea |",
    );
    p.fails_with(&format!(
        "\
error: table row `Short-lived plants` has 6 cells, expected 5
  --> content/essay.md:12:1
   |
12 | | Short-lived plants | Seedlings | Bedding | Seed saving | Cold frames | Tea |
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ too many cells: GFM would drop the last ones
   |
help: a row holds its label and one cell per column: | Short-lived plants | <Spring> | <Summer> | <Autumn> | <Winter> |

{FAILED_1}"
    ));
}

#[test]
fn an_unknown_key_in_a_grid_summary_is_an_error_in_grid_toml() {
    let p = Project::new();
    p.edit(
        "content/grid.toml",
        "summary = \"Bedding plants for colour.\"",
        "summary = \"Bedding plants for colour [@gardner2001].\"",
    );
    p.fails_with(&format!(
        "\
error: unknown reference key `gardner2001`
  --> content/grid.toml:49:39
   |
49 | summary = \"Bedding plants for colour [@gardner2001].\"
   |                                       ^^^^^^^^^^^^ not in content/references.toml
   |
help: did you mean `gardener2001`?

{FAILED_1}"
    ));
}

#[test]
fn an_unknown_cell_in_an_annotation_note_is_an_error_in_comments_toml() {
    let p = Project::new();
    p.edit(
        "content/comments.toml",
        "cell = \"perennial-summer\"",
        "cell = \"perennial-summer\"\nnote = \"Compare [the hedges](cell:perennial-wintr).\"",
    );
    p.fails_with(&format!(
        "\
error: unknown cell `perennial-wintr` in a `cell:` link
 --> content/comments.toml:9:30
  |
9 | note = \"Compare [the hedges](cell:perennial-wintr).\"
  |                              ^^^^^^^^^^^^^^^^^^^^ no such cell
  |
help: did you mean `perennial-winter`? known cells: annual-spring, annual-summer, annual-autumn, annual-winter, perennial-spring, perennial-summer, perennial-autumn, perennial-winter

{FAILED_1}"
    ));
}

#[test]
fn an_unknown_key_in_the_editor_note_is_an_error_in_the_front_matter() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "date = 2023-05-06",
        "date = 2023-05-06\neditor_note = \"Checked against [@nobody2000] by the editor.\"",
    );
    p.fails_with(&format!(
        "\
error: unknown reference key `nobody2000`
 --> content/essay.md:5:33
  |
5 | editor_note = \"Checked against [@nobody2000] by the editor.\"
  |                                 ^^^^^^^^^^^ not in content/references.toml
  |
help: add a [[ref]] with this key to content/references.toml

{FAILED_1}"
    ));
}

#[test]
fn cells_in_references_toml_that_disagree_with_grid_toml_are_errors() {
    // grid.toml's `readings` are the reading lists; a `cells` list in references.toml
    // is optional and, where given, must say the same.
    let p = Project::new();
    p.edit(
        "content/references.toml",
        "note = \"Laying a hedge, step by step.\"",
        "note = \"Laying a hedge, step by step.\"\ncells = [\"perennial-winter\", \"annual-winter\"]",
    );
    p.fails_with(&format!(
        "\
error: reference `hedger2020` lists cell `annual-winter`, but that cell's readings in grid.toml don't include it
  --> content/references.toml:44:30
   |
44 | cells = [\"perennial-winter\", \"annual-winter\"]
   |                              ^^^^^^^^^^^^^^^ not in grid.toml's reading list
   |
help: reading lists come from grid.toml: add \"hedger2020\" to `readings` of the [[cell]] `annual-winter` there, or remove `annual-winter` from this `cells` (the field is optional)

error: cell `perennial-summer` reads `hedger2020`, but that reference's `cells` leaves `perennial-summer` out
  --> content/grid.toml:70:69
   |
70 | readings = [\"gardener2001\", \"sower1999\", \"team2010\", \"quartet2015\", \"hedger2020\"]
   |                                                                     ^^^^^^^^^^^^ listed here
   |
help: add \"perennial-summer\" to `cells` of `hedger2020` in references.toml, or remove the `cells` list there (grid.toml alone decides reading lists)

error: cell `perennial-autumn` reads `hedger2020`, but that reference's `cells` leaves `perennial-autumn` out
  --> content/grid.toml:75:38
   |
75 | readings = [\"sower1999\", \"team2010\", \"hedger2020\"]
   |                                      ^^^^^^^^^^^^ listed here
   |
help: add \"perennial-autumn\" to `cells` of `hedger2020` in references.toml, or remove the `cells` list there (grid.toml alone decides reading lists)

{}",
        failed(3)
    ));
}

#[test]
fn five_unrelated_mistakes_give_five_errors_in_one_build() {
    // Among them a table that doesn't match grid.toml: the `cell:` link is judged anyway.
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "| | Spring | Summer |",
        "| | Spring | Sumer |",
    )
    .edit(
        "content/essay.md",
        "[Seedlings in spring](cell:annual-spring)",
        "[Seedlings in spring](cell:annual-sprin)",
    )
    .edit(
        "content/essay.md",
        "where it ends up.",
        "where it ends up.[^nope]",
    )
    .edit(
        "content/grid.toml",
        "readings = [\"hedger2020\", \"gardener2001\", \"quartet2015\"]",
        "readings = [\"hedgr2020\", \"gardener2001\", \"quartet2015\"]",
    )
    .edit(
        "content/comments.toml",
        "author = \"a reader\"",
        "author = \"a reader\"\nparent = \"c0\"",
    );
    p.fails_with(&format!(
        "\
error: footnote `[^nope]` is never defined
 --> content/essay.md:6:222
  |
6 | ...n winter](cell:perennial-winter) are where it ends up.[^nope]
  |                                                          ^^^^^^^ no definition
  |
help: add a definition: `[^nope]: The note's text.`

error: unknown reference key `hedgr2020`
  --> content/grid.toml:80:13
   |
80 | readings = [\"hedgr2020\", \"gardener2001\", \"quartet2015\"]
   |             ^^^^^^^^^^^ not in content/references.toml
   |
help: did you mean `hedger2020`?

error: the essay's table doesn't match grid.toml: column label `Sumer` differs from `Summer`
  --> content/essay.md:10:13
   |
10 | | | Spring | Sumer | Autumn | Winter |
   |             ^^^^^^^ grid.toml's column `summer` has label \"Summer\"
   |
help: make the table read \"Summer\" or change the label in content/grid.toml

error: unknown cell `annual-sprin` in a `cell:` link
 --> content/essay.md:6:91
  |
6 | ...nothing to do with the default essay. [Seedlings in spring](cell:annual-sprin) are where a garden starts; [hedges in winter](cell:...
  |                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no such cell
  |
help: did you mean `annual-spring`? known cells: annual-spring, annual-summer, annual-autumn, annual-winter, perennial-spring, perennial-summer, perennial-autumn, perennial-winter

error: comment `c1` replies to `c0`, which doesn't exist
 --> content/comments.toml:4:10
  |
4 | parent = \"c0\"
  |          ^^^^ unknown parent
  |
help: a parent is the id of another [[comment]]; leave it out for a top-level comment

{}",
        failed(5)
    ));
}

#[test]
fn a_renamed_row_is_one_error_not_one_per_cell() {
    let p = Project::new();
    p.edit("content/grid.toml", "id = \"annual\"", "id = \"yearly\"");
    p.fails_with(&format!(
        "\
error: 4 [[cell]] ids use `annual-`, but grid.toml has no row `annual`
  --> content/grid.toml:43:6
   |
43 | id = \"annual-spring\"
   |      ^^^^^^^^^^^^^^^ no [[row]] has id `annual`
   |
help: if the row `annual` was renamed `yearly`, rename it in these cell ids too: annual-spring, annual-summer, annual-autumn, annual-winter

error: unknown cell `annual-spring` in a `cell:` link
 --> content/essay.md:6:91
  |
6 | ...nothing to do with the default essay. [Seedlings in spring](cell:annual-spring) are where a garden starts; [hedges in winter](cell...
  |                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no such cell
  |
help: did you mean `yearly-spring`? known cells: yearly-spring, yearly-summer, yearly-autumn, yearly-winter, perennial-spring, perennial-summer, perennial-autumn, perennial-winter

error: unknown cell `annual-spring` in a `cell:` link
  --> content/grid.toml:69:61
   |
69 | summary = \"Watering deeply and rarely. See also [seedlings](cell:annual-spring).\"
   |                                                             ^^^^^^^^^^^^^^^^^^ no such cell
   |
help: did you mean `yearly-spring`? known cells: yearly-spring, yearly-summer, yearly-autumn, yearly-winter, perennial-spring, perennial-summer, perennial-autumn, perennial-winter

{}",
        failed(3)
    ));
}

#[test]
fn pandoc_citations_render_with_prefixes_locators_and_links() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "## The grid",
        "As @gardener2001 argues [see @sower1999, ch. 2; @team2010, p. 97], hedges wait [-@hedger2020]; compare [@quartet2015, pp. 3-5].\n\n## The grid",
    );
    let html = p.builds_with("");
    assert_eq!(
        paragraph(&html, "p2"),
        "<p id=\"p2\">As <cite class=\"citation\"><a href=\"references.html#ref-gardener2001\" data-ref=\"gardener2001\" title=\"Ann Gardener (2001). Soil and Season. Fictional Press.\">Gardener (2001)</a></cite> argues <cite class=\"citation\">(see <a href=\"references.html#ref-sower1999\" data-ref=\"sower1999\" title=\"Bo Sower and Cy Reaper (1999). From Seed to Seed.\">Sower &amp; Reaper 1999</a>, ch. 2; <a href=\"references.html#ref-team2010\" data-ref=\"team2010\" title=\"Di One, Ed Two and Flo Three (2010). Three Hands in the Garden. Journal of Made-up Horticulture.\">One et al. 2010</a>, p. 97)</cite>, hedges wait <cite class=\"citation\">(<a href=\"references.html#ref-hedger2020\" data-ref=\"hedger2020\" title=\"Kim Hedger (2020). Hedges.\">2020</a>)</cite>; compare <cite class=\"citation\">(<a href=\"references.html#ref-quartet2015\" data-ref=\"quartet2015\" title=\"Gus Four et al. (2015). Four Seasons, Four Authors. Proceedings of Imaginary Gardening.\">Four et al. 2015</a>, pp. 3-5)</cite>."
    );
    // Every work cited is on the bibliography page, linked back to the paragraph.
    let refs = std::fs::read_to_string(p.out.join("references.html")).unwrap();
    for key in [
        "gardener2001",
        "sower1999",
        "team2010",
        "hedger2020",
        "quartet2015",
    ] {
        assert!(refs.contains(&format!("id=\"ref-{key}\"")), "{key}");
    }
    assert!(refs.contains("index.html#p2"), "cited from p2");
}

#[test]
fn an_at_sign_that_is_no_known_key_stays_text() {
    // E-mail addresses, code, an escaped `\@` and unknown `@words` are text; a near miss of
    // a key is a warning.
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "## The grid",
        "Write to me@example.org, or see `@gardener2001` and \\@gardener2001; @weekend and @gardner2001 stay text.\n\n## The grid",
    );
    let html = p.builds_with(
        "\
warning: `@gardner2001` is not a reference key, so it is printed as text
 --> content/essay.md:8:82
  |
8 | Write to me@example.org, or see `@gardener2001` and \\@gardener2001; @weekend and @gardner2001 stay text.
  |                                                                                  ^^^^^^^^^^^^ not in content/references.toml
  |
help: did you mean `@gardener2001`? (write `\\@gardner2001` to keep an @ that is no citation)

",
    );
    assert_eq!(
        paragraph(&html, "p2"),
        "<p id=\"p2\">Write to me@example.org, or see <code>@gardener2001</code> and @gardener2001; @weekend and @gardner2001 stay text."
    );
}

#[test]
fn a_target_with_a_space_and_an_unused_markdown_file_are_warnings() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "where it ends up.",
        "where it ends up. [Pruning](cell:Long-lived plants) too.",
    )
    .write("content/draft.md", "# An old draft\n");
    p.builds_with(
        "\
warning: `cell:Long-lived plants` has a space, so it is no link: Markdown prints it as text
 --> content/essay.md:6:234
  |
6 | ...r) are where it ends up. [Pruning](cell:Long-lived plants) too.
  |                                       ^^^^^^^^^^^^^^^^^^^^^^ a link target ends at the first space
  |
help: name the cell by its id (`<row-id>-<column-id>`, no spaces), as in grid.toml

warning: content/draft.md is not used
 --> content/draft.md
  = note: quire reads one Markdown file, content/essay.md
help: move the text into content/essay.md, or keep drafts and notes outside content/

",
    );
}

#[test]
fn a_quote_that_matches_nothing_names_the_closest_passage_and_its_line() {
    let p = Project::new();
    p.edit(
        "content/comments.toml",
        "quote = \"Watering in summer is the chore everyone knows\"",
        "quote = \"Watering in summer is the chore that everyone knows\"",
    );
    p.fails_with(&format!(
        "\
error: comment `c1`: quote not found in the essay: \"Watering in summer is the chore that everyone knows\"
 --> content/comments.toml:7:9
  |
7 | quote = \"Watering in summer is the chore that everyone knows\"
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ matches no passage of content/essay.md
  |
help: the closest passage is content/essay.md line 15: \"Watering in summer is the chore everyone knows, and\"
      quote the essay exactly (whitespace, curly quotes and emphasis are ignored), or mark the annotation `removed = true` if the passage was cut

{FAILED_1}"
    ));
}

#[test]
fn a_quote_that_matches_twice_names_the_lines() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "## The grid",
        "Watering in summer is the chore everyone knows.\n\n## The grid",
    );
    p.fails_with(&format!(
        "\
error: comment `c1`: quote matches 2 passages of the essay: \"Watering in summer is the chore everyone knows\"
 --> content/comments.toml:7:9
  |
7 | quote = \"Watering in summer is the chore everyone knows\"
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ found at content/essay.md lines 8, 17
  |
help: quote more of the passage so that it matches exactly once

{FAILED_1}"
    ));
}

#[test]
fn the_grid_is_the_table_whose_labels_match_wherever_it_stands() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "## The grid",
        "| Tool | Use |\n|---|---|\n| Spade | Digging |\n\n## The grid",
    );
    let html = p.builds_with("");
    assert_eq!(html.matches("<table class=\"grid-table").count(), 1);
    assert!(
        html.contains("<td>Digging</td>"),
        "the small table stays a table"
    );
}

#[test]
fn two_tables_with_the_grid_labels_are_an_error() {
    let p = Project::new();
    let table = "| | Spring | Summer | Autumn | Winter |\n|---|---|---|---|---|\n| Short-lived plants | Seedlings | Bedding | Seed saving | Cold frames |\n| Long-lived plants | Pruning | Watering | Planting bulbs | Hedges |\n\n";
    p.edit(
        "content/essay.md",
        "## The grid",
        &format!("{table}## The grid"),
    );
    p.fails_with(&format!(
        "\
error: two tables in the essay have grid.toml's row and column labels
  --> content/essay.md:15:1
   |
15 | | | Spring | Summer | Autumn | Winter |
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ this table matches grid.toml too
   |
help: the grid is one table; the other at line 8 has the same labels: change one of them

{FAILED_1}"
    ));
}

#[test]
fn a_misplaced_annotation_header_is_named_at_its_line() {
    let p = Project::new();
    p.write(
        "content/comments.toml",
        "[[comment.annotation]]\nquote = \"Watering in summer\"\n\n[[comment]]\nid = \"c1\"\nbody = \"x\"\n",
    );
    p.fails_with(&format!(
        "\
error: `[[comment.annotation]]` comes before any `[[comment]]` in content/comments.toml
 --> content/comments.toml:1:1
  |
1 | [[comment.annotation]]
  | ^^^^^^^^^^^^^^^^^^^^^^ this belongs to a `[[comment]]`, and none stands above it
  |
help: move it below the `[[comment]]` it belongs to: a `[[comment.annotation]]` table adds to the last `[[comment]]` above it

{FAILED_1}"
    ));
}

#[test]
fn a_misspelt_comment_header_is_named_at_its_line() {
    let p = Project::new();
    p.edit("content/comments.toml", "[[comment]]", "[[comments]]");
    p.fails_with(&format!(
        "\
error: unknown field `[[comments]]` in content/comments.toml; expected `[[comment]]`
 --> content/comments.toml:1:1
  |
1 | [[comments]]
  | ^^^^^^^^^^^^ did you mean `[[comment]]`?
  |
help: the `[[comment.annotation]]` at line 6 belongs to the last `[[comment]]` above it, and there is none

{FAILED_1}"
    ));
}

#[test]
fn an_unknown_field_names_the_closest_expected_one() {
    let p = Project::new();
    p.edit(
        "content/grid.toml",
        "summary = \"Bedding plants for colour.\"",
        "sumary = \"Bedding plants for colour.\"",
    );
    p.fails_with(&format!(
        "\
error: unknown field `sumary` in content/grid.toml; expected one of `id`, `summary`, `readings`
  --> content/grid.toml:49:1
   |
49 | sumary = \"Bedding plants for colour.\"
   | ^^^^^^ did you mean `summary`?

{FAILED_1}"
    ));
}

#[test]
fn a_front_matter_date_may_be_text_and_a_wrong_one_says_how_to_write_it() {
    let p = Project::new();
    p.edit(
        "content/essay.md",
        "date = 2023-05-06",
        "date = \"2023-05-06\"",
    );
    let html = p.builds_with("");
    assert!(html.contains("<time datetime=\"2023-05-06\">2023-05-06</time>"));

    let p = Project::new();
    p.edit(
        "content/essay.md",
        "date = 2023-05-06",
        "date = \"6 May 2023\"",
    );
    p.fails_with(&format!(
        "\
error: wrong value in content/essay.md: `date` must be a date like 2024-08-19 (with or without quotes); got \"6 May 2023\"
 --> content/essay.md:4:8
  |
4 | date = \"6 May 2023\"
  |        ^^^^^^^^^^^^ this value

{FAILED_1}"
    ));
}

#[test]
fn check_quiet_prints_nothing_on_success_and_warns_of_a_stale_site() {
    let p = Project::new();
    std::fs::remove_file(p.out.join("index.html")).unwrap();
    assert!(p.build().status.success());
    let check = || {
        quire(&[
            "check",
            "-q",
            "--root",
            p.root.to_str().unwrap(),
            "--site",
            p.out.to_str().unwrap(),
        ])
    };
    let o = check();
    assert!(o.status.success(), "{}", output_text(&o));
    assert_eq!(
        output_text(&o),
        "status: exit status: 0\nstdout:\n\nstderr:\n"
    );
    // A source saved after the build: the site checked is not what the sources build.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    let grid = std::fs::File::options()
        .append(true)
        .open(p.path("content/grid.toml"))
        .unwrap();
    grid.set_modified(later).unwrap();
    let o = check();
    assert!(o.status.success(), "a warning only: {}", output_text(&o));
    let site = p.out.display();
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "\
warning: {site}/ is older than content/grid.toml: run quire build
 --> content/grid.toml
  |
help: the site checked is not the one these sources build

"
        )
    );
}

#[test]
fn quire_new_makes_the_table_and_ids_from_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("essay");
    let o = quire(&[
        "new",
        "-q",
        dir.to_str().unwrap(),
        "--rows",
        "Alone,Together",
        "--columns",
        "Gut,Numbers,Argument,Rank",
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
    let essay = std::fs::read_to_string(dir.join("content/essay.md")).unwrap();
    assert!(
        essay.contains(
            "| | Gut | Numbers | Argument | Rank |\n|---|---|---|---|---|\n| Alone | Cell 1.1 | Cell 1.2 | Cell 1.3 | Cell 1.4 |\n| Together | Cell 2.1 | Cell 2.2 | Cell 2.3 | Cell 2.4 |\n"
        ),
        "{essay}"
    );
    assert!(essay.contains("(cell:alone-gut)") && essay.contains("(cell:together-rank)"));
    let grid: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("content/grid.toml")).unwrap()).unwrap();
    let ids = |key: &str| -> Vec<String> {
        grid[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("row"), ["alone", "together"]);
    assert_eq!(ids("column"), ["gut", "numbers", "argument", "rank"]);
    assert_eq!(ids("cell")[0], "alone-gut");
    assert_eq!(ids("cell").len(), 8);
    let out = tmp.path().join("site");
    let o = build(&dir, &out);
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(out.join("cells/together-rank.html").is_file());
}

// ---- The mutation run: every mistake builds correctly or fails at its own place ----

enum Expect {
    /// Fails with an error located at this file (and the line the mutation wrote).
    Fails(&'static str),
    /// Fails with an error located in this file: a renamed row or column is reported
    /// at the cells that still use the old name.
    FailsIn(&'static str),
    /// Builds; the output has exactly these many warnings.
    Builds(usize),
}

#[test]
fn every_mutation_of_the_second_essay_builds_correctly_or_fails_at_its_place() {
    use Expect::{Builds, Fails, FailsIn};
    let (essay, grid, comments, refs) = (
        "content/essay.md",
        "content/grid.toml",
        "content/comments.toml",
        "content/references.toml",
    );
    let end = "where it ends up.";
    let summary = "summary = \"Bedding plants for colour.\"";
    let annotation = "cell = \"perennial-summer\"";
    let front = "date = 2023-05-06";
    let mutations: Vec<(&str, &str, &str, String, Expect)> = vec![
        (
            "row with a cell too few",
            essay,
            "| Long-lived plants | Pruning | Watering | Planting bulbs | Hedges |",
            "| Long-lived plants | Pruning | Watering | Planting bulbs |".into(),
            Fails(essay),
        ),
        (
            "row with a cell too many",
            essay,
            "| Long-lived plants | Pruning |",
            "| Long-lived plants | Pruning | Extra |".into(),
            Fails(essay),
        ),
        (
            "unknown key in the essay",
            essay,
            end,
            format!("{end} [@nokey2000]"),
            Fails(essay),
        ),
        (
            "unknown key in a footnote",
            essay,
            "[^water]: A note citing [@gardener2001].",
            "[^water]: A note citing [@gardener2010].".into(),
            Fails(essay),
        ),
        (
            "unknown cell in the essay",
            essay,
            "(cell:perennial-winter)",
            "(cell:perennial-wintr)".into(),
            Fails(essay),
        ),
        (
            "unknown key in a summary",
            grid,
            summary,
            "summary = \"Bedding [@nokey2000].\"".into(),
            Fails(grid),
        ),
        (
            "unknown cell in a summary",
            grid,
            summary,
            "summary = \"Bedding, see [x](cell:annual-sumer).\"".into(),
            Fails(grid),
        ),
        (
            "unknown key in an annotation note",
            comments,
            annotation,
            format!("{annotation}\nnote = \"As [@nokey2000] says.\""),
            Fails(comments),
        ),
        (
            "unknown cell in an annotation note",
            comments,
            annotation,
            format!("{annotation}\nnote = \"See [x](cell:nowhere-summer).\""),
            Fails(comments),
        ),
        (
            "unknown key in the editor's note",
            essay,
            front,
            format!("{front}\neditor_note = \"After [@nokey2000].\""),
            Fails(essay),
        ),
        (
            "unknown cell in the editor's note",
            essay,
            front,
            format!("{front}\neditor_note = \"See [x](cell:annual-nowhen).\""),
            Fails(essay),
        ),
        (
            "Pandoc citation with a locator",
            essay,
            end,
            format!("{end} [@gardener2001, p. 97]"),
            Builds(0),
        ),
        (
            "Pandoc citation with a prefix and two keys",
            essay,
            end,
            format!("{end} [see @sower1999, ch. 2; @team2010]"),
            Builds(0),
        ),
        (
            "Pandoc narrative citation",
            essay,
            end,
            format!("{end} As @hedger2020 says."),
            Builds(0),
        ),
        (
            "Pandoc citation with one unknown key of two",
            essay,
            end,
            format!("{end} [@gardener2001, p. 3; @nokey2000]"),
            Fails(essay),
        ),
        (
            "near miss of a key in running text",
            essay,
            end,
            format!("{end} As @hedger2002 says."),
            Builds(1),
        ),
        (
            "stray Markdown file",
            "content/notes.md",
            "",
            "# Notes\n".into(),
            Builds(1),
        ),
        (
            "cell target with a space",
            essay,
            end,
            format!("{end} [x](cell:annual spring)"),
            Builds(1),
        ),
        (
            "ref link with a title that starts with @",
            essay,
            end,
            format!("{end} [Soil](ref:gardener2001 \"@home\")"),
            Builds(0),
        ),
        (
            "cell target with a space in a summary",
            grid,
            summary,
            "summary = \"See [x](cell:annual spring).\"".into(),
            Builds(1),
        ),
        (
            "typo in a [[cell]] id",
            grid,
            "id = \"perennial-summer\"",
            "id = \"perennial-sumer\"".into(),
            Fails(grid),
        ),
        (
            "typo in a row id",
            grid,
            "id = \"perennial\"",
            "id = \"perenial\"".into(),
            FailsIn(grid),
        ),
        (
            "typo in a column id",
            grid,
            "id = \"autumn\"",
            "id = \"autum\"".into(),
            FailsIn(grid),
        ),
        (
            "typo in a reading key",
            grid,
            "readings = [\"sower1999\", \"team2010\", \"hedger2020\"]",
            "readings = [\"sower1999\", \"team2010\", \"hedgr2020\"]".into(),
            Fails(grid),
        ),
        (
            "typo in a reference key",
            refs,
            "key = \"hedger2020\"",
            "key = \"hedgr2020\"".into(),
            Fails(grid),
        ),
        (
            "typo in an annotation cell",
            comments,
            annotation,
            "cell = \"perennial-sumer\"".into(),
            Fails(comments),
        ),
        (
            "typo in a parent",
            comments,
            "author = \"a reader\"",
            "author = \"a reader\"\nparent = \"c2\"".into(),
            Fails(comments),
        ),
        (
            "typo in a field name",
            grid,
            summary,
            "sumary = \"Bedding plants for colour.\"".into(),
            Fails(grid),
        ),
        (
            "typo in a table header",
            comments,
            "[[comment]]",
            "[[comments]]".into(),
            Fails(comments),
        ),
        (
            "typo in a quote",
            comments,
            "the chore everyone knows",
            "the chore everybody knows".into(),
            Fails(comments),
        ),
        (
            "typo in a table label",
            essay,
            "| Long-lived plants |",
            "| Long-lived plant |".into(),
            Fails(essay),
        ),
        (
            "date as text",
            essay,
            front,
            "date = \"2023-05-06\"".into(),
            Builds(0),
        ),
    ];
    let mut failures = Vec::new();
    for (name, file, from, to, expect) in mutations {
        let p = Project::new();
        if from.is_empty() {
            p.write(file, &to);
        } else {
            p.edit(file, from, &to);
        }
        let o = p.build();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        let ok = match expect {
            Fails(at) => {
                let changed = p.read(file);
                let line = changed[..changed.find(to.as_str()).unwrap()]
                    .matches('\n')
                    .count()
                    + to.lines()
                        .take_while(|l| !l.contains(|c: char| c.is_alphanumeric()))
                        .count()
                    + 1;
                let located = if at == file {
                    // The error points into the very lines the mutation wrote.
                    (line..line + to.lines().count().max(1))
                        .any(|l| err.contains(&format!("--> {at}:{l}:")))
                } else {
                    err.contains(&format!("--> {at}:"))
                };
                o.status.code() == Some(1) && err.starts_with("error: ") && located && {
                    p.site_untouched();
                    true
                }
            }
            FailsIn(at) => {
                o.status.code() == Some(1)
                    && err.starts_with("error: ")
                    && err.contains(&format!("--> {at}:"))
                    && {
                        p.site_untouched();
                        true
                    }
            }
            Builds(warnings) => {
                o.status.success()
                    && !err.contains("error")
                    && err.matches("warning: ").count() == warnings
            }
        };
        if !ok {
            failures.push(format!("{name}:\n{}", output_text(&o)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn renaming_the_scaffold_rows_and_columns_is_one_error_per_rename() {
    // `quire new`, then the rows and columns renamed in grid.toml only: one error per
    // renamed row or column, and one per link that still names an old cell, each with the
    // new id.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("essay");
    let o = quire(&["new", "-q", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", output_text(&o));
    let grid = dir.join("content/grid.toml");
    let mut text = std::fs::read_to_string(&grid).unwrap();
    for (old, new) in [
        ("row1", "alone"),
        ("row2", "together"),
        ("col1", "gut"),
        ("col2", "numbers"),
    ] {
        text = text.replacen(&format!("id = \"{old}\""), &format!("id = \"{new}\""), 1);
    }
    std::fs::write(&grid, text).unwrap();
    let out = tmp.path().join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "previous site").unwrap();
    std::fs::write(out.join(quire::output::MARKER), "").unwrap();
    let o = build(&dir, &out);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: 2 [[cell]] ids use `row1-`, but grid.toml has no row `row1`
  --> content/grid.toml:33:6
   |
33 | id = \"row1-col1\"
   |      ^^^^^^^^^^^ no [[row]] has id `row1`
   |
help: if the row `row1` was renamed `alone`, rename it in these cell ids too: row1-col1, row1-col2

error: 2 [[cell]] ids use `row2-`, but grid.toml has no row `row2`
  --> content/grid.toml:42:6
   |
42 | id = \"row2-col1\"
   |      ^^^^^^^^^^^ no [[row]] has id `row2`
   |
help: if the row `row2` was renamed `together`, rename it in these cell ids too: row2-col1, row2-col2

error: 2 [[cell]] ids use `-col1`, but grid.toml has no column `col1`
  --> content/grid.toml:33:6
   |
33 | id = \"row1-col1\"
   |      ^^^^^^^^^^^ no [[column]] has id `col1`
   |
help: if the column `col1` was renamed `gut`, rename it in these cell ids too: row1-col1, row2-col1

error: 2 [[cell]] ids use `-col2`, but grid.toml has no column `col2`
  --> content/grid.toml:38:6
   |
38 | id = \"row1-col2\"
   |      ^^^^^^^^^^^ no [[column]] has id `col2`
   |
help: if the column `col2` was renamed `numbers`, rename it in these cell ids too: row1-col2, row2-col2

error: unknown cell `row1-col1` in a `cell:` link
  --> content/essay.md:18:87
   |
18 | ...arget is `cell:` and a cell id: here is [the top-left cell](cell:row1-col1), and here is [the bottom-right one](cell:row2-col2).
   |                                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no such cell
   |
help: did you mean `alone-gut`? known cells: alone-gut, alone-numbers, together-gut, together-numbers

error: unknown cell `row2-col2` in a `cell:` link
  --> content/essay.md:18:136
   |
18 | ...eft cell](cell:row1-col1), and here is [the bottom-right one](cell:row2-col2).
   |                                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no such cell
   |
help: did you mean `together-numbers`? known cells: alone-gut, alone-numbers, together-gut, together-numbers

error: comment `c1`: annotation names unknown cell `row1-col1`
  --> content/comments.toml:27:8
   |
27 | cell = \"row1-col1\"
   |        ^^^^^^^^^^^ no such cell
   |
help: did you mean `alone-gut`? known cells: alone-gut, alone-numbers, together-gut, together-numbers

error: build failed with 7 errors; the previous site was left as it was
"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "previous site"
    );
}

#[test]
fn an_unknown_parent_names_the_closest_comment_id() {
    let p = Project::new();
    let comments = p.read("content/comments.toml");
    p.write(
        "content/comments.toml",
        &format!("{comments}\n[[comment]]\nid = \"reply1\"\nparent = \"cl\"\nbody = \"Agreed.\"\n"),
    );
    p.fails_with(&format!(
        "\
error: comment `reply1` replies to `cl`, which doesn't exist
  --> content/comments.toml:12:10
   |
12 | parent = \"cl\"
   |          ^^^^ unknown parent
   |
help: did you mean `c1`? a parent is the id of another [[comment]]; leave it out for a top-level comment

{FAILED_1}"
    ));
}
