#pragma once
// Who is acting: a user through a session, a user through an API key (limited by its scopes),
// or the system itself (CLI commands run by the operator). Plain value.
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/roles.hpp"

namespace overture::service {

struct Actor {
    UserId user_id;  // 0 for the system
    std::string username;
    Role role = Role::kAnalyst;
    ApiKeyId api_key_id;        // set when acting through an API key
    std::vector<Scope> scopes;  // the key's scopes; ignored without a key
    std::string remote;         // client address, for the audit trail

    // The operator at the command line: an administrator that is nobody in the users table.
    static Actor System();
    bool via_api_key() const { return static_cast<bool>(api_key_id); }
    // True when the key grants `s`; write implies read.
    bool HasScope(Scope s) const;

  private:
    bool HasScopeExact(Scope s) const;
};

// Ok when the actor's role allows `p` and, through an API key, the key has the scope `p`
// needs. Otherwise kPermissionDenied with a message that says which role or scope is missing.
Status Require(const Actor& actor, Permission p);

}  // namespace overture::service
