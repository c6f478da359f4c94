// libFuzzer target: arbitrary bytes as the JSON form of an expression (query/json_codec.hpp),
// as the API receives it: text that boost::json parses, then FromJson. A rejected tree must
// fail with kInvalidArgument naming a JSON path; an accepted one must keep every invariant of
// fuzz_common.hpp. Run with `make fuzz` (docs/development.md, "Fuzzing").
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "query/json_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using overture::fuzz::Require;
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 1024;  // what the HTTP layer allows a request body (http/json.cpp)
    const boost::json::value json = boost::json::parse(
        std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, options);
    if (ec) return 0;
    auto tree = overture::query::FromJson(json);
    if (!tree) {
        const auto& e = tree.error();
        Require(e.code == overture::ErrorCode::kInvalidArgument,
                "FromJson failed with a code other than invalid_argument", e.message);
        Require(e.message.starts_with("$") && e.details.contains("path"),
                "a JSON form error without its path", e.message);
        return 0;
    }
    overture::fuzz::CheckAcceptedTree(*tree, "");
    return 0;
}
