//! The benchmark (bench/bench.py) at its smallest sizes, to prove it works: the generated
//! inputs build, the timer measures, the report is written. quire only: the peers (mdBook,
//! Hugo, pandoc) are installed by `bench/run.sh` itself, never by the test command, and no
//! timing is asserted (shared machines are too noisy for that).

use std::path::Path;
use std::process::Command;

#[test]
fn benchmark_runs_at_smallest_size() {
    let work = tempfile::tempdir().expect("temporary folder");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("bench/bench.py"))
        .args(["--quire", env!("CARGO_BIN_EXE_quire")])
        .arg("--work")
        .arg(work.path())
        .args([
            "--scales",
            "1,2",
            "--comments",
            "24,100",
            "--tools",
            "quire",
        ])
        .args([
            "--runs",
            "1",
            "--warmup",
            "0",
            "--nice",
            "0",
            "--no-install",
        ])
        .output()
        .expect("python3 must be installed to run bench/bench.py");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bench.py failed:\n{stderr}");

    let json = std::fs::read_to_string(work.path().join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let cases = results["cases"].as_array().expect("cases");
    let sizes: Vec<(u64, u64)> = cases
        .iter()
        .map(|c| {
            (
                c["scale"].as_u64().unwrap(),
                c["comments"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(sizes, [(1, 24), (1, 100), (2, 24), (2, 100)]);
    for case in cases {
        let quire = &case["stats"]["quire"];
        assert!(quire["median_s"].as_f64().unwrap() > 0.0, "{case}");
        assert!(quire["peak_rss_bytes"].as_u64().unwrap() > 0, "{case}");
        // index, 404, references, 9 cell pages, quire.css, quire.js at least.
        assert!(quire["output_files"].as_u64().unwrap() >= 14, "{case}");
    }
    let report = std::fs::read_to_string(work.path().join("results.md")).expect("results.md");
    assert!(report.contains("| x2 | 100 |"), "{report}");

    // The generated x2 essay and 100-comment thread are the default content scaled: twice
    // the sections and footnotes, every comment quoting a passage that exists.
    let essay = std::fs::read_to_string(work.path().join("inputs/quire/x2-c100/content/essay.md"))
        .expect("generated essay");
    assert!(essay.contains("(part 2)") && essay.contains("[^darwin-2]:"));
    let thread = std::fs::read_to_string(
        work.path()
            .join("inputs/quire/x2-c100/content/comments.toml"),
    )
    .expect("generated thread");
    assert_eq!(thread.matches("[[comment]]").count(), 100);
}

/// The default essay has no code block, so its build must not load syntect's syntax set
/// (loading it costs more than the rest of the build); an essay with one must.
#[test]
fn syntax_set_loads_only_for_code_blocks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("temporary folder");
    let build = |root: &Path, site: &str| {
        quire::build(&quire::BuildOptions {
            root: root.to_path_buf(),
            out: Some(out.path().join(site)),
            base_url: None,
            force: false,
        })
        .map_err(|f| f.diags.render(false))
        .expect("build")
    };
    build(root, "plain");
    assert!(!quire::render::highlight::syntaxes_loaded());

    let project = tempfile::tempdir().expect("temporary folder");
    let content = project.path().join("content");
    std::fs::create_dir(&content).expect("content folder");
    for f in ["grid.toml", "comments.toml", "references.toml"] {
        std::fs::copy(root.join("content").join(f), content.join(f)).expect("copy content");
    }
    let essay = std::fs::read_to_string(root.join("content/essay.md")).expect("essay");
    let (body, notes) = essay.split_at(essay.find("\n[^").expect("footnotes"));
    let with_code = format!("{body}\n\n```rust\nfn main() {{}}\n```\n{notes}");
    std::fs::write(content.join("essay.md"), with_code).expect("write essay");
    build(project.path(), "code");
    assert!(quire::render::highlight::syntaxes_loaded());
}
