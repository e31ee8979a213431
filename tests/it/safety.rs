//! The red team's attacks (issue 14), each run as written: quire must replace only what it
//! made, never hang on a file, and never let what an author types become script. Every
//! attack asserts that nothing outside quire's own output changed, byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{output_text, repo};

/// Every entry under `dir`: files with their bytes, symlinks with their target, folders.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut entries = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.expect("walk");
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let t = e.file_type();
        let bytes = if t.is_symlink() {
            let target = std::fs::read_link(e.path()).unwrap();
            format!("symlink -> {}", target.display()).into_bytes()
        } else if t.is_file() {
            std::fs::read(e.path()).unwrap()
        } else if t.is_dir() {
            b"folder".to_vec()
        } else {
            b"special file".to_vec()
        };
        entries.insert(rel, bytes);
    }
    entries
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A project made from a fixture, at `dir`.
fn project(fixture: &str, dir: &Path) -> PathBuf {
    copy_dir(&repo().join("tests/fixtures/valid").join(fixture), dir);
    dir.to_path_buf()
}

/// Runs quire in `cwd` with `HOME` set to `home`.
fn run_in(cwd: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .expect("run quire")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fake home folder with a key, a landing page and the essay project inside it.
fn fake_home(tmp: &Path) -> (PathBuf, PathBuf) {
    let home = tmp.join("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_rsa"), "-----BEGIN KEY-----\nsecret\n").unwrap();
    std::fs::write(home.join("id_rsa"), "secret").unwrap();
    std::fs::write(home.join("index.html"), "<h1>my homepage</h1>").unwrap();
    std::fs::write(home.join("404.html"), "<h1>lost</h1>").unwrap();
    let root = project("minimal", &home.join("essays/garden"));
    (home, root)
}

