#include "service/api_keys.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/crypto.hpp"
#include "common/strings.hpp"
#include "service/queries.hpp"

namespace overture::service {

using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;

namespace {

constexpr std::string_view kKeyPrefix = "ovk_";
constexpr std::int64_t kTouchIntervalMs = 60 * 1000;

std::string JoinScopes(const std::vector<Scope>& scopes) {
    std::string out;
    for (auto s : scopes) {
        if (!out.empty()) out += ",";
        out += ScopeName(s);
    }
    return out;
}

std::vector<Scope> ParseScopes(std::string_view text) {
    std::vector<Scope> out;
    for (auto part : Split(text, ',')) {
        if (auto s = ParseScope(part)) out.push_back(*s);
    }
    return out;
}

std::optional<TimePoint> OptionalTime(const storage::Value& v) {
    if (IsNull(v)) return std::nullopt;
    return FromUnixMillis(AsInt(v));
}

ApiKey KeyFromRow(const std::vector<storage::Value>& r) {
    return ApiKey{ApiKeyId(AsInt(r[0])),
                  UserId(AsInt(r[1])),
                  AsString(r[2]),
                  AsString(r[3]),
                  AsString(r[4]),
                  ParseScopes(AsString(r[5])),
                  FromUnixMillis(AsInt(r[6])),
                  OptionalTime(r[7]),
                  OptionalTime(r[8])};
}

}  // namespace

Result<CreatedApiKey> ApiKeyService::Create(const Actor& actor, std::string_view name_in,
                                            const std::vector<Scope>& scopes_in) const {
    if (auto st = Require(actor, Permission::kManageOwnApiKeys); !st) return Fail(st.error());
    if (!actor.user_id) {
        return Fail(Error::FailedPrecondition("API keys belong to a user; log in as one"));
    }
    auto name = std::string(Trim(name_in));
    if (name.empty() || name.size() > 100) {
        return Fail(
            Error::InvalidArgument("name must be 1 to 100 characters").With("field", "name"));
    }
    std::vector<Scope> scopes;
    for (auto s : scopes_in) {
        if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
    }
    if (scopes.empty()) {
        return Fail(
            Error::InvalidArgument("give at least one scope: read, write").With("field", "scopes"));
    }
    if (actor.via_api_key()) {
        for (auto s : scopes) {
            if (!actor.HasScope(s)) {
                return Fail(Error::PermissionDenied(fmt::format(
                    "an API key cannot create a key with the '{}' scope it lacks", ScopeName(s))));
            }
        }
    }
    std::sort(scopes.begin(), scopes.end());
    CreatedApiKey created;
    std::string prefix = RandomToken(random_, 6);  // 8 characters
    created.secret = fmt::format("{}{}_{}", kKeyPrefix, prefix, RandomToken(random_, 32));
    auto now = ToUnixMillis(clock_.Now());
    auto key = storage::WithWrite(db_, [&](Transaction& tx) -> Result<ApiKey> {
        auto rows =
            tx.Query(q::kApiKeyInsert, {actor.user_id.value(), name, prefix,
                                        DigestToken(created.secret), JoinScopes(scopes), now});
        if (!rows) return Fail(rows.error());
        auto id = AsInt(rows->rows.at(0).at(0));
        if (auto st = audit_.Record(tx, actor, "api_key.create", "api_key", std::to_string(id),
                                    {{"name", name}, {"scopes", JoinScopes(scopes)}});
            !st) {
            return Fail(st.error());
        }
        auto got = tx.Query(q::kApiKeyGet, {id});
        if (!got) return Fail(got.error());
        return KeyFromRow(got->rows.at(0));
    });
    if (!key) return Fail(key.error());
    created.key = std::move(*key);
    return created;
}

Result<Page<ApiKey>> ApiKeyService::List(const Actor& actor, const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(page.cursor, 0);
    if (!after) return Fail(after.error());
    std::int64_t only_user =
        RoleAllows(actor.role, Permission::kManageAllApiKeys) ? 0 : actor.user_id.value();
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<ApiKey>> {
        auto rows = tx.Query(q::kApiKeyList, {only_user, *after, std::int64_t{page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<ApiKey> out;
        for (const auto& r : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(KeyFromRow(r));
        }
        return out;
    });
}

Status ApiKeyService::Revoke(const Actor& actor, ApiKeyId id) const {
    if (auto st = Require(actor, Permission::kManageOwnApiKeys); !st) return Fail(st.error());
    bool all = RoleAllows(actor.role, Permission::kManageAllApiKeys);
    auto now = ToUnixMillis(clock_.Now());
    auto r = storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto got = tx.Query(q::kApiKeyGet, {id.value()});
        if (!got) return Fail(got.error());
        if (got->empty() || (!all && UserId(AsInt(got->rows[0][1])) != actor.user_id)) {
            return Fail(Error::NotFound(fmt::format("no API key with id {}", id.value())));
        }
        auto changed = tx.Exec(q::kApiKeyRevoke, {id.value(), now});
        if (!changed) return changed;
        if (*changed > 0) {
            if (auto st = audit_.Record(tx, actor, "api_key.revoke", "api_key",
                                        std::to_string(id.value()),
                                        {{"name", AsString(got->rows[0][3])}});
                !st) {
                return Fail(st.error());
            }
        }
        return *changed;
    });
    if (!r) return Fail(r.error());
    return {};
}

Result<Actor> ApiKeyService::Authenticate(std::string_view presented,
                                          std::string_view remote) const {
    auto invalid = [] { return Fail(Error::Unauthenticated("invalid API key")); };
    if (!presented.starts_with(kKeyPrefix) || presented.size() > 200) return invalid();
    auto rest = presented.substr(kKeyPrefix.size());
    // The prefix is always 8 characters (base64url, which may itself contain '_').
    if (rest.size() < 10 || rest[8] != '_') return invalid();
    std::string prefix(rest.substr(0, 8));
    auto rows = storage::WithRead(
        db_, [&](Transaction& tx) { return tx.Query(q::kApiKeyForAuth, {prefix}); });
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return invalid();
    const auto& r = rows->rows[0];
    if (!ConstantTimeEquals(AsString(r[1]), DigestToken(presented))) return invalid();
    if (!IsNull(r[3]) || AsBool(r[8])) return invalid();

    Actor actor;
    actor.api_key_id = ApiKeyId(AsInt(r[0]));
    actor.scopes = ParseScopes(AsString(r[2]));
    actor.user_id = UserId(AsInt(r[5]));
    actor.username = AsString(r[6]);
    actor.role = ParseRole(AsString(r[7])).value_or(Role::kAnalyst);
    actor.remote = std::string(remote);

    auto now = ToUnixMillis(clock_.Now());
    if (IsNull(r[4]) || now - AsInt(r[4]) >= kTouchIntervalMs) {
        auto t = storage::WithWrite(db_, [&](Transaction& tx) {
            return tx.Exec(q::kApiKeyTouch, {actor.api_key_id.value(), now});
        });
        if (!t) return Fail(t.error());
    }
    return actor;
}

}  // namespace overture::service
