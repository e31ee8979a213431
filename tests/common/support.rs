//! Helpers shared by the integration tests: running the binary, the repository root;
//! and for the schema and documentation tests: TOML as JSON (the way Taplo
//! validates it: a TOML date becomes a string), essay front matter, and the examples of
//! docs/content-format.md.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the real `quire` binary, without colour, and returns what it did.
pub fn quire(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run quire")
}

/// `quire build --root ROOT --out OUT`.
pub fn build(root: &Path, out: &Path) -> std::process::Output {
    quire(&[
        "build",
        "--root",
        root.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
    ])
}

/// Everything a run printed, for assertion messages.
pub fn output_text(o: &std::process::Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

pub fn parse_toml(text: &str, what: &str) -> Value {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    to_json(&toml::Value::Table(table))
}

/// The front matter of an essay (between the `+++` lines) as JSON.
pub fn front_matter(essay: &str, what: &str) -> Value {
    let rest = essay
        .strip_prefix("+++\n")
        .unwrap_or_else(|| panic!("{what}: no front matter"));
    let end = rest
        .find("\n+++")
        .unwrap_or_else(|| panic!("{what}: front matter never closed"));
    parse_toml(&rest[..end + 1], what)
}

/// A file of an example project in docs/content-format.md: a fenced block whose info
/// string reads e.g. "toml example=full file=content/grid.toml".
pub struct DocFile {
    pub example: String,
    pub path: String,
    pub text: String,
}

pub fn doc() -> String {
    std::fs::read_to_string(repo().join("docs/content-format.md")).expect("docs/content-format.md")
}

pub fn doc_examples() -> Vec<DocFile> {
    let doc = doc();
    let mut files = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let field = |name: &str| {
            info.split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{name}=")).map(str::to_string))
        };
        let mut text = String::new();
        for body in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        if let (Some(example), Some(path)) = (field("example"), field("file")) {
            files.push(DocFile {
                example,
                path,
                text,
            });
        }
    }
    files
}

/// Writes the example named `name` into `dir`.
pub fn write_example(name: &str, dir: &Path) -> usize {
    let mut n = 0;
    for f in doc_examples().into_iter().filter(|f| f.example == name) {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, f.text).unwrap();
        n += 1;
    }
    n
}

/// The project every bad-input fixture starts from.
pub const BASE_FIXTURE: &str = "tests/fixtures/valid/minimal";

/// A bad-input fixture as a project of its own, in a temporary folder: the base project
/// (`BASE_FIXTURE`) with the fixture's files laid over it, less the paths its
/// `removed.txt` lists. A fixture holds only what it changes.
pub fn invalid_fixture(name: &str) -> tempfile::TempDir {
    let overlay = repo().join("tests/fixtures/invalid").join(name);
    assert!(overlay.is_dir(), "no fixture {}", overlay.display());
    let dir = tempfile::Builder::new()
        .prefix(&format!("quire-{name}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary directory");
    copy_tree(&repo().join(BASE_FIXTURE), dir.path());
    copy_tree(&overlay, dir.path());
    let removed = dir.path().join("removed.txt");
    if removed.is_file() {
        for rel in std::fs::read_to_string(&removed).unwrap().lines() {
            std::fs::remove_file(dir.path().join(rel.trim()))
                .unwrap_or_else(|e| panic!("{name}/removed.txt: {rel}: {e}"));
        }
        std::fs::remove_file(&removed).unwrap();
    }
    // The snapshot of the expected output is not part of the project.
    let _ = std::fs::remove_file(dir.path().join("expected.txt"));
    dir
}

/// The names of every bad-input fixture.
pub fn invalid_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Copies every file under `from` into `to`, keeping relative paths.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of the fixture project `tests/fixtures/valid/<name>`, to build or edit.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("quire-fixture-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("cannot create a temporary directory");
    copy_tree(
        &repo().join("tests/fixtures/valid").join(name),
        &dir.path().join("project"),
    );
    dir
}

/// The 1-based line of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not found"))
        + 1
}
