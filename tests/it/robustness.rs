//! Bad input never panics, hangs, or fails without saying where.
//!
//! The valid fixtures (tests/fixtures/valid/minimal and the repository's own content/) are
//! mutated deterministically — truncated, lines dropped and doubled, characters swapped,
//! Markdown and TOML syntax, control characters and invalid UTF-8 inserted, files emptied or
//! replaced by folders, nesting thousands deep, TOML values of the wrong type — and the real
//! binary builds each one over an existing site. Every run must exit 0 or 1 within the time
//! limit, never print "panicked", name a `file:line:col` when it fails (unless a file is
//! missing or unreadable as a whole), and leave the previous site byte-for-byte as it was.
//! Some cases also run `quire check` and `quire build --single-file`.
//!
//! `QUIRE_ROBUST_KEEP=1` copies every failing case's project to target/robustness-failures/.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::repo;

/// A build that has used this much CPU is spinning: a hang, whatever the machine's load.
/// (Measured in CPU time, not wall time, so a busy machine can't fail the test.)
const CPU_LIMIT: Duration = Duration::from_secs(30);
/// A build blocked without using CPU (a read that never returns) is caught by wall time,
/// with a deadline generous enough for any load.
const WALL_LIMIT: Duration = Duration::from_secs(600);
const FILES: [&str; 4] = [
    "content/essay.md",
    "content/grid.toml",
    "content/comments.toml",
    "content/references.toml",
];

/// A small deterministic xorshift generator: the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What happens to one file of a project.
#[derive(Clone)]
enum Change {
    Bytes(Vec<u8>),
    Directory,
}

#[derive(Clone)]
struct Case {
    name: String,
    base: &'static str,
    /// Files replaced (relative to the project root).
    changes: Vec<(String, Change)>,
    /// Also run `check` and `build --single-file`.
    extra: bool,
}

fn base_dir(base: &str) -> PathBuf {
    match base {
        "minimal" => repo().join("tests/fixtures/valid/minimal"),
        _ => repo(),
    }
}

fn original(base: &str, rel: &str) -> Vec<u8> {
    std::fs::read(base_dir(base).join(rel)).unwrap()
}

/// Byte offsets at which a line starts.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|i| *i < bytes.len()),
    );
    starts
}

fn splice(bytes: &[u8], at: usize, insert: &[u8]) -> Vec<u8> {
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(insert);
    out.extend_from_slice(&bytes[at..]);
    out
}

const TOKENS: &[&str] = &[
    "[",
    "]",
    "+++",
    "+++\n",
    "|",
    "[^x]",
    "[^x]: ",
    "[@",
    "[@]",
    "[@nokey]",
    "](cell:",
    "](ref:",
    "[a](cell:)",
    "[a](ref:)",
    "[a](cell:nope)",
    "\u{202E}",
    "\0",
    "\r",
    "\r\n",
    "\u{feff}",
    "\"",
    "'''",
    "\"\"\"",
    "=",
    "[[",
    "]]",
    "{",
    "}",
    "#",
    "# ",
    "\n# \n",
    "\n|\n|-|\n",
    "\n| a | b |\n|---|\n| 1 | 2 | 3 |\n",
    "\n||\n||\n",
    "`",
    "```",
    "\n```\n",
    "<",
    "<script>",
    "<!--",
    "*",
    "_",
    "\\",
    "&",
    "&#0;",
    "\n> ",
    "\n- ",
    "\n1. ",
    "{#p1}",
    "{#}",
    "\n[^x]: note\n",
    "\n[^x]: note\n[^x]: again\n",
    "\n[[comment]]\nid = \"c1\"\n",
    "\n[[comment]]\nid = \"zz\"\nparent = \"zz\"\n",
    "\n[[cell]]\nid = \"x\"\n",
    "\n[[ref]]\nkey = \"k\"\ntitle = \"t\"\n",
];

