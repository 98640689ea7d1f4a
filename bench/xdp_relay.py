#!/usr/bin/python3
"""AF_XDP against AF_PACKET for the binder, both relaying to bench/relay's minimal
C logic server (echo_logic): is an AF_XDP mode in raw_binder worth having?

Each repetition builds a fresh lab per binder, alternating which goes first:
raw_binder (AF_PACKET, mmap-v2 rings, four lanes: its defaults) and xdp_binder
(bench/relay/xdp_binder.c: an AF_XDP socket on queue 0 of the veth, copy mode,
libxdp's default redirect program). Each is measured by bench/flood.py's
measure(): flood with 64 in flight (ICMP, ARP), CPU per echo, ping, paced
p50/p99, and open-loop overload. Reports medians and xdp/packet ratios.

    /usr/bin/python3 bench/xdp_relay.py --build build --repeat 3
"""
import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
sys.path.insert(0, HERE)
import flood  # noqa: E402
import netns_lab  # noqa: E402

KEYS = ["flood_icmp_per_s", "flood_arp_per_s", "cpu_us_per_icmp", "ping_avg_ms"]


def measure_one(binder_kind, args):
    with netns_lab.Lab(args.build) as lab:
        if binder_kind == "xdp":
            binder = lab._start("xdp_binder", [lab.server_if, lab.socket_dir], binder_defaults=False)
        else:
            binder = lab.start_binder()
        logic = lab._start("echo_logic", [lab.socket_dir, netns_lab.STACK_IP])
        flood.rtt(lab, netns_lab.STACK_IP, 20, "0.01")  # ARP cache warm
        return flood.measure(lab, args.build, netns_lab.STACK_IP, args, [binder.pid, logic.pid])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--paced-seconds", type=float, default=2)
    p.add_argument("--rates", default="1000,10000")
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--overload", default="2")
    args = p.parse_args()
    args.rates = [int(r) for r in args.rates.split(",")]
    args.overload = [float(m) if "." in m else int(m) for m in args.overload.split(",") if m]
    if os.geteuid() != 0:
        sys.exit("xdp_relay: run as root: the lab creates network namespaces")
    if not os.path.exists(os.path.join(args.build, "bin", "xdp_binder")):
        sys.exit("xdp_relay: no xdp_binder in the build: install libxdp-dev libbpf-dev and rebuild")

    runs = {"packet": [], "xdp": []}
    for i in range(args.repeat):
        for kind in (["packet", "xdp"] if i % 2 == 0 else ["xdp", "packet"]):
            r = measure_one(kind, args)
            runs[kind].append(r)
            print(f"run {i + 1} {kind:7} icmp {r['flood_icmp_per_s']:8.0f}/s arp {r['flood_arp_per_s']:8.0f}/s "
                  f"cpu {r['cpu_us_per_icmp']:.1f} us/echo ping {r['ping_avg_ms']:.3f} ms " +
                  " ".join(f"{t}x: {r[f'overload_{t}x_of_peak'] * 100:.0f}% of peak" for t in args.overload) + " " +
                  " ".join(f"{rate}/s p99 {r[f'paced_{rate}']['p99_us']:.0f} us" for rate in args.rates), flush=True)

    def median(kind, key, sub=None):
        return statistics.median(r[key][sub] if sub else r[key] for r in runs[kind])

    print(f"\nmedians over {args.repeat} runs (xdp / packet):")
    for key in KEYS + [f"overload_{t}x_of_peak" for t in args.overload]:
        x, a = median("xdp", key), median("packet", key)
        print(f"  {key:24} xdp {x:12.3f}  packet {a:12.3f}  ratio {x / a:.2f}")
    for rate in args.rates:
        x, a = median("xdp", f"paced_{rate}", "p99_us"), median("packet", f"paced_{rate}", "p99_us")
        print(f"  paced {rate}/s p99 us      xdp {x:12.0f}  packet {a:12.0f}  ratio {x / a:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
