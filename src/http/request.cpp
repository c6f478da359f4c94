#include "http/request.hpp"

#include <strings.h>

#include "common/strings.hpp"

namespace overture::http {

namespace {

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (IEquals(k, name)) return v;
    }
    return {};
}

std::string_view Request::QueryParam(std::string_view name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return v;
    }
    return {};
}

bool Request::HasQueryParam(std::string_view name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return true;
    }
    return false;
}

std::string_view Request::Cookie(std::string_view name) const {
    for (auto part : Split(Header("cookie"), ';')) {
        part = Trim(part);
        auto eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        if (Trim(part.substr(0, eq)) == name) return Trim(part.substr(eq + 1));
    }
    return {};
}

std::string_view Request::PathParam(std::string_view name) const {
    auto it = path_params.find(name);
    return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

void Response::SetHeader(std::string name, std::string value) {
    for (auto& [k, v] : headers) {
        if (IEquals(k, name)) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

std::string_view Response::Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (IEquals(k, name)) return v;
    }
    return {};
}

Response Response::Json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
}

Response Response::NoContent() {
    Response r;
    r.status = 204;
    return r;
}

}  // namespace overture::http
