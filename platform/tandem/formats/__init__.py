"""Tandem's own date and time formats (``FORMAT_MODULE_PATH``).

Django's English formats are American (month first, 12-hour clock, weeks from
Sunday); Tandem serves European programmes, so its English is the European one.
Django has no Somali formats at all, so Somali would fall back to the American
defaults of the settings. Arabic and Persian keep Django's formats but start the
week on Monday, as the calendars of the countries their readers live in do
(a module here only needs the values it changes).
"""
