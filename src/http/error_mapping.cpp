#include "http/error_mapping.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace overture::http {

int HttpStatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kAlreadyExists:
            return 409;
        case ErrorCode::kFailedPrecondition:
            return 409;
        case ErrorCode::kMethodNotAllowed:
            return 405;
        case ErrorCode::kPayloadTooLarge:
            return 413;
        case ErrorCode::kHeadersTooLarge:
            return 431;
        case ErrorCode::kResourceExhausted:
            return 429;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

Response ErrorResponse(const Error& error, std::string_view request_id) {
    if (!error.detail.empty()) {
        spdlog::warn("request {}: {} ({}): {}", request_id, ErrorCodeName(error.code),
                     error.message, error.detail);
    }
    boost::json::object inner;
    inner["code"] = ErrorCodeName(error.code);
    inner["message"] = error.message;
    if (!error.details.empty()) {
        boost::json::object details;
        for (const auto& [k, v] : error.details) details[k] = v;
        inner["details"] = std::move(details);
    }
    boost::json::object outer;
    outer["error"] = std::move(inner);
    auto response = Response::Json(HttpStatusFor(error.code), boost::json::serialize(outer));
    if (error.code == ErrorCode::kResourceExhausted) {
        if (auto it = error.details.find("retryAfterSeconds"); it != error.details.end()) {
            response.SetHeader("Retry-After", it->second);
        }
    }
    return response;
}

}  // namespace overture::http
