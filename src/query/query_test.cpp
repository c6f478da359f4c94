// Tests of the text and JSON front ends and the printer: table-driven parse, error and JSON
// cases, the limits, the round-trip properties over every valid case, and a deterministic
// random-tree differential test (print -> parse -> equal, JSON -> AST -> equal).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "query/ast.hpp"
#include "query/evaluate.hpp"
#include "query/json_codec.hpp"
#include "query/parser.hpp"
#include "query/printer.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "schema/model.hpp"
#include "storage/sql_text.hpp"

namespace overture::query {
namespace {

namespace json = boost::json;

struct ParseCase {
    std::string text;
    std::string canonical;  // Print(Parse(text)); empty: same as text
};

const std::vector<ParseCase>& ParseCases() {
    static const std::vector<ParseCase> kCases = {
        // comparisons
        {R"(country = "FR")", ""},
        {R"(country != "FR")", ""},
        {"age < 30", ""},
        {"age <= 30", ""},
        {"age > 30", ""},
        {"age >= 30", ""},
        {"age>=30", "age >= 30"},
        {"1 = 1", ""},
        {R"("a" = x)", ""},
        {"x = y", ""},
        // in, between, like, is empty
        {R"(country in ("FR", "DE"))", ""},
        {R"(country not in ("FR"))", ""},
        {R"(x in (1, "a", null, y, lower("B")))", ""},
        {R"(country in("FR","DE"))", R"(country in ("FR", "DE"))"},
        {"age between 25 and 40", ""},
        {"age not between 25 and 40", ""},
        {"x between -5 and -3.5", ""},
        {R"(email like "%@example.com")", ""},
        {R"(email not like "%x%")", ""},
        {"phone is empty", ""},
        {"phone is not empty", ""},
        // logic and precedence
        {"not blockEmail", ""},
        {"a and b", ""},
        {"a or b", ""},
        {"a and b or c", ""},
        {"a or b and c", ""},
        {"(a or b) and c", ""},
        {"a and (b or c)", ""},
        {"((a))", "a"},
        {"(a and b) and c", "a and b and c"},
        {"a or (b or c)", "a or b or c"},
        {"not (a and b)", ""},
        {"not a and b", ""},
        {"not not a", ""},
        {"not (a = 1)", "not a = 1"},
        {"(not a) = true", ""},
        {"(a = 1) = true", ""},
        {"not (a or b) or not c", ""},
        {"a = 1 and (b = 2 or c = 3) and not d in (1, 2)", ""},
        // exists
        {"exists purchases", ""},
        {"exists purchases where (amount > 100)", ""},
        {"not exists purchases", ""},
        {"exists purchases where (amount > 100 and createdAt > daysAgo(90))", ""},
        {"exists profile.purchases", ""},
        {R"(exists purchases where (exists items where (sku = "x")))", ""},
        {"exists purchases where ((a or b))", "exists purchases where (a or b)"},
        // aggregates
        {"count(purchases) >= 3", ""},
        {"count(purchases where amount > 100) > 0", ""},
        {"sum(purchases.amount) > 1000", ""},
        {R"(avg(purchases.amount where status = "paid") < 50.5)", ""},
        {"min(purchases.amount) >= 1", ""},
        {"max(purchases.createdAt) > daysAgo(30)", ""},
        {"COUNT(purchases) = 1", "count(purchases) = 1"},
        {"count(purchases where amount > 1 and x or y) = 2", ""},
        {"sum(profile.purchases.amount) > 1", ""},
        // relative windows
        {"createdAt in last 7 days", ""},
        {"createdAt in next 2 weeks", ""},
        {"createdAt in last 1 day", ""},
        {"createdAt IN LAST 1 DAYS", "createdAt in last 1 day"},
        {"x in last 3 months", ""},
        {"x in next 1 year", ""},
        {"x in last 10 Year", "x in last 10 years"},
        {"x in last 7 days and y", ""},
        // functions
        {"now() > x", ""},
        {"today() > birthDate", ""},
        {"createdAt > daysAgo(90)", ""},
        {"addDays(createdAt, 7) < now()", ""},
        {"addMonths(createdAt, -1) < today()", ""},
        {"year(birthDate) = 1990", ""},
        {"month(birthDate) = 12", ""},
        {"day(birthDate) = 31", ""},
        {"weekday(createdAt) = 1", ""},
        {"age(birthDate) >= 18", ""},
        {"daysSince(lastOrderAt) > 30", ""},
        {R"(lower(email) = "a@b.c")", ""},
        {R"(upper(country) = "FR")", ""},
        {"length(firstName) > 3", ""},
        {R"(contains(email, "shop"))", ""},
        {R"(startsWith(phone, "+33"))", ""},
        {R"(endsWith(email, ".fr"))", ""},
        {"trim(firstName) is empty", ""},
        {R"(emailDomain(email) in ("gmail.com", "yahoo.fr"))", ""},
        {"abs(balance) > 10", ""},
        {"round(score) = 3", ""},
        {"floor(score) = 3", ""},
        {"ceil(score) = 4", ""},
        {R"(coalesce(nickname, firstName, "there") = "x")", ""},
        {"f((a or b))", "f(a or b)"},
        {"f(a = 1, not b)", ""},
        // literals
        {"x = null", ""},
        {"x = true", ""},
        {"x = false", ""},
        {"x = -5", ""},
        {"x = 1.5", ""},
        {"x = 1e3", "x = 1000.0"},
        {"x = 2.50", "x = 2.5"},
        {"x = -0.25", ""},
        {"x = 1.0E-7", "x = 1e-07"},
        {"x = 9223372036854775807", ""},
        {"x = -9223372036854775808", ""},
        {R"(x = "a\"b")", ""},
        {R"(x = "tab\there\nnew")", ""},
        {R"(x = "back\\slash")", ""},
        {R"(x = "\u00e9")", "x = \"\xc3\xa9\""},
        {R"(x = "\uD83D\uDE00")", "x = \"\xf0\x9f\x98\x80\""},
        {R"(x = "\u0001")", ""},
        {R"(x = "")", ""},
        {"x = \"caf\xc3\xa9\"", ""},
        // case-insensitive keywords
        {"A AND B", "A and B"},
        {"a Or b", "a or b"},
        {"NOT x", "not x"},
        {"x IS NOT EMPTY", "x is not empty"},
        {"x NOT IN (1)", "x not in (1)"},
        {"x Between 1 And 2", "x between 1 and 2"},
        {"EXISTS p WHERE (a = 1)", "exists p where (a = 1)"},
        {"x = TRUE", "x = true"},
        {"x = Null", "x = null"},
        {"x NOT LIKE \"a\"", "x not like \"a\""},
        // whitespace and newlines
        {"a\n=\n1", "a = 1"},
        {"  a = 1  ", "a = 1"},
        {"a\t=\t1\r\n and b", "a = 1 and b"},
        {"f( a , b )", "f(a, b)"},
        {"country in (\"FR\", \"DE\") and age between 25 and 40 and not blockEmail\n"
         "and exists purchases where (amount > 100 and createdAt > daysAgo(90))\n"
         "and count(purchases) >= 3 and email like \"%@example.com\"",
         "country in (\"FR\", \"DE\") and age between 25 and 40 and not blockEmail and exists "
         "purchases where (amount > 100 and createdAt > daysAgo(90)) and count(purchases) >= 3 "
         "and email like \"%@example.com\""},
        // field paths and identifiers that look like keywords elsewhere
        {R"(profile.country = "FR")", ""},
        {"purchases.amount > 1", ""},
        {"a.b.c = 1", ""},
        {"_x1 = 1", ""},
        {"count = 1", ""},
        {"last = 1", ""},
        {"days in last 2 days", ""},
        // injection-looking input stays inside a string literal
        {R"(country = "a\" or 1=1 --")", ""},
        {R"(name = "'; DROP TABLE profiles; --")", ""},
    };
    return kCases;
}

TEST(QueryParse, ValidCasesPrintCanonically) {
    EXPECT_GE(ParseCases().size(), 80u);
    for (const ParseCase& c : ParseCases()) {
        SCOPED_TRACE(c.text);
        auto e = Parse(c.text);
        ASSERT_TRUE(e.has_value()) << e.error().message;
        EXPECT_EQ(Print(*e), c.canonical.empty() ? c.text : c.canonical);
    }
}

TEST(QueryParse, RoundTripsOverAllValidCases) {
    for (const ParseCase& c : ParseCases()) {
        SCOPED_TRACE(c.text);
        auto e = Parse(c.text);
        ASSERT_TRUE(e.has_value());
        std::string printed = Print(*e);
        auto again = Parse(printed);
        ASSERT_TRUE(again.has_value()) << again.error().message;
        EXPECT_EQ(*again, *e);
        EXPECT_EQ(Print(*again), printed);
        // text -> JSON -> AST, directly and through serialized JSON text
        json::value j = ToJson(*e);
        auto from_json = FromJson(j);
        ASSERT_TRUE(from_json.has_value()) << from_json.error().message;
        EXPECT_EQ(*from_json, *e);
        EXPECT_EQ(Print(*from_json), printed);
        json::parse_options options;
        options.max_depth = 1000;
        auto reparsed = FromJson(json::parse(json::serialize(j), {}, options));
        ASSERT_TRUE(reparsed.has_value()) << json::serialize(j);
        EXPECT_EQ(*reparsed, *e);
    }
}

TEST(QueryParse, TreeShapeAndPrecedence) {
    auto e = Parse("a or b and not c = 1");
    ASSERT_TRUE(e.has_value());
    ASSERT_EQ(e->kind(), ExprKind::kOr);
    ASSERT_EQ(e->children().size(), 2u);
    const Expr& rhs = e->children()[1];
    ASSERT_EQ(rhs.kind(), ExprKind::kAnd);
    ASSERT_EQ(rhs.children()[1].kind(), ExprKind::kNot);
    EXPECT_EQ(rhs.children()[1].children()[0].kind(), ExprKind::kCompare);

    auto agg = Parse("sum(profile.purchases.amount where x = 1) > 2");
    ASSERT_TRUE(agg.has_value());
    const Expr& a = agg->children()[0];
    ASSERT_EQ(a.kind(), ExprKind::kAggregate);
    EXPECT_EQ(a.aggregate(), AggregateFn::kSum);
    EXPECT_EQ(a.path(), (std::vector<std::string>{"profile", "purchases"}));
    EXPECT_EQ(a.name(), "amount");
    ASSERT_NE(a.where(), nullptr);

    auto w = Parse("createdAt in next 3 weeks");
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->kind(), ExprKind::kWindow);
    EXPECT_EQ(w->direction(), WindowDirection::kNext);
    EXPECT_EQ(w->amount(), 3);
    EXPECT_EQ(w->unit(), WindowUnit::kWeeks);

    auto s = Parse(R"(country = "a\" or 1=1 --")");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->children()[1].string_value(), "a\" or 1=1 --");
}

TEST(QueryParse, SpansPointIntoTheSource) {
    auto e = Parse("x = 1 and\n  country = \"FR\"");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->span().offset, 0u);
    EXPECT_EQ(e->span().length, 26u);
    const Expr& cmp = e->children()[1];
    EXPECT_EQ(cmp.span().line, 2);
    EXPECT_EQ(cmp.span().column, 3);
    EXPECT_EQ(cmp.span().offset, 12u);
    EXPECT_EQ(cmp.span().length, 14u);
    const Expr& lit = cmp.children()[1];
    EXPECT_EQ(lit.span().column, 13);
    EXPECT_EQ(lit.span().length, 4u);
}

