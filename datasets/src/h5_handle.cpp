#include "h5_handle.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <type_traits>

namespace stance::datasets::h5 {

namespace {

struct StackWalk {
    std::vector<std::string> descriptions;
};

herr_t collect(unsigned /*n*/, const H5E_error2_t* e, void* data) {
    auto* walk = static_cast<StackWalk*>(data);
    std::string text = e->desc != nullptr ? e->desc : "";
    std::array<char, 256> minor{};
    if (H5Eget_msg(e->min_num, nullptr, minor.data(), minor.size()) > 0) {
        const std::string m(minor.data());
        if (!m.empty() && text.find(m) == std::string::npos)
            text += text.empty() ? m : " (" + m + ")";
    }
    if (!text.empty())
        walk->descriptions.push_back(std::move(text));
    return 0;
}

hsize_t toH(std::size_t v) {
    return static_cast<hsize_t>(v);
}

Hid stringType(bool variable, std::size_t size = 0) {
    Hid t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t.get(), variable ? H5T_VARIABLE : size);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
}

std::string trimFixed(const char* p, std::size_t n) {
    std::size_t len = 0;
    while (len < n && p[len] != '\0')
        ++len;
    while (len > 0 && p[len - 1] == ' ')
        --len;
    return std::string(p, len);
}

// Reads strings from an attribute or dataset whose type is `file_type`.
template <class Reader>
std::vector<std::string> readStringValues(hid_t file_type, std::size_t n, Reader&& read,
                                          const Where& where) {
    std::vector<std::string> out;
    out.reserve(n);
    if (H5Tis_variable_str(file_type) > 0) {
        Hid mem = stringType(true);
        H5Tset_cset(mem.get(), H5Tget_cset(file_type));
        std::vector<char*> ptrs(n, nullptr);
        if (n > 0)
            check(read(mem.get(), ptrs.data()), where, "cannot read strings");
        for (char* p : ptrs) {
            out.emplace_back(p != nullptr ? p : "");
            if (p != nullptr)
                H5free_memory(p);
        }
    } else {
        const std::size_t size = H5Tget_size(file_type);
        Hid mem(H5Tcopy(file_type), H5Tclose);
        std::vector<char> buf(std::max<std::size_t>(1, n * size));
        if (n > 0)
            check(read(mem.get(), buf.data()), where, "cannot read strings");
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(trimFixed(buf.data() + i * size, size));
    }
    return out;
}

}  // namespace

void quiet() {
    thread_local bool done = false;
    if (!done) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        done = true;
    }
}

std::string takeErrorStack() {
    StackWalk walk;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &walk);
    H5Eclear2(H5E_DEFAULT);
    if (walk.descriptions.empty())
        return {};
    // The deepest entries are the most specific ("truncated file: eof = ..."); the outermost
    // says which call failed. Keep the deepest two, most specific first.
    std::string out = walk.descriptions.back();
    if (walk.descriptions.size() >= 2) {
        const std::string& prev = walk.descriptions[walk.descriptions.size() - 2];
        if (prev != out)
            out += "; " + prev;
    }
    return out;
}

namespace {

std::string pathText(const Where& where) {
    return where.attribute.empty() ? where.path
                                   : where.path + " attribute '" + where.attribute + "'";
}

std::string detailText(const Where& where, const std::string& what) {
    return where.attribute.empty() ? what : "attribute '" + where.attribute + "': " + what;
}

}  // namespace

PathError::PathError(const Where& where, const std::string& what)
    : DatasetError(
          where.file, 0,
          where.path.empty() && where.attribute.empty() ? what : pathText(where) + ": " + what),
      path_(where.path),
      detail_(detailText(where, what)) {}

void fail(const Where& where, const std::string& what) {
    const std::string stack = takeErrorStack();
    throw PathError(where, stack.empty() ? what : what + " (HDF5: " + stack + ")");
}

Hid check(hid_t id, Hid::Closer closer, const Where& where, const std::string& what) {
    if (id < 0)
        fail(where, what);
    return Hid(id, closer);
}

void check(herr_t status, const Where& where, const std::string& what) {
    if (status < 0)
        fail(where, what);
}

std::string join(std::string_view parent, std::string_view child) {
    std::string out(parent);
    if (out.empty() || out.back() != '/')
        out += '/';
    out += child;
    return out;
}

