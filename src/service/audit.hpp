#pragma once
// The audit trail: who changed which user, key or setting, when, from where. Entries are written
// in the same transaction as the change they describe, so a rolled-back change leaves no entry.
// Thread-safe (stateless apart from references).
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/actor.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct AuditEntry {
    AuditId id;
    TimePoint at;
    UserId actor_id;
    std::string actor_name;
    std::string action;       // "user.create", "user.update", "api_key.create", ...
    std::string target_type;  // "user", "api_key", ...
    std::string target_id;
    std::string details_json;  // a JSON object
};

using AuditDetails = std::vector<std::pair<std::string, std::string>>;

class AuditLog {
  public:
    AuditLog(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

    // Appends an entry inside `tx`. Fails as the insert does.
    Status Record(storage::Transaction& tx, const Actor& actor, std::string_view action,
                  std::string_view target_type, std::string_view target_id,
                  const AuditDetails& details = {}) const;

    // Newest first. Needs Permission::kReadAudit.
    Result<Page<AuditEntry>> List(const Actor& actor, const PageRequest& page) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
};

}  // namespace overture::service
