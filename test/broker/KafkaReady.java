// Readiness probe for kafka.sh start. Uses Kafka's own Admin client from the
// fetched jars, so it speaks whatever protocol versions the broker serves.
// "Ready" means more than an open port: the broker must be registered and
// unfenced (describeCluster lists it), and the group and transaction
// coordinators must have created and loaded __consumer_offsets and
// __transaction_state. Otherwise the first consumer group or transactional
// producer in a test races that loading and sees COORDINATOR_LOAD_IN_PROGRESS.
//
// Compiled by kafka.sh into .kafka/<version>/probe; run as
//   java -cp '.kafka/<v>/lib/*:.kafka/<v>/probe' KafkaReady <bootstrap> <timeoutSec> [pid]
// Exits 0 when ready, 1 on timeout, 2 if the broker process died meanwhile.
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;

public class KafkaReady {
  // Names no client uses; looking them up only makes the coordinators load.
  private static final String PROBE_ID = "__kafka-sh-readiness-probe";

  private interface Check {
    boolean ready() throws Exception;
  }

  private static long deadline;
  private static Optional<ProcessHandle> broker = Optional.empty();
  private static String lastError = "no attempt";

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    // Watching the pid lets start fail fast on a crashed broker instead of
    // waiting out the whole timeout.
    if (args.length > 2) {
      broker = ProcessHandle.of(Long.parseLong(args[2]));
      if (broker.isEmpty()) {
        // Already gone (and reaped) before we got here: a JVM that fails on
        // its options or a bad config exits within a second.
        System.err.println("broker process exited before becoming ready");
        System.exit(2);
      }
    }

    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
    try (Admin admin = Admin.create(props)) {
      await("broker registered", () ->
          !admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
              .nodes().get(4, TimeUnit.SECONDS).isEmpty());
      await("group coordinator loaded", () -> {
        admin.listConsumerGroupOffsets(PROBE_ID).partitionsToOffsetAndMetadata()
            .get(5, TimeUnit.SECONDS);
        return true;
      });
      await("transaction coordinator loaded", () -> {
        try {
          admin.describeTransactions(List.of(PROBE_ID)).all().get(5, TimeUnit.SECONDS);
          return true;
        } catch (ExecutionException e) {
          // The answer for an unknown id proves the coordinator is serving.
          if (e.getCause() instanceof TransactionalIdNotFoundException) {
            return true;
          }
          throw e;
        }
      });
    }
    System.exit(0);
  }

  private static void await(String what, Check check) throws InterruptedException {
    while (System.nanoTime() < deadline) {
      if (broker.isPresent() && !broker.get().isAlive()) {
        System.err.println("broker process exited before becoming ready");
        System.exit(2);
      }
      try {
        if (check.ready()) {
          return;
        }
        lastError = "not yet";
      } catch (Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        lastError = cause.toString();
      }
      Thread.sleep(200);
    }
    System.err.println("timed out waiting for: " + what + " (last error: " + lastError + ")");
    System.exit(1);
  }
}
