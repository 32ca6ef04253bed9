#!/usr/bin/env python3
"""Test helper, not part of imagegen: OpenPAI's paictl object model, written
afresh from a reading of paictl's clusterObjectModel (v0.5.0/2018 commits,
v0.6.1, v0.7.x), to check `imagegen config --print` against.

usage: model.py [--version=5|6|7] CONFIGDIR    prints the model as JSON
       (json.dumps(model, indent=2, ensure_ascii=False)), or the KeyError or
       exit paictl would stop with, on stderr, with status 1.

It follows paictl's steps in paictl's order, because the order keys are added
in is the order JSON prints them: the kubernetes half first (its defaults
land in the machine entries), then the service half, aliasing the loaded
dicts rather than copying them.
"""
import json
import sys

import yaml

FILES = ("cluster-configuration", "k8s-role-definition", "kubernetes-configuration", "services-configuration")


class Stop(Exception):
    pass


# PyYAML's C loader when it has one: the same values, faster
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(d):
    out = []
    for f in FILES:
        with open("%s/%s.yaml" % (d, f)) as fh:
            out.append(yaml.load(fh, Loader=Loader))
    return out


def first(hosts, key, why):
    for h in hosts:
        if key in h and h[key] == "true":
            return h["hostip"]
    raise Stop(why)


def k8s_half(version, cl, roles, kube, svc):
    svc["cluster"]["clusterid"]
    for k in ("load-balance-ip", "docker-registry", "hyperkube-version", "etcd-version", "apiserver-version",
              "kube-scheduler-version", "kube-controller-manager-version", "dashboard-version"):
        kube["kubernetes"][k]
    roles["component-list"]
    for r in ("master", "worker", "proxy"):
        roles["k8s-role"][r]["listname"] = r + "machinelist"
    for h in cl["machine-list"]:
        if "dashboard" in h:
            h["hostip"]
        role = h["k8s-role"]
        if role not in ("master", "worker", "proxy"):
            continue
        h["hostname"]
        if version < 6 or "nodename" not in h:
            h["nodename"] = h["hostip"]
        for k in ("sshport", "password", "username"):
            if k not in h:
                h[k] = cl["default-machine-properties"][k]


LABELS = {
    5: (("hdfsrole", "master"), ("yarnrole", "master")),
    6: (("hadoop-name-node", "true"), ("hadoop-resource-manager", "true")),
}
SERVICES = ("zookeeper", "jobhistory", "launcher", "restserver", "webportal", "prometheus", "grafana", "pylon")


def expand(version, h):
    if h.get("pai-master", None) == "true" and "pai-master" in h:
        for k, v in LABELS[min(version, 6)]:
            h[k] = v
        for k in SERVICES:
            h[k] = "true"
        if version >= 7:
            h["watchdog"] = "true"
        h["node-exporter"] = "true"
    if "pai-worker" in h and h["pai-worker"] == "true":
        if version < 6:
            h["hdfsrole"] = h["yarnrole"] = "worker"
        else:
            h["hadoop-data-node"] = h["hadoop-node-manager"] = "true"
        h["node-exporter"] = "true"


