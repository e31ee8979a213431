//! Drives a real `quire serve` on a temporary copy of the repository's project: start it on
//! an ephemeral port, listen to its events, send raw HTTP requests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A temporary project: the repository's content/ and themes/, copied.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("quire-serve-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("cannot create a temporary directory");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["content", "themes"] {
        copy_dir(&repo.join(sub), &dir.path().join(sub));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A running `quire serve`, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
    pub addr: String,
    pub root: PathBuf,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start quire serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("serving ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "quire serve printed no `serving <url>` line; stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server {
            child,
            url,
            addr,
            root: root.to_path_buf(),
            stderr,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the server's stderr contains `needle` (it is read on another thread, so
    /// an event can arrive before the line that goes with it); returns all of stderr.
    pub fn wait_for_stderr(&self, timeout: Duration, needle: &str) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let stderr = self.stderr();
            if stderr.contains(needle) {
                return stderr;
            }
            if Instant::now() > deadline {
                panic!("`{needle}` not in the server's stderr within {timeout:?}; saw:\n{stderr}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Still running?
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn get(&self, path: &str) -> HttpResponse {
        raw_get(&self.addr, path)
    }

    pub fn events(&self) -> Events {
        Events::connect(&self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request, sent byte for byte as given (no normalisation of the path).
pub fn raw_get(addr: &str, path: &str) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).expect("cannot connect to quire serve");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("no response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response to {path}: {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A Server-Sent Events client on its own thread.
pub struct Events {
    rx: mpsc::Receiver<(String, Value)>,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub name: String,
    pub data: Value,
    pub at: Instant,
}

impl Events {
    pub fn connect(addr: &str) -> Events {
        let mut stream = TcpStream::connect(addr).expect("cannot connect to quire serve");
        write!(
            stream,
            "GET /__quire/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            // Headers.
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    break;
                }
            }
            // A chunked body: size line, data, CRLF.
            let mut pending = String::new();
            let (mut name, mut data) = (String::new(), String::new());
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let Ok(size) = usize::from_str_radix(line.trim(), 16) else {
                    return;
                };
                let mut chunk = vec![0u8; size + 2];
                if reader.read_exact(&mut chunk).is_err() {
                    return;
                }
                pending.push_str(&String::from_utf8_lossy(&chunk[..size]));
                while let Some(end) = pending.find('\n') {
                    let l: String = pending.drain(..=end).collect();
                    let l = l.trim_end_matches(['\r', '\n']);
                    if let Some(v) = l.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = l.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    } else if l.is_empty() && !data.is_empty() {
                        let value = serde_json::from_str(&data).unwrap_or(Value::Null);
                        if tx.send((std::mem::take(&mut name), value)).is_err() {
                            return;
                        }
                        data.clear();
                    }
                }
            }
        });
        Events { rx }
    }

    /// The next event, or a panic after `timeout`.
    pub fn next(&self, timeout: Duration) -> Received {
        match self.rx.recv_timeout(timeout) {
            Ok((name, data)) => Received {
                name,
                data,
                at: Instant::now(),
            },
            Err(e) => panic!("no server event within {timeout:?}: {e}"),
        }
    }

    /// The next event, if one comes within `timeout`.
    pub fn try_next(&self, timeout: Duration) -> Option<Received> {
        self.rx
            .recv_timeout(timeout)
            .ok()
            .map(|(name, data)| Received {
                name,
                data,
                at: Instant::now(),
            })
    }

    /// Waits for an event matching `wanted`, skipping others.
    pub fn until(&self, timeout: Duration, wanted: impl Fn(&Received) -> bool) -> Received {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next(left) {
                Some(event) if wanted(&event) => return event,
                Some(event) => seen.push(format!("{} {}", event.name, event.data)),
                None => panic!(
                    "no matching server event within {timeout:?}; saw:\n{}",
                    seen.join("\n")
                ),
            }
        }
    }
}

/// Writes `text` to `path` the way vim does by default: rename the original to a backup,
/// write a new file, delete the backup (after probing the folder with `4913`).
pub fn save_like_vim(path: &Path, text: &str) {
    let dir = path.parent().unwrap();
    let probe = dir.join("4913");
    std::fs::write(&probe, "").unwrap();
    std::fs::remove_file(&probe).unwrap();
    let backup = path.with_file_name(format!("{}~", path.file_name().unwrap().to_string_lossy()));
    let _ = std::fs::rename(path, &backup);
    std::fs::write(path, text).unwrap();
    let _ = std::fs::remove_file(&backup);
}

/// Writes `text` to a temp file and renames it over `path` (JetBrains, many others).
pub fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_file_name(format!(
        "{}___jb_tmp___",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}
