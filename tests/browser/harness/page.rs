//! `Page`: one WebDriver session (one Chromium) with a test-friendly API.
//! Every method panics with a descriptive message on failure.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::webdriver::{Browser, Http, WdError};

/// The W3C key for an element reference returned by scripts.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// JavaScript: the accessible name of an element (aria-labelledby, aria-label, alt,
/// value, title, then visible text), whitespace-collapsed.
const ACCESSIBLE_NAME_JS: &str = r#"
const __quireName = (el) => {
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const t = by.split(/\s+/).map((id) => document.getElementById(id))
      .filter(Boolean).map((e) => e.innerText || e.textContent).join(' ');
    if (clean(t)) return clean(t);
  }
  if (clean(el.getAttribute('aria-label'))) return clean(el.getAttribute('aria-label'));
  if (el.labels && el.labels.length) return clean([...el.labels].map((l) => l.innerText).join(' '));
  if (el.tagName === 'IMG' && clean(el.alt)) return clean(el.alt);
  if (el.tagName === 'INPUT' && ['button', 'submit', 'reset'].includes(el.type)) return clean(el.value);
  const text = clean(el.innerText || el.textContent);
  if (text) return text;
  const img = el.querySelector('img[alt], svg title');
  if (img) return clean(img.alt || img.textContent);
  return clean(el.getAttribute('title'));
};
const __quireVisible = (el) => {
  if (!el.isConnected) return false;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;
  return el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
};
const __quireDescribe = (el) => {
  if (!el || el === document.body || el === document.documentElement) return el ? el.tagName.toLowerCase() : 'none';
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  for (const c of el.classList) d += '.' + c;
  const role = el.getAttribute('role');
  if (role) d += '[role=' + role + ']';
  const name = __quireName(el);
  if (name) d += ' "' + name.slice(0, 80) + '"';
  return d;
};
"#;

/// Elements that `click_by_name` considers.
const CLICKABLE: &str = "button, a[href], [role], input[type=button], input[type=submit], \
     input[type=reset], summary, [tabindex], [onclick]";

pub struct Page {
    browser: Browser,
    http: Http,
    session_id: String,
    _profile: tempfile::TempDir,
    /// How long `wait_for` and friends wait by default.
    pub timeout: Duration,
}

impl Drop for Page {
    fn drop(&mut self) {
        // Ends the session: chromedriver quits this Chromium.
        let _ = self.http.call("DELETE", "", None);
    }
}

/// Converts key names ("Escape", "Enter", "ArrowDown", "Shift+Tab", "a") into the
/// WebDriver key codes to press together.
fn key_codes(key: &str) -> Vec<String> {
    let parts: Vec<&str> = if key.len() > 1 && key.contains('+') {
        key.split('+').collect()
    } else {
        vec![key]
    };
    parts
        .into_iter()
        .map(|k| {
            let code = match k {
                "Escape" | "Esc" => '\u{E00C}',
                "Enter" => '\u{E007}',
                "Return" => '\u{E006}',
                "Tab" => '\u{E004}',
                "Backspace" => '\u{E003}',
                "Delete" => '\u{E017}',
                "Space" | " " => ' ',
                "ArrowLeft" | "Left" => '\u{E012}',
                "ArrowUp" | "Up" => '\u{E013}',
                "ArrowRight" | "Right" => '\u{E014}',
                "ArrowDown" | "Down" => '\u{E015}',
                "Home" => '\u{E011}',
                "End" => '\u{E010}',
                "PageUp" => '\u{E00E}',
                "PageDown" => '\u{E00F}',
                "Shift" => '\u{E008}',
                "Control" | "Ctrl" => '\u{E009}',
                "Alt" => '\u{E00A}',
                "Meta" => '\u{E03D}',
                other => {
                    let mut chars = other.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => c,
                        _ => panic!("unknown key name {other:?}"),
                    }
                }
            };
            code.to_string()
        })
        .collect()
}

