# Chinese readers group thousands with commas (¥1,234,567.00); Django's own
# zh_Hans formats leave them ungrouped. The rest is Django's.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
