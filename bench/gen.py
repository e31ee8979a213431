#!/usr/bin/env python3
"""Deterministic benchmark inputs for quire and the tools it is compared with.

Everything is derived from the project's default content (content/): the essay, its grid,
its bibliography and its 24-comment thread. Nothing is random: the same content gives the
same inputs, byte for byte.

Essay sizes
    x1    the default essay, unchanged
    xN    N copies of the essay body, one after another. Copy k's headings end in
          "(part k)", its paragraphs and top-level list items start with "Part k:" (so that
          every passage, and every comment quoting one, is unique), and its footnote labels
          get a "-k" suffix (so there are N times as many footnotes). The essay's 3x3 table
          is in every copy: the first is quire's grid, the others are ordinary tables (their
          row labels start with "Part k:", so that only one table matches grid.toml).

Threads (quire only: the peers have no comments)
    c24   for x1, the default thread itself; otherwise the default thread with its quotes
          retargeted at the scaled essay
    cN    the default thread's 24 comments repeated (ids suffixed "-g", parents remapped
          within each copy) until there are N; every annotation quotes a different passage
          of the essay, chosen by a fixed stride.

Peers get the same essay as plain Markdown: `cell:` and `ref:` links become ordinary links
and `[@key]` citations become "(Author Year)" links, since only quire knows those forms.
    mdBook  a book whose one chapter is the essay
    Hugo    a site whose one page is the essay, with a minimal single-page layout
    Zola    a site whose one page is the essay (only generated; see RESULTS.md)
    pandoc  the essay with YAML metadata, converted standalone with --toc
"""

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:")
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
CITATION = re.compile(r"\[@([^\]\s]+)\]")
SPECIAL_LINK = re.compile(r"\]\((cell|ref):([^)\s]+)\)")
# Words of a passage that can be quoted as written: no Markdown syntax in them.
PLAIN_WORD = re.compile(r"^[A-Za-z0-9’'\",.;:()?-]+$")


def split_front_matter(text):
    """(front matter TOML, body) of a `+++`-fenced essay."""
    assert text.startswith("+++\n"), "essay.md must start with +++ front matter"
    end = text.index("\n+++\n", 3)
    return text[4 : end + 1], text[end + 5 :]


def split_footnotes(body):
    """(main text, footnote definitions) — definitions are the essay's last lines."""
    lines = body.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if FOOTNOTE_DEF.match(line):
            return "".join(lines[:i]), "".join(lines[i:])
    return body, ""


def scale_body(body, n):
    """The essay body repeated n times with unique headings, passages and footnotes."""
    if n == 1:
        return body
    main, notes = split_footnotes(body)
    parts, defs = [], []
    for k in range(1, n + 1):
        relabel = lambda m: f"[^{m.group(1)}-{k}]"  # noqa: E731
        out = []
        for line in main.splitlines(keepends=True):
            line = FOOTNOTE_REF.sub(relabel, line)
            if line.startswith("#"):
                line = line.rstrip("\n") + f" (part {k})\n"
            elif line.startswith("- "):
                line = f"- Part {k}: " + line[2:]
            elif line.strip() and not line.startswith("|"):
                line = f"Part {k}: " + line
            elif k > 1 and line.startswith("|") and not set(line.strip()) <= set("|-: "):
                # Copies of the table get other row labels: one table only is the grid.
                cells = line.split("|")
                if cells[1].strip():
                    cells[1] = f" Part {k}: {cells[1].strip()} "
                line = "|".join(cells)
            out.append(line)
        parts.append("".join(out).rstrip("\n") + "\n\n")
        defs.append(FOOTNOTE_REF.sub(relabel, notes).rstrip("\n") + "\n\n")
    return "".join(parts) + "".join(defs).rstrip("\n") + "\n"


