// The delivery worker: see delivery_worker.hpp.
#include "app/delivery_worker.hpp"

#include <date/tz.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/log.hpp"
#include "common/random.hpp"
#include "common/strings.hpp"
#include "service/actor.hpp"

namespace overture::app {

namespace json = boost::json;
using storage::Value;

namespace {

std::int64_t SteadyMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string OwnerId() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    SecureRandom random;
    return fmt::format("{}:{}:{}", host, getpid(), RandomToken(random, 6));
}

// The instant of `date` `time` ("2026-12-01", "09:00") in `zone`, or nullopt when the zone is
// unknown or the text is malformed.
std::optional<TimePoint> LocalInstant(std::string_view date_text, std::string_view time_text,
                                      const std::string& zone) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    if (std::sscanf(std::string(date_text).c_str(), "%d-%d-%d", &y, &mo, &d) != 3 ||
        std::sscanf(std::string(time_text).c_str(), "%d:%d", &h, &mi) != 2) {
        return std::nullopt;
    }
    try {
        const auto* tz = date::locate_zone(zone);
        const auto local = date::local_days{date::year(y) / date::month(static_cast<unsigned>(mo)) /
                                            date::day(static_cast<unsigned>(d))} +
                           std::chrono::hours(h) + std::chrono::minutes(mi);
        const auto sys = tz->to_sys(local, date::choose::earliest);
        return std::chrono::time_point_cast<std::chrono::milliseconds>(sys);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

DeliveryWorker::DeliveryWorker(storage::Database& db, const Clock& clock,
                               const config::DeliveryConfig& cfg,
                               const service::DeliveryService& deliveries,
                               const service::DeliveryPreparer& preparer,
                               service::EmailChannels& channels,
                               const service::SchemaService& schema, const service::AuditLog& audit)
    : db_(db),
      clock_(clock),
      cfg_(cfg),
      deliveries_(deliveries),
      preparer_(preparer),
      channels_(channels),
      schema_(schema),
      audit_(audit),
      owner_(OwnerId()) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
    control_ = std::thread([this] {
        SetThreadName("ov-delivery");
        ControlLoop();
    });
    for (int i = 0; i < cfg_.sender_threads; ++i) {
        senders_.emplace_back([this, i] {
            SetThreadName(fmt::format("ov-send-{}", i + 1));
            SenderLoop();
        });
    }
}

void DeliveryWorker::Stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !control_.joinable()) return;
        stopping_ = true;
        for (auto& [id, a] : active_) a->cancel = true;
    }
    wake_.notify_all();
    work_.notify_all();
    if (control_.joinable()) control_.join();
    for (auto& t : senders_) {
        if (t.joinable()) t.join();
    }
    senders_.clear();
    if (preparing_.joinable()) preparing_.join();
}

void DeliveryWorker::Wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void DeliveryWorker::ControlLoop() {
    while (true) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(cfg_.tick_milliseconds),
                           [this] { return woken_ || stopping_; });
            if (stopping_) return;
            woken_ = false;
        }
        Tick();
    }
}

void DeliveryWorker::Tick() {
    auto rows = storage::WithRead(db_, [](storage::Transaction& tx) {
        return tx.Query("worker-deliveries", std::initializer_list<Value>{});
    });
    if (!rows) {
        spdlog::warn("delivery worker: {}", rows.error().message);
        return;
    }
    const std::int64_t now = ToUnixMillis(clock_.Now());
    std::map<std::int64_t, std::string> states;
    for (const auto& r : rows->rows) {
        const std::int64_t id = storage::AsInt(r[0]);
        const std::string state = storage::AsString(r[1]);
        states[id] = state;
        if (state == "preparing") {
            if (!preparation_running_ && storage::AsInt(r[4]) <= now) StartPreparation(id);
        } else if (state == "scheduled") {
            if (!storage::IsNull(r[2]) && storage::AsInt(r[2]) <= now) {
                if (auto st = StartSending(id); !st) {
                    spdlog::warn("delivery {}: {}", id, st.error().message);
                }
            }
        }
    }
    // Deliveries to send now, and those that left the sending state.
    std::vector<std::int64_t> to_activate, to_check;
    {
        std::lock_guard lock(mutex_);
        for (auto it = active_.begin(); it != active_.end();) {
            auto s = states.find(it->first);
            if (s == states.end() || s->second != "sending") {
                it->second->cancel = true;  // paused, stopped, finished or deleted
                it = active_.erase(it);
                continue;
            }
            if (it->second->idle_until.load() > 0 && it->second->running.load() == 0) {
                to_check.push_back(it->first);
            }
            ++it;
        }
        for (const auto& [id, state] : states) {
            if (state == "sending" && !active_.contains(id)) to_activate.push_back(id);
        }
    }
    for (auto id : to_activate) Activate(id);
    for (auto id : to_check) CheckFinished(id);
    ApplyBounces();
}