Hid openGroup(hid_t loc, const std::string& name, const Where& where) {
    return check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), H5Gclose,
                 Where{where.file, join(where.path, name)}, "cannot open the group");
}

Hid createGroup(hid_t loc, const std::string& name, const Where& where) {
    return check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 Where{where.file, join(where.path, name)}, "cannot create the group");
}

Hid openDataset(hid_t loc, const std::string& name, const Where& where) {
    return check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose,
                 Where{where.file, join(where.path, name)}, "cannot open the dataset");
}

bool hasLink(hid_t loc, const std::string& name) {
    const htri_t r = H5Lexists(loc, name.c_str(), H5P_DEFAULT);
    if (r < 0)
        H5Eclear2(H5E_DEFAULT);
    return r > 0;
}

H5O_type_t linkType(hid_t loc, const std::string& name) {
    if (!hasLink(loc, name))
        return H5O_TYPE_UNKNOWN;
    H5O_info_t info;
    if (H5Oget_info_by_name2(loc, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return H5O_TYPE_UNKNOWN;
    }
    return info.type;
}

std::vector<std::string> children(hid_t group, const Where& where) {
    std::vector<std::string> names;
    hsize_t idx = 0;
    const auto cb = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, cb, &names), where,
          "cannot list the group");
    std::sort(names.begin(), names.end());
    return names;
}

// ---- attributes -----------------------------------------------------------------------------

namespace {

void replaceAttr(hid_t obj, const std::string& name) {
    if (H5Aexists(obj, name.c_str()) > 0)
        H5Adelete(obj, name.c_str());
}

Where attrWhere(const Where& where, const std::string& name) {
    return Where{where.file, where.path, name};
}

}  // namespace

void writeAttr(hid_t obj, const std::string& name, std::string_view value, const Where& where) {
    replaceAttr(obj, name);
    const Where w = attrWhere(where, name);
    Hid type = stringType(true);
    Hid space = check(H5Screate(H5S_SCALAR), H5Sclose, w, "cannot create a dataspace");
    Hid a = check(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose, w, "cannot create the attribute");
    const std::string copy(value);
    const char* p = copy.c_str();
    check(H5Awrite(a.get(), type.get(), &p), w, "cannot write the attribute");
}

void writeAttr(hid_t obj, const std::string& name, double value, const Where& where) {
    replaceAttr(obj, name);
    const Where w = attrWhere(where, name);
    Hid space = check(H5Screate(H5S_SCALAR), H5Sclose, w, "cannot create a dataspace");
    Hid a =
        check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, w, "cannot create the attribute");
    check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value), w, "cannot write the attribute");
}

void writeAttr(hid_t obj, const std::string& name, std::int64_t value, const Where& where) {
    replaceAttr(obj, name);
    const Where w = attrWhere(where, name);
    Hid space = check(H5Screate(H5S_SCALAR), H5Sclose, w, "cannot create a dataspace");
    Hid a =
        check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, w, "cannot create the attribute");
    check(H5Awrite(a.get(), H5T_NATIVE_INT64, &value), w, "cannot write the attribute");
}

void writeAttr(hid_t obj, const std::string& name, const std::vector<std::string>& values,
               const Where& where) {
    replaceAttr(obj, name);
    const Where w = attrWhere(where, name);
    Hid type = stringType(true);
    const hsize_t n = toH(values.size());
    Hid space = check(H5Screate_simple(1, &n, nullptr), H5Sclose, w, "cannot create a dataspace");
    Hid a = check(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose, w, "cannot create the attribute");
    std::vector<const char*> ptrs;
    ptrs.reserve(values.size());
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    if (!values.empty())
        check(H5Awrite(a.get(), type.get(), ptrs.data()), w, "cannot write the attribute");
}

void writeAttr(hid_t obj, const std::string& name, const std::vector<double>& values,
               const Where& where) {
    replaceAttr(obj, name);
    const Where w = attrWhere(where, name);
    const hsize_t n = toH(values.size());
    Hid space = check(H5Screate_simple(1, &n, nullptr), H5Sclose, w, "cannot create a dataspace");
    Hid a =
        check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, w, "cannot create the attribute");
    if (!values.empty())
        check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, values.data()), w, "cannot write the attribute");
}

void writeAttr(hid_t obj, const std::string& name, const AttributeValue& value,
               const Where& where) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                writeAttr(obj, name, std::string_view(v), where);
            } else {
                writeAttr(obj, name, v, where);
            }
        },
        value);
}

