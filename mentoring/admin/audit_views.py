"""The audit log for administrators: search by person, action, record and date; export."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from mentoring import audit
from mentoring.admin import bp
from mentoring.csvutil import write_csv
from mentoring.db import get_session
from mentoring.forms import AppForm, DateInputField, GovSelect, GovTextInput, choice_list
from mentoring.models import Role, service_today
from mentoring.read import audit as read
from mentoring.security import roles_allowed


class AuditSearchForm(AppForm):
    class Meta:
        csrf = False

    who = StringField("Who", description="Part of a name or email address", widget=GovTextInput())
    action = SelectField(
        "Action", widget=GovSelect(), validators=[Optional()], validate_choice=False
    )
    object_type = SelectField(
        "Record",
        widget=GovSelect(),
        validators=[Optional()],
        choices=choice_list(
            [
                ("", "Any"),
                ("family", "Family"),
                ("mentor", "Mentor"),
                ("match", "Match"),
                ("user", "Person's account"),
                ("concern", "Safeguarding concern"),
            ]
        ),
    )
    object_id = IntegerField(
        "Record number",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=1, max=2**31 - 1, message="Enter a record number, like 42"),
        ],
    )
    start = DateInputField("From", description="For example, 1 4 2026")
    end = DateInputField("To", description="For example, 30 6 2026")

    def validate_end(self, field: DateInputField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The end date must be on or after the start date")


def _form() -> tuple[AuditSearchForm, read.AuditFilters]:
    form = AuditSearchForm(formdata=request.args)
    ok = form.validate() if request.args else True
    if not ok:
        return form, read.AuditFilters(start=service_today(), end=service_today())
    start: date | None = form.start.data
    end: date | None = form.end.data
    return form, read.AuditFilters(
        who=(form.who.data or "").strip()[:120],
        action=form.action.data or "",
        object_type=form.object_type.data or "",
        object_id=form.object_id.data,
        start=start,
        end=end,
    )


@bp.route("/audit")
@roles_allowed(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    """Search the audit log (the newest first)."""
    form, filters = _form()
    db = get_session()
    page = read.search(db, filters, page=request.args.get("page", 1, type=int) or 1)
    form.action.choices = choice_list([("", "Any"), *((a, a) for a in page.actions)])
    audit.record_access(db, "audit.search", object_type="audit_event", count=len(page.lines))
    return render_template("admin/audit.html", form=form, page=page, query=request.args)


@bp.route("/audit/export.csv")
@roles_allowed(Role.ADMIN)
def audit_export() -> ResponseReturnValue:
    """The audit entries matching the search, as CSV (for the data protection officer)."""
    _search_form, filters = _form()
    db = get_session()
    rows = read.export_rows(db, filters)
    audit.record_access(db, "audit.export", object_type="audit_event", count=len(rows))
    return Response(
        write_csv(rows, read.EXPORT_HEADER),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{service_today()}.csv"'},
    )
