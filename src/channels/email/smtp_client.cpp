// The SMTP client: the pool (queue, limits, workers) and one connection's protocol (Session).
// See smtp_client.hpp for the contract.
//
// Approach: everything runs on one strand. Each worker coroutine owns at most one connection and
// loops: open a session (with back-off after failures), take the next eligible message from the
// queue (route and domain limits), run the transaction, report, until the connection has carried
// max_messages_per_connection, idles out or breaks. Workers are spawned on demand up to
// pool_size and end when the queue is empty after their connection closes. Timeouts are a timer
// per session that closes the socket, which aborts whatever operation is pending.
#include "channels/email/smtp_client.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

// GCC 12 at -O2 inlines the frame allocation of awaited coroutines (Asio's recycling allocator,
// aligned_alloc) and then flags the frame's operator delete as mismatched: a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace overture::email {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::use_awaitable;

std::string Base64(std::string_view in) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string Domain(std::string_view address) {
    const auto at = address.rfind('@');
    std::string d(at == std::string_view::npos ? std::string_view() : address.substr(at + 1));
    for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return d;
}

bool HasEightBit(std::string_view data) {
    // Eight bytes at a time: any high bit set.
    std::size_t i = 0;
    for (; i + 8 <= data.size(); i += 8) {
        std::uint64_t v;
        std::memcpy(&v, data.data() + i, 8);
        if (v & 0x8080808080808080ull) return true;
    }
    for (; i < data.size(); ++i) {
        if (static_cast<unsigned char>(data[i]) & 0x80) return true;
    }
    return false;
}

// Appends the buffers of `data` dot-stuffed plus the end-of-data line.
void StuffedBuffers(std::string_view data, std::vector<asio::const_buffer>& out) {
    static constexpr char kDot[] = ".";
    static constexpr char kEnd[] = ".\r\n";
    static constexpr char kCrlfEnd[] = "\r\n.\r\n";
    out.clear();
    std::size_t start = 0;
    if (!data.empty() && data[0] == '.') out.emplace_back(kDot, 1);
    for (auto i = data.find("\n."); i != std::string_view::npos; i = data.find("\n.", i + 1)) {
        out.emplace_back(data.data() + start, i + 1 - start);
        out.emplace_back(kDot, 1);
        start = i + 1;
    }
    if (start < data.size()) out.emplace_back(data.data() + start, data.size() - start);
    if (data.empty() || data.ends_with("\r\n")) {
        out.emplace_back(kEnd, 3);
    } else {
        out.emplace_back(kCrlfEnd, 5);
    }
}

bool IsIpAddress(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

struct TokenBucket {
    double rate = 0;  // tokens per second; 0: unlimited
    double tokens = 0;
    SteadyClock::time_point last{};

    // Zero when a token is available now, else how long until one is.
    SteadyClock::duration Wait(SteadyClock::time_point now) {
        if (rate <= 0) return {};
        const double burst = std::max(1.0, rate);
        if (last == SteadyClock::time_point{}) {
            tokens = burst;
        } else {
            tokens =
                std::min(burst, tokens + rate * std::chrono::duration<double>(now - last).count());
        }
        last = now;
        if (tokens >= 1) return {};
        return std::chrono::duration_cast<SteadyClock::duration>(
                   std::chrono::duration<double>((1 - tokens) / rate)) +
               std::chrono::microseconds(1);
    }
    void Take() {
        if (rate > 0) tokens -= 1;
    }
};

struct Pending {
    Envelope envelope;
    std::function<void(SendResult)> done;
    std::string domain;
    SteadyClock::time_point submitted;
    int attempts = 0;
};

struct DomainState {
    int in_flight = 0;
    TokenBucket bucket;
};

struct Capabilities {
    bool pipelining = false, starttls = false, eight_bit_mime = false, smtputf8 = false;
    bool enhanced_status = false, auth_plain = false, auth_login = false;
    std::uint64_t size = 0;  // 0: not announced or no limit
    std::vector<std::string> lines;
};

struct Reply {
    int code = 0;
    std::string text;  // the lines as received, joined by CRLF
};

SendResult RouteFailure(std::string reason, std::string text, const Reply* reply = nullptr) {
    SendResult r;
    r.outcome = Outcome::kRouteFailure;
    r.reason = std::move(reason);
    r.reply = std::move(text);
    if (reply != nullptr && reply->code != 0) {
        std::string status, plain;
        Classifier::SplitReply(reply->text, r.code, status, plain);
        r.enhanced_status = std::move(status);
        r.reply = reply->text;
    }
    return r;
}

}  // namespace

