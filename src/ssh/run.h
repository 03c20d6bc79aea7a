/*
 * run: a logged-in session's work (internal to src/ssh/): a script command
 * or the console, on the session's thread.
 */
#ifndef SK_SSH_RUN_H
#define SK_SSH_RUN_H

struct sk_session;

/* Run the exec request's command (s->exec_cmd) with the channel as its streams, and send its exit
 * status. */
void sk_run_command(struct sk_session *s);
/* Run the console (pty + shell) until the user quits or the client goes. */
void sk_run_console(struct sk_session *s);

#endif
