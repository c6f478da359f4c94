#pragma once
// An asynchronous SMTP client for one route: a pool of up to `pool_size` connections to one
// relay, on Boost.Asio with C++20 coroutines.
//
// What it does per connection: EHLO (capabilities: PIPELINING, STARTTLS, AUTH, SIZE, 8BITMIME,
// SMTPUTF8, ENHANCEDSTATUSCODES), STARTTLS with certificate and host name verification and EHLO
// again, AUTH PLAIN or LOGIN, then transactions until `max_messages_per_connection` (then QUIT),
// an idle period (QUIT) or a failure (closed). With PIPELINING (RFC 2920) MAIL, RCPT and DATA
// go out in one write and the body with its terminating "." in a second one: two round trips
// per message. Without it, each command waits for its reply. TCP_NODELAY is set, so the last
// write of a group never waits for a delayed ACK. RSET is sent (in the next command batch) only
// after a transaction that failed midway. The body is dot-stuffed by the client while writing:
// `Envelope::data` is the message as it should arrive, with CRLF line ends. Before any I/O, a
// message over the server's SIZE is classified like a "552 5.3.4" (by default kIgnored
// "message_too_large": our message, not the address), and one that needs SMTPUTF8 on a server
// without it fails kHardFailure "smtputf8_unsupported". BODY=8BITMIME is declared when the data
// has 8-bit bytes and the server offers it.
//
// What a message's result means: kSent only after a 250 reply to the end of DATA. A 4xx/5xx
// reply to MAIL, RCPT, DATA or the end of data is classified by the Classifier (the reply text is
// kept). A lost connection or a timeout during a transaction gives kRouteFailure ("connection",
// "timeout") and retires the connection; a 421 is classified (soft "throttled") and retires the
// connection too. A message that fails on a reused connection before the server answered
// anything (the peer had closed the idle connection) is retried once on a fresh connection.
// Failures to set a connection up (connect, TLS, AUTH) are route failures with reasons
// "connection", "timeout", "tls", "auth"; the pool reconnects with exponential back-off
// (reconnect_backoff_initial doubling up to reconnect_backoff_max) while messages wait in the
// queue. A queued message fails with that route failure once it has waited `max_queue_wait`
// and a connection attempt has failed since (0: at the first failed attempt), so a dead route
// does not hold messages forever and a short outage does not fail them.
//
// Limits: `rate_per_second` (a token bucket for the route, burst of one second),
// `per_domain_concurrency` (transactions at once for one recipient domain) and
// `per_domain_rate` (a token bucket per recipient domain). A message whose domain is at its
// limit waits while later messages for other domains go ahead (among the first 512 queued; the
// caller feeds the queue in a mixed order, or one client per throttled domain, for more).
//
// Thread-safety: Submit, Send, Shutdown, Drained and stats may be called from any thread. All
// the client's work runs on a strand of the executor; `done` callbacks run on that strand and
// must not block. The pool's coroutines share its state, so destroying the SmtpClient (which
// calls Shutdown) while the executor still runs them is safe: queued messages are then still
// sent or failed and reported.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "channels/email/classify.hpp"
#include "common/error.hpp"

namespace overture::email {

enum class TlsMode {
    kNone,              // never STARTTLS
    kStartTls,          // STARTTLS when offered, plain text otherwise
    kStartTlsRequired,  // STARTTLS or a route failure "tls"
    kImplicit,          // TLS from the first byte (SMTPS, port 465)
};

struct SmtpRouteSettings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 25;
    TlsMode tls = TlsMode::kStartTls;
    bool verify_certificate = true;  // chain and host name
    std::string ca_file;             // PEM bundle; empty: the system's store
    std::string username, password;  // AUTH PLAIN (preferred) or LOGIN when username is set
    bool allow_plain_auth = false;   // allow AUTH without TLS (loopback tests)
    std::string helo_name = "localhost";
    int pool_size = 10;
    int max_messages_per_connection = 1000;
    double rate_per_second = 0;      // 0: no limit
    int per_domain_concurrency = 0;  // 0: no limit
    double per_domain_rate = 0;      // messages per second per recipient domain; 0: no limit
    std::chrono::milliseconds connect_timeout{30000};  // TCP connect, greeting, TLS handshake
    std::chrono::milliseconds command_timeout{60000};  // each command or command group
    std::chrono::milliseconds data_timeout{600000};    // the body and the reply to its end
    std::chrono::milliseconds idle_timeout{10000};     // an idle connection is closed (QUIT)
    std::chrono::milliseconds reconnect_backoff_initial{500}, reconnect_backoff_max{60000};
    std::chrono::milliseconds max_queue_wait{60000};  // see the header comment
};

struct Envelope {
    std::string mail_from;                    // address without angle brackets; "" for <>
    std::string rcpt_to;                      // one recipient
    std::shared_ptr<const std::string> data;  // shared: one rendered message, also kept by the
                                              // caller for logging or a retry
    bool smtputf8 = false;                    // the envelope or headers need SMTPUTF8
};

struct SendResult {
    Outcome outcome = Outcome::kRouteFailure;
    std::string reason;
    int code = 0;                 // the reply's code, 0 when there was no reply
    std::string enhanced_status;  // "5.1.1" or ""
    std::string reply;            // the reply text as received, or our description of a failure
};

struct SmtpClientStats {
    std::uint64_t connections_opened = 0;   // sessions that got through EHLO/TLS/AUTH
    std::uint64_t connection_failures = 0;  // attempts that failed to set up
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_failed = 0;
    std::uint64_t rsets = 0;
    std::uint64_t round_trips = 0;  // command groups written and answered
    int open_connections = 0;
    std::uint64_t queued = 0;  // submitted and not yet reported
};

class SmtpClient {
  public:
    // `classifier` is shared because one immutable table serves every route.
    SmtpClient(boost::asio::any_io_executor executor, SmtpRouteSettings settings,
               std::shared_ptr<const Classifier> classifier);
    ~SmtpClient();  // calls Shutdown
    SmtpClient(const SmtpClient&) = delete;
    SmtpClient& operator=(const SmtpClient&) = delete;

    // Queues one message and returns at once. `done` is called exactly once, on the client's
    // strand. After Shutdown, `done` gets kRouteFailure "shutdown".
    void Submit(Envelope envelope, std::function<void(SendResult)> done);
    // The same with a future (for tests and the command line; the executor must run elsewhere).
    std::future<SendResult> Send(Envelope envelope);

    // The "test connection" action: connect, EHLO, STARTTLS, AUTH, QUIT on a connection of its
    // own. Gives the EHLO capabilities (after TLS), or kUnavailable with the server's reply or
    // the network error in the message and the reason ("tls", "auth", ...) as detail "reason".
    boost::asio::awaitable<Result<std::vector<std::string>>> TestConnection();

    // Stops accepting messages; queued ones are still sent while the route works and fail with
    // kRouteFailure "shutdown" when it does not; connections then close with QUIT.
    void Shutdown();
    // A future that is ready when every message submitted has been reported and every
    // connection is closed (after Shutdown).
    std::shared_future<void> Drained() const;

    SmtpClientStats stats() const;

    struct State;  // the shared state of the pool (smtp_client.cpp)

  private:
    // Shared with the pool's coroutines, which may outlive this object by a few steps.
    std::shared_ptr<State> state_;
};

// Writes `data` dot-stuffed (a '.' added before every line that starts with '.') followed by
// the end-of-data line, as it goes on the wire. For tests; the client stuffs while writing.
std::string DotStuff(std::string_view data);

}  // namespace overture::email
