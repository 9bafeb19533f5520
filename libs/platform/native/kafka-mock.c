/*
 * A local Kafka-protocol broker for tests and `coin stack`: librdkafka's mock cluster, which speaks
 * the real wire protocol, behind a tiny command loop. Built on demand by
 * src/adapters/kafka/mock-broker.ts (gcc, -lrdkafka -lpthread).
 *
 * Usage: kafka-mock [--brokers N] [--partitions P] [--topics FILE] [--detached] [TOPIC...]
 * Every topic named (argv, or one a line in FILE) is created up front: the mock's controller id is
 * 0, which kafkajs' createTopics refuses. Prints the bootstrap address list as one line on stdout,
 * then reads commands on stdin, one a line, and answers each with one line:
 *   down  every broker refuses connections (the cluster's topics, offsets, groups stay) -> "ok down"
 *   up    the brokers accept connections again                                          -> "ok up"
 *   anything else                                                                       -> "error ..."
 * Exits 0 on SIGTERM, SIGINT or end of stdin.
 * With --detached (`coin stack up`, which outlives no pipe) stdin is not read: SIGUSR1 runs `down`
 * and SIGUSR2 `up`, each answered on stdout as above, and only SIGTERM or SIGINT end it.
 *
 * The mock cluster serves each such request on its own thread, which in librdkafka 2.0 often
 * notices a request only when its 1 s poll times out: topics are therefore created from one thread
 * each, all at once, so that creating many costs about one such wait instead of one per topic.
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;
static volatile sig_atomic_t want_down = 0, want_up = 0;

static void on_signal(int signo) {
  (void)signo;
  stopping = 1;
}

static void on_usr(int signo) {
  if (signo == SIGUSR1) want_down = 1;
  else want_up = 1;
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *name, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, partitions, 1);
  if (err) {
    fprintf(stderr, "kafka-mock: cannot create topic %s: %s\n", name, rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

struct topic_job {
  rd_kafka_mock_cluster_t *mc;
  const char *name;
  int partitions;
  int rc;
  pthread_t thread;
};

static void *create_topic_thread(void *arg) {
  struct topic_job *job = arg;
  job->rc = create_topic(job->mc, job->name, job->partitions);
  return NULL;
}

/* Creates every named topic, concurrently (see the note at the top). */
static int create_topics(rd_kafka_mock_cluster_t *mc, char **names, int count, int partitions) {
  struct topic_job *jobs = calloc((size_t)(count > 0 ? count : 1), sizeof *jobs);
  int rc = 0;
  for (int i = 0; i < count; i++) {
    jobs[i] = (struct topic_job){.mc = mc, .name = names[i], .partitions = partitions};
    if (pthread_create(&jobs[i].thread, NULL, create_topic_thread, &jobs[i]) != 0) {
      jobs[i].rc = create_topic(mc, names[i], partitions); /* no thread: create it here */
      jobs[i].thread = 0;
    }
  }
  for (int i = 0; i < count; i++) {
    if (jobs[i].thread) pthread_join(jobs[i].thread, NULL);
    if (jobs[i].rc) rc = -1;
  }
  free(jobs);
  return rc;
}

/* Topic names, one a line, from a file; appended to *names (grown with realloc). */
static int read_topics_file(const char *path, char ***names, int *count) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "kafka-mock: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  char line[512];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0') continue;
    *names = realloc(*names, sizeof **names * (size_t)(*count + 1));
    (*names)[(*count)++] = strdup(line);
  }
  fclose(f);
  return 0;
}

static void set_brokers(rd_kafka_mock_cluster_t *mc, int brokers, int up) {
  for (int id = 1; id <= brokers; id++) {
    if (up) rd_kafka_mock_broker_set_up(mc, id);
    else rd_kafka_mock_broker_set_down(mc, id);
  }
}

static void run_command(rd_kafka_mock_cluster_t *mc, int brokers, const char *command) {
  if (strcmp(command, "down") == 0) {
    set_brokers(mc, brokers, 0);
    printf("ok down\n");
  } else if (strcmp(command, "up") == 0) {
    set_brokers(mc, brokers, 1);
    printf("ok up\n");
  } else {
    printf("error unknown command '%s' (known: down, up)\n", command);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  int brokers = 1, partitions = 3;
  const char *topics_file = NULL;
  int first_topic = argc, detached = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--detached") == 0) detached = 1;
    else if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) brokers = atoi(argv[++i]);
    else if (strcmp(argv[i], "--partitions") == 0 && i + 1 < argc) partitions = atoi(argv[++i]);
    else if (strcmp(argv[i], "--topics") == 0 && i + 1 < argc) topics_file = argv[++i];
    else {
      first_topic = i;
      break;
    }
  }
  if (brokers < 1 || partitions < 1) {
    fprintf(stderr, "kafka-mock: --brokers and --partitions must be at least 1\n");
    return 2;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR and the loop ends */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (detached) {
    struct sigaction su;
    memset(&su, 0, sizeof su);
    su.sa_handler = on_usr;
    sigaction(SIGUSR1, &su, NULL);
    sigaction(SIGUSR2, &su, NULL);
  }

  /* The handled signals are blocked while librdkafka starts its threads (the mock cluster's among
   * them) and ours create the topics: each thread inherits the mask, so only this one ever takes a
   * signal. Otherwise SIGUSR1 could land on the mock thread, whose poll() then fails with EINTR and
   * logs it on stderr. A signal sent meanwhile stays pending until the mask is restored below. */
  sigset_t handled, previous;
  sigemptyset(&handled);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGINT);
  sigaddset(&handled, SIGUSR1);
  sigaddset(&handled, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &handled, &previous);

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "kafka-mock: rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "kafka-mock: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  char **names = NULL;
  int count = 0;
  int rc = topics_file ? read_topics_file(topics_file, &names, &count) : 0;
  for (int i = first_topic; i < argc; i++) {
    names = realloc(names, sizeof *names * (size_t)(count + 1));
    names[count++] = strdup(argv[i]);
  }
  if (rc == 0) rc = create_topics(mc, names, count, partitions);
  for (int i = 0; i < count; i++) free(names[i]);
  free(names);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);

  if (rc == 0) {
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    while (detached && !stopping) {
      poll(NULL, 0, 200); /* a signal ends the wait early (EINTR) */
      if (want_down) {
        want_down = 0;
        run_command(mc, brokers, "down");
      }
      if (want_up) {
        want_up = 0;
        run_command(mc, brokers, "up");
      }
    }

    char buf[1024];
    size_t used = 0;
    while (!detached && !stopping) {
      struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
      int ready = poll(&pfd, 1, 500);
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (ready == 0) continue;
      ssize_t n = read(STDIN_FILENO, buf + used, sizeof buf - 1 - used);
      if (n <= 0) break; /* end of stdin: the parent is gone */
      used += (size_t)n;
      char *start = buf, *newline;
      while ((newline = memchr(start, '\n', used - (size_t)(start - buf)))) {
        *newline = '\0';
        if (newline > start && newline[-1] == '\r') newline[-1] = '\0';
        if (*start) run_command(mc, brokers, start);
        start = newline + 1;
      }
      used -= (size_t)(start - buf);
      memmove(buf, start, used);
      if (used == sizeof buf - 1) used = 0; /* an endless line: drop it */
    }
  } else {
    rc = 1;
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return rc;
}
