#include "http/auth_context.hpp"

#include "common/crypto.hpp"
#include "http/error_mapping.hpp"

namespace overture::http {

namespace {

bool ChangesState(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace

std::string RemoteOf(const Request& req) { return req.remote_address; }

Result<service::Actor> AuthenticateRequest(const ApiContext& ctx, const Request& req) {
    auto authorization = req.Header("authorization");
    if (!authorization.empty()) {
        constexpr std::string_view kBearer = "Bearer ";
        if (!authorization.starts_with(kBearer)) {
            return Fail(Error::Unauthenticated("use 'Authorization: Bearer <API key>'"));
        }
        return ctx.api_keys.Authenticate(authorization.substr(kBearer.size()), RemoteOf(req));
    }
    auto token = req.Cookie(kSessionCookie);
    if (token.empty()) return Fail(Error::Unauthenticated("not logged in"));
    auto session = ctx.auth.Authenticate(token, RemoteOf(req));
    if (!session) return Fail(session.error());
    if (ChangesState(req.method)) {
        auto presented = req.Header("x-csrf-token");
        if (presented.empty() || !ConstantTimeEquals(presented, session->csrf_token)) {
            return Fail(Error::PermissionDenied(
                "missing or wrong X-CSRF-Token header; reload the page and try again"));
        }
    }
    return session->actor;
}

Handler Authed(const ApiContext& ctx, ActorHandler fn) {
    return [&ctx, fn = std::move(fn)](Request& req) -> Response {
        auto actor = AuthenticateRequest(ctx, req);
        if (!actor) return ErrorResponse(actor.error(), req.request_id);
        auto result = fn(req, *actor);
        if (!result) return ErrorResponse(result.error(), req.request_id);
        return std::move(*result);
    };
}

Handler Public(PublicHandler fn) {
    return [fn = std::move(fn)](Request& req) -> Response {
        auto result = fn(req);
        if (!result) return ErrorResponse(result.error(), req.request_id);
        return std::move(*result);
    };
}

}  // namespace overture::http
