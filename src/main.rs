//! The `quire` command line: parses arguments, calls the library, maps errors to exit codes.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

#[derive(Parser)]
#[command(
    name = "quire",
    version,
    about = "Publish an essay, the table at its heart and the discussion it provoked as an interactive static site",
    after_help = "Examples:\n  quire new my-essay --title \"On grids\" --rows 3 --columns 3\n  cd my-essay && quire build\n  quire build --root my-essay --out /tmp/site\n  quire completions bash > ~/.local/share/bash-completion/completions/quire\n\nThe content format: docs/content-format.md in quire's repository."
)]
struct Cli {
    /// Print only warnings and errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// When to colour messages: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
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
        /// Write the essay as an EPUB 3 book at PATH instead (title page, essay and grid,
        /// footnotes, one section per cell, the thread, the bibliography).
        #[arg(long, value_name = "PATH", conflicts_with = "single_file")]
        epub: Option<PathBuf>,
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
    /// Create a new essay project to start from: an example essay, grid, thread and references.
    #[command(
        after_help = "The project builds as it is: edit content/essay.md and content/*.toml, then run `quire build`.\n\nExamples:\n  quire new my-essay\n  quire new my-essay --title \"On grids\" --rows 3 --columns 4\n  quire new . --force        write the scaffold into the current, non-empty folder"
    )]
    New {
        /// The folder to create (it must not exist, or be empty).
        dir: PathBuf,
        /// The essay's title; defaults to one made from the folder name.
        #[arg(long)]
        title: Option<String>,
        /// Rows of the example grid (1 to 12).
        #[arg(long, default_value_t = 2, value_name = "N")]
        rows: usize,
        /// Columns of the example grid (1 to 12).
        #[arg(long, default_value_t = 2, value_name = "M")]
        columns: usize,
        /// Write into a folder that is not empty, replacing files with the scaffold's names.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  quire completions bash > ~/.local/share/bash-completion/completions/quire\n  quire completions zsh > ~/.zfunc/_quire      (with `fpath+=~/.zfunc` in ~/.zshrc)\n  quire completions fish > ~/.config/fish/completions/quire.fish"
    )]
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: Shell,
    },
    /// Write the JSON Schemas of the TOML files (maintainers: regenerates docs/schemas/).
    #[command(hide = true)]
    Schema {
        /// The folder to write them into.
        #[arg(default_value = "docs/schemas")]
        dir: PathBuf,
    },
}

/// Colour only where a person reads it: `--color`, else a terminal without `NO_COLOR`.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let styled = use_color(cli.color);
    let quiet = cli.quiet;
    match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            single_file,
            epub,
        } => {
            let started = Instant::now();
            let options = quire::BuildOptions {
                root: quire::find_root(root.as_deref()),
                out,
                base_url,
            };
            match (single_file, epub) {
                (Some(path), _) => export(&options, &path, started, styled, quiet),
                (None, Some(path)) => export_epub(&options, &path, started, styled, quiet),
                (None, None) => build(&options, started, styled, quiet),
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
                quiet,
            };
            match quire::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(quire::serve::ServeError::Output(diags)) => {
                    eprint!("{}", diags.render(styled));
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::New {
            dir,
            title,
            rows,
            columns,
            force,
        } => {
            let options = quire::new::NewOptions {
                dir,
                title,
                rows,
                columns,
                force,
            };
            match quire::new::create(&options) {
                Ok(files) => {
                    if !quiet {
                        let dir = options.dir.display();
                        eprintln!(
                            "created {} files in {dir}, with a {rows}×{columns} grid\n\nNext:\n  cd {dir}\n  quire build          then open site/index.html\n\nEdit content/essay.md and content/*.toml; .github/workflows/pages.yml publishes\nthe site on GitHub Pages.",
                            files.len()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(diag) => fail(*diag, styled),
            }
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "quire", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Schema { dir } => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return fail(
                    quire::diagnostic::Diagnostic::error(format!(
                        "cannot create {}: {e}",
                        dir.display()
                    )),
                    styled,
                );
            }
            for s in quire::schema::all() {
                let path = dir.join(s.name);
                if let Err(e) = std::fs::write(&path, &s.json) {
                    return fail(
                        quire::diagnostic::Diagnostic::error(format!(
                            "cannot write {}: {e}",
                            path.display()
                        )),
                        styled,
                    );
                }
                if !quiet {
                    eprintln!("wrote {}", path.display());
                }
            }
            ExitCode::SUCCESS
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

fn fail(diag: quire::diagnostic::Diagnostic, styled: bool) -> ExitCode {
    let mut diags = quire::diagnostic::Diagnostics::new();
    diags.push(diag);
    eprint!("{}", diags.render(styled));
    ExitCode::FAILURE
}

/// `quire build`: the whole site into its output folder.
fn build(options: &quire::BuildOptions, started: Instant, styled: bool, quiet: bool) -> ExitCode {
    match quire::build(options) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", report.warnings.render(styled));
            }
            if !quiet {
                eprintln!(
                    "built {} pages ({} KiB) into {} in {} ms",
                    report.pages,
                    report.bytes / 1024,
                    report.out.display(),
                    started.elapsed().as_millis()
                );
            }
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

/// `quire build --single-file PATH`: one self-contained HTML file; `site/` is not touched.
fn export(
    options: &quire::BuildOptions,
    path: &std::path::Path,
    started: Instant,
    styled: bool,
    quiet: bool,
) -> ExitCode {
    match quire::export::export(options, path) {
        Ok((bytes, warnings)) => {
            if !warnings.is_empty() {
                eprint!("{}", warnings.render(styled));
            }
            if !quiet {
                eprintln!(
                    "wrote {} ({} KiB, self-contained) in {} ms",
                    path.display(),
                    bytes / 1024,
                    started.elapsed().as_millis()
                );
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            eprint!("{}", diags.render(styled));
            eprintln!("error: nothing was written");
            ExitCode::FAILURE
        }
    }
}

/// `quire build --epub PATH`: the essay as one EPUB book.
fn export_epub(
    options: &quire::BuildOptions,
    path: &std::path::Path,
    started: Instant,
    styled: bool,
    quiet: bool,
) -> ExitCode {
    match quire::epub::export(options, path) {
        Ok((bytes, warnings)) => {
            if !warnings.is_empty() {
                eprint!("{}", warnings.render(styled));
            }
            if !quiet {
                eprintln!(
                    "wrote {} ({} KiB, EPUB 3) in {} ms",
                    path.display(),
                    bytes / 1024,
                    started.elapsed().as_millis()
                );
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            eprint!("{}", diags.render(styled));
            eprintln!("error: nothing was written");
            ExitCode::FAILURE
        }
    }
}
