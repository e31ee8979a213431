//! A static server that behaves like GitHub Pages for a project site: the files under
//! `root` are served under a path prefix (`/repo/`), a folder serves its index.html, and
//! any missing URL, at any depth, gets the site's own `404.html` with status 404.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::server::{content_type, percent_decode};

pub struct PagesServer {
    addr: SocketAddr,
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Every request target received, in order.
    requests: Arc<Mutex<Vec<String>>>,
}

impl PagesServer {
    /// Serves `root` at `http://127.0.0.1:PORT/<prefix>/` until dropped. `prefix` is a
    /// single path segment like "repo".
    pub fn start(root: impl Into<PathBuf>, prefix: &str) -> PagesServer {
        let root: PathBuf = root.into();
        let prefix = format!("/{}/", prefix.trim_matches('/'));
        let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("no local address");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop2, requests2, prefix2) = (stop.clone(), requests.clone(), prefix.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, prefix, requests) = (root.clone(), prefix2.clone(), requests2.clone());
                std::thread::spawn(move || {
                    let _ = handle(stream, &root, &prefix, &requests);
                });
            }
        });
        PagesServer {
            addr,
            prefix,
            stop,
            thread: Some(thread),
            requests,
        }
    }

    /// `http://127.0.0.1:PORT/repo/` (with the trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.prefix)
    }

    /// `http://127.0.0.1:PORT/repo/<path>`.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{}", self.url(), path.trim_start_matches('/'))
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for PagesServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(
    mut stream: TcpStream,
    root: &Path,
    prefix: &str,
    requests: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("").to_string();
    if let Ok(mut r) = requests.lock() {
        r.push(target.clone());
    }
    let head = method == "HEAD";
    let path = target.split(['?', '#']).next().unwrap_or("");
    let (status, headers, body) = if path == prefix.trim_end_matches('/') {
        (301, vec![("Location", prefix.to_string())], Vec::new())
    } else if let Some(file) = path.strip_prefix(prefix).and_then(|rel| find(root, rel)) {
        match std::fs::read(&file) {
            Ok(body) => (
                200,
                vec![("Content-Type", content_type(&file).to_string())],
                body,
            ),
            Err(_) => not_found(root),
        }
    } else {
        not_found(root)
    };
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        _ => "Not Found",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n",
        body.len()
    );
    for (k, v) in headers {
        response.push_str(&format!("{k}: {v}\r\n"));
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes())?;
    if !head {
        stream.write_all(&body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    Ok(())
}

/// GitHub Pages' answer to a missing URL: the site's 404.html, as is.
fn not_found(root: &Path) -> (u16, Vec<(&'static str, String)>, Vec<u8>) {
    match std::fs::read(root.join("404.html")) {
        Ok(body) => (
            404,
            vec![("Content-Type", "text/html; charset=utf-8".into())],
            body,
        ),
        Err(_) => (
            404,
            vec![("Content-Type", "text/plain".into())],
            b"not found\n".to_vec(),
        ),
    }
}

/// The file for a path under the prefix, if there is one (a folder means its index.html).
fn find(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for segment in rel.split('/') {
        let segment = percent_decode(segment)?;
        match segment.as_str() {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => file.push(s),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}
