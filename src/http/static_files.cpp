#include "http/static_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "common/strings.hpp"
#include "http/error_mapping.hpp"

namespace overture::http {

namespace fs = std::filesystem;

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kContentTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".woff2", "font/woff2"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
}};

std::string_view ContentTypeFor(const fs::path& file) {
    const std::string ext = ToLower(file.extension().string());
    for (const auto& [e, type] : kContentTypes) {
        if (e == ext) return type;
    }
    return "application/octet-stream";
}

Response WithNoSniff(Response response) {
    response.SetHeader("X-Content-Type-Options", "nosniff");
    return response;
}

// True when If-None-Match lists `etag` (or is "*"). Weak comparison, as for GET.
bool NoneMatchHits(std::string_view header, std::string_view etag) {
    auto strip_weak = [](std::string_view tag) {
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        return tag;
    };
    for (auto part : Split(header, ',')) {
        part = Trim(part);
        if (part == "*" || strip_weak(part) == strip_weak(etag)) return true;
    }
    return false;
}

}  // namespace

StaticFiles::StaticFiles(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {}

Response StaticFiles::Serve(const Request& req) const {
    if (req.method != "GET" && req.method != "HEAD") {
        Error error{ErrorCode::kMethodNotAllowed,
                    "method " + req.method + " is not allowed for " + req.path,
                    {},
                    {}};
        auto response = ErrorResponse(error, req.request_id);
        response.SetHeader("Allow", "GET, HEAD");
        return WithNoSniff(std::move(response));
    }
    std::error_code ec;
    const fs::path index = root_ / "index.html";
    if (!fs::is_regular_file(index, ec)) {
        return WithNoSniff(
            ErrorResponse(Error::Unavailable("the web UI is not built; run `make run` "
                                             "(or `npm --prefix web run build`) and reload"),
                          req.request_id));
    }

    std::string_view path = req.path;
    if (path.empty() || path.front() != '/' || path.find('\0') != std::string_view::npos ||
        path.find('\\') != std::string_view::npos) {
        return WithNoSniff(ErrorResponse(Error::InvalidArgument("invalid path"), req.request_id));
    }
    fs::path relative;
    for (auto segment : Split(path.substr(1), '/')) {
        if (segment == ".." || segment == ".") {
            return WithNoSniff(
                ErrorResponse(Error::InvalidArgument("invalid path"), req.request_id));
        }
        if (!segment.empty()) relative /= fs::path(std::string(segment));
    }
    const bool immutable = path.starts_with("/assets/");
    if (relative.empty()) return ServeFile(req, index, false);

    const fs::path file = root_ / relative;
    // Defence in depth against symlinks leading out of the root.
    std::error_code file_ec;
    std::error_code root_ec;
    const fs::path resolved = fs::weakly_canonical(file, file_ec);
    const fs::path canonical_root = fs::weakly_canonical(root_, root_ec);
    auto [root_end, unused] = std::mismatch(canonical_root.begin(), canonical_root.end(),
                                            resolved.begin(), resolved.end());
    if (file_ec || root_ec || root_end != canonical_root.end()) {
        return WithNoSniff(ErrorResponse(Error::InvalidArgument("invalid path"), req.request_id));
    }
    if (fs::is_regular_file(file, ec)) return ServeFile(req, file, immutable);
    if (!relative.has_extension()) return ServeFile(req, index, false);
    return WithNoSniff(
        ErrorResponse(Error::NotFound("no file " + std::string(path)), req.request_id));
}

// Reads the file on every request; keeping small files in memory is a later optimisation.
Response StaticFiles::ServeFile(const Request& req, const fs::path& file, bool immutable) const {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    const auto mtime = fs::last_write_time(file, ec);
    if (ec) {
        return WithNoSniff(ErrorResponse(
            Error::Internal("cannot stat " + file.string() + ": " + ec.message()), req.request_id));
    }
    const auto mtime_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
    const std::string etag = fmt::format("W/\"{:x}-{:x}\"", size, mtime_ns);
    const bool html = file.extension() == ".html";

    Response response;
    response.SetHeader("ETag", etag);
    response.SetHeader("Cache-Control",
                       immutable && !html ? "public, max-age=31536000, immutable" : "no-cache");
    if (auto inm = req.Header("if-none-match"); !inm.empty() && NoneMatchHits(inm, etag)) {
        response.status = 304;
        return WithNoSniff(std::move(response));
    }
    std::ifstream in(file, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return WithNoSniff(
            ErrorResponse(Error::Internal("cannot read " + file.string()), req.request_id));
    }
    response.status = 200;
    response.SetHeader("Content-Type", std::string(ContentTypeFor(file)));
    response.body = std::move(body);
    return WithNoSniff(std::move(response));
}

}  // namespace overture::http
