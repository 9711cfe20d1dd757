#pragma once
/// \file
/// Work that may take seconds (an export computing metrics over many trials, a PDF report) runs
/// on a worker thread so that the window never freezes. The work gets no widget and no catalog
/// of the UI thread: it opens its own catalog connection (datasets/catalog.hpp: one connection
/// per thread). Its result comes back on the UI thread through finished().
///
/// Thread rules: construct, start() and read on the UI thread; the work function runs on the
/// worker. The destructor waits for a running worker (deterministic shutdown, never detached).

#include <QObject>
#include <QString>
#include <QThread>
#include <functional>

namespace stance::gui {

class BackgroundTask : public QObject {
    Q_OBJECT
public:
    /// Returns a message for the user on success; throws (any std::exception) on failure.
    using Work = std::function<QString()>;

    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override;
    BackgroundTask(const BackgroundTask&) = delete;
    BackgroundTask& operator=(const BackgroundTask&) = delete;

    /// Starts `work` on a new worker thread; false when one is still running.
    bool start(Work work);
    bool running() const;

signals:
    /// On the UI thread when the work ended: ok and its message, or !ok and the error's what().
    void finished(bool ok, const QString& message);

private:
    QThread* thread_ = nullptr;
    bool ok_ = false;
    QString message_;
};

}  // namespace stance::gui
