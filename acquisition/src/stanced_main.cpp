// stanced: the acquisition service. Finds the devices it is given, keeps them on one timeline,
// records every trial to stance-hdf5 and streams live over WebSocket (docs/stanced-protocol.md).

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "stance/acquisition/errors.hpp"
#include "stance/acquisition/server.hpp"
#include "stance/acquisition/station.hpp"

int main(int argc, char** argv) {
    using namespace stance::acquisition;
#if defined(__GLIBC__)
    // The recorder's deflate filter allocates and frees zlib's state (about 270 KB) for every
    // chunk it compresses, several times a second. By default glibc hands that memory back to
    // the kernel on each free (madvise: a TLB shootdown on every core) and faults it in again:
    // two thirds of stanced's CPU in bench_stanced. Freed memory stays in the process instead.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 4 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
    CLI::App app{
        "stanced: the Stance acquisition service. Streams force plates and IMUs over serial/USB, "
        "records every trial to stance-hdf5 and serves the WebSocket protocol of "
        "docs/stanced-protocol.md."};
    std::string listen = "127.0.0.1:8765";
    std::string data_dir;
    std::vector<std::string> device_args;
    std::string token;
    std::uint64_t seed = 1;
    app.add_option("--listen", listen, "HOST:PORT to serve on (loopback unless --token is given)")
        ->capture_default_str();
    app.add_option("--data-dir", data_dir, "Folder for the recordings (created if needed)")
        ->required();
    app.add_option("--device", device_args,
                   "A device: xsens:/dev/ttyUSB0[@BAUD], stance-frame:/dev/ttyACM0[@BAUD], "
                   "sim:plate|board|imu|xsens[@RATE], replay:FILE.h5 (repeatable)")
        ->required();
    app.add_option("--token", token,
                   "Access token every client must present (required to listen beyond loopback)");
    app.add_option("--sim-seed", seed, "Seed of the simulated subject")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "stanced: --listen " << listen << ": expected HOST:PORT\n";
        return 2;
    }
    ServerOptions so;
    so.host = listen.substr(0, colon);
    if (so.host.size() > 2 && so.host.front() == '[' && so.host.back() == ']')
        so.host = so.host.substr(1, so.host.size() - 2);
    try {
        const int port = std::stoi(listen.substr(colon + 1));
        if (port < 0 || port > 65535)
            throw std::out_of_range("port");
        so.port = static_cast<unsigned short>(port);
    } catch (const std::exception&) {
        std::cerr << "stanced: --listen " << listen << ": the port is not a number 0-65535\n";
        return 2;
    }
    so.token = token;

    StationOptions opts;
    opts.data_dir = data_dir;
    opts.sim_seed = seed;
    try {
        for (const auto& d : device_args)
            opts.devices.push_back(parseDeviceSpec(d));
    } catch (const AcquisitionError& e) {
        std::cerr << "stanced: " << e.what() << '\n';
        return 2;
    }

    boost::asio::io_context io;
    // Signals are caught from here on: a SIGTERM that arrives while devices start still closes
    // things properly.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    try {
        Station station(io, opts);
        Server server(io, station, so);
        station.start();
        server.start();
        // The line scripts and tests wait for: where to connect.
        std::printf("stanced: listening on ws://%s:%u/ (data in %s, %zu device%s)\n",
                    so.host.c_str(), server.port(), data_dir.c_str(), opts.devices.size(),
                    opts.devices.size() == 1 ? "" : "s");
        std::fflush(stdout);

        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec)
                return;
            std::fprintf(stderr, "stanced: %s: closing the current trial and stopping\n",
                         sig == SIGINT ? "SIGINT" : "SIGTERM");
            server.stop();
            station.stop([&io] { io.stop(); });
        });
        io.run();
    } catch (const AcquisitionError& e) {
        std::cerr << "stanced: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "stanced: " << e.what() << '\n';
        return 1;
    }
    std::fprintf(stderr, "stanced: stopped\n");
    return 0;
}
