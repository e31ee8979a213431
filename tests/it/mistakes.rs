//! Every mistake an author makes is caught, all at once, with the fix it needs (issue 16).
//!
//! Each case is the second essay (`tests/fixtures/valid/grid-2x4`, a 2×4 garden grid with
//! nothing in common with the default essay) plus the files the test changes, built by the
//! real binary over a previous site. A failing case asserts the whole error output, the
//! exit status, and that the previous site is untouched; a case that should build asserts
//! what it printed and what it rendered.

use std::path::{Path, PathBuf};

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
        assert_eq!(names, vec!["index.html".to_string()], "site/ unchanged");
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
