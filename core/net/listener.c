/*
 * listener.c - listening sockets and accepting connections.
 *
 * `bind` holds one or more addresses separated by spaces, as in Redis; each
 * gets a non-blocking listening socket on `port`.  Accepting beyond
 * maxclients answers Redis's error and closes, so a flood of connections
 * cannot exhaust descriptors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

/* Redis 7.0's reply, byte for byte, to a client it refuses in protected
 * mode. */
static const char protected_mode_denial[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the "
    "default user. In this mode connections are only accepted from the loopback interface. If you want to connect "
    "from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode "
    "sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the "
    "same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode "
    "by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting "
    "the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the "
    "above things in order for the server to start accepting connections from the outside.\r\n";

/* The loopback interface, as Redis's connIsLocal: 127.0.0.0/8 and ::1. */
static int address_is_loopback(const struct sockaddr_storage *address)
{
    if (address->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)address)->sin_addr.s_addr) >> 24) == 127;
    if (address->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)address)->sin6_addr);
    return 0;
}

/* Protected mode (Redis's default): with no password, only the loopback
 * interface is served, whatever the bind says, so a server bound beyond
 * loopback by mistake is not open to the network. */
static int protected_mode_refuses(const struct sockaddr_storage *address)
{
    int no_password = server.settings.requirepass == NULL || server.settings.requirepass[0] == '\0';
    return server.settings.protected_mode && no_password && !address_is_loopback(address);
}

/* Answers a connection we will not serve with a one-line reason and closes
 * it; the socket is new and non-blocking, so the short write cannot wait. */
static void refuse_connection(int client_fd, const char *reason, size_t length)
{
    ssize_t ignored = write(client_fd, reason, length);
    (void)ignored;
    close(client_fd);
    server.stats.rejected_connections++;
}

static void accept_handler(event_loop *loop, int fd, void *privdata, int mask);

static const char max_clients_refusal[] = "-ERR max number of clients reached\r\n";

/* The reserve descriptor: held while all is well, so that when accept(2)
 * fails with EMFILE there is one to give back for a moment, accept the
 * waiting connection and refuse it.  Without that the listener stays
 * readable and the loop would spin on the failing accept at full CPU,
 * while the waiting client hangs. */
static void reserve_take(void)
{
    if (server.reserve_fd < 0)
        server.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static long long resume_accepting(event_loop *loop, uint64_t id, void *privdata)
{
    (void)id, (void)privdata;
    server.accept_paused = 0;
    for (int i = 0; i < server.listen_count; i++)
        if (event_add_file(loop, server.listen_fds[i], EVENT_READABLE, accept_handler,
                           server.listen_dialects[i]) != 0)
            server_log(LOG_WARNING, "cannot watch a listening socket again: %s", strerror(errno));
    if (server.listen_count > 0)
        reserve_take();
    return -1;
}

/* No descriptor even for refusing: stop watching the listeners for 100 ms
 * (waiting clients stay in the backlog) instead of spinning. */
static void pause_accepting(void)
{
    if (server.accept_paused)
        return;
    if (event_add_timer(server.loop, 100, resume_accepting, NULL, NULL) == 0)
        return;
    server.accept_paused = 1;
    for (int i = 0; i < server.listen_count; i++)
        event_remove_file(server.loop, server.listen_fds[i], EVENT_READABLE);
}

/* accept(2) failed with EMFILE or ENFILE on listener fd: refuse one waiting
 * connection with the reserve descriptor.  0 when one was refused (try the
 * next), -1 when accepting is paused. */
static int refuse_without_descriptors(int fd)
{
    server_log(LOG_VERBOSE, "accept: %s; refusing a connection", strerror(errno));
    if (server.reserve_fd < 0) {
        pause_accepting();
        return -1;
    }
    close(server.reserve_fd);
    server.reserve_fd = -1;
    int client_fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client_fd >= 0) {
        server.stats.connections_received++;
        refuse_connection(client_fd, max_clients_refusal, sizeof(max_clients_refusal) - 1);
    }
    reserve_take();
    if (client_fd < 0 || server.reserve_fd < 0) {
        pause_accepting();
        return -1;
    }
    return 0;
}

