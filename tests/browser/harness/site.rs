//! Building the real site with the `quire` binary, and finding its pages.

use std::path::{Path, PathBuf};
use std::process::Command;

/// target/screenshots (next to target/tmp).
pub fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("screenshots")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `quire build --root <repo root> --out <tempdir>` and returns the directory
/// (deleted when dropped). Panics with the tool's output when the build fails or
/// produces no index.html.
pub fn build_site() -> tempfile::TempDir {
    let out = tempfile::Builder::new()
        .prefix("quire-site-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("cannot create a temporary directory");
    let bin = env!("CARGO_BIN_EXE_quire");
    let output = Command::new(bin)
        .arg("build")
        .arg("--root")
        .arg(repo_root())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    let show = || {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    assert!(
        output.status.success(),
        "`quire build --root {} --out {}` failed with {}\n{}",
        repo_root().display(),
        out.path().display(),
        output.status,
        show()
    );
    assert!(
        out.path().join("index.html").is_file(),
        "`quire build` succeeded but wrote no index.html into {}\n{}",
        out.path().display(),
        show()
    );
    out
}

/// Every .html file under `dir`, as sorted paths relative to it (with `/`).
pub fn html_pages(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                let rel = path.strip_prefix(base).unwrap_or(&path);
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A `file://` URL for a local path (made absolute, unsafe bytes percent-encoded).
pub fn file_url(path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().expect("no current dir").join(path)
    };
    let mut url = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pages_and_makes_file_urls() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("cells")).unwrap();
        for f in [
            "index.html",
            "references.html",
            "cells/a-b.html",
            "style.css",
        ] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        assert_eq!(
            html_pages(dir.path()),
            vec!["cells/a-b.html", "index.html", "references.html"]
        );
        assert_eq!(
            file_url(Path::new("/tmp/a b/ü.html")),
            "file:///tmp/a%20b/%C3%BC.html"
        );
    }
}
