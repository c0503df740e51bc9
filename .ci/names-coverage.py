#!/usr/bin/env python3
"""Every public type is named in the crate docs (the names tables of src/lib.rs) or in the
docs of the public module that owns it.

Reads the items rustdoc lists in target/doc/ws_handshake/all.html (run
`cargo doc --no-deps --all-features` first), finds each public module's source from the
`pub mod` / `pub use …::module` lines of src/lib.rs, and fails naming every struct, enum,
trait or type alias that neither text mentions as a word.

Usage: python3 .ci/names-coverage.py [REPO]   (prints the counts, exit 1 on a miss)
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
src = os.path.join(root, "src")
lib = open(os.path.join(src, "lib.rs"), encoding="utf-8").read()


def inner_docs(text):
    return "\n".join(l for l in text.split("\n") if l.lstrip().startswith("//!"))


def module_file(path):
    """src/<path>.rs or src/<path>/mod.rs."""
    for candidate in (path + ".rs", os.path.join(path, "mod.rs")):
        full = os.path.join(src, candidate)
        if os.path.exists(full):
            return full
    return None


# Public module name (as rustdoc's directory) -> the text of its docs.
docs = {"": inner_docs(lib)}
for name in re.findall(r"^pub mod (\w+);", lib, re.M):
    f = module_file(name)
    docs[name] = inner_docs(open(f, encoding="utf-8").read())
    # Its own public submodules (io/blocking.rs, io/tokio.rs).
    for sub in re.findall(r"^pub mod (\w+);", open(f, encoding="utf-8").read(), re.M):
        g = module_file(os.path.join(name, sub))
        docs[name + "/" + sub] = inner_docs(open(g, encoding="utf-8").read())
for m in re.finditer(r"^pub mod (\w+) \{\n(.*?)^\}", lib, re.M | re.S):
    docs[m.group(1)] = inner_docs(m.group(2))
for m in re.finditer(r"^pub use ([\w:]+?)::(\{[^}]*\}|\w+);", lib, re.M):
    prefix = m.group(1).replace("::", "/")
    for name in re.findall(r"\w+", m.group(2)):
        if name[0].islower() and module_file(os.path.join(prefix, name)):
            f = module_file(os.path.join(prefix, name))
            docs[name] = inner_docs(open(f, encoding="utf-8").read())

all_html = os.path.join(root, "target", "doc", "ws_handshake", "all.html")
links = set(re.findall(r'href="([^"]+)\.html"', open(all_html, encoding="utf-8").read()))
types = sorted(l for l in links if re.match(r"(struct|enum|trait|type)\.", l.split("/")[-1]))
missing = []
for link in types:
    module, _, page = link.rpartition("/")
    name = page.split(".", 1)[1]
    if module not in docs:
        missing.append(f"{link} (no docs found for module `{module}`)")
        continue
    text = docs[""] + "\n" + docs[module]
    if not re.search(r"\b" + re.escape(name) + r"\b", text):
        missing.append(link)

at_root = sum(1 for l in links if "/" not in l and re.match(r"(struct|enum|trait|type|fn|constant)\.", l))
print(f"{len(types)} public types; {at_root} items at the crate root")
if missing:
    print("named neither in the crate docs' tables nor in their module's docs:")
    print("\n".join("  " + m for m in missing))
    sys.exit(1)
print("every public type is named in the crate docs or its module's docs")