struct SmtpClient::State : std::enable_shared_from_this<State> {
    State(asio::any_io_executor executor, SmtpRouteSettings s, std::shared_ptr<const Classifier> c)
        : strand(asio::make_strand(std::move(executor))),
          settings(std::move(s)),
          classifier(std::move(c)),
          ssl(asio::ssl::context::tls_client),
          drained_future(drained.get_future().share()) {
        route_bucket.rate = settings.rate_per_second;
        settings.pool_size = std::max(1, settings.pool_size);
        settings.max_messages_per_connection = std::max(1, settings.max_messages_per_connection);
        error_code ec;
        ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1,
                        ec);
        if (settings.verify_certificate) {
            if (!settings.ca_file.empty()) {
                ssl.load_verify_file(settings.ca_file, ec);
            } else {
                ssl.set_default_verify_paths(ec);
            }
            if (ec) tls_setup_error = "cannot load CA certificates: " + ec.message();
        }
    }

    // --- all below runs on `strand` ---
    void Enqueue(Envelope envelope, std::function<void(SendResult)> done);
    void Wake();  // a message was queued or a transaction ended
    void Grow();  // the route works again: open connections for the backlog
    void Spawn();
    void Report(Pending& p, SendResult r);
    void FailQueued(const SendResult& r, std::chrono::milliseconds min_wait);
    void CheckDrained();
    SteadyClock::duration Backoff() const;
    asio::awaitable<std::optional<Pending>> Next();

    asio::strand<asio::any_io_executor> strand;
    SmtpRouteSettings settings;
    std::shared_ptr<const Classifier> classifier;
    asio::ssl::context ssl;
    std::string tls_setup_error;

    std::deque<Pending> queue;
    bool stopping = false;
    int workers = 0;
    std::vector<asio::steady_timer*> waiting;   // workers waiting for work or a limit
    std::vector<asio::steady_timer*> sleeping;  // workers in reconnect back-off
    TokenBucket route_bucket;
    std::unordered_map<std::string, DomainState> domains;
    int consecutive_failures = 0;

    std::promise<void> drained;
    std::shared_future<void> drained_future;
    bool drained_set = false;

    // Read by stats() from any thread.
    std::atomic<std::uint64_t> connections_opened{0}, connection_failures{0}, messages_sent{0},
        messages_failed{0}, rsets{0}, round_trips{0}, outstanding{0};
    std::atomic<int> open_connections{0};
};

namespace {

using State = SmtpClient::State;

// One connection and its protocol. Lives in a worker coroutine's frame.
class Session {
  public:
    explicit Session(State& s) : s_(s), stream_(tcp::socket(s.strand), s.ssl), timer_(s.strand) {}
    ~Session() { Disarm(); }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    bool usable() const { return usable_; }
    const Capabilities& caps() const { return caps_; }

    // Connect, greeting, EHLO, STARTTLS, AUTH. nullopt on success, else the route failure.
    asio::awaitable<std::optional<SendResult>> Open();
    // One transaction. `retry` is set when the message never reached the server (a stale
    // connection) and may be tried again on a new one.
    asio::awaitable<SendResult> Transact(const Pending& p, bool& retry);
    asio::awaitable<void> Quit();

  private:
    void Arm(std::chrono::milliseconds d) {
        const auto gen = ++gen_;
        timed_out_ = false;
        timer_.expires_after(d);
        timer_.async_wait([this, gen](error_code ec) {
            if (ec || gen != gen_) return;
            timed_out_ = true;
            error_code ignored;
            stream_.next_layer().close(ignored);
        });
    }
    void Disarm() {
        ++gen_;
        timer_.cancel();
    }

