#include "service/users.hpp"

#include <fmt/format.h>

#include "common/strings.hpp"
#include "service/queries.hpp"

namespace overture::service {

using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::Transaction;

Status CheckUsername(std::string_view username) {
    bool ok = !username.empty() && username.size() <= 64;
    for (char c : username) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                       c == '-' || c == '@';
        ok = ok && allowed;
    }
    if (!ok) {
        return Fail(Error::InvalidArgument(
                        "username must be 1 to 64 characters: lower-case letters, digits, "
                        "'.', '_', '-' or '@'")
                        .With("field", "username"));
    }
    return {};
}

Status CheckPassword(std::string_view password) {
    if (password.size() < kMinPasswordLength || password.size() > 1024) {
        return Fail(
            Error::InvalidArgument(
                fmt::format("password must be {} to 1024 characters long", kMinPasswordLength))
                .With("field", "password"));
    }
    if (!IsValidUtf8(password)) {
        return Fail(
            Error::InvalidArgument("password must be valid UTF-8").With("field", "password"));
    }
    return {};
}

User UserFromRow(const std::vector<storage::Value>& row) {
    return User{UserId(AsInt(row[0])),
                AsString(row[1]),
                AsString(row[2]),
                ParseRole(AsString(row[3])).value_or(Role::kAnalyst),
                AsBool(row[4]),
                FromUnixMillis(AsInt(row[5])),
                FromUnixMillis(AsInt(row[6]))};
}

namespace {

Result<User> LoadUser(Transaction& tx, UserId id) {
    auto rows = tx.Query(q::kUserGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) {
        return Fail(Error::NotFound(fmt::format("no user with id {}", id.value())));
    }
    return UserFromRow(rows->rows[0]);
}

Result<std::int64_t> CountActiveAdmins(Transaction& tx) {
    auto rows = tx.Query(q::kUserCountActiveAdmins, {false});
    if (!rows) return Fail(rows.error());
    return AsInt(rows->rows.at(0).at(0));
}

}  // namespace

Result<User> UserService::Create(const Actor& actor, const NewUser& in) const {
    if (auto st = Require(actor, Permission::kManageUsers); !st) return Fail(st.error());
    std::string username = ToLower(Trim(in.username));
    if (auto st = CheckUsername(username); !st) return Fail(st.error());
    if (auto st = CheckPassword(in.password); !st) return Fail(st.error());
    if (in.display_name.size() > 200) {
        return Fail(Error::InvalidArgument("displayName must be at most 200 characters")
                        .With("field", "displayName"));
    }
    auto hash = HashPassword(in.password, cost_);
    if (!hash) return Fail(hash.error());
    auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<User> {
        auto rows = tx.Query(q::kUserInsert, {username, std::string(in.display_name),
                                              std::string(RoleName(in.role)), *hash, false, now});
        if (!rows) {
            if (rows.error().code == ErrorCode::kAlreadyExists) {
                return Fail(
                    Error::AlreadyExists(fmt::format("a user named '{}' already exists", username))
                        .With("field", "username"));
            }
            return Fail(rows.error());
        }
        UserId id(AsInt(rows->rows.at(0).at(0)));
        if (auto st =
                audit_.Record(tx, actor, "user.create", "user", std::to_string(id.value()),
                              {{"username", username}, {"role", std::string(RoleName(in.role))}});
            !st) {
            return Fail(st.error());
        }
        return LoadUser(tx, id);
    });
}

Result<Page<User>> UserService::List(const Actor& actor, const PageRequest& page,
                                     std::string_view search) const {
    if (auto st = Require(actor, Permission::kReadUsers); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(page.cursor, 0);
    if (!after) return Fail(after.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<User>> {
        auto rows =
            tx.Query(q::kUserList, {*after, LikePattern(search), std::int64_t{page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<User> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(UserFromRow(row));
        }
        return out;
    });
}

Result<std::int64_t> UserService::Count() const {
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kUserCount, std::span<const storage::Value>());
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<User> UserService::Get(const Actor& actor, UserId id) const {
    if (actor.user_id != id) {
        if (auto st = Require(actor, Permission::kReadUsers); !st) return Fail(st.error());
    }
    return storage::WithRead(db_, [&](Transaction& tx) { return LoadUser(tx, id); });
}

Result<User> UserService::Update(const Actor& actor, UserId id, const UserPatch& patch) const {
    if (auto st = Require(actor, Permission::kManageUsers); !st) return Fail(st.error());
    if (patch.password) {
        if (auto st = CheckPassword(*patch.password); !st) return Fail(st.error());
    }
    if (patch.display_name && patch.display_name->size() > 200) {
        return Fail(Error::InvalidArgument("displayName must be at most 200 characters")
                        .With("field", "displayName"));
    }
    if (patch.disabled.value_or(false) && actor.user_id == id) {
        return Fail(Error::FailedPrecondition("you cannot disable your own account"));
    }
    std::string new_hash;
    if (patch.password) {
        auto hash = HashPassword(*patch.password, cost_);
        if (!hash) return Fail(hash.error());
        new_hash = std::move(*hash);
    }
    auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<User> {
        auto before = LoadUser(tx, id);
        if (!before) return before;
        User after = *before;
        if (patch.display_name) after.display_name = *patch.display_name;
        if (patch.role) after.role = *patch.role;
        if (patch.disabled) after.disabled = *patch.disabled;

        bool was_admin = before->role == Role::kAdministrator && !before->disabled;
        bool is_admin = after.role == Role::kAdministrator && !after.disabled;
        if (was_admin && !is_admin) {
            auto admins = CountActiveAdmins(tx);
            if (!admins) return Fail(admins.error());
            if (*admins <= 1) {
                return Fail(Error::FailedPrecondition(
                    "this is the last active administrator; make another user administrator "
                    "first"));
            }
        }
        auto r = tx.Exec(q::kUserUpdate, {id.value(), after.display_name,
                                          std::string(RoleName(after.role)), after.disabled, now});
        if (!r) return Fail(r.error());
        AuditDetails details;
        if (after.role != before->role) {
            details.emplace_back(
                "role", fmt::format("{} -> {}", RoleName(before->role), RoleName(after.role)));
        }
        if (after.disabled != before->disabled) {
            details.emplace_back("disabled", after.disabled ? "true" : "false");
        }
        if (after.display_name != before->display_name) {
            details.emplace_back("displayName", after.display_name);
        }
        if (patch.password) {
            auto p = tx.Exec(q::kUserSetPassword, {id.value(), new_hash, now});
            if (!p) return Fail(p.error());
            details.emplace_back("password", "changed");
        }
        if (patch.password || (after.disabled && !before->disabled)) {
            auto d = tx.Exec(q::kSessionDeleteForUser, {id.value()});
            if (!d) return Fail(d.error());
        }
        if (auto st = audit_.Record(tx, actor, "user.update", "user", std::to_string(id.value()),
                                    details);
            !st) {
            return Fail(st.error());
        }
        return LoadUser(tx, id);
    });
}

}  // namespace overture::service
