"""Size breakdown of a wasm module by function, grouped by crate (from its name section).

Usage: python3 scripts/wasm-size.py MODULE.wasm [TOP]
Reads a module built with names (target/wasm32-unknown-unknown/release/tidings.wasm, before
wasm-bindgen and wasm-opt): the figures are raw code bytes, before wasm-opt -Oz and gzip, so
they rank what to cut rather than measure the package (build-pkg.sh does that).
"""
import re
import sys
from collections import Counter


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def crate_of(name):
    """The crate a (mangled) symbol belongs to, roughly: legacy `_ZN<n>crate...`, v0
    `_R...Cs<hash>_<n>crate...`, wasm-bindgen's own `__wbindgen_*` / `__wbg_*`."""
    if name.startswith("_ZN"):
        m = re.match(r"_ZN(\d+)", name)
        n = int(m.group(1))
        crate = name[m.end():m.end() + n]
        if crate.startswith("_$LT$"):
            m2 = re.match(r"_\$LT\$(\w+?)\.\.", crate + name[m.end() + n:])
            return m2.group(1) if m2 else "<impl>"
        return crate
    if name.startswith("_R"):
        m = re.search(r"Cs[0-9A-Za-z]+_(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
        if m:
            return m.group(2)[: int(m.group(1))]
    if name.startswith("__wbg") or name.startswith("__wbindgen"):
        return "wasm-bindgen glue"
    return name


def main():
    b = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    i, imports, bodies, names, sections = 8, 0, [], {}, Counter()
    while i < len(b):
        sid, i = b[i], i + 1
        size, i = leb(b, i)
        end = i + size
        if sid == 2:
            n, j = leb(b, i)
            for _ in range(n):
                for _ in range(2):
                    ln, j = leb(b, j)
                    j += ln
                kind = b[j]
                j += 1
                if kind == 0:
                    _, j = leb(b, j)
                    imports += 1
                elif kind == 1:
                    j += 2
                    flags, j = leb(b, j)
                    _, j = leb(b, j)
                    if flags & 1:
                        _, j = leb(b, j)
                elif kind == 2:
                    flags, j = leb(b, j)
                    _, j = leb(b, j)
                    if flags & 1:
                        _, j = leb(b, j)
                elif kind == 3:
                    j += 2
        elif sid == 10:
            n, j = leb(b, i)
            for _ in range(n):
                ln, j = leb(b, j)
                bodies.append(ln)
                j += ln
        elif sid == 0:
            ln, j = leb(b, i)
            name = b[j:j + ln].decode()
            j += ln
            if name == "name":
                while j < end:
                    sub, j = b[j], j + 1
                    sl, j = leb(b, j)
                    if sub == 1:
                        n, k = leb(b, j)
                        for _ in range(n):
                            idx, k = leb(b, k)
                            nl, k = leb(b, k)
                            names[idx] = b[k:k + nl].decode(errors="replace")
                            k += nl
                    j += sl
            sections["custom " + name] += size
            i = end
            continue
        sections[{1: "type", 2: "import", 3: "function", 5: "memory", 6: "global", 7: "export", 10: "code", 11: "data"}.get(sid, str(sid))] += size
        i = end
    groups, funcs = Counter(), []
    for k, ln in enumerate(bodies):
        name = names.get(imports + k, "?")
        crate = crate_of(name)
        groups[crate] += ln
        funcs.append((ln, name))
    print(f"{sys.argv[1]}: {len(b)} B; sections: " + ", ".join(f"{k} {v}" for k, v in sections.most_common()))
    print("code by crate (raw bytes):")
    for k, v in groups.most_common(top):
        print(f"  {v:7d}  {k}")
    print("largest functions:")
    for ln, name in sorted(funcs, reverse=True)[:top]:
        print(f"  {ln:7d}  {name[:110]}")


main()
