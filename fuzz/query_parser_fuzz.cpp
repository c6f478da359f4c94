// libFuzzer target: arbitrary bytes as the text form of an expression (query/parser.hpp).
// A rejected input must fail with kInvalidArgument and a position; an accepted one must keep
// every invariant of fuzz_common.hpp (print/parse and JSON round trips, type-check, SQL for
// both dialects, the evaluator). Run with `make fuzz` (docs/development.md, "Fuzzing").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/strings.hpp"
#include "fuzz_common.hpp"
#include "query/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using overture::fuzz::Require;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = overture::query::Parse(text);
    if (!parsed) {
        const auto& e = parsed.error();
        Require(e.code == overture::ErrorCode::kInvalidArgument,
                "Parse failed with a code other than invalid_argument", e.message);
        Require(e.message.starts_with("line ") && e.details.contains("offset"),
                "a parse error without its position", e.message);
        // Errors go back to the client as JSON: they must be text even when the input is not.
        Require(overture::IsValidUtf8(e.message), "a parse error message that is not UTF-8");
        for (const auto& [key, value] : e.details) {
            Require(overture::IsValidUtf8(value), "a parse error detail that is not UTF-8", key);
        }
        return 0;
    }
    overture::fuzz::CheckAcceptedTree(*parsed, text);
    return 0;
}
