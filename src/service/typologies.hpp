#pragma once
// Typologies (docs/deliveries.md, "Typology rules"): named sets of rules that a delivery's
// preparation applies. A typology's rules are one JSON object, checked field by field:
//
//   {"filters": [{"name": "no-competitors", "label": "...", "expression": "emailDomain = \"x\""}],
//    "fatigue": [{"name": "one-a-day", "label": "...", "max": 1, "windowHours": 24,
//                 "channel": "email" | "any"}],
//    "requireProof": false,   (confirming needs a proof sent since the last preparation)
//    "requireDkim": false}    (preparation fails when the From domain has no DKIM key)
//
// A filter's expression (query language, over profile) selects the profiles to exclude; it is
// parsed and type-checked against the data model in force when saved, and stored in canonical
// form. Names of typologies, filters and fatigue rules are [a-z0-9][a-z0-9_-]*, at most 64
// characters; filter and fatigue names are unique within a typology. Stored rules always have
// every field filled in.
//
// Reading needs kReadData (a marketer picks a delivery's typology); creating, changing and
// deleting need kManageChannels (administrators). The "default" typology, made by the
// migration, cannot be deleted. Changes go to the audit trail ("typology.create",
// "typology.update", "typology.delete"). Thread-safe (holds only references).
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "service/schema_service.hpp"
#include "storage/database.hpp"

namespace overture::service {

using TypologyId = StrongId<struct TypologyIdTag>;

inline constexpr std::string_view kDefaultTypologyName = "default";

struct Typology {
    TypologyId id;
    std::string name;
    std::string label;
    boost::json::object rules;  // as described above, every field present
    TimePoint created_at;
    std::string created_by;
    TimePoint modified_at;
    std::string modified_by;
};

struct NewTypology {
    std::string name;
    std::string label;          // the name when empty
    boost::json::object rules;  // missing fields take their defaults (no rules)
};

struct TypologyPatch {
    std::optional<std::string> label;
    std::optional<boost::json::object> rules;  // replaced whole
};

class TypologyService {
  public:
    TypologyService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                    const SchemaService& schema)
        : db_(db), clock_(clock), audit_(audit), schema_(schema) {}

    // kManageChannels. kInvalidArgument naming the field ("name", "rules.filters[0].expression",
    // ...); kAlreadyExists for a name in use.
    Result<Typology> Create(const Actor& actor, const NewTypology& in) const;
    // kReadData. Oldest first.
    Result<Page<Typology>> List(const Actor& actor, const PageRequest& page) const;
    // kReadData. kNotFound.
    Result<Typology> Get(const Actor& actor, TypologyId id) const;
    // kManageChannels. kNotFound; kInvalidArgument as Create.
    Result<Typology> Update(const Actor& actor, TypologyId id, const TypologyPatch& patch) const;
    // kManageChannels. kNotFound; kFailedPrecondition for the default typology. Deliveries that
    // used it fall back to the default.
    Status Delete(const Actor& actor, TypologyId id) const;

    // The rules checked against the model in force, with defaults filled in. kInvalidArgument
    // naming the field. No permission check.
    Result<boost::json::object> CheckRules(const boost::json::object& rules) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    const SchemaService& schema_;
};

}  // namespace overture::service
