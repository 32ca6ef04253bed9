#!/usr/bin/env python3
"""Run OpenPAI's own paictl code (paictl era, 2018) from a checkout.

A reference for tests/openpai/real.sh, not a part of imagegen: it imports
pai-management/paiLibrary of the checkout given and runs it under Python 3,
with what paictl needed that this machine lacks replaced, and nothing else:

  - yaml.load without a Loader means yaml.Loader, as in the PyYAML paictl
    ran with (3.x);
  - a bare `import NAME` of a module beside the importing one (Python 2's
    implicit relative import, used at the 2018 commits) imports that module;
  - file_handler's use of Python 2's builtin `file` (str(file) is never an
    existing path) gets a module global with that string;
  - linux_shell.execute_shell runs every command as paictl did, except the
    docker ones: `docker build -t NAME DIR` copies DIR (the build context as
    the engine would have received it) to OUT/ctx/NAME, and every docker
    command is written to OUT/commands instead of being run;
  - for `quickstart`, paramiko, etcd and kubernetes are empty modules when
    they are not installed (generate-configuration uses none of them), and
    its ssh look-ups answer `hostname` with HOSTPREFIX-<ip with dashes> and
    the nameserver with 10.0.0.254.

usage:
  paictl.py model PAI CONFIG              the `service` half of the object
                                          model, as JSON on stdout
  paictl.py build PAI CONFIG OUT          paictl.py image build and image push
                                          (every image), the hadoop pre-step
                                          left out: what it makes must be in
                                          place (src/hadoop-run/hadoop/, and at
                                          the 2018 commits hadoop-env.sh,
                                          yarn-env.sh, mapred-site.xml beside)
  paictl.py quickstart PAI QUICKSTART DIR cluster generate-configuration -i
                                          QUICKSTART -o DIR
  paictl.py py3 PAI                       for a checkout whose code is Python 2
                                          only (print statements, 2018 commits):
                                          rewrite, IN PLACE, each module of the
                                          code above that Python 3 cannot parse,
                                          with lib2to3 (Debian: python3-lib2to3);
                                          give it a copy
PAI is the checkout's root; the code runs from PAI/pai-management, as
paictl did.
"""
import builtins
import json
import os
import shlex
import shutil
import subprocess
import sys
import types

import yaml


def setup(pai):
    os.chdir(os.path.join(pai, "pai-management"))
    sys.path.insert(0, os.getcwd())
    load = yaml.load

    def load_default(stream, Loader=yaml.Loader):
        return load(stream, Loader=Loader)

    yaml.load = load_default
    imp = builtins.__import__

    def implicit_relative(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and globals and (globals.get("__package__") or "").startswith("paiLibrary"):
            here = os.path.join(os.path.dirname(globals["__file__"]), name.split(".")[0])
            if os.path.exists(here + ".py") or os.path.isdir(here):
                level = 1
        return imp(name, globals, locals, fromlist, level)

    builtins.__import__ = implicit_relative
    from paiLibrary.common import file_handler
    file_handler.file = "<type 'file'>"


def model(config):
    from paiLibrary.clusterObjectModel import objectModelFactory
    return objectModelFactory.objectModelFactory(config).objectModelPipeLine()["service"]


def build(config, out):
    from paiLibrary.common import linux_shell
    from paiLibrary.paiBuild import build_center, push_center

    os.makedirs(os.path.join(out, "ctx"))
    log = open(os.path.join(out, "commands"), "w")

    def execute_shell(cmd, error_msg):
        words = shlex.split(cmd)
        if words[0] != "docker":
            if subprocess.call(cmd, shell=True) != 0:
                sys.exit("paictl.py: %s: %s" % (error_msg, cmd))
            return
        log.write(cmd + "\n")
        if words[1] == "build":
            shutil.copytree(words[-1], os.path.join(out, "ctx", words[3]), symlinks=True)

    linux_shell.execute_shell = execute_shell
    m = model(config)
    center = build_center.build_center(m)
    # the hadoop pre-step: what it makes is in place already
    center.prepare_configuration_hadoop = lambda: None
    center.hadoop_binary_remove = lambda: None
    center.hadoop_ai_build = lambda: None
    center.hadoop_binary_prepare = lambda: None
    center.run()
    push_center.push_center(m).run()
    log.close()


def quickstart(qs, out):
    # imported by the module that holds the ssh look-ups, used only by other
    # commands of paictl, and not installed here
    for name in ("paramiko", "etcd", "kubernetes"):
        try:
            __import__(name)
        except ImportError:
            sys.modules[name] = types.ModuleType(name)
    from k8sPaiLibrary.maintainlib import common
    from paiLibrary.paiCluster import cluster_util

    class py2str(str):
        """what paramiko's output was under Python 2: a str that decodes to itself"""

        def decode(self, *args):
            return str(self)

    def ssh(host, cmd):
        if cmd == "hostname":
            return py2str("node-" + host["hostip"].replace(".", "-") + "\n"), py2str("")
        return py2str("10.0.0.254\n"), py2str("")

    common.ssh_shell_paramiko_with_result = ssh
    cluster_util.pai_common.ssh_shell_paramiko_with_result = ssh

    # v0.7's read_template decodes what Python 2 read as bytes; under
    # Python 3 the same text comes from reading the file as UTF-8
    def read_template(path):
        with open(path, encoding="utf-8") as f:
            return f.read()

    cluster_util.file_handler.read_template = read_template
    cluster_util.generate_configuration(qs, out, True)


# the code the modes above run: paictl's own, not the images' sources
PY3DIRS = ("paiLibrary/clusterObjectModel", "paiLibrary/common", "paiLibrary/paiBuild",
           "paiLibrary/paiCluster", "k8sPaiLibrary/maintainlib/common.py")


def py3():
    import ast
    import warnings
    warnings.simplefilter("ignore")
    from lib2to3 import main as l2t
    todo = []
    for d in PY3DIRS:
        if not os.path.exists(d):
            continue
        files = [d] if d.endswith(".py") else [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".py")]
        for f in files:
            try:
                with open(f) as src:
                    ast.parse(src.read())
            except SyntaxError:
                todo.append(f)
    if todo and l2t.main("lib2to3.fixes", ["-w", "-n", "--no-diffs", "-j", "1"] + todo) != 0:
        sys.exit("paictl.py: lib2to3 failed on " + " ".join(todo))
    for f in todo:
        print("converted to Python 3: pai-management/" + f)


def main(argv):
    if len(argv) == 3 and argv[1] == "py3":
        os.chdir(os.path.join(argv[2], "pai-management"))
        py3()
        return
    if len(argv) < 4:
        sys.exit(__doc__)
    mode, pai = argv[1], os.path.abspath(argv[2])
    args = [os.path.abspath(a) for a in argv[3:]]
    setup(pai)
    if mode == "model" and len(args) == 1:
        json.dump(model(args[0]), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    elif mode == "build" and len(args) == 2:
        build(args[0], args[1])
    elif mode == "quickstart" and len(args) == 2:
        quickstart(args[0], args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
