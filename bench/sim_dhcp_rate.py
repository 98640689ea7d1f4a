#!/usr/bin/python3
"""Simulated hosts as a DHCP load generator: do they find Kea's capacity where perfdhcp does?

One lab. ISC Kea (kea-dhcp4) serves in the server namespace, tuned as its
makers tune it for speed (dhcp_rate.start_kea: logging at WARN, multi-threaded
with --threads > 0, memfile leases). Three load generators take turns against it
from the client namespace, each against a freshly started Kea, at the same
offered rates, counted the same way:

  perfdhcp   ISC's own generator: `perfdhcp -r RATE -p SECONDS -R RATE*SECONDS`,
             4-way exchanges from that many new clients; it counts the ACKs
             received until 2 s after its last DISCOVER (-W).
  sim        etherbeam --app sim behind raw_binder --promisc: RATE*SECONDS DHCP
             hosts starting at random within SECONDS, each running RFC 2131's
             client (DISCOVER, REQUEST, retries at 4, 8, 16 s ±1 s, the ARP
             check after the ACK). Counted: hosts ACKed by 2 s after the last host
             started, i.e. BOUND 1 s later, after the ARP check (`etherbeam sim
             status`, polled every 50 ms near the end).
  sim-patient the same, but the hosts' first retransmission comes after the
             window (first_retransmit_seconds = 16): like perfdhcp, no second
             tries add to the offered load while it is measured.

Each one's result at a rate is completed exchanges / SECONDS; Kea's capacity as
each sees it is the highest over the sweep, and the grid goes past where Kea
loses answers so each is shown saturating it. Every sweep is repeated
(--repeat), alternating which generator goes first; medians reported.

A second measurement (--bring-up N, 0 to skip): how long N DHCP hosts started
within --bring-up-spread seconds take until every one is BOUND against Kea.

    /usr/bin/python3 bench/sim_dhcp_rate.py --build build
"""
import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
sys.path.insert(0, HERE)
import netns_lab  # noqa: E402
from dhcp_rate import kea_statistics, perfdhcp, start_kea  # noqa: E402
from flood import cpu_seconds  # noqa: E402

SUBNET = "10.64.0.0/10"
POOL = ("10.64.1.0", "10.127.255.254")  # 4 million addresses: a sweep never runs the pool dry
KEA_IP, CLIENT_IP, SIM_IP = "10.64.0.2/10", "10.64.0.1/10", "10.64.0.5/10"
WAIT_S = 2.0  # perfdhcp -W 2000000: answers still counted after the last DISCOVER
# sim-patient: the same hosts, first retransmission after the measured window, as
# perfdhcp (which never retransmits by default): the offered load is then the same.
PATIENT_RETRANSMIT_S = 16
GENERATORS = ["perfdhcp", "sim", "sim-patient"]
PROBE_WAIT_S = 1.0  # a sim host is BOUND this long after its ACK: its ARP check (dhcp_client.hpp probe_wait)


class Sim:
    """etherbeam --app sim with one DHCP group, behind a raw_binder on the client's veth end."""

    def __init__(self, lab, workdir, hosts, spread, first_mac, first_retransmit=None):
        os.makedirs(workdir, exist_ok=True)
        config = os.path.join(workdir, "sim.toml")
        with open(config, "w") as f:
            f.write(f'[[apps.sim.group]]\ncount = {hosts}\nmac = "{first_mac}"\naddress = "dhcp"\n'
                    f"start_spread_seconds = {spread}\n")
            if first_retransmit:
                f.write(f"first_retransmit_seconds = {first_retransmit}\n")
        self.lab, self.sockets = lab, os.path.join(workdir, "sockets")
        self.binder = lab._start("raw_binder", ["--iface", lab.client_if, "--socket-dir", self.sockets, "--promisc"],
                                 binder_defaults=False, namespace=lab.client_ns)
        self.sim = lab.start_etherbeam_with("--socket-dir", self.sockets, "--ip", SIM_IP, "--app", "sim",
                                             "--config", config)
        self.started = time.monotonic()

    def status(self):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "sim", "status",
                               "--socket-dir", self.sockets], capture_output=True, text=True, timeout=10).stdout

    def bound_over_time(self, until, fine_from=0.0):
        """(seconds since start, hosts bound) samples until `until(samples)` says enough:
        every 50 ms from `fine_from` seconds on, every 0.5 s before (each poll is a
        process and a control-socket query: CPU taken from Kea on a small machine)."""
        samples = []
        while True:
            out = self.status()
            bound = re.search(r"DISCOVER to BOUND: (\d+) times", out)
            samples.append((time.monotonic() - self.started, int(bound[1]) if bound else 0))
            if until(samples):
                self.last_status = out
                return samples
            time.sleep(0.05 if samples[-1][0] >= fine_from - 0.5 else 0.5)  # the hosts have their own timers

    def cpu_seconds(self):
        """CPU time the simulation has used: etherbeam's and raw_binder's."""
        return cpu_seconds([self.sim.pid, self.binder.pid])

    def stop(self):
        for daemon in (self.sim, self.binder):
            daemon.stop()
            self.lab.daemons.remove(daemon)


def bound_at(samples, t):
    """Hosts bound at time t, interpolated between the polls around it."""
    before = [s for s in samples if s[0] <= t][-1]
    after = next((s for s in samples if s[0] >= t), samples[-1])
    if after[0] == before[0]:
        return before[1]
    return before[1] + (after[1] - before[1]) * (t - before[0]) / (after[0] - before[0])