void DeliveryWorker::StartPreparation(std::int64_t id) {
    const auto now = clock_.Now();
    auto claimed = storage::WithWrite(db_, [&](storage::Transaction& tx) {
        return tx.Exec("worker-claim-preparation",
                       {Value(id), Value(owner_), Value(ToUnixMillis(now)),
                        Value(ToUnixMillis(now + std::chrono::seconds(cfg_.lease_seconds)))});
    });
    if (!claimed || *claimed == 0) return;
    if (preparing_.joinable()) preparing_.join();
    preparation_running_ = true;
    preparing_ = std::thread([this, id] {
        SetThreadName("ov-prepare");
        auto d = deliveries_.Load(service::DeliveryId(id));
        Result<service::Preparation> result =
            d ? preparer_.Run(*d,
                              [&](std::int64_t done, std::int64_t total) {
                                  {
                                      std::lock_guard lock(mutex_);
                                      if (stopping_) return false;
                                  }
                                  const auto until =
                                      clock_.Now() + std::chrono::seconds(cfg_.lease_seconds);
                                  auto n = storage::WithWrite(db_, [&](storage::Transaction& tx) {
                                      return tx.Exec("worker-prepare-progress",
                                                     {Value(id), Value(done), Value(total),
                                                      Value(owner_), Value(ToUnixMillis(until))});
                                  });
                                  return n && *n == 1;
                              })
              : Result<service::Preparation>(Fail(d.error()));
        if (!result) {
            if (!result.error().details.contains("abandoned")) {
                spdlog::warn("delivery {}: preparation failed: {}", id, result.error().message);
                FailDelivery(id, "preparation failed: " + result.error().message);
            }
            preparation_running_ = false;
            return;
        }
        const bool ok = result->errors.empty();
        std::int64_t ignored = 0;
        for (const auto& [cause, count] : result->excluded) ignored += count;
        const auto text = service::PreparationToJson(*result);
        auto st = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<bool> {
            auto n = tx.Exec("worker-prepare-done",
                             {Value(id), Value(std::string(ok ? "ready" : "draft")), Value(text),
                              Value(ToUnixMillis(clock_.Now())), Value(owner_),
                              Value(result->to_send), Value(ignored)});
            if (!n) return Fail(n.error());
            if (*n == 0) return false;
            if (auto a = audit_.Record(tx, service::Actor::System(),
                                       ok ? "delivery.prepared" : "delivery.prepare_failed",
                                       "delivery", std::to_string(id),
                                       {{"toSend", std::to_string(result->to_send)},
                                        {"errors", std::to_string(result->errors.size())}});
                !a) {
                return Fail(a.error());
            }
            return true;
        });
        if (!st) spdlog::warn("delivery {}: {}", id, st.error().message);
        preparation_running_ = false;
        Wake();
    });
}

Status DeliveryWorker::StartSending(std::int64_t id) {
    auto d = deliveries_.Load(service::DeliveryId(id));
    if (!d) return Fail(d.error());
    const auto now = clock_.Now();
    // Send at each recipient's local time: one next-attempt time per time zone.
    std::vector<std::pair<std::string, std::int64_t>> zones;
    const auto* schedule = d->settings.if_contains("schedule");
    const bool local = schedule && schedule->is_object() &&
                       schedule->get_object().if_contains("kind") &&
                       schedule->get_object().at("kind") == "local";
    if (local) {
        const auto& s = schedule->get_object();
        auto str = [&](std::string_view k) {
            const auto* v = s.if_contains(k);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        const std::string fallback =
            str("defaultTimeZone").empty() ? "UTC" : str("defaultTimeZone");
        auto tzs = storage::WithRead(db_, [&](storage::Transaction& tx) {
            return tx.Query("prepare-local-times", {Value(id)});
        });
        if (!tzs) return Fail(tzs.error());
        for (const auto& r : tzs->rows) {
            const std::string zone = storage::AsString(r[0]);
            auto at = LocalInstant(str("date"), str("time"), zone.empty() ? fallback : zone);
            if (!at) at = LocalInstant(str("date"), str("time"), fallback);
            zones.emplace_back(zone, at ? ToUnixMillis(*at) : ToUnixMillis(now));
        }
    }
    auto st = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<bool> {
        for (const auto& [zone, at] : zones) {
            if (auto n = tx.Exec("prepare-set-local-time", {Value(id), Value(zone), Value(at)});
                !n) {
                return Fail(n.error());
            }
        }
        auto n = tx.Exec("worker-start", {Value(id), Value(ToUnixMillis(now))});
        if (!n) return Fail(n.error());
        if (*n == 0) return false;
        if (auto a = audit_.Record(tx, service::Actor::System(), "delivery.start", "delivery",
                                   std::to_string(id));
            !a) {
            return Fail(a.error());
        }
        return true;
    });
    if (!st) return Fail(st.error());
    return {};
}

