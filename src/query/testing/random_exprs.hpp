#pragma once
// Random data and random expressions over the shop model (tests/query/shop.data): a seeded
// data set with nulls, quotes, non-ASCII text, Feb 29 and month ends, and a generator of
// random expressions as text (many ill-typed; Check() sorts them out). Used by the
// differential test (evaluate_test.cpp) and the normalize property tests (normalize_test.cpp).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "query/printer.hpp"
#include "query/testing/dataset.hpp"

namespace overture::query::testing {

inline const Value N{};

class RandomData {
  public:
    explicit RandomData(std::uint64_t seed) : rng_(seed) {}

    int Pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
    bool Chance(int percent) { return Pick(100) < percent; }
    template <typename T>
    const T& From(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(Pick(static_cast<int>(v.size())))];
    }

    static const std::vector<std::string>& Strings() {
        static const std::vector<std::string> k = {"",
                                                   "Alice",
                                                   "alice",
                                                   "ALICE",
                                                   "\u00c9lodie",
                                                   "\u00e9lodie",
                                                   "Jos\u00e9",
                                                   "JOS\u00c9",
                                                   "O'Neil",
                                                   "  pad  ",
                                                   "x\"y",
                                                   "100%",
                                                   "a_b",
                                                   "back\\slash",
                                                   "Zo\u00eb",
                                                   "\u00df",
                                                   "\u65e5\u672c",
                                                   "M",
                                                   "m",
                                                   "Martin",
                                                   "martin",
                                                   "a",
                                                   "ab",
                                                   "abc",
                                                   "\tTab\n",
                                                   "emoji \U0001F600",
                                                   "Z",
                                                   "b",
                                                   "%",
                                                   "_"};
        return k;
    }
    static const std::vector<std::string>& Emails() {
        static const std::vector<std::string> k = {"",
                                                   "a@Example.com",
                                                   "b@@x.ORG",
                                                   "no-at",
                                                   "c@sub.example.com",
                                                   "e@",
                                                   "@f",
                                                   "d@ex\u00e4mple.de",
                                                   "MiXeD@CaSe.Com",
                                                   "z@example.com",
                                                   "x@y@z.io",
                                                   "alice@example.com"};
        return k;
    }
    static const std::vector<std::string>& Countries() {
        static const std::vector<std::string> k = {"",   "FR", "DE", "de",      "US",
                                                   "fr", "GB", "M",  "\u00c9S", "Z"};
        return k;
    }
    static const std::vector<std::string>& Dates() {
        static const std::vector<std::string> k = {
            "2000-02-29", "2024-02-29", "1988-02-29", "2026-03-15", "2026-03-14", "2026-03-16",
            "2026-02-28", "2025-03-15", "2026-01-31", "1999-12-31", "2008-03-15", "2008-03-16",
            "2026-03-08", "2026-04-15", "2025-02-28", "1970-01-01", "1969-12-31", "2026-03-31"};
        return k;
    }
    static const std::vector<std::string>& DateTimes() {
        static const std::vector<std::string> k = {
            "2026-03-15T12:00:00.000Z", "2026-03-08T12:00:00.000Z", "2026-02-15T12:00:00.000Z",
            "2025-03-15T12:00:00.000Z", "2026-03-15T00:00:00.000Z", "2024-02-29T23:59:59.999Z",
            "2026-03-14T23:59:59.999Z", "2026-03-16T00:00:00.000Z", "2026-01-31T10:00:00.000Z",
            "1970-01-01T00:00:00.000Z", "2026-03-15T11:59:59.999Z", "2026-04-15T12:00:00.000Z"};
        return k;
    }

