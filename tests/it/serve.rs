//! `quire serve` end to end: the real binary on an ephemeral port, serving a temporary copy
//! of the repository's project, driven by file edits and raw HTTP.

use std::time::Duration;

use crate::serve_helper::*;

const WAIT: Duration = Duration::from_secs(20);

fn essay(server: &Server) -> std::path::PathBuf {
    server.root.join("content/essay.md")
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The essay with `marker` as an extra paragraph at the end.
fn with_marker(original: &str, marker: &str) -> String {
    format!("{original}\n\n{marker}\n")
}

fn build_of(event: &Received) -> u64 {
    event.data["build"].as_u64().unwrap()
}

#[test]
fn an_edit_reloads_open_pages_with_the_new_content() {
    let project = project();
    let server = Server::start(project.path());
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "binds loopback by default: {}",
        server.url
    );
    let events = server.events();
    let hello = events.next(WAIT);
    assert_eq!(hello.name, "hello", "{:?}", hello);
    assert_eq!(hello.data["errors"], serde_json::json!([]));

    let original = read(&essay(&server));
    save_like_vim(
        &essay(&server),
        &with_marker(&original, "Marker paragraph one."),
    );
    let reload = events.until(WAIT, |e| e.name == "reload");
    assert!(build_of(&reload) > build_of(&hello));
    assert_eq!(reload.data["page_build"], reload.data["build"]);
    // The event comes only once the new site is in place.
    let page = server.get("/index.html");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Marker paragraph one."),
        "new content served"
    );

    // The script is in what is served, never in what is written.
    assert!(page.body.contains("id=\"quire-live\""));
    assert!(
        page.body
            .contains(&format!("data-page-build=\"{}\"", build_of(&reload)))
    );
    let on_disk = read(&server.root.join("site/index.html"));
    assert!(on_disk.contains("Marker paragraph one."));
    assert!(!on_disk.contains("quire-live") && !on_disk.contains("__quire"));
}

#[test]
fn a_stylesheet_change_swaps_css_without_reloading() {
    let project = project();
    let server = Server::start(project.path());
    let events = server.events();
    let hello = events.next(WAIT);
    let css = server.root.join("themes/default/static/css/00-base.css");
    let original = read(&css);
    save_by_rename(
        &css,
        &format!("{original}\n.serve-test {{ color: inherit; }}\n"),
    );
    let event = events.until(WAIT, |e| e.name != "hello");
    assert_eq!(event.name, "css", "{:?}", event);
    assert_eq!(event.data["page_build"], hello.data["page_build"]);
    assert!(build_of(&event) > build_of(&hello));
    assert!(server.get("/quire.css").body.contains(".serve-test"));
}