void DeliveryWorker::Activate(std::int64_t id) {
    auto d = deliveries_.Load(service::DeliveryId(id));
    if (!d) {
        spdlog::warn("delivery {}: {}", id, d.error().message);
        return;
    }
    auto plan = channels_.PlanFor(*d, schema_.Current());
    if (!plan) {
        FailDelivery(id, plan.error().message);
        return;
    }
    auto session = channels_.Open(*d);
    if (!session) {
        FailDelivery(id, session.error().message);
        return;
    }
    delivery::SenderOptions options{.owner = owner_,
                                    .batch_size = cfg_.batch_size,
                                    .lease = std::chrono::seconds(cfg_.lease_seconds)};
    auto send =
        delivery::DeliverySend::Create(db_, clock_, std::move(*plan), std::move(*session), options);
    if (!send) {
        FailDelivery(id, send.error().message);
        return;
    }
    auto active = std::make_shared<Active>();
    active->send = std::move(*send);
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        active_[id] = std::move(active);
    }
    work_.notify_all();
}

void DeliveryWorker::FailDelivery(std::int64_t id, const std::string& why) {
    auto st = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<bool> {
        auto n = tx.Exec("worker-fail", {Value(id), Value(ToUnixMillis(clock_.Now())), Value(why)});
        if (!n) return Fail(n.error());
        if (*n == 0) return false;
        if (auto a = audit_.Record(tx, service::Actor::System(), "delivery.fail", "delivery",
                                   std::to_string(id), {{"reason", why}});
            !a) {
            return Fail(a.error());
        }
        return true;
    });
    if (!st) spdlog::warn("delivery {}: {}", id, st.error().message);
    spdlog::warn("delivery {} failed: {}", id, why);
}

void DeliveryWorker::CheckFinished(std::int64_t id) {
    auto st = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<bool> {
        auto n = tx.Exec("worker-finish", {Value(id), Value(ToUnixMillis(clock_.Now()))});
        if (!n) return Fail(n.error());
        if (*n == 0) return false;
        if (auto a = audit_.Record(tx, service::Actor::System(), "delivery.finish", "delivery",
                                   std::to_string(id));
            !a) {
            return Fail(a.error());
        }
        return true;
    });
    if (!st) {
        spdlog::warn("delivery {}: {}", id, st.error().message);
    } else if (*st) {
        spdlog::info("delivery {} finished", id);
        std::lock_guard lock(mutex_);
        if (auto it = active_.find(id); it != active_.end()) {
            it->second->cancel = true;
            active_.erase(it);
        }
    }
}