struct ErrorCase {
    std::string text;
    int line;
    int column;
    std::string message;  // expected substring of the message
};

const std::vector<ErrorCase>& ErrorCases() {
    static const std::vector<ErrorCase> kCases = {
        {"", 1, 1, "expected an expression, found end of input"},
        {"age >", 1, 6, "expected a value after '>', found end of input"},
        {"country = \"FR\"\nand age > and x", 2, 11, "expected a value after '>', found 'and'"},
        {"country = \"x\"; DROP TABLE profiles", 1, 14, "unexpected character ';'"},
        {"a = 1 and b = 2;", 1, 16, "unexpected character ';'"},
        {"x = 1 or 1 = 1; --", 1, 15, "unexpected character ';'"},
        {"a = 1 -- comment", 1, 7, "comments are not allowed"},
        {"a = 1 /* c */", 1, 7, "comments are not allowed"},
        {"a = 1 // c", 1, 7, "comments are not allowed"},
        {"a = \"abc", 1, 5, "unterminated string"},
        {R"(a = "\x")", 1, 6, "unknown escape"},
        {R"(a = "\u12")", 1, 10, "expected four hex digits"},
        {R"(a = "\uDC00")", 1, 6, "unpaired surrogate"},
        {R"(a = "\uD800x")", 1, 6, "unpaired surrogate"},
        {"a in ()", 1, 7, "expected a value in the in list, found ')'"},
        {"a in (1,)", 1, 9, "expected a value in the in list, found ')'"},
        {"a in (1 2)", 1, 9, "expected ',' or ')', found '2'"},
        {"a in 1", 1, 6, "expected '(' after 'in', found '1'"},
        {"a between 1", 1, 12, "expected 'and', found end of input"},
        {"a between 1 or 2", 1, 13, "expected 'and', found 'or'"},
        {"a is", 1, 5, "expected 'empty', found end of input"},
        {"a is null", 1, 6, "expected 'empty', found 'null'"},
        {"a not = 1", 1, 7, "expected 'in', 'like' or 'between' after 'not', found '='"},
        {"(a = 1", 1, 7, "expected ')', found end of input"},
        {"a = 1)", 1, 6, "expected end of input (unbalanced ')'), found ')'"},
        {"a b", 1, 3, "expected 'and', 'or' or end of input, found 'b'"},
        {"a = = 1", 1, 5, "expected a value after '=', found '='"},
        {"a == 1", 1, 4, "expected a value after '=', found '='"},
        {"a = 1 = 2", 1, 7, "expected 'and', 'or' or end of input, found '='"},
        {"sum(purchases) > 1", 1, 5, "expected '<link>.<field>' in sum(), found 'purchases'"},
        {"count(purchases amount)", 1, 17, "expected 'where' or ')', found 'amount'"},
        {"exists", 1, 7, "expected a field or link name, found end of input"},
        {"exists purchases where amount > 1", 1, 24, "expected '(' after 'where', found 'amount'"},
        {"x in last 0 days", 1, 11, "expected a whole number from 1 to 100000"},
        {"x in last 7 fortnights", 1, 13, "expected 'days', 'weeks', 'months' or 'years'"},
        {"x in next days", 1, 11, "expected a whole number"},
        {"x not in last 7 days", 1, 10, "expected '(' after 'in', found 'last'"},
        {"a.and = 1", 1, 3, "expected a name after '.', found 'and'"},
        {"and = 1", 1, 1, "expected a value, found 'and'"},
        {"not", 1, 4, "expected a condition after 'not', found end of input"},
        {"a = 1 and", 1, 10, "expected a value, found end of input"},
        {"f(1,", 1, 5, "expected a value in the argument list, found end of input"},
        {"a = 99999999999999999999", 1, 5, "out of range"},
        {"a = 1.", 1, 7, "expected a digit after '.'"},
        {"a = 12abc", 1, 7, "unexpected character 'a' after the number '12'"},
        {"a = 1e", 1, 7, "expected a digit in the exponent"},
        {"a ! b", 1, 3, "did you mean '!='"},
        {"a = 'x'", 1, 5, "unexpected character '''"},
        {"a = \"x\ny\"", 1, 7, "control character in string"},
        {"a = \xc3\xbc", 1, 5, "unexpected character '\xc3\xbc'"},
        {"a - 1", 1, 3, "unexpected character '-'"},
        {"a = \"\xff\"", 1, 6, "invalid UTF-8 in string"},
        {"a = 1\n\n   b", 3, 4, "expected 'and', 'or' or end of input, found 'b'"},
        {"\xc3\xa9t\xc3\xa9 = 1", 1, 1, "unexpected character '\xc3\xa9'"},
        {"x = \"\xc3\xa9\" b", 1, 9, "found 'b'"},
        {"a = 1 and b = 2 and", 1, 20, "expected a value, found end of input"},
        {"a = 1 ; 1", 1, 7, "unexpected character ';'"},
    };
    return kCases;
}

