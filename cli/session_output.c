/*
 * session_output.c - how replies reach stdout: the session's form (human or
 * raw), the verbatim form redis-cli keeps for INFO-like commands, and push
 * data, which only a person at a terminal sees (see session.h).
 */
#include "session.h"

#include <stdio.h>
#include <strings.h>

#include "output/reply_format.h"

/* Push data ("->" out-of-band) is shown only to a person at a terminal,
 * as redis-cli does; key invalidations get its compact one-line form. */
void session_show_push(const cli_session *session, const reply *push)
{
    if (!session->stdout_is_terminal)
        return;
    const reply *keys = push->element_count == 2 ? push->elements[1] : NULL;
    if (session->options->output == OUTPUT_HUMAN && push->element_count == 2 &&
        reply_text_equals(push->elements[0], "invalidate") && keys && keys->type == REPLY_ARRAY) {
        byte_buffer line;
        byte_buffer_init(&line);
        int status = byte_buffer_append_string(&line, "-> invalidate: ");
        for (size_t index = 0; index < keys->element_count && status == 0; index++) {
            const reply *key = keys->elements[index];
            status = byte_buffer_append_format(&line, "%s'%.*s'", index ? ", " : "",
                                               (int)key->length, key->text ? key->text : "");
        }
        if (status == 0 && byte_buffer_append_char(&line, '\n') == 0)
            fwrite(line.data, 1, line.length, stdout);
        byte_buffer_free(&line);
        return;
    }
    session_print_reply(session, push);
}

static int word_is(const argument_list *command, size_t index, const char *word)
{
    return command->count > index && strcasecmp(command->values[index], word) == 0;
}

int session_prints_verbatim(const argument_list *command)
{
    size_t count = command->count;
    if (word_is(command, 0, "info") || word_is(command, 0, "lolwut"))
        return 1;
    if (count >= 2 && word_is(command, 0, "debug"))
        return word_is(command, 1, "htstats") || word_is(command, 1, "htstats-key") ||
               word_is(command, 1, "client-eviction");
    if (count >= 2 && word_is(command, 0, "memory"))
        return word_is(command, 1, "malloc-stats") || word_is(command, 1, "doctor");
    if (count == 2 && word_is(command, 0, "cluster"))
        return word_is(command, 1, "nodes") || word_is(command, 1, "info");
    if (count >= 2 && word_is(command, 0, "client"))
        return word_is(command, 1, "list") || word_is(command, 1, "info");
    if (word_is(command, 0, "latency"))
        return (count == 3 && word_is(command, 1, "graph")) ||
               (count == 2 && word_is(command, 1, "doctor"));
    return count >= 2 && word_is(command, 0, "proxy") && word_is(command, 1, "info");
}

/* Writes what formatting produced (status 0) or says it ran out of
 * memory, and releases the text either way. */
static int print_formatted(byte_buffer *text, int status)
{
    if (status == 0)
        fwrite(text->data, 1, text->length, stdout);
    else
        fprintf(stderr, "Out of memory formatting the reply\n");
    byte_buffer_free(text);
    return status;
}

int session_print_reply_verbatim(const reply *reply)
{
    byte_buffer text;
    byte_buffer_init(&text);
    return print_formatted(&text, format_reply_raw(&text, reply));
}

int session_print_reply(const cli_session *session, const reply *reply)
{
    byte_buffer text;
    byte_buffer_init(&text);
    int status;
    if (session->options->output == OUTPUT_HUMAN) {
        status = format_reply_human(&text, reply);
    } else {
        status = format_reply_raw(&text, reply);
        if (status == 0)
            status = byte_buffer_append_char(&text, '\n');
    }
    return print_formatted(&text, status);
}
