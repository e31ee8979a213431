//! The grid in real Chromium: clicking, tapping and keyboard, the `#cell-<id>` deep link,
//! Back and Escape, prose `cell:` links, and the plain links that remain without
//! JavaScript; from file:// and over HTTP, for the default essay's 3x3 grid and for the
//! generic 2x4 fixture (tests/fixtures/valid/grid-2x4). Expectations come from each
//! project's grid.toml and references.toml, never from labels written here.
//!
//! Screenshots: target/screenshots/grid-*.png

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;
use serde_json::json;

/// What a project's grid.toml says, read independently of quire.
struct Expected {
    rows: Vec<String>,
    columns: Vec<String>,
    /// Row-major cell ids with their reading keys and titles.
    cells: Vec<(String, Vec<(String, String)>)>,
}

impl Expected {
    fn read(root: &Path) -> Expected {
        let load = |name: &str| -> toml::Table {
            let path = root.join("content").join(name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            text.parse()
                .unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()))
        };
        let grid = load("grid.toml");
        let refs = load("references.toml");
        let ids = |key: &str| -> Vec<String> {
            grid[key]
                .as_array()
                .expect("rows/columns")
                .iter()
                .map(|a| a["id"].as_str().expect("id").to_string())
                .collect()
        };
        let (rows, columns) = (ids("row"), ids("column"));
        let title_of = |key: &str| -> String {
            refs["ref"]
                .as_array()
                .expect("[[ref]]")
                .iter()
                .find(|r| r["key"].as_str() == Some(key))
                .and_then(|r| r["title"].as_str())
                .unwrap_or_else(|| panic!("no reference {key}"))
                .to_string()
        };
        let mut cells = Vec::new();
        for r in &rows {
            for c in &columns {
                let id = format!("{r}-{c}");
                let spec = grid["cell"]
                    .as_array()
                    .expect("[[cell]]")
                    .iter()
                    .find(|cell| cell["id"].as_str() == Some(id.as_str()))
                    .unwrap_or_else(|| panic!("no cell {id}"));
                let readings = spec
                    .get("readings")
                    .and_then(|v| v.as_array())
                    .map(|list| {
                        list.iter()
                            .map(|k| {
                                let k = k.as_str().expect("key").to_string();
                                let t = title_of(&k);
                                (k, t)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                cells.push((id, readings));
            }
        }
        Expected {
            rows,
            columns,
            cells,
        }
    }

    fn cell(&self, r: usize, c: usize) -> &str {
        &self.cells[r * self.columns.len() + c].0
    }

    fn last(&self) -> &str {
        self.cell(self.rows.len() - 1, self.columns.len() - 1)
    }
}

/// A project to test: its root and its built site.
struct Project {
    root: PathBuf,
    site: tempfile::TempDir,
    expected: Expected,
}

fn default_project() -> Project {
    Project {
        root: repo_root(),
        site: build_site(),
        expected: Expected::read(&repo_root()),
    }
}

fn fixture_project() -> Project {
    let root = repo_root().join("tests/fixtures/valid/grid-2x4");
    let site = tempfile::Builder::new()
        .prefix("quire-grid-2x4-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("build")
        .arg("--root")
        .arg(&root)
        .arg("--out")
        .arg(site.path())
        .output()
        .expect("cannot run quire");
    assert!(
        out.status.success(),
        "the 2x4 fixture does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Project {
        expected: Expected::read(&root),
        root,
        site,
    }
}

impl Project {
    fn url(&self, server: Option<&StaticServer>, rel: &str) -> String {
        match server {
            Some(s) => s.url_of(rel),
            None => file_url(&self.site.path().join(rel)),
        }
    }
}

/// A new page with reduced motion: the base stylesheet's smooth scrolling would otherwise
/// move elements under WebDriver's pointer while it clicks.
fn new_page(browser: &Browser) -> Page {
    let mut page = browser.new_page();
    page.emulate_media("prefers-reduced-motion", "reduce");
    page
}

fn link(id: &str) -> String {
    format!("td#cell-{id} a.grid-cell-link")
}

fn panel(id: &str) -> String {
    format!("#panel-{id}")
}

fn open_panels(page: &Page) -> Vec<String> {
    let v = page.eval(
        "return [...document.querySelectorAll('.cell-panel')]\
         .filter((p) => p.offsetParent !== null).map((p) => p.dataset.cell);",
    );
    serde_json::from_value(v).unwrap_or_default()
}

/// Click every cell; its panel (and only it) opens with its reading list.
fn click_every_cell(page: &mut Page, p: &Project, index: &str, label: &str) {
    page.goto(index);
    assert!(
        open_panels(page).is_empty(),
        "{label}: a panel is open on load"
    );
    for (id, readings) in &p.expected.cells {
        page.click(&link(id));
        page.wait_for(&format!("location.hash === '#cell-{id}'"));
        assert_eq!(open_panels(page), vec![id.clone()], "{label}: clicked {id}");
        assert_eq!(
            page.attr(&link(id), "aria-expanded").as_deref(),
            Some("true"),
            "{label}: {id}"
        );
        assert!(
            (3..=5).contains(&readings.len()),
            "{label}: {id} has {} readings in grid.toml",
            readings.len()
        );
        let list = page.text(&format!("{} .reading-list", panel(id)));
        for (key, title) in readings {
            assert!(
                list.contains(title.as_str()),
                "{label}: the panel of {id} lacks `{title}` ({key}):\n{list}"
            );
            let href = page
                .attr(
                    &format!("{} li.reading[data-ref='{key}'] a.ref-title", panel(id)),
                    "href",
                )
                .unwrap_or_default();
            assert!(
                href.starts_with("http"),
                "{label}: {id}/{key} links to {href:?}"
            );
        }
        assert_eq!(
            page.count(&format!("{} li.reading", panel(id))),
            readings.len(),
            "{label}: {id}"
        );
    }
    // Clicking the open cell again closes it.
    let last = &p.expected.cells.last().expect("cells").0;
    page.click(&link(last));
    page.wait_for("!location.hash");
    assert!(open_panels(page).is_empty(), "{label}: toggling closed");
}

/// `index.html#cell-<id>` opens with that panel open.
fn deep_link(page: &mut Page, p: &Project, index: &str, id: &str) {
    let _ = p;
    page.goto(&format!("{index}#cell-{id}"));
    page.wait_for(&format!(
        "document.querySelector('{}').offsetParent !== null",
        panel(id)
    ));
    assert_eq!(open_panels(page), vec![id.to_string()]);
    // A hash change to another cell follows the URL.
    page.eval(&format!(
        "location.hash = '#cell-{}'",
        p.expected.cell(0, 0)
    ));
    page.wait_for(&format!(
        "document.querySelector('{}').offsetParent !== null",
        panel(p.expected.cell(0, 0))
    ));
    assert_eq!(open_panels(page), vec![p.expected.cell(0, 0).to_string()]);
}

/// Tab to the grid (one tab stop), arrows, Enter, Space, Escape, Back.
fn keyboard(page: &mut Page, p: &Project, index: &str, label: &str) {
    let e = &p.expected;
    page.goto(index);
    let mut tabs = 0;
    while !page.focused_matches("a.grid-cell-link") {
        page.tab();
        tabs += 1;
        assert!(tabs < 400, "{label}: 400 Tabs never reached the grid");
    }
    assert!(
        page.focused_matches(&link(e.cell(0, 0))),
        "{label}: {}",
        page.focused()
    );
    assert_eq!(
        page.count("a.grid-cell-link:not([tabindex='-1'])"),
        1,
        "{label}: the grid is one tab stop"
    );
    // Edges hold; arrows move one cell.
    page.press("ArrowUp");
    page.press("ArrowLeft");
    assert!(
        page.focused_matches(&link(e.cell(0, 0))),
        "{label}: {}",
        page.focused()
    );
    page.press("ArrowRight");
    assert!(
        page.focused_matches(&link(e.cell(0, 1))),
        "{label}: {}",
        page.focused()
    );
    page.press("ArrowDown");
    assert!(
        page.focused_matches(&link(e.cell(1, 1))),
        "{label}: {}",
        page.focused()
    );
    for _ in 0..(e.rows.len() + e.columns.len()) {
        page.press("ArrowDown");
        page.press("ArrowRight");
    }
    assert!(
        page.focused_matches(&link(e.last())),
        "{label}: {}",
        page.focused()
    );
    page.press("Home");
    let row_start = e.cell(e.rows.len() - 1, 0).to_string();
    assert!(
        page.focused_matches(&link(&row_start)),
        "{label}: {}",
        page.focused()
    );
    page.press("ArrowUp");
    let target = e.cell(e.rows.len() - 2, 0).to_string();
    assert!(page.focused_matches(&link(&target)));

    // Enter opens; focus stays on the cell; Tab goes into the panel.
    page.press("Enter");
    page.wait_for(&format!("location.hash === '#cell-{target}'"));
    assert_eq!(open_panels(page), vec![target.clone()], "{label}");
    assert!(
        page.focused_matches(&link(&target)),
        "{label}: {}",
        page.focused()
    );
    page.tab();
    assert!(
        page.focused_matches(&format!("{} *", panel(&target))),
        "{label}: Tab from the open cell should enter its panel, not {}",
        page.focused()
    );
    // Escape from inside the panel closes it and returns focus to the cell.
    page.press("Escape");
    page.wait_for("!location.hash");
    assert!(open_panels(page).is_empty(), "{label}: Escape");
    assert!(
        page.focused_matches(&link(&target)),
        "{label}: {}",
        page.focused()
    );

    // Space opens too; Escape from the cell closes.
    page.press("ArrowRight");
    let next = e.cell(e.rows.len() - 2, 1).to_string();
    page.press(" ");
    page.wait_for(&format!("location.hash === '#cell-{next}'"));
    assert_eq!(open_panels(page), vec![next.clone()]);
    page.press("Escape");
    page.wait_for("!location.hash");
    assert!(
        page.focused_matches(&link(&next)),
        "{label}: {}",
        page.focused()
    );

    // Back closes a panel opened by a click; switching cells doesn't stack entries.
    page.click(&link(e.cell(0, 0)));
    page.click(&link(e.cell(0, 1)));
    page.wait_for(&format!("location.hash === '#cell-{}'", e.cell(0, 1)));
    page.back();
    page.wait_for("!location.hash");
    assert!(open_panels(page).is_empty(), "{label}: Back should close");
    assert!(
        page.url()
            .starts_with(index.split('#').next().unwrap_or(index)),
        "{label}: Back left the page: {}",
        page.url()
    );
}

/// A `cell:` link in the prose opens the panel in place; Escape returns to the link.
fn prose_link(page: &mut Page, p: &Project, index: &str, label: &str) {
    let _ = p;
    page.goto(index);
    let id = page
        .eval("document.querySelector('.essay-body a.cell-link[data-cell]').dataset.cell")
        .as_str()
        .expect("the essay has a cell: link")
        .to_string();
    let sel = format!(".essay-body a.cell-link[data-cell='{id}']");
    page.click(&sel);
    page.wait_for(&format!("location.hash === '#cell-{id}'"));
    assert_eq!(open_panels(page), vec![id.clone()], "{label}");
    assert!(
        page.focused_matches(&format!("{} .cell-title", panel(&id))),
        "{label}: {}",
        page.focused()
    );
    // The panel lists the passages that link to it, including this one.
    let block = page
        .eval(&format!(
            "document.querySelector(\"{sel}\").closest('[id^=p]').id"
        ))
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        page.exists(&format!(
            "{} .cell-passages a[href$='#{block}']",
            panel(&id)
        )),
        "{label}: the panel of {id} doesn't list passage {block}"
    );
    page.press("Escape");
    page.wait_for("!location.hash");
    assert!(page.focused_matches(&sel), "{label}: {}", page.focused());
}

/// Without JavaScript a cell is a link to its page, which has the same content.
fn without_js(page: &mut Page, p: &Project, index: &str, label: &str) {
    page.disable_javascript();
    let (id, readings) = &p.expected.cells[p.expected.columns.len() + 1];
    page.goto(index);
    page.click(&link(id));
    page.wait_for(&format!("location.pathname.endsWith('/cells/{id}.html')"));
    let list = page.text(".reading-list");
    for (_, title) in readings {
        assert!(
            list.contains(title.as_str()),
            "{label}: {id} page lacks {title}"
        );
    }
    // Neighbours: every cell page links to the cells beside it and back to the grid.
    let n = page.count(".neighbours li a");
    assert!((2..=4).contains(&n), "{label}: {n} neighbour links on {id}");
    page.click(".neighbours li a");
    page.wait_for("location.pathname.includes('/cells/')");
    page.click(".back-to-grid a");
    page.wait_for("location.pathname.endsWith('/index.html')");
}

fn all_behaviours(p: &Project, via: &str, deep: &str) {
    let server = (via == "http").then(|| StaticServer::start(p.site.path()));
    let index = p.url(server.as_ref(), "index.html");
    let label = format!("{} via {via}", p.root.display());
    let browser = Browser::launch();
    let mut page = new_page(&browser);
    page.set_viewport(1440, 900);
    click_every_cell(&mut page, p, &index, &label);
    deep_link(&mut page, p, &index, deep);
    keyboard(&mut page, p, &index, &label);
    prose_link(&mut page, p, &index, &label);
    // Phones: tapping opens the panel as a sheet at the bottom of the screen, below the
    // tapped row (tests/browser/phone.rs measures the sheet).
    page.set_viewport(375, 812);
    page.goto(&index);
    page.click(&link(p.expected.last()));
    page.wait_for(&format!(
        "(() => {{ const r = document.querySelector('{}').getBoundingClientRect(); \
         return r.top >= 0 && r.top < innerHeight; }})()",
        panel(p.expected.last())
    ));
    let below = page.eval(&format!(
        "document.querySelector('{}').getBoundingClientRect().top >= \
         document.querySelector('table.grid-table').getBoundingClientRect().bottom",
        panel(p.expected.last())
    ));
    assert_eq!(
        below,
        json!(true),
        "{label}: on a phone the panel sits below the tapped (last) row"
    );
    let mut nojs = new_page(&browser);
    without_js(&mut nojs, p, &index, &label);
}

#[test]
fn default_grid_from_file() {
    all_behaviours(&default_project(), "file", "cognitivist-worst");
}

#[test]
fn default_grid_over_http() {
    all_behaviours(&default_project(), "http", "cognitivist-worst");
}

#[test]
fn fixture_2x4_from_file() {
    let p = fixture_project();
    assert_eq!((p.expected.rows.len(), p.expected.columns.len()), (2, 4));
    let deep = p.expected.cell(1, 2).to_string();
    all_behaviours(&p, "file", &deep);
}

#[test]
fn fixture_2x4_over_http() {
    let p = fixture_project();
    let deep = p.expected.cell(0, 3).to_string();
    all_behaviours(&p, "http", &deep);
}

/// A PNG of the page region around `css` (the grid and its panel), at the current width.
fn shot_of(page: &Page, css: &str, name: &str) {
    let rect = page.eval(&format!(
        "const r = document.querySelector('{css}').getBoundingClientRect(); \
         return [r.left + scrollX, r.top + scrollY, r.width, r.height];"
    ));
    let n = |i: usize| rect[i].as_f64().unwrap_or(0.0);
    let width = page
        .eval("document.documentElement.clientWidth")
        .as_f64()
        .unwrap_or(1440.0);
    let shot = page.cdp(
        "Page.captureScreenshot",
        json!({
            "format": "png",
            "captureBeyondViewport": true,
            "clip": { "x": 0, "y": (n(1) - 16.0).max(0.0), "width": width,
                      "height": n(3) + 32.0, "scale": 1 },
        }),
    );
    let data = shot["data"].as_str().expect("screenshot data");
    let path = screenshot_dir().join(name);
    std::fs::create_dir_all(screenshot_dir()).expect("screenshot dir");
    std::fs::write(&path, base64_decode(data)).expect("write screenshot");
    let _ = n(0) + n(2);
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        out.extend(n.to_be_bytes()[1..chunk.len()].iter());
    }
    out
}

/// The panel beside the grid on a wide screen, a sheet at the bottom of a phone.
#[test]
fn panel_sits_beside_the_grid_on_a_wide_screen() {
    let p = default_project();
    let mut page = new_page(&Browser::launch());
    let index = file_url(&p.site.path().join("index.html"));
    page.set_viewport(1440, 900);
    page.goto(&format!("{index}#cell-cognitivist-worst"));
    page.wait_for("document.querySelector('#panel-cognitivist-worst').offsetParent !== null");
    let beside = page.eval(
        "const t = document.querySelector('table.grid-table').getBoundingClientRect(); \
         const p = document.querySelector('#panel-cognitivist-worst').getBoundingClientRect(); \
         return p.left >= t.right && p.top < t.bottom;",
    );
    assert_eq!(
        beside,
        json!(true),
        "at 1440 px the panel should sit beside the grid"
    );
    for (w, h) in [(1440, 900), (375, 812)] {
        for scheme in ["light", "dark"] {
            page.emulate_media("prefers-color-scheme", scheme);
            page.set_viewport(w, h);
            page.goto(&format!("{index}#cell-cognitivist-worst"));
            page.wait_for(
                "document.querySelector('#panel-cognitivist-worst').offsetParent !== null",
            );
            shot_of(&page, "#grid", &format!("grid-open-{w}-{scheme}.png"));
            shot_of(&page, ".grid-main", &format!("grid-table-{w}-{scheme}.png"));
        }
    }
    page.emulate_media("prefers-color-scheme", "light");
    page.emulate_media_type("print");
    page.set_viewport(1000, 900);
    page.goto(&index);
    shot_of(&page, "#grid", "grid-print.png");
}

/// axe-core, console and network checks on the index (with a panel open), every cell
/// page and references.html, in both colour schemes.
#[test]
fn grid_pages_are_clean() {
    for p in [default_project(), fixture_project()] {
        let server = StaticServer::start(p.site.path());
        let mut page = new_page(&Browser::launch());
        let first = p.expected.cell(0, 0).to_string();
        let mut urls = vec![
            (
                format!("grid-index-open-{first}"),
                format!("{}#cell-{}", server.url_of("index.html"), p.expected.last()),
            ),
            (
                "grid-references".to_string(),
                file_url(&p.site.path().join("references.html")),
            ),
        ];
        for (id, _) in &p.expected.cells {
            urls.push((
                format!("grid-cell-{id}"),
                file_url(&p.site.path().join(format!("cells/{id}.html"))),
            ));
        }
        let mut dirty = Vec::new();
        for (name, url) in &urls {
            let mut report = check_page(&mut page, url, name);
            // On the index, only the grid's own overflow is this test's business (the
            // comment thread has its own tests); the grid is checked for it just below.
            if name.starts_with("grid-index") {
                report.problems.retain(|p| match p {
                    Problem::Overflow { culprits, .. } => culprits
                        .iter()
                        .any(|c| c.contains("grid") || c.contains("cell")),
                    _ => true,
                });
                for (w, h) in [(375, 812), (1440, 900)] {
                    page.set_viewport(w, h);
                    let inside = page.eval(
                        "return [...document.querySelectorAll('#grid, #grid *')].every((e) => \
                         e.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5);",
                    );
                    assert_eq!(inside, json!(true), "{name}: the grid sticks out at {w} px");
                }
            }
            if !report.is_clean() {
                dirty.push(report.to_string());
            }
        }
        assert!(dirty.is_empty(), "{}", dirty.join("\n"));
    }
}

/// references.html links each entry back to the cells and notes that cite it.
#[test]
fn references_link_back_to_cells() {
    let p = default_project();
    let mut page = new_page(&Browser::launch());
    page.goto(&file_url(&p.site.path().join("references.html")));
    let (id, readings) = &p.expected.cells[0];
    let (key, _) = &readings[0];
    let sel = format!("li#ref-{key} .cited-by a[href='cells/{id}.html']");
    assert!(page.exists(&sel), "references.html lacks {sel}");
    page.click(&sel);
    page.wait_for(&format!("location.pathname.endsWith('/cells/{id}.html')"));
    assert!(page.exists(&format!("li.reading[data-ref='{key}']")));
}
