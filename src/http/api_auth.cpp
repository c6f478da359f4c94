// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me
#include <fmt/format.h>

#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/dto.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace {

bool SecureCookie(const ApiContext& ctx, const Request& req) {
    const auto& mode = ctx.config.security.cookie_secure;
    if (mode == "always") return true;
    if (mode == "never") return false;
    return req.Header("x-forwarded-proto") == "https";
}

// A browser-session cookie (no Max-Age): the server decides when the session expires, sliding
// with use, so the browser must not drop it earlier. Clearing sets Max-Age=0.
std::string SessionCookie(const ApiContext& ctx, const Request& req, std::string_view value,
                          bool clear = false) {
    return fmt::format("{}={}; Path=/{}; HttpOnly; SameSite=Strict{}", kSessionCookie, value,
                       clear ? "; Max-Age=0" : "", SecureCookie(ctx, req) ? "; Secure" : "");
}

}  // namespace

void RegisterAuthRoutes(Router& router, const ApiContext& ctx) {
    router.Add("POST", "/api/v1/auth/login", Public([&ctx](Request& req) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"username", "password"}); !st)
                       return Fail(st.error());
                   auto username = RequiredString(*body, "username");
                   if (!username) return Fail(username.error());
                   auto password = RequiredString(*body, "password");
                   if (!password) return Fail(password.error());
                   auto login = ctx.auth.Login(*username, *password, req.remote_address);
                   if (!login) return Fail(login.error());
                   boost::json::object out;
                   out["user"] = UserJson(login->user);
                   out["csrfToken"] = login->csrf_token;
                   out["expiresAt"] = TimeJson(login->expires_at);
                   auto response = JsonResponse(200, out);
                   response.SetHeader("Set-Cookie", SessionCookie(ctx, req, login->session_token));
                   response.SetHeader("Cache-Control", "no-store");
                   return response;
               }));

    router.Add("POST", "/api/v1/auth/logout",
               Authed(ctx, [&ctx](Request& req, const service::Actor&) -> Result<Response> {
                   if (auto st = ctx.auth.Logout(req.Cookie(kSessionCookie)); !st) {
                       return Fail(st.error());
                   }
                   auto response = Response::NoContent();
                   response.SetHeader("Set-Cookie", SessionCookie(ctx, req, "", /*clear=*/true));
                   return response;
               }));

    router.Add(
        "GET", "/api/v1/auth/me", Public([&ctx](Request& req) -> Result<Response> {
            boost::json::object out;
            auto authorization = req.Header("authorization");
            if (!authorization.empty()) {
                auto actor = AuthenticateRequest(ctx, req);
                if (!actor) return Fail(actor.error());
                auto user = ctx.users.Get(*actor, actor->user_id);
                if (!user) return Fail(user.error());
                out["user"] = UserJson(*user);
                boost::json::array scopes;
                for (auto s : actor->scopes)
                    scopes.push_back(boost::json::string(service::ScopeName(s)));
                out["apiKey"] = {{"id", actor->api_key_id.value()}, {"scopes", std::move(scopes)}};
            } else {
                auto session =
                    ctx.auth.Authenticate(req.Cookie(kSessionCookie), req.remote_address);
                if (!session) return Fail(session.error());
                out["user"] = UserJson(session->user);
                out["csrfToken"] = session->csrf_token;
            }
            auto response = JsonResponse(200, out);
            response.SetHeader("Cache-Control", "no-store");
            return response;
        }));
}

}  // namespace overture::http
