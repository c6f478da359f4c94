#pragma once
// Publishing the data model: the difference between the published model and the desired one,
// as a list of changes for people to confirm and the DDL that makes them, for one dialect.
//
// Only custom items produce DDL; built-in tables, columns and indexes come from migrations and
// are the same in both models. What PlanPublish cannot do without losing or breaking data it
// refuses (see PlanPublish); what it can do but loses data (dropping a custom resource, field
// or link) it flags, so the caller asks first.
//
// Running a plan (the caller's part): all statements in one transaction, in order. On SQLite
// turn foreign keys off first (PRAGMA foreign_keys=OFF, outside the transaction; it is a no-op
// inside one) and run PRAGMA foreign_key_check before COMMIT: dropping a link column rebuilds
// the table (DROP TABLE + rename), and with foreign keys on, that DROP TABLE would cascade to
// the rows of other tables that link to it.
//
// Stateless functions of their arguments; thread-safe.
#include <string>
#include <vector>

#include "common/error.hpp"
#include "schema/ddl.hpp"
#include "schema/model.hpp"

namespace overture::schema {

struct PlannedChange {
    // For people: "add field loyaltyTier (enum) to profile", "drop resource purchase and all
    // its records".
    std::string description;
    bool loses_data = false;  // dropping a custom resource, field or link
};

struct PublishPlan {
    // In model order; some have no DDL (enum values, a string's length on SQLite).
    std::vector<PlannedChange> changes;
    // The DDL, in the order to run, one statement each, no trailing ';': index drops, then
    // column/link/table drops (dependents first), CREATE TABLEs, ADD/ALTER COLUMNs, CREATE
    // INDEXes, then (PostgreSQL) foreign keys.
    std::vector<std::string> statements;

    bool loses_data() const;
    // No change and no statement (labels and descriptions may still differ: they need no DDL).
    bool empty() const;
};

// The plan that turns the published model `from` into `to` (both built by Merge()) in
// `dialect`. Renames are not detected: they are a drop and an add.
//
// Fails with kInvalidArgument (message names resource.item and says what to do instead;
// details["path"] = "resource.item") when a change cannot be made safely:
//   - a field's type changes (an enum stays an enum whatever its values);
//   - a string's length is lowered (raising it is fine);
//   - a link's target or cardinality changes;
//   - a link with cardinality one is added to an existing resource (add it as zeroOrOne);
//   - on SQLite, a custom link of a built-in resource is dropped (its table cannot be rebuilt
//     here: its columns and constraints come from the migrations).
Result<PublishPlan> PlanPublish(const Model& from, const Model& to, SqlDialect dialect);

}  // namespace overture::schema