    asio::awaitable<error_code> WriteAll(std::string_view bytes) {
        error_code ec;
        if (tls_) {
            co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                                       asio::redirect_error(kAwait, ec));
        } else {
            co_await asio::async_write(stream_.next_layer(),
                                       asio::buffer(bytes.data(), bytes.size()),
                                       asio::redirect_error(kAwait, ec));
        }
        co_return ec;
    }
    asio::awaitable<error_code> WriteBuffers(const std::vector<asio::const_buffer>& buffers) {
        error_code ec;
        if (tls_) {
            co_await asio::async_write(stream_, buffers, asio::redirect_error(kAwait, ec));
        } else {
            co_await asio::async_write(stream_.next_layer(), buffers,
                                       asio::redirect_error(kAwait, ec));
        }
        co_return ec;
    }
    asio::awaitable<error_code> ReadReply(Reply& r);
    // Writes `command` (one or more lines) and reads one reply.
    asio::awaitable<error_code> Command(std::string_view command, Reply& r) {
        if (auto ec = co_await WriteAll(command)) co_return ec;
        ++s_.round_trips;
        co_return co_await ReadReply(r);
    }
    asio::awaitable<std::optional<SendResult>> Ehlo();
    asio::awaitable<std::optional<SendResult>> Auth();
    asio::awaitable<std::optional<SendResult>> Connect();    // resolve, TCP, TCP_NODELAY
    asio::awaitable<std::optional<SendResult>> Handshake();  // TLS, with verification
    // The failure of an I/O step: "timeout" when our timer fired, else `reason`.
    SendResult IoFailure(std::string_view reason, std::string_view step, error_code ec) {
        usable_ = false;
        if (timed_out_) {
            return RouteFailure("timeout", "timed out during " + std::string(step));
        }
        return RouteFailure(std::string(reason), std::string(step) + ": " + ec.message());
    }
    SendResult FromReply(const Reply& r) const {
        SendResult out;
        std::string text;
        Classifier::SplitReply(r.text, out.code, out.enhanced_status, text);
        const auto c = s_.classifier->Classify(out.code, out.enhanced_status, text);
        out.outcome = c.outcome;
        out.reason = c.reason;
        out.reply = r.text;
        return out;
    }

    State& s_;
    asio::ssl::stream<tcp::socket> stream_;
    asio::steady_timer timer_;
    std::uint64_t gen_ = 0;
    bool timed_out_ = false;
    bool tls_ = false;
    bool usable_ = false;
    bool need_rset_ = false;
    bool used_ = false;
    Capabilities caps_;
    std::string rbuf_;
    std::size_t rpos_ = 0;
    std::string wbuf_;
    std::vector<asio::const_buffer> body_;
    Reply replies_[4];
};

asio::awaitable<error_code> Session::ReadReply(Reply& r) {
    r.code = 0;
    r.text.clear();
    for (;;) {
        const auto nl = rbuf_.find('\n', rpos_);
        if (nl == std::string::npos) {
            if (rpos_ > 0) {
                rbuf_.erase(0, rpos_);
                rpos_ = 0;
            }
            if (rbuf_.size() > 64 * 1024) co_return asio::error::message_size;
            const std::size_t old = rbuf_.size();
            rbuf_.resize(old + 4096);
            error_code ec;
            std::size_t n = 0;
            if (tls_) {
                n = co_await stream_.async_read_some(asio::buffer(rbuf_.data() + old, 4096),
                                                     asio::redirect_error(kAwait, ec));
            } else {
                n = co_await stream_.next_layer().async_read_some(
                    asio::buffer(rbuf_.data() + old, 4096), asio::redirect_error(kAwait, ec));
            }
            rbuf_.resize(old + n);
            if (ec) co_return ec;
            continue;
        }
        std::string_view line(rbuf_.data() + rpos_, nl - rpos_);
        rpos_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
            !std::isdigit(static_cast<unsigned char>(line[1])) ||
            !std::isdigit(static_cast<unsigned char>(line[2]))) {
            co_return asio::error::invalid_argument;  // not SMTP
        }
        if (r.code == 0) r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (!r.text.empty()) r.text += "\r\n";
        r.text.append(line);
        if (line.size() == 3 || line[3] != '-') co_return error_code();
    }
}

asio::awaitable<std::optional<SendResult>> Session::Ehlo() {
    Reply& r = replies_[0];
    wbuf_ = "EHLO " + s_.settings.helo_name + "\r\n";
    if (auto ec = co_await Command(wbuf_, r)) co_return IoFailure("connection", "EHLO", ec);
    if (r.code != 250) {
        usable_ = false;
        co_return RouteFailure("connection", "EHLO refused", &r);
    }
    caps_ = Capabilities();
    std::string_view text = r.text;
    bool first = true;
    while (!text.empty()) {
        const auto eol = text.find("\r\n");
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 2);
        if (first) {
            first = false;
            continue;  // the greeting line names the server
        }
        line.remove_prefix(std::min<std::size_t>(4, line.size()));
        std::string upper(line);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        caps_.lines.emplace_back(line);
        if (upper == "PIPELINING") caps_.pipelining = true;
        if (upper == "STARTTLS") caps_.starttls = true;
        if (upper == "8BITMIME") caps_.eight_bit_mime = true;
        if (upper == "SMTPUTF8") caps_.smtputf8 = true;
        if (upper == "ENHANCEDSTATUSCODES") caps_.enhanced_status = true;
        if (upper.starts_with("SIZE")) {
            caps_.size = std::strtoull(upper.c_str() + 4, nullptr, 10);
        }
        if (upper.starts_with("AUTH ") || upper.starts_with("AUTH=")) {
            std::string_view mechs = std::string_view(upper).substr(5);
            while (!mechs.empty()) {
                const auto sp = mechs.find(' ');
                const auto m = mechs.substr(0, sp);
                if (m == "PLAIN") caps_.auth_plain = true;
                if (m == "LOGIN") caps_.auth_login = true;
                mechs = sp == std::string_view::npos ? std::string_view() : mechs.substr(sp + 1);
            }
        }
    }
    co_return std::nullopt;
}

