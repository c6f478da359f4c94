#pragma once
// Logging in and out, and recognising a session on later requests.
//
// A session is a random 32-byte token held by the browser in an HttpOnly cookie; the database
// keeps only its digest, so a stolen database does not yield live sessions. Each session has
// its own CSRF token, which state-changing requests must echo in a header. Sessions expire
// `session_ttl` after their last use. Failed logins are counted per username in a sliding
// window; past the limit, logins for that username are refused (even with the right password)
// until the window moves on. Thread-safe (holds only references and settings).
#include <chrono>
#include <string>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/random.hpp"
#include "service/actor.hpp"
#include "service/users.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct AuthOptions {
    std::chrono::minutes session_ttl{12 * 60};
    int login_max_failures = 5;
    std::chrono::minutes login_window{15};
};

struct LoginResult {
    std::string session_token;  // for the cookie; never stored
    std::string csrf_token;
    TimePoint expires_at;
    User user;
};

struct SessionInfo {
    Actor actor;
    User user;
    std::string csrf_token;
};

class AuthService {
  public:
    AuthService(storage::Database& db, const Clock& clock, Random& random, AuthOptions options)
        : db_(db), clock_(clock), random_(random), options_(options) {}

    // kUnauthenticated for an unknown user, a wrong password or a disabled account (one
    // message for all three); kResourceExhausted (details.retryAfterSeconds) when throttled.
    Result<LoginResult> Login(std::string_view username, std::string_view password,
                              std::string_view remote) const;
    // Ends the session; ok when it did not exist.
    Status Logout(std::string_view session_token) const;
    // kUnauthenticated when the token is unknown, expired or its user disabled.
    Result<SessionInfo> Authenticate(std::string_view session_token, std::string_view remote) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    Random& random_;
    AuthOptions options_;
};

}  // namespace overture::service