    std::string RandomDate() {
        if (Chance(40)) return From(Dates());
        std::int64_t day = -25'000 + Pick(46'000);  // 1901 .. 2027
        std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days(day)}};
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
        return buf;
    }
    std::string RandomDateTime() {
        if (Chance(40)) return From(DateTimes());
        std::int64_t ms = 1773576000000 + (static_cast<std::int64_t>(Pick(800)) - 400) * 86400000 +
                          static_cast<std::int64_t>(Pick(86'400'000));
        return FormatRfc3339(FromUnixMillis(ms));
    }

    void Build(int count) {
        for (int i = 1; i <= count; ++i) {
            ProfileRow p;
            p.id = "r" + std::to_string(100 + i);
            p.first = Chance(15) ? N : Value(From(Strings()));
            p.last = Chance(15) ? N : Value(From(Strings()));
            p.email = Chance(15) ? N : Value(From(Emails()));
            p.country = Chance(15) ? N : Value(From(Countries()));
            p.birth = Chance(15) ? N : Value(RandomDate());
            p.block = Chance(30);
            static const std::vector<std::string> kTiers = {"bronze", "silver", "gold"};
            p.tier = Chance(25) ? N : Value(From(kTiers));
            p.score = Chance(20) ? N : Value(static_cast<std::int64_t>(Pick(41) - 20));
            p.created = RandomDateTime();
            p.referrer = i > 1 && Chance(40) ? "r" + std::to_string(100 + 1 + Pick(i - 1)) : "";
            int n = Pick(6);
            for (int k = 0; k < n; ++k) {
                static const std::vector<std::string> kCategories = {"books", "music", "games"};
                static const std::vector<std::string> kSkus = {"B-1",      "b-1",      "M-2", "X",
                                                               "O'Reilly", "\u00c9-1", ""};
                PurchaseRow b;
                b.profile = p.id;
                b.sku = Chance(10) ? N : Value(From(kSkus));
                // Quarters add exactly, so sums do not depend on the order of addition.
                b.amount = Chance(15) ? N : Value(static_cast<double>(Pick(2001) - 200) / 4.0);
                b.quantity = Chance(10) ? N : Value(static_cast<std::int64_t>(Pick(11)));
                b.at = Chance(10) ? N : Value(RandomDateTime());
                b.paid = Chance(20) ? N : Value(Chance(50));
                b.category = Chance(20) ? N : Value(From(kCategories));
                purchases.push_back(std::move(b));
            }
            profiles.push_back(std::move(p));
        }
    }

    std::vector<ProfileRow> profiles;
    std::vector<PurchaseRow> purchases;

  protected:
    std::mt19937_64 rng_;
};

// Random expressions as text over the profile + purchase model; many are ill-typed (an enum
// compared with a value it does not have, ordering on enums), Check() sorts them out.
class ExprGen : public RandomData {
  public:
    using RandomData::RandomData;
    enum class Scope { kProfile, kPurchase };
    static constexpr int kMaxDepth = 4;

    std::string Cond(Scope s, int depth) {
        int choice = Pick(depth >= kMaxDepth ? 8 : 12);
        switch (choice) {
            case 0:
            case 1:
                return Compare(s, depth);
            case 2:
                return In(s, depth);
            case 3:
                return Between(s, depth);
            case 4:
                return Str(s, depth) + (Chance(30) ? " not like " : " like ") + Pattern();
            case 5:
                return Empty(s, depth) + (Chance(40) ? " is not empty" : " is empty");
            case 6:
                return Window(s, depth);
            case 7:
                return BoolOperand(s, depth);
            case 8:
                return Exists(s, depth);
            case 9:
                return "not (" + Cond(s, depth + 1) + ")";
            default: {
                int n = 2 + Pick(2);
                std::string op = Chance(50) ? " and " : " or ";
                std::string out;
                for (int i = 0; i < n; ++i) {
                    out += (i ? op : "") + ("(" + Cond(s, depth + 1) + ")");
                }
                return out;
            }
        }
    }

  private:
    static std::string Q(const std::string& s) { return QuoteString(s); }