TEST(QueryParse, ErrorCasesReportPositionAndMessage) {
    EXPECT_GE(ErrorCases().size(), 30u);
    for (const ErrorCase& c : ErrorCases()) {
        SCOPED_TRACE(c.text);
        auto e = Parse(c.text);
        ASSERT_FALSE(e.has_value()) << Print(*e);
        const Error& err = e.error();
        EXPECT_EQ(err.code, ErrorCode::kInvalidArgument);
        std::string prefix =
            "line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": ";
        EXPECT_EQ(err.message.substr(0, prefix.size()), prefix) << err.message;
        EXPECT_NE(err.message.find(c.message), std::string::npos) << err.message;
        EXPECT_EQ(err.details.at("line"), std::to_string(c.line));
        EXPECT_EQ(err.details.at("column"), std::to_string(c.column));
        EXPECT_TRUE(err.details.contains("excerpt"));
    }
}

TEST(QueryParse, ErrorExcerptHasCaretUnderThePosition) {
    auto e = Parse("country = \"FR\"\nand age > and x");
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error().message, "line 2, column 11: expected a value after '>', found 'and'");
    EXPECT_EQ(e.error().details.at("excerpt"), "and age > and x\n          ^");

    auto tab = Parse("\ta = ");
    ASSERT_FALSE(tab.has_value());
    EXPECT_EQ(tab.error().details.at("column"), "6");
    EXPECT_EQ(tab.error().details.at("excerpt"), "\ta = \n\t    ^");

    auto wide = Parse("x = \"\xc3\xa9\xc3\xa9\" ;");
    ASSERT_FALSE(wide.has_value());
    EXPECT_EQ(wide.error().details.at("excerpt"), "x = \"\xc3\xa9\xc3\xa9\" ;\n         ^");

    std::string long_line = "a = 1";
    for (int i = 0; i < 200; ++i) long_line += " and a = 1";
    long_line += " ;";
    for (int i = 0; i < 100; ++i) long_line += " and a = 1";
    auto cut = Parse(long_line);
    ASSERT_FALSE(cut.has_value());
    const std::string& excerpt = cut.error().details.at("excerpt");
    EXPECT_EQ(excerpt.substr(0, 3), "...");
    std::size_t newline = excerpt.find('\n');
    ASSERT_NE(newline, std::string::npos);
    std::string source = excerpt.substr(0, newline);
    std::string caret = excerpt.substr(newline + 1);
    EXPECT_EQ(source[caret.size() - 1], ';');
    EXPECT_EQ(source.substr(source.size() - 3), "...");
}

