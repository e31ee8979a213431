//! The `quire` command line: parses arguments, calls the library, maps errors to exit codes.

use std::io::IsTerminal;
use std::net::IpAddr;
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
    },
    /// Build, serve the site on this machine, and rebuild and reload the browser on every save.
    #[command(
        after_help = "Examples:\n  quire serve\n  quire serve --port 8080 --open\n  quire serve --poll            on network mounts and in containers that send no file events"
    )]
    Serve {
        /// The project folder (holds content/); defaults to the nearest one above the current folder.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Where to write the site; defaults to output_dir in quire.toml ("site").
        #[arg(long)]
        out: Option<PathBuf>,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on. Anything but a loopback address shares your drafts with the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of waiting for file-system events.
        #[arg(long)]
        poll: bool,
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
        Command::Serve {
            root,
            out,
            port,
            bind,
            open,
            poll,
        } => {
            let options = quire::serve::ServeOptions {
                build: quire::BuildOptions {
                    root: quire::find_root(root.as_deref()),
                    out,
                    base_url: None,
                },
                bind,
                port,
                open,
                poll,
                styled,
            };
            match quire::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