    std::string StrLiteral() {
        switch (Pick(5)) {
            case 0:
                return Q(From(Emails()));
            case 1:
                return Q(From(Countries()));
            case 2: {
                static const std::vector<std::string> k = {"bronze",      "silver", "gold",
                                                           "books",       "music",  "games",
                                                           "example.com", "x.org",  "B-1"};
                return Q(From(k));
            }
            default:
                return Q(From(Strings()));
        }
    }
    std::string Pattern() {
        static const std::vector<std::string> k = {
            "%a%",      "_",     "a%",    "%@example.com", "%\\%", "100%", "%_%", "%\u00c9%",
            "%\u00e9%", "j_s%",  "%'%",   "%\"%",          "",     "%",    "__",  "_%_",
            "%LICE",    "alice", "%.com", "%\u65e5_",      "b-%",  "%-1",  "z%",  "%a%b%"};
        return Chance(85) ? Q(From(k)) : Str(Scope::kProfile, kMaxDepth);
    }
    std::string IntLiteral() { return std::to_string(Pick(45) - 22); }
    std::string FloatLiteral() {
        static const std::vector<std::string> k = {"0.5",  "-0.5",   "2.5", "12.25", "100.0",
                                                   "-2.5", "1e2",    "0.0", "49.75", "250.5",
                                                   "3.0",  "-10.25", "1.5"};
        return From(k);
    }
    std::string DateLiteral() { return Q(RandomDate()); }
    std::string DateTimeLiteral() {
        static const std::vector<std::string> k = {"2026-03-15T14:00:00+02:00",
                                                   "2026-03-01T10:00:00Z", "2026-03-15",
                                                   "2025-12-31T23:59:59.999Z"};
        return Q(Chance(30) ? From(k) : RandomDateTime());
    }
    std::string SmallInt() { return std::to_string(Pick(61) - 30); }

    std::string Filter(Scope inner, int depth) {
        return Chance(50) ? "" : " where " + Cond(inner, depth + 1);
    }
    std::string Link(Scope s) {
        if (s == Scope::kPurchase) return "profile.purchases";
        static const std::vector<std::string> k = {"purchases", "purchases", "referrer.purchases"};
        return From(k);
    }

    std::string Str(Scope s, int depth) {
        bool deep = depth < kMaxDepth;
        if (s == Scope::kPurchase) {
            switch (Pick(deep ? 6 : 4)) {
                case 0:
                    return "sku";
                case 1:
                    return "profile.country";
                case 2:
                    return "profile.firstName";
                case 3:
                    return "profile.email";
                case 4:
                    return "lower(" + Str(s, depth + 1) + ")";
                default:
                    return "trim(" + Str(s, depth + 1) + ")";
            }
        }
        static const std::vector<std::string> fields = {
            "firstName", "lastName", "email", "country", "referrer.firstName", "referrer.country"};
        switch (Pick(deep ? 12 : 2)) {
            case 0:
            case 1:
                return From(fields);
            case 2:
                return "lower(" + Str(s, depth + 1) + ")";
            case 3:
                return "upper(" + Str(s, depth + 1) + ")";
            case 4:
                return "trim(" + Str(s, depth + 1) + ")";
            case 5:
                return "emailDomain(" + Str(s, depth + 1) + ")";
            case 6:
                return "coalesce(" + Str(s, depth + 1) + ", " + StrLiteral() + ")";
            case 7:
                return "coalesce(firstName, lastName, email)";
            case 8:
                return std::string(Chance(50) ? "min" : "max") + "(" + Link(s) + ".sku" +
                       Filter(Scope::kPurchase, depth) + ")";
            case 9:
                return "lower(loyaltyTier)";
            default:
                return From(fields);
        }
    }
    // Strings, and enums for = != in and is empty.
    std::string StrOrEnum(Scope s, int depth) {
        if (Chance(25)) return s == Scope::kPurchase ? "category" : "loyaltyTier";
        return Str(s, depth);
    }

    std::string Int(Scope s, int depth) {
        bool deep = depth < kMaxDepth;
        if (s == Scope::kPurchase) {
            switch (Pick(deep ? 5 : 2)) {
                case 0:
                    return "quantity";
                case 1:
                    return "profile.score";
                case 2:
                    return "length(" + Str(s, depth + 1) + ")";
                case 3:
                    return "day(" + DateTime(s, depth + 1) + ")";
                default:
                    return "count(profile.purchases" + Filter(s, depth) + ")";
            }
        }
        switch (Pick(deep ? 16 : 2)) {
            case 0:
                return "score";
            case 1:
                return "referrer.score";
            case 2:
                return "length(" + Str(s, depth + 1) + ")";
            case 3:
                return "year(" + DateOrDateTime(s, depth + 1) + ")";
            case 4:
                return "month(" + DateOrDateTime(s, depth + 1) + ")";
            case 5:
                return "day(" + DateOrDateTime(s, depth + 1) + ")";
            case 6:
                return "weekday(" + DateOrDateTime(s, depth + 1) + ")";
            case 7:
                return "age(" + DateOrDateTime(s, depth + 1) + ")";
            case 8:
                return "daysSince(" + DateOrDateTime(s, depth + 1) + ")";
            case 9:
                return "abs(score)";
            case 10:
                return "round(" + Int(s, depth + 1) + ")";
            case 11:
                return "count(" + Link(s) + Filter(Scope::kPurchase, depth) + ")";
            case 12:
                return "sum(" + Link(s) + ".quantity" + Filter(Scope::kPurchase, depth) + ")";
            case 13:
                return std::string(Chance(50) ? "min" : "max") + "(" + Link(s) + ".quantity)";
            case 14:
                return "coalesce(score, " + IntLiteral() + ")";
            default:
                return "count(referrals" + Filter(Scope::kProfile, depth) + ")";
        }
    }

