// The server over real loopback sockets. The client is a few lines of POSIX sockets with
// receive timeouts, so that a server bug fails a test instead of hanging it.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.hpp"

namespace overture::http {
namespace {

using namespace std::chrono_literals;

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::string Header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class RawClient {
  public:
    explicit RawClient(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return connected_; }

    bool Send(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // One response; nullopt when the connection closed or timed out first.
    std::optional<HttpResponse> Read(bool head = false) {
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Fill()) return std::nullopt;
        }
        HttpResponse res;
        const std::string header = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        auto lines = Split(header, '\n');
        if (lines.empty() || lines[0].size() < 12) return std::nullopt;
        res.status = std::stoi(std::string(lines[0].substr(9, 3)));
        for (std::size_t i = 1; i < lines.size(); ++i) {
            auto line = Trim(lines[i]);
            auto colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            res.headers[ToLower(line.substr(0, colon))] = std::string(Trim(line.substr(colon + 1)));
        }
        const std::string length = res.Header("content-length");
        const std::size_t n = head || length.empty() ? 0 : std::stoul(length);
        while (buffer_.size() < n) {
            if (!Fill()) return std::nullopt;
        }
        res.body = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return res;
    }

    // True when the server closed the connection (EOF or reset) within the receive timeout.
    bool WaitClosed() {
        char c;
        const ssize_t n = ::recv(fd_, &c, 1, 0);
        return n == 0 || (n < 0 && errno == ECONNRESET);
    }

  private:
    bool Fill() {
        char chunk[16384];
        const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

std::string Get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router_.Add("GET", "/echo", [](Request& req) {
            std::string body = req.path;
            for (const auto& [k, v] : req.query) body += "|" + k + "=" + v;
            return Response::Json(200, body);
        });
        router_.Add("GET", "/echo/{rest}", [](Request& req) {
            std::string body = req.path + "|" + std::string(req.PathParam("rest"));
            for (const auto& [k, v] : req.query) body += "|" + k + "=" + v;
            return Response::Json(200, body);
        });
        router_.Add("POST", "/echo", [](Request& req) { return Response::Json(200, req.body); });
        router_.Add("GET", "/id", [](Request& req) { return Response::Json(200, req.request_id); });
        router_.Add("GET", "/headers", [](Request& req) {
            return Response::Json(200, std::string(req.Header("X-Custom")) + "|" +
                                           req.headers.front().first + "|" + req.remote_address);
        });
        router_.Add("GET", "/throw",
                    [](Request&) -> Response { throw std::runtime_error("database exploded"); });
        router_.Add("GET", "/slow", [this](Request& req) {
            ++slow_entered_;
            std::this_thread::sleep_for(200ms);
            return Response::Json(200, "slow " + std::string(req.QueryParam("n")));
        });
    }

    void TearDown() override {
        if (server_) {
            server_->Stop();
            server_->Wait();
        }
    }

    void StartServer(ServerOptions options = {}) {
        options.port = 0;
        server_ = std::make_unique<Server>(options, router_, metrics_);
        auto status = server_->Start();
        ASSERT_TRUE(status.has_value()) << status.error().message;
        ASSERT_NE(server_->port(), 0);
    }

    Router router_;
    Metrics metrics_;
    std::unique_ptr<Server> server_;
    std::atomic<int> slow_entered_{0};
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.connected());
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(client.Send(Get("/echo?i=" + std::to_string(i))));
        auto res = client.Read();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "/echo|i=" + std::to_string(i));
        EXPECT_EQ(res->Header("server"), "overture");
        EXPECT_EQ(res->Header("content-type"), "application/json");
        EXPECT_NE(res->Header("connection"), "close");
        EXPECT_FALSE(res->Header("date").empty());
    }
}

