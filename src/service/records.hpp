#pragma once
// Generic create, read, update, delete, list and count for every resource of the data model,
// built-in or custom: the REST API and imports go through here. Statements are built from the
// registry's identifiers (storage/sql_text.hpp); values are always bound.
//
// Records travel as JSON objects keyed by API names: fields, and links as the target's id.
// Profiles get their derived and audit fields filled (emailDomain, createdBy, modifiedBy);
// services carry their subscriber count. Thread-safe (holds only references).
#include <boost/json/object.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "service/actor.hpp"
#include "service/page.hpp"
#include "service/schema_service.hpp"
#include "storage/database.hpp"
#include "storage/sql_text.hpp"

namespace overture::service {

struct ListQuery {
    PageRequest page;
    std::string sort;         // a field name; empty: id
    bool descending = false;  // sort order
    std::string search;       // ?q=: contains, case-insensitive, over the text fields
    std::vector<std::pair<std::string, std::string>> equals;  // field or link = value (text)
    std::string filter;  // ?filter=: an expression of the query language (docs/query-language.md)
    // Only the members of this list audience (service/audiences.hpp); profiles only. 0: no
    // such condition.
    std::int64_t audience_members = 0;
};

class RecordService {
  public:
    RecordService(storage::Database& db, const Clock& clock, const SchemaService& schema)
        : db_(db), clock_(clock), schema_(schema) {}

    // Needs kReadData. kNotFound for an unknown resource; kInvalidArgument naming the field
    // for an unknown sort or filter field or a filter value of the wrong type, and for a
    // filter expression that does not parse or type-check (with line and column).
    Result<Page<boost::json::object>> List(const Actor& actor, std::string_view resource,
                                           const ListQuery& query) const;
    Result<std::int64_t> Count(const Actor& actor, std::string_view resource,
                               const ListQuery& query) const;
    // kNotFound when there is no such record.
    Result<boost::json::object> Get(const Actor& actor, std::string_view resource,
                                    std::int64_t id) const;
    // Needs kWriteData. kInvalidArgument naming the field: unknown field, read-only field,
    // wrong type, bad value, missing required field, link to a record that does not exist.
    // kAlreadyExists when a unique key is taken.
    Result<boost::json::object> Create(const Actor& actor, std::string_view resource,
                                       const boost::json::object& input) const;
    Result<boost::json::object> Update(const Actor& actor, std::string_view resource,
                                       std::int64_t id, const boost::json::object& patch) const;
    Status Delete(const Actor& actor, std::string_view resource, std::int64_t id) const;

    // For the delivery worker (no permission check): the condition of `query` (search, equality
    // filters, audience members and filter expression) over `<table> t`, without "WHERE", with
    // its values added to `params`; "1 = 1" when there is none. Fails as List does.
    Result<std::string> Condition(std::string_view resource, const ListQuery& query,
                                  storage::Params& params) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const SchemaService& schema_;
};

}  // namespace overture::service
