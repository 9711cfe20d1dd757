#include "stance/app/stanced_messages.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

namespace stance::app {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) {
    return j.dump();
}

json request(std::string_view cmd, std::int64_t id) {
    json j;
    j["cmd"] = std::string(cmd);
    j["id"] = id;
    return j;
}

template <class T>
T get(const json& j, const char* key, T fallback) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        return fallback;
    }
}

StancedDevice parseDevice(const json& d) {
    StancedDevice out;
    out.index = get<int>(d, "index", 0);
    out.name = get<std::string>(d, "name", "");
    out.protocol = get<std::string>(d, "protocol", "");
    out.port = get<std::string>(d, "port", "");
    out.connected = get<bool>(d, "connected", false);
    out.state = get<std::string>(d, "state", "");
    out.kind = get<std::string>(d, "kind", "");
    out.channels = get<std::vector<std::string>>(d, "channels", {});
    out.model = get<std::string>(d, "model", "");
    out.nominal_rate_hz = get<double>(d, "nominal_rate_hz", 0.0);
    out.rate_hz = get<double>(d, "rate_hz", 0.0);
    out.samples = get<std::int64_t>(d, "samples", 0);
    out.gaps = get<std::int64_t>(d, "gaps", 0);
    out.reconnects = get<std::int64_t>(d, "reconnects", 0);
    out.tared = get<bool>(d, "tared", false);
    return out;
}

StancedTrial parseTrial(const json& t) {
    StancedTrial out;
    const auto s = t.find("session");
    if (s != t.end() && s->is_string())
        out.session = s->get<std::string>();
    else if (s != t.end() && s->is_object())
        out.session = get<std::string>(*s, "id", "");
    out.name = get<std::string>(t, "name", "");
    out.condition = get<std::string>(t, "condition", "");
    out.duration_s = get<double>(t, "duration_s", 0.0);
    out.t0 = get<double>(t, "t0", 0.0);
    out.live_file = get<std::string>(t, "live_file", "");
    return out;
}

float toFloat(const json& v) {
    if (v.is_number())
        return static_cast<float>(v.get<double>());
    return std::numeric_limits<float>::quiet_NaN();
}

}  // namespace

std::string statusCommand(std::int64_t id) {
    return dump(request("status", id));
}

std::string listDevicesCommand(std::int64_t id) {
    return dump(request("list_devices", id));
}

std::string tareCommand(std::int64_t id, std::string_view device, double seconds) {
    json j = request("tare", id);
    j["device"] = std::string(device);
    j["seconds"] = seconds;
    return dump(j);
}

std::string startTrialCommand(std::int64_t id, const StartTrialRequest& r) {
    json j = request("start_trial", id);
    j["condition"] = r.condition;
    j["duration_s"] = r.duration_s;
    j["repetition"] = r.repetition;
    if (!r.instruction.empty())
        j["instruction"] = r.instruction;
    if (r.subject) {
        json s;
        s["id"] = r.subject->id;
        s["sex"] = r.subject->sex;
        if (r.subject->birth_year)
            s["birth_year"] = *r.subject->birth_year;
        if (r.subject->height_m)
            s["height_m"] = *r.subject->height_m;
        if (r.subject->mass_kg)
            s["mass_kg"] = *r.subject->mass_kg;
        j["subject"] = s;
    }
    if (r.session) {
        json s;
        s["id"] = r.session->id;
        s["operator"] = r.session->operator_id;
        s["site"] = r.session->site;
        s["protocol"] = r.session->protocol;
        s["protocol_version"] = r.session->protocol_version;
        j["session"] = s;
    }
    return dump(j);
}

std::string stopTrialCommand(std::int64_t id, std::string_view status) {
    json j = request("stop_trial", id);
    j["status"] = std::string(status);
    return dump(j);
}

std::string markEventCommand(std::int64_t id, std::string_view label) {
    json j = request("mark_event", id);
    j["label"] = std::string(label);
    return dump(j);
}

std::string subscribeCommand(std::int64_t id, double rate_hz, bool binary,
                             const std::vector<std::string>& devices) {
    json j = request("subscribe", id);
    j["rate_hz"] = rate_hz;
    j["format"] = binary ? "binary" : "json";
    if (!devices.empty())
        j["devices"] = devices;
    return dump(j);
}

std::string unsubscribeCommand(std::int64_t id) {
    return dump(request("unsubscribe", id));
}

