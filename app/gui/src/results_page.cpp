#include "stance/gui/results_page.hpp"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "stance/app/catalog_access.hpp"
#include "stance/app/report_model.hpp"
#include "stance/gui/charts.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

QTableWidget* makeTable(QWidget* parent, const QStringList& headers, const QString& name) {
    auto* t = new QTableWidget(parent);
    t->setObjectName(name);
    t->setColumnCount(static_cast<int>(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return t;
}

/// Shrinks a table to its rows so that the page scrolls as one.
void fitHeight(QTableWidget& t) {
    t.resizeColumnsToContents();
    t.resizeRowsToContents();
    int h = t.horizontalHeader()->height() + 2 * t.frameWidth();
    for (int r = 0; r < t.rowCount(); ++r)
        h += t.rowHeight(r);
    t.setFixedHeight(h + 2);
}

QTableWidgetItem* cell(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled);
    return item;
}

QString optional(const std::optional<double>& v, int decimals) {
    return v ? formatNumber(*v, decimals) : QStringLiteral("-");
}

QString bandText(const app::NormResult& n) {
    switch (n.band) {
        case analysis::NormBand::kBelowP5:
            return QStringLiteral("below p5 (outside)");
        case analysis::NormBand::kWithinP5P95:
            return n.percentile
                       ? QStringLiteral("within p5-p95 (p%1)").arg(formatNumber(*n.percentile, 0))
                       : QStringLiteral("within p5-p95");
        case analysis::NormBand::kAboveP95:
            return QStringLiteral("above p95 (outside)");
    }
    return {};
}

int decimalsFor(const std::string& unit) {
    if (unit == "mm^2")
        return 0;
    if (unit == "Hz")
        return 2;
    return 1;
}

QString displayUnit(const std::string& unit) {
    return qs(app::readableUnits(unit));
}

}  // namespace