static void accept_handler(event_loop *loop, int fd, void *privdata, int mask)
{
    (void)loop, (void)mask;
    module *dialect = privdata;
    /* Accept a bounded batch per wakeup so one listener can't starve clients. */
    for (int batch = 0; batch < 1000; batch++) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof(address);
        int client_fd =
            accept4(fd, (struct sockaddr *)&address, &address_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client_fd == -1) {
            if ((errno == EMFILE || errno == ENFILE) && refuse_without_descriptors(fd) == 0)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != EMFILE &&
                errno != ENFILE)
                server_log(LOG_VERBOSE, "accept: %s", strerror(errno));
            return;
        }
        server.stats.connections_received++;
        if (server.client_count >= server.settings.maxclients) {
            refuse_connection(client_fd, max_clients_refusal, sizeof(max_clients_refusal) - 1);
            continue;
        }
        if (protected_mode_refuses(&address)) {
            refuse_connection(client_fd, protected_mode_denial, sizeof(protected_mode_denial) - 1);
            continue;
        }
        int one = 1;
        setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(client_fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        client *c = client_create(client_fd);
        if (!c) {
            server_log(LOG_WARNING, "cannot create client: out of memory or descriptors");
            close(client_fd);
            continue;
        }
        c->dialect = dialect;
        char host[INET6_ADDRSTRLEN] = "?";
        int port = 0;
        if (address.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&address;
            inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
            port = ntohs(in->sin_port);
            snprintf(c->address, sizeof(c->address), "%s:%d", host, port);
        } else if (address.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&address;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
            port = ntohs(in6->sin6_port);
            snprintf(c->address, sizeof(c->address), "[%s]:%d", host, port);
        }
        struct sockaddr_storage local;
        socklen_t local_length = sizeof(local);
        if (getsockname(client_fd, (struct sockaddr *)&local, &local_length) == 0) {
            char local_host[INET6_ADDRSTRLEN] = "?";
            if (local.ss_family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *)&local;
                inet_ntop(AF_INET, &in->sin_addr, local_host, sizeof(local_host));
                snprintf(c->local_address, sizeof(c->local_address), "%s:%d", local_host,
                         ntohs(in->sin_port));
            } else if (local.ss_family == AF_INET6) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&local;
                inet_ntop(AF_INET6, &in6->sin6_addr, local_host, sizeof(local_host));
                snprintf(c->local_address, sizeof(c->local_address), "[%s]:%d", local_host,
                         ntohs(in6->sin6_port));
            }
        }
    }
}

static int listen_on(const char *address, int port)
{
    struct addrinfo hints = {0}, *results = NULL;
    hints.ai_family = strchr(address, ':') ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    int status = getaddrinfo(address, port_text, &hints, &results);
    if (status != 0) {
        server_log(LOG_WARNING, "cannot listen on %s:%d: %s", address, port, gai_strerror(status));
        return -1;
    }
    int fd = socket(results->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        freeaddrinfo(results);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (results->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, results->ai_addr, results->ai_addrlen) == -1 ||
        listen(fd, (int)server.settings.tcp_backlog) == -1) {
        server_log(LOG_WARNING, "cannot listen on %s:%d: %s", address, port, strerror(errno));
        close(fd);
        freeaddrinfo(results);
        return -1;
    }
    freeaddrinfo(results);
    return fd;
}

/* Listens on every address of bind_addresses (space separated). */
int listener_add(const char *bind_addresses, int port, module *dialect)
{
    char addresses[512];
    snprintf(addresses, sizeof(addresses), "%s", bind_addresses ? bind_addresses : "127.0.0.1");
    int opened = 0;
    char *saveptr = NULL;
    for (char *address = strtok_r(addresses, " ", &saveptr); address;
         address = strtok_r(NULL, " ", &saveptr)) {
        if (server.listen_count >= (int)(sizeof(server.listen_fds) / sizeof(server.listen_fds[0])))
            return -1;
        /* Redis's "-" prefix marks an optional address. */
        int optional = address[0] == '-';
        if (optional)
            address++;
        int fd = listen_on(address, port);
        if (fd == -1) {
            if (optional)
                continue;
            return -1;
        }
        if (event_add_file(server.loop, fd, EVENT_READABLE, accept_handler, dialect) == -1) {
            close(fd);
            return -1;
        }
        server.listen_dialects[server.listen_count] = dialect;
        server.listen_fds[server.listen_count++] = fd;
        opened++;
    }
    return opened > 0 ? 0 : -1;
}

int listeners_open(void)
{
    server.reserve_fd = -1;
    reserve_take();
    return listener_add(server.settings.bind, (int)server.settings.port, NULL);
}

void listeners_close(void)
{
    if (server.reserve_fd >= 0)
        close(server.reserve_fd);
    server.reserve_fd = -1;
    for (int i = 0; i < server.listen_count; i++) {
        event_remove_file(server.loop, server.listen_fds[i], EVENT_READABLE);
        close(server.listen_fds[i]);
    }
    server.listen_count = 0;
}

int client_is_loopback(const client *c)
{
    return strncmp(c->address, "127.", 4) == 0 || strncmp(c->address, "[::1]:", 6) == 0;
}