const INVALID_UTF8: &[&[u8]] = &[b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80"];

/// Whole-file replacements of the TOML files: wrong types, duplicates, huge numbers.
fn toml_rewrites(rel: &str) -> Vec<&'static str> {
    match rel {
        "content/comments.toml" => vec![
            "[[comment]]\nid = \"a\"\nkarma = 99999999999999999999999\n",
            "[[comment]]\nid = \"a\"\nkarma = -5\nbody = \"x\"\n",
            "[[comment]]\nid = \"a\"\nkarma = 1.5\n",
            "[[comment]]\nid = \"a\"\nkarma = \"many\"\n",
            "[[comment]]\nid = \"a\"\nid = \"b\"\n",
            "[[comment]]\nid = 3\n",
            "[[comment]]\nid = \"\"\n",
            "comment = [1, 2]\n",
            "comment = \"x\"\n",
            "[comment]\nid = \"a\"\n",
            "[[comment]]\nid = \"a\"\n[[comment]]\nid = \"a\"\n",
            "[[comment]]\nid = \"a\"\nparent = \"a\"\n",
            "[[comment]]\nid = \"a\"\ndate = 2024-13-45\n",
            "[[comment]]\nid = \"a\"\ndate = 1979-05-27T07:32:00Z\n",
            "[[comment]]\nid = \"a\"\ndate = 07:32:00\n",
            "[[comment]]\nid = \"a\"\ndate = [1]\n",
            "[[comment]]\nid = \"a\"\n[[comment.annotation]]\nquote = \"\"\n",
            "[[comment]]\nid = \"a\"\n[[comment.annotation]]\nquote = \" \"\ncell = \"\"\n",
            "[[comment]]\nid = \"a\"\nannotation = 5\n",
            "[[comment]]\nid = \"a\"\nbody = \"\"\"\n",
            "[[comment]]\nid = \"a\"\nbody = \"<script>alert(1)</script><img src=x onerror=alert(1)>\"\n",
            "[[comment]]\nid = \"a\"\ndeleted = \"yes\"\n",
        ],
        "content/references.toml" => vec![
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\nyear = 99999999999999999999\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\nyear = -9223372036854775808\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\nyear = 2.5\n",
            "[[ref]]\nkey = \"\"\ntitle = \"t\"\n",
            "[[ref]]\nkey = \"a b\"\ntitle = \"t\"\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\n[[ref]]\nkey = \"k\"\ntitle = \"u\"\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\nauthors = \"Jane\"\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\nauthors = [\"\", \" \", \"et al.\"]\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\ncells = [\"\"]\n",
            "[[ref]]\nkey = \"k\"\ntitle = \"t\"\nurl = \"javascript:alert(1)\"\n",
            "ref = {}\n",
            "ref = [[1]]\n",
            "[[ref]]\nkey = \"k\"\nkey = \"j\"\ntitle = \"t\"\n",
        ],
        "content/grid.toml" => vec![
            "",
            "caption = \"c\"\n",
            "row = 1\n",
            "[[row]]\nid = \"a\"\nlabel = \"A\"\n[[row]]\nid = \"a\"\nlabel = \"A\"\n",
            "[[row]]\nid = \"\"\nlabel = \"\"\n[[column]]\nid = \"\"\nlabel = \"\"\n[[cell]]\nid = \"-\"\n",
            "[axes]\nrows = 1\n",
            "axes = []\n",
            "[[cell]]\nid = \"x\"\nreadings = \"k\"\n",
            "[[cell]]\nid = \"x\"\nreadings = [1]\n",
            "[[row]]\nid = \"a\"\nlabel = \"A\"\n[[column]]\nid = \"b\"\nlabel = \"B\"\n[[cell]]\nid = \"a-b\"\n[[cell]]\nid = \"a-b\"\n",
        ],
        _ => vec![],
    }
}

const ESSAY_REWRITES: &[&str] = &[
    "",
    "+++",
    "+++\n",
    "+++\n+++\n",
    "+++\n+++",
    "+++\ntitle = \"t\"\n+++",
    "+++\ntitle = \"t\"\ntitle = \"u\"\n+++\n",
    "+++\ntitle = 3\n+++\n",
    "+++\ntitle = [\"t\"]\n+++\n",
    "+++\n[title]\n+++\n",
    "+++\ntitle = \"t\"\ndate = \"yesterday\"\n+++\n",
    "+++\ntitle = \"t\"\ndate = 2024-02-30\n+++\n",
    "+++\r\ntitle = \"t\"\r\n+++\r\nbody\r\n",
    "\u{feff}+++\ntitle = \"t\"\n+++\nbody\n",
    "\u{feff}",
    "+++\ntitle = \"t\"\n+++\n| |\n|-|\n",
    "+++\ntitle = \"t\"\n+++\n|\n|\n",
    "+++\ntitle = \"t\"\n+++\n| a |\n|---|\n| 1 | 2 | 3 |\n",
    "+++\ntitle = \"t\"\n+++\n[^a]\n\n[^a]: [^b]\n\n[^b]: [^a]\n",
    "+++\ntitle = \"t\"\n+++\n[^a]: [^a]\n\n[^a]\n",
    "+++\ntitle = \"t\"\n+++\n# {#p1}\n\npara\n",
    "+++\ntitle = \"t\"\n+++\n# a {#}\n",
    "+++\ntitle = \"t\"\n+++\n[@]\n",
    "+++\ntitle = \"t\"\n+++\n[x](cell:)\n[y](ref:)\n",
    "+++\ntitle = \"t\"\n+++\n```\nunclosed\n",
    "+++\ntitle = \"t\"\n+++\n```nosuchlanguage\ncode\n```\n",
    "+++\ntitle = \"t\"\n+++\n<script>alert(1)</script>\n",
];

