//! The integration tests: one binary, one module per area, so a change to the library
//! relinks one test executable (ripgrep's and Cargo's layout). The real-browser tests are
//! the second binary, `tests/browser/`.

#[path = "../../examples/gen_thread.rs"]
mod gen_thread;
#[cfg(feature = "serve")]
#[path = "../common/serve_helper.rs"]
mod serve_helper;
#[path = "../common/support.rs"]
mod support;

mod bench_smoke;
mod build;
mod check;
mod cite;
mod cli;
mod code;
mod content_format;
mod edition;
mod editor_notes;
mod epub;
mod essay_chrome;
mod essay_files;
mod footnotes;
mod html_valid;
#[cfg(feature = "import")]
mod import;
mod mistakes;
mod new;
#[cfg(feature = "preview")]
mod preview;
mod publish;
mod robustness;
mod safety;
mod schema;
#[cfg(feature = "serve")]
mod serve;
mod themes;
mod thread;
mod thread_pages;
