//! The JSON Schemas for editors: committed copies match the Rust types, they accept every
//! valid project we have (the default essay, the valid fixtures, the scaffold), and they
//! reject broken files with an error that says where.
//!
//! TOML is turned into JSON the way Taplo does it for validation: a TOML date becomes a
//! string.

use std::path::Path;

use crate::support::{doc_examples, front_matter, parse_toml, repo};
use quire::new::{NewOptions, files};
use quire::schema;
use serde_json::Value;

/// Validation errors of `instance` against the schema named `name`, as "path: message".
fn errors(name: &str, instance: &Value) -> Vec<String> {
    let schema = schema::named(name).unwrap_or_else(|| panic!("no schema {name}"));
    let schema: Value = serde_json::from_str(&schema.json).expect("schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = format!("urn:quire:{name}");
    compiler
        .add_resource(&url, schema)
        .expect("schema is a resource");
    let index = compiler
        .compile(&url, &mut schemas)
        .unwrap_or_else(|e| panic!("{name} does not compile: {e}"));
    match schemas.validate(instance, index) {
        Ok(()) => Vec::new(),
        Err(e) => {
            // The leaves of boon's error tree are the concrete complaints.
            let mut out = Vec::new();
            let mut stack = vec![&e];
            while let Some(e) = stack.pop() {
                if e.causes.is_empty() {
                    out.push(format!("{}: {}", e.instance_location, e.kind));
                }
                stack.extend(e.causes.iter());
            }
            out
        }
    }
}

fn assert_valid(name: &str, instance: &Value, what: &str) {
    let errs = errors(name, instance);
    assert!(errs.is_empty(), "{what} fails {name}:\n{}", errs.join("\n"));
}

/// Validates the TOML files of a project folder against the schema for each.
fn assert_project_valid(root: &Path) {
    let mut checked = 0;
    for s in schema::all() {
        let path = root.join(s.describes);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let what = path.display().to_string();
        let instance = if s.describes.ends_with(".md") {
            front_matter(&text, &what)
        } else {
            parse_toml(&text, &what)
        };
        assert_valid(s.name, &instance, &what);
        checked += 1;
    }
    assert!(checked >= 2, "no files checked under {}", root.display());
}

#[test]
fn committed_schemas_match_the_rust_types() {
    let dir = repo().join("docs/schemas");
    for s in schema::all() {
        let committed = std::fs::read_to_string(dir.join(s.name)).unwrap_or_default();
        assert!(
            committed == s.json,
            "docs/schemas/{} is out of date with the Rust types: run `cargo run -- schema docs/schemas`",
            s.name
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/schemas exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = schema::all().iter().map(|s| s.name.to_string()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "docs/schemas holds a schema no type generates"
    );
}

#[test]
fn the_default_essay_validates() {
    assert_project_valid(&repo());
}

#[test]
fn every_valid_fixture_validates() {
    let dir = repo().join("tests/fixtures/valid");
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        assert_project_valid(&entry.expect("entry").path());
    }
}

#[test]
fn the_scaffold_validates_against_the_schemas_it_names() {
    for (rows, columns) in [(1, 1), (2, 2), (3, 5), (12, 12)] {
        let options = NewOptions {
            rows,
            columns,
            ..NewOptions::default()
        };
        let scaffold = files(&options).expect("scaffold");
        let text_of = |p: &Path| {
            scaffold
                .iter()
                .find(|f| f.path == p)
                .map(|f| f.text.clone())
                .unwrap_or_else(|| panic!("scaffold has no {}", p.display()))
        };
        let mut tomls = 0;
        for file in scaffold
            .iter()
            .filter(|f| f.path.extension() == Some("toml".as_ref()))
        {
            let first = file.text.lines().next().unwrap_or_default();
            let rel = first
                .strip_prefix("#:schema ")
                .unwrap_or_else(|| panic!("{} does not start with #:schema", file.path.display()));
            // Resolve the schema path relative to the TOML file, as editors do.
            let mut schema_path = file.path.parent().unwrap_or(Path::new("")).to_path_buf();
            for part in Path::new(rel).components() {
                match part {
                    std::path::Component::ParentDir => {
                        schema_path.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => schema_path.push(other),
                }
            }
            let name = schema_path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // The file the comment points at is in the scaffold and is the current schema.
            assert_eq!(
                text_of(&schema_path),
                schema::named(&name).unwrap().json,
                "{}",
                file.path.display()
            );
            let what = format!("scaffold {rows}x{columns} {}", file.path.display());
            assert_valid(&name, &parse_toml(&file.text, &what), &what);
            tomls += 1;
        }
        assert_eq!(tomls, 4, "quire.toml and three content files");
        let essay = text_of(Path::new("content/essay.md"));
        assert_valid(
            "essay-front-matter.schema.json",
            &front_matter(&essay, "scaffold essay"),
            "scaffold essay",
        );
    }
}

#[test]
fn broken_files_are_rejected_with_their_place() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "grid.schema.json",
            "[[row]]\nid = \"a\"\nlabel = \"A\"\ncolour = \"red\"\n",
            "/row/0",
        ),
        (
            "grid.schema.json",
            "[[row]]\nid = \"a-b\"\nlabel = \"A\"\n",
            "/row/0/id",
        ),
        (
            "grid.schema.json",
            "[[cell]]\nid = \"ab\"\nsummary = \"x\"\n",
            "/cell/0/id",
        ),
        ("grid.schema.json", "[[cell]]\nid = \"a-b\"\n", "/cell/0"),
        (
            "comments.schema.json",
            "[[comment]]\nid = \"c1\"\nkarma = \"many\"\n",
            "/comment/0/karma",
        ),
        (
            "comments.schema.json",
            "[[comment]]\nid = \"c1\"\n[[comment.annotation]]\nnote = \"no quote\"\n",
            "/comment/0/annotation/0",
        ),
        (
            "references.schema.json",
            "[[ref]]\nkey = \"a b\"\ntitle = \"T\"\n",
            "/ref/0/key",
        ),
        ("references.schema.json", "[[ref]]\nkey = \"k\"\n", "/ref/0"),
        ("references.schema.json", "[[reference]]\nkey = \"k\"\n", ""),
        (
            "quire.schema.json",
            "base_url = \"user.github.io\"\n",
            "/base_url",
        ),
        ("quire.schema.json", "theme = \"../elsewhere\"\n", "/theme"),
        ("quire.schema.json", "output = \"public\"\n", ""),
        (
            "essay-front-matter.schema.json",
            "author = \"No title\"\n",
            "",
        ),
    ];
    for (name, toml, path) in cases {
        let errs = errors(name, &parse_toml(toml, name));
        assert!(
            errs.iter().any(|e| e.starts_with(&format!("{path}: "))),
            "{name} should reject at `{path}`:\n{toml}\ngot: {errs:?}"
        );
    }
}

#[test]
fn the_examples_of_the_format_reference_validate() {
    let files = doc_examples();
    assert!(files.len() >= 6, "docs/content-format.md lost its examples");
    for f in files {
        let what = format!(
            "docs/content-format.md example={} file={}",
            f.example, f.path
        );
        let Some(schema) = schema::all().into_iter().find(|s| s.describes == f.path) else {
            continue;
        };
        let instance = if f.path.ends_with(".md") {
            front_matter(&f.text, &what)
        } else {
            parse_toml(&f.text, &what)
        };
        assert_valid(schema.name, &instance, &what);
    }
}