/// Does `js` contain the word `return` (outside identifiers like `returned`)?
fn has_return_statement(js: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.';
    js.match_indices("return").any(|(i, _)| {
        let before = js[..i].chars().next_back();
        let after = js[i + 6..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

impl Page {
    pub(crate) fn new(browser: Browser, session_id: String, profile: tempfile::TempDir) -> Page {
        let http = browser.driver.http.with_base(format!(
            "{}/session/{}",
            browser.driver.http.base, session_id
        ));
        let mut page = Page {
            browser,
            http,
            session_id,
            _profile: profile,
            timeout: Duration::from_secs(30),
        };
        page.set_viewport(1440, 900);
        page
    }

    /// The `Browser` this page belongs to (to open more pages on the same chromedriver).
    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    // ----- raw protocol -------------------------------------------------------------

    /// A WebDriver command on this session (`path` is relative to `/session/{id}`).
    pub fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        self.http.call(method, path, body.as_ref())
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        self.command(method, path, Some(body))
            .unwrap_or_else(|e| panic!("WebDriver {method} {path} failed: {e}"))
    }

    /// A Chrome DevTools Protocol command, e.g. `cdp("Page.reload", json!({}))`.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .unwrap_or_else(|e| panic!("CDP {cmd} failed: {e}"))
    }

    /// Reads (and clears) a WebDriver log: "browser" (console) or "performance" (CDP events).
    pub fn logs(&self, kind: &str) -> Vec<Value> {
        match self.command("POST", "/se/log", Some(json!({ "type": kind }))) {
            Ok(Value::Array(entries)) => entries,
            Ok(other) => panic!("unexpected log answer: {other}"),
            Err(e) => panic!("reading the {kind} log failed: {e}"),
        }
    }

    // ----- navigation ---------------------------------------------------------------

    /// Navigates and waits for the load event.
    pub fn goto(&mut self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url }));
    }

    /// `goto` that returns the error (e.g. `net::ERR_INTERNET_DISCONNECTED`) instead of
    /// panicking.
    pub fn try_goto(&mut self, url: &str) -> Result<(), WdError> {
        self.command("POST", "/url", Some(json!({ "url": url })))
            .map(|_| ())
    }

    pub fn reload(&mut self) {
        self.cmd("POST", "/refresh", json!({}));
    }

    pub fn back(&mut self) {
        self.cmd("POST", "/back", json!({}));
    }

    pub fn url(&self) -> String {
        self.cmd("GET", "/url", Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn title(&self) -> String {
        self.cmd("GET", "/title", Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    // ----- scripts ------------------------------------------------------------------

    fn script_body(js: &str) -> String {
        format!("{ACCESSIBLE_NAME_JS}\n{js}")
    }

    /// Runs JavaScript and returns its value as JSON. `js` is an expression
    /// (`"document.title"`) or, when it contains the word `return`, a function body
    /// (`"const x = 1; return x + 1;"`). `arguments` is empty. Elements come back as
    /// WebDriver references; return plain data instead.
    pub fn eval(&self, js: &str) -> Value {
        self.eval_with(js, json!([]))
    }

    /// `eval` with arguments, available as `arguments[0]`, ...
    pub fn eval_with(&self, js: &str, args: Value) -> Value {
        let body = if has_return_statement(js) {
            js.to_string()
        } else {
            format!("return ({js});")
        };
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": Self::script_body(&body), "args": args })),
        )
        .unwrap_or_else(|e| panic!("script failed: {e}\nscript: {js}"))
    }

    /// Runs an async function body; it must call `done(value)` (also `arguments[last]`).
    pub fn eval_async(&self, body: &str, args: Value) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];\n{}",
            Self::script_body(body)
        );
        self.command(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .unwrap_or_else(|e| panic!("async script failed: {e}"))
    }

    /// Polls the JavaScript condition (an expression) until it is truthy; panics after
    /// `self.timeout`.
    pub fn wait_for(&self, condition: &str) {
        self.wait_for_timeout(condition, self.timeout)
    }

    pub fn wait_for_timeout(&self, condition: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let js = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        loop {
            if self.eval(&js) == json!(true) {
                return;
            }
            if Instant::now() > deadline {
                let seen = self.eval(
                    "return { scrollY: Math.round(scrollY), innerHeight: innerHeight, hash: location.hash, \
                     active: document.activeElement && document.activeElement.outerHTML.slice(0, 80) };",
                );
                panic!(
                    "timed out after {timeout:?} waiting for `{condition}` on {}\nlast seen: {seen}",
                    self.url()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    // ----- elements -----------------------------------------------------------------

    fn element_id(value: &Value) -> Option<String> {
        value
            .get(ELEMENT_KEY)
            .and_then(|v| v.as_str())
            .map(String::from)
    }

    /// The WebDriver id of the first element matching `css`, if any.
    pub fn find(&self, css: &str) -> Option<String> {
        match self.command(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        ) {
            Ok(v) => Self::element_id(&v),
            Err(e) if e.error == "no such element" => None,
            Err(e) => panic!("finding {css:?} failed: {e}"),
        }
    }

    fn must_find(&self, css: &str) -> String {
        self.find(css)
            .unwrap_or_else(|| panic!("no element matches {css:?} on {}", self.url()))
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        self.eval_with(
            "document.querySelectorAll(arguments[0]).length",
            json!([css]),
        )
        .as_u64()
        .unwrap_or(0) as usize
    }

    /// Does an element match `css`?
    pub fn exists(&self, css: &str) -> bool {
        self.count(css) > 0
    }

    fn click_element(&self, id: &str, what: &str) {
        if let Err(e) = self.command("POST", &format!("/element/{id}/click"), Some(json!({}))) {
            panic!("clicking {what} failed: {e}");
        }
    }

    /// Clicks (a real pointer click) the first element matching `css`.
    pub fn click(&mut self, css: &str) {
        let id = self.must_find(css);
        self.click_element(&id, &format!("{css:?}"));
    }

    /// Clicks the visible button, link or `[role]` element whose accessible name
    /// (aria-labelledby, aria-label, or visible text) is `name` (whitespace-collapsed,
    /// exact match first, then case-insensitive).
    pub fn click_by_name(&mut self, name: &str) {
        let id = self.find_by_name(name);
        self.click_element(&id, &format!("the element named {name:?}"));
    }

    /// The WebDriver id of the visible interactive element named `name` (see
    /// `click_by_name`); panics listing the names present when there is none.
    pub fn find_by_name(&self, name: &str) -> String {
        let found = self.eval_with(
            r#"
            const wanted = arguments[0].replace(/\s+/g, ' ').trim();
            const all = [...document.querySelectorAll(arguments[1])].filter(__quireVisible);
            const exact = all.find((el) => __quireName(el) === wanted)
              || all.find((el) => __quireName(el).toLowerCase() === wanted.toLowerCase());
            if (exact) return { element: exact };
            return { names: all.map(__quireName).filter(Boolean).slice(0, 60) };
            "#,
            json!([name, CLICKABLE]),
        );
        Self::element_id(&found["element"]).unwrap_or_else(|| {
            panic!(
                "no visible button, link or [role] element named {name:?} on {}; names present: {}",
                self.url(),
                found["names"]
            )
        })
    }

    /// The visible text (`innerText`) of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        let v = self.eval_with(
            "const el = document.querySelector(arguments[0]); return el ? el.innerText : null;",
            json!([css]),
        );
        match v {
            Value::String(s) => s,
            _ => panic!("no element matches {css:?} on {}", self.url()),
        }
    }

    /// An attribute of the first element matching `css` (None if absent).
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let v = self.eval_with(
            "const el = document.querySelector(arguments[0]); \
             if (!el) return { missing: true }; return { value: el.getAttribute(arguments[1]) };",
            json!([css, name]),
        );
        if v["missing"] == json!(true) {
            panic!("no element matches {css:?} on {}", self.url());
        }
        v["value"].as_str().map(String::from)
    }

    /// Is the first element matching `css` rendered and visible (false if none)?
    pub fn is_visible(&self, css: &str) -> bool {
        self.eval_with(
            "const el = document.querySelector(arguments[0]); return !!el && __quireVisible(el);",
            json!([css]),
        ) == json!(true)
    }

    /// Describes `document.activeElement`: `tag#id.class[role=r] "accessible name"`,
    /// or `body` when nothing is focused.
    pub fn focused(&self) -> String {
        self.eval("__quireDescribe(document.activeElement)")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Does the focused element match `css`?
    pub fn focused_matches(&self, css: &str) -> bool {
        self.eval_with(
            "const el = document.activeElement; return !!el && el.matches(arguments[0]);",
            json!([css]),
        ) == json!(true)
    }

    // ----- keyboard -----------------------------------------------------------------

    /// Presses a key (or chord like "Shift+Tab") on whatever has focus.
    /// Names: Escape, Enter, Tab, Space, ArrowUp/Down/Left/Right, Home, End, PageUp,
    /// PageDown, Backspace, Delete, Shift, Control, Alt, Meta, or one character.
    pub fn press(&mut self, key: &str) {
        let codes = key_codes(key);
        let mut actions: Vec<Value> = codes
            .iter()
            .map(|c| json!({ "type": "keyDown", "value": c }))
            .collect();
        actions.extend(
            codes
                .iter()
                .rev()
                .map(|c| json!({ "type": "keyUp", "value": c })),
        );
        self.cmd(
            "POST",
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        );
        let _ = self.command("DELETE", "/actions", None);
    }

    /// Focuses the first element matching `css`, then presses `key`.
    pub fn press_on(&mut self, css: &str, key: &str) {
        self.focus(css);
        self.press(key);
    }

    /// Focuses the first element matching `css` (via `element.focus()`).
    pub fn focus(&mut self, css: &str) {
        let ok = self.eval_with(
            "const el = document.querySelector(arguments[0]); if (!el) return false; el.focus(); return true;",
            json!([css]),
        );
        if ok != json!(true) {
            panic!("no element matches {css:?} on {}", self.url());
        }
    }

    /// Presses Tab.
    pub fn tab(&mut self) {
        self.press("Tab");
    }

    /// Types text into whatever has focus.
    pub fn type_text(&mut self, text: &str) {
        let mut actions = Vec::new();
        for c in text.chars() {
            actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
        }
        self.cmd(
            "POST",
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        );
    }

    // ----- emulation ----------------------------------------------------------------

    /// Sets the viewport (CSS pixels, device scale factor 1). Widths under 600 are
    /// emulated as a mobile device (meta viewport honoured, touch-sized).
    pub fn set_viewport(&mut self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width, "height": height, "deviceScaleFactor": 1,
                "mobile": width < 600,
            }),
        );
    }

    /// Emulates a media feature, e.g. ("prefers-color-scheme", "dark"),
    /// ("prefers-reduced-motion", "reduce"). Replaces earlier feature emulation.
    pub fn emulate_media(&mut self, feature: &str, value: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": feature, "value": value }] }),
        );
    }

    /// Emulates a media type: "print", "screen", or "" for none.
    pub fn emulate_media_type(&mut self, media: &str) {
        self.cdp("Emulation.setEmulatedMedia", json!({ "media": media }));
    }

    /// Disables the page's JavaScript, then reloads so it takes effect. (The harness'
    /// own `eval` keeps working.)
    pub fn disable_javascript(&mut self) {
        self.cdp(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": true }),
        );
        self.reload();
    }

    /// Cuts the network for this page (loopback HTTP included; file:// keeps working).
    pub fn offline(&mut self) {
        self.cdp("Network.enable", json!({}));
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        );
    }

    /// Restores the network after `offline()`.
    pub fn online(&mut self) {
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        );
    }

    // ----- screenshots --------------------------------------------------------------

    /// Writes a PNG of what the viewport shows now; creates parent directories.
    pub fn screenshot_viewport(&self, path: impl AsRef<Path>) {
        let shot = self.cdp("Page.captureScreenshot", json!({ "format": "png" }));
        write_png(path.as_ref(), &shot);
    }

    /// Writes a PNG of the whole page (beyond the viewport, capped at 16384 px tall)
    /// at the current viewport width; creates parent directories.
    pub fn screenshot(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let metrics = self.cdp("Page.getLayoutMetrics", json!({}));
        let viewport_w = metrics["cssLayoutViewport"]["clientWidth"]
            .as_f64()
            .unwrap_or(1440.0);
        let content_h = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(900.0);
        let height = content_h.clamp(1.0, 16384.0).ceil();
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "optimizeForSpeed": false,
                "clip": { "x": 0, "y": 0, "width": viewport_w, "height": height, "scale": 1 },
            }),
        );
        write_png(path, &shot);
    }
}

/// Decodes a CDP screenshot answer into a PNG file.
fn write_png(path: &Path, shot: &Value) {
    let data = shot["data"].as_str().expect("screenshot without data");
    let bytes = super::base64::decode(data).expect("screenshot is not base64");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn return_detection() {
        assert!(super::has_return_statement("const a = 1; return a;"));
        assert!(super::has_return_statement("return(1)"));
        assert!(!super::has_return_statement(
            "document.querySelector('.returned')"
        ));
        assert!(!super::has_return_statement("window.returnValue"));
    }

    #[test]
    fn keys() {
        assert_eq!(super::key_codes("Escape"), vec!["\u{E00C}"]);
        assert_eq!(super::key_codes("Shift+Tab"), vec!["\u{E008}", "\u{E004}"]);
        assert_eq!(super::key_codes("+"), vec!["+"]);
        assert_eq!(super::key_codes("a"), vec!["a"]);
    }
}
