//! Answering requests: files from the output folder and nothing else, plus the event stream.
//!
//! Every request is resolved afresh against the output folder's path (never a handle held
//! open), because each build swaps a new folder into place by renaming. A request may only
//! name a file inside that folder: `..`, `.`, empty segments, backslashes, NUL and `:` in
//! any segment (also percent-encoded), and symlinks resolving outside, are all 404. A folder
//! serves its `index.html` or nothing: there are no directory listings.
//!
//! HTML responses get the live-reload script; the files on disk never do.
//!
//! The server answers only to its own names (DNS rebinding: a web page whose host name
//! resolves to 127.0.0.1 must not read the author's drafts): a request whose `Host` is not
//! one of [`App::hosts`] gets 421. A connection must send each request's headers within
//! [`HEADER_TIMEOUT`] (also while it waits between requests), and one on which nothing
//! moves either way for [`IDLE_TIMEOUT`] is closed, so slow clients cannot hold the
//! server's file descriptors.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

use super::Status;
use crate::output::content_type;

/// The event stream open pages listen to. A site file cannot have this name: `output`
/// writes no names starting with `__quire`.
pub const EVENTS_PATH: &str = "/__quire/events";

const LIVE_JS: &str = include_str!("live.js");

/// How long a client has to send a request's headers, counted from the moment the server
/// waits for them (so also an idle keep-alive connection's wait for its next request).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection may go with nothing read or written (a client that stopped
/// reading its response). Longer than the event stream's 15-second keep-alive.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);

pub struct App {
    pub out: PathBuf,
    pub status: tokio::sync::watch::Receiver<Status>,
    /// The host names (lower case, IPv6 addresses in brackets, no port) the server answers to.
    pub hosts: Vec<String>,
}

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

/// Serves connections from `listener` until the future is dropped, each with the header
/// and idle timeouts.
pub async fn serve_connections(listener: tokio::net::TcpListener, router: Router) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, most likely: wait for connections to close.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(Idle::new(stream, IDLE_TIMEOUT));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(io, service)
                .await;
        });
    }
}

/// A connection that fails with `TimedOut` once nothing has been read or written for
/// `limit` while the server waits on it.
struct Idle {
    stream: tokio::net::TcpStream,
    limit: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl Idle {
    fn new(stream: tokio::net::TcpStream, limit: Duration) -> Idle {
        Idle {
            stream,
            limit,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }

    /// Moves the deadline on after progress; after none, reports whether time is up.
    fn after<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                let next = tokio::time::Instant::now() + self.limit;
                self.deadline.as_mut().reset(next);
                Poll::Ready(result)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "connection idle",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl tokio::io::AsyncRead for Idle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_read(cx, buf);
        self.after(cx, poll)
    }
}

impl tokio::io::AsyncWrite for Idle {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.after(cx, poll)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_flush(cx);
        self.after(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The host a request names, as compared with [`App::hosts`]: lower case, without the
/// port or a trailing dot.
fn host_name(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    let name = if host.starts_with('[') {
        host.find(']').map_or(host.as_str(), |end| &host[..=end])
    } else {
        host.split(':').next().unwrap_or("")
    };
    name.trim_end_matches('.').to_string()
}

fn misdirected(host: Option<&str>) -> Response {
    let body = format!(
        "quire serve does not answer to the host {:?}: it answers only to localhost, 127.0.0.1, [::1] and the address it listens on, so that no other web site can read your drafts.\nTo add a name, start it with --allow-host NAME.\n",
        host.unwrap_or("(none)")
    );
    with_common_headers((StatusCode::MISDIRECTED_REQUEST, body).into_response())
}

async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|h| app.hosts.contains(&host_name(h))) {
        return misdirected(host);
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if uri.path() == EVENTS_PATH {
        return events(&app).into_response();
    }
    // The status is read before the file: a page from an older build than the status it
    // carries would reload once more, but a page newer than its status would never reload.
    let status = app.status.borrow().clone();
    let response = match resolve(&app.out, uri.path()) {
        Resolved::File(path) => match std::fs::read(&path) {
            Ok(bytes) => file_response(StatusCode::OK, &path, bytes, &status, false),
            Err(_) => not_found(&app.out, &status),
        },
        Resolved::Redirect => {
            let location = format!("{}/", uri.path());
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Resolved::NotFound => not_found(&app.out, &status),
    };
    with_common_headers(response)
}

fn with_common_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // An author's browser must always see the latest build.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn events(app: &App) -> impl IntoResponse {
    let rx = app.status.clone();
    // The first event ("hello") is the current status, so that a page that connects late,
    // or reconnects, still learns of a build it missed or an error on screen.
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first {
            rx.changed().await.ok()?;
        }
        let status = rx.borrow_and_update().clone();
        let name = if first { "hello" } else { status.kind };
        let data = serde_json::to_string(&status).unwrap_or_else(|_| "{}".into());
        Some((
            Ok::<_, Infallible>(Event::default().event(name).data(data)),
            (rx, false),
        ))
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder named without its trailing slash: redirect, so relative links resolve.
    Redirect,
    NotFound,
}

/// Maps a request path onto a file inside `out`, or refuses.
pub fn resolve(out: &Path, request_path: &str) -> Resolved {
    let Ok(decoded) = percent_decode_str(request_path).decode_utf8() else {
        return Resolved::NotFound;
    };
    let Some(rel) = decoded.strip_prefix('/') else {
        return Resolved::NotFound;
    };
    if rel.contains(['\\', '\0']) {
        return Resolved::NotFound;
    }
    let (rel, wants_folder) = match rel.strip_suffix('/') {
        Some(rel) => (rel, true),
        None => (rel, rel.is_empty()),
    };
    let mut path = out.to_path_buf();
    if !rel.is_empty() {
        for segment in rel.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." || segment.contains(':') {
                return Resolved::NotFound;
            }
            path.push(segment);
        }
    }
    // Symlinks may point anywhere; only what resolves inside the output folder is served.
    let (Ok(out), Ok(path)) = (out.canonicalize(), path.canonicalize()) else {
        return Resolved::NotFound;
    };
    if !path.starts_with(&out) {
        return Resolved::NotFound;
    }
    if path.is_file() {
        return if wants_folder {
            Resolved::NotFound
        } else {
            Resolved::File(path)
        };
    }
    if !path.is_dir() {
        return Resolved::NotFound;
    }
    match path.join("index.html").canonicalize() {
        Ok(index) if index.starts_with(&out) && index.is_file() => {
            if wants_folder {
                Resolved::File(index)
            } else {
                Resolved::Redirect
            }
        }
        _ => Resolved::NotFound,
    }
}