bool hasAttr(hid_t obj, const std::string& name) {
    const htri_t r = H5Aexists(obj, name.c_str());
    if (r < 0)
        H5Eclear2(H5E_DEFAULT);
    return r > 0;
}

AttrShape attrShape(hid_t obj, const std::string& name, const Where& where) {
    const Where w = attrWhere(where, name);
    Hid a =
        check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, w, "cannot open the attribute");
    Hid type = check(H5Aget_type(a.get()), H5Tclose, w, "cannot read the attribute's type");
    Hid space = check(H5Aget_space(a.get()), H5Sclose, w, "cannot read the attribute's shape");
    AttrShape s;
    s.type_class = H5Tget_class(type.get());
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    s.elements = n > 0 ? static_cast<std::size_t>(n) : 0;
    s.scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
    return s;
}

std::vector<std::string> attrNames(hid_t obj, const Where& where) {
    std::vector<std::string> names;
    hsize_t idx = 0;
    const auto cb = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, cb, &names), where,
          "cannot list the attributes");
    return names;
}

std::optional<std::vector<std::string>> readStringsAttr(hid_t obj, const std::string& name,
                                                        const Where& where) {
    if (!hasAttr(obj, name))
        return std::nullopt;
    const Where w = attrWhere(where, name);
    Hid a =
        check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, w, "cannot open the attribute");
    Hid type = check(H5Aget_type(a.get()), H5Tclose, w, "cannot read the attribute's type");
    if (H5Tget_class(type.get()) != H5T_STRING)
        fail(w, "is not a string");
    Hid space = check(H5Aget_space(a.get()), H5Sclose, w, "cannot read the attribute's shape");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    return readStringValues(
        type.get(), static_cast<std::size_t>(std::max<hssize_t>(n, 0)),
        [&](hid_t mem, void* buf) { return H5Aread(a.get(), mem, buf); }, w);
}

std::optional<std::string> readStringAttr(hid_t obj, const std::string& name, const Where& where) {
    auto v = readStringsAttr(obj, name, where);
    if (!v)
        return std::nullopt;
    if (v->size() != 1)
        fail(attrWhere(where, name), "holds " + std::to_string(v->size()) + " strings, expected 1");
    return std::move(v->front());
}

std::optional<std::vector<double>> readNumbersAttr(hid_t obj, const std::string& name,
                                                   const Where& where) {
    if (!hasAttr(obj, name))
        return std::nullopt;
    const Where w = attrWhere(where, name);
    const AttrShape s = attrShape(obj, name, where);
    if (s.type_class != H5T_INTEGER && s.type_class != H5T_FLOAT)
        fail(w, "is not a number");
    Hid a =
        check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, w, "cannot open the attribute");
    std::vector<double> v(s.elements);
    if (!v.empty())
        check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, v.data()), w, "cannot read the attribute");
    return v;
}

std::optional<double> readNumberAttr(hid_t obj, const std::string& name, const Where& where) {
    auto v = readNumbersAttr(obj, name, where);
    if (!v)
        return std::nullopt;
    if (v->size() != 1)
        fail(attrWhere(where, name), "holds " + std::to_string(v->size()) + " values, expected 1");
    return v->front();
}

std::optional<std::int64_t> readIntAttr(hid_t obj, const std::string& name, const Where& where) {
    if (!hasAttr(obj, name))
        return std::nullopt;
    const Where w = attrWhere(where, name);
    const AttrShape s = attrShape(obj, name, where);
    if (s.type_class != H5T_INTEGER || s.elements != 1)
        fail(w, "is not one integer");
    Hid a =
        check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, w, "cannot open the attribute");
    std::int64_t v = 0;
    check(H5Aread(a.get(), H5T_NATIVE_INT64, &v), w, "cannot read the attribute");
    return v;
}

std::optional<AttributeValue> readAnyAttr(hid_t obj, const std::string& name, const Where& where) {
    if (!hasAttr(obj, name))
        return std::nullopt;
    const AttrShape s = attrShape(obj, name, where);
    if (s.elements != 1)
        return std::nullopt;
    switch (s.type_class) {
        case H5T_INTEGER:
            return AttributeValue(*readIntAttr(obj, name, where));
        case H5T_FLOAT:
            return AttributeValue(*readNumberAttr(obj, name, where));
        case H5T_STRING:
            return AttributeValue(*readStringAttr(obj, name, where));
        default:
            return std::nullopt;
    }
}

