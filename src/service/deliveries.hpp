#pragma once
// Deliveries (docs/deliveries.md): an email to an audience, from draft to finished.
//
// Lifecycle (delivery/state.hpp has the table of allowed transitions):
//
//   draft --prepare--> preparing --(worker)--> ready --confirm--> scheduled --(worker)--> sending
//     ^                    |                     |                                      |  ^
//     +---- errors --------+                     +-- prepare again                pause |  | resume
//                                                                                      v  |
//   sending --(worker)--> finished | failed            sending, paused, scheduled --stop--> stopped
//
// - Prepare (kWriteData: marketers) only moves the delivery to "preparing"; the delivery worker
//   (DeliveryWorker, app/) computes the target and applies the typology, then sets "ready", or
//   "draft" with the blocking errors in `preparation.errors`.
// - Confirm needs kConfirmDeliveries (supervisors and administrators): the delivery becomes
//   "scheduled" with its start time (now, a date, or each recipient's local time).
// - Pause and stop need kWriteData, resume kConfirmDeliveries (it starts sending again).
// - Changing a delivery in "ready" sends it back to "draft" (the preparation no longer holds);
//   in any state after "ready" its content and audience can no longer change.
// Every transition and change is written to the audit trail ("delivery.create",
// "delivery.update", "delivery.prepare", "delivery.confirm", "delivery.pause",
// "delivery.resume", "delivery.stop", "delivery.delete", "delivery.proof").
//
// JSON shapes (the API passes them through; Create and Update check them field by field and
// fail with kInvalidArgument whose details["field"] names the field, e.g. "content.subject"):
//
//   content:  {"from": {"name": "Shop", "address": "news@shop.example"},
//              "replyTo": {"name": "", "address": "help@shop.example"} | null,
//              "subject": "Hello {{ profile.firstName }}", "html": "<p>...</p>", "text": "...",
//              "textMode": "auto" | "manual",  "editor": "html" | "mjml", "mjml": "<mjml>...",
//              "preheader": ""}
//   audience: {"kind": "audience", "audienceId": 3}
//           | {"kind": "query", "expression": "country = \"FR\""}
//           | {"kind": "list", "profileIds": [1, 2, 3]}      (at most 10,000 ids)
//           | {"kind": "workflow", "table": "wkf_12_1"}      (a workflow's working table, made
//             by an emailDelivery activity: accepted while the engine has it registered and
//             not dropped; its segment_code goes into the sending log)
//   settings: {"testProfileIds": [1, 2],
//              "schedule": {"kind": "now"} | {"kind": "at", "at": "2026-12-01T09:00:00Z"}
//                        | {"kind": "local", "date": "2026-12-01", "time": "09:00",
//                           "defaultTimeZone": "Europe/Paris"},
//              "validityHours": 72,               (1-720; retries stop after it)
//              "throughputPerHour": 0,            (0: no cap)
//              "retryDelaySeconds": 600,          (first retry; doubles, at most 4 h)
//              "tracking": {"opens": true, "clicks": true}}  (docs/tracking.md)
//
// Thread-safe (holds only references).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "delivery/state.hpp"
#include "service/actor.hpp"
#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "service/templates.hpp"
#include "storage/database.hpp"