asio::awaitable<std::optional<SendResult>> Session::Auth() {
    const auto& st = s_.settings;
    if (!tls_ && !st.allow_plain_auth) {
        co_return RouteFailure("auth", "refusing AUTH without TLS (allow_plain_auth is off)");
    }
    Reply& r = replies_[0];
    if (caps_.auth_plain) {
        wbuf_ = "AUTH PLAIN " + Base64(std::string(1, '\0') + st.username + '\0' + st.password) +
                "\r\n";
        if (auto ec = co_await Command(wbuf_, r)) co_return IoFailure("auth", "AUTH", ec);
    } else if (caps_.auth_login) {
        if (auto ec = co_await Command("AUTH LOGIN\r\n", r)) {
            co_return IoFailure("auth", "AUTH", ec);
        }
        if (r.code == 334) {
            wbuf_ = Base64(st.username) + "\r\n";
            if (auto ec = co_await Command(wbuf_, r)) co_return IoFailure("auth", "AUTH", ec);
        }
        if (r.code == 334) {
            wbuf_ = Base64(st.password) + "\r\n";
            if (auto ec = co_await Command(wbuf_, r)) co_return IoFailure("auth", "AUTH", ec);
        }
    } else {
        co_return RouteFailure("auth", "the server offers neither AUTH PLAIN nor AUTH LOGIN");
    }
    if (r.code != 235) {
        usable_ = false;
        co_return RouteFailure("auth", "authentication failed", &r);
    }
    co_return std::nullopt;
}

asio::awaitable<std::optional<SendResult>> Session::Connect() {
    const auto& st = s_.settings;
    error_code ec;
    tcp::resolver resolver(s_.strand);
    const auto endpoints = co_await resolver.async_resolve(st.host, std::to_string(st.port),
                                                           asio::redirect_error(kAwait, ec));
    if (ec) co_return IoFailure("connection", "resolving " + st.host, ec);
    co_await asio::async_connect(stream_.next_layer(), endpoints, asio::redirect_error(kAwait, ec));
    if (ec) co_return IoFailure("connection", "connecting to " + st.host, ec);
    stream_.next_layer().set_option(tcp::no_delay(true), ec);
    co_return std::nullopt;
}

asio::awaitable<std::optional<SendResult>> Session::Handshake() {
    const auto& st = s_.settings;
    if (st.verify_certificate) {
        stream_.set_verify_mode(asio::ssl::verify_peer);
        stream_.set_verify_callback(asio::ssl::host_name_verification(st.host));
    } else {
        stream_.set_verify_mode(asio::ssl::verify_none);
    }
    if (!IsIpAddress(st.host)) SSL_set_tlsext_host_name(stream_.native_handle(), st.host.c_str());
    error_code ec;
    co_await stream_.async_handshake(asio::ssl::stream_base::client,
                                     asio::redirect_error(kAwait, ec));
    if (ec) co_return IoFailure("tls", "TLS handshake", ec);
    tls_ = true;
    co_return std::nullopt;
}

