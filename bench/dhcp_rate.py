#!/usr/bin/python3
"""DHCP DORA rate: etherbeam vs Kea vs dnsmasq, same veth, same run.

One lab; the server side runs one DHCP server at a time on the same veth:
etherbeam (raw_binder + etherbeam), ISC Kea (kea-dhcp4, memfile with
persistence) and dnsmasq (--no-ping). ISC perfdhcp on the client side drives
4-way exchanges at increasing rates; for each server the report gives the
highest rate whose exchanges lost under 1% (the goal's threshold), and the
DISCOVER-OFFER and REQUEST-ACK latency there. Every rate is run --repeat
times per server, servers interleaved, and medians are reported.

Durability differs, and the numbers should be read with it: etherbeam
appends each lease to its journal and fdatasyncs before the ACK leaves
(group commit); Kea's memfile appends each lease to its CSV file without
fsync; dnsmasq rewrites its lease file, without fsync.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import netns_lab  # noqa: E402

SUBNET, PREFIX = "10.77.0.0", 16
POOL = ("10.77.1.0", "10.77.255.254")
SERVER_IP = "10.77.0.2"


class Background:
    """A peer server started in the server namespace, ready once `ready` is in its log
    (or, with `ready` None, once the caller has checked it answers)."""

    def __init__(self, lab, name, cmd, ready, env=None, timeout=15):
        self.log_path = os.path.join(lab.workdir, f"{name}.log")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(["ip", "netns", "exec", lab.server_ns] + cmd, stdout=log,
                                         stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        deadline = time.monotonic() + timeout
        while ready is not None and ready not in open(self.log_path).read():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise netns_lab.LabError(f"{name} did not start:\n{open(self.log_path).read()}")
            time.sleep(0.05)  # a foreign daemon without a readiness protocol: poll its log

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_etherbeam(lab, state):
    os.makedirs(state, exist_ok=True)
    binder = lab.start_binder()
    server = lab.start_etherbeam("--dhcp-pool", "-".join(POOL), "--state-dir", state,
                                 ip=f"{SERVER_IP}/{PREFIX}")
    return [server, binder]


def start_relay_dhcp(lab, state):
    """The ceiling of the generator and the relay: raw_binder and bench/relay's C
    logic answering DHCP without state or disk. No server is measured above it."""
    binder = lab.start_binder()
    return [lab._start("echo_logic", [lab.socket_dir, SERVER_IP, "dhcp"]), binder]


def start_kea(lab, state, subnet=f"{SUBNET}/{PREFIX}", pool=POOL, threads=0, control_socket=None):
    """Kea as its makers tune it for speed: logging at WARN (at INFO it logs every
    allocation, about a quarter of its capacity), and with threads > 0 its
    multi-threaded packet processing (Kea 2.2: enable-multi-threading)."""
    os.makedirs(state, exist_ok=True)
    config = {"Dhcp4": {
        "interfaces-config": {"interfaces": [lab.server_if], "dhcp-socket-type": "raw"},
        "lease-database": {"type": "memfile", "persist": True, "name": f"{state}/kea-leases4.csv",
                           "lfc-interval": 0},
        "valid-lifetime": 3600,
        "subnet4": [{"id": 1, "subnet": subnet, "pools": [{"pool": f"{pool[0]} - {pool[1]}"}]}],
        "loggers": [{"name": "kea-dhcp4", "severity": "WARN", "output_options": [{"output": "stdout"}]}],
        "multi-threading": {"enable-multi-threading": threads > 0, "thread-pool-size": max(threads, 1),
                            "packet-queue-size": 64 * max(threads, 1)},
    }}
    if control_socket:  # for kea_statistics()
        config["Dhcp4"]["control-socket"] = {"socket-type": "unix", "socket-name": control_socket}
    path = os.path.join(state, "kea-dhcp4.json")
    with open(path, "w") as f:
        json.dump(config, f)
    env = {"KEA_PIDFILE_DIR": state, "KEA_LOCKFILE_DIR": state}
    kea = Background(lab, "kea", ["kea-dhcp4", "-c", path], None, env)
    answers(lab, kea)
    return [kea]


def kea_statistics(control_socket):
    """Kea's own counts (statistic-get-all), each statistic's latest value."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(control_socket)
        s.sendall(json.dumps({"command": "statistic-get-all"}).encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return {name: values[0][0] for name, values in json.loads(answer)["arguments"].items()
            if values and isinstance(values[0][0], int)}


def start_kea_multithreaded(lab, state):
    return start_kea(lab, state, threads=os.cpu_count() or 2)


def answers(lab, server):
    """At WARN a server logs nothing when it is ready: one whole DORA tells."""
    for _ in range(50):
        if server.proc.poll() is not None:
            raise netns_lab.LabError(f"the server exited:\n{open(server.log_path).read()}")
        r = lab.client(["perfdhcp", "-4", "-l", lab.client_if, "-r", "1", "-n", "1", "-R", "100000000",
                        "-W", "500000"], check=False, timeout=30)
        if re.search(r"received packets: [1-9]", r.stdout):
            return
    raise netns_lab.LabError(f"the server never answered a DORA:\n{open(server.log_path).read()}")


def start_dnsmasq(lab, state):
    os.makedirs(state, exist_ok=True)
    return [Background(lab, "dnsmasq", [
        "dnsmasq", "--no-daemon", "--port=0", "--user=root", "--pid-file", f"--interface={lab.server_if}",
        "--bind-interfaces", f"--dhcp-range={POOL[0]},{POOL[1]},255.255.0.0,1h", "--no-ping",
        "--dhcp-authoritative", f"--dhcp-leasefile={state}/dnsmasq.leases", "--dhcp-lease-max=100000",
        "--log-facility=-"], "DHCP, IP range")]


SOCKET_SERVERS = {"kea", "kea-mt", "dnsmasq"}  # need the kernel to hold the server address
PEERS = {"etherbeam": start_etherbeam, "relay-dhcp": start_relay_dhcp, "kea": start_kea, "kea-mt": start_kea_multithreaded,
         "dnsmasq": start_dnsmasq}


def perfdhcp(lab, rate, seconds, clients):
    out = lab.client(["perfdhcp", "-4", "-l", lab.client_if, "-r", str(rate), "-p", str(seconds),
                      "-R", str(clients), "-W", "2000000"], check=False, timeout=seconds + 60)
    text = out.stdout + out.stderr
    sent = [int(x) for x in re.findall(r"sent packets: (\d+)", text)]
    received = [int(x) for x in re.findall(r"received packets: (\d+)", text)]
    delays = [float(x) for x in re.findall(r"avg delay: ([\d.]+) ms", text)]
    if len(sent) < 2 or not sent[0]:
        raise netns_lab.LabError(f"perfdhcp printed no statistics:\n{text}")
    # Exchanges completed: ACKs received, against DISCOVERs sent.
    loss = 1 - received[1] / sent[0]
    achieved = re.search(r"Rate: ([\d.]+) 4-way exchanges/second", text)
    return {"loss": loss, "acks_per_s": received[1] / seconds,
            "achieved": float(achieved[1]) if achieved else 0.0,
            "offer_ms": delays[0], "ack_ms": delays[1]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--rates", default="250,500,1000,2000,4000", help="exchanges/s to try, ascending")
    p.add_argument("--seconds", type=int, default=5, help="length of each perfdhcp run")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--peers", default="etherbeam,kea,kea-mt,dnsmasq",
                   help="kea: single-threaded, kea-mt: multi-threaded, both logging at WARN; relay-dhcp: "
                        "raw_binder and a stateless C DHCP responder, the generator's and relay's ceiling")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("dhcp_rate: run as root: the lab creates network namespaces")
    rates = [int(r) for r in args.rates.split(",")]
    peers = args.peers.split(",")
    results = {peer: {rate: [] for rate in rates} for peer in peers}

    with netns_lab.Lab(args.build) as lab:
        lab.client(["ip", "addr", "flush", "dev", lab.client_if])
        lab.client(["ip", "addr", "add", f"10.77.0.1/{PREFIX}", "dev", lab.client_if])
        # Kea and dnsmasq use sockets: the kernel needs an address there while they run.
        for rep in range(args.repeat):
            for peer in (peers if rep % 2 == 0 else list(reversed(peers))):
                state = os.path.join(lab.workdir, f"{peer}-{rep}")
                if peer in SOCKET_SERVERS:
                    lab.server(["ip", "addr", "add", f"{SERVER_IP}/{PREFIX}", "dev", lab.server_if])
                running = PEERS[peer](lab, state)
                try:
                    for rate in rates:
                        r = perfdhcp(lab, rate, args.seconds, clients=rate * args.seconds)
                        results[peer][rate].append(r)
                        print(f"run {rep + 1} {peer:9} rate {rate:5}/s: {r['acks_per_s']:7.0f} ACK/s, "
                              f"loss {100 * r['loss']:5.2f}%, offer {r['offer_ms']:.2f} ms, "
                              f"ack {r['ack_ms']:.2f} ms", flush=True)
                        if r["loss"] >= 0.05:
                            break  # far past this peer's capacity
                finally:
                    for proc in running:
                        proc.stop()
                    if peer in SOCKET_SERVERS:
                        lab.server(["ip", "addr", "del", f"{SERVER_IP}/{PREFIX}", "dev", lab.server_if],
                                   check=False)
                    lab.daemons.clear()

    print(f"\nperfdhcp -r RATE -p {args.seconds}, {args.repeat} runs each, medians:")
    best = {}
    for peer in peers:
        best[peer] = 0
        saturated = False
        for rate in rates:
            runs = results[peer][rate]
            if len(runs) < args.repeat:
                break
            loss = statistics.median(r["loss"] for r in runs)
            acks = statistics.median(r["acks_per_s"] for r in runs)
            offer = statistics.median(r["offer_ms"] for r in runs)
            ack = statistics.median(r["ack_ms"] for r in runs)
            spread = max(r["acks_per_s"] for r in runs) - min(r["acks_per_s"] for r in runs)
            print(f"  {peer:9} rate {rate:5}/s: {acks:7.0f} ACK/s (spread {spread:.0f}), loss {100 * loss:5.2f}%, "
                  f"offer {offer:.2f} ms, ack {ack:.2f} ms")
            if loss >= 0.01:
                saturated = True
            elif not saturated:
                best[peer] = rate  # every rate up to here under 1%: a lucky run past a failed one counts not
    print("\nhighest rate with under 1% lost exchanges at it and every rate below:")
    for peer in peers:
        top = " (not saturated: the grid ends here)" if best[peer] == rates[-1] else ""
        print(f"  {peer:9} {best[peer]}/s{top}")
    for peer in peers:
        if peer != "etherbeam" and best[peer] and "etherbeam" in best:
            print(f"  ratio etherbeam/{peer}: {best['etherbeam'] / best[peer]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
