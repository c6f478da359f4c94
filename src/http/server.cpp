// The Beast server behind http/server.hpp.
//
// Approach: one io_context per I/O thread (`io_threads` of them, each run by its own thread,
// so no strands are needed: a single-threaded io_context serializes by itself). One acceptor,
// on the first loop, hands accepted connections round-robin to the loops (an even spread; a
// SO_REUSEPORT listener per loop would let a second server bind the same port without an
// error). One C++20 coroutine per connection, on its loop. A connection loops: wait for the
// first byte (idle_timeout), read one whole request (read_timeout, header and body limits
// enforced by the parser), hop to the worker pool for Router::Dispatch (handlers block), hop
// back to the connection's loop, write the response, repeat. Requests on one connection are
// answered one at a time, in order, which is what HTTP/1.1 pipelining needs.
//
// Every live connection is registered in `sessions_` (id -> Session and its loop's executor),
// so that Stop() can tell each one to finish: idle ones are cancelled, busy ones finish their
// request and close. Sessions only die on their own loop, so a handler posted to that loop
// that finds the session in the registry may use it.
#include "http/server.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/random.hpp"
#include "common/strings.hpp"
#include "http/error_mapping.hpp"

namespace overture::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// How long a connection being closed after an error may keep sending data we throw away
// (closing with unread data makes the kernel send RST, and the client may lose our answer).
constexpr std::chrono::seconds kLingerTime{2};
// After shutdown_grace, how long the forcibly closed connections get to unwind.
constexpr std::chrono::seconds kForceCloseWait{2};

bool IsSaneRequestId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// Fills req.path and req.query from req.target. False when the target is not origin-form
// or its escapes are broken.
bool ParseTarget(Request& req) {
    std::string_view target = req.target;
    if (target.empty() || target.front() != '/') return false;
    const auto q = target.find('?');
    if (!PercentDecode(target.substr(0, q), false, req.path)) return false;
    if (q == std::string_view::npos) return true;
    for (auto pair : Split(target.substr(q + 1), '&')) {
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string key;
        std::string value;
        if (!PercentDecode(pair.substr(0, eq), true, key)) return false;
        if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value)) {
            return false;
        }
        req.query.emplace_back(std::move(key), std::move(value));
    }
    return true;
}

bool IsParseError(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

bool IsTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A bare-bones parser for the requests the fast path takes (nearly all tracking traffic): a
// GET or HEAD with no body whose header is complete in `data`. It fills `out` (views into
// `data`) and returns the header's length, or returns 0 for anything else or unusual (another
// method or version, Content-Length, Transfer-Encoding, Expect, an obs-fold, control
// characters, a Connection header other than "close" or "keep-alive", more than `limit`
// bytes, an incomplete header), which Beast's parser then reads as usual. It accepts nothing
// that Beast would refuse, so the two paths answer the same requests.
std::size_t ParseSimpleRequest(std::string_view data, std::size_t limit, FastRequest& out) {
    if (data.size() > limit) data = data.substr(0, limit);
    const auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) return 0;
    std::string_view head = data.substr(0, end + 2);  // every line ends with CRLF
    bool is_head = false;
    if (head.starts_with("GET ")) {
        head.remove_prefix(4);
    } else if (head.starts_with("HEAD ")) {
        head.remove_prefix(5);
        is_head = true;
    } else {
        return 0;
    }
    const auto sp = head.find(' ');
    if (sp == std::string_view::npos || sp == 0 || head.front() != '/') return 0;
    const std::string_view target = head.substr(0, sp);
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) return 0;
    }
    head.remove_prefix(sp + 1);
    bool keep_alive = true;
    if (head.starts_with("HTTP/1.0\r\n")) {
        keep_alive = false;
    } else if (!head.starts_with("HTTP/1.1\r\n")) {
        return 0;
    }
    head.remove_prefix(10);
    std::string_view agent;
    bool seen_agent = false;
    bool seen_connection = false;
    while (!head.empty()) {
        const auto eol = head.find("\r\n");
        const std::string_view line = head.substr(0, eol);
        head.remove_prefix(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return 0;
        const std::string_view name = line.substr(0, colon);
        for (const char c : name) {
            if (!IsTokenChar(c)) return 0;
        }
        std::string_view value = line.substr(colon + 1);
        for (const char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) return 0;
        }
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
            value.remove_suffix(1);
        }
        if (beast::iequals(name, "user-agent")) {
            if (!seen_agent) agent = value;
            seen_agent = true;
        } else if (beast::iequals(name, "connection")) {
            if (seen_connection) return 0;
            seen_connection = true;
            if (beast::iequals(value, "close")) {
                keep_alive = false;
            } else if (beast::iequals(value, "keep-alive")) {
                keep_alive = true;
            } else {
                return 0;
            }
        } else if (beast::iequals(name, "content-length") ||
                   beast::iequals(name, "transfer-encoding") || beast::iequals(name, "expect")) {
            return 0;
        }
    }
    out.method = is_head ? "HEAD" : "GET";
    out.target = target;
    out.user_agent = agent;
    out.keep_alive = keep_alive;
    out.head = is_head;
    return end + 4;
}

