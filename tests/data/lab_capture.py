"""What the capture scripts beside this file share: tcpdump in a lab namespace."""
import contextlib
import subprocess
import time


@contextlib.contextmanager
def tcpdump_in(ns, args, out):
    """Records into `out` with tcpdump in namespace `ns` (`args`: interface and
    filter) while the block runs, from the moment tcpdump says it is listening."""
    tcpdump = subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "-s", "0", "-U", "--immediate-mode",
                                "-w", out, *args], stderr=subprocess.PIPE, text=True)
    print(tcpdump.stderr.readline().strip())  # "listening on ...": capturing
    try:
        yield
    finally:
        time.sleep(0.5)  # tcpdump has no "written" signal; -U and --immediate-mode write each packet at once
        tcpdump.terminate()
        print(tcpdump.communicate()[1].strip())
