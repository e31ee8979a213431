//! Generates comment-thread projects too big to keep in the repository:
//!
//! - `scale N DIR`: the default essay with its real thread grown to N comments by generated
//!   replies (a deterministic pseudo-random tree, some branches dozens deep), for the
//!   scale test and `bench/thread_scale.sh`;
//! - `hostile DIR`: `tests/fixtures/valid/hostile-thread` plus a 1 MB comment.
//!
//! The generated comments are obviously filler ("Generated comment 17 ..."); they quote no
//! one. Run: `cargo run --release --example gen_thread -- scale 10000 /tmp/big`.
//! The tests include this file as a module, so everything here is also a library.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The repository root (this file is in `examples/`).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `<from>/content/*` and `<from>/quire.toml` (if any) into `to`.
pub fn copy_project(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to.join("content"))?;
    for entry in fs::read_dir(from.join("content"))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            fs::copy(entry.path(), to.join("content").join(entry.file_name()))?;
        }
    }
    if from.join("quire.toml").is_file() {
        fs::copy(from.join("quire.toml"), to.join("quire.toml"))?;
    }
    Ok(())
}

/// A small deterministic generator (xorshift), so that every run builds the same thread.
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
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "alignment",
    "research",
    "model",
    "grid",
    "worst-case",
    "behaviorist",
    "cognitivist",
    "engineering",
    "science",
    "definition",
    "spectrum",
    "capabilities",
    "interpretability",
    "agent",
    "foundations",
    "robustness",
    "evidence",
    "argument",
    "example",
    "question",
    "the",
    "a",
    "of",
    "and",
    "which",
    "seems",
    "likely",
    "useful",
    "because",
    "however",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for k in 0..words {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s.push('.');
    s
}

/// `count` generated `[[comment]]` tables with ids `g00001`..., replying to each other
/// (and to `existing` ids) so that the tree is wide at the top and deep in places.
pub fn generated_comments(count: usize, existing: &[String], seed: u64) -> String {
    let mut rng = Rng(seed.max(1));
    let mut ids: Vec<String> = existing.to_vec();
    let mut out = String::with_capacity(count * 400);
    for k in 1..=count {
        let id = format!("g{k:05}");
        let roll = rng.below(100);
        // 8% new top-level comments; 50% reply to one of the last few (deep chains);
        // the rest reply anywhere.
        let parent = if roll < 8 || ids.is_empty() {
            None
        } else if roll < 58 {
            let back = rng.below(4) as usize + 1;
            Some(ids[ids.len().saturating_sub(back)].clone())
        } else {
            Some(ids[rng.below(ids.len() as u64) as usize].clone())
        };
        let _ = writeln!(out, "\n[[comment]]\nid = \"{id}\"");
        if rng.below(10) > 0 {
            let _ = writeln!(out, "author = \"user{}\"", rng.below(400));
        }
        if let Some(p) = parent {
            let _ = writeln!(out, "parent = \"{p}\"");
        }
        if rng.below(3) > 0 {
            let _ = writeln!(
                out,
                "karma = {}\naf_karma = {}\nagreement = {}",
                rng.below(40),
                rng.below(20),
                rng.below(30) as i64 - 10
            );
        }
        let _ = writeln!(out, "date = 2024-09-{:02}", rng.below(28) + 1);
        if rng.below(200) == 0 {
            out.push_str("deleted = true\n");
        } else {
            let paragraphs = rng.below(3) + 1;
            out.push_str("body = \"\"\"\n");
            let _ = write!(out, "Generated comment {k}. ");
            for _ in 0..paragraphs {
                let n = rng.below(40) as usize + 8;
                out.push_str(&sentence(&mut rng, n));
                out.push_str("\n\n");
            }
            if rng.below(5) == 0 {
                out.push_str("> A quoted line, *emphasis* and [a link](https://example.org/).\n");
            }
            out.push_str("\"\"\"\n");
        }
        ids.push(id);
    }
    out
}

/// The default essay with `total` comments: its real thread plus generated replies.
pub fn scale_project(dir: &Path, total: usize) -> io::Result<()> {
    copy_project(repo_root(), dir)?;
    let path = dir.join("content/comments.toml");
    let mut toml = fs::read_to_string(&path)?;
    let existing: Vec<String> = toml
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .map(String::from)
        .collect();
    let count = total.saturating_sub(existing.len());
    toml.push_str("\n# Generated by examples/gen_thread.rs.\n");
    toml.push_str(&generated_comments(count, &existing, 0x5eed));
    fs::write(path, toml)
}

/// The 2x4 garden fixture (`tests/fixtures/valid/grid-2x4`) with `count` generated comments
/// and, at the end of the thread (on a thread page once the thread is split), two annotated
/// replies to the last generated one: `late-a` about the passage comment c1 is about too,
/// `late-b` about the essay's first paragraph, which no other comment quotes.
pub fn garden_project(dir: &Path, count: usize) -> io::Result<()> {
    copy_project(&repo_root().join("tests/fixtures/valid/grid-2x4"), dir)?;
    let path = dir.join("content/comments.toml");
    let mut toml = fs::read_to_string(&path)?;
    toml.push_str(&generated_comments(count, &["c1".to_string()], 77));
    let last = format!("g{count:05}");
    for (id, quote) in [
        ("late-a", "Watering in summer is the chore everyone knows"),
        (
            "late-b",
            "A fixture with a two-by-four grid whose labels have nothing to do with the default essay.",
        ),
    ] {
        let _ = write!(
            toml,
            "\n[[comment]]\nid = \"{id}\"\nauthor = \"gardener {id}\"\nparent = \"{last}\"\nbody = \"Late reply {id}.\"\n\n[[comment.annotation]]\nquote = \"{quote}\"\ncell = \"perennial-summer\"\n"
        );
    }
    fs::write(path, toml)
}

/// The hostile fixture plus a comment of about 1 MB: prose, one 100 KB unbroken word, and
/// a thousand payload lines; then one more ordinary comment after it.
pub fn hostile_project(dir: &Path) -> io::Result<()> {
    copy_project(
        &repo_root().join("tests/fixtures/valid/hostile-thread"),
        dir,
    )?;
    let path = dir.join("content/comments.toml");
    let mut toml = fs::read_to_string(&path)?;
    let mut body = String::with_capacity(1 << 20);
    let mut rng = Rng(42);
    while body.len() < 600_000 {
        body.push_str(&sentence(&mut rng, 60));
        body.push_str("\n\n");
    }
    body.push_str(&"W".repeat(100_000));
    body.push_str("\n\n");
    while body.len() < 1_048_576 {
        body.push_str("<img src=x onerror=\"window.__pwned='big'\"><script>window.__pwned='big'</script> [x](javascript:window.__pwned='big')\n\n");
    }
    toml.push_str("\n[[comment]]\nid = \"one-megabyte\"\nauthor = \"verbose\"\nbody = '''\n");
    toml.push_str(&body);
    toml.push_str("'''\n\n[[comment]]\nid = \"after-the-megabyte\"\nparent = \"one-megabyte\"\nbody = \"A reply after the 1 MB comment.\"\n");
    fs::write(path, toml)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["scale", n, dir] => match n.parse() {
            Ok(n) => scale_project(Path::new(dir), n),
            Err(_) => Err(io::Error::other(format!("not a number: {n}"))),
        },
        ["hostile", dir] => hostile_project(Path::new(dir)),
        _ => Err(io::Error::other(
            "usage: gen_thread scale <N> <DIR> | gen_thread hostile <DIR>",
        )),
    };
    if let Err(e) = result {
        eprintln!("gen_thread: {e}");
        std::process::exit(1);
    }
}