std::string HttpDate() {
    return fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT", fmt::gmtime(std::time(nullptr)));
}

}  // namespace

class Server::Impl {
  public:
    Impl(ServerOptions options, const Router& router, Metrics& metrics)
        : options_(std::move(options)),
          router_(router),
          metrics_(metrics),
          workers_(static_cast<std::size_t>(std::max(1, options_.worker_threads))) {
        for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
            loops_.push_back(std::make_unique<Loop>());
        }
        acceptor_.emplace(loops_.front()->ioc);
    }

    ~Impl() {
        Stop();
        Wait();
    }

    Status Start();
    std::uint16_t port() const { return port_.load(); }
    void Stop();
    void StopOnSignals();
    void Wait();

  private:
    class Session;
    struct SessionEntry {
        Session* session;
        asio::any_io_executor executor;  // its loop's
    };
    // One I/O thread with its own event loop. Members are destroyed in reverse order: the
    // thread is joined (by Wait) before, the io_context goes last.
    struct Loop {
        asio::io_context ioc{1};  // one thread runs it
        std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
        std::thread thread;
    };

    asio::awaitable<void> AcceptLoop();
    // The io_context of the loop the next accepted connection goes to.
    asio::io_context& NextLoop() {
        Loop& loop = *loops_[next_loop_];
        next_loop_ = (next_loop_ + 1) % loops_.size();
        return loop.ioc;
    }
    void StartSession(tcp::socket socket);
    asio::awaitable<void> RunSession(tcp::socket socket);
    // Runs on a worker thread: the router, with the catch-all boundary of STYLE.md.
    Response Handle(Request& req) const;
    // Posts `fn(session)` to every live session's loop.
    template <typename Fn>
    void ForEachSession(Fn fn);

    const ServerOptions options_;
    const Router& router_;
    Metrics& metrics_;
    SecureRandom random_;

    std::atomic<bool> started_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint16_t> port_{0};

    std::mutex mu_;
    std::condition_variable cv_;                                // signals changes to the below
    std::unordered_map<std::uint64_t, SessionEntry> sessions_;  // guarded by mu_
    std::uint64_t next_session_id_ = 0;                         // guarded by mu_
    bool accepting_ = false;                                    // guarded by mu_
    std::size_t next_loop_ = 0;    // round-robin; used by the accept loop only
    int starting_sessions_ = 0;    // spawned, not yet in sessions_; guarded by mu_
    bool stop_requested_ = false;  // guarded by mu_
    Clock::time_point stop_time_;  // guarded by mu_

    std::mutex wait_mu_;   // serialises Wait()
    bool joined_ = false;  // guarded by wait_mu_

    // Destruction order matters: I/O objects and the worker pool (whose queued tasks may own
    // coroutine frames holding sockets) go before the io_contexts.
    std::vector<std::unique_ptr<Loop>> loops_;
    std::optional<tcp::acceptor> acceptor_;  // on loops_.front()
    std::unique_ptr<asio::signal_set> signals_;
    asio::thread_pool workers_;
};

