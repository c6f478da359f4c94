#pragma once
// The sender (docs/deliveries.md, "Sending"): works through a delivery's pending sending-log
// rows in batches claimed under a lease, renders each message, hands it to the channel, and
// writes the outcomes back in one transaction per batch.
//
//   claim     UPDATE ... SET lease_owner, lease_until WHERE status = 'pending' AND due AND the
//             lease is free (PostgreSQL: FOR UPDATE SKIP LOCKED), so nodes and threads never
//             share a row; a node that dies leaves its rows to come back when the lease ends.
//   load      the profile fields the templates read, for the whole batch in one query.
//   render    subject, HTML and text parts (compiled once per delivery, lenient mode).
//   send      ChannelSession::Send; the outcome comes back on the channel's thread.
//   write     one transaction: sent, failed (hard, soft past the validity period, ignored),
//             retry (soft: attempts + 1, next attempt after a back-off) and the quarantine
//             records of the addresses that failed.
//
// What a crash costs: the messages of the batches in flight were handed to the channel but not
// written back; their rows return when the lease ends and are sent again. The in-flight window
// is therefore at most (sender threads x batch size) messages, and the Message-ID, derived from
// (delivery, profile), lets a receiver recognise the duplicates.
//
// Thread-safety: DeliverySend::RunBatch may run on several threads at once (each claims its
// own rows); the ChannelSession must accept Send from any thread.
#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "render/template.hpp"
#include "schema/model.hpp"
#include "storage/database.hpp"

namespace overture::delivery {

// What a channel reports for one message, in the sending log's words.
enum class Outcome {
    kSent,          // accepted by the next hop
    kSoft,          // temporary: retried until the validity period ends; counts toward quarantine
    kHard,          // permanent: the row fails and the address is quarantined
    kIgnored,       // our message was refused (too large, ...): the row fails, the address is fine
    kRouteFailure,  // the route itself failed (connection, TLS, ...): retried, no quarantine
};
std::string_view OutcomeName(Outcome o);

struct SendOutcome {
    Outcome outcome = Outcome::kRouteFailure;
    std::string reason;  // short, stable: "mailbox_full", "user_unknown", "connection", ...
    std::string detail;  // the server's reply or our description
};

// One rendered message.
struct Message {
    std::int64_t delivery_id = 0;
    std::int64_t profile_id = 0;
    std::string address;
    std::string subject;
    std::string html;
    std::string text;
    std::string unsubscribe_url;
};

// A delivery's connection to its channel (for email: the MIME writer, the DKIM signer and the
// route), opened once per delivery and node.
class ChannelSession {
  public:
    virtual ~ChannelSession() = default;
    // Queues one message; `done` is called exactly once, on any thread, and must not block.
    virtual void Send(Message message, std::function<void(SendOutcome)> done) = 0;
};

// The parts of a delivery's content the sender uses (content JSON, service/deliveries.hpp).
struct Content {
    std::string from_name, from_address;
    std::string reply_to_name, reply_to_address;
    std::string subject, html, text;
};
// kInvalidArgument naming the field ("content.from.address") when a part is missing or of the
// wrong type; subject and one of html/text are required.
Result<Content> ParseContent(const boost::json::object& content);

// The compiled templates of a delivery and the profile fields they read.
struct CompiledContent {
    render::Template subject;
    std::optional<render::Template> html;
    std::optional<render::Template> text;
    std::vector<std::string> profile_fields;  // fields of `profile` to load (sorted, unique)
    bool whole_profile = false;
    bool uses_unsubscribe_url = false;
};
// Compiles the three parts (subject and text in text mode, HTML in HTML mode). `strict` for
// preparation (unknown variables and filters are errors), lenient for sending. Errors are
// kInvalidArgument with details part, line, column.
// `fragments` resolves `{% include "name" %}` (the stored content fragments); empty: an include
// is an error.
Result<CompiledContent> CompileContent(const Content& content, bool strict,
                                       const render::FragmentProvider& fragments = {});

// Where the content fragments come from: a fresh provider (a snapshot of the store) per call.
using FragmentSource = std::function<Result<render::FragmentProvider>()>;

struct SenderOptions {
    std::string owner = "node";  // lease owner: unique per process
    int batch_size = 500;
    std::chrono::milliseconds lease{60'000};
    // Messages of one batch handed to the channel and not yet reported. Small, so that a pause
    // or stop is not followed by a long queue draining through a throttled route, and large
    // enough to keep a pool of pipelining SMTP connections busy.
    int window = 32;
};

// A recipient's own links: both carry the same signed token.
struct RecipientLinks {
    std::string unsubscribe_url;
    std::string mirror_url;
};

// Tracking of one delivery's messages (docs/tracking.md), made once its HTML is compiled, when
// its links are known. Either function may be empty: no open pixel, links as written.
struct MessageTracking {
    // The open pixel's URL for a recipient, given the render time (Unix seconds).
    std::function<std::string(std::int64_t profile_id, std::int64_t rendered_at_s)> open_url;
    // Writes the tracked URL of a link whose href rendered as `url` (render::RewriteLink).
    std::function<void(std::int64_t profile_id, const render::LinkInfo& link, std::string_view url,
                       std::string& out)>
        click_url;
};

// Inserts a 1x1 image of `url` (HTML-escaped) before the last `</body>` (any case), or at the
// end when there is none.
void InsertOpenPixel(std::string& html, std::string_view url);

// What the sender needs to know about one delivery.
struct SendPlan {
    std::int64_t delivery_id = 0;
    Content content;
    std::shared_ptr<const schema::Model> model;
    TimePoint valid_until;
    std::chrono::seconds retry_delay{600};  // first retry; doubles, at most kMaxRetryDelay
    double max_per_second = 0;              // throughput cap on this node; 0: none
    // The special URLs of one profile (signed by tracking), made once per message; may be
    // empty (no links).
    std::function<RecipientLinks(std::int64_t profile_id)> links;
    // Called once by DeliverySend::Create with the links of the compiled HTML (not called
    // without an HTML part); may be empty: no tracking. An error fails Create.
    std::function<Result<MessageTracking>(const std::vector<render::LinkInfo>& links)> tracking;
    boost::json::object delivery_data;   // `delivery` in templates: id, label
    render::FragmentProvider fragments;  // content fragments, read when the content compiles
};

inline constexpr std::chrono::seconds kMaxRetryDelay{4 * 3600};
// The roll-ups count per hour (delivery_stats.hour is a multiple of this, Unix ms).
inline constexpr std::int64_t kHourMillis = 3'600'000;
// A route failure (connection refused, TLS, timeout) is retried after this, whatever the
// delivery's retry delay: the route is ours to fix, not the recipient's mailbox.
inline constexpr std::chrono::seconds kRouteRetryDelay{60};
inline constexpr int kRouteDownBatches = 3;
// Rows of each 1-N link loaded per recipient (profile.purchases): the first ones in id order,
// as many as a preview shows (service/templates.hpp kPreviewLinkRows).
inline constexpr int kLinkRows = 100;

// The delay before retry number `attempt` (1 for the first retry).
std::chrono::seconds RetryDelay(std::chrono::seconds first, int attempt);

struct BatchStats {
    int claimed = 0;
    int route_failures = 0;   // of the retried: the route itself failed (connection, TLS, ...)
    std::string route_error;  // the last route failure's reason and reply
    int sent = 0;
    int failed = 0;    // hard, ignored, or soft past the validity period
    int retried = 0;   // soft or route failures with a next attempt
    int released = 0;  // not sent because the batch was cancelled
};

class DeliverySend {
  public:
    // Compiles the content (lenient). kInvalidArgument when it does not compile.
    static Result<std::unique_ptr<DeliverySend>> Create(storage::Database& db, const Clock& clock,
                                                        SendPlan plan,
                                                        std::shared_ptr<ChannelSession> channel,
                                                        SenderOptions options);

