// The session wizard driven by scripted stanced messages (app/core session_wizard.hpp): the
// commands it sends, its states, redo / fall / device lost / stanced going away.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/session_wizard.hpp"

using namespace stance;
using app::AttemptOutcome;
using app::SessionWizard;
using app::WizardState;
using json = nlohmann::json;

namespace {

const char* kHello =
    R"({"event":"hello","protocol":1,"server":"stanced","version":"0.1.0","t":12.5,
        "devices":[{"index":0,"name":"plate","connected":true,"kind":"force_plate",
                    "channels":["fx","fy","fz","mx","my","mz","cop_x","cop_y"],"tared":false},
                   {"index":1,"name":"trunk","connected":true,"kind":"imu"}],"trial":null})";

SessionWizard makeWizard(app::WizardOptions o = {}) {
    app::WizardSetup setup;
    setup.subject.id = "sub-01";
    setup.subject.sex = "F";
    setup.subject.height_m = 1.7;
    setup.session.id = "S-2024-05-06";
    setup.session.operator_id = "op-3";
    setup.session.site = "lab";
    return SessionWizard(*analysis::findProtocol("romberg"), setup, o);
}

std::vector<json> take(SessionWizard& w) {
    std::vector<json> out;
    for (const auto& t : w.takeCommands())
        out.push_back(json::parse(t));
    return out;
}

std::string reply(const json& cmd, bool ok = true, const std::string& extra = "") {
    std::string s = R"({"reply":")" + cmd["cmd"].get<std::string>() + R"(","id":)" +
                    std::to_string(cmd["id"].get<long long>()) + R"(,"ok":)" +
                    (ok ? "true" : "false");
    if (!extra.empty())
        s += "," + extra;
    return s + "}";
}

std::string trialDone(const std::string& name, const std::string& status) {
    return R"({"event":"trial_done","trial":{"session":"S-2024-05-06","name":")" + name +
           R"("},"status":")" + status +
           R"(","file":"/data/S.h5","group":"/subjects/sub-01/sessions/x/trials/)" + name +
           R"(","samples":{"plate":3000},"gaps":0})";
}

// Connect, greet, tare: returns the wizard in kReady with the tare done.
void connectAndTare(SessionWizard& w) {
    w.onConnected(0.0);
    CHECK(w.state() == WizardState::kConnecting);
    w.onMessage(kHello, 0.1);
    CHECK(w.state() == WizardState::kReady);
    auto cmds = take(w);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0]["cmd"] == "subscribe");
    CHECK(cmds[0]["format"] == "binary");
    CHECK(w.balanceDevice() == "plate");
    CHECK_FALSE(w.canStart());  // not tared yet
    CHECK_FALSE(w.start(0.2));
    CHECK(w.lastError() == "tare the plate first, with nobody on it");
    REQUIRE(w.tare());
    cmds = take(w);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0]["cmd"] == "tare");
    CHECK(cmds[0]["device"] == "plate");
    CHECK(w.state() == WizardState::kTaring);
    w.onMessage(reply(cmds[0], true, R"("offsets":[0,0,1])"), 1.5);
    CHECK(w.state() == WizardState::kReady);
    CHECK(w.tared());
    CHECK(w.canStart());
}

// Runs the current trial to completion.
void runTrial(SessionWizard& w, double now, const std::string& name) {
    REQUIRE(w.start(now));
    CHECK(w.state() == WizardState::kCountdown);
    CHECK(w.countdownRemainingS(now + 1.0) == Approx(2.0));
    w.advance(now + 1.0);
    CHECK(take(w).empty());
    w.advance(now + 3.0);
    CHECK(w.state() == WizardState::kStarting);
    auto cmds = take(w);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0]["cmd"] == "start_trial");
    w.onMessage(reply(cmds[0], true,
                      R"("trial":{"session":"S-2024-05-06","name":")" + name +
                          R"(","condition":"eo_firm","duration_s":30,"t0":20})"),
                now + 3.1);
    CHECK(w.state() == WizardState::kRecording);
    w.onMessage(R"({"event":"trial_progress","trial":{"name":")" + name +
                    R"("},"elapsed_s":15.0,"remaining_s":15.0})",
                now + 18.0);
    CHECK(w.trialProgress() == Approx(0.5));
    w.onMessage(trialDone(name, "complete"), now + 33.1);
}

}  // namespace