std::optional<StancedMessage> parseStancedMessage(std::string_view text, std::string* error) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        if (error != nullptr)
            *error = "not JSON: '" + std::string(text.substr(0, 80)) + "'";
        return std::nullopt;
    }
    if (!j.is_object()) {
        if (error != nullptr)
            *error = "not a JSON object";
        return std::nullopt;
    }
    StancedMessage m;
    if (j.contains("reply") && j["reply"].is_string()) {
        m.kind = StancedMessageKind::kReply;
        m.name = j["reply"].get<std::string>();
        if (j.contains("id") && j["id"].is_number_integer())
            m.id = j["id"].get<std::int64_t>();
        m.ok = get<bool>(j, "ok", false);
        m.error = get<std::string>(j, "error", "");
    } else if (j.contains("event") && j["event"].is_string()) {
        m.kind = StancedMessageKind::kEvent;
        m.name = j["event"].get<std::string>();
    } else {
        if (error != nullptr)
            *error = "neither a reply nor an event";
        return std::nullopt;
    }
    m.protocol = get<int>(j, "protocol", 0);
    m.t = get<double>(j, "t", 0.0);
    if (const auto d = j.find("devices"); d != j.end() && d->is_array()) {
        m.has_devices = true;
        for (const json& dev : *d) {
            if (dev.is_object())
                m.devices.push_back(parseDevice(dev));
        }
    }
    if (const auto t = j.find("trial"); t != j.end() && t->is_object())
        m.trial = parseTrial(*t);
    if (const auto d = j.find("device"); d != j.end()) {
        if (d->is_string())
            m.device = d->get<std::string>();
        else if (d->is_object())
            m.device = get<std::string>(*d, "name", "");
    }
    m.reason = get<std::string>(j, "reason", "");
    m.status = get<std::string>(j, "status", "");
    m.file = get<std::string>(j, "file", "");
    m.group = get<std::string>(j, "group", "");
    m.elapsed_s = get<double>(j, "elapsed_s", 0.0);
    m.remaining_s = get<double>(j, "remaining_s", 0.0);
    m.dropped_messages = get<std::int64_t>(j, "messages", 0);
    return m;
}

std::optional<std::size_t> parseJsonSamples(std::string_view text, std::vector<LiveSample>& out,
                                            std::string* error) {
    const json j = json::parse(text, nullptr, false);
    const auto bad = [&](std::string why) -> std::optional<std::size_t> {
        if (error != nullptr)
            *error = "samples message: " + std::move(why);
        return std::nullopt;
    };
    if (j.is_discarded() || !j.is_object())
        return bad("not a JSON object");
    if (get<std::string>(j, "event", "") != "samples")
        return bad("not a samples event");
    const auto t = j.find("t");
    const auto v = j.find("v");
    if (t == j.end() || v == j.end() || !t->is_array() || !v->is_array())
        return bad("'t' and 'v' must be arrays");
    if (t->size() != v->size())
        return bad(std::to_string(t->size()) + " times but " + std::to_string(v->size()) +
                   " value rows");
    const int index = get<int>(j, "index", -1);
    if (index < 0 || index > 65535)
        return bad("'index' (the device index) is missing or out of range");
    std::vector<LiveSample> batch;
    batch.reserve(t->size());
    for (std::size_t k = 0; k < t->size(); ++k) {
        const json& tk = (*t)[k];
        const json& row = (*v)[k];
        if (!tk.is_number() || !row.is_array())
            return bad("sample " + std::to_string(k) + " is not a time and a row of values");
        LiveSample s;
        s.t_s = tk.get<double>();
        s.device = static_cast<std::uint16_t>(index);
        const std::size_t n = std::min(row.size(), kLiveChannels);
        s.channels = static_cast<std::uint8_t>(n);
        for (std::size_t c = 0; c < n; ++c)
            s.v[c] = toFloat(row[c]);
        batch.push_back(s);
    }
    out.insert(out.end(), batch.begin(), batch.end());
    return batch.size();
}

std::optional<std::size_t> parseBinarySamples(std::span<const std::uint8_t> block,
                                              std::vector<LiveSample>& out, std::string* error) {
    const auto bad = [&](std::string why) -> std::optional<std::size_t> {
        if (error != nullptr)
            *error = "binary sample block: " + std::move(why);
        return std::nullopt;
    };
    if (block.size() < 16)
        return bad(std::to_string(block.size()) + " bytes, shorter than the 16-byte header");
    if (std::memcmp(block.data(), "STB1", 4) != 0)
        return bad("no STB1 magic");
    const auto u16 = [&](std::size_t at) {
        return static_cast<std::uint16_t>(block[at] | (block[at + 1] << 8));
    };
    const auto u32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(block[at]) |
               (static_cast<std::uint32_t>(block[at + 1]) << 8) |
               (static_cast<std::uint32_t>(block[at + 2]) << 16) |
               (static_cast<std::uint32_t>(block[at + 3]) << 24);
    };
    const std::uint16_t version = u16(4);
    if (version != kStancedProtocolVersion)
        return bad("protocol version " + std::to_string(version) + ", this client reads " +
                   std::to_string(kStancedProtocolVersion));
    const std::uint16_t device = u16(6);
    const std::size_t channels = block[9];
    const std::size_t n = u32(12);
    const std::size_t stride = 8 + 4 * channels;
    if (block.size() != 16 + n * stride)
        return bad(std::to_string(block.size()) + " bytes, expected 16 + " + std::to_string(n) +
                   " x " + std::to_string(stride));
    const std::size_t kept = std::min(channels, kLiveChannels);
    const std::size_t first = out.size();
    out.resize(first + n);
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint8_t* p = block.data() + 16 + k * stride;
        LiveSample& s = out[first + k];
        s = LiveSample{};
        // Little-endian on the wire; this build's hosts are little-endian (x86-64, arm64), so
        // the bytes are the value (static_assert below).
        std::memcpy(&s.t_s, p, 8);
        s.device = device;
        s.channels = static_cast<std::uint8_t>(kept);
        for (std::size_t c = 0; c < kept; ++c)
            std::memcpy(&s.v[c], p + 8 + 4 * c, 4);
    }
    return n;
}

static_assert(std::endian::native == std::endian::little,
              "parseBinarySamples copies little-endian wire values directly");

}  // namespace stance::app