/// Content deep or long enough to break a recursive parser or renderer.
fn monsters() -> Vec<(&'static str, String)> {
    let n = 10_000;
    vec![
        ("blockquotes", ">".repeat(n)),
        ("blockquotes-spaced", "> ".repeat(n) + "x"),
        ("lists", "- ".repeat(n) + "x"),
        ("ordered-lists", "1. ".repeat(n / 4) + "x"),
        (
            "indented-lists",
            (0..2000)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
        ),
        ("brackets", "[".repeat(n) + &"]".repeat(n)),
        ("link-brackets", "[a](".repeat(n)),
        ("emphasis", "*".repeat(n) + "x" + &"*".repeat(n)),
        ("underscores", "_a".repeat(n)),
        ("backticks", "`".repeat(n)),
        ("footnotes", (0..2000).map(|i| format!("[^{i}]")).collect()),
        (
            "footnote-defs",
            (0..2000)
                .map(|i| format!("[^{i}]\n\n[^{i}]: n\n\n"))
                .collect(),
        ),
        ("citations", "[@smith2020]".repeat(n)),
        ("html", "<div>".repeat(n)),
        ("long-line", "a".repeat(200_000)),
        (
            "long-word-link",
            format!("[x](cell:{})", "a".repeat(100_000)),
        ),
        (
            "table-wide",
            format!("|{}\n|{}\n", "a|".repeat(5000), "-|".repeat(5000)),
        ),
        ("headings", "# x\n".repeat(5000)),
        ("nul", "\0".repeat(1000)),
        ("rtl", "\u{202E}".repeat(1000)),
        ("crs", "\r".repeat(1000)),
    ]
}

fn comment_monsters() -> Vec<(&'static str, String)> {
    let deep_thread: String = (0..3000)
        .map(|i| {
            if i == 0 {
                "[[comment]]\nid = \"c0\"\nbody = \"x\"\n".to_string()
            } else {
                format!(
                    "[[comment]]\nid = \"c{i}\"\nparent = \"c{}\"\nbody = \"x\"\n",
                    i - 1
                )
            }
        })
        .collect();
    let long_cycle: String = (0..3000)
        .map(|i| {
            format!(
                "[[comment]]\nid = \"c{i}\"\nparent = \"c{}\"\n",
                (i + 1) % 3000
            )
        })
        .collect();
    vec![
        ("deep-thread", deep_thread),
        ("long-cycle", long_cycle),
        (
            "deep-body-quote",
            format!(
                "[[comment]]\nid = \"a\"\nbody = \"{}x\"\n",
                "> ".repeat(10_000)
            ),
        ),
        (
            "deep-body-list",
            format!(
                "[[comment]]\nid = \"a\"\nbody = \"{}x\"\n",
                "- ".repeat(10_000)
            ),
        ),
        (
            "deep-body-html",
            format!(
                "[[comment]]\nid = \"a\"\nbody = \"{}\"\n",
                "<div>".repeat(10_000)
            ),
        ),
        (
            "deep-toml-array",
            format!(
                "[[comment]]\nid = \"a\"\nx = {}{}\n",
                "[".repeat(5000),
                "]".repeat(5000)
            ),
        ),
        (
            "deep-toml-inline",
            format!("x = {}1{}\n", "{a=".repeat(5000), "}".repeat(5000)),
        ),
    ]
}