// One connection. Lives in its coroutine's frame; every member is used on its loop only.
class Server::Impl::Session {
  public:
    Session(Impl& impl, tcp::socket socket) : impl_(impl), stream_(std::move(socket)) {
        error_code ec;
        remote_ = stream_.socket().remote_endpoint(ec).address().to_string();
        // For the fast path's direct writes (ServeFast); asynchronous operations work as usual.
        stream_.socket().non_blocking(true, ec);
        std::lock_guard lock(impl_.mu_);
        id_ = impl_.next_session_id_++;
        impl_.sessions_.emplace(id_, SessionEntry{this, stream_.get_executor()});
        impl_.metrics_.AddConnections(1);
    }

    ~Session() {
        error_code ec;
        stream_.socket().close(ec);
        std::lock_guard lock(impl_.mu_);
        impl_.sessions_.erase(id_);
        impl_.metrics_.AddConnections(-1);
        impl_.cv_.notify_all();
    }

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    asio::awaitable<void> Run();

    // Graceful stop: an idle connection is cancelled; a busy one finishes its request.
    void OnStop() {
        if (idle_) stream_.cancel();
    }

    void ForceClose() { stream_.close(); }

  private:
    struct Answer {
        std::string method;
        std::string path;
        std::string route;
        std::string request_id;
        Clock::time_point start;
    };

    std::size_t Available() {
        error_code ec;
        const std::size_t n = stream_.socket().available(ec);
        return ec ? 0 : n;
    }

    // Writes `response`; logs and observes it. Returns false when the write failed.
    asio::awaitable<bool> Write(Response response, const Answer& answer, unsigned version,
                                bool head, bool close);
    enum class FastOutcome { kDeclined, kDone, kClose };
    // Offers a complete, bodyless GET or HEAD to ServerOptions::fast_path and writes its
    // answer. kDeclined: take the normal path; kDone: answered, read the next request;
    // kClose: answered with Connection: close, or the write failed.
    asio::awaitable<FastOutcome> TryFastPath(const bhttp::request<bhttp::string_body>& header);
    // The same for a request ParseSimpleRequest read from the start of buffer_ (`length`
    // bytes, consumed when the fast path answers it), before and without Beast's parser.
    asio::awaitable<FastOutcome> ServeFast(FastRequest request, std::size_t length);
    // Answers a request the server refuses itself, then closes the connection.
    asio::awaitable<void> Refuse(Error error, int status, const Answer& answer);
    // Half-closes and reads until the peer closes (bounded by kLingerTime).
    asio::awaitable<void> LingeringClose();

    Impl& impl_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::string remote_;
    std::uint64_t id_ = 0;
    bool idle_ = false;     // waiting for the first byte of a request
    std::string fast_out_;  // the fast path's response; its capacity is kept across requests
};

