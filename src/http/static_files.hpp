#pragma once
// StaticFiles: serves the built web UI (web/dist) below one root directory, as the router's
// fallback. GET and HEAD only.
//
// - Paths are taken from Request::path (already percent-decoded once by the server); a ".."
//   or "." segment, a backslash or a NUL byte is refused with 400, and the resolved file must
//   lie inside the root.
// - index.html and other HTML: Cache-Control no-cache. Files under /assets/ (content-hashed
//   by Vite): public, max-age=31536000, immutable. Every answer has X-Content-Type-Options:
//   nosniff and files have an ETag (size + mtime); a matching If-None-Match gives 304.
// - A missing path without a file extension serves index.html (single-page app routes); a
//   missing file with an extension is a 404 JSON error.
// - When root/index.html does not exist, every request gets a 503 JSON error saying the web
//   UI is not built.
//
// Thread-safety: immutable after construction; Serve may run on many threads at once.
#include <filesystem>

#include "http/request.hpp"

namespace overture::http {

class StaticFiles {
  public:
    explicit StaticFiles(std::filesystem::path root);

    // Never throws for I/O failures: an unreadable file is a 500 JSON error.
    Response Serve(const Request& req) const;

  private:
    Response ServeFile(const Request& req, const std::filesystem::path& file, bool immutable) const;

    std::filesystem::path root_;  // absolute and normalised
};

}  // namespace overture::http
