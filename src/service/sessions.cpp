#include "service/sessions.hpp"

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/strings.hpp"
#include "service/queries.hpp"

namespace overture::service {

using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::Transaction;

namespace {

constexpr std::string_view kBadCredentials = "wrong username or password";

// A hash of a random password, so that an unknown username costs as much time as a known one.
const std::string& DummyHash() {
    static const std::string kHash = HashPassword("overture-timing-equaliser").value();
    return kHash;
}

// Touch the session at most this often, so that reading pages does not write on every request.
constexpr std::int64_t kTouchIntervalMs = 60 * 1000;

}  // namespace

Result<LoginResult> AuthService::Login(std::string_view username_in, std::string_view password,
                                       std::string_view remote) const {
    std::string username = ToLower(Trim(username_in));
    if (username.empty() || username.size() > 64 || password.size() > 1024) {
        VerifyPassword(DummyHash(), "");  // answer as slowly as for a real wrong password
        return Fail(Error::Unauthenticated(std::string(kBadCredentials)));
    }
    auto now = clock_.Now();
    auto now_ms = ToUnixMillis(now);
    auto window_start = ToUnixMillis(now - options_.login_window);

    // Read the throttle state and the user in one read transaction; hash outside any write lock.
    struct Lookup {
        std::int64_t failures = 0;
        std::int64_t oldest_failure = 0;
        bool found = false;
        User user;
        std::string hash;
    };
    auto lookup = storage::WithRead(db_, [&](Transaction& tx) -> Result<Lookup> {
        Lookup out;
        auto f = tx.Query(q::kLoginFailureRecent, {username, window_start});
        if (!f) return Fail(f.error());
        out.failures = AsInt(f->rows.at(0).at(0));
        out.oldest_failure = AsInt(f->rows.at(0).at(1));
        auto u = tx.Query(q::kUserGetForLogin, {username});
        if (!u) return Fail(u.error());
        if (!u->empty()) {
            out.found = true;
            out.user = UserFromRow(u->rows[0]);
            out.hash = AsString(u->rows[0][7]);
        }
        return out;
    });
    if (!lookup) return Fail(lookup.error());

    if (lookup->failures >= options_.login_max_failures) {
        auto retry_ms =
            lookup->oldest_failure +
            std::chrono::duration_cast<std::chrono::milliseconds>(options_.login_window).count() -
            now_ms;
        auto retry_s = std::max<std::int64_t>(1, (retry_ms + 999) / 1000);
        return Fail(Error::ResourceExhausted(
                        fmt::format("too many failed logins for this user; try again in {} "
                                    "seconds",
                                    retry_s))
                        .With("retryAfterSeconds", std::to_string(retry_s)));
    }

    bool ok = lookup->found ? VerifyPassword(lookup->hash, password)
                            : (VerifyPassword(DummyHash(), password), false);
    if (!ok || lookup->user.disabled) {
        auto r = storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
            // Keep the table small: failures older than the window no longer count.
            if (auto p = tx.Exec(q::kLoginFailurePrune, {window_start}); !p) return p;
            return tx.Exec(q::kLoginFailureInsert, {username, std::string(remote), now_ms});
        });
        if (!r) return Fail(r.error());
        return Fail(Error::Unauthenticated(std::string(kBadCredentials)));
    }

    LoginResult result;
    result.session_token = RandomToken(random_, 32);
    result.csrf_token = RandomToken(random_, 32);
    result.expires_at = now + options_.session_ttl;
    result.user = lookup->user;
    auto st = storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        if (auto c = tx.Exec(q::kLoginFailureClear, {username}); !c) return c;
        if (auto e = tx.Exec(q::kSessionDeleteExpired, {now_ms}); !e) return e;
        return tx.Exec(q::kSessionInsert,
                       {DigestToken(result.session_token), result.user.id.value(),
                        result.csrf_token, now_ms, ToUnixMillis(result.expires_at)});
    });
    if (!st) return Fail(st.error());
    return result;
}

Status AuthService::Logout(std::string_view session_token) const {
    auto r = storage::WithWrite(db_, [&](Transaction& tx) {
        return tx.Exec(q::kSessionDelete, {DigestToken(session_token)});
    });
    if (!r) return Fail(r.error());
    return {};
}

Result<SessionInfo> AuthService::Authenticate(std::string_view session_token,
                                              std::string_view remote) const {
    if (session_token.empty() || session_token.size() > 128) {
        return Fail(Error::Unauthenticated("not logged in"));
    }
    auto digest = DigestToken(session_token);
    auto now_ms = ToUnixMillis(clock_.Now());
    auto rows =
        storage::WithRead(db_, [&](Transaction& tx) { return tx.Query(q::kSessionGet, {digest}); });
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Error::Unauthenticated("not logged in"));
    const auto& r = rows->rows[0];
    std::int64_t expires_at = AsInt(r[2]);
    std::int64_t last_seen = AsInt(r[3]);
    if (expires_at <= now_ms) {
        return Fail(Error::Unauthenticated("the session has expired; log in again"));
    }
    if (AsBool(r[7])) return Fail(Error::Unauthenticated("this account is disabled"));

    SessionInfo info;
    info.csrf_token = AsString(r[1]);
    info.user = User{UserId(AsInt(r[0])),
                     AsString(r[4]),
                     AsString(r[5]),
                     ParseRole(AsString(r[6])).value_or(Role::kAnalyst),
                     false,
                     FromUnixMillis(AsInt(r[8])),
                     FromUnixMillis(AsInt(r[9]))};
    info.actor.user_id = info.user.id;
    info.actor.username = info.user.username;
    info.actor.role = info.user.role;
    info.actor.remote = std::string(remote);

    if (now_ms - last_seen >= kTouchIntervalMs) {
        auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_ttl);
        auto t = storage::WithWrite(db_, [&](Transaction& tx) {
            return tx.Exec(q::kSessionTouch, {digest, now_ms, now_ms + ttl.count()});
        });
        if (!t) return Fail(t.error());
    }
    return info;
}

}  // namespace overture::service