ResultsPage::ResultsPage(QWidget* parent) : QWidget(parent) {
    auto* inner = new QWidget();
    header_ = new QLabel(inner);
    header_->setObjectName(QStringLiteral("results-header"));
    header_->setWordWrap(true);
    header_->setTextFormat(Qt::RichText);

    conditions_ = makeTable(
        inner,
        {QStringLiteral("Condition"), QStringLiteral("Usable trials"),
         QStringLiteral("COP velocity (mm/s)"), QStringLiteral("Sway area, 95 % ellipse (mm²)"),
         QStringLiteral("COM sway velocity (deg/s)"), QStringLiteral("Note")},
        QStringLiteral("condition-table"));
    norms_ = makeTable(
        inner,
        {QStringLiteral("Condition"), QStringLiteral("Measure"), QStringLiteral("Patient"),
         QStringLiteral("p5"), QStringLiteral("p50"), QStringLiteral("p95"),
         QStringLiteral("Against the norms"), QStringLiteral("Compared with")},
        QStringLiteral("norm-table"));
    scores_ = makeTable(inner,
                        {QStringLiteral("Score"), QStringLiteral("Value"), QStringLiteral("Unit"),
                         QStringLiteral("Source / why missing")},
                        QStringLiteral("score-table"));
    questionnaires_ =
        makeTable(inner,
                  {QStringLiteral("Questionnaire"), QStringLiteral("Total"),
                   QStringLiteral("Subscales"), QStringLiteral("Band"), QStringLiteral("Source")},
                  QStringLiteral("questionnaire-table"));
    norm_note_ = new QLabel(inner);
    norm_note_->setObjectName(QStringLiteral("norm-source"));
    norm_note_->setWordWrap(true);
    norm_note_->setTextFormat(Qt::RichText);
    notes_ = new QLabel(inner);
    notes_->setWordWrap(true);

    auto section = [inner](const QString& text) {
        auto* l = new QLabel(QStringLiteral("<b style=\"font-size:12pt\">%1</b>").arg(text), inner);
        return l;
    };
    auto* stabilograms = new QWidget(inner);
    stabilogram_grid_ = new QGridLayout(stabilograms);
    stabilogram_grid_->setContentsMargins(0, 0, 0, 0);

    auto* layout = new QVBoxLayout(inner);
    layout->addWidget(header_);
    layout->addWidget(section(QStringLiteral("Conditions")));
    layout->addWidget(conditions_);
    layout->addWidget(section(QStringLiteral("Against the normative bands")));
    layout->addWidget(norms_);
    layout->addWidget(norm_note_);
    layout->addWidget(
        section(QStringLiteral("Stabilograms (representative trial of each "
                               "condition, common scale)")));
    layout->addWidget(stabilograms);
    layout->addWidget(section(QStringLiteral("Protocol scores")));
    layout->addWidget(scores_);
    layout->addWidget(section(QStringLiteral("Questionnaires")));
    layout->addWidget(questionnaires_);
    layout->addWidget(notes_);
    layout->addStretch(1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(inner);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    clearPage();
}

void ResultsPage::load(const datasets::Catalog& catalog, datasets::CatalogId session_id) {
    showResults(app::loadSessionResults(catalog, session_id));
}

void ResultsPage::clearPage(const QString& message) {
    results_.reset();
    header_->setText(
        message.isEmpty()
            ? QStringLiteral("Choose a session on the patient page to see its results.")
            : message.toHtmlEscaped());
    for (QTableWidget* t : {conditions_, norms_, scores_, questionnaires_}) {
        t->setRowCount(0);
        fitHeight(*t);
    }
    norm_note_->clear();
    notes_->clear();
    for (StabilogramView* v : stabilograms_) {
        stabilogram_grid_->removeWidget(v);
        v->hide();
        v->deleteLater();
    }
    stabilograms_.clear();
}

void ResultsPage::showResults(app::SessionResults results) {
    clearPage();
    results_ = std::move(results);
    const app::SessionResults& r = *results_;
    QString name = qs(r.patient.given_name + " " + r.patient.family_name).trimmed();
    header_->setText(
        QStringLiteral("<span style=\"font-size:14pt; font-weight:bold\">%1</span> &nbsp;%2<br>"
                       "%3 &nbsp;·&nbsp; session of %4 &nbsp;·&nbsp; operator %5 &nbsp;·&nbsp; %6")
            .arg(
                name.toHtmlEscaped(), qs(r.patient.subject_code).toHtmlEscaped(),
                qs(r.protocol_name).toHtmlEscaped(),
                qs(app::sessionStartLabel(r.session)).toHtmlEscaped(),
                qs(r.session.operator_name.empty() ? "-" : r.session.operator_name).toHtmlEscaped(),
                r.age_years ? QStringLiteral("%1 years at the session").arg(*r.age_years)
                            : QStringLiteral("age unknown")));
    fillConditions();
    fillNorms();
    fillScores();
    fillQuestionnaires();
    fillStabilograms();
    QStringList notes;
    for (const std::string& n : r.notes)
        notes << QStringLiteral("• ") + qs(n);
    notes_->setText(notes.isEmpty() ? QString() : QStringLiteral("Notes:\n") + notes.join('\n'));
}

void ResultsPage::fillConditions() {
    const app::SessionResults& r = *results_;
    conditions_->setRowCount(static_cast<int>(r.conditions.size()));
    int row = 0;
    for (const app::ConditionResult& c : r.conditions) {
        conditions_->setItem(row, 0, cell(qs(c.label)));
        conditions_->setItem(row, 1,
                             cell(QStringLiteral("%1 of %2").arg(c.n_usable).arg(c.n_expected)));
        conditions_->setItem(row, 2, cell(optional(c.cop_velocity_mm_s, 1)));
        conditions_->setItem(row, 3, cell(optional(c.cop_area_mm2, 0)));
        conditions_->setItem(row, 4, cell(optional(c.sway_velocity_deg_s, 2)));
        QStringList note;
        if (!c.missing_reason.empty())
            note << qs(c.missing_reason);
        for (const app::TrialResult& t : c.trials) {
            if (!t.note.empty())
                note << QStringLiteral("trial %1: %2").arg(t.repetition).arg(qs(t.note));
        }
        conditions_->setItem(row, 5, cell(note.join(QStringLiteral("; "))));
        for (int col = 2; col <= 4; ++col)
            conditions_->item(row, col)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        ++row;
    }
    fitHeight(*conditions_);
}

void ResultsPage::fillNorms() {
    const app::SessionResults& r = *results_;
    int rows = 0;
    for (const app::ConditionResult& c : r.conditions)
        rows += static_cast<int>(c.norms.size());
    norms_->setRowCount(rows);
    int row = 0;
    int outside = 0;
    for (const app::ConditionResult& c : r.conditions) {
        for (const app::NormResult& n : c.norms) {
            const int d = decimalsFor(n.unit);
            const QString unit = displayUnit(n.unit);
            const bool inside = n.band == analysis::NormBand::kWithinP5P95;
            outside += inside ? 0 : 1;
            norms_->setItem(row, 0, cell(qs(c.label)));
            norms_->setItem(row, 1, cell(QStringLiteral("%1 (%2)").arg(qs(n.label), unit)));
            norms_->setItem(row, 2, cell(formatNumber(n.value, d)));
            norms_->setItem(row, 3, cell(formatNumber(n.p5, d)));
            norms_->setItem(row, 4, cell(formatNumber(n.p50, d)));
            norms_->setItem(row, 5, cell(formatNumber(n.p95, d)));
            auto* band = cell(bandText(n));
            band->setBackground(inside ? colours::kInsideFill : colours::kOutsideFill);
            band->setForeground(inside ? colours::kInsideNorm : colours::kOutsideNorm);
            QFont bold = band->font();
            bold.setBold(true);
            band->setFont(bold);
            norms_->setItem(row, 6, band);
            norms_->item(row, 2)->setForeground(inside ? colours::kInsideNorm
                                                       : colours::kOutsideNorm);
            norms_->item(row, 2)->setFont(bold);
            QString who =
                QStringLiteral("%1, %2 (n = %3)").arg(qs(n.group), qs(n.source)).arg(n.n_subjects);
            norms_->setItem(row, 7, cell(who));
            QStringList tip;
            tip << QStringLiteral("Table %1").arg(qs(n.table));
            for (const std::string& cv : n.caveats)
                tip << qs(cv);
            for (int col = 0; col < 8; ++col)
                norms_->item(row, col)->setToolTip(tip.join('\n'));
            for (int col = 2; col <= 5; ++col)
                norms_->item(row, col)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            ++row;
        }
    }
    fitHeight(*norms_);
    QString group = r.norm_group.empty() ? QStringLiteral("no normative group (age unknown)")
                                         : qs(r.norm_group);
    norm_note_->setText(
        QStringLiteral("<span style=\"background:%1; color:%2\">&nbsp;within p5-p95&nbsp;</span> "
                       "&nbsp;<span style=\"background:%3; color:%4\">&nbsp;outside p5-p95&nbsp;"
                       "</span> &nbsp; %5 of %6 values outside. Norms for %7: %8")
            .arg(colours::kInsideFill.name(), colours::kInsideNorm.name(),
                 colours::kOutsideFill.name(), colours::kOutsideNorm.name())
            .arg(outside)
            .arg(rows)
            .arg(group.toHtmlEscaped(),
                 qs(r.norm_source.empty() ? std::string(analysis::kNormSource) : r.norm_source)
                     .toHtmlEscaped()));
}

void ResultsPage::fillScores() {
    const app::SessionResults& r = *results_;
    scores_->setRowCount(static_cast<int>(r.scores.size()));
    int row = 0;
    for (const app::ScoreResult& s : r.scores) {
        scores_->setItem(row, 0, cell(qs(s.label)));
        scores_->setItem(row, 1,
                         cell(s.value ? qs(app::formatNumber(*s.value)) : QStringLiteral("-")));
        scores_->item(row, 1)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        scores_->setItem(row, 2, cell(displayUnit(s.unit)));
        scores_->setItem(row, 3, cell(s.value ? qs(s.source) : qs(s.missing_reason)));
        if (!s.value)
            scores_->item(row, 3)->setForeground(colours::kWaiting);
        ++row;
    }
    fitHeight(*scores_);
}

void ResultsPage::fillQuestionnaires() {
    const app::SessionResults& r = *results_;
    questionnaires_->setRowCount(static_cast<int>(r.questionnaires.size()));
    int row = 0;
    for (const app::QuestionnaireResult& q : r.questionnaires) {
        questionnaires_->setItem(row, 0, cell(qs(q.name)));
        questionnaires_->setItem(row, 1,
                                 cell(QStringLiteral("%1 of %2 %3")
                                          .arg(qs(app::formatNumber(q.total)),
                                               qs(app::formatNumber(q.max_total)), qs(q.unit))));
        QStringList subs;
        for (const analysis::Subscore& s : q.subscales)
            subs << QStringLiteral("%1 %2/%3")
                        .arg(qs(s.name), qs(app::formatNumber(s.value)),
                             qs(app::formatNumber(s.max)));
        questionnaires_->setItem(row, 2, cell(subs.join(QStringLiteral(", "))));
        questionnaires_->setItem(row, 3, cell(q.band.empty() ? QStringLiteral("-") : qs(q.band)));
        questionnaires_->setItem(row, 4,
                                 cell(qs(q.band_source.empty() ? q.source : q.band_source)));
        ++row;
    }
    fitHeight(*questionnaires_);
}

void ResultsPage::fillStabilograms() {
    const app::SessionResults& r = *results_;
    // One scale for all conditions, so that a larger sway looks larger.
    double half_mm = 10.0;
    for (const app::ConditionResult& c : r.conditions) {
        if (c.representative < 0)
            continue;
        const auto& s = c.trials[static_cast<std::size_t>(c.representative)].stabilogram;
        if (!s)
            continue;
        for (const auto* pts : {&s->path_m, &s->ellipse_m}) {
            for (const app::PlotPoint& p : *pts) {
                if (std::isfinite(p.x) && std::isfinite(p.y))
                    half_mm = std::max({half_mm, std::abs(p.x) * 1000.0, std::abs(p.y) * 1000.0});
            }
        }
    }
    int col = 0;
    for (const app::ConditionResult& c : r.conditions) {
        auto* view = new StabilogramView(qs(c.label));
        view->setObjectName(QStringLiteral("stabilogram-") + qs(c.condition));
        view->setMinimumSize(260, 290);
        if (c.representative >= 0 &&
            c.trials[static_cast<std::size_t>(c.representative)].stabilogram) {
            const app::TrialResult& t = c.trials[static_cast<std::size_t>(c.representative)];
            const app::Stabilogram& s = *t.stabilogram;
            view->setPath(s.path_m, s.ellipse_m, app::PlotPoint{0.0, 0.0}, half_mm);
            view->setCaption(s.ellipse ? QStringLiteral("trial %1 · 95 % ellipse %2 mm²")
                                             .arg(t.repetition)
                                             .arg(formatNumber(s.ellipse->area_m2 * 1e6, 0))
                                       : QStringLiteral("trial %1 · no ellipse").arg(t.repetition));
        } else {
            view->clearPath(QStringLiteral("no recording"));
        }
        stabilogram_grid_->addWidget(view, 0, col++);
        stabilograms_.push_back(view);
    }
}

}  // namespace stance::gui
