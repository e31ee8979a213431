//! `check_page`: load a page and report console errors, failed requests, requests to
//! other origins and axe-core violations (light and dark), taking screenshots.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::page::Page;
use super::site::screenshot_dir;

/// The vendored axe-core script (see vendor/axe-core/README.md).
const AXE_JS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/vendor/axe-core/axe.min.js"
));

/// One problem found on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A console message of level error (SEVERE), or an uncaught exception.
    ConsoleError { message: String },
    /// A request that failed (network error) or answered HTTP >= 400.
    FailedRequest { url: String, reason: String },
    /// A request to an origin other than the page's own.
    ForeignRequest { url: String },
    /// The page is wider than the viewport (horizontal scrolling), with the innermost
    /// elements that stick out.
    Overflow {
        viewport: u32,
        page_width: u64,
        culprits: Vec<String>,
    },
    /// An axe-core rule violation, with the colour scheme it was seen in.
    Axe {
        scheme: String,
        id: String,
        impact: String,
        help: String,
        targets: Vec<String>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::ConsoleError { message } => write!(f, "console error: {message}"),
            Problem::FailedRequest { url, reason } => write!(f, "failed request: {url} ({reason})"),
            Problem::ForeignRequest { url } => {
                write!(
                    f,
                    "request to a foreign origin: {url} (only the page's own origin is allowed)"
                )
            }
            Problem::Overflow {
                viewport,
                page_width,
                culprits,
            } => write!(
                f,
                "horizontal overflow at {viewport} px: the page is {page_width} px wide; \
                 sticking out: {}",
                culprits.join(", ")
            ),
            Problem::Axe {
                scheme,
                id,
                impact,
                help,
                targets,
            } => write!(
                f,
                "axe {id} ({impact}) in {scheme} scheme: {help}; at {}",
                targets.join(", ")
            ),
        }
    }
}

/// What `check_page` found on one page.
#[derive(Debug, Clone)]
pub struct Report {
    pub name: String,
    pub url: String,
    pub problems: Vec<Problem>,
    pub screenshots: Vec<PathBuf>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Panics with the full report unless the page is clean.
    #[track_caller]
    pub fn assert_clean(&self) {
        if !self.is_clean() {
            panic!("{self}");
        }
    }