TEST_F(ServerTest, FillsRequestFields) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/echo/a%20b+c?q=a+b%26c&empty&x=%41")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "/echo/a b+c|a b+c|q=a b&c|empty=|x=A");
    ASSERT_TRUE(client.Send("GET /headers HTTP/1.1\r\nX-CUSTOM: yes\r\nHost: t\r\n\r\n"));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "yes|x-custom|127.0.0.1");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(
        client.Send(Get("/slow?n=1") + Get("/echo?n=2") + Get("/slow?n=3") + Get("/echo?n=4")));
    const char* expected[] = {"slow 1", "/echo|n=2", "slow 3", "/echo|n=4"};
    for (const char* body : expected) {
        auto res = client.Read();
        ASSERT_TRUE(res) << body;
        EXPECT_EQ(res->body, body);
    }
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("HEAD /echo?a=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto res = client.Read(/*head=*/true);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->Header("content-length"), "9");  // "/echo|a=1"
    ASSERT_TRUE(client.Send(Get("/echo?b=2")));     // no stray body bytes in between
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "/echo|b=2");
}

TEST_F(ServerTest, PostBodyReachesHandler) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(
        client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world"));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "hello world");
}

TEST_F(ServerTest, BodyOverLimitIs413) {
    StartServer();
    RawClient client(server_->port());
    const std::size_t size = 10 * 1024 * 1024;
    ASSERT_TRUE(client.Send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n"));
    // The client keeps sending the body while the server has already answered.
    std::thread sender([&client, size] { client.Send(std::string(size, 'x')); });
    auto res = client.Read();
    sender.join();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_EQ(res->Header("content-type"), "application/json");
    EXPECT_EQ(res->Header("connection"), "close");
    EXPECT_NE(res->body.find(R"({"error":{"code":"payload_too_large")"), std::string::npos);
    EXPECT_TRUE(client.WaitClosed());
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
    ServerOptions options;
    options.max_body_bytes = 1000;
    StartServer(options);
    RawClient client(server_->port());
    std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) request += "258\r\n" + std::string(600, 'y') + "\r\n";
    request += "0\r\n\r\n";
    ASSERT_TRUE(client.Send(request));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_NE(res->body.find("payload_too_large"), std::string::npos);
}

TEST_F(ServerTest, HugeHeaderIs431) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/echo", "X-Big: " + std::string(32 * 1024, 'h') + "\r\n")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 431);
    EXPECT_NE(res->body.find(R"({"error":{"code":)"), std::string::npos);
    EXPECT_TRUE(client.WaitClosed());
}

TEST_F(ServerTest, GarbageIs400AndCloses) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("this is not http\r\n\r\n"));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_NE(res->body.find(R"({"error":{"code":"invalid_argument")"), std::string::npos);
    EXPECT_EQ(res->Header("connection"), "close");
    EXPECT_TRUE(client.WaitClosed());
}

TEST_F(ServerTest, BrokenPercentEscapeIs400) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/echo/%zz")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
}

TEST_F(ServerTest, UnknownRouteIs404Json) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/api/v1/nothing")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    EXPECT_EQ(res->body,
              R"({"error":{"code":"not_found","message":"no route for GET /api/v1/nothing"}})");
    // The connection stays usable.
    ASSERT_TRUE(client.Send(Get("/echo")));
    ASSERT_TRUE(client.Read());
    // Requests are observed after their response is written, so give the server a moment.
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    std::string text;
    do {
        std::this_thread::sleep_for(5ms);
        text = metrics_.Render();
    } while (text.find("route=\"/echo\"") == std::string::npos &&
             std::chrono::steady_clock::now() < deadline);
    EXPECT_NE(
        text.find(R"(overture_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
        std::string::npos);
    EXPECT_NE(
        text.find(R"(overture_http_requests_total{method="GET",route="/echo",status="200"} 1)"),
        std::string::npos);
}

TEST_F(ServerTest, RequestIdIsEchoedOrGenerated) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/id", "X-Request-Id: abc.DEF_123-x\r\n")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "abc.DEF_123-x");
    EXPECT_EQ(res->Header("x-request-id"), "abc.DEF_123-x");

    ASSERT_TRUE(client.Send(Get("/id", "X-Request-Id: bad id!\r\n")));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body.size(), 22u);  // 16 random bytes, base64url
    EXPECT_EQ(res->Header("x-request-id"), res->body);

    ASSERT_TRUE(client.Send(Get("/id", "X-Request-Id: " + std::string(65, 'a') + "\r\n")));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body.size(), 22u);
}

