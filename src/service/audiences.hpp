#pragma once
// Audiences (docs/audiences.md): named sets of profiles that deliveries and workflows target.
//
// - A query audience stores an expression of the query language (its canonical text and its
//   JSON form). It is recomputed whenever it is used: the stored text is parsed again, checked
//   against the data model in force and run through RecordService, like POST
//   /api/v1/query/count.
// - A list audience stores profile ids (audience_members). Made from an expression, the
//   expression is evaluated once, when the audience is created (a snapshot); made empty, it is
//   filled from a CSV file of ids, e-mail addresses or external ids (AddMembers).
//
// An audience may have an expiry date. Once it has passed (by the clock), the audience can
// still be read, renamed, described and given a new expiry date, but Count, Preview, Export,
// Target and the member changes fail with kFailedPrecondition. Nothing is deleted on expiry:
// a list audience keeps its members.
//
// Reading needs Permission::kReadData; creating, changing and deleting audiences and their
// members need Permission::kWriteData (marketers and above; analysts only read). Every change
// is written to the audit trail in the same transaction (actions "audience.create",
// "audience.update", "audience.delete", "audience.members.add", "audience.members.clear").
//
// Thread-safe (holds only references).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "importexport/csv_writer.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/exports.hpp"
#include "service/page.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "storage/database.hpp"

namespace overture::service {

using AudienceId = StrongId<struct AudienceIdTag>;

enum class AudienceKind { kQuery, kList };
std::string_view AudienceKindName(AudienceKind kind);  // "query" or "list"

struct Audience {
    AudienceId id;
    std::string label;
    std::string description;
    AudienceKind kind = AudienceKind::kQuery;
    std::string resource;                    // "profile"
    std::optional<std::string> expression;   // canonical text; none for a list made from a file
    std::optional<boost::json::value> json;  // the JSON form of `expression`
    std::optional<TimePoint> expires_at;
    bool expired = false;                      // expires_at has passed
    std::optional<std::int64_t> member_count;  // list audiences only
    TimePoint created_at;
    std::string created_by;
    TimePoint modified_at;
    std::string modified_by;
};

// An expression given as text or as its JSON form (exactly one, or neither).
struct AudienceExpression {
    std::optional<std::string> text;
    std::optional<boost::json::value> json;
    bool empty() const { return !text && !json; }
};

struct NewAudience {
    std::string label;  // 1-200 characters once trimmed
    std::string description;
    AudienceKind kind = AudienceKind::kQuery;
    std::string resource = "profile";
    AudienceExpression expression;  // required for kQuery; optional for kList (then empty)
    std::optional<TimePoint> expires_at;
};

struct AudiencePatch {
    std::optional<std::string> label;
    std::optional<std::string> description;
    std::optional<std::optional<TimePoint>> expires_at;  // an empty inner value: never expires
    AudienceExpression expression;                       // query audiences only
};

struct AudienceListQuery {
    PageRequest page;
    std::string search;           // contained in the label, case-insensitive
    std::optional<bool> expired;  // only expired (true) or only usable (false) audiences
};

struct MemberReject {
    std::uint64_t line = 0;  // physical line of the file, 1-based
    std::string value;
    std::string reason;
};

struct MembersOutcome {
    std::int64_t added = 0;             // profiles that became members
    std::int64_t already = 0;           // lines whose profiles were members already
    std::int64_t unmatched = 0;         // well-formed values that match no profile
    std::int64_t rejected = 0;          // malformed lines and values
    std::string key;                    // "id", "email" or "externalId"
    std::vector<MemberReject> rejects;  // unmatched and rejected lines, the first kMaxRejects
};

inline constexpr std::size_t kMaxMemberRejects = 100;
inline constexpr std::size_t kMaxLabelLength = 200;
inline constexpr std::size_t kMaxDescriptionLength = 2000;

class AudienceService {
  public:
    AudienceService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                    const SchemaService& schema, const RecordService& records,
                    const ExportService& exports)
        : db_(db),
          clock_(clock),
          audit_(audit),
          schema_(schema),
          records_(records),
          exports_(exports) {}