const CONFIGS: &[&str] = &[
    "",
    "theme = \"../x\"\n",
    "theme = \"nosuchtheme\"\n",
    "theme = \"\"\n",
    "output_dir = \"\"\n",
    "output_dir = \"content\"\n",
    "output_dir = \"..\"\n",
    "output_dir = \".\"\n",
    "base_url = \"not a url\"\n",
    "base_url = \"\"\n",
    "cname = \"\"\n",
    "cname = \"https://x.example/\"\n",
    "language = \"\"\n",
    "language = \"\\\"><script>\"\n",
    "title = 3\n",
    "title = \"a\"\ntitle = \"b\"\n",
    "[title]\n",
    "\u{feff}title = \"x\"\n",
    "nonsense\n",
];

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases = Vec::new();
    let mut n = 0usize;
    let mut push = |cases: &mut Vec<Case>, base: &'static str, name: String, changes| {
        n += 1;
        cases.push(Case {
            name,
            base,
            changes,
            extra: n.is_multiple_of(4),
        });
    };
    for base in ["minimal", "repo"] {
        for rel in FILES {
            let bytes = original(base, rel);
            let one = |b: Vec<u8>| vec![(rel.to_string(), Change::Bytes(b))];
            // Truncation at every N-th byte.
            let steps = if base == "minimal" { 12 } else { 8 };
            for k in 1..steps {
                let at = bytes.len() * k / steps;
                push(
                    &mut cases,
                    base,
                    format!("{base} {rel} truncated at {at}"),
                    one(bytes[..at].to_vec()),
                );
            }
            let starts = line_starts(&bytes);
            let per_file = if base == "minimal" { 14 } else { 10 };
            for _ in 0..per_file {
                let kind = rng.below(6);
                let (name, mutated) = match kind {
                    0 => {
                        let i = rng.below(starts.len());
                        let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                        let mut b = bytes[..starts[i]].to_vec();
                        b.extend_from_slice(&bytes[end..]);
                        (format!("line {} deleted", i + 1), b)
                    }
                    1 => {
                        let i = rng.below(starts.len());
                        let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                        (
                            format!("line {} duplicated", i + 1),
                            splice(&bytes, end, &bytes[starts[i]..end]),
                        )
                    }
                    2 => {
                        let i = rng.below(bytes.len().saturating_sub(1));
                        let mut b = bytes.clone();
                        b.swap(i, i + 1);
                        (format!("bytes {i},{} swapped", i + 1), b)
                    }
                    3 => {
                        let at = rng.below(bytes.len());
                        let bad = rng.pick(INVALID_UTF8);
                        (
                            format!("invalid UTF-8 {bad:?} at {at}"),
                            splice(&bytes, at, bad),
                        )
                    }
                    4 => {
                        let i = rng.below(starts.len());
                        let token = rng.pick(TOKENS);
                        (
                            format!("{token:?} at start of line {}", i + 1),
                            splice(&bytes, starts[i], token.as_bytes()),
                        )
                    }
                    _ => {
                        let at = rng.below(bytes.len());
                        let token = rng.pick(TOKENS);
                        // Only on a character boundary; an invalid split is case 3's job.
                        let at = (0..=at)
                            .rev()
                            .find(|&i| i == 0 || (bytes[i] & 0xc0) != 0x80)
                            .unwrap_or(0);
                        (
                            format!("{token:?} at byte {at}"),
                            splice(&bytes, at, token.as_bytes()),
                        )
                    }
                };
                push(
                    &mut cases,
                    base,
                    format!("{base} {rel} {name}"),
                    one(mutated),
                );
            }
            push(
                &mut cases,
                base,
                format!("{base} {rel} empty"),
                one(Vec::new()),
            );
            push(
                &mut cases,
                base,
                format!("{base} {rel} is a folder"),
                vec![(rel.to_string(), Change::Directory)],
            );
            push(
                &mut cases,
                base,
                format!("{base} {rel} BOM"),
                one(splice(&bytes, 0, "\u{feff}".as_bytes())),
            );
            let crlf: Vec<u8> = String::from_utf8_lossy(&bytes)
                .replace('\n', "\r\n")
                .into_bytes();
            push(&mut cases, base, format!("{base} {rel} CRLF"), one(crlf));
            let cr: Vec<u8> = String::from_utf8_lossy(&bytes)
                .replace('\n', "\r")
                .into_bytes();
            push(&mut cases, base, format!("{base} {rel} CR only"), one(cr));
            if base == "minimal" {
                for text in toml_rewrites(rel) {
                    push(
                        &mut cases,
                        base,
                        format!("{base} {rel} = {text:?}"),
                        one(text.as_bytes().to_vec()),
                    );
                }
                if rel == "content/comments.toml" {
                    for (name, text) in comment_monsters() {
                        push(
                            &mut cases,
                            base,
                            format!("{base} {rel} {name}"),
                            one(text.into_bytes()),
                        );
                    }
                }
            }
        }
        let essay = original(base, "content/essay.md");
        let body_at = {
            let s = String::from_utf8_lossy(&essay);
            s.find("\n+++\n").map_or(0, |i| i + 5)
        };
        for (name, text) in monsters() {
            let at = if base == "minimal" {
                body_at
            } else {
                essay.len()
            };
            let b = splice(&essay, at, format!("\n{text}\n").as_bytes());
            push(
                &mut cases,
                base,
                format!("{base} essay {name}"),
                vec![("content/essay.md".into(), Change::Bytes(b))],
            );
        }
        for text in CONFIGS {
            push(
                &mut cases,
                base,
                format!("{base} quire.toml = {text:?}"),
                vec![("quire.toml".into(), Change::Bytes(text.as_bytes().to_vec()))],
            );
        }
        push(
            &mut cases,
            base,
            format!("{base} quire.toml is a folder"),
            vec![("quire.toml".into(), Change::Directory)],
        );
        push(
            &mut cases,
            base,
            format!("{base} content is a file"),
            vec![("content".into(), Change::Bytes(b"x".to_vec()))],
        );
    }
    for text in ESSAY_REWRITES {
        push(
            &mut cases,
            "minimal",
            format!("minimal essay = {text:?}"),
            vec![(
                "content/essay.md".into(),
                Change::Bytes(text.as_bytes().to_vec()),
            )],
        );
    }
    cases
}

