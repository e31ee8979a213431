//! A small synchronous WebDriver client for chromedriver + Debian Chromium.
//!
//! One chromedriver process is shared by all live `Browser`s/`Page`s of a test binary
//! (it is killed when the last one is dropped); every `Page` is its own WebDriver
//! session, that is its own Chromium process with a fresh profile directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::page::Page;

/// What to tell a developer when the browser is missing or does not start.
pub const INSTALL_HINT: &str = "the browser tests need Debian's Chromium and ChromeDriver: \
     install them with `apt-get update && apt-get install -y chromium chromium-driver` \
     (or run `bash scripts/test.sh`, which does); set QUIRE_CHROMIUM / QUIRE_CHROMEDRIVER \
     to use binaries elsewhere";

/// Arguments every Chromium gets (plus a fresh `--user-data-dir`).
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    // Nothing may leave the machine: every non-loopback request goes to a proxy address
    // on which nothing listens, so it fails at once (and still shows up in the logs,
    // where the checks report it as a foreign request). Loopback bypasses proxies.
    "--proxy-server=http://127.0.0.1:9",
    "--window-size=1440,900",
];

/// An error answered by chromedriver (or the HTTP transport).
#[derive(Debug, Clone)]
pub struct WdError {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message: String = self.message.lines().collect::<Vec<_>>().join(" / ");
        let message: String = message.chars().take(600).collect();
        write!(f, "{} (HTTP {}): {message}", self.error, self.status)
    }
}

/// The HTTP side of WebDriver: JSON in, `value` out.
#[derive(Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
    pub base: String,
}

impl Http {
    /// The same connection pool with another base URL.
    pub fn with_base(&self, base: String) -> Http {
        Http {
            agent: self.agent.clone(),
            base,
        }
    }
}

impl Http {
    fn new(base: String) -> Http {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(180)))
            .build()
            .new_agent();
        Http { agent, base }
    }

    /// `method` on `base + path`, with a JSON body for POST; returns the `value` member.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, WdError> {
        let url = format!("{}{}", self.base, path);
        let transport = |e: ureq::Error| WdError {
            status: 0,
            error: "transport error".into(),
            message: format!("{method} {url}: {e}"),
        };
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => {
                let text = body.unwrap_or(&json!({})).to_string();
                self.agent
                    .post(&url)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .send(text.as_bytes())
            }
        }
        .map_err(transport)?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .with_config()
            .limit(512 * 1024 * 1024)
            .read_to_string()
            .map_err(transport)?;
        let parsed: Value = serde_json::from_str(&text).map_err(|e| WdError {
            status,
            error: "bad JSON from chromedriver".into(),
            message: format!(
                "{method} {url}: {e}: {}",
                text.chars().take(300).collect::<String>()
            ),
        })?;
        let value = parsed.get("value").cloned().unwrap_or(Value::Null);
        if status >= 400 {
            return Err(WdError {
                status,
                error: value["error"]
                    .as_str()
                    .unwrap_or("unknown error")
                    .to_string(),
                message: value["message"].as_str().unwrap_or("").to_string(),
            });
        }
        Ok(value)
    }
}

/// A running chromedriver process on a loopback port.
pub(crate) struct Driver {
    child: Mutex<Child>,
    pub http: Http,
    pub chromium: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Finds a binary: an environment override, then well-known paths, then `PATH`.
fn find_binary(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    for name in names {
        let direct = Path::new("/usr/bin").join(name);
        if direct.is_file() {
            return Some(direct);
        }
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
        }
    }
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("cannot bind a loopback port")
}

impl Driver {
    fn start() -> Driver {
        let chromedriver = find_binary("QUIRE_CHROMEDRIVER", &["chromedriver"])
            .unwrap_or_else(|| panic!("chromedriver not found; {INSTALL_HINT}"));
        let chromium = find_binary(
            "QUIRE_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        )
        .unwrap_or_else(|| panic!("chromium not found; {INSTALL_HINT}"));

        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let child = Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match child {
                Ok(c) => c,
                Err(e) => panic!("cannot run {}: {e}; {INSTALL_HINT}", chromedriver.display()),
            };
            let http = Http::new(format!("http://127.0.0.1:{port}"));
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!("chromedriver exited with {status}");
                    break;
                }
                match http.call("GET", "/status", None) {
                    Ok(v) if v["ready"].as_bool() == Some(true) => {
                        return Driver {
                            child: Mutex::new(child),
                            http,
                            chromium,
                        };
                    }
                    Ok(v) => last_error = format!("chromedriver not ready: {v}"),
                    Err(e) => last_error = e.to_string(),
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!(
            "chromedriver ({}) did not start: {last_error}; {INSTALL_HINT}",
            chromedriver.display()
        );
    }
}

/// The chromedriver shared by this test binary while any `Browser` is alive.
static SHARED: Mutex<Weak<Driver>> = Mutex::new(Weak::new());

/// A handle on chromedriver; each `new_page()` is a new Chromium session.
#[derive(Clone)]
pub struct Browser {
    pub(crate) driver: Arc<Driver>,
}

impl Browser {
    /// Starts chromedriver, or reuses the one already running in this test binary.
    /// Panics with install instructions when Chromium or chromedriver is missing.
    pub fn launch() -> Browser {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(driver) = shared.upgrade() {
            return Browser { driver };
        }
        let driver = Arc::new(Driver::start());
        *shared = Arc::downgrade(&driver);
        Browser { driver }
    }

    /// A new browser session (its own Chromium, fresh profile), 1440x900, light scheme.
    pub fn new_page(&self) -> Page {
        let profile = tempfile::Builder::new()
            .prefix("quire-chromium-")
            .tempdir()
            .expect("cannot create a Chromium profile directory");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": { "script": 60_000, "pageLoad": 30_000, "implicit": 0 },
                    "goog:chromeOptions": {
                        "binary": self.driver.chromium.to_string_lossy(),
                        "args": args,
                        "perfLoggingPrefs": { "enableNetwork": true, "enablePage": false },
                    },
                    "goog:loggingPrefs": { "browser": "ALL", "performance": "ALL" },
                }
            }
        });
        let mut last = None;
        for _attempt in 0..2 {
            match self
                .driver
                .http
                .call("POST", "/session", Some(&capabilities))
            {
                Ok(v) => {
                    let id = v["sessionId"]
                        .as_str()
                        .expect("chromedriver gave no sessionId")
                        .to_string();
                    return Page::new(self.clone(), id, profile);
                }
                Err(e) => last = Some(e),
            }
        }
        panic!(
            "Chromium ({}) did not start: {}; {INSTALL_HINT}",
            self.driver.chromium.display(),
            last.map(|e| e.to_string()).unwrap_or_default()
        );
    }

    /// Shorthand: launch, new page, go to `url`.
    pub fn open(url: &str) -> Page {
        let mut page = Browser::launch().new_page();
        page.goto(url);
        page
    }
}
