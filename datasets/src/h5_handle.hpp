#pragma once
/// \file
/// Private: small RAII types and helpers over the HDF5 C API (Debian's libhdf5 1.10), used by
/// the stance-hdf5 reader, writers and validator. Nothing here is exported.
///
/// Errors: HDF5's automatic error printing is switched off for every thread that calls into
/// HDF5 through here (quiet()); a failing call is turned into a DatasetError that names our file,
/// the HDF5 path and what failed, with the most specific message of HDF5's error stack appended.

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets::h5 {

/// Switches off HDF5's error printing for the calling thread (error stacks are per thread in
/// the thread-safe build). Cheap after the first call on a thread.
void quiet();

/// The most specific messages on the calling thread's HDF5 error stack ("" when empty), then
/// clears it.
std::string takeErrorStack();

/// An owned hid_t with the function that closes it.
class Hid {
public:
    using Closer = herr_t (*)(hid_t);
    Hid() = default;
    Hid(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
    ~Hid() { reset(); }
    Hid(Hid&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
    Hid& operator=(Hid&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = o.id_;
            closer_ = o.closer_;
            o.id_ = H5I_INVALID_HID;
        }
        return *this;
    }
    Hid(const Hid&) = delete;
    Hid& operator=(const Hid&) = delete;

    hid_t get() const noexcept { return id_; }
    bool valid() const noexcept { return id_ >= 0; }
    void reset() noexcept {
        if (id_ >= 0 && closer_ != nullptr)
            closer_(id_);
        id_ = H5I_INVALID_HID;
    }
    /// Closes now and reports whether HDF5 succeeded (used where a failed close loses data).
    bool close() noexcept {
        if (id_ < 0 || closer_ == nullptr)
            return true;
        const herr_t status = closer_(id_);
        id_ = H5I_INVALID_HID;
        return status >= 0;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

/// Where errors are reported: our file's name, the HDF5 path in it and, for an attribute of
/// that object, the attribute's name.
struct Where {
    std::string file;
    std::string path;
    std::string attribute = {};
};

/// What fail() throws: a DatasetError whose problem reads "<path>[ attribute '<a>']: <what>",
/// with the HDF5 path and the rest also kept apart, so that a report that lists problems by path
/// (the validator) names the path once.
class PathError : public DatasetError {
public:
    PathError(const Where& where, const std::string& what);
    const std::string& path() const noexcept { return path_; }  ///< HDF5 path; "" if none
    /// The problem without the path: "[attribute '<a>': ]<what>[ (HDF5: <stack>)]".
    const std::string& detail() const noexcept { return detail_; }

private:
    std::string path_;
    std::string detail_;
};

/// Throws PathError: DatasetError(file, 0, "<path>: <what>[ (HDF5: <stack>)]").
[[noreturn]] void fail(const Where& where, const std::string& what);
/// Throws via fail() when id < 0; returns the owned id.
Hid check(hid_t id, Hid::Closer closer, const Where& where, const std::string& what);
/// Throws via fail() when status < 0.
void check(herr_t status, const Where& where, const std::string& what);

Hid openGroup(hid_t loc, const std::string& name, const Where& where);
Hid createGroup(hid_t loc, const std::string& name, const Where& where);
Hid openDataset(hid_t loc, const std::string& name, const Where& where);
/// True when `name` (one link, no '/') exists under loc.
bool hasLink(hid_t loc, const std::string& name);
/// Kind of object a link names: H5O_TYPE_GROUP, H5O_TYPE_DATASET, or H5O_TYPE_UNKNOWN.
H5O_type_t linkType(hid_t loc, const std::string& name);
/// Names of the links in a group, sorted by name.
std::vector<std::string> children(hid_t group, const Where& where);

// ---- attributes -------------------------------------------------------------------------

void writeAttr(hid_t obj, const std::string& name, std::string_view value, const Where& where);
void writeAttr(hid_t obj, const std::string& name, double value, const Where& where);
void writeAttr(hid_t obj, const std::string& name, std::int64_t value, const Where& where);
void writeAttr(hid_t obj, const std::string& name, const std::vector<std::string>& values,
               const Where& where);
void writeAttr(hid_t obj, const std::string& name, const std::vector<double>& values,
               const Where& where);
void writeAttr(hid_t obj, const std::string& name, const AttributeValue& value, const Where& where);

/// What an attribute holds, for checks and for reading attributes of unknown type.
struct AttrShape {
    H5T_class_t type_class = H5T_NO_CLASS;
    std::size_t elements = 0;  ///< number of values (1 for a scalar)
    bool scalar = false;       ///< dataspace is H5S_SCALAR
};
bool hasAttr(hid_t obj, const std::string& name);
AttrShape attrShape(hid_t obj, const std::string& name, const Where& where);
std::vector<std::string> attrNames(hid_t obj, const Where& where);

/// Reads a string attribute (scalar or one-element), fixed or variable length; nullopt when
/// absent; throws when present but not a string.
std::optional<std::string> readStringAttr(hid_t obj, const std::string& name, const Where& where);
std::optional<std::vector<std::string>> readStringsAttr(hid_t obj, const std::string& name,
                                                        const Where& where);
/// Reads an integer or float attribute (one value) as double; nullopt when absent.
std::optional<double> readNumberAttr(hid_t obj, const std::string& name, const Where& where);
std::optional<std::int64_t> readIntAttr(hid_t obj, const std::string& name, const Where& where);
std::optional<std::vector<double>> readNumbersAttr(hid_t obj, const std::string& name,
                                                   const Where& where);
/// Scalar int / float / string attribute as an AttributeValue; nullopt for other shapes.
std::optional<AttributeValue> readAnyAttr(hid_t obj, const std::string& name, const Where& where);

// ---- datasets ---------------------------------------------------------------------------

/// Storage options of a signal dataset.
struct Storage {
    std::size_t chunk_rows = 8192;
    int deflate_level = 4;
    /// Fill value of the file (used for rows that were never written); NaN for `time` of live
    /// files, which makes an unwritten row recognisable.
    std::optional<double> fill;
};

/// Creates a chunked dataset (rows x cols, or rows when cols == 0) of `file_type` with an
/// unlimited first dimension, shuffle + deflate + Fletcher-32, and writes `rows` rows from a
/// row-major buffer of `mem_type` (nothing when rows == 0).
Hid writeSignal(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                const void* data, std::size_t rows, std::size_t cols, const Storage& storage,
                const Where& where);
/// A scalar float64 dataset (metrics).
Hid writeScalar(hid_t loc, const std::string& name, double value, const Where& where);
/// A 1-D dataset of variable-length UTF-8 strings (chunked, deflated).
Hid writeStrings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                 const Storage& storage, const Where& where);

/// Shape of a dataset: rank and dims.
struct DataShape {
    int rank = 0;
    std::size_t rows = 0;
    std::size_t cols = 0;  ///< 0 for rank 1
};
DataShape dataShape(hid_t dataset, const Where& where);
/// Reads the whole dataset converted to double, row-major; `rows` limits the rows read.
std::vector<double> readDoubles(hid_t dataset, const Where& where,
                                std::optional<std::size_t> rows = std::nullopt);
std::vector<std::int64_t> readInt64s(hid_t dataset, const Where& where,
                                     std::optional<std::size_t> rows = std::nullopt);
std::vector<std::string> readStrings(hid_t dataset, const Where& where,
                                     std::optional<std::size_t> rows = std::nullopt);

/// Appends rows (row-major buffer of mem_type) to a chunked dataset with an unlimited first
/// dimension, growing it.
void appendRows(hid_t dataset, hid_t mem_type, const void* data, std::size_t rows, std::size_t cols,
                const Where& where);

/// Joins HDF5 paths: join("/a", "b") == "/a/b".
std::string join(std::string_view parent, std::string_view child);

}  // namespace stance::datasets::h5
