//! Watching the sources and rebuilding.
//!
//! Editors do not simply write a file: vim renames the original away and writes a new one
//! (after probing the folder with a file named `4913`), JetBrains IDEs write `x___jb_tmp___`
//! and rename it over `x`, emacs leaves `.#x` lock files, and a burst of saves arrives as
//! dozens of events. So events are only a hint that something changed: temp and swap files
//! are ignored, the rest is debounced (a build starts once the sources have been quiet for
//! [`QUIET`]), and a build that sees new events arrive while it rendered is thrown away and
//! redone, so that only the final content reaches the browser.
//!
//! The output folder is never watched, and events from inside it are ignored: writing the
//! site must not trigger another build.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{Event, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use super::{ErrorReport, ServeError, Status};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::Page;
use crate::{BuildOptions, output, render_site};

/// How long the sources must stay quiet before a build starts. Editors finish a save
/// (rename, write, delete the backup) within a few milliseconds.
const QUIET: Duration = Duration::from_millis(15);
/// A build starts at the latest this long after the first change, even if events keep
/// coming, so that a continuous stream of writes still shows progress.
const MAX_WAIT: Duration = Duration::from_millis(300);
/// How often `--poll` looks at the sources.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Renders and writes the site, and turns each result into the [`Status`] open pages see.
pub struct Builder {
    options: BuildOptions,
    out: PathBuf,
    styled: bool,
    /// Print only warnings and errors.
    quiet: bool,
    /// The last site written: output path -> bytes, to tell a stylesheet-only change from
    /// a page change.
    last: Option<BTreeMap<String, Vec<u8>>>,
    status: Status,
}

/// What one attempt to build produced.
enum Outcome {
    Built {
        changed: Vec<String>,
        /// Only stylesheets changed (files, or `<style>` elements of pages).
        css_only: bool,
        elapsed: Duration,
    },
    Unchanged {
        elapsed: Duration,
    },
    Failed(Diagnostics),
}

impl Builder {
    pub fn new(options: BuildOptions, out: PathBuf, styled: bool, quiet: bool) -> Builder {
        Builder {
            options,
            out,
            styled,
            quiet,
            last: None,
            status: Status {
                kind: "reload",
                build: 0,
                page_build: 0,
                errors: Vec::new(),
            },
        }
    }

    /// The first build. Bad content is reported and served as an overlay; only an output
    /// folder that cannot be written stops the server.
    pub fn initial(&mut self) -> Result<Status, ServeError> {
        let started = Instant::now();
        let mut diags = Diagnostics::new();
        match self.render(&mut diags) {
            Some(pages) => {
                if let Err(e) = output::write_site(&self.out, &pages, self.guard()) {
                    return Err(ServeError::Output(
                        Diagnostic::error(format!(
                            "cannot write the site to {}: {e}",
                            self.out.display()
                        ))
                        .into(),
                    ));
                }
                self.print_warnings(&diags);
                if !self.quiet {
                    eprintln!(
                        "built {} pages in {} ms",
                        pages.iter().filter(|p| p.path.ends_with(".html")).count(),
                        started.elapsed().as_millis()
                    );
                }
                self.remember(pages);
                self.status.build = 1;
                self.status.page_build = 1;
            }
            None => self.report_failure(&diags),
        }
        Ok(self.status.clone())
    }

