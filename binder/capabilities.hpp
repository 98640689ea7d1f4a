#pragma once
#include <string>

namespace etherbeam::binder {

// Drops every capability but CAP_NET_RAW from the effective, permitted,
// inheritable, ambient and (when allowed) bounding sets, and sets
// no_new_privs. Throws std::runtime_error if the kernel refuses.
void keep_only_net_raw();

// The effective capability set as text ("cap_net_raw=ep"), for logs and tests.
std::string current_capabilities();

} // namespace etherbeam::binder
