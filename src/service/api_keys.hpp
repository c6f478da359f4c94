#pragma once
// API keys for scripts and other systems: `Authorization: Bearer ovk_<prefix>_<secret>`.
//
// A key belongs to a user and acts with that user's role, narrowed by its scopes (read, write).
// The full key is shown once, at creation; the database keeps its prefix (to find it) and a
// digest (to check it). A revoked key, or a key of a disabled user, stops working at once.
// Thread-safe (holds only references).
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "common/random.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct ApiKey {
    ApiKeyId id;
    UserId user_id;
    std::string username;
    std::string name;
    std::string prefix;
    std::vector<Scope> scopes;
    TimePoint created_at;
    std::optional<TimePoint> last_used_at;
    std::optional<TimePoint> revoked_at;
};

struct CreatedApiKey {
    ApiKey key;
    std::string secret;  // the whole key; shown once
};

class ApiKeyService {
  public:
    ApiKeyService(storage::Database& db, const Clock& clock, Random& random, const AuditLog& audit)
        : db_(db), clock_(clock), random_(random), audit_(audit) {}

    // A key for the actor's own user. kInvalidArgument for an empty or long name or no scopes;
    // through an API key, the new key may not have scopes the acting key lacks.
    Result<CreatedApiKey> Create(const Actor& actor, std::string_view name,
                                 const std::vector<Scope>& scopes) const;
    // The actor's own keys; everyone's with kManageAllApiKeys.
    Result<Page<ApiKey>> List(const Actor& actor, const PageRequest& page) const;
    // Revokes a key of the actor's own, or any key with kManageAllApiKeys. kNotFound otherwise
    // (a key of someone else is not revealed to exist).
    Status Revoke(const Actor& actor, ApiKeyId id) const;
    // The actor a presented key stands for. kUnauthenticated for a malformed, unknown, revoked
    // or disabled user's key (one message for all).
    Result<Actor> Authenticate(std::string_view presented, std::string_view remote) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    Random& random_;
    const AuditLog& audit_;
};

}  // namespace overture::service
