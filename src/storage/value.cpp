#include "storage/value.hpp"

#include <charconv>

namespace overture::storage {

std::int64_t AsInt(const Value& v, std::int64_t fallback) {
    if (auto p = std::get_if<std::int64_t>(&v)) return *p;
    if (auto p = std::get_if<bool>(&v)) return *p ? 1 : 0;
    if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
    if (auto p = std::get_if<std::string>(&v)) {
        std::int64_t out = fallback;
        std::from_chars(p->data(), p->data() + p->size(), out);
        return out;
    }
    return fallback;
}

double AsDouble(const Value& v, double fallback) {
    if (auto p = std::get_if<double>(&v)) return *p;
    if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
    if (auto p = std::get_if<std::string>(&v)) {
        double out = fallback;
        std::from_chars(p->data(), p->data() + p->size(), out);
        return out;
    }
    return fallback;
}

std::string AsString(const Value& v, std::string_view fallback) {
    if (auto p = std::get_if<std::string>(&v)) return *p;
    if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
    if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
    if (auto p = std::get_if<bool>(&v)) return *p ? "true" : "false";
    return std::string(fallback);
}

bool AsBool(const Value& v, bool fallback) {
    if (auto p = std::get_if<bool>(&v)) return *p;
    if (auto p = std::get_if<std::int64_t>(&v)) return *p != 0;
    if (auto p = std::get_if<std::string>(&v)) return *p == "t" || *p == "true" || *p == "1";
    return fallback;
}

int Rows::Column(std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == name) return static_cast<int>(i);
    }
    return -1;
}

}  // namespace overture::storage
