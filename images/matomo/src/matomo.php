<?php // shipyard matomo stand-in: marks /var/www/html as populated, as Matomo's own matomo.php does for the entrypoint
