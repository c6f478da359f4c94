#pragma once
// JSON in and out of handlers (Boost.JSON): parsing a request body into an object with clear
// 400 errors, reading typed fields that name the field on a mismatch, refusing unknown fields,
// and writing responses and pages. Stateless; thread-safe.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "http/request.hpp"
#include "service/page.hpp"

namespace overture::http {

// The body as a JSON object. kInvalidArgument for an empty body, malformed JSON (with the
// offset), or a value that is not an object.
Result<boost::json::object> ParseObject(const Request& req);

// kInvalidArgument naming the first field of `obj` not in `allowed`.
Status OnlyFields(const boost::json::object& obj, std::initializer_list<std::string_view> allowed);

// Typed field access; kInvalidArgument naming the field and the expected type on a mismatch.
// Optional* return nullopt when the field is absent (null counts as absent).
Result<std::string> RequiredString(const boost::json::object& obj, std::string_view field);
Result<std::optional<std::string>> OptionalString(const boost::json::object& obj,
                                                  std::string_view field);
Result<std::optional<bool>> OptionalBool(const boost::json::object& obj, std::string_view field);

// A positive id from the path parameter `name`; kNotFound ("there is no <what> with id 'x'")
// for anything else, since no record can have that id.
Result<std::int64_t> PathId(const Request& req, std::string_view name, std::string_view what);

// ?limit= and ?cursor= into a PageRequest; kInvalidArgument for a non-numeric limit.
Result<service::PageRequest> PageFromQuery(const Request& req);

Response JsonResponse(int status, const boost::json::value& body);
// {"items": [...], "next": cursor or null}
Response PageResponse(boost::json::array items, const std::optional<std::string>& next);
// PageResponse of a service page (`.items`, `.next`), each item written by `to_json`.
template <typename Page, typename ToJson>
Response ItemsResponse(const Page& page, ToJson&& to_json) {
    boost::json::array items;
    items.reserve(page.items.size());
    for (const auto& item : page.items) items.push_back(to_json(item));
    return PageResponse(std::move(items), page.next);
}
// 200 {"count": n}: the /_count routes.
Response CountResponse(std::int64_t count);

boost::json::value TimeJson(TimePoint t);
boost::json::value TimeJson(const std::optional<TimePoint>& t);

// "YYYY-MM-DDTHH:MM:SS.mmmZ", the canonical form of schema::ParseIsoDateTime, as a TimePoint.
TimePoint FromCanonicalTime(std::string_view canonical);
// The query parameter `name` as an ISO 8601 date-time (a date alone: midnight UTC); nullopt when
// absent; kInvalidArgument naming it (Error::InvalidField) when it is not one.
Result<std::optional<TimePoint>> TimeQueryParam(const Request& req, std::string_view name);

}  // namespace overture::http