asio::awaitable<std::optional<SendResult>> Session::Open() {
    const auto& st = s_.settings;
    if (!s_.tls_setup_error.empty() && st.tls != TlsMode::kNone) {
        co_return RouteFailure("tls", s_.tls_setup_error);
    }
    Arm(st.connect_timeout);
    if (auto f = co_await Connect()) co_return f;

    if (st.tls == TlsMode::kImplicit) {
        if (auto f = co_await Handshake()) co_return f;
    }
    Reply& r = replies_[0];
    if (auto rec = co_await ReadReply(r)) co_return IoFailure("connection", "greeting", rec);
    if (r.code != 220) co_return RouteFailure("connection", "greeting refused", &r);
    Arm(st.command_timeout);
    if (auto f = co_await Ehlo()) co_return f;
    if (!tls_ && (st.tls == TlsMode::kStartTlsRequired ||
                  (st.tls == TlsMode::kStartTls && caps_.starttls))) {
        if (!caps_.starttls) co_return RouteFailure("tls", "the server does not offer STARTTLS");
        if (auto sec = co_await Command("STARTTLS\r\n", r)) {
            co_return IoFailure("tls", "STARTTLS", sec);
        }
        if (r.code != 220) co_return RouteFailure("tls", "STARTTLS refused", &r);
        // Anything the server sent after its 220 was not protected: drop it (RFC 3207).
        rbuf_.clear();
        rpos_ = 0;
        Arm(st.connect_timeout);
        if (auto f = co_await Handshake()) co_return f;
        Arm(st.command_timeout);
        if (auto f = co_await Ehlo()) co_return f;
    }
    if (!st.username.empty()) {
        if (auto f = co_await Auth()) co_return f;
    }
    Disarm();
    usable_ = true;
    co_return std::nullopt;
}

asio::awaitable<SendResult> Session::Transact(const Pending& p, bool& retry) {
    retry = false;
    const auto& st = s_.settings;
    const std::string& data = *p.envelope.data;
    const bool reused = used_;
    used_ = true;
    if (p.envelope.smtputf8 && !caps_.smtputf8) {
        SendResult r;
        r.outcome = Outcome::kHardFailure;
        r.reason = "smtputf8_unsupported";
        r.reply = "the message needs SMTPUTF8 and the server does not offer it";
        co_return r;
    }
    if (caps_.size > 0 && data.size() > caps_.size) {
        // Classified like the server's own "552 5.3.4" so that administrator rules apply.
        std::string text = "message size " + std::to_string(data.size()) +
                           " exceeds the server's limit of " + std::to_string(caps_.size);
        const auto c = s_.classifier->Classify(552, "5.3.4", text);
        co_return SendResult{c.outcome, c.reason, 0, "", std::move(text)};
    }
    // A stale pooled connection (the server said goodbye while we idled): do not use it.
    if (reused) {
        error_code aec;
        if (rpos_ < rbuf_.size() || stream_.next_layer().available(aec) > 0 || aec) {
            usable_ = false;
            retry = p.attempts == 0;
            co_return RouteFailure("connection", "the idle connection was closed by the server");
        }
    }

    wbuf_.clear();
    const bool rset = need_rset_;
    if (rset) wbuf_ += "RSET\r\n";
    wbuf_ += "MAIL FROM:<";
    wbuf_ += p.envelope.mail_from;
    wbuf_ += '>';
    if (caps_.size > 0) {
        wbuf_ += " SIZE=";
        wbuf_ += std::to_string(data.size());
    }
    if (caps_.eight_bit_mime && HasEightBit(data)) wbuf_ += " BODY=8BITMIME";
    if (p.envelope.smtputf8) wbuf_ += " SMTPUTF8";
    wbuf_ += "\r\n";
    const std::size_t rcpt_at = wbuf_.size();
    wbuf_ += "RCPT TO:<";
    wbuf_ += p.envelope.rcpt_to;
    wbuf_ += ">\r\n";
    const std::size_t data_at = wbuf_.size();
    wbuf_ += "DATA\r\n";

    Arm(st.command_timeout);
    bool any_reply = false;
    auto io_failure = [&](std::string_view step, error_code ec) {
        // Nothing answered on a reused connection: the server had gone away; try once more.
        if (reused && !any_reply && !timed_out_ && p.attempts == 0) retry = true;
        return IoFailure("connection", step, ec);
    };
    Reply& rset_reply = replies_[0];
    Reply& mail = replies_[1];
    Reply& rcpt = replies_[2];
    Reply& data_reply = replies_[3];
    std::string_view batch = wbuf_;
    if (caps_.pipelining) {
        if (auto ec = co_await WriteAll(batch)) co_return io_failure("MAIL", ec);
        ++s_.round_trips;
        if (rset) {
            if (auto ec = co_await ReadReply(rset_reply)) co_return io_failure("RSET", ec);
            any_reply = true;
            ++s_.rsets;
        }
        // A 421 means the server closes the connection: the replies after it never come.
        auto closing = [&](const Reply& r) {
            if (r.code != 421) return false;
            usable_ = false;
            Disarm();
            return true;
        };
        if (auto ec = co_await ReadReply(mail)) co_return io_failure("MAIL", ec);
        any_reply = true;
        if (closing(mail)) co_return FromReply(mail);
        if (auto ec = co_await ReadReply(rcpt)) co_return io_failure("RCPT", ec);
        if (closing(rcpt)) co_return FromReply(rcpt);
        if (auto ec = co_await ReadReply(data_reply)) co_return io_failure("DATA", ec);
    } else {
        const std::size_t mail_at = rset ? 6 : 0;
        if (rset) {
            if (auto ec = co_await Command(batch.substr(0, mail_at), rset_reply)) {
                co_return io_failure("RSET", ec);
            }
            any_reply = true;
            ++s_.rsets;
        }
        mail.code = rcpt.code = data_reply.code = 0;
        if (auto ec = co_await Command(batch.substr(mail_at, rcpt_at - mail_at), mail)) {
            co_return io_failure("MAIL", ec);
        }
        any_reply = true;
        if (mail.code / 100 == 2) {
            if (auto ec = co_await Command(batch.substr(rcpt_at, data_at - rcpt_at), rcpt)) {
                co_return io_failure("RCPT", ec);
            }
            if (rcpt.code / 100 == 2) {
                if (auto ec = co_await Command(batch.substr(data_at), data_reply)) {
                    co_return io_failure("DATA", ec);
                }
            }
        }
    }
    if (rset) {
        if (rset_reply.code / 100 != 2) {
            usable_ = false;  // the server is confused about the state; start afresh
            co_return FromReply(rset_reply);
        }
        need_rset_ = false;
    }
    const Reply* failed = nullptr;
    if (mail.code / 100 != 2) {
        failed = &mail;
    } else if (rcpt.code / 100 != 2) {
        failed = &rcpt;
    } else if (data_reply.code != 354) {
        failed = &data_reply;
    }
    if (failed != nullptr) {
        // MAIL accepted means a transaction is open on the server: clear it before the next.
        need_rset_ = mail.code / 100 == 2;
        if (data_reply.code == 354) {
            // The server took DATA although a command before failed: end an empty message.
            Reply& end = replies_[0];
            if (auto ec = co_await Command(".\r\n", end)) {
                IoFailure("connection", "DATA", ec);
            }
            need_rset_ = true;
        }
        for (const Reply* r : {&mail, &rcpt, &data_reply}) {
            if (r->code == 421) usable_ = false;
        }
        Disarm();
        auto result = FromReply(*failed);
        if (result.outcome == Outcome::kSent) {
            result.outcome = Outcome::kSoftFailure;
            result.reason = "unexpected_reply";
        }
        co_return result;
    }

    Arm(st.data_timeout);
    StuffedBuffers(data, body_);
    if (auto ec = co_await WriteBuffers(body_)) co_return IoFailure("connection", "the body", ec);
    ++s_.round_trips;
    Reply& end = replies_[0];
    if (auto ec = co_await ReadReply(end)) {
        co_return IoFailure("connection", "the end of DATA", ec);
    }
    Disarm();
    if (end.code == 250) {
        SendResult r;
        r.outcome = Outcome::kSent;
        r.reason = "sent";
        std::string text;
        Classifier::SplitReply(end.text, r.code, r.enhanced_status, text);
        r.reply = end.text;
        co_return r;
    }
    if (end.code == 421) usable_ = false;
    auto result = FromReply(end);
    if (result.outcome == Outcome::kSent) {  // a 2xx other than 250 is not an acceptance
        result.outcome = Outcome::kSoftFailure;
        result.reason = "unexpected_reply";
    }
    co_return result;
}

