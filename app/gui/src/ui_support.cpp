#include "stance/gui/ui_support.hpp"

#include <QChart>
#include <QLabel>
#include <QLegend>
#include <QMessageBox>
#include <QValueAxis>
#include <cmath>

namespace stance::gui {

QString formatNumber(double value, int decimals) {
    if (!std::isfinite(value))
        return QStringLiteral("-");
    return QString::number(value, 'f', decimals);
}

QFont chartTitleFont() {
    QFont f;
    f.setPointSizeF(11.0);
    f.setBold(true);
    return f;
}

QFont axisTitleFont() {
    QFont f;
    f.setPointSizeF(10.0);
    return f;
}

QFont axisLabelFont() {
    QFont f;
    f.setPointSizeF(9.0);
    return f;
}

void styleChart(QChart& chart, const QString& title) {
    chart.setTitle(title);
    chart.setTitleFont(chartTitleFont());
    chart.setAnimationOptions(QChart::NoAnimation);
    chart.setBackgroundRoundness(0);
    chart.setMargins(QMargins(6, 4, 10, 4));
    chart.legend()->setAlignment(Qt::AlignBottom);
    chart.legend()->setFont(axisLabelFont());
}

void styleAxis(QValueAxis& axis, const QString& title) {
    axis.setTitleText(title);
    axis.setTitleFont(axisTitleFont());
    axis.setLabelsFont(axisLabelFont());
    axis.setGridLineColor(QColor(0xe0, 0xe0, 0xe0));
    axis.setMinorGridLineVisible(false);
}

void showError(QWidget* parent, const QString& title, const QString& text) {
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box->setObjectName(QStringLiteral("stance-error"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

void setStatusLabel(QLabel& label, const QString& text, const QColor& colour) {
    label.setText(text);
    label.setStyleSheet(
        QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(colour.name()));
}

}  // namespace stance::gui