namespace overture::service {

using DeliveryId = StrongId<struct DeliveryIdTag>;

// What a preparation found (null before the first one). Stored in deliveries.preparation as
// the JSON of the REST API, written and read by PreparationToJson / PreparationFromJson
// (service/delivery_prepare.hpp, the lead's file: use them).
struct Preparation {
    std::int64_t total = 0;    // profiles in the target
    std::int64_t to_send = 0;  // rows left pending
    // Exclusion cause -> rows: "address_missing", "address_invalid", "blocked" (blockAll),
    // "opted_out" (blockEmail), "denylisted", "quarantined", "filter:<name>",
    // "fatigue:<name>", "duplicate_address". In the order they were applied.
    std::vector<std::pair<std::string, std::int64_t>> excluded;
    std::vector<std::string> warnings;
    std::vector<std::string> errors;  // blocking: the delivery went back to draft
    TimePoint prepared_at;
};

// The stored form of a preparation (deliveries.preparation): the API's JSON ("total",
// "toSend", "excluded": [{"cause", "count"}], "warnings", "errors", "preparedAt" as RFC 3339).
// Defined in service/deliveries.cpp. PreparationFromJson also reads preparedAt as Unix
// milliseconds, gives nullopt for text that is not a JSON object and skips members of the
// wrong type.
std::string PreparationToJson(const Preparation& p);
std::optional<Preparation> PreparationFromJson(std::string_view text);

// The working table of an audience {"kind": "workflow", "table": ...} whose name passes
// workflow::IsWorkingTableName, else nullopt.
std::optional<std::string> WorkflowAudienceTable(const boost::json::object& audience);

// Live counters of the sending log.
struct DeliveryCounters {
    std::int64_t to_send = 0;   // pending after preparation
    std::int64_t pending = 0;   // not sent yet (including retrying)
    std::int64_t retrying = 0;  // pending with at least one failed attempt
    std::int64_t sent = 0;
    std::int64_t failed = 0;
    std::int64_t ignored = 0;
    double per_second = 0;                    // since the send started
    std::optional<std::int64_t> eta_seconds;  // while sending, when per_second > 0
};

struct Delivery {
    DeliveryId id;
    std::string label;
    std::string channel = "email";
    bool is_template = false;
    delivery::State state = delivery::State::kDraft;
    std::optional<std::int64_t> route_id;     // none: the default route
    std::optional<std::int64_t> typology_id;  // none: the "default" typology
    boost::json::object content;
    boost::json::object audience;
    boost::json::object settings;
    std::optional<Preparation> preparation;
    std::int64_t progress_done = 0, progress_total = 0;  // while preparing
    DeliveryCounters counters;
    std::optional<TimePoint> start_at, valid_until, confirmed_at, started_at, finished_at;
    std::string confirmed_by;
    std::string failure;  // why the delivery failed (state failed), else empty
    int proof_count = 0;
    std::int64_t version = 0;
    TimePoint created_at;
    std::string created_by;
    TimePoint modified_at;
    std::string modified_by;
};

struct NewDelivery {
    std::string label;  // 1-200 characters once trimmed
    bool is_template = false;
    // Copy content, audience, settings, route and typology from this delivery (a template or
    // any delivery) before applying the fields below.
    std::optional<std::int64_t> from_delivery;
    std::optional<std::int64_t> route_id;
    std::optional<std::int64_t> typology_id;
    std::optional<boost::json::object> content, audience, settings;
    // The workflow task that makes it (the Email delivery activity): at most one delivery per
    // task, so a task run again after a crash finds its delivery (FindByWorkflowTask) instead
    // of making another. A second Create with the same task fails with kAlreadyExists.
    std::optional<std::int64_t> workflow_task;
};

struct DeliveryPatch {
    std::optional<std::string> label;
    std::optional<std::optional<std::int64_t>> route_id, typology_id;
    std::optional<boost::json::object> content, audience, settings;  // replaced whole
    std::optional<std::int64_t> version;  // when given, 409 if the delivery has changed
};

struct DeliveryListQuery {
    PageRequest page;
    std::vector<delivery::State> states;  // any of these; empty: all
    std::string search;                   // in the label, case-insensitive
    std::optional<bool> templates;        // only templates, or only deliveries
    std::optional<TimePoint> created_after, created_before;
};

// One row of the sending log.
struct SendingLogEntry {
    std::int64_t profile_id = 0;
    std::string address;
    std::string status;        // pending, sent, failed, ignored
    std::string failure_type;  // hard, soft, ignored, ""
    std::string reason;
    std::string detail;        // the server's reply
    std::string segment_code;  // the workflow segment the recipient came from, or ""
    int attempts = 0;
    std::optional<TimePoint> next_attempt_at;  // pending rows after a soft failure
    std::optional<TimePoint> sent_at;
    TimePoint updated_at;
    // For the profile's history: the delivery.
    std::int64_t delivery_id = 0;
    std::string delivery_label;
};

struct SendingLogQuery {
    PageRequest page;     // cursor on profile_id
    std::string status;   // "", or one status
    std::string reason;   // "", or one reason
    std::string address;  // "", or contained in the address
};

struct ProofRecipient {
    std::int64_t test_profile_id = 0;
    std::string address;
    std::string status;  // sent or failed
    std::string reason;
};

struct ProofResult {
    int number = 0;  // "[Proof n]"
    std::vector<ProofRecipient> recipients;
};

struct ProofEntry {
    int number = 0;
    std::int64_t test_profile_id = 0;
    std::string address;
    std::string status;
    std::string reason;
    TimePoint sent_at;
    std::string sent_by;
};

// A preview of the delivery's content for one profile or test profile.
struct DeliveryPreviewRequest {
    std::optional<std::int64_t> profile_id;
    std::optional<std::int64_t> test_profile_id;
};

// Sends proofs: implemented over the email channel by app/ (DeliverySender's proof path).
// Called with the delivery, the test profiles and the proof number; blocks until every proof
// has an outcome (or a time limit passes).
class ProofSender {
  public:
    virtual ~ProofSender() = default;
    virtual Result<std::vector<ProofRecipient>> SendProofs(
        std::int64_t delivery_id, const std::vector<std::int64_t>& test_profiles, int number) = 0;
};

class DeliveryService {
  public:
    DeliveryService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                    const SchemaService& schema, const RecordService& records,
                    const AudienceService& audiences, const TemplateService& templates)
        : db_(db),
          clock_(clock),
          audit_(audit),
          schema_(schema),
          records_(records),
          audiences_(audiences),
          templates_(templates) {}

