from planner.sections import section_view

section = section_view("budget")
