// PlateAxes and CsvLayout: how a source's axes and columns are declared.

#include <algorithm>
#include <stdexcept>

#include "import_common.hpp"

namespace stance::datasets {

using import_detail::splitCells;
using import_detail::toLower;
using import_detail::trimView;

std::string_view importFormatName(ImportFormat f) noexcept {
    switch (f) {
        case ImportFormat::kBds:
            return "bds";
        case ImportFormat::kPds:
            return "pds";
        case ImportFormat::kMotive:
            return "motive";
        case ImportFormat::kAmtiBsf:
            return "amti-bsf";
        case ImportFormat::kCsv:
            return "csv";
    }
    return "csv";
}

std::optional<ImportFormat> parseImportFormat(std::string_view s) noexcept {
    for (auto f : {ImportFormat::kBds, ImportFormat::kPds, ImportFormat::kMotive,
                   ImportFormat::kAmtiBsf, ImportFormat::kCsv}) {
        if (importFormatName(f) == s)
            return f;
    }
    return std::nullopt;
}

PlateAxes PlateAxes::parse(std::string_view spec) {
    const auto cells = splitCells(spec, ',');
    if (cells.size() != 3 && cells.size() != 4) {
        throw std::invalid_argument("plate axes '" + std::string(spec) +
                                    "': expected three device axes for plate x, y, z, e.g. "
                                    "'x,-y,-z' (optionally followed by ',action')");
    }
    PlateAxes a;
    std::array<bool, 3> used{false, false, false};
    for (std::size_t i = 0; i < 3; ++i) {
        std::string_view t = trimView(cells[i]);
        int sign = 1;
        if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
            sign = t.front() == '-' ? -1 : 1;
            t.remove_prefix(1);
        }
        const std::string axis = toLower(t);
        if (axis != "x" && axis != "y" && axis != "z") {
            throw std::invalid_argument("plate axes '" + std::string(spec) + "': '" +
                                        std::string(trimView(cells[i])) +
                                        "' is not a device axis (x, y or z, optionally signed)");
        }
        const int src = axis[0] - 'x';
        if (used[static_cast<std::size_t>(src)])
            throw std::invalid_argument("plate axes '" + std::string(spec) + "': device axis " +
                                        axis + " is used twice");
        used[static_cast<std::size_t>(src)] = true;
        a.source[i] = src;
        a.sign[i] = sign;
    }
    if (cells.size() == 4) {
        const std::string kind = toLower(trimView(cells[3]));
        if (kind == "action")
            a.device_reports_action = true;
        else if (kind != "reaction")
            throw std::invalid_argument("plate axes '" + std::string(spec) + "': '" + kind +
                                        "' must be 'action' or 'reaction'");
    }
    return a;
}

std::string PlateAxes::toString() const {
    std::string out;
    for (std::size_t i = 0; i < 3; ++i) {
        if (i > 0)
            out += ',';
        if (sign[i] < 0)
            out += '-';
        out += static_cast<char>('x' + source[i]);
    }
    out += device_reports_action ? ",action" : ",reaction";
    return out;
}

int PlateAxes::determinant() const noexcept {
    // Parity of the permutation times the product of the signs.
    int inversions = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = i + 1; j < 3; ++j)
            inversions += source[i] > source[j] ? 1 : 0;
    }
    const int parity = inversions % 2 == 0 ? 1 : -1;
    return parity * sign[0] * sign[1] * sign[2];
}

void PlateAxes::apply(analysis::Signal3& force, analysis::Signal3& moment) const {
    const double reaction = device_reports_action ? -1.0 : 1.0;
    const double det = determinant();
    analysis::Signal3 f(force.rows(), 3), m(moment.rows(), 3);
    for (Eigen::Index i = 0; i < 3; ++i) {
        const auto s = static_cast<double>(sign[static_cast<std::size_t>(i)]);
        const Eigen::Index src = source[static_cast<std::size_t>(i)];
        f.col(i) = reaction * s * force.col(src);
        // Moments are axial vectors: an improper mapping (det -1) flips them.
        if (moment.rows() > 0)
            m.col(i) = reaction * det * s * moment.col(src);
    }
    force = std::move(f);
    moment = std::move(m);
}

