"""Printed reports (QTextDocument + QPrinter). Qt GUI only: never imported by the core."""

from villagehelper.reports.weekly import build_weekly_document as build_weekly_document
from villagehelper.reports.weekly import write_pdf as write_pdf
