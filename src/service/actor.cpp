#include "service/actor.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace overture::service {

Actor Actor::System() {
    Actor a;
    a.username = "system";
    a.role = Role::kAdministrator;
    a.remote = "cli";
    return a;
}

bool Actor::HasScope(Scope s) const {
    if (s == Scope::kRead && HasScopeExact(Scope::kWrite)) return true;  // write implies read
    return HasScopeExact(s);
}

bool Actor::HasScopeExact(Scope s) const {
    return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
}

Status Require(const Actor& actor, Permission p) {
    if (!RoleAllows(actor.role, p)) {
        return Fail(Error::PermissionDenied(fmt::format("the {} role may not {}",
                                                        RoleName(actor.role), PermissionName(p)))
                        .With("role", std::string(RoleName(actor.role))));
    }
    if (actor.via_api_key() && !actor.HasScope(ScopeFor(p))) {
        return Fail(
            Error::PermissionDenied(fmt::format("this API key lacks the '{}' scope needed to {}",
                                                ScopeName(ScopeFor(p)), PermissionName(p)))
                .With("scope", std::string(ScopeName(ScopeFor(p)))));
    }
    return {};
}

}  // namespace overture::service
