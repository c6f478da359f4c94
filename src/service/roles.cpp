#include "service/roles.hpp"

namespace overture::service {

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kAdministrator:
            return "administrator";
        case Role::kDataManager:
            return "data_manager";
        case Role::kMarketer:
            return "marketer";
        case Role::kSupervisor:
            return "supervisor";
        case Role::kAnalyst:
            return "analyst";
    }
    return "analyst";
}

std::optional<Role> ParseRole(std::string_view name) {
    for (Role r : {Role::kAdministrator, Role::kDataManager, Role::kMarketer, Role::kSupervisor,
                   Role::kAnalyst}) {
        if (RoleName(r) == name) return r;
    }
    return std::nullopt;
}

std::string_view ScopeName(Scope scope) { return scope == Scope::kRead ? "read" : "write"; }

std::optional<Scope> ParseScope(std::string_view name) {
    if (name == "read") return Scope::kRead;
    if (name == "write") return Scope::kWrite;
    return std::nullopt;
}

std::string_view PermissionName(Permission p) {
    switch (p) {
        case Permission::kReadUsers:
            return "read users";
        case Permission::kManageUsers:
            return "manage users";
        case Permission::kReadAudit:
            return "read the audit trail";
        case Permission::kManageOwnApiKeys:
            return "manage own API keys";
        case Permission::kManageAllApiKeys:
            return "manage all API keys";
        case Permission::kReadData:
            return "read data";
        case Permission::kWriteData:
            return "change data";
        case Permission::kManageSchema:
            return "change the data model";
        case Permission::kManageChannels:
            return "manage routes, DKIM keys and bounce rules";
        case Permission::kConfirmDeliveries:
            return "confirm deliveries";
    }
    return "unknown";
}

bool RoleAllows(Role role, Permission p) {
    switch (p) {
        case Permission::kReadUsers:
        case Permission::kManageUsers:
        case Permission::kReadAudit:
        case Permission::kManageAllApiKeys:
        case Permission::kManageChannels:
            return role == Role::kAdministrator;
        case Permission::kManageOwnApiKeys:
        case Permission::kReadData:
            return true;
        case Permission::kWriteData:
            return role != Role::kAnalyst;
        case Permission::kManageSchema:
            return role == Role::kAdministrator || role == Role::kDataManager;
        case Permission::kConfirmDeliveries:
            return role == Role::kAdministrator || role == Role::kSupervisor;
    }
    return false;
}

Scope ScopeFor(Permission p) {
    switch (p) {
        case Permission::kReadUsers:
        case Permission::kReadAudit:
        case Permission::kReadData:
            return Scope::kRead;
        default:
            return Scope::kWrite;
    }
}

}  // namespace overture::service
