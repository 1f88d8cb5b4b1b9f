"""PostgreSQL: at commit, the lines of a plan add up to its budget's ``allocated``.

A deferred constraint trigger, so a transfer may change the line and the budget in
either order inside one transaction. SQLite has no deferred triggers; there the
ledger's single code path and the budget row's CHECK constraints hold the rule.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION budget_lines_reconcile() RETURNS trigger AS $$
DECLARE
    plan bigint;
    lines numeric;
    booked numeric;
BEGIN
    plan := COALESCE(NEW.plan_id, OLD.plan_id);
    SELECT allocated INTO booked FROM budget_budget WHERE plan_id = plan;
    IF booked IS NULL THEN
        RETURN NULL;  -- the plan (and its budget) is being deleted
    END IF;
    SELECT COALESCE(SUM(planned), 0) INTO lines FROM budget_budgetline WHERE plan_id = plan;
    IF lines <> booked THEN
        RAISE EXCEPTION 'budget lines of plan % add up to %, the budget books %', plan, lines, booked
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER budget_line_reconciles
    AFTER INSERT OR UPDATE OR DELETE ON budget_budgetline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION budget_lines_reconcile();
CREATE CONSTRAINT TRIGGER budget_allocated_reconciles
    AFTER INSERT OR UPDATE ON budget_budget
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION budget_lines_reconcile();
"""

DROP = """
DROP TRIGGER IF EXISTS budget_line_reconciles ON budget_budgetline;
DROP TRIGGER IF EXISTS budget_allocated_reconciles ON budget_budget;
DROP FUNCTION IF EXISTS budget_lines_reconcile();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_money")]

    operations = [migrations.RunPython(forwards, backwards)]
