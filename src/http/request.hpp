#pragma once
// The server's own request and response types: what handlers see. They hold no Beast types,
// so handler files compile without Beast. Plain values; a Request belongs to one handler call.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace overture::http {

struct Request {
    std::string method;  // upper case: "GET", "POST", ...
    std::string target;  // as received, e.g. "/api/v1/users?limit=10"
    std::string path;    // percent-decoded path without the query
    std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string body;
    std::string remote_address;  // "127.0.0.1"
    std::string request_id;      // from X-Request-Id when sane, else generated
    std::map<std::string, std::string, std::less<>> path_params;  // set by the router
    std::string route;  // the matched route pattern, e.g. "/api/v1/users/{id}" (for metrics)

    // Empty when absent. Name lookup is case-insensitive.
    std::string_view Header(std::string_view name) const;
    // The first value of a query parameter; empty when absent.
    std::string_view QueryParam(std::string_view name) const;
    bool HasQueryParam(std::string_view name) const;
    // The value of one cookie from the Cookie header; empty when absent.
    std::string_view Cookie(std::string_view name) const;
    std::string_view PathParam(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Type goes here too
    std::string body;

    void SetHeader(std::string name, std::string value);
    std::string_view Header(std::string_view name) const;

    static Response Json(int status, std::string body);
    static Response NoContent();
};

}  // namespace overture::http
