#pragma once
// The steps of `overture demo` (demo_command.cpp): the `purchase` custom resource, and writing
// generated profiles (demo_data.hpp), their purchases, the services and subscriptions and the
// test profiles inside the caller's write transaction with Transaction::BulkInsert, values
// already in their stored form. Stateless functions; a transaction belongs to one thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo_data.hpp"
#include "common/error.hpp"
#include "schema/model.hpp"
#include "service/schema_service.hpp"
#include "storage/database.hpp"

namespace overture::app {

// Demo profiles are those whose externalId matches this LIKE pattern ("CRM-000123").
inline constexpr std::string_view kDemoExternalIds = "CRM-%";

// The `purchase` resource the demo fills: sku, product, category, amount, currency, quantity,
// purchasedAt, channel, and the link `profile` (one; reverse name `purchases`).
schema::Resource PurchaseResource();

// The model in force, with `purchase` published first (as the system actor) when it lacks it.
// kFailedPrecondition when a `purchase` resource exists without the fields or link the demo
// fills; otherwise fails as SchemaService::Publish does.
Result<std::shared_ptr<const schema::Model>> EnsurePurchase(service::SchemaService& schema);

// The number of demo profiles in the database. Fails as the query does.
Result<std::int64_t> CountDemoProfiles(storage::Transaction& tx, storage::Dialect d);

struct DemoService {
    std::string name;
    std::string label;
    std::string description;
    std::string channel;  // email or sms
    std::int64_t id = 0;  // filled by EnsureServices
    std::int64_t validity_days = 0;
};

// Creates each service unless one of the same name exists, and fills in ids and validity.
Status EnsureServices(storage::Transaction& tx, storage::Dialect d, const std::string& now,
                      std::vector<DemoService>& services);

// kInternal when a generated email or phone number is not what the normalizers would store:
// a bug in the generator or its tables.
Status CheckNormalized(const DemoProfile& p);

struct DemoTotals {
    std::int64_t profiles = 0;
    std::int64_t purchases = 0;
    std::int64_t subscriptions = 0;
    std::int64_t test_profiles = 0;
    std::int64_t first_profile_id = 0;
};

// Writes a chunk of profiles, reads their ids back (those above `last_id`, which it advances),
// then writes their purchases, subscriptions (services[0]: newsletter, services[1]: SMS) and
// subscription history. Fails as BulkInsert does; the transaction is then unusable.
Status LoadChunk(storage::Transaction& tx, storage::Dialect d, const schema::Resource& purchase,
                 const std::vector<DemoProfile>& chunk, const std::vector<DemoService>& services,
                 std::int64_t& last_id, DemoTotals& totals);

// The three test profiles: a seed address (trap), a QA inbox (proofs), and the marketing lead
// (proofs and previews with the data of totals.first_profile_id).
Status LoadTestProfiles(storage::Transaction& tx, const std::string& now, DemoTotals& totals);

// A delivery template "Weekly newsletter" (personalized, with unsubscribe and mirror links) and
// a draft made from it, so that Messages has something to open, preview, proof and send.
// `now_ms` is Unix milliseconds.
Status LoadDemoDeliveries(storage::Transaction& tx, storage::Dialect d, std::int64_t now_ms);

}  // namespace overture::app
