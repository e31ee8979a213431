//! `quire serve`: the author's dev server. Builds the site, serves the output folder on
//! loopback, watches the sources, rebuilds on every save and tells open pages to update.
//!
//! Three parts, one file each:
//! [`watch`] turns file-system events into "the sources changed" (debounced, temp files
//! ignored) and runs the rebuilds; [`http`] answers requests, confined to the output folder,
//! and injects the live-reload script into HTML; `live.js` is that script.
//!
//! The two sides meet in one [`tokio::sync::watch`] channel holding the latest [`Status`]:
//! the rebuild thread publishes a new status only after the new site is completely in place
//! (`output::write_site` has returned), and every open page receives it as a Server-Sent
//! Event. Nothing here writes into the output folder except through `output::write_site`,
//! so `quire build` output never contains the reload script.

mod http;
mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::BuildOptions;
use crate::config::Config;
use crate::diagnostic::{Diagnostics, Severity};

/// What `quire serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Poll the file system instead of waiting for its events (network mounts, containers).
    pub poll: bool,
    /// Render diagnostics with colour.
    pub styled: bool,
    /// Print only warnings and errors (and the `serving URL` line on standard output).
    pub quiet: bool,
    /// Host names to answer to besides localhost, 127.0.0.1, [::1] and the bound address
    /// (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

/// The host names the server answers to (see `http::App::hosts`).
fn allowed_hosts(bind: IpAddr, extra: &[String]) -> Vec<String> {
    let bound = match bind {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
        .into_iter()
        .map(String::from)
        .chain([bound])
        .chain(
            extra
                .iter()
                .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase()),
        )
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Why `serve` could not run at all. Bad content is never one of these: it is shown in the
/// browser and the terminal while the server keeps going.
#[derive(Debug)]
pub enum ServeError {
    /// The address could not be bound (most often: the port is in use).
    Bind {
        addr: SocketAddr,
        error: std::io::Error,
    },
    /// The first site could not be written to the output folder.
    Output(Diagnostics),
    /// The file watcher or the runtime could not start.
    Setup(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Bind { addr, error } if error.kind() == std::io::ErrorKind::AddrInUse => {
                write!(
                    f,
                    "cannot listen on {addr}: the port is already in use (is another `quire serve` running?)\n\
                     help: stop the other server, or choose another port with --port (--port 0 picks a free one)"
                )
            }
            ServeError::Bind { addr, error } => write!(f, "cannot listen on {addr}: {error}"),
            ServeError::Output(diags) => write!(f, "{}", diags.render(false)),
            ServeError::Setup(message) => write!(f, "{message}"),
        }
    }
}

/// One build error as the browser overlay shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorReport {
    /// The file, relative to the project root, when the error has one.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The whole diagnostic as the terminal prints it (without colour).
    pub rendered: String,
}

/// What open pages need to know: which build is current and whether the last build failed.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// How this status differs from the previous one: `reload` (pages changed), `css` (only
    /// stylesheets changed), `error` (the last build failed; the previous site is still
    /// served) or `ok` (errors cleared, the site is as it was).
    pub kind: &'static str,
    /// Counts the sites written since the server started.
    pub build: u64,
    /// The last build that changed anything but stylesheets: a page showing an older one
    /// reloads, a page showing this one only swaps its stylesheets.
    pub page_build: u64,
    /// Errors of the last build; empty when it succeeded.
    pub errors: Vec<ErrorReport>,
}

impl ErrorReport {
    fn from_diagnostics(diags: &Diagnostics) -> Vec<ErrorReport> {
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let (file, line, column) = match &d.location {
                    Some((file, span)) => {
                        let (line, column) = match span {
                            Some(span) => {
                                let (l, c) = file.line_col(span.start);
                                (Some(l), Some(c))
                            }
                            None => (None, None),
                        };
                        (Some(file.path.display().to_string()), line, column)
                    }
                    None => (None, None, None),
                };
                ErrorReport {
                    file,
                    line,
                    column,
                    message: d.message.clone(),
                    rendered: d.render(false),
                }
            })
            .collect()
    }
}

/// Builds, serves and watches until interrupted (Ctrl-C). Returns an error only when the
/// server cannot start.
pub fn serve(mut options: ServeOptions) -> Result<(), ServeError> {
    let root = options
        .build
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.build.root.clone());
    options.build.root = root.clone();
    // The output folder is fixed for the session: the server must know where to look even
    // when the first build fails.
    let out = match options.build.out.take() {
        Some(out) if out.is_absolute() => out,
        Some(out) => std::env::current_dir().unwrap_or_default().join(out),
        None => {
            let mut ignored = Diagnostics::new();
            root.join(Config::load(&root, &mut ignored).output_dir)
        }
    };
    let out = absolute_out(&out);
    options.build.out = Some(out.clone());

    // Bind before building, so that a port in use is reported at once.
    let addr = SocketAddr::new(options.bind, options.port);
    let listener =
        std::net::TcpListener::bind(addr).map_err(|error| ServeError::Bind { addr, error })?;
    let local = listener
        .local_addr()
        .map_err(|error| ServeError::Bind { addr, error })?;
    listener
        .set_nonblocking(true)
        .map_err(|error| ServeError::Bind { addr, error })?;

    let sources = watch::Sources::watch(&root, &out, options.poll)
        .map_err(|e| ServeError::Setup(format!("cannot watch {}: {e}", root.display())))?;
    let mut builder = watch::Builder::new(
        options.build.clone(),
        out.clone(),
        options.styled,
        options.quiet,
    );
    let initial = builder.initial()?;
    let (status_tx, status_rx) = tokio::sync::watch::channel(initial);
    sources
        .rebuild_on_change(builder, status_tx)
        .map_err(|e| ServeError::Setup(format!("cannot start rebuilding: {e}")))?;

    // An unspecified address (0.0.0.0, ::) listens everywhere, but is no place to browse to.
    let shown = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::from(([127, 0, 0, 1], local.port())),
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, local.port()))
        }
        _ => local,
    };
    let url = format!("http://{shown}/");
    println!("serving {url}");
    let _ = std::io::stdout().flush();
    if !options.quiet {
        eprintln!(
            "serving {} at {url}; watching content/, themes/ and quire.toml{}; press Ctrl-C to stop",
            relative_to(&out, &root).display(),
            if options.poll { " (polling)" } else { "" }
        );
    }
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines on the network can read this site",
            options.bind
        );
    }
    if options.open {
        open_browser(&url);
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Setup(format!("cannot start the server: {e}")))?;
    let app = Arc::new(http::App {
        out,
        status: status_rx,
        hosts: allowed_hosts(options.bind, &options.allow_hosts),
    });
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        tokio::select! {
            () = http::serve_connections(listener, http::router(app)) => Ok(()),
            _ = tokio::signal::ctrl_c() => Ok::<(), std::io::Error>(()),
        }
    });
    result.map_err(|e| ServeError::Setup(format!("the server stopped: {e}")))
}

/// The output folder as an absolute path, its parent resolved through symlinks (the folder
/// itself may not exist yet), so that watcher events can be compared with it.
fn absolute_out(out: &Path) -> PathBuf {
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| out.to_path_buf(), |p| p.join(name)),
        _ => out.to_path_buf(),
    }
}

fn relative_to(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = command.spawn() {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}