TEST(QueryLimits, InputSize) {
    std::string text = "a = 1";
    while (text.size() <= kMaxInputBytes) text += " or a = 1";
    auto e = Parse(text);
    ASSERT_FALSE(e.has_value());
    EXPECT_NE(e.error().message.find("the limit is 65536"), std::string::npos);

    std::string fits = "a = \"" + std::string(4000, 'x') + "\"";
    while (fits.size() + 12 < kMaxInputBytes) fits += " or a = 1";
    EXPECT_TRUE(Parse(fits).has_value());
}

TEST(QueryLimits, NestingDepth) {
    std::string ok = std::string(63, '(') + "a" + std::string(63, ')');
    EXPECT_TRUE(Parse(ok).has_value());
    std::string over = std::string(64, '(') + "a" + std::string(64, ')');
    auto e = Parse(over);
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error().details.at("column"), "65");
    EXPECT_NE(e.error().message.find("nested too deeply"), std::string::npos);

    auto deep = Parse(std::string(10'000, '('));
    ASSERT_FALSE(deep.has_value());
    EXPECT_NE(deep.error().message.find("nested too deeply"), std::string::npos);

    std::string nots;
    for (int i = 0; i < 10'000; ++i) nots += "not ";
    auto many_nots = Parse(nots + "a");
    ASSERT_FALSE(many_nots.has_value());
    EXPECT_NE(many_nots.error().message.find("nested too deeply"), std::string::npos);

    std::string calls;
    for (int i = 0; i < 5'000; ++i) calls += "f(";
    EXPECT_FALSE(Parse(calls + "1").has_value());

    std::string wheres;
    for (int i = 0; i < 5'000; ++i) wheres += "exists p where (";
    EXPECT_FALSE(Parse(wheres).has_value());

    std::string aggregates;
    for (int i = 0; i < 5'000; ++i) aggregates += "count(p where ";
    EXPECT_FALSE(Parse(aggregates).has_value());
}

TEST(QueryLimits, ListLength) {
    std::string list = "x in (0";
    for (std::size_t i = 1; i < kMaxListItems; ++i) list += ",1";
    auto ok = Parse(list + ")");
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    EXPECT_EQ(ok->children().size(), kMaxListItems + 1);
    auto over = Parse(list + ",2)");
    ASSERT_FALSE(over.has_value());
    EXPECT_NE(over.error().message.find("has more than 10000 items"), std::string::npos);
    EXPECT_EQ(over.error().details.at("limit"), "10000");
}

TEST(QueryLimits, StringLength) {
    EXPECT_TRUE(Parse("x = \"" + std::string(kMaxStringBytes, 'a') + "\"").has_value());
    auto over = Parse("x = \"" + std::string(kMaxStringBytes + 1, 'a') + "\"");
    ASSERT_FALSE(over.has_value());
    EXPECT_NE(over.error().message.find("string is longer than 4096 bytes"), std::string::npos);
    EXPECT_EQ(over.error().details.at("column"), "5");
    std::string escapes;
    for (std::size_t i = 0; i <= kMaxStringBytes; ++i) escapes += "\\n";
    EXPECT_FALSE(Parse("x = \"" + escapes + "\"").has_value());
}

TEST(QueryParse, MutatedInputsFailCleanlyOrRoundTrip) {
    // Every valid case with bytes deleted, duplicated or replaced: the parser must either fail
    // with a position or give a tree that prints and parses back to itself.
    static const std::string kBytes = "()\",.=<>!-/ \n\\ae1_\xc3\xff";
    std::uint64_t state = 7;
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::size_t>(state >> 33);
    };
    int accepted = 0;
    for (const ParseCase& c : ParseCases()) {
        for (int round = 0; round < 40; ++round) {
            std::string text = c.text;
            for (int edits = 1 + static_cast<int>(next() % 3); edits > 0 && !text.empty();
                 --edits) {
                std::size_t at = next() % text.size();
                switch (next() % 3) {
                    case 0:
                        text.erase(at, 1);
                        break;
                    case 1:
                        text.insert(at, 1, text[at]);
                        break;
                    default:
                        text[at] = kBytes[next() % kBytes.size()];
                }
            }
            SCOPED_TRACE(text);
            auto e = Parse(text);
            if (!e) {
                EXPECT_TRUE(e.error().details.contains("excerpt"));
                continue;
            }
            ++accepted;
            auto again = Parse(Print(*e));
            ASSERT_TRUE(again.has_value()) << again.error().message;
            EXPECT_EQ(*again, *e);
        }
    }
    EXPECT_GT(accepted, 100);
}

// ---- JSON ----

TEST(QueryJson, DocumentedExampleDecodes) {
    json::value j = json::parse(R"({"and": [
        {"field": "country", "op": "in", "values": ["FR", "DE"]},
        {"field": "age", "op": "between", "values": [25, 40]},
        {"not": {"field": "blockEmail"}},
        {"exists": "purchases", "where": {"and": [
            {"field": "amount", "op": ">", "value": 100},
            {"field": "createdAt", "op": ">", "value": {"call": "daysAgo", "args": [90]}}]}},
        {"aggregate": "count", "link": "purchases", "op": ">=", "value": 3},
        {"field": "email", "op": "like", "value": "%@example.com"},
        {"field": "createdAt", "op": "in last", "amount": 7, "unit": "days"},
        {"call": "lower", "args": [{"field": "email"}], "op": "=", "value": "a@b.c"},
        {"aggregate": "sum", "link": "purchases", "field": "amount",
         "where": {"field": "status", "op": "=", "value": "paid"}, "op": ">", "value": 99.5},
        {"left": 3, "op": "<", "value": {"field": "age"}},
        {"field": "phone", "op": "is not empty"}
    ]})");
    auto e = FromJson(j);
    ASSERT_TRUE(e.has_value()) << e.error().message;
    EXPECT_EQ(Print(*e),
              "country in (\"FR\", \"DE\") and age between 25 and 40 and not blockEmail and "
              "exists purchases where (amount > 100 and createdAt > daysAgo(90)) and "
              "count(purchases) >= 3 and email like \"%@example.com\" and createdAt in last 7 "
              "days and lower(email) = \"a@b.c\" and sum(purchases.amount where status = "
              "\"paid\") > 99.5 and 3 < age and phone is not empty");
    EXPECT_EQ(ToJson(*e), j);
}

TEST(QueryJson, GroupsAreFlattenedAndSingletonsCollapse) {
    auto e = FromJson(json::parse(
        R"({"and": [{"and": [{"field": "a"}, {"field": "b"}]}, {"or": [{"field": "c"}]}]})"));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(Print(*e), "a and b and c");
    EXPECT_EQ(e->children().size(), 3u);
}

struct JsonErrorCase {
    std::string json;
    std::string path;
    std::string message;
};

TEST(QueryJson, DecodingErrorsNameThePath) {
    std::string long_string(kMaxStringBytes + 1, 'x');
    std::string many = "[0";
    for (std::size_t i = 0; i < kMaxListItems; ++i) many += ",1";
    many += "]";
    const std::vector<JsonErrorCase> cases = {
        {R"({"and": [{"field": "a", "op": "=", "value": 1},
                     {"field": "b", "op": "~", "value": 2}]})",
         "$.and[1].op", "expected one of"},
        {R"({"field": "a", "op": "=", "value": 1, "extra": 2})", "$.extra", "unknown key"},
        {R"({"field": 3})", "$.field", "expected a string, found an integer"},
        {R"({"field": "a..b"})", "$.field", "not a valid name"},
        {R"({"field": ""})", "$.field", "found an empty string"},
        {R"({"field": "and"})", "$.field", "not a valid name"},
        {R"({"and": []})", "$.and", "expected at least 1 item"},
        {R"({"and": {}})", "$.and", "expected an array, found an object"},
        {R"({"field": "a", "op": "in"})", "$.values", "missing"},
        {R"({"field": "a", "op": "between", "values": [1]})", "$.values",
         "expected at least 2 items"},
        {R"({"field": "a", "op": "between", "values": [1, 2, 3]})", "$.values",
         "expected exactly two values"},
        {R"({"op": "=", "value": 1})", "$", "expected the left operand"},
        {R"({"aggregate": "sum", "link": "purchases", "op": ">", "value": 1})", "$.field",
         "missing"},
        {R"({"aggregate": "count", "link": "purchases", "field": "x"})", "$.field",
         "count takes no field"},
        {R"({"aggregate": "median", "link": "p"})", "$.aggregate", "expected \"count\""},
        {R"({"aggregate": "COUNT", "link": "p"})", "$.aggregate", "expected \"count\""},
        {R"({"aggregate": "count"})", "$.link", "missing"},
        {R"({"call": "count", "args": []})", "$.call", "not a valid function name"},
        {R"({"call": 1})", "$.call", "expected a string, found an integer"},
        {R"({"call": "lower", "args": "x"})", "$.args", "expected an array, found a string"},
        {R"({"exists": "purchases", "where": {"field": "amount", "op": ">", "value": [1]}})",
         "$.where.value", "expected a value or an object, found an array"},
        {R"({"field": "t", "op": "in last", "amount": 0, "unit": "days"})", "$.amount",
         "expected a whole number from 1 to 100000"},
        {R"({"field": "t", "op": "in last", "amount": 2.5, "unit": "days"})", "$.amount",
         "expected a whole number"},
        {R"({"field": "t", "op": "in last", "amount": 3, "unit": "fortnights"})", "$.unit",
         "expected \"days\""},
        {R"({"field": "t", "op": "in next", "amount": 3})", "$.unit", "missing"},
        {R"({})", "$", "expected a node"},
        {R"([1])", "$", "expected a value or an object, found an array"},
        {R"({"foo": 1})", "$.foo", "unknown key"},
        {R"({"not": {"field": "a"}, "x": 1})", "$.x", "unknown key"},
        {R"({"left": 1, "field": "a", "op": "=", "value": 1})", "$.field", "unknown key"},
        {R"({"field": "a", "op": "=", "value": 18446744073709551615})", "$.value",
         "integer is out of range"},
        {R"({"field": "a", "op": "=", "value": ")" + long_string + R"("})", "$.value",
         "string is longer than 4096 bytes"},
        {R"({"field": "a", "op": "in", "values": )" + many + "}", "$.values",
         "has more than 10000 items"},
        {R"({"or": [{"and": [1, {"field": 5}]}]})", "$.or[0].and[1].field", "expected a string"},
        {R"({"field": "a", "op": 5, "value": 1})", "$.op", "expected one of"},
    };
    for (const JsonErrorCase& c : cases) {
        SCOPED_TRACE(c.json.substr(0, 200));
        auto e = FromJson(json::parse(c.json));
        ASSERT_FALSE(e.has_value()) << Print(*e);
        EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(e.error().details.at("path"), c.path) << e.error().message;
        EXPECT_EQ(e.error().message.substr(0, c.path.size() + 2), c.path + ": ");
        EXPECT_NE(e.error().message.find(c.message), std::string::npos) << e.error().message;
    }
}