TEST_F(ServerTest, HandlerExceptionIs500Json) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/throw")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body, R"({"error":{"code":"internal","message":"internal error"}})");
    EXPECT_EQ(res->body.find("exploded"), std::string::npos);
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
    ServerOptions options;
    options.idle_timeout = 200ms;
    StartServer(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/echo")));
    ASSERT_TRUE(client.Read());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.WaitClosed());
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 3s);
}

TEST_F(ServerTest, SlowRequestIsClosed) {
    ServerOptions options;
    options.read_timeout = 200ms;
    StartServer(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("GET /echo HTTP/1.1\r\nHost:"));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.WaitClosed());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
    StartServer();
    ServerOptions options;
    options.port = server_->port();
    Server second(options, router_, metrics_);
    auto status = second.Start();
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(status.error().message.find("in use"), std::string::npos);
}

TEST_F(ServerTest, GracefulStopAnswersEveryRequestInFlight) {
    ServerOptions options;
    options.worker_threads = 8;
    StartServer(options);
    const std::uint16_t port = server_->port();

    // An idle keep-alive connection: closed at once on Stop.
    RawClient idle(port);
    ASSERT_TRUE(idle.Send(Get("/echo")));
    ASSERT_TRUE(idle.Read());
    // A request partly received when Stop begins: still answered.
    RawClient partial(port);
    ASSERT_TRUE(partial.Send("GET /echo?partial=1 HTTP/1.1\r\nHo"));

    constexpr int kSlow = 6;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kSlow; ++i) {
        clients.push_back(std::make_unique<RawClient>(port));
        ASSERT_TRUE(clients.back()->Send(Get("/slow?n=" + std::to_string(i))));
    }
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (slow_entered_ < kSlow && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(slow_entered_, kSlow);

    const auto stop_start = std::chrono::steady_clock::now();
    server_->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 50ms);  // returns at once
    server_->Stop();                                                 // idempotent

    EXPECT_TRUE(idle.WaitClosed());
    EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 150ms);  // before the slow ones

    ASSERT_TRUE(partial.Send("st: t\r\n\r\n"));
    auto res = partial.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "/echo|partial=1");
    EXPECT_EQ(res->Header("connection"), "close");

    for (int i = 0; i < kSlow; ++i) {
        auto slow = clients[static_cast<std::size_t>(i)]->Read();
        ASSERT_TRUE(slow) << i;
        EXPECT_EQ(slow->status, 200);
        EXPECT_EQ(slow->body, "slow " + std::to_string(i));
        EXPECT_EQ(slow->Header("connection"), "close");
        EXPECT_TRUE(clients[static_cast<std::size_t>(i)]->WaitClosed());
    }

    RawClient late(port);
    EXPECT_FALSE(late.connected());

    server_->Wait();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 3s);
    EXPECT_NE(metrics_.Render().find("\noverture_http_connections_open 0\n"), std::string::npos);
    EXPECT_NE(metrics_.Render().find("\noverture_http_requests_in_flight 0\n"), std::string::npos);
}

TEST_F(ServerTest, StopDuringABurstAnswersEveryAcceptedRequest) {
    ServerOptions options;
    options.worker_threads = 4;  // most requests wait in the worker queue when Stop comes
    StartServer(options);
    constexpr int kClients = 24;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<RawClient>(server_->port()));
        ASSERT_TRUE(clients.back()->Send(Get("/slow?n=" + std::to_string(i))));
    }
    const std::string all_read =
        "\noverture_http_requests_in_flight " + std::to_string(kClients) + "\n";
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (metrics_.Render().find(all_read) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(2ms);
    }
    server_->Stop();
    for (int i = 0; i < kClients; ++i) {
        auto res = clients[static_cast<std::size_t>(i)]->Read();
        ASSERT_TRUE(res) << i;
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "slow " + std::to_string(i));
    }
    server_->Wait();
}