analysis::Signal2 PlateAxes::applyToPlane(const analysis::Signal2& xy) const {
    if (source[2] != 2)
        throw std::invalid_argument("plate axes " + toString() +
                                    ": device z must map to plate z (up or down) to map a COP");
    analysis::Signal2 out(xy.rows(), 2);
    for (Eigen::Index i = 0; i < 2; ++i) {
        out.col(i) = static_cast<double>(sign[static_cast<std::size_t>(i)]) *
                     xy.col(source[static_cast<std::size_t>(i)]);
    }
    return out;
}

CsvLayout CsvLayout::parse(std::string_view spec) {
    using Role = CsvLayout::Role;
    struct Known {
        const char* name;
        Role role;
        char kind;  // 't' time, 'n' counter, 'f' force, 'm' moment, 'l' length
    };
    static constexpr Known kRoles[] = {
        {"time", Role::kTime, 't'},       {"t", Role::kTime, 't'},
        {"counter", Role::kCounter, 'n'}, {"frame", Role::kCounter, 'n'},
        {"fx", Role::kFx, 'f'},           {"fy", Role::kFy, 'f'},
        {"fz", Role::kFz, 'f'},           {"mx", Role::kMx, 'm'},
        {"my", Role::kMy, 'm'},           {"mz", Role::kMz, 'm'},
        {"copx", Role::kCopX, 'l'},       {"cop_x", Role::kCopX, 'l'},
        {"copy", Role::kCopY, 'l'},       {"cop_y", Role::kCopY, 'l'},
    };
    struct Unit {
        const char* name;
        char kind;
        double to_si;
    };
    // 1 lbf = 4.4482216152605 N (exact by definition); 1 in = 0.0254 m.
    static constexpr Unit kUnits[] = {
        {"s", 't', 1.0},
        {"ms", 't', 1e-3},
        {"n", 'f', 1.0},
        {"kn", 'f', 1e3},
        {"lbf", 'f', 4.4482216152605},
        {"n.m", 'm', 1.0},
        {"nm", 'm', 1.0},
        {"n.mm", 'm', 1e-3},
        {"nmm", 'm', 1e-3},
        {"lbf.in", 'm', 4.4482216152605 * 0.0254},
        {"m", 'l', 1.0},
        {"cm", 'l', 1e-2},
        {"mm", 'l', 1e-3},
        {"in", 'l', 0.0254},
    };
    CsvLayout layout;
    if (trimView(spec).empty())
        throw std::invalid_argument("--columns is empty; declare each column as role:unit");
    std::array<int, 11> seen{};
    for (const auto cell : splitCells(spec, ',')) {
        const std::string_view c = trimView(cell);
        Column col;
        if (c == "-" || toLower(c) == "skip") {
            col.role = Role::kSkip;
            col.name = "-";
            layout.columns.push_back(col);
            continue;
        }
        const auto colon = c.find(':');
        const std::string role = toLower(trimView(c.substr(0, colon)));
        const std::string unit =
            colon == std::string_view::npos ? "" : toLower(trimView(c.substr(colon + 1)));
        const Known* known = nullptr;
        for (const auto& k : kRoles) {
            if (role == k.name)
                known = &k;
        }
        if (known == nullptr) {
            throw std::invalid_argument(
                "unknown column '" + std::string(c) +
                "': roles are time, counter, fx, fy, fz, mx, my, mz, copx, copy, or '-' to skip");
        }
        col.role = known->role;
        col.name = role;
        if (known->kind == 'n') {
            if (!unit.empty() && unit != "1")
                throw std::invalid_argument("column '" + std::string(c) +
                                            "': a counter has no unit");
            col.unit = "1";
        } else {
            const Unit* u = nullptr;
            for (const auto& k : kUnits) {
                if (unit == k.name && k.kind == known->kind)
                    u = &k;
            }
            if (u == nullptr) {
                const char* expected = known->kind == 't'   ? "s or ms"
                                       : known->kind == 'f' ? "N, kN or lbf"
                                       : known->kind == 'm' ? "N.m, N.mm or lbf.in"
                                                            : "m, cm, mm or in";
                throw std::invalid_argument("column '" + std::string(c) + "': unit '" + unit +
                                            "' is not one of " + expected);
            }
            col.unit = u->name;
            col.to_si = u->to_si;
        }
        auto& count = seen[static_cast<std::size_t>(col.role)];
        if (++count > 1)
            throw std::invalid_argument("column role '" + role + "' is declared twice");
        layout.columns.push_back(col);
    }
    return layout;
}

}  // namespace stance::datasets
