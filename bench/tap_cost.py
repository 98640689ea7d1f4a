#!/usr/bin/python3
"""What watching etherbeam costs its data path: replies/s with and without a tap.

One lab, one etherbeam (defaults: --model inline). The client floods ICMP echo
at etherbeam's MAC (ebgen, 64 in flight, --seconds), which saturates it, in
three conditions, order turning each run, medians of --repeat:
- alone: nobody listens to the tap;
- live: `etherbeam decode --live -T json` attached, its output to /dev/null;
- record: etherbeam started with --record (pcapng to a file in the lab's directory).
The figure is each condition's echo replies/s over alone's (goal: >= 0.95), and
the copies the listener lost (a slow reader loses copies, not frames). Then,
paired: in one lab, alone, live, alone again, --repeat times; the ratio is live
over the mean of the two around it (what drifts between labs cancels).

    /usr/bin/python3 bench/tap_cost.py --build build --repeat 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import netns_lab  # noqa: E402


def flood(lab, build, seconds):
    out = lab.client([os.path.join(build, "bin", "ebgen"), "-i", lab.client_if, "-s", netns_lab.CLIENT_IP,
                      "-t", netns_lab.STACK_IP, "--target-mac", lab.server_mac(), "--mode", "flood", "-w", "64",
                      "-d", str(seconds), "--json"], timeout=seconds + 60).stdout
    return json.loads(out)["replies_per_s"]


def flood_with_live_reader(lab, build, seconds):
    """A flood with `etherbeam decode --live -T json` attached; returns its rate and the stderr lines
    where the reader counted the copies it lost."""
    reader = subprocess.Popen([os.path.join(build, "bin", "etherbeam"), "decode", "--live", "-T", "json",
                               "--socket-dir", lab.socket_dir], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    reader.stderr.readline()  # streaming from here on
    try:
        rate = flood(lab, build, seconds)
    finally:
        reader.terminate()
        lost_lines = reader.communicate(timeout=10)[1]
    return rate, lost_lines


def measure(build, condition, seconds):
    with netns_lab.Lab(build) as lab:
        lab.start_binder()
        extra = ["--record", os.path.join(lab.workdir, "frames.pcapng")] if condition == "record" else []
        if extra:
            os.chmod(lab.workdir, 0o755)
        etherbeam = lab.start_etherbeam(*extra)
        lab.client(["ping", "-n", "-c", "3", "-i", "0.1", netns_lab.STACK_IP], check=False)  # ARP settled
        lost_lines = ""
        if condition == "live":
            rate, lost_lines = flood_with_live_reader(lab, build, seconds)
        else:
            rate = flood(lab, build, seconds)
        lost = 0
        if condition == "live":
            lost = sum(int(line.split()[2]) for line in lost_lines.splitlines() if "more frames lost" in line)
        elif condition == "record":
            lost = etherbeam.counters().get("record.lost", 0)
        return rate, lost


def paired_live(build, seconds):
    """One lab, one etherbeam: a flood alone, one with the live decoder attached, one alone
    again. The ratio is the middle one's over the mean of the two around it, so that what
    drifts on a shared machine between labs (and within one, slowly) cancels."""
    with netns_lab.Lab(build) as lab:
        lab.start_binder()
        lab.start_etherbeam()
        lab.client(["ping", "-n", "-c", "3", "-i", "0.1", netns_lab.STACK_IP], check=False)  # ARP settled
        before = flood(lab, build, seconds)
        live, _ = flood_with_live_reader(lab, build, seconds)
        after = flood(lab, build, seconds)
        return before, live, after


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("tap_cost: run as root: the lab creates network namespaces")
    conditions = ["alone", "live", "record"]
    rates = {c: [] for c in conditions}
    lost = {c: [] for c in conditions}
    for i in range(args.repeat):
        for c in conditions[i % 3:] + conditions[:i % 3]:
            r, l = measure(args.build, c, args.seconds)
            rates[c].append(r)
            lost[c].append(l)
            print(f"run {i + 1} {c:7} {r:10.0f} replies/s, {l} copies lost", flush=True)
    alone = statistics.median(rates["alone"])
    print(f"\nmedians of {args.repeat}:")
    for c in conditions:
        m = statistics.median(rates[c])
        print(f"  {c:7} {m:10.0f} replies/s  {m / alone:5.2f}x alone  copies lost {statistics.median(lost[c]):.0f}")
    ratios = []
    for i in range(args.repeat):
        before, live, after = paired_live(args.build, args.seconds)
        ratios.append(live / ((before + after) / 2))
        print(f"paired run {i + 1}: alone {before:.0f}, live {live:.0f}, alone {after:.0f} replies/s: "
              f"{ratios[-1]:.2f}x", flush=True)
    print(f"paired (live between two alone, one lab): median {statistics.median(ratios):.2f}x alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