asio::awaitable<void> Session::Quit() {
    if (usable_) {
        usable_ = false;
        Arm(s_.settings.command_timeout);
        // No TLS close_notify exchange: many servers just close after 221, and waiting for
        // theirs would only hold the connection until the timeout.
        co_await Command("QUIT\r\n", replies_[0]);
        Disarm();
    }
    error_code ec;
    stream_.next_layer().close(ec);
}

asio::awaitable<void> Worker(std::shared_ptr<State> self) {
    State& s = *self;
    while (!s.queue.empty()) {
        Session session(s);
        if (auto failure = co_await session.Open()) {
            ++s.connection_failures;
            ++s.consecutive_failures;
            spdlog::warn("smtp {}:{}: {} ({})", s.settings.host, s.settings.port, failure->reply,
                         failure->reason);
            if (s.stopping) {
                SendResult r = *failure;
                r.reply = "shutdown while the route failed: " + r.reply;
                s.FailQueued(r, std::chrono::milliseconds(0));
                break;
            }
            s.FailQueued(*failure, s.settings.max_queue_wait);
            if (s.queue.empty()) break;
            asio::steady_timer sleep(s.strand, s.Backoff());
            s.sleeping.push_back(&sleep);  // Shutdown cuts the back-off short
            error_code ec;
            co_await sleep.async_wait(asio::redirect_error(kAwait, ec));
            std::erase(s.sleeping, &sleep);
            continue;
        }
        if (s.consecutive_failures > 0) {
            s.consecutive_failures = 0;
            s.Grow();
        }
        ++s.connections_opened;
        ++s.open_connections;
        for (int count = 0; session.usable() && count < s.settings.max_messages_per_connection;
             ++count) {
            auto next = co_await s.Next();
            if (!next) break;
            bool retry = false;
            SendResult result = co_await session.Transact(*next, retry);
            auto it = s.domains.find(next->domain);
            if (it != s.domains.end()) {
                --it->second.in_flight;
                if (it->second.in_flight == 0 && s.settings.per_domain_rate <= 0)
                    s.domains.erase(it);
            }
            if (retry) {
                ++next->attempts;
                s.queue.push_front(std::move(*next));
            } else {
                s.Report(*next, std::move(result));
            }
            s.Wake();
        }
        co_await session.Quit();
        --s.open_connections;
    }
    --s.workers;
    s.CheckDrained();
}