    fn guard(&self) -> output::Guard<'_> {
        output::Guard {
            root: &self.options.root,
            force: false,
        }
    }

    fn render(&self, diags: &mut Diagnostics) -> Option<Vec<Page>> {
        let (pages, _) = render_site(&self.options, diags)?;
        (!diags.has_errors()).then_some(pages)
    }

    fn remember(&mut self, pages: Vec<Page>) {
        self.last = Some(pages.into_iter().map(|p| (p.path, p.bytes)).collect());
    }

    /// Renders the site in memory. `superseded` is asked after rendering (with whether it
    /// failed): when the sources changed meanwhile, the result is stale and nothing is
    /// written or shown.
    fn attempt(&mut self, superseded: impl FnOnce(bool) -> bool) -> Option<Outcome> {
        let started = Instant::now();
        let mut diags = Diagnostics::new();
        let pages = self.render(&mut diags);
        if superseded(pages.is_none()) {
            return None;
        }
        let Some(pages) = pages else {
            return Some(Outcome::Failed(diags));
        };
        self.print_warnings(&diags);
        let changed = changed_paths(self.last.as_ref(), &pages);
        let css_only = self.last.as_ref().is_some_and(|last| {
            changed.iter().all(|path| {
                path.ends_with(".css") || styles_only_differ(last.get(path), &pages, path)
            })
        });
        if changed.is_empty() && self.out.join("index.html").is_file() {
            return Some(Outcome::Unchanged {
                elapsed: started.elapsed(),
            });
        }
        if let Err(e) = output::write_site(&self.out, &pages, self.guard()) {
            return Some(Outcome::Failed(
                Diagnostic::error(format!(
                    "cannot write the site to {}: {e}",
                    self.out.display()
                ))
                .into(),
            ));
        }
        self.remember(pages);
        Some(Outcome::Built {
            changed,
            css_only,
            elapsed: started.elapsed(),
        })
    }

    /// Applies an outcome to the status. Returns the status to publish, if pages must hear
    /// about it.
    fn apply(&mut self, outcome: Outcome, causes: &BTreeSet<String>) -> Option<Status> {
        let after = after_changes(causes);
        let had_errors = !self.status.errors.is_empty();
        match outcome {
            Outcome::Failed(diags) => {
                self.report_failure(&diags);
                return Some(self.status.clone());
            }
            Outcome::Unchanged { elapsed } => {
                self.status.errors.clear();
                if !self.quiet {
                    eprintln!(
                        "rebuilt in {} ms{after}: the site did not change",
                        elapsed.as_millis()
                    );
                }
                if !had_errors {
                    return None;
                }
                self.status.kind = "ok";
            }
            Outcome::Built {
                changed,
                css_only,
                elapsed,
            } => {
                self.status.errors.clear();
                self.status.build += 1;
                if css_only {
                    self.status.kind = "css";
                } else {
                    self.status.kind = "reload";
                    self.status.page_build = self.status.build;
                }
                if !self.quiet {
                    eprintln!(
                        "rebuilt in {} ms{after}: {} changed; {}",
                        elapsed.as_millis(),
                        summarize(&changed),
                        if css_only {
                            "swapping stylesheets"
                        } else {
                            "reloading pages"
                        }
                    );
                }
            }
        }
        Some(self.status.clone())
    }

    fn report_failure(&mut self, diags: &Diagnostics) {
        eprint!("{}", diags.render(self.styled));
        let n = diags.error_count();
        eprintln!(
            "error: build failed with {n} error{}; still serving the last good site",
            if n == 1 { "" } else { "s" }
        );
        self.status.kind = "error";
        self.status.errors = ErrorReport::from_diagnostics(diags);
        if self.status.errors.is_empty() {
            // A failure always has an error; never show a blank overlay.
            self.status.errors.push(ErrorReport {
                file: None,
                line: None,
                column: None,
                message: "the build failed".into(),
                rendered: diags.render(false),
            });
        }
    }

    fn print_warnings(&self, diags: &Diagnostics) {
        if !diags.is_empty() {
            eprint!("{}", diags.render(self.styled));
        }
    }
}

/// " after content/essay.md" (or "after a, b and 3 more"): the sources a rebuild was for.
/// Empty when the watcher lost track of which files changed.
fn after_changes(causes: &BTreeSet<String>) -> String {
    if causes.is_empty() {
        return String::new();
    }
    let causes: Vec<String> = causes.iter().cloned().collect();
    format!(" after {}", summarize(&causes))
}

/// Output paths added, removed or changed since the last site.
fn changed_paths(last: Option<&BTreeMap<String, Vec<u8>>>, pages: &[Page]) -> Vec<String> {
    let Some(last) = last else {
        return pages.iter().map(|p| p.path.clone()).collect();
    };
    let mut changed: Vec<String> = pages
        .iter()
        .filter(|p| last.get(&p.path) != Some(&p.bytes))
        .map(|p| p.path.clone())
        .collect();
    changed.extend(
        last.keys()
            .filter(|path| !pages.iter().any(|p| &p.path == *path))
            .cloned(),
    );
    changed
}

/// Whether the page at `path` differs from its last version only inside `<style>`
/// elements (the 404 page carries its stylesheet inline).
fn styles_only_differ(last: Option<&Vec<u8>>, pages: &[Page], path: &str) -> bool {
    let new = pages.iter().find(|p| p.path == path);
    match (last, new) {
        (Some(old), Some(new)) if path.ends_with(".html") => {
            without_styles(old) == without_styles(&new.bytes)
        }
        _ => false,
    }
}

