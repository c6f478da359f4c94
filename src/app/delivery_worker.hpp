#pragma once
// The delivery worker of `overture serve` (docs/deliveries.md, "Sending"): one control thread
// and `delivery.sender_threads` sender threads.
//
// The control thread, every `delivery.tick_milliseconds` or when woken by a user's action:
// - claims a delivery in "preparing" (a lease on the delivery row, so one node prepares it) and
//   runs the DeliveryPreparer on a thread of its own, then sets "ready" or "draft";
// - starts "scheduled" deliveries whose start time has come (and spreads a send-at-local-time
//   delivery over its recipients' time zones);
// - keeps one DeliverySend per "sending" delivery for the sender threads, and cancels it at
//   once when the delivery is paused, stopped or deleted;
// - marks a delivery "finished" when no row is pending, or "failed" when it cannot be sent
//   (route gone, content that no longer compiles), with the reason;
// - applies asynchronous bounces and complaints (bounce_events) to the sending logs and the
//   quarantine.
// Sender threads take the active deliveries in turn and run one batch each time.
//
// Every state change the worker makes is written to the audit trail as the system.
//
// Thread-safety: Wake may be called from any thread; Start and Stop from one.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "delivery/sender.hpp"
#include "service/audit.hpp"
#include "service/deliveries.hpp"
#include "service/delivery_prepare.hpp"
#include "service/email_sending.hpp"
#include "service/schema_service.hpp"

namespace overture::app {

class DeliveryWorker {
  public:
    DeliveryWorker(storage::Database& db, const Clock& clock, const config::DeliveryConfig& cfg,
                   const service::DeliveryService& deliveries,
                   const service::DeliveryPreparer& preparer, service::EmailChannels& channels,
                   const service::SchemaService& schema, const service::AuditLog& audit);
    ~DeliveryWorker();

    void Start();
    // Stops claiming work, lets the batches in flight finish and write their outcomes, joins.
    void Stop();
    void Wake();

    const std::string& owner() const { return owner_; }

  private:
    struct Active {
        std::unique_ptr<delivery::DeliverySend> send;
        std::atomic<bool> cancel{false};
        std::atomic<std::int64_t> idle_until{0};  // steady ms: nothing due before
        std::atomic<int> running{0};              // sender threads in a batch now
    };

    void ControlLoop();
    void SenderLoop();
    void Tick();
    void StartPreparation(std::int64_t id);
    Status StartSending(std::int64_t id);
    void Activate(std::int64_t id);
    void FailDelivery(std::int64_t id, const std::string& why);
    void CheckFinished(std::int64_t id);
    void ApplyBounces();
    std::shared_ptr<Active> NextActive();

    storage::Database& db_;
    const Clock& clock_;
    config::DeliveryConfig cfg_;
    const service::DeliveryService& deliveries_;
    const service::DeliveryPreparer& preparer_;
    service::EmailChannels& channels_;
    const service::SchemaService& schema_;
    const service::AuditLog& audit_;
    std::string owner_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable work_;
    bool woken_ = false;
    bool stopping_ = false;
    std::map<std::int64_t, std::shared_ptr<Active>> active_;
    std::size_t round_robin_ = 0;

    std::thread control_;
    std::vector<std::thread> senders_;
    std::thread preparing_;
    std::atomic<bool> preparation_running_{false};
};

}  // namespace overture::app
