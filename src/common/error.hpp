#pragma once
// Error values for every expected failure in Overture.
//
// An Error carries a machine code (stable, part of the API: it becomes the `code` of the JSON
// error body), a message that users may see, and an internal detail that only goes to the log.
// Result<T> is std::expected<T, Error>; Status is Result<void>. Thread-safety: plain values.
#include <expected>
#include <map>
#include <string>
#include <string_view>

namespace overture {

enum class ErrorCode {
    kInvalidArgument,     // the caller sent something malformed or out of range
    kUnauthenticated,     // no valid credentials
    kPermissionDenied,    // credentials valid, action not allowed for this role or scope
    kNotFound,            // the thing named does not exist
    kAlreadyExists,       // a unique name or key is taken
    kFailedPrecondition,  // the system is not in a state that allows the action
    kMethodNotAllowed,    // the path exists but not with this HTTP method
    kPayloadTooLarge,     // a body or upload over the configured limit
    kHeadersTooLarge,     // request headers over the configured limit
    kResourceExhausted,   // rate or throttling limit reached; try later
    kUnavailable,         // a dependency (database, peer) cannot be reached now
    kInternal,            // a bug or an unexpected failure; details only in the log
};

// The stable snake_case name of a code, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;                         // safe to show to the user
    std::string detail;                          // internal: logged, never sent to clients
    std::map<std::string, std::string> details;  // safe structured hints (field names, limits)

    static Error InvalidArgument(std::string message) {
        return {ErrorCode::kInvalidArgument, std::move(message), {}, {}};
    }
    // kInvalidArgument about one field of the input, named in details["field"].
    static Error InvalidField(std::string field, std::string message) {
        return {ErrorCode::kInvalidArgument, std::move(message), {}, {{"field", std::move(field)}}};
    }
    static Error NotFound(std::string message) {
        return {ErrorCode::kNotFound, std::move(message), {}, {}};
    }
    static Error AlreadyExists(std::string message) {
        return {ErrorCode::kAlreadyExists, std::move(message), {}, {}};
    }
    static Error Unauthenticated(std::string message) {
        return {ErrorCode::kUnauthenticated, std::move(message), {}, {}};
    }
    static Error PermissionDenied(std::string message) {
        return {ErrorCode::kPermissionDenied, std::move(message), {}, {}};
    }
    static Error FailedPrecondition(std::string message) {
        return {ErrorCode::kFailedPrecondition, std::move(message), {}, {}};
    }
    static Error ResourceExhausted(std::string message) {
        return {ErrorCode::kResourceExhausted, std::move(message), {}, {}};
    }
    static Error Unavailable(std::string message, std::string detail = {}) {
        return {ErrorCode::kUnavailable, std::move(message), std::move(detail), {}};
    }
    // The user sees a generic message; `detail` is what the log needs to find the cause.
    static Error Internal(std::string detail) {
        return {ErrorCode::kInternal, "internal error", std::move(detail), {}};
    }

    Error&& With(std::string key, std::string value) && {
        details.emplace(std::move(key), std::move(value));
        return std::move(*this);
    }
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace overture
