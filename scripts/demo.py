#!/usr/bin/python3
"""The embedded default: etherbeam answering real arping, ping and DHCP in a lab.

Makes two network namespaces joined by a veth pair, serves one side with
raw_binder + etherbeam (the kernel there holds no address), runs a real
`arping`, `ping` and DHCP client (busybox udhcpc) from the other side, shows
the lease etherbeam recorded and what both daemons counted, and tears the
lab down. With --stay, keeps the lab up until Ctrl-C so you can
try clients of your own in the client namespace.

`demo.py router` runs the router lab instead (scripts/demo_router.py): curl,
ping and traceroute from one namespace to another through etherbeam.
`demo.py home` runs the home-router lab (scripts/demo_home.py): two LAN ports
bridged, DHCP on the LAN, routed with a firewall and NAT to a WAN link.
"""
import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns_lab  # noqa: E402

DHCP_POOL = "10.77.0.100-10.77.0.199"


def show(title, result):
    print(f"\n$ {title}", flush=True)
    print((result.stdout + result.stderr).rstrip(), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.environ.get("ETHERBEAM_BUILD", "build"),
                        help="build directory holding bin/raw_binder and bin/etherbeam (default: build)")
    parser.add_argument("--count", type=int, default=5, help="echo requests to send (default: 5)")
    parser.add_argument("--stay", action="store_true", help="keep the lab up until Ctrl-C")
    parser.add_argument("--record", metavar="FILE",
                        help="host scenario: record every frame etherbeam takes in and sends out as pcapng "
                             "(read it with `etherbeam decode -r FILE -V` or Wireshark)")
    parser.add_argument("scenario", nargs="?", choices=["host", "router", "home"], default="host",
                        help="host (default): arping, ping and DHCP against etherbeam; router: curl, ping and "
                             "traceroute through etherbeam between two links; home: a home router (bridged LAN "
                             "ports, DHCP, firewall and NAT to a WAN link)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("demo: run as root: the lab creates network namespaces")
    for program in ("raw_binder", "etherbeam"):
        if not os.access(os.path.join(args.build, "bin", program), os.X_OK):
            sys.exit(f"demo: {args.build}/bin/{program} not found; build first with `just build`")

    if args.scenario == "router":
        import demo_router
        return demo_router.run(args.build, args.stay)
    if args.scenario == "home":
        import demo_home
        return demo_home.run(args.build, args.stay)

    with netns_lab.Lab(args.build) as lab:
        print(f"lab: client namespace {lab.client_ns} ({lab.client_if}, {netns_lab.CLIENT_IP}/24)"
              f" <-veth-> server namespace {lab.server_ns} ({lab.server_if}, no kernel address)")
        binder = lab.start_binder()
        state_dir = os.path.join(lab.workdir, "state")
        record = ["--record", os.path.abspath(args.record)] if args.record else []
        etherbeam = lab.start_etherbeam("--dhcp-pool", DHCP_POOL, "--state-dir", state_dir, *record)
        print(f"raw_binder (pid {binder.pid}) and etherbeam (pid {etherbeam.pid}) are serving "
              f"{netns_lab.STACK_IP}/24 and DHCP from {DHCP_POOL} on {lab.server_if}, MAC {lab.server_mac()}")

        addr = lab.server(["ip", "-4", "-o", "addr", "show", "dev", lab.server_if]).stdout.strip()
        print(f"\n$ ip -4 addr show dev {lab.server_if}   # in the server namespace\n{addr or '(no address)'}")
        arping = lab.client(["arping", "-c", "3", "-w", "5", "-I", lab.client_if, netns_lab.STACK_IP], check=False)
        show(f"arping -c 3 -I {lab.client_if} {netns_lab.STACK_IP}", arping)
        ping = lab.client(["ping", "-n", "-c", str(args.count), "-i", "0.2", "-w", str(args.count + 5),
                           netns_lab.STACK_IP], check=False)
        show(f"ping -c {args.count} {netns_lab.STACK_IP}", ping)
        silent = lab.client(["ping", "-n", "-c", "2", "-W", "1", "10.77.0.9"], check=False)
        show("ping -c 2 10.77.0.9   # an address etherbeam does not own: silence", silent)
        # The client's script does nothing: the lease is shown, not applied.
        dhcp = lab.client(["busybox", "udhcpc", "-i", lab.client_if, "-n", "-q", "-f", "-t", "5", "-T", "1",
                           "-s", "/bin/true", "-x", "hostname:demo-client"], check=False)
        show(f"udhcpc -i {lab.client_if}   # a real DHCP client", dhcp)
        leases = netns_lab.run([os.path.join(args.build, "bin", "etherbeam"), "leases", "--state-dir", state_dir],
                               check=False)
        show(f"etherbeam leases --state-dir {state_dir}", leases)

        print("\ncounters:")
        for daemon in (binder, etherbeam):
            counts = daemon.counters()
            print(f"  {daemon.name}: " + " ".join(f"{k}={v}" for k, v in counts.items()))

        if args.stay:
            print(f"\nlab is up. Try: ip netns exec {lab.client_ns} ping {netns_lab.STACK_IP}\n"
                  f"Logs: {binder.log_path}, {etherbeam.log_path}. Ctrl-C tears it down.", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass

        if args.record:
            etherbeam.stop()  # the recorder writes its last frames as etherbeam ends
            print(f"\nrecorded to {args.record}: etherbeam decode -r {args.record} -V   (or open it in Wireshark)")
        answered = ("Received 3 response(s)" in arping.stdout and f"{args.count} received" in ping.stdout
                    and "obtained" in dhcp.stdout + dhcp.stderr)
        print("\ntearing the lab down")
    if not answered:
        print("demo: etherbeam did not answer every request (see above)", file=sys.stderr)
        return 1
    print("demo: every arping, ping and DHCP request was answered by etherbeam")
    return 0


if __name__ == "__main__":
    sys.exit(main())
