#include "stance/gui/background_task.hpp"

#include <exception>

namespace stance::gui {

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {}

BackgroundTask::~BackgroundTask() {
    if (thread_ != nullptr) {
        thread_->wait();
        delete thread_;
    }
}

bool BackgroundTask::running() const {
    return thread_ != nullptr && !thread_->isFinished();
}

bool BackgroundTask::start(Work work) {
    if (running())
        return false;
    delete thread_;
    ok_ = false;
    message_.clear();
    // The worker writes ok_ and message_ only; the UI thread reads them after QThread::finished,
    // which is delivered once the worker's function has returned.
    thread_ = QThread::create([this, work = std::move(work)] {
        try {
            message_ = work();
            ok_ = true;
        } catch (const std::exception& e) {
            message_ = QString::fromUtf8(e.what());
            ok_ = false;
        } catch (...) {
            message_ = QStringLiteral("an unknown error");
            ok_ = false;
        }
    });
    connect(thread_, &QThread::finished, this, [this] { emit finished(ok_, message_); });
    thread_->start();
    return true;
}

}  // namespace stance::gui