def quotable_passages(body):
    """Quotes that match exactly one paragraph or list item: each passage's first words.

    Only passages whose opening words are plain text (no links, emphasis, footnotes) are
    used, so the quote reads the same in the Markdown as on the page."""
    main, _ = split_footnotes(body)
    quotes = []
    for line in main.splitlines():
        if not line.strip() or line.startswith(("#", "|")):
            continue
        text = line[2:] if line.startswith("- ") else line
        words = text.split()
        lead = 3 if words[:1] == ["Part"] else 0  # keep "Part k:" and the next words
        take = []
        for w in words:
            if not PLAIN_WORD.match(w):
                break
            take.append(w)
            if len(take) == lead + 9:
                break
        if len(take) >= lead + 6:
            quote = " ".join(take).rstrip(",.;:")
            if main.count(quote) == 1:
                quotes.append(quote)
    return quotes


def toml_str(s):
    # A JSON string is a valid TOML basic string.
    return json.dumps(s, ensure_ascii=False)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return toml_str(v)


def scale_thread(comments, count, quotes):
    """`count` comments: copies of `comments`, annotations retargeted at `quotes`."""
    out = []
    q = 0
    copy = 0
    while len(out) < count:
        suffix = "" if copy == 0 else f"-{copy}"
        for c in comments:
            if len(out) == count:
                break
            c = dict(c)
            c["id"] = c["id"] + suffix
            if "parent" in c:
                c["parent"] = c["parent"] + suffix
            annotations = []
            for a in c.get("annotation", []):
                a = dict(a)
                if not a.get("removed"):
                    # A stride coprime with most sizes spreads quotes over the essay.
                    a["quote"] = quotes[(q * 7) % len(quotes)]
                    q += 1
                annotations.append(a)
            if annotations:
                c["annotation"] = annotations
            out.append(c)
        copy += 1
    return out


def write_thread(path, comments):
    keys = ["id", "author", "parent", "date", "karma", "af_karma", "agreement", "scores_raw", "deleted"]
    lines = ["# Generated by bench/gen.py from content/comments.toml.\n"]
    for c in comments:
        lines.append("\n[[comment]]\n")
        for k in keys:
            if k in c:
                lines.append(f"{k} = {toml_value(c[k])}\n")
        if c.get("body"):
            lines.append(f"body = {toml_str(c['body'])}\n")
        for a in c.get("annotation", []):
            lines.append("\n[[comment.annotation]]\n")
            for k in ["quote", "cell", "removed", "note"]:
                if k in a:
                    lines.append(f"{k} = {toml_value(a[k])}\n")
    path.write_text("".join(lines), encoding="utf-8")


# ---------------------------------------------------------------- peers' Markdown

def short_authors(authors):
    named = [a for a in authors if a.strip().lower() not in ("et al.", "et al", "others")]
    surnames = [surname(a) for a in named]
    if not surnames:
        return "Unknown author"
    if len(surnames) > 2 or len(named) != len(authors):
        return f"{surnames[0]} et al."
    return " & ".join(surnames)


def surname(name):
    parts = name.split()
    for i, p in enumerate(parts[:-1]):
        if p in ("de", "van", "von", "der", "da"):
            return " ".join(parts[i:])
    return parts[-1] if parts else name


def plain_markdown(body, refs):
    """quire's Markdown dialect to CommonMark with ordinary links."""

    def ref_url(key):
        r = refs.get(key, {})
        return r.get("url") or f"#ref-{key}"

    def cite(m):
        r = refs.get(m.group(1), {})
        label = f"{short_authors(r.get('authors', []))} {r.get('year', '')}".strip()
        return f"([{label}]({ref_url(m.group(1))}))"

    def link(m):
        kind, target = m.group(1), m.group(2)
        return f"](cells/{target}.html)" if kind == "cell" else f"]({ref_url(target)})"

    return SPECIAL_LINK.sub(link, CITATION.sub(cite, body))


HUGO_SINGLE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<article>
<h1>{{ .Title }}</h1>
<nav>{{ .TableOfContents }}</nav>
{{ .Content }}
</article>
</body>
</html>
"""

HUGO_LIST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body>
</html>
"""

