#!/usr/bin/python3
"""Where DHCP exchanges are lost when etherbeam is offered more than it answers.

One lab (a /16, pool 10.77.1.0-10.77.255.254), raw_binder + etherbeam's DHCP
server, one perfdhcp at each --rates for --seconds; then, per rate, what was
lost where: DISCOVERs and REQUESTs etherbeam answered against what perfdhcp
sent, replies raw_binder injected against what etherbeam sent, frames shed at
raw_binder's rings, and replies that overflowed perfdhcp's own socket buffer
(UdpRcvbufErrors in the client namespace).

    /usr/bin/python3 bench/dhcp_losses.py --build build --rates 6000,8000,10000
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import netns_lab  # noqa: E402


def nstat(lab, *names):
    out = lab.client(["nstat", "-z", *names]).stdout
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)", out, re.M)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--rates", default="6000,8000,10000")
    p.add_argument("--seconds", type=int, default=5)
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("dhcp_losses: run as root: the lab creates network namespaces")
    for rate in (int(r) for r in args.rates.split(",")):
        with netns_lab.Lab(args.build) as lab:
            lab.client(["ip", "addr", "flush", "dev", lab.client_if])
            lab.client(["ip", "addr", "add", "10.77.0.1/16", "dev", lab.client_if])
            binder = lab.start_binder()
            etherbeam = lab.start_etherbeam("--dhcp-pool", "10.77.1.0-10.77.255.254", "--state-dir",
                                            os.path.join(lab.workdir, "state"), ip="10.77.0.2/16")
            lab.client(["nstat", "-n"])  # counts from here
            out = lab.client(["perfdhcp", "-4", "-l", lab.client_if, "-r", str(rate), "-p", str(args.seconds),
                              "-R", str(rate * args.seconds), "-W", "2000000"], check=False,
                             timeout=args.seconds + 90).stdout
            sent = [int(x) for x in re.findall(r"sent packets: (\d+)", out)]
            received = [int(x) for x in re.findall(r"received packets: (\d+)", out)]
            udp = nstat(lab, "UdpRcvbufErrors")
            b, e = binder.counters(), etherbeam.counters()
            lost = sent[0] - received[1]
            print(f"{rate}/s: DISCOVERs sent {sent[0]}, answered {e.get('dhcp.out.offer', 0)}; REQUESTs sent "
                  f"{sent[1]}, answered {e.get('dhcp.out.ack', 0)}; replies etherbeam sent {e.get('replies_sent', 0)}, "
                  f"raw_binder injected {b['frames_injected']} (errors {b['inject_errors']}); shed at raw_binder's "
                  f"rings {b['dropped_at_ring']}; lost in perfdhcp's socket {udp.get('UdpRcvbufErrors', 0)}; "
                  f"exchanges lost {lost} ({100 * lost / max(sent[0], 1):.2f}%); "
                  f"journal commit {e.get('journal.avg_commit_us', 0)} us", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
