#pragma once
// Server: the HTTP/1.1 server (Boost.Beast underneath, hidden behind a pimpl so that this
// header pulls in no Boost).
//
// Connections are served asynchronously on `io_threads`; each connection reads one request
// at a time (keep-alive and pipelining, answers in order). Handlers block (they talk to the
// database), so Router::Dispatch runs on a separate pool of `worker_threads` and never on an
// I/O thread. Errors the server produces itself (400, 404, 405, 413, 431, 500) have the JSON
// error body of http/error_mapping.hpp. Every response carries X-Request-Id (the client's when
// it is 1-64 chars of [A-Za-z0-9._-], else a generated one) and Server: overture; every
// request gets one access-log line and one Metrics observation.
//
// Graceful shutdown: Stop() closes the listener; idle keep-alive connections close at once;
// a request already (partly) received, being handled or being written is still answered
// (with Connection: close) before its connection closes. Wait() returns when all connections
// are done, or after `shutdown_grace`, when the rest are cut.
//
// Thread-safety: Stop() may be called from any thread (and from signal handling) any number
// of times. Start, StopOnSignals and Wait are for the owning thread. The router and metrics
// must outlive the server.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace overture::http {

// The tracking fast path (docs/tracking.md, "Endpoints"): a GET or HEAD without a body is
// offered to it on the I/O thread, before the hop to the worker pool. It writes a complete
// HTTP/1.1 response (status line, headers, body; Content-Length always set; `Connection: close`
// when !keep_alive) into `out` and returns true, or returns false (and leaves `out` empty) to
// let the request take the normal path. It must not block: no database, no locks held long.
// Fast-path requests are counted in the metrics (route = `route`) but not access-logged.
struct FastRequest {
    std::string_view method;  // GET or HEAD
    std::string_view target;  // path and query as received
    std::string_view user_agent;
    std::string_view remote_address;
    bool keep_alive = true;
    bool head = false;
};
using FastPath =
    std::function<bool(const FastRequest& request, std::string& out, std::string_view& route)>;

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = an ephemeral port; see Server::port()
    int io_threads = 2;
    int worker_threads = 8;
    std::size_t max_header_bytes = 16 * 1024;         // request line + headers; over it: 431
    std::size_t max_body_bytes = 1024 * 1024;         // over it: 413
    std::chrono::milliseconds idle_timeout{60000};    // keep-alive connection with no request
    std::chrono::milliseconds read_timeout{30000};    // to receive one whole request
    std::chrono::milliseconds shutdown_grace{30000};  // max wait for in-flight requests at stop
    FastPath fast_path;                               // optional
};

class Server {
  public:
    Server(ServerOptions options, const Router& router, Metrics& metrics);
    ~Server();  // Stop() and Wait()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens and starts the threads. Fails with kUnavailable when the address is
    // taken or cannot be bound, kInvalidArgument for a bad host or option. Call once.
    Status Start();

    // The bound port (after a successful Start), 0 before.
    std::uint16_t port() const;

    // Begins the graceful shutdown and returns at once. Thread-safe and idempotent.
    void Stop();

    // Makes SIGTERM and SIGINT call Stop(). Call after Start and before Wait.
    void StopOnSignals();

    // Blocks until Stop() was called and the server has fully stopped (all connections
    // closed, threads joined). After shutdown_grace the remaining connections are cut; a
    // handler still running on a worker cannot be interrupted, so Wait also waits for it.
    // Returns at once when Start was never successful.
    void Wait();

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace overture::http
