#!/usr/bin/env python3
"""Fails when files of src/ import each other in a loop, or when a front end imports
another front end.

Every `crate::a::b::Item` path (in `use` lines, grouped `use crate::{..}` lists and
in code, `$crate::` in macros too) and every `super::` path is resolved to the file of
the deepest module it names; `mod x;` lines are structure, not imports. Comments are
skipped, so intra-doc links do not count. The crate's layers rest on this: a lower
file never names a higher one, so the graph must be acyclic.

The front ends (FRONT_ENDS) sit side by side on top: each is built on the layers
below, never on another front end, except the adapters listed in FRONT_END_EDGES.

    python3 .ci/module-cycles.py [CRATE_DIR]             # exit 1 and what is wrong, or exit 0
    python3 .ci/module-cycles.py [CRATE_DIR] --fan-out   # also: files each front-end file imports
"""
import pathlib
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"

# The front ends, by the first part of their path under src/ (a directory or a file).
FRONT_ENDS = {
    "server": "the HTTP/1.1 server",
    "client": "the HTTP/1.1 client (with its proxies and redirects)",
    "connect": "extended CONNECT, both roles",
    "http.rs": "the http crate's types",
    "io": "the I/O adapters",
}

# The only imports allowed from one front end into another: the I/O adapters run the
# HTTP/1.1 server and client handshakes on a stream, so they are built on them.
FRONT_END_EDGES = {
    ("io", "server"),
    ("io", "client"),
}


def module_files(src):
    """Maps each module path (tuple of names; () is the crate root) to its file."""
    files = {}
    for path in src.rglob("*.rs"):
        rel = path.relative_to(src).with_suffix("").parts
        if rel == ("lib",):
            key = ()
        elif rel[-1] == "mod":
            key = rel[:-1]
        else:
            key = rel
        files[key] = path
    return files


def strip_comments(text):
    """The code without comments and without the inline test module (which sits last
    and whose `super` is the file itself)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    return re.split(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)[0]


def expand(prefix, text, i):
    """Paths of a `{a::b, c::{d, e}}` group starting after `{` at text[i]."""
    paths, current, depth_start = [], "", i
    while i < len(text):
        c = text[i]
        if c == "{":
            inner, i = expand(prefix + current, text, i + 1)
            paths.extend(inner)
            current = None
        elif c == "}":
            if current:
                paths.append(prefix + current.strip())
            return paths, i + 1
        elif c == ",":
            if current:
                paths.append(prefix + current.strip())
            current = ""
            i += 1
            continue
        else:
            if current is not None:
                current += c
        i += 1
    return paths, i


def referenced_paths(text):
    """Every `crate::...` and `super::...` path in `text`, as strings."""
    found = []
    for m in re.finditer(r"(?<![A-Za-z0-9_])(\$?crate|super(?:::super)*)::", text):
        start = m.end()
        rest = re.match(r"((?:%s::)*)(\{)?" % IDENT, text[start:])
        head = m.group(1).lstrip("$") + "::" + rest.group(1)
        if rest.group(2):
            inner, _ = expand(head, text, start + rest.end())
            found.extend(inner)
        else:
            tail = re.match(r"(?:%s::)*%s" % (IDENT, IDENT), text[start:])
            found.append(m.group(1).lstrip("$") + "::" + (tail.group(0) if tail else ""))
    return found


def relative_use_paths(text, here, files):
    """Paths of `use child::..` / `use self::..` lines, made absolute (`crate::..`)."""
    found = []
    for m in re.finditer(r"\buse\s+(self::)?(%s)::" % IDENT, text):
        first = m.group(2)
        if first in ("crate", "super") or here + (first,) not in files:
            continue
        prefix = "::".join(("crate",) + here)
        start = m.start(2)
        end = text.find(";", start)
        found.extend(referenced_paths(prefix + "::" + text[start:end]))
    return found


def reexports(text, here, files):
    """Item name -> absolute path, for the `pub use` lines of a module."""
    items = {}
    for m in re.finditer(r"\bpub(?:\([a-z]+\))?\s+use\s+([^;]+);", text):
        body = m.group(1).strip()
        if not body.startswith(("crate::", "super::", "self::")):
            body = "::".join(("crate",) + here) + "::" + body
        for path in referenced_paths(body):
            name = path.split("::")[-1].split(" as ")[-1].strip()
            items[name] = path.split(" as ")[0]
    return items


def resolve(path, here, files, exported, seen=()):
    """The file that defines what `path` (seen from module `here`) names, following
    re-exports of directory modules (`pub use` in lib.rs or a mod.rs)."""
    parts = [p.strip() for p in path.split("::") if p.strip()]
    if not parts:
        return None
    if parts[0] == "crate":
        base, parts = (), parts[1:]
    else:
        base = here
        while parts and parts[0] == "super":
            base, parts = base[:-1], parts[1:]
    module, rest = base, list(parts)
    while rest and module + (rest[0].split(" as ")[0].strip(),) in files:
        module, rest = module + (rest[0].split(" as ")[0].strip(),), rest[1:]
    if rest and path not in seen:
        target = exported.get(module, {}).get(rest[0].split(" as ")[0].strip())
        if target is not None and target != path:
            return resolve(target, (), files, exported, seen + (path,))
    return files.get(module)


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def front_end(path, src):
    """The front end `path` belongs to, or None for the layers below."""
    first = path.relative_to(src).parts[0]
    return first if first in FRONT_ENDS else None


def front_end_imports(graph, src):
    """(importer, imported) file pairs that cross between two front ends and are not
    in FRONT_END_EDGES."""
    wrong = []
    for path, targets in graph.items():
        here = front_end(path, src)
        for target in targets:
            there = front_end(target, src)
            if here and there and here != there and (here, there) not in FRONT_END_EDGES:
                wrong.append((path, target))
    return sorted(wrong)


def main():
    args = [a for a in sys.argv[1:] if a != "--fan-out"]
    root = pathlib.Path(args[0] if args else ".")
    src = root / "src"
    files = module_files(src)
    texts = {m: strip_comments(f.read_text()) for m, f in files.items()}
    exported = {m: reexports(t, m, files) for m, t in texts.items()}
    graph = {}
    for module, path in files.items():
        text = texts[module]
        here = module
        targets = set()
        for p in referenced_paths(text) + relative_use_paths(text, here, files):
            target = resolve(p, here, files, exported)
            if target is not None and target != path:
                targets.add(target)
        graph[path] = targets
    loops = cycles(graph)
    rel = lambda p: str(p.relative_to(root))
    if "--fan-out" in sys.argv:
        # How many other files of src/ each front-end file imports: how much of the
        # engine a reader of that front end must know.
        fronts = sorted(p for p in graph if front_end(p, src))
        for p in fronts:
            print(f"fan-out {len(graph[p]):3} {rel(p)}")
        print(f"fan-out {sum(len(graph[p]) for p in fronts):3} in all")
    sideways = front_end_imports(graph, src)
    for importer, imported in sideways:
        print(f"front end imports another: {rel(importer)} -> {rel(imported)}")
    if loops:
        for comp in loops:
            print(f"cycle of {len(comp)}: " + ", ".join(rel(p) for p in comp))
            members = set(comp)
            for p in comp:
                inside = sorted(rel(t) for t in graph[p] if t in members)
                print(f"  {rel(p)} -> {', '.join(inside)}")
        sys.exit(1)
    if sideways:
        sys.exit(1)
    print(f"no module cycles among {len(files)} files of src/, no front end imports another")


if __name__ == "__main__":
    main()