// ---- datasets -------------------------------------------------------------------------------

Hid writeSignal(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                const void* data, std::size_t rows, std::size_t cols, const Storage& storage,
                const Where& where) {
    const Where w{where.file, join(where.path, name)};
    const int rank = cols == 0 ? 1 : 2;
    const std::array<hsize_t, 2> dims{toH(rows), toH(cols)};
    const std::array<hsize_t, 2> max_dims{H5S_UNLIMITED, toH(cols)};
    Hid space = check(H5Screate_simple(rank, dims.data(), max_dims.data()), H5Sclose, w,
                      "cannot create a dataspace");
    Hid dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, w, "cannot create a property list");
    // Chunks of at most ~512 KiB so that one fits the default 1 MiB chunk cache.
    const std::size_t row_bytes = std::max<std::size_t>(1, cols) * H5Tget_size(file_type);
    const std::size_t cap = std::max<std::size_t>(1, (std::size_t{1} << 19) / row_bytes);
    const std::size_t chunk = std::max<std::size_t>(
        1, std::min({rows == 0 ? storage.chunk_rows : rows, storage.chunk_rows, cap}));
    const std::array<hsize_t, 2> chunk_dims{toH(chunk), toH(cols)};
    check(H5Pset_chunk(dcpl.get(), rank, chunk_dims.data()), w, "cannot set the chunk size");
    check(H5Pset_shuffle(dcpl.get()), w, "cannot enable the shuffle filter");
    check(
        H5Pset_deflate(dcpl.get(), static_cast<unsigned>(std::clamp(storage.deflate_level, 0, 9))),
        w, "cannot enable the deflate filter");
    check(H5Pset_fletcher32(dcpl.get()), w, "cannot enable the Fletcher-32 checksum");
    if (storage.fill) {
        const double fill = *storage.fill;
        check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), w,
              "cannot set the fill value");
        check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_IFSET), w, "cannot set the fill time");
    }
    Hid ds = check(
        H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        H5Dclose, w, "cannot create the dataset");
    if (rows > 0)
        check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), w,
              "cannot write the dataset");
    return ds;
}

Hid writeScalar(hid_t loc, const std::string& name, double value, const Where& where) {
    const Where w{where.file, join(where.path, name)};
    Hid space = check(H5Screate(H5S_SCALAR), H5Sclose, w, "cannot create a dataspace");
    Hid ds = check(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose, w, "cannot create the dataset");
    check(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), w,
          "cannot write the dataset");
    return ds;
}

Hid writeStrings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                 const Storage& storage, const Where& where) {
    const Where w{where.file, join(where.path, name)};
    Hid type = stringType(true);
    const hsize_t n = toH(values.size());
    const hsize_t max_n = H5S_UNLIMITED;
    Hid space = check(H5Screate_simple(1, &n, &max_n), H5Sclose, w, "cannot create a dataspace");
    Hid dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, w, "cannot create a property list");
    const hsize_t chunk =
        toH(std::max<std::size_t>(1, std::min(values.size(), storage.chunk_rows)));
    check(H5Pset_chunk(dcpl.get(), 1, &chunk), w, "cannot set the chunk size");
    check(
        H5Pset_deflate(dcpl.get(), static_cast<unsigned>(std::clamp(storage.deflate_level, 0, 9))),
        w, "cannot enable the deflate filter");
    Hid ds = check(H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(),
                              H5P_DEFAULT),
                   H5Dclose, w, "cannot create the dataset");
    std::vector<const char*> ptrs;
    ptrs.reserve(values.size());
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    if (!values.empty())
        check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), w,
              "cannot write the dataset");
    return ds;
}

DataShape dataShape(hid_t dataset, const Where& where) {
    Hid space = check(H5Dget_space(dataset), H5Sclose, where, "cannot read the dataset's shape");
    DataShape s;
    s.rank = H5Sget_simple_extent_ndims(space.get());
    if (s.rank < 0)
        fail(where, "cannot read the dataset's shape");
    if (s.rank > 2) {
        s.rows = 0;
        return s;
    }
    std::array<hsize_t, 2> dims{0, 0};
    if (s.rank > 0)
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    s.rows = s.rank >= 1 ? static_cast<std::size_t>(dims[0]) : 1;
    s.cols = s.rank == 2 ? static_cast<std::size_t>(dims[1]) : 0;
    return s;
}

