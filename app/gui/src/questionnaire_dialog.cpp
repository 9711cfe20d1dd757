#include "stance/gui/questionnaire_dialog.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "stance/app/report_model.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

QuestionnaireDialog::QuestionnaireDialog(datasets::Catalog& catalog, datasets::CatalogId session_id,
                                         const QString& session_label, QWidget* parent)
    : QDialog(parent), catalog_(catalog), session_id_(session_id) {
    setObjectName(QStringLiteral("questionnaire-dialog"));
    setWindowTitle(QStringLiteral("Questionnaire for the session of %1").arg(session_label));
    instrument_ = new QComboBox(this);
    instrument_->setObjectName(QStringLiteral("instrument"));
    for (analysis::Instrument id : analysis::allInstruments()) {
        const analysis::InstrumentInfo& info = analysis::instrumentInfo(id);
        instrument_->addItem(qs(info.name), static_cast<int>(id));
    }
    about_ = new QLabel(this);
    about_->setWordWrap(true);
    about_->setStyleSheet(QStringLiteral("QLabel { color: #444; }"));
    scroll_ = new QScrollArea(this);
    scroll_->setWidgetResizable(true);
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("questionnaire-summary"));
    summary_->setWordWrap(true);
    score_ = new QLabel(this);
    score_->setObjectName(QStringLiteral("questionnaire-score"));
    score_->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    save_ = buttons->button(QDialogButtonBox::Save);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] { save(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* top = new QHBoxLayout();
    top->addWidget(new QLabel(QStringLiteral("Instrument:"), this));
    top->addWidget(instrument_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(about_);
    layout->addWidget(scroll_, 1);
    layout->addWidget(summary_);
    layout->addWidget(score_);
    layout->addWidget(buttons);
    resize(640, 720);

    connect(instrument_, &QComboBox::currentIndexChanged, this, [this](int index) {
        setInstrument(static_cast<analysis::Instrument>(instrument_->itemData(index).toInt()));
    });
    setInstrument(analysis::allInstruments().front());
}

void QuestionnaireDialog::setInstrument(analysis::Instrument instrument) {
    const int at = instrument_->findData(static_cast<int>(instrument));
    if (at >= 0 && at != instrument_->currentIndex()) {
        const QSignalBlocker block(instrument_);
        instrument_->setCurrentIndex(at);
    }
    form_ = std::make_unique<app::QuestionnaireForm>(instrument);
    const analysis::InstrumentInfo& info = form_->info();
    about_->setText(QStringLiteral("%1. Answers: %2. Source: %3. Enter the answers of the clinic's "
                                   "licensed form; Stance shows item numbers and topics only.")
                        .arg(qs(info.name), qs(info.answers), qs(info.source)));
    buildRows();
    refreshFooter();
}

void QuestionnaireDialog::buildRows() {
    rows_.clear();
    auto* host = new QWidget();
    auto* grid = new QGridLayout(host);
    grid->setColumnStretch(2, 1);
    grid->addWidget(new QLabel(QStringLiteral("<b>Item</b>"), host), 0, 0);
    grid->addWidget(new QLabel(QStringLiteral("<b>Subscale</b>"), host), 0, 1);
    grid->addWidget(new QLabel(QStringLiteral("<b>Topic</b>"), host), 0, 2);
    grid->addWidget(new QLabel(QStringLiteral("<b>Answer</b>"), host), 0, 3);
    const std::vector<std::string> choices = form_->choices();
    const auto range = form_->numericRange();
    for (std::size_t i = 0; i < form_->itemCount(); ++i) {
        const analysis::QuestionnaireItem& item = form_->item(i);
        const int r = static_cast<int>(2 * i + 1);
        grid->addWidget(new QLabel(QString::number(item.number), host), r, 0);
        grid->addWidget(new QLabel(qs(item.subscale), host), r, 1);
        auto* topic = new QLabel(qs(item.label), host);
        topic->setWordWrap(true);
        grid->addWidget(topic, r, 2);
        Row row;
        if (!choices.empty()) {
            row.choice = new QComboBox(host);
            row.choice->setObjectName(QStringLiteral("item-%1").arg(item.number));
            row.choice->addItem(QStringLiteral("(not answered)"), QString());
            for (const std::string& c : choices)
                row.choice->addItem(qs(c), qs(c));
            grid->addWidget(row.choice, r, 3);
            connect(row.choice, &QComboBox::currentIndexChanged, this, [this, i](int index) {
                onAnswer(i, rows_[i].choice->itemData(index).toString());
            });
        } else {
            row.number = new QLineEdit(host);
            row.number->setObjectName(QStringLiteral("item-%1").arg(item.number));
            if (range)
                row.number->setPlaceholderText(
                    QStringLiteral("%1-%2%3")
                        .arg(range->first)
                        .arg(range->second)
                        .arg(form_->wholeNumbers() ? QStringLiteral(", whole number") : QString()));
            row.number->setMaximumWidth(170);
            grid->addWidget(row.number, r, 3);
            connect(row.number, &QLineEdit::textChanged, this,
                    [this, i](const QString& text) { onAnswer(i, text); });
        }
        row.message = new QLabel(host);
        row.message->setStyleSheet(
            QStringLiteral("QLabel { color: %1; }").arg(colours::kProblem.name()));
        row.message->hide();
        grid->addWidget(row.message, r + 1, 2, 1, 2);
        rows_.push_back(row);
    }
    grid->setRowStretch(static_cast<int>(2 * form_->itemCount() + 1), 1);
    scroll_->setWidget(host);  // deletes the previous instrument's rows
}

void QuestionnaireDialog::onAnswer(std::size_t index, const QString& text) {
    const app::ItemStatus& st = form_->setAnswer(index, ss(text.trimmed()));
    Row& row = rows_[index];
    QWidget* input = row.choice != nullptr ? static_cast<QWidget*>(row.choice)
                                           : static_cast<QWidget*>(row.number);
    if (st.state == app::ItemState::kInvalid) {
        row.message->setText(qs(st.message));
        row.message->show();
        input->setStyleSheet(QStringLiteral("border: 1px solid %1;").arg(colours::kProblem.name()));
    } else {
        row.message->clear();
        row.message->hide();
        input->setStyleSheet(QString());
    }
    refreshFooter();
}

void QuestionnaireDialog::setAnswer(std::size_t index, const QString& text) {
    if (index >= rows_.size())
        return;
    Row& row = rows_[index];
    if (row.choice != nullptr) {
        const int at = row.choice->findData(text.trimmed().toLower());
        if (at >= 0) {
            row.choice->setCurrentIndex(at);
        } else {
            // Not one of the choices: validated (and reported) as typed.
            onAnswer(index, text);
        }
    } else {
        row.number->setText(text);
    }
}

void QuestionnaireDialog::refreshFooter() {
    const bool ok = form_->complete();
    setStatusLabel(*summary_, qs(form_->summaryText()), ok ? colours::kOk : colours::kWaiting);
    const auto score = form_->score();
    if (score) {
        QString text =
            QStringLiteral("Score: %1 of %2")
                .arg(qs(app::formatNumber(score->total)), qs(app::formatNumber(score->max_total)));
        QStringList subs;
        for (const analysis::Subscore& s : score->subscales)
            subs << QStringLiteral("%1 %2/%3")
                        .arg(qs(s.name), qs(app::formatNumber(s.value)),
                             qs(app::formatNumber(s.max)));
        if (!subs.isEmpty())
            text += QStringLiteral(" (%1)").arg(subs.join(QStringLiteral(", ")));
        if (!score->band.empty())
            text += QStringLiteral(": %1 (%2)").arg(qs(score->band), qs(score->band_source));
        score_->setText(text);
    } else {
        score_->setText(QStringLiteral("Score: shown when every item has a valid answer (%1 of %2 "
                                       "so far)")
                            .arg(form_->answeredCount())
                            .arg(form_->itemCount()));
    }
    save_->setEnabled(ok);
}

QString QuestionnaireDialog::itemMessage(std::size_t index) const {
    return index < rows_.size() ? rows_[index].message->text() : QString();
}

QString QuestionnaireDialog::summaryText() const {
    return summary_->text();
}
QString QuestionnaireDialog::scoreText() const {
    return score_->text();
}
bool QuestionnaireDialog::canSave() const {
    return form_->complete();
}

bool QuestionnaireDialog::save() {
    if (!form_->complete()) {
        setStatusLabel(*summary_, qs(form_->summaryText()), colours::kProblem);
        return false;
    }
    try {
        app::saveQuestionnaire(catalog_, session_id_, *form_);
    } catch (const std::exception& e) {
        setStatusLabel(*summary_, QStringLiteral("Not saved: %1").arg(qs(e.what())),
                       colours::kProblem);
        return false;
    }
    emit saved(session_id_);
    accept();
    return true;
}

}  // namespace stance::gui
