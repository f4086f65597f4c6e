import { Queue } from "bullmq";
import { fromEnv } from "./env";

/**
 * BullMQ queues of the CEP workers (seed 004: automation, llm, stats) on the
 * Redis the workers use: REDIS_HOST, REDIS_PORT, REDIS_PASSWORD[_FILE], BULL_PREFIX.
 */
const queues = new Map<string, Queue>();

function queue(name: string): Queue {
  let q = queues.get(name);
  if (!q) {
    const password = fromEnv("REDIS_PASSWORD");
    q = new Queue(name, {
      connection: {
        host: fromEnv("REDIS_HOST", "redis"),
        port: Number(fromEnv("REDIS_PORT", "6379")),
        ...(password && { password }),
        maxRetriesPerRequest: 3,
      },
      prefix: fromEnv("BULL_PREFIX", "bull"),
    });
    q.on("error", (err) => console.error(`queue ${name}: ${err.message}`));
    queues.set(name, q);
  }
  return q;
}

const ENQUEUE_TIMEOUT_MS = 10000;

/**
 * Adds a job; its id makes a repeated call for the same document a no-op. Fails
 * after 10 s without Redis, so the request fails and its transaction is rolled back.
 */
export async function enqueue(
  queueName: string,
  jobName: string,
  jobId: string,
  data: object,
): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`queue ${queueName}: Redis did not answer in ${ENQUEUE_TIMEOUT_MS} ms`)),
      ENQUEUE_TIMEOUT_MS,
    );
  });
  try {
    const job = await Promise.race([
      queue(queueName).add(jobName, data, {
        jobId,
        attempts: 3,
        backoff: { type: "exponential", delay: 5000 },
      }),
      timeout,
    ]);
    return job.id ?? jobId;
  } finally {
    clearTimeout(timer);
  }
}
