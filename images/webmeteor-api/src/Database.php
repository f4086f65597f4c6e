<?php
/** PostgreSQL through PDO (pdo_pgsql), configured by Env; the schema is created on first use. */
final class Database
{
    private static ?PDO $pdo = null;

    public static function pdo(): PDO
    {
        if (self::$pdo === null) {
            $dsn = sprintf(
                'pgsql:host=%s;port=%d;dbname=%s;connect_timeout=%d;application_name=%s',
                Env::$DATABASE_HOST, Env::$DATABASE_PORT, Env::$DATABASE_DBNAME,
                max(1, min(Env::$DATABASE_TIMEOUT, 10)), Env::$DATABASE_APPNAME
            );
            $pdo = new PDO($dsn, Env::$DATABASE_USER, Env::$DATABASE_PASSWORD, [
                PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
                PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            ]);
            self::migrate($pdo);
            self::$pdo = $pdo;
        }
        return self::$pdo;
    }

    /** The tables the webhook routes write (idempotent; serialised by an advisory lock). */
    private static function migrate(PDO $pdo): void
    {
        $pdo->beginTransaction();
        $pdo->exec("SELECT pg_advisory_xact_lock(hashtext('webmeteor_schema'))");
        $pdo->exec(<<<'SQL'
            CREATE TABLE IF NOT EXISTS webhook_deliveries (
              id BIGSERIAL PRIMARY KEY,
              source TEXT NOT NULL,
              event TEXT NOT NULL,
              ref TEXT,
              signature_ok BOOLEAN,
              queued BOOLEAN NOT NULL DEFAULT false,
              received_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            SQL);
        $pdo->exec(<<<'SQL'
            CREATE TABLE IF NOT EXISTS deploy_queue (
              id BIGSERIAL PRIMARY KEY,
              delivery_id BIGINT REFERENCES webhook_deliveries(id),
              target TEXT NOT NULL,
              branch TEXT,
              status TEXT NOT NULL DEFAULT 'queued',
              queued_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            SQL);
        $pdo->commit();
    }

    public static function query(string $sql, array $params = []): array
    {
        $st = self::pdo()->prepare($sql);
        $st->execute($params);
        return $st->fetchAll();
    }
}