fn without_styles(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = find(rest, b"<style") {
        out.extend_from_slice(&rest[..start]);
        match find(&rest[start..], b"</style>") {
            Some(end) => rest = &rest[start + end..],
            None => return out,
        }
    }
    out.extend_from_slice(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn summarize(changed: &[String]) -> String {
    match changed.len() {
        0 => "nothing".into(),
        1..=3 => changed.join(", "),
        n => format!("{}, {} and {} more", changed[0], changed[1], n - 2),
    }
}

/// The folders under the project root that hold the site's sources: the essay and the
/// files beside it, themes, and the project's own static files and template overrides.
const SOURCE_DIRS: [&str; 4] = ["content", "themes", "static", "templates"];

/// Which paths can change the site.
struct Filter {
    root: PathBuf,
    out: PathBuf,
    /// The staging and retired folders `output::write_site` creates beside the output.
    out_siblings: String,
}

impl Filter {
    fn new(root: &Path, out: &Path) -> Filter {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Filter {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            out_siblings: format!(".{name}.quire-"),
        }
    }

    fn matters(&self, path: &Path) -> bool {
        if path.starts_with(&self.out) {
            return false;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        let Some(first) = parts.next() else {
            return false;
        };
        if first.starts_with(&self.out_siblings) {
            return false;
        }
        match first.as_ref() {
            "quire.toml" => true,
            first if SOURCE_DIRS.contains(&first) => {
                let rest: Vec<_> = parts.collect();
                !rest.iter().any(|part| part == ".git")
                    && rest.last().is_none_or(|name| !is_scratch_file(name))
            }
            _ => false,
        }
    }

    /// Whether a notify event says the sources may have changed.
    fn relevant(&self, event: &Event) -> bool {
        match event.kind {
            // Reads (including the build's own) are not changes; a closed write is the end
            // of one and keeps the debounce waiting for slow writers.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return false,
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => return false,
            _ => {}
        }
        // No paths: the watcher lost track (e.g. an event queue overflow); rebuild.
        event.paths.is_empty() || event.need_rescan() || event.paths.iter().any(|p| self.matters(p))
    }
}

/// Editor temp, swap, backup and lock files, and OS litter: never part of the site.
pub fn is_scratch_file(name: &str) -> bool {
    name == "4913" // vim's probe for whether it may create files in the folder
        || name == ".DS_Store"
        || name.ends_with('~')
        || name.starts_with(".#") // emacs lock
        || (name.starts_with('#') && name.ends_with('#')) // emacs autosave
        || name.starts_with(".goutputstream-") // gedit
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || [".swp", ".swo", ".swx", ".swpx", ".tmp", ".kate-swp", ".crswap"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Watching, before any rebuild runs: events are queued until [`Sources::rebuild_on_change`].
pub struct Sources {
    watcher: Box<dyn Watcher + Send>,
    events: mpsc::Receiver<notify::Result<Event>>,
    root: PathBuf,
    filter: Filter,
}

impl Sources {
    /// Starts watching `root` (so that nothing saved during the first build is missed).
    pub fn watch(root: &Path, out: &Path, poll: bool) -> notify::Result<Sources> {
        let (tx, events) = mpsc::channel();
        let mut watcher: Box<dyn Watcher + Send> = if poll {
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                // Coarse modification times (network mounts) would hide quick successive saves.
                .with_compare_contents(true);
            Box::new(PollWatcher::new(tx, config)?)
        } else {
            Box::new(RecommendedWatcher::new(tx, notify::Config::default())?)
        };
        // The root itself only for quire.toml and for a source folder appearing; never
        // recursively, which would watch the output folder.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        for dir in SOURCE_DIRS {
            let dir = root.join(dir);
            if dir.is_dir() {
                watcher.watch(&dir, RecursiveMode::Recursive)?;
            }
        }
        Ok(Sources {
            watcher,
            events,
            root: root.to_path_buf(),
            filter: Filter::new(root, out),
        })
    }

    /// Rebuilds on every change, on a thread of its own, publishing each result to `status`.
    /// The thread ends with the process.
    pub fn rebuild_on_change(
        self,
        builder: Builder,
        status: tokio::sync::watch::Sender<Status>,
    ) -> std::io::Result<()> {
        std::thread::Builder::new()
            .name("quire-rebuild".into())
            .spawn(move || {
                rebuild_loop(
                    self.watcher,
                    &self.root,
                    &self.filter,
                    self.events,
                    builder,
                    &status,
                )
            })
            .map(drop)
    }
}

fn rebuild_loop(
    mut watcher: Box<dyn Watcher + Send>,
    root: &Path,
    filter: &Filter,
    rx: mpsc::Receiver<notify::Result<Event>>,
    mut builder: Builder,
    status: &tokio::sync::watch::Sender<Status>,
) {
    // When the first unbuilt change arrived, and when the last one did.
    let mut pending: Option<(Instant, Instant)> = None;
    // The sources that changed since the last build, to say what a rebuild was for.
    let mut causes: BTreeSet<String> = BTreeSet::new();
    let mut note = |event: notify::Result<Event>,
                    pending: &mut Option<(Instant, Instant)>,
                    causes: &mut BTreeSet<String>| match event {
        Ok(event) if filter.relevant(&event) => {
            rewatch(&mut *watcher, root, &event);
            causes.extend(
                event
                    .paths
                    .iter()
                    .filter(|p| filter.matters(p))
                    .filter_map(|p| p.strip_prefix(root).ok())
                    .map(|p| p.to_string_lossy().replace('\\', "/")),
            );
            let now = Instant::now();
            let first = pending.map_or(now, |(first, _)| first);
            *pending = Some((first, now));
        }
        Ok(_) => {}
        Err(e) => eprintln!("warning: file watcher: {e}"),
    };
    loop {
        let event = match pending {
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            Some((first, last)) => {
                let due = (last + QUIET).min(first + MAX_WAIT);
                rx.recv_timeout(due.saturating_duration_since(Instant::now()))
            }
        };
        match event {
            Ok(event) => note(event, &mut pending, &mut causes),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let Some((first, _)) = pending.take() else {
                    continue;
                };
                // Thrown away if the sources changed while rendering, unless changes have
                // kept coming for MAX_WAIT already and it built. A failure amid changes is
                // most likely a file caught half-saved: never worth an overlay.
                let outcome = builder.attempt(|failed| {
                    while let Ok(event) = rx.try_recv() {
                        note(event, &mut pending, &mut causes);
                    }
                    pending.is_some() && (failed || first.elapsed() < MAX_WAIT)
                });
                match outcome {
                    Some(outcome) => {
                        let causes = std::mem::take(&mut causes);
                        if let Some(new) = builder.apply(outcome, &causes) {
                            // Sent only now: the new site is completely in place.
                            status.send_replace(new);
                        }
                    }
                    None => {
                        // Keep the original start so that MAX_WAIT still bounds the delay.
                        if let Some((_, last)) = pending {
                            pending = Some((first, last));
                        }
                    }
                }
            }
        }
    }
}

/// inotify loses a recursive watch when its folder is removed; watch a source folder
/// again when it reappears.
fn rewatch(watcher: &mut dyn Watcher, root: &Path, event: &Event) {
    if !matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
    ) {
        return;
    }
    for path in &event.paths {
        let is_source_dir = path.parent() == Some(root)
            && path
                .file_name()
                .is_some_and(|n| SOURCE_DIRS.iter().any(|d| n == *d));
        if is_source_dir && path.is_dir() {
            let _ = watcher.watch(path, RecursiveMode::Recursive);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_files_are_recognised() {
        for name in [
            "4913",
            "essay.md~",
            ".essay.md.swp",
            ".essay.md.swx",
            ".#essay.md",
            "#essay.md#",
            "essay.md___jb_tmp___",
            "essay.md___jb_old___",
            "essay.md.tmp",
            ".goutputstream-ABC123",
            ".DS_Store",
        ] {
            assert!(is_scratch_file(name), "{name}");
        }
        for name in [
            "essay.md",
            "grid.toml",
            "00-base.css",
            ".nojekyll",
            "base.html",
        ] {
            assert!(!is_scratch_file(name), "{name}");
        }
    }

    #[test]
    fn inline_styles_are_set_aside() {
        let old = b"<head><style>a{color:red}</style></head><p>x</p>".to_vec();
        let new = b"<head><style>a{color:blue}</style></head><p>x</p>";
        assert_eq!(without_styles(&old), without_styles(new));
        assert_eq!(
            without_styles(&old),
            b"<head></style></head><p>x</p>".to_vec()
        );
        let pages = vec![Page {
            path: "404.html".into(),
            bytes: new.to_vec(),
        }];
        assert!(styles_only_differ(Some(&old), &pages, "404.html"));
        let other = vec![Page {
            path: "404.html".into(),
            bytes: b"<head><style>a{color:red}</style></head><p>y</p>".to_vec(),
        }];
        assert!(!styles_only_differ(Some(&old), &other, "404.html"));
    }

    #[test]
    fn only_sources_matter() {
        let filter = Filter::new(Path::new("/p"), Path::new("/p/site"));
        assert!(filter.matters(Path::new("/p/quire.toml")));
        assert!(filter.matters(Path::new("/p/content/essay.md")));
        assert!(filter.matters(Path::new("/p/themes/default/static/css/00-base.css")));
        assert!(filter.matters(Path::new("/p/content")));
        assert!(filter.matters(Path::new("/p/static/logo.png")));
        assert!(filter.matters(Path::new("/p/templates/base.html")));
        assert!(!filter.matters(Path::new("/p/site/index.html")));
        assert!(!filter.matters(Path::new("/p/.site.quire-new-12/index.html")));
        assert!(!filter.matters(Path::new("/p/README.md")));
        assert!(!filter.matters(Path::new("/p/content/.essay.md.swp")));
        assert!(!filter.matters(Path::new("/p/content/4913")));
        assert!(!filter.matters(Path::new("/elsewhere/content/essay.md")));
        let inside = Filter::new(Path::new("/p"), Path::new("/p/content/out"));
        assert!(!inside.matters(Path::new("/p/content/out/index.html")));
    }
}
