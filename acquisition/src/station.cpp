#include "stance/acquisition/station.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>

#include "stance/acquisition/errors.hpp"
#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_reader.hpp"

namespace stance::acquisition {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {

constexpr unsigned kDefaultStanceBaud = 921600;
constexpr unsigned kDefaultXsensBaud = 115200;

std::string isoUtcNow(bool compact = false) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// Letters, digits, '_', '-', '.' only (HDF5 group names, file names).
bool safeName(const std::string& s) {
    if (s.empty() || s.size() > 64 || s == "." || s == "..")
        return false;
    for (const char c : s) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

datasets::TrialStatus parseStatus(const std::string& s) {
    if (s == "complete")
        return datasets::TrialStatus::kComplete;
    if (s == "aborted")
        return datasets::TrialStatus::kAborted;
    if (s == "fall")
        return datasets::TrialStatus::kFall;
    throw CommandError("status '" + s + "' is not complete, aborted or fall");
}

/// A recorded trial of a stance-hdf5 file as plate samples for replay: forces and moments about
/// the surface (depth 0) rebuilt from force and COP, so the replayed COP is the recorded one.
devices::ReplayDevice<devices::ForcePlateSample> replaySamples(const std::string& file) {
    try {
        const datasets::BundleReader reader(file);
        for (const datasets::TrialRef& ref : reader.trials()) {
            auto fp = reader.readForcePlate(ref);
            if (!fp || fp->time_s.size() < 2)
                continue;
            std::vector<devices::ForcePlateSample> samples;
            const Eigen::Index n = fp->time_s.size();
            for (Eigen::Index i = 0; i < n; ++i) {
                devices::ForcePlateSample s;
                s.stamp.device_time_s = fp->time_s(i);
                const double fz = fp->force_n.rows() == n ? fp->force_n(i, 2) : 700.0;
                const double x = fp->cop_m(i, 0), y = fp->cop_m(i, 1);
                if (!std::isfinite(x) || !std::isfinite(y))
                    continue;
                if (fp->force_n.rows() == n)
                    s.force_n = {fp->force_n(i, 0), fp->force_n(i, 1), fz};
                else
                    s.force_n = {0.0, 0.0, fz};
                s.moment_nm = {y * fz, -x * fz, 0.0};
                samples.push_back(s);
            }
            if (samples.size() >= 2)
                return devices::ReplayDevice<devices::ForcePlateSample>(std::move(samples), true);
        }
    } catch (const datasets::DatasetError& e) {
        throw AcquisitionError("replay:" + file + ": " + e.what());
    } catch (const devices::DeviceError& e) {
        throw AcquisitionError("replay:" + file + ": " + e.what());
    }
    throw AcquisitionError("replay:" + file +
                           ": no trial with a force-plate COP in this stance-hdf5 file (import "
                           "a recording first with `stance import`)");
}

}  // namespace

DeviceSpec parseDeviceSpec(const std::string& text) {
    DeviceSpec d;
    d.text = text;
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon + 1 == text.size()) {
        throw AcquisitionError("--device " + text +
                               ": expected KIND:WHERE, e.g. xsens:/dev/ttyUSB0, "
                               "stance-frame:/dev/ttyACM0, sim:plate, replay:trial.h5");
    }
    const std::string kind = text.substr(0, colon);
    std::string rest = text.substr(colon + 1);
    std::string at;
    if (const auto a = rest.rfind('@'); a != std::string::npos && kind != "replay") {
        at = rest.substr(a + 1);
        rest = rest.substr(0, a);
    }
    double number = 0.0;
    if (!at.empty()) {
        char* end = nullptr;
        number = std::strtod(at.c_str(), &end);
        if (end == at.c_str() || *end != '\0' || !(number > 0.0)) {
            throw AcquisitionError("--device " + text + ": '" + at +
                                   "' after @ is not a positive number (baud rate, or the "
                                   "sample rate of a simulated device)");
        }
    }
    if (kind == "xsens" || kind == "stance-frame") {
        d.kind = kind == "xsens" ? DeviceSpec::Kind::kSerialXsens : DeviceSpec::Kind::kSerialStance;
        d.path = rest;
        d.baud = at.empty() ? (kind == "xsens" ? kDefaultXsensBaud : kDefaultStanceBaud)
                            : static_cast<unsigned>(number);
    } else if (kind == "sim") {
        if (rest == "plate")
            d.kind = DeviceSpec::Kind::kSimPlate;
        else if (rest == "board")
            d.kind = DeviceSpec::Kind::kSimBoard;
        else if (rest == "imu")
            d.kind = DeviceSpec::Kind::kSimImu;
        else if (rest == "xsens")
            d.kind = DeviceSpec::Kind::kSimXsens;
        else
            throw AcquisitionError("--device " + text +
                                   ": a simulated device is sim:plate, sim:board, sim:imu or "
                                   "sim:xsens");
        d.rate_hz = number;
    } else if (kind == "replay") {
        d.kind = DeviceSpec::Kind::kReplay;
        d.path = rest;
    } else {
        throw AcquisitionError("--device " + text + ": unknown kind '" + kind +
                               "' (xsens, stance-frame, sim, replay)");
    }
    return d;
}

Station::Station(asio::io_context& io, StationOptions options)
    : io_(io),
      options_(std::move(options)),
      recorder_(options_.recorder_ring),
      progress_timer_(io) {}

Station::~Station() = default;

double Station::now() const {
    return stationTime(steadyNowNs());
}

void Station::start() {
    start_ns_ = steadyNowNs();
    std::error_code ec;
    std::filesystem::create_directories(options_.data_dir / "live", ec);
    if (ec) {
        throw AcquisitionError("--data-dir " + options_.data_dir.string() +
                               ": cannot create it: " + ec.message());
    }
    recoverLiveFiles();

    devices::BodyOptions body;
    body.seed = options_.sim_seed;
    std::map<std::string, int> counts;
    for (const DeviceSpec& spec : options_.devices) {
        DeviceConfig cfg;
        std::unique_ptr<SimulatedPort> sim;
        std::string base;
        switch (spec.kind) {
            case DeviceSpec::Kind::kSerialXsens:
            case DeviceSpec::Kind::kSerialStance:
                cfg.protocol = spec.kind == DeviceSpec::Kind::kSerialXsens
                                   ? DeviceProtocol::kXsens
                                   : DeviceProtocol::kStanceFrame;
                cfg.link.path = spec.path;
                cfg.link.baud = spec.baud;
                base = spec.kind == DeviceSpec::Kind::kSerialXsens ? "imu" : "device";
                break;
            case DeviceSpec::Kind::kSimPlate: {
                devices::PlateSimOptions o;
                if (spec.rate_hz > 0)
                    o.rate_hz = spec.rate_hz;
                o.clock = {1234.5, 40.0};  // a device clock of its own: offset and drift
                sim = std::make_unique<SimulatedPort>(
                    io_, SimPortOptions{devices::SimulatedStanceDevice::plate(body, o), "", 0.002,
                                        1u << 18});
                base = "plate";
                break;
            }
            case DeviceSpec::Kind::kSimBoard: {
                devices::LoadCellSimOptions o;
                if (spec.rate_hz > 0)
                    o.rate_hz = spec.rate_hz;
                o.clock = {88.0, -25.0};
                sim = std::make_unique<SimulatedPort>(
                    io_, SimPortOptions{devices::SimulatedStanceDevice::loadCellBoard(body, o), "",
                                        0.002, 1u << 18});
                base = "board";
                break;
            }
            case DeviceSpec::Kind::kSimImu: {
                devices::ImuSimOptions o;
                if (spec.rate_hz > 0)
                    o.rate_hz = spec.rate_hz;
                o.clock = {77.0, -60.0};
                sim = std::make_unique<SimulatedPort>(
                    io_, SimPortOptions{devices::SimulatedStanceDevice::imu(body, o), "", 0.002,
                                        1u << 18});
                base = "imu";
                break;
            }
            case DeviceSpec::Kind::kSimXsens: {
                devices::ImuSimOptions o;
                o.clock = {5.0, 20.0};
                sim = std::make_unique<SimulatedPort>(
                    io_,
                    SimPortOptions{devices::SimulatedXsensDevice(body, o), "", 0.002, 1u << 18});
                cfg.protocol = DeviceProtocol::kXsens;
                cfg.imu_rate_hz = spec.rate_hz > 0 ? spec.rate_hz : 100.0;
                base = "imu";
                break;
            }
            case DeviceSpec::Kind::kReplay:
                sim = std::make_unique<SimulatedPort>(
                    io_, SimPortOptions{devices::SimulatedStanceDevice::replayPlate(
                                            replaySamples(spec.path), devices::PlateGeometry{}),
                                        "", 0.002, 1u << 18});
                base = "replay";
                break;
        }
        if (sim) {
            sim->start();
            cfg.link.path = sim->path();
            cfg.link.baud = 921600;
        }
        const int k = counts[base]++;
        cfg.name = k == 0 ? base : base + std::to_string(k + 1);
        const auto index = static_cast<std::uint16_t>(sessions_.size());
        if (sim) {
            sim_of_device_[index] = sim.get();
            sims_.push_back(std::move(sim));
        }
        sessions_.push_back(std::make_unique<DeviceSession>(
            io_, index, cfg, [this](const StreamSample& s) { onSample(s); },
            [this](const DeviceEvent& e) { onDeviceEvent(e); }));
    }
    // Names given twice get a number; the first keeps the plain name ("imu", "imu2", ...).
    for (auto& s : sessions_)
        s->start();
}

void Station::recoverLiveFiles() {
    const auto live = options_.data_dir / "live";
    for (const auto& e : std::filesystem::directory_iterator(live)) {
        const std::string name = e.path().filename().string();
        const std::string suffix = ".live.h5";
        if (name.size() <= suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        // <session-file-stem>__<trial>.live.h5 -> <data-dir>/<session-file-stem>.h5
        const auto sep = name.find("__");
        if (sep == std::string::npos)
            continue;
        const auto destination = options_.data_dir / (name.substr(0, sep) + ".h5");
        datasets::FinalizeOptions fo;
        fo.status = datasets::TrialStatus::kAborted;
        try {
            const auto ref = datasets::finalizeTrialStream(e.path(), destination, fo);
            std::fprintf(stderr, "stanced: recovered %s into %s (%s, status aborted)\n",
                         e.path().c_str(), destination.c_str(), ref.path().c_str());
        } catch (const std::exception& ex) {
            std::fprintf(stderr, "stanced: cannot recover %s: %s (left in place)\n",
                         e.path().c_str(), ex.what());
        }
    }
}

void Station::stop(std::function<void()> done) {
    stopping_ = true;
    const auto finish = [this, done = std::move(done)]() {
        progress_timer_.cancel();
        for (auto& s : sessions_)
            s->stop();
        for (auto& s : sims_)
            s->stop();
        asio::post(io_, done);
    };
    if (trial_ && !trial_->ending) {
        trial_->on_done.push_back([finish](Json) { finish(); });
        endTrial(datasets::TrialStatus::kAborted, "stanced is stopping");
    } else if (trial_) {
        trial_->on_done.push_back([finish](Json) { finish(); });
    } else {
        finish();
    }
}

SimulatedPort* Station::simFor(std::uint16_t device) {
    const auto it = sim_of_device_.find(device);
    return it == sim_of_device_.end() ? nullptr : it->second;
}

int Station::addEventListener(EventListener l) {
    event_listeners_[next_listener_] = std::move(l);
    return next_listener_++;
}

int Station::addSampleListener(SampleListener l) {
    sample_listeners_[next_listener_] = std::move(l);
    return next_listener_++;
}

void Station::removeListener(int id) {
    event_listeners_.erase(id);
    sample_listeners_.erase(id);
}

void Station::broadcast(const Json& event) {
    // Listeners may remove themselves while handling an event: iterate over a copy of the ids.
    std::vector<int> ids;
    for (const auto& [id, l] : event_listeners_)
        ids.push_back(id);
    for (const int id : ids) {
        const auto it = event_listeners_.find(id);
        if (it != event_listeners_.end())
            it->second(event);
    }
}

void Station::onSample(const StreamSample& s) {
    if (trial_ && !trial_->ending && s.host_ns >= trial_->t0_ns) {
        if (!recorder_.push(s)) {
            broadcast({{"event", "error"},
                       {"t", now()},
                       {"reason", "the recorder fell behind (its queue of " +
                                      std::to_string(recorder_.ringCapacity()) +
                                      " samples is full): the trial is aborted"}});
            endTrial(datasets::TrialStatus::kAborted, "recorder overflow");
        } else {
            ++trial_->samples[sessions_[s.device]->config().name];
        }
    }
    for (const auto& [id, l] : sample_listeners_)
        l(s);
}

void Station::onDeviceEvent(const DeviceEvent& e) {
    const std::string& name = sessions_[e.device]->config().name;
    Json j{{"t", now()}, {"device", name}, {"reason", e.reason}};
    switch (e.kind) {
        case DeviceEventKind::kConnected:
            j["event"] = "device_connected";
            break;
        case DeviceEventKind::kLost:
            j["event"] = "device_lost";
            break;
        case DeviceEventKind::kGap:
            j["event"] = "gap";
            j["from_t"] = stationTime(e.from_ns);
            j["to_t"] = stationTime(e.to_ns);
            if (trial_ && !trial_->ending)
                recorder_.gap(e.device, e.from_ns, e.to_ns);
            break;
        case DeviceEventKind::kRestarted:
            j["event"] = "device_restarted";
            break;
        case DeviceEventKind::kIdentityMismatch:
            j["event"] = "identity_mismatch";
            break;
        case DeviceEventKind::kError:
            j["event"] = "device_error";
            break;
    }
    std::fprintf(stderr, "stanced: %s: %s\n", name.c_str(), e.reason.c_str());
    broadcast(j);
}

Json Station::deviceJson(const DeviceSession& d) const {
    const DeviceStatus st = d.status();
    Json j{{"index", d.index()},    {"name", st.name},           {"protocol", st.protocol},
           {"port", st.port},       {"connected", st.connected}, {"state", st.state},
           {"samples", st.samples}, {"gaps", st.gaps},           {"reconnects", st.reconnects},
           {"rate_hz", st.rate_hz}, {"drift_ppm", st.drift_ppm}, {"tared", st.tared}};
    if (st.kind) {
        j["kind"] = std::string(streamKindName(*st.kind));
        Json ch = Json::array();
        const auto names = channelNames(*st.kind);
        for (int i = 0; i < channelCount(*st.kind); ++i)
            ch.push_back(std::string(names[static_cast<std::size_t>(i)]));
        j["channels"] = ch;
    } else {
        j["kind"] = nullptr;
        j["channels"] = nullptr;
    }
    if (st.info) {
        j["model"] = std::string(st.info->modelName());
        j["serial"] = st.info->serial_number;
        j["firmware"] = std::to_string(st.info->firmware_major) + "." +
                        std::to_string(st.info->firmware_minor) + "." +
                        std::to_string(st.info->firmware_patch);
        j["nominal_rate_hz"] = st.info->nominal_rate_hz;
    }
    const auto& c = st.counters;
    j["counters"] = {{"bytes_received", c.bytes_received},
                     {"bytes_dropped", c.bytes_dropped},
                     {"frames", c.frames},
                     {"bad_checksum", c.bad_checksum},
                     {"truncated", c.truncated},
                     {"resyncs", c.resyncs},
                     {"samples_missing", c.samples_missing},
                     {"device_restarts", c.device_restarts}};
    return j;
}

Json Station::devices() const {
    Json a = Json::array();
    for (const auto& s : sessions_)
        a.push_back(deviceJson(*s));
    return a;
}

Json Station::status() const {
    return {{"devices", devices()},
            {"trial", trial_ ? trial_->description : Json(nullptr)},
            {"data_dir", options_.data_dir.string()},
            {"t", now()}};
}

void Station::tare(const std::string& device, double seconds, Reply reply) {
    if (trial_)
        throw CommandError("a trial is running: tare before or after it");
    if (!(seconds > 0.0 && seconds <= 10.0))
        throw CommandError("seconds must be within 0-10");
    DeviceSession* session = nullptr;
    for (auto& s : sessions_) {
        if (s->config().name == device)
            session = s.get();
    }
    if (session == nullptr)
        throw CommandError("no device named '" + device + "'");
    const auto finish = [this, session, reply](const std::string& error) {
        asio::post(io_, [this, session, reply, error] {
            if (!error.empty()) {
                reply({{"error", "tare " + session->config().name + ": " + error}});
                return;
            }
            Json offsets = Json::array();
            for (const double v : session->tareOffsets())
                offsets.push_back(v);
            reply({{"offsets", offsets}});
        });
    };
    SimulatedPort* sim = simFor(session->index());
    if (sim == nullptr) {
        session->tare(seconds, finish);
        return;
    }
    // The simulated subject steps off the plate for the tare, as a patient would be asked to, and
    // back on afterwards.
    sim->setOnPlate(false);
    auto wait = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(800));
    wait->async_wait([session, sim, seconds, finish, wait](boost::system::error_code e) {
        if (e)
            return;
        session->tare(seconds, [sim, finish](const std::string& error) {
            sim->setOnPlate(true);
            finish(error);
        });
    });
}

Json Station::startTrial(const Json& r) {
    if (stopping_)
        throw CommandError("stanced is stopping");
    if (trial_)
        throw CommandError("a trial is already running (" +
                           trial_->description.value("condition", std::string()) + ")");
    if (!r.contains("condition") || !r["condition"].is_string())
        throw CommandError("condition is required (eo_firm, ec_firm, eo_foam, ec_foam, ...)");
    const std::string condition = r["condition"];
    if (!safeName(condition))
        throw CommandError("condition '" + condition + "' is not a valid condition id");
    if (!r.contains("duration_s") || !r["duration_s"].is_number())
        throw CommandError("duration_s is required (seconds, a number)");
    const double duration = r["duration_s"];
    if (!(duration > 0.0 && duration <= 3600.0))
        throw CommandError("duration_s must be within 0-3600 s");
    std::vector<RecordedDevice> devices;
    for (const auto& s : sessions_) {
        if (!s->connected() || !s->kind())
            continue;
        RecordedDevice d;
        d.index = s->index();
        d.name = s->config().name;
        d.kind = *s->kind();
        if (s->identity())
            d.info = *s->identity();
        d.tare = s->tareOffsets();
        d.calibration = s->calibration();
        d.protocol = s->config().protocol == DeviceProtocol::kXsens ? "xsens" : "stance-frame";
        devices.push_back(std::move(d));
    }
    if (devices.empty())
        throw CommandError("no device is connected and streaming");

    // Subject and session.
    const Json subject = r.value("subject", Json::object());
    const Json session = r.value("session", Json::object());
    if (!subject.is_object() || !session.is_object())
        throw CommandError("subject and session must be JSON objects");
    const std::string subject_id = subject.value("id", std::string("anonymous"));
    if (!safeName(subject_id))
        throw CommandError("subject.id '" + subject_id +
                           "' must be a pseudonymous id of letters, digits, '_', '-', '.'");
    std::string session_id = session.value("id", std::string());
    if (session_id.empty())
        session_id = subject_id + "_" + isoUtcNow(true);
    if (!safeName(session_id))
        throw CommandError("session.id '" + session_id +
                           "' may hold letters, digits, '_', '-', '.'");
    auto it = session_files_.find(session_id);
    if (it == session_files_.end()) {
        SessionFile f;
        f.subject.id = subject_id;
        if (subject.contains("sex")) {
            const std::string sex = subject["sex"];
            f.subject.sex = sex == "F"   ? datasets::Sex::kFemale
                            : sex == "M" ? datasets::Sex::kMale
                            : sex == "X" ? datasets::Sex::kOther
                                         : datasets::Sex::kUnknown;
        }
        if (subject.contains("birth_year") && subject["birth_year"].is_number_integer())
            f.subject.birth_year = subject["birth_year"].get<int>();
        if (subject.contains("height_m") && subject["height_m"].is_number())
            f.subject.height_m = subject["height_m"].get<double>();
        if (subject.contains("mass_kg") && subject["mass_kg"].is_number())
            f.subject.mass_kg = subject["mass_kg"].get<double>();
        f.session.start_utc = isoUtcNow();
        f.session.site = session.value("site", std::string());
        f.session.operator_id = session.value("operator", std::string());
        f.session.protocol = session.value("protocol", std::string());
        f.session.protocol_version = session.value("protocol_version", std::string());
        f.file = options_.data_dir / (session_id + ".h5");
        // Trials continue the numbering of a session file made by an earlier run.
        it = session_files_.emplace(session_id, std::move(f)).first;
    }
    SessionFile& sf = it->second;
    char trial_name[16];
    std::snprintf(trial_name, sizeof trial_name, "%03d", sf.next_trial++);

    TrialSetup setup;
    setup.live_path = options_.data_dir / "live" / (session_id + "__" + trial_name + ".live.h5");
    setup.destination = sf.file;
    setup.subject = sf.subject;
    setup.session = sf.session;
    setup.trial.condition = condition;
    setup.trial.planned_duration_s = duration;
    setup.trial.t0_utc = isoUtcNow();
    if (r.contains("repetition") && r["repetition"].is_number_integer())
        setup.trial.extra["repetition"] = r["repetition"].get<int>();
    if (r.contains("instruction") && r["instruction"].is_string())
        setup.trial.extra["instruction"] = r["instruction"].get<std::string>();
    setup.trial_name = trial_name;
    setup.devices = devices;
    setup.t0_ns = steadyNowNs();
    setup.duration_s = duration;
    std::error_code ec;
    std::filesystem::remove(setup.live_path, ec);
    try {
        recorder_.begin(setup);
    } catch (const std::exception& e) {
        throw CommandError(std::string("cannot start recording: ") + e.what());
    }

    // The simulated subject follows the instruction.
    if (const auto c = devices::parseCondition(condition)) {
        for (auto& s : sims_)
            s->setCondition(*c);
    }

    Trial t;
    t.t0_ns = setup.t0_ns;
    t.duration_s = duration;
    Json names = Json::array();
    for (const auto& d : devices)
        names.push_back(d.name);
    t.description = {{"session", session_id},
                     {"name", trial_name},
                     {"subject", subject_id},
                     {"condition", condition},
                     {"duration_s", duration},
                     {"t0", stationTime(setup.t0_ns)},
                     {"live_file", setup.live_path.string()},
                     {"devices", names}};
    trial_ = std::move(t);
    broadcast({{"event", "trial_started"}, {"t", now()}, {"trial", trial_->description}});
    progress_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options_.progress_period_s)));
    progress_timer_.async_wait([this](boost::system::error_code e) {
        if (!e)
            progressTick();
    });
    return trial_->description;
}

