#!/usr/bin/env sh
# GlitchTip serves with uWSGI on $PORT (bin/run-uwsgi.sh); here the stand-in web server.
exec python3 /usr/local/lib/shipyard/glitchtip_standin.py web