TEST_CASE("wizard: a Romberg session from tare to finish, with the commands it sends",
          "[appcore]") {
    SessionWizard w = makeWizard();
    CHECK(w.state() == WizardState::kDisconnected);
    CHECK(w.statusText(0.0) == "stanced is not reachable: retrying");
    CHECK(w.schedule().size() == 2);
    connectAndTare(w);
    CHECK(w.statusText(2.0) == "Ready for Eyes open #1 (trial 1 of 2)");
    CHECK(w.instruction().find("Keep your eyes open") != std::string::npos);

    REQUIRE(w.start(10.0));
    w.advance(13.0);
    const auto cmds = take(w);
    REQUIRE(cmds.size() == 1);
    const json& st = cmds[0];
    CHECK(st["condition"] == "eo_firm");
    CHECK(st["duration_s"] == 30.0);
    CHECK(st["repetition"] == 1);
    CHECK(st["subject"]["id"] == "sub-01");
    CHECK(st["subject"]["sex"] == "F");
    CHECK_FALSE(st["subject"].contains("name"));
    CHECK(st["session"]["id"] == "S-2024-05-06");
    CHECK(st["session"]["protocol"] == "romberg");
    CHECK(st["session"]["protocol_version"] == "1");
    w.onMessage(reply(st, true, R"("trial":{"session":"S-2024-05-06","name":"001"})"), 13.1);
    CHECK(w.state() == WizardState::kRecording);
    w.onMessage(R"({"event":"trial_progress","elapsed_s":12.2,"remaining_s":17.8})", 25.0);
    CHECK(w.statusText(25.0) == "Recording Eyes open #1: 12 s of 30 s");
    w.onMessage(trialDone("001", "complete"), 43.2);
    // The Romberg protocol rests 15 s after the first trial.
    CHECK(w.state() == WizardState::kRest);
    CHECK(w.restRemainingS(50.2) == Approx(8.0));
    CHECK(w.sessionProgress() == Approx(0.5));
    w.advance(58.3);
    CHECK(w.state() == WizardState::kReady);
    CHECK(w.currentTrial()->condition == "ec_firm");

    runTrial(w, 60.0, "002");
    CHECK(w.state() == WizardState::kFinished);
    CHECK(w.statusText(100.0) == "Session complete: 2 of 2 trials recorded");
    REQUIRE(w.attempts().size() == 2);
    CHECK(w.attempts()[0].file == "/data/S.h5");
    CHECK(w.attempts()[1].group == "/subjects/sub-01/sessions/x/trials/002");
    CHECK(w.attempts()[1].kept);
    CHECK_FALSE(w.start(200.0));
}

TEST_CASE("wizard: a fall is marked, stopped, and kept or redone", "[appcore]") {
    SessionWizard w = makeWizard();
    connectAndTare(w);
    REQUIRE(w.start(0.0));
    w.advance(3.0);
    auto cmds = take(w);
    w.onMessage(reply(cmds[0], true, R"("trial":{"name":"001"})"), 3.1);
    w.onMessage(R"({"event":"trial_progress","elapsed_s":7.4})", 10.5);
    REQUIRE(w.markFall());
    cmds = take(w);
    REQUIRE(cmds.size() == 2);
    CHECK(cmds[0]["cmd"] == "mark_event");
    CHECK(cmds[0]["label"] == "fall");
    CHECK(cmds[1]["cmd"] == "stop_trial");
    CHECK(cmds[1]["status"] == "fall");
    CHECK(w.state() == WizardState::kStopping);
    w.onMessage(reply(cmds[1], true), 10.6);
    w.onMessage(trialDone("001", "fall"), 10.7);
    CHECK(w.state() == WizardState::kReview);
    CHECK(w.reviewMessage() == "fall during Eyes open #1 at 7 s");
    CHECK(w.statusText(11.0) ==
          "fall during Eyes open #1 at 7 s: redo the trial, or keep the fall as its result");
    REQUIRE(w.attempts().size() == 1);
    CHECK(w.attempts()[0].outcome == AttemptOutcome::kFall);
    CHECK_FALSE(w.attempts()[0].kept);
    // Keep it: the fall stands for the trial, no rest after a fall.
    REQUIRE(w.accept());
    CHECK(w.attempts()[0].kept);
    CHECK(w.state() == WizardState::kReady);
    CHECK(w.currentStep() == 1);
}