ZOLA_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><article><h1>{{ page.title }}</h1>{{ page.content | safe }}</article></body>
</html>
"""

ZOLA_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ config.title }}</title></head>
<body><ul>{% for p in section.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>{% endfor %}</ul></body>
</html>
"""


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(content_dir, work_dir, scales=(1, 10, 100), threads=(24, 1000, 10000)):
    """Writes every input under work_dir/inputs; returns a dict describing them."""
    content_dir, work_dir = Path(content_dir), Path(work_dir)
    inputs = work_dir / "inputs"
    if inputs.exists():
        shutil.rmtree(inputs)
    essay_text = (content_dir / "essay.md").read_text(encoding="utf-8")
    front, body = split_front_matter(essay_text)
    meta = tomllib.loads(front)
    thread = tomllib.loads((content_dir / "comments.toml").read_text(encoding="utf-8"))["comment"]
    refs = {
        r["key"]: r
        for r in tomllib.loads((content_dir / "references.toml").read_text(encoding="utf-8"))["ref"]
    }
    described = {"quire": {}, "peers": {}}
    for n in scales:
        scaled = scale_body(body, n)
        essay_md = f"+++\n{front}+++\n{scaled}"
        quotes = quotable_passages(scaled)
        for c in threads:
            root = inputs / "quire" / f"x{n}-c{c}"
            dst = root / "content"
            dst.mkdir(parents=True)
            for f in ("grid.toml", "references.toml"):
                shutil.copyfile(content_dir / f, dst / f)
            if n == 1 and c == 24:
                # The default content, exactly as shipped.
                shutil.copyfile(content_dir / "essay.md", dst / "essay.md")
                shutil.copyfile(content_dir / "comments.toml", dst / "comments.toml")
            else:
                write(dst / "essay.md", essay_md)
                write_thread(dst / "comments.toml", scale_thread(thread, c, quotes))
            described["quire"][(n, c)] = root

        md = plain_markdown(scaled, refs)
        title = meta["title"]
        peers = {}
        # mdBook: a book with the essay as its one chapter.
        book = inputs / "mdbook" / f"x{n}"
        write(book / "book.toml", f'[book]\ntitle = {toml_str(title)}\nauthors = [{toml_str(meta.get("author", ""))}]\nlanguage = "en"\nsrc = "src"\n')
        write(book / "src" / "SUMMARY.md", f"# Summary\n\n[{title}](essay.md)\n")
        write(book / "src" / "essay.md", f"# {title}\n\n{md}")
        peers["mdbook"] = book
        # Hugo: a site with the essay as its one page.
        site = inputs / "hugo" / f"x{n}"
        write(site / "config.toml", f'baseURL = "https://example.org/"\ntitle = {toml_str(title)}\nlanguageCode = "en"\n')
        write(site / "layouts" / "_default" / "single.html", HUGO_SINGLE)
        write(site / "layouts" / "_default" / "list.html", HUGO_LIST)
        write(site / "layouts" / "index.html", HUGO_LIST)
        write(site / "content" / "essay.md", f"+++\ntitle = {toml_str(title)}\ndate = {meta['date']}\n+++\n{md}")
        peers["hugo"] = site
        # Zola: the same, in Zola's layout.
        zsite = inputs / "zola" / f"x{n}"
        # The peers' citations link to `#ref-KEY` anchors that no peer page holds (their
        # inputs have no bibliography); Zola checks internal anchors and would refuse to
        # build, so its checker only warns, and every peer builds the same Markdown.
        write(
            zsite / "config.toml",
            f'base_url = "https://example.org"\ntitle = {toml_str(title)}\nbuild_search_index = false\n'
            '\n[link_checker]\ninternal_level = "warn"\n',
        )
        write(zsite / "templates" / "page.html", ZOLA_PAGE)
        write(zsite / "templates" / "index.html", ZOLA_INDEX)
        write(zsite / "content" / "_index.md", "+++\n+++\n")
        write(zsite / "content" / "essay.md", f"+++\ntitle = {toml_str(title)}\ndate = {meta['date']}\n+++\n{md}")
        peers["zola"] = zsite
        # pandoc: one standalone HTML file with footnotes and a table of contents.
        pdir = inputs / "pandoc" / f"x{n}"
        yaml = f"---\ntitle: {toml_str(title)}\nauthor: {toml_str(meta.get('author', ''))}\ndate: {toml_str(str(meta['date']))}\n---\n"
        write(pdir / "essay.md", yaml + md)
        peers["pandoc"] = pdir
        described["peers"][n] = peers
    return described


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "work"
    generate(here.parent / "content", work)
    print(f"inputs written to {work / 'inputs'}")