TEST(QueryJson, DepthLimit) {
    json::value v = json::object{{"field", "a"}};
    for (int i = 0; i < 1000; ++i) v = json::object{{"not", v}};
    auto e = FromJson(v);
    ASSERT_FALSE(e.has_value());
    EXPECT_NE(e.error().message.find("nested too deeply"), std::string::npos);

    json::value ok = json::object{{"field", "a"}};
    for (int i = 1; i < kMaxTreeDepth; ++i) ok = json::object{{"not", ok}};
    EXPECT_TRUE(FromJson(ok).has_value());
}

TEST(QueryJson, DeepestTextTreesFitTheJsonLimit) {
    // Three nodes per text level (or, and, comparison), the densest the grammar allows.
    std::string text = "z";
    for (int i = 1; i < kMaxNesting; ++i) text = "(x or y and " + text + " = 1)";
    auto e = Parse(text);
    ASSERT_TRUE(e.has_value()) << e.error().message;
    auto back = FromJson(ToJson(*e));
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, *e);
}

TEST(QueryJson, RejectsInvalidUtf8AndNonFinite) {
    json::value s = json::string("\xff");
    EXPECT_FALSE(FromJson(s).has_value());
    json::value inf = std::numeric_limits<double>::infinity();
    EXPECT_FALSE(FromJson(inf).has_value());
}

