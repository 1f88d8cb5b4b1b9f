from django.urls import path

from budget import views

app_name = "budget"

# Each area of the section keeps its routes in its own block.
urlpatterns = [
    # --- budget lines, allocation, purchase orders and invoices (budget/views.py) ---------
    path("plans/<int:plan_id>/budget/", views.section, name="section"),
    # --- requests, quarterly reallocation review and reserve fund (budget/approval_views.py)
    path("plans/<int:plan_id>/budget/requests/", views.section, name="requests"),
    path("plans/<int:plan_id>/budget/review/", views.section, name="reallocation"),
    path("plans/<int:plan_id>/budget/reserve/", views.section, name="reserve"),
    # --- departments, RACI, communication, conflict path, scores (budget/team_views.py) ---
    path("plans/<int:plan_id>/budget/collaboration/", views.section, name="collaboration"),
    # --- suppliers, reviews, clauses and the innovation fund (budget/supplier_views.py) ---
    path("plans/<int:plan_id>/budget/suppliers/", views.section, name="suppliers"),
]
