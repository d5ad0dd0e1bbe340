/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs sly-model-server ($SLY_MODEL_SERVER) as a child process on a loopback
 * port for a test. Every failure aborts the test with a message.
 */
#ifndef __SLY_TEST_SERVER_H__
#define __SLY_TEST_SERVER_H__

#include <glib.h>

G_BEGIN_DECLS typedef struct _SlyTestServer SlyTestServer;

/* Extra server arguments, NULL-terminated ("--latency-ms", "20", NULL). */
SlyTestServer *
sly_test_server_start (const gchar * first_arg, ...)
    G_GNUC_NULL_TERMINATED;
     SlyTestServer *sly_test_server_startv (const gchar * const *args);
/* "http://127.0.0.1:PORT" */
     const gchar *sly_test_server_get_url (SlyTestServer * server);
     guint sly_test_server_get_port (SlyTestServer * server);
/* Sends @signum now (SIGUSR1/SIGUSR2 switch the server's faults on/off) */
     void sly_test_server_signal (SlyTestServer * server, int signum);
/* SIGSTOP / SIGCONT: a server that accepts connections but never answers */
     void sly_test_server_pause (SlyTestServer * server);
     void sly_test_server_resume (SlyTestServer * server);
/* SIGKILL, as a crash; then start again with the same arguments and port */
     void sly_test_server_kill (SlyTestServer * server);
     void sly_test_server_restart (SlyTestServer * server);
/* SIGTERM, waits for a clean exit (asserted), frees */
     void sly_test_server_stop (SlyTestServer * server);

G_END_DECLS
#endif /* __SLY_TEST_SERVER_H__ */
