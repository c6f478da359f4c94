#pragma once
// The one table from error codes to HTTP statuses, and the JSON error body of DESIGN.md
// section 8: {"error": {"code": "...", "message": "...", "details": {...}}}. Internal detail
// is logged here with the request id and never sent. Thread-safe.
#include <string_view>

#include "common/error.hpp"
#include "http/request.hpp"

namespace overture::http {

int HttpStatusFor(ErrorCode code);

// The JSON error response for `error`; logs error.detail (with request_id) when present.
Response ErrorResponse(const Error& error, std::string_view request_id = {});

}  // namespace overture::http
