#!/usr/bin/python3
"""ICMP echo and ARP: etherbeam (each concurrency model) vs the Linux kernel,
in the same run, each on a veth lab of its own.

In one lab raw_binder and etherbeam own 10.77.0.2; in another the kernel owns
10.77.0.3, with no binder on its interface (a binder there would copy every
frame the kernel answers, and the kernel would be measured slowed by it).
ebgen (bench/trafgen) runs on each lab's client side:

- flood: as many echo (and ARP) requests as a window (--window, 64) in flight
  allows, for --seconds: replies per second at saturation, and etherbeam's CPU
  per frame (raw_binder + etherbeam CPU time / frames answered);
- overload: echo requests sent open-loop at --overload times the flood rate
  just measured (2x and 10x): replies per second then, as a share of the peak
  (a server must keep its peak when offered more);
- paced: echo requests at each of --rates for --seconds: latency p50, p99,
  p99.9 and loss;
- ping -c 1000 -i 0.002: round-trip time, as in ping_rtt.py.

Every peer is measured --repeat times, the order rotating; medians and the
spread (min..max) are reported, with ratios against the kernel. JSON goes to
bench/results/, PNG plots to --plots (default docs/img).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
sys.path.insert(0, HERE)
import netns_lab  # noqa: E402
from ping_rtt import rtt  # noqa: E402

KERNEL_IP = "10.77.0.3"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def ebgen(lab, build, target, *args, seconds):
    out = lab.client([os.path.join(build, "bin", "ebgen"), "-i", lab.client_if, "-s", netns_lab.CLIENT_IP,
                      "-t", target, "-d", str(seconds), "--json", *args], timeout=seconds + 60).stdout
    return json.loads(out)


def measure(lab, build, target, args, pids):
    """One repetition against one peer."""
    r = {}
    for proto in ("icmp", "arp"):
        before = cpu_seconds(pids) if pids else 0
        f = ebgen(lab, build, target, "--mode", "flood", "--proto", proto, "-w", str(args.window),
                  seconds=args.seconds)
        r[f"flood_{proto}_per_s"] = f["replies_per_s"]
        r[f"flood_{proto}_loss"] = f["loss_percent"]
        if pids and f["received"]:
            r[f"cpu_us_per_{proto}"] = (cpu_seconds(pids) - before) / f["received"] * 1e6
    for times in args.overload:
        o = ebgen(lab, build, target, "--mode", "paced", "-r", str(int(times * r["flood_icmp_per_s"])),
                  seconds=args.paced_seconds)
        r[f"overload_{times}x_offered_per_s"] = o["sent_per_s"]
        r[f"overload_{times}x_replies_per_s"] = o["replies_per_s"]
        r[f"overload_{times}x_of_peak"] = o["replies_per_s"] / max(r["flood_icmp_per_s"], 1)
    for rate in args.rates:
        p = ebgen(lab, build, target, "--mode", "paced", "-r", str(rate), seconds=args.paced_seconds)
        r[f"paced_{rate}"] = {k: p[k] for k in ("p50_us", "p99_us", "p999_us", "loss_percent", "sent_per_s")}
    r["ping_avg_ms"] = rtt(lab, target, 1000, "0.002")[1]
    return r


def summarize(runs, key, sub=None):
    values = [(r[key][sub] if sub else r[key]) for r in runs if key in r]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def plot(summary, peers, rates, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(out_dir, exist_ok=True)
    written = []

    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(peers)
    for i, peer in enumerate(peers):
        meds, lo, hi = [], [], []
        for proto in ("icmp", "arp"):
            s = summary[peer][f"flood_{proto}_per_s"]
            meds.append(s["median"] / 1000)
            lo.append((s["median"] - s["min"]) / 1000)
            hi.append((s["max"] - s["median"]) / 1000)
        ax.bar([x + i * width for x in range(2)], meds, width, yerr=[lo, hi], capsize=3, label=peer)
    ax.set_xticks([x + width * (len(peers) - 1) / 2 for x in range(2)], ["ICMP echo", "ARP"])
    ax.set_ylabel("replies per second (thousands)")
    ax.set_title("Saturation (flood window in flight); bars: median, whiskers: min..max")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, "flood_throughput.png")
    fig.savefig(path, dpi=110)
    written.append(path)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, pct in zip(axes, ("p50_us", "p99_us")):
        for peer in peers:
            ax.plot(rates, [summary[peer][f"paced_{r}"][pct]["median"] for r in rates], marker="o", label=peer)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("echo requests per second")
        ax.set_title(f"ICMP echo latency, {pct[:-3]}")
    axes[0].set_ylabel("microseconds")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, "latency_by_rate.png")
    fig.savefig(path, dpi=110)
    written.append(path)
    plt.close(fig)

    models = [p for p in peers if p != "kernel"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(models, [summary[m]["cpu_us_per_icmp"]["median"] for m in models])
    ax.set_ylabel("CPU µs per echo answered")
    ax.set_title("raw_binder + logic server CPU per frame at saturation")
    fig.tight_layout()
    path = os.path.join(out_dir, "cpu_per_frame.png")
    fig.savefig(path, dpi=110)
    written.append(path)
    plt.close(fig)
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5, help="seconds per flood (default 5)")
    p.add_argument("--paced-seconds", type=float, default=3, help="seconds per paced rate (default 3)")
    p.add_argument("--rates", default="1000,5000,10000,20000")
    p.add_argument("--window", type=int, default=64, help="flood: requests in flight (default 64)")
    p.add_argument("--overload", default="2,10", help="open-loop loads, as multiples of the flood rate")
    p.add_argument("--models", default="relay,per-frame,per-protocol,inline",
                   help="etherbeam's concurrency models, and relay: raw_binder with bench/relay's minimal C "
                        "logic server instead of etherbeam (the floor for this architecture)")
    p.add_argument("--binder-args", default="", help="extra raw_binder options, e.g. '--packet-io copy'")
    p.add_argument("--etherbeam-args", default="", help="extra etherbeam options, e.g. '--threads 1'")
    p.add_argument("--plots", default=os.path.join(HERE, "..", "docs", "img"))
    args = p.parse_args()
    args.rates = [int(r) for r in args.rates.split(",")]
    args.overload = [float(m) if "." in m else int(m) for m in args.overload.split(",") if m]
    models = args.models.split(",")
    if os.geteuid() != 0:
        sys.exit("flood: run as root: the lab creates network namespaces")

    peers = ["kernel"] + models
    runs = {peer: [] for peer in peers}
    with netns_lab.Lab(args.build) as lab, netns_lab.Lab(args.build) as kernel_lab:
        binder = lab.start_binder(*args.binder_args.split())
        kernel_lab.server(["ip", "addr", "add", f"{KERNEL_IP}/{netns_lab.PREFIX}", "dev", kernel_lab.server_if])
        etherbeam = None
        for i in range(args.repeat):
            order = peers[i % len(peers):] + peers[:i % len(peers)]
            for peer in order:
                if peer == "kernel":
                    r = measure(kernel_lab, args.build, KERNEL_IP, args, None)
                else:
                    if etherbeam:
                        etherbeam.stop()
                    if peer == "relay":
                        etherbeam = lab._start("echo_logic", [lab.socket_dir, netns_lab.STACK_IP])
                    else:
                        etherbeam = lab.start_etherbeam("--model", peer, *args.etherbeam_args.split())
                    rtt(lab, netns_lab.STACK_IP, 20, "0.01")  # ARP cache, actor system warm
                    r = measure(lab, args.build, netns_lab.STACK_IP, args, [binder.pid, etherbeam.pid])
                runs[peer].append(r)
                print(f"run {i + 1} {peer:12} flood icmp {r['flood_icmp_per_s']:8.0f}/s arp "
                      f"{r['flood_arp_per_s']:8.0f}/s  ping {r['ping_avg_ms']:.3f} ms  " +
                      "  ".join(f"{rate}/s p50 {r[f'paced_{rate}']['p50_us']:.0f} p99 "
                                f"{r[f'paced_{rate}']['p99_us']:.0f} us loss {r[f'paced_{rate}']['loss_percent']:.2f}%"
                                for rate in args.rates), flush=True)
        if etherbeam:
            etherbeam.stop()

    keys = ["flood_icmp_per_s", "flood_arp_per_s", "flood_icmp_loss", "ping_avg_ms", "cpu_us_per_icmp",
            "cpu_us_per_arp"]
    for times in args.overload:
        keys += [f"overload_{times}x_offered_per_s", f"overload_{times}x_replies_per_s", f"overload_{times}x_of_peak"]
    summary = {}
    for peer in peers:
        summary[peer] = {k: summarize(runs[peer], k) for k in keys}
        for rate in args.rates:
            summary[peer][f"paced_{rate}"] = {m: summarize(runs[peer], f"paced_{rate}", m)
                                              for m in ("p50_us", "p99_us", "p999_us", "loss_percent")}

    def fmt(s, scale=1.0, digits=0):
        if not s:
            return "n/a"
        return f"{s['median'] * scale:.{digits}f} ({s['min'] * scale:.{digits}f}..{s['max'] * scale:.{digits}f})"

    k = summary["kernel"]
    print(f"\nmedians (min..max) over {args.repeat} runs, flood window {args.window}; ratios against the kernel "
          f"(on a veth lab of its own)")
    print(f"{'peer':13} {'ICMP flood/s':>24} {'ARP flood/s':>24} {'ping ms':>20} {'CPU us/echo':>18}")
    for peer in peers:
        s = summary[peer]
        print(f"{peer:13} {fmt(s['flood_icmp_per_s']):>24} {fmt(s['flood_arp_per_s']):>24} "
              f"{fmt(s['ping_avg_ms'], digits=3):>20} {fmt(s['cpu_us_per_icmp'], digits=1):>18}")
    for peer in models:
        s = summary[peer]
        print(f"{peer:13} flood ICMP {s['flood_icmp_per_s']['median'] / k['flood_icmp_per_s']['median']:.2f}x, "
              f"ARP {s['flood_arp_per_s']['median'] / k['flood_arp_per_s']['median']:.2f}x of the kernel; "
              f"ping RTT {s['ping_avg_ms']['median'] / k['ping_avg_ms']['median']:.1f}x")
    print("\noverload, open-loop ICMP echo at a multiple of each peer's flood rate:")
    for peer in peers:
        s = summary[peer]
        print(f"  {peer:13} " + "  ".join(
            f"{times}x: offered {fmt(s[f'overload_{times}x_offered_per_s'])}/s, answered "
            f"{fmt(s[f'overload_{times}x_replies_per_s'])}/s = {fmt(s[f'overload_{times}x_of_peak'], 100)}% of its peak"
            for times in args.overload))
    print("\npaced ICMP echo, p50 / p99 / p99.9 us, loss %:")
    for rate in args.rates:
        print(f"  {rate:>6}/s  " + "  ".join(
            f"{peer}: {summary[peer][f'paced_{rate}']['p50_us']['median']:.0f} / "
            f"{summary[peer][f'paced_{rate}']['p99_us']['median']:.0f} / "
            f"{summary[peer][f'paced_{rate}']['p999_us']['median']:.0f}, "
            f"{summary[peer][f'paced_{rate}']['loss_percent']['median']:.2f}%" for peer in peers))

    results = os.path.join(HERE, "results")
    os.makedirs(results, exist_ok=True)
    path = os.path.join(results, time.strftime("flood-%Y%m%dT%H%M%S.json"))
    with open(path, "w") as f:
        json.dump({"args": vars(args), "runs": runs, "summary": summary}, f, indent=2)
    print("\nwritten:", path)
    try:
        for png in plot(summary, peers, args.rates, args.plots):
            print("plot:", png)
    except ImportError:
        print("no plots: install python3-matplotlib", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
