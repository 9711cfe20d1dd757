// Patient list, patient page and the new / edit form (app/core patients.hpp).

#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/patients.hpp"
#include "stance/app/questionnaire_form.hpp"

using namespace stance;
using app::PatientForm;

namespace {

const std::chrono::year_month_day kToday{std::chrono::year(2024), std::chrono::month(6),
                                         std::chrono::day(1)};

PatientForm goodForm() {
    PatientForm f;
    f.subject_code = "MRN-100";
    f.given_name = "Grace";
    f.family_name = "Hopper";
    f.birth_date = "1952-12-09";
    f.sex = "female";
    f.height_m = "1.68";
    f.mass_kg = "61,5";
    return f;
}

}  // namespace

TEST_CASE("patient search matches code, names in either order and birth date", "[appcore]") {
    const test::ScratchDir dir("patients");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    datasets::Patient a = test::testPatient("MRN-7");
    datasets::Patient b = test::testPatient("MRN-12");
    b.given_name = "Alan";
    b.family_name = "Turing";
    b.birth_date = std::chrono::year_month_day(std::chrono::year(1912), std::chrono::month(6),
                                               std::chrono::day(23));
    datasets::Patient z = test::testPatient("ZZ-1");
    z.given_name = "Zoe";
    z.family_name = "Abbott";
    c->addPatient(a);
    c->addPatient(b);
    const auto zid = c->addPatient(z);
    c->addSession({0, zid, test::day(2024, 3, 4), "", "", "mctsib", "1", "", {}, "", false});

    // Everyone, ordered by family name.
    const auto all = app::searchPatients(*c, "  ");
    REQUIRE(all.size() == 3);
    CHECK(all[0].name == "Abbott, Zoe");
    CHECK(all[1].name == "Lovelace, Ada");
    CHECK(all[2].name == "Turing, Alan");
    CHECK(all[0].session_count == 1);
    CHECK(all[0].last_session_date == "2024-03-04");
    CHECK(all[1].session_count == 0);
    CHECK(all[2].birth_date == "1912-06-23");
    CHECK(all[2].sex == "female");

    CHECK(app::searchPatients(*c, "turing").size() == 1);
    CHECK(app::searchPatients(*c, "ALAN TUR").size() == 1);     // given then family
    CHECK(app::searchPatients(*c, "turing alan").size() == 1);  // family then given
    CHECK(app::searchPatients(*c, "mrn-").size() == 2);         // code substring
    CHECK(app::searchPatients(*c, "1912-06").front().subject_code == "MRN-12");
    CHECK(app::searchPatients(*c, "lovelace turing").empty());  // every word must match
    CHECK(app::searchPatients(*c, "nobody").empty());

    app::PatientListModel m;
    m.reload(*c);
    CHECK(m.totalCount() == 3);
    m.setQuery("a");
    CHECK(m.rows().size() == 3);
    m.setQuery("ada");
    REQUIRE(m.rows().size() == 1);
    CHECK(m.rows()[0].subject_code == "MRN-7");
    // A reload keeps the query.
    c->addPatient(test::testPatient("MRN-8"));
    m.reload(*c);
    CHECK(m.totalCount() == 4);
    CHECK(m.rows().size() == 2);
}

TEST_CASE("patient form names every bad field and the value", "[appcore]") {
    CHECK(app::validatePatientForm(goodForm(), kToday).ok());
    const auto v0 = app::validatePatientForm(goodForm(), kToday);
    REQUIRE(v0.patient);
    CHECK(v0.patient->mass_kg == Approx(61.5));  // decimal comma accepted
    CHECK(v0.patient->sex == datasets::Sex::kFemale);

    PatientForm f = goodForm();
    f.birth_date = "2024-13-01";
    f.sex = "maybe";
    f.height_m = "185";
    f.mass_kg = "8";
    f.email = "not-an-address";
    const auto v = app::validatePatientForm(f, kToday);
    CHECK_FALSE(v.ok());
    CHECK_FALSE(v.patient);
    REQUIRE(v.errors.size() == 5);
    REQUIRE(v.error("birth_date") != nullptr);
    CHECK(v.error("birth_date")->message == "birth_date: '2024-13-01' is not a date (YYYY-MM-DD)");
    CHECK(v.error("sex")->message == "sex: 'maybe' is not female, male or other");
    CHECK(v.error("height_m")->message ==
          "height_m: '185' is not between 0.5 and 2.5 m (in metres: 1.85?)");
    CHECK(v.error("mass_kg")->message == "mass_kg: '8' is not between 10 and 300 kg");
    CHECK(v.error("email") != nullptr);
    CHECK(v.error("subject_code") == nullptr);

    PatientForm g = goodForm();
    g.birth_date = "2025-01-01";
    CHECK(app::validatePatientForm(g, kToday).error("birth_date")->message ==
          "birth_date: '2025-01-01' is in the future");
    g.birth_date = "1890-01-01";
    CHECK(app::validatePatientForm(g, kToday).error("birth_date") != nullptr);
    g = goodForm();
    g.subject_code = " ";
    g.sex = "";
    g.height_m = "";
    g.mass_kg = "heavy";
    const auto w = app::validatePatientForm(g, kToday);
    CHECK(w.error("subject_code")->message.find("required") != std::string::npos);
    CHECK(w.error("sex")->message.find("required") != std::string::npos);
    CHECK(w.error("height_m")->message == "height_m: required, in m");
    CHECK(w.error("mass_kg")->message == "mass_kg: 'heavy' is not a number");
    // Limits are inclusive.
    g = goodForm();
    g.height_m = "0.5";
    g.mass_kg = "300";
    CHECK(app::validatePatientForm(g, kToday).ok());
    g.height_m = "2.51";
    CHECK_FALSE(app::validatePatientForm(g, kToday).ok());
}

