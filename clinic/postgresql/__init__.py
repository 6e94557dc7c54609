"""Django's PostgreSQL backend with connections that heal after a failover or an outage
(``base.py``); ``clinic/settings.py`` selects it whenever ``DATABASE_URL`` is PostgreSQL."""
