#pragma once
// Subscribing profiles to services (newsletters, SMS alerts) and unsubscribing them, with a
// history row for each change and its origin ("api", "import", "landing page", ...). A service
// with validityDays > 0 gives its subscriptions an expiry date. Thread-safe.
#include <boost/json/object.hpp>
#include <string>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "service/actor.hpp"
#include "service/records.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct SubscribeResult {
    boost::json::object subscription;
    bool created = false;  // false: the profile was already subscribed
};

class SubscriptionService {
  public:
    SubscriptionService(storage::Database& db, const Clock& clock, const RecordService& records)
        : db_(db), clock_(clock), records_(records) {}

    // Needs kWriteData. kNotFound for an unknown service; kInvalidArgument (field "profile")
    // for an unknown profile. Subscribing twice keeps the first subscription.
    Result<SubscribeResult> Subscribe(const Actor& actor, std::int64_t service_id,
                                      std::int64_t profile_id, std::string_view origin) const;
    // kNotFound when the profile is not subscribed to the service.
    Status Unsubscribe(const Actor& actor, std::int64_t service_id, std::int64_t profile_id,
                       std::string_view origin) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const RecordService& records_;
};

}  // namespace overture::service
