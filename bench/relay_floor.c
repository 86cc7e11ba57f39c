/*
 * relay_floor.c - the least CPU any gateway can spend on a call at
 * concurrency 1 on this machine: a relay that parses nothing and only
 * moves bytes.  A client sends a message over TCP loopback and waits for
 * the answer; the relay reads it, writes it to an echo process, sleeps
 * until the echo comes back, and writes that to the client.  That is the
 * smallest pattern a gateway can have: two wake-ups, two reads and two
 * writes per call, with nothing else.  The relay's own CPU time per call
 * is the floor; on a virtual machine it is mostly the cost of sleeping
 * and being woken.
 *
 *   relay_floor stdio|http CALLS
 *
 * stdio: the echo process is reached over a pair of pipes (a stdio
 * upstream); http: over TCP loopback (an HTTP upstream, without HTTP).
 * Prints: relay_floor upstream=MODE calls=N cpu_us_per_call=X wall_us_per_call=Y
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* About the size of an echo tools/call and its result. */
#define MSG 256
#define WARMUP 1000

static void
die(const char *what)
{
    perror(what);
    exit(1);
}

/* A connected pair of TCP loopback sockets: *a and *b. */
static void
tcp_pair(int *a, int *b)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&sa, &len) < 0)
        die("listen");
    *a = socket(AF_INET, SOCK_STREAM, 0);
    if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("connect");
    *b = accept(l, NULL, NULL);
    if (*b < 0)
        die("accept");
    setsockopt(*a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    close(l);
}

static void
full_read(int fd, char *buf, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, buf, n);
        if (r <= 0)
            _exit(0); /* the relay is gone: the run is over */
        buf += r;
        n -= (size_t)r;
    }
}

static void
full_write(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(0);
        buf += w;
        n -= (size_t)w;
    }
}

/* The echo process: answers each message with itself. */
static void
echo(int in, int out)
{
    char buf[MSG];

    for (;;) {
        full_read(in, buf, MSG);
        full_write(out, buf, MSG);
    }
}

/* The client: CALLS messages, one at a time. */
static void
client(int fd, long calls)
{
    char buf[MSG];

    memset(buf, 'm', sizeof(buf));
    for (long i = 0; i < calls; i++) {
        full_write(fd, buf, MSG);
        full_read(fd, buf, MSG);
    }
    _exit(0);
}

/* Copy what FROM has to TO; returns the bytes moved. */
static ssize_t
pass(int from, int to)
{
    char buf[4096];
    ssize_t r = read(from, buf, sizeof(buf));

    if (r <= 0)
        return r;
    full_write(to, buf, (size_t)r);
    return r;
}

static double
cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static double
wall_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
    int http, cl, relay_cl, up_in, up_out, echo_in, echo_out, ep;
    long calls, answered = 0, bytes = 0;
    double c0 = 0, w0 = 0;
    pid_t kids[2];
    struct epoll_event ev;

    if (argc != 3 || (strcmp(argv[1], "stdio") && strcmp(argv[1], "http")) || (calls = atol(argv[2])) <= 0) {
        fprintf(stderr, "usage: relay_floor stdio|http CALLS\n");
        return 2;
    }
    http = strcmp(argv[1], "http") == 0;
    tcp_pair(&cl, &relay_cl);
    if (http) {
        int a, b;
        tcp_pair(&a, &b);
        up_in = up_out = a;
        echo_in = echo_out = b;
    } else {
        int to[2], from[2];
        if (pipe(to) < 0 || pipe(from) < 0)
            die("pipe");
        up_out = to[1], echo_in = to[0];
        up_in = from[0], echo_out = from[1];
    }
    if ((kids[0] = fork()) == 0)
        echo(echo_in, echo_out);
    if ((kids[1] = fork()) == 0)
        client(cl, WARMUP + calls);

    ep = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.fd = relay_cl;
    epoll_ctl(ep, EPOLL_CTL_ADD, relay_cl, &ev);
    ev.data.fd = up_in;
    epoll_ctl(ep, EPOLL_CTL_ADD, up_in, &ev);
    while (answered < WARMUP + calls) {
        struct epoll_event got[2];
        int n = epoll_wait(ep, got, 2, -1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            if (got[i].data.fd == relay_cl) {
                if (pass(relay_cl, up_out) <= 0)
                    die("client closed");
                continue;
            }
            ssize_t r = pass(up_in, relay_cl);
            if (r <= 0)
                die("echo closed");
            for (bytes += r; bytes >= MSG; bytes -= MSG)
                if (++answered == WARMUP)
                    c0 = cpu_us(), w0 = wall_us();
        }
    }
    printf("relay_floor upstream=%s calls=%ld cpu_us_per_call=%.1f wall_us_per_call=%.1f\n", argv[1], calls,
           (cpu_us() - c0) / calls, (wall_us() - w0) / calls);
    kill(kids[0], SIGKILL);
    close(relay_cl);
    for (int i = 0; i < 2; i++)
        waitpid(kids[i], NULL, 0);
    return 0;
}