namespace {

// Reads rows [0, rows) of a rank-0/1/2 dataset into a buffer of mem_type.
template <class T>
std::vector<T> readRows(hid_t dataset, hid_t mem_type, const Where& where,
                        std::optional<std::size_t> limit) {
    const DataShape s = dataShape(dataset, where);
    if (s.rank > 2)
        fail(where, "has rank " + std::to_string(s.rank) + ", expected 1 or 2");
    const std::size_t rows = limit ? std::min(*limit, s.rows) : s.rows;
    const std::size_t width = std::max<std::size_t>(1, s.cols);
    std::vector<T> out(rows * width);
    if (out.empty())
        return out;
    if (s.rank == 0 || rows == s.rows) {
        check(H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), where,
              "cannot read the data (corrupt or truncated?)");
        return out;
    }
    Hid file_space = check(H5Dget_space(dataset), H5Sclose, where, "cannot read the shape");
    const std::array<hsize_t, 2> start{0, 0};
    const std::array<hsize_t, 2> count{toH(rows), toH(s.cols)};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          where, "cannot select rows");
    Hid mem_space = check(H5Screate_simple(s.rank, count.data(), nullptr), H5Sclose, where,
                          "cannot create a dataspace");
    check(H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()),
          where, "cannot read the data (corrupt or truncated?)");
    return out;
}

}  // namespace

std::vector<double> readDoubles(hid_t dataset, const Where& where,
                                std::optional<std::size_t> rows) {
    Hid type = check(H5Dget_type(dataset), H5Tclose, where, "cannot read the dataset's type");
    const H5T_class_t c = H5Tget_class(type.get());
    if (c != H5T_FLOAT && c != H5T_INTEGER)
        fail(where, "is not numeric");
    return readRows<double>(dataset, H5T_NATIVE_DOUBLE, where, rows);
}

std::vector<std::int64_t> readInt64s(hid_t dataset, const Where& where,
                                     std::optional<std::size_t> rows) {
    Hid type = check(H5Dget_type(dataset), H5Tclose, where, "cannot read the dataset's type");
    if (H5Tget_class(type.get()) != H5T_INTEGER)
        fail(where, "is not an integer dataset");
    return readRows<std::int64_t>(dataset, H5T_NATIVE_INT64, where, rows);
}

std::vector<std::string> readStrings(hid_t dataset, const Where& where,
                                     std::optional<std::size_t> rows) {
    Hid type = check(H5Dget_type(dataset), H5Tclose, where, "cannot read the dataset's type");
    if (H5Tget_class(type.get()) != H5T_STRING)
        fail(where, "is not a string dataset");
    const DataShape s = dataShape(dataset, where);
    if (s.rank != 1)
        fail(where, "has rank " + std::to_string(s.rank) + ", expected 1");
    const std::size_t n = rows ? std::min(*rows, s.rows) : s.rows;
    return readStringValues(
        type.get(), n,
        [&](hid_t mem, void* buf) -> herr_t {
            if (n == s.rows)
                return H5Dread(dataset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
            Hid fs(H5Dget_space(dataset), H5Sclose);
            const hsize_t start = 0, count = toH(n);
            H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr);
            Hid ms(H5Screate_simple(1, &count, nullptr), H5Sclose);
            return H5Dread(dataset, mem, ms.get(), fs.get(), H5P_DEFAULT, buf);
        },
        where);
}

void appendRows(hid_t dataset, hid_t mem_type, const void* data, std::size_t rows, std::size_t cols,
                const Where& where) {
    if (rows == 0)
        return;
    const DataShape s = dataShape(dataset, where);
    const int rank = cols == 0 ? 1 : 2;
    const std::array<hsize_t, 2> new_dims{toH(s.rows + rows), toH(cols)};
    check(H5Dset_extent(dataset, new_dims.data()), where, "cannot grow the dataset");
    Hid file_space = check(H5Dget_space(dataset), H5Sclose, where, "cannot read the shape");
    const std::array<hsize_t, 2> start{toH(s.rows), 0};
    const std::array<hsize_t, 2> count{toH(rows), toH(cols)};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          where, "cannot select the new rows");
    Hid mem_space = check(H5Screate_simple(rank, count.data(), nullptr), H5Sclose, where,
                          "cannot create a dataspace");
    check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), where,
          "cannot write the new rows");
}

}  // namespace stance::datasets::h5