    /// The axe rule ids violated (any scheme).
    pub fn axe_ids(&self) -> Vec<&str> {
        self.problems
            .iter()
            .filter_map(|p| match p {
                Problem::Axe { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn foreign_requests(&self) -> Vec<&str> {
        self.problems
            .iter()
            .filter_map(|p| match p {
                Problem::ForeignRequest { url } => Some(url.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn console_errors(&self) -> Vec<&str> {
        self.problems
            .iter()
            .filter_map(|p| match p {
                Problem::ConsoleError { message } => Some(message.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The viewport widths at which the page overflows horizontally.
    pub fn overflows(&self) -> Vec<u32> {
        self.problems
            .iter()
            .filter_map(|p| match p {
                Problem::Overflow { viewport, .. } => Some(*viewport),
                _ => None,
            })
            .collect()
    }

    pub fn failed_requests(&self) -> Vec<&str> {
        self.problems
            .iter()
            .filter_map(|p| match p {
                Problem::FailedRequest { url, .. } => Some(url.as_str()),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return write!(f, "page {} ({}) is clean", self.name, self.url);
        }
        writeln!(
            f,
            "page {} ({}) has {} problem(s):",
            self.name,
            self.url,
            self.problems.len()
        )?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

/// What `check_page_with` does; `Default` is what `check_page` does.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// prefers-color-scheme values to check (axe + screenshots in each).
    pub schemes: Vec<&'static str>,
    /// Viewports for screenshots; axe runs at the last one.
    pub viewports: Vec<(u32, u32)>,
    pub screenshots: bool,
    pub axe: bool,
    /// Report horizontal overflow at each viewport width.
    pub overflow: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            schemes: vec!["light", "dark"],
            viewports: vec![(375, 812), (1440, 900)],
            screenshots: true,
            axe: true,
            overflow: true,
        }
    }
}

/// Loads `url` in `page` and checks it: console errors, failed requests, foreign
/// requests, horizontal overflow at each width, axe-core in light and dark, screenshots at 375x812 and 1440x900 written to
/// target/screenshots/<name>-<width>-<scheme>.png. Assert with `report.assert_clean()`.
pub fn check_page(page: &mut Page, url: &str, name: &str) -> Report {
    check_page_with(page, url, name, &CheckOptions::default())
}

pub fn check_page_with(page: &mut Page, url: &str, name: &str, options: &CheckOptions) -> Report {
    // Drop whatever earlier pages of this session logged.
    page.logs("browser");
    page.logs("performance");

    let first_scheme = options.schemes.first().copied().unwrap_or("light");
    page.emulate_media("prefers-color-scheme", first_scheme);
    let (w, h) = options.viewports.last().copied().unwrap_or((1440, 900));
    page.set_viewport(w, h);
    page.goto(url);
    settle(page);

    let mut problems = Vec::new();
    let mut screenshots = Vec::new();
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();

    if options.axe {
        inject_axe(page);
    }
    for scheme in &options.schemes {
        page.emulate_media("prefers-color-scheme", scheme);
        for &(w, h) in &options.viewports {
            page.set_viewport(w, h);
            settle(page);
            if options.overflow && Some(scheme) == options.schemes.first() {
                problems.extend(overflow(page, w));
            }
            if options.screenshots {
                let path = screenshot_dir().join(format!("{safe_name}-{w}-{scheme}.png"));
                page.screenshot(&path);
                screenshots.push(path);
            }
        }
        if options.axe {
            problems.extend(run_axe(page, scheme));
        }
    }
    page.emulate_media("prefers-color-scheme", first_scheme);

    // Console and network problems come last so that late errors are caught too.
    let mut front = network_problems(page, url);
    front.extend(problems);
    Report {
        name: name.to_string(),
        url: url.to_string(),
        problems: front,
        screenshots,
    }
}

/// Waits (briefly) for two animation frames and for running CSS transitions/animations.
fn settle(page: &Page) {
    page.eval_async(
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        json!([]),
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        let running = page.eval(
            "document.getAnimations().filter((a) => a.playState === 'running' \
             && a.effect && isFinite(a.effect.getComputedTiming().endTime)).length",
        );
        if running.as_u64() == Some(0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Horizontal overflow at viewport width `width`, with the innermost culprits.
fn overflow(page: &Page, width: u32) -> Option<Problem> {
    let v = page.eval_with(
        r#"
        const w = arguments[0];
        const width = document.documentElement.scrollWidth;
        if (width <= w) return null;
        if (!document.querySelector('meta[name=viewport]'))
          return { width, culprits: ['no <meta name="viewport" content="width=device-width, initial-scale=1">: phones lay the page out ' + width + ' px wide'] };
        // Content clipped or scrolled inside a box that fits does not widen the page.
        const contained = (e) => {
          for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= w + 1) return true;
          }
          return false;
        };
        const out = [...document.body.querySelectorAll('*')].filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.right > w + 1 && getComputedStyle(e).position !== 'fixed' && !contained(e);
        });
        const leaves = out.filter((e) => !out.some((o) => o !== e && e.contains(o)));
        return { width, culprits: leaves.slice(0, 5).map((e) =>
          __quireDescribe(e).slice(0, 100) + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ')') };
        "#,
        json!([width]),
    );
    if v.is_null() {
        return None;
    }
    Some(Problem::Overflow {
        viewport: width,
        page_width: v["width"].as_u64().unwrap_or(0),
        culprits: v["culprits"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn inject_axe(page: &Page) {
    let loaded = page.eval("typeof window.axe === 'object'");
    if loaded == json!(true) {
        return;
    }
    page.command(
        "POST",
        "/execute/sync",
        Some(json!({ "script": format!("{AXE_JS}\n;return typeof window.axe;"), "args": [] })),
    )
    .unwrap_or_else(|e| panic!("injecting axe-core failed: {e}"));
}

fn run_axe(page: &Page, scheme: &str) -> Vec<Problem> {
    let result = page.eval_async(
        r#"
        axe.run(document, { resultTypes: ['violations'], preload: false })
          .then((r) => done({ violations: r.violations.map((v) => ({
              id: v.id, impact: v.impact || '', help: v.help,
              targets: v.nodes.map((n) => n.target.join(' ')) })) }))
          .catch((e) => done({ error: String(e && e.stack || e) }));
        "#,
        json!([]),
    );
    if let Some(err) = result["error"].as_str() {
        panic!("axe-core failed on {}: {err}", page.url());
    }
    result["violations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|v| Problem::Axe {
            scheme: scheme.to_string(),
            id: v["id"].as_str().unwrap_or("").to_string(),
            impact: v["impact"].as_str().unwrap_or("").to_string(),
            help: v["help"].as_str().unwrap_or("").to_string(),
            targets: v["targets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// `scheme://host:port` for http(s) URLs, `file:` for file URLs, else the scheme.
pub fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.split(':').next().unwrap_or("").to_ascii_lowercase() + ":";
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "file" {
        return "file:".into();
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{}", authority.to_ascii_lowercase())
}

/// Is a request to `url` foreign to a page at `page_url`?
pub fn is_foreign(url: &str, page_url: &str) -> bool {
    let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
    if matches!(scheme.as_str(), "data" | "blob" | "about" | "javascript") {
        return false;
    }
    origin_of(url) != origin_of(page_url)
}

fn network_problems(page: &Page, page_url: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut urls: HashMap<String, String> = HashMap::new();
    let mut foreign: Vec<String> = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();

    for entry in page.logs("performance") {
        let Some(text) = entry["message"].as_str() else {
            continue;
        };
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let method = message["message"]["method"].as_str().unwrap_or("");
        let params = &message["message"]["params"];
        let id = params["requestId"].as_str().unwrap_or("").to_string();
        match method {
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"].as_str().unwrap_or("").to_string();
                if is_foreign(&url, page_url)
                    && !url.starts_with("chrome-error:")
                    && !foreign.contains(&url)
                {
                    foreign.push(url.clone());
                }
                urls.insert(id, url);
            }
            "Network.loadingFailed" => {
                if params["canceled"].as_bool() == Some(true) {
                    continue;
                }
                let url = urls
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("request {id}"));
                let mut reason = params["errorText"].as_str().unwrap_or("failed").to_string();
                if let Some(b) = params["blockedReason"].as_str() {
                    reason = format!("{reason}, blocked: {b}");
                }
                failed.push((url, reason));
            }
            "Network.responseReceived" => {
                let status = params["response"]["status"].as_u64().unwrap_or(0);
                if status >= 400 {
                    let url = params["response"]["url"].as_str().unwrap_or("").to_string();
                    let text = params["response"]["statusText"].as_str().unwrap_or("");
                    failed.push((url, format!("HTTP {status} {text}").trim().to_string()));
                }
            }
            _ => {}
        }
    }

    for entry in page.logs("browser") {
        if entry["level"].as_str() != Some("SEVERE") {
            continue;
        }
        let message = entry["message"].as_str().unwrap_or("").to_string();
        // "Failed to load resource" for a request already reported below.
        let known = entry["source"].as_str() == Some("network")
            && (foreign.iter().any(|u| message.contains(u.as_str()))
                || failed.iter().any(|(u, _)| message.contains(u.as_str())));
        if !known {
            problems.push(Problem::ConsoleError { message });
        }
    }
    for url in foreign.iter() {
        problems.push(Problem::ForeignRequest { url: url.clone() });
    }
    for (url, reason) in failed {
        // A foreign request fails by design here (no network); it is reported once.
        if !foreign.contains(&url) {
            problems.push(Problem::FailedRequest { url, reason });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/a/b.html"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("file:///tmp/x/index.html"), "file:");
        assert!(!is_foreign(
            "file:///tmp/x/style.css",
            "file:///tmp/x/index.html"
        ));
        assert!(is_foreign(
            "https://example.com/x.js",
            "file:///tmp/x/index.html"
        ));
        assert!(is_foreign(
            "http://127.0.0.1:9/x.js",
            "http://127.0.0.1:8080/"
        ));
        assert!(!is_foreign(
            "http://127.0.0.1:8080/x.js?y",
            "http://127.0.0.1:8080/"
        ));
        assert!(!is_foreign(
            "data:image/png;base64,AAAA",
            "http://127.0.0.1:8080/"
        ));
    }
}
