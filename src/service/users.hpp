#pragma once
// Users of the console and the API: create, list, read, change role, rename, disable, reset a
// password. Every change is checked against the actor's permissions and written to the audit
// trail in the same transaction. Thread-safe (holds only references).
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct User {
    UserId id;
    std::string username;
    std::string display_name;
    Role role = Role::kAnalyst;
    bool disabled = false;
    TimePoint created_at;
    TimePoint updated_at;
};

struct NewUser {
    std::string username;  // 1-64 of a-z 0-9 . _ - @; stored in lower case
    std::string display_name;
    std::string password;  // 12-1024 characters
    Role role = Role::kAnalyst;
};

struct UserPatch {
    std::optional<std::string> display_name;
    std::optional<Role> role;
    std::optional<bool> disabled;
    std::optional<std::string> password;
};

inline constexpr std::size_t kMinPasswordLength = 12;

// kInvalidArgument naming the field when a username or password breaks the rules above.
Status CheckUsername(std::string_view username);
Status CheckPassword(std::string_view password);

class UserService {
  public:
    UserService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                PasswordHashCost cost = {})
        : db_(db), clock_(clock), audit_(audit), cost_(cost) {}

    // kPermissionDenied without kManageUsers; kInvalidArgument for a bad field;
    // kAlreadyExists when the username is taken.
    Result<User> Create(const Actor& actor, const NewUser& user) const;
    // Needs kReadUsers. `search` matches username or display name (case-insensitive).
    Result<Page<User>> List(const Actor& actor, const PageRequest& page,
                            std::string_view search) const;
    // Needs kReadUsers, except that everyone may read themselves. kNotFound.
    Result<User> Get(const Actor& actor, UserId id) const;
    // Needs kManageUsers. Refuses (kFailedPrecondition) to disable or demote the last active
    // administrator, and to disable oneself. Disabling or a new password ends the user's
    // sessions.
    Result<User> Update(const Actor& actor, UserId id, const UserPatch& patch) const;

    // How many users exist (for `overture init`, which runs as the operator).
    Result<std::int64_t> Count() const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    PasswordHashCost cost_;
};

// Reads a user row in the column order of the user-get statement.
User UserFromRow(const std::vector<storage::Value>& row);

}  // namespace overture::service
