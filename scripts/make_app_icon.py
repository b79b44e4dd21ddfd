"""Draw the app's icon (a house on a green tile, a tick on its door) with Qt and write it
as ``resources/villagehelper.png`` (Linux menu, the bundle) and ``resources/villagehelper.ico``
(Windows).  The committed files are this script's output; run it again only to change the
drawing:

    QT_QPA_PLATFORM=offscreen python scripts/make_app_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen, QPolygonF

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SIZE = 256


def draw() -> QImage:
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#1b7f4c"))
    painter.drawRoundedRect(QRectF(8, 8, SIZE - 16, SIZE - 16), 40, 40)
    painter.setBrush(QColor("#fdf6e3"))
    roof = QPolygonF([QPointF(128, 40), QPointF(220, 122), QPointF(36, 122)])
    painter.drawPolygon(roof)
    painter.drawRect(QRectF(62, 118, 132, 92))
    painter.setBrush(QColor("#c0392b"))
    painter.drawRect(QRectF(104, 146, 48, 64))
    pen = QPen(QColor("#fdf6e3"), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawPolyline([QPointF(114, 178), QPointF(125, 190), QPointF(143, 164)])
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv)
    image = draw()
    ok = image.save(str(RESOURCES / "villagehelper.png"))
    ok = image.save(str(RESOURCES / "villagehelper.ico")) and ok
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
