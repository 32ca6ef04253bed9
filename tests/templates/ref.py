#!/usr/bin/python3
"""Reference renderer: what Python jinja2 makes of a template and a config.

Command line, shaped like imagegen's:

    ref.py [-c CONFIG] [-D NAME=VALUE]... TEMPLATE [-o OUT]

The template is rendered by jinja2.Template(src).render(ctx) with default
options. The context is the configuration as PyYAML loads it
(yaml.load(f, Loader=yaml.SafeLoader)): the whole as `clusterconfig`, each
top-level key as a variable of its own; -D NAME=VALUE sets the variable NAME
to VALUE read as one YAML value. CONFIG is a YAML file or a directory whose
*.yaml and *.yml files are read in name order and merged at the top level.

On error it prints "TEMPLATE:LINE: error: MESSAGE", writes nothing and exits 1.
The differential suite and the benchmark import this module and call
load_config, make_context and render directly.
"""

import os
import sys

import jinja2
import yaml


class RefError(Exception):
    """an error with the file and line it comes from (line 0: unknown)"""

    def __init__(self, path, line, msg):
        super().__init__(msg)
        self.path = path
        self.line = line
        self.msg = msg

    def __str__(self):
        if self.line:
            return "%s:%d: error: %s" % (self.path, self.line, self.msg)
        return "%s: error: %s" % (self.path, self.msg)


def load_yaml_text(text, origin):
    """one YAML document typed as PyYAML's SafeLoader types it"""
    try:
        return yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise RefError(origin, mark.line + 1 if mark else 0, str(e).replace("\n", " "))


def load_config_file(path):
    with open(path, "rb") as f:
        data = load_yaml_text(f.read(), path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RefError(path, 1, "the configuration must be a mapping, not %s" % type(data).__name__)
    return data


def load_config(path):
    """the configuration at path (a file, or a directory of *.yaml/*.yml)"""
    if not os.path.isdir(path):
        return load_config_file(path)
    merged = {}
    origin = {}
    for name in sorted(os.listdir(path)):
        if not (name.endswith(".yaml") or name.endswith(".yml")):
            continue
        sub = os.path.join(path, name)
        for key, val in load_config_file(sub).items():
            if key in merged:
                raise RefError(sub, 0, "key %r already defined in %s" % (key, origin[key]))
            merged[key] = val
            origin[key] = sub
    return merged


def parse_define(arg):
    """NAME=VALUE of -D, VALUE typed as YAML"""
    name, eq, val = arg.partition("=")
    if not eq or not name:
        raise RefError("-D", 0, "expected NAME=VALUE, got %r" % arg)
    return name, load_yaml_text(val, "-D " + name)


def make_context(config, defines=()):
    """the variables a template sees"""
    ctx = dict(config)
    ctx["clusterconfig"] = config
    for name, val in defines:
        ctx[name] = val
    return ctx


def template_line(exc):
    """the template line a runtime error was raised at (jinja2 rewrites tracebacks)"""
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(src, ctx, name="<template>"):
    """render the template text src; returns the output text or raises RefError"""
    try:
        tmpl = jinja2.Template(src)
    except jinja2.TemplateSyntaxError as e:
        raise RefError(name, e.lineno or 0, e.message or str(e))
    try:
        return tmpl.render(ctx)
    except Exception as e:  # jinja2 lets Python's own errors through (TypeError, ...)
        raise RefError(name, template_line(e), "%s: %s" % (type(e).__name__, e))


def read_template(path):
    """template bytes decoded as jinja2's FileSystemLoader would (UTF-8, newlines untouched)"""
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def write_if_changed(path, data):
    """path holds the bytes data, written to a temporary file and renamed, unless it held them already"""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_atomic(path, text):
    write_if_changed(path, text.encode("utf-8"))


def usage():
    sys.stderr.write("usage: ref.py [-c CONFIG] [-D NAME=VALUE]... TEMPLATE [-o OUT]\n")
    sys.exit(2)


def main(argv):
    config = None
    defines = []
    template = None
    out = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-c", "-D", "-o"):
            if i + 1 >= len(argv):
                usage()
            val = argv[i + 1]
            i += 2
            if a == "-c":
                config = val
            elif a == "-o":
                out = val
            else:
                defines.append(val)
            continue
        if a.startswith("-") and a != "-":
            usage()
        if template is not None:
            usage()
        template = a
        i += 1
    if template is None:
        usage()
    try:
        cfg = load_config(config) if config else {}
        ctx = make_context(cfg, [parse_define(d) for d in defines])
        text = render(read_template(template), ctx, template)
    except RefError as e:
        sys.stderr.write("ref.py: %s\n" % e)
        return 1
    if out:
        write_atomic(out, text)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