void Station::progressTick() {
    if (!trial_ || trial_->ending)
        return;
    const double elapsed = static_cast<double>(steadyNowNs() - trial_->t0_ns) * 1e-9;
    if (elapsed >= trial_->duration_s + options_.end_margin_s) {
        endTrial(datasets::TrialStatus::kComplete, "");
        return;
    }
    Json samples = Json::object();
    for (const auto& [name, n] : trial_->samples)
        samples[name] = n;
    broadcast({{"event", "trial_progress"},
               {"t", now()},
               {"trial", trial_->description},
               {"elapsed_s", std::min(elapsed, trial_->duration_s)},
               {"remaining_s", std::max(0.0, trial_->duration_s - elapsed)},
               {"samples", samples}});
    const double next =
        std::min(options_.progress_period_s, trial_->duration_s + options_.end_margin_s - elapsed);
    progress_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(next, 0.001))));
    progress_timer_.async_wait([this](boost::system::error_code e) {
        if (!e)
            progressTick();
    });
}

void Station::endTrial(datasets::TrialStatus status, const std::string& why) {
    if (!trial_ || trial_->ending)
        return;
    trial_->ending = true;
    progress_timer_.cancel();
    if (!why.empty())
        trial_->description["end_reason"] = why;
    recorder_.end(status, [this](TrialOutcome out) {
        // On the writer thread: hand the outcome to the io thread.
        asio::post(io_, [this, out = std::move(out)] {
            Json samples = Json::object();
            for (const auto& [name, n] : out.samples)
                samples[name] = n;
            Json done{{"event", "trial_done"},
                      {"t", now()},
                      {"trial", trial_->description},
                      {"status", std::string(datasets::trialStatusName(out.status))},
                      {"file", out.file.string()},
                      {"group", out.file.empty() ? std::string() : out.ref.path()},
                      {"samples", samples},
                      {"gaps", out.gaps}};
            if (!out.error.empty()) {
                done["error"] = out.error;
                broadcast({{"event", "error"}, {"t", now()}, {"reason", out.error}});
            }
            auto callbacks = std::move(trial_->on_done);
            trial_.reset();
            broadcast(done);
            for (auto& cb : callbacks)
                cb(done);
        });
    });
}

void Station::stopTrial(const std::string& status, Reply reply) {
    const datasets::TrialStatus s = parseStatus(status);
    if (!trial_)
        throw CommandError("no trial is running");
    if (trial_->ending) {
        trial_->on_done.push_back([reply](Json done) { reply({{"trial", done["trial"]}}); });
        return;
    }
    trial_->on_done.push_back([reply](Json done) {
        reply({{"trial", done["trial"]}, {"file", done["file"]}, {"status", done["status"]}});
    });
    endTrial(s, "stopped by a client (" + status + ")");
}

Json Station::markEvent(const std::string& label) {
    if (!trial_ || trial_->ending)
        throw CommandError("no trial is running");
    if (label.empty() || label.size() > 200)
        throw CommandError("label must be 1-200 characters");
    const std::int64_t t = steadyNowNs();
    recorder_.mark(label, t);
    return {{"time_s", static_cast<double>(t - trial_->t0_ns) * 1e-9}};
}

}  // namespace stance::acquisition
