#pragma once
// Who is calling: turns a request's session cookie (plus X-CSRF-Token on state-changing
// methods) or `Authorization: Bearer` API key into a service::Actor, and wraps handlers so
// that they run only for an authenticated actor and have their errors mapped to responses.
#include <functional>

#include "http/api.hpp"
#include "http/request.hpp"
#include "service/actor.hpp"

namespace overture::http {

// kUnauthenticated without valid credentials; kPermissionDenied when a session request that
// changes state lacks the right X-CSRF-Token.
Result<service::Actor> AuthenticateRequest(const ApiContext& ctx, const Request& req);

using ActorHandler = std::function<Result<Response>(Request&, const service::Actor&)>;
using PublicHandler = std::function<Result<Response>(Request&)>;

// A router Handler that authenticates first, then calls `fn`; any error becomes the JSON error
// response with the request id.
Handler Authed(const ApiContext& ctx, ActorHandler fn);
// A router Handler without authentication, with the same error mapping.
Handler Public(PublicHandler fn);

// The client address as the audit trail records it.
std::string RemoteOf(const Request& req);

}  // namespace overture::http