/// Copies the base project's content and applies the case's changes under `root`.
fn write_project(case: &Case, root: &Path) {
    let base = base_dir(case.base);
    std::fs::create_dir_all(root.join("content")).unwrap();
    for rel in FILES {
        std::fs::copy(base.join(rel), root.join(rel)).unwrap();
    }
    for (rel, change) in &case.changes {
        let path = root.join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else if path.exists() {
            std::fs::remove_file(&path).unwrap();
        }
        match change {
            Change::Bytes(b) => std::fs::write(&path, b).unwrap(),
            Change::Directory => std::fs::create_dir_all(&path).unwrap(),
        }
    }
}

struct Run {
    code: Option<i32>,
    stderr: String,
    timed_out: bool,
}

/// User plus system CPU time of a running process, from /proc (Linux).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime field 14, stime field 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

fn run(args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run quire");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut s);
        s
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if cpu_time(child.id()).is_some_and(|t| t > CPU_LIMIT) || started.elapsed() > WALL_LIMIT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    Run {
        code: status.code(),
        stderr,
        timed_out,
    }
}

/// Does the text name a position `something.toml:3:7` or `something.md:3:7`?
fn has_position(text: &str) -> bool {
    text.match_indices(':').any(|(i, _)| {
        let before = &text[..i];
        let after = &text[i + 1..];
        let names_file = before.ends_with(".md") || before.ends_with(".toml");
        let mut parts = after.splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let col: String = parts
            .next()
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        names_file
            && !line.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
            && !col.is_empty()
    })
}

