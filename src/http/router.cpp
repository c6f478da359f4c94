#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/strings.hpp"
#include "http/error_mapping.hpp"

namespace overture::http {

namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. The leading slash is dropped.
std::vector<std::string_view> SplitPath(std::string_view path) {
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    return Split(path, '/');
}

bool IsApiPath(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

}  // namespace

void Router::Add(std::string_view method, std::string pattern, Handler handler,
                 std::size_t max_body_bytes) {
    if (pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    Route route;
    route.method = std::string(method);
    for (auto part : SplitPath(pattern)) {
        Segment segment;
        if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
            segment.is_param = true;
            segment.text = std::string(part.substr(1, part.size() - 2));
        } else if (part.find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("malformed route pattern: " + pattern);
        } else {
            segment.text = std::string(part);
        }
        route.segments.push_back(std::move(segment));
    }
    for (const auto& other : routes_) {
        if (other.method == route.method && other.pattern == pattern) {
            throw std::invalid_argument("duplicate route: " + route.method + " " + pattern);
        }
    }
    route.pattern = std::move(pattern);
    route.handler = std::move(handler);
    route.max_body_bytes = max_body_bytes;
    max_body_bytes_ = std::max(max_body_bytes_, max_body_bytes);
    routes_.push_back(std::move(route));
}

void Router::SetFallback(Handler handler) { fallback_ = std::move(handler); }

bool Router::Match(const Route& route, const std::vector<std::string_view>& segments) {
    if (route.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const Segment& s = route.segments[i];
        if (s.is_param ? segments[i].empty() : s.text != segments[i]) return false;
    }
    return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
        if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
    }
    return false;
}

std::size_t Router::BodyLimit(std::string_view method, std::string_view path) const {
    if (max_body_bytes_ == 0) return 0;
    const auto segments = SplitPath(path);
    for (const auto& route : routes_) {
        if (route.method == method && route.max_body_bytes > 0 && Match(route, segments)) {
            return route.max_body_bytes;
        }
    }
    return 0;
}

std::size_t Router::MaxBodyLimit() const { return max_body_bytes_; }

Response Router::Dispatch(Request& req) const {
    const auto segments = SplitPath(req.path);
    const Route* best = nullptr;       // most specific route for this method
    const Route* best_get = nullptr;   // most specific GET route (HEAD falls back to it)
    std::vector<std::string> allowed;  // methods of every matching pattern
    for (const auto& route : routes_) {
        if (!Match(route, segments)) continue;
        if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
            allowed.push_back(route.method);
        }
        if (route.method == req.method && (!best || MoreSpecific(route, *best))) best = &route;
        if (route.method == "GET" && (!best_get || MoreSpecific(route, *best_get))) {
            best_get = &route;
        }
    }
    if (!best && req.method == "HEAD") best = best_get;
    if (best) {
        req.route = best->pattern;
        req.path_params.clear();
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (best->segments[i].is_param) {
                req.path_params.emplace(best->segments[i].text, std::string(segments[i]));
            }
        }
        return best->handler(req);
    }
    if (!allowed.empty()) {
        if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
            std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
            allowed.push_back("HEAD");
        }
        std::sort(allowed.begin(), allowed.end());
        std::string allow;
        for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
        Error error{ErrorCode::kMethodNotAllowed,
                    "method " + req.method + " is not allowed for " + req.path,
                    {},
                    {}};
        auto response = ErrorResponse(std::move(error).With("allow", allow), req.request_id);
        response.SetHeader("Allow", allow);
        return response;
    }
    if (fallback_ && (req.method == "GET" || req.method == "HEAD") && !IsApiPath(req.path)) {
        req.route = std::string(kFallbackRoute);
        return fallback_(req);
    }
    return ErrorResponse(Error::NotFound("no route for " + req.method + " " + req.path),
                         req.request_id);
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(routes_.size());
    for (const auto& route : routes_) out.emplace_back(route.method, route.pattern);
    return out;
}

}  // namespace overture::http
