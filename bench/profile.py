#!/usr/bin/python3
"""Profiles etherbeam (and raw_binder) while ebgen sends ICMP echoes in the lab.

  --tool perf:      `perf record -e cpu-clock -g` on both daemons during a flood
                    (the VM has no hardware counters); prints the top symbols
                    and the CPU share of each thread.
  --tool callgrind: etherbeam under `valgrind --tool=callgrind` at a paced rate
                    (valgrind runs it ~50x slower); prints the functions with the
                    most instructions, self cost.
  --dhcp RATE:      instead of ICMP, perfdhcp DORA at RATE/s against etherbeam's
                    DHCP server (perf only); the threads' shares say which of
                    ingress, lease manager, journal writer, DHCP actor, sender
                    and raw_binder takes the time.

The profile data stays in --out (default bench/results/) for perf report or
callgrind_annotate. Run as root: the lab creates network namespaces.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import netns_lab  # noqa: E402


def ebgen(lab, build, *args, seconds):
    return lab.client([os.path.join(build, "bin", "ebgen"), "-i", lab.client_if, "-s", netns_lab.CLIENT_IP,
                       "-t", netns_lab.STACK_IP, "-d", str(seconds), "--proto", "icmp", *args],
                      timeout=seconds + 120).stdout


def top(command, lines):
    out = subprocess.run(command, capture_output=True, text=True).stdout
    return "\n".join(l[:160] for l in out.splitlines() if l.strip() and not l.startswith("#"))[:lines * 170]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--tool", choices=["perf", "callgrind"], default="perf")
    p.add_argument("--model", default="per-frame")
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--dhcp", type=int, default=0, help="profile DHCP at this DORA rate instead of ICMP")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("profile: run as root: the lab creates network namespaces")
    os.makedirs(args.out, exist_ok=True)
    data = os.path.abspath(os.path.join(args.out, f"{args.tool}-{args.model}.data"))

    with netns_lab.Lab(args.build) as lab:
        binder = lab.start_binder()
        if args.tool == "callgrind":
            daemon_args = ["--socket-dir", lab.socket_dir, "--ip", f"{netns_lab.STACK_IP}/{netns_lab.PREFIX}",
                           "--model", args.model]
            etherbeam = lab._start("etherbeam", daemon_args, timeout=120,
                                   wrapper=["valgrind", "--tool=callgrind", f"--callgrind-out-file={data}"])
            print(ebgen(lab, args.build, "--mode", "paced", "-r", "1000", seconds=args.seconds))
            etherbeam.stop(timeout=60)
            print(top(["callgrind_annotate", "--inclusive=no", data], 40))
            return
        if args.dhcp:
            lab.client(["ip", "addr", "flush", "dev", lab.client_if])
            lab.client(["ip", "addr", "add", "10.77.0.1/16", "dev", lab.client_if])
            etherbeam = lab.start_etherbeam("--model", args.model, "--dhcp-pool", "10.77.1.0-10.77.255.254",
                                            "--state-dir", os.path.join(lab.workdir, "state"), ip="10.77.0.2/16")
        else:
            etherbeam = lab.start_etherbeam("--model", args.model)
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-g", "-o", data,
                                 "-p", f"{binder.pid},{etherbeam.pid}", "--", "sleep", str(args.seconds - 2)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if args.dhcp:
            out = lab.client(["perfdhcp", "-4", "-l", lab.client_if, "-r", str(args.dhcp), "-p", str(int(args.seconds)),
                              "-R", str(args.dhcp * int(args.seconds)), "-W", "2000000"], check=False,
                             timeout=args.seconds + 60)
            print("\n".join(l for l in out.stdout.splitlines()
                            if any(k in l for k in ("sent packets", "received packets", "avg delay", "Rate:"))))
            print(etherbeam.counters())
        else:
            print(ebgen(lab, args.build, "--mode", "flood", seconds=args.seconds))
        perf.wait()
    print(top(["perf", "report", "-i", data, "--no-children", "--sort", "sym", "-g", "none"], 30))
    print(top(["perf", "report", "-i", data, "--no-children", "--sort", "pid,comm", "-g", "none"], 8))
    print(top(["perf", "report", "-i", data, "--no-children", "--sort", "tid", "-g", "none"], 16))


if __name__ == "__main__":
    main()
