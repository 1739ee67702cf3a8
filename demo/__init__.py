"""Invented data for demonstrations and benchmarks; the service itself never imports it.

``demo.data`` is the demo data set (`flask --app mentoring demo-data`, `make run`):
Kent's 12 districts, about 150 mentors and 600 families. ``demo.volume`` is the large
data set the reports' benchmark measures (`flask --app mentoring load-volume`).
"""
