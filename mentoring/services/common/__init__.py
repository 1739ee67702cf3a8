"""The lowest service layer: what every context shares.

`dates` (months and dates as people read them), `scope` (who may see which district's
records), `locks` (row locks for a unit of work), `holding` (which matches hold a slot
and how many each mentor holds), `notify` (messages on the home page and emails, sent
after the change commits), `mail` (the email transport), `endings` (every way a match
ends). Nothing here imports a context package (vetting, families, matching...).
"""