TEST_F(ServerTest, GraceExpiryForcesClose) {
    ServerOptions options;
    options.shutdown_grace = 50ms;
    StartServer(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("GET /echo HTTP/1.1\r\nHo"));  // never finished
    std::this_thread::sleep_for(50ms);
    const auto start = std::chrono::steady_clock::now();
    server_->Stop();
    server_->Wait();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_TRUE(client.WaitClosed());
}

TEST_F(ServerTest, SigtermStopsTheServer) {
    StartServer();
    server_->StopOnSignals();
    const std::uint16_t port = server_->port();
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    server_->Wait();  // returns only because the signal called Stop()
    RawClient late(port);
    EXPECT_FALSE(late.connected());
}

// The tracking fast path: answers /fast/... itself; anything else goes to the router.
ServerOptions FastOptions() {
    ServerOptions options;
    options.fast_path = [](const FastRequest& req, std::string& out, std::string_view& route) {
        if (!req.target.starts_with("/fast/")) return false;
        if (req.target == "/fast/decline") return false;
        const std::string body =
            "fast " + std::string(req.target.substr(6)) + " " + std::string(req.user_agent);
        out += "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ";
        out += std::to_string(body.size());
        out += req.keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
        if (!req.head) out += body;
        route = "/fast/{x}";
        return true;
    };
    return options;
}

TEST_F(ServerTest, FastPathAnswersGetAndHead) {
    StartServer(FastOptions());
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/fast/a", "User-Agent: tester\r\n")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "fast a tester");
    EXPECT_EQ(res->Header("content-type"), "text/plain");
    EXPECT_EQ(res->Header("server"), "");  // the bytes given, nothing added
    ASSERT_TRUE(client.Send("HEAD /fast/b HTTP/1.1\r\nHost: t\r\n\r\n"));
    res = client.Read(/*head=*/true);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->Header("content-length"), "7");
    ASSERT_TRUE(client.Send(Get("/echo?after=1")));  // no stray body bytes in between
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "/echo|after=1");
    const std::string metrics = metrics_.Render();
    EXPECT_NE(metrics.find("route=\"/fast/{x}\""), std::string::npos) << metrics;
}