def service_half(version, cl, roles, kube, svc):
    hosts = cl["machine-list"]
    master = lambda: first(hosts, "pai-master", "At least one and only one machine should be labeled with pai-master = true")
    http = lambda port: "http://{}:{}".format(master(), port)
    dash = lambda: "http://{}:9090".format(first(hosts, "dashboard", "no machine labeled with dashboard = true"))
    api = lambda: "http://{}:8080".format(kube["kubernetes"]["load-balance-ip"])

    def etcd():
        uris = ["http://{}:4001".format(h["hostip"]) for h in hosts if "k8s-role" in h and h["k8s-role"] == "master"]
        if not uris:
            raise Stop("No machine labeled with k8s-role = master!")
        return ",".join(uris)

    m = {}
    m["clusterID"] = svc["cluster"]["clusterid"]
    ci = m["clusterinfo"] = svc["cluster"]
    ci["dataPath"] = ci["data-path"]
    if version < 7:
        ci["nvidia_drivers_version"] = ci["nvidia-drivers-version"]
        ci["dockerverison"] = ci["docker-verison"]
    reg = ci["dockerregistryinfo"] = ci["docker-registry-info"]
    reg["docker_namespace"] = reg["docker-namespace"]
    reg["docker_registry_domain"] = reg["docker-registry-domain"]
    for short, key in (("docker_username", "docker-username"), ("docker_password", "docker-password")):
        reg[short] = reg[key] if version < 6 or key in reg else None
    reg["docker_tag"] = reg["docker-tag"]
    reg["secretname"] = reg["secret-name"]

    had = ci["hadoopinfo"] = svc["hadoop"]
    had["custom_hadoop_binary_path"] = had["custom-hadoop-binary-path"]
    had["hadoopversion"] = had["hadoop-version"]
    had["configmapname"] = "hadoop-configuration"
    ip = master()
    had["hadoop_vip"] = ip
    had["hadoop-version"] = ip
    ci["virtualClusters"] = had["virtualClusters"] if version < 6 or "virtualClusters" in had else {}

    fl = ci["frameworklauncher"] = svc["frameworklauncher"]
    fl["frameworklauncher_port"] = fl["frameworklauncher-port"]
    fl["frameworklauncher_vip"] = master()

    rs = ci["restserverinfo"] = svc["restserver"]
    rs["src_path"] = "../rest-server/"
    rs["webservice_uri"] = http(str(fl["frameworklauncher_port"]))
    rs["hdfs_uri"] = "hdfs://{}:9000".format(master())
    rs["webhdfs_uri"] = http("50070")
    for short in ("server_port", "jwt_secret", "default_pai_admin_password", "default_pai_admin_username"):
        rs[short] = rs[short.replace("_", "-")]
    rs["etcd_uri"] = etcd()
    rs["yarn_uri"] = http("8088")

    wp = ci["webportalinfo"] = svc["webportal"]
    wp["rest_server_uri"] = http(str(svc["restserver"]["server-port"]))
    wp["prometheus_uri"] = http(str(svc["prometheus"]["prometheus-port"]))
    wp["grafana_uri"] = http(str(svc["grafana"]["grafana-port"]))
    wp["k8s_dashboard_uri"] = dash()
    wp["k8s_api_server_uri"] = api()
    wp["server_port"] = svc["webportal"]["server-port"]
    wp["yarn_web_portal_uri"] = http("8088")

    gr = ci["grafanainfo"] = svc["grafana"]
    gr["grafana_url"] = "http://{}".format(master())
    gr["grafana_port"] = gr["grafana-port"]

    pr = ci["prometheusinfo"] = svc["prometheus"]
    pr["prometheus_url"] = "http://{}".format(master())
    pr["prometheus_port"] = pr["prometheus-port"]
    pr["node_exporter_port"] = pr["node-exporter-port"]
    if version >= 7:
        am = [h["hostip"] for h in hosts if h.get("alert-manager") is not None and h["alert-manager"].lower() == "true"]
        if pr.get("alerting") is not None:
            pr["alerting"]["alert-manager-hosts"] = am

    py = ci["pyloninfo"] = svc["pylon"]
    py["rest_server_uri"] = http(str(svc["restserver"]["server-port"]))
    py["k8s_api_server_uri"] = api()
    py["webhdfs_uri"] = http("50070")
    py["prometheus_uri"] = http(str(svc["prometheus"]["prometheus-port"]))
    py["k8s_dashboard_uri"] = dash()
    py["yarn_web_portal_uri"] = http("8088")
    py["grafana_uri"] = http(str(svc["grafana"]["grafana-port"]))
    py["pai_web_portal_uri"] = http(svc["webportal"]["server-port"])

    m["machineinfo"] = cl["machine-sku"]
    ml = m["machinelist"] = {}
    for h in hosts:
        name = h["hostname"]
        expand(version, h)
        h["nodename"] = h["hostip"]
        h["machinetype"] = h["machine-type"]
        h["ip"] = h["hostip"]
        ml[name] = h
    return m


def model(version, d, raw=None):
    """the model of the configuration directory d, or of its files' values raw (changed in place)"""
    if raw is None:
        raw = load(d)
    k8s_half(version, *raw)
    return service_half(version, *raw)


def options(argv):
    """the --version=N of argv[1:] (default 6) and its other arguments"""
    version = 6
    args = []
    for a in argv[1:]:
        if a.startswith("--version="):
            version = int(a.split("=", 1)[1])
        else:
            args.append(a)
    return version, args


def main(argv):
    version, args = options(argv)
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    try:
        m = model(version, args[0])
    except KeyError as e:
        sys.stderr.write("KeyError: %r\n" % e.args[0])
        return 1
    except Stop as e:
        sys.stderr.write("exit: %s\n" % e)
        return 1
    except TypeError as e:
        sys.stderr.write("TypeError: %s\n" % e)
        return 1
    sys.stdout.write(json.dumps(m, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