    std::string Float(Scope s, int depth) {
        bool deep = depth < kMaxDepth;
        if (s == Scope::kPurchase && Chance(60)) {
            return Chance(70) ? "amount" : "coalesce(amount, " + FloatLiteral() + ")";
        }
        std::string link = s == Scope::kPurchase ? "profile.purchases" : Link(s);
        switch (Pick(deep ? 9 : 3)) {
            case 0:
                return "sum(" + link + ".amount" + Filter(Scope::kPurchase, depth) + ")";
            case 1:
                return "avg(" + link + ".amount" + Filter(Scope::kPurchase, depth) + ")";
            case 2:
                return "avg(" + link + ".quantity)";
            case 3:
                return std::string(Chance(50) ? "min" : "max") + "(" + link + ".amount" +
                       Filter(Scope::kPurchase, depth) + ")";
            case 4:
                return "round(" + Float(s, depth + 1) + ")";
            case 5:
                return "floor(" + Float(s, depth + 1) + ")";
            case 6:
                return "ceil(" + Float(s, depth + 1) + ")";
            case 7:
                return "abs(" + Float(s, depth + 1) + ")";
            default:
                return "coalesce(" + Float(s, depth + 1) + ", " + Int(s, depth + 1) + ")";
        }
    }
    std::string Number(Scope s, int depth) { return Chance(50) ? Int(s, depth) : Float(s, depth); }
    std::string NumberLiteral() { return Chance(50) ? IntLiteral() : FloatLiteral(); }

    std::string Date(Scope s, int depth) {
        bool deep = depth < kMaxDepth;
        std::string field = s == Scope::kPurchase ? "profile.birthDate" : "birthDate";
        switch (Pick(deep ? 7 : 2)) {
            case 0:
                return field;
            case 1:
                return s == Scope::kPurchase ? field : "referrer.birthDate";
            case 2:
                return "today()";
            case 3:
                return "addDays(" + Date(s, depth + 1) + ", " + SmallInt() + ")";
            case 4:
                return "addMonths(" + Date(s, depth + 1) + ", " + SmallInt() + ")";
            case 5:
                return "coalesce(" + field + ", " + DateLiteral() + ")";
            default:
                return field;
        }
    }
    std::string DateTime(Scope s, int depth) {
        bool deep = depth < kMaxDepth;
        if (s == Scope::kPurchase) {
            switch (Pick(deep ? 4 : 2)) {
                case 0:
                    return "purchasedAt";
                case 1:
                    return "profile.createdAt";
                case 2:
                    return "addMonths(purchasedAt, " + SmallInt() + ")";
                default:
                    return "addDays(purchasedAt, " + SmallInt() + ")";
            }
        }
        switch (Pick(deep ? 9 : 2)) {
            case 0:
                return "createdAt";
            case 1:
                return "referrer.createdAt";
            case 2:
                return "now()";
            case 3:
                return "daysAgo(" + SmallInt() + ")";
            case 4:
                return "addDays(" + DateTime(s, depth + 1) + ", " + SmallInt() + ")";
            case 5:
                return "addMonths(" + DateTime(s, depth + 1) + ", " + SmallInt() + ")";
            case 6:
                return std::string(Chance(50) ? "min" : "max") + "(" + Link(s) + ".purchasedAt" +
                       Filter(Scope::kPurchase, depth) + ")";
            case 7:
                return "coalesce(birthDate, createdAt)";
            default:
                return "createdAt";
        }
    }
    std::string DateOrDateTime(Scope s, int depth) {
        return Chance(50) ? Date(s, depth) : DateTime(s, depth);
    }

