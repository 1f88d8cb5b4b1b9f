from django.urls import path

from budget import approval_views, supplier_views, team_views, views

app_name = "budget"

TEAMS = "plans/<int:plan_id>/budget/collaboration/"
SUPPLIERS = "plans/<int:plan_id>/budget/suppliers/"

# Each area of the section keeps its routes in its own block.
urlpatterns = [
    # --- budget lines, allocation, purchase orders and invoices (budget/views.py) ---------
    path("plans/<int:plan_id>/budget/", views.section, name="section"),
    path("plans/<int:plan_id>/budget/settings/", views.settings, name="settings"),
    path("plans/<int:plan_id>/budget/allocation/", views.allocation, name="allocation"),
    path("plans/<int:plan_id>/budget/allocation/rules/", views.rules, name="rules"),
    path("plans/<int:plan_id>/budget/allocation/accept/", views.accept, name="accept"),
    path("plans/<int:plan_id>/budget/lines/new/", views.line_create, name="line-create"),
    path("plans/<int:plan_id>/budget/lines/<int:line_id>/", views.line, name="line"),
    path("plans/<int:plan_id>/budget/orders/", views.orders, name="orders"),
    path("plans/<int:plan_id>/budget/orders/new/", views.po_create, name="po-create"),
    path(
        "plans/<int:plan_id>/budget/orders/<int:order_id>/cancel/",
        views.po_cancel,
        name="po-cancel",
    ),
    path("plans/<int:plan_id>/budget/invoices/new/", views.invoice_create, name="invoice-create"),
    path(
        "plans/<int:plan_id>/budget/invoices/<int:invoice_id>/delete/",
        views.invoice_delete,
        name="invoice-delete",
    ),
    # --- requests, quarterly reallocation review and reserve fund (budget/approval_views.py)
    path("plans/<int:plan_id>/budget/requests/", approval_views.requests, name="requests"),
    path(
        "plans/<int:plan_id>/budget/requests/new/",
        approval_views.request_create,
        name="request-create",
    ),
    path(
        "plans/<int:plan_id>/budget/requests/<int:request_id>/",
        approval_views.request_detail,
        name="request",
    ),
    path(
        "plans/<int:plan_id>/budget/requests/<int:request_id>/edit/",
        approval_views.request_edit,
        name="request-edit",
    ),
    path(
        "plans/<int:plan_id>/budget/requests/<int:request_id>/step/",
        approval_views.request_step,
        name="request-step",
    ),
    path("plans/<int:plan_id>/budget/review/", approval_views.reallocation, name="reallocation"),
    path(
        "plans/<int:plan_id>/budget/review/propose/",
        approval_views.reallocation_propose,
        name="reallocation-propose",
    ),
    path(
        "plans/<int:plan_id>/budget/review/<int:review_id>/approve-all/",
        approval_views.reallocation_approve_all,
        name="reallocation-approve-all",
    ),
    path(
        "plans/<int:plan_id>/budget/review/moves/<int:move_id>/",
        approval_views.move_decide,
        name="move-decide",
    ),
    path("plans/<int:plan_id>/budget/reserve/", approval_views.reserve, name="reserve"),
    path(
        "plans/<int:plan_id>/budget/reserve/draws/new/",
        approval_views.draw_create,
        name="draw-create",
    ),
    path(
        "plans/<int:plan_id>/budget/reserve/draws/<int:draw_id>/",
        approval_views.draw_decide,
        name="draw-decide",
    ),
    # --- departments, RACI, communication, conflict path, scores (budget/team_views.py) ---
    path(f"{TEAMS}", team_views.collaboration, name="collaboration"),
    path(f"{TEAMS}departments/new/", team_views.department_create, name="department-create"),
    path(
        f"{TEAMS}departments/<int:department_id>/", team_views.department_review, name="department"
    ),
    path(
        f"{TEAMS}departments/<int:department_id>/edit/",
        team_views.department_edit,
        name="department-edit",
    ),
    path(
        f"{TEAMS}departments/<int:department_id>/scores/<int:quarter>/",
        team_views.score_edit,
        name="score-edit",
    ),
    path(f"{TEAMS}workstreams/new/", team_views.workstream_create, name="workstream-create"),
    path(f"{TEAMS}workstreams/<int:workstream_id>/", team_views.workstream_row, name="workstream"),
    path(f"{TEAMS}rules/new/", team_views.rule_create, name="rule-create"),
    path(f"{TEAMS}rules/<int:rule_id>/", team_views.rule_edit, name="rule-edit"),
    path(f"{TEAMS}group/", team_views.group_edit, name="coordinator-group"),
    path(f"{TEAMS}steps/new/", team_views.step_create, name="step-create"),
    path(f"{TEAMS}steps/<int:step_id>/", team_views.step_edit, name="step-edit"),
    path(f"{TEAMS}conflicts/new/", team_views.conflict_create, name="conflict-create"),
    path(
        f"{TEAMS}conflicts/<int:conflict_id>/", team_views.conflict_action, name="conflict-action"
    ),
    path(
        f"{TEAMS}conflicts/<int:conflict_id>/edit/", team_views.conflict_edit, name="conflict-edit"
    ),
    # --- suppliers, reviews, clauses and the innovation fund (budget/supplier_views.py) ---
    path(SUPPLIERS, supplier_views.suppliers, name="suppliers"),
    path(f"{SUPPLIERS}new/", supplier_views.supplier_create, name="supplier-create"),
    path(f"{SUPPLIERS}<int:supplier_id>/", supplier_views.supplier, name="supplier"),
    path(f"{SUPPLIERS}<int:supplier_id>/edit/", supplier_views.supplier_edit, name="supplier-edit"),
    path(
        f"{SUPPLIERS}<int:supplier_id>/reviews/new/",
        supplier_views.review_create,
        name="supplier-review-create",
    ),
    path(
        f"{SUPPLIERS}reviews/<int:review_id>/", supplier_views.review_edit, name="supplier-review"
    ),
    path(
        f"{SUPPLIERS}<int:supplier_id>/clauses/new/",
        supplier_views.clause_create,
        name="supplier-clause-create",
    ),
    path(
        f"{SUPPLIERS}clauses/<int:clause_id>/", supplier_views.clause_edit, name="supplier-clause"
    ),
    path(f"{SUPPLIERS}flags/<int:flag_id>/", supplier_views.flag_edit, name="supplier-flag"),
    path(f"{SUPPLIERS}policy/", supplier_views.policy, name="supplier-policy"),
    path(f"{SUPPLIERS}innovation/", supplier_views.innovation_fund, name="innovation-fund"),
    path(
        f"{SUPPLIERS}innovation/projects/new/",
        supplier_views.project_create,
        name="innovation-project-create",
    ),
    path(
        f"{SUPPLIERS}innovation/projects/<int:project_id>/",
        supplier_views.project_edit,
        name="innovation-project",
    ),
]