def sim_at(lab, workdir, rate, seconds, first_mac, first_retransmit=None):
    hosts = rate * seconds
    sim = Sim(lab, workdir, hosts, seconds, first_mac, first_retransmit)
    try:
        deadline = seconds + WAIT_S + PROBE_WAIT_S
        samples = sim.bound_over_time(lambda s: s[-1][0] > deadline + 0.1 or s[-1][1] >= hosts, deadline)
        cpu = sim.cpu_seconds()
    finally:
        sim.stop()
    done = bound_at(samples, deadline) if samples[-1][0] > deadline else samples[-1][1]
    retrans = re.search(r"retransmissions (\d+)", sim.last_status)
    return {"acks_per_s": done / seconds, "loss": 1 - done / hosts, "cpu_s": cpu,
            "retransmissions": int(retrans[1]) if retrans else 0}


def perfdhcp_at(lab, rate, seconds):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = perfdhcp(lab, rate, seconds, clients=rate * seconds)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    r["cpu_s"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return r


def bring_up(lab, workdir, hosts, spread):
    sim = Sim(lab, workdir, hosts, spread, "02:5e:f0:00:00:00")
    try:
        samples = sim.bound_over_time(lambda s: s[-1][1] >= hosts or s[-1][0] > spread + 600)
    finally:
        sim.stop()
    retrans = re.search(r"retransmissions (\d+)", sim.last_status)
    latency = re.search(r"DISCOVER to BOUND: \d+ times, ([^\n]*)", sim.last_status)
    return samples[-1], int(retrans[1]) if retrans else 0, latency[1] if latency else ""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--rates", default="3000,4000,5000,6000,7000,8000,10000", help="offered exchanges/s, ascending")
    p.add_argument("--seconds", type=int, default=4)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="Kea's (0: single-threaded)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--bring-up", type=int, default=100000, help="hosts for the time-to-BOUND run (0: skip)")
    p.add_argument("--bring-up-spread", type=float, default=30.0)
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("sim_dhcp_rate: run as root: the lab creates network namespaces")
    rates = [int(r) for r in args.rates.split(",")]
    results = {g: {r: [] for r in rates} for g in GENERATORS}
    with netns_lab.Lab(args.build) as lab:
        lab.client(["ip", "addr", "flush", "dev", lab.client_if])
        lab.client(["ip", "addr", "add", CLIENT_IP, "dev", lab.client_if])
        lab.server(["ip", "addr", "add", KEA_IP, "dev", lab.server_if])  # Kea's sockets need it
        # raw_binder's socket is made in the client namespace: its queue as the lab's (systemd's) 512.
        lab.client(["sysctl", "-qw", "net.unix.max_dgram_qlen=512"])

        control = os.path.join(lab.workdir, "kea.sock")

        def with_kea(name, run):
            [kea] = start_kea(lab, os.path.join(lab.workdir, name), subnet=SUBNET, pool=POOL, threads=args.threads,
                              control_socket=control)
            try:
                return run()
            finally:
                kea.stop()

        for rep in range(args.repeat):
            for generator in (GENERATORS if rep % 2 == 0 else list(reversed(GENERATORS))):
                def sweep():
                    for i, rate in enumerate(rates):
                        kea_before = kea_statistics(control)
                        if generator == "perfdhcp":
                            r = perfdhcp_at(lab, rate, args.seconds)
                        else:
                            r = sim_at(lab, os.path.join(lab.workdir, f"{generator}-{rep}-{rate}"), rate,
                                       args.seconds, f"02:5e:{i * 16:02x}:00:00:00",
                                       PATIENT_RETRANSMIT_S if generator == "sim-patient" else None)
                        kea_after = kea_statistics(control)
                        r["kea"] = {k: kea_after.get(k, 0) - kea_before.get(k, 0) for k in (
                            "pkt4-discover-received", "pkt4-request-received", "pkt4-ack-sent", "pkt4-receive-drop")}
                        results[generator][rate].append(r)
                        extra = f", retransmissions {r['retransmissions']}" if generator != "perfdhcp" else ""
                        print(f"run {rep + 1} {generator:11} at {rate:5}/s: {r['acks_per_s']:7.0f} completed/s, "
                              f"lost {100 * r['loss']:5.2f}%, CPU {r['cpu_s']:.2f} s{extra}; Kea: "
                              + ", ".join(f"{k[5:]} {v}" for k, v in r["kea"].items()), flush=True)
                with_kea(f"kea-{generator}-{rep}", sweep)

        mode = f"multi-threaded, {args.threads} threads" if args.threads else "single-threaded"
        print(f"\nKea ({mode}, logging at WARN, memfile); {args.seconds} s per rate; medians of {args.repeat}:")
        best = {}
        for g in results:
            for rate in rates:
                runs = results[g][rate]
                print(f"  {g:11} at {rate:5}/s: {statistics.median(r['acks_per_s'] for r in runs):7.0f} completed/s, "
                      f"lost {100 * statistics.median(r['loss'] for r in runs):5.2f}%")
            best[g] = max(statistics.median(r["acks_per_s"] for r in results[g][rate]) for rate in rates)
        print("Kea's capacity (highest median completed/s): " + ", ".join(
            f"{g} {best[g]:.0f}/s" for g in GENERATORS))
        for g in GENERATORS[1:]:
            print(f"  {g} / perfdhcp = {best[g] / best['perfdhcp']:.2f}")

        if args.bring_up:
            (t, bound), retrans, latency = with_kea("kea-bring-up", lambda: bring_up(
                lab, os.path.join(lab.workdir, "bring-up"), args.bring_up, args.bring_up_spread))
            print(f"\n{args.bring_up} DHCP hosts started within {args.bring_up_spread:.0f} s: {bound} BOUND after "
                  f"{t:.1f} s; retransmissions {retrans}; DISCOVER to BOUND {latency}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
