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
        /// Replace an output folder that quire did not write (everything in it is deleted),
        /// or a --single-file PATH that is not a previous export.
        #[arg(long)]
        force: bool,
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
        /// Also answer to this host name (repeatable). The server answers only to
        /// localhost, 127.0.0.1, [::1] and the --bind address; any other Host gets 421.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_host: Vec<String>,
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
        after_help = "The project builds as it is: edit content/essay.md and content/*.toml, then run `quire build`.\n\nExamples:\n  quire new my-essay\n  quire new my-essay --title \"On grids\" --rows 3 --columns 4\n  quire new my-essay --rows \"Alone,Together\" --columns \"Gut,Numbers,Argument,Rank\"\n  quire new . --force        write the scaffold into the current, non-empty folder"
    )]
    New {
        /// The folder to create (it must not exist, or be empty).
        dir: PathBuf,
        /// The essay's title; defaults to one made from the folder name.
        #[arg(long)]
        title: Option<String>,
        /// Rows of the grid: a number (1 to 12), or the row labels separated by commas
        /// ("Alone,Together"), from which the row ids are made.
        #[arg(long, default_value = "2", value_name = "N|LABELS")]
        rows: AxisArg,
        /// Columns of the grid: a number (1 to 12), or the column labels separated by commas.
        #[arg(long, default_value = "2", value_name = "M|LABELS")]
        columns: AxisArg,
        /// Write into a folder that is not empty, replacing files with the scaffold's names.
        #[arg(long)]
        force: bool,
    },
    /// Bring a discussion into content/comments.toml (and keep it in step on later runs).
    #[cfg(feature = "import")]
    #[command(subcommand)]
    Import(ImportCommand),
    /// Work with themes: `quire theme export DIR` writes the built-in theme to start your own.
    #[command(
        subcommand,
        after_help = "To change one piece only, put a file of the same name in the project's templates/ or static/css/ instead.\n\nExamples:\n  quire theme export themes/mine      then set theme = \"mine\" in quire.toml"
    )]
    Theme(ThemeCommand),
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

#[cfg(feature = "import")]
#[derive(Subcommand)]
enum ImportCommand {
    /// The comments of a post on LessWrong, the AI Alignment Forum or the EA Forum (ForumMagnum).
    #[command(
        after_help = "Examples:\n  quire import forum --url https://www.lesswrong.com/posts/ID/slug\n  quire import forum comments.json --forum lesswrong\n  quire import forum --url https://forum.effectivealtruism.org/posts/ID/slug --dry-run\n\nRunning it again adds new replies and updates changed comments; annotations, editor's notes\nand fields you edited are kept. See docs/import.md."
    )]
    Forum {
        /// A saved answer of the forum's GraphQL API (instead of --url).
        #[arg(
            value_name = "FILE.json",
            required_unless_present = "url",
            conflicts_with = "url"
        )]
        file: Option<PathBuf>,
        /// The post's address; its comments are fetched from the forum over HTTPS.
        #[arg(long)]
        url: Option<String>,
        /// The forum: lesswrong, af, ea, or any name (default: from the URL's address).
        #[arg(long)]
        forum: Option<String>,
        /// The project folder (holds content/); defaults to the nearest one above the current folder.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Print what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// A reply whose parent the forum doesn't return (deleted without a trace,
        /// rejected): stop with an error, or keep it under a deleted placeholder.
        #[arg(long, value_enum, default_value_t = MissingParents::Error, value_name = "WHAT")]
        missing_parents: MissingParents,
        /// Ask this GraphQL endpoint instead of the URL's host (tests and mirrors).
        #[arg(long, hide = true)]
        endpoint: Option<String>,
        /// Seconds to wait for each answer of the forum.
        #[arg(long, hide = true, value_name = "SECONDS")]
        timeout: Option<u64>,
    },
}

#[cfg(feature = "import")]
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MissingParents {
    Error,
    Placeholder,
}

/// `--rows 3` or `--rows "Alone,Together"`.
#[derive(Clone, Debug)]
enum AxisArg {
    Count(usize),
    Labels(Vec<String>),
}

impl std::str::FromStr for AxisArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().parse::<usize>() {
            Ok(n) => AxisArg::Count(n),
            Err(_) => AxisArg::Labels(s.split(',').map(|l| l.trim().to_string()).collect()),
        })
    }
}

