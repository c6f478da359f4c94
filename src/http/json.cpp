#include "http/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "schema/dates.hpp"

namespace overture::http {

namespace json = boost::json;

Result<json::object> ParseObject(const Request& req) {
    if (req.body.empty()) {
        return Fail(Error::InvalidArgument("the request body must be a JSON object"));
    }
    boost::system::error_code ec;
    json::parse_options options;
    // Deep enough for the JSON form of the deepest expression the query language accepts
    // (query::kMaxTreeDepth nodes, two JSON levels each: an object and its array), so that what
    // /api/v1/query/validate answers is always accepted back. Boost.JSON parses without
    // recursion; the handlers bound their own walks.
    options.max_depth = 1024;
    json::value v = json::parse(req.body, ec, {}, options);
    if (ec) {
        return Fail(Error::InvalidArgument(fmt::format("malformed JSON: {}", ec.message())));
    }
    if (!v.is_object()) {
        return Fail(Error::InvalidArgument("the request body must be a JSON object"));
    }
    return std::move(v.as_object());
}

Status OnlyFields(const json::object& obj, std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : obj) {
        std::string_view key = kv.key();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return Fail(
                Error::InvalidField(std::string(key), fmt::format("unknown field '{}'", key)));
        }
    }
    return {};
}

Result<std::string> RequiredString(const json::object& obj, std::string_view field) {
    auto it = obj.find(field);
    if (it == obj.end() || it->value().is_null()) {
        return Fail(
            Error::InvalidField(std::string(field), fmt::format("field '{}' is required", field)));
    }
    if (!it->value().is_string()) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("field '{}' must be a string", field)));
    }
    return std::string(it->value().as_string());
}

Result<std::optional<std::string>> OptionalString(const json::object& obj, std::string_view field) {
    auto it = obj.find(field);
    if (it == obj.end() || it->value().is_null()) return std::optional<std::string>();
    if (!it->value().is_string()) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("field '{}' must be a string", field)));
    }
    return std::optional<std::string>(std::string(it->value().as_string()));
}

Result<std::optional<bool>> OptionalBool(const json::object& obj, std::string_view field) {
    auto it = obj.find(field);
    if (it == obj.end() || it->value().is_null()) return std::optional<bool>();
    if (!it->value().is_bool()) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("field '{}' must be true or false", field)));
    }
    return std::optional<bool>(it->value().as_bool());
}

Result<std::int64_t> PathId(const Request& req, std::string_view name, std::string_view what) {
    auto text = req.PathParam(name);
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size() || id <= 0) {
        return Fail(Error::NotFound(fmt::format("there is no {} with id '{}'", what, text)));
    }
    return id;
}

Result<service::PageRequest> PageFromQuery(const Request& req) {
    service::PageRequest page;
    if (req.HasQueryParam("limit")) {
        auto text = req.QueryParam("limit");
        int limit = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc() || p != text.data() + text.size()) {
            return Fail(Error::InvalidField("limit", "limit must be a whole number"));
        }
        page.limit = limit;
    }
    page.cursor = std::string(req.QueryParam("cursor"));
    return page;
}

Response JsonResponse(int status, const json::value& body) {
    return Response::Json(status, json::serialize(body));
}

Response CountResponse(std::int64_t count) {
    return JsonResponse(200, boost::json::object{{"count", count}});
}

Response PageResponse(json::array items, const std::optional<std::string>& next) {
    json::object out;
    out["items"] = std::move(items);
    out["next"] = next ? json::value(*next) : json::value(nullptr);
    return JsonResponse(200, out);
}

json::value TimeJson(TimePoint t) { return json::value(FormatRfc3339(t)); }

json::value TimeJson(const std::optional<TimePoint>& t) {
    return t ? TimeJson(*t) : json::value(nullptr);
}

TimePoint FromCanonicalTime(std::string_view s) {
    auto num = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        std::from_chars(s.data() + pos, s.data() + pos + len, v);
        return v;
    };
    using namespace std::chrono;
    year_month_day ymd{year(num(0, 4)), month(static_cast<unsigned>(num(5, 2))),
                       day(static_cast<unsigned>(num(8, 2)))};
    return TimePoint(sys_days(ymd).time_since_epoch() + hours(num(11, 2)) + minutes(num(14, 2)) +
                     seconds(num(17, 2)) + milliseconds(num(20, 3)));
}

Result<std::optional<TimePoint>> TimeQueryParam(const Request& req, std::string_view name) {
    if (!req.HasQueryParam(name)) return std::optional<TimePoint>();
    auto canonical = schema::ParseIsoDateTime(req.QueryParam(name));
    if (!canonical) {
        return Fail(Error::InvalidField(std::string(name),
                                        fmt::format("{} must be an ISO 8601 date-time", name)));
    }
    return std::optional<TimePoint>(FromCanonicalTime(*canonical));
}

}  // namespace overture::http