    // Claims up to batch_size due rows, sends them and writes their outcomes. Checks `cancel`
    // before each message: once it is set, the rest of the batch is released (lease cleared,
    // nothing sent). Returns claimed 0 when no row is due now.
    Result<BatchStats> RunBatch(const std::atomic<bool>& cancel);

    std::int64_t delivery_id() const { return plan_.delivery_id; }

    // True after kRouteDownBatches batches in a row in which every message sent failed because
    // of the route (nothing got through): the worker then fails the delivery with
    // route_error() instead of retrying a dead route until the validity period ends.
    bool route_down() const { return route_down_batches_.load() >= kRouteDownBatches; }
    std::string route_error() const;

  private:
    DeliverySend(storage::Database& db, const Clock& clock, SendPlan plan,
                 std::shared_ptr<ChannelSession> channel, SenderOptions options,
                 CompiledContent compiled);

    // Waits as the throughput cap asks; false when cancelled while waiting.
    bool Pace(const std::atomic<bool>& cancel);

    storage::Database& db_;
    const Clock& clock_;
    SendPlan plan_;
    std::shared_ptr<ChannelSession> channel_;
    SenderOptions options_;
    CompiledContent compiled_;
    MessageTracking tracking_;
    std::vector<const schema::Field*> fields_;  // profile fields loaded per batch
    render::ShapePtr shape_;                    // their names, then the 1-N links' names
    std::string select_sql_;                    // SELECT t.id, fields FROM profiles t WHERE t.id IN
    // A 1-N link the content reads (profile.purchases): its rows for a batch in one query.
    struct LinkLoad {
        std::string sql_prefix, sql_suffix;  // around the list of profile ids
        render::ShapePtr shape;              // the linked resource's fields and links
    };
    std::vector<LinkLoad> links_;
    std::atomic<int> route_down_batches_{0};
    mutable std::mutex route_error_mutex_;
    std::string route_error_;
    std::mutex pace_mutex_;
    std::chrono::steady_clock::time_point next_slot_{};
};

}  // namespace overture::delivery
