<?php
/**
 * The application's settings, as StoneScriptPHP's App\Env holds them
 * (DATABASE_HOST, DATABASE_PORT, DATABASE_USER, DATABASE_PASSWORD,
 * DATABASE_DBNAME, DATABASE_TIMEOUT, DATABASE_APPNAME, DEBUG_MODE, TIMEZONE):
 * each from the process environment, else from /var/www/html/.env, else the default.
 */
final class Env
{
    public static string $DATABASE_HOST = '';
    public static int $DATABASE_PORT = 5432;
    public static string $DATABASE_USER = '';
    public static string $DATABASE_PASSWORD = '';
    public static string $DATABASE_DBNAME = '';
    public static int $DATABASE_TIMEOUT = 30;
    public static string $DATABASE_APPNAME = 'StoneScriptPHP';
    /** HMAC-SHA256 key of GitHub's X-Hub-Signature-256; empty: signatures are not checked. */
    public static string $GITHUB_WEBHOOK_SECRET = '';
    /** The branch whose pushes queue a platform deployment (seed 003: staging | prod). */
    public static string $DEPLOY_BRANCH = '';
    public static int $DEBUG_MODE = 0;
    public static string $TIMEZONE = 'UTC';

    public static function load(string $dotenv): void
    {
        $file = [];
        if (is_readable($dotenv)) {
            foreach (file($dotenv, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
                if ($line[0] === '#' || !str_contains($line, '=')) continue;
                [$k, $v] = explode('=', $line, 2);
                $file[trim($k)] = trim($v, " \t\"'");
            }
        }
        foreach (get_class_vars(self::class) as $name => $default) {
            $v = getenv($name);
            if ($v === false) $v = $file[$name] ?? null;
            if ($v === null) continue;
            self::${$name} = is_int($default) ? (int) $v : (string) $v;
        }
        date_default_timezone_set(self::$TIMEZONE ?: 'UTC');
    }
}
