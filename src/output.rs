//! Writing the site: everything goes into a fresh directory beside the output, which is
//! then swapped into place. A build that fails, or is killed, leaves the previous site
//! exactly as it was; readers of the output (`quire serve`) never see half a site.
//!
//! quire replaces only what quire made. Every site it writes holds a [`MARKER`] file; an
//! existing folder without it is refused unless `--force`, and a folder that holds the
//! project, a `.git` folder or the user's home is refused always. Paths are resolved
//! (symlinks, `..`) before anything is compared. [`check_export_target`] guards the
//! single files quire writes (`--single-file`, the EPUB) the same way.

use std::io;
use std::path::{Component, Path, PathBuf};

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The file every site quire writes holds at its top: `--out` may replace a folder only
/// when it holds this file (or is empty). Its text never changes, so a committed site
/// stays byte-identical from build to build.
pub const MARKER: &str = ".quire-site";

const MARKER_TEXT: &str = "This folder is a site written by `quire build`. The next build replaces all of it;\nedit the project's content/ instead.\n";

/// Staging folders are named `.<out>.quire-new-<pid>`; retired sites (the two-rename
/// swap) `.<out>.quire-old-<pid>`.
const STAGING: &str = "quire-new-";
const RETIRED: &str = "quire-old-";

/// Folders of a project that hold what the author wrote: never replaced by an output.
const SOURCE_FOLDERS: [&str; 5] = ["content", "themes", "templates", "static", ".git"];

/// Why the output folder was not written, and whether the previous site is still where
/// it was.
#[derive(Debug)]
pub struct WriteError {
    pub message: String,
    pub help: Option<String>,
    /// False only when a swap failed half-way and the old site could not be put back.
    pub previous_kept: bool,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl WriteError {
    fn kept(message: impl Into<String>) -> WriteError {
        WriteError {
            message: message.into(),
            help: None,
            previous_kept: true,
        }
    }

    fn help(mut self, help: impl Into<String>) -> WriteError {
        self.help = Some(help.into());
        self
    }
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> WriteError {
        WriteError::kept(e.to_string())
    }
}

/// Who is writing: the project the site is built from, and whether `--force` was given.
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    pub root: &'a Path,
    pub force: bool,
}

/// Writes `pages` as the complete content of `out`, replacing what was there.
pub fn write_site(out: &Path, pages: &[Page], guard: Guard<'_>) -> Result<(), WriteError> {
    // Everything below works on the resolved path: `site/../site` must not vanish half-way
    // through the swap because `site/..` stopped existing.
    let out = resolve(out)?;
    check_replaceable(&out, guard)?;
    let (Some(name), Some(parent)) = (out.file_name(), out.parent()) else {
        return Err(WriteError::kept(format!(
            "{} is not a folder quire can write a site into",
            out.display()
        )));
    };
    let name = name.to_string_lossy().into_owned();
    std::fs::create_dir_all(parent)?;
    remove_stale(parent, &name);
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.{STAGING}{pid}"));
    let retired = parent.join(format!(".{name}.{RETIRED}{pid}"));
    let _ = std::fs::remove_dir_all(&staging);
    let result = write_all(&staging, pages).map_err(WriteError::from);
    let result = result.and_then(|()| swap(&staging, &out, &retired));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(dir: &Path, pages: &[Page]) -> io::Result<()> {
    std::fs::create_dir(dir)?;
    // First, so that a staging folder a killed build leaves behind is recognisably ours.
    std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
    for page in pages {
        if page
            .path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the site: {}", page.path),
            ));
        }
        let path = dir.join(&page.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, &page.bytes)?;
    }
    Ok(())
}

/// Puts `staging` where `out` is. On Linux one `renameat2(RENAME_EXCHANGE)` swaps the two
/// folders atomically, so at every instant `out` is either the old site or the new one.
fn swap(staging: &Path, out: &Path, retired: &Path) -> Result<(), WriteError> {
    if !out.exists() {
        return Ok(std::fs::rename(staging, out)?);
    }
    #[cfg(target_os = "linux")]
    match rustix::fs::renameat_with(
        rustix::fs::CWD,
        staging,
        rustix::fs::CWD,
        out,
        rustix::fs::RenameFlags::EXCHANGE,
    ) {
        Ok(()) => {
            // `staging` now holds the old site. Should removing it fail, the next build
            // removes it (it holds the marker).
            let _ = std::fs::remove_dir_all(staging);
            return Ok(());
        }
        // File systems without RENAME_EXCHANGE (some network and FUSE mounts).
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
        Err(e) => return Err(io::Error::from(e).into()),
    }
    std::fs::rename(out, retired)?;
    if let Err(e) = std::fs::rename(staging, out) {
        // Put the old site back before reporting.
        return Err(match std::fs::rename(retired, out) {
            Ok(()) => e.into(),
            Err(_) => WriteError {
                message: format!(
                    "{e}; the previous site could not be put back and is in {}",
                    retired.display()
                ),
                help: None,
                previous_kept: false,
            },
        });
    }
    let _ = std::fs::remove_dir_all(retired);
    Ok(())
}

