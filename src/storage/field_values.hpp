#pragma once
// Converting one field's value between its API form (JSON) and its stored form, with the
// validation and normalization the data model asks for: string lengths in characters, ISO
// dates, enumeration values, email (IDN, lower-case domain), phone (E.164 with the record's
// country as default region) and country codes. Stateless; thread-safe.
#include <boost/json/value.hpp>
#include <string_view>

#include "common/error.hpp"
#include "schema/model.hpp"
#include "storage/value.hpp"

namespace overture::storage {

// The stored value for `in`. `context` is what the field's normalizer needs from the rest of
// the record: the country for phone numbers, the channel for quarantine addresses.
// kInvalidArgument with details.field = field.name and a message that says what is wrong.
Result<Value> ToStored(const schema::Field& field, const boost::json::value& in,
                       std::string_view context);
// Same, from text (query-string filters, CSV cells).
Result<Value> TextToStored(const schema::Field& field, std::string_view text,
                           std::string_view context);
// The API value of a stored one.
boost::json::value ToJson(const schema::Field& field, const Value& stored);

// The number of Unicode code points in valid UTF-8 text.
std::size_t CodePoints(std::string_view utf8);

}  // namespace overture::storage
