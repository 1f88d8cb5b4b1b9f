"""``makemessages`` that also extracts the ``N_`` marker of the pure modules.

kpis/formulas.py and kpis/breakdown.py may not import Django (an import-linter contract),
yet their error messages, unit rules and breakdown rules are shown to users and must be
translated. They mark each text with a no-op ``N_("...")`` (kpis/messages.py translates it
at the Django boundary), and this command teaches xgettext that keyword, so those texts land
in locale/*/LC_MESSAGES/django.po like any ``gettext`` call.

How Django 5.2 runs xgettext: for the ``django`` domain, every Python file — and every
template, which is first turned into Python — goes through one ``xgettext
--language=Python`` call with Django's own ``--keyword=`` list, followed by
``self.xgettext_options``. Adding ``--keyword=N_`` there makes xgettext extract the first
argument of ``N_`` in .py files (templates never contain it), and mark a template with
``%(name)s`` placeholders ``#, python-format`` so that compilemessages checks that a
translation keeps them. The same options are passed to the ``djangojs`` domain, whose
JavaScript has no ``N_``.

The command overrides Django's of the same name because ``planner`` is an installed app
(app commands win over core ones); run it as before: ``make messages``.
"""

from __future__ import annotations

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=N_"]
