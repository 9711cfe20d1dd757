#pragma once
// The CSV text of datasets/norms/*.csv, compiled in (see norm_tables_data.cpp.in).

#include <string_view>

namespace stance::analysis::detail {

std::string_view normTableAgeBandCsv() noexcept;      // bds2016_norms_by_age_band.csv
std::string_view normTableAgeGroupSexCsv() noexcept;  // bds2016_norms_by_age_group_sex.csv

}  // namespace stance::analysis::detail
