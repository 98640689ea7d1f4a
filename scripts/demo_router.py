#!/usr/bin/python3
"""The router lab: etherbeam forwarding between two links, real clients on each.

    client A 10.77.0.1 ⇄ link a 10.77.0.2 [raw_binder ×2 + etherbeam] 10.88.0.2 link b ⇄ 10.88.0.1 client B

Client B serves a file with python's http.server; client A fetches it with
curl through etherbeam, pings B and traceroutes to it; then both daemons'
counters. With --stay the lab stays up until Ctrl-C.
"""
import hashlib
import os
import signal
import subprocess

import netns_lab

B_CLIENT, B_STACK = "10.88.0.1", "10.88.0.2"
def show(title, result):
    print(f"\n$ {title}", flush=True)
    print((result.stdout + result.stderr).rstrip(), flush=True)


def run(build, stay):
    with netns_lab.Lab(build) as lab:
        b = lab.add_link(B_CLIENT)
        lab.client(["ip", "route", "add", "default", "via", netns_lab.STACK_IP])
        b.client(["ip", "route", "add", "default", "via", B_STACK])
        config = netns_lab.write_router_config(lab, b, B_STACK)
        binders = [lab.start_binder(), b.start_binder()]
        etherbeam = lab.start_etherbeam_with("--config", config)
        print(f"lab: {lab.client_ns} ({netns_lab.CLIENT_IP}) <-> etherbeam {netns_lab.STACK_IP} | {B_STACK} "
              f"<-> {b.client_ns} ({B_CLIENT}); the server namespace's kernel forwards nothing")
        print(open(config).read())

        www = os.path.join(lab.workdir, "www")
        os.makedirs(www)
        data = os.urandom(5_000_000)
        with open(os.path.join(www, "file"), "wb") as f:
            f.write(data)
        server = b.client_popen(netns_lab.http_server_command(8080, B_CLIENT, www), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            server.stdout.readline()  # "Serving HTTP on ...": listening
            got = os.path.join(lab.workdir, "got")
            curl = lab.client(["curl", "-sS", "--max-time", "60", "-o", got, "-w",
                               "%{http_code}, %{size_download} bytes in %{time_total} s\n",
                               f"http://{B_CLIENT}:8080/file"], check=False, timeout=90)
            show(f"curl http://{B_CLIENT}:8080/file   # from client A, through etherbeam", curl)
            with open(got, "rb") as f:
                same = hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()
            print(f"the file arrived {'whole and unchanged' if same else 'DIFFERENT'}")
            ping = lab.client(["ping", "-n", "-c", "3", "-i", "0.2", B_CLIENT], check=False)
            show(f"ping -c 3 {B_CLIENT}", ping)
            trace = lab.client(["traceroute", "-n", "-q", "1", "-w", "2", "-m", "4", B_CLIENT], check=False, timeout=60)
            show(f"traceroute -n {B_CLIENT}", trace)
        finally:
            server.kill()
            server.wait()
        print("\ncounters:")
        for daemon in binders + [etherbeam]:
            print(f"  {daemon.name}: " + " ".join(f"{k}={v}" for k, v in daemon.counters().items()))
        if stay:
            print(f"\nlab is up. Try: ip netns exec {lab.client_ns} ping {B_CLIENT}. Ctrl-C tears it down.", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
        ok = same and curl.returncode == 0 and " 0% packet loss" in ping.stdout and netns_lab.STACK_IP in trace.stdout
        print("\ntearing the lab down")
    print("demo: curl, ping and traceroute crossed etherbeam" if ok else "demo: something did not cross (see above)")
    return 0 if ok else 1
