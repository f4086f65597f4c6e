<?php
/**
 * The routes (StoneScriptPHP's config/routes.php shape: method => path => handler).
 * Handlers return [status, body]; bodies are JSON.
 */
final class Routes
{
    public static function table(): array
    {
        return [
            'GET' => [
                '/' => [self::class, 'home'],
                '/health' => [self::class, 'health'],
                '/webhook' => [self::class, 'webhookStatus'],
                '/webhook/' => [self::class, 'webhookStatus'],
                '/deployments' => [self::class, 'deployments'],
            ],
            'POST' => [
                '/webhook/github' => [self::class, 'githubWebhook'],
                '/webhook/customer-site' => [self::class, 'customerSiteWebhook'],
            ],
        ];
    }

    public static function home(): array
    {
        return [200, ['app' => Env::$DATABASE_APPNAME, 'hostname' => gethostname(), 'php' => PHP_VERSION]];
    }

    /** HealthRoute: SELECT 1 on the database; 503 when it fails. */
    public static function health(): array
    {
        $body = ['status' => 'healthy', 'app' => Env::$DATABASE_APPNAME, 'hostname' => gethostname(),
                 'timestamp' => date('c'), 'checks' => []];
        try {
            Database::query('SELECT 1');
            $body['checks']['database'] = 'ok';
            return [200, $body];
        } catch (Throwable $e) {
            $body['status'] = 'unhealthy';
            $body['checks']['database'] = 'failed';
            $body['error'] = $e->getMessage();
            return [503, $body];
        }
    }

    /** GET /webhook/: the webhook endpoint answers (the gateway's stable path) with what it received. */
    public static function webhookStatus(): array
    {
        $row = Database::query(
            'SELECT (SELECT count(*) FROM webhook_deliveries) AS deliveries, (SELECT count(*) FROM deploy_queue) AS queued'
        )[0];
        return [200, ['webhooks' => ['/webhook/github', '/webhook/customer-site'], 'hostname' => gethostname(),
                      'deliveries' => (int) $row['deliveries'], 'queued' => (int) $row['queued']]];
    }

    public static function deployments(): array
    {
        return [200, ['deployments' => Database::query(
            'SELECT id, delivery_id, target, branch, status, queued_at FROM deploy_queue ORDER BY id DESC LIMIT 20'
        )]];
    }

    /**
     * GithubWebhookRoute (seed 003): verify X-Hub-Signature-256 (HMAC-SHA256 of the body) when a
     * secret is set, record the delivery, and queue a platform deployment for a push to DEPLOY_BRANCH.
     */
    public static function githubWebhook(string $raw, array $headers): array
    {
        $event = $headers['x-github-event'] ?? 'push';
        $sigOk = null;
        if (Env::$GITHUB_WEBHOOK_SECRET !== '') {
            $want = 'sha256=' . hash_hmac('sha256', $raw, Env::$GITHUB_WEBHOOK_SECRET);
            $sigOk = hash_equals($want, $headers['x-hub-signature-256'] ?? '');
        }
        $payload = json_decode($raw, true);
        if (!is_array($payload)) return [400, ['error' => 'body is not JSON']];
        $ref = is_string($payload['ref'] ?? null) ? $payload['ref'] : null;
        $branch = $ref !== null ? preg_replace('#^refs/heads/#', '', $ref) : null;
        $queue = $sigOk !== false && $event === 'push' && $branch !== null
            && (Env::$DEPLOY_BRANCH === '' || $branch === Env::$DEPLOY_BRANCH);
        $pdo = Database::pdo();
        $pdo->beginTransaction();
        $id = (int) Database::query(
            'INSERT INTO webhook_deliveries (source, event, ref, signature_ok, queued) VALUES (?, ?, ?, ?, ?) RETURNING id',
            ['github', $event, $ref, $sigOk === null ? null : ($sigOk ? 't' : 'f'), $queue ? 't' : 'f']
        )[0]['id'];
        $queued = null;
        if ($queue) {
            $queued = (int) Database::query(
                'INSERT INTO deploy_queue (delivery_id, target, branch) VALUES (?, ?, ?) RETURNING id',
                [$id, 'platform', $branch]
            )[0]['id'];
        }
        $pdo->commit();
        if ($sigOk === false) return [401, ['error' => 'signature does not match', 'delivery' => $id]];
        return [$queue ? 202 : 200, ['delivery' => $id, 'queued' => $queued, 'branch' => $branch]];
    }

    /** /webhook/customer-site: a customer repository's push queues that site's deployment. */
    public static function customerSiteWebhook(string $raw): array
    {
        $payload = json_decode($raw, true);
        if (!is_array($payload) || !is_string($payload['site'] ?? null) || $payload['site'] === '')
            return [400, ['error' => 'body must be JSON with "site" (customer/app)']];
        $pdo = Database::pdo();
        $pdo->beginTransaction();
        $ref = is_string($payload['ref'] ?? null) ? $payload['ref'] : null;
        $id = (int) Database::query(
            "INSERT INTO webhook_deliveries (source, event, ref, queued) VALUES ('customer-site', 'push', ?, true) RETURNING id",
            [$ref]
        )[0]['id'];
        $queued = (int) Database::query(
            'INSERT INTO deploy_queue (delivery_id, target, branch) VALUES (?, ?, ?) RETURNING id',
            [$id, 'site:' . $payload['site'], $ref]
        )[0]['id'];
        $pdo->commit();
        return [202, ['delivery' => $id, 'queued' => $queued]];
    }
}
