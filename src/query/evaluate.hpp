#pragma once
// The in-memory evaluator of the expression language: decides whether one record of the root
// resource matches a checked expression (checked.hpp), with exactly the semantics of the SQL
// back end (sql_emit.hpp; docs/query-language.md, "SQL back end"): two-valued logic (a
// predicate over a null operand is false, `not c` is true exactly when `c` is false),
// `is empty` = null or "" for strings and enums, ASCII-only case-insensitive `like` with `%`
// and `_` (one code point), code-point string order, a date meeting a datetime is midnight
// UTC, inclusive windows with month clamping, ASCII-only lower()/upper(), and so on. It is
// meant for conditional content and transactional events: it does not allocate per
// comparison (only lower(), upper() and emailDomain() build strings) and never throws on data.
//
// Records come in through the Record interface, which the caller implements over whatever it
// holds (a decoded event payload, rows already read); MemoryRecord is a plain implementation.
//
// Thread-safety: Evaluate is a pure function of its arguments (it reads the clock once); a
// Record must be safe to read from the calling thread for the duration of the call.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "query/checked.hpp"
#include "schema/model.hpp"
#include "storage/value.hpp"

namespace overture::query {

// One record of a resource, as the evaluator reads it. Contract:
// - Field(f): the stored value of field `f` (look it up by f.name) of this record, or nullptr
//   when it is null or unknown. Stored forms, as in the database: strings, texts and enums as
//   std::string; integers int64; floats double (an int64 is accepted); booleans bool (an int64
//   0/1 is accepted); dates "YYYY-MM-DD"; datetimes "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, as
//   FormatRfc3339 writes them; an int64 of milliseconds since the epoch is accepted). A value
//   of another form (an unparseable date, a string in an integer field) reads as null.
// - One(l): the record that the many-to-one link `l` (a link of this record's resource, by
//   l.name) points to, or nullptr when the link is null.
// - Many(source, l): the records of resource `source` whose many-to-one link `l` points at this
//   record, i.e. the 1-N link named l.reverse_name (profile.purchases: source purchase, l
//   purchase.profile). No null entries; the order is the order of floating-point sums.
// Returned pointers and spans must stay valid until Evaluate returns.
class Record {
  public:
    virtual ~Record() = default;
    virtual const storage::Value* Field(const schema::Field& field) const = 0;
    virtual const Record* One(const schema::Link& link) const = 0;
    virtual std::span<const Record* const> Many(const schema::Resource& source,
                                                const schema::Link& link) const = 0;
};

// A plain Record: maps by field name, link name and reverse link name. The caller owns the
// linked records and keeps them alive. Not thread-safe to modify while being read.
struct MemoryRecord final : Record {
    std::map<std::string, storage::Value, std::less<>> fields;
    std::map<std::string, const Record*, std::less<>> links;              // by link name
    std::map<std::string, std::vector<const Record*>, std::less<>> many;  // by reverse name

    const storage::Value* Field(const schema::Field& field) const override;
    const Record* One(const schema::Link& link) const override;
    std::span<const Record* const> Many(const schema::Resource& source,
                                        const schema::Link& link) const override;
};

// Whether `record` (a record of checked.root) matches `checked`, with `clock`'s now. Fails with
// kInvalidArgument only for a Checked without a root; never for any data. Limits, as in the SQL
// back end (not errors): dates outside the years 0000-9999 and addDays/addMonths/daysAgo
// amounts beyond them give null; integer sum overflow wraps; float sums add in Many() order.
Result<bool> Evaluate(const Checked& checked, const Record& record, const Clock& clock);

}  // namespace overture::query
