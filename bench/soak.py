#!/usr/bin/python3
"""Soak: steady mixed load on etherbeam for a long time, then idle.

DHCP (perfdhcp, a fixed population of clients renewing over and over, so the
journal is compacted again and again), ARP (arping) and ICMP echo (ping) run
together for --minutes. Reported for raw_binder and etherbeam:

- RSS and open file descriptors at start (before load), after a warm-up
  (--warmup seconds of load: lease table and allocator pools filled) and at
  the end; growth is end vs warm-up and must stay under 5%;
- peak RSS (VmHWM);
- CPU used while idle (load stopped) over --idle seconds, in % of one core.

Results are printed and written as JSON to bench/results/soak-<time>.json.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import netns_lab  # noqa: E402

CONFIG = """
[dhcp]
state_dir = "{state}"
compaction_slack = 2000
[[dhcp.subnet]]
subnet = "10.77.0.0/16"
pools = ["10.77.1.0-10.77.255.250"]
lease_time = 3600
routers = ["10.77.0.1"]
dns_servers = ["10.77.0.53"]
"""
TICKS = os.sysconf("SC_CLK_TCK")


def sample(pid):
    with open(f"/proc/{pid}/status") as f:
        status = dict(l.split(":", 1) for l in f if ":" in l)
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return {
        "rss_kib": int(status["VmRSS"].split()[0]),
        "peak_rss_kib": int(status["VmHWM"].split()[0]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": int(status["Threads"]),
        "cpu_s": (int(fields[11]) + int(fields[12])) / TICKS,  # utime + stime
    }


def growth(a, b):
    return (b - a) / a * 100 if a else 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--warmup", type=float, default=60, help="seconds of load before the baseline (default 60)")
    p.add_argument("--idle", type=float, default=60, help="seconds of idle CPU measurement (default 60)")
    p.add_argument("--dhcp-rate", type=int, default=500, help="perfdhcp exchanges/s (default 500)")
    p.add_argument("--clients", type=int, default=5000, help="perfdhcp client population (default 5000)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("soak: run as root: the lab creates network namespaces")

    with netns_lab.Lab(args.build) as lab:
        state = os.path.join(lab.workdir, "state")
        config = os.path.join(lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(state=state))
        binder = lab.start_binder()
        etherbeam = lab.start_etherbeam("--config", config, ip=f"{netns_lab.STACK_IP}/16")
        daemons = {"raw_binder": binder.pid, "etherbeam": etherbeam.pid}
        at = {"start": {n: sample(pid) for n, pid in daemons.items()}}

        seconds = int(args.minutes * 60)
        load = [
            lab.client_popen(["perfdhcp", "-4", "-l", lab.client_if, "-r", str(args.dhcp_rate),
                              "-R", str(args.clients), "-p", str(seconds)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
            lab.client_popen(["ping", "-n", "-q", "-i", "0.01", "-w", str(seconds), netns_lab.STACK_IP],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
            lab.client_popen(["arping", "-q", "-i", "1", "-w", str(seconds), "-I", lab.client_if,
                              netns_lab.STACK_IP], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        ]
        started = time.monotonic()
        series = []  # (seconds, etherbeam RSS KiB) every 10 s: growth shows as a trend
        while load[0].poll() is None:
            elapsed = time.monotonic() - started
            series.append((round(elapsed), sample(etherbeam.pid)["rss_kib"]))
            if "warm" not in at and elapsed >= args.warmup:
                at["warm"] = {n: sample(pid) for n, pid in daemons.items()}
            time.sleep(10)  # sampling while the load runs for its fixed time
        outputs = [proc.communicate(timeout=seconds + 120)[0] for proc in load]
        at["end"] = {n: sample(pid) for n, pid in daemons.items()}
        loaded_seconds = time.monotonic() - started

        time.sleep(2)  # let the last replies and the journal commit settle
        before = {n: sample(pid)["cpu_s"] for n, pid in daemons.items()}
        time.sleep(args.idle)  # idle is measured over a fixed time
        idle_cpu = {n: (sample(pid)["cpu_s"] - before[n]) / args.idle * 100 for n, pid in daemons.items()}
        counters = etherbeam.counters()
        for d in (etherbeam, binder):
            d.stop(signal.SIGTERM)

    report = {"minutes": args.minutes, "loaded_seconds": round(loaded_seconds), "dhcp_rate": args.dhcp_rate,
              "clients": args.clients, "samples": at, "etherbeam_rss_series": series, "idle_cpu_percent": idle_cpu,
              "perfdhcp": outputs[0][-1500:], "ping": outputs[1].strip().splitlines()[-2:],
              "counters": counters}
    print(f"soak: {args.minutes} min of DHCP at {args.dhcp_rate}/s ({args.clients} clients), ping every 10 ms, "
          f"arping every second")
    print(f"{'':12} {'RSS start':>10} {'RSS warm':>10} {'RSS end':>10} {'growth':>8} {'peak':>10} "
          f"{'fds warm':>9} {'fds end':>8} {'idle CPU':>9}")
    for n in daemons:
        s, w, e = at["start"][n], at["warm"][n], at["end"][n]
        print(f"{n:12} {s['rss_kib']:>8}Ki {w['rss_kib']:>8}Ki {e['rss_kib']:>8}Ki "
              f"{growth(w['rss_kib'], e['rss_kib']):>7.1f}% {e['peak_rss_kib']:>8}Ki {w['fds']:>9} {e['fds']:>8} "
              f"{idle_cpu[n]:>8.2f}%")
    print("etherbeam RSS (s, KiB):", " ".join(f"{t}:{v}" for t, v in series))
    print("ping:", " ".join(report["ping"]))
    print("etherbeam counters:", " ".join(f"{k}={v}" for k, v in counters.items()
                                          if k.startswith(("frames_in", "dhcp.acked", "journal", "reply."))))
    results = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(results, exist_ok=True)
    path = os.path.join(results, time.strftime("soak-%Y%m%dT%H%M%S.json"))
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
    print("written:", path)


if __name__ == "__main__":
    main()
