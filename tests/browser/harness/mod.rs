//! Real-browser test harness: headless Debian Chromium driven through chromedriver
//! (WebDriver over HTTP on loopback), a loopback static file server, and page checks
//! (console errors, failed and foreign requests, axe-core, screenshots).
//!
//! A test module of the browser binary uses it with `use crate::harness::*;`.
//! See tests/browser/README.md for the API.

// Each test binary uses only part of the harness.
#![allow(dead_code, unused_imports)]

pub mod base64;
mod checks;
mod page;
mod pages_server;
mod server;
mod site;
mod webdriver;

pub use checks::{
    CheckOptions, Problem, Report, check_page, check_page_with, is_foreign, origin_of,
};
pub use page::Page;
pub use pages_server::PagesServer;
pub use server::StaticServer;
pub use site::{build_site, file_url, html_pages, repo_root, screenshot_dir};
pub use webdriver::Browser;
