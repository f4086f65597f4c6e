<?php
/**
 * WebMeteor platform API (seed 003: PHP, StoneScriptPHP-style): the front
 * controller every request reaches (`php -S 0.0.0.0:80 -t public public/index.php`).
 */
declare(strict_types=1);

require __DIR__ . '/../src/Env.php';
require __DIR__ . '/../src/Database.php';
require __DIR__ . '/../src/Routes.php';

Env::load(__DIR__ . '/../.env');

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';
$headers = array_change_key_case(function_exists('getallheaders') ? getallheaders() : [], CASE_LOWER);
$table = Routes::table();
$m = $method === 'HEAD' ? 'GET' : $method;

try {
    if (isset($table[$m][$path])) {
        [$status, $body] = call_user_func($table[$m][$path], file_get_contents('php://input') ?: '', $headers);
    } elseif (array_filter(array_keys($table), fn ($k) => isset($table[$k][$path]))) {
        [$status, $body] = [405, ['error' => 'method not allowed', 'path' => $path]];
    } else {
        [$status, $body] = [404, ['error' => 'not found', 'path' => $path]];
    }
} catch (Throwable $e) {
    error_log(sprintf('webmeteor-api: %s %s: %s', $method, $path, $e->getMessage()));
    [$status, $body] = [503, ['error' => Env::$DEBUG_MODE ? $e->getMessage() : 'service unavailable', 'path' => $path]];
}

http_response_code($status);
header('Content-Type: application/json');
echo json_encode($body, JSON_UNESCAPED_SLASHES), "\n";
