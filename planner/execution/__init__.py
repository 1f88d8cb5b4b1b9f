"""Section 6 of the plan, execution: quarterly milestones, the risk register and crisis
playbooks (models in ``planner.execution.models``, imported by ``planner.models``)."""