asio::awaitable<void> Server::Impl::Session::Run() {
    const ServerOptions& options = impl_.options_;
    for (;;) {
        if (buffer_.size() == 0) {
            if (impl_.stopping_ && Available() == 0) co_return;
            idle_ = true;
            error_code ec;
            stream_.expires_after(options.idle_timeout);
            const std::size_t n = co_await stream_.async_read_some(
                buffer_.prepare(8192), asio::redirect_error(asio::use_awaitable, ec));
            idle_ = false;
            if (ec == asio::error::operation_aborted && impl_.stopping_ && Available() > 0) {
                continue;  // the request arrived just as we were told to stop: answer it
            }
            if (ec) co_return;
            buffer_.commit(n);
        }

        bool offered = false;  // to the fast path already, which declined
        if (options.fast_path) {
            const auto* data = static_cast<const char*>(buffer_.data().data());
            FastRequest request;
            const std::size_t length = ParseSimpleRequest(std::string_view(data, buffer_.size()),
                                                          options.max_header_bytes, request);
            if (length > 0) {
                const FastOutcome fast = co_await ServeFast(request, length);
                if (fast == FastOutcome::kDone) continue;
                if (fast == FastOutcome::kClose) co_return;
                offered = true;
            }
        }

        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        // Routes may allow larger bodies (uploads): the parser takes the largest, and once the
        // header names the route, that route's own limit applies.
        std::size_t body_limit = std::max(options.max_body_bytes, impl_.router_.MaxBodyLimit());
        parser.body_limit(body_limit);
        Answer answer;
        answer.route = "unmatched";
        error_code ec;
        stream_.expires_after(options.read_timeout);
        co_await bhttp::async_read_header(stream_, buffer_, parser,
                                          asio::redirect_error(asio::use_awaitable, ec));
        // A request without a body (parser.is_done() after the header: every GET of the
        // tracking fast path) has no body limit to look up.
        if (!ec && parser.is_header_done() && !parser.is_done()) {
            const auto& header = parser.get();
            auto target = header.target();
            auto path = target.substr(0, target.find('?'));
            std::size_t route_limit = impl_.router_.BodyLimit(header.method_string(), path);
            body_limit = route_limit > 0 ? route_limit : options.max_body_bytes;
            if (parser.content_length() && *parser.content_length() > body_limit) {
                ec = bhttp::error::body_limit;
            } else {
                parser.body_limit(body_limit);
            }
        }
        if (!ec && !offered && impl_.options_.fast_path && parser.is_done()) {
            const FastOutcome fast = co_await TryFastPath(parser.get());
            if (fast == FastOutcome::kDone) continue;
            if (fast == FastOutcome::kClose) co_return;
        }
        if (!ec && beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
            bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
            co_await bhttp::async_write(stream_, cont,
                                        asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec) {
            co_await bhttp::async_read(stream_, buffer_, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
        }
        answer.start = Clock::now();
        if (parser.is_header_done()) {
            const auto& header = parser.get();
            answer.method = std::string(header.method_string());
            answer.path = std::string(header.target());
            const auto id = header["X-Request-Id"];
            if (IsSaneRequestId(id)) answer.request_id = std::string(id);
        }
        if (answer.request_id.empty()) answer.request_id = RandomToken(impl_.random_, 16);

        // (Errors are built in named variables: g++ 12 mishandles temporaries that live
        // across a co_await.)
        if (ec == bhttp::error::header_limit) {
            Error error{ErrorCode::kHeadersTooLarge, "request header too large", {}, {}};
            error.details.emplace("limitBytes", std::to_string(options.max_header_bytes));
            co_await Refuse(std::move(error), 431, answer);
            co_return;
        }
        if (ec == bhttp::error::body_limit) {
            Error error{ErrorCode::kPayloadTooLarge, "request body too large", {}, {}};
            error.details.emplace("limitBytes", std::to_string(body_limit));
            co_await Refuse(std::move(error), 413, answer);
            co_return;
        }
        if (ec && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
            IsParseError(ec)) {
            Error error = Error::InvalidArgument("malformed HTTP request");
            co_await Refuse(std::move(error), 400, answer);
            co_return;
        }
        if (ec) co_return;  // peer closed, reset, timed out, or we were force-closed

        auto message = parser.release();
        Request req;
        req.method = std::move(answer.method);
        req.target = std::string(message.target());
        req.remote_address = remote_;
        req.request_id = answer.request_id;
        req.headers.reserve(
            static_cast<std::size_t>(std::distance(message.begin(), message.end())));
        for (const auto& field : message) {
            req.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
        }
        req.body = std::move(message.body());
        if (!ParseTarget(req)) {
            answer.method = req.method;
            Error error = Error::InvalidArgument("malformed request target");
            co_await Refuse(std::move(error), 400, answer);
            co_return;
        }

        impl_.metrics_.AddInFlight(1);
        auto on_worker = [this, &req]() -> asio::awaitable<Response> {
            co_return impl_.Handle(req);
        };
        Response response =
            co_await asio::co_spawn(impl_.workers_, std::move(on_worker), asio::use_awaitable);
        answer.method = req.method;
        answer.path = req.path;
        if (!req.route.empty()) answer.route = req.route;
        // While stopping, close after this answer unless more pipelined requests are here.
        const bool close =
            !message.keep_alive() || (impl_.stopping_ && buffer_.size() == 0 && Available() == 0);
        const bool written = co_await Write(std::move(response), answer, message.version(),
                                            req.method == "HEAD", close);
        impl_.metrics_.AddInFlight(-1);
        if (!written) co_return;
        if (close) {
            stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
            co_return;
        }
    }
}

asio::awaitable<Server::Impl::Session::FastOutcome> Server::Impl::Session::TryFastPath(
    const bhttp::request<bhttp::string_body>& header) {
    const auto method = header.method();
    if (method != bhttp::verb::get && method != bhttp::verb::head) co_return FastOutcome::kDeclined;
    // parser.is_done() after the header means there is no body; a Transfer-Encoding or an
    // Expect header still sends the request the normal way, which knows how to answer them.
    if (header.find(bhttp::field::transfer_encoding) != header.end() ||
        header.find(bhttp::field::expect) != header.end()) {
        co_return FastOutcome::kDeclined;
    }
    const auto target = header.target();
    const auto agent = header[bhttp::field::user_agent];
    FastRequest request;
    request.method = method == bhttp::verb::head ? "HEAD" : "GET";
    request.target = std::string_view(target.data(), target.size());
    request.user_agent = std::string_view(agent.data(), agent.size());
    request.keep_alive = header.keep_alive();
    request.head = method == bhttp::verb::head;
    co_return co_await ServeFast(request, 0);
}

asio::awaitable<Server::Impl::Session::FastOutcome> Server::Impl::Session::ServeFast(
    FastRequest request, std::size_t length) {
    const auto start = Clock::now();
    // While stopping, close after this answer unless more pipelined requests are here.
    const bool close =
        !request.keep_alive || (impl_.stopping_ && buffer_.size() == length && Available() == 0);
    request.remote_address = remote_;
    request.keep_alive = !close;
    std::string_view route;
    fast_out_.clear();
    bool handled = false;
    try {
        handled = impl_.options_.fast_path(request, fast_out_, route);
    } catch (const std::exception& e) {
        spdlog::error("tracking fast path threw on {}: {}", request.target, e.what());
    } catch (...) {
        spdlog::error("tracking fast path threw a non-standard exception on {}", request.target);
    }
    if (!handled || fast_out_.empty()) {
        fast_out_.clear();
        co_return FastOutcome::kDeclined;
    }
    // The request's bytes (and so the views into them) are not needed any more.
    buffer_.consume(length);
    // "HTTP/1.1 302 Found": the status is the three digits after the first space.
    int status = 0;
    if (const auto sp = fast_out_.find(' ');
        sp != std::string::npos && sp + 4 <= fast_out_.size()) {
        for (std::size_t i = sp + 1; i < sp + 4; ++i) {
            const char c = fast_out_[i];
            status = (c >= '0' && c <= '9') ? status * 10 + (c - '0') : 0;
        }
    }
    impl_.metrics_.AddInFlight(1);
    // The socket is non-blocking: a small answer nearly always goes out at once, without the
    // cost of an asynchronous write and its timer; the rest (a full send buffer) is written
    // asynchronously, bounded by read_timeout.
    error_code ec;
    std::size_t sent = stream_.socket().write_some(asio::buffer(fast_out_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        sent = 0;
    }
    if (!ec && sent < fast_out_.size()) {
        stream_.expires_after(impl_.options_.read_timeout);
        co_await asio::async_write(stream_,
                                   asio::buffer(fast_out_.data() + sent, fast_out_.size() - sent),
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    impl_.metrics_.ObserveRequest(request.method, route.empty() ? "unmatched" : route, status,
                                  seconds);
    impl_.metrics_.AddInFlight(-1);
    if (ec) co_return FastOutcome::kClose;
    if (close) {
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        co_return FastOutcome::kClose;
    }
    co_return FastOutcome::kDone;
}

asio::awaitable<bool> Server::Impl::Session::Write(Response response, const Answer& answer,
                                                   unsigned version, bool head, bool close) {
    bhttp::response<bhttp::string_body> res;
    res.version(version);
    res.result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) {
        if (beast::iequals(name, "content-length") || beast::iequals(name, "connection") ||
            beast::iequals(name, "transfer-encoding")) {
            continue;
        }
        res.insert(name, value);
    }
    res.set(bhttp::field::server, "overture");
    res.set(bhttp::field::date, HttpDate());
    res.set("X-Request-Id", answer.request_id);
    const int status = response.status;
    const bool bodyless = (status >= 100 && status < 200) || status == 204 || status == 304;
    std::size_t body_bytes = 0;
    if (!bodyless) {
        res.content_length(response.body.size());
        if (!head) {
            body_bytes = response.body.size();
            res.body() = std::move(response.body);
        }
    }
    res.keep_alive(!close);

    error_code ec;
    stream_.expires_after(impl_.options_.read_timeout);
    co_await bhttp::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));

    const double seconds = std::chrono::duration<double>(Clock::now() - answer.start).count();
    impl_.metrics_.ObserveRequest(answer.method, answer.route, status, seconds);
    spdlog::info("{} {} {} {} {} {:.1f} {}{}", remote_, answer.method.empty() ? "-" : answer.method,
                 answer.path.empty() ? "-" : answer.path, status, body_bytes, seconds * 1000,
                 answer.request_id, ec ? " (write failed: " + ec.message() + ")" : "");
    co_return !ec;
}

asio::awaitable<void> Server::Impl::Session::Refuse(Error error, int status, const Answer& answer) {
    Response response = ErrorResponse(error, answer.request_id);
    response.status = status;
    impl_.metrics_.AddInFlight(1);
    const bool written = co_await Write(std::move(response), answer, 11, false, true);
    impl_.metrics_.AddInFlight(-1);
    if (written) co_await LingeringClose();
}

asio::awaitable<void> Server::Impl::Session::LingeringClose() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    stream_.expires_after(kLingerTime);
    std::array<char, 16 * 1024> scratch;
    for (;;) {
        co_await stream_.async_read_some(asio::buffer(scratch),
                                         asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
    }
}

Response Server::Impl::Handle(Request& req) const {
    try {
        return router_.Dispatch(req);
    } catch (const std::exception& e) {
        spdlog::error("request {}: handler for {} {} threw: {}", req.request_id, req.method,
                      req.path, e.what());
    } catch (...) {
        spdlog::error("request {}: handler for {} {} threw a non-standard exception",
                      req.request_id, req.method, req.path);
    }
    return ErrorResponse(Error::Internal({}), req.request_id);
}

asio::awaitable<void> Server::Impl::RunSession(tcp::socket socket) {
    // Until the Session registers itself, starting_sessions_ keeps Wait() from finishing.
    auto started = [this] {
        std::lock_guard lock(mu_);
        --starting_sessions_;
        cv_.notify_all();
    };
    try {
        Session session(*this, std::move(socket));
        started();
        co_await session.Run();
    } catch (const std::exception& e) {
        // A bug or resource exhaustion; the connection is dropped, the server keeps going.
        spdlog::error("connection failed: {}", e.what());
    }
}

void Server::Impl::StartSession(tcp::socket socket) {
    {
        std::lock_guard lock(mu_);
        ++starting_sessions_;
    }
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, RunSession(std::move(socket)), asio::detached);
}

asio::awaitable<void> Server::Impl::AcceptLoop() {
    for (;;) {
        // Stop() may cancel the acceptor between an accept that completed and the next one,
        // when there is nothing to cancel: without this check, the loop would wait for
        // connections until shutdown_grace (the tracking shutdown test caught it).
        if (stopping_) break;
        error_code ec;
        tcp::socket socket(NextLoop());
        co_await acceptor_->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) {
            StartSession(std::move(socket));
            continue;
        }
        if (stopping_ || ec == asio::error::operation_aborted) break;
        {
            // Typically out of file descriptors: back off instead of spinning.
            spdlog::warn("accept failed: {}", ec.message());
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     std::chrono::milliseconds(100));
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
    }
    // Stopping. Clients whose connections the kernel already completed (still in the listen
    // backlog) have sent their requests as far as they can tell: take them in and answer them,
    // then close the listener.
    error_code ec;
    acceptor_->non_blocking(true, ec);
    while (!ec) {
        tcp::socket socket(NextLoop());
        acceptor_->accept(socket, ec);
        if (!ec) StartSession(std::move(socket));
    }
    acceptor_->close(ec);
    std::lock_guard lock(mu_);
    accepting_ = false;
    cv_.notify_all();
}

