#!/usr/bin/python3
"""Memory with 100,000 active leases: etherbeam vs Kea, same lab, same run.

Each server in turn serves a /15 on the same veth; perfdhcp completes
--leases DORA exchanges from as many distinct clients (a client population
far larger than the count, so clients almost never repeat). Then the leases
on record are counted and the servers' resident memory (VmRSS) is read:
etherbeam alone, etherbeam with raw_binder (the pair does what Kea does alone),
and kea-dhcp4 (memfile, persistence on). Repeated --repeat times; medians.
"""
import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
sys.path.insert(0, HERE)
import netns_lab  # noqa: E402
from dhcp_rate import start_kea  # noqa: E402

SUBNET, PREFIX = "10.76.0.0", 15
POOL = ("10.76.1.0", "10.77.255.250")
SERVER_IP, CLIENT_IP = "10.76.0.2", "10.76.0.1"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def load(lab, count, rate):
    r = lab.client(["perfdhcp", "-4", "-l", lab.client_if, "-r", str(rate), "-n", str(count),
                    "-R", "100000000", "-W", "3000000"], check=False, timeout=count / rate + 120)
    return r.stdout + r.stderr


def measure_etherbeam(lab, state, args):
    binder = lab.start_binder()
    server = lab.start_etherbeam("--dhcp-pool", "-".join(POOL), "--state-dir", state, ip=f"{SERVER_IP}/{PREFIX}")
    before = rss_kib(server.pid)
    load(lab, args.leases, args.rate)
    out = subprocess.run([os.path.join(args.build, "bin", "etherbeam"), "leases", "--json", "--state-dir", state],
                         capture_output=True, text=True, check=True).stdout
    leases = len(json.loads(out))
    result = {"leases": leases, "rss_before_kib": before, "rss_kib": rss_kib(server.pid),
              "binder_rss_kib": rss_kib(binder.pid)}
    server.stop()
    binder.stop()
    return result


def measure_kea(lab, state, args):
    lab.server(["ip", "addr", "add", f"{SERVER_IP}/{PREFIX}", "dev", lab.server_if])
    kea = start_kea(lab, state, f"{SUBNET}/{PREFIX}", POOL)[0]  # ready: it answered a DORA
    before = rss_kib(kea.proc.pid)
    load(lab, args.leases, args.rate)
    with open(f"{state}/kea-leases4.csv") as f:
        leases = len({row["address"] for row in csv.DictReader(f) if row["valid_lifetime"] != "0"})
    result = {"leases": leases, "rss_before_kib": before, "rss_kib": rss_kib(kea.proc.pid)}
    kea.stop()
    lab.server(["ip", "addr", "del", f"{SERVER_IP}/{PREFIX}", "dev", lab.server_if])
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--leases", type=int, default=100000)
    p.add_argument("--rate", type=int, default=2500, help="perfdhcp exchanges per second (default 2500)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("lease_memory: run as root: the lab creates network namespaces")

    runs = {"etherbeam": [], "kea": []}
    with netns_lab.Lab(args.build) as lab:
        lab.client(["ip", "addr", "flush", "dev", lab.client_if])
        lab.client(["ip", "addr", "add", f"{CLIENT_IP}/{PREFIX}", "dev", lab.client_if])
        for i in range(args.repeat):
            for name, measure in (("etherbeam", measure_etherbeam), ("kea", measure_kea))[::1 - 2 * (i % 2)]:
                state = os.path.join(lab.workdir, f"{name}-{i}")
                os.makedirs(state)
                r = measure(lab, state, args)
                runs[name].append(r)
                print(f"run {i + 1} {name:9} {r['leases']} leases: RSS {r['rss_before_kib']} KiB before, "
                      f"{r['rss_kib']} KiB after" +
                      (f" (+ raw_binder {r['binder_rss_kib']} KiB)" if "binder_rss_kib" in r else ""), flush=True)

    med = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in runs.items()}
    e, k = med["etherbeam"], med["kea"]
    print(f"\nmedians over {args.repeat} runs, {args.leases} DORA exchanges each:")
    print(f"  etherbeam: {e['leases']:.0f} leases, RSS {e['rss_kib'] / 1024:.1f} MiB "
          f"({(e['rss_kib'] - e['rss_before_kib']) * 1024 / max(e['leases'], 1):.0f} bytes per lease); "
          f"with raw_binder {(e['rss_kib'] + e['binder_rss_kib']) / 1024:.1f} MiB")
    print(f"  kea:       {k['leases']:.0f} leases, RSS {k['rss_kib'] / 1024:.1f} MiB "
          f"({(k['rss_kib'] - k['rss_before_kib']) * 1024 / max(k['leases'], 1):.0f} bytes per lease)")
    print(f"  ratio etherbeam/kea: {e['rss_kib'] / k['rss_kib']:.2f} (etherbeam alone), "
          f"{(e['rss_kib'] + e['binder_rss_kib']) / k['rss_kib']:.2f} (with raw_binder)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