    // Set once by app/ before serving; without one, Proof fails with kUnavailable.
    void SetProofSender(ProofSender* sender) { proofs_ = sender; }
    // Called after a transition the worker should see at once (prepare, confirm, resume,
    // pause, stop); app/ wires it to DeliveryWorker::Wake.
    void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }

    // kWriteData. kInvalidArgument naming the field; kNotFound for from_delivery, route or
    // typology that does not exist.
    Result<Delivery> Create(const Actor& actor, const NewDelivery& in) const;
    // kReadData. Newest first.
    Result<Page<Delivery>> List(const Actor& actor, const DeliveryListQuery& query) const;
    Result<std::int64_t> Count(const Actor& actor, const DeliveryListQuery& query) const;
    // kReadData. kNotFound.
    Result<Delivery> Get(const Actor& actor, DeliveryId id) const;
    // kWriteData. kFailedPrecondition outside draft and ready (a ready delivery goes back to
    // draft); kFailedPrecondition with details["field"] = "version" when
    // patch.version is stale (there is no kAborted).
    Result<Delivery> Update(const Actor& actor, DeliveryId id, const DeliveryPatch& patch) const;
    // kWriteData. kFailedPrecondition while preparing, scheduled, sending or paused.
    Status Delete(const Actor& actor, DeliveryId id) const;

    // The transitions. Each fails with kFailedPrecondition naming the state when it is not
    // allowed from the current one, and kPermissionDenied as said above.
    Result<Delivery> Prepare(const Actor& actor, DeliveryId id) const;
    // Also kFailedPrecondition when the typology requires a proof and none was sent since the
    // last change, or when the preparation left nobody to send to.
    Result<Delivery> Confirm(const Actor& actor, DeliveryId id) const;
    Result<Delivery> Pause(const Actor& actor, DeliveryId id) const;
    Result<Delivery> Resume(const Actor& actor, DeliveryId id) const;
    Result<Delivery> Stop(const Actor& actor, DeliveryId id) const;

    // kWriteData. Sends the content with "[Proof n] " before the subject to the given test
    // profiles (or settings.testProfileIds when empty; kInvalidArgument when both are empty or
    // a test profile has no address). Allowed in draft, ready and scheduled.
    Result<ProofResult> Proof(const Actor& actor, DeliveryId id,
                              const std::vector<std::int64_t>& test_profiles) const;
    Result<std::vector<ProofEntry>> ListProofs(const Actor& actor, DeliveryId id) const;
    // kReadData. Renders subject, html and text for the profile or test profile (as
    // TemplateService::Render does, with its errors).
    Result<RenderedParts> Preview(const Actor& actor, DeliveryId id,
                                  const DeliveryPreviewRequest& request) const;

    // kReadData. The delivery's sending log, in profile id order.
    Result<Page<SendingLogEntry>> Logs(const Actor& actor, DeliveryId id,
                                       const SendingLogQuery& query) const;
    // kReadData. One profile's sending history across deliveries, newest first (at most 200).
    Result<std::vector<SendingLogEntry>> ProfileHistory(const Actor& actor,
                                                        std::int64_t profile_id) const;

    // For the delivery worker (no permission check): the target of the delivery as a WHERE
    // condition over `profiles t` with its parameters in `params`. kFailedPrecondition when the
    // audience is gone, expired or no longer fits the model.
    Result<std::string> TargetCondition(const Delivery& d, storage::Params& params) const;
    // For the worker: the delivery as stored, without the counters.
    Result<Delivery> Load(DeliveryId id) const;
    // For the workflow engine: the delivery made by that workflow task, if any.
    Result<std::optional<DeliveryId>> FindByWorkflowTask(std::int64_t task) const;

  private:
    Result<Delivery> Transition(const Actor& actor, DeliveryId id, delivery::Action action) const;

    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    const SchemaService& schema_;
    const RecordService& records_;
    const AudienceService& audiences_;
    const TemplateService& templates_;
    ProofSender* proofs_ = nullptr;
    std::function<void()> wake_;
};

}  // namespace overture::service