Status Server::Impl::Start() {
    if (started_) return Fail(Error::FailedPrecondition("the server was already started"));
    if (options_.io_threads < 1 || options_.worker_threads < 1) {
        return Fail(Error::InvalidArgument("io_threads and worker_threads must be at least 1"));
    }
    const std::string where = fmt::format("{}:{}", options_.host, options_.port);
    error_code ec;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, options_.port);
    } else {
        tcp::resolver resolver(loops_.front()->ioc);
        const auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
        if (ec || results.empty()) {
            return Fail(Error::InvalidArgument("cannot resolve the listen host " + options_.host));
        }
        endpoint = results.begin()->endpoint();
    }
    tcp::acceptor& acceptor = *acceptor_;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        const std::string why = ec == asio::error::address_in_use
                                    ? "the address is already in use (is another server running?)"
                                    : ec.message();
        acceptor.close(ec);
        return Fail(Error::Unavailable("cannot listen on " + where + ": " + why));
    }
    port_ = acceptor.local_endpoint(ec).port();
    {
        std::lock_guard lock(mu_);
        accepting_ = true;
    }
    asio::co_spawn(acceptor.get_executor(), AcceptLoop(), asio::detached);
    for (auto& loop : loops_) {
        loop->work.emplace(loop->ioc.get_executor());
        loop->thread = std::thread([&ioc = loop->ioc] {
            try {
                ioc.run();
            } catch (const std::exception& e) {
                spdlog::critical("HTTP I/O thread failed: {}", e.what());
            }
        });
    }
    started_ = true;
    spdlog::info("HTTP server listening on http://{}:{}", options_.host, port_.load());
    // A Stop() that raced with Start() saw started_ false and did not close the acceptor.
    if (stopping_) {
        asio::post(acceptor.get_executor(), [this] {
            error_code ignored;
            acceptor_->close(ignored);
        });
    }
    return {};
}