#[test]
fn out_onto_the_home_folder_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, root) = fake_home(tmp.path());
    let before = snapshot(tmp.path());
    for args in [
        vec!["build", "--out", home.to_str().unwrap()],
        vec!["build", "--out", home.to_str().unwrap(), "--force"],
        vec!["build", "--out", "../.."],
        vec!["build", "--out", "..", "--force"],
        vec!["build", "--out", "."],
        vec!["build", "--out", "/", "--force"],
    ] {
        let o = run_in(&root, &home, &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", output_text(&o));
        assert!(
            err.contains("refusing to write the site to"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("the previous site was left as it was"),
            "{args:?}: {err}"
        );
        assert_eq!(snapshot(tmp.path()), before, "{args:?} changed files");
    }
}

#[test]
fn out_onto_another_project_or_a_folder_quire_did_not_write_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, root) = fake_home(tmp.path());
    let other = project("grid-2x4", &home.join("essays/other"));
    let notes = home.join("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::write(notes.join("index.html"), "my notes").unwrap();
    std::fs::write(notes.join("404.html"), "lost").unwrap();
    std::fs::write(notes.join("todo.txt"), "buy milk").unwrap();
    let before = snapshot(tmp.path());
    for out in [other.to_str().unwrap(), notes.to_str().unwrap(), "../other"] {
        let o = run_in(&root, &home, &["build", "--out", out]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{out}: {}", output_text(&o));
        assert!(
            err.contains("quire did not write it (it has no .quire-site file)"),
            "{out}: {err}"
        );
        assert!(err.contains("--force"), "{out}: {err}");
        assert_eq!(snapshot(tmp.path()), before, "--out {out} changed files");
    }
    // A folder with a .git is refused even with --force.
    let repo_dir = home.join("code");
    std::fs::create_dir_all(repo_dir.join(".git")).unwrap();
    std::fs::write(repo_dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let before = snapshot(tmp.path());
    let o = run_in(&root, &home, &["build", "--out", "../../code", "--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(
        stderr(&o).contains("it holds a .git folder"),
        "{}",
        stderr(&o)
    );
    // And a folder inside the project's sources.
    let o = run_in(&root, &home, &["build", "--out", "content/site", "--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(
        stderr(&o).contains("inside the project's content/"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(tmp.path()), before);

    // With --force the folder that holds no project is replaced, and from then on it is a
    // site quire wrote.
    let o = run_in(&root, &home, &["build", "--out", "../../notes", "--force"]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(!notes.join("todo.txt").exists());
    assert!(notes.join(".quire-site").is_file());
    let o = run_in(&root, &home, &["build", "--out", "../../notes"]);
    assert!(o.status.success(), "{}", output_text(&o));
}

#[test]
fn output_dir_that_walks_up_to_the_project_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, root) = fake_home(tmp.path());
    std::fs::write(root.join("quire.toml"), "output_dir = \"../../\"\n").unwrap();
    let before = snapshot(tmp.path());
    let o = run_in(&root, &home, &["build"]);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(
        stderr(&o).contains("it holds the project"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn an_output_path_that_walks_through_itself_still_leaves_a_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("grid-2x4", &tmp.path().join("p"));
    for round in 0..3 {
        let o = run_in(&root, tmp.path(), &["build", "--out", "site/../site"]);
        assert!(o.status.success(), "round {round}: {}", output_text(&o));
        assert!(root.join("site/index.html").is_file(), "round {round}");
        assert!(root.join("site/.quire-site").is_file(), "round {round}");
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("quire-"))
            .collect();
        assert!(names.is_empty(), "round {round}: left {names:?}");
    }
    // Through a symlink to the output, too: the link stays, the site behind it is replaced.
    std::os::unix::fs::symlink(root.join("site"), root.join("public")).unwrap();
    let o = run_in(&root, tmp.path(), &["build", "--out", "public/../public"]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(root.join("public").is_symlink());
    assert!(root.join("public/index.html").is_file());
}

#[test]
fn the_marker_is_the_same_every_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("minimal", &tmp.path().join("p"));
    let out = root.join("site");
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let first = std::fs::read(out.join(".quire-site")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert_eq!(std::fs::read(out.join(".quire-site")).unwrap(), first);
    let text = String::from_utf8(first).unwrap();
    assert!(text.contains("quire build"), "{text}");
    assert!(!text.contains(&std::process::id().to_string()));
}

#[test]
fn staging_folders_of_killed_builds_are_removed_by_the_next_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("minimal", &tmp.path().join("p"));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    // What kill -9 leaves: a half-written staging folder and a retired old site, from
    // processes that no longer exist (pids past the kernel's maximum).
    let dead_new = root.join(".site.quire-new-4194999");
    let dead_old = root.join(".site.quire-old-4194998");
    for dir in [&dead_new, &dead_old] {
        std::fs::create_dir_all(dir.join("cells")).unwrap();
        std::fs::write(dir.join(".quire-site"), "").unwrap();
        std::fs::write(dir.join("cells/x.html"), vec![b'x'; 100_000]).unwrap();
    }
    // Not quire's (no marker), and one of a build that is still running: both stay.
    let foreign = root.join(".site.quire-new-4194997");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("mine.txt"), "mine").unwrap();
    let live = root.join(format!(".site.quire-new-{}", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    std::fs::write(live.join(".quire-site"), "").unwrap();
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert!(!dead_new.exists() && !dead_old.exists());
    assert_eq!(
        std::fs::read_to_string(foreign.join("mine.txt")).unwrap(),
        "mine"
    );
    assert!(live.join(".quire-site").exists());
}

#[test]
fn the_site_never_disappears_while_it_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("minimal", &tmp.path().join("p"));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let marker = root.join("site/.quire-site");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        let marker = marker.clone();
        std::thread::spawn(move || {
            let (mut looks, mut missing) = (0u64, 0u64);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                looks += 1;
                if !marker.exists() {
                    missing += 1;
                }
            }
            (looks, missing)
        })
    };
    for _ in 0..8 {
        let o = run_in(&root, tmp.path(), &["build"]);
        assert!(o.status.success(), "{}", output_text(&o));
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (looks, missing) = watcher.join().unwrap();
    assert_eq!(
        missing, 0,
        "site/ was missing in {missing} of {looks} looks"
    );
}

#[test]
fn single_file_refuses_to_overwrite_what_is_not_an_export() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("grid-2x4", &tmp.path().join("p"));
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/page.html"), "mine").unwrap();
    std::fs::write(root.join("notes.html"), "my notes").unwrap();
    let before = snapshot(tmp.path());
    for (target, expected) in [
        ("content/essay.md", "it is inside the project's content/"),
        ("content/new.html", "it is inside the project's content/"),
        ("static/page.html", "it is inside the project's static/"),
        ("notes.html", "it exists and is not a file quire exported"),
        (
            "site/../notes.html",
            "it exists and is not a file quire exported",
        ),
    ] {
        let o = run_in(&root, tmp.path(), &["build", "--single-file", target]);
        assert_eq!(o.status.code(), Some(1), "{target}: {}", output_text(&o));
        assert!(stderr(&o).contains(expected), "{target}: {}", stderr(&o));
        assert!(stderr(&o).contains("--force"), "{target}: {}", stderr(&o));
        assert_eq!(snapshot(tmp.path()), before, "{target} changed files");
    }
    // A previous export is replaced; --force replaces anything.
    let o = run_in(&root, tmp.path(), &["build", "--single-file", "essay.html"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let o = run_in(&root, tmp.path(), &["build", "--single-file", "essay.html"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let o = run_in(
        &root,
        tmp.path(),
        &["build", "--single-file", "notes.html", "--force"],
    );
    assert!(o.status.success(), "{}", output_text(&o));
    let html = std::fs::read_to_string(root.join("notes.html")).unwrap();
    assert!(
        html.starts_with("<!doctype html>\n<!-- quire single-file export"),
        "{}",
        &html[..200]
    );
}

/// Runs quire and kills it if it has not finished by a generous deadline: a build that
/// hangs fails the test instead of hanging it.
fn run_with_deadline(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run quire");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "quire {args:?} still running after 60 s: {}",
                output_text(&o)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_fifo_a_device_or_an_oversized_file_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("grid-2x4", &tmp.path().join("p"));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let site_before = snapshot(&root.join("site"));
    let mkfifo = |path: &Path| {
        let _ = std::fs::remove_file(path);
        let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
        assert!(status.success());
    };
    type Make = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Make)> = vec![
        ("content/essay.md", Box::new(mkfifo)),
        ("content/comments.toml", Box::new(mkfifo)),
        (
            "content/references.toml",
            Box::new(|p: &Path| {
                std::fs::remove_file(p).unwrap();
                std::os::unix::fs::symlink("/dev/zero", p).unwrap();
            }),
        ),
        (
            "content/grid.toml",
            Box::new(|p: &Path| {
                std::fs::remove_file(p).unwrap();
                std::os::unix::fs::symlink("/dev/urandom", p).unwrap();
            }),
        ),
        (
            "quire.toml",
            Box::new(|p: &Path| {
                // 65 MiB without writing 65 MiB: a sparse file.
                let f = std::fs::File::create(p).unwrap();
                f.set_len(65 * 1024 * 1024).unwrap();
            }),
        ),
    ];
    for (rel, make) in &cases {
        let case = tempfile::tempdir().unwrap();
        let croot = case.path().join("p");
        copy_dir(&root, &croot);
        make(&croot.join(rel));
        let before = snapshot(case.path());
        let o = run_with_deadline(&croot, &["build"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{rel}: {}", output_text(&o));
        assert!(err.contains(&format!("cannot read {rel}")), "{rel}: {err}");
        let expected = if *rel == "quire.toml" {
            "larger than 64 MiB"
        } else {
            "not a regular file (a FIFO, device or socket)"
        };
        assert!(err.contains(expected), "{rel}: {err}");
        assert_eq!(snapshot(case.path()), before, "{rel}: files changed");
        assert_eq!(
            snapshot(&croot.join("site")),
            site_before,
            "{rel}: site changed"
        );
    }
    // A theme file that is a FIFO is not read (only regular files are), so it cannot hang.
    let theme = root.join("themes/mine/templates");
    copy_dir(&repo().join("themes/default"), &root.join("themes/mine"));
    mkfifo(&theme.join("notes.txt"));
    std::fs::write(root.join("quire.toml"), "theme = \"mine\"\n").unwrap();
    let o = run_with_deadline(&root, &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
}

/// The tags of an HTML document as the browser's tokenizer sees them (script and style
/// contents are raw text, ended by `</script` / `</style` in any case).
fn tag_names(html: &str) -> Vec<String> {
    quire::html::tags(html)
        .into_iter()
        .map(|t| t.name)
        .collect()
}

#[test]
fn upper_case_end_tags_in_a_themes_js_or_css_do_not_break_out_when_inlined() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("grid-2x4", &tmp.path().join("p"));
    copy_dir(&repo().join("themes/default"), &root.join("themes/loud"));
    std::fs::write(root.join("quire.toml"), "theme = \"loud\"\n").unwrap();
    // The theme's script and stylesheet are concatenated from these parts.
    let js = root.join("themes/loud/static/js/90-payload.js");
    let css = root.join("themes/loud/static/css/95-payload.css");
    std::fs::write(&js, "").unwrap();
    std::fs::write(&css, "").unwrap();
    assert!(
        js.is_file() && css.is_file(),
        "the default theme's files moved"
    );
    let mut script = std::fs::read_to_string(&js).unwrap();
    script.push_str(
        "\nvar a = \"</SCRIPT><img src=x onerror=alert(1)>\";\nvar b = '</Script ><img src=y onerror=alert(2)>';\nvar c = \"<!--<script>\";\n",
    );
    std::fs::write(&js, script).unwrap();
    let mut style = std::fs::read_to_string(&css).unwrap();
    style.push_str("\n.x::after { content: \"</STYLE><img src=z onerror=alert(3)>\"; }\n");
    std::fs::write(&css, style).unwrap();
    let before = snapshot(&root.join("themes"));

    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let o = run_in(&root, tmp.path(), &["build", "--single-file", "essay.html"]);
    assert!(o.status.success(), "{}", output_text(&o));
    for page in ["site/404.html", "essay.html"] {
        let html = std::fs::read_to_string(root.join(page)).unwrap();
        let names = tag_names(&html);
        assert!(
            !names.iter().any(|n| n == "img"),
            "{page}: an <img> broke out"
        );
        assert_eq!(
            names.iter().filter(|n| *n == "script").count(),
            1,
            "{page}: one script element"
        );
        assert_eq!(
            names.iter().filter(|n| *n == "style").count(),
            1,
            "{page}: one style element"
        );
        assert!(html.contains("<\\/SCRIPT><img src=x"), "{page}");
        assert!(html.contains("<\\/Script ><img src=y"), "{page}");
        assert!(html.contains("<\\!--<script>"), "{page}");
        assert!(html.contains("<\\/STYLE><img src=z"), "{page}");
    }
    assert_eq!(snapshot(&root.join("themes")), before);
}

/// What a careless (or hostile) author might type: a quote to end an attribute, an angle
/// bracket to start a tag, an ampersand that must stay one.
const PAYLOAD: &str = "x\"onmouseover=\"alert(1)\" y='z' <x-pwn onclick=alert(2)> & &amp; end";

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Puts `PAYLOAD` into every author-supplied value that reaches an attribute (and most that
/// reach text) of a copy of the grid-2x4 fixture.
fn payload_project(dir: &Path) -> PathBuf {
    let root = project("grid-2x4", dir);
    let p = toml_string(PAYLOAD);
    let edit = |rel: &str, f: &dyn Fn(String) -> String| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let changed = f(text.clone());
        assert_ne!(changed, text, "{rel}: the payload went nowhere");
        std::fs::write(&path, changed).unwrap();
    };
    std::fs::write(root.join("quire.toml"), format!("title = {p}\n")).unwrap();
    edit("content/essay.md", &|t| {
        let t = t.replacen(
            "author = \"Test Author\"",
            &format!("author = {p}\ndescription = {p}"),
            1,
        );
        let t = t.replacen(
            "title = \"A garden through the year\"",
            &format!("title = {p}"),
            1,
        );
        t + "\n## Handlers {#g\"onmouseover=\"alert(1)\"}\n\n## Amp {#a&b}\n\n## Lt {#a&lt;b}\n\n## Class {#k .c\"onclick=\"alert(3)}\n\n## Single {#q'x}\n\nA [link](https://example.org/ 'ti\"tle <x-pwn> &amp;') and ![alt \" <x-pwn> &amp;](pic.png \"t\\\"x\").\n\n## x\"onmouseover=\"alert(1)\" y='z' \\<x-pwn onclick=alert(2)> & end\n"
    });
    // The image the payload's alt and title sit on: a 1x1 grey PNG.
    let png: &[u8] = &[
        137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 0,
        0, 0, 0, 58, 126, 155, 85, 0, 0, 0, 10, 73, 68, 65, 84, 120, 156, 99, 96, 0, 0, 0, 2, 0, 1,
        72, 175, 164, 113, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ];
    std::fs::write(root.join("content/pic.png"), png).unwrap();
    edit("content/grid.toml", &|t| {
        t.replacen(
            "caption = \"Garden work by how long the plants live and by season\"",
            &format!("caption = {p}"),
            1,
        )
        .replacen("from = \"Quick wins\"", &format!("from = {p}"), 1)
        .replacen("to = \"Long projects\"", &format!("to = {p}"), 1)
        .replacen("label = \"Short-lived plants\"", &format!("label = {p}"), 1)
        .replacen("label = \"Spring\"", &format!("label = {p}"), 1)
        .replacen(
            "meaning = \"Perennials, shrubs and trees.\"",
            &format!("meaning = {p}"),
            1,
        )
    });
    edit("content/references.toml", &|t| {
        t.replacen("title = \"Soil and Season\"", &format!("title = {p}"), 1)
            .replacen("venue = \"Fictional Press\"", &format!("venue = {p}"), 1)
            .replacen(
                "authors = [\"Ann Gardener\"]",
                &format!("authors = [{p}]"),
                1,
            )
            .replacen(
                "note = \"The general handbook.\"",
                &format!("note = {p}"),
                1,
            )
            .replacen(
                "url = \"https://example.org/soil\"",
                "url = \"https://example.org/soil?a=1&b=\\\"2\\\"<x-pwn>\"",
                1,
            )
    });
    edit("content/comments.toml", &|t| {
        t.replacen("author = \"a reader\"", &format!("author = {p}"), 1)
    });
    root
}

#[test]
fn quotes_angles_and_ampersands_in_every_author_value_stay_inside_their_attribute() {
    let tmp = tempfile::tempdir().unwrap();
    let root = payload_project(&tmp.path().join("p"));
    // The grid's table labels must match grid.toml's: the test renames them there only, so
    // the essay's table is made to match.
    // (Raw HTML in the essay is passed through by design, so the essay's copy holds no
    // angle bracket.)
    let label = "x\"onmouseover=\"alert(1)\" y='z' & end";
    let essay = std::fs::read_to_string(root.join("content/essay.md")).unwrap();
    let essay = essay
        .replacen("| Spring |", &format!("| {label} |"), 1)
        .replacen("| Short-lived plants |", &format!("| {label} |"), 1);
    std::fs::write(root.join("content/essay.md"), essay).unwrap();
    let grid = std::fs::read_to_string(root.join("content/grid.toml")).unwrap();
    let grid = grid.replacen(
        &format!("label = {}", toml_string(PAYLOAD)),
        &format!("label = {}", toml_string(label)),
        2,
    );
    std::fs::write(root.join("content/grid.toml"), grid).unwrap();
    let before = snapshot(&root.join("content"));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let o = run_in(&root, tmp.path(), &["build", "--single-file", "essay.html"]);
    assert!(o.status.success(), "{}", output_text(&o));
    assert_eq!(snapshot(&root.join("content")), before);

    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(root.join("site"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.push(root.join("essay.html"));
    let mut heading_ids = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for tag in quire::html::tags(&html) {
            assert_ne!(
                tag.name,
                "x-pwn",
                "{}: a tag broke out: {}",
                page.display(),
                &html[tag.span.start.saturating_sub(300)..tag.span.end]
            );
            for attr in &tag.attrs {
                assert!(
                    !attr.name.starts_with("on"),
                    "{}: <{} {}=...> broke out",
                    page.display(),
                    tag.name,
                    attr.name
                );
            }
            if tag.name == "h2"
                && let Some(id) = tag.get("id")
            {
                heading_ids.push(id.to_string());
            }
        }
    }
    // The explicit ids are kept as the author wrote them, ampersand entity and all.
    for id in ["g\"onmouseover=\"alert(1)\"", "a&b", "a&lt;b", "k", "q'x"] {
        assert!(
            heading_ids.iter().any(|h| h == id),
            "{id:?} not in {heading_ids:?}"
        );
    }
}

/// `file:line:` of the first occurrence of `needle` in the project file `rel`.
fn line_of(root: &Path, rel: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {rel}"));
    format!(
        "{rel}:{}:",
        text[..at].lines().count().max(1) + usize::from(text[..at].ends_with('\n'))
    )
}

#[test]
fn javascript_data_and_vbscript_urls_from_the_author_are_build_errors_at_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("grid-2x4", &tmp.path().join("p"));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let edit = |rel: &str, from: &str, to: &str| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "content/references.toml",
        "url = \"https://example.org/soil\"",
        "url = \"javascript:alert(document.domain)\"",
    );
    edit(
        "content/essay.md",
        "date = 2023-05-06",
        "date = 2023-05-06\noriginal_url = \" JavaScript:alert(1)\"",
    );
    edit(
        "content/essay.md",
        "[the chore everyone knows](cell:perennial-summer)",
        "[the chore everyone knows](vbscript:msgbox)",
    );
    edit(
        "content/essay.md",
        "A note citing [@gardener2001].",
        "A note citing [@gardener2001] and [a page](data:text/html,<script>alert(1)</script>).",
    );
    let before = snapshot(tmp.path());
    let o = run_in(&root, tmp.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    for (rel, needle, scheme) in [
        (
            "content/references.toml",
            "javascript:alert(document",
            "javascript",
        ),
        ("content/essay.md", "JavaScript:alert(1)", "javascript"),
        (
            "content/essay.md",
            "[the chore everyone knows](vbscript",
            "vbscript",
        ),
        ("content/essay.md", "[a page](data:", "data"),
    ] {
        let at = line_of(&root, rel, needle);
        assert!(err.contains(&at), "expected an error at {at} in:\n{err}");
        assert!(
            err.contains(&format!("`{scheme}:` URL in {rel}: only http, https and mailto links and relative paths are allowed")),
            "{scheme} in {rel}:\n{err}"
        );
    }
    assert!(
        err.contains("the previous site was left as it was"),
        "{err}"
    );
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn check_reports_script_urls_anywhere_in_a_built_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project("minimal", &tmp.path().join("p"));
    let o = run_in(&root, tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", output_text(&o));
    let o = run_in(&root, tmp.path(), &["check"]);
    assert!(o.status.success(), "a clean site: {}", output_text(&o));
    // Someone edits the built site by hand, or raw HTML in the essay carries a payload.
    std::fs::write(
        root.join("site/extra.html"),
        concat!(
            "<!doctype html><title>x</title>\n",
            "<a href=\"javascript:alert(1)\">a</a>\n",
            "<a href=\" VBScript:msgbox\">b</a>\n",
            "<a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">c</a>\n",
            "<iframe src=\"DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></iframe>\n",
            "<form action=\"java&#x09;script:alert(1)\"></form>\n",
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"\">\n",
        ),
    )
    .unwrap();
    let before = snapshot(tmp.path());
    let o = run_in(&root, tmp.path(), &["check"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    for (line, link) in [
        (2, "javascript:alert(1)"),
        (3, " VBScript:msgbox"),
        (4, "data:text/html,<script>alert(1)</script>"),
        (5, "DATA:text/html;base64,"),
        (6, "java\tscript:alert(1)"),
    ] {
        let needle = format!("extra.html:{line}:");
        let hit = out
            .lines()
            .find(|l| l.contains(&needle))
            .unwrap_or_else(|| panic!("no problem reported at {needle}:\n{}", output_text(&o)));
        assert!(hit.contains(link), "{hit}");
        assert!(hit.contains("script"), "{hit}");
    }
    assert!(
        !out.contains("extra.html:7:"),
        "a data: image is not a script: {out}"
    );
    assert_eq!(snapshot(tmp.path()), before, "check changed files");
}

/// Sends `request` as given and reads the answer until the server closes the connection.
fn raw_request(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to quire serve");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

fn status_of(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or("(no response)")
}

#[test]
fn serve_answers_only_to_its_own_names() {
    use crate::serve_helper::Server;
    let project = crate::serve_helper::project();
    let server = Server::start_with(project.path(), &["--allow-host", "Quire.Test"]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    let ask = |host: Option<&str>, path: &str| {
        let host_line = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        raw_request(
            &server.addr,
            &format!("GET {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n"),
        )
    };
    let before = snapshot(&project.path().join("content"));
    // A page on another site whose name was rebound to 127.0.0.1 sends its own name.
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "10.0.0.1".to_string(),
    ] {
        for path in ["/", "/index.html", "/__quire/events", "/references.html"] {
            let r = ask(Some(&host), path);
            assert_eq!(status_of(&r), "421", "Host {host} {path}: {r}");
            assert!(r.contains("--allow-host"), "{r}");
            assert!(!r.contains("<main"), "Host {host} {path} got the site: {r}");
        }
    }
    let r = ask(None, "/");
    assert_eq!(status_of(&r), "421", "no Host: {r}");
    for host in [
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_string(),
        format!("quire.test:{port}"),
    ] {
        let r = ask(Some(&host), "/");
        assert_eq!(status_of(&r), "200", "Host {host}: {r}");
        assert!(r.contains("<main"), "Host {host}: {r}");
    }
    assert_eq!(snapshot(&project.path().join("content")), before);
}

#[test]
fn serve_closes_connections_that_are_slow_or_idle() {
    use crate::serve_helper::Server;
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let project = crate::serve_helper::project();
    let server = Server::start(project.path());
    let addr = server.addr.clone();
    let deadline = Duration::from_secs(60);
    // Each client returns what it saw and how long the server kept it.
    let slow_headers = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let started = Instant::now();
            s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
                .unwrap();
            // One header line a second, never the blank line that ends them.
            let mut n = 0;
            while started.elapsed() < deadline {
                if s.write_all(format!("X-Slow-{n}: a\r\n").as_bytes())
                    .is_err()
                {
                    return ("write failed", started.elapsed());
                }
                n += 1;
                let mut buf = [0u8; 512];
                match s.read(&mut buf) {
                    Ok(0) => return ("closed", started.elapsed()),
                    Ok(_) => return ("answered", started.elapsed()),
                    Err(e)
                        if e.kind() == std::io::ErrorKind::WouldBlock
                            || e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => return ("closed", started.elapsed()),
                }
                std::thread::sleep(Duration::from_millis(800));
            }
            ("still open", started.elapsed())
        })
    };
    let silent = |first_request: bool| {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(deadline)).unwrap();
            let mut seen = Vec::new();
            if first_request {
                // One complete keep-alive request, answered; then silence.
                s.write_all(format!("GET /index.html HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
                    .unwrap();
            }
            let started = Instant::now();
            let mut buf = [0u8; 65536];
            loop {
                match s.read(&mut buf) {
                    Ok(0) => {
                        return (
                            String::from_utf8_lossy(&seen).into_owned(),
                            started.elapsed(),
                            true,
                        );
                    }
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                    Err(_) => {
                        return (
                            String::from_utf8_lossy(&seen).into_owned(),
                            started.elapsed(),
                            false,
                        );
                    }
                }
            }
        })
    };
    let idle_fresh = silent(false);
    let idle_after_response = silent(true);

    let (what, took) = slow_headers.join().unwrap();
    assert_eq!(what, "closed", "slow headers: {what} after {took:?}");
    let (seen, took, closed) = idle_fresh.join().unwrap();
    assert!(
        closed,
        "a connection that sent nothing was still open after {took:?}"
    );
    assert!(
        seen.is_empty() || seen.starts_with("HTTP/1.1 408"),
        "{seen}"
    );
    let (seen, took, closed) = idle_after_response.join().unwrap();
    assert!(
        closed,
        "an idle keep-alive connection was still open after {took:?}"
    );
    assert!(
        seen.starts_with("HTTP/1.1 200"),
        "{}",
        &seen[..seen.len().min(200)]
    );
    // And the server still serves.
    let r = raw_request(
        &addr,
        &format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status_of(&r), "200", "{r}");
}

/// A project whose thread quotes `a`, `aa`, `aaa`, … against one paragraph of `a`s.
fn overlapping_quotes_project(dir: &Path, quotes: usize, essay_bytes: usize) -> PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(
        content.join("essay.md"),
        format!(
            "+++\ntitle = \"Overlapping quotes\"\n+++\n{}\n",
            "a".repeat(essay_bytes)
        ),
    )
    .unwrap();
    let mut toml = String::new();
    for n in 1..=quotes {
        toml.push_str(&format!(
            "[[comment]]\nid = \"c{n}\"\nbody = \"x\"\n\n[[comment.annotation]]\nquote = \"{}\"\n\n",
            "a".repeat(n)
        ));
    }
    std::fs::write(content.join("comments.toml"), toml).unwrap();
    dir.to_path_buf()
}

#[test]
fn overlapping_quotes_stop_at_a_clear_limit() {
    // The red team's case at a size a debug build runs quickly: 2,000 quotes against
    // 200 KB would make 400 million overlapping matches. Its full size (10,000 against
    // 1 MB) is timed by bench/overlapping_quotes.py.
    let tmp = tempfile::tempdir().unwrap();
    let root = overlapping_quotes_project(&tmp.path().join("p"), 2_000, 200_000);
    let before = snapshot(tmp.path());
    let o = run_with_deadline(&root, &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(
        err.contains("the annotation quotes match the essay more than 1000000 times between them, quire's limit"),
        "{err}"
    );
    assert!(err.contains("content/comments.toml:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);

    // Under the limit, overlapping quotes are counted as `str::matches` counts them:
    // `aaa` in a paragraph of four `a`s matches once; `aa` twice.
    let tmp = tempfile::tempdir().unwrap();
    let root = overlapping_quotes_project(&tmp.path().join("p"), 3, 4);
    let toml = std::fs::read_to_string(root.join("content/comments.toml")).unwrap();
    std::fs::write(
        root.join("content/comments.toml"),
        toml.replacen("quote = \"a\"\n", "quote = \"aaaa\"\n", 1),
    )
    .unwrap();
    let o = run_with_deadline(&root, &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    assert!(
        err.contains("comment `c2`: quote matches 2 passages"),
        "{err}"
    );
    assert!(!err.contains("comment `c1`"), "{err}");
    assert!(!err.contains("comment `c3`"), "{err}");
}

#[test]
fn quire_new_ignores_what_a_killed_build_leaves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("essay");
    let o = run_in(tmp.path(), tmp.path(), &["new", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", output_text(&o));
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    let lines: Vec<&str> = ignore.lines().collect();
    assert!(lines.contains(&"/site/"), "{ignore}");
    assert!(lines.contains(&"/.site.quire-*"), "{ignore}");
    // As git reads it.
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("git")
    };
    assert!(git(&["init", "-q"]).status.success());
    for path in [
        ".site.quire-new-4242/index.html",
        ".site.quire-old-7/.quire-site",
        "site/index.html",
    ] {
        let o = git(&["check-ignore", "-q", path]);
        assert!(o.status.success(), "{path} is not ignored by:\n{ignore}");
    }
    assert!(
        !git(&["check-ignore", "-q", "content/essay.md"])
            .status
            .success()
    );
    // And the project builds twice (the second build replaces the first, marker and all).
    for _ in 0..2 {
        let o = run_in(&dir, tmp.path(), &["build"]);
        assert!(o.status.success(), "{}", output_text(&o));
    }
}
