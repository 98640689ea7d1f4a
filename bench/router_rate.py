#!/usr/bin/python3
"""Forwarding through etherbeam's router against the Linux kernel's, same run.

Each peer gets a lab of its own, the same topology:

    client A 10.77.0.1 ⇄ 10.77.0.2 [router] 10.88.0.2 ⇄ 10.88.0.1 client B

- etherbeam: two raw_binders (defaults) and etherbeam with the router
  application (--model inline, the default), the server namespace's kernel
  holding no address and forwarding nothing;
- kernel: the server namespace holds both addresses with net.ipv4.ip_forward=1;
- floor (--floor): two raw_binders and bench/relay/forward_logic.c, a router
  of a few lines with no actors (every IPv4 frame from one link goes to the
  host on the other, TTL decremented): the most this architecture (a packet
  socket per link, a socket pair per link, user space in between) forwards
  on this machine, whatever runs between the socket pairs.

Measured per peer, order alternating, medians of --repeat:
- the small-packet forwarding rate: 64-byte UDP frames blasted open-loop from
  A (ebgen --mode blast: bursts of 32 with sleeps between, so that the
  generator leaves the router the CPU it does not need; --blast-rates offered
  in turn, 0 = as fast as it goes) to port 9 on B, where an nftables ingress
  rule drops them before B's stack spends anything on them; frames/s arriving
  at B's interface (its rx_packets) at each offered rate, and the highest of
  those (the rate the peer forwards at most, with what it was offered then).
  The kernel forwards in the sender's own context and keeps up with anything
  one generator offers: its figure is a lower bound, and so the ratios are
  upper bounds;
- ICMP echo from A to B through the router, --window in flight (ebgen flood,
  to the router's MAC): echoes/s, each one forwarded twice; with --firewall
  also spread over 64 echo identifiers (64 flows, where one identifier is one);
- ping -i 0.002 A → B: round trip through the router;
- iperf3 UDP, 18-byte payloads (64-byte frames), A → B at 400 Mbit/s:
  datagrams/s B received (one iperf3 sender does not saturate the kernel:
  the blast above is the figure to read);
- iperf3 TCP A → B: throughput (the kernel keeps segmentation offload end to
  end; etherbeam's raw_binder cuts each super-frame into wire frames and
  etherbeam forwards them one by one).

With --firewall both routers also filter and translate, with the same rules:
forward policy drop, established and related accepted, new flows from A out
to B accepted, masquerade out of B (etherbeam: a rules file; the kernel:
nftables with conntrack). Then also measured: memory per tracked flow, after
--flows UDP flows from A (distinct source ports): etherbeam's RSS growth, the
kernel's nf_conntrack slab growth, each divided by the flows it tracks.
--flow-models runs etherbeam once per flow model ([apps.router] flow_model:
locked, sharded, per-flow), each a peer of its own in the same run.

    /usr/bin/python3 bench/router_rate.py --build build --repeat 3 [--floor] [--firewall [--flow-models locked,sharded,per-flow]]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import netns_lab  # noqa: E402

A_IP, A_ROUTER = netns_lab.CLIENT_IP, netns_lab.STACK_IP
B_IP, B_ROUTER = "10.88.0.1", "10.88.0.2"
ETHERBEAM_RULES = """chain forward policy drop {
  ct state established,related accept
  iif a oif b accept
}
nat {
  oif b masquerade
}
"""

KERNEL_RULES = """table ip filter {{
  chain forward {{
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "{a}" oifname "{b}" accept
  }}
}}
table ip nat {{
  chain postrouting {{
    type nat hook postrouting priority 100;
    oifname "{b}" masquerade
  }}
}}
"""


def client_mac(ns_client, ifname):
    return ns_client(["cat", f"/sys/class/net/{ifname}/address"]).stdout.strip()


def make_router(lab, b, peer, firewall, max_flows):
    """Returns the daemon between the socket pairs (None for the kernel). `peer`: kernel, floor,
    etherbeam or etherbeam-MODEL."""
    if peer == "floor":  # it answers no ARP: the hosts are told the router's MACs
        lab.client(["ip", "neigh", "replace", A_ROUTER, "lladdr", lab.server_mac(), "dev", lab.client_if])
        b.client(["ip", "neigh", "replace", B_ROUTER, "lladdr", b.server_mac(), "dev", b.client_if])
        lab.start_binder()
        b.start_binder()
        return lab._start("forward_logic", [lab.socket_dir, client_mac(lab.client, lab.client_if),
                                            b.socket_dir, client_mac(b.client, b.client_if)])
    if peer == "kernel":
        lab.server(["ip", "addr", "add", f"{A_ROUTER}/24", "dev", lab.server_if])
        lab.server(["ip", "addr", "add", f"{B_ROUTER}/24", "dev", b.server_if])
        lab.server(["ip", "link", "set", "dev", b.server_if, "up"])
        lab.server(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        if firewall:
            rules = os.path.join(lab.workdir, "kernel.nft")
            with open(rules, "w") as f:
                f.write(KERNEL_RULES.format(a=lab.server_if, b=b.server_if))
            lab.server(["nft", "-f", rules])
            lab.server(["sysctl", "-qw", f"net.netfilter.nf_conntrack_max={max_flows}"])
        return None
    config = netns_lab.write_router_config(lab, b, B_ROUTER, A_ROUTER)
    if firewall:
        rules = os.path.join(lab.workdir, "firewall.rules")
        with open(rules, "w") as f:
            f.write(ETHERBEAM_RULES)
        with open(config, "a") as f:
            f.write(f'\n[apps.router]\nfirewall = "{rules}"\nmax_flows = {max_flows}\n')
            if peer.startswith("etherbeam-"):
                f.write(f'flow_model = "{peer.split("-", 1)[1]}"\n')
    lab.start_binder()
    b.start_binder()
    return lab.start_etherbeam_with("--config", config)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def conntrack_slab_bytes():
    """Bytes the kernel's nf_conntrack slab holds (every namespace's flows)."""
    with open("/proc/slabinfo") as f:
        for line in f:
            if line.startswith("nf_conntrack "):
                fields = line.split()
                return int(fields[2]) * int(fields[3])  # num_objs × objsize
    return 0


def open_flows(lab, count):
    """`count` UDP flows from A to B (one datagram each, distinct source ports), sent by scapy."""
    script = ("from scapy.all import IP, UDP, send\n"
              f"send([IP(src='{A_IP}', dst='{B_IP}')/UDP(sport=1024 + i, dport=9)/b'x' for i in range({count})], "
              "inter=0, verbose=0)\n")
    lab.client(["/usr/bin/python3", "-c", script], timeout=600)


def memory_per_flow(build, lab, b, peer, etherbeam, flows):
    if peer == "kernel":
        before = conntrack_slab_bytes()
        open_flows(lab, flows)
        tracked = int(lab.server(["cat", "/proc/sys/net/netfilter/nf_conntrack_count"]).stdout)
        grown = conntrack_slab_bytes() - before
    else:
        before = rss_kib(etherbeam.pid) * 1024
        open_flows(lab, flows)
        out = subprocess.run([os.path.join(build, "bin", "etherbeam"), "firewall", "--socket-dir", lab.socket_dir],
                             capture_output=True, text=True).stdout
        tracked = int(out.rsplit("flows ", 1)[1].split()[0])
        grown = rss_kib(etherbeam.pid) * 1024 - before
    if tracked < flows * 0.9:
        raise netns_lab.LabError(f"{peer}: only {tracked} of {flows} flows tracked")
    return grown / tracked, tracked


def rx_packets(b):
    return int(b.client(["cat", f"/sys/class/net/{b.client_if}/statistics/rx_packets"]).stdout)


def blast(build, lab, b, rates, seconds, generators=1, target_mac=None, target=B_IP):
    """The small-packet forwarding rate: per offered rate (0: unlimited), (offered/s, arrived at B/s).
    `target_mac`: the frames' destination (default: the router's MAC on A's link)."""
    b.client(["nft", f"add table netdev sink; add chain netdev sink in {{ type filter hook ingress device "
                     f"{b.client_if} priority 0; }}; add rule netdev sink in udp dport 9 counter drop"])
    sweep = []
    for rate in rates:
        before = rx_packets(b)
        senders = [lab.client_popen([os.path.join(build, "bin", "ebgen"), "-i", lab.client_if, "-s", A_IP,
                                     "-t", target, "--target-mac", target_mac or lab.server_mac(), "--mode", "blast",
                                     "--proto", "udp", "-r", str(rate // generators), "-d", str(seconds),
                                     "--json"], stdout=subprocess.PIPE, text=True) for _ in range(generators)]
        reports = [json.loads(s.communicate(timeout=seconds + 60)[0]) for s in senders]
        time.sleep(0.2)  # what is still queued in the router arrives; a blast has no last reply to await
        arrived = rx_packets(b) - before
        elapsed = max(r["seconds"] for r in reports)
        sweep.append((sum(r["sent"] for r in reports) / elapsed, arrived / elapsed))
    return sweep


def echo_flood(build, lab, target_mac, window, seconds, flows=1, target=B_IP):
    """ICMP echo A → `target`, `window` in flight, frames to `target_mac`: answered echoes/s."""
    spread = ["--flows", str(flows)] if flows > 1 else []
    return json.loads(lab.client([os.path.join(build, "bin", "ebgen"), "-i", lab.client_if, "-s", A_IP, "-t", target,
                                  "--target-mac", target_mac, "--mode", "flood", "-w", str(window), *spread, "-d",
                                  str(seconds), "--json"], timeout=seconds + 60).stdout)["replies_per_s"]


def ping_avg_ms(lab, target=B_IP):
    out = lab.client(["ping", "-n", "-q", "-c", "1000", "-i", "0.002", target], check=False).stdout
    return float(out.rsplit("=", 1)[1].split("/")[1])


def iperf3(lab, b, seconds, extra=(), server_ip=B_IP):
    """One iperf3 test A → B: (the client's JSON, the server's, {} when it broke)."""
    server = b.client_popen(["iperf3", "-s", "-1", "-B", server_ip, "-J"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    for _ in range(100):  # iperf3 -s says nothing before its JSON: wait for its port
        if "5201" in b.client(["ss", "-ltn"]).stdout:
            break
        time.sleep(0.05)
    client = lab.client(["iperf3", "-c", server_ip, "-t", str(seconds), "-J", *extra], check=False, timeout=seconds + 60)
    try:
        report = json.loads(server.communicate(timeout=15)[0])
    except subprocess.TimeoutExpired:  # a test whose control connection broke leaves the server waiting
        server.kill()
        server.communicate()
        report = {}
    return json.loads(client.stdout), report


def iperf3_udp64(lab, b, seconds):
    """iperf3 UDP, 18-byte payloads (64-byte frames) at 400 Mbit/s: (datagrams/s B received, % lost)."""
    client, server = iperf3(lab, b, seconds, ["-u", "-l", "18", "-b", "400M"])
    s = server.get("end", {}).get("sum") or client["end"]["sum"]
    return (s["packets"] - s["lost_packets"]) / s["seconds"], s["lost_percent"]


def iperf3_tcp(lab, b, seconds, server_ip=B_IP):
    """iperf3 TCP: Mbit/s, from the client's report (it holds the receiver's figure even when the
    server's ends in an error)."""
    client, _ = iperf3(lab, b, seconds, server_ip=server_ip)
    return client.get("end", {}).get("sum_received", {}).get("bits_per_second", 0) / 1e6


def measure(build, peer, seconds, firewall=False, flows=0, window=256, blast_rates=()):
    with netns_lab.Lab(build) as lab:
        b = lab.add_link(B_IP)
        lab.client(["ip", "route", "add", "default", "via", A_ROUTER])
        b.client(["ip", "route", "add", "default", "via", B_ROUTER])
        etherbeam = make_router(lab, b, peer, firewall, max(65536, 2 * flows))
        ping = lab.client(["ping", "-n", "-c", "20", "-i", "0.01", B_IP], check=False)  # ARP on both sides
        if " 0% packet loss" not in ping.stdout:
            raise netns_lab.LabError(f"{peer}: no route through the router:\n{ping.stdout}")
        r = {}
        if blast_rates:
            sweep = blast(build, lab, b, blast_rates, seconds)
            r["udp64_sweep"] = sweep
            r["udp64_forwarded_per_s"], offered = max((arrived, sent) for sent, arrived in sweep)
            r["udp64_offered_per_s"] = offered
        if firewall and flows:  # first, while etherbeam's heap holds nothing freed by the floods to reuse
            r["bytes_per_flow"], r["flows_tracked"] = memory_per_flow(build, lab, b, peer, etherbeam, flows)
        r["echo_per_s"] = echo_flood(build, lab, lab.server_mac(), window, seconds)
        if firewall:  # the same flood spread over 64 flows (echo identifiers): what a sharded table can spread
            r["echo_64_flows_per_s"] = echo_flood(build, lab, lab.server_mac(), window, seconds, flows=64)
        r["ping_avg_ms"] = ping_avg_ms(lab)
        r["udp_received_per_s"], r["udp_lost_percent"] = iperf3_udp64(lab, b, seconds)
        r["tcp_mbit_s"] = iperf3_tcp(lab, b, seconds)
        return r


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--firewall", action="store_true", help="both routers filter statefully and masquerade")
    p.add_argument("--floor", action="store_true",
                   help="also measure the minimal router (bench/relay/forward_logic.c) between two raw_binders")
    p.add_argument("--window", type=int, default=256, help="echoes in flight in the echo flood [default: 256]")
    p.add_argument("--blast-rates", default="100000,200000,300000,400000,0",
                   help="offered 64-byte UDP frames/s for the small-packet rate, 0 = unlimited; '' skips it")
    p.add_argument("--flows", type=int, default=20000, help="with --firewall: UDP flows for the memory measurement")
    p.add_argument("--flow-models", default="",
                   help="with --firewall: etherbeam's flow models to measure, comma-separated (locked,sharded,per-flow)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("router_rate: run as root: the lab creates network namespaces")
    models = [m for m in args.flow_models.split(",") if m]
    if models and not args.firewall:
        sys.exit("router_rate: --flow-models needs --firewall (the flow models are the firewall's)")
    if args.floor and args.firewall:
        sys.exit("router_rate: --floor has no firewall; measure it without --firewall")
    blast_rates = [int(r) for r in args.blast_rates.split(",") if r]
    peers = ["kernel"] + ([f"etherbeam-{m}" for m in models] or ["etherbeam"]) + (["floor"] if args.floor else [])
    runs = {peer: [] for peer in peers}
    for i in range(args.repeat):
        for peer in peers[i % len(peers):] + peers[:i % len(peers)]:  # the order turns each run
            r = measure(args.build, peer, args.seconds, args.firewall, args.flows, args.window, blast_rates)
            sweep = r.pop("udp64_sweep", [])
            runs[peer].append(r)
            print(f"run {i + 1} {peer:18} " + " ".join(f"{k} {v:.3f}" for k, v in r.items()), flush=True)
            if sweep:
                print(f"      {'':18} udp64 offered/s -> arrived/s: " +
                      ", ".join(f"{sent:,.0f} -> {arrived:,.0f}" for sent, arrived in sweep), flush=True)
    print(f"\nmedians over {args.repeat} runs (ratio: peer / kernel):")
    for key in runs["kernel"][0]:
        k = statistics.median(r[key] for r in runs["kernel"])
        line = f"  {key:20} kernel {k:12.3f}"
        for peer in peers[1:]:
            e = statistics.median(r[key] for r in runs[peer])
            line += f"  {peer} {e:12.3f} ({e / k if k else float('nan'):.2f}x)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
