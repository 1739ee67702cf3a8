"""Recruitment: the optimiser tells provider staff whom to recruit and whom to train.

Provider staff plan for every district, coordinators for their own (a plan beyond them
answers 404, as a missing one does). A plan runs as a background job (`recruitment_plan`)
and is kept in the job's result: profiles, figures and counts, never a family.
"""

from __future__ import annotations

from flask import Response, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring import audit
from mentoring.csvutil import write_csv
from mentoring.db import get_session
from mentoring.exceptions import Conflict
from mentoring.forms import choice_list
from mentoring.jobs import runner as jobs
from mentoring.jobs.pages import redirect_to_job
from mentoring.models import Role
from mentoring.read import recruitment as read
from mentoring.read.districts import DistrictOption
from mentoring.reports import bp
from mentoring.reports.forms import RecruitmentForm
from mentoring.reports.recruitment import CSV_HEADER, csv_rows, present
from mentoring.security import roles_allowed
from mentoring.services.common.scope import visible_district_ids
from mentoring.services.matching.recruitment import BUDGET
from mentoring.services.reports import small_number_threshold

RECRUITMENT_ROLES = (Role.PROVIDER, Role.COORDINATOR, Role.ADMIN)


def _districts() -> list[DistrictOption]:
    return read.plannable(
        get_session(), role=current_user.role, district_ids=list(current_user.district_ids)
    )


@bp.route("/recruitment", methods=["GET", "POST"])
@roles_allowed(*RECRUITMENT_ROLES)
def recruitment() -> ResponseReturnValue:
    """Start a recruitment plan and list your latest plans."""
    db = get_session()
    districts = _districts()
    form = RecruitmentForm()
    scopes = [(str(d.id), d.name) for d in districts]
    if len(districts) > 1:
        everyone = current_user.role != Role.COORDINATOR.value
        scopes.insert(
            0, ("all", "All districts" if everyone else f"All my districts ({len(districts)})")
        )
    form.scope.choices = choice_list(scopes)
    if form.validate_on_submit():
        ids = sorted(
            d.id for d in districts if form.scope.data == "all" or str(d.id) == form.scope.data
        )
        try:
            job = jobs.start(
                db,
                read.KIND,
                params={"district_ids": ids},
                actor_id=current_user.id,
                lock_key="recruitment:" + ",".join(str(i) for i in ids),
                busy_message="A recruitment plan for these districts is already waiting or "
                "running. Wait for it to finish.",
            )
        except Conflict as err:
            form.scope.errors = [*form.scope.errors, err.message]
        else:
            current_app.logger.info("recruitment plan", extra={"event": "recruitment_plan"})
            return redirect_to_job(job)
    plans = read.recent_plans(db, user_id=current_user.id, districts=districts)
    return render_template(
        "reports/recruitment.html", form=form, plans=plans, budget=BUDGET, districts=districts
    )


@bp.route("/recruitment/<int:job_id>")
@roles_allowed(*RECRUITMENT_ROLES)
def recruitment_plan(job_id: int) -> ResponseReturnValue:
    """A plan: whom to recruit for 1 to 10 recruits, whom to train, whom they would serve."""
    stored = read.stored_plan(get_session(), job_id=job_id, districts=_districts())
    # Counts of families by district and need are exact for districts whose families the
    # user may see (a coordinator's own), small numbers suppressed otherwise.
    own = set(stored.plan["district_ids"]) <= visible_district_ids(current_user)
    threshold = None if own else small_number_threshold()
    return render_template(
        "reports/recruitment_plan.html",
        stored=stored,
        view=present(stored, threshold=threshold),
        budget=BUDGET,
        threshold=threshold,
    )


@bp.route("/recruitment/<int:job_id>/plan.csv")
@roles_allowed(*RECRUITMENT_ROLES)
def recruitment_csv(job_id: int) -> ResponseReturnValue:
    """The plan as CSV: each recruit's profile and figures, then each mentor to train."""
    db = get_session()
    stored = read.stored_plan(db, job_id=job_id, districts=_districts())
    rows = csv_rows(stored)
    audit.record_access(
        db, "report.export", object_type="report", report="recruitment", rows=len(rows)
    )
    return Response(
        write_csv(rows, CSV_HEADER),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="recruitment-{job_id}.csv"'},
    )