/// Errors that are about a whole file and so have no line to point at.
fn whole_file_error(stderr: &str) -> bool {
    stderr.contains("missing file")
        || stderr.contains("cannot read")
        || stderr.contains("is not a file")
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                files.push((rel + "/", Vec::new()));
                stack.push(p);
            } else {
                files.push((rel, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    files.sort();
    files
}

/// Checks one run; returns the problems found.
fn judge(what: &str, r: &Run, need_position: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let tail = || r.stderr.chars().take(1500).collect::<String>();
    if r.timed_out {
        problems.push(format!(
            "{what}: hung (killed after {CPU_LIMIT:?} of CPU or {WALL_LIMIT:?})"
        ));
        return problems;
    }
    if !matches!(r.code, Some(0) | Some(1)) {
        problems.push(format!("{what}: exit {:?}\n{}", r.code, tail()));
    }
    if r.stderr.contains("panicked") {
        problems.push(format!("{what}: panicked\n{}", tail()));
    }
    if r.code == Some(1) {
        if !r.stderr.contains("error:") {
            problems.push(format!("{what}: failed without `error:`\n{}", tail()));
        } else if need_position && !whole_file_error(&r.stderr) && !has_position(&r.stderr) {
            problems.push(format!("{what}: error without file:line:col\n{}", tail()));
        }
    }
    problems
}

fn run_case(case: &Case, tmp: &Path) -> Vec<String> {
    let root = tmp.join("project");
    write_project(case, &root);
    let out = tmp.join("site");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("index.html"), "previous site").unwrap();
    std::fs::write(out.join("keep.css"), "previous css").unwrap();
    std::fs::write(out.join(".quire-site"), "").unwrap();
    let before_site = snapshot(&out);
    let before_project = snapshot(&root);
    let (r_s, o_s) = (root.to_str().unwrap(), out.to_str().unwrap());
    let r = run(&["build", "--root", r_s, "--out", o_s]);
    let mut problems = judge(&format!("{} [build]", case.name), &r, true);
    if r.code != Some(0) && snapshot(&out) != before_site {
        problems.push(format!(
            "{} [build]: failed and changed the previous site",
            case.name
        ));
    }
    if snapshot(&root) != before_project {
        problems.push(format!("{} [build]: changed the project folder", case.name));
    }
    let leftovers: Vec<String> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("quire-new") || n.contains("quire-old"))
        .collect();
    if !leftovers.is_empty() {
        problems.push(format!("{} [build]: left {leftovers:?}", case.name));
    }
    if case.extra {
        let r = run(&["check", "--root", r_s, "--site", o_s]);
        problems.extend(judge(&format!("{} [check]", case.name), &r, false));
        let single = tmp.join("single.html");
        std::fs::write(&single, "previous single").unwrap();
        let r = run(&[
            "build",
            "--single-file",
            single.to_str().unwrap(),
            "--root",
            r_s,
        ]);
        problems.extend(judge(&format!("{} [single-file]", case.name), &r, true));
        if r.code != Some(0) && std::fs::read(&single).unwrap_or_default() != b"previous single" {
            problems.push(format!(
                "{} [single-file]: failed and changed the file",
                case.name
            ));
        }
    }
    problems
}

#[test]
fn mutated_projects_never_panic_hang_or_fail_without_a_location() {
    let cases = cases();
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let problems = Mutex::new(Vec::<(usize, String)>::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let keep = std::env::var_os("QUIRE_ROBUST_KEEP").is_some();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let tmp = tempfile::tempdir().unwrap();
                    let found = run_case(case, tmp.path());
                    if !found.is_empty() && keep {
                        let dest = repo().join(format!("target/robustness-failures/{i}"));
                        let _ = std::fs::remove_dir_all(&dest);
                        let _ = std::fs::rename(tmp.path().join("project"), &dest);
                    }
                    problems
                        .lock()
                        .unwrap()
                        .extend(found.into_iter().map(|p| (i, p)));
                }
            });
        }
    });
    let mut problems = problems.into_inner().unwrap();
    problems.sort();
    eprintln!(
        "{} cases in {:.1} s, {} problems",
        cases.len(),
        started.elapsed().as_secs_f64(),
        problems.len()
    );
    let summary: Vec<String> = problems
        .iter()
        .map(|(i, p)| format!("#{i} {}", p.lines().next().unwrap_or("")))
        .collect();
    let shown: Vec<String> = problems
        .iter()
        .take(20)
        .map(|(i, p)| format!("#{i} {p}"))
        .collect();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}\n\nThe first in full:\n\n{}",
        problems.len(),
        summary.join("\n"),
        shown.join("\n\n")
    );
}

/// The hang detector reads CPU time from /proc; were that to stop working, a spinning build
/// would only be caught after WALL_LIMIT.
#[test]
fn the_hang_detector_can_read_cpu_time() {
    let start = cpu_time(std::process::id()).expect("CPU time of this process");
    let mut x = 0u64;
    let spin = Instant::now();
    while spin.elapsed() < Duration::from_millis(300) {
        x = x.wrapping_add(std::hint::black_box(1));
    }
    assert!(x > 0);
    let end = cpu_time(std::process::id()).unwrap();
    assert!(end > start, "{start:?} -> {end:?}");
}
