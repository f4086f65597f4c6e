<?php
/**
 * wp-config.php written from the container's environment at first start (by
 * docker-entrypoint.sh), with the behaviour of docker-library/wordpress's
 * wp-config-docker.php and FrankenWP's FORCE_HTTPS line: every setting is read
 * as <NAME>_FILE (a file's content, trailing line breaks dropped), else <NAME>,
 * else the upstream default.
 */
if (!function_exists('getenv_docker')) {
	// wp-cli may load this file twice
	function getenv_docker($name, $default) {
		$file = getenv($name . '_FILE');
		if ($file) {
			return rtrim(file_get_contents($file), "\r\n");
		}
		$value = getenv($name);
		return $value !== false ? $value : $default;
	}
}

// FrankenWP: FORCE_HTTPS=1 makes WordPress assume HTTPS (TLS ends at a proxy).
if (!!getenv('FORCE_HTTPS')) {
	$_SERVER['HTTPS'] = 'on';
	define('FS_METHOD', 'direct');
	set_time_limit(300);
}

define('DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', getenv_docker('WORDPRESS_DB_USER', 'example username'));
define('DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password'));
define('DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', getenv_docker('WORDPRESS_DB_CHARSET', 'utf8mb4'));
define('DB_COLLATE', getenv_docker('WORDPRESS_DB_COLLATE', ''));

// The entrypoint replaces each unset key's placeholder with a random value.
define('AUTH_KEY', getenv_docker('WORDPRESS_AUTH_KEY', 'put your unique phrase here'));
define('SECURE_AUTH_KEY', getenv_docker('WORDPRESS_SECURE_AUTH_KEY', 'put your unique phrase here'));
define('LOGGED_IN_KEY', getenv_docker('WORDPRESS_LOGGED_IN_KEY', 'put your unique phrase here'));
define('NONCE_KEY', getenv_docker('WORDPRESS_NONCE_KEY', 'put your unique phrase here'));
define('AUTH_SALT', getenv_docker('WORDPRESS_AUTH_SALT', 'put your unique phrase here'));
define('SECURE_AUTH_SALT', getenv_docker('WORDPRESS_SECURE_AUTH_SALT', 'put your unique phrase here'));
define('LOGGED_IN_SALT', getenv_docker('WORDPRESS_LOGGED_IN_SALT', 'put your unique phrase here'));
define('NONCE_SALT', getenv_docker('WORDPRESS_NONCE_SALT', 'put your unique phrase here'));

$table_prefix = getenv_docker('WORDPRESS_TABLE_PREFIX', 'wp_');

define('WP_DEBUG', !!getenv_docker('WORDPRESS_DEBUG', ''));

// Behind a proxy that terminates HTTPS.
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && strpos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}

$configExtra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '');
if ($configExtra) {
	eval($configExtra);
}

if (!defined('ABSPATH')) {
	define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