TEST_F(ServerTest, FastPathDeclinesFallThroughToTheRouter) {
    StartServer(FastOptions());
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/fast/decline")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);  // the router's JSON 404
    EXPECT_EQ(res->Header("server"), "overture");
    // Requests with a body, or with Expect, never take the fast path.
    ASSERT_TRUE(client.Send("POST /fast/x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->Header("server"), "overture");
    ASSERT_TRUE(client.Send(Get("/fast/e", "Content-Length: 0\r\n")));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast e ");
}

TEST_F(ServerTest, FastPathKeepAliveAndPipeliningInOrder) {
    StartServer(FastOptions());
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(Get("/slow?n=1") + Get("/fast/2") + Get("/echo?n=3")));
    const char* expected[] = {"slow 1", "fast 2 ", "/echo|n=3"};
    for (const char* body : expected) {
        auto res = client.Read();
        ASSERT_TRUE(res) << body;
        EXPECT_EQ(res->body, body);
    }
    ASSERT_TRUE(client.Send(Get("/fast/3") + Get("/fast/4") + Get("/slow?n=5")));
    const char* more[] = {"fast 3 ", "fast 4 ", "slow 5"};
    for (const char* body : more) {
        auto res = client.Read();
        ASSERT_TRUE(res) << body;
        EXPECT_EQ(res->body, body);
    }
    // Connection: close from the client: answered with close, then closed.
    ASSERT_TRUE(client.Send(Get("/fast/6", "Connection: close\r\n")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->Header("connection"), "close");
    EXPECT_TRUE(client.WaitClosed());
}

TEST_F(ServerTest, FastPathGracefulStop) {
    StartServer(FastOptions());
    const std::uint16_t port = server_->port();
    RawClient idle(port);
    ASSERT_TRUE(idle.Send(Get("/fast/idle")));
    ASSERT_TRUE(idle.Read());
    RawClient partial(port);
    ASSERT_TRUE(partial.Send("GET /fast/partial HTTP/1.1\r\nHo"));
    std::this_thread::sleep_for(50ms);
    server_->Stop();
    EXPECT_TRUE(idle.WaitClosed());
    ASSERT_TRUE(partial.Send("st: t\r\n\r\n"));
    auto res = partial.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast partial ");
    EXPECT_EQ(res->Header("connection"), "close");
    EXPECT_TRUE(partial.WaitClosed());
    server_->Wait();
    EXPECT_NE(metrics_.Render().find("\noverture_http_requests_in_flight 0\n"), std::string::npos);
}

// Requests the fast path's own parser leaves to Beast still reach the fast path once, with the
// same fields; bytes it reads are not read twice.
TEST_F(ServerTest, FastPathUnusualRequestsGoThroughBeastOnce) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    ServerOptions options = FastOptions();
    options.fast_path = [calls, inner = options.fast_path](const FastRequest& req, std::string& out,
                                                           std::string_view& route) {
        ++*calls;
        return inner(req, out, route);
    };
    StartServer(options);
    RawClient client(server_->port());
    // Declined: offered once (by the simple parser), then the router.
    ASSERT_TRUE(client.Send(Get("/fast/decline")));
    auto res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    EXPECT_EQ(calls->load(), 1);
    // A Connection header with several tokens and a header with a tab in its value: Beast.
    ASSERT_TRUE(
        client.Send(Get("/fast/a", "Connection: keep-alive, x\r\nUser-Agent:\tua 1\t\r\n")));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast a ua 1");
    // Lower-case header names, no space after the colon, the first User-Agent wins.
    ASSERT_TRUE(client.Send(Get("/fast/b", "user-agent:one\r\nUSER-AGENT: two\r\n")));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast b one");
    EXPECT_EQ(calls->load(), 3);
    // A request split in the middle of its header, then a pipelined one in two pieces.
    ASSERT_TRUE(client.Send("GET /fast/c HTTP/1.1\r\nHost: t\r"));
    std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(client.Send("\n\r\nGET /fast/d HTTP/1.1\r\n"));
    std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(client.Send("Host: t\r\n\r\n"));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast c ");
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast d ");
    // A control character in a header value: Beast's 400, never the fast path.
    const int before = calls->load();
    ASSERT_TRUE(
        client.Send("GET /fast/e HTTP/1.1\r\nHost: t\r\nX-A: a\x01"
                    "b\r\n\r\n"));
    res = client.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(calls->load(), before);
}

TEST_F(ServerTest, FastPathHttp10ClosesUnlessKeepAlive) {
    StartServer(FastOptions());
    RawClient keep(server_->port());
    ASSERT_TRUE(keep.Send("GET /fast/k HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    auto res = keep.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "fast k ");
    EXPECT_EQ(res->Header("connection"), "");
    RawClient once(server_->port());
    ASSERT_TRUE(once.Send("GET /fast/o HTTP/1.0\r\n\r\n"));
    res = once.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->Header("connection"), "close");
    EXPECT_TRUE(once.WaitClosed());
}

// Connections are spread over the I/O threads' loops; many at once, on both paths, and a
// graceful stop that reaches every loop.
TEST_F(ServerTest, ManyConnectionsOverSeveralLoops) {
    ServerOptions options = FastOptions();
    options.io_threads = 3;
    StartServer(options);
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 12; ++i) clients.push_back(std::make_unique<RawClient>(server_->port()));
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < clients.size(); ++i) {
            const std::string n = std::to_string(i);
            ASSERT_TRUE(clients[i]->Send(Get("/fast/" + n) + Get("/echo?n=" + n)));
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            const std::string n = std::to_string(i);
            auto res = clients[i]->Read();
            ASSERT_TRUE(res);
            EXPECT_EQ(res->body, "fast " + n + " ");
            res = clients[i]->Read();
            ASSERT_TRUE(res);
            EXPECT_EQ(res->body, "/echo|n=" + n);
        }
    }
    server_->Stop();
    for (auto& client : clients) EXPECT_TRUE(client->WaitClosed());
    server_->Wait();
}

TEST_F(ServerTest, WaitWithoutStartReturns) {
    Server server(ServerOptions{}, router_, metrics_);
    server.Wait();
    server.Stop();
}

}  // namespace
}  // namespace overture::http
