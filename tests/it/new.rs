//! `quire new` through the real binary: the scaffold builds untouched at every grid size,
//! its table, grid, thread and references fit together, and bad requests (a file path, a
//! non-empty folder, a grid of 0 or more than 12) fail with a clear error and write nothing.

use crate::support::quire;

use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn new(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["new", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    quire(&args)
}

fn build(root: &Path) -> Output {
    quire(&["build", "--root", root.to_str().unwrap()])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_scaffold_builds_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my-essay");
    let o = new(&dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("quire build"),
        "next steps: {}",
        stderr(&o)
    );
    for f in [
        "quire.toml",
        "content/essay.md",
        "content/grid.toml",
        "content/comments.toml",
        "content/references.toml",
        ".github/workflows/pages.yml",
        ".gitignore",
        "README.md",
        ".quire/schemas/grid.schema.json",
    ] {
        assert!(dir.join(f).is_file(), "missing {f}");
    }
    let o = build(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let site = dir.join("site");
    let index = read(&site.join("index.html"));
    assert!(index.contains("My essay"), "title from the folder name");
    assert!(index.contains("replace it with your own"));
    // Every cell of the default 2x2 grid has its page.
    for id in ["row1-col1", "row1-col2", "row2-col1", "row2-col2"] {
        assert!(site.join(format!("cells/{id}.html")).is_file(), "{id}");
    }
    // The thread's three comments and both references made it into the site.
    for needle in ["A reader", "Another reader", "Your Name"] {
        assert!(index.contains(needle), "{needle}");
    }
    let refs = read(&site.join("references.html"));
    assert!(refs.contains("https://doi.org/10.2307/411334"));
    assert!(refs.contains("Verbal Behavior"));
    // And `quire check` finds nothing wrong with it: content, links, anchors, remote loads.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["check", "--root", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "quire check on the scaffold: {}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
}

#[test]
fn every_grid_size_from_1_to_12_builds() {
    let tmp = tempfile::tempdir().unwrap();
    for (rows, columns) in [(1, 1), (1, 12), (12, 1), (3, 4), (12, 12)] {
        let dir = tmp.path().join(format!("g{rows}x{columns}"));
        let (r, c) = (rows.to_string(), columns.to_string());
        let o = new(&dir, &["--rows", &r, "--columns", &c, "--quiet"]);
        assert!(o.status.success(), "{rows}x{columns}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "--quiet prints nothing on success");
        let o = build(&dir);
        assert!(o.status.success(), "{rows}x{columns}: {}", stderr(&o));
        let cells = std::fs::read_dir(dir.join("site/cells")).unwrap().count();
        assert_eq!(cells, rows * columns, "{rows}x{columns}");
        let essay = read(&dir.join("content/essay.md"));
        assert!(essay.contains(&format!("| Row {rows} |")));
        assert!(essay.contains(&format!(" Column {columns} |\n")));
    }
}

#[test]
fn a_title_with_quotes_and_backslashes_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("x");
    let title = r#"On "grids" \ tables & <tags>"#;
    let o = new(&dir, &["--title", title]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = build(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = read(&dir.join("site/index.html"));
    assert!(
        index.contains("On &quot;grids&quot; \\ tables &amp; &lt;tags&gt;")
            || index.contains("On \"grids\" \\ tables &amp; &lt;tags&gt;"),
        "title escaped once in the page"
    );
}

#[test]
fn a_non_empty_folder_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    std::fs::write(dir.join("content/essay.md"), "my draft").unwrap();
    let o = new(&dir, &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("already exists and is not empty"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        read(&dir.join("content/essay.md")),
        "my draft",
        "nothing written"
    );
    assert!(!dir.join("quire.toml").exists(), "nothing written");

    let o = new(&dir, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read(&dir.join("notes.txt")),
        "mine",
        "other files are left alone"
    );
    assert!(read(&dir.join("content/essay.md")).starts_with("+++\n"));
    assert!(build(&dir).status.success());
}

#[test]
fn an_empty_folder_is_fine() {
    let tmp = tempfile::tempdir().unwrap();
    let o = new(tmp.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(build(tmp.path()).status.success());
}

#[test]
fn a_file_path_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("essay.md");
    std::fs::write(&file, "x").unwrap();
    let o = new(&file, &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("it is a file, not a folder"), "{err}");
    assert_eq!(read(&file), "x");
    // A path through a file can't be created either, and says why.
    let o = new(&file.join("inner"), &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
}

#[test]
fn grid_sizes_out_of_range_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (flag, n) in [
        ("--rows", "0"),
        ("--columns", "0"),
        ("--rows", "13"),
        ("--columns", "40"),
    ] {
        let dir = tmp.path().join(format!("bad{flag}{n}"));
        let o = new(&dir, &[flag, n]);
        assert!(!o.status.success(), "{flag} {n}");
        let err = stderr(&o);
        assert!(err.contains("a grid needs 1 to 12"), "{err}");
        assert!(err.contains(&format!("got {n}")), "{err}");
        assert!(!dir.exists(), "nothing created for {flag} {n}");
    }
    let o = new(&tmp.path().join("neg"), &["--rows", "-1"]);
    assert!(!o.status.success());
}

#[test]
fn the_annotation_quote_and_references_fit_the_essay() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    assert!(
        new(&dir, &["--rows", "3", "--columns", "3"])
            .status
            .success()
    );
    let essay = read(&dir.join("content/essay.md"));
    let comments = read(&dir.join("content/comments.toml"));
    let thread: toml::Table = toml::from_str(&comments).unwrap();
    let list = thread["comment"].as_array().unwrap();
    assert_eq!(list.len(), 3, "three comments");
    let annotations: Vec<&toml::Value> = list
        .iter()
        .filter_map(|c| c.get("annotation"))
        .flat_map(|a| a.as_array().unwrap())
        .collect();
    assert_eq!(annotations.len(), 1, "one annotation");
    let quote = annotations[0]["quote"].as_str().unwrap();
    assert_eq!(essay.matches(quote).count(), 1, "the quote occurs once");
    let refs: toml::Table = toml::from_str(&read(&dir.join("content/references.toml"))).unwrap();
    assert_eq!(refs["ref"].as_array().unwrap().len(), 2, "two references");
    for r in refs["ref"].as_array().unwrap() {
        assert!(r["url"].as_str().unwrap().starts_with("https://"));
    }
}

#[test]
fn the_pages_workflow_installs_builds_and_deploys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    assert!(new(&dir, &["-q"]).status.success());
    let workflow = read(&dir.join(".github/workflows/pages.yml"));
    for needle in [
        "cargo install --locked --git \"$QUIRE_GIT\" quire",
        "quire build --out site",
        "actions/upload-pages-artifact@",
        "include-hidden-files: true",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
    ] {
        assert!(workflow.contains(needle), "{needle} in:\n{workflow}");
    }
    // Tabs are not YAML indentation.
    assert!(!workflow.contains('\t'));
}