void DeliveryWorker::ApplyBounces() {
    auto rows = storage::WithRead(db_, [](storage::Transaction& tx) {
        return tx.Query("bounce-unapplied", {Value(std::int64_t{200})});
    });
    if (!rows || rows->empty()) return;
    const auto now = clock_.Now();
    const std::string iso = FormatRfc3339(now);
    const std::string day_before = FormatRfc3339(now - std::chrono::hours(24));
    const std::int64_t hour = ToUnixMillis(now) - ToUnixMillis(now) % delivery::kHourMillis;
    // The hourly roll-up (docs/reports.md): an asynchronous hard bounce of a sent message, or a
    // complaint about one.
    auto count = [&](storage::Transaction& tx, const Value& delivery, bool complaint,
                     const std::string& reason) -> Status {
        const Value one(std::int64_t{1}), zero(std::int64_t{0});
        if (auto n =
                tx.Exec("stats-add-sending", {delivery, Value(hour), zero, complaint ? zero : one,
                                              zero, zero, complaint ? one : zero});
            !n) {
            return Fail(n.error());
        }
        if (complaint) return {};
        auto n = tx.Exec("stats-add-failure",
                         {delivery, Value(hour), Value(std::string("hard")), Value(reason), one});
        if (!n) return Fail(n.error());
        return {};
    };
    auto st = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<bool> {
        for (const auto& r : rows->rows) {
            const std::int64_t event = storage::AsInt(r[0]);
            const std::string kind = storage::AsString(r[1]);
            const bool known = !storage::IsNull(r[2]) && !storage::IsNull(r[3]);
            std::string address = storage::AsString(r[4]);
            const std::string outcome = storage::AsString(r[5]);
            const std::string reason = storage::AsString(r[6]);
            const std::string diagnostic = storage::AsString(r[7]);
            bool logged = false;  // the sending log has the row (so the delivery exists)
            if (known) {
                auto a = tx.Query("bounce-row-address", {r[2], r[3]});
                if (!a) return Fail(a.error());
                if (!a->empty()) address = storage::AsString(a->rows[0][0]);
                logged = !a->empty();
            }
            if (kind == "complaint") {
                if (logged) {
                    if (auto c = count(tx, r[2], true, reason); !c) return Fail(c.error());
                }
                if (!address.empty()) {
                    if (auto n = tx.Exec("quarantine-denylist", {Value(address), Value(iso),
                                                                 Value(std::string("complaint"))});
                        !n) {
                        return Fail(n.error());
                    }
                }
            } else if (outcome == "hard") {
                if (known) {
                    auto n = tx.Exec("bounce-fail-row", {r[2], r[3], Value(ToUnixMillis(now)),
                                                         Value(std::string("hard")), Value(reason),
                                                         Value(diagnostic)});
                    if (!n) return Fail(n.error());
                    if (*n == 1) {
                        if (auto c = tx.Exec("bounce-count", {r[2]}); !c) return Fail(c.error());
                        if (auto c = count(tx, r[2], false, reason); !c) return Fail(c.error());
                    }
                }
                if (!address.empty()) {
                    if (auto n =
                            tx.Exec("quarantine-hard", {Value(address), Value(iso), Value(reason)});
                        !n) {
                        return Fail(n.error());
                    }
                }
            } else if (outcome == "soft" && !address.empty()) {
                if (auto n = tx.Exec("quarantine-soft", {Value(address), Value(iso), Value(reason),
                                                         Value(day_before)});
                    !n) {
                    return Fail(n.error());
                }
            }
            if (auto n = tx.Exec("bounce-applied", {Value(event), Value(ToUnixMillis(now))}); !n) {
                return Fail(n.error());
            }
        }
        return true;
    });
    if (!st) spdlog::warn("applying bounces: {}", st.error().message);
}

std::shared_ptr<DeliveryWorker::Active> DeliveryWorker::NextActive() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const std::int64_t now = SteadyMillis();
        std::vector<std::shared_ptr<Active>> ready;
        std::int64_t soonest = now + cfg_.tick_milliseconds;
        for (auto& [id, a] : active_) {
            if (a->cancel) continue;
            const auto idle = a->idle_until.load();
            if (idle <= now) {
                ready.push_back(a);
            } else {
                soonest = std::min(soonest, idle);
            }
        }
        if (!ready.empty()) {
            auto a = ready[round_robin_++ % ready.size()];
            ++a->running;
            return a;
        }
        work_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(1, soonest - now)));
    }
    return nullptr;
}

void DeliveryWorker::SenderLoop() {
    while (auto a = NextActive()) {
        auto stats = a->send->RunBatch(a->cancel);
        if (!stats) {
            spdlog::warn("delivery {}: {}", a->send->delivery_id(), stats.error().message);
            a->idle_until = SteadyMillis() + 1000;
        } else if (a->send->route_down()) {
            // Nothing gets through: stop retrying a dead route row by row.
            a->cancel = true;
            FailDelivery(a->send->delivery_id(),
                         fmt::format("the route failed for {} batches in a row ({}); fix it, "
                                     "then resume the delivery",
                                     delivery::kRouteDownBatches, a->send->route_error()));
            Wake();
        } else if (stats->claimed == 0) {
            // Nothing due: the control thread checks whether the delivery is finished.
            a->idle_until = SteadyMillis() + 500;
            Wake();
        } else {
            a->idle_until = 0;
        }
        --a->running;
    }
}

}  // namespace overture::app
