#pragma once
// Enqueues with the sender's execution unit: when it is a scheduler worker,
// the receiver runs next on that same thread. anon_send passes none, and the
// scheduler then hands the receiver to its workers in turn: a wake-up of
// another thread per frame (~50 us on the lab VM, measured).
#include <utility>

#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_id.hpp>

namespace etherbeam::actors {

template <class Handle, class... Ts>
void tell(caf::execution_unit* here, const Handle& to, Ts&&... xs) {
  if (!to) return; // a registered actor between its end and its restart
  to->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::forward<Ts>(xs)...), here);
}

} // namespace etherbeam::actors
