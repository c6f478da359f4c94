#include "service/subscriptions.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "service/queries.hpp"

namespace overture::service {

using storage::Transaction;
using storage::Value;

namespace {

Status CheckOrigin(std::string_view origin) {
    if (origin.size() > 100) {
        return Fail(Error::InvalidArgument("origin must be at most 100 characters")
                        .With("field", "origin"));
    }
    return {};
}

}  // namespace

Result<SubscribeResult> SubscriptionService::Subscribe(const Actor& actor, std::int64_t service_id,
                                                       std::int64_t profile_id,
                                                       std::string_view origin) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    if (auto st = CheckOrigin(origin); !st) return Fail(st.error());
    auto now = clock_.Now();
    auto id =
        storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::pair<std::int64_t, bool>> {
            auto service = tx.Query(q::kServiceValidity, {service_id});
            if (!service) return Fail(service.error());
            if (service->empty()) {
                return Fail(
                    Error::NotFound(fmt::format("there is no service with id {}", service_id)));
            }
            auto profile = tx.Query(q::kProfileExists, {profile_id});
            if (!profile) return Fail(profile.error());
            if (profile->empty()) {
                return Fail(Error::InvalidArgument(
                                fmt::format("profile: there is no profile with id {}", profile_id))
                                .With("field", "profile"));
            }
            auto existing = tx.Query(q::kSubscriptionFind, {service_id, profile_id});
            if (!existing) return Fail(existing.error());
            if (!existing->empty()) {
                return std::pair{storage::AsInt(existing->rows[0][0]), false};
            }
            std::int64_t days = storage::AsInt(service->rows[0][0]);
            Value expires =
                days > 0 ? Value(FormatRfc3339(now + std::chrono::days(days))) : Value();
            auto stamp = FormatRfc3339(now);
            auto inserted = tx.Query(q::kSubscriptionInsert,
                                     {stamp, std::string(origin), expires, service_id, profile_id});
            if (!inserted) return Fail(inserted.error());
            auto h = tx.Exec(
                q::kSubscriptionHistoryInsert,
                {stamp, std::string("subscribe"), std::string(origin), service_id, profile_id});
            if (!h) return Fail(h.error());
            return std::pair{storage::AsInt(inserted->rows.at(0).at(0)), true};
        });
    if (!id) return Fail(id.error());
    auto record = records_.Get(actor, "subscription", id->first);
    if (!record) return Fail(record.error());
    return SubscribeResult{std::move(*record), id->second};
}

Status SubscriptionService::Unsubscribe(const Actor& actor, std::int64_t service_id,
                                        std::int64_t profile_id, std::string_view origin) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    if (auto st = CheckOrigin(origin); !st) return Fail(st.error());
    auto stamp = FormatRfc3339(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto deleted = tx.Query(q::kSubscriptionDelete, {service_id, profile_id});
        if (!deleted) return Fail(deleted.error());
        if (deleted->empty()) {
            return Fail(Error::NotFound(
                fmt::format("profile {} is not subscribed to service {}", profile_id, service_id)));
        }
        auto h = tx.Exec(
            q::kSubscriptionHistoryInsert,
            {stamp, std::string("unsubscribe"), std::string(origin), service_id, profile_id});
        if (!h) return Fail(h.error());
        return {};
    });
}

}  // namespace overture::service
