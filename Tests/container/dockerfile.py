#!/usr/bin/env python3
"""Reads the facts the rootfs test needs out of the Dockerfile, so the test
follows the image definition instead of a copy of it.

    dockerfile.py DOCKERFILE FACT

Facts (printed on stdout, one item a line where there are several):
  runtime-image   image of the last stage, e.g. debian:bookworm-slim
  build-image     image of the first stage, e.g. swift:6.3-bookworm
  swift-build     the arguments after `swift build` in the build stage
  build-run       the shell command of each RUN in the other stages
  run             the shell command of each RUN in the last stage
  copy            "SOURCE DEST" of each COPY in the last stage (build-context
                  copies only; --from copies are listed as "--from=STAGE ...")
  env             NAME=VALUE of each variable the last stage sets
  user            the USER of the last stage (uid[:gid])
  expose          the exposed ports
  entrypoint      ENTRYPOINT then CMD of the last stage, one argument a line
  healthcheck     the HEALTHCHECK command, one argument a line (CMD-SHELL
                  becomes /bin/sh -c "...")
Exits 1 when the Dockerfile has no such fact.
"""

import json
import re
import shlex
import sys


def instructions(text):
    """(KEYWORD, arguments) pairs, continuation lines joined, comments dropped."""
    result, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        keyword, _, rest = pending.partition(" ")
        result.append((keyword.upper(), rest.strip()))
        pending = ""
    return result


def expand_args(value, args):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), value)


def stages(text):
    """Each stage as {"image": ..., "name": ..., "steps": [(KEYWORD, args)]}."""
    global_args, result = {}, []
    for keyword, rest in instructions(text):
        if keyword == "ARG" and not result:
            name, _, default = rest.partition("=")
            global_args[name.strip()] = default.strip().strip('"')
        elif keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append({"image": expand_args(words[0], global_args), "name": name, "steps": []})
        elif result:
            result[-1]["steps"].append((keyword, rest))
    return result


def exec_form(rest):
    if rest.startswith("["):
        return json.loads(rest)
    return ["/bin/sh", "-c", rest]


def env_pairs(rest):
    words = shlex.split(rest)
    if words and "=" not in words[0]:  # legacy form: ENV NAME value with spaces
        return [(words[0], " ".join(words[1:]))]
    return [tuple(word.split("=", 1)) for word in words]


def fact(text, name):
    all_stages = stages(text)
    if not all_stages:
        return []
    first, last = all_stages[0], all_stages[-1]
    steps = last["steps"]
    if name == "runtime-image":
        return [last["image"]]
    if name == "build-image":
        return [first["image"]]
    if name == "swift-build":
        for stage in all_stages[:-1]:
            for keyword, rest in stage["steps"]:
                if keyword != "RUN":
                    continue
                words = shlex.split(" ".join(w for w in rest.split() if not w.startswith("--mount=")))
                for i in range(len(words) - 1):
                    if words[i] == "swift" and words[i + 1] == "build":
                        args = []
                        for word in words[i + 2:]:
                            if word in ("&&", "||", ";", "|"):
                                break
                            args.append(word)
                        return [" ".join(args)]
        return []
    if name == "build-run":
        return [rest for stage in all_stages[:-1] for keyword, rest in stage["steps"] if keyword == "RUN"]
    if name == "run":
        return [rest for keyword, rest in steps if keyword == "RUN"]
    if name == "copy":
        return [rest for keyword, rest in steps if keyword == "COPY"]
    if name == "env":
        return [f"{k}={v}" for keyword, rest in steps if keyword == "ENV" for k, v in env_pairs(rest)]
    if name == "user":
        return [rest for keyword, rest in steps if keyword == "USER"][-1:]
    if name == "expose":
        return [port for keyword, rest in steps if keyword == "EXPOSE" for port in rest.split()]
    if name == "entrypoint":
        entry = [exec_form(rest) for keyword, rest in steps if keyword == "ENTRYPOINT"][-1:]
        cmd = [exec_form(rest) for keyword, rest in steps if keyword == "CMD"][-1:]
        return (entry[0] if entry else []) + (cmd[0] if cmd else [])
    if name == "healthcheck":
        for keyword, rest in steps:
            if keyword == "HEALTHCHECK":
                _, _, command = rest.partition("CMD ")
                command = command.strip()
                return exec_form(command)
        return []
    raise SystemExit(f"unknown fact {name!r}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as file:
        values = fact(file.read(), sys.argv[2])
    if not values:
        print(f"{sys.argv[1]}: no {sys.argv[2]} found", file=sys.stderr)
        sys.exit(1)
    # NUL-free, one item a line: multi-line items (shell commands) are kept on one line.
    for value in values:
        print(value.replace("\n", " "))


if __name__ == "__main__":
    main()