TEST_CASE("wizard: a device lost mid-trial stops it, marks it and asks for a redo", "[appcore]") {
    SessionWizard w = makeWizard();
    connectAndTare(w);
    REQUIRE(w.start(0.0));
    w.advance(3.0);
    auto cmds = take(w);
    w.onMessage(reply(cmds[0], true, R"("trial":{"name":"001"})"), 3.1);
    w.onMessage(R"({"event":"device_lost","device":"plate","reason":"no bytes for 1 s"})", 9.0);
    cmds = take(w);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0]["cmd"] == "stop_trial");
    CHECK(cmds[0]["status"] == "aborted");
    CHECK(w.state() == WizardState::kStopping);
    w.onMessage(trialDone("001", "aborted"), 9.2);
    CHECK(w.state() == WizardState::kReview);
    CHECK(w.reviewMessage() == "plate lost during Eyes open #1 (no bytes for 1 s)");
    CHECK(w.statusText(9.3) == "plate lost during Eyes open #1 (no bytes for 1 s): redo the trial");
    CHECK(w.attempts().back().outcome == AttemptOutcome::kDeviceLost);
    CHECK_FALSE(w.accept());  // only falls can stand
    REQUIRE(w.redo());
    CHECK(w.state() == WizardState::kReady);
    CHECK_FALSE(w.canStart());  // the plate is still gone
    CHECK(w.statusText(9.4).rfind("No force plate", 0) == 0);
    w.onMessage(R"({"event":"device_connected","device":"plate","reason":"reopened"})", 12.0);
    cmds = take(w);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0]["cmd"] == "list_devices");
    CHECK(w.canStart());
    runTrial(w, 20.0, "002");
    CHECK(w.state() == WizardState::kRest);
    // Same step, one failed and one kept attempt.
    REQUIRE(w.attempts().size() == 2);
    CHECK(w.attempts()[1].step == 0);
    CHECK(w.attempts()[1].kept);
}

TEST_CASE("wizard: stanced going away mid-trial, reconnecting, malformed messages", "[appcore]") {
    SessionWizard w = makeWizard();
    connectAndTare(w);
    REQUIRE(w.start(0.0));
    w.advance(3.0);
    auto cmds = take(w);
    w.onMessage(reply(cmds[0], true, R"("trial":{"session":"S-2024-05-06","name":"001"})"), 3.1);
    w.onDisconnected(5.0, "remote host closed the connection");
    CHECK(w.state() == WizardState::kDisconnected);
    CHECK(w.statusText(5.0) ==
          "stanced is not reachable (remote host closed the connection): retrying");
    CHECK(w.attempts().back().outcome == AttemptOutcome::kConnectionLost);
    CHECK_FALSE(w.canStart());

    // Back, with our trial still listed as running: it is stopped, the operator reviews.
    w.onConnected(8.0);
    std::string hello = kHello;
    hello.replace(hello.find(R"("trial":null)"), 12,
                  R"("trial":{"session":"S-2024-05-06","name":"001"})");
    w.onMessage(hello, 8.1);
    cmds = take(w);
    REQUIRE(cmds.size() == 2);
    CHECK(cmds[0]["cmd"] == "subscribe");
    CHECK(cmds[1]["cmd"] == "stop_trial");
    CHECK(w.state() == WizardState::kReview);
    CHECK(w.reviewMessage().find("stanced went away during Eyes open #1") == 0);
    REQUIRE(w.skip());
    CHECK(w.currentStep() == 1);

    w.onMessage("{not json", 9.0);
    w.onMessage(R"({"hello":1})", 9.1);
    CHECK(w.malformedMessages() == 2);
    CHECK(w.lastError() == "stanced sent a malformed message: neither a reply nor an event");
    CHECK(w.state() == WizardState::kReady);

    // A refused start returns to ready with the reason, nothing recorded.
    REQUIRE(w.start(10.0));
    w.advance(13.0);
    cmds = take(w);
    w.onMessage(reply(cmds[0], false, R"("error":"another trial is running")"), 13.1);
    CHECK(w.state() == WizardState::kReady);
    CHECK(w.lastError() == "stanced did not start the trial: another trial is running");
    CHECK(w.attempts().size() == 1);

    // Abort while recording: stop sent, session over.
    REQUIRE(w.start(20.0));
    w.advance(23.0);
    cmds = take(w);
    w.onMessage(reply(cmds[0], true, R"("trial":{"name":"002"})"), 23.1);
    w.abortSession();
    cmds = take(w);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0]["status"] == "aborted");
    CHECK(w.state() == WizardState::kAborted);
    w.onMessage(trialDone("002", "aborted"), 24.0);
    CHECK(w.state() == WizardState::kAborted);
    CHECK(w.attempts().back().outcome == AttemptOutcome::kAborted);
}

