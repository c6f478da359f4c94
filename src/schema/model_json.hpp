#pragma once
// The JSON form of a Model: what GET /api/v1/schema answers and what POST
// /api/v1/schema/publish takes back (the same shape, so a client edits what it read).
//
//   {"resources": [{"name", "label", "pluralLabel", "builtin", "table",
//                   "fields": [{"name", "type", "length"?, "values"?: [{"value","label"}],
//                               "label", "description", "required", "readOnly", "builtin",
//                               "column"}],
//                   "links": [{"name", "target", "cardinality", "reverseName", "label",
//                              "builtin", "column"}],
//                   "reverseLinks": [{"name", "source", "link"}],   (output only)
//                   "indexes": [{"name", "fields", "unique", "builtin"}]}]}
//
// Reading ignores output-only keys (table, column, builtin items' details, reverseLinks) and
// refuses unknown keys and wrong types, naming the JSON path. Stateless; thread-safe.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "schema/model.hpp"

namespace overture::schema {

boost::json::object ModelToJson(const Model& model);
boost::json::object ResourceToJson(const Model& model, const Resource& resource);

// The custom model described by `json`: resources with only their custom items (anything
// marked "builtin": true is skipped). Physical names are not read; Merge() derives them.
// kInvalidArgument naming the path ("resources[2].fields[0].type") on a malformed document.
Result<Model> CustomModelFromJson(const boost::json::value& json);

// The custom items of a merged model, as a Model of partial resources (what the database
// stores as the published custom model).
Model CustomPart(const Model& merged);

}  // namespace overture::schema