/// The site's `404.html`, or a page of our own when there is none (or no site yet, when
/// the first build failed: the overlay then shows why).
fn not_found(out: &Path, status: &Status) -> Response {
    if let Resolved::File(path) = resolve(out, "/404.html")
        && let Ok(bytes) = std::fs::read(&path)
    {
        return file_response(StatusCode::NOT_FOUND, &path, bytes, status, true);
    }
    let message = if out.join("index.html").is_file() {
        "There is no page at this address."
    } else {
        "There is no site to show yet: the first build failed. Fix the error and this page will reload."
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n\
         <title>Not found · quire serve</title>\n</head>\n<body>\n<main>\n<h1>Not found</h1>\n\
         <p>{message}</p>\n<p><a href=\"/\">Home</a></p>\n</main>\n</body>\n</html>\n"
    );
    file_response(
        StatusCode::NOT_FOUND,
        Path::new("404.html"),
        html.into_bytes(),
        status,
        false,
    )
}

fn file_response(
    code: StatusCode,
    path: &Path,
    bytes: Vec<u8>,
    status: &Status,
    rebase: bool,
) -> Response {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        inject(bytes, status, rebase)
    } else {
        bytes
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    with_common_headers(response)
}

/// Adds the live-reload script before `</body>`. `rebase` also adds `<base href="/">`, for
/// the 404 page: it is served at any depth, but its relative links are written for the root.
pub fn inject(html: Vec<u8>, status: &Status, rebase: bool) -> Vec<u8> {
    let script = format!(
        "<script id=\"quire-live\" data-build=\"{}\" data-page-build=\"{}\">\n{LIVE_JS}</script>\n",
        status.build, status.page_build
    );
    let mut html = html;
    let lower = html.to_ascii_lowercase();
    let at = find_last(&lower, b"</body>").unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    if rebase {
        let head = lower
            .windows(6)
            .position(|w| w.starts_with(b"<head") && (w[5] == b'>' || w[5].is_ascii_whitespace()));
        if let Some(head) = head
            && let Some(end) = lower[head..].iter().position(|&b| b == b'>')
        {
            let at = head + end + 1;
            html.splice(at..at, b"\n<base href=\"/\">".iter().copied());
        }
    }
    html
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir_all(out.join("cells")).unwrap();
        std::fs::create_dir_all(out.join("empty")).unwrap();
        std::fs::write(out.join("index.html"), "<p>home</p>").unwrap();
        std::fs::write(out.join("cells/index.html"), "<p>cells</p>").unwrap();
        std::fs::write(out.join("cells/a b.html"), "<p>a b</p>").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        dir
    }

    #[test]
    fn resolves_files_and_folders() {
        let dir = site();
        let out = dir.path().join("site");
        let canon = out.canonicalize().unwrap();
        assert_eq!(resolve(&out, "/"), Resolved::File(canon.join("index.html")));
        assert_eq!(
            resolve(&out, "/index.html"),
            Resolved::File(canon.join("index.html"))
        );
        assert_eq!(
            resolve(&out, "/cells/"),
            Resolved::File(canon.join("cells/index.html"))
        );
        assert_eq!(resolve(&out, "/cells"), Resolved::Redirect);
        assert_eq!(
            resolve(&out, "/cells/a%20b.html"),
            Resolved::File(canon.join("cells/a b.html"))
        );
        assert_eq!(resolve(&out, "/empty/"), Resolved::NotFound);
        assert_eq!(resolve(&out, "/empty"), Resolved::NotFound);
        assert_eq!(resolve(&out, "/index.html/"), Resolved::NotFound);
    }

    #[test]
    fn refuses_everything_outside() {
        let dir = site();
        let out = dir.path().join("site");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("link.txt")).unwrap();
        for path in [
            "/../secret.txt",
            "/cells/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/cells\\..\\..\\secret.txt",
            "//etc/passwd",
            "/%2fetc%2fpasswd",
            "/C:/Windows/win.ini",
            "/index.html%00.txt",
            "/link.txt",
            "/./index.html",
            "/%ff",
            "relative",
        ] {
            assert_eq!(resolve(&out, path), Resolved::NotFound, "{path}");
        }
    }

    #[test]
    fn injects_before_body_end() {
        let status = Status {
            kind: "reload",
            build: 3,
            page_build: 2,
            errors: vec![],
        };
        let html = inject(
            b"<html><head></head><BODY>x</BODY></html>".to_vec(),
            &status,
            true,
        );
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.starts_with("<html><head>\n<base href=\"/\"></head><BODY>x<script"),
            "{html}"
        );
        assert!(html.contains("data-build=\"3\" data-page-build=\"2\""));
        assert!(html.ends_with("</script>\n</BODY></html>"), "{html}");
        let plain = String::from_utf8(inject(b"text".to_vec(), &status, false)).unwrap();
        assert!(plain.starts_with("text<script"));
    }
}