// The "test connection" session, run on the pool's strand.
asio::awaitable<Result<std::vector<std::string>>> TestSession(std::shared_ptr<State> s) {
    Session session(*s);
    if (auto failure = co_await session.Open()) {
        ++s->connection_failures;
        co_return Fail(Error::Unavailable(failure->reply).With("reason", failure->reason));
    }
    ++s->connections_opened;
    auto lines = session.caps().lines;
    co_await session.Quit();
    co_return lines;
}

}  // namespace

void State::Enqueue(Envelope envelope, std::function<void(SendResult)> done) {
    Pending p;
    p.domain = Domain(envelope.rcpt_to);
    p.envelope = std::move(envelope);
    p.done = std::move(done);
    p.submitted = SteadyClock::now();
    if (stopping) {
        Report(p, RouteFailure("shutdown", "the route is shutting down"));
        return;
    }
    if (!p.envelope.data) p.envelope.data = std::make_shared<const std::string>();
    queue.push_back(std::move(p));
    Wake();
}

void State::Wake() {
    const std::size_t woken = waiting.size();
    for (auto* t : waiting) t->cancel();
    waiting.clear();
    if (queue.empty() || stopping) return;
    // While the route fails, one worker probes it; Grow adds the others once it works.
    const int limit = consecutive_failures > 0 ? 1 : settings.pool_size;
    if (workers < limit && queue.size() > woken) Spawn();
}

void State::Grow() {
    while (!stopping && workers < settings.pool_size &&
           queue.size() > static_cast<std::size_t>(workers)) {
        Spawn();
    }
}

void State::Spawn() {
    ++workers;
    asio::co_spawn(strand, Worker(shared_from_this()), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("smtp worker failed: {}", ex.what());
        }
    });
}

void State::Report(Pending& p, SendResult r) {
    if (r.outcome == Outcome::kSent) {
        ++messages_sent;
    } else {
        ++messages_failed;
    }
    --outstanding;
    auto done = std::move(p.done);
    if (!done) return;
    try {
        done(std::move(r));
    } catch (const std::exception& e) {
        // A caller's exception must not take the pool down.
        spdlog::error("smtp completion callback threw: {}", e.what());
    }
}

void State::FailQueued(const SendResult& r, std::chrono::milliseconds min_wait) {
    const auto now = SteadyClock::now();
    for (auto it = queue.begin(); it != queue.end();) {
        if (now - it->submitted >= min_wait) {
            Pending p = std::move(*it);
            it = queue.erase(it);
            Report(p, r);
        } else {
            ++it;
        }
    }
}

void State::CheckDrained() {
    if (stopping && workers == 0 && !queue.empty()) {
        FailQueued(RouteFailure("shutdown", "the route is shutting down"),
                   std::chrono::milliseconds(0));
    }
    if (stopping && workers == 0 && queue.empty() && !drained_set) {
        drained_set = true;
        drained.set_value();
    }
}

SteadyClock::duration State::Backoff() const {
    auto d = settings.reconnect_backoff_initial;
    for (int i = 1; i < consecutive_failures && d < settings.reconnect_backoff_max; ++i) d *= 2;
    return std::min(d, settings.reconnect_backoff_max);
}

