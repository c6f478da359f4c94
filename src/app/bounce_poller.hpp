#pragma once
// The bounce mailbox poller of `overture serve`: when bounces.imap_url is set, a thread polls
// the mailbox every bounces.imap_poll_seconds, parses each message (DSN, ARF) and stores its
// events through BounceService. A message whose events cannot be stored stays in the mailbox
// for the next poll. Failures (login refused, server unreachable) are logged and retried at the
// next poll. Stop() (or the destructor) wakes the thread and joins it.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "service/bounces.hpp"

namespace overture::app {

class BouncePoller {
  public:
    BouncePoller(const config::BouncesConfig& cfg, const service::BounceService& bounces);
    ~BouncePoller();
    void Stop();

  private:
    void Run(std::stop_token stop);

    config::BouncesConfig cfg_;
    const service::BounceService& bounces_;
    std::mutex mu_;
    std::condition_variable_any wake_;
    std::jthread thread_;
};

}  // namespace overture::app