TEST_CASE("wizard: protocol mismatch and refused tare are reported", "[appcore]") {
    SessionWizard w = makeWizard();
    w.onConnected(0.0);
    w.onMessage(R"({"event":"hello","protocol":2,"devices":[]})", 0.1);
    CHECK(w.state() == WizardState::kConnecting);
    CHECK(w.lastError().find("stanced speaks protocol 2") == 0);
    w.onMessage(kHello, 0.2);
    take(w);
    REQUIRE(w.tare());
    auto cmds = take(w);
    w.onMessage(reply(cmds[0], false, R"("error":"the plate carries 650 N: step off to tare")"),
                1.0);
    CHECK(w.state() == WizardState::kReady);
    CHECK_FALSE(w.tared());
    CHECK(w.lastError() == "tare refused: the plate carries 650 N: step off to tare");
}

TEST_CASE("wizard session stored in the catalog with its kept trials", "[appcore]") {
    const test::ScratchDir dir("wizard_store");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    SessionWizard w = makeWizard();
    CHECK_THROWS_AS(app::storeWizardSession(*c, pid, w, test::day(2024, 5, 6)), app::AppError);

    // Record the two Romberg trials for real (synthetic COP) where stanced would have.
    datasets::BundleWriter bw(dir.path / "S.h5");
    datasets::SubjectInfo subj;
    subj.id = "sub-01";
    bw.addSubject(subj);
    bw.addSession("sub-01", {"2024-05-06T10:00:00Z", "", "", "romberg", "1", {}});
    std::vector<std::string> groups;
    for (const char* cond : {"eo_firm", "ec_firm"}) {
        datasets::TrialData t;
        t.info.condition = cond;
        datasets::ForcePlateSignals fp;
        fp.cop_m = test::syntheticCop(test::syntheticAmplitude(cond), 30.0);
        fp.time_s = Eigen::VectorXd::LinSpaced(3000, 0.0, 29.99);
        t.forceplate = fp;
        groups.push_back(bw.addTrial("sub-01", "2024-05-06T10:00:00Z", t).path());
    }
    bw.commit();
    connectAndTare(w);
    for (int k = 0; k < 2; ++k) {
        REQUIRE(w.start(100.0 * k));
        w.advance(100.0 * k + 3.0);
        auto cmds = take(w);
        w.onMessage(reply(cmds[0], true), 100.0 * k + 3.1);
        std::string done = R"({"event":"trial_done","status":"complete","file":")" +
                           (dir.path / "S.h5").string() + R"(","group":")" + groups[k] + R"("})";
        w.onMessage(done, 100.0 * k + 34.0);
        w.skipRest();
    }
    REQUIRE(w.state() == WizardState::kFinished);
    const auto sid = app::storeWizardSession(*c, pid, w, test::day(2024, 5, 6));
    const auto trials = c->trials(sid);
    REQUIRE(trials.size() == 2);
    CHECK(trials[0].condition == "ec_firm");
    CHECK(trials[1].data_group == groups[0]);
    CHECK(c->session(sid)->operator_name == "op-3");
    bool quotient = false;
    for (const auto& v : c->sessionSummary(sid))
        quotient = quotient || v.name == "romberg.quotient_velocity";
    CHECK(quotient);
}