impl AxisArg {
    fn split(self) -> (usize, Vec<String>) {
        match self {
            AxisArg::Count(n) => (n, Vec::new()),
            AxisArg::Labels(labels) => (labels.len(), labels),
        }
    }
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Write every template and static file of the built-in theme into DIR.
    Export {
        /// The folder to write (it must not exist, or be empty).
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
            force,
            epub,
        } => {
            let started = Instant::now();
            let options = quire::BuildOptions {
                root: quire::find_root(root.as_deref()),
                out,
                base_url,
                force,
            };
            match (single_file, epub) {
                (Some(path), _) => export(&options, &path, started, styled, quiet),
                (None, Some(path)) => export_epub(&options, &path, started, styled, quiet),
                (None, None) => build(&options, started, styled, quiet),
            }
        }
        #[cfg(not(feature = "serve"))]
        Command::Serve { .. } => {
            eprintln!(
                "error: this quire was built without `quire serve`\n\
                 help: install it with the default features: cargo install quire (without --no-default-features)"
            );
            ExitCode::FAILURE
        }
        #[cfg(feature = "serve")]
        Command::Serve {
            root,
            out,
            port,
            bind,
            open,
            poll,
            allow_host,
        } => {
            let options = quire::serve::ServeOptions {
                build: quire::BuildOptions {
                    root: quire::find_root(root.as_deref()),
                    out,
                    base_url: None,
                    force: false,
                },
                bind,
                port,
                open,
                poll,
                styled,
                quiet,
                allow_hosts: allow_host,
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
            let (rows, row_labels) = rows.split();
            let (columns, column_labels) = columns.split();
            let options = quire::new::NewOptions {
                dir,
                title,
                rows,
                columns,
                row_labels,
                column_labels,
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
        #[cfg(feature = "import")]
        Command::Import(ImportCommand::Forum {
            file,
            url,
            forum,
            root,
            dry_run,
            missing_parents,
            endpoint,
            timeout,
        }) => {
            let options = quire::import::ImportOptions {
                root: quire::find_root(root.as_deref()),
                file,
                url,
                forum,
                endpoint,
                timeout: timeout.map(std::time::Duration::from_secs),
                missing_parents: match missing_parents {
                    MissingParents::Error => quire::import::forum::MissingParents::Error,
                    MissingParents::Placeholder => {
                        quire::import::forum::MissingParents::Placeholder
                    }
                },
                dry_run,
            };
            import(&options, styled, quiet)
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "quire", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Theme(ThemeCommand::Export { dir }) => match quire::theme::export_default(&dir) {
            Ok(n) => {
                if !quiet {
                    eprintln!("wrote the default theme ({n} files) into {}", dir.display());
                }
                ExitCode::SUCCESS
            }
            Err(d) => fail(*d, styled),
        },
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
                    if !quiet || !site.problems.is_empty() {
                        eprintln!(
                            "checked {} pages and {} internal links in {dir}: {} problem{}",
                            site.pages,
                            site.links,
                            site.problems.len(),
                            if site.problems.len() == 1 { "" } else { "s" }
                        );
                    }
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
        Err(failure) => {
            let diags = &failure.diags;
            eprint!("{}", diags.render(styled));
            let n = diags.error_count();
            eprintln!(
                "error: build failed with {n} error{}{}",
                if n == 1 { "" } else { "s" },
                if failure.previous_kept {
                    "; the previous site was left as it was"
                } else {
                    ""
                }
            );
            ExitCode::FAILURE
        }
    }
}

/// `quire import forum`: what changed on stdout (the whole list with --dry-run), a summary.
#[cfg(feature = "import")]
fn import(options: &quire::import::ImportOptions, styled: bool, quiet: bool) -> ExitCode {
    match quire::import::import(options) {
        Ok(report) => {
            let m = &report.merged;
            if options.dry_run || !quiet {
                for line in m.changes.iter().chain(&m.kept) {
                    println!("{line}");
                }
            }
            if !quiet {
                let outcome = match (m.changes.is_empty(), report.written) {
                    (true, _) => "unchanged",
                    (false, true) => "written",
                    (false, false) => "not written (dry run)",
                };
                eprintln!(
                    "{} comments read: {} new, {} updated, {} of your edits kept over the forum's; {} {outcome}",
                    report.comments,
                    m.added,
                    m.updated,
                    m.kept.len(),
                    report.path.display(),
                );
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            eprint!("{}", diags.render(styled));
            eprintln!("error: import failed; content/comments.toml was left as it was");
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
