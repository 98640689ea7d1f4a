#!/usr/bin/python3
"""Bridging through etherbeam against the Linux kernel's bridge, same run.

Each peer gets a lab of its own, the same topology, one subnet:

    host A 10.77.0.1 ⇄ link a ─[bridge]─ link b ⇄ host B 10.77.0.3

- etherbeam: two raw_binders (--promisc, as bridge ports) and etherbeam with
  the bridge application (apps/bridge), the server namespace's kernel holding
  no address and forwarding nothing;
- kernel: a Linux bridge (br0) in the server namespace joining the two veths,
  at its best: bridge-nf-call-iptables=0 there, so bridged frames skip the IP
  hooks.

With --firewall both filter statefully with the same rules: forward policy
drop, established and related accepted, new flows from A to B accepted
(etherbeam: [apps.bridge] firewall; the kernel: br_netfilter, i.e.
bridge-nf-call-iptables=1 in the server namespace, and an nftables ip forward
chain with connection tracking, as a Linux bridge is firewalled statefully).

Measured per peer, order alternating, medians of --repeat (as router_rate.py
measures a router):
- the small-packet bridging rate: 64-byte UDP frames blasted open-loop from A
  to B's MAC (ebgen --mode blast, --blast-rates offered in turn, 0 =
  unlimited), dropped on arrival at B by an nftables ingress rule; the highest
  rate arriving at B over the sweep. The kernel bridges in the sender's own
  context and keeps up with what one generator offers: its figure is a lower
  bound, and the ratio an upper bound;
- ICMP echo A → B, --window in flight (ebgen flood to B's MAC): echoes/s,
  each bridged twice;
- ping -i 0.002 A → B: the round trip across the bridge;
- iperf3 TCP A → B.

    /usr/bin/python3 bench/bridge_rate.py --build build --repeat 3 [--firewall]
"""
import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
sys.path.insert(0, HERE)
import netns_lab  # noqa: E402
import router_rate  # noqa: E402

A_IP, B_IP = router_rate.A_IP, "10.77.0.3"
RULES = """chain forward policy drop {
  ct state established,related accept
  iif a oif b accept
}
"""
# br_netfilter's view: bridged IPv4 meets the ip family's forward hook with br0 as
# both its in and out device, so A's link is named by A's address (the same flows
# here). nftables' bridge family has no connection tracking on this kernel
# (nf_conntrack_bridge is not built).
KERNEL_RULES = """table ip filter {{
  chain forward {{
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    ip saddr {a} accept
  }}
}}
"""

CONFIG = """socket_dir = "{a}"

[apps]
enable = ["bridge"]

[[link]]
name = "a"
socket_dir = "{a}"
addresses = []

[[link]]
name = "b"
socket_dir = "{b}"
addresses = []

[apps.bridge]
links = ["a", "b"]
"""


def make_bridge(lab, b, peer, firewall):
    if peer == "kernel":
        lab.server(["ip", "link", "add", "br0", "type", "bridge"])
        for port in (lab.server_if, b.server_if):
            lab.server(["ip", "link", "set", "dev", port, "master", "br0", "up"])
        lab.server(["ip", "link", "set", "dev", "br0", "up"])
        lab.server(["sysctl", "-qw", f"net.bridge.bridge-nf-call-iptables={1 if firewall else 0}"])
        if firewall:
            rules = os.path.join(lab.workdir, "kernel.nft")
            with open(rules, "w") as f:
                f.write(KERNEL_RULES.format(a=A_IP))
            lab.server(["nft", "-f", rules])
        return None
    config = os.path.join(lab.workdir, "bridge.toml")
    with open(config, "w") as f:
        f.write(CONFIG.format(a=lab.socket_dir, b=b.socket_dir))
        if firewall:
            rules = os.path.join(lab.workdir, "bridge.rules")
            with open(rules, "w") as r:
                r.write(RULES)
            f.write(f'firewall = "{rules}"\n')
    lab.start_binder("--promisc")
    b.start_binder("--promisc")
    return lab.start_etherbeam_with("--config", config)


def measure(build, peer, seconds, firewall, window, blast_rates):
    with netns_lab.Lab(build) as lab:
        b = lab.add_link(B_IP)
        make_bridge(lab, b, peer, firewall)
        ping = lab.client(["ping", "-n", "-c", "20", "-i", "0.01", B_IP], check=False)  # ARP, MACs learned
        if " 0% packet loss" not in ping.stdout:
            raise netns_lab.LabError(f"{peer}: nothing crosses the bridge:\n{ping.stdout}")
        b_mac = router_rate.client_mac(b.client, b.client_if)
        r = {}
        if blast_rates:
            sweep = router_rate.blast(build, lab, b, blast_rates, seconds, target_mac=b_mac, target=B_IP)
            r["udp64_sweep"] = sweep
            r["udp64_bridged_per_s"], r["udp64_offered_per_s"] = max((arrived, sent) for sent, arrived in sweep)
        r["echo_per_s"] = router_rate.echo_flood(build, lab, b_mac, window, seconds, target=B_IP)
        r["ping_avg_ms"] = router_rate.ping_avg_ms(lab, B_IP)
        r["tcp_mbit_s"] = router_rate.iperf3_tcp(lab, b, seconds, B_IP)
        return r


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seconds", type=int, default=4)
    p.add_argument("--firewall", action="store_true", help="both bridges filter statefully")
    p.add_argument("--window", type=int, default=256, help="echoes in flight in the echo flood [default: 256]")
    p.add_argument("--blast-rates", default="100000,200000,300000,400000,0",
                   help="offered 64-byte UDP frames/s for the small-packet rate, 0 = unlimited; '' skips it")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bridge_rate: run as root: the lab creates network namespaces")
    blast_rates = [int(r) for r in args.blast_rates.split(",") if r]
    peers = ["kernel", "etherbeam"]
    runs = {peer: [] for peer in peers}
    for i in range(args.repeat):
        for peer in peers[i % 2:] + peers[:i % 2]:  # the order turns each run
            r = measure(args.build, peer, args.seconds, args.firewall, args.window, blast_rates)
            sweep = r.pop("udp64_sweep", [])
            runs[peer].append(r)
            print(f"run {i + 1} {peer:10} " + " ".join(f"{k} {v:.3f}" for k, v in r.items()), flush=True)
            if sweep:
                print(f"      {'':10} udp64 offered/s -> arrived/s: " +
                      ", ".join(f"{sent:,.0f} -> {arrived:,.0f}" for sent, arrived in sweep), flush=True)
    print(f"\nmedians over {args.repeat} runs (ratio: etherbeam / kernel):")
    for key in runs["kernel"][0]:
        k = statistics.median(r[key] for r in runs["kernel"])
        e = statistics.median(r[key] for r in runs["etherbeam"])
        print(f"  {key:22} kernel {k:12.3f}  etherbeam {e:12.3f} ({e / k if k else float('nan'):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