asio::awaitable<std::optional<Pending>> State::Next() {
    asio::steady_timer timer(strand);
    for (;;) {
        if (queue.empty()) {
            if (stopping) co_return std::nullopt;
            timer.expires_after(settings.idle_timeout);
            waiting.push_back(&timer);
            error_code ec;
            co_await timer.async_wait(asio::redirect_error(kAwait, ec));
            std::erase(waiting, &timer);
            if (!ec && queue.empty()) co_return std::nullopt;  // idle for idle_timeout
            continue;
        }
        const auto now = SteadyClock::now();
        auto wait = route_bucket.Wait(now);
        std::deque<Pending>::iterator pick = queue.end();
        if (wait == SteadyClock::duration::zero()) {
            wait = std::chrono::duration_cast<SteadyClock::duration>(settings.idle_timeout);
            const bool domain_limits =
                settings.per_domain_concurrency > 0 || settings.per_domain_rate > 0;
            if (!domain_limits) {
                pick = queue.begin();
            } else {
                // Look at the first kDomainScan messages only: a long run of one throttled
                // domain must not turn every pick into a walk over the whole queue.
                constexpr std::size_t kDomainScan = 512;
                const auto end =
                    queue.size() > kDomainScan ? queue.begin() + kDomainScan : queue.end();
                for (auto it = queue.begin(); it != end; ++it) {
                    auto& d = domains[it->domain];
                    d.bucket.rate = settings.per_domain_rate;
                    if (settings.per_domain_concurrency > 0 &&
                        d.in_flight >= settings.per_domain_concurrency) {
                        continue;  // woken when a transaction of this domain ends
                    }
                    const auto w = d.bucket.Wait(now);
                    if (w == SteadyClock::duration::zero()) {
                        pick = it;
                        break;
                    }
                    wait = std::min(wait, w);
                }
            }
        }
        if (pick != queue.end()) {
            route_bucket.Take();
            auto& d = domains[pick->domain];
            d.bucket.rate = settings.per_domain_rate;
            d.bucket.Take();
            ++d.in_flight;
            Pending p = std::move(*pick);
            queue.erase(pick);
            co_return p;
        }
        timer.expires_after(wait);
        waiting.push_back(&timer);
        error_code ec;
        co_await timer.async_wait(asio::redirect_error(kAwait, ec));
        std::erase(waiting, &timer);
    }
}

SmtpClient::SmtpClient(asio::any_io_executor executor, SmtpRouteSettings settings,
                       std::shared_ptr<const Classifier> classifier)
    : state_(std::make_shared<State>(std::move(executor), std::move(settings),
                                     std::move(classifier))) {}

SmtpClient::~SmtpClient() { Shutdown(); }

void SmtpClient::Submit(Envelope envelope, std::function<void(SendResult)> done) {
    ++state_->outstanding;
    asio::post(state_->strand,
               [s = state_, e = std::move(envelope), d = std::move(done)]() mutable {
                   s->Enqueue(std::move(e), std::move(d));
               });
}

std::future<SendResult> SmtpClient::Send(Envelope envelope) {
    auto promise = std::make_shared<std::promise<SendResult>>();
    auto future = promise->get_future();
    Submit(std::move(envelope), [promise](SendResult r) { promise->set_value(std::move(r)); });
    return future;
}

void SmtpClient::Shutdown() {
    asio::post(state_->strand, [s = state_] {
        if (s->stopping) return;
        s->stopping = true;
        for (auto* t : s->waiting) t->cancel();
        for (auto* t : s->sleeping) t->cancel();
        s->waiting.clear();
        s->CheckDrained();
    });
}

std::shared_future<void> SmtpClient::Drained() const { return state_->drained_future; }

SmtpClientStats SmtpClient::stats() const {
    SmtpClientStats out;
    out.connections_opened = state_->connections_opened;
    out.connection_failures = state_->connection_failures;
    out.messages_sent = state_->messages_sent;
    out.messages_failed = state_->messages_failed;
    out.rsets = state_->rsets;
    out.round_trips = state_->round_trips;
    out.open_connections = state_->open_connections;
    out.queued = state_->outstanding;
    return out;
}

asio::awaitable<Result<std::vector<std::string>>> SmtpClient::TestConnection() {
    auto s = state_;
    co_return co_await asio::co_spawn(s->strand, TestSession(s), kAwait);
}

std::string DotStuff(std::string_view data) {
    std::vector<asio::const_buffer> buffers;
    StuffedBuffers(data, buffers);
    std::string out;
    for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
    return out;
}

}  // namespace overture::email