// ---- random trees: print -> parse and JSON -> AST must give back the same tree ----

class RandomTrees {
  public:
    explicit RandomTrees(std::uint64_t seed) : state_(seed) {}

    Expr Condition(int depth) {
        switch (Below(depth > 0 ? 12 : 8)) {
            case 0:
                return Expr::Compare(static_cast<CompareOp>(Below(6)), Operand(depth),
                                     Operand(depth));
            case 1:
                return Expr::In(Operand(depth), Values(depth, 1 + Below(4)), Below(2) == 1);
            case 2:
                return Expr::Between(Operand(depth), Operand(depth), Operand(depth), Below(2) == 1);
            case 3:
                return Expr::Like(Operand(depth), Operand(depth), Below(2) == 1);
            case 4:
                return Expr::IsEmpty(Operand(depth), Below(2) == 1);
            case 5:
                return Expr::Window(Operand(depth), static_cast<WindowDirection>(Below(2)),
                                    1 + static_cast<std::int64_t>(Below(400)),
                                    static_cast<WindowUnit>(Below(4)));
            case 6:
                return Expr::Field(Path(1 + Below(2)));
            case 7:
                return Expr::Exists(Path(1 + Below(2)), std::nullopt);
            case 8:
                return Expr::Not(Condition(depth - 1));
            case 9:
                return Expr::And(Values(depth, 2 + Below(3), /*conditions=*/true));
            case 10:
                return Expr::Or(Values(depth, 2 + Below(3), /*conditions=*/true));
            default:
                return Expr::Exists(Path(1 + Below(2)), Condition(depth - 1));
        }
    }