#[test]
fn requests_stay_inside_the_output_folder() {
    let project = project();
    let server = Server::start(project.path());
    let secret = "the essay source must never be served";
    std::fs::write(project.path().join("secret.txt"), secret).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        project.path().join("secret.txt"),
        project.path().join("site/link.txt"),
    )
    .unwrap();
    for path in [
        "/../secret.txt",
        "/cells/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/cells/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/C:%5cWindows%5cwin.ini",
        "/link.txt",
        "/cells/",
        "/missing.html",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}: {response:?}");
        assert!(!response.body.contains(secret), "{path} leaked the file");
        assert!(
            !response.body.contains("root:"),
            "{path} leaked /etc/passwd"
        );
    }
    // A raw backslash is not even a valid request target: refused before any file lookup.
    for path in ["/..\\secret.txt", "/cells\\..\\..\\secret.txt"] {
        let response = server.get(path);
        assert!(
            response.status == 404 || response.status == 400,
            "{path}: {response:?}"
        );
        assert!(!response.body.contains(secret), "{path} leaked the file");
    }

    // Missing pages get the site's 404.html, rebased so its relative links work anywhere.
    let missing = server.get("/cells/missing.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"), "{}", missing.body);
    assert!(missing.body.contains("<base href=\"/\">"));
    assert!(missing.body.contains("quire-live"));

    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/references.html", "text/html; charset=utf-8"),
        ("/cells/cognitivist-worst.html", "text/html; charset=utf-8"),
        ("/quire.css", "text/css; charset=utf-8"),
        ("/quire.js", "text/javascript; charset=utf-8"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some(content_type),
            "{path}"
        );
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    }
    // Every file the build wrote is served with a specific type.
    for entry in walk(&project.path().join("site")) {
        let rel = entry
            .strip_prefix(project.path().join("site"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "link.txt" {
            continue;
        }
        let response = server.get(&format!("/{rel}"));
        assert_eq!(response.status, 200, "{rel}");
        assert_ne!(
            response.header("content-type"),
            Some("application/octet-stream"),
            "{rel} has no specific Content-Type"
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_broken_edit_shows_the_error_and_the_fix_clears_it() {
    let project = project();
    let mut server = Server::start(project.path());
    let events = server.events();
    events.next(WAIT);
    let original = read(&essay(&server));
    let before = server.get("/index.html").body;

    // An unknown cell in a cell: link is an error with a line number.
    let broken = with_marker(&original, "See [this cell](cell:no-such-cell).");
    save_like_vim(&essay(&server), &broken);
    let error = events.until(WAIT, |e| e.name == "error");
    let first = &error.data["errors"][0];
    assert_eq!(first["file"], "content/essay.md", "{}", error.data);
    assert!(first["line"].as_u64().unwrap() > 1, "{}", error.data);
    assert!(
        first["message"].as_str().unwrap().contains("no-such-cell"),
        "{}",
        error.data
    );
    assert!(
        first["rendered"]
            .as_str()
            .unwrap()
            .contains("content/essay.md:")
    );
    // The last good site is still served, and the terminal says the same.
    assert_eq!(server.get("/index.html").body, before);
    server.wait_for_stderr(WAIT, "no-such-cell");
    assert!(server.is_running());

    // A late page learns of the error from its first event.
    let late = server.events();
    assert_eq!(
        late.next(WAIT).data["errors"][0]["file"],
        "content/essay.md"
    );

    // Fixing it back to the exact last good content clears the overlay without a reload.
    save_like_vim(&essay(&server), &original);
    let ok = events.until(WAIT, |e| e.name != "error");
    assert_eq!(ok.name, "ok", "{:?}", ok);
    assert_eq!(ok.data["errors"], serde_json::json!([]));

    // Broken again, then a fix with new content: reload, errors gone.
    save_like_vim(&essay(&server), &broken);
    events.until(WAIT, |e| e.name == "error");
    save_like_vim(&essay(&server), &with_marker(&original, "Fixed now."));
    let reload = events.until(WAIT, |e| e.name != "error");
    assert_eq!(reload.name, "reload");
    assert_eq!(reload.data["errors"], serde_json::json!([]));
    assert!(server.get("/index.html").body.contains("Fixed now."));
    assert!(server.is_running());
}

#[test]
fn two_hundred_rapid_saves_end_in_the_final_content() {
    let project = project();
    let server = Server::start(project.path());
    let events = server.events();
    events.next(WAIT);
    let path = essay(&server);
    let original = read(&path);
    for i in 0..200 {
        let text = with_marker(&original, &format!("Rapid save number {i}."));
        match i % 3 {
            0 => std::fs::write(&path, text).unwrap(),
            1 => save_like_vim(&path, &text),
            _ => save_by_rename(&path, &text),
        }
    }
    let last = events.until(WAIT, |e| {
        e.name == "reload"
            && server
                .get("/index.html")
                .body
                .contains("Rapid save number 199.")
    });
    let body = server.get("/index.html").body;
    assert!(body.contains("Rapid save number 199."));
    assert!(!body.contains("Rapid save number 198."));
    // No stale build follows the final one.
    if let Some(later) = events.try_next(Duration::from_millis(300)) {
        panic!("an event after the final content: {later:?}");
    }
    let builds = server.stderr().matches("rebuilt in").count();
    eprintln!(
        "200 saves -> {builds} rebuilds; last build {}",
        build_of(&last)
    );
    assert!(builds < 200, "saves were not coalesced: {builds} rebuilds");
    // The final build is clean. (A build during the stream may catch a file half-written
    // by `std::fs::write` and say so: on a busy machine the stream outlasts the longest
    // wait, so a build must happen mid-stream. That error is gone with the next build.)
    assert_eq!(
        last.data["errors"],
        serde_json::json!([]),
        "{}",
        server.stderr()
    );
}

#[test]
fn deleting_and_recreating_the_essay_recovers() {
    let project = project();
    let mut server = Server::start(project.path());
    let events = server.events();
    events.next(WAIT);
    let path = essay(&server);
    let original = read(&path);

    std::fs::remove_file(&path).unwrap();
    let error = events.until(WAIT, |e| e.name == "error");
    assert!(
        error.data["errors"].to_string().contains("essay.md"),
        "{}",
        error.data
    );
    assert_eq!(
        server.get("/index.html").status,
        200,
        "last good site still served"
    );
    assert!(server.is_running());

    std::fs::write(&path, with_marker(&original, "Back again.")).unwrap();
    let reload = events.until(WAIT, |e| e.name == "reload");
    assert_eq!(reload.data["errors"], serde_json::json!([]));
    assert!(server.get("/index.html").body.contains("Back again."));

    // Edits keep working after the file was replaced.
    std::fs::write(&path, with_marker(&original, "And again.")).unwrap();
    events.until(WAIT, |e| e.name == "reload");
    assert!(server.get("/index.html").body.contains("And again."));
}

#[test]
fn temp_and_swap_files_do_not_rebuild() {
    let project = project();
    let server = Server::start(project.path());
    let events = server.events();
    events.next(WAIT);
    let content = project.path().join("content");
    for name in [
        ".essay.md.swp",
        "essay.md~",
        ".#essay.md",
        "4913",
        "essay.md.tmp",
        "essay.md___jb_tmp___",
    ] {
        std::fs::write(content.join(name), "not content").unwrap();
        std::fs::remove_file(content.join(name)).unwrap();
    }
    // Then a real save. Each rebuild names the sources it was for, so no timing is
    // involved: had a scratch file counted, it would show in the first rebuild's line
    // (its own rebuild, or one shared with the save).
    let original = read(&content.join("essay.md"));
    std::fs::write(
        content.join("essay.md"),
        with_marker(&original, "Real save."),
    )
    .unwrap();
    events.until(WAIT, |e| e.name == "reload");
    let stderr = server.wait_for_stderr(WAIT, "rebuilt in");
    let rebuilds: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("rebuilt in"))
        .collect();
    assert_eq!(rebuilds.len(), 1, "{stderr}");
    assert!(
        rebuilds[0].contains(" ms after content/essay.md: "),
        "the only rebuild is for essay.md: {stderr}"
    );
    assert!(server.get("/index.html").body.contains("Real save."));
}

#[test]
fn polling_notices_changes_too() {
    let project = project();
    let server = Server::start_with(project.path(), &["--poll"]);
    let events = server.events();
    events.next(WAIT);
    let path = essay(&server);
    let original = read(&path);
    std::fs::write(&path, with_marker(&original, "Seen by polling.")).unwrap();
    events.until(WAIT, |e| e.name == "reload");
    assert!(server.get("/index.html").body.contains("Seen by polling."));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let project = project();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--port", &port, "--root"])
        .arg(project.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("already in use"), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn files_beside_the_essay_are_served_with_their_types_and_rebuilt_on_change() {
    let tmp = crate::support::fixture_copy("second-essay");
    let root = tmp.path().join("project");
    let server = Server::start(&root);
    let events = server.events();
    let hello = events.next(WAIT);
    assert_eq!(hello.name, "hello", "{hello:?}");
    for (path, media) in [
        ("/figures/rows.svg", "image/svg+xml"),
        ("/figures/box.png", "image/png"),
        ("/favicon.svg", "image/svg+xml"),
        ("/welcome.txt", "text/plain; charset=utf-8"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(media), "{path}");
    }
    // A file in static/ changes: the site is rebuilt with it.
    save_like_vim(&root.join("static/welcome.txt"), "Changed static file.\n");
    let reload = events.until(WAIT, |e| e.name == "reload");
    assert!(build_of(&reload) > build_of(&hello));
    assert_eq!(server.get("/welcome.txt").body, "Changed static file.\n");
    // And a figure beside the essay.
    let svg = read(&root.join("content/figures/rows.svg")).replace("#888", "#777");
    save_like_vim(&root.join("content/figures/rows.svg"), &svg);
    let again = events.until(WAIT, |e| {
        e.name == "reload" && build_of(e) > build_of(&reload)
    });
    assert!(build_of(&again) > build_of(&reload));
    assert!(server.get("/figures/rows.svg").body.contains("#777"));
}