/// Removes the staging and retired folders of builds that were killed: only folders named
/// as quire names them, that are empty or hold the marker, and whose process is gone.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest
            .strip_prefix(STAGING)
            .or_else(|| rest.strip_prefix(RETIRED))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let ours = path.join(MARKER).is_file()
            || std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
        if is_dir && ours && abandoned(&path, pid) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether the build that made a staging folder is gone. Where there is no `/proc` to ask,
/// a folder an hour old is taken as abandoned.
fn abandoned(path: &Path, pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return !Path::new("/proc").join(pid.to_string()).exists();
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 3600))
}

/// The output is replaced wholesale, so it must be a site quire wrote (or empty): a typo in
/// `--out` must never delete an author's files.
fn check_replaceable(out: &Path, guard: Guard<'_>) -> Result<(), WriteError> {
    let root = resolve(guard.root)?;
    let show = out.display();
    if root.starts_with(out) {
        return Err(WriteError::kept(format!(
            "refusing to write the site to {show}: it holds the project {}",
            root.display()
        ))
        .help("write the site to a folder of its own, e.g. --out site"));
    }
    if let Some(home) = home_dir().and_then(|h| resolve(&h).ok())
        && home.starts_with(out)
    {
        return Err(WriteError::kept(format!(
            "refusing to write the site to {show}: it holds your home folder"
        ))
        .help("write the site to a folder of its own, e.g. --out site"));
    }
    for folder in SOURCE_FOLDERS {
        let source = root.join(folder);
        if out.starts_with(&source) {
            return Err(WriteError::kept(format!(
                "refusing to write the site to {show}: it is inside the project's {folder}/"
            ))
            .help("write the site to a folder of its own, e.g. --out site"));
        }
    }
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(WriteError::kept(format!(
            "refusing to replace {show}: it exists and is not a folder"
        )));
    }
    if out.join(".git").exists() {
        return Err(WriteError::kept(format!(
            "refusing to replace {show}: it holds a .git folder"
        ))
        .help("write the site to a folder of its own, e.g. --out site"));
    }
    if out.join(MARKER).is_file() || std::fs::read_dir(out)?.next().is_none() {
        return Ok(());
    }
    if guard.force {
        return Ok(());
    }
    Err(WriteError::kept(format!(
        "refusing to replace {show}: it is not empty and quire did not write it (it has no {MARKER} file)"
    ))
    .help(format!(
        "the build replaces the whole folder; name an empty or new folder, or pass --force to replace {show} and everything in it"
    )))
}

/// Checks that a single file quire writes (`--single-file`, an EPUB) may go to `path`:
/// a new file, or a previous export (`is_previous_export` is given the file's first 4 KiB).
/// Anything else, and any path inside the project's `content/`, `themes/`, `templates/`,
/// `static/` or `.git/`, is refused unless `force`. Returns an error message and a help.
pub fn check_export_target(
    path: &Path,
    root: &Path,
    force: bool,
    is_previous_export: impl Fn(&[u8]) -> bool,
) -> Result<(), (String, String)> {
    let shown = path.display();
    let resolved =
        resolve(path).map_err(|e| (format!("cannot write {shown}: {e}"), String::new()))?;
    let help_force = format!("name a new file, or pass --force to replace {shown}");
    if let Ok(root) = resolve(root) {
        for folder in SOURCE_FOLDERS {
            if resolved.starts_with(root.join(folder)) && !force {
                return Err((
                    format!("refusing to write {shown}: it is inside the project's {folder}/"),
                    help_force,
                ));
            }
        }
    }
    let Ok(meta) = std::fs::metadata(&resolved) else {
        return Ok(());
    };
    if meta.is_dir() {
        return Err((
            format!("cannot write {shown}: it is a folder"),
            "give a file path, e.g. --single-file essay.html".into(),
        ));
    }
    if !meta.is_file() {
        return Err((
            format!("refusing to write {shown}: it is not a regular file"),
            "name a new file".into(),
        ));
    }
    if force {
        return Ok(());
    }
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(&resolved)
        .and_then(|f| io::Read::read_to_end(&mut io::Read::take(f, 4096), &mut head));
    if read.is_ok() && is_previous_export(&head) {
        return Ok(());
    }
    Err((
        format!("refusing to replace {shown}: it exists and is not a file quire exported"),
        help_force,
    ))
}

/// Writes one file through a temporary file beside it and a rename, so that a reader sees
/// the old file or the new one, never half of one. The folder must exist.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.quire-new-{}", std::process::id()));
    std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
}

/// `path` made absolute, with `.`, `..` and every symlink of its existing part resolved.
/// The part that does not exist yet is taken as written (it cannot hold a symlink).
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(part) => {
                resolved.push(part);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The `Content-Type` of every kind of file a site may hold: what `quire serve` sends, and
/// the media type of the `data:` URLs in a single-file export.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "bib" => "application/x-bibtex; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        // CNAME, .nojekyll and the like.
        "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A `data:` URL with the file's bytes, base64-encoded.
pub fn data_url(path: &str, bytes: &[u8]) -> String {
    // A data URL's media type carries no spaces: keep the type, drop `; charset=...`.
    let mime = content_type(std::path::Path::new(path))
        .split(';')
        .next()
        .unwrap_or("application/octet-stream");
    format!("data:{mime};base64,{}", base64(bytes))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
