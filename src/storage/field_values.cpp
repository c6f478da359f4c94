#include "storage/field_values.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "common/strings.hpp"
#include "schema/dates.hpp"
#include "schema/email.hpp"
#include "schema/phone.hpp"

namespace overture::storage {

namespace json = boost::json;
using schema::FieldType;

namespace {

Error Bad(const schema::Field& f, std::string message) {
    return Error::InvalidArgument(fmt::format("{}: {}", f.name, message)).With("field", f.name);
}

Result<Value> FromText(const schema::Field& f, std::string_view text, std::string_view country) {
    switch (f.normalizer) {
        case schema::Normalizer::kEmail: {
            auto email = schema::NormalizeEmail(text);
            if (!email) return Fail(Bad(f, email.error().message));
            return Value(email->address);
        }
        case schema::Normalizer::kPhone: {
            auto phone = schema::NormalizePhone(text, country);
            if (!phone) return Fail(Bad(f, phone.error().message));
            return Value(*phone);
        }
        case schema::Normalizer::kCountry: {
            auto t = Trim(text);
            if (t.size() != 2 || !std::isalpha(static_cast<unsigned char>(t[0])) ||
                !std::isalpha(static_cast<unsigned char>(t[1]))) {
                return Fail(
                    Bad(f, fmt::format("'{}' is not an ISO 3166 two-letter country code", text)));
            }
            std::string up(t);
            for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return Value(up);
        }
        case schema::Normalizer::kAddress: {
            if (country == "email") {
                auto email = schema::NormalizeEmail(text);
                if (!email) return Fail(Bad(f, email.error().message));
                return Value(email->address);
            }
            if (country == "sms") {
                auto phone = schema::NormalizePhone(text, "");
                if (!phone) return Fail(Bad(f, phone.error().message));
                return Value(*phone);
            }
            break;  // push tokens and unknown channels: kept as given
        }
        case schema::Normalizer::kNone:
            break;
    }
    switch (f.type) {
        case FieldType::kString:
        case FieldType::kText: {
            if (!IsValidUtf8(text)) return Fail(Bad(f, "is not valid UTF-8"));
            if (f.type == FieldType::kString &&
                CodePoints(text) > static_cast<std::size_t>(f.length)) {
                return Fail(Bad(f, fmt::format("is longer than {} characters", f.length)));
            }
            return Value(std::string(text));
        }
        case FieldType::kInteger: {
            std::int64_t n = 0;
            auto t = Trim(text);
            auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
            if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
                return Fail(Bad(f, fmt::format("'{}' is not a whole number", text)));
            }
            return Value(n);
        }
        case FieldType::kFloat: {
            double d = 0;
            auto t = Trim(text);
            auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
            if (t.empty() || ec != std::errc() || p != t.data() + t.size() || !std::isfinite(d)) {
                return Fail(Bad(f, fmt::format("'{}' is not a number", text)));
            }
            return Value(d);
        }
        case FieldType::kBoolean: {
            auto t = ToLower(Trim(text));
            if (t == "true" || t == "1" || t == "yes") return Value(true);
            if (t == "false" || t == "0" || t == "no") return Value(false);
            return Fail(Bad(f, fmt::format("'{}' is not true or false", text)));
        }
        case FieldType::kDate: {
            auto d = schema::ParseIsoDate(Trim(text));
            if (!d) return Fail(Bad(f, d.error().message));
            return Value(*d);
        }
        case FieldType::kDateTime: {
            auto d = schema::ParseIsoDateTime(Trim(text));
            if (!d) return Fail(Bad(f, d.error().message));
            return Value(*d);
        }
        case FieldType::kEnum: {
            if (!f.FindValue(text)) {
                std::string allowed;
                for (const auto& v : f.values) allowed += (allowed.empty() ? "" : ", ") + v.value;
                return Fail(Bad(f, fmt::format("'{}' is not one of {}", text, allowed)));
            }
            return Value(std::string(text));
        }
    }
    return Fail(Bad(f, "has an unknown type"));
}

}  // namespace

std::size_t CodePoints(std::string_view utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
    return n;
}

Result<Value> TextToStored(const schema::Field& field, std::string_view text,
                           std::string_view country) {
    return FromText(field, text, country);
}

Result<Value> ToStored(const schema::Field& f, const json::value& in, std::string_view country) {
    if (in.is_null()) return Value();
    switch (f.type) {
        case FieldType::kInteger:
            if (in.is_int64()) return Value(in.as_int64());
            if (in.is_uint64() && in.as_uint64() <= INT64_MAX) {
                return Value(static_cast<std::int64_t>(in.as_uint64()));
            }
            return Fail(Bad(f, "must be a whole number"));
        case FieldType::kFloat:
            if (in.is_number()) {
                boost::system::error_code ec;
                double d = in.to_number<double>(ec);
                if (!ec && std::isfinite(d)) return Value(d);
            }
            return Fail(Bad(f, "must be a number"));
        case FieldType::kBoolean:
            if (in.is_bool()) return Value(in.as_bool());
            return Fail(Bad(f, "must be true or false"));
        default:
            if (!in.is_string()) return Fail(Bad(f, "must be a string"));
            return FromText(f, in.as_string(), country);
    }
}

json::value ToJson(const schema::Field& f, const Value& v) {
    if (IsNull(v)) return nullptr;
    switch (f.type) {
        case FieldType::kInteger:
            return AsInt(v);
        case FieldType::kFloat:
            return AsDouble(v);
        case FieldType::kBoolean:
            return AsBool(v);
        default:
            return json::string(AsString(v));
    }
}

}  // namespace overture::storage