TEST_CASE("saving a patient adds, updates, refuses duplicates and stores nothing when invalid",
          "[appcore]") {
    const test::ScratchDir dir("patients_save");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto id = app::savePatient(*c, goodForm(), kToday);
    const auto p = c->patient(id);
    REQUIRE(p);
    CHECK(p->family_name == "Hopper");
    CHECK(p->height_m == Approx(1.68));

    // Same code for a new patient: refused, naming the field.
    PatientForm dup = goodForm();
    dup.given_name = "Other";
    const auto v = app::validatePatientForm(dup, kToday, c.get());
    REQUIRE(v.error("subject_code") != nullptr);
    CHECK(v.error("subject_code")->message ==
          "subject_code: 'MRN-100' is already used by another patient");
    CHECK_THROWS_AS(app::savePatient(*c, dup, kToday), app::AppError);
    CHECK(c->patients().size() == 1);

    // Editing keeps the id and the code may stay the same.
    PatientForm edit = PatientForm::fromPatient(*p);
    CHECK(edit.height_m == "1.68");
    CHECK(edit.birth_date == "1952-12-09");
    edit.mass_kg = "63";
    CHECK(app::savePatient(*c, edit, kToday) == id);
    CHECK(c->patient(id)->mass_kg == Approx(63.0));

    PatientForm bad = edit;
    bad.height_m = "3";
    try {
        app::savePatient(*c, bad, kToday);
        FAIL("an invalid form was saved");
    } catch (const app::AppError& e) {
        CHECK(std::string(e.what()) == "patient form: height_m: '3' is not between 0.5 and 2.5 m");
    }
    CHECK(c->patient(id)->height_m == Approx(1.68));
    PatientForm ghost = goodForm();
    ghost.id = 999;
    ghost.subject_code = "NEW";
    CHECK_THROWS_WITH(app::savePatient(*c, ghost, kToday),
                      Catch::Contains("patient 999: no such patient"));
}

TEST_CASE("patient page lists every session with its status and key results", "[appcore]") {
    const test::ScratchDir dir("patient_page");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    const auto s1 = test::addSyntheticSession(*c, pid, dir.path, "s1.h5", test::day(2024, 1, 10));
    const auto s2 = test::addSyntheticSession(*c, pid, dir.path, "s2.h5", test::day(2024, 2, 7),
                                              1.0, {"ec_foam#3", "ec_foam#2"});
    c->putSessionSummary(s1, {{"mctsib.composite_sway_velocity", 0.8, "deg/s", "x"},
                              {"dhi_total", 40.0, "points", "DHI"}});
    c->putSessionSummary(s2, {{"mctsib.composite_cop_velocity", 0.0123, "m/s", "x"}});
    app::QuestionnaireForm vas(analysis::Instrument::kDizzinessVas);
    vas.setAnswer(0, "4");
    app::saveQuestionnaire(*c, s2, vas);

    const app::PatientPage page = app::loadPatientPage(*c, pid);
    CHECK(page.patient.subject_code == "MRN-7");
    REQUIRE(page.age_years);
    CHECK(*page.age_years >= 44);
    REQUIRE(page.sessions.size() == 2);
    const app::SessionRow& a = page.sessions[0];
    CHECK(a.date == "2024-01-10");
    CHECK(a.protocol_name == "Modified Clinical Test of Sensory Interaction on Balance");
    CHECK(a.trials_expected == 12);
    CHECK(a.trials_complete == 12);
    CHECK(a.status == "complete");
    REQUIRE(a.key_results.size() == 2);
    CHECK(a.key_results[0].name == "mctsib.composite_sway_velocity");
    CHECK(a.key_results[0].text == "0.8 deg/s");
    CHECK(a.key_results[1].text == "40 points");
    const app::SessionRow& b = page.sessions[1];
    CHECK(b.status == "incomplete (10 of 12 trials complete)");
    REQUIRE(b.questionnaires.size() == 1);
    CHECK(b.questionnaires[0] == "VAS");
    // SI in the catalog, display units on the page; the VAS total was stored with the form.
    REQUIRE(b.key_results.size() == 2);
    CHECK(b.key_results[0].text == "12.3 mm/s");
    CHECK(b.key_results[1].name == "vas_total");
    CHECK(b.key_results[1].value == Approx(4.0));

    CHECK_THROWS_WITH(app::loadPatientPage(*c, 4242), Catch::Contains("patient 4242"));
}
