//! The `quire` command line: parses arguments, calls the library, maps errors to exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "quire",
    version,
    about = "Publish an essay, the table at its heart and the discussion it provoked as an interactive static site",
    after_help = "Examples:\n  quire build                 build ./content into ./site\n  quire build --root my-essay --out /tmp/site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site from content/ into site/ (or --out).
    #[command(
        after_help = "Examples:\n  quire build\n  quire build --root essays/alignment --out public --base-url https://user.github.io/repo/"
    )]
    Build {
        /// The project folder (holds content/); defaults to the nearest one above the current folder.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Where to write the site; defaults to output_dir in quire.toml ("site").
        #[arg(long)]
        out: Option<PathBuf>,
        /// The absolute URL the site is published at (for canonical links and sitemap).
        #[arg(long)]
        base_url: Option<String>,
        /// Write the whole site as one self-contained HTML file at PATH instead (styles,
        /// script, every cell, note, comment and reference inside; no network needed).
        #[arg(long, value_name = "PATH")]
        single_file: Option<PathBuf>,
    },
    /// Validate the content and every internal link, anchor and resource of the built site.
    #[command(
        after_help = "Examples:\n  quire build && quire check\n  quire check --site public --external\n\nExits with 1 when there is any problem. External links are listed with --external, never fetched."
    )]
    Check {
        /// The project folder (holds content/); defaults to the nearest one above the current folder.
        #[arg(long)]
        root: Option<PathBuf>,
        /// The built site to check; defaults to output_dir in quire.toml ("site").
        #[arg(long, value_name = "DIR")]
        site: Option<PathBuf>,
        /// Also list every link to another site (they are not fetched).
        #[arg(long)]
        external: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let styled = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            single_file: Some(path),
        } => {
            let started = Instant::now();
            let options = quire::BuildOptions {
                root: quire::find_root(root.as_deref()),
                out,
                base_url,
            };
            match quire::export::export(&options, &path) {
                Ok((bytes, warnings)) => {
                    if !warnings.is_empty() {
                        eprint!("{}", warnings.render(styled));
                    }
                    eprintln!(
                        "wrote {} ({} KiB, self-contained) in {} ms",
                        path.display(),
                        bytes / 1024,
                        started.elapsed().as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    eprint!("{}", diags.render(styled));
                    eprintln!("error: nothing was written");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Build {
            root,
            out,
            base_url,
            single_file: None,
        } => {
            let started = Instant::now();
            let options = quire::BuildOptions {
                root: quire::find_root(root.as_deref()),
                out,
                base_url,
            };
            match quire::build(&options) {
                Ok(report) => {
                    if !report.warnings.is_empty() {
                        eprint!("{}", report.warnings.render(styled));
                    }
                    eprintln!(
                        "built {} pages ({} KiB) into {} in {} ms",
                        report.pages,
                        report.bytes / 1024,
                        report.out.display(),
                        started.elapsed().as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    eprint!("{}", diags.render(styled));
                    let n = diags.error_count();
                    eprintln!(
                        "error: build failed with {n} error{}; the previous site was left as it was",
                        if n == 1 { "" } else { "s" }
                    );
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check {
            root,
            site,
            external,
        } => {
            let options = quire::BuildOptions {
                root: quire::find_root(root.as_deref()),
                ..Default::default()
            };
            let report = quire::check::run(&options, site.as_deref());
            if !report.content.is_empty() {
                eprint!("{}", report.content.render(styled));
            }
            let dir = report.site_dir.display().to_string();
            match &report.site {
                Err(e) => {
                    eprintln!("error: {e}");
                    eprintln!(
                        "help: build the site first with `quire build`, or name it with --site DIR"
                    );
                }
                Ok(site) => {
                    for problem in &site.problems {
                        println!("{dir}/{problem}");
                    }
                    if external {
                        println!(
                            "{} external links (listed, not fetched):",
                            site.external.len()
                        );
                        for (url, pages) in &site.external {
                            let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
                            println!("  {url}  ({})", pages.join(", "));
                        }
                    }
                    eprintln!(
                        "checked {} pages and {} internal links in {dir}: {} problem{}",
                        site.pages,
                        site.links,
                        site.problems.len(),
                        if site.problems.len() == 1 { "" } else { "s" }
                    );
                }
            }
            if report.content.has_errors() {
                let n = report.content.error_count();
                eprintln!(
                    "error: the content has {n} error{}",
                    if n == 1 { "" } else { "s" }
                );
            }
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
