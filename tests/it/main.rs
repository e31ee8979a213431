//! The integration tests: one binary, one module per area, so a change to the library
//! relinks one test executable (ripgrep's and Cargo's layout). The real-browser tests are
//! the second binary, `tests/browser/`.

#[path = "../../examples/gen_thread.rs"]
mod gen_thread;
#[path = "../common/serve_helper.rs"]
mod serve_helper;
#[path = "../common/support.rs"]
mod support;

mod bench_smoke;
mod build;
mod check;
mod cite;
mod cli;
mod content_format;
mod epub;
mod footnotes;
mod new;
#[cfg(feature = "preview")]
mod preview;
mod publish;
mod robustness;
mod schema;
mod serve;
mod thread;
