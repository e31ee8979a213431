//! Every page quire writes is valid HTML to a referee no one on this project wrote: the
//! Nu HTML Checker (vnu, the W3C's), run once over the default site, every valid fixture,
//! the generated hostile and big threads, and the single-file exports. Its CSS findings
//! are reported apart, and may only be about CSS that vnu does not know yet.
//!
//! vnu.jar comes from the npm package `vnu-jar`; `scripts/test.sh` installs it (and Java)
//! and passes its path in `QUIRE_VNU_JAR`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{build, output_text, quire, repo};
use serde_json::Value;

/// Modern CSS that vnu's CSS checker may not know yet: a finding about anything else fails.
const CSS_VNU_DOES_NOT_KNOW: &[&str] = &[
    ":popover-open",
    "::details-content",
    "contain-intrinsic-size",
    // The standard name of -webkit-line-clamp (CSS Overflow 4), written beside it.
    "line-clamp",
];

fn vnu_jar() -> PathBuf {
    // scripts/test.sh says where; a plain `cargo test` finds what it installed.
    let jar = std::env::var_os("QUIRE_VNU_JAR").map_or_else(
        || {
            walkdir::WalkDir::new(repo().join("target/tools"))
                .into_iter()
                .filter_map(Result::ok)
                .find(|e| e.file_name() == "vnu.jar")
                .map_or_else(|| PathBuf::from("vnu.jar"), |e| e.into_path())
        },
        PathBuf::from,
    );
    assert!(
        jar.is_file(),
        "the Nu HTML Checker is missing at {}: run `bash scripts/test.sh`, which installs it \
         (npm's vnu-jar) and Java",
        jar.display()
    );
    jar
}

fn build_into(root: &Path, out: &Path) {
    let o = build(root, out);
    assert!(o.status.success(), "{}", output_text(&o));
}

fn export_into(root: &Path, file: &Path) {
    let o = quire(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--single-file",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", output_text(&o));
}

#[test]
fn every_page_quire_writes_is_valid_html() {
    let work = tempfile::Builder::new()
        .prefix("quire-vnu-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let sites = work.path().join("sites");
    // The default essay and every valid fixture, as a site and as one file.
    let mut projects: Vec<(String, PathBuf)> = vec![("default".into(), repo())];
    for entry in std::fs::read_dir(repo().join("tests/fixtures/valid")).unwrap() {
        let path = entry.unwrap().path();
        projects.push((path.file_name().unwrap().to_string_lossy().into(), path));
    }
    // Generated: the hostile thread with its 1 MB comment, and a thread of 2,000 comments.
    let generated = work.path().join("generated");
    let hostile = generated.join("hostile");
    crate::gen_thread::hostile_project(&hostile).unwrap();
    projects.push(("generated-hostile".into(), hostile));
    let big = generated.join("big");
    crate::gen_thread::scale_project(&big, 2_000).unwrap();
    projects.push(("generated-big".into(), big));
    for (name, root) in &projects {
        build_into(root, &sites.join(name));
        export_into(root, &sites.join(format!("{name}.single.html")));
    }
    let pages = walkdir::WalkDir::new(&sites)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert!(pages >= 30, "only {pages} pages to check");

    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--format", "json", "--also-check-css", "--skip-non-html"])
        .arg(&sites)
        .output()
        .expect("java must be installed (scripts/test.sh installs it)");
    // vnu writes its report to stderr and exits 1 when it found an error.
    let report: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu's report is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let messages = report["messages"].as_array().expect("messages");
    let describe = |m: &Value| {
        let url = m["url"].as_str().unwrap_or("?");
        let url = url.rsplit_once("/sites/").map_or(url, |(_, rel)| rel);
        format!(
            "{url}:{}:{}: {}: {}",
            m["lastLine"],
            m["firstColumn"],
            m["type"].as_str().unwrap_or("?"),
            m["message"].as_str().unwrap_or("?")
        )
    };
    let is_css = |m: &Value| {
        m["message"].as_str().is_some_and(|s| s.starts_with("CSS:"))
            || m["url"].as_str().is_some_and(|u| u.ends_with(".css"))
    };
    let (css, html): (Vec<&Value>, Vec<&Value>) = messages
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .partition(|m| is_css(m));
    if !css.is_empty() {
        eprintln!("vnu's CSS findings ({}):", css.len());
        for m in &css {
            eprintln!("  {}", describe(m));
        }
    }
    let html: Vec<String> = html.into_iter().map(describe).collect();
    assert!(
        html.is_empty(),
        "{} HTML errors in {pages} pages:\n{}",
        html.len(),
        html.join("\n")
    );
    let css_only = !css.is_empty();
    let unknown_css: Vec<String> = css
        .into_iter()
        .filter(|m| {
            let text = format!("{} {}", m["message"], m["extract"]);
            !CSS_VNU_DOES_NOT_KNOW.iter().any(|k| text.contains(k))
        })
        .map(describe)
        .collect();
    assert!(
        unknown_css.is_empty(),
        "CSS errors that are not about CSS vnu doesn't know yet:\n{}",
        unknown_css.join("\n")
    );
    let other: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] != "info")
        .map(describe)
        .collect();
    assert!(
        out.status.success() || css_only,
        "vnu exited with {}; its messages:\n{}",
        out.status,
        other.join("\n")
    );
}

/// The checker itself: a page with an `<a>` inside an `<a>` and a missing `alt` fails, so a
/// green run above means something.
#[test]
fn the_checker_catches_invalid_html() {
    let dir = tempfile::Builder::new()
        .prefix("quire-vnu-bad-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    std::fs::write(
        dir.path().join("bad.html"),
        "<!doctype html><html lang=en><title>x</title><a href=a><a href=b>x</a></a><img src=x.png>",
    )
    .unwrap();
    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--format", "json", "--skip-non-html"])
        .arg(dir.path())
        .output()
        .expect("java");
    let report: Value = serde_json::from_slice(&out.stderr).expect("JSON");
    let errors = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "error")
        .count();
    assert!(errors >= 2, "{report}");
    assert!(!out.status.success());
}