    // Needs kWriteData. kInvalidArgument naming the field for a bad label, description or
    // resource (only "profile"), a query audience without an expression, both text and JSON
    // given, or an expression that does not parse or type-check (with line and column). A list
    // audience with an expression gets the profiles it selects now as members.
    Result<Audience> Create(const Actor& actor, const NewAudience& in) const;
    // Needs kReadData. Newest first.
    Result<Page<Audience>> List(const Actor& actor, const AudienceListQuery& query) const;
    Result<std::int64_t> Count(const Actor& actor, const AudienceListQuery& query) const;
    // Needs kReadData. kNotFound.
    Result<Audience> Get(const Actor& actor, AudienceId id) const;
    // Needs kWriteData. kNotFound; kInvalidArgument as Create, and for an expression given to a
    // list audience (its members are a snapshot). Allowed on expired audiences.
    Result<Audience> Update(const Actor& actor, AudienceId id, const AudiencePatch& patch) const;
    // Needs kWriteData. kNotFound. Removes the members too.
    Status Delete(const Actor& actor, AudienceId id) const;

    // What the audience selects now, as a filter of RecordService (resource "profile"): the
    // members of a list audience, or the expression of a query audience, parsed again and
    // checked against the model in force. Needs kReadData. kNotFound; kFailedPrecondition when
    // the audience has expired, or when its expression no longer fits the data model (the
    // message names the audience and the problem, e.g. the field that is gone).
    Result<ListQuery> Target(const Actor& actor, AudienceId id) const;

    // The number of profiles the audience selects now. Fails as Target.
    Result<std::int64_t> CountMembers(const Actor& actor, AudienceId id) const;
    // The first `limit` (1-500) profiles in id order, with every field, or `columns` (fields
    // and links of profile) plus id. Fails as Target; kInvalidArgument for an unknown column.
    Result<std::vector<boost::json::object>> Preview(const Actor& actor, AudienceId id,
                                                     const std::vector<std::string>& columns,
                                                     int limit) const;
    // Writes the audience's profiles as CSV (ExportService: header line, chosen columns or
    // every field) and closes `out`. Fails as Target and as ExportService::Export. Returns the
    // number of profiles written.
    Result<std::int64_t> Export(const Actor& actor, AudienceId id,
                                const std::vector<std::string>& columns,
                                importexport::CsvWriter& out) const;

    // Adds to a list audience the profiles named in `csv`: one column of values, or a header
    // line naming the key column (id, email or externalId, any case) among others. Without a
    // header, `key` says what the values are ("id", "email", "externalId"); when `key` is
    // empty too, it is guessed from the first value (an '@': email; digits only: id; else
    // externalId). An e-mail address adds every profile that has it. All or nothing, in one
    // transaction. Needs kWriteData. kNotFound; kFailedPrecondition for a query audience or an
    // expired one; kInvalidArgument for an empty file, an unknown key, a file with several
    // columns and no header, or unreadable CSV.
    Result<MembersOutcome> AddMembers(const Actor& actor, AudienceId id, std::string_view csv,
                                      std::string_view key) const;
    // Empties a list audience. Needs kWriteData. kNotFound; kFailedPrecondition for a query
    // audience or an expired one. Returns how many members were removed.
    Result<std::int64_t> ClearMembers(const Actor& actor, AudienceId id) const;

  private:
    // Loads the audience and fails unless it can be used now (not expired).
    Result<Audience> LoadUsable(const Actor& actor, AudienceId id) const;
    Result<ListQuery> TargetOf(const Audience& audience) const;

    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    const SchemaService& schema_;
    const RecordService& records_;
    const ExportService& exports_;
};

}  // namespace overture::service
