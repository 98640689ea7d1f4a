#!/usr/bin/python3
"""Malformed and random frames: no reply, no crash, every frame counted."""
import json
import os

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats, wait_for_counter

GENERATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile_frames.py")


class HostileFrames(LabTest):
    def test_malformed_and_random_frames_get_no_reply_and_crash_nothing(self):
        binder = self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam("--dhcp-pool", "10.77.0.100-10.77.0.199",
                                             "--state-dir", os.path.join(self.lab.workdir, "state"))
        # Its ARP announcements at start are not replies to hostile frames: over first.
        wait_for_counter(etherbeam, "arp.announcements", 2)
        out = self.lab.client(["/usr/bin/python3", GENERATOR, self.lab.client_if, self.lab.server_mac(),
                               STACK_IP, CLIENT_IP, "10000"], timeout=300).stdout
        report = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(report["replies"], [], "the stack answered a frame it must not answer")
        self.assertTrue(report["sentinel_answered"], "the stack stopped answering")
        self.assert_all_alive()

        c = etherbeam.counters()
        b = binder.counters()
        self.assertEqual(b["frames_from_nic"], report["sent"] - report["cut_vlan_tags"], b)
        self.assertEqual(c["frames_in"], b["frames_to_logic_server"], (b, c))
        self.assertEqual(c.get("frame_actor_failures", 0), 0)
        self.assertEqual(c.get("actor_restarts", 0), 0)
        self.assertGreaterEqual(report["sent"], 10000)
        accounted = sum(v for k, v in c.items() if k.split(".")[0] in ("reply", "ignored", "malformed"))
        # A fragment is counted as such; a datagram its fragments complete gets a verdict of its own.
        fragments = c.get("fragments.received", 0) - c.get("fragments.reassembled", 0)
        self.assertEqual(accounted + c["handed_to_dhcp"] + fragments, c["frames_in"], c)
        print(f"hostile: {report['sent']} frames sent, {c['frames_in']} reached etherbeam, every one counted "
              f"as a reply ({sum(v for k, v in c.items() if k.startswith('reply.'))}: sentinels only), an ignore or "
              f"a malformed reason; no reply to a hostile frame")
        # Of what reached the DHCP server, only the sentinel DISCOVER was answered.
        self.assertEqual(c.get("dhcp.offered", 0), 1, c)
        self.assertEqual(c.get("dhcp.not_a_client_message", 0), 3, c)
        self.assertEqual(c.get("dhcp.out.offer", 0), 1, c)
        for reason in ("malformed.ipv4.bad_checksum", "malformed.icmpv4.bad_checksum",
                       "malformed.ipv4.truncated", "fragments.received", "ignored.own_source_mac",
                       "ignored.group_source_mac", "malformed.ethernet.too_many_vlan_tags",
                       "malformed.dhcp.truncated", "malformed.dhcp.bad_magic_cookie",
                       "malformed.dhcp.bad_operation", "malformed.dhcp.unsupported_hardware",
                       "malformed.dhcp.bad_option_length", "malformed.dhcp.bad_overload",
                       "malformed.dhcp.not_dhcp", "malformed.dhcp.bad_message_type"):
            self.assertGreater(c.get(reason, 0), 0, f"{reason} not counted: {c}")
        self.assertEqual(ping_stats(self.ping(count=10)), (10, 10))
        self.assertEqual(b["nic_receive_errors"], 0)


if __name__ == "__main__":
    main()
