// stanced under a clinic's load: a 1 kHz force plate and two 400 Hz IMUs (simulated, each behind
// its own pseudo-terminal and codec, as `stanced --device sim:...` runs them), one trial recorded
// for the whole run, every sample streamed to one WebSocket client in binary. Prints
//   - latency from a sample leaving the device (its bytes written to the pseudo-terminal, which
//     is when its device-clock time maps to on the station clock) to its arrival at the client,
//     p50 / p99 / max over every sample, and for the newest sample of each message (the part
//     that is not the protocol's 50 ms batching);
//   - CPU of the stanced process (user + system, from /proc) in % of one core over the trial.
//     By default the devices are `stanced --device sim:...`, whose simulators run inside stanced
//     and count in its CPU; with `external` they run in this benchmark's process instead (the
//     same simulators, codecs and pseudo-terminals) and stanced opens them as
//     `stance-frame:PATH`, as it opens hardware, so the figure is stanced's own;
//   - samples recorded in the trial's file and samples streamed, against rate x duration, and
//     gaps: zero lost is the aim.
// Usage: bench_stanced [seconds (default 60; 600 for the 10-minute run)] [external], with the
// stanced of this build.
// Never fails on timing; exits non-zero only when the run itself cannot be done.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acquisition/stanced_process.hpp"
#include "stance/acquisition/client.hpp"
#include "stance/acquisition/sim_port.hpp"
#include "stance/datasets/h5_reader.hpp"

namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double nowS() {
    return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

/// utime + stime of a process, in seconds.
double cpuSeconds(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    if (close == std::string::npos)
        return 0.0;
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    std::vector<std::string> fields;
    while (rest >> field)
        fields.push_back(field);
    // After the name: state is field 3 of stat(5); utime and stime are fields 14 and 15.
    if (fields.size() < 13)
        return 0.0;
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

double percentile(std::vector<double>& v, double q) {
    if (v.empty())
        return 0.0;
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::stod(argv[1]) : 60.0;
    const bool external = argc > 2 && std::string(argv[2]) == "external";
    if (argc > 2 && !external) {
        std::fprintf(stderr, "bench_stanced: usage: bench_stanced [seconds] [external]\n");
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("bench-stanced-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--data-dir",
                                     (dir / "data").string()};
    // External devices: the simulators stanced would run, here, each behind its pseudo-terminal
    // with a stable link name, on a thread of this process.
    boost::asio::io_context device_io;
    std::vector<std::unique_ptr<stance::acquisition::SimulatedPort>> ports;
    std::thread device_thread;
    if (external) {
        namespace dev = stance::devices;
        namespace acq = stance::acquisition;
        const dev::BodyOptions body;
        dev::PlateSimOptions plate;
        plate.rate_hz = 1000.0;
        plate.clock = {1234.5, 40.0};
        dev::ImuSimOptions imu;
        imu.rate_hz = 400.0;
        imu.clock = {77.0, -60.0};
        std::vector<std::pair<dev::SimulatedStanceDevice, std::string>> devices;
        devices.emplace_back(dev::SimulatedStanceDevice::plate(body, plate), "plate");
        devices.emplace_back(dev::SimulatedStanceDevice::imu(body, imu), "imu1");
        imu.clock = {-12.0, 15.0};
        devices.emplace_back(dev::SimulatedStanceDevice::imu(body, imu), "imu2");
        for (auto& [device, name] : devices) {
            const std::string link = (dir / name).string();
            ports.push_back(std::make_unique<acq::SimulatedPort>(
                device_io, acq::SimPortOptions{std::move(device), link, 0.002, 1u << 18}));
            ports.back()->start();
            args.insert(args.end(), {"--device", "stance-frame:" + link + "@921600"});
        }
        device_thread = std::thread([&device_io] {
            auto guard = boost::asio::make_work_guard(device_io);
            device_io.run();
        });
    } else {
        args.insert(args.end(), {"--device", "sim:plate@1000", "--device", "sim:imu@400",
                                 "--device", "sim:imu@400"});
    }
    struct StopDevices {
        boost::asio::io_context& io;
        std::thread& thread;
        ~StopDevices() {
            io.stop();
            if (thread.joinable())
                thread.join();
        }
    } stop_devices{device_io, device_thread};
    stance::test::StancedProcess stanced(args, (dir / "stderr.txt").string());
    if (!stanced.listening()) {
        std::fprintf(stderr, "bench_stanced: stanced did not start (see %s)\n",
                     (dir / "stderr.txt").c_str());
        return 1;
    }
    stance::acquisition::StancedClient c(stanced.url());
    // Station clock = steady clock - start; the earliest (receive - t) of the events bounds the
    // start from above by the smallest delivery time.
    double start = nowS() - c.hello()["t"].get<double>();
    std::map<std::string, double> nominal;
    std::map<int, std::string> name_of;  // device index -> name
    for (int tries = 0; tries < 100; ++tries) {
        const Json r = c.request("list_devices");
        std::size_t ready = 0;
        for (const auto& d : r["devices"]) {
            if (d["connected"] == true && !d["kind"].is_null()) {
                ++ready;
                nominal[d["name"].get<std::string>()] = d["nominal_rate_hz"].get<double>();
                name_of[d["index"].get<int>()] = d["name"].get<std::string>();
            }
        }
        if (ready == 3)
            break;
        std::this_thread::sleep_for(100ms);
    }
    if (nominal.size() != 3) {
        std::fprintf(stderr, "bench_stanced: the three devices did not connect\n");
        return 1;
    }
    std::printf("stanced with %zu devices:", nominal.size());
    for (const auto& [name, rate] : nominal)
        std::printf(" %s %.0f Hz", name.c_str(), rate);
    std::printf("; one trial of %.0f s recorded, every sample streamed in binary\n", seconds);

    const Json sub = c.request("subscribe", {{"rate_hz", 2000}, {"format", "binary"}});
    if (sub["ok"] != true) {
        std::fprintf(stderr, "bench_stanced: subscribe refused: %s\n", sub.dump().c_str());
        return 1;
    }
    const Json started = c.request(
        "start_trial",
        {{"condition", "eo_firm"},
         {"duration_s", seconds},
         {"subject", {{"id", "BENCH"}, {"sex", "X"}, {"height_m", 1.70}, {"mass_kg", 70.0}}},
         {"session", {{"id", "bench"}, {"protocol", "mctsib"}}}});
    if (started["ok"] != true) {
        std::fprintf(stderr, "bench_stanced: start_trial refused: %s\n", started.dump().c_str());
        return 1;
    }
    const double t0 = started["trial"]["t0"].get<double>();
    const double cpu0 = cpuSeconds(stanced.pid());
    const double wall0 = nowS();
    std::vector<double> all, newest;
    all.reserve(static_cast<std::size_t>(seconds * 1900.0));
    std::map<int, std::uint64_t> streamed;
    std::optional<Json> done;
    while (!done) {
        if (auto e = c.nextEvent(20ms)) {
            if ((*e)["event"] == "trial_done")
                done = *e;
            if (e->contains("t"))
                start = std::min(start, nowS() - (*e)["t"].get<double>());
        }
        for (const std::string& b : c.takeBinary()) {
            const double recv = nowS();
            if (b.size() < 16 || std::memcmp(b.data(), "STB1", 4) != 0)
                continue;
            std::uint16_t index = 0;
            std::uint32_t n = 0;
            std::memcpy(&index, b.data() + 6, 2);
            const auto channels = static_cast<unsigned char>(b[9]);
            std::memcpy(&n, b.data() + 12, 4);
            const std::size_t stride = 8 + 4 * static_cast<std::size_t>(channels);
            if (b.size() < 16 + n * stride)
                continue;
            for (std::uint32_t i = 0; i < n; ++i) {
                double t = 0.0;
                std::memcpy(&t, b.data() + 16 + i * stride, 8);
                if (t >= t0 && t < t0 + seconds)
                    ++streamed[index];  // within the trial, as the file has them
                all.push_back(recv - start - t);
                if (i + 1 == n)
                    newest.push_back(recv - start - t);
            }
        }
        if (nowS() - wall0 > seconds + 30.0) {
            std::fprintf(stderr, "bench_stanced: the trial did not end\n");
            return 1;
        }
    }
    const double cpu = cpuSeconds(stanced.pid()) - cpu0;
    const double wall = nowS() - wall0;

    for (auto* v : {&all, &newest}) {
        for (double& x : *v)
            x *= 1e3;
    }
    const std::size_t n_all = all.size(), n_newest = newest.size();
    std::printf("\nlatency, device to client (ms)       p50      p99      max   samples\n");
    const double max_all = n_all ? *std::max_element(all.begin(), all.end()) : 0.0;
    const double max_newest = n_newest ? *std::max_element(newest.begin(), newest.end()) : 0.0;
    const double all50 = percentile(all, 0.5), all99 = percentile(all, 0.99);
    const double new50 = percentile(newest, 0.5), new99 = percentile(newest, 0.99);
    std::printf("  every sample                   %8.2f %8.2f %8.2f %9zu\n", all50, all99, max_all,
                n_all);
    std::printf("  newest sample of each message  %8.2f %8.2f %8.2f %9zu\n", new50, new99,
                max_newest, n_newest);
    std::printf(
        "\nCPU of stanced (%s): %.2f %% of one core over %.1f s\n",
        external ? "devices simulated in another process, stanced alone" : "simulators included",
        100.0 * cpu / wall, wall);

    std::printf("\nsamples                 expected   recorded   streamed   gaps\n");
    const stance::datasets::BundleReader file(done->at("file").get<std::string>());
    const auto refs = file.trials();
    const auto data = file.readTrial(refs.back());
    std::map<std::string, std::size_t> recorded;
    for (const auto& raw : data.raw)
        recorded[raw.device] = static_cast<std::size_t>(raw.time_s.size());
    for (const auto& imu : data.imu)
        recorded[imu.sensor] =
            std::max(recorded[imu.sensor], static_cast<std::size_t>(imu.time_s.size()));
    std::map<std::string, std::uint64_t> streamed_by_name;
    for (const auto& [index, count] : streamed)
        streamed_by_name[name_of[index]] += count;
    const Json gaps = done->value("gaps", Json());
    for (const auto& [name, rate] : nominal) {
        const std::string g = gaps.is_object() && gaps.contains(name) ? gaps[name].dump()
                              : gaps.is_null()                        ? std::string("-")
                                                                      : gaps.dump();
        std::printf("  %-18s %10.0f %10zu %10llu   %s\n", name.c_str(), rate * seconds,
                    recorded.count(name) ? recorded[name] : 0,
                    static_cast<unsigned long long>(streamed_by_name[name]), g.c_str());
    }
    std::printf(
        "(recorded: rows in the trial file %s; streamed: samples the client got with a time within "
        "the trial; the device rates are the simulators' "
        "nominal ones, their clocks drift by tens of ppm)\n",
        done->at("file").get<std::string>().c_str());
    (void)stanced.terminate();
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
