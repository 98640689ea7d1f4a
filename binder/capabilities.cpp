#include "binder/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace etherbeam::binder {

void keep_only_net_raw() {
  cap_t current = cap_get_proc();
  cap_flag_value_t has_raw = CAP_CLEAR;
  cap_get_flag(current, CAP_NET_RAW, CAP_PERMITTED, &has_raw);
  cap_flag_value_t has_setpcap = CAP_CLEAR;
  cap_get_flag(current, CAP_SETPCAP, CAP_EFFECTIVE, &has_setpcap);
  cap_free(current);

  // The bounding set can only shrink with CAP_SETPCAP; without it (a non-root
  // user given only CAP_NET_RAW) it is already as small as it matters.
  if (has_setpcap == CAP_SET)
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; ++c)
      if (c != CAP_NET_RAW && CAP_IS_SUPPORTED(c)) cap_drop_bound(c);
  cap_reset_ambient();

  cap_t wanted = cap_init();
  if (has_raw == CAP_SET) {
    cap_value_t raw = CAP_NET_RAW;
    cap_set_flag(wanted, CAP_PERMITTED, 1, &raw, CAP_SET);
    cap_set_flag(wanted, CAP_EFFECTIVE, 1, &raw, CAP_SET);
  }
  int rc = cap_set_proc(wanted);
  int err = errno;
  cap_free(wanted);
  if (rc != 0)
    throw std::runtime_error(std::string("cannot drop capabilities: ") + std::strerror(err));
  ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

std::string current_capabilities() {
  cap_t caps = cap_get_proc();
  char* text = cap_to_text(caps, nullptr);
  std::string result = text ? text : "?";
  cap_free(text);
  cap_free(caps);
  return result;
}

} // namespace etherbeam::binder
