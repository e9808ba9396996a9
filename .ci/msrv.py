#!/usr/bin/env python3
"""Checks each workspace member's `rust-version` against Cargo.lock.

A member's rust-version must equal the highest rust-version declared by the locked
packages it builds with (normal and build dependencies, all features, this host), and no
dev-dependency (tests, benches) may need more. Newer standard-library APIs in our own
code are caught by clippy's `incompatible_msrv` lint, which reads the same field.
Exits 1 with one line per mismatch.
"""
import json
import subprocess
import sys


def version(v):
    return tuple(int(x) for x in v.split("."))


def main():
    host = next(
        line.split(": ", 1)[1]
        for line in subprocess.run(
            ["rustc", "-vV"], check=True, capture_output=True, text=True
        ).stdout.splitlines()
        if line.startswith("host: ")
    )
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked",
             "--all-features", "--filter-platform", host],
            check=True, capture_output=True, text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}

    def needs(root, kinds):
        """The highest rust-version below `root` through dependencies of `kinds` (at
        the root; normal and build ones further down), with the package declaring it."""
        best, seen, todo = ((0,), "none"), {root}, [root]
        while todo:
            here = todo.pop()
            for dep in nodes[here]["deps"]:
                allowed = kinds if here == root else (None, "build")
                if dep["pkg"] in seen or not any(
                    k["kind"] in allowed for k in dep["dep_kinds"]
                ):
                    continue
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
                p = packages[dep["pkg"]]
                if p["rust_version"] and version(p["rust_version"]) > best[0]:
                    best = (version(p["rust_version"]), f'{p["name"]} {p["version"]}')
        return best

    bad = []
    for member in meta["workspace_members"]:
        p = packages[member]
        if not p["rust_version"]:
            continue
        declared = version(p["rust_version"])
        build, build_by = needs(member, (None, "build"))
        dev, dev_by = needs(member, (None, "build", "dev"))
        show = lambda v: ".".join(map(str, v))
        if declared != build:
            bad.append(f'{p["name"]}: rust-version {p["rust_version"]}, but {build_by} '
                       f'needs {show(build)}')
        elif dev > declared:
            bad.append(f'{p["name"]}: rust-version {p["rust_version"]}, but the '
                       f'dev-dependency {dev_by} needs {show(dev)}')
        else:
            print(f'{p["name"]}: rust-version {p["rust_version"]} = what {build_by} needs')
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
