"""Plan versions (submitted, baseline, snapshot), their diffs, and scenarios (issue 10 item 7)."""
