#pragma once
#include <caf/atom.hpp>

namespace etherbeam::apps::sim {

// A frame for a simulated host, from the stage to the host's actor.
using host_frame_atom = caf::atom_constant<caf::atom("simframe")>;
// A DHCP host's start (its client's first DISCOVER), and its client's timer.
using host_start_atom = caf::atom_constant<caf::atom("simstart")>;
using host_timer_atom = caf::atom_constant<caf::atom("simtimer")>;
// A DHCP host's timer, handed to the manager that keeps them (host index,
// when), and the manager's own wake-up to send those that are due.
using host_arm_atom = caf::atom_constant<caf::atom("simarm")>;
using host_tick_atom = caf::atom_constant<caf::atom("simtick")>;
// A frame that crossed a host's impaired link late (delayed, held back).
using host_arrival_atom = caf::atom_constant<caf::atom("simlate")>;
// Every DHCP host reboots at once (the avalanche): INIT-REBOOT with what it holds.
using host_reboot_atom = caf::atom_constant<caf::atom("simreboot")>;
// A host asked to ARP for or ping an address (probe_kind, address, count),
// answered with a report; and its probe's wait for an answer running out.
using host_probe_atom = caf::atom_constant<caf::atom("simprobe")>;
using host_probe_timeout_atom = caf::atom_constant<caf::atom("simprobet")>;
// Hosts a `sim add` appended to the roster, [first, end), for the manager to
// spawn; and a host removed (it releases its lease, if it holds one, and ends).
using host_spawn_atom = caf::atom_constant<caf::atom("simspawn")>;
using host_remove_atom = caf::atom_constant<caf::atom("simremove")>;
// The manager's progress line while DHCP hosts come up.
using host_progress_atom = caf::atom_constant<caf::atom("simprog")>;

} // namespace etherbeam::apps::sim
