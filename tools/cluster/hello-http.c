/*
 * hello-http: the workload of the test bed's sample chart. A tiny static HTTP/1.0 server
 * (built with gcc -static by tools/install.sh into a one-file image, like the pause image),
 * because no image can be pulled from a public registry here.
 *
 *   GET /healthz  -> 200 "ok"
 *   GET <other>   -> 200 "hello from <hostname>: <$HELLO_MESSAGE>"
 *
 * Listens on $PORT (default 8080) on every address of the pod; exits 0 on SIGTERM.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_term(int sig) {
    (void)sig;
    stopping = 1;
}

static void respond(int client, const char *hostname, const char *message) {
    char request[1024];
    ssize_t n = read(client, request, sizeof request - 1);
    if (n <= 0) {
        return;
    }
    request[n] = '\0';
    char body[512];
    if (strncmp(request, "GET /healthz", 12) == 0) {
        snprintf(body, sizeof body, "ok\n");
    } else {
        snprintf(body, sizeof body, "hello from %s: %s\n", hostname, message);
    }
    char response[1024];
    int len = snprintf(response, sizeof response,
                       "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                       strlen(body), body);
    if (write(client, response, (size_t)len) < 0) {
        perror("write");
    }
}

int main(void) {
    const char *port_env = getenv("PORT");
    const char *message = getenv("HELLO_MESSAGE");
    int port = port_env ? atoi(port_env) : 8080;
    char hostname[256] = "unknown";
    gethostname(hostname, sizeof hostname - 1);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term; /* no SA_RESTART: accept() returns EINTR on SIGTERM */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0) {
        perror("socket");
        return 1;
    }
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons((unsigned short)port);
    if (bind(server, (struct sockaddr *)&address, sizeof address) < 0 || listen(server, 64) < 0) {
        perror("bind/listen");
        return 1;
    }
    printf("hello-http listening on :%d as %s\n", port, hostname);
    fflush(stdout);
    while (!stopping) {
        int client = accept(server, NULL, NULL);
        if (client < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("accept");
            return 1;
        }
        respond(client, hostname, message ? message : "hello");
        close(client);
    }
    printf("hello-http stopping\n");
    return 0;
}
