/*
 * core_command_table.c - the commands built into the core, registered in
 * the same table and with the same spec as module commands.
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands/core_commands.h"

#define CORE(name_, arity_, flags_, first_, last_, step_, handler_, group_, since_, args_,   \
             summary_)                                                                       \
    {                                                                                        \
        DBLITE_API_VERSION, name_, arity_, flags_, first_, last_, step_, handler_, summary_, \
            since_, group_, args_, NULL, NULL                                                \
    }

static const dblite_command_spec core_specs[] = {
    CORE("multi", 1, "noscript loading stale fast", 0, 0, 0, command_multi, "transactions", "1.2.0",
         "", "Starts a transaction."),
    CORE("exec", 1, "noscript loading stale", 0, 0, 0, command_exec, "transactions", "1.2.0", "",
         "Executes all commands in a transaction."),
    CORE("discard", 1, "noscript loading stale fast", 0, 0, 0, command_discard, "transactions",
         "2.0.0", "", "Discards a transaction."),
    CORE("watch", -2, "noscript loading stale fast", 1, -1, 1, command_watch, "transactions",
         "2.2.0", "key [key ...]",
         "Monitors changes to keys to determine the execution of a transaction."),
    CORE("unwatch", 1, "noscript loading stale fast", 0, 0, 0, command_unwatch, "transactions",
         "2.2.0", "", "Forgets about watched keys of a transaction."),
    CORE("ping", -1, "fast stale loading", 0, 0, 0, command_ping, "connection", "1.0.0",
         "[message]", "Returns the server's liveliness response."),
    CORE("echo", 2, "fast", 0, 0, 0, command_echo, "connection", "1.0.0", "message",
         "Returns the given string."),
    CORE("quit", -1, "fast no-auth stale loading", 0, 0, 0, command_quit, "connection", "1.0.0", "",
         "Closes the connection."),
    CORE("hello", -1, "fast no-auth stale loading", 0, 0, 0, command_hello, "connection", "6.0.0",
         "[protover [AUTH username password] [SETNAME clientname]]", "Handshakes with the server."),
    CORE("select", 2, "fast loading stale", 0, 0, 0, command_select, "connection", "1.0.0", "index",
         "Changes the selected database."),
    CORE("auth", -2, "fast no-auth stale loading noscript", 0, 0, 0, command_auth, "connection",
         "1.0.0", "[username] password", "Authenticates the connection."),
    CORE("del", -2, "write", 1, -1, 1, command_del, "generic", "1.0.0", "key [key ...]",
         "Deletes one or more keys."),
    CORE("delete", -2, "write", 1, -1, 1, command_del, "generic", "1.0.0", "key [key ...]",
         "Deletes one or more keys (DBLite's name for DEL)."),
    CORE("unlink", -2, "write fast", 1, -1, 1, command_del, "generic", "4.0.0", "key [key ...]",
         "Deletes one or more keys."),
    CORE("exists", -2, "readonly fast", 1, -1, 1, command_exists, "generic", "1.0.0",
         "key [key ...]", "Determines whether one or more keys exist."),
    CORE("touch", -2, "readonly fast", 1, -1, 1, command_touch, "generic", "3.2.1", "key [key ...]",
         "Returns the number of existing keys out of those specified after updating the time they "
         "were last accessed."),
    CORE("wait", 3, "noscript", 0, 0, 0, command_wait, "generic", "3.0.0", "numreplicas timeout",
         "Blocks until the asynchronous replication of all preceding write commands sent by the "
         "connection is completed."),
    CORE("type", 2, "readonly fast", 1, 1, 1, command_type, "generic", "1.0.0", "key",
         "Determines the type of value stored at a key."),
    CORE("rename", 3, "write", 1, 2, 1, command_rename, "generic", "1.0.0", "key newkey",
         "Renames a key and overwrites the destination."),
    CORE("renamenx", 3, "write fast", 1, 2, 1, command_renamenx, "generic", "1.0.0", "key newkey",
         "Renames a key only when the target key name doesn't exist."),
    CORE("move", 3, "write fast", 1, 1, 1, command_move, "generic", "1.0.0", "key db",
         "Moves a key to another database."),
    CORE("copy", -3, "write deny-oom", 1, 2, 1, command_copy, "generic", "6.2.0",
         "source destination [DB destination-db] [REPLACE]",
         "Copies the value of a key to a new key."),
    CORE("swapdb", 3, "write fast", 0, 0, 0, command_swapdb, "server", "4.0.0", "index1 index2",
         "Swaps two databases."),
    CORE("keys", 2, "readonly", 0, 0, 0, command_keys, "generic", "1.0.0", "pattern",
         "Returns all key names that match a pattern."),
    CORE("scan", -2, "readonly", 0, 0, 0, command_scan, "generic", "2.8.0",
         "cursor [MATCH pattern] [COUNT count] [TYPE type]",
         "Iterates over the key names in the database."),
    CORE("randomkey", 1, "readonly", 0, 0, 0, command_randomkey, "generic", "1.0.0", "",
         "Returns a random key name from the database."),
    CORE("dbsize", 1, "readonly fast", 0, 0, 0, command_dbsize, "server", "1.0.0", "",
         "Returns the number of keys in the database."),
    CORE("flushdb", -1, "write", 0, 0, 0, command_flushdb, "server", "1.0.0", "[ASYNC | SYNC]",
         "Removes all keys from the current database."),
    CORE("flushall", -1, "write", 0, 0, 0, command_flushall, "server", "1.0.0", "[ASYNC | SYNC]",
         "Removes all keys from all databases."),
    CORE("time", 1, "fast loading stale", 0, 0, 0, command_time, "server", "2.6.0", "",
         "Returns the server time."),
    CORE("info", -1, "loading stale", 0, 0, 0, command_info, "server", "1.0.0",
         "[section [section ...]]", "Returns information and statistics about the server."),
    CORE("shutdown", -1, "admin noscript loading stale no-multi", 0, 0, 0, command_shutdown,
         "server", "1.0.0", "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
         "Synchronously saves the database(s) to disk and shuts down the server."),
    CORE("object", -2, "readonly", 0, 0, 0, command_object, "generic", "2.2.3",
         "ENCODING key | FREQ key | IDLETIME key | REFCOUNT key | HELP",
         "A container for object introspection commands."),
    CORE("memory", -2, "readonly", 0, 0, 0, command_memory, "server", "4.0.0",
         "USAGE key [SAMPLES count] | HELP", "Estimates the memory usage of a key."),
    CORE("module", -2, "admin noscript", 0, 0, 0, command_module, "server", "4.0.0", "LIST",
         "Lists the loaded modules."),
    CORE("config", -2, "admin noscript loading stale", 0, 0, 0, command_config, "server", "2.0.0",
         "GET parameter [parameter ...] | SET parameter value [parameter value ...] | RESETSTAT",
         "Reads or changes the server configuration."),
    CORE("client", -2, "admin noscript loading stale", 0, 0, 0, command_client, "connection",
         "2.4.0",
         "ID | SETNAME name | GETNAME | LIST | KILL | INFO | REPLY | NO-EVICT | UNBLOCK | PAUSE | "
         "UNPAUSE | HELP",
         "Manages client connections."),
    CORE("monitor", 1, "admin noscript loading stale", 0, 0, 0, command_monitor, "server", "1.0.0",
         "", "Listen for all requests received by the server in real time"),
    CORE("reset", 1, "noscript loading stale fast no-auth", 0, 0, 0, command_reset, "connection",
         "6.2.0", "", "Reset the connection"),
    CORE("command", -1, "loading stale", 0, 0, 0, command_command, "server", "2.8.13",
         "[COUNT | INFO [command ...] | DOCS [command ...] | LIST | GETKEYS command [arg ...]]",
         "Returns detailed information about commands."),
};

void core_commands_register(void)
{
    for (size_t i = 0; i < sizeof(core_specs) / sizeof(core_specs[0]); i++) {
        if (command_register(&core_specs[i], NULL, NULL) != DBLITE_OK) {
            fprintf(stderr, "dblite: cannot register core command '%s'\n", core_specs[i].name);
            exit(1);
        }
    }
}
