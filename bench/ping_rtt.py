#!/usr/bin/python3
"""Round-trip time of ICMP echo answered by etherbeam vs by the Linux kernel.

Both answer on the same veth in the same lab, in the same run: etherbeam owns
10.77.0.2 (the kernel does not), the kernel owns 10.77.0.3 on that same
interface. raw_binder runs throughout, so both peers see the same load. Each
repetition runs `ping -c COUNT -i INTERVAL` against each peer, alternating
which goes first; the report gives medians over repetitions and the ratio
etherbeam / kernel (1.0 = as fast as the kernel, 2.0 = twice the RTT).
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import netns_lab  # noqa: E402

KERNEL_IP = "10.77.0.3"


def rtt(lab, address, count, interval):
    """(min, avg, max, loss%) in ms from one ping run."""
    out = lab.client(["ping", "-n", "-q", "-c", str(count), "-i", interval, "-W", "1", address],
                     check=False, timeout=count * 0.05 + 30).stdout
    m = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/", out)
    loss = re.search(r"([\d.]+)% packet loss", out)
    if not m or not loss:
        raise netns_lab.LabError(f"ping {address} printed no summary:\n{out}")
    return float(m[1]), float(m[2]), float(m[3]), float(loss[1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--count", type=int, default=1000, help="echoes per run (default 1000)")
    p.add_argument("--interval", default="0.002", help="seconds between echoes (default 0.002)")
    p.add_argument("--repeat", type=int, default=5, help="repetitions per peer (default 5)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("ping_rtt: run as root: the lab creates network namespaces")

    runs = {"etherbeam": [], "kernel": []}
    with netns_lab.Lab(args.build) as lab:
        lab.start_binder()
        etherbeam = lab.start_etherbeam()
        lab.server(["ip", "addr", "add", f"{KERNEL_IP}/{netns_lab.PREFIX}", "dev", lab.server_if])
        peers = {"etherbeam": netns_lab.STACK_IP, "kernel": KERNEL_IP}
        for name, address in peers.items():  # warm ARP caches and the actor system
            rtt(lab, address, 20, "0.01")
        for i in range(args.repeat):
            order = list(peers) if i % 2 == 0 else list(reversed(peers))
            for name in order:
                r = rtt(lab, peers[name], args.count, args.interval)
                runs[name].append(r)
                print(f"run {i + 1} {name:9} min/avg/max = {r[0]:.3f}/{r[1]:.3f}/{r[2]:.3f} ms, "
                      f"loss {r[3]:g}%", flush=True)
        failures = etherbeam.counters().get("frame_actor_failures", 0)

    med = {name: [statistics.median(r[k] for r in rs) for k in range(4)] for name, rs in runs.items()}
    print(f"\nping -c {args.count} -i {args.interval}, {args.repeat} runs each, medians:")
    for name in runs:
        m = med[name]
        print(f"  {name:9} min {m[0]:.3f} ms  avg {m[1]:.3f} ms  max {m[2]:.3f} ms  loss {m[3]:g}%")
    print(f"  ratio etherbeam/kernel: avg {med['etherbeam'][1] / med['kernel'][1]:.2f}x, "
          f"min {med['etherbeam'][0] / med['kernel'][0]:.2f}x")
    if failures:
        print(f"  etherbeam counted {failures} frame actor failures", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
