//! `quire build --epub PATH`: the essay as one EPUB 3 book for e-readers.
//!
//! Like the single-file export it is made from the pages `render` produced, not from
//! templates of its own: the front page's parts (title block, essay with its grid,
//! footnotes, cell panels, thread, "cite this essay") and the references page are parsed
//! with html5ever, re-serialized as XHTML and split into one document each. Web-only
//! chrome (buttons, permalinks, hidden and script-driven parts) is left out; every link
//! between pages is pointed at the document that now holds its target, and a link whose
//! target the book doesn't carry becomes plain text. Footnotes become EPUB footnotes
//! (`epub:type="noteref"`/`"footnote"`), which e-readers show as pop-ups.
//!
//! The book's metadata is the essay's citation (`citation.json`, written from the front
//! matter), so it says nothing the front matter doesn't. The container is written with
//! the `zip` crate: `mimetype` first and stored, fixed timestamps and permissions, files
//! in a fixed order, so two builds of the same content are byte-identical.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Cursor, Write};
use std::path::Path;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use crate::BuildOptions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::Page;
use crate::render::essay_citation::CSL_JSON_PATH;
pub use crate::render::preview::shade;

/// The book's stylesheet: plain CSS that e-readers understand (no custom properties).
const STYLE: &str = include_str!("epub.css");

/// The media type of an EPUB, which its `mimetype` entry holds.
const MIMETYPE: &str = "application/epub+zip";

/// `quire build --epub PATH`: renders the site in memory and writes it as one EPUB.
/// Returns the number of bytes written; on error nothing is written.
pub fn export(options: &BuildOptions, path: &Path) -> Result<(usize, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    // `site/../essay.epub` names essay.epub even when site/ does not exist.
    let resolved = crate::output::resolve(path);
    let path = resolved.as_deref().unwrap_or(path);
    if let Err(d) = check_destination(path) {
        diags.push(*d);
        return Err(diags);
    }
    // The guard every export shares: a new file or a previous EPUB, never a source file,
    // unless --force.
    if let Err((message, help)) =
        crate::output::check_export_target(path, &options.root, options.force, is_epub)
    {
        diags.push(Diagnostic::error(message).help(help));
        return Err(diags);
    }
    let Some((pages, _)) =
        crate::render_site_whole_thread(options, &mut diags).filter(|_| !diags.has_errors())
    else {
        return Err(diags);
    };
    let bytes = match book(&pages) {
        Ok(b) => b,
        Err(d) => {
            diags.push(*d);
            return Err(diags);
        }
    };
    if let Err(d) = write(path, &bytes) {
        diags.push(*d);
        return Err(diags);
    }
    Ok((bytes.len(), diags))
}

/// `path` must be a file in an existing folder.
pub fn check_destination(path: &Path) -> Result<(), Box<Diagnostic>> {
    crate::export::check_destination(path).map_err(|_| {
        Box::new(
            Diagnostic::error(format!("cannot write the EPUB to {}", path.display()))
                .label(if path.is_dir() {
                    "it is a folder"
                } else {
                    "its folder does not exist"
                })
                .help("give a file path in an existing folder, e.g. --epub essay.epub"),
        )
    })
}

