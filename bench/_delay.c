/* A TCP relay that holds every byte for a fixed time each way: the latency between hosts
 * in bench/cluster.py, where the kernel has no tc netem (this machine's has only the
 * pfifo, tbf and htb queueing disciplines). bench/_cluster_run.py compiles it into the
 * rehearsal's temporary directory and starts one in each namespace whose traffic it
 * delays; bench/_delay.py measures the round trip it adds.
 *
 *   cc -O2 -pthread -o relay bench/_delay.c
 *   relay DELAY_MS BIND LISTEN_PORT:HOST:PORT [...]
 *
 * Each route accepts on BIND:LISTEN_PORT and opens one connection to HOST:PORT per
 * connection accepted. What either side sends reaches the other DELAY_MS later, in order
 * and pipelined: each chunk read is queued with its due time, and a writer sleeps until
 * it is due (clock_nanosleep, to the microsecond). The end of a stream is passed on the
 * same way (a half-close); a side that fails ends both.
 *
 * In C, not Python: the first relay was asyncio, and in the rehearsal its four processes
 * took 164 CPU-seconds in 14 minutes, a seventh of the 2-core machine the app hosts and
 * databases share, where netem costs them nothing. Four threads a connection, blocking
 * I/O: a relay carries a few dozen connections.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long delay_ns;

struct chunk {
    struct chunk *next;
    struct timespec due;
    size_t len;
    char data[];
};

struct conn;

struct direction { /* one way of a connection: read `from`, write `to` */
    int from, to;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail;
    int ended; /* the reader has seen the end of `from`, at ended_at */
    struct timespec ended_at;
    struct conn *conn;
};

struct conn {
    int client, server;
    int threads_left; /* the last of the four threads closes and frees */
    pthread_mutex_t mu;
    struct direction up, down;
};

static void release(struct conn *c) {
    pthread_mutex_lock(&c->mu);
    int last = --c->threads_left == 0;
    pthread_mutex_unlock(&c->mu);
    if (!last) return;
    close(c->client);
    close(c->server);
    for (struct direction *d = &c->up; d; d = d == &c->up ? &c->down : NULL) {
        while (d->head) {
            struct chunk *next = d->head->next;
            free(d->head);
            d->head = next;
        }
    }
    free(c);
}

static void *reader(void *arg) {
    struct direction *d = arg;
    for (;;) {
        struct chunk *chunk = malloc(sizeof *chunk + 65536);
        ssize_t n = chunk ? read(d->from, chunk->data, 65536) : -1;
        if (n <= 0) {
            free(chunk);
            break;
        }
        chunk->len = (size_t)n;
        chunk->next = NULL;
        clock_gettime(CLOCK_MONOTONIC, &chunk->due);
        chunk->due.tv_nsec += delay_ns;
        chunk->due.tv_sec += chunk->due.tv_nsec / 1000000000L;
        chunk->due.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&d->mu);
        if (d->tail) d->tail->next = chunk; else d->head = chunk;
        d->tail = chunk;
        pthread_cond_signal(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
    pthread_mutex_lock(&d->mu);
    d->ended = 1;
    clock_gettime(CLOCK_MONOTONIC, &d->ended_at);
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    release(d->conn);
    return NULL;
}

static void *writer(void *arg) {
    struct direction *d = arg;
    int failed = 0;
    struct timespec end_due;
    for (;;) {
        pthread_mutex_lock(&d->mu);
        while (!d->head && !d->ended) pthread_cond_wait(&d->cv, &d->mu);
        struct chunk *chunk = d->head;
        if (chunk) {
            d->head = chunk->next;
            if (!d->head) d->tail = NULL;
        } else {
            end_due = d->ended_at; /* the end travels as late as the data */
        }
        pthread_mutex_unlock(&d->mu);
        if (!chunk) break;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &chunk->due, NULL) == EINTR) {}
        for (size_t sent = 0; !failed && sent < chunk->len;) {
            ssize_t n = write(d->to, chunk->data + sent, chunk->len - sent);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                failed = 1; /* the far side is gone: stop reading this way, and the other */
                shutdown(d->from, SHUT_RDWR);
                shutdown(d->to, SHUT_RDWR);
                break;
            }
            sent += (size_t)n;
        }
        free(chunk);
    }
    if (!failed) {
        end_due.tv_nsec += delay_ns;
        end_due.tv_sec += end_due.tv_nsec / 1000000000L;
        end_due.tv_nsec %= 1000000000L;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end_due, NULL) == EINTR) {}
        shutdown(d->to, SHUT_WR);
    }
    release(d->conn);
    return NULL;
}

struct route {
    int listener;
    struct sockaddr_in target;
};

static void start(void *(*fn)(void *), void *arg) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    if (pthread_create(&thread, &attr, fn, arg) != 0) {
        perror("pthread_create");
        exit(1);
    }
    pthread_attr_destroy(&attr);
}

static void init_direction(struct direction *d, struct conn *c, int from, int to) {
    memset(d, 0, sizeof *d);
    d->from = from;
    d->to = to;
    d->conn = c;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
}

static void *acceptor(void *arg) {
    struct route *r = arg;
    int one = 1;
    for (;;) {
        int client = accept(r->listener, NULL, NULL);
        if (client < 0) continue;
        int server = socket(AF_INET, SOCK_STREAM, 0);
        if (server < 0 || connect(server, (struct sockaddr *)&r->target, sizeof r->target)) {
            /* the target is down: the client sees its connection end */
            if (server >= 0) close(server);
            close(client);
            continue;
        }
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(client);
            close(server);
            continue;
        }
        c->client = client;
        c->server = server;
        c->threads_left = 4;
        pthread_mutex_init(&c->mu, NULL);
        init_direction(&c->up, c, client, server);
        init_direction(&c->down, c, server, client);
        start(reader, &c->up);
        start(writer, &c->up);
        start(reader, &c->down);
        start(writer, &c->down);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s DELAY_MS BIND LISTEN_PORT:HOST:PORT...\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    delay_ns = (long)(atof(argv[1]) * 1e6);
    for (int i = 3; i < argc; i++) {
        char host[64];
        int listen_port, port;
        if (sscanf(argv[i], "%d:%63[^:]:%d", &listen_port, host, &port) != 3) {
            fprintf(stderr, "not a route: %s\n", argv[i]);
            return 2;
        }
        struct route *r = calloc(1, sizeof *r);
        r->target.sin_family = AF_INET;
        r->target.sin_port = htons((unsigned short)port);
        struct sockaddr_in bind_to = {.sin_family = AF_INET,
                                      .sin_port = htons((unsigned short)listen_port)};
        if (inet_pton(AF_INET, host, &r->target.sin_addr) != 1 ||
            inet_pton(AF_INET, argv[2], &bind_to.sin_addr) != 1) {
            fprintf(stderr, "not an IPv4 address in %s or %s\n", argv[i], argv[2]);
            return 2;
        }
        int one = 1;
        r->listener = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(r->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(r->listener, (struct sockaddr *)&bind_to, sizeof bind_to) ||
            listen(r->listener, 512)) {
            perror(argv[i]);
            return 1;
        }
        start(acceptor, r);
    }
    printf("relaying %d routes on %s, %s ms each way\n", argc - 3, argv[2], argv[1]);
    fflush(stdout);
    pause();
    return 0;
}
