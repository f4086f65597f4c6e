#!/usr/bin/env python3
"""manage.py of the GlitchTip stand-in: migrate, createcachetable, pgpartition, sendtestemail."""
import sys

sys.path.insert(0, "/usr/local/lib/shipyard")
import glitchtip_standin  # noqa: E402

sys.exit(glitchtip_standin.manage(sys.argv[1:]))
