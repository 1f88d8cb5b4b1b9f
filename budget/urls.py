from django.urls import path

from budget import views

app_name = "budget"

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
    path("plans/<int:plan_id>/budget/requests/", views.section, name="requests"),
    path("plans/<int:plan_id>/budget/review/", views.section, name="reallocation"),
    path("plans/<int:plan_id>/budget/reserve/", views.section, name="reserve"),
    # --- departments, RACI, communication, conflict path, scores (budget/team_views.py) ---
    path("plans/<int:plan_id>/budget/collaboration/", views.section, name="collaboration"),
    # --- suppliers, reviews, clauses and the innovation fund (budget/supplier_views.py) ---
    path("plans/<int:plan_id>/budget/suppliers/", views.section, name="suppliers"),
]