  private:
    std::uint64_t Next() {  // splitmix64: the same sequence on every platform
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t Below(std::size_t n) { return static_cast<std::size_t>(Next() % n); }

    std::vector<std::string> Path(std::size_t n) {
        static const std::vector<std::string> kNames = {
            "country", "age", "purchases", "amount", "count", "last", "days", "_x1", "Email"};
        std::vector<std::string> path;
        for (std::size_t i = 0; i < n; ++i) path.push_back(kNames[Below(kNames.size())]);
        return path;
    }

    std::string Text() {
        static const std::vector<std::string> kPieces = {
            "a",      "Z",  " ",    "\"",       "\\",
            "\n",     "\t", "\x01", "\x7f",     "%",
            "--",     ";",  "'",    "\xc3\xa9", "\xf0\x9f\x98\x80",
            "or 1=1", "/*"};
        std::string s;
        std::size_t n = Below(6);
        for (std::size_t i = 0; i < n; ++i) s += kPieces[Below(kPieces.size())];
        return s;
    }

    Expr Literal() {
        switch (Below(6)) {
            case 0:
                return Expr::Null();
            case 1:
                return Expr::Bool(Below(2) == 1);
            case 2:
                return Expr::Integer(static_cast<std::int64_t>(Next()));
            case 3:
                return Expr::Integer(static_cast<std::int64_t>(Below(2001)) - 1000);
            case 4: {
                double d =
                    static_cast<double>(static_cast<std::int64_t>(Next() % 2000001) - 1000000) /
                    static_cast<double>(1 + Below(1000));
                if (Below(8) == 0) d *= 1e200;
                return Expr::Decimal(d);
            }
            default:
                return Expr::String(Text());
        }
    }

    Expr Operand(int depth) {
        switch (Below(depth > 0 ? 6 : 3)) {
            case 0:
            case 1:
                return Literal();
            case 2:
                return Expr::Field(Path(1 + Below(3)));
            case 3: {
                static const std::vector<std::string> kFunctions = {
                    "now", "daysAgo", "lower", "coalesce", "addMonths", "emailDomain"};
                return Expr::Call(kFunctions[Below(kFunctions.size())], Values(depth, Below(4)));
            }
            case 4: {
                auto fn = static_cast<AggregateFn>(Below(5));
                std::string field = fn == AggregateFn::kCount ? "" : "amount";
                std::optional<Expr> where;
                if (Below(2) == 1) where = Condition(depth - 1);
                return Expr::Aggregate(fn, Path(1 + Below(2)), field, std::move(where));
            }
            default:
                return Condition(depth - 1);  // printed in parentheses
        }
    }

    std::vector<Expr> Values(int depth, std::size_t n, bool conditions = false) {
        std::vector<Expr> out;
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(conditions ? Condition(depth - 1) : Operand(depth - 1));
        }
        return out;
    }

