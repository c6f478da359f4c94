#pragma once
// Roles, API-key scopes and the permission table: who may do what. Checked in service/, never
// in HTTP handlers. Pure functions; thread-safe.
#include <optional>
#include <string_view>

namespace overture::service {

enum class Role {
    kAdministrator,  // everything, including users, API keys of others and configuration
    kDataManager,    // the marketing database: schema, imports, exports
    kMarketer,       // builds audiences, messages and workflows; prepares deliveries
    kSupervisor,     // what a marketer does, plus confirming (starting) deliveries
    kAnalyst,        // reads reports and data, changes nothing
};

std::string_view RoleName(Role role);  // "administrator", "data_manager", ...
std::optional<Role> ParseRole(std::string_view name);

enum class Scope {
    kRead,   // GET-like use cases
    kWrite,  // anything that changes state
};
std::string_view ScopeName(Scope scope);
std::optional<Scope> ParseScope(std::string_view name);

enum class Permission {
    kReadUsers,
    kManageUsers,
    kReadAudit,
    kManageOwnApiKeys,
    kManageAllApiKeys,
    kReadData,
    kWriteData,
    kManageSchema,       // publish changes to the data model
    kManageChannels,     // routes, DKIM keys, bounce rules, typologies; posting bounce events
    kConfirmDeliveries,  // confirm (start) and resume deliveries
};

std::string_view PermissionName(Permission p);
bool RoleAllows(Role role, Permission p);
// The scope an API key needs for a permission.
Scope ScopeFor(Permission p);

}  // namespace overture::service
