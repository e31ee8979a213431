//! Embeds `themes/default` in the binary, so a project without a `themes/` folder of its
//! own (one made by `quire new`, say) still builds with the default theme.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time: `env!` would bake in the folder the build script was first compiled
    // in, and a target directory shared between checkouts would embed another one's theme.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let theme = Path::new(&manifest_dir).join("themes/default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    collect(&theme, &theme, &mut files);
    files.sort();
    let mut out = String::from(
        "/// Every file of themes/default, by path relative to the theme.\npub static DEFAULT_THEME: &[(&str, &[u8])] = &[\n",
    );
    for (rel, abs) in &files {
        println!("cargo:rerun-if-changed={abs}");
        writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("default_theme.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(base, &path, files);
        } else {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