template <typename Fn>
void Server::Impl::ForEachSession(Fn fn) {
    std::lock_guard lock(mu_);
    for (const auto& [id, entry] : sessions_) {
        asio::post(entry.executor, [this, id = id, fn] {
            std::lock_guard inner(mu_);
            if (auto it = sessions_.find(id); it != sessions_.end()) fn(*it->second.session);
        });
    }
}

void Server::Impl::Stop() {
    if (stopping_.exchange(true)) return;
    {
        std::lock_guard lock(mu_);
        stop_requested_ = true;
        stop_time_ = Clock::now();
    }
    cv_.notify_all();
    if (!started_) return;
    spdlog::info("HTTP server stopping: finishing requests in flight");
    // The accept loop sees the cancellation, drains the backlog and closes the listener.
    asio::post(acceptor_->get_executor(), [this] {
        error_code ec;
        acceptor_->cancel(ec);
    });
    ForEachSession([](Session& session) { session.OnStop(); });
}

void Server::Impl::StopOnSignals() {
    signals_ = std::make_unique<asio::signal_set>(loops_.front()->ioc, SIGTERM, SIGINT);
    signals_->async_wait([this](const error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("received signal {}", signal);
        Stop();
    });
}

void Server::Impl::Wait() {
    std::lock_guard wait_lock(wait_mu_);
    if (!started_ || joined_) return;
    bool forced = false;
    {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_requested_; });
        const auto done = [this] {
            return sessions_.empty() && !accepting_ && starting_sessions_ == 0;
        };
        if (!cv_.wait_until(lock, stop_time_ + options_.shutdown_grace, done)) {
            forced = true;
            spdlog::warn(
                "HTTP shutdown grace of {} ms passed with {} connections open; "
                "closing them",
                options_.shutdown_grace.count(), sessions_.size());
            lock.unlock();
            ForEachSession([](Session& session) { session.ForceClose(); });
            lock.lock();
            cv_.wait_for(lock, kForceCloseWait, done);
        }
    }
    for (auto& loop : loops_) {
        loop->work.reset();
        loop->ioc.stop();
    }
    for (auto& loop : loops_) {
        if (loop->thread.joinable()) loop->thread.join();
    }
    if (forced) workers_.stop();
    workers_.join();
    signals_.reset();
    joined_ = true;
    spdlog::info("HTTP server stopped");
}

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
void Server::StopOnSignals() { impl_->StopOnSignals(); }
void Server::Wait() { impl_->Wait(); }

}  // namespace overture::http