    std::string BoolOperand(Scope s, int depth) {
        switch (Pick(depth < kMaxDepth ? 5 : 1)) {
            case 0:
                return s == Scope::kPurchase ? "paid" : "blockEmail";
            case 1:
                return "contains(" + Str(s, depth + 1) + ", " + StrLiteral() + ")";
            case 2:
                return "startsWith(" + Str(s, depth + 1) + ", " + StrLiteral() + ")";
            case 3:
                return "endsWith(" + Str(s, depth + 1) + ", " + StrLiteral() + ")";
            default:
                return s == Scope::kPurchase ? "profile.blockEmail" : "referrer.blockEmail";
        }
    }

    // A subject and a literal (or another operand) of a compatible type.
    int Kind(bool ordered) { return Pick(ordered ? 6 : 7); }
    std::pair<std::string, std::string> Typed(Scope s, int depth, int kind) {
        bool operand = Chance(30);
        switch (kind) {
            case 0:
                return {StrOrEnum(s, depth), operand ? Str(s, depth) : StrLiteral()};
            case 1:
                return {Int(s, depth), operand ? Number(s, depth) : NumberLiteral()};
            case 2:
                return {Float(s, depth), operand ? Number(s, depth) : NumberLiteral()};
            case 3:
                return {Date(s, depth), operand ? DateOrDateTime(s, depth) : DateLiteral()};
            case 4:
                return {DateTime(s, depth), operand ? DateOrDateTime(s, depth) : DateTimeLiteral()};
            case 5:
                return {Str(s, depth), operand ? Str(s, depth) : StrLiteral()};
            default:
                return {BoolOperand(s, depth), Chance(50) ? (Chance(50) ? "true" : "false")
                                                          : "(" + Cond(s, depth + 1) + ")"};
        }
    }
    std::string Compare(Scope s, int depth) {
        static const std::vector<std::string> ops = {"=", "!=", "<", "<=", ">", ">="};
        const std::string& op = From(ops);
        auto [l, r] = Typed(s, depth, Kind(op != "=" && op != "!="));
        return l + " " + op + " " + r;
    }
    std::string In(Scope s, int depth) {
        int n = 1 + Pick(4);
        int kind = Kind(false);
        std::string subject, list;
        for (int i = 0; i < n; ++i) {
            auto t = Typed(s, depth, kind);
            if (i == 0) subject = t.first;
            list += (i ? ", " : "") + t.second;
        }
        return subject + (Chance(30) ? " not in (" : " in (") + list + ")";
    }
    std::string Between(Scope s, int depth) {
        int kind = Kind(true);
        auto t = Typed(s, depth, kind);
        auto u = Typed(s, depth, kind);
        return t.first + (Chance(30) ? " not between " : " between ") + t.second + " and " +
               (Chance(70) ? u.second : t.second);
    }
    std::string Empty(Scope s, int depth) {
        switch (Pick(6)) {
            case 0:
                return StrOrEnum(s, depth);
            case 1:
                return Int(s, depth);
            case 2:
                return Float(s, depth);
            case 3:
                return Date(s, depth);
            case 4:
                return DateTime(s, depth);
            default:
                return BoolOperand(s, depth);
        }
    }
    std::string Window(Scope s, int depth) {
        static const std::vector<std::string> units = {"day", "days", "weeks", "months", "years"};
        int n = 1 + (Chance(70) ? Pick(14) : Pick(40));
        return DateOrDateTime(s, depth) + (Chance(50) ? " in last " : " in next ") +
               std::to_string(n) + " " + From(units);
    }
    std::string Exists(Scope s, int depth) {
        if (s == Scope::kPurchase) {
            return "exists profile.purchases" +
                   (Chance(50) ? "" : " where (" + Cond(s, depth + 1) + ")");
        }
        switch (Pick(3)) {
            case 0:
                return "exists referrals" +
                       (Chance(50) ? "" : " where (" + Cond(Scope::kProfile, depth + 1) + ")");
            default:
                return "exists " + Link(s) +
                       (Chance(30) ? "" : " where (" + Cond(Scope::kPurchase, depth + 1) + ")");
        }
    }
};

}  // namespace overture::query::testing
