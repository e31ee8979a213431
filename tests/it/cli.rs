//! The command line as a person meets it: help with examples for every verb, `--version`,
//! shell completions, `--quiet`, the one-line build summary, and colour only on a terminal
//! (with `NO_COLOR` and `--color` respected).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_quire")
}

fn quire(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run quire")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const ESC: &str = "\x1b[";

#[test]
fn help_lists_every_verb_with_examples() {
    let o = quire(&["--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for verb in ["build", "new", "completions"] {
        assert!(help.contains(&format!("  {verb} ")), "{verb} in:\n{help}");
    }
    assert!(
        !help.contains("  schema "),
        "the maintainers' verb is hidden"
    );
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("quire new my-essay"), "{help}");
    assert!(
        help.contains("--quiet") && help.contains("--color"),
        "{help}"
    );
    for verb in ["build", "new", "completions"] {
        let o = quire(&[verb, "--help"]);
        assert!(o.status.success(), "{verb} --help");
        let help = stdout(&o);
        assert!(help.contains("Examples:"), "{verb} --help:\n{help}");
        assert!(
            help.contains(&format!("quire {verb}")),
            "{verb} --help:\n{help}"
        );
    }
    let help = stdout(&quire(&["new", "--help"]));
    for flag in ["--title", "--rows", "--columns", "--force"] {
        assert!(help.contains(flag), "{flag}");
    }
}

#[test]
fn version_names_the_release() {
    let o = quire(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o).trim(),
        format!("quire {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef quire"),
        ("fish", "complete -c quire"),
    ] {
        let o = quire(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}:\n{script}");
        // The verbs and a verb's flags are completed.
        assert!(
            script.contains("new") && script.contains("columns"),
            "{shell}"
        );
    }
    let o = quire(&["completions", "tcsh"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("possible values"), "{}", stderr(&o));
}

#[test]
fn completion_scripts_are_valid_shell() {
    // bash can at least parse what we print; the other shells may not be installed.
    let o = quire(&["completions", "bash"]);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("quire.bash");
    std::fs::write(&path, o.stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}

fn build_into(out: &Path, extra: &[&str]) -> Output {
    let root = repo();
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    quire(&args)
}

#[test]
fn a_build_ends_with_one_summary_line_and_quiet_silences_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build_into(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("built ") && last.contains(" pages ") && last.ends_with(" ms"),
        "{err}"
    );
    assert_eq!(stdout(&o), "", "nothing on stdout");

    for flag in ["--quiet", "-q"] {
        let o = build_into(&out, &[flag]);
        assert!(o.status.success());
        assert_eq!(stderr(&o), "", "{flag}");
    }
    // The flag is global: it may come before the verb.
    let o = quire(&[
        "-q",
        "build",
        "--root",
        repo().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(stderr(&o), "");
    // The single-file export obeys it too.
    let single = tmp.path().join("essay.html");
    let o = quire(&[
        "-q",
        "build",
        "--root",
        repo().to_str().unwrap(),
        "--single-file",
        single.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "--single-file under --quiet");
    assert!(single.is_file());
}

#[test]
fn quiet_never_hides_errors() {
    let o = quire(&["new", "/nonexistent-dir-for-quire/x", "--rows", "0", "-q"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("a grid needs 1 to 12 rows"));
}

/// An error from a failing command, run under a pseudo-terminal when `tty` is set
/// (util-linux `script`), with `NO_COLOR` set or not.
fn error_output(tty: bool, no_color: bool, extra: &[&str]) -> String {
    let mut args = vec![bin(), "new", "/nonexistent-dir-for-quire/x", "--rows", "0"];
    args.extend_from_slice(extra);
    let mut cmd = if tty {
        let line = args
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut c = Command::new("script");
        c.args(["-qec", &line, "/dev/null"]);
        c
    } else {
        let mut c = Command::new(args[0]);
        c.args(&args[1..]);
        c
    };
    cmd.env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let o = cmd
        .output()
        .expect("run quire (under `script` from util-linux for the terminal cases)");
    // `script` puts the terminal's output on stdout.
    format!("{}{}", stdout(&o), stderr(&o))
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let on_tty = error_output(true, false, &[]);
    assert!(on_tty.contains("a grid needs"), "{on_tty}");
    assert!(on_tty.contains(ESC), "a terminal gets colour: {on_tty:?}");

    let piped = error_output(false, false, &[]);
    assert!(piped.contains("a grid needs"), "{piped}");
    assert!(!piped.contains(ESC), "a pipe gets none: {piped:?}");

    let no_color = error_output(true, true, &[]);
    assert!(no_color.contains("a grid needs"), "{no_color}");
    assert!(!no_color.contains(ESC), "NO_COLOR wins: {no_color:?}");

    let never = error_output(true, false, &["--color", "never"]);
    assert!(!never.contains(ESC), "--color never: {never:?}");
    let always = error_output(false, false, &["--color", "always"]);
    assert!(always.contains(ESC), "--color always: {always:?}");
}

#[test]
fn the_hidden_schema_verb_writes_the_committed_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let o = quire(&["schema", tmp.path().to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let committed = repo().join("docs/schemas");
    let mut n = 0;
    for entry in std::fs::read_dir(tmp.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            std::fs::read_to_string(committed.join(name)).unwrap_or_default(),
            "{}",
            name.to_string_lossy()
        );
        n += 1;
    }
    assert_eq!(n, 5);
}
