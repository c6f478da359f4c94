#pragma once
// Router: maps (method, path) to a Handler. Patterns are paths whose segments are literals or
// {name} parameters; a parameter matches exactly one non-empty path segment. When several
// patterns match, the one whose first differing segment is a literal wins, so
// "/users/me" beats "/users/{id}".
//
// Thread-safety: build it once at start-up (Add, SetFallback), then Dispatch may be called
// from many threads at once; Add after the first Dispatch is a data race.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/request.hpp"

namespace overture::http {

// A blocking request handler. It may throw; the server turns exceptions into 500s.
using Handler = std::function<Response(Request&)>;

class Router {
  public:
    // Registers `handler` for `method` (upper case, e.g. "GET") and `pattern`, e.g.
    // "/api/v1/users/{id}". A HEAD request with no HEAD route uses the GET route.
    // Throws std::invalid_argument on a malformed pattern or a duplicate (a start-up bug).
    // `max_body_bytes` > 0 lets this route take bodies larger than the server's default limit
    // (uploads).
    void Add(std::string_view method, std::string pattern, Handler handler,
             std::size_t max_body_bytes = 0);

    // The body limit of the route `method` + `path` (a path without its query), or 0 when the
    // route has none of its own (answered at once when no route has one). Largest of all route
    // limits: MaxBodyLimit(), kept up to date by Add, so it costs nothing per request.
    std::size_t BodyLimit(std::string_view method, std::string_view path) const;
    std::size_t MaxBodyLimit() const;

    // Handles paths that match no route: only GET/HEAD requests whose path does not start with
    // "/api/" reach it (the web UI's static files).
    void SetFallback(Handler handler);

    // Runs the matching handler after setting req.path_params and req.route (the pattern).
    // No pattern matches: the fallback when it applies, else a 404 JSON error (not_found).
    // A pattern matches but not for this method: a 405 JSON error with an Allow header.
    // Exceptions from handlers propagate to the caller.
    Response Dispatch(Request& req) const;

    // Every (method, pattern) pair in registration order (for the OpenAPI agreement test).
    std::vector<std::pair<std::string, std::string>> Routes() const;

    // The route name the fallback sets in req.route (so metrics labels stay bounded).
    static constexpr std::string_view kFallbackRoute = "(static)";

  private:
    struct Segment {
        bool is_param = false;
        std::string text;  // the literal, or the parameter name
    };
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<Segment> segments;
        Handler handler;
        std::size_t max_body_bytes = 0;
    };

    // True when every segment of `route` matches the path `segments`.
    static bool Match(const Route& route, const std::vector<std::string_view>& segments);
    // True when a is more specific than b (a literal at their first differing segment).
    static bool MoreSpecific(const Route& a, const Route& b);

    std::vector<Route> routes_;
    std::size_t max_body_bytes_ = 0;  // the largest route limit
    Handler fallback_;
};

}  // namespace overture::http
