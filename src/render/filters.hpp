#pragma once
// The standard filters (docs/personalization.md lists them with examples). Internal to
// render/: the parser looks a filter up by name once, at compile time, and the compiled
// template calls it through a function pointer. Filters are pure functions of their input,
// their arguments and the render options (time zone and clock for `date`).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "render/ast.hpp"

namespace overture::render {

inline constexpr std::size_t kMaxFilterArgs = 4;

struct FilterEnv {
    RenderState& st;
    std::string error;            // set by a filter that returns false
    const char* limit = nullptr;  // and the Limits member, when a limit stopped it
};

struct FilterSpec {
    std::string_view name;
    FilterFn fn;
    std::size_t min_args;
    std::size_t max_args;  // positional arguments, <= kMaxFilterArgs
    // Keyword arguments accepted (`default: x, allow_false: true`), mapped to the positions
    // after the positional ones, in this order.
    std::span<const std::string_view> keywords;
};

// The filter named `name`, or nullptr.
const FilterSpec* FindFilter(std::string_view name);

// The `date` filter (date_format.cpp).
bool DateFilter(Value& io, std::span<const Value* const> args, FilterEnv& env);

}  // namespace overture::render
