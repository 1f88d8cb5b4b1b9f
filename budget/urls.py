from django.urls import path

from budget import approval_views, views

app_name = "budget"

# Each area of the section keeps its routes in its own block.
urlpatterns = [
    # --- budget lines, allocation, purchase orders and invoices (budget/views.py) ---------
    path("plans/<int:plan_id>/budget/", views.section, name="section"),
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
    path("plans/<int:plan_id>/budget/collaboration/", views.section, name="collaboration"),
    # --- suppliers, reviews, clauses and the innovation fund (budget/supplier_views.py) ---
    path("plans/<int:plan_id>/budget/suppliers/", views.section, name="suppliers"),
]