/// An EPUB starts with a stored `mimetype` entry holding `application/epub+zip`: the first
/// bytes of a file say whether it is a previous EPUB.
fn is_epub(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") && head.get(30..58) == Some(b"mimetypeapplication/epub+zip")
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Box<Diagnostic>> {
    check_destination(path)?;
    crate::output::write_file(path, bytes).map_err(|e| {
        Box::new(Diagnostic::error(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    })
}

/// What the book says about itself: the essay's citation.
#[derive(Debug, Default)]
struct Metadata {
    title: String,
    author: Option<String>,
    /// `2024-08-19`, or as much of it as is known.
    date: Option<String>,
    source: Option<String>,
    language: String,
}

impl Metadata {
    fn from_csl(json: &[u8], language: &str) -> Option<Metadata> {
        let value: serde_json::Value = serde_json::from_slice(json).ok()?;
        let item = value.get(0)?;
        let date = item["issued"]["date-parts"][0].as_array().map(|parts| {
            parts
                .iter()
                .filter_map(serde_json::Value::as_u64)
                .enumerate()
                .map(|(i, n)| {
                    if i == 0 {
                        format!("{n:04}")
                    } else {
                        format!("{n:02}")
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        });
        Some(Metadata {
            title: item["title"].as_str()?.to_string(),
            author: item["author"][0]["literal"].as_str().map(str::to_string),
            date: date.filter(|d| !d.is_empty()),
            source: item["URL"].as_str().map(str::to_string),
            language: item["language"].as_str().unwrap_or(language).to_string(),
        })
    }

    /// A stable identifier: the same essay always gets the same one, another essay
    /// another (an RFC 9562 version-8 UUID from a hash of the citation).
    fn identifier(&self) -> String {
        let text = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}",
            self.title,
            self.author.as_deref().unwrap_or(""),
            self.date.as_deref().unwrap_or(""),
            self.source.as_deref().unwrap_or("")
        );
        let hi = fnv1a(text.as_bytes(), 0xcbf2_9ce4_8422_2325);
        let lo = fnv1a(text.as_bytes(), 0x6c62_272e_07bb_0142);
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&hi.to_be_bytes());
        b[8..].copy_from_slice(&lo.to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// `dcterms:modified`, which EPUB requires: the essay's date, or a fixed one, never the
    /// time of the build (the book must be the same on every build).
    fn modified(&self) -> String {
        match self.date.as_deref() {
            Some(d) if d.len() == 10 => format!("{d}T00:00:00Z"),
            Some(d) if d.len() == 7 => format!("{d}-01T00:00:00Z"),
            Some(d) if d.len() == 4 => format!("{d}-01-01T00:00:00Z"),
            _ => "1980-01-01T00:00:00Z".to_string(),
        }
    }
}

fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(seed, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One XHTML document of the book.
struct Document {
    /// File name inside `OEBPS/`.
    file: &'static str,
    /// Its title, in the table of contents and its `<title>`.
    title: String,
    /// `epub:type` of its `<body>`'s section.
    kind: &'static str,
    /// The nodes it is made of, in order.
    parts: Vec<Part>,
    /// Second-level entries of the table of contents: (fragment, label).
    entries: Vec<(String, String)>,
}

enum Part {
    /// A node of a page, converted.
    Node(Handle, PageKind),
    /// A node of the front page that becomes a document of its own: its headings one
    /// level up (a cell panel's h3 under the document's h1, the thread's h2 as its h1).
    Promoted(Handle),
    /// XHTML written here.
    Raw(String),
}

/// Which page of the site a node comes from, to resolve its relative links.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PageKind {
    Index,
    References,
}

/// The EPUB, as bytes, from the pages of a rendered site.
pub fn book(pages: &[Page]) -> Result<Vec<u8>, Box<Diagnostic>> {
    let files: BTreeMap<&str, &[u8]> = pages
        .iter()
        .map(|p| (p.path.as_str(), p.bytes.as_slice()))
        .collect();
    let index_bytes = files.get("index.html").ok_or_else(|| {
        Box::new(Diagnostic::error(
            "the site has no index.html to make a book from (does the theme have an index.html template?)",
        ))
    })?;
    let index = parse(index_bytes);
    let html_lang = find(&index, &|n| is(n, "html"))
        .and_then(|h| attr(&h, "lang"))
        .unwrap_or_else(|| "en".into());
    let meta = files
        .get(CSL_JSON_PATH)
        .and_then(|j| Metadata::from_csl(j, &html_lang))
        .ok_or_else(|| {
            Box::new(Diagnostic::error(
                "the site has no readable citation.json to take the book's metadata from",
            ))
        })?;
    let body = find(&index, &|n| has_class(n, "essay-body")).ok_or_else(|| {
        Box::new(Diagnostic::error(
            "index.html has no <div class=\"essay-body\">: the book is made from the default theme's page structure",
        ))
    })?;
    let references = files.get("references.html").map(|b| parse(b));

    let mut documents = Vec::new();

    // The title page: the title block (title, byline, original publication, editor's
    // note) and how to cite the essay.
    let mut title_parts = Vec::new();
    match find(&index, &|n| has_class(n, "title-block")) {
        Some(block) => title_parts.push(Part::Node(block, PageKind::Index)),
        None => title_parts.push(Part::Raw(format!("<h1>{}</h1>\n", xml_text(&meta.title)))),
    }
    if let Some(cite) = find(&index, &|n| attr(n, "id").as_deref() == Some("cite")) {
        title_parts.push(Part::Node(cite, PageKind::Index));
    }
    documents.push(Document {
        file: "title.xhtml",
        title: meta.title.clone(),
        kind: "titlepage",
        parts: title_parts,
        entries: Vec::new(),
    });

    // The essay, its grid, and its notes as EPUB footnotes.
    let mut essay_parts = vec![
        Part::Raw(format!("<h1>{}</h1>\n", xml_text(&meta.title))),
        Part::Node(body.clone(), PageKind::Index),
    ];
    let notes = find_all(&index, &|n| is(n, "li") && has_class(n, "footnote"));
    if !notes.is_empty() {
        essay_parts.push(Part::Raw(
            "<section class=\"footnotes\" epub:type=\"footnotes\">\n<h2>Notes</h2>\n".into(),
        ));
        for note in notes {
            essay_parts.push(Part::Node(note, PageKind::Index));
        }
        essay_parts.push(Part::Raw("</section>\n".into()));
    }
    let headings = find_all(&body, &|n| is(n, "h2") && attr(n, "id").is_some())
        .into_iter()
        .map(|h| (attr(&h, "id").unwrap_or_default(), heading_text(&h)))
        .collect();
    documents.push(Document {
        file: "essay.xhtml",
        title: meta.title.clone(),
        kind: "bodymatter chapter",
        parts: essay_parts,
        entries: headings,
    });

    // One section per cell of the grid.
    let panels = find_all(&index, &|n| has_class(n, "cell-panel"));
    if !panels.is_empty() {
        let entries = panels
            .iter()
            .filter_map(|p| {
                let id = attr(p, "id")?;
                let title = find(p, &|n| has_class(n, "cell-title")).map(|t| heading_text(&t))?;
                Some((id, title))
            })
            .collect();
        let mut parts = vec![Part::Raw("<h1>The grid’s cells</h1>\n".into())];
        parts.extend(panels.into_iter().map(Part::Promoted));
        documents.push(Document {
            file: "cells.xhtml",
            title: "The grid’s cells".into(),
            kind: "appendix",
            parts,
            entries,
        });
    }

    // The thread, nested as on the page.
    if let Some(comments) = find(&index, &|n| attr(n, "id").as_deref() == Some("comments")) {
        let title = find(&comments, &|n| is(n, "h2"))
            .map(|h| heading_text(&h))
            .unwrap_or_else(|| "Comments".into());
        documents.push(Document {
            file: "thread.xhtml",
            title,
            kind: "appendix",
            parts: vec![Part::Promoted(comments)],
            entries: Vec::new(),
        });
    }

    // The bibliography.
    if let Some(main) = references
        .as_ref()
        .and_then(|r| find(r, &|n| is(n, "main")))
    {
        let title = find(&main, &|n| is(n, "h1"))
            .map(|h| heading_text(&h))
            .unwrap_or_else(|| "References".into());
        let parts = main
            .children
            .borrow()
            .iter()
            .map(|c| Part::Node(c.clone(), PageKind::References))
            .collect();
        documents.push(Document {
            file: "bibliography.xhtml",
            title,
            kind: "backmatter bibliography",
            parts,
            entries: Vec::new(),
        });
    }

    // Which document holds each id, so that every link can be pointed at its target.
    let mut ids: HashMap<String, &'static str> = HashMap::new();
    for doc in &documents {
        for part in &doc.parts {
            if let Part::Node(node, _) | Part::Promoted(node) = part {
                collect_ids(node, doc.file, &mut ids, true);
            }
        }
    }

    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for doc in &documents {
        let mut out = String::new();
        let mut seen = HashSet::new();
        let mut writer = Writer {
            out: &mut out,
            ids: &ids,
            doc: doc.file,
            seen: &mut seen,
            promote: false,
        };
        for part in &doc.parts {
            writer.promote = matches!(part, Part::Promoted(_));
            match part {
                Part::Node(node, page) => writer.node(node, *page, true),
                Part::Promoted(node) => writer.node(node, PageKind::Index, true),
                Part::Raw(xhtml) => writer.out.push_str(xhtml),
            }
        }
        entries.push((
            format!("OEBPS/{}", doc.file),
            xhtml_document(&meta, &doc.title, doc.kind, &out).into_bytes(),
        ));
    }
    entries.push((
        "OEBPS/nav.xhtml".into(),
        nav_document(&meta, &documents).into_bytes(),
    ));
    entries.push(("OEBPS/toc.ncx".into(), ncx(&meta, &documents).into_bytes()));
    entries.push(("OEBPS/style.css".into(), STYLE.as_bytes().to_vec()));
    // The preview image, when the build drew one, is the cover.
    let cover = files.get(crate::render::preview::PATH);
    if let Some(png) = cover {
        entries.push(("OEBPS/cover.png".into(), png.to_vec()));
    }
    entries.push((
        "OEBPS/content.opf".into(),
        package(&meta, &documents, cover.is_some()).into_bytes(),
    ));
    entries.push((
        "META-INF/container.xml".into(),
        CONTAINER.as_bytes().to_vec(),
    ));
    zip(&entries).map_err(|e| Box::new(Diagnostic::error(format!("cannot make the EPUB: {e}"))))
}

const CONTAINER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"#;

/// The container: `mimetype` first and stored, then the rest deflated, every entry with
/// the same timestamp and permissions.
fn zip(entries: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, DateTime, ZipWriter};
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let fixed = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    writer.start_file(
        "mimetype",
        fixed.compression_method(CompressionMethod::Stored),
    )?;
    writer.write_all(MIMETYPE.as_bytes())?;
    for (name, bytes) in entries {
        writer.start_file(
            name.as_str(),
            fixed.compression_method(CompressionMethod::Deflated),
        )?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

fn xhtml_document(meta: &Metadata, title: &str, kind: &str, body: &str) -> String {
    let lang = xml_attr(&meta.language);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body>\n<main>\n<section epub:type=\"{kind}\">\n{body}</section>\n</main>\n</body>\n</html>\n",
        xml_text(title)
    )
}

fn nav_document(meta: &Metadata, documents: &[Document]) -> String {
    let mut list = String::from("<ol>\n");
    for doc in documents {
        list.push_str(&format!(
            "<li><a href=\"{}\">{}</a>",
            doc.file,
            xml_text(&doc.title)
        ));
        if !doc.entries.is_empty() {
            list.push_str("\n<ol>\n");
            for (id, label) in &doc.entries {
                list.push_str(&format!(
                    "<li><a href=\"{}#{}\">{}</a></li>\n",
                    doc.file,
                    xml_attr(id),
                    xml_text(label)
                ));
            }
            list.push_str("</ol>\n");
        }
        list.push_str("</li>\n");
    }
    list.push_str("</ol>\n");
    let landmarks = format!(
        "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n<h2>Landmarks</h2>\n<ol>\n<li><a epub:type=\"titlepage\" href=\"title.xhtml\">Title page</a></li>\n<li><a epub:type=\"bodymatter\" href=\"essay.xhtml\">{}</a></li>\n</ol>\n</nav>\n",
        xml_text(&meta.title)
    );
    let lang = xml_attr(&meta.language);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>Contents</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body>\n<main>\n<nav epub:type=\"toc\" id=\"toc\">\n<h1>Contents</h1>\n{list}</nav>\n</main>\n{landmarks}</body>\n</html>\n"
    )
}

fn ncx(meta: &Metadata, documents: &[Document]) -> String {
    let mut order = 0;
    let mut points = String::new();
    for (i, doc) in documents.iter().enumerate() {
        order += 1;
        points.push_str(&format!(
            "<navPoint id=\"nav-{i}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{}\"/>\n",
            xml_text(&doc.title),
            doc.file
        ));
        for (j, (id, label)) in doc.entries.iter().enumerate() {
            order += 1;
            points.push_str(&format!(
                "<navPoint id=\"nav-{i}-{j}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{}#{}\"/></navPoint>\n",
                xml_text(label),
                doc.file,
                xml_attr(id)
            ));
        }
        points.push_str("</navPoint>\n");
    }
    let depth = if documents.iter().any(|d| !d.entries.is_empty()) {
        2
    } else {
        1
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"{depth}\"/>\n<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>{}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n",
        xml_attr(&meta.language),
        xml_attr(&meta.identifier()),
        xml_text(&meta.title)
    )
}

fn package(meta: &Metadata, documents: &[Document], cover: bool) -> String {
    let mut metadata = format!(
        "<dc:identifier id=\"uid\">{}</dc:identifier>\n<dc:title>{}</dc:title>\n<dc:language>{}</dc:language>\n",
        xml_text(&meta.identifier()),
        xml_text(&meta.title),
        xml_text(&meta.language)
    );
    if let Some(author) = &meta.author {
        metadata.push_str(&format!("<dc:creator>{}</dc:creator>\n", xml_text(author)));
    }
    if let Some(date) = &meta.date {
        metadata.push_str(&format!("<dc:date>{}</dc:date>\n", xml_text(date)));
    }
    if let Some(source) = &meta.source {
        metadata.push_str(&format!("<dc:source>{}</dc:source>\n", xml_text(source)));
    }
    metadata.push_str(&format!(
        "<meta property=\"dcterms:modified\">{}</meta>\n",
        meta.modified()
    ));
    if cover {
        // EPUB 2 readers find the cover by this.
        metadata.push_str("<meta name=\"cover\" content=\"cover-image\"/>\n");
    }
    let mut manifest = String::from(
        "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n<item id=\"style\" href=\"style.css\" media-type=\"text/css\"/>\n",
    );
    if cover {
        manifest.push_str(
            "<item id=\"cover-image\" href=\"cover.png\" media-type=\"image/png\" properties=\"cover-image\"/>\n",
        );
    }
    let mut spine = String::new();
    for doc in documents {
        let id = doc.file.trim_end_matches(".xhtml");
        manifest.push_str(&format!(
            "<item id=\"{id}\" href=\"{}\" media-type=\"application/xhtml+xml\"/>\n",
            doc.file
        ));
        spine.push_str(&format!("<itemref idref=\"{id}\"/>\n"));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"uid\" xml:lang=\"{}\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{metadata}</metadata>\n<manifest>\n{manifest}</manifest>\n<spine toc=\"ncx\">\n{spine}</spine>\n</package>\n",
        xml_attr(&meta.language)
    )
}

// ---- HTML in, XHTML out ----

fn parse(bytes: &[u8]) -> Handle {
    let text = String::from_utf8_lossy(bytes);
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(text.as_ref());
    dom.document
}

fn local_name(node: &Handle) -> Option<String> {
    match &node.data {
        NodeData::Element { name, .. } => Some(name.local.to_string()),
        _ => None,
    }
}

fn is(node: &Handle, tag: &str) -> bool {
    local_name(node).as_deref() == Some(tag)
}

fn attr(node: &Handle, key: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == key)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

fn has_class(node: &Handle, class: &str) -> bool {
    attr(node, "class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// The first node in document order that matches, depth-first, without recursion.
fn find(root: &Handle, pred: &dyn Fn(&Handle) -> bool) -> Option<Handle> {
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if pred(&node) {
            return Some(node);
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    None
}

/// Every node that matches, in document order; not looking inside a match.
fn find_all(root: &Handle, pred: &dyn Fn(&Handle) -> bool) -> Vec<Handle> {
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if pred(&node) {
            out.push(node);
            continue;
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    out
}

/// A heading's text, without its permalink.
fn heading_text(node: &Handle) -> String {
    let mut text = String::new();
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        match &n.data {
            NodeData::Text { contents } => text.push_str(&contents.borrow()),
            NodeData::Element { .. } if is_dropped(&n) => {}
            _ => stack.extend(n.children.borrow().iter().rev().cloned()),
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Web chrome the book leaves out: controls, scripts, permalinks, parts shown only by
/// script, and the cell panels' bar (a link to the cell's own web page).
fn is_dropped(node: &Handle) -> bool {
    let Some(name) = local_name(node) else {
        return false;
    };
    matches!(
        name.as_str(),
        "script" | "style" | "button" | "template" | "noscript" | "input" | "summary" | "link"
    ) || attr(node, "hidden").is_some()
        || has_class(node, "permalink")
        || has_class(node, "anchor")
        || has_class(node, "cell-panel-bar")
        || has_class(node, "cite-files")
}

fn collect_ids(
    root: &Handle,
    file: &'static str,
    ids: &mut HashMap<String, &'static str>,
    is_root: bool,
) {
    let mut stack = vec![(root.clone(), is_root)];
    while let Some((node, top)) = stack.pop() {
        if !top && is_dropped(&node) {
            continue;
        }
        if let Some(id) = attr(&node, "id") {
            ids.entry(id).or_insert(file);
        }
        stack.extend(node.children.borrow().iter().map(|c| (c.clone(), false)));
    }
}

struct Writer<'a> {
    out: &'a mut String,
    /// Which document holds each id.
    ids: &'a HashMap<String, &'static str>,
    /// The document being written.
    doc: &'static str,
    /// Ids already written in this document (an id is kept once).
    seen: &'a mut HashSet<String>,
    /// Write headings one level up (h2 as h1).
    promote: bool,
}

/// HTML's void elements, written self-closed.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

enum Step {
    Open(Handle, bool),
    Close(String),
}

impl Writer<'_> {
    /// Writes `root` and what it holds as XHTML, iteratively (threads nest deep).
    fn node(&mut self, root: &Handle, page: PageKind, is_root: bool) {
        let mut stack = vec![Step::Open(root.clone(), is_root)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Close(tag) => self.out.push_str(&format!("</{tag}>")),
                Step::Open(node, top) => match &node.data {
                    NodeData::Text { contents } => self.out.push_str(&xml_text(&contents.borrow())),
                    NodeData::Element { name, .. } => {
                        if !top && is_dropped(&node) {
                            continue;
                        }
                        let Some(tag) = self.open(&node, name, page) else {
                            // Unwrapped: only the children.
                            stack.extend(
                                node.children
                                    .borrow()
                                    .iter()
                                    .rev()
                                    .map(|c| Step::Open(c.clone(), false)),
                            );
                            continue;
                        };
                        if VOID.contains(&tag.as_str()) {
                            continue;
                        }
                        stack.push(Step::Close(tag));
                        stack.extend(
                            node.children
                                .borrow()
                                .iter()
                                .rev()
                                .map(|c| Step::Open(c.clone(), false)),
                        );
                    }
                    NodeData::Document => stack.extend(
                        node.children
                            .borrow()
                            .iter()
                            .rev()
                            .map(|c| Step::Open(c.clone(), false)),
                    ),
                    _ => {}
                },
            }
        }
    }

    /// Writes an element's start tag; returns its name, or None to write only its
    /// children.
    fn open(
        &mut self,
        node: &Handle,
        name: &html5ever::QualName,
        page: PageKind,
    ) -> Option<String> {
        let local = name.local.to_string();
        let attrs: Vec<(String, String)> = match &node.data {
            NodeData::Element { attrs, .. } => attrs
                .borrow()
                .iter()
                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                .collect(),
            _ => Vec::new(),
        };
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let mut tag = match local.as_str() {
            // Collapsible replies: always open in a book.
            "details" => "div".to_string(),
            // Footnotes: EPUB footnotes, which readers show as pop-ups.
            "li" if has_class(node, "footnote") => "aside".to_string(),
            "h2" | "h3" | "h4" | "h5" | "h6" if self.promote => {
                let level = local[1..].parse::<u8>().unwrap_or(2);
                format!("h{}", level - 1)
            }
            _ => local.clone(),
        };
        let mut out_attrs: Vec<(String, String)> = Vec::new();
        if tag == "aside" && local == "li" {
            out_attrs.push(("epub:type".into(), "footnote".into()));
        }
        if tag == "a" {
            match get("href") {
                Some(href) => match self.link(href.as_str(), page) {
                    Some(target) => out_attrs.push(("href".into(), target)),
                    None => tag = "span".into(),
                },
                None => tag = "span".into(),
            }
            // A footnote marker (`<sup class="fnref"><a id="fnref-…">`).
            if tag == "a" && get("id").is_some_and(|id| id.starts_with("fnref-")) {
                out_attrs.push(("epub:type".into(), "noteref".into()));
            }
        }
        if tag == "img" {
            // Pictures from elsewhere aren't in the book: their description stands in.
            let alt = get("alt").unwrap_or_default();
            self.out.push_str(&format!(
                "<span class=\"image-alt\">{}</span>",
                xml_text(&alt)
            ));
            return None;
        }
        for (key, value) in &attrs {
            let keep = match key.as_str() {
                "href"
                | "hidden"
                | "tabindex"
                | "download"
                | "popover"
                | "popovertarget"
                | "popovertargetaction"
                | "aria-controls"
                | "aria-expanded"
                | "aria-haspopup"
                | "aria-hidden"
                | "target"
                | "rel"
                | "open" => false,
                "type" => tag != "a" && tag != "span",
                "datetime" => tag == "time",
                "value" => tag == "li",
                "aria-labelledby" | "aria-describedby" => value
                    .split_whitespace()
                    .all(|id| self.ids.get(id) == Some(&self.doc)),
                "style" => false,
                k if k.starts_with("data-") || k.starts_with("on") => false,
                _ => true,
            };
            if !keep {
                continue;
            }
            if key == "id" && !self.seen.insert(value.clone()) {
                continue;
            }
            if key == "xmlns" || key.contains(':') {
                continue;
            }
            out_attrs.push((key.clone(), value.clone()));
        }
        // The grid's shading, as a colour e-readers understand (the web page computes it
        // in CSS from `--s`).
        if let Some(s) = get("style")
            .as_deref()
            .and_then(|s| s.split(';').find_map(|d| d.trim().strip_prefix("--s:")))
            .and_then(|v| v.trim().parse::<f64>().ok())
        {
            out_attrs.push(("style".into(), format!("background-color: {}", shade(s))));
        }
        if tag == "aside" && local == "li" {
            // The note's number, which the list gave it.
            let number = get("value").unwrap_or_default();
            out_attrs.retain(|(k, _)| k != "value");
            self.out.push_str(&format!("<{tag}"));
            for (k, v) in &out_attrs {
                self.out.push_str(&format!(" {k}=\"{}\"", xml_attr(v)));
            }
            self.out.push_str(&format!(
                "><p class=\"footnote-number\">{}</p>",
                xml_text(&number)
            ));
            return Some(tag);
        }
        self.out.push_str(&format!("<{tag}"));
        if &*name.ns == "http://www.w3.org/2000/svg" && tag == "svg" {
            self.out.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
        }
        for (k, v) in &out_attrs {
            self.out.push_str(&format!(" {k}=\"{}\"", xml_attr(v)));
        }
        if VOID.contains(&tag.as_str()) {
            self.out.push_str("/>");
        } else {
            self.out.push('>');
        }
        Some(tag)
    }

    /// Where a link of the site points in the book; None when the book doesn't carry its
    /// target (then the link becomes text).
    fn link(&self, href: &str, page: PageKind) -> Option<String> {
        let href = href.trim();
        if crate::html::has_scheme(href) || crate::html::is_remote(href) {
            let scheme_ok = ["http://", "https://", "mailto:"]
                .iter()
                .any(|s| href.len() >= s.len() && href[..s.len()].eq_ignore_ascii_case(s));
            return scheme_ok.then(|| href.to_string());
        }
        let (path, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (href, None),
        };
        let path = match (path, page) {
            ("", PageKind::Index) => "index.html",
            ("", PageKind::References) => "references.html",
            (p, _) => p.trim_start_matches("./"),
        };
        let fragment = fragment
            .filter(|f| !f.is_empty())
            .map(|f| crate::html::percent_decode(f).unwrap_or_else(|| f.to_string()));
        let at = |id: &str| self.ids.get(id).map(|doc| format!("{doc}#{id}"));
        if let Some(cell) = path
            .strip_prefix("cells/")
            .and_then(|p| p.strip_suffix(".html"))
        {
            return at(&format!("panel-{cell}"));
        }
        match (path, fragment) {
            (_, Some(f)) if path == "index.html" || path == "references.html" => at(&f),
            ("index.html", None) => Some("essay.xhtml".into()),
            ("references.html", None) => self
                .ids
                .values()
                .any(|d| *d == "bibliography.xhtml")
                .then(|| "bibliography.xhtml".into()),
            _ => None,
        }
    }
}

fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn xml_attr(s: &str) -> String {
    xml_text(s).replace('"', "&quot;")
}

/// Characters XML 1.0 allows.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
