//! The real-browser tests: one binary, one module per area of the site, driving Debian's
//! headless Chromium through chromedriver (see README.md in this folder for the harness).

#[path = "../../examples/gen_thread.rs"]
mod gen_thread;
mod harness;
#[cfg(feature = "serve")]
#[path = "../common/serve_helper.rs"]
mod serve_helper;
#[path = "../common/support.rs"]
mod support;

mod cite;
mod edition;
mod epub;
mod footnotes;
mod grid;
mod harness_selftest;
mod new;
mod offline;
mod phone;
mod safety;
mod second_essay;
#[cfg(feature = "serve")]
mod serve;
mod site;
mod thread;
mod thread_pages;
