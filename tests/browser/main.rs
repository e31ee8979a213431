//! The real-browser tests: one binary, one module per area of the site, driving Debian's
//! headless Chromium through chromedriver (see README.md in this folder for the harness).

#[path = "../../examples/gen_thread.rs"]
mod gen_thread;
mod harness;
#[path = "../common/serve_helper.rs"]
mod serve_helper;

mod cite;
mod epub;
mod footnotes;
mod grid;
mod harness_selftest;
mod new;
mod offline;
mod serve;
mod site;
mod thread;
