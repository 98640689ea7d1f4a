#!/usr/bin/python3
"""How many simulated hosts one etherbeam holds, and what each costs.

For each N (--hosts), one lab: etherbeam (--app sim) populates a /14 with N
hosts of consecutive MACs and addresses behind raw_binder --promisc; the
client namespace pings a random sample (--sample) of them, each once, and
every one must answer. Then etherbeam's resident memory (VmRSS), less that
of the same etherbeam without hosts, over N.

The peer, in the same run: the Linux kernel holding the same N addresses on
one veth in a namespace of its own (`ip -batch addr add`), pinged the same way;
its cost per address is the growth of the kernel's slab (Slab in
/proc/meminfo) over N. The kernel answers every address with one MAC, and
keeps no per-host state beyond the address: it is the floor, not a
simulation of hosts.

    /usr/bin/python3 bench/sim_scale.py --build build --hosts 10000,100000
"""
import argparse
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import netns_lab  # noqa: E402

BASE = 10 << 24 | 80 << 16  # 10.80.0.0/14: room for 262,000 hosts
FIRST = BASE + 10


def dotted(n):
    return f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def slab_kib():
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Slab:"))


def pinged(lab, sample):
    """How many of the sampled addresses answered one ping each."""
    script = "; ".join(f"ping -n -c 1 -W 2 {dotted(a)} >/dev/null && echo ok" for a in sample)
    out = lab.client(["sh", "-c", script], check=False, timeout=30 + 3 * len(sample)).stdout
    return out.count("ok")


def etherbeam_rss(build, hosts, sample):
    with netns_lab.Lab(build) as lab:
        lab.client(["ip", "route", "add", "10.80.0.0/14", "dev", lab.client_if])
        config = os.path.join(lab.workdir, "sim.toml")
        with open(config, "w") as f:
            if hosts:
                f.write(f'[[apps.sim.group]]\ncount = {hosts}\nmac = "02:5e:00:00:00:01"\n'
                        f'address = "{dotted(FIRST)}/14"\n')
        lab.start_binder("--promisc")
        started = time.monotonic()
        etherbeam = lab.start_etherbeam(*(["--app", "sim", "--config", config] if hosts else []))
        if hosts:
            etherbeam.wait_for_log(f"sim: {hosts} hosts up", timeout=600)
        up = time.monotonic() - started
        answered = pinged(lab, sample) if hosts else 0
        return rss_kib(etherbeam.popen.pid), answered, up


def kernel_slab(build, hosts, sample):
    with netns_lab.Lab(build) as lab:
        lab.client(["ip", "route", "add", "10.80.0.0/14", "dev", lab.client_if])
        batch = os.path.join(lab.workdir, "addresses")
        with open(batch, "w") as f:
            for i in range(hosts):
                f.write(f"addr add {dotted(FIRST + i)}/14 dev {lab.server_if}\n")
        lab.server(["ip", "route", "add", "10.77.0.0/24", "dev", lab.server_if])  # the way back to the pinger
        before = slab_kib()
        lab.server(["ip", "-batch", batch], timeout=1200)
        grown = slab_kib() - before
        return grown, pinged(lab, sample)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--hosts", default="10000,100000")
    p.add_argument("--sample", type=int, default=50)
    p.add_argument("--kernel-max", type=int, default=100000,
                   help="the kernel peer is measured up to this many addresses: each one it adds to an "
                        "interface costs it a walk of those already there (100,000 took 2 minutes here)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("sim_scale: run as root: the lab creates network namespaces")
    baseline, _, _ = etherbeam_rss(args.build, 0, [])
    print(f"etherbeam without hosts: {baseline} KiB resident", flush=True)
    for n in (int(x) for x in args.hosts.split(",")):
        sample = random.Random(n).sample(range(FIRST, FIRST + n), min(args.sample, n))
        rss, answered, up = etherbeam_rss(args.build, n, sample)
        per_host = (rss - baseline) * 1024 / n
        line = (f"{n:7} hosts: etherbeam {rss / 1024:7.1f} MiB resident, {per_host:6.0f} B a host, up in {up:5.1f} s, "
                f"{answered}/{len(sample)} sampled answered ping")
        if n <= args.kernel_max:
            slab, kernel_answered = kernel_slab(args.build, n, sample)
            per_address = slab * 1024 / n
            line += (f" | kernel slab +{slab / 1024:6.1f} MiB, {per_address:5.0f} B an address, "
                     f"{kernel_answered}/{len(sample)} answered | ratio {per_host / max(per_address, 1):.1f}x")
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