    std::uint64_t state_;
};

TEST(QueryRandom, PrintParseAndJsonRoundTrip) {
    RandomTrees gen(20260428);
    for (int i = 0; i < 2000; ++i) {
        Expr e = gen.Condition(4);
        std::string text = Print(e);
        SCOPED_TRACE(text);
        auto parsed = Parse(text);
        ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
        ASSERT_EQ(*parsed, e);
        EXPECT_EQ(Print(*parsed), text);
        auto from_json = FromJson(ToJson(e));
        ASSERT_TRUE(from_json.has_value()) << from_json.error().message;
        ASSERT_EQ(*from_json, e);
    }
}

// Regressions found by the libFuzzer target (fuzz/query_parser_fuzz.cpp).

// Overlong forms, surrogates and code points past U+10FFFF passed the old UTF-8 check, reached
// the JSON form (which Boost.JSON then refused to read back) and PostgreSQL (which rejects them).
TEST(QueryFuzzRegression, StringLiteralsMustBeStrictUtf8) {
    for (const char* text : {"firstName = \"q\xE0\x8A\xA3\"", "firstName = \"\xED\xA0\x80\"",
                             "firstName = \"\xF5\x80\x80\x80\"", "firstName = \"\xC0\xAF\""}) {
        auto e = Parse(text);
        ASSERT_FALSE(e.has_value()) << Print(*e);
        EXPECT_NE(e.error().message.find("invalid UTF-8 in string"), std::string::npos)
            << e.error().message;
    }
}

// The excerpt of an error goes back to the client inside JSON: bytes after the error position
// that are not UTF-8 used to be copied into it as they were.
TEST(QueryFuzzRegression, ErrorExcerptIsUtf8EvenWhenTheInputIsNot) {
    auto e = Parse("a = = \"\xE0\x8A\xA3\xFF\"");
    ASSERT_FALSE(e.has_value());
    const std::string& excerpt = e.error().details.at("excerpt");
    EXPECT_TRUE(IsValidUtf8(excerpt)) << excerpt;
    EXPECT_EQ(excerpt.substr(0, excerpt.find('\n')),
              "a = = \"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

// Window bounds far from now: FormatRfc3339 overflowed (undefined behaviour) outside the years
// 1677-2262, `in next 100000 years` wrapped chrono::year (to year -29046, selecting nothing),
// and bounds outside 0000-9999 were sent as text that PostgreSQL rejects ("-974-03-15") or
// SQLite compares wrongly ("12026-..."). A bound beyond those years now leaves its side open.
TEST(QueryFuzzRegression, FarWindowBoundsStayInTheYearsTheDatabasesHold) {
    auto model = std::make_shared<const schema::Model>(schema::BuiltinModel());
    FakeClock clock{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z
    MemoryRecord record;
    record.fields["createdAt"] = std::string("2030-01-01T00:00:00.000Z");
    record.fields["birthDate"] = std::string("1000-01-01");
    struct Case {
        const char* text;
        const char* sqlite_params;  // the bound values, space-separated
        const char* postgres_params;
    };
    const Case cases[] = {
        {"createdAt in next 500 years", "2026-03-15T12:00:00.000Z 2526-03-15T12:00:00.000Z",
         "2026-03-15T12:00:00.000Z 2526-03-15T12:00:00.000Z"},
        {"createdAt in next 70000 years", "2026-03-15T12:00:00.000Z", "2026-03-15T12:00:00.000Z"},
        {"createdAt in next 100000 years", "2026-03-15T12:00:00.000Z", "2026-03-15T12:00:00.000Z"},
        {"birthDate in last 1500 years", "0526-03-15 2026-03-15", "0526-03-15 2026-03-15"},
        {"birthDate in last 2026 years", "0000-03-15 2026-03-15", "2026-03-15"},
        {"birthDate in last 3000 years", "2026-03-15", "2026-03-15"},
        {"birthDate in last 100000 years", "2026-03-15", "2026-03-15"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.text);
        auto parsed = Parse(c.text);
        ASSERT_TRUE(parsed.has_value());
        auto checked = Check(*parsed, model, "profile", c.text);
        ASSERT_TRUE(checked.has_value()) << checked.error().message;
        for (auto dialect : {storage::Dialect::kSqlite, storage::Dialect::kPostgres}) {
            storage::Params params(dialect);
            auto sql = EmitSql(*checked, dialect, params, clock);
            ASSERT_TRUE(sql.has_value()) << sql.error().message;
            std::string values;
            for (const auto& v : params.values()) {
                values += (values.empty() ? "" : " ") + std::get<std::string>(v);
            }
            EXPECT_EQ(values,
                      dialect == storage::Dialect::kSqlite ? c.sqlite_params : c.postgres_params)
                << sql->condition;
        }
        auto match = Evaluate(*checked, record, clock);
        ASSERT_TRUE(match.has_value());
        EXPECT_TRUE(*match);
    }
}

}  // namespace
}  // namespace overture::query
