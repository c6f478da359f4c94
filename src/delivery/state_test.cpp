// The lifecycle table of delivery/state.hpp: every (state, action) pair against the table of
// docs/deliveries.md, the names both ways, and the buttons the UI shows.
#include "delivery/state.hpp"

#include <gtest/gtest.h>

#include <map>
#include <utility>

namespace overture::delivery {
namespace {

using enum State;

const std::vector<State> kAllStates = {kDraft,  kPreparing, kReady,    kScheduled, kSending,
                                       kPaused, kStopped,   kFinished, kFailed};
const std::vector<Action> kAllActions = {
    Action::kEdit,  Action::kPrepare, Action::kPrepared, Action::kPrepareFailed, Action::kConfirm,
    Action::kStart, Action::kPause,   Action::kResume,   Action::kStop,          Action::kFinish,
    Action::kFail,  Action::kDelete,  Action::kProof};

TEST(DeliveryState, NamesRoundTrip) {
    for (State s : kAllStates) {
        auto name = StateName(s);
        EXPECT_NE(name, "unknown");
        EXPECT_EQ(ParseState(name), s) << name;
    }
    EXPECT_FALSE(ParseState("confirmed"));
    EXPECT_FALSE(ParseState(""));
    EXPECT_FALSE(ParseState("Draft")) << "names are lower case";
    for (Action a : kAllActions) EXPECT_NE(ActionName(a), "unknown");
    EXPECT_EQ(ActionName(Action::kPrepareFailed), "prepare_failed");
}

TEST(DeliveryState, TheWholeTable) {
    // Every allowed (from, action) -> to; everything else is refused.
    const std::map<std::pair<State, Action>, State> allowed = {
        {{kDraft, Action::kEdit}, kDraft},          {{kReady, Action::kEdit}, kDraft},
        {{kDraft, Action::kPrepare}, kPreparing},   {{kReady, Action::kPrepare}, kPreparing},
        {{kPreparing, Action::kPrepared}, kReady},  {{kPreparing, Action::kPrepareFailed}, kDraft},
        {{kReady, Action::kConfirm}, kScheduled},   {{kScheduled, Action::kStart}, kSending},
        {{kSending, Action::kPause}, kPaused},      {{kScheduled, Action::kPause}, kPaused},
        {{kPaused, Action::kResume}, kSending},     {{kFailed, Action::kResume}, kSending},
        {{kScheduled, Action::kStop}, kStopped},    {{kSending, Action::kStop}, kStopped},
        {{kPaused, Action::kStop}, kStopped},       {{kFailed, Action::kStop}, kStopped},
        {{kSending, Action::kFinish}, kFinished},   {{kSending, Action::kFail}, kFailed},
        {{kPreparing, Action::kFail}, kFailed},     {{kDraft, Action::kDelete}, kDraft},
        {{kReady, Action::kDelete}, kReady},        {{kStopped, Action::kDelete}, kStopped},
        {{kFinished, Action::kDelete}, kFinished},  {{kFailed, Action::kDelete}, kFailed},
        {{kDraft, Action::kProof}, kDraft},         {{kReady, Action::kProof}, kReady},
        {{kScheduled, Action::kProof}, kScheduled},
    };
    for (State s : kAllStates) {
        for (Action a : kAllActions) {
            auto it = allowed.find({s, a});
            auto next = Next(s, a);
            if (it == allowed.end()) {
                EXPECT_FALSE(next)
                    << ActionName(a) << " from " << StateName(s) << " gives " << StateName(*next);
            } else {
                ASSERT_TRUE(next) << ActionName(a) << " from " << StateName(s) << " is refused";
                EXPECT_EQ(*next, it->second) << ActionName(a) << " from " << StateName(s);
            }
        }
    }
}

TEST(DeliveryState, NothingLeavesAFinishedOrStoppedDeliveryButDelete) {
    for (State s : {kStopped, kFinished}) {
        for (Action a : kAllActions) {
            if (a == Action::kDelete) continue;
            EXPECT_FALSE(Next(s, a)) << ActionName(a) << " from " << StateName(s);
        }
    }
}

TEST(DeliveryState, UserActionsAreTheButtons) {
    using A = std::vector<Action>;
    EXPECT_EQ(UserActions(kDraft),
              (A{Action::kEdit, Action::kPrepare, Action::kDelete, Action::kProof}));
    EXPECT_EQ(UserActions(kPreparing), A{});
    EXPECT_EQ(UserActions(kReady), (A{Action::kEdit, Action::kPrepare, Action::kConfirm,
                                      Action::kDelete, Action::kProof}));
    EXPECT_EQ(UserActions(kScheduled), (A{Action::kPause, Action::kStop, Action::kProof}));
    EXPECT_EQ(UserActions(kSending), (A{Action::kPause, Action::kStop}));
    EXPECT_EQ(UserActions(kPaused), (A{Action::kResume, Action::kStop}));
    EXPECT_EQ(UserActions(kStopped), A{Action::kDelete});
    EXPECT_EQ(UserActions(kFinished), A{Action::kDelete});
    EXPECT_EQ(UserActions(kFailed), (A{Action::kResume, Action::kStop, Action::kDelete}));
    for (State s : kAllStates) {
        for (Action a : UserActions(s)) {
            EXPECT_NE(a, Action::kPrepared);
            EXPECT_NE(a, Action::kStart);
            EXPECT_NE(a, Action::kFinish);
        }
    }
}

TEST(DeliveryState, InFlightStates) {
    for (State s : kAllStates) {
        const bool want = s == kScheduled || s == kSending || s == kPaused;
        EXPECT_EQ(IsInFlight(s), want) << StateName(s);
    }
}

}  // namespace
}  // namespace overture::delivery
